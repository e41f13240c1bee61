import LichenCore
import _Concurrency

/// The disks the drivers found, their partitions, and their device numbers: virtio-blk's dynamic
/// major (254 on Debian's Linux, as `ls -l /dev/vda` shows) with 16 minors per disk, the disk
/// itself at 16 * index and partitions 1-15 after it. /dev nodes, the device registry and
/// /proc/partitions come from here. Nodes are 0600 root, as devtmpfs makes them (udev would
/// give them to group disk).
enum BlockDevices {
    static let virtioMajor: UInt32 = 254
    static let minorsPerDisk: UInt32 = 16

    final class Disk: @unchecked Sendable {
        let device: any BlockDevice
        let index: Int
        let whole: BlockDeviceFile
        /// The partition files by number (rescanned by BLKRRPART), guarded by `BlockDevices.lock`.
        var partitions: [BlockDeviceFile] = []

        init(device: any BlockDevice, index: Int) {
            self.device = device
            self.index = index
            whole = BlockDeviceFile(device: device, partition: nil,
                                    number: DeviceNumber(major: BlockDevices.virtioMajor, minor: UInt32(index) * BlockDevices.minorsPerDisk))
        }

        func number(_ partition: Int) -> DeviceNumber {
            DeviceNumber(major: BlockDevices.virtioMajor, minor: UInt32(index) * BlockDevices.minorsPerDisk + UInt32(partition))
        }
    }

    private static let lock = SpinLock(0)
    /// The disks' and partitions' /dev nodes found at boot (a devtmpfs mounted later gets them too).
    nonisolated(unsafe) static var nodes: [Devfs.Node] = []
    nonisolated(unsafe) private static var disks: [Disk] = []

    /// From a driver's probe (boot, before the root filesystem exists).
    static func add(_ device: any BlockDevice) {
        lock.withLock { _ in disks.append(Disk(device: device, index: disks.count)) }
    }

    static var all: [Disk] { lock.withLock { _ in disks } }

    /// The disk or partition with device number `number` (a filesystem's source), nil when none.
    static func file(_ number: DeviceNumber) -> BlockDeviceFile? {
        lock.withLock { _ in
            for disk in disks {
                if disk.whole.number == number { return disk.whole }
                if let p = disk.partitions.first(where: { $0.number == number }) { return p }
            }
            return nil
        }
    }

    /// At boot, once the VFS exists: reads every disk's partition table and registers the disk and
    /// its partitions as block devices. The returned nodes go into devtmpfs.
    static func start(in registry: DeviceRegistry) async -> [Devfs.Node] {
        var nodes: [Devfs.Node] = []
        for disk in all {
            try? registry.register(.block, disk.whole.number, disk.whole)
            nodes.append(Devfs.Node(name: Array(disk.device.name.utf8), number: disk.whole.number, mode: 0o600, kind: .block))
            let table = await scan(disk.device)
            for file in install(table, on: disk, registry: registry) {
                nodes.append(Devfs.Node(name: Array(file.name.utf8), number: file.number, mode: 0o600, kind: .block))
            }
        }
        return nodes
    }

    /// BLKRRPART: reads the table again; EBUSY while a partition is open (as Linux). Partitions that
    /// went away lose their registration and /dev node; new ones get both.
    static func rescan(_ disk: Disk) async throws(Errno) {
        guard let vfs = RootFilesystem.vfs else { throw .ENXIO }
        let old = lock.withLock { _ in disk.partitions }
        guard !old.contains(where: { $0.isOpen }) else { throw .EBUSY }
        let table = await scan(disk.device)
        let context = vfs.context()
        for file in old {
            vfs.devices.unregister(.block, file.number)
            try? await vfs.unlink(Array(("/dev/" + file.name).utf8), context: context)
        }
        for file in install(table, on: disk, registry: vfs.devices) {
            _ = try? await vfs.mknod(Array(("/dev/" + file.name).utf8), mode: FileMode.S_IFBLK | 0o600, device: file.number, context: context)
        }
        await SysfsBlock.partitionsChanged(disk, old: old)
    }

    private static func install(_ table: PartitionTable, on disk: Disk, registry: DeviceRegistry) -> [BlockDeviceFile] {
        let files = table.partitions.map { p in
            BlockDeviceFile(device: disk.device, partition: p, number: disk.number(p.number))
        }
        for file in files { try? registry.register(.block, file.number, file) }
        lock.withLock { _ in disk.partitions = files }
        let kind = table.kind == .gpt ? "GPT" : table.kind == .mbr ? "MBR" : "no partition table"
        KernelLog.info("block: " + disk.device.name + ": " + kind + files.reduce("") { $0 + " " + $1.name })
        return files
    }

    /// Runs the sans-IO PartitionScanner against the disk, one block read at a time.
    static func scan(_ device: any BlockDevice) async -> PartitionTable {
        let blockSize = device.logicalBlockSize
        var scanner = PartitionScanner(blockSize: blockSize, blocks: device.sectors * 512 / UInt64(blockSize))
        var step = scanner.start()
        while true {
            switch step {
            case .done(let table): return table
            case .read(let block, let count):
                let bytes = count * blockSize
                guard let buffer = DMABuffer.allocate(bytes) else { return .empty }
                defer { buffer.free() }
                var ok = true
                var done = 0
                while done < bytes && ok {
                    let n = min(bytes - done, device.maxTransferBytes)
                    let part = DMABuffer(physical: buffer.physical + UInt64(done), pointer: buffer.pointer + done, count: n, order: 0)
                    do throws(Errno) {
                        try await device.read(sector: (block * UInt64(blockSize) + UInt64(done)) / 512, into: part)
                    } catch { ok = false }
                    done += n
                }
                step = scanner.feed(UnsafeRawBufferPointer(start: buffer.pointer, count: ok ? bytes : 0))
            }
        }
    }

    /// sync(2): every disk writes back its volatile cache; errors are not reported (as Linux's sync).
    static func flushAll() async {
        for disk in all where !disk.device.readOnly { try? await disk.device.flush() }
    }

    /// /proc/partitions, as Linux's show_partition: 1 KiB blocks.
    @Sendable static func procPartitions() -> [UInt8] {
        var o = "major minor  #blocks  name\n\n"
        for disk in all {
            for file in [disk.whole] + lock.withLock({ _ in disk.partitions }) {
                o += Format.decimal(UInt64(file.number.major), width: 4) + "  " + Format.decimal(UInt64(file.number.minor), width: 7)
                    + " " + Format.decimal(file.sectors / 2, width: 10) + " " + file.name + "\n"
            }
        }
        return Array(o.utf8)
    }
}
