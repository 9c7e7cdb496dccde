/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stat_tracedat.c - `vmxsim stat TRACE.dat`: the kvm:kvm_exit and
 * kvm:kvm_entry records of a trace-cmd recording, in time order across
 * CPUs (libtracecmd's tracecmd_iterate_events), fed to the stat table as
 * perf feeds its own: per thread (the record's pid, a vCPU thread on a
 * real host), the vCPU named by kvm_entry's vcpu_id, the full exit reason
 * from kvm_exit's exit_reason, times in the recording's nanoseconds.
 *
 * Only Intel's reasons have names here: a recording whose kvm_exit says
 * isa 2 (SVM) is refused rather than misnamed. libtracecmd is optional at
 * build time; without it, a trace.dat is refused with what to install.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli/stat_tracedat.h"

#include <signal.h>
#include <string.h>

#include "vmxsim/vmxsim.h"

/* The first bytes of every trace-cmd data file (trace-cmd.dat(5)). */
static const char tracedat_magic[10] = {0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g'};

bool stat_is_tracedat(const char *path)
{
	char head[sizeof(tracedat_magic)];
	FILE *f = fopen(path, "rb");
	bool yes;

	if (!f)
		return false;   /* the scenario loader says why it cannot be read */
	yes = fread(head, 1, sizeof(head), f) == sizeof(head) && !memcmp(head, tracedat_magic, sizeof(head));
	fclose(f);
	return yes;
}

#ifdef VMXSIM_HAVE_LIBTRACECMD

#include <trace-cmd.h>

struct reader {
	const char *path;
	FILE *diag;
	struct vmxsim_stat_table *t;
	const struct vmxsim_stat_options *o;
	struct tep_event *exit_ev, *entry_ev;
	struct tep_format_field *exit_reason, *exit_isa, *entry_vcpu;
	unsigned long long exits, entries;
	bool failed, stopped;
};

static bool number(struct tep_format_field *f, struct tep_record *rec, unsigned long long *v)
{
	return f && tep_read_number_field(f, rec->data, v) == 0;
}

static int one_record(struct tracecmd_input *h, struct tep_record *rec, int cpu, void *data)
{
	struct reader *r = data;
	struct tep_handle *tep = tracecmd_get_tep(h);
	int type = tep_data_type(tep, rec);
	unsigned long long v, isa;
	uint64_t thread;

	(void)cpu;
	if (r->o->interrupt && *r->o->interrupt) {
		r->stopped = true;
		return 1;
	}
	if ((!r->exit_ev || type != r->exit_ev->id) && (!r->entry_ev || type != r->entry_ev->id))
		return 0;
	thread = (uint64_t)(uint32_t)tep_data_pid(tep, rec);
	if (r->entry_ev && type == r->entry_ev->id) {
		if (!number(r->entry_vcpu, rec, &v)) {
			fprintf(r->diag, "%s: a kvm_entry record without a readable vcpu_id\n", r->path);
			r->failed = true;
			return 1;
		}
		r->entries++;
		if (!vmxsim_stat_table_entry(r->t, thread, (uint32_t)v, rec->ts, 0))
			goto oom;
		return 0;
	}
	if (!number(r->exit_reason, rec, &v)) {
		fprintf(r->diag, "%s: a kvm_exit record without a readable exit_reason\n", r->path);
		r->failed = true;
		return 1;
	}
	if (r->exit_isa && number(r->exit_isa, rec, &isa) && isa != 1) {
		fprintf(r->diag, "%s: kvm_exit with isa %llu (not VMX): not modelled: vmxsim names Intel VMX exit reasons "
		                 "only\n", r->path, isa);
		r->failed = true;
		return 1;
	}
	r->exits++;
	if (!vmxsim_stat_table_exit(r->t, thread, (uint32_t)v, rec->ts, 0))
		goto oom;
	return 0;
oom:
	fprintf(r->diag, "%s: out of memory\n", r->path);
	r->failed = true;
	return 1;
}

int stat_tracedat(const char *path, const struct vmxsim_stat_options *o, FILE *out, FILE *diag)
{
	struct tracecmd_input *h;
	struct tep_handle *tep;
	struct reader r;

	memset(&r, 0, sizeof(r));
	r.path = path;
	r.diag = diag;
	r.o = o;
	tracecmd_set_loglevel(TEP_LOG_NONE);
	h = tracecmd_open(path, 0);
	if (!h) {
		fprintf(diag, "%s: libtracecmd cannot read this trace.dat\n", path);
		return 2;
	}
	tep = tracecmd_get_tep(h);
	r.exit_ev = tep_find_event_by_name(tep, "kvm", "kvm_exit");
	r.entry_ev = tep_find_event_by_name(tep, "kvm", "kvm_entry");
	if (r.exit_ev) {
		r.exit_reason = tep_find_field(r.exit_ev, "exit_reason");
		r.exit_isa = tep_find_field(r.exit_ev, "isa");
	}
	if (r.entry_ev)
		r.entry_vcpu = tep_find_field(r.entry_ev, "vcpu_id");
	if (!r.exit_ev || !r.entry_ev || !r.exit_reason || !r.entry_vcpu) {
		fprintf(diag, "%s: no kvm:kvm_exit (with exit_reason) and kvm:kvm_entry (with vcpu_id) events in this "
		              "recording (trace-cmd record -e kvm:kvm_exit -e kvm:kvm_entry)\n", path);
		tracecmd_close(h);
		return 2;
	}
	r.t = vmxsim_stat_table_new(o);
	if (!r.t) {
		fprintf(diag, "%s: out of memory\n", path);
		tracecmd_close(h);
		return 2;
	}
	if (tracecmd_iterate_events(h, NULL, 0, one_record, &r) < 0 && !r.failed && !r.stopped) {
		fprintf(diag, "%s: libtracecmd could not read every record\n", path);
		r.failed = true;
	}
	tracecmd_close(h);
	if (!r.failed) {
		if (r.stopped)
			fprintf(diag, "%s: interrupted after %llu kvm_exit records: the table of what was read\n", path,
			        r.exits);
		vmxsim_stat_table_print(r.t, out, diag);
	}
	vmxsim_stat_table_free(r.t);
	return r.failed ? 2 : r.stopped ? 130 : 0;
}

#else

int stat_tracedat(const char *path, const struct vmxsim_stat_options *o, FILE *out, FILE *diag)
{
	(void)o;
	(void)out;
	fprintf(diag, "%s: a trace.dat, and this vmxsim was built without libtracecmd, which reads it (Debian: "
	              "apt-get install libtracecmd-dev, then build again)\n", path);
	return 2;
}

#endif
