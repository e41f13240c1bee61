// The initial user stack of a new program, byte for byte as Linux lays it out on arm64
// (fs/exec.c and create_elf_tables in fs/binfmt_elf.c), computed sans-IO: the kernel copies
// `bytes` to [stackPointer, top) and starts the program with sp = stackPointer.
//
// From the top down:  8 zero bytes | argv strings, envp strings, execfn (ascending) |
// align 16 | platform string | 16 random bytes | gap to 16-byte alignment |
// auxv pairs + AT_NULL | NULL | envp[] | NULL | argv[] | argc  <- sp (16-byte aligned)

public enum InitialStackError: Error, Equatable, Sendable {
    case argumentTooLong  // one string over MAX_ARG_STRLEN (E2BIG)
    case tooLarge         // the whole stack over the limit (E2BIG)
    case badString        // a string contains a NUL byte
    case badRandom        // not exactly 16 random bytes
    case badTop           // top not 16-byte aligned or outside user space
}

public struct InitialStack: Sendable {
    /// Linux's MAX_ARG_STRLEN: 32 pages per string, NUL included.
    public static let maximumStringLength = 32 * pageSize
    /// Linux's default: a quarter of the 8 MiB stack rlimit for strings and pointers.
    public static let defaultLimit = 2 << 20

    /// The contents of [stackPointer, top).
    public let bytes: [UInt8]
    public let stackPointer: UserAddr
    public let arguments: [UserAddr]
    public let environment: [UserAddr]
    public let executableName: UserAddr
    public let random: UserAddr
    public let platform: UserAddr?
    /// [arg_start, arg_end) and [env_start, env_end), as /proc/<pid>/cmdline and environ read them.
    public let argumentArea: Range<UInt64>
    public let environmentArea: Range<UInt64>

    public init(top: UserAddr, arguments: [[UInt8]], environment: [[UInt8]], executableName: [UInt8],
                platform: [UInt8]?, random: [UInt8], auxiliary: AuxiliaryVector,
                limit: Int = InitialStack.defaultLimit) throws(InitialStackError) {
        guard top.isAligned(to: 16), top.value <= UserAddr.limit else { throw .badTop }
        guard random.count == 16 else { throw .badRandom }
        // Size everything first (bounded by the limit, so no overflow), then lay it out.
        var stringBytes = 8
        for s in arguments + environment + [executableName] + (platform.map { [$0] } ?? []) {
            guard !s.contains(0) else { throw .badString }
            guard s.count < Self.maximumStringLength else { throw .argumentTooLong }
            stringBytes += s.count + 1
            guard stringBytes <= limit else { throw .tooLarge }
        }
        let pointerWords = 1 + arguments.count + 1 + environment.count + 1 + 2 * (auxiliary.entries.count + 1)
        guard pointerWords <= limit / 8 else { throw .tooLarge }
        let needed = stringBytes + 8 * pointerWords + 48  // + random bytes and two alignments
        guard needed <= limit, UInt64(needed) <= top.value else { throw .tooLarge }

        // Strings: fs/exec.c copies execfn, then envp, then argv, each downwards from top - 8.
        var p = top.value - 8
        p -= UInt64(executableName.count + 1)
        let execfn = p
        func place(_ strings: [[UInt8]]) -> [UInt64] {
            var addresses = [UInt64](repeating: 0, count: strings.count)
            for i in strings.indices.reversed() {
                p -= UInt64(strings[i].count + 1)
                addresses[i] = p
            }
            return addresses
        }
        let envAddresses = place(environment)
        let argAddresses = place(arguments)
        let argStart = p
        // create_elf_tables: align (Linux also subtracts a random offset here), platform, random.
        p &= ~15
        var platformAddress: UInt64? = nil
        if let platform {
            p -= UInt64(platform.count + 1)
            platformAddress = p
        }
        p -= 16
        let randomAddress = p
        let sp = (p - UInt64(8 * pointerWords)) & ~15

        var out = [UInt8](repeating: 0, count: Int(top.value - sp))
        func put(_ s: [UInt8], at address: UInt64) {
            let o = Int(address - sp)
            for (i, b) in s.enumerated() { out[o + i] = b }  // the NUL is already there
        }
        var w = 0
        func word(_ v: UInt64) {
            for i in 0..<8 { out[w + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) }
            w += 8
        }
        for (s, a) in zip(arguments, argAddresses) { put(s, at: a) }
        for (s, a) in zip(environment, envAddresses) { put(s, at: a) }
        put(executableName, at: execfn)
        if let platform, let platformAddress { put(platform, at: platformAddress) }
        put(random, at: randomAddress)

        word(UInt64(arguments.count))
        for a in argAddresses { word(a) }
        word(0)
        for a in envAddresses { word(a) }
        word(0)
        for e in auxiliary.entries {
            word(e.type.rawValue)
            switch e.type {
            case .random: word(randomAddress)
            case .executableName: word(execfn)
            case .platform: word(platformAddress ?? 0)
            default: word(e.value)
            }
        }
        word(0); word(0)  // AT_NULL

        bytes = out
        stackPointer = UserAddr(sp)
        self.arguments = argAddresses.map { UserAddr($0) }
        self.environment = envAddresses.map { UserAddr($0) }
        self.executableName = UserAddr(execfn)
        self.random = UserAddr(randomAddress)
        self.platform = platformAddress.map { UserAddr($0) }
        argumentArea = argStart..<(envAddresses.first ?? execfn)
        environmentArea = (envAddresses.first ?? execfn)..<execfn
    }
}
