/// The FAT boot sector's BIOS parameter block and the geometry Linux's fat_fill_super derives
/// from it. Parsing is sans-IO: the first sector's bytes in, a value or EINVAL (with the line
/// Linux logs) out; nothing on the disk can make it trap.
public struct FatBootSector: Equatable, Sendable {
    public enum Kind: Equatable, Sendable { case fat12, fat16, fat32 }

    public var kind: Kind
    public var bytesPerSector: Int
    public var sectorsPerCluster: Int
    public var reservedSectors: Int
    public var fatCount: Int
    public var rootEntries: Int
    public var totalSectors: UInt64
    public var sectorsPerFat: UInt64
    public var media: UInt8
    /// FAT32: first cluster of the root directory, the FSInfo sector, mirroring flags.
    public var rootCluster: UInt32
    public var fsInfoSector: Int
    public var extendedFlags: UInt16
    /// Offset of the "state" byte (Linux's dirty flag), nil without an extended boot signature.
    public var stateOffset: Int?
    /// Derived geometry, in sectors.
    public var fatStart: UInt64 { UInt64(reservedSectors) }
    public var rootStart: UInt64 { fatStart + UInt64(fatCount) * sectorsPerFat }
    public var rootSectors: UInt64 { UInt64(rootEntries * 32 / bytesPerSector) }
    public var dataStart: UInt64 { rootStart + rootSectors }
    public var clusterBytes: Int { bytesPerSector * sectorsPerCluster }
    /// Usable clusters are 2 ..< maxCluster.
    public var clusterCount: UInt32
    public var maxCluster: UInt32 { clusterCount + 2 }

    static let maxFat12: UInt32 = 0xff4, maxFat16: UInt32 = 0xfff4, maxFat32: UInt32 = 0x0fff_fff6
    public static let dirtyFlag: UInt8 = 0x01

    /// Parses sector 0 as fat_read_bpb and fat_fill_super check it; `reason` gets Linux's message.
    public static func parse(_ b: [UInt8], reason: inout String) throws(Errno) -> FatBootSector {
        guard b.count >= 512 else { reason = "unable to read boot sector"; throw .EIO }
        func u16(_ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 }
        func u32(_ o: Int) -> UInt32 { UInt32(u16(o)) | UInt32(u16(o + 2)) << 16 }
        let sectorSize = u16(11), perCluster = Int(b[13]), reserved = u16(14), fats = Int(b[16])
        let rootEntries = u16(17), media = b[21], fat16Length = u16(22), fat32Length = u32(36)
        guard reserved != 0 else { reason = "bogus number of reserved sectors"; throw .EINVAL }
        guard fats != 0 else { reason = "bogus number of FAT structure"; throw .EINVAL }
        guard media == 0xf0 || media >= 0xf8 else {
            reason = "invalid media value (0x" + Format.hex(UInt64(media), width: 2, prefix: false) + ")"; throw .EINVAL
        }
        guard sectorSize.nonzeroBitCount == 1, sectorSize >= 512, sectorSize <= 4096 else {
            reason = "bogus logical sector size " + Format.decimal(UInt64(sectorSize)); throw .EINVAL
        }
        guard perCluster.nonzeroBitCount == 1 else {
            reason = "bogus sectors per cluster " + Format.decimal(UInt64(perCluster)); throw .EINVAL
        }
        guard fat16Length != 0 || fat32Length != 0 else { reason = "bogus number of FAT sectors"; throw .EINVAL }
        let isFat32 = fat16Length == 0
        var total = UInt64(u16(19))
        if total == 0 { total = UInt64(u32(32)) }
        let signatureAt = isFat32 ? 66 : 38
        var s = FatBootSector(kind: isFat32 ? .fat32 : .fat16, bytesPerSector: sectorSize, sectorsPerCluster: perCluster,
                              reservedSectors: reserved, fatCount: fats, rootEntries: rootEntries, totalSectors: total,
                              sectorsPerFat: isFat32 ? UInt64(fat32Length) : UInt64(fat16Length), media: media,
                              rootCluster: isFat32 ? u32(44) : 0, fsInfoSector: isFat32 ? max(u16(48), 1) : 0,
                              extendedFlags: isFat32 ? UInt16(u16(40)) : 0,
                              stateOffset: b[signatureAt] == 0x28 || b[signatureAt] == 0x29 ? signatureAt - 1 : nil,
                              clusterCount: 0)
        guard (rootEntries * 32) % sectorSize == 0 else {
            reason = "bogus number of directory entries (" + Format.decimal(UInt64(rootEntries)) + ")"; throw .EINVAL
        }
        guard s.dataStart < total else { reason = "bogus number of sectors"; throw .EINVAL }
        var clusters = (total - s.dataStart) / UInt64(perCluster)
        if !isFat32 { s.kind = clusters > UInt64(maxFat12) ? .fat16 : .fat12 }
        // The FAT must hold every cluster (Linux's calc_fat_clusters), and the count fit the type.
        let fatClusters = s.sectorsPerFat * UInt64(sectorSize) * 8 / UInt64(s.bits)
        clusters = min(clusters, fatClusters > 2 ? fatClusters - 2 : 0)
        let limit = s.kind == .fat32 ? maxFat32 : s.kind == .fat16 ? maxFat16 : maxFat12
        guard clusters <= UInt64(limit) else {
            reason = "count of clusters too big (" + Format.decimal(clusters) + ")"; throw .EINVAL
        }
        guard clusters > 0 else { reason = "bogus number of clusters"; throw .EINVAL }
        s.clusterCount = UInt32(clusters)
        if isFat32 {
            guard s.rootCluster >= 2, s.rootCluster < s.maxCluster else { reason = "bogus root cluster"; throw .EINVAL }
            guard s.fsInfoSector < reserved else { reason = "bogus FSINFO sector"; throw .EINVAL }
        }
        return s
    }

    /// Bits in a FAT entry.
    public var bits: Int { kind == .fat32 ? 32 : kind == .fat16 ? 16 : 12 }
    /// The first sector of data cluster `cluster` (2 and up).
    public func sector(ofCluster cluster: UInt32) -> UInt64 { dataStart + UInt64(cluster - 2) * UInt64(sectorsPerCluster) }
    /// Which FAT copies a write goes to: all, unless FAT32 turned mirroring off (bit 7) for one active FAT.
    public var writtenFats: [Int] {
        if kind == .fat32 && extendedFlags & 0x80 != 0 { return [min(Int(extendedFlags & 0xf), fatCount - 1)] }
        return Array(0..<fatCount)
    }
}

/// FAT32's FSInfo sector: the free-cluster count and the allocation hint, kept only as hints.
public enum FatFSInfo {
    static let lead: UInt32 = 0x4161_5252, structure: UInt32 = 0x6141_7272, trail: UInt32 = 0xaa55_0000

    /// The free count and next-free hint, or nil when the signatures are not FSInfo's.
    public static func parse(_ b: [UInt8]) -> (free: UInt32, next: UInt32)? {
        guard b.count >= 512 else { return nil }
        func u32(_ o: Int) -> UInt32 { UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24 }
        guard u32(0) == lead, u32(484) == structure, u32(508) == trail else { return nil }
        return (u32(488), u32(492))
    }

    /// `sector` with the counts replaced.
    public static func updated(_ sector: [UInt8], free: UInt32, next: UInt32) -> [UInt8] {
        var b = sector
        for i in 0..<4 {
            b[488 + i] = UInt8(truncatingIfNeeded: free >> (8 * UInt32(i)))
            b[492 + i] = UInt8(truncatingIfNeeded: next >> (8 * UInt32(i)))
        }
        return b
    }
}
