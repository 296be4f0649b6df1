// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <json-c/json.h>
#include "fuzz.h"
#include "kallsyms.h"
#include "record.h"

uint64_t fuzz_u64(struct fuzz_in *in, unsigned int bytes)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < bytes && in->n; i++, in->p++, in->n--)
		v |= (uint64_t)in->p[0] << (8 * i);
	return v;
}

size_t fuzz_take(struct fuzz_in *in, void *buf, size_t n)
{
	if (n > in->n)
		n = in->n;
	memcpy(buf, in->p, n);
	in->p += n;
	in->n -= n;
	return n;
}

size_t fuzz_str(struct fuzz_in *in, char *buf, size_t len)
{
	size_t n = fuzz_u64(in, 2) % len;

	n = fuzz_take(in, buf, n);
	buf[n] = '\0';
	/* the writers take C strings: what follows a NUL is not theirs */
	return strlen(buf);
}

int fuzz_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		unsigned char lo = 0x80, hi = 0xbf;
		size_t k, more;

		if (c < 0x80) {
			i++;
			continue;
		}
		/* RFC 3629 table 4: the second byte's range depends on the first */
		if (c >= 0xc2 && c <= 0xdf)
			more = 1;
		else if (c >= 0xe0 && c <= 0xef)
			more = 2, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
		else if (c >= 0xf0 && c <= 0xf4)
			more = 3, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
		else
			return 0;
		if (i + more >= n)
			return 0;
		for (k = 1; k <= more; k++) {
			unsigned char b = s[i + k];

			if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xbf))
				return 0;
		}
		i += more + 1;
	}
	return 1;
}

void fuzz_check_json_lines(const char *buf, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	const char *line = buf, *end = buf + len, *nl;

	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	if (len && buf[len - 1] != '\n') {
		fprintf(stderr, "fuzz: JSON output does not end a line\n");
		abort();
	}
	for (; line < end; line = nl + 1) {
		struct json_object *o;
		size_t n;

		nl = memchr(line, '\n', end - line);
		n = nl - line;
		json_tokener_reset(tok);
		o = json_tokener_parse_ex(tok, line, (int)n);
		if (!o || json_tokener_get_error(tok) != json_tokener_success ||
		    json_tokener_get_parse_end(tok) != n ||
		    !json_object_is_type(o, json_type_object)) {
			fprintf(stderr, "fuzz: not a JSON object (%s): %.*s\n",
				json_tokener_error_desc(json_tokener_get_error(tok)), (int)n, line);
			abort();
		}
		json_object_put(o);
	}
	json_tokener_free(tok);
}

/* The Prometheus text format, version 0.0.4, in the subset oomtrace writes:
 * no timestamps, no comments but HELP and TYPE, every family typed before
 * its samples and its samples together, no series twice. */
#define PROM_MAX_FAMILIES 64
#define PROM_MAX_LABELS 16

struct prom_family {
	char name[128];
	char type[16];
	int help, typed, samples, done;
	/* histogram: the last bucket's le and count, and the +Inf count */
	double last_le;
	double last_bucket;
	double inf;
	int have_inf;
};

struct prom_label {
	const char *name;
	size_t name_len;
	char value[16384];	/* a cgroup label is up to 3 * CGPATH_MAX */
};

struct prom {
	struct prom_family fam[PROM_MAX_FAMILIES];
	int nr_fam, cur;
	char **series;
	size_t nr_series;
};

static int is_name_start(char c, int colon)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (colon && c == ':');
}

static int is_name_char(char c, int colon)
{
	return is_name_start(c, colon) || (c >= '0' && c <= '9');
}

/* A metric (colon) or label name at *p: its length, 0 if none. */
static size_t name_len(const char *p, const char *end, int colon)
{
	size_t n = 0;

	if (p >= end || !is_name_start(*p, colon))
		return 0;
	while (p + n < end && is_name_char(p[n], colon))
		n++;
	return n;
}

/* A sample value as Go's strconv.ParseFloat takes it, without hex floats. */
static int parse_value(const char *p, size_t n, double *v)
{
	char buf[64], *e;
	size_t i = 0;

	if (n == 4 && (!memcmp(p, "+Inf", 4) || !memcmp(p, "-Inf", 4))) {
		*v = p[0] == '+' ? INFINITY : -INFINITY;
		return 0;
	}
	if (n == 3 && !memcmp(p, "NaN", 3)) {
		*v = NAN;
		return 0;
	}
	if (!n || n >= sizeof(buf))
		return -1;
	for (i = 0; i < n; i++)
		if (!strchr("0123456789.eE+-", p[i]))
			return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	*v = strtod(buf, &e);
	return *e ? -1 : 0;
}

