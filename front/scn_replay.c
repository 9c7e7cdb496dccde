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
 *                               all truncations, seeded byte mutations, random inputs
 *
 * A directory PATH stands for its files, recursively, in sorted order (for
 * mutate: its *.scn files). Randomness is a seeded xorshift: the seed is
 * --seed, else $VMXSIM_MUTATION_SEED, else fresh for each run (the clock),
 * so every run tries other mutants; it is printed first, and setting it
 * repeats the run exactly. mutate fails when fewer than one mutant in
 * fifty parses: a test that passes when everything is refused proves little.
 * Exit status: 0 all good, 1 a check failed, 2 usage or a parse error (parse).
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

#include "front/scenario.h"
#include "front/scn_replay.h"

/* A scenario that uses every statement, so `mutate` has depth with no shipped files. */
static const char sample[] =
	"# sample: every statement of the language once, for the mutation test when\n"
	"# no scenario is shipped yet.\n"
	"#\n"
	"# Not a story; the shipped scenarios are.\n"
	"cpu     nehalem vmexit-cycles 1800 -virtual-nmis\n"
	"        tsc-hz 2.4GHz +sti-blocks-nmi\n"
	"l0      kvm-2011 -timeout +trace mode=strict\n"
	"vcpus   2\n"
	"\n"
	"guest L1\n"
	"  idt 2   nmi     interrupt-gate\n"
	"  idt 32  timer   trap-gate\n"
	"  vmcs PIN_BASED_VM_EXEC_CONTROL PIN_BASED_NMI_EXITING|PIN_BASED_EXT_INTR_MASK\n"
	"  vmcs GUEST_RFLAGS 0x202\n"
	"  exit-handler on_exit\n"
	"main:   sti\n"
	"        vmwrite CPU_BASED_VM_EXEC_CONTROL CPU_BASED_HLT_EXITING|0x80000000\n"
	"        vmlaunch\n"
	"on_exit: vmread VM_EXIT_REASON\n"
	"        vmresume\n"
	"nmi:    work 200\n"
	"        ipi cpu1 nmi\n"
	"        ipi cpu1 0x40\n"
	"        iret\n"
	"timer:  eoi\n"
	"        iret\n"
	"\n"
	"guest L2\n"
	"loop:   work 1.5k\n"
	"        cli\n"
	"        mov-ss\n"
	"        int 3\n"
	"        int3\n"
	"        ud2\n"
	"        nop\n"
	"        vmcall\n"
	"        hlt\n"
	"        jmp loop\n"
	"\n"
	"guest L1 cpu1\n"
	"spin:   work 1us\n"
	"        jmp spin\n"
	"\n"
	"at 5000 nmi -> L1 cpu0\n"
	"at 2.5us irq 32 -> L1 cpu0 via device\n"
	"every 1M from 10k until 1ms irq 0xec -> L0 cpu1\n"
	"on exit EXTERNAL_INTERRUPT cpu0 +100 nmi -> L1 cpu0\n"
	"on 2nd deliver 2 L1 irq 33 -> L2 cpu0\n"
	"on every inject nmi -> L1 cpu1\n"
	"run 20k\n"
	"\n"
	"expect nmi_nesting\n"
	"expect no lost_event\n"
	"expect count exit NMI_WINDOW == 2\n"
	"expect count inject nmi L1 >= 1\n"
	"expect count violation nmi_nesting < 3\n"
	"expect exit HLT cpu0 at 12000\n"
	"expect entry in 5000..6000\n";

/* ---- checks ------------------------------------------------------------- */

static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;  /* xorshift64 */

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static size_t rng_below(uint64_t *s, size_t n)
{
	return n ? (size_t)(rng_next(s) % n) : 0;
}

static unsigned long checks, failures, mutants, mutants_parsed;

