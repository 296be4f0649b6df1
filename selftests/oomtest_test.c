// SPDX-License-Identifier: GPL-2.0
/*
 * The live tests' own parsers: the /dev/kmsg lines of mm/oom_kill.c that
 * they hold oomtrace against, and the records' times.
 */
#include "kselftest_harness.h"
#include "oomtest.h"
#include "timefmt.h"

TEST(killed_process)
{
	struct kmsg_kill k = {};

	ASSERT_EQ(0, kmsg_parse_killed("Memory cgroup out of memory: Killed process 4242 "
				       "(oomtest-hog) total-vm:20588kB, anon-rss:16120kB, "
				       "file-rss:1280kB, shmem-rss:4kB, UID:65534 "
				       "pgtables:84kB oom_score_adj:-17", &k));
	EXPECT_EQ(4242, k.pid);
	EXPECT_STREQ("oomtest-hog", k.comm);
	EXPECT_EQ(20588, k.total_vm);
	EXPECT_EQ(16120, k.anon_rss);
	EXPECT_EQ(1280, k.file_rss);
	EXPECT_EQ(4, k.shmem_rss);
	EXPECT_EQ(65534, k.uid);
	EXPECT_EQ(84, k.pgtables);
	EXPECT_EQ(-17, k.oom_score_adj);
}

/* A comm is any 15 bytes: even the text that ends it. */
TEST(killed_process_comm_holds_its_end)
{
	struct kmsg_kill k = {};

	ASSERT_EQ(0, kmsg_parse_killed("Out of memory: Killed process 7 (a) total-vm:1 ("
				       ") total-vm:8kB, anon-rss:1kB, file-rss:2kB, "
				       "shmem-rss:3kB, UID:0 pgtables:4kB oom_score_adj:0", &k));
	EXPECT_STREQ("a) total-vm:1 (", k.comm);
	EXPECT_EQ(8, k.total_vm);
}

/* __show_free_areas() of v6.1: its summary is one message with newlines in it. */
TEST(mem_info)
{
	struct kmsg_meminfo m = {};
	int i;

	ASSERT_EQ(0, kmsg_parse_meminfo("active_anon:1024 inactive_anon:150000 isolated_anon:32\n"
					" active_file:210 inactive_file:190 isolated_file:0\n"
					" unevictable:0 dirty:3 writeback:0\n"
					" slab_reclaimable:1900 slab_unreclaimable:5400\n"
					" mapped:260 shmem:120 pagetables:810\n"
					" sec_pagetables:7 bounce:0\n"
					" kernel_misc_reclaimable:0\n"
					" free:2860 free_pcp:61 free_cma:0", &m));
	for (i = 0; i < KMSG_MEM_ITEMS; i++) {
		const char *key = kmsg_mem_keys[i];

		EXPECT_TRUE(m.has[i]) TH_LOG("%s", key);
	}
	EXPECT_EQ(1024, m.item[0]);
	EXPECT_EQ(150000, m.item[1]);
	EXPECT_EQ(5400, m.item[10]);
	EXPECT_EQ(810, m.item[13]);	/* pagetables, not sec_pagetables */
	EXPECT_EQ(2860, m.item[15]);	/* free, not free_pcp */
	EXPECT_EQ(0, m.item[16]);
	/* the node's own line has no zone free; its zones' lines add up */
	EXPECT_EQ(-1, kmsg_parse_meminfo("Node 1 active_anon:4096kB inactive_anon:300000kB "
					 "active_file:420kB all_unreclaimable? yes", &m));
	EXPECT_EQ(0, kmsg_parse_meminfo("Node 1 DMA32 free:4444kB boost:0kB min:2100kB "
					"low:2624kB high:3148kB", &m));
	EXPECT_EQ(0, kmsg_parse_meminfo("Node 1 Normal free:1280kB boost:0kB min:500kB", &m));
	EXPECT_EQ(-1, kmsg_parse_meminfo("Node 1 Normal: 10*4kB (UM) 4*8kB = 72kB", &m));
	EXPECT_EQ(-1, kmsg_parse_meminfo("lowmem_reserve[]: 0 0 0 0 0", &m));
	EXPECT_TRUE(m.node_seen[1]);
	EXPECT_FALSE(m.node_seen[0]);
	EXPECT_EQ(5724, m.node_free_kb[1]);
	/* past the summary, a counter's name is not the summary's */
	EXPECT_EQ(-1, kmsg_parse_meminfo("free:1", &m));
	EXPECT_EQ(2860, m.item[15]);
}

