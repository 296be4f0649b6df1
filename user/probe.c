// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "attach.h"
#include "json.h"
#include "kallsyms.h"
#include "probe.h"
#include "record.h"

static int struct_has_member(const struct btf *btf, const char *type, const char *member)
{
	const struct btf_member *m;
	const struct btf_type *t;
	int id, i;

	id = btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT);
	if (id < 0)
		return 0;
	t = btf__type_by_id(btf, id);
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), member))
			return 1;
	return 0;
}

/* The same questions core_fixes.bpf.h asks at load time. */
static const char *mark_victim_layout(const struct btf *btf)
{
	if (struct_has_member(btf, "trace_event_raw_mark_victim", "__data_loc_comm"))
		return "task";		/* TP_PROTO(struct task_struct *, uid_t) */
	if (btf__find_by_name_kind(btf, "trace_event_raw_mark_victim", BTF_KIND_STRUCT) < 0)
		return "absent";
	return "pid";			/* TP_PROTO(int pid) */
}

static const char *rss_stat_layout(const struct btf *btf)
{
	if (btf__find_by_name_kind(btf, "mm_rss_stat", BTF_KIND_STRUCT) >= 0)
		return "atomic_long_t count[]";
	return "percpu_counter[]";
}

struct mode_result {
	int ok;
	enum mark_victim_hook hook;
	int ranked;		/* oom_evaluate_task() hooked: candidates seen */
	char unranked[160];
	char no_mem_info[160];	/* why global OOMs' records lack mem_info */
	char why[1024];
};

/* What the mode cannot see here: its fields, and the ranking when this
 * kernel lets it attach but not hook oom_evaluate_task(). */
static __u64 mode_unknown(enum oom_mode mode, const struct mode_result *res)
{
	__u64 unknown = record_mode_unknown(mode);

	if (res->ok && !res->ranked)
		unknown |= RF_RANKING;
	if (res->ok && res->no_mem_info[0])
		unknown |= RF_BIT(RF_MEM_INFO) | RF_BIT(RF_MEM_INFO_NODES);
	return unknown;
}

static void missing_list(__u64 unknown, FILE *f, struct jw *j)
{
	unsigned int i;

	for (i = 0; i < NR_RECORD_FIELDS; i++) {
		if (!(unknown & RF_BIT(i)))
			continue;
		if (j)
			jw_str(j, NULL, record_field_name(i));
		else
			fprintf(f, " %s", record_field_name(i));
	}
}

int probe_run(const struct btf *btf, const char *btf_path, const char *core_btf_path,
	      int json)
{
	struct attach_opts o = {
		.btf_path = core_btf_path, .ringbuf_size = getpagesize(),
		.candidates = OOMTRACE_MAX_CANDIDATES,
	};
	struct attach_checks checks;
	struct mode_result res[MODE_END] = {};
	enum oom_mode m, picked = MODE_AUTO;
	struct attachment a;
	struct ksyms *ks;
	struct utsname u;
	int ksyms_err;

	uname(&u);
	attach_check_modes(btf, btf_path, &checks);
	o.checks = &checks;
	o.ks = ksyms_load_async(NULL);
	ks = ksyms_loaded(o.ks);
	ksyms_err = ks ? 0 : errno;
	for_each_mode(m) {
		res[m].ok = !attachment_start(&a, m, &o, res[m].why, sizeof(res[m].why));
		if (res[m].ok) {
			res[m].hook = a.hook;
			res[m].ranked = a.ranked;
			snprintf(res[m].unranked, sizeof(res[m].unranked), "%s", a.unranked);
			snprintf(res[m].no_mem_info, sizeof(res[m].no_mem_info), "%s",
				 a.no_mem_info);
			attachment_stop(&a);
			if (picked == MODE_AUTO)
				picked = m;
		}
	}
	ksyms_loading_free(o.ks);
	ksyms_free(ks);

	if (json) {
		struct jw j;

		jw_begin(&j, stdout);
		jw_str(&j, "kernel", u.release);
		jw_str(&j, "btf", btf_path);
		jw_str(&j, "kallsyms", ksyms_err ? strerror(ksyms_err) : "readable");
		jw_str(&j, "mark_victim_layout", mark_victim_layout(btf));
		jw_str(&j, "rss_stat_layout", rss_stat_layout(btf));
		jw_obj_open(&j, "modes");
		for_each_mode(m) {
			jw_obj_open(&j, mode_name(m));
			jw_bool(&j, "available", res[m].ok);
			jw_str(&j, "mark_victim", res[m].ok ? hook_name(res[m].hook) : NULL);
			jw_str(&j, "reason", res[m].ok ? NULL : res[m].why);
			jw_bool(&j, "candidates", res[m].ranked);
			jw_str(&j, "candidates_reason",
			       res[m].ok && !res[m].ranked ? res[m].unranked : NULL);
			jw_str(&j, "mem_info_reason",
			       res[m].ok && res[m].no_mem_info[0] ? res[m].no_mem_info : NULL);
			jw_arr_open(&j, "missing");
			missing_list(mode_unknown(m, &res[m]), NULL, &j);
			jw_arr_close(&j);
			jw_obj_close(&j);
		}
		jw_obj_close(&j);
		jw_str(&j, "auto", picked != MODE_AUTO ? mode_name(picked) : NULL);
		jw_end(&j);
	} else {
		printf("kernel:      %s\n", u.release);
		printf("btf:         %s\n", btf_path);
		printf("kallsyms:    %s\n", ksyms_err ? strerror(ksyms_err) : "readable");
		printf("mark_victim: %s layout\n", mark_victim_layout(btf));
		printf("rss_stat:    %s\n", rss_stat_layout(btf));
		for_each_mode(m) {
			if (res[m].ok)
				printf("%-11s  available (mark_victim via %s)\n", mode_name(m),
				       hook_name(res[m].hook));
			else
				printf("%-11s  unavailable: %s\n", mode_name(m), res[m].why);
			if (res[m].ranked)
				printf("%-11s  candidates: oom_evaluate_task hooked\n", "");
			else if (res[m].ok)
				printf("%-11s  candidates: unavailable: %s\n", "", res[m].unranked);
			if (res[m].ok && res[m].no_mem_info[0])
				printf("%-11s  mem_info: unavailable: %s\n", "",
				       res[m].no_mem_info);
			printf("%-11s  fields it cannot see:", "");
			if (!mode_unknown(m, &res[m]))
				printf(" none");
			missing_list(mode_unknown(m, &res[m]), stdout, NULL);
			if (m == MODE_TRACEPOINT)
				printf(" (constraint: memcg or global, from the trigger's stack)");
			printf("\n");
		}
		printf("auto:        %s\n", picked != MODE_AUTO ? mode_name(picked) : "none");
	}
	return picked != MODE_AUTO ? 0 : 1;
}
