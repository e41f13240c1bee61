/// fcntl leases (F_SETLEASE): an open file description's claim to be told before anyone else opens
/// its file (a write lease: any open; a read lease: an open for writing). Such an open "breaks" the
/// lease: the holder is signalled and the opener waits until the holder gives the lease up (or
/// downgrades it), or until lease-break-time passes and the lease is taken away. Pure data, as
/// Linux's generic_add_lease and __break_lease decide it: the kernel adds signals and waiting.
public struct LeaseTable: Sendable {
    public typealias FileKey = FlockTable.FileKey

    public typealias Kind = LockKind

    public struct Lease: Equatable, Sendable {
        public var file: FileKey
        public var holder: UInt
        public var kind: Kind
        /// Being broken: what the holder must come down to (nil: give it up), and by when.
        public var breaking: (to: Kind?, deadline: UInt64)? = nil

        public static func == (a: Lease, b: Lease) -> Bool {
            a.file == b.file && a.holder == b.holder && a.kind == b.kind
                && a.breaking?.to == b.breaking?.to && a.breaking?.deadline == b.breaking?.deadline
        }
    }

    /// The other open descriptions of a file, as F_SETLEASE checks them (Linux's check_conflicting_open).
    public struct OtherOpens: Equatable, Sendable {
        public var readers: Int
        public var writers: Int
        public init(readers: Int, writers: Int) { self.readers = readers; self.writers = writers }
    }

    private var leases: [Lease] = []

    public init() {}

    public var count: Int { leases.count }

    /// F_GETLEASE: the holder's lease (during a break, what it must come down to); nil for F_UNLCK.
    public func lease(on file: FileKey, holder: UInt) -> Kind? {
        guard let l = leases.first(where: { $0.file == file && $0.holder == holder }) else { return nil }
        if let breaking = l.breaking { return breaking.to }
        return l.kind
    }

    /// F_SETLEASE with F_RDLCK, F_WRLCK or F_UNLCK (`kind` nil). EAGAIN: a read lease on a file open for
    /// writing (the holder's own description included), a write lease on a file open elsewhere or
    /// leased by another, a new lease while another is being given up, or F_UNLCK without a lease.
    public mutating func set(on file: FileKey, holder: UInt, kind: Kind?, holderWrites: Bool, others: OtherOpens) throws(Errno) {
        let mine = leases.firstIndex { $0.file == file && $0.holder == holder }
        guard let kind else {
            guard let mine else { throw .EAGAIN }
            leases.remove(at: mine)
            return
        }
        switch kind {
        case .read: if holderWrites || others.writers > 0 { throw .EAGAIN }
        case .write: if others.readers > 0 || others.writers > 0 { throw .EAGAIN }
        }
        for l in leases where l.file == file && l.holder != holder {
            if kind == .write || (l.breaking != nil && l.breaking!.to == nil) { throw .EAGAIN }
        }
        if let mine {
            // Coming down to a read lease ends a downgrade; a break asking for F_UNLCK goes on.
            leases[mine].kind = kind
            if kind == .read, let breaking = leases[mine].breaking, breaking.to == .read { leases[mine].breaking = nil }
        } else {
            leases.append(Lease(file: file, holder: holder, kind: kind))
        }
    }

    /// An open of `file` by the description `opener`: the holders of the leases it breaks now (to be
    /// signalled; each once), and whether the opener must wait. A break runs until `deadline`.
    public mutating func breakLeases(on file: FileKey, opener: UInt, forWrite: Bool, deadline: UInt64) -> (signal: [UInt], mustWait: Bool) {
        var signal: [UInt] = []
        var mustWait = false
        for i in leases.indices where leases[i].file == file && leases[i].holder != opener {
            guard leases[i].kind == .write || forWrite else { continue }
            mustWait = true
            let target: Kind? = forWrite ? nil : .read
            if let breaking = leases[i].breaking {
                if breaking.to == nil || target != nil { continue }      // already asked for as much
                leases[i].breaking = (nil, breaking.deadline)            // a downgrade becomes an unlock: told again
                signal.append(leases[i].holder)
            } else {
                leases[i].breaking = (target, deadline)
                signal.append(leases[i].holder)
            }
        }
        return (signal, mustWait)
    }

    /// Whether an open by `opener` still has to wait for a lease.
    public func blocks(on file: FileKey, opener: UInt, forWrite: Bool) -> Bool {
        leases.contains { $0.file == file && $0.holder != opener && ($0.kind == .write || forWrite) }
    }

    /// The earliest end of a break on `file` (the waiting opener's timeout).
    public func earliestDeadline(on file: FileKey) -> UInt64? {
        leases.filter { $0.file == file }.compactMap { $0.breaking?.deadline }.min()
    }

    /// lease-break-time is over: broken leases go (to what they were asked to come down to).
    /// True if any changed.
    @discardableResult
    public mutating func expire(now: UInt64) -> Bool {
        var changed = false
        for i in leases.indices.reversed() {
            guard let breaking = leases[i].breaking, breaking.deadline <= now else { continue }
            changed = true
            if let to = breaking.to {
                leases[i].kind = to
                leases[i].breaking = nil
            } else {
                leases.remove(at: i)
            }
        }
        return changed
    }

    /// The description was closed for the last time. True if it held a lease.
    @discardableResult
    public mutating func release(holder: UInt) -> Bool {
        let before = leases.count
        leases.removeAll { $0.holder == holder }
        return leases.count != before
    }
}
