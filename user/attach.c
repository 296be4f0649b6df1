// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "kallsyms.h"
#include "oomtrace.h"
#include "oomtrace.skel.h"

static int verbose;
static char first_warning[256];

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	size_t n;

	if (verbose)
		return vfprintf(stderr, fmt, ap);
	/* the first warning of an attempt is the one that explains it */
	if (level != LIBBPF_WARN || first_warning[0])
		return 0;
	vsnprintf(first_warning, sizeof(first_warning), fmt, ap);
	n = strlen(first_warning);
	while (n && first_warning[n - 1] == '\n')
		first_warning[--n] = '\0';
	return 0;
}

void attach_setup_libbpf(int v)
{
	verbose = v;
	libbpf_set_print(libbpf_print);
}

const char *hook_name(enum mark_victim_hook hook)
{
	return hook == HOOK_TP_BTF ? "tp_btf" : "raw_tp";
}

void attachment_detach(struct attachment *a)
{
	while (a->nr_links > 0)
		bpf_link__destroy(a->links[--a->nr_links]);
}

void attachment_stop(struct attachment *a)
{
	attachment_detach(a);
	oomtrace_bpf__destroy(a->skel);
	a->skel = NULL;
}

int attachment_events_fd(const struct attachment *a)
{
	return bpf_map__fd(a->skel->maps.events);
}

int attachment_drops_fd(const struct attachment *a)
{
	return bpf_map__fd(a->skel->maps.drops);
}

static int add_link(struct attachment *a, struct bpf_link *link)
{
	if (!link)
		return -errno;
	if (a->nr_links == (int)(sizeof(a->links) / sizeof(a->links[0]))) {
		bpf_link__destroy(link);
		return -E2BIG;
	}
	a->links[a->nr_links++] = link;
	return 0;
}

/*
 * A kprobe reads the C prototype's argument registers, which a compiler
 * clone (func.isra.0, func.constprop.0) may have changed: refuse those.
 */
static int kprobe_target(const struct attach_opts *o, const char *func,
			 char *what, size_t len)
{
	const struct ksyms *ks = ksyms_loaded(o->ks);
	const struct ksym *sym = ks ? ksyms_func(ks, func) : NULL;

	snprintf(what, len, "attach kprobe %s", func);
	if (sym && strcmp(sym->name, func)) {
		snprintf(what, len, "attach kprobe %s (only the clone %s exists, "
			 "whose arguments may differ)", func, sym->name);
		return -EOPNOTSUPP;
	}
	return 0;
}

/*
 * oom_evaluate_task() is static, but its address is taken (select_bad_process()
 * passes it to mem_cgroup_scan_tasks()), so it stays a real function; a build
 * that lacks it, or has only a clone, loses the ranking and nothing else.
 */
static int ranking_hook(enum oom_mode mode, const struct attach_opts *o, char *why, size_t len)
{
	const struct ksyms *ks;
	const struct ksym *sym;

	switch (mode) {
	case MODE_FENTRY:
		if (o->checks && o->checks->evaluate_in_btf)
			return 0;
		snprintf(why, len, "no oom_evaluate_task in the kernel's BTF");
		return -ENOENT;
	case MODE_KPROBE:
		/* only here: the other modes' loads need not wait for kallsyms */
		ks = ksyms_loaded(o->ks);
		sym = ks ? ksyms_func(ks, "oom_evaluate_task") : NULL;
		if (sym && !strcmp(sym->name, "oom_evaluate_task"))
			return 0;
		if (sym)	/* as kprobe_target() */
			snprintf(why, len, "only the clone %s of oom_evaluate_task exists, "
				 "whose arguments may differ", sym->name);
		else
			snprintf(why, len, "no oom_evaluate_task in %s", ks ?
				 "/proc/kallsyms" : "an unreadable /proc/kallsyms");
		return -ENOENT;
	default:
		snprintf(why, len, "%s mode sees no oom_control", mode_name(mode));
		return -EOPNOTSUPP;
	}
}

/*
 * --reclaim's maps: the memcgs whose reclaim is summed (the least recently
 * active give way), and the tasks in a reclaim pass at once.
 */
#define RECLAIM_DOMAINS 512
#define RECLAIM_STALLS 8192

/* The hooks that follow a victim to its exit: the same in every mode. */
struct followup {
	const char *tp;
	struct bpf_program *prog[NR_HOOKS];
};

#define NR_FOLLOWUPS 5

