/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scn_guest.c - guest blocks: `guest L1|L2 [cpuN]`, then labels,
 * instructions (scn_insn.c), `idt` entries, `vmcs` setup lines and
 * `exit-handler`.
 *
 * A block ends at the next top-level statement. Labels are local to their
 * block and kept in a hash table while it is open, so a duplicate is
 * reported at its second definition; uses are resolved when the block
 * closes, so jumps may go forward. VMCS operands are scn_vmcs.c's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "front/scn_internal.h"
#include "vmcs/vmcs_field.h"

static struct scn_guest *open_guest(struct parser *p)
{
	return &p->s->guests[p->guest];
}

/* ---- labels ------------------------------------------------------------- */

static uint32_t hash_name(const char *s, size_t n)
{
	uint32_t h = 2166136261u;  /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* The slot holding name, or the empty slot where it would go. */
static struct label_slot *label_slot(struct parser *p, const char *name, size_t n)
{
	const struct scn_guest *g = open_guest(p);
	uint32_t mask = p->nslots - 1, i = hash_name(name, n) & mask;

	for (;; i = (i + 1) & mask) {
		struct label_slot *sl = &p->slots[i];
		const char *have;

		if (sl->gen != p->gen)
			return sl;
		have = g->labels[sl->idx].name;
		if (strlen(have) == n && !memcmp(have, name, n))
			return sl;
	}
}

/* Keep the table at most half full; rehash the open block's labels into a bigger one. */
static bool grow_slots(struct parser *p)
{
	const struct scn_guest *g = open_guest(p);
	struct label_slot *old = p->slots;
	uint32_t n = p->nslots ? p->nslots * 2 : 64;

	if (p->slots && g->nlabels * 2 < p->nslots)
		return true;
	p->slots = calloc(n, sizeof(*p->slots));
	if (!p->slots) {
		p->slots = old;
		return scn_fail_col(p, 1, "out of memory");
	}
	free(old);
	p->nslots = n;
	for (uint32_t k = 0; k < g->nlabels; k++) {
		struct label_slot *sl = label_slot(p, g->labels[k].name, strlen(g->labels[k].name));
		sl->gen = p->gen;
		sl->idx = k;
	}
	return true;
}

static const struct scn_label *find_label(struct parser *p, const char *name)
{
	struct label_slot *sl;

	if (!p->slots)
		return NULL;  /* no block has defined a label yet */
	sl = label_slot(p, name, strlen(name));
	return sl->gen == p->gen ? &open_guest(p)->labels[sl->idx] : NULL;
}

static bool define_label(struct parser *p, const struct tok *t)
{
	struct scn_guest *g = open_guest(p);
	struct label_slot *sl;
	struct scn_label *l;

	if (!grow_slots(p))
		return false;
	sl = label_slot(p, t->s, t->len);
	if (sl->gen == p->gen)
		return scn_fail_col(p, t->col, "duplicate label '%.*s' (first defined at line %u)",
		                    (int)t->len, t->s, (unsigned)g->labels[sl->idx].loc.line);
	if (p->total_labels >= SCN_MAX_LABELS)
		return scn_fail_col(p, t->col, "too many labels (the limit is %u)", SCN_MAX_LABELS);
	if (!scn_grow(p, (void **)&g->labels, &p->cap_labels, g->nlabels, sizeof(*l),
	              SCN_MAX_LABELS, "labels"))
		return false;
	l = &g->labels[g->nlabels];
	if (!(l->name = scn_tok_strdup(p, t)))
		return false;
	l->insn = (uint32_t)g->ninsns;
	l->loc = scn_tok_loc(p, t);
	sl->gen = p->gen;
	sl->idx = (uint32_t)g->nlabels++;
	p->total_labels++;
	return true;
}

bool scn_parse_label_use(struct parser *p, const char **label, struct scn_loc *loc)
{
	const struct tok *t = scn_peek(p);

	if (t->kind != TK_WORD)
		return scn_expected(p, "a label name");
	*loc = scn_tok_loc(p, t);
	if (!(*label = scn_tok_strdup(p, t)))
		return false;
	scn_next(p);
	return true;
}

/* ---- block statements --------------------------------------------------- */

bool scn_parse_gate(struct parser *p, enum scn_gate *gate)
{
	const struct tok *t = scn_peek(p);

	if (scn_tok_is(t, "interrupt-gate"))
		*gate = SCN_GATE_INTERRUPT;
	else if (scn_tok_is(t, "trap-gate"))
		*gate = SCN_GATE_TRAP;
	else
		return scn_expected(p, "a gate type: interrupt-gate or trap-gate");
	scn_next(p);
	/*
	 * A gate's DPL matters only to INT n from a CPL above it, and IST only
	 * with a TSS to hold the stacks: programs run at CPL 0 on the model's own
	 * frame stack, so neither could change anything. Refused, not ignored.
	 */
	t = scn_peek(p);
	if (scn_tok_is(t, "dpl"))
		return scn_fail_col(p, t->col, "not modelled: gate DPL (programs run at CPL 0, where INT n passes "
		                               "every DPL check; a DPL test needs CPL 3)");
	if (scn_tok_is(t, "ist"))
		return scn_fail_col(p, t->col, "not modelled: IST (interrupt frames go on the model's own stack; "
		                               "there is no TSS with interrupt stacks)");
	return true;
}

static bool st_idt(struct parser *p, struct scn_guest *g)
{
	const struct tok *kw = scn_next(p);
	struct scn_idt_entry e;

	memset(&e, 0, sizeof(e));
	e.loc = scn_tok_loc(p, kw);
	if (!scn_parse_vector(p, &e.vector))
		return false;
	for (size_t i = 0; i < g->nidt; i++)
		if (g->idt[i].vector == e.vector)
			return scn_fail_col(p, p->toks[p->pos - 1].col,
			                    "vector %u already has an IDT entry at line %u",
			                    (unsigned)e.vector, (unsigned)g->idt[i].loc.line);
	if (!scn_parse_label_use(p, &e.label, &e.label_loc))
		return false;
	if (!scn_parse_gate(p, &e.gate))
		return false;
	if (!scn_grow(p, (void **)&g->idt, &p->cap_idt, g->nidt, sizeof(e), 256, "IDT entries"))
		return false;
	g->idt[g->nidt++] = e;
	return scn_at_eol(p);
}

static bool st_vmcs(struct parser *p, struct scn_guest *g)
{
	struct scn_vmcs_setup v;

	scn_next(p);
	memset(&v, 0, sizeof(v));
	v.loc = scn_tok_loc(p, scn_peek(p));
	if (!scn_parse_field(p, false, &v.field, &v.encoding))
		return false;
	for (size_t i = 0; i < g->nvmcs; i++)
		if (g->vmcs[i].field == v.field)
			return scn_fail_at(p, v.loc, "%s is already set at line %u",
			                   vmcs_field_info(v.field)->name, (unsigned)g->vmcs[i].loc.line);
	if (!scn_parse_value(p, v.field, v.encoding, &v.value))
		return false;
	if (!scn_grow(p, (void **)&g->vmcs, &p->cap_vmcs, g->nvmcs, sizeof(v), SCN_MAX_VMCS_SETUPS,
	              "vmcs lines in this block"))
		return false;
	g->vmcs[g->nvmcs++] = v;
	return scn_at_eol(p);
}

static bool st_exit_handler(struct parser *p, struct scn_guest *g)
{
	const struct tok *kw = scn_next(p);
	const char *label = NULL;   /* set by scn_parse_label_use() when it succeeds */

	if (g->level != SCN_L1)
		return scn_fail_col(p, kw->col, "'exit-handler' belongs in a 'guest L1' block: only "
		                                "an L1 hypervisor handles exits");
	if (g->has_exit_handler)
		return scn_fail_col(p, kw->col, "the block already has an exit-handler (line %u)",
		                    (unsigned)g->exit_handler_loc.line);
	if (!scn_parse_label_use(p, &label, &g->exit_handler_loc))
		return false;
	g->has_exit_handler = true;
	g->exit_handler_label = label;  /* resolved when the block closes */
	return scn_at_eol(p);
}

/* `stack-unmapped`: the guest's stack page is not mapped in EPT until the hypervisor maps it. */
static bool st_stack_unmapped(struct parser *p, struct scn_guest *g)
{
	const struct tok *kw = scn_next(p);

	if (g->stack_unmapped)
		return scn_fail_col(p, kw->col, "the block already says stack-unmapped (line %u)",
		                    (unsigned)g->stack_unmapped_loc.line);
	g->stack_unmapped = true;
	g->stack_unmapped_loc = scn_tok_loc(p, kw);
	return scn_at_eol(p);
}

/* ---- the block ---------------------------------------------------------- */

bool scn_guest_open(struct parser *p)
{
	const struct tok *kw = scn_next(p), *t = scn_peek(p);
	struct scn_scenario *s = p->s;
	struct scn_guest *g;
	enum scn_level lv = SCN_L1;
	int cpu = SCN_ANY;
	uint32_t c;

	if (!scn_word_is_level(t, &lv))
		return scn_expected(p, "a guest level L1 or L2");
	if (lv == SCN_L0)
		return scn_fail_col(p, t->col, "a guest block is L1 or L2 (L0 is the hypervisor "
		                               "the 'l0' statement names)");
	scn_next(p);
	if (scn_word_is_cpu(scn_peek(p), &c)) {
		if (!scn_parse_cpu(p, "a vCPU such as cpu0", &c))
			return false;
		cpu = (int)c;
	}
	if (!scn_at_eol(p))
		return false;
	for (size_t i = 0; i < s->nguests; i++) {
		char which[24] = "";

		if (s->guests[i].level != lv || s->guests[i].cpu != cpu)
			continue;
		if (cpu != SCN_ANY)
			snprintf(which, sizeof(which), " cpu%d", cpu);
		return scn_fail_col(p, kw->col, "a 'guest L%d%s' block already starts at line %u",
		                    (int)lv, which, (unsigned)s->guests[i].loc.line);
	}
	if (!scn_grow(p, (void **)&s->guests, &p->cap_guests, s->nguests, sizeof(*g),
	              2 * SCN_MAX_VCPUS + 2, "guest blocks"))
		return false;
	g = &s->guests[s->nguests];
	memset(g, 0, sizeof(*g));
	g->level = lv;
	g->cpu = cpu;
	g->loc = scn_tok_loc(p, kw);
	p->guest = (long)s->nguests++;
	p->gen++;
	p->cap_insns = p->cap_labels = p->cap_idt = p->cap_vmcs = p->cap_msr = p->cap_regions = 0;
	p->sec = SEC_GUEST;
	return true;
}

bool scn_guest_line(struct parser *p)
{
	struct scn_guest *g = open_guest(p);
	const struct tok *t;
	enum scn_op op;

	while (scn_peek(p)->kind == TK_WORD && scn_peek2(p)->kind == TK_COLON) {
		if (!define_label(p, scn_peek(p)))
			return false;
		scn_next(p);
		scn_next(p);
		g = open_guest(p);
	}
	t = scn_peek(p);
	if (t->kind == TK_EOL)
		return true;
	if (scn_tok_is(t, "idt"))
		return st_idt(p, g);
	if (scn_tok_is(t, "vmcs"))
		return st_vmcs(p, g);
	if (scn_tok_is(t, "exit-handler"))
		return st_exit_handler(p, g);
	if (scn_tok_is(t, "stack-unmapped"))
		return st_stack_unmapped(p, g);
	if (scn_tok_is(t, "msr-bitmap"))
		return scn_st_msr_bitmap(p, g);
	if (scn_tok_is(t, "apic-timer"))
		return scn_st_apic_timer(p, g);
	if (scn_tok_is(t, "vmcs-region"))
		return scn_st_vmcs_region(p, g);
	if (scn_word_to_op(t, &op))
		return scn_st_insn(p, g, op);
	if (t->kind != TK_WORD)
		return scn_expected(p, "an instruction");
	return scn_fail_unknown_insn(p, t);
}

/* The earliest of several errors found together. */
struct first_error {
	struct scn_loc loc;
	char msg[SCN_ERROR_MSG_MAX];
};

static void note(struct first_error *fe, struct scn_loc loc, const char *fmt, ...)
	SCN_PRINTF(3, 4);

static void note(struct first_error *fe, struct scn_loc loc, const char *fmt, ...)
{
	va_list ap;

	if (fe->loc.line && (fe->loc.line < loc.line ||
	                     (fe->loc.line == loc.line && fe->loc.col <= loc.col)))
		return;
	fe->loc = loc;
	va_start(ap, fmt);
	vsnprintf(fe->msg, sizeof(fe->msg), fmt, ap);
	va_end(ap);
}

bool scn_guest_close(struct parser *p)
{
	struct scn_guest *g = open_guest(p);
	struct first_error fe;
	const struct scn_label *l;

	memset(&fe, 0, sizeof(fe));
	if (g->ninsns == 0) {
		p->guest = -1;
		return scn_fail_at(p, g->loc, "the guest block has no instructions");
	}
	for (size_t i = 0; i < g->nlabels; i++)
		if (g->labels[i].insn == g->ninsns)
			note(&fe, g->labels[i].loc, "label '%s' has no instruction after it",
			     g->labels[i].name);
	for (size_t i = 0; i < g->ninsns; i++) {
		struct scn_insn *in = &g->insns[i];
		if (in->op == SCN_OP_CHOOSE) {
			struct scn_var *v = &p->s->vars[in->var];
			for (size_t k = 0; k < v->nalts; k++) {
				if ((l = find_label(p, v->labels[k])) != NULL)
					v->targets[k] = l->insn;
				else
					note(&fe, v->label_locs[k], "undefined label '%s'", v->labels[k]);
			}
			in->target = v->targets[0];
			continue;
		}
		if (in->region && !scn_region_index(g, in->region, &in->region_idx))
			note(&fe, in->arg_loc, "undefined region '%s' (vmxon, vmcs0, or a name a 'vmcs-region' line "
			                       "of this block declares)", in->region);
		if (in->value_label) {
			in->value_label_level = g->level;
			if ((l = find_label(p, in->value_label)) != NULL)
				in->value_target = l->insn;
			else if (g->level == SCN_L1)
				in->value_label_level = SCN_L2;   /* an L2 address: scn_guest_final() looks there */
			else
				note(&fe, in->value_label_loc, "undefined label '%s'", in->value_label);
		}
		if (!scn_op_takes_label(in->op))
			continue;
		if ((l = find_label(p, in->label)) != NULL)
			in->target = l->insn;
		else
			note(&fe, in->arg_loc, "undefined label '%s'", in->label);
	}
	for (size_t i = 0; i < g->nidt; i++) {
		if ((l = find_label(p, g->idt[i].label)) != NULL)
			g->idt[i].target = l->insn;
		else
			note(&fe, g->idt[i].label_loc, "undefined label '%s'", g->idt[i].label);
	}
	if (g->has_exit_handler) {
		if ((l = find_label(p, g->exit_handler_label)) != NULL)
			g->exit_handler = l->insn;
		else
			note(&fe, g->exit_handler_loc, "undefined label '%s'", g->exit_handler_label);
	}
	p->guest = -1;
	if (fe.loc.line)
		return scn_fail_at(p, fe.loc, "%s", fe.msg);
	return true;
}

bool scn_label_index(const struct scn_guest *g, const char *label, uint32_t *insn)
{
	for (size_t i = 0; i < g->nlabels; i++) {
		if (!strcmp(g->labels[i].name, label)) {
			*insn = g->labels[i].insn;
			return true;
		}
	}
	return false;
}

/*
 * An L1 operand naming a label of L2 (`vmwrite GUEST_RIP l2_main`): the
 * label of the L2 block of every vCPU the L1 block runs on, at one index.
 */
static bool resolve_l2_labels(struct parser *p, struct scn_guest *g)
{
	const struct scn_scenario *s = p->s;

	for (size_t i = 0; i < g->ninsns; i++) {
		struct scn_insn *in = &g->insns[i];
		bool found = false;

		if (!in->value_label || in->value_label_level != SCN_L2)
			continue;
		for (uint32_t c = 0; c < s->vcpus; c++) {
			const struct scn_guest *l2;
			uint32_t idx;

			if (scn_guest_for(s, SCN_L1, c) != g || !(l2 = scn_guest_for(s, SCN_L2, c)))
				continue;
			if (!scn_label_index(l2, in->value_label, &idx))
				return scn_fail_at(p, in->value_label_loc, "undefined label '%s' (not in this block nor in "
				                   "the 'guest L2' block of cpu%u)", in->value_label, (unsigned)c);
			if (found && idx != in->value_target)
				return scn_fail_at(p, in->value_label_loc, "label '%s' names different instructions in the "
				                   "L2 blocks this L1 block enters", in->value_label);
			in->value_target = idx;
			found = true;
		}
		if (!found)
			return scn_fail_at(p, in->value_label_loc, "undefined label '%s'", in->value_label);
	}
	return true;
}

/* A VM entry needs a guest to enter: an L1 that launches needs an L2 on its vCPUs. */
bool scn_guest_final(struct parser *p)
{
	const struct scn_scenario *s = p->s;

	for (size_t i = 0; i < s->nguests; i++)
		if (s->guests[i].level == SCN_L1 && !resolve_l2_labels(p, &s->guests[i]))
			return false;

	for (uint32_t c = 0; c < s->vcpus; c++) {
		const struct scn_guest *g = scn_guest_for(s, SCN_L1, c);

		if (!g || scn_guest_for(s, SCN_L2, c))
			continue;
		for (size_t i = 0; i < g->ninsns; i++)
			if (g->insns[i].op == SCN_OP_VMLAUNCH || g->insns[i].op == SCN_OP_VMRESUME)
				return scn_fail_at(p, g->insns[i].loc, "'%s' needs a guest to enter: cpu%u "
				                                       "has no 'guest L2' block",
				                   scn_op_name(g->insns[i].op), (unsigned)c);
	}
	return true;
}
