// SPDX-License-Identifier: GPL-2.0
/*
 * `oomtrace stats`: read the oomtrace kernel module's debugfs files.
 * Every data line there is space-separated key=value fields (kmod_fields.h);
 * "-" means the module could not know the value (no kprobes).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "json.h"
#include "kmod_fields.h"
#include "stats.h"

#define MAX_LINE 4096

static const char not_loaded[] =
	"the oomtrace kernel module is not loaded (no " STATS_DIR "); "
	"build it with 'make kmod' and insmod kmod/oomtrace.ko";

static FILE *open_file(const char *name)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), STATS_DIR "/%s", name);
	f = fopen(path, "r");
	if (!f)
		fprintf(stderr, "oomtrace: failed to read %s: %s\n", path, strerror(errno));
	return f;
}

static int is_integer(const char *s)
{
	if (*s == '-')
		s++;
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* One value: null for "-", a number for integers, else a string. */
static void json_value(struct jw *j, const char *key, char *val)
{
	if (kmod_field_unknown(val))
		jw_null(j, key);
	else if (is_integer(val) && val[0] == '-')
		jw_s64(j, key, strtoll(val, NULL, 10));
	else if (is_integer(val))
		jw_u64(j, key, strtoull(val, NULL, 10));
	else
		jw_str(j, key, val);
}

static void json_stats(struct jw *j, FILE *f)
{
	char line[MAX_LINE];
	struct kmod_field k;

	jw_obj_open(j, "stats");
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || kmod_fields_split(line, &k, 1) != 1)
			continue;
		if (!strcmp(k.key, "probes")) {
			char *p, *save = NULL;

			jw_arr_open(j, "probes");
			for (p = strtok_r(k.val, ",", &save); p; p = strtok_r(NULL, ",", &save))
				jw_str(j, NULL, p);
			jw_arr_close(j);
		} else {
			json_value(j, k.key, k.val);
		}
	}
	jw_obj_close(j);
}

static void json_victims(struct jw *j, FILE *f)
{
	char line[MAX_LINE];
	struct kmod_field k[32];
	int i, n;

	jw_arr_open(j, "victims");
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		n = kmod_fields_split(line, k, 32);
		if (!n)
			continue;
		jw_obj_open(j, NULL);
		for (i = 0; i < n; i++) {
			/* names and the wall-clock time stay strings */
			if (!strcmp(k[i].key, "comm") || !strcmp(k[i].key, "memcg") ||
			    !strcmp(k[i].key, "time"))
				jw_str(j, k[i].key, k[i].val);
			else
				json_value(j, k[i].key, k[i].val);
		}
		jw_obj_close(j);
	}
	jw_arr_close(j);
}

/*
 * "hist=NAME total=N" opens a histogram, "hist=NAME lo=A hi=B count=C"
 * lines are its buckets: {"NAME":{"total":N,"buckets":[{...}]}}.
 */
static void json_latency(struct jw *j, FILE *f)
{
	char line[MAX_LINE], cur[128] = "";
	struct kmod_field k[8];
	int i, n;

	jw_obj_open(j, "latency");
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		n = kmod_fields_split(line, k, 8);
		if (n < 2 || strcmp(k[0].key, "hist"))
			continue;
		if (!strcmp(k[1].key, "total")) {
			if (cur[0]) {
				jw_arr_close(j);
				jw_obj_close(j);
			}
			snprintf(cur, sizeof(cur), "%s", k[0].val);
			jw_obj_open(j, cur);
			json_value(j, "total", k[1].val);
			jw_arr_open(j, "buckets");
			continue;
		}
		if (!cur[0] || strcmp(cur, k[0].val))
			continue;
		jw_obj_open(j, NULL);
		for (i = 1; i < n; i++)
			json_value(j, k[i].key, k[i].val);
		jw_obj_close(j);
	}
	if (cur[0]) {
		jw_arr_close(j);
		jw_obj_close(j);
	}
	jw_obj_close(j);
}

static void text_copy(const char *title, FILE *f)
{
	char line[MAX_LINE];

	printf("%s%s:\n", strcmp(title, "stats") ? "\n" : "", title);
	while (fgets(line, sizeof(line), f))
		fputs(line, stdout);
}

int stats_run(int json)
{
	static const char *const names[] = { "stats", "victims", "latency" };
	FILE *f[3] = { NULL, NULL, NULL };
	int i, err = 1;
	struct jw j;

	if (access(STATS_DIR, F_OK)) {
		const char *why = errno == EACCES ? "failed to read " STATS_DIR ": need root" :
						    not_loaded;

		fprintf(stderr, "oomtrace: %s\n", why);
		if (json) {
			jw_begin(&j, stdout);
			jw_bool(&j, "loaded", 0);
			jw_str(&j, "error", why);
			jw_end(&j);
		}
		return 1;
	}
	/* All three open before any output: no half report. */
	for (i = 0; i < 3; i++) {
		f[i] = open_file(names[i]);
		if (!f[i])
			goto close_files;
	}
	if (json) {
		jw_begin(&j, stdout);
		jw_bool(&j, "loaded", 1);
		json_stats(&j, f[0]);
		json_victims(&j, f[1]);
		json_latency(&j, f[2]);
		jw_end(&j);
	} else {
		for (i = 0; i < 3; i++)
			text_copy(names[i], f[i]);
	}
	fflush(stdout);
	err = 0;
close_files:
	for (i = 0; i < 3; i++)
		if (f[i])
			fclose(f[i]);
	return err;
}
