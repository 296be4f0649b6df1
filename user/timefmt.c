// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
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
