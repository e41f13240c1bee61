import LichenCore
import Synchronization
import _Concurrency

/// Who sent a queued message: the socket whose send buffer it is charged to (credited back when it
/// is read) and the credentials it carries (SCM_CREDENTIALS, compared under SO_PASSCRED).
struct UnixSender {
    let socket: UnixSocket
    let credentials: LinuxUcred
}

/// A receive queue: each message's files travel with their in-flight accounting.
typealias UnixQueue = SocketMessageQueue<UnixPassedFiles, UnixSender>

/// An AF_UNIX socket's state, under its Event's lock. Senders append to the receiver's queue
/// and charge their own `unreadSent` (Linux's sk_wmem_alloc); the reader credits it back.
struct UnixState {
    enum Phase { case unconnected, listening, connected }
    var phase = Phase.unconnected
    var address = UnixAddress.unnamed
    /// The other end (stream, seqpacket), or a datagram socket's default destination.
    var peer: UnixSocket? = nil
    var queue = UnixQueue()
    /// A listener's connections not yet accepted (each the server end, already connected).
    var backlog: [UnixSocket] = []
    var backlogLimit = 0
    /// sk_shutdown: RCV_SHUTDOWN and SEND_SHUTDOWN.
    var receiveShutdown = false
    var sendShutdown = false
    /// SO_ERROR: reported once.
    var error: Errno? = nil
    var sendBuffer = SocketLimits.defaultBuffer
    var receiveBuffer = SocketLimits.defaultBuffer
    /// SO_RCVTIMEO/SO_SNDTIMEO in nanoseconds; 0: wait without limit.
    var receiveTimeout: UInt64 = 0
    var sendTimeout: UInt64 = 0
    var passCredentials = false
    var peerCredentials: LinuxUcred? = nil
    var released = false
    /// Socket options stored and reported back but with no effect on AF_UNIX (SO_REUSEADDR...).
    var plainOptions: [(name: Int32, value: Int32)] = []
    /// The out-of-band byte not yet taken by MSG_OOB (Linux's oob_skb: it stays even once a read
    /// skipped it in the stream), and SO_OOBINLINE.
    var urgent: UInt8? = nil
    var urgentInline = false
    /// SO_PEEK_OFF: -1 off, else where the next MSG_PEEK starts (streams and records).
    var peekOffset = -1
    /// SO_LINGER, stored only (AF_UNIX's close never lingers, as on Linux): l_onoff and seconds.
    var linger = false
    var lingerSeconds: Int32 = 0
    /// The credentials at listen() (Linux's init_peercred in unix_listen): a connector's SO_PEERCRED.
    var listenCredentials: LinuxUcred? = nil
    /// The sockfs inode of the socket's file (/proc/net/unix, socket:[N]); 0 before it has one.
    var inode: UInt64 = 0
    /// F_SETOWN of the socket's file: SIGURG goes there when out-of-band data arrives.
    var fileOwner: SpinLock<FileSignalOwner>? = nil
}

/// AF_UNIX: SOCK_STREAM, SOCK_DGRAM and SOCK_SEQPACKET, with Linux's af_unix.c semantics.
/// Data moves through `SocketMessageQueue` (LichenCore); each socket sleeps on its own Event.
final class UnixSocket: Socket, @unchecked Sendable {
    let type: Int32
    var family: UInt16 { LinuxSocket.AF_UNIX }
    var protocolNumber: Int32 { 0 }
    let state = Event(UnixState())
    /// Bytes sent and not yet read (Linux's sk_wmem_alloc), limited by SO_SNDBUF. An atomic beside the
    /// Event, so that a reader's credit wakes this socket's sleepers only when a blocked writer or a
    /// poller could proceed, not its own reader (as Linux's poll keys), which ping-pong would pay for.
    let unreadSent = Atomic<Int>(0)
    /// The creator's credentials: SO_PEERCRED of the peers it meets.
    let owner: LinuxUcred
    var pollQueue: WaitQueue { state.waitQueue }

    var isDatagram: Bool { type == LinuxSocket.SOCK_DGRAM }
    var isStream: Bool { type == LinuxSocket.SOCK_STREAM }

