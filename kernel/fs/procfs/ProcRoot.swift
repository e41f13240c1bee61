import LichenCore
import _Concurrency

/// /proc's top level: a directory per live process, self, and the system-wide files.
enum ProcRoot {
    static func make() -> ProcDirectory {
        let root = ProcDirectory(ino: 1, parent: nil) { (me: ProcDirectory) async -> [(name: [UInt8], inode: any Inode)] in
            var list: [(name: [UInt8], inode: any Inode)] = []
            list.append((Array("self".utf8), ProcSelfLink(ino: 2)))
            list.append((Array("sys".utf8), ProcSys.make(parent: me)))
            list.append((Array("sysvipc".utf8), ProcSysVIPC.directory(parent: me)))
            list.append((Array("mounts".utf8), ProcLink(ino: 3) { () throws(Errno) -> [UInt8] in Array("self/mounts".utf8) }))
            list.append((Array("net".utf8), ProcLink(ino: 4) { () throws(Errno) -> [UInt8] in Array("self/net".utf8) }))
            for (i, f) in files.enumerated() {
                list.append((Array(f.name.utf8), ProcFile(ino: UInt64(0x100 + i), text: f.text)))
            }
            return list
        }
        // A directory per live process, after the files as in Linux: found by pid, listed in pid order
        // from where the last getdents stopped.
        root.keyed = ProcKeyedEntries(find: { me, name in
            guard let pid = pidNamed(name), Processes.process(pid) != nil else { return nil }
            return ProcPid.directory(pid, parent: me)
        }, next: { me, after in
            guard let pid = Processes.registry.withLock({ $0.objects.next(after: after)?.id }) else { return nil }
            return (pid, Array(dec(pid).utf8), ProcPid.directory(pid, parent: me))
        })
        return root
    }

    /// A decimal pid without sign or leading zeros ("01" names nothing, as in Linux).
    static func pidNamed(_ name: [UInt8]) -> Int32? {
        guard !name.isEmpty, name.count <= 10, name[0] != UInt8(ascii: "0") else { return nil }
        var v: Int64 = 0
        for c in name {
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
            v = v * 10 + Int64(c - UInt8(ascii: "0"))
        }
        return v <= Int64(Int32.max) ? Int32(v) : nil
    }

    static func livePids() -> [Int32] {
        Processes.all().map { $0.pid }              // in pid order
    }

    static let files: [(name: String, text: @Sendable () async -> [UInt8])] = [
        ("cpuinfo", ProcSystem.cpuinfo), ("filesystems", ProcSystem.filesystems), ("loadavg", ProcSystem.loadavg),
        ("meminfo", ProcSystem.meminfo), ("partitions", BlockDevices.procPartitions), ("stat", ProcSystem.stat), ("uptime", ProcSystem.uptime),
        ("version", ProcSystem.version), ("vmstat", ProcVmstat.text),
    ]
}

/// /proc/self: names the directory of the process that looks (FSContext.processID).
final class ProcSelfLink: Inode, @unchecked Sendable {
    let metadata: InodeMetadata

    init(ino: UInt64) {
        metadata = InodeMetadata(ino: ino, mode: FileMode.S_IFLNK | 0o777, uid: 0, gid: 0, nlink: 1, time: RootFilesystem.clock())
    }

    func readlink() async throws(Errno) -> [UInt8] { throw .ENOENT }
    func readlink(in context: FSContext) async throws(Errno) -> [UInt8] {
        guard context.processID > 0 else { throw .ENOENT }
        return Array(dec(context.processID).utf8)
    }
}
