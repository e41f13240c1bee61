// Lichen entry point: the Linux arm64 `Image` boot protocol.
// Entered with the MMU off at EL2 or EL1, x0 = physical address of the device tree, the image anywhere
// in RAM at a 2 MiB-aligned address. Code before the MMU is on is position-independent (adr/adrp only).
// It builds throw-away boot page tables (identity map of the kernel's and the DTB's gigabytes, the image
// at its link address in 2 MiB blocks), turns the MMU on and calls Swift at the link address. The real
// page tables (W^X, direct map, guard pages) are built in Swift (KernelAddressSpace.swift).
//
// The kernel lives in the upper half of the TTBR0 range (0x0000_8000_0000_0000 and up), not in the TTBR1
// range: Swift keeps flags in the top 4 bits of pointers (enum spare bits, String's discriminator), so
// every address Swift touches must be below 2^60. TTBR1 walks are disabled (EPD1). See docs/memory.md.

#define BLOCK_NORMAL   0x701            // block | AttrIndx 0 (normal WB) | SH inner | AF
#define TABLE          0x3
#define SCTLR_RES1     0x30d00800       // RES1 bits of SCTLR_EL1 in Armv8.0
// Bootstrap MAIR/TCR/SCTLR, for the boot tables only: once a CPU's final tables are live it loads the
// unit-tested values (KernelAddressSpace.loadTranslationControls: mairEL1Value, TranslationControl.
// kernelValue, SystemControl.kernelValue). These match them except WXN (the boot tables map the image
// writable) and AS, which TranslationControl sets only where 16-bit ASIDs exist.
// M C SA SA0 SED I DZE UCT nTWE UCI. UCT and UCI let user code read CTR_EL0
// and clean caches (__builtin___clear_cache, JITs), as Linux allows.
#define SCTLR_MMU_ON   (SCTLR_RES1 | (1 << 0) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 8) | (1 << 12) | (1 << 14) | (1 << 15) | (1 << 18) | (1 << 26))
#define MAIR_VALUE     0x004404ff       // idx0 normal WB, idx1 device-nGnRE, idx2 normal NC, idx3 device-nGnRnE
// T0SZ=T1SZ=16 (48-bit), WB-WA inner/outer, inner shareable, TG0=4K, TG1=4K, EPD1 (no TTBR1 walks),
// 16-bit ASIDs (AS); IPS added at run time.
#define TCR_VALUE      ((16 << 0) | (1 << 8) | (1 << 10) | (3 << 12) | (16 << 16) | (1 << 23) | (1 << 24) | (1 << 26) | (3 << 28) | (2 << 30) | (1 << 36))

.section .text.head, "ax"
.global _text
_text:
    b       primary_entry               // code0
    .long   0                           // code1
    .quad   0                           // text_offset: none, we run wherever we are put
    .quad   _kernel_size                // image_size: bytes the loader must leave free, incl. bss
    .quad   0xa                         // flags: little-endian, 4 KiB pages, anywhere in RAM
    .quad   0, 0, 0                     // reserved
    .ascii  "ARM\x64"                   // magic
    .long   0                           // no PE/COFF header

.section .text.boot, "ax"
primary_entry:
    mov     x19, x0                     // x19 = DTB physical address
    msr     tpidr_el1, xzr              // the boot CPU is CPU 0
    mrs     x20, CurrentEL
    lsr     x20, x20, #2                // x20 = exception level we were entered at
    cmp     x20, #2
    b.ne    1f
    bl      drop_to_el1
1:  ldr     x1, =SCTLR_RES1
    msr     sctlr_el1, x1               // MMU and caches off, known state
    mov     x1, #(3 << 20)              // CPACR_EL1.FPEN = 11: FP/SIMD for user space (the kernel never uses it)
    msr     cpacr_el1, x1
    mov     x1, #(1 << 1)               // CNTKCTL_EL1.EL0VCTEN: user space reads CNTVCT_EL0 (the vDSO's clocks)
    msr     cntkctl_el1, x1
    isb

    // Zero the boot page tables (they are NOLOAD, outside .bss).
    adrp    x0, __boot_tables_start
    adrp    x1, __boot_tables_end
