import LichenCore
import _Concurrency

extension FutexSyscalls {
    /// futex_waitv(waiters, nr_futexes, flags, timeout, clockid): waits on up to 128 words, returns
    /// the index of a woken one. `flags` must be 0; the timeout is absolute, on `clockid`
    /// (CLOCK_MONOTONIC or CLOCK_REALTIME). Linux's order of checks: the call's arguments, the
    /// timeout, then each waiter (EFAULT, EINVAL), then the words (EINVAL misaligned, EFAULT, EAGAIN).
    static func futex_waitv(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let list = a.address(0), count = UInt32(truncatingIfNeeded: a[1]), timeout = a.address(3)
        let realtime = try FutexWaitv.checkCall(waiters: list.value, count: count, flags: UInt32(truncatingIfNeeded: a[2]),
                                                hasTimeout: timeout.value != 0, clockid: a.int32(4))
        var deadline: Deadline? = nil
        if timeout.value != 0 {
            let op = FutexOperation(FutexOperation.FUTEX_WAIT_BITSET | (realtime ? FutexOperation.FUTEX_CLOCK_REALTIME : 0))
            deadline = try FutexSyscalls.deadline(try a.user.load(LinuxTimespec.self, from: timeout), op)
        }
        var words: [(address: UserAddr, expected: UInt32, isPrivate: Bool)] = []
        for i in 0..<Int(count) {
            let w = try a.user.load(LinuxFutexWaitv.self, from: UserAddr(list.value &+ UInt64(i * 24)))
            let isPrivate = try FutexWaitv.checkWaiter(w)
            words.append((UserAddr(w.uaddr), UInt32(truncatingIfNeeded: w.val), isPrivate))
        }
        return UInt64(try await Futexes.waitMultiple(words, deadline: deadline, memory: a.process.memory))
    }
}
