/// One open file's readahead (Linux's file_ra_state and ondemand_readahead), sans-IO: a read says
/// which pages it needs and which of them the cache lacks; the state answers which pages to read
/// from the disk. A read at 0 or right after the previous one opens a window of 4 pages or more
/// (the request rounded up), each sequential step doubles it up to `maxPages`; the window's last
/// `asyncSize` pages start at the marker, and a read that reaches the marker while its pages are
/// cached starts the next window early (asynchronously). A read elsewhere is random: only its own
/// pages are read and the window is kept. POSIX_FADV_RANDOM turns readahead off, SEQUENTIAL doubles
/// the maximum (as Linux doubles ra_pages).
public struct ReadaheadState: Sendable {
    public enum Advice: Sendable { case normal, sequential, random }

    /// Linux's default read_ahead_kb of 128 KiB.
    public static let defaultMaxPages = (128 * 1024) / pageSize

    public var advice = Advice.normal
    /// The current window: `start..<start + size`, its marker at `start + size - asyncSize`.
    public private(set) var start: Int64 = 0
    public private(set) var size = 0
    public private(set) var asyncSize = 0
    /// The last page the previous read touched (-1: none yet).
    public private(set) var previous: Int64 = -1

    public init() {}

    public var maxPages: Int { advice == .sequential ? 2 * Self.defaultMaxPages : Self.defaultMaxPages }

    /// The marker page (nil without a window).
    public var marker: Int64? { size > 0 && asyncSize > 0 ? start + Int64(size - asyncSize) : nil }

    /// What the disk should read for a read of `pages` of a file of `pageCount` pages, when
    /// `firstMissing` is its first page not cached (nil: all are). `synchronous` are the pages the
    /// reader waits for (they include the missing ones), `asynchronous` a window started early,
    /// read without the reader waiting. Empty ranges mean nothing.
    public mutating func plan(reading pages: Range<Int64>, firstMissing: Int64?, pageCount: Int64)
        -> (synchronous: Range<Int64>, asynchronous: Range<Int64>) {
        defer { if !pages.isEmpty { previous = pages.upperBound - 1 } }
        let none: Range<Int64> = 0..<0
        guard !pages.isEmpty else { return (none, none) }
        guard advice != .random else {
            return (firstMissing.map { $0..<pages.upperBound } ?? none, none)
        }
        guard let missing = firstMissing else {
            // All cached: the marker starts the next window before the reader gets there.
            if let marker, pages.contains(marker), start + Int64(size) < pageCount {
                advance()
                return (none, clip(start..<start + Int64(size), pageCount))
            }
            return (none, none)
        }
        let request = Int(pages.upperBound - missing)
        if size > 0 && missing == start + Int64(size) {
            advance()                                        // the reader caught up with the window
        } else if missing == 0 || missing == previous + 1 || (size > 0 && missing == start + Int64(size - asyncSize)) {
            start = missing                                  // a new sequential stream
            size = initialSize(request)
            asyncSize = size > request ? size - request : size
        } else {
            return (missing..<pages.upperBound, none)        // random: only what the reader needs
        }
        let window = start..<max(start + Int64(size), pages.upperBound)
        return (clip(window, pageCount), none)
    }

    /// A read of the whole window's worth at once: the next one follows right after it.
    private mutating func advance() {
        start += Int64(size)
        size = nextSize(size)
        asyncSize = size
    }

    /// Linux's get_init_ra_size: the request rounded up to a power of two, times 4 when small,
    /// times 2 when medium, the maximum otherwise.
    func initialSize(_ request: Int) -> Int {
        var rounded = 1
        while rounded < request { rounded <<= 1 }
        if rounded <= maxPages / 32 { return min(max(rounded * 4, 4), maxPages) }
        if rounded <= maxPages / 4 { return rounded * 2 }
        return maxPages
    }

    /// Linux's get_next_ra_size: 4x while small, then 2x, up to the maximum.
    func nextSize(_ current: Int) -> Int {
        if current < maxPages / 16 { return min(4 * current, maxPages) }
        if current <= maxPages / 2 { return 2 * current }
        return maxPages
    }

    private func clip(_ r: Range<Int64>, _ pageCount: Int64) -> Range<Int64> {
        let low = min(r.lowerBound, pageCount), high = min(r.upperBound, pageCount)
        return low..<high
    }

    /// POSIX_FADV_NORMAL/SEQUENTIAL/RANDOM: the window starts again.
    public mutating func advise(_ advice: Advice) {
        self.advice = advice
        size = 0
        asyncSize = 0
    }
}
