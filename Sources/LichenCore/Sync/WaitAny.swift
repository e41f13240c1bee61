import _Concurrency

/// Sleeps until any of `queues` wakes this task; returns the index of the queue that did. The task
/// is registered on every queue, resumed exactly once by whichever fires first (the others see it
/// already claimed and pass their wake-up on), and unregistered from all of them before returning.
/// This is the base of poll/select; with a queue the signal code wakes, it is also how a sleep is
/// interrupted by something other than cancellation.
///
/// Like `WaitQueue.wait()`, it does not remember wake-ups from before the call: to sleep until some
/// readiness condition holds, use `waitAny(_:until:timeout:)`.
public func waitAny(_ queues: [WaitQueue], timeout: WaitTimeout? = nil) async throws(WaitError) -> Int {
    let waiter = Waiter()
    let nodes = queues.indices.map { WaitNode(waiter, source: $0) }
    return try await blockingWait(
        waiter, interruptible: true, timeout: timeout,
        attempt: { (shouldRegister: Bool) -> Int? in
            if shouldRegister { register(nodes, on: queues) }
            return nil
        },
        unregister: { unregister(nodes, from: queues) },
        onWake: { source in source })
}

/// poll(): sleeps until `ready()` is true, re-checking it after any of `queues` wakes the task.
/// `ready` is evaluated without any queue lock, after the task is registered on all of them: a
/// waker that makes it true and then wakes one of the queues is either seen by the check or finds
/// the task registered (the queue locks order the two). Meant for broadcast (`wakeAll`) readiness:
/// a `wakeOne` consumed by a call that then finds `ready()` true is not passed on.
public func waitAny(_ queues: [WaitQueue], until ready: () -> Bool, timeout: WaitTimeout? = nil)
    async throws(WaitError)
{
    if ready() { return }
    let waiter = Waiter()
    let nodes = queues.indices.map { WaitNode(waiter, source: $0) }
    try await blockingWait(
        waiter, interruptible: true, timeout: timeout,
        attempt: { (shouldRegister: Bool) -> Void? in
            guard shouldRegister else { return ready() ? () : nil }
            register(nodes, on: queues)
            if ready() {
                unregister(nodes, from: queues)
                return ()
            }
            return nil
        },
        unregister: { unregister(nodes, from: queues) },
        onWake: { _ in nil })
}

private func register(_ nodes: [WaitNode], on queues: [WaitQueue]) {
    for (node, queue) in zip(nodes, queues) {
        queue.lock.withLock { queue.waiters.append(node) }
    }
}

private func unregister(_ nodes: [WaitNode], from queues: [WaitQueue]) {
    for (node, queue) in zip(nodes, queues) {
        queue.lock.withLock { queue.waiters.remove(node) }
    }
}
