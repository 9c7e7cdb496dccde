/* SPDX-License-Identifier: Apache-2.0 */
/*
 * compile.c - the compiler's driver: the scenario built as vmxsim builds
 * it, then the checks, then the case and its map.
 *
 * The machine is the one `vmxsim run` would run (lib/scenario_run.c
 * run_open): the same front-end and machine errors, the programs laid out
 * at the same addresses, vmcs0 and the declared regions set up by the same
 * code (model/machine/machine.c build_regions). It is opened, read and
 * closed without running: the case is what it was built from.
 */
#define _POSIX_C_SOURCE 200809L   /* open_memstream */
#include "oracle/scn2asm/scn2asm.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/scenario_run.h"
#include "model/machine/machine_internal.h"
#include "oracle/scn2asm/scn2asm_internal.h"

static void take_prog(struct s2a_prog *p, int level, const struct scn_guest *g, const struct space *sp)
{
	p->level = level;
	p->g = g;
	p->insn = sp->insn;
	p->count = sp->prog.count;
	p->base = sp->prog.base;
	p->end = sp->prog.end;
}

/* Write everything into memory first: a failure half-way leaves the outputs untouched. */
static enum scn2asm_status emit(struct s2a *c, FILE *asm_out, FILE *map_out)
{
	char *abuf = NULL, *mbuf = NULL;
	size_t alen = 0, mlen = 0;
	FILE *a = open_memstream(&abuf, &alen), *m = open_memstream(&mbuf, &mlen);
	bool ok = a && m && s2a_emit_asm(c, a) && s2a_emit_map(c, m);
	enum scn2asm_status st = SCN2ASM_OK;

	if (a)
		ok = fclose(a) == 0 && ok;
	if (m)
		ok = fclose(m) == 0 && ok;
	if (!ok) {
		if (c->diag)
			fprintf(c->diag, "%s: out of memory\n", c->s->file);
		st = SCN2ASM_FAILED;
	} else if ((asm_out && fwrite(abuf, 1, alen, asm_out) != alen) ||
	           (map_out && fwrite(mbuf, 1, mlen, map_out) != mlen)) {
		if (c->diag)
			fprintf(c->diag, "%s: cannot write the case\n", c->s->file);
		st = SCN2ASM_FAILED;
	}
	free(abuf);
	free(mbuf);
	return st;
}

enum scn2asm_status scn2asm_compile(const struct scn_scenario *s, const char *text, size_t len, FILE *asm_out,
                                    FILE *map_out, FILE *diag)
{
	/* Built, not run: closing runs the machine for at most one cycle. */
	struct run_limits lim = {.max_cycles = 1};
	struct run_handle *h = run_open(s, NULL, TRACE_FORMAT_TEXT, diag, &lim, RUN_OPEN_NO_STIMULI);
	struct s2a c;
	enum scn2asm_status st = SCN2ASM_REFUSED;

	if (!h)
		return SCN2ASM_BAD_INPUT;
	run_handle_quiet(h);
	memset(&c, 0, sizeof(c));
	c.s = s;
	c.text = text;
	c.len = len;
	c.diag = diag;
	c.cpu = &run_handle_config(h)->cpu;
	if (s2a_check_scenario(&c)) {
		struct machine *m = run_handle_machine(h);
		const struct vcpu *vc = &m->vcpu[0];

		/* s2a_check_scenario() made sure: bare metal, one vCPU, an L2 program. */
		take_prog(&c.p[1], 1, scn_guest_for(s, SCN_L1, 0), &vc->l1);
		take_prog(&c.p[2], 2, scn_guest_for(s, SCN_L2, 0), &vc->l2);
		c.regions = vc->regions;
		c.nregions = vc->nregions;
		c.vmcs0 = &vc->regions[VMX_REGION_VMCS0];
		if (s2a_check_vmcs(&c) && s2a_check_insns(&c))
			st = emit(&c, asm_out, map_out);
	}
	run_close(h, NULL);
	return st;
}

enum scn2asm_status scn2asm_compile_text(const char *text, size_t len, const char *filename, FILE *asm_out,
                                         FILE *map_out, FILE *diag)
{
	struct scn_error err;
	struct scn_scenario *s = scn_parse(text, len, filename, &err);
	enum scn2asm_status st;

	if (!s) {
		if (diag) {
			char msg[SCN_ERROR_MSG_MAX + 256];
			scn_format_error(&err, msg, sizeof(msg));
			fprintf(diag, "%s\n", msg);
		}
		return SCN2ASM_BAD_INPUT;
	}
	st = scn2asm_compile(s, text, len, asm_out, map_out, diag);
	scn_free(s);
	return st;
}

bool s2a_refuse(const struct s2a *c, struct scn_loc loc, const char *fmt, ...)
{
	va_list ap;

	if (!c->diag)
		return false;
	if (loc.line)
		fprintf(c->diag, "%s:%u:%u: not modelled on the oracle: ", c->s->file, loc.line, loc.col);
	else
		fprintf(c->diag, "%s: not modelled on the oracle: ", c->s->file);
	va_start(ap, fmt);
	vfprintf(c->diag, fmt, ap);
	va_end(ap);
	fputc('\n', c->diag);
	return false;
}
