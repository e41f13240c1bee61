import LichenCore
import _Concurrency

/// mq_open, mq_unlink, mq_timedsend, mq_timedreceive, mq_notify and mq_getsetattr (Linux's
/// ipc/mqueue.c, in its order of checks). glibc strips the name's leading slash before the call.
/// Blocked senders and receivers sleep on the queue's WaitQueue until an absolute CLOCK_REALTIME
/// deadline (ETIMEDOUT); a signal ends the wait (restarted with SA_RESTART, as Linux's ERESTARTSYS).
enum PosixMessageQueueSyscalls {
    static let NOTIFY_COOKIE_LEN = LinuxNetlink.NOTIFY_COOKIE_LEN

    static func mq_open(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let nameAddress = a.address(0), flags = OpenFlags(rawValue: a.uint32(1)), mode = a.uint32(2), attrAddress = a.address(3)
        let attributes = attrAddress.value == 0 ? nil : try a.user.load(LinuxMqAttr.self, from: attrAddress)
        let name = try a.user.string(at: nameAddress)
        if name.isEmpty { throw .ENOENT }                      // getname
        try PosixMessageQueueName.check(name)
        let p = a.process
        let byteLimit = p.limits.withLock { $0[LinuxResource.RLIMIT_MSGQUEUE].rlim_cur }
        let creationMode = mode & 0o7777 & ~p.fs.umask
        let (queue, created) = try PosixMessageQueues.open(name, flags: flags, mode: creationMode, attributes: attributes,
                                                         credentials: a.credentials, byteLimit: byteLimit)
        let file = OpenFile(location: Location(mount: MqueueFileSystem.shared.internalMount, inode: queue),
                            flags: flags.intersection([.O_ACCMODE, .O_NONBLOCK]), operations: MessageQueueFile(queue))
        do throws(Errno) {
            // Linux's descriptors from mq_open are always close-on-exec.
            return UInt64(try p.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) -> Int32 in
                try t.install(file, closeOnExec: true)
            })
        } catch {
            if created { try? PosixMessageQueues.remove(name) }
            throw error
        }
    }

    static func mq_unlink(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let name = try a.userPath(0)
        if name.isEmpty { throw .ENOENT }
        try PosixMessageQueueName.check(name)
        guard let queue = PosixMessageQueues.find(name) else { throw .ENOENT }
        // may_delete in the sticky 01777 root: the owner of the queue (or CAP_FOWNER) removes it.
        let credentials = a.credentials
        try credentials.check([.write, .execute], MqueueFileSystem.shared.directory.metadata)
        if !credentials.has(.CAP_FOWNER) && credentials.fsuid != queue.metadata.uid && credentials.fsuid != 0 { throw .EPERM }
        try PosixMessageQueues.remove(name)
        return 0
    }

    /// The queue behind a descriptor: EBADF for a bad one or another kind of file.
    static func queueFile(_ a: SyscallArguments, _ fd: Int32) throws(Errno) -> (OpenFile, MessageQueueInode) {
        let file = try a.process.file(fd)
        guard let queue = (file.operations as? MessageQueueFile)?.queue else { throw .EBADF }
        return (file, queue)
    }

    /// prepare_timeout: EFAULT, or EINVAL for an invalid timespec, whether or not the call would block.
    static func deadline(_ a: SyscallArguments, _ address: UserAddr) throws(Errno) -> WaitTimeout? {
        guard address.value != 0 else { return nil }
        let t = try a.user.load(LinuxTimespec.self, from: address)
        guard t.tv_sec >= 0, t.tv_nsec >= 0, t.tv_nsec < 1_000_000_000 else { throw .EINVAL }
        let (whole, overflow) = UInt64(t.tv_sec).multipliedReportingOverflow(by: 1_000_000_000)
        let ns = overflow ? UInt64.max : whole.addingReportingOverflow(UInt64(t.tv_nsec)).partialValue
        return .at(.realtime(nanoseconds: ns))
    }

    static func mq_timedsend(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), message = a.address(1), length = a[2], priority = a.uint32(3), timeoutAddress = a.address(4)
        guard priority < PosixMessageQueue.priorityLimit else { throw .EINVAL }
        let timeout = try deadline(a, timeoutAddress)
        let (file, queue) = try queueFile(a, fd)
        guard file.flags.allowsWrite else { throw .EBADF }
        let size = queue.state.withLock { $0.messageSize }
        guard length <= UInt64(size) else { throw .EMSGSIZE }
        let text = length == 0 ? [] : try a.user.bytes(at: message, count: Int(length))
        var notification: PosixMessageQueue.Notification? = nil
        let attempt = { () -> Bool in
            queue.state.withLock { s in
                if s.isFull { return false }
                notification = s.send(text, priority: priority)
                return true
            }
        }
        if file.isNonBlocking {
            guard attempt() else { throw .EAGAIN }
        } else {
            do throws(WaitError) { try await queue.waiters.wait(until: attempt, timeout: timeout) } catch {
                throw error == .timedOut ? .ETIMEDOUT : .EINTR
            }
        }
        queue.changed()
        if let notification { deliver(notification, from: a.process) }
        return 0
    }

    /// __do_notify's SIGEV_SIGNAL: si_code SI_MESGQ, the sender's pid and real uid, the value
    /// registered (signal 0 sends nothing; SIGEV_NONE only ends the registration).
    static func deliver(_ n: PosixMessageQueue.Notification, from sender: Process) {
        if n.kind == LinuxSigevent.SIGEV_THREAD, let socket = n.sink?.object as? NetlinkSocket {
            socket.deliver(NetlinkRoute.notificationCookie(n.cookie, reason: LinuxNetlink.NOTIFY_WOKENUP), from: 0)
            return
        }
        guard n.kind == LinuxSigevent.SIGEV_SIGNAL, n.signal != 0, let owner = Processes.process(n.owner) else { return }
        ProcessSignals.send(LinuxSigInfo.queued(signo: n.signal, code: LinuxSigInfo.SI_MESGQ, pid: sender.pid,
                                                uid: sender.credentials.uid, value: n.value), to: owner)
    }

    static func mq_timedreceive(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), message = a.address(1), length = a[2], priorityAddress = a.address(3), timeoutAddress = a.address(4)
        let timeout = try deadline(a, timeoutAddress)
        let (file, queue) = try queueFile(a, fd)
        guard file.flags.allowsRead else { throw .EBADF }
        let size = queue.state.withLock { $0.messageSize }
        guard length >= UInt64(size) else { throw .EMSGSIZE }
        var received = queue.state.withLock { $0.receive() }
        if received == nil {
            if file.isNonBlocking { throw .EAGAIN }
            queue.state.withLock { $0.waitingReceivers += 1 }
            var failure: WaitError? = nil
            do throws(WaitError) {
                try await queue.waiters.wait(until: {
                    received = queue.state.withLock { $0.receive() }
                    return received != nil
                }, timeout: timeout)
            } catch {
                failure = error
            }
            queue.state.withLock { $0.waitingReceivers -= 1 }
            if let failure { throw failure == .timedOut ? .ETIMEDOUT : .EINTR }
        }
        guard let received else { throw .EINTR }
        queue.changed()                                         // room for the senders
        if priorityAddress.value != 0 { try a.user.store(received.priority, to: priorityAddress) }
        if !received.text.isEmpty { try a.user.store(bytes: received.text, to: message) }
        return UInt64(received.text.count)
    }

    static func mq_notify(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let fd = a.fd(0), eventAddress = a.address(1)
        let event = eventAddress.value == 0 ? nil : try a.user.load(LinuxSigevent.self, from: eventAddress)
        var cookie: [UInt8] = []
        var sink: PosixMessageQueue.Sink? = nil
        if let event {
            let kind = event.sigev_notify
            guard kind == LinuxSigevent.SIGEV_NONE || kind == LinuxSigevent.SIGEV_SIGNAL || kind == LinuxSigevent.SIGEV_THREAD else {
                throw .EINVAL
            }
            if kind == LinuxSigevent.SIGEV_SIGNAL && UInt32(bitPattern: event.sigev_signo) > 64 { throw .EINVAL }
            if kind == LinuxSigevent.SIGEV_THREAD {
                // The cookie goes to the netlink socket sigev_signo names (glibc's helper thread
                // reads it there): copied first, then the descriptor checked, as Linux.
                cookie = try a.user.bytes(at: UserAddr(event.sigev_value), count: NOTIFY_COOKIE_LEN)
                let file = try a.process.file(event.sigev_signo)
                guard let socket = (file.operations as? SocketFile)?.socket else { throw .ENOTSOCK }
                guard let netlink = socket as? NetlinkSocket else { throw .EINVAL }
                sink = PosixMessageQueue.Sink(netlink)
            }
        }
        let (_, queue) = try queueFile(a, fd)
        let pid = a.process.pid
        let removed = try queue.state.withLock { (s: inout PosixMessageQueue) throws(Errno) -> PosixMessageQueue.Notification? in
            guard let event else {
                guard let n = s.notification, n.owner == pid else { return nil }
                s.notification = nil
                return n
            }
            // A registration whose process is gone is vacant (its exit removed what it could).
            if let owner = s.notification?.owner, Processes.process(owner) != nil { throw .EBUSY }
            let old = s.notification
            var n = PosixMessageQueue.Notification(kind: event.sigev_notify, signal: event.sigev_signo,
                                                   value: event.sigev_value, owner: pid)
            n.sink = sink
            n.cookie = cookie
            s.notification = n
            return old
        }
        if let removed { notifyRemoved(removed) }
        return 0
    }

    /// remove_notification: a SIGEV_THREAD registration's socket hears that it ended (NOTIFY_REMOVED).
    static func notifyRemoved(_ n: PosixMessageQueue.Notification) {
        guard n.kind == LinuxSigevent.SIGEV_THREAD, let socket = n.sink?.object as? NetlinkSocket else { return }
        socket.deliver(NetlinkRoute.notificationCookie(n.cookie, reason: LinuxNetlink.NOTIFY_REMOVED), from: 0)
    }

    static func mq_getsetattr(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let fd = a.fd(0), newAddress = a.address(1), oldAddress = a.address(2)
        let new = newAddress.value == 0 ? nil : try a.user.load(LinuxMqAttr.self, from: newAddress)
        if let new, new.mq_flags & ~Int64(OpenFlags.O_NONBLOCK.rawValue) != 0 { throw .EINVAL }
        let (file, queue) = try queueFile(a, fd)
        let old = queue.state.withLock { $0.attributes(nonBlocking: file.isNonBlocking) }
        if let new { file.setNonBlocking(new.mq_flags != 0) }
        if oldAddress.value != 0 { try a.user.store(old, to: oldAddress) }
        return 0
    }
}
