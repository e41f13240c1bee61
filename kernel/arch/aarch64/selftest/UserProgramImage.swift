import LichenCore
import LichenAArch64
import AArch64Intrinsics

/// The built-in EL0 test programs (selftest_user.S), as byte ranges of the kernel image.
enum BuiltinUserProgram {
    case hello, peek, spin

    var bytes: UnsafeRawBufferPointer {
        let (start, end): (UInt64, UInt64)
        switch self {
        case .hello: (start, end) = (address_of_user_program_hello(), address_of_user_program_hello_end())
        case .peek: (start, end) = (address_of_user_program_peek(), address_of_user_program_peek_end())
        case .spin: (start, end) = (address_of_user_program_spin(), address_of_user_program_spin_end())
        }
        return UnsafeRawBufferPointer(start: VirtAddr(start).pointer, count: Int(end - start))
    }
}

extension UserAddressSpace {
    /// Maps a fresh zeroed page at `address` and copies `contents` into it (code pages get their
    /// instruction cache synchronised). Returns the frame, which the caller owns.
    func mapPage(at address: UserAddr, contents: UnsafeRawBufferPointer, attributes: MemoryAttributes) -> PhysAddr? {
        guard let frame = PhysicalMemory.allocateForUser() else { return nil }
        let page = KernelLayout.directMap(frame).pointer
        page.initializeMemory(as: UInt8.self, repeating: 0, count: pageSize)
        if let base = contents.baseAddress { page.copyMemory(from: base, byteCount: min(contents.count, pageSize)) }
        if attributes.userExecutable { sync_icache_range(UInt64(UInt(bitPattern: page)), UInt64(pageSize)) }
        do { try map(address, frame: frame, size: UInt64(pageSize), attributes: attributes) } catch {
            PhysicalMemory.free(frame)
            return nil
        }
        return frame
    }
}
