// The executor: two FIFO ready queues per CPU, linked through the tasks' SchedulerPrivate word so that
// enqueuing (from an interrupt handler, too) never allocates. Woken and new tasks go to the first,
// tasks that yielded (sched_yield, a user thread whose time slice ended) to the second, which runs
// when the first is empty, or every `wokenBurst` jobs: a task that sleeps and wakes (a shell, a reader
// of a pipe) runs within about one time slice however many programs spin. A CPU runs its own queues
// first, then steals from the others; an enqueue wakes an idle CPU. A task with allowed CPUs (a user
// thread's affinity) is queued on one of them and stolen only by them. Running a task = calling its
// ResumeTask with its ResumeContext; it returns when the task suspends or completes. Tasks are never
// preempted.
#include "task.h"

CPURuntime lichen_cpu_runtime[LICHEN_ASYNC_MAX_CPUS];

void lichen_cpu_wake(long index);   // Swift (Executor.swift): PerCPU.wake, an IPI once SMP is up

enum { wokenBurst = 4 };

static void push(LichenTask **head, LichenTask **tail, LichenTask *task) {
  task->schedulerNext = 0;
  if (*tail) (*tail)->schedulerNext = task; else *head = task;
  *tail = task;
}

static LichenTask *pop(LichenTask **head, LichenTask **tail) {
  LichenTask *task = *head;
  if (task) {
    *head = task->schedulerNext;
    if (!*head) *tail = 0;
  }
  return task;
}

// Whether the next job comes from the yielded queue.
static bool yielded_first(const CPURuntime *cpu) {
  return cpu->yieldedHead && (!cpu->head || cpu->wokenStreak >= wokenBurst);
}

static LichenTask *pop_locked(CPURuntime *cpu) {
  if (yielded_first(cpu)) {
    cpu->wokenStreak = 0;
    return pop(&cpu->yieldedHead, &cpu->yieldedTail);
  }
  if (cpu->yieldedHead) cpu->wokenStreak++;
  return pop(&cpu->head, &cpu->tail);
}

static bool allowed_on(const LichenTask *task, unsigned index) {
  return !task->allowedCPUs || (task->allowedCPUs >> index & 1);
}

// Where a task that may not run on `self` goes: an idle allowed CPU if there is one, else the first
// online allowed one (sched_setaffinity accepts only masks with an online CPU).
static unsigned allowed_target(const LichenTask *task) {
  unsigned first = LICHEN_ASYNC_MAX_CPUS;
  for (unsigned i = 0; i < LICHEN_ASYNC_MAX_CPUS; i++) {
    if (!allowed_on(task, i) || !__atomic_load_n(&lichen_cpu_runtime[i].online, __ATOMIC_RELAXED)) continue;
    if (__atomic_load_n(&lichen_cpu_runtime[i].idle, __ATOMIC_RELAXED)) return i;
    if (first == LICHEN_ASYNC_MAX_CPUS) first = i;
  }
  return first == LICHEN_ASYNC_MAX_CPUS ? current_cpu() : first;
}

// An idle CPU is woken only for work this CPU cannot take next: a yielded task (this CPU is busy
// with user code), a task that has never run (a new thread starts in parallel with its creator, as
// Linux balances new tasks: programs expect it, e.g. glibc's unwinding of a thread racing main's
// exit), or a task queued behind others. A lone woken task stays for this CPU, like
// Linux's wake-affine placement: its waker sleeps soon (a futex or pipe hand-off) or, at the latest,
// gives the CPU up after Thread.wakeupGranularity. Waking an idle CPU for it instead made every
// hand-off between two threads cross CPUs, each paying an IPI and a WFI exit (milliseconds in qemu).
static bool needs_another_cpu(bool yielded, bool hadWork) { return yielded || hadWork; }

static void wake_an_idle_cpu(unsigned self) {
  // Pairs with the fence in lichen_executor_set_idle: either the idle CPU sees the queued task
  // before its WFI, or we see it idle and wake it.
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  for (unsigned i = 0; i < LICHEN_ASYNC_MAX_CPUS; i++) {
    if (i != self && __atomic_load_n(&lichen_cpu_runtime[i].idle, __ATOMIC_RELAXED)) { lichen_cpu_wake(i); break; }
  }
}

