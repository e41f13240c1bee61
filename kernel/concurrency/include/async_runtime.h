// The async runtime as the rest of the kernel (Swift) sees it: the executor, runtime statistics, a
// small IRQ-saving spinlock, and read-only views of tasks for diagnostics. Plain C types only, so the
// Swift importer takes it; the compiler-facing ABI is in async_abi.h.
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include "arch_cpu.h"      // kernel/arch/$(ARCH)/include: IRQ masking, relax

#define LICHEN_ASYNC_MAX_CPUS 8

// An IRQ-saving test-and-test-and-set spinlock. IRQs are masked before the lock is taken, so an
// interrupt handler on the same CPU can never spin on a lock its CPU already holds.
typedef struct { uint32_t locked; } LichenSpinLock;

static inline uint64_t lichen_spin_lock_irqsave(LichenSpinLock *lock) {
  uint64_t saved = arch_irq_save();
  while (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE)) {
    while (__atomic_load_n(&lock->locked, __ATOMIC_RELAXED)) arch_cpu_relax();
  }
  return saved;
}

static inline bool lichen_spin_trylock_irqsave(LichenSpinLock *lock, uint64_t *saved) {
  *saved = arch_irq_save();
  if (!__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE)) return true;
  arch_irq_restore(*saved);
  return false;
}

static inline void lichen_spin_unlock_irqrestore(LichenSpinLock *lock, uint64_t saved) {
  __atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
  arch_irq_restore(saved);
}

// ---- executor (executor.c) ----
// Registers the calling CPU as running an executor (counted for wake-ups and stealing).
void lichen_executor_cpu_online(void);
// Runs one ready task from this CPU's queue, or one stolen from another CPU. False if none was ready.
bool lichen_executor_run_next(void);
// Whether any CPU has a ready task (called with IRQs masked before WFI).
bool lichen_executor_has_work(void);
// Whether a woken (or new) task waits in this CPU's first queue: a user thread about to return to
// user mode yields to it (Linux's need_resched), or it would wait for the thread's time slice to end.
bool lichen_executor_woken_waiting(void);
// Whether any task waits in either of this CPU's queues (sched_yield has nothing to yield to without).
bool lichen_executor_local_work(void);
// Marks this CPU idle (in WFI) or busy; enqueuers wake idle CPUs.
void lichen_executor_set_idle(bool idle);

// ---- statistics ----
typedef struct {
  uint64_t tasksCreated, tasksCompleted, tasksDestroyed;
  uint64_t jobsRun, steals, switches;
  uint64_t continuationSuspends, continuationFastResumes, futureWaitSuspends;
  uint64_t taskAllocs, taskAllocLive, taskAllocMaxDepth, slabsLive;
  uint64_t cancels, cancelHandlersRun, interrupts;
} LichenAsyncStats;
void lichen_async_stats(LichenAsyncStats *out);

// ---- tasks, for diagnostics (raw pointers; never retained) ----
void *lichen_current_task(void);                         // +0, NULL outside a task
uint32_t lichen_task_id(void *task);
// The context the task will resume with (its innermost frame while suspended).
void *lichen_task_resume_context(void *task);
// Whether `address` lies in memory the task's frames can live in (its allocator or its object).
bool lichen_task_owns_address(void *task, uint64_t address);
// The runtime's task-completion funclet: the ResumeParent of every task's outermost frame.
uint64_t lichen_task_complete_address(void);

// ---- CPU time of user threads (executor.c): counter ticks the current task ran, jobs it finished ----
void lichen_current_task_account(void);
// The CPUs the running task may run on from its next enqueue (0: any); a running task outside them
// moves at its next yield. sched_setaffinity for user threads.
void lichen_current_task_set_allowed_cpus(uint64_t mask);
uint64_t lichen_current_task_cpu_ticks(void);
uint64_t lichen_current_task_jobs(void);

// ---- timeouts (cancellation.c): interrupt the waits inside a scope without cancelling the task ----
void *lichen_task_push_interrupt_scope(void);
void lichen_task_pop_interrupt_scope(void *scope);
// From any context (a timer interrupt): runs the cancellation handlers pushed inside `scope`.
void lichen_task_interrupt_scope(void *task, void *scope);
bool lichen_current_task_is_interrupted(void);
bool lichen_current_task_is_cancelled(void);

// ---- small atomics for Swift code in the kernel (Embedded Swift has no Synchronization here) ----
static inline uint32_t lichen_atomic_load32(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void lichen_atomic_store32(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline uint64_t lichen_atomic_add64(uint64_t *p, uint64_t v) { return __atomic_add_fetch(p, v, __ATOMIC_RELAXED); }
static inline void lichen_cpu_relax(void) { arch_cpu_relax(); }
// Compare-and-swap of a 32-bit word; returns the old value (futex words in user memory, reached
// through the direct map: FUTEX_WAKE_OP and robust lists must be atomic against user code on other CPUs).
static inline uint32_t lichen_atomic_cas32(uint64_t addr, uint32_t expected, uint32_t desired) {
  __atomic_compare_exchange_n((volatile uint32_t *)addr, &expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  return expected;
}

// ---- ABI self-checks (abi_check.c), for lichen.test=async ----
// The CPU's kept waiters (LichenCore's WaiterRecycling): +1 object pointers; take gives NULL when
// none is kept, keep false when full (the caller still owns it then). Task context only.
void *lichen_waiter_take(void);
bool lichen_waiter_keep(void *waiter);

uint32_t lichen_async_check_continuation(void);
uint32_t lichen_async_check_task(void);
