import Testing
@testable import LichenCore

@Suite struct CpioTests {
    /// A small root file system with every file type.
    static func sample(checksummed: Bool = false) -> [UInt8] {
        var w = CpioWriter()
        w.checksummed = checksummed
        w.add(CpioMember(name: "dev", mode: 0o040755, inode: 10, linkCount: 2))
        w.add(CpioMember(name: "dev/console", mode: 0o020600, inode: 11, rdevMajor: 5, rdevMinor: 1))
        w.add(CpioMember(name: "dev/sda", mode: 0o060660, inode: 12, gid: 6, rdevMajor: 8, rdevMinor: 0))
        w.add(CpioMember(name: "init", mode: 0o100755, data: Array("#!/bin/sh\necho hello\n".utf8), inode: 13,
                         uid: 1000, gid: 100, mtime: 0x1234_5678))
        w.add(CpioMember(name: "bin/sh", mode: 0o120777, data: Array("busybox".utf8), inode: 14))
        w.add(CpioMember(name: "run/fifo", mode: 0o010644, inode: 15))
        w.add(CpioMember(name: "run/sock", mode: 0o140755, inode: 16))
        w.add(CpioMember(name: "weird", mode: 0o000644, inode: 17))  // no file-type bits
        w.trailer()
        return w.bytes
    }

