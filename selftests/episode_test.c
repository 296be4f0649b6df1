// SPDX-License-Identifier: GPL-2.0
/* Episode assembly from pieces arriving in any order. Stacks are built
 * from a kallsyms file, as the kernel would have produced them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "episode.h"
#include "followup.h"
#include "gfp.h"
#include "kallsyms.h"

#define A_MARK		0xffffffff81100000ULL
#define A_KILL_INNER	0xffffffff81200000ULL
#define A_GROUP		0xffffffff81300000ULL
#define A_KILL		0xffffffff81400000ULL
#define A_OOM		0xffffffff81500000ULL
#define A_MEMCG_OOM	0xffffffff81600000ULL
#define A_ALLOC		0xffffffff81700000ULL

static const char syms[] =
	"ffffffff81100000 t mark_oom_victim\n"
	"ffffffff81200000 t __oom_kill_process\n"
	"ffffffff81300000 t oom_kill_memcg_member\n"
	"ffffffff81400000 t oom_kill_process\n"
	"ffffffff81500000 T out_of_memory\n"
	"ffffffff81600000 t mem_cgroup_out_of_memory\n"
	"ffffffff81700000 T __alloc_pages_slowpath\n";

#define MAX_OUT 8

FIXTURE(episodes) {
	char path[64];
	struct ksyms *ks;
	struct record_env env;
	struct oom_record out[MAX_OUT];
	int nr;
};

FIXTURE_SETUP(episodes)
{
	FILE *f;

	snprintf(self->path, sizeof(self->path), "/tmp/episode-test-%d", getpid());
	f = fopen(self->path, "w");
	ASSERT_NE(NULL, f);
	fputs(syms, f);
	fclose(f);
	self->ks = ksyms_load(self->path);
	ASSERT_NE(NULL, self->ks);
	record_env_init(&self->env, self->ks, NULL);
}

FIXTURE_TEARDOWN(episodes)
{
	ksyms_free(self->ks);
	unlink(self->path);
}

static void collect(const struct oom_record *r, void *ctx)
{
	FIXTURE_DATA(episodes) *self = ctx;

	if (self->nr < MAX_OUT)
		self->out[self->nr++] = *r;
}

static void set_stack(struct oomtrace_victim_rec *r, int n, const __u64 *ips)
{
	memcpy(r->stack, ips, n * sizeof(*ips));
	r->stack_len = n * sizeof(*ips);
}

static const __u64 memcg_kill[] = { A_MARK + 8, A_KILL_INNER + 8, A_KILL + 8,
				    A_OOM + 8, A_MEMCG_OOM + 8 };
static const __u64 memcg_group[] = { A_MARK + 8, A_KILL_INNER + 8, A_GROUP + 8,
				     A_KILL + 8, A_OOM + 8, A_MEMCG_OOM + 8 };
static const __u64 global_kill[] = { A_MARK + 8, A_KILL_INNER + 8, A_KILL + 8,
				     A_OOM + 8, A_ALLOC + 8 };
static const __u64 exiting[] = { A_MARK + 8, A_OOM + 8, A_MEMCG_OOM + 8 };

static struct oomtrace_victim_rec victim(__u64 episode, __u32 trigger, __u32 pid,
					 unsigned int oom_flags)
{
	struct oomtrace_victim_rec r = {};

	r.hdr.type = OOMTRACE_REC_VICTIM;
	r.hdr.size = sizeof(r);
	r.hdr.episode = episode;
	r.flags = OOMTRACE_VICTIM_TASK | OOMTRACE_VICTIM_MM;
	r.trigger.pid = r.trigger.tid = trigger;
	r.victim.pid = r.victim.tid = pid;
	r.oom.chosen_pid = pid;
	r.oom.flags = oom_flags;
	r.oom.constraint = OOMTRACE_CONSTRAINT_MEMCG;
	strcpy(r.oom.message, "Memory cgroup out of memory");
	set_stack(&r, 5, memcg_kill);
	return r;
}

static struct oomtrace_end_rec end(__u64 episode, __u32 victims, __u64 duration)
{
	struct oomtrace_end_rec r = {};

	r.hdr.type = OOMTRACE_REC_END;
	r.hdr.size = sizeof(r);
	r.hdr.episode = episode;
	r.victims = victims;
	r.duration_ns = duration;
	r.ret = 1;
	return r;
}

#define FULL (OOMTRACE_OOM_ENTRY | OOMTRACE_OOM_KILL | OOMTRACE_OOM_RANKED)
#define POINTS (RF_BIT(RF_VICTIM_POINTS) | RF_BIT(RF_VICTIM_OOM_SCORE))

TEST_F(episodes, out_of_order_pieces_make_one_episode)
{
	struct episodes *e = episodes_new(MODE_FENTRY, &self->env, collect, self);
	struct oomtrace_victim_rec v1 = victim(7, 100, 201, FULL);
	struct oomtrace_victim_rec v2 = victim(7, 100, 202, FULL);
	struct oomtrace_end_rec en = end(7, 2, 5000);

	episodes_add_end(e, &en, 10);
	EXPECT_EQ(0, self->nr);
	episodes_add_victim(e, &v2, 11);
	EXPECT_EQ(0, self->nr) TH_LOG("emitted before every victim arrived");
	episodes_add_victim(e, &v1, 12);
	ASSERT_EQ(2, self->nr);
	EXPECT_EQ(1, self->out[0].episode);
	EXPECT_EQ(1, self->out[1].episode);
	EXPECT_EQ(0, self->out[0].unknown);
	EXPECT_EQ(5, self->out[1].duration_us);
	EXPECT_EQ(OUTCOME_KILLED, self->out[0].outcome);
	EXPECT_EQ(CONSTRAINT_MEMCG, self->out[0].constraint);
	EXPECT_STREQ("Memory cgroup out of memory", self->out[0].message);
	EXPECT_EQ(5, self->out[0].nr_frames);
	EXPECT_STREQ("mark_oom_victim", self->out[0].frames[0].sym);
	EXPECT_EQ(8, self->out[0].frames[0].offset);
	EXPECT_EQ(1, episodes_stats(e)->episodes);
	EXPECT_EQ(0, episodes_stats(e)->incomplete);
	episodes_free(e);
}

TEST_F(episodes, points_are_only_the_chosen_victims)
{
	struct episodes *e = episodes_new(MODE_FENTRY, &self->env, collect, self);
	struct oomtrace_victim_rec chosen = victim(8, 100, 201, FULL);
	struct oomtrace_victim_rec member = victim(8, 100, 202, FULL);
	struct oomtrace_victim_rec alloc = victim(9, 300, 300, FULL);
	struct oomtrace_end_rec e8 = end(8, 2, 1), e9 = end(9, 1, 1);

	member.oom.chosen_pid = 201;
	set_stack(&member, 6, memcg_group);
	strcpy(alloc.oom.message, "Out of memory (oom_kill_allocating_task)");
	episodes_add_victim(e, &chosen, 1);
	episodes_add_victim(e, &member, 2);
	episodes_add_end(e, &e8, 3);
	episodes_add_victim(e, &alloc, 4);
	episodes_add_end(e, &e9, 5);
	ASSERT_EQ(3, self->nr);
	EXPECT_EQ(0, self->out[0].unknown);
	/* a group member won no ranking; oom_kill_allocating_task ranked nobody */
	EXPECT_EQ(POINTS | RF_RANKING, self->out[1].unknown);
	EXPECT_EQ(POINTS, self->out[2].unknown);
	EXPECT_EQ(0, self->out[2].nr_candidates);
	episodes_free(e);
}

