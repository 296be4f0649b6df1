// SPDX-License-Identifier: GPL-2.0
/*
 * schema/oomtrace.schema.json and scripts/validate-records.py must accept
 * every kind of record oomtrace writes and reject each kind of mistake:
 * a check that never fails proves nothing. Records are written to a
 * temporary JSONL file and the validator is run on it, from the
 * repository's root, as the tests are. The last test has sink_json write
 * what record_build() makes of every shape of raw kernel-side pieces.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "gfp.h"
#include "record.h"
#include "sink.h"

#define SCHEMA "schema/oomtrace.schema.json"
#define VALIDATOR "scripts/validate-records.py"

/* An oom_memcg_stat object, as a kernel without sec_pagetables and zswap prints it,
 * and its event counters. */
#define MEMCG_STAT \
	"\"oom_memcg_stat\":{\"anon\":48332800,\"file\":1228800,\"kernel\":1024000,\"kernel_stack\":98304,\"pagetables\":135168,\"sec_pagetables\":null,\"percpu\":0,\"sock\":0,\"vmalloc\":0,\"shmem\":0,\"zswap\":null,\"zswapped\":null,\"file_mapped\":0,\"file_dirty\":0,\"file_writeback\":0,\"swapcached\":0,\"anon_thp\":0,\"file_thp\":0,\"shmem_thp\":0,\"inactive_anon\":0,\"active_anon\":0,\"inactive_file\":0,\"active_file\":0,\"unevictable\":0,\"slab_reclaimable\":120000,\"slab_unreclaimable\":480000,\"slab\":600000,\"workingset_refault_anon\":0,\"workingset_refault_file\":0,\"workingset_activate_anon\":0,\"workingset_activate_file\":0,\"workingset_restore_anon\":0,\"workingset_restore_file\":0,\"workingset_nodereclaim\":0," \
	"\"pgscan\":4480,\"pgsteal\":3276,\"pgscan_kswapd\":0,\"pgscan_direct\":4480,\"pgsteal_kswapd\":0,\"pgsteal_direct\":3276,\"pgfault\":26000,\"pgmajfault\":7,\"pgrefill\":1200,\"pgactivate\":90,\"pgdeactivate\":300,\"pglazyfree\":0,\"pglazyfreed\":0,\"zswpin\":null,\"zswpout\":null,\"thp_fault_alloc\":0,\"thp_collapse_alloc\":0,\"pgpgin\":25000,\"pgpgout\":13000},"

/* A memcg OOM kill in fentry mode: every field known. */
#define KILL_FENTRY \
	"{\"type\":\"oom_kill\",\"version\":6,\"seq\":3,\"episode\":2," \
	"\"time\":\"2026-11-23T22:41:00.123456Z\",\"mode\":\"fentry\",\"missing\":[]," \
	"\"derived\":[]," \
	"\"outcome\":\"killed\",\"constraint\":\"memcg\"," \
	"\"message\":\"Memory cgroup out of memory\",\"gfp_mask\":\"0xcc0\"," \
	"\"gfp_flags\":\"GFP_KERNEL\",\"order\":0,\"totalpages\":12288," \
	"\"oom_memcg\":\"/app\",\"oom_memcg_identity\":{\"runtime\":null,\"container_id\":null,\"pod_uid\":null,\"qos\":null,\"unit\":null}," \
	"\"oom_memcg_memory\":{\"memory\":{\"usage_kb\":51200,\"limit_kb\":51200,\"failcnt\":31},\"swap\":{\"usage_kb\":0,\"limit_kb\":9007199254740988,\"failcnt\":0},\"memsw\":null,\"kmem\":null}," \
	MEMCG_STAT "\"duration_us\":812,\"mem_info\":null," \
	"\"trigger\":{\"pid\":4242,\"tid\":4243,\"comm\":\"worker\",\"uid\":1000," \
	"\"memcg\":\"/app\",\"oom_score_adj\":0}," \
	"\"victim\":{\"pid\":4242,\"tid\":4242,\"comm\":\"worker\",\"uid\":1000," \
	"\"memcg\":\"/app/kubepods/burstable/pod0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/abababababababababababababababababababababababababababababababab\"," \
	"\"oom_score_adj\":0,\"identity\":{\"runtime\":\"containerd\",\"container_id\":\"abababababababababababababababababababababababababababababababab\"," \
	"\"pod_uid\":\"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\",\"qos\":\"burstable\",\"unit\":null}," \
	"\"points\":12001,\"oom_score\":976," \
	"\"total_vm_kb\":53012,\"anon_rss_kb\":47104,\"file_rss_kb\":1220," \
	"\"shmem_rss_kb\":0,\"swap_kb\":0,\"pgtables_kb\":132}," \
	"\"candidates\":[{\"pid\":4242,\"comm\":\"worker\",\"uid\":1000,\"points\":12001," \
	"\"oom_score_adj\":0,\"rss_pages\":12076,\"swapents\":0,\"pgtables_bytes\":135168}," \
	"{\"pid\":4250,\"comm\":\"helper\",\"uid\":0,\"points\":-50,\"oom_score_adj\":-100," \
	"\"rss_pages\":1150,\"swapents\":0,\"pgtables_bytes\":4096}],\"candidates_scored\":2," \
	"\"skipped\":{\"unkillable\":2,\"ineligible\":0,\"oom_victim\":0,\"no_mm\":1," \
	"\"oom_score_adj_min\":1,\"mm_oom_skip\":0,\"vfork\":0,\"unread\":0,\"tasks\":[" \
	"{\"pid\":4260,\"comm\":\"keeper\",\"uid\":0,\"reason\":\"oom_score_adj_min\"," \
	"\"oom_score_adj\":-1000,\"rss_pages\":800,\"swapents\":0,\"pgtables_bytes\":8192}]}," \
	"\"reclaim\":{\"window_us\":60000000,\"direct\":{\"stalls\":0,\"total_us\":0,\"max_us\":0,\"reclaimed_pages\":0,\"scanned_pages\":0},\"memcg\":{\"stalls\":118,\"total_us\":37483,\"max_us\":15641,\"reclaimed_pages\":32768,\"scanned_pages\":44800},\"kswapd_wakeups\":0,\"reclaim_retries\":0,\"compact_retries\":0,\"psi\":{\"source\":\"system\",\"some\":{\"avg10\":0.00,\"avg60\":0.02,\"total_us\":6088023},\"full\":{\"avg10\":0.00,\"avg60\":0.00,\"total_us\":2914258}}},\"stack\":[\"mark_oom_victim+0x9e\",\"__oom_kill_process+0x5c\"," \
	"\"oom_kill_process+0xfa\",\"out_of_memory+0x1b2\"]}\n"

