import Testing
@testable import LichenCore

/// Extended attributes: the per-inode list, the namespace and permission rules of fs/xattr.c and
/// commoncap, tmpfs storage, killpriv, and security.capability's format and exec transformation.
@Suite struct XattrTests {
    let user = Credentials(uid: 1000, gid: 1000)
    func b(_ s: String) -> [UInt8] { Array(s.utf8) }

    private func tmpfsFile() async throws -> (VFS, OpenFile) {
        let clock = VFSTestClock()
        let vfs = VFS(root: Tmpfs(device: DeviceNumber(major: 0, minor: 33), clock: clock.clock))
        let f = try await vfs.open(vfsBytes("/f"), flags: [.O_CREAT, .O_RDWR], mode: 0o644, context: vfs.context())
        return (vfs, f)
    }

    @Test func listCreateReplaceRemoveAndOrder() throws {
        var l = XattrList()
        try l.set(b("security.a"), value: b("1"), flags: [])
        try l.set(b("security.b"), value: [], flags: .create)
        #expect(throws: Errno.EEXIST) { try l.set(b("security.a"), value: b("x"), flags: .create) }
        #expect(throws: Errno.ENODATA) { try l.set(b("security.c"), value: b("x"), flags: .replace) }
        #expect(throws: Errno.ENODATA) { try l.set(b("security.c"), value: b("x"), flags: [.create, .replace]) }
        #expect(throws: Errno.EEXIST) { try l.set(b("security.a"), value: b("x"), flags: [.create, .replace]) }
        try l.set(b("security.a"), value: b("22"), flags: .replace)
        #expect(try l.value(b("security.a")) == b("22"))
        #expect(try l.value(b("security.b")) == [])
        #expect(l.names() == [b("security.b"), b("security.a")])          // newest first, replaced in place
        try l.set(b("security.a"), value: nil, flags: .replace)
        #expect(throws: Errno.ENODATA) { try l.set(b("security.a"), value: nil, flags: .replace) }
        #expect(throws: Errno.ENODATA) { try l.value(b("security.a")) }
        #expect(l.count == 1)
    }

    @Test func listIsBounded() throws {
        var l = XattrList()
        let big = [UInt8](repeating: 7, count: XattrLimits.valueMax)
        for i in 0..<3 { try l.set(b("security.v\(i)"), value: big, flags: []) }
        #expect(throws: Errno.ENOSPC) { try l.set(b("security.v3"), value: big, flags: []) }
        #expect(throws: Errno.ENOSPC) { try l.set(b("security.v0"), value: big + big, flags: []) }
        var many = XattrList()
        for i in 0..<XattrList.maxEntries { try many.set(b("trusted.\(i)"), value: [], flags: []) }
        #expect(throws: Errno.ENOSPC) { try many.set(b("trusted.x"), value: [], flags: []) }
        try many.set(b("trusted.0"), value: nil, flags: .replace)
        try many.set(b("trusted.x"), value: [], flags: [])
    }

    @Test func handlersResolveNames() throws {
        let t = XattrHandlers.tmpfs
        try t.resolve(b("security.x"))
        try t.resolve(b("trusted.x"))
        try t.resolve(b("system.posix_acl_access"))
        #expect(throws: Errno.EOPNOTSUPP) { try t.resolve(b("user.x")) }
        #expect(throws: Errno.EOPNOTSUPP) { try t.resolve(b("system.posix_acl_accessX")) }
        #expect(throws: Errno.EOPNOTSUPP) { try t.resolve(b("other")) }
        #expect(throws: Errno.EINVAL) { try t.resolve(b("security.")) }
        #expect(throws: Errno.EINVAL) { try t.resolve(b("trusted.")) }
        try XattrHandlers.ext4.resolve(b("user.x"))
        #expect(throws: Errno.EINVAL) { try XattrHandlers.ext4.resolve(b("user.")) }
    }

