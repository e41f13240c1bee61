import _Concurrency

/// The namespace operations of a read-write mount (Linux's ext4_create, mkdir, mknod, symlink,
/// link, unlink, rmdir, rename): each one Ext4Volume.change, so one transaction under the
/// filesystem's write lock. The VFS checked permissions; the structural rules are checked here.
extension Ext4Node {
    func create(_ name: [UInt8], mode: UInt32, owner: InodeOwner) async throws(Errno) -> any Inode {
        try await make(name, mode: FileMode.S_IFREG | (mode & 0o7777), owner: owner) { _, _, _ throws(Errno) in }
    }

    func mkdir(_ name: [UInt8], mode: UInt32, owner: InodeOwner) async throws(Errno) -> any Inode {
        try await make(name, mode: FileMode.S_IFDIR | (mode & 0o7777), owner: owner) { op, ino, image throws(Errno) in
            var list = Ext4ExtentList(extents: [], treeBlocks: [])
            let p = try await op.alloc.allocateBlocks(goal: op.groupGoal(ino), count: 1).start
            var data = Ext4DirectoryWriter.firstBlock(ino: ino, parent: self.ino, sb: op.sb)
            Ext4DirectoryWriter.seal(&data, inodeSeed: op.seed(ino, image), sb: op.sb)
            op.tx.put(p, data)
            list.map(0, to: p, count: 1)
            try await op.storeExtents(ino, &image, &list)
            image.size = Int64(op.sb.blockSize)
            image.nlink = 2
        }
    }

    func mknod(_ name: [UInt8], mode: UInt32, device: DeviceNumber, owner: InodeOwner) async throws(Errno) -> any Inode {
        try await make(name, mode: mode, owner: owner) { _, _, image throws(Errno) in
            let type = FileType(mode: mode)
            guard type == .characterDevice || type == .blockDevice else { return }
            var area = [UInt8](repeating: 0, count: 60)
            if device.major < 256 && device.minor < 256 {         // old_encode_dev in i_block[0]
                area.put32(0, device.major << 8 | device.minor)
            } else {                                             // new_encode_dev in i_block[1]
                area.put32(4, (device.minor & 0xff) | device.major << 8 | (device.minor & ~0xff) << 12)
            }
            image.blockArea = area
        }
    }

    /// Fast (the target in i_block, under 60 bytes) or slow (in a block) as Linux.
    func symlink(_ name: [UInt8], target: [UInt8], owner: InodeOwner) async throws(Errno) -> any Inode {
        guard target.count < volume.sb.blockSize else { throw .ENAMETOOLONG }
        return try await make(name, mode: FileMode.S_IFLNK | 0o777, owner: owner) { op, ino, image throws(Errno) in
            image.size = Int64(target.count)
            if target.count < 60 {
                image.blockArea = target + [UInt8](repeating: 0, count: 60 - target.count)
                return
            }
            if op.sb.incompat & Ext4Superblock.incompatExtents != 0 { image.flags |= Ext4RawInode.flagExtents }
            let data = target + [UInt8](repeating: 0, count: op.sb.blockSize - target.count)
            let p = try await op.alloc.allocateBlocks(goal: op.groupGoal(ino), count: 1).start
            try await op.tx.store.write(p, data)           // file data: before the metadata that points at it
            var list = Ext4ExtentList(extents: [], treeBlocks: [])
            list.map(0, to: p, count: 1)
            try await op.storeExtents(ino, &image, &list)
        }
    }

    /// A new inode named `name` here; `fill` completes it (blocks, size) before it is written.
    private func make(_ name: [UInt8], mode: UInt32, owner: InodeOwner,
                      fill: (Ext4Operation, UInt32, inout Ext4InodeImage) async throws(Errno) -> Void) async throws(Errno) -> any Inode {
        guard metadata.isDirectory else { throw .ENOTDIR }
        guard name.count <= 255 else { throw .ENAMETOOLONG }
        let made = try await volume.change { (op: Ext4Operation) async throws(Errno) -> UInt32 in
            var dir = try await op.inode(self.ino)
            guard dir.nlink > 0 else { throw .ENOENT }
            if try await op.find(name, in: self.ino, dir) != nil { throw .EEXIST }
            let directory = FileType(mode: mode) == .directory
            if directory { try op.addDirectoryLink(&dir) }
            var (ino, image) = try await op.newInode(parent: self.ino, mode: mode, owner: owner)
            try await fill(op, ino, &image)
            try await op.put(ino, &image)
            try await op.add(name, ino: ino, type: FileType(mode: mode), to: self.ino, &dir)
            try await op.put(self.ino, &dir)
            op.register(self)
            return ino
        }
        return try await volume.node(made)
    }

