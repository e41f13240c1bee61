// One virtual memory area (VMA) of a process: a page-aligned range of user addresses with one
// protection, one sharing mode and one backing.

/// PROT_* bits (the same values as Linux's).
public struct MemoryProtection: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let read = MemoryProtection(rawValue: 0x1)
    public static let write = MemoryProtection(rawValue: 0x2)
    public static let execute = MemoryProtection(rawValue: 0x4)
    public static let none: MemoryProtection = []
    public static let all: MemoryProtection = [.read, .write, .execute]
    /// From mmap/mprotect's `prot`; nil if it has bits other than PROT_READ/WRITE/EXEC.
    public init?(linux prot: UInt64) {
        guard prot & ~0x7 == 0 else { return nil }
        self.init(rawValue: UInt32(prot))
    }
}

/// Whether writes are private to the process (copy-on-write) or shared with every mapping of the
/// same object (MAP_PRIVATE / MAP_SHARED).
public enum MemorySharing: Hashable, Sendable {
    case `private`
    case shared
}

/// What a VMA is for: /proc/<pid>/maps labels, brk, and stack growth use it.
public enum MemoryAreaKind: Hashable, Sendable {
    case code
    case data
    case heap
    case stack
    case mmap
    /// A file mapping's contents, read in at mmap (Lichen keeps no link to the file, so pages cannot be
    /// read again from it).
    case file
    /// The vDSO's data page and its code: shared by every process, never freed (the kernel's Vdso).
    case vvar
    case vdso
}

/// A half-open range of user addresses [start, end).
public struct UserRange: Hashable, Sendable {
    public var start: UserAddr
    public var end: UserAddr
    public init(start: UserAddr, end: UserAddr) { self.start = start; self.end = end }
    public var length: UInt64 { end - start }
    public var isEmpty: Bool { end <= start }
    public func contains(_ a: UserAddr) -> Bool { a >= start && a < end }
    public func overlaps(_ o: UserRange) -> Bool { start < o.end && o.start < end }
}

/// A VMA. `Backing` is the kernel's file (mapping) object; anonymous areas have none.
public struct VirtualMemoryArea<Backing: AnyObject> {
    public var start: UserAddr
    public var end: UserAddr
    public var protection: MemoryProtection
    /// The most mprotect may grant (Linux's VM_MAYREAD/WRITE/EXEC): a shared mapping of a file opened
    /// read-only may never become writable (EACCES).
    public var maximumProtection: MemoryProtection
    public var sharing: MemorySharing
    /// The mapped object, nil for anonymous memory.
    public var backing: Backing?
    /// Offset in the backing object of `start` (bytes, page-aligned).
    public var fileOffset: UInt64
    public var kind: MemoryAreaKind
    /// A stack that grows down on faults below it (VM_GROWSDOWN).
    public var growsDown: Bool
    /// mlock (VM_LOCKED): the pages are populated and stay in memory; counted in VmLck and against
    /// RLIMIT_MEMLOCK. `lockOnFault` (VM_LOCKONFAULT): locked, but populated only as it is touched.
    public var locked = false
    public var lockOnFault = false

    public init(start: UserAddr, end: UserAddr, protection: MemoryProtection,
                maximumProtection: MemoryProtection = .all, sharing: MemorySharing = .private,
                backing: Backing? = nil, fileOffset: UInt64 = 0, kind: MemoryAreaKind = .mmap,
                growsDown: Bool = false) {
        self.start = start; self.end = end; self.protection = protection
        self.maximumProtection = maximumProtection; self.sharing = sharing; self.backing = backing
        self.fileOffset = fileOffset; self.kind = kind; self.growsDown = growsDown
    }

    public var range: UserRange { UserRange(start: start, end: end) }
    public var length: UInt64 { end - start }
    public var isAnonymous: Bool { backing == nil }
    /// The vDSO's areas (Linux's special mappings, VM_DONTEXPAND): they never grow.
    public var isSpecial: Bool { kind == .vdso || kind == .vvar }
    /// Pages copied from a file (mappings of files without a page cache): dropping them would lose
    /// the contents, which Linux would read from the file again. A file mapping with a backing (program
    /// segments included) maps the file's pages, which a fault finds again.
    public var isFileCopy: Bool { backing == nil && (kind == .code || kind == .data || kind == .file) }
    public func contains(_ a: UserAddr) -> Bool { a >= start && a < end }

    /// The file offset of address `a` inside this area.
    public func fileOffset(of a: UserAddr) -> UInt64 { fileOffset + (a - start) }

    /// The part of this area inside [from, to) (same attributes, offset adjusted).
    func slice(from: UserAddr, to: UserAddr) -> VirtualMemoryArea {
        var v = self
        let s = max(start, from), e = min(end, to)
        if backing != nil { v.fileOffset = fileOffset + (s - start) }
        v.start = s; v.end = e
        return v
    }

    /// Whether `next`, starting at this area's end, can be merged into it: same attributes and,
    /// for file mappings, the same object at the continuing offset.
    func canMerge(with next: VirtualMemoryArea) -> Bool {
        guard end == next.start, protection == next.protection, maximumProtection == next.maximumProtection,
              sharing == next.sharing, kind == next.kind, growsDown == next.growsDown,
              locked == next.locked, lockOnFault == next.lockOnFault else { return false }
        switch (backing, next.backing) {
        case (nil, nil): return true
        case let (a?, b?): return a === b && fileOffset + length == next.fileOffset
        default: return false
        }
    }
}

extension VirtualMemoryArea: AccountedArea {
    /// Linux's is_data_mapping (RLIMIT_DATA): private and writable, not a stack.
    public var isData: Bool {
        sharing == .private && protection.contains(.write) && kind != .stack && !growsDown && !isSpecial
    }

    public var accounting: AreaAccounting {
        AreaAccounting(total: length, data: isData ? length : 0, locked: locked ? length : 0)
    }
}

extension VirtualMemoryArea: Sendable where Backing: Sendable {}
