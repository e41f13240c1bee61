# AArch64's build settings (the Makefile includes kernel/arch/$(ARCH)/arch.mk; docs/porting.md).
# Targets of the kernel's Swift and C code, and of the vDSO (user code, Linux's ABI).
ARCH_SWIFT_TARGET := aarch64-none-none-elf
ARCH_C_TARGET := aarch64-none-elf
ARCH_VDSO_TARGET := aarch64-linux-gnu
# Kernel code never touches the FP/SIMD registers (they hold user state, switched by FPState).
ARCH_CFLAGS := -mgeneral-regs-only
# The host-tested part of the architecture (page tables, exception syndromes): Sources/$(ARCH_MODULE).
ARCH_MODULE := LichenAArch64
# The Linux user ABI where architectures differ (signal frame, O_* values, ELF machine, ...): LichenCore
# speaks the generic ABI, this module the arm64 one; kernel/arch/aarch64/LinuxArch.swift picks it.
LINUX_ABI_MODULE := LinuxABIAArch64
# The vDSO's signal return, whose offset the kernel needs (kernel/vdso/image.S).
ARCH_VDSO_SIGRETURN := __kernel_rt_sigreturn
# `make run`: the machine qemu emulates.
ARCH_QEMU = qemu-system-aarch64 -M virt,gic-version=$(QEMU_GIC) -cpu cortex-a72
