// SPDX-License-Identifier: GPL-2.0
/*
 * gfp_mask rendered the way the running kernel's %pGg renders it in its OOM
 * report: lib/vsprintf.c format_flags() over mm/debug.c gfpflag_names[]
 * (include/trace/events/mmflags.h __def_gfpflag_names). It walks the names in
 * order, prints each whose whole mask is still set and clears those bits,
 * puts '|' between names and prints any leftover bits as 0x<hex>; mask 0
 * prints nothing ("gfp_mask=0x0()").
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include "gfp.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Every single GFP bit we name, with its number in the legacy (pre-enum)
 * layout or -1 where that layout has none. The legacy numbers are 6.1's
 * #defines: bits 0-22 have had them since "mm: shuffle GFP_* flags" (5.1),
 * bit 9 being __GFP_ATOMIC until 6.4; bit 23 is __GFP_ZEROTAGS (before it,
 * __GFP_NOLOCKDEP or nothing). Higher bits depend on KASAN_HW_TAGS (arm64
 * only) and LOCKDEP and moved between releases; both are off in Debian's x86
 * kernels, and 6.1 names none of them anyway, so the legacy layout has none.
 */
#define GFP_BITS(X)		\
	X(DMA, 0)		\
	X(HIGHMEM, 1)		\
	X(DMA32, 2)		\
	X(MOVABLE, 3)		\
	X(RECLAIMABLE, 4)	\
	X(HIGH, 5)		\
	X(IO, 6)		\
	X(FS, 7)		\
	X(ZERO, 8)		\
	X(ATOMIC, 9)		\
	X(DIRECT_RECLAIM, 10)	\
	X(KSWAPD_RECLAIM, 11)	\
	X(WRITE, 12)		\
	X(NOWARN, 13)		\
	X(RETRY_MAYFAIL, 14)	\
	X(NOFAIL, 15)		\
	X(NORETRY, 16)		\
	X(MEMALLOC, 17)		\
	X(COMP, 18)		\
	X(NOMEMALLOC, 19)	\
	X(HARDWALL, 20)		\
	X(THISNODE, 21)		\
	X(ACCOUNT, 22)		\
	X(ZEROTAGS, 23)		\
	X(SKIP_ZERO, -1)	\
	X(SKIP_KASAN, -1)	\
	X(NOLOCKDEP, -1)	\
	X(NO_OBJ_EXT, -1)

enum gfp_bit {
#define X(name, legacy)	GFP_BIT_##name,
	GFP_BITS(X)
#undef X
	NR_GFP_BITS
};

static const char *const bit_names[NR_GFP_BITS] = {
#define X(name, legacy)	#name,
	GFP_BITS(X)
#undef X
};

static const signed char legacy_bits[NR_GFP_BITS] = {
#define X(name, legacy)	legacy,
	GFP_BITS(X)
#undef X
};

/* A name and the set of enum gfp_bit it stands for. */
struct gfp_def {
	const char *name;
	unsigned long long bits;
};

#define B(name)		(1ULL << GFP_BIT_##name)
#define ONE(name)	{ "__GFP_" #name, B(name) }

#define C_RECLAIM	(B(DIRECT_RECLAIM) | B(KSWAPD_RECLAIM))
#define C_KERNEL	(C_RECLAIM | B(IO) | B(FS))
#define C_USER		(C_KERNEL | B(HARDWALL))
#define C_HIGHUSER	(C_USER | B(HIGHMEM))
/* 6.1 spells the KASAN part __GFP_SKIP_KASAN_POISON|__GFP_SKIP_KASAN_UNPOISON;
 * like __GFP_SKIP_KASAN it is 0 wherever KASAN_HW_TAGS is off. */
#define C_HIGHUSER_MOVABLE	(C_HIGHUSER | B(MOVABLE) | B(SKIP_KASAN))
#define C_TRANSHUGE_LIGHT	((C_HIGHUSER_MOVABLE | B(COMP) | \
				  B(NOMEMALLOC) | B(NOWARN)) & ~C_RECLAIM)
#define C_TRANSHUGE	(C_TRANSHUGE_LIGHT | B(DIRECT_RECLAIM))
/* GFP_ATOMIC had __GFP_ATOMIC as long as that bit existed (until 6.4). */
#define C_ATOMIC	(B(HIGH) | B(ATOMIC) | B(KSWAPD_RECLAIM))

