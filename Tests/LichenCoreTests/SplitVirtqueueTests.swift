import Testing
@testable import LichenCore

/// The split virtqueue's bookkeeping against a simulated device that reads the avail ring and
/// writes the used ring as a hostile one could.
@Suite struct SplitVirtqueueTests {
    final class Ring {
        let size: Int
        let memory: UnsafeMutableRawPointer
        var queue: SplitVirtqueue
        var deviceAvail: UInt16 = 0     // the device's next avail entry to read
        var deviceUsed: UInt16 = 0      // the device's used idx

        init(size: Int = 8, eventIndex: Bool = false) {
            self.size = size
            memory = UnsafeMutableRawPointer.allocate(byteCount: SplitVirtqueue.bytes(size: size), alignment: 16)
            queue = SplitVirtqueue(size: size, memory: memory, eventIndex: eventIndex)
        }
        deinit { memory.deallocate() }

        func add(_ buffers: [SplitVirtqueue.Buffer]) -> UInt16? {
            buffers.withUnsafeBufferPointer { queue.add($0) }
        }
        func u16(_ at: Int) -> UInt16 { memory.load(fromByteOffset: at, as: UInt16.self) }
        func set16(_ at: Int, _ v: UInt16) { memory.storeBytes(of: v, toByteOffset: at, as: UInt16.self) }
        /// The device pops the next available head, or nil.
        func deviceTake() -> UInt16? {
            let avail = SplitVirtqueue.availOffset(size: size)
            guard u16(avail + 2) != deviceAvail else { return nil }
            let head = u16(avail + 4 + 2 * Int(deviceAvail % UInt16(size)))
            deviceAvail &+= 1
            return head
        }
        /// The device writes a used entry (any id and length it likes) and bumps the used idx.
        func deviceUse(_ id: UInt32, _ length: UInt32) {
            let used = SplitVirtqueue.usedOffset(size: size)
            let at = used + 4 + 8 * Int(deviceUsed % UInt16(size))
            memory.storeBytes(of: id, toByteOffset: at, as: UInt32.self)
            memory.storeBytes(of: length, toByteOffset: at + 4, as: UInt32.self)
            deviceUsed &+= 1
            set16(used + 2, deviceUsed)
        }
        func descriptor(_ i: UInt16) -> (UInt64, UInt32, UInt16, UInt16) {
            let at = 16 * Int(i)
            return (memory.load(fromByteOffset: at, as: UInt64.self), memory.load(fromByteOffset: at + 8, as: UInt32.self),
                    u16(at + 12), u16(at + 14))
        }
        func take() -> SplitVirtqueue.UsedEntry? { queue.takeUsed(readBarrier: {}) }
        func free(_ head: UInt16) -> Bool { queue.free(head: head) }
        func kick() -> Bool { queue.kickNeeded() }
    }

    static func chain(_ n: Int, writable: UInt32 = 512) -> [SplitVirtqueue.Buffer] {
        (0..<n).map { SplitVirtqueue.Buffer(address: UInt64(0x1000 * ($0 + 1)), length: $0 == n - 1 ? writable : 16, deviceWrites: $0 == n - 1) }
    }

    @Test func layoutMatchesTheSpec() {
        #expect(SplitVirtqueue.availOffset(size: 128) == 2048)
        #expect(SplitVirtqueue.usedOffset(size: 128) == 2312)
        #expect(SplitVirtqueue.bytes(size: 128) <= 4096)
        #expect(!SplitVirtqueue.isValidSize(0) && !SplitVirtqueue.isValidSize(96) && SplitVirtqueue.isValidSize(256))
    }

    @Test func chainIsWrittenLinkedAndOffered() {
        let r = Ring()
        let head = r.add(Self.chain(3))!
        r.queue.publish()
        #expect(r.queue.freeCount == 5)
        #expect(r.deviceTake() == head)
        var d = r.descriptor(head), count = 1
        while d.2 & 1 != 0 { d = r.descriptor(d.3); count += 1 }
        #expect(count == 3 && d.2 == 2 && d.1 == 512)
        r.deviceUse(UInt32(head), 100)
        #expect(r.take() == .completed(head: head, length: 100, clamped: false))
        #expect(r.free(head))
        #expect(r.queue.freeCount == 8)
    }

