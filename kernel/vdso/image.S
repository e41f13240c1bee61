// The vDSO shared object (build/vdso/vdso.so, built by the Makefile) inside the kernel image, page
// aligned. At boot Vdso.swift copies it into frames that every process maps as its [vdso].
    .section .rodata.vdso, "a"
    .balign 4096
    .globl lichen_vdso_image_start, lichen_vdso_image_end
lichen_vdso_image_start:
    .incbin VDSO_FILE
lichen_vdso_image_end:
    .balign 4096

    .section .rodata.vdso_offsets, "a"
    .balign 8
    .globl lichen_vdso_sigreturn_offset
lichen_vdso_sigreturn_offset:
    .quad VDSO_SIGRETURN_OFFSET
