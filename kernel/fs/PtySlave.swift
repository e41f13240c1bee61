import LichenCore
import _Concurrency

/// A pty's slave end (/dev/pts/N): a Terminal like the console, whose output goes to the master's
/// queue in the pair's TerminalCore and whose input is what the master writes.
final class PtySlave: Terminal, FileOperations, @unchecked Sendable {
    let index: Int

    init(index: Int) {
        self.index = index
        super.init(settings: TerminalCore.ptySlaveSettings)
    }

    override var isPtySlave: Bool { true }
    var usesPosition: Bool { false }

    var number: DeviceNumber { DeviceNumber(major: DeviceNumber.ptySlaveMajor, minor: UInt32(index)) }

    /// Locked (until unlockpt) or hung up: EIO, as Linux's pty_open.
    func open(_ file: OpenFile) async throws(Errno) {
        let opened = core.update { (c: inout TerminalCore) -> Bool in
            guard !c.locked && !c.hungUp else { return false }
            c.slaveOpened()
            return true
        }
        guard opened else { throw .EIO }
    }

    func release(_ file: OpenFile) {
        core.update { $0.slaveReleased() }
    }

    func read(_ file: OpenFile, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        try await readInput(file, into: buffer)
    }

    func write(_ file: OpenFile, from buffer: UnsafeRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        try await transmit(file, from: buffer)
    }

    /// Output-processed into the master's queue; a full queue or stopped output (^S, tcflow) makes
    /// the writer sleep (EAGAIN with O_NONBLOCK), a signal ends the sleep with the bytes written so
    /// far. Hung up: EIO.
    private func transmit(_ file: OpenFile, from buffer: UnsafeRawBufferPointer) async throws(Errno) -> Int {
        if core.value.hungUp { throw .EIO }
        try checkBackgroundWrite()
        var done = 0
        while true {
            let taken = core.update { (c: inout TerminalCore) -> Int? in
                c.hungUp ? nil : c.slaveWrite(UnsafeRawBufferPointer(rebasing: buffer[done...]))
            }
            guard let n = taken else { throw .EIO }
            done += n
            if done == buffer.count { return done }
            if file.isNonBlocking {
                if done > 0 { return done }
                throw .EAGAIN
            }
            do throws(WaitError) {
                try await core.wait(until: { $0.outputHasRoom || $0.hungUp })
            } catch {
                if done > 0 { return done }
                throw .EINTR
            }
        }
    }

    override func echo(_ bytes: [UInt8]) {
        core.update { $0.queueEcho(bytes) }
    }

    override func transmitCharacter(_ c: UInt8) {
        core.update { $0.sendCharacterToMaster(c) }
    }

    func ioctl(_ file: OpenFile, request: UInt32, argument: UInt64, caller: IoctlCaller) async throws(Errno) -> Int64 {
        // A hung-up terminal answers nothing (hung_up_tty_ioctl): TIOCSPGRP ENOTTY, the rest EIO.
        if core.value.hungUp { throw request == LinuxIoctl.TIOCSPGRP ? .ENOTTY : .EIO }
        return try await terminalIoctl(file, request: request, argument: argument, caller: caller)
    }

    func poll(_ file: OpenFile) -> PollEvents {
        let c = core.value
        if c.hungUp { return [.readable, .writable, .error, .hangUp] }
        var events: PollEvents = []
        if c.discipline.isReadable { events.insert(.readable) }
        if c.outputHasRoom { events.insert(.writable) }
        return events
    }

    func pollQueue(_ file: OpenFile) -> WaitQueue? { core.waitQueue }
    var sendsIOSignals: Bool { true }
    var ioSignalOwnerGroup: Int32? { foregroundGroup }
}
