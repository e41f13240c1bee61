/// `struct mq_attr` (mq_open, mq_getsetattr): four longs and four reserved ones, 64 bytes.
public struct LinuxMqAttr: Equatable, Sendable {
    public var mq_flags: Int64 = 0
    public var mq_maxmsg: Int64 = 0
    public var mq_msgsize: Int64 = 0
    public var mq_curmsgs: Int64 = 0
    public var __reserved: (Int64, Int64, Int64, Int64) = (0, 0, 0, 0)

    public init() {}
    public init(flags: Int64, maxmsg: Int64, msgsize: Int64, curmsgs: Int64) {
        mq_flags = flags
        mq_maxmsg = maxmsg
        mq_msgsize = msgsize
        mq_curmsgs = curmsgs
    }

    public static func == (a: LinuxMqAttr, b: LinuxMqAttr) -> Bool {
        a.mq_flags == b.mq_flags && a.mq_maxmsg == b.mq_maxmsg && a.mq_msgsize == b.mq_msgsize && a.mq_curmsgs == b.mq_curmsgs
    }
}
