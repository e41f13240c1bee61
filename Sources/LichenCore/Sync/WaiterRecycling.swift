/// Where finished waits leave their `Waiter` for the next wait, so that a task that blocks and is
/// woken in a loop (pipe ping-pong) does not allocate and free one per sleep. The kernel keeps a few
/// per CPU (async code runs on one CPU between awaits, and interrupt handlers never wait, so the
/// keep needs no lock); without hooks (host tests) every wait allocates its own.
///
/// The pointers are +1 references (`Unmanaged<Waiter>`): `take` hands one over (nil if none is
/// kept), `keep` takes one and returns false, keeping nothing, when it is full.
public enum WaiterRecycling {
    nonisolated(unsafe) public static var take: (@convention(c) () -> UnsafeMutableRawPointer?)? = nil
    nonisolated(unsafe) public static var keep: (@convention(c) (UnsafeMutableRawPointer) -> Bool)? = nil
}
