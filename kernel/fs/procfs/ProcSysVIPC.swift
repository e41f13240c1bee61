import LichenCore

/// /proc/sysvipc/{shm,sem,msg} in Linux's columns, and the System V IPC limits of /proc/sys/kernel
/// (shmmax, shmall, shmmni, sem, msgmax, msgmnb, msgmni: root writes them, 0644 as Linux).
enum ProcSysVIPC {
    static func directory(parent: ProcDirectory) -> ProcDirectory {
        ProcDirectory(ino: 0x4c0, parent: parent) { (_: ProcDirectory) async -> [(name: [UInt8], inode: any Inode)] in
            [(Array("msg".utf8), ProcFile(ino: 0x4c1, text: { messages() })),
             (Array("sem".utf8), ProcFile(ino: 0x4c2, text: { semaphores() })),
             (Array("shm".utf8), ProcFile(ino: 0x4c3, text: { segments() }))]
        }
    }

    /// printf's %<width>d / %<width>u.
    private static func column(_ v: Int64, _ width: Int) -> String {
        padLeft(v < 0 ? "-" + Format.decimal(UInt64(-v)) : Format.decimal(UInt64(v)), width)
    }

    /// %4o.
    private static func octal(_ v: UInt32) -> String {
        var digits: [UInt8] = []
        var n = v
        repeat {
            digits.insert(UInt8(48 + n % 8), at: 0)
            n /= 8
        } while n > 0
        return padLeft(String(decoding: digits, as: UTF8.self), 4)
    }

    private static func owners(_ p: IPCPermissions) -> String {
        column(Int64(p.uid), 5) + " " + column(Int64(p.gid), 5) + " " + column(Int64(p.cuid), 5) + " " + column(Int64(p.cgid), 5)
    }

    static func semaphores() -> [UInt8] {
        var text = "       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n"
        let all = IPCNamespace.locked { s in s.semaphores.all.map { ($0.id, $0.object.permissions, $0.object.count, $0.object.otime, $0.object.ctime) } }
        for (id, p, count, otime, ctime) in all {
            text += column(Int64(p.key), 10) + " " + column(Int64(id), 10) + "  " + octal(p.mode) + " " + column(Int64(count), 10)
                + " " + owners(p) + " " + column(otime, 10) + " " + column(ctime, 10) + "\n"
        }
        return Array(text.utf8)
    }

    static func messages() -> [UInt8] {
        var text = "       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime\n"
        let all = IPCNamespace.locked { s in s.queues.all.map { ($0.id, $0.object.stat()) } }
        for (id, st) in all {
            let p = st.msg_perm
            text += column(Int64(p.key), 10) + " " + column(Int64(id), 10) + "  " + octal(p.mode) + "  "
                + column(Int64(st.msg_cbytes), 10) + " " + column(Int64(st.msg_qnum), 10) + " " + column(Int64(st.msg_lspid), 5)
                + " " + column(Int64(st.msg_lrpid), 5) + " " + column(Int64(p.uid), 5) + " " + column(Int64(p.gid), 5) + " "
                + column(Int64(p.cuid), 5) + " " + column(Int64(p.cgid), 5) + " " + column(st.msg_stime, 10) + " "
                + column(st.msg_rtime, 10) + " " + column(st.msg_ctime, 10) + "\n"
        }
        return Array(text.utf8)
    }

    static func segments() -> [UInt8] {
        var text = "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n"
        let all = IPCNamespace.locked { s in s.segments.all }
        for (id, segment) in all {
            let attaches = SharedMemorySyscalls.attaches(segment)
            let st = IPCNamespace.locked { _ in segment.stat(attaches: attaches) }
            let p = st.shm_perm
            text += column(Int64(p.key), 10) + " " + column(Int64(id), 10) + "  " + octal(p.mode) + " "
                + column(Int64(st.shm_segsz), 21) + " " + column(Int64(st.shm_cpid), 5) + " " + column(Int64(st.shm_lpid), 5) + "  "
                + column(Int64(st.shm_nattch), 5) + " " + owners(IPCPermissions.from(p)) + " " + column(st.shm_atime, 10) + " "
                + column(st.shm_dtime, 10) + " " + column(st.shm_ctime, 10) + " " + column(0, 21) + " " + column(0, 21) + "\n"
        }
        return Array(text.utf8)
    }

