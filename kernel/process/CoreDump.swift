import LichenCore
import _Concurrency

/// Core files, as Linux's do_coredump writes them (coredump_filter 0x33): when a signal whose
/// default action dumps core kills a dumpable process whose RLIMIT_CORE is at least a page, the
/// killing thread ends the others, then writes an ELF core file named by core_pattern (default
/// `core`, relative to the process's working directory; `%p`, `%e`... expanded; `.PID` appended with
/// core_uses_pid) after unlinking an old one, created 0600 less the umask with O_EXCL|O_NOFOLLOW as
/// the process's filesystem credentials, and the wait status gets the core bit. Pages never touched
/// are holes. Past RLIMIT_CORE the dump stops, as on Linux (the core bit is still set, as there).
/// Not like Linux (yet): only the dumping thread's registers are written (the others have ended by
/// then); there is no NT_AUXV or NT_FILE note (gdb finds shared libraries without NT_FILE from the
/// dynamic linker's list in memory); a core_pattern that pipes to a program (`|...`) is refused
/// (EINVAL, logged once): Lichen cannot start user-mode helpers.
enum CoreDump {
    struct Settings {
        var pattern: [UInt8] = Array("core".utf8)
        /// core_uses_pid: any integer (proc_dointvec); nonzero appends ".PID".
        var usesPID = 0
    }
    static let settings = SpinLock(Settings())
    /// Linux's CORENAME_MAX_SIZE.
    static let maximumPattern = 128
    private static let reportedPipe = ReportOnce(count: 1)

    /// A write to /proc/sys/kernel/core_pattern: one line, kept as written (without its newline).
    static func setPattern(_ text: [UInt8]) throws(Errno) {
        var pattern = text
        if pattern.last == 0x0a { pattern.removeLast() }
        guard pattern.count < maximumPattern, !pattern.contains(0) else { throw .EINVAL }
        if pattern.first == UInt8(ascii: "|") {
            if reportedPipe.first(0) { KernelLog.warning("core_pattern: piping core dumps to a program is not supported: EINVAL") }
            throw .EINVAL
        }
        settings.withLock { $0.pattern = pattern }
    }

    /// The file name for a dump of `process` by `signal` (Linux's format_corename).
    static func fileName(_ process: Process, thread: Thread, signal: Int32) -> [UInt8] {
        let s = settings.withLock { $0 }
        let credentials = thread.credentials                  // the dumping task's, as Linux's format_corename
        var out: [UInt8] = [], sawPID = false, i = 0
        func add(_ n: UInt64) { out += Array(dec(n).utf8) }
        while i < s.pattern.count {
            let c = s.pattern[i]
            i += 1
            guard c == UInt8(ascii: "%"), i < s.pattern.count else { if c != UInt8(ascii: "%") { out.append(c) }; continue }
            let spec = s.pattern[i]
            i += 1
            switch spec {
            case UInt8(ascii: "%"): out.append(spec)
            case UInt8(ascii: "p"), UInt8(ascii: "P"): sawPID = true; add(UInt64(process.pid))
            case UInt8(ascii: "i"), UInt8(ascii: "I"): add(UInt64(thread.tid))
            case UInt8(ascii: "u"): add(UInt64(credentials.uid))
            case UInt8(ascii: "g"): add(UInt64(credentials.gid))
            case UInt8(ascii: "d"): add(process.control.withLock { $0.dumpable })
            case UInt8(ascii: "s"): add(UInt64(signal))
            case UInt8(ascii: "t"): add(RealtimeClock.now / 1_000_000_000)
            case UInt8(ascii: "h"): out += HostNames.host
            case UInt8(ascii: "e"): out += process.name.map { $0 == UInt8(ascii: "/") ? UInt8(ascii: "!") : $0 }
            case UInt8(ascii: "c"):
                let limit = process.limits.withLock { $0[LinuxResource.RLIMIT_CORE].rlim_cur }
                out += limit == LinuxRlimit.RLIM_INFINITY ? Array("18446744073709551615".utf8) : Array(dec(limit).utf8)
            default: break                                  // unknown specifiers vanish, as on Linux
            }
        }
        if s.usesPID != 0 && !sawPID { out += [UInt8(ascii: ".")]; add(UInt64(process.pid)) }
        return out
    }

    /// Writes the core file of `thread`'s process, killed by `info.si_signo`; whether one was made.
    static func write(_ thread: Thread, info: LinuxSigInfo) async -> Bool {
        let process = thread.process
        let limit = process.limits.withLock { $0[LinuxResource.RLIMIT_CORE].rlim_cur }
        guard limit >= UInt64(pageSize), process.control.withLock({ $0.dumpable }) == 1 else { return false }
        guard await ProcessLifecycle.endOtherThreads(thread) else { return false }
        let (segments, dumped) = plan(process.memory)
        let core = ElfCoreFile(machine: LinuxArch.elfMachine, notes: notes(thread, info: info), segments: segments)
        let name = fileName(process, thread: thread, signal: info.si_signo)
        guard !name.isEmpty else { return false }
        let file: OpenFile
        do throws(Errno) {
            let vfs = try FileSyscalls.vfs()
            let context = thread.fs                              // created with the dumping thread's fsuid/fsgid
            try? await vfs.unlink(name, context: context)
            file = try await vfs.open(name, flags: [.O_CREAT, .O_EXCL, .O_WRONLY, .O_NOFOLLOW, .O_LARGEFILE],
                                      mode: 0o600, context: context)
        } catch {
            return false
        }
        guard file.inode.metadata.isRegular else { return false }
        // From here on the dump counts as made, even if RLIMIT_CORE or a full disk cuts it short (Linux's
        // has_dumped): the status gets the core bit.
        do throws(Errno) {
            var written = try await emit(file, core.headers, at: 0, limit: limit)
            for (i, area) in dumped.enumerated() where written {
                written = try await emitArea(file, area, at: core.offsets[i], memory: process.memory, limit: limit)
            }
            if written && core.size <= limit { try await file.truncate(to: Int64(core.size)) }    // trailing holes
        } catch {}
        return true
    }

