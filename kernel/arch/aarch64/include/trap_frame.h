// The trap frame: the registers an exception entry saves on the kernel stack (vectors.S), and the
// layout of a user thread's saved registers (UserContext, which usermode.S loads and copies back).
// This is the one description: the assembly includes it, Swift imports it (TrapFrame.swift), and
// the checks below run in every C and Swift compilation of it (the Swift build parses it too).
#pragma once

#define TRAP_FRAME_X(n) ((n) * 8)       // x0-x30
#define TRAP_FRAME_X30 240
#define TRAP_FRAME_SP 248               // SP_EL0 from user mode, the SP before the entry from EL1
#define TRAP_FRAME_ELR 256
#define TRAP_FRAME_SPSR 264
#define TRAP_FRAME_ESR 272
#define TRAP_FRAME_FAR 280
#define TRAP_FRAME_SIZE 288             // a multiple of 16: the stack stays aligned
// lichen_run_user's save area (usermode.S) on the kernel stack, where an exception from EL0 finds
// it: x19-x30, then the UserContext's register pointer at this offset.
#define USER_RUN_CONTEXT 96

// The assembly saves and loads these in pairs (stp/ldp), so each pair must be adjacent.
#if TRAP_FRAME_X(30) != TRAP_FRAME_X30 || TRAP_FRAME_SP != TRAP_FRAME_X30 + 8 \
    || TRAP_FRAME_SPSR != TRAP_FRAME_ELR + 8 || TRAP_FRAME_FAR != TRAP_FRAME_ESR + 8 \
    || TRAP_FRAME_SIZE % 16 != 0 || TRAP_FRAME_SIZE < TRAP_FRAME_FAR + 8
#error "trap frame: inconsistent layout"
#endif

#ifndef __ASSEMBLER__
#include <stdint.h>
#include <stddef.h>

// The same layout as a C struct, for C code and to check the offsets against the compiler's layout.
typedef struct {
  uint64_t x[31];
  uint64_t sp, elr, spsr, esr, far;
} LichenTrapFrame;

_Static_assert(offsetof(LichenTrapFrame, x[30]) == TRAP_FRAME_X30, "trap frame: x30");
_Static_assert(offsetof(LichenTrapFrame, sp) == TRAP_FRAME_SP, "trap frame: sp");
_Static_assert(offsetof(LichenTrapFrame, elr) == TRAP_FRAME_ELR, "trap frame: elr");
_Static_assert(offsetof(LichenTrapFrame, spsr) == TRAP_FRAME_SPSR, "trap frame: spsr");
_Static_assert(offsetof(LichenTrapFrame, esr) == TRAP_FRAME_ESR, "trap frame: esr");
_Static_assert(offsetof(LichenTrapFrame, far) == TRAP_FRAME_FAR, "trap frame: far");
_Static_assert(sizeof(LichenTrapFrame) == TRAP_FRAME_SIZE, "trap frame: size");
#endif
