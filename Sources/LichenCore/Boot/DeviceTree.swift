// A validated, read-only view of a flattened device tree (DTB, devicetree spec v0.4 ch. 5).
// `init` checks the header and walks the whole structure block once, so the node and
// property accessors afterwards never meet a malformed token and need not throw for one.
// The view allocates nothing; it borrows the blob, which must outlive it.

public enum DeviceTreeError: Error, Equatable, Sendable {
    case badMagic            // not a DTB
    case truncated           // buffer shorter than the header or than the header's totalsize
    case unsupportedVersion  // not compatible with version 17
    case badOffset           // a block lies outside the blob or is misaligned
    case badStructure        // the token stream breaks the grammar or runs off its block
    case badString           // a node or property name is unterminated or points outside the strings block
    case badProperty         // a property value has the wrong size or shape for its use
    case badReservation      // the /memreserve/ list is unterminated or wraps around
}

/// One token of the structure block, with byte ranges into the blob.
enum DeviceTreeToken {
    case beginNode(name: Range<Int>)
    case endNode
    case property(name: Range<Int>, value: Range<Int>)
    case nop
    case end
}

public struct DeviceTree {
    static let magic: UInt32 = 0xd00d_feed
    static let headerSize = 40
    static let version = 17

    private(set) var reader: DeviceTreeReader  // limited to totalsize
    let structStart: Int, structEnd: Int
    let stringsStart: Int, stringsEnd: Int
    let reservationsStart: Int
    private(set) var rootOffset: Int
    public let bootCPUID: UInt32

    /// Reads only the header (at least 40 bytes) and returns the blob's total size, so the
    /// kernel can learn how much memory to map or reserve before validating the rest.
    public static func totalSize(ofBlobAt header: UnsafeRawBufferPointer) throws(DeviceTreeError) -> Int {
        let r = DeviceTreeReader(bytes: header)
        guard let magic = r.u32(at: 0) else { throw .truncated }
        guard magic == Self.magic else { throw .badMagic }
        guard header.count >= headerSize, let size = r.u32(at: 4) else { throw .truncated }
        guard Int(size) >= headerSize else { throw .badOffset }
        return Int(size)
    }

    public init(_ blob: UnsafeRawBufferPointer) throws(DeviceTreeError) {
        let total = try Self.totalSize(ofBlobAt: blob)
        guard total <= blob.count else { throw .truncated }
        let r = DeviceTreeReader(bytes: UnsafeRawBufferPointer(rebasing: blob[0..<total]))
        func field(_ index: Int) -> Int { Int(r.u32(at: 4 * index) ?? 0) }
        guard field(5) >= Self.version, field(6) <= Self.version else { throw .unsupportedVersion }

        // A block [offset, offset+size) must lie after the header and inside totalsize.
        func block(_ offset: Int, _ size: Int) throws(DeviceTreeError) -> Int {
            guard offset >= Self.headerSize, offset <= total, size <= total - offset else { throw .badOffset }
            return offset + size
        }
        let structStart = field(2), stringsStart = field(3), reservations = field(4)
        let structEnd = try block(structStart, field(9))
        let stringsEnd = try block(stringsStart, field(8))
        _ = try block(reservations, 0)
        guard structStart % 4 == 0, reservations % 8 == 0 else { throw .badOffset }

        reader = r
        self.structStart = structStart
        self.structEnd = structEnd
        self.stringsStart = stringsStart
        self.stringsEnd = stringsEnd
        reservationsStart = reservations
        bootCPUID = UInt32(field(7))
        rootOffset = structStart
        try validateReservations()
        rootOffset = try validateStructure()
    }

    /// The /memreserve/ block: regions the kernel must not allocate (e.g. firmware spin tables).
    public var memoryReservations: [PhysRange] {
        var result: [PhysRange] = []
        var offset = reservationsStart
        while let address = reader.u64(at: offset), let size = reader.u64(at: offset + 8), address != 0 || size != 0 {
            result.append(PhysRange(start: PhysAddr(address), size: size))
            offset += 16
        }
        return result
    }

