// What replacing one task's credentials entails besides the new ids (Linux's commit_creds).
// Credentials belong to a thread: each thread commits its own, and only its own.

/// The side effects of one thread moving from `before` to `after`.
public struct CredentialCommit: Sendable {
    /// The process becomes non-dumpable (Linux: set_dumpable(mm, suid_dumpable)) when the effective
    /// or filesystem ids change or the permitted capabilities grow; execve sets it again after.
    public let losesDumpable: Bool
    /// The thread leaves one user's RLIMIT_NPROC count for another's when its real uid changes
    /// (one task: the other threads keep their own real uid and count).
    public let movedTask: (from: UInt32, to: UInt32)?

    public init(from before: Credentials, to after: Credentials) {
        losesDumpable = after.euid != before.euid || after.egid != before.egid || after.fsuid != before.fsuid
            || after.fsgid != before.fsgid || !after.permitted.isSubset(of: before.permitted)
        movedTask = after.uid != before.uid ? (before.uid, after.uid) : nil
    }

    /// Applies the count move to `counts` (the caller holds their lock).
    public func apply(to counts: inout TaskCountsByUser) {
        if let m = movedTask { counts.move(1, from: m.from, to: m.to) }
    }
}
