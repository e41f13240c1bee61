// Bounds-checked little-endian reads from an untrusted file image (ELF on AArch64 is LSB).

struct ElfReader {
    let bytes: UnsafeRawBufferPointer

    /// Whether [offset, offset+count) lies in the file; compares without adding, so no overflow.
    @inline(__always) func contains(_ count: UInt64, at offset: UInt64) -> Bool {
        offset <= UInt64(bytes.count) && count <= UInt64(bytes.count) - offset
    }

    func u16(_ offset: Int) throws(ElfError) -> UInt16 {
        guard contains(2, at: UInt64(offset)) else { throw .truncated }
        return UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    func u32(_ offset: Int) throws(ElfError) -> UInt32 {
        guard contains(4, at: UInt64(offset)) else { throw .truncated }
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    func u64(_ offset: Int) throws(ElfError) -> UInt64 {
        guard contains(8, at: UInt64(offset)) else { throw .truncated }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}