/* A global OOM in kprobe mode, a group member: not the chosen task, so no
 * points; no OOM memcg, which is known, not missing. */
#define KILL_KPROBE_MEMBER \
	"{\"type\":\"oom_kill\",\"version\":6,\"seq\":9,\"episode\":5," \
	"\"time\":\"2026-01-01T00:00:00.000001Z\",\"mode\":\"kprobe\"," \
	"\"missing\":[\"victim.points\",\"victim.oom_score\",\"candidates\",\"candidates_scored\",\"skipped\"]," \
	"\"derived\":[]," \
	"\"outcome\":\"killed\",\"constraint\":\"none\",\"message\":\"Out of memory\"," \
	"\"gfp_mask\":\"0x140dca\",\"gfp_flags\":\"GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO\"," \
	"\"order\":-1,\"totalpages\":4194304,\"oom_memcg\":null,\"oom_memcg_identity\":null,\"oom_memcg_memory\":null,\"oom_memcg_stat\":null,\"duration_us\":0," \
	"\"mem_info\":{\"active_anon\":1024,\"inactive_anon\":150000,\"isolated_anon\":32," \
	"\"active_file\":210,\"inactive_file\":190,\"isolated_file\":0,\"unevictable\":0," \
	"\"dirty\":3,\"writeback\":0,\"slab_reclaimable\":1900,\"slab_unreclaimable\":5400," \
	"\"mapped\":260,\"shmem\":120,\"pagetables\":810,\"bounce\":0,\"free\":2860," \
	"\"free_cma\":0,\"nodes\":[{\"node\":0,\"free\":1420},{\"node\":1,\"free\":1440}]}," \
	"\"trigger\":{\"pid\":1,\"tid\":1,\"comm\":\"init\",\"uid\":0,\"memcg\":\"/\"," \
	"\"oom_score_adj\":-1000}," \
	"\"victim\":{\"pid\":4194304,\"tid\":4194304,\"comm\":\"\",\"uid\":4294967295," \
	"\"memcg\":\"/.../k/l\",\"oom_score_adj\":1000,\"identity\":null,\"points\":null,\"oom_score\":null," \
	"\"total_vm_kb\":0,\"anon_rss_kb\":0,\"file_rss_kb\":0,\"shmem_rss_kb\":0," \
	"\"swap_kb\":0,\"pgtables_kb\":0},\"candidates\":null,\"candidates_scored\":null,\"skipped\":null,\"reclaim\":null,\"stack\":[\"0xffffffff81234567\"]}\n"

/* An exiting task in fentry mode: no kill, so no message, and none missing;
 * points may be negative under a negative oom_score_adj. */
