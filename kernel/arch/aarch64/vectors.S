// Exception vectors. Every entry saves a trap frame (include/trap_frame.h) and calls Swift.
// Kernel stacks are 16 KiB in the upper half of a 32 KiB-aligned window whose lower half is an unmapped
// guard, so a valid SP always has bit 14 set: an entry from EL1 whose SP has it clear has overflowed,
// and switches to the overflow stack before touching memory again.

#include "trap_frame.h"
#define FRAME TRAP_FRAME_SIZE

.macro VENTRY label
.balign 0x80
    b       \label
.endm

.section .text.vectors, "ax"
.balign 0x800
.global exception_vectors
exception_vectors:
    VENTRY  el1t_unexpected             // current EL, SP_EL0: never used by the kernel
    VENTRY  el1t_unexpected
    VENTRY  el1t_unexpected
    VENTRY  el1t_unexpected
    VENTRY  el1h_sync                   // current EL, SP_EL1
    VENTRY  el1h_irq
    VENTRY  el1h_unexpected             // FIQ
    VENTRY  el1h_unexpected             // SError
    VENTRY  el0_sync                    // lower EL, AArch64
    VENTRY  el0_irq
    VENTRY  el0_unexpected
    VENTRY  el0_unexpected
    VENTRY  el0_unexpected              // lower EL, AArch32: not supported
    VENTRY  el0_unexpected
    VENTRY  el0_unexpected
    VENTRY  el0_unexpected

// Allocate the frame; from EL1, first check for stack overflow (x0 preserved, no memory touched).
.macro ALLOC_FRAME el
    sub     sp, sp, #FRAME
.if \el == 1
    add     sp, sp, x0                  // sp' = sp + x0
    sub     x0, sp, x0                  // x0' = sp
    tbz     x0, #14, stack_overflow
    sub     x0, sp, x0                  // x0 restored
    sub     sp, sp, x0                  // sp restored
.endif
.endm

