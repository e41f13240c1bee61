import LichenCore
import _Concurrency

/// The root namespace: a tmpfs root filled from the initramfs (like Linux's rootfs), devtmpfs on /dev.
enum RootFilesystem {
    nonisolated(unsafe) private(set) static var vfs: VFS? = nil
    nonisolated(unsafe) private static var nextDevice: UInt32 = 1

    static let clock: VFSClock = {
        let ns = RealtimeClock.now
        return Timespec(seconds: Int64(ns / 1_000_000_000), nanoseconds: Int64(ns % 1_000_000_000))
    }

    /// An anonymous device number for a new in-memory filesystem (major 0, like Linux).
    static func anonymousDevice() -> DeviceNumber {
        defer { nextDevice += 1 }
        return DeviceNumber(major: 0, minor: nextDevice)
    }

    static func mount(initramfs: UnsafeRawBufferPointer?) async throws(Errno) -> VFS {
        let root = Tmpfs(device: anonymousDevice(), clock: clock, rootMode: 0o755, typeName: Array("rootfs".utf8))
        let vfs = VFS(root: root)
        self.vfs = vfs
        PipeFileSystem.clock = clock
        try Devfs.registerMemoryDevices(in: vfs.devices, random: { lichenFillRandom($0.baseAddress!, $0.count) })
        try ConsoleTTY.register(in: vfs.devices)
        let context = vfs.context()
        if let initramfs { try await unpack(initramfs, into: vfs, context: context) }
        do { _ = try await vfs.mkdir(Array("/dev".utf8), mode: 0o755, context: context) } catch where error == .EEXIST {}
        let devfs = try await Devfs.make(device: anonymousDevice(), clock: clock)
        _ = try await vfs.mount(devfs, on: Array("/dev".utf8), context: context)
        return vfs
    }

    /// Unpacks the cpio archive(s) into the root, as Linux's populate_rootfs does.
    private static func unpack(_ image: UnsafeRawBufferPointer, into vfs: VFS, context: FSContext) async throws(Errno) {
        var entries: [(entry: CpioEntry, name: [UInt8], data: [UInt8])] = []
        do {
            try Initramfs.forEachEntry(image) { entry, buffer in
                entries.append((entry, Array(buffer[entry.name]), Array(buffer[entry.data])))
            }
        } catch {
            KernelLog.error("initramfs: malformed archive, unpacked what came before the error")
        }
        var files = 0, bytes = 0
        for (entry, rawName, data) in entries {
            var name = rawName
            while name.last == 0 { name.removeLast() }
            while name.first == UInt8(ascii: "/") { name.removeFirst() }
            guard !name.isEmpty, !(name.count == 1 && name[0] == UInt8(ascii: ".")) else { continue }
            let path = [UInt8(ascii: "/")] + name
            let mode = entry.mode & 0o7777
            do {
                switch entry.fileType {
                case .directory?:
                    do { _ = try await vfs.mkdir(path, mode: mode, context: context) } catch where error == .EEXIST {}
                case .regular?:
                    let file = try await vfs.open(path, flags: [.O_WRONLY, .O_CREAT, .O_TRUNC], mode: mode, context: context)
                    if !data.isEmpty {
                        _ = try await IOBuffer(data).withBytes { (b: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int in
                            try await file.write(from: UnsafeRawBufferPointer(b))
                        }
                    }
                    files += 1
                    bytes += data.count
                case .symbolicLink?:
                    _ = try await vfs.symlink(data, at: path, context: context)
                case .characterDevice?, .blockDevice?, .fifo?, .socket?:
                    let type = entry.mode & FileMode.S_IFMT
                    _ = try await vfs.mknod(path, mode: type | mode,
                                            device: DeviceNumber(major: entry.rdevMajor, minor: entry.rdevMinor), context: context)
                case nil:
                    KernelLog.warning("initramfs: skipping an entry of unknown type")
                }
            } catch {
                KernelLog.warning("initramfs: cannot create /" + String(decoding: name, as: UTF8.self) + " (errno "
                                  + Format.decimal(UInt64(error.rawValue)) + ")")
            }
        }
        KernelLog.info("initramfs: unpacked " + Format.decimal(UInt64(entries.count)) + " entries, "
                       + Format.decimal(UInt64(files)) + " files, " + Format.bytes(UInt64(bytes)))
    }
}
