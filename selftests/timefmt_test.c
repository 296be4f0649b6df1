// SPDX-License-Identifier: GPL-2.0
/* RFC 3339 times: the expected strings come from date(1)'s arithmetic,
 * e.g. `date -u -d @1795473660 +%FT%TZ`. */
#include <stdlib.h>
#include <time.h>
#include "kselftest_harness.h"
#include "timefmt.h"

TEST(epoch)
{
	char buf[64];

	timefmt_rfc3339_us(buf, sizeof(buf), 0);
	EXPECT_STREQ("1970-01-01T00:00:00.000000Z", buf);
}

TEST(microseconds_truncate_not_round)
{
	char buf[64];

	timefmt_rfc3339_us(buf, sizeof(buf), 1795473660LL * 1000000000 + 123456999);
	EXPECT_STREQ("2026-11-23T22:41:00.123456Z", buf);
}

TEST(leap_day)
{
	char buf[64];

	timefmt_rfc3339_us(buf, sizeof(buf), 1709164800LL * 1000000000 + 1000);
	EXPECT_STREQ("2024-02-29T00:00:00.000001Z", buf);
}

TEST(before_epoch_floors)
{
	char buf[64];

	timefmt_rfc3339_us(buf, sizeof(buf), -1000);
	EXPECT_STREQ("1969-12-31T23:59:59.999999Z", buf);
}

TEST(boottime_offset_maps_to_now)
{
	struct timespec rt, bt;
	int64_t off = boottime_to_realtime_offset(), diff;

	clock_gettime(CLOCK_BOOTTIME, &bt);
	clock_gettime(CLOCK_REALTIME, &rt);
	diff = (rt.tv_sec * 1000000000LL + rt.tv_nsec) -
	       (bt.tv_sec * 1000000000LL + bt.tv_nsec + off);
	EXPECT_GT(10 * 1000 * 1000, llabs(diff));	/* within 10 ms */
}

TEST_HARNESS_MAIN
