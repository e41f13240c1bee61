import LichenCore
import _Concurrency

/// epoll_create1, epoll_ctl, epoll_pwait and epoll_pwait2 over `EpollInstance` (level-triggered;
/// see there for what differs from Linux). Waits sleep like ppoll, on the registered files' queues,
/// under the call's signal mask; a file added by another thread during a wait is seen at the next one.
enum EpollSyscalls {
    static let EPOLL_CLOEXEC: UInt64 = 0o2000000
    static let EPOLLEXCLUSIVE: UInt32 = 1 << 28, EPOLLET: UInt32 = 1 << 31
    private static let edgeTriggered = ReportOnce(count: 1)
    static let eventSize = 16                 // struct epoll_event on arm64: u32 events, 4 bytes padding, u64 data

    static func handle(_ number: UInt64, _ a: SyscallArguments) async throws(Errno) -> UInt64? {
        switch number {
        case 20:                                                       // epoll_create1
            guard a[0] & ~EPOLL_CLOEXEC == 0 else { throw .EINVAL }
            let file = OpenFile(location: PipeFileSystem.shared.newLocation(nil), flags: .O_RDWR, operations: EpollInstance())
            return UInt64(try a.process.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) -> Int32 in
                try t.install(file, closeOnExec: a[0] & EPOLL_CLOEXEC != 0)
            })
        case 21: return try control(a)
        case 22: return try await wait(a, timeout: a.int32(3) < 0 ? nil : UInt64(a.int32(3)) * 1_000_000)
        case 441: return try await wait(a, timeout: try PollSyscalls.timeout(a, a.address(3)))
        default: return nil
        }
    }

    static func instance(_ a: SyscallArguments) throws(Errno) -> (OpenFile, EpollInstance) {
        let file = try a.process.file(a.fd(0))
        guard let epoll = file.operations as? EpollInstance else { throw .EINVAL }
        return (file, epoll)
    }

    static func control(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let (epollFile, epoll) = try instance(a)
        let op = a[1], fd = a.fd(2)
        let target = try a.process.file(fd)
        guard target !== epollFile, op >= 1 && op <= 3 else { throw .EINVAL }
        guard target.operations != nil else { throw .EPERM }     // regular files and directories: no poll, as Linux
        var events: UInt32 = 0, data: UInt64 = 0
        if op != 2 {
            events = try a.user.load(UInt32.self, from: a.address(3))
            data = try a.user.load(UInt64.self, from: a.address(3) + 8)
            if op == 3 && events & EPOLLEXCLUSIVE != 0 { throw .EINVAL }
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

    static func wait(_ a: SyscallArguments, timeout ns: UInt64?) async throws(Errno) -> UInt64 {
        let max = Int(a.int32(2))
        guard max > 0, max <= Int(Int32.max) / eventSize else { throw .EINVAL }
        guard a.address(1).rangeIsUser(count: max * eventSize) else { throw .EFAULT }
        let (_, epoll) = try instance(a)
        let mask = try Thread.userSignalMask(a, at: a.address(4), size: a[5])
        let process = a.process
        let first = epoll.scan(process, max: 1, report: false)
        if first.ready.isEmpty && ns != 0 {
            _ = try await PollSyscalls.sleep(a, first.files, timeout: ns, mask: mask) {
                !epoll.scan(process, max: 1, report: false).ready.isEmpty
            }
        }
        let ready = epoll.scan(process, max: max, report: true).ready
        for (i, r) in ready.enumerated() {
            let at = a.address(1) + UInt64(i * eventSize)
            try a.user.store(UInt64(r.events), to: at)                // events and the padding
            try a.user.store(r.data, to: at + 8)
        }
        return UInt64(ready.count)
    }
}
