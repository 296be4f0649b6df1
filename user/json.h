/* SPDX-License-Identifier: GPL-2.0 */
/* A small streaming JSON writer: one object per line, commas tracked for us. */
#ifndef __JSON_H
#define __JSON_H

#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#define JW_MAX_DEPTH 8

struct jw {
	FILE *f;
	int depth;
	int need_comma[JW_MAX_DEPTH];
};

void jw_begin(struct jw *j, FILE *f);	/* opens the top-level object */
void jw_end(struct jw *j);			/* closes it and ends the line */
void jw_key(struct jw *j, const char *key);
void jw_obj_open(struct jw *j, const char *key);
void jw_obj_close(struct jw *j);
void jw_arr_open(struct jw *j, const char *key);
void jw_arr_close(struct jw *j);
void jw_str(struct jw *j, const char *key, const char *s);
void jw_strn(struct jw *j, const char *key, const char *s, size_t n);
void jw_u64(struct jw *j, const char *key, uint64_t v);
void jw_s64(struct jw *j, const char *key, int64_t v);
/* hundredths as a number with two decimals: 1234 -> 12.34 */
void jw_centi(struct jw *j, const char *key, uint64_t v);
void jw_bool(struct jw *j, const char *key, int v);
void jw_null(struct jw *j, const char *key);

/*
 * Write s (at most n bytes, stopping at NUL) as a quoted JSON string.
 * Control bytes are escaped; bytes that are not valid UTF-8 (comm and
 * cgroup names are arbitrary bytes) become U+FFFD, so the line stays valid.
 */
void jw_string(FILE *f, const char *s, size_t n);

#endif /* __JSON_H */
