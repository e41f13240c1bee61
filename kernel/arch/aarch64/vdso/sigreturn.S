// __kernel_rt_sigreturn: where a signal handler returns when sigaction gave no SA_RESTORER (the kernel
// sets x30 to it). Unwinders (libgcc, gdb, libunwind) recognise a signal frame by these exact two
// instructions, so nothing may come between them. The CFI describes the frame record the kernel
// pushed (x29 points at {x29, x30} of the interrupted code); .cfi_signal_frame marks the FDE so that
// unwinders do not subtract one from the return address, and the nop before the symbol keeps the
// byte before it inside the same FDE for unwinders that subtract anyway.
    .text
    .cfi_startproc
    .cfi_signal_frame
    .cfi_def_cfa x29, 0
    .cfi_offset x29, 0
    .cfi_offset x30, 8
    nop
    .globl __kernel_rt_sigreturn
    .type __kernel_rt_sigreturn, %function
__kernel_rt_sigreturn:
    mov x8, #139                // rt_sigreturn
    svc #0
    .cfi_endproc
    .size __kernel_rt_sigreturn, . - __kernel_rt_sigreturn
