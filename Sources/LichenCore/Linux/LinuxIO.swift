// I/O structures of the Linux arm64 user ABI.

/// `struct iovec`: 16 bytes (readv/writev).
public struct LinuxIovec: Hashable, Sendable {
    public var iov_base: UInt64
    public var iov_len: UInt64
    public init(iov_base: UInt64 = 0, iov_len: UInt64 = 0) { self.iov_base = iov_base; self.iov_len = iov_len }
    /// UIO_MAXIOV: more iovecs than this is EINVAL.
    public static let UIO_MAXIOV = 1024
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
