import LichenCore

/// A program file's writes denied (WriteAccess) for as long as this lives: an exec loading the file
/// (program or ELF interpreter), then the memory running it (Linux's mm->exe_file), a fork's copy
/// of that memory holding its own.
final class ExecutableWriteDenial {
    let inode: any Inode

    /// ETXTBSY while the file is open for writing.
    init(_ inode: any Inode) throws(Errno) {
        try WriteAccess.denyWriting(inode)
        self.inode = inode
    }

    /// Another holder of the same denial (fork): never fails, the file already has one.
    private init(adding inode: any Inode) {
        _ = try? WriteAccess.denyWriting(inode)
        self.inode = inode
    }

    func duplicate() -> ExecutableWriteDenial { ExecutableWriteDenial(adding: inode) }

    deinit { WriteAccess.allowWriting(inode) }
}
