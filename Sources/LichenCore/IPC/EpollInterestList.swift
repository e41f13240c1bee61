import _Concurrency

/// One file watched by an epoll instance (Linux's epitem), named by (descriptor, description
/// serial). It watches the file's poll queue: a wake-up of that queue puts it on its list's ready
/// list (Linux's ep_poll_callback), so a wait costs the ready entries, not the watched ones.
/// The kernel subclasses it to find the file again.
open class EpollInterest: WaitQueueWatcher, @unchecked Sendable {
    public let fd: Int32
    public let serial: UInt64
    /// The epoll instance the file is, for epoll inside epoll (loop and depth checks).
    public let nested: EpollInterestList?
    let owner: EpollInterestList
    // Guarded by owner.lock:
    public internal(set) var events: UInt32
    public internal(set) var data: UInt64
    var queue: WaitQueue?
    var watched = false                       // in the interest list
    /// The ready list's take this entry is on (`EpollInterestList.epoch`; 0: on none). A harvest
    /// takes the whole list by moving to the next take, so a wake-up during its polls queues the
    /// entry again (Linux's ovflist) with no per-entry work at the take.
    var queuedIn: UInt64 = 0

    public init(in owner: EpollInterestList, fd: Int32, serial: UInt64, events: UInt32, data: UInt64,
                nested: EpollInterestList? = nil) {
        self.owner = owner
        self.fd = fd
        self.serial = serial
        self.events = events
        self.data = data
        self.nested = nested
    }

    open override func queueWoke(_ key: PollEvents) { owner.notify(self, key) }
}

/// One report of epoll_wait, laid out as arm64's struct epoll_event (u32 events, 4 bytes of
/// padding, u64 data): the reports are copied out as they are.
public struct EpollReport: Equatable, Sendable {
    public var events: UInt32
    private var padding: UInt32 = 0
    public var data: UInt64

    public init(events: UInt32, data: UInt64) {
        self.events = events
        self.data = data
    }
}

/// An epoll instance's interest and ready lists (Linux's eventpoll), without the files: `harvest`
/// is given a function that polls an entry's file (nil when it is gone). Level-triggered entries
/// that report go back to the tail of the ready list (re-polled at the next wait, and rotated, so a
/// small maxevents starves no one); edge-triggered ones come back only with the next wake-up of
/// their file; one-shot ones are disabled after one report until EPOLL_CTL_MOD.
public final class EpollInterestList: @unchecked Sendable {
    public static let EPOLLERR: UInt32 = 0x8, EPOLLHUP: UInt32 = 0x10, EPOLLRDHUP: UInt32 = 0x2000
    public static let EPOLLEXCLUSIVE: UInt32 = 1 << 28, EPOLLWAKEUP: UInt32 = 1 << 29
    public static let EPOLLONESHOT: UInt32 = 1 << 30, EPOLLET: UInt32 = 1 << 31
    /// Not events: how the entry reports (Linux's EP_PRIVATE_BITS).
    public static let privateBits: UInt32 = EPOLLEXCLUSIVE | EPOLLWAKEUP | EPOLLONESHOT | EPOLLET
    /// Linux's EP_MAX_NESTS.
    public static let maxNesting = 4

    let lock = RawSpinLock()
    private var interests: [EpollInterest] = []       // guarded by lock
    /// The ready list, guarded by lock. Removal leaves an entry here (unwatched, skipped): the
    /// array keeps it alive while a harvest may still poll it. A harvest takes the whole array and
    /// hands its storage back empty (`spare`), so a wait allocates nothing for it.
    private var ready: [EpollInterest] = []
    private var spare: [EpollInterest] = []
    /// The current take of the ready list (see EpollInterest.queuedIn), guarded by lock.
    private var epoch: UInt64 = 1
    /// Harvests between their take and their report, and whether anyone found the list empty
    /// meanwhile (it must be woken when the harvest puts entries back, as Linux's ep_done_scan).
    private var scanning = 0
    private var missedWhileScanning = false
    private var parents: [EpollInterestList] = []     // epolls watching this one, guarded by lock
    /// Woken when an entry is queued: epoll_wait sleeps here, and it is the epoll file's poll queue.
    public let waitQueue = WaitQueue()

    public init() {}

    public var count: Int { lock.withLock { interests.count } }

    /// Every entry with its events and data now (/proc/<pid>/fdinfo's tfd lines).
    public func snapshot() -> [(interest: EpollInterest, events: UInt32, data: UInt64)] {
        lock.withLock { interests.map { ($0, $0.events, $0.data) } }
    }

    /// Whether any entry is on the ready list (it may turn out not ready when polled).
    public var hasQueued: Bool { lock.withLock { !ready.isEmpty } }

    // MARK: epoll_ctl

