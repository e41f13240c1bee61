// Hooks through which the kernel lets the architecture-independent locks mask interrupts and name
// the current CPU. They are C function pointers (one word, no context), so reading them while the
// kernel installs them at boot can never see half a value. The defaults are right for the host,
// which has no interrupts and no notion of "this CPU".

/// How a `SpinLock` masks interrupts on the local CPU while it is held. A lock taken by a task must
/// not be wanted by an interrupt handler on the same CPU while the task holds it (that deadlocks),
/// so every spinlock saves and masks interrupts: it is then safe to share with handlers.
public enum InterruptMasking {
    /// Masks interrupts on this CPU and returns the previous mask state (aarch64: DAIF).
    nonisolated(unsafe) public static var disable: @convention(c) () -> UInt64 = { 0 }
    /// Restores the state `disable` returned (locks nest: only the outermost restore unmasks).
    nonisolated(unsafe) public static var restore: @convention(c) (UInt64) -> Void = { _ in }
}

/// Debugging aids for spinlocks.
public enum SpinLockDebug {
    /// Returned by `currentCPU` when the CPU is not known (the host).
    public static let unknownCPU: UInt32 = .max
    /// The index of the CPU running the caller. With it installed, a spinlock records its holder
    /// (`SpinLock.ownerCPU`) and traps at once on a recursive acquisition, which would otherwise
    /// spin forever with interrupts masked.
    nonisolated(unsafe) public static var currentCPU: @convention(c) () -> UInt32 = { SpinLockDebug.unknownCPU }
}

/// What a CPU does on each turn of a spin loop. The kernel installs Arm's `yield` hint: on real
/// hardware it frees pipeline resources, and under qemu (or any hypervisor) it lets the host run the
/// virtual CPU that holds the lock instead of spinning out a whole time slice.
public enum SpinWait {
    nonisolated(unsafe) public static var relax: @convention(c) () -> Void = {}
}
