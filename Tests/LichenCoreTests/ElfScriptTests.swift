import Testing
@testable import LichenCore

@Suite struct ElfScriptTests {
    func parse(_ s: String) throws(ScriptError) -> ScriptInterpreter { try ScriptInterpreter(fileHead: Array(s.utf8)) }
    func error(_ s: String) -> ScriptError? {
        do { _ = try parse(s); return nil } catch { return error }
    }
    func b(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func simple() throws {
        let s = try parse("#!/bin/sh\necho hi\n")
        #expect(s.path == b("/bin/sh"))
        #expect(s.argument == nil)
    }

    @Test func blanksAndOneArgument() throws {
        let s = try parse("#! \t/bin/sh  -x \t\nexit 0\n")
        #expect(s.path == b("/bin/sh"))
        #expect(s.argument == b("-x"))
        // Everything after the interpreter is a single argument, inner blanks included.
        let env = try parse("#!/usr/bin/env python3 -u\t-O  \n")
        #expect(env.path == b("/usr/bin/env"))
        #expect(env.argument == b("python3 -u\t-O"))
    }

    @Test func noNewline() throws {
        #expect(try parse("#!/bin/sh").path == b("/bin/sh"))
        // Without a newline nothing is trimmed from the end (the line ends at the zero padding).
        #expect(try parse("#!/bin/sh -e  ").argument == b("-e  "))
    }

    @Test func carriageReturnStaysInThePath() throws {
        #expect(try parse("#!/bin/sh\r\n").path == b("/bin/sh\r"))  // Linux: "bad interpreter: /bin/sh^M"
    }

    @Test func longLines() throws {
        // The interpreter path runs past the 256-byte buffer: refused.
        #expect(error("#!/" + String(repeating: "a", count: 300)) == .interpreterTruncated)
        #expect(error("#!/" + String(repeating: "a", count: 300) + "\n") == .interpreterTruncated)
        // The argument is cut to fit: bytes 10..<255 (the last byte of the buffer is dropped).
        let s = try parse("#!/bin/sh " + String(repeating: "a", count: 300) + "\n")
        #expect(s.path == b("/bin/sh"))
        #expect(s.argument == [UInt8](repeating: 0x61, count: 245))
        // A newline at index 255 still counts.
        let exact = try parse("#!/bin/sh " + String(repeating: "b", count: 245) + "\n")
        #expect(exact.argument?.count == 245)
        // Interpreter ending exactly before the last byte of the buffer.
        let edge = try parse("#!" + String(repeating: "c", count: 252) + " " + String(repeating: "d", count: 10))
        #expect(edge.path.count == 252)
        #expect(edge.argument == nil)
    }

    @Test func nulInTheLine() throws {
        // Linux trims blanks from the line's end, then reads a C string: the blank before NUL stays.
        #expect(try parse("#!/bin/sh -x \0abc\n").argument == b("-x "))
        #expect(try parse("#!/bin/sh\0 -x\n").argument == nil)
        #expect(error("#!\0/bin/sh\n") == .missingInterpreter)
    }

    @Test func errors() {
        #expect(error("") == .notAScript)
        #expect(error("#") == .notAScript)
        #expect(error("!#/bin/sh\n") == .notAScript)
        #expect(error("\u{7f}ELF") == .notAScript)
        #expect(error("#!") == .missingInterpreter)
        #expect(error("#!\n/bin/sh\n") == .missingInterpreter)
        #expect(error("#! \t \n") == .missingInterpreter)
        #expect(error("#!" + String(repeating: " ", count: 400)) == .missingInterpreter)
    }

    @Test func rewrittenArguments() throws {
        let s = try parse("#!/bin/sh -e\n")
        #expect(s.arguments(scriptPath: b("./run.sh"), originalArguments: [b("run.sh"), b("a"), b("b")])
                == [b("/bin/sh"), b("-e"), b("./run.sh"), b("a"), b("b")])
        let t = try parse("#!/bin/busybox\n")
        #expect(t.arguments(scriptPath: b("/init"), originalArguments: []) == [b("/bin/busybox"), b("/init")])
    }

    @Test func randomHeadsNeverTrap() {
        var rng = SplitMix64(state: 0x2321)
        let alphabet: [UInt8] = [0x20, 0x09, 0x0a, 0x00, 0x2f, 0x61, 0x0d]
        for _ in 0..<3000 {
            let n = Int.random(in: 0..<300, using: &rng)
            let head = [0x23, 0x21] + (0..<n).map { _ in alphabet.randomElement(using: &rng)! }
            if let s = try? ScriptInterpreter(fileHead: head) {
                #expect(!s.path.isEmpty && s.path.count < 254)
                #expect(!s.path.contains(0) && !s.path.contains(0x20) && !s.path.contains(0x0a))
                #expect(s.argument.map { !$0.isEmpty && !$0.contains(0) && !$0.contains(0x0a) } ?? true)
            }
        }
    }
}
