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

extension ProcTunable {
    /// One integer sysctl: reads as "N\n"; a write of a decimal number in `range` (surrounding blanks
    /// and a newline allowed) sets it, EINVAL otherwise (as proc_dointvec_minmax).
    static func integer(ino: UInt64, range: ClosedRange<Int>, get: @escaping @Sendable () -> Int,
                        set: @escaping @Sendable (Int) -> Void) -> ProcTunable {
        ProcTunable(ino: ino, text: { Array((dec(get()) + "\n").utf8) }, store: { (bytes: [UInt8]) throws(Errno) in
            set(try parseInteger(bytes, range: range))
        })
    }

    static func parseInteger(_ text: [UInt8], range: ClosedRange<Int>) throws(Errno) -> Int {
        var bytes = text[...]
        while let last = bytes.last, last == 0x0a || last == 0x20 || last == 0x09 { bytes.removeLast() }
        while let first = bytes.first, first == 0x20 || first == 0x09 { bytes.removeFirst() }
        var value = 0
        guard !bytes.isEmpty, bytes.count <= 9 else { throw .EINVAL }
        for b in bytes {
            guard b >= 0x30, b <= 0x39 else { throw .EINVAL }
            value = value * 10 + Int(b - 0x30)
        }
        guard range.contains(value) else { throw .EINVAL }
        return value
    }
}
