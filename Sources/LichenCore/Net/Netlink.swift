// AF_NETLINK's user ABI (linux/netlink.h, linux/rtnetlink.h) and the kernel side of NETLINK_ROUTE,
// sans-IO: request bytes in, reply datagrams out. Lichen has no network interfaces, addresses or
// routes yet, so the dumps of them are empty (true, not a stub: there is nothing to list); every
// other request is answered NLMSG_ERROR/EOPNOTSUPP, as Linux answers a message type it has no
// handler for.

public enum LinuxNetlink {
    public static let AF_NETLINK: UInt16 = 16
    public static let SOL_NETLINK: Int32 = 270
    public static let NETLINK_ROUTE: Int32 = 0
    /// The protocols Linux knows (MAX_LINKS): others are EPROTONOSUPPORT at once.
    public static let MAX_LINKS: Int32 = 32

    public static let NLMSG_NOOP: UInt16 = 1, NLMSG_ERROR: UInt16 = 2, NLMSG_DONE: UInt16 = 3
    public static let NLMSG_MIN_TYPE: UInt16 = 0x10
    public static let NLM_F_REQUEST: UInt16 = 0x1, NLM_F_MULTI: UInt16 = 0x2, NLM_F_ACK: UInt16 = 0x4
    public static let NLM_F_ROOT: UInt16 = 0x100, NLM_F_MATCH: UInt16 = 0x200
    public static let NLM_F_DUMP: UInt16 = 0x300
    /// An acknowledgement without the request's payload (NETLINK_CAP_ACK, or a success).
    public static let NLM_F_CAPPED: UInt16 = 0x100
    public static let headerLength = 16

    /// SOL_NETLINK options.
    public static let NETLINK_ADD_MEMBERSHIP: Int32 = 1, NETLINK_DROP_MEMBERSHIP: Int32 = 2
    public static let NETLINK_PKTINFO: Int32 = 3, NETLINK_BROADCAST_ERROR: Int32 = 4, NETLINK_NO_ENOBUFS: Int32 = 5
    public static let NETLINK_LISTEN_ALL_NSID: Int32 = 8, NETLINK_LIST_MEMBERSHIPS: Int32 = 9
    public static let NETLINK_CAP_ACK: Int32 = 10, NETLINK_EXT_ACK: Int32 = 11, NETLINK_GET_STRICT_CHK: Int32 = 12

    /// rtnetlink message types (RTM_BASE 16; each family: NEW, DEL, GET, SET).
    public static let RTM_GETLINK: UInt16 = 18, RTM_GETADDR: UInt16 = 22, RTM_GETROUTE: UInt16 = 26
    public static let RTM_GETNEIGH: UInt16 = 30, RTM_GETRULE: UInt16 = 34
    public static let RTM_GETNETCONF: UInt16 = 82, RTM_GETNEXTHOP: UInt16 = 106

    /// A message queue's notification cookie (mqueue.h's NOTIFY_COOKIE_LEN) and the values its last
    /// byte takes when the kernel sends it to the registered netlink socket.
    public static let NOTIFY_COOKIE_LEN = 32
    public static let NOTIFY_WOKENUP: UInt8 = 1, NOTIFY_REMOVED: UInt8 = 2
}

/// struct nlmsghdr.
public struct LinuxNlmsghdr: Equatable, Sendable {
    public var nlmsg_len: UInt32
    public var nlmsg_type: UInt16
    public var nlmsg_flags: UInt16
    public var nlmsg_seq: UInt32
    public var nlmsg_pid: UInt32
    public init(nlmsg_len: UInt32, nlmsg_type: UInt16, nlmsg_flags: UInt16, nlmsg_seq: UInt32, nlmsg_pid: UInt32) {
        self.nlmsg_len = nlmsg_len; self.nlmsg_type = nlmsg_type; self.nlmsg_flags = nlmsg_flags
        self.nlmsg_seq = nlmsg_seq; self.nlmsg_pid = nlmsg_pid
    }
}

/// struct sockaddr_nl: family, padding, the port id, the multicast group mask.
public struct LinuxSockaddrNl: Equatable, Sendable {
    public var nl_family: UInt16 = LinuxNetlink.AF_NETLINK
    public var nl_pad: UInt16 = 0
    public var nl_pid: UInt32
    public var nl_groups: UInt32
    public init(pid: UInt32, groups: UInt32) { nl_pid = pid; nl_groups = groups }
    public static let size = 12

    /// The first `size` bytes a caller gave, or nil if shorter (Linux: EINVAL).
    public init?(_ bytes: [UInt8]) {
        guard bytes.count >= Self.size else { return nil }
        nl_family = bytes.get16(0)
        nl_pad = bytes.get16(2)
        nl_pid = bytes.get32(4)
        nl_groups = bytes.get32(8)
    }

    public var bytes: [UInt8] {
        var a = self
        return withUnsafeBytes(of: &a) { Array($0) }
    }
}

/// The kernel end of NETLINK_ROUTE for one request datagram (Linux's netlink_rcv_skb with
/// rtnetlink_rcv_msg): each message in turn; the replies go to the sender's port.
public enum NetlinkRoute {
    public struct Outcome: Equatable {
        /// Reply datagrams, in order.
        public var replies: [[UInt8]] = []
        /// Message types answered EOPNOTSUPP (for the caller's log).
        public var unsupported: [UInt16] = []
    }

    /// The dumps of things Lichen has none of: an empty answer (NLMSG_DONE alone) is the truth.
    static func isEmptyDump(_ type: UInt16) -> Bool {
        type == LinuxNetlink.RTM_GETLINK || type == LinuxNetlink.RTM_GETADDR || type == LinuxNetlink.RTM_GETROUTE
            || type == LinuxNetlink.RTM_GETNEIGH || type == LinuxNetlink.RTM_GETRULE
            || type == LinuxNetlink.RTM_GETNETCONF || type == LinuxNetlink.RTM_GETNEXTHOP
    }

