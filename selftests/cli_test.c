// SPDX-License-Identifier: GPL-2.0
/* Bad input gets one clear line and a non-zero exit, never a crash; and
 * `oomtrace probe` agrees with what the kernel itself exposes. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "oomtest.h"

struct run {
	int status;		/* exit code, or 128 + signal */
	char out[16384];
	char err[4096];
};

static void slurp(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += n;
	buf[got] = '\0';
}

/* Run oomtrace with args as uid (0: as we are); stdout and stderr kept. */
static void run(struct run *r, uid_t uid, const char *const *args)
{
	const char *argv[16] = { oomtrace_bin() };
	int out[2], err[2], st, i;
	pid_t pid;

	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = args[i];
	if (pipe(out) || pipe(err))
		abort();
	pid = fork();
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		if (uid && (setresgid(uid, uid, uid) || setresuid(uid, uid, uid)))
			_exit(126);
		execv(argv[0], (char **)argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	slurp(err[0], r->err, sizeof(r->err));
	slurp(out[0], r->out, sizeof(r->out));
	close(out[0]);
	close(err[0]);
	waitpid(pid, &st, 0);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Exactly one line on stderr, naming the problem. */
#define EXPECT_ONE_LINE_WITH(r, text) do {					\
	EXPECT_NE(NULL, strstr((r)->err, text)) TH_LOG("stderr: %s", (r)->err);	\
	EXPECT_EQ(1, count_lines((r)->err)) TH_LOG("stderr: %s", (r)->err);	\
} while (0)

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

TEST(unknown_flag)
{
	struct run r;

	run(&r, 0, (const char *[]){ "--bogus", NULL });
	EXPECT_EQ(2, r.status);
	EXPECT_ONE_LINE_WITH(&r, "unknown option '--bogus'");
}

TEST(missing_value)
{
	struct run r;

	run(&r, 0, (const char *[]){ "--mode", NULL });
	EXPECT_EQ(2, r.status);
	EXPECT_ONE_LINE_WITH(&r, "option '--mode' needs a value");
}

TEST(bad_mode)
{
	struct run r;

	run(&r, 0, (const char *[]){ "--mode", "warp", NULL });
	EXPECT_EQ(2, r.status);
	EXPECT_ONE_LINE_WITH(&r, "unknown mode 'warp'");
}

/* Each subcommand takes only its own options, wherever they stand. */
TEST(options_a_command_does_not_take)
{
	static const char *const cases[][4] = {
		{ "probe", "--mode", "x", "probe does not take --mode" },
		{ "stats", "-c", "3", "stats does not take --count" },
		{ "--pid", "5", "stats", "stats does not take --pid" },
		{ "stats", "--cgroup", "/tmp", "stats does not take --cgroup" },
		{ "probe", "-o", "/tmp/x", "probe does not take --output" },
		{ "report", "--pid", "5", "report does not take --pid" },
		{ "--svg", "/tmp/x", "trace", "trace does not take --svg" },
		{ "serve", "--sample-interval", "1", "serve does not take --sample-interval" },
	};
	unsigned int i;
	struct run r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run(&r, 0, (const char *[]){ cases[i][0], cases[i][1], cases[i][2], NULL });
		EXPECT_EQ(2, r.status);
		EXPECT_ONE_LINE_WITH(&r, cases[i][3]);
	}
	run(&r, 0, (const char *[]){ "stats", "--pid", "5", "--mode", "kprobe", "-c", "3", NULL });
	EXPECT_EQ(2, r.status);
	EXPECT_ONE_LINE_WITH(&r, "stats does not take --");
}

TEST(unknown_command)
{
	struct run r;

	run(&r, 0, (const char *[]){ "trcae", NULL });
	EXPECT_EQ(2, r.status);
	EXPECT_ONE_LINE_WITH(&r, "unknown command 'trcae'");
	run(&r, 0, (const char *[]){ "probe", "stats", NULL });
	EXPECT_EQ(2, r.status);
	EXPECT_ONE_LINE_WITH(&r, "unexpected argument 'stats'");
}

