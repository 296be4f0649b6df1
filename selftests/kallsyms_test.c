// SPDX-License-Identifier: GPL-2.0
/* kallsyms symbolisation against a file in /proc/kallsyms' format. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "kallsyms.h"

static const char syms[] =
	"ffffffff81212110 t dump_header\n"
	"ffffffff812122d0 t __oom_kill_process.cold\n"
	"ffffffff81596eb0 t __oom_kill_process\n"
	"ffffffff81597310 t oom_kill_process.constprop.0\n"
	"ffffffff81597ce0 T out_of_memory\n"
	"ffffffff81000000 T _stext\n"		/* unsorted on purpose */
	"ffffffff82000000 D some_data\n"
	"ffffffff82100000 B vm_node_stat\n"
	"ffffffff82100200 B vm_zone_stat\n"
	"ffffffff82200000 D node_data\n"
	"ffffffff82300040 d mem_cgroup_events_index\n"	/* static, as in v6.1 */
	"ffffffff81300000 T memcg_page_state\n"
	"ffffffff81300100 t memcg_page_state.cold\n"	/* a part: not kept */
	"ffffffff81300200 t memcg_events\n"		/* static */
	"ffffffff82300000 d memcg_page_state\n"		/* not code: not kept */
	"ffffffffc0003000 t node_data\t[some_mod]\n"	/* code: not kept */
	"ffffffffc0002000 d vm_zone_stat\t[some_mod]\n"	/* a module's: not the kernel's */
	"ffffffffc0001000 t mod_func\t[some_mod]\n";

FIXTURE(ksyms) {
	char path[64];
	struct ksyms *ks;
};

