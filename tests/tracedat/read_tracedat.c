/* SPDX-License-Identifier: Apache-2.0 */
/*
 * read_tracedat.c - reads a trace.dat that `vmxsim run --format trace-dat`
 * wrote through libtracecmd's input API (tracecmd_open, the records of
 * every CPU merged by time) and checks what a reader relies on: the event
 * systems are kvm and vmxsim, each record's pid is its vCPU's (1000 + CPU),
 * time never goes backwards, a KVM event's vcpu_id is its CPU and kvm_exit's
 * isa is VMX. It prints "cpus=N" and then one line per record,
 *
 *   [000] 0.000000417: kvm_exit: rip 0x13e8
 *
 * (the RIP for kvm_entry and kvm_exit only), which the ctest compares with
 * the same columns of `--format ftrace-ns` (tests/tracedat.cmake).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <trace-cmd.h>

struct state {
	unsigned long long last_ts;
	unsigned long records;
	int errors;
};

static int fail(struct state *st, const char *what, const char *name, int cpu)
{
	fprintf(stderr, "record %lu (%s, cpu %d): %s\n", st->records, name, cpu, what);
	st->errors++;
	return 0;
}

static int field(struct tep_event *ev, struct tep_record *rec, const char *name, unsigned long long *v)
{
	struct tep_format_field *f = tep_find_field(ev, name);

	return f && tep_read_number_field(f, rec->data, v) == 0;
}

static int one(struct tracecmd_input *h, struct tep_record *rec, int cpu, void *data)
{
	struct state *st = data;
	struct tep_handle *tep = tracecmd_get_tep(h);
	struct tep_event *ev = tep_find_event_by_record(tep, rec);
	unsigned long long v;
	const char *name;

	st->records++;
	if (!ev)
		return fail(st, "no event for its type", "?", cpu);
	name = ev->name;
	if (strcmp(ev->system, "kvm") && strcmp(ev->system, "vmxsim"))
		fail(st, "system is neither kvm nor vmxsim", name, cpu);
	if (cpu != rec->cpu)
		fail(st, "record's cpu differs from the buffer's", name, cpu);
	if (tep_data_pid(tep, rec) != 1000 + cpu)
		fail(st, "pid is not 1000 + cpu", name, cpu);
	if (rec->ts < st->last_ts)
		fail(st, "time went backwards", name, cpu);
	st->last_ts = rec->ts;
	if (!strcmp(ev->system, "kvm") && field(ev, rec, "vcpu_id", &v) && v != (unsigned long long)cpu)
		fail(st, "vcpu_id is not the cpu", name, cpu);
	if (!strcmp(name, "kvm_exit") && (!field(ev, rec, "isa", &v) || v != 1))
		fail(st, "kvm_exit's isa is not VMX (1)", name, cpu);
	printf("[%03d] %llu.%09llu: %s:", cpu, rec->ts / 1000000000ull, rec->ts % 1000000000ull, name);
	if ((!strcmp(name, "kvm_exit") && field(ev, rec, "guest_rip", &v)) ||
	    (!strcmp(name, "kvm_entry") && field(ev, rec, "rip", &v)))
		printf(" rip 0x%llx", v);
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct state st = {0, 0, 0};
	struct tracecmd_input *h;

	if (argc != 2) {
		fprintf(stderr, "usage: read_tracedat FILE.dat\n");
		return 2;
	}
	h = tracecmd_open(argv[1], 0);
	if (!h) {
		fprintf(stderr, "%s: tracecmd_open failed\n", argv[1]);
		return 1;
	}
	printf("cpus=%d\n", tep_get_cpus(tracecmd_get_tep(h)));
	if (tracecmd_iterate_events(h, NULL, 0, one, &st) < 0) {
		fprintf(stderr, "%s: tracecmd_iterate_events failed\n", argv[1]);
		st.errors++;
	}
	tracecmd_close(h);
	if (!st.records) {
		fprintf(stderr, "%s: no records\n", argv[1]);
		return 1;
	}
	return st.errors ? 1 : 0;
}
