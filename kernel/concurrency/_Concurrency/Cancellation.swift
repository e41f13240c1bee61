// Cooperative cancellation: a sticky flag on the task plus a stack of handler records that
// `Task.cancel()` runs (once each) under the task's lock. Waits use the handler to resume themselves
// early; handlers may run in interrupt context, so they must not allocate or block.
import Swift

@_alwaysEmitIntoClient
public func withTaskCancellationHandler<T>(
    operation: () async -> T, onCancel handler: @Sendable () -> Void
) async -> T {
    let record = _pushCancellationHandler(handler)
    let value = await operation()
    _popCancellationHandler(record)
    return value
}

@_alwaysEmitIntoClient
public func withTaskCancellationHandler<T, E: Error>(
    operation: () async throws(E) -> T, onCancel handler: @Sendable () -> Void
) async throws(E) -> T {
    let record = _pushCancellationHandler(handler)
    let result: Result<T, E>
    do throws(E) { result = .success(try await operation()) } catch { result = .failure(error) }
    _popCancellationHandler(record)
    return try result.get()
}
