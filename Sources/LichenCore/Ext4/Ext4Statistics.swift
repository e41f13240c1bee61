import _Concurrency

/// statfs figures as Linux's ext4_statfs computes them (without the minixdf option): the total
/// less the metadata overhead, free counts summed over the group descriptors, the root-reserved
/// blocks and ext4's own reserve (2% up to 4096 clusters on extent filesystems) not available.
enum Ext4Statistics {
    static func compute(_ volume: Ext4Volume) async throws(Errno) -> FileSystemStatistics {
        let sb = volume.sb
        var overhead = UInt64(sb.firstDataBlock)
        let perBlock = UInt64(sb.blockSize / sb.descriptorSize)
        let descriptorBlocks = (UInt64(sb.groupCount) + perBlock - 1) / perBlock
        let tableBlocks = (UInt64(sb.inodesPerGroup) * UInt64(sb.inodeSize) + UInt64(sb.blockSize) - 1) / UInt64(sb.blockSize)
        for g in 0..<sb.groupCount {
            // Linux's count_overhead: superblock, descriptors and reserved GDT blocks where there is a backup
            let backup: UInt64 = hasSuperblockBackup(sb, group: g) ? 1 + descriptorBlocks + UInt64(sb.reservedGDTBlocks) : 0
            overhead += backup + tableBlocks + 2
        }
        if sb.compat & Ext4Superblock.compatHasJournal != 0 && sb.journalInode != 0 {
            // Linux counts the internal journal whether or not it is loaded: its size in blocks.
            let journal = try await volume.node(sb.journalInode, reserved: true)
            overhead += UInt64(journal.metadata.size) / UInt64(sb.blockSize)
        }
        var freeBlocks: UInt64 = 0, freeInodes: UInt64 = 0
        for g in volume.groups {
            freeBlocks += UInt64(g.freeBlocks)
            freeInodes += UInt64(g.freeInodes)
        }
        let reserve = sb.incompat & Ext4Superblock.incompatExtents != 0 ? min(sb.blocksCount / 50, 4096) : 0
        let unavailable = sb.reservedBlocks + reserve
        return FileSystemStatistics(magic: 0xef53, blockSize: Int64(sb.blockSize),
                                    totalBlocks: sb.blocksCount - min(overhead, sb.blocksCount), freeBlocks: freeBlocks,
                                    availableBlocks: freeBlocks > unavailable ? freeBlocks - unavailable : 0,
                                    totalInodes: UInt64(sb.inodesCount), freeInodes: freeInodes)
    }

    /// Linux's ext4_bg_has_super: group 0, sparse_super's 1 and powers of 3, 5 and 7, or
    /// sparse_super2's two backup groups.
    static func hasSuperblockBackup(_ sb: Ext4Superblock, group: UInt32) -> Bool {
        if group == 0 { return true }
        if sb.compat & Ext4Superblock.compatSparseSuper2 != 0 { return group == sb.backupGroups.0 || group == sb.backupGroups.1 }
        if group <= 1 || sb.roCompat & Ext4Superblock.roCompatSparseSuper == 0 { return true }
        if group & 1 == 0 { return false }
        return isPower(group, of: 3) || isPower(group, of: 5) || isPower(group, of: 7)
    }

    static func isPower(_ n: UInt32, of base: UInt32) -> Bool {
        var x: UInt64 = 1
        while x < UInt64(n) { x *= UInt64(base) }
        return x == UInt64(n)
    }
}
