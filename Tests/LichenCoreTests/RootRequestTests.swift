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
        #expect(RootRequest.device(bytes("PARTUUID=abcd/PARTNROFF=-1")) == .partitionUUID(bytes("abcd"), offset: -1))
        for bad in ["PARTUUID=abcd/PARTNROFF=", "PARTUUID=abcd/PARTNROFF=1x", "PARTUUID=abcd/PARTNROFF=-", "UUID=0e6d2c1a-5b1e-4e8f-9d3b-3c6f0f2a1b7d"] {
            #expect(RootRequest.device(bytes(bad)) == nil, "\(bad)")
        }
        for bad in ["/dev/nfs", "/dev/ram", "/dev/", "PARTUUID=", "PARTUUID=x/BOGUS=1", "PARTLABEL=root", "zz", "1:x", ""] {
            #expect(RootRequest.device(bytes(bad)) == nil, "\(bad)")
        }
    }

    @Test func partitionUUIDs() {
        #expect(RootRequest.partitionUUIDMatches(bytes("6c1b2e3f-01"), asked: bytes("6c1b2e3f-01")))
        #expect(RootRequest.partitionUUIDMatches(bytes("6c1b2e3f-01"), asked: bytes("6c1b")))          // strncasecmp over the asked length
        #expect(!RootRequest.partitionUUIDMatches(bytes("6c1b2e3f-01"), asked: bytes("6c1b2e3f-012")))
        #expect(!RootRequest.partitionUUIDMatches(bytes("6c1b2e3f-01"), asked: []))
        #expect(!RootRequest.partitionUUIDMatches([], asked: bytes("6c")))                           // a whole disk has none
        // MBR: "%08x-%02x" of the disk signature and the number; GPT: the unique GUID as %pUl.
        #expect(Partition.mbrUUID(signature: 0x6c1b_2e3f, number: 5) == bytes("6c1b2e3f-05"))
        let guid: [UInt8] = [0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]
        #expect(guid.withUnsafeBytes { Partition.guidText($0) } == bytes("00112233-4455-6677-8899-aabbccddeeff"))
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
