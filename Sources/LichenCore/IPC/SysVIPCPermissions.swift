// System V IPC objects' ownership and mode (Linux's kern_ipc_perm) and its two rules: ipcperms for
// get/op/stat, and the owner-or-CAP_SYS_ADMIN rule of IPC_SET and IPC_RMID.

public enum SysVIPC {
    public static let IPC_PRIVATE: Int32 = 0
    public static let IPC_CREAT: UInt32 = 0o1000, IPC_EXCL: UInt32 = 0o2000, IPC_NOWAIT: UInt32 = 0o4000
    public static let IPC_RMID: Int32 = 0, IPC_SET: Int32 = 1, IPC_STAT: Int32 = 2, IPC_INFO: Int32 = 3
    /// S_IRWXUGO: the mode bits a creator and IPC_SET choose.
    public static let modeBits: UInt32 = 0o777
    public static let readBits: UInt32 = 0o444, writeBits: UInt32 = 0o222
}

/// Who owns an IPC object and who may use it.
public struct IPCPermissions: Sendable {
    public var key: Int32
    public var uid: UInt32, gid: UInt32, cuid: UInt32, cgid: UInt32
    /// The S_IRWXUGO bits, and for shared memory SHM_DEST/SHM_LOCKED above them.
    public var mode: UInt32
    /// The id's sequence part (the id is index + seq * 32768).
    public var seq: UInt16 = 0
    /// The id's index part while an IPCIdTable holds the object (-1 before): id(of:) without a search.
    public internal(set) var index = -1

    /// A new object's: owner and creator are the caller's effective ids.
    public init(key: Int32, mode: UInt32, creator: Credentials) {
        self.key = key
        uid = creator.euid
        gid = creator.egid
        cuid = creator.euid
        cgid = creator.egid
        self.mode = mode & SysVIPC.modeBits
    }

    /// Linux's ipcperms: the owner class (owner or creator), else the group class, else others; the
    /// requested bits are the rwx triplet of `flag` in any class. CAP_IPC_OWNER overrides.
    public func permits(_ flag: UInt32, _ c: Credentials) -> Bool {
        let requested = (flag >> 6) | (flag >> 3) | flag
        var granted = mode
        if c.euid == cuid || c.euid == uid { granted >>= 6 }
        else if c.isInGroup(cgid) || c.isInGroup(gid) { granted >>= 3 }
        return requested & ~granted & 0o7 == 0 || c.has(.CAP_IPC_OWNER)
    }

    public func check(_ flag: UInt32, _ c: Credentials) throws(Errno) {
        if !permits(flag, c) { throw .EACCES }
    }

    /// IPC_SET and IPC_RMID: the owner, the creator or CAP_SYS_ADMIN (else EPERM).
    public func checkControl(_ c: Credentials) throws(Errno) {
        guard c.euid == cuid || c.euid == uid || c.has(.CAP_SYS_ADMIN) else { throw .EPERM }
    }

    /// IPC_SET: owner ids and the permission bits.
    public mutating func set(from perm: LinuxIPC64Perm) {
        uid = perm.uid
        gid = perm.gid
        mode = (mode & ~SysVIPC.modeBits) | (perm.mode & SysVIPC.modeBits)
    }

    public var linux: LinuxIPC64Perm {
        var p = LinuxIPC64Perm()
        p.key = key
        p.uid = uid
        p.gid = gid
        p.cuid = cuid
        p.cgid = cgid
        p.mode = mode
        p.seq = seq
        return p
    }
}

/// Something an `IPCIdTable` holds.
public protocol IPCObject: AnyObject {
    var permissions: IPCPermissions { get set }
}
