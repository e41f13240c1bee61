import Testing
@testable import LichenCore

@Suite struct TmpfsOptionsTests {
    let ram: Int64 = 1 << 30

    @Test func parsesEveryOption() throws {
        let o = try TmpfsOptions.parse(Array("size=64m,nr_inodes=2k,mode=1755,uid=1000,gid=100".utf8), ramBytes: ram)
        #expect(o.size == 64 << 20)
        #expect(o.inodes == 2048)
        #expect(o.mode == 0o1755)
        #expect(o.uid == 1000)
        #expect(o.gid == 100)
    }

    @Test func sizesAndPercentages() throws {
        #expect(try TmpfsOptions.parse(Array("size=4096".utf8), ramBytes: ram).size == 4096)
        #expect(try TmpfsOptions.parse(Array("size=2G".utf8), ramBytes: ram).size == 2 << 30)
        #expect(try TmpfsOptions.parse(Array("size=50%".utf8), ramBytes: ram).size == ram / 2)
        #expect(try TmpfsOptions.parse(Array("".utf8), ramBytes: ram) == TmpfsOptions())
        #expect(try TmpfsOptions.parse(Array("inode64,,huge=never".utf8), ramBytes: ram) == TmpfsOptions())
    }

    @Test func rejectsWhatLinuxRejects() {
        for bad in ["size", "size=", "size=12q", "size=101%", "size=-1", "mode=9", "mode=77777", "uid=x", "gid=4294967296",
                    "nr_inodes=1t", "size=99999999999999999999", "size=9000000000e", "bogus=1", "huge=always", "inode64=1"] {
            #expect(throws: Errno.EINVAL, "\(bad)") { try TmpfsOptions.parse(Array(bad.utf8), ramBytes: ram) }
        }
    }
}
