/// One split virtqueue (virtio 1.x, 2.7): the descriptor table, the available ring the driver
/// fills and the used ring the device fills, laid out in one block of DMA memory the caller owns.
/// Sans-IO: this type only reads and writes that memory; the transport does the barriers (passed
/// in as closures where the order matters) and the notifications.
///
/// The driver keeps its own copy of everything it needs (free list, chain lengths, which heads are
/// in flight), so memory the device can write (the used ring, and the descriptors it could scribble
/// on) never steers the driver: a used entry with an id out of range, for a head not in flight, or
/// with a length beyond what the chain offered is reported, never trusted (`UsedEntry`).
public struct SplitVirtqueue {
    /// One buffer of a chain: guest-physical address, length, and whether the device writes it.
    public struct Buffer: Sendable, Equatable {
        public let address: UInt64
        public let length: UInt32
        public let deviceWrites: Bool
        public init(address: UInt64, length: UInt32, deviceWrites: Bool) {
            self.address = address
            self.length = length
            self.deviceWrites = deviceWrites
        }
    }

    /// What the next used-ring entry said, checked.
    public enum UsedEntry: Equatable, Sendable {
        /// The chain starting at `head` is done; `length` bytes written (clamped to what the chain
        /// offered, `clamped` tells when the device claimed more).
        case completed(head: UInt16, length: UInt32, clamped: Bool)
        /// The id is not a head of a chain in flight (out of range, never submitted, or completed twice).
        case bogusID(UInt32)
    }

    /// Descriptor flags (2.7.5).
    static let descriptorNext: UInt16 = 1
    static let descriptorWrite: UInt16 = 2
    /// Used ring flags: the device asks not to be notified (without EVENT_IDX).
    static let usedNoNotify: UInt16 = 1

    public let size: Int
    public let eventIndex: Bool
    private let memory: UnsafeMutableRawPointer

    private enum HeadState: UInt8 { case idle, inFlight, completed }
    private var next: [UInt16]               // free-list and chain links, the driver's copy
    private var chainLength: [UInt16]        // descriptors in the chain at each head
    private var writableBytes: [UInt32]      // bytes the device may write, per head
    private var state: [HeadState]
    private var freeHead: UInt16 = 0
    public private(set) var freeCount: Int
    private var availIndex: UInt16 = 0        // the driver's next avail idx (published by `publish`)
    private var availIndexAtLastKick: UInt16 = 0
    private var lastUsed: UInt16 = 0
    /// Set once the device wrote an impossible used idx (more entries than the ring holds): the
    /// queue is not read again.
    public private(set) var broken = false

    // Layout (2.7): descriptors (16 bytes each, 16-aligned), avail ring, used ring (4-aligned).
    public static func descriptorOffset(size: Int) -> Int { 0 }
    public static func availOffset(size: Int) -> Int { 16 * size }
    public static func usedOffset(size: Int) -> Int { (availOffset(size: size) + 6 + 2 * size + 3) & ~3 }
    /// Bytes of DMA memory a queue of `size` entries needs.
    public static func bytes(size: Int) -> Int { usedOffset(size: size) + 6 + 8 * size }
    /// Queue sizes are powers of two up to 32768 (2.7).
    public static func isValidSize(_ size: Int) -> Bool { size > 0 && size <= 32768 && size & (size - 1) == 0 }

    /// A queue over `memory` (at least `bytes(size:)` bytes), which is zeroed here.
    public init(size: Int, memory: UnsafeMutableRawPointer, eventIndex: Bool) {
        precondition(Self.isValidSize(size))
        self.size = size
        self.memory = memory
        self.eventIndex = eventIndex
        memory.initializeMemory(as: UInt8.self, repeating: 0, count: Self.bytes(size: size))
        next = (0..<size).map { UInt16(truncatingIfNeeded: $0 + 1) }
        chainLength = [UInt16](repeating: 0, count: size)
        writableBytes = [UInt32](repeating: 0, count: size)
        state = [HeadState](repeating: .idle, count: size)
        freeCount = size
    }

    // MARK: Driver side

    /// Writes a chain of `buffers` into free descriptors and offers it in the available ring (not yet
    /// visible to the device: `publish` after a store barrier). Nil when there are not enough free
    /// descriptors (or the chain is empty or longer than the ring).
    public mutating func add(_ buffers: UnsafeBufferPointer<Buffer>) -> UInt16? {
        guard !buffers.isEmpty, buffers.count <= freeCount else { return nil }
        let head = freeHead
        var index = head
        var writable: UInt32 = 0
        for (i, buffer) in buffers.enumerated() {
            let last = i == buffers.count - 1
            let link = next[Int(index)]
            var flags: UInt16 = buffer.deviceWrites ? Self.descriptorWrite : 0
            if !last { flags |= Self.descriptorNext }
            writeDescriptor(Int(index), address: buffer.address, length: buffer.length, flags: flags, next: last ? 0 : link)
            if buffer.deviceWrites { writable &+= buffer.length }
            if !last { index = link }
            else { freeHead = link }
        }
        freeCount -= buffers.count
        chainLength[Int(head)] = UInt16(buffers.count)
        writableBytes[Int(head)] = writable
        state[Int(head)] = .inFlight
        store16(Self.availOffset(size: size) + 4 + 2 * Int(availIndex & UInt16(size - 1)), head)
        availIndex &+= 1
        return head
    }

