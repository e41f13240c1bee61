// libFuzzer entry point for LichenCore's parsers of untrusted bytes (built with
// `swiftc -sanitize=fuzzer,address` together with Sources/LichenCore by fuzz/run.sh). The target is
// chosen with LICHEN_FUZZ_TARGET: fdt, elf, cpio, gzip, symbols, cmdline, script, virtqueue, partitions, ext4, ext4write, jbd2, fat, pci, netlink.
import LichenCoreFuzzed
#if canImport(Glibc)
import Glibc
#endif

/// EM_AARCH64: the ELF seeds are arm64 programs (the fuzzed module is LichenCore alone, without LinuxABIAArch64).
let elfMachine: UInt16 = 183

enum Target: String { case fdt, elf, cpio, gzip, symbols, cmdline, script, virtqueue, partitions, ext4, ext4write, jbd2, fat, pci, netlink }

let target: Target = {
    guard let raw = getenv("LICHEN_FUZZ_TARGET"), let t = Target(rawValue: String(cString: raw)) else {
        fatalError("set LICHEN_FUZZ_TARGET to one of: fdt elf cpio gzip symbols cmdline script virtqueue partitions ext4 ext4write jbd2 fat pci netlink")
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
            for binding in tree.bindings(drivers + [TimerDescription.compatibles, PCIHostDescription.compatibles]).bound {
                _ = try? DeviceRegion(binding.node); _ = try? GICDescription(binding.node); _ = try? TimerDescription(binding.node)
                _ = try? PCIHostDescription(binding.node)
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
    case .virtqueue:
        fuzzVirtqueue(bytes)
    case .partitions:
        fuzzPartitions(bytes)
    case .ext4:
        fuzzExt4(bytes)
    case .ext4write:
        fuzzExt4Write(bytes)
    case .jbd2:
        fuzzJbd2(bytes)
    case .fat:
        fuzzFat(bytes)
    case .pci:
        fuzzPCI(bytes)
    case .netlink:
        // A netlink request from user space: every reply is one message of the (4-byte aligned) length it says.
        let request = Array(bytes)
        let flags = request.first ?? 0
        let outcome = NetlinkRoute.respond(to: request, port: 42, capAck: flags & 1 != 0, privileged: flags & 2 != 0)
        for reply in outcome.replies {
            guard reply.count >= 16, Int(reply[0]) | Int(reply[1]) << 8 | Int(reply[2]) << 16 | Int(reply[3]) << 24 == reply.count, reply.count % 4 == 0 else {
                fatalError("netlink: a reply's nlmsg_len does not match its size")
            }
        }
    }
    return 0
}

/// A hostile virtio device: the input drives the driver (chains of 1-4 buffers) and is the used
/// ring the device writes (ids, lengths, used idx). The driver must never trap, never take a head
/// twice, and keep its free count within the ring.
func fuzzVirtqueue(_ bytes: UnsafeRawBufferPointer) {
    guard bytes.count >= 2 else { return }
    let size = 1 << Int(bytes[0] % 9)                   // 1 ... 256
    let memory = UnsafeMutableRawPointer.allocate(byteCount: SplitVirtqueue.bytes(size: size), alignment: 16)
    defer { memory.deallocate() }
    var queue = SplitVirtqueue(size: size, memory: memory, eventIndex: bytes[1] & 1 != 0)
    var taken = Set<UInt16>()
    var i = 2
    func byte() -> UInt8? { guard i < bytes.count else { return nil }; defer { i += 1 }; return bytes[i] }
    let usedBase = SplitVirtqueue.usedOffset(size: size)
    while let op = byte() {
        switch op % 4 {
        case 0:                                          // the driver offers a chain
            let n = Int(op / 4 % 4) + 1
            let chain = (0..<n).map { SplitVirtqueue.Buffer(address: UInt64($0) << 12, length: UInt32(op) * 7, deviceWrites: $0 == n - 1) }
            _ = chain.withUnsafeBufferPointer { queue.add($0) }
            queue.publish()
            _ = queue.kickNeeded()
        case 1:                                          // the device writes a used entry somewhere
            guard let slot = byte(), let a = byte(), let b = byte() else { return }
            let at = usedBase + 4 + 8 * (Int(slot) % size)
            memory.storeBytes(of: UInt32(a) | UInt32(b) << 24, toByteOffset: at, as: UInt32.self)
            memory.storeBytes(of: UInt32(b) << 8 | UInt32(a), toByteOffset: at + 4, as: UInt32.self)
        case 2:                                          // the device moves the used idx (or the avail event)
            guard let a = byte(), let b = byte() else { return }
            memory.storeBytes(of: UInt16(a) | UInt16(b) << 8, toByteOffset: usedBase + 2 + (op & 4 != 0 ? 2 + 8 * size : 0), as: UInt16.self)
        default:                                         // the driver takes what is there and frees it
            while let entry = queue.takeUsed(readBarrier: {}) {
                if case .completed(let head, let length, _) = entry {
                    guard taken.insert(head).inserted, Int(head) < size, length <= UInt32(255 * 7) else {
                        fatalError("virtqueue: head \(head) taken twice or bad length \(length)")
                    }
                }
            }
            queue.requestInterruptAtNextUsed()
            for head in taken { guard queue.free(head: head) else { fatalError("virtqueue: cannot free \(head)") } }
            taken.removeAll()
        }
        guard queue.freeCount >= 0, queue.freeCount <= size else { fatalError("virtqueue: free count \(queue.freeCount)") }
    }
}

/// The input as a disk (512-byte blocks, or 4096 when the first byte is odd... only when long
/// enough): the scan ends, and what it finds fits on the disk with Linux's numbers.
func fuzzPartitions(_ bytes: UnsafeRawBufferPointer) {
    for blockSize in [512, 4096] {
        let blocks = UInt64(bytes.count / blockSize)
        var scanner = PartitionScanner(blockSize: blockSize, blocks: blocks + UInt64(bytes.first ?? 0))   // claims more than it has
        var step = scanner.start()
        var reads = 0
        while case .read(let block, let count) = step {
            reads += 1
            guard reads < 1000 else { fatalError("partitions: the scan does not end") }
            let from = Int(clamping: block) &* blockSize
            let to = from &+ count &* blockSize
            step = from >= 0 && to <= bytes.count && from <= to
                ? scanner.feed(UnsafeRawBufferPointer(rebasing: bytes[from..<to]))
                : scanner.feed(UnsafeRawBufferPointer(start: nil, count: 0))
        }
        guard case .done(let table) = step else { return }
        let capacity = (blocks + UInt64(bytes.first ?? 0)) * UInt64(blockSize / 512)
        for p in table.partitions {
            guard p.number >= 1, p.number <= PartitionTable.maxPartitionNumber, p.start < capacity, p.sectors <= capacity - p.start else {
                fatalError("partitions: \(p) does not fit a disk of \(capacity) sectors")
            }
        }
    }
}

/// An ext2/3/4 image (the input, zeros past its end): mount it as each type and walk it all
/// (readdir, lookup, read, readlink, extended attributes). Errors are fine; a trap is the bug.
final class FuzzImageSource: Ext4BlockSource, @unchecked Sendable {
    let image: [UInt8]
    let blockSize: Int
    init(_ image: [UInt8], blockSize: Int) { self.image = image; self.blockSize = blockSize }
    func block(_ number: UInt64) async throws(Errno) -> [UInt8] {
        guard number < 1 << 20 else { throw .EIO }
        let from = Int(number) * blockSize
        var out = [UInt8](repeating: 0, count: blockSize)
        if from < image.count { for i in 0..<min(blockSize, image.count - from) { out[i] = image[from + i] } }
        return out
    }
}

func fuzzExt4(_ bytes: UnsafeRawBufferPointer) {
    let image = Array(bytes)
    guard image.count >= 2048 else { return }
    var done = sem_t()
    sem_init(&done, 0, 0)
    Task {
        var reason = ""
        if let sb = try? Ext4Superblock.parse(Array(image[1024..<2048]), pageSize: 4096, reason: &reason) {
            for type in [Ext4Type.ext4, .ext2] where sb.refusal(as: type) == nil {
                guard let fs = try? await Ext4FileSystem.mount(sb, source: FuzzImageSource(image, blockSize: sb.blockSize), type: type,
                                                               device: DeviceNumber(major: 254, minor: 0), log: { _ in }) else { continue }
                _ = fs.statistics
                await fuzzWalk(fs.root, depth: 0)
            }
        }
        sem_post(&done)
    }
    sem_wait(&done)
}

/// An ext2/3/4 image mounted read-write (metadata committed home, no journal) and changed: each
/// regular file written near its start and past its double indirect boundary, cut, given and
/// stripped of attributes; a directory and a file made. The block-map, extent and xattr writers
/// take the hostile metadata as it is: errors are fine; a trap is the bug.
func fuzzExt4Write(_ bytes: UnsafeRawBufferPointer) {
    var image = Array(bytes)
    guard image.count >= 2048 else { return }
    var done = sem_t()
    sem_init(&done, 0, 0)
    Task {
        var reason = ""
        if let sb = try? Ext4Superblock.parse(Array(image[1024..<2048]), pageSize: 4096, reason: &reason),
           sb.refusal(as: .ext4) == nil, Ext4FileSystem.writableRefusal(sb) == nil {
            let size = Int(min(sb.blocksCount, UInt64((1 << 20) / sb.blockSize))) * sb.blockSize
            if image.count < size { image += [UInt8](repeating: 0, count: size - image.count) }
            let store = MemoryBlockStore(Array(image[0..<size]), blockSize: sb.blockSize)
            if let fs = try? await Ext4FileSystem.mount(sb, source: store, type: .ext4, device: DeviceNumber(major: 254, minor: 0),
                                                        writable: (store, Ext4HomeCommitter(store), { Timespec(seconds: 1, nanoseconds: 0) }),
                                                        log: { _ in }) {
                await fuzzChange(fs.root, depth: 0)
                _ = try? await fs.root.mkdir(Array("fz".utf8), mode: 0o755, owner: .root)
                _ = try? await fs.root.create(Array("fz-file".utf8), mode: 0o644, owner: .root)
                try? await fs.sync()
            }
        }
        sem_post(&done)
    }
    sem_wait(&done)
}

func fuzzChange(_ node: any Inode, depth: Int) async {
    guard depth < 3 else { return }
    var entries: [DirectoryEntry] = []
    try? await node.readdir(from: 0) { e in entries.append(e); return entries.count < 16 }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 700, alignment: 8)
    defer { buffer.deallocate() }
    buffer.initializeMemory(as: UInt8.self, repeating: 0x5a)
    for e in entries where e.name != [46] && e.name != [46, 46] {
        guard let child = try? await node.lookup(e.name) else { continue }
        _ = try? await Xattrs.set(child, Array("user.f".utf8), value: [UInt8](repeating: 1, count: 100), flags: [], .root)
        _ = try? await Xattrs.set(child, Array("user.g".utf8), value: [UInt8](repeating: 2, count: 700), flags: [], .root)
        _ = try? await Xattrs.remove(child, Array("user.f".utf8), .root)
        if child.metadata.isDirectory { await fuzzChange(child, depth: depth + 1) }
        if child.metadata.isRegular {
            _ = try? await child.write(at: 3, from: UnsafeRawBufferPointer(buffer), append: false)
            _ = try? await child.write(at: 70_000, from: UnsafeRawBufferPointer(buffer), append: false)
            _ = try? await child.truncate(to: 5)
        }
    }
}

