// SPDX-License-Identifier: GPL-2.0
/*
 * gfp_format() against what real kernels printed. Each case says where its
 * string comes from; the few that no kernel was seen printing are derived
 * from that kernel's source and say so.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <bpf/btf.h>
#include "gfp.h"
#include "kselftest_harness.h"

struct gfp_case {
	unsigned int mask;
	const char *want;
};

/*
 * Debian 6.1.0-56 (the kernel of our VM tests), real prints:
 * a - memcg OOM reports in the 6.1 guest ("invoked oom-killer: gfp_mask=...");
 * b - kmem:mm_page_alloc and kmem:kmalloc events in the guest, filtered on
 *     gfp_flags == mask: show_gfp_flags() walks the same names as %pGg;
 * c - a Debian 12 server's OOM reports (Feb 2024), kernel 6.1 by date;
 * d - OOM reports from 5.3 to 5.11, whose bits and names here are 6.1's;
 * e - the kernel's own %pGg test, lib/test_printf.c flags(), where
 *     ~__GFP_BITS_MASK is 0xf8000000 without LOCKDEP.
 */
static const struct gfp_case v61_cases[] = {
	/* d */
	{ 0x100cca, "GFP_HIGHUSER_MOVABLE" },
	/* b, c */
	{ 0x140cca, "GFP_HIGHUSER_MOVABLE|__GFP_COMP" },
	{ 0x140dca, "GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO" },
	/* a, b */
	{ 0xcc0, "GFP_KERNEL" },
	/* b */
	{ 0x400cc0, "GFP_KERNEL_ACCOUNT" },
	{ 0x400cd0, "GFP_KERNEL_ACCOUNT|__GFP_RECLAIMABLE" },
	{ 0x52dc0,
	  "GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP|__GFP_ZERO" },
	{ 0xc40, "GFP_NOFS" },
	{ 0x2800, "GFP_NOWAIT|__GFP_NOWARN" },
	{ 0x52810,
	  "GFP_NOWAIT|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP|__GFP_RECLAIMABLE" },
	{ 0xa20, "GFP_ATOMIC" },
	/* e */
	{ 0x1c24ca, "GFP_TRANSHUGE" },
	{ 0xa21, "GFP_ATOMIC|GFP_DMA" },
	{ 0x200, "__GFP_ATOMIC" },
	{ 0xf8000000, "0xf8000000" },
	{ 0xf8000200, "__GFP_ATOMIC|0xf8000000" },
};

/*
 * Derived from 6.1's source, no print seen: bit 24 is ___GFP_SKIP_ZERO only
 * with KASAN_HW_TAGS (arm64); without it nothing names the bit. (5.15 printed
 * 0x1100cca as plain GFP_HIGHUSER_MOVABLE: there bit 24 was
 * __GFP_SKIP_KASAN_POISON, part of it.) Mask 0: format_flags() prints
 * nothing, the report says "gfp_mask=0x0()".
 */
static const struct gfp_case v61_derived[] = {
	{ 0x1100cca, "GFP_HIGHUSER_MOVABLE|0x1000000" },
	{ 0, "" },
};

/*
 * Linux 6.18, real prints: a memcg OOM report on our host (6.18.44,
 * "python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL)"), an OOM report
 * from 6.18.0 on LKML (0x100cca) and, like b above, the host's kmem events
 * filtered on each mask.
 */
static const struct gfp_case v618_cases[] = {
	{ 0xcc0, "GFP_KERNEL" },
	{ 0x100cca, "GFP_HIGHUSER_MOVABLE" },
	{ 0x140cca, "GFP_HIGHUSER_MOVABLE|__GFP_COMP" },
	{ 0x140dca, "GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP" },
	{ 0x153cca,
	  "GFP_HIGHUSER_MOVABLE|__GFP_WRITE|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP" },
	{ 0x400cc0, "GFP_KERNEL_ACCOUNT" },
	{ 0x400dc0, "GFP_KERNEL_ACCOUNT|__GFP_ZERO" },
	{ 0x440dc0, "GFP_KERNEL_ACCOUNT|__GFP_ZERO|__GFP_COMP" },
	{ 0x52cc0, "GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP" },
	{ 0xdc0, "GFP_KERNEL|__GFP_ZERO" },
	{ 0xd40, "GFP_NOFS|__GFP_ZERO" },
	{ 0x2800, "GFP_NOWAIT" },
	{ 0x2900, "GFP_NOWAIT|__GFP_ZERO" },
};

