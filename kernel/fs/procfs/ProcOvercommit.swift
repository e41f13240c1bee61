import LichenCore
import _Concurrency

/// /proc/sys/vm's memory-commit tunables (root may write them, 0644) and /proc/PID's OOM files.
enum ProcOvercommit {
    @Sendable static func tunables(firstIno: UInt64) -> [(String, any Inode)] {
        func tunable(_ name: String, _ i: UInt64, _ which: OvercommitPolicy.Tunable, _ value: @escaping @Sendable (OvercommitPolicy) -> Int) -> (String, any Inode) {
            (name, ProcTunable(ino: firstIno + i, text: { Array((dec(value(MemoryCommit.policy)) + "\n").utf8) },
                               store: { (text: [UInt8]) throws(Errno) in try MemoryCommit.setPolicy(which, text) }))
        }
        return [
            tunable("overcommit_memory", 0, .mode) { $0.mode },
            tunable("overcommit_ratio", 1, .ratio) { $0.ratio },
            tunable("overcommit_kbytes", 2, .kbytes) { $0.kbytes },
            tunable("admin_reserve_kbytes", 3, .adminReserve) { $0.adminReserveKbytes },
            tunable("user_reserve_kbytes", 4, .userReserve) { $0.userReserveKbytes },
        ]
    }

    /// /proc/PID/oom_score and oom_score_adj (owned by the process's effective user, as Linux's
    /// /proc/PID files of a dumpable process are). Lowering oom_score_adj below what a privileged
    /// writer last set needs CAP_SYS_RESOURCE (EACCES).
    static func files(_ pid: Int32, base: UInt64) -> [(name: [UInt8], inode: any Inode)] {
        let owner = Processes.process(pid)?.credentials.euid ?? 0
        return [
            (Array("oom_score".utf8), ProcFile(ino: base | 17, uid: owner) { () async -> [UInt8] in
                guard let p = Processes.process(pid) else { return [] }
                return Array((dec(OutOfMemory.score(of: p)) + "\n").utf8)
            }),
            (Array("oom_score_adj".utf8), ProcTunable(ino: base | 18, uid: owner, text: {
                guard let p = Processes.process(pid) else { return [] }
                return Array((dec(p.oomScoreAdjustment.withLock { $0.value }) + "\n").utf8)
            }, store: { (text: [UInt8]) throws(Errno) in
                guard let p = Processes.process(pid) else { throw .ESRCH }
                let privileged = ProcReader.credentials()?.mayExceedLimits ?? true
                try p.oomScoreAdjustment.withLock { (a: inout OOMScoreAdjustment) throws(Errno) in try a.write(text, privileged: privileged) }
            })),
        ]
    }
}