/*
 * Ring-buffer bytes no kernel side would write, as fuzz/records_fuzz.c made
 * them: each field read within the record and without undefined behaviour
 * (make check SANITIZE=1 would catch either), each value still sensible.
 */
TEST_F(episodes, corrupt_records_stay_in_bounds)
{
	struct episodes *e = episodes_new(MODE_FENTRY, &self->env, collect, self);
	struct oomtrace_victim_rec v = victim(3, 100, 100, FULL);
	struct oomtrace_end_rec e3 = end(3, 1, 1);
	char expect[CGPATH_MAX];
	int i;

	/* a memcg path deeper than the record holds: cut short */
	v.victim.memcg.depth = 0x8c2f;
	for (i = 0; i < OOMTRACE_CG_DEPTH; i++)
		snprintf(v.victim.memcg.name[i], OOMTRACE_CG_NAME_LEN, "c%d", i);
	/* a stamp whose wall-clock time does not fit: wraps */
	v.hdr.ts_ns = 0x7000000000000000ULL;
	/* points * 1000 beyond 64 bits */
	v.oom.points = 0x6562696e69616420LL;
	v.oom.totalpages = 0x7fffffffffffffffULL;
	/* a message without its NUL, the marker of unknown points after it */
	memset(v.oom.message, 'm', sizeof(v.oom.message));
	v.oom.memcg.depth = 1;
	strcpy(v.oom.memcg.name[0], "oom_kill_allocating_task");

	EXPECT_EQ(0, episodes_add_bytes(e, &v, sizeof(v), 1));
	EXPECT_EQ(0, episodes_add_bytes(e, &e3, sizeof(e3), 2));
	ASSERT_EQ(1, self->nr);
	strcpy(expect, "/...");
	for (i = OOMTRACE_CG_DEPTH - 1; i >= 0; i--)
		sprintf(expect + strlen(expect), "/c%d", i);
	EXPECT_STREQ(expect, self->out[0].victim.memcg);
	EXPECT_EQ((int64_t)(v.hdr.ts_ns + (__u64)self->env.boot_to_unix_ns),
		  self->out[0].time_ns);
	EXPECT_EQ(0, self->out[0].unknown & POINTS);
	EXPECT_EQ(792, self->out[0].oom_score);	/* 0.7923 of totalpages */

	/* too short for a header, or longer than it is: refused */
	EXPECT_EQ(-EINVAL, episodes_add_bytes(e, &v, sizeof(v.hdr) - 1, 3));
	EXPECT_EQ(-EINVAL, episodes_add_bytes(e, &v, sizeof(v) - 1, 3));
	/* too short for its type, or of no known type: skipped */
	v.hdr.size = sizeof(v.hdr);
	EXPECT_EQ(0, episodes_add_bytes(e, &v, sizeof(v.hdr), 3));
	v.hdr.type = 77;
	EXPECT_EQ(0, episodes_add_bytes(e, &v, sizeof(v), 3));
	episodes_flush(e, 4, 0);
	EXPECT_EQ(1, self->nr);
	episodes_free(e);
}