/*
 * Derived from 6.18's source and the host's own name table (the print fmt
 * of kmem:mm_page_alloc): bit 9 is ___GFP_UNUSED_BIT, named by nothing, so
 * it is left over where 6.1 says __GFP_ATOMIC; bit 24 is __GFP_NO_OBJ_EXT;
 * nothing names bits 25 and up.
 */
static const struct gfp_case v618_derived[] = {
	{ 0x200, "0x200" },
	{ 0xa20, "GFP_ATOMIC|0x200" },
	{ 0x1100cca, "GFP_HIGHUSER_MOVABLE|__GFP_NO_OBJ_EXT" },
	{ 0xfe000000, "0xfe000000" },
	{ 0, "" },
};

/* 6.1's gfpflag_names as the guest's kmem:mm_page_alloc print fmt lists it. */
static const struct gfp_name v61_names[] = {
	{ 0x1c24ca, "GFP_TRANSHUGE" },
	{ 0x1c20ca, "GFP_TRANSHUGE_LIGHT" },
	{ 0x100cca, "GFP_HIGHUSER_MOVABLE" },
	{ 0x100cc2, "GFP_HIGHUSER" },
	{ 0x100cc0, "GFP_USER" },
	{ 0x400cc0, "GFP_KERNEL_ACCOUNT" },
	{ 0xcc0, "GFP_KERNEL" },
	{ 0xc40, "GFP_NOFS" },
	{ 0xa20, "GFP_ATOMIC" },
	{ 0xc00, "GFP_NOIO" },
	{ 0x800, "GFP_NOWAIT" },
	{ 0x1, "GFP_DMA" },
	{ 0x2, "__GFP_HIGHMEM" },
	{ 0x4, "GFP_DMA32" },
	{ 0x20, "__GFP_HIGH" },
	{ 0x200, "__GFP_ATOMIC" },
	{ 0x40, "__GFP_IO" },
	{ 0x80, "__GFP_FS" },
	{ 0x2000, "__GFP_NOWARN" },
	{ 0x4000, "__GFP_RETRY_MAYFAIL" },
	{ 0x8000, "__GFP_NOFAIL" },
	{ 0x10000, "__GFP_NORETRY" },
	{ 0x40000, "__GFP_COMP" },
	{ 0x100, "__GFP_ZERO" },
	{ 0x80000, "__GFP_NOMEMALLOC" },
	{ 0x20000, "__GFP_MEMALLOC" },
	{ 0x100000, "__GFP_HARDWALL" },
	{ 0x200000, "__GFP_THISNODE" },
	{ 0x10, "__GFP_RECLAIMABLE" },
	{ 0x8, "__GFP_MOVABLE" },
	{ 0x400000, "__GFP_ACCOUNT" },
	{ 0x1000, "__GFP_WRITE" },
	{ 0xc00, "__GFP_RECLAIM" },
	{ 0x400, "__GFP_DIRECT_RECLAIM" },
	{ 0x800, "__GFP_KSWAPD_RECLAIM" },
	{ 0x800000, "__GFP_ZEROTAGS" },
};

