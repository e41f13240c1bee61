import LichenCore
import _Concurrency

/// A netlink socket's state, under its Event's lock.
struct NetlinkState {
    /// The port id (0 until bound: bind, connect or the first send bind it, as netlink_autobind).
    var port: UInt32 = 0
    /// Multicast groups joined (bind's nl_groups, NETLINK_ADD_MEMBERSHIP): groups 1-32.
    var groups: UInt32 = 0
    /// connect's destination port and group.
    var destinationPort: UInt32 = 0
    var destinationGroup: UInt32 = 0
    /// Datagrams for the reader: bytes and the sender's port (0: the kernel).
    var queue: [(bytes: [UInt8], source: UInt32)] = []
    var queuedBytes = 0
    var receiveBuffer = SocketLimits.defaultBuffer
    var sendBuffer = SocketLimits.defaultBuffer
    var capAck = false
    var extendedAck = false
    var passCredentials = false
    var released = false
}

/// AF_NETLINK, protocol NETLINK_ROUTE (the only one: others are EPROTONOSUPPORT), SOCK_RAW or
/// SOCK_DGRAM. Requests to the kernel are answered by LichenCore's `NetlinkRoute`; user sockets
/// reach each other by port (root only, as rtnetlink lacks NL_CFG_F_NONROOT_SEND); a POSIX message
/// queue sends its SIGEV_THREAD notifications here (glibc's mq_notify helper thread reads them).
final class NetlinkSocket: Socket, @unchecked Sendable {
    let type: Int32
    var family: UInt16 { LinuxNetlink.AF_NETLINK }
    var protocolNumber: Int32 { LinuxNetlink.NETLINK_ROUTE }
    let state = Event(NetlinkState())
    var pollQueue: WaitQueue { state.waitQueue }
    private static let reported = ReportOnce(count: 4)

    init(type: Int32) { self.type = type }

    // MARK: Ports

    /// Bound sockets by port id (netlink's nl_table for NETLINK_ROUTE), sorted for binary search
    /// (not a Dictionary: Swift's hash tables size themselves with floating point).
    private static let ports = SpinLock(NetlinkPorts())
    /// netlink_autobind's rover: ports from -4096 downwards once the tgid is taken.
    private static let rover = SpinLock<UInt32>(UInt32(bitPattern: -4096))

    /// Binds `port`, or picks one (the caller's tgid first) for 0; returns the socket's port.
    /// EADDRINUSE if taken; EINVAL if this socket already has another.
    @discardableResult
    private func bindPort(_ requested: UInt32, pid: Int32) throws(Errno) -> UInt32 {
        let current = state.read { $0.port }
        if current != 0 {
            guard requested == 0 || requested == current else { throw .EINVAL }
            return current
        }
        let chosen = try NetlinkSocket.ports.withLock { (table: inout NetlinkPorts) throws(Errno) -> UInt32 in
            var port = requested
            if port == 0 {
                port = UInt32(bitPattern: pid)
                while table[port] != nil || port == 0 {
                    port = NetlinkSocket.rover.withLock { r in
                        defer { r = r &- 1; if Int32(bitPattern: r) > -4096 { r = UInt32(bitPattern: -4096) } }
                        return r
                    }
                }
            } else if table[port] != nil {
                throw .EADDRINUSE
            }
            table[port] = self
            return port
        }
        // Two threads binding one socket at once: the first port recorded stays, the other goes.
        let bound = state.update { (s: inout NetlinkState) -> UInt32 in
            if s.port == 0 { s.port = chosen }
            return s.port
        }
        if bound != chosen {
            NetlinkSocket.ports.withLock { if $0[chosen] === self { $0[chosen] = nil } }
            guard requested == 0 || requested == bound else { throw .EINVAL }
        }
        return bound
    }

    func bind(_ address: [UInt8], caller: SocketCaller) async throws(Errno) {
        guard let a = LinuxSockaddrNl(address), a.nl_family == LinuxNetlink.AF_NETLINK else { throw .EINVAL }
        try bindPort(a.nl_pid, pid: caller.pid)
        state.update { $0.groups = a.nl_groups }       // NETLINK_ROUTE lets anyone listen (NONROOT_RECV)
    }

    func connect(_ address: [UInt8], nonBlocking: Bool, caller: SocketCaller) async throws(Errno) {
        guard address.count >= 2 else { throw .EINVAL }
        if UInt16(address[0]) | UInt16(address[1]) << 8 == LinuxSocket.AF_UNSPEC {
            state.update { $0.destinationPort = 0; $0.destinationGroup = 0 }
            return
        }
        guard let a = LinuxSockaddrNl(address), a.nl_family == LinuxNetlink.AF_NETLINK else { throw .EINVAL }
        if a.nl_groups != 0 && !caller.credentials.has(.CAP_NET_ADMIN) { throw .EPERM }
        try bindPort(0, pid: caller.pid)
        state.update { $0.destinationPort = a.nl_pid; $0.destinationGroup = a.nl_groups }
    }

