// SPDX-License-Identifier: GPL-2.0
/*
 * The timeline as SVG, written as plain text (Debian has no SVG-writing C
 * library that would save more than it costs): a lane per OOM domain with
 * its memory use against its limit, the reclaim before each kill, kills,
 * the victims' exits, losses.
 */
#include <stdlib.h>
#include <string.h>
#include "report.h"
#include "timefmt.h"
#include "utf8.h"

#define WIDTH		1200
#define X0		100.0	/* where t0 is drawn */
#define X1		1150.0	/* where t1 is drawn */
#define PAD		10.0	/* the frame around [X0, X1] */
#define TOP		96	/* the first lane's top */
#define LANE_H		170
#define LANE_GAP	44	/* between lanes: the next lane's title */
#define LABEL_ROWS	4	/* kill labels are stacked this deep, so neighbours do not overlap */
#define LABEL_LINE	12.0	/* a row is two lines: the victim, and the reclaim before its kill */
#define KB_PER_MIB	1024.0
#define CHAR_W		6.4	/* a 10 px DejaVu Sans digit, the widest of a label's characters */

#define C_USAGE		"#1f5fbf"
#define C_LIMIT		"#b22222"
#define C_KILL		"#d00000"
#define C_EXITING	"#e07000"
#define C_LOST		"#ff8c00"
#define C_RECLAIM	"#8e44ad"

struct ctx {
	FILE *f;
	const struct timeline *tl;
	const struct svg_view *v;
	int64_t t0, t1;
	const struct report_kill **by_seq;	/* tl's kills in seq order, for the reaps */
};

static double xof(const struct ctx *c, int64_t t)
{
	return X0 + (double)(t - c->t0) * (X1 - X0) / (double)(c->t1 - c->t0);
}

static int in_view(const struct ctx *c, int64_t t)
{
	return t >= c->t0 && t <= c->t1;
}

static double larger(double a, double b)
{
	return a > b ? a : b;
}

/* Text as XML character data: markup escaped, and what XML 1.0 cannot
 * hold (control bytes, bytes that are not UTF-8, U+FFFE and U+FFFF) as U+FFFD. */
static void xml_text(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), i = 0, len;

	while (i < n) {
		switch (s[i]) {
		case '&': fputs("&amp;", f); i++; continue;
		case '<': fputs("&lt;", f); i++; continue;
		case '>': fputs("&gt;", f); i++; continue;
		case '"': fputs("&quot;", f); i++; continue;
		case '\'': fputs("&#39;", f); i++; continue;
		}
		len = s[i] < 0x20 || s[i] == 0x7f ? 0 : utf8_seq_len(s + i, n - i);
		if (len == 3 && s[i] == 0xef && s[i + 1] == 0xbf && s[i + 2] >= 0xbe)
			fputs("\xef\xbf\xbd", f);
		else if (len)
			fwrite(s + i, 1, len, f);
		else
			fputs("\xef\xbf\xbd", f);
		i += len ? len : 1;
	}
}

static void label(FILE *f, const struct report_kill *k)
{
	char pid[32] = "?";

	if (k->pid >= 0)
		snprintf(pid, sizeof(pid), "%lld", k->pid);
	xml_text(f, k->comm[0] ? k->comm : "?");
	fprintf(f, " (%s)", pid);
	if (!k->killed)
		fputs(" exiting", f);
}

static int kill_shown(const struct ctx *c, const struct report_kill *k)
{
	return in_view(c, k->time_ns) && (!c->v->one_episode || k->episode == c->v->episode);
}

static int cmp_kill_seq(const void *a, const void *b)
{
	__u64 x = (*(const struct report_kill *const *)a)->seq;
	__u64 y = (*(const struct report_kill *const *)b)->seq;

	return x < y ? -1 : x > y;
}

static const struct report_kill *kill_of(const struct ctx *c, __u64 seq)
{
	struct report_kill key = { .seq = seq };
	const struct report_kill *k = &key, **found;

	found = bsearch(&k, c->by_seq, c->tl->nr_kills, sizeof(*c->by_seq), cmp_kill_seq);
	return found ? *found : NULL;
}

/* A reap is drawn, and counted, with its kill. */
static int reap_shown(const struct ctx *c, const struct report_reap *r)
{
	const struct report_kill *k = kill_of(c, r->seq);

	return k && kill_shown(c, k) && in_view(c, r->time_ns);
}

