/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parse_formats.c - every format file the trace-dat writer writes, in both
 * eras, parsed by libtraceevent (tep_parse_event): the fields and the print
 * fmt must parse (no TEP_EVENT_FL_FAILED, which trace-cmd report shows as
 * "[FAILED TO PARSE]"), and the event must have the fields the writer fills.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>

#include "model/trace/kvm_tp.h"

int main(void)
{
	static const enum kvm_tp_era eras[] = {KVM_TP_ERA_OLD, KVM_TP_ERA_CURRENT};
	int errors = 0, parsed = 0;

	for (size_t e = 0; e < sizeof(eras) / sizeof(eras[0]); e++) {
		struct tep_handle *tep = tep_alloc();
		if (!tep)
			return 1;
		tep_set_long_size(tep, 8);
		for (int tp = 0; tp < KVM_TP_COUNT; tp++) {
			char *fmt = kvm_tp_format_file((enum kvm_tp)tp, eras[e], (uint16_t)(tp + 1));
			struct tep_event *ev;
			enum tep_errno err;

			if (!fmt)
				return 1;
			err = tep_parse_event(tep, fmt, strlen(fmt), kvm_tp_system((enum kvm_tp)tp));
			ev = tep_find_event(tep, tp + 1);
			if (err || !ev || ((unsigned)ev->flags & (unsigned)TEP_EVENT_FL_FAILED) ||
			    strcmp(ev->name, kvm_tp_name((enum kvm_tp)tp))) {
				fprintf(stderr, "%s (era %d) does not parse (%d):\n%s\n", kvm_tp_name((enum kvm_tp)tp),
				        (int)eras[e], (int)err, fmt);
				errors++;
			} else {
				parsed++;
			}
			free(fmt);
		}
		tep_free(tep);
	}
	printf("%d format files parsed, %d failed\n", parsed, errors);
	return errors ? 1 : 0;
}
