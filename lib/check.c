/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check.c - vmxsim/check.h: a run against its golden trace.
 *
 * The run is written to an anonymous temporary file and compared from
 * there; the golden, a kept trace and GOLDEN.actual are each replaced
 * atomically, so an interrupted check leaves every file as it was.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/api.h"
#include "lib/files.h"
#include "lib/trace_diff.h"

VMXSIM_API bool vmxsim_ci_forbids_bless(void)
{
	const char *ci = getenv("CI");

	return ci && *ci && strcmp(ci, "0") != 0 && strcmp(ci, "false") != 0;
}

/*
 * `abs` as a prefix for names below it: relative to the working directory
 * when it lies there ("" for the directory itself, "sub/"), else "abs/".
 */
static void dir_prefix(const char *abs, char *out, size_t n)
{
	char cwd[PATH_MAX];
	size_t len;

	if (getcwd(cwd, sizeof(cwd))) {
		len = strlen(cwd);
		if (!strcmp(abs, cwd)) {
			snprintf(out, n, "%s", "");
			return;
		}
		if (len > 1 && !strncmp(abs, cwd, len) && abs[len] == '/') {
			snprintf(out, n, "%s/", abs + len + 1);
			return;
		}
	}
	snprintf(out, n, "%s/", strcmp(abs, "/") ? abs : "");
}

VMXSIM_API bool vmxsim_golden_path(const char *scenario_path, char *out, size_t n)
{
	char abs[PATH_MAX], dir[PATH_MAX], prefix[PATH_MAX + 2];
	const char *comp = NULL, *p, *base, *rel;
	size_t len, stem;

	if (!scenario_path || !realpath(scenario_path, abs))
		return false;
	len = strlen(abs);
	stem = len >= 4 && !strcmp(abs + len - 4, ".scn") ? len - 4 : len;
	/* The nearest folder named "scenarios" above the file. */
	for (p = abs; (p = strstr(p, "/scenarios/")) != NULL; p++)
		comp = p;
	if (comp) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(comp - abs), abs);
		dir_prefix(dir[0] ? dir : "/", prefix, sizeof(prefix));
		rel = comp + strlen("/scenarios/");
		return (size_t)snprintf(out, n, "%straces/%.*s.trace", prefix, (int)(stem - (size_t)(rel - abs)), rel) < n;
	}
	/* Elsewhere: beside the scenario. */
	base = strrchr(abs, '/') + 1;
	snprintf(dir, sizeof(dir), "%.*s", (int)(base - 1 - abs), abs);
	dir_prefix(dir[0] ? dir : "/", prefix, sizeof(prefix));
	return (size_t)snprintf(out, n, "%s%.*s.trace", prefix, (int)(stem - (size_t)(base - abs)), base) < n;
}

/* Copy what f holds (from its start) to path, atomically; make_dirs: create the folders above it. */
static bool save_copy(FILE *f, const char *path, bool make_dirs, FILE *diag)
{
	struct atomic_file af;
	char buf[65536];
	size_t got;
	bool ok = true;

	if (make_dirs && !make_parent_dirs(path)) {
		fprintf(diag, "%s: cannot create its folder: %s\n", path, strerror(errno));
		return false;
	}
	if (!atomic_open(&af, path, diag))
		return false;
	rewind(f);
	while (ok && (got = fread(buf, 1, sizeof(buf), f)) > 0)
		ok = fwrite(buf, 1, got, af.f) == got;
	if (!ok) {
		atomic_fail(&af, errno, diag);
		return false;
	}
	if (ferror(f)) {
		fprintf(diag, "%s: cannot read the run's trace back: %s\n", path, strerror(errno));
		atomic_abort(&af);
		return false;
	}
	return atomic_commit(&af, diag);
}

/* Compare the run in `run` with the golden file; print the diff unless quiet. */
static enum vmxsim_golden compare(FILE *run, const char *golden, const struct vmxsim_check_options *o, FILE *diag,
                                  bool *oom)
{
	struct diff_lines g, r;
	FILE *gf = fopen(golden, "r");
	char label[4200];
	int d;

	*oom = false;
	if (!gf)
		return VMXSIM_GOLDEN_MISSING;
	rewind(run);
	if (!diff_lines_read(gf, &g)) {
		fclose(gf);
		*oom = true;
		return VMXSIM_GOLDEN_DIFFERS;
	}
	fclose(gf);
	if (!diff_lines_read(run, &r)) {
		diff_lines_free(&g);
		*oom = true;
		return VMXSIM_GOLDEN_DIFFERS;
	}
	snprintf(label, sizeof(label), "%s (this run)", o->diff.label_b ? o->diff.label_b : golden);
	d = diff_lines_print(&g, &r, o->diff.label_a ? o->diff.label_a : golden, label, &o->diff,
	                     o->no_diff ? NULL : diag);
	diff_lines_free(&g);
	diff_lines_free(&r);
	*oom = d == 2;
	return d == 0 ? VMXSIM_GOLDEN_SAME : VMXSIM_GOLDEN_DIFFERS;
}

