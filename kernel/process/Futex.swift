import LichenCore
import LichenAsyncRuntime
import _Concurrency

/// A thread asleep in FUTEX_WAIT: the table dequeues it, then the waker sets `woken`.
final class FutexWaiter: FutexQueued, @unchecked Sendable {
    var queuedKey: FutexKey? = nil
    /// Set by the waker. futex_waitv's waiters share one.
    let woken: Event<Bool>
    init(woken: Event<Bool> = Event(false)) { self.woken = woken }
}

/// The kernel side of futexes: one wait table for the machine (LichenCore's FutexTable under a
/// spinlock), keys from user addresses, and the sleeping, waking and atomic user-word updates.
enum Futexes {
    /// The wait table. Contended by every lock and unlock of a process's threads: the unfair lock.
    private static let waiters = UnfairSpinLock(FutexTable<FutexWaiter>())

    /// The wait table, under its lock.
    static func table<R, E: Error>(_ body: (inout FutexTable<FutexWaiter>) throws(E) -> R) throws(E) -> R {
        try waiters.withLock { (table: inout FutexTable<FutexWaiter>) throws(E) -> R in try body(&table) }
    }

    /// The key of the word at `address` (get_futex_key): EINVAL if misaligned, EFAULT outside user
    /// space; a shared futex in a MAP_SHARED mapping is keyed by its frame (fault it in: EFAULT if
    /// that fails), anything else by the memory object and address.
    static func key(_ address: UserAddr, memory: ProcessMemory, private isPrivate: Bool) throws(Errno) -> FutexKey {
        guard address.value & 3 == 0 else { throw .EINVAL }
        guard address.rangeIsUser(count: 4) else { throw .EFAULT }
        let privateKey = FutexKey(space: UInt(bitPattern: ObjectIdentifier(memory)), address: address.value)
        if isPrivate { return privateKey }
        guard let area = memory.locked({ memory.map.area(containing: address) }) else { throw .EFAULT }
        guard area.sharing == .shared else { return privateKey }
        guard memory.handleFault(at: address, write: false, instruction: false).resolved,
              let frame = memory.locked({ memory.frame(at: address) }) else { throw .EFAULT }
        return FutexKey(space: 0, address: frame.value + address.pageOffset)
    }

    /// FUTEX_WAIT(_BITSET): sleeps while the word holds `expected`, until a matching wake, the
    /// deadline (ETIMEDOUT) or a signal (EINTR). EAGAIN at once if the word differs. The waiter is
    /// queued before the word is read, so a wake after the waker's store cannot be missed.
    static func wait(_ address: UserAddr, expected: UInt32, bitset: UInt32, deadline: Deadline?,
                     memory: ProcessMemory, private isPrivate: Bool) async throws(Errno) {
        let key = try key(address, memory: memory, private: isPrivate)
        let waiter = FutexWaiter()
        table { $0.enqueue(waiter, key: key, bitset: bitset) }
        let value: UInt32
        do throws(Errno) { value = try UserMemory(memory: memory).load(UInt32.self, from: address) } catch {
            _ = table { $0.remove(waiter) }
            throw error
        }
        guard value == expected else {
            _ = table { $0.remove(waiter) }
            throw .EAGAIN
        }
        do throws(WaitError) {
            try await waiter.woken.wait(until: { $0 }, timeout: deadline.map { WaitTimeout.at($0) })
        } catch {
            // A wake that dequeued us first wins: its wake-up must not be lost.
            guard table({ $0.remove(waiter) }) else { return }
            throw error == .timedOut ? .ETIMEDOUT : .EINTR
        }
    }

    /// FUTEX_WAKE(_BITSET): wakes up to `count` waiters; returns how many.
    @discardableResult
    static func wake(_ address: UserAddr, memory: ProcessMemory, private isPrivate: Bool, count: Int,
                     bitset: UInt32 = FutexOperation.matchAny) throws(Errno) -> Int {
        let key = try key(address, memory: memory, private: isPrivate)
        return wake(table { $0.wake(key, count: count, bitset: bitset) })
    }

    private static func wake(_ waiters: [FutexWaiter]) -> Int {
        for w in waiters { w.woken.update { $0 = true } }
        return waiters.count
    }

