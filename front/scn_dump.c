/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scn_dump.c - `scn_replay dump FILE`: the scenario description as the
 * parser built it, one fact per line, for people debugging the front-end.
 */
#include <inttypes.h>
#include <stdio.h>

#include "front/scenario.h"
#include "front/scn_replay.h"
#include "vmcs/vmcs_field.h"
#include "vmcs/vmx_exit_reason.h"

/* ---- dump --------------------------------------------------------------- */

static void print_time(struct scn_time t)
{
	printf("%" PRIu64 "%s", t.value, scn_unit_name(t.unit));
}

static void print_event(const struct scn_event_pat *e)
{
	printf("%s", scn_event_name(e->ev));
	if (e->ev == SCN_EV_EXIT)
		printf(" %s", vmx_exit_reason_name((uint32_t)e->arg));
	else if (e->ev == SCN_EV_VIOLATION)
		printf(" %s", e->kind);
	else if (e->arg == SCN_NMI)
		printf(" nmi");
	else if (e->arg >= 0)
		printf(" %d", e->arg);
	else if (e->ev == SCN_EV_DELIVER)
		printf(" any");
	if (e->level != SCN_ANY)
		printf(" L%d", e->level);
	if (e->cpu != SCN_ANY)
		printf(" cpu%d", e->cpu);
}

