import Testing
@testable import LichenCore

/// The socket structures of the arm64 ABI, byte for byte (offsets as in glibc's headers).
@Suite struct SocketLayoutTests {
    @Test("struct sockaddr_un") func sockaddrUn() {
        #expect(MemoryLayout<LinuxSockaddrUn>.size == 110)
        #expect(MemoryLayout<LinuxSockaddrUn>.offset(of: \LinuxSockaddrUn.sun_family) == 0)
        #expect(MemoryLayout<LinuxSockaddrUn>.offset(of: \LinuxSockaddrUn.sun_path) == LinuxSockaddrUn.pathOffset)
    }

    @Test("struct msghdr") func msghdr() {
        #expect(MemoryLayout<LinuxMsghdr>.size == 56)
        #expect(MemoryLayout<LinuxMsghdr>.alignment == 8)
        #expect(MemoryLayout<LinuxMsghdr>.offset(of: \LinuxMsghdr.msg_name) == 0)
        #expect(MemoryLayout<LinuxMsghdr>.offset(of: \LinuxMsghdr.msg_namelen) == 8)
        #expect(MemoryLayout<LinuxMsghdr>.offset(of: \LinuxMsghdr.msg_iov) == 16)
        #expect(MemoryLayout<LinuxMsghdr>.offset(of: \LinuxMsghdr.msg_iovlen) == 24)
        #expect(MemoryLayout<LinuxMsghdr>.offset(of: \LinuxMsghdr.msg_control) == 32)
        #expect(MemoryLayout<LinuxMsghdr>.offset(of: \LinuxMsghdr.msg_controllen) == 40)
        #expect(MemoryLayout<LinuxMsghdr>.offset(of: \LinuxMsghdr.msg_flags) == 48)
    }

    @Test("struct mmsghdr") func mmsghdr() {
        #expect(MemoryLayout<LinuxMmsghdr>.size == 64)
        #expect(MemoryLayout<LinuxMmsghdr>.offset(of: \LinuxMmsghdr.msg_len) == 56)
    }

    @Test("struct cmsghdr") func cmsghdr() {
        #expect(MemoryLayout<LinuxCmsghdr>.size == 16)
        #expect(MemoryLayout<LinuxCmsghdr>.offset(of: \LinuxCmsghdr.cmsg_level) == 8)
        #expect(MemoryLayout<LinuxCmsghdr>.offset(of: \LinuxCmsghdr.cmsg_type) == 12)
        #expect(LinuxCmsghdr.length(12) == 28 && LinuxCmsghdr.space(12) == 32 && LinuxCmsghdr.space(4) == 24)
    }

    @Test("struct ucred") func ucred() {
        #expect(MemoryLayout<LinuxUcred>.size == 12)
        #expect(MemoryLayout<LinuxUcred>.offset(of: \LinuxUcred.uid) == 4)
        #expect(MemoryLayout<LinuxUcred>.offset(of: \LinuxUcred.gid) == 8)
    }

    @Test func constants() {
        #expect(LinuxSocket.SOCK_NONBLOCK == 0o4000 && LinuxSocket.SOCK_CLOEXEC == 0o2000000)
        #expect(LinuxMsgFlag.MSG_NOSIGNAL == 0x4000 && LinuxMsgFlag.MSG_CMSG_CLOEXEC == 0x4000_0000)
        #expect(LinuxSocketOption.SO_PEERCRED == 17 && LinuxSocketOption.SO_PROTOCOL == 38)
    }
}
