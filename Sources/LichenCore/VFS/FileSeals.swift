// File seals (memfd_create(MFD_ALLOW_SEALING), fcntl F_ADD_SEALS/F_GET_SEALS) and the rules they
// impose, in the order of Linux 6.1's mm/memfd.c and mm/shmem.c.

public struct FileSeals: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let seal = FileSeals(rawValue: 0x1)           // F_SEAL_SEAL: no more seals
    public static let shrink = FileSeals(rawValue: 0x2)         // F_SEAL_SHRINK
    public static let grow = FileSeals(rawValue: 0x4)           // F_SEAL_GROW
    public static let write = FileSeals(rawValue: 0x8)          // F_SEAL_WRITE
    public static let futureWrite = FileSeals(rawValue: 0x10)   // F_SEAL_FUTURE_WRITE
    public static let all: FileSeals = [.seal, .shrink, .grow, .write, .futureWrite]
    /// Either write seal: write(2) and new writable shared mappings are refused.
    public var forbidsWriting: Bool { !intersection([.write, .futureWrite]).isEmpty }

    /// F_ADD_SEALS: `requested` added to these seals. `writable`: the descriptor is open for writing;
    /// `writableMappings`: shared mappings of the file that may write (F_SEAL_WRITE waits for none).
    public func adding(_ requested: UInt64, writable: Bool, writableMappings: Int) throws(Errno) -> FileSeals {
        guard writable else { throw .EPERM }
        guard requested & ~UInt64(FileSeals.all.rawValue) == 0 else { throw .EINVAL }
        guard !contains(.seal) else { throw .EPERM }
        let new = FileSeals(rawValue: UInt32(requested))
        if new.contains(.write) && !contains(.write) && writableMappings > 0 { throw .EBUSY }
        return union(new)
    }

    /// A write of `count` bytes at `start` to a file of `size` bytes: how many may be written
    /// (F_SEAL_GROW stops it at the end), EPERM when nothing may.
    public func allowedWrite(start: Int64, count: Int, size: Int64) throws(Errno) -> Int {
        if forbidsWriting { throw .EPERM }
        guard contains(.grow), start + Int64(count) > size else { return count }
        guard start < size else { throw .EPERM }
        // Linux refuses the page that would grow the file: whole pages before it are written.
        let pageStart = (size / Int64(pageSize)) * Int64(pageSize)
        let allowed = max(Int64(0), pageStart - start)
        if allowed == 0 { throw .EPERM }
        return Int(allowed)
    }

    /// truncate/ftruncate from `old` to `new` bytes.
    public func checkResize(from old: Int64, to new: Int64) throws(Errno) {
        if new < old && contains(.shrink) { throw .EPERM }
        if new > old && contains(.grow) { throw .EPERM }
    }

    /// mmap: EPERM for a writable shared mapping of a write-sealed file (F_SEAL_WRITE also refuses
    /// any shared mapping of a descriptor open for writing, as Linux 6.1's mapping_map_writable);
    /// returns whether mprotect may add PROT_WRITE later (F_SEAL_FUTURE_WRITE clears VM_MAYWRITE).
    public func checkSharedMapping(descriptorWritable: Bool, writing: Bool) throws(Errno) -> Bool {
        if contains(.futureWrite) {
            if writing { throw .EPERM }
            return false
        }
        if contains(.write) && descriptorWritable { throw .EPERM }
        return true
    }
}
