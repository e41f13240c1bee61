// The runtime's task object and per-CPU state (C only).
#pragma once
#include "async_abi.h"
#include "async_runtime.h"

void lichen_c_panic(const char *message) __attribute__((noreturn));
void *malloc(size_t size);
void free(void *p);
void *memset(void *dst, int c, size_t n);
void swift_release(void *object);

// One chunk of a task's frame stack. The first one is inline in the task object.
typedef struct TaskSlab {
  struct TaskSlab *previous;
  char *end;
  char *savedTop;          // the allocation point in `previous` when this slab was added
  uint64_t unused;
} TaskSlab;

typedef struct TaskAllocation {
  struct TaskAllocation *previous;
  size_t size;             // SIZE_MAX: a heap allocation made outside any task
} TaskAllocation;

// A cancellation handler (a Swift closure: function + context, context in x20) or an interrupt scope.
typedef struct CancelRecord {
  struct CancelRecord *next;              // the enclosing record
  SWIFTCALL void (*handler)(SWIFT_CONTEXT void *context);   // NULL: an interrupt scope
  void *context;
  uint32_t fired;                         // handler ran, or scope was interrupted
} CancelRecord;

enum { TASK_RUNNING = 0, TASK_COMPLETED = 1 };

struct LichenTask {
  // HeapObject (Embedded): swift_retain/swift_release work on tasks like on any object.
  const EmbeddedClassMetadata *metadata;   // +0
  intptr_t refcount;                       // +8
  // Job
  LichenTask *schedulerNext;               // +16 SchedulerPrivate[0]: ready-queue, wait-list link
  void *schedulerPrivate1;                 // +24
  uint32_t jobFlags;                       // +32
  uint32_t id;                             // +36
  void *voucher;                           // +40
  void *reserved;                          // +48
  ResumeFunction *resumeTask;              // +56 what the executor calls to run the task
  AsyncContext *resumeContext;             // +64 read by compiled code in continuation resumes
  uint64_t reserved64;                     // +72
  // Runtime-private from here.
  TaskEntry *entry;
  void *closureContext;
  void *result;                            // result storage, inside this allocation
  size_t resultSize;
  void *(*resultCopy)(void *dst, void *src, const void *type);
  void (*resultDestroy)(void *value, const void *type);
  uint32_t createFlags;
  uint32_t state;                          // TASK_RUNNING / TASK_COMPLETED (under lock)
  uint32_t cancelled;                      // sticky, atomic
  uint32_t interruptedScopes;              // fired interrupt scopes still on the record stack
  LichenSpinLock lock;                     // guards state, futureWaiters, cancelRecords
  LichenTask *futureWaiters;               // tasks in swift_task_future_wait on this one
  CancelRecord *cancelRecords;             // innermost first
  // Task-local frame allocator (task_alloc.c).
  TaskSlab *slab;
  char *top;
  TaskAllocation *lastAllocation;
  uint32_t liveAllocations;
  TaskSlab *inlineSlab;
  TaskSlab *spareSlab;                     // emptied heap slabs kept (linked through `previous`), so
  uint32_t spareSlabs;                     // a call at a slab boundary does not malloc and free each time
  AsyncContext *initialContext;
  size_t objectSize;
  // CPU-time accounting, for tasks that run user threads (lichen_current_task_account).
  uint32_t accounted;
  uint64_t cpuTicks;                       // counter ticks of its finished jobs (atomic adds)
  uint64_t jobs;                           // finished jobs: each one after the first followed a switch
  uint64_t allowedCPUs;                    // CPUs it may run on (bit n: CPU n); 0: any (sched_setaffinity)
  uint32_t hasRun;                         // set at its first job: a new task may go to an idle CPU
};

_Static_assert(offsetof(LichenTask, refcount) == 8, "HeapObject.refCounts");
_Static_assert(offsetof(LichenTask, schedulerNext) == 16, "Job.SchedulerPrivate");
_Static_assert(offsetof(LichenTask, jobFlags) == 32, "Job.Flags");
_Static_assert(offsetof(LichenTask, id) == 36, "Job.Id");
_Static_assert(offsetof(LichenTask, resumeTask) == 56, "Job.ResumeTask");
_Static_assert(offsetof(LichenTask, resumeContext) == 64, "AsyncTask.ResumeContext (read by compiled code)");
_Static_assert(offsetof(LichenTask, entry) == 80, "runtime-private storage starts after Reserved64");

// Two tasks blocking in turn on one CPU (ping-pong) hold two waiters at once; a few spare for more.
#define LICHEN_KEPT_WAITERS 4

// Per-CPU executor state, one cache line apart.
typedef struct {
  LichenSpinLock lock;
  uint32_t idle;               // in WFI, waiting for work (enqueuers wake it)
  uint32_t online;             // runs an executor
  LichenTask *head, *tail;     // ready queue (FIFO): tasks woken up, new tasks
  LichenTask *yieldedHead, *yieldedTail;   // tasks that yielded (Task.yield, user time slice ended)
  uint32_t wokenStreak;        // jobs taken from `head` in a row while yielded tasks waited
  uint32_t enqueueYielded;     // set while run_job resumes yielded tasks: they go to the yielded queue
  LichenTask *current;         // the task this CPU is running
  LichenTask *deferred;        // yielded tasks, resumed once the current job has suspended
  uint64_t jobStart;           // counter at the start of the current job of an accounted task
  uint64_t jobsRun, steals;
  // Counters only task context changes (never an interrupt handler): per CPU, plain increments.
  uint64_t tasksCreated, tasksCompleted, tasksDestroyed, taskAllocs, taskAllocLive, slabsLive, switches;
  // Waiters (Swift objects, +1) left by finished waits for the next ones on this CPU (waiter_keep.c).
  void *keptWaiters[LICHEN_KEPT_WAITERS];
  uint32_t keptWaiterCount;
} __attribute__((aligned(64))) CPURuntime;

extern CPURuntime lichen_cpu_runtime[LICHEN_ASYNC_MAX_CPUS];

static inline unsigned current_cpu(void) { return arch_cpu_index(); }
static inline uint64_t counter_ticks(void) { return arch_counter_ticks(); }
static inline CPURuntime *this_cpu(void) { return &lichen_cpu_runtime[current_cpu()]; }
static inline LichenTask *current_task(void) { return this_cpu()->current; }

// Counters interrupt handlers may change too: global atomics.
#define STAT_ADD(field, n) __atomic_fetch_add(&lichen_async_counters.field, (n), __ATOMIC_RELAXED)
#define CPU_STAT_ADD(field, n) (this_cpu()->field += (n))
extern LichenAsyncStats lichen_async_counters;

void lichen_executor_enqueue(LichenTask *task);
void lichen_task_free_slabs(LichenTask *task);
SWIFTCALL void swift_continuation_resume(LichenTask *task);
void *swift_retain(void *object);