void lichen_executor_enqueue(LichenTask *task) {
  unsigned self = current_cpu();
  bool yielded = lichen_cpu_runtime[self].enqueueYielded;
  if (!allowed_on(task, self)) {            // pinned elsewhere: only an allowed CPU may run it
    unsigned target = allowed_target(task);
    CPURuntime *other = &lichen_cpu_runtime[target];
    uint64_t saved = lichen_spin_lock_irqsave(&other->lock);
    if (yielded) push(&other->yieldedHead, &other->yieldedTail, task);
    else push(&other->head, &other->tail, task);
    lichen_spin_unlock_irqrestore(&other->lock, saved);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (target != self) lichen_cpu_wake(target);
    return;
  }
  CPURuntime *cpu = &lichen_cpu_runtime[self];
  uint64_t saved = lichen_spin_lock_irqsave(&cpu->lock);
  bool hadWork = cpu->head || cpu->yieldedHead, fresh = !task->hasRun;
  if (yielded) push(&cpu->yieldedHead, &cpu->yieldedTail, task);
  else push(&cpu->head, &cpu->tail, task);
  lichen_spin_unlock_irqrestore(&cpu->lock, saved);
  if (needs_another_cpu(yielded || fresh, hadWork)) wake_an_idle_cpu(self);
}

SWIFTCALL void swift_task_enqueueGlobal(LichenTask *task) { lichen_executor_enqueue(task); }

static void run_job(CPURuntime *cpu, LichenTask *task) {
  cpu->current = task;
  task->hasRun = 1;
  cpu->jobsRun++;
  if (task->accounted) {
    // A user thread: count how long it runs (its CPU time). Retained, because once it suspends it
    // may be resumed, finish and be freed on another CPU before this CPU adds to it.
    swift_retain(task);
    uint64_t start = counter_ticks();
    cpu->jobStart = start;
    task->resumeTask(task->resumeContext);
    __atomic_fetch_add(&task->cpuTicks, counter_ticks() - start, __ATOMIC_RELAXED);
    __atomic_fetch_add(&task->jobs, 1, __ATOMIC_RELAXED);
    cpu->current = 0;
    swift_release(task);
  } else {
    task->resumeTask(task->resumeContext);   // the task may be running elsewhere or freed after this
  }
  cpu->current = 0;
  while (cpu->deferred) {                  // tasks that yielded during that job
    LichenTask *yielded = cpu->deferred;
    cpu->deferred = yielded->schedulerNext;
    uint64_t saved = arch_irq_save();      // IRQs masked: a task an interrupt handler wakes is no yielder
    cpu->enqueueYielded = 1;
    swift_continuation_resume(yielded);
    cpu->enqueueYielded = 0;
    arch_irq_restore(saved);
  }
}

SWIFTCALL void swift_job_run(LichenTask *task, void *executorIdentity, void *executorImplementation) {
  (void)executorIdentity; (void)executorImplementation;
  run_job(this_cpu(), task);
}

static LichenTask *steal(unsigned self) {
  for (unsigned n = 1; n < LICHEN_ASYNC_MAX_CPUS; n++) {
    CPURuntime *victim = &lichen_cpu_runtime[(self + n) % LICHEN_ASYNC_MAX_CPUS];
    if (!__atomic_load_n(&victim->head, __ATOMIC_RELAXED) && !__atomic_load_n(&victim->yieldedHead, __ATOMIC_RELAXED))
      continue;                                                         // (queues of offline CPUs stay empty)
    uint64_t saved;
    if (!lichen_spin_trylock_irqsave(&victim->lock, &saved)) continue;
    // A yielded task first: it was running user code (CPU-bound), so moving it costs nothing, while
    // a woken task is usually one side of a hand-off that its waker's CPU is about to take. A task
    // pinned to other CPUs stays where it is.
    LichenTask *task = 0;
    if (victim->yieldedHead && allowed_on(victim->yieldedHead, self)) task = pop(&victim->yieldedHead, &victim->yieldedTail);
    else if (victim->head && allowed_on(victim->head, self)) task = pop(&victim->head, &victim->tail);
    bool more = victim->head || victim->yieldedHead;
    lichen_spin_unlock_irqrestore(&victim->lock, saved);
    if (!task) continue;
    lichen_cpu_runtime[self].steals++;
    if (more) wake_an_idle_cpu(self);     // still more than its CPU takes next: another idle CPU helps
    return task;
  }
  return 0;
}

