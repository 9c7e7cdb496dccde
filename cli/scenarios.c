/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scenarios.c - the scenario files under a folder (cli/scenarios.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "cli/scenarios.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool collect(const char *dir, struct paths *p, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return false;
	while ((e = readdir(d)) != NULL) {
		char full[4096];
		struct stat st;
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(full, sizeof(full), "%s/%s", dir, e->d_name) >= sizeof(full) || stat(full, &st) != 0)
			continue;
		/* An unreadable subfolder is passed over; out of memory stops the list (a suite must not
		 * quietly run fewer scenarios). */
		if (S_ISDIR(st.st_mode) && depth < 8) {
			if (!collect(full, p, depth + 1) && errno == ENOMEM)
				goto oom;
		} else if (S_ISREG(st.st_mode) && len > 4 && !strcmp(e->d_name + len - 4, ".scn")) {
			if (p->n == p->cap) {
				size_t cap = p->cap ? p->cap * 2 : 32;
				char **v = realloc(p->v, cap * sizeof(*v));
				if (!v)
					goto oom;
				p->v = v;
				p->cap = cap;
			}
			p->v[p->n] = strdup(full);
			if (!p->v[p->n])
				goto oom;
			p->n++;
		}
	}
	closedir(d);
	return true;
oom:
	closedir(d);
	errno = ENOMEM;
	return false;
}

void paths_free(struct paths *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
}

bool find_scenarios(const char *cmd, const char *dir, struct paths *p)
{
	memset(p, 0, sizeof(*p));
	if (!collect(dir, p, 0)) {
		fprintf(stderr, "vmxsim %s: %s: %s\n", cmd, dir, errno == ENOMEM ? "out of memory" : strerror(errno));
		paths_free(p);
		return false;
	}
	/* Sorted, so the order is the same on every file system. */
	qsort(p->v, p->n, sizeof(*p->v), cmp_str);
	return true;
}
