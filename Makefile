# SPDX-License-Identifier: GPL-2.0
# oomtrace: `make` builds build/oomtrace; `sudo make demo` shows it work;
# `make test-unit` runs the unit tests; `sudo make check` runs every test;
# `make kmod` builds the kernel module; `sudo make bench` measures it.
# V=1 shows the commands.
# Everything is built under build/; the source tree stays clean.

OUTPUT := build
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
INCLUDES := -I$(OUTPUT) -Ibpf -Iuser
LDLIBS := -lbpf -lelf -lz -lmicrohttpd -lpthread
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
KSFT := $(OUTPUT)/ksft
TEST_SRCS := $(wildcard selftests/*_test.c)
TESTS := $(patsubst selftests/%.c,$(OUTPUT)/selftests/%,$(TEST_SRCS))
TEST_HELPER_OBJS := $(patsubst selftests/%.c,$(OUTPUT)/selftests/%.o,\
		      $(filter-out $(TEST_SRCS),$(wildcard selftests/*.c)))
TEST_CFLAGS := -Wno-sign-compare -Wno-format-truncation $(INCLUDES) -I$(KSFT) -Iselftests
TEST_LDLIBS := $(LDLIBS) -ljson-c -lpthread
# Unit tests: pure code only, no root, no OOM, no BPF load, no clang or
# bpftool or kernel BTF to build them (`make test-unit`). A new one is a
# selftests/X_test.c plus its name here.
UNIT_TESTS := gfp_test json_test timefmt_test kallsyms_test episode_test sink_test \
	      schema_test container_test kmod_fields_test metrics_test
UNIT_BINS := $(addprefix $(OUTPUT)/selftests/,$(UNIT_TESTS))

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
.PHONY: all deps demo test-unit check check-host check-vm check-kit bench man clean kmod kmod-all kmod-clean FORCE

all: $(OUTPUT)/oomtrace

deps:
	$(Q)scripts/deps.sh all

$(OUTPUT) $(OUTPUT)/user $(OUTPUT)/selftests:
	$(Q)mkdir -p $@

# One stamp per scripts/deps.sh group, so each goal installs only what it
# needs: cc (C against libbpf), build (`make`), unit (`make test-unit`),
# kmod (`make kmod-all`), bench (`make bench`), all (`make check`).
$(OUTPUT)/.deps-%: scripts/deps.sh | $(OUTPUT)
	$(Q)scripts/deps.sh $*
	$(Q)touch $@

$(OUTPUT)/vmlinux.h: | $(OUTPUT)/.deps-build
	$(call msg,BTF,$@)
	$(Q)test -r $(VMLINUX_BTF) || { echo "error: no kernel BTF at $(VMLINUX_BTF) (the kernel needs CONFIG_DEBUG_INFO_BTF=y; or set VMLINUX_BTF=FILE)" >&2; exit 1; }
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

# Another kernel's vmlinux.h, from the vmlinux that scripts/vmtest.sh
# unpacked for it (scripts/check.sh builds the BPF object against it).
$(OUTPUT)/compat/%/vmlinux.h: $(OUTPUT)/vm/linux-image-%/boot/vmlinux-$$* | $(OUTPUT)/.deps-build
	$(call msg,BTF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPFTOOL) btf dump file $< format c > $@

$(OUTPUT)/vm/linux-image-%:
	@echo "error: no $@: scripts/vmtest.sh --kernel linux-image-$(firstword $(subst /, ,$*)) unpacks it" >&2; exit 1

define bpf_compile
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -I$(@D) -Ibpf -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@
endef

$(OUTPUT)/oomtrace.bpf.o: bpf/oomtrace.bpf.c $(OUTPUT)/vmlinux.h
	$(bpf_compile)

$(OUTPUT)/compat/%/oomtrace.bpf.o: bpf/oomtrace.bpf.c $(OUTPUT)/compat/%/vmlinux.h
	$(bpf_compile)

$(OUTPUT)/oomtrace.skel.h: $(OUTPUT)/oomtrace.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name oomtrace_bpf > $@

$(OUTPUT)/user/%.o: user/%.c | $(OUTPUT)/user $(OUTPUT)/.deps-cc
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $(INCLUDES) -c $< -o $@

# The first build has no dependency files yet.
$(SKEL_OBJS): $(OUTPUT)/oomtrace.skel.h

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
$(KSFT)/kselftest_harness.h: | $(OUTPUT)/.deps-unit
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

-include $(wildcard $(OUTPUT)/*.d $(OUTPUT)/compat/*/*.d $(OUTPUT)/user/*.d $(OUTPUT)/selftests/*.d)

demo: $(OUTPUT)/oomtrace
	$(Q)scripts/demo.sh

# Unit tests create no cgroups: no sweep, so a live run elsewhere is safe.
test-unit: $(UNIT_BINS)
	$(Q)scripts/run-tests.sh --no-sweep $^

# `make kmod` needs nothing but the kernel headers at KDIR.
kmod:
	$(Q)test -n "$(KVER)" || { echo "error: no kernel headers at $(KDIR); set KDIR (e.g. KDIR=/lib/modules/6.1.0-56-amd64/build, from linux-headers-6.1.0-56-amd64)" >&2; exit 1; }
	$(Q)$(MAKE) --no-print-directory $(OUTPUT)/kmod/$(KVER)/oomtrace.ko

kmod-all: | $(OUTPUT)/.deps-kmod
	$(Q)$(MAKE) --no-print-directory $(foreach k,$(VM_KVERS),$(OUTPUT)/kmod/$(k)/oomtrace.ko)

# Kbuild tracks its own dependencies (and the kernel's), so it always runs.
$(OUTPUT)/kmod/%/oomtrace.ko: $$(addprefix $(OUTPUT)/kmod/$$*/,$(KMOD_FILES)) FORCE
	$(call msg,KMOD,$@)
	$(Q)$(MAKE) -C $(call kmod_kdir,$*) M=$(abspath $(@D)) $(if $(Q),-s) V=$(or $(V),0) modules