/* The host's (6.18) gfpflag_names, from its kmem:mm_page_alloc print fmt. */
static const struct gfp_name v618_names[] = {
	{ 0x1c24ca, "GFP_TRANSHUGE" },
	{ 0x1c20ca, "GFP_TRANSHUGE_LIGHT" },
	{ 0x100cca, "GFP_HIGHUSER_MOVABLE" },
	{ 0x100cc2, "GFP_HIGHUSER" },
	{ 0x100cc0, "GFP_USER" },
	{ 0x400cc0, "GFP_KERNEL_ACCOUNT" },
	{ 0xcc0, "GFP_KERNEL" },
	{ 0xc40, "GFP_NOFS" },
	{ 0x820, "GFP_ATOMIC" },
	{ 0xc00, "GFP_NOIO" },
	{ 0x2800, "GFP_NOWAIT" },
	{ 0x1, "GFP_DMA" },
	{ 0x4, "GFP_DMA32" },
	{ 0xc00, "__GFP_RECLAIM" },
	{ 0x1, "__GFP_DMA" },
	{ 0x2, "__GFP_HIGHMEM" },
	{ 0x4, "__GFP_DMA32" },
	{ 0x8, "__GFP_MOVABLE" },
	{ 0x10, "__GFP_RECLAIMABLE" },
	{ 0x20, "__GFP_HIGH" },
	{ 0x40, "__GFP_IO" },
	{ 0x80, "__GFP_FS" },
	{ 0x100, "__GFP_ZERO" },
	{ 0x400, "__GFP_DIRECT_RECLAIM" },
	{ 0x800, "__GFP_KSWAPD_RECLAIM" },
	{ 0x1000, "__GFP_WRITE" },
	{ 0x2000, "__GFP_NOWARN" },
	{ 0x4000, "__GFP_RETRY_MAYFAIL" },
	{ 0x8000, "__GFP_NOFAIL" },
	{ 0x10000, "__GFP_NORETRY" },
	{ 0x20000, "__GFP_MEMALLOC" },
	{ 0x40000, "__GFP_COMP" },
	{ 0x80000, "__GFP_NOMEMALLOC" },
	{ 0x100000, "__GFP_HARDWALL" },
	{ 0x200000, "__GFP_THISNODE" },
	{ 0x400000, "__GFP_ACCOUNT" },
	{ 0x800000, "__GFP_ZEROTAGS" },
	{ 0x1000000, "__GFP_NO_OBJ_EXT" },
};

/* The host's enum of bit numbers, in order from 0 (bpftool btf dump). */
static const char *const v618_bits[] = {
	"DMA", "HIGHMEM", "DMA32", "MOVABLE", "RECLAIMABLE", "HIGH", "IO", "FS",
	"ZERO", "UNUSED", "DIRECT_RECLAIM", "KSWAPD_RECLAIM", "WRITE",
	"NOWARN", "RETRY_MAYFAIL", "NOFAIL", "NORETRY", "MEMALLOC", "COMP",
	"NOMEMALLOC", "HARDWALL", "THISNODE", "ACCOUNT", "ZEROTAGS",
	"NO_OBJ_EXT", "LAST",
};

/* The same with KASAN_HW_TAGS and LOCKDEP on, as 6.18's enum orders them. */
static const char *const v618_debug_bits[] = {
	"DMA", "HIGHMEM", "DMA32", "MOVABLE", "RECLAIMABLE", "HIGH", "IO", "FS",
	"ZERO", "UNUSED", "DIRECT_RECLAIM", "KSWAPD_RECLAIM", "WRITE",
	"NOWARN", "RETRY_MAYFAIL", "NOFAIL", "NORETRY", "MEMALLOC", "COMP",
	"NOMEMALLOC", "HARDWALL", "THISNODE", "ACCOUNT", "ZEROTAGS",
	"SKIP_ZERO", "SKIP_KASAN", "NOLOCKDEP", "NO_OBJ_EXT", "LAST",
};

static void expect_cases(struct __test_metadata *_metadata,
			 const struct gfp_table *t, const struct gfp_case *c,
			 size_t n)
{
	char buf[256];
	size_t i;
	int len;

	for (i = 0; i < n; i++) {
		len = gfp_format(t, c[i].mask, buf, sizeof(buf));
		EXPECT_STREQ(c[i].want, buf)
			TH_LOG("gfp_mask=%#x", c[i].mask);
		EXPECT_EQ((int)strlen(c[i].want), len)
			TH_LOG("gfp_mask=%#x", c[i].mask);
	}
}

static void expect_names(struct __test_metadata *_metadata,
			 const struct gfp_table *t, const struct gfp_name *want,
			 size_t n)
{
	size_t i;

	ASSERT_EQ(n, t->nr);
	for (i = 0; i < n; i++) {
		EXPECT_STREQ(want[i].name, t->names[i].name);
		EXPECT_EQ(want[i].mask, t->names[i].mask)
			TH_LOG("%s", want[i].name);
	}
}

