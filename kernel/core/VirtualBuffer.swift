import LichenCore
import Synchronization

/// A large, growable kernel buffer: separate frames mapped at consecutive addresses in the kernel's
/// buffer window (Linux's vmalloc), so its size is not limited by the largest free physical block or
/// by the heap (a decompressed initramfs can be tens of MiB).
final class VirtualBuffer {
    /// Inside the stack region's L0 entry, far above the stacks (the kernel half's L0 entries are fixed
    /// at boot, see KernelAddressSpace.populateKernelHalf).
    private static let windowBase: UInt64 = KernelLayout.stackRegionBase + (256 << 30)
    private static let nextAddress = Atomic<UInt64>(windowBase)   // buffers are made on every CPU

    let base: VirtAddr
    private var frames: [PhysAddr] = []
    let capacity: Int

    /// Reserves `capacity` bytes of address space; frames are added as the buffer grows.
    init(capacity: Int) {
        let size = (capacity + pageSize - 1) & ~(pageSize - 1)
        self.capacity = size
        // A guard page between buffers. (Masking interrupts here did not stop two CPUs from getting
        // the same window.)
        base = VirtAddr(VirtualBuffer.nextAddress.wrappingAdd(UInt64(size + pageSize), ordering: .relaxed).oldValue)
    }

    deinit {
        for (i, frame) in frames.enumerated() {
            KernelAddressSpace.unmapKernelMemory(virtual: base + UInt64(i * pageSize), size: UInt64(pageSize))
            PhysicalMemory.free(frame)
        }
    }

    /// The mapped part of the buffer, for writing in place: at least `minimum` bytes, mapping `step` more than that to limit the calls. Nil when memory or
    /// the reservation runs out.
    func writable(atLeast minimum: Int, step: Int = 256 << 10) -> UnsafeMutableRawBufferPointer? {
        guard map(upTo: min(minimum + step, capacity)), minimum <= capacity else { return nil }
        return UnsafeMutableRawBufferPointer(start: base.pointer, count: frames.count * pageSize)
    }

    /// Maps frames until the first `size` bytes are backed.
    private func map(upTo size: Int) -> Bool {
        guard size <= capacity else { return false }
        while frames.count * pageSize < size {
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
        return true
    }
}
