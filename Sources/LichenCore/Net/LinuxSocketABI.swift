// The socket part of the Linux arm64 user ABI (linux/socket.h, asm-generic/socket.h, linux/un.h).

/// Address families, socket types and the flags socket(2)'s type argument carries.
public enum LinuxSocket {
    public static let AF_UNSPEC: UInt16 = 0, AF_UNIX: UInt16 = 1, AF_INET: UInt16 = 2, AF_INET6: UInt16 = 10
    public static let AF_MAX: UInt32 = 46
    public static let SOCK_STREAM: Int32 = 1, SOCK_DGRAM: Int32 = 2, SOCK_RAW: Int32 = 3, SOCK_SEQPACKET: Int32 = 5
    public static let SOCK_TYPE_MASK: Int32 = 0xf
    public static let SOCK_NONBLOCK: Int32 = 0o4000, SOCK_CLOEXEC: Int32 = 0o2000000
    public static let SHUT_RD: Int32 = 0, SHUT_WR: Int32 = 1, SHUT_RDWR: Int32 = 2
    /// The most a listen(2) backlog can be (net.core.somaxconn's default).
    public static let SOMAXCONN: Int32 = 4096
}

/// send/recv flags (MSG_*).
public enum LinuxMsgFlag {
    public static let MSG_OOB: UInt32 = 0x1, MSG_PEEK: UInt32 = 0x2, MSG_DONTROUTE: UInt32 = 0x4
    public static let MSG_CTRUNC: UInt32 = 0x8, MSG_TRUNC: UInt32 = 0x20, MSG_DONTWAIT: UInt32 = 0x40
    public static let MSG_EOR: UInt32 = 0x80, MSG_WAITALL: UInt32 = 0x100, MSG_CONFIRM: UInt32 = 0x800
    public static let MSG_ERRQUEUE: UInt32 = 0x2000, MSG_NOSIGNAL: UInt32 = 0x4000, MSG_MORE: UInt32 = 0x8000
    public static let MSG_WAITFORONE: UInt32 = 0x10000, MSG_CMSG_CLOEXEC: UInt32 = 0x4000_0000
}

/// Socket-level options (SOL_SOCKET, asm-generic/socket.h) and control message types.
public enum LinuxSocketOption {
    public static let SOL_SOCKET: Int32 = 1
    public static let SO_DEBUG: Int32 = 1, SO_REUSEADDR: Int32 = 2, SO_TYPE: Int32 = 3, SO_ERROR: Int32 = 4
    public static let SO_DONTROUTE: Int32 = 5, SO_BROADCAST: Int32 = 6, SO_SNDBUF: Int32 = 7, SO_RCVBUF: Int32 = 8
    public static let SO_KEEPALIVE: Int32 = 9, SO_OOBINLINE: Int32 = 10, SO_PRIORITY: Int32 = 12, SO_LINGER: Int32 = 13
    public static let SO_REUSEPORT: Int32 = 15, SO_PASSCRED: Int32 = 16, SO_PEERCRED: Int32 = 17
    public static let SO_RCVLOWAT: Int32 = 18, SO_SNDLOWAT: Int32 = 19
    public static let SO_RCVTIMEO_OLD: Int32 = 20, SO_SNDTIMEO_OLD: Int32 = 21
    public static let SO_ACCEPTCONN: Int32 = 30, SO_SNDBUFFORCE: Int32 = 32, SO_RCVBUFFORCE: Int32 = 33
    public static let SO_PROTOCOL: Int32 = 38, SO_DOMAIN: Int32 = 39, SO_PEEK_OFF: Int32 = 42
    public static let SO_RCVTIMEO_NEW: Int32 = 66, SO_SNDTIMEO_NEW: Int32 = 67
    public static let SCM_RIGHTS: Int32 = 1, SCM_CREDENTIALS: Int32 = 2
    /// The most descriptors one SCM_RIGHTS message may carry.
    public static let SCM_MAX_FD = 253
    /// Socket ioctls: SIOCINQ is FIONREAD, SIOCOUTQ is TIOCOUTQ.
    public static let SIOCINQ: UInt32 = 0x541b, SIOCOUTQ: UInt32 = 0x5411
    /// SIOCATMARK (asm-generic/sockios.h): 1 if the next byte to read is the out-of-band one.
    public static let SIOCATMARK: UInt32 = 0x8905
}

/// `struct sockaddr_un`: 110 bytes, a family then a 108-byte path.
public struct LinuxSockaddrUn: Sendable {
    public var sun_family: UInt16 = LinuxSocket.AF_UNIX
    public var sun_path: LinuxSunPath = linuxZeroSunPath
    public init() {}
    /// offsetof(struct sockaddr_un, sun_path).
    public static let pathOffset = 2
    public static let pathCapacity = 108
}

/// `char sun_path[108]`.
public typealias LinuxSunPath = (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)
@usableFromInline let linuxZeroSunPath: LinuxSunPath = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

/// `struct msghdr` (sendmsg/recvmsg): 56 bytes.
public struct LinuxMsghdr: Sendable {
    public var msg_name: UInt64 = 0
    public var msg_namelen: UInt32 = 0
    public var __pad1: UInt32 = 0
    public var msg_iov: UInt64 = 0
    public var msg_iovlen: UInt64 = 0
    public var msg_control: UInt64 = 0
    public var msg_controllen: UInt64 = 0
    public var msg_flags: UInt32 = 0
    public var __pad2: UInt32 = 0
    public init() {}
}

/// `struct mmsghdr` (sendmmsg/recvmmsg): a msghdr and the byte count of that message, 64 bytes.
public struct LinuxMmsghdr: Sendable {
    public var msg_hdr = LinuxMsghdr()
    public var msg_len: UInt32 = 0
    public var __pad: UInt32 = 0
    public init() {}
    public static let UIO_MAXIOV = 1024   // also the most messages one call handles
}

/// `struct cmsghdr`: 16 bytes, followed by the data; each message is padded to 8 bytes (CMSG_ALIGN).
public struct LinuxCmsghdr: Sendable {
    public var cmsg_len: UInt64 = 0
    public var cmsg_level: Int32 = 0
    public var cmsg_type: Int32 = 0
    public init(cmsg_len: UInt64 = 0, cmsg_level: Int32 = 0, cmsg_type: Int32 = 0) {
        self.cmsg_len = cmsg_len; self.cmsg_level = cmsg_level; self.cmsg_type = cmsg_type
    }
    public static func align(_ n: Int) -> Int { (n + 7) & ~7 }
    /// CMSG_LEN: a header and `n` bytes of data.
    public static func length(_ n: Int) -> Int { 16 + n }
    /// CMSG_SPACE: the same, padded.
    public static func space(_ n: Int) -> Int { 16 + align(n) }
}

/// `struct ucred` (SO_PEERCRED, SCM_CREDENTIALS): 12 bytes.
public struct LinuxUcred: Sendable, Equatable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32
    public init(pid: Int32 = 0, uid: UInt32 = 0, gid: UInt32 = 0) { self.pid = pid; self.uid = uid; self.gid = gid }
    /// What SO_PEERCRED reports without a peer: pid 0, ids -1.
    public static let nobody = LinuxUcred(pid: 0, uid: UInt32.max, gid: UInt32.max)
}
