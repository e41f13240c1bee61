import Foundation
import Testing
@testable import LichenCore

/// An image in memory as the block source.
final class Ext4MemorySource: Ext4BlockSource, @unchecked Sendable {
    var image: [UInt8]
    let blockSize: Int
    init(_ image: [UInt8], blockSize: Int) {
        self.image = image
        self.blockSize = blockSize
    }
    func block(_ number: UInt64) async throws(Errno) -> [UInt8] {
        let from = Int(number) * blockSize
        guard from + blockSize <= image.count else { throw .EIO }
        return Array(image[from..<from + blockSize])
    }
}

/// The images of tests/ext4/make_images.py, made once per test run with the host's mke2fs (the
/// script fails, and so do these tests, when e2fsprogs is missing: they never skip silently).
enum Ext4Images {
    static let directory: String? = {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let out = NSTemporaryDirectory() + "lichen-ext4-tests-\(getpid())"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", repo.path + "/tests/ext4/make_images.py", out]
        p.standardOutput = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        p.waitUntilExit()
        return p.terminationStatus == 0 ? out : nil
    }()

    static func image(_ name: String) throws -> [UInt8] {
        guard let directory = directory else {
            Issue.record("tests/ext4/make_images.py failed: is e2fsprogs (mke2fs, debugfs) installed?")
            throw Errno.EIO
        }
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
    }

    static func tree(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory! + "/tree/" + path)))
    }

    static func mount(_ image: [UInt8], as type: Ext4Type = .ext4, log: @escaping @Sendable (String) -> Void = { _ in })
        async throws(Errno) -> Ext4FileSystem {
        guard image.count >= 2048 else { throw .EINVAL }
        var reason = ""
        let sb = try Ext4Superblock.parse(Array(image[1024..<2048]), pageSize: 4096, reason: &reason)
        if sb.refusal(as: type) != nil { throw .EINVAL }
        return try await Ext4FileSystem.mount(sb, source: Ext4MemorySource(image, blockSize: sb.blockSize), type: type,
                                              device: DeviceNumber(major: 254, minor: 1), log: log)
    }

    static func resolve(_ fs: Ext4FileSystem, _ path: String) async throws(Errno) -> any Inode {
        var node = fs.root
        for part in path.split(separator: "/") { node = try await node.lookup(Array(part.utf8)) }
        return node
    }

    static func contents(_ inode: any Inode, limit: Int64 = 64 << 20) async throws(Errno) -> [UInt8] {
        let size = Int(min(inode.metadata.size, limit))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: 1)
        defer { buffer.deallocate() }
        var done = 0
        while done < size {            // odd-sized pieces, crossing block boundaries
            let n = try await inode.read(at: Int64(done), into: UnsafeMutableRawBufferPointer(rebasing: buffer[done..<min(size, done + 5000)]))
            if n == 0 { break }
            done += n
        }
        return Array(buffer[0..<done])
    }

    static func names(_ inode: any Inode) async throws(Errno) -> [String] {
        var out: [String] = []
        try await inode.readdir(from: 0) { e in
            out.append(String(decoding: e.name, as: UTF8.self))
            return true
        }
        return out
    }
}
