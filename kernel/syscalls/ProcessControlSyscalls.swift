import LichenCore

/// prctl and the capability calls. Lichen has no capability sets of its own: the superuser holds
/// every capability and everyone else none (what Linux gives root and ordinary users by default).
enum ProcessControlSyscalls {
    static func handle(_ number: UInt64, _ a: SyscallArguments) async throws(Errno) -> UInt64? {
        switch number {
        case 167: return try prctl(a)
        case 90: return try capget(a)
        case 91: return try capset(a)
        case 97: return try unshare(a)
        case 92:                                                     // personality
            return UInt64(a.process.control.withLock { $0.setPersonality(UInt32(truncatingIfNeeded: a[0])) })
        default: return nil
        }
    }

    static func prctl(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let p = a.process
        switch a[0] {
        case ProcessControl.PR_SET_NAME:
            p.name = Array(try a.user.string(at: a.address(1), limit: 4096).prefix(15))
            return 0
        case ProcessControl.PR_GET_NAME:
            var name = p.name
            while name.count < 16 { name.append(0) }
            try a.user.store(bytes: name, to: a.address(1))
            return 0
        case ProcessControl.PR_GET_PDEATHSIG:
            try a.user.store(p.control.withLock { $0.parentDeathSignal }, to: a.address(1))
            return 0
        case ProcessControl.PR_GET_CHILD_SUBREAPER:
            try a.user.store(Int32(p.control.withLock { $0.childSubreaper } ? 1 : 0), to: a.address(1))
            return 0
        default:
            let result = try p.control.withLock { (c: inout ProcessControl) throws(Errno) -> UInt64? in
                try c.apply(a[0], a[1], a[2], a[3], a[4])
            }
            guard let result else { throw .EINVAL }
            if a[0] == ProcessControl.PR_SET_CHILD_SUBREAPER {           // the table re-parents orphans by it
                Processes.withTable { $0.setChildSubreaper(p.pid, a[1] != 0) }
            }
            return result
        }
    }

    /// unshare: what a process already has to itself (files, fs context, SysV undo lists of a
    /// single-threaded process) is accepted as is; namespaces are not supported (EINVAL, logged once).
    static func unshare(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let ownAlready: UInt64 = 0x400 | 0x200 | 0x40000 | 0x800 | 0x100 | 0x10000   // FILES FS SYSVSEM SIGHAND VM THREAD
        guard a[0] & ~ownAlready == 0 else {
            if reportedNamespaces.first(0) {
                KernelLog.warning("unshare: namespaces are not supported (flags " + Format.hex(a[0]) + "): EINVAL")
            }
            throw .EINVAL
        }
        return 0
    }
    private static let reportedNamespaces = ReportOnce(count: 1)

    static let version3: UInt32 = 0x2008_0522, version1: UInt32 = 0x1998_0330, version2: UInt32 = 0x2007_1026
    /// Every capability up to CAP_LAST_CAP (40), as capget's two 32-bit words.
    static let allCapabilities: UInt64 = (1 << (ProcessControl.lastCapability + 1)) - 1

    /// Checks the header's version (writing the preferred one back if it is unknown: EINVAL) and its
    /// pid; returns the number of 32-bit data words.
    static func header(_ a: SyscallArguments) throws(Errno) -> (words: Int, target: Process) {
        let version = try a.user.load(UInt32.self, from: a.address(0))
        let pid = try a.user.load(Int32.self, from: a.address(0) + 4)
        let words: Int
        switch version {
        case version1: words = 1
        case version2, version3: words = 2
        default:
            try a.user.store(version3, to: a.address(0))
            throw .EINVAL
        }
        guard pid >= 0 else { throw .EINVAL }
        guard let target = pid == 0 ? a.process : Processes.process(pid) else { throw .ESRCH }
        return (words, target)
    }

    static func capget(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let (words, target) = try header(a)
        guard a[1] != 0 else { return 0 }                            // a version probe
        let caps = target.credentials.euid == 0 ? allCapabilities : 0
        for i in 0..<words {                                         // {effective, permitted, inheritable} per word
            let word = UInt32(truncatingIfNeeded: caps >> (32 * UInt64(i)))
            let base = a.address(1) + UInt64(i * 12)
            try a.user.store(word, to: base)
            try a.user.store(word, to: base + 4)
            try a.user.store(UInt32(0), to: base + 8)
        }
        return 0
    }

    /// capset: only the caller's own sets, and only within what it holds (no raising).
    static func capset(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let (words, target) = try header(a)
        guard target === a.process else { throw .EPERM }
        let held = a.process.credentials.euid == 0 ? allCapabilities : 0
        for i in 0..<words {
            let base = a.address(1) + UInt64(i * 12)
            let shift = 32 * UInt64(i)
            let effective = UInt64(try a.user.load(UInt32.self, from: base)) << shift
            let permitted = UInt64(try a.user.load(UInt32.self, from: base + 4)) << shift
            let inheritable = UInt64(try a.user.load(UInt32.self, from: base + 8)) << shift
            guard permitted & ~held == 0, effective & ~permitted == 0, inheritable & ~held == 0 else { throw .EPERM }
        }
        return 0                                                     // dropping capabilities is not modelled
    }
}
