// System information structures of the Linux arm64 user ABI: `struct new_utsname` (uname),
// `struct sysinfo`, `struct rlimit`/`rlimit64`, `struct rusage`.

/// `struct new_utsname`: six `char[65]`, 390 bytes, alignment 1.
public struct LinuxUtsname: Sendable {
    public var sysname: LinuxUtsnameField = linuxZeroUtsnameField
    public var nodename: LinuxUtsnameField = linuxZeroUtsnameField
    public var release: LinuxUtsnameField = linuxZeroUtsnameField
    public var version: LinuxUtsnameField = linuxZeroUtsnameField
    public var machine: LinuxUtsnameField = linuxZeroUtsnameField
    public var domainname: LinuxUtsnameField = linuxZeroUtsnameField

    /// __NEW_UTS_LEN: the longest field without its NUL.
    public static let fieldLength = 64

    public init() {}

    /// Each field is NUL-terminated, truncated to 64 bytes.
    public init<C: Collection>(sysname: C, nodename: C, release: C, version: C, machine: C, domainname: C)
    where C.Element == UInt8 {
        linuxFillCString(&self.sysname, from: sysname)
        linuxFillCString(&self.nodename, from: nodename)
        linuxFillCString(&self.release, from: release)
        linuxFillCString(&self.version, from: version)
        linuxFillCString(&self.machine, from: machine)
        linuxFillCString(&self.domainname, from: domainname)
    }
}

/// `struct sysinfo`: 112 bytes on 64-bit.
public struct LinuxSysinfo: Sendable {
    public var uptime: Int64 = 0
    public var loads: (UInt64, UInt64, UInt64) = (0, 0, 0)
    public var totalram: UInt64 = 0
    public var freeram: UInt64 = 0
    public var sharedram: UInt64 = 0
    public var bufferram: UInt64 = 0
    public var totalswap: UInt64 = 0
    public var freeswap: UInt64 = 0
    public var procs: UInt16 = 0
    public var pad: UInt16 = 0
    /// Implicit C padding before totalhigh.
    public var __pad0: UInt32 = 0
    public var totalhigh: UInt64 = 0
    public var freehigh: UInt64 = 0
    public var mem_unit: UInt32 = 0
    /// `char _f[0]` on 64-bit, then 4 bytes of implicit tail padding.
    public var _f: UInt32 = 0

    public init() {}

    /// Load averages are fixed point with SI_LOAD_SHIFT (16) fractional bits.
    public static let SI_LOAD_SHIFT = 16
}

/// `struct rlimit` (and `struct rlimit64`, identical on arm64): 16 bytes.
public struct LinuxRlimit: Hashable, Sendable {
    public var rlim_cur: UInt64
    public var rlim_max: UInt64
    public init(rlim_cur: UInt64, rlim_max: UInt64) { self.rlim_cur = rlim_cur; self.rlim_max = rlim_max }
    public static let RLIM_INFINITY: UInt64 = ~0
    public static let infinity = LinuxRlimit(rlim_cur: RLIM_INFINITY, rlim_max: RLIM_INFINITY)
}

/// `struct rlimit64` has the same layout as `struct rlimit` on 64-bit.
public typealias LinuxRlimit64 = LinuxRlimit

/// Resource numbers (asm-generic/resource.h).
public enum LinuxResource {
    public static let RLIMIT_CPU: Int32 = 0
    public static let RLIMIT_FSIZE: Int32 = 1
    public static let RLIMIT_DATA: Int32 = 2
    public static let RLIMIT_STACK: Int32 = 3
    public static let RLIMIT_CORE: Int32 = 4
    public static let RLIMIT_RSS: Int32 = 5
    public static let RLIMIT_NPROC: Int32 = 6
    public static let RLIMIT_NOFILE: Int32 = 7
    public static let RLIMIT_MEMLOCK: Int32 = 8
    public static let RLIMIT_AS: Int32 = 9
    public static let RLIMIT_LOCKS: Int32 = 10
    public static let RLIMIT_SIGPENDING: Int32 = 11
    public static let RLIMIT_MSGQUEUE: Int32 = 12
    public static let RLIMIT_NICE: Int32 = 13
    public static let RLIMIT_RTPRIO: Int32 = 14
    public static let RLIMIT_RTTIME: Int32 = 15
    public static let RLIM_NLIMITS: Int32 = 16
    /// getrusage `who`.
    public static let RUSAGE_SELF: Int32 = 0
    public static let RUSAGE_CHILDREN: Int32 = -1
    public static let RUSAGE_THREAD: Int32 = 1
}

/// `struct rusage`: 144 bytes.
public struct LinuxRusage: Hashable, Sendable {
    public var ru_utime = LinuxTimeval()
    public var ru_stime = LinuxTimeval()
    public var ru_maxrss: Int64 = 0
    public var ru_ixrss: Int64 = 0
    public var ru_idrss: Int64 = 0
    public var ru_isrss: Int64 = 0
    public var ru_minflt: Int64 = 0
    public var ru_majflt: Int64 = 0
    public var ru_nswap: Int64 = 0
    public var ru_inblock: Int64 = 0
    public var ru_oublock: Int64 = 0
    public var ru_msgsnd: Int64 = 0
    public var ru_msgrcv: Int64 = 0
    public var ru_nsignals: Int64 = 0
    public var ru_nvcsw: Int64 = 0
    public var ru_nivcsw: Int64 = 0
    public init() {}
    public init(userNanoseconds: UInt64, systemNanoseconds: UInt64) {
        ru_utime = LinuxTimeval(nanoseconds: userNanoseconds)
        ru_stime = LinuxTimeval(nanoseconds: systemNanoseconds)
    }
}
