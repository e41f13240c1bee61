import LichenCore

/// User and group identities: get/set of real, effective, saved and filesystem ids, and the
/// supplementary groups. The rules live in LichenCore (CredentialChanges.swift). get[e]uid and
/// get[e]gid are in ProcessIdentitySyscalls.
enum IdentitySyscalls {
    static func handle(_ number: UInt64, _ a: SyscallArguments) async throws(Errno) -> UInt64? {
        let p = a.process
        func id(_ i: Int) -> UInt32 { UInt32(truncatingIfNeeded: a[i]) }
        switch number {
        case 146: try p.changeCredentials { (c: inout Credentials) throws(Errno) in try c.setUID(id(0)) }
        case 144: try p.changeCredentials { (c: inout Credentials) throws(Errno) in try c.setGID(id(0)) }
        case 145: try p.changeCredentials { (c: inout Credentials) throws(Errno) in try c.setREUID(real: id(0), effective: id(1)) }
        case 143: try p.changeCredentials { (c: inout Credentials) throws(Errno) in try c.setREGID(real: id(0), effective: id(1)) }
        case 147:
            try p.changeCredentials { (c: inout Credentials) throws(Errno) in try c.setRESUID(real: id(0), effective: id(1), saved: id(2)) }
        case 149:
            try p.changeCredentials { (c: inout Credentials) throws(Errno) in try c.setRESGID(real: id(0), effective: id(1), saved: id(2)) }
        case 148, 150:                                               // getresuid, getresgid
            let c = p.credentials
            let ids = number == 148 ? [c.uid, c.euid, c.suid] : [c.gid, c.egid, c.sgid]
            for i in 0..<3 { try a.user.store(ids[i], to: a.address(i)) }
        case 151:                                                    // setfsuid
            return UInt64(p.changeCredentials { (c: inout Credentials) -> UInt32 in c.setFSUID(id(0)) })
        case 152:                                                    // setfsgid
            return UInt64(p.changeCredentials { (c: inout Credentials) -> UInt32 in c.setFSGID(id(0)) })
        case 158: return try getgroups(a)
        case 159: try setgroups(a)
        default: return nil
        }
        return 0
    }

    static func getgroups(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let size = a.int32(0)
        guard size >= 0 else { throw .EINVAL }
        let groups = a.process.credentials.groups
        if size == 0 { return UInt64(groups.count) }
        guard Int(size) >= groups.count else { throw .EINVAL }
        for (i, g) in groups.enumerated() { try a.user.store(g, to: a.address(1) + UInt64(i * 4)) }
        return UInt64(groups.count)
    }

    static func setgroups(_ a: SyscallArguments) throws(Errno) {
        let size = a.int32(0)
        guard size >= 0, Int(size) <= Credentials.maxGroups else { throw .EINVAL }
        guard a.process.credentials.euid == 0 else { throw .EPERM }
        var list: [UInt32] = []
        for i in 0..<Int(size) { list.append(try a.user.load(UInt32.self, from: a.address(1) + UInt64(i * 4))) }
        list.sort()                                                  // Linux keeps them sorted (groups_sort)
        try a.process.changeCredentials { (c: inout Credentials) throws(Errno) in try c.setGroups(list) }
    }
}
