import Testing
@testable import LichenCore

/// O_ASYNC: which wake-ups signal (FileAsyncNotifier.reasons), the siginfo and the permission (Linux's
/// send_sigio_to_task and sigio_perm).
@Suite struct FileAsyncNotifierTests {
    func reasons(_ key: PollEvents, _ now: PollEvents, reads: Bool, writes: Bool, was: Bool = true) -> (FileAsyncNotifier.Reasons, Bool) {
        var w: PollEvents = was ? .writable : []
        let r = FileAsyncNotifier.reasons(key: key, now: now, reads: reads, writes: writes, wasWritable: &w)
        return (r, w.contains(.writable))
    }

    @Test func pipeWritesSignalReadersEveryTime() {
        #expect(reasons(.readable, [.readable, .writable], reads: true, writes: false).0 == .init(input: true, output: false))
        // The write end is not told of writes, only of reads (room).
        #expect(reasons(.readable, [.writable], reads: false, writes: true).0 == .init())
        #expect(reasons(.writable, [.writable], reads: false, writes: true, was: true).0 == .init(input: false, output: true))
    }

    @Test func hangUpAndBrokenPipeSignal() {
        #expect(reasons(.all, [.hangUp], reads: true, writes: false).0.input)
        // The last reader's close breaks the pipe: its writers hear of it, once.
        var w: PollEvents = .writable
        #expect(FileAsyncNotifier.reasons(key: .all, now: [.writable, .error], reads: false, writes: true, wasWritable: &w).output)
        #expect(!FileAsyncNotifier.reasons(key: .all, now: [.writable, .error], reads: false, writes: true, wasWritable: &w).output)
    }

    @Test func unnamedWakeUpsSignalOutputOnlyWhenRoomComesBack() {
        let (still, w1) = reasons(.all, [.writable], reads: true, writes: true, was: true)
        #expect(still == .init() && w1)
        let (full, w2) = reasons(.all, [], reads: true, writes: true, was: true)
        #expect(full == .init() && !w2)
        let (room, w3) = reasons(.all, [.writable], reads: true, writes: true, was: false)
        #expect(room == .init(input: false, output: true) && w3)
        #expect(reasons(.all, [.readable, .writable], reads: true, writes: true).0 == .init(input: true, output: false))
    }

    @Test func plainSigioComesFromTheKernel() {
        let info = FileSignalOwner().signalInfo(reason: FileAsyncNotifier.POLL_IN, fd: 5)
        #expect(info.si_signo == 29 && info.si_code == LinuxSigInfo.SI_KERNEL && info.si_pid == 0)
    }

    @Test func chosenSignalCarriesReasonBandAndDescriptor() throws {
        var o = FileSignalOwner()
        try o.setSignal(40)
        let i = o.signalInfo(reason: FileAsyncNotifier.POLL_IN, fd: 7)
        #expect(i.si_signo == 40 && i.si_code == 1 && i.si_band == 0x41 && i.si_fd == 7)
        let out = o.signalInfo(reason: FileAsyncNotifier.POLL_OUT, fd: 3)
        #expect(out.si_code == 2 && out.si_band == 0x304 && out.si_fd == 3)
        try o.setSignal(17)   // SIGCHLD has its own si_codes: SI_SIGIO
        #expect(o.signalInfo(reason: FileAsyncNotifier.POLL_IN, fd: 3).si_code == FileSignalOwner.SI_SIGIO)
        try o.setSignal(29)   // SIGIO itself keeps POLL_IN
        #expect(o.signalInfo(reason: FileAsyncNotifier.POLL_IN, fd: 3).si_code == 1)
    }

    @Test func permissionIsTheSettersAsSigioPerm() {
        var o = FileSignalOwner()
        let user = Credentials(uid: 1000, gid: 1000)
        #expect(o.maySignal(user))                         // never set: root's, as Linux's zeroed owner
        o.uid = 1001; o.euid = 1001
        #expect(!o.maySignal(user))
        o.euid = 1000
        #expect(o.maySignal(user))
        o.euid = 1001; o.uid = 1000
        #expect(o.maySignal(user))
    }
}
