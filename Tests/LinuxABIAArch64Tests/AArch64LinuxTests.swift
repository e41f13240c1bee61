import Testing
import LichenCore
@testable import LinuxABIAArch64

/// The arm64 values LichenCore's generic code gets through LinuxArchABI (LinuxAArch64LayoutTests checks
/// them against the headers).
@Suite struct AArch64LinuxTests {
    @Test func openFlagsConvertAtTheBoundary() {
        // arm64's O_DIRECTORY, O_NOFOLLOW, O_DIRECT and O_LARGEFILE are the generic O_DIRECT,
        // O_LARGEFILE, O_DIRECTORY and O_NOFOLLOW: each maps to the kernel's flag of the same name.
        #expect(AArch64Linux.openFlags(fromUser: 0o40000) == .O_DIRECTORY)
        #expect(AArch64Linux.openFlags(fromUser: 0o100000) == .O_NOFOLLOW)
        #expect(AArch64Linux.openFlags(fromUser: 0o200000) == .O_DIRECT)
        #expect(AArch64Linux.openFlags(fromUser: 0o400000) == .O_LARGEFILE)
        #expect(AArch64Linux.userValue(of: [.O_DIRECTORY, .O_NOFOLLOW]) == 0o140000)
        // Every other bit passes through, and the conversion round-trips.
        #expect(AArch64Linux.openFlags(fromUser: 0o2000102) == [.O_CLOEXEC, .O_CREAT, .O_RDWR])
        for value: UInt32 in [0, 0o40000 | 0o1, 0o740000, 0xffff_ffff, 0o10000000 | 0o100000, 0x8000_0000] {
            #expect(AArch64Linux.userValue(of: AArch64Linux.openFlags(fromUser: value)) == value)
        }
    }

    @Test func machineNamesAndCapabilities() {
        #expect(AArch64Linux.machine(linux32: false) == "aarch64")
        #expect(AArch64Linux.machine(linux32: true) == "armv8l")
        #expect(AArch64Linux.platform == "aarch64")
        #expect(AArch64Linux.hardwareCapabilities == 0xff && AArch64Linux.hardwareCapabilities & AArch64Hwcap.CPUID == 0)
    }
}
