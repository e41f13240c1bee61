/// One partition of a disk as Linux numbers it: MBR primaries 1-4 by slot, logical partitions from
/// 5 in chain order, GPT entries by their index + 1. Start and size in 512-byte sectors (Linux's
/// unit for partitions, /sys/block/*/size and BLKGETSIZE).
public struct Partition: Equatable, Sendable {
    public let number: Int
    public let start: UInt64
    public let sectors: UInt64
    /// PARTUUID as Linux prints it (lowercase): GPT's unique partition GUID, or "SSSSSSSS-PP" for
    /// MBR (the disk signature at byte 440 and the partition number).
    public let uuid: [UInt8]

    public init(number: Int, start: UInt64, sectors: UInt64, uuid: [UInt8] = []) {
        self.number = number
        self.start = start
        self.sectors = sectors
        self.uuid = uuid
    }

    /// MBR's PARTUUID: msdos.c's "%08x-%02x" of the disk signature and the partition number.
    public static func mbrUUID(signature: UInt32, number: Int) -> [UInt8] {
        hex(UInt64(signature), digits: 8) + [0x2d] + hex(UInt64(number), digits: 2)
    }

    /// GPT's unique GUID (16 bytes) as efi.c's %pUl: the first three fields little-endian.
    public static func guidText(_ g: UnsafeRawBufferPointer) -> [UInt8] {
        guard g.count >= 16 else { return [] }
        return hex(UInt64(g.le32(0)), digits: 8) + [0x2d] + hex(UInt64(g.le16(4)), digits: 4) + [0x2d]
            + hex(UInt64(g.le16(6)), digits: 4) + [0x2d] + hex(UInt64(g[8]) << 8 | UInt64(g[9]), digits: 4) + [0x2d]
            + (10..<16).flatMap { hex(UInt64(g[$0]), digits: 2) }
    }

    static func hex(_ v: UInt64, digits: Int) -> [UInt8] {
        (0..<digits).reversed().map { i in
            let d = UInt8((v >> (4 * UInt64(i))) & 0xf)
            return d < 10 ? 0x30 + d : 0x61 + d - 10
        }
    }
}

/// What a partition scan found.
public struct PartitionTable: Equatable, Sendable {
    public enum Kind: Equatable, Sendable { case none, mbr, gpt }
    public let kind: Kind
    public let partitions: [Partition]

    public init(kind: Kind, partitions: [Partition]) {
        self.kind = kind
        self.partitions = partitions
    }

    public static let empty = PartitionTable(kind: .none, partitions: [])
    /// Partition numbers a disk can have device numbers for: virtio-blk gives each disk 16 minors
    /// (the disk and 15 partitions); Linux puts more in major 259, which Lichen does not (yet).
    public static let maxPartitionNumber = 15
}

/// Little-endian field reads from untrusted bytes: out of range reads give 0 (the callers check
/// lengths first; this keeps a mistake from trapping).
extension UnsafeRawBufferPointer {
    func le16(_ at: Int) -> UInt16 { at >= 0 && at + 2 <= count ? UInt16(self[at]) | UInt16(self[at + 1]) << 8 : 0 }
    func le32(_ at: Int) -> UInt32 { at >= 0 && at + 4 <= count ? UInt32(le16(at)) | UInt32(le16(at + 2)) << 16 : 0 }
    func le64(_ at: Int) -> UInt64 { at >= 0 && at + 8 <= count ? UInt64(le32(at)) | UInt64(le32(at + 4)) << 32 : 0 }
}
