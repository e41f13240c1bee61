// A tmpfs file's data: 4 KiB pages by page index, sparse (a missing page is a hole of zeros).

/// One page of file data, zero-filled when allocated.
final class TmpfsPage {
    let bytes: UnsafeMutableRawPointer

    init() {
        bytes = UnsafeMutableRawPointer.allocate(byteCount: pageSize, alignment: 16)
        bytes.initializeMemory(as: UInt8.self, repeating: 0, count: pageSize)
    }

    deinit {
        bytes.deallocate()
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

    /// The page at `index`, allocated if missing and `mayAllocate()` agrees (nil if not).
    mutating func page(at index: Int64, mayAllocate: () -> Bool) -> TmpfsPage? {
        if let last = indices.last, last < index {
            return mayAllocate() ? appendPage(index) : nil
        }
        let (i, found) = search(index)
        if found { return pages[i] }
        guard mayAllocate() else { return nil }
        let page = TmpfsPage()
        indices.insert(index, at: i)
        pages.insert(page, at: i)
        return page
    }

    private mutating func appendPage(_ index: Int64) -> TmpfsPage {
        let page = TmpfsPage()
        indices.append(index)
        pages.append(page)
        return page
    }

    /// The first allocated page index >= `index`.
    func firstIndex(atOrAfter index: Int64) -> Int64? {
        let (i, _) = search(index)
        return i < indices.count ? indices[i] : nil
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
