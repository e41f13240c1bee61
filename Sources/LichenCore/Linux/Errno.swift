// Linux error numbers, as kernel paths throw them (`throws(Errno)`) and syscalls return them (-errno).

public struct Errno: Error, Hashable, Sendable {
    public let rawValue: Int32
    @inline(__always) public init(_ rawValue: Int32) { self.rawValue = rawValue }

    /// The syscall return value for this error: -errno in a 64-bit register.
    public var syscallReturn: UInt64 { UInt64(bitPattern: -Int64(rawValue)) }
}

extension Errno {
    // Aliases Linux defines with the same value.
    public static let EWOULDBLOCK = EAGAIN
    public static let EDEADLOCK = EDEADLK
}
