// SPDX-License-Identifier: GPL-2.0
/*
 * `oomtrace report`: any bytes as JSON lines, read into a timeline and,
 * when they are records, drawn as SVG, whole and per episode. The picture
 * must be XML text: valid UTF-8, no control bytes, every '&' an entity.
 */
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "report.h"

static void check_xml_text(const char *s, size_t n)
{
	static const char *const entities[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#" };
	size_t i, j;

	if (!fuzz_utf8_valid(s, n))
		abort();
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 && s[i] != '\n')
			abort();
		if (s[i] != '&')
			continue;
		for (j = 0; j < sizeof(entities) / sizeof(entities[0]); j++)
			if (!strncmp(s + i, entities[j], strlen(entities[j])))
				break;
		if (j == sizeof(entities) / sizeof(entities[0]))
			abort();
	}
}

static void draw(const struct timeline *tl, const struct svg_view *v)
{
	struct fuzz_buf b;

	fuzz_buf_open(&b);
	if (svg_render(b.f, tl, v))
		abort();
	fuzz_buf_close(&b);
	check_xml_text(b.s, b.len);
	if (strncmp(b.s, "<?xml", 5) || !strstr(b.s, "</svg>\n"))
		abort();
	fuzz_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct timeline tl = {};
	struct svg_view v;
	FILE *f;

	f = fmemopen((void *)data, size, "r");
	if (!size || !f) {
		if (f)
			fclose(f);
		return 0;
	}
	if (!timeline_read(&tl, f, "fuzz")) {
		if (!timeline_view_all(&tl, &v)) {
			v.title = "fuzz";
			draw(&tl, &v);
		}
		if (tl.nr_kills && !timeline_view_episode(&tl, tl.kills[0].episode, &v)) {
			v.title = "fuzz";
			draw(&tl, &v);
		}
	}
	timeline_free(&tl);
	fclose(f);
	return 0;
}
