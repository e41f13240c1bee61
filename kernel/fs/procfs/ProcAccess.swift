import LichenCore

/// Who may look into /proc/<pid>: Linux's ptrace access check (Credentials.mayInspect) for the
/// files that reveal a process's memory layout, files or environment, and the owner /proc shows
/// (the process's effective ids, root while it is not dumpable: task_dump_owner).
enum ProcAccess {
    /// Whether the process reading /proc may inspect `target` (a kernel task may).
    static func mayInspect(_ target: Process) -> Bool {
        guard let thread = CurrentThread.thread else { return true }
        if thread.process === target { return true }
        let dumpable = target.control.withLock { $0.dumpable } == 1
        return thread.credentials.mayInspect(target.credentials, targetDumpable: dumpable)
    }

    /// EACCES unless `mayInspect` (ENOENT once the process is gone).
    static func check(_ pid: Int32) throws(Errno) -> Process {
        guard let p = Processes.process(pid) else { throw .ENOENT }
        guard mayInspect(p) else { throw .EACCES }
        return p
    }

    /// The uid and gid the files in /proc/<pid> show (root's while the process is not dumpable).
    static func owner(_ pid: Int32) -> (uid: UInt32, gid: UInt32) {
        guard let p = Processes.process(pid), p.control.withLock({ $0.dumpable }) == 1 else { return (0, 0) }
        let c = p.credentials
        return (c.euid, c.egid)
    }

    /// The process's effective ids: the owner of /proc/<pid> itself and of its fd/, dumpable or not.
    static func effectiveIDs(_ pid: Int32) -> (uid: UInt32, gid: UInt32) {
        guard let p = Processes.process(pid) else { return (0, 0) }
        let c = p.credentials
        return (c.euid, c.egid)
    }
}

/// The operations of a /proc/<pid> file guarded by the access check at open (maps, environ,
/// auxv...): as Linux, the check is made when the file is opened; reads then go to the inode.
final class ProcGuardedOperations: FileOperations, @unchecked Sendable {
    let pid: Int32
    init(pid: Int32) { self.pid = pid }
    var usesPosition: Bool { true }

    func open(_ file: OpenFile) async throws(Errno) { _ = try ProcAccess.check(pid) }

    /// SEEK_SET and SEEK_CUR, as for the other /proc files (seq_file's lseek).
    func seek(_ file: OpenFile, to offset: Int64, whence: Int32, current: Int64) throws(Errno) -> Int64 {
        let base: Int64
        switch whence {
        case SeekWhence.SEEK_SET: base = 0
        case SeekWhence.SEEK_CUR: base = current
        default: throw .EINVAL
        }
        let (new, overflow) = base.addingReportingOverflow(offset)
        guard !overflow, new >= 0 else { throw .EINVAL }
        return new
    }

    func read(_ file: OpenFile, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        try await file.location.inode.read(at: offset, into: buffer)
    }
}
