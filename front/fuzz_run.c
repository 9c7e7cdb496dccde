/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_run.c - libFuzzer target for the whole run path: any bytes are
 * parsed, and what parses is built into a machine and run for at most
 * FUZZ_RUN_MAX_CYCLES cycles with a text trace, its expectations judged.
 * A run must end, and a run refused must say where (`fuzz:LINE:COL: `)
 * on every line of its messages; ASan and UBSan catch the rest.
 *
 * Half of the mutations are structure-aware (fuzz_mutator.c: extreme
 * numbers, swapped keywords, VMCS fields and control bits), half are
 * libFuzzer's bytes. scripts/fuzz.sh builds and runs it; every input that
 * ever found a bug is kept in tests/corpus/regressions/ and replayed by
 * ctest (robust.fuzz_regressions) through this same function.
 */
#define _POSIX_C_SOURCE 200809L   /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "front/fuzz_run.h"
#include "front/scenario.h"
#include "lib/scenario_run.h"

/* Every line of the messages starts with "fuzz:<line>:<col>: ". */
static bool located(const char *out)
{
	for (const char *l = out; *l;) {
		const char *p = l;
		if (strncmp(p, "fuzz:", 5) != 0)
			return false;
		p += 5;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p++ != ':' || *p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p != ':')
			return false;
		const char *nl = strchr(l, '\n');
		l = nl ? nl + 1 : l + strlen(l);
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scn_error err;
	struct run_limits lim = {.max_cycles = FUZZ_RUN_MAX_CYCLES};
	struct vmxsim_result res;
	char *text = malloc(size ? size : 1), *out = NULL;   /* no slack: ASan sees a read past the end */
	size_t outlen = 0;
	struct scn_scenario *s;
	FILE *diag, *trace;
	enum vmxsim_status st;

	if (!text)
		return 0;
	memcpy(text, data, size);
	s = scn_parse(text, size, "fuzz", &err);
	free(text);
	if (!s) {
		if (err.line == 0 || !err.msg[0])
			abort();   /* a parse error without a location */
		return -1;     /* the parser's own fuzzer covers what does not parse: keep it out of this corpus */
	}
	diag = open_memstream(&out, &outlen);
	trace = fopen("/dev/null", "w");
	if (!diag || !trace)
		abort();
	st = run_scenario_limited(s, trace, TRACE_FORMAT_TEXT, diag, &lim, &res);
	fclose(trace);
	fclose(diag);
	if (st == VMXSIM_BAD_INPUT && !located(out)) {
		fprintf(stderr, "a refused run without a location:\n%s", out);
		abort();
	}
	free(out);
	scn_free(s);
	return 0;   /* parsed and ran (or was refused where it said) */
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	size_t n = 0;

	if (seed & 1)
		n = fuzz_mutate_scenario(data, size, max_size, seed >> 1);
	return n ? n : LLVMFuzzerMutate(data, size, max_size);
}
