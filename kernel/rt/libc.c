// The little C library the Embedded Swift runtime and clang-generated code expect. Allocation goes to the
// Swift kernel heap (KernelHeapGlue.swift); output goes to the kernel console.
#include <stddef.h>
#include <stdint.h>

void *lichen_heap_allocate(size_t size, size_t alignment);
void lichen_heap_free(void *p);
void lichen_fill_random(void *buf, size_t n);
void lichen_c_panic(const char *message) __attribute__((noreturn));

size_t lichen_zero_block_size(void);    // DC ZVA's block in bytes, 0 if it may not be used (below)
void lichen_zero_block(void *p);

// Zeroing whole pages (new user pages, page tables) is most of what memset does: large zero fills go
// through DC ZVA, one instruction per block, like Linux's clear_page.
void *memset(void *dst, int c, size_t n) {
  unsigned char *d = dst;
  uint64_t pattern = (unsigned char)c * 0x0101010101010101ull;
  size_t block = c == 0 && n >= 256 ? lichen_zero_block_size() : 0;
  if (block) {
    while (n && ((uintptr_t)d & (block - 1))) { *d++ = 0; n--; }
    for (; n >= block; n -= block, d += block) lichen_zero_block(d);
  }
  while (n && ((uintptr_t)d & 7)) { *d++ = (unsigned char)c; n--; }
  for (; n >= 32; n -= 32, d += 32) {
    ((uint64_t *)d)[0] = pattern; ((uint64_t *)d)[1] = pattern;
    ((uint64_t *)d)[2] = pattern; ((uint64_t *)d)[3] = pattern;
  }
  for (; n >= 8; n -= 8, d += 8) *(uint64_t *)d = pattern;
  while (n--) *d++ = (unsigned char)c;
  return dst;
}

// Unaligned 8-byte accesses: SCTLR_EL1.A is clear and all kernel memory is Normal once the MMU is on
// (boot.S turns it on before any C or Swift runs), so misaligned copies (Swift copies structs and
// optionals at any offset) need not fall back to a byte loop. Never used on MMIO.
typedef uint64_t __attribute__((aligned(1), may_alias)) unaligned_u64;

void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  if (n < 8) {
    while (n--) *d++ = *s++;
    return dst;
  }
  unsigned char *end = d + n;
  const unsigned char *send = s + n;
  for (; n >= 32; n -= 32, d += 32, s += 32) {
    uint64_t a = ((const unaligned_u64 *)s)[0], b = ((const unaligned_u64 *)s)[1];
    uint64_t e = ((const unaligned_u64 *)s)[2], f = ((const unaligned_u64 *)s)[3];
    ((unaligned_u64 *)d)[0] = a; ((unaligned_u64 *)d)[1] = b; ((unaligned_u64 *)d)[2] = e; ((unaligned_u64 *)d)[3] = f;
  }
  for (; n >= 8; n -= 8, d += 8, s += 8) *(unaligned_u64 *)d = *(const unaligned_u64 *)s;
  if (n) *(unaligned_u64 *)(end - 8) = *(const unaligned_u64 *)(send - 8);   // the tail, overlapping
  return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  if (d == s || n == 0) return dst;
  if (d + n <= s || d >= s + n) return memcpy(dst, src, n);   // Swift's copyMemory comes here
  if (d < s) {
    // Forwards is safe when dst is below src: each word is read before a later store reaches it.
    for (; n >= 8; n -= 8, d += 8, s += 8) *(unaligned_u64 *)d = *(const unaligned_u64 *)s;
    while (n--) *d++ = *s++;
    return dst;
  }
  d += n; s += n;
  for (; n >= 8; n -= 8) { d -= 8; s -= 8; *(unaligned_u64 *)d = *(const unaligned_u64 *)s; }
  while (n--) *--d = *--s;
  return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
  const unsigned char *x = a, *y = b;
  for (; n; n--, x++, y++)
    if (*x != *y) return *x - *y;
  return 0;
}

size_t strlen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

int posix_memalign(void **out, size_t alignment, size_t size) {
  void *p = lichen_heap_allocate(size, alignment);
  if (!p) return 12;  // ENOMEM
  *out = p;
  return 0;
}

void *malloc(size_t size) { return lichen_heap_allocate(size, 16); }
void free(void *p) { if (p) lichen_heap_free(p); }
void *calloc(size_t count, size_t size) {
  size_t total;
  if (__builtin_mul_overflow(count, size, &total)) return NULL;
  void *p = malloc(total);
  if (p) memset(p, 0, total);
  return p;
}

void arc4random_buf(void *buf, size_t n) { lichen_fill_random(buf, n); }

uintptr_t __stack_chk_guard = 0x595e9fbd94fda766ull;
void __stack_chk_fail(void) { lichen_c_panic("stack protector: stack smashed"); }
void abort(void) { lichen_c_panic("abort() called"); }

// Static storage the kernel needs before it has a frame allocator. In .bss, so it costs no image bytes.
#include "aarch64.h"

// DCZID_EL0: DZP (bit 4) set forbids DC ZVA; BS (bits 3:0) is log2 of the block size in words. Read
// once (every CPU of a system reports the same).
size_t lichen_zero_block_size(void) {
  static size_t cached = 1;                // 1: not read yet
  if (cached == 1) {
    uint64_t id = read_dczid();
    size_t bytes = (size_t)4 << (id & 0xf);
    cached = (id & 0x10) || bytes < 16 || bytes > 2048 ? 0 : bytes;
  }
  return cached;
}
void lichen_zero_block(void *p) { dc_zva(p); }
_Alignas(4096) unsigned char lichen_bootstrap_heap[BOOTSTRAP_HEAP_SIZE];     // first heap pages
_Alignas(4096) unsigned char lichen_bootstrap_tables[BOOTSTRAP_TABLES * 4096]; // first page-table pages
unsigned char lichen_log_ring[LOG_RING_SIZE];                                // kernel log ring buffer
