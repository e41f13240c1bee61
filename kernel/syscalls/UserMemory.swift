import LichenCore

/// Syscall access to the calling process's memory. A fault on a page the process may use but that is
/// not there yet (demand-zero heap or stack) is resolved and the copy retried; anything else is EFAULT.
struct UserMemory {
    let memory: ProcessMemory

    func read(_ destination: UnsafeMutableRawBufferPointer, from source: UserAddr) throws(Errno) {
        try retrying(write: false) { () throws(UserAccess.Failure) in
            try UserAccess.copyIn(destination, from: source, in: memory.space)
        }
    }

    func write(_ source: UnsafeRawBufferPointer, to destination: UserAddr) throws(Errno) {
        try retrying(write: true) { () throws(UserAccess.Failure) in
            try UserAccess.copyOut(source, to: destination, in: memory.space)
        }
    }

    /// Zero-fills `count` bytes at `destination` (Linux's clear_user), from a shared page of zeros.
    func zero(_ destination: UserAddr, count: Int) throws(Errno) {
        var done = 0
        while done < count {
            let step = min(count - done, UserMemory.zeroBytes)
            try write(UnsafeRawBufferPointer(start: UserMemory.zeros, count: step), to: destination + UInt64(done))
            done += step
        }
    }

    private static let zeroBytes = 4096
    nonisolated(unsafe) private static let zeros: UnsafeMutableRawPointer = {
        let page = UnsafeMutableRawPointer.allocate(byteCount: zeroBytes, alignment: 64)
        page.initializeMemory(as: UInt8.self, repeating: 0, count: zeroBytes)
        return page
    }()

    /// How many of `count` bytes at `address` the process may write (`write`) or read: read and
    /// write do only that much (a short count; EFAULT when it is 0), as Linux's stop at the fault.
    func accessibleLength(at address: UserAddr, count: Int, write: Bool) -> Int {
        memory.locked { memory.map.accessibleLength(from: address, count: count, access: write ? .write : .read) }
    }

    func load<T>(_ type: T.Type, from address: UserAddr) throws(Errno) -> T {
        try withUnsafeTemporaryAllocation(byteCount: MemoryLayout<T>.size, alignment: MemoryLayout<T>.alignment) {
            (buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> T in
            try read(buffer, from: address)
            return buffer.load(as: T.self)
        }
    }

    func store<T>(_ value: T, to address: UserAddr) throws(Errno) {
        var copy = value
        try withUnsafeBytes(of: &copy) { (bytes: UnsafeRawBufferPointer) throws(Errno) in try write(bytes, to: address) }
    }

    func bytes(at address: UserAddr, count: Int) throws(Errno) -> [UInt8] {
        let buffer = try IOBuffer(count: count)
        try buffer.withBytes { (b: UnsafeMutableRawBufferPointer) throws(Errno) in try read(b, from: address) }
        return buffer.array(count)
    }

    func store(bytes: [UInt8], to address: UserAddr) throws(Errno) {
        try IOBuffer(bytes).withBytes { (b: UnsafeMutableRawBufferPointer) throws(Errno) in try write(UnsafeRawBufferPointer(b), to: address) }
    }

    /// `count` Linux structures laid out back to back (pollfd arrays and the like), in one copy.
    func load<T>(_ type: T.Type, count: Int, from address: UserAddr) throws(Errno) -> [T] {
        guard count > 0 else { return [] }
        let stride = MemoryLayout<T>.stride
        let buffer = try IOBuffer(count: count * stride, zeroed: false)
        return try buffer.withBytes { (b: UnsafeMutableRawBufferPointer) throws(Errno) -> [T] in
            try read(b, from: address)
            return (0..<count).map { b.load(fromByteOffset: $0 * stride, as: T.self) }
        }
    }

    /// The inverse of `load(_:count:from:)`.
    func store<T>(_ values: [T], to address: UserAddr) throws(Errno) {
        guard !values.isEmpty else { return }
        let stride = MemoryLayout<T>.stride
        let buffer = try IOBuffer(count: values.count * stride, zeroed: false)
        try buffer.withBytes { (b: UnsafeMutableRawBufferPointer) throws(Errno) in
            for (i, v) in values.enumerated() { b.storeBytes(of: v, toByteOffset: i * stride, as: T.self) }
            try write(UnsafeRawBufferPointer(b), to: address)
        }
    }

    /// A NUL-terminated string (without the NUL): ENAMETOOLONG past `limit` bytes (paths: 4096).
    func string(at address: UserAddr, limit: Int = 4096) throws(Errno) -> [UInt8] {
        var length: Int? = nil
        try retrying(write: false) { () throws(UserAccess.Failure) in
            length = try UserAccess.stringLength(at: address, limit: limit, in: memory.space)
        }
        guard let length else { throw .ENAMETOOLONG }
        return try bytes(at: address, count: length)
    }

    /// A NULL-terminated array of string pointers (argv, envp).
    func stringArray(at address: UserAddr, limit: Int = 4096) throws(Errno) -> [[UInt8]] {
        var result: [[UInt8]] = []
        guard address.value != 0 else { return result }
        var total = 0
        while true {
            let pointer = try load(UInt64.self, from: address + UInt64(result.count * 8))
            if pointer == 0 { return result }
            let s = try string(at: UserAddr(pointer), limit: 128 * 1024)
            total += s.count + 1
            guard result.count < 0x7fff_ffff, total <= 2 << 20 else { throw .E2BIG }
            result.append(s)
            _ = limit
        }
    }

    private func retrying(write: Bool, _ access: () throws(UserAccess.Failure) -> Void) throws(Errno) {
        var lastFault = UserAddr(UInt64.max)
        while true {
            do throws(UserAccess.Failure) {
                try access()
                return
            } catch {
                guard case .fault(let address) = error, address.rangeIsUser(count: 1), address != lastFault else { throw .EFAULT }
                lastFault = address
                guard memory.handleFault(at: address, write: write, instruction: false).resolved else { throw .EFAULT }
            }
        }
    }
}
