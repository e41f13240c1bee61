import LichenCore
import _Concurrency

/// /proc/<pid>/fdinfo/<fd> (proc(5); Linux 6.1's fs/proc/fd.c seq_show and the files' show_fdinfo):
/// pos, flags (octal, O_CLOEXEC from the descriptor), mnt_id and ino, then the lines of eventfd,
/// epoll, inotify, signalfd, timerfd, pidfd and AF_UNIX sockets. Opened with fd/'s access check.
/// Not printed: inotify's file handles (Lichen has no name_to_handle_at: Linux omits them too when a
/// filesystem cannot encode one), flock/record lock lines.
enum ProcFdInfo {
    static func directory(_ pid: Int32, owner: (uid: UInt32, gid: UInt32), parent: ProcDirectory) -> ProcDirectory {
        let base = UInt64(pid) << 16 | 0x2000
        // 0555 as Linux's (fd/ is 0500); the access check comes at each file's open (EACCES), so another
        // user's process lists its descriptor numbers here (Linux refuses the directory itself).
        return ProcDirectory(ino: base, mode: 0o555, uid: owner.uid, gid: owner.gid, parent: parent) { (_: ProcDirectory) async -> [(name: [UInt8], inode: any Inode)] in
            guard let p = Processes.process(pid) else { return [] }
            return p.files.withLock({ $0.descriptors }).map { fd in
                // Looked up again when read: the descriptor may have changed meanwhile.
                (Array(dec(fd).utf8), ProcFile(ino: 1 << 40 | UInt64(pid) << 16 | UInt64(fd & 0xffff), uid: owner.uid, gid: owner.gid,
                                               guarded: ProcGuardedOperations(pid: pid)) { () async -> [UInt8] in
                    guard let p = Processes.process(pid), let entry = p.files.withLock({ $0.entry(fd) }) else { return [] }
                    return await text(entry.file, closeOnExec: entry.closeOnExec)
                })
            }
        }
    }

    static func text(_ file: OpenFile, closeOnExec: Bool) async -> [UInt8] {
        var flags = LinuxArch.userValue(of: file.flags)
        if closeOnExec { flags |= OpenFlags.O_CLOEXEC.rawValue }
        var o: [UInt8] = []
        let position: Int64 = await file.offset
        o.add("pos:\t"); o.add(dec(Int(position)))
        o.add("\nflags:\t0"); o.add(ProcPid.octal(flags, 1))
        o.add("\nmnt_id:\t"); o.add(dec(file.location.mount.id))
        o.add("\nino:\t"); o.add(dec(file.status.ino)); o.add("\n")
        guard let ops = file.operations else { return o }
        if let e = ops as? EventFD {
            o.add("eventfd-count: "); o.add(padLeft(hex(e.counter.count), 16))
            o.add("\neventfd-id: "); o.add(dec(e.id)); o.add("\n")
        } else if let ep = ops as? EpollInstance {
            for t in ep.list.snapshot() { o += await epollLine(t.interest, events: t.events, data: t.data) }
        } else if let i = ops as? InotifyInstance {
            for w in FsNotify.shared.watches(of: i) {
                o.add("inotify wd:"); o.add(hex(UInt64(w.wd)))
                o.add(" ino:"); o.add(hex(w.ino))
                o.add(" sdev:"); o.add(hex(kernelDevice(w.device)))
                o.add(" mask:"); o.add(hex(UInt64(w.mask))); o.add(" ignored_mask:0 \n")
            }
        } else if let s = ops as? SignalFD {
            let bits: UInt64 = s.mask.withLock { $0.bits }
            o.add("sigmask:\t"); o.add(Format.hex(bits, width: 16, prefix: false)); o.add("\n")
        } else if let t = ops as? TimerFD {
            let (value, interval) = t.get()
            let ticks: UInt64 = t.state.value.expirations(at: t.now)
            o.add("clockid: "); o.add(dec(t.clockID))
            o.add("\nticks: "); o.add(dec(ticks))
            o.add("\nsettime flags: 0"); o.add(ProcPid.octal(UInt32(bitPattern: t.settimeFlags), 1))
            o.add("\nit_value: "); o.add(pair(value))
            o.add("\nit_interval: "); o.add(pair(interval)); o.add("\n")
        } else if let p = ops as? PidFD {
            let nr: String = p.hasTask ? dec(p.pid) : "-1"
            o.add("Pid:\t"); o.add(nr); o.add("\nNSpid:\t"); o.add(nr); o.add("\n")
        } else if let s = (ops as? SocketFile)?.socket as? UnixSocket {
            o.add("scm_fds: "); o.add(dec(s.queuedFileCount)); o.add("\n")
        }
        return o
    }

    /// An epoll entry's line (nothing once its descriptor names another file or none).
    static func epollLine(_ interest: EpollInterest, events stored: UInt32, data: UInt64) async -> [UInt8] {
        let entry = unsafeDowncast(interest, to: ProcessEpollInterest.self)
        let fd = entry.fd
        guard let target = entry.files.withLock({ (table: inout FileDescriptorTable<OpenFile>) -> OpenFile? in try? table.get(fd) }),
              target.serial == entry.serial else { return [] }
        // epoll_ctl always adds EPOLLERR and EPOLLHUP to what it stores (not after a one-shot fired).
        let events: UInt32 = stored & ~EpollInterestList.privateBits != 0 ? stored | 0x18 : stored
        let position: Int64 = await target.offset
        var o: [UInt8] = []
        o.add("tfd: "); o.add(padLeft(dec(fd), 8))
        o.add(" events: "); o.add(padLeft(hex(UInt64(events)), 8))
        o.add(" data: "); o.add(padLeft(hex(data), 16))
        o.add("  pos:"); o.add(dec(Int(position)))
        o.add(" ino:"); o.add(hex(target.status.ino))
        o.add(" sdev:"); o.add(hex(kernelDevice(target.status.device))); o.add("\n")
        return o
    }

    /// "(seconds, nanoseconds)".
    static func pair(_ ns: UInt64) -> String {
        "(" + dec(ns / 1_000_000_000) + ", " + dec(ns % 1_000_000_000) + ")"
    }

    /// The kernel's own dev_t encoding (MKDEV: major << 20 | minor), which fdinfo prints.
    static func kernelDevice(_ d: DeviceNumber) -> UInt64 { UInt64(d.major) << 20 | UInt64(d.minor) }

    static func hex(_ v: UInt64) -> String { Format.hex(v, width: 1, prefix: false) }

    static func padLeft(_ s: String, _ width: Int) -> String {
        var s = s
        while s.utf8.count < width { s = " " + s }
        return s
    }
}
