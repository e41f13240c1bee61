// The part of the Linux user ABI that differs between architectures (Linux's arch/<arch>/include/uapi
// overriding asm-generic). LichenCore is written against the generic ABI and never names an
// architecture; one module per architecture implements this protocol (LinuxABIAArch64: `AArch64Linux`),
// and the kernel's arch folder names the one it is built for `LinuxArch`. Structures that exist on
// one architecture only (arm64's signal frame and sigcontext) live in that module too.

public protocol LinuxArchABI {
    /// e_machine of the programs execve runs (EM_AARCH64, ...).
    static var elfMachine: UInt16 { get }
    /// uname's machine field ("aarch64").
    static var machine: String { get }
    /// uname's machine under the PER_LINUX32 personality: the 32-bit architecture this one runs.
    static var compatMachine: String { get }
    /// AT_PLATFORM (Linux's ELF_PLATFORM).
    static var platform: String { get }
    /// AT_HWCAP and AT_HWCAP2: what user space may use of the CPU.
    static var hardwareCapabilities: UInt64 { get }
    static var hardwareCapabilities2: UInt64 { get }
    /// MINSIGSTKSZ: the smallest alternate signal stack sigaltstack accepts, and AT_MINSIGSTKSZ.
    static var minimumSignalStackSize: UInt64 { get }
    /// The values of the open(2) flags that asm/fcntl.h may redefine.
    static var openFlagValues: OpenFlagValues { get }
}

extension LinuxArchABI {
    /// The kernel's OpenFlags (generic values) for the flags a user passed to open, fcntl or pipe2.
    public static func openFlags(fromUser value: UInt32) -> OpenFlags {
        OpenFlags(rawValue: OpenFlagValues.convert(value, from: openFlagValues, to: .generic))
    }

    /// The user's value of `flags` (what F_GETFL returns).
    public static func userValue(of flags: OpenFlags) -> UInt32 {
        OpenFlagValues.convert(flags.rawValue, from: .generic, to: openFlagValues)
    }

    /// uname's machine for a process with this personality flag.
    public static func machine(linux32: Bool) -> String { linux32 ? compatMachine : machine }
}
