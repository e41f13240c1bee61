import LichenCore
import _Concurrency

/// O_ASYNC's signals (Linux's send_sigio): FileAsyncNotifier decides when a file's readiness
/// changed; this sends its owner's signal to the thread, the process or every process of the group,
/// each if the owner's setter may signal it (sigio_perm).
enum IOSignals {
    static func install() {
        FileAsyncNotifier.deliver = { owner, reason, fd in send(owner, reason: reason, fd: fd) }
    }

    static func send(_ owner: FileSignalOwner, reason: Int32, fd: Int32) {
        deliver(owner.signalInfo(reason: reason, fd: fd), to: owner)
    }

    /// Linux's send_sigurg: SIGURG (SEND_SIG_PRIV, whatever F_SETSIG says) to the owner, out-of-band
    /// data having arrived on a socket.
    static func sendUrgent(_ owner: FileSignalOwner) {
        deliver(LinuxSigInfo.kill(signo: Signal.SIGURG.number, code: LinuxSigInfo.SI_KERNEL, pid: 0, uid: 0), to: owner)
    }

    private static func deliver(_ info: LinuxSigInfo, to owner: FileSignalOwner) {
        guard owner.pid > 0 else { return }
        switch owner.type {
        case FileSignalOwner.F_OWNER_TID:
            if let t = Processes.thread(owner.pid), owner.maySignal(t.sharedCredentials) {
                ProcessSignals.send(info, to: t.process, thread: t.index)
            }
        case FileSignalOwner.F_OWNER_PID:
            // A thread's id names its whole process here (Linux looks the task up, then signals its group).
            if let p = Processes.process(owner.pid) ?? Processes.thread(owner.pid)?.process, owner.maySignal(p.credentials) {
                ProcessSignals.send(info, to: p)
            }
        default:
            for pid in Processes.withTable({ $0.members(ofGroup: owner.pid) }) {
                if let p = Processes.process(pid), owner.maySignal(p.credentials) { ProcessSignals.send(info, to: p) }
            }
        }
    }
}