    init(type: Int32, owner: LinuxUcred) {
        self.type = type
        self.owner = owner
        _ = UnixSocket.alive.wrappingAdd(1, ordering: .relaxed)
    }

    deinit { _ = UnixSocket.alive.wrappingSubtract(1, ordering: .relaxed) }

    /// AF_UNIX sockets alive (/proc/net/sockstat's "sockets: used", which counts Linux's struct sock).
    static let alive = Atomic<Int>(0)

    /// socketpair: two connected sockets.
    static func pair(type: Int32, owner: LinuxUcred) -> (UnixSocket, UnixSocket) {
        let a = UnixSocket(type: type, owner: owner), b = UnixSocket(type: type, owner: owner)
        a.state.update { $0.phase = .connected; $0.peer = b; $0.peerCredentials = owner }
        b.state.update { $0.phase = .connected; $0.peer = a; $0.peerCredentials = owner }
        return (a, b)
    }

    // MARK: Names

    func bind(_ address: [UInt8], caller: SocketCaller) async throws(Errno) {
        let request = try UnixAddress.parse(address)
        // A path's node comes first (EADDRINUSE if it exists), then the already-bound check, as Linux.
        if case .name(.path(let path)) = request {
            let vfs = try FileSyscalls.vfs()
            let location: Location
            do throws(Errno) {
                location = try await vfs.mknod(path, mode: FileMode.S_IFSOCK | 0o777, context: caller.fs)
            } catch {
                throw error == .EEXIST ? .EADDRINUSE : error
            }
            guard claim(.path(path)) else {
                try? await vfs.unlink(path, context: caller.fs)
                throw .EINVAL
            }
            UnixNames.bind(inode: location.inode, self)
            return
        }
        guard !state.value.address.isNamed else { throw .EINVAL }
        let name: UnixAddress
        switch request {
        case .autobind:
            name = try UnixNames.autobind(self)
        case .name(.abstract(let bytes)):
            try UnixNames.bind(abstract: bytes, self)
            name = .abstract(bytes)
        default:
            throw .EINVAL
        }
        _ = claim(name)
    }

    /// Sets the socket's name unless it has one.
    private func claim(_ name: UnixAddress) -> Bool {
        state.update { s in
            if s.address.isNamed { return false }
            s.address = name
            return true
        }
    }

    func localAddress() -> [UInt8] { state.value.address.encoded }

    func peerAddress() throws(Errno) -> [UInt8] {
        guard let peer = state.value.peer else { throw .ENOTCONN }
        return peer.state.value.address.encoded
    }

    /// The socket a name leads to: ENOENT/EACCES from the path walk (write permission on the
    /// socket inode), ECONNREFUSED if nobody is bound there or it is not a socket.
    static func lookup(_ address: [UInt8], type: Int32, caller: SocketCaller) async throws(Errno) -> UnixSocket {
        guard case .name(let name) = try UnixAddress.parse(address) else { throw .EINVAL }
        switch name {
        case .abstract(let bytes):
            guard let socket = UnixNames.find(abstract: bytes, type: type) else { throw .ECONNREFUSED }
            return socket
        case .path(let path):
            let location = try await FileSyscalls.vfs().resolve(path, context: caller.fs)
            try caller.credentials.check(.write, location.metadata)
            guard location.metadata.type == .socket, let socket = UnixNames.find(inode: location.inode) else {
                throw .ECONNREFUSED
            }
            guard socket.type == type else { throw .EPROTOTYPE }
            return socket
        case .unnamed:
            throw .EINVAL
        }
    }

    // MARK: Connections

    func listen(backlog: Int32, caller: SocketCaller) throws(Errno) {
        guard !isDatagram else { throw .EOPNOTSUPP }
        let listening = state.update { (s: inout UnixState) -> Bool in
            guard s.address.isNamed, s.phase != .connected else { return false }
            s.phase = .listening
            s.listenCredentials = caller.ucred
            s.backlogLimit = SocketLimits.backlog(backlog)
            return true
        }
        guard listening else { throw .EINVAL }
    }

