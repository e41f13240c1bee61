// memfd_create(2): anonymous tmpfs files on an internal mount (Linux's shm_mnt), checked in the
// order of Linux 6.1's mm/memfd.c.

public enum Memfd {
    public static let MFD_CLOEXEC: UInt64 = 1, MFD_ALLOW_SEALING: UInt64 = 2, MFD_HUGETLB: UInt64 = 4
    /// NAME_MAX minus the "memfd:" prefix.
    public static let nameMaxLength = 249

    /// The flags: EINVAL for unknown bits (MFD_NOEXEC_SEAL/MFD_EXEC came after 6.1) and for
    /// MFD_HUGETLB, which Lichen does not offer (no huge pages).
    public static func checkFlags(_ flags: UInt64) throws(Errno) {
        guard flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB) == 0 else { throw .EINVAL }
        if flags & MFD_HUGETLB != 0 { throw .EINVAL }
    }

    /// The name (without its NUL): EINVAL when longer than 249 bytes.
    public static func checkName(_ name: [UInt8]) throws(Errno) {
        guard name.count <= nameMaxLength else { throw .EINVAL }
    }
}

/// The internal tmpfs memfds live on: no directory holds them, so /proc/<pid>/fd shows
/// "/memfd:NAME (deleted)", as on Linux.
public final class MemfdFileSystem: Sendable {
    public let tmpfs: Tmpfs
    private let mount: Mount

    public init(device: DeviceNumber, clock: @escaping VFSClock) {
        tmpfs = Tmpfs(device: device, clock: clock, typeName: Array("tmpfs".utf8))
        mount = Mount(fileSystem: tmpfs, parent: nil, mountpoint: nil)
    }

    /// A new memfd's open file (read-write, mode 0777 as Linux's), sealable with MFD_ALLOW_SEALING.
    public func create(name: [UInt8], flags: UInt64, owner: InodeOwner) -> OpenFile {
        let file = TmpfsFile(tmpfs.superblock, mode: FileMode.S_IFREG | 0o777, owner: owner)
        if flags & Memfd.MFD_ALLOW_SEALING != 0 { file.fileSeals = [] }
        let open = OpenFile(location: Location(mount: mount, inode: file), flags: [.O_RDWR, .O_LARGEFILE])
        open.pathHint = (Location(mount: mount, inode: tmpfs.root), Array("/memfd:".utf8) + name)
        // A writer like any read-write open (so fexecve of it is ETXTBSY while it stays open, as on Linux).
        open.holdsWriteAccess = (try? WriteAccess.beginWriting(file)) != nil
        return open
    }
}