#define KILL_EXITING \
	"{\"type\":\"oom_kill\",\"version\":6,\"seq\":10,\"episode\":6," \
	"\"time\":\"2026-01-01T00:00:01.999999Z\",\"mode\":\"fentry\",\"missing\":[]," \
	"\"derived\":[]," \
	"\"outcome\":\"exiting\",\"constraint\":\"cpuset\",\"message\":null," \
	"\"gfp_mask\":\"0x0\",\"gfp_flags\":\"\",\"order\":3,\"totalpages\":1," \
	"\"oom_memcg\":null,\"oom_memcg_identity\":null,\"oom_memcg_memory\":null,\"oom_memcg_stat\":null,\"duration_us\":5," \
	"\"mem_info\":{\"active_anon\":1024,\"inactive_anon\":150000,\"isolated_anon\":32," \
	"\"active_file\":210,\"inactive_file\":190,\"isolated_file\":0,\"unevictable\":0," \
	"\"dirty\":3,\"writeback\":0,\"slab_reclaimable\":1900,\"slab_unreclaimable\":5400," \
	"\"mapped\":260,\"shmem\":120,\"pagetables\":810,\"bounce\":null,\"free\":2860," \
	"\"free_cma\":0,\"nodes\":[{\"node\":0,\"free\":1420},{\"node\":1,\"free\":1440}]}," \
	"\"trigger\":{\"pid\":7,\"tid\":8,\"comm\":\"a\",\"uid\":0,\"memcg\":\"/\"," \
	"\"oom_score_adj\":0}," \
	"\"victim\":{\"pid\":7,\"tid\":7,\"comm\":\"a\",\"uid\":0,\"memcg\":\"/\"," \
	"\"oom_score_adj\":-999,\"identity\":null,\"points\":-5000,\"oom_score\":0,\"total_vm_kb\":1," \
	"\"anon_rss_kb\":1,\"file_rss_kb\":1,\"shmem_rss_kb\":1,\"swap_kb\":1," \
	"\"pgtables_kb\":1},\"candidates\":[],\"candidates_scored\":0," \
	"\"skipped\":{\"unkillable\":0,\"ineligible\":0,\"oom_victim\":0,\"no_mm\":0,\"oom_score_adj_min\":0,\"mm_oom_skip\":0,\"vfork\":0,\"unread\":0,\"tasks\":[]},\"reclaim\":null,\"stack\":[]}\n"

/* Tracepoint mode: what mark_victim cannot see is null and named. */
#define KILL_TRACEPOINT \
	"{\"type\":\"oom_kill\",\"version\":6,\"seq\":11,\"episode\":7," \
	"\"time\":\"2026-11-23T22:41:00.123456Z\",\"mode\":\"tracepoint\"," \
	"\"missing\":[\"gfp_mask\",\"gfp_flags\",\"order\",\"totalpages\"," \
	"\"duration_us\",\"victim.points\",\"victim.oom_score\",\"candidates\",\"candidates_scored\",\"skipped\"]," \
	"\"derived\":[\"oom_memcg\",\"oom_memcg_memory\",\"oom_memcg_stat\"]," \
	"\"outcome\":\"killed\",\"constraint\":\"memcg\"," \
	"\"message\":\"Memory cgroup out of memory\",\"gfp_mask\":null,\"gfp_flags\":null," \
	"\"order\":null,\"totalpages\":null,\"oom_memcg\":\"/app\"," \
	"\"oom_memcg_identity\":{\"runtime\":null,\"container_id\":null,\"pod_uid\":null,\"qos\":null,\"unit\":null}," \
	"\"oom_memcg_memory\":{\"memory\":{\"usage_kb\":65536,\"limit_kb\":65536,\"failcnt\":80},\"swap\":null,\"memsw\":{\"usage_kb\":65536,\"limit_kb\":9007199254740988,\"failcnt\":0},\"kmem\":{\"usage_kb\":1024,\"limit_kb\":9007199254740988,\"failcnt\":0}}," \
	MEMCG_STAT "\"duration_us\":null,\"mem_info\":null," \
	"\"trigger\":{\"pid\":4242,\"tid\":4242,\"comm\":\"tail\",\"uid\":0," \
	"\"memcg\":\"/app\",\"oom_score_adj\":0}," \
	"\"victim\":{\"pid\":4242,\"tid\":4242,\"comm\":\"tail\",\"uid\":0," \
	"\"memcg\":\"/app\",\"oom_score_adj\":0,\"identity\":null,\"points\":null,\"oom_score\":null," \
	"\"total_vm_kb\":5,\"anon_rss_kb\":6,\"file_rss_kb\":7,\"shmem_rss_kb\":8," \
	"\"swap_kb\":9,\"pgtables_kb\":10},\"candidates\":null,\"candidates_scored\":null,\"skipped\":null,\"reclaim\":null,\"stack\":[\"mark_oom_victim+0x9e\"]}\n"

/* Tracepoint mode at its worst: the old `int pid` mark_victim, no stack,
 * no kallsyms. Everything but the victim's tid is missing. */