/* The domains drawn: the system first, then as they came. */
static int lane_shown(const struct ctx *c, int d)
{
	int i;

	if (!c->v->one_episode)
		return 1;
	for (i = 0; i < c->tl->nr_kills; i++)
		if (c->tl->kills[i].domain == d && kill_shown(c, &c->tl->kills[i]))
			return 1;
	return 0;
}

static int limited(__u64 limit_kb)
{
	return limit_kb < REPORT_NO_LIMIT_KB;
}

static int cmp_sample(const void *a, const void *b)
{
	const struct report_sample *x = a, *y = b;

	return (x->time_ns > y->time_ns) - (x->time_ns < y->time_ns);
}

/* The lane's samples in time order, with one on either side of the view so
 * that the lines run to its edges; *n of them, NULL when none (or no memory). */
static struct report_sample *lane_samples(const struct ctx *c, int d, int *n)
{
	const struct timeline *tl = c->tl;
	struct report_sample *m;
	int i, j, first = -1, last = -1;

	*n = 0;
	m = malloc((tl->nr_samples + 1) * sizeof(*m));
	if (!m)
		return NULL;
	for (i = 0; i < tl->nr_samples; i++)
		if (tl->samples[i].domain == d)
			m[(*n)++] = tl->samples[i];
	qsort(m, *n, sizeof(*m), cmp_sample);
	for (i = 0; i < *n; i++) {
		if (m[i].time_ns < c->t0)
			first = i;
		else if (m[i].time_ns > c->t1 && last < 0)
			last = i;
	}
	j = 0;
	for (i = 0; i < *n; i++)
		if (i >= first && (last < 0 || i <= last))
			m[j++] = m[i];
	*n = j;
	if (!j) {
		free(m);
		return NULL;
	}
	return m;
}

static void grid(const struct ctx *c, double top, double bottom, double ymax_kb)
{
	FILE *f = c->f;
	int i;

	fprintf(f, "<rect class=\"frame\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
		"fill=\"#fafafa\" stroke=\"#999\"/>\n", X0 - PAD, top, X1 - X0 + 2 * PAD,
		bottom - top);
	for (i = 0; i <= 2; i++) {
		double y = bottom - (bottom - top) * i / 2.0;

		fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#ddd\"/>\n",
			X0 - PAD, y, X1 + PAD, y);
		fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\" fill=\"#555\">"
			"%.1f MiB</text>\n", X0 - PAD - 4, y + 4, ymax_kb * i / 2.0 / KB_PER_MIB);
	}
}

/* Without samples, the limit is what the kills' records say, from the view's
 * start to its end, stepping at each kill. */
static void kill_limits(const struct ctx *c, int d, double bottom, double ymax)
{
	const struct timeline *tl = c->tl;
	double y = 0;
	int i, open = 0;

	for (i = 0; i < tl->nr_kills; i++) {
		const struct report_kill *k = &tl->kills[i];
		double x = xof(c, k->time_ns), ky = bottom - (double)k->limit_kb / ymax * LANE_H;

		if (k->domain != d || !k->has_memory || !kill_shown(c, k) || !limited(k->limit_kb))
			continue;
		if (!open)
			fprintf(c->f, "<polyline class=\"limit\" fill=\"none\" stroke=\"" C_LIMIT
				"\" stroke-dasharray=\"6 3\" points=\"%.2f,%.2f", X0 - PAD, ky);
		else
			fprintf(c->f, " %.2f,%.2f", x, y);
		fprintf(c->f, " %.2f,%.2f", x, ky);
		y = ky;
		open = 1;
	}
	if (open)
		fprintf(c->f, " %.2f,%.2f\"/>\n", X1 + PAD, y);
}

/* A kill's label: its row's first line; its reclaim, if any, the second. */
static double label_y(double top, int row)
{
	return top + 14 + (row % LABEL_ROWS) * 2 * LABEL_LINE;
}

static void stalls_text(FILE *f, const char *kind, const struct report_stalls *s)
{
	fprintf(f, "%s reclaim %llu stalls, %.1f ms in all, longest %.1f ms, %llu pages "
		"reclaimed of %llu scanned", kind, (unsigned long long)s->stalls,
		s->total_us / 1e3, s->max_us / 1e3, (unsigned long long)s->reclaimed_pages,
		(unsigned long long)s->scanned_pages);
}

