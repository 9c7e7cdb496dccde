/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tracedat.h - what the trace-cmd data file writers of both versions share
 * (sink_tracedat.c holds it and version 6, sink_tracedat7.c version 7):
 * the per-CPU ring-buffer pages the events go to during the run, and the
 * blocks of metadata whose bytes are the same in both versions (the file's
 * first bytes, header_page/header_event, the event systems' format files,
 * the saved cmdlines). Only the way the blocks are laid out in the file
 * differs: v6 puts them one after another, v7 in sections an options
 * section points to (trace-cmd.dat.v6(5), trace-cmd.dat.v7(5)).
 */
#ifndef VMXSIM_MODEL_TRACE_TRACEDAT_H
#define VMXSIM_MODEL_TRACE_TRACEDAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/trace/kvm_tp.h"
#include "model/trace/trace.h"

#define TRACEDAT_PAGE_SIZE 4096u

/* Bytes built in memory; oom is set (and sticks) when growing fails. */
struct tracedat_buf {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

struct tracedat_cpu {
	struct tracedat_buf pages; /* whole ring-buffer pages */
	size_t page;               /* offset of the page being filled */
	uint64_t last_ts;          /* time stamp of the last event written */
	bool open;                 /* a page is being filled */
};

struct tracedat_sink {
	struct trace_sink base;
	FILE *out;
	uint64_t tsc_hz;
	uint32_t ncpus;
	struct tracedat_cpu *cpu;
	struct kvm_tp_state st;
	uint64_t written;          /* bytes of the file so far: the offsets need no seekable stream */
};

/* A writer whose events go to pages; `finish` lays out the file at the end of the run. */
struct trace_sink *tracedat_sink_new(FILE *out, const struct trace_sink_context *ctx,
                                     void (*finish)(struct trace_sink *));

void tracedat_add(struct tracedat_buf *b, const void *p, size_t n);
void tracedat_add_u(struct tracedat_buf *b, uint64_t v, unsigned size);   /* little endian */

/* Magic, "6" or "7", little endian, 8-byte longs, the page size. */
void tracedat_add_magic(struct tracedat_buf *b, char version);
/* "header_page", its size and text, "header_event", its size and text. */
void tracedat_add_header_info(struct tracedat_buf *b);
/* The count of event systems and each with its format files (`kvm`, `vmxsim`). */
void tracedat_add_event_systems(struct tracedat_sink *s, struct tracedat_buf *b);
/* The saved cmdlines after their 8-byte size: "PID vmxsim" per vCPU (PID 1000 + vCPU). */
void tracedat_add_cmdlines(struct tracedat_sink *s, struct tracedat_buf *b);

/*
 * The file: head (all before the CPU data, freed here), zeros to a page
 * boundary, the pages of all CPUs, CPU 0 first. Nothing is written when
 * head or the pages ran out of memory; the run's trace then fails.
 */
void tracedat_write_file(struct tracedat_sink *s, struct tracedat_buf *head);

#endif
