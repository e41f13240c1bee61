import Testing
@testable import LichenCore

private func masterWrite(_ c: inout TerminalCore, _ text: String) -> (count: Int, signals: [LineDiscipline.Signal]) {
    Array(text.utf8).withUnsafeBytes { c.masterWrite($0) }
}

private func slaveWrite(_ c: inout TerminalCore, _ bytes: [UInt8]) -> Int {
    bytes.withUnsafeBytes { c.slaveWrite($0) }
}

private func masterText(_ c: inout TerminalCore, _ count: Int = 4096) -> String? {
    if case .data(let bytes) = c.masterRead(count) { return String(decoding: bytes, as: UTF8.self) }
    return nil
}

private func slaveText(_ c: inout TerminalCore) -> String? {
    if case .data(let bytes) = c.discipline.read(4096) { return String(decoding: bytes, as: UTF8.self) }
    return nil
}

/// The pty pair core: master writes through the slave's line discipline, slave output processed
/// into the master's queue, packet mode, the ends closing.
@Suite struct TerminalCoreTests {
    @Test func masterWritesAreTheSlavesInputWithEchoBack() {
        var c = TerminalCore(settings: TerminalCore.ptySlaveSettings)
        c.locked = false
        #expect(masterWrite(&c, "ls\r").count == 3)
        #expect(slaveText(&c) == "ls\n")
        #expect(masterText(&c) == "ls\r\n")                 // echo, ONLCR
        #expect(c.masterRead(10) == .wouldBlock)
    }

    @Test func slaveOutputIsProcessedForTheMaster() {
        var c = TerminalCore(settings: TerminalCore.ptySlaveSettings)
        #expect(slaveWrite(&c, Array("a\nb".utf8)) == 3)
        #expect(c.outputCount == 4)
        #expect(masterText(&c, 2) == "a\r")
        #expect(masterText(&c) == "\nb")
    }

    @Test func controlCharactersRaiseSignals() {
        var c = TerminalCore(settings: TerminalCore.ptySlaveSettings)
        let r = masterWrite(&c, "x\u{3}\u{1a}")
        #expect(r.signals == [.interrupt, .suspend])
        #expect(masterText(&c) == "x^C^Z")
    }

    @Test func slaveWritesStopAtCapacityWithoutSplittingACRLF() {
        var c = TerminalCore(settings: TerminalCore.ptySlaveSettings)
        let fill = [UInt8](repeating: 65, count: TerminalCore.outputCapacity - 1)
        #expect(slaveWrite(&c, fill) == fill.count)
        #expect(!c.outputHasRoom)
        #expect(slaveWrite(&c, [10]) == 0)                  // "\r\n" does not fit in one byte
        #expect(slaveWrite(&c, [66]) == 1)
        #expect(slaveWrite(&c, [66]) == 0)
        _ = c.masterRead(10)
        #expect(c.outputHasRoom)
    }

    @Test func masterWritesStopWhenTheSlaveInputIsFull() {
        var settings = TerminalCore.ptySlaveSettings
        settings.localFlags = 0                             // raw, no echo
        var c = TerminalCore(settings: settings)
        let big = String(repeating: "z", count: 5000)
        let r = masterWrite(&c, big)
        #expect(r.count < 5000 && r.count >= LineDiscipline.capacity - 1)
        #expect(!c.slaveInputHasRoom)
        _ = c.discipline.read(100)
        #expect(c.slaveInputHasRoom)
    }

    @Test func packetModeFramesDataAndReportsStatus() {
        var c = TerminalCore(settings: TerminalCore.ptySlaveSettings)
        c.setPacketMode(true)
        _ = slaveWrite(&c, Array("hi".utf8))
        #expect(c.masterRead(10) == .data([0, 104, 105]))
        c.flush(input: true, output: false, pty: true)
        #expect(c.masterHasStatus && c.masterReadable)
        #expect(c.masterRead(10) == .data([TerminalCore.TIOCPKT_FLUSHREAD]))
        #expect(!c.masterHasStatus)
        var s = c.discipline.settings
        s.inputFlags &= ~TerminalSettings.IXON
        c.setPtySlaveSettings(s, flushInput: false)
        #expect(c.masterRead(10) == .data([TerminalCore.TIOCPKT_NOSTOP]))
        _ = masterWrite(&c, "\u{3}")                        // isig flushes both ways
        #expect(c.masterRead(1) == .data([TerminalCore.TIOCPKT_FLUSHREAD | TerminalCore.TIOCPKT_FLUSHWRITE]))
        c.setPacketMode(false)
        c.flush(input: false, output: true, pty: true)
        #expect(!c.masterHasStatus)
    }

    @Test func slaveSettingsKeepCS8AndCREAD() {
        var c = TerminalCore(settings: TerminalCore.ptySlaveSettings)
        var s = c.discipline.settings
        s.controlFlags = 0o400                              // PARENB alone
        c.setPtySlaveSettings(s, flushInput: false)
        #expect(c.discipline.settings.controlFlags == TerminalSettings.CS8 | TerminalSettings.CREAD)
    }

    @Test func lastSlaveCloseGivesTheMasterEIOAfterItsData() {
        var c = TerminalCore(settings: TerminalCore.ptySlaveSettings)
        #expect(c.masterRead(10) == .wouldBlock)            // never opened: a master read waits
        c.slaveOpened()
        c.slaveOpened()
        _ = slaveWrite(&c, Array("x".utf8))
        c.slaveReleased()
        #expect(!c.slaveClosed)
        c.slaveReleased()
        #expect(c.slaveClosed)
        #expect(masterText(&c) == "x")
        #expect(c.masterRead(10) == .slaveClosed)
        c.slaveOpened()
        #expect(c.masterRead(10) == .wouldBlock)
    }

    @Test func masterCloseHangsUpTheSlave() {
        var c = TerminalCore(settings: TerminalCore.ptySlaveSettings)
        c.setPacketMode(true)
        c.masterClosed()
        #expect(c.hungUp)
        #expect(!c.packetMode)
    }

    @Test func masterFlushDropsQueuedOutput() {
        var c = TerminalCore(settings: TerminalCore.ptySlaveSettings)
        _ = slaveWrite(&c, Array("abc".utf8))
        c.flushOutputQueue()
        #expect(c.outputCount == 0)
    }
}
