// libFuzzer entry point for LichenCore's parsers of untrusted bytes (built with
// `swiftc -sanitize=fuzzer,address` together with Sources/LichenCore by fuzz/run.sh). The target is
// chosen with LICHEN_FUZZ_TARGET: fdt, elf, cpio, gzip, symbols, cmdline, script.
import LichenCoreFuzzed
#if canImport(Glibc)
import Glibc
#endif

/// EM_AARCH64: the ELF seeds are arm64 programs (the fuzzed module is LichenCore alone, without LinuxABIAArch64).
let elfMachine: UInt16 = 183

enum Target: String { case fdt, elf, cpio, gzip, symbols, cmdline, script }

let target: Target = {
    guard let raw = getenv("LICHEN_FUZZ_TARGET"), let t = Target(rawValue: String(cString: raw)) else {
        fatalError("set LICHEN_FUZZ_TARGET to one of: fdt elf cpio gzip symbols cmdline script")
    }
    return t
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    switch target {
    case .fdt:
        if let tree = try? DeviceTree(bytes) {
            _ = try? MachineDescription(tree)
            let drivers: [[StaticString]] = [["arm,pl011", "arm,pl031"], GICDescription.v2Compatibles + GICDescription.v3Compatibles]
            for binding in tree.bindings(drivers + [TimerDescription.compatibles]).bound {
                _ = try? DeviceRegion(binding.node); _ = try? GICDescription(binding.node); _ = try? TimerDescription(binding.node)
            }
            for node in tree.nodes { _ = node.nameString; for p in node.properties { _ = try? p.strings() } }
        }
    case .elf:
        // The bytes as a program, and as its own interpreter when they can be one: the plan fails or fits.
        if let program = try? LoadPlan.programImage(bytes, machine: elfMachine),
           let plan = try? LoadPlan(program: program, interpreter: try? LoadPlan.interpreterImage(bytes, machine: elfMachine),
                                    layout: LoadLayout(mmapBase: 0x7fff_0000_0000)) {
            for s in program.segments { _ = LoadPlan.pages(of: s, bias: plan.programBias) }
            _ = plan.auxiliaryVector(hardwareCapabilities: 0, minimumSignalStackSize: 5120)
        }
        if let image = try? ElfImage(bytes, machine: elfMachine) {
            _ = try? InitialStack(top: UserAddr(0x7fff_f000), arguments: [[0x61]], environment: [], executableName: [0x61],
                                  platform: nil, random: [UInt8](repeating: 0, count: 16),
                                  auxiliary: .linux(programHeaders: image.programHeaderAddress ?? 0, programHeaderCount: image.programHeaderCount,
                                                    entry: image.entry, hardwareCapabilities: 0, hardwareCapabilities2: 0,
                                                    minimumSignalStackSize: 5120))
        }
    case .cpio:
        var reader = CpioReader(bytes)
        while let entry = try? reader.next() { _ = reader[entry.name]; _ = reader[entry.data] }
        try? Initramfs.forEachEntry(bytes) { _, _ in }       // the kernel's walk (InitramfsWalk)
    case .gzip:
        try? Initramfs.forEachEntry(bytes) { _, _ in }
        var out: [UInt8] = []
        _ = try? Gzip.decompress(bytes, at: 0, into: &out)
        // The bytes as a raw DEFLATE stream too, through the callback and in place into a buffer
        // grown in small steps (many resumes): both must give the same output, input used or error.
        var chunked: [UInt8] = []
        let viaCallback = Result { () throws(InflateError) in try Inflate.decompress(bytes, into: &chunked) }
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 300, alignment: 1)
        let inPlace = Result { () throws(InflateError) in
            try Inflate.decompress(bytes, into: buffer) { written in
                guard written < 1 << 24 else { return nil }
                let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: written + 300 + written / 8, alignment: 1)
                bigger.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[0..<written]))
                buffer.deallocate()
                buffer = bigger
                return bigger
            }
        }
        defer { buffer.deallocate() }
        switch (viaCallback, inPlace) {
        case (.success(let used), .success(let r)):
            guard r.consumed == used, r.produced == chunked.count, buffer[0..<r.produced].elementsEqual(chunked) else {
                fatalError("inflate: in-place output differs from the callback's")
            }
        case (.failure(let a), .failure(let b)):
            guard a == b else { fatalError("inflate: in-place error \(b) differs from the callback's \(a)") }
        default:
            guard case .failure(.outputTooLarge) = inPlace else { fatalError("inflate: in-place and callback results disagree") }
        }
    case .symbols:
        if let table = SymbolTable(bytes) {
            for i in 0..<min(table.count, 64) { _ = table.name(at: i) }
            _ = table.lookup(0x1000)
        }
    case .cmdline:
        let line = KernelCommandLine(String(decoding: bytes, as: UTF8.self))
        _ = line.initPath; _ = line.logLevel; _ = line.initArguments
    case .script:
        _ = try? ScriptInterpreter(fileHead: bytes)
    }
    return 0
}
