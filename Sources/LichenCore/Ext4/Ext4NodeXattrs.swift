import _Concurrency

/// Reading an ext4 inode's extended attributes (in the inode first, then the external block, as
/// ext4_listxattr lists them); changing them is EROFS on a read-only mount and not implemented on a read-write one.
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

    /// Read-only mounts: EROFS. Read-write ones: not implemented yet (EOPNOTSUPP, logged once).
    func setXattr(_ name: [UInt8], value: [UInt8]?, flags: XattrSetFlags) async throws(Errno) {
        guard volume.writer != nil else { throw .EROFS }
        throw volume.unsupported("setting or removing ext4 extended attributes")
    }

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
