// AArch64 instructions Swift cannot express: system registers, barriers, MMIO accesses, firmware calls.
// Only the arch and driver folders import this module.
#pragma once
#include <stdint.h>

#define SYSREG_READ(name, reg) \
  static inline uint64_t read_##name(void) { uint64_t v; __asm__ volatile("mrs %0, " #reg : "=r"(v)); return v; }
#define SYSREG_WRITE(name, reg) \
  static inline void write_##name(uint64_t v) { __asm__ volatile("msr " #reg ", %0" : : "r"(v) : "memory"); }
#define SYSREG_RW(name, reg) SYSREG_READ(name, reg) SYSREG_WRITE(name, reg)

SYSREG_READ(cntvct, cntvct_el0)
SYSREG_READ(cntpct, cntpct_el0)
SYSREG_READ(cntfrq, cntfrq_el0)
SYSREG_RW(cntv_ctl, cntv_ctl_el0)
SYSREG_RW(cntv_cval, cntv_cval_el0)
SYSREG_RW(cntv_tval, cntv_tval_el0)
SYSREG_READ(midr, midr_el1)
SYSREG_READ(mpidr, mpidr_el1)
SYSREG_READ(id_aa64mmfr0, id_aa64mmfr0_el1)
SYSREG_READ(id_aa64pfr0, id_aa64pfr0_el1)
SYSREG_READ(id_aa64isar0, id_aa64isar0_el1)
SYSREG_READ(current_el, CurrentEL)
SYSREG_RW(sctlr, sctlr_el1)
SYSREG_RW(tcr, tcr_el1)
SYSREG_RW(mair, mair_el1)
SYSREG_RW(ttbr0, ttbr0_el1)
SYSREG_RW(ttbr1, ttbr1_el1)
SYSREG_RW(vbar, vbar_el1)
SYSREG_RW(tpidr_el1, tpidr_el1)
SYSREG_RW(tpidr_el0, tpidr_el0)
SYSREG_RW(tpidrro_el0, tpidrro_el0)
SYSREG_READ(esr, esr_el1)
SYSREG_READ(far, far_el1)
SYSREG_READ(daif, daif)
// GICv3 CPU interface (system register names by encoding, so any assembler takes them).
SYSREG_RW(icc_sre, S3_0_C12_C12_5)
SYSREG_RW(icc_pmr, S3_0_C4_C6_0)
SYSREG_RW(icc_igrpen1, S3_0_C12_C12_7)
SYSREG_READ(icc_iar1, S3_0_C12_C12_0)
SYSREG_WRITE(icc_eoir1, S3_0_C12_C12_1)
SYSREG_RW(icc_ctlr, S3_0_C12_C12_4)
SYSREG_RW(icc_bpr1, S3_0_C12_C12_3)
SYSREG_WRITE(icc_sgi1r, S3_0_C12_C11_5)

