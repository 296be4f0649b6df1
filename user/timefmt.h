/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __TIMEFMT_H
#define __TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* Wall-clock ns minus CLOCK_BOOTTIME ns, the clock BPF stamps records with. */
int64_t boottime_to_realtime_offset(void);

/* RFC 3339 UTC with microseconds: 2026-11-23T22:41:00.123456Z. */
int timefmt_rfc3339_us(char *buf, size_t len, int64_t unix_ns);
/* That format read back; 0, or -1 when s is not exactly it, or not a time
 * from 1970 to 2262 (nanoseconds since 1970 in 63 bits). */
int timefmt_parse_rfc3339_us(const char *s, int64_t *unix_ns);

#endif /* __TIMEFMT_H */
