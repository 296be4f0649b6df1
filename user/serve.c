// SPDX-License-Identifier: GPL-2.0
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/utsname.h>
#include "exporter.h"
#include "httpd.h"
#include "serve.h"
#include "version.h"

int serve_run(struct serve_opts *o)
{
	struct exporter_config ecfg = {
		.metrics = {
			.max_series = o->max_series,
			.series_ttl_ns = (__u64)(o->series_ttl * 1e9),
			.version = OOMTRACE_VERSION,
			.mode = mode_name(o->trace.mode),
		},
		.max_events = o->max_events,
		.textfile = o->textfile,
	};
	struct trace_opts *t = &o->trace;
	struct exporter *e;
	struct httpd *h;
	struct trace *tr;
	struct utsname u;
	char why[512];
	int sock, status = 1;

	/* a scraper that goes away must not take the daemon with it */
	signal(SIGPIPE, SIG_IGN);
	uname(&u);
	ecfg.metrics.kernel = u.release;
	e = exporter_new(&ecfg);
	if (!e) {
		fprintf(stderr, "oomtrace: failed to set up the exporter: out of memory\n");
		return 1;
	}
	/* bound now: a port below 1024 may need a capability we drop */
	sock = httpd_listen(o->listen, why, sizeof(why));
	if (sock < 0) {
		fprintf(stderr, "oomtrace: %s\n", why);
		goto free_exporter;
	}
	t->sink_ops[t->nr_sinks] = &sink_exporter;
	t->sink_cfg[t->nr_sinks++].exporter = e;
	if (o->json_log) {
		t->sink_ops[t->nr_sinks] = &sink_json;
		t->sink_cfg[t->nr_sinks].path = o->json_log;
		t->sink_cfg[t->nr_sinks].append = 1;
		/* a full disk under the log must not end the metrics */
		t->sink_cfg[t->nr_sinks++].best_effort = 1;
	}
	tr = trace_open(t, &status);
	if (!tr) {
		close(sock);
		goto free_exporter;
	}
	h = httpd_start(sock, e, why, sizeof(why));
	if (!h) {
		fprintf(stderr, "oomtrace: %s\n", why);
		trace_close(tr);
		status = 1;
		goto free_exporter;
	}
	exporter_ready(e, trace_mode(tr));
	fprintf(stderr, "oomtrace: serving http://%s/metrics\n", o->listen);
	status = trace_run(tr);
	status = trace_close(tr) || status;
	httpd_stop(h);
free_exporter:
	exporter_free(e);
	return status;
}
