// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include "mode.h"

static const char *const mode_names[MODE_END] = {
	[MODE_AUTO] = "auto",
	[MODE_FENTRY] = "fentry",
	[MODE_KPROBE] = "kprobe",
	[MODE_TRACEPOINT] = "tracepoint",
};

const char *mode_name(enum oom_mode mode)
{
	return mode < MODE_END ? mode_names[mode] : "unknown";
}

int mode_parse(const char *name, enum oom_mode *mode)
{
	enum oom_mode m;

	for (m = MODE_AUTO; m < MODE_END; m++) {
		if (!strcmp(name, mode_names[m])) {
			*mode = m;
			return 0;
		}
	}
	return -EINVAL;
}
