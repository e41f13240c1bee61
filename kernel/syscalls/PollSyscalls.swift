import LichenCore
import _Concurrency

/// ppoll and pselect6 over the files' readiness (`FileOperations.poll`) and wait queues
/// (`pollQueue`), sleeping with `waitAny` under the call's signal mask, if it gives one
/// (`Thread.withTemporarySignalMask`: GNU make -j waits for SIGCHLD this way).
enum PollSyscalls {
    /// The most descriptors one call may name (Linux: RLIMIT_NOFILE, here fixed).
    static let maxDescriptors = 1024

    /// nil: no timeout (block); a zero timeout: report without sleeping.
    static func timeout(_ a: SyscallArguments, _ address: UserAddr) throws(Errno) -> UInt64? {
        guard address.value != 0 else { return nil }
        let t = try a.user.load(LinuxTimespec.self, from: address)
        guard t.tv_sec >= 0, t.tv_nsec >= 0, t.tv_nsec < 1_000_000_000 else { throw .EINVAL }
        return UInt64(t.tv_sec) &* 1_000_000_000 &+ UInt64(t.tv_nsec)
    }

    /// Sleeps under `mask` until `ready()` or the timeout; false if it timed out. EINTR if interrupted.
    static func sleep(_ a: SyscallArguments, _ files: [OpenFile], timeout ns: UInt64?, mask: SignalSet?,
                      until ready: () -> Bool) async throws(Errno) -> Bool {
        var queues: [WaitQueue] = []
        for f in files { if let q = f.pollQueue, !queues.contains(where: { $0 === q }) { queues.append(q) } }
        return try await a.thread.withTemporarySignalMask(mask) { () async throws(Errno) -> Bool in
            do throws(WaitError) {
                try await waitAny(queues, until: ready, timeout: ns.map { WaitTimeout.after(nanoseconds: $0) })
                return true
            } catch {
                if error == .timedOut { return false }
                throw .EINTR
            }
        }
    }

    // MARK: ppoll

    /// ppoll(fds, nfds, timeout, sigmask, sigsetsize).
    static func ppoll(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let pollfdsAddress = a.address(0), count = Int(a.uint32(1))  // unsigned int nfds: the high half is ignored
        let timeoutAddress = a.address(2), sigmask = a.address(3), sigsetSize = a[4]
        guard count <= maxDescriptors else { throw .EINVAL }
        let ns = try timeout(a, timeoutAddress)
        let mask = try Thread.userSignalMask(a, at: sigmask, size: sigsetSize)
        var pollfds = try a.user.load(LinuxPollfd.self, count: count, from: pollfdsAddress)
        let files = pollfds.map { $0.fd < 0 ? nil : try? a.process.file($0.fd) }
        func revents(_ i: Int) -> PollEvents {
            if pollfds[i].fd < 0 { return [] }
            guard let f = files[i] else { return .invalid }
            return f.pollEvents.intersection(PollEvents(rawValue: UInt16(bitPattern: pollfds[i].events)).union(.always))
        }
        func anyReady() -> Bool { (0..<count).contains { !revents($0).isEmpty } }
        if !anyReady() && ns != 0 {
            _ = try await sleep(a, files.compactMap { $0 }, timeout: ns, mask: mask, until: anyReady)
        }
        var ready = 0
        for i in 0..<count {
            let r = revents(i).rawValue
            if r != 0 { ready += 1 }
            pollfds[i].revents = Int16(bitPattern: r)
        }
        try a.user.store(pollfds, to: pollfdsAddress)
        return result(ready)
    }

    // MARK: pselect6

    /// pselect6(nfds, readfds, writefds, exceptfds, timeout, sigmask).
    static func pselect6(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let n = Int(a.int32(0)), setAddresses = [a.address(1), a.address(2), a.address(3)]
        let timeoutAddress = a.address(4), sigmask = a.address(5)
        guard n >= 0 && n <= maxDescriptors else { throw .EINVAL }
        let words = (n + 63) / 64
        func load(_ address: UserAddr) throws(Errno) -> [UInt64]? {
            guard address.value != 0 else { return nil }
            var set: [UInt64] = []
            for w in 0..<words { set.append(try a.user.load(UInt64.self, from: address + UInt64(w * 8))) }
            return set
        }
        let sets = [try load(setAddresses[0]), try load(setAddresses[1]), try load(setAddresses[2])]
        let ns = try timeout(a, timeoutAddress)
        let mask = try pselectMask(a, sigmask)
        // Linux's select masks: readable includes hang-up and error, writable includes error.
        let masks: [PollEvents] = [[.readable, .hangUp, .error], [.writable, .error], [.priority]]
        var fds: [Int32] = [], files: [OpenFile] = []
        for fd in 0..<n {
            let word = fd / 64, bit = UInt64(1) << UInt64(fd % 64)
            guard sets.contains(where: { $0.map { $0[word] & bit != 0 } ?? false }) else { continue }
            fds.append(Int32(fd))
            files.append(try a.process.file(Int32(fd)))           // EBADF, as Linux
        }
        func result(into out: inout [[UInt64]]) -> Int {
            var count = 0
            for (i, fd) in fds.enumerated() {
                let events = files[i].pollEvents
                let word = Int(fd) / 64, bit = UInt64(1) << UInt64(fd % 64)
                for s in 0..<3 {
                    guard let set = sets[s], set[word] & bit != 0, !events.intersection(masks[s]).isEmpty else { continue }
                    out[s][word] |= bit
                    count += 1
                }
            }
            return count
        }
        func anyReady() -> Bool {
            var scratch = [[UInt64]](repeating: [UInt64](repeating: 0, count: words), count: 3)
            return result(into: &scratch) > 0
        }
        if !anyReady() && ns != 0 {
            _ = try await sleep(a, files, timeout: ns, mask: mask, until: anyReady)
        }
        var out = [[UInt64]](repeating: [UInt64](repeating: 0, count: words), count: 3)
        let count = result(into: &out)
        for s in 0..<3 where sets[s] != nil {
            for w in 0..<words { try a.user.store(out[s][w], to: setAddresses[s] + UInt64(w * 8)) }
        }
        return UInt64(count)
    }

    /// pselect6's sixth argument: a pointer to { const sigset_t *ss; size_t ss_len } (NULL, or a NULL ss: no mask).
    static func pselectMask(_ a: SyscallArguments, _ address: UserAddr) throws(Errno) -> SignalSet? {
        guard address.value != 0 else { return nil }
        let set = try a.user.load(UInt64.self, from: address)
        let size = try a.user.load(UInt64.self, from: address + 8)
        return try Thread.userSignalMask(a, at: UserAddr(set), size: size)
    }
}