static struct prom_family *family_of(struct prom *pr, const char *name, size_t n)
{
	int i;

	for (i = 0; i < pr->nr_fam; i++)
		if (strlen(pr->fam[i].name) == n && !memcmp(pr->fam[i].name, name, n))
			return &pr->fam[i];
	return NULL;
}

static int cmp_label(const void *a, const void *b)
{
	const struct prom_label *x = a, *y = b;
	size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
	int c = memcmp(x->name, y->name, n);

	return c ? c : (x->name_len > y->name_len) - (x->name_len < y->name_len);
}

static const char *prom_comment(struct prom *pr, const char *p, const char *end)
{
	struct prom_family *f;
	int help;
	size_t n;

	if (end - p > 7 && !memcmp(p, "# HELP ", 7))
		help = 1;
	else if (end - p > 7 && !memcmp(p, "# TYPE ", 7))
		help = 0;
	else
		return "a comment that is neither HELP nor TYPE";
	p += 7;
	n = name_len(p, end, 1);
	if (!n || n >= sizeof(pr->fam[0].name) || p + n >= end || p[n] != ' ')
		return "a bad metric name in HELP or TYPE";
	f = family_of(pr, p, n);
	if (!f) {
		if (pr->nr_fam == PROM_MAX_FAMILIES)
			return "too many families";
		f = &pr->fam[pr->nr_fam++];
		memcpy(f->name, p, n);
	}
	if (pr->cur >= 0 && &pr->fam[pr->cur] != f)
		pr->fam[pr->cur].done = 1;
	pr->cur = f - pr->fam;
	if (f->samples || f->done)
		return "HELP or TYPE after the family's samples";
	p += n + 1;
	if (help) {
		if (f->help++)
			return "HELP twice";
		for (; p < end; p++)
			if (*p == '\\' && (p + 1 == end || (p[1] != '\\' && p[1] != 'n')))
				return "a bad escape in HELP";
			else if (*p == '\\')
				p++;
		return NULL;
	}
	if (f->typed++)
		return "TYPE twice";
	n = end - p;
	if (n >= sizeof(f->type))
		return "an unknown TYPE";
	memcpy(f->type, p, n);
	if (strcmp(f->type, "counter") && strcmp(f->type, "gauge") &&
	    strcmp(f->type, "histogram") && strcmp(f->type, "summary") &&
	    strcmp(f->type, "untyped"))
		return "an unknown TYPE";
	return NULL;
}

