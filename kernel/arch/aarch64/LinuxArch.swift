import LichenCore
import LinuxABIAArch64

/// The Linux user ABI this kernel speaks where architectures differ (ELF machine, uname, AT_HWCAP, the
/// open flags arm64 redefines, the serial console's node), for the generic kernel code: only this
/// file names the architecture's ABI module. (Forwarding, not a typealias: a file may only use a
/// module's declarations in Embedded Swift if it imports that module.)
enum LinuxArch: LinuxArchABI {
    static var elfMachine: UInt16 { AArch64Linux.elfMachine }
    static var machine: String { AArch64Linux.machine }
    static var compatMachine: String { AArch64Linux.compatMachine }
    static var platform: String { AArch64Linux.platform }
    static var hardwareCapabilities: UInt64 { AArch64Linux.hardwareCapabilities }
    static var hardwareCapabilities2: UInt64 { AArch64Linux.hardwareCapabilities2 }
    static var minimumSignalStackSize: UInt64 { AArch64Linux.minimumSignalStackSize }
    static var openFlagValues: OpenFlagValues { AArch64Linux.openFlagValues }
}
