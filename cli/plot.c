/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plot.c - timelines of runs: a JSONL trace handed to tools/vmxsim_plot.py.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli/plot.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/paths.h"
#include "vmxsim/vmxsim.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a > b && !strcmp(s + a - b, suffix);
}

bool plot_output_ok(const char *out)
{
	return ends_with(out, ".png") || ends_with(out, ".svg");
}

void plot_title_for(const char *scenario, char *out, size_t n)
{
	const char *p = scenario, *q;
	size_t len;

	while ((q = strstr(p, "scenarios/")) != NULL && (q == scenario || q[-1] == '/'))
		p = q + strlen("scenarios/");
	len = strlen(p);
	if (ends_with(p, ".scn"))
		len -= 4;
	snprintf(out, n, "%.*s", (int)len, p);
}

bool plot_write_jsonl(const struct vmxsim_scenario *s, const char *path, uint64_t *tsc_hz, FILE *diag)
{
	FILE *f = fopen(path, "w"), *quiet;
	struct vmxsim_run_options ro = {0};
	struct vmxsim_result res;
	enum vmxsim_status st;
	bool ok;

	if (!f) {
		fprintf(diag, "vmxsim: %s: %s\n", path, strerror(errno));
		return false;
	}
	/* The first run has said everything about the scenario already. */
	quiet = fopen("/dev/null", "w");
	ro.trace = f;
	ro.format = VMXSIM_FORMAT_JSONL;
	ro.diag = quiet ? quiet : diag;
	ro.quiet = true;
	st = vmxsim_run(s, &ro, &res);
	if (quiet)
		fclose(quiet);
	ok = st != VMXSIM_BAD_INPUT && !res.trace_error;
	*tsc_hz = res.tsc_hz;
	if (fclose(f) != 0)
		ok = false;
	if (!ok)
		fprintf(diag, "vmxsim: %s: cannot write the JSONL trace for the plot\n", path);
	return ok;
}

bool plot_make_tmpdir(char *dir, size_t n, FILE *diag)
{
	const char *tmp = getenv("TMPDIR");

	if (!tmp || !*tmp)
		tmp = "/tmp";
	if ((size_t)snprintf(dir, n, "%s/vmxsim-plot-XXXXXX", tmp) >= n || !mkdtemp(dir)) {
		fprintf(diag, "vmxsim: cannot make a temporary directory in %s: %s\n", tmp, strerror(errno));
		return false;
	}
	return true;
}

void plot_remove_tmpdir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d)) != NULL) {
			char path[4096];
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < sizeof(path))
				unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
}

static const char *python_path(void)
{
	const char *py = getenv("VMXSIM_PYTHON");
	return py && *py ? py : "/usr/bin/python3";
}

