import LichenCore
import LinuxABIAArch64
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

    func deliverSignals() async {
        var restartPending = interruptedSyscall
        interruptedSyscall = nil
        if restartPending == nil && signalsQuiet() { return }
        while !finished && !process.exiting {
            // Another thread took a stop signal: this one stops too (a group stop), until SIGCONT.
            if process.signals.withLock({ $0.stopped }) {
                if await waitWhileStopped() { continue } else { return }
            }
            let orphaned = Processes.withTable { t -> Bool in
                guard let group = t.record(process.pid)?.pgid else { return false }
                return t.isOrphaned(group: group)
            }
            // pid 1 is immune to default actions, except for its own faults (Linux's force_sig_info
            // clears SIGNAL_UNKILLABLE): an init that faults with no handler dies.
            let isInit = process.pid == 1
            let sp = context.sp
            let (delivery, altStack) = process.signals.withLock { st -> (SignalDelivery, LinuxStack) in
                let alt = st.threads[index].altStack.linux(currentSP: sp)
                let faulted = !st.threads[index].pending.signals.intersection(.synchronous).isEmpty
                let d = st.process.nextDelivery(thread: &st.threads[index], userSP: sp, isInit: isInit && !faulted,
                                                orphanedProcessGroup: orphaned)
                if case .none = d, let saved = st.threads[index].savedBlocked {
                    st.threads[index].blocked = saved           // rt_sigsuspend's mask, when no handler ran
                    st.threads[index].savedBlocked = nil
                }
                if case .stop = d { st.stopped = true }
                return (d, alt)
            }
            switch delivery {
            case .none:
                if let r = restartPending { applyRestart(r, handlerFlags: nil) }
                return
            case .terminate(let s, let core, let info):
                if SignalSet.synchronous.contains(s) && info.si_code > 0 {
                    KernelLog.noticeRateLimited(String(decoding: process.name, as: UTF8.self) + "[" + Format.decimal(UInt64(process.pid))
                                     + "]: " + signalName(s) + " at " + Format.hex(info.si_addr) + " pc " + Format.hex(context.pc))
                }
                // No core file is written, so no core bit (WCOREDUMP) either: what Linux reports with
                // RLIMIT_CORE 0, its default for init.
                _ = core
                await ProcessLifecycle.exitGroup(self, event: .killed(s, core: false))
                return
            case .stop(let s, _):
                await stopProcess(s)
            case .handler(var frame):
                process.time.timerSignalDelivered(&frame.info, process: process, thread: self)
                if let r = restartPending { applyRestart(r, handlerFlags: frame.flags) }
                restartPending = nil
                if !pushFrame(frame, altStack: altStack) {
                    // No room for the frame (bad stack): like Linux's force_sigsegv, the process dies.
                    await ProcessLifecycle.exitGroup(self, event: .killed(.SIGSEGV, core: false))
                    return
                }
            }
        }
    }

    /// Restart = re-execute the syscall instruction with the original first argument (the result
    /// overwrote it); otherwise the return value stays -EINTR.
    private func applyRestart(_ r: InterruptedSyscall, handlerFlags: SignalActionFlags?) {
        guard let kind = r.restart, kind.shouldRestart(handlerFlags: handlerFlags) else { return }
        context.setSyscallArgument(0, originalX0)
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

    /// Builds the rt_sigframe below the chosen stack top and points the registers at the handler.
    private func pushFrame(_ f: SignalHandlerFrame, altStack: LinuxStack) -> Bool {
        guard let (frameAddress, record) = LinuxRtSigframe.placement(below: f.stackTop) else { return false }
        let isFault = SignalSet.synchronous.contains(f.signal) && f.info.si_code > 0
        let user = UserMemory(memory: memory)
        do throws(Errno) {
            // The used part of the frame (~1.1 KiB), built on the kernel stack and copied out once.
            try withUnsafeTemporaryAllocation(byteCount: LinuxRtSigframe.usedBytes, alignment: 16) {
                (frame: UnsafeMutableRawBufferPointer) throws(Errno) in
                LinuxSignalFrameBytes.write(into: frame, info: f.info, savedMask: f.savedMask.bits, altStack: altStack,
                                            registers: UnsafeRawPointer(context.registers), sp: context.sp, pc: context.pc,
                                            pstate: context.pstate, faultAddress: isFault ? f.info.si_addr : 0,
                                            fpState: UnsafeRawPointer(context.fpState), esr: isFault ? context.esr : nil)
                try user.write(UnsafeRawBufferPointer(frame), to: UserAddr(frameAddress))
            }
            try user.store(context.framePointer, to: UserAddr(record))
            try user.store(context.returnAddress, to: UserAddr(record + 8))
        } catch { return false }
        let entry = LinuxRtSigframe.entryRegisters(signal: f.signal.number, siginfo: f.flags.contains(.siginfo),
                                                  frame: frameAddress, record: record, handler: f.handler,
                                                  restorer: f.flags.contains(.restorer) ? f.restorer : Vdso.sigreturn.value)
        context.setCallArgument(0, entry.x0)
        if let x1 = entry.x1 { context.setCallArgument(1, x1) }
        if let x2 = entry.x2 { context.setCallArgument(2, x2) }
        context.framePointer = entry.x29
        context.returnAddress = entry.x30
        context.sp = entry.sp
        context.pc = entry.pc
        return true
    }

    /// rt_sigreturn: the registers, FP/SIMD state, mask and alternate stack from the frame at sp.
    /// A frame that is unreadable or asks for anything but EL0t (a privilege escalation attempt) is
    /// fatal: SIGSEGV.
    func signalReturn() async {
        if !restoreSignalFrame() {
            ProcessSignals.sendFault(LinuxSigInfo(signo: Signal.SIGSEGV.number, code: LinuxSigInfo.SI_KERNEL), to: self)
        }
    }

    /// signalReturn's work, synchronous so that the frame's bytes live on the kernel stack rather
    /// than in an async frame (which the task allocator would take from the heap each time).
    @inline(never)
    private func restoreSignalFrame() -> Bool {
        let user = UserMemory(memory: memory)
        let address = context.sp
        guard address & 15 == 0 else { return false }
        // Only the used part of the frame is read (a valid record list fits in it).
        return withUnsafeTemporaryAllocation(byteCount: LinuxRtSigframe.usedBytes, alignment: 16) {
            (frame: UnsafeMutableRawBufferPointer) -> Bool in
            guard (try? user.read(frame, from: UserAddr(address))) != nil,
                  let r = LinuxSignalFrameBytes.restore(from: UnsafeRawBufferPointer(frame)) else { return false }
            context.registers.update(from: (frame.baseAddress! + LinuxSignalFrameBytes.regs).assumingMemoryBound(to: UInt64.self), count: 31)
            context.sp = r.sp
            context.pc = r.pc
            context.pstate = r.pstate
            context.fpState.copyMemory(from: frame.baseAddress! + r.vectorOffset, byteCount: 512)
            context.fpState.storeBytes(of: UInt64(r.fpcr), toByteOffset: 512, as: UInt64.self)
            context.fpState.storeBytes(of: UInt64(r.fpsr), toByteOffset: 520, as: UInt64.self)
            FPState.forget(context)                 // the CPU's copy is stale: reload before user mode
            process.signals.withLock { st in
                st.threads[index].blocked = SignalSet(bits: r.mask).blockable
                try? st.threads[index].altStack.set(r.altStack, currentSP: r.sp, minimumSize: LinuxArch.minimumSignalStackSize)
            }
            return true
        }
    }
}
