import Testing
@testable import LichenCore

private final class Thing: IPCObject {
    var permissions: IPCPermissions
    init(key: Int32, mode: UInt32 = 0o600, owner: Credentials = .root) {
        permissions = IPCPermissions(key: key, mode: mode, creator: owner)
    }
}

@Suite struct SysVIPCTests {
    let user = Credentials(uid: 1000, gid: 1000)
    let other = Credentials(uid: 1001, gid: 1001)

    @Test func idsAreIndexPlusSequence() throws {
        var table = IPCIdTable<Thing>()
        let a = Thing(key: 5), b = Thing(key: 6)
        #expect(try table.add(a, limit: 10) == 0)
        #expect(try table.add(b, limit: 10) == 1)
        table.remove(a)
        let c = Thing(key: 7)
        #expect(try table.add(c, limit: 10) == 2)            // cyclic: index 2, not 0
        #expect(try table.object(id: 2) === c)
        #expect(throws: Errno.EINVAL) { try table.object(id: 0) }
        #expect(throws: Errno.EINVAL) { try table.object(id: -1) }
        #expect(throws: Errno.ENOSPC) { try table.add(Thing(key: 8), limit: 2) }
        #expect(table.highestIndex == 2)
    }

    @Test func wrappingBumpsTheSequence() throws {
        var table = IPCIdTable<Thing>()
        let a = Thing(key: 1)
        _ = try table.add(a, limit: 10)
        table.remove(a)
        // The index after 0 is 1 (no wrap): still sequence 0.
        let b = Thing(key: 1)
        #expect(try table.add(b, limit: 10) == 1)
        #expect(table.id(of: b) == 1)
    }

