import LichenCore
import _Concurrency

/// mount(2) of ext2/ext3/ext4 from a block device. The source is resolved to a disk or partition,
/// its superblock read through a small cache, then the filesystem reads (and, mounted read-write,
/// writes) everything through the device's BlockCache in its own block size. Read-write only
/// where Ext4FileSystem.writableRefusal allows it (no journal: jbd2 is not there yet).
enum Ext4Mount {
    static let MS_RDONLY: UInt64 = 0x1, MS_SILENT: UInt64 = 0x8000
    private static let writeRefused = ReportOnce(count: 1)
    static let MS_SYNCHRONOUS: UInt64 = 0x10

    static func isExt(_ type: [UInt8]) -> Bool { Ext4Type(name: type) != nil }

    static func make(type: [UInt8], source: [UInt8], flags: UInt64, data: [UInt8], context: FSContext) async throws(Errno) -> any FileSystem {
        guard let kind = Ext4Type(name: type) else { throw .ENODEV }
        let vfs = try FileSyscalls.vfs()
        // lookup_bdev: the source must name a block device node.
        let location = try await vfs.resolve(source, context: context)
        let metadata = location.inode.metadata
        guard metadata.type == .blockDevice else { throw .ENOTBLK }
        guard let file = BlockDevices.file(metadata.rdev) else { throw .ENXIO }
        let name = file.name
        func log(_ s: String) { KernelLog.info("EXT4-fs (" + name + "): " + s) }
        // Options: only what read-only reading honours; others are refused rather than ignored.
        guard data.isEmpty || isHarmless(data) else {
            log("Unrecognized mount option \"" + String(decoding: data, as: UTF8.self) + "\" or missing value")
            throw .EINVAL
        }
        let silent = flags & MS_SILENT != 0
        let probe = try BlockCache(file, blockSize: max(1024, file.device.logicalBlockSize), capacity: 16)
        var bytes = try await probe.block(UInt64(1024 / probe.blockSize))
        if probe.blockSize > 1024 { bytes = Array(bytes[1024..<2048]) }
        var reason = ""
        let superblock: Ext4Superblock
        do throws(Errno) {
            superblock = try Ext4Superblock.parse(bytes, pageSize: pageSize, reason: &reason)
        } catch {
            if !silent || error != .EINVAL { log(reason) }
            throw error
        }
        if let refusal = superblock.refusal(as: kind) {
            if !silent { log(refusal) }
            throw .EINVAL
        }
        let writable = flags & MS_RDONLY == 0
        if writable, let refusal = Ext4FileSystem.writableRefusal(superblock) {
            if writeRefused.first(0) { log(refusal + ": mount it read-only (-o ro)") }
            throw .EROFS
        }
        let cache = try BlockCaches.cache(for: file, blockSize: superblock.blockSize, capacity: 2048)
        guard superblock.blocksCount <= cache.blockCount else {
            log("bad geometry: block count " + Format.decimal(superblock.blocksCount) + " exceeds size of device ("
                + Format.decimal(cache.blockCount) + " blocks)")
            throw .EINVAL
        }
        let fs = try await Ext4FileSystem.mount(superblock, source: cache, type: kind, device: file.number,
                                                writable: writable ? (cache, nil, RootFilesystem.clock) : nil) { line in
            KernelLog.warning("EXT4-fs (" + name + "): " + line)
        }
        log(writable ? "mounted filesystem read-write without journal (Lichen: no jbd2 yet, no xattr changes)"
                     : "mounted filesystem read-only (Lichen: no journal replay)")
        return fs
    }

    /// remount: read-only to read-write needs a filesystem mounted writable (Lichen does not
    /// reopen one read-write yet: EROFS, logged); read-write to read-only writes everything back.
    static func remount(_ fs: Ext4FileSystem, flags: UInt64) async throws(Errno) {
        if flags & MS_RDONLY == 0 {
            guard fs.isWritable else {
                if writeRefused.first(0) { KernelLog.info("EXT4-fs: remount read-write of a read-only mount not implemented") }
                throw .EROFS
            }
        } else {
            try await fs.sync()
        }
    }

    /// Options that change nothing for a read-only mount without a journal replay.
    private static func isHarmless(_ data: [UInt8]) -> Bool {
        let allowed = ["ro", "noload", "norecovery", "errors=continue", "errors=remount-ro", "nodelalloc", "noatime",
                       "relatime", "nouser_xattr", "noacl", "acl", "user_xattr"]
        for option in data.split(separator: UInt8(ascii: ",")) {
            if !allowed.contains(where: { Array($0.utf8) == Array(option) }) { return false }
        }
        return true
    }
}
