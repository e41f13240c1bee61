// The kernel command line, split as Linux does (lib/cmdline.c next_arg, kernel/params.c):
// whitespace-separated `key=value` or bare `key`; a double quote toggles quoting so a value
// may hold spaces, and the quotes around a value (or a whole word) are dropped; `--` ends the
// kernel's parameters, and the words after it go to init's argv. Parsing works on UTF-8
// bytes, never on Characters, so no Unicode tables are needed in the kernel.

public struct KernelCommandLine: Sendable {
    /// Kernel parameters in order (before any `--`).
    public var parameters: [(key: String, value: String?)]
    /// Words after `--`, for init's argv (a `key=value` word keeps its `=`).
    public var initArguments: [String]

    public init(_ text: String) {
        parameters = []
        initArguments = []
        let bytes = Array(text.utf8)
        var afterDashes = false
        var i = Self.skipSpaces(bytes, from: 0)
        while i < bytes.count {
            let word = Self.nextArgument(bytes, from: i)
            i = Self.skipSpaces(bytes, from: word.next)
            let key = Self.string(bytes, word.key)
            let value = word.value.map { Self.string(bytes, $0) }
            if afterDashes {
                initArguments.append(value.map { key + "=" + $0 } ?? key)
            } else if value == nil && word.key.count == 2 && bytes[word.key.lowerBound] == 0x2d
                        && bytes[word.key.lowerBound + 1] == 0x2d {
                afterDashes = true
            } else {
                parameters.append((key: key, value: value))
            }
        }
    }

    /// The value of the last occurrence of `key` that has one (a later bare `key` does not
    /// clear it, as in Linux where a bare word never reaches a `key=` handler).
    public func value(of key: String) -> String? {
        for p in parameters.reversed() where p.value != nil && p.key.utf8.elementsEqual(key.utf8) {
            return p.value
        }
        return nil
    }

    public func contains(_ key: String) -> Bool {
        parameters.contains { $0.key.utf8.elementsEqual(key.utf8) }
    }

    /// `init=`, or "/init" (the initramfs convention) when absent or empty.
    public var initPath: String {
        guard let path = value(of: "init"), !path.utf8.isEmpty else { return "/init" }
        return path
    }

    /// `loglevel=N` for N in 0...8; nil when absent or not such a number.
    public var logLevel: Int? {
        guard let text = value(of: "loglevel") else { return nil }
        var level = 0
        for c in text.utf8 {
            guard c >= 0x30, c <= 0x39 else { return nil }
            level = level * 10 + Int(c - 0x30)
            if level > 8 { return nil }  // also stops overflow on long digit strings
        }
        return text.utf8.isEmpty ? nil : level
    }

    /// `console=`, e.g. "ttyAMA0" or "ttyAMA0,115200".
    public var console: String? { value(of: "console") }

    // MARK: Splitting

    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0d) }

    static func skipSpaces(_ bytes: [UInt8], from start: Int) -> Int {
        var i = start
        while i < bytes.count && isSpace(bytes[i]) { i += 1 }
        return i
    }

    static func string(_ bytes: [UInt8], _ range: Range<Int>) -> String {
        bytes[range].withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// One word starting at `start` (not whitespace), as Linux's next_arg splits it.
    static func nextArgument(_ bytes: [UInt8], from start: Int) -> (key: Range<Int>, value: Range<Int>?, next: Int) {
        let quote: UInt8 = 0x22, equals: UInt8 = 0x3d
        var begin = start
        var inQuote = false
        let quoted = bytes[start] == quote
        if quoted { begin += 1; inQuote = true }
        var i = begin
        var equalsAt: Int? = nil
        while i < bytes.count {
            let c = bytes[i]
            if isSpace(c) && !inQuote { break }
            if equalsAt == nil && c == equals { equalsAt = i }
            if c == quote { inQuote.toggle() }
            i += 1
        }
        let trailingQuote = i > begin && bytes[i - 1] == quote
        guard let e = equalsAt else {
            let keyEnd = quoted && trailingQuote ? i - 1 : i
            return (begin..<keyEnd, nil, i)
        }
        var valueStart = e + 1
        var valueEnd = i
        if valueStart < i && bytes[valueStart] == quote {
            valueStart += 1
            if trailingQuote { valueEnd = max(valueStart, i - 1) }
        }
        if quoted && trailingQuote { valueEnd = max(valueStart, i - 1) }
        return (begin..<e, valueStart..<valueEnd, i)
    }
}
