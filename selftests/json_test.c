// SPDX-License-Identifier: GPL-2.0
/* JSON string escaping: what the kernel hands us (comm, cgroup names) is
 * arbitrary bytes; every line we write must stay one valid JSON value that
 * json-c decodes back to the intended text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "kselftest_harness.h"
#include "json.h"

static char *escape(const char *s, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	jw_string(f, s, n);
	fclose(f);
	return buf;
}

/* Escape, check the exact text, and check a real parser reads back want. */
static void check(struct __test_metadata *_metadata, const char *in, size_t n,
		  const char *text, const char *want)
{
	char *out = escape(in, n);
	struct json_object *o = json_tokener_parse(out);

	EXPECT_STREQ(text, out);
	ASSERT_NE(NULL, o) TH_LOG("json-c rejected %s", out);
	EXPECT_STREQ(want, json_object_get_string(o));
	json_object_put(o);
	free(out);
}

TEST(plain)
{
	check(_metadata, "bash", 16, "\"bash\"", "bash");
}

TEST(quotes_and_backslashes)
{
	check(_metadata, "a \"b\" c\\d", 16, "\"a \\\"b\\\" c\\\\d\"", "a \"b\" c\\d");
}

TEST(control_bytes)
{
	check(_metadata, "t\ta\nb\x01\x1f\x7f", 16, "\"t\\ta\\nb\\u0001\\u001f\\u007f\"",
	      "t\ta\nb\x01\x1f\x7f");
}

TEST(valid_utf8_passes_through)
{
	check(_metadata, "caf\xc3\xa9-\xe2\x82\xac", 16, "\"caf\xc3\xa9-\xe2\x82\xac\"",
	      "caf\xc3\xa9-\xe2\x82\xac");
}

TEST(invalid_utf8_becomes_replacement)
{
	/* a lone continuation byte, a Latin-1 byte, an overlong '/', a surrogate */
	check(_metadata, "a\x80" "b\xe9" "c\xc0\xaf" "d\xed\xa0\x80", 32,
	      "\"a\\ufffdb\\ufffdc\\ufffd\\ufffdd\\ufffd\\ufffd\\ufffd\"",
	      "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd\xef\xbf\xbd"
	      "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

TEST(truncated_sequence_at_the_end)
{
	/* comm is cut at 15 bytes by the kernel: a sequence may be split */
	check(_metadata, "abc\xe2\x82", 5, "\"abc\\ufffd\\ufffd\"",
	      "abc\xef\xbf\xbd\xef\xbf\xbd");
}

TEST(stops_at_nul_or_length)
{
	check(_metadata, "abc\0def", 16, "\"abc\"", "abc");
	check(_metadata, "abcdef", 3, "\"abc\"", "abc");
}

TEST(writer_builds_valid_objects)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json_object *o, *v;
	struct jw j;

	jw_begin(&j, f);
	jw_str(&j, "type", "oom_kill");
	jw_u64(&j, "big", 18446744073709551615ULL);
	jw_s64(&j, "neg", -1000);
	jw_null(&j, "none");
	jw_arr_open(&j, "missing");
	jw_str(&j, NULL, "a");
	jw_str(&j, NULL, "b");
	jw_arr_close(&j);
	jw_obj_open(&j, "victim");
	jw_bool(&j, "ok", 1);
	jw_obj_close(&j);
	jw_end(&j);
	fclose(f);

	ASSERT_EQ('\n', buf[len - 1]);
	o = json_tokener_parse(buf);
	ASSERT_NE(NULL, o) TH_LOG("invalid: %s", buf);
	ASSERT_TRUE(json_object_object_get_ex(o, "missing", &v));
	EXPECT_EQ(2, json_object_array_length(v));
	ASSERT_TRUE(json_object_object_get_ex(o, "neg", &v));
	EXPECT_EQ(-1000, json_object_get_int(v));
	ASSERT_TRUE(json_object_object_get_ex(o, "none", &v));
	EXPECT_EQ(NULL, v);
	json_object_put(o);
	free(buf);
}

TEST_HARNESS_MAIN
