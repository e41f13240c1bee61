import LichenCore
import Synchronization

/// Routes interrupts from the controller to the handlers drivers registered. Handlers run with IRQs
/// masked and must not allocate or sleep (later: they wake tasks).
enum Interrupts {
    nonisolated(unsafe) static var controller: (any InterruptController)? = nil
    nonisolated(unsafe) private static var handlers: [(id: InterruptID, handler: () -> Void)] = []
    /// Counted by the handlers of every CPU at once: masked interrupts keep out only this CPU's.
    private static let handledCount = Atomic<Int>(0)
    private static let unhandledCount = Atomic<Int>(0)
    static var handled: Int { handledCount.load(ordering: .relaxed) }
    static var unhandled: Int { unhandledCount.load(ordering: .relaxed) }

    static func register(_ id: InterruptID, _ handler: @escaping () -> Void) {
        handlers.append((id, handler))
        controller?.enable(id)
    }

    /// Called from the IRQ exception vector.
    static func dispatch() {
        guard let controller else { return }
        while let id = controller.acknowledge() {
            if let entry = handlers.first(where: { $0.id == id }) {
                entry.handler()
                handledCount.wrappingAdd(1, ordering: .relaxed)
            } else {
                unhandledCount.wrappingAdd(1, ordering: .relaxed)
                controller.disable(id)
                KernelLog.warning("irq: no handler for interrupt " + Format.decimal(UInt64(id.value)) + ", disabled")
            }
            controller.endOfInterrupt(id)
        }
    }
}