TEST_F(episodes, interleaved_episodes_get_distinct_numbers)
{
	struct episodes *e = episodes_new(MODE_KPROBE, &self->env, collect, self);
	struct oomtrace_victim_rec a = victim(10, 100, 201, FULL);
	struct oomtrace_victim_rec b = victim(11, 101, 301, FULL);
	struct oomtrace_end_rec ea = end(10, 1, 1), eb = end(11, 1, 1);

	episodes_add_victim(e, &a, 1);
	episodes_add_victim(e, &b, 2);
	episodes_add_end(e, &eb, 3);
	episodes_add_end(e, &ea, 4);
	ASSERT_EQ(2, self->nr);
	EXPECT_EQ(301, self->out[0].victim.pid);
	EXPECT_EQ(1, self->out[0].episode);
	EXPECT_EQ(201, self->out[1].victim.pid);
	EXPECT_EQ(2, self->out[1].episode);
	episodes_free(e);
}

TEST_F(episodes, lost_end_is_flushed_with_duration_missing)
{
	struct episodes *e = episodes_new(MODE_FENTRY, &self->env, collect, self);
	struct oomtrace_victim_rec v = victim(3, 100, 201, FULL);

	episodes_add_victim(e, &v, 1000);
	episodes_flush(e, 1500, 1000);
	EXPECT_EQ(0, self->nr) TH_LOG("flushed before its age");
	episodes_flush(e, 2000, 1000);
	ASSERT_EQ(1, self->nr);
	EXPECT_EQ(RF_BIT(RF_DURATION), self->out[0].unknown);
	EXPECT_EQ(1, episodes_stats(e)->incomplete);
	episodes_free(e);
}

