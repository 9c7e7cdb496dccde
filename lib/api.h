/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api.h - what the public API's implementation files share: the public
 * scenario is the front-end's scenario behind an opaque name, and the
 * public formats are the trace bus's formats.
 */
#ifndef VMXSIM_LIB_API_H
#define VMXSIM_LIB_API_H

#include "front/scenario.h"
#include "model/trace/trace.h"
#include "vmxsim/vmxsim.h"

struct vmxsim_scenario {
	struct scn_scenario *scn;
};

static inline const struct scn_scenario *api_scn(const struct vmxsim_scenario *s)
{
	return s->scn;
}

/* The stream for messages: the caller's, or stderr. */
static inline FILE *api_diag(FILE *diag)
{
	return diag ? diag : stderr;
}

/* The run behind a session, for the library's jobs that put their own sink on its bus (stat). */
struct run_handle *api_session_handle(struct vmxsim_session *ss);

/* vmxsim_stat_table_print(), false when out of memory left the table incomplete or unprinted (said on diag). */
struct vmxsim_stat_table;
bool api_stat_table_print(const struct vmxsim_stat_table *t, FILE *out, FILE *diag);

#endif
