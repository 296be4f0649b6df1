/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory samples (--sample-interval): the traced domain (the --cgroup
 * memory cgroup, or the system) and every OOM domain that has had a kill
 * are read at a fixed rate, each reading one struct mem_sample.
 */
#ifndef __SAMPLER_H
#define __SAMPLER_H

#include <stdint.h>
#include <linux/types.h>
#include "record.h"

#define SAMPLE_INTERVAL_MIN 0.1	/* seconds: the consumer polls every 100 ms */

struct sampler;

typedef void (*sample_fn)(const struct mem_sample *m, void *ctx);

/*
 * Every interval seconds, read the memory cgroup at cgroupfs directory dir,
 * whose path in the hierarchy is path; or, with dir NULL, the system's
 * /proc/meminfo. NULL with errno set when out of memory.
 */
struct sampler *sampler_new(double interval, const char *dir, const char *path);
/* Read the OOM domain at hierarchy path too, from now on (once per path). */
void sampler_add_memcg(struct sampler *s, const char *path);
/* When a reading is due by now (CLOCK_BOOTTIME ns), read every domain and
 * hand each reading to fn. A memcg that is gone is dropped. */
void sampler_tick(struct sampler *s, __u64 now_ns, int64_t boot_to_unix_ns,
		  sample_fn fn, void *ctx);
void sampler_free(struct sampler *s);

#endif /* __SAMPLER_H */
