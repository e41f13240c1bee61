/// The bytes an fcntl record lock covers, made absolute (Linux's flock_to_posix_lock): `first` and
/// `last` inclusive, `last == LockRange.toEnd` for a lock that runs to the end of the file and beyond
/// (l_len 0). All arithmetic reports overflow: hostile values give EINVAL or EOVERFLOW, never a trap.
public struct LockRange: Equatable, Sendable {
    public var first: Int64
    public var last: Int64
    /// OFFSET_MAX: the end of a lock "to EOF", which follows the file as it grows.
    public static let toEnd = Int64.max

    public init(first: Int64, last: Int64) {
        self.first = first
        self.last = last
    }

    /// A `struct flock` range: `start` relative to `whence` (SEEK_SET, SEEK_CUR at the file's
    /// `position`, SEEK_END at its `size`); `length` 0 means to the end, a negative `length` the
    /// bytes just before `start`.
    public init(whence: Int16, start: Int64, length: Int64, position: Int64, size: Int64) throws(Errno) {
        let base: Int64
        switch Int32(whence) {
        case SeekWhence.SEEK_SET: base = 0
        case SeekWhence.SEEK_CUR: base = position
        case SeekWhence.SEEK_END: base = size
        default: throw .EINVAL
        }
        let (begin, overflow) = base.addingReportingOverflow(start)
        guard !overflow else { throw .EOVERFLOW }
        guard begin >= 0 else { throw .EINVAL }
        if length > 0 {
            let (end, overflow) = begin.addingReportingOverflow(length - 1)
            guard !overflow else { throw .EOVERFLOW }
            self.init(first: begin, last: end)
        } else if length < 0 {
            let (from, overflow) = begin.addingReportingOverflow(length)
            guard !overflow, from >= 0 else { throw .EINVAL }
            self.init(first: from, last: begin - 1)
        } else {
            self.init(first: begin, last: LockRange.toEnd)
        }
    }

    public func overlaps(_ other: LockRange) -> Bool { first <= other.last && other.first <= last }

    /// As F_GETLK reports a lock: l_start, and l_len (0 for a lock to the end).
    public var flockStart: Int64 { first }
    public var flockLength: Int64 { last == LockRange.toEnd ? 0 : last - first + 1 }
}
