/// One waiter's place in one wait list. A one-list wait links its `Waiter` itself (a `Waiter` is a
/// node: one object per wait); a waiter waiting on several lists (`waitAny`) has one extra node per
/// list, and `source` tells it which list woke it.
class WaitNode: @unchecked Sendable {
    /// The waiter of an extra node; nil when this node is the waiter itself.
    private let owner: Waiter?
    let source: Int
    /// Free for the primitive's use (RwLock: reader or writer); set again when a waiter is reused.
    var kind: UInt8
    fileprivate var next: WaitNode?
    fileprivate var prev: WaitNode?
    /// True while in a list; read and written only under that list's lock.
    fileprivate(set) var isLinked = false

    /// An extra node of `waiter` (waitAny).
    init(_ waiter: Waiter, source: Int = 0, kind: UInt8 = 0) {
        owner = waiter
        self.source = source
        self.kind = kind
    }

    /// The node part of a `Waiter`.
    init(waiterKind kind: UInt8) {
        owner = nil
        source = 0
        self.kind = kind
    }

    var waiter: Waiter { owner ?? unsafeDowncast(self, to: Waiter.self) }

    /// True when its waiter's round is already over: the node is dead and only waits to be unlinked.
    var isStale: Bool { waiter.isClaimed }
}

/// A FIFO of waiting nodes, intrusive and doubly linked: O(1) append, pop and removal of a
/// cancelled waiter from the middle. Not synchronised: the owning primitive's spinlock guards it.
/// Links are strong both ways; a node is always unlinked before its wait returns, so no cycle
/// outlives a wait.
///
/// Wakers pop a node and claim its waiter in one critical section of the owning lock. So once a
/// waiting task has taken that lock to unregister, no wake-up through this list can still reach it
/// late (which lets a `Waiter` be reused for the next round). The last reference to a node may be
/// dropped by a waker, so the kernel heap must accept frees from wherever wakers run.
struct WaitList {
    private(set) var first: WaitNode?
    private var last: WaitNode?
    private(set) var count = 0

    var isEmpty: Bool { first == nil }

    mutating func append(_ node: WaitNode) {
        precondition(!node.isLinked, "WaitNode linked twice")
        node.prev = last
        node.next = nil
        if let last { last.next = node } else { first = node }
        last = node
        node.isLinked = true
        count += 1
    }

    /// Unlinks `node` if it is still linked (a waker may have popped it already).
    mutating func remove(_ node: WaitNode) {
        guard node.isLinked else { return }
        if let prev = node.prev { prev.next = node.next } else { first = node.next }
        if let next = node.next { next.prev = node.prev } else { last = node.prev }
        node.prev = nil
        node.next = nil
        node.isLinked = false
        count -= 1
    }

    mutating func removeFirst() -> WaitNode? {
        guard let node = first else { return nil }
        remove(node)
        return node
    }

    /// Drops dead nodes (interrupted or timed-out waiters, not yet unlinked) from the head.
    mutating func dropStaleHead() {
        while let node = first, node.isStale { remove(node) }
    }

    /// Wakes the first waiter that takes the wake-up; waiters claimed meanwhile by something else
    /// (cancellation, timeout, another list) are skipped, so the wake-up is never lost on them.
    @discardableResult
    mutating func wakeFirst() -> WaitNode? {
        while let node = removeFirst() {
            if node.waiter.wake(source: node.source) { return node }
        }
        return nil
    }

    /// Wakes every waiter; returns how many took the wake-up.
    @discardableResult
    mutating func wakeAll() -> Int {
        var woken = 0
        while let node = removeFirst() {
            if node.waiter.wake(source: node.source) { woken += 1 }
        }
        return woken
    }
}
