import Foundation
import Testing
@testable import LichenCore

/// The images of tests/jbd2/make_journals.py (journals written by e2fsprogs' debugfs, and their
/// replay by debugfs), made once per test run; the tests fail, never skip, without e2fsprogs.
enum Jbd2Images {
    static let directory: String? = {
        let out = NSTemporaryDirectory() + "lichen-jbd2-tests-\(getpid())"
        return run(["python3", repo + "/tests/jbd2/make_journals.py", out]) == 0 ? out : nil
    }()

    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @discardableResult
    static func run(_ arguments: [String], output: UnsafeMutablePointer<String>? = nil) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        p.environment = ProcessInfo.processInfo.environment.merging(["PATH": (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/sbin"]) { $1 }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        do { try p.run() } catch { return -1 }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        output?.pointee = String(decoding: data, as: UTF8.self)
        return p.terminationStatus
    }

    static func file(_ name: String) throws -> [UInt8] {
        guard let directory else {
            Issue.record("tests/jbd2/make_journals.py failed: is e2fsprogs (mke2fs, debugfs) installed?")
            throw Errno.EIO
        }
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
    }

    static func blocks(_ name: String) throws -> [UInt64] {
        String(decoding: try file(name + ".blocks"), as: UTF8.self).split(separator: "\n").map { UInt64($0)! }
    }

    static func superblock(_ image: [UInt8]) throws -> Ext4Superblock {
        var reason = ""
        return try Ext4Superblock.parse(Array(image[1024..<2048]), pageSize: 4096, reason: &reason)
    }

    /// Runs e2fsprogs on a copy of `image` written to a file; returns the exit status and the image after.
    static func e2fsprogs(_ arguments: [String], on image: [UInt8], output: UnsafeMutablePointer<String>? = nil) -> (Int32, [UInt8]) {
        let path = NSTemporaryDirectory() + "lichen-jbd2-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).img"
        FileManager.default.createFile(atPath: path, contents: Data(image))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let status = run(arguments + [path], output: output)
        let after = (try? Data(contentsOf: URL(fileURLWithPath: path))).map { [UInt8]($0) } ?? []
        return (status, after)
    }

    /// Lichen's recovery of `image` (as a mount does it), the store afterwards, and the log lines.
    static func recover(_ image: [UInt8]) async throws -> (MemoryBlockStore, [String], Ext4Superblock) {
        let sb = try superblock(image)
        let store = MemoryBlockStore(image, blockSize: sb.blockSize)
        let lines = LogLines()
        let after = try await Ext4Journal.recover(sb, store: store, pageSize: 4096) { lines.append($0) }
        return (store, lines.all, after)
    }
}

final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ s: String) { lock.lock(); lines.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}
