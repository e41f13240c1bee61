// Which driver each device-tree node binds to, decided from `compatible` lists alone (no I/O): the
// kernel's driver registry hands in each driver's strings, then probes the nodes this returns.

/// A node and the driver that claims it (an index into the list given to `bindings`).
public struct DeviceTreeBinding {
    public let node: DeviceTree.Node
    public let driver: Int
}

extension DeviceTree {
    /// One walk over the enabled nodes that have a `compatible` list. A node's strings run from the
    /// most specific to the most generic, so they are tried in that order, each against every driver
    /// in turn (as Linux's of_match_node prefers the earliest string): the first driver claiming the
    /// earliest string wins. Nodes no driver claims come back in `unclaimed` (boot logs them).
    public func bindings(_ drivers: [[StaticString]]) -> (bound: [DeviceTreeBinding], unclaimed: [Node]) {
        var bound: [DeviceTreeBinding] = []
        var unclaimed: [Node] = []
        for node in nodes {
            guard let compatible = node.property("compatible"), node.isEnabled else { continue }
            var claimant: Int? = nil
            _ = compatible.forEachString { string in
                if claimant == nil { claimant = Self.driver(claiming: string, in: drivers) }
            }
            if let claimant { bound.append(DeviceTreeBinding(node: node, driver: claimant)) } else { unclaimed.append(node) }
        }
        return (bound, unclaimed)
    }

    static func driver(claiming string: UnsafeRawBufferPointer, in drivers: [[StaticString]]) -> Int? {
        for (index, compatibles) in drivers.enumerated() {
            for c in compatibles where bytesEqual(string, UnsafeBufferPointer(start: c.utf8Start, count: c.utf8CodeUnitCount)) {
                return index
            }
        }
        return nil
    }
}
