import Foundation
import Testing
@testable import LichenCore

/// ext4 written with its jbd2 journal under the commit step (Ext4JournalCommitter, ordered mode),
/// on mke2fs's default (journaled) ext4: the write workload judged by e2fsprogs, and crash safety:
/// the image a crash would leave at many barriers, replayed by Lichen (then e2fsck -fn clean)
/// and by the host's e2fsck -fy, keeps every file fsynced before the crash.
@Suite struct Ext4JournaledTests {
    static func incompat(_ image: [UInt8]) -> UInt32 {
        image.withUnsafeBytes { $0.le32(1024 + 0x60) }
    }

    @Test(arguments: ["ext4-j.img", "ext4-j-1k.img"]) func workload(image: String) async throws {
        try await Ext4WriteTests.workload(image: image)
    }

    @Test func needsRecoveryWhileMountedAndCleanAfterSync() async throws {
        let h = try await Ext4WriteHarness(image: "ext4-j-1k.img")
        #expect(Self.incompat(h.store.durable) & Ext4Superblock.incompatRecover != 0)
        try await h.mkdir("w")
        try await h.write("w/f", Ext4WriteTests.random(5000, seed: 3))
        // in the running transaction only: a crash now finds nothing of it
        let (before, _, _) = try await Jbd2Images.recover(h.store.durable)
        let old = try await Ext4Images.mount(before.image)
        await #expect(throws: Errno.ENOENT) { _ = try await Ext4Images.resolve(old, "w") }
        // fsync commits: a crash now replays the transaction (the home blocks may not be durable)
        try await h.fs.sync(file: try await h.node("w/f"))
        let (replayed, _, _) = try await Jbd2Images.recover(h.store.durable)
        let fs = try await Ext4Images.mount(replayed.image)
        #expect(try await Ext4Images.contents(try await Ext4Images.resolve(fs, "w/f")) == Ext4WriteTests.random(5000, seed: 3))
        let saved = try await h.saveImage()
        defer { try? FileManager.default.removeItem(atPath: saved) }
        #expect(Self.incompat(h.store.durable) & Ext4Superblock.incompatRecover == 0)
        try h.checkWithE2fsprogs(saved)
        // the next change makes the journal live again (before anything is logged)
        try await h.write("w/g", [1, 2, 3])
        #expect(Self.incompat(h.store.durable) & Ext4Superblock.incompatRecover != 0)
    }

    /// Blocks a crash image is judged at, and what each judgement found.
    final class CrashPoints: @unchecked Sendable {
        var syncs = 0
        var stride = 0
        var checked = 0
        /// Files whose fsync returned, with their contents (never changed afterwards).
        var fsynced: [String: [UInt8]] = [:]
        var pending: [([UInt8], [String: [UInt8]], Int)] = []
    }

    /// A block store that hands the durable image to `points` at every barrier it picks.
    final class CrashRecorder: BlockStore, @unchecked Sendable {
        let inner: MemoryBlockStore
        let points: CrashPoints
        init(_ inner: MemoryBlockStore, _ points: CrashPoints) { self.inner = inner; self.points = points }
        var blockSize: Int { inner.blockSize }
        var blockCount: UInt64 { inner.blockCount }
        func block(_ number: UInt64) async throws(Errno) -> [UInt8] { try await inner.block(number) }
        func write(_ number: UInt64, _ data: [UInt8]) async throws(Errno) { try await inner.write(number, data) }
        func sync() async throws(Errno) {
            try await inner.sync()
            points.syncs += 1
            if points.stride > 0 && points.syncs % points.stride == 0 {
                points.pending.append((inner.durable, points.fsynced, points.syncs))
                if points.pending.count >= 4 { await Ext4JournaledTests.judge(points) }
            }
        }
    }