#define KILL_TRACEPOINT_BLIND \
	"{\"type\":\"oom_kill\",\"version\":6,\"seq\":12,\"episode\":8," \
	"\"time\":\"1970-01-01T00:00:00.000000Z\",\"mode\":\"tracepoint\"," \
	"\"missing\":[\"outcome\",\"constraint\",\"message\",\"gfp_mask\",\"gfp_flags\"," \
	"\"order\",\"totalpages\",\"oom_memcg\",\"oom_memcg_memory\",\"oom_memcg_stat\",\"duration_us\",\"mem_info\",\"mem_info.nodes\",\"victim.pid\"," \
	"\"victim.comm\",\"victim.uid\",\"victim.memcg\",\"victim.oom_score_adj\"," \
	"\"victim.points\",\"victim.oom_score\",\"victim.total_vm_kb\"," \
	"\"victim.anon_rss_kb\",\"victim.file_rss_kb\",\"victim.shmem_rss_kb\"," \
	"\"victim.swap_kb\",\"victim.pgtables_kb\",\"candidates\",\"candidates_scored\",\"skipped\",\"stack\"]," \
	"\"derived\":[]," \
	"\"outcome\":null,\"constraint\":null,\"message\":null,\"gfp_mask\":null," \
	"\"gfp_flags\":null,\"order\":null,\"totalpages\":null,\"oom_memcg\":null," \
	"\"oom_memcg_identity\":null,\"oom_memcg_memory\":null,\"oom_memcg_stat\":null,\"duration_us\":null,\"mem_info\":null," \
	"\"trigger\":{\"pid\":2,\"tid\":3,\"comm\":\"kworker/0:1\",\"uid\":0," \
	"\"memcg\":\"/\",\"oom_score_adj\":0}," \
	"\"victim\":{\"pid\":null,\"tid\":99,\"comm\":null,\"uid\":null,\"memcg\":null," \
	"\"oom_score_adj\":null,\"identity\":null,\"points\":null,\"oom_score\":null,\"total_vm_kb\":null," \
	"\"anon_rss_kb\":null,\"file_rss_kb\":null,\"shmem_rss_kb\":null," \
	"\"swap_kb\":null,\"pgtables_kb\":null},\"candidates\":null,\"candidates_scored\":null,\"skipped\":null,\"reclaim\":null,\"stack\":null}\n"

/*
 * Hostile names as json.c writes them: quotes, backslashes, control bytes
 * (named and \u escapes), invalid bytes as \ufffd, U+FFFD and other UTF-8
 * raw, a 15-character comm, and a cgroup path cut to its last components.
 */
#define KILL_HOSTILE \
	"{\"type\":\"oom_kill\",\"version\":6,\"seq\":13,\"episode\":9," \
	"\"time\":\"2026-11-23T22:41:00.123456Z\",\"mode\":\"fentry\",\"missing\":[]," \
	"\"derived\":[]," \
	"\"outcome\":\"killed\",\"constraint\":\"memcg\"," \
	"\"message\":\"Memory cgroup out of memory\",\"gfp_mask\":\"0xcc0\"," \
	"\"gfp_flags\":\"GFP_KERNEL\",\"order\":0,\"totalpages\":12288," \
	"\"oom_memcg\":\"/...//a \\\"b\\\" c\\\\d/\\ufffd\\u001b[31m\"," \
	"\"oom_memcg_identity\":null,\"oom_memcg_memory\":null,\"oom_memcg_stat\":null,\"duration_us\":812,\"mem_info\":null," \
	"\"trigger\":{\"pid\":4242,\"tid\":4243,\"comm\":\"a \\\"b\\\" c\\\\d\",\"uid\":1000," \
	"\"memcg\":\"/caf\xc3\xa9/\xef\xbf\xbd" "x\\t\\n\\r\\b\\f\\u0001\\u007f\"," \
	"\"oom_score_adj\":0}," \
	"\"victim\":{\"pid\":4242,\"tid\":4242," \
	"\"comm\":\"\\ufffd\\ufffd\\\\\\\"\\u0001\\u001f\\u007f\\t\\n\xe2\x82\xac" "12345\"," \
	"\"uid\":1000,\"memcg\":\"/app/\\\"quoted\\\"\",\"oom_score_adj\":0," \
	"\"identity\":null,\"points\":12001,\"oom_score\":976,\"total_vm_kb\":53012,\"anon_rss_kb\":47104," \
	"\"file_rss_kb\":1220,\"shmem_rss_kb\":0,\"swap_kb\":0,\"pgtables_kb\":132}," \
	"\"candidates\":[{\"pid\":4242,\"comm\":\"\\ufffd\\\\\\\"\\u0001\",\"uid\":1000," \
	"\"points\":12001,\"oom_score_adj\":0,\"rss_pages\":1,\"swapents\":0,\"pgtables_bytes\":0}]," \
	"\"candidates_scored\":1,\"skipped\":{\"unkillable\":0,\"ineligible\":0,\"oom_victim\":0,\"no_mm\":0,\"oom_score_adj_min\":0,\"mm_oom_skip\":0,\"vfork\":0,\"unread\":0,\"tasks\":[]}," \
	"\"reclaim\":null,\"stack\":[\"mark_oom_victim+0x9e\"]}\n"

#define LOST \
	"{\"type\":\"lost\",\"version\":6,\"time\":\"2026-11-23T22:41:01.000000Z\"," \
	"\"count\":3,\"total\":5}\n"

#define SUMMARY \
	"{\"type\":\"summary\",\"version\":6,\"mode\":\"tracepoint\",\"records\":6," \
	"\"filtered\":1,\"lost\":5,\"episodes\":4,\"episodes_without_victim\":0," \
	"\"incomplete_episodes\":1,\"reaps\":4,\"lost_followups\":1}\n"

