import _Concurrency

/// Access times on a read-write mount: a read, getdents or readlink the mount records (the VFS
/// applies noatime, nodiratime, read-only mounts and O_NOATIME) moves i_atime when `update` says
/// it is due, in a transaction of its own like any inode change (no ctime change). A read-only
/// mount records nothing. Errors are dropped, as Linux's touch_atime drops them.
extension Ext4Node {
    func accessed(_ update: AccessTimeUpdate) async {
        guard let writer = volume.writer else { return }
        let m = metadata
        guard update.isDue(atime: m.atime, mtime: m.mtime, ctime: m.ctime, now: writer.clock()) else { return }
        try? await volume.change { (op: Ext4Operation) async throws(Errno) in
            op.register(self)
            var image = try await op.inode(self.ino)
            image.setTime(Ext4InodeImage.atime, op.now)
            try await op.put(self.ino, &image)
        }
    }
}
