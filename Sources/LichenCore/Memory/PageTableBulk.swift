// Bulk page operations on a user range, for exec, fork and teardown. Each is one walk over the present
// entries (absent tables are skipped whole, like `firstMapping`) calling a visitor per page, so the
// kernel can keep its frame reference counts, where a loop of translate/map/protect per page walks
// from the root for every page of the range, holes included.
//
// Unlike map/unmap/protect these are not all-or-nothing: each page is finished (and visited) before
// the walk moves on, so after a throw the pages before the failure are done and visited and the rest
// are untouched. The tables are consistent either way; what the visitor recorded is what the caller
// has to undo or discard. No TLB maintenance: the caller invalidates once afterwards, not per page.
//
// User trees are built from pages only (the kernel maps user memory with `allowBlocks: false`), so a
// block in the range throws `.unexpectedBlock` rather than being split or visited page by page.

extension PageTable {
    /// Copies the page mappings of [start, end) into `destination` at the same addresses (same frames,
    /// same descriptor bits) and calls `visit` with each page's address and frame. With `copyOnWrite`,
    /// write permission is cleared in both leaves (a `.userData` page reads as `.userReadOnly` on both
    /// sides; execute permission, memory type and software bits stay). Destination tables are allocated
    /// only where a page is copied. Throws `.outOfMemory` (a destination table), `.alreadyMapped` (the
    /// destination maps something where a page goes), `.unexpectedBlock`, `.misaligned` and
    /// `.invalidAddress` (the range; those two before anything is done).
    public mutating func copyPages(from start: UserAddr, to end: UserAddr, into destination: inout PageTable,
                                   copyOnWrite: Bool, _ visit: (UserAddr, PhysAddr) -> Void) throws(MappingError) {
        guard let last = try Self.lastOfUserRange(start, end) else { return }
        var path = DestinationPath<Entry>(root: destination.root)
        try copyPages(root, level: 0, first: start.value, last: last, into: &destination, &path,
                      copyOnWrite: copyOnWrite, visit)
    }

    /// Maps every page of [start, end) that is not mapped yet to the frame `frame` supplies for it, with
    /// `attributes` (4 KiB pages, never blocks), in one walk: intermediate tables are allocated as the walk
    /// reaches them and hooked in at once. `frame` is asked only once the page's table exists, so a table
    /// allocation failure never strands a frame the caller handed over; returning nil stops the walk
    /// (`.outOfMemory`: the caller had no frame). A page already mapped is left as it is and reported to
    /// `present` with its frame (exec: a page two segments share). On a throw the pages before the failure
    /// are mapped (or reported) and the rest untouched; tables allocated on the way stay for `destroy`. A
    /// frame `frame` returned is mapped unless it is refused (misaligned, beyond the physical address limit: the walk throws
    /// and that one frame stays the caller's).
    /// Throws `.misaligned` and `.invalidAddress` (the range or a frame; the range's before anything is
    /// done), `.writableAndExecutable`/`.invalidAttributes` (before anything), `.outOfMemory` and
    /// `.unexpectedBlock`.
    public mutating func mapPages(from start: UserAddr, to end: UserAddr, attributes: MemoryAttributes,
                                  frame: (UserAddr) -> PhysAddr?,
                                  present: (UserAddr, PhysAddr) -> Void) throws(MappingError) {
        guard let last = try Self.lastOfUserRange(start, end) else { return }
        try attributes.validate()
        let template = Entry.leafUnchecked(PhysAddr(0), level: Geometry.lastLevel, attributes: attributes)
        try mapPages(root, level: 0, first: start.value, last: last, template: template, frame, present)
    }

    /// Removes the page mappings in [start, end) and calls `visit` with each page's address and frame
    /// once its entry is cleared. `visit` returns false to stop after that page (a caller collecting
    /// frames in a fixed buffer); the result is then where to resume, nil once the range is done.
    /// Tables are kept, as with `unmap`.
    public mutating func unmapPages(from start: UserAddr, to end: UserAddr,
                                    _ visit: (UserAddr, PhysAddr) -> Bool) throws(MappingError) -> UserAddr? {
        guard let last = try Self.lastOfUserRange(start, end),
              let stop = try unmapPages(root, level: 0, first: start.value, last: last, visit),
              stop <= last else { return nil }
        return UserAddr(stop)
    }

    /// The last address of [start, end), nil if the range is empty.
    private static func lastOfUserRange(_ start: UserAddr, _ end: UserAddr) throws(MappingError) -> UInt64? {
        guard start.isPageAligned, end.isPageAligned else { throw .misaligned }
        guard end.value <= Geometry.userLimit else { throw .invalidAddress }
        return start < end ? end.value - 1 : nil
    }

    private mutating func copyPages(_ table: PhysAddr, level: Int, first: UInt64, last: UInt64,
                                    into destination: inout PageTable, _ path: inout DestinationPath<Entry>,
                                    copyOnWrite: Bool, _ visit: (UserAddr, PhysAddr) -> Void) throws(MappingError) {
        for (index, va, chunkLast) in TableSpan<Entry>(level: level, first: first, last: last) {
            var entry = Entry(rawValue: memory.readEntry(table: table, index: index))
            switch entry.kind(level: level) {
            case .invalid:
                break
            case .block:
                throw .unexpectedBlock
            case .table:
                path.enter(level: level, index: index)
                try copyPages(entry.outputAddress, level: level + 1, first: va, last: chunkLast, into: &destination,
                              &path, copyOnWrite: copyOnWrite, visit)
            case .page:
                let target = try path.table(level: level, in: &destination.memory)
                guard !Entry(rawValue: destination.memory.readEntry(table: target, index: index)).isValid else {
                    throw .alreadyMapped
                }
                // A permission change alone: no break-before-make.
                if copyOnWrite && entry.readOnly != entry {
                    entry = entry.readOnly
                    memory.writeEntry(table: table, index: index, entry.rawValue)
                }
                destination.memory.writeEntry(table: target, index: index, entry.rawValue)
                visit(UserAddr(va), entry.outputAddress)
            }
        }
    }