/*
 * The two orders the kernel has printed names in. Which one applies, and the
 * differences BTF cannot show, follow from the layout: the ___GFP_*_BIT enum
 * (6.10+) selects modern_names, #defines (invisible to BTF) legacy_names.
 * - GFP_NOWAIT includes __GFP_NOWARN since 6.8: modern only, so 6.8 and 6.9
 *   render as 6.1 here.
 * - Single bits print in bit order, with __GFP_NO_OBJ_EXT named, only since
 *   6.15; 6.10-6.14 have the enum but kept the legacy order.
 * - 6.4-6.9 lack __GFP_ATOMIC but have no enum either, so render as 6.1.
 * OOM masks always carry __GFP_DIRECT_RECLAIM, which keeps GFP_NOWAIT and
 * GFP_ATOMIC out of most real reports.
 */

/* __def_gfpflag_names before 6.15, as in 6.1. */
static const struct gfp_def legacy_names[] = {
	{ "GFP_TRANSHUGE", C_TRANSHUGE },
	{ "GFP_TRANSHUGE_LIGHT", C_TRANSHUGE_LIGHT },
	{ "GFP_HIGHUSER_MOVABLE", C_HIGHUSER_MOVABLE },
	{ "GFP_HIGHUSER", C_HIGHUSER },
	{ "GFP_USER", C_USER },
	{ "GFP_KERNEL_ACCOUNT", C_KERNEL | B(ACCOUNT) },
	{ "GFP_KERNEL", C_KERNEL },
	{ "GFP_NOFS", C_RECLAIM | B(IO) },
	{ "GFP_ATOMIC", C_ATOMIC },
	{ "GFP_NOIO", C_RECLAIM },
	{ "GFP_NOWAIT", B(KSWAPD_RECLAIM) },
	{ "GFP_DMA", B(DMA) },
	ONE(HIGHMEM),
	{ "GFP_DMA32", B(DMA32) },
	ONE(HIGH),
	ONE(ATOMIC),
	ONE(IO),
	ONE(FS),
	ONE(NOWARN),
	ONE(RETRY_MAYFAIL),
	ONE(NOFAIL),
	ONE(NORETRY),
	ONE(COMP),
	ONE(ZERO),
	ONE(NOMEMALLOC),
	ONE(MEMALLOC),
	ONE(HARDWALL),
	ONE(THISNODE),
	ONE(RECLAIMABLE),
	ONE(MOVABLE),
	ONE(ACCOUNT),
	ONE(WRITE),
	{ "__GFP_RECLAIM", C_RECLAIM },
	ONE(DIRECT_RECLAIM),
	ONE(KSWAPD_RECLAIM),
	ONE(ZEROTAGS),
};

/* __def_gfpflag_names of 6.15+: composites, then TRACE_GFP_FLAGS, which
 * lists every bit in enum order. */
static const struct gfp_def modern_names[] = {
	{ "GFP_TRANSHUGE", C_TRANSHUGE },
	{ "GFP_TRANSHUGE_LIGHT", C_TRANSHUGE_LIGHT },
	{ "GFP_HIGHUSER_MOVABLE", C_HIGHUSER_MOVABLE },
	{ "GFP_HIGHUSER", C_HIGHUSER },
	{ "GFP_USER", C_USER },
	{ "GFP_KERNEL_ACCOUNT", C_KERNEL | B(ACCOUNT) },
	{ "GFP_KERNEL", C_KERNEL },
	{ "GFP_NOFS", C_RECLAIM | B(IO) },
	{ "GFP_ATOMIC", C_ATOMIC },
	{ "GFP_NOIO", C_RECLAIM },
	{ "GFP_NOWAIT", B(KSWAPD_RECLAIM) | B(NOWARN) },
	{ "GFP_DMA", B(DMA) },
	{ "GFP_DMA32", B(DMA32) },
	{ "__GFP_RECLAIM", C_RECLAIM },
	ONE(DMA),
	ONE(HIGHMEM),
	ONE(DMA32),
	ONE(MOVABLE),
	ONE(RECLAIMABLE),
	ONE(HIGH),
	ONE(IO),
	ONE(FS),
	ONE(ZERO),
	ONE(DIRECT_RECLAIM),
	ONE(KSWAPD_RECLAIM),
	ONE(WRITE),
	ONE(NOWARN),
	ONE(RETRY_MAYFAIL),
	ONE(NOFAIL),
	ONE(NORETRY),
	ONE(MEMALLOC),
	ONE(COMP),
	ONE(NOMEMALLOC),
	ONE(HARDWALL),
	ONE(THISNODE),
	ONE(ACCOUNT),
	ONE(ZEROTAGS),
	ONE(SKIP_ZERO),
	ONE(SKIP_KASAN),
	ONE(NOLOCKDEP),
	ONE(NO_OBJ_EXT),
};