    func link(_ name: [UInt8], to inode: any Inode) async throws(Errno) {
        guard metadata.isDirectory else { throw .ENOTDIR }
        guard let target = inode as? Ext4Node, target.volume === volume else { throw .EXDEV }
        guard !target.metadata.isDirectory else { throw .EPERM }
        guard name.count <= 255 else { throw .ENAMETOOLONG }
        try await volume.change { (op: Ext4Operation) async throws(Errno) in
            var dir = try await op.inode(self.ino)
            guard dir.nlink > 0 else { throw .ENOENT }
            if try await op.find(name, in: self.ino, dir) != nil { throw .EEXIST }
            var image = try await op.inode(target.ino)
            guard image.nlink > 0 else { throw .ENOENT }
            guard image.nlink < Ext4Operation.linkMax else { throw .EMLINK }
            image.nlink += 1
            image.setTime(Ext4InodeImage.ctime, op.now)
            try await op.put(target.ino, &image)
            try await op.add(name, ino: target.ino, type: FileType(mode: image.mode), to: self.ino, &dir)
            try await op.put(self.ino, &dir)
            op.register(self)
            op.register(target)
        }
    }

    func unlink(_ name: [UInt8]) async throws(Errno) {
        try await removeName(name, directory: false)
    }

    func rmdir(_ name: [UInt8]) async throws(Errno) {
        try await removeName(name, directory: true)
    }

    private func removeName(_ name: [UInt8], directory: Bool) async throws(Errno) {
        guard metadata.isDirectory else { throw .ENOTDIR }
        let victim = try await lookup(name) as? Ext4Node       // held: an orphan is freed after this call
        try await volume.change { (op: Ext4Operation) async throws(Errno) in
            var dir = try await op.inode(self.ino)
            guard let entry = try await op.find(name, in: self.ino, dir) else { throw .ENOENT }
            let image = try await op.inode(entry.ino)
            let isDirectory = FileType(mode: image.mode) == .directory
            if directory {
                guard isDirectory else { throw .ENOTDIR }
                guard try await op.isEmpty(entry.ino, image) else { throw .ENOTEMPTY }
                op.dropDirectoryLink(&dir)
            } else if isDirectory {
                throw .EISDIR
            }
            try await op.remove(entry, from: self.ino, &dir)
            try await op.put(self.ino, &dir)
            if let victim, victim.ino == entry.ino { op.register(victim) }
            op.register(self)
            try await op.dropLink(entry.ino, directory: isDirectory)
        }
        _ = victim
    }

    func rename(_ name: [UInt8], to newDirectory: any Inode, as newName: [UInt8], flags: RenameFlags) async throws(Errno) {
        guard metadata.isDirectory else { throw .ENOTDIR }
        guard let destination = newDirectory as? Ext4Node, destination.volume === volume else { throw .EXDEV }
        guard flags.subtracting(.noReplace).isEmpty else {
            _ = volume.unsupported("rename flags RENAME_EXCHANGE and RENAME_WHITEOUT on ext4")
            throw .EINVAL
        }
        guard newName.count <= 255 else { throw .ENAMETOOLONG }
        let replaced = try? await destination.lookup(newName) as? Ext4Node     // held: freed after the call
        try await volume.change { (op: Ext4Operation) async throws(Errno) in
            try await Ext4Rename(op: op, from: self, to: destination).run(name, as: newName, noReplace: flags.contains(.noReplace))
            if let replaced { op.register(replaced) }
        }
        _ = replaced
    }
}
