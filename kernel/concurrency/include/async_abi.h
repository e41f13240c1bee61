// The layouts and calling conventions Swift 6.3.1's compiler relies on when it lowers async code for
// the Embedded aarch64 target. Facts come from the public Swift ABI headers (include/swift/ABI/Task.h,
// TaskOptions.h, MetadataValues.h) and were confirmed by disassembling compiler output; every offset
// compiled code reads or writes is guarded by a _Static_assert here and exercised by `lichen.test=async`.
// C only (Swift sees async_runtime.h).
#pragma once
#include <stddef.h>
#include <stdint.h>

#define SWIFTASYNC __attribute__((swiftasynccall))
#define SWIFTCALL __attribute__((swiftcall))
#define ASYNC_CONTEXT __attribute__((swift_async_context))
#define SWIFT_CONTEXT __attribute__((swift_context))

typedef struct AsyncContext AsyncContext;
typedef struct LichenTask LichenTask;

// A partial function: resumes async code with its context in x22.
typedef SWIFTASYNC void ResumeFunction(ASYNC_CONTEXT AsyncContext *context);

// Every async frame starts with these two words; Parent links form the async "call stack".
struct AsyncContext {
  AsyncContext *parent;          // +0  caller's context (NULL for a task's initial context)
  ResumeFunction *resumeParent;  // +8  where the caller continues when this frame returns
};

// The frame `withUnsafeContinuation` suspends in. The compiler fills parent/resumeParent/normalResult,
// calls swift_continuation_init, and then checks awaitState inline with an ldaxr/stlxr loop.
typedef struct {
  AsyncContext base;
  size_t flags;                  // +16 AsyncContinuationFlags
  size_t awaitState;             // +24 ContinuationStatus, read and CASed by compiled code
  void *errorResult;             // +32 SwiftError* for throwing continuations
  void *normalResult;            // +40 where the resumer stores the value (compiled code writes through it)
  void *resumeToExecutor[2];     // +48 SerialExecutorRef to resume on (flag HasExecutorOverride)
} ContinuationContext;

enum { CONTINUATION_PENDING = 0, CONTINUATION_AWAITED = 1, CONTINUATION_RESUMED = 2 };
enum {
  CONTINUATION_CAN_THROW = 1u << 0,
  CONTINUATION_HAS_EXECUTOR_OVERRIDE = 1u << 1,
  CONTINUATION_IS_PREAWAITED = 1u << 2,
};

// The call context of swift_task_future_wait (lives in the waiting caller's frame).
typedef struct {
  AsyncContext base;
  void *errorResult;             // +16
  void *successResultPointer;    // +24 where the result is copied
} FutureWaitContext;

// An async function pointer: relative offset to the function and the size of its initial context.
typedef struct {
  int32_t function;
  uint32_t expectedContextSize;
} AsyncFunctionPointer;

// Task-creation option records (a linked list the compiler builds on the caller's stack).
typedef struct TaskOptionRecord {
  size_t flags;                   // low 8 bits: kind
  struct TaskOptionRecord *parent;
} TaskOptionRecord;

enum { TASK_OPTION_RESULT_TYPE_INFO = 4 };   // Embedded only: the result's value witnesses

typedef struct {
  TaskOptionRecord header;
  size_t size;                                             // +16
  size_t alignMask;                                        // +24
  void *(*initializeWithCopy)(void *dst, void *src, const void *type);   // +32
  void (*storeEnumTagSinglePayload)(void *, unsigned, unsigned, const void *); // +40
  void (*destroy)(void *value, const void *type);          // +48
} ResultTypeInfoRecord;

enum {
  TASK_CREATE_PRIORITY_MASK = 0xff,
  TASK_CREATE_ENQUEUE_JOB = 1u << 12,
  TASK_CREATE_FUNCTION_CONSUMED = 1u << 15,   // never set by 6.3.1: the runtime releases the closure
};

// The closure entry a task starts in: x0 = indirect result, x22 = initial context, x20 = closure context.
typedef SWIFTASYNC void TaskEntry(void *indirectResult, ASYNC_CONTEXT AsyncContext *context,
                                  SWIFT_CONTEXT void *closureContext);

// What swift_task_create returns in x0/x1.
typedef struct { LichenTask *task; AsyncContext *initialContext; } TaskAndContext;

// Embedded class metadata: the destroy function swift_release calls at refcount zero is word 1.
typedef struct { const void *superclass; void (*destroy)(void *object); const void *ivarDestroyer; } EmbeddedClassMetadata;

_Static_assert(sizeof(AsyncContext) == 16, "AsyncContext header");
_Static_assert(offsetof(ContinuationContext, flags) == 16, "ContinuationAsyncContext.Flags");
_Static_assert(offsetof(ContinuationContext, awaitState) == 24, "ContinuationAsyncContext.AwaitSynchronization");
_Static_assert(offsetof(ContinuationContext, errorResult) == 32, "ContinuationAsyncContext.ErrorResult");
_Static_assert(offsetof(ContinuationContext, normalResult) == 40, "ContinuationAsyncContext.NormalResult");
_Static_assert(offsetof(ContinuationContext, resumeToExecutor) == 48, "ContinuationAsyncContext.ResumeToExecutor");
_Static_assert(sizeof(FutureWaitContext) <= 40, "the caller reserves 40 bytes for the future-wait context");
_Static_assert(offsetof(FutureWaitContext, successResultPointer) == 24, "FutureAsyncContext.successResultPointer");
_Static_assert(sizeof(AsyncFunctionPointer) == 8, "AsyncFunctionPointer");
_Static_assert(offsetof(ResultTypeInfoRecord, size) == 16, "ResultTypeInfoTaskOptionRecord.size");
_Static_assert(offsetof(ResultTypeInfoRecord, initializeWithCopy) == 32, "ResultTypeInfo.initializeWithCopy");
_Static_assert(offsetof(ResultTypeInfoRecord, destroy) == 48, "ResultTypeInfo.destroy");
_Static_assert(offsetof(EmbeddedClassMetadata, destroy) == 8, "Embedded metadata destroy slot");