.macro SAVE_FRAME el
    stp     x0, x1, [sp, #TRAP_FRAME_X(0)]
    stp     x2, x3, [sp, #TRAP_FRAME_X(2)]
    stp     x4, x5, [sp, #TRAP_FRAME_X(4)]
    stp     x6, x7, [sp, #TRAP_FRAME_X(6)]
    stp     x8, x9, [sp, #TRAP_FRAME_X(8)]
    stp     x10, x11, [sp, #TRAP_FRAME_X(10)]
    stp     x12, x13, [sp, #TRAP_FRAME_X(12)]
    stp     x14, x15, [sp, #TRAP_FRAME_X(14)]
    stp     x16, x17, [sp, #TRAP_FRAME_X(16)]
    stp     x18, x19, [sp, #TRAP_FRAME_X(18)]
    stp     x20, x21, [sp, #TRAP_FRAME_X(20)]
    stp     x22, x23, [sp, #TRAP_FRAME_X(22)]
    stp     x24, x25, [sp, #TRAP_FRAME_X(24)]
    stp     x26, x27, [sp, #TRAP_FRAME_X(26)]
    stp     x28, x29, [sp, #TRAP_FRAME_X(28)]
.if \el == 0
    mrs     x21, sp_el0
.else
    add     x21, sp, #FRAME
.endif
    stp     x30, x21, [sp, #TRAP_FRAME_X30]   // x30, sp
    mrs     x22, elr_el1
    mrs     x23, spsr_el1
    stp     x22, x23, [sp, #TRAP_FRAME_ELR]   // elr, spsr
    mrs     x24, esr_el1
    mrs     x25, far_el1
    stp     x24, x25, [sp, #TRAP_FRAME_ESR]   // esr, far
.if \el == 0
    mov     x29, xzr                    // user frame pointers are not kernel frames: backtraces stop here
.endif
.endm

.macro RESTORE_FRAME el
    ldp     x22, x23, [sp, #TRAP_FRAME_ELR]   // elr, spsr
    msr     elr_el1, x22
    msr     spsr_el1, x23
.if \el == 0
    ldr     x21, [sp, #TRAP_FRAME_SP]
    msr     sp_el0, x21
.endif
    ldp     x0, x1, [sp, #TRAP_FRAME_X(0)]
    ldp     x2, x3, [sp, #TRAP_FRAME_X(2)]
    ldp     x4, x5, [sp, #TRAP_FRAME_X(4)]
    ldp     x6, x7, [sp, #TRAP_FRAME_X(6)]
    ldp     x8, x9, [sp, #TRAP_FRAME_X(8)]
    ldp     x10, x11, [sp, #TRAP_FRAME_X(10)]
    ldp     x12, x13, [sp, #TRAP_FRAME_X(12)]
    ldp     x14, x15, [sp, #TRAP_FRAME_X(14)]
    ldp     x16, x17, [sp, #TRAP_FRAME_X(16)]
    ldp     x18, x19, [sp, #TRAP_FRAME_X(18)]
    ldp     x20, x21, [sp, #TRAP_FRAME_X(20)]
    ldp     x22, x23, [sp, #TRAP_FRAME_X(22)]
    ldp     x24, x25, [sp, #TRAP_FRAME_X(24)]
    ldp     x26, x27, [sp, #TRAP_FRAME_X(26)]
    ldp     x28, x29, [sp, #TRAP_FRAME_X(28)]
    ldr     x30, [sp, #TRAP_FRAME_X30]
    add     sp, sp, #FRAME
    eret
.endm

.macro HANDLER name, el, target
\name:
    ALLOC_FRAME \el
    SAVE_FRAME \el
    mov     x0, sp
    bl      \target
    RESTORE_FRAME \el
.endm

.macro UNEXPECTED name, el, kind
\name:
    ALLOC_FRAME \el
    SAVE_FRAME \el
    mov     x0, sp
    mov     x1, #\kind
    bl      lichen_unexpected_exception
1:  wfi
    b       1b
.endm

    HANDLER el1h_sync, 1, lichen_el1_sync
    HANDLER el1h_irq, 1, lichen_irq
    UNEXPECTED el1t_unexpected, 1, 0
    UNEXPECTED el1h_unexpected, 1, 1

// Exceptions from EL0 end the lichen_run_user call that entered user mode (usermode.S).
// A synchronous exception (a syscall, a fault) saves the user registers straight into the UserContext
// that lichen_run_user stored in its save area (sp is there now): no trap frame on the stack to copy.
el0_sync:
    stp     x0, x1, [sp, #-16]!         // two scratch registers
    ldr     x0, [sp, #(16 + USER_RUN_CONTEXT)]
    stp     x2, x3, [x0, #TRAP_FRAME_X(2)]
    stp     x4, x5, [x0, #TRAP_FRAME_X(4)]
    stp     x6, x7, [x0, #TRAP_FRAME_X(6)]
    stp     x8, x9, [x0, #TRAP_FRAME_X(8)]
    stp     x10, x11, [x0, #TRAP_FRAME_X(10)]
    stp     x12, x13, [x0, #TRAP_FRAME_X(12)]
    stp     x14, x15, [x0, #TRAP_FRAME_X(14)]
    stp     x16, x17, [x0, #TRAP_FRAME_X(16)]
    stp     x18, x19, [x0, #TRAP_FRAME_X(18)]
    stp     x20, x21, [x0, #TRAP_FRAME_X(20)]
    stp     x22, x23, [x0, #TRAP_FRAME_X(22)]
    stp     x24, x25, [x0, #TRAP_FRAME_X(24)]
    stp     x26, x27, [x0, #TRAP_FRAME_X(26)]
    stp     x28, x29, [x0, #TRAP_FRAME_X(28)]
    mrs     x21, sp_el0
    stp     x30, x21, [x0, #TRAP_FRAME_X30]   // x30, sp
    mrs     x22, elr_el1
    mrs     x23, spsr_el1
    stp     x22, x23, [x0, #TRAP_FRAME_ELR]   // elr, spsr
    mrs     x24, esr_el1
    mrs     x25, far_el1
    stp     x24, x25, [x0, #TRAP_FRAME_ESR]   // esr, far
    ldp     x2, x3, [sp], #16
    stp     x2, x3, [x0, #TRAP_FRAME_X(0)]
    mov     x0, #0
    b       lichen_user_exit_saved
el0_irq:
    ALLOC_FRAME 0
    SAVE_FRAME 0
    mov     x0, sp
    bl      lichen_irq
    mov     x0, #1
    b       lichen_user_exit
el0_unexpected:
    ALLOC_FRAME 0
    SAVE_FRAME 0
    mov     x0, #2
    b       lichen_user_exit

// The stack overflowed (x0 = faulting SP - FRAME, sp = that + original x0). Move to the overflow stack,
// build a frame there and report; this never returns.
stack_overflow:
    msr     tpidrro_el0, x0             // faulting SP - FRAME
    sub     x0, sp, x0                  // original x0
    msr     tpidr_el0, x0
    ldr     x0, =overflow_stacks        // this CPU's overflow stack: overflow_stacks + (index + 1) * 8 KiB
    mov     sp, x0
    mrs     x0, tpidr_el1
    add     x0, x0, #1
    lsl     x0, x0, #13
    add     sp, sp, x0
    sub     sp, sp, #FRAME
    mrs     x0, tpidr_el0
    SAVE_FRAME 1
    mrs     x0, tpidrro_el0
    add     x0, x0, #FRAME
    str     x0, [sp, #TRAP_FRAME_SP]    // the overflowing SP
    mov     x0, sp
    bl      lichen_stack_overflow
2:  wfi
    b       2b

.section .bss.overflow_stack, "aw", %nobits
.balign 16
overflow_stacks:
    .space  8192 * 8                    // one per CPU (PerCPU.maxCPUs)
