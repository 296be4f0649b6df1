/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __PROBE_H
#define __PROBE_H

struct btf;

/* `oomtrace probe`: what this kernel lets oomtrace do, and why not; btf
 * is parsed from btf_path, core_btf_path is what trace_opts says. */
int probe_run(const struct btf *btf, const char *btf_path, const char *core_btf_path,
	      int json);

#endif /* __PROBE_H */