static void failure(const char *name, const char *what)
{
	if (failures < 20)
		fprintf(stderr, "FAIL %s: %s\n", name, what);
	failures++;
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
static bool check(const char *name, const char *text, size_t len, bool twice)
{
	struct scn_error err;
	struct scn_scenario *s = scn_parse(text, len, name, &err);
	char buf[SCN_ERROR_MSG_MAX + 512];

	checks++;
	if (s) {
		if (!scenario_sane(s))
			failure(name, "parsed into an inconsistent scenario");
	} else {
		scn_format_error(&err, buf, sizeof(buf));
		if (!located(buf, name) || !err.msg[0])
			failure(name, buf);
		else if (!position_exists(text, len, err.line, err.col))
			failure(name, "error position is outside the text");
		for (const char *c = err.msg; *c; c++)
			if (*c < 0x20 || *c > 0x7e) {
				failure(name, "unprintable byte in the message");
				break;
			}
	}
	if (twice) {
		struct scn_error err2;
		struct scn_scenario *s2 = scn_parse(text, len, name, &err2);

		if (!s != !s2 || (!s && (err.line != err2.line || err.col != err2.col ||
		                        strcmp(err.msg, err2.msg))))
			failure(name, "two parses of the same bytes differ");
		scn_free(s2);
	}
	scn_free(s);
	return s != NULL;
}

/* ---- files -------------------------------------------------------------- */

struct list {
	char **v;
	size_t n, cap;
};

static void list_add(struct list *l, const char *path)
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
static void collect(struct list *l, const char *path, bool scn_only, bool top)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	struct list sub = {0};

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
		collect(l, sub.v[i], scn_only, false);
		free(sub.v[i]);
	}
	free(sub.v);
}

static char *read_all(const char *path, size_t *len)
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
	struct list files = {0};
	int rc = 0;

	for (int i = 0; i < argc; i++)
		collect(&files, argv[i], true, true);
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
	struct list files = {0};

	for (int i = 0; i < argc; i++)
		collect(&files, argv[i], false, true);
	for (size_t i = 0; i < files.n; i++) {
		struct scn_error err;
		struct scn_scenario *s = scn_parse_file(files.v[i], &err);
		char buf[SCN_ERROR_MSG_MAX + 512];

		checks++;
		if (s) {
			failure(files.v[i], "was accepted; it must be rejected");
		} else {
			scn_format_error(&err, buf, sizeof(buf));
			printf("%s\n", buf);
			if (!located(buf, files.v[i]))
				failure(files.v[i], "the error has no file:line:col: location");
		}
		scn_free(s);
		free(files.v[i]);
	}
	free(files.v);
	if (files.n == 0)
		failure("reject", "no input files");
	printf("%lu rejected, %lu failures\n", checks - failures, failures);
	return failures ? 1 : 0;
}

static int mode_replay(int argc, char **argv)
{
	struct list files = {0};

	for (int i = 0; i < argc; i++)
		collect(&files, argv[i], false, true);
	for (size_t i = 0; i < files.n; i++) {
		size_t len = 0;
		char *text = read_all(files.v[i], &len);

		if (!text)
			failure(files.v[i], "cannot read");
		else
			check(files.v[i], text, len, true);
		free(text);
		free(files.v[i]);
	}
	free(files.v);
	printf("%lu inputs, %lu failures\n", checks, failures);
	return failures ? 1 : 0;
}

