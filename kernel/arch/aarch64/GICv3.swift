import LichenCore
import AArch64Intrinsics

/// Arm Generic Interrupt Controller v3: distributor and per-CPU redistributors in memory, CPU interface
/// through system registers. Assumes a single security state (qemu virt without EL3), all group 1.
final class GICv3: InterruptController {
    static let driver = DriverEntry(name: "GICv3", compatible: GICDescription.v3Compatibles, stage: .interruptController) {
        node throws(ProbeFailure) in
        guard Interrupts.controller == nil else { throw .notNeeded }
        guard case .v3(let distributor, let redistributors) = try DriverRegistry.decode({ () throws(DeviceTreeError) in try GICDescription(node) })
        else { throw .unsupported }
        Interrupts.controller = GICv3(distributor: try DriverRegistry.map(distributor), redistributors: try DriverRegistry.map(redistributors),
                                      redistributorsSize: redistributors.size)
    }

    private enum Dist {
        static let control = 0x0000, type = 0x0004, group = 0x0080, setEnable = 0x0100, clearEnable = 0x0180
        static let clearPending = 0x0280, priority = 0x0400, config = 0x0c00, route = 0x6000
    }
    private enum Redist {
        static let type = 0x0008, waker = 0x0014
        static let frameSize: UInt64 = 0x20000           // RD_base + SGI_base
        static let sgiBase: UInt64 = 0x10000
        static let group = 0x0080, setEnable = 0x0100, clearEnable = 0x0180, priority = 0x0400
    }

    let name: StaticString = "GICv3"
    private let distributor: MMIORegion
    private let redistributors: MMIORegion
    private let redistributorsSize: UInt64
    /// Each CPU's SGI/PPI frame in its redistributor, by CPU index.
    private var sgiFrames = [MMIORegion?](repeating: nil, count: PerCPU.maxCPUs)
    private var sgiFrame: MMIORegion? { sgiFrames[PerCPU.currentIndex] }
    let lineCount: Int

    init(distributor: MMIORegion, redistributors: MMIORegion, redistributorsSize: UInt64) {
        self.distributor = distributor
        self.redistributors = redistributors
        self.redistributorsSize = redistributorsSize
        lineCount = min(1020, 32 * (Int(distributor.read32(Dist.type) & 0x1f) + 1))
        distributor.write32(Dist.control, 0)
        waitForWrites()
        for i in stride(from: 32, to: lineCount, by: 32) {
            distributor.write32(Dist.clearEnable + i / 8, 0xffff_ffff)
            distributor.write32(Dist.clearPending + i / 8, 0xffff_ffff)
            distributor.write32(Dist.group + i / 8, 0xffff_ffff)
        }
        for i in stride(from: 32, to: lineCount, by: 4) { distributor.write32(Dist.priority + i, 0xa0a0_a0a0) }
        for i in stride(from: 32, to: lineCount, by: 16) { distributor.write32(Dist.config + i / 4, 0) }
        let affinity = GICv3.affinity(read_mpidr())
        for i in 32..<lineCount { distributor.write64(Dist.route + i * 8, affinity) }
        distributor.write32(Dist.control, (1 << 4) | (1 << 1))   // ARE, EnableGrp1
        waitForWrites()
    }

    /// MPIDR affinity in GICR_TYPER / GICD_IROUTER layout (Aff3 at 32, Aff2..Aff0 below).
    private static func affinity(_ mpidr: UInt64) -> UInt64 { (mpidr & 0xff_ffff) | ((mpidr >> 32) & 0xff) << 32 }

    private func waitForWrites() {
        while distributor.read32(Dist.control) & (1 << 31) != 0 {}
    }

    func initializeCPU() {
        let me = GICv3.affinity(read_mpidr())
        var offset: UInt64 = 0
        while offset < redistributorsSize {
            let frame = redistributors.offset(by: offset)
            let type = frame.read64(Redist.type)
            if type >> 32 == me {
                var waker = frame.read32(Redist.waker)
                waker &= ~UInt32(1 << 1)                       // ProcessorSleep = 0
                frame.write32(Redist.waker, waker)
                while frame.read32(Redist.waker) & (1 << 2) != 0 {}   // ChildrenAsleep
                let sgi = frame.offset(by: Redist.sgiBase)
                sgi.write32(Redist.clearEnable, 0xffff_ffff)
                sgi.write32(Redist.group, 0xffff_ffff)
                for i in stride(from: 0, to: 32, by: 4) { sgi.write32(Redist.priority + i, 0xa0a0_a0a0) }
                sgiFrames[PerCPU.currentIndex] = sgi
                break
            }
            if type & (1 << 4) != 0 { break }                  // Last
            offset += Redist.frameSize
        }
        write_icc_sre(read_icc_sre() | 1)
        isb()
        write_icc_pmr(0xf0)
        write_icc_bpr1(0)
        write_icc_igrpen1(1)
        isb()
    }

    func enable(_ id: InterruptID) {
        let n = Int(id.value)
        if n < 32 { sgiFrame?.write32(Redist.setEnable, 1 << UInt32(n)) }
        else { distributor.write32(Dist.setEnable + (n / 32) * 4, 1 << UInt32(n % 32)) }
    }

    func disable(_ id: InterruptID) {
        let n = Int(id.value)
        if n < 32 { sgiFrame?.write32(Redist.clearEnable, 1 << UInt32(n)) }
        else { distributor.write32(Dist.clearEnable + (n / 32) * 4, 1 << UInt32(n % 32)) }
    }

    func acknowledge() -> InterruptID? {
        let id = UInt32(truncatingIfNeeded: read_icc_iar1() & 0xff_ffff)
        return id >= 1020 && id <= 1023 ? nil : InterruptID(id)
    }

    func endOfInterrupt(_ id: InterruptID) {
        write_icc_eoir1(UInt64(id.value))
        isb()
    }

    /// ICC_SGI1R_EL1: INTID, Aff3.Aff2.Aff1 of the target and a bit for its Aff0 in the target list.
    func sendSoftwareInterrupt(_ id: InterruptID, toCPU index: Int, hardwareID: UInt64) {
        let aff0 = hardwareID & 0xf
        let aff1 = (hardwareID >> 8) & 0xff, aff2 = (hardwareID >> 16) & 0xff, aff3 = (hardwareID >> 32) & 0xff
        dsb_ishst()
        write_icc_sgi1r((aff3 << 48) | (aff2 << 32) | (UInt64(id.value & 0xf) << 24) | (aff1 << 16) | (1 << aff0))
        isb()
    }
}
