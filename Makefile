# SPDX-License-Identifier: GPL-2.0
# oomtrace: `make` builds build/oomtrace; `sudo make demo` shows it work;
# `make test-unit` runs the unit tests; `sudo make check` runs every test;
# `make kmod` builds the kernel module; `sudo make bench` measures it.
# V=1 shows the commands.
# Everything is built under build/; the source tree stays clean.

BUILD := build
OUTPUT := $(BUILD)
CLANG ?= clang
BPFTOOL ?= bpftool
LLVM_STRIP ?= llvm-strip
CC ?= cc
AR ?= ar
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
LINUX_SOURCE ?= /usr/src/linux-source-6.1.tar.xz
ARCH := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

CFLAGS ?= -O2 -g
# what the code needs, kept even when CFLAGS is given on the command line
override CFLAGS += -Wall -Wextra -Wno-unused-parameter -std=gnu11 -D_GNU_SOURCE

# SANITIZE=1: the tool and the tests built by clang with ASan and UBSan, in
# build/asan/ so they never mix with the normal objects. Undefined behaviour
# aborts instead of printing and going on. The BPF object is the same one.
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ifeq ($(SANITIZE),1)
OUTPUT := $(BUILD)/asan
CC := $(CLANG)
override CFLAGS += $(SAN_FLAGS) -Wno-unknown-warning-option
# Every report is also written to build/asan/reports/, which scripts/check.sh
# counts: a child whose exit status a test ignores cannot hide one. ASan
# makes mlockall() a no-op (it would fault in terabytes of shadow).
SAN_REPORTS := $(abspath $(OUTPUT))/reports
export ASAN_OPTIONS := log_path=$(SAN_REPORTS)/asan:detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS := log_path=$(SAN_REPORTS)/ubsan:print_stacktrace=1:halt_on_error=1
export SAN_REPORTS
$(shell mkdir -p $(SAN_REPORTS))
endif
INCLUDES := -I$(BUILD) -Ibpf -Iuser
LDLIBS := -lbpf -lelf -lz -ljson-c -lpthread
# The one place that knows how BPF code is compiled: build/oomtrace.bpf.o and
# the build/compat/KVER/oomtrace.bpf.o that scripts/check.sh asks for.
BPF_CFLAGS := -g -O2 -Wall -target bpf -D__TARGET_ARCH_$(ARCH)
# Header dependencies come from the compiler, written next to each object.
DEPFLAGS = -MMD -MP -MF $@.d -MT $@

