import LichenCore

/// prctl and the capability calls. Lichen has no capability sets of its own: the superuser holds
/// every capability and everyone else none (what Linux gives root and ordinary users by default).
enum ProcessControlSyscalls {
    /// 0xffffffff only queries; returns the previous persona.
    static func personality(_ a: SyscallArguments) -> UInt64 {
        let persona = a.uint32(0)
        return UInt64(a.process.control.withLock { $0.setPersonality(persona) })
    }

    static func prctl(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let option = a[0], arg2 = a[1], arg3 = a[2], arg4 = a[3], arg5 = a[4]
        let pointer = a.address(1)                                   // arg2, for the options that take one
        let p = a.process
        switch option {
        case ProcessControl.PR_SET_NAME:
            p.name = Array(try a.user.string(at: pointer, limit: 4096).prefix(15))
            return 0
        case ProcessControl.PR_GET_NAME:
            var name = p.name
            while name.count < 16 { name.append(0) }
            try a.user.store(bytes: name, to: pointer)
            return 0
        case ProcessControl.PR_GET_PDEATHSIG:
            try a.user.store(p.control.withLock { $0.parentDeathSignal }, to: pointer)
            return 0
        case ProcessControl.PR_GET_CHILD_SUBREAPER:
            try a.user.store(Int32(p.control.withLock { $0.childSubreaper } ? 1 : 0), to: pointer)
            return 0
        default:
            let result = try p.control.withLock { (c: inout ProcessControl) throws(Errno) -> UInt64? in
                try c.apply(option, arg2, arg3, arg4, arg5)
            }
            guard let result else { throw .EINVAL }
            if option == ProcessControl.PR_SET_CHILD_SUBREAPER {         // the table re-parents orphans by it
                Processes.withTable { $0.setChildSubreaper(p.pid, arg2 != 0) }
            }
            return result
        }
    }

    /// unshare: what a process already has to itself (files, fs context, SysV undo lists of a
    /// single-threaded process) is accepted as is; namespaces are not supported (EINVAL, logged once).
    static func unshare(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let flags = a[0]
        let ownAlready: CloneFlags = [.files, .fs, .sysvsem, .sighand, .vm, .thread]
        guard flags & ~ownAlready.rawValue == 0 else {
            if reportedNamespaces.first(0) {
                KernelLog.warning("unshare: namespaces are not supported (flags " + Format.hex(flags) + "): EINVAL")
            }
            throw .EINVAL
        }
        return 0
    }
    private static let reportedNamespaces = ReportOnce(count: 1)

    static let _LINUX_CAPABILITY_VERSION_1: UInt32 = 0x1998_0330
    static let _LINUX_CAPABILITY_VERSION_2: UInt32 = 0x2007_1026
    static let _LINUX_CAPABILITY_VERSION_3: UInt32 = 0x2008_0522
    /// Every capability up to CAP_LAST_CAP (40), as capget's two 32-bit words.
    static let allCapabilities: UInt64 = (1 << (ProcessControl.lastCapability + 1)) - 1

    /// Checks the header's version (writing the preferred one back if it is unknown: EINVAL) and its
    /// pid; returns the number of 32-bit data words.
    static func header(_ pointer: UserAddr, _ a: SyscallArguments) throws(Errno) -> (words: Int, target: Process) {
        let version = try a.user.load(UInt32.self, from: pointer)
        let pid = try a.user.load(Int32.self, from: pointer + 4)
        let words: Int
        switch version {
        case _LINUX_CAPABILITY_VERSION_1: words = 1
        case _LINUX_CAPABILITY_VERSION_2, _LINUX_CAPABILITY_VERSION_3: words = 2
        default:
            try a.user.store(_LINUX_CAPABILITY_VERSION_3, to: pointer)
            throw .EINVAL
        }
        guard pid >= 0 else { throw .EINVAL }
        guard let target = pid == 0 ? a.process : Processes.process(pid) else { throw .ESRCH }
        return (words, target)
    }

    static func capget(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let headerPointer = a.address(0), data = a.address(1)
        let (words, target) = try header(headerPointer, a)
        guard data.value != 0 else { return 0 }                      // a version probe
        let caps = target.credentials.euid == 0 ? allCapabilities : 0
        for i in 0..<words {                                         // {effective, permitted, inheritable} per word
            let word = UInt32(truncatingIfNeeded: caps >> (32 * UInt64(i)))
            let base = data + UInt64(i * 12)
            try a.user.store(word, to: base)
            try a.user.store(word, to: base + 4)
            try a.user.store(UInt32(0), to: base + 8)
        }
        return 0
    }

    /// capset: only the caller's own sets, and only within what it holds (no raising).
    static func capset(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let headerPointer = a.address(0), data = a.address(1)
        let (words, target) = try header(headerPointer, a)
        guard target === a.process else { throw .EPERM }
        let held = a.process.credentials.euid == 0 ? allCapabilities : 0
        for i in 0..<words {
            let base = data + UInt64(i * 12)
            let shift = 32 * UInt64(i)
            let effective = UInt64(try a.user.load(UInt32.self, from: base)) << shift
            let permitted = UInt64(try a.user.load(UInt32.self, from: base + 4)) << shift
            let inheritable = UInt64(try a.user.load(UInt32.self, from: base + 8)) << shift
            guard permitted & ~held == 0, effective & ~permitted == 0, inheritable & ~held == 0 else { throw .EPERM }
        }
        return 0                                                     // dropping capabilities is not modelled
    }
}
