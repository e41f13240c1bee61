import LichenCore
import _Concurrency

/// Signal delivery on the way back to user mode (Linux's do_signal): default actions, the
/// rt_sigframe for handlers, syscall restart, and rt_sigreturn.
extension Thread {
    /// Acts on every deliverable signal: terminates, stops (until SIGCONT), or pushes a handler frame
    /// (several handlers stack: the last pushed runs first, as on Linux).
    /// The common case on every return to user mode: nothing pending, no temporary mask to restore,
    /// no stop. One lock, checked before `deliverSignals` (an async call) is made at all.
    func signalsQuiet() -> Bool {
        if process.signals.current == quietGeneration { return true }
        let (quiet, generation) = process.signals.inspect { st -> Bool in
            // Field by field: a copy of the thread's state would retain and release its queue.
            let pending = st.threads[index].pending.signals.union(st.process.shared.signals)
            return pending.subtracting(st.threads[index].blocked).isEmpty && st.threads[index].savedBlocked == nil
                && !st.stopped
        }
        if quiet { quietGeneration = generation }
        return quiet
    }

    /// The signals whose default stop an orphaned process group discards.
    static let jobControlStops = SignalSet([.SIGTSTP, .SIGTTIN, .SIGTTOU])

    func deliverSignals() async {
        var restartPending = interruptedSyscall
        interruptedSyscall = nil
        if restartPending == nil && signalsQuiet() { return }
        // Whether the process group is orphaned (the process table's lock): asked only when a job-control
        // stop signal is pending, the only ones it changes (nextDelivery discards them then).
        var orphaned: Bool? = nil
        var fatal = LinuxSigInfo(signo: 0, code: 0)
        while !finished && !process.exiting {
            // Another thread took a stop signal: this one stops too (a group stop), until SIGCONT.
            if process.signals.withLock({ $0.stopped }) {
                if await waitWhileStopped() { continue } else { return }
            }
            switch deliverNext(restartPending: &restartPending, orphaned: orphaned, fatal: &fatal) {
            case .none:
                return
            case .orphanCheck:
                orphaned = Processes.withTable { t -> Bool in
                    guard let group = t.record(process.pid)?.pgid else { return false }
                    return t.isOrphaned(group: group)
                }
            case .handlerPushed:
                break
            case .pushFailed:
                // No room for the frame (bad stack): like Linux's force_sigsegv, the process dies.
                await ProcessLifecycle.exitGroup(self, event: .killed(.SIGSEGV, core: false))
                return
            case .stop(let s):
                await stopProcess(s)
            case .terminate(let s, let core):
                if SignalSet.synchronous.contains(s) && fatal.si_code > 0 {
                    KernelLog.noticeRateLimited(String(decoding: process.name, as: UTF8.self) + "[" + Format.decimal(UInt64(process.pid))
                                     + "]: " + signalName(s) + " at " + Format.hex(fatal.si_addr) + " pc " + Format.hex(context.pc))
                }
                // The core bit (WCOREDUMP) only when a core file was written (RLIMIT_CORE 0 by default).
                let dumped = core ? await CoreDump.write(self, info: fatal) : false
                await ProcessLifecycle.exitGroup(self, event: .killed(s, core: dumped))
                return
            }
        }
    }

    /// What `deliverNext` did, or leaves to its async caller.
    private enum DeliveryStep {
        case none, orphanCheck, handlerPushed, pushFailed
        case stop(Signal)
        case terminate(Signal, core: Bool)      // its siginfo in `fatal`
    }

