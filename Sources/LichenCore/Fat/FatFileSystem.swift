import _Concurrency

/// A FAT12/16/32 volume with long names (Linux's vfat), read-write when given a BlockStore.
public final class FatFileSystem: FileSystem {
    let volume: FatVolume
    public let device: DeviceNumber
    public var typeName: [UInt8] { Array("vfat".utf8) }
    private let rootNode: FatNode

    /// Mounts the volume whose boot sector is `boot` (parsed by the caller from sector 0: the
    /// mount logs the reason of a refusal). `store` nil mounts read-only. `log` writes one line.
    public static func mount(_ boot: FatBootSector, source: any BlockSource, store: (any BlockStore)?, options: FatMountOptions,
                             device: DeviceNumber, clock: @escaping VFSClock,
                             log: @escaping @Sendable (String) -> Void) async throws(Errno) -> FatFileSystem {
        let bootSector = try await source.block(0)
        guard bootSector.count == boot.bytesPerSector else {
            log("logical sector size too small for device (logical sector size = " + Format.decimal(UInt64(boot.bytesPerSector)) + ")")
            throw .EINVAL
        }
        // Only the sectors holding entries of real clusters are read (and kept in memory).
        let fatSectors = (UInt64(boot.maxCluster) * UInt64(boot.bits) / 8 + UInt64(boot.bytesPerSector)) / UInt64(boot.bytesPerSector)
        guard fatSectors * UInt64(boot.bytesPerSector) <= FatTable.maxBytes else {
            log("Lichen: a FAT of more than 16 MiB is not supported")
            throw .EINVAL
        }
        var fat: [UInt8] = []
        let active = boot.writtenFats[0]
        for s in 0..<min(fatSectors, boot.sectorsPerFat) {
            fat += try await source.block(boot.fatStart + UInt64(active) * boot.sectorsPerFat + s)
        }
        var table = FatTable(fat, boot: boot)
        var fsInfoFree = table.freeCount
        if boot.kind == .fat32, let info = FatFSInfo.parse(try await source.block(UInt64(boot.fsInfoSector))) {
            if info.next >= 2 && info.next < boot.maxCluster { table.lastAllocated = info.next }
            fsInfoFree = info.free
        } else if boot.kind == .fat32 {
            log("Invalid FSINFO signature (sector = " + Format.decimal(UInt64(boot.fsInfoSector)) + ")")
        }
        let volume = FatVolume(boot: boot, bootSector: bootSector, table: table, source: source, store: store, options: options,
                               clock: clock, log: log)
        volume.fsInfoFree = fsInfoFree
        let root = FatNode.root(volume)
        do throws(Errno) {
            try await volume.serialized { () async throws(Errno) -> Void in
                try await root.loadDirectoryCounts()
                try await volume.setDirty(true)
            }
        } catch {
            volume.forgetInodes()
            throw error
        }
        return FatFileSystem(volume: volume, root: root, device: device)
    }

    private init(volume: FatVolume, root: FatNode, device: DeviceNumber) {
        self.volume = volume
        rootNode = root
        self.device = device
    }

    deinit { volume.forgetInodes() }

    public var root: any Inode { rootNode }
    public var isReadOnly: Bool { volume.store == nil }
    /// st_blksize is the cluster size, as fat_getattr.
    public var preferredBlockSize: Int32 { Int32(volume.boot.clusterBytes) }

    /// statfs as Linux's fat_statfs: clusters as blocks, no inode counts, names up to 255 UTF-16
    /// units of up to 6 bytes each.
    public var statistics: FileSystemStatistics {
        let free = UInt64(volume.freeClusters.withLock { $0 })
        return FileSystemStatistics(magic: 0x4d44, blockSize: Int64(volume.boot.clusterBytes),
                                    totalBlocks: UInt64(volume.boot.clusterCount), freeBlocks: free, availableBlocks: free,
                                    totalInodes: 0, freeInodes: 0, maxNameLength: 1530)
    }

    /// Writes back what is pending and waits for the store (fsync, sync, syncfs).
    public func sync() async throws(Errno) { try await volume.sync(unmounting: false) }

    /// Before the mount goes: pending writes, the dirty flag cleared (unless it was dirty at mount).
    public func unmount() async throws(Errno) { try await volume.sync(unmounting: true) }
}