#define REAP_REAPED \
	"{\"type\":\"oom_reap\",\"version\":6,\"seq\":3,\"time\":\"2026-11-23T22:41:05.250000Z\"," \
	"\"pid\":4242,\"tid\":4242,\"comm\":\"hog\",\"reaper\":\"reaped\",\"attempts\":1," \
	"\"skips\":0,\"wake_us\":2004012,\"reaped_us\":2004530,\"exit_us\":5250004," \
	"\"anon_rss_kb\":0,\"file_rss_kb\":1220,\"shmem_rss_kb\":0}\n"

#define REAP_NOT_NEEDED \
	"{\"type\":\"oom_reap\",\"version\":6,\"seq\":9,\"time\":\"2026-11-23T22:41:01.000200Z\"," \
	"\"pid\":4243,\"tid\":4244,\"comm\":\"worker\",\"reaper\":\"not_needed\",\"attempts\":0," \
	"\"skips\":0,\"wake_us\":null,\"reaped_us\":null,\"exit_us\":3120," \
	"\"anon_rss_kb\":null,\"file_rss_kb\":null,\"shmem_rss_kb\":null}\n"

#define SAMPLE_SYSTEM \
	"{\"type\":\"memory_sample\",\"version\":6,\"time\":\"2026-11-23T22:41:00.200000Z\"," \
	"\"memcg\":null,\"usage_kb\":1048576,\"limit_kb\":24598020}\n"

#define SAMPLE_MEMCG \
	"{\"type\":\"memory_sample\",\"version\":6,\"time\":\"2026-11-23T22:41:00.200000Z\"," \
	"\"memcg\":\"/app\",\"usage_kb\":49152,\"limit_kb\":9007199254740988}\n"

struct result {
	int status;		/* exit code, or 128 + signal */
	char err[8192];		/* its stderr */
};

/* Run cmd[] with stdout dropped and stderr kept. */
static void run(struct result *r, const char *const *cmd)
{
	int pipefd[2], st;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(pipefd))
		abort();
	pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(pipefd[1], 2);
		execvp(cmd[0], (char **)cmd);
		_exit(127);
	}
	close(pipefd[1]);
	while (got < sizeof(r->err) - 1 &&
	       (n = read(pipefd[0], r->err + got, sizeof(r->err) - 1 - got)) > 0)
		got += n;
	r->err[got] = '\0';
	close(pipefd[0]);
	waitpid(pid, &st, 0);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Validate the file at path. Returns why the validator cannot run here
 * (the test is then skipped), or NULL. */
static const char *validate_file(struct __test_metadata *_metadata, struct result *r,
				 const char *path)
{
	const char *cmd[] = { "python3", VALIDATOR, SCHEMA, path, NULL };

	ASSERT_EQ(0, access(VALIDATOR, R_OK)) TH_LOG("run from the repository root");
	ASSERT_EQ(0, access(SCHEMA, R_OK)) TH_LOG("run from the repository root");
	run(r, cmd);
	if (r->status == 127)
		return "python3 is not installed";
	if (r->status == 2 && strstr(r->err, "needs the jsonschema module"))
		return "python3 has no jsonschema module with Draft 2020-12 "
		       "(Debian: python3-jsonschema)";
	return NULL;
}

/* The same for len bytes of text, in a temporary file. */
static const char *validate(struct __test_metadata *_metadata, struct result *r,
			    const char *text, size_t len)
{
	char path[] = "/tmp/oomtrace-schema-XXXXXX";
	const char *why;
	int fd = mkstemp(path);

	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)len, write(fd, text, len));
	close(fd);
	why = validate_file(_metadata, r, path);
	unlink(path);
	return why;
}

#define VALIDATE(r, text, len) do {						\
	const char *why = validate(_metadata, &(r), text, len);			\
										\
	if (why)								\
		SKIP(return, "%s", why);					\
} while (0)

TEST(valid_records_of_every_type_pass)
{
	static const char text[] = KILL_FENTRY KILL_KPROBE_MEMBER KILL_EXITING
		KILL_TRACEPOINT KILL_TRACEPOINT_BLIND KILL_HOSTILE REAP_REAPED
		REAP_NOT_NEEDED LOST SUMMARY SAMPLE_SYSTEM SAMPLE_MEMCG;
	struct result r;

	VALIDATE(r, text, strlen(text));
	EXPECT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_STREQ("", r.err);
}

TEST(empty_file_passes)
{
	struct result r;

	VALIDATE(r, "", 0);
	EXPECT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
}

/*
 * A valid line 1, then line 2: record with its first `from` replaced by
 * `to`. The validator must fail, on line 2 only, naming `why`.
 */
