/// The clock ids of CPU-time clocks: CLOCK_PROCESS_CPUTIME_ID (2), CLOCK_THREAD_CPUTIME_ID (3), and the
/// negative ids clock_getcpuclockid/pthread_getcpuclockid build for a pid or tid
/// (Linux's MAKE_PROCESS_CPUCLOCK: ~pid << 3 | perthread << 2 | kind).
public struct CPUClockID: Hashable, Sendable {
    public enum Kind: Int32, Sendable {
        case prof = 0       // user + system
        case virtual = 1    // user
        case sched = 2      // user + system (what clock_gettime on CPU clocks normally reads)
    }
    /// 0: the caller (its process, or its own thread).
    public var id: Int32
    public var perThread: Bool
    public var kind: Kind

    public init(id: Int32, perThread: Bool, kind: Kind) {
        self.id = id; self.perThread = perThread; self.kind = kind
    }

    /// nil when `clockid` names no CPU clock (EINVAL for clock_gettime unless it is another clock).
    public init?(_ clockid: Int32) {
        switch clockid {
        case 2: self.init(id: 0, perThread: false, kind: .sched)
        case 3: self.init(id: 0, perThread: true, kind: .sched)
        default:
            guard clockid < 0, let kind = Kind(rawValue: clockid & 3) else { return nil }
            self.init(id: ~(clockid >> 3), perThread: clockid & 4 != 0, kind: kind)
        }
    }

    /// The clockid for this clock (the negative encoding).
    public var clockid: Int32 { (~id << 3) | (perThread ? 4 : 0) | kind.rawValue }

    /// The clock's reading from a usage.
    public func reading(_ u: ResourceUsage) -> UInt64 { kind == .virtual ? u.userNanoseconds : u.totalNanoseconds }
}
