// CRC-32 (IEEE 802.3, reflected polynomial 0xedb88320) as gzip uses it, eight bytes at a time
// ("slicing-by-8"), or with whatever the platform provides (`accelerated`): the initramfs is
// checksummed once at boot, under qemu, so speed matters a bit.

public struct CRC32: Sendable {
    /// Eight 256-entry tables: table k gives the CRC of a byte followed by k zero bytes.
    static let table: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 2048)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xedb8_8320 ^ (c >> 1) : c >> 1 }
            t[i] = c
        }
        for i in 0..<256 {
            for k in 1..<8 { t[k * 256 + i] = (t[(k - 1) * 256 + i] >> 8) ^ t[Int(t[(k - 1) * 256 + i] & 0xff)] }
        }
        return t
    }()

    /// A faster update the platform may provide (the kernel: the Armv8 CRC32 instructions), given
    /// the state (not inverted) and the bytes; set once at boot, before any use.
    nonisolated(unsafe) public static var accelerated: ((UInt32, UnsafeRawBufferPointer) -> UInt32)? = nil

    private var state: UInt32 = 0xffff_ffff
    public init() {}
    public var value: UInt32 { ~state }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        if let accelerated = Self.accelerated {
            state = accelerated(state, bytes)
            return
        }
        updateWithTables(bytes)
    }

    /// Slicing-by-8 in software.
    mutating func updateWithTables(_ bytes: UnsafeRawBufferPointer) {
        var c = state
        Self.table.withUnsafeBufferPointer { t in
            var i = 0
            let n = bytes.count
            while i + 8 <= n {
                let lo = c ^ UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self))
                let hi = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self))
                c = t[1792 + Int(lo & 0xff)] ^ t[1536 + Int((lo >> 8) & 0xff)] ^ t[1280 + Int((lo >> 16) & 0xff)]
                    ^ t[1024 + Int(lo >> 24)] ^ t[768 + Int(hi & 0xff)] ^ t[512 + Int((hi >> 8) & 0xff)]
                    ^ t[256 + Int((hi >> 16) & 0xff)] ^ t[Int(hi >> 24)]
                i += 8
            }
            while i < n {
                c = t[Int((c ^ UInt32(bytes[i])) & 0xff)] ^ (c >> 8)
                i += 1
            }
        }
        state = c
    }

    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }
}