TEST(bad_numbers)
{
	struct run r;

	run(&r, 0, (const char *[]){ "--count", "0", NULL });
	EXPECT_EQ(2, r.status);
	EXPECT_ONE_LINE_WITH(&r, "invalid count '0'");
	run(&r, 0, (const char *[]){ "--pid", "12x", NULL });
	EXPECT_EQ(2, r.status);
	EXPECT_ONE_LINE_WITH(&r, "invalid pid '12x'");
	run(&r, 0, (const char *[]){ "--ringbuf-size", "5000", NULL });
	EXPECT_EQ(2, r.status);
	EXPECT_ONE_LINE_WITH(&r, "invalid ring buffer size '5000'");
	run(&r, 0, (const char *[]){ "--duration", "-1", NULL });
	EXPECT_EQ(2, r.status);
	EXPECT_ONE_LINE_WITH(&r, "invalid duration '-1'");
	/* past the records' room (OOMTRACE_MAX_CANDIDATES), or not a count */
	run(&r, 0, (const char *[]){ "--candidates", "17", NULL });
	EXPECT_EQ(2, r.status);
	EXPECT_ONE_LINE_WITH(&r, "invalid --candidates '17': 0 to 16");
	run(&r, 0, (const char *[]){ "serve", "--candidates", "-1", NULL });
	EXPECT_EQ(2, r.status);
	EXPECT_ONE_LINE_WITH(&r, "invalid --candidates '-1': 0 to 16");
	run(&r, 0, (const char *[]){ "probe", "--candidates", "3", NULL });
	EXPECT_EQ(2, r.status);
	EXPECT_ONE_LINE_WITH(&r, "probe does not take --candidates");
	run(&r, 0, (const char *[]){ "--sample-interval", "0.05", NULL });
	EXPECT_EQ(2, r.status);
	EXPECT_ONE_LINE_WITH(&r, "invalid --sample-interval '0.05': at least 0.1 seconds");
	/* --reclaim's window: as the next argument or after '=' */
	run(&r, 0, (const char *[]){ "--reclaim", "86401", NULL });
	EXPECT_EQ(2, r.status);
	EXPECT_ONE_LINE_WITH(&r, "invalid --reclaim window '86401': 0 (off) to 86400 seconds");
	run(&r, 0, (const char *[]){ "serve", "--reclaim=86401", NULL });
	EXPECT_EQ(2, r.status);
	EXPECT_ONE_LINE_WITH(&r, "invalid --reclaim window '86401'");
	run(&r, 0, (const char *[]){ "trace", "--reclaim", "9x", NULL });
	EXPECT_EQ(2, r.status);
	EXPECT_ONE_LINE_WITH(&r, "invalid --reclaim window '9x'");
	run(&r, 0, (const char *[]){ "--reclaim", "stats", NULL });
	EXPECT_EQ(2, r.status);
	EXPECT_ONE_LINE_WITH(&r, "stats does not take --reclaim");
	run(&r, 0, (const char *[]){ "report", "--svg", "/tmp/x", "--episode", "one", NULL });
	EXPECT_EQ(2, r.status);
	EXPECT_ONE_LINE_WITH(&r, "invalid --episode 'one'");
}

/* report reads one file, or stdin, and must be told where the picture goes. */
TEST(report_arguments)
{
	struct run r;

	run(&r, 0, (const char *[]){ "report", "doc/road-to-oom.jsonl", NULL });
	EXPECT_EQ(2, r.status);
	EXPECT_ONE_LINE_WITH(&r, "report needs --svg FILE");
	run(&r, 0, (const char *[]){ "report", "--svg", "-", "a.jsonl", "b.jsonl", NULL });
	EXPECT_EQ(2, r.status);
	EXPECT_ONE_LINE_WITH(&r, "unexpected argument 'b.jsonl'");
	run(&r, 0, (const char *[]){ "stats", "a.jsonl", NULL });
	EXPECT_EQ(2, r.status);
	EXPECT_ONE_LINE_WITH(&r, "unexpected argument 'a.jsonl'");
	/* the picture to stdout; a well-formed SVG document */
	run(&r, 0, (const char *[]){ "report", "--svg", "-", "doc/road-to-oom.jsonl", NULL });
	EXPECT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_EQ(0, strncmp(r.out, "<?xml", 5));
}

TEST(cgroup_that_does_not_exist)
{
	struct run r;

	run(&r, 0, (const char *[]){ "--cgroup", "/sys/fs/cgroup/oomtrace-no-such-group", NULL });
	EXPECT_EQ(2, r.status);
	EXPECT_ONE_LINE_WITH(&r, "No such file or directory");
}