    /// One PT_LOAD per area, and the areas whose contents go into the file (coredump_filter 0x33:
    /// anonymous memory private and shared, written private file mappings, the vDSO, and the first
    /// page of a file mapping that starts with an ELF header; not the vDSO's data page).
    private static func plan(_ memory: ProcessMemory) -> (segments: [ElfCoreFile.Segment], dumped: [(start: UserAddr, size: UInt64)]) {
        let areas = memory.locked { memory.map.areas }
        var segments: [ElfCoreFile.Segment] = [], dumped: [(start: UserAddr, size: UInt64)] = []
        for area in areas {
            var size: UInt64 = 0
            switch area.kind {
            case .vvar: size = 0
            case .vdso, .heap, .stack, .mmap: size = area.length
            case .code, .data, .file:
                if area.sharing == .private && area.maximumProtection.contains(.write) && area.protection.contains(.write) {
                    size = area.length
                } else if startsWithElfHeader(area.start, memory) {
                    size = UInt64(pageSize)
                }
            }
            var flags: UInt32 = 0
            if area.protection.contains(.read) { flags |= 4 }
            if area.protection.contains(.write) { flags |= 2 }
            if area.protection.contains(.execute) { flags |= 1 }
            segments.append(ElfCoreFile.Segment(address: area.start.value, memorySize: area.length, fileSize: size, flags: flags))
            dumped.append((area.start, size))
        }
        return (segments, dumped)
    }

    private static func startsWithElfHeader(_ page: UserAddr, _ memory: ProcessMemory) -> Bool {
        guard let frame = memory.locked({ memory.frame(at: page) }) else { return false }
        return KernelLayout.directMap(frame).pointer.load(as: UInt32.self) == 0x464c_457f
    }

    /// The notes Linux writes first for the dumping thread.
    private static func notes(_ thread: Thread, info: LinuxSigInfo) -> [ElfCoreFile.Note] {
        let process = thread.process
        let ids = Processes.withTable { t -> (Int32, Int32, Int32) in
            t.record(process.pid).map { ($0.parent, $0.pgid, $0.sid) } ?? (0, 0, 0)
        }
        let usage = thread.cpu.usage(current: true)
        var status = LinuxElfPrstatusCommon()
        status.si_signo = info.si_signo
        status.pr_cursig = Int16(truncatingIfNeeded: info.si_signo)
        status.pr_sighold = process.signals.withLock { $0.threads[thread.index].blocked.bits }
        status.pr_pid = thread.tid
        (status.pr_ppid, status.pr_pgrp, status.pr_sid) = ids
        status.pr_utime = LinuxTimeval(nanoseconds: usage.userNanoseconds)
        status.pr_stime = LinuxTimeval(nanoseconds: usage.systemNanoseconds)
        var prstatus = bytes(of: status) + CoreDumpRegisters.general(thread.context)
        prstatus += [1, 0, 0, 0, 0, 0, 0, 0]                   // pr_fpvalid, padding
        let credentials = process.credentials
        var psinfo = LinuxElfPrpsinfo()
        psinfo.pr_sname = UInt8(ascii: "R")
        psinfo.pr_uid = credentials.uid
        psinfo.pr_gid = credentials.gid
        psinfo.pr_pid = process.pid
        (psinfo.pr_ppid, psinfo.pr_pgrp, psinfo.pr_sid) = ids
        psinfo.setNames(command: process.name, arguments: process.commandLine)
        return [ElfCoreFile.Note(type: LinuxElfNote.NT_PRSTATUS, description: prstatus),
                ElfCoreFile.Note(type: LinuxElfNote.NT_PRPSINFO, description: bytes(of: psinfo)),
                ElfCoreFile.Note(type: LinuxElfNote.NT_SIGINFO, description: bytes(of: info))]
            + CoreDumpRegisters.notes(thread.context)
    }

    private static func bytes<T>(of value: T) -> [UInt8] {
        withUnsafeBytes(of: value) { Array($0) }
    }

    /// Writes `data` at `offset` unless that passes `limit`: false then (the dump is cut short).
    private static func emit(_ file: OpenFile, _ data: [UInt8], at offset: UInt64, limit: UInt64) async throws(Errno) -> Bool {
        guard offset + UInt64(data.count) <= limit else { return false }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: data.count, alignment: 16)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: data)
        var done = 0
        while done < data.count {
            let n = try await file.write(from: UnsafeRawBufferPointer(rebasing: buffer[done...]), at: Int64(offset) + Int64(done))
            guard n > 0 else { throw .ENOSPC }
            done += n
        }
        return true
    }

    /// An area's resident pages, each at its place; absent pages stay holes.
    private static func emitArea(_ file: OpenFile, _ area: (start: UserAddr, size: UInt64), at offset: UInt64,
                                 memory: ProcessMemory, limit: UInt64) async throws(Errno) -> Bool {
        var done: UInt64 = 0
        while done < area.size {
            let page = area.start + done
            let contents = memory.locked { () -> [UInt8]? in
                guard let frame = memory.frame(at: page) else { return nil }
                return [UInt8](UnsafeRawBufferPointer(start: KernelLayout.directMap(frame).pointer, count: pageSize))
            }
            if let contents, !(try await emit(file, contents, at: offset + done, limit: limit)) { return false }
            done += UInt64(pageSize)
        }
        return true
    }
}