    /// Creates, overwrites, renames and truncates files; fsyncs every third one (fs.sync(file:),
    /// or fs.sync) and records it once the call returned: every barrier after it must keep it. Fsynced files are never touched again.
    static func crashWorkload(_ h: Ext4WriteHarness, _ points: CrashPoints) async throws {
        try await h.mkdir("w")
        try await h.mkdir("w/d")
        for i in 0..<36 {
            let data = Ext4WriteTests.random(300 + (i * 7919) % 40_000, seed: UInt64(i + 1))
            let name = "w/" + (i % 2 == 0 ? "d/" : "") + "f\(i)"
            try await h.write(name, data, chunk: 5000)
            if i % 3 == 0 {
                // fsync (a commit of the running transaction), and now and then sync (a checkpoint)
                if i % 9 == 0 { try await h.fs.sync() } else { try await h.fs.sync(file: try await h.node(name)) }
                points.fsynced[name] = data
            } else if i % 3 == 1 {
                try await h.write("w/scratch\(i)", Ext4WriteTests.random(9000, seed: UInt64(i + 100)))
                try await h.truncate(name, 100)
                try await h.rename(name, "w/r\(i)")
            } else {
                // emptied rather than unlinked: an unlinked inode is freed in a later transaction
                // (no orphan list on disk yet), a crash in between leaves it to e2fsck
                try await h.truncate(name, 0)
                try await h.truncate("w/scratch\(i - 1)", 3)
                try await h.rename(name, "w/e\(i)")
            }
        }
        try await h.fs.sync()
    }

    /// Judges the pending crash images: Lichen's replay then e2fsck -fn clean with the fsynced files
    /// intact; the host's e2fsck -fy replay fixes nothing else and keeps them too.
    static func judge(_ points: CrashPoints) async {
        let pending = points.pending
        points.pending = []
        for (image, fsynced, at) in pending {
            points.checked += 1
            do {
                let (store, lines, _) = try await Jbd2Images.recover(image)
                var output = ""
                let (status, _) = Jbd2Images.e2fsprogs(["e2fsck", "-fn"], on: store.image, output: &output)
                #expect(status == 0, "crash at barrier \(at): Lichen replay \(lines), e2fsck -fn:\n\(output)")
                try await expectFiles(store.image, fsynced, "crash at barrier \(at), Lichen replay")
                var hostOutput = ""
                let (fixed, after) = Jbd2Images.e2fsprogs(["e2fsck", "-fy"], on: image, output: &hostOutput)
                #expect(fixed <= 1 && !hostOutput.contains("? yes"), "crash at barrier \(at): e2fsck -fy:\n\(hostOutput)")
                let (again, _) = Jbd2Images.e2fsprogs(["e2fsck", "-fn"], on: after, output: &output)
                #expect(again == 0, "crash at barrier \(at): after e2fsck -fy, e2fsck -fn:\n\(output)")
                try await expectFiles(after, fsynced, "crash at barrier \(at), e2fsck replay")
            } catch {
                Issue.record("crash at barrier \(at): \(error)")
            }
        }
    }

    static func expectFiles(_ image: [UInt8], _ files: [String: [UInt8]], _ what: String) async throws {
        let fs = try await Ext4Images.mount(image)
        for (path, data) in files {
            let got = try? await Ext4Images.contents(try await Ext4Images.resolve(fs, path))
            #expect(got == data, "\(what): \(path) has \(got?.count ?? -1) bytes, fsynced \(data.count)")
        }
    }

    @Test(arguments: ["ext4-j-1k.img", "ext4-j.img"]) func crashAtBarriers(image: String) async throws {
        // A first run counts the barriers, the second judges about 60 of them, evenly spread.
        let count = CrashPoints()
        let first = try await Ext4WriteHarness(image: image) { CrashRecorder($0, count) }
        try await Self.crashWorkload(first, count)
        let points = CrashPoints()
        points.stride = max(1, count.syncs / 60)
        let h = try await Ext4WriteHarness(image: image) { CrashRecorder($0, points) }
        try await Self.crashWorkload(h, points)
        await Self.judge(points)
        #expect(points.checked >= min(50, count.syncs), "\(points.checked) crash points of \(count.syncs) barriers")
        print("ext4 journaled crash test on \(image): \(points.checked) crash points of \(points.syncs) barriers")
        let saved = try await h.saveImage()
        defer { try? FileManager.default.removeItem(atPath: saved) }
        try h.checkWithE2fsprogs(saved)
    }
}
