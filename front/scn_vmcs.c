/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scn_vmcs.c - VMCS operands of guest lines: a field by name or encoding,
 * and a value written as numbers and control-bit names joined by '|',
 * checked against the vmcs/ tables (the bit must belong to the field, the
 * value must fit its width).
 */
#include <stdio.h>
#include <string.h>

#include "front/scn_internal.h"
#include "vmcs/vmcs_field.h"
#include "vmcs/vmx_controls.h"

/* A field by name, or by encoding when unknown encodings are allowed (VMREAD of one fails). */
bool scn_parse_field(struct parser *p, bool allow_unknown, int *idx, uint32_t *enc)
{
	const struct tok *t = scn_peek(p);
	const char *what = "a VMCS field name such as GUEST_INTERRUPTIBILITY_INFO, or an encoding";
	uint64_t v = 0;

	if (t->kind == TK_NUM) {
		if (!scn_parse_uint(p, NUM_HEX, 0, UINT32_MAX, what, &v))
			return false;
		*enc = (uint32_t)v;
		*idx = vmcs_field_lookup(*enc);
		if (*idx < 0 && !allow_unknown)
			return scn_fail_col(p, t->col, "the model has no VMCS field with encoding 0x%x",
			                    (unsigned)*enc);
		return true;
	}
	if (t->kind != TK_WORD)
		return scn_expected(p, what);
	for (int i = 0; i < VMCS_FIELD_COUNT; i++) {
		const struct vmcs_field_info *f = vmcs_field_info(i);

		if (scn_tok_is(t, f->name)) {
			*idx = i;
			*enc = f->encoding;
			scn_next(p);
			return true;
		}
	}
	return scn_fail_col(p, t->col, "unknown VMCS field '%.*s': expected a name from "
	                               "vmcs/vmcs_fields.def such as PIN_BASED_VM_EXEC_CONTROL",
	                    (int)t->len, t->s);
}

static const struct vmx_control_info *find_control(const struct tok *t)
{
	for (int i = 0; i < vmx_control_count(); i++) {
		const struct vmx_control_info *c = vmx_control_info(i);
		if (scn_tok_is(t, c->name))
			return c;
	}
	return NULL;
}

bool scn_word_is_control(const struct tok *t)
{
	return find_control(t) != NULL;
}

/* NUMBER or CONTROL_BIT terms joined by '|', fitted to the field's width. */
bool scn_parse_value(struct parser *p, int idx, uint32_t enc, uint64_t *out)
{
	const struct vmcs_field_info *f = vmcs_field_info(idx);
	enum vmcs_width w = f ? f->width : vmcs_encoding_width(enc);
	const char *what = "a value: a number, or control-bit names joined by '|'";
	uint32_t first_col = scn_peek(p)->col;
	uint64_t v = 0, max;

	for (uint32_t terms = 0;; terms++) {
		const struct tok *t = scn_peek(p);
		const struct vmx_control_info *c;
		uint64_t n = 0;

		if (terms == SCN_MAX_TERMS)
			return scn_fail_col(p, t->col, "too many '|' terms (the limit is %u)",
			                    SCN_MAX_TERMS);
		if (t->kind == TK_NUM) {
			if (!scn_parse_uint(p, NUM_HEX, 0, UINT64_MAX, what, &n))
				return false;
			v |= n;
		} else if (t->kind == TK_WORD && (c = find_control(t)) != NULL) {
			const char *word = vmx_control_word_name(c->word);

			if (!f || strcmp(f->name, word))
				return scn_fail_col(p, t->col, "%s is a bit of %s, not of %s", c->name, word,
				                    f ? f->name : "this field");
			v |= 1ull << c->bit;
			scn_next(p);
		} else if (t->kind == TK_WORD) {
			return scn_fail_col(p, t->col, "unknown control bit '%.*s': expected a number or "
			                               "a name from vmcs/vmx_controls.def such as "
			                               "PIN_BASED_NMI_EXITING", (int)t->len, t->s);
		} else {
			return scn_expected(p, what);
		}
		if (scn_peek(p)->kind != TK_PIPE)
			break;
		scn_next(p);
	}
	max = w == VMCS_WIDTH_16 ? 0xffffu : w == VMCS_WIDTH_32 ? 0xffffffffu : UINT64_MAX;
	if (v > max)
		return scn_fail_col(p, first_col, "value 0x%llx does not fit the %s-bit field %s",
		                    (unsigned long long)v, w == VMCS_WIDTH_16 ? "16" : "32",
		                    f ? f->name : "with this encoding");
	*out = v;
	return true;
}
