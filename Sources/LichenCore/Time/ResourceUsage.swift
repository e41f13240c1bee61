/// What getrusage, times and wait4 report about a thread, a process or its reaped children: CPU time
/// in nanoseconds and a few counters. Sums add; the maximum resident size is a maximum.
public struct ResourceUsage: Hashable, Sendable {
    public var userNanoseconds: UInt64 = 0
    public var systemNanoseconds: UInt64 = 0
    public var minorFaults: UInt64 = 0
    public var majorFaults: UInt64 = 0
    /// Context switches: the thread blocked (voluntary) or its time slice ended (involuntary).
    public var voluntarySwitches: UInt64 = 0
    public var involuntarySwitches: UInt64 = 0
    public var maxResidentKiB: UInt64 = 0

    public init(user: UInt64 = 0, system: UInt64 = 0) {
        userNanoseconds = user
        systemNanoseconds = system
    }

    public var totalNanoseconds: UInt64 { userNanoseconds &+ systemNanoseconds }

    public static func + (a: ResourceUsage, b: ResourceUsage) -> ResourceUsage {
        var r = a
        r += b
        return r
    }

    public static func += (a: inout ResourceUsage, b: ResourceUsage) {
        a.userNanoseconds &+= b.userNanoseconds
        a.systemNanoseconds &+= b.systemNanoseconds
        a.minorFaults &+= b.minorFaults
        a.majorFaults &+= b.majorFaults
        a.voluntarySwitches &+= b.voluntarySwitches
        a.involuntarySwitches &+= b.involuntarySwitches
        a.maxResidentKiB = max(a.maxResidentKiB, b.maxResidentKiB)
    }

    /// `struct rusage` (times truncated to microseconds, as Linux does).
    public var rusage: LinuxRusage {
        var r = LinuxRusage()
        r.ru_utime = LinuxTimeval(nanoseconds: userNanoseconds)
        r.ru_stime = LinuxTimeval(nanoseconds: systemNanoseconds)
        r.ru_maxrss = Int64(clamping: maxResidentKiB)
        r.ru_minflt = Int64(clamping: minorFaults)
        r.ru_majflt = Int64(clamping: majorFaults)
        r.ru_nvcsw = Int64(clamping: voluntarySwitches)
        r.ru_nivcsw = Int64(clamping: involuntarySwitches)
        return r
    }

    /// `struct tms` from a process's own usage and its reaped children's.
    public static func tms(own: ResourceUsage, children: ResourceUsage) -> LinuxTms {
        LinuxTms(tms_utime: TimeValues.clockTicks(own.userNanoseconds), tms_stime: TimeValues.clockTicks(own.systemNanoseconds),
                 tms_cutime: TimeValues.clockTicks(children.userNanoseconds),
                 tms_cstime: TimeValues.clockTicks(children.systemNanoseconds))
    }
}
