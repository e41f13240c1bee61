// Typed addresses. A physical address, a kernel virtual address and a user virtual address are
// different things; the type system keeps them apart so that none is used where another belongs.

public let pageShift = 12
public let pageSize = 1 << pageShift

/// Common arithmetic of the three address kinds.
public protocol TypedAddress: Hashable, Comparable, Sendable {
    var value: UInt64 { get }
    init(_ value: UInt64)
}

extension TypedAddress {
    public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
    public static func + (a: Self, offset: UInt64) -> Self { Self(a.value &+ offset) }
    public static func - (a: Self, offset: UInt64) -> Self { Self(a.value &- offset) }
    /// Distance in bytes from `b` up to `a`.
    public static func - (a: Self, b: Self) -> UInt64 { a.value &- b.value }

    public var isPageAligned: Bool { value & UInt64(pageSize - 1) == 0 }
    public func isAligned(to alignment: UInt64) -> Bool { value & (alignment - 1) == 0 }
    public func alignedDown(to alignment: UInt64) -> Self { Self(value & ~(alignment - 1)) }
    /// Rounds up; wraps to zero at the very top of the address space.
    public func alignedUp(to alignment: UInt64) -> Self { Self((value &+ alignment &- 1) & ~(alignment - 1)) }
    public var pageAlignedDown: Self { alignedDown(to: UInt64(pageSize)) }
    public var pageAlignedUp: Self { alignedUp(to: UInt64(pageSize)) }
    public var pageOffset: UInt64 { value & UInt64(pageSize - 1) }
}

/// A physical (bus) address.
public struct PhysAddr: TypedAddress {
    public let value: UInt64
    @inline(__always) public init(_ value: UInt64) { self.value = value }
    public var frame: FrameNumber { FrameNumber(value >> UInt64(pageShift)) }
}

/// A kernel virtual address (upper half on AArch64).
public struct VirtAddr: TypedAddress {
    public let value: UInt64
    @inline(__always) public init(_ value: UInt64) { self.value = value }
    public var page: PageNumber { PageNumber(value >> UInt64(pageShift)) }
}

/// An address in a user process's address space. Never dereferenced directly: only the
/// user-copy routines turn it into an access, with fault handling.
public struct UserAddr: TypedAddress {
    public let value: UInt64
    @inline(__always) public init(_ value: UInt64) { self.value = value }
    /// User space is [0, limit): the lower half of the 48-bit range; the kernel has the upper half.
    public static let limit: UInt64 = 0x0000_8000_0000_0000
    /// Whether [self, self+count) lies wholly in user space (the check every user access makes
    /// first, since kernel memory is mapped in the same tables).
    public func rangeIsUser(count: Int) -> Bool {
        guard count >= 0 else { return false }
        let (end, overflow) = value.addingReportingOverflow(UInt64(count))
        return !overflow && end <= UserAddr.limit
    }
    public var page: PageNumber { PageNumber(value >> UInt64(pageShift)) }
}

/// Index of a 4 KiB physical frame.
public struct FrameNumber: Hashable, Comparable, Sendable {
    public let value: UInt64
    @inline(__always) public init(_ value: UInt64) { self.value = value }
    public var address: PhysAddr { PhysAddr(value << UInt64(pageShift)) }
    public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
    public static func + (a: Self, n: UInt64) -> Self { Self(a.value + n) }
}

/// Index of a 4 KiB virtual page.
public struct PageNumber: Hashable, Comparable, Sendable {
    public let value: UInt64
    @inline(__always) public init(_ value: UInt64) { self.value = value }
    public var kernelAddress: VirtAddr { VirtAddr(value << UInt64(pageShift)) }
    public var userAddress: UserAddr { UserAddr(value << UInt64(pageShift)) }
    public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
}

/// A half-open range of physical memory [start, start+size).
public struct PhysRange: Hashable, Sendable {
    public var start: PhysAddr
    public var size: UInt64
    public init(start: PhysAddr, size: UInt64) { self.start = start; self.size = size }
    public init(start: PhysAddr, end: PhysAddr) { self.start = start; self.size = end - start }
    public var end: PhysAddr { start + size }
    public var isEmpty: Bool { size == 0 }
    public func contains(_ a: PhysAddr) -> Bool { a >= start && a < end }
    public func overlaps(_ o: PhysRange) -> Bool { start < o.end && o.start < end }
}
