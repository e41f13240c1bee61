/// A directory's bytes read as Linux's fat_search_long / fat_readdir read them: each live short
/// entry with the long name its slots spell (when their sequence and checksum hold), its offset
/// and where its slots start. Deleted entries, volume labels and orphaned slots are skipped; the
/// first entry whose name starts with 0 ends the directory.
public struct FatDirectoryRecord: Equatable, Sendable {
    /// The name as shown: the long name in UTF-8, else the short name.
    public var name: [UInt8]
    public var entry: FatShortEntry
    /// Byte offsets in the directory of the short entry and of its first slot (equal without slots).
    public var offset: Int
    public var firstSlot: Int
    public var shortName: [UInt8] { FatNames.display(entry.name, lowerCase: entry.lowerCase) }
}

public enum FatDirectory {
    public static func records(_ bytes: [UInt8]) -> [FatDirectoryRecord] {
        var out: [FatDirectoryRecord] = []
        bytes.withUnsafeBytes { b in
            var long: [UInt16] = []
            var expect = 0, checksum: UInt8 = 0, slotStart = 0
            var o = 0
            while o + 32 <= b.count {
                defer { o += 32 }
                let first = b[o]
                if first == 0 { return }
                if first == FatShortEntry.deleted { expect = 0; continue }
                if b[o + 11] & 0x3f == FatShortEntry.longName {
                    let sequence = Int(first & 0x1f)
                    if first & 0x40 != 0 {
                        guard sequence >= 1 && sequence <= 20 else { expect = 0; continue }
                        let part = FatLongName.units(b, at: o).units
                        long = part
                        expect = sequence - 1
                        checksum = b[o + 13]
                        slotStart = o
                    } else if expect > 0 && sequence == expect && b[o + 13] == checksum {
                        long = FatLongName.units(b, at: o).units + long
                        expect -= 1
                        if expect == 0 { expect = -1 }           // complete: the short entry must come next
                    } else {
                        expect = 0
                    }
                    if first & 0x40 != 0 && expect == 0 { expect = -1 }
                    continue
                }
                let entry = FatShortEntry(b, at: o)
                let complete = expect == -1 && FatShortEntry.checksum(entry.name) == checksum && !long.isEmpty
                expect = 0
                if entry.attributes & FatShortEntry.volume != 0 { continue }
                let name = complete ? FatNames.utf8(long) : FatNames.display(entry.name, lowerCase: entry.lowerCase)
                out.append(FatDirectoryRecord(name: name, entry: entry, offset: o, firstSlot: complete ? slotStart : o))
            }
        }
        return out
    }

    /// The first offset where `count` entries in a row are free (deleted, or at or after the end
    /// marker), nil when the directory has no such run.
    public static func freeRun(_ bytes: [UInt8], count: Int) -> Int? {
        var run = 0, start = 0
        var o = 0
        while o + 32 <= bytes.count {
            let first = bytes[o]
            if first == 0 {
                // Everything from here on is free.
                if run == 0 { start = o }
                return (bytes.count - start) / 32 >= count ? start : nil
            }
            if first == FatShortEntry.deleted {
                if run == 0 { start = o }
                run += 1
                if run == count { return start }
            } else {
                run = 0
            }
            o += 32
        }
        return nil
    }
}
