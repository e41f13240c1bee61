import _Concurrency

/// A bounded FIFO channel between tasks. `send` sleeps while the buffer is full (backpressure),
/// `receive` while it is empty. `close()` wakes everyone: later and waiting sends fail with
/// `.closed`, receives drain what is buffered and then return nil.
///
/// Woken tasks re-check under the lock, so a task arriving meanwhile may take the slot or the
/// element first; nothing is lost, the woken task just sleeps again.
public final class Channel<Element>: @unchecked Sendable {
    private let lock = RawSpinLock()
    private var buffer: [Element?]  // ring, guarded by lock
    private var head = 0
    private var count = 0
    private var closed = false
    private var senders = WaitList()  // waiting for room
    private var receivers = WaitList()  // waiting for an element

    /// `capacity` elements can be buffered (at least 1).
    public init(capacity: Int) {
        precondition(capacity > 0, "Channel capacity must be at least 1")
        buffer = Array(repeating: nil, count: capacity)
    }

    public var capacity: Int { buffer.count }

    /// Elements buffered now (a snapshot).
    public var bufferedCount: Int { lock.withLock { count } }

    public var isClosed: Bool { lock.withLock { closed } }

    /// Tasks sleeping in `send` / `receive` now (snapshots, for tests and diagnostics).
    var waitingSenders: Int { lock.withLock { senders.count } }
    var waitingReceivers: Int { lock.withLock { receivers.count } }

    /// Appends `value`, sleeping while the channel is full.
    public func send(_ value: sending Element, timeout: WaitTimeout? = nil) async throws(ChannelError) {
        // An Optional box, because `attempt` may be called several times but must consume once.
        var pending: Element? = value
        let result = lock.withLock { trySendLocked(&pending) }
        if let result {
            if !result { throw .closed }
            return
        }
        let sent: Bool
        do {
            sent = try await blockingWait(
                interruptible: true, timeout: timeout,
                attempt: { node in
                    lock.withLock {
                        if let result = trySendLocked(&pending) { return result }
                        if let node { senders.append(node) }
                        return nil
                    }
                },
                unregister: { node in lock.withLock { senders.remove(node) } },
                onWake: { _ in nil })
        } catch {
            // No wake-up is lost here: one we took made the final re-check see room, unless a task
            // that came after it filled the room again.
            throw ChannelError(error)
        }
        if !sent { throw .closed }
    }

    /// Appends `value` if there is room now, never sleeping.
    public func trySend(_ value: sending Element) -> TrySendResult {
        var pending: Element? = value
        switch lock.withLock({ trySendLocked(&pending) }) {
        case .some(true): return .sent
        case .some(false): return .closed
        case .none: return .full
        }
    }

    public enum TrySendResult: Equatable, Sendable { case sent, full, closed }

    /// The oldest element, sleeping while the channel is empty; nil once it is closed and drained.
    public func receive(timeout: WaitTimeout? = nil) async throws(WaitError) -> Element? {
        if let result = lock.withLock({ tryReceiveLocked() }) { return result }
        return try await blockingWait(
            interruptible: true, timeout: timeout,
            attempt: { node in
                lock.withLock {
                    if let result = tryReceiveLocked() { return result }
                    if let node { receivers.append(node) }
                    return nil
                }
            },
            unregister: { node in lock.withLock { receivers.remove(node) } },
            onWake: { _ in nil })
    }

    /// The oldest element if one is buffered; `.some(nil)` once closed and drained; nil if empty.
    public func tryReceive() -> Element?? {
        lock.withLock { tryReceiveLocked() }
    }

    /// Closes the channel and wakes every waiting sender and receiver. Idempotent.
    public func close() {
        lock.withLock {
            closed = true
            senders.wakeAll()
            receivers.wakeAll()
        }
    }

    /// Lock held. true: sent (and a receiver woken); false: closed; nil: full.
    private func trySendLocked(_ pending: inout Element?) -> Bool? {
        if closed { return false }
        guard count < buffer.count else { return nil }
        buffer[(head + count) % buffer.count] = pending.take()
        count += 1
        receivers.wakeFirst()
        return true
    }

    /// Lock held. .some(element), .some(nil) when closed and drained, nil when empty.
    private func tryReceiveLocked() -> Element?? {
        if count == 0 { return closed ? .some(nil) : nil }
        let element = buffer[head].take()
        head = (head + 1) % buffer.count
        count -= 1
        senders.wakeFirst()
        return .some(element)
    }
}