static void followups(const struct oomtrace_bpf *s, struct followup f[NR_FOLLOWUPS])
{
	const struct followup all[NR_FOLLOWUPS] = {
		{ "wake_reaper", { s->progs.reaper_wake_btf, s->progs.reaper_wake_raw } },
		{ "start_task_reaping", { s->progs.reaper_start_btf, s->progs.reaper_start_raw } },
		{ "skip_task_reaping", { s->progs.reaper_skip_btf, s->progs.reaper_skip_raw } },
		{ "finish_task_reaping", { s->progs.reaper_finish_btf, s->progs.reaper_finish_raw } },
		{ "sched_process_exit", { s->progs.victim_exit_btf, s->progs.victim_exit_raw } },
	};

	memcpy(f, all, sizeof(all));
}

/* --reclaim's hooks: the same in every mode, loaded only when asked. */
#define NR_RECLAIM_HOOKS 8

static void reclaim_hooks(const struct oomtrace_bpf *s, struct followup f[NR_RECLAIM_HOOKS])
{
	const struct followup all[NR_RECLAIM_HOOKS] = {
		{ "mm_vmscan_direct_reclaim_begin",
		  { s->progs.direct_begin_btf, s->progs.direct_begin_raw } },
		{ "mm_vmscan_direct_reclaim_end",
		  { s->progs.direct_end_btf, s->progs.direct_end_raw } },
		{ "mm_vmscan_memcg_reclaim_begin",
		  { s->progs.memcg_begin_btf, s->progs.memcg_begin_raw } },
		{ "mm_vmscan_memcg_reclaim_end",
		  { s->progs.memcg_end_btf, s->progs.memcg_end_raw } },
		{ "mm_vmscan_lru_shrink_inactive",
		  { s->progs.lru_scanned_btf, s->progs.lru_scanned_raw } },
		{ "mm_vmscan_kswapd_wake", { s->progs.kswapd_wake_btf, s->progs.kswapd_wake_raw } },
		{ "reclaim_retry_zone", { s->progs.reclaim_retry_btf, s->progs.reclaim_retry_raw } },
		{ "compact_retry", { s->progs.compact_retry_btf, s->progs.compact_retry_raw } },
	};

	memcpy(f, all, sizeof(all));
}

static int attach_hooks(struct attachment *a, const struct followup *f, int n,
			char *what, size_t len)
{
	struct bpf_program *p;
	int i, err;

	for (i = 0; i < n; i++) {
		snprintf(what, len, "attach %s/%s", hook_name(a->hook), f[i].tp);
		p = f[i].prog[a->hook];
		err = add_link(a, a->hook == HOOK_TP_BTF ? bpf_program__attach(p) :
			       bpf_program__attach_raw_tracepoint(p, f[i].tp));
		if (err)
			return err;
	}
	return 0;
}

static int attach_followups(struct attachment *a, char *what, size_t len)
{
	struct followup f[NR_FOLLOWUPS], r[NR_RECLAIM_HOOKS];
	int err;

	followups(a->skel, f);
	err = attach_hooks(a, f, NR_FOLLOWUPS, what, len);
	if (err || !a->reclaim)
		return err;
	reclaim_hooks(a->skel, r);
	return attach_hooks(a, r, NR_RECLAIM_HOOKS, what, len);
}

static int attach_mode(struct attachment *a, const struct attach_opts *o,
		       char *what, size_t len)
{
	struct oomtrace_bpf *s = a->skel;
	int err;

	switch (a->mode) {
	case MODE_FENTRY:
		snprintf(what, len, "attach fentry/out_of_memory");
		err = add_link(a, bpf_program__attach(s->progs.oom_enter_fentry));
		if (err)
			return err;
		snprintf(what, len, "attach fexit/out_of_memory");
		err = add_link(a, bpf_program__attach(s->progs.oom_exit_fexit));
		if (err)
			return err;
		snprintf(what, len, "attach fentry/oom_kill_process");
		err = add_link(a, bpf_program__attach(s->progs.oom_kill_fentry));
		if (err || !a->ranked)
			break;
		snprintf(what, len, "attach fentry/oom_evaluate_task");
		err = add_link(a, bpf_program__attach(s->progs.oom_evaluate_fentry));
		break;
	case MODE_KPROBE:
		err = kprobe_target(o, "out_of_memory", what, len);
		if (err)
			return err;
		err = add_link(a, bpf_program__attach_kprobe(s->progs.oom_enter_kprobe,
							     false, "out_of_memory"));
		if (err)
			return err;
		err = add_link(a, bpf_program__attach_kprobe(s->progs.oom_exit_kretprobe,
							     true, "out_of_memory"));
		if (err)
			return err;
		err = kprobe_target(o, "oom_kill_process", what, len);
		if (err)
			return err;
		err = add_link(a, bpf_program__attach_kprobe(s->progs.oom_kill_kprobe,
							     false, "oom_kill_process"));
		if (err || !a->ranked)
			break;
		snprintf(what, len, "attach kprobe oom_evaluate_task");
		err = add_link(a, bpf_program__attach_kprobe(s->progs.oom_evaluate_kprobe,
							     false, "oom_evaluate_task"));
		break;
	default:
		err = 0;
	}
	if (err)
		return err;
	snprintf(what, len, "attach %s/mark_victim", hook_name(a->hook));
	if (a->hook == HOOK_TP_BTF)
		err = add_link(a, bpf_program__attach(s->progs.mark_victim_btf));
	else
		err = add_link(a, bpf_program__attach_raw_tracepoint(s->progs.mark_victim_raw,
								     "mark_victim"));
	return err ? err : attach_followups(a, what, len);
}

