// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "json.h"
#include "utf8.h"

void jw_string(FILE *f, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, len;

	fputc('"', f);
	while (i < n && s[i]) {
		unsigned char c = s[i];

		switch (c) {
		case '"':  fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		default:
			if (c < 0x20 || c == 0x7f) {
				fprintf(f, "\\u%04x", c);
				break;
			}
			len = utf8_seq_len(s + i, strnlen(str + i, n - i));
			if (!len) {
				fputs("\\ufffd", f);
				break;
			}
			fwrite(s + i, 1, len, f);
			i += len;
			continue;
		}
		i++;
	}
	fputc('"', f);
}

static void sep(struct jw *j)
{
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	j->need_comma[j->depth] = 1;
}

void jw_key(struct jw *j, const char *key)
{
	sep(j);
	if (key) {
		jw_string(j->f, key, strlen(key));
		fputc(':', j->f);
	}
}

static void push(struct jw *j, const char *key, char c)
{
	jw_key(j, key);
	fputc(c, j->f);
	if (j->depth < JW_MAX_DEPTH - 1)
		j->depth++;
	j->need_comma[j->depth] = 0;
}

static void pop(struct jw *j, char c)
{
	fputc(c, j->f);
	if (j->depth > 0)
		j->depth--;
}

void jw_begin(struct jw *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->need_comma[0] = 0;
	push(j, NULL, '{');
}

void jw_end(struct jw *j)
{
	pop(j, '}');
	fputc('\n', j->f);
}

void jw_obj_open(struct jw *j, const char *key)  { push(j, key, '{'); }
void jw_obj_close(struct jw *j)                  { pop(j, '}'); }
void jw_arr_open(struct jw *j, const char *key)  { push(j, key, '['); }
void jw_arr_close(struct jw *j)                  { pop(j, ']'); }

void jw_strn(struct jw *j, const char *key, const char *s, size_t n)
{
	jw_key(j, key);
	jw_string(j->f, s, n);
}

void jw_str(struct jw *j, const char *key, const char *s)
{
	if (!s) {
		jw_null(j, key);
		return;
	}
	jw_strn(j, key, s, strlen(s));
}

void jw_u64(struct jw *j, const char *key, uint64_t v)
{
	jw_key(j, key);
	fprintf(j->f, "%llu", (unsigned long long)v);
}

void jw_s64(struct jw *j, const char *key, int64_t v)
{
	jw_key(j, key);
	fprintf(j->f, "%lld", (long long)v);
}

void jw_centi(struct jw *j, const char *key, uint64_t v)
{
	jw_key(j, key);
	fprintf(j->f, "%llu.%02llu", (unsigned long long)(v / 100),
		(unsigned long long)(v % 100));
}

void jw_null(struct jw *j, const char *key)
{
	jw_key(j, key);
	fputs("null", j->f);
}

void jw_bool(struct jw *j, const char *key, int v)
{
	jw_key(j, key);
	fputs(v ? "true" : "false", j->f);
}
