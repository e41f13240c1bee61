// Fixed-size C arrays of the Linux ABI structures, as Swift tuples (which Swift lays out like C arrays),
// and the helpers that read and fill them as bytes.

/// `char[65]`: one field of `struct new_utsname`.
public typealias LinuxUtsnameField = (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)
/// `cc_t c_cc[NCCS]` (NCCS = 19).
public typealias LinuxControlChars = (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)

@usableFromInline let linuxZeroUtsnameField: LinuxUtsnameField = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
@usableFromInline let linuxZeroControlChars: LinuxControlChars = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

/// Fills the bytes of a fixed array (a homogeneous tuple of integers) from `bytes`, NUL-terminated and
/// truncated to leave room for the terminator, the rest zero: how the kernel copies a string into a
/// `char[N]` field. Returns the number of bytes copied (without the NUL).
@discardableResult
public func linuxFillCString<T, C: Collection>(_ array: inout T, from bytes: C) -> Int where C.Element == UInt8 {
    withUnsafeMutableBytes(of: &array) { raw in
        var count = 0
        for byte in bytes {
            if count + 1 >= raw.count || byte == 0 { break }
            raw[count] = byte
            count += 1
        }
        for i in count..<raw.count { raw[i] = 0 }
        return count
    }
}

/// The bytes of a fixed `char[N]` array up to its first NUL (or all of them).
public func linuxCStringBytes<T>(_ array: T) -> [UInt8] {
    withUnsafeBytes(of: array) { raw in
        var result: [UInt8] = []
        for byte in raw {
            if byte == 0 { break }
            result.append(byte)
        }
        return result
    }
}

/// Reads element `index` of a homogeneous tuple of `Element` (nil past its end).
public func linuxTupleElement<T, Element: FixedWidthInteger>(_ tuple: T, _ index: Int, as: Element.Type = Element.self) -> Element? {
    let stride = MemoryLayout<Element>.stride
    guard index >= 0, (index + 1) * stride <= MemoryLayout<T>.size else { return nil }
    return withUnsafeBytes(of: tuple) { $0.loadUnaligned(fromByteOffset: index * stride, as: Element.self) }
}

/// Writes element `index` of a homogeneous tuple of `Element`; false (and no change) past its end.
@discardableResult
public func linuxSetTupleElement<T, Element: FixedWidthInteger>(_ tuple: inout T, _ index: Int, _ value: Element) -> Bool {
    let stride = MemoryLayout<Element>.stride
    guard index >= 0, (index + 1) * stride <= MemoryLayout<T>.size else { return false }
    withUnsafeMutableBytes(of: &tuple) { $0.storeBytes(of: value, toByteOffset: index * stride, as: Element.self) }
    return true
}

/// The raw bytes of an ABI structure, as they go to user memory.
public func linuxBytes<T>(of value: T) -> [UInt8] {
    withUnsafeBytes(of: value) { Array($0) }
}