    @Test func fullRingRefusesAndFreesReuse() {
        let r = Ring(size: 4)
        var heads: [UInt16] = []
        for _ in 0..<2 { heads.append(r.add(Self.chain(2))!) }
        #expect(r.add(Self.chain(1)) == nil)
        r.queue.publish()
        r.deviceUse(UInt32(heads[1]), 1)
        r.deviceUse(UInt32(heads[0]), 1)
        #expect(r.take() == .completed(head: heads[1], length: 1, clamped: false))
        #expect(r.free(heads[1]))
        #expect(r.add(Self.chain(2)) != nil)
        #expect(r.add(Self.chain(1)) == nil)
        // Many rounds wrap the 16-bit indices.
        let w = Ring(size: 2)
        for i in 0..<70000 {
            let h = w.add(Self.chain(1))!
            w.queue.publish()
            #expect(w.deviceTake() == h)
            w.deviceUse(UInt32(h), UInt32(i % 600))
            guard case .completed(h, let n, _)? = w.take() else { Issue.record("round \(i)"); return }
            #expect(n == min(UInt32(i % 600), 512))
            #expect(w.free(h))
        }
    }

    @Test func hostileUsedEntriesAreRejected() {
        let r = Ring()
        let head = r.add(Self.chain(2, writable: 64))!
        for _ in 0..<3 { _ = r.add(Self.chain(2)) }     // room for four used entries
        r.queue.publish()
        r.deviceUse(99, 0)                       // out of range
        r.deviceUse(UInt32(head) + 1, 0)         // a middle descriptor, not a head
        r.deviceUse(UInt32(head), 1 << 31)       // too long
        r.deviceUse(UInt32(head), 1)             // completed twice
        #expect(r.take() == .bogusID(99))
        #expect(r.take() == .bogusID(UInt32(head) + 1))
        #expect(r.take() == .completed(head: head, length: 64, clamped: true))
        #expect(r.take() == .bogusID(UInt32(head)))
        #expect(r.take() == nil)
        #expect(!r.free(5) && !r.free(200))
        // A used idx far beyond what was offered breaks the queue instead of reading garbage.
        let b = Ring()
        _ = b.add(Self.chain(1))
        b.queue.publish()
        b.set16(SplitVirtqueue.usedOffset(size: 8) + 2, 5000)
        #expect(b.take() == nil && b.queue.broken && !b.queue.hasUsed)
    }

    @Test func eventIndexArithmeticWraps() {
        #expect(SplitVirtqueue.needsEvent(event: 0, new: 1, old: 0))
        #expect(!SplitVirtqueue.needsEvent(event: 1, new: 1, old: 0))
        #expect(SplitVirtqueue.needsEvent(event: 0xffff, new: 2, old: 0xfffe))
        #expect(!SplitVirtqueue.needsEvent(event: 5, new: 2, old: 0xfffe))
        let r = Ring(eventIndex: true)
        _ = r.add(Self.chain(1))
        r.queue.publish()
        #expect(r.kick())             // avail_event 0, crossed 0 -> 1
        #expect(!r.kick())            // nothing new
        let availEvent = SplitVirtqueue.usedOffset(size: 8) + 4 + 8 * 8
        r.set16(availEvent, 7)                    // the device wants to hear at idx 8 only
        _ = r.add(Self.chain(1)); r.queue.publish()
        #expect(!r.kick())
        // Without event index the NO_NOTIFY flag decides.
        let f = Ring()
        _ = f.add(Self.chain(1)); f.queue.publish()
        f.set16(SplitVirtqueue.usedOffset(size: 8), 1)
        #expect(!f.kick())
    }

    @Test func usedEventTracksWhatWasTaken() {
        let r = Ring(eventIndex: true)
        let h = r.add(Self.chain(1))!
        r.queue.publish()
        r.deviceUse(UInt32(h), 0)
        _ = r.take()
        r.queue.requestInterruptAtNextUsed()
        #expect(r.u16(SplitVirtqueue.availOffset(size: 8) + 4 + 2 * 8) == 1)
    }

    @Test func featureNegotiationRequiresVersion1() {
        #expect(throws: VirtioFeatureNegotiation.Refusal.legacyOnly) { try VirtioFeatureNegotiation(offered: 0xffff_ffff, wanted: 0) }
        let n = try? VirtioFeatureNegotiation(offered: 1 << 32 | 1 << 29 | 1 << 9 | 1 << 28 | 1 << 5, wanted: 1 << 9)
        #expect(n?.accepted == 1 << 32 | 1 << 29 | 1 << 9)
        #expect(n?.has(Virtio.Feature.eventIndex) == true)
    }

    @Test func blockConfigurationKeepsSaneSizes() {
        let c = VirtioBlock.Configuration(capacity: 2048, blockSize: 4096, physicalBlockExponent: 0, maxDiscardSectors: 0)
        #expect(c.logicalBlockSize == 4096 && c.physicalBlockSize == 4096 && c.maxDiscardSectors == .max)
        #expect(VirtioBlock.Configuration(capacity: 1, blockSize: 1000, physicalBlockExponent: 3, maxDiscardSectors: nil).logicalBlockSize == 512)
        #expect(VirtioBlock.Configuration(capacity: 1, blockSize: 512, physicalBlockExponent: 3, maxDiscardSectors: nil).physicalBlockSize == 4096)
    }
}
