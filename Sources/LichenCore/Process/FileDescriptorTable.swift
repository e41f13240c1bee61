// A process's file descriptor table: small integers naming open file descriptions, with Linux's
// allocation and duplication rules. Generic over the open-file-description type (a class), which the
// table shares, never copies: dup and fork make several descriptors refer to one description (so
// they share its offset and status flags), while the close-on-exec flag belongs to the descriptor.
//
// Operations that drop a descriptor return the description, so the caller can release it (call the
// file's close when the last reference goes) outside whatever lock guards the table.
//
// Layout (issue 13): descriptors live in chunks of 64 slots, each with a word of in-use bits, and a
// summary bitmap has one bit per full chunk, and a third level one bit per full summary word. The
// lowest free descriptor is then found by looking at a few words (Linux's open_fds/full_fds_bits),
// not by walking the slots, and no part of the table is a contiguous array as long as the
// descriptors (the chunk array is 1/64 of it, the summaries 1/4096 and less). `probes` counts the words an allocation looked at, for tests.

public struct FileDescriptorTable<File: AnyObject> {
    public struct Entry {
        public var file: File
        public var closeOnExec: Bool
    }

    static var chunkSlots: Int { 64 }

    /// 64 consecutive descriptors: their entries (allocated when the chunk first holds one) and a word
    /// with a bit for each open one.
    struct Chunk {
        var slots: [Entry?] = []
        var used: UInt64 = 0
        var isFull: Bool { used == ~0 }
    }

    private var chunks: [Chunk] = []
    /// Bit c of word c/64: chunk c is full.
    private var fullChunks: [UInt64] = []
    /// Bit w of word w/64: word w of `fullChunks` is all ones (4096 descriptors in use).
    private var fullWords: [UInt64] = []
    /// Number of open descriptors.
    public private(set) var count = 0
    /// Words the last allocation of a descriptor examined (a step counter for tests).
    public private(set) var probes = 0
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

    /// The open descriptors in increasing order.
    public var descriptors: [Int32] {
        var result: [Int32] = []
        result.reserveCapacity(count)
        forEachOpen { fd in result.append(Int32(fd)) }
        return result
    }

    /// Calls `body` with each open descriptor in increasing order (skipping empty chunks by their word).
    private func forEachOpen(_ body: (Int) -> Void) {
        for c in chunks.indices {
            var bits = chunks[c].used
            while bits != 0 {
                body(c * FileDescriptorTable.chunkSlots + bits.trailingZeroBitCount)
                bits &= bits - 1
            }
        }
    }

    /// The description behind `fd`; EBADF if it is not open.
    public func get(_ fd: Int32) throws(Errno) -> File {
        guard let e = entry(fd) else { throw .EBADF }
        return e.file
    }

    public func entry(_ fd: Int32) -> Entry? {
        guard fd >= 0 else { return nil }
        let c = Int(fd) / FileDescriptorTable.chunkSlots, s = Int(fd) % FileDescriptorTable.chunkSlots
        guard c < chunks.count, chunks[c].used & (1 << UInt64(s)) != 0 else { return nil }
        return chunks[c].slots[s]
    }

    /// The lowest descriptor >= `minimum` that is not open (maybe past the chunks: not yet allocated).
    mutating func lowestFree(from minimum: Int) -> Int {
        let n = FileDescriptorTable.chunkSlots
        var c = minimum / n
        probes = 1
        guard c < chunks.count else { return minimum }
        let free = ~chunks[c].used & (~UInt64(0) << UInt64(minimum % n))
        if free != 0 { return c * n + free.trailingZeroBitCount }
        // The first chunk after c that is not full: from its summary word, else from the first
        // summary word that is not all full (a third level), so the search stays a few words.
        c += 1
        let w = c / 64
        if w < fullChunks.count {
            probes += 1
            let open = ~fullChunks[w] & (~UInt64(0) << UInt64(c % 64))
            if open != 0 { return firstFree(inChunk: w * 64 + open.trailingZeroBitCount) }
        }
        var v = (w + 1) / 64
        var mask = ~UInt64(0) << UInt64((w + 1) % 64)
        while v < fullWords.count {
            probes += 1
            let open = ~fullWords[v] & mask
            if open != 0 {
                let k = v * 64 + open.trailingZeroBitCount
                guard k < fullChunks.count else { break }
                probes += 1
                return firstFree(inChunk: k * 64 + (~fullChunks[k]).trailingZeroBitCount)
            }
            v += 1
            mask = ~0
        }
        return chunks.count * n
    }