# user/: only what includes the BPF skeleton (directly, or through a user/
# header that does) needs clang, bpftool and kernel BTF to build. The rest is
# pure code: it goes into build/liboomtrace.a too, for the selftests.
SKEL_HDRS := $(notdir $(shell grep -l 'oomtrace\.skel\.h' user/*.h 2>/dev/null))
SKEL_SRCS := $(shell grep -lE '"(oomtrace\.skel\.h$(foreach h,$(SKEL_HDRS),|$(subst .,\.,$(h))))"' user/*.c)
USER_SRCS := $(wildcard user/*.c)
PURE_SRCS := $(filter-out $(SKEL_SRCS),$(USER_SRCS))
USER_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(USER_SRCS))
SKEL_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(SKEL_SRCS))
PURE_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(PURE_SRCS))
LIB := $(OUTPUT)/liboomtrace.a

# selftests/: every X_test.c is a test binary; every other .c there is a
# helper linked into each of them.
KSFT := $(BUILD)/ksft
TEST_SRCS := $(wildcard selftests/*_test.c)
TESTS := $(patsubst selftests/%.c,$(OUTPUT)/selftests/%,$(TEST_SRCS))
TEST_HELPER_OBJS := $(patsubst selftests/%.c,$(OUTPUT)/selftests/%.o,\
		      $(filter-out $(TEST_SRCS),$(wildcard selftests/*.c)))
TEST_CFLAGS := -Wno-sign-compare -Wno-format-truncation $(INCLUDES) -I$(KSFT) -Iselftests
# report_test compares coordinates with fabs()
TEST_LDLIBS := $(LDLIBS) -lm
# Unit tests: pure code only, no root, no OOM, no BPF load, no clang or
# bpftool or kernel BTF to build them (`make test-unit`). A new one is a
# selftests/X_test.c plus its name here.
UNIT_TESTS := gfp_test json_test timefmt_test kallsyms_test episode_test sink_test oomtest_test \
	      schema_test container_test kmod_fields_test metrics_test report_test
UNIT_BINS := $(addprefix $(OUTPUT)/selftests/,$(UNIT_TESTS))

# fuzz/: libFuzzer targets (fuzz/X_fuzz.c, seeds in fuzz/corpus/X/), built
# by clang with ASan and UBSan against their own build of the pure code in
# build/fuzz/. `make fuzz` runs each for FUZZ_TIME seconds, `make
# fuzz-smoke` (part of `make check`) for FUZZ_SMOKE_TIME (scripts/fuzz.sh).
FUZZ_OUT := $(BUILD)/fuzz
FUZZ_TIME ?= 60
FUZZ_SMOKE_TIME ?= 10
FUZZ_BINS := $(patsubst fuzz/%.c,$(FUZZ_OUT)/%,$(wildcard fuzz/*_fuzz.c))
FUZZ_LIB := $(FUZZ_OUT)/liboomtrace.a
FUZZ_CFLAGS := -g -O1 -Wall -Wextra -Wno-unused-parameter -std=gnu11 -D_GNU_SOURCE \
	       $(SAN_FLAGS) $(INCLUDES)

# The kernel module, built by Kbuild in a copy of kmod/ under
# build/kmod/KVER/ (Kbuild writes its objects next to its sources):
# `make kmod` for the kernel at KDIR, `make kmod-all` for the kernels the VM
# tests boot; DKMS runs `make kmod` too (dkms.conf).
KDIR ?= /lib/modules/$(shell uname -r)/build
KVER = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
VM_KVERS := 6.1.0-56-amd64 6.1.0-47-amd64
KMOD_FILES := $(notdir $(wildcard kmod/*))
kmod_kdir = $(if $(filter $(1),$(KVER)),$(KDIR),/lib/modules/$(1)/build)

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.SECONDEXPANSION:
# Keep what pattern rules make on the way (stamps, copies of kmod/, vmlinux.h).
.SECONDARY:
.PHONY: all deps demo test-unit fuzz fuzz-smoke check check-host check-vm check-kit bench man clean kmod kmod-all kmod-clean FORCE

all: $(OUTPUT)/oomtrace

deps:
	$(Q)scripts/deps.sh all

$(sort $(BUILD) $(OUTPUT)) $(OUTPUT)/user $(OUTPUT)/selftests:
	$(Q)mkdir -p $@

# One stamp per scripts/deps.sh group, so each goal installs only what it
# needs: cc (C against libbpf), build (`make`), unit (`make test-unit`),
# kmod (`make kmod-all`), bench (`make bench`), all (`make check`).
$(BUILD)/.deps-%: scripts/deps.sh | $(BUILD)
	$(Q)scripts/deps.sh $*
	$(Q)touch $@

$(BUILD)/vmlinux.h: | $(BUILD)/.deps-build
	$(call msg,BTF,$@)
	$(Q)test -r $(VMLINUX_BTF) || { echo "error: no kernel BTF at $(VMLINUX_BTF) (the kernel needs CONFIG_DEBUG_INFO_BTF=y; or set VMLINUX_BTF=FILE)" >&2; exit 1; }
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

# Another kernel's vmlinux.h, from the vmlinux that scripts/vmtest.sh
# unpacked for it (scripts/check.sh builds the BPF object against it).
$(BUILD)/compat/%/vmlinux.h: $(BUILD)/vm/linux-image-%/boot/vmlinux-$$* | $(BUILD)/.deps-build
	$(call msg,BTF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPFTOOL) btf dump file $< format c > $@

$(BUILD)/vm/linux-image-%:
	@echo "error: no $@: scripts/vmtest.sh --kernel linux-image-$(firstword $(subst /, ,$*)) unpacks it" >&2; exit 1

define bpf_compile
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -I$(@D) -Ibpf -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@
endef

$(BUILD)/oomtrace.bpf.o: bpf/oomtrace.bpf.c $(BUILD)/vmlinux.h
	$(bpf_compile)

$(BUILD)/compat/%/oomtrace.bpf.o: bpf/oomtrace.bpf.c $(BUILD)/compat/%/vmlinux.h
	$(bpf_compile)

$(BUILD)/oomtrace.skel.h: $(BUILD)/oomtrace.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name oomtrace_bpf > $@

$(OUTPUT)/user/%.o: user/%.c | $(OUTPUT)/user $(BUILD)/.deps-cc
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $(INCLUDES) -c $< -o $@

# The first build has no dependency files yet.
$(SKEL_OBJS): $(BUILD)/oomtrace.skel.h

$(OUTPUT)/oomtrace: $(USER_OBJS)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(LIB): $(PURE_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

# The kselftest harness, the kernel's cgroup selftests and checkpatch come
# from Debian's linux-source-6.1, unpacked once (one pass over the tarball).
KSFT_FILES := tools/testing/selftests/kselftest_harness.h \
	      tools/testing/selftests/kselftest.h \
	      tools/testing/selftests/clone3/clone3_selftests.h \
	      tools/testing/selftests/cgroup/test_memcontrol.c \
	      tools/testing/selftests/cgroup/cgroup_util.c \
	      tools/testing/selftests/cgroup/cgroup_util.h \
	      scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch
$(KSFT)/kselftest_harness.h: | $(BUILD)/.deps-unit
	$(call msg,UNPACK,$(KSFT))
	$(Q)mkdir -p $(KSFT)
	$(Q)tar -xJf $(LINUX_SOURCE) -C $(KSFT) \
		--transform 's,^linux-source-6.1/tools/testing/selftests/,,;s,^linux-source-6.1/,,' \
		$(addprefix linux-source-6.1/,$(KSFT_FILES))
	$(Q)touch $@

# -O0 as the selftests' own build has it: at -O2 GCC drops their
# malloc-touch-free allocations as dead stores, and nothing gets charged.
$(KSFT)/cgroup/test_memcontrol: $(KSFT)/kselftest_harness.h
	$(call msg,TEST,$@)
	$(Q)$(CC) -O0 -w -o $@ $(KSFT)/cgroup/test_memcontrol.c $(KSFT)/cgroup/cgroup_util.c

$(OUTPUT)/selftests/%.o: selftests/%.c $(KSFT)/kselftest_harness.h | $(OUTPUT)/selftests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $(TEST_CFLAGS) -c $< -o $@

$(OUTPUT)/selftests/%: selftests/%.c $(TEST_HELPER_OBJS) $(LIB) $(KSFT)/kselftest_harness.h | $(OUTPUT)/selftests
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $(TEST_CFLAGS) $< $(TEST_HELPER_OBJS) $(LIB) $(TEST_LDLIBS) -o $@

$(FUZZ_OUT)/user/%.o: user/%.c | $(BUILD)/.deps-fuzz
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(DEPFLAGS) -c $< -o $@

$(FUZZ_LIB): $(patsubst user/%.c,$(FUZZ_OUT)/user/%.o,$(PURE_SRCS))
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

$(FUZZ_OUT)/%.o: fuzz/%.c | $(BUILD)/.deps-fuzz
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(DEPFLAGS) -c $< -o $@

$(FUZZ_OUT)/%_fuzz: $(FUZZ_OUT)/%_fuzz.o $(FUZZ_OUT)/fuzz_common.o $(FUZZ_LIB)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ $(LDLIBS) -o $@

-include $(wildcard $(FUZZ_OUT)/*.d $(FUZZ_OUT)/user/*.d)
-include $(wildcard $(BUILD)/*.d $(BUILD)/compat/*/*.d $(OUTPUT)/user/*.d $(OUTPUT)/selftests/*.d)

demo: $(OUTPUT)/oomtrace
	$(Q)scripts/demo.sh

fuzz: $(FUZZ_BINS)
	$(Q)scripts/fuzz.sh $(FUZZ_TIME) $^

fuzz-smoke: $(FUZZ_BINS)
	$(Q)scripts/fuzz.sh --smoke $(FUZZ_SMOKE_TIME) $^

# Unit tests create no cgroups: no sweep, so a live run elsewhere is safe.
test-unit: $(UNIT_BINS)
	$(Q)scripts/run-tests.sh --no-sweep $^

# `make kmod` needs nothing but the kernel headers at KDIR.
kmod:
	$(Q)test -n "$(KVER)" || { echo "error: no kernel headers at $(KDIR); set KDIR (e.g. KDIR=/lib/modules/6.1.0-56-amd64/build, from linux-headers-6.1.0-56-amd64)" >&2; exit 1; }
	$(Q)$(MAKE) --no-print-directory $(BUILD)/kmod/$(KVER)/oomtrace.ko

kmod-all: | $(BUILD)/.deps-kmod
	$(Q)$(MAKE) --no-print-directory $(foreach k,$(VM_KVERS),$(BUILD)/kmod/$(k)/oomtrace.ko)

# Kbuild tracks its own dependencies (and the kernel's), so it always runs.
$(BUILD)/kmod/%/oomtrace.ko: $$(addprefix $(BUILD)/kmod/$$*/,$(KMOD_FILES)) FORCE
	$(call msg,KMOD,$@)
	$(Q)$(MAKE) -C $(call kmod_kdir,$*) M=$(abspath $(@D)) $(if $(Q),-s) V=$(or $(V),0) modules

$(BUILD)/kmod/%: kmod/$$(notdir $$*)
	$(Q)mkdir -p $(@D)
	$(Q)cp $< $@

kmod-clean:
	$(Q)rm -rf $(BUILD)/kmod

check: $(OUTPUT)/oomtrace $(BUILD)/oomtrace.8 $(TESTS) $(FUZZ_BINS) $(KSFT)/cgroup/test_memcontrol kmod-all | $(BUILD)/.deps-all
	$(Q)OOMTRACE=$(OUTPUT)/oomtrace FUZZ_SMOKE_TIME=$(FUZZ_SMOKE_TIME) scripts/check.sh all $(TESTS)

check-host: $(OUTPUT)/oomtrace $(BUILD)/oomtrace.8 $(TESTS) $(FUZZ_BINS) | $(BUILD)/.deps-all
	$(Q)OOMTRACE=$(OUTPUT)/oomtrace FUZZ_SMOKE_TIME=$(FUZZ_SMOKE_TIME) scripts/check.sh host $(TESTS)

check-vm: $(OUTPUT)/oomtrace $(TESTS) $(KSFT)/cgroup/test_memcontrol kmod-all | $(BUILD)/.deps-all
	$(Q)OOMTRACE=$(OUTPUT)/oomtrace scripts/check.sh vm $(TESTS)

# `sudo make bench` measures oomtrace against bpftrace on this machine
# (scripts/bench.sh, README: Benchmarks). Not part of `make check`.
bench: $(OUTPUT)/oomtrace | $(BUILD)/.deps-bench
	$(Q)scripts/bench.sh

# The deployment kit (deploy/, doc/): `make man` renders the man page,
# `make check-kit` checks every file of the kit (scripts/check-kit.sh; run
# as root, it also queries a real Prometheus scraping `oomtrace serve`).
man: $(BUILD)/oomtrace.8

$(BUILD)/oomtrace.8: doc/oomtrace.8.scd | $(BUILD)/.deps-kit
	$(call msg,SCDOC,$@)
	$(Q)scdoc < $< > $@

check-kit: $(OUTPUT)/oomtrace $(BUILD)/oomtrace.8 | $(BUILD)/.deps-kit
	$(Q)scripts/check-kit.sh $(OUTPUT)/oomtrace

clean:
	$(call msg,CLEAN)
	$(Q)rm -rf $(BUILD)