    // MARK: /proc/sys/kernel

    static func tunables(firstIno: UInt64) -> [(String, any Inode)] {
        typealias Get = @Sendable (SysVIPCLimits) -> UInt64
        typealias Set = @Sendable (inout SysVIPCLimits, UInt64) -> Void
        func knob(_ name: String, _ i: UInt64, max: UInt64, _ get: @escaping Get, _ set: @escaping Set) -> (String, any Inode) {
            (name, ProcTunable(ino: firstIno + i, text: { Array((Format.decimal(IPCNamespace.locked { get($0.limits) }) + "\n").utf8) },
                               store: { (bytes: [UInt8]) throws(Errno) in
                                   let values = try numbers(bytes)
                                   guard values.count == 1, values[0] <= max else { throw .EINVAL }
                                   IPCNamespace.locked { set(&$0.limits, values[0]) }
                               }))
        }
        let intMax = UInt64(Int32.max)
        return [
            knob("msgmax", 0, max: intMax, { UInt64($0.msgmax) }, { $0.msgmax = Int($1) }),
            knob("msgmnb", 1, max: intMax, { UInt64($0.msgmnb) }, { $0.msgmnb = Int($1) }),
            knob("msgmni", 2, max: 32768, { UInt64($0.msgmni) }, { $0.msgmni = Int($1) }),
            ("sem", ProcTunable(ino: firstIno + 3, text: {
                let l = IPCNamespace.locked { $0.limits }
                return Array((dec(l.semmsl) + "\t" + dec(l.semmns) + "\t" + dec(l.semopm) + "\t" + dec(l.semmni) + "\n").utf8)
            }, store: { (bytes: [UInt8]) throws(Errno) in
                let v = try numbers(bytes)
                guard v.count >= 1, v.count <= 4, v.allSatisfy({ $0 <= intMax }), v.count < 4 || v[3] <= 32768 else { throw .EINVAL }
                IPCNamespace.locked { s in
                    s.limits.semmsl = Int(v[0])
                    if v.count > 1 { s.limits.semmns = Int(v[1]) }
                    if v.count > 2 { s.limits.semopm = Int(v[2]) }
                    if v.count > 3 { s.limits.semmni = Int(v[3]) }
                }
            })),
            knob("shmall", 4, max: UInt64.max, { $0.shmall }, { $0.shmall = $1 }),
            knob("shmmax", 5, max: UInt64.max, { $0.shmmax }, { $0.shmmax = $1 }),
            knob("shmmni", 6, max: 32768, { UInt64($0.shmmni) }, { $0.shmmni = Int($1) }),
        ]
    }

    /// Blank-separated unsigned decimals (proc_doulongvec / proc_dointvec): EINVAL on anything else.
    static func numbers(_ text: [UInt8]) throws(Errno) -> [UInt64] {
        var values: [UInt64] = []
        var current: UInt64? = nil
        for b in text {
            if b >= 0x30 && b <= 0x39 {
                let (m, o1) = (current ?? 0).multipliedReportingOverflow(by: 10)
                let (n, o2) = m.addingReportingOverflow(UInt64(b - 0x30))
                guard !o1, !o2 else { throw .EINVAL }
                current = n
            } else if b == 0x20 || b == 0x09 || b == 0x0a {
                if let c = current { values.append(c); current = nil }
            } else {
                throw .EINVAL
            }
        }
        if let c = current { values.append(c) }
        guard !values.isEmpty else { throw .EINVAL }
        return values
    }
}

extension IPCPermissions {
    /// The owners of a copied-out ipc64_perm (for /proc/sysvipc/shm's columns).
    static func from(_ p: LinuxIPC64Perm) -> IPCPermissions {
        var q = IPCPermissions(key: p.key, mode: p.mode, creator: Credentials(uid: p.uid, gid: p.gid))
        q.cuid = p.cuid
        q.cgid = p.cgid
        return q
    }
}
