import LichenCore

/// Bytes received from the console by the UART interrupt, waiting to be read (a TTY later).
enum ConsoleInput {
    private static let capacity = 256
    nonisolated(unsafe) private static var buffer = [UInt8](repeating: 0, count: capacity)
    nonisolated(unsafe) private static var head = 0
    nonisolated(unsafe) private static var tail = 0
    nonisolated(unsafe) private(set) static var dropped = 0

    /// From the interrupt handler: no allocation (the buffer exists before IRQs are on).
    static func received(_ byte: UInt8) {
        if head - tail == capacity { dropped += 1; return }
        buffer[head % capacity] = byte
        head += 1
    }

    static func take() -> UInt8? {
        CPU.withInterruptsDisabled {
            guard tail != head else { return nil }
            defer { tail += 1 }
            return buffer[tail % capacity]
        }
    }

    /// Waits (in WFI) for the next byte.
    static func next() -> UInt8 {
        CPU.sleep(until: { tail != head })
        return take()!
    }

    /// Forces the buffer into existence before interrupts can touch it.
    static func prepare() { _ = buffer.count }
}
