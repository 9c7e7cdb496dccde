/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_run.h - the run-path fuzzer's pieces: the target (fuzz_run.c), its
 * structure-aware mutator (fuzz_mutator.c), and the replay driver
 * (fuzz_main.c) that runs committed inputs through the same target in an
 * ordinary build, without libFuzzer.
 */
#ifndef VMXSIM_FRONT_FUZZ_RUN_H
#define VMXSIM_FRONT_FUZZ_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The cycles a fuzzed scenario may run, whatever its `run` says. */
#define FUZZ_RUN_MAX_CYCLES 100000u

/* libFuzzer's entry points (defined in fuzz_run.c). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
/* libFuzzer's own byte-level mutator; fuzz_main.c has a stand-in. */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

/*
 * One structure-aware mutation of the scenario text buf[0..n) in place
 * (capacity cap); the new length, or 0 when no mutation applied.
 */
size_t fuzz_mutate_scenario(uint8_t *buf, size_t n, size_t cap, unsigned seed);

#endif
