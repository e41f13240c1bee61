import _Concurrency

/// Logical to physical blocks of one inode: the extent tree (any depth) or, for ext2/3 files,
/// the direct, indirect, double and triple indirect block pointers. nil means a hole (or an
/// uninitialized extent): the block reads as zeros.
struct Ext4BlockMap {
    let volume: Ext4Volume
    let ino: UInt32
    let raw: Ext4RawInode

    func physical(_ logical: UInt32) async throws(Errno) -> UInt64? {
        raw.hasExtents ? try await extent(logical) : try await indirect(logical)
    }

    private func extent(_ logical: UInt32) async throws(Errno) -> UInt64? {
        let sb = volume.sb
        var node: Ext4ExtentNode
        do throws(Errno) {
            node = try withBytes(raw.blockArea) { b throws(Errno) in try Ext4ExtentNode(b, expectedDepth: nil, blocksCount: sb.blocksCount) }
        } catch {
            throw volume.corrupted(error, "bad extent tree root", ino: ino)
        }
        let seed = Ext4RawInode.checksumSeed(ino: ino, generation: raw.generation, sb: sb)
        while node.depth > 0 {
            guard let child = node.entry(for: logical) else { return nil }
            let block = try await volume.source.block(child.physical)
            do throws(Errno) {
                node = try withBytes(block) { b throws(Errno) in
                    if sb.hasMetadataChecksums && !Ext4ExtentNode.checksumMatches(b, inodeSeed: seed) { throw .EBADMSG }
                    return try Ext4ExtentNode(b, expectedDepth: node.depth - 1, blocksCount: sb.blocksCount)
                }
            } catch {
                throw volume.corrupted(error, error == .EBADMSG ? "extent block checksum" : "bad extent block", ino: ino)
            }
        }
        guard let e = node.entry(for: logical), !e.uninitialized else { return nil }
        return e.physical + UInt64(logical - e.logical)
    }

    private func indirect(_ logical: UInt32) async throws(Errno) -> UInt64? {
        let perBlock = UInt64(volume.sb.blockSize / 4)
        var n = UInt64(logical)
        func slot(_ i: Int) -> UInt32 { raw.blockArea.withUnsafeBytes { $0.le32(i * 4) } }
        if n < 12 { return try check(slot(Int(n))) }
        n -= 12
        var levels = 1, top = 12
        var span = perBlock
        while n >= span {
            n -= span
            levels += 1
            top += 1
            guard levels <= 3 else { return nil }
            span *= perBlock
        }
        var block = try check(slot(top))
        while let b = block {
            span /= perBlock
            let data = try await volume.source.block(b)
            let index = Int(n / span)
            n %= span
            block = try check(data.withUnsafeBytes { $0.le32(index * 4) })
            levels -= 1
            if levels == 0 { return block }
        }
        return nil
    }

    private func check(_ pointer: UInt32) throws(Errno) -> UInt64? {
        if pointer == 0 { return nil }
        guard UInt64(pointer) < volume.sb.blocksCount else { throw volume.corrupted(.EUCLEAN, "block pointer out of range", ino: ino) }
        return UInt64(pointer)
    }
}