    @Test func permissionRules() throws {
        let file = InodeMetadata(ino: 1, mode: FileMode.S_IFREG | 0o644, uid: 0, gid: 0, nlink: 1, time: Timespec(seconds: 0, nanoseconds: 0))
        let link = InodeMetadata(ino: 2, mode: FileMode.S_IFLNK | 0o777, uid: 1000, gid: 1000, nlink: 1, time: Timespec(seconds: 0, nanoseconds: 0))
        let sticky = InodeMetadata(ino: 3, mode: FileMode.S_IFDIR | 0o1777, uid: 0, gid: 0, nlink: 2, time: Timespec(seconds: 0, nanoseconds: 0))
        try Xattrs.checkPermission(b("security.x"), write: true, file, user)     // left to the hooks
        try Xattrs.checkPermission(b("system.x"), write: true, file, user)
        #expect(throws: Errno.ENODATA) { try Xattrs.checkPermission(b("trusted.x"), write: false, file, user) }
        #expect(throws: Errno.EPERM) { try Xattrs.checkPermission(b("trusted.x"), write: true, file, user) }
        try Xattrs.checkPermission(b("trusted.x"), write: true, file, .root)
        #expect(throws: Errno.EACCES) { try Xattrs.checkPermission(b("user.x"), write: true, file, user) }
        try Xattrs.checkPermission(b("user.x"), write: false, file, user)
        #expect(throws: Errno.EPERM) { try Xattrs.checkPermission(b("user.x"), write: true, link, user) }
        #expect(throws: Errno.ENODATA) { try Xattrs.checkPermission(b("user.x"), write: false, link, user) }
        #expect(throws: Errno.EPERM) { try Xattrs.checkPermission(b("user.x"), write: true, sticky, user) }
        try Xattrs.checkPermission(b("user.x"), write: true, sticky, .root)
        #expect(throws: Errno.EACCES) { try Xattrs.checkPermission(b("other.x"), write: true, file, user) }
        #expect(throws: Errno.EPERM) { try Xattrs.checkSecurityHook(b("security.x"), removing: false, user) }
        try Xattrs.checkSecurityHook(b("security.capability"), removing: false, user)  // checked with the value
        #expect(throws: Errno.EPERM) { try Xattrs.checkSecurityHook(b("security.capability"), removing: true, user) }
        try Xattrs.checkSecurityHook(b("trusted.x"), removing: true, user)
    }

    @Test func tmpfsStoresAndLists() async throws {
        let (_, f) = try await tmpfsFile()
        let inode = f.inode
        let before = inode.metadata.ctime
        try await Xattrs.set(inode, b("security.s"), value: b("v"), flags: [], .root)
        try await Xattrs.set(inode, b("trusted.t"), value: b("tv"), flags: [], .root)
        #expect(inode.metadata.ctime != before)
        #expect(try await Xattrs.get(inode, b("security.s"), user) == b("v"))
        #expect(try await Xattrs.list(inode, .root) == b("trusted.t\0security.s\0"))
        #expect(try await Xattrs.list(inode, user) == b("security.s\0"))
        await #expect(throws: Errno.ENODATA) { try await Xattrs.get(inode, b("trusted.t"), user) }
        await #expect(throws: Errno.EOPNOTSUPP) { try await Xattrs.set(inode, b("user.u"), value: [], flags: [], .root) }
        await #expect(throws: Errno.EOPNOTSUPP) { try await Xattrs.set(inode, b("system.posix_acl_access"), value: [], flags: [], .root) }
        await #expect(throws: Errno.ENODATA) { try await Xattrs.get(inode, b("system.posix_acl_access"), .root) }
        await #expect(throws: Errno.EINVAL) { try await Xattrs.get(inode, b("security."), .root) }
        await #expect(throws: Errno.EPERM) { try await Xattrs.remove(inode, b("security.s"), user) }
        try await Xattrs.remove(inode, b("security.s"), .root)
        await #expect(throws: Errno.ENODATA) { try await Xattrs.remove(inode, b("security.s"), .root) }
    }

    @Test func capabilityAttributeFormats() throws {
        let caps = FileCapabilities(permitted: CapabilitySet([.CAP_NET_RAW, .CAP_CHECKPOINT_RESTORE]),
                                    inheritable: CapabilitySet([.CAP_SYS_NICE]), effective: true)
        let v2 = caps.attribute(revision3: false)
        #expect(v2.count == 20 && v2[0] == 1 && v2[3] == 2)
        #expect(try FileCapabilities(attribute: v2) == caps)
        var with1000 = caps
        with1000.rootID = 1000
        let v3 = with1000.attribute(revision3: true)
        #expect(v3.count == 24 && v3[3] == 3)
        #expect(try FileCapabilities(attribute: v3) == with1000)
        // Setting: revision 2 or 3 at the right size, CAP_SETFCAP.
        #expect(try FileCapabilities.checkedForSet(v2, by: .root) == v2)
        #expect(throws: Errno.EINVAL) { try FileCapabilities.checkedForSet(Array(v2.prefix(19)), by: .root) }
        #expect(throws: Errno.EINVAL) { try FileCapabilities.checkedForSet([1, 2, 3], by: .root) }
        #expect(throws: Errno.EINVAL) { try FileCapabilities.checkedForSet(v3.prefix(20) + [0xff, 0xff, 0xff, 0xff], by: .root) }
        #expect(throws: Errno.EPERM) { try FileCapabilities.checkedForSet(v2, by: user) }
        #expect(throws: Errno.EINVAL) { try FileCapabilities.checkedForSet([0, 0, 0, 1] + [UInt8](repeating: 0, count: 8), by: .root) }
        // Reading: revision 3 for root reads as revision 2.
        #expect(try FileCapabilities.readView(caps.attribute(revision3: true)) == v2)
        #expect(try FileCapabilities.readView(v3) == v3)
        #expect(throws: Errno.EINVAL) { try FileCapabilities.readView([1, 0, 0, 1] + [UInt8](repeating: 0, count: 8)) }
        // execve: revision 1 is read, another namespace's root is ignored, garbage is EINVAL.
        let v1: [UInt8] = [0, 0, 0, 1, 0, 0x20, 0, 0, 0, 0, 0, 0]   // cap_net_raw (13), not effective
        #expect(try FileCapabilities.forExec(v1)?.permitted == CapabilitySet([.CAP_NET_RAW]))
        #expect(try FileCapabilities.forExec(v3) == nil)
        #expect(try FileCapabilities.forExec(nil) == nil)
        #expect(throws: Errno.EINVAL) { try FileCapabilities.forExec([]) }
    }

