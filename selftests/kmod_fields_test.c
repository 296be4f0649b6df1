// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel module's debugfs lines, split and unescaped one way for both
 * `oomtrace stats` and kmod_test: well-formed lines, and what a truncated
 * read or a bug in the module could hand us.
 */
#include <string.h>
#include "kselftest_harness.h"
#include "kmod_fields.h"

/* Unescape a copy of in; the result must be want. */
#define EXPECT_UNESCAPED(want, in) do { \
	char buf[64]; \
	snprintf(buf, sizeof(buf), "%s", in); \
	kmod_unescape(buf); \
	EXPECT_STREQ(want, buf) TH_LOG("from \"%s\"", in); \
} while (0)

TEST(victims_line)
{
	char line[] = "mono_ns=12 pid=7 comm=kmod\\040hog\\040b uid=65534 "
		      "memcg=/a\\134b\\011c points=- total_vm=1024\n";
	struct kmod_field f[16];

	ASSERT_EQ(7, kmod_fields_split(line, f, 16));
	EXPECT_STREQ("mono_ns", f[0].key);
	EXPECT_STREQ("12", f[0].val);
	EXPECT_STREQ("kmod hog b", kmod_field(f, 7, "comm"));
	EXPECT_STREQ("/a\\b\tc", kmod_field(f, 7, "memcg"));
	EXPECT_TRUE(kmod_field_unknown(kmod_field(f, 7, "points")));
	EXPECT_STREQ("1024", kmod_field(f, 7, "total_vm"));
	EXPECT_EQ(NULL, kmod_field(f, 7, "absent"));
}

TEST(unknown_is_exactly_a_dash)
{
	EXPECT_TRUE(kmod_field_unknown("-"));
	EXPECT_FALSE(kmod_field_unknown("-1"));
	EXPECT_FALSE(kmod_field_unknown("--"));
	EXPECT_FALSE(kmod_field_unknown(""));
}

TEST(only_whole_octal_escapes)
{
	EXPECT_UNESCAPED("a b", "a\\040b");
	EXPECT_UNESCAPED("\xff", "\\377");
	/* truncated, at the end of the value */
	EXPECT_UNESCAPED("ab\\04", "ab\\04");
	EXPECT_UNESCAPED("ab\\0", "ab\\0");
	EXPECT_UNESCAPED("ab\\", "ab\\");
	EXPECT_UNESCAPED("\\", "\\");
	/* not octal, or not a byte, or NUL, which would cut the value */
	EXPECT_UNESCAPED("\\08x", "\\08x");
	EXPECT_UNESCAPED("\\400", "\\400");
	EXPECT_UNESCAPED("\\000", "\\000");
	EXPECT_UNESCAPED("\\x41", "\\x41");
	/* one pass: an escaped backslash does not start another escape */
	EXPECT_UNESCAPED("a\\134", "a\\134134");
	EXPECT_UNESCAPED("\\\\", "\\134\\134");
	EXPECT_UNESCAPED("", "");
}

TEST(tokens_without_equals_are_skipped)
{
	char line[] = "junk pid=1 more  ";
	struct kmod_field f[4];

	ASSERT_EQ(1, kmod_fields_split(line, f, 4));
	EXPECT_STREQ("pid", f[0].key);
	EXPECT_STREQ("1", f[0].val);
}

TEST(empty_values_and_lines)
{
	char line[] = "a= b=\n", empty[] = "", nl[] = "\n", spaces[] = "   ";
	struct kmod_field f[4];

	ASSERT_EQ(2, kmod_fields_split(line, f, 4));
	EXPECT_STREQ("a", f[0].key);
	EXPECT_STREQ("", f[0].val);
	EXPECT_STREQ("b", f[1].key);
	EXPECT_STREQ("", f[1].val);
	EXPECT_EQ(0, kmod_fields_split(empty, f, 4));
	EXPECT_EQ(0, kmod_fields_split(nl, f, 4));
	EXPECT_EQ(0, kmod_fields_split(spaces, f, 4));
}

TEST(value_keeps_later_equals)
{
	char line[] = "hist=a=b lo=1";
	struct kmod_field f[4];

	ASSERT_EQ(2, kmod_fields_split(line, f, 4));
	EXPECT_STREQ("hist", f[0].key);
	EXPECT_STREQ("a=b", f[0].val);
}

TEST(at_most_n_fields)
{
	char line[] = "a=1 b=2 c=3";
	struct kmod_field f[2];

	ASSERT_EQ(2, kmod_fields_split(line, f, 2));
	EXPECT_STREQ("b", f[1].key);
	EXPECT_EQ(0, kmod_fields_split(line, f, 0));
}

TEST(escape_cut_by_the_line_end)
{
	/* a read that stopped inside an escape, newline and all */
	char line[] = "comm=ab\\0\n", tail[] = "comm=ab\\";
	struct kmod_field f[2];

	ASSERT_EQ(1, kmod_fields_split(line, f, 2));
	EXPECT_STREQ("ab\\0", f[0].val);
	ASSERT_EQ(1, kmod_fields_split(tail, f, 2));
	EXPECT_STREQ("ab\\", f[0].val);
}

TEST_HARNESS_MAIN
