// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "kmod_fields.h"

static int is_octal(char c)
{
	return c >= '0' && c <= '7';
}

void kmod_unescape(char *s)
{
	char *d = s;

	while (*s) {
		/* s[1..3] are checked in order: none reads past the end */
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && is_octal(s[2]) &&
		    is_octal(s[3]) && (s[1] != '0' || s[2] != '0' || s[3] != '0')) {
			*d++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
}

int kmod_fields_split(char *line, struct kmod_field *f, int n)
{
	char *tok, *eq, *save = NULL;
	int got = 0;

	line[strcspn(line, "\n")] = '\0';
	for (tok = strtok_r(line, " ", &save); tok && got < n;
	     tok = strtok_r(NULL, " ", &save)) {
		eq = strchr(tok, '=');
		if (!eq)
			continue;
		*eq = '\0';
		kmod_unescape(eq + 1);
		f[got].key = tok;
		f[got].val = eq + 1;
		got++;
	}
	return got;
}

char *kmod_field(const struct kmod_field *f, int n, const char *key)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(f[i].key, key))
			return f[i].val;
	return NULL;
}

int kmod_field_unknown(const char *val)
{
	return !strcmp(val, "-");
}
