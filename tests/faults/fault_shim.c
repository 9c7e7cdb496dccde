/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fault_shim.c - an LD_PRELOAD library that fails one chosen write(2),
 * fsync(2), fdatasync(2), close(2), rename(2) or open(2) of the files under
 * a folder, so the tests can prove that every such failure of an output
 * (lib/files.c writes its temporary file through these calls) is reported
 * and leaves the old file as it was.
 *
 *   VMXSIM_FAULT_PATH   only files whose absolute path contains this count
 *   VMXSIM_FAULT_OP     write, fsync, close, rename or open (O_CREAT): the call to fail;
 *                       or readonly: every call that would change the folder
 *                       fails (opens for writing, creat, fopen "w"/"a"/"+",
 *                       mkstemp, rename, unlink, remove, mkdir), as on a
 *                       read-only checkout, even for root
 *   VMXSIM_FAULT_NTH    fail the N-th such call (from 1); 0 or unset: none
 *   VMXSIM_FAULT_ERRNO  the error: ENOSPC, EIO, EACCES, EROFS or a number
 *   VMXSIM_FAULT_LOG    append "OP PATH" for every call that counts, to see
 *                       how many there are (the tests then fail each one)
 *
 * The counters are the process's own: a test tool, the one place with
 * global state, as an interposer must be.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

enum fault_op { OP_WRITE, OP_FSYNC, OP_CLOSE, OP_RENAME, OP_OPEN, OP_CHANGE, OP_COUNT };
static const char *const op_names[OP_COUNT] = {"write", "fsync", "close", "rename", "open", "change"};
static atomic_ulong calls[OP_COUNT];

/* fault_shim.c exports only the calls it wraps. */
ssize_t write(int fd, const void *buf, size_t n);
int fsync(int fd);
int fdatasync(int fd);
int close(int fd);
int rename(const char *from, const char *to);
int open(const char *path, int flags, ...);
int creat(const char *path, mode_t mode);
FILE *fopen(const char *path, const char *mode);
int mkstemp(char *templ);
int unlink(const char *path);
int remove(const char *path);
int mkdir(const char *path, mode_t mode);

static void *real(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

static bool watched(const char *abs)
{
	const char *want = getenv("VMXSIM_FAULT_PATH");
	return want && *want && abs && strstr(abs, want) != NULL;
}

static bool fd_path(int fd, char *out, size_t n)
{
	char link[64];
	ssize_t len;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	len = readlink(link, out, n - 1);
	if (len <= 0)
		return false;
	out[len] = '\0';
	return true;
}

static void abs_path(const char *path, char *out, size_t n)
{
	char cwd[PATH_MAX];
	size_t k;

	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd))) {
		snprintf(out, n, "%s", path);
		return;
	}
	k = strlen(cwd);
	if (k + 1 + strlen(path) >= n) {
		out[0] = '\0';   /* too long to be watched */
		return;
	}
	memcpy(out, cwd, k);
	out[k] = '/';
	memcpy(out + k + 1, path, strlen(path) + 1);
}

static int fault_errno(void)
{
	const char *e = getenv("VMXSIM_FAULT_ERRNO");

	if (!e || !strcmp(e, "EIO"))
		return EIO;
	if (!strcmp(e, "ENOSPC"))
		return ENOSPC;
	if (!strcmp(e, "EACCES"))
		return EACCES;
	if (!strcmp(e, "EROFS"))
		return EROFS;
	return atoi(e) > 0 ? atoi(e) : EIO;
}

