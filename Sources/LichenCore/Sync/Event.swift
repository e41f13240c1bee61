import _Concurrency

/// State that tasks wait on with predicates: a condition variable with its state built in.
/// `update` changes the state and wakes every waiter; each re-checks its own predicate under the
/// lock and goes back to sleep if it is still false. Because predicates and updates use the same
/// lock, a waiter can never miss an update that made its predicate true.
public final class Event<State>: @unchecked Sendable {
    private let queue = WaitQueue()
    private var state: State  // guarded by queue.lock

    public init(_ initialState: State) {
        state = initialState
    }

    /// Sleeps until `predicate(state)` is true. The predicate runs under a spinlock: keep it short.
    /// An `interruptible` wait ends early (`.interrupted`) when the task is cancelled.
    @inline(__always)
    public func wait(until predicate: (State) -> Bool, timeout: WaitTimeout? = nil,
                     interruptible: Bool = true) async throws(WaitError) {
        try await queue.wait(until: { predicate(state) }, timeout: timeout, interruptible: interruptible)
    }

    /// Sleeps until `take` returns a value and returns it. `take` runs under the lock and may
    /// change the state, so checking and consuming are one step (e.g. take a token if one is left).
    @inline(__always)
    public func wait<R>(for take: (inout State) -> R?, timeout: WaitTimeout? = nil) async throws(WaitError) -> R {
        var taken: R?
        try await queue.wait(until: {
            taken = take(&state)
            return taken != nil
        }, timeout: timeout)
        return taken.unsafelyUnwrapped
    }

    /// Changes the state under the lock, then wakes all waiters to re-check their predicates.
    @discardableResult
    public func update<R>(_ body: (inout State) -> R) -> R {
        let result = queue.locked { body(&state) }
        queue.wakeAll()
        return result
    }

    /// `update`, telling the queue's watchers (epoll) which poll events may have changed.
    @discardableResult
    public func update<R>(reporting events: PollEvents, _ body: (inout State) -> R) -> R {
        let result = queue.locked { body(&state) }
        queue.wakeAll(reporting: events)
        return result
    }

    /// `update(reporting:)` that wakes nobody when `body` returns nil (it changed nothing): the
    /// syscalls' instant attempts, which leave a call that would wait to the sleeping path.
    public func tryUpdate<R>(reporting events: PollEvents, _ body: (inout State) -> R?) -> R? {
        let result = queue.locked { body(&state) }
        if result != nil { queue.wakeAll(reporting: events) }
        return result
    }

    /// What `body` reads of the state, under the lock: a field without copying the whole state
    /// (copying a state that holds references retains and releases every one).
    public func read<R>(_ body: (State) -> R) -> R {
        queue.locked { body(state) }
    }

    /// The current state (a snapshot).
    public var value: State {
        queue.locked { state }
    }

    /// The queue `update` wakes: for poll, which sleeps on several at once (`waitAny`).
    public var waitQueue: WaitQueue { queue }

    /// Tasks waiting now (a snapshot).
    public var waiterCount: Int { queue.waiterCount }
}