/// Every extended attribute of `node` (in-inode area and external block), and its file
/// capabilities as execve would read them.
func fuzzXattrs(_ node: any Inode) async {
    let names = (try? await Xattrs.list(node, .root)) ?? []
    for name in names.split(separator: 0) { _ = try? await Xattrs.get(node, Array(name), .root) }
    _ = try? FileCapabilities.forExec(await Xattrs.storedCapabilities(of: node))
}

func fuzzWalk(_ node: any Inode, depth: Int) async {
    guard depth < 6 else { return }
    var entries: [DirectoryEntry] = []
    try? await node.readdir(from: 0) { e in entries.append(e); return entries.count < 200 }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 8192, alignment: 8)
    defer { buffer.deallocate() }
    for e in entries where e.name != [46] && e.name != [46, 46] {
        guard let child = try? await node.lookup(e.name) else { continue }
        let m = child.metadata
        await fuzzXattrs(child)
        if m.isDirectory { await fuzzWalk(child, depth: depth + 1) }
        if m.isSymbolicLink { _ = try? await child.readlink() }
        if m.isRegular {
            var at: Int64 = 0
            while at < min(m.size, 1 << 20), let n = try? await child.read(at: at, into: buffer), n > 0 { at += Int64(n) }
        }
    }
}

/// A hostile journal: the input is the start of a 1 MiB journal of 1 KiB blocks (the rest zeros)
/// on a 2 MiB device, recovered as at mount (superblock checks, the scan, revoke and replay
/// passes). It must end with a result or an errno, never trap or loop.
func fuzzJbd2(_ bytes: UnsafeRawBufferPointer) {
    var image = [UInt8](repeating: 0, count: 2 << 20)
    for i in 0..<min(bytes.count, 1 << 20) { image[i] = bytes[i] }
    var done = sem_t()
    sem_init(&done, 0, 0)
    Task {
        let store = MemoryBlockStore(image, blockSize: 1024)
        if let log = try? Jbd2Log(runs: [Jbd2Run(logical: 0, physical: 0, count: 1024)]) {
            _ = try? await Jbd2Recovery.recover(store: store, log: log, fsBlocks: 2048) { _ in }
        }
        sem_post(&done)
    }
    sem_wait(&done)
}

