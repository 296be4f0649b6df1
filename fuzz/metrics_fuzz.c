// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus writer: records with arbitrary identities and values fed
 * to metrics_record() over time, then metrics_write(), whose output must
 * be a valid exposition (fuzz_prom_error()). With FUZZ_PROM_OUT=DIR each
 * output is also saved there, for `promtool check metrics` (make fuzz).
 */
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "metrics.h"

static void save(const char *dir, const uint8_t *data, size_t size,
		 const char *s, size_t len)
{
	unsigned long long h = 14695981039346656037ULL;	/* FNV-1a */
	char path[4096];
	size_t i;
	FILE *f;

	for (i = 0; i < size; i++)
		h = (h ^ data[i]) * 1099511628211ULL;
	snprintf(path, sizeof(path), "%s/%016llx.prom", dir, h);
	f = fopen(path, "w");
	if (!f)
		return;
	fwrite(s, 1, len, f);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char version[64], mode[64], kernel[64];
	static struct oom_record r;
	struct fuzz_in in = { data, size };
	struct metrics_config cfg = {};
	struct trace_summary sum = {};
	const char *dir = getenv("FUZZ_PROM_OUT");
	struct fuzz_buf b;
	struct metrics *m;
	__u64 now = 0;
	long kernel_kills;

	cfg.max_series = fuzz_u64(&in, 1) % 9;
	cfg.series_ttl_ns = fuzz_u64(&in, 4);
	fuzz_str(&in, version, sizeof(version));
	fuzz_str(&in, mode, sizeof(mode));
	fuzz_str(&in, kernel, sizeof(kernel));
	cfg.version = version;
	cfg.mode = mode;
	cfg.kernel = kernel;
	kernel_kills = (long)fuzz_u64(&in, 8);
	sum.no_victim = fuzz_u64(&in, 8);
	sum.lost_ring = fuzz_u64(&in, 8);
	sum.lost_nomem = fuzz_u64(&in, 8);
	m = metrics_new(&cfg);
	if (!m)
		abort();
	metrics_totals(m, &sum);
	while (in.n) {
		now += fuzz_u64(&in, 4);
		fuzz_record(&in, &r);
		metrics_record(m, &r, now);
	}
	fuzz_buf_open(&b);
	metrics_write(m, b.f, kernel_kills, now);
	fuzz_buf_close(&b);
	if (dir)
		save(dir, data, size, b.s, b.len);
	fuzz_check_prom(b.s, b.len);
	fuzz_buf_free(&b);
	metrics_free(m);
	return 0;
}
