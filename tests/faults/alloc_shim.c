/* SPDX-License-Identifier: Apache-2.0 */
/*
 * alloc_shim.c - an LD_PRELOAD library that fails one chosen allocation of
 * vmxsim's own code (malloc, calloc, realloc, strdup, strndup called from the
 * vmxsim program or libvmxsim.so), so the tests can prove that every failed
 * allocation is reported as out of memory and never crashes.
 *
 *   VMXSIM_ALLOC_NTH    fail the N-th allocation (from 1); 0 or unset: none
 *   VMXSIM_ALLOC_COUNT  write the number of allocations made to this file
 *                       at exit, to see how many there are (the tests then
 *                       fail each one)
 *   VMXSIM_ALLOC_WHERE  print the call stack of the failed allocation on
 *                       standard error (to find the code that missed it)
 *
 * Only allocations whose caller is vmxsim's own code count: those made by
 * the C library for itself (stdio buffers, fopen, open_memstream's buffer,
 * qsort) or by libtracecmd are the third parties' paths, which the shim
 * leaves alone (docs/testing.md says why). The failed call returns NULL
 * with errno ENOMEM, as glibc's would.
 *
 * The counter is the process's own: a test tool, the one place with global
 * state, as an interposer must be.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* glibc's own allocator, under the names it exports for interposers. */
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t k, size_t n);
void *__libc_realloc(void *p, size_t n);

/* alloc_shim.c exports only the calls it wraps. */
void *malloc(size_t n);
void *calloc(size_t k, size_t n);
void *realloc(void *p, size_t n);
char *strdup(const char *s);
char *strndup(const char *s, size_t n);

static atomic_ulong allocations;
static _Thread_local bool inside;   /* dladdr() may allocate: not counted */

/* Whether the code at addr is vmxsim's: the program or libvmxsim.so. */
static bool ours(const void *addr)
{
	Dl_info info;
	const char *base;
	bool yes;

	if (inside)
		return false;
	inside = true;
	yes = dladdr(addr, &info) != 0;
	inside = false;
	if (!yes || !info.dli_fname)
		return false;
	if (!*info.dli_fname)
		return true;   /* the main program, as glibc names it */
	base = strrchr(info.dli_fname, '/');
	base = base ? base + 1 : info.dli_fname;
	return !strncmp(base, "vmxsim", 6) || !strncmp(base, "libvmxsim", 9);
}

/* Whether this allocation, made from caller, is the one to fail (errno set then). */
static bool fail_now(const void *caller)
{
	const char *nth;
	unsigned long k;

	if (!ours(caller))
		return false;
	k = atomic_fetch_add(&allocations, 1) + 1;
	nth = getenv("VMXSIM_ALLOC_NTH");
	if (!nth || strtoul(nth, NULL, 10) != k)
		return false;
	if (getenv("VMXSIM_ALLOC_WHERE")) {
		void *frames[32];
		inside = true;
		backtrace_symbols_fd(frames, backtrace(frames, 32), 2);
		inside = false;
	}
	errno = ENOMEM;
	return true;
}

__attribute__((destructor)) static void write_count(void)
{
	const char *path = getenv("VMXSIM_ALLOC_COUNT");
	char line[32];
	int fd, len;

	/* Only vmxsim's count: the shim is preloaded into the `timeout` that runs it too. */
	if (!path || !*path || strncmp(program_invocation_short_name, "vmxsim", 6) != 0)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	len = snprintf(line, sizeof(line), "%lu\n", atomic_load(&allocations));
	if (len > 0)
		(void)!write(fd, line, (size_t)len);
	close(fd);
}

void *malloc(size_t n)
{
	if (fail_now(__builtin_return_address(0)))
		return NULL;
	return __libc_malloc(n);
}

void *calloc(size_t k, size_t n)
{
	if (fail_now(__builtin_return_address(0)))
		return NULL;
	return __libc_calloc(k, n);
}

/* A failed realloc leaves the old block as it was, as the real one does. */
void *realloc(void *p, size_t n)
{
	if (fail_now(__builtin_return_address(0)))
		return NULL;
	return __libc_realloc(p, n);
}

static char *copy(const char *s, size_t n)
{
	char *p = __libc_malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

char *strdup(const char *s)
{
	if (fail_now(__builtin_return_address(0)))
		return NULL;
	return copy(s, strlen(s));
}

char *strndup(const char *s, size_t n)
{
	if (fail_now(__builtin_return_address(0)))
		return NULL;
	return copy(s, strnlen(s, n));
}
