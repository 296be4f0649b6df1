/* SPDX-License-Identifier: GPL-2.0 */
/* The output formats: readable text, or JSON lines (schema: README.md). */
#ifndef __OUTPUT_H
#define __OUTPUT_H

#include <stdio.h>
#include <stdint.h>
#include "event.h"

#define OOMTRACE_SCHEMA_VERSION 1

struct ksyms;
struct gfp_table;

struct output {
	FILE *f;
	int json;
	const struct ksyms *ks;		/* NULL: stacks print as addresses */
	const struct gfp_table *gfp;
	int64_t boot_to_unix_ns;
	unsigned int page_kb;
};

struct summary {
	enum oom_mode mode;
	uint64_t records;		/* printed */
	uint64_t filtered;		/* assembled but filtered out */
	uint64_t lost;			/* failed ring-buffer reserves */
	uint64_t episodes;
	uint64_t no_victim;
	uint64_t incomplete;
};

void output_event(const struct output *o, const struct oom_event *ev);
/* count new losses, total since start, at boot-clock time now_ns */
void output_lost(const struct output *o, uint64_t count, uint64_t total,
		 uint64_t now_ns);
/* JSON mode streams the summary as a record; text mode writes it to stderr. */
void output_summary(const struct output *o, const struct summary *s);

/* Shared by the formats. */
void output_time(const struct output *o, uint64_t boot_ns, char *buf, size_t len);
void output_ksym(const struct output *o, uint64_t addr, char *buf, size_t len);
/* How many leading stack frames are the tracing machinery, not the kernel's path. */
int output_stack_skip(const struct output *o, const struct oomtrace_victim_rec *r);

void output_json_event(const struct output *o, const struct oom_event *ev);
void output_text_event(const struct output *o, const struct oom_event *ev);
void output_json_lost(const struct output *o, uint64_t count, uint64_t total,
		      uint64_t now_ns);
void output_json_summary(const struct output *o, const struct summary *s);

#endif /* __OUTPUT_H */
