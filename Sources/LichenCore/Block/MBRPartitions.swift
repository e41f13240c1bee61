/// The MBR (msdos) partition table as Linux's block/partitions/msdos.c reads it: four primary slots
/// at byte 446 of sector 0, and extended partitions holding a chain of EBRs, each with one logical
/// partition (relative to that EBR) and a link to the next EBR (relative to the extended partition).
public enum MBRPartitions {
    public static let signatureOffset = 510
    public static let entriesOffset = 446
    public static let diskSignatureOffset = 440
    public static let gptProtectiveType: UInt8 = 0xee

    /// One 16-byte slot: boot flag, type, start and size in logical blocks.
    public struct Entry: Equatable, Sendable {
        public let bootFlag: UInt8
        public let type: UInt8
        public let start: UInt32
        public let blocks: UInt32

        public var isExtended: Bool { type == 0x05 || type == 0x0f || type == 0x85 }
    }

    /// The four slots of a boot record, nil when it has no 0x55AA signature.
    public static func entries(_ sector: UnsafeRawBufferPointer) -> [Entry]? {
        guard sector.count >= 512, sector[signatureOffset] == 0x55, sector[signatureOffset + 1] == 0xaa else { return nil }
        return (0..<4).map { i in
            let at = entriesOffset + 16 * i
            return Entry(bootFlag: sector[at], type: sector[at + 4], start: sector.le32(at + 8), blocks: sector.le32(at + 12))
        }
    }

    /// Whether sector 0 is a valid MBR for Linux: signed, and every boot flag 0 or 0x80 (anything
    /// else is a boot sector that is not a partition table).
    public static func isPartitionTable(_ entries: [Entry]) -> Bool {
        entries.allSatisfy { $0.bootFlag == 0 || $0.bootFlag == 0x80 }
    }

    public static func isProtectiveGPT(_ entries: [Entry]) -> Bool {
        entries.contains { $0.type == gptProtectiveType }
    }
}
