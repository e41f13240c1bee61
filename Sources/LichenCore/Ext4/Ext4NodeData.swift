import _Concurrency

/// File data and attributes on a read-write mount: write (extending files, filling holes and
/// uninitialized extents, allocating runs near the previous extent), truncate and the other
/// setattr changes (mode, owner, ns timestamps). Data blocks go to the store before the metadata
/// that points at them is committed (ordered mode).
extension Ext4Node {
    func writeData(at offset: Int64, from buffer: UnsafeRawBufferPointer, append: Bool) async throws(Errno) -> (count: Int, end: Int64) {
        guard metadata.isRegular else { throw metadata.isDirectory ? .EISDIR : .EINVAL }
        guard volume.writer != nil else { throw .EROFS }
        if raw.flags & (Ext4RawInode.flagInlineData | Ext4RawInode.flagEncrypt) != 0 {
            throw volume.unsupported("inline or encrypted file data")
        }
        return try await volume.change { (op: Ext4Operation) async throws(Errno) -> (count: Int, end: Int64) in
            op.register(self)
            var image = try await op.inode(self.ino)
            let start = append ? image.size : offset
            guard start >= 0 else { throw .EINVAL }
            if buffer.isEmpty { return (0, start) }
            let maxBytes = op.maxBytes(image)
            guard start < maxBytes else { throw .EFBIG }
            let total = Int(min(Int64(buffer.count), maxBytes - start))
            var list = try await op.extents(self.ino, image)
            let bs = op.sb.blockSize
            var fresh: Range<UInt64> = 0..<0          // blocks allocated by this write: their old contents are garbage
            var done = 0
            while done < total {
                let position = start + Int64(done)
                let logical = UInt32(position / Int64(bs)), within = Int(position % Int64(bs))
                let n = min(total - done, bs - within)
                let physical: UInt64
                var data: [UInt8]? = nil
                if let e = list.find(logical) {
                    physical = e.physical + UInt64(logical - e.logical)
                    if e.uninitialized {
                        list.map(logical, to: physical, count: 1)
                    } else if n < bs && !fresh.contains(physical) {
                        data = try await op.tx.store.block(physical)
                    }
                } else {
                    let end = UInt64((start + Int64(total) + Int64(bs) - 1) / Int64(bs))
                    var want = end - UInt64(logical)
                    for e in list.extents where e.logical > logical { want = min(want, UInt64(e.logical - logical)); break }
                    let run: (start: UInt64, count: Int)
                    do throws(Errno) {
                        run = try await op.alloc.allocateBlocks(goal: list.goal(before: logical) ?? op.groupGoal(self.ino),
                                                                count: Int(min(want, UInt64(Ext4ExtentList.maxInitialized))))
                    } catch {
                        if error == .ENOSPC && done > 0 { break }        // a short write, as Linux
                        throw error
                    }
                    list.map(logical, to: run.start, count: run.count)
                    fresh = run.start..<run.start + UInt64(run.count)
                    physical = run.start
                }
                var block = data ?? [UInt8](repeating: 0, count: bs)
                block.withUnsafeMutableBytes { b in
                    UnsafeMutableRawBufferPointer(rebasing: b[within..<within + n])
                        .copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[done..<done + n]))
                }
                try await op.tx.store.write(physical, block)
                done += n
            }
            let end = start + Int64(done)
            if end > image.size { image.size = end }
            try await op.storeExtents(self.ino, &image, &list)
            image.touch(op.now)
            try await op.put(self.ino, &image)
            return (done, end)
        }
    }

    func setattrData(_ changes: AttributeChanges) async throws(Errno) {
        if changes.size != nil {
            guard metadata.isRegular else { throw metadata.isDirectory ? .EISDIR : .EINVAL }
        }
        try await volume.change { (op: Ext4Operation) async throws(Errno) in
            op.register(self)
            var image = try await op.inode(self.ino)
            var changed = false
            if let size = changes.size {
                if size != image.size {
                    try await op.resize(self.ino, &image, to: size)
                }
                image.setTime(Ext4InodeImage.mtime, op.now)
                changed = true
            }
            if let mode = changes.mode {
                image.mode = (image.mode & FileMode.S_IFMT) | (mode & 0o7777)
                changed = true
            }
            if let uid = changes.uid { image.uid = uid; changed = true }
            if let gid = changes.gid { image.gid = gid; changed = true }
            switch changes.atime {
            case .none: break
            case .now: image.setTime(Ext4InodeImage.atime, op.now); changed = true
            case .time(let t): image.setTime(Ext4InodeImage.atime, t); changed = true
            }
            switch changes.mtime {
            case .none: break
            case .now: image.setTime(Ext4InodeImage.mtime, op.now); changed = true
            case .time(let t): image.setTime(Ext4InodeImage.mtime, t); changed = true
            }
            if changed { image.setTime(Ext4InodeImage.ctime, op.now) }
            try await op.put(self.ino, &image)
        }
    }
}