    func localAddress() -> [UInt8] {
        state.read { LinuxSockaddrNl(pid: $0.port, groups: $0.groups) }.bytes
    }

    func peerAddress() throws(Errno) -> [UInt8] {
        state.read { LinuxSockaddrNl(pid: $0.destinationPort, groups: $0.destinationGroup) }.bytes
    }

    func listen(backlog: Int32, caller: SocketCaller) throws(Errno) { throw .EOPNOTSUPP }
    func accept(nonBlocking: Bool) async throws(Errno) -> any Socket { throw .EOPNOTSUPP }
    func shutdown(_ how: Int32) throws(Errno) { throw .EOPNOTSUPP }

    // MARK: Data

    /// netlink_sendmsg: to the kernel (port 0) the request is answered at once; to a user port the
    /// datagram is queued there (ECONNREFUSED if nobody has it). Groups: nothing listens to what a
    /// user sends (EPERM without CAP_NET_ADMIN, as NETLINK_ROUTE's NL_CFG_F_NONROOT_SEND is unset).
    func send(_ message: OutgoingMessage, flags: UInt32, nonBlocking: Bool, caller: SocketCaller) async throws(Errno) -> Int {
        if flags & LinuxMsgFlag.MSG_OOB != 0 { throw .EOPNOTSUPP }
        var (port, group) = state.read { ($0.destinationPort, $0.destinationGroup) }
        if let address = message.address {
            guard let a = LinuxSockaddrNl(address), a.nl_family == LinuxNetlink.AF_NETLINK else { throw .EINVAL }
            port = a.nl_pid
            group = a.nl_groups
        }
        if (port != 0 || group != 0) && !caller.credentials.has(.CAP_NET_ADMIN) { throw .EPERM }
        let own = try bindPort(0, pid: caller.pid)
        let (sendBuffer, capAck) = state.read { ($0.sendBuffer, $0.capAck) }
        guard message.bytes.count <= sendBuffer - 32 else { throw .EMSGSIZE }
        if port == 0 {
            guard group == 0 else { return message.bytes.count }   // nobody else is subscribed to a user's multicast
            let outcome = NetlinkRoute.respond(to: message.bytes, port: own, capAck: capAck,
                                                privileged: caller.credentials.has(.CAP_NET_ADMIN))
            for type in outcome.unsupported where NetlinkSocket.reported.first(0) {
                KernelLog.warning("netlink: NETLINK_ROUTE message type " + Format.decimal(UInt64(type)) + " is not implemented: EOPNOTSUPP")
            }
            for reply in outcome.replies { deliver(reply, from: 0) }
            return message.bytes.count
        }
        guard let target = NetlinkSocket.ports.withLock({ $0[port] }) else { throw .ECONNREFUSED }
        guard target.enqueue(message.bytes, from: own) else { throw nonBlocking ? .EAGAIN : .ENOBUFS }
        return message.bytes.count
    }

    /// Queues a datagram from the kernel (replies, message-queue cookies): they are never refused,
    /// as netlink_sendskb.
    func deliver(_ bytes: [UInt8], from source: UInt32) {
        state.update(reporting: .readable) { s in
            guard !s.released else { return }
            s.queue.append((bytes, source))
            s.queuedBytes += bytes.count
        }
    }

    /// A user's datagram: dropped when the receive buffer is full (netlink_unicast's ENOBUFS/EAGAIN).
    private func enqueue(_ bytes: [UInt8], from source: UInt32) -> Bool {
        state.update(reporting: .readable) { s in
            guard !s.released, s.queuedBytes < s.receiveBuffer else { return false }
            s.queue.append((bytes, source))
            s.queuedBytes += bytes.count
            return true
        }
    }

    /// netlink_recvmsg: one datagram (MSG_TRUNC when cut), the sender's sockaddr_nl as the source.
    func receive(limit: Int, flags: UInt32, nonBlocking: Bool) async throws(Errno) -> IncomingMessage {
        let peek = flags & LinuxMsgFlag.MSG_PEEK != 0
        let take: (inout NetlinkState) -> (bytes: [UInt8], source: UInt32)? = { s in
            guard let first = s.queue.first else { return nil }
            if !peek { s.queue.removeFirst(); s.queuedBytes -= first.bytes.count }
            return first
        }
        let datagram: (bytes: [UInt8], source: UInt32)
        if nonBlocking || flags & LinuxMsgFlag.MSG_DONTWAIT != 0 {
            guard let d = state.tryUpdate(reporting: [], take) else { throw .EAGAIN }
            datagram = d
        } else {
            do throws(WaitError) { datagram = try await state.wait(for: take) } catch { throw UnixSocket.failed(error) }
        }
        var m = IncomingMessage()
        m.bytes = datagram.bytes.count <= limit ? datagram.bytes : Array(datagram.bytes[0..<limit])
        m.fullLength = datagram.bytes.count
        if m.fullLength > m.bytes.count { m.flags |= LinuxMsgFlag.MSG_TRUNC }
        m.source = LinuxSockaddrNl(pid: datagram.source, groups: 0).bytes
        return m
    }

    // MARK: Options

