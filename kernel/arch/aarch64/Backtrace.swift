import LichenCore
import AArch64Intrinsics

/// Walks AArch64 frame records (x29 -> {previous x29, x30}) for panic reports.
enum Backtrace {
    static let maxDepth = 32

    /// Return addresses, innermost first, starting from frame pointer `fp`. Stops at anything that is
    /// not a plausible kernel stack address, so a corrupt chain cannot fault the panic path.
    static func walk(from fp: UInt64, _ visit: (UInt64) -> Void) {
        var frame = fp
        var depth = 0
        while depth < maxDepth, frame != 0, frame & 0xf == 0, isKernelStack(frame) {
            let record = UnsafePointer<UInt64>(bitPattern: UInt(frame))!
            let lr = record[1]
            guard lr != 0 else { break }
            visit(lr)
            depth += 1
            let next = record[0]
            guard next > frame else { break }         // stacks grow down: callers are above
            frame = next
        }
    }

    static func isKernelStack(_ address: UInt64) -> Bool {
        let inStacks = address >= KernelLayout.stackRegionBase && address < KernelLayout.mmioRegionBase
        let inImage = address >= KernelLayout.textStart.value && address < KernelLayout.imageEnd.value
        return (inStacks && KernelStacks.isMapped(address)) || inImage
    }

    /// "function+0x1c" for a kernel text address, or nil if unknown.
    static func symbolize(_ address: UInt64) -> String? {
        let start = VirtAddr(address_of___ksyms_start()).pointer
        let count = Int(address_of___ksyms_end() - address_of___ksyms_start())
        guard let table = SymbolTable(UnsafeRawBufferPointer(start: start, count: count)),
              address >= KernelLayout.textStart.value, address < KernelLayout.textEnd.value,
              let hit = table.lookup(address) else { return nil }
        return String(decoding: table.name(at: hit.index), as: UTF8.self) + "+" + Format.hex(hit.offset, width: 0)
    }
}
