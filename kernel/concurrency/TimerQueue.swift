import LichenCore
import LichenAsyncRuntime
import Synchronization
import _Concurrency

/// How a sleep ended.
enum SleepOutcome: Equatable {
    case elapsed
    /// The task was cancelled, or a timeout around the sleep expired.
    case cancelled
}

/// One pending wake-up. Owned by the waiting task (allocated and freed in task context); the queue and
/// the interrupt handler only link and unlink it.
struct TimerEntry {
    enum State: UInt32 { case idle, queued, firing, done, cancelled }
    enum Action {
        case resume(UnsafeContinuation<SleepOutcome, Never>)
        case interrupt(task: UnsafeMutableRawPointer, scope: UnsafeMutableRawPointer)
        /// Runs in the timer interrupt: must not allocate or block (WaitExpiry.expire()).
        case call(@Sendable () -> Void)
    }

    var deadline: Deadline
    var index = -1                      // position in the heap while queued
    var state = State.idle.rawValue     // accessed atomically where another CPU may look
    var action: Action?
    let cpu: Int                        // whose queue (and comparator) it belongs to

    static func make(_ deadline: Deadline) -> UnsafeMutablePointer<TimerEntry> {
        let entry = UnsafeMutablePointer<TimerEntry>.allocate(capacity: 1)
        entry.initialize(to: TimerEntry(deadline: deadline, action: nil, cpu: PerCPU.currentIndex))
        return entry
    }

    static func free(_ entry: UnsafeMutablePointer<TimerEntry>) {
        entry.deinitialize(count: 1)
        entry.deallocate()
    }
}

/// Per-CPU timer queues on the generic timer: a binary min-heap of entries by deadline, and the CPU's
/// own comparator (CNTV) armed for the earliest. The interrupt handler only pops expired entries and
/// resumes their tasks; it never allocates (the heap array grows in task context, on insert).
enum TimerQueue {
    private struct Queue {
        var heap: UnsafeMutablePointer<UnsafeMutablePointer<TimerEntry>>? = nil
        var count = 0
        var capacity = 0
    }

    nonisolated(unsafe) private static var queues = UnsafeMutablePointer<Queue>.allocate(capacity: PerCPU.maxCPUs)
    nonisolated(unsafe) private static var locks = UnsafeMutablePointer<LichenSpinLock>.allocate(capacity: PerCPU.maxCPUs)
    nonisolated(unsafe) private static var timer: GenericTimer? = nil
    /// Per CPU: when the running user thread's time slice ends (counter ticks; 0 = no slice).
    nonisolated(unsafe) private static var sliceEnds = UnsafeMutablePointer<UInt64>.allocate(capacity: PerCPU.maxCPUs)
    /// Per CPU: the armed slice end came from `armTimeSlice(wakeup: true)` (or was already earlier),
    /// so a task woken since needs no new arming (and no clock read) on every return to user mode.
    nonisolated(unsafe) private static var wakeupSlice = UnsafeMutablePointer<Bool>.allocate(capacity: PerCPU.maxCPUs)
    /// Per CPU: a slice ended and nothing has taken note (Linux's need_resched). When it ends in the
    /// kernel, its interrupt has no user code to preempt; the return to user mode yields instead.
    nonisolated(unsafe) private static var sliceOver = UnsafeMutablePointer<Bool>.allocate(capacity: PerCPU.maxCPUs)
    private static let interruptCount = Atomic<Int>(0)
    /// Timer interrupts taken, all CPUs.
    static var interrupts: Int { interruptCount.load(ordering: .relaxed) }
    /// Per CPU: 1 when the wall clock was set and this CPU's queue has wall-clock deadlines that moved
    /// (`rearmIfRequested`, from the wake IPI).
    nonisolated(unsafe) private static var rearmRequests = UnsafeMutablePointer<UInt32>.allocate(capacity: PerCPU.maxCPUs)
    /// When the handler last resumed a sleeping task (counter ticks; for the wake-up benchmark).
    nonisolated(unsafe) private(set) static var lastResumeTicks: UInt64 = 0

    static func start(_ generic: GenericTimer) {
        queues.initialize(repeating: Queue(), count: PerCPU.maxCPUs)
        sliceEnds.initialize(repeating: 0, count: PerCPU.maxCPUs)
        wakeupSlice.initialize(repeating: false, count: PerCPU.maxCPUs)
        sliceOver.initialize(repeating: false, count: PerCPU.maxCPUs)
        rearmRequests.initialize(repeating: 0, count: PerCPU.maxCPUs)
        locks.initialize(repeating: LichenSpinLock(), count: PerCPU.maxCPUs)
        timer = generic
        generic.disarm()
    }

