import Testing
@testable import LichenCore

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

private func masterWrite(_ c: inout TerminalCore, _ text: [UInt8]) -> Int {
    text.withUnsafeBytes { c.masterWrite($0).count }
}

private func slaveWrite(_ c: inout TerminalCore, _ text: [UInt8]) -> Int {
    text.withUnsafeBytes { c.slaveWrite($0) }
}

private func masterRead(_ c: inout TerminalCore) -> [UInt8]? {
    if case .data(let b) = c.masterRead(4096) { return b }
    return nil
}

private func pair(raw: Bool = false) -> TerminalCore {
    var c = TerminalCore(settings: TerminalCore.ptySlaveSettings)
    c.locked = false
    if raw {
        var s = c.discipline.settings
        s.localFlags &= ~(TerminalSettings.ICANON | TerminalSettings.ECHO)
        c.setPtySlaveSettings(s, flushInput: false)
    }
    return c
}

/// ^S/^Q flow control (IXON, IXANY) and tcflow, as Linux's n_tty and tty_ioctl.
@Suite struct OutputFlowTests {
    @Test func userStopIsLiftedOnlyByTheUser() {
        var f = OutputFlow()
        #expect(f.stop() && f.stopped && !f.stop())
        #expect(f.userStop() == false && f.stoppedByUser)         // already stopped by a character
        #expect(!f.start() && f.stopped)                            // START cannot lift TCOOFF
        #expect(f.userStart() && !f.stopped && !f.userStart())
        #expect(f.userStop() && f.stopped && !f.start())
        #expect(f.userStart() && !f.stopped)
    }

    @Test func stopAndStartCharactersAreNotInput() {
        var c = pair(raw: true)
        #expect(masterWrite(&c, [19]) == 1)
        #expect(c.discipline.flow.stopped && c.discipline.availableCount == 0)
        #expect(slaveWrite(&c, bytes("out")) == 0 && !c.outputHasRoom)
        #expect(masterWrite(&c, [17]) == 1)
        #expect(!c.discipline.flow.stopped && c.discipline.availableCount == 0 && c.outputHasRoom)
        #expect(slaveWrite(&c, bytes("out")) == 3 && masterRead(&c) == bytes("out"))
    }

    @Test func withoutIXONTheyAreInput() {
        var c = pair(raw: true)
        var s = c.discipline.settings
        s.inputFlags &= ~TerminalSettings.IXON
        c.setPtySlaveSettings(s, flushInput: false)
        #expect(masterWrite(&c, [19, 17]) == 2)
        #expect(!c.discipline.flow.stopped && c.discipline.availableCount == 2)
    }

    @Test func echoIsHeldWhileStopped() {
        var c = pair()
        _ = masterWrite(&c, [19] + bytes("ab"))
        #expect(masterRead(&c) == nil)                              // nothing echoed yet
        _ = masterWrite(&c, [17])
        #expect(masterRead(&c) == bytes("ab"))
    }

    @Test func ixanyAndSignalCharactersRestart() {
        var c = pair()
        var s = c.discipline.settings
        s.inputFlags |= TerminalSettings.IXANY
        c.setPtySlaveSettings(s, flushInput: false)
        _ = masterWrite(&c, [19] + bytes("x"))
        #expect(!c.discipline.flow.stopped)
        _ = masterWrite(&c, bytes("\n"))
        #expect(masterRead(&c) == bytes("x\r\n"))
        if case .data(let line) = c.discipline.read(100) { #expect(line == bytes("x\n")) } else { Issue.record("no line") }
        s.inputFlags &= ~TerminalSettings.IXANY
        c.setPtySlaveSettings(s, flushInput: false)
        _ = masterWrite(&c, [19] + bytes("y"))
        #expect(c.discipline.flow.stopped)
        #expect(c.masterWrite(UnsafeRawBufferPointer(start: nil, count: 0)).count == 0)
        let r = Array([UInt8(3)]).withUnsafeBytes { c.masterWrite($0) }  // ^C: SIGINT, and output runs
        #expect(r.signals == [.interrupt] && !c.discipline.flow.stopped)
        #expect(masterRead(&c) == bytes("^C"))                      // the held "y" went with the flush
    }

    @Test func literalNextStoresStop() {
        var c = pair()
        _ = masterWrite(&c, [22, 19] + bytes("\n"))                // ^V ^S
        #expect(!c.discipline.flow.stopped)
        if case .data(let line) = c.discipline.read(100) { #expect(line == [19, 10]) } else { Issue.record("no line") }
    }

    @Test func turningIXONOffStartsOutput() {
        var c = pair()
        _ = masterWrite(&c, [19] + bytes("z"))
        var s = c.discipline.settings
        s.inputFlags &= ~TerminalSettings.IXON
        c.setPtySlaveSettings(s, flushInput: false)
        #expect(!c.discipline.flow.stopped)
        #expect(masterRead(&c) == bytes("z"))                       // the held echo went out
    }

    @Test func tcflowOnTheSlave() {
        var c = pair()
        _ = c.userFlow(stop: true)
        #expect(c.discipline.flow.stoppedByUser && !c.outputHasRoom)
        _ = masterWrite(&c, [17])                                   // ^Q cannot lift it
        #expect(c.discipline.flow.stopped)
        c.sendCharacterToMaster(19)                                 // TCIOFF after TCOOFF: dropped
        #expect(masterRead(&c) == nil)
        _ = c.userFlow(stop: false)
        #expect(!c.discipline.flow.stopped && c.outputHasRoom)
        _ = masterWrite(&c, [19])
        c.sendCharacterToMaster(17)                                 // after ^S it goes out
        #expect(masterRead(&c) == [17] && c.discipline.flow.stopped)
    }

    @Test func tcflowOnTheMaster() {
        var c = pair(raw: true)
        c.masterUserFlow(stop: true)
        #expect(!c.slaveInputHasRoom && masterWrite(&c, bytes("a")) == 0)
        _ = c.masterSendCharacter(TerminalCore.masterStop)          // dropped while the master is stopped
        #expect(!c.discipline.flow.stopped)
        c.masterUserFlow(stop: false)
        #expect(c.masterSendCharacter(TerminalCore.masterStop) == nil)   // TCIOFF: the slave's output stops
        #expect(c.discipline.flow.stopped)
        #expect(c.slaveInputHasRoom && masterWrite(&c, bytes("a")) == 1)
        _ = c.masterSendCharacter(TerminalCore.masterStart)
        #expect(!c.discipline.flow.stopped)
    }

    @Test func packetModeReportsStopAndStart() {
        var c = pair()
        c.setPacketMode(true)
        _ = masterWrite(&c, [19])
        #expect(masterRead(&c) == [TerminalCore.TIOCPKT_STOP])
        _ = masterWrite(&c, [17])
        #expect(masterRead(&c) == [TerminalCore.TIOCPKT_START])
        _ = masterWrite(&c, [19, 17])                               // START replaces STOP
        #expect(masterRead(&c) == [TerminalCore.TIOCPKT_START])
    }
}
