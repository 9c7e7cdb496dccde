/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run_mutants.c - robustness of the whole path, not only the parser: every
 * truncation (at a stride) and a deterministic set of byte mutations of
 * every shipped scenario are parsed and, when they parse, built and run
 * (capped at a short run). Each must either run, or fail with messages
 * that all carry a `file:line:col: ` location. Crashes and sanitizer
 * reports fail the test by themselves.
 *
 * The files are taken in sorted order and the mutations are seeded: by
 * $VMXSIM_MUTATION_SEED if set, else afresh for each run (the clock), so
 * every run tries other mutants. The seed is printed first; setting it
 * repeats the run exactly. Fewer than one mutant in twenty that parses
 * and runs fails the test: a test that passes when everything is refused
 * proves little.
 *
 * usage: run_mutants SCENARIO_DIR [mutations-per-file]
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/scenario_run.h"
#include "front/scenario.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned long runs, parsed, bad, mutants, mutants_ran;

/* Every line of diag output must start with "<name>:<digits>:<digits>: ". */
static int located(const char *out, const char *name)
{
	size_t n = strlen(name);

	for (const char *l = out; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
		const char *p = l;
		if (strncmp(p, name, n) != 0 || p[n] != ':')
			return 0;
		p += n + 1;
		if (*p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p++ != ':' || *p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p != ':')
			return 0;
		if (!strchr(l, '\n'))
			break;
	}
	return 1;
}

/* 1 if the text is fine (ran, or was refused with a location); *ran: it parsed and ran to its end. */
static int try_text_ran(const char *text, size_t len, const char *name, int *ran)
{
	struct scn_error err;
	struct scn_scenario *s = scn_parse(text, len, name, &err);
	struct run_limits lim = {200000};
	struct vmxsim_result res;
	char *out = NULL;
	size_t outlen = 0;
	FILE *diag;
	enum vmxsim_status st;
	int ok = 1;

	runs++;
	if (!s) {
		if (err.line == 0) {
			fprintf(stderr, "%s: parse error without a location: %s\n", name, err.msg);
			return 0;
		}
		return 1;
	}
	parsed++;
	diag = open_memstream(&out, &outlen);
	if (!diag) {
		scn_free(s);
		return 0;
	}
	st = run_scenario_limited(s, NULL, TRACE_FORMAT_TEXT, diag, &lim, &res);
	fclose(diag);
	*ran = st != VMXSIM_BAD_INPUT;
	if (st == VMXSIM_BAD_INPUT) {
		bad++;
		if (!located(out, name)) {
			fprintf(stderr, "%s: machine error without a location: %s\n", name, out);
			ok = 0;
		}
	}
	free(out);
	scn_free(s);
	return ok;
}

static int try_text(const char *text, size_t len, const char *name)
{
	int ran = 0;
	return try_text_ran(text, len, name, &ran);
}

static int one_file(const char *path, int mutations)
{
	FILE *f = fopen(path, "rb");
	char *text, *buf;
	long len;
	int ok = 1;

	if (!f)
		return 0;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = malloc((size_t)len + 1);
	buf = malloc((size_t)len + 16);
	if (!text || !buf || fread(text, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(text);
		free(buf);
		return 0;
	}
	fclose(f);
	ok &= try_text(text, (size_t)len, path);
	for (long cut = 0; cut < len; cut += 7)
		ok &= try_text(text, (size_t)cut, path);
	for (int m = 0; m < mutations; m++) {
		int edits = 1 + (int)(next() % 3);
		memcpy(buf, text, (size_t)len);
		for (int e = 0; e < edits; e++) {
			long at = (long)(next() % (uint64_t)len);
			switch (next() % 4) {
			case 0: buf[at] = (char)next(); break;                 /* any byte */
			case 1: buf[at] = "0123456789"[next() % 10]; break;    /* another digit */
			case 2: buf[at] = " \n#|:-+"[next() % 7]; break;       /* structure */
			default: buf[at] = (char)(buf[at] ^ 0x20); break;      /* case flip */
			}
		}
		int ran = 0;
		ok &= try_text_ran(buf, (size_t)len, path, &ran);
		mutants++;
		mutants_ran += (unsigned long)ran;
	}
	free(text);
	free(buf);
	return ok;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(const char *dir, int mutations)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int ok = 1;
	char **names = NULL;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	/* Sorted: the one random sequence meets the files in the same order on every file system. */
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		char full[4096];
		struct stat st;
		size_t l = strlen(names[i]);
		snprintf(full, sizeof(full), "%s/%s", dir, names[i]);
		if (stat(full, &st) == 0 && S_ISDIR(st.st_mode))
			ok &= walk(full, mutations);
		else if (l > 4 && !strcmp(names[i] + l - 4, ".scn"))
			ok &= one_file(full, mutations);
		free(names[i]);
	}
	free(names);
	return ok;
}

int main(int argc, char **argv)
{
	int mutations = argc > 2 ? atoi(argv[2]) : 200;
	int ok;

	if (argc < 2) {
		fprintf(stderr, "usage: run_mutants SCENARIO_DIR [mutations-per-file]\n");
		return 2;
	}
	const char *env = getenv("VMXSIM_MUTATION_SEED");
	if (env && *env) {
		rng = strtoull(env, NULL, 0) | 1;
	} else {
		struct timespec t;
		clock_gettime(CLOCK_REALTIME, &t);
		rng = ((uint64_t)t.tv_sec * 1000000007ull ^ (uint64_t)t.tv_nsec ^ ((uint64_t)getpid() << 20)) | 1;
	}
	printf("seed 0x%" PRIx64 " (VMXSIM_MUTATION_SEED=0x%" PRIx64 " repeats this run)\n", rng, rng);
	fflush(stdout);
	ok = walk(argv[1], mutations);
	printf("%lu inputs, %lu parsed, %lu rejected by the machine with a location; %lu of %lu mutants ran\n", runs,
	       parsed, bad, mutants_ran, mutants);
	if (mutants && mutants_ran * 20 < mutants) {
		printf("FAIL: fewer than one mutant in twenty ran: the mutations no longer reach the machine\n");
		return 1;
	}
	return ok ? 0 : 1;
}
