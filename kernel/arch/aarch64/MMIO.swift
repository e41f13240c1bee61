import LichenCore
import AArch64Intrinsics

/// A mapped window of device registers. All device register accesses go through here.
struct MMIORegion {
    let base: VirtAddr

    @inline(__always) func read32(_ offset: Int) -> UInt32 { mmio_read32(base.value &+ UInt64(offset)) }
    @inline(__always) func write32(_ offset: Int, _ value: UInt32) { mmio_write32(base.value &+ UInt64(offset), value) }
    @inline(__always) func read64(_ offset: Int) -> UInt64 { mmio_read64(base.value &+ UInt64(offset)) }
    @inline(__always) func write64(_ offset: Int, _ value: UInt64) { mmio_write64(base.value &+ UInt64(offset), value) }

    func offset(by bytes: UInt64) -> MMIORegion { MMIORegion(base: base + bytes) }
}
