import LichenCore
import Synchronization
import _Concurrency

/// Nice values, I/O priorities, CPU affinity and scheduling policies. They are recorded, checked
/// and inherited like Linux's; the executor honours affinity (a thread runs only on its CPUs), but
/// does not act on nice values or policies yet.
enum SchedulingSyscalls {
    static let SCHED_OTHER: Int32 = 0, SCHED_FIFO: Int32 = 1, SCHED_RR: Int32 = 2, SCHED_BATCH: Int32 = 3, SCHED_IDLE: Int32 = 5
    /// get/setpriority's `which`.
    static let PRIO_PROCESS: Int32 = 0, PRIO_PGRP: Int32 = 1, PRIO_USER: Int32 = 2
    /// ioprio_get/set's `which`.
    static let IOPRIO_WHO_PROCESS: Int32 = 1, IOPRIO_WHO_PGRP: Int32 = 2, IOPRIO_WHO_USER: Int32 = 3
    /// The affinity masks' size in bytes: Lichen's cpumask is one 64-bit word.
    static let cpuMaskSize = 8

    /// One NUMA node: the node is always 0 (the cache argument is unused, as on Linux).
    static func getcpu(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let cpu = a.address(0), node = a.address(1)
        if cpu.value != 0 { try a.user.store(UInt32(PerCPU.currentIndex), to: cpu) }
        if node.value != 0 { try a.user.store(UInt32(0), to: node) }
        return 0
    }

    static func sched_setaffinity(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let tid = a.int32(0), length = a.count(1), maskPointer = a.address(2)
        let target = try affinityTarget(tid, a)
        guard mayChange(a.thread, target.process) else { throw .EPERM }
        // Linux reads min(len, its mask size) bytes; a shorter mask leaves the other CPUs out.
        let n = min(length, cpuMaskSize)
        var mask: UInt64 = 0
        if n > 0 {
            for (i, byte) in try a.user.bytes(at: maskPointer, count: n).enumerated() { mask |= UInt64(byte) << UInt64(8 * i) }
        }
        let allowed = try SchedulingAttributes.affinity(mask, onlineCPUs: PerCPU.onlineCount)
        target.affinity.store(allowed, ordering: .relaxed)
        if target === a.thread && allowed >> UInt64(PerCPU.currentIndex) & 1 == 0 {
            await Task.yield()                                       // move now, as Linux does
        }
        return 0
    }

    /// Returns the size of the mask written (Linux's cpumask size).
    static func sched_getaffinity(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let tid = a.int32(0), length = a.count(1), maskPointer = a.address(2)
        guard length >= cpuMaskSize, length % cpuMaskSize == 0 else { throw .EINVAL }
        let target = try affinityTarget(tid, a)
        let online = SchedulingAttributes.cpuMask(PerCPU.onlineCount)
        try a.user.store(target.affinity.load(ordering: .relaxed) & online, to: maskPointer)
        return UInt64(cpuMaskSize)
    }

    static func sched_setscheduler(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let pid = a.int32(0), policy = a.int32(1), param = a.address(2)
        return try setScheduling(a, pid: pid, policy: policy, param: param)
    }

    static func sched_setparam(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let pid = a.int32(0), param = a.address(1)
        return try setScheduling(a, pid: pid, policy: nil, param: param)
    }

    /// sched_setscheduler and sched_setparam (which keeps the policy): `param` is a struct
    /// sched_param, whose only field is the real-time priority.
    private static func setScheduling(_ a: SyscallArguments, pid: Int32, policy: Int32?, param: UserAddr) throws(Errno) -> UInt64 {
        guard param.value != 0 else { throw .EINVAL }
        let target = try process(pid, a)
        let priority = try a.user.load(Int32.self, from: param)
        guard mayChange(a.thread, target) else { throw .EPERM }
        let privileged = a.credentials.has(.CAP_SYS_NICE)
        try target.scheduling.withLock { (s: inout SchedulingAttributes) throws(Errno) in
            try s.setPolicy(policy ?? s.policy, priority: priority, privileged: privileged)
        }
        return 0
    }

    static func sched_getscheduler(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let pid = a.int32(0)
        return UInt64(try process(pid, a).scheduling.withLock { $0.policy })
    }

    static func sched_getparam(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let pid = a.int32(0), param = a.address(1)
        guard param.value != 0 else { throw .EINVAL }
        let target = try process(pid, a)
        try a.user.store(target.scheduling.withLock { $0.realtimePriority }, to: param)
        return 0
    }

    static func sched_get_priority_max(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let policy = a.int32(0)
        return UInt64(try priorityRange(policy).upperBound)
    }

    static func sched_get_priority_min(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let policy = a.int32(0)
        return UInt64(try priorityRange(policy).lowerBound)
    }

    /// The real-time priorities a policy takes: 1-99 for FIFO and RR, only 0 for the others.
    static func priorityRange(_ policy: Int32) throws(Errno) -> ClosedRange<Int32> {
        switch policy {
        case SCHED_FIFO, SCHED_RR: return 1...99
        case SCHED_OTHER, SCHED_BATCH, SCHED_IDLE: return 0...0
        default: throw .EINVAL
        }
    }

