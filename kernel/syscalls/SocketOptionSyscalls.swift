import LichenCore

/// getsockopt and setsockopt (the socket's family answers; Linux's length rules here).
extension SocketSyscalls {
    static func setsockopt(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let fd = a.fd(0), level = a.int32(1), name = a.int32(2), value = a.address(3), length = a.int32(4)
        let socket = try socket(a, fd)
        guard length >= 0 else { throw .EINVAL }
        let bytes = try a.user.bytes(at: value, count: min(Int(length), 16))
        try socket.setOption(level: level, name: name, value: bytes, caller: caller(a))
        return 0
    }

    static func getsockopt(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let fd = a.fd(0), level = a.int32(1), name = a.int32(2), value = a.address(3), lengthPointer = a.address(4)
        let socket = try socket(a, fd)
        let room = try a.user.load(Int32.self, from: lengthPointer)
        guard room >= 0 else { throw .EINVAL }
        let bytes = try socket.getOption(level: level, name: name)
        let n = min(Int(room), bytes.count)
        if n > 0 { try a.user.store(bytes: Array(bytes[0..<n]), to: value) }
        try a.user.store(Int32(n), to: lengthPointer)
        return 0
    }
}
