import LichenCore

/// eventfd2(initval, flags): an `EventFD` on an anonymous inode.
enum EventFdSyscalls {
    static let EFD_CLOEXEC: UInt64 = 0o2000000, EFD_NONBLOCK: UInt64 = 0o4000

    static func eventfd2(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let initial = a.uint32(0), flags = a[1]
        guard flags & ~(EFD_CLOEXEC | EFD_NONBLOCK | EventFD.EFD_SEMAPHORE) == 0 else { throw .EINVAL }
        let operations = EventFD(initial, semaphore: flags & EventFD.EFD_SEMAPHORE != 0)
        return try install(a, operations, nonBlocking: flags & EFD_NONBLOCK != 0, closeOnExec: flags & EFD_CLOEXEC != 0)
    }

    /// A new read-write description of `operations` on an anonymous inode, in the lowest free descriptor.
    static func install(_ a: SyscallArguments, _ operations: any FileOperations, nonBlocking: Bool,
                        closeOnExec: Bool) throws(Errno) -> UInt64 {
        let flags: OpenFlags = nonBlocking ? [.O_RDWR, .O_NONBLOCK] : .O_RDWR
        let file = OpenFile(location: PipeFileSystem.shared.newLocation(nil), flags: flags, operations: operations)
        return UInt64(try a.process.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) -> Int32 in
            try t.install(file, closeOnExec: closeOnExec)
        })
    }
}
