// A tmpfs directory's entries, without hashing (Embedded Swift's Dictionary needs floating point
// and a random seed): each entry has a sequence number that is its readdir position, and two
// ordered maps of bounded nodes (BoundedTree) find it by name and walk it by position. No
// allocation grows with the directory (the single sorted arrays this replaced needed 4 MiB in one
// block at 131,072 entries and trapped the kernel when none was free), and lookup, create, remove
// and each readdir batch cost O(log n).

struct DirectoryTable {
    struct Entry {
        let position: Int64
        let name: [UInt8]
        let inode: TmpfsInode
    }

    struct Named {
        let position: Int64
        let inode: TmpfsInode
    }

    /// Readdir positions 0 and 1 are "." and "..".
    static let firstPosition: Int64 = 2

    private var byPosition = BoundedTree<Int64, Entry>(compare: { $0 < $1 ? -1 : $0 == $1 ? 0 : 1 })
    /// The name's position and inode: a lookup is one descent (the position tree is for readdir).
    private var byName = BoundedTree<[UInt8], Named>(compare: compareBytes)
    private var nextPosition = DirectoryTable.firstPosition

    var count: Int { byName.count }
    var isEmpty: Bool { byName.isEmpty }

    /// Node visits so far (host tests check lookups stay logarithmic).
    var steps: Int { byName.steps.visits + byPosition.steps.visits }

    func find(_ name: [UInt8]) -> TmpfsInode? {
        byName.find(name)?.inode
    }

    /// `find` of a name given as bytes in place (the instant path walk: no array built). Mutating
    /// only so that a call on a directory's stored table works in place instead of on a copy.
    mutating func find(bytes name: UnsafeRawBufferPointer) -> TmpfsInode? {
        byName.find(ordering: { compareBytes($0, name) })?.inode
    }

    /// Adds `name`, which must not be present.
    mutating func insert(_ name: [UInt8], _ inode: TmpfsInode) {
        precondition(byName.find(name) == nil, "duplicate directory entry")
        let position = nextPosition
        nextPosition += 1
        byName.insert(name, Named(position: position, inode: inode))
        byPosition.insert(position, Entry(position: position, name: name, inode: inode))
    }

    /// Removes `name`; returns its inode.
    @discardableResult
    mutating func remove(_ name: [UInt8]) -> TmpfsInode? {
        guard let named = byName.remove(name) else { return nil }
        byPosition.remove(named.position)
        return named.inode
    }

    /// Up to `limit` entries at positions >= `position`, in order.
    func entries(from position: Int64, limit: Int) -> [Entry] {
        var batch: [Entry] = []
        byPosition.forEach(from: position) { _, entry in
            batch.append(entry)
            return batch.count < limit
        }
        return batch
    }

    /// Every entry's inode that is a directory (the teardown of a whole filesystem).
    func subdirectories() -> [TmpfsDirectory] {
        var directories: [TmpfsDirectory] = []
        byPosition.forEach(from: nil) { _, entry in
            if let directory = entry.inode as? TmpfsDirectory { directories.append(directory) }
            return true
        }
        return directories
    }
}

/// `compareBytes` against bytes in place.
func compareBytes(_ a: [UInt8], _ b: UnsafeRawBufferPointer) -> Int {
    a.withUnsafeBytes { (x: UnsafeRawBufferPointer) -> Int in
        let n = min(x.count, b.count)
        var i = 0
        while i < n {
            if x[i] != b[i] { return x[i] < b[i] ? -1 : 1 }
            i += 1
        }
        return x.count - b.count
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