static const char *prom_sample(struct prom *pr, const char *p, const char *end)
{
	static struct prom_label l[PROM_MAX_LABELS];
	const char *name = p, *suffix = "";
	struct prom_family *f;
	size_t n, nl = 0, i, keylen, namelen;
	double v, le = 0;
	int have_le = 0;
	char *key;

	n = namelen = name_len(p, end, 1);
	if (!n)
		return "a bad metric name";
	p += n;
	f = family_of(pr, name, n);
	if (!f || !f->typed) {
		static const char *const sfx[] = { "_bucket", "_sum", "_count" };

		for (i = 0; i < 3 && !f; i++) {
			size_t s = strlen(sfx[i]);

			if (n > s && !memcmp(name + n - s, sfx[i], s)) {
				f = family_of(pr, name, n - s);
				suffix = sfx[i];
			}
		}
		if (!f || (strcmp(f->type, "histogram") && strcmp(f->type, "summary")) ||
		    (!strcmp(f->type, "summary") && !strcmp(suffix, "_bucket")))
			return "a sample of no declared family";
	}
	if (!f->typed)
		return "a sample before its family's TYPE";
	if (pr->cur < 0 || &pr->fam[pr->cur] != f)
		return "a sample away from its family";
	f->samples++;

	if (p < end && *p == '{') {
		p++;
		while (p < end && *p != '}') {
			char *d;

			if (nl == PROM_MAX_LABELS)
				return "too many labels";
			n = name_len(p, end, 0);
			if (!n)
				return "a bad label name";
			if (n >= 2 && p[0] == '_' && p[1] == '_')
				return "a reserved label name";
			l[nl].name = p;
			l[nl].name_len = n;
			p += n;
			if (end - p < 2 || p[0] != '=' || p[1] != '"')
				return "a label without =\"";
			p += 2;
			d = l[nl].value;
			for (; p < end && *p != '"'; p++) {
				if (d - l[nl].value >= (long)sizeof(l[nl].value) - 2)
					return "a label value too long for the checker";
				if (*p != '\\') {
					*d++ = *p;
					continue;
				}
				if (++p == end)
					return "a label value ends in a backslash";
				if (*p == 'n')
					*d++ = '\n';
				else if (*p == '\\' || *p == '"')
					*d++ = *p;
				else
					return "a bad escape in a label value";
			}
			if (p == end)
				return "an unterminated label value";
			*d = '\0';
			if (!fuzz_utf8_valid(l[nl].value, d - l[nl].value))
				return "a label value that is not UTF-8";
			p++;
			nl++;
			if (p < end && *p == ',')
				p++;
			else if (p < end && *p != '}')
				return "labels not separated by a comma";
		}
		if (p == end)
			return "an unterminated label set";
		p++;
	}
	if (p == end || *p != ' ')
		return "no space before the value";
	p++;
	if (memchr(p, ' ', end - p))
		return "a timestamp or trailing text";
	if (parse_value(p, end - p, &v))
		return "a bad sample value";

	qsort(l, nl, sizeof(l[0]), cmp_label);
	for (i = 0; i + 1 < nl; i++)
		if (!cmp_label(&l[i], &l[i + 1]))
			return "a label twice";
	for (i = 0; i < nl; i++)
		if (l[i].name_len == 2 && !memcmp(l[i].name, "le", 2)) {
			if (parse_value(l[i].value, strlen(l[i].value), &le))
				return "a bad le";
			have_le = 1;
		}
	if (!strcmp(f->type, "counter") && !(v >= 0))
		return "a counter below zero";
	if (!strcmp(f->type, "histogram")) {
		if (!strcmp(suffix, "_bucket")) {
			if (!have_le)
				return "a bucket without le";
			if (f->last_bucket > v || (f->samples > 1 && le <= f->last_le))
				return "buckets not cumulative or not in le order";
			f->last_le = le;
			f->last_bucket = v;
			if (isinf(le)) {
				f->inf = v;
				f->have_inf = 1;
			}
		} else if (!strcmp(suffix, "_count")) {
			if (!f->have_inf || f->inf != v)
				return "_count differs from the +Inf bucket";
		} else if (strcmp(suffix, "_sum")) {
			return "a histogram sample of no histogram series";
		}
	}

	/* the series' identity: its name and its sorted label pairs */
	keylen = namelen;
	key = malloc(keylen + nl * (sizeof(l[0].value) + 64) + 1);
	if (!key)
		abort();
	memcpy(key, name, keylen);
	n = keylen;
	for (i = 0; i < nl; i++) {
		key[n++] = '\1';
		memcpy(key + n, l[i].name, l[i].name_len);
		n += l[i].name_len;
		key[n++] = '\2';
		memcpy(key + n, l[i].value, strlen(l[i].value));
		n += strlen(l[i].value);
	}
	key[n] = '\0';
	for (i = 0; i < pr->nr_series; i++) {
		if (!strcmp(pr->series[i], key)) {
			free(key);
			return "a series twice";
		}
	}
	pr->series = realloc(pr->series, (pr->nr_series + 1) * sizeof(*pr->series));
	if (!pr->series)
		abort();
	pr->series[pr->nr_series++] = key;
	return NULL;
}

const char *fuzz_prom_error(const char *buf, size_t len)
{
	static struct prom pr;
	const char *line = buf, *end = buf + len, *nl, *err = NULL;
	size_t i;

	for (i = 0; i < pr.nr_series; i++)
		free(pr.series[i]);
	free(pr.series);
	memset(&pr, 0, sizeof(pr));
	pr.cur = -1;
	if (!len || buf[len - 1] != '\n')
		return "the exposition does not end a line";
	if (memchr(buf, '\0', len))
		return "a NUL byte";
	if (!fuzz_utf8_valid(buf, len))
		return "not UTF-8";
	for (; !err && line < end; line = nl + 1) {
		nl = memchr(line, '\n', end - line);
		if (nl == line)
			err = "an empty line";
		else if (*line == '#')
			err = prom_comment(&pr, line, nl);
		else
			err = prom_sample(&pr, line, nl);
	}
	for (i = 0; !err && i < (size_t)pr.nr_fam; i++)
		if (!pr.fam[i].typed || !pr.fam[i].help)
			err = "a family without HELP or TYPE";
	return err;
}

void fuzz_check_prom(const char *buf, size_t len)
{
	const char *err = fuzz_prom_error(buf, len);

	if (err) {
		fprintf(stderr, "fuzz: invalid exposition: %s\n%.*s", err, (int)len, buf);
		abort();
	}
}

