// A tmpfs file's data: 4 KiB pages by page index, sparse (a missing page is a hole of zeros).

/// Where tmpfs pages come from: the heap by default (host tests); the kernel installs whole frames
/// (a heap allocation of exactly one page takes two, its header needing room) that may run out.
/// The kernel counts references on them like user pages: the file holds one, each page-table entry
/// of a mapping another (`retain`), and the frame is freed when the last goes (`release`).
public enum TmpfsPageMemory {
    nonisolated(unsafe) public static var allocate: () -> UnsafeMutableRawPointer? = {
        UnsafeMutableRawPointer.allocate(byteCount: pageSize, alignment: 16)
    }
    nonisolated(unsafe) public static var release: (UnsafeMutableRawPointer) -> Void = { $0.deallocate() }
    /// A mapping takes a reference on the page (under the file's lock): `FilePageCache.mapPage`.
    nonisolated(unsafe) public static var retain: (UnsafeMutableRawPointer) -> Void = { _ in }
}

/// One page of file data, zero-filled when allocated.
final class TmpfsPage {
    let bytes: UnsafeMutableRawPointer

    /// nil when memory is exhausted (the write comes up short: ENOSPC).
    init?() {
        guard let bytes = TmpfsPageMemory.allocate() else { return nil }
        self.bytes = bytes
        bytes.initializeMemory(as: UInt8.self, repeating: 0, count: pageSize)
    }

    deinit {
        TmpfsPageMemory.release(bytes)
    }
}

/// The pages of a file, sorted by index (binary search; appending at the end is the fast path).
struct PageStore {
    private var indices: [Int64] = []
    private var pages: [TmpfsPage] = []

    var count: Int { pages.count }

    func find(_ index: Int64) -> TmpfsPage? {
        let (i, found) = search(index)
        return found ? pages[i] : nil
    }

    /// The page at `index`, allocated if missing and `mayAllocate()` agrees (nil if not, or if
    /// memory is exhausted: then `undo()` takes the charge back).
    mutating func page(at index: Int64, mayAllocate: () -> Bool, undo: () -> Void) -> TmpfsPage? {
        if let last = indices.last, last < index {
            guard mayAllocate() else { return nil }
            guard let page = TmpfsPage() else { undo(); return nil }
            indices.append(index)
            pages.append(page)
            return page
        }
        let (i, found) = search(index)
        if found { return pages[i] }
        guard mayAllocate() else { return nil }
        guard let page = TmpfsPage() else { undo(); return nil }
        indices.insert(index, at: i)
        pages.insert(page, at: i)
        return page
    }


    /// The first allocated page index >= `index`.
    func firstIndex(atOrAfter index: Int64) -> Int64? {
        let (i, _) = search(index)
        return i < indices.count ? indices[i] : nil
    }

    /// Drops the page at `index`; whether there was one.
    mutating func remove(_ index: Int64) -> Bool {
        let (i, found) = search(index)
        guard found else { return false }
        indices.remove(at: i)
        pages.remove(at: i)
        return true
    }

    /// Drops every page at `index` or beyond; returns how many.
    mutating func removeAll(from index: Int64) -> Int {
        let (i, _) = search(index)
        let removed = indices.count - i
        indices.removeSubrange(i...)
        pages.removeSubrange(i...)
        return removed
    }

    private func search(_ index: Int64) -> (Int, Bool) {
        var lo = 0
        var hi = indices.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if indices[mid] == index { return (mid, true) }
            if indices[mid] < index { lo = mid + 1 } else { hi = mid }
        }
        return (lo, false)
    }
}
