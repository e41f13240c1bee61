// What a mapping permits and how memory behind it is accessed, independent of descriptor
// encoding. PageTableEntry turns it into descriptor bits and back.

/// Memory types, each an index into MAIR_EL1 (the descriptor's AttrIndx field, bits [4:2]).
public enum MemoryType: UInt8, Hashable, Sendable {
    /// Normal memory, inner and outer write-back, read/write-allocate, non-transient (MAIR 0xff).
    case normal = 0
    /// Device-nGnRE: no gathering, no reordering, early write acknowledgement (MAIR 0x04). MMIO.
    case device = 1
    /// Normal memory, inner and outer non-cacheable (MAIR 0x44). Framebuffers, DMA buffers.
    case normalNonCacheable = 2
    /// Device-nGnRnE: like `device` but without early write acknowledgement (MAIR 0x00).
    case deviceStrong = 3

    public var isDevice: Bool { self == .device || self == .deviceStrong }

    /// The MAIR_EL1 attribute byte for this type.
    public var mairAttribute: UInt8 {
        switch self {
        case .normal: 0xff
        case .device: 0x04
        case .normalNonCacheable: 0x44
        case .deviceStrong: 0x00
        }
    }
}

/// MAIR_EL1 with Attr<n> (bits [8n+7:8n]) = MemoryType(rawValue: n).mairAttribute.
/// Attr4..7 are unused (0 = Device-nGnRnE).
public let mairEL1Value: UInt64 = 0x0000_0000_0044_04ff

/// Access permissions and memory type of a mapping. A valid mapping is always readable at EL1;
/// `user` makes it readable at EL0 too.
public struct MemoryAttributes: Hashable, Sendable {
    /// Writable (at EL1, and at EL0 when `user`).
    public var writable: Bool
    /// Executable at EL1 (clears PXN).
    public var kernelExecutable: Bool
    /// Accessible at EL0 (AP[1]).
    public var user: Bool
    /// Executable at EL0 (clears UXN). Requires `user`.
    public var userExecutable: Bool
    /// Shared by all address spaces (nG = 0): kernel mappings. User mappings are per-ASID.
    public var global: Bool
    public var memoryType: MemoryType
    /// Four bits (descriptor [58:55]) ignored by hardware, for the kernel's own bookkeeping.
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
    /// A user page kept while its area is PROT_NONE: no EL0 access, tagged with the ASID like any user
    /// page. The kernel touches user addresses only with unprivileged loads and stores, which fault too.
    public static let userNoAccess = MemoryAttributes(global: false)

    /// Refuses W^X violations and combinations the kernel never wants.
    public func validate() throws(MappingError) {
        if writable && (kernelExecutable || userExecutable) { throw .writableAndExecutable }
        // The kernel never executes user memory; EL0 execute-only memory is not supported;
        // instruction fetches from device memory are never wanted.
        if user && kernelExecutable { throw .invalidAttributes }
        if userExecutable && !user { throw .invalidAttributes }
        if memoryType.isDevice && (kernelExecutable || userExecutable) { throw .invalidAttributes }
        if software > 0xf { throw .invalidAttributes }
    }
}