SYSREG_READ(dczid, dczid_el0)
// DC ZVA: zeroes the naturally aligned block (DCZID_EL0's size) that holds `p`.
static inline void dc_zva(void *p) { __asm__ volatile("dc zva, %0" : : "r"(p) : "memory"); }
static inline void isb(void) { __asm__ volatile("isb" ::: "memory"); }
static inline void dsb_sy(void) { __asm__ volatile("dsb sy" ::: "memory"); }
static inline void dsb_ish(void) { __asm__ volatile("dsb ish" ::: "memory"); }
static inline void dsb_ishst(void) { __asm__ volatile("dsb ishst" ::: "memory"); }
static inline void wait_for_interrupt(void) { __asm__ volatile("wfi" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("msr daifclr, #2" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("msr daifset, #2" ::: "memory"); }
static inline void tlb_flush_asid(uint64_t asid) {
  __asm__ volatile("dsb ishst\n tlbi aside1is, %0\n dsb ish\n isb" : : "r"(asid << 48) : "memory");
}
static inline void tlb_flush_page(uint64_t va, uint64_t asid) {
  __asm__ volatile("dsb ishst\n tlbi vae1is, %0\n dsb ish\n isb" : : "r"((asid << 48) | ((va >> 12) & 0xfffffffffffull)) : "memory");
}
static inline void tlb_flush_all(void) {
  __asm__ volatile("dsb ishst\n tlbi vmalle1is\n dsb ish\n isb" ::: "memory");
}
static inline uint64_t read_sp(void) { uint64_t v; __asm__ volatile("mov %0, sp" : "=r"(v)); return v; }
static inline uint64_t read_fp(void) { return (uint64_t)__builtin_frame_address(0); }
// Writes data cache lines back to the point of coherency (for CPUs that read it with the MMU off).
static inline void clean_dcache_range(uint64_t va, uint64_t size) {
  for (uint64_t a = va & ~63ull; a < va + size; a += 64) __asm__ volatile("dc cvac, %0" : : "r"(a) : "memory");
  __asm__ volatile("dsb sy" ::: "memory");
}
// Makes instructions written through the data side visible to instruction fetch.
static inline void sync_icache_range(uint64_t va, uint64_t size) {
  for (uint64_t a = va & ~63ull; a < va + size; a += 64) __asm__ volatile("dc cvau, %0" : : "r"(a) : "memory");
  __asm__ volatile("dsb ish" ::: "memory");
  for (uint64_t a = va & ~63ull; a < va + size; a += 64) __asm__ volatile("ic ivau, %0" : : "r"(a) : "memory");
  __asm__ volatile("dsb ish\n isb" ::: "memory");
}
// Compare-and-swap of a 32-bit word; returns the old value. For futex words in user memory, reached
// through the direct map: FUTEX_WAKE_OP and robust lists must be atomic against user code on other CPUs.
static inline uint32_t atomic_cas32(uint64_t addr, uint32_t expected, uint32_t desired) {
  __atomic_compare_exchange_n((volatile uint32_t *)addr, &expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  return expected;
}
static inline void cpu_relax(void) { __asm__ volatile("yield" ::: "memory"); }
static inline void send_event(void) { __asm__ volatile("sev" ::: "memory"); }
static inline void brk_instruction(void) { __asm__ volatile("brk #0x4c"); }

static inline uint32_t mmio_read32(uint64_t addr) {
  uint32_t v; __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory"); return v;
}
static inline void mmio_write32(uint64_t addr, uint32_t v) {
  __asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(addr) : "memory");
}
static inline uint64_t mmio_read64(uint64_t addr) {
  uint64_t v; __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory"); return v;
}
static inline void mmio_write64(uint64_t addr, uint64_t v) {
  __asm__ volatile("str %0, [%1]" : : "r"(v), "r"(addr) : "memory");
}
static inline uint8_t mmio_read8(uint64_t addr) {
  uint8_t v; __asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(addr) : "memory"); return v;
}
static inline void mmio_write8(uint64_t addr, uint8_t v) {
  __asm__ volatile("strb %w0, [%1]" : : "r"(v), "r"(addr) : "memory");
}
static inline uint16_t mmio_read16(uint64_t addr) {
  uint16_t v; __asm__ volatile("ldrh %w0, [%1]" : "=r"(v) : "r"(addr) : "memory"); return v;
}
static inline void mmio_write16(uint64_t addr, uint16_t v) {
  __asm__ volatile("strh %w0, [%1]" : : "r"(v), "r"(addr) : "memory");
}

// CRC-32 as gzip computes it (reflected polynomial 0xedb88320, state neither inverted nor reflected
// here) with the Armv8 CRC32 instructions, 8 bytes per instruction. Only where ID_AA64ISAR0_EL1.CRC32
// says they exist (FEAT_CRC32, optional in Armv8.0).
static inline uint32_t crc32_update(uint32_t crc, const uint8_t *p, uint64_t n) {
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t v;
    __builtin_memcpy(&v, p, 8);
    __asm__(".arch_extension crc\n crc32x %w0, %w0, %1" : "+r"(crc) : "r"(v));
  }
  for (; n; n--, p++) __asm__(".arch_extension crc\n crc32b %w0, %w0, %w1" : "+r"(crc) : "r"((uint32_t)*p));
  return crc;
}

// SMC Calling Convention call (PSCI): function id and three arguments, result in x0.
static inline uint64_t smccc_hvc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3) {
  register uint64_t x0 __asm__("x0") = fn, x1 __asm__("x1") = a1, x2 __asm__("x2") = a2, x3 __asm__("x3") = a3;
  __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
  return x0;
}
static inline uint64_t smccc_smc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3) {
  register uint64_t x0 __asm__("x0") = fn, x1 __asm__("x1") = a1, x2 __asm__("x2") = a2, x3 __asm__("x3") = a3;
  __asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
  return x0;
}

