import Testing
@testable import LichenCore

/// inotify: the event queue (coalescing, overflow, reads) and the VFS's events through FsNotify.
@Suite struct InotifyTests {
    typealias M = InotifyMask

    @Test func queueMergesOverflowsAndReads() {
        var q = InotifyQueue(limit: 3)
        let r1 = q.append(InotifyEvent(wd: 1, mask: M.IN_MODIFY))
        #expect(r1)
        let r2 = q.append(InotifyEvent(wd: 1, mask: M.IN_MODIFY))
        #expect(!r2)            // same as the last: merged
        let r3 = q.append(InotifyEvent(wd: 1, mask: M.IN_CREATE, name: [0x61]))
        #expect(r3)
        let r4 = q.append(InotifyEvent(wd: 2, mask: M.IN_MODIFY))
        #expect(r4)
        let r5 = q.append(InotifyEvent(wd: 3, mask: M.IN_MODIFY))
        #expect(r5)            // becomes IN_Q_OVERFLOW
        let r6 = q.append(InotifyEvent(wd: 4, mask: M.IN_MODIFY))
        #expect(!r6)           // lost
        #expect(q.count == 4 && q.events.last == InotifyEvent(wd: -1, mask: M.IN_Q_OVERFLOW))
        #expect(q.byteCount == 16 + 32 + 16 + 16)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 8)
        defer { buffer.deallocate() }
        let r7 = q.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<15]))
        #expect(r7 == nil)   // EINVAL
        let r8 = q.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<40]))
        #expect(r8 == 16)   // the named one does not fit
        let r12 = q.read(into: buffer)
        #expect(r12 == 64)
        #expect(buffer.load(fromByteOffset: 12, as: UInt32.self) == 16 && buffer[16] == 0x61 && buffer[17] == 0)
        #expect(q.isEmpty && q.byteCount == 0)
        for wd in Int32(5)...7 { q.append(InotifyEvent(wd: wd, mask: M.IN_MODIFY)) }
        let r9 = q.append(InotifyEvent(wd: 8, mask: M.IN_MODIFY))
        let r10 = q.append(InotifyEvent(wd: 9, mask: M.IN_MODIFY))
        #expect(r9 && !r10 && q.count == 4)
        _ = q.removeFirst(); _ = q.removeFirst()
        let r11 = q.append(InotifyEvent(wd: 10, mask: M.IN_MODIFY))   // room again, after the overflow
        let r13 = q.append(InotifyEvent(wd: 11, mask: M.IN_MODIFY))   // full, overflow still queued: lost
        #expect(r11 && !r13)
    }

    func drain(_ i: InotifyInstance) -> [InotifyEvent] {
        i.state.update { q in
            var out: [InotifyEvent] = []
            while let e = q.removeFirst() { out.append(e) }
            return out
        }
    }

    @Test func namespaceAndFileEvents() async throws {
        let fx = VFSFixture()
        try await fx.mkdir("/d")
        let notify = FsNotify.shared
        let i = try notify.newInstance(uid: 4242)
        defer { notify.close(i) }
        let dir = try await fx.vfs.resolve(vfsBytes("/d"), context: fx.context)
        let wd = try notify.addWatch(i, on: dir.inode, fileSystem: fx.tmpfs, mask: M.IN_ALL_EVENTS)
        #expect(try notify.addWatch(i, on: dir.inode, fileSystem: fx.tmpfs, mask: M.IN_CREATE) == wd)
        #expect(throws: Errno.EEXIST) { try notify.addWatch(i, on: dir.inode, fileSystem: fx.tmpfs, mask: M.IN_CREATE | M.IN_MASK_CREATE) }
        _ = try notify.addWatch(i, on: dir.inode, fileSystem: fx.tmpfs, mask: M.IN_ALL_EVENTS)
        let f = try await fx.open("/d/f", [.O_CREAT, .O_WRONLY])
        _ = try await vfsWrite(f, vfsBytes("x"))
        _ = try await vfsWrite(f, vfsBytes("y"))
        let name = vfsBytes("f")
        #expect(drain(i) == [InotifyEvent(wd: wd, mask: M.IN_CREATE, name: name), InotifyEvent(wd: wd, mask: M.IN_OPEN, name: name),
                             InotifyEvent(wd: wd, mask: M.IN_MODIFY, name: name)])
        let file = try await fx.vfs.resolve(vfsBytes("/d/f"), context: fx.context)
        let fwd = try notify.addWatch(i, on: file.inode, fileSystem: fx.tmpfs, mask: M.IN_ALL_EVENTS | M.IN_ONESHOT)
        try await fx.vfs.rename(vfsBytes("/d/f"), to: vfsBytes("/d/g"), context: fx.context)
        let moved = drain(i)
        #expect(moved.count == 4 && moved[0].mask == M.IN_MOVED_FROM && moved[1].mask == M.IN_MOVED_TO && moved[0].cookie == moved[1].cookie)
        #expect(moved[2] == InotifyEvent(wd: fwd, mask: M.IN_MOVE_SELF) && moved[3] == InotifyEvent(wd: fwd, mask: M.IN_IGNORED))
        try await fx.vfs.mkdir(vfsBytes("/d/sub"), mode: 0o755, context: fx.context)
        try await fx.vfs.rmdir(vfsBytes("/d/sub"), context: fx.context)
        try await fx.vfs.unlink(vfsBytes("/d/g"), context: fx.context)
        #expect(drain(i) == [InotifyEvent(wd: wd, mask: M.IN_CREATE | M.IN_ISDIR, name: vfsBytes("sub")),
                             InotifyEvent(wd: wd, mask: M.IN_DELETE | M.IN_ISDIR, name: vfsBytes("sub")),
                             InotifyEvent(wd: wd, mask: M.IN_DELETE, name: vfsBytes("g"))])
        try notify.removeWatch(i, wd: wd)
        #expect(throws: Errno.EINVAL) { try notify.removeWatch(i, wd: wd) }
        #expect(drain(i) == [InotifyEvent(wd: wd, mask: M.IN_IGNORED)])
        #expect(notify.watches(of: i).isEmpty)
    }
}

