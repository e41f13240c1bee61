/// The pipes of named FIFOs, by inode: every open of the same FIFO shares one pipe while any end
/// is open; when the last end closes the pipe (and any unread data) goes away, as on Linux.
public final class FifoTable: @unchecked Sendable {
    private let lock = RawSpinLock()
    private var entries: [(inode: any Inode, pipe: Pipe)] = []   // guarded by lock

    public init() {}

    /// The FIFO's pipe with the ends of an open in `mode` counted (under the table's lock, so the
    /// pipe cannot be forgotten between lookup and count). The open file's release gives them back.
    public func open(_ inode: any Inode, mode: OpenFlags) -> Pipe {
        lock.withLock {
            let pipe: Pipe
            if let entry = entries.first(where: { $0.inode === inode }) {
                pipe = entry.pipe
            } else {
                pipe = Pipe(fifo: true)
                pipe.onLastClose = { p in self.forget(p) }   // the cycle ends when the entry goes
                entries.append((inode, pipe))
            }
            pipe.state.update { $0.openEnd(read: mode.allowsRead, write: mode.allowsWrite) }
            return pipe
        }
    }

    private func forget(_ pipe: Pipe) {
        lock.withLock {
            let s = pipe.state.value
            guard s.readers == 0 && s.writers == 0 else { return }   // reopened meanwhile
            entries.removeAll { $0.pipe === pipe }
        }
    }

    /// FIFOs with a pipe now (tests).
    public var count: Int { lock.withLock { entries.count } }
}
