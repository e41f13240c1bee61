import LichenCore
import _Concurrency

/// sendmsg/recvmsg: the msghdr, and control messages (SCM_RIGHTS, SCM_CREDENTIALS) as Linux's
/// __scm_send, put_cmsg and scm_detach_fds read and write them.
extension SocketSyscalls {
    static func sendMessage(_ a: SyscallArguments, _ socket: any Socket, _ file: OpenFile, _ header: UserAddr,
                            flags: UInt32) async throws(Errno) -> UInt64 {
        let h = try a.user.load(LinuxMsghdr.self, from: header)
        let buffers = try UserBuffers(a, vectors: UserAddr(h.msg_iov), count: h.msg_iovlen, tooMany: .EMSGSIZE)
        var name: [UInt8]? = nil
        if h.msg_name != 0 && h.msg_namelen != 0 {
            name = try readAddress(a, UserAddr(h.msg_name), Int32(bitPattern: h.msg_namelen))
        }
        var message = OutgoingMessage(bytes: [], address: name)
        if h.msg_controllen > UInt64(Int32.max) { throw .ENOBUFS }
        if h.msg_controllen >= 16 {
            let control = try a.user.bytes(at: UserAddr(h.msg_control), count: Int(h.msg_controllen))
            try parseControl(a, control, into: &message)
        }
        return try await send(a, socket, file, buffers, &message, flags: flags)
    }

    /// The control messages of a send: files to pass and credentials to claim.
    private static func parseControl(_ a: SyscallArguments, _ control: [UInt8], into message: inout OutgoingMessage) throws(Errno) {
        var at = 0
        while at + 16 <= control.count {
            let length = Int(min(load64(control, at), UInt64(Int32.max)))
            let level = Int32(bitPattern: load32(control, at + 8)), type = Int32(bitPattern: load32(control, at + 12))
            guard length >= 16 && length <= control.count - at else { throw .EINVAL }
            if level == LinuxSocketOption.SOL_SOCKET {
                switch type {
                case LinuxSocketOption.SCM_RIGHTS:
                    let count = (length - 16) / 4
                    guard count <= LinuxSocketOption.SCM_MAX_FD,
                          message.files.count + count <= LinuxSocketOption.SCM_MAX_FD else { throw .EINVAL }
                    for i in 0..<count {
                        let fd = Int32(bitPattern: load32(control, at + 16 + 4 * i))
                        message.files.append(try a.process.file(fd))
                    }
                case LinuxSocketOption.SCM_CREDENTIALS:
                    guard length == LinuxCmsghdr.length(12) else { throw .EINVAL }
                    let claimed = LinuxUcred(pid: Int32(bitPattern: load32(control, at + 16)),
                                             uid: load32(control, at + 20), gid: load32(control, at + 24))
                    try checkClaim(a, claimed)
                    message.credentials = claimed
                default:
                    throw .EINVAL
                }
            }
            at += LinuxCmsghdr.align(length)
        }
    }

    /// scm_check_creds: a sender claims its own process and one of its ids unless privileged.
    private static func checkClaim(_ a: SyscallArguments, _ c: LinuxUcred) throws(Errno) {
        let cred = a.credentials                      // Linux's scm_check_creds
        guard c.pid == a.process.pid || cred.has(.CAP_SYS_ADMIN) else { throw .EPERM }
        guard c.uid == cred.uid || c.uid == cred.euid || c.uid == cred.suid || cred.has(.CAP_SETUID) else { throw .EPERM }
        guard c.gid == cred.gid || c.gid == cred.egid || c.gid == cred.sgid || cred.has(.CAP_SETGID) else { throw .EPERM }
    }

    static func receiveMessage(_ a: SyscallArguments, _ socket: any Socket, _ file: OpenFile, _ header: UserAddr,
                               flags: UInt32) async throws(Errno) -> UInt64 {
        var h = try a.user.load(LinuxMsghdr.self, from: header)
        let buffers = try UserBuffers(a, vectors: UserAddr(h.msg_iov), count: h.msg_iovlen, tooMany: .EMSGSIZE)
        let m = try await receive(a, socket, file, buffers, flags: flags)
        var outFlags = m.flags
        // The name: as much as fits, its full length in msg_namelen.
        if h.msg_name != 0 {
            let n = min(Int(h.msg_namelen), m.source.count)
            if n > 0 { try a.user.store(bytes: Array(m.source[0..<n]), to: UserAddr(h.msg_name)) }
            h.msg_namelen = UInt32(m.source.count)
            try a.user.store(h.msg_namelen, to: header + 8)
        }
        // Control: credentials first, then the files (as many as fit; the rest are closed: MSG_CTRUNC).
        var control: [UInt8] = []
        let room = h.msg_control == 0 ? 0 : Int(min(h.msg_controllen, UInt64(Int32.max)))
        if let c = m.credentials {
            var cred = c
            let data = withUnsafeBytes(of: &cred) { Array($0) }
            let left = room - control.count
            if left < 16 {
                outFlags |= LinuxMsgFlag.MSG_CTRUNC
            } else {
                var full = cmsg(LinuxSocketOption.SCM_CREDENTIALS, data)
                if full.count > left { outFlags |= LinuxMsgFlag.MSG_CTRUNC; full = Array(full[0..<left]) }
                control += full + [UInt8](repeating: 0, count: min(LinuxCmsghdr.space(12), left) - full.count)
            }
        }
        var installedFiles: [OpenFile] = []
        if !m.files.isEmpty {
            let left = room - control.count
            let fit = left > 16 ? min((left - 16) / 4, m.files.count) : 0
            var fds: [UInt8] = []
            let cloexec = flags & LinuxMsgFlag.MSG_CMSG_CLOEXEC != 0
            for f in m.files[0..<fit] {
                guard let fd = try? install(a, f, closeOnExec: cloexec) else { break }
                installedFiles.append(f)
                fds += SocketSyscalls.bytes32(UInt32(bitPattern: fd))
            }
            if installedFiles.count < m.files.count { outFlags |= LinuxMsgFlag.MSG_CTRUNC }
            m.inflight?.settle()                         // installed: no longer in flight
            if !installedFiles.isEmpty {
                control += cmsg(LinuxSocketOption.SCM_RIGHTS, fds)
                let padded = min(LinuxCmsghdr.align(control.count), room)
                control += [UInt8](repeating: 0, count: padded - control.count)
            }
        }
        if !control.isEmpty { try a.user.store(bytes: control, to: UserAddr(h.msg_control)) }
        h.msg_controllen = UInt64(control.count)
        h.msg_flags = outFlags
        try a.user.store(h.msg_controllen, to: header + 40)
        try a.user.store(h.msg_flags, to: header + 48)
        return returned(m, flags: flags)
    }

    private static func cmsg(_ type: Int32, _ data: [UInt8]) -> [UInt8] {
        var header = LinuxCmsghdr(cmsg_len: UInt64(LinuxCmsghdr.length(data.count)), cmsg_level: LinuxSocketOption.SOL_SOCKET, cmsg_type: type)
        return withUnsafeBytes(of: &header) { Array($0) } + data
    }

    static func bytes32(_ v: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: v), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 24)]
    }

    private static func load32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
    }

    private static func load64(_ b: [UInt8], _ at: Int) -> UInt64 {
        UInt64(load32(b, at)) | UInt64(load32(b, at + 4)) << 32
    }
}
