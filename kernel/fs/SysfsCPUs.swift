import LichenCore
import _Concurrency

/// What sysfs shows so far: /sys/devices/system/cpu/{online,possible,present} ("0-1") and a cpuN
/// directory per CPU, which glibc reads for sysconf(_SC_NPROCESSORS_ONLN) and _SC_NPROCESSORS_CONF
/// (counting cpuN entries). Every CPU Lichen finds is brought up, so the three lists are the same.
/// Made with the sysfs instance (SysFileSystem.shared), read-only (0444 files, 0755 directories,
/// owned by root).
extension SysFileSystem {
    static func addCPUs(to fs: SysFileSystem) async {
        do throws(Errno) {
            var directory = fs.root
            for name in ["devices", "system", "cpu"] { directory = try await directory.mkdir(Array(name.utf8), mode: 0o755, owner: .root) }
            let count = PerCPU.onlineCount
            let list = Array(((count == 1 ? "0" : "0-" + Format.decimal(UInt64(count - 1))) + "\n").utf8)
            for name in ["online", "possible", "present"] {
                let file = try await directory.create(Array(name.utf8), mode: 0o444, owner: .root)
                let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: list.count, alignment: 1)
                defer { bytes.deallocate() }
                bytes.copyBytes(from: list)
                _ = try await file.write(at: 0, from: UnsafeRawBufferPointer(bytes), append: false)
            }
            for cpu in 0..<count { _ = try await directory.mkdir(Array(("cpu" + Format.decimal(UInt64(cpu))).utf8), mode: 0o755, owner: .root) }
        } catch {
            KernelLog.warning("sysfs: the CPU files could not be made")
        }
    }
}