    /// `capAck`: NETLINK_CAP_ACK (an error reply carries only the request's header). `privileged`:
    /// the sender has CAP_NET_ADMIN (needed for anything but GET requests).
    public static func respond(to request: [UInt8], port: UInt32, capAck: Bool, privileged: Bool) -> Outcome {
        var outcome = Outcome()
        var at = 0
        while request.count - at >= LinuxNetlink.headerLength {
            let length = Int(request.get32(at))
            // A header that lies about its length ends the datagram silently, as netlink_rcv_skb.
            guard length >= LinuxNetlink.headerLength, length <= request.count - at else { break }
            let type = request.get16(at + 4), flags = request.get16(at + 6)
            let seq = request.get32(at + 8)
            let message = Array(request[at..<(at + length)])
            var error: Int32 = 0
            var answered = false
            // Control messages and non-requests are only acknowledged (netlink_rcv_skb).
            if flags & LinuxNetlink.NLM_F_REQUEST != 0 && type >= LinuxNetlink.NLMSG_MIN_TYPE {
                error = route(type: type, flags: flags, payload: length - LinuxNetlink.headerLength, privileged: privileged)
                if error == 0 && isEmptyDump(type) && flags & LinuxNetlink.NLM_F_DUMP != 0
                    && length > LinuxNetlink.headerLength {
                    outcome.replies.append(done(seq: seq, port: port))
                    answered = true                       // a dump is not acknowledged
                } else if error == -Int32(Errno.EOPNOTSUPP.rawValue) && type <= RTM_MAX {
                    outcome.unsupported.append(type)
                }
            }
            if !answered && (error != 0 || flags & LinuxNetlink.NLM_F_ACK != 0) {
                outcome.replies.append(acknowledgement(of: message, error: error, seq: seq, port: port, capAck: capAck))
            }
            at += min((length + 3) & ~3, request.count - at)
        }
        return outcome
    }

    /// The highest rtnetlink type (RTM_MAX in linux/rtnetlink.h).
    public static let RTM_MAX: UInt16 = 127

    /// rtnetlink_rcv_msg's checks, in its order: the type's range, a payload of at least one byte
    /// (else nothing is done, successfully), CAP_NET_ADMIN for all but GET, then the handler: a
    /// dump of the empty tables, or EOPNOTSUPP. Returns 0 or a negative errno.
    static func route(type: UInt16, flags: UInt16, payload: Int, privileged: Bool) -> Int32 {
        guard type <= RTM_MAX else { return -Int32(Errno.EOPNOTSUPP.rawValue) }
        guard payload >= 1 else { return 0 }
        let isGet = (type - 16) & 3 == 2
        guard isGet || privileged else { return -Int32(Errno.EPERM.rawValue) }
        if isGet && flags & LinuxNetlink.NLM_F_DUMP != 0 && isEmptyDump(type) { return 0 }
        return -Int32(Errno.EOPNOTSUPP.rawValue)
    }

    /// NLMSG_DONE closing a dump: an int, the dump's status (0).
    static func done(seq: UInt32, port: UInt32) -> [UInt8] {
        header(length: 20, type: LinuxNetlink.NLMSG_DONE, flags: LinuxNetlink.NLM_F_MULTI, seq: seq, port: port) + [0, 0, 0, 0]
    }

    /// NLMSG_ERROR (netlink_ack): the error (0: an acknowledgement) and the request, whole for an
    /// error unless capped, else its header alone with NLM_F_CAPPED.
    static func acknowledgement(of message: [UInt8], error: Int32, seq: UInt32, port: UInt32, capAck: Bool) -> [UInt8] {
        let whole = error != 0 && !capAck
        let echoed = whole ? message : Array(message[0..<LinuxNetlink.headerLength])
        let flags: UInt16 = whole ? 0 : LinuxNetlink.NLM_F_CAPPED
        // The echo is appended padded to 4 bytes, and nlmsg_len counts the padding (Linux 6.1's
        // nlmsg_append then nlmsg_end).
        let padded = (echoed.count + 3) & ~3
        var b = header(length: UInt32(LinuxNetlink.headerLength + 4 + padded), type: LinuxNetlink.NLMSG_ERROR,
                       flags: flags, seq: seq, port: port)
        b += [0, 0, 0, 0]
        b.put32(LinuxNetlink.headerLength, UInt32(bitPattern: error))
        b += echoed
        b += [UInt8](repeating: 0, count: padded - echoed.count)
        return b
    }

    static func header(length: UInt32, type: UInt16, flags: UInt16, seq: UInt32, port: UInt32) -> [UInt8] {
        var h = LinuxNlmsghdr(nlmsg_len: length, nlmsg_type: type, nlmsg_flags: flags, nlmsg_seq: seq, nlmsg_pid: port)
        var b = withUnsafeBytes(of: &h) { Array($0) }
        b.reserveCapacity(Int(length))
        return b
    }

    /// The datagram a message queue sends a SIGEV_THREAD registration (mqueue's set_cookie): the
    /// caller's 32-byte cookie with its last byte saying why.
    public static func notificationCookie(_ cookie: [UInt8], reason: UInt8) -> [UInt8] {
        var c = cookie
        if c.count < LinuxNetlink.NOTIFY_COOKIE_LEN { c += [UInt8](repeating: 0, count: LinuxNetlink.NOTIFY_COOKIE_LEN - c.count) }
        c[LinuxNetlink.NOTIFY_COOKIE_LEN - 1] = reason
        return Array(c[0..<LinuxNetlink.NOTIFY_COOKIE_LEN])
    }
}
