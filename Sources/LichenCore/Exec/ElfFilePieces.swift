// The parts of a program file execve reads (Linux's load_elf_binary reads the same): the first 256
// bytes (BINPRM_BUF_SIZE: the ELF header, or a script's #! line), the program-header table, and the
// first PT_INTERP's path. Nothing else of the file is read: the segments are mapped, not copied.
// The kernel reads each range these name; ElfImage parses the pieces as it would the whole file.

public struct ElfFilePieces: ElfFileBytes {
    /// BINPRM_BUF_SIZE.
    public static let headSize = 256
    /// The file's size (the bounds the parser checks against).
    public let count: Int
    private var pieces: [(offset: Int, bytes: [UInt8])] = []

    public init(count: Int) { self.count = count }

    /// Adds bytes read at `offset` (fewer than asked when the file shrank: the rest reads as zeros).
    public mutating func add(_ bytes: [UInt8], at offset: Int) { pieces.append((offset, bytes)) }

    /// The first bytes read (the head), up to `n`.
    public func prefix(_ n: Int) -> [UInt8] {
        guard let head = pieces.first(where: { $0.offset == 0 }) else { return [] }
        return Array(head.bytes.prefix(n))
    }

    /// Bytes no piece holds read as zeros; the parser asks only for ranges named below.
    public func copyBytes(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) {
        guard buffer.count > 0 else { return }
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        for piece in pieces {
            let lo = max(offset, piece.offset), hi = min(offset + buffer.count, piece.offset + piece.bytes.count)
            guard lo < hi else { continue }
            piece.bytes.withUnsafeBytes { source in
                (buffer.baseAddress! + (lo - offset)).copyMemory(from: source.baseAddress! + (lo - piece.offset), byteCount: hi - lo)
            }
        }
    }

    /// The program-header table to read after the head: nil when the head already fails the checks
    /// ElfImage makes before reading it (the parser then reports why).
    public func programHeaderTable() -> Range<Int>? {
        let r = ElfReader(file: self)
        guard let phoff = try? r.u64(32), let entrySize = try? r.u16(54), let number = try? r.u16(56),
              Int(entrySize) == ProgramHeader.size, number >= 1, Int(number) <= ElfImage.maximumProgramHeaders else { return nil }
        let size = Int(number) * ProgramHeader.size
        guard r.contains(UInt64(size), at: phoff) else { return nil }
        return Int(phoff)..<Int(phoff) + size
    }

    /// The first PT_INTERP's bytes, once the table is read: nil without one, or when its size is
    /// outside what ElfImage accepts (it reports that).
    public func interpreterPath() -> Range<Int>? {
        guard let table = programHeaderTable() else { return nil }
        let r = ElfReader(file: self)
        var base = table.lowerBound
        while base < table.upperBound {
            if let header = try? ProgramHeader(r, at: base), header.type == ProgramHeader.interp {
                guard header.filesz >= 2, header.filesz <= ElfImage.maximumInterpreterLength,
                      r.contains(header.filesz, at: header.offset) else { return nil }
                return Int(header.offset)..<Int(header.offset + header.filesz)
            }
            base += ProgramHeader.size
        }
        return nil
    }
}
