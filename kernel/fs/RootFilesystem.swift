import LichenCore
import Synchronization
import _Concurrency

/// The root namespace: a tmpfs root filled from the initramfs (like Linux's rootfs), devtmpfs on /dev.
enum RootFilesystem {
    nonisolated(unsafe) private(set) static var vfs: VFS? = nil
    private static let nextDevice = Atomic<UInt32>(1)     // filesystems are made on any CPU

    static let clock: VFSClock = {
        let ns = RealtimeClock.now
        return Timespec(seconds: Int64(ns / 1_000_000_000), nanoseconds: Int64(ns % 1_000_000_000))
    }

    /// An anonymous device number for a new in-memory filesystem (major 0, like Linux).
    static func anonymousDevice() -> DeviceNumber {
        DeviceNumber(major: 0, minor: nextDevice.wrappingAdd(1, ordering: .relaxed).oldValue)
    }

    /// Linux's default tmpfs size, the rootfs included: half of RAM (df shows it; writes past it get
    /// ENOSPC rather than exhausting the kernel).
    static var tmpfsDefaultSize: Int64 { Int64(PhysicalMemory.totalBytes / 2) }

    static func mount(initramfs: UnsafeRawBufferPointer?) async throws(Errno) -> VFS {
        TmpfsPageMemory.allocate = { PhysicalMemory.allocateForUser().map { KernelLayout.directMap($0).pointer } }
        FileLocks.install()
        OpenFile.releaseFcntlLocks = { owner in
            RecordLocks.descriptionClosed(owner)
            Leases.descriptionClosed(owner)
        }
        TmpfsPageMemory.release = { PhysicalMemory.free(PhysAddr(UInt64(UInt(bitPattern: $0)) - KernelLayout.directMapBase)) }
        let root = Tmpfs(device: anonymousDevice(), clock: clock, rootMode: 0o755, sizeLimit: tmpfsDefaultSize,
                         typeName: Array("rootfs".utf8))
        let vfs = VFS(root: root)
        self.vfs = vfs
        PipeFileSystem.clock = clock
        try Devfs.registerMemoryDevices(in: vfs.devices, random: { lichenFillRandom($0.baseAddress!, $0.count) })
        try ConsoleTTY.register(in: vfs.devices)
        if RealtimeClock.available { try vfs.devices.register(.character, .rtc0, RTCDevice.shared) }
        let context = vfs.context()
        if let initramfs { try await unpack(initramfs, into: vfs, context: context) }
        do { _ = try await vfs.mkdir(Array("/dev".utf8), mode: 0o755, context: context) } catch where error == .EEXIST {}
        let devfs = try await Devfs.make(device: anonymousDevice(), clock: clock, driverNodes: ConsoleTTY.devfsNodes)
        _ = try await vfs.mount(devfs, on: Array("/dev".utf8), context: context)
        return vfs
    }

    /// Unpacks the cpio archive(s) into the root, as Linux's populate_rootfs does: plain archives and
    /// gzip members (decompressed one at a time, in place, into a VirtualBuffer), zero padding between them.
    private static func unpack(_ image: UnsafeRawBufferPointer, into vfs: VFS, context: FSContext) async throws(Errno) {
        var offset = 0
        var files = 0, bytes = 0
        while offset < image.count {
            var reader = CpioReader(image, offset: offset)
            let plainEnd = await create(&reader, from: image, into: vfs, context: context, files: &files, bytes: &bytes)
            if reader.isAtEnd || plainEnd == nil { break }
            offset = reader.offset
            guard GzipHeader.isGzip(image, at: offset) else {
                KernelLog.error("initramfs: unknown data at offset " + Format.decimal(UInt64(offset)) + " (only cpio and gzip are supported)")
                break
            }
            // The output of one member is at most a few times the input; reserve generously (address space only).
            let output = VirtualBuffer(capacity: max(64 << 20, image.count * 16))
            // Decompressed in place, the buffer mapped as it fills (no copy of the output).
            guard let first = output.writable(atLeast: image.count * 2) else {
                KernelLog.error("initramfs: out of memory while decompressing")
                break
            }
            do {
                let member = try Gzip.member(image, at: offset, into: first) { written in output.writable(atLeast: written * 2) }
                offset = member.end
                output.setCount(member.produced)
            } catch where error == .outputTooLarge {
                KernelLog.error("initramfs: out of memory while decompressing")
                break
            } catch {
                KernelLog.error("initramfs: corrupt gzip data")
                break
            }
            var inner = CpioReader(output.bytes)
            _ = await create(&inner, from: output.bytes, into: vfs, context: context, files: &files, bytes: &bytes)
        }
        KernelLog.info("initramfs: unpacked " + Format.decimal(UInt64(files)) + " files, " + Format.bytes(UInt64(bytes)))
    }

    /// Creates the entries `reader` yields (nil after a malformed archive).
    private static func create(_ reader: inout CpioReader, from buffer: UnsafeRawBufferPointer, into vfs: VFS,
                               context: FSContext, files: inout Int, bytes: inout Int) async -> Int? {
        while true {
            let next: CpioEntry?
            do { next = try reader.next() } catch {
                KernelLog.error("initramfs: malformed archive at offset " + Format.decimal(UInt64(reader.offset)))
                return nil
            }
            guard let entry = next else { return reader.offset }
            var name = Array(UnsafeRawBufferPointer(rebasing: buffer[entry.name]))
            while name.last == 0 { name.removeLast() }
            while name.first == UInt8(ascii: "/") { name.removeFirst() }
            guard !name.isEmpty, !(name.count == 1 && name[0] == UInt8(ascii: ".")) else { continue }
            let data = UnsafeRawBufferPointer(rebasing: buffer[entry.data])
            do throws(Errno) {
                try await create(entry, path: [UInt8(ascii: "/")] + name, data: data, vfs: vfs, context: context)
                if entry.fileType == .regular { files += 1; bytes += data.count }
            } catch {
                KernelLog.warning("initramfs: cannot create /" + String(decoding: name, as: UTF8.self) + " (errno "
                                  + Format.decimal(UInt64(error.rawValue)) + ")")
            }
        }
    }

    private static func create(_ entry: CpioEntry, path: [UInt8], data: UnsafeRawBufferPointer, vfs: VFS,
                               context: FSContext) async throws(Errno) {
        let mode = entry.mode & 0o7777
        switch entry.fileType {
        case .directory?:
            do { _ = try await vfs.mkdir(path, mode: mode, context: context) } catch where error == .EEXIST {}
        case .regular?:
            let file = try await vfs.open(path, flags: [.O_WRONLY, .O_CREAT, .O_TRUNC], mode: mode, context: context)
            var done = 0
            while done < data.count {
                let n = try await file.write(from: UnsafeRawBufferPointer(rebasing: data[done...]))
                if n == 0 { throw .ENOSPC }
                done += n
            }
        case .symbolicLink?:
            _ = try await vfs.symlink(Array(data), at: path, context: context)
        case .characterDevice?, .blockDevice?, .fifo?, .socket?:
            _ = try await vfs.mknod(path, mode: (entry.mode & FileMode.S_IFMT) | mode,
                                    device: DeviceNumber(major: entry.rdevMajor, minor: entry.rdevMinor), context: context)
        case nil:
            throw .EINVAL
        }
    }
}
