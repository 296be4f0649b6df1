// SPDX-License-Identifier: GPL-2.0
/* What line-oriented sinks share: their stream. */
#include <errno.h>
#include <string.h>
#include "sink.h"

FILE *sink_file_open(const struct sink_config *cfg)
{
	FILE *f;

	if (!cfg->path)
		return cfg->f;
	f = fopen(cfg->path, cfg->append ? "a" : "w");
	if (!f)
		fprintf(stderr, "oomtrace: failed to open %s: %s\n", cfg->path, strerror(errno));
	return f;
}

int sink_file_reopen(const struct sink_config *cfg, FILE **f)
{
	FILE *n;

	if (!cfg->path || !cfg->append)
		return 0;
	n = fopen(cfg->path, "a");
	if (!n)
		return -errno;
	fclose(*f);
	*f = n;
	return 0;
}

int sink_file_close(const struct sink_config *cfg, FILE *f)
{
	if (cfg->path && fclose(f))
		return -errno;
	return 0;
}

int sink_file_flush(FILE *f)
{
	int err = 0;

	if (fflush(f) || ferror(f))
		err = errno ? -errno : -EIO;
	/* the error is returned: the next write may find room again */
	clearerr(f);
	return err;
}
