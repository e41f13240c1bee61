// The task-local allocator: async frames are allocated and freed in strict LIFO order per task, so a
// bump pointer over a chain of slabs serves them. The compiler assumes it cannot fail.
#include "task.h"

#define SLAB_BYTES (4096 - sizeof(TaskSlab) - 16)   // a slab plus the heap's header fits a 4 KiB class
// Emptied slabs a task keeps (a stack through `previous`): a call chain that crosses two or three slab
// boundaries on every syscall would otherwise malloc and free a page each time.
#define MAX_SPARE_SLABS 2

SWIFTCALL void *swift_task_alloc(size_t size);

// A new slab (or a spare one) for an allocation that does not fit in the current one; outside a
// task, a marked heap block. Out of line, so the common bump below saves no registers.
__attribute__((noinline)) static void *task_alloc_slowly(LichenTask *task, size_t size) {
  if (!task) {   // async code outside a task (should not happen): plain heap, marked
    TaskAllocation *a = malloc(sizeof(TaskAllocation) + size);
    if (!a) lichen_c_panic("swift_task_alloc: out of memory");
    a->previous = 0;
    a->size = SIZE_MAX;
    return a + 1;
  }
  size_t need = sizeof(TaskAllocation) + size;
  size_t capacity = need > SLAB_BYTES ? need : SLAB_BYTES;
  TaskSlab *slab = task->spareSlab;
  if (slab && (size_t)(slab->end - (char *)(slab + 1)) >= capacity) {
    task->spareSlab = slab->previous;
    task->spareSlabs--;
    capacity = slab->end - (char *)(slab + 1);
  } else {
    slab = malloc(sizeof(TaskSlab) + capacity);
    if (!slab) lichen_c_panic("swift_task_alloc: out of memory");
    CPU_STAT_ADD(slabsLive, 1);
  }
  slab->previous = task->slab;
  slab->savedTop = task->top;
  slab->end = (char *)(slab + 1) + capacity;
  task->slab = slab;
  task->top = (char *)(slab + 1);
  return swift_task_alloc(size);   // fits now
}

SWIFTCALL void *swift_task_alloc(size_t size) {
  CPURuntime *cpu = this_cpu();      // async code runs to its next await on one CPU
  LichenTask *task = cpu->current;
  size = (size + 15) & ~(size_t)15;
  size_t need = sizeof(TaskAllocation) + size;
  if (__builtin_expect(!task || task->top + need > task->slab->end, 0)) return task_alloc_slowly(task, size);
  TaskAllocation *a = (TaskAllocation *)task->top;
  a->previous = task->lastAllocation;
  a->size = size;
  task->lastAllocation = a;
  task->top += need;
  task->liveAllocations++;
  cpu->taskAllocs++;
  cpu->taskAllocLive++;
  if (task->liveAllocations > lichen_async_counters.taskAllocMaxDepth)
    lichen_async_counters.taskAllocMaxDepth = task->liveAllocations;   // a statistic: races are harmless
  return a + 1;
}

// The task's current heap slab emptied: back to the previous one, keeping this one as a spare.
__attribute__((noinline)) static void task_slab_emptied(LichenTask *task, TaskSlab *slab) {
  task->slab = slab->previous;
  task->top = slab->savedTop;
  if (task->spareSlabs < MAX_SPARE_SLABS) {
    slab->previous = task->spareSlab;
    task->spareSlab = slab;
    task->spareSlabs++;
  } else {
    free(slab);
    CPU_STAT_ADD(slabsLive, -1);
  }
}

SWIFTCALL void swift_task_dealloc(void *pointer) {
  TaskAllocation *a = (TaskAllocation *)pointer - 1;
  if (__builtin_expect(a->size == SIZE_MAX, 0)) { free(a); return; }
  CPURuntime *cpu = this_cpu();
  LichenTask *task = cpu->current;
  if (!task || a != task->lastAllocation) lichen_c_panic("swift_task_dealloc: not the task's most recent allocation");
  task->lastAllocation = a->previous;
  task->top = (char *)a;
  task->liveAllocations--;
  cpu->taskAllocLive--;
  TaskSlab *slab = task->slab;
  if (__builtin_expect(task->top == (char *)(slab + 1) && slab != task->inlineSlab, 0)) task_slab_emptied(task, slab);
}

// Frees everything allocated at or after `pointer` (used by async let and task groups).
SWIFTCALL void swift_task_dealloc_through(void *pointer) {
  TaskAllocation *target = (TaskAllocation *)pointer - 1;
  LichenTask *task = current_task();
  for (;;) {
    TaskAllocation *last = task ? task->lastAllocation : 0;
    if (!last) lichen_c_panic("swift_task_dealloc_through: allocation not found");
    swift_task_dealloc(last + 1);
    if (last == target) return;
  }
}

// Frees the heap slabs of a finished task (the inline one goes with the task object).
void lichen_task_free_slabs(LichenTask *task) {
  while (task->slab && task->slab != task->inlineSlab) {
    TaskSlab *slab = task->slab;
    task->slab = slab->previous;
    free(slab);
    CPU_STAT_ADD(slabsLive, -1);
  }
  while (task->spareSlab) {
    TaskSlab *slab = task->spareSlab;
    task->spareSlab = slab->previous;
    free(slab);
    CPU_STAT_ADD(slabsLive, -1);
  }
  task->spareSlabs = 0;
  task->top = task->slab ? (char *)(task->slab + 1) : 0;
  task->lastAllocation = 0;
}
