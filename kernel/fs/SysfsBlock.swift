import LichenCore
import _Concurrency

/// The block devices in sysfs, laid out as Linux's (what lsblk and mdev walk):
/// - /sys/devices/<bus device>/virtioN/block/vda: dev ("254:0"), size (512-byte sectors), ro,
///   removable, range, queue/{logical_block_size,physical_block_size,hw_sector_size,rotational,
///   read_ahead_kb}, device -> ../../../virtioN, and a vdaN directory per partition with dev,
///   size, start, partition, ro;
/// - /sys/block/vda, /sys/class/block/vda and vdaN, /sys/dev/block/MAJ:MIN: relative symlinks to them.
/// Files are made with their values (disks do not change size: virtio-blk's config-change
/// interrupt is not handled); BLKRRPART replaces the partition entries (`partitionsChanged`).
/// Not made yet: uevent, stat, inflight, holders/slaves, the queue's other limits.
enum SysfsBlock {
    static let partitionFiles = ["dev", "size", "start", "partition", "ro"]

    /// Every disk and its partitions, into a new sysfs.
    static func add(to fs: SysFileSystem) async throws(Errno) {
        for disk in BlockDevices.all {
            let d = disk.device
            let path = "devices/" + d.sysfsPath + "/block/" + d.name
            let directory = try await SysfsTree.directory(fs.root, path)
            try await SysfsTree.file(directory, "dev", number(disk.whole.number))
            try await SysfsTree.file(directory, "size", Format.decimal(d.sectors))
            try await SysfsTree.file(directory, "ro", d.readOnly ? "1" : "0")
            try await SysfsTree.file(directory, "removable", "0")
            try await SysfsTree.file(directory, "range", Format.decimal(UInt64(BlockDevices.minorsPerDisk)))
            let path8 = Array(d.sysfsPath.utf8)                                // bytes: Character compares pull in Unicode tables
            let virtio = path8.lastIndex(of: 0x2f).map { String(decoding: path8[($0 + 1)...], as: UTF8.self) } ?? d.sysfsPath
            try await SysfsTree.link(directory, "device", "../../../" + virtio)
            let queue = try await SysfsTree.directory(directory, "queue")
            try await SysfsTree.file(queue, "logical_block_size", Format.decimal(UInt64(d.logicalBlockSize)))
            try await SysfsTree.file(queue, "hw_sector_size", Format.decimal(UInt64(d.logicalBlockSize)))
            try await SysfsTree.file(queue, "physical_block_size", Format.decimal(UInt64(d.physicalBlockSize)))
            try await SysfsTree.file(queue, "rotational", "1")                // virtio_blk (6.1) does not mark its queue non-rotational
            try await SysfsTree.file(queue, "read_ahead_kb", "128")           // Lichen's readahead maximum (ReadaheadState)
            try await SysfsTree.link(try await SysfsTree.directory(fs.root, "block"), d.name, "../" + path)
            try await SysfsTree.link(try await SysfsTree.directory(fs.root, "class/block"), d.name, "../../" + path)
            try await SysfsTree.link(try await SysfsTree.directory(fs.root, "dev/block"), number(disk.whole.number), "../../" + path)
            for file in disk.partitions { try await addPartition(file, of: disk, in: fs, diskDirectory: directory, diskPath: path) }
        }
    }

    /// BLKRRPART read a new table: the old partitions' entries go, the new ones come.
    static func partitionsChanged(_ disk: BlockDevices.Disk, old: [BlockDeviceFile]) async {
        guard let fs = SysFileSystem.existing else { return }
        let path = "devices/" + disk.device.sysfsPath + "/block/" + disk.device.name
        do throws(Errno) {
            let directory = try await SysfsTree.directory(fs.root, path)
            let classes = try await SysfsTree.directory(fs.root, "class/block"), numbers = try await SysfsTree.directory(fs.root, "dev/block")
            for file in old {
                let name = Array(file.name.utf8)
                try? await classes.unlink(name)
                try? await numbers.unlink(Array(number(file.number).utf8))
                if let p = try? await directory.lookup(name) {
                    for f in partitionFiles { try? await p.unlink(Array(f.utf8)) }
                    try? await directory.rmdir(name)
                }
            }
            for file in disk.partitions { try await addPartition(file, of: disk, in: fs, diskDirectory: directory, diskPath: path) }
        } catch {
            KernelLog.warning("sysfs: the partitions of " + disk.device.name + " could not be shown")
        }
    }

    private static func addPartition(_ file: BlockDeviceFile, of disk: BlockDevices.Disk, in fs: SysFileSystem,
                                     diskDirectory: any Inode, diskPath: String) async throws(Errno) {
        guard let p = file.partition else { return }
        let directory = try await SysfsTree.directory(diskDirectory, file.name)
        try await SysfsTree.file(directory, "dev", number(file.number))
        try await SysfsTree.file(directory, "size", Format.decimal(p.sectors))
        try await SysfsTree.file(directory, "start", Format.decimal(p.start))
        try await SysfsTree.file(directory, "partition", Format.decimal(UInt64(p.number)))
        try await SysfsTree.file(directory, "ro", disk.device.readOnly ? "1" : "0")
        let path = diskPath + "/" + file.name
        try await SysfsTree.link(try await SysfsTree.directory(fs.root, "class/block"), file.name, "../../" + path)
        try await SysfsTree.link(try await SysfsTree.directory(fs.root, "dev/block"), number(file.number), "../../" + path)
    }

    private static func number(_ n: DeviceNumber) -> String {
        Format.decimal(UInt64(n.major)) + ":" + Format.decimal(UInt64(n.minor))
    }
}

/// Building sysfs's tmpfs: directories made as needed, read-only files holding a value and a
/// newline, symlinks. Everything owned by root.
enum SysfsTree {
    /// The directory at `path` (slash-separated, relative to `from`), made where missing.
    static func directory(_ from: any Inode, _ path: String) async throws(Errno) -> any Inode {
        var at = from
        for part in Array(path.utf8).split(separator: 0x2f) {
            let name = Array(part)
            do { at = try await at.lookup(name) } catch where error == .ENOENT { at = try await at.mkdir(name, mode: 0o755, owner: .root) }
        }
        return at
    }

    static func file(_ directory: any Inode, _ name: String, _ value: String) async throws(Errno) {
        let text = Array((value + "\n").utf8)
        let file = try await directory.create(Array(name.utf8), mode: 0o444, owner: .root)
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: text.count, alignment: 1)
        defer { bytes.deallocate() }
        bytes.copyBytes(from: text)
        _ = try await file.write(at: 0, from: UnsafeRawBufferPointer(bytes), append: false)
    }

    static func link(_ directory: any Inode, _ name: String, _ target: String) async throws(Errno) {
        _ = try await directory.symlink(Array(name.utf8), target: Array(target.utf8), owner: .root)
    }
}
