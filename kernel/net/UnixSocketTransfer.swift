import LichenCore
import Synchronization
import _Concurrency

/// AF_UNIX sends and receives: streams (bytes across messages, partial sends under back-pressure)
/// and records (datagram, seqpacket: one message per call, MSG_TRUNC).
extension UnixSocket {
    private enum Reserve { case bytes(Int), broken, failed(Errno) }

    /// Charges up to `want` bytes to this socket's send buffer, sleeping (unless non-blocking)
    /// while it is full. nil: would block.
    private func reserve(_ want: Int, record: Bool, nonBlocking: Bool) async throws(Errno) -> Reserve? {
        let take: (inout UnixState) -> Reserve? = { s in
            if s.sendShutdown { return .broken }
            if self.unreadSent.load(ordering: .sequentiallyConsistent) >= s.sendBuffer { return nil }
            let n = record ? want : min(want, max(s.sendBuffer / 2 - 64, 1))
            self.unreadSent.wrappingAdd(n, ordering: .sequentiallyConsistent)
            return .bytes(n)
        }
        if nonBlocking { return state.update(take) }
        do { return try await state.wait(for: take, timeout: timeout(send: true)) } catch { throw UnixSocket.failed(error) }
    }

    private func unreserve(_ n: Int) { creditSent(n) }

    func send(_ message: OutgoingMessage, flags: UInt32, nonBlocking: Bool, caller: SocketCaller) async throws(Errno) -> Int {
        let nonBlocking = nonBlocking || flags & LinuxMsgFlag.MSG_DONTWAIT != 0
        if type == LinuxSocket.SOCK_SEQPACKET, let e = state.update({ (s: inout UnixState) -> Errno? in
            defer { s.error = nil }
            return s.error
        }) { throw e }                                             // sock_error
        if !isStream {
            if flags & LinuxMsgFlag.MSG_OOB != 0 { throw .EOPNOTSUPP }        // unix_dgram_sendmsg
            return try await sendRecord(message, nonBlocking: nonBlocking, caller: caller)
        }
        // MSG_OOB: the last byte goes out of band (Linux 5.15+); an empty send is EOPNOTSUPP.
        let outOfBand = flags & LinuxMsgFlag.MSG_OOB != 0
        if outOfBand && message.bytes.isEmpty { throw .EOPNOTSUPP }
        let inBand = message.bytes.count - (outOfBand ? 1 : 0)
        let (connected, sendShutdown, peer) = state.read { ($0.phase == .connected, $0.sendShutdown, $0.peer) }
        if let address = message.address, !address.isEmpty { throw connected ? .EISCONN : .EOPNOTSUPP }
        if sendShutdown { throw .EPIPE }
        guard connected, let peer else { throw .ENOTCONN }
        let sender = UnixSender(socket: self, credentials: message.credentials ?? caller.ucred)
        var sent = 0
        while sent < inBand {
            let r: Reserve?
            do throws(Errno) {
                r = try await reserve(inBand - sent, record: false, nonBlocking: nonBlocking)
            } catch {
                if sent > 0 { return sent }
                throw error
            }
            guard let r else {
                if sent > 0 { return sent }
                throw .EAGAIN
            }
            guard case .bytes(let n) = r else {
                if sent > 0 { return sent }
                throw .EPIPE
            }
            let chunk = sent == 0 && n == message.bytes.count ? message.bytes : byteSlice(message.bytes, sent..<(sent + n))
            let firstFiles = sent == 0 ? message.files : []
            var files: UnixPassedFiles? = nil
            if !firstFiles.isEmpty {
                do throws(Errno) { files = try UnixGarbageCollector.attach(firstFiles, caller: caller) } catch {
                    unreserve(n)
                    throw error
                }
            }
            let delivered = peer.state.update { (p: inout UnixState) -> Bool in
                if p.released || p.receiveShutdown { return false }
                p.queue.append(.init(bytes: chunk, sender: sender, attachment: files))
                return true
            }
            if !delivered {
                if let files { UnixGarbageCollector.detach(files) }
                unreserve(n)
                if sent > 0 { return sent }
                throw .EPIPE
            }
            sent += n
        }
        if outOfBand {
            try await sendUrgent(message.bytes[inBand], to: peer, sender: sender,
                                 files: sent == 0 ? message.files : [], nonBlocking: nonBlocking, caller: caller)
            sent += 1
        }
        return sent
    }

