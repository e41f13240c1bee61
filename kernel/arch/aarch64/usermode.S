// Running user code, the way an async kernel wants it: `lichen_run_user(context)` is an ordinary call
// from a task. It saves the kernel's callee-saved registers, loads the user registers from the
// UserContext (trap frame layout, include/trap_frame.h) and erets to EL0. The next exception from EL0 (vectors.S)
// saves the user registers, copies them into the same UserContext and returns from lichen_run_user
// with the reason: 0 synchronous (syscall or fault, see ESR), 1 IRQ (already handled), 2 unexpected.

#include "trap_frame.h"
#define FRAME TRAP_FRAME_SIZE
#define SAVED 112                       // x19-x30 and the context pointer

.section .text, "ax"
.global lichen_run_user
lichen_run_user:
    msr     daifset, #0xf               // ELR/SPSR must not be clobbered by an IRQ before eret
    sub     sp, sp, #SAVED
    stp     x19, x20, [sp, #0]
    stp     x21, x22, [sp, #16]
    stp     x23, x24, [sp, #32]
    stp     x25, x26, [sp, #48]
    stp     x27, x28, [sp, #64]
    stp     x29, x30, [sp, #80]
    str     x0, [sp, #USER_RUN_CONTEXT]
    ldp     x1, x2, [x0, #TRAP_FRAME_ELR]   // elr, spsr
    msr     elr_el1, x1
    msr     spsr_el1, x2
    ldr     x1, [x0, #TRAP_FRAME_SP]
    msr     sp_el0, x1
    ldp     x2, x3, [x0, #TRAP_FRAME_X(2)]
    ldp     x4, x5, [x0, #TRAP_FRAME_X(4)]
    ldp     x6, x7, [x0, #TRAP_FRAME_X(6)]
    ldp     x8, x9, [x0, #TRAP_FRAME_X(8)]
    ldp     x10, x11, [x0, #TRAP_FRAME_X(10)]
    ldp     x12, x13, [x0, #TRAP_FRAME_X(12)]
    ldp     x14, x15, [x0, #TRAP_FRAME_X(14)]
    ldp     x16, x17, [x0, #TRAP_FRAME_X(16)]
    ldp     x18, x19, [x0, #TRAP_FRAME_X(18)]
    ldp     x20, x21, [x0, #TRAP_FRAME_X(20)]
    ldp     x22, x23, [x0, #TRAP_FRAME_X(22)]
    ldp     x24, x25, [x0, #TRAP_FRAME_X(24)]
    ldp     x26, x27, [x0, #TRAP_FRAME_X(26)]
    ldp     x28, x29, [x0, #TRAP_FRAME_X(28)]
    ldr     x30, [x0, #TRAP_FRAME_X30]
    ldp     x0, x1, [x0, #TRAP_FRAME_X(0)]
    eret

// From vectors.S, on the kernel stack: sp = the saved user frame, just below lichen_run_user's save
// area; x0 = the reason.
.global lichen_user_exit
lichen_user_exit:
    ldr     x1, [sp, #(FRAME + USER_RUN_CONTEXT)]     // the UserContext
    mov     x2, sp
    mov     x3, #(FRAME / 16)
1:  ldp     x4, x5, [x2], #16
    stp     x4, x5, [x1], #16
    subs    x3, x3, #1
    b.ne    1b
    add     sp, sp, #FRAME
// From vectors.S with the user registers already in the UserContext (el0_sync); x0 = the reason.
.global lichen_user_exit_saved
lichen_user_exit_saved:
    ldp     x19, x20, [sp, #0]
    ldp     x21, x22, [sp, #16]
    ldp     x23, x24, [sp, #32]
    ldp     x25, x26, [sp, #48]
    ldp     x27, x28, [sp, #64]
    ldp     x29, x30, [sp, #80]
    add     sp, sp, #SAVED
    ret

// lichen_user_copy_in(dst, src, count) / lichen_user_copy_out(dst, src, count) -> bytes not copied
// (0 on success). The user side (src for in, dst for out; the caller has checked the range is user
// space) is accessed only with the unprivileged LDTR/STTR, so the MMU checks it as EL0 would: a page
// user code may not touch (a PROT_NONE page, a kernel page) faults here too. A fault on the user side
// resumes at lichen_user_copy_fault (ExceptionFixup.swift), which reports how much was left.
.section .text.uaccess, "ax"
.global lichen_user_copy_in, lichen_user_copy_out, lichen_user_copy_fault, __uaccess_start, __uaccess_end
__uaccess_start:
lichen_user_copy_in:
    cmp     x2, #64
    b.hs    lichen_user_copy_in_bulk
lichen_user_copy_in_words:
    cmp     x2, #8
    b.lo    2f
1:  ldtr    x3, [x1]
    add     x1, x1, #8
    str     x3, [x0], #8
    sub     x2, x2, #8
    cmp     x2, #8
    b.hs    1b
2:  cbz     x2, 4f
3:  ldtrb   w3, [x1]
    add     x1, x1, #1
    strb    w3, [x0], #1
    subs    x2, x2, #1
    b.ne    3b
4:  mov     x0, #0
    ret

lichen_user_copy_out:
    cmp     x2, #64
    b.hs    lichen_user_copy_out_bulk
lichen_user_copy_out_words:
    cmp     x2, #8
    b.lo    2f
1:  ldr     x3, [x1], #8
    sttr    x3, [x0]
    add     x0, x0, #8
    sub     x2, x2, #8
    cmp     x2, #8
    b.hs    1b
2:  cbz     x2, 4f
3:  ldrb    w3, [x1], #1
    sttrb   w3, [x0]
    add     x0, x0, #1
    subs    x2, x2, #1
    b.ne    3b
4:  mov     x0, #0
    ret

// 64 bytes per step while at least 64 are left. x0-x2 advance only after a whole block, so a fault
// in a block resumes (ExceptionFixup) at the word loop above with them at the block's start: that
// loop copies up to the faulting word and reports exactly what was left.
.global __uaccess_bulk_in_start, __uaccess_bulk_in_end, __uaccess_bulk_out_start, __uaccess_bulk_out_end
.global lichen_user_copy_in_words, lichen_user_copy_out_words
__uaccess_bulk_in_start:
lichen_user_copy_in_bulk:
    ldtr    x3, [x1]
    ldtr    x4, [x1, #8]
    ldtr    x5, [x1, #16]
    ldtr    x6, [x1, #24]
    ldtr    x7, [x1, #32]
    ldtr    x8, [x1, #40]
    ldtr    x9, [x1, #48]
    ldtr    x10, [x1, #56]
    stp     x3, x4, [x0]
    stp     x5, x6, [x0, #16]
    stp     x7, x8, [x0, #32]
    stp     x9, x10, [x0, #48]
    add     x0, x0, #64
    add     x1, x1, #64
    sub     x2, x2, #64
    cmp     x2, #64
    b.hs    lichen_user_copy_in_bulk
    b       lichen_user_copy_in_words
__uaccess_bulk_in_end:
__uaccess_bulk_out_start:
lichen_user_copy_out_bulk:
    ldp     x3, x4, [x1]
    ldp     x5, x6, [x1, #16]
    ldp     x7, x8, [x1, #32]
    ldp     x9, x10, [x1, #48]
    sttr    x3, [x0]
    sttr    x4, [x0, #8]
    sttr    x5, [x0, #16]
    sttr    x6, [x0, #24]
    sttr    x7, [x0, #32]
    sttr    x8, [x0, #40]
    sttr    x9, [x0, #48]
    sttr    x10, [x0, #56]
    add     x0, x0, #64
    add     x1, x1, #64
    sub     x2, x2, #64
    cmp     x2, #64
    b.hs    lichen_user_copy_out_bulk
    b       lichen_user_copy_out_words
__uaccess_bulk_out_end:

// lichen_user_string_length(src, max) -> length of the NUL-terminated user string at src (not
// counting the NUL), max if none within max bytes, or -1 after a fault.
.global lichen_user_string_length, lichen_user_string_fault, __ustring_start, __ustring_end
__uaccess_end:
__ustring_start:
lichen_user_string_length:
    mov     x2, #0
5:  cmp     x2, x1
    b.hs    6f
    add     x4, x0, x2
    ldtrb   w3, [x4]                    // unprivileged, like the copies
    cbz     w3, 6f
    add     x2, x2, #1
    b       5b
6:  mov     x0, x2
    ret
__ustring_end:

lichen_user_copy_fault:
    mov     x0, x2                      // bytes left
    ret
lichen_user_string_fault:
    mov     x0, #-1
    ret
