import Synchronization
import Testing
@testable import LichenCore

extension VFSTests {
    /// /dev: the memory devices through device nodes and the registry.
    @Suite struct DevfsTests {
        /// A namespace with a devtmpfs on /dev and the memory devices registered.
        func makeDev() async throws -> VFSFixture {
            let fx = VFSFixture()
            try await fx.mkdir("/dev")
            // A serial console line, as the console driver that bound would give (an 8250: ttyS0, 4:64).
            let consoleLine = Devfs.Node(name: Array("ttyS0".utf8), number: DeviceNumber(major: 4, minor: 64), mode: 0o600)
            let dev = try await Devfs.make(device: DeviceNumber(major: 0, minor: 5), clock: fx.clock.clock, driverNodes: [consoleLine])
            try await fx.vfs.mount(dev, on: vfsBytes("/dev"), context: fx.context)
            let counter = Atomic<UInt8>(0)
            try Devfs.registerMemoryDevices(in: fx.vfs.devices) { buffer in
                for i in buffer.indices { buffer[i] = counter.add(1, ordering: .relaxed).newValue }
            }
            return fx
        }

        @Test func nodesAndNumbers() async throws {
            let fx = try await makeDev()
            #expect(try await fx.list("/dev") == ["console", "full", "null", "ptmx", "random", "rtc0", "tty", "ttyS0", "urandom", "zero"])
            #expect(try await fx.stat("/dev/ptmx").rdev == DeviceNumber(major: 5, minor: 2))
            let null = try await fx.stat("/dev/null")
            #expect(null.type == .characterDevice && null.rdev == DeviceNumber(major: 1, minor: 3))
            #expect(null.mode & 0o777 == 0o666 && null.uid == 0 && null.gid == 0)
            #expect(try await fx.stat("/dev/console").mode & 0o777 == 0o600)
            #expect(try await fx.stat("/dev/ttyS0").rdev == DeviceNumber(major: 4, minor: 64))
            #expect(try await fx.stat("/dev/tty").rdev == DeviceNumber(major: 5, minor: 0))
            #expect(try await fx.stat("/dev").mode & 0o7777 == 0o755)
            // No tty driver yet: ENXIO. Registering twice: EBUSY.
            #expect(await vfsError { _ = try await fx.open("/dev/tty", .O_RDWR) } == .ENXIO)
            #expect(await vfsError { try fx.vfs.devices.register(.character, .null, NullDevice()) } == .EBUSY)
            fx.vfs.devices.unregister(.character, .null)
            #expect(await vfsError { _ = try await fx.open("/dev/null", .O_RDWR) } == .ENXIO)
        }

        @Test func nullZeroFull() async throws {
            let fx = try await makeDev()
            let user = fx.user(1000)
            let null = try await fx.open("/dev/null", .O_RDWR, context: user)
            #expect(try await vfsRead(null, count: 100).isEmpty)
            #expect(try await vfsWrite(null, Array(repeating: 7, count: 5000)) == 5000)
            #expect(try await null.seek(1234, whence: SeekWhence.SEEK_SET) == 0)
            let zero = try await fx.open("/dev/zero", .O_RDWR, context: user)
            let zeros = try await vfsRead(zero, count: 10_000)
            #expect(zeros.count == 10_000 && zeros.allSatisfy { $0 == 0 })
            #expect(try await vfsWrite(zero, [1, 2, 3]) == 3)
            #expect(try await vfsRead(zero, count: 3, at: 99) == [0, 0, 0])
            let full = try await fx.open("/dev/full", .O_RDWR, context: user)
            #expect(await vfsError { _ = try await vfsWrite(full, [1]) } == .ENOSPC)
            #expect(try await vfsRead(full, count: 4) == [0, 0, 0, 0])
            // O_TRUNC on a device is ignored, O_CREAT on an existing node opens it.
            _ = try await fx.open("/dev/null", [.O_WRONLY, .O_CREAT, .O_TRUNC], context: user)
            // Modes still apply: console is 0600 root.
            #expect(await vfsError { _ = try await fx.open("/dev/console", .O_RDWR, context: user) } == .EACCES)
        }

        @Test func randomUsesTheFillClosure() async throws {
            let fx = try await makeDev()
            let r = try await fx.open("/dev/urandom", .O_RDONLY)
            #expect(try await vfsRead(r, count: 4) == [1, 2, 3, 4])
            let r2 = try await fx.open("/dev/random", .O_RDWR)
            #expect(try await vfsRead(r2, count: 2) == [5, 6])
            #expect(try await vfsWrite(r2, [9, 9]) == 2)
        }

        @Test func deviceNodeOnAnotherFilesystemUsesTheSameDriver() async throws {
            let fx = try await makeDev()
            try await fx.vfs.mknod(vfsBytes("/mynull"), mode: FileMode.S_IFCHR | 0o666, device: .null, context: fx.context)
            let f = try await fx.open("/mynull", .O_RDWR)
            #expect(try await vfsWrite(f, [1, 2]) == 2)
            #expect(try await vfsRead(f, count: 10).isEmpty)
            #expect(f.status.rdev == .null)
            #expect(f.status.device == DeviceNumber(major: 0, minor: 20))
        }
    }
}
