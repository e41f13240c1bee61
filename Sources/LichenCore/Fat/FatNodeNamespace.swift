import _Concurrency

/// Creating, removing and renaming entries, as Linux's vfat namei: a long name gets slots and an
/// 8.3 alias, entries go into the first run of free slots (the directory grows by a zeroed
/// cluster when none is long enough; FAT12/16's fixed root cannot: ENOSPC).
extension FatNode {
    func create(_ name: [UInt8], mode: UInt32, owner: InodeOwner) async throws(Errno) -> any Inode {
        try await make(name, directory: false)
    }

    func mkdir(_ name: [UInt8], mode: UInt32, owner: InodeOwner) async throws(Errno) -> any Inode {
        try await make(name, directory: true)
    }

    private func make(_ name: [UInt8], directory: Bool) async throws(Errno) -> any Inode {
        guard isDirectory else { throw .ENOTDIR }
        guard volume.store != nil else { throw .EROFS }
        return try await volume.serialized { () async throws(Errno) -> FatNode in
            guard !snapshot.unlinked else { throw .ENOENT }
            let (list, _) = try await records()
            if find(name, in: list) != nil { throw .EEXIST }
            let t = volume.now
            var entry = FatShortEntry(name: [], attributes: directory ? FatShortEntry.directory : FatShortEntry.archive, created: t)
            if directory {
                let cluster = try volume.table.allocate(1)[0]
                entry.start = cluster
                try await writeDotEntries(cluster, parentStart: isRoot ? 0 : directoryStart, time: t)
            }
            let placed: (offset: Int, firstSlot: Int, entry: FatShortEntry)
            do throws(Errno) {
                placed = try await add(name, entry: entry, records: list)
            } catch {
                if directory { volume.table.free([entry.start][...]) }
                throw error
            }
            try await touchDirectory()
            if directory { state.withLock { $0.subdirectories += 1 } }
            let record = FatDirectoryRecord(name: name, entry: placed.entry, offset: placed.offset, firstSlot: placed.firstSlot)
            return try await child(record)
        }
    }

    private func writeDotEntries(_ cluster: UInt32, parentStart: UInt32, time: Timespec) async throws(Errno) {
        try await volume.zeroCluster(cluster)
        var data = [UInt8](repeating: 0, count: volume.boot.bytesPerSector)
        let dot = FatShortEntry(name: Array(".          ".utf8), attributes: FatShortEntry.directory, start: cluster, created: time)
        let dotdot = FatShortEntry(name: Array("..         ".utf8), attributes: FatShortEntry.directory, start: parentStart, created: time)
        data.replaceSubrange(0..<32, with: dot.encoded(fat32: volume.isFat32))
        data.replaceSubrange(32..<64, with: dotdot.encoded(fat32: volume.isFat32))
        try await volume.write(volume.boot.sector(ofCluster: cluster), data)
    }

    /// Writes `entry` under `name` (its slots and alias made here) and returns where it went.
    func add(_ name: [UInt8], entry: FatShortEntry, records list: [FatDirectoryRecord])
        async throws(Errno) -> (offset: Int, firstSlot: Int, entry: FatShortEntry) {
        let stripped = FatNames.stripped(name)
        guard !stripped.isEmpty else { throw .ENOENT }
        let units = try FatNames.creatable(stripped)
        let alias = try FatNames.shortAlias(units) { candidate in list.contains { $0.entry.name == candidate } }
        var entry = entry
        entry.name = alias.name
        entry.lowerCase = 0
        var bytes: [UInt8] = alias.alone ? [] : FatLongName.slots(units, checksum: FatShortEntry.checksum(alias.name)).flatMap { $0 }
        bytes += entry.encoded(fat32: volume.isFat32)
        var directory = try await volume.readDirectory(directoryStart)
        var at = FatDirectory.freeRun(directory, count: bytes.count / 32)
        while at == nil {
            try await grow()
            directory = try await volume.readDirectory(directoryStart)
            at = FatDirectory.freeRun(directory, count: bytes.count / 32)
        }
        let start = at!
        directory.replaceSubrange(start..<start + bytes.count, with: bytes)
        try await volume.writeDirectory(directoryStart, directory, start..<start + bytes.count)
        return (start + bytes.count - 32, start, entry)
    }

    /// One more zeroed cluster at the end of this directory (ENOSPC for the fixed root, or past
    /// Linux's FAT_MAX_DIR_SIZE of 2 MiB).
    private func grow() async throws(Errno) {
        guard !volume.isFixedRoot(directoryStart) else { throw .ENOSPC }
        var chain = try chain()
        guard (chain.count + 1) * volume.boot.clusterBytes <= FatVolume.maxDirectoryBytes else { throw .ENOSPC }
        let added = try volume.table.allocate(1)[0]
        try await volume.zeroCluster(added)
        if let last = chain.last { volume.table.link(last, to: added) }
        chain.append(added)
        state.withLock { $0.chain = chain }
    }

    /// Marks the entry of `record` and its slots deleted.
    func removeEntries(_ record: FatDirectoryRecord) async throws(Errno) {
        var bytes = try await volume.readDirectory(directoryStart)
        var o = record.firstSlot
        while o <= record.offset {
            bytes[o] = FatShortEntry.deleted
            o += 32
        }
        try await volume.writeDirectory(directoryStart, bytes, record.firstSlot..<record.offset + 32)
    }

