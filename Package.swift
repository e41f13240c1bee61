// swift-tools-version:6.0
// Host build of Lichen's architecture-agnostic core, and of the per-architecture pieces that are plain
// Swift (the arm64 Linux ABI, the AArch64 page tables). The same sources are also compiled in Embedded
// Swift for aarch64-none-none-elf by the Makefile (`make core-embedded`).
import PackageDescription

let package = Package(
    name: "Lichen",
    products: [
        .library(name: "LichenCore", targets: ["LichenCore"]),
        .library(name: "LinuxABIAArch64", targets: ["LinuxABIAArch64"]),
        .library(name: "LichenAArch64", targets: ["LichenAArch64"]),
    ],
    targets: [
        .target(name: "LichenCore"),
        .target(name: "LinuxABIAArch64", dependencies: ["LichenCore"]),
        .target(name: "LichenAArch64", dependencies: ["LichenCore"]),
        .testTarget(name: "LichenCoreTests", dependencies: ["LichenCore"]),
        .testTarget(name: "LinuxABIAArch64Tests", dependencies: ["LinuxABIAArch64", "LichenCore"]),
        .testTarget(name: "LichenAArch64Tests", dependencies: ["LichenAArch64", "LichenCore"]),
    ]
)