    /// On a secondary CPU: its comparator's interrupt (a PPI, banked per CPU) must be enabled there.
    static func startOnThisCPU() {
        guard let timer else { return }
        timer.disarm()
        Interrupts.controller?.enable(timer.interrupt)
    }

    /// Queues `entry` on its CPU (the current one). False if it was cancelled before it got there.
    static func insert(_ entry: UnsafeMutablePointer<TimerEntry>) -> Bool {
        let cpu = entry.pointee.cpu
        while true {
            let daif = lichen_spin_lock_irqsave(locks + cpu)
            if entry.pointee.state == TimerEntry.State.cancelled.rawValue {
                lichen_spin_unlock_irqrestore(locks + cpu, daif)
                return false
            }
            if queues[cpu].count < queues[cpu].capacity {
                // Read under the lock: a clock_settime after this finds the entry queued and moves it.
                entry.pointee.deadline.follow(realtimeBase: RealtimeClock.base)
                entry.pointee.state = TimerEntry.State.queued.rawValue
                push(&queues[cpu], entry)
                if entry.pointee.index == 0 { armComparator(cpu) }
                lichen_spin_unlock_irqrestore(locks + cpu, daif)
                return true
            }
            let old = queues[cpu].capacity
            lichen_spin_unlock_irqrestore(locks + cpu, daif)
            grow(cpu, from: old)
        }
    }

    /// Takes `entry` out before it fires. Returns its action if it was queued (the caller performs it),
    /// nil if it already fired. An entry not queued yet is marked so that insert refuses it.
    static func cancel(_ entry: UnsafeMutablePointer<TimerEntry>) -> TimerEntry.Action? {
        let cpu = entry.pointee.cpu
        let daif = lichen_spin_lock_irqsave(locks + cpu)
        defer { lichen_spin_unlock_irqrestore(locks + cpu, daif) }
        switch TimerEntry.State(rawValue: entry.pointee.state) {
        case .queued:
            remove(&queues[cpu], at: entry.pointee.index)
            entry.pointee.state = TimerEntry.State.cancelled.rawValue
            return entry.pointee.action
        case .idle:
            entry.pointee.state = TimerEntry.State.cancelled.rawValue
            return nil
        default:
            return nil
        }
    }

    /// Cancels and, if the interrupt handler is performing the entry's action right now on another CPU,
    /// waits for it to finish, so the caller may free the entry. True if the entry fired.
    static func cancelAndWait(_ entry: UnsafeMutablePointer<TimerEntry>) -> Bool {
        if cancel(entry) != nil { return false }
        withUnsafeMutablePointer(to: &entry.pointee.state) { state in
            while lichen_atomic_load32(state) == TimerEntry.State.firing.rawValue { lichen_cpu_relax() }
        }
        return entry.pointee.state == TimerEntry.State.done.rawValue
    }

    /// The timer interrupt handler (IRQs masked).
    static func interrupt() {
        _ = interruptCount.add(1, ordering: .relaxed)
        expireDue()
    }

    /// Wakes everything on this CPU's queue whose deadline has passed, then re-arms the comparator
    /// for the next entry (IRQs masked).
    private static func expireDue() {
        guard let timer else { return }
        let cpu = PerCPU.currentIndex
        let now = timer.now
        while true {
            let daif = lichen_spin_lock_irqsave(locks + cpu)
            guard queues[cpu].count > 0, queues[cpu].heap![0].pointee.deadline.ticks <= now else {
                if sliceEnds[cpu] != 0 && sliceEnds[cpu] <= now {      // the slice is over
                    sliceEnds[cpu] = 0
                    wakeupSlice[cpu] = false
                    sliceOver[cpu] = true
                }
                armComparator(cpu)
                lichen_spin_unlock_irqrestore(locks + cpu, daif)
                return
            }
            let entry = queues[cpu].heap![0]
            remove(&queues[cpu], at: 0)
            let action = entry.pointee.action
            switch action {
            case .resume(let continuation)?:
                entry.pointee.state = TimerEntry.State.done.rawValue    // the woken task frees the entry
                lichen_spin_unlock_irqrestore(locks + cpu, daif)
                lastResumeTicks = Clock.ticks
                continuation.resume(returning: .elapsed)
            case .interrupt(let task, let scope)?:
                entry.pointee.state = TimerEntry.State.firing.rawValue  // its owner waits in cancelAndWait
                lichen_spin_unlock_irqrestore(locks + cpu, daif)
                lichen_task_interrupt_scope(task, scope)
                withUnsafeMutablePointer(to: &entry.pointee.state) { lichen_atomic_store32($0, TimerEntry.State.done.rawValue) }
            case .call(let body)?:
                entry.pointee.state = TimerEntry.State.firing.rawValue
                lichen_spin_unlock_irqrestore(locks + cpu, daif)
                body()
                withUnsafeMutablePointer(to: &entry.pointee.state) { lichen_atomic_store32($0, TimerEntry.State.done.rawValue) }
            case nil:
                entry.pointee.state = TimerEntry.State.done.rawValue
                lichen_spin_unlock_irqrestore(locks + cpu, daif)
            }
        }
    }

