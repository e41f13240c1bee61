import LichenCore
import _Concurrency

/// epoll_create1, epoll_ctl, epoll_pwait and epoll_pwait2 over `EpollInstance` (level-triggered;
/// see there for what differs from Linux). Waits sleep like ppoll, on the registered files' queues,
/// under the call's signal mask; a file added by another thread during a wait is seen at the next one.
enum EpollSyscalls {
    static let EPOLL_CLOEXEC: UInt64 = 0o2000000
    static let EPOLL_CTL_ADD: UInt64 = 1, EPOLL_CTL_DEL: UInt64 = 2, EPOLL_CTL_MOD: UInt64 = 3
    static let EPOLLEXCLUSIVE: UInt32 = 1 << 28, EPOLLET: UInt32 = 1 << 31
    private static let edgeTriggered = ReportOnce(count: 1)
    static let eventSize = 16                 // struct epoll_event on arm64: u32 events, 4 bytes padding, u64 data

    static func epoll_create1(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let flags = a[0]
        guard flags & ~EPOLL_CLOEXEC == 0 else { throw .EINVAL }
        let file = OpenFile(location: PipeFileSystem.shared.newLocation(nil), flags: .O_RDWR, operations: EpollInstance())
        return UInt64(try a.process.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) -> Int32 in
            try t.install(file, closeOnExec: flags & EPOLL_CLOEXEC != 0)
        })
    }

    /// epoll_ctl(epfd, op, fd, event).
    static func epoll_ctl(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let epfd = a.fd(0), op = a[1], fd = a.fd(2), event = a.address(3)
        let (epollFile, epoll) = try instance(a, epfd)
        let target = try a.process.file(fd)
        guard target !== epollFile, op >= EPOLL_CTL_ADD && op <= EPOLL_CTL_MOD else { throw .EINVAL }
        guard target.operations != nil else { throw .EPERM }     // regular files and directories: no poll, as Linux
        var events: UInt32 = 0, data: UInt64 = 0
        if op != EPOLL_CTL_DEL {
            events = try a.user.load(UInt32.self, from: event)
            data = try a.user.load(UInt64.self, from: event + 8)
            if op == EPOLL_CTL_MOD && events & EPOLLEXCLUSIVE != 0 { throw .EINVAL }
            // Edge-triggered reporting is not implemented: refused, not served level-triggered (a
            // program waiting for edges would be woken on every wait by a file that stays ready).
            if events & EPOLLET != 0 {
                if edgeTriggered.first(0) { KernelLog.warning("epoll_ctl: EPOLLET is not implemented yet: EINVAL") }
                throw .EINVAL
            }
        }
        if let error = epoll.control(op, .init(fd: fd, file: target.serial, events: events, data: data)) { throw error }
        return 0
    }

    /// epoll_pwait(epfd, events, maxevents, timeout in ms (negative: none), sigmask, sigsetsize).
    static func epoll_pwait(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let epfd = a.fd(0), events = a.address(1), maxEvents = Int(a.int32(2)), milliseconds = a.int32(3)
        let sigmask = a.address(4), sigsetSize = a[5]
        let ns: UInt64? = milliseconds < 0 ? nil : UInt64(milliseconds) * 1_000_000
        return try await wait(a, epfd, events: events, maxEvents: maxEvents, timeout: ns, sigmask: sigmask, sigsetSize: sigsetSize)
    }

    /// epoll_pwait2(epfd, events, maxevents, timeout (a timespec, NULL: none), sigmask, sigsetsize).
    /// The timeout is read before anything else is checked, as Linux.
    static func epoll_pwait2(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let epfd = a.fd(0), events = a.address(1), maxEvents = Int(a.int32(2)), timeout = a.address(3)
        let sigmask = a.address(4), sigsetSize = a[5]
        let ns = try PollSyscalls.timeout(a, timeout)
        return try await wait(a, epfd, events: events, maxEvents: maxEvents, timeout: ns, sigmask: sigmask, sigsetSize: sigsetSize)
    }

    static func instance(_ a: SyscallArguments, _ epfd: Int32) throws(Errno) -> (OpenFile, EpollInstance) {
        let file = try a.process.file(epfd)
        guard let epoll = file.operations as? EpollInstance else { throw .EINVAL }
        return (file, epoll)
    }

    static func wait(_ a: SyscallArguments, _ epfd: Int32, events: UserAddr, maxEvents max: Int, timeout ns: UInt64?,
                     sigmask: UserAddr, sigsetSize: UInt64) async throws(Errno) -> UInt64 {
        guard max > 0, max <= Int(Int32.max) / eventSize else { throw .EINVAL }
        guard events.rangeIsUser(count: max * eventSize) else { throw .EFAULT }
        let (_, epoll) = try instance(a, epfd)
        let mask = try Thread.userSignalMask(a, at: sigmask, size: sigsetSize)
        let process = a.process
        let first = epoll.scan(process, max: 1, report: false)
        if first.ready.isEmpty && ns != 0 {
            _ = try await PollSyscalls.sleep(a, first.files, timeout: ns, mask: mask) {
                !epoll.scan(process, max: 1, report: false).ready.isEmpty
            }
        }
        let ready = epoll.scan(process, max: max, report: true).ready
        for (i, r) in ready.enumerated() {
            let at = events + UInt64(i * eventSize)
            try a.user.store(UInt64(r.events), to: at)                // events and the padding
            try a.user.store(r.data, to: at + 8)
        }
        return UInt64(ready.count)
    }
}
