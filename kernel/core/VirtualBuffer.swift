import LichenCore
import LichenAArch64

/// A large, growable kernel buffer: separate frames mapped at consecutive addresses in the kernel's
/// buffer window (Linux's vmalloc), so its size is not limited by the largest free physical block or
/// by the heap (a decompressed initramfs can be tens of MiB).
final class VirtualBuffer {
    /// Inside the stack region's L0 entry, far above the stacks (the kernel half's L0 entries are fixed
    /// at boot, see KernelAddressSpace.populateKernelHalf).
    private static let windowBase: UInt64 = KernelLayout.stackRegionBase + (256 << 30)
    nonisolated(unsafe) private static var nextAddress = windowBase

    let base: VirtAddr
    private(set) var count = 0
    private var frames: [PhysAddr] = []
    let capacity: Int

    /// Reserves `capacity` bytes of address space; frames are added as the buffer grows.
    init(capacity: Int) {
        let size = (capacity + pageSize - 1) & ~(pageSize - 1)
        self.capacity = size
        base = VirtAddr(CPU.withInterruptsDisabled {
            defer { VirtualBuffer.nextAddress += UInt64(size + pageSize) }   // a guard page between buffers
            return VirtualBuffer.nextAddress
        })
    }

    deinit {
        for (i, frame) in frames.enumerated() {
            KernelAddressSpace.unmapKernelMemory(virtual: base + UInt64(i * pageSize), size: UInt64(pageSize))
            PhysicalMemory.free(frame)
        }
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base.pointer, count: count) }

    /// Appends `data`, mapping more frames as needed. False when memory or the reservation runs out.
    func append(_ data: UnsafeRawBufferPointer) -> Bool {
        guard count + data.count <= capacity else { return false }
        while frames.count * pageSize < count + data.count {
            guard let frame = PhysicalMemory.allocateForUser() else { return false }
            do {
                try KernelAddressSpace.mapKernelMemory(virtual: base + UInt64(frames.count * pageSize), physical: frame,
                                                       size: UInt64(pageSize))
            } catch {
                PhysicalMemory.free(frame)
                return false
            }
            frames.append(frame)
        }
        if let source = data.baseAddress, data.count > 0 { (base.pointer + count).copyMemory(from: source, byteCount: data.count) }
        count += data.count
        return true
    }
}
