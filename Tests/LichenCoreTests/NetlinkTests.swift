import Testing
@testable import LichenCore

/// NETLINK_ROUTE's answers (rtnetlink_rcv_msg and netlink_ack as Linux 6.1 has them) and the
/// netlink structures' layout.
@Suite struct NetlinkTests {
    /// A request: header, then `payload`.
    func message(type: UInt16, flags: UInt16, seq: UInt32, payload: [UInt8] = [0, 0, 0, 0]) -> [UInt8] {
        NetlinkRoute.header(length: UInt32(16 + payload.count), type: type, flags: flags, seq: seq, port: 0) + payload
    }
    func fields(_ b: [UInt8]) -> (length: UInt32, type: UInt16, flags: UInt16, seq: UInt32, port: UInt32) {
        (b.get32(0), b.get16(4), b.get16(6), b.get32(8), b.get32(12))
    }
    func error(_ b: [UInt8]) -> Int32 { Int32(bitPattern: b.get32(16)) }
    let request = LinuxNetlink.NLM_F_REQUEST, dump = LinuxNetlink.NLM_F_DUMP, ack = LinuxNetlink.NLM_F_ACK

    @Test func linkAndAddressDumpsAreEmpty() {
        for type in [LinuxNetlink.RTM_GETLINK, LinuxNetlink.RTM_GETADDR, LinuxNetlink.RTM_GETROUTE] {
            let o = NetlinkRoute.respond(to: message(type: type, flags: request | dump | ack, seq: 7), port: 99,
                                         capAck: false, privileged: false)
            #expect(o.replies.count == 1 && o.unsupported.isEmpty)   // NLMSG_DONE, no acknowledgement
            let f = fields(o.replies[0])
            #expect(f.length == 20 && f.type == LinuxNetlink.NLMSG_DONE && f.flags == LinuxNetlink.NLM_F_MULTI)
            #expect(f.seq == 7 && f.port == 99 && error(o.replies[0]) == 0)
        }
    }
    @Test func unknownRequestsGetEOPNOTSUPPWithTheRequestEchoed() {
        let m = message(type: LinuxNetlink.RTM_GETLINK, flags: request, seq: 3)   // not a dump
        let o = NetlinkRoute.respond(to: m, port: 5, capAck: false, privileged: false)
        #expect(o.unsupported == [LinuxNetlink.RTM_GETLINK])
        let f = fields(o.replies[0])
        #expect(f.type == LinuxNetlink.NLMSG_ERROR && f.flags == 0 && f.length == UInt32(20 + m.count))
        #expect(error(o.replies[0]) == -95 && Array(o.replies[0][20..<(20 + m.count)]) == m)
        let odd = message(type: LinuxNetlink.RTM_GETLINK, flags: request, seq: 3, payload: [0])   // 17 bytes
        let padded = NetlinkRoute.respond(to: odd, port: 5, capAck: false, privileged: false).replies[0]
        #expect(padded.count == 40 && fields(padded).length == 40)     // the echo padded, and counted
        let capped = NetlinkRoute.respond(to: m, port: 5, capAck: true, privileged: false).replies[0]
        #expect(fields(capped).flags == LinuxNetlink.NLM_F_CAPPED && capped.count == 36)
        // Past RTM_MAX: EOPNOTSUPP as Linux, not logged as something Lichen lacks.
        let past = NetlinkRoute.respond(to: message(type: 200, flags: request, seq: 1), port: 5, capAck: false, privileged: false)
        #expect(error(past.replies[0]) == -95 && past.unsupported.isEmpty)
    }
    @Test func changesNeedCapNetAdmin() {
        let newLink = message(type: 16, flags: request | ack, seq: 1)
        #expect(error(NetlinkRoute.respond(to: newLink, port: 1, capAck: false, privileged: false).replies[0]) == -1)
        #expect(error(NetlinkRoute.respond(to: newLink, port: 1, capAck: false, privileged: true).replies[0]) == -95)
    }
    @Test func acknowledgementsAndSilence() {
        // A header-only request does nothing, successfully: acknowledged only with NLM_F_ACK.
        let bare = NetlinkRoute.header(length: 16, type: LinuxNetlink.RTM_GETLINK, flags: request | dump | ack, seq: 4, port: 0)
        let o = NetlinkRoute.respond(to: bare, port: 2, capAck: false, privileged: false)
        #expect(o.replies.count == 1 && error(o.replies[0]) == 0 && fields(o.replies[0]).flags == LinuxNetlink.NLM_F_CAPPED)
        let quiet = NetlinkRoute.header(length: 16, type: LinuxNetlink.RTM_GETLINK, flags: request | dump, seq: 4, port: 0)
        #expect(NetlinkRoute.respond(to: quiet, port: 2, capAck: false, privileged: false).replies.isEmpty)
        let noop = NetlinkRoute.header(length: 16, type: LinuxNetlink.NLMSG_NOOP, flags: request | ack, seq: 9, port: 0)
        #expect(error(NetlinkRoute.respond(to: noop, port: 2, capAck: false, privileged: false).replies[0]) == 0)
        // A length past the datagram, or below a header, ends it with no answer.
        var lying = message(type: LinuxNetlink.RTM_GETLINK, flags: request | dump, seq: 1)
        lying[0] = 200
        #expect(NetlinkRoute.respond(to: lying, port: 2, capAck: false, privileged: false).replies.isEmpty)
        lying[0] = 8
        #expect(NetlinkRoute.respond(to: lying, port: 2, capAck: false, privileged: false).replies.isEmpty)
    }
    @Test func severalMessagesInOneDatagramAreAnsweredInOrder() {
        let two = message(type: LinuxNetlink.RTM_GETLINK, flags: request | dump, seq: 1, payload: [0])
            + [0, 0, 0] + message(type: LinuxNetlink.RTM_GETADDR, flags: request | dump, seq: 2)
        let o = NetlinkRoute.respond(to: two, port: 8, capAck: false, privileged: false)
        #expect(o.replies.map { fields($0).seq } == [1, 2])
    }
    @Test func cookies() {
        let cookie = [UInt8](1...32)
        let woken = NetlinkRoute.notificationCookie(cookie, reason: LinuxNetlink.NOTIFY_WOKENUP)
        #expect(woken.count == 32 && woken[31] == 1 && Array(woken[0..<31]) == Array(cookie[0..<31]))
        #expect(NetlinkRoute.notificationCookie([], reason: LinuxNetlink.NOTIFY_REMOVED) == [UInt8](repeating: 0, count: 31) + [2])
    }
    @Test("struct sockaddr_nl and struct nlmsghdr") func layouts() {
        let a = LinuxSockaddrNl(pid: 0x01020304, groups: 0x0a0b0c0d)
        #expect(a.bytes == [16, 0, 0, 0, 4, 3, 2, 1, 0x0d, 0x0c, 0x0b, 0x0a])
        #expect(LinuxSockaddrNl(a.bytes) == a && LinuxSockaddrNl([16, 0]) == nil)
        #expect(MemoryLayout<LinuxSockaddrNl>.size == LinuxSockaddrNl.size)
        #expect(MemoryLayout<LinuxNlmsghdr>.size == 16 && MemoryLayout<LinuxNlmsghdr>.offset(of: \.nlmsg_seq) == 8)
        #expect(NetlinkRoute.header(length: 16, type: 2, flags: 3, seq: 4, port: 5)
                == [16, 0, 0, 0, 2, 0, 3, 0, 4, 0, 0, 0, 5, 0, 0, 0])
    }
}
