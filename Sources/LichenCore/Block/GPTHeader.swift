/// The GUID Partition Table header (UEFI 2.x, 5.3.2) and its entries, checked as Linux's
/// block/partitions/efi.c checks them: signature, header size, header CRC32, where it says it is,
/// then the entry array's CRC32. Untrusted bytes: a bad field makes the header invalid, never a trap.
public struct GPTHeader: Equatable, Sendable {
    public static let signature: UInt64 = 0x5452_4150_2049_4645    // "EFI PART"
    /// Entry arrays larger than this are refused (Linux reads whatever fits; real tables are 16 KiB).
    public static let maxEntryArrayBytes = 1 << 20

    public let currentLBA: UInt64
    public let alternateLBA: UInt64
    public let firstUsableLBA: UInt64
    public let lastUsableLBA: UInt64
    public let entriesLBA: UInt64
    public let entryCount: UInt32
    public let entrySize: UInt32
    public let entriesCRC: UInt32

    public var entryArrayBytes: Int { Int(entryCount) * Int(entrySize) }

    /// Parses and checks the header in `block` (one logical block read at `lba`), nil when invalid.
    public init?(_ block: UnsafeRawBufferPointer, lba: UInt64, blocks: UInt64) {
        guard block.count >= 92, block.le64(0) == Self.signature else { return nil }
        let headerSize = Int(block.le32(12))
        guard headerSize >= 92, headerSize <= block.count else { return nil }
        var crc = CRC32()
        crc.update(UnsafeRawBufferPointer(rebasing: block[0..<16]))
        let zero: [UInt8] = [0, 0, 0, 0]
        zero.withUnsafeBytes { crc.update($0) }
        crc.update(UnsafeRawBufferPointer(rebasing: block[20..<headerSize]))
        guard crc.value == block.le32(16) else { return nil }
        currentLBA = block.le64(24)
        alternateLBA = block.le64(32)
        firstUsableLBA = block.le64(40)
        lastUsableLBA = block.le64(48)
        entriesLBA = block.le64(72)
        entryCount = block.le32(80)
        entrySize = block.le32(84)
        entriesCRC = block.le32(88)
        guard currentLBA == lba, firstUsableLBA <= lastUsableLBA, lastUsableLBA < blocks,
              entrySize == 128, entryCount > 0,
              entryArrayBytes <= Self.maxEntryArrayBytes, entriesLBA < blocks else { return nil }
    }

    /// The partitions of an entry array (`entryArrayBytes` long, CRC checked), numbered by index + 1;
    /// nil when the CRC does not match. Entries with a zero type GUID are unused; entries outside the
    /// usable range or ending before they start are skipped, as Linux's is_pte_valid does.
    /// Linux takes only 128-byte entries (sizeof(gpt_entry)); so does the header check.
    public func partitions(_ array: UnsafeRawBufferPointer, sectorsPerBlock: UInt64) -> [Partition]? {
        guard array.count >= entryArrayBytes,
              CRC32.checksum(UnsafeRawBufferPointer(rebasing: array[0..<entryArrayBytes])) == entriesCRC else { return nil }
        var found: [Partition] = []
        for i in 0..<Int(entryCount) {
            let at = i * Int(entrySize)
            guard array.le64(at) != 0 || array.le64(at + 8) != 0 else { continue }
            let first = array.le64(at + 32), last = array.le64(at + 40)
            guard first <= last, first >= firstUsableLBA, last <= lastUsableLBA else { continue }
            guard i + 1 <= PartitionTable.maxPartitionNumber else { break }
            found.append(Partition(number: i + 1, start: first * sectorsPerBlock, sectors: (last - first + 1) * sectorsPerBlock,
                                   uuid: Partition.guidText(UnsafeRawBufferPointer(rebasing: array[(at + 16)..<(at + 32)]))))
        }
        return found
    }
}