/* The kernel's nr_node_ids: the highest possible node + 1 ("0-1": 2);
 * 0 without CONFIG_NUMA, where the file is missing. */
static unsigned int possible_nodes(void)
{
	FILE *f = fopen("/sys/devices/system/node/possible", "r");
	unsigned int n, last = 0;
	int c, got = 0;

	if (!f)
		return 0;
	/* a list of ranges, "0", "0-3" or "0,2-3", in rising order */
	while (fscanf(f, "%u", &n) == 1) {
		last = n;
		got = 1;
		c = fgetc(f);
		if (c != '-' && c != ',')
			break;
	}
	fclose(f);
	return got ? last + 1 : 0;
}

/*
 * The addresses the BPF side reads at, from /proc/kallsyms: set after the
 * load, which so overlaps the reading, and before the attach, so that no
 * kill sees them unset. The system's memory counters ("Mem-Info:" of a
 * global OOM) are arrays that the kernel's BTF does not describe as
 * variables; node free pages need node_data[] too (CONFIG_NUMA), and lack
 * only themselves without it. memcg_page_state() leads to the memcg stats
 * index (see memcg_stats_index_find()): without it, kernels that index
 * memcg stats through a table give records no oom_memcg_stat.
 */
static void kallsyms_addrs(struct attachment *a, const struct attach_opts *o)
{
	const struct ksyms *ks = ksyms_loaded(o->ks);
	struct oomtrace_bpf *s = a->skel;

	a->no_mem_info[0] = '\0';
	if (!ks) {
		snprintf(a->no_mem_info, sizeof(a->no_mem_info), "/proc/kallsyms %s",
			 errno == EPERM ? "hides addresses (kptr_restrict)" : "is unreadable");
		return;
	}
	s->bss->memcg_page_state_addr = ksyms_kept(ks, "memcg_page_state");
	s->bss->memcg_events_addr = ksyms_kept(ks, "memcg_events");
	s->bss->memcg_events_index_addr = ksyms_kept(ks, "mem_cgroup_events_index");
	s->bss->vm_node_stat_addr = ksyms_kept(ks, "vm_node_stat");
	s->bss->vm_zone_stat_addr = ksyms_kept(ks, "vm_zone_stat");
	s->bss->node_data_addr = ksyms_kept(ks, "node_data");
	if (!s->bss->vm_node_stat_addr || !s->bss->vm_zone_stat_addr)
		snprintf(a->no_mem_info, sizeof(a->no_mem_info),
			 "no vm_node_stat and vm_zone_stat in /proc/kallsyms "
			 "(a kernel without CONFIG_KALLSYMS_ALL)");
}

