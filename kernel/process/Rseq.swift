import LichenCore

/// Restartable sequences: rseq(2), and the thread's work on its way back to user mode (called from
/// Thread.run): the CPU fields of the user's struct rseq when the CPU changed (or right after
/// registration), and the abort of a critical section (rseq_cs) that a preemption or a signal
/// interrupted. A user struct that cannot be read or written is SIGSEGV, as Linux.
extension Thread {
    /// Before returning to user mode, for a registered thread.
    func rseqReturnToUser() {
        if rseq.eventPending { rseqAbortCriticalSection() }
        let cpu = PerCPU.currentIndex
        guard rseq.writtenCPU != cpu else { return }
        rseq.writtenCPU = cpu
        if !writeRseqCPU(UInt32(cpu), start: UInt32(cpu)) { rseqFault() }
    }

    /// Before a signal is delivered (Linux's rseq_signal_deliver): the handler's frame then saves
    /// the abort address, not one inside the critical section.
    func rseqBeforeSignal() {
        rseq.eventPending = true
        rseqAbortCriticalSection()
    }

    /// Moves the pc to the critical section's abort handler if it is inside one, and clears rseq_cs.
    private func rseqAbortCriticalSection() {
        rseq.eventPending = false
        let user = UserMemory(memory: memory)
        let base = UserAddr(rseq.address)
        guard let csAddress = try? user.load(UInt64.self, from: base + RseqRegistration.csOffset) else { return rseqFault() }
        guard csAddress != 0 else { return }
        // struct rseq_cs { u32 version, flags; u64 start_ip, post_commit_offset, abort_ip; }
        let cs = UserAddr(csAddress)
        guard let version = try? user.load(UInt32.self, from: cs), let start = try? user.load(UInt64.self, from: cs + 8),
              let length = try? user.load(UInt64.self, from: cs + 16), let abort = try? user.load(UInt64.self, from: cs + 24),
              version == 0, UserAddr(start).rangeIsUser(count: 1), UserAddr(abort).rangeIsUser(count: 1),
              abort &- start >= length, abort >= 4,
              let signature = try? user.load(UInt32.self, from: UserAddr(abort - 4)), signature == rseq.signature
        else { return rseqFault() }
        let inside = RseqRegistration.inCriticalSection(pc: context.pc, start: start, postCommitOffset: length)
        guard (try? user.store(UInt64(0), to: base + RseqRegistration.csOffset)) != nil else { return rseqFault() }
        if inside { context.pc = abort }
    }

    /// cpu_id_start, cpu_id, node_id and mm_cid (the CPU's index: one concurrency id per CPU).
    func writeRseqCPU(_ cpu: UInt32, start: UInt32) -> Bool {
        let user = UserMemory(memory: memory)
        let base = UserAddr(rseq.address)
        do throws(Errno) {
            try user.store(start, to: base + RseqRegistration.cpuIDStartOffset)
            try user.store(cpu, to: base + RseqRegistration.cpuIDOffset)
            try user.store(UInt32(0), to: base + RseqRegistration.nodeIDOffset)
            try user.store(start, to: base + RseqRegistration.mmCIDOffset)
            return true
        } catch {
            return false
        }
    }

    private func rseqFault() {
        fault(.SIGSEGV, code: LinuxSigInfo.SI_KERNEL, address: UserAddr(0))
    }
}

enum RseqSyscalls {
    /// rseq(rseq, rseq_len, flags, sig).
    static func rseq(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let address = a.address(0), length = a.uint32(1), flags = a.int32(2), signature = a.uint32(3)
        let thread = a.thread
        var r = thread.rseq
        let unregistering = flags & RseqRegistration.RSEQ_FLAG_UNREGISTER != 0
        if !unregistering && !r.isRegistered && flags == 0 {
            // The checks before access_ok, then access_ok (EFAULT).
            var probe = r
            _ = try probe.request(address: address.value, length: length, flags: 0, signature: signature)
            guard address.rangeIsUser(count: Int(length)) else { throw .EFAULT }
        }
        if unregistering && r.isRegistered && r.address == address.value && r.length == length && r.signature == signature {
            // Linux resets the user's CPU fields first: a fault there is EFAULT, still registered.
            guard thread.writeRseqCPU(RseqRegistration.cpuIDUninitialized, start: 0) else { throw .EFAULT }
        }
        _ = try r.request(address: address.value, length: length, flags: flags, signature: signature)
        thread.rseq = r
        return 0
    }
}