    @Test func entriesAndFields() throws {
        let entries = try readCpio(Self.sample()).get()
        #expect(entries.map(\.name) == ["dev", "dev/console", "dev/sda", "init", "bin/sh", "run/fifo", "run/sock", "weird"])
        #expect(entries.map(\.entry.fileType) == [.directory, .characterDevice, .blockDevice, .regular, .symbolicLink,
                                                  .fifo, .socket, nil])
        let initEntry = entries[3].entry
        #expect(entries[3].data == Array("#!/bin/sh\necho hello\n".utf8))
        #expect(initEntry.inode == 13 && initEntry.uid == 1000 && initEntry.gid == 100 && initEntry.linkCount == 1)
        #expect(initEntry.modificationTime == 0x1234_5678 && initEntry.fileSize == 21)
        #expect(initEntry.deviceMajor == 3 && initEntry.deviceMinor == 1)
        #expect(initEntry.permissions == 0o755 && initEntry.mode == 0o100755)
        #expect(!initEntry.hasChecksum && initEntry.checksum == 0)
        #expect(entries[1].entry.rdevMajor == 5 && entries[1].entry.rdevMinor == 1)
        #expect(entries[2].entry.rdevMajor == 8 && entries[2].entry.gid == 6)
        #expect(entries[4].data == Array("busybox".utf8))  // a symlink's target is its data
        #expect(entries[0].entry.data.isEmpty && entries[0].entry.linkCount == 2)
        #expect(!entries[0].entry.isHardLink)  // directories have nlink > 1 without being hard links
    }

    @Test func checksummedArchive() throws {
        let entries = try readCpio(Self.sample(checksummed: true)).get()
        #expect(entries.count == 8)
        #expect(entries[3].entry.hasChecksum)
        #expect(entries[3].entry.checksum == Array("#!/bin/sh\necho hello\n".utf8).reduce(0) { $0 + UInt32($1) })
        // A wrong sum is refused; 070701 ignores the field.
        var w = CpioWriter()
        w.checksummed = true
        w.file("a", "data")
        w.trailer()
        var bad = w.bytes
        bad[6 + 8 * 12 + 7] = bad[6 + 8 * 12 + 7] == 0x30 ? 0x31 : 0x30
        #expect(cpioError(bad) == .badChecksum)
        bad[5] = 0x31
        #expect(cpioError(bad) == nil)
    }

    @Test func paddingForEveryNameAndDataLength() throws {
        var w = CpioWriter()
        var expected: [(String, String)] = []
        for nameLength in 1...9 {
            for dataLength in 0...9 {
                let name = String(repeating: "n", count: nameLength - 1) + String(dataLength)
                let data = String(repeating: "d", count: dataLength)
                w.file(name, data)
                expected.append((name, data))
            }
        }
        w.trailer()
        let entries = try readCpio(w.bytes).get()
        #expect(entries.map(\.name) == expected.map(\.0))
        #expect(entries.map { String(decoding: $0.data, as: UTF8.self) } == expected.map(\.1))
        for e in entries { #expect(e.entry.data.lowerBound % 4 == 0) }
    }

    @Test func lowercaseHexIsAccepted() throws {
        var w = CpioWriter()
        w.add(CpioMember(name: "x", mode: 0o100644, inode: 0xabcdef))
        w.trailer()
        var b = w.bytes
        for i in 6..<14 where b[i] >= 0x41 { b[i] += 0x20 }
        #expect(try readCpio(b).get()[0].entry.inode == 0xabcdef)
    }

    @Test func concatenatedArchivesWithZeroPadding() throws {
        var w = CpioWriter()
        w.file("first", "1")
        w.trailer()
        w.pad(to: 512)  // GNU cpio pads to its block size
        w.bytes += [UInt8](repeating: 0, count: 1024)
        w.file("second", "22")
        w.trailer()
        w.file("third", "333")  // directly after a trailer, no padding at all
        w.trailer()
        w.bytes += [0, 0, 0]  // trailing zeros that do not end on a boundary are harmless at the end
        let entries = try readCpio(w.bytes).get()
        #expect(entries.map(\.name) == ["first", "second", "third"])
        #expect(entries.map(\.data) == [Array("1".utf8), Array("22".utf8), Array("333".utf8)])
    }

    @Test func emptyAndTrailerOnly() throws {
        #expect(try readCpio([]).get().isEmpty)
        #expect(try readCpio([UInt8](repeating: 0, count: 100)).get().isEmpty)
        var w = CpioWriter()
        w.trailer()
        #expect(try readCpio(w.bytes).get().isEmpty)
        // The trailer's padding may be cut off at the end of the buffer.
        #expect(try readCpio(Array(w.bytes.dropLast(3))).get().isEmpty)
    }

    /// GNU cpio stores a hard-linked file's data with the last of its names; the reader reports
    /// entries as they are, and a consumer can rebuild the inode as Linux's initramfs does.
    @Test func hardLinks() throws {
        var w = CpioWriter()
        let content = Array("shared content".utf8)
        for (i, name) in ["bin/busybox", "bin/sh", "bin/ls"].enumerated() {
            w.add(CpioMember(name: name, mode: 0o100755, data: i == 2 ? content : [], inode: 42, linkCount: 3))
        }
        w.file("other", "x", inode: 43)
        w.trailer()
        let entries = try readCpio(w.bytes).get()
        #expect(entries.prefix(3).allSatisfy { $0.entry.isHardLink && $0.entry.inodeKey == entries[0].entry.inodeKey })
        #expect(entries.map(\.entry.fileSize) == [0, 0, 14, 1])
        #expect(!entries[3].entry.isHardLink)

        // The consumer: first name creates the inode, later names link to it, data goes into it.
        var inodes: [[UInt8]] = []
        var names: [String: Int] = [:]
        var links: [CpioInodeKey: Int] = [:]
        for e in entries {
            if e.entry.isHardLink, let existing = links[e.entry.inodeKey] {
                names[e.name] = existing
                if !e.data.isEmpty { inodes[existing] = e.data }
            } else {
                inodes.append(e.data)
                names[e.name] = inodes.count - 1
                if e.entry.isHardLink { links[e.entry.inodeKey] = inodes.count - 1 }
            }
        }
        #expect(inodes.count == 2)
        for name in ["bin/busybox", "bin/sh", "bin/ls"] { #expect(inodes[names[name]!] == content) }
    }

    @Test func foreignDataBetweenArchivesStopsTheReader() throws {
        var w = CpioWriter()
        w.file("a", "1")
        w.trailer()
        let cpioEnd = w.bytes.count
        w.bytes += [0, 0, 0, 0, 0x1f, 0x8b, 0x08, 0x00]
        w.bytes.withUnsafeBytes { buffer in
            do {
                var r = CpioReader(buffer)
                #expect(try r.next() != nil)
                #expect(try r.next() == nil)
                #expect(!r.isAtEnd && !r.inArchive)
                #expect(r.offset == cpioEnd + 4)
                // Starting the reader at an offset past the first archive.
                var s = CpioReader(buffer, offset: cpioEnd)
                #expect(try s.next() == nil)
                #expect(s.offset == cpioEnd + 4)
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }
}
