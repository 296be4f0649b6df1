/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exporter's state: metrics and the most recent records, fed by the
 * consumer through sink_exporter and read by the HTTP server's threads.
 * One lock guards it; readers copy out under it and send without it, so a
 * slow scraper never holds up the consumer.
 */
#ifndef __EXPORTER_H
#define __EXPORTER_H

#include <stddef.h>
#include "metrics.h"

struct exporter_config {
	struct metrics_config metrics;
	unsigned int max_events;	/* records kept for /events */
	const char *textfile;		/* node_exporter textfile; NULL: none */
};

struct exporter;

struct exporter *exporter_new(const struct exporter_config *cfg);
void exporter_free(struct exporter *e);

/* Attached in mode: /healthz says so from now on. */
void exporter_ready(struct exporter *e, enum oom_mode mode);
int exporter_is_ready(struct exporter *e);

/* Fresh text of /metrics and of /events (JSON lines, oldest first), in a
 * malloc()ed buffer for the caller. 0 or -errno. */
int exporter_metrics(struct exporter *e, char **buf, size_t *len);
int exporter_events(struct exporter *e, char **buf, size_t *len);

#endif /* __EXPORTER_H */
