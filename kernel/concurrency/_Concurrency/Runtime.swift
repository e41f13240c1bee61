// The runtime entry points this module calls (kernel/concurrency/*.c). Tasks and continuations are
// passed as raw pointers: the runtime owns their lifetime, and `swift_task_getCurrent` returns +0, so
// none of these may be declared as returning an owned object.
import Swift

/// Awaits a task's result with the standard ABI entry point (special convention, see docs/async.md).
/// `@concurrent` keeps it free of an implicit isolation argument if a client enables
/// NonisolatedNonsendingByDefault.
@_silgen_name("swift_task_future_wait")
@usableFromInline @concurrent
internal func _taskFutureGet<T>(_ task: Builtin.NativeObject) async -> T

@_silgen_name("lichen_task_cancel")
@usableFromInline internal func _taskCancel(_ task: Builtin.RawPointer)

@_silgen_name("lichen_task_is_cancelled")
@usableFromInline internal func _taskIsCancelled(_ task: Builtin.RawPointer) -> Bool

/// Whether the running task is cancelled (false outside a task).
@_silgen_name("lichen_current_task_is_cancelled")
@usableFromInline internal func _currentTaskIsCancelled() -> Bool

/// Resumes `continuation` once the running job has suspended (Task.yield).
@_silgen_name("lichen_task_defer_resume")
@usableFromInline internal func _deferResume(_ continuation: Builtin.RawUnsafeContinuation)

/// Pushes a cancellation handler record on the running task (in its task-local allocator, so pops are
/// strictly LIFO). Runs the handler at once if the task is already cancelled.
@_silgen_name("lichen_task_push_cancel_handler")
@usableFromInline internal func _pushCancellationHandler(_ handler: @Sendable () -> Void) -> Builtin.RawPointer

@_silgen_name("lichen_task_pop_cancel_handler")
@usableFromInline internal func _popCancellationHandler(_ record: Builtin.RawPointer)

@_silgen_name("lichen_task_id")
@usableFromInline internal func _taskID(_ task: Builtin.RawPointer) -> UInt32
