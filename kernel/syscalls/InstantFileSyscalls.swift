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
        if let eventFD = operations.eventFD {
            // The 8-byte count, stored only where it cannot fault (a taken count is never lost);
            // a blocking read of a zero count goes straight to the sleeping path.
            guard requested >= 8, file.isNonBlocking || eventFD.counter.readable,
                  a.user.accessibleLength(at: buffer, count: 8, write: true) == 8,
                  let value = try eventFD.readNow(file) else { return nil }
            try a.user.store(value.littleEndian, to: buffer)
            return 8
        }
        if let pipe = operations.pipe, !file.isNonBlocking {
            // Empty with a writer: the read will sleep (pipe ping-pong's every read), so skip the
            // buffer checks below, which the sleeping path repeats anyway.
            let s = pipe.snapshot
            if s.count == 0 && s.writers > 0 { return nil }
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
        if let eventFD = operations.eventFD {
            guard file.flags.allowsWrite, !file.isPathOnly, count >= 8,
                  a.user.accessibleLength(at: buffer, count: 8, write: false) == 8 else { return nil }
            let value = UInt64(littleEndian: try a.user.load(UInt64.self, from: buffer))
            return try eventFD.writeNow(file, value) ? 8 : nil
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
