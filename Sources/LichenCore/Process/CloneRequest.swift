// clone and clone3 arguments, decoded and checked as Linux's kernel_clone/copy_process do.

public struct CloneFlags: OptionSet, Sendable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public static let vm = CloneFlags(rawValue: 0x100)
    public static let fs = CloneFlags(rawValue: 0x200)
    public static let files = CloneFlags(rawValue: 0x400)
    public static let sighand = CloneFlags(rawValue: 0x800)
    public static let pidfd = CloneFlags(rawValue: 0x1000)
    public static let vfork = CloneFlags(rawValue: 0x4000)
    public static let parent = CloneFlags(rawValue: 0x8000)
    public static let thread = CloneFlags(rawValue: 0x10000)
    public static let sysvsem = CloneFlags(rawValue: 0x40000)
    public static let settls = CloneFlags(rawValue: 0x80000)
    public static let parentSettid = CloneFlags(rawValue: 0x100000)
    public static let childCleartid = CloneFlags(rawValue: 0x200000)
    public static let detached = CloneFlags(rawValue: 0x400000)
    public static let untraced = CloneFlags(rawValue: 0x800000)
    public static let childSettid = CloneFlags(rawValue: 0x1000000)
    /// CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET: namespaces, not supported.
    public static let unsupported = CloneFlags(rawValue: 0x20000 | 0x2000000 | 0x4000000 | 0x8000000 | 0x10000000
                                               | 0x20000000 | 0x40000000)
}

/// struct clone_args (clone3), the version-0 fields Lichen reads.
public struct LinuxCloneArgs: Sendable {
    public var flags: UInt64 = 0
    public var pidfd: UInt64 = 0
    public var child_tid: UInt64 = 0
    public var parent_tid: UInt64 = 0
    public var exit_signal: UInt64 = 0
    public var stack: UInt64 = 0
    public var stack_size: UInt64 = 0
    public var tls: UInt64 = 0
    public init() {}
    /// CLONE_ARGS_SIZE_VER0.
    public static let minimumSize = 64
}

public struct CloneRequest: Sendable {
    public var flags: CloneFlags
    /// The child's signal to the parent when it ends (nil: none; threads never send one).
    public var exitSignal: Signal?
    /// The child's stack pointer (0: the parent's).
    public var stack: UInt64
    public var tls: UInt64
    public var parentTID: UInt64
    public var childTID: UInt64

    public var isThread: Bool { flags.contains(.thread) }

    /// clone(flags, newsp, parent_tid, tls, child_tid): arm64's argument order (CLONE_BACKWARDS).
    /// The low byte of flags is the exit signal, ignored for threads.
    public static func clone(flags raw: UInt64, stack: UInt64, parentTID: UInt64, tls: UInt64,
                             childTID: UInt64) throws(Errno) -> CloneRequest {
        let flags = CloneFlags(rawValue: raw & ~0xff)
        let request = CloneRequest(flags: flags, exitSignal: flags.contains(.thread) ? nil : Signal(Int32(raw & 0xff)),
                                   stack: stack, tls: tls, parentTID: parentTID, childTID: childTID)
        try request.validate()
        return request
    }

    /// clone3: the stack is given as its lowest address and size; exit_signal must be a signal
    /// number and 0 for threads; unknown flag bits are EINVAL.
    public static func clone3(_ args: LinuxCloneArgs) throws(Errno) -> CloneRequest {
        guard args.flags & 0xff == 0, args.exit_signal <= 64 else { throw .EINVAL }
        let flags = CloneFlags(rawValue: args.flags)
        if flags.contains(.thread) || flags.contains(.parent) { guard args.exit_signal == 0 else { throw .EINVAL } }
        if args.stack == 0 { guard args.stack_size == 0 else { throw .EINVAL } }
        else { guard args.stack_size != 0 else { throw .EINVAL } }
        let top = args.stack == 0 ? 0 : args.stack &+ args.stack_size
        let request = CloneRequest(flags: flags, exitSignal: Signal(Int32(args.exit_signal)), stack: top, tls: args.tls,
                                   parentTID: args.parent_tid, childTID: args.child_tid)
        try request.validate()
        return request
    }

    /// copy_process's consistency rules: a thread shares signal handlers, shared handlers need
    /// shared memory; namespaces and pidfds are not supported here (EINVAL).
    func validate() throws(Errno) {
        if flags.contains(.thread) && !flags.contains(.sighand) { throw .EINVAL }
        if flags.contains(.sighand) && !flags.contains(.vm) { throw .EINVAL }
        if !flags.intersection(.unsupported).isEmpty { throw .EINVAL }
        if flags.contains(.pidfd) { throw .EINVAL }
    }
}
