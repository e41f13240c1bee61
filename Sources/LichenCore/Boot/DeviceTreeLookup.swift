// Finding nodes: by path (with /aliases and `:options` as in stdout-path), by phandle, by
// compatible string.

extension DeviceTree {
    /// The node at `path`, e.g. "/chosen", "/pl011@9000000", "/memory" (unit address may be
    /// omitted), or an alias such as "serial0". Anything from the first ':' on is ignored,
    /// so a stdout-path like "serial0:115200n8" resolves.
    public func node(atPath path: String) -> Node? {
        let bytes = Array(path.utf8)
        return bytes.withUnsafeBytes { node(atPath: $0, resolvingAliases: true) }
    }

    func node(atPath rawPath: UnsafeRawBufferPointer, resolvingAliases: Bool) -> Node? {
        let slash = UInt8(ascii: "/")
        let end = rawPath.firstIndex(of: UInt8(ascii: ":")) ?? rawPath.count
        let path = UnsafeRawBufferPointer(rebasing: rawPath[0..<end])
        guard let first = path.first else { return nil }
        var node = root
        var index = 0
        if first != slash {
            // Alias: the first component names a property of /aliases holding a full path.
            guard resolvingAliases else { return nil }
            let aliasEnd = path.firstIndex(of: slash) ?? path.count
            guard let aliases = root.child(named: "aliases"),
                  let alias = aliases.property(named: UnsafeRawBufferPointer(rebasing: path[0..<aliasEnd])),
                  let nul = alias.value.firstIndex(of: 0),
                  let target = self.node(atPath: UnsafeRawBufferPointer(rebasing: alias.value[0..<nul]), resolvingAliases: false)
            else { return nil }
            node = target
            index = aliasEnd
        }
        while index < path.count {
            let componentEnd = path[index...].firstIndex(of: slash) ?? path.count
            if componentEnd > index {
                guard let child = node.child(named: UnsafeRawBufferPointer(rebasing: path[index..<componentEnd])) else {
                    return nil
                }
                node = child
            }
            index = componentEnd + 1
        }
        return node
    }

    /// The node whose `phandle` (or legacy `linux,phandle`) is `phandle`.
    public func node(withPhandle phandle: UInt32) -> Node? {
        guard phandle != 0, phandle != 0xffff_ffff else { return nil }
        for node in nodes where node.phandle == phandle { return node }
        return nil
    }

    /// All nodes whose `compatible` list contains `compatible`, in document order.
    public func nodes(compatibleWith compatible: String) -> [Node] {
        var result: [Node] = []
        for node in nodes where node.isCompatible(with: compatible) { result.append(node) }
        return result
    }

    /// The first enabled node compatible with any of `compatibles`, in document order.
    public func firstEnabledNode(compatibleWith compatibles: [String]) -> Node? {
        for node in nodes where node.isEnabled {
            for c in compatibles where node.isCompatible(with: c) { return node }
        }
        return nil
    }
}