    @Test func getFollowsIpcgetOrder() throws {
        var table = IPCIdTable<Thing>()
        let a = Thing(key: 42, mode: 0o600, owner: user)
        _ = try table.add(a, limit: 10)
        let none: (Thing) throws(Errno) -> Void = { _ throws(Errno) in }
        #expect(try table.get(key: 42, flags: 0, credentials: user, moreChecks: none) === a)
        #expect(try table.get(key: 0, flags: 0, credentials: user, moreChecks: none) == nil)
        #expect(try table.get(key: 43, flags: SysVIPC.IPC_CREAT, credentials: user, moreChecks: none) == nil)
        #expect(throws: Errno.ENOENT) { try table.get(key: 43, flags: 0, credentials: user, moreChecks: none) }
        #expect(throws: Errno.EEXIST) {
            try table.get(key: 42, flags: SysVIPC.IPC_CREAT | SysVIPC.IPC_EXCL, credentials: user, moreChecks: none)
        }
        #expect(throws: Errno.EACCES) { try table.get(key: 42, flags: 0o400, credentials: other, moreChecks: none) }
        #expect(try table.get(key: 42, flags: 0, credentials: other, moreChecks: none) === a)
        #expect(throws: Errno.EINVAL) {
            try table.get(key: 42, flags: 0o400, credentials: other, moreChecks: { _ throws(Errno) in throw .EINVAL })
        }
    }

    @Test func permissionsAndControl() {
        let p = IPCPermissions(key: 1, mode: 0o640, creator: user)
        #expect(p.permits(0o600, user))
        #expect(!p.permits(0o400, other))
        var groupMate = other
        groupMate.groups = [1000]
        #expect(p.permits(0o040, groupMate))
        #expect(!p.permits(0o020, groupMate))
        #expect(p.permits(0o777, .root))                      // CAP_IPC_OWNER
        #expect(throws: Errno.EPERM) { try p.checkControl(other) }
        #expect(throws: Never.self) { try p.checkControl(.root) }
    }

    @Test func semopIsAllOrNothing() throws {
        let set = SemaphoreSet(permissions: IPCPermissions(key: 1, mode: 0o600, creator: user), count: 2, now: 0)
        #expect(try set.apply([LinuxSembuf(sem_num: 0, sem_op: 2, sem_flg: 0)], tgid: 7, now: 1) == .done)
        let blocked = try set.apply([LinuxSembuf(sem_num: 0, sem_op: -1, sem_flg: 0),
                                     LinuxSembuf(sem_num: 1, sem_op: -1, sem_flg: 0)], tgid: 8, now: 2)
        #expect(blocked == .blocks(semaphore: 1, zero: false))
        #expect(set.values == [2, 0])
        #expect(throws: Errno.EAGAIN) {
            try set.apply([LinuxSembuf(sem_num: 0, sem_op: 0, sem_flg: Int16(SysVIPC.IPC_NOWAIT))], tgid: 8, now: 2)
        }
        #expect(throws: Errno.ERANGE) { try set.apply([LinuxSembuf(sem_num: 1, sem_op: 32767, sem_flg: 0),
                                                        LinuxSembuf(sem_num: 1, sem_op: 1, sem_flg: 0)], tgid: 8, now: 2) }
        #expect(set.pids == [7, 0])
    }

    @Test func undoAtExit() throws {
        let set = SemaphoreSet(permissions: IPCPermissions(key: 1, mode: 0o600, creator: user), count: 1, now: 0)
        set.setValue(0, 1, tgid: 1, now: 0)
        _ = try set.apply([LinuxSembuf(sem_num: 0, sem_op: -1, sem_flg: SemaphoreSet.SEM_UNDO)], tgid: 9, now: 1)
        #expect(set.values == [0])
        #expect(set.undo(tgid: 9))
        #expect(set.values == [1])
        #expect(!set.undo(tgid: 9))
        _ = try set.apply([LinuxSembuf(sem_num: 0, sem_op: 5, sem_flg: SemaphoreSet.SEM_UNDO)], tgid: 9, now: 1)
        set.setValue(0, 2, tgid: 1, now: 0)                   // SETVAL forgets the adjustment
        _ = set.undo(tgid: 9)
        #expect(set.values == [2])
    }

    @Test func waitersAreCounted() {
        let set = SemaphoreSet(permissions: IPCPermissions(key: 1, mode: 0o600, creator: user), count: 1, now: 0)
        set.setBlocked(1, .blocks(semaphore: 0, zero: false))
        set.setBlocked(2, .blocks(semaphore: 0, zero: true))
        #expect(set.waiting(0, zero: false) == 1 && set.waiting(0, zero: true) == 1)
        set.setBlocked(1, nil)
        #expect(set.waiting(0, zero: false) == 0)
    }

    @Test func messageSelection() {
        let q = SysVMessageQueue(permissions: IPCPermissions(key: 1, mode: 0o600, creator: user), limit: 16384, now: 0)
        for t: Int64 in [3, 1, 2, 1] { q.send(type: t, text: [UInt8(t)], pid: 1, now: 0) }
        #expect(q.find(.init(type: 0, flags: 0)) == 0)
        #expect(q.find(.init(type: 2, flags: 0)) == 2)
        #expect(q.find(.init(type: 3, flags: SysVMessageQueue.MSG_EXCEPT)) == 1)
        #expect(q.find(.init(type: -2, flags: 0)) == 1)
        #expect(q.find(.init(type: 5, flags: 0)) == nil)
        #expect(q.find(.init(type: 3, flags: SysVMessageQueue.MSG_COPY)) == 3)
        #expect(q.find(.init(type: Int64.min, flags: 0)) == 1)
        let m = q.take(1, pid: 2, now: 1)
        #expect(m.type == 1 && q.bytes == 3 && q.stat().msg_qnum == 3)
    }

    @Test func queueRoomCountsMessagesToo() {
        let q = SysVMessageQueue(permissions: IPCPermissions(key: 1, mode: 0o600, creator: user), limit: 2, now: 0)
        #expect(q.fits(0))
        q.send(type: 1, text: [], pid: 1, now: 0)
        q.send(type: 1, text: [], pid: 1, now: 0)
        #expect(!q.fits(0))
    }
}