static void expect_invalid(struct __test_metadata *_metadata, const char *record,
			   const char *from, const char *to, const char *why)
{
	const char *at = strstr(record, from);
	char text[8192], want[128];
	struct result r;
	int len;

	ASSERT_NE(NULL, at) TH_LOG("'%s' is not in the record", from);
	len = snprintf(text, sizeof(text), "%s%.*s%s%s", KILL_FENTRY,
		       (int)(at - record), record, to, at + strlen(from));
	ASSERT_GT((int)sizeof(text), len);
	VALIDATE(r, text, len);
	EXPECT_EQ(1, r.status) TH_LOG("stderr: %s", r.err);
	snprintf(want, sizeof(want), "line 2: ");
	EXPECT_EQ(0, strncmp(r.err, want, strlen(want))) TH_LOG("stderr: %s", r.err);
	EXPECT_EQ(NULL, strstr(r.err, "line 1:")) TH_LOG("stderr: %s", r.err);
	EXPECT_NE(NULL, strstr(r.err, why)) TH_LOG("want '%s' in: %s", why, r.err);
}

#define INVALID(name, record, from, to, why)					\
TEST(name)									\
{										\
	expect_invalid(_metadata, record, from, to, why);			\
}

INVALID(missing_field_fails, KILL_FENTRY, "\"duration_us\":812,", "", "duration_us")
INVALID(extra_field_fails, KILL_FENTRY, "\"version\":6,", "\"version\":6,\"extra\":1,",
	"extra")
INVALID(extra_victim_field_fails, KILL_FENTRY, "\"victim\":{", "\"victim\":{\"cpu\":3,",
	"cpu")
INVALID(bad_pod_uid_fails, KILL_FENTRY, "\"pod_uid\":\"0f1e2d3c", "\"pod_uid\":\"0F1E2D3C",
	"pod_uid")
INVALID(identity_without_unit_fails, KILL_FENTRY, ",\"unit\":null}", "}", "unit")
INVALID(wrong_type_fails, KILL_FENTRY, "\"seq\":3", "\"seq\":\"3\"", "seq")
INVALID(oom_score_out_of_range_fails, KILL_FENTRY, "\"oom_score\":976",
	"\"oom_score\":1001", "victim.oom_score")
INVALID(bad_time_format_fails, KILL_FENTRY, ".123456Z", ".123Z", "time")
INVALID(unknown_missing_name_fails, KILL_FENTRY, "\"missing\":[]",
	"\"missing\":[\"victim.bogus\"]", "missing[0]")
INVALID(null_not_named_in_missing_fails, KILL_FENTRY, "\"duration_us\":812",
	"\"duration_us\":null", "duration_us")
INVALID(named_in_missing_but_not_null_fails, KILL_FENTRY, "\"missing\":[]",
	"\"missing\":[\"stack\"]", "stack")
INVALID(bad_gfp_mask_fails, KILL_FENTRY, "\"0xcc0\"", "\"0xCC0\"", "gfp_mask")
INVALID(unknown_mode_fails, KILL_FENTRY, "\"fentry\"", "\"auto\"", "mode")
INVALID(raw_invalid_utf8_fails, KILL_FENTRY, "\"worker\"", "\"work\xff\"", "UTF-8")
INVALID(lost_without_total_fails, LOST, ",\"total\":5", "", "total")
INVALID(negative_summary_count_fails, SUMMARY, "\"episodes\":4", "\"episodes\":-1",
	"episodes")
INVALID(memory_without_counter_fails, KILL_FENTRY, "\"memsw\":null,", "", "memsw")
INVALID(unknown_derived_name_fails, KILL_FENTRY, "\"derived\":[]", "\"derived\":[\"stack\"]",
	"derived")
INVALID(candidate_without_points_fails, KILL_FENTRY, "\"points\":-50,", "", "points")
INVALID(unknown_skip_reason_fails, KILL_FENTRY, "\"reason\":\"oom_score_adj_min\"",
	"\"reason\":\"big\"", "reason")
INVALID(skipped_without_count_fails, KILL_FENTRY, "\"vfork\":0,", "", "vfork")
INVALID(psi_null_not_missing_fails, KILL_FENTRY, "\"psi\":{\"source\":\"system\","
	"\"some\":{\"avg10\":0.00,\"avg60\":0.02,\"total_us\":6088023},"
	"\"full\":{\"avg10\":0.00,\"avg60\":0.00,\"total_us\":2914258}}", "\"psi\":null", "psi")
INVALID(psi_missing_but_not_null_fails, KILL_FENTRY, "\"missing\":[]",
	"\"missing\":[\"reclaim.psi\"]", "psi")
INVALID(stalls_without_max_fails, KILL_FENTRY, "\"max_us\":15641,", "", "max_us")
INVALID(unknown_psi_source_fails, KILL_FENTRY, "\"source\":\"system\"",
	"\"source\":\"node\"", "source")
INVALID(candidates_null_not_missing_fails, KILL_EXITING, "\"candidates\":[]",
	"\"candidates\":null", "candidates")
INVALID(tracepoint_with_candidates_fails, KILL_TRACEPOINT, "\"candidates\":null",
	"\"candidates\":[]", "candidates")
INVALID(memcg_oom_with_mem_info_fails, KILL_FENTRY, "\"mem_info\":null",
	"\"mem_info\":{}", "mem_info")
