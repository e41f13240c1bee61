import LichenCore
import Synchronization
import _Concurrency

/// A process's signal state: LichenCore's ProcessSignalState plus one ThreadSignalState per thread
/// slot (`Thread.index`), the thread group, and whether the process is stopped.
struct SignalStates: Sendable {
    var process = ProcessSignalState()
    var threads = [ThreadSignalState()]
    var group: ThreadGroup
    /// Set by the thread that takes a stop signal, cleared by SIGCONT/SIGKILL (under this lock, so a
    /// SIGCONT racing with the stop is never lost). Every thread of a stopped process sleeps.
    var stopped = false

    init(pid: Int32) { group = ThreadGroup(pid: pid) }

    /// A new thread (clone): a slot with `blocked` as its mask, nothing pending, no alternate stack.
    mutating func join(tid: Int32, blocked: SignalSet) -> Int {
        let slot = group.join(tid: tid)
        if slot == threads.count { threads.append(ThreadSignalState()) } else { threads[slot] = ThreadSignalState() }
        threads[slot].blocked = blocked
        return slot
    }

    /// Thread `tid` in `slot` ends: its own pending signals go with it. Returns how the process
    /// ends if it was the last thread.
    mutating func leave(tid: Int32, slot: Int, code: Int32) -> ChildEvent? {
        if slot < threads.count { threads[slot] = ThreadSignalState() }
        return group.leave(tid: tid, slot: slot, code: code)
    }
}

/// Sending signals (kill, tkill, the tty, SIGCHLD) and telling parents about their children.
/// Delivery happens in the target thread on its way back to user mode (SignalDelivery.swift).
enum ProcessSignals {
    /// Sends `info` to `process` (thread nil: any thread, as kill does). Wakes a thread sleeping in
    /// an interruptible syscall, and does SIGCONT's and SIGKILL's work on a stopped process at once,
    /// as Linux's prepare_signal does (a stopped process runs no code to do it itself).
    static func send(_ info: LinuxSigInfo, to process: Process, thread: Int? = nil) {
        guard let s = Signal(info.si_signo), !process.exiting else { return }
        let isInit = process.pid == 1
        // The thread to wake for a process-directed signal is chosen under the same lock.
        let (outcome, wasStopped, chosen) = process.signals.withLock { st -> (SignalSendOutcome, Bool, Int?) in
            let o = st.process.send(info, to: thread, threads: &st.threads, isInit: isInit)
            let wasStopped = st.stopped
            if (s == .SIGCONT || (s == .SIGKILL && o != .ignored)) { st.stopped = false }
            let chosen = thread == nil && o == .queued ? st.process.target(for: s, group: st.group, threads: st.threads) : thread
            return (o, wasStopped, chosen)
        }
        if wasStopped && (s == .SIGCONT || (s == .SIGKILL && outcome != .ignored)) {
            process.continued.update { $0 += 1 }
            if s == .SIGCONT, let parent = Processes.withTable({ $0.resume(process.pid) }) {
                notifyParent(parent, child: process.pid, uid: process.credentials.uid, event: .continued)
            }
        }
        guard outcome == .queued else { return }
        process.signalQueued.wakeAll()
        // A thread's own signal wakes it; a process's wakes one thread that does not block it
        // (every thread for SIGKILL, which ends them all), and threads waiting for it in
        // rt_sigtimedwait (they take blocked signals).
        // Nobody in rt_sigtimedwait and not SIGKILL: only the chosen thread, found by its slot.
        guard s == .SIGKILL || (thread == nil && process.signalWaiters.load(ordering: .sequentiallyConsistent) > 0) else {
            if let chosen { process.thread(atSlot: chosen)?.wakeForSignal() }
            return
        }
        process.forEachThread { t in
            if s == .SIGKILL || t.index == chosen || (thread == nil && t.waits(for: s)) { t.wakeForSignal() }
        }
    }

    /// A fault in `thread` (force_sig_info: a blocked or ignored fault signal kills).
    static func sendFault(_ info: LinuxSigInfo, to thread: Thread) {
        thread.process.signals.withLock { st in
            st.process.sendFault(info, to: thread.index, threads: &st.threads)
        }
    }

    /// kill(2) semantics for a list of pids (from ProcessTable.killTargets).
    static func send(_ info: LinuxSigInfo, toPids pids: [Int32]) {
        for pid in pids {
            if let p = Processes.process(pid) { send(info, to: p) }
        }
    }

    /// The tty's ^C, ^\ and ^Z: to every process of the foreground group.
    static func send(_ signal: Signal, toGroup group: Int32) {
        let members = Processes.withTable { $0.members(ofGroup: group) }
        send(LinuxSigInfo.kill(signo: signal.number, code: LinuxSigInfo.SI_KERNEL, pid: 0, uid: 0), toPids: members)
    }

    /// A child exited, was killed, stopped or continued: SIGCHLD (or the child's exit signal) to the
    /// parent if its disposition asks for one, and wait4 sleepers re-check.
    static func notifyParent(_ parentPID: Int32, child: Int32, uid: UInt32, event: ChildEvent, signal: Signal? = .SIGCHLD) {
        if let parent = Processes.process(parentPID), let signal {
            var wanted = true
            if case .stopped = event { wanted = parent.signals.withLock { $0.process.actions.notifiesChildStopContinue } }
            if case .continued = event { wanted = parent.signals.withLock { $0.process.actions.notifiesChildStopContinue } }
            if wanted {
                send(LinuxSigInfo.child(code: event.siginfoCode, pid: child, uid: uid, status: event.siginfoStatus,
                                        signo: signal.number), to: parent)
            }
        }
        Processes.childChanges.update { $0 += 1 }
    }
}
