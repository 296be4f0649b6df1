// SPDX-License-Identifier: GPL-2.0
/* oomtrace: the command line. Each subcommand lists the options it takes. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "attach.h"
#include "cgroup.h"
#include "probe.h"
#include "report.h"
#include "sampler.h"
#include "serve.h"
#include "stats.h"
#include "trace.h"

#define DEFAULT_BTF "/sys/kernel/btf/vmlinux"
#define DEFAULT_RINGBUF (1U << 20)
#define DEFAULT_CANDIDATES 5
#define DEFAULT_RECLAIM_WINDOW 60	/* seconds */
#define STR(x) #x
#define XSTR(x) STR(x)

/* capability bits, linux/capability.h */
#define CAP_SYS_ADMIN	21
#define CAP_PERFMON	38
#define CAP_BPF		39

static const char usage[] =
"Usage: oomtrace [trace] [OPTIONS]  trace OOM kills, one record per victim\n"
"       oomtrace probe [--json] [--btf FILE] [-v]\n"
"                                   what this kernel lets oomtrace see, and why not\n"
"       oomtrace stats [--json]     what the oomtrace kernel module recorded\n"
"       oomtrace serve [OPTIONS]    trace, and serve Prometheus metrics and records\n"
"       oomtrace report --svg FILE [--episode N] [RECORDS]\n"
"                                   draw a recorded trace (JSON lines; - or none:\n"
"                                   stdin) as an SVG timeline\n"
"\n"
"  -m, --mode MODE        auto (default), fentry, kprobe or tracepoint\n"
"  -j, --json             JSON lines (schema: schema/oomtrace.schema.json)\n"
"  -o, --output FILE      write records to FILE instead of stdout\n"
"      --cgroup DIR       only OOMs whose victim or OOM domain is at or under\n"
"                         this memory cgroup directory\n"
"  -p, --pid PID          only records whose victim or trigger is process PID\n"
"      --comm COMM        only records whose victim or trigger is named COMM\n"
"  -c, --count N          exit after N records\n"
"      --sample-interval SECS\n"
"                         record memory samples every SECS (at least 0.1) of\n"
"                         the --cgroup memcg or the system, and of each OOM\n"
"                         domain that has had a kill\n"
"  -d, --duration SECS    exit after SECS seconds\n"
"      --candidates N     rank the N highest-scored tasks of each OOM, and the N\n"
"                         largest it skipped (default 5, at most "
XSTR(OOMTRACE_MAX_CANDIDATES) "; 0: off)\n"
"      --reclaim [SECS]   add to each record the reclaim its OOM domain went\n"
"                         through in the SECS before the kill (default "
XSTR(DEFAULT_RECLAIM_WINDOW) "),\n"
"                         and its memory pressure (PSI); 0: off (serve's\n"
"                         default is on)\n"
"      --btf FILE         kernel BTF for CO-RE (default " DEFAULT_BTF ")\n"
"      --ringbuf-size N   ring buffer bytes, a power of two (default 1048576)\n"
"      --user USER        once attached, run as USER (capabilities are always\n"
"                         dropped then)\n"
"  -v, --verbose          show libbpf's messages\n"
"  -h, --help             show this help\n"
"\n"
"serve (also takes --mode, --cgroup, --pid, --comm, --duration, --candidates,\n"
"--reclaim, --btf, --ringbuf-size, --user, -v):\n"
"      --listen ADDR:PORT HTTP address (default " SERVE_DEFAULT_LISTEN ")\n"
"      --textfile FILE    also write the metrics to FILE (node_exporter's\n"
"                         textfile collector; name it *.prom)\n"
"      --json-log FILE    append records to FILE as JSON lines; SIGHUP reopens it\n"
"      --max-series N     kill series kept before the overflow series (default 1000)\n"
"      --series-ttl SECS  drop a kill series that has not grown for SECS (default 3600)\n"
"      --events N         records kept for /events (default 100)\n"
"\n"
"report:\n"
"      --svg FILE         write the timeline to FILE (- for stdout)\n"
"      --episode N        only OOM episode N, from 10 s before its first kill\n"
"                         to its victims' exit\n";

