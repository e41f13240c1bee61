import Synchronization
import Testing
@testable import LichenCore

/// Every Sync test runs in this suite, one at a time: the SpinLock tests install the global
/// interrupt/CPU hooks, and the contention tests want the host's cores to themselves.
@Suite(.serialized, .timeLimit(.minutes(1))) struct SyncTests {}

/// Polls `condition` until it holds (yielding, then sleeping 1 ms), failing the test after ~5 s.
func eventually(_ what: Comment = "condition", _ condition: () -> Bool,
                sourceLocation: SourceLocation = #_sourceLocation) async {
    for i in 0..<5_000 {
        if condition() { return }
        if i < 100 { await Task.yield() } else { try? await Task.sleep(for: .milliseconds(1)) }
    }
    Issue.record("timed out waiting for \(what)", sourceLocation: sourceLocation)
}

/// A timeout the test fires by hand: deterministic, no clock.
final class ManualTimeout: @unchecked Sendable {
    private let lock = SpinLock<(expiry: WaitExpiry?, arms: Int, disarms: Int)>((nil, 0, 0))

    var timeout: WaitTimeout {
        WaitTimeout { expiry in
            self.lock.withLock {
                $0.expiry = expiry
                $0.arms += 1
            }
            return { self.lock.withLock { $0.disarms += 1 } }
        }
    }

    var arms: Int { lock.withLock { $0.arms } }
    var disarms: Int { lock.withLock { $0.disarms } }

    func fire() {
        lock.withLock { $0.expiry }?.expire()
    }
}

/// Counts how many tasks are inside a critical section at once.
final class Occupancy: Sendable {
    private let inside = Atomic<Int>(0)
    private let maxSeen = Atomic<Int>(0)

    /// Enter, returning how many are inside now (including the caller).
    @discardableResult
    func enter() -> Int {
        let n = inside.add(1, ordering: .sequentiallyConsistent).newValue
        maxSeen.max(n, ordering: .relaxed)
        return n
    }

    func leave() { inside.subtract(1, ordering: .sequentiallyConsistent) }
    var current: Int { inside.load(ordering: .sequentiallyConsistent) }
    var maximum: Int { maxSeen.load(ordering: .relaxed) }
}

/// What a wait in a child task ended with, for #expect.
enum Ended<T: Equatable & Sendable>: Equatable, Sendable {
    case value(T)
    case error(WaitError)
}

func ended<T: Equatable & Sendable>(_ body: () async throws(WaitError) -> T) async -> Ended<T> {
    do { return .value(try await body()) } catch { return .error(error) }
}

/// A flag tasks can spin-yield on.
final class Flag: Sendable {
    private let bit = Atomic<Bool>(false)
    func set() { bit.store(true, ordering: .releasing) }
    var isSet: Bool { bit.load(ordering: .acquiring) }
}

/// `ended` for waits that return nothing: `.value(true)` when they return.
func ended(_ body: () async throws(WaitError) -> Void) async -> Ended<Bool> {
    do {
        try await body()
        return .value(true)
    } catch { return .error(error) }
}

/// An atomic integer tasks can share (a local `Atomic` cannot be captured by a task's closure).
final class SharedInt: Sendable {
    private let atomic: Atomic<Int>
    init(_ value: Int = 0) { atomic = Atomic(value) }
    func load() -> Int { atomic.load(ordering: .acquiring) }
    func store(_ v: Int) { atomic.store(v, ordering: .releasing) }
    @discardableResult func add(_ n: Int) -> Int { atomic.add(n, ordering: .acquiringAndReleasing).newValue }
    /// Decrements if positive; true if it did.
    func takeOne() -> Bool {
        var n = load()
        while n > 0 {
            let (done, seen) = atomic.compareExchange(expected: n, desired: n - 1, ordering: .acquiringAndReleasing)
            if done { return true }
            n = seen
        }
        return false
    }
}