// Symbols from the linker script, boot code and static storage (rt/libc.c), as addresses.
extern char _text[], __text_end[], __rodata_end[], __data_end[], __bss_start[], __bss_end[], _end[];
extern char __ksyms_start[], __ksyms_end[], boot_stack_top[], secondary_entry[];
extern unsigned char lichen_bootstrap_heap[], lichen_bootstrap_tables[], lichen_log_ring[];
// The vDSO file embedded by kernel/vdso/image.S, and its __kernel_rt_sigreturn's offset in it.
extern unsigned char lichen_vdso_image_start[], lichen_vdso_image_end[];
extern const uint64_t lichen_vdso_sigreturn_offset;
static inline uint64_t vdso_sigreturn_offset(void) { return lichen_vdso_sigreturn_offset; }
static inline void dmb_ishst(void) { __asm__ volatile("dmb ishst" ::: "memory"); }
#define SYMBOL_ADDRESS(name) static inline uint64_t address_of_##name(void) { return (uint64_t)name; }
SYMBOL_ADDRESS(_text)
SYMBOL_ADDRESS(lichen_vdso_image_start)
SYMBOL_ADDRESS(lichen_vdso_image_end)
SYMBOL_ADDRESS(__text_end)
SYMBOL_ADDRESS(__rodata_end)
SYMBOL_ADDRESS(_end)
SYMBOL_ADDRESS(__ksyms_start)
SYMBOL_ADDRESS(__ksyms_end)
SYMBOL_ADDRESS(boot_stack_top)
SYMBOL_ADDRESS(secondary_entry)
SYMBOL_ADDRESS(lichen_bootstrap_heap)
SYMBOL_ADDRESS(lichen_bootstrap_tables)
SYMBOL_ADDRESS(lichen_log_ring)
#define BOOTSTRAP_HEAP_SIZE (1 << 20)
#define BOOTSTRAP_TABLES (64)
#define LOG_RING_SIZE (64 * 1024)

extern char __uaccess_start[], __uaccess_end[], lichen_user_copy_fault[];
extern char __ustring_start[], __ustring_end[], lichen_user_string_fault[];
extern char __uaccess_bulk_in_start[], __uaccess_bulk_in_end[], lichen_user_copy_in_words[];
extern char __uaccess_bulk_out_start[], __uaccess_bulk_out_end[], lichen_user_copy_out_words[];
SYMBOL_ADDRESS(__uaccess_bulk_in_start)
SYMBOL_ADDRESS(__uaccess_bulk_in_end)
SYMBOL_ADDRESS(lichen_user_copy_in_words)
SYMBOL_ADDRESS(__uaccess_bulk_out_start)
SYMBOL_ADDRESS(__uaccess_bulk_out_end)
SYMBOL_ADDRESS(lichen_user_copy_out_words)
SYMBOL_ADDRESS(__uaccess_start)
SYMBOL_ADDRESS(__uaccess_end)
SYMBOL_ADDRESS(lichen_user_copy_fault)
SYMBOL_ADDRESS(__ustring_start)
SYMBOL_ADDRESS(__ustring_end)
SYMBOL_ADDRESS(lichen_user_string_fault)
extern uint64_t lichen_run_user(void *context);
extern uint64_t lichen_user_copy_in(void *dst, const void *src, uint64_t count);
extern uint64_t lichen_user_copy_out(void *dst, const void *src, uint64_t count);
extern int64_t lichen_user_string_length(const void *src, uint64_t max);
extern char user_program_hello[], user_program_hello_end[], user_program_peek[], user_program_peek_end[];
extern char user_program_spin[], user_program_spin_end[];
SYMBOL_ADDRESS(user_program_hello)
SYMBOL_ADDRESS(user_program_hello_end)
SYMBOL_ADDRESS(user_program_peek)
SYMBOL_ADDRESS(user_program_peek_end)
SYMBOL_ADDRESS(user_program_spin)
SYMBOL_ADDRESS(user_program_spin_end)
extern void lichen_fp_save(void *state);
extern void lichen_fp_restore(const void *state);
extern void lichen_switch_stack(uint64_t top, uint64_t arg, void (*fn)(uint64_t)) __attribute__((noreturn));
