// Resource limits (getrlimit/setrlimit/prlimit64): one soft and one hard value per resource, kept
// per process, inherited across fork and execve. The rules are Linux's do_prlimit.

public struct ResourceLimits: Equatable, Sendable {
    private var values: [LinuxRlimit]

    /// The limits of init, which every other process inherits. Linux derives the process limits from
    /// RAM (max_threads = pages / 32 with 16 KiB kernel stacks; init gets half of that).
    public static func initial(totalFrames: Int) -> ResourceLimits {
        let infinity = LinuxRlimit.infinity
        var limits = ResourceLimits(values: Array(repeating: infinity, count: Int(LinuxResource.RLIM_NLIMITS)))
        let tasks = UInt64(threadsMax(totalFrames: totalFrames) / 2)
        limits.values[Int(LinuxResource.RLIMIT_STACK)] = LinuxRlimit(rlim_cur: 8 << 20, rlim_max: LinuxRlimit.RLIM_INFINITY)
        limits.values[Int(LinuxResource.RLIMIT_CORE)] = LinuxRlimit(rlim_cur: 0, rlim_max: LinuxRlimit.RLIM_INFINITY)
        limits.values[Int(LinuxResource.RLIMIT_NPROC)] = LinuxRlimit(rlim_cur: tasks, rlim_max: tasks)
        limits.values[Int(LinuxResource.RLIMIT_NOFILE)] = LinuxRlimit(rlim_cur: ResourceLimits.defaultOpenFiles, rlim_max: 4096)
        limits.values[Int(LinuxResource.RLIMIT_MEMLOCK)] = LinuxRlimit(rlim_cur: 8 << 20, rlim_max: 8 << 20)
        limits.values[Int(LinuxResource.RLIMIT_SIGPENDING)] = LinuxRlimit(rlim_cur: tasks, rlim_max: tasks)
        limits.values[Int(LinuxResource.RLIMIT_MSGQUEUE)] = LinuxRlimit(rlim_cur: 819_200, rlim_max: 819_200)
        limits.values[Int(LinuxResource.RLIMIT_NICE)] = LinuxRlimit(rlim_cur: 0, rlim_max: 0)
        limits.values[Int(LinuxResource.RLIMIT_RTPRIO)] = LinuxRlimit(rlim_cur: 0, rlim_max: 0)
        return limits
    }

    /// RLIMIT_NOFILE's default soft limit, and the kernel's ceiling for it (fs.nr_open).
    public static let defaultOpenFiles: UInt64 = 1024
    public static let openFilesCeiling: UInt64 = 1 << 20

    /// The system-wide ceiling on tasks (kernel.threads-max): fork and clone fail with EAGAIN at it,
    /// whoever asks. Linux's formula for 4 KiB pages and 16 KiB kernel stacks, within its bounds.
    public static func threadsMax(totalFrames: Int) -> Int { min(max(totalFrames / 32, 20), 0x3fff_ffff) }

    public static func isValid(_ resource: Int32) -> Bool { resource >= 0 && resource < LinuxResource.RLIM_NLIMITS }

    /// The limit of a valid resource (`isValid`).
    public subscript(resource: Int32) -> LinuxRlimit { values[Int(resource)] }

    /// setrlimit: EINVAL for an unknown resource or a soft limit above the hard one; EPERM when an
    /// unprivileged caller (without CAP_SYS_RESOURCE) raises the hard limit, or for RLIMIT_NOFILE
    /// above the kernel's ceiling (fs.nr_open).
    public mutating func set(_ resource: Int32, to new: LinuxRlimit, privileged: Bool) throws(Errno) {
        guard ResourceLimits.isValid(resource), new.rlim_cur <= new.rlim_max else { throw .EINVAL }
        if new.rlim_max > values[Int(resource)].rlim_max && !privileged { throw .EPERM }
        if resource == LinuxResource.RLIMIT_NOFILE && new.rlim_max > ResourceLimits.openFilesCeiling { throw .EPERM }
        values[Int(resource)] = new
    }

    /// A soft limit as a count, saturating (RLIM_INFINITY is "no limit").
    public func softCount(_ resource: Int32) -> Int {
        let v = values[Int(resource)].rlim_cur
        return v >= UInt64(Int.max) ? Int.max : Int(v)
    }
}
