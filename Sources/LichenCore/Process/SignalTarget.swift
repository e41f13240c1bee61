// Which thread takes a process-directed signal (Linux's complete_signal/wants_signal).

extension ProcessSignalState {
    /// The slot of the thread to wake for signal `s` sent to the whole process: the first of `slots`
    /// (the group's live threads, leader first) that does not block it; nil if every thread blocks
    /// it (it stays pending until one unblocks it or takes it with sigwait).
    public func target(for s: Signal, slots: [Int], threads: [ThreadSignalState]) -> Int? {
        slots.first { $0 < threads.count && !threads[$0].blocked.contains(s) }
    }

    /// The same over the group's live threads, allocating nothing (every kill asks it).
    public func target(for s: Signal, group: ThreadGroup, threads: [ThreadSignalState]) -> Int? {
        group.firstSlot { $0 < threads.count && !threads[$0].blocked.contains(s) }
    }
}
