import LichenCore
import _Concurrency

/// epoll_create1, epoll_ctl, epoll_pwait and epoll_pwait2 over `EpollInstance`: level- and
/// edge-triggered, EPOLLONESHOT, EPOLLRDHUP (files that report it: sockets), epoll inside epoll.
/// EPOLLEXCLUSIVE is checked as Linux and accepted, but every epoll watching the file is woken (no
/// thundering-herd avoidance: more wake-ups, the same reports). EPOLLWAKEUP is dropped, as Linux
/// does without CAP_BLOCK_SUSPEND (there is no autosleep here).
enum EpollSyscalls {
    static let EPOLL_CLOEXEC: UInt64 = 0o2000000
    static let EPOLL_CTL_ADD: UInt64 = 1, EPOLL_CTL_DEL: UInt64 = 2, EPOLL_CTL_MOD: UInt64 = 3
    /// What an EPOLLEXCLUSIVE entry may ask for besides (Linux's EPOLLEXCLUSIVE_OK_BITS).
    static let exclusiveOK: UInt32 = 0x1 | 0x4 | 0x8 | 0x10 | EpollInterestList.privateBits & ~EpollInterestList.EPOLLONESHOT
    static let eventSize = MemoryLayout<EpollReport>.stride   // struct epoll_event on arm64: 16 bytes

