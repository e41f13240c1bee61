import LichenCore
import LichenAsyncRuntime
import _Concurrency

/// System information, randomness, the host names, umask, reboot and sched_yield (time:
/// TimeSyscalls; resource limits: ResourceLimitSyscalls).
enum MiscSyscalls {
    /// Sleeping: it awaits a turn of the executor.
    static func sched_yield(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        await Task.yield()
        return 0
    }

    /// sched_yield's instant attempt: with no other task queued on this CPU the yield would resume
    /// the caller at once (Linux's schedule() picks the same task again), so it returns at once.
    static func sched_yieldNow(_ a: SyscallArguments) throws(Errno) -> UInt64? {
        lichen_executor_local_work() ? nil : 0
    }

    static func umask(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let mask = a[0]
        let old = a.fs.umask
        a.process.fs.umask = UInt32(mask & 0o777)
        return UInt64(old)
    }

    static func sethostname(_ a: SyscallArguments) throws(Errno) -> UInt64 { try setName(a, domain: false) }
    static func setdomainname(_ a: SyscallArguments) throws(Errno) -> UInt64 { try setName(a, domain: true) }

    /// sethostname and setdomainname(name, length): EINVAL for a bad length before EPERM.
    private static func setName(_ a: SyscallArguments, domain: Bool) throws(Errno) -> UInt64 {
        let name = a.address(0), length = a.int(1), count = a.count(1)
        guard length >= 0 && length <= Int64(HostNames.maxLength) else { throw .EINVAL }
        guard a.credentials.has(.CAP_SYS_ADMIN) else { throw .EPERM }
        let bytes = try a.user.bytes(at: name, count: count)
        try HostNames.set(domain: domain, to: bytes, credentials: a.credentials)
        return 0
    }

    static let LINUX_REBOOT_MAGIC1: UInt32 = 0xfee1_dead
    static let LINUX_REBOOT_MAGIC2: UInt32 = 0x2812_1969, LINUX_REBOOT_MAGIC2A: UInt32 = 0x0512_1996
    static let LINUX_REBOOT_MAGIC2B: UInt32 = 0x1604_1998, LINUX_REBOOT_MAGIC2C: UInt32 = 0x2011_2000
    static let LINUX_REBOOT_CMD_RESTART: UInt32 = 0x0123_4567, LINUX_REBOOT_CMD_HALT: UInt32 = 0xcdef_0123
    static let LINUX_REBOOT_CMD_CAD_ON: UInt32 = 0x89ab_cdef, LINUX_REBOOT_CMD_CAD_OFF: UInt32 = 0
    static let LINUX_REBOOT_CMD_POWER_OFF: UInt32 = 0x4321_fedc, LINUX_REBOOT_CMD_RESTART2: UInt32 = 0xa1b2_c3d4

    /// reboot(magic, magic2, cmd, arg): int arguments, so only the low 32 bits of the registers count.
    static func reboot(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let magic = a.uint32(0), magic2 = a.uint32(1), command = a.uint32(2)
        guard a.credentials.has(.CAP_SYS_BOOT) else { throw .EPERM }     // before the magic, as Linux
        guard magic == LINUX_REBOOT_MAGIC1,
              [LINUX_REBOOT_MAGIC2, LINUX_REBOOT_MAGIC2A, LINUX_REBOOT_MAGIC2B, LINUX_REBOOT_MAGIC2C].contains(magic2) else { throw .EINVAL }
        switch command {
        case LINUX_REBOOT_CMD_POWER_OFF, LINUX_REBOOT_CMD_HALT:
            KernelLog.notice("reboot: power down")
            PowerOff.now()
        case LINUX_REBOOT_CMD_RESTART, LINUX_REBOOT_CMD_RESTART2:
            KernelLog.notice("reboot: restarting system")
            Panic.power?.systemReset()
            throw .EINVAL
        case LINUX_REBOOT_CMD_CAD_ON, LINUX_REBOOT_CMD_CAD_OFF: return 0
        default: throw .EINVAL
        }
    }

    static let GRND_NONBLOCK: UInt64 = 1, GRND_RANDOM: UInt64 = 2, GRND_INSECURE: UInt64 = 4

    /// getrandom: up to 1 MiB per call (a short count, as Linux may give), produced and copied out a
    /// page at a time: no kernel buffer the size the caller asked for.
    static func getrandom(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let buffer = a.address(0), length = a[1], flags = a[2]
        // GRND_RANDOM and GRND_INSECURE exclude each other.
        guard flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE) == 0,
              flags & (GRND_RANDOM | GRND_INSECURE) != GRND_RANDOM | GRND_INSECURE else { throw .EINVAL }
        let count = Int(min(length, 1 << 20))
        let staging = try IOBuffer(count: min(pageSize, count), zeroed: false)
        var done = 0
        while done < count {
            let n = min(pageSize, count - done)
            do throws(Errno) {
                try staging.withBytes(0..<n) { (b: UnsafeMutableRawBufferPointer) throws(Errno) in
                    lichenFillRandom(b.baseAddress!, n)
                    try a.user.write(UnsafeRawBufferPointer(b), to: buffer + UInt64(done))
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
        let buffer = a.address(0)
        var bytes: [UInt8] = []
        let machine = LinuxArch.machine(linux32: a.process.control.withLock { $0.isLinux32 })
        let fields: [[UInt8]] = [Array("Linux".utf8), HostNames.host, Array("6.1.0-lichen".utf8),
                                 Array(("#1 SMP Lichen " + kernelVersion).utf8), Array(machine.utf8), HostNames.domain]
        for field in fields {
            var f = Array(field.prefix(64))
            while f.count < 65 { f.append(0) }
            bytes += f
        }
        try a.user.store(bytes: bytes, to: buffer)
        return 0
    }

    static func sysinfo(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let buffer = a.address(0)
        var info = LinuxSysinfo()
        info.uptime = Int64(MonotonicClock.now / 1_000_000_000)
        let frames = PhysicalMemory.stats
        info.totalram = UInt64(frames?.totalFrames ?? 0) * UInt64(pageSize)
        info.freeram = UInt64(frames?.freeFrames ?? 0) * UInt64(pageSize)
        info.procs = UInt16(truncatingIfNeeded: Processes.withTable { $0.count })
        info.mem_unit = 1
        try a.user.store(info, to: buffer)
        return 0
    }
}
