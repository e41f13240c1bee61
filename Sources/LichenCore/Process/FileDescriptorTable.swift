// A process's file descriptor table: small integers naming open file descriptions, with Linux's
// allocation and duplication rules. Generic over the open-file-description type (a class), which the
// table shares, never copies: dup and fork make several descriptors refer to one description (so
// they share its offset and status flags), while the close-on-exec flag belongs to the descriptor.
//
// Operations that drop a descriptor return the description, so the caller can release it (call the
// file's close when the last reference goes) outside whatever lock guards the table.

public struct FileDescriptorTable<File: AnyObject> {
    public struct Entry {
        public var file: File
        public var closeOnExec: Bool
    }

    private var entries: [Entry?] = []
    /// RLIMIT_NOFILE's soft limit: descriptors are below it. Linux's default is 1024.
    public private(set) var limit: Int32
    /// The kernel's ceiling for any limit (fs.nr_open).
    public static var maximumLimit: Int32 { Int32(ResourceLimits.openFilesCeiling) }
    public static var defaultLimit: Int32 { Int32(ResourceLimits.defaultOpenFiles) }

    public init(limit: Int32 = FileDescriptorTable.defaultLimit) {
        self.limit = max(0, min(limit, FileDescriptorTable.maximumLimit))
    }

    // fcntl commands and flags this table implements.
    public static var F_DUPFD: Int32 { 0 }
    public static var F_GETFD: Int32 { 1 }
    public static var F_SETFD: Int32 { 2 }
    public static var F_DUPFD_CLOEXEC: Int32 { 1030 }
    public static var FD_CLOEXEC: Int32 { 1 }
    /// O_CLOEXEC on arm64 (asm-generic/fcntl.h), the only flag dup3 accepts.
    public static var O_CLOEXEC: Int32 { 0o2000000 }

    /// Number of open descriptors.
    public var count: Int {
        var n = 0
        for e in entries where e != nil { n += 1 }
        return n
    }

    /// The open descriptors in increasing order.
    public var descriptors: [Int32] {
        var result: [Int32] = []
        for (i, e) in entries.enumerated() where e != nil { result.append(Int32(i)) }
        return result
    }

    /// The description behind `fd`; EBADF if it is not open.
    public func get(_ fd: Int32) throws(Errno) -> File {
        guard let e = entry(fd) else { throw .EBADF }
        return e.file
    }

    public func entry(_ fd: Int32) -> Entry? {
        guard fd >= 0, Int(fd) < entries.count else { return nil }
        return entries[Int(fd)]
    }

    /// Installs `file` at the lowest free descriptor >= `minimum`: open, pipe, socket, F_DUPFD.
    /// EMFILE if every descriptor below the limit is taken; EINVAL if `minimum` is negative or not
    /// below the limit (as F_DUPFD reports).
    public mutating func install(_ file: File, minimum: Int32 = 0, closeOnExec: Bool = false) throws(Errno) -> Int32 {
        guard minimum >= 0, minimum < limit else { throw .EINVAL }
        var fd = Int(minimum)
        while fd < entries.count && entries[fd] != nil { fd += 1 }
        guard fd < Int(limit) else { throw .EMFILE }
        place(Entry(file: file, closeOnExec: closeOnExec), at: fd)
        return Int32(fd)
    }

    /// Closes `fd` and returns its description; EBADF if it is not open.
    public mutating func close(_ fd: Int32) throws(Errno) -> File {
        guard let e = entry(fd) else { throw .EBADF }
        entries[Int(fd)] = nil
        trim()
        return e.file
    }

    /// dup(2): the lowest free descriptor, close-on-exec clear.
    public mutating func dup(_ fd: Int32) throws(Errno) -> Int32 {
        let file = try get(fd)
        return try install(file, minimum: 0, closeOnExec: false)
    }

    /// fcntl(F_DUPFD / F_DUPFD_CLOEXEC): the lowest free descriptor >= `minimum`.
    public mutating func duplicate(_ fd: Int32, minimum: Int32, closeOnExec: Bool) throws(Errno) -> Int32 {
        let file = try get(fd)
        return try install(file, minimum: minimum, closeOnExec: closeOnExec)
    }

