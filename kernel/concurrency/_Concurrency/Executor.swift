// Executor and actor protocols: the compiler looks these up by name in `_Concurrency` when it type-checks
// and lowers async code. Lichen runs every task on the generic executor (per-CPU ready queues in the
// runtime, kernel/concurrency/executor.c); custom executors and actors are declared only so that the
// names exist, and the runtime panics if code ever asks to hop to one.
import Swift

public protocol Executor: AnyObject, Sendable {
    func enqueue(_ job: UnownedJob)
}

public protocol SerialExecutor: Executor {
    func asUnownedSerialExecutor() -> UnownedSerialExecutor
}

public protocol Actor: AnyObject, Sendable {
    nonisolated var unownedExecutor: UnownedSerialExecutor { get }
}

public protocol AnyActor: AnyObject, Sendable {}

public protocol GlobalActor {
    associatedtype ActorType: Actor
    static var shared: ActorType { get }
}

/// A reference to an executor as the runtime sees it: two words (identity, implementation).
@frozen public struct UnownedSerialExecutor: Sendable {
    public var executor: Builtin.Executor

    @inlinable public init(_ executor: Builtin.Executor) { self.executor = executor }

    @inlinable public init<E: SerialExecutor>(ordinary executor: __shared E) {
        self.executor = Builtin.buildOrdinarySerialExecutorRef(executor)
    }
}

/// A job (a task, in Lichen) handed to an executor.
@frozen public struct UnownedJob: Sendable {
    public var context: Builtin.Job
}

/// What the compiler synthesizes `unownedExecutor` from for a default actor.
@_alwaysEmitIntoClient @_transparent
public func _buildDefaultActorExecutorRef<A: Actor>(_ actor: A) -> UnownedSerialExecutor {
    UnownedSerialExecutor(Builtin.buildDefaultActorExecutorRef(actor))
}