TEST(reaped_process)
{
	struct kmsg_reap r = {};

	ASSERT_EQ(0, kmsg_parse_reaped("oom_reaper: reaped process 4242 (oomtest-stuck), now "
				       "anon-rss:0kB, file-rss:1536kB, shmem-rss:4096kB", &r));
	EXPECT_EQ(4242, r.pid);
	EXPECT_STREQ("oomtest-stuck", r.comm);
	EXPECT_EQ(0, r.anon_rss);
	EXPECT_EQ(1536, r.file_rss);
	EXPECT_EQ(4096, r.shmem_rss);
}

/* What /dev/kmsg escapes (\xNN) is unescaped before it is parsed. */
TEST(reaped_process_odd_comm)
{
	struct kmsg_reap r = {};

	ASSERT_EQ(0, kmsg_parse_reaped("oom_reaper: reaped process 9 (x\001), now (\n\"), now "
				       "anon-rss:1kB, file-rss:2kB, shmem-rss:3kB", &r));
	EXPECT_STREQ("x\001), now (\n\"", r.comm);
	EXPECT_EQ(1, r.anon_rss);
	EXPECT_EQ(2, r.file_rss);
	EXPECT_EQ(3, r.shmem_rss);
}

TEST(not_reaped)
{
	struct kmsg_reap r = {};

	EXPECT_EQ(-1, kmsg_parse_reaped("oom_reaper: unable to reap pid:9 (hog)", &r));
	EXPECT_EQ(-1, kmsg_parse_reaped("Out of memory: Killed process 9 (hog) total-vm:8kB, "
					"anon-rss:1kB, file-rss:2kB, shmem-rss:3kB, UID:0 "
					"pgtables:4kB oom_score_adj:0", &r));
	/* cut short, as a full kmsg buffer can leave it */
	EXPECT_EQ(-1, kmsg_parse_reaped("oom_reaper: reaped process 9 (hog), now anon-rss:1kB, "
					"file-rss:2kB", &r));
	EXPECT_EQ(-1, kmsg_parse_reaped("oom_reaper: reaped process 9 (hog", &r));
}

TEST(task_dump_row)
{
	struct kmsg_task t = {};

	ASSERT_EQ(0, kmsg_parse_task("[   4243]     0  4242    20588     4031    86016        "
				     "0           500 oomtest-hog", &t));
	EXPECT_EQ(4243, t.pid);
	EXPECT_EQ(0, t.uid);
	EXPECT_EQ(4242, t.tgid);
	EXPECT_EQ(20588, t.total_vm);
	EXPECT_EQ(4031, t.rss);
	EXPECT_EQ(86016, t.pgtables_bytes);
	EXPECT_EQ(0, t.swapents);
	EXPECT_EQ(500, t.oom_score_adj);
	EXPECT_STREQ("oomtest-hog", t.comm);
	/* the widths are minimums: large numbers, -1000, a comm with spaces */
	ASSERT_EQ(0, kmsg_parse_task("[12345678] 65534 12345678 123456789 98765432 1234567890 "
				     "7         -1000 a \"b\" c", &t));
	EXPECT_EQ(12345678, t.pid);
	EXPECT_EQ(65534, t.uid);
	EXPECT_EQ(98765432, t.rss);
	EXPECT_EQ(1234567890, t.pgtables_bytes);
	EXPECT_EQ(7, t.swapents);
	EXPECT_EQ(-1000, t.oom_score_adj);
	EXPECT_STREQ("a \"b\" c", t.comm);
}

TEST(task_dump_not_a_row)
{
	struct kmsg_task t = {};

	EXPECT_EQ(-1, kmsg_parse_task("[  pid  ]   uid  tgid total_vm      rss pgtables_bytes "
				      "swapents oom_score_adj name", &t));
	EXPECT_EQ(-1, kmsg_parse_task("Tasks state (memory values in pages):", &t));
	/* cut short, as a full kmsg buffer can leave it */
	EXPECT_EQ(-1, kmsg_parse_task("[   4243]     0  4242    20588     4031    86016", &t));
	EXPECT_EQ(-1, kmsg_parse_task("[   4243]     0  4242    20588     4031    86016        "
				      "0           500", &t));
	EXPECT_EQ(-1, kmsg_parse_task("[   4243]     0  4242    20588     4031    86016        "
				      "0           500 ", &t));
}

