# SPDX-License-Identifier: GPL-2.0
# oomtrace: `make` builds build/oomtrace; `sudo make demo` shows it work;
# `sudo make check` runs every test. V=1 shows the commands.

OUTPUT := build
CLANG ?= clang
BPFTOOL ?= bpftool
LLVM_STRIP ?= llvm-strip
CC ?= cc
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
LINUX_SOURCE ?= /usr/src/linux-source-6.1.tar.xz
ARCH := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

CFLAGS ?= -O2 -g
# what the code needs, kept even when CFLAGS is given on the command line
override CFLAGS += -Wall -Wextra -Wno-unused-parameter -std=gnu11 -D_GNU_SOURCE
INCLUDES := -I$(OUTPUT) -Ibpf -Iuser
LDLIBS := -lbpf -lelf -lz

# Pure helpers, linked into the tool and into the unit tests alike.
LIB_SRCS := user/event.c user/gfp.c user/json.c user/timefmt.c user/kallsyms.c \
	    user/episode.c user/cgroup.c user/output.c user/output_text.c \
	    user/output_json.c user/filter.c user/stats.c user/kmod_fields.c
TOOL_SRCS := user/main.c user/attach.c user/probe.c user/trace.c
LIB_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(LIB_SRCS))
TOOL_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(TOOL_SRCS))

KSFT := $(OUTPUT)/ksft
TEST_SRCS := $(wildcard selftests/*_test.c)
TESTS := $(patsubst selftests/%.c,$(OUTPUT)/selftests/%,$(TEST_SRCS))

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
# The kernel module: `make kmod` for one kernel (KDIR), kmod-all for the
# kernels the VM tests boot, each in build/kmod/KVER/.
KDIR ?= /lib/modules/$(shell uname -r)/build
VM_KVERS := 6.1.0-56-amd64 6.1.0-47-amd64

.PHONY: all deps demo check check-host check-vm clean kmod kmod-all

all: $(OUTPUT)/oomtrace

deps:
	$(Q)scripts/deps.sh all

$(OUTPUT) $(OUTPUT)/user $(OUTPUT)/selftests:
	$(Q)mkdir -p $@

# What `make` needs, and what the tests need besides.
$(OUTPUT)/.deps: scripts/deps.sh | $(OUTPUT)
	$(Q)scripts/deps.sh build
	$(Q)touch $@

$(OUTPUT)/.test-deps: scripts/deps.sh | $(OUTPUT)
	$(Q)scripts/deps.sh all
	$(Q)touch $@

$(OUTPUT)/vmlinux.h: $(OUTPUT)/.deps
	$(call msg,BTF,$@)
	$(Q)test -r $(VMLINUX_BTF) || { echo "error: no kernel BTF at $(VMLINUX_BTF) (the kernel needs CONFIG_DEBUG_INFO_BTF=y; or set VMLINUX_BTF=FILE)" >&2; exit 1; }
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

$(OUTPUT)/oomtrace.bpf.o: bpf/oomtrace.bpf.c bpf/oomtrace.h bpf/core_fixes.bpf.h $(OUTPUT)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)$(CLANG) -g -O2 -Wall -target bpf -D__TARGET_ARCH_$(ARCH) $(INCLUDES) -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

$(OUTPUT)/oomtrace.skel.h: $(OUTPUT)/oomtrace.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name oomtrace_bpf > $@

$(OUTPUT)/user/%.o: user/%.c $(wildcard user/*.h) bpf/oomtrace.h $(OUTPUT)/oomtrace.skel.h | $(OUTPUT)/user
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(INCLUDES) -c $< -o $@

$(OUTPUT)/oomtrace: $(TOOL_OBJS) $(LIB_OBJS)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

# The kselftest harness, the kernel's cgroup selftests and checkpatch come
# from Debian's linux-source-6.1, unpacked once (one pass over the tarball).
KSFT_FILES := tools/testing/selftests/kselftest_harness.h \
	      tools/testing/selftests/kselftest.h \
	      tools/testing/selftests/clone3/clone3_selftests.h \
	      tools/testing/selftests/cgroup/test_memcontrol.c \
	      tools/testing/selftests/cgroup/cgroup_util.c \
	      tools/testing/selftests/cgroup/cgroup_util.h \
	      scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch
$(KSFT)/kselftest_harness.h: $(OUTPUT)/.test-deps
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

$(OUTPUT)/selftests/%: selftests/%.c selftests/oomtest.c selftests/oomtest.h $(LIB_OBJS) $(KSFT)/kselftest_harness.h | $(OUTPUT)/selftests
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) -Wno-sign-compare -Wno-format-truncation $(INCLUDES) -I$(KSFT) -Iselftests $< selftests/oomtest.c $(LIB_OBJS) $(LDLIBS) -ljson-c -lpthread -o $@

demo: $(OUTPUT)/oomtrace
	$(Q)scripts/demo.sh

kmod: $(OUTPUT)/.test-deps
	$(Q)test -e $(KDIR)/Makefile || { echo "error: no kernel build tree at $(KDIR); set KDIR (e.g. KDIR=/lib/modules/6.1.0-56-amd64/build)" >&2; exit 1; }
	$(Q)$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod modules

kmod-all: $(OUTPUT)/.test-deps
	$(Q)scripts/kmod-build.sh $(VM_KVERS)

check: $(OUTPUT)/oomtrace $(TESTS) $(KSFT)/cgroup/test_memcontrol kmod-all
	$(Q)scripts/check.sh all $(TESTS)

check-host: $(OUTPUT)/oomtrace $(TESTS)
	$(Q)scripts/check.sh host $(TESTS)

check-vm: $(OUTPUT)/oomtrace $(TESTS) $(KSFT)/cgroup/test_memcontrol kmod-all
	$(Q)scripts/check.sh vm $(TESTS)

clean:
	$(call msg,CLEAN)
	$(Q)rm -rf $(OUTPUT)
	$(Q)rm -rf kmod/*.o kmod/*.ko kmod/*.mod kmod/*.mod.c kmod/.*.cmd kmod/modules.order kmod/Module.symvers
