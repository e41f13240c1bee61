import _Concurrency

/// openat2's RESOLVE_* rules inside a walk (`PathResolver.restrictions`), in Linux's errno terms:
/// EXDEV for leaving the start directory or crossing a mount, ELOOP for a forbidden link.
extension PathResolver {
    /// An absolute path (or absolute symlink target) jumps to the root: never below a RESOLVE_BENEATH start.
    func checkAbsolute(_ path: PathName) throws(Errno) {
        if path.isAbsolute && restrictions.contains(.beneath) { throw .EXDEV }
    }

    /// Before following the link `link`: RESOLVE_NO_SYMLINKS refuses every link, and a magic link
    /// (`jump`) is refused by RESOLVE_NO_MAGICLINKS (ELOOP), by a mount change under
    /// RESOLVE_NO_XDEV and by the scoped lookups (EXDEV).
    func checkFollow(_ link: Location, jump: Location?) throws(Errno) {
        if restrictions.contains(.noSymlinks) { throw .ELOOP }
        guard let jump else { return }
        if restrictions.contains(.noMagicLinks) { throw .ELOOP }
        if restrictions.contains(.noXdev) && jump.mount !== link.mount { throw .EXDEV }
        if restrictions.isScoped { throw .EXDEV }
    }

    /// A step into `to` from `from`: RESOLVE_NO_XDEV refuses a change of mount.
    func checkCrossing(from: Location, to: Location) throws(Errno) {
        if restrictions.contains(.noXdev) && from.mount !== to.mount { throw .EXDEV }
    }

    /// "..": at the start directory of a RESOLVE_BENEATH walk it would escape (EXDEV); RESOLVE_IN_ROOT
    /// stays there like at the root (the walk's root is the start directory).
    func restrictedParent(of location: Location) async throws(Errno) -> Location {
        if location == context.root && restrictions.contains(.beneath) { throw .EXDEV }
        let up = try await parent(of: location)
        try checkCrossing(from: location, to: up)
        return up
    }
}
