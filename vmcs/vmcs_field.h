/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmcs_field.h - VMCS field encodings and the field table (SDM App. B).
 *
 * Every name, enum and dump comes from vmcs_fields.def, the whole field
 * table of the SDM; which fields a processor has comes from the NEED column
 * and vmcs_field_needs.def. The encoding layout:
 * bit 0 access type (1 = high half of a 64-bit field), bits 9:1 index,
 * bits 11:10 type (0 control, 1 VM-exit information, 2 guest state,
 * 3 host state), bits 14:13 width (0 16-bit, 1 64-bit, 2 32-bit, 3 natural).
 */
#ifndef VMXSIM_VMCS_FIELD_H
#define VMXSIM_VMCS_FIELD_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct cpu_model;   /* vmcs/cpu_model.h */

/* Intel encodings, named as Linux names them (asm/vmx.h enum vmcs_field). */
enum vmcs_field {
#define VMCS_FIELD(name, enc, width, access, need, dump, summary) name = enc,
#include "vmcs/vmcs_fields.def"
#undef VMCS_FIELD
};

/* Dense storage index of each field, in table order. */
enum vmcs_field_index {
#define VMCS_FIELD(name, enc, width, access, need, dump, summary) VMCS_IDX_##name,
#include "vmcs/vmcs_fields.def"
#undef VMCS_FIELD
	VMCS_FIELD_COUNT
};

/* What a processor needs for a field to exist: a row of vmcs_field_needs.def. */
enum vmcs_need {
#define VMCS_NEED(tag, features, modelled, summary) VMCS_NEED_##tag,
#include "vmcs/vmcs_field_needs.def"
#undef VMCS_NEED
	VMCS_NEED_COUNT
};

struct vmcs_need_info {
	const char *name;        /* "EPT_VPID", "PML" */
	uint32_t features;       /* enum vmx_feature bits, all required; 0 for BASE */
	bool modelled;           /* false: no CPU model has the fields */
	const char *summary;     /* the control that makes the fields exist */
};

enum vmcs_width {             /* values of encoding bits 14:13 */
	VMCS_WIDTH_16 = 0,
	VMCS_WIDTH_64 = 1,
	VMCS_WIDTH_32 = 2,
	VMCS_WIDTH_NAT = 3,
};

enum vmcs_field_type {        /* values of encoding bits 11:10 */
	VMCS_TYPE_CONTROL = 0,
	VMCS_TYPE_EXIT_INFO = 1,  /* read-only data fields */
	VMCS_TYPE_GUEST = 2,
	VMCS_TYPE_HOST = 3,
};

struct vmcs_field_info {
	uint32_t encoding;       /* Intel encoding (full access) */
	const char *name;        /* Linux name */
	enum vmcs_width width;   /* as the table states it */
	bool read_only;          /* as the table states it */
	enum vmcs_need need;     /* what the processor needs for the field to exist */
	bool event_path;         /* dumped even when 0 (the table's EV rows) */
	const char *summary;     /* one line for dumps */
};

#define VMCS_ENC_HIGH_ACCESS 0x1u      /* bit 0 */
#define VMCS_ENC_INDEX_MASK 0x3feu     /* 9:1 */
#define VMCS_ENC_TYPE_SHIFT 10         /* 11:10 */
#define VMCS_ENC_WIDTH_SHIFT 13        /* 14:13 */
#define VMCS_ENC_RESERVED_MASK 0xffff9000u /* 31:15 and 12 must be 0 */

static inline enum vmcs_width vmcs_encoding_width(uint32_t enc)
{
	return (enum vmcs_width)((enc >> VMCS_ENC_WIDTH_SHIFT) & 3u);
}

static inline enum vmcs_field_type vmcs_encoding_type(uint32_t enc)
{
	return (enum vmcs_field_type)((enc >> VMCS_ENC_TYPE_SHIFT) & 3u);
}

/* Table row by dense index; NULL when idx is out of range. */
const struct vmcs_field_info *vmcs_field_info(int idx);

/* Dense index of a full-access encoding; -1 if the model has no such field. */
int vmcs_field_lookup(uint32_t encoding);

/* Name of a field by encoding; NULL if unknown. */
const char *vmcs_field_name(uint32_t encoding);

/* A row of vmcs_field_needs.def; NULL when out of range. */
const struct vmcs_need_info *vmcs_need_info(enum vmcs_need need);

/*
 * Does the processor have field idx (a dense index)? False for an index out
 * of range, for a field whose feature the model does not implement, and for
 * one whose features the CPU model lacks: VMREAD and VMWRITE of it fail with
 * VMXERR_UNSUPPORTED_VMCS_COMPONENT.
 */
bool vmcs_field_supported(const struct cpu_model *m, int idx);

/*
 * Forced inlining for the few accessors whose cost is only low when they
 * are inlined into their caller. GCC and Clang honour the attribute at every
 * optimisation level; elsewhere it is a plain `static inline`.
 */
#if defined(__GNUC__)
#define VMCS_ALWAYS_INLINE static inline __attribute__((always_inline))
#else
#define VMCS_ALWAYS_INLINE static inline
#endif

/*
 * Compile-time index of a field the model itself uses. The switch is folded
 * by the compiler for constant arguments; an unknown encoding gives -1.
 * Forced inline: at -O2 GCC judges the switch too big to inline (it did so
 * at ~50 cases already), and then every vmcs_get/vmcs_set of the processor
 * model became a call and a jump-table dispatch - about a fifth of an exit
 * storm's time in the default (RelWithDebInfo) build. Inlined, it folds to a
 * constant. Growing the table from 43 rows to the SDM's ~200 kept that:
 * the objects of model/ make the same calls as before (objdump,
 * RelWithDebInfo) and differ only in the field offsets, a few of which now
 * need a 4-byte displacement (+-16 bytes of .text per object). A caller with
 * a variable argument gets the whole switch inlined; such a caller should
 * use vmcs_field_lookup() instead.
 */
VMCS_ALWAYS_INLINE int vmcs_field_index(enum vmcs_field f)
{
	switch (f) {
#define VMCS_FIELD(name, enc, width, access, need, dump, summary) case name: return VMCS_IDX_##name;
#include "vmcs/vmcs_fields.def"
#undef VMCS_FIELD
	}
	return -1;
}

#ifdef __cplusplus
}
#endif
#endif
