/// Copies to and from the memory of the process making a call; EFAULT unless all of it can be copied.
/// The kernel implements it over the calling thread's address space; tests over a buffer.
public protocol CallerMemory: AnyObject {
    func copyIn(_ destination: UnsafeMutableRawBufferPointer, from address: UserAddr) throws(Errno)
    func copyOut(_ source: UnsafeRawBufferPointer, to address: UserAddr) throws(Errno)
}

/// The process making an ioctl, as a device's FileOperations.ioctl sees it: who it is, and its
/// memory, for the structures requests copy in and out (the argument is then a user pointer).
public struct IoctlCaller {
    public let processID: Int32
    /// The caller's effective capabilities: requests that need one ask `has(_:)`.
    public let capabilities: CapabilitySet
    public let memory: any CallerMemory

    public init(processID: Int32, capabilities: CapabilitySet, memory: any CallerMemory) {
        self.processID = processID
        self.capabilities = capabilities
        self.memory = memory
    }

    /// Whether the caller holds `capability` (Credentials.has).
    public func has(_ capability: Capability) -> Bool { capabilities.contains(capability) }

    public func load<T>(_ type: T.Type, from address: UInt64) throws(Errno) -> T {
        try withUnsafeTemporaryAllocation(byteCount: MemoryLayout<T>.size, alignment: MemoryLayout<T>.alignment) {
            (buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> T in
            try memory.copyIn(buffer, from: UserAddr(address))
            return buffer.load(as: T.self)
        }
    }

    public func store<T>(_ value: T, to address: UInt64) throws(Errno) {
        var copy = value
        try withUnsafeBytes(of: &copy) { (bytes: UnsafeRawBufferPointer) throws(Errno) in try memory.copyOut(bytes, to: UserAddr(address)) }
    }
}
