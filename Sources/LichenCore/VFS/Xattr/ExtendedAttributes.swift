/// An inode's extended attributes as its filesystem stores them (the filesystem side of Linux's
/// xattr handlers). The VFS (Xattrs) has checked the caller's permissions and the name's
/// namespace rules; the filesystem answers for its handlers (`handlers.resolve`), its storage
/// and ctime.
public protocol ExtendedAttributes: AnyObject, Sendable {
    /// The names it has handlers for.
    var xattrHandlers: XattrHandlers { get }
    /// The stored value: ENODATA when absent.
    func xattrValue(_ name: [UInt8]) async throws(Errno) -> [UInt8]
    /// Every stored name, in the filesystem's order.
    func xattrNames() async throws(Errno) -> [[UInt8]]
    /// Sets (nil: removes, as XATTR_REPLACE) `name`, and stamps ctime on success.
    func setXattr(_ name: [UInt8], value: [UInt8]?, flags: XattrSetFlags) async throws(Errno)
}
