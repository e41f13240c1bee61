import LichenCore

/// A kernel byte buffer with a stable address, for I/O that awaits while the buffer is in use (an
/// Array's storage may only be borrowed inside a synchronous closure). The bytes are only reachable
/// inside `withBytes`, which keeps the buffer alive for the whole call: a raw pointer taken out and
/// used after the object's last use would point into freed memory.
final class IOBuffer {
    private let storage: UnsafeMutableRawBufferPointer
    let count: Int

    /// ENOMEM when the heap cannot supply `count` bytes (sizes often come from user space).
    /// `zeroed: false` for a bounce buffer whose bytes are only ever read after being written (a
    /// read's staging: only what the file wrote is copied out), so old heap data never leaves it.
    init(count: Int, zeroed: Bool = true) throws(Errno) {
        guard count >= 0, let memory = lichenHeapAllocate(max(count, 1), 16) else { throw .ENOMEM }
        storage = UnsafeMutableRawBufferPointer(start: memory, count: max(count, 1))
        if zeroed { storage.initializeMemory(as: UInt8.self, repeating: 0) }
        self.count = count
    }

    convenience init(_ array: [UInt8]) throws(Errno) {
        try self.init(count: array.count)
        if !array.isEmpty { storage.copyBytes(from: array) }
    }

    deinit { lichenHeapFree(storage.baseAddress!) }

    /// Runs `body` on bytes [range) (all of them by default).
    func withBytes<R, E: Error>(_ range: Range<Int>? = nil,
                                _ body: (UnsafeMutableRawBufferPointer) async throws(E) -> R) async throws(E) -> R {
        try await body(UnsafeMutableRawBufferPointer(rebasing: storage[range ?? 0..<count]))
    }

    func withBytes<R, E: Error>(_ range: Range<Int>? = nil,
                                _ body: (UnsafeMutableRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeMutableRawBufferPointer(rebasing: storage[range ?? 0..<count]))
    }

    func array(_ n: Int) -> [UInt8] { Array(UnsafeRawBufferPointer(rebasing: storage[0..<n])) }
}
