@testable import LichenCore

/// User memory for ioctl tests: `bytes`, at user address `base`; EFAULT elsewhere.
final class TestCallerMemory: CallerMemory {
    static let base: UInt64 = 0x1000
    var bytes: [UInt8]

    init(size: Int = 64) { bytes = [UInt8](repeating: 0, count: size) }

    private func offset(_ address: UserAddr, _ count: Int) throws(Errno) -> Int {
        guard address.value >= Self.base, address.value - Self.base + UInt64(count) <= UInt64(bytes.count) else { throw .EFAULT }
        return Int(address.value - Self.base)
    }

    func copyIn(_ destination: UnsafeMutableRawBufferPointer, from address: UserAddr) throws(Errno) {
        let start = try offset(address, destination.count)
        for i in 0..<destination.count { destination[i] = bytes[start + i] }
    }

    func copyOut(_ source: UnsafeRawBufferPointer, to address: UserAddr) throws(Errno) {
        let start = try offset(address, source.count)
        for i in 0..<source.count { bytes[start + i] = source[i] }
    }
}

/// An unprivileged caller (PID 1) whose memory is a fresh TestCallerMemory.
func testIoctlCaller() -> IoctlCaller {
    IoctlCaller(processID: 1, capabilities: .empty, memory: TestCallerMemory())
}
