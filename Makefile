# Lichen build. `make run` boots Lichen under qemu; `make test` runs every test; `make kernel` builds build/Image.
SHELL := /bin/bash
SWIFT_BIN ?= $(dir $(shell command -v swiftc))
SWIFTC := $(SWIFT_BIN)swiftc
CLANG := $(SWIFT_BIN)clang
LLD := $(SWIFT_BIN)ld.lld
OBJCOPY := $(SWIFT_BIN)llvm-objcopy
NM := $(SWIFT_BIN)llvm-nm
B := build

EMBEDDED_FLAGS := -target aarch64-none-none-elf -enable-experimental-feature Embedded -wmo \
  -parse-as-library -Osize -Xcc -mgeneral-regs-only -Xcc -fno-omit-frame-pointer \
  -Xfrontend -function-sections -I $(B)/modules

CORE_SRCS := $(shell find Sources/LichenCore -name '*.swift' | sort)
AARCH64_SRCS := $(shell find Sources/LichenAArch64 -name '*.swift' | sort)

.PHONY: core-embedded host-test
# The core libraries compiled in Embedded Swift for the kernel target (catches host-only Swift).
core-embedded: $(B)/core/LichenCore.o $(B)/core/LichenAArch64.o

$(B)/core/LichenCore.o: $(CORE_SRCS)
	@mkdir -p $(B)/core $(B)/modules
	$(SWIFTC) $(EMBEDDED_FLAGS) -module-name LichenCore -emit-module \
	  -emit-module-path $(B)/modules/LichenCore.swiftmodule $(CORE_SRCS) -c -o $@

$(B)/core/LichenAArch64.o: $(AARCH64_SRCS) $(B)/core/LichenCore.o
	$(SWIFTC) $(EMBEDDED_FLAGS) -module-name LichenAArch64 -emit-module \
	  -emit-module-path $(B)/modules/LichenAArch64.swiftmodule $(AARCH64_SRCS) -c -o $@

host-test:
	swift test
