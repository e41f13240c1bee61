import LichenCore
import Synchronization
import _Concurrency

/// /proc/<pid>: stat, status, cmdline, comm, environ, auxv, maps, mounts, exe, cwd, root, fd/.
enum ProcPid {
    static func directory(_ pid: Int32, parent: ProcDirectory) -> ProcDirectory {
        let base = UInt64(pid) << 16
        // The directory is always the process's effective ids'; its files root's while not dumpable.
        let ids = ProcAccess.effectiveIDs(pid)
        return ProcDirectory(ino: base, uid: ids.uid, gid: ids.gid, parent: parent) { (me: ProcDirectory) async -> [(name: [UInt8], inode: any Inode)] in
            let owner = ProcAccess.owner(pid)
            func file(_ name: String, _ i: UInt64, mode: UInt32 = 0o444, guarded: Bool = false,
                      _ text: @escaping @Sendable (Process) async -> [UInt8]) -> ([UInt8], any Inode) {
                (Array(name.utf8), ProcFile(ino: base | i, mode: mode, uid: owner.uid, gid: owner.gid,
                                            guarded: guarded ? ProcGuardedOperations(pid: pid) : nil) { () async -> [UInt8] in
                    guard let p = Processes.process(pid) else { return [] }
                    return await text(p)
                })
            }
            // cwd, exe, root and fd/ need the access check (ProcAccess) to be read or followed.
            return [
                (Array("maps".utf8), ProcFile(ino: base | 6, uid: owner.uid, gid: owner.gid, guarded: ProcGuardedOperations(pid: pid)) {
                    offset, count async -> [UInt8] in
                    guard let p = Processes.process(pid) else { return [] }
                    return maps(p, offset: offset, count: count)
                }),
                file("cmdline", 1) { $0.commandLine },
                file("comm", 2) { $0.name + [0x0a] },
                file("environ", 17, mode: 0o400, guarded: true) { $0.environment },
                file("auxv", 18, mode: 0o400, guarded: true) { $0.auxv },
                (Array("cwd".utf8), ProcLink(ino: base | 3, uid: owner.uid, gid: owner.gid, jump: { () throws(Errno) -> Location in
                    try ProcAccess.check(pid).fs.cwd
                }) { () async throws(Errno) -> [UInt8] in
                    let p = try ProcAccess.check(pid)
                    return try await FileSyscalls.vfs().path(of: p.fs.cwd, context: p.fs)
                }),
                (Array("exe".utf8), ProcLink(ino: base | 4, uid: owner.uid, gid: owner.gid, jump: { () throws(Errno) -> Location in
                    guard let exe = try ProcAccess.check(pid).executable else { throw .ENOENT }
                    return exe
                }) { () async throws(Errno) -> [UInt8] in
                    let p = try ProcAccess.check(pid)
                    guard let exe = p.executable else { throw .ENOENT }
                    return await path(of: exe, hint: p.executableHint, context: p.fs)
                }),
                // Owned by the effective ids even when not dumpable: Linux lets a process into its
                // own fd/ whatever the owner (proc_fd_permission).
                (Array("fd".utf8), fdDirectory(pid, owner: ProcAccess.effectiveIDs(pid), parent: me)),
                (Array("fdinfo".utf8), ProcFdInfo.directory(pid, owner: ProcAccess.effectiveIDs(pid), parent: me)),
                (Array("net".utf8), ProcNet.directory(pid, parent: me)),
                file("mounts", 7) { await ProcSystem.mounts($0) },
                file("mountinfo", 13, ProcMountInfo.text),
                (Array("smaps".utf8), ProcFile(ino: base | 14, uid: owner.uid, gid: owner.gid, guarded: ProcGuardedOperations(pid: pid)) {
                    offset, count async -> [UInt8] in
                    guard let p = Processes.process(pid) else { return [] }
                    return ProcSmaps.read(p, offset: offset, count: count)
                }),
                file("smaps_rollup", 15, guarded: true) { ProcSmaps.rollup($0) },
                (Array("pagemap".utf8), ProcPagemap.file(pid, ino: base | 16)),
                // The process's root (chroot), named as the system's root sees it.
                (Array("root".utf8), ProcLink(ino: base | 8, uid: owner.uid, gid: owner.gid, jump: { () throws(Errno) -> Location in
                    try ProcAccess.check(pid).fs.root
                }) { () async throws(Errno) -> [UInt8] in
                    let p = try ProcAccess.check(pid)
                    let vfs = try FileSyscalls.vfs()
                    return try await vfs.path(of: p.fs.root, context: vfs.context())
                }),
                file("stat", 9, stat),
                file("status", 10, status),
                // Audit identity: never set on Lichen (no login records), as on a Linux booted without
                // one; glibc's getlogin() reads it and then fails with ENXIO.
                file("loginuid", 11) { _ in Array("4294967295".utf8) },
                file("sessionid", 12) { _ in Array("4294967295".utf8) },
                (Array("task".utf8), taskDirectory(pid, parent: me)),
            ] + ProcOvercommit.files(pid, base: base)
        }
    }

