// The root filesystem the kernel command line asks for, as Linux's init/do_mounts.c reads it:
// root=, rootfstype=, rootflags=, ro/rw (read-only unless rw comes last), rootwait, rootdelay=,
// and init= for the program to run from it.

/// Which device root= names (name_to_dev_t's forms that Lichen has devices for).
public enum RootDevice: Equatable, Sendable {
    /// root=/dev/NAME: a disk or partition by its /dev name ("vda", "vda1").
    case name([UInt8])
    /// root=PARTUUID=UUID[/PARTNROFF=N]: a partition by its GPT unique GUID or MBR "SSSSSSSS-PP",
    /// compared without case; the offset picks a partition N numbers further on the same disk.
    case partitionUUID([UInt8], offset: Int)
    /// root=MAJOR:MINOR, or a hexadecimal device number (new_decode_dev).
    case number(major: UInt32, minor: UInt32)
}

public struct RootRequest: Equatable, Sendable {
    public var device: RootDevice
    /// root= as written ("/dev/vda1"): what the messages show.
    public var text: [UInt8]
    /// rootfstype= split at commas; empty means every filesystem the kernel knows.
    public var fileSystemTypes: [[UInt8]]
    /// rootflags=: the filesystem's own options (mount(2)'s data).
    public var options: [UInt8]
    /// MS_RDONLY: set unless the last of ro/rw is rw.
    public var readOnly: Bool
    /// rootwait: wait for the device to appear instead of failing.
    public var wait: Bool
    /// rootdelay=SECONDS before looking for the device.
    public var delaySeconds: Int

    /// Parses root='s value; nil for a form Lichen cannot have (nfs, cifs, ram, PARTLABEL=, ...).
    public static func device(_ value: [UInt8]) -> RootDevice? {
        let partuuid = Array("PARTUUID=".utf8), dev = Array("/dev/".utf8)
        if value.starts(with: partuuid) {
            var rest = Array(value.dropFirst(partuuid.count))
            var offset = 0
            let suffix = Array("/PARTNROFF=".utf8)
            if let slash = rest.firstIndex(of: 0x2f) {
                // sscanf("PARTNROFF=%d%c") == 1: a signed decimal and nothing after it.
                guard rest[slash...].starts(with: suffix) else { return nil }
                var digits = Array(rest[(slash + suffix.count)...])
                let negative = digits.first == 0x2d
                if negative || digits.first == 0x2b { digits.removeFirst() }
                guard let n = decimal(digits), n <= Int(Int32.max) else { return nil }
                offset = negative ? -n : n
                rest = Array(rest[..<slash])
            }
            guard !rest.isEmpty, rest.count <= 36 else { return nil }
            return .partitionUUID(rest.map { $0 >= 0x41 && $0 <= 0x5a ? $0 + 0x20 : $0 }, offset: offset)
        }
        if value.starts(with: dev) {
            let name = Array(value.dropFirst(dev.count))
            guard !name.isEmpty, name.count <= 31, !name.contains(0x2f) else { return nil }
            for special in ["nfs", "cifs", "ram"] where name == Array(special.utf8) { return nil }
            return .name(name)
        }
        if let colon = value.firstIndex(of: 0x3a) {
            guard let major = decimal(Array(value[..<colon])), let minor = decimal(Array(value[(colon + 1)...])),
                  major < 1 << 12, minor < 1 << 20 else { return nil }
            return .number(major: UInt32(major), minor: UInt32(minor))
        }
        // new_decode_dev of a hexadecimal number: minor bits 0-7 and 20-31, major bits 8-19.
        guard let n = hexadecimal(value), n <= UInt64(UInt32.max) else { return nil }
        let major = UInt32((n & 0xfff00) >> 8), minor = UInt32((n & 0xff) | ((n >> 12) & 0xfff00))
        return .number(major: major, minor: minor)
    }

    /// Whether a partition's PARTUUID is the one asked for: Linux's match_dev_by_uuid compares the
    /// asked text's length only (strncasecmp), so a leading part of the UUID matches too.
    public static func partitionUUIDMatches(_ uuid: [UInt8], asked: [UInt8]) -> Bool {
        !asked.isEmpty && uuid.count >= asked.count && uuid.starts(with: asked)
    }

    static func decimal(_ digits: [UInt8]) -> Int? {
        guard !digits.isEmpty, digits.count <= 9 else { return nil }
        var n = 0
        for c in digits {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            n = n * 10 + Int(c - 0x30)
        }
        return n
    }

    static func hexadecimal(_ digits: [UInt8]) -> UInt64? {
        guard !digits.isEmpty, digits.count <= 16 else { return nil }
        var n: UInt64 = 0
        for c in digits {
            let v: UInt8
            switch c {
            case 0x30...0x39: v = c - 0x30
            case 0x61...0x66: v = c - 0x61 + 10
            case 0x41...0x46: v = c - 0x41 + 10
            default: return nil
            }
            n = n << 4 | UInt64(v)
        }
        return n
    }
}

extension KernelCommandLine {
    /// The disk root asked for, or nil without root= (or with a root= Lichen cannot have: the
    /// caller says so rather than booting something else).
    public var rootRequest: RootRequest? {
        guard let root = value(of: "root") else { return nil }
        let text = Array(root.utf8)
        guard let device = RootRequest.device(text) else { return nil }
        var readOnly = true
        for p in parameters where p.value == nil {
            if p.key.utf8.elementsEqual("ro".utf8) { readOnly = true }
            if p.key.utf8.elementsEqual("rw".utf8) { readOnly = false }
        }
        let types = value(of: "rootfstype").map { Array($0.utf8).split(separator: 0x2c).map { Array($0) } } ?? []
        let delay = value(of: "rootdelay").flatMap { RootRequest.decimal(Array($0.utf8)) } ?? 0
        return RootRequest(device: device, text: text, fileSystemTypes: types, options: Array((value(of: "rootflags") ?? "").utf8),
                           readOnly: readOnly, wait: parameters.contains { $0.value == nil && $0.key.utf8.elementsEqual("rootwait".utf8) },
                           delaySeconds: delay)
    }

    /// The program to run from a disk root: init= if given (Linux's execute_command), else nil
    /// (try /sbin/init, /etc/init, /bin/init, /bin/sh).
    public var diskInitPath: String? {
        guard let path = value(of: "init"), !path.utf8.isEmpty else { return nil }
        return path
    }

    /// Linux's defaults after init=, in its order.
    public static let defaultInitPaths = ["/sbin/init", "/etc/init", "/bin/init", "/bin/sh"]
}
