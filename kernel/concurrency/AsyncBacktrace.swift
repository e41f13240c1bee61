import LichenCore
import LichenAsyncRuntime

/// The async half of a panic report. Async functions have no native stack: their frames are contexts
/// in the task's allocator, linked by Parent, and each holds where its caller resumes (ResumeParent).
/// The native backtrace stops at the executor; this walks the context chain of the running task.
enum AsyncBacktrace {
    static let maxDepth = 32

    /// Prints the running task's async frames, innermost first. `x22` is the async-context register
    /// at the fault (from a trap frame), `framePointer` the native chain to search when there is none.
    static func print(x22: UInt64?, framePointer: UInt64) {
        guard let task = lichen_current_task() else { return }
        guard let start = innermostContext(task, x22: x22, framePointer: framePointer) else {
            KernelLog.write("Async backtrace (task " + Format.decimal(UInt64(lichen_task_id(task))) + "): no context found\n")
            return
        }
        KernelLog.write("Async backtrace (task " + Format.decimal(UInt64(lichen_task_id(task))) + "):\n")
        var context = start
        var n = 0
        let complete = lichen_task_complete_address()
        while n < maxDepth, context != 0, context & 0xf == 0, lichen_task_owns_address(task, context) {
            let record = UnsafePointer<UInt64>(bitPattern: UInt(context))!
            let resume = record[1]
            if resume == complete {
                KernelLog.write("  a" + Format.decimal(UInt64(n), width: 2, pad: UInt8(ascii: "0")) + " " + Format.hex(resume)
                                + "  (task entry)\n")
                return
            }
            KernelLog.write("  a" + Format.decimal(UInt64(n), width: 2, pad: UInt8(ascii: "0")) + " " + Format.hex(resume)
                            + "  " + (Backtrace.symbolize(resume) ?? "?") + "\n")
            context = record[0]
            n += 1
        }
    }

    /// The innermost async context: x22 at the fault if it is one of the task's frames; else the context
    /// an async partial function saved below its frame record (at fp - 8) on the way to the panic; else
    /// where the task last suspended.
    private static func innermostContext(_ task: UnsafeMutableRawPointer, x22: UInt64?, framePointer: UInt64) -> UInt64? {
        if let x22, isContext(task, x22) { return x22 }
        var found: UInt64? = nil
        var fp = framePointer
        var depth = 0
        while found == nil, depth < Backtrace.maxDepth, fp != 0, fp & 0xf == 0, Backtrace.isKernelStack(fp) {
            // fp - 8 may be in the guard page when the fault was a stack overflow at a frame's bottom.
            if Backtrace.isKernelStack(fp - 8) {
                let saved = UnsafePointer<UInt64>(bitPattern: UInt(fp - 8))!.pointee
                if isContext(task, saved) { found = saved }
            }
            let next = UnsafePointer<UInt64>(bitPattern: UInt(fp))!.pointee
            guard next > fp else { break }
            fp = next
            depth += 1
        }
        if let found { return found }
        let resume = UInt64(UInt(bitPattern: lichen_task_resume_context(task)))
        return isContext(task, resume) ? resume : nil
    }

    private static func isContext(_ task: UnsafeMutableRawPointer, _ address: UInt64) -> Bool {
        guard address & 0xf == 0, lichen_task_owns_address(task, address) else { return false }
        let resume = UnsafePointer<UInt64>(bitPattern: UInt(address))![1]
        return resume == lichen_task_complete_address() || Backtrace.symbolize(resume) != nil
    }
}
