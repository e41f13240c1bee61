// ioctl request numbers of the Linux user ABI (asm-generic/ioctls.h, linux/rtc.h), one definition
// for the syscall layer and the devices that answer them. Linux's request is an `unsigned int`.

public enum LinuxIoctl {
    // Terminals.
    public static let TCGETS: UInt32 = 0x5401, TCSETS: UInt32 = 0x5402, TCSETSW: UInt32 = 0x5403, TCSETSF: UInt32 = 0x5404
    public static let TCFLSH: UInt32 = 0x540b
    public static let TIOCSCTTY: UInt32 = 0x540e, TIOCGPGRP: UInt32 = 0x540f, TIOCSPGRP: UInt32 = 0x5410
    public static let TIOCGWINSZ: UInt32 = 0x5413, TIOCSWINSZ: UInt32 = 0x5414
    public static let TIOCNOTTY: UInt32 = 0x5422, TIOCGSID: UInt32 = 0x5429
    /// TCFLSH's argument.
    public static let TCIFLUSH: UInt64 = 0, TCOFLUSH: UInt64 = 1, TCIOFLUSH: UInt64 = 2

    // Any file (FIONREAD: bytes ready to read, for terminals, pipes and sockets).
    public static let FIONREAD: UInt32 = 0x541b, FIONBIO: UInt32 = 0x5421
    public static let FIONCLEX: UInt32 = 0x5450, FIOCLEX: UInt32 = 0x5451

    // Real-time clocks (_IOR('p', 0x09, struct rtc_time), _IOW('p', 0x0a, ...)).
    public static let RTC_RD_TIME: UInt32 = 0x8024_7009, RTC_SET_TIME: UInt32 = 0x4024_700a
}

/// Block device requests (linux/fs.h, 0x12 group), answered by the block layer (kernel/block).
public enum LinuxBlockIoctl {
    public static let BLKROSET: UInt32 = 0x125d, BLKROGET: UInt32 = 0x125e, BLKRRPART: UInt32 = 0x125f
    public static let BLKGETSIZE: UInt32 = 0x1260, BLKFLSBUF: UInt32 = 0x1261, BLKSSZGET: UInt32 = 0x1268
    public static let BLKDISCARD: UInt32 = 0x1277, BLKIOMIN: UInt32 = 0x1278, BLKIOOPT: UInt32 = 0x1279
    public static let BLKALIGNOFF: UInt32 = 0x127a, BLKPBSZGET: UInt32 = 0x127b
    public static let BLKBSZGET: UInt32 = 0x8008_1270, BLKGETSIZE64: UInt32 = 0x8008_1272
}
