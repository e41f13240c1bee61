// What a mapping permits and how memory behind it is accessed, independent of descriptor encoding
// (arch-neutral). A PageTableFormat turns it into descriptor bits and back.

/// How memory behind a mapping is accessed. Each format encodes these its own way (AArch64: an index
/// into MAIR_EL1, MemoryTypeIndirection.swift).
public enum MemoryType: UInt8, Hashable, Sendable {
    /// Normal memory, write-back cacheable.
    case normal
    /// Device memory that may acknowledge writes early (AArch64 Device-nGnRE). MMIO.
    case device
    /// Normal memory, not cacheable. Framebuffers, DMA buffers.
    case normalNonCacheable
    /// Device memory without early write acknowledgement (AArch64 Device-nGnRnE).
    case deviceStrong

    public var isDevice: Bool { self == .device || self == .deviceStrong }
}

/// Access permissions and memory type of a mapping. A valid mapping is always readable by the kernel;
/// `user` makes it readable by user code too.
public struct MemoryAttributes: Hashable, Sendable {
    /// Writable (by the kernel, and by user code when `user`).
    public var writable: Bool
    /// Executable by the kernel (AArch64: clears PXN).
    public var kernelExecutable: Bool
    /// Accessible to user code (AArch64: AP[1]).
    public var user: Bool
    /// Executable by user code (AArch64: clears UXN). Requires `user`.
    public var userExecutable: Bool
    /// Shared by all address spaces (AArch64 nG = 0): kernel mappings. User mappings are per-ASID.
    public var global: Bool
    public var memoryType: MemoryType
    /// Up to four bits ignored by hardware (AArch64: descriptor [58:55]), for the kernel's own bookkeeping.
    public var software: UInt8

    /// `global` defaults to `!user`: kernel mappings global, user mappings tagged with the ASID.
    public init(writable: Bool = false, kernelExecutable: Bool = false, user: Bool = false,
                userExecutable: Bool = false, global: Bool? = nil,
                memoryType: MemoryType = .normal, software: UInt8 = 0) {
        self.writable = writable
        self.kernelExecutable = kernelExecutable
        self.user = user
        self.userExecutable = userExecutable
        self.global = global ?? !user
        self.memoryType = memoryType
        self.software = software
    }

    public static let kernelData = MemoryAttributes(writable: true)
    public static let kernelCode = MemoryAttributes(kernelExecutable: true)
    public static let kernelReadOnly = MemoryAttributes()
    public static let kernelDevice = MemoryAttributes(writable: true, memoryType: .device)
    public static let userData = MemoryAttributes(writable: true, user: true)
    public static let userCode = MemoryAttributes(user: true, userExecutable: true)
    public static let userReadOnly = MemoryAttributes(user: true)
    /// A user page kept while its area is PROT_NONE: no user access, tagged with the ASID like any user
    /// page. The kernel touches user addresses only with unprivileged loads and stores, which fault too.
    public static let userNoAccess = MemoryAttributes(global: false)

    /// Refuses W^X violations and combinations the kernel never wants.
    public func validate() throws(MappingError) {
        if writable && (kernelExecutable || userExecutable) { throw .writableAndExecutable }
        // The kernel never executes user memory; user execute-only memory is not supported;
        // instruction fetches from device memory are never wanted.
        if user && kernelExecutable { throw .invalidAttributes }
        if userExecutable && !user { throw .invalidAttributes }
        if memoryType.isDevice && (kernelExecutable || userExecutable) { throw .invalidAttributes }
        if software > 0xf { throw .invalidAttributes }
    }
}