    /// Frees a removed file's clusters now, or when the last user of its open inode lets go (a
    /// removed directory is empty: nothing can read its clusters any more).
    func release(_ record: FatDirectoryRecord) throws(Errno) {
        let node = volume.cached(parent: self, offset: record.offset)
        if let node {
            node.state.withLock { $0.unlinked = true; $0.parent = nil }
            volume.forget(node)
        }
        if let node, !record.entry.isDirectory {
            volume.orphans.append(node)
        } else {
            do throws(Errno) { volume.table.free(try volume.table.chain(from: record.entry.start)[...]) } catch {
                throw volume.corrupted("invalid cluster chain")
            }
        }
        volume.reapOrphans()
    }

    func unlink(_ name: [UInt8]) async throws(Errno) {
        guard isDirectory else { throw .ENOTDIR }
        guard volume.store != nil else { throw .EROFS }
        try await volume.serialized { () async throws(Errno) -> Void in
            guard let r = find(name, in: try await records().records) else { throw .ENOENT }
            guard !r.entry.isDirectory else { throw .EISDIR }
            try await removeEntries(r)
            try release(r)
            try await touchDirectory()
        }
    }

    func rmdir(_ name: [UInt8]) async throws(Errno) {
        guard isDirectory else { throw .ENOTDIR }
        guard volume.store != nil else { throw .EROFS }
        try await volume.serialized { () async throws(Errno) -> Void in
            guard let r = find(name, in: try await records().records) else { throw .ENOENT }
            guard r.entry.isDirectory else { throw .ENOTDIR }
            try await checkEmpty(r.entry.start)
            try await removeEntries(r)
            try release(r)
            state.withLock { $0.subdirectories -= 1 }
            try await touchDirectory()
        }
    }

    func checkEmpty(_ start: UInt32) async throws(Errno) {
        let list = FatDirectory.records(try await volume.readDirectory(start))
        if list.contains(where: { !isDot($0.entry.name) }) { throw .ENOTEMPTY }
    }

    /// vfat_rename: RENAME_NOREPLACE only (others EINVAL). The new entry is written before the old
    /// one goes, so the alias avoids the old short name too. A target that is the same file (the
    /// name differs only in case) is left alone, as Linux's VFS does.
    func rename(_ name: [UInt8], to newDirectory: any Inode, as newName: [UInt8], flags: RenameFlags) async throws(Errno) {
        guard flags.subtracting(.noReplace).isEmpty else { throw .EINVAL }
        guard let target = newDirectory as? FatNode, target.volume === volume else { throw .EXDEV }
        guard isDirectory, target.isDirectory else { throw .ENOTDIR }
        guard volume.store != nil else { throw .EROFS }
        try await volume.serialized { () async throws(Errno) -> Void in
            guard let source = find(name, in: try await records().records) else { throw .ENOENT }
            var targetList = try await target.records().records
            if let existing = target.find(newName, in: targetList) {
                if target === self && existing.offset == source.offset { return }
                if flags.contains(.noReplace) { throw .EEXIST }
                if source.entry.isDirectory && !existing.entry.isDirectory { throw .ENOTDIR }
                if !source.entry.isDirectory && existing.entry.isDirectory { throw .EISDIR }
                if existing.entry.isDirectory { try await checkEmpty(existing.entry.start) }
                try await target.removeEntries(existing)
                try target.release(existing)
                if existing.entry.isDirectory { target.state.withLock { $0.subdirectories -= 1 } }
                targetList = try await target.records().records
            }
            let moving = try await child(source)
            if source.entry.isDirectory {
                // Not into itself or below it.
                var d: FatNode? = target
                while let x = d {
                    if x === moving { throw .EINVAL }
                    d = x.state.withLock { $0.parent }
                }
            }
            let placed = try await target.add(newName, entry: moving.entry, records: targetList)
            // Re-read: when both are one directory the add may have grown it.
            let current = try await records().records.first { $0.offset == source.offset } ?? source
            try await removeEntries(current)
            moving.state.withLock { s in
                s.entry = placed.entry
                s.parent = target
                s.offset = placed.offset
                s.firstSlot = placed.firstSlot
            }
            if source.entry.isDirectory && target !== self {
                try await moving.setDotDot(target.isRoot ? 0 : target.directoryStart)
                state.withLock { $0.subdirectories -= 1 }
                target.state.withLock { $0.subdirectories += 1 }
            }
            try await touchDirectory()
            if target !== self { try await target.touchDirectory() }
        }
    }

    /// Points a moved directory's ".." at its new parent.
    func setDotDot(_ start: UInt32) async throws(Errno) {
        var bytes = try await volume.readDirectory(directoryStart)
        guard let r = FatDirectory.records(bytes).first(where: { $0.entry.name == Array("..         ".utf8) }) else { return }
        var e = r.entry
        e.start = start
        bytes.replaceSubrange(r.offset..<r.offset + 32, with: e.encoded(fat32: volume.isFat32))
        try await volume.writeDirectory(directoryStart, bytes, r.offset..<r.offset + 32)
    }
}
