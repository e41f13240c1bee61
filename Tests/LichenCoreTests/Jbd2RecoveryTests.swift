import Foundation
import Testing
@testable import LichenCore

/// Replay of journals written by e2fsprogs, compared with e2fsprogs' own replay (debugfs
/// journal_run, the kernel's recovery.c in userspace).
@Suite struct Jbd2RecoveryTests {
    static let names = ["csum3-4k", "csum2-4k", "plain-4k", "csum3-1k", "ext3-1k", "many-1k", "torn-4k", "badcommit-4k"]

    @Test(arguments: names)
    func replayMatchesE2fsprogs(_ name: String) async throws {
        let image = try Jbd2Images.file(name + ".img"), reference = try Jbd2Images.file(name + ".ref")
        let (store, _, sb) = try await Jbd2Images.recover(image)
        #expect(sb.incompat & Ext4Superblock.incompatRecover == 0)
        #expect(store.durable == store.image)                       // synced
        let bs = sb.blockSize
        // Every block equal but the superblock's, where debugfs also counts s_kbytes_written.
        for b in 0..<image.count / bs where store.image[b * bs..<(b + 1) * bs] != reference[b * bs..<(b + 1) * bs] {
            let sbBlock = 1024 / bs
            #expect(b == sbBlock, "\(name): block \(b) differs from debugfs's replay")
            if b == sbBlock {
                let at = 1024 % bs
                for i in 0..<1024 where store.image[b * bs + at + i] != reference[b * bs + at + i] {
                    // debugfs sets s_wtime, s_lastcheck to -1 and counts s_kbytes_written; it marks a filesystem
                    // with a corrupt commit block in error (s_state), Lichen only logs it.
                    let debugfsOnly = (0x30..<0x34).contains(i) || (0x40..<0x44).contains(i) || (0x178..<0x180).contains(i) || (0x3fc..<0x400).contains(i)
                        || (name == "badcommit-4k" && i == 0x3a)
                    #expect(debugfsOnly, "\(name): superblock byte \(i)")
                }
            }
        }
        var out = ""
        let (status, _) = Jbd2Images.e2fsprogs(["e2fsck", "-fn"], on: store.image, output: &out)
        #expect(status == 0, "\(name): e2fsck -fn after Lichen's replay: \(out)")
    }

    @Test func transactionsRevokesAndTornCommits() async throws {
        let bs = 4096
        func block(_ image: [UInt8], _ n: Int) -> [UInt8] { Array(image[n * bs..<(n + 1) * bs]) }
        let (store, lines, _) = try await Jbd2Images.recover(try Jbd2Images.file("csum3-4k.img"))
        let t1 = try Jbd2Images.file("csum3-4k-t0.data"), t2 = try Jbd2Images.file("csum3-4k-t1.data"), t3 = try Jbd2Images.file("csum3-4k-t2.data")
        #expect(block(store.image, 3000) == [UInt8](repeating: 0, count: bs))   // revoked by T3: T1's copy skipped
        #expect(block(store.image, 3001) == Array(t2[0..<bs]))                 // logged by T1 then T2: T2's (sorted first)
        #expect(block(store.image, 3002) == Array(t1[2 * bs..<3 * bs]))        // escaped: the magic is back
        #expect(Jbd2BE.u32(block(store.image, 3002), 0) == Jbd2Header.magic)
        #expect(block(store.image, 3004) == t3)
        #expect(lines.contains { $0.contains("recovery complete") && $0.contains("1 revoked") })
        // The torn transaction (no commit block) and the one whose commit checksum is bad are not replayed.
        let (torn, _, _) = try await Jbd2Images.recover(try Jbd2Images.file("torn-4k.img"))
        #expect(block(torn.image, 3002) == [UInt8](repeating: 0, count: bs))
        #expect(block(torn.image, 3001) == (try Jbd2Images.file("torn-4k-t1.data")))
        let (bad, badLines, _) = try await Jbd2Images.recover(try Jbd2Images.file("badcommit-4k.img"))
        #expect(block(bad.image, 3001) == Array(try Jbd2Images.file("badcommit-4k-t0.data")[bs..<2 * bs]))
        #expect(badLines.contains { $0.contains("transaction 2 has a bad commit block") })
    }

    @Test func journalSuperblockAfterRecovery() async throws {
        let (store, _, sb) = try await Jbd2Images.recover(try Jbd2Images.file("csum3-4k.img"))
        let log = try await Ext4Journal.log(sb, source: store) { _ in }
        var reason = ""
        let jsb = try Jbd2Superblock(try await store.block(log.device(0)), blockSize: 4096, journalBlocks: log.length, reason: &reason)
        #expect(jsb.start == 0)
        #expect(jsb.sequence == 5)                  // transactions 1-3 replayed, the log restarts at 3 + 2 as Linux
        // A second recovery finds an empty journal and changes nothing.
        let before = store.image
        _ = try await Ext4Journal.recover(sb, store: store, pageSize: 4096) { _ in }
        #expect(store.image == before)
    }

    /// Damaged journals: never a trap; Linux's errno and a log line.
    @Test func corruptJournals() async throws {
        let image = try Jbd2Images.file("csum3-4k.img")
        let sb = try Jbd2Images.superblock(image)
        let log = try await Ext4Journal.log(sb, source: MemoryBlockStore(image, blockSize: 4096)) { _ in }
        let jsbAt = Int(try log.device(0)) * 4096
        func damaged(_ at: Int, _ value: UInt8) -> [UInt8] { var c = image; c[at] = value; return c }
        func expectFailure(_ image: [UInt8], _ errno: Errno, _ what: String) async {
            do {
                _ = try await Jbd2Images.recover(image)
                Issue.record("\(what): recovered")
            } catch let e as Errno {
                #expect(e == errno, "\(what)")
            } catch { Issue.record("\(what): \(error)") }
        }
        await expectFailure(damaged(jsbAt, 0), .EINVAL, "bad magic")
        await expectFailure(damaged(jsbAt + 0x40, 0xff), .EBADMSG, "superblock checksum")
        var fast = image
        fast[jsbAt + 0x2b] |= 0x20                              // FAST_COMMIT: not implemented
        Jbd2BE.put32(&fast, jsbAt + 0xfc, Jbd2Superblock.checksum(Array(fast[jsbAt..<jsbAt + 4096])))
        await expectFailure(fast, .EINVAL, "fast commit")
        // A logged block whose tag checksum is wrong: logged, not written, recovery fails (EFSBADCRC).
        let data = Int(try log.device(3)) * 4096     // home 3001 (2 is revoked: never checked)
        await expectFailure(damaged(data + 100, image[data + 100] ^ 1), .EBADMSG, "data block checksum")
        // Random damage anywhere in the first log blocks: an errno or a recovery, never a trap.
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<40 {
            var c = image
            let at = Int(try log.device(UInt32.random(in: 0..<14, using: &rng))) * 4096 + Int.random(in: 0..<64, using: &rng)
            c[at] = UInt8.random(in: 0...255, using: &rng)
            _ = try? await Jbd2Images.recover(c)
        }
    }
}
