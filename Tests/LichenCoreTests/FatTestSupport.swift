import Foundation
import Testing
@testable import LichenCore

/// The images of tests/fat/make_images.py (mkfs.fat and mtools, made once per test run: the
/// tests fail, not skip, without dosfstools and mtools), and host tools to check what Lichen wrote.
enum FatImages {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let directory: String? = {
        let out = NSTemporaryDirectory() + "lichen-fat-tests-\(getpid())"
        return run(["python3", repo.path + "/tests/fat/make_images.py", out]).status == 0 ? out : nil
    }()

    @discardableResult
    static func run(_ arguments: [String], environment: [String: String] = [:]) -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = (env["PATH"] ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin"
        env["MTOOLS_SKIP_CHECK"] = "1"
        env["TZ"] = "UTC"
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        do { try p.run() } catch { return (-1, "\(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func image(_ name: String) throws -> [UInt8] {
        guard let directory else {
            Issue.record("tests/fat/make_images.py failed: are dosfstools and mtools installed (tools/ensure-deps.sh)?")
            throw Errno.EIO
        }
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
    }

    static func tree(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory! + "/tree/" + path)))
    }

    static let clock: VFSClock = { Timespec(seconds: 1_750_000_000, nanoseconds: 123_000_000) }

    static func mount(_ store: MemoryBlockStore, writable: Bool = true, options: FatMountOptions = FatMountOptions(uid: 0, gid: 0, umask: 0o022),
                      log: @escaping @Sendable (String) -> Void = { _ in }) async throws(Errno) -> FatFileSystem {
        var reason = ""
        let boot = try FatBootSector.parse(try await store.block(0), reason: &reason)
        return try await FatFileSystem.mount(boot, source: store, store: writable ? store : nil, options: options,
                                             device: DeviceNumber(major: 254, minor: 0), clock: clock, log: log)
    }

    static func store(_ name: String) throws -> MemoryBlockStore {
        MemoryBlockStore(try image(name), blockSize: 512)
    }

    static func resolve(_ fs: FatFileSystem, _ path: String) async throws(Errno) -> any Inode {
        var node = fs.root
        for part in path.split(separator: "/") { node = try await node.lookup(Array(part.utf8)) }
        return node
    }

    static func names(_ inode: any Inode) async throws(Errno) -> [String] {
        var out: [String] = []
        try await inode.readdir(from: 0) { e in
            out.append(String(decoding: e.name, as: UTF8.self))
            return true
        }
        return out
    }

    static func write(_ inode: any Inode, _ data: [UInt8], at offset: Int64 = 0) async throws(Errno) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(data.count, 1), alignment: 1)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: data)
        var done = 0
        while done < data.count {              // odd pieces, across sector and cluster boundaries
            let end = min(data.count, done + 7001)
            done += try await inode.write(at: offset + Int64(done), from: UnsafeRawBufferPointer(rebasing: buffer[done..<end]), append: false).count
        }
    }

    /// Writes the image to a file and returns `fsck.fat -n`'s status and output.
    static func fsck(_ image: [UInt8], name: String) throws -> (status: Int32, output: String, path: String) {
        let path = NSTemporaryDirectory() + "lichen-fat-\(getpid())-\(name).img"
        try Data(image).write(to: URL(fileURLWithPath: path))
        let r = run(["fsck.fat", "-n", path])
        return (r.status, r.output, path)
    }

    /// Every file of an image as mtools reads it (mcopy -s to a host directory): path -> contents.
    static func extract(_ imagePath: String) throws -> [String: [UInt8]] {
        let out = imagePath + ".tree"
        try? FileManager.default.removeItem(atPath: out)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let r = run(["mcopy", "-s", "-n", "-i", imagePath, "::/*", out + "/"])
        if r.status != 0 { Issue.record("mcopy failed: \(r.output)") }
        var files: [String: [UInt8]] = [:]
        let e = FileManager.default.enumerator(atPath: out)!
        while let rel = e.nextObject() as? String {
            var isDir: ObjCBool = false
            FileManager.default.fileExists(atPath: out + "/" + rel, isDirectory: &isDir)
            files[rel + (isDir.boolValue ? "/" : "")] = isDir.boolValue ? [] : [UInt8](try Data(contentsOf: URL(fileURLWithPath: out + "/" + rel)))
        }
        return files
    }
}
