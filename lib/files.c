/* SPDX-License-Identifier: Apache-2.0 */
/*
 * files.c - outputs replaced atomically: a reader never sees half a file,
 * and a failed run leaves what was there before.
 *
 * The temporary file is written through a stdio stream of our own
 * (fopencookie) whose every write and close is a write(2) and close(2)
 * called from here: the first error is kept with its errno for the
 * message, and a fault-injection shim (tests/faults/) sees each of them,
 * which it could not inside glibc's own stdio.
 */
#define _GNU_SOURCE   /* fopencookie */
#include "lib/files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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

/* The folder `path` is in, as written ("." for a bare name). */
static void dir_of(const char *path, char *dir, size_t n)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, n, ".");
	else if (slash == path)
		snprintf(dir, n, "/");
	else
		snprintf(dir, n, "%.*s", (int)(slash - path), path);
}

static bool is_dir(const char *dir)
{
	struct stat st;
	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---- the stream over the temporary file ---- */

static void keep_error(struct atomic_file *a, int err)
{
	if (!a->err)
		a->err = err ? err : EIO;
}

static ssize_t cookie_write(void *c, const char *buf, size_t n)
{
	struct atomic_file *a = c;
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(a->fd, buf + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			keep_error(a, w < 0 ? errno : ENOSPC);
			break;
		}
		done += (size_t)w;
	}
	/* Short: stdio marks the stream in error. */
	return (ssize_t)done;
}

/* ftello (the --max-trace limit) asks where the stream is. */
static int cookie_seek(void *c, off64_t *pos, int whence)
{
	struct atomic_file *a = c;
	off_t r = lseek(a->fd, (off_t)*pos, whence);

	if (r < 0)
		return -1;
	*pos = r;
	return 0;
}

static int cookie_close(void *c)
{
	struct atomic_file *a = c;
	int fd = a->fd;

	a->fd = -1;
	if (close(fd) != 0) {
		keep_error(a, errno);
		return -1;
	}
	return 0;
}

/*
 * Create PATH.tmpXXXXXX with mode 0666 less the umask (the kernel applies
 * it, as for any new file; mkstemp's 0600 would need the umask read back,
 * which only a racy umask() call gives).
 */
