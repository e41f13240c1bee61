import LichenCore

/// /proc/sys/fs/mqueue: msg_default, msg_max, msgsize_default, msgsize_max and queues_max (root
/// writes them; the ranges of Linux's mq_sysctl.c).
enum ProcMqueue {
    static func tunables(firstIno: UInt64) -> [(String, any Inode)] {
        typealias Get = @Sendable (PosixMessageQueueLimits) -> Int
        typealias Set = @Sendable (inout PosixMessageQueueLimits, Int) -> Void
        func knob(_ name: String, _ i: UInt64, _ range: ClosedRange<Int>, _ get: @escaping Get, _ set: @escaping Set) -> (String, any Inode) {
            (name, ProcTunable.integer(ino: firstIno + i, range: range, get: { get(PosixMessageQueues.limits) },
                                       set: { value in PosixMessageQueues.setLimits { set(&$0, value) } }))
        }
        let messages = PosixMessageQueueLimits.messagesRange, sizes = PosixMessageQueueLimits.messageSizeRange
        return [knob("msg_default", 0, messages, { $0.msgDefault }, { $0.msgDefault = $1 }),
                knob("msg_max", 1, messages, { $0.msgMax }, { $0.msgMax = $1 }),
                knob("msgsize_default", 2, sizes, { $0.msgsizeDefault }, { $0.msgsizeDefault = $1 }),
                knob("msgsize_max", 3, sizes, { $0.msgsizeMax }, { $0.msgsizeMax = $1 }),
                knob("queues_max", 4, 0...Int(Int32.max), { $0.queuesMax }, { $0.queuesMax = $1 })]
    }
}