enum opt {
	OPT_MODE,
	OPT_JSON,
	OPT_OUTPUT,
	OPT_CGROUP,
	OPT_PID,
	OPT_COMM,
	OPT_COUNT,
	OPT_DURATION,
	OPT_BTF,
	OPT_RINGBUF,
	OPT_VERBOSE,
	OPT_LISTEN,
	OPT_TEXTFILE,
	OPT_JSON_LOG,
	OPT_MAX_SERIES,
	OPT_SERIES_TTL,
	OPT_EVENTS,
	OPT_USER,
	OPT_CANDIDATES,
	OPT_SAMPLE,
	OPT_SVG,
	OPT_EPISODE,
	OPT_RECLAIM,
	NR_OPTS,
};

#define OPT_VAL(o)	(256 + (o))	/* getopt's value for a long option */
#define OPT(o)		(1U << OPT_##o)

/* in enum opt order: opt_name() indexes it */
static const struct option longopts[] = {
	{ "mode", required_argument, NULL, OPT_VAL(OPT_MODE) },
	{ "json", no_argument, NULL, OPT_VAL(OPT_JSON) },
	{ "output", required_argument, NULL, OPT_VAL(OPT_OUTPUT) },
	{ "cgroup", required_argument, NULL, OPT_VAL(OPT_CGROUP) },
	{ "pid", required_argument, NULL, OPT_VAL(OPT_PID) },
	{ "comm", required_argument, NULL, OPT_VAL(OPT_COMM) },
	{ "count", required_argument, NULL, OPT_VAL(OPT_COUNT) },
	{ "duration", required_argument, NULL, OPT_VAL(OPT_DURATION) },
	{ "btf", required_argument, NULL, OPT_VAL(OPT_BTF) },
	{ "ringbuf-size", required_argument, NULL, OPT_VAL(OPT_RINGBUF) },
	{ "verbose", no_argument, NULL, OPT_VAL(OPT_VERBOSE) },
	{ "listen", required_argument, NULL, OPT_VAL(OPT_LISTEN) },
	{ "textfile", required_argument, NULL, OPT_VAL(OPT_TEXTFILE) },
	{ "json-log", required_argument, NULL, OPT_VAL(OPT_JSON_LOG) },
	{ "max-series", required_argument, NULL, OPT_VAL(OPT_MAX_SERIES) },
	{ "series-ttl", required_argument, NULL, OPT_VAL(OPT_SERIES_TTL) },
	{ "events", required_argument, NULL, OPT_VAL(OPT_EVENTS) },
	{ "user", required_argument, NULL, OPT_VAL(OPT_USER) },
	{ "candidates", required_argument, NULL, OPT_VAL(OPT_CANDIDATES) },
	{ "sample-interval", required_argument, NULL, OPT_VAL(OPT_SAMPLE) },
	{ "svg", required_argument, NULL, OPT_VAL(OPT_SVG) },
	{ "episode", required_argument, NULL, OPT_VAL(OPT_EPISODE) },
	{ "reclaim", optional_argument, NULL, OPT_VAL(OPT_RECLAIM) },
	{ "help", no_argument, NULL, 'h' },
	{}
};

static const char shortopts[] = ":m:jo:p:c:d:vh";
static const char short_of[NR_OPTS] = {
	[OPT_MODE] = 'm', [OPT_JSON] = 'j', [OPT_OUTPUT] = 'o', [OPT_PID] = 'p',
	[OPT_COUNT] = 'c', [OPT_DURATION] = 'd', [OPT_VERBOSE] = 'v',
};

/* What was given, as given: each subcommand checks and parses its own. */
struct cli {
	unsigned int given;		/* OPT() bits */
	const char *arg[NR_OPTS];
	const char *file;		/* the command's one argument, if it takes one */
};

struct cmd {
	const char *name;
	int (*run)(const struct cli *c);
	unsigned int opts;		/* OPT() bits it takes */
	int takes_file;			/* an argument after the command name */
};

static int usage_error(const char *fmt, const char *arg)
{
	fputs("oomtrace: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (see oomtrace --help)\n", stderr);
	return 2;
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || *v > max)
		return -EINVAL;
	return 0;
}

static int parse_seconds(const char *s, double *v)
{
	char *end;

	*v = strtod(s, &end);
	if (end == s || *end || !(*v > 0) || *v > 1e9)
		return -EINVAL;
	return 0;
}

