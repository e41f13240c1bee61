// Bounds-checked big-endian access to an untrusted blob. The DTB comes from firmware or a
// boot loader; nothing in it is trusted, so every accessor returns nil instead of trapping.

struct DeviceTreeReader {
    let bytes: UnsafeRawBufferPointer

    /// Whether `count` bytes starting at `offset` lie inside the blob (no overflow possible:
    /// both sides are compared without adding).
    @inline(__always) func contains(_ count: Int, at offset: Int) -> Bool {
        offset >= 0 && count >= 0 && offset <= bytes.count - count
    }

    func u32(at offset: Int) -> UInt32? {
        guard contains(4, at: offset) else { return nil }
        return UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    func u64(at offset: Int) -> UInt64? {
        guard contains(8, at: offset) else { return nil }
        return UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// Index of the first NUL in `offset..<limit`, or nil if the string runs past `limit`.
    func terminator(from offset: Int, limit: Int) -> Int? {
        guard offset >= 0, limit <= bytes.count else { return nil }
        var i = offset
        while i < limit {
            if bytes[i] == 0 { return i }
            i += 1
        }
        return nil
    }

    /// A sub-buffer; `range` must already be known to lie inside the blob.
    func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[range])
    }
}

/// Rounds a structure-block offset up to the next token boundary.
@inline(__always) func alignedToToken(_ offset: Int) -> Int { (offset + 3) & ~3 }

/// Reads `count` (0...2) big-endian 32-bit cells starting at cell `index` of `value` as one
/// number; nil when out of range or when the cell count is unsupported.
func readCells(_ value: UnsafeRawBufferPointer, at index: Int, count: Int) -> UInt64? {
    guard count >= 0, count <= 2, index >= 0, index <= value.count / 4 - count else { return nil }
    let reader = DeviceTreeReader(bytes: value)
    var result: UInt64 = 0
    for i in 0..<count {
        guard let cell = reader.u32(at: (index + i) * 4) else { return nil }
        result = result << 32 | UInt64(cell)
    }
    return result
}

/// Byte-wise equality of a blob string with a Swift string (no Unicode-aware String ==,
/// which would pull Unicode tables into the kernel).
@inline(__always) func bytesEqual<C: Collection>(_ bytes: UnsafeRawBufferPointer, _ other: C) -> Bool
where C.Element == UInt8 {
    bytes.elementsEqual(other)
}

func makeString(_ bytes: UnsafeRawBufferPointer) -> String {
    String(decoding: bytes, as: UTF8.self)
}