    @Test func execWithFileCapabilities() throws {
        let raw = CapabilitySet([.CAP_NET_RAW, .CAP_SYS_NICE])
        var file = ExecutedFile(mode: 0o100755, owner: 0, group: 0)
        file.capabilities = FileCapabilities(permitted: raw, effective: true)
        var c = user
        c.ambient = .empty
        _ = c.exec(file)
        #expect(c.permitted == raw && c.effective == raw)
        // Without the effective bit: permitted only.
        file.capabilities?.effective = false
        c = user
        let change = c.exec(file)
        #expect(c.permitted == raw && c.effective.isEmpty && change.secure && !change.dumpable)
        // The bounding set limits them; with the effective bit, that refuses the exec.
        c = user
        c.bounding.remove(.CAP_NET_RAW)
        #expect(!c.refusesExec(file))
        file.capabilities?.effective = true
        #expect(c.refusesExec(file))
        _ = c.exec(file)
        #expect(c.permitted == CapabilitySet([.CAP_SYS_NICE]))
        // fI & pI.
        c = user
        c.inheritable = CapabilitySet([.CAP_CHOWN, .CAP_KILL])
        c.permitted = c.inheritable
        c.ambient = CapabilitySet([.CAP_KILL])
        file.capabilities = FileCapabilities(permitted: .empty, inheritable: CapabilitySet([.CAP_CHOWN]), effective: false)
        _ = c.exec(file)
        #expect(c.permitted == CapabilitySet([.CAP_CHOWN]) && c.ambient.isEmpty && c.effective.isEmpty)  // ambient cleared
        // no_new_privs: nothing gained.
        c = user
        file.capabilities = FileCapabilities(permitted: raw, effective: true)
        file.noNewPrivileges = true
        _ = c.exec(file)
        #expect(c.permitted.isEmpty && c.effective.isEmpty)
        // Set-user-id root with file capabilities, run by a user: the file's capabilities only.
        c = user
        file = ExecutedFile(mode: 0o104755, owner: 0, group: 0)
        file.capabilities = FileCapabilities(permitted: raw, effective: false)
        _ = c.exec(file)
        #expect(c.euid == 0 && c.permitted == raw && c.effective.isEmpty)
        // Root still gets everything.
        c = .root
        _ = c.exec(file)
        #expect(c.permitted == .full && c.effective == .full)
    }

    @Test func killprivOnWriteTruncateAndChown() async throws {
        let (vfs, f) = try await tmpfsFile()
        let caps = FileCapabilities(permitted: CapabilitySet([.CAP_NET_RAW]), effective: true).attribute(revision3: false)
        try await Xattrs.set(f.inode, XattrNames.capability, value: caps, flags: [], .root)
        #expect(await Xattrs.storedCapabilities(of: f.inode) == caps)
        try await f.inode.removeSetIDBits(writtenBy: .root)
        #expect(await Xattrs.storedCapabilities(of: f.inode) == nil)
        try await Xattrs.set(f.inode, XattrNames.capability, value: caps, flags: [], .root)
        try await vfs.chown(f.location, uid: 5, gid: nil, context: vfs.context())
        #expect(await Xattrs.storedCapabilities(of: f.inode) == nil)
        try await Xattrs.set(f.inode, XattrNames.capability, value: caps, flags: [], .root)
        try await Xattrs.set(f.inode, b("security.other"), value: [], flags: [], .root)
        _ = try await vfs.open(vfsBytes("/f"), flags: [.O_RDWR, .O_TRUNC], context: vfs.context())
        #expect(await Xattrs.storedCapabilities(of: f.inode) == nil)
        #expect(try await Xattrs.list(f.inode, .root) == b("security.other\0"))
    }
}