    private mutating func mapPages(_ table: PhysAddr, level: Int, first: UInt64, last: UInt64, template: Entry,
                                   _ frame: (UserAddr) -> PhysAddr?,
                                   _ present: (UserAddr, PhysAddr) -> Void) throws(MappingError) {
        for (index, va, chunkLast) in TableSpan<Entry>(level: level, first: first, last: last) {
            let entry = Entry(rawValue: memory.readEntry(table: table, index: index))
            switch entry.kind(level: level) {
            case .invalid where level == Geometry.lastLevel:
                guard let pa = frame(UserAddr(va)) else { throw .outOfMemory }
                guard pa.isPageAligned else { throw .misaligned }
                guard pa.value < Geometry.physicalAddressLimit else { throw .invalidAddress }
                memory.writeEntry(table: table, index: index, template.placing(pa).rawValue)
            case .invalid:
                guard let next = memory.allocateTable() else { throw .outOfMemory }
                memory.writeEntry(table: table, index: index, Entry.table(next).rawValue)
                try mapPages(next, level: level + 1, first: va, last: chunkLast, template: template, frame, present)
            case .table:
                try mapPages(entry.outputAddress, level: level + 1, first: va, last: chunkLast, template: template,
                             frame, present)
            case .page:
                present(UserAddr(va), entry.outputAddress)
            case .block:
                throw .unexpectedBlock
            }
        }
    }

    /// Returns the address after the page where `visit` asked to stop, nil if it never did.
    private mutating func unmapPages(_ table: PhysAddr, level: Int, first: UInt64, last: UInt64,
                                     _ visit: (UserAddr, PhysAddr) -> Bool) throws(MappingError) -> UInt64? {
        for (index, va, chunkLast) in TableSpan<Entry>(level: level, first: first, last: last) {
            let entry = Entry(rawValue: memory.readEntry(table: table, index: index))
            switch entry.kind(level: level) {
            case .invalid:
                break
            case .block:
                throw .unexpectedBlock
            case .table:
                if let stop = try unmapPages(entry.outputAddress, level: level + 1, first: va, last: chunkLast, visit) {
                    return stop
                }
            case .page:
                memory.writeEntry(table: table, index: index, Entry.invalid.rawValue)
                if !visit(UserAddr(va), entry.outputAddress) { return chunkLast &+ 1 }
            }
        }
        return nil
    }
}

/// The entries of a level-`level` table that the range [first, last] touches, in order: each entry's
/// index and the piece of the range under it. The loop of every walk here.
struct TableSpan<Entry: PageTableFormat>: Sequence, IteratorProtocol {
    private let level: Int
    private let last: UInt64
    private let size: UInt64
    private var cursor: UInt64?

    init(level: Int, first: UInt64, last: UInt64) {
        self.level = level
        self.last = last
        size = PageTableGeometry<Entry>.entrySize(level: level)
        cursor = first
    }

    mutating func next() -> (index: Int, first: UInt64, last: UInt64)? {
        guard let va = cursor else { return nil }
        let pieceLast = Swift.min(last, (va & ~(size - 1)) &+ (size - 1))
        cursor = pieceLast == last ? nil : pieceLast &+ 1
        return (PageTableGeometry<Entry>.index(of: va, level: level), va, pieceLast)
    }
}

/// The destination's tables along the source walk's current path, looked up or created when the first
/// page below needs them: a source table with nothing present in the range (unmap keeps tables) costs
/// the destination nothing.
struct DestinationPath<Entry: PageTableFormat> {
    /// The table at each level, nil until needed (the root is always known). Four levels at most.
    private var tables = InlineArray<4, PhysAddr?>(repeating: nil)
    /// The entry the walk went down through at each level.
    private var indices = InlineArray<4, Int>(repeating: 0)

    init(root: PhysAddr) { tables[0] = root }

    /// The walk goes down through entry `index` of the table at `level`.
    mutating func enter(level: Int, index: Int) {
        indices[level] = index
        tables[level + 1] = nil
    }

    /// The destination's table at `level` on the current path, created (with those above it) if absent.
    mutating func table<M: PageTableMemory>(level: Int, in memory: inout M) throws(MappingError) -> PhysAddr {
        if let table = tables[level] { return table }
        let parent = try table(level: level - 1, in: &memory)
        let index = indices[level - 1]
        let entry = Entry(rawValue: memory.readEntry(table: parent, index: index))
        let table: PhysAddr
        switch entry.kind(level: level - 1) {
        case .table:
            table = entry.outputAddress
        case .invalid:
            // Hooked in at once, so a later failure leaves it for `destroy` to free.
            guard let new = memory.allocateTable() else { throw .outOfMemory }
            memory.writeEntry(table: parent, index: index, Entry.table(new).rawValue)
            table = new
        case .block, .page:
            throw .alreadyMapped
        }
        tables[level] = table
        return table
    }
}