/*
 * A kill's reclaim window: a band over the time it sums, up to the kill,
 * with its stalls. The sums have no time inside the window, so the band is
 * even: it says how much, not when.
 */
static void reclaim_window(const struct ctx *c, const struct report_kill *k, double top,
			   double bottom, int row)
{
	const struct report_reclaim *r = &k->reclaim;
	int64_t from = k->time_ns - (int64_t)r->window_us * 1000;
	double x = xof(c, k->time_ns), xs = xof(c, from < c->t0 ? c->t0 : from);
	__u64 stalls = r->direct.stalls + r->memcg.stalls;
	__u64 total_us = r->direct.total_us + r->memcg.total_us;
	__u64 max_us = r->direct.max_us > r->memcg.max_us ? r->direct.max_us : r->memcg.max_us;
	FILE *f = c->f;
	char text[160];
	double y;
	int n;

	fprintf(f, "<g class=\"reclaim\" data-seq=\"%llu\" data-stalls=\"%llu\">\n",
		(unsigned long long)k->seq, (unsigned long long)stalls);
	fprintf(f, "<title>the %.1f s before seq %llu's kill: ", r->window_us / 1e6,
		(unsigned long long)k->seq);
	stalls_text(f, "memcg", &r->memcg);
	fputs("; ", f);
	stalls_text(f, "direct", &r->direct);
	fprintf(f, "; kswapd wakeups %llu, reclaim retries %llu, compaction retries %llu",
		(unsigned long long)r->kswapd_wakeups, (unsigned long long)r->reclaim_retries,
		(unsigned long long)r->compact_retries);
	if (r->has_psi) {
		fputs("; memory pressure (PSI, ", f);
		xml_text(f, r->psi_source);
		fprintf(f, ", read just after the kill) some %.2f%% full %.2f%% (avg10), "
			"some %.2f%% full %.2f%% (avg60)", r->some_avg10, r->full_avg10,
			r->some_avg60, r->full_avg60);
	} else {
		fputs("; no PSI", f);
	}
	fputs("</title>\n", f);
	fprintf(f, "<rect x=\"%.3f\" y=\"%.2f\" width=\"%.3f\" height=\"%.2f\" fill=\""
		C_RECLAIM "\" fill-opacity=\"0.08\"/>\n", xs, top, x - xs, bottom - top);
	fprintf(f, "<line x1=\"%.3f\" y1=\"%.2f\" x2=\"%.3f\" y2=\"%.2f\" stroke=\"" C_RECLAIM
		"\" stroke-width=\"3\"/>\n", xs, bottom - 2, x, bottom - 2);
	n = snprintf(text, sizeof(text), "%llu stalls, %.1f ms, longest %.1f ms",
		     (unsigned long long)stalls, total_us / 1e3, max_us / 1e3);
	if (r->has_psi)
		snprintf(text + n, sizeof(text) - n, "; PSI %.2f/%.2f%%", r->some_avg10,
			 r->full_avg10);
	/* under the kill's label, right of its mark; left of it where that
	 * would run off the picture */
	y = label_y(top, row) + LABEL_LINE;
	if (x + 4 + strlen(text) * CHAR_W > WIDTH)
		fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\" ", x - 4, y);
	else
		fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" ", x + 4, y);
	fprintf(f, "fill=\"" C_RECLAIM "\" font-size=\"10\">%s</text>\n</g>\n", text);
}

