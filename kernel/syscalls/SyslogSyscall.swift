import LichenCore

/// syslog(2) (klogctl, what dmesg uses) over the kernel log's ring buffer. The superuser only
/// (Debian's kernel.dmesg_restrict=1). SYSLOG_ACTION_READ returns what is unread without waiting.
enum SyslogSyscall {
    static let SYSLOG_ACTION_CLOSE: Int32 = 0, SYSLOG_ACTION_OPEN: Int32 = 1
    static let SYSLOG_ACTION_READ: Int32 = 2, SYSLOG_ACTION_READ_ALL: Int32 = 3, SYSLOG_ACTION_READ_CLEAR: Int32 = 4
    static let SYSLOG_ACTION_CLEAR: Int32 = 5
    static let SYSLOG_ACTION_CONSOLE_OFF: Int32 = 6, SYSLOG_ACTION_CONSOLE_ON: Int32 = 7, SYSLOG_ACTION_CONSOLE_LEVEL: Int32 = 8
    static let SYSLOG_ACTION_SIZE_UNREAD: Int32 = 9, SYSLOG_ACTION_SIZE_BUFFER: Int32 = 10

    static func syslog(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let action = a.int32(0), buffer = a.address(1), length = a.int32(2)
        // An unknown action is EINVAL even for the unprivileged.
        guard (SYSLOG_ACTION_CLOSE...SYSLOG_ACTION_SIZE_BUFFER).contains(action) else { throw .EINVAL }
        guard a.credentials.has(.CAP_SYSLOG) || a.credentials.has(.CAP_SYS_ADMIN) else { throw .EPERM }
        switch action {
        case SYSLOG_ACTION_CLOSE, SYSLOG_ACTION_OPEN: return 0
        case SYSLOG_ACTION_READ, SYSLOG_ACTION_READ_ALL, SYSLOG_ACTION_READ_CLEAR:
            guard buffer.value != 0, length >= 0 else { throw .EINVAL }
            if length == 0 { return 0 }
            let consuming = action == SYSLOG_ACTION_READ
            let text = KernelLog.syslogText(fromLastRead: consuming)
            // Read-all gives the newest `length` bytes; a consuming read the oldest unread ones.
            let part = consuming ? Array(text.prefix(Int(length))) : Array(text.suffix(Int(length)))
            try a.user.store(bytes: part, to: buffer)
            if consuming { KernelLog.markRead() }
            if action == SYSLOG_ACTION_READ_CLEAR { KernelLog.clear() }
            return UInt64(part.count)
        case SYSLOG_ACTION_CLEAR: KernelLog.clear(); return 0
        case SYSLOG_ACTION_CONSOLE_OFF: KernelLog.consoleLevel = 1; return 0   // emergencies only
        case SYSLOG_ACTION_CONSOLE_ON: KernelLog.consoleLevel = 7; return 0
        case SYSLOG_ACTION_CONSOLE_LEVEL:
            guard (1...8).contains(length) else { throw .EINVAL }
            KernelLog.consoleLevel = Int(length)
            return 0
        case SYSLOG_ACTION_SIZE_UNREAD: return UInt64(KernelLog.syslogText(fromLastRead: true).count)
        case SYSLOG_ACTION_SIZE_BUFFER: return UInt64(KernelLog.ringCapacity)
        default: throw .EINVAL                                 // excluded above
        }
    }
}