const struct ksyms *fuzz_ksyms(void)
{
	static const char *const names[FUZZ_NR_SYMS] = {
		"mark_oom_victim", "__oom_kill_process", "oom_kill_memcg_member",
		"mem_cgroup_out_of_memory", "out_of_memory", "oom_kill_process.constprop.0",
	};
	static struct ksyms *ks;
	char path[64];
	FILE *f;
	int fd, i;

	if (ks)
		return ks;
	fd = memfd_create("kallsyms", 0);
	if (fd < 0)
		abort();
	f = fdopen(fd, "w");
	for (i = 0; i < FUZZ_NR_SYMS; i++)
		fprintf(f, "%llx T %s\n", FUZZ_SYM_BASE + FUZZ_SYM_STEP * i, names[i]);
	fflush(f);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ks = ksyms_load(path);
	fclose(f);
	if (!ks)
		abort();
	return ks;
}

void fuzz_buf_open(struct fuzz_buf *b)
{
	b->s = NULL;
	b->len = 0;
	b->f = open_memstream(&b->s, &b->len);
	if (!b->f)
		abort();
}

void fuzz_buf_close(struct fuzz_buf *b)
{
	fclose(b->f);
	b->f = NULL;
}

void fuzz_buf_free(struct fuzz_buf *b)
{
	free(b->s);
	b->s = NULL;
}

static void fuzz_task(struct fuzz_in *in, struct record_task *t)
{
	t->pid = fuzz_u64(in, 4);
	t->tid = fuzz_u64(in, 4);
	t->uid = fuzz_u64(in, 4);
	t->oom_score_adj = fuzz_u64(in, 4);
	fuzz_str(in, t->comm, sizeof(t->comm));
	fuzz_str(in, t->memcg, sizeof(t->memcg));
}

static void fuzz_identity(struct fuzz_in *in, struct container_id *id)
{
	id->runtime = fuzz_u64(in, 1) % (CTR_LXC + 1);
	id->qos = fuzz_u64(in, 1) % (POD_QOS_BESTEFFORT + 1);
	fuzz_str(in, id->container_id, sizeof(id->container_id));
	fuzz_str(in, id->pod_uid, sizeof(id->pod_uid));
	fuzz_str(in, id->unit, sizeof(id->unit));
}

void fuzz_record(struct fuzz_in *in, struct oom_record *r)
{
	unsigned int i;

	memset(r, 0, sizeof(*r));
	r->seq = fuzz_u64(in, 8);
	r->episode = fuzz_u64(in, 1);
	r->time_ns = fuzz_u64(in, 8);
	r->mode = MODE_FENTRY + fuzz_u64(in, 1) % 3;
	r->unknown = fuzz_u64(in, 4) & (RF_BIT(NR_RECORD_FIELDS) - 1);
	r->outcome = fuzz_u64(in, 1) % 2;
	r->constraint = fuzz_u64(in, 1) % (CONSTRAINT_GLOBAL + 1);
	fuzz_str(in, r->message, sizeof(r->message));
	r->gfp_mask = fuzz_u64(in, 4);
	fuzz_str(in, r->gfp_flags, sizeof(r->gfp_flags));
	r->order = fuzz_u64(in, 4);
	r->totalpages = fuzz_u64(in, 8);
	fuzz_str(in, r->oom_memcg, sizeof(r->oom_memcg));
	r->duration_us = fuzz_u64(in, 8);
	fuzz_task(in, &r->trigger);
	fuzz_task(in, &r->victim);
	fuzz_identity(in, &r->victim_id);
	fuzz_identity(in, &r->oom_memcg_id);
	r->points = fuzz_u64(in, 8);
	r->oom_score = fuzz_u64(in, 8);
	r->total_vm_kb = fuzz_u64(in, 8);
	r->anon_rss_kb = fuzz_u64(in, 8);
	r->file_rss_kb = fuzz_u64(in, 8);
	r->shmem_rss_kb = fuzz_u64(in, 8);
	r->swap_kb = fuzz_u64(in, 8);
	r->pgtables_kb = fuzz_u64(in, 8);
	r->nr_frames = fuzz_u64(in, 1) % (OOMTRACE_STACK_DEPTH + 1);
	for (i = 0; i < r->nr_frames; i++) {
		const struct ksym *sym;

		r->frames[i].addr = FUZZ_SYM_BASE + fuzz_u64(in, 2);
		sym = ksyms_find(fuzz_ksyms(), r->frames[i].addr);
		r->frames[i].sym = sym ? sym->name : NULL;
		r->frames[i].offset = sym ? r->frames[i].addr - sym->addr : 0;
	}
}
