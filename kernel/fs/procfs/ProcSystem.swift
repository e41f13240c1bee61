import LichenCore
import _Concurrency

/// The system-wide /proc files, in Linux 6.1's layouts.
enum ProcSystem {
    @Sendable static func meminfo() -> [UInt8] {
        let stats = PhysicalMemory.stats
        let total = UInt64(stats?.totalFrames ?? 0) * 4, free = UInt64(stats?.freeFrames ?? 0) * 4
        var o: [UInt8] = []
        func line(_ name: String, _ kb: UInt64) { o.add(padRight(name + ":", 16) + padLeft(dec(kb), 8) + " kB\n") }
        // Available: free memory less the kernel's reserve, which user space cannot have (no page cache to reclaim).
        let available = UInt64(max(0, (stats?.freeFrames ?? 0) - PhysicalMemory.reservedFrames)) * 4
        line("MemTotal", total); line("MemFree", free); line("MemAvailable", available)
        let fileCache = DiskPageCaches.counts
        line("Buffers", 0); line("Cached", UInt64(fileCache.cached) * UInt64(pageSize / 1024))
        for name in ["SwapCached", "Active", "Inactive", "Active(anon)", "Inactive(anon)", "Active(file)",
                     "Inactive(file)"] { line(name, 0) }
        let locked = UInt64(LockedMemory.residentPages()) * UInt64(pageSize / 1024)
        line("Unevictable", locked); line("Mlocked", locked)
        line("SwapTotal", 0); line("SwapFree", 0); line("Dirty", UInt64(fileCache.dirty) * UInt64(pageSize / 1024))
        for name in ["Writeback", "AnonPages",
                     "Mapped", "Shmem", "KReclaimable", "Slab", "SReclaimable", "SUnreclaim", "KernelStack", "PageTables",
                     "NFS_Unstable", "Bounce", "WritebackTmp"] { line(name, 0) }
        line("CommitLimit", UInt64(MemoryCommit.limitPages) * 4); line("Committed_AS", UInt64(MemoryCommit.committedPages) * 4)
        line("VmallocTotal", 135_288_315_904); line("VmallocUsed", 0); line("VmallocChunk", 0); line("Percpu", 0)
        return o
    }

    @Sendable static func cpuinfo() -> [UInt8] {
        var o: [UInt8] = []
        for cpu in 0..<PerCPU.onlineCount {     // one block per online CPU: glibc's get_nprocs counts them
            o.add("processor\t: " + dec(UInt64(cpu)) + "\nBogoMIPS\t: 125.00\nFeatures\t: fp asimd evtstrm crc32 cpuid\n"
                  + "CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd08\nCPU revision\t: 3\n\n")
        }
        return o
    }

    @Sendable static func uptime() -> [UInt8] {
        let now = MonotonicClock.now
        var o: [UInt8] = []
        o.add(centiseconds(now) + " " + centiseconds(now) + "\n")    // idle time not accounted: as if all idle
        return o
    }

    @Sendable static func loadavg() -> [UInt8] {
        let pids = ProcRoot.livePids()
        var o: [UInt8] = []
        o.add("0.00 0.00 0.00 1/" + dec(pids.count) + " " + dec(pids.last ?? 0) + "\n")
        return o
    }

    @Sendable static func version() -> [UInt8] {
        var o: [UInt8] = []
        o.add("Linux version 6.1.0-lichen (lichen@lichen) (Embedded Swift " + kernelVersion + ") #1 SMP Lichen " + kernelVersion + "\n")
        return o
    }

    @Sendable static func stat() -> [UInt8] {
        let ticks = MonotonicClock.now / 10_000_000          // USER_HZ 100
        var o: [UInt8] = []
        // Idle time is not accounted per CPU yet: every CPU counts as idle since boot.
        let cpus = PerCPU.onlineCount
        o.add("cpu  0 0 0 " + dec(ticks * UInt64(cpus)) + " 0 0 0 0 0 0\n")
        for cpu in 0..<cpus { o.add("cpu" + dec(UInt64(cpu)) + " 0 0 0 " + dec(ticks) + " 0 0 0 0 0 0\n") }
        o.add("intr 0\nctxt 0\nbtime " + dec(RealtimeClock.now / 1_000_000_000 - MonotonicClock.now / 1_000_000_000) + "\n")
        o.add("processes " + dec(ProcRoot.livePids().count) + "\nprocs_running 1\nprocs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n")
        return o
    }

    @Sendable static func filesystems() -> [UInt8] {
        var o: [UInt8] = []
        o.add("nodev\tsysfs\nnodev\ttmpfs\nnodev\tdevtmpfs\nnodev\tproc\nnodev\tpipefs\nnodev\trootfs\n\text3\n\text2\n\text4\n\tvfat\n")   // vfat last: Linux lists a module's type when it loads
        return o
    }

    /// /proc/<pid>/mounts (and /proc/mounts, a link to self/mounts): "source mountpoint type options
    /// 0 0", in mount order, from the process's root (mountinfo's choice of mounts).
    @Sendable static func mounts(_ p: Process) async -> [UInt8] {
        guard let vfs = RootFilesystem.vfs else { return [] }
        var o: [UInt8] = []
        let context = p.fs
        for m in vfs.mounts.all {
            let type = String(decoding: m.fileSystem.typeName, as: UTF8.self)
            guard let path = await vfs.reachablePath(of: Location(mount: m, inode: m.root), context: context) else { continue }
            let flags = m.flags
            var options = type.utf8.elementsEqual("rootfs".utf8) ? (flags.contains(.readOnly) ? "ro" : "rw")
                : type.utf8.elementsEqual("tmpfs".utf8) ? flags.optionsText + ",inode64" : flags.optionsText
            let own = m.fileSystem.fileSystemOptions
            if !own.isEmpty { options += "," + own }
            o.add(MountSyscalls.source(of: m) + " ")
            o += path
            o.add(" " + type + " " + options + " 0 0\n")
        }
        return o
    }
}
