import LichenCore
import _Concurrency

/// /proc/<pid>/mountinfo (Linux's show_mountinfo): "id parent major:minor root mountpoint options
/// [optional fields] - type source superoptions", in mount order, as the process sees them: paths
/// from its root, and mounts it cannot reach (outside a chroot, the rootfs under a switched root)
/// left out. Lichen's mounts are all private (no optional "shared:N" fields).
enum ProcMountInfo {
    @Sendable static func text(_ p: Process) async -> [UInt8] {
        guard let vfs = RootFilesystem.vfs else { return [] }
        var o: [UInt8] = []
        let context = p.fs
        for m in vfs.mounts.all {
            guard let point = await vfs.reachablePath(of: Location(mount: m, inode: m.root), context: context) else { continue }
            let type = String(decoding: m.fileSystem.typeName, as: UTF8.self)
            let device = m.fileSystem.device
            // The root mount is its own parent, as Linux shows its initial rootfs.
            o.add(dec(m.id) + " " + dec(m.parent?.id ?? m.id) + " " + dec(UInt64(device.major)) + ":" + dec(UInt64(device.minor)) + " ")
            o += m.rootPath
            o.add(" ")
            o += point
            // Linux's initial rootfs shows no atime option, as /proc/mounts has it.
            let options = type.utf8.elementsEqual("rootfs".utf8) ? (m.flags.contains(.readOnly) ? "ro" : "rw") : m.flags.optionsText
            o.add(" " + options + " - " + type + " " + MountSyscalls.source(of: m) + " " + superOptions(type, m.fileSystem.fileSystemOptions) + "\n")
        }
        return o
    }

    /// The filesystem's own options: Lichen's superblocks are always writable; tmpfs adds what
    /// /proc/mounts shows for it, ext4 its non-default commit interval.
    static func superOptions(_ type: String, _ own: String) -> String {
        (type.utf8.elementsEqual("tmpfs".utf8) ? "rw,inode64" : "rw") + (own.isEmpty ? "" : "," + own)
    }
}