    func accept(nonBlocking: Bool) async throws(Errno) -> any Socket {
        guard !isDatagram else { throw .EOPNOTSUPP }
        enum Outcome { case socket(UnixSocket), notListening }
        let take: (inout UnixState) -> Outcome? = { s in
            if s.phase != .listening { return .notListening }
            return s.backlog.isEmpty ? nil : .socket(s.backlog.removeFirst())
        }
        let outcome: Outcome
        if nonBlocking {
            guard let o = state.update(take) else { throw .EAGAIN }
            outcome = o
        } else {
            do { outcome = try await state.wait(for: take, timeout: timeout(send: false)) } catch { throw UnixSocket.failed(error) }
            state.waitQueue.wakeAll()                     // room in the backlog for blocked connectors
        }
        guard case .socket(let server) = outcome else { throw .EINVAL }
        return server
    }

    func connect(_ address: [UInt8], nonBlocking: Bool, caller: SocketCaller) async throws(Errno) {
        if isDatagram { return try await connectDatagram(address, caller: caller) }
        guard address.count > LinuxSockaddrUn.pathOffset else { throw .EINVAL }
        let phase = state.value.phase
        if phase == .connected { throw .EISCONN }
        if phase == .listening { throw .EINVAL }
        let target = try await UnixSocket.lookup(address, type: type, caller: caller)
        guard target.type == type else { throw .EPROTOTYPE }
        // The server end exists at once (as Linux's unix_stream_connect): data sent before accept waits in it.
        let server = UnixSocket(type: type, owner: target.owner)
        let targetState = target.state.value
        let listenerCredentials = targetState.listenCredentials ?? target.owner
        server.state.update {
            $0.phase = .connected; $0.peer = self; $0.peerCredentials = caller.ucred
            $0.address = targetState.address; $0.passCredentials = targetState.passCredentials
        }
        enum Queued { case queued, full, refused }
        while true {
            let outcome = target.state.update { (t: inout UnixState) -> Queued in
                guard t.phase == .listening, !t.released else { return .refused }
                if SocketLimits.backlogIsFull(pending: t.backlog.count, backlog: t.backlogLimit) { return .full }
                t.backlog.append(server)
                return .queued
            }
            switch outcome {
            case .queued:
                state.update { $0.phase = .connected; $0.peer = server; $0.peerCredentials = listenerCredentials }
                return
            case .refused:
                throw .ECONNREFUSED
            case .full:
                if nonBlocking { throw .EAGAIN }
                do {
                    try await target.state.wait(until: { t in
                        t.phase != .listening || t.released
                            || !SocketLimits.backlogIsFull(pending: t.backlog.count, backlog: t.backlogLimit)
                    }, timeout: timeout(send: true))
                } catch { throw UnixSocket.failed(error) }
            }
        }
    }

    /// A datagram socket's connect sets (AF_UNSPEC: clears) its default destination.
    private func connectDatagram(_ address: [UInt8], caller: SocketCaller) async throws(Errno) {
        guard address.count >= 2 else { throw .EINVAL }
        if UInt16(address[0]) | UInt16(address[1]) << 8 == LinuxSocket.AF_UNSPEC {
            state.update { $0.peer = nil; $0.phase = .unconnected }
            return
        }
        let target = try await UnixSocket.lookup(address, type: type, caller: caller)
        guard target.type == type else { throw .EPROTOTYPE }
        let targetPeer = target.state.value.peer
        guard targetPeer == nil || targetPeer === self else { throw .EPERM }
        state.update { $0.peer = target; $0.phase = .connected; $0.peerCredentials = target.owner }
    }

    func shutdown(_ how: Int32) throws(Errno) {
        guard how >= LinuxSocket.SHUT_RD && how <= LinuxSocket.SHUT_RDWR else { throw .EINVAL }
        let read = how != LinuxSocket.SHUT_WR, write = how != LinuxSocket.SHUT_RD
        let peer = state.update { (s: inout UnixState) -> UnixSocket? in
            if read { s.receiveShutdown = true }
            if write { s.sendShutdown = true }
            return s.peer
        }
        // Stream and seqpacket: the peer sees the other direction closed.
        if !isDatagram, let peer {
            peer.state.update { p in
                if read { p.sendShutdown = true }
                if write { p.receiveShutdown = true }
            }
        }
    }

