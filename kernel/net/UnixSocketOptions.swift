import LichenCore

/// SOL_SOCKET options of an AF_UNIX socket (Linux's sock_getsockopt/sock_setsockopt for the ones
/// that apply). Other levels: EOPNOTSUPP, as AF_UNIX has no options of its own.
extension UnixSocket {
    private static let refused = ReportOnce(count: 70)

    /// Options Linux stores for any socket that change nothing for AF_UNIX: kept and reported back.
    private static func isPlain(_ name: Int32) -> Bool {
        typealias O = LinuxSocketOption
        return name == O.SO_REUSEADDR || name == O.SO_KEEPALIVE || name == O.SO_BROADCAST || name == O.SO_DONTROUTE
            || name == O.SO_REUSEPORT || name == O.SO_PRIORITY || name == O.SO_DEBUG
    }

    func getOption(level: Int32, name: Int32) throws(Errno) -> [UInt8] {
        typealias O = LinuxSocketOption
        guard level == O.SOL_SOCKET else { throw .EOPNOTSUPP }
        let s = state.value
        switch name {
        case O.SO_TYPE: return UnixSocket.bytes(type)
        case O.SO_DOMAIN: return UnixSocket.bytes(Int32(LinuxSocket.AF_UNIX))
        case O.SO_PROTOCOL: return UnixSocket.bytes(0)
        case O.SO_ERROR:
            let e = state.update { (s: inout UnixState) -> Errno? in defer { s.error = nil }; return s.error }
            return UnixSocket.bytes(e.map { Int32($0.rawValue) } ?? 0)
        case O.SO_ACCEPTCONN: return UnixSocket.bytes(s.phase == .listening ? 1 : 0)
        case O.SO_PASSCRED: return UnixSocket.bytes(s.passCredentials ? 1 : 0)
        case O.SO_SNDBUF: return UnixSocket.bytes(Int32(s.sendBuffer))
        case O.SO_RCVBUF: return UnixSocket.bytes(Int32(s.receiveBuffer))
        case O.SO_RCVLOWAT, O.SO_SNDLOWAT: return UnixSocket.bytes(1)
        case O.SO_OOBINLINE: return UnixSocket.bytes(s.urgentInline ? 1 : 0)
        case O.SO_LINGER: return UnixSocket.bytes(s.linger ? 1 : 0) + UnixSocket.bytes(s.lingerSeconds)
        case O.SO_PEEK_OFF: return UnixSocket.bytes(Int32(truncatingIfNeeded: s.peekOffset))
        case O.SO_PEERCRED:
            var c = s.peerCredentials ?? .nobody
            return withUnsafeBytes(of: &c) { Array($0) }
        case O.SO_RCVTIMEO_OLD, O.SO_SNDTIMEO_OLD, O.SO_RCVTIMEO_NEW, O.SO_SNDTIMEO_NEW:
            let ns = name == O.SO_RCVTIMEO_OLD || name == O.SO_RCVTIMEO_NEW ? s.receiveTimeout : s.sendTimeout
            var tv = LinuxTimeval(tv_sec: Int64(ns / 1_000_000_000), tv_usec: Int64(ns % 1_000_000_000 / 1000))
            return withUnsafeBytes(of: &tv) { Array($0) }
        default:
            if UnixSocket.isPlain(name) { return UnixSocket.bytes(s.plainOptions.last(where: { $0.name == name })?.value ?? 0) }
            report(name, "getsockopt")
            throw .ENOPROTOOPT
        }
    }

    func setOption(level: Int32, name: Int32, value: [UInt8], caller: SocketCaller) throws(Errno) {
        typealias O = LinuxSocketOption
        guard level == O.SOL_SOCKET else { throw .EOPNOTSUPP }
        let v = try SocketBufferRequest.int32(value)
        if let buffer = try SocketBufferRequest(name: name, value: v, caller: caller) {
            state.update { if buffer.send { $0.sendBuffer = buffer.bytes } else { $0.receiveBuffer = buffer.bytes } }
            return
        }
        switch name {
        case O.SO_PASSCRED:
            state.update { $0.passCredentials = v != 0 }
        case O.SO_OOBINLINE:
            state.update { $0.urgentInline = v != 0 }
        case O.SO_LINGER:
            // struct linger; the time changes only when l_onoff is set (sock_setsockopt). Stored only:
            // AF_UNIX's close never waits, as on Linux.
            guard value.count >= 8 else { throw .EINVAL }
            let seconds = Int32(truncatingIfNeeded: UnixSocket.int64(value + [0, 0, 0, 0], 4))
            state.update { s in
                s.linger = v != 0
                if v != 0 { s.lingerSeconds = seconds }
            }
        case O.SO_PEEK_OFF:
            state.update { $0.peekOffset = Int(v) }
        case O.SO_RCVTIMEO_OLD, O.SO_SNDTIMEO_OLD, O.SO_RCVTIMEO_NEW, O.SO_SNDTIMEO_NEW:
            // A struct timeval (the same for _OLD and _NEW on arm64); {0, 0} waits without limit.
            // Linux keeps it in jiffies (rounded up to its tick); Lichen keeps it to the microsecond.
            guard value.count >= 16 else { throw .EINVAL }
            let sec = UnixSocket.int64(value, 0), usec = UnixSocket.int64(value, 8)
            guard usec >= 0 && usec < 1_000_000 else { throw .EDOM }
            let ns: UInt64 = sec < 0 ? 1 : UInt64(min(sec, 1 << 32)) * 1_000_000_000 + UInt64(usec) * 1000
            let receive = name == O.SO_RCVTIMEO_OLD || name == O.SO_RCVTIMEO_NEW
            state.update { if receive { $0.receiveTimeout = ns } else { $0.sendTimeout = ns } }
        case O.SO_TYPE, O.SO_DOMAIN, O.SO_PROTOCOL, O.SO_ERROR, O.SO_ACCEPTCONN, O.SO_PEERCRED:
            throw .ENOPROTOOPT                                     // read-only, as on Linux
        default:
            guard UnixSocket.isPlain(name) else {
                report(name, "setsockopt")
                throw .ENOPROTOOPT
            }
            let stored = name == O.SO_PRIORITY ? v : (v != 0 ? 1 : 0)
            state.update { s in
                s.plainOptions.removeAll { $0.name == name }
                s.plainOptions.append((name, stored))
            }
        }
    }

    private func report(_ name: Int32, _ call: StaticString) {
        guard UnixSocket.refused.first(Int(max(0, min(name, 69)))) else { return }
        KernelLog.warning("AF_UNIX " + string(call) + ": SOL_SOCKET option " + Format.decimal(UInt64(max(0, name))) + " is not implemented: ENOPROTOOPT")
    }

    static func int64(_ b: [UInt8], _ at: Int) -> Int64 {
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(b[at + i]) << (8 * UInt64(i)) }
        return Int64(bitPattern: v)
    }

    static func bytes(_ v: Int32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: v), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 24)]
    }
}
