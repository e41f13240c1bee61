import _Concurrency

/// What splice, tee and vmsplice do to a pipe (Linux's fs/splice.c waits), over `PipeBuffer`'s
/// claim and reservation: bytes leaving a pipe are peeked, written elsewhere, and only then taken
/// (`claimData` ... `consume`), so what the destination refuses stays in the pipe; bytes entering
/// one get their room first (`reserveRoom` ... `fill`), so what a stream source gave always fits.
/// Every change wakes the pipe's queue as a read or write does (readers, writers, poll, epoll).
extension Pipe {
    /// Runs `body` under the pipe's lock without waking anyone (it changes nothing others wait for).
    private func locked<R>(_ body: (inout PipeBuffer) -> R) -> R {
        var result: R? = nil
        _ = state.tryUpdate(reporting: []) { (s: inout PipeBuffer) -> Bool? in
            result = body(&s)
            return nil
        }
        return result.unsafelyUnwrapped
    }

    /// Waits for bytes to read (Linux's ipipe_prep): true when there are some, false at end of file
    /// (empty, no writer). EAGAIN instead of waiting when `nonBlocking`, EINTR on a signal.
    public func waitForData(nonBlocking: Bool) async throws(Errno) -> Bool {
        let ready: (inout PipeBuffer) -> Bool? = { s in
            if s.count > 0 && !s.claimed { return true }
            return s.writers == 0 && s.count == 0 ? false : nil
        }
        if let r = locked(ready) { return r }
        if nonBlocking { throw .EAGAIN }
        do { return try await state.wait(for: ready) } catch { throw .EINTR }
    }

    /// Claims the oldest bytes for a splice out of the pipe (splice_from_pipe_next): true once
    /// claimed (the caller must `consume(_:releasing: true)` at the end), false at end of file.
    public func claimData(nonBlocking: Bool) async throws(Errno) -> Bool {
        let claim: (inout PipeBuffer) -> Bool? = { s in
            if s.count > 0 && !s.claimed { s.claimed = true; return true }
            return s.writers == 0 && s.count == 0 && !s.claimed ? false : nil
        }
        if let r = locked(claim) { return r }
        if nonBlocking { throw .EAGAIN }
        do { return try await state.wait(for: claim) } catch { throw .EINTR }
    }

    /// Copies buffered bytes (`skip` past the oldest) without taking them: a claim's or tee's.
    public func peek(into buffer: UnsafeMutableRawBufferPointer, skipping skip: Int = 0) -> Int {
        locked { $0.peek(into: buffer, skipping: skip) }
    }

    /// Bytes buffered now.
    public var bufferedCount: Int { locked { $0.count } }

    /// Takes the `n` oldest bytes (written elsewhere under a claim); `releasing` ends the claim.
    public func consume(_ n: Int, releasing: Bool) {
        state.update(reporting: .writable) { (s: inout PipeBuffer) in
            s.discard(n)
            if releasing { s.claimed = false }
        }
    }

    /// Takes up to `buffer.count` bytes without waiting (0 if none or claimed by a splice).
    public func take(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let n = state.tryUpdate(reporting: .writable) { (s: inout PipeBuffer) -> Int? in
            if case .data(let n) = s.read(into: buffer), n > 0 { return n }
            return nil
        }
        return n ?? 0
    }

    /// Holds room for up to `want` bytes (wait_for_space / opipe_prep): EPIPE without a reader
    /// (the dispatcher raises SIGPIPE), EAGAIN when full and `nonBlocking`, else waits (EINTR).
    public func reserveRoom(upTo want: Int, nonBlocking: Bool) async throws(Errno) -> Int {
        let hold: (inout PipeBuffer) -> Int? = { s in
            if s.readers == 0 { return -1 }
            return s.free > 0 ? s.reserve(upTo: want) : nil
        }
        var room = locked(hold)
        if room == nil {
            if nonBlocking { throw .EAGAIN }
            do { room = try await state.wait(for: hold) } catch { throw .EINTR }
        }
        guard let room, room >= 0 else { throw .EPIPE }
        return room
    }

    /// More room without waiting (0 if none, or no reader left).
    public func reserveMore(upTo want: Int) -> Int {
        locked { s in s.readers == 0 ? 0 : s.reserve(upTo: want) }
    }

    /// Fills a reservation of `room` bytes with `bytes` (maybe fewer, maybe none) and gives it back.
    public func fill(_ room: Int, from bytes: UnsafeRawBufferPointer) {
        state.update(reporting: bytes.count > 0 ? [.readable, .writable] : .writable) { (s: inout PipeBuffer) in
            s.fillReserved(room, from: bytes)
        }
    }
}
