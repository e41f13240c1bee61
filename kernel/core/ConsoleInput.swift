import LichenCore
import LichenAsyncRuntime
import _Concurrency

/// Bytes received from the console by the UART interrupt, waiting for the TTY task (or the boot
/// monitor). Nothing is dropped: when the ring is full the UART's receive interrupt is masked, the
/// bytes wait in its FIFO and the sender (qemu's chardev, a flow-controlled line) is held back until
/// a reader has made room.
enum ConsoleInput {
    private static let capacity = 4096
    nonisolated(unsafe) private static var buffer = [UInt8](repeating: 0, count: capacity)
    nonisolated(unsafe) private static var head = 0
    nonisolated(unsafe) private static var tail = 0
    /// The receive interrupt is masked because the ring was full.
    nonisolated(unsafe) private static var throttled = false
    /// The task waiting for input (one reader: the console), resumed by the interrupt handler.
    nonisolated(unsafe) private static var reader: UnsafeContinuation<Void, Never>? = nil
    /// The UART interrupt may arrive on another CPU than the reader's.
    nonisolated(unsafe) private static var lock = LichenSpinLock()

    /// Bytes the UART itself lost (receive overruns): none while we keep up or throttle in time.
    static var dropped: Int { KernelLog.console?.overruns ?? 0 }

    /// The UART interrupt handler: takes what the FIFO holds while there is room. No allocation (the
    /// buffer exists before IRQs are on).
    static func interrupt(_ port: any SerialPort) {
        let daif = lichen_spin_lock_irqsave(&lock)
        let before = head
        if head - tail == capacity {
            throttled = true                                   // cannot happen: masked when it filled
        } else {
            port.drainReceived { byte in
                buffer[head % capacity] = byte
                head += 1
                if head - tail < capacity { return true }
                throttled = true
                return false
            }
        }
        let waiting = head != before ? reader : nil
        if waiting != nil { reader = nil }
        lichen_spin_unlock_irqrestore(&lock, daif)
        waiting?.resume()
    }

    /// Moves up to `into.count` waiting bytes out; unmasks the UART once half the ring is free again.
    static func take(into out: inout [UInt8], max: Int) {
        let daif = lichen_spin_lock_irqsave(&lock)
        let n = Swift.min(max, head - tail)
        for _ in 0..<n {
            out.append(buffer[tail % capacity])
            tail += 1
        }
        if throttled && head - tail <= capacity / 2 {
            throttled = false
            KernelLog.console?.resumeReceiving()
        }
        lichen_spin_unlock_irqrestore(&lock, daif)
    }

    static func take() -> UInt8? {
        var one: [UInt8] = []
        take(into: &one, max: 1)
        return one.first
    }

    /// Suspends the calling task until input is waiting (the executor runs other tasks meanwhile).
    static func waitForInput() async {
        await withUnsafeContinuation { (c: UnsafeContinuation<Void, Never>) in
            let daif = lichen_spin_lock_irqsave(&lock)
            let ready = tail != head
            if !ready { reader = c }
            lichen_spin_unlock_irqrestore(&lock, daif)
            if ready { c.resume() }
        }
    }

    /// The next byte, waiting for it if need be.
    static func next() async -> UInt8 {
        while true {
            if let byte = take() { return byte }
            await waitForInput()
        }
    }

    /// Forces the buffer into existence before interrupts can touch it.
    static func prepare() { _ = buffer.count }
}