    /// The wall clock was set (RealtimeClock.set, after publishing its new base): every queued
    /// wall-clock deadline moves to where the new clock puts it, as Linux's clock_was_set does, so
    /// absolute CLOCK_REALTIME waits end when the clock is set past them. Clock setting is rare and
    /// privileged: one pass over every queue. Like Linux, it returns once every CPU has handled its
    /// queue's change (a wake IPI, `rearmIfRequested`), so waits that expired have been woken.
    static func clockWasSet() {
        let base = RealtimeClock.base
        for cpu in 0..<PerCPU.onlineCount {
            let daif = lichen_spin_lock_irqsave(locks + cpu)
            var moved = false
            for i in 0..<queues[cpu].count where queues[cpu].heap![i].pointee.deadline.realtime != 0 {
                queues[cpu].heap![i].pointee.deadline.follow(realtimeBase: base)
                moved = true
            }
            let local = cpu == PerCPU.currentIndex
            if moved {
                var i = queues[cpu].count / 2
                while i > 0 { i -= 1; siftDown(&queues[cpu], i) }
                if local { armComparator(cpu) } else { lichen_atomic_store32(rearmRequests + cpu, 1) }
            }
            lichen_spin_unlock_irqrestore(locks + cpu, daif)
            if moved && !local {
                PerCPU.wake(cpu)
                let deadline = Clock.ticks + Clock.frequency / 100      // 10 ms: IRQs are not masked longer
                while lichen_atomic_load32(rearmRequests + cpu) != 0 && Clock.ticks < deadline { lichen_cpu_relax() }
            }
        }
    }

    /// From the wake IPI's handler (IRQs masked): if a clock change moved this CPU's deadlines, wakes
    /// what is now due and re-arms the comparator.
    static func rearmIfRequested() {
        let cpu = PerCPU.currentIndex
        guard lichen_atomic_load32(rearmRequests + cpu) != 0 else { return }
        expireDue()
        lichen_atomic_store32(rearmRequests + cpu, 0)
    }

    /// Makes sure this CPU takes a timer interrupt within `nanoseconds`: user code that never traps gets
    /// preempted at the end of its slice (the interrupt ends `UserMode.run` with `.interrupted`).
    /// Whether this CPU has a time slice armed. Every slice end was armed as at most `Thread.timeSlice`
    /// after an earlier moment, so `armTimeSlice(Thread.timeSlice)` would then change nothing: the
    /// return to user mode skips it (and its clock read).
    /// `wakeup`: whether a slice armed by `armTimeSlice(wakeup: true)` (or ending earlier) is, the
    /// one a task woken on this CPU needs; a repeated arming would change nothing.
    static func sliceArmed(wakeup: Bool = false) -> Bool {
        guard timer != nil else { return true }
        let cpu = PerCPU.currentIndex
        return CPU.withInterruptsDisabled { sliceEnds[cpu] != 0 && (!wakeup || wakeupSlice[cpu]) }
    }

    /// Whether a slice ended on this CPU since the last call (only when `sliceArmed` is false: a slice
    /// that ends clears its arming). A thread that spends its slice in syscalls that never sleep
    /// takes almost every timer interrupt in the kernel, where tasks are not preempted: without this
    /// check it would re-arm and keep the CPU, and a woken process would never run.
    static func takeSliceOver() -> Bool {
        guard timer != nil else { return false }
        let cpu = PerCPU.currentIndex
        return CPU.withInterruptsDisabled { () -> Bool in
            let over = sliceOver[cpu]
            sliceOver[cpu] = false
            return over
        }
    }

