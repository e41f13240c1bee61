import LichenCore
import _Concurrency

/// virtio-blk (virtio 1.x, 5.2) on one request queue: reads, writes, flush and discard as chains
/// of header / data / status, many in flight at once (VirtioQueue). Disks are named vda, vdb, ...
/// in probe order and handed to the block layer (BlockDevices).
final class VirtioBlockDevice: BlockDevice, @unchecked Sendable {
    let name: String
    let sysfsPath: String
    let sectors: UInt64
    let logicalBlockSize: Int
    let physicalBlockSize: Int
    let readOnly: Bool
    let hasWriteCache: Bool
    let maxDiscardSectors: UInt64
    let maxTransferBytes: Int
    private let queue: VirtioQueue

    /// Per-request DMA memory the chain's header, discard segment and status byte live in: one
    /// 64-byte slot per request in flight, handed out by `slotsFree`.
    private static let slotSize = 64
    private let slots: DMABuffer
    private let freeSlots: SpinLock<[Int]>
    private let slotFreed = WaitQueue()

    nonisolated(unsafe) private static var count = 0

    static func probe(_ transport: VirtioTransport) throws(ProbeFailure) {
        let wanted = [VirtioBlock.Feature.readOnly, VirtioBlock.Feature.blockSize, VirtioBlock.Feature.flush,
                      VirtioBlock.Feature.topology, VirtioBlock.Feature.discard, VirtioBlock.Feature.sizeMax].reduce(UInt64(0)) { $0 | VirtioFeatureNegotiation.bit($1) }
        try transport.negotiate(wanted: wanted)
        let f = transport.features
        let config = transport.readConfiguration { field in
            VirtioBlock.Configuration(
                capacity: UInt64(field(VirtioBlock.Configuration.Offset.capacity))
                    | UInt64(field(VirtioBlock.Configuration.Offset.capacity + 4)) << 32,
                blockSize: f.has(VirtioBlock.Feature.blockSize) ? field(VirtioBlock.Configuration.Offset.blockSize) : nil,
                physicalBlockExponent: f.has(VirtioBlock.Feature.topology)
                    ? UInt8(truncatingIfNeeded: field(VirtioBlock.Configuration.Offset.physicalBlockExponent)) : nil,
                maxDiscardSectors: f.has(VirtioBlock.Feature.discard) ? field(VirtioBlock.Configuration.Offset.maxDiscardSectors) : nil,
                sizeMax: f.has(VirtioBlock.Feature.sizeMax) ? field(VirtioBlock.Configuration.Offset.sizeMax) : nil)
        }
        guard let queue = VirtioQueue(transport, index: 0, preferredSize: 128),
              let slots = DMABuffer.allocate(queue.size * slotSize) else {
            transport.fail()
            throw .unsupported
        }
        let name = "vd" + String(UnicodeScalar(UInt8(ascii: "a") + UInt8(min(count, 25))))
        count += 1
        let disk = VirtioBlockDevice(name: name, sysfsPath: transport.sysfsPath, config: config, features: f, queue: queue, slots: slots)
        transport.onInterrupt { queue.interrupt() }
        transport.driverReady()
        KernelLog.info("virtio-blk: " + name + ": " + Format.decimal(config.capacity) + " 512-byte sectors ("
                       + Format.bytes(config.capacity * 512) + "), logical block " + Format.decimal(UInt64(config.logicalBlockSize))
                       + (disk.readOnly ? ", read-only" : "") + (disk.hasWriteCache ? ", flush" : "")
                       + (disk.maxDiscardSectors > 0 ? ", discard" : "") + (f.has(Virtio.Feature.eventIndex) ? ", event index" : "")
                       + ", queue of " + Format.decimal(UInt64(queue.size)) + ", requests up to " + Format.bytes(UInt64(disk.maxTransferBytes)))
        BlockDevices.add(disk)
    }

