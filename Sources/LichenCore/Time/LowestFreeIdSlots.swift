/// Values kept under small ids that are handed out lowest-free first (POSIX timer ids): the value of
/// id n is slot n, so a lookup is one index, and a bitmap of used slots with a summary word per 64
/// of them finds the lowest free id in a few word steps, however many ids are in use (a scan of
/// every value per create and per lookup before). `steps` counts the words looked at, so a host test
/// can tell a scan creeping back.
public struct LowestFreeIdSlots<Value> {
    private var values: [Value?] = []
    /// Bit i of used[w]: slot 64w + i holds a value.
    private var used: [UInt64] = []
    /// Bit w of full[s]: used[64s + w] is all ones.
    private var full: [UInt64] = []
    public private(set) var count = 0
    /// Words looked at by the last `insert` (tests).
    public private(set) var steps = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }

    /// The value of `id`, if it is in use.
    public subscript(id: Int32) -> Value? {
        get { id >= 0 && Int(id) < values.count ? values[Int(id)] : nil }
    }

    /// Changes the value of `id` in place (no-op if it is not in use); returns `body`'s result.
    @discardableResult
    public mutating func update<R>(_ id: Int32, _ body: (inout Value) -> R) -> R? {
        guard id >= 0, Int(id) < values.count, values[Int(id)] != nil else { return nil }
        return body(&values[Int(id)]!)
    }

    /// Stores `make(id)` under the lowest free id and returns that id.
    @discardableResult
    public mutating func insert(_ make: (Int32) -> Value) -> Int32 {
        let id = lowestFree()
        if id == values.count {
            values.append(nil)
            if id / 64 == used.count { used.append(0) }
            if (id / 64) / 64 == full.count { full.append(0) }
        }
        values[id] = make(Int32(id))
        used[id / 64] |= 1 << UInt64(id % 64)
        if used[id / 64] == ~0 { full[id / 4096] |= 1 << UInt64((id / 64) % 64) }
        count += 1
        return Int32(id)
    }

    /// Removes `id`'s value and returns it (nil if it was not in use).
    @discardableResult
    public mutating func remove(_ id: Int32) -> Value? {
        guard let value = self[id] else { return nil }
        let i = Int(id)
        values[i] = nil
        used[i / 64] &= ~(1 << UInt64(i % 64))
        full[i / 4096] &= ~(1 << UInt64((i / 64) % 64))
        count -= 1
        return value
    }

    public mutating func removeAll() {
        values = []; used = []; full = []; count = 0
    }

    /// Every value, in id order (walks: for teardown and rare whole-table questions, not lookups).
    public var all: [Value] { values.compactMap { $0 } }

    /// Whether some value satisfies `predicate` (a walk).
    public func contains(where predicate: (Value) -> Bool) -> Bool {
        values.contains { $0.map(predicate) ?? false }
    }

    /// Visits every value in id order, in place (a walk).
    public mutating func forEach(_ body: (Int32, inout Value) -> Void) {
        for i in values.indices where values[i] != nil { body(Int32(i), &values[i]!) }
    }

    /// The ids in use, in order.
    public var ids: [Int32] { values.indices.compactMap { values[$0] == nil ? nil : Int32($0) } }

    /// The lowest id not in use: the first summary word with a clear bit names a word of `used`
    /// with a free slot (the end when every word is full).
    private mutating func lowestFree() -> Int {
        steps = 0
        for s in full.indices {
            steps += 1
            let words = min(64, used.count - s * 64)
            let open = ~full[s] & (words == 64 ? ~0 : (1 << UInt64(words)) - 1)
            guard open != 0 else { continue }
            let w = s * 64 + open.trailingZeroBitCount
            steps += 1
            return w * 64 + (~used[w]).trailingZeroBitCount
        }
        return used.count * 64
    }
}