2:  stp     xzr, xzr, [x0], #16
    cmp     x0, x1
    b.lo    2b

    adrp    x21, _text                  // x21 = physical base of the image

    // Identity map: 1 GiB blocks for the kernel's and the DTB's gigabytes (the DTB may cross one).
    adrp    x0, boot_l0
    adrp    x1, boot_idmap_l1
    orr     x2, x1, #TABLE
    str     x2, [x0]
    mov     x0, x21
    bl      idmap_gigabyte
    mov     x0, x19
    bl      idmap_gigabyte
    add     x0, x19, #(2 << 20)
    bl      idmap_gigabyte

    // Image map: link address 0x0000ff8000000000 -> physical base, in 2 MiB blocks.
    adrp    x0, boot_l0
    adrp    x1, boot_kmap_l1
    adrp    x2, boot_kmap_l2
    orr     x3, x1, #TABLE
    str     x3, [x0, #(511 * 8)]        // L0 index 511 = 0x0000ff8000000000
    orr     x3, x2, #TABLE
    str     x3, [x1]
    ldr     x4, =_kernel_size
    ldr     x5, =((2 << 20) - 1)
    add     x4, x4, x5
    lsr     x4, x4, #21                 // number of 2 MiB blocks
    mov     x5, x21
    ldr     x6, =BLOCK_NORMAL
3:  orr     x7, x5, x6
    str     x7, [x2], #8
    add     x5, x5, #(2 << 20)
    subs    x4, x4, #1
    b.ne    3b

    bl      enable_mmu
    ldr     x0, =high_entry
    br      x0

// x0 = a physical address: identity-map its gigabyte (only the first 512 GiB; enough for the boot map).
idmap_gigabyte:
    lsr     x2, x0, #39
    cbnz    x2, 1f
    adrp    x1, boot_idmap_l1
    lsr     x2, x0, #30
    and     x2, x2, #511
    lsl     x3, x2, #30
    ldr     x4, =BLOCK_NORMAL
    orr     x3, x3, x4
    str     x3, [x1, x2, lsl #3]
1:  ret

// Turns the MMU on with the boot tables (identity map + image map). Returns to the caller's identity-
// mapped address. Clobbers x0-x2.
enable_mmu:
    ldr     x0, =MAIR_VALUE
    msr     mair_el1, x0
    ldr     x0, =TCR_VALUE
    mrs     x1, id_aa64mmfr0_el1
    and     x1, x1, #7                  // PARange -> IPS
    cmp     x1, #5
    mov     x2, #5
    csel    x1, x1, x2, ls              // at most 48 bits with 4 KiB pages
    orr     x0, x0, x1, lsl #32
    msr     tcr_el1, x0
    adrp    x0, boot_l0
    msr     ttbr0_el1, x0
    msr     ttbr1_el1, xzr
    isb
    tlbi    vmalle1
    dsb     nsh
    isb
    ldr     x0, =SCTLR_MMU_ON
    msr     sctlr_el1, x0
    isb
    ret

// Secondary CPUs start here (PSCI CPU_ON), MMU off, x0 = physical address of their SecondaryBootArgs
// {final TTBR0, stack top, CPU index} (SMP.swift). They turn the MMU on with the boot tables (which
// identity-map this code), move to the link address, then switch to the kernel's final tables.
.global secondary_entry
secondary_entry:
    mov     x19, x0
    mrs     x20, CurrentEL
    lsr     x20, x20, #2
    cmp     x20, #2
    b.ne    1f
    bl      drop_to_el1
1:  ldr     x1, =SCTLR_RES1
    msr     sctlr_el1, x1
    mov     x1, #(3 << 20)
    msr     cpacr_el1, x1
    mov     x1, #(1 << 1)               // CNTKCTL_EL1.EL0VCTEN, as on the boot CPU
    msr     cntkctl_el1, x1
    isb
    bl      enable_mmu
    ldr     x0, =secondary_high
    br      x0

// Leave EL2 for EL1: AArch64 EL1, timers and GICv3 system registers usable from EL1, no FP traps.
drop_to_el1:
    mov     x0, #(1 << 31)              // HCR_EL2.RW
    msr     hcr_el2, x0
    mrs     x0, cnthctl_el2
    orr     x0, x0, #3                  // EL1PCTEN | EL1PCEN
    msr     cnthctl_el2, x0
    msr     cntvoff_el2, xzr
    mov     x0, #0x33ff
    msr     cptr_el2, x0                // no FP/SIMD traps to EL2
    msr     hstr_el2, xzr
    mrs     x0, id_aa64pfr0_el1
    ubfx    x0, x0, #24, #4             // GIC system register interface present?
    cbz     x0, 1f
    mrs     x0, S3_4_C12_C9_5           // ICC_SRE_EL2
    orr     x0, x0, #0x1                // SRE
    orr     x0, x0, #0x8                // Enable: lets EL1 use ICC_SRE_EL1
    msr     S3_4_C12_C9_5, x0
    isb
1:  mrs     x0, midr_el1
    msr     vpidr_el2, x0
    mrs     x0, mpidr_el1
    msr     vmpidr_el2, x0
    mov     x0, #0x3c5                  // EL1h, DAIF masked
    msr     spsr_el2, x0
    msr     elr_el2, x30
    eret

.section .text, "ax"
high_entry:
    ldr     x0, =boot_stack_top
    mov     sp, x0
    mov     x29, xzr
    mov     x30, xzr
    ldr     x0, =__bss_start
    ldr     x1, =__bss_end
1:  cmp     x0, x1
    b.hs    2f
    stp     xzr, xzr, [x0], #16
    b       1b
2:  ldr     x0, =exception_vectors
    msr     vbar_el1, x0
    isb
    mov     x0, x19                     // DTB physical address
    mov     x1, x20                     // entry exception level
    mov     x2, x21                     // physical base of the image
    bl      lichen_boot
3:  wfi
    b       3b

secondary_high:
    ldp     x0, x1, [x19]               // final TTBR0, stack top (args still reachable by identity map)
    ldr     x2, [x19, #16]              // CPU index
    msr     ttbr0_el1, x0
    isb
    tlbi    vmalle1
    dsb     nsh
    isb
    mov     sp, x1
    msr     tpidr_el1, x2
    ldr     x3, =exception_vectors
    msr     vbar_el1, x3
    mov     x19, x2                     // CPU index, kept across the call
    mov     x29, xzr
    bl      lichen_load_translation_controls  // MAIR, TCR, SCTLR (with WXN), as on the boot CPU
    tlbi    vmalle1
    dsb     nsh
    isb
    mov     x0, x19
    mov     x29, xzr
    mov     x30, xzr
    bl      lichen_secondary_main
2:  wfi
    b       2b

// lichen_switch_stack(top, arg, fn): continue on another stack; never returns.
.global lichen_switch_stack
lichen_switch_stack:
    mov     sp, x0
    mov     x29, xzr
    mov     x30, xzr
    mov     x0, x1
    blr     x2
4:  wfi
    b       4b

// Boot stack: 16 KiB in the upper half of a 32 KiB-aligned window, like every kernel stack, so the
// exception entry's overflow check (bit 14 of SP) holds for it too.
.section .bss.boot_stack, "aw", %nobits
.balign 32768
    .space  16384
.global boot_stack_top
boot_stack_bottom:
    .space  16384
boot_stack_top:

.section .boot_tables, "aw", %nobits
.balign 4096
boot_l0:       .space 4096
boot_idmap_l1: .space 4096
boot_kmap_l1:  .space 4096
boot_kmap_l2:  .space 4096
