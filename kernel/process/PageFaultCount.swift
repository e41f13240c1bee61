import Synchronization

/// Page faults taken in user mode since boot, in all processes (/proc/vmstat's pgfault). Faults the
/// kernel resolves while copying to or from user memory are not counted (as in stat's minflt).
enum PageFaultCount {
    static let total = Atomic<UInt64>(0)

    static func count() { total.wrappingAdd(1, ordering: .relaxed) }
}
