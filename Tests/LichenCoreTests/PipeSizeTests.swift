import Testing
@testable import LichenCore

/// F_GETPIPE_SZ / F_SETPIPE_SZ: rounding, limits, EBUSY, and data kept across a resize.
@Suite struct PipeSizeTests {
    func errno(_ body: () throws(Errno) -> Int) -> Errno? {
        do throws(Errno) { _ = try body(); return nil } catch { return error }
    }

    @Test func sizesRoundUpToPowersOfTwoPages() {
        #expect(Pipe.roundedSize(0) == 4096 && Pipe.roundedSize(1) == 4096 && Pipe.roundedSize(4096) == 4096)
        #expect(Pipe.roundedSize(4097) == 8192 && Pipe.roundedSize(65537) == 131072)
        #expect(Pipe.roundedSize(1 << 31) == 1 << 31 && Pipe.roundedSize((1 << 31) + 1) == nil && Pipe.roundedSize(UInt32.max) == nil)
    }

    @Test func limitsForTheUnprivilegedAndForMemory() throws {
        let (r, _) = Pipe.makeAnonymous()
        let pipe = r.operations as! Pipe
        #expect(pipe.capacity == 65536)
        #expect(errno { () throws(Errno) in try pipe.setCapacity(1 << 20 + 1, privileged: false) } == .EPERM)
        #expect(try pipe.setCapacity(1 << 20, privileged: false) == 1 << 20)
        #expect(try pipe.setCapacity(1 << 21, privileged: true) == 1 << 21)
        #expect(try pipe.setCapacity(1 << 21, privileged: false) == 1 << 21)      // not growing: allowed
        #expect(errno { () throws(Errno) in try pipe.setCapacity(1 << 31, privileged: true) } == .ENOMEM)
        #expect(errno { () throws(Errno) in try pipe.setCapacity(UInt32.max, privileged: true) } == .EINVAL)
        #expect(try pipe.setCapacity(1, privileged: false) == 4096 && pipe.capacity == 4096)
    }

    /// sysfuzz seed 12: F_SETPIPE_SZ of 8 MiB as root trapped the kernel heap (its largest run is
    /// 4 MiB with the header). The ring must fit one run; beyond, and when memory is short, ENOMEM.
    @Test func theRingFitsOneHeapRunAndShortMemoryIsENOMEM() throws {
        #expect(Pipe.maximumSize + HeapSizeClass.headerBytes <= Pipe.pageSize << FrameAllocator.maxOrder)
        let (r, _) = Pipe.makeAnonymous()
        let pipe = r.operations as! Pipe
        for size: UInt32 in [4 << 20, 8 << 20, 16 << 20] {
            #expect(errno { () throws(Errno) in try pipe.setCapacity(size, privileged: true) } == .ENOMEM)
        }
        #expect(errno { () throws(Errno) in try pipe.setCapacity(1 << 20, privileged: true, hasRoom: { _ in false }) } == .ENOMEM)
        #expect(pipe.capacity == 65536)
        #expect(try pipe.setCapacity(4096, privileged: true, hasRoom: { _ in false }) == 4096)   // shrinking needs no room
    }

    @Test func shrinkingBelowTheContentIsEBUSYAndDataSurvives() async throws {
        let (r, w) = Pipe.makeAnonymous()
        let pipe = r.operations as! Pipe
        let data = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 % 253) }
        #expect(try await vfsWrite(w, data) == data.count)
        #expect(errno { () throws(Errno) in try pipe.setCapacity(8192, privileged: false) } == .EBUSY)
        _ = try await vfsRead(r, count: 3000)                                  // the ring now wraps later
        #expect(try pipe.setCapacity(8192, privileged: false) == 8192)
        #expect(try await vfsRead(r, count: 10_000) == Array(data[3000...]))
    }
}
