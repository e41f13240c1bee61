import LichenCore

/// A program file (or ELF interpreter) opened for execve, and the few parts of it execve reads
/// (ElfFilePieces: the first 256 bytes, the program headers, PT_INTERP). Its segments are mapped
/// from the file's page cache (ProgramLoader), never copied: a program of any size costs what its
/// headers do until it runs.
final class ProgramFile {
    /// The kernel's own read-only open file (the caller's read permission is not asked for).
    let file: OpenFile
    /// The path it was opened by and the directory that path starts from (its /proc/<pid>/maps name).
    let path: [UInt8]
    let directory: Location?
    private(set) var pieces: ElfFilePieces
    /// Its security.capability, as execve reads it (nil: none, or a nosuid mount).
    var fileCapabilities: [UInt8]? = nil
    /// Writes to the file are refused while the exec loads it; the program's memory takes this over.
    let writeDenial: ExecutableWriteDenial

    private init(file: OpenFile, path: [UInt8], directory: Location?, size: Int, writeDenial: ExecutableWriteDenial) {
        self.file = file; self.path = path; self.directory = directory; self.writeDenial = writeDenial
        pieces = ElfFilePieces(count: size)
    }

    /// Reads the head of `file` (`size` bytes at open) and, if it looks like ELF, its program
    /// headers and interpreter path. A file that shrank meanwhile reads as zeros past its end. ETXTBSY
    /// while the file is open for writing.
    static func open(_ file: OpenFile, size: Int, path: [UInt8], directory: Location?) async throws(Errno) -> ProgramFile {
        let denial = try ExecutableWriteDenial(file.inode)
        let program = ProgramFile(file: file, path: path, directory: directory, size: size, writeDenial: denial)
        try await program.read(0..<min(size, ElfFilePieces.headSize))
        guard program.prefix(4).elementsEqual([0x7f, 0x45, 0x4c, 0x46]) else { return program }
        if let table = program.pieces.programHeaderTable() {
            try await program.read(table)
            if let interpreter = program.pieces.interpreterPath() { try await program.read(interpreter) }
        }
        return program
    }

    private func read(_ range: Range<Int>) async throws(Errno) {
        guard !range.isEmpty else { return }
        let buffer = try IOBuffer(count: range.count)
        var done = 0
        while done < range.count {
            let n = try await buffer.withBytes(done..<range.count) { (b: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int in
                try await file.read(into: b, at: Int64(range.lowerBound + done))
            }
            if n == 0 { break }
            done += n
        }
        pieces.add(buffer.array(done), at: range.lowerBound)
    }

    /// The first `n` bytes (a `#!` line).
    func prefix(_ n: Int) -> [UInt8] { pieces.prefix(n) }
}
