// The arm64 Linux user ABI where it differs from the generic one (arch/arm64/include/uapi/asm): what
// LichenCore's generic code gets through LinuxArchABI. The kernel names it `LinuxArch`
// (kernel/arch/aarch64/LinuxArch.swift).

import LichenCore

public enum AArch64Linux: LinuxArchABI {
    /// EM_AARCH64.
    public static let elfMachine: UInt16 = 183
    public static let machine = "aarch64"
    /// linux32 on arm64 reports the 32-bit architecture.
    public static let compatMachine = "armv8l"
    public static let platform = "aarch64"

    /// AT_HWCAP for a Cortex-A72: FP, ASIMD, EVTSTRM, AES, PMULL, SHA1, SHA2, CRC32. Not CPUID: that
    /// promises EL0 reads of the ID registers, which Linux emulates and Lichen does not yet.
    public static let hardwareCapabilities: UInt64 = AArch64Hwcap.FP | AArch64Hwcap.ASIMD | AArch64Hwcap.EVTSTRM | AArch64Hwcap.AES
        | AArch64Hwcap.PMULL | AArch64Hwcap.SHA1 | AArch64Hwcap.SHA2 | AArch64Hwcap.CRC32
    public static let hardwareCapabilities2: UInt64 = 0

    /// MINSIGSTKSZ and SIGSTKSZ (asm/signal.h): room for the signal frame with its fpsimd record.
    public static let minimumSignalStackSize: UInt64 = 5120
    public static let signalStackSize: UInt64 = 16384

    /// asm/fcntl.h: arm64 (like arm) redefines four of the flags.
    public static let openFlagValues = OpenFlagValues(directory: 0o40000, noFollow: 0o100000, direct: 0o200000, largeFile: 0o400000)
}

/// AT_HWCAP bits (asm/hwcap.h).
public enum AArch64Hwcap {
    public static let FP: UInt64 = 1 << 0
    public static let ASIMD: UInt64 = 1 << 1
    public static let EVTSTRM: UInt64 = 1 << 2
    public static let AES: UInt64 = 1 << 3
    public static let PMULL: UInt64 = 1 << 4
    public static let SHA1: UInt64 = 1 << 5
    public static let SHA2: UInt64 = 1 << 6
    public static let CRC32: UInt64 = 1 << 7
    public static let ATOMICS: UInt64 = 1 << 8
    public static let CPUID: UInt64 = 1 << 11
}
