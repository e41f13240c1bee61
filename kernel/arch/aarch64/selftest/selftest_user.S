// Tiny EL0 programs for the user-mode self-test (kernel/selftest/UserModeSelfTest.swift). They are data in
// the kernel image; the test copies them into user pages. Position-independent; Linux syscall numbers.

.arch armv8-a+fp+simd
.section .rodata.user_programs, "a"
.balign 4

// write "hello from EL0", check EFAULT for an unmapped and a kernel pointer, use FP/SIMD, exit(0).
.global user_program_hello, user_program_hello_end
user_program_hello:
    mov     x0, #1
    adr     x1, 10f
    mov     x2, #(11f - 10f)
    mov     x8, #64                     // write
    svc     #0
    cmp     x0, #(11f - 10f)
    b.ne    9f
    mov     x0, #1
    mov     x1, #0x10                   // unmapped
    mov     x2, #4
    svc     #0
    cmn     x0, #14                     // -EFAULT
    b.ne    9f
    mov     x0, #1
    movz    x1, #0xff80, lsl #32        // the kernel image
    mov     x2, #4
    mov     x8, #64
    svc     #0
    cmn     x0, #14
    b.ne    9f
    fmov    d0, #1.0                    // user FP/SIMD works (the kernel traps only its own use)
    fadd    d0, d0, d0
    fcvtzs  x3, d0
    cmp     x3, #2
    b.ne    9f
    mov     x0, #0
    mov     x8, #93                     // exit
    svc     #0
9:  mov     x0, #1
    mov     x8, #93
    svc     #0
10: .ascii  "hello from EL0\n"
11:
.balign 4
user_program_hello_end:

// Reads kernel memory directly: must take a permission fault.
.global user_program_peek, user_program_peek_end
user_program_peek:
    movz    x1, #0xff80, lsl #32
    ldr     x0, [x1]
    mov     x8, #93
    svc     #0
user_program_peek_end:

// Spins forever: only the timer interrupt gets the CPU back.
.global user_program_spin, user_program_spin_end
user_program_spin:
    add     x0, x0, #1
    b       user_program_spin
user_program_spin_end:
