// Nodes and properties of a validated DeviceTree, and the sequences that walk them.
// Nodes are just offsets into the blob; a parent is found again by scanning, which keeps the
// view allocation-free (trees are a few hundred nodes, and boot-time lookups are few).

extension DeviceTree {
    public struct Node: Equatable {
        public let tree: DeviceTree
        let offset: Int           // of the FDT_BEGIN_NODE token
        let nameRange: Range<Int>
        /// 0 for the root.
        public let depth: Int

        init(tree: DeviceTree, offset: Int, name: Range<Int>, depth: Int) {
            self.tree = tree
            self.offset = offset
            self.nameRange = name
            self.depth = depth
        }

        public static func == (a: Node, b: Node) -> Bool { a.offset == b.offset }

        /// The full name, e.g. `pl011@9000000` (empty for the root).
        public var name: UnsafeRawBufferPointer { tree.reader.slice(nameRange) }
        public var nameString: String { makeString(name) }

        /// Offset of the first token after this node's FDT_BEGIN_NODE.
        var contentOffset: Int { alignedToToken(nameRange.upperBound + 1) }

        public var properties: Properties { Properties(tree: tree, offset: contentOffset) }
        public var children: Nodes { Nodes(tree: tree, offset: contentOffset, depth: depth + 1, floor: depth + 1, only: depth + 1) }
        /// All nodes below this one, depth first.
        public var descendants: Nodes { Nodes(tree: tree, offset: contentOffset, depth: depth + 1, floor: depth + 1, only: nil) }

        public var parent: Node? {
            guard depth > 0 else { return nil }
            var candidate: Node? = nil
            for node in tree.nodes {
                if node.offset == offset { return candidate }
                if node.depth == depth - 1 { candidate = node }
            }
            return nil
        }

        public func property(_ name: String) -> Property? { property(named: name.utf8) }

        func property<C: Collection>(named name: C) -> Property? where C.Element == UInt8 {
            for p in properties where bytesEqual(p.name, name) { return p }
            return nil
        }

        /// The child called `name`; a name without `@unit-address` also matches `name@...`.
        public func child(named name: String) -> Node? { child(named: name.utf8) }

        func child<C: Collection>(named name: C) -> Node? where C.Element == UInt8 {
            let hasUnitAddress = name.contains(UInt8(ascii: "@"))
            for child in children {
                let full = child.name
                if bytesEqual(full, name) { return child }
                if !hasUnitAddress, let at = full.firstIndex(of: UInt8(ascii: "@")),
                   bytesEqual(UnsafeRawBufferPointer(rebasing: full[0..<at]), name) {
                    return child
                }
            }
            return nil
        }

        /// `status` absent, "okay" or "ok" (anything else, e.g. "disabled", means skip the device).
        public var isEnabled: Bool {
            guard let status = property("status") else { return true }
            return status.isString("okay") || status.isString("ok")
        }

        public func isCompatible(with compatible: String) -> Bool {
            property("compatible")?.containsString(compatible) ?? false
        }

        public var phandle: UInt32? {
            (property("phandle") ?? property("linux,phandle")).flatMap { try? $0.u32() }
        }

        // Typed property getters: nil when absent, `badProperty` when present but malformed.
        public func u32(_ name: String) throws(DeviceTreeError) -> UInt32? { try property(name)?.u32() }
        public func u64(_ name: String) throws(DeviceTreeError) -> UInt64? { try property(name)?.u64() }
        public func integer(_ name: String) throws(DeviceTreeError) -> UInt64? { try property(name)?.integer() }
        public func string(_ name: String) throws(DeviceTreeError) -> String? { try property(name)?.string() }
        public func strings(_ name: String) throws(DeviceTreeError) -> [String]? { try property(name)?.strings() }

        /// `#address-cells` for this node's children (spec default 2).
        public func addressCells() throws(DeviceTreeError) -> Int { Int(try u32("#address-cells") ?? 2) }
        /// `#size-cells` for this node's children (spec default 1).
        public func sizeCells() throws(DeviceTreeError) -> Int { Int(try u32("#size-cells") ?? 1) }
    }

