import LichenCore
import _Concurrency

/// /proc/sys: the kernel's tunables, with the values Lichen actually has (what sysctl and programs
/// probing limits read). Most are read-only (0444); the writable ones are ProcTunables (vm's
/// overcommit settings, fs's link protections, kernel's core_pattern and core_uses_pid).
enum ProcSys {
    typealias Entry = (name: String, text: @Sendable () -> [UInt8])

    static func make(parent: ProcDirectory) -> ProcDirectory {
        directory(ino: 0x400, parent: parent) { me in [
            ("kernel", directory(ino: 0x410, parent: me, files: kernel,
                                tunables: { ProcCoreDumpKnobs.files(firstIno: $0) + ProcSysVIPC.tunables(firstIno: $0 + 2) }, subdirectories: { k in
                [("random", directory(ino: 0x430, parent: k, files: random))] })),
            ("vm", directory(ino: 0x450, parent: me, files: vm, tunables: ProcOvercommit.tunables)),
            ("fs", directory(ino: 0x470, parent: me) { fsDirectory in
                fs.enumerated().map { (i, f) -> (String, any Inode) in (f.name, ProcFile(ino: 0x471 + UInt64(i), text: f.text)) }
                    + ProcSysKnobs.linkProtection(firstIno: 0x471 + UInt64(fs.count))
                    + [("inotify", directory(ino: 0x4a0, parent: fsDirectory, tunables: ProcSysKnobs.inotify))]
                    + [("mqueue", directory(ino: 0x4b0, parent: fsDirectory, tunables: ProcMqueue.tunables))]
            }),
        ] }
    }

    private static func line(_ s: String) -> @Sendable () -> [UInt8] { { Array((s + "\n").utf8) } }

    static let kernel: [Entry] = [
        ("ostype", line("Linux")), ("osrelease", line("6.1.0-lichen")), ("version", line("#1 SMP Lichen " + kernelVersion)),
        ("hostname", { HostNames.host + [0x0a] }), ("domainname", { HostNames.domain + [0x0a] }), ("pid_max", line("32768")),
        ("threads-max", { Array((dec(UInt64(Processes.withTable { $0.threadsMax })) + "\n").utf8) }), ("ngroups_max", line(dec(UInt64(Credentials.maxGroups)))),
        ("cap_last_cap", line(dec(UInt64(Capability.last.rawValue)))), ("panic", line("0")),
        ("printk", { Array((dec(UInt64(KernelLog.consoleLevel)) + "\t4\t1\t7\n").utf8) }),
        ("dmesg_restrict", line("1")), ("randomize_va_space", line("0")),
        ("tainted", line("0")),
        // SysV IPC's next-id controls: -1, "allocate the next free id" (Linux's default).
        ("msg_next_id", line("-1")), ("sem_next_id", line("-1")), ("shm_next_id", line("-1")),
    ]
    static let random: [Entry] = [
        ("boot_id", { bootID }), ("uuid", { uuid() }), ("entropy_avail", line("256")), ("poolsize", line("256")),
    ]
    static let vm: [Entry] = [
        ("swappiness", line("60")),
        ("max_map_count", line("65530")), ("page-cluster", line("3")),
    ]
    static let fs: [Entry] = [
        ("file-max", line("9223372036854775807")), ("nr_open", line("1048576")), ("pipe-max-size", line("1048576")),
    ]

    /// A random version-4 UUID, as Linux formats it.
    static func uuid() -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 16)
        b.withUnsafeMutableBytes { lichenFillRandom($0.baseAddress!, 16) }
        b[6] = b[6] & 0x0f | 0x40
        b[8] = b[8] & 0x3f | 0x80
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for (i, byte) in b.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
            out.append(hex[Int(byte >> 4)]); out.append(hex[Int(byte & 15)])
        }
        return out + [0x0a]
    }
    static let bootID = uuid()

    private static func directory(ino: UInt64, parent: ProcDirectory?, files: [Entry] = [],
                                  tunables: @escaping @Sendable (UInt64) -> [(String, any Inode)] = { _ in [] },
                                  subdirectories: @escaping @Sendable (ProcDirectory) -> [(String, ProcDirectory)] = { _ in [] }) -> ProcDirectory {
        directory(ino: ino, parent: parent) { me in
            var list: [(String, any Inode)] = subdirectories(me).map { ($0.0, $0.1) }
            for (i, f) in files.enumerated() { list.append((f.name, ProcFile(ino: ino + 1 + UInt64(i), text: f.text))) }
            list += tunables(ino + 1 + UInt64(files.count))     // writable files, numbered after the read-only ones
            return list
        }
    }

    private static func directory(ino: UInt64, parent: ProcDirectory?,
                                  _ entries: @escaping @Sendable (ProcDirectory) -> [(String, any Inode)]) -> ProcDirectory {
        ProcDirectory(ino: ino, parent: parent) { (me: ProcDirectory) async -> [(name: [UInt8], inode: any Inode)] in
            entries(me).map { (Array($0.0.utf8), $0.1) }
        }
    }
}
