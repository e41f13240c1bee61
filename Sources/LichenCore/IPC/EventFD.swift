import _Concurrency
import Synchronization

/// An eventfd (eventfd2): 8-byte reads and writes of an `EventCounter`. Reads wake writers and
/// writes wake readers, each telling epoll which side changed (edge-triggered entries see one
/// event per write, as on Linux).
public final class EventFD: FileOperations, @unchecked Sendable {
    public static let EFD_SEMAPHORE: UInt64 = 1
    let state: Event<EventCounter>
    /// fdinfo's eventfd-id (Linux allocates the lowest free id; here ids are only never shared).
    public let id: Int
    private static let ids = Atomic<Int>(0)

    public init(_ initial: UInt32, semaphore: Bool) {
        state = Event(EventCounter(UInt64(initial), semaphore: semaphore))
        id = EventFD.ids.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    public var counter: EventCounter { state.value }

    public func read(_ file: OpenFile, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        guard buffer.count >= 8 else { throw .EINVAL }
        let value: UInt64
        if file.isNonBlocking {
            guard let v = state.update(reporting: .writable, { $0.read() }) else { throw .EAGAIN }
            value = v
        } else {
            do { value = try await state.wait(for: { $0.read() }) } catch { throw .EINTR }
            state.waitQueue.wakeAll(reporting: .writable)
        }
        buffer.storeBytes(of: value.littleEndian, as: UInt64.self)
        return 8
    }

    public func write(_ file: OpenFile, from buffer: UnsafeRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        guard buffer.count >= 8 else { throw .EINVAL }
        let value = UInt64(littleEndian: buffer.loadUnaligned(as: UInt64.self))
        guard value != UInt64.max else { throw .EINVAL }
        if file.isNonBlocking {
            guard state.update(reporting: .readable, { $0.write(value) }) else { throw .EAGAIN }
        } else {
            do { _ = try await state.wait(for: { $0.write(value) ? true : nil }) } catch { throw .EINTR }
            state.waitQueue.wakeAll(reporting: .readable)
        }
        return 8
    }

    // MARK: without waiting (the syscalls' instant attempts)

    /// `read` if it needs no wait: the value taken, nil if a blocking reader would wait (nothing
    /// was changed then). Non-blocking readers get EAGAIN as from `read`.
    public func readNow(_ file: OpenFile) throws(Errno) -> UInt64? {
        if let value = state.tryUpdate(reporting: .writable, { $0.read() }) { return value }
        if file.isNonBlocking { throw .EAGAIN }
        return nil
    }

    /// `write` of `value` if it needs no wait: true once added, false if a blocking writer would
    /// wait (nothing was changed then). EINVAL and EAGAIN as from `write`.
    public func writeNow(_ file: OpenFile, _ value: UInt64) throws(Errno) -> Bool {
        guard value != UInt64.max else { throw .EINVAL }
        if state.tryUpdate(reporting: .readable, { $0.write(value) ? true : nil }) != nil { return true }
        if file.isNonBlocking { throw .EAGAIN }
        return false
    }

    public var eventFD: EventFD? { self }

    /// lseek succeeds and moves nothing (Linux's noop_llseek).
    public func seek(_ file: OpenFile, to offset: Int64, whence: Int32, current: Int64) throws(Errno) -> Int64 { current }

    public func poll(_ file: OpenFile) -> PollEvents {
        let c = state.value
        var events: PollEvents = []
        if c.readable { events.insert(.readable) }
        if c.writable { events.insert(.writable) }
        return events
    }

    public func pollQueue(_ file: OpenFile) -> WaitQueue? { state.waitQueue }
}
