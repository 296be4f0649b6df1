// SPDX-License-Identifier: GPL-2.0
#include "route.h"

int route_sample(struct episodes *e, struct followups *f, const void *buf, size_t size,
		 __u64 now_ns)
{
	const struct oomtrace_hdr *hdr = buf;

	if (size >= sizeof(*hdr) && hdr->type == OOMTRACE_REC_REAP)
		return followups_add_bytes(f, buf, size, now_ns);
	return episodes_add_bytes(e, buf, size, now_ns);
}
