// The ELF auxiliary vector: (type, value) pairs the kernel passes to a new program after envp.

public struct AuxiliaryType: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static let null = AuxiliaryType(rawValue: 0)
    public static let programHeaders = AuxiliaryType(rawValue: 3)        // AT_PHDR
    public static let programHeaderSize = AuxiliaryType(rawValue: 4)     // AT_PHENT
    public static let programHeaderCount = AuxiliaryType(rawValue: 5)    // AT_PHNUM
    public static let pageSize = AuxiliaryType(rawValue: 6)              // AT_PAGESZ
    public static let interpreterBase = AuxiliaryType(rawValue: 7)       // AT_BASE
    public static let flags = AuxiliaryType(rawValue: 8)                 // AT_FLAGS
    public static let entry = AuxiliaryType(rawValue: 9)                 // AT_ENTRY
    public static let uid = AuxiliaryType(rawValue: 11)                  // AT_UID
    public static let euid = AuxiliaryType(rawValue: 12)                 // AT_EUID
    public static let gid = AuxiliaryType(rawValue: 13)                  // AT_GID
    public static let egid = AuxiliaryType(rawValue: 14)                 // AT_EGID
    public static let platform = AuxiliaryType(rawValue: 15)             // AT_PLATFORM (filled in)
    public static let hardwareCapabilities = AuxiliaryType(rawValue: 16) // AT_HWCAP
    public static let clockTicks = AuxiliaryType(rawValue: 17)           // AT_CLKTCK
    public static let secure = AuxiliaryType(rawValue: 23)               // AT_SECURE
    public static let random = AuxiliaryType(rawValue: 25)               // AT_RANDOM (filled in)
    public static let hardwareCapabilities2 = AuxiliaryType(rawValue: 26) // AT_HWCAP2
    public static let executableName = AuxiliaryType(rawValue: 31)       // AT_EXECFN (filled in)
    public static let vdso = AuxiliaryType(rawValue: 33)                 // AT_SYSINFO_EHDR
    public static let minimumSignalStackSize = AuxiliaryType(rawValue: 51) // AT_MINSIGSTKSZ
}

public struct AuxiliaryEntry: Equatable, Sendable {
    public var type: AuxiliaryType
    public var value: UInt64
    public init(_ type: AuxiliaryType, _ value: UInt64) { self.type = type; self.value = value }
}

/// The entries in order, without the AT_NULL terminator (InitialStack appends it). The values of
/// AT_RANDOM, AT_EXECFN and AT_PLATFORM are addresses on the new stack: InitialStack fills them in.
public struct AuxiliaryVector: Equatable, Sendable {
    public var entries: [AuxiliaryEntry]

    public init(_ entries: [AuxiliaryEntry] = []) { self.entries = entries }

    public mutating func append(_ type: AuxiliaryType, _ value: UInt64) {
        entries.append(AuxiliaryEntry(type, value))
    }

    public func value(of type: AuxiliaryType) -> UInt64? {
        for e in entries where e.type == type { return e.value }
        return nil
    }

    /// The vector Linux builds for an arm64 program (create_elf_tables, same order): ARCH_DLINFO's
    /// AT_SYSINFO_EHDR (when there is a vDSO) and AT_MINSIGSTKSZ, then the generic entries.
    /// `programHeaders` and `entry` already include the load bias; `minimumSignalStackSize` is the
    /// architecture's MINSIGSTKSZ (LinuxArchABI; Linux computes it from its signal frame at boot).
    public static func linux(programHeaders: UInt64, programHeaderCount: Int, entry: UInt64,
                             interpreterBase: UInt64 = 0, hardwareCapabilities: UInt64,
                             hardwareCapabilities2: UInt64, uid: UInt32 = 0, euid: UInt32 = 0,
                             gid: UInt32 = 0, egid: UInt32 = 0, secure: Bool = false,
                             clockTicks: UInt64 = 100, minimumSignalStackSize: UInt64,
                             vdso: UInt64? = nil, hasPlatform: Bool = true) -> AuxiliaryVector {
        var v = AuxiliaryVector()
        if let vdso { v.append(.vdso, vdso) }
        v.append(.minimumSignalStackSize, minimumSignalStackSize)
        v.append(.hardwareCapabilities, hardwareCapabilities)
        v.append(.pageSize, UInt64(pageSize))
        v.append(.clockTicks, clockTicks)
        v.append(.programHeaders, programHeaders)
        v.append(.programHeaderSize, UInt64(ElfImage.programHeaderSize))
        v.append(.programHeaderCount, UInt64(programHeaderCount))
        v.append(.interpreterBase, interpreterBase)
        v.append(.flags, 0)
        v.append(.entry, entry)
        v.append(.uid, UInt64(uid))
        v.append(.euid, UInt64(euid))
        v.append(.gid, UInt64(gid))
        v.append(.egid, UInt64(egid))
        v.append(.secure, secure ? 1 : 0)
        v.append(.random, 0)
        v.append(.hardwareCapabilities2, hardwareCapabilities2)
        v.append(.executableName, 0)
        if hasPlatform { v.append(.platform, 0) }
        return v
    }
}
