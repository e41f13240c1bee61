import Testing
@testable import LichenCore

private func feed(_ ld: inout LineDiscipline, _ text: String) -> LineDiscipline.Effects {
    var all = LineDiscipline.Effects()
    for b in text.utf8 {
        let e = ld.receive(b)
        all.echo += e.echo
        all.signal = e.signal ?? all.signal
        all.readable = all.readable || e.readable
    }
    return all
}

private func text(_ r: LineDiscipline.ReadResult) -> String? {
    if case .data(let bytes) = r { return String(decoding: bytes, as: UTF8.self) }
    return nil
}

@Suite struct LineDisciplineTests {
    @Test func canonicalLineWithEchoAndCRNL() {
        var ld = LineDiscipline()
        let e = feed(&ld, "ls -l\r")
        #expect(e.echo == Array("ls -l\r\n".utf8))
        #expect(e.readable)
        #expect(text(ld.read(100)) == "ls -l\n")
        #expect(ld.read(100) == .wouldBlock)
    }
    @Test func readsNeverCrossALineAndRespectCount() {
        var ld = LineDiscipline()
        _ = feed(&ld, "abc\ndef\n")
        #expect(ld.availableCount == 8)
        #expect(text(ld.read(2)) == "ab")
        #expect(text(ld.read(100)) == "c\n")
        #expect(text(ld.read(100)) == "def\n")
    }
    @Test func incompleteLineIsNotReadable() {
        var ld = LineDiscipline()
        _ = feed(&ld, "partial")
        #expect(ld.read(10) == .wouldBlock)
        #expect(!ld.isReadable && ld.availableCount == 0)
    }
    @Test func eraseKillAndWordErase() {
        var ld = LineDiscipline()
        let e = feed(&ld, "abx\u{7f}c\n")
        #expect(e.echo == Array("abx\u{8} \u{8}c\r\n".utf8))
        #expect(text(ld.read(100)) == "abc\n")
        _ = feed(&ld, "garbage\u{15}ok\n")              // ^U kills the line
        #expect(text(ld.read(100)) == "ok\n")
        _ = feed(&ld, "one two  \u{17}three\n")          // ^W erases "two  "
        #expect(text(ld.read(100)) == "one three\n")
    }
    @Test func eofOnEmptyLineAndAfterText() {
        var ld = LineDiscipline()
        _ = feed(&ld, "\u{4}")
        #expect(ld.read(10) == .endOfFile)
        _ = feed(&ld, "abc\u{4}")                        // ^D after text: the text, no newline
        #expect(text(ld.read(10)) == "abc")
        #expect(ld.read(10) == .wouldBlock)
    }
    @Test func signalsFlushAndEchoControl() {
        var ld = LineDiscipline()
        _ = feed(&ld, "half")
        let e = feed(&ld, "\u{3}")
        #expect(e.signal == .interrupt)
        #expect(e.echo == Array("^C".utf8))
        #expect(ld.read(10) == .wouldBlock)              // flushed
        #expect(feed(&ld, "\u{1c}").signal == .quit)
        #expect(feed(&ld, "\u{1a}").signal == .suspend)
        var noisig = LineDiscipline()
        noisig.settings.localFlags &= ~TerminalSettings.ISIG
        #expect(feed(&noisig, "\u{3}\n").signal == nil)
        #expect(text(noisig.read(10)) == "\u{3}\n")
    }
    @Test func rawModeWithoutEcho() {
        var ld = LineDiscipline()
        var raw = ld.settings
        raw.localFlags &= ~(TerminalSettings.ICANON | TerminalSettings.ECHO)
        raw.inputFlags &= ~TerminalSettings.ICRNL
        ld.update(raw)
        let e = feed(&ld, "q\r\u{7f}")
        #expect(e.echo.isEmpty && e.readable)
        #expect(ld.read(2) == .data([113, 13]))
        #expect(ld.read(5) == .data([127]))
        #expect(ld.read(5) == .wouldBlock)
    }
    @Test func switchingToRawReleasesThePendingLine() {
        var ld = LineDiscipline()
        _ = feed(&ld, "vi")
        var raw = ld.settings
        raw.localFlags &= ~TerminalSettings.ICANON
        ld.update(raw)
        #expect(text(ld.read(10)) == "vi")
    }
    @Test func literalNextAndOutputProcessing() {
        var ld = LineDiscipline()
        _ = feed(&ld, "a\u{16}\u{3}b\n")                 // ^V ^C inserts a literal ^C
        #expect(text(ld.read(10)) == "a\u{3}b\n")
        #expect(ld.output(Array("x\ny\n".utf8)) == Array("x\r\ny\r\n".utf8))
        var noPost = ld.settings
        noPost.outputFlags = 0
        ld.update(noPost)
        #expect(ld.output(Array("x\n".utf8)) == Array("x\n".utf8))
    }
    @Test func bufferIsBounded() {
        var ld = LineDiscipline()
        for _ in 0..<10_000 { _ = ld.receive(97) }
        _ = ld.receive(10)
        if case .data(let line) = ld.read(100_000) {
            #expect(line.count <= LineDiscipline.capacity && line.last == 10)
        } else {
            Issue.record("expected a line")
        }
    }
    @Test func rawReadsHonourMinimumAndPollFollowsVMIN() {
        var ld = LineDiscipline()
        var raw = ld.settings
        raw.localFlags &= ~(TerminalSettings.ICANON | TerminalSettings.ECHO)
        raw.controlCharacters[TerminalSettings.VMIN] = 3
        ld.update(raw)
        _ = feed(&ld, "ab")
        #expect(!ld.isReadable)                               // VMIN 3, VTIME 0: poll wants 3 bytes
        #expect(ld.read(10, minimum: 3) == .wouldBlock)
        #expect(text(ld.read(10, minimum: 0)) == "ab")         // VMIN 0 takes what there is
        #expect(text(ld.read(10, minimum: 0)) == "")
        _ = feed(&ld, "cde")
        #expect(ld.isReadable)
        #expect(text(ld.read(2, minimum: 2)) == "cd")
    }
    @Test func fullOnlyWhileAReaderCanMakeRoom() {
        var ld = LineDiscipline()
        for _ in 0..<(LineDiscipline.capacity + 10) { _ = ld.receive(97) }
        #expect(!ld.isFull)                                   // one long line: nobody can drain it
        _ = ld.receive(10)
        var lines = LineDiscipline()
        for i in 0..<LineDiscipline.capacity { _ = lines.receive(i % 8 == 7 ? 10 : 97) }
        #expect(lines.isFull)                                 // complete lines wait for a reader
        _ = lines.read(100)
        #expect(!lines.isFull)
    }
    @Test func ixoffSendsStopNearlyFullAndStartOnceDrained() {
        var ld = LineDiscipline()
        ld.throttles = true
        var raw = ld.settings
        raw.localFlags &= ~(TerminalSettings.ICANON | TerminalSettings.ECHO)
        raw.inputFlags |= TerminalSettings.IXOFF
        ld.update(raw)
        var sent: [UInt8] = []
        for _ in 0..<LineDiscipline.capacity { if let c = ld.receive(97).transmit { sent.append(c) } }
        #expect(sent == [19])                                  // one ^S, at 128 bytes of room
        #expect(ld.throttled)
        _ = ld.read(LineDiscipline.capacity - 200)
        #expect(ld.unthrottleIfDrained() == nil)               // 200 still queued: more than 128
        _ = ld.read(100)
        #expect(ld.unthrottleIfDrained() == 17)                // ^Q
        #expect(!ld.throttled && ld.unthrottleIfDrained() == nil)
    }
    @Test func throttlingWithoutIxoffSendsNothingAndPtysNeverThrottle() {
        var serial = LineDiscipline()
        serial.throttles = true
        var raw = serial.settings
        raw.localFlags &= ~(TerminalSettings.ICANON | TerminalSettings.ECHO)
        serial.update(raw)
        var pty = serial
        pty.throttles = false
        var ixoffPty = raw
        ixoffPty.inputFlags |= TerminalSettings.IXOFF
        pty.update(ixoffPty)
        for _ in 0..<LineDiscipline.capacity {
            #expect(serial.receive(97).transmit == nil)
            #expect(pty.receive(97).transmit == nil)
        }
        #expect(serial.throttled && !pty.throttled)
    }
    @Test func aCanonicalLineWithoutEndDoesNotThrottle() {
        var ld = LineDiscipline()
        ld.throttles = true
        var s = ld.settings
        s.inputFlags |= TerminalSettings.IXOFF
        ld.update(s)
        var sent = 0
        for _ in 0..<LineDiscipline.capacity { if ld.receive(97).transmit != nil { sent += 1 } }
        #expect(sent == 0 && !ld.throttled)                   // no reader can drain a half line
    }
}