/* One attempt: open, keep the mode's programs, load, attach. */
static int try_mode(struct attachment *a, enum oom_mode mode, enum mark_victim_hook hook,
		    const struct attach_opts *o, char *why, size_t len)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .btf_custom_path = o->btf_path);
	struct followup f[NR_FOLLOWUPS], r[NR_RECLAIM_HOOKS];
	struct oomtrace_bpf *s;
	char what[128] = "open";
	int i, j, err;

	memset(a, 0, sizeof(*a));
	a->mode = mode;
	a->hook = hook;
	a->reclaim = o->reclaim_s > 0;
	first_warning[0] = '\0';
	if (!o->candidates)
		snprintf(a->unranked, sizeof(a->unranked), "off (--candidates 0)");
	else
		a->ranked = !ranking_hook(mode, o, a->unranked, sizeof(a->unranked));

	s = a->skel = oomtrace_bpf__open_opts(&open_opts);
	if (!s) {
		err = -errno;
		goto destroy_skel;
	}
	bpf_program__set_autoload(s->progs.oom_enter_fentry, mode == MODE_FENTRY);
	bpf_program__set_autoload(s->progs.oom_exit_fexit, mode == MODE_FENTRY);
	bpf_program__set_autoload(s->progs.oom_kill_fentry, mode == MODE_FENTRY);
	bpf_program__set_autoload(s->progs.oom_enter_kprobe, mode == MODE_KPROBE);
	bpf_program__set_autoload(s->progs.oom_exit_kretprobe, mode == MODE_KPROBE);
	bpf_program__set_autoload(s->progs.oom_kill_kprobe, mode == MODE_KPROBE);
	bpf_program__set_autoload(s->progs.oom_evaluate_fentry, mode == MODE_FENTRY && a->ranked);
	bpf_program__set_autoload(s->progs.oom_evaluate_kprobe, mode == MODE_KPROBE && a->ranked);
	s->rodata->cand_max = a->ranked ? o->candidates : 0;
	s->rodata->page_shift = __builtin_ctz(getpagesize());
	s->rodata->nr_node_ids = possible_nodes();
	bpf_program__set_autoload(s->progs.mark_victim_btf, hook == HOOK_TP_BTF);
	bpf_program__set_autoload(s->progs.mark_victim_raw, hook == HOOK_RAW_TP);
	followups(s, f);
	for (i = 0; i < NR_FOLLOWUPS; i++)
		for (j = 0; j < NR_HOOKS; j++)
			bpf_program__set_autoload(f[i].prog[j], j == (int)hook);
	reclaim_hooks(s, r);
	for (i = 0; i < NR_RECLAIM_HOOKS; i++)
		for (j = 0; j < NR_HOOKS; j++)
			bpf_program__set_autoload(r[i].prog[j], a->reclaim && j == (int)hook);
	if (a->reclaim) {
		/* the window is WINDOW_SLOTS whole slots, plus the current one */
		s->rodata->reclaim_slot_ns = ((__u64)o->reclaim_s * 1000000000ULL +
					      OOMTRACE_RECLAIM_WINDOW_SLOTS - 1) /
					     OOMTRACE_RECLAIM_WINDOW_SLOTS;
		snprintf(what, sizeof(what), "size the reclaim maps");
		err = bpf_map__set_max_entries(s->maps.reclaim_domains, RECLAIM_DOMAINS);
		if (!err)
			err = bpf_map__set_max_entries(s->maps.stalls, RECLAIM_STALLS);
		if (err)
			goto destroy_skel;
	}

	snprintf(what, sizeof(what), "set the ring buffer size");
	err = bpf_map__set_max_entries(s->maps.events, o->ringbuf_size);
	if (err)
		goto destroy_skel;
	snprintf(what, sizeof(what), "load");
	err = oomtrace_bpf__load(s);
	if (err)
		goto destroy_skel;
	kallsyms_addrs(a, o);
	err = attach_mode(a, o, what, sizeof(what));
	if (err)
		goto destroy_skel;
	return 0;

destroy_skel:
	snprintf(why, len, "%s: %s", what, strerror(-err));
	if (first_warning[0]) {
		size_t n = strlen(why);

		snprintf(why + n, len - n, " [%s]", first_warning);
	}
	attachment_stop(a);
	return err;
}

/*
 * The ranking is the one part a mode may lose alone: when a try with it
 * fails, the mode is tried once more without it, and says why.
 */
static int try_ranked(struct attachment *a, enum oom_mode mode, enum mark_victim_hook hook,
		      const struct attach_opts *o, char *why, size_t len)
{
	struct attach_opts unranked = *o;
	char ranked_why[256];
	int err;

	err = try_mode(a, mode, hook, o, why, len);
	if (!err || !a->ranked)
		return err;
	snprintf(ranked_why, sizeof(ranked_why), "%s", why);
	unranked.candidates = 0;
	err = try_mode(a, mode, hook, &unranked, why, len);
	if (!err)
		snprintf(a->unranked, sizeof(a->unranked), "with the ranking: %.140s", ranked_why);
	return err;
}

/*
 * serve's default --reclaim is optional: a kernel without one of its
 * tracepoints (compaction's, without CONFIG_COMPACTION) still gets the
 * rest, and the records say reclaim is missing.
 */
