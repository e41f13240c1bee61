import LichenCore
import _Concurrency

/// mount(2) of vfat from a block device: the source resolved to a disk or partition, the boot
/// sector checked, then the filesystem reads and writes sectors through the device's BlockCache
/// (read-only with MS_RDONLY or on a read-only disk). Linux's messages start "FAT-fs (vda): ".
enum FatMount {
    static let MS_RDONLY: UInt64 = 0x1, MS_SILENT: UInt64 = 0x8000

    static func isFat(_ type: [UInt8]) -> Bool { type == Array("vfat".utf8) }

    static func make(source: [UInt8], flags: UInt64, data: [UInt8], context: FSContext) async throws(Errno) -> any FileSystem {
        let vfs = try FileSyscalls.vfs()
        let location = try await vfs.resolve(source, context: context)
        let metadata = location.inode.metadata
        guard metadata.type == .blockDevice else { throw .ENOTBLK }
        guard let file = BlockDevices.file(metadata.rdev) else { throw .ENXIO }
        let name = file.name
        func log(_ s: String) { KernelLog.info("FAT-fs (" + name + "): " + s) }
        var bad: [UInt8] = []
        let options: FatMountOptions
        do throws(Errno) {
            options = try FatMountOptions.parse(data, uid: context.credentials.fsuid, gid: context.credentials.fsgid,
                                                umask: context.umask, bad: &bad)
        } catch {
            log("Unrecognized mount option \"" + String(decoding: bad, as: UTF8.self) + "\" or missing value")
            throw error
        }
        let silent = flags & MS_SILENT != 0
        let logical = file.device.logicalBlockSize
        let probe = try BlockCache(file, blockSize: logical, capacity: 4)
        let first = try await probe.block(0)
        var reason = ""
        let boot: FatBootSector
        do throws(Errno) {
            boot = try FatBootSector.parse(Array(first[0..<512]), reason: &reason)
        } catch {
            if !silent {
                log(reason)
                log("Can't find a valid FAT filesystem")
            }
            throw error
        }
        guard boot.bytesPerSector >= logical else {
            log("logical sector size too small for device (logical sector size = " + Format.decimal(UInt64(boot.bytesPerSector)) + ")")
            throw .EINVAL
        }
        let cache = try BlockCaches.cache(for: file, blockSize: boot.bytesPerSector, capacity: 4096)
        let readOnly = flags & MS_RDONLY != 0 || file.device.readOnly
        if file.device.readOnly && flags & MS_RDONLY == 0 { throw .EACCES }     // mount(8) retries read-only
        return try await FatFileSystem.mount(boot, source: cache, store: readOnly ? nil : cache, options: options, device: file.number,
                                             clock: RootFilesystem.clock) { line in
            KernelLog.warning("FAT-fs (" + name + "): " + line)
        }
    }
}
