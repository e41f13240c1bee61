import LichenCore

/// The writable /proc/sys/fs integers: fs.protected_hardlinks, protected_symlinks, protected_fifos
/// and protected_regular (root writes them, as sysctl does; 0644 like Linux).
enum ProcSysKnobs {
    static func linkProtection(firstIno: UInt64) -> [(String, any Inode)] {
        typealias Get = @Sendable (LinkProtection) -> Int
        typealias Set = @Sendable (inout LinkProtection, Int) -> Void
        func knob(_ name: String, _ i: UInt64, max: Int, _ get: @escaping Get, _ set: @escaping Set) -> (String, any Inode) {
            (name, ProcKnob(ino: firstIno + i, range: 0...max,
                            get: { RootFilesystem.vfs.map { get($0.mounts.linkProtection) } ?? 0 },
                            set: { value in
                                guard let mounts = RootFilesystem.vfs?.mounts else { return }
                                var p = mounts.linkProtection
                                set(&p, value)
                                mounts.linkProtection = p
                            }))
        }
        return [knob("protected_fifos", 0, max: 2, { $0.fifos }, { $0.fifos = $1 }),
                knob("protected_hardlinks", 1, max: 1, { $0.hardlinks }, { $0.hardlinks = $1 }),
                knob("protected_regular", 2, max: 2, { $0.regular }, { $0.regular = $1 }),
                knob("protected_symlinks", 3, max: 1, { $0.symlinks }, { $0.symlinks = $1 })]
    }
}

/// One integer sysctl: reads as "N\n"; a write of a decimal number in `range` sets it (EINVAL
/// otherwise, as proc_dointvec_minmax). Truncation (O_TRUNC of `echo 1 >`) is accepted and ignored.
final class ProcKnob: Inode, @unchecked Sendable {
    let metadata: InodeMetadata
    let range: ClosedRange<Int>
    let get: @Sendable () -> Int
    let set: @Sendable (Int) -> Void

    init(ino: UInt64, range: ClosedRange<Int>, get: @escaping @Sendable () -> Int, set: @escaping @Sendable (Int) -> Void) {
        metadata = InodeMetadata(ino: ino, mode: FileMode.S_IFREG | 0o644, uid: 0, gid: 0, nlink: 1, time: RootFilesystem.clock())
        self.range = range
        self.get = get
        self.set = set
    }

    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int {
        let text = Array((dec(get()) + "\n").utf8)
        guard offset >= 0, offset < Int64(text.count) else { return 0 }
        let n = min(buffer.count, text.count - Int(offset))
        for i in 0..<n { buffer[i] = text[Int(offset) + i] }
        return n
    }

    func write(at offset: Int64, from buffer: UnsafeRawBufferPointer, append: Bool) async throws(Errno) -> (count: Int, end: Int64) {
        var value = 0, digits = 0
        var bytes = Array(buffer)
        while let last = bytes.last, last == 0x0a || last == 0x20 || last == 0x09 { bytes.removeLast() }
        var index = 0
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
        for b in bytes[index...] {
            guard b >= 0x30, b <= 0x39, digits < 9 else { throw .EINVAL }
            value = value * 10 + Int(b - 0x30)
            digits += 1
        }
        guard digits > 0, range.contains(value) else { throw .EINVAL }
        set(value)
        return (buffer.count, offset + Int64(buffer.count))
    }

    func setattr(_ changes: AttributeChanges) async throws(Errno) {}
}