    /// /proc/<pid>/task: a directory per live thread, named by tid, with comm, stat and status
    /// (the process's, but for the thread's own ids and capabilities: per-thread times and states
    /// are not kept).
    static func taskDirectory(_ pid: Int32, parent: ProcDirectory) -> ProcDirectory {
        ProcDirectory(ino: UInt64(pid) << 16 | 0x4000, parent: parent) { (me: ProcDirectory) async -> [(name: [UInt8], inode: any Inode)] in
            guard let p = Processes.process(pid) else { return [] }
            let tids = p.signals.withLock { $0.group.members.map { $0.tid } }
            return tids.map { tid in (Array(dec(tid).utf8), threadDirectory(pid, tid: tid, parent: me)) }
        }
    }

    static func threadDirectory(_ pid: Int32, tid: Int32, parent: ProcDirectory) -> ProcDirectory {
        let base = UInt64(tid) << 16 | 0x4000     // tids and pids share one id space: no clash
        return ProcDirectory(ino: base | 1, parent: parent) { (_: ProcDirectory) async -> [(name: [UInt8], inode: any Inode)] in
            func file(_ name: String, _ i: UInt64, _ text: @escaping @Sendable (Process) async -> [UInt8]) -> ([UInt8], any Inode) {
                (Array(name.utf8), ProcFile(ino: base | i) { () async -> [UInt8] in
                    guard let p = Processes.process(pid) else { return [] }
                    return await text(p)
                })
            }
            return [file("comm", 2) { $0.name + [0x0a] }, file("stat", 3, stat), file("status", 4) { status($0, tid: tid) }]
        }
    }

    /// fd/: 0500 and owned as the process (so only its owner searches it), entries checked again.
    static func fdDirectory(_ pid: Int32, owner: (uid: UInt32, gid: UInt32), parent: ProcDirectory) -> ProcDirectory {
        let base = UInt64(pid) << 16 | 0x8000
        return ProcDirectory(ino: base, mode: 0o500, uid: owner.uid, gid: owner.gid, parent: parent) { (_: ProcDirectory) async -> [(name: [UInt8], inode: any Inode)] in
            guard let p = Processes.process(pid), ProcAccess.mayInspect(p) else { return [] }
            var list: [(name: [UInt8], inode: any Inode)] = []
            for fd in p.files.withLock({ $0.descriptors }) {
                // Looked up again when read or followed: the descriptor may have changed meanwhile.
                let file = { @Sendable () throws(Errno) -> OpenFile in
                    let p = try ProcAccess.check(pid)
                    do throws(Errno) { return try p.file(fd) } catch { throw .ENOENT }
                }
                list.append((Array(dec(fd).utf8), ProcLink(ino: base | UInt64(fd & 0x7fff), jump: { () throws(Errno) -> Location in
                    try file().location
                }) { () async throws(Errno) -> [UInt8] in
                    await fileName(try file(), context: p.fs)
                }))
            }
            return list
        }
    }