_Static_assert(ARRAY_SIZE(legacy_names) <= GFP_NAMES_MAX &&
	       ARRAY_SIZE(modern_names) <= GFP_NAMES_MAX,
	       "GFP_NAMES_MAX too small");
_Static_assert(NR_GFP_BITS <= 64, "gfp_def.bits too narrow");

static int enum_value(const struct btf *btf, const struct btf_type *t,
		      const char *name, int *val)
{
	const struct btf_enum *e = btf_enum(t);
	int i, n = btf_vlen(t);

	for (i = 0; i < n; i++, e++) {
		if (!strcmp(btf__name_by_offset(btf, e->name_off), name)) {
			*val = e->val;
			return 0;
		}
	}
	return -ENOENT;
}

/* The (anonymous) enum holding ___GFP_DMA_BIT, or NULL before 6.10. */
static const struct btf_type *find_bit_enum(const struct btf *btf)
{
	__u32 id, n = btf__type_cnt(btf);
	int val;

	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (btf_is_enum(t) &&
		    !enum_value(btf, t, "___GFP_DMA_BIT", &val))
			return t;
	}
	return NULL;
}

/* Bit numbers from the kernel's enum; -1 for bits configured out. */
static int btf_bits(const struct btf *btf, const struct btf_type *t,
		    int bits[NR_GFP_BITS])
{
	char name[48];
	int i, val;

	for (i = 0; i < NR_GFP_BITS; i++) {
		snprintf(name, sizeof(name), "___GFP_%s_BIT", bit_names[i]);
		if (enum_value(btf, t, name, &val)) {
			bits[i] = -1;
			continue;
		}
		/* gfp_t is 32 bits: anything else is not the enum we know. */
		if (val < 0 || val > 31)
			return -ERANGE;
		bits[i] = val;
	}
	return 0;
}

static unsigned int def_mask(unsigned long long set, const int bits[])
{
	unsigned int mask = 0;
	int i;

	for (i = 0; i < NR_GFP_BITS; i++) {
		if ((set & (1ULL << i)) && bits[i] >= 0)
			mask |= 1U << bits[i];
	}
	return mask;
}

int gfp_table_init(struct gfp_table *t, const struct btf *btf)
{
	const struct btf_type *e = btf ? find_bit_enum(btf) : NULL;
	const struct gfp_def *defs = legacy_names;
	size_t i, nr = ARRAY_SIZE(legacy_names);
	int bits[NR_GFP_BITS];
	int err;

	t->nr = 0;
	if (e) {
		err = btf_bits(btf, e, bits);
		if (err)
			return err;
		defs = modern_names;
		nr = ARRAY_SIZE(modern_names);
	} else {
		for (i = 0; i < NR_GFP_BITS; i++)
			bits[i] = legacy_bits[i];
	}

	for (i = 0; i < nr; i++) {
		unsigned int mask = def_mask(defs[i].bits, bits);

		/* The kernel lists no name for a bit it lacks; a 0 mask
		 * would match every gfp_mask. */
		if (!mask)
			continue;
		t->names[t->nr].name = defs[i].name;
		t->names[t->nr].mask = mask;
		t->nr++;
	}
	return 0;
}

/* Append s at buf[pos] as far as it fits; returns strlen(s). */
static size_t put(char *buf, size_t len, size_t pos, const char *s)
{
	size_t n = strlen(s), room;

	if (pos < len) {
		room = len - pos - 1;
		if (room > n)
			room = n;
		memcpy(buf + pos, s, room);
		buf[pos + room] = '\0';
	}
	return n;
}

int gfp_format(const struct gfp_table *t, unsigned int mask, char *buf,
	       size_t len)
{
	char hex[sizeof("0x12345678")];
	size_t pos = 0;
	unsigned int i;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < t->nr && mask; i++) {
		unsigned int m = t->names[i].mask;

		if ((mask & m) != m)
			continue;
		pos += put(buf, len, pos, t->names[i].name);
		mask &= ~m;
		if (mask)
			pos += put(buf, len, pos, "|");
	}
	if (mask) {
		snprintf(hex, sizeof(hex), "%#x", mask);
		pos += put(buf, len, pos, hex);
	}
	return (int)pos;
}
