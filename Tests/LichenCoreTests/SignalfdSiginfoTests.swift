import Testing
@testable import LichenCore

@Suite struct SignalfdSiginfoTests {
    @Test("struct signalfd_siginfo is laid out as Linux's (128 bytes)")
    func layout() {
        #expect(MemoryLayout<LinuxSignalfdSiginfo>.size == 128)
        #expect(MemoryLayout<LinuxSignalfdSiginfo>.offset(of: \.ssi_pid) == 12)
        #expect(MemoryLayout<LinuxSignalfdSiginfo>.offset(of: \.ssi_int) == 44)
        #expect(MemoryLayout<LinuxSignalfdSiginfo>.offset(of: \.ssi_ptr) == 48)
        #expect(MemoryLayout<LinuxSignalfdSiginfo>.offset(of: \.ssi_addr) == 72)
        #expect(MemoryLayout<LinuxSignalfdSiginfo>.offset(of: \.ssi_addr_lsb) == 80)
        #expect(MemoryLayout<LinuxSignalfdSiginfo>.offset(of: \.ssi_syscall) == 84)
        #expect(MemoryLayout<LinuxSignalfdSiginfo>.offset(of: \.ssi_arch) == 96)
    }

    @Test("fields by siginfo layout: kill, queued value, child, fault")
    func conversion() {
        let kill = LinuxSignalfdSiginfo(.kill(signo: 10, pid: 42, uid: 1000))
        #expect(kill.ssi_signo == 10 && kill.ssi_pid == 42 && kill.ssi_uid == 1000 && kill.ssi_ptr == 0)
        let queued = LinuxSignalfdSiginfo(.queued(signo: 34, pid: 7, uid: 0, value: 99))
        #expect(queued.ssi_code == LinuxSigInfo.SI_QUEUE && queued.ssi_int == 99 && queued.ssi_ptr == 99)
        let fault = LinuxSignalfdSiginfo(.fault(signo: 11, code: 1, address: 0x1234))
        #expect(fault.ssi_addr == 0x1234 && fault.ssi_pid == 0)
    }
}