/* A BTF holding an int and an anonymous enum ___GFP_<bits[i]>_BIT = i, like
 * the kernel's (bits NULL: no enum at all). */
static struct btf *fake_btf(const char *const *bits, size_t n)
{
	struct btf *btf = btf__new_empty();
	char name[64];
	size_t i;

	if (!btf)
		return NULL;
	if (btf__add_int(btf, "int", 4, BTF_INT_SIGNED) < 0 ||
	    (bits && btf__add_enum(btf, NULL, 4) < 0))
		goto err;
	for (i = 0; bits && i < n; i++) {
		snprintf(name, sizeof(name), "___GFP_%s_BIT", bits[i]);
		if (btf__add_enum_value(btf, name, i))
			goto err;
	}
	return btf;
err:
	btf__free(btf);
	return NULL;
}

TEST(legacy_table_is_61s)
{
	struct gfp_table t;

	ASSERT_EQ(0, gfp_table_init(&t, NULL));
	expect_names(_metadata, &t, v61_names, ARRAY_SIZE(v61_names));
}

TEST(legacy_prints)
{
	struct gfp_table t;

	ASSERT_EQ(0, gfp_table_init(&t, NULL));
	expect_cases(_metadata, &t, v61_cases, ARRAY_SIZE(v61_cases));
	expect_cases(_metadata, &t, v61_derived, ARRAY_SIZE(v61_derived));
}

/* Kernels with BTF but without the enum (6.1 has both) are legacy. */
TEST(btf_without_enum_is_legacy)
{
	struct btf *btf = fake_btf(NULL, 0);
	struct gfp_table t;

	ASSERT_NE(NULL, btf);
	EXPECT_EQ(0, gfp_table_init(&t, btf));
	btf__free(btf);
	expect_names(_metadata, &t, v61_names, ARRAY_SIZE(v61_names));
}

TEST(enum_table_is_618s)
{
	struct btf *btf = fake_btf(v618_bits, ARRAY_SIZE(v618_bits));
	struct gfp_table t;

	ASSERT_NE(NULL, btf);
	EXPECT_EQ(0, gfp_table_init(&t, btf));
	btf__free(btf);
	expect_names(_metadata, &t, v618_names, ARRAY_SIZE(v618_names));
	expect_cases(_metadata, &t, v618_cases, ARRAY_SIZE(v618_cases));
	expect_cases(_metadata, &t, v618_derived, ARRAY_SIZE(v618_derived));
}

/*
 * Where 6.1 and 6.18 print the same mask differently: bit 9 (__GFP_ATOMIC,
 * part of GFP_ATOMIC, until 6.4), GFP_NOWAIT gaining __GFP_NOWARN (6.8) and
 * the order of single bits (6.15). All from the cases above.
 */
TEST(tables_differ)
{
	static const struct gfp_case v61[] = {
		{ 0xa20, "GFP_ATOMIC" },
		{ 0x200, "__GFP_ATOMIC" },
		{ 0x2800, "GFP_NOWAIT|__GFP_NOWARN" },
		{ 0x140dca, "GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO" },
	};
	static const struct gfp_case v618[] = {
		{ 0xa20, "GFP_ATOMIC|0x200" },
		{ 0x200, "0x200" },
		{ 0x2800, "GFP_NOWAIT" },
		{ 0x140dca, "GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP" },
	};
	struct gfp_table old, new;
	struct btf *btf;

	btf = fake_btf(v618_bits, ARRAY_SIZE(v618_bits));
	ASSERT_NE(NULL, btf);
	ASSERT_EQ(0, gfp_table_init(&new, btf));
	btf__free(btf);
	ASSERT_EQ(0, gfp_table_init(&old, NULL));
	expect_cases(_metadata, &old, v61, ARRAY_SIZE(v61));
	expect_cases(_metadata, &new, v618, ARRAY_SIZE(v618));
}

/*
 * Config-dependent bits shift what follows them and change composites:
 * with KASAN_HW_TAGS, __GFP_SKIP_KASAN (bit 25) is part of
 * GFP_HIGHUSER_MOVABLE. Derived from 6.18's gfp_types.h and mmflags.h.
 */
