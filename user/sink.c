// SPDX-License-Identifier: GPL-2.0
/* What the line-oriented sinks (text, JSON) share: they are their stream. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sink.h"

struct sink {
	struct sink_config cfg;
	FILE *f;
};

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

struct sink *line_sink_open(const struct sink_config *cfg)
{
	struct sink *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->cfg = *cfg;
	s->f = cfg->f;
	if (cfg->path)
		s->f = open_records(cfg->path, cfg->append);
	if (!s->f) {
		fprintf(stderr, "oomtrace: failed to open %s: %s\n", cfg->path, strerror(errno));
		free(s);
		return NULL;
	}
	return s;
}

int line_sink_reopen(struct sink *s)
{
	FILE *n;

	if (!s->cfg.path || !s->cfg.append)
		return 0;
	n = open_records(s->cfg.path, 1);
	if (!n)
		return -errno;
	fclose(s->f);
	s->f = n;
	return 0;
}

int line_sink_close(struct sink *s)
{
	int err = 0;

	if (s->cfg.path && fclose(s->f))
		err = -errno;
	free(s);
	return err;
}

FILE *line_sink_stream(const struct sink *s)
{
	return s->f;
}

int line_sink_flush(struct sink *s)
{
	int err = 0;

	if (fflush(s->f) || ferror(s->f))
		err = errno ? -errno : -EIO;
	/* the error is returned: the next write may find room again */
	clearerr(s->f);
	return err;
}
