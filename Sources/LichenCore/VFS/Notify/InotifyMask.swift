/// The bits of inotify(7): event kinds, the flags inotify_add_watch takes, and the ones reads report.
public enum InotifyMask {
    public static let IN_ACCESS: UInt32 = 0x1, IN_MODIFY: UInt32 = 0x2, IN_ATTRIB: UInt32 = 0x4
    public static let IN_CLOSE_WRITE: UInt32 = 0x8, IN_CLOSE_NOWRITE: UInt32 = 0x10, IN_OPEN: UInt32 = 0x20
    public static let IN_MOVED_FROM: UInt32 = 0x40, IN_MOVED_TO: UInt32 = 0x80, IN_CREATE: UInt32 = 0x100
    public static let IN_DELETE: UInt32 = 0x200, IN_DELETE_SELF: UInt32 = 0x400, IN_MOVE_SELF: UInt32 = 0x800
    public static let IN_UNMOUNT: UInt32 = 0x2000, IN_Q_OVERFLOW: UInt32 = 0x4000, IN_IGNORED: UInt32 = 0x8000
    public static let IN_ONLYDIR: UInt32 = 0x0100_0000, IN_DONT_FOLLOW: UInt32 = 0x0200_0000
    public static let IN_EXCL_UNLINK: UInt32 = 0x0400_0000, IN_MASK_CREATE: UInt32 = 0x1000_0000
    public static let IN_MASK_ADD: UInt32 = 0x2000_0000, IN_ISDIR: UInt32 = 0x4000_0000, IN_ONESHOT: UInt32 = 0x8000_0000
    public static let IN_ALL_EVENTS: UInt32 = 0xfff
    /// Linux's ALL_INOTIFY_BITS: a mask with none of these is EINVAL.
    public static let allBits: UInt32 = IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED | IN_ONLYDIR
        | IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_ADD | IN_MASK_CREATE | IN_ISDIR | IN_ONESHOT
    /// What a watch keeps of add_watch's mask (the events and the flags that matter after the call).
    public static let kept: UInt32 = IN_ALL_EVENTS | IN_EXCL_UNLINK | IN_ONESHOT
    /// The events a directory's watch also sees for its children (with the child's name).
    public static let onChild: UInt32 = IN_ACCESS | IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE | IN_OPEN
}
