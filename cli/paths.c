/* SPDX-License-Identifier: Apache-2.0 */
/*
 * paths.c - the tools folder found from the binary's own place (never a
 * path compiled in from the build tree), and mkdir -p.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli/paths.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool has_plotter(const char *dir)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/vmxsim_plot.py", dir);
	return access(path, R_OK) == 0;
}

bool tools_dir(char *out, size_t n, FILE *diag)
{
	const char *env = getenv("VMXSIM_TOOLS_DIR");
	char exe[PATH_MAX];
	ssize_t len;
	char *slash;

	if (env && *env) {
		snprintf(out, n, "%s", env);
		if (has_plotter(out))
			return true;
		fprintf(diag, "vmxsim: VMXSIM_TOOLS_DIR=%s has no vmxsim_plot.py\n", env);
		return false;
	}
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0) {
		fprintf(diag, "vmxsim: cannot tell where the vmxsim binary is (set VMXSIM_TOOLS_DIR): %s\n",
		        strerror(errno));
		return false;
	}
	exe[len] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	if ((size_t)snprintf(out, n, "%s/../share/vmxsim/tools", exe) < n && has_plotter(out))
		return true;
	fprintf(diag, "vmxsim: the plotting tools are not in %s/../share/vmxsim/tools (set VMXSIM_TOOLS_DIR)\n", exe);
	return false;
}

bool make_parent_dirs(const char *path)
{
	char buf[PATH_MAX];
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
