/// F_GETPIPE_SZ / F_SETPIPE_SZ (Linux's pipe_set_size): a pipe's capacity is a power-of-two number
/// of pages, at least one; an unprivileged caller may not grow it past pipe-max-size.
extension Pipe {
    public static let pageSize = 4096
    /// /proc/sys/fs/pipe-max-size (read-only here).
    public static let maximumUnprivilegedSize = 1_048_576
    /// How far the superuser may go: Linux allows up to 2 GiB where memory permits; Lichen holds the
    /// whole ring in one kernel heap run (at most 4 MiB, its header included), so larger requests
    /// are ENOMEM. (16 MiB trapped the heap: found by sysfuzz seed 12.)
    public static let maximumSize = 2 * 1_048_576

    /// F_GETPIPE_SZ.
    public var capacity: Int { state.value.capacity }

    /// Linux's round_pipe_size: nil (EINVAL) above 2 GiB. `requested` is the fcntl argument as an
    /// unsigned int, as Linux reads it.
    public static func roundedSize(_ requested: UInt32) -> Int? {
        guard requested <= 1 << 31 else { return nil }
        var size = pageSize
        while size < Int(requested) { size <<= 1 }
        return size
    }

    /// F_SETPIPE_SZ: the new capacity. EPERM when an unprivileged caller (no CAP_SYS_RESOURCE) grows
    /// it past pipe-max-size; EBUSY when what the pipe holds would not fit.
    /// `hasRoom(bytes)`: whether the kernel can allocate a ring that large now (ENOMEM if not).
    public func setCapacity(_ requested: UInt32, privileged: Bool, hasRoom: (Int) -> Bool = { _ in true }) throws(Errno) -> Int {
        guard let size = Pipe.roundedSize(requested) else { throw .EINVAL }
        let current = capacity
        if size > current && size > Pipe.maximumUnprivilegedSize && !privileged { throw .EPERM }
        if size > current && (size > Pipe.maximumSize || !hasRoom(size)) { throw .ENOMEM }
        // Writers waiting for room re-check (update wakes them).
        guard state.update({ $0.resize(to: size) }) else { throw .EBUSY }
        return size
    }
}
