import LichenCore
import LichenAsyncRuntime

/// Background process groups and their controlling terminal (Linux's __tty_check_change): a caller
/// in the terminal's session but outside its foreground group that reads (SIGTTIN), or writes with
/// TOSTOP, or changes the settings (SIGTTOU) has its group signalled and the call restarted once the
/// group runs again; with the signal ignored or blocked the call goes ahead (a read fails with EIO),
/// and an orphaned group, which nobody could continue, gets EIO.
extension Terminal {
    func checkBackground(_ signal: Signal) throws(Errno) {
        let (sid, foreground) = control.withLock { ($0.session, $0.foregroundGroup) }
        guard sid != 0, foreground > 0, let thread = CurrentThread.thread else { return }
        let p = thread.process, pid = p.pid
        guard let r = Processes.withTable({ t in t.record(pid) }), r.sid == sid, r.pgid != foreground else { return }
        let group = r.pgid
        let refused = p.signals.withLock { st -> Bool in
            if case .ignore = st.process.actions[signal].handler { return true }
            return thread.index < st.threads.count && st.threads[thread.index].blocked.contains(signal)
        }
        if refused {
            if signal == .SIGTTIN { throw .EIO }
            return
        }
        if Processes.withTable({ $0.isOrphaned(group: group) }) { throw .EIO }
        ProcessSignals.send(signal, toGroup: group)
        throw .EINTR                                        // restarted after the stop (ERESTARTSYS)
    }

    /// A write: SIGTTOU only with TOSTOP set.
    func checkBackgroundWrite() throws(Errno) {
        guard core.value.discipline.settings.has(local: TerminalSettings.TOSTOP) else { return }
        try checkBackground(.SIGTTOU)
    }
}
