// futex_waitv(2) (Linux 5.16): wait on up to 128 futex words at once. The argument checks, in
// Linux's order (6.1's sys_futex_waitv and futex_parse_waitv); the kernel does the waiting.

/// struct futex_waitv: 24 bytes.
public struct LinuxFutexWaitv: Equatable, Sendable {
    public var val: UInt64
    public var uaddr: UInt64
    public var flags: UInt32
    public var __reserved: UInt32
    public init(val: UInt64 = 0, uaddr: UInt64 = 0, flags: UInt32 = 0, __reserved: UInt32 = 0) {
        self.val = val; self.uaddr = uaddr; self.flags = flags; self.__reserved = __reserved
    }
}

public enum FutexWaitv {
    /// FUTEX_WAITV_MAX.
    public static let maximum = 128
    /// A waiter's size flag: only 32-bit words exist (FUTEX2_SIZE_U32).
    public static let FUTEX_32: UInt32 = 2
    public static let FUTEX_PRIVATE_FLAG: UInt32 = 128
    public static let CLOCK_REALTIME: Int32 = 0
    public static let CLOCK_MONOTONIC: Int32 = 1

    /// The syscall's own arguments: `flags` must be 0 (the clock is `clockid`), 1...128 waiters at a
    /// non-NULL address; with a timeout, the clock CLOCK_REALTIME or CLOCK_MONOTONIC. EINVAL otherwise.
    /// Returns whether the timeout is on CLOCK_REALTIME.
    public static func checkCall(waiters: UInt64, count: UInt32, flags: UInt32, hasTimeout: Bool, clockid: Int32) throws(Errno) -> Bool {
        guard flags == 0 else { throw .EINVAL }
        guard count != 0, count <= UInt32(maximum), waiters != 0 else { throw .EINVAL }
        guard hasTimeout else { return false }
        guard clockid == CLOCK_REALTIME || clockid == CLOCK_MONOTONIC else { throw .EINVAL }
        return clockid == CLOCK_REALTIME
    }

    /// One waiter: FUTEX_32 required, FUTEX_PRIVATE_FLAG allowed, nothing else, __reserved 0.
    /// Returns whether it is private. (Linux 6.1 compares only the low 32 bits of `val`.)
    public static func checkWaiter(_ w: LinuxFutexWaitv) throws(Errno) -> Bool {
        guard w.flags & ~(FUTEX_32 | FUTEX_PRIVATE_FLAG) == 0, w.__reserved == 0, w.flags & FUTEX_32 != 0 else { throw .EINVAL }
        return w.flags & FUTEX_PRIVATE_FLAG != 0
    }
}