TEST(enum_config_bits)
{
	static const struct gfp_case cases[] = {
		{ 0x2100cca, "GFP_HIGHUSER_MOVABLE" },
		{ 0x100cca, "GFP_HIGHUSER|__GFP_MOVABLE" },
		{ 0x5000cc0, "GFP_KERNEL|__GFP_SKIP_ZERO|__GFP_NOLOCKDEP" },
		{ 0x8000000, "__GFP_NO_OBJ_EXT" },
		{ 0x10000000, "0x10000000" },
	};
	struct btf *btf;
	struct gfp_table t;

	btf = fake_btf(v618_debug_bits, ARRAY_SIZE(v618_debug_bits));
	ASSERT_NE(NULL, btf);
	EXPECT_EQ(0, gfp_table_init(&t, btf));
	btf__free(btf);
	expect_cases(_metadata, &t, cases, ARRAY_SIZE(cases));
}

/* Eight made-up bits push __GFP_NO_OBJ_EXT to bit 32, past gfp_t. */
TEST(enum_out_of_range)
{
	static const char *const bits[] = {
		"DMA", "HIGHMEM", "DMA32", "MOVABLE", "RECLAIMABLE", "HIGH",
		"IO", "FS", "ZERO", "UNUSED", "DIRECT_RECLAIM",
		"KSWAPD_RECLAIM", "WRITE", "NOWARN", "RETRY_MAYFAIL", "NOFAIL",
		"NORETRY", "MEMALLOC", "COMP", "NOMEMALLOC", "HARDWALL",
		"THISNODE", "ACCOUNT", "ZEROTAGS", "A", "B", "C", "D", "E", "F",
		"G", "H", "NO_OBJ_EXT",
	};
	struct btf *btf = fake_btf(bits, ARRAY_SIZE(bits));
	struct gfp_table t;
	char buf[16];

	ASSERT_NE(NULL, btf);
	EXPECT_EQ(-ERANGE, gfp_table_init(&t, btf));
	btf__free(btf);
	/* An empty table still prints the mask. */
	EXPECT_EQ(5, gfp_format(&t, 0xcc0, buf, sizeof(buf)));
	EXPECT_STREQ("0xcc0", buf);
}

TEST(truncation)
{
	static const char want[] = "GFP_HIGHUSER_MOVABLE|__GFP_COMP|0x80000000";
	struct gfp_table t;
	char buf[sizeof(want)];
	size_t len, end;

	ASSERT_EQ(0, gfp_table_init(&t, NULL));
	EXPECT_EQ((int)strlen(want), gfp_format(&t, 0x80140cca, NULL, 0));
	for (len = 1; len <= sizeof(want); len++) {
		memset(buf, 'x', sizeof(buf));
		EXPECT_EQ((int)strlen(want),
			  gfp_format(&t, 0x80140cca, buf, len));
		end = len - 1;
		EXPECT_EQ(0, memcmp(want, buf, end));
		EXPECT_EQ('\0', buf[end])
			TH_LOG("len %zu", len);
	}
}

/* The running kernel, against the prints recorded on it. */
TEST(host_btf)
{
	struct gfp_table t;
	struct utsname u;
	struct btf *btf;

	ASSERT_EQ(0, uname(&u));
	btf = btf__load_vmlinux_btf();
	if (!btf)
		SKIP(return, "no kernel BTF");
	EXPECT_EQ(0, gfp_table_init(&t, btf));
	btf__free(btf);
	if (!strncmp(u.release, "6.18.", 5)) {
		expect_names(_metadata, &t, v618_names, ARRAY_SIZE(v618_names));
		expect_cases(_metadata, &t, v618_cases, ARRAY_SIZE(v618_cases));
		expect_cases(_metadata, &t, v618_derived,
			     ARRAY_SIZE(v618_derived));
	} else if (!strncmp(u.release, "6.1.", 4)) {
		expect_names(_metadata, &t, v61_names, ARRAY_SIZE(v61_names));
		expect_cases(_metadata, &t, v61_cases, ARRAY_SIZE(v61_cases));
		expect_cases(_metadata, &t, v61_derived,
			     ARRAY_SIZE(v61_derived));
	} else {
		SKIP(return, "no prints recorded on %s", u.release);
	}
}

TEST_HARNESS_MAIN
