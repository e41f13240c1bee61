import LichenCore
import _Concurrency
import Synchronization

/// /proc/<pid>/net (and /proc/net, a link to self/net as on Linux): sockstat. Lichen has AF_UNIX
/// sockets only, so the TCP, UDP, RAW and FRAG counters are 0, as on a Linux without inet sockets.
enum ProcNet {
    static func directory(_ pid: Int32, parent: ProcDirectory) -> ProcDirectory {
        let base = UInt64(pid) << 16 | 0x2400
        return ProcDirectory(ino: base, parent: parent) { (_: ProcDirectory) async -> [(name: [UInt8], inode: any Inode)] in
            [(Array("sockstat".utf8), ProcFile(ino: base | 1, text: sockstat)),
             (Array("unix".utf8), ProcFile(ino: base | 2, text: { UnixSocketList.text() }))]
        }
    }

    /// Linux's sockstat_seq_show: "sockets: used" counts the sockets alive (Linux's struct sock, freed
    /// once its last reference goes: a closed socket its peer or a queued message still holds counts).
    @Sendable static func sockstat() async -> [UInt8] {
        var o: [UInt8] = []
        o.add("sockets: used " + dec(UnixSocket.alive.load(ordering: .relaxed)) + "\n")
        o.add("TCP: inuse 0 orphan 0 tw 0 alloc 0 mem 0\nUDP: inuse 0 mem 0\nUDPLITE: inuse 0\nRAW: inuse 0\nFRAG: inuse 0 memory 0\n")
        return o
    }
}
