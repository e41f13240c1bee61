import LichenCore
import _Concurrency

/// An epoll instance (epoll_create1): its interest list, level-triggered. Entries name a file by
/// descriptor and description, as Linux's (file, fd) keys, but hold no reference to it: a holder
/// would keep pipes open after their last close. Each use looks the descriptor up in the caller's
/// table and drops the entry once it names another description or nothing (Linux drops it at the
/// description's last close; here closing the registered descriptor is enough, even after a dup).
/// EPOLLET is served level-triggered (edge-triggered users read until EAGAIN, which works the same,
/// but an always-writable file reports EPOLLOUT on every wait). EPOLLONESHOT disables an entry
/// after one report, until EPOLL_CTL_MOD.
final class EpollInstance: FileOperations, @unchecked Sendable {
    static let EPOLLONESHOT: UInt32 = 1 << 30
    /// Always reported when present, whatever was asked for (EPOLLERR, EPOLLHUP).
    static let alwaysReported: UInt32 = 0x8 | 0x10

    struct Interest {
        var fd: Int32
        var file: UInt64          // OpenFile.serial: the description's identity
        var events: UInt32
        var data: UInt64
        var disabled = false
    }

    let interests = SpinLock<[Interest]>([])
    /// Where the next wait starts looking, so that a small maxevents does not starve later entries.
    private let cursor = SpinLock(0)

    /// An epoll instance is not itself pollable here (nested epoll reports nothing).
    func poll(_ file: OpenFile) -> PollEvents { [] }

    func add(_ interest: Interest) throws(Errno) {
        try interests.withLock { (list: inout [Interest]) throws(Errno) in
            guard !list.contains(where: { $0.fd == interest.fd && $0.file == interest.file }) else { throw .EEXIST }
            list.append(interest)
        }
    }

    func modify(fd: Int32, file: UInt64, events: UInt32, data: UInt64) throws(Errno) {
        try interests.withLock { (list: inout [Interest]) throws(Errno) in
            guard let i = list.firstIndex(where: { $0.fd == fd && $0.file == file }) else { throw .ENOENT }
            list[i].events = events
            list[i].data = data
            list[i].disabled = false
        }
    }

    func remove(fd: Int32, file: UInt64) throws(Errno) {
        try interests.withLock { (list: inout [Interest]) throws(Errno) in
            guard let i = list.firstIndex(where: { $0.fd == fd && $0.file == file }) else { throw .ENOENT }
            list.remove(at: i)
        }
    }

    /// The live entries' files in `process`, dropping the entries whose descriptor was closed.
    func files(in process: Process) -> [(interest: Interest, file: OpenFile)] {
        let list = interests.withLock { $0 }
        var live: [(interest: Interest, file: OpenFile)] = []
        var dead: [Interest] = []
        for interest in list {
            if let f = try? process.file(interest.fd), f.serial == interest.file {
                live.append((interest, f))
            } else {
                dead.append(interest)
            }
        }
        if !dead.isEmpty {
            interests.withLock { list in list.removeAll { i in dead.contains { $0.fd == i.fd && $0.file == i.file } } }
        }
        return live
    }

    /// The ready entries' (events, data), at most `max`, starting after the last report; one-shot
    /// entries that report are disabled.
    func collect(_ live: [(interest: Interest, file: OpenFile)], max: Int) -> [(events: UInt32, data: UInt64)] {
        guard !live.isEmpty else { return [] }
        var out: [(events: UInt32, data: UInt64)] = []
        let start = cursor.withLock { $0 } % live.count
        var last = start
        for k in 0..<live.count where out.count < max {
            let i = (start + k) % live.count
            let (interest, file) = live[i]
            guard let current = interests.withLock({ list in list.first { $0.fd == interest.fd && $0.file == interest.file } }),
                  !current.disabled else { continue }
            let ready = UInt32(file.pollEvents.rawValue) & (current.events | EpollInstance.alwaysReported)
            guard ready != 0 else { continue }
            out.append((ready, current.data))
            last = i + 1
            if current.events & EpollInstance.EPOLLONESHOT != 0 {
                interests.withLock { list in
                    if let j = list.firstIndex(where: { $0.fd == interest.fd && $0.file == interest.file }) { list[j].disabled = true }
                }
            }
        }
        cursor.withLock { $0 = last }
        return out
    }

    /// Whether any enabled entry is ready (for the sleep's condition; no side effects).
    func anyReady(_ live: [(interest: Interest, file: OpenFile)]) -> Bool {
        let list = interests.withLock { $0 }
        return live.contains { entry in
            guard let current = list.first(where: { $0.fd == entry.interest.fd && $0.file == entry.interest.file }),
                  !current.disabled else { return false }
            return UInt32(entry.file.pollEvents.rawValue) & (current.events | EpollInstance.alwaysReported) != 0
        }
    }
}
