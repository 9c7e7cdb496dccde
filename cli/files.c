/*
 * files.c - atomic replacement, golden comparison, golden naming.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli/files.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool make_parent_dirs(const char *path)
{
	char buf[4096];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return false;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) != 0 && errno != EEXIST)
			return false;
		*p = '/';
	}
	return true;
}

bool atomic_open(struct atomic_file *a, const char *path, FILE *diag)
{
	int fd;
	struct stat st;

	memset(a, 0, sizeof(*a));
	/*
	 * Only regular files are replaced by renaming; a device, FIFO or
	 * terminal named as the output is written in place (a->tmp stays "").
	 */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(a->path, sizeof(a->path), "%s", path);
		a->f = fopen(path, "w");
		if (!a->f)
			fprintf(diag, "%s: %s\n", path, strerror(errno));
		return a->f != NULL;
	}
	if ((size_t)snprintf(a->path, sizeof(a->path), "%s", path) >= sizeof(a->path) ||
	    (size_t)snprintf(a->tmp, sizeof(a->tmp), "%s.tmpXXXXXX", path) >= sizeof(a->tmp)) {
		fprintf(diag, "%s: path too long\n", path);
		return false;
	}
	if (!make_parent_dirs(path)) {
		fprintf(diag, "%s: cannot create its directory: %s\n", path, strerror(errno));
		return false;
	}
	fd = mkstemp(a->tmp);
	if (fd < 0) {
		fprintf(diag, "%s: cannot create a temporary file beside it: %s\n", path, strerror(errno));
		return false;
	}
	a->f = fdopen(fd, "w");
	if (!a->f) {
		close(fd);
		unlink(a->tmp);
		fprintf(diag, "%s: %s\n", path, strerror(errno));
		return false;
	}
	return true;
}

bool atomic_commit(struct atomic_file *a, FILE *diag)
{
	if (!a->tmp[0]) {   /* written in place */
		bool ok = fflush(a->f) == 0;
		ok = (fclose(a->f) == 0) && ok;
		a->f = NULL;
		if (!ok)
			fprintf(diag, "%s: cannot write: %s\n", a->path, strerror(errno));
		return ok;
	}
	bool ok = fflush(a->f) == 0 && fsync(fileno(a->f)) == 0;

	ok = (fclose(a->f) == 0) && ok;
	a->f = NULL;
	if (ok && chmod(a->tmp, 0644) != 0)
		ok = false;
	if (!ok || rename(a->tmp, a->path) != 0) {
		fprintf(diag, "%s: cannot write: %s\n", a->path, strerror(errno));
		unlink(a->tmp);
		return false;
	}
	return true;
}

void atomic_abort(struct atomic_file *a)
{
	if (a->f)
		fclose(a->f);
	a->f = NULL;
	if (a->tmp[0])
		unlink(a->tmp);
}

void golden_path_for(const char *scenario, char *out, size_t n)
{
	const char *comp = NULL;
	size_t len = strlen(scenario);
	size_t stem = len >= 4 && !strcmp(scenario + len - 4, ".scn") ? len - 4 : len;

	/* The last "scenarios/" path component. */
	for (const char *p = scenario; (p = strstr(p, "scenarios/")) != NULL; p++)
		if (p == scenario || p[-1] == '/')
			comp = p;
	if (comp)
		snprintf(out, n, "%.*straces/%.*s.trace", (int)(comp - scenario), scenario,
		         (int)(stem - (size_t)(comp + 10 - scenario)), comp + 10);
	else
		snprintf(out, n, "%.*s.trace", (int)stem, scenario);
}

#define CONTEXT 3

enum golden_result golden_compare(const char *actual, const char *golden, FILE *diag)
{
	FILE *a = fopen(actual, "r"), *g = fopen(golden, "r");
	char *la = NULL, *lg = NULL, *ctx[CONTEXT] = {NULL};
	size_t na = 0, ng = 0;
	unsigned long line = 0;
	enum golden_result r = GOLDEN_SAME;

	if (!g) {
		if (a)
			fclose(a);
		return GOLDEN_MISSING;
	}
	if (!a) {
		fclose(g);
		fprintf(diag, "%s: cannot read\n", actual);
		return GOLDEN_DIFFERS;
	}
	for (;;) {
		ssize_t ra = getline(&la, &na, a), rg = getline(&lg, &ng, g);
		line++;
		if (ra < 0 && rg < 0)
			break;
		if (ra >= 0 && rg >= 0 && !strcmp(la, lg)) {
			free(ctx[0]);
			memmove(ctx, ctx + 1, sizeof(ctx[0]) * (CONTEXT - 1));
			ctx[CONTEXT - 1] = strdup(la);
			continue;
		}
		r = GOLDEN_DIFFERS;
		fprintf(diag, "%s:%lu: first difference from the golden\n", golden, line);
		for (int i = 0; i < CONTEXT; i++)
			if (ctx[i])
				fprintf(diag, "    %s", ctx[i]);
		fprintf(diag, "  - %s", rg >= 0 ? lg : "(end of golden)\n");
		if (rg >= 0 && lg[rg - 1] != '\n')
			fputc('\n', diag);
		fprintf(diag, "  + %s", ra >= 0 ? la : "(end of trace)\n");
		if (ra >= 0 && la[ra - 1] != '\n')
			fputc('\n', diag);
		break;
	}
	for (int i = 0; i < CONTEXT; i++)
		free(ctx[i]);
	free(la);
	free(lg);
	fclose(a);
	fclose(g);
	return r;
}