    private init(name: String, sysfsPath: String, config: VirtioBlock.Configuration, features f: VirtioFeatureNegotiation,
                 queue: VirtioQueue, slots: DMABuffer) {
        self.name = name
        self.sysfsPath = sysfsPath
        sectors = config.capacity
        logicalBlockSize = Int(config.logicalBlockSize)
        physicalBlockSize = Int(config.physicalBlockSize)
        readOnly = f.has(VirtioBlock.Feature.readOnly)
        hasWriteCache = f.has(VirtioBlock.Feature.flush)
        maxDiscardSectors = f.has(VirtioBlock.Feature.discard) ? UInt64(config.maxDiscardSectors) : 0
        maxTransferBytes = config.maxTransferBytes
        self.queue = queue
        self.slots = slots
        freeSlots = SpinLock(Array(0..<queue.size))
    }

    func read(sector: UInt64, into buffer: DMABuffer) async throws(Errno) {
        try await request(.read, sector: sector, data: buffer, deviceWrites: true)
    }

    func write(sector: UInt64, from buffer: DMABuffer) async throws(Errno) {
        if readOnly { throw .EPERM }
        try await request(.write, sector: sector, data: buffer, deviceWrites: false)
    }

    func flush() async throws(Errno) {
        guard hasWriteCache else { return }          // no volatile cache: nothing to write back
        try await request(.flush, sector: 0, data: nil, deviceWrites: false)
    }

    func discard(sector: UInt64, count: UInt64) async throws(Errno) {
        guard maxDiscardSectors > 0 else { throw .EOPNOTSUPP }
        var done: UInt64 = 0
        while done < count {
            let n = min(count - done, maxDiscardSectors, UInt64(UInt32.max))
            try await request(.discard, sector: sector + done, data: nil, deviceWrites: false, discardSectors: UInt32(n))
            done += n
        }
    }

    /// One request: header, then the data or discard segment, then the status byte the device writes.
    private func request(_ type: VirtioBlock.RequestType, sector: UInt64, data: DMABuffer?, deviceWrites: Bool,
                         discardSectors: UInt32 = 0) async throws(Errno) {
        let slot = await takeSlot()
        defer { giveBack(slot) }
        let base = slots.pointer + slot * Self.slotSize
        let physical = slots.physical + UInt64(slot * Self.slotSize)
        VirtioBlock.writeHeader(type, sector: sector, to: base)
        base.storeBytes(of: 0xff, toByteOffset: 32, as: UInt8.self)       // not written by the device = an error
        var chain = [SplitVirtqueue.Buffer(address: physical.value, length: UInt32(VirtioBlock.headerSize), deviceWrites: false)]
        if let data {
            chain.append(SplitVirtqueue.Buffer(address: data.physical.value, length: UInt32(data.count), deviceWrites: deviceWrites))
        } else if type == .discard {
            VirtioBlock.writeDiscardSegment(sector: sector, count: discardSectors, to: base + 16)
            chain.append(SplitVirtqueue.Buffer(address: physical.value + 16, length: UInt32(VirtioBlock.discardSegmentSize), deviceWrites: false))
        }
        chain.append(SplitVirtqueue.Buffer(address: physical.value + 32, length: 1, deviceWrites: true))
        _ = await queue.submit(chain)
        switch VirtioBlock.RequestStatus(rawValue: base.load(fromByteOffset: 32, as: UInt8.self)) {
        case .ok?: return
        case .unsupported?: throw .EOPNOTSUPP
        default: throw .EIO
        }
    }

    private func takeSlot() async -> Int {
        var slot = 0
        try? await slotFreed.wait(until: {
            guard let s = freeSlots.withLock({ $0.popLast() }) else { return false }
            slot = s
            return true
        }, interruptible: false)
        return slot
    }

    private func giveBack(_ slot: Int) {
        freeSlots.withLock { $0.append(slot) }
        slotFreed.wakeOne()
    }
}
