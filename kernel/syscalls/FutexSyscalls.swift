import LichenCore
import _Concurrency

/// futex (WAIT, WAKE, their BITSET forms, REQUEUE, CMP_REQUEUE, WAKE_OP), set_robust_list and
/// get_robust_list. The waiting and waking are in kernel/process/Futex.swift.
enum FutexSyscalls {
    private static let reported = ReportOnce(count: 16)

    static func set_robust_list(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let head = a.address(0), length = a[1]
        guard length == RobustList.headSize else { throw .EINVAL }
        a.thread.robustList = head
        return 0
    }

    static func get_robust_list(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let tid = a.int32(0), headPointer = a.address(1), lengthPointer = a.address(2)
        guard let thread = tid == 0 ? a.thread : Processes.thread(tid) else { throw .ESRCH }
        try a.user.store(RobustList.headSize, to: lengthPointer)
        try a.user.store(thread.robustList.value, to: headPointer)
        return 0
    }

    /// A wait with a timeout restarts through restart_syscall (the remaining time), anything else
    /// as ERESTARTSYS.
    static func restartKind(_ a: SyscallArguments) -> SyscallRestartKind? {
        let op = FutexOperation(a.int32(1)), timeout = a[3]
        return op.waits && timeout != 0 ? .restartBlock : .restartSys
    }

    static func futex(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let op = FutexOperation(a.int32(1))
        let memory = a.process.memory
        let address = a.address(0)
        guard op.clockFlagAllowed else { throw .ENOSYS }
        switch op.command {
        case FutexOperation.FUTEX_WAIT, FutexOperation.FUTEX_WAIT_BITSET:
            let bitset = op.command == FutexOperation.FUTEX_WAIT ? FutexOperation.matchAny : UInt32(truncatingIfNeeded: a[5])
            guard bitset != 0 else { throw .EINVAL }
            let deadline = a[3] == 0 ? nil : try deadline(try a.user.load(LinuxTimespec.self, from: a.address(3)), op)
            try await Futexes.wait(address, expected: UInt32(truncatingIfNeeded: a[2]), bitset: bitset, deadline: deadline,
                                   memory: memory, private: op.isPrivate)
            return 0
        case FutexOperation.FUTEX_WAKE, FutexOperation.FUTEX_WAKE_BITSET:
            let bitset = op.command == FutexOperation.FUTEX_WAKE ? FutexOperation.matchAny : UInt32(truncatingIfNeeded: a[5])
            guard bitset != 0 else { throw .EINVAL }
            return result(try Futexes.wake(address, memory: memory, private: op.isPrivate, count: Int(a.int32(2)), bitset: bitset))
        case FutexOperation.FUTEX_REQUEUE, FutexOperation.FUTEX_CMP_REQUEUE:
            // val2 (the number to requeue) travels in the timeout argument.
            let expected = op.command == FutexOperation.FUTEX_CMP_REQUEUE ? UInt32(truncatingIfNeeded: a[5]) : nil
            return result(try Futexes.requeue(address, to: a.address(4), memory: memory, private: op.isPrivate,
                                              wake: Int(a.int32(2)), requeue: Int(a.int32(3)), expected: expected))
        case FutexOperation.FUTEX_WAKE_OP:
            return result(try Futexes.wakeOp(address, to: a.address(4), memory: memory, private: op.isPrivate,
                                             count: Int(a.int32(2)), count2: Int(a.int32(3)),
                                             op: FutexWakeOp(UInt32(truncatingIfNeeded: a[5]))))
        default:
            reportUnimplemented(op.command)
            throw .ENOSYS
        }
    }

    /// WAIT's timeout is relative (CLOCK_MONOTONIC); WAIT_BITSET's is absolute, on CLOCK_REALTIME
    /// with FUTEX_CLOCK_REALTIME, else CLOCK_MONOTONIC. EINVAL for an invalid timespec.
    static func deadline(_ t: LinuxTimespec, _ op: FutexOperation) throws(Errno) -> Deadline {
        guard t.tv_sec >= 0, t.tv_nsec >= 0, t.tv_nsec < 1_000_000_000 else { throw .EINVAL }
        let (whole, overflow) = UInt64(t.tv_sec).multipliedReportingOverflow(by: 1_000_000_000)
        let ns = overflow ? UInt64.max : whole.addingReportingOverflow(UInt64(t.tv_nsec)).partialValue
        guard op.absoluteTimeout else { return .after(nanoseconds: ns) }
        return op.realtime ? .realtime(nanoseconds: ns) : .uptime(nanoseconds: ns)
    }

    private static func reportUnimplemented(_ command: Int32) {
        guard reported.first(Int(command & 15)) else { return }
        KernelLog.warning("futex operation " + Format.decimal(UInt64(UInt32(bitPattern: command))) + " is not implemented: ENOSYS")
    }
}
