import LichenCore
import LichenAsyncRuntime
import _Concurrency

/// Bytes received from the console by the UART interrupt, waiting to be read (a TTY later).
enum ConsoleInput {
    private static let capacity = 256
    nonisolated(unsafe) private static var buffer = [UInt8](repeating: 0, count: capacity)
    nonisolated(unsafe) private static var head = 0
    nonisolated(unsafe) private static var tail = 0
    nonisolated(unsafe) private(set) static var dropped = 0
    /// The task waiting for input (one reader: the console), resumed by the interrupt handler.
    nonisolated(unsafe) private static var reader: UnsafeContinuation<Void, Never>? = nil
    /// The UART interrupt may arrive on another CPU than the reader's.
    nonisolated(unsafe) private static var lock = LichenSpinLock()

    /// From the interrupt handler: no allocation (the buffer exists before IRQs are on).
    static func received(_ byte: UInt8) {
        let daif = lichen_spin_lock_irqsave(&lock)
        if head - tail == capacity {
            dropped += 1
        } else {
            buffer[head % capacity] = byte
            head += 1
        }
        let waiting = reader
        reader = nil
        lichen_spin_unlock_irqrestore(&lock, daif)
        waiting?.resume()
    }

    static func take() -> UInt8? {
        let daif = lichen_spin_lock_irqsave(&lock)
        defer { lichen_spin_unlock_irqrestore(&lock, daif) }
        guard tail != head else { return nil }
        defer { tail += 1 }
        return buffer[tail % capacity]
    }

    /// Suspends the calling task until a byte arrives (the executor runs other tasks meanwhile).
    static func next() async -> UInt8 {
        while true {
            if let byte = take() { return byte }
            await withUnsafeContinuation { (c: UnsafeContinuation<Void, Never>) in
                let daif = lichen_spin_lock_irqsave(&lock)
                let ready = tail != head
                if !ready { reader = c }
                lichen_spin_unlock_irqrestore(&lock, daif)
                if ready { c.resume() }
            }
        }
    }

    /// Forces the buffer into existence before interrupts can touch it.
    static func prepare() { _ = buffer.count }
}
