import LichenCore
import Synchronization
import _Concurrency

/// A disk or one of its partitions as a file (/dev/vda, /dev/vda1): read, write, lseek, pread and
/// pwrite at byte offsets through a bounce buffer (no page cache yet: every call goes to the
/// device, partial blocks read-modify-written), fsync as a device flush, the block ioctls, and
/// O_DIRECT's alignment rule (offset and length in whole logical blocks, else EINVAL).
final class BlockDeviceFile: FileOperations, @unchecked Sendable {
    let device: any BlockDevice
    let partition: Partition?
    let number: DeviceNumber
    private let opens = Atomic<Int>(0)
    private static let refused = ReportOnce(count: 1)

    init(device: any BlockDevice, partition: Partition?, number: DeviceNumber) {
        self.device = device
        self.partition = partition
        self.number = number
    }

    var name: String { partition.map { device.name + Format.decimal(UInt64($0.number)) } ?? device.name }
    /// The first sector and the size, in 512-byte sectors.
    var firstSector: UInt64 { partition?.start ?? 0 }
    var sectors: UInt64 { partition?.sectors ?? device.sectors }
    var bytes: Int64 { Int64(sectors * 512) }
    var isOpen: Bool { opens.load(ordering: .relaxed) > 0 }

    var usesPosition: Bool { true }

    func open(_ file: OpenFile) async throws(Errno) { opens.wrappingAdd(1, ordering: .relaxed) }
    func release(_ file: OpenFile) { opens.wrappingSubtract(1, ordering: .relaxed) }

    /// lseek as Linux's fixed_size_llseek: the size is the end, and no position past it.
    func seek(_ file: OpenFile, to offset: Int64, whence: Int32, current: Int64) throws(Errno) -> Int64 {
        let target: Int64
        switch whence {
        case 0: target = offset
        case 1: target = current &+ offset
        case 2: target = bytes &+ offset
        case 3: guard offset >= 0, offset < bytes else { throw .ENXIO }; target = offset          // SEEK_DATA
        case 4: guard offset >= 0, offset < bytes else { throw .ENXIO }; target = bytes           // SEEK_HOLE
        default: throw .EINVAL
        }
        guard target >= 0, target <= bytes else { throw .EINVAL }
        return target
    }

    func read(_ file: OpenFile, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        guard offset < bytes, !buffer.isEmpty else { return 0 }
        let count = Int(min(Int64(buffer.count), bytes - offset))
        try checkDirect(file, offset: offset, count: buffer.count)
        try await transfer(offset: offset, count: count) { (bounce, at, n) in
            buffer.baseAddress!.advanced(by: at).copyMemory(from: bounce, byteCount: n)
        } write: { _, _, _ in }
        return count
    }

    func write(_ file: OpenFile, from buffer: UnsafeRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        if device.readOnly { throw .EPERM }
        guard !buffer.isEmpty else { return 0 }
        guard offset < bytes else { throw .ENOSPC }
        let count = Int(min(Int64(buffer.count), bytes - offset))
        try checkDirect(file, offset: offset, count: buffer.count)
        try await transfer(offset: offset, count: count, writing: true) { _, _, _ in } write: { (bounce, at, n) in
            bounce.copyMemory(from: buffer.baseAddress!.advanced(by: at), byteCount: n)
        }
        return count
    }

    func fsync(_ file: OpenFile) async throws(Errno) { try await device.flush() }

    /// O_DIRECT: Linux's blkdev_dio_unaligned (position and length in whole logical blocks). The user
    /// buffer's address is not checked: the syscall layer copies through a kernel bounce buffer.
    private func checkDirect(_ file: OpenFile, offset: Int64, count: Int) throws(Errno) {
        guard file.flags.contains(.O_DIRECT) else { return }
        let mask = Int64(device.logicalBlockSize - 1)
        guard offset & mask == 0, Int64(count) & mask == 0 else { throw .EINVAL }
    }

