// The notes of an ELF core file that every Linux architecture shares (linux/elfcore.h). The
// registers that follow `LinuxElfPrstatusCommon` in NT_PRSTATUS are the architecture's (its arch ABI).

/// `struct elf_prstatus_common`: the start of NT_PRSTATUS (one per thread).
public struct LinuxElfPrstatusCommon: Sendable {
    /// `struct elf_siginfo pr_info`.
    public var si_signo: Int32 = 0
    public var si_code: Int32 = 0
    public var si_errno: Int32 = 0
    public var pr_cursig: Int16 = 0
    private var padding: Int16 = 0
    public var pr_sigpend: UInt64 = 0
    public var pr_sighold: UInt64 = 0
    public var pr_pid: Int32 = 0
    public var pr_ppid: Int32 = 0
    public var pr_pgrp: Int32 = 0
    public var pr_sid: Int32 = 0
    public var pr_utime = LinuxTimeval()
    public var pr_stime = LinuxTimeval()
    public var pr_cutime = LinuxTimeval()
    public var pr_cstime = LinuxTimeval()
    public init() {}
}

/// `char pr_fname[16]` of `struct elf_prpsinfo`.
public typealias LinuxElfCommandName = (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)
/// `char pr_psargs[80]` of `struct elf_prpsinfo` (as eight 10-byte rows).
public typealias LinuxElfArgumentRow = (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)
public typealias LinuxElfArguments = (LinuxElfArgumentRow, LinuxElfArgumentRow, LinuxElfArgumentRow, LinuxElfArgumentRow,
                                      LinuxElfArgumentRow, LinuxElfArgumentRow, LinuxElfArgumentRow, LinuxElfArgumentRow)

/// `struct elf_prpsinfo`: NT_PRPSINFO, the process's name, ids and arguments.
public struct LinuxElfPrpsinfo: Sendable {
    public var pr_state: Int8 = 0
    public var pr_sname: UInt8 = 0
    public var pr_zomb: Int8 = 0
    public var pr_nice: Int8 = 0
    public var pr_flag: UInt64 = 0
    public var pr_uid: UInt32 = 0
    public var pr_gid: UInt32 = 0
    public var pr_pid: Int32 = 0
    public var pr_ppid: Int32 = 0
    public var pr_pgrp: Int32 = 0
    public var pr_sid: Int32 = 0
    public var pr_fname: LinuxElfCommandName = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    public var pr_psargs: LinuxElfArguments = ((0, 0, 0, 0, 0, 0, 0, 0, 0, 0), (0, 0, 0, 0, 0, 0, 0, 0, 0, 0), (0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                                               (0, 0, 0, 0, 0, 0, 0, 0, 0, 0), (0, 0, 0, 0, 0, 0, 0, 0, 0, 0), (0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                                               (0, 0, 0, 0, 0, 0, 0, 0, 0, 0), (0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
    public init() {}

    /// Sets pr_fname (truncated to 15 bytes) and pr_psargs (the command line, NULs as spaces, 79 bytes).
    public mutating func setNames(command: [UInt8], arguments: [UInt8]) {
        withUnsafeMutableBytes(of: &pr_fname) { out in
            for (i, byte) in command.prefix(15).enumerated() { out[i] = byte }
        }
        var args = Array(arguments.prefix(79))
        while args.last == 0 { args.removeLast() }
        withUnsafeMutableBytes(of: &pr_psargs) { out in
            for (i, byte) in args.enumerated() { out[i] = byte == 0 ? UInt8(ascii: " ") : byte }
        }
    }
}

/// Note types of a core file (linux/elf.h).
public enum LinuxElfNote {
    public static let NT_PRSTATUS: UInt32 = 1
    public static let NT_PRFPREG: UInt32 = 2
    public static let NT_PRPSINFO: UInt32 = 3
    public static let NT_AUXV: UInt32 = 6
    public static let NT_SIGINFO: UInt32 = 0x5349_4749
    public static let NT_FILE: UInt32 = 0x4649_4c45
}
