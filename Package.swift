// swift-tools-version:6.0
// Host build of Lichen's architecture-agnostic core. The same sources are also compiled
// in Embedded Swift for aarch64-none-none-elf by the Makefile (`make core-embedded`).
import PackageDescription

let package = Package(
    name: "Lichen",
    products: [
        .library(name: "LichenCore", targets: ["LichenCore"]),
        .library(name: "LichenAArch64", targets: ["LichenAArch64"]),
    ],
    targets: [
        .target(name: "LichenCore"),
        .target(name: "LichenAArch64", dependencies: ["LichenCore"]),
        .testTarget(name: "LichenCoreTests", dependencies: ["LichenCore"]),
        .testTarget(name: "LichenAArch64Tests", dependencies: ["LichenAArch64", "LichenCore"]),
    ]
)
