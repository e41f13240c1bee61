import LichenCore
import Synchronization

/// Files an SCM_RIGHTS message carries while queued: the open files, the AF_UNIX sockets among
/// them (counted in flight) and the sending user they are charged to.
struct UnixPassedFiles {
    let files: [OpenFile]
    let sockets: [UnixSocket]
    let user: UInt32
}

/// A receive's files stop being in flight once they are installed (or closed): settled then, so that
/// between queue and descriptor table the collector still sees them referenced (no false garbage).
final class UnixInflightReceipt: @unchecked Sendable {
    private var passed: [UnixPassedFiles]
    init(_ passed: [UnixPassedFiles]) { self.passed = passed }
    func settle() {
        let p = passed
        passed = []
        for x in p { UnixGarbageCollector.detach(x) }
    }
    deinit { settle() }
}

/// Linux's unix_inflight/unix_notinflight and unix_gc: in-flight accounting (ETOOMANYREFS past
/// RLIMIT_NOFILE files in flight per user) and the collection of sockets only in-flight messages
/// reference, run (as Linux 6.1) when an AF_UNIX socket is released while anything is in flight.
/// Lock order: the table, then the process registry and descriptor tables, then a socket's state.
enum UnixGarbageCollector {
    static let table = SpinLock(UnixInflight<UnixSocket>())
    private static let collecting = Atomic<Bool>(false)
    private static let again = Atomic<Bool>(false)

    /// unix_attach_fds: ETOOMANYREFS when the sender's user already has more files in flight than
    /// its RLIMIT_NOFILE, unless CAP_SYS_RESOURCE or CAP_SYS_ADMIN; else counts `files` in flight.
    static func attach(_ files: [OpenFile], caller: SocketCaller) throws(Errno) -> UnixPassedFiles {
        var sockets: [UnixSocket] = []
        for f in files {
            if let s = (f.operations as? SocketFile)?.socket as? UnixSocket { sockets.append(s) }
        }
        let user = caller.credentials.uid
        let privileged = caller.credentials.has(.CAP_SYS_RESOURCE) || caller.credentials.has(.CAP_SYS_ADMIN)
        let limit = caller.openFilesLimit
        try table.withLock { (t: inout UnixInflight<UnixSocket>) throws(Errno) in
            if t.tooMany(user: user, limit: limit, privileged: privileged) { throw .ETOOMANYREFS }
            t.add(sockets, files: files.count, user: user)
        }
        return UnixPassedFiles(files: files, sockets: sockets, user: user)
    }

    /// unix_notinflight: the files were received (and installed), or destroyed with their queue.
    static func detach(_ passed: UnixPassedFiles) {
        table.withLock { $0.remove(passed.sockets, files: passed.files.count, user: passed.user) }
    }

    /// An AF_UNIX socket was released: collect if anything is in flight. Releases caused by the
    /// collection itself only ask for one more round.
    static func socketReleased() {
        if table.withLock({ $0.isEmpty }) { return }
        if collecting.exchange(true, ordering: .acquiring) { again.store(true, ordering: .relaxed); return }
        repeat {
            again.store(false, ordering: .relaxed)
            let (hitlist, credits) = findGarbage()
            for c in credits { c.sender.socket.creditSent(c.bytes) }
            for p in hitlist { detach(p) }
            // The files drop here, outside every lock: the garbage sockets are released.
        } while again.load(ordering: .relaxed)
        collecting.store(false, ordering: .releasing)
    }

    /// A listener's connections not yet accepted (Linux's scan_children): their queues count as the
    /// listener's. (The backlog itself stays referenced by the listener: no last reference drops here.)
    private static func embryos(of socket: UnixSocket) -> [UnixSocket] {
        var list: [UnixSocket] = []
        _ = socket.state.tryUpdate(reporting: []) { (s: inout UnixState) -> Bool? in   // nil: wakes nobody
            if s.phase == .listening { list = s.backlog }
            return nil
        }
        return list
    }

    /// The in-flight sockets nothing can reach, their receive queues emptied: the files those
    /// queues held (closing them releases the garbage sockets, and what they queued).
    private static func findGarbage() -> (files: [UnixPassedFiles], credits: [(sender: UnixSender, bytes: Int)]) {
        // Taken before the lock, dropped after it: a last reference to a process (or a queued file)
        // must never go inside it, since a socket's release comes back here.
        let processes = Processes.all()
        defer { withExtendedLifetime(processes) {} }
        return table.withLock { (t: inout UnixInflight<UnixSocket>) -> ([UnixPassedFiles], [(sender: UnixSender, bytes: Int)]) in
            let sockets = t.sockets
            func index(_ s: UnixSocket) -> Int? { sockets.firstIndex { $0.socket === s } }
            var candidates = sockets.map { UnixInflight<UnixSocket>.Candidate(inflight: $0.count, held: false, queued: []) }
            // Held by a descriptor of some process (threads sharing a table just look twice).
            for p in processes {
                p.files.withLock { (table: inout FileDescriptorTable<OpenFile>) in
                    for fd in table.descriptors {
                        guard let s = (table.entry(fd)?.file.operations as? SocketFile)?.socket as? UnixSocket,
                              let i = index(s) else { continue }
                        candidates[i].held = true
                    }
                }
            }
            for (i, c) in sockets.enumerated() {
                // Read in place under the socket's lock (no copy of the queue outlives it), waking nobody.
                var queued: [Int] = []
                for socket in [c.socket] + embryos(of: c.socket) {
                    _ = socket.state.tryUpdate(reporting: []) { (s: inout UnixState) -> Bool? in
                        for m in s.queue.messages {
                            for q in m.attachment?.sockets ?? [] { if let j = index(q) { queued.append(j) } }
                        }
                        return nil
                    }
                }
                candidates[i].queued = queued
            }
            var hitlist: [UnixPassedFiles] = [], credits: [(sender: UnixSender, bytes: Int)] = []
            for i in UnixInflight<UnixSocket>.garbage(candidates) {
                for socket in [sockets[i].socket] + embryos(of: sockets[i].socket) {
                    let taken = socket.state.update { $0.queue.removeAll() }
                    hitlist += taken.attachments
                    credits += taken.credits
                }
            }
            return (hitlist, credits)
        }
    }
}
