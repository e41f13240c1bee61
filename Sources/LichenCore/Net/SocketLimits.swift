/// Linux's numbers for socket buffers and listen backlogs (net.core defaults), and its rules for
/// SO_SNDBUF/SO_RCVBUF and listen(2).
public enum SocketLimits {
    /// net.core.wmem_default / rmem_default, and the _max values setsockopt clamps to.
    public static let defaultBuffer = 212_992
    public static let maximumBuffer = 212_992
    /// SOCK_MIN_SNDBUF and SOCK_MIN_RCVBUF: 2 KiB plus an aligned sk_buff (256 bytes on arm64), twice for sends.
    public static let minimumSendBuffer = 4608
    public static let minimumReceiveBuffer = 2304
    /// net.unix.max_dgram_qlen: datagrams a socket queues from senders it is not connected to.
    public static let maximumDatagramQueue = 10

    /// SO_SNDBUF/SO_RCVBUF: the value (an int, read as unsigned) clamped to the maximum, doubled
    /// for bookkeeping overhead (getsockopt reports the doubled value), at least the minimum.
    public static func bufferSize(requested: Int32, send: Bool) -> Int {
        let value = min(Int(UInt32(bitPattern: requested)), maximumBuffer)
        return max(value * 2, send ? minimumSendBuffer : minimumReceiveBuffer)
    }

    /// listen(2)'s backlog (an int read as unsigned, at most SOMAXCONN).
    public static func backlog(_ requested: Int32) -> Int {
        Int(min(UInt32(bitPattern: requested), UInt32(LinuxSocket.SOMAXCONN)))
    }

    /// Linux lets a listener queue one connection more than its backlog: full when beyond it.
    public static func backlogIsFull(pending: Int, backlog: Int) -> Bool { pending > backlog }

    /// The largest datagram a socket with send buffer `sendBuffer` takes (else EMSGSIZE).
    public static func maximumDatagram(sendBuffer: Int) -> Int { sendBuffer - 32 }
}
