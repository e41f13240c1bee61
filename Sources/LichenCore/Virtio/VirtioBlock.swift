/// virtio-blk (virtio 1.x, 5.2): feature bits, the configuration it reads, and the request header
/// and status a request's chain carries. Sans-IO: the driver puts these bytes in DMA memory.
public enum VirtioBlock {
    public enum Feature {
        public static let sizeMax = 1
        public static let segmentMax = 2
        public static let readOnly = 5
        public static let blockSize = 6
        public static let flush = 9
        public static let topology = 10
        public static let discard = 13
    }

    /// Request types (5.2.6).
    public enum RequestType: UInt32, Sendable {
        case read = 0, write = 1, flush = 4, getID = 8, discard = 11
    }

    /// The status byte the device writes last (5.2.6).
    public enum RequestStatus: UInt8, Sendable { case ok = 0, ioError = 1, unsupported = 2 }

    /// Requests always address 512-byte sectors, whatever the logical block size (5.2.6.1).
    public static let sectorSize = 512
    public static let headerSize = 16
    public static let discardSegmentSize = 16

    /// struct virtio_blk_outhdr: type, reserved, sector.
    public static func writeHeader(_ type: RequestType, sector: UInt64, to p: UnsafeMutableRawPointer) {
        p.storeBytes(of: type.rawValue.littleEndian, as: UInt32.self)
        p.storeBytes(of: UInt32(0), toByteOffset: 4, as: UInt32.self)
        p.storeBytes(of: sector.littleEndian, toByteOffset: 8, as: UInt64.self)
    }

    /// struct virtio_blk_discard_write_zeroes: sector, num_sectors, flags (unmap: 0 for discard).
    public static func writeDiscardSegment(sector: UInt64, count: UInt32, to p: UnsafeMutableRawPointer) {
        p.storeBytes(of: sector.littleEndian, as: UInt64.self)
        p.storeBytes(of: count.littleEndian, toByteOffset: 8, as: UInt32.self)
        p.storeBytes(of: UInt32(0), toByteOffset: 12, as: UInt32.self)
    }

    /// What the driver uses of struct virtio_blk_config (5.2.4), read field by field by the transport.
    public struct Configuration: Sendable, Equatable {
        /// Offsets of the fields in the device's config space.
        public enum Offset {
            public static let capacity = 0
            public static let sizeMax = 8
            public static let blockSize = 20
            public static let physicalBlockExponent = 24     // topology: a byte, log2(physical / logical)
            public static let maxDiscardSectors = 36
            public static let maxDiscardSegments = 40
            public static let discardSectorAlignment = 44
        }

        /// Size in 512-byte sectors.
        public let capacity: UInt64
        /// The logical block size (512 without VIRTIO_BLK_F_BLK_SIZE).
        public let logicalBlockSize: UInt32
        public let physicalBlockSize: UInt32
        public let maxDiscardSectors: UInt32
        /// The most bytes one request's data may carry: the largest segment (SIZE_MAX: one data
        /// segment per request) in whole logical blocks, at most `maxTransfer`.
        public let maxTransferBytes: Int
        /// What one request reads or writes at most (Linux's 128 KiB read_ahead_kb fits in one).
        public static let maxTransfer = 128 * 1024

        /// Decodes raw field values, keeping sizes Linux would accept: a logical block size that is a
        /// power of two from 512 to 4096 (Linux's blk_validate_block_size), else 512.
        public init(capacity: UInt64, blockSize: UInt32?, physicalBlockExponent: UInt8?, maxDiscardSectors: UInt32?,
                    sizeMax: UInt32? = nil) {
            self.capacity = capacity
            var logical: UInt32 = 512
            if let b = blockSize, b >= 512, b <= 4096, b & (b - 1) == 0 { logical = b }
            logicalBlockSize = logical
            let exponent = UInt32(physicalBlockExponent ?? 0)
            physicalBlockSize = exponent < 4 ? logical << exponent : logical
            self.maxDiscardSectors = maxDiscardSectors.map { $0 == 0 ? UInt32.max : $0 } ?? UInt32.max
            let segment = min(Int(sizeMax ?? UInt32.max), Self.maxTransfer)
            maxTransferBytes = max(segment / Int(logical) * Int(logical), Int(logical))
        }
    }
}
