// What setpriority, ioprio_set and sched_setscheduler record for a process (and the affinity rule).
// Lichen's scheduler is a plain round robin: the values are kept, reported back and inherited, but
// they do not change how CPU time is shared yet.

public struct SchedulingAttributes: Equatable, Sendable {
    /// The nice value, -20 (favoured) to 19.
    public var nice: Int32 = 0
    /// ioprio_set's value: class << 13 | data (0: none).
    public var ioPriority: UInt32 = 0
    /// SCHED_OTHER (0), SCHED_FIFO (1), SCHED_RR (2), SCHED_BATCH (3), SCHED_IDLE (5).
    public var policy: Int32 = 0
    public var realtimePriority: Int32 = 0

    public init() {}

    /// setpriority's value for one target: clamped to [-20, 19]; only the superuser may lower it.
    public mutating func setNice(_ requested: Int32, privileged: Bool) throws(Errno) {
        let value = min(max(requested, -20), 19)
        if value < nice && !privileged { throw .EACCES }
        nice = value
    }

    /// getpriority's encoding (20 - nice, so always positive); the C library turns it back.
    public var priorityValue: UInt64 { UInt64(20 - nice) }

    /// /proc/<pid>/stat's priority (Linux's task_prio: prio - MAX_RT_PRIO): -1 - rt_priority under
    /// SCHED_FIFO and SCHED_RR, else 20 + nice.
    public var statPriority: Int32 { isRealtime ? -1 - realtimePriority : 20 + nice }

    /// /proc/<pid>/stat's rt_priority: 0 outside the real-time policies.
    public var statRealtimePriority: Int32 { isRealtime ? realtimePriority : 0 }

    public var isRealtime: Bool { policy == 1 || policy == 2 }

    public static let ioClassNone: UInt32 = 0, ioClassRealtime: UInt32 = 1, ioClassBestEffort: UInt32 = 2, ioClassIdle: UInt32 = 3

    /// ioprio_set: class none/realtime/best-effort/idle with data 0-7 (Linux ignores the data of
    /// none and idle); real time needs privilege.
    public mutating func setIOPriority(_ value: UInt32, privileged: Bool) throws(Errno) {
        let ioClass = value >> 13, data = value & 0x1fff
        switch ioClass {
        case Self.ioClassNone, Self.ioClassIdle: break
        case Self.ioClassRealtime:
            guard privileged else { throw .EPERM }
            guard data < 8 else { throw .EINVAL }
        case Self.ioClassBestEffort: guard data < 8 else { throw .EINVAL }
        default: throw .EINVAL
        }
        ioPriority = value
    }

    /// sched_setaffinity's mask (a thread's, kept by the thread): limited to the online CPUs, which
    /// must leave at least one.
    public static func affinity(_ mask: UInt64, onlineCPUs: Int) throws(Errno) -> UInt64 {
        let online = Self.cpuMask(onlineCPUs)
        guard mask & online != 0 else { throw .EINVAL }
        return mask & online
    }

    /// CPUs 0..<count as an affinity mask.
    public static func cpuMask(_ count: Int) -> UInt64 { count >= 64 ? .max : (1 << UInt64(count)) - 1 }

    /// sched_setscheduler/sched_setparam: SCHED_OTHER, BATCH and IDLE take priority 0; FIFO and RR
    /// 1-99 and privilege.
    public mutating func setPolicy(_ policy: Int32, priority: Int32, privileged: Bool) throws(Errno) {
        switch policy {
        case 0, 3, 5: guard priority == 0 else { throw .EINVAL }
        case 1, 2:
            guard (1...99).contains(priority) else { throw .EINVAL }
            guard privileged else { throw .EPERM }
        default: throw .EINVAL
        }
        self.policy = policy
        realtimePriority = priority
    }
}
