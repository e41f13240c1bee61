// How mlock, msync and madvise turn a user's (start, length) into a page range, each with Linux's
// own rounding and wrap rules (they differ: a length within a page of 2^64 rounds to zero and makes
// the call a no-op for some, EINVAL or ENOMEM for others). All arithmetic is checked or
// deliberately wrapping as Linux's; the range may lie past user space (the caller's "is it
// mapped" check then fails with ENOMEM).

public enum MemoryRangeArguments {
    static let pageMask = UInt64(pageSize) - 1

    /// Linux's PAGE_ALIGN: rounds up, wrapping to zero within a page of 2^64.
    static func pageAlignWrapping(_ length: UInt64) -> UInt64 { (length &+ pageMask) & ~pageMask }

    /// mlock, munlock, mlock2 (do_mlock): any start; the range covers every page the bytes touch.
    /// nil when it is empty (a zero length, or one that rounds to zero); EINVAL when it wraps.
    public static func lockRange(start: UInt64, length: UInt64) throws(Errno) -> UserRange? {
        let first = start & ~pageMask
        let length = pageAlignWrapping(length &+ (start & pageMask))
        let (end, wrapped) = first.addingReportingOverflow(length)
        guard !wrapped else { throw .EINVAL }
        return end == first ? nil : UserRange(start: UserAddr(first), end: UserAddr(end))
    }

    /// msync: the start must be page-aligned (EINVAL); an end that wraps is ENOMEM; nil when empty.
    public static func syncRange(start: UInt64, length: UInt64) throws(Errno) -> UserRange? {
        guard start & pageMask == 0 else { throw .EINVAL }
        let (end, wrapped) = start.addingReportingOverflow(pageAlignWrapping(length))
        guard !wrapped else { throw .ENOMEM }
        return end == start ? nil : UserRange(start: UserAddr(start), end: UserAddr(end))
    }

    /// madvise: the start must be page-aligned, and a non-zero length must not round to zero or
    /// make the end wrap (EINVAL); nil when the length is zero.
    public static func adviceRange(start: UInt64, length: UInt64) throws(Errno) -> UserRange? {
        guard start & pageMask == 0 else { throw .EINVAL }
        let rounded = pageAlignWrapping(length)
        guard length == 0 || rounded != 0 else { throw .EINVAL }
        let (end, wrapped) = start.addingReportingOverflow(rounded)
        guard !wrapped else { throw .EINVAL }
        return end == start ? nil : UserRange(start: UserAddr(start), end: UserAddr(end))
    }

    /// mincore: the start must be page-aligned (EINVAL) and [start, start + length) inside user
    /// space (ENOMEM); the pages it touches, nil when the length is zero.
    public static func residencyRange(start: UInt64, length: UInt64) throws(Errno) -> UserRange? {
        guard start & pageMask == 0 else { throw .EINVAL }
        guard length <= UserAddr.limit, UserAddr(start).rangeIsUser(count: Int(length)) else { throw .ENOMEM }
        guard length > 0 else { return nil }
        return UserRange(start: UserAddr(start), end: UserAddr(start + length).pageAlignedUp)
    }

    /// mmap of a file: whether `length` bytes (rounded to pages) from `offset` stay within the largest
    /// file offset (Linux's file_mmap_ok with MAX_LFS_FILESIZE); if not, EOVERFLOW.
    public static func fileRangeFits(offset: UInt64, length: UInt64) -> Bool {
        let largest = UInt64(Int64.max)
        let rounded = pageAlignWrapping(length)
        return rounded <= largest && offset >> UInt64(pageShift) <= (largest - rounded) >> UInt64(pageShift)
    }

    /// madvise advice values Linux 6.1 on arm64 accepts (MADV_NORMAL ... MADV_COLLAPSE, and the
    /// memory-failure ones); any other is EINVAL.
    public static func isKnownAdvice(_ advice: UInt64) -> Bool {
        switch advice {
        case 0...4, 8...25, 100, 101: true
        default: false
        }
    }
}