static int create_temp(struct atomic_file *a)
{
	static const char digits[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	struct timespec t;
	uint64_t x;
	size_t n = strlen(a->tmp);

	clock_gettime(CLOCK_REALTIME, &t);
	x = (uint64_t)t.tv_nsec ^ ((uint64_t)t.tv_sec << 30) ^ ((uint64_t)getpid() << 12) ^ (uint64_t)(uintptr_t)a;
	for (uint64_t attempt = 0; attempt < 100; attempt++) {
		uint64_t y = x + attempt * 0x9E3779B97F4A7C15ull;
		int fd;

		for (size_t i = n - 6; i < n; i++) {
			a->tmp[i] = digits[y % (sizeof(digits) - 1)];
			y /= sizeof(digits) - 1;
		}
		fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}

/*
 * An output that is a symbolic link: followed only to a target within the
 * folder tree of the link itself (traces/a.trace -> shared/a.trace), whose
 * real path replaces `path`; a link out of it (to ../../elsewhere, /etc/...)
 * or to nothing is refused, so an output never replaces a file outside the
 * tree it was named in.
 */
static bool follow_link(const char *path, char *real, size_t n, FILE *diag)
{
	char dir[4096], rdir[PATH_MAX], target[PATH_MAX];
	size_t len;

	dir_of(path, dir, sizeof(dir));
	if (!realpath(path, target)) {
		fprintf(diag, "%s: a symbolic link to nothing (%s): not followed; remove it or name the file to write\n", path,
		        strerror(errno));
		return false;
	}
	if (!realpath(dir, rdir)) {
		fprintf(diag, "%s: cannot resolve its folder %s: %s\n", path, dir, strerror(errno));
		return false;
	}
	len = strlen(rdir);
	if (strcmp(rdir, "/") != 0 && (strncmp(target, rdir, len) != 0 || target[len] != '/')) {
		fprintf(diag, "%s: a symbolic link to %s, outside the link's folder %s: not followed (an output is only "
		              "written within its own folder tree); remove the link or name the target\n",
		        path, target, rdir);
		return false;
	}
	if ((size_t)snprintf(real, n, "%s", target) >= n) {
		fprintf(diag, "%s: path too long\n", path);
		return false;
	}
	return true;
}

bool atomic_open(struct atomic_file *a, const char *path, FILE *diag)
{
	static const cookie_io_functions_t io = {.write = cookie_write, .seek = cookie_seek, .close = cookie_close};
	struct stat st;
	char dir[4096];

	memset(a, 0, sizeof(*a));
	a->fd = -1;
	if ((size_t)snprintf(a->path, sizeof(a->path), "%s", path) >= sizeof(a->path)) {
		fprintf(diag, "%s: path too long\n", path);
		return false;
	}
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && !follow_link(path, a->path, sizeof(a->path), diag))
		return false;
	/*
	 * Only regular files are replaced by renaming; a device, FIFO or
	 * terminal named as the output is written in place (a->tmp stays "").
	 */
	a->had_mode = stat(a->path, &st) == 0;
	if (a->had_mode && !S_ISREG(st.st_mode)) {
		a->f = fopen(a->path, "w");
		if (!a->f)
			fprintf(diag, "%s: %s\n", a->path, strerror(errno));
		return a->f != NULL;
	}
	if (a->had_mode)
		a->mode = st.st_mode & 07777;
	if ((size_t)snprintf(a->tmp, sizeof(a->tmp), "%s.tmpXXXXXX", a->path) >= sizeof(a->tmp)) {
		fprintf(diag, "%s: path too long\n", path);
		return false;
	}
	/* The folder must exist: an output path with a typo must not grow a tree of folders. */
	dir_of(a->path, dir, sizeof(dir));
	if (!is_dir(dir)) {
		fprintf(diag, "%s: no such directory: %s\n", path, dir);
		a->tmp[0] = '\0';
		return false;
	}
	a->fd = create_temp(a);
	if (a->fd < 0) {
		fprintf(diag, "%s: cannot create a temporary file in %s: %s\n", path, dir, strerror(errno));
		a->tmp[0] = '\0';
		return false;
	}
	/* The old file's permissions carry over; a new file has the umask's. */
	if (a->had_mode && fchmod(a->fd, a->mode) != 0) {
		fprintf(diag, "%s: cannot give the new file the old one's mode %04o: %s\n", path, (unsigned)a->mode,
		        strerror(errno));
		close(a->fd);
		unlink(a->tmp);
		a->tmp[0] = '\0';
		return false;
	}
	a->f = fopencookie(a, "w", io);
	if (!a->f) {
		fprintf(diag, "%s: %s\n", path, strerror(errno));
		close(a->fd);
		unlink(a->tmp);
		a->tmp[0] = '\0';
		return false;
	}
	setvbuf(a->f, NULL, _IOFBF, 65536);
	return true;
}

int atomic_error(const struct atomic_file *a)
{
	if (a->err)
		return a->err;
	return a->f && ferror(a->f) ? EIO : 0;
}

void atomic_fail(struct atomic_file *a, int err, FILE *diag)
{
	if (a->err)
		err = a->err;
	fprintf(diag, "%s: cannot write: %s; %s\n", a->path, strerror(err ? err : EIO),
	        a->tmp[0] ? "the file is left as it was" : "what it holds now is incomplete");
	atomic_abort(a);
}

bool atomic_commit(struct atomic_file *a, FILE *diag)
{
	int err;

	if (!a->tmp[0]) {   /* written in place */
		bool ok = !ferror(a->f) && fflush(a->f) == 0;
		err = errno;
		if (fclose(a->f) != 0 && ok) {
			ok = false;
			err = errno;
		}
		a->f = NULL;
		if (!ok)
			fprintf(diag, "%s: cannot write: %s\n", a->path, strerror(err));
		return ok;
	}
	/* Every step's failure leaves the target as it was: the rename comes last. */
	if (atomic_error(a) || fflush(a->f) != 0 || fsync(a->fd) != 0) {
		atomic_fail(a, errno, diag);
		return false;
	}
	if (fclose(a->f) != 0) {
		err = errno;
		a->f = NULL;
		atomic_fail(a, err, diag);
		return false;
	}
	a->f = NULL;
	if (rename(a->tmp, a->path) != 0) {
		atomic_fail(a, errno, diag);
		return false;
	}
	a->tmp[0] = '\0';
	return true;
}

void atomic_abort(struct atomic_file *a)
{
	if (a->f)
		fclose(a->f);
	a->f = NULL;
	if (a->tmp[0])
		unlink(a->tmp);
	a->tmp[0] = '\0';
}
