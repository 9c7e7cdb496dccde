/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_scenario.c - libFuzzer target for the scenario parser.
 *
 * Any bytes must either parse into a consistent scenario or fail with a
 * located, printable message; ASan and UBSan (built in with VMXSIM_FUZZ)
 * catch the rest. Run it, for example:
 *   CC=clang cmake -S . -B /tmp/fuzz -DVMXSIM_FUZZ=ON -DVMXSIM_TESTS=OFF
 *   cmake --build /tmp/fuzz --target fuzz_scenario
 *   /tmp/fuzz/front/fuzz_scenario -max_total_time=120 -dict=front/fuzz_scenario.dict \
 *       CORPUS_DIR front/fuzz_corpus scenarios
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "front/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(const struct scn_error *err, const uint8_t *data, size_t size)
{
	char buf[SCN_ERROR_MSG_MAX + 64];
	uint32_t lines = 1;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (err->line < 1 || err->line > lines + 1 || err->col < 1 || !err->msg[0])
		abort();
	for (const char *c = err->msg; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			abort();
	if (scn_format_error(err, buf, sizeof(buf)) <= 0 || strncmp(buf, "fuzz:", 5))
		abort();
}

static void check_scenario(const struct scn_scenario *s)
{
	if (!s->summary || !s->cpu.model || !s->l0.name || s->vcpus < 1 || s->nguests < 1)
		abort();
	for (size_t i = 0; i < s->nguests; i++) {
		const struct scn_guest *g = &s->guests[i];

		for (size_t k = 0; k < g->ninsns; k++)
			if (g->insns[k].op == SCN_OP_JMP && g->insns[k].target >= g->ninsns)
				abort();
		for (size_t k = 0; k < g->nidt; k++)
			if (g->idt[k].target >= g->ninsns)
				abort();
	}
	for (uint32_t c = 0; c < s->vcpus; c++)
		if (!scn_guest_for(s, SCN_L1, c))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scn_error err;
	/* A copy without slack, so ASan sees any read past the end. */
	char *text = malloc(size ? size : 1);
	struct scn_scenario *s;

	if (!text)
		return 0;
	memcpy(text, data, size);
	s = scn_parse(text, size, "fuzz", &err);
	if (s)
		check_scenario(s);
	else
		check_error(&err, data, size);
	scn_free(s);
	free(text);
	return 0;
}
