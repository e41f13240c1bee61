import LichenCore
import _Concurrency

/// One pseudo-terminal: its number, its slave (which owns the shared TerminalCore) and the slave's
/// node in devpts.
final class PtyPair: @unchecked Sendable {
    let slave: PtySlave
    let node: DevptsNode
    /// The description of the master that opened it (the ptmx device tells its opens apart by it).
    let masterSerial: UInt64

    init(index: Int, masterSerial: UInt64, owner: InodeOwner) {
        slave = PtySlave(index: index)
        node = Devpts.shared.node(index, uid: owner.uid, gid: owner.gid)
        self.masterSerial = masterSerial
    }

    var index: Int { slave.index }
    var core: Event<TerminalCore> { slave.core }
}

/// The live pairs (from the ptmx open to the master's last close) and the numbers in use.
enum PtyPairs {
    private static let table = SpinLock<(pairs: [PtyPair], used: [Bool])>(([], []))
    /// Linux's default kernel.pty.max.
    static let maximum = 4096

    static func allocate(masterSerial: UInt64, owner: InodeOwner) throws(Errno) -> PtyPair {
        try table.withLock { (t: inout (pairs: [PtyPair], used: [Bool])) throws(Errno) -> PtyPair in
            let index = t.used.firstIndex(of: false) ?? t.used.count
            guard index < maximum else { throw .ENOSPC }
            if index == t.used.count { t.used.append(true) } else { t.used[index] = true }
            let pair = PtyPair(index: index, masterSerial: masterSerial, owner: owner)
            t.pairs.append(pair)
            return pair
        }
    }

    static func pair(master serial: UInt64) -> PtyPair? {
        table.withLock { t in t.pairs.first { $0.masterSerial == serial } }
    }

    /// The master closed: the pair, its node and its number go.
    static func remove(_ pair: PtyPair) {
        table.withLock { t in
            t.pairs.removeAll { $0 === pair }
            if pair.index < t.used.count { t.used[pair.index] = false }
        }
    }

    /// The devpts node of pair `index`, while its master is open.
    static func node(_ index: Int) -> DevptsNode? {
        table.withLock { t in t.pairs.first { $0.index == index }?.node }
    }

    /// The live pair numbers, in order (devpts' listing).
    static func indices() -> [Int] {
        table.withLock { t in t.pairs.map { $0.index } }.sorted()
    }

    static func liveSlaves() -> [Terminal] {
        table.withLock { t in t.pairs.map { $0.slave } }
    }

    /// The pty slave that is session `sid`'s controlling terminal.
    static func slave(session sid: Int32) -> PtySlave? {
        guard sid != 0 else { return nil }
        return table.withLock { t in t.pairs.first { $0.slave.session == sid }?.slave }
    }

    static func slave(_ operations: (any FileOperations)?) -> PtySlave? {
        guard let operations else { return nil }
        return table.withLock { t in t.pairs.first { $0.slave === operations }?.slave }
    }
}

/// /dev/ptmx (5:2): every open makes a new pair, whose slave appears as /dev/pts/N, locked until
/// unlockpt. The master's reads are the slave's output, its writes the slave's input.
final class PtyMaster: FileOperations, @unchecked Sendable {
    static let shared = PtyMaster()
    var usesPosition: Bool { false }

    static func register(in registry: DeviceRegistry) throws(Errno) {
        try registry.register(.character, .ptmx, shared)
    }

    func pair(_ file: OpenFile) throws(Errno) -> PtyPair {
        guard let pair = PtyPairs.pair(master: file.serial) else { throw .EIO }
        return pair
    }

    /// A new pair: ENODEV without a mounted devpts to put the slave in (Linux finds none either).
    func open(_ file: OpenFile) async throws(Errno) {
        guard Devpts.shared.mount != nil, let vfs = RootFilesystem.vfs else { throw .ENODEV }
        let credentials = ProcReader.credentials()
        let owner = InodeOwner(uid: credentials?.fsuid ?? 0, gid: credentials?.fsgid ?? 0)
        let pair = try PtyPairs.allocate(masterSerial: file.serial, owner: owner)
        do throws(Errno) {
            try vfs.devices.register(.character, pair.slave.number, pair.slave)
        } catch {
            PtyPairs.remove(pair)
            throw error
        }
    }

    /// The master's last close (Linux's pty_close): the slave hangs up, its session leader gets
    /// SIGHUP, its node goes.
    func release(_ file: OpenFile) {
        guard let pair = PtyPairs.pair(master: file.serial) else { return }
        // Unregistered before the number is reused by the next pair.
        RootFilesystem.vfs?.devices.unregister(.character, pair.slave.number)
        PtyPairs.remove(pair)
        pair.core.update { $0.masterClosed() }
        pair.slave.hangUpSession()
    }

    func read(_ file: OpenFile, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        let core = try pair(file).core
        guard buffer.count > 0 else { return 0 }
        let count = buffer.count
        let result: TerminalCore.MasterRead
        if file.isNonBlocking {
            result = core.update { $0.masterRead(count) }
        } else {
            do throws(WaitError) {
                result = try await core.wait(for: { c in
                    let r = c.masterRead(count)
                    return r == .wouldBlock ? nil : r
                })
            } catch { throw .EINTR }
        }
        switch result {
        case .data(let bytes):
            buffer.copyBytes(from: bytes)
            return bytes.count
        case .wouldBlock: throw .EAGAIN
        case .slaveClosed: throw .EIO
        }
    }

    /// Into the slave's line discipline: a full input buffer makes the writer sleep (EAGAIN with
    /// O_NONBLOCK); a signal ends the sleep with the bytes written so far.
    func write(_ file: OpenFile, from buffer: UnsafeRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        let pair = try pair(file)
        let core = pair.core
        var done = 0
        while done < buffer.count {
            let (n, signals) = core.update { $0.masterWrite(UnsafeRawBufferPointer(rebasing: buffer[done...])) }
            for signal in signals { pair.slave.raiseInForeground(signal) }
            done += n
            if done == buffer.count { break }
            if file.isNonBlocking {
                if done > 0 { break }
                throw .EAGAIN
            }
            do throws(WaitError) {
                try await core.wait(until: { $0.slaveInputHasRoom })
            } catch {
                if done > 0 { break }
                throw .EINTR
            }
        }
        return done
    }

    func poll(_ file: OpenFile) -> PollEvents {
        guard let pair = PtyPairs.pair(master: file.serial) else { return [.error, .hangUp] }
        let c = pair.core.value
        var events: PollEvents = []
        if c.masterReadable { events.insert(.readable) }
        if c.masterHasStatus { events.insert(.priority) }
        if c.slaveInputHasRoom { events.insert(.writable) }
        if c.slaveClosed { events.insert(.hangUp) }
        return events
    }

    func pollQueue(_ file: OpenFile) -> WaitQueue? { PtyPairs.pair(master: file.serial)?.core.waitQueue }
    var sendsIOSignals: Bool { true }
    var ioSignalOwnerGroup: Int32? { 0 }          // the master has no foreground group: the caller
}
