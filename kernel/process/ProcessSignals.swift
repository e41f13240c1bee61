import LichenCore
import _Concurrency

/// Signal sending with default actions (handlers and the signal frame arrive with signal delivery).
enum ProcessSignals {
    /// Applies `signal`'s default action to every process in `group` (^C from the terminal).
    static func sendDefault(_ signal: Signal, toGroup group: Int32) async {
        let members = Processes.withTable { $0.members(ofGroup: group) }
        for pid in members { await sendDefault(signal, to: pid) }
    }

    static func sendDefault(_ signal: Signal, to pid: Int32) async {
        guard let target = Processes.process(pid), let thread = target.threads.first else { return }
        if target.signals.isIgnored(signal) && !signal.isUncatchable { return }
        switch signal.defaultAction {
        case .terminate, .core:
            if thread.currentSyscall != UInt64.max {
                KernelLog.debug("signal: pid " + Format.decimal(UInt64(pid)) + " killed in syscall " + Format.decimal(thread.currentSyscall))
            }
            await ProcessLifecycle.exitGroup(thread, event: .killed(signal, core: false))
            thread.interrupt()
        default:
            break
        }
    }
}
