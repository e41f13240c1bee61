/// SCM_RIGHTS bookkeeping (Linux's af_unix/garbage.c): which AF_UNIX sockets have files of theirs
/// queued, unread, in some receive queue ("in flight"), how many fds each user has in flight, and the
/// cycle detection that frees sockets reachable only from in-flight messages (A's fd queued on B, B's
/// on A, both closed: no process can ever receive them). Generic over the socket (any class) so that
/// the rules are host-tested without files; the kernel keeps one table under a lock.
public struct UnixInflight<Socket: AnyObject> {
    /// Sockets with a count of their files queued in receive queues (unix_sock.inflight).
    public private(set) var sockets: [(socket: Socket, count: Int)] = []
    /// Files in flight per sending user (user_struct.unix_inflight; every passed file counts).
    public private(set) var users: [(uid: UInt32, count: Int)] = []

    public init() {}

    public var isEmpty: Bool { sockets.isEmpty }

    public func count(of socket: Socket) -> Int {
        sockets.first { $0.socket === socket }?.count ?? 0
    }

    public func count(user uid: UInt32) -> Int {
        users.first { $0.uid == uid }?.count ?? 0
    }

    /// too_many_unix_fds: the user has more files in flight than its RLIMIT_NOFILE (checked before a
    /// send adds its own), unless privileged (CAP_SYS_RESOURCE or CAP_SYS_ADMIN).
    public func tooMany(user uid: UInt32, limit: UInt64, privileged: Bool) -> Bool {
        UInt64(count(user: uid)) > limit && !privileged
    }

    /// A send queues `files` files of `uid`, of which `sockets` are AF_UNIX sockets (unix_inflight).
    public mutating func add(_ queued: [Socket], files: Int, user uid: UInt32) {
        for s in queued {
            if let i = sockets.firstIndex(where: { $0.socket === s }) { sockets[i].count += 1 }
            else { sockets.append((s, 1)) }
        }
        if let i = users.firstIndex(where: { $0.uid == uid }) { users[i].count += files }
        else if files > 0 { users.append((uid, files)) }
    }

    /// The files left their queue for good: received (and installed) or destroyed (unix_notinflight).
    public mutating func remove(_ queued: [Socket], files: Int, user uid: UInt32) {
        for s in queued {
            guard let i = sockets.firstIndex(where: { $0.socket === s }) else { continue }
            sockets[i].count -= 1
            if sockets[i].count <= 0 { sockets.remove(at: i) }
        }
        if let i = users.firstIndex(where: { $0.uid == uid }) {
            users[i].count -= files
            if users[i].count <= 0 { users.remove(at: i) }
        }
    }

    /// One in-flight socket as the collector sees it: its in-flight count, whether something outside
    /// every receive queue holds it (a descriptor), and the in-flight sockets queued in its own receive
    /// queue (indices into the same list, once per queued reference).
    public struct Candidate {
        public var inflight: Int
        public var held: Bool
        public var queued: [Int]
        public init(inflight: Int, held: Bool, queued: [Int]) {
            self.inflight = inflight; self.held = held; self.queued = queued
        }
    }

    /// unix_gc's decision: the candidates nothing can reach any more. A candidate is alive if a
    /// descriptor holds it, if some of its in-flight references sit outside the candidates' queues (in
    /// the queue of a socket that is not in flight, or with a sender or receiver between queue and
    /// descriptor), or if it is queued on an alive candidate (it can still be received). The rest
    /// form cycles of closed sockets: garbage, whose queues the caller purges.
    public static func garbage(_ candidates: [Candidate]) -> [Int] {
        var referenced = [Int](repeating: 0, count: candidates.count)
        for c in candidates { for j in c.queued { referenced[j] += 1 } }
        var alive = [Bool](repeating: false, count: candidates.count)
        var pending: [Int] = []
        for (i, c) in candidates.enumerated() where c.held || c.inflight > referenced[i] {
            alive[i] = true
            pending.append(i)
        }
        while let i = pending.popLast() {
            for j in candidates[i].queued where !alive[j] {
                alive[j] = true
                pending.append(j)
            }
        }
        return candidates.indices.filter { !alive[$0] }
    }
}