    /// The last descriptor closed: the peer sees both directions shut (ECONNRESET if data was left
    /// unread), queued connections and unread messages go, in-flight files with them (closing
    /// them may release further sockets: done outside every lock).
    func release() {
        let (peer, unread, pending) = state.update { (s: inout UnixState) -> (UnixSocket?, UnixQueue.Taken, [UnixSocket]) in
            s.released = true
            s.receiveShutdown = true
            s.sendShutdown = true
            let p = s.peer, b = s.backlog
            s.peer = nil
            s.backlog = []
            if s.phase == .listening { s.phase = .unconnected }
            return (p, s.queue.removeAll(), b)
        }
        UnixNames.remove(self)
        if let peer {
            let hadUnread = !unread.credits.isEmpty
            peer.state.update { p in
                // A datagram peer notices nothing until it sends (ECONNREFUSED), as on Linux.
                if !isDatagram {
                    p.receiveShutdown = true
                    p.sendShutdown = true
                    if hadUnread { p.error = .ECONNRESET }
                }
            }
        }
        credit(unread.credits)
        for passed in unread.attachments { UnixGarbageCollector.detach(passed) }
        for connection in pending { connection.release() }
        UnixGarbageCollector.socketReleased()
    }

    /// Gives the bytes a reader took back to their senders' buffers (waking their writers).
    func credit(_ credits: [(sender: UnixSender, bytes: Int)]) {
        for c in credits {
            c.sender.socket.creditSent(c.bytes)
        }
    }

    // MARK: Waiting

    /// The wait limit SO_RCVTIMEO (receive, accept) or SO_SNDTIMEO (send, connect) sets.
    func timeout(send: Bool) -> WaitTimeout? {
        let ns = state.read { send ? $0.sendTimeout : $0.receiveTimeout }
        return ns == 0 ? nil : .after(nanoseconds: ns)
    }

    /// A wait that ended early: EAGAIN when its timeout expired, else EINTR (a signal).
    static func failed(_ error: WaitError) -> Errno { error == .timedOut ? .EAGAIN : .EINTR }

    /// `n` sent bytes were read (or dropped): wakes writers and pollers if the socket was not writable.
    func creditSent(_ n: Int) {
        let old = unreadSent.wrappingSubtract(n, ordering: .sequentiallyConsistent).oldValue
        if old << 2 > state.read({ $0.sendBuffer }) { state.waitQueue.wakeAll() }
    }

    // MARK: Readiness

    func poll() -> PollEvents {
        let s = state.value
        var events: PollEvents = []
        if s.phase == .listening {
            if !s.backlog.isEmpty { events.insert(.readable) }
            return events
        }
        if s.error != nil { events.insert(.error) }
        if s.receiveShutdown && s.sendShutdown { events.insert(.hangUp) }
        if s.receiveShutdown { events.insert(.readable); events.insert(UnixSocket.readHangUp) }
        if !s.queue.isEmpty { events.insert(.readable) }
        if s.urgent != nil { events.insert(.priority) }
        if !isDatagram && s.phase == .unconnected { events.insert(.hangUp) }
        var writable = unreadSent.load(ordering: .sequentiallyConsistent) << 2 <= s.sendBuffer   // unix_writable
        if isDatagram, writable, let peer = s.peer, peer !== self {
            let p = peer.state.value
            if p.peer !== self && p.queue.count > SocketLimits.maximumDatagramQueue { writable = false }
        }
        if writable { events.insert(.writable) }
        return events
    }

    /// Files queued in passed SCM_RIGHTS messages not yet received (fdinfo's scm_fds).
    var queuedFileCount: Int {
        state.value.queue.messages.reduce(0) { $0 + ($1.attachment?.files.count ?? 0) }
    }

    /// POLLRDHUP.
    static let readHangUp = PollEvents(rawValue: 0x2000)
}
