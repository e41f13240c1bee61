import Testing
@testable import LichenCore

@Suite struct FormatTests {
    @Test func hexadecimal() {
        #expect(Format.hex(0x4000_0000) == "0x0000000040000000")
        #expect(Format.hex(0xdead, width: 0) == "0xdead")
        #expect(Format.hex(0, width: 2, prefix: false) == "00")
        #expect(Format.hex(UInt64.max) == "0xffffffffffffffff")
    }
    @Test func decimals() {
        #expect(Format.decimal(0) == "0")
        #expect(Format.decimal(42, width: 5) == "   42")
        #expect(Format.decimal(UInt64.max) == "18446744073709551615")
    }
    @Test func timestamps() {
        #expect(Format.timestamp(nanoseconds: 1_234_567) == "[    0.001234]")
        #expect(Format.timestamp(nanoseconds: 12_000_001_000) == "[   12.000001]")
    }
    @Test func humanSizes() {
        #expect(Format.bytes(2 << 30) == "2 GiB")
        #expect(Format.bytes(128 << 20) == "128 MiB")
        #expect(Format.bytes(1536 << 20) == "1536 MiB")
        #expect(Format.bytes(4096) == "4 KiB")
        #expect(Format.bytes(12) == "12 B")
        #expect(Format.milliseconds(nanoseconds: 12_345_678) == "12.345 ms")
        #expect(Format.milliseconds(nanoseconds: 5_000) == "0.005 ms")
    }
}
