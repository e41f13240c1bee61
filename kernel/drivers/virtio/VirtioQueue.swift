import LichenCore
import _Concurrency

/// A split virtqueue in use: its ring memory, the ring bookkeeping (LichenCore's SplitVirtqueue)
/// under an IRQ-saving lock, and one completion per descriptor head. A request is an async call
/// that waits for a free chain, publishes it, and awaits the interrupt that completes it; any
/// number run at once, as many in flight as the ring holds, the others wait for room.
final class VirtioQueue: @unchecked Sendable {
    let index: Int
    let size: Int
    private let ring: SpinLock<SplitVirtqueue>
    private let notify: () -> Void
    /// Woken when a chain is freed (requests waiting for descriptors).
    private let room = WaitQueue()
    /// Per head: the length the device wrote, or -1 while the chain is in flight.
    private let completions: [Event<Int64>]
    /// Device-written nonsense seen in the interrupt handler (logged later, from a task).
    private let bogusEntries = SpinLock(0)
    private static let reported = ReportOnce(count: 2)
    /// Set once 3 chains were in flight together (logged once: the boot test looks for it).
    private var sawConcurrency = false

    /// Sets up queue `index` of `transport` (at most `preferredSize` entries): nil when the device has
    /// no such queue or memory is short.
    init?(_ transport: VirtioTransport, index: Int, preferredSize: Int) {
        let offered = transport.maximumQueueSize(index)
        guard offered > 0 else { return nil }
        var size = 1
        while size * 2 <= min(offered, preferredSize) { size *= 2 }
        let bytes = SplitVirtqueue.bytes(size: size)
        var order = 0
        while pageSize << order < bytes { order += 1 }
        guard let memory = PhysicalMemory.allocate(order: order) else { return nil }
        self.index = index
        self.size = size
        let base = KernelLayout.directMap(memory).pointer
        ring = SpinLock(SplitVirtqueue(size: size, memory: base, eventIndex: transport.features.has(Virtio.Feature.eventIndex)))
        completions = (0..<size).map { _ in Event<Int64>(-1) }
        notify = { transport.notify(queue: index) }
        CPU.completeStores()
        transport.enableQueue(index, size: size, descriptors: memory + UInt64(SplitVirtqueue.descriptorOffset(size: size)),
                              driverArea: memory + UInt64(SplitVirtqueue.availOffset(size: size)),
                              deviceArea: memory + UInt64(SplitVirtqueue.usedOffset(size: size)))
    }

    /// Submits one chain and waits for the device to use it: the number of bytes it wrote (clamped to
    /// what the chain offered). Not interruptible: the device owns the buffers until it is done.
    func submit(_ buffers: [SplitVirtqueue.Buffer]) async -> UInt32 {
        var head: UInt16 = 0
        try? await room.wait(until: {
            let added: UInt16? = buffers.withUnsafeBufferPointer { chain in
                ring.withLock { r in
                    guard let h = r.add(chain) else { return nil }
                    CPU.orderStores()                     // descriptors and ring slot before the idx
                    r.publish()
                    return h
                }
            }
            guard let added else { return false }
            head = added
            return true
        }, interruptible: false)
        let (kick, inFlight): (Bool, Int) = ring.withLock { r in
            CPU.completeStores()                          // the idx before reading the device's event index
            return (r.kickNeeded(), r.inFlight)
        }
        if kick { notify() }
        if inFlight >= 3 && !sawConcurrency {
            sawConcurrency = true
            KernelLog.info("virtio: queue " + Format.decimal(UInt64(index)) + ": " + Format.decimal(UInt64(inFlight))
                           + " requests in flight at once")
        }
        let completion = completions[Int(head)]
        try? await completion.wait(until: { $0 >= 0 }, interruptible: false)
        let length = completion.update { (state: inout Int64) -> Int64 in
            let written = state
            state = -1
            return written
        }
        ring.withLock { r in _ = r.free(head: head) }
        room.wakeAll()
        reportBogusEntries()
        return UInt32(truncatingIfNeeded: length)
    }

    /// From the transport's interrupt handler: completes every chain the device used.
    func interrupt() {
        var bogus = 0
        ring.withLock { r in
            while true {
                while let entry = r.takeUsed(readBarrier: { CPU.completeStores() }) {
                    switch entry {
                    case .completed(let head, let length, let clamped):
                        if clamped { bogus += 1 }
                        completions[Int(head)].update { $0 = Int64(length) }
                    case .bogusID:
                        bogus += 1
                    }
                }
                r.requestInterruptAtNextUsed()
                CPU.completeStores()                      // used_event before the second look (2.7.10)
                if !r.hasUsed { break }
            }
        }
        if bogus > 0 || ring.withLock({ $0.broken }) { bogusEntries.withLock { $0 += max(bogus, 1) } }
    }

    private func reportBogusEntries() {
        let count = bogusEntries.withLock { n in let c = n; n = 0; return c }
        guard count > 0 else { return }
        let broken = ring.withLock { $0.broken }
        if Self.reported.first(broken ? 1 : 0) {
            KernelLog.error("virtio: queue " + Format.decimal(UInt64(index)) + ": the device wrote "
                            + (broken ? "an impossible used index: queue stopped" : "used entries with bad ids or lengths: ignored"))
        }
    }
}
