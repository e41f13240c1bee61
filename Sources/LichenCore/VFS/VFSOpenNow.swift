extension OpenFlags {
    /// The flags an instant open handles (`VFS.openNow`): none that creates, truncates, needs a
    /// directory, a path-only handle or a driver's open.
    public static let instantOpen: OpenFlags = [.O_WRONLY, .O_RDWR, .O_NOCTTY, .O_NONBLOCK, .O_LARGEFILE, .O_CLOEXEC,
                                                .O_APPEND, .O_NOFOLLOW]
}

extension VFS {
    /// `open(location)` when nothing in it can sleep: an existing regular file whose data the
    /// filesystem keeps itself (no file operations), with `instantOpen` flags only. Nil otherwise
    /// and on any failure (`open` then reports it): the same checks, in the same order, as `open`.
    /// `metadata`: the walk's snapshot of the file's. While any inotify watch exists the open goes
    /// to `open`, which reports IN_OPEN (finding the watched parent's name needs an async walk).
    public func openNow(_ location: Location, metadata: InodeMetadata, flags: OpenFlags, context: FSContext) -> OpenFile? {
        openNow(location, metadata: metadata, flags: flags, credentials: context.credentials)
    }

    /// `openNow` with only the caller's credentials (all it checks).
    public func openNow(_ location: Location, metadata: InodeMetadata, flags: OpenFlags, credentials: Credentials) -> OpenFile? {
        guard !FsNotify.shared.isActive else { return nil }
        guard flags.isSubset(of: .instantOpen), flags.accessMode != .O_ACCMODE else { return nil }
        guard metadata.isRegular, location.inode.fileOperations == nil else { return nil }
        if flags.allowsWrite, (try? location.mount.checkWritable()) == nil { return nil }
        var access: Access = []
        if flags.allowsRead { access.insert(.read) }
        if flags.allowsWrite { access.insert(.write) }
        guard credentials.permits(access, metadata) else { return nil }
        if flags.allowsWrite {
            guard (try? WriteAccess.beginWriting(location.inode)) != nil else { return nil }   // `open` says ETXTBSY
        }
        let file = OpenFile(location: location, flags: flags, operations: nil)
        file.holdsWriteAccess = flags.allowsWrite
        return file
    }
}
