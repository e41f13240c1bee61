// The `#!` line of a script, parsed as Linux's binfmt_script does: only the first 256 bytes
// (BINPRM_BUF_SIZE) are read; the interpreter is the first word after `#!` (spaces and tabs
// skipped); everything after it, trimmed of surrounding spaces and tabs, is one optional argument.

public enum ScriptError: Error, Equatable, Sendable {
    case notAScript             // does not start with #!
    case missingInterpreter     // only spaces and tabs on the line
    case interpreterTruncated   // no newline in 256 bytes and the interpreter path runs to the end
}

public struct ScriptInterpreter: Equatable, Sendable {
    /// BINPRM_BUF_SIZE: how much of the file the kernel looks at.
    public static let lineLimit = 256

    public let path: [UInt8]
    public let argument: [UInt8]?

    public static func isScript(_ head: UnsafeRawBufferPointer) -> Bool {
        head.count >= 2 && head[0] == 0x23 && head[1] == 0x21
    }

    public init(fileHead: [UInt8]) throws(ScriptError) {
        self = try fileHead.withUnsafeBytes { head in
            Result { () throws(ScriptError) in try ScriptInterpreter(fileHead: head) }
        }.get()
    }

    /// `fileHead` is the start of the file (any length; only the first 256 bytes count).
    public init(fileHead: UnsafeRawBufferPointer) throws(ScriptError) {
        guard Self.isScript(fileHead) else { throw .notAScript }
        // The kernel's buffer: the file's first bytes, zero-padded (C strings end at the first NUL).
        var buf = [UInt8](repeating: 0, count: Self.lineLimit)
        for i in 0..<min(fileHead.count, Self.lineLimit) { buf[i] = fileHead[i] }
        func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }

        // Linux's steps, including their quirks: the newline search stops at a NUL; blanks are trimmed
        // back from the line's end; then the C string ends at the first NUL.
        let firstNUL = buf.firstIndex(of: 0) ?? Self.lineLimit
        var end: Int  // the line is buf[2..<end]
        if let newline = buf[0..<firstNUL].firstIndex(of: 0x0a) {
            end = newline
        } else {
            // No newline: the last byte is dropped, and the interpreter name must end inside the buffer.
            let last = Self.lineLimit - 1
            guard let start = (2...last).first(where: { !isBlank(buf[$0]) }) else { throw .missingInterpreter }
            guard (start...last).contains(where: { isBlank(buf[$0]) || buf[$0] == 0 }) else {
                throw .interpreterTruncated
            }
            end = last
        }
        while end > 2 && isBlank(buf[end - 1]) { end -= 1 }
        end = min(end, firstNUL)
        var i = 2
        while i < end && isBlank(buf[i]) { i += 1 }
        guard i < end else { throw .missingInterpreter }
        let nameStart = i
        while i < end && !isBlank(buf[i]) { i += 1 }
        path = Array(buf[nameStart..<i])
        while i < end && isBlank(buf[i]) { i += 1 }
        argument = i < end ? Array(buf[i..<end]) : nil
    }

    /// The interpreter's argv, as Linux builds it: the interpreter, its argument if any, the script's
    /// path (as passed to execve), then the script's own arguments without argv[0].
    public func arguments(scriptPath: [UInt8], originalArguments: [[UInt8]]) -> [[UInt8]] {
        var result: [[UInt8]] = [path]
        if let argument { result.append(argument) }
        result.append(scriptPath)
        result.append(contentsOf: originalArguments.dropFirst())
        return result
    }
}
