import Testing
@testable import LichenCore

/// Behaviour of the Linux ABI mirrors beyond their layout (LinuxLayoutTests checks that).
@Suite struct LinuxStructTests {
    @Test func siginfoUnionMembersLandAtTheirCOffsets() {
        var info = LinuxSigInfo.child(code: LinuxSigInfo.CLD_EXITED, pid: 0x1234, uid: 1000, status: 7,
                                      utime: 11, stime: 22)
        let bytes = linuxBytes(of: info)
        #expect(bytes.count == 128)
        func int32(_ o: Int) -> Int32 { bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: o, as: Int32.self) } }
        func int64(_ o: Int) -> Int64 { bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: o, as: Int64.self) } }
        #expect(int32(0) == 17 && int32(8) == LinuxSigInfo.CLD_EXITED)
        #expect(int32(16) == 0x1234 && int32(20) == 1000 && int32(24) == 7)
        #expect(int64(32) == 11 && int64(40) == 22)
        #expect(info.si_pid == 0x1234 && info.si_uid == 1000 && info.si_status == 7)

        info = LinuxSigInfo.fault(signo: 11, code: LinuxSigInfo.SEGV_ACCERR, address: 0xdead_b000)
        #expect(linuxBytes(of: info).withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 16, as: UInt64.self) } == 0xdead_b000)
        #expect(info.si_addr == 0xdead_b000 && info.si_code == 2 && info.si_signo == 11)

        let q = LinuxSigInfo.queued(signo: 40, pid: 5, uid: 6, value: 0x1122_3344_5566_7788)
        #expect(q.si_code == LinuxSigInfo.SI_QUEUE && q.si_value == 0x1122_3344_5566_7788 && q.si_pid == 5)
        #expect(LinuxSigInfo.kill(signo: 15, pid: 3, uid: 0).si_code == LinuxSigInfo.SI_USER)
    }

    @Test func direntRecordsAreAlignedAndTerminated() {
        #expect(LinuxDirent64.recordLength(nameLength: 1) == 24)   // 19 + 1 + NUL = 21 -> 24
        #expect(LinuxDirent64.recordLength(nameLength: 4) == 24)   // 19 + 4 + 1 = 24
        #expect(LinuxDirent64.recordLength(nameLength: 5) == 32)
        var buf: [UInt8] = []
        LinuxDirent64.append(to: &buf, inode: 42, nextOffset: 1, type: LinuxDirent64.DT_DIR, name: Array(".".utf8))
        LinuxDirent64.append(to: &buf, inode: 7, nextOffset: 2, type: LinuxDirent64.DT_REG, name: Array("hello".utf8))
        #expect(buf.count == 24 + 32)
        buf.withUnsafeBytes { raw in
            #expect(raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self) == 42)
            #expect(raw.loadUnaligned(fromByteOffset: 8, as: Int64.self) == 1)
            #expect(raw.loadUnaligned(fromByteOffset: 16, as: UInt16.self) == 24)
            #expect(raw[18] == 4 && raw[19] == UInt8(ascii: ".") && raw[20] == 0)
            #expect(raw.loadUnaligned(fromByteOffset: 24 + 16, as: UInt16.self) == 32)
            #expect(raw[24 + 18] == 8)
            #expect(Array(raw[(24 + 19)..<(24 + 24)]) == Array("hello".utf8) && raw[24 + 24] == 0)
        }
        // A record that does not fit writes nothing.
        var small = [UInt8](repeating: 0xaa, count: 23)
        let written = small.withUnsafeMutableBytes {
            LinuxDirent64.write(into: $0, at: 0, inode: 1, nextOffset: 1, type: 0, name: Array("ab".utf8))
        }
        #expect(written == nil && small.allSatisfy { $0 == 0xaa })
        #expect(LinuxDirent64.type(ofMode: LinuxStat.S_IFDIR | 0o755) == LinuxDirent64.DT_DIR)
        #expect(LinuxDirent64.type(ofMode: LinuxStat.S_IFLNK) == LinuxDirent64.DT_LNK)
    }

    @Test func utsnameFieldsAreNulTerminatedAndTruncated() {
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: 100)
        let u = LinuxUtsname(sysname: Array("Linux".utf8), nodename: long, release: Array("6.1.0".utf8),
                             version: Array("#1".utf8), machine: Array("aarch64".utf8), domainname: Array("(none)".utf8))
        #expect(linuxCStringBytes(u.sysname) == Array("Linux".utf8))
        #expect(linuxCStringBytes(u.nodename).count == 64)
        #expect(linuxCStringBytes(u.machine) == Array("aarch64".utf8))
        let bytes = linuxBytes(of: u)
        #expect(bytes.count == 390 && bytes[65 + 64] == 0 && bytes[260] == UInt8(ascii: "a"))
    }

    @Test func standardTermiosMatchesLinux() {
        let t = LinuxTermios.standard
        #expect(t.c_iflag == 0x500 && t.c_oflag == 0x5 && t.c_cflag == 0x4bf && t.c_lflag == 0x8a3b)
        #expect(t.cc(LinuxTermios.VINTR) == 3 && t.cc(LinuxTermios.VQUIT) == 0x1c && t.cc(LinuxTermios.VERASE) == 0x7f)
        #expect(t.cc(LinuxTermios.VKILL) == 0x15 && t.cc(LinuxTermios.VEOF) == 4 && t.cc(LinuxTermios.VMIN) == 1)
        #expect(t.cc(LinuxTermios.VSUSP) == 0x1a && t.cc(99) == 0)
        let t2 = LinuxTermios2(t)
        #expect(t2.c_ispeed == 38400 && linuxBytes(of: t2.termios) == linuxBytes(of: t))
    }

    @Test func statAndStatx() {
        let s = LinuxStat(device: LinuxStat.makeDevice(major: 0, minor: 23), inode: 99, mode: LinuxStat.S_IFREG | 0o644,
                          links: 1, uid: 0, gid: 0, rdev: LinuxStat.makeDevice(major: 1, minor: 3), size: 5000, blocks: 16,
                          accessed: LinuxTimespec(tv_sec: 1, tv_nsec: 2), modified: LinuxTimespec(tv_sec: 3, tv_nsec: 4),
                          changed: LinuxTimespec(tv_sec: 5, tv_nsec: 6))
        #expect(s.st_rdev == 0x103 && LinuxStat.major(s.st_rdev) == 1 && LinuxStat.minor(s.st_rdev) == 3)
        #expect(LinuxStat.makeDevice(major: 4095, minor: 0xfffff) == 0xfff_ffff_f)
        #expect(LinuxStat.minor(LinuxStat.makeDevice(major: 7, minor: 0x12345)) == 0x12345)
        #expect(s.st_mtime == 3 && s.st_mtime_nsec == 4 && s.st_blksize == 4096)
        let x = LinuxStatx(s)
        #expect(x.stx_mask == LinuxStatx.STATX_BASIC_STATS && x.stx_mode == 0o100644 && x.stx_size == 5000)
        #expect(x.stx_rdev_major == 1 && x.stx_rdev_minor == 3 && x.stx_dev_minor == 23)
        #expect(x.stx_ctime.tv_sec == 5 && x.stx_ctime.tv_nsec == 6 && x.stx_btime.tv_sec == 0)
    }

    @Test func timeConversions() {
        #expect(LinuxTimespec(nanoseconds: 1_500_000_001) == LinuxTimespec(tv_sec: 1, tv_nsec: 500_000_001))
        #expect(LinuxTimespec(tv_sec: 1, tv_nsec: 5).nanoseconds == 1_000_000_005)
        #expect(LinuxTimespec(tv_sec: 0, tv_nsec: 1_000_000_000).nanoseconds == nil)
        #expect(LinuxTimespec(tv_sec: -1, tv_nsec: 0).isValid == false)
        #expect(LinuxTimespec(tv_sec: Int64.max, tv_nsec: 0).nanoseconds == UInt64.max)
        #expect(LinuxTimeval(nanoseconds: 2_000_123_456) == LinuxTimeval(tv_sec: 2, tv_usec: 123))
        #expect(!LinuxTimeval(tv_sec: 0, tv_usec: 1_000_000).isValid)
        #expect(LinuxRusage(userNanoseconds: 1_000_000, systemNanoseconds: 0).ru_utime.tv_usec == 1000)
    }

    @Test func fixedArrayHelpers() {
        var cc = linuxZeroControlChars
        #expect(linuxSetTupleElement(&cc, 18, UInt8(9)))
        #expect(!linuxSetTupleElement(&cc, 19, UInt8(9)))
        #expect(linuxTupleElement(cc, 18, as: UInt8.self) == 9 && linuxTupleElement(cc, -1, as: UInt8.self) == nil)
        var field = linuxZeroUtsnameField
        #expect(linuxFillCString(&field, from: Array("ab\0cd".utf8)) == 2)
        #expect(linuxCStringBytes(field) == Array("ab".utf8))
    }

    @Test func sigactionAndStackConstants() {
        let a = SignalAction(linux: LinuxSigaction(sa_handler: 0x4000, sa_flags: 0x1400_0004, sa_restorer: 0x5000,
                                                   sa_mask: ~0))
        #expect(a.handler == .function(0x4000) && a.flags.contains(.siginfo) && a.flags.contains(.restorer))
        #expect(a.flags.contains(.restart) && !a.mask.contains(.SIGKILL) && a.mask.contains(.SIGUSR1))
        #expect(a.linux.sa_restorer == 0x5000 && a.linux.sa_flags == 0x1400_0004)
        #expect(SignalAction(linux: LinuxSigaction(sa_handler: 1)).handler == .ignore)
    }
}
