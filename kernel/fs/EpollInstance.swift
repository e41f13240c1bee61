import LichenCore
import _Concurrency

/// An epoll instance (epoll_create1): its interest list, level-triggered. Entries name a file by
/// descriptor and description (OpenFile.serial), as Linux's (file, fd) keys, but hold no reference
/// to it: a holder would keep pipes open after their last close. Each scan looks the descriptor up in
/// the caller's table and drops the entry once it names another description or nothing (Linux drops
/// it at the description's last close; here closing the registered descriptor is enough, even after
/// a dup). EPOLLET is refused (EpollSyscalls.control) until edges are tracked. EPOLLONESHOT disables an entry
/// after one report, until EPOLL_CTL_MOD. Ready entries are reported in registration order (Linux
/// rotates its ready list, so a small maxevents cannot starve later ones there).
final class EpollInstance: FileOperations, @unchecked Sendable {
    static let EPOLLONESHOT: UInt32 = 1 << 30
    /// Always reported when present, whatever was asked for (EPOLLERR, EPOLLHUP).
    static let alwaysReported: UInt32 = 0x8 | 0x10

    struct Interest {
        var fd: Int32
        var file: UInt64
        var events: UInt32
        var data: UInt64
        var disabled = false
    }

    private let interests = SpinLock<[Interest]>([])

    /// An epoll instance is not itself pollable here (nested epoll reports nothing).
    func poll(_ file: OpenFile) -> PollEvents { [] }

    /// EPOLL_CTL_ADD (1), EPOLL_CTL_DEL (2) or EPOLL_CTL_MOD (3) of the entry for (fd, file).
    func control(_ op: UInt64, _ entry: Interest) -> Errno? {
        interests.withLock { (list: inout [Interest]) -> Errno? in
            let found = list.firstIndex { $0.fd == entry.fd && $0.file == entry.file }
            guard let i = found else {
                if op == 1 { list.append(entry); return nil }
                return .ENOENT
            }
            if op == 1 { return .EEXIST }
            if op == 2 { list.remove(at: i) } else { list[i] = entry }
            return nil
        }
    }

    /// Up to `max` ready entries' (events, data) for `process`, and the live entries' files (to sleep
    /// on). With `report`, one-shot entries that are reported get disabled; dead entries always go.
    func scan(_ process: Process, max: Int, report: Bool) -> (ready: [(events: UInt32, data: UInt64)], files: [OpenFile]) {
        let list = interests.withLock { $0 }
        var ready: [(events: UInt32, data: UInt64)] = [], files: [OpenFile] = [], gone: [UInt64] = [], fired: [UInt64] = []
        for entry in list {
            guard let f = try? process.file(entry.fd), f.serial == entry.file else { gone.append(entry.file); continue }
            files.append(f)
            let events = UInt32(f.pollEvents.rawValue) & (entry.events | EpollInstance.alwaysReported)
            guard !entry.disabled, events != 0, ready.count < max else { continue }
            ready.append((events, entry.data))
            if report && entry.events & EpollInstance.EPOLLONESHOT != 0 { fired.append(entry.file) }
        }
        if !gone.isEmpty || !fired.isEmpty {
            interests.withLock { (list: inout [Interest]) in
                list.removeAll { gone.contains($0.file) }
                for i in list.indices where fired.contains(list[i].file) { list[i].disabled = true }
            }
        }
        return (ready, files)
    }
}