    public struct Property {
        /// Name and value bytes (the name without its NUL).
        public let name: UnsafeRawBufferPointer
        public let value: UnsafeRawBufferPointer

        public var nameString: String { makeString(name) }

        public func u32() throws(DeviceTreeError) -> UInt32 {
            guard value.count == 4, let v = readCells(value, at: 0, count: 1) else { throw .badProperty }
            return UInt32(truncatingIfNeeded: v)
        }

        public func u64() throws(DeviceTreeError) -> UInt64 {
            guard value.count == 8, let v = readCells(value, at: 0, count: 2) else { throw .badProperty }
            return v
        }

        /// A 32- or 64-bit number (e.g. linux,initrd-start, whose width varies by boot loader).
        public func integer() throws(DeviceTreeError) -> UInt64 {
            value.count == 4 ? UInt64(try u32()) : try u64()
        }

        /// The value as 32-bit cells; nil past the end.
        public func cell(_ index: Int) -> UInt32? {
            readCells(value, at: index, count: 1).map { UInt32(truncatingIfNeeded: $0) }
        }
        public var cellCount: Int { value.count / 4 }

        /// A NUL-terminated string (up to its first NUL).
        public func string() throws(DeviceTreeError) -> String {
            guard let last = value.last, last == 0, let nul = value.firstIndex(of: 0) else { throw .badProperty }
            return makeString(UnsafeRawBufferPointer(rebasing: value[0..<nul]))
        }

        /// A list of NUL-terminated strings, e.g. `compatible`.
        public func strings() throws(DeviceTreeError) -> [String] {
            var result: [String] = []
            guard forEachString({ result.append(makeString($0)) }) else { throw .badProperty }
            return result
        }

        /// Whether the value is exactly the string `s` (one string, NUL-terminated).
        public func isString(_ s: String) -> Bool {
            value.count == s.utf8.count + 1 && value.last == 0
                && bytesEqual(UnsafeRawBufferPointer(rebasing: value[0..<value.count - 1]), s.utf8)
        }

        /// Whether the string list contains `s`.
        public func containsString(_ s: String) -> Bool {
            var found = false
            _ = forEachString { if bytesEqual($0, s.utf8) { found = true } }
            return found
        }

        /// Calls `body` for each string; false if the list is empty or not NUL-terminated.
        func forEachString(_ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
            guard let last = value.last, last == 0 else { return false }
            var start = 0
            for i in 0..<value.count where value[i] == 0 {
                body(UnsafeRawBufferPointer(rebasing: value[start..<i]))
                start = i + 1
            }
            return true
        }
    }

    /// Nodes in document order. `floor` is the depth whose end stops the walk; `only`
    /// restricts the result to one depth (children).
    public struct Nodes: Sequence, IteratorProtocol {
        let tree: DeviceTree
        var offset: Int
        var depth: Int  // depth of the next node to begin
        let floor: Int
        let only: Int?
        var done = false

        init(tree: DeviceTree, offset: Int, depth: Int, floor: Int, only: Int?) {
            self.tree = tree
            self.offset = offset
            self.depth = depth
            self.floor = floor
            self.only = only
        }

        public mutating func next() -> Node? {
            while !done {
                let (token, next) = tree.validToken(at: offset)
                let here = offset
                offset = next
                switch token {
                case .beginNode(let name):
                    let node = Node(tree: tree, offset: here, name: name, depth: depth)
                    depth += 1
                    if only == nil || only == node.depth { return node }
                case .endNode:
                    depth -= 1
                    if depth < floor { done = true }
                case .end:
                    done = true
                case .property, .nop:
                    break
                }
            }
            return nil
        }
    }

    /// A node's own properties (they precede its subnodes; validation guarantees it).
    public struct Properties: Sequence, IteratorProtocol {
        let tree: DeviceTree
        var offset: Int
        var done = false

        public mutating func next() -> Property? {
            while !done {
                let (token, next) = tree.validToken(at: offset)
                offset = next
                switch token {
                case .property(let name, let value):
                    return Property(name: tree.reader.slice(name), value: tree.reader.slice(value))
                case .nop:
                    break
                default:
                    done = true
                }
            }
            return nil
        }
    }
}