    private mutating func firstFree(inChunk k: Int) -> Int {
        let n = FileDescriptorTable.chunkSlots
        guard k < chunks.count else { return chunks.count * n }
        probes += 1
        return k * n + (~chunks[k].used).trailingZeroBitCount
    }

    /// Installs `file` at the lowest free descriptor >= `minimum`: open, pipe, socket, F_DUPFD.
    /// EMFILE if every descriptor below the limit is taken; EINVAL if `minimum` is negative or not
    /// below the limit (as F_DUPFD reports).
    public mutating func install(_ file: File, minimum: Int32 = 0, closeOnExec: Bool = false) throws(Errno) -> Int32 {
        guard minimum >= 0, minimum < limit else { throw .EINVAL }
        let fd = lowestFree(from: Int(minimum))
        guard fd < Int(limit) else { throw .EMFILE }
        place(Entry(file: file, closeOnExec: closeOnExec), at: fd)
        return Int32(fd)
    }

    /// Closes `fd` and returns its description; EBADF if it is not open.
    public mutating func close(_ fd: Int32) throws(Errno) -> File {
        guard let e = entry(fd) else { throw .EBADF }
        remove(Int(fd))
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
        let n = FileDescriptorTable.chunkSlots
        chunks[Int(fd) / n].slots[Int(fd) % n]!.closeOnExec = value
    }

    /// execve: closes every close-on-exec descriptor; returns their descriptions.
    public mutating func closeOnExec() -> [File] {
        var closed: [File] = []
        for fd in descriptors {
            if let e = entry(fd), e.closeOnExec {
                closed.append(e.file)
                remove(Int(fd))
            }
        }
        return closed
    }

    /// close_range(first, last): closes the open descriptors in [first, last], or (`cloexecOnly`)
    /// marks them close-on-exec; returns the descriptions closed.
    public mutating func closeRange(_ first: Int32, _ last: Int32, cloexecOnly: Bool) -> [File] {
        var closed: [File] = []
        guard first >= 0, first <= last else { return closed }
        for fd in descriptors where fd >= first && fd <= last {
            if cloexecOnly {
                try? setCloseOnExec(fd, true)
            } else if let e = entry(fd) {
                closed.append(e.file)
                remove(Int(fd))
            }
        }
        return closed
    }

    /// exit: closes everything; returns the descriptions.
    public mutating func closeAll() -> [File] {
        var closed: [File] = []
        for fd in descriptors { if let e = entry(fd) { closed.append(e.file) } }
        chunks = []
        fullChunks = []
        fullWords = []
        count = 0
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
        let n = FileDescriptorTable.chunkSlots
        let c = fd / n, s = fd % n
        while chunks.count <= c { chunks.append(Chunk()) }
        while fullChunks.count * 64 < chunks.count { fullChunks.append(0) }
        while fullWords.count * 64 < fullChunks.count { fullWords.append(0) }
        if chunks[c].slots.isEmpty { chunks[c].slots = Array(repeating: nil, count: n) }
        let bit = UInt64(1) << UInt64(s)
        if chunks[c].used & bit == 0 { count += 1 }
        chunks[c].used |= bit
        chunks[c].slots[s] = e
        if chunks[c].isFull {
            fullChunks[c / 64] |= UInt64(1) << UInt64(c % 64)
            if fullChunks[c / 64] == ~0 { fullWords[c / 4096] |= UInt64(1) << UInt64(c / 64 % 64) }
        }
    }

    private mutating func remove(_ fd: Int) {
        let n = FileDescriptorTable.chunkSlots
        let c = fd / n, s = fd % n
        chunks[c].slots[s] = nil
        chunks[c].used &= ~(UInt64(1) << UInt64(s))
        fullChunks[c / 64] &= ~(UInt64(1) << UInt64(c % 64))
        fullWords[c / 4096] &= ~(UInt64(1) << UInt64(c / 64 % 64))
        count -= 1
    }
}

// Plain data: the kernel keeps the table under the process's lock.
extension FileDescriptorTable: Sendable where File: Sendable {}
extension FileDescriptorTable.Entry: Sendable where File: Sendable {}
extension FileDescriptorTable.Chunk: Sendable where File: Sendable {}