static void lane(const struct ctx *c, int d, double top, int *row)
{
	const struct timeline *tl = c->tl;
	double bottom = top + LANE_H, ymax = 0, y, x;
	const struct report_domain *dom = &tl->domains[d];
	struct report_sample *m;
	FILE *f = c->f;
	int i, j, n;

	m = lane_samples(c, d, &n);
	for (i = 0; i < n; i++) {
		ymax = larger(ymax, m[i].usage_kb);
		if (limited(m[i].limit_kb))
			ymax = larger(ymax, m[i].limit_kb);
	}
	for (i = 0; i < tl->nr_kills; i++) {
		const struct report_kill *k = &tl->kills[i];

		if (k->domain != d || !k->has_memory || !kill_shown(c, k))
			continue;
		ymax = larger(ymax, k->usage_kb);
		if (limited(k->limit_kb))
			ymax = larger(ymax, k->limit_kb);
	}
	ymax = ymax > 0 ? ymax * 1.1 : 1024;
#define YOF(kb) (bottom - (double)(kb) / ymax * LANE_H)

	fputs("<g class=\"lane\" data-domain=\"", f);
	xml_text(f, dom->name[0] ? dom->name : "system");
	fputs("\">\n", f);
	fprintf(f, "<text class=\"lane-title\" x=\"%.2f\" y=\"%.2f\" font-size=\"13\" "
		"font-weight=\"bold\">", X0 - PAD, top - 8);
	if (dom->name[0]) {
		fputs("memory cgroup ", f);
		xml_text(f, dom->name);
	} else {
		fputs("the system (MemTotal - MemAvailable)", f);
	}
	fputs("</text>\n", f);
	grid(c, top, bottom, ymax);
	/* under the lines: the windows are the background of the road */
	for (i = 0, j = 0; i < tl->nr_kills; i++) {
		const struct report_kill *k = &tl->kills[i];

		if (k->domain != d || !kill_shown(c, k))
			continue;
		/* its label on its kill's row */
		if (k->has_reclaim)
			reclaim_window(c, k, top, bottom, *row + j);
		j++;
	}

	/* the limit as a step line: it may change while tracing */
	if (n) {
		int open = 0;

		for (i = 0; i < n; i++) {
			if (!limited(m[i].limit_kb)) {
				if (open)
					fputs("\"/>\n", f);
				open = 0;
				continue;
			}
			x = xof(c, m[i].time_ns);
			y = YOF(m[i].limit_kb);
			if (!open)
				fprintf(f, "<polyline class=\"limit\" fill=\"none\" stroke=\"" C_LIMIT
					"\" stroke-dasharray=\"6 3\" points=\"%.2f,%.2f", x, y);
			else
				fprintf(f, " %.2f,%.2f %.2f,%.2f", x, YOF(m[i - 1].limit_kb), x, y);
			open = 1;
		}
		if (open)
			fputs("\"/>\n", f);
		fprintf(f, "<polyline class=\"usage\" fill=\"none\" stroke=\"" C_USAGE
			"\" stroke-width=\"1.5\" points=\"");
		for (i = 0; i < n; i++)
			fprintf(f, "%s%.2f,%.2f", i ? " " : "", xof(c, m[i].time_ns),
				YOF(m[i].usage_kb));
		fputs("\"/>\n", f);
		/* a line of one point shows nothing */
		if (n == 1)
			fprintf(f, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"2\" fill=\"" C_USAGE
				"\"/>\n", xof(c, m[0].time_ns), YOF(m[0].usage_kb));
	} else {
		kill_limits(c, d, bottom, ymax);
	}
	free(m);

	for (i = 0; i < tl->nr_kills; i++) {
		const struct report_kill *k = &tl->kills[i];
		const char *colour = k->killed ? C_KILL : C_EXITING;
		char t[64];

		if (k->domain != d || !kill_shown(c, k))
			continue;
		x = xof(c, k->time_ns);
		timefmt_rfc3339_us(t, sizeof(t), k->time_ns);
		fprintf(f, "<g class=\"kill\" data-seq=\"%llu\" data-episode=\"%llu\">\n",
			(unsigned long long)k->seq, (unsigned long long)k->episode);
		fprintf(f, "<title>%s: episode %llu, seq %llu: ", t,
			(unsigned long long)k->episode, (unsigned long long)k->seq);
		label(f, k);
		if (k->has_memory)
			fprintf(f, "; memcg usage %llu kB of %llu kB",
				(unsigned long long)k->usage_kb, (unsigned long long)k->limit_kb);
		fputs("</title>\n", f);
		fprintf(f, "<line x1=\"%.3f\" y1=\"%.2f\" x2=\"%.3f\" y2=\"%.2f\" stroke=\"%s\" "
			"stroke-width=\"1.5\"/>\n", x, top, x, bottom, colour);
		fprintf(f, "<path d=\"M%.2f,%.2f l-5,-8 h10 z\" fill=\"%s\"/>\n", x, top, colour);
		/* drawn under the domain's own usage point, from its kill record */
		if (k->has_memory)
			fprintf(f, "<circle class=\"usage-at-kill\" cx=\"%.2f\" cy=\"%.2f\" r=\"3.5\" "
				"fill=\"" C_USAGE "\" stroke=\"white\"/>\n", x, YOF(k->usage_kb));
		fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" fill=\"%s\">", x + 4,
			label_y(top, *row), colour);
		label(f, k);
		fputs("</text>\n</g>\n", f);
		(*row)++;
	}

	for (i = 0; i < tl->nr_reaps; i++) {
		const struct report_reap *r = &tl->reaps[i];
		const struct report_kill *k = kill_of(c, r->seq);
		/* an exit_us longer than the time since 1970 is not believed */
		int64_t killed = r->exit_us > (__u64)r->time_ns / 1000 ? r->time_ns :
				 r->time_ns - (int64_t)r->exit_us * 1000;
		const char *colour = !strcmp(r->reaper, "reaped") ? "#2e8b57" :
				     !strcmp(r->reaper, "skipped") ? C_EXITING : "#777";
		double xk, y = bottom - 10 - (i % 2) * 8;

		/* the victim's lane is its kill's: a reap with no kill is not placed */
		if (!reap_shown(c, r) || k->domain != d)
			continue;
		xk = xof(c, killed);
		x = xof(c, r->time_ns);
		fprintf(f, "<g class=\"reap\" data-seq=\"%llu\" data-reaper=\"",
			(unsigned long long)r->seq);
		xml_text(f, r->reaper);
		fputs("\">\n<title>", f);
		xml_text(f, r->comm);
		fprintf(f, " (%lld): %s; exited %.3f s after the kill</title>\n", r->pid,
			!strcmp(r->reaper, "reaped") ? "the oom_reaper freed its memory" :
			!strcmp(r->reaper, "skipped") ? "the oom_reaper skipped it" :
			"it freed its own memory", r->exit_us / 1e6);
		fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\"/>\n",
			xk, y, x, y, colour);
		fprintf(f, "<circle cx=\"%.3f\" cy=\"%.2f\" r=\"4\" fill=\"%s\"/>\n", x, y, colour);
		fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" fill=\"%s\" font-size=\"10\">", x + 6, y + 4,
			colour);
		xml_text(f, !strcmp(r->reaper, "not_needed") ? "exit" : r->reaper);
		fputs("</text>\n</g>\n", f);
	}
	fputs("</g>\n", f);
