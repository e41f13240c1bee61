// Where the journal lives: "journal block i -> device block", as runs of contiguous blocks. ext4
// builds it from its journal inode (Ext4JournalLog), so jbd2 itself knows nothing of ext4.

public struct Jbd2Run: Sendable, Equatable {
    public var logical: UInt32
    public var physical: UInt64
    public var count: UInt32

    public init(logical: UInt32, physical: UInt64, count: UInt32) {
        self.logical = logical
        self.physical = physical
        self.count = count
    }
}

public struct Jbd2Log: Sendable {
    /// Sorted by `logical`, contiguous from 0 (every journal block is mapped: no holes).
    public let runs: [Jbd2Run]
    public let length: UInt32

    /// EUCLEAN when the runs leave a hole or overlap (a journal inode must be fully allocated).
    public init(runs: [Jbd2Run]) throws(Errno) {
        var next: UInt32 = 0
        for run in runs {
            guard run.logical == next, run.count > 0, run.count <= UInt32.max - next else { throw .EUCLEAN }
            next += run.count
        }
        self.runs = runs
        length = next
    }

    /// The device block of journal block `block` (EUCLEAN past the end: a corrupt log pointer).
    public func device(_ block: UInt32) throws(Errno) -> UInt64 {
        var low = 0, high = runs.count
        while low < high {
            let mid = (low + high) / 2
            let run = runs[mid]
            if block < run.logical { high = mid } else if block - run.logical >= run.count { low = mid + 1 } else {
                return run.physical + UInt64(block - run.logical)
            }
        }
        throw .EUCLEAN
    }
}

/// The journal on its device: reads and writes journal blocks through the map.
struct Jbd2Device {
    let store: any BlockStore
    let log: Jbd2Log

    func read(_ block: UInt32) async throws(Errno) -> [UInt8] { try await store.block(try log.device(block)) }
    func write(_ block: UInt32, _ data: [UInt8]) async throws(Errno) { try await store.write(try log.device(block), data) }
}
