import LichenCore
import _Concurrency

/// msgget, msgsnd, msgrcv, msgctl on the message queues of IPCNamespace (LichenCore's
/// SysVMessageQueue holds the rules). Senders wait for room and receivers for a message on the
/// queue's WaitQueue; a signal ends the wait (restarted only without a handler: ERESTARTNOHAND).
enum MessageQueueSyscalls {
    static let messageHeader = UInt64(MemoryLayout<Int64>.size)

    static func msgget(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let key = a.int32(0), flags = a.uint32(1)
        let credentials = a.credentials
        return try IPCNamespace.locked { (s: inout SysVIPCState) throws(Errno) -> UInt64 in
            if let found = try s.queues.get(key: key, flags: flags, credentials: credentials, moreChecks: { (_) throws(Errno) in }) {
                return UInt64(s.queues.id(of: found))
            }
            let queue = SysVMessageQueue(permissions: IPCPermissions(key: key, mode: flags, creator: credentials),
                                         limit: s.limits.msgmnb, now: IPCNamespace.now)
            return UInt64(try s.queues.add(queue, limit: s.limits.msgmni))
        }
    }

    static func msgsnd(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let id = a.int32(0), message = a.address(1), size = a[2], flags = a.uint32(3)
        let type = try a.user.load(Int64.self, from: message)
        let maximum = IPCNamespace.locked { $0.limits.msgmax }
        guard size <= UInt64(maximum), id >= 0 else { throw .EINVAL }
        guard type >= 1 else { throw .EINVAL }
        guard PhysicalMemory.hasRoomForUser(contiguousBytes: Int(size) + 64) else { throw .ENOMEM }
        let text = size == 0 ? [] : try a.user.bytes(at: message + messageHeader, count: Int(size))
        let credentials = a.credentials, pid = a.process.pid
        let queue = try IPCNamespace.locked { (s: inout SysVIPCState) throws(Errno) in try s.queues.object(id: id) }
        var failure: Errno? = nil
        let attempt = { () -> Bool in
            IPCNamespace.locked { _ in
                if !queue.permissions.permits(SysVIPC.writeBits, credentials) { failure = .EACCES; return true }
                if queue.removed { failure = .EIDRM; return true }
                if queue.fits(text.count) {
                    queue.send(type: type, text: text, pid: pid, now: IPCNamespace.now)
                    return true
                }
                if flags & SysVIPC.IPC_NOWAIT != 0 { failure = .EAGAIN; return true }
                return false
            }
        }
        do throws(WaitError) { try await queue.waiters.wait(until: attempt) } catch { throw .EINTR }
        if let failure { throw failure }
        queue.waiters.wakeAll()
        return 0
    }

    static func msgrcv(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let id = a.int32(0), message = a.address(1), size = a.int(2), type = a.int(3), flags = a.uint32(4)
        guard id >= 0, size >= 0 else { throw .EINVAL }
        let copying = flags & SysVMessageQueue.MSG_COPY != 0
        if copying && (flags & SysVMessageQueue.MSG_EXCEPT != 0 || flags & SysVIPC.IPC_NOWAIT == 0) { throw .EINVAL }
        let selection = SysVMessageQueue.Selection(type: type, flags: flags)
        let credentials = a.credentials, pid = a.process.pid
        let queue = try IPCNamespace.locked { (s: inout SysVIPCState) throws(Errno) in try s.queues.object(id: id) }
        var failure: Errno? = nil
        var received: (type: Int64, text: [UInt8])? = nil
        let attempt = { () -> Bool in
            IPCNamespace.locked { _ in
                if !queue.permissions.permits(SysVIPC.readBits, credentials) { failure = .EACCES; return true }
                if queue.removed { failure = .EIDRM; return true }
                if let index = queue.find(selection) {
                    let found = queue.messages[index]
                    if Int64(found.text.count) > size && flags & SysVMessageQueue.MSG_NOERROR == 0 { failure = .E2BIG; return true }
                    if copying {
                        if Int64(found.text.count) > size { failure = .EINVAL; return true }
                        received = found
                    } else {
                        received = queue.take(index, pid: pid, now: IPCNamespace.now)
                    }
                    return true
                }
                if flags & SysVIPC.IPC_NOWAIT != 0 { failure = .ENOMSG; return true }
                return false
            }
        }
        do throws(WaitError) { try await queue.waiters.wait(until: attempt) } catch { throw .EINTR }
        if let failure { throw failure }
        guard let received else { throw .EINTR }
        if !copying { queue.waiters.wakeAll() }                // room for the senders
        let count = min(received.text.count, Int(size))
        try a.user.store(received.type, to: message)
        if count > 0 { try a.user.store(bytes: Array(received.text.prefix(count)), to: message + messageHeader) }
        return UInt64(count)
    }

    static func msgctl(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let id = a.int32(0), command = a.int32(1), pointer = a.address(2)
        let credentials = a.credentials
        guard id >= 0, command >= 0 else { throw .EINVAL }
        switch command {
        case SysVIPC.IPC_INFO, SysVMessageQueue.MSG_INFO:
            let (info, highest) = IPCNamespace.locked { s -> (LinuxMsginfo, Int) in
                var info = s.limits.msginfo
                if command == SysVMessageQueue.MSG_INFO {
                    let all = s.queues.all
                    info.msgpool = Int32(all.count)
                    info.msgmap = Int32(clamping: all.reduce(0) { $0 + $1.object.messages.count })
                    info.msgtql = Int32(clamping: all.reduce(0) { $0 + $1.object.bytes })
                }
                return (info, s.queues.highestIndex)
            }
            try a.user.store(info, to: pointer)
            return UInt64(max(highest, 0))
        case SysVIPC.IPC_STAT, SysVMessageQueue.MSG_STAT, SysVMessageQueue.MSG_STAT_ANY:
            let (stat, result) = try IPCNamespace.locked { (s: inout SysVIPCState) throws(Errno) -> (LinuxMsqid64DS, Int32) in
                let (queue, result) = try s.queues.objectToStat(id, byIndex: command != SysVIPC.IPC_STAT,
                                                                checkRead: command != SysVMessageQueue.MSG_STAT_ANY, credentials)
                return (queue.stat(), result)
            }
            try a.user.store(stat, to: pointer)
            return UInt64(result)
        case SysVIPC.IPC_SET, SysVIPC.IPC_RMID:
            let wanted = command == SysVIPC.IPC_SET ? try a.user.load(LinuxMsqid64DS.self, from: pointer) : LinuxMsqid64DS()
            let queue = try IPCNamespace.locked { (s: inout SysVIPCState) throws(Errno) -> SysVMessageQueue in
                let queue = try s.queues.object(id: id)
                try queue.permissions.checkControl(credentials)
                if command == SysVIPC.IPC_SET {
                    if wanted.msg_qbytes > UInt64(s.limits.msgmnb) && !credentials.has(.CAP_SYS_RESOURCE) { throw .EPERM }
                    queue.limit = Int(clamping: wanted.msg_qbytes)
                    queue.permissions.set(from: wanted.msg_perm)
                    queue.ctime = IPCNamespace.now
                } else {
                    queue.removed = true
                    s.queues.remove(queue)
                }
                return queue
            }
            queue.waiters.wakeAll()
            return 0
        default:
            throw .EINVAL
        }
    }
}