    /// FUTEX_REQUEUE / FUTEX_CMP_REQUEUE (`expected` set: EAGAIN unless the first word holds it,
    /// checked under the table lock). Returns how many were woken plus requeued.
    static func requeue(_ from: UserAddr, to: UserAddr, memory: ProcessMemory, private isPrivate: Bool,
                        wake count: Int, requeue: Int, expected: UInt32?) throws(Errno) -> Int {
        guard count >= 0, requeue >= 0 else { throw .EINVAL }
        let k1 = try key(from, memory: memory, private: isPrivate)
        let k2 = try key(to, memory: memory, private: isPrivate)
        let user = UserMemory(memory: memory)
        if expected != nil { _ = try user.load(UInt32.self, from: from) }      // fault it in outside the lock
        let r = try table { (t: inout FutexTable<FutexWaiter>) throws(Errno) -> (woken: [FutexWaiter], requeued: Int) in
            if let expected { guard try user.load(UInt32.self, from: from) == expected else { throw .EAGAIN } }
            return t.requeue(from: k1, to: k2, wake: count, requeue: requeue)
        }
        return wake(r.woken) + r.requeued
    }

    /// FUTEX_WAKE_OP: `*to = op(*to)` atomically, wake up to `count` on `address`, and up to
    /// `count2` on `to` if the old value passes op's comparison. ENOSYS for an unknown op or cmp.
    static func wakeOp(_ address: UserAddr, to: UserAddr, memory: ProcessMemory, private isPrivate: Bool,
                       count: Int, count2: Int, op: FutexWakeOp) throws(Errno) -> Int {
        guard op.apply(to: 0) != nil, op.compare(0) != nil else { throw .ENOSYS }
        let k1 = try key(address, memory: memory, private: isPrivate)
        let k2 = try key(to, memory: memory, private: isPrivate)
        let old = try update(to, memory: memory) { op.apply(to: $0) }
        var woken = wake(table { $0.wake(k1, count: count) })
        if op.compare(old) == true { woken += wake(table { $0.wake(k2, count: count2) }) }
        return woken
    }

    /// Atomically replaces the user word at `address` with `change(old)` (nil: leave it) and returns
    /// the old value. The page is made present and private-writable first (copy-on-write resolved);
    /// the update goes through the direct map under the memory lock, so the frame stays put.
    static func update(_ address: UserAddr, memory: ProcessMemory, _ change: (UInt32) -> UInt32?) throws(Errno) -> UInt32 {
        guard address.value & 3 == 0 else { throw .EINVAL }
        guard address.rangeIsUser(count: 4) else { throw .EFAULT }
        for _ in 0..<4 {
            guard memory.handleFault(at: address, write: true, instruction: false).resolved else { throw .EFAULT }
            let old = memory.locked { () -> UInt32? in
                guard let frame = memory.frame(at: address), let area = memory.map.area(containing: address),
                      area.protection.contains(.write),
                      area.sharing == .shared || PhysicalMemory.userReferences(frame) == 1 else { return nil }
                let word = KernelLayout.directMap(frame).value + address.pageOffset
                var current = UnsafePointer<UInt32>(bitPattern: UInt(word))!.pointee
                while true {
                    guard let new = change(current) else { return current }
                    let seen = lichen_atomic_cas32(word, current, new)
                    if seen == current { return current }
                    current = seen
                }
            }
            if let old { return old }                  // else another thread changed the page: again
        }
        throw .EFAULT
    }

    /// A thread ends: every robust lock it still holds is marked FUTEX_OWNER_DIED and a waiter woken.
    static func releaseRobustList(of thread: Thread) {
        let head = thread.robustList
        guard head.value != 0 else { return }
        let memory = thread.process.memory
        let user = UserMemory(memory: memory)
        let entries = RobustList.entries(head: head.value) { address -> UInt64? in
            address & 7 == 0 ? try? user.load(UInt64.self, from: UserAddr(address)) : nil
        }
        let tid = thread.tid
        for entry in entries {
            let word = UserAddr(entry.futex)
            guard let value = try? user.load(UInt32.self, from: word) else { continue }
            var wakeOne = false
            switch RobustList.death(of: tid, entry: entry, value: value) {
            case .none: continue
            case .wake: wakeOne = true
            case .store:
                _ = try? update(word, memory: memory) { current -> UInt32? in
                    guard case .store(let new, let w) = RobustList.death(of: tid, entry: entry, value: current) else { return nil }
                    wakeOne = w
                    return new
                }
            }
            if wakeOne { _ = try? wake(word, memory: memory, private: false, count: 1) }
        }
    }
}
