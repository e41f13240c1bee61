import LichenCore
import _Concurrency

/// epoll_create1, epoll_ctl, epoll_pwait and epoll_pwait2 over `EpollInstance` (level-triggered;
/// see there for what differs from Linux). Waits sleep like ppoll, on the registered files' queues,
/// under the call's signal mask; a file added by another thread during a wait is seen at the next one.
enum EpollSyscalls {
    static let EPOLL_CLOEXEC: UInt64 = 0o2000000
    static let EPOLLEXCLUSIVE: UInt32 = 1 << 28
    static let eventSize = 16                 // struct epoll_event on arm64: u32 events, 4 bytes padding, u64 data

    static func handle(_ number: UInt64, _ a: SyscallArguments) async throws(Errno) -> UInt64? {
        switch number {
        case 20: return try create(a)
        case 21: return try control(a)
        case 22: return try await wait(a, timeout: a.int32(3) < 0 ? nil : UInt64(a.int32(3)) * 1_000_000, maskArgument: 4)
        case 441: return try await wait(a, timeout: try PollSyscalls.timeout(a, a.address(3)), maskArgument: 4)
        default: return nil
        }
    }

    static func create(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        guard a[0] & ~EPOLL_CLOEXEC == 0 else { throw .EINVAL }
        let file = OpenFile(location: PipeFileSystem.shared.newLocation(nil), flags: .O_RDWR, operations: EpollInstance())
        let fd = try a.process.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) -> Int32 in
            try t.install(file, closeOnExec: a[0] & EPOLL_CLOEXEC != 0)
        }
        return UInt64(fd)
    }

    static func instance(_ a: SyscallArguments, _ fd: Int32) throws(Errno) -> (OpenFile, EpollInstance) {
        let file = try a.process.file(fd)
        guard let epoll = file.operations as? EpollInstance else { throw .EINVAL }
        return (file, epoll)
    }

    static func control(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let (epollFile, epoll) = try instance(a, a.fd(0))
        let op = a[1], fd = a.fd(2)
        let target = try a.process.file(fd)
        guard target !== epollFile else { throw .EINVAL }
        guard target.operations != nil else { throw .EPERM }     // regular files and directories: no poll, as Linux
        var events: UInt32 = 0, data: UInt64 = 0
        if op == 1 || op == 3 {
            events = try a.user.load(UInt32.self, from: a.address(3))
            data = try a.user.load(UInt64.self, from: a.address(3) + 8)
        }
        switch op {
        case 1: try epoll.add(.init(fd: fd, file: target.serial, events: events, data: data))
        case 2: try epoll.remove(fd: fd, file: target.serial)
        case 3:
            guard events & EPOLLEXCLUSIVE == 0 else { throw .EINVAL }
            try epoll.modify(fd: fd, file: target.serial, events: events, data: data)
        default: throw .EINVAL
        }
        return 0
    }

    static func wait(_ a: SyscallArguments, timeout ns: UInt64?, maskArgument: Int) async throws(Errno) -> UInt64 {
        let max = Int(a.int32(2))
        guard max > 0, max <= Int(Int32.max) / eventSize else { throw .EINVAL }
        guard a.address(1).rangeIsUser(count: max * eventSize) else { throw .EFAULT }
        let (_, epoll) = try instance(a, a.fd(0))
        let mask = try Thread.userSignalMask(a, at: a.address(maskArgument), size: a[maskArgument + 1])
        let live = epoll.files(in: a.process)
        if !epoll.anyReady(live) && ns != 0 {
            _ = try await PollSyscalls.sleep(a, live.map { $0.file }, timeout: ns, mask: mask) { epoll.anyReady(live) }
        }
        let ready = epoll.collect(live, max: max)
        for (i, r) in ready.enumerated() {
            let at = a.address(1) + UInt64(i * eventSize)
            try a.user.store(r.events, to: at)
            try a.user.store(UInt32(0), to: at + 4)
            try a.user.store(r.data, to: at + 8)
        }
        return UInt64(ready.count)
    }
}
