import LichenCore

/// Routes interrupts from the controller to the handlers drivers registered. Handlers run with IRQs
/// masked and must not allocate or sleep (later: they wake tasks).
enum Interrupts {
    nonisolated(unsafe) static var controller: (any InterruptController)? = nil
    nonisolated(unsafe) private static var handlers: [(id: InterruptID, handler: () -> Void)] = []
    nonisolated(unsafe) private(set) static var handled = 0
    nonisolated(unsafe) private(set) static var unhandled = 0

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
                handled += 1
            } else {
                unhandled += 1
                controller.disable(id)
                KernelLog.warning("irq: no handler for interrupt " + Format.decimal(UInt64(id.value)) + ", disabled")
            }
            controller.endOfInterrupt(id)
        }
    }
}