INVALID(memcg_stat_without_pgscan_fails, KILL_FENTRY, "\"pgscan\":4480,", "", "pgscan")
INVALID(memcg_events_missing_but_not_null_fails, KILL_FENTRY, "\"missing\":[]",
	"\"missing\":[\"oom_memcg_stat.events\"]", "oom_memcg_stat")
INVALID(mem_info_without_free_fails, KILL_KPROBE_MEMBER, "\"free\":2860,", "", "free")
INVALID(mem_info_nodes_null_not_missing_fails, KILL_EXITING,
	"\"nodes\":[{\"node\":0,\"free\":1420},{\"node\":1,\"free\":1440}]", "\"nodes\":null",
	"nodes")
INVALID(unknown_type_fails, SUMMARY, "\"summary\"", "\"stats\"", "type")
INVALID(summary_without_followups_fails, SUMMARY, ",\"lost_followups\":1", "",
	"lost_followups")
INVALID(reaped_without_rss_fails, REAP_REAPED, "\"anon_rss_kb\":0", "\"anon_rss_kb\":null",
	"anon_rss_kb")
INVALID(not_reaped_with_rss_fails, REAP_NOT_NEEDED, "\"file_rss_kb\":null",
	"\"file_rss_kb\":12", "file_rss_kb")
INVALID(sample_without_memcg_fails, SAMPLE_SYSTEM, "\"memcg\":null,", "", "memcg")
INVALID(sample_with_empty_memcg_fails, SAMPLE_MEMCG, "\"/app\"", "\"\"", "memcg")
INVALID(negative_sample_usage_fails, SAMPLE_MEMCG, "\"usage_kb\":49152",
	"\"usage_kb\":-1", "usage_kb")
INVALID(unknown_reaper_fails, REAP_NOT_NEEDED, "\"not_needed\"", "\"gone\"", "reaper")

