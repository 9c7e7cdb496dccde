/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scn_mutate.c - `scn_replay mutate`: the built-in sample and every *.scn
 * under the paths given, each cut at every length (past its first 4 KiB at
 * and around every line boundary) and mutated, and random inputs, all
 * through the checks of scn_replay.c (replay_check).
 *
 * Randomness is a seeded xorshift: the seed is --seed, else
 * $VMXSIM_MUTATION_SEED, else fresh for each run (the clock), so every run
 * tries other mutants; it is printed first, and setting it repeats the run
 * exactly. mutate fails when fewer than one mutant in fifty parses: a test
 * that passes when everything is refused proves little.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* The prefix of a file cut at every byte (mutate_input). */
#define TRUNCATE_EVERY_BYTE 4096u

static void mutate_input(struct replay_tally *t, const char *name, const char *text, size_t len, unsigned rounds,
                         uint64_t *rng)
{
	size_t cap = len + 4096;
	char *buf = malloc(cap);

	if (!buf)
		exit(2);
	/*
	 * Every truncation of the first 4 KiB; past it, the cuts at a line's
	 * end and one byte either side (mid-token, end of line, start of the
	 * next): cutting every byte of a long file costs its length squared,
	 * which a few long shipped files made most of the test's time.
	 */
	for (size_t n = 0; n <= len; n++)
		if (n <= TRUNCATE_EVERY_BYTE || text[n - 1] == '\n' || (n < len && text[n] == '\n') ||
		    (n >= 2 && text[n - 2] == '\n'))
			replay_check(t, name, text, n, false);
	/* Seeded mutations, one to four edits each. */
	for (unsigned r = 0; r < rounds; r++) {
		size_t n = len;
		unsigned edits = 1 + (unsigned)rng_below(rng, 4);

		memcpy(buf, text, len);
		for (unsigned e = 0; e < edits; e++)
			mutate_once(rng, buf, &n, cap);
		t->mutants++;
		t->mutants_parsed += replay_check(t, name, buf, n, (r & 7) == 0);
	}
	free(buf);
}

static void random_inputs(struct replay_tally *t, unsigned count, uint64_t *rng)
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
		replay_check(t, "<random>", buf, n, (r & 7) == 0);
	}
}

/* A seed no two runs share: every run of the test tries other mutants. */
static uint64_t fresh_seed(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return ((uint64_t)t.tv_sec * 1000000007ull ^ (uint64_t)t.tv_nsec ^ ((uint64_t)getpid() << 20)) | 1;
}

int scn_replay_mutate(int argc, char **argv)
{
	struct replay_files files = {0};
	struct replay_tally tally = {0}, *t = &tally;
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
		replay_collect(&files, argv[i], true, true);

	/* The sample itself must parse: otherwise its mutations test little. */
	s = scn_parse(sample, sizeof(sample) - 1, "<sample>", &err);
	if (!s) {
		char buf[SCN_ERROR_MSG_MAX + 64];
		scn_format_error(&err, buf, sizeof(buf));
		replay_failure(t, "<sample>", buf);
	}
	scn_free(s);
	mutate_input(t, "<sample>", sample, sizeof(sample) - 1, rounds, &rng);
	for (size_t k = 0; k < files.n; k++) {
		size_t len = 0;
		char *text = replay_read_all(files.v[k], &len);

		if (!text) {
			replay_failure(t, files.v[k], "cannot read");
		} else {
			s = scn_parse(text, len, files.v[k], &err);
			if (!s) {
				char buf[SCN_ERROR_MSG_MAX + 512];
				scn_format_error(&err, buf, sizeof(buf));
				printf("note: shipped scenario does not parse: %s\n", buf);
			}
			scn_free(s);
			mutate_input(t, files.v[k], text, len, rounds, &rng);
		}
		free(text);
		free(files.v[k]);
	}
	free(files.v);
	random_inputs(t, randoms, &rng);
	printf("%zu files + sample, %lu parses, %lu failures; %lu of %lu mutants parsed (seed 0x%" PRIx64 ")\n",
	       files.n, t->checks, t->failures, t->mutants_parsed, t->mutants, seed);
	if (t->mutants && t->mutants_parsed * 50 < t->mutants) {
		printf("FAIL: fewer than one mutant in fifty parses: the mutations no longer reach past the lexer\n");
		return 1;
	}
	return t->failures ? 1 : 0;
}
