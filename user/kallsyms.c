// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's text symbols, kept small: a tracer that runs on every node
 * holds them for its whole life, and their names are most of it (3 MB on a
 * 6.18 kernel). Addresses stay plain and sorted for the binary search. The
 * names are deflated as they are read, in the file's order, as one stream
 * flushed in full after each block of BLOCK names, so that a block
 * inflates on its own; a name is inflated on first use and then kept: a
 * record's stack needs few of them.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "kallsyms.h"

#define BLOCK 64
/* the kernel's KSYM_NAME_LEN, with its NUL */
#define NAME_MAX_LEN 512
#define RAW_MAX (BLOCK * NAME_MAX_LEN)

struct named {
	struct ksym sym;
	size_t index;
};

/*
 * The few symbols the BPF side reads by address (the variables' BTF has
 * none), kept while reading: a lookup by name afterwards would inflate
 * every block.
 */
static const struct {
	const char *name;
	int text;
} kept[] = {
	{ "vm_node_stat", 0 }, { "vm_zone_stat", 0 }, { "node_data", 0 },
	{ "mem_cgroup_events_index", 0 }, { "memcg_page_state", 1 }, { "memcg_events", 1 },
};
#define NR_KEPT (sizeof(kept) / sizeof(kept[0]))

struct ksyms {
	uint64_t kept[NR_KEPT];	/* 0: not in the file */
	uint64_t *addrs;	/* sorted */
	uint32_t *order;	/* addrs[i]'s name is the order[i]-th read; NULL: the i-th */
	size_t nr;
	Bytef *z;		/* the deflated blocks of names */
	uint32_t *z_off;	/* block b is z[z_off[b] .. z_off[b + 1]] */
	uint32_t *raw_len;	/* its inflated length */
	/*
	 * One block inflated at a time, with state made while loading: the
	 * first lookups come with the first OOM, when fresh pages are scarce.
	 */
	z_stream inf;
	int inf_ready;
	char *raw;		/* RAW_MAX bytes */
	size_t raw_block;	/* the block in raw; nr: none */
	/* the names inflated so far: open addressing on the index */
	struct named **named;
	size_t named_cap, nr_named;
};

/*
 * Sized for a large kernel from the start: growing by copies costs more
 * than the whole parse, and pages never touched cost nothing.
 */
