import LichenCore
import _Concurrency

/// The signal-mask argument of pselect6, ppoll (and rt_sigsuspend's): Linux's set_user_sigmask and
/// restore_saved_sigmask_unless. The mask is installed for the sleep, so a signal it unblocks ends
/// the sleep with EINTR; the original mask is kept in `savedBlocked`, which the handler's frame saves
/// (rt_sigreturn restores it after the handler) or delivery restores when no handler runs. A call
/// that returns anything but EINTR restores it at once: the signal stays pending, as on Linux.
extension Thread {
    /// Reads a user sigset_t of `size` bytes (EINVAL unless 8, as arm64 Linux; EFAULT if unreadable).
    static func userSignalMask(_ a: SyscallArguments, at address: UserAddr, size: UInt64) throws(Errno) -> SignalSet? {
        guard address.value != 0 else { return nil }
        guard size == 8 else { throw .EINVAL }
        return SignalSet(bits: try a.user.load(UInt64.self, from: address))
    }

    /// Runs `body` (a sleep) under `mask` (nil: the thread's own mask, nothing to swap).
    func withTemporarySignalMask<R>(_ mask: SignalSet?, _ body: () async throws(Errno) -> R) async throws(Errno) -> R {
        guard let mask else { return try await body() }
        installTemporarySignalMask(mask)
        do throws(Errno) {
            let value = try await body()
            restoreSignalMaskNow()
            return value
        } catch {
            if error != .EINTR { restoreSignalMaskNow() }
            throw error
        }
    }

    /// Swaps in `mask` and wakes the sleep to come if a signal it unblocks is already pending.
    func installTemporarySignalMask(_ mask: SignalSet) {
        let i = index
        process.signals.withLock { $0.threads[i].suspend(with: mask) }
        wakeForSignal()
    }

    private func restoreSignalMaskNow() {
        let i = index
        process.signals.withLock { $0.threads[i].restoreSavedMask() }
    }
}