TEST(cgroup_that_is_not_a_memory_cgroup)
{
	struct run r;

	run(&r, 0, (const char *[]){ "--cgroup", "/tmp", NULL });
	EXPECT_EQ(2, r.status);
	EXPECT_ONE_LINE_WITH(&r, "is not a directory of a memory cgroup hierarchy");
}

TEST(missing_btf)
{
	struct run r;

	if (geteuid())
		SKIP(return, "needs root to get past the privilege check");
	run(&r, 0, (const char *[]){ "--btf", "/nonexistent/vmlinux", NULL });
	EXPECT_EQ(1, r.status);
	EXPECT_ONE_LINE_WITH(&r, "failed to read BTF from /nonexistent/vmlinux: No such file");
	/* tracepoint mode does not parse it itself, and still says so first */
	run(&r, 0, (const char *[]){ "--mode", "tracepoint", "--btf", "/nonexistent/vmlinux",
				     NULL });
	EXPECT_EQ(1, r.status);
	EXPECT_ONE_LINE_WITH(&r, "failed to read BTF from /nonexistent/vmlinux: No such file");
	run(&r, 0, (const char *[]){ "--mode", "tracepoint", "--btf", "/dev/null", NULL });
	EXPECT_EQ(1, r.status);
	EXPECT_ONE_LINE_WITH(&r, "failed to read BTF from /dev/null: neither raw BTF nor ELF");
}

TEST(output_file_cannot_be_created)
{
	struct run r;

	if (geteuid())
		SKIP(return, "needs root to get past the privilege check");
	run(&r, 0, (const char *[]){ "-o", "/nonexistent/out.json", NULL });
	EXPECT_EQ(1, r.status);
	EXPECT_ONE_LINE_WITH(&r, "failed to open /nonexistent/out.json: No such file");
}

TEST(no_privileges)
{
	struct run r;

	if (geteuid())
		SKIP(return, "needs root to drop to an unprivileged uid");
	run(&r, 65534, (const char *[]){ "--mode", "tracepoint", NULL });
	EXPECT_EQ(1, r.status);
	EXPECT_ONE_LINE_WITH(&r, "need root");
}

/* The kernel's own trace event format says which mark_victim ABI it has. */
static const char *kernel_mark_victim_layout(void)
{
	char buf[4096];
	int fd, n;

	fd = open("/sys/kernel/tracing/events/oom/mark_victim/format", O_RDONLY);
	if (fd < 0)
		fd = open("/sys/kernel/debug/tracing/events/oom/mark_victim/format", O_RDONLY);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return strstr(buf, "__data_loc char[] comm") ? "task" : "pid";
}

TEST(probe_matches_the_kernel)
{
	const char *layout = kernel_mark_victim_layout();
	struct json_object *o;
	struct utsname u;
	struct run r;

	if (geteuid())
		SKIP(return, "needs root");
	run(&r, 0, (const char *[]){ "probe", "--json", NULL });
	o = json_tokener_parse(r.out);
	ASSERT_NE(NULL, o) TH_LOG("not JSON: %s / %s", r.out, r.err);
	uname(&u);
	EXPECT_STREQ(u.release, jstr(o, "kernel"));
	if (layout)
		EXPECT_STREQ(layout, jstr(o, "mark_victim_layout"));
	/* tracepoint mode needs only what every kernel we support has */
	EXPECT_TRUE(json_object_get_boolean(jget(o, "modes.tracepoint.available")));
	/* mem_info is read where /proc/kallsyms lists the kernel's vmstat arrays */
	EXPECT_EQ(!kallsyms_lists_vmstat(), jstr(o, "modes.tracepoint.mem_info_reason") != NULL)
		TH_LOG("mem_info_reason: %s", jstr(o, "modes.tracepoint.mem_info_reason"));
	EXPECT_NE(NULL, jstr(o, "auto"));
	EXPECT_EQ(0, r.status);
	json_object_put(o);
}

TEST(forced_mode_the_kernel_lacks)
{
	static const char *const modes[] = { "fentry", "kprobe", "tracepoint" };
	const char *lacking = NULL;
	struct json_object *o;
	char key[64];
	struct run r;
	int i;

	if (geteuid())
		SKIP(return, "needs root");
	run(&r, 0, (const char *[]){ "probe", "--json", NULL });
	o = json_tokener_parse(r.out);
	ASSERT_NE(NULL, o);
	for (i = 0; i < 3 && !lacking; i++) {
		snprintf(key, sizeof(key), "modes.%s.available", modes[i]);
		if (!json_object_get_boolean(jget(o, key)))
			lacking = modes[i];
	}
	json_object_put(o);
	if (!lacking)
		SKIP(return, "this kernel has every attach mode");
	run(&r, 0, (const char *[]){ "--mode", lacking, "--duration", "1", NULL });
	EXPECT_EQ(3, r.status);
	snprintf(key, sizeof(key), "%s mode is not available on this kernel", lacking);
	EXPECT_ONE_LINE_WITH(&r, key);
}

