import LichenCore

/// The user-reference count of every frame in the allocator's span (one UInt16 each, in RAM carved
/// out at boot). A view: copies share the counts.
struct UserFrameReferences {
    private var counts: UnsafeMutablePointer<UInt16>? = nil
    private var spanBase = FrameNumber(0)

    init() {}
    init(counts: UnsafeMutablePointer<UInt16>, spanBase: FrameNumber) {
        self.counts = counts
        self.spanBase = spanBase
    }

    var isSet: Bool { counts != nil }

    subscript(frame: PhysAddr) -> UInt16 {
        get { counts![Int(frame.frame.value - spanBase.value)] }
        nonmutating set { counts![Int(frame.frame.value - spanBase.value)] = newValue }
    }
}