static int try_reclaim(struct attachment *a, enum oom_mode mode, enum mark_victim_hook hook,
		       const struct attach_opts *o, char *why, size_t len)
{
	struct attach_opts unreclaimed = *o;
	char reclaim_why[256];
	int err;

	err = try_ranked(a, mode, hook, o, why, len);
	if (!err || !o->reclaim_s || !o->reclaim_optional)
		return err;
	snprintf(reclaim_why, sizeof(reclaim_why), "%s", why);
	unreclaimed.reclaim_s = 0;
	err = try_ranked(a, mode, hook, &unreclaimed, why, len);
	if (!err)
		snprintf(a->unreclaimed, sizeof(a->unreclaimed), "off: with it, %.140s",
			 reclaim_why);
	return err;
}

/* One mode, with each way to hook mark_victim. */
static int try_hooks(struct attachment *a, enum oom_mode mode,
		     const struct attach_opts *o, char *why, size_t len)
{
	char first[512];
	size_t n;
	int err;

	err = try_reclaim(a, mode, HOOK_TP_BTF, o, first, sizeof(first));
	if (!err)
		return 0;
	/* raw_tp sees the same arguments on kernels without tp_btf */
	err = try_reclaim(a, mode, HOOK_RAW_TP, o, why, len);
	if (!err)
		return 0;
	/* say it once when mark_victim's attach type made no difference */
	if (strcmp(first, why)) {
		n = strlen(why);
		snprintf(why + n, len - n, "; with tp_btf: %s", first);
	}
	return err;
}

/*
 * Each check meets the cause a full try would: a kernel that refuses
 * tracing programs (seen: EPERM) refuses a trivial one on the same
 * function, and libbpf attaches kprobes through the kprobe PMU or, without
 * it, through tracefs.
 */
static void fentry_check(const struct btf *btf, char *why, size_t len)
{
	const struct bpf_insn ret0[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY);
	int id, fd;

	id = btf__find_by_name_kind(btf, "out_of_memory", BTF_KIND_FUNC);
	if (id < 0) {
		snprintf(why, len, "out_of_memory is not in the kernel's BTF");
		return;
	}
	opts.attach_btf_id = id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "oomtrace_check", "GPL", ret0,
			   sizeof(ret0) / sizeof(ret0[0]), &opts);
	if (fd < 0)
		snprintf(why, len, "load a trivial fentry/out_of_memory: %s", strerror(-fd));
	else
		close(fd);
}

static void kprobe_check(char *why, size_t len)
{
	if (access("/sys/bus/event_source/devices/kprobe/type", R_OK) &&
	    access("/sys/kernel/tracing/kprobe_events", W_OK) &&
	    access("/sys/kernel/debug/tracing/kprobe_events", W_OK))
		snprintf(why, len, "no kprobe PMU and no kprobe_events in tracefs");
}

void attach_check_modes(const struct btf *btf, const char *btf_path, struct attach_checks *c)
{
	memset(c, 0, sizeof(*c));
	c->evaluate_in_btf = btf__find_by_name_kind(btf, "oom_evaluate_task",
						    BTF_KIND_FUNC) >= 0;
	/* a type id means something to the kernel only in its own BTF */
	if (!strcmp(btf_path, "/sys/kernel/btf/vmlinux"))
		fentry_check(btf, c->why[MODE_FENTRY], sizeof(c->why[MODE_FENTRY]));
	kprobe_check(c->why[MODE_KPROBE], sizeof(c->why[MODE_KPROBE]));
}

int attachment_start(struct attachment *a, enum oom_mode mode,
		     const struct attach_opts *o, char *why, size_t len)
{
	enum oom_mode m;
	size_t used = 0;
	int err = -EINVAL;

	if (mode != MODE_AUTO)
		return try_hooks(a, mode, o, why, len);
	why[0] = '\0';
	for_each_mode(m) {
		used += snprintf(why + used, len - used, "%s: ", mode_name(m));
		if (used >= len)
			break;
		if (o->checks && o->checks->why[m][0]) {
			snprintf(why + used, len - used, "%s", o->checks->why[m]);
			err = -EOPNOTSUPP;
		} else {
			err = try_hooks(a, m, o, why + used, len - used);
		}
		if (!err)
			return 0;
		used = strlen(why);
		if (used + 2 < len) {
			why[used++] = '\n';
			why[used] = '\0';
		}
	}
	return err;
}
