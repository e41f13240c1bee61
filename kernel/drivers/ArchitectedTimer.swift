import LichenCore

/// The Arm architected timer's device-tree node: it says which PPI the virtual timer raises. The
/// timer itself is the CPU's (GenericTimer); boot hands the bound one to kernelMain.
enum ArchitectedTimer {
    nonisolated(unsafe) private(set) static var bound: GenericTimer? = nil

    static let driver = DriverEntry(name: "architected timer", compatible: TimerDescription.compatibles, stage: .timer) {
        node throws(ProbeFailure) in
        guard bound == nil else { throw .notNeeded }
        guard let virtual = try DriverRegistry.decode({ () throws(DeviceTreeError) in try TimerDescription(node) }).virtual else {
            throw .unsupported
        }
        bound = GenericTimer(interrupt: virtual)
    }
}