static void log_call(enum fault_op op, const char *abs)
{
	const char *log = getenv("VMXSIM_FAULT_LOG");
	ssize_t (*real_write)(int, const void *, size_t) = real("write");
	int (*real_close)(int) = real("close");
	char line[PATH_MAX + 32];
	int fd, len;

	if (!log || !*log)
		return;
	fd = ((int (*)(const char *, int, ...))real("open"))(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	len = snprintf(line, sizeof(line), "%s %s\n", op_names[op], abs);
	if (len > 0)
		(void)real_write(fd, line, (size_t)len);
	real_close(fd);
}

/* Whether this call of op on abs is the one to fail (errno set then). */
static bool fail_now(enum fault_op op, const char *abs)
{
	const char *want = getenv("VMXSIM_FAULT_OP");
	const char *nth = getenv("VMXSIM_FAULT_NTH");
	unsigned long k;

	if (!watched(abs))
		return false;
	log_call(op, abs);
	k = atomic_fetch_add(&calls[op], 1) + 1;
	if (!want || strcmp(want, op_names[op]) != 0 || !nth || strtoul(nth, NULL, 10) != k)
		return false;
	errno = fault_errno();
	return true;
}

/* In readonly mode: whether path is in the watched folder (errno set then: the call must fail). */
static bool read_only(const char *path)
{
	const char *want = getenv("VMXSIM_FAULT_OP");
	char a[PATH_MAX];

	if (!want || strcmp(want, "readonly") != 0 || !path)
		return false;
	abs_path(path, a, sizeof(a));
	if (!watched(a))
		return false;
	log_call(OP_CHANGE, a);
	errno = fault_errno();
	return true;
}

static bool fd_fails(enum fault_op op, int fd)
{
	char p[PATH_MAX];
	return fd_path(fd, p, sizeof(p)) && fail_now(op, p);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	ssize_t (*f)(int, const void *, size_t) = real("write");
	if (fd > 2 && fd_fails(OP_WRITE, fd))
		return -1;
	return f(fd, buf, n);
}

int fsync(int fd)
{
	int (*f)(int) = real("fsync");
	if (fd_fails(OP_FSYNC, fd))
		return -1;
	return f(fd);
}

int fdatasync(int fd)
{
	int (*f)(int) = real("fdatasync");
	if (fd_fails(OP_FSYNC, fd))
		return -1;
	return f(fd);
}

/* A failed close still closes (as Linux does: the descriptor is gone either way). */
int close(int fd)
{
	int (*f)(int) = real("close");
	bool fail = fd > 2 && fd_fails(OP_CLOSE, fd);
	int err = errno;

	if (!fail)
		return f(fd);
	f(fd);
	errno = err;
	return -1;
}

int rename(const char *from, const char *to)
{
	int (*f)(const char *, const char *) = real("rename");
	char a[PATH_MAX];

	if (read_only(from) || read_only(to))
		return -1;
	abs_path(to, a, sizeof(a));
	if (fail_now(OP_RENAME, a))
		return -1;
	return f(from, to);
}

static int open_common(const char *path, int flags, mode_t mode)
{
	int (*f)(const char *, int, ...) = real("open");
	char a[PATH_MAX];

	if ((flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)) && read_only(path))
		return -1;
	if (flags & O_CREAT) {
		abs_path(path, a, sizeof(a));
		if (fail_now(OP_OPEN, a))
			return -1;
	}
	return f(path, flags, mode);
}

/* lib/files.c calls open() (off_t is 64 bits on the 64-bit hosts vmxsim builds for: no open64). */
int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	if (flags & O_CREAT) {
		va_list ap;
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	return open_common(path, flags, mode);
}

/* The C library's own calls below use its internal open, which the shim cannot see: wrapped whole. */
int creat(const char *path, mode_t mode)
{
	return open_common(path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

FILE *fopen(const char *path, const char *mode)
{
	FILE *(*f)(const char *, const char *) = real("fopen");
	if (strpbrk(mode, "wa+") && read_only(path))
		return NULL;
	return f(path, mode);
}

int mkstemp(char *templ)
{
	int (*f)(char *) = real("mkstemp");
	if (read_only(templ))
		return -1;
	return f(templ);
}

int unlink(const char *path)
{
	int (*f)(const char *) = real("unlink");
	if (read_only(path))
		return -1;
	return f(path);
}

int remove(const char *path)
{
	int (*f)(const char *) = real("remove");
	if (read_only(path))
		return -1;
	return f(path);
}

int mkdir(const char *path, mode_t mode)
{
	int (*f)(const char *, mode_t) = real("mkdir");
	if (read_only(path))
		return -1;
	return f(path, mode);
}
