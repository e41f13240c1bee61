import LichenCore

extension Thread {
    /// A syscall failed with EFAULT because user memory it copied was a disk file's page not read in
    /// yet (ProcessMemory.readInCode: the copy cannot sleep): the page is read in and the syscall runs
    /// again from the start, as after a signal that restarts it. The copies come before the effects
    /// in most syscalls; one that copies out after consuming data (a pipe read into such a page)
    /// would lose it, as documented in docs/memory.md.
    func restartAfterReadIn(_ firstArgument: UInt64) async {
        guard memory.readInPending else { return }
        saveUserFP()
        guard await memory.completeReadIn() == nil else { return }
        context.setSyscallArgument(0, firstArgument)
        context.rewindSyscall()
    }
}