    /// dup2(2): makes `newFD` refer to `oldFD`'s description, closing what `newFD` held (returned as
    /// `replaced`). EBADF if `oldFD` is not open or `newFD` is negative or not below the limit.
    /// dup2(fd, fd) checks fd and changes nothing.
    public mutating func dup2(_ oldFD: Int32, _ newFD: Int32) throws(Errno) -> (fd: Int32, replaced: File?) {
        let file = try get(oldFD)
        if oldFD == newFD { return (newFD, nil) }
        return try replace(newFD, with: file, closeOnExec: false)
    }

    /// dup3(2): like dup2 but EINVAL when the descriptors are equal, and `flags` may only hold O_CLOEXEC.
    public mutating func dup3(_ oldFD: Int32, _ newFD: Int32, flags: Int32) throws(Errno) -> (fd: Int32, replaced: File?) {
        guard flags & ~FileDescriptorTable.O_CLOEXEC == 0 else { throw .EINVAL }
        guard oldFD != newFD else { throw .EINVAL }
        let file = try get(oldFD)
        return try replace(newFD, with: file, closeOnExec: flags & FileDescriptorTable.O_CLOEXEC != 0)
    }

    private mutating func replace(_ newFD: Int32, with file: File, closeOnExec: Bool) throws(Errno) -> (fd: Int32, replaced: File?) {
        guard newFD >= 0, newFD < limit else { throw .EBADF }
        let old = entry(newFD)?.file
        place(Entry(file: file, closeOnExec: closeOnExec), at: Int(newFD))
        return (newFD, old)
    }

    /// fcntl(F_GETFD) as a Bool.
    public func isCloseOnExec(_ fd: Int32) throws(Errno) -> Bool {
        guard let e = entry(fd) else { throw .EBADF }
        return e.closeOnExec
    }

    /// fcntl(F_SETFD).
    public mutating func setCloseOnExec(_ fd: Int32, _ value: Bool) throws(Errno) {
        guard entry(fd) != nil else { throw .EBADF }
        entries[Int(fd)]!.closeOnExec = value
    }

    /// execve: closes every close-on-exec descriptor; returns their descriptions.
    public mutating func closeOnExec() -> [File] {
        var closed: [File] = []
        for i in entries.indices {
            if let e = entries[i], e.closeOnExec {
                closed.append(e.file)
                entries[i] = nil
            }
        }
        trim()
        return closed
    }

    /// close_range(first, last): closes the open descriptors in [first, last], or (`cloexecOnly`)
    /// marks them close-on-exec; returns the descriptions closed.
    public mutating func closeRange(_ first: Int32, _ last: Int32, cloexecOnly: Bool) -> [File] {
        var closed: [File] = []
        guard first >= 0, first <= last, Int(first) < entries.count else { return closed }
        for i in Int(first)...min(Int(last), entries.count - 1) {
            guard let e = entries[i] else { continue }
            if cloexecOnly {
                entries[i]!.closeOnExec = true
            } else {
                closed.append(e.file)
                entries[i] = nil
            }
        }
        trim()
        return closed
    }

    /// exit: closes everything; returns the descriptions.
    public mutating func closeAll() -> [File] {
        var closed: [File] = []
        for e in entries { if let e { closed.append(e.file) } }
        entries = []
        return closed
    }

    /// fork (without CLONE_FILES): a new table whose descriptors refer to the same descriptions,
    /// with the same close-on-exec flags and limit. (A struct copy is exactly that; named for clarity.)
    public func forked() -> FileDescriptorTable { self }

    /// setrlimit(RLIMIT_NOFILE): new descriptors must be below `newLimit`; open ones above stay open,
    /// as in Linux. EPERM above the kernel ceiling.
    public mutating func setLimit(_ newLimit: Int32) throws(Errno) {
        guard newLimit >= 0 else { throw .EINVAL }
        guard newLimit <= FileDescriptorTable.maximumLimit else { throw .EPERM }
        limit = newLimit
    }

    private mutating func place(_ e: Entry, at fd: Int) {
        if fd >= entries.count { entries.append(contentsOf: repeatElement(nil, count: fd + 1 - entries.count)) }
        entries[fd] = e
    }

    private mutating func trim() {
        while let last = entries.last, last == nil { entries.removeLast() }
    }
}

// Plain data: the kernel keeps the table under the process's lock.
extension FileDescriptorTable: Sendable where File: Sendable {}
extension FileDescriptorTable.Entry: Sendable where File: Sendable {}
