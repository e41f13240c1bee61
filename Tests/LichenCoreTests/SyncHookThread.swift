#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The thread a Sync test installed the global lock hooks on. Other suites run in parallel and
/// take spinlocks too; the hooks (C function pointers, which cannot capture) count and answer
/// only for this thread, so those locks neither skew the counts nor see a fake CPU number.
enum SyncHookThread {
    private static let owner = Atomic<UInt>(0)

    /// Makes the calling thread the one the hooks act for.
    static func claim() { owner.store(current, ordering: .releasing) }
    /// Hooks act for no thread.
    static func release() { owner.store(0, ordering: .releasing) }
    /// Whether the caller is the claiming thread.
    static var isCurrent: Bool { owner.load(ordering: .acquiring) == current }

    private static var current: UInt {
        #if canImport(Darwin)
        UInt(bitPattern: pthread_self())
        #else
        UInt(pthread_self())
        #endif
    }
}
