import LichenCore
import _Concurrency

/// fcntl leases: the system's lease table (LichenCore's LeaseTable), the signal that tells a holder
/// its lease is being broken, and the opener's wait for the holder (or lease-break-time).
enum Leases {
    private struct State {
        var table = LeaseTable()
        /// Each holder's F_SETOWN/F_SETSIG record, kept apart from the description (which a lease
        /// must not keep open).
        var owners: [(holder: UInt, owner: SpinLock<FileSignalOwner>)] = []
    }
    private static let state = SpinLock(State())
    private static let changed = Event<UInt64>(0)
    /// /proc/sys/fs/lease-break-time: Linux's default, 45 seconds.
    static let breakTime: UInt64 = 45 * 1_000_000_000

    private static func key(_ file: OpenFile) -> LeaseTable.FileKey {
        let status = file.status
        return LeaseTable.FileKey(device: status.device.encoded, inode: status.ino)
    }

    /// F_GETLEASE.
    static func get(_ file: OpenFile) -> Int16 {
        switch state.withLock({ $0.table.lease(on: key(file), holder: file.lockOwner) }) {
        case .read: return LinuxFlock.F_RDLCK
        case .write: return LinuxFlock.F_WRLCK
        case nil: return LinuxFlock.F_UNLCK
        }
    }

    /// F_SETLEASE, checked in Linux's order: the type (EINVAL), the caller owns the file or is the
    /// superuser (EACCES), a regular file (EINVAL), then who else has it open (EAGAIN).
    static func set(_ file: OpenFile, type: Int64, process: Process, credentials: Credentials) throws(Errno) {
        let kind: LeaseTable.Kind?
        switch type {
        case Int64(LinuxFlock.F_RDLCK): kind = .read
        case Int64(LinuxFlock.F_WRLCK): kind = .write
        case Int64(LinuxFlock.F_UNLCK): kind = nil
        default: throw .EINVAL
        }
        let metadata = file.inode.metadata
        guard credentials.fsuid == metadata.uid || credentials.has(.CAP_LEASE) else { throw .EACCES }
        guard metadata.isRegular else { throw .EINVAL }
        let others = kind == nil ? LeaseTable.OtherOpens(readers: 0, writers: 0) : otherOpens(of: file)
        let holder = file.lockOwner
        try state.withLock { (s: inout State) throws(Errno) in
            try s.table.set(on: key(file), holder: holder, kind: kind, holderWrites: file.flags.allowsWrite, others: others)
            if kind == nil {
                s.owners.removeAll { $0.holder == holder }
            } else if !s.owners.contains(where: { $0.holder == holder }) {
                s.owners.append((holder, file.signalOwner))
            }
        }
        if kind != nil {
            file.holdsFcntlLocks = true
            // The break signal goes to the caller unless an owner was set (Linux's lease_setup).
            file.signalOwner.withLock { o in if o.pid == 0 { try? o.setOwner(process.pid) } }
        }
        changed.update { $0 += 1 }
    }

    /// open(2) of a regular file: breaks the leases it conflicts with and waits until they are given
    /// up, or lease-break-time passes (EWOULDBLOCK at once with O_NONBLOCK; EINTR on a signal).
    /// Whether any lease is held at all: an open with none to break needs no wait (the instant open).
    static var anyHeld: Bool { state.withLock { $0.table.count != 0 } }

    static func breakForOpen(_ file: OpenFile, forWrite: Bool, nonBlocking: Bool) async throws(Errno) {
        guard state.withLock({ $0.table.count != 0 }), file.inode.metadata.isRegular else { return }
        let inode = key(file), opener = file.lockOwner
        while true {
            let generation = changed.value
            let now = MonotonicClock.now
            let (expired, signal, mustWait, deadline) = state.withLock { s in
                let expired = s.table.expire(now: now)
                let r = s.table.breakLeases(on: inode, opener: opener, forWrite: forWrite, deadline: now + breakTime)
                let owners = s.owners.filter { r.signal.contains($0.holder) }.map { $0.owner }
                return (expired, owners, r.mustWait, s.table.earliestDeadline(on: inode) ?? now + breakTime)
            }
            if expired { changed.update { $0 += 1 } }
            for owner in signal { notify(owner.withLock { $0 }) }
            if !mustWait { return }
            if nonBlocking { throw .EWOULDBLOCK }
            do {
                try await changed.wait(until: { $0 != generation }, timeout: .at(.uptime(nanoseconds: deadline)))
            } catch {
                if error == .interrupted { throw .EINTR }
            }
        }
    }

    static func descriptionClosed(_ holder: UInt) {
        let released = state.withLock { s -> Bool in
            s.owners.removeAll { $0.holder == holder }
            return s.table.release(holder: holder)
        }
        if released { changed.update { $0 += 1 } }
    }

    /// The lease-break signal: F_SETSIG's (SIGIO by default) to the F_SETOWN thread, process or group.
    /// (si_code is SI_KERNEL; Linux fills in POLL_MSG and the descriptor when F_SETSIG chose the signal.)
    private static func notify(_ owner: FileSignalOwner) {
        guard owner.pid > 0 else { return }
        let signo = owner.signal != 0 ? owner.signal : Signal.SIGIO.number
        let info = LinuxSigInfo.kill(signo: signo, code: LinuxSigInfo.SI_KERNEL, pid: 0, uid: 0)
        switch owner.type {
        case FileSignalOwner.F_OWNER_TID:
            if let thread = Processes.thread(owner.pid) { ProcessSignals.send(info, to: thread.process, thread: thread.index) }
        case FileSignalOwner.F_OWNER_PID:
            if let process = Processes.process(owner.pid) { ProcessSignals.send(info, to: process) }
        default:
            for pid in Processes.withTable({ $0.members(ofGroup: owner.pid) }) {
                if let process = Processes.process(pid) { ProcessSignals.send(info, to: process) }
            }
        }
    }

    /// The other open descriptions of `file`'s inode in every process (Linux counts i_readcount and
    /// i_writecount; descriptions held only by mappings are not seen here).
    private static func otherOpens(of file: OpenFile) -> LeaseTable.OtherOpens {
        var seen: [UInt] = [file.lockOwner]
        var others = LeaseTable.OtherOpens(readers: 0, writers: 0)
        for process in Processes.all() {
            let files = process.files.withLock { t in t.descriptors.compactMap { try? t.get($0) } }
            for other in files where other.location.inode === file.location.inode && !seen.contains(other.lockOwner) {
                seen.append(other.lockOwner)
                if other.flags.allowsWrite { others.writers += 1 } else if other.flags.allowsRead { others.readers += 1 }
            }
        }
        return others
    }
}