int scn_replay_dump(const char *path)
{
	struct scn_error err;
	struct scn_scenario *s = scn_parse_file(path, &err);
	char buf[SCN_ERROR_MSG_MAX + 512];

	if (!s) {
		scn_format_error(&err, buf, sizeof(buf));
		fprintf(stderr, "%s\n", buf);
		return 2;
	}
	printf("summary: %s\n", s->summary);
	printf("cpu %s (%u:%u)\n", s->cpu.model, s->cpu.loc.line, s->cpu.loc.col);
	for (size_t i = 0; i < s->cpu.noverrides; i++) {
		const struct scn_cpu_override *o = &s->cpu.overrides[i];
		printf("  %s = %" PRIu64 " (%u:%u)\n", scn_cpu_param_name(o->param, o->feature), o->value,
		       o->loc.line, o->loc.col);
	}
	printf("l0 %s\n", s->l0.name);
	for (size_t i = 0; i < s->l0.nswitches; i++) {
		const struct scn_switch *w = &s->l0.switches[i];
		printf("  %c%s%s%s (%u:%u)\n", w->kind == SCN_SWITCH_ON ? '+' : w->kind == SCN_SWITCH_OFF ? '-' : ' ',
		       w->name, w->value ? "=" : "", w->value ? w->value : "", w->loc.line, w->loc.col);
	}
	printf("vcpus %u\n", s->vcpus);
	for (size_t i = 0; i < s->nguests; i++) {
		const struct scn_guest *g = &s->guests[i];
		printf("guest L%d", (int)g->level);
		if (g->cpu != SCN_ANY)
			printf(" cpu%d", g->cpu);
		printf("\n");
		for (size_t k = 0; k < g->nidt; k++)
			printf("  idt %u -> %u (%s) %s\n", g->idt[k].vector, g->idt[k].target, g->idt[k].label,
			       g->idt[k].gate == SCN_GATE_TRAP ? "trap-gate" : "interrupt-gate");
		for (size_t k = 0; k < g->nvmcs; k++)
			printf("  vmcs %s = 0x%" PRIx64 "\n", vmcs_field_info(g->vmcs[k].field)->name,
			       g->vmcs[k].value);
		for (size_t k = 0; k < g->nmsr_intercepts; k++)
			printf("  msr-bitmap intercept %s 0x%x\n", g->msr_intercepts[k].write ? "write" : "read",
			       g->msr_intercepts[k].msr);
		if (g->has_exit_handler)
			printf("  exit-handler -> %u\n", g->exit_handler);
		for (size_t k = 0; k < g->nregions; k++) {
			const struct scn_vmcs_region *r = &g->regions[k];
			printf("  vmcs-region %s -> %zu%s", r->name, SCN_REGION_DECLARED + k, r->empty ? " empty" : " for L2");
			if (r->has_revision)
				printf(" revision=0x%x", r->revision);
			printf("\n");
		}
		for (size_t k = 0; k < g->ninsns; k++) {
			const struct scn_insn *in = &g->insns[k];
			for (size_t l = 0; l < g->nlabels; l++)
				if (g->labels[l].insn == k)
					printf("  %s:\n", g->labels[l].name);
			printf("    %2zu %s", k, scn_op_name(in->op));
			switch (in->op) {
			case SCN_OP_WORK: printf(" "); print_time(in->work); break;
			case SCN_OP_INT: printf(" %u", in->vector); break;
			case SCN_OP_JMP: printf(" %s -> %u", in->label, in->target); break;
			case SCN_OP_CHOOSE:
				for (size_t a = 0; a < s->vars[in->var].nalts; a++)
					printf("%s %s -> %u", a ? " |" : "", s->vars[in->var].labels[a], s->vars[in->var].targets[a]);
				break;
			case SCN_OP_IPI:
				if (in->nmi || in->init)
					printf(" cpu%u %s", in->cpu, in->nmi ? "nmi" : "init");
				else if (in->sipi)
					printf(" cpu%u sipi %u", in->cpu, in->vector);
				else
					printf(" cpu%u %u", in->cpu, in->vector);
				break;
			case SCN_OP_VMREAD: printf(" 0x%x", in->encoding); break;
			case SCN_OP_VMWRITE: printf(" 0x%x 0x%" PRIx64, in->encoding, in->value); break;
			case SCN_OP_RECORD: printf(" regs 0x%x", in->regs); break;
			case SCN_OP_RDMSR: printf(" msr 0x%x", in->msr); break;
			case SCN_OP_IN: case SCN_OP_OUT: case SCN_OP_INW: case SCN_OP_INL: case SCN_OP_OUTW: case SCN_OP_OUTL:
				printf(" port 0x%x", in->port);
				break;
			case SCN_OP_CLEAR_IDT: printf(" %u", in->vector); break;
			case SCN_OP_SET_IDT:
				printf(" %u %s -> %u %s", in->vector, in->label, in->target,
				       in->gate == SCN_GATE_TRAP ? "trap-gate" : "interrupt-gate");
				break;
			case SCN_OP_WRMSR:
				printf(" msr 0x%x", in->msr);
				if (in->src == SCN_NO_REG)
					printf(" 0x%" PRIx64, in->value);
				break;
			case SCN_OP_MSR_BITMAP_SET:
			case SCN_OP_MSR_BITMAP_CLEAR: printf(" %s msr 0x%x", in->write ? "write" : "read", in->msr); break;
			case SCN_OP_MOV_DR: printf(" %s dr%u", in->dr_from ? "from" : "to", in->dr); break;
			case SCN_OP_LOAD:
			case SCN_OP_STORE:
			case SCN_OP_MOV_SS:
				if (in->size)
					printf(" [0x%" PRIx64 "] size %u", in->addr, in->size);
				if (in->op == SCN_OP_STORE && in->src == SCN_NO_REG)
					printf(" 0x%" PRIx64, in->value);
				break;
			case SCN_OP_VMXON:
			case SCN_OP_VMCLEAR:
			case SCN_OP_VMPTRLD:
				if (in->region)
					printf(" region %s -> %u", in->region, in->region_idx);
				else if (in->src == SCN_NO_REG)
					printf(" address 0x%" PRIx64, in->value);
				break;
			default:
				if (in->label)
					printf(" %s -> %u", in->label, in->target);
				break;
			}
			if (in->dst != SCN_NO_REG)
				printf(" dst r%d", in->dst);
			if (in->src != SCN_NO_REG)
				printf(" src r%d", in->src);
			else if (in->value_label)
				printf(" src %s -> L%d:%u", in->value_label, (int)in->value_label_level, in->value_target);
			else if ((in->op >= SCN_OP_MOV && in->op <= SCN_OP_TEST) || in->op == SCN_OP_MOV_CR3 ||
			         in->op == SCN_OP_MOV_CR8 || (in->op == SCN_OP_MOV_DR && !in->dr_from))
				printf(" 0x%" PRIx64, in->value);
			printf("   (%u:%u)\n", in->loc.line, in->loc.col);
		}
	}
	for (size_t i = 0; i < s->nstimuli; i++) {
		const struct scn_stimulus *st = &s->stimuli[i];
		switch (st->timing) {
		case SCN_AT: printf("at "); print_time(st->at); break;
		case SCN_EVERY:
			printf("every ");
			print_time(st->period);
			if (st->has_from) {
				printf(" from ");
				print_time(st->from);
			}
			if (st->has_until) {
				printf(" until ");
				print_time(st->until);
			}
			break;
		case SCN_ON:
			printf("on #%u ", st->occurrence);
			print_event(&st->trigger);
			printf(" +");
			print_time(st->delay);
			break;
		}
		if (st->kind == SCN_STIM_NMI || st->kind == SCN_STIM_INIT || st->kind == SCN_STIM_MCE ||
		    st->kind == SCN_STIM_GUEST_DEBUG || st->kind == SCN_STIM_RESET)
			printf(" %s", st->kind == SCN_STIM_NMI     ? "nmi"
			              : st->kind == SCN_STIM_INIT  ? "init"
			              : st->kind == SCN_STIM_MCE   ? "mce"
			              : st->kind == SCN_STIM_RESET ? "reset"
			                                           : "guest-debug");
		else
			printf(" %s %u", st->kind == SCN_STIM_IRQ ? "irq" : st->kind == SCN_STIM_SIPI ? "sipi" : "post", st->vector);
		printf(" -> L%d cpu%u%s%s", (int)st->level, st->cpu, st->via ? " via " : "", st->via ? st->via : "");
		if (st->kind == SCN_STIM_GUEST_DEBUG && st->debug_kind == SCN_GDB_HBREAK)
			printf(" hbreak %s", st->debug_label);
		else if (st->kind == SCN_STIM_GUEST_DEBUG && st->debug_kind == SCN_GDB_CONTINUE)
			printf(" continue");
		else if (st->kind == SCN_STIM_GUEST_DEBUG && st->debug_kind == SCN_GDB_SW)
			printf(" sw");
		else if (st->kind == SCN_STIM_GUEST_DEBUG && st->debug_kind == SCN_GDB_SKIP)
			printf(" skip %u", st->debug_steps);
		else if (st->kind == SCN_STIM_GUEST_DEBUG && st->debug_kind == SCN_GDB_HW)
			printf(" hw dr7 0x%llx", (unsigned long long)st->debug_dr7);
		else if (st->kind == SCN_STIM_GUEST_DEBUG)
			printf(" step %u%s", st->debug_steps, st->debug_blockirq ? " blockirq" : "");
		if (st->mce_words & (1u << SCN_MCE_BANK))
			printf(" bank %u", st->mce.bank);
		if (st->mce_words & (1u << SCN_MCE_STATUS))
			printf(" status 0x%llx", (unsigned long long)st->mce.status);
		if (st->mce_words & (1u << SCN_MCE_ADDR))
			printf(" addr 0x%llx", (unsigned long long)st->mce.addr);
		if (st->mce_words & (1u << SCN_MCE_MISC))
			printf(" misc 0x%llx", (unsigned long long)st->mce.misc);
		if (st->mce_words & (1u << SCN_MCE_MCG_STATUS))
			printf(" mcg-status 0x%llx", (unsigned long long)st->mce.mcg_status);
		if (st->mce_words & (1u << SCN_MCE_ENABLE_BIT))
			printf(" enable-bit %u", st->mce.enable_bit);
		printf("\n");
	}
	for (size_t i = 0; i < s->nvars; i++) {
		const struct scn_var *v = &s->vars[i];
		static const char *const kinds[] = {"at", "delay", "work", "choice"};
		printf("vary %s (%u:%u-%u)", kinds[v->kind], v->loc.line, v->loc.col, v->end_col);
		if (v->kind == SCN_VAR_CHOICE)
			printf(" %zu alternatives\n", v->nalts);
		else {
			printf(" ");
			print_time(v->lo);
			printf("..");
			print_time(v->hi);
			printf("\n");
		}
	}
	printf("run ");
	print_time(s->run);
	printf("\n");
	for (size_t i = 0; i < s->nexpects; i++) {
		const struct scn_expect *e = &s->expects[i];
		printf("expect ");
		switch (e->kind) {
		case SCN_EXPECT_VERDICT: printf("%s%s", e->negated ? "no " : "", e->verdict); break;
		case SCN_EXPECT_COUNT:
			printf("count ");
			print_event(&e->event);
			printf(" %s %" PRIu64, scn_cmp_name(e->cmp), e->count);
			break;
		case SCN_EXPECT_AT:
			print_event(&e->event);
			printf(" at ");
			print_time(e->at);
			break;
		case SCN_EXPECT_WITHIN:
			print_event(&e->event);
			printf(" in ");
			print_time(e->at);
			printf("..");
			print_time(e->until);
			break;
		case SCN_EXPECT_EXACT:
			if (e->at_label)
				printf("%s at %s+%" PRIu64 " (L%d)", scn_exact_what_name(e->what), e->at_label, e->at_offset,
				       (int)e->at_level);
			else
				printf("#%u %s", e->occurrence, scn_exact_what_name(e->what));
			if (e->event.level != SCN_ANY)
				printf(" L%d", e->event.level);
			if (e->event.cpu != SCN_ANY)
				printf(" cpu%d", e->event.cpu);
			for (size_t k = 0; k < e->nfields; k++) {
				const struct scn_exact_field *f = &e->fields[k];
				if (f->label)
					printf(" %s=%s+%" PRIu64 " (L%d)", scn_exact_key_name(f->key), f->label, f->value,
					       (int)f->label_level);
				else
					printf(" %s=0x%" PRIx64, scn_exact_key_name(f->key), f->value);
			}
			break;
		}
		printf("\n");
	}
	scn_free(s);
	return 0;
}
