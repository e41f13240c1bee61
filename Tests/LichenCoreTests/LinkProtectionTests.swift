import Testing
@testable import LichenCore

/// fs.protected_* rules, from proc(5).
@Suite struct LinkProtectionTests {
    let debian = LinkProtection()
    let user = Credentials(uid: 1000, gid: 1000)
    let tmp = InodeMetadata(ino: 1, mode: FileMode.S_IFDIR | 0o1777, uid: 0, gid: 0, nlink: 2, time: Timespec(seconds: 0, nanoseconds: 0))

    func file(_ mode: UInt32, uid: UInt32, type: UInt32 = FileMode.S_IFREG) -> InodeMetadata {
        InodeMetadata(ino: 2, mode: type | mode, uid: uid, gid: uid, nlink: 1, time: Timespec(seconds: 0, nanoseconds: 0))
    }

    @Test func symlinksInStickyWorldWritableDirectories() {
        let link = file(0o777, uid: 2000, type: FileMode.S_IFLNK)
        #expect(!user.mayFollowLink(link, in: tmp, debian))
        #expect(!Credentials.root.mayFollowLink(link, in: tmp, debian))            // no capability overrides it
        #expect(user.mayFollowLink(file(0o777, uid: 1000, type: FileMode.S_IFLNK), in: tmp, debian))
        #expect(user.mayFollowLink(file(0o777, uid: 0, type: FileMode.S_IFLNK), in: tmp, debian))   // the directory's owner's
        var notSticky = tmp
        notSticky.mode = FileMode.S_IFDIR | 0o777
        #expect(user.mayFollowLink(link, in: notSticky, debian))
        #expect(user.mayFollowLink(link, in: tmp, .off))
    }

    @Test func hardlinks() {
        #expect(!user.mayHardLink(file(0o600, uid: 0), debian))                   // cannot read and write it
        #expect(user.mayHardLink(file(0o666, uid: 0), debian))
        #expect(!user.mayHardLink(file(0o4777, uid: 0), debian))                  // set-user-ID
        #expect(!user.mayHardLink(file(0o2777, uid: 0), debian))                  // set-group-ID and group-executable
        #expect(!user.mayHardLink(file(0o666, uid: 0, type: FileMode.S_IFIFO), debian))
        #expect(user.mayHardLink(file(0o600, uid: 1000), debian))                 // one's own
        #expect(Credentials.root.mayHardLink(file(0o4700, uid: 5), debian))       // CAP_FOWNER
        #expect(user.mayHardLink(file(0o600, uid: 0), .off))
    }

    @Test func createOpensInStickyDirectories() {
        #expect(!user.mayOpenExistingForCreate(file(0o666, uid: 2000), in: tmp, debian))
        #expect(!Credentials.root.mayOpenExistingForCreate(file(0o666, uid: 2000), in: tmp, debian))
        #expect(user.mayOpenExistingForCreate(file(0o666, uid: 1000), in: tmp, debian))
        #expect(user.mayOpenExistingForCreate(file(0o666, uid: 0), in: tmp, debian))         // the directory owner's
        #expect(!user.mayOpenExistingForCreate(file(0o666, uid: 2000, type: FileMode.S_IFIFO), in: tmp, debian))
        var groupSticky = tmp
        groupSticky.mode = FileMode.S_IFDIR | 0o1770
        #expect(!user.mayOpenExistingForCreate(file(0o666, uid: 2000), in: groupSticky, debian))   // regular at level 2
        #expect(user.mayOpenExistingForCreate(file(0o666, uid: 2000, type: FileMode.S_IFIFO), in: groupSticky, debian))
        #expect(user.mayOpenExistingForCreate(file(0o666, uid: 2000), in: tmp, .off))
    }
}
