/* SPDX-License-Identifier: GPL-2.0 */
/* Attach modes: how the BPF side reaches the OOM killer. */
#ifndef __MODE_H
#define __MODE_H

enum oom_mode {
	MODE_AUTO,		/* a request only: the first mode that attaches */
	MODE_FENTRY,
	MODE_KPROBE,
	MODE_TRACEPOINT,
	MODE_END,
};

/* Every real mode, in the order auto tries them. */
#define for_each_mode(m) for ((m) = MODE_FENTRY; (m) < MODE_END; (m)++)

const char *mode_name(enum oom_mode mode);
/* "auto", "fentry", ...: 0, or -EINVAL for any other name. */
int mode_parse(const char *name, enum oom_mode *mode);

#endif /* __MODE_H */
