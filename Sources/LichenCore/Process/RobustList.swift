// Robust futexes (Linux's exit_robust_list): when a thread dies, every lock on its robust list that
// it still owns is marked FUTEX_OWNER_DIED, and a waiter is woken so the next locker learns of it
// (EOWNERDEAD from pthread_mutex_lock). The list lives in user memory:
//   struct robust_list_head { struct robust_list *next; long futex_offset; struct robust_list *pending; }
// Each entry points to the next (bit 0 set: a PI futex); the lock word is at entry + futex_offset.

public enum RobustList {
    public static let FUTEX_WAITERS: UInt32 = 0x8000_0000
    public static let FUTEX_OWNER_DIED: UInt32 = 0x4000_0000
    public static let FUTEX_TID_MASK: UInt32 = 0x3fff_ffff
    /// sizeof(struct robust_list_head): set_robust_list requires exactly this length.
    public static let headSize: UInt64 = 24
    /// ROBUST_LIST_LIMIT: a walk stops after this many entries (the list may be a cycle).
    public static let limit = 2048

    /// A lock word to release: its address, whether it is a PI futex, and whether it is the
    /// `list_op_pending` entry (a lock being taken or released when the thread died).
    public struct Entry: Equatable, Sendable {
        public var futex: UInt64
        public var pi: Bool
        public var pending: Bool
    }

    /// The lock words of the list at `head`, in list order, then the pending one. `read` returns the
    /// 64-bit word at an address, or nil if it cannot be read, which ends the walk (as Linux).
    public static func entries(head: UInt64, read: (UInt64) -> UInt64?) -> [Entry] {
        guard let first = read(head), let offsetWord = read(head &+ 8), let pendingWord = read(head &+ 16) else { return [] }
        let offset = offsetWord                         // a signed long: wrapping arithmetic below
        let pending = pendingWord & ~1
        var result: [Entry] = []
        var entry = first & ~1, pi = first & 1 != 0
        var left = limit
        while entry != head {
            let next = read(entry)
            if entry != pending { result.append(Entry(futex: entry &+ offset, pi: pi, pending: false)) }
            guard let next else { return result }
            entry = next & ~1
            pi = next & 1 != 0
            left -= 1
            if left == 0 { break }
        }
        if pending != 0 { result.append(Entry(futex: pending &+ offset, pi: pendingWord & 1 != 0, pending: true)) }
        return result
    }

    /// What the death of thread `tid` does to a lock word holding `value` (handle_futex_death).
    public enum Action: Equatable, Sendable {
        /// Not its lock (or a misaligned word): nothing.
        case none
        /// Only wake a waiter: a pending, unowned lock (the thread died between taking the futex
        /// and the word saying so).
        case wake
        /// Replace the word (keeping FUTEX_WAITERS, adding FUTEX_OWNER_DIED); wake one waiter if any.
        case store(UInt32, wake: Bool)
    }

    public static func death(of tid: Int32, entry: Entry, value: UInt32) -> Action {
        if entry.pending && !entry.pi && value == 0 { return .wake }
        guard value & FUTEX_TID_MASK == UInt32(bitPattern: tid) else { return .none }
        let waiters = value & FUTEX_WAITERS
        return .store(waiters | FUTEX_OWNER_DIED, wake: !entry.pi && waiters != 0)
    }
}
