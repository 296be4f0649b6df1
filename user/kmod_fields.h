/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One line of the oomtrace kernel module's debugfs files: space-separated
 * key=value fields. Values that may hold spaces (comm, memcg) are written
 * with seq_escape(), which turns a byte into \ooo octal; "-" means the
 * module could not know the value.
 */
#ifndef __KMOD_FIELDS_H
#define __KMOD_FIELDS_H

struct kmod_field {
	char *key;
	char *val;	/* unescaped, in the split line */
};

/*
 * Split line in place into at most n fields and unescape their values.
 * A token without '=' is no field and is skipped; a trailing newline ends
 * the line. Returns the number of fields.
 */
int kmod_fields_split(char *line, struct kmod_field *f, int n);

/* The value of key among f[0..n), or NULL. */
char *kmod_field(const struct kmod_field *f, int n, const char *key);

/* Is a value the module's "unknown"? */
int kmod_field_unknown(const char *val);

/*
 * Undo seq_escape() in place: a backslash and three octal digits that make
 * a byte from 1 to 0377 become that byte; anything else stays as it is.
 */
void kmod_unescape(char *s);

#endif /* __KMOD_FIELDS_H */
