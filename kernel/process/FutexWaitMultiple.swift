import LichenCore
import LichenAsyncRuntime
import _Concurrency

extension Futexes {
    /// futex_waitv's wait (Linux's futex_wait_multiple): queues one waiter per word, all sharing one
    /// wake-up, then checks each word; EAGAIN if one differs (unless a wake already reached an
    /// earlier one: its index is returned). Sleeps until a wake (returns the index of a woken word:
    /// the highest, as Linux), the deadline (ETIMEDOUT) or a signal (EINTR).
    static func waitMultiple(_ words: [(address: UserAddr, expected: UInt32, isPrivate: Bool)], deadline: Deadline?,
                             memory: ProcessMemory) async throws(Errno) -> Int {
        var keys: [FutexKey] = []
        for w in words { keys.append(try key(w.address, memory: memory, private: w.isPrivate)) }
        let woken = Event(false)
        let waiters = words.map { _ in FutexWaiter(woken: woken) }
        /// Dequeues the first `queued` waiters; the highest index a wake took, if any.
        func unqueueAll(_ queued: Int) -> Int? {
            var taken: Int? = nil
            table { t in for i in 0..<queued where !t.remove(waiters[i]) { taken = i } }
            return taken
        }
        let user = UserMemory(memory: memory)
        for (i, w) in words.enumerated() {
            table { $0.enqueue(waiters[i], key: keys[i]) }
            let value: UInt32
            do throws(Errno) { value = try user.load(UInt32.self, from: w.address) } catch {
                if let i = unqueueAll(i + 1) { return i }
                throw error
            }
            if value != w.expected {
                if let i = unqueueAll(i + 1) { return i }
                throw .EAGAIN
            }
        }
        do throws(WaitError) {
            try await woken.wait(until: { $0 }, timeout: deadline.map { WaitTimeout.at($0) })
        } catch {
            if let i = unqueueAll(words.count) { return i }   // a wake that came first wins
            throw error == .timedOut ? .ETIMEDOUT : .EINTR
        }
        return unqueueAll(words.count) ?? 0
    }
}
