import LichenCore
import LichenAsyncRuntime
import _Concurrency

/// A signalfd (signalfd4): a read takes the reader's pending signals in the fd's mask (its thread's
/// and its process's, blocked or not, as rt_sigtimedwait does) as `signalfd_siginfo` records; poll
/// says readable while one is pending for the polling thread. As on Linux the fd speaks for whoever
/// uses it (a child reads its own signals through an inherited fd). Every queued signal wakes its
/// process's `signalQueued` queue, which readers and pollers wait on.
final class SignalFD: FileOperations, @unchecked Sendable {
    let mask: SpinLock<SignalSet>
    /// The process that made it: looked at first when finding the calling thread.
    private let creator: Int32

    init(mask: SignalSet, creator: Int32) {
        self.mask = SpinLock(mask)
        self.creator = creator
    }

    func read(_ file: OpenFile, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        let size = MemoryLayout<LinuxSignalfdSiginfo>.size
        guard buffer.count >= size else { throw .EINVAL }
        guard let thread = currentThread() else { throw .EINVAL }
        let process = thread.process, index = thread.index
        while true {
            var n = 0
            while n + size <= buffer.count {
                let set = mask.withLock { $0 }
                guard var info = process.signals.withLock({ st in st.process.take(from: set, thread: &st.threads[index]) }) else { break }
                process.time.timerSignalDelivered(&info, process: process, thread: thread)
                buffer.storeBytes(of: LinuxSignalfdSiginfo(info), toByteOffset: n, as: LinuxSignalfdSiginfo.self)
                n += size
            }
            if n > 0 { return n }
            if file.isNonBlocking { throw .EAGAIN }
            do { try await process.signalQueued.wait(until: { self.pending(for: thread) }) } catch { throw .EINTR }
        }
    }

    func poll(_ file: OpenFile) -> PollEvents {
        guard let thread = currentThread() else { return [] }
        return pending(for: thread) ? .readable : []
    }

    func pollQueue(_ file: OpenFile) -> WaitQueue? { currentThread()?.process.signalQueued }

    /// lseek succeeds and moves nothing (Linux's noop_llseek).
    func seek(_ file: OpenFile, to offset: Int64, whence: Int32, current: Int64) throws(Errno) -> Int64 { current }

    private func pending(for thread: Thread) -> Bool {
        let set = mask.withLock { $0 }
        return thread.process.signals.withLock { st in
            !st.threads[thread.index].pending.signals.union(st.process.shared.signals).intersection(set).isEmpty
        }
    }

    /// The calling thread (the fd may have been inherited or passed: not necessarily the creator's).
    private func currentThread() -> Thread? { CurrentThread.thread }
}
