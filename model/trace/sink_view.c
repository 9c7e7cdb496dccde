/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink_view.c - bookkeeping shared by the VCD and Perfetto writers (see
 * sink_view.h): blocking states, exit-reason numbers, pending events.
 */
#include "model/trace/sink_view.h"

#include <stdlib.h>
#include <string.h>

#include "vmcs/vmx_exit_reason.h"

static const struct {
	const char *name;
	unsigned bit;
} blocking_names[] = {
	{"sti", SINK_BLK_STI}, {"mov-ss", SINK_BLK_MOV_SS}, {"nmi", SINK_BLK_NMI},
	{"vnmi", SINK_BLK_VNMI}, {"if", SINK_BLK_IF},
};

unsigned sink_blocking_bits(const char *state)
{
	unsigned bits = 0;

	while (state && *state) {
		size_t n = strcspn(state, "|");

		for (size_t i = 0; i < sizeof(blocking_names) / sizeof(blocking_names[0]); i++)
			if (strlen(blocking_names[i].name) == n && !strncmp(state, blocking_names[i].name, n))
				bits |= blocking_names[i].bit;
		state += n;
		if (*state == '|')
			state++;
	}
	return bits;
}

int sink_exit_reason_number(const char *reason)
{
	char *end;
	unsigned long v;
	int n;

	if (!reason)
		return -1;
	n = vmx_exit_reason_by_name(reason);
	if (n >= 0)
		return n;
	if (reason[0] != '0' || (reason[1] != 'x' && reason[1] != 'X'))
		return -1;
	v = strtoul(reason + 2, &end, 16);
	if (end == reason + 2 || *end || v > 0xffff)
		return -1;
	return (int)v;
}

void sink_pending_init(struct sink_pending *p)
{
	memset(p, 0, sizeof(*p));
	p->guest = 1;
}

static bool is(const char *s, const char *want)
{
	return s && !strcmp(s, want);
}

static unsigned pend_raise(struct sink_pending *p, uint32_t level, bool nmi, uint64_t vector)
{
	if (nmi) {
		p->nmi[level]++;
	} else {
		uint8_t v = (uint8_t)vector;

		p->intr[level]++;
		if (p->vec[level][v] < UINT16_MAX)
			p->vec[level][v]++;
	}
	return 1u << level;
}

static unsigned pend_take(struct sink_pending *p, uint32_t level, bool nmi, uint64_t vector)
{
	if (nmi) {
		if (!p->nmi[level])
			return 0;
		p->nmi[level]--;
	} else {
		uint8_t v = (uint8_t)vector;

		if (vector > 255 || !p->vec[level][v])
			return 0;
		p->vec[level][v]--;
		p->intr[level]--;
	}
	return 1u << level;
}

unsigned sink_pending_apply(struct sink_pending *p, const struct trace_event *ev)
{
	const char *type = trace_field_s(ev, "type");
	uint64_t vector = trace_field_u(ev, "vector", 256);
	uint32_t level = ev->level < SINK_VIEW_LEVELS ? ev->level : SINK_VIEW_LEVELS - 1;

	switch (ev->kind) {
	case TRACE_STIMULUS:
		if (is(type, "nmi") || is(type, "irq"))
			return pend_raise(p, level, is(type, "nmi"), vector);
		return 0;
	case TRACE_HOST:
		if (is(type, "nmi") || is(type, "irq"))
			return pend_take(p, 0, is(type, "nmi"), vector);
		return 0;
	case TRACE_DELIVER:
		if (trace_field_u(ev, "injected", 0) || !(is(type, "nmi") || is(type, "ext-intr")))
			return 0;
		return pend_take(p, 0, is(type, "nmi"), vector);
	case TRACE_NMI_LOST:
		return pend_take(p, 0, true, 0);
	case TRACE_IRQ_COALESCED:
		return pend_take(p, 0, false, vector);
	case TRACE_VMEXIT:
		if (ev->level > 0 && ev->level < SINK_VIEW_LEVELS)
			p->guest = ev->level;
		return 0;
	case TRACE_INJECT: {
		unsigned took;

		if (trace_field_s(ev, "why") || !(is(type, "nmi") || is(type, "ext-intr")))
			return 0;
		took = pend_take(p, p->guest, is(type, "nmi"), vector);
		for (uint32_t l = 1; !took && l < SINK_VIEW_LEVELS; l++)
			if (l != p->guest)
				took = pend_take(p, l, is(type, "nmi"), vector);
		return took;
	}
	default:
		return 0;
	}
}

uint64_t sink_cycles_to_ns(uint64_t cycles, uint64_t tsc_hz)
{
	unsigned __int128 ns;

	if (!tsc_hz)
		return cycles;
	ns = ((unsigned __int128)cycles * 1000000000u + tsc_hz / 2) / tsc_hz;
	return ns > UINT64_MAX ? UINT64_MAX : (uint64_t)ns;
}

unsigned __int128 sink_cycles_to_ps(uint64_t cycles, uint64_t tsc_hz)
{
	if (!tsc_hz)
		return (unsigned __int128)cycles * 1000u;
	return ((unsigned __int128)cycles * 1000000000000u + tsc_hz / 2) / tsc_hz;
}

const char *sink_u128_dec(unsigned __int128 v, char *buf, size_t n)
{
	size_t i = n - 1;

	buf[i] = 0;
	do {
		buf[--i] = (char)('0' + (unsigned)(v % 10));
		v /= 10;
	} while (v && i > 0);
	return buf + i;
}

uint32_t sink_exit_reason_full(const struct trace_event *ev)
{
	int basic = sink_exit_reason_number(trace_field_s(ev, "reason"));
	uint32_t r = basic < 0 ? VMX_EXIT_REASON_BASIC_MASK : (uint32_t)basic;

	return r | (trace_field_u(ev, "failed_vmentry", 0) ? VMX_EXIT_REASONS_FAILED_VMENTRY : 0);
}
