import LichenCore

/// The instant attempts (`instantFirst:` in SyscallTable.swift) of read and write: the calls that
/// need no wait, answered from the user-mode loop without an async frame. Each either finishes the
/// call exactly as the sleeping handler would, or returns nil having changed nothing, and the
/// sleeping handler (FileSyscalls) then runs it from the start. Anything unusual goes there, and so
/// does everything while an inotify watch exists (OpenFile's read and write report IN_ACCESS/IN_MODIFY).
enum InstantFileSyscalls {
    /// Pipe messages up to this size go through the thread's kept bounce buffer.
    private static let smallTransfer = Thread.smallStagingBytes

    static func read(_ a: SyscallArguments) throws(Errno) -> UInt64? {
        guard !FsNotify.shared.isActive else { return nil }
        let fd = a.fd(0), buffer = a.address(1), count = a[2]
        let file = try a.process.file(fd)
        guard let operations = file.operations, file.flags.allowsRead, !file.isPathOnly,
              count > 0, count <= UInt64(FileSyscalls.chunk), buffer.rangeIsUser(count: Int(count)) else { return nil }
        let requested = Int(count)
        if operations.readsZeros {
            // /dev/zero: zeros straight into the user buffer, as far as it is writable (EFAULT if not at all).
            let n = a.user.accessibleLength(at: buffer, count: requested, write: true)
            guard n > 0 else { return nil }
            try a.user.zero(buffer, count: n)
            return result(n)
        }
        if let pipe = operations.pipe, requested <= smallTransfer,
           a.user.accessibleLength(at: buffer, count: requested, write: true) == requested {
            let staging = try a.thread.stagingBuffer(count: requested)
            return try staging.withBytes(0..<requested) { (b: UnsafeMutableRawBufferPointer) throws(Errno) -> UInt64? in
                guard let got = try pipe.readNow(file, into: b) else { return nil }
                try a.user.write(UnsafeRawBufferPointer(rebasing: b[0..<got]), to: buffer)
                return result(got)
            }
        }
        return nil
    }

    static func write(_ a: SyscallArguments) throws(Errno) -> UInt64? {
        guard !FsNotify.shared.isActive else { return nil }
        let fd = a.fd(0), buffer = a.address(1), count = a[2]
        let file = try a.process.file(fd)
        guard let operations = file.operations else { return nil }
        if operations.discardsWrites {
            // /dev/null: the data is not even read (FileSyscalls.write says why).
            guard file.flags.allowsWrite && !file.isPathOnly else { throw .EBADF }
            return result(Int(min(count, UInt64(Int32.max))))
        }
        guard let pipe = operations.pipe, file.flags.allowsWrite, count > 0, count <= UInt64(smallTransfer) else { return nil }
        let requested = Int(count)
        guard a.user.accessibleLength(at: buffer, count: requested, write: false) == requested else { return nil }
        let staging = try a.thread.stagingBuffer(count: requested)
        return try staging.withBytes(0..<requested) { (b: UnsafeMutableRawBufferPointer) throws(Errno) -> UInt64? in
            try a.user.read(b, from: buffer)
            return try pipe.writeNow(file, from: UnsafeRawBufferPointer(b)).map { result($0) }
        }
    }
}
