import LichenCore
import _Concurrency

/// A disk as the block layer sees it (Linux's gendisk + its queue limits): sizes, flags, and
/// async requests on physically contiguous DMA buffers. Sectors are 512 bytes whatever the logical
/// block size (Linux's unit); a request covers whole logical blocks.
protocol BlockDevice: AnyObject, Sendable {
    /// The disk's name in /dev and /proc/partitions ("vda").
    var name: String { get }
    /// Its device's directory under /sys/devices ("platform/a003e00.virtio_mmio/virtio0"); the
    /// disk's sysfs directory is block/NAME inside it.
    var sysfsPath: String { get }
    var sectors: UInt64 { get }
    var logicalBlockSize: Int { get }
    var physicalBlockSize: Int { get }
    var readOnly: Bool { get }
    /// A volatile write cache the device empties on `flush` (without one, flush has nothing to do).
    var hasWriteCache: Bool { get }
    /// 0 when the device cannot discard.
    var maxDiscardSectors: UInt64 { get }
    /// The most bytes one read or write may carry.
    var maxTransferBytes: Int { get }

    func read(sector: UInt64, into buffer: DMABuffer) async throws(Errno)
    func write(sector: UInt64, from buffer: DMABuffer) async throws(Errno)
    func flush() async throws(Errno)
    func discard(sector: UInt64, count: UInt64) async throws(Errno)
}

/// Physically contiguous kernel memory a device reads or writes (from the frame allocator, reached
/// through the direct map). The owner frees it.
struct DMABuffer {
    let physical: PhysAddr
    let pointer: UnsafeMutableRawPointer
    let count: Int
    let order: Int

    /// At least `bytes` bytes (whole pages), nil when memory is short.
    static func allocate(_ bytes: Int) -> DMABuffer? {
        var order = 0
        while pageSize << order < bytes { order += 1 }
        guard let frames = PhysicalMemory.allocateForUser(order: order) else { return nil }
        return DMABuffer(physical: frames, pointer: KernelLayout.directMap(frames).pointer, count: pageSize << order, order: order)
    }

    func free() { PhysicalMemory.free(physical, order: order) }

    /// The first `bytes` bytes of the buffer.
    func prefix(_ bytes: Int) -> DMABuffer {
        DMABuffer(physical: physical, pointer: pointer, count: min(bytes, count), order: order)
    }

    var bytes: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(start: pointer, count: count) }
}
