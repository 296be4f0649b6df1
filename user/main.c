// SPDX-License-Identifier: GPL-2.0
/* oomtrace: the command line. */
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
#include "stats.h"
#include "trace.h"

#define DEFAULT_BTF "/sys/kernel/btf/vmlinux"
#define DEFAULT_RINGBUF (4U << 20)

/* capability bits, linux/capability.h */
#define CAP_SYS_ADMIN	21
#define CAP_PERFMON	38
#define CAP_BPF		39

static const char usage[] =
"Usage: oomtrace [OPTIONS]          trace OOM kills, one record per victim\n"
"       oomtrace probe [--json]     report what this kernel lets oomtrace see\n"
"       oomtrace stats [--json]     what the oomtrace kernel module recorded\n"
"\n"
"  -m, --mode MODE        auto (default), fentry, kprobe or tracepoint\n"
"  -j, --json             JSON lines (schema in README.md)\n"
"  -o, --output FILE      write records to FILE instead of stdout\n"
"      --cgroup DIR       only OOMs whose victim or OOM domain is at or under\n"
"                         this memory cgroup directory\n"
"  -p, --pid PID          only records whose victim or trigger is process PID\n"
"      --comm COMM        only records whose victim or trigger is named COMM\n"
"  -c, --count N          exit after N records\n"
"  -d, --duration SECS    exit after SECS seconds\n"
"      --btf FILE         kernel BTF for CO-RE (default " DEFAULT_BTF ")\n"
"      --ringbuf-size N   ring buffer bytes, a power of two (default 4194304)\n"
"  -v, --verbose          show libbpf's messages\n"
"  -h, --help             show this help\n";

enum { OPT_CGROUP = 256, OPT_COMM, OPT_BTF, OPT_RINGBUF };

static const struct option longopts[] = {
	{ "mode", required_argument, NULL, 'm' },
	{ "json", no_argument, NULL, 'j' },
	{ "output", required_argument, NULL, 'o' },
	{ "cgroup", required_argument, NULL, OPT_CGROUP },
	{ "pid", required_argument, NULL, 'p' },
	{ "comm", required_argument, NULL, OPT_COMM },
	{ "count", required_argument, NULL, 'c' },
	{ "duration", required_argument, NULL, 'd' },
	{ "btf", required_argument, NULL, OPT_BTF },
	{ "ringbuf-size", required_argument, NULL, OPT_RINGBUF },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

static int usage_error(const char *fmt, const char *arg)
{
	fputs("oomtrace: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (see oomtrace --help)\n", stderr);
	return 2;
}

static int parse_mode(const char *s, enum oom_mode *mode)
{
	enum oom_mode m;

	for (m = MODE_FENTRY; m <= MODE_AUTO; m++) {
		if (!strcmp(s, mode_name(m))) {
			*mode = m;
			return 0;
		}
	}
	return -EINVAL;
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

/* BPF needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN on older kernels. */
static int have_bpf_privileges(void)
{
	unsigned long long eff = 0;
	char line[256];
	FILE *f;

	f = fopen("/proc/self/status", "r");
	if (!f)
		return geteuid() == 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return (eff >> CAP_SYS_ADMIN & 1) ||
	       ((eff >> CAP_BPF & 1) && (eff >> CAP_PERFMON & 1));
}

static struct btf *load_btf(const char *path)
{
	struct btf *btf;

	if (!path && access(DEFAULT_BTF, R_OK)) {
		fprintf(stderr, "oomtrace: no kernel BTF at %s (the kernel needs "
			"CONFIG_DEBUG_INFO_BTF=y); give one with --btf FILE\n", DEFAULT_BTF);
		return NULL;
	}
	btf = btf__parse(path ? path : DEFAULT_BTF, NULL);
	if (!btf)
		fprintf(stderr, "oomtrace: failed to read BTF from %s: %s\n",
			path ? path : DEFAULT_BTF, strerror(errno));
	return btf;
}

int main(int argc, char **argv)
{
	struct trace_opts o = { .mode = MODE_AUTO, .ringbuf_size = DEFAULT_RINGBUF };
	char cgroup[PATH_MAX];
	unsigned long v;
	int opt, err, verbose = 0, probe = 0;
	struct btf *btf;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":m:jo:p:c:d:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			if (parse_mode(optarg, &o.mode))
				return usage_error("unknown mode '%s': use auto, fentry, "
						   "kprobe or tracepoint", optarg);
			break;
		case 'j':
			o.json = 1;
			break;
		case 'o':
			o.output = optarg;
			break;
		case OPT_CGROUP:
			err = cgroup_resolve(optarg, cgroup, sizeof(cgroup));
			if (err == -EINVAL)
				return usage_error("--cgroup %s is not a directory of a "
						   "memory cgroup hierarchy", optarg);
			if (err) {
				fprintf(stderr, "oomtrace: --cgroup %s: %s\n", optarg,
					strerror(-err));
				return 2;
			}
			o.filter.cgroup = cgroup;
			break;
		case 'p':
			if (parse_ulong(optarg, INT_MAX, &v) || !v)
				return usage_error("invalid pid '%s'", optarg);
			o.filter.have_pid = 1;
			o.filter.pid = v;
			break;
		case OPT_COMM:
			/* the kernel keeps 15 bytes of a task's name */
			if (strlen(optarg) >= OOMTRACE_COMM_LEN)
				return usage_error("--comm '%s' is longer than a task name "
						   "can be (15 bytes)", optarg);
			o.filter.comm = optarg;
			break;
		case 'c':
			if (parse_ulong(optarg, LONG_MAX, &v) || !v)
				return usage_error("invalid count '%s'", optarg);
			o.count = v;
			break;
		case 'd': {
			char *end;

			o.duration = strtod(optarg, &end);
			if (end == optarg || *end || !(o.duration > 0) || o.duration > 1e9)
				return usage_error("invalid duration '%s'", optarg);
			break;
		}
		case OPT_BTF:
			o.btf_path = optarg;
			break;
		case OPT_RINGBUF:
			if (parse_ulong(optarg, 1UL << 30, &v) || v < (unsigned long)getpagesize() ||
			    (v & (v - 1)))
				return usage_error("invalid ring buffer size '%s': a power "
						   "of two from the page size to 1073741824", optarg);
			o.ringbuf_size = v;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc) {
		if (optind + 1 < argc)
			return usage_error("unexpected argument '%s'", argv[optind + 1]);
		/* the module's debugfs files need no BPF privileges */
		if (!strcmp(argv[optind], "stats"))
			return stats_run(o.json);
		if (strcmp(argv[optind], "probe"))
			return usage_error("unexpected argument '%s'", argv[optind]);
		probe = 1;
	}

	if (!have_bpf_privileges()) {
		fprintf(stderr, "oomtrace: need root (CAP_BPF and CAP_PERFMON) to load BPF programs\n");
		return 1;
	}
	btf = load_btf(o.btf_path);
	if (!btf)
		return 1;
	o.btf = btf;
	attach_setup_libbpf(verbose);
	err = probe ? probe_run(btf, o.btf_path, o.json) : trace_run(&o);
	btf__free(btf);
	return err;
}
