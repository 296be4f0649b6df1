// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON writer: byte 0 picks what is written.
 *   even: a record (sink_json_line) from arbitrary fields;
 *   odd:  jw_* calls nested as the writer allows (JW_MAX_DEPTH), with
 *         arbitrary keys and strings; a string of valid UTF-8 must read
 *         back as itself.
 * Every line must parse back (json-c, strict, UTF-8 validated).
 */
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "fuzz.h"
#include "json.h"
#include "record.h"
#include "sink.h"

#define STR_MAX 512

/* jw_str(key, s) alone in an object reads back as s. */
static void round_trip(const char *s)
{
	struct json_object *o, *v;
	struct fuzz_buf b;
	struct jw j;

	fuzz_buf_open(&b);
	jw_begin(&j, b.f);
	jw_str(&j, s, s);
	jw_end(&j);
	fuzz_buf_close(&b);
	fuzz_check_json_lines(b.s, b.len);
	if (fuzz_utf8_valid(s, strlen(s))) {
		o = json_tokener_parse(b.s);
		if (!o || !json_object_object_get_ex(o, s, &v) ||
		    strcmp(json_object_get_string(v), s))
			abort();
		json_object_put(o);
	}
	fuzz_buf_free(&b);
}

static void calls(struct fuzz_in *in, FILE *f)
{
	char key[STR_MAX], s[STR_MAX];
	int arr[JW_MAX_DEPTH] = { 0 };
	int depth = 0;
	struct jw j;

	jw_begin(&j, f);
	while (in->n) {
		unsigned int op = fuzz_u64(in, 1);
		const char *k = key;
		size_t n;

		if (arr[depth])
			k = NULL;	/* array members have no key */
		else
			fuzz_str(in, key, sizeof(key));
		switch (op % 9) {
		case 0:
			fuzz_str(in, s, sizeof(s));
			jw_str(&j, k, op & 0x80 ? NULL : s);
			break;
		case 1:
			n = fuzz_take(in, s, fuzz_u64(in, 1) % sizeof(s));
			jw_strn(&j, k, s, n);
			break;
		case 2:
			jw_u64(&j, k, fuzz_u64(in, 8));
			break;
		case 3:
			jw_s64(&j, k, fuzz_u64(in, 8));
			break;
		case 4:
			jw_bool(&j, k, op & 0x80);
			break;
		case 5:
			jw_null(&j, k);
			break;
		case 6:
		case 7:
			/* the writer nests JW_MAX_DEPTH levels, the top object the first */
			if (depth + 2 >= JW_MAX_DEPTH)
				break;
			arr[++depth] = op % 9 == 7;
			if (arr[depth])
				jw_arr_open(&j, k);
			else
				jw_obj_open(&j, k);
			break;
		case 8:
			if (!depth)
				break;
			if (arr[depth--])
				jw_arr_close(&j);
			else
				jw_obj_close(&j);
			break;
		}
	}
	while (depth)
		if (arr[depth--])
			jw_arr_close(&j);
		else
			jw_obj_close(&j);
	jw_end(&j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct oom_record r;
	struct fuzz_in in = { data, size };
	char s[STR_MAX];
	struct fuzz_buf b;

	fuzz_buf_open(&b);
	if (fuzz_u64(&in, 1) & 1) {
		fuzz_str(&in, s, sizeof(s));
		round_trip(s);
		calls(&in, b.f);
	} else {
		fuzz_record(&in, &r);
		sink_json_line(b.f, &r);
	}
	fuzz_buf_close(&b);
	fuzz_check_json_lines(b.s, b.len);
	fuzz_buf_free(&b);
	return 0;
}