    /// Total size of the blob, from the header.
    public var size: Int { reader.bytes.count }

    /// The same blob, read at `base` instead (boot moves from the identity map to the direct map):
    /// validated once, not again. The bytes at `base` must be the ones validated.
    public func moved(to base: UnsafeRawPointer) -> DeviceTree {
        var moved = self
        moved.reader = DeviceTreeReader(bytes: UnsafeRawBufferPointer(start: base, count: size))
        return moved
    }

    public var root: Node {
        switch validToken(at: rootOffset).token {
        case .beginNode(let name): return Node(tree: self, offset: rootOffset, name: name, depth: 0)
        default: return Node(tree: self, offset: rootOffset, name: rootOffset..<rootOffset, depth: 0)
        }
    }

    /// Every node in document (depth-first) order, starting with the root.
    public var nodes: Nodes { Nodes(tree: self, offset: rootOffset, depth: 0, floor: 0, only: nil) }

    // MARK: Validation

    private func validateReservations() throws(DeviceTreeError) {
        var offset = reservationsStart
        while true {
            guard let address = reader.u64(at: offset), let size = reader.u64(at: offset + 8) else {
                throw .badReservation
            }
            if address == 0 && size == 0 { return }
            guard address <= UInt64.max - size else { throw .badReservation }
            offset += 16
        }
    }

    /// Walks every token; returns the root's offset. Enforces the spec's grammar: one root,
    /// properties before subnodes, balanced nodes, then FDT_END.
    private func validateStructure() throws(DeviceTreeError) -> Int {
        var offset = structStart
        var depth = 0
        var root: Int? = nil
        var propertiesAllowed = false
        while true {
            let (token, next) = try token(at: offset)
            switch token {
            case .beginNode:
                guard depth > 0 || root == nil else { throw .badStructure }
                if root == nil { root = offset }
                depth += 1
                propertiesAllowed = true
            case .property:
                guard depth > 0, propertiesAllowed else { throw .badStructure }
            case .endNode:
                guard depth > 0 else { throw .badStructure }
                depth -= 1
                propertiesAllowed = false
            case .nop:
                break
            case .end:
                guard depth == 0, let root else { throw .badStructure }
                return root
            }
            offset = next
        }
    }

    /// Decodes the token at `offset` (absolute, 4-aligned) and returns the next token's offset.
    func token(at offset: Int) throws(DeviceTreeError) -> (token: DeviceTreeToken, next: Int) {
        guard offset >= structStart, offset <= structEnd - 4, let tag = reader.u32(at: offset) else {
            throw .badStructure
        }
        let body = offset + 4
        switch tag {
        case 1:
            guard let nul = reader.terminator(from: body, limit: structEnd) else { throw .badString }
            return (.beginNode(name: body..<nul), alignedToToken(nul + 1))
        case 2:
            return (.endNode, body)
        case 3:
            guard body <= structEnd - 8, let length = reader.u32(at: body), let nameOffset = reader.u32(at: body + 4)
            else { throw .badStructure }
            let value = body + 8
            guard Int(length) <= structEnd - value else { throw .badProperty }
            guard Int(nameOffset) < stringsEnd - stringsStart else { throw .badString }
            let name = stringsStart + Int(nameOffset)
            guard let nul = reader.terminator(from: name, limit: stringsEnd) else { throw .badString }
            let valueEnd = value + Int(length)
            return (.property(name: name..<nul, value: value..<valueEnd), alignedToToken(valueEnd))
        case 4:
            return (.nop, body)
        case 9:
            return (.end, body)
        default:
            throw .badStructure
        }
    }

    /// `token(at:)` for offsets reached by walking a validated tree, where it cannot fail.
    func validToken(at offset: Int) -> (token: DeviceTreeToken, next: Int) {
        (try? token(at: offset)) ?? (.end, structEnd)
    }
}
