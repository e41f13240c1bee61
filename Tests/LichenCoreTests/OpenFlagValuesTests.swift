import Testing
@testable import LichenCore

/// OpenFlags hold asm-generic values; an architecture that redefines some converts at the boundary.
@Suite struct OpenFlagValuesTests {
    /// An architecture with the generic values (riscv64, x86_64).
    enum GenericArch: LinuxArchABI {
        static let elfMachine: UInt16 = 243
        static let machine = "riscv64", compatMachine = "riscv32", platform = ""
        static let hardwareCapabilities: UInt64 = 0, hardwareCapabilities2: UInt64 = 0, minimumSignalStackSize: UInt64 = 2048
        static let openFlagValues = OpenFlagValues.generic
    }

    @Test func genericValuesAreOpenFlags() {
        #expect(OpenFlags.O_DIRECT.rawValue == 0o40000 && OpenFlags.O_LARGEFILE.rawValue == 0o100000)
        #expect(OpenFlags.O_DIRECTORY.rawValue == 0o200000 && OpenFlags.O_NOFOLLOW.rawValue == 0o400000)
        for value: UInt32 in [0, 0o40000, 0o740000, 0xffff_ffff] {
            #expect(GenericArch.openFlags(fromUser: value).rawValue == value)
            #expect(GenericArch.userValue(of: OpenFlags(rawValue: value)) == value)
        }
        #expect(GenericArch.machine(linux32: true) == "riscv32" && GenericArch.machine(linux32: false) == "riscv64")
    }

    @Test func convertMovesOnlyTheFourFlags() {
        let swapped = OpenFlagValues(directory: 0o40000, noFollow: 0o100000, direct: 0o200000, largeFile: 0o400000)
        #expect(OpenFlagValues.convert(0o40000 | 0o2, from: swapped, to: .generic) == 0o200000 | 0o2)
        #expect(OpenFlagValues.convert(0o200000, from: .generic, to: swapped) == 0o40000)
        #expect(OpenFlagValues.convert(0o10000000, from: swapped, to: .generic) == 0o10000000)
    }
}
