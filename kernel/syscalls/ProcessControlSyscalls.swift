import LichenCore
import Synchronization

/// prctl and the capability calls. The capability sets live in the credentials (LichenCore's
/// Capabilities*.swift), which belong to the calling thread as in Linux (ThreadCredentials.swift).
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
        case ProcessControl.PR_SET_NO_NEW_PRIVS, ProcessControl.PR_GET_NO_NEW_PRIVS:
            // Per thread, as in Linux: ProcessControl's argument rules on this thread's flag.
            var control = ProcessControl()
            control.noNewPrivileges = a.thread.noNewPrivileges.load(ordering: .relaxed)
            let result = try control.apply(option, arg2, arg3, arg4, arg5) ?? 0
            if control.noNewPrivileges { a.thread.noNewPrivileges.store(true, ordering: .relaxed) }
            return result
        case _ where Credentials.isCapabilityControl(option):
            return try a.thread.changeCredentials { (c: inout Credentials) throws(Errno) -> UInt64 in
                try c.capabilityControl(option, arg2, arg3, arg4, arg5)
            }
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
        // A new mount, UTS, IPC, PID, network, cgroup or time namespace needs CAP_SYS_ADMIN (unless a
        // new user namespace comes with it, which Lichen lacks too).
        let CLONE_NEWUSER: UInt64 = 0x1000_0000, privilegedNamespaces: UInt64 = 0x6e02_0080
        guard flags & ~(ownAlready.rawValue | privilegedNamespaces | CLONE_NEWUSER) == 0 else { throw .EINVAL }
        if flags & privilegedNamespaces != 0 && flags & CLONE_NEWUSER == 0 && !a.credentials.has(.CAP_SYS_ADMIN) {
            throw .EPERM
        }
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

    /// The number of 32-bit data words the header's version asks for; nil for an unknown version,
    /// after writing the preferred one back (cap_validate_magic).
    static func words(_ pointer: UserAddr, _ a: SyscallArguments) throws(Errno) -> Int? {
        switch try a.user.load(UInt32.self, from: pointer) {
        case _LINUX_CAPABILITY_VERSION_1: return 1
        case _LINUX_CAPABILITY_VERSION_2, _LINUX_CAPABILITY_VERSION_3: return 2
        default:
            try a.user.store(_LINUX_CAPABILITY_VERSION_3, to: pointer)
            return nil
        }
    }

    /// capget: {effective, permitted, inheritable} per 32-bit word, of the caller or of `pid`.
    static func capget(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let headerPointer = a.address(0), data = a.address(1)
        let known = try words(headerPointer, a)
        guard data.value != 0 else { return 0 }                      // a version probe, even of an unknown one
        guard let words = known else { throw .EINVAL }
        let pid = try a.user.load(Int32.self, from: headerPointer + 4)
        guard pid >= 0 else { throw .EINVAL }
        let c: Credentials                                           // any thread's, by tid
        if pid == 0 || pid == a.thread.tid { c = a.credentials } else {
            guard let target = Processes.thread(pid) else { throw .ESRCH }
            c = target.sharedCredentials
        }
        for i in 0..<words {
            let shift = 32 * UInt64(i), base = data + UInt64(i * 12)
            try a.user.store(UInt32(truncatingIfNeeded: c.effective.bits >> shift), to: base)
            try a.user.store(UInt32(truncatingIfNeeded: c.permitted.bits >> shift), to: base + 4)
            try a.user.store(UInt32(truncatingIfNeeded: c.inheritable.bits >> shift), to: base + 8)
        }
        return 0
    }

    /// capset: only the calling thread's own sets (EPERM for another tid, even of its process), by Linux's rules
    /// (Credentials.setCapabilities). A version-1 call clears the capabilities past 31.
    static func capset(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let headerPointer = a.address(0), data = a.address(1)
        guard let words = try words(headerPointer, a) else { throw .EINVAL }
        let pid = try a.user.load(Int32.self, from: headerPointer + 4)
        guard pid == 0 || pid == a.thread.tid else { throw .EPERM }
        var effective: UInt64 = 0, permitted: UInt64 = 0, inheritable: UInt64 = 0
        for i in 0..<words {
            let shift = 32 * UInt64(i), base = data + UInt64(i * 12)
            effective |= UInt64(try a.user.load(UInt32.self, from: base)) << shift
            permitted |= UInt64(try a.user.load(UInt32.self, from: base + 4)) << shift
            inheritable |= UInt64(try a.user.load(UInt32.self, from: base + 8)) << shift
        }
        try a.thread.changeCredentials { (c: inout Credentials) throws(Errno) in
            try c.setCapabilities(effective: CapabilitySet(bits: effective), permitted: CapabilitySet(bits: permitted),
                                  inheritable: CapabilitySet(bits: inheritable))
        }
        return 0
    }
}