    /// What Linux's d_path shows for an open file: its path, or "pipe:[ino]".
    static func fileName(_ file: OpenFile, context: FSContext) async -> [UInt8] {
        if file.location.mount.fileSystem === PipeFileSystem.shared {
            return Array(("pipe:[" + dec(file.status.ino) + "]").utf8)
        }
        if file.location.mount.fileSystem === SocketFileSystem.shared {
            return Array(("socket:[" + dec(file.status.ino) + "]").utf8)
        }
        return await path(of: file.location, hint: file.pathHint, context: context)
    }

    /// Linux's d_path without dentries: directories climb "..", other files are found again by
    /// inode number in the directory they were named in (so /bin/sh shows as /bin/busybox).
    static func path(of location: Location, hint: (directory: Location, path: [UInt8])?, context: FSContext) async -> [UInt8] {
        guard let vfs = RootFilesystem.vfs else { return [] }
        if location.metadata.isDirectory {
            do { return try await vfs.path(of: location, context: context) } catch { return Array("(unreachable)".utf8) }
        }
        guard let hint else { return Array("(unknown)".utf8) }
        let slash = hint.path.lastIndex(of: 0x2f)
        let parentPath: [UInt8] = slash == nil ? [0x2e] : slash == 0 ? [0x2f] : Array(hint.path[..<slash!])
        do {
            let parent = try await vfs.resolve(parentPath, at: hint.directory, context: context)
            // Another filesystem's inode numbers say nothing about this file (a memfd's internal mount).
            guard parent.mount.fileSystem === location.mount.fileSystem else { return hint.path + Array(" (deleted)".utf8) }
            var result = try await vfs.path(of: parent, context: context)
            let name = try await vfs.name(of: location.inode, in: parent.inode)
            if result != [0x2f] { result.append(0x2f) }
            return result + name
        } catch {
            return hint.path + Array(" (deleted)".utf8)
        }
    }

    static func stateLetter(_ pid: Int32) -> (letter: String, name: String, ppid: Int32, pgid: Int32, sid: Int32) {
        let record = Processes.withTable { $0.record(pid) }
        guard let r = record else { return ("X", "X (dead)", 0, 0, 0) }
        switch r.state {
        case .zombie: return ("Z", "Z (zombie)", r.parent, r.pgid, r.sid)
        case .stopped: return ("T", "T (stopped)", r.parent, r.pgid, r.sid)
        case .running:
            // The reader itself is running; any other process is, as far as Lichen tracks it,
            // blocked in a syscall while anyone reads this.
            if let p = Processes.process(pid), ProcReader.isReader(p) { return ("R", "R (running)", r.parent, r.pgid, r.sid) }
            return ("S", "S (sleeping)", r.parent, r.pgid, r.sid)
        }
    }

