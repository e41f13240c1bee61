import _Concurrency

/// The one sleeping loop under every blocking primitive. A primitive supplies three steps, each of
/// which takes the primitive's own lock(s):
/// - `attempt(register)`: if what the caller waits for is available, take it and return it;
///   otherwise, if `register`, link the waiter's node(s) in the primitive's wait list(s) and return
///   nil. Checking and linking under the same lock is what makes wake-ups impossible to lose: a
///   waker changes the state under that lock too, so it either ran before the check (which then
///   succeeds) or runs after the link (and finds the waiter).
/// - `unregister()`: unlink whatever node is still linked (a waker pops the node it wakes).
/// - `onWake(source)`: the waiter was woken through list `source`; return the result if the wake
///   itself is the answer (a lock handed over, `waitAny`), or nil to re-check with `attempt`.
///
/// Interruptible waits run inside `withTaskCancellationHandler`: cancelling the task claims the
/// waiter and throws `WaitError.interrupted`. The condition is checked one last time after an
/// interruption or timeout, so a wait whose condition holds always succeeds.
@inline(__always)
func blockingWait<R>(
    _ waiter: Waiter,
    interruptible: Bool,
    timeout: WaitTimeout?,
    attempt: (_ register: Bool) -> R?,
    unregister: () -> Void,
    onWake: (_ source: Int) -> R?
) async throws(WaitError) -> R {
    let end: WaitEnd<R>
    if interruptible {
        end = await withTaskCancellationHandler {
            // The runtime calls onCancel at once if the task is already cancelled; checking here
            // too keeps an already-cancelled task from sleeping whatever the runtime does.
            if Task.isCancelled { waiter.interrupt() }
            return await waitRounds(waiter, timeout, attempt, unregister, onWake)
        } onCancel: {
            waiter.interrupt()
        }
    } else {
        end = await waitRounds(waiter, timeout, attempt, unregister, onWake)
    }
    switch end {
    case .done(let result): return result
    case .failed(let error): throw error
    }
}

/// `blockingWait` for a one-list wait: the waiter is the node, taken from the CPU's keep and
/// offered back when the wait is over (a wait with a timeout keeps its own: a timer that fires
/// late may still hold it). `attempt` gets the node to link (nil: only check), `unregister` the
/// node to unlink; `kind` is the node's `kind`.
@inline(__always)
func blockingWait<R>(
    kind: UInt8 = 0,
    interruptible: Bool,
    timeout: WaitTimeout?,
    attempt: (_ register: WaitNode?) -> R?,
    unregister: (_ node: WaitNode) -> Void,
    onWake: (_ source: Int) -> R?
) async throws(WaitError) -> R {
    var waiter = timeout == nil ? Waiter.obtain(kind: kind) : Waiter(kind: kind)
    let end = await waitAsNode(waiter, interruptible, timeout, attempt, unregister, onWake)
    if timeout == nil { Waiter.recycle(&waiter) }
    switch end {
    case .done(let result): return result
    case .failed(let error): throw error
    }
}

/// The body of the one-list `blockingWait`, with the waiter borrowed: the caller's own reference
/// is then the only one left when the wait is over, which is what lets it be recycled.
@inline(never)  // keeps `waiter` borrowed, so the caller's reference is the only one at the end
private func waitAsNode<R>(
    _ waiter: Waiter,
    _ interruptible: Bool,
    _ timeout: WaitTimeout?,
    _ attempt: (_ register: WaitNode?) -> R?,
    _ unregister: (_ node: WaitNode) -> Void,
    _ onWake: (_ source: Int) -> R?
) async -> WaitEnd<R> {
    do throws(WaitError) {
        return .done(try await blockingWait(
            waiter, interruptible: interruptible, timeout: timeout,
            attempt: { register in attempt(register ? waiter : nil) },
            unregister: { unregister(waiter) },
            onWake: onWake))
    } catch {
        return .failed(error)
    }
}

/// The operation of `withTaskCancellationHandler` must not throw (Embedded Swift has no untyped
/// throws), so the loop reports through this and `blockingWait` throws the typed error.
private enum WaitEnd<R> {
    case done(R)
    case failed(WaitError)
}

@inline(__always)
private func waitRounds<R>(
    _ waiter: Waiter,
    _ timeout: WaitTimeout?,
    _ attempt: (_ register: Bool) -> R?,
    _ unregister: () -> Void,
    _ onWake: (_ source: Int) -> R?
) async -> WaitEnd<R> {
    var disarm: (@Sendable () -> Void)?
    defer { disarm?() }
    while true {
        waiter.beginRound()
        if waiter.isClaimed {  // interrupted or expired in an earlier round
            break
        }
        if let result = attempt(true) { return .done(result) }
        if disarm == nil, let timeout {
            disarm = timeout.arm(WaitExpiry(waiter: waiter))
        }
        await waiter.suspend()
        unregister()
        if case .woken(let source) = waiter.outcome {
            if let result = onWake(source) { return .done(result) }
            continue
        }
        break
    }
    if let result = attempt(false) { return .done(result) }
    return .failed(waiter.outcome == .timedOut ? .timedOut : .interrupted)
}