    /// Linux's queue_oob: the byte joins the peer's stream as its urgent byte (replacing an earlier
    /// one, which stays as data), and the peer's owner (F_SETOWN) gets SIGURG.
    private func sendUrgent(_ byte: UInt8, to peer: UnixSocket, sender: UnixSender, files: [OpenFile],
                            nonBlocking: Bool, caller: SocketCaller) async throws(Errno) {
        guard let r = try await reserve(1, record: true, nonBlocking: nonBlocking) else { throw .EAGAIN }
        guard case .bytes = r else { throw .EPIPE }
        var passed: UnixPassedFiles? = nil
        if !files.isEmpty {
            do throws(Errno) { passed = try UnixGarbageCollector.attach(files, caller: caller) } catch {
                unreserve(1)
                throw error
            }
        }
        let owner = peer.state.update { (p: inout UnixState) -> SpinLock<FileSignalOwner>?? in
            if p.released || p.receiveShutdown { return nil }
            p.queue.appendUrgent(.init(bytes: [byte], sender: sender, attachment: passed))
            p.urgent = byte
            return .some(p.fileOwner)
        }
        guard let owner else {
            if let passed { UnixGarbageCollector.detach(passed) }
            unreserve(1)
            throw .EPIPE
        }
        if let owner { IOSignals.sendUrgent(owner.withLock { $0 }) }
    }

    private func sendRecord(_ message: OutgoingMessage, nonBlocking: Bool, caller: SocketCaller) async throws(Errno) -> Int {
        let s = state.value
        let target: UnixSocket
        if isDatagram {
            if let address = message.address, !address.isEmpty {
                target = try await UnixSocket.lookup(address, type: type, caller: caller)
                guard target.type == type else { throw .EPROTOTYPE }
            } else {
                guard let peer = s.peer else { throw .ENOTCONN }
                target = peer
            }
        } else {
            guard s.phase == .connected, let peer = s.peer else { throw .ENOTCONN }
            target = peer
        }
        guard message.bytes.count <= SocketLimits.maximumDatagram(sendBuffer: s.sendBuffer) else { throw .EMSGSIZE }
        if s.sendShutdown { throw .EPIPE }
        guard let r = try await reserve(message.bytes.count, record: true, nonBlocking: nonBlocking) else { throw .EAGAIN }
        guard case .bytes(let n) = r else { throw .EPIPE }
        let sender = UnixSender(socket: self, credentials: message.credentials ?? caller.ucred)
        var files: UnixPassedFiles? = nil
        if !message.files.isEmpty {
            do throws(Errno) { files = try UnixGarbageCollector.attach(message.files, caller: caller) } catch {
                unreserve(n)
                throw error
            }
        }
        enum Delivery { case delivered, dead, broken, notAllowed, full }
        while true {
            let outcome = target.state.update { (t: inout UnixState) -> Delivery in
                if t.released { return .dead }
                if isDatagram && t.peer != nil && t.peer !== self { return .notAllowed }
                if t.receiveShutdown { return .broken }
                if isDatagram && t.peer !== self && t.queue.count > SocketLimits.maximumDatagramQueue { return .full }
                t.queue.append(.init(bytes: message.bytes, sender: sender, attachment: files))
                return .delivered
            }
            switch outcome {
            case .delivered: return n
            case .full where !nonBlocking:
                do {
                    try await target.state.wait(until: { t in
                        t.released || t.queue.count <= SocketLimits.maximumDatagramQueue
                    }, timeout: timeout(send: true))
                } catch {
                    if let files { UnixGarbageCollector.detach(files) }
                    unreserve(n)
                    throw UnixSocket.failed(error)
                }
                continue
            default: break
            }
            if let files { UnixGarbageCollector.detach(files) }
            unreserve(n)
            switch outcome {
            case .dead:
                if !isDatagram { throw .EPIPE }
                state.update { if $0.peer === target { $0.peer = nil; $0.phase = .unconnected } }
                throw .ECONNREFUSED
            case .notAllowed: throw .EPERM
            case .full: throw .EAGAIN
            default: throw .EPIPE
            }
        }
    }