/* Run python3 vmxsim_plot.py ARGS... (argv[0] and [1] are filled in here). */
static int run_tool(char **argv, FILE *diag)
{
	const char *py = python_path();
	pid_t pid;
	int status;

	if (access(py, X_OK) != 0) {
		fprintf(diag, "vmxsim: plots need %s with matplotlib, which is missing (Debian: apt-get install "
		              "python3 python3-matplotlib)\n", py);
		return VMXSIM_BAD_INPUT;
	}
	char dir[4096], plot_tool[4200];

	if (!tools_dir(dir, sizeof(dir), diag))
		return VMXSIM_BAD_INPUT;
	snprintf(plot_tool, sizeof(plot_tool), "%s/vmxsim_plot.py", dir);
	argv[0] = (char *)(uintptr_t)py;
	argv[1] = (char *)(uintptr_t)plot_tool;
	fflush(NULL);    /* the child must not see our buffered output */
	pid = fork();
	if (pid < 0) {
		fprintf(diag, "vmxsim: cannot start %s: %s\n", py, strerror(errno));
		return VMXSIM_BAD_INPUT;
	}
	if (pid == 0) {
		execv(py, argv);
		fprintf(stderr, "vmxsim: cannot run %s: %s\n", py, strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(diag, "vmxsim: waiting for %s: %s\n", py, strerror(errno));
			return VMXSIM_BAD_INPUT;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	fprintf(diag, "vmxsim: the plot was not drawn (%s %s ", py, plot_tool);
	if (WIFEXITED(status))
		fprintf(diag, "exited with status %d)\n", WEXITSTATUS(status));
	else
		fprintf(diag, "was killed by signal %d)\n", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return VMXSIM_BAD_INPUT;
}

int plot_render(const char *trace, const char *out, const char *title, uint64_t tsc_hz, FILE *diag)
{
	/* --key=value: an output or title starting with '-' is still a value. */
	char o[4200], t[4200], hz[48];
	char *argv[] = {NULL, NULL, (char *)(uintptr_t)trace, o, t, tsc_hz ? hz : NULL, NULL};

	snprintf(hz, sizeof(hz), "--tsc-hz=%" PRIu64, tsc_hz);
	if ((size_t)snprintf(o, sizeof(o), "--output=%s", out) >= sizeof(o) ||
	    (size_t)snprintf(t, sizeof(t), "--title=%s", title) >= sizeof(t)) {
		fprintf(diag, "vmxsim: %s: path too long\n", out);
		return VMXSIM_BAD_INPUT;
	}
	return run_tool(argv, diag);
}

int plot_render_batch(const char *list, FILE *diag)
{
	char b[4200];
	char *argv[] = {NULL, NULL, b, NULL};

	if ((size_t)snprintf(b, sizeof(b), "--batch=%s", list) >= sizeof(b)) {
		fprintf(diag, "vmxsim: %s: path too long\n", list);
		return VMXSIM_BAD_INPUT;
	}
	return run_tool(argv, diag);
}

int plot_scenario(const struct vmxsim_scenario *s, const char *scenario_path, const char *out, FILE *diag)
{
	char dir[4096], trace[4200], title[4096];
	int rc = VMXSIM_BAD_INPUT;
	uint64_t tsc_hz = 0;

	if (!plot_make_tmpdir(dir, sizeof(dir), diag))
		return VMXSIM_BAD_INPUT;
	snprintf(trace, sizeof(trace), "%s/trace.jsonl", dir);
	plot_title_for(scenario_path, title, sizeof(title));
	if (plot_write_jsonl(s, trace, &tsc_hz, diag))
		rc = plot_render(trace, out, title, tsc_hz, diag);
	plot_remove_tmpdir(dir);
	return rc;
}

bool plot_batch_open(struct plot_batch *b, FILE *diag)
{
	memset(b, 0, sizeof(*b));
	if (!plot_make_tmpdir(b->dir, sizeof(b->dir), diag))
		return false;
	snprintf(b->list, sizeof(b->list), "%s/plots.list", b->dir);
	b->f = fopen(b->list, "w");
	if (!b->f) {
		fprintf(diag, "vmxsim: %s: %s\n", b->list, strerror(errno));
		plot_remove_tmpdir(b->dir);
		return false;
	}
	b->ok = true;
	return true;
}

bool plot_batch_add(struct plot_batch *b, const struct vmxsim_scenario *s, const char *title, const char *out,
                    FILE *diag)
{
	char trace[4200];
	uint64_t tsc_hz = 0;

	if (!b->f)
		return false;
	if (strpbrk(out, "\t\n") || strpbrk(title, "\t\n")) {
		fprintf(diag, "vmxsim: %s: a plot path cannot contain a tab or a newline\n", out);
		b->ok = false;
		return false;
	}
	snprintf(trace, sizeof(trace), "%s/%zu.jsonl", b->dir, b->n);
	if (!make_parent_dirs(out)) {
		fprintf(diag, "vmxsim: %s: cannot create its directory: %s\n", out, strerror(errno));
		b->ok = false;
		return false;
	}
	if (!plot_write_jsonl(s, trace, &tsc_hz, diag)) {
		b->ok = false;
		return false;
	}
	fprintf(b->f, "%s\t%s\t%s\t%" PRIu64 "\n", trace, out, title, tsc_hz);
	b->n++;
	return true;
}

int plot_batch_finish(struct plot_batch *b, FILE *diag)
{
	int rc = b->ok ? 0 : VMXSIM_BAD_INPUT;

	if (!b->f)
		return VMXSIM_BAD_INPUT;
	if (fclose(b->f) != 0) {
		fprintf(diag, "vmxsim: %s: %s\n", b->list, strerror(errno));
		rc = VMXSIM_BAD_INPUT;
	} else if (b->n > 0 && plot_render_batch(b->list, diag) != 0) {
		rc = VMXSIM_BAD_INPUT;
	}
	b->f = NULL;
	plot_remove_tmpdir(b->dir);
	return rc;
}
