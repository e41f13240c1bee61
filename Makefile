# Lichen build. `make run` boots Lichen under qemu; `make test` runs every test; `make kernel` builds build/Image.
SHELL := /bin/bash
SWIFT_BIN ?= $(dir $(shell command -v swiftc))
SWIFTC := $(SWIFT_BIN)swiftc
CLANG := $(SWIFT_BIN)clang
LLD := $(SWIFT_BIN)ld.lld
OBJCOPY := $(SWIFT_BIN)llvm-objcopy
NM := $(SWIFT_BIN)llvm-nm
B := build

# The architecture built: only kernel/arch/$(ARCH) is compiled (its sources, include folder, linker
# script and assembly), with the settings of its arch.mk. docs/porting.md says what a port provides.
ARCH ?= aarch64
ARCH_DIR := kernel/arch/$(ARCH)
$(if $(wildcard $(ARCH_DIR)/arch.mk),,$(error ARCH=$(ARCH): no $(ARCH_DIR)/arch.mk (docs/porting.md)))
include $(ARCH_DIR)/arch.mk

EMBEDDED_FLAGS := -target $(ARCH_SWIFT_TARGET) -enable-experimental-feature Embedded -wmo \
  -parse-as-library -Osize -Xllvm -enable-machine-outliner=never $(addprefix -Xcc ,$(ARCH_CFLAGS)) -Xcc -fno-omit-frame-pointer \
  -Xfrontend -function-sections -I $(B)/modules

CORE_SRCS := $(shell find Sources/LichenCore -name '*.swift' | sort)
ARCH_MODULE_SRCS := $(shell find Sources/$(ARCH_MODULE) -name '*.swift' | sort)
LINUX_ABI_SRCS := $(shell find Sources/$(LINUX_ABI_MODULE) -name '*.swift' | sort)

