/* SPDX-License-Identifier: Apache-2.0 */
/*
 * files.c - outputs replaced atomically: a reader never sees half a file,
 * and a failed run leaves what was there before.
 */
#define _POSIX_C_SOURCE 200809L
#include "lib/files.h"

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

/* Whether the folder `path` would be created in exists; a->tmp-sized scratch holds its name for messages. */
static bool parent_dir_of(const char *path, char *dir, size_t n)
{
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (!slash)
		snprintf(dir, n, ".");
	else if (slash == path)
		snprintf(dir, n, "/");
	else
		snprintf(dir, n, "%.*s", (int)(slash - path), path);
	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
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
	/* The folder must exist: an output path with a typo must not grow a tree of folders. */
	if (!parent_dir_of(path, a->tmp, sizeof(a->tmp))) {
		fprintf(diag, "%s: no such directory: %s\n", path, a->tmp);
		return false;
	}
	snprintf(a->tmp, sizeof(a->tmp), "%s.tmpXXXXXX", path);
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