/* The effective capabilities; root's all where /proc cannot say. */
static unsigned long long cap_effective(void)
{
	unsigned long long eff = 0;
	char line[256];
	FILE *f;

	f = fopen("/proc/self/status", "r");
	if (!f)
		return geteuid() ? 0 : ~0ULL;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return eff;
}

/* BPF needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN on older kernels. */
static int have_bpf_privileges(void)
{
	unsigned long long eff = cap_effective();

	return (eff >> CAP_SYS_ADMIN & 1) ||
	       ((eff >> CAP_BPF & 1) && (eff >> CAP_PERFMON & 1));
}

/*
 * The BTF libbpf is to relocate against: NULL lets it find the kernel's.
 * Named, libbpf 1.1 parses it twice (for CO-RE, and for the attach
 * targets); left to itself, once, but it also walks the kernel modules'
 * BTF for CO-RE, which takes CAP_SYS_ADMIN (the OOM killer's types are all
 * in vmlinux). Name it only to a libbpf that could not walk them.
 */
static const char *core_btf_path(const struct cli *c)
{
	if (c->arg[OPT_BTF])
		return c->arg[OPT_BTF];
	return cap_effective() >> CAP_SYS_ADMIN & 1 ? NULL : DEFAULT_BTF;
}

/* Privileges and the kernel's BTF, for the subcommands that load BPF. */
static int bpf_ready(const struct cli *c)
{
	if (!have_bpf_privileges()) {
		fprintf(stderr, "oomtrace: need root (CAP_BPF and CAP_PERFMON) to load BPF programs\n");
		return -EPERM;
	}
	if (!c->arg[OPT_BTF] && access(DEFAULT_BTF, R_OK)) {
		fprintf(stderr, "oomtrace: no kernel BTF at %s (the kernel needs "
			"CONFIG_DEBUG_INFO_BTF=y); give one with --btf FILE\n", DEFAULT_BTF);
		return -ENOENT;
	}
	attach_setup_libbpf(c->given & OPT(VERBOSE));
	return 0;
}

/* The filters and limits of a trace; 0 or the usage error's exit code. */
static int parse_trace_opts(const struct cli *c, struct trace_opts *o, char *cgroup,
			    size_t cgroup_len)
{
	const char *a;
	unsigned long v;
	int err;

	if ((a = c->arg[OPT_MODE]) && mode_parse(a, &o->mode))
		return usage_error("unknown mode '%s': use auto, fentry, kprobe or tracepoint", a);
	if ((a = c->arg[OPT_CGROUP])) {
		err = cgroup_resolve(a, cgroup, cgroup_len);
		if (err == -EINVAL)
			return usage_error("--cgroup %s is not a directory of a memory "
					   "cgroup hierarchy", a);
		if (err) {
			fprintf(stderr, "oomtrace: --cgroup %s: %s\n", a, strerror(-err));
			return 2;
		}
		o->filter.cgroup = cgroup;
	}
	if ((a = c->arg[OPT_PID])) {
		if (parse_ulong(a, INT_MAX, &v) || !v)
			return usage_error("invalid pid '%s'", a);
		o->filter.have_pid = 1;
		o->filter.pid = v;
	}
	/* the kernel keeps 15 bytes of a task's name */
	if ((a = c->arg[OPT_COMM]) && strlen(a) >= OOMTRACE_COMM_LEN)
		return usage_error("--comm '%s' is longer than a task name can be (15 bytes)", a);
	o->filter.comm = a;
	if ((a = c->arg[OPT_COUNT])) {
		if (parse_ulong(a, LONG_MAX, &v) || !v)
			return usage_error("invalid count '%s'", a);
		o->count = v;
	}
	if ((a = c->arg[OPT_DURATION]) && parse_seconds(a, &o->duration))
		return usage_error("invalid duration '%s'", a);
	if ((a = c->arg[OPT_CANDIDATES])) {
		if (parse_ulong(a, OOMTRACE_MAX_CANDIDATES, &v))
			return usage_error("invalid --candidates '%s': 0 to "
					   XSTR(OOMTRACE_MAX_CANDIDATES), a);
		o->candidates = v;
	}
	if ((a = c->arg[OPT_SAMPLE])) {
		if (parse_seconds(a, &o->sample_interval) ||
		    o->sample_interval < SAMPLE_INTERVAL_MIN)
			return usage_error("invalid --sample-interval '%s': at least 0.1 seconds", a);
		o->sample_cgroup_dir = c->arg[OPT_CGROUP];
	}
	if (c->given & OPT(RECLAIM)) {
		o->reclaim_s = DEFAULT_RECLAIM_WINDOW;
		if ((a = c->arg[OPT_RECLAIM]) && parse_ulong(a, 86400, &v))
			return usage_error("invalid --reclaim window '%s': 0 (off) to 86400 "
					   "seconds", a);
		if (a)
			o->reclaim_s = v;
	}
	if ((a = c->arg[OPT_USER]) && run_as_lookup(&o->run_as, a))
		return usage_error("--user %s: no such user", a);
	if ((a = c->arg[OPT_RINGBUF])) {
		if (parse_ulong(a, 1UL << 30, &v) || v < (unsigned long)getpagesize() ||
		    (v & (v - 1)))
			return usage_error("invalid ring buffer size '%s': a power of two "
					   "from the page size to 1073741824", a);
		o->ringbuf_size = v;
	}
	o->btf_path = c->arg[OPT_BTF] ? c->arg[OPT_BTF] : DEFAULT_BTF;
	o->core_btf_path = core_btf_path(c);
	return 0;
}

