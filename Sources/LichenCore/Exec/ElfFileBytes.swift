// Where the bytes of an ELF file are: one buffer (tests, the vDSO), or the kernel's pieces of a
// program file (execve needs no physically contiguous memory the size of the file).

public protocol ElfFileBytes {
    var count: Int { get }
    /// Copies bytes [offset, offset + buffer.count), which lie inside the file, into `buffer`.
    func copyBytes(at offset: Int, into buffer: UnsafeMutableRawBufferPointer)
}

extension UnsafeRawBufferPointer: ElfFileBytes {
    public func copyBytes(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) {
        guard buffer.count > 0 else { return }
        buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: self[offset..<offset + buffer.count]))
    }
}
