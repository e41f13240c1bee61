import Testing
@testable import LichenCore

/// F_SETOWN / F_SETOWN_EX / F_SETSIG values as Linux stores and reports them.
@Suite struct FileSignalOwnerTests {
    func errno(_ body: () throws(Errno) -> Void) -> Errno? {
        do throws(Errno) { try body(); return nil } catch { return error }
    }

    @Test func setownTakesProcessesAndNegativeGroups() throws {
        var o = FileSignalOwner()
        #expect(o.type == FileSignalOwner.F_OWNER_TID && o.pid == 0 && o.ownerArgument == 0)
        try o.setOwner(Int32(42))
        #expect(o.type == FileSignalOwner.F_OWNER_PID && o.pid == 42 && o.ownerArgument == 42)
        try o.setOwner(Int32(-7))
        #expect(o.type == FileSignalOwner.F_OWNER_PGRP && o.pid == 7 && o.ownerArgument == -7)
        #expect(errno { () throws(Errno) in try o.setOwner(Int32.min) } == .EINVAL)
    }

    @Test func setownExChecksTheType() throws {
        var o = FileSignalOwner()
        try o.setOwner(LinuxFOwnerEx(type: FileSignalOwner.F_OWNER_TID, pid: 9))
        #expect(o.type == FileSignalOwner.F_OWNER_TID && o.ownerArgument == 9)
        #expect(errno { () throws(Errno) in try o.setOwner(LinuxFOwnerEx(type: 3, pid: 1)) } == .EINVAL)
        #expect(errno { () throws(Errno) in try o.setOwner(LinuxFOwnerEx(type: -1, pid: 1)) } == .EINVAL)
        #expect(o.pid == 9)
    }

    @Test func setsigAcceptsZeroToSixtyFour() throws {
        var o = FileSignalOwner()
        try o.setSignal(64)
        #expect(o.signal == 64)
        try o.setSignal(0)
        #expect(o.signal == 0)
        #expect(errno { () throws(Errno) in try o.setSignal(65) } == .EINVAL)
        #expect(errno { () throws(Errno) in try o.setSignal(UInt32.max) } == .EINVAL)
    }
}
