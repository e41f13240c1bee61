import Testing
@testable import LichenCore

@Suite struct KernelCommandLineTests {
    func pairs(_ line: KernelCommandLine) -> [String] {
        line.parameters.map { p in p.value.map { "\(p.key)=[\($0)]" } ?? p.key }
    }

    @Test func keysAndValues() {
        let line = KernelCommandLine("console=ttyAMA0,115200 root=/dev/vda rw quiet loglevel=7 empty=")
        #expect(pairs(line) == ["console=[ttyAMA0,115200]", "root=[/dev/vda]", "rw", "quiet", "loglevel=[7]", "empty=[]"])
        #expect(line.value(of: "root") == "/dev/vda")
        #expect(line.value(of: "empty") == "")
        #expect(line.value(of: "rw") == nil && line.contains("rw"))
        #expect(!line.contains("ro") && line.value(of: "ro") == nil)
        #expect(!line.contains("consol") && !line.contains("console=ttyAMA0,115200"))
        #expect(line.console == "ttyAMA0,115200")
        #expect(line.logLevel == 7)
        #expect(line.initPath == "/init")
        #expect(line.initArguments.isEmpty)
    }

    @Test func emptyAndWhitespace() {
        for text in ["", "   ", "\t\n \r\u{0B}\u{0C}"] {
            let line = KernelCommandLine(text)
            #expect(line.parameters.isEmpty && line.initArguments.isEmpty)
            #expect(line.console == nil && line.logLevel == nil && line.initPath == "/init")
        }
        let line = KernelCommandLine("\t a=1\n\nb  \r")
        #expect(pairs(line) == ["a=[1]", "b"])
    }

    @Test func lastOccurrenceWins() {
        let line = KernelCommandLine("console=tty0 console=ttyAMA0 console init=/a init=/b init")
        #expect(line.console == "ttyAMA0")
        #expect(line.initPath == "/b")  // a bare `init` does not clear it
        #expect(line.parameters.count == 6)
    }

    @Test func quoting() {
        let line = KernelCommandLine(#"init="/bin/sh -x" "quoted word" a="b c"d x=" " e=f=g "k=v w" z=""#)
        #expect(pairs(line) == ["init=[/bin/sh -x]", "quoted word", #"a=[b c"d]"#, "x=[ ]", "e=[f=g]", "k=[v w]", "z=[]"])
        #expect(line.initPath == "/bin/sh -x")
        // An unmatched quote swallows the rest of the line, as in Linux.
        let open = KernelCommandLine(#"a="b c d"#)
        #expect(pairs(open) == ["a=[b c d]"])
        #expect(pairs(KernelCommandLine(#"""#)) == [""])
        #expect(pairs(KernelCommandLine(#"x=""#)) == ["x=[]"])
    }

    @Test func doubleDashEndsKernelParameters() {
        let line = KernelCommandLine(#"root=/dev/vda init=/sbin/init -- single "two words" x=1 y="a b" --"#)
        #expect(pairs(line) == ["root=[/dev/vda]", "init=[/sbin/init]"])
        #expect(line.initArguments == ["single", "two words", "x=1", "y=a b", "--"])
        #expect(!line.contains("single") && !line.contains("--"))
        #expect(KernelCommandLine("--").initArguments.isEmpty)
        #expect(KernelCommandLine("--").parameters.isEmpty)
        // `--=x` and `---` are ordinary parameters.
        #expect(pairs(KernelCommandLine("--=x --- a")) == ["--=[x]", "---", "a"])
    }

    @Test func logLevelRange() {
        for (text, level) in [("loglevel=0", 0), ("loglevel=8", 8), ("loglevel=4 loglevel=3", 3), ("loglevel=07", 7)] {
            #expect(KernelCommandLine(text).logLevel == level)
        }
        for text in ["loglevel=9", "loglevel=-1", "loglevel=", "loglevel", "loglevel=x", "loglevel=10",
                     "loglevel=99999999999999999999999", "loglevel= 1"] {
            #expect(KernelCommandLine(text).logLevel == nil, "\(text)")
        }
    }

    @Test func emptyInitFallsBackToDefault() {
        #expect(KernelCommandLine("init=").initPath == "/init")
        #expect(KernelCommandLine("rdinit=/x").initPath == "/init")
    }

    @Test func nonASCIIIsKeptAsUTF8() {
        let line = KernelCommandLine("name=café ключ=значение")
        #expect(line.value(of: "name") == "café")
        #expect(line.value(of: "ключ") == "значение")
    }
}