    /// Takes the next deliverable signal and does the synchronous part of its delivery: a handler's
    /// frame is pushed here, so that the siginfo (128 bytes) and the handler frame stay on the kernel
    /// stack instead of being copied in and out of the async caller's frame. A terminating signal's
    /// siginfo goes to `fatal`.
    private func deliverNext(restartPending: inout InterruptedSyscall?, orphaned: Bool?,
                             fatal: inout LinuxSigInfo) -> DeliveryStep {
        // pid 1 is immune to default actions, except for its own faults (Linux's force_sig_info
        // clears SIGNAL_UNKILLABLE): an init that faults with no handler dies.
        let isInit = process.pid == 1
        let sp = context.sp
        let decided = process.signals.withLock { st -> (SignalDelivery, LinuxStack)? in
            if orphaned == nil && !st.threads[index].pending.signals.union(st.process.shared.signals)
                .intersection(Thread.jobControlStops).isEmpty { return nil }
            let alt = st.threads[index].altStack.linux(currentSP: sp)
            let faulted = !st.threads[index].pending.signals.intersection(.synchronous).isEmpty
            let d = st.process.nextDelivery(thread: &st.threads[index], userSP: sp, isInit: isInit && !faulted,
                                            orphanedProcessGroup: orphaned ?? false)
            if case .none = d, let saved = st.threads[index].savedBlocked {
                st.threads[index].blocked = saved           // rt_sigsuspend's mask, when no handler ran
                st.threads[index].savedBlocked = nil
            }
            if case .stop = d { st.stopped = true }
            return (d, alt)
        }
        guard let (delivery, altStack) = decided else { return .orphanCheck }
        switch delivery {
        case .none:
            if let r = restartPending { applyRestart(r, handlerFlags: nil) }
            return .none
        case .terminate(let s, let core, let info):
            fatal = info
            return .terminate(s, core: core)
        case .stop(let s, _):
            return .stop(s)
        case .handler(var frame):
            process.time.timerSignalDelivered(&frame.info, process: process, thread: self)
            if let r = restartPending { applyRestart(r, handlerFlags: frame.flags) }
            restartPending = nil
            return pushFrame(frame, altStack: altStack) ? .handlerPushed : .pushFailed
        }
    }

    /// Restart = re-execute the syscall instruction with the original first argument (the result
    /// overwrote it); otherwise the return value stays -EINTR.
    private func applyRestart(_ r: InterruptedSyscall, handlerFlags: SignalActionFlags?) {
        guard let kind = r.restart, kind.shouldRestart(handlerFlags: handlerFlags) else { return }
        context.setSyscallArgument(0, originalFirstArgument)
        context.rewindSyscall()
    }

    /// Group stop: tell the parent, stop the other threads (their syscalls end and restart after
    /// the continue), sleep until SIGCONT or SIGKILL clears `stopped`.
    private func stopProcess(_ s: Signal) async {
        if let parent = Processes.withTable({ $0.stop(process.pid, by: s) }) {
            ProcessSignals.notifyParent(parent, child: process.pid, uid: process.credentials.uid, event: .stopped(s))
        }
        for t in process.threads where t !== self { t.kick() }
        _ = await waitWhileStopped()
    }

    /// Sleeps while the process is stopped; false if the thread was interrupted (it is ending).
    private func waitWhileStopped() async -> Bool {
        while true {
            let generation = process.continued.value
            if !process.signals.withLock({ $0.stopped }) { return true }
            do { try await process.continued.wait(until: { $0 != generation }) } catch { return false }
        }
    }

    /// Builds the handler's frame below the chosen stack top and points the registers at it (the
    /// frame is the architecture's: kernel/arch/<arch>/SignalFrame.swift).
    private func pushFrame(_ f: SignalHandlerFrame, altStack: LinuxStack) -> Bool {
        withFrameScratch { scratch in
            SignalFrame.push(f, altStack: altStack, context: context, user: UserMemory(memory: memory),
                             sigreturn: Vdso.sigreturn.value, scratch: scratch)
        }
    }

    /// The thread's kept frame buffer (a temporary one if the heap could not supply it).
    private func withFrameScratch<R>(_ body: (UnsafeMutableRawBufferPointer) -> R) -> R {
        if let buffer = signalFrameBuffer() {
            return buffer.withBytes(nil) { (bytes: UnsafeMutableRawBufferPointer) throws(Never) -> R in body(bytes) }
        }
        return withUnsafeTemporaryAllocation(byteCount: SignalFrame.frameBytes, alignment: 16, body)
    }

    /// rt_sigreturn: the registers, FP/SIMD state, mask and alternate stack from the frame at sp.
    /// A frame that is unreadable or asks for anything but EL0t (a privilege escalation attempt) is
    /// fatal: SIGSEGV.
    func signalReturn() {
        if !restoreSignalFrame() {
            ProcessSignals.sendFault(LinuxSigInfo(signo: Signal.SIGSEGV.number, code: LinuxSigInfo.SI_KERNEL), to: self)
        }
    }

    /// signalReturn's work: the registers from the frame, then the mask and alternate stack.
    private func restoreSignalFrame() -> Bool {
        let user = UserMemory(memory: memory)
        guard let r = withFrameScratch({ SignalFrame.restore(context: context, user: user, scratch: $0) }) else { return false }
        discardLiveFP()
        process.signals.withLock { st in
            st.threads[index].blocked = r.mask.blockable
            try? st.threads[index].altStack.set(r.altStack, currentSP: r.sp, minimumSize: LinuxArch.minimumSignalStackSize)
        }
        return true
    }
}
