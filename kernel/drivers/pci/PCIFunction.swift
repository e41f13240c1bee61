import LichenCore

/// One function on the bus after `configure`: its configuration space (mapped through ECAM), ids,
/// the CPU address ranges of its assigned memory BARs, and its routed INTx line.
final class PCIFunction {
    let config: MMIORegion
    let address: PCIFunctionAddress
    let vendorID: UInt16
    let deviceID: UInt16
    let classCode: UInt32
    /// Per BAR: where its memory sits for the CPU (nil: not implemented, I/O, or no room left).
    let memoryBARs: [PhysRange?]
    let interrupt: InterruptID?

    private init(config: MMIORegion, address: PCIFunctionAddress, memoryBARs: [PhysRange?], interrupt: InterruptID?) {
        self.config = config
        self.address = address
        vendorID = config.read16(PCIConfig.vendorID)
        deviceID = config.read16(PCIConfig.deviceID)
        classCode = config.read32(PCIConfig.classRevision) >> 8
        self.memoryBARs = memoryBARs
        self.interrupt = interrupt
    }

    /// Sizes and assigns the BARs of a type 0 function, routes its interrupt pin, and enables memory
    /// decoding and bus mastering (I/O decoding stays off: no driver uses port I/O). nil for bridges
    /// and unknown header layouts, which are logged and left alone.
    static func configure(_ config: MMIORegion, address: PCIFunctionAddress, host: PCIHostDescription,
                          allocator: inout PCIWindowAllocator) -> PCIFunction? {
        let ids = "pci: " + address.description + " [" + Format.hex(UInt64(config.read16(PCIConfig.vendorID)), width: 4, prefix: false)
            + ":" + Format.hex(UInt64(config.read16(PCIConfig.deviceID)), width: 4, prefix: false) + "]"
        let layout = config.read8(PCIConfig.headerType) & ~PCIConfig.HeaderLayout.multiFunction
        guard layout == PCIConfig.HeaderLayout.endpoint else {
            KernelLog.info(ids + ": header type " + Format.decimal(UInt64(layout)) + (layout == PCIConfig.HeaderLayout.bridge
                ? " (a bridge): not configured, nothing behind it is scanned" : ": not configured"))
            return nil
        }
        var command = config.read16(PCIConfig.command)
        // No decoding while BARs hold all-ones during sizing (PCI 3.0, 6.2.5.1).
        config.write16(PCIConfig.command, command & ~(PCIConfig.Command.memorySpace | PCIConfig.Command.ioSpace))
        var bars = [PhysRange?](repeating: nil, count: PCIConfig.barCount)
        var i = 0
        while i < PCIConfig.barCount {
            let offset = PCIConfig.bar0 + 4 * i
            let original = config.read32(offset)
            let wide = PCIBar.is64Bit(original)
            guard !wide || i + 1 < PCIConfig.barCount else {
                KernelLog.warning(ids + ": BAR 5 claims 64 bits (no register for its high half): left unassigned")
                break
            }
            config.write32(offset, 0xffff_ffff)
            let sizedLow = config.read32(offset)
            var sizedHigh: UInt32? = nil
            if wide {
                config.write32(offset + 4, 0xffff_ffff)
                sizedHigh = config.read32(offset + 4)
            }
            if let bar = PCIBar(original: original, sizedLow: sizedLow, sizedHigh: sizedHigh) {
                if let at = allocator.allocate(bar) {
                    config.write32(offset, UInt32(truncatingIfNeeded: at.pciAddress))
                    if wide { config.write32(offset + 4, UInt32(truncatingIfNeeded: at.pciAddress >> 32)) }
                    if bar.space != .io { bars[i] = PhysRange(start: PhysAddr(at.cpuAddress), size: bar.size) }
                } else {
                    config.write32(offset, 0)
                    if wide { config.write32(offset + 4, 0) }
                    KernelLog.warning(ids + ": no room for BAR " + Format.decimal(UInt64(i)) + " ("
                                      + Format.bytes(bar.size) + ") in the bridge's windows: left unassigned")
                }
            } else {
                config.write32(offset, original)
                if wide { config.write32(offset + 4, 0) }
            }
            i += wide ? 2 : 1
        }
        let pin = config.read8(PCIConfig.interruptPin)
        let interrupt = pin == 0 ? nil : host.interruptMap?.interrupt(for: address, pin: pin)
        command |= PCIConfig.Command.memorySpace | PCIConfig.Command.busMaster
        command &= ~PCIConfig.Command.ioSpace
        if interrupt != nil { command &= ~PCIConfig.Command.interruptDisable }
        config.write16(PCIConfig.command, command)
        KernelLog.info(ids + ": class " + Format.hex(UInt64(config.read32(PCIConfig.classRevision) >> 8), width: 6, prefix: false)
                       + (interrupt.map { ", INTx on interrupt " + Format.decimal(UInt64($0.value)) } ?? ""))
        return PCIFunction(config: config, address: address, memoryBARs: bars, interrupt: interrupt)
    }

    /// The capability list, read from configuration space.
    var capabilities: [PCICapability] { PCICapabilities.walk { config.read8($0) } }
}

/// INTx lines are shared (qemu `virt` has four for all slots; level-triggered, so every function on
/// the line is asked). One kernel handler per line runs the handlers of every function on it.
enum PCIInterruptLines {
    private static let lines = SpinLock<[(id: InterruptID, handlers: [() -> Void])]>([])

    static func register(_ id: InterruptID, _ handler: @escaping () -> Void) {
        let first: Bool = lines.withLock { lines in
            if let i = lines.firstIndex(where: { $0.id == id }) {
                lines[i].handlers.append(handler)
                return false
            }
            lines.append((id, [handler]))
            return true
        }
        if first {
            Interrupts.register(id) {
                let handlers = lines.withLock { lines in lines.first(where: { $0.id == id })?.handlers ?? [] }
                for h in handlers { h() }
            }
        }
    }
}
