// How execve maps one PT_LOAD segment, as Linux's elf_load (fs/binfmt_elf.c): the pages holding the
// segment's file bytes are a private mapping of the file itself (the page cache's frames, copied
// only when written), the rest of the last file page is zeroed in a private copy when the segment
// has memory past its file bytes, and the pages beyond are anonymous zero pages (Linux's vm_brk).

public struct SegmentMapping: Equatable, Sendable {
    /// The pages mapped from the file, and the file offset of the first (page-aligned).
    public let filePages: Range<UInt64>?
    public let fileOffset: UInt64
    /// From here to the end of its page the file's bytes are replaced by zeros (a private copy of
    /// that page): the start of the segment's zero-filled memory when it does not start a page.
    /// Only in writable segments: Linux's padzero fails on a read-only page and the failure is ignored,
    /// so a read-only segment shows the file's bytes there.
    public let zeroFrom: UInt64?
    /// The anonymous zero-filled pages after the file's (the bss), empty when there are none.
    public let anonymousPages: Range<UInt64>?
    /// The segment's permissions (the file pages' and the partial page's).
    public let protection: MemoryProtection
    /// The anonymous pages' permissions: read and write always, execute if the segment has it
    /// (vm_brk_flags' VM_DATA_DEFAULT_FLAGS plus VM_EXEC).
    public var anonymousProtection: MemoryProtection {
        protection.contains(.execute) ? .all : [.read, .write]
    }

    /// `segment` loaded with `bias` (a bias from a LoadPlan: the addresses are inside user space).
    public init(_ segment: ElfSegment, bias: UInt64) {
        let page = UInt64(pageSize)
        func down(_ a: UInt64) -> UInt64 { a & ~(page - 1) }
        func up(_ a: UInt64) -> UInt64 { (a + page - 1) & ~(page - 1) }
        let start = segment.virtualAddress &+ bias
        let fileEnd = start + segment.fileSize, memoryEnd = start + segment.memorySize
        var protection: MemoryProtection = []
        if segment.flags.contains(.read) { protection.insert(.read) }
        if segment.flags.contains(.write) { protection.insert(.write) }
        if segment.flags.contains(.execute) { protection.insert(.execute) }
        self.protection = protection
        var zeroStart = down(start)
        if segment.fileSize > 0 {
            filePages = down(start)..<up(fileEnd)
            fileOffset = down(segment.fileOffset)
            zeroStart = fileEnd
        } else {
            filePages = nil
            fileOffset = 0
        }
        zeroFrom = segment.memorySize > segment.fileSize && segment.fileSize > 0 && fileEnd % page != 0
            && protection.contains(.write) ? fileEnd : nil
        let anonymous = up(zeroStart)..<up(memoryEnd)
        anonymousPages = segment.memorySize > segment.fileSize && !anonymous.isEmpty ? anonymous : nil
    }
}