// MARK: FAT

/// The input is a FAT volume (sectors past its end give EIO): mounted read-only and walked, then
/// mounted read-write and changed (create, write, mkdir, rename, truncate, unlink, unmount).
func fuzzFat(_ bytes: UnsafeRawBufferPointer) {
    guard bytes.count >= 512 else { return }
    var done = sem_t()
    sem_init(&done, 0, 0)
    Task {
        var reason = ""
        if let boot = try? FatBootSector.parse(Array(bytes[0..<512]), reason: &reason) {
            var image = Array(bytes)
            image += [UInt8](repeating: 0, count: (boot.bytesPerSector - image.count % boot.bytesPerSector) % boot.bytesPerSector)
            let options = FatMountOptions(uid: 0, gid: 0, umask: 0o022)
            let clock: VFSClock = { Timespec(seconds: 1_700_000_000) }
            let store = MemoryBlockStore(image, blockSize: boot.bytesPerSector)
            if let fs = try? await FatFileSystem.mount(boot, source: store, store: nil, options: options,
                                                      device: DeviceNumber(major: 254, minor: 0), clock: clock, log: { _ in }) {
                _ = fs.statistics
                await fuzzWalk(fs.root, depth: 0)
            }
            if let fs = try? await FatFileSystem.mount(boot, source: store, store: store, options: options,
                                                      device: DeviceNumber(major: 254, minor: 0), clock: clock, log: { _ in }) {
                let root = fs.root
                let data = UnsafeMutableRawBufferPointer.allocate(byteCount: 3000, alignment: 1)
                defer { data.deallocate() }
                data.initializeMemory(as: UInt8.self, repeating: 0x41)
                if let f = try? await root.create(Array("A fuzzed long name.txt".utf8), mode: 0o644, owner: .root) {
                    _ = try? await f.write(at: 100, from: UnsafeRawBufferPointer(data), append: false)
                    _ = try? await f.truncate(to: 1000)
                }
                if let d = try? await root.mkdir(Array("dir".utf8), mode: 0o755, owner: .root) {
                    _ = try? await root.rename(Array("A fuzzed long name.txt".utf8), to: d, as: Array("moved".utf8), flags: [])
                }
                var names: [[UInt8]] = []
                try? await root.readdir(from: 0) { e in names.append(e.name); return names.count < 50 }
                for n in names where n != [46] && n != [46, 46] {
                    guard let child = try? await root.lookup(n) else { continue }
                    if child.metadata.isDirectory { try? await root.rmdir(n) } else { try? await root.unlink(n) }
                }
                try? await fs.unmount()
            }
        }
        sem_post(&done)
    }
    sem_wait(&done)
}

