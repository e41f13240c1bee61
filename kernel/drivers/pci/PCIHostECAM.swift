import LichenCore

/// The generic PCIe host bridge with an ECAM configuration window (`pci-host-ecam-generic`, what
/// qemu `virt` has). Nothing before Lichen configured the bus (no UEFI), so the probe does what
/// firmware would: it scans the root bus, sizes every BAR and assigns it from the bridge's windows,
/// routes INTx through `interrupt-map`, enables memory decoding and bus mastering, then offers
/// each function to the PCI drivers (PCIDrivers). Bridges are not configured: what sits behind
/// one is not seen (qemu `virt` puts devices on the root bus unless told otherwise).
enum PCIHostECAM {
    static let driver = DriverEntry(name: "pci-host-ecam-generic", compatible: PCIHostDescription.compatibles,
                                    stage: .devices) { node throws(ProbeFailure) in
        let host = try DriverRegistry.decode { () throws(DeviceTreeError) in try PCIHostDescription(node) }
        // Only the root bus is scanned: map its 1 MiB of configuration space.
        let ecam = try DriverRegistry.map(PhysRange(start: host.ecam.start, size: 1 << 20))
        var allocator = PCIWindowAllocator(windows: host.windows)
        var found = 0
        for device in UInt8(0)..<32 {
            for function in UInt8(0)..<8 {
                guard let address = PCIFunctionAddress(bus: host.firstBus, device: device, function: function) else { continue }
                let config = ecam.offset(by: UInt64(address.ecamOffset(firstBus: host.firstBus)))
                guard config.read16(PCIConfig.vendorID) != PCIConfig.noDevice else {
                    if function == 0 { break } else { continue }
                }
                found += 1
                let header = config.read8(PCIConfig.headerType)
                if let pci = PCIFunction.configure(config, address: address, host: host, allocator: &allocator) {
                    PCIDrivers.offer(pci)
                }
                if function == 0 && header & PCIConfig.HeaderLayout.multiFunction == 0 { break }
            }
        }
        KernelLog.info("pci: " + node.nameString + ": bus " + Format.decimal(UInt64(host.firstBus)) + ", "
                       + Format.decimal(UInt64(found)) + " functions")
    }
}

/// The drivers of PCI functions, by vendor and device id.
enum PCIDrivers {
    static func offer(_ function: PCIFunction) {
        do throws(ProbeFailure) {
            if function.vendorID == Virtio.PCI.vendorID {
                try VirtioPCI.probe(function)
            }
        } catch where error == .absent {
        } catch {
            KernelLog.warning("pci: " + function.address.description + ": the driver could not take it")
        }
    }
}
