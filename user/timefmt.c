// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "timefmt.h"

#define NSEC_PER_SEC 1000000000LL

int64_t boottime_to_realtime_offset(void)
{
	struct timespec rt, bt;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	return (rt.tv_sec - bt.tv_sec) * NSEC_PER_SEC + (rt.tv_nsec - bt.tv_nsec);
}

int timefmt_rfc3339_us(char *buf, size_t len, int64_t unix_ns)
{
	int64_t sec = unix_ns / NSEC_PER_SEC, ns = unix_ns % NSEC_PER_SEC;
	time_t t;
	struct tm tm;

	/* floor, not truncation, so times before 1970 stay ordered */
	if (ns < 0) {
		ns += NSEC_PER_SEC;
		sec--;
	}
	t = sec;
	if (!gmtime_r(&t, &tm))
		return snprintf(buf, len, "invalid");
	return snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ",
			tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			tm.tm_hour, tm.tm_min, tm.tm_sec, (long long)(ns / 1000));
}

int timefmt_parse_rfc3339_us(const char *s, int64_t *unix_ns)
{
	int y, mo, d, h, mi, sec, n = 0;
	char frac[8];
	struct tm tm = {};
	time_t t;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%6[0-9]Z%n", &y, &mo, &d, &h, &mi, &sec,
		   frac, &n) != 7 || s[n] || strlen(frac) != 6 || strlen(s) != 27)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	/* from 1970 to where nanoseconds still fit, with a day to spare for
	 * the arithmetic of those who read them */
	if (t < 0 || t > INT64_MAX / NSEC_PER_SEC - 86400)
		return -1;
	*unix_ns = (int64_t)t * NSEC_PER_SEC + strtoll(frac, NULL, 10) * 1000;
	return 0;
}