$(OUTPUT)/kmod/%: kmod/$$(notdir $$*)
	$(Q)mkdir -p $(@D)
	$(Q)cp $< $@

kmod-clean:
	$(Q)rm -rf $(OUTPUT)/kmod

check: $(OUTPUT)/oomtrace $(OUTPUT)/oomtrace.8 $(TESTS) $(KSFT)/cgroup/test_memcontrol kmod-all | $(OUTPUT)/.deps-all
	$(Q)scripts/check.sh all $(TESTS)

check-host: $(OUTPUT)/oomtrace $(OUTPUT)/oomtrace.8 $(TESTS) | $(OUTPUT)/.deps-all
	$(Q)scripts/check.sh host $(TESTS)

check-vm: $(OUTPUT)/oomtrace $(TESTS) $(KSFT)/cgroup/test_memcontrol kmod-all | $(OUTPUT)/.deps-all
	$(Q)scripts/check.sh vm $(TESTS)

# `sudo make bench` measures oomtrace against bpftrace on this machine
# (scripts/bench.sh, README: Benchmarks). Not part of `make check`.
bench: $(OUTPUT)/oomtrace | $(OUTPUT)/.deps-bench
	$(Q)scripts/bench.sh

# The deployment kit (deploy/, doc/): `make man` renders the man page,
# `make check-kit` checks every file of the kit (scripts/check-kit.sh; run
# as root, it also queries a real Prometheus scraping `oomtrace serve`).
man: $(OUTPUT)/oomtrace.8

$(OUTPUT)/oomtrace.8: doc/oomtrace.8.scd | $(OUTPUT)/.deps-kit
	$(call msg,SCDOC,$@)
	$(Q)scdoc < $< > $@

check-kit: $(OUTPUT)/oomtrace $(OUTPUT)/oomtrace.8 | $(OUTPUT)/.deps-kit
	$(Q)scripts/check-kit.sh $(OUTPUT)/oomtrace

clean:
	$(call msg,CLEAN)
	$(Q)rm -rf $(OUTPUT)
