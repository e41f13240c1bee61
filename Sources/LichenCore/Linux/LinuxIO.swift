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
