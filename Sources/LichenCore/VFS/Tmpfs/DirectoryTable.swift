// A tmpfs directory's entries, without hashing (Embedded Swift's Dictionary needs floating point
// and a random seed): entries in creation order, each with a sequence number that is its readdir
// position, plus a name index sorted by bytes for binary search.

struct DirectoryTable {
    struct Entry {
        let position: Int64
        let name: [UInt8]
        let inode: TmpfsInode
    }

    /// Readdir positions 0 and 1 are "." and "..".
    static let firstPosition: Int64 = 2

    private(set) var entries: [Entry] = []  // sorted by position
    private var names: [(name: [UInt8], position: Int64)] = []  // sorted by name
    private var nextPosition = DirectoryTable.firstPosition

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }

    func find(_ name: [UInt8]) -> TmpfsInode? {
        let (index, found) = nameIndex(name)
        guard found else { return nil }
        return entries[entryIndex(position: names[index].position)].inode
    }

    /// Adds `name`, which must not be present.
    mutating func insert(_ name: [UInt8], _ inode: TmpfsInode) {
        let (index, found) = nameIndex(name)
        precondition(!found, "duplicate directory entry")
        let position = nextPosition
        nextPosition += 1
        names.insert((name, position), at: index)
        entries.append(Entry(position: position, name: name, inode: inode))
    }

    /// Removes `name`; returns its inode.
    @discardableResult
    mutating func remove(_ name: [UInt8]) -> TmpfsInode? {
        let (index, found) = nameIndex(name)
        guard found else { return nil }
        let e = entryIndex(position: names[index].position)
        let inode = entries[e].inode
        names.remove(at: index)
        entries.remove(at: e)
        return inode
    }

    /// Up to `limit` entries at positions >= `position`, in order.
    func entries(from position: Int64, limit: Int) -> ArraySlice<Entry> {
        var lo = 0
        var hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[mid].position < position { lo = mid + 1 } else { hi = mid }
        }
        return entries[lo..<min(entries.count, lo + limit)]
    }

    private func entryIndex(position: Int64) -> Int {
        var lo = 0
        var hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[mid].position < position { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Where `name` is or would go in `names`.
    private func nameIndex(_ name: [UInt8]) -> (Int, Bool) {
        var lo = 0
        var hi = names.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let order = compareBytes(names[mid].name, name)
            if order == 0 { return (mid, true) }
            if order < 0 { lo = mid + 1 } else { hi = mid }
        }
        return (lo, false)
    }
}

/// Byte-wise comparison: negative, zero or positive.
func compareBytes(_ a: [UInt8], _ b: [UInt8]) -> Int {
    let n = min(a.count, b.count)
    var i = 0
    while i < n {
        if a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
        i += 1
    }
    return a.count - b.count
}
