// Linux's i_writecount for the files execve runs: a running program's file cannot be opened for
// writing or truncated (ETXTBSY), and a file open for writing cannot be executed (ETXTBSY). Each
// file's count is positive while it has writers (open descriptions with write access, a truncate
// in progress) and negative while programs deny writes (every process running it, and an exec
// loading it: the program or its ELF interpreter). Only files with a non-zero count are kept; the
// holders keep the inode alive, so its identity is not reused meanwhile.

public enum WriteAccess {
    private static let counts = SpinLock(HashedBuckets<UInt, Int>())

    private static func key(_ inode: any Inode) -> UInt { UInt(bitPattern: ObjectIdentifier(inode as AnyObject)) }

    /// Adds `delta` to the file's count if `allowed` accepts the current one; false otherwise.
    private static func change(_ inode: any Inode, by delta: Int, if allowed: (Int) -> Bool) -> Bool {
        let k = key(inode)
        return counts.withLock { table in
            let current = table.first(k) ?? 0
            guard allowed(current) else { return false }
            if current != 0 { _ = table.remove(k) }
            if current + delta != 0 { table.append(k, current + delta) }
            return true
        }
    }

    /// A writer begins (Linux's get_write_access): ETXTBSY while a program runs from the file.
    public static func beginWriting(_ inode: any Inode) throws(Errno) {
        guard change(inode, by: 1, if: { $0 >= 0 }) else { throw .ETXTBSY }
    }

    /// The writer ended (put_write_access).
    public static func endWriting(_ inode: any Inode) {
        _ = change(inode, by: -1, if: { _ in true })
    }

    /// A program or interpreter starts loading or running from the file (exe_file_deny_write_access):
    /// ETXTBSY while it is open for writing.
    public static func denyWriting(_ inode: any Inode) throws(Errno) {
        guard change(inode, by: -1, if: { $0 <= 0 }) else { throw .ETXTBSY }
    }

    /// That program ended (allow_write_access).
    public static func allowWriting(_ inode: any Inode) {
        _ = change(inode, by: 1, if: { _ in true })
    }

    /// The file's count (tests).
    public static func count(_ inode: any Inode) -> Int {
        counts.withLock { $0.first(key(inode)) ?? 0 }
    }
}
