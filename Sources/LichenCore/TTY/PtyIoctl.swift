// The pseudo-terminal and remaining terminal ioctls (asm-generic/ioctls.h) and device numbers.

extension LinuxIoctl {
    public static let TCSBRK: UInt32 = 0x5409, TCXONC: UInt32 = 0x540a, TIOCOUTQ: UInt32 = 0x5411, TIOCSTI: UInt32 = 0x5412
    public static let TIOCPKT: UInt32 = 0x5420, TCSBRKP: UInt32 = 0x5425
    /// TCXONC's argument (tcflow): suspend or restart output, send STOP or START.
    public static let TCOOFF: UInt64 = 0, TCOON: UInt64 = 1, TCIOFF: UInt64 = 2, TCION: UInt64 = 3
    /// _IOR('T', 0x30, unsigned int), _IOW('T', 0x31, int), _IOR('T', 0x38, int), _IOR('T', 0x39, int), _IO('T', 0x41).
    public static let TIOCGPTN: UInt32 = 0x8004_5430, TIOCSPTLCK: UInt32 = 0x4004_5431
    public static let TIOCGPKT: UInt32 = 0x8004_5438, TIOCGPTLCK: UInt32 = 0x8004_5439, TIOCGPTPEER: UInt32 = 0x5441
}

extension DeviceNumber {
    /// /dev/ptmx, and the first pty slave (/dev/pts/N is 136:N, Linux's UNIX98_PTY_SLAVE_MAJOR).
    public static let ptmx = DeviceNumber(major: 5, minor: 2)
    public static let ptySlaveMajor: UInt32 = 136
}