# Our `_Concurrency` module (kernel/concurrency/_Concurrency) is its own module, built before the core
# libraries so that they can `import _Concurrency`; the rest of kernel/concurrency is part of Kernel.
CONCURRENCY_SRCS := $(shell find kernel/concurrency/_Concurrency -name '*.swift' | sort)
CONCURRENCY_INCLUDE := kernel/concurrency/include
SWIFT_VERSION_REQUIRED := 6.3.1
# The self-tests (kernel/selftest, kernel/arch/$(ARCH)/selftest) are in the image: `lichen.test=NAME` runs one.
# Every kernel source except the other architectures' folders (kernel/arch/*.swift, the contract, is common).
OTHER_ARCHES := -not \( -path 'kernel/arch/*/*' -not -path '$(ARCH_DIR)/*' \)
KERNEL_SRCS := $(shell find kernel -name '*.swift' -not -path 'kernel/concurrency/_Concurrency/*' $(OTHER_ARCHES) | sort)
# kernel/vdso and the arch's vdso folder are user code (the vDSO, its own rules below), not kernel objects.
KERNEL_C := $(shell find kernel -name '*.c' -not -path 'kernel/vdso/*' -not -path '$(ARCH_DIR)/vdso/*' $(OTHER_ARCHES) | sort)
KERNEL_ASM := $(shell find kernel -name '*.S' -not -path 'kernel/vdso/*' -not -path '$(ARCH_DIR)/vdso/*' $(OTHER_ARCHES) | sort)
ARCH_INCLUDE := $(ARCH_DIR)/include
ARCH_HEADERS := $(wildcard $(ARCH_INCLUDE)/*.h)
CFLAGS := --target=$(ARCH_C_TARGET) -O2 -ffreestanding -fno-builtin -nostdlib $(ARCH_CFLAGS) \
  -fno-omit-frame-pointer -Wall -I $(ARCH_INCLUDE)
C_OBJS := $(patsubst kernel/%.c,$(B)/obj/%.o,$(KERNEL_C))
ASM_OBJS := $(patsubst kernel/%.S,$(B)/obj/%.o,$(KERNEL_ASM))
LINK_OBJS := $(ASM_OBJS) $(C_OBJS) $(B)/obj/vdso/image.o $(B)/obj/Kernel.o $(B)/core/LichenCore.o $(B)/core/$(ARCH_MODULE).o \
  $(B)/core/$(LINUX_ABI_MODULE).o $(B)/core/_Concurrency.o

.PHONY: all kernel run initramfs fuzz fuzz-smoke test lint-syscalls core-embedded host-test boot-test deps clean bench toolchain-check \
  diff diff-test diff-record conformance-test bench-user bench-async bench-scale debian-deps \
  posix posix-test busybox-testsuite
all: kernel

# Boot Lichen under qemu into BusyBox's shell on the console (quit: `poweroff -f`, or Ctrl-A X).
QEMU_MEMORY ?= 512M
QEMU_GIC ?= 2
QEMU_SMP ?= 1
APPEND ?=
# A raw disk image as /dev/vda (virtio-blk over modern virtio-mmio: docs/storage.md), mounted on /mnt/disk by
# initramfs/init: by default build/disk.img, a persistent ext4 disk made by the first `make run`;
# `make run DISK=other.img` boots with another image, `make run DISK=` without a disk.
DISK ?= $(B)/disk.img
DISK_SIZE ?= 256M
qemu_disk = -global virtio-mmio.force-legacy=false -drive file=$(1),if=none,format=raw,id=vda -device virtio-blk-device,drive=vda
DISK_QEMU_ARGS = $(call qemu_disk,$(DISK))
run: kernel initramfs $(filter $(B)/disk.img,$(DISK))
	@tools/ensure-deps.sh qemu
	$(ARCH_QEMU) -m $(QEMU_MEMORY) -smp $(QEMU_SMP) -nographic \
	  -kernel $(B)/Image -initrd $(B)/initramfs.cpio.gz -append "$(APPEND)" \
	  $(if $(DISK),$(DISK_QEMU_ARGS))

$(B)/disk.img:
	@tools/ensure-deps.sh e2fsprogs
	mke2fs -q -t ext4 -L lichen-disk $@ $(DISK_SIZE)

# Debian bookworm's arm64 userland (bash, coreutils, vim, python3, perl, ...) on an ext4 root disk,
# build/debian-root.img, made once by tools/debian_root.py and kept (changes persist): `make run-debian`
# boots it on Lichen (root=/dev/vda), `make run-debian LINUX=1` (or run-debian-linux) on Debian's Linux.
DEBIAN_ROOT ?= $(B)/debian-root.img
LINUX ?=
.PHONY: run-debian run-debian-linux
run-debian: $(if $(LINUX),debian-deps,kernel)
	@tools/ensure-deps.sh qemu e2fsprogs mmdebstrap
	python3 tools/debian_root.py image full $(DEBIAN_ROOT)
	$(if $(LINUX),python3 tools/debian_root.py linux-initramfs $(B)/debian-root-initramfs.cpio.gz)
	$(ARCH_QEMU) -m $(QEMU_MEMORY) -smp $(QEMU_SMP) -nographic \
	  $(if $(LINUX),-kernel $(B)/debian/linux/vmlinuz -initrd $(B)/debian-root-initramfs.cpio.gz \
	    -append "console=ttyAMA0 quiet $(APPEND)",-kernel $(B)/Image -append "root=/dev/vda rw rootfstype=ext4 $(APPEND)") \
	  $(call qemu_disk,$(DEBIAN_ROOT))
run-debian-linux:
	$(MAKE) run-debian LINUX=1

# The initramfs `make run` boots: Debian's static arm64 BusyBox (fetched with apt-get) and initramfs/init.
initramfs: $(B)/initramfs.cpio.gz
$(B)/initramfs.cpio.gz: initramfs/lichen.spec initramfs/init initramfs/motd initramfs/profile initramfs/passwd initramfs/group initramfs/busybox-applets.txt tools/mkinitramfs.py
	@tools/fetch-debian-arm64.sh busybox
	python3 tools/mkinitramfs.py initramfs/lichen.spec $@ --gzip

# Host-side fuzzing of LichenCore's parsers (libFuzzer + ASan): `make fuzz` runs each target for
# FUZZ_SECONDS; `make test` runs a short smoke pass. Crashes land in fuzz/regressions/<target>/.
FUZZ_SECONDS ?= 60
# Then the in-guest syscall fuzzer (tests/sysfuzz): SYSFUZZ_SEEDS boots from seed SYSFUZZ_FIRST, each
# 48 children x 2000 calls (105 seeds: 10 million calls; 20-40 s a seed, 40-70 minutes on a shared 2-core host); the first
# failing seed stops it. SYSFUZZ_LOCK=/tmp/lichen-qemu.lock takes that lock per boot, not for the whole run.
SYSFUZZ_FIRST ?= 1
SYSFUZZ_SEEDS ?= 105
SYSFUZZ_LOCK ?=
fuzz: kernel
	fuzz/run.sh $(FUZZ_SECONDS)
	python3 tests/boot/sysfuzz_batch.py $(B)/Image --first $(SYSFUZZ_FIRST) --seeds $(SYSFUZZ_SEEDS) \
	  --children 48 --calls 2000 $(if $(SYSFUZZ_LOCK),--lock $(SYSFUZZ_LOCK))
fuzz-smoke:
	fuzz/run.sh 3

# Every test: host unit tests, the Embedded build of the core, the kernel image, qemu boot tests.
test: deps lint-syscalls lint-arch host-test fuzz-smoke core-embedded compile-fail-test kernel boot-test diff-test conformance-test posix-test
	@echo "make test: all passed"

deps:
	@tools/ensure-deps.sh qemu gcc

# Syscalls are named in one table, never keyed by number (docs/syscalls.md); the check proves it catches violations.
lint-syscalls:
	python3 tools/check-syscall-table.py
	python3 tools/check-syscall-table.py --selftest

# No architecture-specific code outside kernel/arch and the arch modules (tools/check-arch-boundary.py).
.PHONY: lint-arch
lint-arch:
	python3 tools/check-arch-boundary.py
	python3 tools/check-arch-boundary.py --selftest

boot-test: kernel
	python3 tests/boot/test_boot.py $(B)/Image
	python3 tests/boot/test_async.py $(B)/Image
	python3 tests/boot/test_userspace.py $(B)/Image
	@tools/ensure-deps.sh gcc && tools/fetch-debian-arm64.sh busybox && python3 tests/boot/test_signals.py $(B)/Image
	python3 tests/boot/test_pipes.py $(B)/Image
	@tools/fetch-debian-arm64.sh busybox && python3 tests/boot/test_interactive.py $(B)/Image
	python3 tests/boot/test_sysfuzz.py $(B)/Image --seed commit --children 16
	python3 tests/boot/test_forkbomb.py $(B)/Image
	python3 tests/boot/test_oom.py $(B)/Image --kernel both
	python3 tests/boot/test_fpsimd.py $(B)/Image
	python3 tests/boot/test_wakeups.py $(B)/Image
	python3 tests/boot/test_debian.py $(B)/Image
	@tools/fetch-debian-arm64.sh busybox linux && python3 tests/boot/test_virtio.py $(B)/Image
	@tools/ensure-deps.sh e2fsprogs && tools/fetch-debian-arm64.sh busybox linux && python3 tests/boot/test_virtio_pci.py $(B)/Image
	@tools/ensure-deps.sh gcc e2fsprogs && tools/fetch-debian-arm64.sh busybox linux && python3 tests/boot/test_ext4.py $(B)/Image
	@tools/ensure-deps.sh e2fsprogs && tools/fetch-debian-arm64.sh busybox && python3 tests/boot/test_ext4_write.py $(B)/Image
	@tools/ensure-deps.sh e2fsprogs && tools/fetch-debian-arm64.sh busybox linux && python3 tests/boot/test_jbd2.py $(B)/Image
	@tools/ensure-deps.sh dosfstools mtools && tools/fetch-debian-arm64.sh busybox linux && python3 tests/boot/test_fat.py $(B)/Image
	@tools/ensure-deps.sh e2fsprogs dosfstools mtools && tools/fetch-debian-arm64.sh busybox && python3 tests/boot/test_filemap.py $(B)/Image
	@tools/ensure-deps.sh e2fsprogs && tools/fetch-debian-arm64.sh busybox linux && python3 tests/boot/test_rootdisk.py $(B)/Image
	@tools/ensure-deps.sh gcc e2fsprogs && tools/fetch-debian-arm64.sh busybox && python3 tests/boot/test_crash.py $(B)/Image --seed commit --points 4
	@tools/ensure-deps.sh e2fsprogs mmdebstrap && tools/fetch-debian-arm64.sh busybox && python3 tests/boot/test_run_disks.py $(B)/Image

# Crash safety of journaled ext4 (issue 11; not part of `make test`, 10-20 minutes): qemu killed at 50 random
# moments of a write workload, then replay by Lichen, durable files checked, e2fsck (tests/boot/test_crash.py).
.PHONY: crash-test
crash-test: kernel
	@tools/ensure-deps.sh gcc e2fsprogs && tools/fetch-debian-arm64.sh busybox
	python3 tests/boot/test_crash.py $(B)/Image --points 50 $(CRASH_ARGS)

# Benchmarks (not part of `make test`: timing on a shared host is noisy; docs/performance.md).
# `make bench` runs both: the user-space micro-benchmarks and boot times against Linux (bench-user),
# then the in-kernel async runtime micro-benchmarks (bench-async), the scale series and the ext4 storage rows
# (bench-storage: 8-10 minutes, most of it Lichen's file creation).
bench: bench-user bench-async bench-scale bench-storage

bench-async: kernel
	@tools/ensure-deps.sh qemu
	python3 tools/bench_async.py $(B)/Image

# Testing against Linux (docs/testing.md, "Testing against Linux"). Linux and BusyBox come from Debian's arm64
# packages, fetched into build/debian by tools/fetch-debian-arm64.sh when missing.
debian-deps:
	@tools/fetch-debian-arm64.sh busybox linux

# BusyBox applet suite on Lichen against the committed Linux recording (part of `make test`).
diff-test: kernel debian-deps
	python3 tests/diff/run.py

# The same suite with Linux booted live next to Lichen.
diff: kernel debian-deps
	python3 tests/diff/run.py --live

# Re-records tests/diff/expected-linux.json from Linux (after adding or changing cases).
diff-record: debian-deps
	python3 tests/diff/run.py --record

# Syscall conformance programs under Linux (all must pass) and Lichen (part of `make test`).
conformance-test: kernel debian-deps
	@tools/ensure-deps.sh gcc
	python3 tests/conformance/run.py

# External suites (docs/testing.md, "Testing against Linux"), built from Debian's source packages (apt-get source,
# cached in build/debian-src). posix-test (part of `make test`): a subset of the Open POSIX Test Suite on
# Lichen against tests/posix/known-failures.txt; posix: the whole suite on Linux and Lichen, side by side.
posix-test: kernel debian-deps
	@tools/ensure-deps.sh gcc dpkg-dev
	python3 tests/posix/run.py --subset

posix: kernel debian-deps
	@tools/ensure-deps.sh gcc dpkg-dev
	nice python3 tests/posix/run.py

# BusyBox's own testsuite/ in the guest with Debian's busybox-static, on Linux and Lichen, side by side.
busybox-testsuite: kernel debian-deps
	@tools/ensure-deps.sh dpkg-dev
	nice python3 tests/busybox-testsuite/run.py

# User-space micro-benchmarks and boot times, Lichen vs Linux, wall clock and -icount (tests/bench/run.py;
# BENCH_ARGS passes options, e.g. BENCH_ARGS="--only fork --rounds 1").
bench-user: kernel debian-deps
	@tools/ensure-deps.sh gcc
	python3 tests/bench/run.py $(BENCH_ARGS)

# ext4 storage benchmarks, Lichen vs Linux on the same image (tests/bench/storage.py; build/bench/storage.txt).
.PHONY: bench-storage
bench-storage: kernel debian-deps
	@tools/ensure-deps.sh gcc e2fsprogs
	python3 tests/bench/storage.py $(STORAGE_ARGS)

clean:
	rm -rf $(B) .build

# The core libraries compiled in Embedded Swift for the kernel target (catches host-only Swift).
core-embedded: $(B)/core/LichenCore.o $(B)/core/$(ARCH_MODULE).o $(B)/core/$(LINUX_ABI_MODULE).o

# The async runtime's compiler contract (layouts, entry points) is checked against this exact release.
toolchain-check:
	@$(SWIFTC) --version 2>&1 | grep -q 'Swift version $(SWIFT_VERSION_REQUIRED) ' || { \
	  echo "error: Lichen needs Swift $(SWIFT_VERSION_REQUIRED); $(SWIFTC) is: $$($(SWIFTC) --version 2>&1 | head -1)"; \
	  echo "       the async runtime (kernel/concurrency) relies on its ABI; see docs/async.md"; exit 1; }

$(B)/core/_Concurrency.o: $(CONCURRENCY_SRCS) | toolchain-check
	@mkdir -p $(B)/core $(B)/modules
	$(SWIFTC) $(EMBEDDED_FLAGS) -parse-stdlib -Xfrontend -disable-implicit-concurrency-module-import \
	  -module-name _Concurrency -emit-module -emit-module-path $(B)/modules/_Concurrency.swiftmodule \
	  $(CONCURRENCY_SRCS) -c -o $@

$(B)/core/LichenCore.o: $(CORE_SRCS) $(B)/core/_Concurrency.o
	@mkdir -p $(B)/core $(B)/modules
	$(SWIFTC) $(EMBEDDED_FLAGS) -module-name LichenCore -emit-module \
	  -emit-module-path $(B)/modules/LichenCore.swiftmodule $(CORE_SRCS) -c -o $@

$(B)/core/$(ARCH_MODULE).o: $(ARCH_MODULE_SRCS) $(B)/core/LichenCore.o
	$(SWIFTC) $(EMBEDDED_FLAGS) -module-name $(ARCH_MODULE) -emit-module \
	  -emit-module-path $(B)/modules/$(ARCH_MODULE).swiftmodule $(ARCH_MODULE_SRCS) -c -o $@

$(B)/core/$(LINUX_ABI_MODULE).o: $(LINUX_ABI_SRCS) $(B)/core/LichenCore.o
	$(SWIFTC) $(EMBEDDED_FLAGS) -module-name $(LINUX_ABI_MODULE) -emit-module \
	  -emit-module-path $(B)/modules/$(LINUX_ABI_MODULE).swiftmodule $(LINUX_ABI_SRCS) -c -o $@

host-test:
	@tools/ensure-deps.sh e2fsprogs
	swift test

# Proof of the compile-time guarantee: `await` inside SpinLock.withLock (or UnfairSpinLock.withLock) is rejected by swiftc (host,
# and Embedded against our _Concurrency), the correct form compiles.
.PHONY: compile-fail-test
compile-fail-test: $(B)/core/LichenCore.o
	SWIFTC=$(SWIFTC) tests/compile-fail/run.sh $(B)/modules

# The kernel image: Swift kernel module + core libraries + C runtime + assembly, linked twice so the
# second link embeds the symbol table of the first (for symbolized backtraces).
kernel: $(B)/Image

$(B)/obj/Kernel.o: $(KERNEL_SRCS) $(B)/core/LichenCore.o $(B)/core/$(ARCH_MODULE).o $(B)/core/$(LINUX_ABI_MODULE).o $(ARCH_HEADERS) \
  $(wildcard $(CONCURRENCY_INCLUDE)/*)
	@mkdir -p $(@D)
	$(SWIFTC) $(EMBEDDED_FLAGS) -I $(ARCH_INCLUDE) -I $(CONCURRENCY_INCLUDE) -module-name Kernel $(KERNEL_SRCS) -c -o $@

$(B)/obj/concurrency/%.o: kernel/concurrency/%.c $(ARCH_HEADERS) $(wildcard $(CONCURRENCY_INCLUDE)/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(CFLAGS) -I $(CONCURRENCY_INCLUDE) -c $< -o $@

$(B)/obj/%.o: kernel/%.c $(ARCH_HEADERS)
	@mkdir -p $(@D)
	$(CLANG) $(CFLAGS) -c $< -o $@

$(B)/obj/%.o: kernel/%.S $(wildcard $(ARCH_INCLUDE)/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(CFLAGS) -c $< -o $@

# The vDSO (docs/userspace.md "vDSO"): a shared object for user space (Linux's arm64 ABI: soname
# linux-vdso.so.1, symbols at the version of the arch's vdso.map), position independent and relocation-free,
# checked by tools/check_vdso.py, then embedded in the kernel image (kernel/vdso/image.S) and mapped into
# every process from shared pages (kernel/process/Vdso.swift). The arch part is in $(ARCH_DIR)/vdso.
VDSO_ARCH := $(ARCH_DIR)/vdso
VDSO_CFLAGS := --target=$(ARCH_VDSO_TARGET) -fPIC -O2 -nostdlib -ffreestanding -fno-builtin -fno-stack-protector \
  -fasynchronous-unwind-tables $(ARCH_CFLAGS) -Wall -I $(VDSO_ARCH)
$(B)/vdso/vdso.so: kernel/vdso/vdso.c kernel/vdso/vvar.h $(wildcard $(VDSO_ARCH)/*) kernel/vdso/vdso.lds tools/check_vdso.py
	@mkdir -p $(@D)
	$(CLANG) $(VDSO_CFLAGS) -c kernel/vdso/vdso.c -o $(B)/vdso/vdso.o
	$(CLANG) $(VDSO_CFLAGS) -c $(VDSO_ARCH)/sigreturn.S -o $(B)/vdso/sigreturn.o
	$(LLD) -shared -soname linux-vdso.so.1 --hash-style=both --eh-frame-hdr --build-id=sha1 -z max-page-size=4096 \
	  -z noexecstack --no-undefined -T kernel/vdso/vdso.lds --version-script $(VDSO_ARCH)/vdso.map \
	  $(B)/vdso/vdso.o $(B)/vdso/sigreturn.o -o $@.tmp
	python3 tools/check_vdso.py $@.tmp && mv $@.tmp $@

$(B)/obj/vdso/image.o: kernel/vdso/image.S $(B)/vdso/vdso.so
	@mkdir -p $(@D)
	$(CLANG) $(CFLAGS) -DVDSO_FILE='"$(B)/vdso/vdso.so"' \
	  -DVDSO_SIGRETURN_OFFSET=0x$$($(NM) -D $(B)/vdso/vdso.so | awk '$$3 ~ /^$(ARCH_VDSO_SIGRETURN)@/ { print $$1 }') -c $< -o $@

$(B)/kernel.elf: $(LINK_OBJS) $(ARCH_DIR)/linker.ld tools/mksyms.py
	@printf '.section .ksyms, "a"\n' > $(B)/ksyms-empty.S
	$(CLANG) $(CFLAGS) -c $(B)/ksyms-empty.S -o $(B)/ksyms-empty.o
	$(LLD) -T $(ARCH_DIR)/linker.ld --no-undefined -o $(B)/kernel-pass1.elf $(LINK_OBJS) $(B)/ksyms-empty.o
	python3 tools/mksyms.py $(B)/kernel-pass1.elf $(B)/ksyms.S
	$(CLANG) $(CFLAGS) -c $(B)/ksyms.S -o $(B)/ksyms.o
	$(LLD) -T $(ARCH_DIR)/linker.ld --no-undefined -o $@ $(LINK_OBJS) $(B)/ksyms.o
	@cmp -s <($(NM) -n $(B)/kernel-pass1.elf | grep ' [tT] ') <($(NM) -n $@ | grep ' [tT] ') \
	  || { echo "symbol addresses moved between the two links"; exit 1; }

$(B)/Image: $(B)/kernel.elf
	$(OBJCOPY) -O binary $< $@
	@echo "built $@: $$(stat -c %s $@) bytes"

# Scale benchmarks (issue 13): each tests/bench/scale_*.c series at N = 10 and 10,000, Lichen vs Linux under
# -icount, with each kernel's growth factor (tests/bench/scale.py; build/bench/scale.txt).
bench-scale: kernel debian-deps
	python3 tests/bench/scale.py $(SCALE_ARGS)