    /// Makes the chains added so far visible: writes the avail idx. The caller orders the ring
    /// writes before it (a store barrier).
    public mutating func publish() {
        store16(Self.availOffset(size: size) + 2, availIndex)
    }

    /// Whether the device wants a notification for the chains published since the last kick
    /// (2.7.10: event index, or the used ring's NO_NOTIFY flag). The caller puts a full barrier
    /// between `publish` and this.
    public mutating func kickNeeded() -> Bool {
        let old = availIndexAtLastKick, new = availIndex
        availIndexAtLastKick = new
        if old == new { return false }
        if eventIndex {
            let availEvent = load16(Self.usedOffset(size: size) + 4 + 8 * size)
            return Self.needsEvent(event: availEvent, new: new, old: old)
        }
        return load16(Self.usedOffset(size: size)) & Self.usedNoNotify == 0
    }

    /// vring_need_event (2.7.10): whether moving an index from `old` to `new` crossed `event`,
    /// all modulo 2^16.
    public static func needsEvent(event: UInt16, new: UInt16, old: UInt16) -> Bool {
        new &- event &- 1 < new &- old
    }

    // MARK: Device side (read back)

    /// Whether the device has used entries the driver has not taken (reads the used idx).
    public var hasUsed: Bool { !broken && usedIndex != lastUsed }

    /// Takes the next used entry, checked against the driver's own records. `readBarrier` runs
    /// between reading the used idx and reading the entry (the entry must not be read earlier).
    /// Nil when there is none (or the queue is broken).
    public mutating func takeUsed(readBarrier: () -> Void) -> UsedEntry? {
        guard !broken else { return nil }
        let published = usedIndex
        if published == lastUsed { return nil }
        // The device cannot have used more chains than the driver made available.
        if published &- lastUsed > availIndex &- lastUsed {
            broken = true
            return nil
        }
        readBarrier()
        let entry = Self.usedOffset(size: size) + 4 + 8 * Int(lastUsed & UInt16(size - 1))
        let id = load32(entry), length = load32(entry + 4)
        lastUsed &+= 1
        guard id < UInt32(size), state[Int(id)] == .inFlight else { return .bogusID(id) }
        let head = Int(id)
        state[head] = .completed
        let allowed = writableBytes[head]
        return .completed(head: UInt16(head), length: min(length, allowed), clamped: length > allowed)
    }

    /// With EVENT_IDX: asks the device to interrupt at the next used entry (used_event = what the
    /// driver took). The caller then puts a full barrier and checks `hasUsed` again (2.7.10 race).
    public mutating func requestInterruptAtNextUsed() {
        guard eventIndex else { return }
        store16(Self.availOffset(size: size) + 4 + 2 * size, lastUsed)
    }

    /// Returns a completed chain's descriptors to the free list. False (nothing changes) when `head`
    /// is not a completed chain.
    @discardableResult
    public mutating func free(head: UInt16) -> Bool {
        guard Int(head) < size, state[Int(head)] == .completed else { return false }
        state[Int(head)] = .idle
        var last = head
        for _ in 1..<max(Int(chainLength[Int(head)]), 1) { last = next[Int(last)] }
        next[Int(last)] = freeHead
        freeHead = head
        freeCount += Int(chainLength[Int(head)])
        chainLength[Int(head)] = 0
        return true
    }

    /// Chains submitted and not yet freed.
    public var inFlight: Int { state.reduce(0) { $0 + ($1 == .idle ? 0 : 1) } }

    // MARK: Memory

    private var usedIndex: UInt16 { load16(Self.usedOffset(size: size) + 2) }

    private func writeDescriptor(_ i: Int, address: UInt64, length: UInt32, flags: UInt16, next: UInt16) {
        let at = Self.descriptorOffset(size: size) + 16 * i
        memory.storeBytes(of: address.littleEndian, toByteOffset: at, as: UInt64.self)
        memory.storeBytes(of: length.littleEndian, toByteOffset: at + 8, as: UInt32.self)
        store16(at + 12, flags)
        store16(at + 14, next)
    }

    @inline(never) private func load16(_ offset: Int) -> UInt16 {
        UInt16(littleEndian: memory.load(fromByteOffset: offset, as: UInt16.self))
    }

    @inline(never) private func load32(_ offset: Int) -> UInt32 {
        UInt32(littleEndian: memory.load(fromByteOffset: offset, as: UInt32.self))
    }

    private func store16(_ offset: Int, _ value: UInt16) {
        memory.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt16.self)
    }
}
