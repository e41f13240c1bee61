// Task handles. A task's result is stored as `Result<Success, Failure>` so typed throwing tasks need no
// error boxes; `value` awaits it through `swift_task_future_wait`.
import Swift

@frozen public struct Task<Success: Sendable, Failure: Error>: Sendable {
    @usableFromInline internal let _task: Builtin.NativeObject

    @_alwaysEmitIntoClient
    internal init(_task: Builtin.NativeObject) { self._task = _task }

    /// Creates a task and makes it runnable on the current CPU's ready queue.
    @discardableResult
    @_alwaysEmitIntoClient
    public init(operation: __owned @escaping () async throws(Failure) -> Success) {
        let flags = 1 << 12                                   // TaskCreateFlags.EnqueueJob
        let (task, _) = Builtin.createTask(flags: flags, operation: { () async -> Result<Success, Failure> in
            do throws(Failure) { return .success(try await operation()) } catch { return .failure(error) }
        })
        self._task = task
    }

    /// Creates a task that inherits nothing from the caller (the same thing in Lichen: there are no
    /// actors, priorities or task-locals to inherit).
    @discardableResult
    @_alwaysEmitIntoClient
    public static func detached(operation: __owned @escaping () async throws(Failure) -> Success) -> Task {
        Task(operation: operation)
    }

    /// The task's result, or its error. (The non-throwing form below exists because 6.3.1's SILGen
    /// crashes on this typed-throws getter when Failure is Never.)
    @_alwaysEmitIntoClient
    public var value: Success {
        get async throws(Failure) {
            let result: Result<Success, Failure> = await _taskFutureGet(_task)
            return try result.get()
        }
    }

    @_alwaysEmitIntoClient
    public var result: Result<Success, Failure> {
        get async { await _taskFutureGet(_task) }
    }

    @_alwaysEmitIntoClient
    public func cancel() { _taskCancel(Builtin.bridgeToRawPointer(_task)) }

    @_alwaysEmitIntoClient
    public var isCancelled: Bool { _taskIsCancelled(Builtin.bridgeToRawPointer(_task)) }

    /// The runtime's task number (diagnostics only).
    @_alwaysEmitIntoClient
    public var _id: UInt32 { _taskID(Builtin.bridgeToRawPointer(_task)) }
}

extension Task where Failure == Never {
    @_alwaysEmitIntoClient
    public var value: Success {
        get async {
            let result: Result<Success, Never> = await _taskFutureGet(_task)
            switch result {
            case .success(let value): return value
            }
        }
    }
}

extension Task where Success == Never, Failure == Never {
    /// Whether the running task has been cancelled.
    @_alwaysEmitIntoClient
    public static var isCancelled: Bool { _currentTaskIsCancelled() }

    /// Lets the other ready tasks on this CPU run: the caller goes to the back of the ready queue.
    @_alwaysEmitIntoClient
    public static func yield() async {
        // The deferred resume stores no value, so the result must be read as nothing at all: through
        // withUnsafeContinuation's Result<Void, Never> its tag byte was read uninitialized, and a
        // stale 1 there (left by an earlier frame in the task allocator) trapped as `.failure`.
        let _: () = await Builtin.withUnsafeContinuation { _deferResume($0) }
    }
}

/// Tasks compare by identity, as in the standard library.
extension Task: Equatable {
    @_alwaysEmitIntoClient
    public static func == (a: Task, b: Task) -> Bool {
        UnsafeRawPointer(Builtin.bridgeToRawPointer(a._task)) == UnsafeRawPointer(Builtin.bridgeToRawPointer(b._task))
    }
}

extension Task: Hashable {
    @_alwaysEmitIntoClient
    public func hash(into hasher: inout Hasher) {
        hasher.combine(UnsafeRawPointer(Builtin.bridgeToRawPointer(_task)))
    }
}