    /// Linux 6.1's 52 fields (fs/proc/array.c do_task_stat).
    @Sendable static func stat(_ p: Process) -> [UInt8] {
        let s = stateLetter(p.pid)
        // The console's line when it is the session's controlling terminal (session 0, the kernel's, never has one).
        var tty = s.sid != 0 && s.sid == ConsoleTTY.shared.session ? Int(ConsoleTTY.line?.number.encoded ?? 0) : 0
        var tpgid = tty != 0 ? Int(ConsoleTTY.shared.foregroundGroup) : -1
        if tty == 0, let slave = PtyPairs.slave(session: s.sid) {                              // a pty slave: 136:N
            tty = Int(slave.number.encoded)
            tpgid = Int(slave.foregroundGroup)
        }
        var fields: [String] = [dec(p.pid), "(" + String(decoding: p.name, as: UTF8.self) + ")", s.letter, dec(s.ppid), dec(s.pgid),
                                dec(s.sid), dec(tty), dec(tpgid), "4194304"]
        fields += CPUAccounting.statFields(p)                                                 // minflt..cstime
        let scheduling = p.scheduling.withLock { $0 }
        fields += [dec(scheduling.statPriority), dec(scheduling.nice), dec(max(p.threads.count, 1)), "0",     // priority..itrealvalue
                   dec(Int(TimeValues.clockTicks(p.startTime)))]                                                  // starttime
        let memory = ProcessMemoryTotals(p)
        fields += [dec(memory.size), dec(memory.resident / UInt64(pageSize)), "18446744073709551615"]
        let code = p.memory.areas.first { $0.kind == .code }
        fields += [dec(code?.start.value ?? 0), dec(code?.end.value ?? 0), "0", "0", "0"]
        // signal..cnswap (obsolete bitmaps and counters, 0 as on Linux), exit_signal, processor,
        // rt_priority, policy, delay accounting and guest times (none), start_data, end_data (not
        // kept: 0), start_brk, arg and environment bounds and exit_code (not kept: 0).
        let startBreak = p.memory.locked { p.memory.map.startBreak.value }
        fields += ["0", "0", "0", "0", "0", "0", "0", "17", "0", dec(scheduling.statRealtimePriority), dec(scheduling.policy),
                   "0", "0", "0", "0", "0", dec(startBreak), "0", "0", "0", "0", "0"]
        var out: [UInt8] = []
        out.add(fields.joined(separator: " "))
        out.add("\n")
        return out
    }

    @Sendable static func status(_ p: Process) -> [UInt8] { status(p, tid: p.pid) }

    /// The status of thread `tid` (the ids, capabilities and no_new_privs are per thread; the
    /// process's own file shows its leader's, which the process keeps once the leader has ended).
    static func status(_ p: Process, tid: Int32) -> [UInt8] {
        let thread = p.thread(tid)
        let c = thread?.sharedCredentials ?? p.credentials
        let noNewPrivileges = thread?.noNewPrivileges.load(ordering: .relaxed) ?? false
        let s = stateLetter(p.pid)
        var o: [UInt8] = []
        o.add("Name:\t" + String(decoding: p.name, as: UTF8.self) + "\n")
        o.add("Umask:\t0" + octal(p.fs.umask, 3) + "\n")
        o.add("State:\t" + s.name + "\n")
        o.add("Tgid:\t" + dec(p.pid) + "\nNgid:\t0\nPid:\t" + dec(tid) + "\nPPid:\t" + dec(s.ppid) + "\nTracerPid:\t0\n")
        o.add("Uid:\t" + dec(UInt64(c.uid)) + "\t" + dec(UInt64(c.euid)) + "\t" + dec(UInt64(c.suid)) + "\t" + dec(UInt64(c.fsuid)) + "\n")
        o.add("Gid:\t" + dec(UInt64(c.gid)) + "\t" + dec(UInt64(c.egid)) + "\t" + dec(UInt64(c.sgid)) + "\t" + dec(UInt64(c.fsgid)) + "\n")
        o.add("FDSize:\t64\nGroups:\t" + c.groups.map { dec(UInt64($0)) + " " }.joined() + "\nNStgid:\t" + dec(p.pid) + "\nNSpid:\t" + dec(tid) + "\nNSpgid:\t" + dec(s.pgid)
              + "\nNSsid:\t" + dec(s.sid) + "\n")
        o += ProcessMemoryTotals(p).statusLines
        o.add("Threads:\t" + dec(max(p.threads.count, 1)) + "\n")
        o.add("SigQ:\t0/7735\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\n")
        o.add("CapInh:\t" + hex16(c.inheritable.bits) + "\nCapPrm:\t" + hex16(c.permitted.bits) + "\nCapEff:\t" + hex16(c.effective.bits)
              + "\nCapBnd:\t" + hex16(c.bounding.bits) + "\nCapAmb:\t" + hex16(c.ambient.bits)
              + "\nNoNewPrivs:\t" + (noNewPrivileges ? "1" : "0") + "\n")
        o.add("Cpus_allowed_list:\t0\nvoluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n")
        return o
    }

