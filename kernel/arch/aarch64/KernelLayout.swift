import LichenCore
import AArch64Intrinsics

/// The kernel's virtual address map: the upper half of the 48-bit TTBR0 range, shared by every address
/// space (user space gets the lower half). Not the TTBR1 range: Swift needs pointers below 2^60
/// (docs/memory.md).
///
///     0x0000_8000_0000_0000  direct map of all RAM (PA + base), RW, never executable
///     0x0000_f000_0000_0000  kernel stacks, 32 KiB slots: 16 KiB unmapped guard, then 16 KiB stack
///     0x0000_f800_0000_0000  device MMIO windows
///     0x0000_ff80_0000_0000  the kernel image (text RX, rodata R, data/bss RW)
enum KernelLayout {
    static let directMapBase: UInt64 = 0x0000_8000_0000_0000
    static let stackRegionBase: UInt64 = 0x0000_f000_0000_0000
    static let mmioRegionBase: UInt64 = 0x0000_f800_0000_0000
    static let imageBase: UInt64 = 0x0000_ff80_0000_0000

    static let stackSize: UInt64 = 16 * 1024
    static let stackSlotSize: UInt64 = 32 * 1024

    /// Physical address the image was loaded at (set once at boot).
    nonisolated(unsafe) static var imagePhysicalBase = PhysAddr(0)

    /// A direct-map address for physical memory.
    static func directMap(_ p: PhysAddr) -> VirtAddr { VirtAddr(p.value &+ directMapBase) }

    /// The physical address behind a kernel-image address (text, data, bss).
    static func imagePhysical(_ v: VirtAddr) -> PhysAddr { PhysAddr(v.value - imageBase + imagePhysicalBase.value) }

    static var textStart: VirtAddr { VirtAddr(address_of__text()) }
    static var textEnd: VirtAddr { VirtAddr(address_of___text_end()) }
    static var rodataEnd: VirtAddr { VirtAddr(address_of___rodata_end()) }
    static var imageEnd: VirtAddr { VirtAddr(address_of__end()) }
    static var imageSize: UInt64 { imageEnd - textStart }

    /// rt/libc.c's static arena for the heap before the frame allocator.
    static var bootstrapHeap: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: VirtAddr(address_of_lichen_bootstrap_heap()).pointer, count: Int(BOOTSTRAP_HEAP_SIZE))
    }
    /// The vDSO file kernel/vdso/image.S embeds, and its __kernel_rt_sigreturn's offset in it.
    static var vdsoImage: UnsafeRawBufferPointer {
        let start = address_of_lichen_vdso_image_start()
        return UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: UInt(start)), count: Int(address_of_lichen_vdso_image_end() - start))
    }
    static var vdsoSigreturnOffset: UInt64 { vdso_sigreturn_offset() }
}

extension VirtAddr {
    /// The one place a kernel virtual address becomes a pointer.
    var pointer: UnsafeMutableRawPointer { UnsafeMutableRawPointer(bitPattern: UInt(value))! }
}
