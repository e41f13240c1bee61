import LichenCore
import Synchronization
import _Concurrency

/// Nice values, I/O priorities, CPU affinity and scheduling policies. They are recorded, checked
/// and inherited like Linux's; the executor honours affinity (a thread runs only on its CPUs), but
/// does not act on nice values or policies yet.
enum SchedulingSyscalls {
    static func handle(_ number: UInt64, _ a: SyscallArguments) async throws(Errno) -> UInt64? {
        switch number {
        case 168:                                                    // getcpu(cpu, node, cache): one NUMA node
            if a[0] != 0 { try a.user.store(UInt32(PerCPU.currentIndex), to: a.address(0)) }
            if a[1] != 0 { try a.user.store(UInt32(0), to: a.address(1)) }
            return 0
        case 140: return try setpriority(a)
        case 141: return try getpriority(a)
        case 30: return try ioprioSet(a)
        case 31:                                                     // ioprio_get
            let targets = try ioTargets(a)
            return UInt64(targets.map { $0.scheduling.withLock { $0.ioPriority } }.max() ?? 0)
        case 122:                                                    // sched_setaffinity
            let target = try affinityTarget(a.int32(0), a)
            guard mayChange(a.process, target.process) else { throw .EPERM }
            // Linux reads min(len, its mask size) bytes; a shorter mask leaves the other CPUs out.
            let n = min(a.count(1), 8)
            var mask: UInt64 = 0
            if n > 0 {
                for (i, byte) in try a.user.bytes(at: a.address(2), count: n).enumerated() { mask |= UInt64(byte) << UInt64(8 * i) }
            }
            let allowed = try SchedulingAttributes.affinity(mask, onlineCPUs: PerCPU.onlineCount)
            target.affinity.store(allowed, ordering: .relaxed)
            if target === a.thread && allowed >> UInt64(PerCPU.currentIndex) & 1 == 0 {
                await Task.yield()                                   // move now, as Linux does
            }
            return 0
        case 123:                                                    // sched_getaffinity
            let size = a.count(1)
            guard size >= 8, size % 8 == 0 else { throw .EINVAL }
            let target = try affinityTarget(a.int32(0), a)
            let online = SchedulingAttributes.cpuMask(PerCPU.onlineCount)
            try a.user.store(target.affinity.load(ordering: .relaxed) & online, to: a.address(2))
            return 8
        case 119, 118:                                               // sched_setscheduler, sched_setparam
            guard a[number == 119 ? 2 : 1] != 0 else { throw .EINVAL }
            let target = try process(a.int32(0), a)
            let priority = try a.user.load(Int32.self, from: a.address(number == 119 ? 2 : 1))
            guard mayChange(a.process, target) else { throw .EPERM }
            let privileged = a.process.credentials.euid == 0
            try target.scheduling.withLock { (s: inout SchedulingAttributes) throws(Errno) in
                try s.setPolicy(number == 119 ? a.int32(1) : s.policy, priority: priority, privileged: privileged)
            }
            return 0
        case 120: return UInt64(try process(a.int32(0), a).scheduling.withLock { $0.policy })   // sched_getscheduler
        case 121:                                                    // sched_getparam
            guard a[1] != 0 else { throw .EINVAL }
            let target = try process(a.int32(0), a)
            try a.user.store(target.scheduling.withLock { $0.realtimePriority }, to: a.address(1))
            return 0
        case 125, 126:                                               // sched_get_priority_max/min
            switch a.int32(0) {
            case 1, 2: return number == 125 ? 99 : 1
            case 0, 3, 5: return 0
            default: throw .EINVAL
            }
        case 127:                                                    // sched_rr_get_interval
            _ = try process(a.int32(0), a)
            try a.user.store(LinuxTimespec(tv_sec: 0, tv_nsec: Int64(Thread.timeSlice)), to: a.address(1))
            return 0
        default: return nil
        }
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
    static func mayChange(_ caller: Process, _ target: Process) -> Bool {
        let c = caller.credentials, t = target.credentials
        return c.euid == 0 || c.euid == t.uid || c.euid == t.euid
    }

    /// PRIO_PROCESS (0), PRIO_PGRP (1), PRIO_USER (2) targets; `who` 0 is the caller's own.
    static func priorityTargets(which: Int32, who: Int32, _ a: SyscallArguments) throws(Errno) -> [Process] {
        switch which {
        case 0: return [try process(who, a)]
        case 1:
            let group = who != 0 ? who : (Processes.withTable { $0.record(a.process.pid)?.pgid } ?? a.process.pid)
            guard who >= 0 else { throw .EINVAL }
            return Processes.withTable { $0.members(ofGroup: group) }.compactMap { Processes.process($0) }
        case 2:
            let uid = who != 0 ? UInt32(bitPattern: who) : a.process.credentials.uid
            return Processes.all().filter { $0.credentials.uid == uid }
        default: throw .EINVAL
        }
    }

    static func getpriority(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let targets = try priorityTargets(which: a.int32(0), who: a.int32(1), a)
        guard let best = targets.map({ $0.scheduling.withLock { $0.priorityValue } }).max() else { throw .ESRCH }
        return best
    }

    static func setpriority(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let targets = try priorityTargets(which: a.int32(0), who: a.int32(1), a)
        guard !targets.isEmpty else { throw .ESRCH }
        let privileged = a.process.credentials.euid == 0
        var failure: Errno? = nil
        for target in targets {
            guard mayChange(a.process, target) else { failure = .EPERM; continue }
            do throws(Errno) {
                try target.scheduling.withLock { (s: inout SchedulingAttributes) throws(Errno) in try s.setNice(a.int32(2), privileged: privileged) }
            } catch { failure = error }
        }
        if let failure { throw failure }
        return 0
    }

    /// IOPRIO_WHO_PROCESS (1), IOPRIO_WHO_PGRP (2), IOPRIO_WHO_USER (3).
    static func ioTargets(_ a: SyscallArguments) throws(Errno) -> [Process] {
        let which = a.int32(0)
        guard (1...3).contains(which) else { throw .EINVAL }
        let targets = try priorityTargets(which: which - 1, who: a.int32(1), a)
        guard !targets.isEmpty else { throw .ESRCH }
        return targets
    }

    static func ioprioSet(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let targets = try ioTargets(a)
        let privileged = a.process.credentials.euid == 0
        for target in targets {
            guard mayChange(a.process, target) else { throw .EPERM }
            try target.scheduling.withLock { (s: inout SchedulingAttributes) throws(Errno) in
                try s.setIOPriority(UInt32(truncatingIfNeeded: a[2]), privileged: privileged)
            }
        }
        return 0
    }
}