/*
 * deploy/oomtrace.service's four capabilities, and no CAP_SYS_ADMIN: then
 * oomtrace must name the kernel's BTF to libbpf 1.1, which would otherwise
 * walk the modules' BTF and fail ("failed to iterate BTF objects"). Root
 * keeps only its bounding set across exec.
 */
TEST(attaches_with_the_units_capabilities)
{
	static const int keep[] = { CAP_BPF, CAP_PERFMON, CAP_SYSLOG, CAP_IPC_LOCK };
	char err[4096];
	int pipefd[2], st, cap;
	unsigned int i;
	pid_t pid;

	if (geteuid())
		SKIP(return, "needs root");
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dup2(pipefd[1], 2);
		for (cap = 0; prctl(PR_CAPBSET_READ, cap) >= 0; cap++) {
			for (i = 0; i < sizeof(keep) / sizeof(keep[0]) && keep[i] != cap; i++)
				;
			if (i == sizeof(keep) / sizeof(keep[0]) && prctl(PR_CAPBSET_DROP, cap))
				_exit(126);
		}
		execl(oomtrace_bin(), oomtrace_bin(), "--duration", "1", "--comm",
		      "no-such-task", (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	slurp(pipefd[0], err, sizeof(err));
	close(pipefd[0]);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st)) TH_LOG("status %d: %s", st, err);
	EXPECT_NE(NULL, strstr(err, "oomtrace: tracing")) TH_LOG("%s", err);
}

/* "CapEff:" or "Uid:" of /proc/PID/status: the first number on the line. */
static unsigned long long status_field(pid_t pid, const char *key, int base)
{
	char path[64], line[256];
	unsigned long long v = ~0ULL;
	size_t n = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n))
			v = strtoull(line + n, NULL, base);
	if (f)
		fclose(f);
	return v;
}

/*
 * Once attached, oomtrace holds no capability, and with --user it is
 * that user: what /proc says of it while it traces. One start a test:
 * under TCG a start takes about 10 s of the harness's 30.
 */
static void check_dropped(struct __test_metadata *_metadata, const char *user)
{
	char err[] = "/tmp/cli-test-privs-XXXXXX", buf[4096];
	int fd, j, st;
	pid_t pid;

	if (geteuid())
		SKIP(return, "needs root");
	fd = mkstemp(err);
	ASSERT_LE(0, fd);
	unlink(err);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dup2(fd, 2);
		execl(oomtrace_bin(), oomtrace_bin(), "--duration", "30", "--comm",
		      "no-such-task", user ? "--user" : NULL, user, (char *)NULL);
		_exit(127);
	}
	for (j = 0; j < 250; j++) {
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

		buf[n > 0 ? n : 0] = '\0';
		if (strstr(buf, "oomtrace: tracing") || waitpid(pid, &st, WNOHANG))
			break;
		usleep(100 * 1000);
	}
	close(fd);
	ASSERT_NE(NULL, strstr(buf, "oomtrace: tracing")) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		TH_LOG("no tracing line within 25 s: %s", buf);
	}
	EXPECT_EQ(0, status_field(pid, "CapEff:", 16));
	EXPECT_EQ(0, status_field(pid, "CapPrm:", 16));
	EXPECT_EQ(user ? 65534 : 0, status_field(pid, "Uid:", 10));
	kill(pid, SIGINT);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st)) TH_LOG("status %d", st);
}

TEST(privileges_are_dropped_once_attached)
{
	check_dropped(_metadata, NULL);
}

TEST(privileges_are_dropped_to_the_user)
{
	check_dropped(_metadata, "nobody");
}

TEST(unknown_user)
{
	struct run r;

	run(&r, 0, (const char *[]){ "--user", "no-such-user-here", NULL });
	EXPECT_EQ(2, r.status);
	EXPECT_ONE_LINE_WITH(&r, "--user no-such-user-here: no such user");
}

TEST_HARNESS_MAIN
