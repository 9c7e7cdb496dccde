/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scn_replay.c - drives the scenario parser over inputs that must never
 * crash it, for ctest (tests/front.cmake) and for people debugging it.
 *
 *   scn_replay parse PATH...    parse; print the summary or the error (exit 2 on error)
 *   scn_replay dump FILE        parse and print the description
 *   scn_replay reject PATH...   every file must fail with a `file:line:col: ` error
 *   scn_replay replay PATH...   every file must parse or fail with a located error
 *   scn_replay mutate [--rounds N] [--random N] [--seed S] [PATH...]
 *                               the built-in sample and every *.scn under PATH:
 *                               truncations, seeded byte mutations, random inputs
 *
 * A directory PATH stands for its files, recursively, in sorted order (for
 * mutate: its *.scn files). This file holds the checks every mode shares
 * and the modes that read files; mutate is scn_mutate.c's, dump
 * scn_dump.c's.
 * Exit status: 0 all good, 1 a check failed, 2 usage or a parse error (parse).
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "front/scenario.h"
#include "front/scn_replay.h"

/* ---- checks ------------------------------------------------------------- */

void replay_failure(struct replay_tally *t, const char *name, const char *what)
{
	if (t->failures < 20)
		fprintf(stderr, "FAIL %s: %s\n", name, what);
	t->failures++;
}

/* "name:L:C: " with L, C >= 1 */
static bool located(const char *msg, const char *name)
{
	size_t n = strlen(name);
	const char *q = msg + n;

	if (strncmp(msg, name, n) || *q++ != ':')
		return false;
	for (int field = 0; field < 2; field++) {
		const char *d = q;
		while (*q >= '0' && *q <= '9')
			q++;
		if (q == d || *d == '0' || *q++ != ':')
			return false;
	}
	return *q == ' ';
}

/* Where the text has a line `line` of length >= col - 1. */
static bool position_exists(const char *text, size_t len, uint32_t line, uint32_t col)
{
	size_t off = 0, n;
	uint32_t l = 1;

	while (l < line) {
		const char *nl = memchr(text + off, '\n', len - off);
		if (!nl)
			return false;
		off = (size_t)(nl - text) + 1;
		l++;
	}
	{
		const char *nl = memchr(text + off, '\n', len - off);
		n = nl ? (size_t)(nl - (text + off)) : len - off;
	}
	return col >= 1 && col <= n + 1;
}

static bool scenario_sane(const struct scn_scenario *s)
{
	if (!s->file || !s->summary || !s->cpu.model || !s->l0.name || s->vcpus < 1 ||
	    s->vcpus > SCN_MAX_VCPUS || s->nguests == 0)
		return false;
	for (size_t i = 0; i < s->nguests; i++) {
		const struct scn_guest *g = &s->guests[i];

		if (g->ninsns == 0 || (g->cpu != SCN_ANY && (g->cpu < 0 || (uint32_t)g->cpu >= s->vcpus)))
			return false;
		for (size_t k = 0; k < g->ninsns; k++) {
			const struct scn_insn *in = &g->insns[k];
			if (in->op >= SCN_OP_COUNT ||
			    ((in->op == SCN_OP_JMP || in->op == SCN_OP_SET_IDT) && in->target >= g->ninsns))
				return false;
			if (in->op == SCN_OP_IPI && in->cpu >= s->vcpus)
				return false;
		}
		for (size_t k = 0; k < g->nlabels; k++)
			if (g->labels[k].insn >= g->ninsns || !g->labels[k].name)
				return false;
		for (size_t k = 0; k < g->nidt; k++)
			if (g->idt[k].target >= g->ninsns || g->idt[k].vector > 255)
				return false;
		if (g->has_exit_handler && g->exit_handler >= g->ninsns)
			return false;
	}
	for (uint32_t c = 0; c < s->vcpus; c++)
		if (!scn_guest_for(s, SCN_L1, c))
			return false;
	for (size_t i = 0; i < s->nstimuli; i++)
		if (s->stimuli[i].cpu >= s->vcpus || s->stimuli[i].vector > 255)
			return false;
	return true;
}

/* One input: it parses into a sane scenario or fails with a located, printable message. True if it parsed. */
bool replay_check(struct replay_tally *t, const char *name, const char *text, size_t len, bool twice)
{
	struct scn_error err;
	struct scn_scenario *s = scn_parse(text, len, name, &err);
	char buf[SCN_ERROR_MSG_MAX + 512];

	t->checks++;
	if (s) {
		if (!scenario_sane(s))
			replay_failure(t, name, "parsed into an inconsistent scenario");
	} else {
		scn_format_error(&err, buf, sizeof(buf));
		if (!located(buf, name) || !err.msg[0])
			replay_failure(t, name, buf);
		else if (!position_exists(text, len, err.line, err.col))
			replay_failure(t, name, "error position is outside the text");
		for (const char *c = err.msg; *c; c++)
			if (*c < 0x20 || *c > 0x7e) {
				replay_failure(t, name, "unprintable byte in the message");
				break;
			}
	}
	if (twice) {
		struct scn_error err2;
		struct scn_scenario *s2 = scn_parse(text, len, name, &err2);

		if (!s != !s2 || (!s && (err.line != err2.line || err.col != err2.col ||
		                        strcmp(err.msg, err2.msg))))
			replay_failure(t, name, "two parses of the same bytes differ");
		scn_free(s2);
	}
	scn_free(s);
	return s != NULL;
}

