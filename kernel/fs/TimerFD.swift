import LichenCore
import _Concurrency

/// A timerfd (timerfd_create) over `TimerFdState`: expirations are counted from the clock; a
/// kernel timer entry wakes the file's queue at the next expiry while no expiration is pending
/// (after that the file stays readable until read, which arms the next one). So an edge-triggered
/// epoll entry sees one event per read-and-expire cycle, not one per period of an unread timer.
final class TimerFD: FileOperations, @unchecked Sendable {
    static let TFD_TIMER_ABSTIME: Int32 = 1, TFD_TIMER_CANCEL_ON_SET: Int32 = 2
    let realtime: Bool
    let state = Event(TimerFdState())
    /// The armed wake-up, if any; only touched in task context under this lock.
    private let wakeUp = SpinLock<TimerEntryHandle?>(nil)
    /// Timers armed with TFD_TIMER_CANCEL_ON_SET on the realtime clock (Linux's cancel_list).
    static let cancelOnSet = SpinLock<[TimerFD]>([])

    /// The clock timerfd_create named and the last timerfd_settime's flags (fdinfo).
    let clockID: Int32
    var settimeFlags: Int32 = 0

    init(realtime: Bool, clockID: Int32) {
        self.realtime = realtime
        self.clockID = clockID
    }

    var now: UInt64 { realtime ? RealtimeClock.now : MonotonicClock.now }

    func read(_ file: OpenFile, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        guard buffer.count >= 8 else { throw .EINVAL }
        let clock = self
        let take: (inout TimerFdState) -> Int64? = { s in
            if s.cancelled { s.cancelled = false; return -1 }
            return s.take(at: clock.now).map { Int64($0) }
        }
        let result: Int64
        if file.isNonBlocking {
            guard let r = state.update(reporting: .writable, take) else { throw .EAGAIN }
            result = r
        } else {
            do { result = try await state.wait(for: take) } catch { throw .EINTR }
        }
        arm()
        if result < 0 { throw .ECANCELED }
        buffer.storeBytes(of: UInt64(result).littleEndian, as: UInt64.self)
        return 8
    }

    /// lseek succeeds and moves nothing (Linux's noop_llseek).
    func seek(_ file: OpenFile, to offset: Int64, whence: Int32, current: Int64) throws(Errno) -> Int64 { current }

    func poll(_ file: OpenFile) -> PollEvents {
        let s = state.value
        return s.cancelled || s.expirations(at: now) > 0 ? .readable : []
    }

    func pollQueue(_ file: OpenFile) -> WaitQueue? { state.waitQueue }

    func release(_ file: OpenFile) {
        disarm()
        TimerFD.cancelOnSet.withLock { $0.removeAll { $0 === self } }
    }

    /// timerfd_settime: the old setting.
    func set(value: UInt64, interval: UInt64, flags: Int32) -> (value: UInt64, interval: UInt64) {
        settimeFlags = flags
        let absolute = flags & TimerFD.TFD_TIMER_ABSTIME != 0
        let cancellable = realtime && absolute && flags & TimerFD.TFD_TIMER_CANCEL_ON_SET != 0
        TimerFD.cancelOnSet.withLock { (list: inout [TimerFD]) in
            list.removeAll { $0 === self }
            if cancellable { list.append(self) }
        }
        let t = now
        let old = state.update { $0.set(value: value, interval: interval, absolute: absolute, at: t) }
        arm()
        return old
    }

    func get() -> (value: UInt64, interval: UInt64) {
        let t = now
        return state.value.remaining(at: t)
    }

    /// The realtime clock was set: cancellable timers become readable and their next read ECANCELED.
    static func realtimeWasSet() {
        let list = cancelOnSet.withLock { $0 }
        for t in list { t.state.update(reporting: .readable) { $0.cancelled = true } }
    }

    /// Arms the wake-up for the next expiry if none is pending (task context).
    private func arm() {
        disarm()
        let s = state.value
        guard s.armed, s.expirations(at: now) == 0 else { return }
        // On the realtime clock the wake-up follows clock_settime (Deadline.realtime).
        let entry = TimerEntry.make(realtime ? Deadline.realtime(nanoseconds: s.next) : Deadline.uptime(nanoseconds: s.next))
        let queue = state.waitQueue
        entry.pointee.action = .call { queue.wakeAll(reporting: .readable) }
        _ = TimerQueue.insert(entry)
        wakeUp.withLock { $0 = TimerEntryHandle(entry: entry) }
    }

    private func disarm() {
        guard let old = wakeUp.withLock({ (h: inout TimerEntryHandle?) -> TimerEntryHandle? in
            let old = h
            h = nil
            return old
        }) else { return }
        _ = TimerQueue.cancelAndWait(old.entry)
        TimerEntry.free(old.entry)
    }
}
