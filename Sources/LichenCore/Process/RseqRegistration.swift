/// A thread's restartable-sequences registration (rseq(2)) and Linux's rules for registering and
/// unregistering it. The kernel writes the CPU fields into the user's struct rseq at registration
/// and whenever the thread returns to user mode on another CPU.
public struct RseqRegistration: Sendable, Equatable {
    public static let RSEQ_FLAG_UNREGISTER: Int32 = 1
    /// struct rseq's original size and alignment (ORIG_RSEQ_SIZE), and the end of its fields now
    /// (offsetof(struct rseq, end): cpu_id_start, cpu_id, rseq_cs, flags, node_id, mm_cid).
    public static let originalSize: UInt32 = 32, featureSize: UInt32 = 28, alignment: UInt64 = 32
    public static let cpuIDUninitialized: UInt32 = 0xffff_ffff
    /// Offsets in struct rseq.
    public static let cpuIDStartOffset: UInt64 = 0, cpuIDOffset: UInt64 = 4, csOffset: UInt64 = 8
    public static let nodeIDOffset: UInt64 = 20, mmCIDOffset: UInt64 = 24

    public private(set) var address: UInt64 = 0
    public private(set) var length: UInt32 = 0
    public private(set) var signature: UInt32 = 0
    /// The CPU whose number the user's struct holds (nil: to be written at the next return to user).
    public var writtenCPU: Int? = nil
    /// Preempted or about to take a signal since the last return to user: rseq_cs must be checked.
    public var eventPending = false

    public init() {}

    public var isRegistered: Bool { address != 0 }

    /// rseq(address, length, flags, signature) without the user-memory access check (EFAULT),
    /// which the caller makes for a new registration. Returns whether it unregistered (the caller
    /// then resets the CPU fields in user memory).
    public mutating func request(address: UInt64, length: UInt32, flags: Int32, signature: UInt32) throws(Errno) -> Bool {
        if flags & Self.RSEQ_FLAG_UNREGISTER != 0 {
            guard flags & ~Self.RSEQ_FLAG_UNREGISTER == 0 else { throw .EINVAL }
            guard isRegistered, address == self.address, length == self.length else { throw .EINVAL }
            guard signature == self.signature else { throw .EPERM }
            self = RseqRegistration()
            return true
        }
        guard flags == 0 else { throw .EINVAL }
        if isRegistered {
            guard address == self.address, length == self.length else { throw .EINVAL }
            guard signature == self.signature else { throw .EPERM }
            throw .EBUSY
        }
        let aligned = address % Self.alignment == 0
        guard length >= Self.originalSize, aligned else { throw .EINVAL }
        self.address = address
        self.length = length
        self.signature = signature
        writtenCPU = nil
        eventPending = false
        return false
    }

    /// Whether `pc` is inside the critical section [start, start + postCommitOffset).
    public static func inCriticalSection(pc: UInt64, start: UInt64, postCommitOffset: UInt64) -> Bool {
        pc >= start && pc - start < postCommitOffset
    }
}
