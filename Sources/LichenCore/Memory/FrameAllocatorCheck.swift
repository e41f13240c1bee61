extension FrameAllocator {
    /// Full walk of the metadata and free lists checking every invariant (for tests and
    /// debugging; O(frames)). Returns false at the first inconsistency.
    public func checkConsistency() -> Bool {
        // Every usable frame belongs to one aligned block whose other frames are tails.
        var usable = 0
        var free = 0
        var counts = InlineArray<11, Int>(repeating: 0)
        var i = 0
        while i < frameCount {
            let state = meta[i].state
            if state == .reserved { i += 1; continue }
            guard state == .free || state == .allocated else { return false }
            let size = 1 << Int(meta[i].order)
            guard i & (size - 1) == 0, i + size <= frameCount else { return false }
            for t in (i + 1)..<(i + size) where meta[t].state != .tail { return false }
            usable += size
            if state == .free {
                free += size
                counts[Int(meta[i].order)] += 1
                // Two free buddies of the same order should have merged.
                let buddy = i ^ size
                if Int(meta[i].order) < Self.maxOrder, buddy < frameCount,
                   meta[buddy].state == .free, meta[buddy].order == meta[i].order { return false }
            }
            i += size
        }
        guard usable == stats.totalFrames, free == stats.freeFrames else { return false }
        // The free lists hold exactly the free heads, with consistent links.
        for o in 0...Self.maxOrder {
            var n = 0
            var prev = FrameInfo.noLink
            var cur = heads[o]
            while cur != FrameInfo.noLink {
                let f = meta[Int(cur)]
                guard f.state == .free, Int(f.order) == o, f.prev == prev, n < frameCount else { return false }
                n += 1
                prev = cur
                cur = f.next
            }
            guard n == counts[o], n == stats.blockCounts[o] else { return false }
        }
        return true
    }
}
