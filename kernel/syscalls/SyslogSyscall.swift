import LichenCore

/// syslog(2) (klogctl, what dmesg uses) over the kernel log's ring buffer. The superuser only
/// (Debian's kernel.dmesg_restrict=1). SYSLOG_ACTION_READ returns what is unread without waiting.
enum SyslogSyscall {
    static func syslog(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let action = a.int32(0), buffer = a.address(1), length = a.int32(2)
        guard (0...10).contains(action) else { throw .EINVAL }
        guard a.process.credentials.euid == 0 else { throw .EPERM }   // CAP_SYSLOG
        switch action {
        case 0, 1: return 0                                    // close, open
        case 2, 3, 4:                                          // read, read all, read and clear
            guard buffer.value != 0, length >= 0 else { throw .EINVAL }
            if length == 0 { return 0 }
            let text = KernelLog.syslogText(fromLastRead: action == 2)
            // Read-all gives the newest `length` bytes; a consuming read the oldest unread ones.
            let part = action == 2 ? Array(text.prefix(Int(length))) : Array(text.suffix(Int(length)))
            try a.user.store(bytes: part, to: buffer)
            if action == 2 { KernelLog.markRead() }
            if action == 4 { KernelLog.clear() }
            return UInt64(part.count)
        case 5: KernelLog.clear(); return 0                   // clear
        case 6: KernelLog.consoleLevel = 1; return 0          // console off: emergencies only
        case 7: KernelLog.consoleLevel = 7; return 0          // console on
        case 8:                                                // console level
            guard (1...8).contains(length) else { throw .EINVAL }
            KernelLog.consoleLevel = Int(length)
            return 0
        case 9: return UInt64(KernelLog.syslogText(fromLastRead: true).count)   // unread bytes
        default: return UInt64(KernelLog.ringCapacity)        // 10: buffer size
        }
    }
}