/* ---- files -------------------------------------------------------------- */

static void list_add(struct replay_files *l, const char *path)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v) {
			perror("realloc");
			exit(2);
		}
	}
	l->v[l->n] = strdup(path);
	if (!l->v[l->n++]) {
		perror("strdup");
		exit(2);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && !strcmp(s + n - m, suf);
}

/* Files under path (or path itself); only *.scn when scn_only. */
void replay_collect(struct replay_files *l, const char *path, bool scn_only, bool top)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	struct replay_files sub = {0};

	if (stat(path, &st) != 0) {
		if (top)
			list_add(l, path);  /* reported as unreadable by the parser */
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (top || !scn_only || has_suffix(path, ".scn"))
			list_add(l, path);
		return;
	}
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char *child;
		size_t n;

		if (e->d_name[0] == '.')
			continue;
		n = strlen(path) + strlen(e->d_name) + 2;
		child = malloc(n);
		if (!child)
			exit(2);
		snprintf(child, n, "%s%s%s", path, has_suffix(path, "/") ? "" : "/", e->d_name);
		list_add(&sub, child);
		free(child);
	}
	closedir(d);
	if (sub.n)
		qsort(sub.v, sub.n, sizeof(*sub.v), cmp_str);
	for (size_t i = 0; i < sub.n; i++) {
		replay_collect(l, sub.v[i], scn_only, false);
		free(sub.v[i]);
	}
	free(sub.v);
}

char *replay_read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				exit(2);
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* ---- modes -------------------------------------------------------------- */

static int mode_parse(int argc, char **argv)
{
	struct replay_files files = {0};
	int rc = 0;

	for (int i = 0; i < argc; i++)
		replay_collect(&files, argv[i], true, true);
	for (size_t i = 0; i < files.n; i++) {
		struct scn_error err;
		struct scn_scenario *s = scn_parse_file(files.v[i], &err);
		char buf[SCN_ERROR_MSG_MAX + 512];

		if (s) {
			printf("%s: ok: %s\n", files.v[i], s->summary);
		} else {
			scn_format_error(&err, buf, sizeof(buf));
			printf("%s\n", buf);
			rc = 2;
		}
		scn_free(s);
		free(files.v[i]);
	}
	free(files.v);
	return rc;
}

static int mode_reject(int argc, char **argv)
{
	struct replay_files files = {0};
	struct replay_tally tally = {0}, *t = &tally;

	for (int i = 0; i < argc; i++)
		replay_collect(&files, argv[i], false, true);
	for (size_t i = 0; i < files.n; i++) {
		struct scn_error err;
		struct scn_scenario *s = scn_parse_file(files.v[i], &err);
		char buf[SCN_ERROR_MSG_MAX + 512];

		t->checks++;
		if (s) {
			replay_failure(t, files.v[i], "was accepted; it must be rejected");
		} else {
			scn_format_error(&err, buf, sizeof(buf));
			printf("%s\n", buf);
			if (!located(buf, files.v[i]))
				replay_failure(t, files.v[i], "the error has no file:line:col: location");
		}
		scn_free(s);
		free(files.v[i]);
	}
	free(files.v);
	if (files.n == 0)
		replay_failure(t, "reject", "no input files");
	printf("%lu rejected, %lu failures\n", t->checks - t->failures, t->failures);
	return t->failures ? 1 : 0;
}

static int mode_replay(int argc, char **argv)
{
	struct replay_files files = {0};
	struct replay_tally tally = {0}, *t = &tally;

	for (int i = 0; i < argc; i++)
		replay_collect(&files, argv[i], false, true);
	for (size_t i = 0; i < files.n; i++) {
		size_t len = 0;
		char *text = replay_read_all(files.v[i], &len);

		if (!text)
			replay_failure(t, files.v[i], "cannot read");
		else
			replay_check(t, files.v[i], text, len, true);
		free(text);
		free(files.v[i]);
	}
	free(files.v);
	printf("%lu inputs, %lu failures\n", t->checks, t->failures);
	return t->failures ? 1 : 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: scn_replay parse|dump|reject|replay PATH...\n"
	                "       scn_replay mutate [--rounds N] [--random N] [--seed S] [PATH...]\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "parse") && argc > 2)
		return mode_parse(argc - 2, argv + 2);
	if (!strcmp(argv[1], "dump") && argc == 3)
		return scn_replay_dump(argv[2]);
	if (!strcmp(argv[1], "reject") && argc > 2)
		return mode_reject(argc - 2, argv + 2);
	if (!strcmp(argv[1], "replay") && argc > 2)
		return mode_replay(argc - 2, argv + 2);
	if (!strcmp(argv[1], "mutate")) {
		int rc = scn_replay_mutate(argc - 2, argv + 2);
		return rc == 2 ? usage() : rc;
	}
	return usage();
}
