import LichenCore
import Synchronization

/// The writable /proc/sys/fs integers: fs.protected_hardlinks, protected_symlinks, protected_fifos
/// and protected_regular (root writes them, as sysctl does; 0644 like Linux).
enum ProcSysKnobs {
    static func linkProtection(firstIno: UInt64) -> [(String, any Inode)] {
        typealias Get = @Sendable (LinkProtection) -> Int
        typealias Set = @Sendable (inout LinkProtection, Int) -> Void
        func knob(_ name: String, _ i: UInt64, max: Int, _ get: @escaping Get, _ set: @escaping Set) -> (String, any Inode) {
            (name, ProcTunable.integer(ino: firstIno + i, range: 0...max,
                                       get: { RootFilesystem.vfs.map { get($0.mounts.linkProtection) } ?? 0 },
                                       set: { value in
                                           guard let mounts = RootFilesystem.vfs?.mounts else { return }
                                           var p = mounts.linkProtection
                                           set(&p, value)
                                           mounts.linkProtection = p
                                       }))
        }
        return [knob("protected_fifos", 0, max: 2, { $0.fifos }, { $0.fifos = $1 }),
                knob("protected_hardlinks", 1, max: 1, { $0.hardlinks }, { $0.hardlinks = $1 }),
                knob("protected_regular", 2, max: 2, { $0.regular }, { $0.regular = $1 }),
                knob("protected_symlinks", 3, max: 1, { $0.symlinks }, { $0.symlinks = $1 })]
    }
}

extension ProcSysKnobs {
    /// /proc/sys/fs/inotify: max_queued_events, max_user_instances, max_user_watches (FsNotify's limits).
    static func inotify(firstIno: UInt64) -> [(String, any Inode)] {
        func knob(_ i: UInt64, _ get: @escaping @Sendable () -> Int, _ set: @escaping @Sendable (Int) -> Void) -> any Inode {
            ProcTunable.integer(ino: firstIno + i, range: 0...Int(Int32.max), get: get, set: set)
        }
        let n = FsNotify.shared
        return [("max_queued_events", knob(0, { n.maxQueuedEvents.load(ordering: .relaxed) }, { n.maxQueuedEvents.store($0, ordering: .relaxed) })),
                ("max_user_instances", knob(1, { n.maxUserInstances.load(ordering: .relaxed) }, { n.maxUserInstances.store($0, ordering: .relaxed) })),
                ("max_user_watches", knob(2, { n.maxUserWatches.load(ordering: .relaxed) }, { n.maxUserWatches.store($0, ordering: .relaxed) }))]
    }
}

/// /proc/sys/kernel/core_pattern and core_uses_pid (root writes them; CoreDump reads them).
enum ProcCoreDumpKnobs {
    static func files(firstIno: UInt64) -> [(String, any Inode)] {
        [("core_pattern", ProcTunable(ino: firstIno, text: { CoreDump.settings.withLock { $0.pattern } + [0x0a] },
                                      store: { (text: [UInt8]) throws(Errno) in try CoreDump.setPattern(text) })),
         ("core_uses_pid", ProcTunable.integer(ino: firstIno + 1, range: 0...999_999_999,
                                               get: { CoreDump.settings.withLock { $0.usesPID } },
                                               set: { value in CoreDump.settings.withLock { $0.usesPID = value } }))]
    }
}
