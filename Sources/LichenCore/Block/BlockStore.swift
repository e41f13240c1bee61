/// Fixed-size blocks of a disk or partition as a filesystem reads them (Linux's buffer cache, read
/// side). The kernel's `BlockCache` awaits the device; host tests and fuzzers use an image in memory.
public protocol BlockSource: AnyObject, Sendable {
    func block(_ number: UInt64) async throws(Errno) -> [UInt8]
    /// Blocks `first..<first + count` into `buffer` (count * block size bytes): file data the page
    /// cache keeps, so the kernel's cache reads the blocks it lacks in large requests and does not
    /// keep them itself. By default one `block` at a time.
    func readBlocks(_ first: UInt64, count: Int, into buffer: UnsafeMutableRawBufferPointer) async throws(Errno)
}

extension BlockSource {
    public func readBlocks(_ first: UInt64, count: Int, into buffer: UnsafeMutableRawBufferPointer) async throws(Errno) {
        guard count > 0 else { return }
        let size = buffer.count / count
        for i in 0..<count {
            let data = try await block(first + UInt64(i))
            guard data.count == size else { throw .EIO }
            data.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[i * size..<(i + 1) * size]).copyMemory(from: $0) }
        }
    }
}

/// Blocks a filesystem also writes (Linux's buffer cache, write side). `write` replaces a whole
/// block in the cache, where it stays dirty until written back (at `sync`, or earlier: the cache may
/// write a dirty block back whenever it likes, so a filesystem that must order its writes, as a
/// journal does, keeps blocks to itself until it may let them go). `sync` returns once every block
/// written before the call is on stable storage (written back, then the device cache flushed:
/// virtio-blk's FLUSH), the barrier jbd2 commits and fsync rest on.
public protocol BlockStore: BlockSource {
    /// Bytes in a block (a multiple of 512, at most the page size).
    var blockSize: Int { get }
    /// Blocks in the disk or partition; `block` and `write` past it give EIO.
    var blockCount: UInt64 { get }
    /// Replaces block `number` with `data` (exactly `blockSize` bytes: EINVAL otherwise).
    func write(_ number: UInt64, _ data: [UInt8]) async throws(Errno)
    /// Makes every earlier write durable (EIO if the device failed one).
    func sync() async throws(Errno)
}

/// A disk image in memory as a block store (host tests, fuzzers, building images). `syncs` counts
/// the barriers; `durable` is the image as of the last `sync`, what a crash right now would leave
/// (a test of crash safety compares against it).
public final class MemoryBlockStore: BlockStore, @unchecked Sendable {
    public private(set) var image: [UInt8]
    public private(set) var durable: [UInt8]
    public private(set) var syncs = 0
    public let blockSize: Int
    public var blockCount: UInt64 { UInt64(image.count / blockSize) }

    public init(_ image: [UInt8], blockSize: Int) {
        self.image = image
        self.durable = image
        self.blockSize = blockSize
    }

    public func block(_ number: UInt64) async throws(Errno) -> [UInt8] {
        guard number < blockCount else { throw .EIO }
        let from = Int(number) * blockSize
        return Array(image[from..<from + blockSize])
    }

    public func write(_ number: UInt64, _ data: [UInt8]) async throws(Errno) {
        guard data.count == blockSize else { throw .EINVAL }
        guard number < blockCount else { throw .EIO }
        let from = Int(number) * blockSize
        image.replaceSubrange(from..<from + blockSize, with: data)
    }

    public func sync() async throws(Errno) {
        durable = image
        syncs += 1
    }
}
