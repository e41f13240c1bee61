import LichenCore
import _Concurrency

/// One family's socket (Linux's struct socket with its proto_ops): what the socket calls do once
/// the syscall layer has copied addresses, data and control messages in from user memory. AF_UNIX
/// implements it (`UnixSocket`); AF_INET/AF_INET6 plug in here with their own class.
/// Every method takes kernel copies; errors are Linux's for that family.
/// Public (though only this module uses it) so that the optimizer keeps calls going through the
/// witness table: with one internal conformer it devirtualizes them all and leaves a table of deleted
/// async entries that reference a runtime symbol (swift_deletedAsyncMethodErrorTu) Embedded Swift lacks.
public protocol Socket: AnyObject {
    var family: UInt16 { get }
    var type: Int32 { get }
    var protocolNumber: Int32 { get }

    /// `address` is the caller's sockaddr bytes (its count is the length passed).
    func bind(_ address: [UInt8], caller: SocketCaller) async throws(Errno)
    func listen(backlog: Int32, caller: SocketCaller) throws(Errno)
    /// The connection's socket (the syscall makes it a file).
    func accept(nonBlocking: Bool) async throws(Errno) -> any Socket
    func connect(_ address: [UInt8], nonBlocking: Bool, caller: SocketCaller) async throws(Errno)
    /// getsockname's bytes (their count is the length reported).
    func localAddress() -> [UInt8]
    /// getpeername's bytes; ENOTCONN if not connected.
    func peerAddress() throws(Errno) -> [UInt8]

    /// Sends what it can of `message` (all of it, for records); the count taken.
    func send(_ message: OutgoingMessage, flags: UInt32, nonBlocking: Bool, caller: SocketCaller) async throws(Errno) -> Int
    /// Receives up to `limit` bytes.
    func receive(limit: Int, flags: UInt32, nonBlocking: Bool) async throws(Errno) -> IncomingMessage
    func shutdown(_ how: Int32) throws(Errno)

    /// SOL_SOCKET and the family's own levels: the option's bytes.
    func getOption(level: Int32, name: Int32) throws(Errno) -> [UInt8]
    func setOption(level: Int32, name: Int32, value: [UInt8], caller: SocketCaller) throws(Errno)
    /// FIONREAD/SIOCINQ and SIOCOUTQ: the int to store; nil for a request the socket does not know.
    func ioctl(_ request: UInt32) throws(Errno) -> Int32?

    func poll() -> PollEvents
    var pollQueue: WaitQueue { get }
    /// The last descriptor closed.
    func release()
}

/// Who makes a socket call: for names in the filesystem, credentials and SO_PEERCRED.
public struct SocketCaller {
    let pid: Int32
    let credentials: Credentials
    let fs: FSContext
    /// The caller's process: its RLIMIT_NOFILE bounds the files it may have in flight (SCM_RIGHTS).
    let process: Process?

    var openFilesLimit: UInt64 {
        guard let process else { return UInt64.max }
        return UInt64(process.files.withLock { $0.limit })
    }

    var ucred: LinuxUcred { LinuxUcred(pid: pid, uid: credentials.euid, gid: credentials.egid) }
}

/// SO_SNDBUF/SO_RCVBUF and their FORCE forms, as sock_setsockopt for every family: the FORCE ones
/// need CAP_NET_ADMIN; the size kept is the request doubled and bounded (SocketLimits).
struct SocketBufferRequest {
    let send: Bool
    let bytes: Int

    /// nil for any other option.
    init?(name: Int32, value: Int32, caller: SocketCaller) throws(Errno) {
        typealias O = LinuxSocketOption
        switch name {
        case O.SO_SNDBUF, O.SO_SNDBUFFORCE, O.SO_RCVBUF, O.SO_RCVBUFFORCE:
            if (name == O.SO_SNDBUFFORCE || name == O.SO_RCVBUFFORCE) && !caller.credentials.has(.CAP_NET_ADMIN) {
                throw .EPERM
            }
            send = name == O.SO_SNDBUF || name == O.SO_SNDBUFFORCE
            bytes = SocketLimits.bufferSize(requested: value, send: send)
        default:
            return nil
        }
    }

    /// An option's int argument (little-endian); EINVAL if shorter, as sock_setsockopt.
    static func int32(_ value: [UInt8]) throws(Errno) -> Int32 {
        guard value.count >= 4 else { throw .EINVAL }
        return Int32(value[0]) | Int32(value[1]) << 8 | Int32(value[2]) << 16 | Int32(value[3]) << 24
    }
}

/// A send's data and ancillary data (already checked: files are open files, credentials allowed).
public struct OutgoingMessage {
    var bytes: [UInt8]
    /// sendto/sendmsg's address bytes, if any.
    var address: [UInt8]?
    var files: [OpenFile] = []
    /// SCM_CREDENTIALS the sender gave (else its own are attached).
    var credentials: LinuxUcred? = nil
}

/// A receive's result.
public struct IncomingMessage {
    var bytes: [UInt8] = []
    /// The record's full length (MSG_TRUNC's return value); equals bytes.count for streams.
    var fullLength = 0
    /// The sender's address bytes (empty if it has no name).
    var source: [UInt8] = []
    var files: [OpenFile] = []
    var credentials: LinuxUcred? = nil
    var flags: UInt32 = 0
    /// AF_UNIX: settled once the files are installed (they stop being in flight then).
    var inflight: UnixInflightReceipt? = nil
}

/// A socket as an open file: read/write/poll/ioctl go to the socket; the last close releases it.
final class SocketFile: FileOperations, @unchecked Sendable {
    let socket: any Socket

    init(_ socket: any Socket) { self.socket = socket }

    /// A new open file for `socket`, with O_NONBLOCK if asked.
    static func open(_ socket: any Socket, nonBlocking: Bool, caller: SocketCaller) -> OpenFile {
        let location = SocketFileSystem.shared.newLocation(uid: caller.credentials.euid, gid: caller.credentials.egid)
        let flags: OpenFlags = nonBlocking ? [.O_RDWR, .O_NONBLOCK] : [.O_RDWR]
        let file = OpenFile(location: location, flags: flags, operations: SocketFile(socket))
        if let unix = socket as? UnixSocket {
            let ino = location.inode.metadata.ino
            unix.state.update { $0.inode = ino; $0.fileOwner = file.signalOwner }
        }
        return file
    }

    func read(_ file: OpenFile, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        let m = try await socket.receive(limit: buffer.count, flags: 0, nonBlocking: file.isNonBlocking)
        m.bytes.withUnsafeBytes { b in if b.count > 0 { buffer.baseAddress!.copyMemory(from: b.baseAddress!, byteCount: b.count) } }
        return m.bytes.count
    }

    /// write(2) and writev(2) come through SocketSyscalls.transfer (they need the caller), splice
    /// and sendfile through SpliceSink: nothing reaches here.
    func write(_ file: OpenFile, from buffer: UnsafeRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        throw .EINVAL
    }

    func ioctl(_ file: OpenFile, request: UInt32, argument: UInt64, caller: IoctlCaller) async throws(Errno) -> Int64 {
        guard let value = try socket.ioctl(request) else { throw .ENOTTY }
        try caller.store(value, to: argument)
        return 0
    }

    func release(_ file: OpenFile) { socket.release() }
    func poll(_ file: OpenFile) -> PollEvents { socket.poll() }
    func pollQueue(_ file: OpenFile) -> WaitQueue? { socket.pollQueue }
    var sendsIOSignals: Bool { true }
}
