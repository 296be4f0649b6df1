/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __PROBE_H
#define __PROBE_H

struct btf;

/* `oomtrace probe`: what this kernel lets oomtrace do, and why not. */
int probe_run(const struct btf *btf, const char *btf_path, int json);

#endif /* __PROBE_H */