    func receive(limit: Int, flags: UInt32, nonBlocking: Bool) async throws(Errno) -> IncomingMessage {
        let nonBlocking = nonBlocking || flags & LinuxMsgFlag.MSG_DONTWAIT != 0
        let peek = flags & LinuxMsgFlag.MSG_PEEK != 0
        let phase = state.read { $0.phase }
        if isStream && phase != .connected { throw .EINVAL }
        if type == LinuxSocket.SOCK_SEQPACKET && phase != .connected { throw .ENOTCONN }
        if flags & LinuxMsgFlag.MSG_OOB != 0 { return try receiveUrgent(limit: limit, peek: peek) }
        let waitAll = isStream && flags & LinuxMsgFlag.MSG_WAITALL != 0 && !peek
        var result = IncomingMessage()
        var firstSender: UnixSender? = nil
        while true {
            let want = limit - result.bytes.count
            let part: UnixQueue.Taken
            do throws(Errno) {
                guard let t = try await take(limit: want, peek: peek, nonBlocking: nonBlocking, after: firstSender) else {
                    break                                                 // end of file
                }
                part = t
            } catch {
                if !result.bytes.isEmpty { break }
                throw error
            }
            if !peek { state.waitQueue.wakeAll(); credit(part.credits) }   // room for blocked senders
            if firstSender == nil { firstSender = part.firstSender }
            if result.bytes.isEmpty { result.bytes = part.bytes } else { appendBytes(&result.bytes, part.bytes, 0..<part.bytes.count) }
            result.fullLength = isStream ? result.bytes.count : part.recordLength
            for passed in part.attachments { result.files += passed.files }
            if !peek && !part.attachments.isEmpty { result.inflight = UnixInflightReceipt(part.attachments) }
            if !waitAll || result.bytes.count >= limit || !part.attachments.isEmpty || part.stoppedAtMark { break }
        }
        if let sender = firstSender {
            if state.read({ $0.passCredentials }) { result.credentials = sender.credentials }
            let name = sender.socket.state.read { $0.address }       // an unnamed sender gives no source (length 0)
            if name.isNamed { result.source = name.encoded }
        }
        if !isStream && result.fullLength > result.bytes.count { result.flags |= LinuxMsgFlag.MSG_TRUNC }
        if isStream { result.fullLength = result.bytes.count }
        return result
    }

    /// MSG_OOB (Linux's unix_stream_recv_urg): the urgent byte, taken out of the stream unless
    /// peeking; EINVAL with none pending or under SO_OOBINLINE; EOPNOTSUPP for records.
    private func receiveUrgent(limit: Int, peek: Bool) throws(Errno) -> IncomingMessage {
        guard isStream else { throw .EOPNOTSUPP }
        let taken = state.update { (s: inout UnixState) -> (byte: UInt8, credit: UnixSender?)? in
            guard !s.urgentInline, let byte = s.urgent else { return nil }
            if peek { return (byte, nil) }
            s.urgent = nil
            return (byte, s.queue.consumeUrgent())
        }
        guard let taken else { throw .EINVAL }
        if let sender = taken.credit { sender.socket.creditSent(1) }
        var m = IncomingMessage()
        m.bytes = limit > 0 ? [taken.byte] : []
        m.fullLength = m.bytes.count
        m.flags = LinuxMsgFlag.MSG_OOB
        return m
    }

