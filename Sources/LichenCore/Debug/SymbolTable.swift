// The kernel's own symbol table, embedded in the image by tools/mksyms.py, for symbolized backtraces.
// Layout (little-endian): "KSYM", u32 count, then `count` entries {u64 address, u32 nameOffset, u32 nameLength}
// sorted by address, then the name bytes (offsets are from the start of the name area).

public struct SymbolTable {
    public static let magic: UInt32 = 0x4d59_534b      // "KSYM"
    private static let headerSize = 8, entrySize = 16

    private let blob: UnsafeRawBufferPointer
    public let count: Int

    /// nil when the blob is empty or malformed (a backtrace then shows bare addresses).
    public init?(_ blob: UnsafeRawBufferPointer) {
        guard blob.count >= SymbolTable.headerSize,
              blob.loadUnaligned(as: UInt32.self) == SymbolTable.magic else { return nil }
        let count = Int(blob.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        guard count > 0, SymbolTable.headerSize + count * SymbolTable.entrySize <= blob.count else { return nil }
        self.blob = blob
        self.count = count
    }

    private var namesStart: Int { SymbolTable.headerSize + count * SymbolTable.entrySize }

    public func address(at i: Int) -> UInt64 {
        blob.loadUnaligned(fromByteOffset: SymbolTable.headerSize + i * SymbolTable.entrySize, as: UInt64.self)
    }

    public func name(at i: Int) -> UnsafeRawBufferPointer {
        let entry = SymbolTable.headerSize + i * SymbolTable.entrySize
        let offset = Int(blob.loadUnaligned(fromByteOffset: entry + 8, as: UInt32.self))
        let length = Int(blob.loadUnaligned(fromByteOffset: entry + 12, as: UInt32.self))
        let start = namesStart + offset
        guard start >= namesStart, length >= 0, start + length <= blob.count else { return UnsafeRawBufferPointer(rebasing: blob[0..<0]) }
        return UnsafeRawBufferPointer(rebasing: blob[start..<(start + length)])
    }

    /// The symbol containing `address` (the last one at or below it) and the offset into it.
    public func lookup(_ address: UInt64) -> (index: Int, offset: UInt64)? {
        var low = 0, high = count - 1
        guard address >= self.address(at: 0) else { return nil }
        while low < high {
            let mid = (low + high + 1) / 2
            if self.address(at: mid) <= address { low = mid } else { high = mid - 1 }
        }
        return (low, address - self.address(at: low))
    }
}
