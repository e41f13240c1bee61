import LichenCore
import _Concurrency

/// A writable procfs file (/proc/sys/vm/overcommit_memory, /proc/PID/oom_score_adj): reads render
/// `text`, a write hands its bytes to `store`, which parses and applies them whole (Linux's proc
/// handlers take one write; a truncating open changes nothing). Who may write is decided by the
/// file's mode and owner at open, and by `store` for finer rules.
final class ProcTunable: Inode, @unchecked Sendable {
    let metadata: InodeMetadata
    private let reader: ProcFile
    private let store: @Sendable ([UInt8]) async throws(Errno) -> Void

    init(ino: UInt64, mode: UInt32 = 0o644, uid: UInt32 = 0, text: @escaping @Sendable () async -> [UInt8],
         store: @escaping @Sendable ([UInt8]) async throws(Errno) -> Void) {
        metadata = InodeMetadata(ino: ino, mode: FileMode.S_IFREG | mode, uid: uid, gid: uid, nlink: 1, time: RootFilesystem.clock())
        reader = ProcFile(ino: ino, mode: mode, uid: uid, text: text)
        self.store = store
    }

    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int {
        try await reader.read(at: offset, into: buffer)
    }

    func write(at offset: Int64, from buffer: UnsafeRawBufferPointer, append: Bool) async throws(Errno) -> (count: Int, end: Int64) {
        guard buffer.count < 4096 else { throw .EINVAL }
        try await store(Array(buffer))
        return (buffer.count, offset + Int64(buffer.count))
    }

    /// O_TRUNC at open: nothing to truncate.
    func setattr(_ changes: AttributeChanges) async throws(Errno) {
        guard changes.mode == nil, changes.uid == nil, changes.gid == nil else { throw .EPERM }
    }
}
