/// Shared or exclusive: what a record lock (F_RDLCK/F_WRLCK) or a lease (F_RDLCK/F_WRLCK) holds.
public enum LockKind: Equatable, Sendable {
    case read, write
}
