// Continuations. The raw continuation always carries a `Result<T, E>`, so one representation serves
// both the non-throwing and the typed-throwing forms (Embedded Swift has no `any Error`, so the
// runtime's throwing resume, which passes an error box, is not usable from here).
import Swift

@frozen public struct UnsafeContinuation<T, E: Error>: Sendable {
    @usableFromInline internal var context: Builtin.RawUnsafeContinuation

    @_alwaysEmitIntoClient
    internal init(_ context: Builtin.RawUnsafeContinuation) { self.context = context }

    @_alwaysEmitIntoClient
    public func resume(returning value: __owned T) {
        Builtin.resumeNonThrowingContinuationReturning(context, Result<T, E>.success(value))
    }

    @_alwaysEmitIntoClient
    public func resume(throwing error: __owned E) {
        Builtin.resumeNonThrowingContinuationReturning(context, Result<T, E>.failure(error))
    }

    @_alwaysEmitIntoClient
    public func resume(with result: __owned Result<T, E>) {
        Builtin.resumeNonThrowingContinuationReturning(context, result)
    }
}

extension UnsafeContinuation where T == Void {
    @_alwaysEmitIntoClient
    public func resume() { resume(returning: ()) }
}

@_alwaysEmitIntoClient
public func withUnsafeContinuation<T>(_ fn: (UnsafeContinuation<T, Never>) -> Void) async -> T {
    let result: Result<T, Never> = await Builtin.withUnsafeContinuation {
        fn(UnsafeContinuation<T, Never>($0))
    }
    switch result {
    case .success(let value): return value
    }
}

@_alwaysEmitIntoClient
public func withUnsafeThrowingContinuation<T, E: Error>(
    _ fn: (UnsafeContinuation<T, E>) -> Void
) async throws(E) -> T {
    let result: Result<T, E> = await Builtin.withUnsafeContinuation {
        fn(UnsafeContinuation<T, E>($0))
    }
    return try result.get()
}

/// The checked spelling, for code shared with hosted Swift. Misuse is caught by the runtime instead
/// (a second resume panics); a continuation that is never resumed leaks its task, as in hosted Swift.
@frozen public struct CheckedContinuation<T, E: Error>: Sendable {
    @usableFromInline internal let base: UnsafeContinuation<T, E>

    @_alwaysEmitIntoClient
    public init(continuation: UnsafeContinuation<T, E>, function: StaticString = #function) {
        base = continuation
    }

    @_alwaysEmitIntoClient public func resume(returning value: __owned T) { base.resume(returning: value) }
    @_alwaysEmitIntoClient public func resume(throwing error: __owned E) { base.resume(throwing: error) }
    @_alwaysEmitIntoClient public func resume(with result: __owned Result<T, E>) { base.resume(with: result) }
}

extension CheckedContinuation where T == Void {
    @_alwaysEmitIntoClient
    public func resume() { base.resume(returning: ()) }
}

@_alwaysEmitIntoClient
public func withCheckedContinuation<T>(
    function: StaticString = #function, _ body: (CheckedContinuation<T, Never>) -> Void
) async -> T {
    await withUnsafeContinuation { body(CheckedContinuation(continuation: $0)) }
}

@_alwaysEmitIntoClient
public func withCheckedThrowingContinuation<T, E: Error>(
    function: StaticString = #function, _ body: (CheckedContinuation<T, E>) -> Void
) async throws(E) -> T {
    try await withUnsafeThrowingContinuation { body(CheckedContinuation(continuation: $0)) }
}