TEST(rfc3339_reads_what_timefmt_writes)
{
	long long ns = 1795473660LL * 1000000000 + 123456999;
	char buf[64];

	timefmt_rfc3339_us(buf, sizeof(buf), ns);
	EXPECT_EQ(ns / 1000, rfc3339_us(buf));
	EXPECT_EQ(0, rfc3339_us("1970-01-01T00:00:00.000000Z"));
	EXPECT_EQ(-1, rfc3339_us("2026-11-23T22:41:00Z"));
	EXPECT_EQ(-1, rfc3339_us("2026-11-23T22:41:00.123456+01:00"));
	EXPECT_EQ(-1, rfc3339_us(NULL));
}

TEST(report_counters_parse)
{
	struct kmsg_kill k = {};

	ASSERT_EQ(0, kmsg_parse_counter("memory: usage 65536kB, limit 65536kB, failcnt 80", &k));
	EXPECT_TRUE(k.memory.seen);
	EXPECT_EQ(65536, k.memory.usage);
	EXPECT_EQ(65536, k.memory.limit);
	EXPECT_EQ(80, k.memory.failcnt);
	ASSERT_EQ(0, kmsg_parse_counter("memory+swap: usage 65536kB, limit 9007199254740988kB, "
					"failcnt 0", &k));
	EXPECT_EQ(9007199254740988ULL, k.memsw.limit);
	ASSERT_EQ(0, kmsg_parse_counter("kmem: usage 120kB, limit 9007199254740988kB, failcnt 0",
					&k));
	EXPECT_EQ(120, k.kmem.usage);
	EXPECT_FALSE(k.swap.seen);
	ASSERT_EQ(0, kmsg_parse_counter("swap: usage 0kB, limit 0kB, failcnt 0", &k));
	EXPECT_TRUE(k.swap.seen);
	/* other lines of the report, or one cut short */
	EXPECT_EQ(-1, kmsg_parse_counter("Memory cgroup stats for /a:", &k));
	EXPECT_EQ(-1, kmsg_parse_counter("memory: usage 5kB, limit", &k));
}

/* v6.18 prints a message per line; v6.1 one message of lines, which
 * printk may cut: then its last line is not taken. */
TEST(report_stats_parse)
{
	struct kmsg_kill k = {};
	char cut[1100], *p;
	int n = 0, lines;

	ASSERT_EQ(0, kmsg_parse_stats("anon 16732160", &k));
	ASSERT_EQ(0, kmsg_parse_stats("total_rss 4096", &k));
	ASSERT_EQ(2, k.nstats);
	EXPECT_STREQ("anon", k.stats[0].name);
	EXPECT_EQ(16732160, k.stats[0].val);
	EXPECT_STREQ("total_rss", k.stats[1].name);
	ASSERT_EQ(0, kmsg_parse_stats("file 0\nkernel 8192\nslab 1200", &k));
	ASSERT_EQ(5, k.nstats);
	EXPECT_STREQ("slab", k.stats[4].name);
	EXPECT_EQ(1200, k.stats[4].val);
	/* the lines after the block end it, and add nothing */
	EXPECT_EQ(-1, kmsg_parse_stats("Tasks state (memory values in pages):", &k));
	EXPECT_EQ(-1, kmsg_parse_stats("anon 5\noom-kill:constraint=CONSTRAINT_MEMCG", &k));
	EXPECT_EQ(-1, kmsg_parse_stats("anon 5kB", &k));
	EXPECT_EQ(5, k.nstats);

	memset(&k, 0, sizeof(k));
	while (n < 1000)
		n += snprintf(cut + n, sizeof(cut) - n, "workingset_refault_file %d\n", n);
	cut[n - 1] = '\0';
	for (lines = 1, p = cut; (p = strchr(p, '\n')); p++)
		lines++;
	ASSERT_EQ(0, kmsg_parse_stats(cut, &k));
	EXPECT_EQ(lines - 1, k.nstats);
}

TEST_HARNESS_MAIN
