/// Finds a disk's partitions, sans-IO: the scanner says which blocks it needs (`Step.read`), the
/// caller reads them and feeds the bytes back, until `Step.done`. Order as Linux's check_partition:
/// a protective MBR means GPT (primary header at LBA 1, else the backup at the last LBA; neither
/// valid means no partitions, as msdos.c refuses a protective MBR), otherwise the MBR with its
/// extended partitions' EBR chains.
public struct PartitionScanner {
    public enum Step: Equatable { case read(block: UInt64, count: Int), done(PartitionTable) }

    /// EBRs followed per extended partition (Linux: 100) before giving up on a looping chain.
    static let maxChainLength = 100

    private enum Phase {
        case bootRecord
        case gptHeader(backup: Bool)
        case gptEntries(GPTHeader, backup: Bool)
        case extendedRecord(extendedStart: UInt64, extendedBlocks: UInt64, this: UInt64, hops: Int)
    }

    public let blockSize: Int
    public let blocks: UInt64
    private var phase: Phase = .bootRecord
    private var found: [Partition] = []
    private var pendingExtended: [(start: UInt64, blocks: UInt64)] = []
    private var nextLogical = 5
    /// The MBR's disk signature (byte 440), which MBR PARTUUIDs are made of.
    private var diskSignature: UInt32 = 0

    private var sectorsPerBlock: UInt64 { UInt64(blockSize / 512) }

    public init(blockSize: Int, blocks: UInt64) {
        self.blockSize = blockSize >= 512 ? blockSize : 512
        self.blocks = blocks
    }

    public mutating func start() -> Step {
        phase = .bootRecord
        found = []
        pendingExtended = []
        nextLogical = 5
        return blocks > 0 ? .read(block: 0, count: 1) : .done(.empty)
    }

    /// The bytes of the read the last step asked for (shorter: the read failed).
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) -> Step {
        switch phase {
        case .bootRecord:
            guard let entries = MBRPartitions.entries(bytes) else { return .done(.empty) }
            if MBRPartitions.isProtectiveGPT(entries) {
                phase = .gptHeader(backup: false)
                return blocks > 1 ? .read(block: 1, count: 1) : .done(.empty)
            }
            guard MBRPartitions.isPartitionTable(entries) else { return .done(.empty) }
            diskSignature = bytes.le32(MBRPartitions.diskSignatureOffset)
            for (slot, e) in entries.enumerated() where e.blocks != 0 {
                let start = UInt64(e.start) * sectorsPerBlock
                if e.isExtended {
                    // Linux shows an extended partition as its first 1 KiB (2 sectors) only.
                    found.append(Partition(number: slot + 1, start: start, sectors: min(UInt64(e.blocks) * sectorsPerBlock, max(sectorsPerBlock, 2)),
                                           uuid: Partition.mbrUUID(signature: diskSignature, number: slot + 1)))
                    pendingExtended.append((UInt64(e.start), UInt64(e.blocks)))
                } else {
                    found.append(Partition(number: slot + 1, start: start, sectors: UInt64(e.blocks) * sectorsPerBlock,
                                           uuid: Partition.mbrUUID(signature: diskSignature, number: slot + 1)))
                }
            }
            return nextExtended()
        case .gptHeader(let backup):
            let lba: UInt64 = backup ? blocks - 1 : 1
            if let header = GPTHeader(bytes, lba: lba, blocks: blocks) {
                phase = .gptEntries(header, backup: backup)
                let count = (header.entryArrayBytes + blockSize - 1) / blockSize
                guard header.entriesLBA + UInt64(count) <= blocks else { return tryBackup(after: backup) }
                return .read(block: header.entriesLBA, count: count)
            }
            return tryBackup(after: backup)
        case .gptEntries(let header, let backup):
            guard let partitions = header.partitions(bytes, sectorsPerBlock: sectorsPerBlock) else { return tryBackup(after: backup) }
            return .done(PartitionTable(kind: .gpt, partitions: fitted(partitions)))
        case .extendedRecord(let extendedStart, let extendedBlocks, let this, let hops):
            guard let entries = MBRPartitions.entries(bytes) else { return nextExtended() }
            // The logical partition: the first used, non-extended slot, relative to this EBR, and inside
            // the extended partition.
            if let logical = entries.first(where: { $0.blocks != 0 && !$0.isExtended }) {
                let start = this + UInt64(logical.start)
                if start + UInt64(logical.blocks) <= extendedStart + extendedBlocks, start < blocks {
                    guard nextLogical <= PartitionTable.maxPartitionNumber else { return finish() }
                    found.append(Partition(number: nextLogical, start: start * sectorsPerBlock,
                                           sectors: UInt64(logical.blocks) * sectorsPerBlock,
                                           uuid: Partition.mbrUUID(signature: diskSignature, number: nextLogical)))
                    nextLogical += 1
                }
            }
            // The link: the first extended slot, relative to the extended partition.
            guard let link = entries.first(where: { $0.blocks != 0 && $0.isExtended }), hops + 1 < Self.maxChainLength else {
                return nextExtended()
            }
            let next = extendedStart + UInt64(link.start)
            guard next < blocks, next < extendedStart + extendedBlocks else { return nextExtended() }
            phase = .extendedRecord(extendedStart: extendedStart, extendedBlocks: extendedBlocks, this: next, hops: hops + 1)
            return .read(block: next, count: 1)
        }
    }

    private mutating func nextExtended() -> Step {
        guard !pendingExtended.isEmpty else { return finish() }
        let e = pendingExtended.removeFirst()
        guard e.start < blocks else { return nextExtended() }
        phase = .extendedRecord(extendedStart: e.start, extendedBlocks: e.blocks, this: e.start, hops: 0)
        return .read(block: e.start, count: 1)
    }

    private mutating func tryBackup(after backup: Bool) -> Step {
        guard !backup, blocks > 2 else { return .done(PartitionTable(kind: .gpt, partitions: [])) }
        phase = .gptHeader(backup: true)
        return .read(block: blocks - 1, count: 1)
    }

    private func finish() -> Step {
        .done(PartitionTable(kind: .mbr, partitions: fitted(found.filter { $0.number <= PartitionTable.maxPartitionNumber })))
    }

    /// As blk_add_partitions: a partition starting past the end of the disk is dropped, one running
    /// past it is cut at the end.
    private func fitted(_ partitions: [Partition]) -> [Partition] {
        let capacity = blocks &* sectorsPerBlock
        return partitions.compactMap { p in
            guard p.start < capacity else { return nil }
            return Partition(number: p.number, start: p.start, sectors: min(p.sectors, capacity - p.start), uuid: p.uuid)
        }
    }
}
