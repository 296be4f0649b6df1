// SPDX-License-Identifier: GPL-2.0
/*
 * Ring-buffer bytes as trace.c's handle() gets them, through episode
 * assembly and the record model, to every sink: the JSON lines must parse
 * back, the metrics must be a valid exposition, and nothing may read past
 * a record. The input is a list of operations:
 *   byte 0: the mode (low bits), with kallsyms (0x80)
 *   then, per operation, one byte:
 *     %4 == 0: a raw sample: 2 bytes of size, then its bytes
 *     %4 == 1: a victim record (a reap record with bit 3): its header's
 *              type and size set, 1 byte of extra size, then its bytes after
 *              the type and size
 *     %4 == 2: the same for an end record
 *     %4 == 3: time passes (4 bytes of ns), then a flush: of everything,
 *              or of what is older than trace.c's limit (bit 2)
 * Bytes the input lacks read as zeros.
 */
#include <stdlib.h>
#include <string.h>
#include "episode.h"
#include "followup.h"
#include "fuzz.h"
#include "gfp.h"
#include "metrics.h"
#include "route.h"
#include "sink.h"

#define MAX_AGE_NS (30ULL * 1000 * 1000 * 1000)

struct ctx {
	struct fuzz_buf json, text;
	struct sink *text_sink;
	struct metrics *m;
	struct episodes *e;
	struct followups *fu;
	const struct record_env *env;
	__u64 now;
};

static void emit(const struct oom_record *r, void *arg)
{
	struct ctx *c = arg;

	sink_json_line(c->json.f, r);
	sink_text.record(c->text_sink, r);
	metrics_record(c->m, r, c->now);
	/* as if a filter took every other one */
	followups_decided(c->fu, r->seq, r->seq & 1);
}

static void emit_reap(const struct oomtrace_reap_rec *raw, void *arg)
{
	struct ctx *c = arg;
	struct reap_record r;

	reap_build(&r, c->env, raw);
	sink_json_reap_line(c->json.f, &r);
	sink_text.reap(c->text_sink, &r);
}

/* A sample in memory of exactly its size, so ASan sees any read past it;
 * malloc's alignment is the ring buffer's. */
static void add(struct ctx *c, struct fuzz_in *in, size_t size, __u32 type)
{
	struct oomtrace_hdr *hdr;
	size_t off = 0;
	void *buf;

	buf = calloc(1, size ? size : 1);
	if (!buf)
		abort();
	hdr = buf;
	if (type && size >= sizeof(*hdr)) {
		hdr->type = type;
		hdr->size = size;
		off = 2 * sizeof(__u32);
	}
	fuzz_take(in, (char *)buf + off, size - off);
	route_sample(c->e, c->fu, buf, size, c->now);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct metrics_config mcfg = {
		.max_series = 4, .series_ttl_ns = MAX_AGE_NS,
		.version = "fuzz", .mode = "fentry", .kernel = "6.1",
	};
	static struct gfp_table gfp;
	struct fuzz_in in = { data, size };
	struct sink_config scfg = {};
	struct record_env env = {};
	struct ctx c = { .env = &env };
	unsigned int first;
	struct fuzz_buf prom;

	if (!gfp.nr)
		gfp_table_init(&gfp, NULL);
	first = fuzz_u64(&in, 1);
	env.ks = first & 0x80 ? fuzz_ksyms() : NULL;
	env.kill_frame = !!env.ks;
	env.gfp = first & 0x40 ? &gfp : NULL;
	env.page_kb = 4;
	/* a real offset: the wall clock is boot time plus this */
	env.boot_to_unix_ns = 1700000000LL * 1000000000LL;

	fuzz_buf_open(&c.json);
	fuzz_buf_open(&c.text);
	scfg.f = c.text.f;
	c.text_sink = sink_text.open(&scfg);
	c.m = metrics_new(&mcfg);
	c.e = episodes_new(MODE_FENTRY + first % 3, &env, emit, &c);
	c.fu = followups_new(emit_reap, &c);
	if (!c.text_sink || !c.m || !c.e || !c.fu)
		abort();

	while (in.n) {
		unsigned int op = fuzz_u64(&in, 1);

		switch (op % 4) {
		case 0:
			add(&c, &in, fuzz_u64(&in, 2), 0);
			break;
		case 1:
			if (op & 8)
				add(&c, &in, sizeof(struct oomtrace_reap_rec) + fuzz_u64(&in, 1),
				    OOMTRACE_REC_REAP);
			else
				add(&c, &in, sizeof(struct oomtrace_victim_rec) + fuzz_u64(&in, 1),
				    OOMTRACE_REC_VICTIM);
			break;
		case 2:
			add(&c, &in, sizeof(struct oomtrace_end_rec) + fuzz_u64(&in, 1),
			    OOMTRACE_REC_END);
			break;
		case 3:
			c.now += fuzz_u64(&in, 4);
			episodes_flush(c.e, c.now, op & 4 ? MAX_AGE_NS : 0);
			followups_flush(c.fu, c.now, op & 4 ? MAX_AGE_NS : 0);
			break;
		}
	}
	episodes_flush(c.e, c.now, 0);
	followups_flush(c.fu, c.now, 0);
	followups_free(c.fu);
	episodes_free(c.e);
	sink_text.close(c.text_sink);

	fuzz_buf_close(&c.json);
	fuzz_buf_close(&c.text);
	fuzz_check_json_lines(c.json.s, c.json.len);
	fuzz_buf_open(&prom);
	metrics_write(c.m, prom.f, 1, c.now);
	fuzz_buf_close(&prom);
	fuzz_check_prom(prom.s, prom.len);
	fuzz_buf_free(&prom);
	fuzz_buf_free(&c.json);
	fuzz_buf_free(&c.text);
	metrics_free(c.m);
	return 0;
}
