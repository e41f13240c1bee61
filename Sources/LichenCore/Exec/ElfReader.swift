// Bounds-checked little-endian reads from an untrusted file image (ELF on AArch64 is LSB).

struct ElfReader<File: ElfFileBytes> {
    let file: File

    /// Whether [offset, offset+count) lies in the file; compares without adding, so no overflow.
    @inline(__always) func contains(_ count: UInt64, at offset: UInt64) -> Bool {
        offset <= UInt64(file.count) && count <= UInt64(file.count) - offset
    }

    func u16(_ offset: Int) throws(ElfError) -> UInt16 { UInt16(littleEndian: try load(offset)) }
    func u32(_ offset: Int) throws(ElfError) -> UInt32 { UInt32(littleEndian: try load(offset)) }
    func u64(_ offset: Int) throws(ElfError) -> UInt64 { UInt64(littleEndian: try load(offset)) }

    /// `count` bytes at `offset`.
    func bytes(at offset: UInt64, count: Int) throws(ElfError) -> [UInt8] {
        guard count >= 0, contains(UInt64(count), at: offset) else { throw .truncated }
        var result = [UInt8](repeating: 0, count: count)
        result.withUnsafeMutableBytes { file.copyBytes(at: Int(offset), into: $0) }
        return result
    }

    private func load<T: FixedWidthInteger>(_ offset: Int) throws(ElfError) -> T {
        guard offset >= 0, contains(UInt64(MemoryLayout<T>.size), at: UInt64(offset)) else { throw .truncated }
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { file.copyBytes(at: offset, into: $0) }
        return value
    }
}