    /// `wakeup`: the slice is a wake-up granularity for a woken task (`sliceArmed(wakeup:)`).
    static func armTimeSlice(nanoseconds: UInt64, wakeup: Bool = false) {
        guard timer != nil else { return }
        let cpu = PerCPU.currentIndex
        let end = Deadline.after(nanoseconds: nanoseconds).ticks
        // Most returns to user mode find an earlier slice end already armed: no lock then. Only this
        // CPU writes its slot, but its timer interrupt clears it when the slice ends: masked, so
        // that a slice ending between the check and user mode cannot leave the thread without one.
        let armedEarlier = CPU.withInterruptsDisabled { () -> Bool in
            let armed = sliceEnds[cpu]
            if armed != 0 && armed <= end {
                if wakeup { wakeupSlice[cpu] = true }
                return true
            }
            return false
        }
        if armedEarlier { return }
        let daif = lichen_spin_lock_irqsave(locks + cpu)
        if sliceEnds[cpu] == 0 || sliceEnds[cpu] > end {
            sliceEnds[cpu] = end
            wakeupSlice[cpu] = wakeup
            armComparator(cpu)
        } else if wakeup {
            wakeupSlice[cpu] = true                 // an interrupt armed an earlier end meanwhile
        }
        lichen_spin_unlock_irqrestore(locks + cpu, daif)
    }

    /// Arms this CPU's comparator for its earliest deadline: the queue's head or the time slice.
    /// Called with the CPU's queue lock held.
    private static func armComparator(_ cpu: Int) {
        guard let timer else { return }
        var next = queues[cpu].count > 0 ? queues[cpu].heap![0].pointee.deadline.ticks : UInt64.max
        if sliceEnds[cpu] != 0 { next = min(next, sliceEnds[cpu]) }
        if next == UInt64.max { timer.disarm() } else { timer.arm(deadline: next) }
    }

    /// Grows every CPU's heap to hold `capacity` entries now, so that later inserts do not allocate
    /// (and leak checks see a stable heap).
    static func reserve(_ capacity: Int) {
        for cpu in 0..<PerCPU.maxCPUs {
            while true {
                let daif = lichen_spin_lock_irqsave(locks + cpu)
                let current = queues[cpu].capacity
                lichen_spin_unlock_irqrestore(locks + cpu, daif)
                if current >= capacity { break }
                grow(cpu, from: current)
            }
        }
    }

    /// Entries queued on the current CPU (for tests).
    static var pending: Int {
        let cpu = PerCPU.currentIndex
        let daif = lichen_spin_lock_irqsave(locks + cpu)
        defer { lichen_spin_unlock_irqrestore(locks + cpu, daif) }
        return queues[cpu].count
    }

    // MARK: the heap (lock held)

    private static func grow(_ cpu: Int, from old: Int) {
        let capacity = max(64, old * 2)
        let bigger = UnsafeMutablePointer<UnsafeMutablePointer<TimerEntry>>.allocate(capacity: capacity)
        var unused: UnsafeMutablePointer<UnsafeMutablePointer<TimerEntry>>? = bigger
        let daif = lichen_spin_lock_irqsave(locks + cpu)
        if queues[cpu].capacity == old {
            if let heap = queues[cpu].heap { bigger.moveInitialize(from: heap, count: queues[cpu].count) }
            unused = queues[cpu].heap
            queues[cpu].heap = bigger
            queues[cpu].capacity = capacity
        }
        lichen_spin_unlock_irqrestore(locks + cpu, daif)
        unused?.deallocate()
    }

    private static func push(_ q: inout Queue, _ entry: UnsafeMutablePointer<TimerEntry>) {
        (q.heap! + q.count).initialize(to: entry)
        entry.pointee.index = q.count
        q.count += 1
        siftUp(&q, q.count - 1)
    }

    private static func remove(_ q: inout Queue, at index: Int) {
        let heap = q.heap!
        heap[index].pointee.index = -1
        q.count -= 1
        if index == q.count { return }
        heap[index] = heap[q.count]
        heap[index].pointee.index = index
        siftDown(&q, index)
        siftUp(&q, index)
    }

    private static func siftUp(_ q: inout Queue, _ start: Int) {
        let heap = q.heap!
        var i = start
        while i > 0 {
            let parent = (i - 1) / 2
            guard heap[i].pointee.deadline < heap[parent].pointee.deadline else { break }
            swapAt(heap, i, parent)
            i = parent
        }
    }

    private static func siftDown(_ q: inout Queue, _ start: Int) {
        let heap = q.heap!
        var i = start
        while true {
            let left = 2 * i + 1, right = left + 1
            var smallest = i
            if left < q.count && heap[left].pointee.deadline < heap[smallest].pointee.deadline { smallest = left }
            if right < q.count && heap[right].pointee.deadline < heap[smallest].pointee.deadline { smallest = right }
            if smallest == i { return }
            swapAt(heap, i, smallest)
            i = smallest
        }
    }

    private static func swapAt(_ heap: UnsafeMutablePointer<UnsafeMutablePointer<TimerEntry>>, _ a: Int, _ b: Int) {
        let t = heap[a]
        heap[a] = heap[b]
        heap[b] = t
        heap[a].pointee.index = a
        heap[b].pointee.index = b
    }
}
