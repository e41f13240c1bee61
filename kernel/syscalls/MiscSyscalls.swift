import LichenCore
import _Concurrency

/// System information, randomness, limits and other small syscalls (time: TimeSyscalls).
enum MiscSyscalls {
    static func handle(_ number: UInt64, _ a: SyscallArguments) async throws(Errno) -> UInt64? {
        switch number {
        case 160: return try uname(a)
        case 278: return try getrandom(a)
        case 124:                                               // sched_yield
            await Task.yield()
            return 0
        case 261:                                               // prlimit64
            return try ResourceLimitSyscalls.prlimit(a, pid: a.int32(0), resource: a.int32(1), new: a.address(2), old: a.address(3))
        case 163: return try ResourceLimitSyscalls.prlimit(a, pid: 0, resource: a.int32(0), new: UserAddr(0), old: a.address(1))   // getrlimit
        case 164: return try ResourceLimitSyscalls.prlimit(a, pid: 0, resource: a.int32(0), new: a.address(1), old: UserAddr(0))   // setrlimit
        case 166:                                               // umask
            let old = a.process.fs.umask
            a.process.fs.umask = UInt32(a[0] & 0o777)
            return UInt64(old)
        case 179: return try sysinfo(a)
        case 161, 162:                                          // sethostname, setdomainname
            guard a.int(1) >= 0 && a.int(1) <= Int64(HostNames.maxLength) else { throw .EINVAL }
            guard a.process.credentials.euid == 0 else { throw .EPERM }
            let name = try a.user.bytes(at: a.address(0), count: a.count(1))
            try HostNames.set(domain: number == 162, to: name, credentials: a.process.credentials)
            return 0
        case 142:                                               // reboot
            // int arguments: only the low 32 bits of the registers count.
            guard UInt32(truncatingIfNeeded: a[0]) == 0xfee1_dead,
                  [672274793, 85072278, 369367448, 537993216].contains(UInt32(truncatingIfNeeded: a[1])) else { throw .EINVAL }
            switch UInt32(truncatingIfNeeded: a[2]) {
            case 0x4321_fedc, 0xcdef_0123:                      // POWER_OFF, HALT
                KernelLog.notice("reboot: power down")
                SelfTest.shutdown()
            case 0x0123_4567, 0xa1b2_c3d4:                      // RESTART, RESTART2
                KernelLog.notice("reboot: restarting system")
                Panic.power?.systemReset()
                throw .EINVAL
            case 0x89ab_cdef, 0: return 0                       // CAD_ON, CAD_OFF
            default: throw .EINVAL
            }
        default: return nil
        }
    }

    /// getrandom: up to 1 MiB per call (a short count, as Linux may give), produced and copied out a
    /// page at a time: no kernel buffer the size the caller asked for.
    static func getrandom(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        // GRND_NONBLOCK, GRND_RANDOM, GRND_INSECURE; the last two exclude each other.
        guard a[2] & ~7 == 0, a[2] & 6 != 6 else { throw .EINVAL }
        let count = Int(min(a[1], 1 << 20))
        let staging = try IOBuffer(count: min(pageSize, count), zeroed: false)
        var done = 0
        while done < count {
            let n = min(pageSize, count - done)
            do throws(Errno) {
                try staging.withBytes(0..<n) { (b: UnsafeMutableRawBufferPointer) throws(Errno) in
                    lichenFillRandom(b.baseAddress!, n)
                    try a.user.write(UnsafeRawBufferPointer(b), to: a.address(0) + UInt64(done))
                }
            } catch {
                if done == 0 { throw error }
                break                                           // what was filled counts
            }
            done += n
        }
        return result(done)
    }

    static func uname(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        var bytes: [UInt8] = []
        let machine = a.process.control.withLock { $0.machine }
        let fields: [[UInt8]] = [Array("Linux".utf8), HostNames.host, Array("6.1.0-lichen".utf8),
                                 Array(("#1 SMP Lichen " + kernelVersion).utf8), Array(machine.utf8), HostNames.domain]
        for field in fields {
            var f = Array(field.prefix(64))
            while f.count < 65 { f.append(0) }
            bytes += f
        }
        try a.user.store(bytes: bytes, to: a.address(0))
        return 0
    }

    static func sysinfo(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        var info = LinuxSysinfo()
        info.uptime = Int64(MonotonicClock.now / 1_000_000_000)
        let frames = PhysicalMemory.stats
        info.totalram = UInt64(frames?.totalFrames ?? 0) * UInt64(pageSize)
        info.freeram = UInt64(frames?.freeFrames ?? 0) * UInt64(pageSize)
        info.procs = UInt16(truncatingIfNeeded: Processes.withTable { $0.count })
        info.mem_unit = 1
        try a.user.store(info, to: a.address(0))
        return 0
    }
}
