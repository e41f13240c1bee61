// The per-CPU keep of LichenCore's `Waiter` objects (WaiterRecycling.swift): a blocking wait takes
// one instead of allocating, and gives it back when it is over. Async code runs on one CPU between
// awaits and interrupt handlers never wait, so plain per-CPU accesses are enough.
#include "task.h"

void *lichen_waiter_take(void) {
  CPURuntime *cpu = this_cpu();
  if (cpu->keptWaiterCount == 0) return 0;
  return cpu->keptWaiters[--cpu->keptWaiterCount];
}

bool lichen_waiter_keep(void *waiter) {
  CPURuntime *cpu = this_cpu();
  if (cpu->keptWaiterCount == LICHEN_KEPT_WAITERS) return false;
  cpu->keptWaiters[cpu->keptWaiterCount++] = waiter;
  return true;
}
