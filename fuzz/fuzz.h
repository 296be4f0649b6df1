/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the libFuzzer targets share: reading the input, the oracles that
 * decide whether an output is valid (JSON lines, Prometheus exposition) and
 * a small kallsyms. An oracle that fails aborts, which libFuzzer reports as
 * a crash with the input that made it.
 */
#ifndef __FUZZ_H
#define __FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

/* Fixed-width reads: what the input lacks reads as zeros. */
uint64_t fuzz_u64(struct fuzz_in *in, unsigned int bytes);
/* Up to len - 1 bytes into a NUL-terminated buf, its length first. */
size_t fuzz_str(struct fuzz_in *in, char *buf, size_t len);
/* Up to n bytes, at most what is left; returns how many. */
size_t fuzz_take(struct fuzz_in *in, void *buf, size_t n);

/* Independent of user/utf8.c: is s[0..n) valid UTF-8 (RFC 3629)? */
int fuzz_utf8_valid(const char *s, size_t n);

/* Every line of buf parses as a JSON object (json-c, strict, UTF-8). */
void fuzz_check_json_lines(const char *buf, size_t len);

/*
 * buf is a valid Prometheus text exposition (format 0.0.4) in the strict
 * subset oomtrace writes: NULL, or what is wrong (static storage).
 */
const char *fuzz_prom_error(const char *buf, size_t len);
void fuzz_check_prom(const char *buf, size_t len);

/* A kallsyms holding the functions record.c looks for, at FUZZ_SYM_BASE +
 * FUZZ_SYM_STEP * i for i in 0..FUZZ_NR_SYMS. */
#define FUZZ_SYM_BASE 0xffffffff81000000ULL
#define FUZZ_SYM_STEP 0x100
#define FUZZ_NR_SYMS 6
struct ksyms;
const struct ksyms *fuzz_ksyms(void);

/* A finished record as record_build() could make it: enums in range,
 * strings NUL-terminated in their arrays, every other byte arbitrary. */
struct oom_record;
void fuzz_record(struct fuzz_in *in, struct oom_record *r);

/* Memory streams the targets write to. */
struct fuzz_buf {
	char *s;
	size_t len;
	FILE *f;
};
void fuzz_buf_open(struct fuzz_buf *b);
void fuzz_buf_close(struct fuzz_buf *b);	/* b->s, b->len valid until freed */
void fuzz_buf_free(struct fuzz_buf *b);

#endif /* __FUZZ_H */
