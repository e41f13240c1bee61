// The System V IPC limits (Linux's defaults from linux/shm.h, sem.h, msg.h), which
// /proc/sys/kernel/{shmmax,shmall,shmmni,sem,msgmax,msgmnb,msgmni} read and write.

public struct SysVIPCLimits: Sendable {
    /// SHMMAX, SHMALL (pages): ULONG_MAX - 2^24. SHMMNI 4096. SHMMIN 1.
    public var shmmax: UInt64 = UInt64.max - (1 << 24)
    public var shmall: UInt64 = UInt64.max - (1 << 24)
    public var shmmni: Int = 4096
    public static let shmmin: UInt64 = 1
    /// kernel.sem: SEMMSL, SEMMNS, SEMOPM, SEMMNI.
    public var semmsl: Int = 32000
    public var semmns: Int = 32000 * 32000
    public var semopm: Int = 500
    public var semmni: Int = 32000
    /// SEMVMX (largest value) and SEMAEM (largest adjustment on exit).
    public static let semvmx: Int32 = 32767
    public static let semaem: Int32 = 32767
    /// MSGMAX (largest message), MSGMNB (a new queue's byte limit), MSGMNI.
    public var msgmax: Int = 8192
    public var msgmnb: Int = 16384
    public var msgmni: Int = 32000

    public init() {}

    /// IPC_INFO of semctl.
    public var seminfo: LinuxSeminfo {
        var i = LinuxSeminfo()
        i.semmni = Int32(clamping: semmni)
        i.semmns = Int32(clamping: semmns)
        i.semmsl = Int32(clamping: semmsl)
        i.semopm = Int32(clamping: semopm)
        i.semvmx = Self.semvmx
        i.semmnu = 32000 * 32000                           // SEMMNU
        i.semmap = 32000 * 32000                           // SEMMAP
        i.semume = 500                                     // SEMUME
        i.semusz = 20                                       // SEMUSZ
        i.semaem = Self.semaem
        return i
    }

    /// IPC_INFO of msgctl.
    public var msginfo: LinuxMsginfo {
        var i = LinuxMsginfo()
        i.msgmax = Int32(clamping: msgmax)
        i.msgmnb = Int32(clamping: msgmnb)
        i.msgmni = Int32(clamping: msgmni)
        i.msgssz = 16                                       // MSGSSZ
        i.msgpool = Int32(clamping: 32000 * 16384 / 1024)   // MSGPOOL
        i.msgmap = Int32(clamping: 16384)                   // MSGMAP
        i.msgtql = Int32(clamping: 16384)                   // MSGTQL
        i.msgseg = 0xffff                                   // MSGSEG
        return i
    }

    /// IPC_INFO of shmctl.
    public var shminfo: LinuxShminfo64 {
        var i = LinuxShminfo64()
        i.shmmax = shmmax
        i.shmmin = Self.shmmin
        i.shmmni = UInt64(shmmni)
        i.shmseg = 4096                                     // SHMSEG
        i.shmall = shmall
        return i
    }
}
