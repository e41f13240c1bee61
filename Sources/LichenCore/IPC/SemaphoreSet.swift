// A System V semaphore array (Linux's sem_array): its values, the pid of each semaphore's last
// operation, the adjustments SEM_UNDO operations leave for each process to undo at its exit, and
// the blocked operations GETNCNT/GETZCNT count. semop is all-or-nothing (perform_atomic_semop).

public final class SemaphoreSet: IPCObject {
    public static let SEM_UNDO: Int16 = 0x1000
    public static let GETPID: Int32 = 11, GETVAL: Int32 = 12, GETALL: Int32 = 13, GETNCNT: Int32 = 14
    public static let GETZCNT: Int32 = 15, SETVAL: Int32 = 16, SETALL: Int32 = 17
    public static let SEM_STAT: Int32 = 18, SEM_INFO: Int32 = 19, SEM_STAT_ANY: Int32 = 20

    public var permissions: IPCPermissions
    public private(set) var values: [Int32]
    public private(set) var pids: [Int32]
    public var otime: Int64 = 0
    public var ctime: Int64
    /// IPC_RMID happened: sleepers end with EIDRM.
    public var removed = false
    /// Sleepers in semop/msgsnd/msgrcv: woken whenever the object changes (and at IPC_RMID).
    public let waiters = WaitQueue()
    /// SEM_UNDO adjustments (semadj) by thread-group id.
    private var adjustments: [(tgid: Int32, adjust: [Int32])] = []
    /// The operation each sleeper is blocked on, by a sleeper's token.
    private var blocked: [(token: UInt64, semaphore: Int, zero: Bool)] = []

    public init(permissions: IPCPermissions, count: Int, now: Int64) {
        self.permissions = permissions
        values = Array(repeating: 0, count: count)
        pids = Array(repeating: 0, count: count)
        ctime = now
    }

    public var count: Int { values.count }

    public enum Outcome: Equatable {
        case done
        /// Would block on `semaphore` (for it to reach zero, or to grow).
        case blocks(semaphore: Int, zero: Bool)
    }

    /// semop: every operation or none. ERANGE when a value or an adjustment would leave its range,
    /// EAGAIN instead of blocking when the blocking operation has IPC_NOWAIT.
    public func apply(_ ops: [LinuxSembuf], tgid: Int32, now: Int64) throws(Errno) -> Outcome {
        var trial = values
        var undo = adjustmentIndex(tgid).map { adjustments[$0].adjust } ?? Array(repeating: 0, count: count)
        var undoUsed = false
        for op in ops {
            let n = Int(op.sem_num), delta = Int32(op.sem_op), current = trial[n]
            if delta == 0 && current != 0 || current + delta < 0 {
                if UInt32(UInt16(bitPattern: op.sem_flg)) & SysVIPC.IPC_NOWAIT != 0 { throw .EAGAIN }
                return .blocks(semaphore: n, zero: delta == 0)
            }
            let result = current + delta
            if result > SysVIPCLimits.semvmx { throw .ERANGE }
            if op.sem_flg & Self.SEM_UNDO != 0 && delta != 0 {
                let adjust = undo[n] - delta
                if adjust < -SysVIPCLimits.semaem - 1 || adjust > SysVIPCLimits.semaem { throw .ERANGE }
                undo[n] = adjust
                undoUsed = true
            }
            trial[n] = result
        }
        values = trial
        for op in ops { pids[Int(op.sem_num)] = tgid }
        otime = now
        if undoUsed {
            if let i = adjustmentIndex(tgid) { adjustments[i].adjust = undo } else { adjustments.append((tgid, undo)) }
        }
        return .done
    }

    private func adjustmentIndex(_ tgid: Int32) -> Int? {
        adjustments.firstIndex { $0.tgid == tgid }
    }

    /// A process's exit (exit_sem): its adjustments are added, each value clamped to [0, SEMVMX].
    /// Returns whether anything changed (sleepers should look again).
    public func undo(tgid: Int32) -> Bool {
        guard let i = adjustmentIndex(tgid) else { return false }
        let adjust = adjustments.remove(at: i).adjust
        for n in 0..<count where adjust[n] != 0 {
            values[n] = min(max(values[n] + adjust[n], 0), SysVIPCLimits.semvmx)
            pids[n] = tgid
        }
        return true
    }

    /// SETVAL (ERANGE checked by the caller): the semaphore's adjustments are forgotten.
    public func setValue(_ n: Int, _ value: Int32, tgid: Int32, now: Int64) {
        values[n] = value
        pids[n] = tgid
        for i in adjustments.indices { adjustments[i].adjust[n] = 0 }
        ctime = now
    }

    /// SETALL: every value, every adjustment forgotten.
    public func setAll(_ newValues: [Int32], tgid: Int32, now: Int64) {
        values = newValues
        pids = Array(repeating: tgid, count: count)
        for i in adjustments.indices { adjustments[i].adjust = Array(repeating: 0, count: count) }
        ctime = now
    }

    /// A sleeper's blocking operation (replaced on each try; nil when it stops waiting).
    public func setBlocked(_ token: UInt64, _ outcome: Outcome?) {
        blocked.removeAll { $0.token == token }
        if case .blocks(let n, let zero)? = outcome { blocked.append((token, n, zero)) }
    }

    /// GETNCNT (`zero` false) and GETZCNT.
    public func waiting(_ n: Int, zero: Bool) -> Int32 {
        Int32(blocked.reduce(0) { $0 + ($1.semaphore == n && $1.zero == zero ? 1 : 0) })
    }

    public func stat() -> LinuxSemid64DS {
        var s = LinuxSemid64DS()
        s.sem_perm = permissions.linux
        s.sem_otime = otime
        s.sem_ctime = ctime
        s.sem_nsems = UInt64(count)
        return s
    }
}