    /// EPOLL_CTL_ADD: EEXIST if (fd, serial) is watched already. The entry starts queued, so the
    /// next wait polls its file (an already-ready file is reported, edge-triggered too, as Linux).
    public func add(_ entry: EpollInterest, queue: WaitQueue?) -> Errno? {
        if find(entry.fd, entry.serial) != nil { return .EEXIST }
        queue?.addWatcher(entry)                     // before it is queued: no wake-up falls between
        let added = lock.withLock { () -> Bool in
            if interests.contains(where: { $0.fd == entry.fd && $0.serial == entry.serial }) { return false }
            entry.queue = queue
            entry.watched = true
            interests.append(entry)
            enqueue(entry)
            return true
        }
        guard added else {
            queue?.removeWatcher(entry)
            return .EEXIST
        }
        if let child = entry.nested { child.lock.withLock { child.parents.append(self) } }
        waitQueue.wakeAll()
        return nil
    }

    /// EPOLL_CTL_MOD: new events and data; the entry is queued to be polled again. EINVAL on an
    /// EPOLLEXCLUSIVE entry, as Linux.
    public func modify(_ fd: Int32, _ serial: UInt64, events: UInt32, data: UInt64) -> Errno? {
        let error = lock.withLock { () -> Errno? in
            guard let e = interests.first(where: { $0.fd == fd && $0.serial == serial }) else { return .ENOENT }
            if e.events & Self.EPOLLEXCLUSIVE != 0 { return .EINVAL }
            e.events = events
            e.data = data
            enqueue(e)
            return nil
        }
        if error == nil { waitQueue.wakeAll() }
        return error
    }

    /// EPOLL_CTL_DEL.
    public func delete(_ fd: Int32, _ serial: UInt64) -> Errno? {
        guard let e = find(fd, serial) else { return .ENOENT }
        remove(e)
        return nil
    }

    public func find(_ fd: Int32, _ serial: UInt64) -> EpollInterest? {
        lock.withLock { interests.first { $0.fd == fd && $0.serial == serial } }
    }

    /// Forgets every entry (the epoll file's last close), and tells the epolls watching this one.
    public func removeAll() {
        let all = lock.withLock { () -> [EpollInterest] in
            let all = interests
            for e in all { unlink(e) }
            interests = []
            ready = []
            parents = []
            return all
        }
        for e in all { detach(e) }
        waitQueue.wakeAll()
    }

    private func remove(_ e: EpollInterest) {
        let was = lock.withLock { () -> Bool in
            guard e.watched else { return false }
            unlink(e)
            interests.removeAll { $0 === e }
            return true
        }
        if was { detach(e) }
    }

    private func unlink(_ e: EpollInterest) {            // under lock
        e.queuedIn = 0
        e.watched = false
    }

    private func detach(_ e: EpollInterest) {
        e.queue?.removeWatcher(e)
        if let child = e.nested { child.lock.withLock { child.parents.removeAll { $0 === self } } }
    }

    // MARK: readiness

    /// A wake-up of the entry's file (any context): queue it unless it is disabled (one-shot fired)
    /// or the wake-up's key says nothing it asked for changed. The instance's queue is woken even
    /// when the entry was queued already, as Linux: an epoll watching this one must hear of it.
    func notify(_ e: EpollInterest, _ key: PollEvents) {
        let relevant = lock.withLock { () -> Bool in
            guard e.watched, e.events & ~Self.privateBits != 0 else { return false }
            if key.rawValue != PollEvents.all.rawValue
                && UInt32(key.rawValue) & (e.events | Self.EPOLLERR | Self.EPOLLHUP) == 0 { return false }
            enqueue(e)
            return true
        }
        if relevant { waitQueue.wakeAll() }
    }

