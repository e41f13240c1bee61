import LichenCore

/// /proc/<pid>/pagemap: a 64-bit entry per virtual page, at byte offset page number × 8 (Linux's
/// pagemap_read): bit 63 present, 61 a file or shared page, 56 mapped by this process only, bits
/// 0-54 the page frame number, shown only to a privileged reader (CAP_SYS_ADMIN; 0 for others,
/// as Linux since 4.2). No swap, no soft-dirty bits (arm64 has none).
final class ProcPagemapFile: Inode, @unchecked Sendable {
    let metadata: InodeMetadata
    let pid: Int32

    static let present: UInt64 = 1 << 63, filePage: UInt64 = 1 << 61, exclusive: UInt64 = 1 << 56
    static let entrySize = 8
    /// The user address range's pages (48-bit addresses).
    static let pageCount: Int64 = 1 << (48 - 12)

    init(pid: Int32, ino: UInt64, owner: UInt32) {
        self.pid = pid
        metadata = InodeMetadata(ino: ino, mode: FileMode.S_IFREG | 0o400, uid: owner, gid: owner, nlink: 1, time: RootFilesystem.clock())
    }

    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int {
        // Linux: whole, aligned entries only.
        guard offset % Int64(Self.entrySize) == 0, buffer.count % Self.entrySize == 0 else { throw .EINVAL }
        guard let p = Processes.process(pid) else { return 0 }
        let showFrames = ProcReader.credentials()?.has(.CAP_SYS_ADMIN) == true
        let first = offset / Int64(Self.entrySize)
        let count = Int(max(0, min(Int64(buffer.count / Self.entrySize), Self.pageCount - first)))
        let memory = p.memory
        for i in 0..<count {
            let address = UserAddr(UInt64(first + Int64(i)) << UInt64(pageShift))
            var entry: UInt64 = 0
            if let frame = memory.presentFrame(address) {
                entry = Self.present
                if PhysicalMemory.userReferences(frame) <= 1 { entry |= Self.exclusive }
                // The area by binary search (a copy of every area per read and a walk per page before).
                if let area = memory.locked({ memory.map.area(containing: address) }), ProcSmaps.kind(area) != .anonymous {
                    entry |= Self.filePage
                }
                if showFrames { entry |= frame.value >> UInt64(pageShift) }
            }
            buffer.storeBytes(of: entry, toByteOffset: i * Self.entrySize, as: UInt64.self)
        }
        return count * Self.entrySize
    }
}

enum ProcPagemap {
    static func file(_ pid: Int32, ino: UInt64) -> ProcPagemapFile { ProcPagemapFile(pid: pid, ino: ino, owner: Processes.process(pid)?.credentials.euid ?? 0) }
}
