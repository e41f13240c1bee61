import LichenCore

/// User and group identities: get/set of real, effective, saved and filesystem ids, and the
/// supplementary groups. The rules live in LichenCore (CredentialChanges.swift). get[e]uid and
/// get[e]gid are in ProcessIdentitySyscalls.
enum IdentitySyscalls {
    static func setuid(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let uid = a.uint32(0)
        try a.thread.changeCredentials { (c: inout Credentials) throws(Errno) in try c.setUID(uid) }
        return 0
    }

    static func setgid(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let gid = a.uint32(0)
        try a.thread.changeCredentials { (c: inout Credentials) throws(Errno) in try c.setGID(gid) }
        return 0
    }

    static func setreuid(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let ruid = a.uint32(0), euid = a.uint32(1)
        try a.thread.changeCredentials { (c: inout Credentials) throws(Errno) in try c.setREUID(real: ruid, effective: euid) }
        return 0
    }

    static func setregid(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let rgid = a.uint32(0), egid = a.uint32(1)
        try a.thread.changeCredentials { (c: inout Credentials) throws(Errno) in try c.setREGID(real: rgid, effective: egid) }
        return 0
    }

    static func setresuid(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let ruid = a.uint32(0), euid = a.uint32(1), suid = a.uint32(2)
        try a.thread.changeCredentials { (c: inout Credentials) throws(Errno) in try c.setRESUID(real: ruid, effective: euid, saved: suid) }
        return 0
    }

    static func setresgid(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let rgid = a.uint32(0), egid = a.uint32(1), sgid = a.uint32(2)
        try a.thread.changeCredentials { (c: inout Credentials) throws(Errno) in try c.setRESGID(real: rgid, effective: egid, saved: sgid) }
        return 0
    }

    static func getresuid(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let c = a.credentials
        try storeIDs([c.uid, c.euid, c.suid], a)
        return 0
    }

    static func getresgid(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let c = a.credentials
        try storeIDs([c.gid, c.egid, c.sgid], a)
        return 0
    }

    /// getres[ug]id's real, effective and saved ids, to the three pointers in order.
    private static func storeIDs(_ ids: [UInt32], _ a: SyscallArguments) throws(Errno) {
        let pointers = [a.address(0), a.address(1), a.address(2)]
        for i in 0..<3 { try a.user.store(ids[i], to: pointers[i]) }
    }

    /// Never fails: returns the previous fsuid, changed or not.
    static func setfsuid(_ a: SyscallArguments) -> UInt64 {
        let fsuid = a.uint32(0)
        return UInt64(a.thread.changeCredentials { (c: inout Credentials) -> UInt32 in c.setFSUID(fsuid) })
    }

    static func setfsgid(_ a: SyscallArguments) -> UInt64 {
        let fsgid = a.uint32(0)
        return UInt64(a.thread.changeCredentials { (c: inout Credentials) -> UInt32 in c.setFSGID(fsgid) })
    }

    static func getgroups(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let size = a.int32(0), list = a.address(1)
        guard size >= 0 else { throw .EINVAL }
        let groups = a.credentials.groups
        if size == 0 { return UInt64(groups.count) }
        guard Int(size) >= groups.count else { throw .EINVAL }
        for (i, g) in groups.enumerated() { try a.user.store(g, to: list + UInt64(i * 4)) }
        return UInt64(groups.count)
    }

    static func setgroups(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let size = a.int32(0), list = a.address(1)
        guard size >= 0, Int(size) <= Credentials.maxGroups else { throw .EINVAL }
        guard a.credentials.has(.CAP_SETGID) else { throw .EPERM }
        var groups: [UInt32] = []
        for i in 0..<Int(size) { groups.append(try a.user.load(UInt32.self, from: list + UInt64(i * 4))) }
        groups.sort()                                                // Linux keeps them sorted (groups_sort)
        try a.thread.changeCredentials { (c: inout Credentials) throws(Errno) in try c.setGroups(groups) }
        return 0
    }
}
