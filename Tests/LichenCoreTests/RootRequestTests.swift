import Testing
@testable import LichenCore

@Suite struct RootRequestTests {
    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func deviceForms() {
        #expect(RootRequest.device(bytes("/dev/vda")) == .name(bytes("vda")))
        #expect(RootRequest.device(bytes("/dev/vda1")) == .name(bytes("vda1")))
        #expect(RootRequest.device(bytes("254:1")) == .number(major: 254, minor: 1))
        #expect(RootRequest.device(bytes("fe01")) == .number(major: 254, minor: 1))        // new_decode_dev
        #expect(RootRequest.device(bytes("PARTUUID=6C1B2E3F-01")) == .partitionUUID(bytes("6c1b2e3f-01"), offset: 0))
        #expect(RootRequest.device(bytes("PARTUUID=abcd/PARTNROFF=2")) == .partitionUUID(bytes("abcd"), offset: 2))
        for bad in ["/dev/nfs", "/dev/ram", "/dev/", "PARTUUID=", "PARTUUID=x/BOGUS=1", "PARTLABEL=root", "zz", "1:x", ""] {
            #expect(RootRequest.device(bytes(bad)) == nil, "\(bad)")
        }
    }

    @Test func parameters() {
        let r = KernelCommandLine("console=ttyAMA0 root=/dev/vda1 rootfstype=ext4,ext2 rootflags=noload rw rootwait rootdelay=3").rootRequest
        #expect(r == RootRequest(device: .name(bytes("vda1")), text: bytes("/dev/vda1"), fileSystemTypes: [bytes("ext4"), bytes("ext2")],
                                 options: bytes("noload"), readOnly: false, wait: true, delaySeconds: 3))
        // Read-only unless the last of ro/rw is rw (Linux's root_mountflags).
        #expect(KernelCommandLine("root=/dev/vda").rootRequest?.readOnly == true)
        #expect(KernelCommandLine("root=/dev/vda rw ro").rootRequest?.readOnly == true)
        #expect(KernelCommandLine("root=/dev/vda ro rw").rootRequest?.readOnly == false)
        #expect(KernelCommandLine("root=/dev/vda rw=1").rootRequest?.readOnly == true)
        #expect(KernelCommandLine("root=/dev/vda").rootRequest?.wait == false)
        #expect(KernelCommandLine("quiet").rootRequest == nil)
        #expect(KernelCommandLine("root=/dev/nfs").rootRequest == nil)
    }

    @Test func initProgram() {
        #expect(KernelCommandLine("root=/dev/vda").diskInitPath == nil)
        #expect(KernelCommandLine("root=/dev/vda init=/bin/bash").diskInitPath == "/bin/bash")
        #expect(KernelCommandLine.defaultInitPaths == ["/sbin/init", "/etc/init", "/bin/init", "/bin/sh"])
    }
}
