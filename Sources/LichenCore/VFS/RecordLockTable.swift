/// fcntl record locks (F_SETLK, F_OFD_SETLK): byte-range read and write locks on files named by
/// (device, inode). Pure data, as Linux's posix_lock_inode decides it: the kernel adds the waiting.
///
/// An owner's locks on a file are disjoint, sorted, and adjacent locks of one kind are merged; a new
/// request replaces whatever that owner held over its range (splitting locks it cuts). Owners'
/// groups keep the order in which they first locked the file, so "the first conflict" is Linux's.
public struct RecordLockTable: Sendable {
    public typealias FileKey = FlockTable.FileKey

    public enum Owner: Equatable, Sendable {
        /// POSIX locks (F_SETLK) belong to a process (its pid).
        case process(Int32)
        /// OFD locks (F_OFD_SETLK) belong to an open file description.
        case description(UInt)

        /// l_pid as F_GETLK reports the holder: -1 for OFD locks, as Linux.
        public var reportedPID: Int32 {
            if case .process(let pid) = self { return pid }
            return -1
        }
    }

    public typealias Kind = LockKind

    public struct Lock: Equatable, Sendable {
        public var file: FileKey
        public var owner: Owner
        public var kind: Kind
        public var range: LockRange
        public init(file: FileKey, owner: Owner, kind: Kind, range: LockRange) {
            self.file = file; self.owner = owner; self.kind = kind; self.range = range
        }
    }

    public enum Outcome: Equatable, Sendable {
        case granted
        /// Another owner's lock is in the way: wait (F_SETLKW) or EAGAIN.
        case blocked(by: Lock)
        /// Waiting would close a cycle of processes waiting for each other: EDEADLK.
        case deadlock
    }

    private var locks: [Lock] = []
    /// Processes waiting in F_SETLKW, one entry per waiting thread (`waiter`), with the owner in their way.
    private var waits: [(waiter: UInt64, owner: Owner, blocker: Owner)] = []
    /// Linux's MAX_DEADLK_ITERATIONS: longer wait chains are not searched.
    static let deadlockSearchDepth = 10

    public init() {}

    public var count: Int { locks.count }

    /// The locks on `file`, in table order.
    public func locks(on file: FileKey) -> [Lock] { locks.filter { $0.file == file } }

    public func holdsLocks(_ owner: Owner) -> Bool { locks.contains { $0.owner == owner } }

    /// F_GETLK: the first lock of another owner that would keep `owner` from taking `kind` over
    /// `range`. `kind` nil (F_OFD_GETLK with F_UNLCK): the first of the owner's own locks there.
    public func conflict(on file: FileKey, owner: Owner, kind: Kind?, range: LockRange) -> Lock? {
        guard let kind else {
            return locks.first { $0.file == file && $0.owner == owner && $0.range.overlaps(range) }
        }
        return locks.first { $0.file == file && $0.owner != owner && $0.range.overlaps(range)
                             && ($0.kind == .write || kind == .write) }
    }

    /// F_SETLK: takes `kind` over `range` for `owner`, or unlocks it (`kind` nil, always granted).
    /// With a `waiter` (F_SETLKW: the waiting thread's id), a blocked process is recorded as waiting
    /// for the holder, until it is granted, deadlocks, or calls `stopWaiting`.
    public mutating func set(on file: FileKey, owner: Owner, kind: Kind?, range: LockRange, waiter: UInt64? = nil) -> Outcome {
        if let kind, let holder = conflict(on: file, owner: owner, kind: kind, range: range) {
            guard let waiter, case .process = owner else { return .blocked(by: holder) }
            stopWaiting(waiter)
            if waitsCircularly(owner, blockedBy: holder.owner) { return .deadlock }
            waits.append((waiter, owner, holder.owner))
            return .blocked(by: holder)
        }
        if let waiter { stopWaiting(waiter) }
        replace(on: file, owner: owner, range: range, with: kind)
        return .granted
    }

    /// The thread's F_SETLKW ended without the lock (a signal).
    public mutating func stopWaiting(_ waiter: UInt64) {
        waits.removeAll { $0.waiter == waiter }
    }

    /// The owner's locks on `file` go (POSIX: the process closed a descriptor of the file).
    /// True if there were any.
    @discardableResult
    public mutating func release(on file: FileKey, owner: Owner) -> Bool {
        let before = locks.count
        locks.removeAll { $0.file == file && $0.owner == owner }
        return locks.count != before
    }

    /// All the owner's locks go (the process exited, the description was closed for the last time).
    @discardableResult
    public mutating func release(_ owner: Owner) -> Bool {
        let before = locks.count
        locks.removeAll { $0.owner == owner }
        return locks.count != before
    }

    // MARK: replacing an owner's locks over a range

    private mutating func replace(on file: FileKey, owner: Owner, range: LockRange, with kind: Kind?) {
        let isMine = { (l: Lock) in l.file == file && l.owner == owner }
        var pieces: [Lock] = []
        for old in locks where isMine(old) {
            guard old.range.overlaps(range) else { pieces.append(old); continue }
            // What the request does not cover stays (range.first > 0 and range.last < toEnd here).
            if old.range.first < range.first {
                pieces.append(Lock(file: file, owner: owner, kind: old.kind, range: LockRange(first: old.range.first, last: range.first - 1)))
            }
            if old.range.last > range.last {
                pieces.append(Lock(file: file, owner: owner, kind: old.kind, range: LockRange(first: range.last + 1, last: old.range.last)))
            }
        }
        if let kind { pieces.append(Lock(file: file, owner: owner, kind: kind, range: range)) }
        pieces.sort { $0.range.first < $1.range.first }
        var merged: [Lock] = []
        for piece in pieces {
            // Disjoint now: touching means adjacent ("first - 1" cannot overflow, first >= 0).
            if let last = merged.last, last.kind == piece.kind, last.range.last >= piece.range.first - 1 {
                merged[merged.count - 1].range.last = max(last.range.last, piece.range.last)
            } else {
                merged.append(piece)
            }
        }
        let position = locks.firstIndex(where: isMine) ?? locks.count
        locks.removeAll(where: isMine)
        locks.insert(contentsOf: merged, at: min(position, locks.count))
    }

    // MARK: deadlock detection (Linux's posix_locks_deadlock)

    /// Whether `owner` waiting for `blocker` closes a cycle: `blocker` waits for a process that waits
    /// ... for `owner`. Only processes are followed; OFD owners end the chain.
    private func waitsCircularly(_ owner: Owner, blockedBy blocker: Owner) -> Bool {
        var current = blocker
        for _ in 0..<RecordLockTable.deadlockSearchDepth {
            guard case .process = current,
                  let next = waits.first(where: { $0.owner == current })?.blocker else { return false }
            if next == owner { return true }
            current = next
        }
        return false
    }
}
