// Test-only cpio newc writer (the inverse of CpioReader), laid out as GNU cpio and Linux's
// gen_init_cpio write archives: 110-byte ASCII header, name + NUL padded to 4, data padded to 4.
@testable import LichenCore

struct CpioMember {
    var name: String
    var mode: UInt32
    var data: [UInt8] = []
    var inode: UInt32 = 1
    var uid: UInt32 = 0, gid: UInt32 = 0
    var linkCount: UInt32 = 1
    var mtime: UInt32 = 0x6543_2100
    var devMajor: UInt32 = 3, devMinor: UInt32 = 1
    var rdevMajor: UInt32 = 0, rdevMinor: UInt32 = 0
}

struct CpioWriter {
    var bytes: [UInt8] = []
    /// 070702 headers with the byte-sum checksum.
    var checksummed = false

    static func hex(_ v: UInt32) -> [UInt8] {
        let digits = Array("0123456789ABCDEF".utf8)
        return (0..<8).map { digits[Int(v >> (28 - 4 * UInt32($0)) & 0xf)] }
    }

    mutating func add(_ m: CpioMember) {
        let name = Array(m.name.utf8) + [0]
        let sum = m.data.reduce(UInt32(0)) { $0 &+ UInt32($1) }
        bytes += Array((checksummed ? "070702" : "070701").utf8)
        for v in [m.inode, m.mode, m.uid, m.gid, m.linkCount, m.mtime, UInt32(m.data.count), m.devMajor, m.devMinor,
                  m.rdevMajor, m.rdevMinor, UInt32(name.count), checksummed ? sum : 0] {
            bytes += Self.hex(v)
        }
        bytes += name
        pad(to: 4)
        bytes += m.data
        pad(to: 4)
    }

    mutating func file(_ name: String, _ data: String, mode: UInt32 = 0o100644, inode: UInt32 = 1) {
        add(CpioMember(name: name, mode: mode, data: Array(data.utf8), inode: inode))
    }

    mutating func trailer() { add(CpioMember(name: "TRAILER!!!", mode: 0, inode: 0, linkCount: 1, devMajor: 0, devMinor: 0)) }

    mutating func pad(to multiple: Int) {
        while bytes.count % multiple != 0 { bytes.append(0) }
    }
}

extension CpioReader {
    /// Test helper: all remaining entries as (name, data) strings with the entry.
    mutating func all() throws(CpioError) -> [(name: String, data: [UInt8], entry: CpioEntry)] {
        var out: [(String, [UInt8], CpioEntry)] = []
        while let e = try next() { out.append((String(decoding: self[e.name], as: UTF8.self), Array(self[e.data]), e)) }
        return out.map { (name: $0.0, data: $0.1, entry: $0.2) }
    }
}

/// Parses a whole buffer; returns entries, or the error.
func readCpio(_ bytes: [UInt8]) -> Result<[(name: String, data: [UInt8], entry: CpioEntry)], CpioError> {
    bytes.withUnsafeBytes { buffer in
        var reader = CpioReader(buffer)
        return Result { () throws(CpioError) in
            let entries = try reader.all()
            guard reader.isAtEnd else { throw CpioError.badMagic }  // foreign data: not expected here
            return entries
        }
    }
}

func cpioError(_ bytes: [UInt8]) -> CpioError? {
    if case .failure(let e) = readCpio(bytes) { return e }
    return nil
}
