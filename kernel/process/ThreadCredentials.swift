import LichenCore

// Credentials belong to the thread, as in Linux (each task has its own struct cred): set*id,
// setgroups, capset and the capability prctls change the calling thread only (glibc makes setuid
// & co process-wide itself, by signalling every thread: SIGSETXID). The process keeps a copy of
// its leader's (`Process.credentials`): what /proc/PID and signal senders see, and what the
// leader's own path walks use at no extra cost (`fs`).
extension Thread {
    /// The calling thread's credentials (Linux's current_cred()): only this thread's own task may
    /// use this; others read `sharedCredentials`.
    var credentials: Credentials { ownCredentials }

    /// This thread's credentials as another CPU sees them (kill/tgkill, /proc/PID/task/TID, capget).
    var sharedCredentials: Credentials { publishedCredentials.withLock { $0 } }

    /// The process's filesystem context with this thread's credentials: what its path walks and
    /// permission checks use. The leader's are the process's own copy (no extra work on the hot
    /// path); another thread's replace them.
    var fs: FSContext {
        var context = process.fs
        if tid != process.pid { context.credentials = ownCredentials }
        return context
    }

    /// Changes this thread's credentials (on its own task only). A new real uid moves this thread to
    /// that user's RLIMIT_NPROC count; a change of effective or filesystem ids, or a gain of
    /// permitted capabilities, makes the process non-dumpable (CredentialCommit).
    func changeCredentials<R, E: Error>(_ body: (inout Credentials) throws(E) -> R) throws(E) -> R {
        var c = ownCredentials
        let r = try body(&c)
        let commit = CredentialCommit(from: ownCredentials, to: c)
        storeCredentials(c)
        if tid == process.pid { process.leaderCredentialsChanged(c) }
        if commit.losesDumpable { process.control.withLock { $0.dumpable = 0 } }
        if commit.movedTask != nil { Processes.withTaskCounts { commit.apply(to: &$0) } }
        return r
    }

    /// This thread became the leader (execve from another thread): the process's copy follows it.
    func becameLeader() { process.leaderCredentialsChanged(ownCredentials) }
}