    /// 16 lower-case hex digits (the Cap* lines).
    static func hex16(_ v: UInt64) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: (0..<16).map { digits[Int((v >> (60 - 4 * UInt64($0))) & 15)] }, as: UTF8.self)
    }

    static func octal(_ v: UInt32, _ width: Int) -> String {
        var digits: [UInt8] = []
        var v = v
        repeat { digits.insert(UInt8(ascii: "0") + UInt8(v & 7), at: 0); v >>= 3 } while v > 0
        while digits.count < width { digits.insert(UInt8(ascii: "0"), at: 0) }
        return String(decoding: digits, as: UTF8.self)
    }

    /// "start-end perms offset dev inode   path" per area (paths of file mappings are not kept yet):
    /// the bytes [offset, offset + count) of it, formatting the lines up to there only.
    /// A read continuing where the last one stopped resumes at the area it stopped in (the memory's
    /// `mapsCursor`), so reading a map of N areas in pieces costs O(N) in all, not O(N) per read;
    /// other lines wholly before the window are only measured (`mapsLineLength`). Only the areas
    /// the window can hold are copied out of the map (every line is at least `minimumMapsLine`).
    static func maps(_ p: Process, offset: Int, count: Int) -> [UInt8] {
        let memory = p.memory
        let (window, start) = memory.locked { () -> ([VirtualMemoryArea<SharedMemoryObject>], Int) in
            var from = UserAddr(0), position = 0
            if let cursor = memory.mapsCursor, cursor.position <= offset { (position, from) = cursor }
            let limit = (offset - position + count) / minimumMapsLine + 2
            return (memory.map.areas(endingAbove: from, limit: limit), position)
        }
        var out: [UInt8] = [], line: [UInt8] = [], position = start
        out.reserveCapacity(min(count, 4096))
        var resume: (position: Int, address: UserAddr)? = nil
        for area in window {
            let length = mapsLineLength(area)
            if position + length <= offset { position += length; continue }
            resume = (position, area.start)
            if position >= offset && position + length <= offset + count {
                ProcMapsText.appendLine(area, to: &out)     // wholly inside the window: written in place
                position += length
                resume = (position, area.end)
                if position == offset + count { break }
                continue
            }
            line.removeAll(keepingCapacity: true)
            ProcMapsText.appendLine(area, to: &line)
            guard appendWindowed(line, at: &position, to: &out, offset: offset, count: count) else { break }
            resume = (position, area.end)
        }
        if let resume { memory.locked { memory.mapsCursor = resume } }
        return out
    }

    /// The shortest line of /proc/<pid>/maps ("00000000-00000000 ---p 00000000 00:00 0\n").
    static let minimumMapsLine = 40

    /// The length of `mapsLine(area)`, computed without formatting it.
    static func mapsLineLength(_ area: VirtualMemoryArea<SharedMemoryObject>) -> Int {
        func hexDigits(_ v: UInt64) -> Int { max(8, (64 - v.leadingZeroBitCount + 3) / 4) }
        let fields = hexDigits(area.start.value) + 1 + hexDigits(area.end.value) + 1 + 4 + 1 + hexDigits(area.fileOffset) + 8
        if let name = area.backing?.mapsName, !name.isEmpty { return mapsLine(area).count }
        let label: Int
        switch area.kind {
        case .heap, .vvar, .vdso: label = 6
        case .stack: label = 7
        default: return fields + 1
        }
        return max(fields, 73) + label + 1
    }

    static func mapsLine(_ area: VirtualMemoryArea<SharedMemoryObject>) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(80)
        ProcMapsText.appendLine(area, to: &line)
        return line
    }
}