    func getOption(level: Int32, name: Int32) throws(Errno) -> [UInt8] {
        typealias O = LinuxSocketOption
        let s = state.value
        if level == LinuxNetlink.SOL_NETLINK {
            switch name {
            case LinuxNetlink.NETLINK_CAP_ACK: return UnixSocket.bytes(s.capAck ? 1 : 0)
            case LinuxNetlink.NETLINK_EXT_ACK: return UnixSocket.bytes(s.extendedAck ? 1 : 0)
            case LinuxNetlink.NETLINK_GET_STRICT_CHK: return UnixSocket.bytes(0)
            case LinuxNetlink.NETLINK_LIST_MEMBERSHIPS: return UnixSocket.bytes(Int32(bitPattern: s.groups))
            default: throw refuse(name, "getsockopt SOL_NETLINK")
            }
        }
        guard level == O.SOL_SOCKET else { throw .EOPNOTSUPP }
        switch name {
        case O.SO_TYPE: return UnixSocket.bytes(type)
        case O.SO_DOMAIN: return UnixSocket.bytes(Int32(LinuxNetlink.AF_NETLINK))
        case O.SO_PROTOCOL: return UnixSocket.bytes(LinuxNetlink.NETLINK_ROUTE)
        case O.SO_ERROR: return UnixSocket.bytes(0)
        case O.SO_SNDBUF: return UnixSocket.bytes(Int32(s.sendBuffer))
        case O.SO_RCVBUF: return UnixSocket.bytes(Int32(s.receiveBuffer))
        case O.SO_PASSCRED: return UnixSocket.bytes(s.passCredentials ? 1 : 0)
        default: throw refuse(name, "getsockopt SOL_SOCKET")
        }
    }

    func setOption(level: Int32, name: Int32, value: [UInt8], caller: SocketCaller) throws(Errno) {
        typealias O = LinuxSocketOption
        let v = try SocketBufferRequest.int32(value)
        if level == LinuxNetlink.SOL_NETLINK {
            switch name {
            case LinuxNetlink.NETLINK_CAP_ACK: state.update { $0.capAck = v != 0 }
            case LinuxNetlink.NETLINK_EXT_ACK: state.update { $0.extendedAck = v != 0 }   // no extended data to add
            case LinuxNetlink.NETLINK_GET_STRICT_CHK where v == 0: break
            case LinuxNetlink.NETLINK_ADD_MEMBERSHIP, LinuxNetlink.NETLINK_DROP_MEMBERSHIP:
                // Groups 1-32 (nl_groups); NETLINK_ROUTE's 33 and above are not kept.
                guard v > 0 && v <= 32 else { throw refuse(name, "setsockopt group above 32") }
                let bit = UInt32(1) << UInt32(v - 1)
                let join = name == LinuxNetlink.NETLINK_ADD_MEMBERSHIP
                state.update { s in if join { s.groups |= bit } else { s.groups &= ~bit } }
            default: throw refuse(name, "setsockopt SOL_NETLINK")
            }
            return
        }
        guard level == O.SOL_SOCKET else { throw .EOPNOTSUPP }
        guard let buffer = try SocketBufferRequest(name: name, value: v, caller: caller) else {
            throw refuse(name, "setsockopt SOL_SOCKET")
        }
        state.update { if buffer.send { $0.sendBuffer = buffer.bytes } else { $0.receiveBuffer = buffer.bytes } }
    }

    private func refuse(_ name: Int32, _ what: StaticString) -> Errno {
        if NetlinkSocket.reported.first(1) {
            KernelLog.warning("netlink " + string(what) + ": option " + Format.decimal(UInt64(max(0, name))) + " is not implemented: ENOPROTOOPT")
        }
        return .ENOPROTOOPT
    }

    func ioctl(_ request: UInt32) throws(Errno) -> Int32? { nil }

    func poll() -> PollEvents {
        state.read { $0.queue.isEmpty } ? .writable : [.readable, .writable]
    }

    func release() {
        let port = state.update { (s: inout NetlinkState) -> UInt32 in
            s.released = true
            s.queue = []
            s.queuedBytes = 0
            return s.port
        }
        if port != 0 { NetlinkSocket.ports.withLock { if $0[port] === self { $0[port] = nil } } }
    }
}

/// Port id -> socket, a sorted array: lookups are a binary search; bound netlink sockets are few.
struct NetlinkPorts {
    private var entries: [(port: UInt32, socket: NetlinkSocket)] = []

    private func position(_ port: UInt32) -> Int {
        var low = 0, high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if entries[mid].port < port { low = mid + 1 } else { high = mid }
        }
        return low
    }

    subscript(port: UInt32) -> NetlinkSocket? {
        get {
            let i = position(port)
            return i < entries.count && entries[i].port == port ? entries[i].socket : nil
        }
        set {
            let i = position(port)
            let present = i < entries.count && entries[i].port == port
            if let newValue {
                if present { entries[i].socket = newValue } else { entries.insert((port, newValue), at: i) }
            } else if present {
                entries.remove(at: i)
            }
        }
    }
}