TEST_F(episodes, end_without_victims_is_counted_not_printed)
{
	struct episodes *e = episodes_new(MODE_FENTRY, &self->env, collect, self);
	struct oomtrace_end_rec en = end(5, 0, 1);

	episodes_add_end(e, &en, 1);
	EXPECT_EQ(0, self->nr);
	EXPECT_EQ(1, episodes_stats(e)->episodes);
	EXPECT_EQ(1, episodes_stats(e)->no_victim);
	episodes_free(e);
}

TEST_F(episodes, tracepoint_mode_groups_by_stack)
{
	struct episodes *e = episodes_new(MODE_TRACEPOINT, &self->env, collect, self);
	struct oomtrace_victim_rec first = victim(0, 100, 201, 0);
	struct oomtrace_victim_rec member = victim(0, 100, 202, 0);
	struct oomtrace_victim_rec next = victim(0, 100, 203, 0);
	struct oomtrace_victim_rec other = victim(0, 400, 401, 0);

	set_stack(&member, 6, memcg_group);
	set_stack(&other, 5, global_kill);
	episodes_add_victim(e, &first, 1);
	episodes_add_victim(e, &member, 2);
	episodes_add_victim(e, &other, 3);
	episodes_add_victim(e, &next, 4);
	ASSERT_EQ(4, self->nr);
	EXPECT_EQ(1, self->out[0].episode);
	EXPECT_EQ(1, self->out[1].episode);
	EXPECT_EQ(2, self->out[2].episode);
	EXPECT_EQ(3, self->out[3].episode);
	/* what tracepoint mode can tell, and what it names as missing */
	EXPECT_EQ(CONSTRAINT_MEMCG, self->out[0].constraint);
	EXPECT_STREQ("Memory cgroup out of memory", self->out[0].message);
	/* no memcg OOM lock was found: the domain is missing too */
	EXPECT_EQ(record_mode_unknown(MODE_TRACEPOINT) | RF_BIT(RF_OOM_MEMCG) |
		  RF_BIT(RF_OOM_MEMCG_MEMORY) | RF_BIT(RF_OOM_MEMCG_STAT) |
		  RF_BIT(RF_OOM_MEMCG_STAT_EVENTS), self->out[0].unknown);
	EXPECT_EQ(0, self->out[0].derived);
	EXPECT_EQ(CONSTRAINT_GLOBAL, self->out[2].constraint);
	/* a global OOM has no memcg, and that is known */
	EXPECT_FALSE(record_has(&self->out[2], RF_OOM_MEMCG));
	EXPECT_FALSE(self->out[2].unknown & RF_BIT(RF_OOM_MEMCG));
	EXPECT_FALSE(record_has(&self->out[2], RF_MESSAGE));
	EXPECT_TRUE(self->out[2].unknown & RF_BIT(RF_MESSAGE));
	episodes_free(e);
}

TEST_F(episodes, exiting_shortcut_is_not_a_kill)
{
	struct episodes *e = episodes_new(MODE_TRACEPOINT, &self->env, collect, self);
	struct oomtrace_victim_rec v = victim(0, 100, 100, 0);

	set_stack(&v, 3, exiting);
	episodes_add_victim(e, &v, 1);
	ASSERT_EQ(1, self->nr);
	EXPECT_EQ(OUTCOME_EXITING, self->out[0].outcome);
	/* known to be absent: null, but not missing */
	EXPECT_FALSE(record_has(&self->out[0], RF_MESSAGE));
	EXPECT_FALSE(self->out[0].unknown & (RF_BIT(RF_MESSAGE) | RF_BIT(RF_OUTCOME)));
	episodes_free(e);
}

