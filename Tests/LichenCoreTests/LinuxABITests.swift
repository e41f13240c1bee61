import Testing
@testable import LichenCore

@Suite struct LinuxABITests {
    @Test func errnoValuesMatchLinux() {
        #expect(Errno.EPERM.rawValue == 1 && Errno.ENOENT.rawValue == 2 && Errno.EINTR.rawValue == 4)
        #expect(Errno.EFAULT.rawValue == 14 && Errno.EINVAL.rawValue == 22 && Errno.ENOSYS.rawValue == 38)
        #expect(Errno.EAGAIN == Errno.EWOULDBLOCK && Errno.ETIMEDOUT.rawValue == 110)
        #expect(Errno.EHWPOISON.rawValue == 133)
        #expect(Errno.EFAULT.syscallReturn == UInt64(bitPattern: -14))
        #expect(String(describing: Errno.ENOENT.name!) == "ENOENT")
        #expect(Errno(9999).name == nil)
    }
    @Test func syscallNumbersAreArm64() {
        let expected: [(Int, String)] = [(56, "openat"), (57, "close"), (63, "read"), (64, "write"), (79, "newfstatat"),
                                         (80, "fstat"), (93, "exit"), (94, "exit_group"), (98, "futex"), (129, "kill"),
                                         (134, "rt_sigaction"), (172, "getpid"), (214, "brk"), (220, "clone"),
                                         (221, "execve"), (222, "mmap"), (260, "wait4"), (278, "getrandom"), (291, "statx")]
        for (number, name) in expected {
            #expect(GenericSyscall(number: UInt64(number)).map { String(describing: $0.name) } == name)
            #expect(GenericSyscall(number: UInt64(number))?.rawValue == UInt16(number))
        }
        #expect(GenericSyscall.openat.rawValue == 56 && GenericSyscall.io_submit.rawValue == 2)
        #expect(GenericSyscall(number: 100_000) == nil && GenericSyscall(number: 244) == nil)
    }
}