static const struct vmxsim_check_options no_check_options = {.diff = {.context = 3}};

VMXSIM_API enum vmxsim_status vmxsim_check(const struct vmxsim_scenario *s, const struct vmxsim_check_options *o,
                                           struct vmxsim_check_result *res)
{
	struct stat gst;
	struct vmxsim_check_result local;
	struct vmxsim_run_options ro;
	enum vmxsim_status st;
	FILE *diag, *run;
	bool oom;

	if (!o)
		o = &no_check_options;
	if (!res)
		res = &local;
	memset(res, 0, sizeof(*res));
	res->run.status = VMXSIM_BAD_INPUT;
	diag = api_diag(o->diag);
	if (o->golden) {
		snprintf(res->golden_path, sizeof(res->golden_path), "%s", o->golden);
	} else if (!strcmp(vmxsim_scenario_name(s), SCN_STDIN_NAME)) {
		fprintf(diag, "%s: a scenario read from standard input has no golden of its own; name one with --golden\n",
		        SCN_STDIN_NAME);
		return VMXSIM_BAD_INPUT;
	} else if (!vmxsim_golden_path(vmxsim_scenario_name(s), res->golden_path, sizeof(res->golden_path))) {
		fprintf(diag, "%s: cannot name its golden trace\n", vmxsim_scenario_name(s));
		return VMXSIM_BAD_INPUT;
	}
	run = tmpfile();
	if (!run) {
		fprintf(diag, "vmxsim: cannot create a temporary file: %s\n", strerror(errno));
		return VMXSIM_BAD_INPUT;
	}
	memset(&ro, 0, sizeof(ro));
	ro.trace = run;
	ro.format = VMXSIM_FORMAT_TEXT;
	ro.diag = diag;
	ro.reference = o->reference;
	ro.color = o->diff.color;
	ro.interrupt = o->interrupt;
	ro.max_trace_bytes = o->max_trace_bytes;
	ro.progress = o->progress;
	st = vmxsim_run(s, &ro, &res->run);
	/* A run that stopped early is compared with nothing: its trace is a part. */
	if (st == VMXSIM_INTERRUPTED) {
		fclose(run);
		return st;
	}
	if (st == VMXSIM_BAD_INPUT || fflush(run) != 0) {
		fclose(run);
		return VMXSIM_BAD_INPUT;
	}
	/* Missing: blessing makes it a file. */
	res->golden_only_read = stat(res->golden_path, &gst) == 0 && !S_ISREG(gst.st_mode);
	res->golden = compare(run, res->golden_path, o, diag, &oom);
	if (oom) {
		fprintf(diag, "%s: out of memory comparing with the golden\n", res->golden_path);
		fclose(run);
		return VMXSIM_BAD_INPUT;
	}
	if (o->keep) {
		if (!save_copy(run, o->keep, false, diag)) {
			fclose(run);
			return VMXSIM_BAD_INPUT;
		}
		snprintf(res->actual_path, sizeof(res->actual_path), "%s", o->keep);
	}
	if (res->golden == VMXSIM_GOLDEN_SAME) {
		char stale[4200];
		snprintf(stale, sizeof(stale), "%s.actual", res->golden_path);
		/* A trace kept by an earlier failed check is stale now; none there: nothing is touched
		 * (a compare-only check needs no write access beside the golden). */
		if (!o->keep && access(stale, F_OK) == 0)
			unlink(stale);
		fclose(run);
		return st;
	}
	/*
	 * A golden that is a pipe, a device or a terminal (`--golden <(...)`)
	 * is only read: blessing it would write into it, and nothing can be
	 * kept beside it.
	 */
	if (res->golden_only_read && o->bless) {
		fprintf(diag, "%s: not a regular file (a pipe, device or terminal): a golden there is only read; "
		              "--bless refused\n", res->golden_path);
		fclose(run);
		return VMXSIM_BAD_INPUT;
	}
	if (o->bless) {
		bool created = res->golden == VMXSIM_GOLDEN_MISSING;
		char stale[4200];
		snprintf(stale, sizeof(stale), "%s.actual", res->golden_path);
		if (!save_copy(run, res->golden_path, true, diag)) {
			fclose(run);
			return VMXSIM_BAD_INPUT;
		}
		if (!o->keep)
			unlink(stale);   /* what it kept is the golden now */
		fprintf(diag, "%s: golden %s\n", res->golden_path, created ? "created" : "rewritten");
		res->golden = VMXSIM_GOLDEN_WRITTEN;
		fclose(run);
		return st;
	}
	if (res->golden == VMXSIM_GOLDEN_MISSING && !o->no_diff)
		fprintf(diag, "%s: no golden yet\n", res->golden_path);
	if (!o->keep && !res->golden_only_read) {
		snprintf(res->actual_path, sizeof(res->actual_path), "%s.actual", res->golden_path);
		if (!save_copy(run, res->actual_path, true, diag))
			res->actual_path[0] = '\0';
	}
	fclose(run);
	return VMXSIM_FAILED;
}
