// The futex syscall's operation word and FUTEX_WAKE_OP's encoded operation (linux/futex.h).

public struct FutexOperation: Sendable {
    public static let FUTEX_WAIT: Int32 = 0, FUTEX_WAKE: Int32 = 1, FUTEX_REQUEUE: Int32 = 3
    public static let FUTEX_CMP_REQUEUE: Int32 = 4, FUTEX_WAKE_OP: Int32 = 5
    public static let FUTEX_WAIT_BITSET: Int32 = 9, FUTEX_WAKE_BITSET: Int32 = 10
    public static let FUTEX_PRIVATE_FLAG: Int32 = 128, FUTEX_CLOCK_REALTIME: Int32 = 256
    /// FUTEX_BITSET_MATCH_ANY: what plain WAIT and WAKE use.
    public static let matchAny: UInt32 = 0xffff_ffff

    public let command: Int32
    /// FUTEX_PRIVATE_FLAG: the word is not shared with other processes (keyed by address space).
    public let isPrivate: Bool
    /// FUTEX_CLOCK_REALTIME: an absolute timeout is on CLOCK_REALTIME instead of CLOCK_MONOTONIC.
    public let realtime: Bool

    public init(_ op: Int32) {
        command = op & ~(FutexOperation.FUTEX_PRIVATE_FLAG | FutexOperation.FUTEX_CLOCK_REALTIME)
        isPrivate = op & FutexOperation.FUTEX_PRIVATE_FLAG != 0
        realtime = op & FutexOperation.FUTEX_CLOCK_REALTIME != 0
    }

    /// Whether the command sleeps (and so takes a timeout).
    public var waits: Bool { command == FutexOperation.FUTEX_WAIT || command == FutexOperation.FUTEX_WAIT_BITSET }

    /// WAIT_BITSET's timeout is an absolute time; WAIT's is relative (Linux).
    public var absoluteTimeout: Bool { command == FutexOperation.FUTEX_WAIT_BITSET }

    /// Linux accepts FUTEX_CLOCK_REALTIME only on the waiting commands (ENOSYS otherwise).
    public var clockFlagAllowed: Bool { !realtime || waits }
}

/// FUTEX_WAKE_OP's val3: `*uaddr2 = op(old, oparg)` atomically, then wake on uaddr1, and also on
/// uaddr2 if `cmp(old, cmparg)`. Layout: op (4 bits, bit 3 = oparg is a shift), cmp (4 bits),
/// oparg (12 bits, signed), cmparg (12 bits, signed).
public struct FutexWakeOp: Sendable {
    public static let SET: Int32 = 0, ADD: Int32 = 1, OR: Int32 = 2, ANDN: Int32 = 3, XOR: Int32 = 4
    public static let EQ: Int32 = 0, NE: Int32 = 1, LT: Int32 = 2, LE: Int32 = 3, GT: Int32 = 4, GE: Int32 = 5

    public let op: Int32
    public let cmp: Int32
    public let oparg: Int32
    public let cmparg: Int32

    public init(_ encoded: UInt32) {
        let e = Int32(bitPattern: encoded)
        var op = (e >> 28) & 0xf
        var arg = (e << 8) >> 20                      // sign-extended 12 bits
        if op & 8 != 0 {                              // FUTEX_OP_OPARG_SHIFT: oparg is 1 << oparg
            op &= 7
            arg = Int32(bitPattern: UInt32(1) << UInt32(arg & 31))   // Linux masks a bad shift to 0..31
        }
        self.op = op
        self.oparg = arg
        cmp = (e >> 24) & 0xf
        cmparg = (e << 20) >> 20
    }

    /// The new value of the word, or nil for an unknown op (ENOSYS).
    public func apply(to old: UInt32) -> UInt32? {
        let a = UInt32(bitPattern: oparg)
        switch op {
        case FutexWakeOp.SET: return a
        case FutexWakeOp.ADD: return old &+ a
        case FutexWakeOp.OR: return old | a
        case FutexWakeOp.ANDN: return old & ~a
        case FutexWakeOp.XOR: return old ^ a
        default: return nil
        }
    }

    /// Whether the old value passes the comparison (signed, as Linux), or nil for an unknown one (ENOSYS).
    public func compare(_ old: UInt32) -> Bool? {
        let v = Int32(bitPattern: old)
        switch cmp {
        case FutexWakeOp.EQ: return v == cmparg
        case FutexWakeOp.NE: return v != cmparg
        case FutexWakeOp.LT: return v < cmparg
        case FutexWakeOp.LE: return v <= cmparg
        case FutexWakeOp.GT: return v > cmparg
        case FutexWakeOp.GE: return v >= cmparg
        default: return nil
        }
    }
}
