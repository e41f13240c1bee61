// Changing ext4's extended attributes, sans-IO (the write side of Ext4Xattrs; Linux's
// ext4_xattr_set_handle): where an attribute goes (the inode body first, else the external
// block, else ENOSPC), and the bytes of both areas as Linux lays them out: entries from the start
// (block entries sorted by index, name length, name, as Linux's sorted lookup expects), values
// packed down from the end, each padded to 4 bytes; block entries carry their hash and the block
// its hash (0 when an entry's is, which keeps a block from being shared) and its checksum.

/// Where the attributes of one inode are after a change.
public struct Ext4XattrPlacement: Equatable, Sendable {
    public var inode: [Ext4XattrEntry]
    public var block: [Ext4XattrEntry]
}

public enum Ext4XattrWriter {
    /// The stored form of a name Lichen writes (user., trusted., security.), nil for others.
    public static func split(_ name: [UInt8]) -> (index: UInt8, suffix: [UInt8])? {
        let prefixes: [(UInt8, [UInt8])] = [(1, Array("user.".utf8)), (4, Array("trusted.".utf8)), (6, Array("security.".utf8))]
        for (index, prefix) in prefixes where name.count > prefix.count && Array(name[0..<prefix.count]) == prefix {
            return (index, Array(name[prefix.count...]))
        }
        return nil
    }

    /// setxattr (`value` nil: removexattr) on the current placement, in an inode body of
    /// `inodeCapacity` bytes (after i_extra_isize; 0 when there is none) and blocks of
    /// `blockSize`. nil when nothing changes (the same value set again, as Linux skips it).
    /// EEXIST/ENODATA for XATTR_CREATE/XATTR_REPLACE (and removing a missing name), ENOSPC when
    /// it fits in neither area (Linux without ea_inode).
    public static func apply(index: UInt8, suffix: [UInt8], value: [UInt8]?, flags: XattrSetFlags,
                             to current: Ext4XattrPlacement, inodeCapacity: Int, blockSize: Int) throws(Errno) -> Ext4XattrPlacement? {
        func matches(_ e: Ext4XattrEntry) -> Bool { e.index == index && e.suffix == suffix }
        let old = current.inode.first(where: matches) ?? current.block.first(where: matches)
        if old != nil && flags.contains(.create) { throw .EEXIST }
        if old == nil && (flags.contains(.replace) || value == nil) { throw .ENODATA }
        if let old, let value, old.value == value { return nil }
        var next = Ext4XattrPlacement(inode: current.inode.filter { !matches($0) }, block: current.block.filter { !matches($0) })
        guard let value else { return next }
        let entry = Ext4XattrEntry(index: index, suffix: suffix, value: value)
        if inodeCapacity > 0 && used(next.inode + [entry]) <= inodeCapacity - 4 {
            next.inode.append(entry)
        } else if used(next.block + [entry]) <= blockSize - Ext4Xattrs.blockHeaderSize {
            next.block = sorted(next.block + [entry])
        } else {
            throw .ENOSPC
        }
        return next
    }

    /// Bytes the entries take after a header: entry records, the terminating word, padded values.
    static func used(_ entries: [Ext4XattrEntry]) -> Int {
        entries.reduce(4) { $0 + entrySize($1) + valueSize($1) }
    }

    static func entrySize(_ e: Ext4XattrEntry) -> Int { (Ext4Xattrs.entryHeaderSize + e.suffix.count + 3) & ~3 }
    static func valueSize(_ e: Ext4XattrEntry) -> Int { (e.value.count + 3) & ~3 }

    static func sorted(_ entries: [Ext4XattrEntry]) -> [Ext4XattrEntry] {
        entries.sorted { a, b in
            if a.index != b.index { return a.index < b.index }
            if a.suffix.count != b.suffix.count { return a.suffix.count < b.suffix.count }
            return a.suffix.lexicographicallyPrecedes(b.suffix)
        }
    }

    /// The inode body after i_extra_isize (`size` bytes): the magic and the entries, or all
    /// zeros without entries (Linux clears the magic then). Entry hashes are 0 there, as Linux
    /// writes them (e2fsck checks only nonzero ones).
    public static func inodeArea(_ entries: [Ext4XattrEntry], size: Int) -> [UInt8] {
        var area = [UInt8](repeating: 0, count: size)
        guard !entries.isEmpty else { return area }
        area.put32(0, Ext4Xattrs.magic)
        var body = [UInt8](repeating: 0, count: size - 4)
        lay(entries, into: &body, first: 0, hashes: false)
        area.replaceSubrange(4..<size, with: body)
        return area
    }

    /// The external block `number`: header (magic, refcount, one block, hash, checksum), the
    /// entries in their sorted order.
    public static func block(_ entries: [Ext4XattrEntry], refcount: UInt32, number: UInt64, sb: Ext4Superblock) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: sb.blockSize)
        b.put32(0, Ext4Xattrs.magic)
        b.put32(4, refcount)
        b.put32(8, 1)
        let hashes = lay(entries, into: &b, first: Ext4Xattrs.blockHeaderSize, hashes: true)
        var hash: UInt32 = 0                                      // ext4_xattr_rehash
        for h in hashes {
            if h == 0 { hash = 0; break }
            hash = (hash << 16) ^ (hash >> 16) ^ h
        }
        b.put32(0xC, hash)
        if sb.hasMetadataChecksums { seal(&b, number: number, sb: sb) }
        return b
    }

    /// A block's checksum after a change of its header (its refcount).
    public static func seal(_ b: inout [UInt8], number: UInt64, sb: Ext4Superblock) {
        guard sb.hasMetadataChecksums else { return }
        let seed = sb.checksumSeed
        b.put32(0x10, b.withUnsafeBytes { Ext4Xattrs.blockChecksum($0, number: number, seed: seed) })
    }

    /// Entries from `first`, values down from the end (offsets counted from index 0 of `area`),
    /// returning each entry's hash (0 when `hashes` is false).
    @discardableResult
    private static func lay(_ entries: [Ext4XattrEntry], into area: inout [UInt8], first: Int, hashes: Bool) -> [UInt32] {
        var at = first, end = area.count
        var out: [UInt32] = []
        for e in entries {
            var offset = 0
            if !e.value.isEmpty {
                end -= valueSize(e)
                offset = end
                area.replaceSubrange(end..<end + e.value.count, with: e.value)
            }
            let hash = hashes ? entryHash(e) : 0
            area[at] = UInt8(e.suffix.count)
            area[at + 1] = e.index
            area.put16(at + 2, UInt16(offset))
            area.put32(at + 4, 0)                                 // e_value_inum
            area.put32(at + 8, UInt32(e.value.count))
            area.put32(at + 12, hash)
            area.replaceSubrange(at + 16..<at + 16 + e.suffix.count, with: e.suffix)
            at += entrySize(e)
            out.append(hash)
        }
        return out
    }

    /// ext4_xattr_hash_entry: the name's bytes, then the value's little-endian words (zero padded).
    static func entryHash(_ e: Ext4XattrEntry) -> UInt32 {
        var hash: UInt32 = 0
        for c in e.suffix { hash = (hash << 5) ^ (hash >> 27) ^ UInt32(c) }
        var padded = e.value
        while padded.count % 4 != 0 { padded.append(0) }
        for i in stride(from: 0, to: padded.count, by: 4) { hash = (hash << 16) ^ (hash >> 16) ^ padded.get32(i) }
        return hash
    }
}