/* Fragments that steer mutations into the interesting corners. */
static const char *const dict[] = {
	"\0", "\xff", "\xc3\xa9", "\xe2\x82", "\n", "\r", "\r\n", "\t", " ", "#", ":", "->", "|",
	"..", "+", "-", "=", "==", "<=", "!", "0x", "0x1_f", "1_000", "2.5", "1.5ms", "3e9",
	"18446744073709551616", "99999999999999999999999", "100000000000000000", "1000000s",
	"cpu63", "cpu64", "cpu1", "cpu01", "L0", "L2", "L3", "nmi", "irq", "255", "256", "any",
	"via", "every", "from", "until", "on", "at", "1st", "2nd", "11th", "2th", "guest L1\n",
	"guest L2\n", "guest L1 cpu1\n", "vcpus 64\n", "jmp ", "x:", "x: ", "idt 2 x trap-gate\n",
	"vmcs ", "VM_EXIT_REASON", "PIN_BASED_VIRTUAL_NMIS", "CPU_BASED_HLT_EXITING", "|0x10000",
	"exit ", "NMI_WINDOW", "EXIT_REASON_HLT", "expect ", "count ", "violation ", "no ", "run ",
	"cpu ", "l0 ", "tsc-hz ", "+mtf", "-virtual-nmis", "vmexit-cycles", "exit-handler ",
};

static void mutate_once(uint64_t *rng, char *buf, size_t *len, size_t cap)
{
	size_t n = *len, at = rng_below(rng, n + 1);

	switch (rng_below(rng, 8)) {
	case 0: /* flip a bit */
		if (n)
			buf[rng_below(rng, n)] ^= (char)(1u << rng_below(rng, 8));
		break;
	case 1: /* overwrite a byte */
		if (n)
			buf[rng_below(rng, n)] = (char)rng_next(rng);
		break;
	case 2: /* insert a byte */
		if (n + 1 <= cap) {
			memmove(buf + at + 1, buf + at, n - at);
			buf[at] = (char)rng_next(rng);
			n++;
		}
		break;
	case 3: /* delete a span */
		if (n) {
			size_t k = 1 + rng_below(rng, 16);
			at = rng_below(rng, n);
			if (k > n - at)
				k = n - at;
			memmove(buf + at, buf + at + k, n - at - k);
			n -= k;
		}
		break;
	case 4:
	case 5: { /* insert a dictionary fragment */
		const char *d = dict[rng_below(rng, sizeof dict / sizeof dict[0])];
		size_t k = d[0] ? strlen(d) : 1;
		if (n + k <= cap) {
			memmove(buf + at + k, buf + at, n - at);
			memcpy(buf + at, d, k);
			n += k;
		}
		break;
	}
	case 6: { /* duplicate a span (often a whole line) */
		char tmp[80];
		size_t from = rng_below(rng, n + 1), k = rng_below(rng, sizeof(tmp));
		if (k > n - from)
			k = n - from;
		if (n + k <= cap) {
			memcpy(tmp, buf + from, k);
			memmove(buf + at + k, buf + at, n - at);
			memcpy(buf + at, tmp, k);
			n += k;
		}
		break;
	}
	default: { /* overwrite with a run of one byte */
		size_t k = rng_below(rng, 64);
		char c = rng_below(rng, 2) ? (char)rng_next(rng) : "9a_-\n#: "[rng_below(rng, 8)];
		if (at + k > n)
			k = n - at;
		memset(buf + at, c, k);
		break;
	}
	}
	*len = n;
}

static void mutate_input(const char *name, const char *text, size_t len, unsigned rounds,
                         uint64_t *rng)
{
	size_t cap = len + 4096;
	char *buf = malloc(cap);

	if (!buf)
		exit(2);
	/* Every truncation. */
	for (size_t n = 0; n <= len; n++)
		check(name, text, n, false);
	/* Seeded mutations, one to four edits each. */
	for (unsigned r = 0; r < rounds; r++) {
		size_t n = len;
		unsigned edits = 1 + (unsigned)rng_below(rng, 4);

		memcpy(buf, text, len);
		for (unsigned e = 0; e < edits; e++)
			mutate_once(rng, buf, &n, cap);
		mutants++;
		mutants_parsed += check(name, buf, n, (r & 7) == 0);
	}
	free(buf);
}

