// The OOM killer's choice, as Linux's mm/oom_kill.c makes it: every killable process gets a
// badness (its footprint in pages: resident pages, swap entries and page tables, moved by
// oom_score_adj in thousandths of all memory), the largest dies. oom_score_adj -1000 exempts a
// process; init and kernel tasks are never candidates. While an earlier victim is still dying,
// nobody else is chosen: its memory is about to come back.

/// /proc/PID/oom_score_adj's range and its privileged floor (Linux's signal_struct fields).
public struct OOMScoreAdjustment: Equatable, Sendable {
    public static let minimum: Int32 = -1000        // OOM_SCORE_ADJ_MIN: never killed
    public static let maximum: Int32 = 1000

    public var value: Int32 = 0
    /// The lowest value an unprivileged writer may set (oom_score_adj_min): a privileged writer's
    /// last value, so that an unprivileged process cannot undo an administrator's protection.
    public var floor: Int32 = 0

    public init() {}

    /// A write of `text` (decimal, surrounding whitespace ignored), as Linux's oom_score_adj_write:
    /// EINVAL for a malformed or out-of-range number, EACCES for going below the floor without
    /// CAP_SYS_RESOURCE (`privileged`), which also moves the floor when it has it.
    public mutating func write(_ text: [UInt8], privileged: Bool) throws(Errno) {
        guard let v = OOMScoreAdjustment.parse(text), v >= OOMScoreAdjustment.minimum, v <= OOMScoreAdjustment.maximum else {
            throw .EINVAL
        }
        if v < floor && !privileged { throw .EACCES }
        value = v
        if privileged { floor = v }
    }

    /// kstrtoint after strstrip.
    static func parse(_ text: [UInt8]) -> Int32? {
        guard let n = parseLong(text), n >= Int64(Int32.min), n <= Int64(Int32.max) else { return nil }
        return Int32(n)
    }

    /// A decimal number with an optional sign, surrounding whitespace (and a trailing NUL) ignored,
    /// nothing else: what Linux's integer proc handlers accept.
    static func parseLong(_ text: [UInt8]) -> Int64? {
        var s = text[...]
        while let c = s.first, c == 0x20 || (c >= 0x09 && c <= 0x0d) { s = s.dropFirst() }
        while let c = s.last, c == 0x20 || (c >= 0x09 && c <= 0x0d) || c == 0 { s = s.dropLast() }
        var negative = false
        if let c = s.first, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") { negative = c == UInt8(ascii: "-"); s = s.dropFirst() }
        guard !s.isEmpty, s.count <= 18 else { return nil }
        var n: Int64 = 0
        for c in s {
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
            n = n * 10 + Int64(c - UInt8(ascii: "0"))
        }
        return negative ? -n : n
    }
}

/// What the OOM killer knows of one process.
public struct OOMCandidate: Equatable, Sendable {
    public var pid: Int32
    public var residentPages: Int
    public var pageTablePages: Int
    public var swapPages: Int = 0
    public var adjustment: Int32
    /// init, or a kernel task: never chosen.
    public var unkillable: Bool = false
    /// Already killed by the OOM killer and not gone yet.
    public var dying: Bool = false

    public init(pid: Int32, residentPages: Int, pageTablePages: Int, adjustment: Int32, unkillable: Bool = false, dying: Bool = false) {
        self.pid = pid
        self.residentPages = residentPages
        self.pageTablePages = pageTablePages
        self.adjustment = adjustment
        self.unkillable = unkillable
        self.dying = dying
    }
}

public enum OutOfMemoryPolicy {
    /// oom_badness: nil for a process that may not be chosen.
    public static func badness(_ c: OOMCandidate, totalPages: Int) -> Int? {
        if c.unkillable || c.adjustment == OOMScoreAdjustment.minimum { return nil }
        return c.residentPages + c.swapPages + c.pageTablePages + Int(c.adjustment) * (totalPages / 1000)
    }

    /// /proc/PID/oom_score (Linux 6.1's proc_oom_score): badness scaled into [0, 2000] * 2/3.
    public static func score(_ c: OOMCandidate, totalPages: Int) -> Int {
        guard let b = badness(c, totalPages: totalPages), totalPages > 0 else { return 0 }
        return max(0, (1000 + b * 1000 / totalPages) * 2 / 3)
    }

    public enum Choice: Equatable, Sendable {
        /// Kill this one.
        case victim(Int32)
        /// An earlier victim is still dying: wait for its memory rather than kill another.
        case waitForDying(Int32)
        /// Nothing may be killed (Linux panics with "Out of memory and no killable processes").
        case none
    }

    /// select_bad_process: one pass over the candidates, the highest badness wins (a later one on a
    /// tie, as Linux's `points < chosen_points` test lets it), a dying victim stops the search.
    public static func choose(_ candidates: [OOMCandidate], totalPages: Int) -> Choice {
        var chosen: Int32? = nil
        var chosenPoints = Int.min
        for c in candidates {
            if c.dying && !c.unkillable { return .waitForDying(c.pid) }
            guard let points = badness(c, totalPages: totalPages), points >= chosenPoints else { continue }
            chosen = c.pid
            chosenPoints = points
        }
        return chosen.map { .victim($0) } ?? .none
    }
}
