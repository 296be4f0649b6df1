/* SPDX-License-Identifier: GPL-2.0 */
/* Memory pressure (PSI) of an OOM domain, read as its kill record is built. */
#ifndef __PSI_H
#define __PSI_H

#include "record.h"

/*
 * The memcg's memory.pressure on cgroup v2; /proc/pressure/memory for the
 * system ("") or a memcg on cgroup v1, which has none of its own. 0 or
 * -errno (no PSI: a kernel without CONFIG_PSI, or booted with psi=0).
 */
int psi_read(const char *memcg, struct record_psi *psi);

/* The "some" and "full" lines of a PSI file's text; 0 or -EINVAL. */
int psi_parse(const char *text, struct record_psi *psi);

#endif /* __PSI_H */
