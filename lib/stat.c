/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stat.c - the table of `perf kvm stat report`: VM exits per reason and
 * the time each took to handle.
 *
 * perf pairs each kvm_exit with the next kvm_entry of the same thread and
 * counts a sample only then: an exit that no entry follows (the vCPU
 * stopped, the recording ended) is not in the table. The time of a sample
 * is the difference of the two timestamps in nanoseconds; per row it keeps
 * the count, the sum, min and max, and Welford's running mean and squared
 * deviations, from which the `( +- x.xx% )` column is the standard error of
 * the mean relative to the mean. The table is printed with perf's widths
 * and blank lines, so a script written for perf reads it.
 *
 * The same table takes vmxsim's own runs (stat_run.c) and recorded traces
 * (the CLI's trace.dat reader), through vmxsim_stat_table_exit/_entry.
 */
#include "vmxsim/stat.h"
#include "lib/api.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "vmcs/vmx_exit_reason.h"

#define STAT_NAME_COLUMN 20   /* perf's DECODE_STR_LEN: names are right-aligned in 20 columns */
#define STAT_NAME_MAX 48

/* One exit reason's samples (perf's struct kvm_event_stats and struct stats). */
struct stat_row {
	char name[STAT_NAME_MAX];
	uint32_t exit_reason;
	uint64_t n;
	uint64_t time;                 /* sum of the samples, ns */
	uint64_t min, max;             /* ns */
	double mean, m2;               /* Welford, over ns */
	uint64_t cycles, min_cycles, max_cycles;
};

struct stat_thread {
	uint64_t id;
	uint32_t vcpu;
	bool open;                     /* an exit waits for its entry */
	uint32_t row;                  /* of that exit */
	uint64_t ns, cycle;            /* of that exit */
};

struct vmxsim_stat_table {
	struct vmxsim_stat_options o;
	struct stat_row *rows;
	uint32_t nrows, rows_cap;
	struct stat_thread *threads;
	uint32_t nthreads, threads_cap;
	bool oom;                      /* out of memory: the figures are incomplete */
};

VMXSIM_API void vmxsim_stat_options_init(struct vmxsim_stat_options *o)
{
	memset(o, 0, sizeof(*o));
	o->vcpu = -1;
	o->key = VMXSIM_STAT_KEY_SAMPLE;
}

VMXSIM_API struct vmxsim_stat_table *vmxsim_stat_table_new(const struct vmxsim_stat_options *o)
{
	struct vmxsim_stat_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (o)
		t->o = *o;
	else
		vmxsim_stat_options_init(&t->o);
	return t;
}

VMXSIM_API void vmxsim_stat_table_free(struct vmxsim_stat_table *t)
{
	if (!t)
		return;
	free(t->rows);
	free(t->threads);
	free(t);
}

/* A thread by id; NULL when it is unknown (and `add` is false) or memory ran out. */
static struct stat_thread *thread_of(struct vmxsim_stat_table *t, uint64_t id, bool add)
{
	for (uint32_t i = 0; i < t->nthreads; i++)
		if (t->threads[i].id == id)
			return &t->threads[i];
	if (!add)
		return NULL;
	if (t->nthreads == t->threads_cap) {
		uint32_t cap = t->threads_cap ? t->threads_cap * 2 : 8;
		struct stat_thread *v = realloc(t->threads, cap * sizeof(*v));
		if (!v) {
			t->oom = true;
			return NULL;
		}
		t->threads = v;
		t->threads_cap = cap;
	}
	memset(&t->threads[t->nthreads], 0, sizeof(t->threads[0]));
	t->threads[t->nthreads].id = id;
	return &t->threads[t->nthreads++];
}

/*
 * A row's name: the reason as KVM's kvm_exit prints it. A VM-entry failure
 * (bit 31) is one word, "<reason>+FAILED_VMENTRY", where the kernel's
 * trace prints a space and perf, finding no such code in its table, prints
 * UNKNOWN: a name without a space keeps the columns apart for scripts.
 */
static void reason_name(uint32_t exit_reason, char *buf, size_t n)
{
	uint32_t basic = exit_reason & 0xffffu;
	const char *name = vmx_exit_reason_name(basic);

	if (name)
		snprintf(buf, n, "%s%s", name, (exit_reason >> 31) ? "+FAILED_VMENTRY" : "");
	else
		snprintf(buf, n, "0x%x%s", basic, (exit_reason >> 31) ? "+FAILED_VMENTRY" : "");
}

static bool row_of(struct vmxsim_stat_table *t, uint32_t exit_reason, uint32_t *row)
{
	for (uint32_t i = 0; i < t->nrows; i++)
		if (t->rows[i].exit_reason == exit_reason) {
			*row = i;
			return true;
		}
	if (t->nrows == t->rows_cap) {
		uint32_t cap = t->rows_cap ? t->rows_cap * 2 : 16;
		struct stat_row *v = realloc(t->rows, cap * sizeof(*v));
		if (!v) {
			t->oom = true;
			return false;
		}
		t->rows = v;
		t->rows_cap = cap;
	}
	memset(&t->rows[t->nrows], 0, sizeof(t->rows[0]));
	t->rows[t->nrows].exit_reason = exit_reason;
	t->rows[t->nrows].min = UINT64_MAX;
	t->rows[t->nrows].min_cycles = UINT64_MAX;
	reason_name(exit_reason, t->rows[t->nrows].name, sizeof(t->rows[0].name));
	*row = t->nrows++;
	return true;
}

VMXSIM_API bool vmxsim_stat_table_exit(struct vmxsim_stat_table *t, uint64_t thread, uint32_t exit_reason,
                                       uint64_t ns, uint64_t cycle)
{
	struct stat_thread *th = thread_of(t, thread, false);
	uint32_t row;

	/* perf: a thread is known from its first kvm_entry on; only the chosen vCPU counts. */
	if (!th || (t->o.vcpu >= 0 && th->vcpu != (uint32_t)t->o.vcpu))
		return true;
	if (!row_of(t, exit_reason, &row))
		return false;
	th->open = true;
	th->row = row;
	th->ns = ns;
	th->cycle = cycle;
	return true;
}

VMXSIM_API bool vmxsim_stat_table_entry(struct vmxsim_stat_table *t, uint64_t thread, uint32_t vcpu, uint64_t ns,
                                        uint64_t cycle)
{
	struct stat_thread *th = thread_of(t, thread, true);
	struct stat_row *r;
	uint64_t d, dc;
	double delta;

	if (!th)
		return false;
	if (!th->open) {
		th->vcpu = vcpu;
		return true;
	}
	th->open = false;
	th->vcpu = vcpu;
	/* perf skips a sample whose end is before its beginning. */
	if (ns < th->ns)
		return true;
	r = &t->rows[th->row];
	d = ns - th->ns;
	dc = cycle >= th->cycle ? cycle - th->cycle : 0;
	r->n++;
	r->time += d;
	delta = (double)d - r->mean;
	r->mean += delta / (double)r->n;
	r->m2 += delta * ((double)d - r->mean);
	r->min = d < r->min ? d : r->min;
	r->max = d > r->max ? d : r->max;
	r->cycles += dc;
	r->min_cycles = dc < r->min_cycles ? dc : r->min_cycles;
	r->max_cycles = dc > r->max_cycles ? dc : r->max_cycles;
	return true;
}

/*
 * The square root by Newton's method from above, which decreases until it
 * settles: the library needs no libm for one column.
 */
static double root(double x)
{
	double r, next;

	if (!(x > 0.0))
		return 0.0;
	r = x > 1.0 ? x : 1.0;
	for (int i = 0; i < 4096; i++) {
		next = 0.5 * (r + x / r);
		if (next >= r)
			break;
		r = next;
	}
	return r;
}

/* perf's rel_stddev_stats(stddev_stats()): the standard error of the mean, in percent of the mean. */
static double rel_stddev(const struct stat_row *r)
{
	double variance, stddev;

	if (r->n < 2 || r->mean == 0.0)
		return 0.0;
	variance = r->m2 / (double)(r->n - 1);
	stddev = root(variance / (double)r->n);
	return 100.0 * stddev / r->mean;
}

/* Largest first by the key; equal ones by name, so the order never depends on arrival. */
static int by_count(const void *a, const void *b)
{
	const struct stat_row *x = *(const struct stat_row *const *)a, *y = *(const struct stat_row *const *)b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int by_mean(const void *a, const void *b)
{
	const struct stat_row *x = *(const struct stat_row *const *)a, *y = *(const struct stat_row *const *)b;
	double mx = (double)x->time / (double)x->n, my = (double)y->time / (double)y->n;
	if (mx != my)
		return mx > my ? -1 : 1;
	return strcmp(x->name, y->name);
}

static double share(uint64_t part, uint64_t whole)
{
	return whole ? (double)part / (double)whole * 100.0 : 0.0;
}

VMXSIM_API void vmxsim_stat_table_print(const struct vmxsim_stat_table *t, FILE *out, FILE *diag)
{
	(void)api_stat_table_print(t, out, diag);
}

bool api_stat_table_print(const struct vmxsim_stat_table *t, FILE *out, FILE *diag)
{
	const struct stat_row **rows = NULL;
	uint32_t n = 0, open = 0;
	uint64_t total_count = 0, total_time = 0;

	if (!diag)
		diag = stderr;
	if (t->nrows) {
		rows = malloc(t->nrows * sizeof(*rows));
		if (!rows) {
			fprintf(diag, "vmxsim stat: out of memory\n");
			return false;
		}
	}
	for (uint32_t i = 0; i < t->nrows; i++)
		if (t->rows[i].n) {
			rows[n++] = &t->rows[i];
			total_count += t->rows[i].n;
			total_time += t->rows[i].time;
		}
	if (n)
		qsort(rows, n, sizeof(*rows), t->o.key == VMXSIM_STAT_KEY_TIME ? by_mean : by_count);
	for (uint32_t i = 0; i < t->nthreads; i++)
		if (t->threads[i].open && (t->o.vcpu < 0 || t->threads[i].vcpu == (uint32_t)t->o.vcpu))
			open++;
	if (open)
		fprintf(diag, "vmxsim stat: %" PRIu32 " VM exit%s had no VM entry after %s (the vCPU stopped or the run "
		              "ended): not counted, as perf does not\n",
		        open, open == 1 ? "" : "s", open == 1 ? "it" : "them");
	if (t->oom)
		fprintf(diag, "vmxsim stat: out of memory: some exits are missing from the table\n");

	fprintf(out, "\n\nAnalyze events for all VMs, ");
	if (t->o.vcpu < 0)
		fprintf(out, "all VCPUs:\n\n");
	else
		fprintf(out, "VCPU %" PRId32 ":\n\n", t->o.vcpu);
	fprintf(out, "%*s %10s %9s %9s %11s %11s %16s ", STAT_NAME_COLUMN, "VM-EXIT", "Samples", "Samples%", "Time%",
	        "Min Time", "Max Time", "Avg time");
	/* A row's `( +- x.xx% )` ends 9 columns past perf's header; the cycle columns are right-aligned after it. */
	if (t->o.cycles)
		fprintf(out, "%10s%11s %11s %11s", "", "Min cycles", "Max cycles", "Avg cycles");
	fprintf(out, "\n\n");
	for (uint32_t i = 0; i < n; i++) {
		const struct stat_row *r = rows[i];
		fprintf(out, "%*s %10" PRIu64 " %8.2f%% %8.2f%% %9.2fus %9.2fus %9.2fus ( +-%7.2f%% )", STAT_NAME_COLUMN,
		        r->name, r->n, share(r->n, total_count), share(r->time, total_time), (double)r->min / 1000.0,
		        (double)r->max / 1000.0, (double)r->time / (double)r->n / 1000.0, rel_stddev(r));
		if (t->o.cycles)
			fprintf(out, " %11" PRIu64 " %11" PRIu64 " %11" PRIu64, r->min_cycles, r->max_cycles,
			        (r->cycles + r->n / 2) / r->n);
		fprintf(out, "\n");
	}
	fprintf(out, "\nTotal Samples:%" PRIu64 ", Total events handled time:%.2fus.\n\n", total_count,
	        (double)total_time / 1000.0);
	free(rows);
	return !t->oom;
}