    static func epoll_create1(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let flags = a[0]
        guard flags & ~EPOLL_CLOEXEC == 0 else { throw .EINVAL }
        let file = OpenFile(location: PipeFileSystem.shared.newLocation(nil), flags: .O_RDWR, operations: EpollInstance())
        return UInt64(try a.process.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) -> Int32 in
            try t.install(file, closeOnExec: flags & EPOLL_CLOEXEC != 0)
        })
    }

    /// epoll_ctl(epfd, op, fd, event), its checks in Linux's order.
    static func epoll_ctl(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let epfd = a.fd(0), op = a[1], fd = a.fd(2), event = a.address(3)
        var events: UInt32 = 0, data: UInt64 = 0
        if op != EPOLL_CTL_DEL {                                  // copied first, whatever the op
            events = try a.user.load(UInt32.self, from: event)
            data = try a.user.load(UInt64.self, from: event + 8)
        }
        let epollFile = try a.process.file(epfd)
        let target = try a.process.file(fd)
        guard target.operations != nil else { throw .EPERM }     // regular files and directories: no poll, as Linux
        events &= ~EpollInterestList.EPOLLWAKEUP
        guard target !== epollFile, let epoll = epollFile.operations as? EpollInstance else { throw .EINVAL }
        let nested = target.operations as? EpollInstance
        if op != EPOLL_CTL_DEL && events & EpollInterestList.EPOLLEXCLUSIVE != 0 {
            if op == EPOLL_CTL_MOD { throw .EINVAL }
            if op == EPOLL_CTL_ADD && (nested != nil || events & ~exclusiveOK != 0) { throw .EINVAL }
        }
        let list = epoll.list
        if op == EPOLL_CTL_ADD, let nested, list.wouldLoop(adding: nested.list) { throw .ELOOP }
        let error: Errno?
        switch op {
        case EPOLL_CTL_ADD:
            let entry = ProcessEpollInterest(in: list, fd: fd, file: target, events: events, data: data, files: a.process.files)
            error = list.add(entry, queue: target.pollQueue)
        case EPOLL_CTL_DEL: error = list.delete(fd, target.serial)
        case EPOLL_CTL_MOD: error = list.modify(fd, target.serial, events: events, data: data)
        default: error = .EINVAL
        }
        if let error { throw error }
        return 0
    }

    /// epoll_pwait(epfd, events, maxevents, timeout in ms (negative: none), sigmask, sigsetsize).
    static func epoll_pwait(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        try await wait(a, try prepare(a, timeout: pwaitTimeout(a)))
    }

    /// epoll_pwait2(epfd, events, maxevents, timeout (a timespec, NULL: none), sigmask, sigsetsize).
    /// The timeout is read before anything else is checked, as Linux.
    static func epoll_pwait2(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        try await wait(a, try prepare(a, timeout: PollSyscalls.timeout(a, a.address(3))))
    }

    /// The instant attempts: what is ready now, or a zero timeout's 0, with no async frame (the
    /// benchmarks' epoll_wait rows). Nil when the call must sleep: the sleeping handler then runs
    /// it from the start (the entries this harvest found not ready left the ready list, as its own
    /// harvest would have made them).
    static func epoll_pwaitNow(_ a: SyscallArguments) throws(Errno) -> UInt64? {
        try waitNow(a, try prepare(a, timeout: pwaitTimeout(a)))
    }

    static func epoll_pwait2Now(_ a: SyscallArguments) throws(Errno) -> UInt64? {
        try waitNow(a, try prepare(a, timeout: PollSyscalls.timeout(a, a.address(3))))
    }

    private static func pwaitTimeout(_ a: SyscallArguments) -> UInt64? {
        let milliseconds = a.int32(3)
        return milliseconds < 0 ? nil : UInt64(milliseconds) * 1_000_000
    }

    static func instance(_ a: SyscallArguments, _ epfd: Int32) throws(Errno) -> (OpenFile, EpollInstance) {
        let file = try a.process.file(epfd)
        guard let epoll = file.operations as? EpollInstance else { throw .EINVAL }
        return (file, epoll)
    }

    /// A wait's arguments, checked in Linux's order (maxevents, the buffer, the descriptor, the mask).
    struct Wait {
        let list: EpollInterestList
        let events: UserAddr
        let maxEvents: Int
        let timeout: UInt64?
        let mask: SignalSet?
    }

    static func prepare(_ a: SyscallArguments, timeout: UInt64?) throws(Errno) -> Wait {
        let epfd = a.fd(0), events = a.address(1), max = Int(a.int32(2))
        guard max > 0, max <= Int(Int32.max) / eventSize else { throw .EINVAL }
        guard events.rangeIsUser(count: max * eventSize) else { throw .EFAULT }
        let (_, epoll) = try instance(a, epfd)
        let mask = try Thread.userSignalMask(a, at: a.address(4), size: a[5])
        return Wait(list: epoll.list, events: events, maxEvents: max, timeout: timeout, mask: mask)
    }

    private static func waitNow(_ a: SyscallArguments, _ w: Wait) throws(Errno) -> UInt64? {
        let ready = w.list.harvest(max: w.maxEvents, poll: EpollInstance.currentEvents)
        if ready.isEmpty { return w.timeout == 0 ? 0 : nil }
        return try copyOut(a, ready, to: w.events)
    }

    /// Harvests the ready list; while it yields nothing, sleeps until an entry is queued again.
    static func wait(_ a: SyscallArguments, _ w: Wait) async throws(Errno) -> UInt64 {
        let list = w.list
        let deadline = w.timeout.map { Deadline.after(nanoseconds: $0) }
        var ready = list.harvest(max: w.maxEvents, poll: EpollInstance.currentEvents)
        if ready.isEmpty && w.timeout != 0 {
            try await a.thread.withTemporarySignalMask(w.mask) { () async throws(Errno) -> Void in
                while ready.isEmpty {
                    do throws(WaitError) {
                        try await list.waitQueue.wait(until: { list.hasQueued }, timeout: deadline.map { WaitTimeout.at($0) })
                    } catch {
                        if error == .timedOut { return }
                        throw .EINTR
                    }
                    ready = list.harvest(max: w.maxEvents, poll: EpollInstance.currentEvents)
                }
            }
        }
        guard !ready.isEmpty else { return 0 }
        return try copyOut(a, ready, to: w.events)
    }

    /// One copy out for all of them: the reports have struct epoll_event's layout.
    private static func copyOut(_ a: SyscallArguments, _ ready: [EpollReport], to events: UserAddr) throws(Errno) -> UInt64 {
        let failed = ready.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Errno? in
            do throws(Errno) { try a.user.write(bytes, to: events) } catch { return error }
            return nil
        }
        if let failed { throw failed }
        return UInt64(ready.count)
    }
}