/// Issue 13: an event, inotify_add_watch and inotify_rm_watch find the watch by the inode's identity
/// or the descriptor, not by a walk of every watched inode.
@Suite struct InotifyScaleTests {
    typealias M = InotifyMask

    @Test func lookupsDoNotFollowTheNumberOfWatches() async throws {
        let fx = VFSFixture()
        try await fx.mkdir("/many")
        let notify = FsNotify()
        let i = try notify.newInstance(uid: 4343)
        defer { notify.close(i) }
        var wds: [Int32] = []
        for n in 0..<3_000 {
            try await fx.mkdir("/many/d\(n)")
            let d = try await fx.vfs.resolve(vfsBytes("/many/d\(n)"), context: fx.context)
            wds.append(try notify.addWatch(i, on: d.inode, fileSystem: fx.tmpfs, mask: M.IN_DELETE_SELF | M.IN_ATTRIB))
        }
        let unwatched = try await fx.vfs.resolve(vfsBytes("/many"), context: fx.context)
        let last = try await fx.vfs.resolve(vfsBytes("/many/d2999"), context: fx.context)
        let before = notify.lookupSteps
        notify.fileEvent(unwatched.inode, M.IN_ATTRIB)                 // nobody watches it
        notify.fileEvent(last.inode, M.IN_ATTRIB)
        try notify.removeWatch(i, wd: wds[1_500])
        #expect(throws: Errno.EINVAL) { try notify.removeWatch(i, wd: wds[1_500]) }
        try notify.removeWatch(i, wd: wds[0])                          // the last entry moves into its place
        notify.selfEvent(last.inode, M.IN_DELETE_SELF)
        // About twenty lookups of a chain each (its length depends on where the inodes were allocated:
        // CI once saw 62); one walk of the watched inodes alone would be 3,000.
        #expect(notify.lookupSteps - before < 400)
        #expect(notify.watches(of: i).count == 2_997)
        let events = i.state.update { q in
            var out: [InotifyEvent] = []
            while let e = q.removeFirst() { out.append(e) }
            return out
        }
        #expect(events == [InotifyEvent(wd: wds[2_999], mask: M.IN_ATTRIB | M.IN_ISDIR),
                           InotifyEvent(wd: wds[1_500], mask: M.IN_IGNORED), InotifyEvent(wd: wds[0], mask: M.IN_IGNORED),
                           InotifyEvent(wd: wds[2_999], mask: M.IN_DELETE_SELF), InotifyEvent(wd: wds[2_999], mask: M.IN_IGNORED)])
        // Every remaining watch is still found after the moves.
        let d7 = try await fx.vfs.resolve(vfsBytes("/many/d7"), context: fx.context)
        notify.fileEvent(d7.inode, M.IN_ATTRIB)
        #expect(i.state.update { $0.removeFirst() } == InotifyEvent(wd: wds[7], mask: M.IN_ATTRIB | M.IN_ISDIR))
    }
}
