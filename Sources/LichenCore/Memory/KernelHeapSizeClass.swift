/// The slab size classes of `KernelHeap`. Each slab is one page with a 64-byte header at its
/// start; objects are aligned to the largest power of two dividing their size (so malloc's
/// 16-byte guarantee holds everywhere). 1344 and 2016 are the largest sizes that fit three and
/// two objects after the header; a 2048-byte class would fit only one, no better than a page run.
public enum HeapSizeClass {
    public static let count = 14
    /// Bytes reserved at the start of every heap page for its header.
    public static let headerBytes = 64
    /// Alignment every heap allocation has at least.
    public static let minAlignment = 16

    public static func size(_ c: Int) -> Int {
        switch c {
        case 0: 16
        case 1: 32
        case 2: 48
        case 3: 64
        case 4: 96
        case 5: 128
        case 6: 192
        case 7: 256
        case 8: 384
        case 9: 512
        case 10: 768
        case 11: 1024
        case 12: 1344
        default: 2016
        }
    }

    public static func alignment(_ c: Int) -> Int {
        let s = size(c)
        return s & -s
    }

    /// Page offset of the first object.
    public static func firstOffset(_ c: Int) -> Int {
        let a = alignment(c)
        return (headerBytes + a - 1) & ~(a - 1)
    }

    /// Objects per slab page.
    public static func capacity(_ c: Int) -> Int { (pageSize - firstOffset(c)) / size(c) }

    /// The smallest class holding `size` bytes at `alignment`, or nil when a page run is needed.
    public static func index(size: Int, alignment: Int) -> Int? {
        guard size <= 2016 else { return nil }
        var c = smallestHolding(size)
        while c < count && Self.alignment(c) < alignment { c += 1 }   // rare: alignment above 16
        return c < count ? c : nil
    }

    /// The smallest class of at least `size` bytes (`size` <= 2016), without a search: up to 1024
    /// the classes are the powers of two from 16 and the sizes halfway between them.
    static func smallestHolding(_ size: Int) -> Int {
        if size <= 16 { return 0 }
        if size > 1024 { return size <= 1344 ? 12 : 13 }
        let p = Int.bitWidth - (size - 1).leadingZeroBitCount   // 2^(p-1) < size <= 2^p, p in 5...10
        let power = 2 * (p - 4) - 1                            // the class of 2^p
        return p >= 6 && size <= 3 << (p - 2) ? power - 1 : power
    }
}
