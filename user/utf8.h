/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __UTF8_H
#define __UTF8_H

#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (n >= 1 bytes left), or 0 if it
 * is not one: comm and cgroup names are arbitrary bytes, and every format
 * we write (JSON, Prometheus text) must stay UTF-8. */
size_t utf8_seq_len(const unsigned char *s, size_t n);

#endif /* __UTF8_H */
