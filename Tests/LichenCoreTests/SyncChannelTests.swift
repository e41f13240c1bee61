import Synchronization
import Testing
@testable import LichenCore

extension SyncTests {
    @Suite struct ChannelTests {
        @Test func preservesOrder() async throws {
            let channel = Channel<Int>(capacity: 4)
            let count = 2_000
            async let sender: Void = {
                for i in 0..<count { try await channel.send(i) }
                channel.close()
            }()
            var received: [Int] = []
            while let v = try await channel.receive() { received.append(v) }
            try await sender
            #expect(received == Array(0..<count))
        }

        /// A full channel makes the sender sleep until a receive makes room.
        @Test func backpressure() async throws {
            let channel = Channel<Int>(capacity: 2)
            try await channel.send(1)
            try await channel.send(2)
            #expect(channel.trySend(3) == .full)
            let sent = Flag()
            let sender = Task { () -> Bool in
                guard await sendError(channel, 3) == nil else { return false }
                sent.set()
                return true
            }
            await eventually { channel.waitingSenders == 1 }
            #expect(!sent.isSet)
            #expect(try await channel.receive() == 1)
            #expect(await sender.value)
            #expect(try await channel.receive() == 2)
            #expect(try await channel.receive() == 3)
            #expect(channel.tryReceive() == nil)  // empty, not closed
        }

        /// close(): waiting receivers get nil, buffered elements are still delivered first,
        /// waiting and later senders fail with .closed.
        @Test func closeWakesEveryone() async throws {
            let empty = Channel<Int>(capacity: 1)
            let receiver = Task { await ended { () throws(WaitError) -> Int? in try await empty.receive() } }
            await eventually { empty.waitingReceivers == 1 }
            empty.close()
            #expect(await receiver.value == .value(nil))

            let full = Channel<Int>(capacity: 1)
            try await full.send(7)
            let sender = Task { await sendError(full, 8) }
            await eventually { full.waitingSenders == 1 }
            full.close()
            #expect(await sender.value == .closed)
            #expect(full.trySend(9) == .closed)
            #expect(try await full.receive() == 7)
            #expect(try await full.receive() == nil)
            #expect(try await full.receive() == nil)
        }

        /// Several producers and consumers: every element arrives exactly once, and each
        /// producer's elements arrive in the order it sent them.
        @Test func manyProducersAndConsumers() async throws {
            let channel = Channel<Int>(capacity: 3)
            let producers = 4, perProducer = 500
            let got = SpinLock<[[Int]]>(Array(repeating: [], count: producers))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for c in 0..<3 {
                    group.addTask {
                        var mine: [Int] = []
                        while let v = try await channel.receive() { mine.append(v) }
                        // Within one consumer, each producer's values are increasing.
                        for p in 0..<producers {
                            let seq = mine.filter { $0 / perProducer == p }
                            #expect(seq == seq.sorted(), "consumer \(c) producer \(p)")
                        }
                        got.withLock { all in for v in mine { all[v / perProducer].append(v) } }
                    }
                }
                try await withThrowingTaskGroup(of: Void.self) { senders in
                    for p in 0..<producers {
                        senders.addTask { for i in 0..<perProducer { try await channel.send(p * perProducer + i) } }
                    }
                    try await senders.waitForAll()
                }
                channel.close()
                try await group.waitForAll()
            }
            let all = got.withLock { $0 }
            for p in 0..<producers {
                #expect(all[p].sorted() == Array((p * perProducer)..<((p + 1) * perProducer)))
            }
        }

        /// Senders and receivers cancelled at random points: nothing is delivered twice, nothing
        /// sent is lost (received + still buffered == sent), and the channel still works.
        @Test func cancellationUnderContention() async throws {
            let channel = Channel<Int>(capacity: 2)
            let sent = SpinLock<Set<Int>>([]), received = SpinLock<[Int]>([])
            let senders = (0..<6).map { p in
                Task {
                    for i in 0..<200 {
                        let v = p * 1000 + i
                        if await sendError(channel, v) == nil { sent.withLock { _ = $0.insert(v) } }
                    }
                }
            }
            let receivers = (0..<6).map { _ in
                Task {
                    while true {
                        let r = await ended { () throws(WaitError) -> Int? in try await channel.receive() }
                        guard case .value(let v?) = r else { return }
                        received.withLock { $0.append(v) }
                    }
                }
            }
            await Task.yield()
            senders[1].cancel(); senders[4].cancel()
            receivers[0].cancel(); receivers[3].cancel()
            for t in senders { await t.value }
            channel.close()
            for t in receivers { await t.value }
            var all = received.withLock { $0 }
            while case .some(let v?) = channel.tryReceive() { all.append(v) }
            #expect(all.count == Set(all).count, "an element delivered twice")
            #expect(Set(all) == sent.withLock { $0 })
            #expect(channel.waitingSenders == 0 && channel.waitingReceivers == 0)
        }

        @Test func cancelAndTimeOut() async throws {
            let channel = Channel<Int>(capacity: 1)
            let receiver = Task { await ended { () throws(WaitError) -> Int? in try await channel.receive() } }
            await eventually { channel.waitingReceivers == 1 }
            receiver.cancel()
            #expect(await receiver.value == .error(.interrupted))
            #expect(channel.waitingReceivers == 0)

            let timer = ManualTimeout()
            let timed = Task { await ended { () throws(WaitError) -> Int? in try await channel.receive(timeout: timer.timeout) } }
            await eventually { channel.waitingReceivers == 1 && timer.arms == 1 }
            timer.fire()
            #expect(await timed.value == .error(.timedOut))

            try await channel.send(1)
            let sender = Task { await sendError(channel, 2) }
            await eventually { channel.waitingSenders == 1 }
            sender.cancel()
            #expect(await sender.value == .interrupted)
            // The channel is intact: one element, then room again.
            #expect(channel.tryReceive() == .some(1))
            #expect(channel.trySend(3) == .sent)
            #expect(try await channel.receive(timeout: .immediate) == 3)
            #expect(await ended { () throws(WaitError) -> Int? in try await channel.receive(timeout: .immediate) } == .error(.timedOut))
        }
    }
}

/// `send`'s error, or nil when it was sent.
func sendError(_ channel: Channel<Int>, _ value: Int) async -> ChannelError? {
    do throws(ChannelError) {
        try await channel.send(value)
        return nil
    } catch {
        return error
    }
}
