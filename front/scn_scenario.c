/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scn_scenario.c - what a parsed scenario offers its users: the arena that
 * owns it, file reading, error formatting, per-vCPU guest lookup, the CPU
 * model with overrides applied, and time conversion.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "front/scn_internal.h"

/* ---- arena -------------------------------------------------------------- */

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

struct scn_arena {
	struct arena_chunk *head;
};

#define ARENA_CHUNK_BYTES (64u * 1024u)

struct scn_arena *scn_arena_new(void)
{
	return calloc(1, sizeof(struct scn_arena));
}

void scn_arena_free(struct scn_arena *a)
{
	if (!a)
		return;
	for (struct arena_chunk *c = a->head, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

void *scn_arena_alloc(struct scn_arena *a, size_t size)
{
	const size_t align = sizeof(max_align_t);
	struct arena_chunk *c = a->head;
	size_t need = (size + align - 1) / align * align;
	void *out;

	if (size == 0)
		need = align;
	if (need < size)
		return NULL;
	if (!c || c->cap - c->used < need) {
		size_t cap = need > ARENA_CHUNK_BYTES ? need : ARENA_CHUNK_BYTES;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		/* A big one-off block goes behind the head so the head keeps its room. */
		if (a->head && need > ARENA_CHUNK_BYTES) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	out = (char *)c->data + c->used;
	c->used += need;
	memset(out, 0, need);
	return out;
}

char *scn_arena_strndup(struct scn_arena *a, const char *s, size_t len)
{
	char *d = scn_arena_alloc(a, len + 1);

	if (d) {
		if (len)
			memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

void scn_free(struct scn_scenario *s)
{
	if (s)
		scn_arena_free(s->arena);  /* the scenario itself lives in its arena */
}

/* ---- files and errors --------------------------------------------------- */

char *scn_read_file(const char *path, size_t *len, struct scn_error *err)
{
	FILE *f;
	char *buf;
	int e = 0;

	if (err) {
		memset(err, 0, sizeof(*err));
		err->file = path ? path : "<input>";
	}
	if (!path) {
		if (err)
			snprintf(err->msg, sizeof(err->msg), "no file name given");
		return NULL;
	}
	/* "-" is standard input, as for most Unix tools; messages call it <stdin>. */
	if (!strcmp(path, "-")) {
		if (err)
			err->file = SCN_STDIN_NAME;
		f = stdin;
	} else {
		f = fopen(path, "rb");
	}
	if (!f) {
		if (err)
			snprintf(err->msg, sizeof(err->msg), "cannot open: %s", strerror(errno));
		return NULL;
	}
	/* One byte more than the limit, so the parser can point at the overflow. */
	buf = malloc(SCN_MAX_INPUT_BYTES + 2u);
	if (!buf) {
		fclose(f);
		if (err)
			snprintf(err->msg, sizeof(err->msg), "out of memory");
		return NULL;
	}
	*len = fread(buf, 1, SCN_MAX_INPUT_BYTES + 1u, f);
	if (ferror(f))
		e = errno ? errno : EIO;
	if (f != stdin)
		fclose(f);
	if (e) {
		free(buf);
		if (err)
			snprintf(err->msg, sizeof(err->msg), "cannot read: %s", strerror(e));
		return NULL;
	}
	buf[*len] = '\0';
	return buf;
}

struct scn_scenario *scn_parse_file(const char *path, struct scn_error *err)
{
	size_t len = 0;
	char *buf = scn_read_file(path, &len, err);
	struct scn_scenario *s;

	if (!buf)
		return NULL;
	s = scn_parse(buf, len, strcmp(path, "-") ? path : SCN_STDIN_NAME, err);
	free(buf);
	return s;
}

int scn_format_error(const struct scn_error *err, char *buf, size_t n)
{
	const char *file = err->file ? err->file : "<input>";

	if (err->line == 0)
		return snprintf(buf, n, "%s: %s", file, err->msg);
	return snprintf(buf, n, "%s:%u:%u: %s", file, (unsigned)err->line, (unsigned)err->col,
	                err->msg);
}

/* ---- using a scenario --------------------------------------------------- */

const struct scn_guest *scn_guest_for(const struct scn_scenario *s, enum scn_level level,
                                      uint32_t cpu)
{
	const struct scn_guest *any = NULL;

	for (size_t i = 0; i < s->nguests; i++) {
		const struct scn_guest *g = &s->guests[i];

		if (g->level != level)
			continue;
		if (g->cpu >= 0 && (uint32_t)g->cpu == cpu)
			return g;
		if (g->cpu == SCN_ANY)
			any = g;
	}
	return any;
}

bool scn_cpu_resolve(const struct scn_cpu *cpu, struct cpu_model *m)
{
	if (!cpu->model || !cpu_model_lookup(cpu->model, m))
		return false;
	for (size_t i = 0; i < cpu->noverrides; i++) {
		const struct scn_cpu_override *o = &cpu->overrides[i];
		bool on = o->value != 0;

		switch (o->param) {
		case SCN_CPU_VMEXIT_CYCLES: m->vmexit_cycles = (uint32_t)o->value; break;
		case SCN_CPU_VMENTRY_CYCLES: m->vmentry_cycles = (uint32_t)o->value; break;
		case SCN_CPU_DELIVERY_CYCLES: m->delivery_cycles = (uint32_t)o->value; break;
		case SCN_CPU_INSN_CYCLES: m->insn_cycles = (uint32_t)o->value; break;
		case SCN_CPU_IRET_CYCLES: m->iret_cycles = (uint32_t)o->value; break;
		case SCN_CPU_TSC_HZ: m->tsc_hz = o->value; break;
		case SCN_CPU_FEATURE:
			m->features = on ? (m->features | o->feature) : (m->features & ~o->feature);
			break;
		case SCN_CPU_NMI_WINDOW_BLOCKED_BY_STI: m->nmi_window_blocked_by_sti = on; break;
		case SCN_CPU_NMI_INJECT_FAILS_WITH_STI: m->nmi_inject_fails_with_sti = on; break;
		case SCN_CPU_STI_BLOCKS_NMI: m->sti_blocks_nmi = on; break;
		}
	}
	cpu_model_derive_caps(m);
	return true;
}

/* (a * b) / d, rounded down; false if the quotient does not fit in 64 bits. */
static bool mul_div(uint64_t a, uint64_t b, uint64_t d, uint64_t *out)
{
	/* Schoolbook on 32-bit halves keeps this portable C17. */
	uint64_t al = a & 0xffffffffu, ah = a >> 32, bl = b & 0xffffffffu, bh = b >> 32;
	uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
	uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
	uint64_t lo = (ll & 0xffffffffu) | (mid << 32);
	uint64_t hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
	uint64_t q = 0;

	if (d == 0 || hi >= d)
		return false;
	/* 128-by-64 long division, one bit at a time; hi < d throughout. */
	for (int i = 63; i >= 0; i--) {
		uint64_t top = hi >> 63;

		hi = (hi << 1) | (lo >> 63);
		lo <<= 1;
		if (top || hi >= d) {
			hi -= d;
			q |= 1ull << i;
		}
	}
	*out = q;
	return true;
}

bool scn_time_cycles(struct scn_time t, uint64_t tsc_hz, uint64_t *cycles)
{
	static const uint64_t per_second[] = {
		[SCN_UNIT_NS] = 1000000000ull,
		[SCN_UNIT_US] = 1000000ull,
		[SCN_UNIT_MS] = 1000ull,
		[SCN_UNIT_S] = 1ull,
	};

	if (t.unit == SCN_UNIT_CYCLES) {
		*cycles = t.value;
		return true;
	}
	if ((unsigned)t.unit > SCN_UNIT_S)
		return false;
	return mul_div(t.value, tsc_hz, per_second[t.unit], cycles);
}