static int cmd_trace(const struct cli *c)
{
	struct trace_opts o = { .mode = MODE_AUTO, .ringbuf_size = DEFAULT_RINGBUF,
				.candidates = DEFAULT_CANDIDATES };
	char cgroup[PATH_MAX];
	struct trace *t;
	int status;

	status = parse_trace_opts(c, &o, cgroup, sizeof(cgroup));
	if (status)
		return status;
	o.sink_ops[0] = c->given & OPT(JSON) ? &sink_json : &sink_text;
	o.sink_cfg[0].f = stdout;
	o.sink_cfg[0].path = c->arg[OPT_OUTPUT];
	o.nr_sinks = 1;
	if (bpf_ready(c))
		return 1;
	t = trace_open(&o, &status);
	if (t) {
		status = trace_run(t);
		status = trace_close(t) || status;
	}
	return status;
}

static int cmd_serve(const struct cli *c)
{
	struct serve_opts so = {
		/* on unless --reclaim 0: its cost was within 2% of a churning
		 * memcg's throughput (README, Benchmarks) */
		.trace = { .mode = MODE_AUTO, .ringbuf_size = DEFAULT_RINGBUF,
			   .candidates = DEFAULT_CANDIDATES, .reclaim_s = DEFAULT_RECLAIM_WINDOW },
		.listen = SERVE_DEFAULT_LISTEN, .max_series = 1000, .max_events = 100,
		.series_ttl = 3600,
	};
	char cgroup[PATH_MAX];
	const char *a;
	unsigned long v;
	int status;

	status = parse_trace_opts(c, &so.trace, cgroup, sizeof(cgroup));
	if (status)
		return status;
	/* asked for, it must be had; by default, where the kernel can */
	so.trace.reclaim_optional = !(c->given & OPT(RECLAIM));
	if ((a = c->arg[OPT_LISTEN]))
		so.listen = a;
	so.textfile = c->arg[OPT_TEXTFILE];
	so.json_log = c->arg[OPT_JSON_LOG];
	if ((a = c->arg[OPT_MAX_SERIES])) {
		if (parse_ulong(a, 1000000, &v) || !v)
			return usage_error("invalid --max-series '%s': 1 to 1000000", a);
		so.max_series = v;
	}
	if ((a = c->arg[OPT_SERIES_TTL]) && parse_seconds(a, &so.series_ttl))
		return usage_error("invalid --series-ttl '%s'", a);
	if ((a = c->arg[OPT_EVENTS])) {
		if (parse_ulong(a, 100000, &v))
			return usage_error("invalid --events '%s': 0 to 100000", a);
		so.max_events = v;
	}
	if (bpf_ready(c))
		return 1;
	return serve_run(&so);
}

static int cmd_probe(const struct cli *c)
{
	const char *path = c->arg[OPT_BTF] ? c->arg[OPT_BTF] : DEFAULT_BTF;
	struct btf *btf;
	int status;

	if (bpf_ready(c))
		return 1;
	btf = btf__parse(path, NULL);
	if (!btf) {
		fprintf(stderr, "oomtrace: failed to read BTF from %s: %s\n", path,
			strerror(errno));
		return 1;
	}
	status = probe_run(btf, path, core_btf_path(c), c->given & OPT(JSON));
	btf__free(btf);
	return status;
}

