// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kallsyms.h"

struct ksyms {
	struct ksym *syms;
	size_t nr, cap;
	char *names;
	size_t names_len, names_cap;
};

static int cmp_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int add(struct ksyms *ks, uint64_t addr, const char *name)
{
	size_t len = strlen(name) + 1;

	if (ks->nr == ks->cap) {
		size_t cap = ks->cap ? ks->cap * 2 : 4096;
		void *p = realloc(ks->syms, cap * sizeof(*ks->syms));

		if (!p)
			return -ENOMEM;
		ks->syms = p;
		ks->cap = cap;
	}
	if (ks->names_len + len > ks->names_cap) {
		size_t cap = ks->names_cap ? ks->names_cap * 2 : 1 << 20;
		void *p;

		while (cap < ks->names_len + len)
			cap *= 2;
		p = realloc(ks->names, cap);
		if (!p)
			return -ENOMEM;
		ks->names = p;
		ks->names_cap = cap;
	}
	memcpy(ks->names + ks->names_len, name, len);
	/* names may move while loading: store offsets, fix up at the end */
	ks->syms[ks->nr].addr = addr;
	ks->syms[ks->nr].name = (const char *)(uintptr_t)ks->names_len;
	ks->nr++;
	ks->names_len += len;
	return 0;
}

struct ksyms *ksyms_load(const char *path)
{
	char line[512], name[256], type;
	unsigned long long addr;
	int nonzero = 0, err = 0;
	struct ksyms *ks;
	FILE *f;
	size_t i;

	f = fopen(path ? path : "/proc/kallsyms", "r");
	if (!f)
		return NULL;
	ks = calloc(1, sizeof(*ks));
	if (!ks) {
		fclose(f);
		errno = ENOMEM;
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
			continue;
		/* only code can be on a stack */
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		nonzero |= addr != 0;
		err = add(ks, addr, name);
		if (err)
			break;
	}
	fclose(f);
	if (!err && !nonzero)
		err = -EPERM;	/* kptr_restrict: every address reads as 0 */
	if (err) {
		ksyms_free(ks);
		errno = -err;
		return NULL;
	}
	for (i = 0; i < ks->nr; i++)
		ks->syms[i].name = ks->names + (uintptr_t)ks->syms[i].name;
	qsort(ks->syms, ks->nr, sizeof(*ks->syms), cmp_addr);
	return ks;
}

void ksyms_free(struct ksyms *ks)
{
	if (!ks)
		return;
	free(ks->syms);
	free(ks->names);
	free(ks);
}

const struct ksym *ksyms_find(const struct ksyms *ks, uint64_t addr)
{
	size_t lo = 0, hi = ks->nr;

	/* the last symbol at or below addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ks->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &ks->syms[lo - 1] : NULL;
}

int ksym_is(const char *sym, const char *func)
{
	size_t n = strlen(func);

	return !strncmp(sym, func, n) && (sym[n] == '\0' || sym[n] == '.');
}

const struct ksym *ksyms_func(const struct ksyms *ks, const char *func)
{
	const struct ksym *clone = NULL;
	size_t i;

	for (i = 0; i < ks->nr; i++) {
		const char *name = ks->syms[i].name;

		if (!ksym_is(name, func))
			continue;
		if (name[strlen(func)] == '\0')
			return &ks->syms[i];
		if (!strstr(name, ".cold") && !clone)
			clone = &ks->syms[i];
	}
	return clone;
}
