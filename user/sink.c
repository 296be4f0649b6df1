// SPDX-License-Identifier: GPL-2.0
/* What line-oriented sinks share: their stream. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "sink.h"

/* Records name the host's processes and cgroups: not for every user to
 * read (0640, then umask). */
static FILE *open_records(const char *path, int append)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC),
		      0640);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, append ? "a" : "w");
	if (!f)
		close(fd);
	return f;
}

FILE *sink_file_open(const struct sink_config *cfg)
{
	FILE *f;

	if (!cfg->path)
		return cfg->f;
	f = open_records(cfg->path, cfg->append);
	if (!f)
		fprintf(stderr, "oomtrace: failed to open %s: %s\n", cfg->path, strerror(errno));
	return f;
}

int sink_file_reopen(const struct sink_config *cfg, FILE **f)
{
	FILE *n;

	if (!cfg->path || !cfg->append)
		return 0;
	n = open_records(cfg->path, 1);
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
