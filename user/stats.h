/* SPDX-License-Identifier: GPL-2.0 */
/* `oomtrace stats`: what the oomtrace kernel module recorded, from debugfs. */
#ifndef __STATS_H
#define __STATS_H

#define STATS_DIR "/sys/kernel/debug/oomtrace"

/*
 * Print STATS_DIR's stats, victims and latency files to stdout: as text, or
 * with json as one JSON object {"stats":{...},"victims":[...],"latency":{...}}.
 * Returns the exit status: 0, or 1 (with a message on stderr) when the module
 * is not loaded or a file cannot be read.
 */
int stats_run(int json);

#endif /* __STATS_H */
