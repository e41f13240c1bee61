import _Concurrency

/// rename(2) on ext4 within one transaction (Linux's ext4_rename): the new name replaces a
/// compatible target (a file a file, a directory an empty directory), a directory moving to
/// another parent has its ".." pointed there and both parents' link counts follow.
struct Ext4Rename {
    let op: Ext4Operation
    let from: Ext4Node
    let to: Ext4Node

    func run(_ name: [UInt8], as newName: [UInt8], noReplace: Bool) async throws(Errno) {
        let same = from.ino == to.ino
        var source = try await op.inode(from.ino)
        var destination = same ? source : try await op.inode(to.ino)
        guard let entry = try await op.find(name, in: from.ino, source) else { throw .ENOENT }
        guard destination.nlink > 0 else { throw .ENOENT }
        var moved = try await op.inode(entry.ino)
        let movingDirectory = FileType(mode: moved.mode) == .directory
        let existing = try await op.find(newName, in: to.ino, destination)
        var replacedIsDirectory = false
        if let existing {
            if existing.ino == entry.ino { return }           // two names of one inode: nothing to do
            if noReplace { throw .EEXIST }
            let target = try await op.inode(existing.ino)
            let targetIsDirectory = FileType(mode: target.mode) == .directory
            replacedIsDirectory = targetIsDirectory
            if movingDirectory {
                guard targetIsDirectory else { throw .ENOTDIR }
                guard try await op.isEmpty(existing.ino, target) else { throw .ENOTEMPTY }
            } else if targetIsDirectory {
                throw .EISDIR
            }
        }
        if movingDirectory && !same { try await checkNotAncestor(entry.ino) }

        // The new name first (a retargeted record, or a new one), then the old name goes.
        if let existing {
            try await op.retarget(existing, ino: entry.ino, type: FileType(mode: moved.mode), in: to.ino, &destination)
        } else {
            if movingDirectory && !same { try op.addDirectoryLink(&destination) }
            try await op.add(newName, ino: entry.ino, type: FileType(mode: moved.mode), to: to.ino, &destination)
        }
        if same { source = destination }
        guard let old = try await op.find(name, in: from.ino, source) else { throw .ENOENT }
        try await op.remove(old, from: from.ino, &source)
        if same { destination = source }

        if movingDirectory {
            if !same {
                guard let dotdot = try await op.find([0x2e, 0x2e], in: entry.ino, moved) else {
                    throw op.volume.corrupted(.EUCLEAN, "directory without ..", ino: entry.ino)
                }
                try await op.retarget(dotdot, ino: to.ino, type: .directory, in: entry.ino, &moved, touch: false)
                op.dropDirectoryLink(&source)
            }
            if existing != nil { op.dropDirectoryLink(&destination) }   // the replaced directory's ".." is gone
        }
        moved.setTime(Ext4InodeImage.ctime, op.now)
        try await op.put(entry.ino, &moved)
        if same {
            try await op.put(from.ino, &source)
        } else {
            try await op.put(from.ino, &source)
            try await op.put(to.ino, &destination)
        }
        op.register(from)
        op.register(to)
        if let existing { try await op.dropLink(existing.ino, directory: replacedIsDirectory) }
    }

    /// EINVAL when the directory `ino` would move below itself (the destination is inside it).
    private func checkNotAncestor(_ ino: UInt32) async throws(Errno) {
        var current = to.ino
        var steps = 0
        while current != 2 {
            if current == ino { throw .EINVAL }
            let image = try await op.inode(current)
            guard let parent = try await op.find([0x2e, 0x2e], in: current, image), steps < 65536 else {
                throw op.volume.corrupted(.EUCLEAN, "directory without ..", ino: current)
            }
            current = parent.ino
            steps += 1
        }
        if ino == 2 { throw .EINVAL }
    }
}
