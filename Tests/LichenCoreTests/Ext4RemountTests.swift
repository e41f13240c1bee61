import Foundation
import Testing
@testable import LichenCore

/// `mount -o remount,rw` of an ext4 mounted read-only (Ext4FileSystem.makeWritable): changes are
/// EROFS before it, go through the journal after it, and e2fsck finds the result clean; a journal
/// that still needs recovery (a noload mount) is refused.
@Suite struct Ext4RemountTests {
    static func mountReadOnly(_ image: String, needsRecovery: Bool = false) async throws -> (MemoryBlockStore, Ext4FileSystem) {
        let bytes = try Ext4Images.image(image)
        var reason = ""
        var sb = try Ext4Superblock.parse(Array(bytes[1024..<2048]), pageSize: 4096, reason: &reason)
        if needsRecovery { sb.incompat |= Ext4Superblock.incompatRecover }      // as a noload mount leaves it
        let store = MemoryBlockStore(bytes, blockSize: sb.blockSize)
        let fs = try await Ext4FileSystem.mount(sb, source: store, type: .ext4, device: DeviceNumber(major: 254, minor: 1),
                                                log: { print("ext4:", $0) })
        return (store, fs)
    }

    @Test(arguments: ["ext4-j.img", "ext4-j-1k.img"]) func remountReadWrite(image: String) async throws {
        let (store, fs) = try await Self.mountReadOnly(image)
        #expect(!fs.isWritable)
        await #expect(throws: Errno.EROFS) { _ = try await fs.root.mkdir(Array("w".utf8), mode: 0o755, owner: .root) }
        let tick = Ext4Clock()
        try await fs.makeWritable(store: store, clock: { tick.next() })
        #expect(fs.isWritable)
        #expect(Ext4JournaledTests.incompat(store.durable) & Ext4Superblock.incompatRecover != 0)   // the journal is live
        let dir = try await fs.root.mkdir(Array("w".utf8), mode: 0o755, owner: .root)
        let file = try await dir.create(Array("f".utf8), mode: 0o644, owner: .root)
        let data = Ext4WriteTests.random(9000, seed: 11)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: data.count, alignment: 1)
        defer { buffer.deallocate() }
        data.withUnsafeBytes { buffer.copyMemory(from: $0) }
        #expect(try await file.write(at: 0, from: UnsafeRawBufferPointer(buffer), append: false).count == data.count)
        try await fs.sync()
        #expect(Ext4JournaledTests.incompat(store.durable) & Ext4Superblock.incompatRecover == 0)
        let path = NSTemporaryDirectory() + "lichen-ext4-remount-\(getpid())-\(UUID().uuidString).img"
        try Data(store.durable).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fsck = Ext4WriteHarness.run("e2fsck", ["-fn", path])
        #expect(fsck.status == 0, "e2fsck -fn:\n\(fsck.output)")
        let again = try await Ext4Images.mount(store.durable)
        #expect(try await Ext4Images.contents(try await Ext4Images.resolve(again, "w/f")) == data)
    }

    @Test func journalNeedingRecoveryIsRefused() async throws {
        let (store, fs) = try await Self.mountReadOnly("ext4-j.img", needsRecovery: true)
        await #expect(throws: Errno.EINVAL) { try await fs.makeWritable(store: store, clock: { Timespec(seconds: 0, nanoseconds: 0) }) }
        #expect(!fs.isWritable)
    }
}