static void write_tmp(char *path, size_t len, const char *text)
{
	FILE *f;

	snprintf(path, len, "/tmp/ksyms-test-%d", getpid());
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

FIXTURE_SETUP(ksyms)
{
	write_tmp(self->path, sizeof(self->path), syms);
	self->ks = ksyms_load(self->path);
	ASSERT_NE(NULL, self->ks);
}

FIXTURE_TEARDOWN(ksyms)
{
	ksyms_free(self->ks);
	unlink(self->path);
}

/* The symbols the BPF side reads by address: the kernel's, not a module's,
 * of their kind, by their plain names. */
TEST_F(ksyms, kept_symbols)
{
	EXPECT_EQ(0xffffffff82100000, ksyms_kept(self->ks, "vm_node_stat"));
	EXPECT_EQ(0xffffffff82100200, ksyms_kept(self->ks, "vm_zone_stat"));
	EXPECT_EQ(0xffffffff82200000, ksyms_kept(self->ks, "node_data"));
	EXPECT_EQ(0xffffffff82300040, ksyms_kept(self->ks, "mem_cgroup_events_index"));
	EXPECT_EQ(0xffffffff81300000, ksyms_kept(self->ks, "memcg_page_state"));
	EXPECT_EQ(0xffffffff81300200, ksyms_kept(self->ks, "memcg_events"));
	EXPECT_EQ(0, ksyms_kept(self->ks, "some_data"));
}

TEST_F(ksyms, find_exact_and_inside)
{
	const struct ksym *s;

	s = ksyms_find(self->ks, 0xffffffff81596eb0);
	ASSERT_NE(NULL, s);
	EXPECT_STREQ("__oom_kill_process", s->name);
	s = ksyms_find(self->ks, 0xffffffff81597ce0 + 0x1a);
	ASSERT_NE(NULL, s);
	EXPECT_STREQ("out_of_memory", s->name);
	EXPECT_EQ(0xffffffff81597ce0, s->addr);
	s = ksyms_find(self->ks, 0xffffffffc0001004);
	ASSERT_NE(NULL, s);
	EXPECT_STREQ("mod_func", s->name);
}

TEST_F(ksyms, below_first_symbol_is_unknown)
{
	EXPECT_EQ(NULL, ksyms_find(self->ks, 0xffffffff80000000));
}

TEST_F(ksyms, data_symbols_are_not_code)
{
	const struct ksym *s = ksyms_find(self->ks, 0xffffffff82000008);

	ASSERT_NE(NULL, s);
	EXPECT_STREQ("out_of_memory", s->name);
}

TEST_F(ksyms, func_prefers_plain_then_clone_never_cold)
{
	const struct ksym *s;

	s = ksyms_func(self->ks, "__oom_kill_process");
	ASSERT_NE(NULL, s);
	EXPECT_STREQ("__oom_kill_process", s->name);
	s = ksyms_func(self->ks, "oom_kill_process");
	ASSERT_NE(NULL, s);
	EXPECT_STREQ("oom_kill_process.constprop.0", s->name);
	EXPECT_EQ(NULL, ksyms_func(self->ks, "oom_kill"));
}

TEST(ksym_is_matches_compiler_parts)
{
	EXPECT_TRUE(ksym_is("oom_kill_process", "oom_kill_process"));
	EXPECT_TRUE(ksym_is("oom_kill_process.cold", "oom_kill_process"));
	EXPECT_TRUE(ksym_is("oom_kill_process.isra.0", "oom_kill_process"));
	EXPECT_FALSE(ksym_is("__oom_kill_process", "oom_kill_process"));
	EXPECT_FALSE(ksym_is("oom_kill_process_x", "oom_kill_process"));
}

TEST(hidden_addresses_are_an_error)
{
	char path[64];

	write_tmp(path, sizeof(path), "0000000000000000 T out_of_memory\n"
				       "0000000000000000 t oom_kill_process\n");
	errno = 0;
	EXPECT_EQ(NULL, ksyms_load(path));
	EXPECT_EQ(EPERM, errno);
	unlink(path);
}

/*
 * Names are deflated in blocks of 64 in the order read, and addresses
 * sorted apart from them: 200 symbols, the last 40 read out of address
 * order (as modules' come after the kernel's), looked up on both sides of
 * every block boundary, by address and by name.
 */
TEST(many_symbols_across_blocks)
{
	const unsigned int n = 200, tail = 40;
	char path[64], name[32];
	const struct ksym *s;
	struct ksyms *ks;
	unsigned int i;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/ksyms-test-many-%d", getpid());
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	/* symbol i at 0xffffffff81000000 + 0x100 * i; the tail read backwards */
	for (i = 0; i < n - tail; i++)
		fprintf(f, "%llx t func_%u\n", 0xffffffff81000000ULL + 0x100ULL * i, i);
	for (i = n; i-- > n - tail;)
		fprintf(f, "%llx t func_%u\t[mod]\n", 0xffffffff81000000ULL + 0x100ULL * i, i);
	fclose(f);
	ks = ksyms_load(path);
	unlink(path);
	ASSERT_NE(NULL, ks);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "func_%u", i);
		s = ksyms_find(ks, 0xffffffff81000000ULL + 0x100ULL * i + 0x42);
		ASSERT_NE(NULL, s) TH_LOG("%s", name);
		EXPECT_STREQ(name, s->name);
		EXPECT_EQ(0xffffffff81000000ULL + 0x100ULL * i, s->addr);
		s = ksyms_func(ks, name);
		ASSERT_NE(NULL, s) TH_LOG("%s", name);
		EXPECT_EQ(0xffffffff81000000ULL + 0x100ULL * i, s->addr) TH_LOG("%s", name);
	}
	ksyms_free(ks);
}

TEST(live_kernel)
{
	const struct ksym *s;
	struct ksyms *ks;

	if (geteuid())
		SKIP(return, "/proc/kallsyms hides addresses from non-root");
	ks = ksyms_load(NULL);
	ASSERT_NE(NULL, ks);
	s = ksyms_func(ks, "out_of_memory");
	ASSERT_NE(NULL, s);
	EXPECT_EQ(s, ksyms_find(ks, s->addr + 1));
	ksyms_free(ks);
}

TEST_HARNESS_MAIN
