/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_main.c - the run-path fuzzer's target without libFuzzer: each file
 * named (a folder: its files, in sorted order) goes through
 * LLVMFuzzerTestOneInput once, as libFuzzer would replay it. With
 * --mutate N each file also gets N structure-aware mutations
 * (LLVMFuzzerCustomMutator), seeded by --seed S, else $VMXSIM_FUZZ_SEED,
 * else a fresh seed; the seed is printed, so a failure is reproduced by
 * setting it. A crash or an abort() in the target fails the test, and so
 * does a mutation run where fewer than one mutant in ten parses: a run
 * that only ever reaches the parser's refusals proves nothing of the run.
 *
 *   fuzz_run_replay [--mutate N] [--seed S] PATH...
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "front/fuzz_run.h"

/* libFuzzer's byte mutator, for the mutator's fallback: one bit, chosen by the text itself. */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size)
{
	uint64_t h = 0xcbf29ce484222325ull;

	(void)max_size;
	if (!size)
		return 0;
	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 0x100000001b3ull;
	data[h % size] ^= (uint8_t)(1u << (h >> 32) % 8);
	return size;
}

struct names {
	char **v;
	size_t n;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add(struct names *l, const char *path)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (!v || !(v[l->n] = strdup(path))) {
		fprintf(stderr, "fuzz_run_replay: out of memory\n");
		exit(2);
	}
	l->v = v;
	l->n++;
}

/* Every file under path (itself if a file); folders in sorted order. */
static void collect(struct names *l, const char *path)
{
	struct stat st;
	struct names sub = {0};
	DIR *d;
	struct dirent *e;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "fuzz_run_replay: %s: no such file or folder\n", path);
		exit(2);
	}
	if (!S_ISDIR(st.st_mode)) {
		add(l, path);
		return;
	}
	d = opendir(path);
	while (d && (e = readdir(d)) != NULL) {
		char full[4096];
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "README.md"))
			continue;
		snprintf(full, sizeof(full), "%s/%s", path, e->d_name);
		add(&sub, full);
	}
	if (d)
		closedir(d);
	qsort(sub.v, sub.n, sizeof(*sub.v), by_name);
	for (size_t i = 0; i < sub.n; i++) {
		collect(l, sub.v[i]);
		free(sub.v[i]);
	}
	free(sub.v);
}

static uint8_t *read_all(const char *path, size_t *n, size_t slack)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    !(buf = malloc((size_t)len + slack + 1)) || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "fuzz_run_replay: cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	*n = (size_t)len;
	return buf;
}

static uint64_t fresh_seed(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return ((uint64_t)t.tv_sec * 1000000007ull) ^ (uint64_t)t.tv_nsec ^ ((uint64_t)getpid() << 20);
}

int main(int argc, char **argv)
{
	struct names files = {0};
	unsigned long mutations = 0, inputs = 0, mutants = 0, mutants_ran = 0;
	const char *env = getenv("VMXSIM_FUZZ_SEED");
	uint64_t seed = env && *env ? strtoull(env, NULL, 0) : fresh_seed();

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--mutate") && i + 1 < argc)
			mutations = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else
			collect(&files, argv[i]);
	}
	if (!files.n) {
		fprintf(stderr, "usage: fuzz_run_replay [--mutate N] [--seed S] PATH...\n");
		return 2;
	}
	if (mutations)
		printf("seed 0x%" PRIx64 " (VMXSIM_FUZZ_SEED=0x%" PRIx64 " reproduces this run)\n", seed, seed);
	fflush(stdout);
	for (size_t i = 0; i < files.n; i++) {
		const size_t cap = 1 << 16;
		size_t n, len;
		uint8_t *text = read_all(files.v[i], &n, cap), *buf;

		LLVMFuzzerTestOneInput(text, n);
		inputs++;
		buf = malloc(n + cap);
		for (unsigned long m = 0; buf && m < mutations; m++) {
			/* Each mutant from the file itself, its seed from the run's, the file's place and m. */
			unsigned s = (unsigned)((seed ^ (i * 0x9e3779b97f4a7c15ull) ^ (m * 0xbf58476d1ce4e5b9ull)) >> 7);
			memcpy(buf, text, n);
			len = LLVMFuzzerCustomMutator(buf, n, n + cap, s);
			mutants_ran += LLVMFuzzerTestOneInput(buf, len) == 0;
			mutants++;
			inputs++;
		}
		free(buf);
		free(text);
		free(files.v[i]);
	}
	free(files.v);
	printf("%lu inputs from %zu files ran through the target", inputs, files.n);
	if (mutants)
		printf("; %lu of %lu mutants parsed and ran", mutants_ran, mutants);
	printf("\n");
	if (mutants && mutants_ran * 10 < mutants) {
		fprintf(stderr, "fuzz_run_replay: only %lu of %lu mutants parsed: the mutator no longer reaches the run\n",
		        mutants_ran, mutants);
		return 1;
	}
	return 0;
}
