import LichenCore

/// /proc/net/unix (Linux's unix_seq_show): one line per AF_UNIX socket not yet released. Lichen
/// keeps no global socket table, so the list is what the descriptor tables hold, the connections
/// waiting in their listeners' backlogs (embryos) and the sockets queued in flight on those.
enum UnixSocketList {
    static func text() -> [UInt8] {
        var out = Array("Num       RefCount Protocol Flags    Type St Inode Path\n".utf8)
        for socket in liveSockets() { line(socket, into: &out) }
        return out
    }

    /// "%pK: %08X %08X %08X %04X %02X %5lu" and the name. The address prints as zeros (Linux's %pK
    /// under kptr_restrict); the reference count is the file's and the peer's, an approximation.
    private static func line(_ socket: UnixSocket, into out: inout [UInt8]) {
        let s = socket.state.value
        let connected = s.phase == .connected
        let hasFile = s.inode != 0
        // SS_CONNECTED 3 / SS_UNCONNECTED 1 for a socket with a file; an embryo is SS_CONNECTING 2.
        let st: UInt64 = hasFile ? (connected ? 3 : 1) : (connected ? 2 : 4)
        let references: UInt64 = (hasFile ? 2 : 1) + (s.peer != nil ? 1 : 0)
        out.add("0000000000000000: " + Format.hex(references, width: 8, prefix: false) + " 00000000 "
                + Format.hex(s.phase == .listening ? 0x10000 : 0, width: 8, prefix: false) + " "
                + Format.hex(UInt64(socket.type), width: 4, prefix: false) + " "
                + Format.hex(st, width: 2, prefix: false) + " " + Format.decimal(s.inode, width: 5))
        switch s.address {
        case .path(let p):
            out.append(UInt8(ascii: " "))
            out += p
        case .abstract(let name):
            out += [UInt8(ascii: " "), UInt8(ascii: "@")]
            for b in name { out.append(b == 0 ? UInt8(ascii: "@") : b) }
        case .unnamed:
            break
        }
        out.append(UInt8(ascii: "\n"))
    }

    /// Every socket a descriptor holds, then (repeatedly) the embryos and in-flight sockets they lead to.
    private static func liveSockets() -> [UnixSocket] {
        var found: [UnixSocket] = []
        func add(_ s: UnixSocket) { if !found.contains(where: { $0 === s }) { found.append(s) } }
        for p in Processes.all() {
            let held = p.files.withLock { (table: inout FileDescriptorTable<OpenFile>) -> [UnixSocket] in
                table.descriptors.compactMap { (table.entry($0)?.file.operations as? SocketFile)?.socket as? UnixSocket }
            }
            for s in held { add(s) }
        }
        var i = 0
        while i < found.count {
            let s = found[i].state.value
            for embryo in s.backlog { add(embryo) }
            for m in s.queue.messages { for q in m.attachment?.sockets ?? [] { add(q) } }
            i += 1
        }
        return found.filter { !$0.state.value.released }
    }
}
