// Terminal structures of the Linux arm64 user ABI (asm-generic/termbits.h, asm-generic/termios.h):
// the kernel's `struct termios` that TCGETS/TCSETS copy (36 bytes, NCCS = 19; not glibc's larger
// user-space struct), `struct termios2` (TCGETS2, with the speeds) and `struct winsize`.

/// The kernel's `struct termios`: 36 bytes.
public struct LinuxTermios: Sendable {
    public var c_iflag: UInt32 = 0
    public var c_oflag: UInt32 = 0
    public var c_cflag: UInt32 = 0
    public var c_lflag: UInt32 = 0
    public var c_line: UInt8 = 0
    public var c_cc: LinuxControlChars = linuxZeroControlChars

    public static let NCCS = 19

    public init() {}

    /// Linux's `tty_std_termios`: what a freshly opened console reports (38400 8N1, canonical, echo,
    /// ISIG, ICRNL/IXON, OPOST/ONLCR, and INIT_C_CC for the control characters).
    public static var standard: LinuxTermios {
        var t = LinuxTermios()
        t.c_iflag = ICRNL | IXON
        t.c_oflag = OPOST | ONLCR
        t.c_cflag = B38400 | CS8 | CREAD | HUPCL
        t.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN
        // INIT_C_CC: ^C ^\ DEL ^U ^D, VTIME 0, VMIN 1, VSWTC 0, ^Q ^S ^Z, VEOL 0, ^R ^O ^W ^V, VEOL2 0.
        let cc: [UInt8] = [0x03, 0x1c, 0x7f, 0x15, 0x04, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0, 0, 0]
        for (i, v) in cc.enumerated() { linuxSetTupleElement(&t.c_cc, i, v) }
        return t
    }

    /// Control character `index` (VINTR...); 0 past NCCS.
    public func cc(_ index: Int) -> UInt8 { linuxTupleElement(c_cc, index, as: UInt8.self) ?? 0 }
    public mutating func setCC(_ index: Int, _ value: UInt8) { linuxSetTupleElement(&c_cc, index, value) }

    // c_cc indices.
    public static let VINTR = 0, VQUIT = 1, VERASE = 2, VKILL = 3, VEOF = 4, VTIME = 5, VMIN = 6, VSWTC = 7
    public static let VSTART = 8, VSTOP = 9, VSUSP = 10, VEOL = 11, VREPRINT = 12, VDISCARD = 13
    public static let VWERASE = 14, VLNEXT = 15, VEOL2 = 16
    // c_iflag.
    public static let IGNBRK: UInt32 = 0o1, BRKINT: UInt32 = 0o2, IGNPAR: UInt32 = 0o4, PARMRK: UInt32 = 0o10
    public static let INPCK: UInt32 = 0o20, ISTRIP: UInt32 = 0o40, INLCR: UInt32 = 0o100, IGNCR: UInt32 = 0o200
    public static let ICRNL: UInt32 = 0o400, IUCLC: UInt32 = 0o1000, IXON: UInt32 = 0o2000, IXANY: UInt32 = 0o4000
    public static let IXOFF: UInt32 = 0o10000, IMAXBEL: UInt32 = 0o20000, IUTF8: UInt32 = 0o40000
    // c_oflag.
    public static let OPOST: UInt32 = 0o1, OLCUC: UInt32 = 0o2, ONLCR: UInt32 = 0o4, OCRNL: UInt32 = 0o10
    public static let ONOCR: UInt32 = 0o20, ONLRET: UInt32 = 0o40
    // c_cflag.
    public static let CBAUD: UInt32 = 0o10017, B9600: UInt32 = 0o15, B38400: UInt32 = 0o17, B115200: UInt32 = 0o10002
    public static let CSIZE: UInt32 = 0o60, CS8: UInt32 = 0o60, CSTOPB: UInt32 = 0o100, CREAD: UInt32 = 0o200
    public static let PARENB: UInt32 = 0o400, PARODD: UInt32 = 0o1000, HUPCL: UInt32 = 0o2000, CLOCAL: UInt32 = 0o4000
    public static let BOTHER: UInt32 = 0o10000
    // c_lflag.
    public static let ISIG: UInt32 = 0o1, ICANON: UInt32 = 0o2, ECHO: UInt32 = 0o10, ECHOE: UInt32 = 0o20
    public static let ECHOK: UInt32 = 0o40, ECHONL: UInt32 = 0o100, NOFLSH: UInt32 = 0o200, TOSTOP: UInt32 = 0o400
    public static let ECHOCTL: UInt32 = 0o1000, ECHOPRT: UInt32 = 0o2000, ECHOKE: UInt32 = 0o4000
    public static let FLUSHO: UInt32 = 0o10000, PENDIN: UInt32 = 0o40000, IEXTEN: UInt32 = 0o100000
}

/// `struct termios2`: 44 bytes (TCGETS2/TCSETS2: termios plus explicit speeds).
public struct LinuxTermios2: Sendable {
    public var c_iflag: UInt32 = 0
    public var c_oflag: UInt32 = 0
    public var c_cflag: UInt32 = 0
    public var c_lflag: UInt32 = 0
    public var c_line: UInt8 = 0
    public var c_cc: LinuxControlChars = linuxZeroControlChars
    public var c_ispeed: UInt32 = 0
    public var c_ospeed: UInt32 = 0

    public init() {}
    public init(_ t: LinuxTermios, inputSpeed: UInt32 = 38400, outputSpeed: UInt32 = 38400) {
        c_iflag = t.c_iflag; c_oflag = t.c_oflag; c_cflag = t.c_cflag; c_lflag = t.c_lflag
        c_line = t.c_line; c_cc = t.c_cc; c_ispeed = inputSpeed; c_ospeed = outputSpeed
    }
    /// The first 36 bytes: the termios that TCGETS reports.
    public var termios: LinuxTermios {
        var t = LinuxTermios()
        t.c_iflag = c_iflag; t.c_oflag = c_oflag; t.c_cflag = c_cflag; t.c_lflag = c_lflag
        t.c_line = c_line; t.c_cc = c_cc
        return t
    }
}

/// `struct winsize`: 8 bytes (TIOCGWINSZ/TIOCSWINSZ).
public struct LinuxWinsize: Hashable, Sendable {
    public var ws_row: UInt16
    public var ws_col: UInt16
    public var ws_xpixel: UInt16
    public var ws_ypixel: UInt16
    public init(ws_row: UInt16 = 0, ws_col: UInt16 = 0, ws_xpixel: UInt16 = 0, ws_ypixel: UInt16 = 0) {
        self.ws_row = ws_row; self.ws_col = ws_col; self.ws_xpixel = ws_xpixel; self.ws_ypixel = ws_ypixel
    }
}