    /// Up to `max` reports, polling the queued entries' files with `poll` (nil: the file is gone,
    /// the entry is dropped). As Linux's ep_send_events: the ready list is taken whole under the
    /// lock, its entries polled without it (a file's poll takes its own locks, and its wake-up
    /// takes this one), and the reports recorded under the lock once. Entries found not ready
    /// leave the list; those not reached (`max` reports found) go back to its front.
    public func harvest(max: Int, poll: (EpollInterest) -> PollEvents?) -> [EpollReport] {
        var batch = lock.withLock { () -> [EpollInterest] in
            if ready.isEmpty {
                if scanning > 0 { missedWhileScanning = true }
                return []
            }
            var taken = spare
            spare = []
            swap(&taken, &ready)
            epoch &+= 1                            // every taken entry is off the list
            scanning += 1
            return taken
        }
        if batch.isEmpty { return [] }
        // Candidates: the file's events, and the entry's index in `batch` in place of its data
        // (events 0: the file is gone). Recorded below, under the lock, with the entry's settings then.
        var out: [EpollReport] = []
        out.reserveCapacity(Swift.min(max, batch.count))
        var polled = 0, found = 0
        while polled < batch.count && found < max {
            let i = polled
            polled += 1
            let e = batch[i]
            guard e.watched else { continue }
            guard let now = poll(e) else {
                out.append(EpollReport(events: 0, data: UInt64(i)))
                continue
            }
            let events = UInt32(truncatingIfNeeded: now.rawValue)
            if events & (e.events | Self.EPOLLERR | Self.EPOLLHUP) & ~Self.privateBits != 0 {
                out.append(EpollReport(events: events, data: UInt64(i)))
                found += 1
            }
        }
        var gone: [EpollInterest] = []
        let wake = lock.withLock { () -> Bool in
            var kept = 0
            for k in 0..<out.count {
                let e = batch[Int(out[k].data)]
                if out[k].events == 0 {
                    if e.watched { forget(e); gone.append(e) }
                } else if let report = record(e, out[k].events) {
                    out[kept] = report
                    kept += 1
                }
            }
            out.removeLast(out.count - kept)
            if polled < batch.count { requeueFirst(batch[polled...]) }
            batch.removeAll(keepingCapacity: true)
            if spare.capacity < batch.capacity { swap(&spare, &batch) }
            scanning -= 1
            let wake = missedWhileScanning && !ready.isEmpty
            if wake { missedWhileScanning = false }
            return wake
        }
        for e in gone { detach(e) }
        if wake { waitQueue.wakeAll() }
        return out
    }

    /// The report of entry `e` whose file said `now` (under lock), nil if it asks for none of it
    /// (any more): level-triggered entries go back on the list, one-shot ones are disabled.
    private func record(_ e: EpollInterest, _ now: UInt32) -> EpollReport? {
        let events = now & (e.events | Self.EPOLLERR | Self.EPOLLHUP) & ~Self.privateBits
        guard e.watched, e.events & ~Self.privateBits != 0, events != 0 else { return nil }
        if e.events & Self.EPOLLONESHOT != 0 {
            e.events &= Self.privateBits
        } else if e.events & Self.EPOLLET == 0 {
            enqueue(e)
        }
        return EpollReport(events: events, data: e.data)
    }

    /// Puts the entries a harvest did not reach back at the front of the ready list (under lock),
    /// unless a wake-up queued them again meanwhile.
    private func requeueFirst(_ rest: ArraySlice<EpollInterest>) {
        var front: [EpollInterest] = []
        front.reserveCapacity(rest.count + ready.count)
        for e in rest where e.watched && e.queuedIn != epoch {
            e.queuedIn = epoch
            front.append(e)
        }
        front.append(contentsOf: ready)
        ready = front
    }

    /// An entry whose file is gone leaves the interest list (under lock).
    private func forget(_ e: EpollInterest) {
        unlink(e)
        interests.removeAll { $0 === e }
    }

    /// Whether some queued entry's file is ready now (the epoll file's own poll), consuming nothing.
    public func hasReadyEvents(poll: (EpollInterest) -> PollEvents?) -> Bool {
        let queued = lock.withLock { () -> [EpollInterest] in
            if scanning > 0 { missedWhileScanning = true }   // a harvest holds some: it wakes us
            return ready
        }
        for e in queued where e.watched {
            let asked = e.events | Self.EPOLLERR | Self.EPOLLHUP
            if let now = poll(e), UInt32(now.rawValue) & asked & ~Self.privateBits != 0 { return true }
        }
        return false
    }

    /// Queues `e` at the tail (under lock) unless it is queued already.
    private func enqueue(_ e: EpollInterest) {
        if e.queuedIn == epoch { return }
        e.queuedIn = epoch
        ready.append(e)
    }

    // MARK: epoll inside epoll

    /// Whether watching `child` from this list would close a loop or nest deeper than Linux allows
    /// (ELOOP): the epolls below `child`, this one, and the ones above it, at most `maxNesting`.
    public func wouldLoop(adding child: EpollInterestList) -> Bool {
        guard let below = child.depthBelow(avoiding: self, level: 0) else { return true }
        return below + 1 + depthAbove(level: 0) > Self.maxNesting
    }

    /// Levels of epolls under this one (0: none); nil if `target` is among them (a loop).
    private func depthBelow(avoiding target: EpollInterestList, level: Int) -> Int? {
        if self === target { return nil }
        if level > Self.maxNesting { return level }
        let children = lock.withLock { interests.compactMap { $0.nested } }
        var deepest = 0
        for c in children {
            guard let d = c.depthBelow(avoiding: target, level: level + 1) else { return nil }
            deepest = Swift.max(deepest, d + 1)
        }
        return deepest
    }

    private func depthAbove(level: Int) -> Int {
        if level > Self.maxNesting { return level }
        let above = lock.withLock { parents }
        var deepest = 0
        for p in above { deepest = Swift.max(deepest, p.depthAbove(level: level + 1) + 1) }
        return deepest
    }
}
