// Number formatting for the kernel log and panic reports. Integer-only (the kernel has no FP).

public enum Format {
    private static let digits: StaticString = "0123456789abcdef"

    /// `value` in hexadecimal, zero-padded to `width` digits, with a `0x` prefix if asked.
    public static func hex(_ value: UInt64, width: Int = 16, prefix: Bool = true) -> String {
        var buffer: [UInt8] = []
        var v = value
        repeat {
            buffer.append(digit(Int(v & 0xf)))
            v >>= 4
        } while v != 0
        while buffer.count < width { buffer.append(UInt8(ascii: "0")) }
        if prefix { buffer.append(UInt8(ascii: "x")); buffer.append(UInt8(ascii: "0")) }
        return String(decoding: buffer.reversed(), as: UTF8.self)
    }

    /// `value` in decimal, right-aligned (space-padded) to `width` characters.
    public static func decimal(_ value: UInt64, width: Int = 0, pad: UInt8 = UInt8(ascii: " ")) -> String {
        var buffer: [UInt8] = []
        var v = value
        repeat {
            buffer.append(digit(Int(v % 10)))
            v /= 10
        } while v != 0
        while buffer.count < width { buffer.append(pad) }
        return String(decoding: buffer.reversed(), as: UTF8.self)
    }

    /// The dmesg-style timestamp `[    5.001234]` for a time in nanoseconds.
    public static func timestamp(nanoseconds: UInt64) -> String {
        let seconds = nanoseconds / 1_000_000_000
        let micros = (nanoseconds % 1_000_000_000) / 1000
        return "[" + decimal(seconds, width: 5) + "." + decimal(micros, width: 6, pad: UInt8(ascii: "0")) + "]"
    }

    /// A byte count as a short human figure: "512 KiB", "128 MiB", "2 GiB" (rounded down).
    public static func bytes(_ n: UInt64) -> String {
        if n >= 1 << 30 && n % (1 << 30) == 0 { return decimal(n >> 30) + " GiB" }
        if n >= 1 << 20 { return decimal(n >> 20) + " MiB" }
        if n >= 1 << 10 { return decimal(n >> 10) + " KiB" }
        return decimal(n) + " B"
    }

    /// Milliseconds with three decimals, e.g. "12.345 ms", from nanoseconds.
    public static func milliseconds(nanoseconds: UInt64) -> String {
        decimal(nanoseconds / 1_000_000) + "." + decimal((nanoseconds % 1_000_000) / 1000, width: 3, pad: UInt8(ascii: "0")) + " ms"
    }

    private static func digit(_ d: Int) -> UInt8 {
        digits.withUTF8Buffer { $0[d] }
    }
}