/// A hostile PCI function and host bridge node: the first 256 bytes are the function's configuration
/// space (capability walk, virtio-pci layout), the rest a bridge's `ranges` and `interrupt-map`
/// (split at a byte the input chooses) and BAR read-backs for the window allocator. Nothing may trap,
/// the walk stays inside the space, and every assignment lies inside a window without overlapping.
func fuzzPCI(_ bytes: UnsafeRawBufferPointer) {
    var space = [UInt8](repeating: 0, count: 256)
    for i in 0..<min(256, bytes.count) { space[i] = bytes[i] }
    let caps = PCICapabilities.walk { space[$0] }
    precondition(caps.count <= 48 && caps.allSatisfy { $0.offset >= 0x40 && $0.offset <= 0xfe })
    if let layout = try? VirtioPCILayout(capabilities: caps, read8: { space[$0] }) {
        precondition([layout.common, layout.notify, layout.isr].allSatisfy { $0.bar < 6 })
        for off in [UInt16(0), 1, 0x7fff, 0xffff] {
            if let at = layout.notifyOffset(queueNotifyOff: off) { precondition(at + 2 <= layout.notify.offset + layout.notify.length) }
        }
        try? layout.validate(barSizes: [nil, 0x1000, 0x4000, nil, 0x4000, 1 << 40])
    }
    guard bytes.count > 257 else { return }
    let rest = UnsafeRawBufferPointer(rebasing: bytes[257...])
    let split = min(Int(bytes[256]) * 4, rest.count)
    let ranges = UnsafeRawBufferPointer(rebasing: rest[..<split]), map = UnsafeRawBufferPointer(rebasing: rest[split...])
    let windows = (try? PCIWindow.decode(ranges: ranges, parentAddressCells: 2, sizeCells: 2)) ?? []
    if let table = try? PCIInterruptMap.decode(map: map, mask: UnsafeRawBufferPointer(rebasing: rest[..<min(16, rest.count)]),
                                               interruptCells: 1, parent: { p in
        p & 8 != 0 ? nil : PCIInterruptMap.Parent(addressCells: Int(p & 3), interruptCells: 3 + Int(p >> 2 & 1)) }) {
        for device in UInt8(0)..<32 { _ = table.interrupt(for: PCIFunctionAddress(bus: 0, device: device, function: 0)!, pin: device % 6) }
    }
    var allocator = PCIWindowAllocator(windows: windows)
    var given: [(UInt64, UInt64)] = []
    let disjoint = windows.indices.allSatisfy { a in windows.indices.allSatisfy { b in a == b
        || windows[a].pciBase + (windows[a].size - 1) < windows[b].pciBase || windows[b].pciBase + (windows[b].size - 1) < windows[a].pciBase } }
    var i = 0
    while i + 9 <= map.count {
        let low = map.loadUnaligned(fromByteOffset: i, as: UInt32.self), high = map.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self)
        i += 9
        guard let bar = PCIBar(original: low & 0xf, sizedLow: low, sizedHigh: high) else { continue }
        guard let at = allocator.allocate(bar) else { continue }
        precondition(at.pciAddress & (bar.size - 1) == 0)
        precondition(windows.contains { at.pciAddress >= $0.pciBase && bar.size <= $0.size && at.pciAddress - $0.pciBase <= $0.size - bar.size
                                        && at.cpuAddress == $0.cpuBase + (at.pciAddress - $0.pciBase) })
        // (Windows the input made overlap may hand out the same addresses twice: a bad tree, not a bug here.)
        precondition(!disjoint || !given.contains { at.pciAddress < $0.1 && $0.0 < at.pciAddress + bar.size })
        given.append((at.pciAddress, at.pciAddress + bar.size))
    }
}