    /// Every policy gets the round robin's time slice.
    static func sched_rr_get_interval(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let pid = a.int32(0), interval = a.address(1)
        _ = try process(pid, a)
        try a.user.store(LinuxTimespec(tv_sec: 0, tv_nsec: Int64(Thread.timeSlice)), to: interval)
        return 0
    }

    /// pid 0 is the caller; negative pids are invalid.
    static func process(_ pid: Int32, _ a: SyscallArguments) throws(Errno) -> Process {
        guard pid >= 0 else { throw .EINVAL }
        if pid == 0 { return a.process }
        guard let p = Processes.process(pid) else { throw .ESRCH }
        return p
    }

    /// The thread sched_{set,get}affinity name: a thread id (0: the caller), like Linux's; a
    /// negative id names no thread (ESRCH).
    static func affinityTarget(_ tid: Int32, _ a: SyscallArguments) throws(Errno) -> Thread {
        if tid == 0 { return a.thread }
        guard tid > 0, let t = Processes.thread(tid) else { throw .ESRCH }
        return t
    }

    /// Linux's check for changing another process's scheduling: same user, or CAP_SYS_NICE.
    static func mayChange(_ caller: Thread, _ target: Process) -> Bool {
        let c = caller.credentials, t = target.credentials
        return c.has(.CAP_SYS_NICE) || c.euid == t.uid || c.euid == t.euid
    }

    /// PRIO_PROCESS, PRIO_PGRP, PRIO_USER targets; `who` 0 is the caller's own.
    static func priorityTargets(which: Int32, who: Int32, _ a: SyscallArguments) throws(Errno) -> [Process] {
        switch which {
        case PRIO_PROCESS: return [try process(who, a)]
        case PRIO_PGRP:
            let group = who != 0 ? who : (Processes.withTable { $0.record(a.process.pid)?.pgid } ?? a.process.pid)
            guard who >= 0 else { throw .EINVAL }
            return Processes.withTable { $0.members(ofGroup: group) }.compactMap { Processes.process($0) }
        case PRIO_USER:
            let uid = who != 0 ? UInt32(bitPattern: who) : a.credentials.uid
            return Processes.all().filter { $0.credentials.uid == uid }
        default: throw .EINVAL
        }
    }

    /// The highest of the targets' values, as 20 - nice (the C library turns it back).
    static func getpriority(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let which = a.int32(0), who = a.int32(1)
        let targets = try priorityTargets(which: which, who: who, a)
        guard let best = targets.map({ $0.scheduling.withLock { $0.priorityValue } }).max() else { throw .ESRCH }
        return best
    }

    /// Every target is tried; the last failure is returned.
    static func setpriority(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let which = a.int32(0), who = a.int32(1), nice = a.int32(2)
        let targets = try priorityTargets(which: which, who: who, a)
        guard !targets.isEmpty else { throw .ESRCH }
        let privileged = a.credentials.has(.CAP_SYS_NICE)
        var failure: Errno? = nil
        for target in targets {
            guard mayChange(a.thread, target) else { failure = .EPERM; continue }
            do throws(Errno) {
                try target.scheduling.withLock { (s: inout SchedulingAttributes) throws(Errno) in try s.setNice(nice, privileged: privileged) }
            } catch { failure = error }
        }
        if let failure { throw failure }
        return 0
    }

    /// IOPRIO_WHO_PROCESS, IOPRIO_WHO_PGRP, IOPRIO_WHO_USER: the same targets as setpriority's.
    static func ioTargets(which: Int32, who: Int32, _ a: SyscallArguments) throws(Errno) -> [Process] {
        let prioWhich: Int32
        switch which {
        case IOPRIO_WHO_PROCESS: prioWhich = PRIO_PROCESS
        case IOPRIO_WHO_PGRP: prioWhich = PRIO_PGRP
        case IOPRIO_WHO_USER: prioWhich = PRIO_USER
        default: throw .EINVAL
        }
        let targets = try priorityTargets(which: prioWhich, who: who, a)
        guard !targets.isEmpty else { throw .ESRCH }
        return targets
    }

    /// The highest priority value among the targets.
    static func ioprio_get(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let which = a.int32(0), who = a.int32(1)
        let targets = try ioTargets(which: which, who: who, a)
        return UInt64(targets.map { $0.scheduling.withLock { $0.ioPriority } }.max() ?? 0)
    }

    static func ioprio_set(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let which = a.int32(0), who = a.int32(1), ioprio = a.uint32(2)
        let targets = try ioTargets(which: which, who: who, a)
        let privileged = a.credentials.has(.CAP_SYS_NICE)
        for target in targets {
            guard mayChange(a.thread, target) else { throw .EPERM }
            try target.scheduling.withLock { (s: inout SchedulingAttributes) throws(Errno) in
                try s.setIOPriority(ioprio, privileged: privileged)
            }
        }
        return 0
    }
}
