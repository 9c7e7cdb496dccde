/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_mutator.c - structure-aware mutations of scenario text for the
 * run-path fuzzer (fuzz_run.c): edits a byte-level fuzzer would take
 * millions of tries to make, because they must keep the rest of the
 * scenario parsing for the run to be reached at all.
 *
 *   numbers   one number becomes an extreme: 0, 1, 2, 2^31, 2^32-1, 2^32,
 *             2^63, 2^64-1 (decimal or hex), or has one bit flipped;
 *   keywords  two lines swap their first words, or a line's first word
 *             becomes another statement's;
 *   lines     a line is copied, moved, dropped, or two lines are swapped;
 *   VMCS      a field of a `vmcs`/`vmwrite`/`vmread` line becomes another of
 *             the SDM's fields (vmcs_fields.def), a control bit is added to
 *             a control word (vmx_controls.def), or a new `vmcs FIELD VALUE`
 *             line goes into the text, so the entry checks of both the
 *             processor and the nested L0s see every field.
 *
 * Randomness is the seed libFuzzer hands in (or the replay driver's), so a
 * mutation is reproducible.
 */
#define _GNU_SOURCE   /* memmem */
#include "front/fuzz_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmcs/vmcs_field.h"

static const char *const extremes[] = {
	"0", "1", "2", "0x80000000", "2147483648", "4294967295", "0xffffffff", "4294967296", "0x100000000",
	"0x8000000000000000", "18446744073709551615", "0xffffffffffffffff", "0xfffffffffffff000", "65535", "255", "256",
};

static const char *const keywords[] = {
	"cpu", "l0", "vcpus", "guest", "at", "every", "run", "expect", "vmcs", "vmwrite", "vmread", "vmlaunch",
	"vmresume", "vmcall", "hlt", "sti", "cli", "iret", "work", "jmp", "nmi", "irq", "idt", "exit-handler",
	"choose", "record", "mov", "add", "cmp", "jne", "je", "rdmsr", "wrmsr", "eoi", "invept", "vmxoff", "vmptrld",
	"vmclear", "msr-bitmap", "post", "  vmcs", "        vmwrite", "load", "store", "mov-ss", "icebp", "int3",
};

/* Control bits as they are spelt in a scenario: the Linux constants. */
static const char *const controls[] = {
#define VMX_CONTROL(word, name, bit, status, note, summary) #word "_" #name,
#include "vmcs/vmx_controls.def"
#undef VMX_CONTROL
};

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static size_t below(uint64_t *s, size_t n)
{
	return n ? (size_t)(next(s) % n) : 0;
}

/* Replace [at, at+len) of buf (size *n, capacity cap) with rep; false if it does not fit. */
static bool splice(uint8_t *buf, size_t *n, size_t cap, size_t at, size_t len, const char *rep, size_t replen)
{
	if (*n - len + replen > cap)
		return false;
	memmove(buf + at + replen, buf + at + len, *n - at - len);
	memcpy(buf + at, rep, replen);
	*n = *n - len + replen;
	return true;
}

/* The start of line k (0-based) and its length without the newline; false past the end. */
static bool line_at(const uint8_t *buf, size_t n, size_t k, size_t *start, size_t *len)
{
	size_t i = 0;

	for (size_t l = 0; l < k; l++) {
		const uint8_t *nl = memchr(buf + i, '\n', n - i);
		if (!nl)
			return false;
		i = (size_t)(nl - buf) + 1;
	}
	if (i > n || (i == n && k))
		return false;
	*start = i;
	const uint8_t *nl = memchr(buf + i, '\n', n - i);
	*len = nl ? (size_t)(nl - buf) - i : n - i;
	return true;
}

static size_t count_lines(const uint8_t *buf, size_t n)
{
	size_t lines = 1;
	for (size_t i = 0; i < n; i++)
		lines += buf[i] == '\n';
	return lines;
}

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static bool is_word(uint8_t c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
}

static bool mutate_number(uint8_t *buf, size_t *n, size_t cap, uint64_t *s)
{
	size_t starts[256], k = 0;

	for (size_t i = 0; i < *n && k < 256; i++)
		if (is_digit(buf[i]) && (i == 0 || !is_word(buf[i - 1])))
			starts[k++] = i;
	if (!k)
		return false;
	size_t at = starts[below(s, k)], end = at;
	while (end < *n && (is_word(buf[end]) || buf[end] == 'x'))
		end++;
	char rep[32];
	if (below(s, 3) == 0 && end - at < sizeof(rep)) {
		memcpy(rep, buf + at, end - at);
		rep[end - at] = '\0';
		unsigned long long v = strtoull(rep, NULL, 0);
		snprintf(rep, sizeof(rep), "0x%llx", v ^ (1ull << below(s, 64)));
	} else {
		snprintf(rep, sizeof(rep), "%s", extremes[below(s, sizeof(extremes) / sizeof(extremes[0]))]);
	}
	return splice(buf, n, cap, at, end - at, rep, strlen(rep));
}

/* The first word of line k: [*at, *at + *len). */
static bool first_word(const uint8_t *buf, size_t n, size_t k, size_t *at, size_t *len)
{
	size_t start, l;

	if (!line_at(buf, n, k, &start, &l))
		return false;
	size_t i = start;
	while (i < start + l && (buf[i] == ' ' || buf[i] == '\t'))
		i++;
	size_t e = i;
	while (e < start + l && buf[e] != ' ' && buf[e] != '\t')
		e++;
	*at = i;
	*len = e - i;
	return e > i;
}

static bool mutate_keyword(uint8_t *buf, size_t *n, size_t cap, uint64_t *s)
{
	size_t lines = count_lines(buf, *n), a, alen, b, blen;
	char word[64];

	if (!first_word(buf, *n, below(s, lines), &a, &alen))
		return false;
	if (below(s, 2) == 0 || !first_word(buf, *n, below(s, lines), &b, &blen) || blen >= sizeof(word) ||
	    alen >= sizeof(word) || a == b) {
		const char *kw = keywords[below(s, sizeof(keywords) / sizeof(keywords[0]))];
		return splice(buf, n, cap, a, alen, kw, strlen(kw));
	}
	/* Swap the two words: the later one first, so the earlier offset stays good. */
	char wa[64], wb[64];
	memcpy(wa, buf + a, alen);
	memcpy(wb, buf + b, blen);
	if (a > b) {
		size_t t = a; a = b; b = t;
		t = alen; alen = blen; blen = t;
		memcpy(word, wa, sizeof(word));
		memcpy(wa, wb, sizeof(wa));
		memcpy(wb, word, sizeof(wb));
	}
	return splice(buf, n, cap, b, blen, wa, alen) && splice(buf, n, cap, a, alen, wb, blen);
}

static bool mutate_line(uint8_t *buf, size_t *n, size_t cap, uint64_t *s)
{
	size_t lines = count_lines(buf, *n), a, alen, b, blen;
	char tmp[512];

	if (!line_at(buf, *n, below(s, lines), &a, &alen) || alen >= sizeof(tmp))
		return false;
	memcpy(tmp, buf + a, alen);
	tmp[alen] = '\n';
	switch (below(s, 3)) {
	case 0:   /* drop it */
		return splice(buf, n, cap, a, alen < *n - a ? alen + 1 : alen, "", 0);
	case 1:   /* copy it before another line */
		if (!line_at(buf, *n, below(s, lines), &b, &blen))
			return false;
		return splice(buf, n, cap, b, 0, tmp, alen + 1);
	default:  /* move it: copy, then drop the original */
		if (!line_at(buf, *n, below(s, lines), &b, &blen) || !splice(buf, n, cap, b, 0, tmp, alen + 1))
			return false;
		if (b <= a)
			a += alen + 1;
		return splice(buf, n, cap, a, alen < *n - a ? alen + 1 : alen, "", 0);
	}
}

static const char *random_field(uint64_t *s)
{
	size_t count = 0;

	while (vmcs_field_info((int)count))
		count++;
	return count ? vmcs_field_info((int)below(s, count))->name : "GUEST_RIP";
}

static bool mutate_vmcs(uint8_t *buf, size_t *n, size_t cap, uint64_t *s)
{
	size_t lines = count_lines(buf, *n), start, len;
	char rep[160];

	/* A line that names a field: another field, or one more control bit. */
	for (int tries = 0; tries < 16; tries++) {
		if (!line_at(buf, *n, below(s, lines), &start, &len))
			continue;
		const uint8_t *p = buf + start, *end = buf + start + len;
		static const char *const named[] = {"vmcs ", "vmwrite ", "vmread "};
		const char *kw = NULL;
		for (size_t i = 0; i < 3; i++) {
			const char *k = named[i];
			const uint8_t *hit = memmem(p, len, k, strlen(k));
			if (hit) {
				kw = k;
				p = hit + strlen(k);
				break;
			}
		}
		if (!kw)
			continue;
		if (!strcmp(kw, "vmread ")) {   /* vmread [REG] FIELD: the last word */
			const uint8_t *w = end;
			while (w > p && w[-1] != ' ')
				w--;
			p = w;
		}
		const uint8_t *e = p;
		while (e < end && *e != ' ' && *e != '#')
			e++;
		if (below(s, 2) == 0) {
			const char *f = random_field(s);
			return splice(buf, n, cap, (size_t)(p - buf), (size_t)(e - p), f, strlen(f));
		}
		/* After the value: "|CONTROL" (on a word that is not a control word, a located error). */
		const uint8_t *v = e;
		while (v < end && *v == ' ')
			v++;
		while (v < end && *v != ' ' && *v != '#')
			v++;
		snprintf(rep, sizeof(rep), "|%s", controls[below(s, sizeof(controls) / sizeof(controls[0]))]);
		return splice(buf, n, cap, (size_t)(v - buf), 0, rep, strlen(rep));
	}
	/* None: a new field line somewhere. */
	if (!line_at(buf, *n, below(s, lines), &start, &len))
		return false;
	snprintf(rep, sizeof(rep), "  vmcs %s %s\n", random_field(s), extremes[below(s, sizeof(extremes) / sizeof(extremes[0]))]);
	return splice(buf, n, cap, start, 0, rep, strlen(rep));
}

size_t fuzz_mutate_scenario(uint8_t *buf, size_t n, size_t cap, unsigned seed)
{
	uint64_t s = 0x9e3779b97f4a7c15ull ^ ((uint64_t)seed << 1 | 1);
	bool ok = false;

	for (int tries = 0; tries < 4 && !ok; tries++) {
		switch (below(&s, 4)) {
		case 0: ok = mutate_number(buf, &n, cap, &s); break;
		case 1: ok = mutate_keyword(buf, &n, cap, &s); break;
		case 2: ok = mutate_line(buf, &n, cap, &s); break;
		default: ok = mutate_vmcs(buf, &n, cap, &s); break;
		}
	}
	return ok ? n : 0;
}
