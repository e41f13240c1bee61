/// A jbd2 transaction being built (Linux's running transaction): the metadata blocks of many
/// operations, each home once with its latest image (a block changed twice is logged once), the
/// block ranges they freed (not reused before the transaction commits, and revoked when an
/// earlier transaction logged them), and the inodes they changed (an fsync commits only a
/// transaction that holds its file's changes). A value: the copy a commit takes is frozen while
/// the next running transaction changes the same blocks (Linux copies such buffers).
public struct Jbd2Transaction: Sendable {
    /// Sorted by home block, with `images` in the same order.
    public private(set) var homes: [UInt64] = []
    public private(set) var images: [[UInt8]] = []
    /// Disjoint ranges sorted by start.
    public private(set) var freed: [(start: UInt64, count: UInt64)] = []
    /// Inode numbers, sorted.
    public private(set) var owners: [UInt32] = []
    /// The owners whose changes fdatasync needs (size, blocks, a new inode; not timestamps alone,
    /// Linux's i_datasync_tid), sorted.
    public private(set) var dataOwners: [UInt32] = []
    /// When its first change came (the commit interval counts from there).
    public var started: Timespec? = nil

    public init() {}

    public var isEmpty: Bool { homes.isEmpty && freed.isEmpty }

    public var blocks: [(home: UInt64, data: [UInt8])] {
        var out: [(home: UInt64, data: [UInt8])] = []
        out.reserveCapacity(homes.count)
        for i in homes.indices { out.append((homes[i], images[i])) }
        return out
    }

    public func image(_ home: UInt64) -> [UInt8]? {
        let i = Self.lowerBound(homes, home)
        return i < homes.count && homes[i] == home ? images[i] : nil
    }

    /// Home blocks of `other` not in this transaction yet.
    public func newHomes(_ other: [UInt64]) -> Int {
        other.reduce(0) { $0 + (image($1) == nil ? 1 : 0) }
    }

    public mutating func put(_ home: UInt64, _ data: [UInt8]) {
        let i = Self.lowerBound(homes, home)
        if i < homes.count && homes[i] == home {
            images[i] = data
        } else {
            homes.insert(home, at: i)
            images.insert(data, at: i)
        }
    }

    /// Blocks freed: a metadata block this transaction logged is forgotten (its image no longer
    /// matters, and logging it could replay it over the block's next use).
    public mutating func free(_ start: UInt64, count: UInt64) {
        guard count > 0 else { return }
        var i = Self.lowerBound(homes, start)
        while i < homes.count, homes[i] - start < count {
            homes.remove(at: i)
            images.remove(at: i)
        }
        var at = 0
        while at < freed.count, freed[at].start < start { at += 1 }
        freed.insert((start, count), at: at)
        // Adjacent frees make one range.
        var k = at
        if k > 0, freed[k - 1].start + freed[k - 1].count >= start {
            freed[k - 1].count = max(freed[k - 1].start + freed[k - 1].count, start + count) - freed[k - 1].start
            freed.remove(at: k)
            k -= 1
        }
        while k + 1 < freed.count, freed[k].start + freed[k].count >= freed[k + 1].start {
            freed[k].count = max(freed[k].start + freed[k].count, freed[k + 1].start + freed[k + 1].count) - freed[k].start
            freed.remove(at: k + 1)
        }
    }

    public func isFreed(_ block: UInt64) -> Bool {
        var low = 0, high = freed.count
        while low < high {
            let mid = (low + high) / 2
            if freed[mid].start <= block { low = mid + 1 } else { high = mid }
        }
        guard low > 0 else { return false }
        let r = freed[low - 1]
        return block - r.start < r.count
    }

    public mutating func own(_ ino: UInt32) {
        let i = Self.lowerBound(owners, ino)
        if i == owners.count || owners[i] != ino { owners.insert(ino, at: i) }
    }

    public func owns(_ ino: UInt32) -> Bool {
        let i = Self.lowerBound(owners, ino)
        return i < owners.count && owners[i] == ino
    }

    /// `ino` changed in a way its data depends on (it owns the transaction for fdatasync too).
    public mutating func ownData(_ ino: UInt32) {
        own(ino)
        let i = Self.lowerBound(dataOwners, ino)
        if i == dataOwners.count || dataOwners[i] != ino { dataOwners.insert(ino, at: i) }
    }

    public func ownsData(_ ino: UInt32) -> Bool {
        let i = Self.lowerBound(dataOwners, ino)
        return i < dataOwners.count && dataOwners[i] == ino
    }

    /// The running transaction's changes laid over an older one (a commit that failed goes back
    /// under the transaction that followed it).
    public func over(_ older: Jbd2Transaction) -> Jbd2Transaction {
        var merged = older
        for r in freed { merged.free(r.start, count: r.count) }
        for i in homes.indices { merged.put(homes[i], images[i]) }
        for o in owners { merged.own(o) }
        for o in dataOwners { merged.ownData(o) }
        if merged.started == nil { merged.started = started }
        return merged
    }

    static func lowerBound<T: Comparable>(_ a: [T], _ v: T) -> Int {
        var low = 0, high = a.count
        while low < high {
            let mid = (low + high) / 2
            if a[mid] < v { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
