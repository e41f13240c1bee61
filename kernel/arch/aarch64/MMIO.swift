import LichenCore
import AArch64Intrinsics

/// A mapped window of device registers. All device register accesses go through here.
struct MMIORegion {
    let base: VirtAddr

    /// Narrow accesses, for registers defined as 8 or 16 bits wide (PCI configuration space, virtio-pci).
    @inline(__always) func read8(_ offset: Int) -> UInt8 { mmio_read8(base.value &+ UInt64(offset)) }
    @inline(__always) func write8(_ offset: Int, _ value: UInt8) { mmio_write8(base.value &+ UInt64(offset), value) }
    @inline(__always) func read16(_ offset: Int) -> UInt16 { mmio_read16(base.value &+ UInt64(offset)) }
    @inline(__always) func write16(_ offset: Int, _ value: UInt16) { mmio_write16(base.value &+ UInt64(offset), value) }
    @inline(__always) func read32(_ offset: Int) -> UInt32 { mmio_read32(base.value &+ UInt64(offset)) }
    @inline(__always) func write32(_ offset: Int, _ value: UInt32) { mmio_write32(base.value &+ UInt64(offset), value) }
    @inline(__always) func read64(_ offset: Int) -> UInt64 { mmio_read64(base.value &+ UInt64(offset)) }
    @inline(__always) func write64(_ offset: Int, _ value: UInt64) { mmio_write64(base.value &+ UInt64(offset), value) }

    func offset(by bytes: UInt64) -> MMIORegion { MMIORegion(base: base + bytes) }
}
