import Testing
@testable import LichenCore

@Suite struct ProcessSignalTests {
    @Test func numbersAndDefaultActions() {
        #expect(Signal(0) == nil && Signal(65) == nil && Signal(64) == .SIGRTMAX)
        #expect(Signal.SIGCHLD.number == 17 && Signal.SIGSTOP.number == 19 && Signal.SIGSYS.number == 31)
        for s: Signal in [.SIGHUP, .SIGINT, .SIGKILL, .SIGUSR1, .SIGUSR2, .SIGPIPE, .SIGALRM, .SIGTERM, .SIGSTKFLT,
                          .SIGVTALRM, .SIGPROF, .SIGIO, .SIGPWR, .SIGRTMIN, .SIGRTMAX] {
            #expect(s.defaultAction == .terminate)
        }
        for s: Signal in [.SIGQUIT, .SIGILL, .SIGTRAP, .SIGABRT, .SIGBUS, .SIGFPE, .SIGSEGV, .SIGXCPU, .SIGXFSZ, .SIGSYS] {
            #expect(s.defaultAction == .core)
        }
        for s: Signal in [.SIGCHLD, .SIGURG, .SIGWINCH] { #expect(s.defaultAction == .ignore) }
        for s: Signal in [.SIGSTOP, .SIGTSTP, .SIGTTIN, .SIGTTOU] { #expect(s.defaultAction == .stop && s.isStop) }
        #expect(Signal.SIGCONT.defaultAction == .continue)
        #expect(Signal.SIGRTMIN.isRealtime && !Signal.SIGSYS.isRealtime)
    }

    @Test func setsAndSigprocmask() throws {
        var s = SignalSet([.SIGINT, .SIGKILL, .SIGRTMAX])
        #expect(s.bits == (UInt64(1) << 1) | (UInt64(1) << 8) | (UInt64(1) << 63))
        #expect(s.signals == [.SIGINT, .SIGKILL, .SIGRTMAX] && s.lowest == .SIGINT)
        s.remove(.SIGINT)
        #expect(s.lowest == .SIGKILL && s.blockable == SignalSet([.SIGRTMAX]))
        let blocked = try SignalSet.empty.applying(how: SignalSet.SIG_BLOCK, .all)
        #expect(!blocked.contains(.SIGKILL) && !blocked.contains(.SIGSTOP) && blocked.contains(.SIGTERM))
        #expect(try blocked.applying(how: SignalSet.SIG_UNBLOCK, SignalSet([.SIGTERM])).contains(.SIGTERM) == false)
        #expect(try blocked.applying(how: SignalSet.SIG_SETMASK, SignalSet([.SIGSTOP, .SIGHUP])) == SignalSet([.SIGHUP]))
        #expect(throws: Errno.EINVAL) { try blocked.applying(how: 3, .empty) }
    }

    @Test func sigactionRules() throws {
        var table = SignalActionTable()
        #expect(throws: Errno.EINVAL) { try table.change(.SIGKILL, to: SignalAction(handler: .ignore)) }
        #expect(throws: Errno.EINVAL) { try table.change(.SIGSTOP, to: SignalAction(handler: .function(0x1000))) }
        #expect(try table.change(.SIGKILL, to: nil) == .default)   // reading is fine
        let old = try table.change(.SIGUSR1, to: SignalAction(handler: .function(0x1000), mask: .all))
        #expect(old == .default && !table[.SIGUSR1].mask.contains(.SIGKILL))
        #expect(table.isIgnored(.SIGCHLD) && !table.isIgnored(.SIGUSR1) && !table.isIgnored(.SIGTERM))
        try table.change(.SIGTERM, to: SignalAction(handler: .ignore))
        #expect(table.isIgnored(.SIGTERM))
        table.resetForExec()
        #expect(table[.SIGUSR1] == .default && table[.SIGTERM].handler == .ignore)
    }

    @Test func standardSignalsCoalesceRealtimeQueue() {
        var p = PendingSignals()
        var ok = p.add(LinuxSigInfo.kill(signo: 10, pid: 5, uid: 0))
        #expect(ok)
        ok = p.add(LinuxSigInfo.kill(signo: 10, pid: 6, uid: 0))
        #expect(!ok)
        ok = p.add(LinuxSigInfo.queued(signo: 40, pid: 7, uid: 0, value: 1))
        #expect(ok)
        ok = p.add(LinuxSigInfo.queued(signo: 40, pid: 7, uid: 0, value: 2))
        #expect(ok)
        #expect(p.queuedCount == 3)
        var info = p.dequeue(.SIGUSR1)
        #expect(info?.si_pid == 5 && !p.contains(.SIGUSR1))
        info = p.dequeue(Signal(40)!)
        #expect(info?.si_value == 1 && p.contains(Signal(40)!))
        info = p.dequeue(Signal(40)!)
        #expect(info?.si_value == 2 && !p.contains(Signal(40)!))
        info = p.dequeue(Signal(40)!)
        #expect(info == nil)
        // Queue full: sigqueue'd real-time signals are refused, kill()'d ones still recorded.
        ok = p.add(LinuxSigInfo.queued(signo: 41, pid: 1, uid: 0, value: 0), queueFull: true)
        #expect(!ok)
        ok = p.add(LinuxSigInfo.kill(signo: 41, pid: 1, uid: 0), queueFull: true)
        #expect(ok)
        info = p.dequeue(Signal(41)!)
        #expect(info?.si_code == LinuxSigInfo.SI_USER && p.isEmpty)
    }

    @Test func nextSignalPrefersSynchronousThenLowest() {
        var p = PendingSignals()
        for n: Int32 in [15, 2, 11, 40] { p.add(LinuxSigInfo(signo: n, code: 0)) }
        #expect(p.next(blocked: .empty) == .SIGSEGV)
        #expect(p.next(blocked: SignalSet([.SIGSEGV])) == .SIGINT)
        #expect(p.next(blocked: SignalSet([.SIGSEGV, .SIGINT, .SIGTERM])) == Signal(40))
        #expect(p.next(blocked: .all) == nil)
    }

    func state(threads n: Int = 1) -> (ProcessSignalState, [ThreadSignalState]) {
        (ProcessSignalState(), Array(repeating: ThreadSignalState(), count: n))
    }

    @Test func sendingRespectsIgnoreButKeepsBlocked() throws {
        var (p, threads) = state()
        #expect(p.send(LinuxSigInfo.kill(signo: 17, pid: 2, uid: 0), to: nil, threads: &threads) == .ignored)  // SIGCHLD default
        try p.setAction(.SIGUSR1, SignalAction(handler: .ignore), threads: &threads)
        #expect(p.send(LinuxSigInfo.kill(signo: 10, pid: 2, uid: 0), to: nil, threads: &threads) == .ignored)
        threads[0].blocked = SignalSet([.SIGUSR1])
        #expect(p.send(LinuxSigInfo.kill(signo: 10, pid: 2, uid: 0), to: nil, threads: &threads) == .queued)
        #expect(p.send(LinuxSigInfo.kill(signo: 10, pid: 3, uid: 0), to: nil, threads: &threads) == .coalesced)
        // Installing SIG_IGN discards the pending one.
        try p.setAction(.SIGUSR2, SignalAction(handler: .function(0x10)), threads: &threads)
        #expect(p.send(LinuxSigInfo.kill(signo: 12, pid: 2, uid: 0), to: 0, threads: &threads) == .queued)
        try p.setAction(.SIGUSR2, SignalAction(handler: .ignore), threads: &threads)
        try p.setAction(.SIGUSR1, SignalAction(handler: .ignore), threads: &threads)
        #expect(threads[0].pending.isEmpty && p.shared.isEmpty)
        // init ignores signals it has no handler for, SIGKILL included.
        #expect(p.send(LinuxSigInfo.kill(signo: 9, pid: 2, uid: 0), to: nil, threads: &threads, isInit: true) == .ignored)
        #expect(p.send(LinuxSigInfo.kill(signo: 15, pid: 2, uid: 0), to: nil, threads: &threads, isInit: true) == .ignored)
    }

    @Test func stopAndContinueCancelEachOther() {
        var (p, threads) = state(threads: 2)
        threads[0].blocked = .all.blockable
        threads[1].blocked = .all.blockable
        _ = p.send(LinuxSigInfo.kill(signo: 20, pid: 2, uid: 0), to: nil, threads: &threads)
        _ = p.send(LinuxSigInfo.kill(signo: 22, pid: 2, uid: 0), to: 1, threads: &threads)
        #expect(p.shared.contains(.SIGTSTP) && threads[1].pending.contains(.SIGTTOU))
        _ = p.send(LinuxSigInfo.kill(signo: 18, pid: 2, uid: 0), to: nil, threads: &threads)
        #expect(!p.shared.contains(.SIGTSTP) && !threads[1].pending.contains(.SIGTTOU) && p.shared.contains(.SIGCONT))
        _ = p.send(LinuxSigInfo.kill(signo: 19, pid: 2, uid: 0), to: nil, threads: &threads)
        #expect(!p.shared.contains(.SIGCONT) && p.shared.contains(.SIGSTOP))
    }

    @Test func deliveryOrderAndDefaultActions() {
        var (p, threads) = state()
        for n: Int32 in [15, 2] { _ = p.send(LinuxSigInfo.kill(signo: n, pid: 2, uid: 0), to: nil, threads: &threads) }
        _ = p.send(LinuxSigInfo.fault(signo: 11, code: 1, address: 8), to: 0, threads: &threads)
        _ = p.send(LinuxSigInfo.kill(signo: 9, pid: 2, uid: 0), to: nil, threads: &threads)
        guard case .terminate(.SIGKILL, false, _) = p.nextDelivery(thread: &threads[0], userSP: 0) else { Issue.record(); return }
        guard case .terminate(.SIGSEGV, true, let info) = p.nextDelivery(thread: &threads[0], userSP: 0) else { Issue.record(); return }
        #expect(info.si_addr == 8)
        guard case .terminate(.SIGINT, false, _) = p.nextDelivery(thread: &threads[0], userSP: 0) else { Issue.record(); return }
        guard case .terminate(.SIGTERM, false, _) = p.nextDelivery(thread: &threads[0], userSP: 0) else { Issue.record(); return }
        guard case .none = p.nextDelivery(thread: &threads[0], userSP: 0) else { Issue.record(); return }
        // Stops; discarded in an orphaned group except SIGSTOP; SIGCONT/SIGWINCH skipped.
        for n: Int32 in [18, 28, 20] { _ = p.send(LinuxSigInfo.kill(signo: n, pid: 2, uid: 0), to: nil, threads: &threads) }
        guard case .none = p.nextDelivery(thread: &threads[0], userSP: 0, orphanedProcessGroup: true) else { Issue.record(); return }
        _ = p.send(LinuxSigInfo.kill(signo: 21, pid: 2, uid: 0), to: nil, threads: &threads)
        guard case .stop(.SIGTTIN, _) = p.nextDelivery(thread: &threads[0], userSP: 0) else { Issue.record(); return }
        // init: default actions other than SIGKILL/SIGSTOP are skipped.
        _ = p.send(LinuxSigInfo.kill(signo: 15, pid: 2, uid: 0), to: nil, threads: &threads)
        guard case .none = p.nextDelivery(thread: &threads[0], userSP: 0, isInit: true) else { Issue.record(); return }
    }

    @Test func handlerEntryMaskAndFlags() throws {
        var (p, threads) = state()
        threads[0].blocked = SignalSet([.SIGHUP])
        try p.setAction(.SIGUSR1, SignalAction(handler: .function(0x1000), flags: [.siginfo, .restorer, .resetHand],
                                               mask: SignalSet([.SIGUSR2]), restorer: 0x2000), threads: &threads)
        _ = p.send(LinuxSigInfo.kill(signo: 10, pid: 7, uid: 0), to: nil, threads: &threads)
        guard case .handler(let f) = p.nextDelivery(thread: &threads[0], userSP: 0x7000) else { Issue.record(); return }
        #expect(f.signal == .SIGUSR1 && f.handler == 0x1000 && f.restorer == 0x2000 && f.info.si_pid == 7)
        #expect(f.savedMask == SignalSet([.SIGHUP]) && f.stackTop == 0x7000 && !f.onAlternateStack)
        #expect(threads[0].blocked == SignalSet([.SIGHUP, .SIGUSR2, .SIGUSR1]))
        // SA_RESETHAND: the handler goes back to SIG_DFL, the flags stay (sigaction still reports SA_SIGINFO).
        #expect(p.actions[.SIGUSR1].handler == .default && p.actions[.SIGUSR1].flags.contains(.siginfo))
        // SA_NODEFER leaves the signal itself unblocked.
        threads[0].blocked = .empty
        try p.setAction(.SIGUSR2, SignalAction(handler: .function(0x1000), flags: [.noDefer]), threads: &threads)
        _ = p.send(LinuxSigInfo.kill(signo: 12, pid: 7, uid: 0), to: nil, threads: &threads)
        guard case .handler = p.nextDelivery(thread: &threads[0], userSP: 0x7000) else { Issue.record(); return }
        #expect(threads[0].blocked.isEmpty)
        // rt_sigsuspend's temporary mask is what the handler's frame saves.
        threads[0].blocked = SignalSet([.SIGTERM])
        threads[0].suspend(with: SignalSet([.SIGKILL]))
        #expect(threads[0].blocked.isEmpty && threads[0].savedBlocked == SignalSet([.SIGTERM]))
        _ = p.send(LinuxSigInfo.kill(signo: 12, pid: 7, uid: 0), to: nil, threads: &threads)
        guard case .handler(let g) = p.nextDelivery(thread: &threads[0], userSP: 0x7000) else { Issue.record(); return }
        #expect(g.savedMask == SignalSet([.SIGTERM]) && threads[0].savedBlocked == nil)
    }

    @Test func temporaryMaskRestoredWithoutInterruption() {
        var t = ThreadSignalState()
        t.blocked = SignalSet([.SIGCHLD])
        t.suspend(with: .empty)                 // pselect6's mask unblocks SIGCHLD for the sleep
        #expect(t.blocked.isEmpty)
        t.restoreSavedMask()                    // it returned without EINTR: the original comes back
        #expect(t.blocked == SignalSet([.SIGCHLD]) && t.savedBlocked == nil)
        t.restoreSavedMask()                    // nothing saved: no change
        #expect(t.blocked == SignalSet([.SIGCHLD]))
    }

    @Test func alternateStack() throws {
        var (p, threads) = state()
        var alt = SignalAltStack()
        let minimum: UInt64 = 5120   // arm64's MINSIGSTKSZ
        #expect(alt.linux(currentSP: 0).ss_flags == LinuxStack.SS_DISABLE)
        #expect(throws: Errno.ENOMEM) { try alt.set(LinuxStack(ss_sp: 0x10000, ss_size: 4096), currentSP: 0, minimumSize: minimum) }
        #expect(throws: Errno.EINVAL) { try alt.set(LinuxStack(ss_sp: 0x10000, ss_flags: 4, ss_size: 8192), currentSP: 0, minimumSize: minimum) }
        try alt.set(LinuxStack(ss_sp: 0x10000, ss_size: 0x4000), currentSP: 0x7000_0000, minimumSize: minimum)
        #expect(alt.isOnStack(0x13000) && !alt.isOnStack(0x10000) && alt.isOnStack(0x14000) && !alt.isOnStack(0x14001))
        #expect(alt.linux(currentSP: 0x13000).ss_flags == LinuxStack.SS_ONSTACK)
        #expect(throws: Errno.EPERM) { try alt.set(LinuxStack(ss_flags: LinuxStack.SS_DISABLE), currentSP: 0x13000, minimumSize: minimum) }
        threads[0].altStack = alt
        try p.setAction(.SIGSEGV, SignalAction(handler: .function(0x1000), flags: [.onStack]), threads: &threads)
        p.sendFault(LinuxSigInfo.fault(signo: 11, code: 1, address: 0), to: 0, threads: &threads)
        guard case .handler(let f) = p.nextDelivery(thread: &threads[0], userSP: 0x7000_0000) else { Issue.record(); return }
        #expect(f.onAlternateStack && f.stackTop == 0x14000)
        // Already on the alternate stack (a nested signal after rt_sigreturn restored the mask): stay on it.
        threads[0].blocked = f.savedMask
        p.sendFault(LinuxSigInfo.fault(signo: 11, code: 1, address: 0), to: 0, threads: &threads)
        guard case .handler(let g) = p.nextDelivery(thread: &threads[0], userSP: 0x12000) else { Issue.record(); return }
        #expect(!g.onAlternateStack && g.stackTop == 0x12000)
        try alt.set(LinuxStack(ss_flags: LinuxStack.SS_DISABLE), currentSP: 0x7000_0000, minimumSize: minimum)
        #expect(!alt.isEnabled)
    }

    @Test func faultsOverrideIgnoreAndBlock() throws {
        var (p, threads) = state()
        try p.setAction(.SIGSEGV, SignalAction(handler: .ignore), threads: &threads)
        threads[0].blocked = SignalSet([.SIGBUS])
        p.sendFault(LinuxSigInfo.fault(signo: 11, code: 2, address: 0x10), to: 0, threads: &threads)
        guard case .terminate(.SIGSEGV, true, _) = p.nextDelivery(thread: &threads[0], userSP: 0) else { Issue.record(); return }
        p.sendFault(LinuxSigInfo.fault(signo: 7, code: 2, address: 0x10), to: 0, threads: &threads)
        #expect(!threads[0].blocked.contains(.SIGBUS))
        guard case .terminate(.SIGBUS, true, _) = p.nextDelivery(thread: &threads[0], userSP: 0) else { Issue.record(); return }
    }

    @Test func sigchldDispositions() throws {
        var t = SignalActionTable()
        #expect(t.childExitNotification(exitSignal: .SIGCHLD) == (.SIGCHLD, false))
        #expect(t.notifiesChildStopContinue)
        try t.change(.SIGCHLD, to: SignalAction(handler: .function(0x10), flags: [.noChildWait, .noChildStop]))
        #expect(t.childExitNotification(exitSignal: .SIGCHLD) == (.SIGCHLD, true))
        #expect(!t.notifiesChildStopContinue)
        try t.change(.SIGCHLD, to: SignalAction(handler: .ignore))
        #expect(t.childExitNotification(exitSignal: .SIGCHLD) == (nil, true))
        #expect(t.childExitNotification(exitSignal: .SIGUSR1) == (.SIGUSR1, false))
        #expect(t.childExitNotification(exitSignal: nil) == (nil, false))
    }

    @Test func execResetsHandlersAndFlushesIgnored() throws {
        var (p, threads) = state()
        try p.setAction(.SIGUSR1, SignalAction(handler: .function(0x10)), threads: &threads)
        try p.setAction(.SIGUSR2, SignalAction(handler: .ignore), threads: &threads)
        threads[0].blocked = SignalSet([.SIGUSR1, .SIGUSR2, .SIGCHLD])
        for n: Int32 in [10, 12, 17] { _ = p.send(LinuxSigInfo.kill(signo: n, pid: 1, uid: 0), to: nil, threads: &threads) }
        threads[0].altStack.base = 0x1000; threads[0].altStack.size = 0x8000
        p.exec(threads: &threads)
        #expect(p.actions[.SIGUSR1] == .default && p.actions[.SIGUSR2].handler == .ignore)
        #expect(p.shared.signals == SignalSet([.SIGUSR1]) && !threads[0].altStack.isEnabled)
        #expect(threads[0].blocked.contains(.SIGUSR2))
    }

    @Test func syscallRestartRules() {
        #expect(SyscallRestartKind.restartSys.shouldRestart(handlerFlags: [.restart]))
        #expect(!SyscallRestartKind.restartSys.shouldRestart(handlerFlags: []))
        #expect(SyscallRestartKind.restartSys.shouldRestart(handlerFlags: nil))
        #expect(SyscallRestartKind.restartNoIntr.shouldRestart(handlerFlags: []))
        #expect(!SyscallRestartKind.restartNoHand.shouldRestart(handlerFlags: [.restart]))
        #expect(SyscallRestartKind.restartBlock.shouldRestart(handlerFlags: nil))
        #expect(!SyscallRestartKind.restartBlock.shouldRestart(handlerFlags: [.restart]))
    }

    @Test func sigpendingAndSigtimedwait() {
        var (p, threads) = state(threads: 2)
        threads[0].blocked = SignalSet([.SIGUSR1, .SIGUSR2, Signal(40)!])
        _ = p.send(LinuxSigInfo.kill(signo: 10, pid: 3, uid: 0), to: nil, threads: &threads)
        _ = p.send(LinuxSigInfo.queued(signo: 40, pid: 3, uid: 0, value: 9), to: 0, threads: &threads)
        _ = p.send(LinuxSigInfo.kill(signo: 12, pid: 3, uid: 0), to: 1, threads: &threads)
        #expect(p.sigpending(threads[0]) == SignalSet([.SIGUSR1, Signal(40)!]))
        #expect(p.sigpending(threads[1]) == .empty)    // thread 1 blocks nothing: nothing "pending" for it
        // The thread's own signal first, then the shared one; only signals of the set.
        var info = p.take(from: SignalSet([.SIGUSR1, Signal(40)!]), thread: &threads[0])
        #expect(info?.si_signo == 40 && info?.si_value == 9)
        info = p.take(from: SignalSet([.SIGHUP]), thread: &threads[0])
        #expect(info == nil)
        info = p.take(from: SignalSet([.SIGUSR1, .SIGKILL]), thread: &threads[0])
        #expect(info?.si_signo == 10 && info?.si_pid == 3)
        info = p.take(from: .all, thread: &threads[0])
        #expect(info == nil)
    }
}