    /// Moves `count` bytes at byte `offset` (of this disk or partition) through a bounce buffer of
    /// whole logical blocks, in requests of at most the device's transfer size. `read` copies out of
    /// the bounce buffer after a read (bounce, position in the caller's buffer, bytes); `write` fills it
    /// before a write, after the partial blocks at either end were read.
    private func transfer(offset: Int64, count: Int, writing: Bool = false,
                          read: (UnsafeMutableRawPointer, Int, Int) -> Void,
                          write: (UnsafeMutableRawPointer, Int, Int) -> Void) async throws(Errno) {
        let block = Int64(device.logicalBlockSize)
        let maxBytes = device.maxTransferBytes
        guard let bounce = DMABuffer.allocate(maxBytes) else { throw .ENOMEM }
        defer { bounce.free() }
        var done = 0
        while done < count {
            let position = offset + Int64(done)
            let alignedStart = position / block * block
            let skip = Int(position - alignedStart)
            let n = min(count - done, maxBytes - skip)
            let alignedLength = Int((Int64(skip + n) + block - 1) / block * block)
            let chunk = bounce.prefix(alignedLength)
            let sector = firstSector + UInt64(alignedStart) / 512
            if !writing || skip != 0 || alignedLength != skip + n {
                try await device.read(sector: sector, into: chunk)
            }
            if writing {
                write(chunk.pointer + skip, done, n)
                try await device.write(sector: sector, from: chunk)
            } else {
                read(chunk.pointer + skip, done, n)
            }
            done += n
        }
    }

    func ioctl(_ file: OpenFile, request: UInt32, argument: UInt64, caller: IoctlCaller) async throws(Errno) -> Int64 {
        switch request {
        case LinuxBlockIoctl.BLKGETSIZE64:
            try caller.store(UInt64(bytes), to: argument)
        case LinuxBlockIoctl.BLKGETSIZE:
            try caller.store(UInt64(sectors), to: argument)
        case LinuxBlockIoctl.BLKSSZGET:
            try caller.store(Int32(device.logicalBlockSize), to: argument)
        case LinuxBlockIoctl.BLKPBSZGET:
            try caller.store(UInt32(device.physicalBlockSize), to: argument)
        case LinuxBlockIoctl.BLKIOMIN:
            try caller.store(UInt32(device.physicalBlockSize), to: argument)
        case LinuxBlockIoctl.BLKIOOPT, LinuxBlockIoctl.BLKALIGNOFF:
            try caller.store(Int32(0), to: argument)
        case LinuxBlockIoctl.BLKBSZGET:
            // The soft block size Linux gives a freshly opened device: the largest power of two up to a
            // page that divides the size, at least the logical block size.
            var size = pageSize
            while size > device.logicalBlockSize && bytes % Int64(size) != 0 { size /= 2 }
            try caller.store(Int32(size), to: argument)
        case LinuxBlockIoctl.BLKROGET:
            try caller.store(Int32(device.readOnly ? 1 : 0), to: argument)
        case LinuxBlockIoctl.BLKFLSBUF:
            guard caller.has(.CAP_SYS_ADMIN) else { throw .EACCES }
            try await BlockCaches.flushBuffers(of: number)
        case LinuxBlockIoctl.BLKRRPART:
            guard caller.has(.CAP_SYS_ADMIN) else { throw .EACCES }
            guard partition == nil, let disk = BlockDevices.all.first(where: { $0.whole === self }) else { throw .EINVAL }
            try await BlockDevices.rescan(disk)
        case LinuxBlockIoctl.BLKDISCARD:
            guard file.flags.allowsWrite else { throw .EBADF }
            guard device.maxDiscardSectors > 0 else { throw .EOPNOTSUPP }
            let range = try caller.load((UInt64, UInt64).self, from: argument)
            guard range.0 & 511 == 0, range.1 & 511 == 0, range.0 <= UInt64(bytes), range.1 <= UInt64(bytes) - range.0 else { throw .EINVAL }
            if device.readOnly { throw .EPERM }
            if range.1 > 0 { try await device.discard(sector: firstSector + range.0 / 512, count: range.1 / 512) }
        case LinuxBlockIoctl.BLKROSET:
            guard caller.has(.CAP_SYS_ADMIN) else { throw .EACCES }
            if Self.refused.first(0) { KernelLog.notice("block: BLKROSET (making a disk read-only) is not supported") }
            throw .EOPNOTSUPP
        default:
            throw .ENOTTY
        }
        return 0
    }
}
