/// Headers at the start of the kernel heap's pages. Both begin with a magic word derived from
/// the page address, which tells slab pages, page runs and freed pages apart and makes a stray
/// pointer unlikely to pass for a heap pointer.
enum HeapMagic {
    static let slab: UInt32 = 0x51AB_0000
    static let large: UInt32 = 0x1A46_0000
    /// Written when a page goes back to the source: a later free of it is a double free.
    static let freed: UInt32 = 0xF8EE_0000

    static func tag(_ kind: UInt32, _ page: UnsafeMutableRawPointer) -> UInt32 {
        kind ^ UInt32(truncatingIfNeeded: UInt(bitPattern: page) >> UInt(pageShift))
    }
}

/// Header of a one-page slab. Objects start at `HeapSizeClass.firstOffset`; the free list is
/// threaded through the free objects as 16-bit page offsets (0 ends it). The bitmap, one bit per
/// object set while allocated, is the authority: it catches double frees and lets a corrupted
/// free list be rebuilt.
struct SlabHeader {
    var magic: UInt32
    var sizeClass: UInt8
    var inUse: UInt16
    var capacity: UInt16
    var freeHead: UInt16
    /// The class's object size and first object's offset, kept here so the hot paths need not
    /// recompute them from the class (they fill what was padding).
    var objectSize: UInt16
    var firstOffset: UInt16
    /// Links of the class's list of slabs with free objects.
    var next: UnsafeMutablePointer<SlabHeader>?
    var prev: UnsafeMutablePointer<SlabHeader>?
    var bitmap: InlineArray<4, UInt64>

    /// Where `bitmap` lies in the header (a host test checks it against the layout).
    static let bitmapOffset = 32
}

/// The bitmap through the header's address: `pointee.method()` would copy the whole header out.
extension UnsafeMutablePointer where Pointee == SlabHeader {
    func isAllocated(_ index: Int) -> Bool {
        let word = UnsafeRawPointer(self).load(fromByteOffset: SlabHeader.bitmapOffset + (index >> 6) * 8, as: UInt64.self)
        return word & (1 << UInt64(index & 63)) != 0
    }

    func setAllocated(_ index: Int, _ on: Bool) {
        let raw = UnsafeMutableRawPointer(self), at = SlabHeader.bitmapOffset + (index >> 6) * 8
        let word = raw.load(fromByteOffset: at, as: UInt64.self), bit: UInt64 = 1 << UInt64(index & 63)
        raw.storeBytes(of: on ? word | bit : word & ~bit, toByteOffset: at, as: UInt64.self)
    }
}

/// Header of a page run holding one large allocation. The user pointer lies `userOffset` bytes
/// after it: 64 bytes, or the alignment when larger. A 4096-aligned allocation therefore starts
/// on the run's second page, and a page-aligned pointer always finds its header one page below.
struct LargeHeader {
    var magic: UInt32
    var order: UInt8
    var userOffset: UInt16

    var usableSize: Int { (pageSize << Int(order)) - Int(userOffset) }
}

/// Where a pointer handed to `free` lives.
enum HeapBlock {
    case object(UnsafeMutablePointer<SlabHeader>, index: Int)
    case large(UnsafeMutablePointer<LargeHeader>)
}