TEST(non_object_line_fails)
{
	static const char text[] = KILL_FENTRY "[1,2]\n";
	struct result r;

	VALIDATE(r, text, strlen(text));
	EXPECT_EQ(1, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_EQ(0, strncmp(r.err, "line 2: not a JSON object", 25))
		TH_LOG("stderr: %s", r.err);
}

TEST(truncated_last_line_fails)
{
	/* what a writer killed mid-line leaves: no closing brace, no newline */
	static const char text[] = KILL_FENTRY SUMMARY;
	struct result r;

	VALIDATE(r, text, strlen(text) - 5);
	EXPECT_EQ(1, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_EQ(0, strncmp(r.err, "line 2: ", 8)) TH_LOG("stderr: %s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "no newline")) TH_LOG("stderr: %s", r.err);
}

TEST(complete_line_without_newline_fails)
{
	/* even a whole object: the stream must end with a newline */
	static const char text[] = KILL_FENTRY SUMMARY;
	struct result r;

	VALIDATE(r, text, strlen(text) - 1);
	EXPECT_EQ(1, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "line 2: no newline")) TH_LOG("stderr: %s", r.err);
}

/* A cgroup path of 10 hostile components and more above them: "/...". */
static void hostile_path(struct oomtrace_cgpath *p, int seed)
{
	int i;

	p->depth = OOMTRACE_CG_DEPTH;
	p->truncated = 1;
	for (i = 0; i < OOMTRACE_CG_DEPTH; i++)
		snprintf(p->name[i], sizeof(p->name[i]), "c%d \"q\" \\ \x01\xff\xe2\x82%d",
			 i, seed);
}

/* Raw pieces as the kernel side sends them, in one of the shapes bits
 * selects: which hooks saw it, what could be read. */
static void make_raw(struct oomtrace_victim_rec *r, unsigned int bits, unsigned int i)
{
	memset(r, 0, sizeof(*r));
	r->hdr.ts_ns = 1000000000ULL * i + i;
	r->seq = i + 1;
	r->flags = (bits & 1 ? OOMTRACE_VICTIM_TASK : 0) | (bits & 2 ? OOMTRACE_VICTIM_MM : 0);
	r->oom.flags = (bits & 4 ? OOMTRACE_OOM_ENTRY : 0) | (bits & 8 ? OOMTRACE_OOM_KILL : 0);
	r->stack_len = bits & 16 ? 3 * sizeof(__u64) : -14;
	r->stack[0] = 0xffffffff81000000ULL + i;
	r->stack[1] = 0;
	r->stack[2] = ~0ULL;
	r->trigger.pid = 1 + i;
	r->trigger.tid = 2 + i;
	r->trigger.uid = i % 2 ? 0 : 4294967295U;
	r->trigger.oom_score_adj = i % 2 ? -1000 : 1000;
	/* 15 bytes and the NUL: a comm as long as the kernel keeps */
	memcpy(r->trigger.comm, "a\"b\\c\t\x01\x7f\xff\xc3\xa9\xe2\x82\xac\xe2",
	       OOMTRACE_COMM_LEN);
	hostile_path(&r->trigger.memcg, i);
	r->victim = r->trigger;
	r->victim.tid = 3 + i;
	r->victim.memcg.depth = i % 3;	/* 0: "/" */
	r->total_vm = i;
	r->pgtables_bytes = 1023 + i;
	r->oom.gfp_mask = i % 5 ? 0xcc0 : 0;
	r->oom.order = (int)(i % 3) - 1;
	r->oom.constraint = i % 4;
	r->oom.totalpages = i % 7;
	r->oom.points = i % 2 ? -(__s64)i : (__s64)i * 1000;
	/* another task's points: a group member */
	r->oom.chosen_pid = bits & 32 ? r->victim.pid : r->victim.pid + 1;
	strcpy(r->oom.message, i % 2 ? "Out of memory" : "Memory cgroup out of memory");
	r->oom.memcg_set = i % 2;	/* 0: a global OOM, null but known */
	hostile_path(&r->oom.memcg, i + 1);
}

/* The validator reads some 400 records: minutes under QEMU's TCG. */
FIXTURE(slow) {
};

FIXTURE_SETUP(slow)
{
}

FIXTURE_TEARDOWN(slow)
{
}

TEST_F_TIMEOUT(slow, sink_json_writes_valid_records, 600)
{
	static const enum oom_mode modes[] = { MODE_FENTRY, MODE_KPROBE, MODE_TRACEPOINT };
	char path[] = "/tmp/oomtrace-schema-XXXXXX";
	struct gfp_table gfp = { 0 };	/* no names: flags print as hex */
	struct trace_summary sum = { .final = 1, .mode = MODE_TRACEPOINT, .records = 3,
				     .lost = 1 };
	struct oomtrace_end_rec end = { .duration_ns = 123456 };
	struct loss_report l1 = { .count = 1, .total = 1 };
	struct loss_report l2 = { .time_ns = 1LL << 62, .count = 1000, .total = ~0ULL };
	struct oomtrace_victim_rec *raw = malloc(sizeof(*raw));
	struct oom_record *rec = malloc(sizeof(*rec));
	struct record_env env = { .gfp = &gfp, .page_kb = 4,
				  .boot_to_unix_ns = 1700000000LL * 1000000000LL };
	struct sink_config cfg = {};
	unsigned int m, bits, n = 0;
	struct sink *s;
	const char *why;
	struct result r;
	int fd;

	ASSERT_NE(NULL, raw);
	ASSERT_NE(NULL, rec);
	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	cfg.f = fdopen(fd, "w");
	ASSERT_NE(NULL, cfg.f);
	s = sink_json.open(&cfg);
	ASSERT_NE(NULL, s);
	/* every shape of raw pieces, with and without the end, in each mode */
	for (m = 0; m < 3; m++) {
		for (bits = 0; bits < 128; bits++) {
			struct record_src src = { .mode = modes[m], .episode = n + 1,
						  .raw = raw, .end = bits & 64 ? &end : NULL,
						  .stack = n % 8 };

			make_raw(raw, bits, n++);
			/* tracepoint mode hooks neither out_of_memory() nor
			 * oom_kill_process() */
			if (modes[m] == MODE_TRACEPOINT) {
				raw->oom.flags = 0;
				src.end = NULL;
			}
			record_build(rec, &env, &src);
			EXPECT_EQ(0, sink_json.record(s, rec));
		}
	}
	/* reap records: reaped or not, woken or not, times before the kill */
	for (bits = 0; bits < 16; bits++) {
		struct oomtrace_reap_rec rr = {
			.hdr = { .ts_ns = 5000000000ULL }, .seq = bits + 1, .pid = 7, .tid = 8,
			.kill_ns = bits & 1 ? 1000 : 6000000000ULL, .wake_ns = bits & 2 ? 2000 : 0,
			.finish_ns = bits & 4 ? 3000 : 0, .skips = bits & 8, .anon_rss = bits,
			.comm = "\xff\x01q\"",
		};
		struct reap_record rp;

		reap_build(&rp, &env, &rr);
		EXPECT_EQ(0, sink_json.reap(s, &rp));
	}
	/* memory samples: the system and a memcg, no limit and the largest */
	for (bits = 0; bits < 4; bits++) {
		struct mem_sample ms = { .time_ns = bits * 100000000LL, .usage_kb = bits,
					 .limit_kb = bits & 1 ? 9007199254740988ULL : 65536 };

		snprintf(ms.memcg, sizeof(ms.memcg), "%s", bits & 2 ? "/a/\xff\"b" : "");
		EXPECT_EQ(0, sink_json.sample(s, &ms));
	}
	EXPECT_EQ(0, sink_json.lost(s, &l1));
	EXPECT_EQ(0, sink_json.lost(s, &l2));
	EXPECT_EQ(0, sink_json.summary(s, &sum));
	EXPECT_EQ(0, sink_json.close(s));
	ASSERT_EQ(0, fclose(cfg.f));
	free(raw);
	free(rec);
	why = validate_file(_metadata, &r, path);
	unlink(path);
	if (why)
		SKIP(return, "%s", why);
	EXPECT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
}

TEST_HARNESS_MAIN