    private enum Take { case data(UnixQueue.Taken), skipped(UnixQueue.Taken), endOfFile, failed(Errno) }

    /// One step of a receive: what is queued, the pending error, or end of file (nil); sleeps for data.
    /// `after`: a stream read continuing (MSG_WAITALL) takes only messages with the same credentials.
    private func take(limit: Int, peek: Bool, nonBlocking: Bool, after: UnixSender?) async throws(Errno)
        -> UnixQueue.Taken? {
        let stream = isStream
        let step: (inout UnixState) -> Take? = { s in
            if !s.queue.isEmpty {
                if stream {
                    let passCredentials = s.passCredentials
                    if let after, passCredentials, let first = s.queue.first, first.sender.credentials != after.credentials {
                        return .endOfFile
                    }
                    let skip = peek && s.peekOffset > 0 ? s.peekOffset : 0
                    let t = s.queue.readStream(limit: limit, peek: peek, urgentInline: s.urgentInline, skip: skip,
                                               sameBatch: { a, b in
                        !passCredentials || a.sender.credentials == b.sender.credentials
                    })
                    if t.tookUrgent { s.urgent = nil }
                    if s.peekOffset >= 0 {                          // sk_peek_offset_fwd / _bwd
                        s.peekOffset = peek ? s.peekOffset + t.bytes.count : max(s.peekOffset - t.bytes.count, 0)
                    }
                    if limit > 0 && t.bytes.isEmpty && t.attachments.isEmpty {   // a skipped urgent byte only, or peeked past the end
                        if !t.credits.isEmpty { return .skipped(t) }
                        if s.receiveShutdown { return .endOfFile }
                        return nil
                    }
                    return .data(t)
                }
                // SO_PEEK_OFF on records: peeks start that far in and move it on; a read moves it
                // back by the record's whole length (sk_peek_offset_fwd / _bwd).
                let skip = peek && s.peekOffset > 0 ? s.peekOffset : 0
                if let t = s.queue.readRecord(limit: limit, peek: peek, skip: skip) {
                    if s.peekOffset >= 0 {
                        s.peekOffset = peek ? s.peekOffset + t.bytes.count : max(s.peekOffset - t.recordLength, 0)
                    }
                    return .data(t)
                }
            }
            if let e = s.error { s.error = nil; return .failed(e) }
            if s.receiveShutdown { return .endOfFile }
            return nil
        }
        let outcome: Take
        if nonBlocking {
            guard let o = state.update(step) else { throw .EAGAIN }
            outcome = o
        } else {
            do { outcome = try await state.wait(for: step, timeout: timeout(send: false)) } catch { throw UnixSocket.failed(error) }
        }
        switch outcome {
        case .data(let t): return t
        case .skipped(let t):                      // credit the skipped urgent byte, then read on
            credit(t.credits)
            return try await take(limit: limit, peek: peek, nonBlocking: nonBlocking, after: after)
        case .endOfFile: return nil
        case .failed(let e): throw e
        }
    }

    // MARK: Options and ioctls

    func ioctl(_ request: UInt32) throws(Errno) -> Int32? {
        let s = state.value
        switch request {
        case LinuxSocketOption.SIOCINQ:
            if s.phase == .listening { throw .EINVAL }
            return Int32(truncatingIfNeeded: isDatagram ? (s.queue.first?.remaining ?? 0) : s.queue.byteCount)
        case LinuxSocketOption.SIOCOUTQ:
            return Int32(truncatingIfNeeded: unreadSent.load(ordering: .sequentiallyConsistent))
        case LinuxSocketOption.SIOCATMARK:
            if !isStream { throw .EOPNOTSUPP }
            return s.urgent != nil && s.queue.atMark ? 1 : 0
        default:
            return nil
        }
    }
}
