import Testing
@testable import LichenCore

@Suite struct CpioInitramfsTests {
    func archive(_ files: [(String, String)]) -> [UInt8] {
        var w = CpioWriter()
        for (i, (name, data)) in files.enumerated() { w.file(name, data, inode: UInt32(100 + i)) }
        w.trailer()
        return w.bytes
    }

    func gzip(_ data: [UInt8], stored: Bool = false) -> [UInt8] {
        GzipEncoder.member(stored ? DeflateEncoder.stored(data) : DeflateEncoder.fixed(data), of: data)
    }

    func unpack(_ image: [UInt8]) -> Result<[String], InitramfsError> {
        var names: [String] = []
        return Result { () throws(InitramfsError) in
            try Initramfs.forEachEntry(image) { entry, buffer in
                let name = String(decoding: UnsafeRawBufferPointer(rebasing: buffer[entry.name]), as: UTF8.self)
                let data = String(decoding: UnsafeRawBufferPointer(rebasing: buffer[entry.data]), as: UTF8.self)
                names.append(name + "=" + data)
            }
            return names
        }
    }

    @Test func plain() throws {
        #expect(try unpack(archive([("init", "A"), ("etc/x", "B")])).get() == ["init=A", "etc/x=B"])
        #expect(try unpack([]).get() == [])
    }

    /// Like a distribution initrd: an uncompressed early archive (microcode), then compressed ones.
    @Test func plainThenCompressedMembers() throws {
        var image = archive([("kernel/x86/microcode", "ucode")])
        image += [UInt8](repeating: 0, count: 512 - image.count % 512)
        image += gzip(archive([("init", "#!/bin/sh")]))
        image += [0, 0, 0]  // padding before a member need not be aligned
        var two = archive([("bin/a", "1")])
        two += [0, 0, 0, 0]
        two += archive([("bin/b", "2")])
        image += gzip(two, stored: true)
        image += [UInt8](repeating: 0, count: 100 + (4 - image.count % 4) % 4)  // plain archives stay aligned
        image += archive([("last", "plain again")])
        #expect(try unpack(image).get() == ["kernel/x86/microcode=ucode", "init=#!/bin/sh", "bin/a=1", "bin/b=2",
                                            "last=plain again"])
    }

    @Test func largeCompressedArchive() throws {
        var w = CpioWriter()
        var expected: [String] = []
        for i in 0..<200 {
            let data = String(decoding: Payload.compressible(Int(i * 37 % 5000), seed: UInt64(i)).map { $0 % 26 + 0x61 }, as: UTF8.self)
            w.file("file\(i)", data, inode: UInt32(i + 1))
            expected.append("file\(i)=" + data)
        }
        w.trailer()
        #expect(try unpack(gzip(w.bytes)).get() == expected)
    }

    @Test func errors() {
        let a = archive([("init", "A")])
        #expect(unpack(a + Array("BZh91AY&SY".utf8)) == .failure(.unknownFormat(offset: a.count)))
        #expect(unpack(Array(a.dropLast(20))) == .failure(.cpio(.truncatedHeader, offset: 120)))
        var corrupt = gzip(a)
        corrupt[corrupt.count - 8] ^= 1
        #expect(unpack(a + corrupt) == .failure(.compressed(.badChecksum, offset: a.count)))
        #expect(unpack(a + gzip(a + Array("junk".utf8))) == .failure(.junkInCompressedArchive(offset: a.count)))
        #expect(unpack(gzip(Array(a.prefix(120)))) == .failure(.cpio(.missingTrailer, offset: 120)))
        #expect(unpack(gzip(Array(a.dropLast(12)))) == .failure(.cpio(.truncatedName, offset: 120)))
        // A misaligned plain archive is not recognised (as in Linux).
        #expect(unpack([0] + a) == .failure(.cpio(.badPadding, offset: 1)))
    }

    /// The walk the kernel runs, entry by entry: a member whose output outgrows the first buffer
    /// (twice the image) is grown with its output kept, and memory running out is an error.
    @Test func walkGrowsTheMemberOutput() throws {
        let data = [UInt8](repeating: 0x61, count: 20_000)
        let image = GzipEncoder.member(DeflateEncoder.fixed(archive([("a", String(decoding: data, as: UTF8.self))])),
                                       of: archive([("a", String(decoding: data, as: UTF8.self))]))
        #expect(image.count * 2 < data.count)
        try image.withUnsafeBytes { bytes in
            var walk = InitramfsWalk(bytes, output: InitramfsHeapOutput())
            let first = try #require(try walk.next())
            #expect(UnsafeRawBufferPointer(rebasing: first.bytes[first.entry.data]).elementsEqual(data))
            #expect(try walk.next() == nil)
            var small = InitramfsWalk(bytes, output: InitramfsHeapOutput(limit: 4096))
            #expect(throws: InitramfsError.compressed(.outputTooLarge, offset: 0)) { try small.next() }
        }
    }
}
