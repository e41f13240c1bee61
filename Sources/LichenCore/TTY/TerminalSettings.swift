// The termios settings a line discipline obeys, with Linux's flag values (asm-generic/termbits.h).

public struct TerminalSettings: Equatable, Sendable {
    public var inputFlags: UInt32
    public var outputFlags: UInt32
    public var controlFlags: UInt32
    public var localFlags: UInt32
    public var line: UInt8 = 0
    /// c_cc, indexed by the V* constants.
    public var controlCharacters: [UInt8]

    public static let controlCharacterCount = 19

    // c_iflag
    public static let IGNBRK: UInt32 = 0o1, BRKINT: UInt32 = 0o2, IGNPAR: UInt32 = 0o4, ISTRIP: UInt32 = 0o40
    public static let INLCR: UInt32 = 0o100, IGNCR: UInt32 = 0o200, ICRNL: UInt32 = 0o400, IXON: UInt32 = 0o2000
    public static let IXANY: UInt32 = 0o4000, IXOFF: UInt32 = 0o10000, IMAXBEL: UInt32 = 0o20000, IUTF8: UInt32 = 0o40000
    // c_oflag
    public static let OPOST: UInt32 = 0o1, ONLCR: UInt32 = 0o4, OCRNL: UInt32 = 0o10, ONOCR: UInt32 = 0o20, ONLRET: UInt32 = 0o40
    // c_cflag
    public static let B38400: UInt32 = 0o17, CS8: UInt32 = 0o60, CREAD: UInt32 = 0o200, HUPCL: UInt32 = 0o2000, CLOCAL: UInt32 = 0o4000
    // c_lflag
    public static let ISIG: UInt32 = 0o1, ICANON: UInt32 = 0o2, ECHO: UInt32 = 0o10, ECHOE: UInt32 = 0o20
    public static let ECHOK: UInt32 = 0o40, ECHONL: UInt32 = 0o100, NOFLSH: UInt32 = 0o200, TOSTOP: UInt32 = 0o400
    public static let ECHOCTL: UInt32 = 0o1000, ECHOPRT: UInt32 = 0o2000, ECHOKE: UInt32 = 0o4000, IEXTEN: UInt32 = 0o100000
    // c_cc indices
    public static let VINTR = 0, VQUIT = 1, VERASE = 2, VKILL = 3, VEOF = 4, VTIME = 5, VMIN = 6, VSWTC = 7
    public static let VSTART = 8, VSTOP = 9, VSUSP = 10, VEOL = 11, VREPRINT = 12, VDISCARD = 13, VWERASE = 14
    public static let VLNEXT = 15, VEOL2 = 16

    public init(inputFlags: UInt32, outputFlags: UInt32, controlFlags: UInt32, localFlags: UInt32, controlCharacters: [UInt8]) {
        self.inputFlags = inputFlags
        self.outputFlags = outputFlags
        self.controlFlags = controlFlags
        self.localFlags = localFlags
        var cc = controlCharacters
        while cc.count < TerminalSettings.controlCharacterCount { cc.append(0) }
        self.controlCharacters = Array(cc.prefix(TerminalSettings.controlCharacterCount))
    }

    /// What Linux gives a new console: "stty sane" (ICRNL IXON, OPOST ONLCR, CS8 CREAD, ISIG ICANON ECHO
    /// ECHOE ECHOK ECHOCTL ECHOKE IEXTEN; ^C ^\ DEL ^U ^D, VMIN 1).
    public static let linuxDefault = TerminalSettings(
        inputFlags: ICRNL | IXON, outputFlags: OPOST | ONLCR, controlFlags: B38400 | CS8 | CREAD | HUPCL,
        localFlags: ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
        controlCharacters: [3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0, 0, 0])

    public var isCanonical: Bool { localFlags & TerminalSettings.ICANON != 0 }
    public func has(local flag: UInt32) -> Bool { localFlags & flag != 0 }
    public func has(input flag: UInt32) -> Bool { inputFlags & flag != 0 }
    public func has(output flag: UInt32) -> Bool { outputFlags & flag != 0 }
    public func character(_ index: Int) -> UInt8 { controlCharacters[index] }
}
