// The range walk behind map, unmap and protect. Each operation runs twice: a dry run that
// checks for conflicts and counts the tables the commit will need (without writing), then
// the commit, which takes tables from a reserve filled in between and so cannot fail.

enum RangeOperation {
    /// Map each VA to VA + physicalOffset (wrapping arithmetic).
    case map(physicalOffset: UInt64, attributes: MemoryAttributes, allowBlocks: Bool)
    case unmap
    case protect(MemoryAttributes)
}

/// The table a walk step reads. During the dry run a table may not exist yet: `empty` stands
/// for a table the commit will allocate, `split` for one it will fill from a block.
enum TableSource<Entry: PageTableFormat> {
    case real(PhysAddr)
    case empty
    case split(Entry, blockLevel: Int)
}

extension PageTable {
    func entry(_ source: TableSource<Entry>, _ index: Int) -> Entry {
        switch source {
        case .real(let table): Entry(rawValue: memory.readEntry(table: table, index: index))
        case .empty: .invalid
        case .split(let block, let blockLevel): block.splitPart(index, blockLevel: blockLevel)
        }
    }

    /// Applies `operation` to [first, last] inside the table `source` at `level`. Returns the
    /// number of tables the commit allocates (meaningful for the dry run).
    mutating func walk(_ source: TableSource<Entry>, level: Int, first: UInt64, last: UInt64,
                       _ operation: RangeOperation, commit: Bool,
                       _ reserve: inout TableReserve) throws(MappingError) -> Int {
        let size = Geometry.entrySize(level: level)
        var tables = 0
        for (index, va, chunkLast) in TableSpan<Entry>(level: level, first: first, last: last) {
            let base = va & ~(size - 1)
            let whole = va == base && chunkLast == base &+ (size - 1)
            let current = entry(source, index)
            let kind = current.kind(level: level)

            // Where to continue below this entry, if the operation needs to.
            var child: TableSource<Entry>? = nil
            switch operation {
            case .map(let offset, let attributes, let allowBlocks):
                let leafAllowed = level == Geometry.lastLevel || (allowBlocks && Geometry.allowsBlock(level: level))
                if kind == .table {
                    child = .real(current.outputAddress)
                } else if kind != .invalid {
                    throw .alreadyMapped
                } else if whole && leafAllowed && (va &+ offset) & (size - 1) == 0 {
                    if commit {
                        write(source, index, .leafUnchecked(PhysAddr(va &+ offset), level: level, attributes: attributes))
                    }
                } else {
                    tables += 1
                    child = commit ? .real(installEmptyTable(source, index, &reserve)) : .empty
                }
            case .unmap, .protect:
                switch kind {
                case .invalid:
                    if case .protect = operation { throw .notMapped }
                case .table:
                    child = .real(current.outputAddress)
                case .block, .page:
                    if whole {
                        if commit { replaceLeaf(source, index, current, level: level, base: base, operation) }
                    } else {
                        // Only blocks can be partly covered: page-aligned ranges cover pages whole.
                        tables += 1
                        child = commit ? .real(splitBlock(source, index, current, level: level, base: base, &reserve))
                                       : .split(current, blockLevel: level)
                    }
                }
            }
            if let child {
                tables += try walk(child, level: level + 1, first: va, last: chunkLast, operation,
                                   commit: commit, &reserve)
            }
        }
        return tables
    }

    private mutating func write(_ source: TableSource<Entry>, _ index: Int, _ entry: Entry) {
        guard case .real(let table) = source else { fatalError("commit walked a virtual table") }
        memory.writeEntry(table: table, index: index, entry.rawValue)
    }

    /// Hooks a zeroed table from the reserve under an invalid entry (no break-before-make:
    /// replacing an invalid entry is always safe).
    private mutating func installEmptyTable(_ source: TableSource<Entry>, _ index: Int,
                                            _ reserve: inout TableReserve) -> PhysAddr {
        let table = reserve.take(from: &memory)
        write(source, index, .table(table))
        return table
    }

    /// Replaces a block by a table of 512 next-level mappings with the same attributes.
    /// Changing the block size of a live mapping needs break-before-make.
    private mutating func splitBlock(_ source: TableSource<Entry>, _ index: Int, _ block: Entry,
                                     level: Int, base: UInt64, _ reserve: inout TableReserve) -> PhysAddr {
        let table = reserve.take(from: &memory)
        for i in 0..<Geometry.entriesPerTable {
            memory.writeEntry(table: table, index: i, block.splitPart(i, blockLevel: level).rawValue)
        }
        write(source, index, .invalid)
        memory.breakBeforeMake(virtualAddress: base)
        write(source, index, .table(table))
        return table
    }

    /// Unmaps a whole leaf, or gives it new attributes. Changing memory type or globalness of a live
    /// mapping needs break-before-make (AArch64); changing permissions or software bits does not.
    private mutating func replaceLeaf(_ source: TableSource<Entry>, _ index: Int, _ old: Entry,
                                      level: Int, base: UInt64, _ operation: RangeOperation) {
        guard case .protect(let attributes) = operation else {
            write(source, index, .invalid)
            return
        }
        let new = Entry.leafUnchecked(old.outputAddress, level: level, attributes: attributes)
        if new == old { return }
        let oldAttributes = old.attributes
        if oldAttributes.memoryType != attributes.memoryType || oldAttributes.global != attributes.global {
            write(source, index, .invalid)
            memory.breakBeforeMake(virtualAddress: base)
        }
        write(source, index, new)
    }
}