/* The module's debugfs files need no BPF privileges. */
static int cmd_stats(const struct cli *c)
{
	return stats_run(c->given & OPT(JSON));
}

/* Reading records and drawing them needs no privileges. */
static int cmd_report(const struct cli *c)
{
	struct report_opts o = { .svg = c->arg[OPT_SVG], .input = c->file };
	const char *a;
	unsigned long v;

	if (!o.svg)
		return usage_error("%s", "report needs --svg FILE");
	if ((a = c->arg[OPT_EPISODE])) {
		if (parse_ulong(a, ULONG_MAX - 1, &v))
			return usage_error("invalid --episode '%s'", a);
		o.episode = v;
		o.one_episode = 1;
	}
	return report_run(&o);
}

static const struct cmd cmds[] = {
	{ .name = "trace", .run = cmd_trace,
	  .opts = OPT(MODE) | OPT(JSON) | OPT(OUTPUT) | OPT(CGROUP) | OPT(PID) | OPT(COMM) |
		  OPT(COUNT) | OPT(DURATION) | OPT(BTF) | OPT(RINGBUF) | OPT(VERBOSE) |
		  OPT(USER) | OPT(SAMPLE) | OPT(CANDIDATES) | OPT(RECLAIM) },
	{ .name = "probe", .run = cmd_probe, .opts = OPT(JSON) | OPT(BTF) | OPT(VERBOSE) },
	{ .name = "stats", .run = cmd_stats, .opts = OPT(JSON) },
	{ .name = "serve", .run = cmd_serve,
	  .opts = OPT(MODE) | OPT(CGROUP) | OPT(PID) | OPT(COMM) | OPT(DURATION) | OPT(BTF) |
		  OPT(RINGBUF) | OPT(VERBOSE) | OPT(LISTEN) | OPT(TEXTFILE) | OPT(JSON_LOG) |
		  OPT(MAX_SERIES) | OPT(SERIES_TTL) | OPT(EVENTS) | OPT(USER) | OPT(CANDIDATES) |
		  OPT(RECLAIM) },
	{ .name = "report", .run = cmd_report, .opts = OPT(SVG) | OPT(EPISODE), .takes_file = 1 },
};

static const char *opt_name(enum opt o)
{
	return longopts[o].name;
}

/* Options first or after the subcommand alike; 0, 1 for --help, or 2. */
static int parse_cli(int argc, char **argv, struct cli *c, const struct cmd **cmd)
{
	unsigned int i;
	int v, o;

	opterr = 0;
	while ((v = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (v == 'h')
			return 1;
		if (v == ':')
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		for (o = 0; o < NR_OPTS; o++)
			if (v == OPT_VAL(o) || (short_of[o] && v == short_of[o]))
				break;
		if (o == NR_OPTS)
			return usage_error("unknown option '%s'", argv[optind - 1]);
		/* --reclaim's window may follow it as the next argument */
		if (o == OPT_RECLAIM && !optarg && optind < argc &&
		    argv[optind][0] >= '0' && argv[optind][0] <= '9')
			optarg = argv[optind++];
		c->given |= 1U << o;
		c->arg[o] = optarg;
	}
	*cmd = &cmds[0];
	if (optind < argc) {
		for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
			if (!strcmp(argv[optind], cmds[i].name))
				*cmd = &cmds[i];
		if (strcmp(argv[optind], (*cmd)->name))
			return usage_error("unknown command '%s'", argv[optind]);
		if ((*cmd)->takes_file && optind + 1 < argc)
			c->file = argv[++optind];
		if (optind + 1 < argc)
			return usage_error("unexpected argument '%s'", argv[optind + 1]);
	}
	for (o = 0; o < NR_OPTS; o++) {
		if ((c->given & ~(*cmd)->opts) >> o & 1) {
			fprintf(stderr, "oomtrace: %s does not take --%s (see oomtrace --help)\n",
				(*cmd)->name, opt_name(o));
			return 2;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	const struct cmd *cmd = NULL;
	struct cli c = {};
	int err;

	err = parse_cli(argc, argv, &c, &cmd);
	if (err == 1) {
		fputs(usage, stdout);
		return 0;
	}
	if (err)
		return err;
	return cmd->run(&c);
}
