import LichenCore
import _Concurrency

/// /proc/<pid>/mountinfo (Linux's show_mountinfo): "id parent major:minor root mountpoint options -
/// type source superoptions". coreutils' df and libmount read this file, not /proc/mounts.
/// Mount ids are positions in the mount table from 1 (the root mount is its own parent, as on Linux);
/// a mount's root is always its filesystem's root (no bind mounts of subdirectories here).
enum ProcMountInfo {
    @Sendable static func text() async -> [UInt8] {
        guard let vfs = RootFilesystem.vfs else { return [] }
        let context = vfs.context()
        let all = vfs.mounts.all
        func id(_ m: Mount?) -> Int { (all.firstIndex { $0 === m } ?? 0) + 1 }
        var o: [UInt8] = []
        for m in all {
            let path: [UInt8]
            if let on = m.mountedOn {
                do { path = try await vfs.path(of: on, context: context) } catch { continue }
            } else {
                path = [0x2f]
            }
            let device = m.fileSystem.device
            let type = String(decoding: m.fileSystem.typeName, as: UTF8.self)
            o.add(dec(id(m)) + " " + dec(id(m.parent ?? m)) + " " + dec(UInt64(device.major)) + ":" + dec(UInt64(device.minor)) + " / ")
            o += path
            o.add(" " + m.flags.optionsText + " - " + type + " " + MountSyscalls.source(of: m) + " "
                  + (m.flags.contains(.readOnly) ? "ro" : "rw") + "\n")
        }
        return o
    }
}