bool lichen_executor_run_next(void) {
  unsigned self = current_cpu();
  CPURuntime *cpu = &lichen_cpu_runtime[self];
  uint64_t saved = lichen_spin_lock_irqsave(&cpu->lock);
  LichenTask *task = pop_locked(cpu);
  lichen_spin_unlock_irqrestore(&cpu->lock, saved);
  if (!task) task = steal(self);
  if (!task) return false;
  run_job(cpu, task);
  return true;
}

bool lichen_executor_has_work(void) {
  for (unsigned i = 0; i < LICHEN_ASYNC_MAX_CPUS; i++)
    if (__atomic_load_n(&lichen_cpu_runtime[i].head, __ATOMIC_ACQUIRE)
        || __atomic_load_n(&lichen_cpu_runtime[i].yieldedHead, __ATOMIC_ACQUIRE)) return true;
  return false;
}

bool lichen_executor_woken_waiting(void) {
  return __atomic_load_n(&this_cpu()->head, __ATOMIC_RELAXED) != 0;
}

// Whether any task waits in this CPU's queues: if none, a yield would run the caller again at once.
bool lichen_executor_local_work(void) {
  const CPURuntime *cpu = this_cpu();
  return __atomic_load_n(&cpu->head, __ATOMIC_RELAXED) || __atomic_load_n(&cpu->yieldedHead, __ATOMIC_RELAXED);
}

void lichen_executor_set_idle(bool idle) {
  __atomic_store_n(&this_cpu()->idle, idle, __ATOMIC_RELAXED);
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void lichen_executor_cpu_online(void) {
  if (current_cpu() >= LICHEN_ASYNC_MAX_CPUS) lichen_c_panic("executor: CPU index beyond LICHEN_ASYNC_MAX_CPUS");
  this_cpu()->online = 1;
}

// Hop to another executor, then continue at resume(context). Every task runs on the generic executor,
// which is wherever we are, so the hop is a tail call. Actors are not supported (no default-actor entry
// points are provided, so declaring an actor fails at link time).
SWIFTASYNC void swift_task_switch(ASYNC_CONTEXT AsyncContext *context, ResumeFunction *resume,
                                  void *executorIdentity, void *executorImplementation) {
  (void)executorImplementation;
  if (executorIdentity) lichen_c_panic("swift_task_switch: only the generic executor exists");
  CPU_STAT_ADD(switches, 1);
  return resume(context);
}

typedef struct { void *identity; void *implementation; } SerialExecutorRef;
SWIFTCALL SerialExecutorRef swift_task_getCurrentExecutor(void) { return (SerialExecutorRef){ 0, 0 }; }

// CPU time of user threads' tasks: run_job adds each job's length; the running task reads its own
// total including the job in progress (tasks are never preempted, so the CPU cannot change under it).
void lichen_current_task_account(void) {
  CPURuntime *cpu = this_cpu();
  cpu->jobStart = counter_ticks();         // this job is counted from here (run_job did not time it)
  cpu->current->accounted = 1;
}

uint64_t lichen_current_task_cpu_ticks(void) {
  CPURuntime *cpu = this_cpu();
  return __atomic_load_n(&cpu->current->cpuTicks, __ATOMIC_RELAXED) + counter_ticks() - cpu->jobStart;
}

void lichen_current_task_set_allowed_cpus(uint64_t mask) { this_cpu()->current->allowedCPUs = mask; }

uint64_t lichen_current_task_jobs(void) { return __atomic_load_n(&this_cpu()->current->jobs, __ATOMIC_RELAXED); }
