import Testing
@testable import LichenCore

extension VFSTests {
    /// Random namespace operations checked against a small model of Linux's rules (which error,
    /// in which order), then the whole tree compared.
    @Suite struct ModelTests {
        enum Kind { case file, directory }

        struct Model {
            var nodes: [String: Kind] = [:]

            func parentError(_ path: String) -> Errno? {
                var current = ""
                for c in path.split(separator: "/").dropLast() {
                    current += "/" + c
                    guard let kind = nodes[current] else { return .ENOENT }
                    if kind == .file { return .ENOTDIR }
                }
                return nil
            }

            func hasChildren(_ path: String) -> Bool { nodes.keys.contains { $0.hasPrefix(path + "/") } }

            mutating func create(_ path: String, _ kind: Kind) -> Errno? {
                if let e = parentError(path) { return e }
                if nodes[path] != nil { return .EEXIST }
                nodes[path] = kind
                return nil
            }

            mutating func unlink(_ path: String) -> Errno? {
                if let e = parentError(path) { return e }
                guard let kind = nodes[path] else { return .ENOENT }
                if kind == .directory { return .EISDIR }
                nodes[path] = nil
                return nil
            }

            mutating func rmdir(_ path: String) -> Errno? {
                if let e = parentError(path) { return e }
                guard let kind = nodes[path] else { return .ENOENT }
                if kind == .file { return .ENOTDIR }
                if hasChildren(path) { return .ENOTEMPTY }
                nodes[path] = nil
                return nil
            }

            mutating func rename(_ from: String, _ to: String) -> Errno? {
                if let e = parentError(from) { return e }
                if let e = parentError(to) { return e }
                guard let source = nodes[from] else { return .ENOENT }
                let target = nodes[to]
                if source == .directory && to.hasPrefix(from + "/") { return .EINVAL }
                if target == .directory && from.hasPrefix(to + "/") { return .ENOTEMPTY }
                if from == to { return nil }
                if let target {
                    if source == .directory && target == .file { return .ENOTDIR }
                    if source == .file && target == .directory { return .EISDIR }
                    if target == .directory && hasChildren(to) { return .ENOTEMPTY }
                }
                nodes[to] = nil
                for (path, kind) in nodes where path == from || path.hasPrefix(from + "/") {
                    nodes[path] = nil
                    nodes[to + path.dropFirst(from.count)] = kind
                }
                return nil
            }
        }

        /// xorshift: reproducible.
        struct Random {
            var state: UInt64
            mutating func next(_ n: Int) -> Int {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                return Int(state % UInt64(n))
            }
        }

        @Test(arguments: [1, 2, 3, 4])
        func randomOperationsMatchTheModel(seed: UInt64) async throws {
            let fx = VFSFixture()
            let ctx = fx.context
            var model = Model()
            var rng = Random(state: 0x9E37_79B9_7F4A_7C15 &* seed)
            var paths: [String] = []
            for a in ["a", "b", "c"] {
                paths.append("/" + a)
                for b in ["a", "b", "c"] {
                    paths.append("/\(a)/\(b)")
                    for c in ["a", "b"] { paths.append("/\(a)/\(b)/\(c)") }
                }
            }
            var outcomes: [String: Int] = [:]  // how often each operation succeeded or failed how
            for step in 0..<1500 {
                let p = paths[rng.next(paths.count)], q = paths[rng.next(paths.count)]
                let expected: Errno?, actual: Errno?
                let op = rng.next(6)
                switch op {
                case 0, 1:
                    expected = model.create(p, .directory)
                    actual = await vfsError { try await fx.vfs.mkdir(vfsBytes(p), mode: 0o755, context: ctx) }
                case 2:
                    expected = model.create(p, .file)
                    actual = await vfsError { _ = try await fx.open(p, [.O_CREAT, .O_EXCL, .O_WRONLY]) }
                case 3:
                    expected = model.unlink(p)
                    actual = await vfsError { try await fx.vfs.unlink(vfsBytes(p), context: ctx) }
                case 4:
                    expected = model.rmdir(p)
                    actual = await vfsError { try await fx.vfs.rmdir(vfsBytes(p), context: ctx) }
                default:
                    expected = model.rename(p, q)
                    actual = await vfsError { try await fx.vfs.rename(vfsBytes(p), to: vfsBytes(q), context: ctx) }
                }
                #expect(actual == expected, "step \(step): \(p) \(q)")
                outcomes["\(op):\(expected?.rawValue ?? 0)", default: 0] += 1
                if actual != expected { break }
            }
            // The walk covered successes of every operation and the interesting errors.
            for op in 0..<6 { #expect(outcomes["\(op):0", default: 0] > 5, "op \(op) rarely succeeded: \(outcomes)") }
            for e in [Errno.EINVAL, .ENOTEMPTY, .ENOTDIR, .EISDIR, .ENOENT] {
                #expect(outcomes["5:\(e.rawValue)", default: 0] > 0, "rename never gave \(e.rawValue): \(outcomes)")
            }
            // The trees agree, and every directory's link count and size match its contents.
            var found: [String: Kind] = [:]
            var stack = ["/"]
            while let dir = stack.popLast() {
                let children = try await fx.list(dir)
                let st = try await fx.stat(dir)
                var subdirectories = 0
                for c in children {
                    let path = (dir == "/" ? "" : dir) + "/" + c
                    let isDirectory = try await fx.stat(path).type == .directory
                    found[path] = isDirectory ? .directory : .file
                    if isDirectory {
                        subdirectories += 1
                        stack.append(path)
                        #expect(try await fx.stat(path + "/..").ino == st.ino)
                    }
                }
                #expect(st.nlink == UInt32(2 + subdirectories), "\(dir)")
                #expect(st.size == Int64(40 + 20 * children.count), "\(dir)")
            }
            #expect(found == model.nodes)
            #expect(fx.tmpfs.inodeCount == Int64(1 + model.nodes.count))
        }
    }
}
