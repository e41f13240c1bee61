import LichenCore
import _Concurrency

/// An epoll instance (epoll_create1) over `EpollInterestList`: entries watch their files' poll
/// queues (the queues poll/select sleep on: one readiness mechanism), so a wait polls only the
/// entries whose files woke. An entry names its file by descriptor in the table of the process that
/// added it (it holds no reference: one would keep a pipe open after its last close) and goes away
/// once that descriptor names another description or nothing. Linux keeps it until the
/// description's last close, so here closing the added descriptor drops it even when a dup of it
/// (or the other process's copy after fork) stays open.
final class EpollInstance: FileOperations, @unchecked Sendable {
    let list = EpollInterestList()

    /// Readable when a watched file is ready: an epoll instance can be watched by poll and epoll.
    func poll(_ file: OpenFile) -> PollEvents {
        list.hasReadyEvents(poll: EpollInstance.currentEvents) ? [.readable] : []
    }

    /// lseek succeeds and moves nothing (Linux's noop_llseek).
    func seek(_ file: OpenFile, to offset: Int64, whence: Int32, current: Int64) throws(Errno) -> Int64 { current }

    func pollQueue(_ file: OpenFile) -> WaitQueue? { list.waitQueue }

    func release(_ file: OpenFile) { list.removeAll() }

    /// The entry's file's events now; nil once its descriptor is closed or reused.
    static func currentEvents(_ interest: EpollInterest) -> PollEvents? {
        let entry = unsafeDowncast(interest, to: ProcessEpollInterest.self)
        let fd = entry.fd
        guard let file = entry.files.withLock({ (t: inout FileDescriptorTable<OpenFile>) -> OpenFile? in t.entry(fd)?.file }),
              file.serial == entry.serial else { return nil }
        return file.pollEvents
    }
}

/// An entry and the descriptor table its descriptor is in.
final class ProcessEpollInterest: EpollInterest, @unchecked Sendable {
    let files: SpinLock<FileDescriptorTable<OpenFile>>

    init(in list: EpollInterestList, fd: Int32, file: OpenFile, events: UInt32, data: UInt64,
         files: SpinLock<FileDescriptorTable<OpenFile>>) {
        self.files = files
        super.init(in: list, fd: fd, serial: file.serial, events: events, data: data,
                   nested: (file.operations as? EpollInstance)?.list)
    }
}
