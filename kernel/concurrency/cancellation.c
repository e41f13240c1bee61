// Cancellation: a sticky flag plus a stack of records on the task. A record is either a cancellation
// handler (withTaskCancellationHandler) or an interrupt scope (a timeout: firing it runs the handlers
// pushed inside the scope, without cancelling the task). Handlers run under the task's lock, exactly
// once, possibly in interrupt context: they must not allocate, block or touch the same task's records.
#include "task.h"

SWIFTCALL void *swift_task_alloc(size_t size);
SWIFTCALL void swift_task_dealloc(void *pointer);

static void run_handler(CancelRecord *record) {
  record->fired = 1;
  STAT_ADD(cancelHandlersRun, 1);
  record->handler(record->context);
}

static CancelRecord *push(SWIFTCALL void (*handler)(SWIFT_CONTEXT void *), void *context) {
  LichenTask *task = current_task();
  if (!task) lichen_c_panic("cancellation handler outside a task");
  CancelRecord *record = swift_task_alloc(sizeof(CancelRecord));
  record->handler = handler;
  record->context = context;
  record->fired = 0;
  uint64_t saved = lichen_spin_lock_irqsave(&task->lock);
  record->next = task->cancelRecords;
  task->cancelRecords = record;
  bool already = handler && (__atomic_load_n(&task->cancelled, __ATOMIC_ACQUIRE) || task->interruptedScopes);
  if (already) run_handler(record);   // cancelled (or timed out) before the wait began: run it now
  lichen_spin_unlock_irqrestore(&task->lock, saved);
  return record;
}

static void pop(CancelRecord *record) {
  LichenTask *task = current_task();
  uint64_t saved = lichen_spin_lock_irqsave(&task->lock);
  if (task->cancelRecords != record) lichen_c_panic("cancellation records popped out of order");
  task->cancelRecords = record->next;
  if (!record->handler && record->fired) task->interruptedScopes--;
  lichen_spin_unlock_irqrestore(&task->lock, saved);
  swift_task_dealloc(record);
}

// A Swift closure arrives as (function, context); the function takes its context in x20.
SWIFTCALL void *lichen_task_push_cancel_handler(SWIFTCALL void (*handler)(SWIFT_CONTEXT void *), void *context) {
  return push(handler, context);
}
SWIFTCALL void lichen_task_pop_cancel_handler(void *record) { pop(record); }

void *lichen_task_push_interrupt_scope(void) { return push(0, 0); }
void lichen_task_pop_interrupt_scope(void *scope) { pop(scope); }

SWIFTCALL void lichen_task_cancel(LichenTask *task) {
  uint64_t saved = lichen_spin_lock_irqsave(&task->lock);
  if (!__atomic_exchange_n(&task->cancelled, 1, __ATOMIC_ACQ_REL)) {
    STAT_ADD(cancels, 1);
    for (CancelRecord *r = task->cancelRecords; r; r = r->next)
      if (r->handler && !r->fired) run_handler(r);
  }
  lichen_spin_unlock_irqrestore(&task->lock, saved);
}

void lichen_task_interrupt_scope(void *raw, void *scope) {
  LichenTask *task = raw;
  CancelRecord *target = scope;
  uint64_t saved = lichen_spin_lock_irqsave(&task->lock);
  if (!target->fired) {
    target->fired = 1;
    task->interruptedScopes++;
    STAT_ADD(interrupts, 1);
    for (CancelRecord *r = task->cancelRecords; r && r != target; r = r->next)
      if (r->handler && !r->fired) run_handler(r);
  }
  lichen_spin_unlock_irqrestore(&task->lock, saved);
}

SWIFTCALL bool lichen_task_is_cancelled(LichenTask *task) { return __atomic_load_n(&task->cancelled, __ATOMIC_ACQUIRE); }

bool lichen_current_task_is_cancelled(void) {
  LichenTask *task = current_task();
  return task && __atomic_load_n(&task->cancelled, __ATOMIC_ACQUIRE);
}

bool lichen_current_task_is_interrupted(void) {
  LichenTask *task = current_task();
  return task && (__atomic_load_n(&task->cancelled, __ATOMIC_ACQUIRE) || __atomic_load_n(&task->interruptedScopes, __ATOMIC_ACQUIRE));
}