static void random_inputs(unsigned count, uint64_t *rng)
{
	char buf[1024];

	for (unsigned r = 0; r < count; r++) {
		size_t n = 0, want = rng_below(rng, sizeof(buf) - 128);

		if (r & 1) {
			/* raw bytes */
			for (n = 0; n < want; n++)
				buf[n] = (char)rng_next(rng);
		} else {
			/* dictionary soup: closer to the grammar */
			while (n < want) {
				const char *d = dict[rng_below(rng, sizeof dict / sizeof dict[0])];
				size_t k = d[0] ? strlen(d) : 1;
				memcpy(buf + n, d, k);
				n += k;
				if (rng_below(rng, 3) == 0)
					buf[n++] = ' ';
			}
		}
		check("<random>", buf, n, (r & 7) == 0);
	}
}

/* A seed no two runs share: every run of the test tries other mutants. */
static uint64_t fresh_seed(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return ((uint64_t)t.tv_sec * 1000000007ull ^ (uint64_t)t.tv_nsec ^ ((uint64_t)getpid() << 20)) | 1;
}

static int mode_mutate(int argc, char **argv)
{
	struct list files = {0};
	unsigned rounds = 4000, randoms = 30000;
	const char *env = getenv("VMXSIM_MUTATION_SEED");
	uint64_t seed, rng;
	struct scn_error err;
	struct scn_scenario *s;
	int i = 0;

	for (; i < argc && argv[i][0] == '-'; i += 2) {
		if (i + 1 >= argc)
			return 2;
		if (!strcmp(argv[i], "--rounds"))
			rounds = (unsigned)strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--random"))
			randoms = (unsigned)strtoul(argv[i + 1], NULL, 0);
		else if (strcmp(argv[i], "--seed") != 0)
			return 2;
	}
	seed = env && *env ? strtoull(env, NULL, 0) | 1 : fresh_seed();
	for (int k = 0; k + 1 < i; k += 2)
		if (!strcmp(argv[k], "--seed"))
			seed = strtoull(argv[k + 1], NULL, 0) | 1;
	printf("seed 0x%" PRIx64 " (VMXSIM_MUTATION_SEED=0x%" PRIx64 " repeats this run)\n", seed, seed);
	fflush(stdout);
	rng = seed;
	for (; i < argc; i++)
		collect(&files, argv[i], true, true);

	/* The sample itself must parse: otherwise its mutations test little. */
	s = scn_parse(sample, sizeof(sample) - 1, "<sample>", &err);
	if (!s) {
		char buf[SCN_ERROR_MSG_MAX + 64];
		scn_format_error(&err, buf, sizeof(buf));
		failure("<sample>", buf);
	}
	scn_free(s);
	mutate_input("<sample>", sample, sizeof(sample) - 1, rounds, &rng);
	for (size_t k = 0; k < files.n; k++) {
		size_t len = 0;
		char *text = read_all(files.v[k], &len);

		if (!text) {
			failure(files.v[k], "cannot read");
		} else {
			s = scn_parse(text, len, files.v[k], &err);
			if (!s) {
				char buf[SCN_ERROR_MSG_MAX + 512];
				scn_format_error(&err, buf, sizeof(buf));
				printf("note: shipped scenario does not parse: %s\n", buf);
			}
			scn_free(s);
			mutate_input(files.v[k], text, len, rounds, &rng);
		}
		free(text);
		free(files.v[k]);
	}
	free(files.v);
	random_inputs(randoms, &rng);
	printf("%zu files + sample, %lu parses, %lu failures; %lu of %lu mutants parsed (seed 0x%" PRIx64 ")\n",
	       files.n, checks, failures, mutants_parsed, mutants, seed);
	if (mutants && mutants_parsed * 50 < mutants) {
		printf("FAIL: fewer than one mutant in fifty parses: the mutations no longer reach past the lexer\n");
		return 1;
	}
	return failures ? 1 : 0;
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
		int rc = mode_mutate(argc - 2, argv + 2);
		return rc == 2 ? usage() : rc;
	}
	return usage();
}
