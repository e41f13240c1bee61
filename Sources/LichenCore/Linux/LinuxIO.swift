// I/O structures of the Linux arm64 user ABI.

/// `struct iovec`: 16 bytes (readv/writev).
public struct LinuxIovec: Hashable, Sendable {
    public var iov_base: UInt64
    public var iov_len: UInt64
    public init(iov_base: UInt64 = 0, iov_len: UInt64 = 0) { self.iov_base = iov_base; self.iov_len = iov_len }
    /// UIO_MAXIOV: more iovecs than this is EINVAL.
    public static let UIO_MAXIOV = 1024
}

/// `struct flock` (fcntl record locks): 32 bytes.
public struct LinuxFlock: Hashable, Sendable {
    public var l_type: Int16
    public var l_whence: Int16
    public var l_start: Int64
    public var l_len: Int64
    public var l_pid: Int32
    public var __pad: Int32 = 0
    public init(l_type: Int16 = 0, l_whence: Int16 = 0, l_start: Int64 = 0, l_len: Int64 = 0, l_pid: Int32 = 0) {
        self.l_type = l_type; self.l_whence = l_whence; self.l_start = l_start; self.l_len = l_len; self.l_pid = l_pid
    }
    public static let F_RDLCK: Int16 = 0, F_WRLCK: Int16 = 1, F_UNLCK: Int16 = 2
}

/// fcntl(2) commands (asm-generic/fcntl.h; arm64 has no separate 64-bit lock commands).
public enum LinuxFcntl {
    public static let F_DUPFD: Int32 = 0, F_GETFD: Int32 = 1, F_SETFD: Int32 = 2, F_GETFL: Int32 = 3, F_SETFL: Int32 = 4
    public static let F_GETLK: Int32 = 5, F_SETLK: Int32 = 6, F_SETLKW: Int32 = 7
    public static let F_SETOWN: Int32 = 8, F_GETOWN: Int32 = 9, F_SETSIG: Int32 = 10, F_GETSIG: Int32 = 11
    public static let F_SETOWN_EX: Int32 = 15, F_GETOWN_EX: Int32 = 16
    public static let F_OFD_GETLK: Int32 = 36, F_OFD_SETLK: Int32 = 37, F_OFD_SETLKW: Int32 = 38
    public static let F_SETLEASE: Int32 = 1024, F_GETLEASE: Int32 = 1025, F_DUPFD_CLOEXEC: Int32 = 1030
    public static let F_SETPIPE_SZ: Int32 = 1031, F_GETPIPE_SZ: Int32 = 1032
}

/// `struct f_owner_ex` (F_GETOWN_EX, F_SETOWN_EX): 8 bytes.
public struct LinuxFOwnerEx: Hashable, Sendable {
    public var type: Int32
    public var pid: Int32
    public init(type: Int32 = 0, pid: Int32 = 0) { self.type = type; self.pid = pid }
}

/// `struct pollfd`: 8 bytes.
public struct LinuxPollfd: Hashable, Sendable {
    public var fd: Int32
    public var events: Int16
    public var revents: Int16
    public init(fd: Int32 = 0, events: Int16 = 0, revents: Int16 = 0) {
        self.fd = fd; self.events = events; self.revents = revents
    }
    public static let POLLIN: Int16 = 0x001
    public static let POLLPRI: Int16 = 0x002
    public static let POLLOUT: Int16 = 0x004
    public static let POLLERR: Int16 = 0x008
    public static let POLLHUP: Int16 = 0x010
    public static let POLLNVAL: Int16 = 0x020
    public static let POLLRDNORM: Int16 = 0x040
    public static let POLLRDBAND: Int16 = 0x080
    public static let POLLWRNORM: Int16 = 0x100
    public static let POLLWRBAND: Int16 = 0x200
    public static let POLLRDHUP: Int16 = 0x2000
}