static int grow(void **p, size_t *cap, size_t need, size_t size, size_t first)
{
	size_t n = *cap ? *cap : first;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

/* A symbol of kept[], of its kind: its address kept in ks->kept. */
static void keep(struct ksyms *ks, uint64_t addr, const char *name, size_t len, int text)
{
	size_t i;

	for (i = 0; i < NR_KEPT; i++)
		if (kept[i].text == text && strlen(kept[i].name) == len &&
		    !strncmp(name, kept[i].name, len))
			ks->kept[i] = addr;
}

/* "ffffffff81000000 T _stext" or "... t func\t[module]": 0 or -1. */
static int parse_line(struct ksyms *ks, char *line, uint64_t *addr, char **name, size_t *len)
{
	char *p = line, type;
	int text;

	*addr = strtoull(line, &p, 16);
	if (p == line || p[0] != ' ' || !p[1] || p[2] != ' ')
		return -1;
	type = p[1];
	*name = p + 3;
	*len = strcspn(*name, " \t\n");
	text = type == 't' || type == 'T' || type == 'w' || type == 'W';
	/* the kernel's own (a module's has a tab and [name] after it) */
	if ((text || type == 'D' || type == 'B' || type == 'd' || type == 'b') &&
	    (*name)[*len] == '\n')
		keep(ks, *addr, *name, *len, text);
	/* only code can be on a stack */
	if (!text)
		return -1;
	return *len && *len < NAME_MAX_LEN ? 0 : -1;
}

struct packing {
	z_stream zs;
	char raw[RAW_MAX];
	size_t raw_len, in_block;
	size_t addrs_cap, z_cap, z_used, off_cap, len_cap, nr_blocks;
};

/* Deflate the block gathered in p->raw, flushed in full. */
static int pack_block(struct ksyms *ks, struct packing *p)
{
	z_stream *zs = &p->zs;

	if (grow((void **)&ks->z_off, &p->off_cap, p->nr_blocks + 2,
		 sizeof(*ks->z_off), 4096) ||
	    grow((void **)&ks->raw_len, &p->len_cap, p->nr_blocks + 1,
		 sizeof(*ks->raw_len), 4096) ||
	    /* room for the block, and for the flush's own few bytes */
	    grow((void **)&ks->z, &p->z_cap, p->z_used + deflateBound(zs, p->raw_len) + 16,
		 1, 1 << 20))
		return -ENOMEM;
	zs->next_in = (Bytef *)p->raw;
	zs->avail_in = p->raw_len;
	zs->next_out = ks->z + p->z_used;
	zs->avail_out = p->z_cap - p->z_used;
	if (deflate(zs, Z_FULL_FLUSH) != Z_OK || zs->avail_in)
		return -EIO;
	ks->z_off[p->nr_blocks] = p->z_used;
	ks->raw_len[p->nr_blocks++] = p->raw_len;
	p->z_used = p->z_cap - zs->avail_out;
	ks->z_off[p->nr_blocks] = p->z_used;
	p->raw_len = p->in_block = 0;
	return 0;
}

static int add(struct ksyms *ks, struct packing *p, uint64_t addr,
	       const char *name, size_t len)
{
	if (grow((void **)&ks->addrs, &p->addrs_cap, ks->nr + 1, sizeof(*ks->addrs),
		 1 << 18))
		return -ENOMEM;
	ks->addrs[ks->nr++] = addr;
	memcpy(p->raw + p->raw_len, name, len);
	p->raw[p->raw_len + len] = '\0';
	p->raw_len += len + 1;
	return ++p->in_block == BLOCK ? pack_block(ks, p) : 0;
}

static int cmp_addr(const void *a, const void *b, void *arg)
{
	const uint64_t *addrs = arg, x = addrs[*(const uint32_t *)a],
		       y = addrs[*(const uint32_t *)b];

	return x < y ? -1 : x > y;
}

/*
 * The kernel's own symbols come sorted and modules' after them: sort only
 * when needed, then indices, which qsort moves faster than addresses with
 * names.
 */
static int sort(struct ksyms *ks)
{
	uint64_t *sorted;
	size_t i;

	for (i = 1; i < ks->nr && ks->addrs[i - 1] <= ks->addrs[i]; i++)
		;
	if (i >= ks->nr)
		return 0;
	ks->order = malloc(ks->nr * sizeof(*ks->order));
	sorted = malloc(ks->nr * sizeof(*sorted));
	if (!ks->order || !sorted) {
		free(sorted);
		return -ENOMEM;
	}
	for (i = 0; i < ks->nr; i++)
		ks->order[i] = i;
	qsort_r(ks->order, ks->nr, sizeof(*ks->order), cmp_addr, ks->addrs);
	for (i = 0; i < ks->nr; i++)
		sorted[i] = ks->addrs[ks->order[i]];
	free(ks->addrs);
	ks->addrs = sorted;
	return 0;
}

/* Block b's names, NUL-separated, into ks->raw. */
static int inflate_block(const struct ksyms *cks, size_t b)
{
	struct ksyms *ks = (struct ksyms *)cks;
	z_stream *zs = &ks->inf;
	int ret;

	if (ks->raw_block == b)
		return 0;
	ks->raw_block = ks->nr;
	if (inflateReset(zs) != Z_OK)
		return -EIO;
	zs->next_in = ks->z + ks->z_off[b];
	zs->avail_in = ks->z_off[b + 1] - ks->z_off[b];
	zs->next_out = (Bytef *)ks->raw;
	zs->avail_out = RAW_MAX;
	ret = inflate(zs, Z_SYNC_FLUSH);
	if ((ret != Z_OK && ret != Z_STREAM_END) || zs->total_out != ks->raw_len[b])
		return -EIO;
	ks->raw_block = b;
	return 0;
}

/* What lookups need, made and touched now (see struct ksyms). */
static int lookups_ready(struct ksyms *ks)
{
	ks->raw = malloc(RAW_MAX);
	if (!ks->raw || inflateInit2(&ks->inf, -15) != Z_OK)
		return -ENOMEM;
	ks->inf_ready = 1;
	ks->raw_block = ks->nr;
	return inflate_block(ks, 0);
}

struct ksyms *ksyms_load(const char *path)
{
	char line[NAME_MAX_LEN + 128], *name;
	int nonzero = 0, err = -ENOMEM;
	struct packing *p;
	struct ksyms *ks;
	uint64_t addr;
	size_t len;
	FILE *f;

	f = fopen(path ? path : "/proc/kallsyms", "r");
	if (!f)
		return NULL;
	ks = calloc(1, sizeof(*ks));
	p = calloc(1, sizeof(*p));
	if (!ks || !p ||
	    deflateInit2(&p->zs, Z_BEST_SPEED, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		goto free_packing;
	err = 0;
	/* fewer, larger reads: /proc/kallsyms is megabytes */
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	while (!err && fgets(line, sizeof(line), f)) {
		if (parse_line(ks, line, &addr, &name, &len))
			continue;
		nonzero |= addr != 0;
		err = add(ks, p, addr, name, len);
	}
	if (!err && p->in_block)
		err = pack_block(ks, p);
	if (!err && !nonzero)
		err = -EPERM;	/* kptr_restrict: every address reads as 0 */
	if (!err)
		err = sort(ks);
	if (!err)
		err = lookups_ready(ks);
	deflateEnd(&p->zs);
free_packing:
	free(p);
	fclose(f);
	if (err) {
		ksyms_free(ks);
		errno = -err;
		return NULL;
	}
	return ks;
}

struct ksyms_loading {
	const char *path;
	pthread_t thread;
	int joined;
	struct ksyms *ks;
	int err;
};

static void *load_thread(void *arg)
{
	struct ksyms_loading *l = arg;

	l->ks = ksyms_load(l->path);
	l->err = l->ks ? 0 : errno;
	return NULL;
}

struct ksyms_loading *ksyms_load_async(const char *path)
{
	struct ksyms_loading *l = calloc(1, sizeof(*l));
	pthread_attr_t attr;
	int err;

	if (!l)
		return NULL;
	l->path = path;
	/* glibc keeps a joined thread's stack, and locking would count it */
	err = pthread_attr_init(&attr);
	if (!err) {
		err = pthread_attr_setstacksize(&attr, 256 << 10) ||
		      pthread_create(&l->thread, &attr, load_thread, l);
		pthread_attr_destroy(&attr);
	}
	if (err) {
		load_thread(l);
		l->joined = 1;
	}
	return l;
}

struct ksyms *ksyms_loaded(struct ksyms_loading *l)
{
	if (!l) {
		errno = ENOMEM;
		return NULL;
	}
	if (!l->joined) {
		pthread_join(l->thread, NULL);
		l->joined = 1;
	}
	errno = l->err;
	return l->ks;
}

void ksyms_loading_free(struct ksyms_loading *l)
{
	if (l && !l->joined)
		pthread_join(l->thread, NULL);
	free(l);
}

uint64_t ksyms_kept(const struct ksyms *ks, const char *name)
{
	size_t i;

	for (i = 0; i < NR_KEPT; i++)
		if (!strcmp(name, kept[i].name))
			return ks->kept[i];
	return 0;
}

void ksyms_free(struct ksyms *ks)
{
	size_t i;

	if (!ks)
		return;
	for (i = 0; i < ks->named_cap; i++)
		if (ks->named[i]) {
			free((char *)ks->named[i]->sym.name);
			free(ks->named[i]);
		}
	free(ks->named);
	if (ks->inf_ready)
		inflateEnd(&ks->inf);
	free(ks->raw);
	free(ks->addrs);
	free(ks->order);
	free(ks->z);
	free(ks->z_off);
	free(ks->raw_len);
	free(ks);
}

static struct named **slot(const struct ksyms *ks, size_t index)
{
	size_t i = index * 0x9e3779b97f4a7c15ULL % ks->named_cap;

	while (ks->named[i] && ks->named[i]->index != index)
		i = (i + 1) % ks->named_cap;
	return &ks->named[i];
}

static int named_grow(struct ksyms *ks)
{
	struct named **old = ks->named;
	size_t i, cap = ks->named_cap;

	ks->named_cap = cap ? cap * 2 : 64;
	ks->named = calloc(ks->named_cap, sizeof(*ks->named));
	if (!ks->named) {
		ks->named = old;
		ks->named_cap = cap;
		return -ENOMEM;
	}
	for (i = 0; i < cap; i++)
		if (old[i])
			*slot(ks, old[i]->index) = old[i];
	free(old);
	return 0;
}

/* Where the name of the index-th symbol by address was read. */
static size_t read_index(const struct ksyms *ks, size_t index)
{
	return ks->order ? ks->order[index] : index;
}

/*
 * The symbol at index with its name, inflated once and kept for as long as
 * ks: callers hold on to names. Lookups change nothing a caller can see,
 * so ks stays const to them.
 */
static const struct ksym *named(const struct ksyms *cks, size_t index)
{
	struct ksyms *ks = (struct ksyms *)cks;
	size_t i, at = read_index(ks, index);
	struct named **s, *n;
	const char *p;

	if (ks->named_cap) {
		s = slot(ks, index);
		if (*s)
			return &(*s)->sym;
	}
	if (2 * (ks->nr_named + 1) > ks->named_cap && named_grow(ks))
		return NULL;
	if (inflate_block(ks, at / BLOCK))
		return NULL;
	for (p = ks->raw, i = 0; i < at % BLOCK; i++)
		p += strlen(p) + 1;
	n = malloc(sizeof(*n));
	if (n)
		n->sym.name = strdup(p);
	if (!n || !n->sym.name) {
		free(n);
		return NULL;
	}
	n->sym.addr = ks->addrs[index];
	n->index = index;
	*slot(ks, index) = n;
	ks->nr_named++;
	return &n->sym;
}

const struct ksym *ksyms_find(const struct ksyms *ks, uint64_t addr)
{
	size_t lo = 0, hi = ks->nr;

	/* the last symbol at or below addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ks->addrs[mid] <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? named(ks, lo - 1) : NULL;
}

int ksym_is(const char *sym, const char *func)
{
	size_t n = strlen(func);

	return !strncmp(sym, func, n) && (sym[n] == '\0' || sym[n] == '.');
}

/* The index by address of the at-th symbol read. */
static size_t sorted_index(const struct ksyms *ks, size_t at)
{
	size_t i;

	if (!ks->order)
		return at;
	for (i = 0; ks->order[i] != at; i++)
		;
	return i;
}

const struct ksym *ksyms_func(const struct ksyms *ks, const char *func)
{
	size_t b, at, plain = ks->nr, clone = ks->nr;
	const char *p;

	for (b = 0; b * BLOCK < ks->nr && plain == ks->nr; b++) {
		if (inflate_block(ks, b))
			return NULL;
		for (p = ks->raw, at = b * BLOCK; at < ks->nr && at < (b + 1) * BLOCK;
		     p += strlen(p) + 1, at++) {
			if (!ksym_is(p, func))
				continue;
			if (p[strlen(func)] == '\0') {
				plain = at;
				break;
			}
			if (!strstr(p, ".cold") && clone == ks->nr)
				clone = at;
		}
	}
	at = plain < ks->nr ? plain : clone;
	return at < ks->nr ? named(ks, sorted_index(ks, at)) : NULL;
}