TEST_F(episodes, no_stack_means_outcome_missing)
{
	struct episodes *e = episodes_new(MODE_TRACEPOINT, &self->env, collect, self);
	struct oomtrace_victim_rec v = victim(0, 100, 201, 0);

	v.stack_len = -14;	/* -EFAULT from bpf_get_stack() */
	episodes_add_victim(e, &v, 1);
	ASSERT_EQ(1, self->nr);
	EXPECT_TRUE(self->out[0].unknown & RF_BIT(RF_STACK));
	EXPECT_TRUE(self->out[0].unknown & RF_BIT(RF_OUTCOME));
	EXPECT_TRUE(self->out[0].unknown & RF_BIT(RF_CONSTRAINT));
	EXPECT_EQ(0, self->out[0].nr_frames);
	episodes_free(e);
}

/* Reap records: the seqs handed on, in order. */
struct reaps_out {
	__u64 seq[8];
	int nr;
};

static void collect_reap(const struct oomtrace_reap_rec *raw, void *ctx)
{
	struct reaps_out *o = ctx;

	if (o->nr < 8)
		o->seq[o->nr++] = raw->seq;
}

static int add_reap(struct followups *f, __u64 seq, __u64 now)
{
	struct oomtrace_reap_rec r = { .hdr = { .type = OOMTRACE_REC_REAP }, .seq = seq };

	r.hdr.size = sizeof(r);
	return followups_add_bytes(f, &r, sizeof(r), now);
}

TEST(reap_records_follow_their_kill_record)
{
	struct reaps_out o = {};
	struct followups *f = followups_new(collect_reap, &o);
	struct oomtrace_reap_rec r = {};

	ASSERT_NE(NULL, f);
	followups_decided(f, 1, 1);
	followups_decided(f, 2, 0);	/* filtered out */
	ASSERT_EQ(0, add_reap(f, 1, 0));
	ASSERT_EQ(0, add_reap(f, 2, 0));
	/* before its kill record: waits for it */
	ASSERT_EQ(0, add_reap(f, 3, 0));
	ASSERT_EQ(0, add_reap(f, 4, 0));
	ASSERT_EQ(1, o.nr);
	followups_decided(f, 4, 1);
	followups_decided(f, 3, 0);
	ASSERT_EQ(2, o.nr);
	EXPECT_EQ(1, o.seq[0]);
	EXPECT_EQ(4, o.seq[1]);
	/* its kill record lost: what is left goes out after the wait */
	ASSERT_EQ(0, add_reap(f, 5, 100));
	followups_flush(f, 150, 100);
	EXPECT_EQ(2, o.nr);
	followups_flush(f, 200, 100);
	ASSERT_EQ(3, o.nr);
	EXPECT_EQ(5, o.seq[2]);
	ASSERT_EQ(0, add_reap(f, 6, 300));
	followups_flush(f, 300, 0);
	ASSERT_EQ(4, o.nr);
	/* the last held one decided: the next waits behind the others */
	ASSERT_EQ(0, add_reap(f, 7, 400));
	ASSERT_EQ(0, add_reap(f, 8, 400));
	ASSERT_EQ(0, add_reap(f, 9, 400));
	followups_decided(f, 9, 0);
	ASSERT_EQ(0, add_reap(f, 10, 400));
	followups_decided(f, 7, 1);
	followups_flush(f, 400, 0);
	ASSERT_EQ(7, o.nr);
	EXPECT_EQ(7, o.seq[4]);
	EXPECT_EQ(8, o.seq[5]);
	EXPECT_EQ(10, o.seq[6]);
	EXPECT_EQ(-EINVAL, followups_add_bytes(f, &r, sizeof(r) - 1, 0));
	EXPECT_EQ(0, followups_nomem(f));
	followups_free(f);
}

TEST_HARNESS_MAIN
