/// Drivers of character and block devices by number (Linux's cdev_map / bdev lookup): opening a
/// device node finds its `FileOperations` here.
public final class DeviceRegistry: @unchecked Sendable {
    public enum Kind: Equatable, Sendable {
        case character
        case block
    }

    private struct Entry {
        let kind: Kind
        let number: DeviceNumber
        let operations: any FileOperations
    }

    private let lock = RawSpinLock()
    private var entries: [Entry] = []  // guarded by lock

    public init() {}

    /// Registers a driver for one device number: EBUSY if it is taken.
    public func register(_ kind: Kind, _ number: DeviceNumber, _ operations: any FileOperations) throws(Errno) {
        try lock.withLock { () throws(Errno) in
            if entries.contains(where: { $0.kind == kind && $0.number == number }) { throw .EBUSY }
            entries.append(Entry(kind: kind, number: number, operations: operations))
        }
    }

    public func unregister(_ kind: Kind, _ number: DeviceNumber) {
        lock.withLock { entries.removeAll { $0.kind == kind && $0.number == number } }
    }

    public func lookup(_ kind: Kind, _ number: DeviceNumber) -> (any FileOperations)? {
        lock.withLock {
            for e in entries where e.kind == kind && e.number == number { return e.operations }
            return nil
        }
    }
}
