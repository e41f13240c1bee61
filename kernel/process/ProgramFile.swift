import LichenCore

/// A program file (or ELF interpreter) read for execve into blocks of at most 256 KiB, each physically
/// contiguous on its own: a file of any size loads without a buffer the size of the file (the frame
/// allocator's largest block is 4 MiB; Debian's python3 is 6.6 MB). A block is one read; the file's
/// tail goes into smaller blocks, a power of two pages each, as does everything when no large block is
/// free. Freed when the exec is done with it.
final class ProgramFile: ElfFileBytes {
    static let blockOrder = 6
    let count: Int
    /// Its security.capability, as execve reads it (nil: none, or a nosuid mount).
    var fileCapabilities: [UInt8]? = nil
    /// The frame of each page of the file, in order (reached through the direct map).
    private var pages: [PhysAddr] = []
    /// What to free: each allocation and its order.
    private var allocations: [(frame: PhysAddr, order: Int)] = []

    private init(count: Int) { self.count = count }

    deinit {
        for a in allocations { PhysicalMemory.free(a.frame, order: a.order) }
    }

    /// Reads `file` (`size` bytes, its size at open) block by block. ENOMEM when memory runs out. A
    /// file that shrank meanwhile reads as zeros after its end, never as old memory.
    static func read(_ file: OpenFile, size: Int) async throws(Errno) -> ProgramFile {
        let program = ProgramFile(count: size)
        var offset = 0
        while offset < size {
            let (start, pages) = try program.allocate(pages: (size - offset + pageSize - 1) / pageSize)
            let bytes = min(pages * pageSize, size - offset)
            var done = 0
            while done < bytes {
                let target = UnsafeMutableRawBufferPointer(start: KernelLayout.directMap(start).pointer + done, count: bytes - done)
                let n = try await file.read(into: target, at: Int64(offset + done))
                if n == 0 { break }
                done += n
            }
            if done < bytes {
                KernelLayout.directMap(start).pointer.advanced(by: done).initializeMemory(as: UInt8.self, repeating: 0, count: bytes - done)
            }
            offset += bytes
        }
        return program
    }

    /// Appends contiguous pages, as many of the `wanted` as one block can hold (the largest power of two
    /// up to 256 KiB, smaller when no such block is free). Returns the first and how many.
    private func allocate(pages wanted: Int) throws(Errno) -> (PhysAddr, Int) {
        var order = min(ProgramFile.blockOrder, Int.bitWidth - 1 - wanted.leadingZeroBitCount)
        while order >= 0 {
            if let block = PhysicalMemory.allocateForUser(order: order) {
                allocations.append((block, order))
                for i in 0..<(1 << order) { pages.append(block + UInt64(i * pageSize)) }
                return (block, 1 << order)
            }
            order -= 1
        }
        throw .ENOMEM
    }

    func copyBytes(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) {
        var done = 0
        while done < buffer.count {
            let position = offset + done
            let within = position % pageSize
            let n = min(buffer.count - done, pageSize - within)
            let source = KernelLayout.directMap(pages[position / pageSize]).pointer + within
            (buffer.baseAddress! + done).copyMemory(from: source, byteCount: n)
            done += n
        }
    }

    /// The first `n` bytes (a `#!` line).
    func prefix(_ n: Int) -> [UInt8] {
        var head = [UInt8](repeating: 0, count: min(n, count))
        head.withUnsafeMutableBytes { copyBytes(at: 0, into: $0) }
        return head
    }
}
