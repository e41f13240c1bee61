// TCR_EL1, the translation control register (Arm ARM D19.2 TCR_EL1), for Lichen's regime:
// 48-bit VAs in both halves, 4 KiB granules, write-back cacheable inner-shareable walks.

public enum TranslationControl {
    /// T0SZ [5:0]: TTBR0 region is 2^(64-T0SZ) bytes.
    public static let t0szShift: UInt64 = 0
    /// EPD0 [7]: disable TTBR0 walks (fault instead).
    public static let epd0: UInt64 = 1 << 7
    /// IRGN0 [9:8], ORGN0 [11:10]: walk cacheability, 0b01 = write-back read/write-allocate.
    public static let irgn0Shift: UInt64 = 8
    public static let orgn0Shift: UInt64 = 10
    /// SH0 [13:12]: walk shareability, 0b11 = inner shareable.
    public static let sh0Shift: UInt64 = 12
    /// TG0 [15:14]: TTBR0 granule, 0b00 = 4 KiB (0b01 64 KiB, 0b10 16 KiB).
    public static let tg0Shift: UInt64 = 14
    /// T1SZ [21:16]: TTBR1 region is 2^(64-T1SZ) bytes.
    public static let t1szShift: UInt64 = 16
    /// A1 [22]: 0 = the ASID comes from TTBR0_EL1.
    public static let a1: UInt64 = 1 << 22
    /// EPD1 [23]: disable TTBR1 walks.
    public static let epd1: UInt64 = 1 << 23
    /// IRGN1 [25:24], ORGN1 [27:26], SH1 [29:28]: as for TTBR0.
    public static let irgn1Shift: UInt64 = 24
    public static let orgn1Shift: UInt64 = 26
    public static let sh1Shift: UInt64 = 28
    /// TG1 [31:30]: TTBR1 granule, 0b10 = 4 KiB (0b01 16 KiB, 0b11 64 KiB). Not TG0's encoding!
    public static let tg1Shift: UInt64 = 30
    /// IPS [34:32]: intermediate physical address size, encoded like PARange.
    public static let ipsShift: UInt64 = 32
    /// AS [36]: 16-bit ASIDs (needs ID_AA64MMFR0_EL1.ASIDBits = 0b0010).
    public static let asid16: UInt64 = 1 << 36
    /// TBI0 [37], TBI1 [38]: ignore the top byte of addresses in the TTBR0/TTBR1 region.
    public static let tbi0: UInt64 = 1 << 37
    public static let tbi1: UInt64 = 1 << 38

    /// Region size field for 48-bit VAs: 64 - 48.
    public static let regionSizeOffset: UInt64 = 16
    static let writeBackAllocate: UInt64 = 0b01
    static let innerShareable: UInt64 = 0b11
    static let tg1Granule4K: UInt64 = 0b10

    /// ID_AA64MMFR0_EL1.PARange [3:0] clamped to what 48-bit descriptors can express; that is
    /// also the IPS encoding (0b000 32 bits ... 0b101 48 bits).
    public static func ips(mmfr0: UInt64) -> UInt64 { min(mmfr0 & 0xf, 0b101) }

    /// Physical address bits for a PARange/IPS encoding; 0 for reserved encodings.
    public static func physicalAddressBits(parange: UInt64) -> Int {
        switch parange {
        case 0: 32
        case 1: 36
        case 2: 40
        case 3: 42
        case 4: 44
        case 5: 48
        case 6: 52
        default: 0
        }
    }

    /// ID_AA64MMFR0_EL1.ASIDBits [7:4] = 0b0010: 16-bit ASIDs implemented (0b0000: 8-bit).
    public static func supports16BitASIDs(mmfr0: UInt64) -> Bool { (mmfr0 >> 4) & 0xf == 0b0010 }

    /// ID_AA64MMFR0_EL1.TGran4 [31:28]: 0b0000 or 0b0001 = 4 KiB granule supported (0b1111 not).
    public static func supports4KGranule(mmfr0: UInt64) -> Bool { (mmfr0 >> 28) & 0xf <= 0b0001 }

    /// TCR_EL1 for Lichen, given ID_AA64MMFR0_EL1: T0SZ = T1SZ = 16, 4 KiB granules, walks
    /// inner/outer write-back cacheable and inner shareable, A1 = 0, IPS from PARange, 16-bit
    /// ASIDs when implemented. `topByteIgnoreUser` sets TBI0 (Linux does, for tagged pointers;
    /// the kernel must then untag user pointers itself).
    public static func value(mmfr0: UInt64, topByteIgnoreUser: Bool = false) -> UInt64 {
        var tcr = regionSizeOffset << t0szShift | regionSizeOffset << t1szShift
        tcr |= writeBackAllocate << irgn0Shift | writeBackAllocate << orgn0Shift | innerShareable << sh0Shift
        tcr |= writeBackAllocate << irgn1Shift | writeBackAllocate << orgn1Shift | innerShareable << sh1Shift
        tcr |= tg1Granule4K << tg1Shift          // TG0 = 0b00 is 4 KiB already.
        tcr |= ips(mmfr0: mmfr0) << ipsShift
        if supports16BitASIDs(mmfr0: mmfr0) { tcr |= asid16 }
        if topByteIgnoreUser { tcr |= tbi0 }
        return tcr
    }

    /// The TCR_EL1 every CPU runs with (KernelAddressSpace writes it): `value` with EPD1, since the
    /// kernel lives in the upper part of the TTBR0 range and nothing uses TTBR1 (boot.S).
    public static func kernelValue(mmfr0: UInt64) -> UInt64 { value(mmfr0: mmfr0) | epd1 }
}
