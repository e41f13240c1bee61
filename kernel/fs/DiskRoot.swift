import LichenCore
import _Concurrency

/// root= on the command line (Linux's prepare_namespace, init/do_mounts.c): the disk is mounted on
/// /root of the rootfs as "/dev/root", moved onto "/", and becomes init's root (chroot). Debian's
/// kernel has no CONFIG_DEVTMPFS_MOUNT, so nothing is mounted on the disk's /dev: init does it.
enum DiskRoot {
    static let MS_RDONLY: UInt64 = 0x1, MS_SILENT: UInt64 = 0x8000

    /// Mounts the root asked for and returns where init runs; a root that cannot be mounted ends
    /// the boot with Linux's messages and a power-off (Linux panics there).
    static func mount(_ request: RootRequest, vfs: VFS) async -> Location {
        if request.delaySeconds > 0 {
            KernelLog.info("Waiting " + Format.decimal(UInt64(request.delaySeconds)) + " sec before mounting root device...")
            _ = await sleep(for: UInt64(request.delaySeconds) * 1_000_000_000)
        }
        var number = lookup(request.device)
        if number == nil && request.wait {
            KernelLog.info("Waiting for root device " + text(request.text) + "...")
            while number == nil {                       // as Linux: until it appears (no hot-plug yet: forever)
                _ = await sleep(for: 100_000_000)
                number = lookup(request.device)
            }
        }
        let device = number ?? DeviceNumber(major: 0, minor: 0)
        let block = "unknown-block(" + Format.decimal(UInt64(device.major)) + "," + Format.decimal(UInt64(device.minor)) + ")"
        let context = vfs.context()
        let source = Array("/dev/root".utf8)
        do throws(Errno) {
            do { _ = try await vfs.mknod(source, mode: FileMode.S_IFBLK | 0o600, device: device, context: context) } catch where error == .EEXIST {}
            do { _ = try await vfs.mkdir(Array("/root".utf8), mode: 0o700, context: context) } catch where error == .EEXIST {}
        } catch {
            fail(request.text, block, error: error)
        }
        let types = request.fileSystemTypes.isEmpty ? ["ext3", "ext2", "ext4"].map { Array($0.utf8) } : request.fileSystemTypes
        var readOnly = request.readOnly
        while true {
            for type in types {
                let flags = MS_SILENT | (readOnly ? MS_RDONLY : 0)
                do throws(Errno) {
                    guard Ext4Mount.isExt(type) else { throw .ENODEV }
                    let fs = try await Ext4Mount.make(type: type, source: source, flags: flags, data: request.options, context: context)
                    let root = try await vfs.resolve(Array("/root".utf8), context: context)
                    let m = try vfs.mount(fs, on: root, flags: MountFlags(mountSyscallFlags: flags))
                    MountSyscalls.remember(m, source: source)
                    KernelLog.info("VFS: Mounted root (" + text(fs.typeName) + " filesystem)" + (readOnly ? " readonly" : "")
                                   + " on device " + Format.decimal(UInt64(device.major)) + ":" + Format.decimal(UInt64(device.minor)) + ".")
                    if readOnly && !request.readOnly {
                        KernelLog.warning("VFS: Lichen cannot write " + text(fs.typeName) + " yet: the root is read-only although rw was asked")
                    }
                    // init_mount(".", "/", MS_MOVE) and init_chroot("."): the disk covers the rootfs.
                    let top = Location(mount: m, inode: m.root)
                    try vfs.move(top, to: vfs.root)
                    return top
                } catch where error == .EACCES || error == .EINVAL || error == .ENODEV || error == .EROFS {
                    continue    // not this type (ENODEV: one Lichen does not have); EROFS: Lichen cannot write it
                } catch {
                    KernelLog.error("VFS: Cannot open root device \"" + text(request.text) + "\" or " + block + ": error -"
                                    + Format.decimal(UInt64(error.rawValue)))
                    KernelLog.error("Please append a correct \"root=\" boot option; here are the available partitions:")
                    listPartitions()
                    halt("VFS: Unable to mount root fs on " + block)
                }
            }
            if readOnly { break }
            readOnly = true                                  // as Linux: every type again, read-only
        }
        KernelLog.error("List of all partitions:")
        listPartitions()
        KernelLog.error("No filesystem could mount root, tried: " + types.map { " " + text($0) }.joined())
        halt("VFS: Unable to mount root fs on " + block)
    }

    /// A device that does not exist: do_mount_root's open of /dev/root fails with ENXIO.
    private static func fail(_ name: [UInt8], _ block: String, error: Errno) -> Never {
        KernelLog.error("VFS: Cannot open root device \"" + text(name) + "\" or " + block + ": error -"
                        + Format.decimal(UInt64(error.rawValue)))
        KernelLog.error("Please append a correct \"root=\" boot option; here are the available partitions:")
        listPartitions()
        halt("VFS: Unable to mount root fs on " + block)
    }

    /// Linux panics here; Lichen says the same and powers off rather than hang.
    static func halt(_ reason: String) -> Never {
        KernelLog.error("Kernel panic - not syncing: " + reason)
        PowerOff.now()
    }

    /// printk_all_partitions: "fe00      65536 vda  driver: virtio_blk", partitions indented.
    private static func listPartitions() {
        for disk in BlockDevices.all {
            for file in [disk.whole] + disk.partitions {
                let number = Format.hex(UInt64(file.number.major), width: 2, prefix: false) + Format.hex(UInt64(file.number.minor), width: 2, prefix: false)
                KernelLog.error((file.partition == nil ? "" : "  ") + number + " " + Format.decimal(file.sectors / 2, width: 10) + " "
                                + file.name + " " + (file.partition == nil ? " driver: virtio_blk" : ""))
            }
        }
    }

    /// The device number root= names, if that device exists.
    static func lookup(_ device: RootDevice) -> DeviceNumber? {
        for disk in BlockDevices.all {
            for file in [disk.whole] + disk.partitions {
                switch device {
                case .name(let name):
                    if Array(file.name.utf8) == name { return file.number }
                case .number(let major, let minor):
                    if file.number.major == major && file.number.minor == minor { return file.number }
                case .partitionUUID(let asked, let offset):
                    // devt_from_partuuid: the first partition whose UUID matches (a disk has none);
                    // PARTNROFF= moves to the partition that many numbers on (0: the disk itself).
                    guard let p = file.partition, RootRequest.partitionUUIDMatches(p.uuid, asked: asked) else { continue }
                    if offset == 0 { return file.number }
                    let wanted = p.number + offset
                    if wanted == 0 { return disk.whole.number }
                    return disk.partitions.first { $0.partition?.number == wanted }?.number
                }
            }
        }
        return nil
    }

    /// A root= that names no device form Linux knows (UUID=, LABEL=: an initramfs's job, not the
    /// kernel's; nfs and ram roots Lichen does not have): early_lookup_bdev fails, ROOT_DEV stays
    /// 0:0 and mounting /dev/root fails with ENXIO, as Linux without an initramfs.
    static func invalid(_ text: [UInt8], wait: Bool) -> Never {
        if wait { KernelLog.error("Disabling rootwait; root= is invalid.") }
        fail(text, "unknown-block(0,0)", error: .ENXIO)
    }

    private static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}
