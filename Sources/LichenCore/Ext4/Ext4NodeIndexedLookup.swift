import _Concurrency

/// Name lookup through an htree index (read side): the leaves the name's hash leads to, their
/// records checked as the linear walk checks them.
extension Ext4Node {
    /// The inode `name` links to (nil: not there); `.none` when the index cannot be followed
    /// (Linux's ERR_BAD_DX_DIR: the caller scans linearly). A bad index checksum is EBADMSG.
    func lookupIndexed(_ name: [UInt8]) async throws(Errno) -> UInt32?? {
        let raw = self.raw, sb = volume.sb, ino = self.ino
        let blocks = UInt32(truncatingIfNeeded: (raw.size + Int64(sb.blockSize) - 1) / Int64(sb.blockSize))
        let map = Ext4BlockMap(volume: volume, ino: ino, raw: raw)
        let seed = Ext4RawInode.checksumSeed(ino: ino, generation: raw.generation, sb: sb)
        let volume = self.volume
        let read = { (l: UInt32) async throws(Errno) -> [UInt8] in
            guard l < blocks, let p = try await map.physical(l) else { throw volume.corrupted(.EUCLEAN, "directory contains a hole", ino: ino) }
            return try await volume.source.block(p)
        }
        var path: Ext4IndexPath
        do throws(Errno) {
            path = try await Ext4IndexPath.probe(name, root: try await read(0), sb: sb, seed: seed, blocks: blocks, read: read)
        } catch {
            if error == .EBADMSG { throw volume.corrupted(error, "htree index checksum", ino: ino) }
            return .none
        }
        while true {
            let data = try await read(path.leaf)
            let found: Ext4DirectoryRecord?
            do throws(Errno) {
                found = try withBytes(data) { b throws(Errno) -> Ext4DirectoryRecord? in
                    if sb.hasMetadataChecksums && Ext4DirectoryBlock.checksumMatches(b, inodeSeed: seed) != true { throw .EBADMSG }
                    return try Ext4DirectoryBlock.find(name, in: b, sb: sb)
                }
            } catch {
                throw volume.corrupted(error, error == .EBADMSG ? "directory block checksum" : "bad directory entry", ino: ino)
            }
            if let r = found { return .some(r.ino) }
            do throws(Errno) {
                if !(try await path.advance(sb: sb, seed: seed, blocks: blocks, read: read)) { return .some(nil) }
            } catch {
                throw volume.corrupted(error, "bad htree index", ino: ino)
            }
        }
    }
}
