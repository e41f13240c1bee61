import _Concurrency

/// An ext4 inode's extended attributes: read in the inode first, then the external block (as
/// ext4_listxattr lists them); changed through Ext4XattrWriter on a read-write mount.
/// POSIX ACLs are stored in ext4's own format that Lichen does not convert: one that exists is
/// EOPNOTSUPP (logged once), one that does not is ENODATA as on Linux.
extension Ext4Node: ExtendedAttributes {
    var extendedAttributes: (any ExtendedAttributes)? { self }
    var xattrHandlers: XattrHandlers { .ext4 }

    func xattrValue(_ name: [UInt8]) async throws(Errno) -> [UInt8] {
        for e in try await xattrEntries() where e.name == name {
            if XattrNames.isPosixACL(name) { throw volume.unsupported("POSIX ACLs (system.posix_acl_*)") }
            return e.value
        }
        throw .ENODATA
    }

    func xattrNames() async throws(Errno) -> [[UInt8]] {
        var names: [[UInt8]] = []
        for e in try await xattrEntries() { if let name = e.name { names.append(name) } }
        return names
    }

    /// setxattr/removexattr (`value` nil) on a read-write mount, in one transaction: the inode
    /// body first, else the external block (a new one allocated; one shared with other inodes
    /// copied first, as Linux), the block freed (or its reference dropped) when it empties.
    /// Read-only mounts: EROFS. Names outside user./trusted./security.: EOPNOTSUPP.
    func setXattr(_ name: [UInt8], value: [UInt8]?, flags: XattrSetFlags) async throws(Errno) {
        guard volume.writer != nil else { throw .EROFS }
        guard let (index, suffix) = Ext4XattrWriter.split(name) else { throw .EOPNOTSUPP }
        // killpriv removes security.capability at every write: no transaction for an inode without attributes.
        if value == nil && raw.fileACL == 0 && (try? Ext4Xattrs.inodeEntries(raw.xattrArea))?.isEmpty == true { throw .ENODATA }
        guard volume.sb.compat & Self.compatExtAttr != 0 else { throw volume.unsupported("xattrs on a filesystem without ext_attr") }
        try await volume.change { (op: Ext4Operation) async throws(Errno) in
            op.register(self)
            var image = try await op.inode(self.ino)
            let start = 128 + image.extra, size = op.sb.inodeSize
            let capacity = size > 128 && start + 4 <= size ? size - start : 0
            var current = Ext4XattrPlacement(inode: [], block: [])
            if capacity > 0 {
                do throws(Errno) { current.inode = try Ext4Xattrs.inodeEntries(Array(image.bytes[start..<size])) } catch {
                    throw error == .EOPNOTSUPP ? self.volume.unsupported("xattr values in EA inodes")
                                               : self.volume.corrupted(error, "corrupted in-inode xattr", ino: self.ino)
                }
            }
            let acl = image.fileACL
            var block: [UInt8] = []
            if acl != 0 {
                guard acl < op.sb.blocksCount, acl > UInt64(op.sb.firstDataBlock) else {
                    throw self.volume.corrupted(.EUCLEAN, "bad xattr block " + Format.decimal(acl), ino: self.ino)
                }
                block = try await op.tx.read(acl)
                do throws(Errno) { current.block = try Ext4Xattrs.blockEntries(block, number: acl, sb: op.sb) } catch {
                    throw error == .EOPNOTSUPP ? self.volume.unsupported("xattr values in EA inodes")
                        : self.volume.corrupted(error, error == .EBADMSG ? "xattr block checksum invalid" : "corrupted xattr block", ino: self.ino)
                }
            }
            guard let next = try Ext4XattrWriter.apply(index: index, suffix: suffix, value: value, flags: flags, to: current,
                                                       inodeCapacity: capacity, blockSize: op.sb.blockSize) else { return }
            if next.inode != current.inode {
                image.bytes.replaceSubrange(start..<size, with: Ext4XattrWriter.inodeArea(next.inode, size: size - start))
            }
            if next.block != current.block {
                let references = acl != 0 ? block.get32(4) : 0
                if next.block.isEmpty {
                    try await op.dropXattrBlock(acl, &image)
                } else if references == 1 {
                    op.tx.put(acl, Ext4XattrWriter.block(next.block, refcount: 1, number: acl, sb: op.sb))
                } else {                        // none yet, or shared: a block of its own
                    let fresh = try await op.alloc.allocateBlocks(goal: op.groupGoal(self.ino), count: 1).start
                    op.tx.put(fresh, Ext4XattrWriter.block(next.block, refcount: 1, number: fresh, sb: op.sb))
                    if acl != 0 { try await op.dropXattrBlock(acl, &image) }
                    image.setXattrBlock(fresh)
                }
            }
            image.setTime(Ext4InodeImage.ctime, op.now)
            try await op.put(self.ino, &image)
        }
    }

    static let compatExtAttr: UInt32 = 0x8

    /// Every stored entry; corruption is logged as ext4 does and fails the call.
    private func xattrEntries() async throws(Errno) -> [Ext4XattrEntry] {
        var all: [Ext4XattrEntry]
        do throws(Errno) { all = try Ext4Xattrs.inodeEntries(raw.xattrArea) } catch {
            throw error == .EOPNOTSUPP ? volume.unsupported("xattr values in EA inodes")
                                       : volume.corrupted(error, "corrupted in-inode xattr", ino: ino)
        }
        guard raw.fileACL != 0 else { return all }
        guard raw.fileACL < volume.sb.blocksCount, raw.fileACL > UInt64(volume.sb.firstDataBlock) else {
            throw volume.corrupted(.EUCLEAN, "bad xattr block " + Format.decimal(raw.fileACL), ino: ino)
        }
        let block = try await volume.source.block(raw.fileACL)
        do throws(Errno) { all += try Ext4Xattrs.blockEntries(block, number: raw.fileACL, sb: volume.sb) } catch {
            throw error == .EOPNOTSUPP ? volume.unsupported("xattr values in EA inodes")
                : volume.corrupted(error, error == .EBADMSG ? "xattr block checksum invalid" : "corrupted xattr block", ino: ino)
        }
        return all
    }
}

extension Ext4Operation {
    /// The inode lets go of its xattr block: freed when it was the last user, else one reference
    /// less (the block's checksum follows its header). i_file_acl cleared, i_blocks less one block.
    func dropXattrBlock(_ acl: UInt64, _ image: inout Ext4InodeImage) async throws(Errno) {
        var block = try await tx.read(acl)
        let references = block.get32(4)
        if references <= 1 {
            try await alloc.freeBlocks(acl, count: 1)
        } else {
            block.put32(4, references - 1)
            Ext4XattrWriter.seal(&block, number: acl, sb: sb)
            tx.put(acl, block)
        }
        image.setXattrBlock(0)
    }
}

extension Ext4InodeImage {
    /// i_file_acl (lo and hi), with i_blocks following: one block more or less.
    mutating func setXattrBlock(_ block: UInt64) {
        let per = UInt64(sb.blockSize / 512)
        if fileACL == 0 && block != 0 { blocks512 += per }
        if fileACL != 0 && block == 0 { blocks512 = blocks512 >= per ? blocks512 - per : 0 }
        bytes.put32(0x68, UInt32(truncatingIfNeeded: block))
        bytes.put16(0x76, UInt16(truncatingIfNeeded: block >> 32))
    }
}