#undef YOF
}

/*
 * 1, 2 or 5 times 10^e seconds, at most 10 ticks, and the decimals that
 * print it. Found by steps of ten: no libm in a program that is resident
 * on every node for this one use.
 */
static double tick_step(double span_s, int *decimals)
{
	static const double steps[] = { 1, 2, 5, 10 };
	double p = 1;
	int e = 0, i;

	while (p * 10 <= span_s / 10) {
		p *= 10;
		e++;
	}
	while (p > span_s / 10) {
		p /= 10;
		e--;
	}
	for (i = 0; i < 3 && span_s / (steps[i] * p) > 10; i++)
		;
	if (i == 3)
		e++;
	*decimals = e < 0 ? -e : 0;
	return steps[i] * p;
}

static void axis(const struct ctx *c, double y)
{
	double span = (c->t1 - c->t0) / 1e9, step, s;
	int decimals;
	FILE *f = c->f;

	step = tick_step(span, &decimals);
	fprintf(f, "<line class=\"axis\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" "
		"stroke=\"#333\" data-x0=\"%.2f\" data-x1=\"%.2f\"/>\n", X0 - PAD, y, X1 + PAD, y,
		X0, X1);
	for (s = 0; s <= span + 1e-9; s += step) {
		double x = X0 + s / span * (X1 - X0);

		fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#333\"/>\n",
			x, y, x, y + 5);
		fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">+%.*f s</text>\n",
			x, y + 18, decimals, s);
	}
}

static void losses(const struct ctx *c, double top, double bottom)
{
	FILE *f = c->f;
	int i;

	for (i = 0; i < c->tl->nr_losts; i++) {
		const struct report_lost *l = &c->tl->losts[i];
		double x = xof(c, l->time_ns);

		if (!in_view(c, l->time_ns))
			continue;
		fprintf(f, "<g class=\"lost\" data-count=\"%llu\">\n<title>%llu records lost: the "
			"ring buffer was full</title>\n", (unsigned long long)l->count,
			(unsigned long long)l->count);
		fprintf(f, "<line x1=\"%.3f\" y1=\"%.2f\" x2=\"%.3f\" y2=\"%.2f\" stroke=\"" C_LOST
			"\" stroke-width=\"2\" stroke-dasharray=\"2 3\"/>\n", x, top, x, bottom);
		fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" fill=\"" C_LOST "\" text-anchor=\"middle\" "
			"font-weight=\"bold\">%llu lost</text>\n</g>\n", x, top - 24,
			(unsigned long long)l->count);
	}
}

