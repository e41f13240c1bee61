// An ordered map kept in nodes of at most `BoundedTree.fanout` entries (a B+ tree): no allocation
// grows with the number of entries (a directory of millions of names needs no large contiguous
// block, which could fail and did trap the kernel), and find, insert, remove and "the next
// entries from a key" cost O(log n) node visits. Keys are ordered by `compare` (negative, zero,
// positive), as Embedded Swift's Comparable on byte arrays would be less direct.

final class BoundedTreeNode<Key, Value> {
    /// Leaves: the entries' keys. Inner nodes: each child's smallest key.
    var keys: [Key] = []
    var values: [Value] = []                      // leaves only
    var children: [BoundedTreeNode] = []          // inner nodes only
    let isLeaf: Bool

    init(leaf: Bool) { isLeaf = leaf }

    var count: Int { keys.count }
}

/// Counts the nodes an operation visits (tests check it stays logarithmic).
public final class TreeSteps: @unchecked Sendable {
    public var visits = 0
    public init() {}
}

struct BoundedTree<Key, Value> {
    typealias Node = BoundedTreeNode<Key, Value>
    static var fanout: Int { 64 }
    private static var minimum: Int { fanout / 4 }

    private let compare: (Key, Key) -> Int
    private var root = Node(leaf: true)
    private(set) var count = 0
    let steps = TreeSteps()

    init(compare: @escaping (Key, Key) -> Int) { self.compare = compare }

    var isEmpty: Bool { count == 0 }

    func find(_ key: Key) -> Value? {
        var node = root
        while true {
            steps.visits += 1
            if node.isLeaf {
                let (i, found) = position(of: key, in: node)
                return found ? node.values[i] : nil
            }
            node = node.children[childIndex(for: key, in: node)]
        }
    }

    /// `find` of the key `order` describes: `order(k)` is `compare(k, wanted)` for a wanted key
    /// that need not exist as a `Key` (bytes in place for [UInt8] keys).
    func find(ordering order: (Key) -> Int) -> Value? {
        var node = root
        while true {
            var lo = 0, hi = node.count, found = false
            while lo < hi {
                let mid = (lo + hi) / 2
                let o = order(node.keys[mid])
                if o == 0 { lo = mid; found = true; break }
                if o < 0 { lo = mid + 1 } else { hi = mid }
            }
            if node.isLeaf { return found ? node.values[lo] : nil }
            node = node.children[found ? lo : max(lo - 1, 0)]
        }
    }

    /// Adds `key` (not present: the caller checked) with `value`.
    mutating func insert(_ key: Key, _ value: Value) {
        if let sibling = insert(key, value, into: root) {
            let newRoot = Node(leaf: false)
            newRoot.keys = [root.keys[0], sibling.keys[0]]
            newRoot.children = [root, sibling]
            root = newRoot
        }
        count += 1
    }

    /// Removes `key`; returns its value.
    @discardableResult
    mutating func remove(_ key: Key) -> Value? {
        let removed = remove(key, from: root)
        if removed != nil { count -= 1 }
        while !root.isLeaf && root.children.count == 1 { root = root.children[0] }
        if !root.isLeaf && root.children.isEmpty { root = Node(leaf: true) }
        return removed
    }

    /// Visits the entries from the first key >= `from` (all of them if nil) in order, until `visit`
    /// returns false.
    func forEach(from key: Key?, _ visit: (Key, Value) -> Bool) {
        _ = walk(root, from: key, visit)
    }

    // MARK: nodes

    /// Binary search in a node: the index of the first key >= `key`, and whether it is equal.
    private func position(of key: Key, in node: Node) -> (Int, Bool) {
        var lo = 0, hi = node.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let order = compare(node.keys[mid], key)
            if order == 0 { return (mid, true) }
            if order < 0 { lo = mid + 1 } else { hi = mid }
        }
        return (lo, false)
    }

    /// The child of an inner node whose range holds `key`: the last whose smallest key is <= it.
    private func childIndex(for key: Key, in node: Node) -> Int {
        let (i, found) = position(of: key, in: node)
        return found ? i : max(i - 1, 0)
    }

    /// Inserts below `node`; returns the new right sibling when `node` split.
    private func insert(_ key: Key, _ value: Value, into node: Node) -> Node? {
        steps.visits += 1
        if node.isLeaf {
            let (i, _) = position(of: key, in: node)
            node.keys.insert(key, at: i)
            node.values.insert(value, at: i)
        } else {
            let i = childIndex(for: key, in: node)
            let child = node.children[i]
            let sibling = insert(key, value, into: child)
            node.keys[i] = child.keys[0]
            if let sibling {
                node.keys.insert(sibling.keys[0], at: i + 1)
                node.children.insert(sibling, at: i + 1)
            }
        }
        guard node.count > BoundedTree.fanout else { return nil }
        let half = node.count / 2
        let right = Node(leaf: node.isLeaf)
        right.keys = Array(node.keys[half...])
        node.keys.removeSubrange(half...)
        if node.isLeaf {
            right.values = Array(node.values[half...])
            node.values.removeSubrange(half...)
        } else {
            right.children = Array(node.children[half...])
            node.children.removeSubrange(half...)
        }
        return right
    }

    private func remove(_ key: Key, from node: Node) -> Value? {
        steps.visits += 1
        if node.isLeaf {
            let (i, found) = position(of: key, in: node)
            guard found else { return nil }
            node.keys.remove(at: i)
            return node.values.remove(at: i)
        }
        let i = childIndex(for: key, in: node)
        let child = node.children[i]
        guard let value = remove(key, from: child) else { return nil }
        if child.count == 0 {
            node.keys.remove(at: i)
            node.children.remove(at: i)
        } else {
            node.keys[i] = child.keys[0]
            if child.count < BoundedTree.minimum { mergeSmall(at: i, in: node) }
        }
        return value
    }

    /// A child below the minimum joins a neighbour when both fit in one node (else it stays: the
    /// neighbour is full enough that the pair still averages above the minimum).
    private func mergeSmall(at i: Int, in node: Node) {
        let left = i > 0 ? i - 1 : i
        guard left + 1 < node.children.count else { return }
        let a = node.children[left], b = node.children[left + 1]
        guard a.count + b.count <= BoundedTree.fanout else { return }
        a.keys += b.keys
        if a.isLeaf { a.values += b.values } else { a.children += b.children }
        node.keys.remove(at: left + 1)
        node.children.remove(at: left + 1)
    }

    private func walk(_ node: Node, from key: Key?, _ visit: (Key, Value) -> Bool) -> Bool {
        steps.visits += 1
        if node.isLeaf {
            var i = key.map { position(of: $0, in: node).0 } ?? 0
            while i < node.count {
                if !visit(node.keys[i], node.values[i]) { return false }
                i += 1
            }
            return true
        }
        let first = key.map { childIndex(for: $0, in: node) } ?? 0
        var j = first
        while j < node.children.count {
            if !walk(node.children[j], from: j == first ? key : nil, visit) { return false }
            j += 1
        }
        return true
    }
}