int svg_render(FILE *f, const struct timeline *tl, const struct svg_view *v)
{
	struct ctx c = { .f = f, .tl = tl, .v = v, .t0 = v->t0_ns, .t1 = v->t1_ns };
	int i, d, lanes = 0, row = 0, kills = 0, reaps = 0;
	unsigned long long lost = 0;
	char from[64], to[64];
	double top = TOP, height;

	/* one instant still needs a width */
	if (c.t1 <= c.t0) {
		c.t0 -= 500000000;
		c.t1 = c.t0 + 1000000000;
	}
	c.by_seq = malloc((tl->nr_kills ? tl->nr_kills : 1) * sizeof(*c.by_seq));
	if (!c.by_seq)
		return -1;
	for (i = 0; i < tl->nr_kills; i++)
		c.by_seq[i] = &tl->kills[i];
	qsort(c.by_seq, tl->nr_kills, sizeof(*c.by_seq), cmp_kill_seq);
	for (d = 0; d < tl->nr_domains; d++)
		lanes += lane_shown(&c, d);
	for (i = 0; i < tl->nr_kills; i++)
		kills += kill_shown(&c, &tl->kills[i]);
	for (i = 0; i < tl->nr_reaps; i++)
		reaps += reap_shown(&c, &tl->reaps[i]);
	for (i = 0; i < tl->nr_losts; i++)
		lost += in_view(&c, tl->losts[i].time_ns) ? tl->losts[i].count : 0;
	height = TOP + lanes * (LANE_H + LANE_GAP) + 20;
	timefmt_rfc3339_us(from, sizeof(from), c.t0);
	timefmt_rfc3339_us(to, sizeof(to), c.t1);

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" "
		"viewBox=\"0 0 %d %.0f\" font-family=\"DejaVu Sans, sans-serif\" font-size=\"11\">\n",
		WIDTH, height, WIDTH, height);
	fprintf(f, "<title>oomtrace: %s</title>\n", v->title);
	fprintf(f, "<rect width=\"%d\" height=\"%.0f\" fill=\"white\"/>\n", WIDTH, height);
	fprintf(f, "<text x=\"%.2f\" y=\"26\" font-size=\"16\" font-weight=\"bold\">oomtrace: "
		"%s</text>\n", X0 - PAD, v->title);
	fprintf(f, "<text x=\"%.2f\" y=\"44\" fill=\"#333\">%s to %s: %d kills, %d victim exits, "
		"%llu records lost</text>\n", X0 - PAD, from, to, kills, reaps, lost);
	fprintf(f, "<text x=\"%.2f\" y=\"60\" fill=\"#333\"><tspan fill=\"" C_USAGE
		"\">&#8212; memory use</tspan>   <tspan fill=\"" C_LIMIT "\">- - limit</tspan>   "
		"<tspan fill=\"" C_KILL "\">&#9660; kill: victim (pid)</tspan>   "
		"<tspan fill=\"#2e8b57\">&#9679; reaped</tspan> <tspan fill=\"" C_EXITING
		"\">&#9679; skipped</tspan> <tspan fill=\"#777\">&#9679; exit</tspan>: the victim's "
		"exit   <tspan fill=\"" C_LOST "\">| lost records</tspan>   <tspan fill=\"" C_RECLAIM
		"\">&#9644; reclaim before the kill: stalls, time, longest; PSI some/full avg10"
		"</tspan></text>\n", X0 - PAD);
	/* the system first: the whole machine above its parts */
	for (i = 0; i < 2; i++)
		for (d = 0; d < tl->nr_domains; d++) {
			if ((i == 0) != !tl->domains[d].name[0] || !lane_shown(&c, d))
				continue;
			lane(&c, d, top, &row);
			top += LANE_H + LANE_GAP;
		}
	if (lanes)
		losses(&c, TOP, top - LANE_GAP);
	axis(&c, top - LANE_GAP + 8);
	fputs("</svg>\n", f);
	free(c.by_seq);
	return ferror(f) ? -1 : 0;
}
