/* SPDX-License-Identifier: Apache-2.0 */
/*
 * interrupt.c - Ctrl-C and the other catchable ends of a long command, and
 * the size limit of a trace: what the commands that run scenarios share.
 *
 * A signal only sets a flag; the library polls it while a run goes on
 * (vmxsim_run_options.interrupt, vmxsim_explore_options.stop), stops, ends
 * the trace where the run got to and removes or commits its temporary
 * files as for any other end. The flag is the one piece of process state,
 * as a signal handler needs.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

const volatile sig_atomic_t *cli_catch_interrupts(void)
{
	static const int signals[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		sigaction(signals[i], &sa, NULL);
	return &interrupted;
}

bool cli_trace_limit(const struct cli_command *cmd, const char *value, uint64_t *bytes)
{
	char *end;
	unsigned long long n;
	unsigned shift = 0;

	if (!strcmp(value, "none")) {
		*bytes = UINT64_MAX;
		return true;
	}
	n = strtoull(value, &end, 10);
	if (end != value && value[0] != '-') {
		switch (*end) {
		case 'K': shift = 10; end++; break;
		case 'M': shift = 20; end++; break;
		case 'G': shift = 30; end++; break;
		default: break;
		}
		if (!*end && n > 0 && n <= (UINT64_MAX >> shift) - 1) {
			*bytes = (uint64_t)n << shift;
			return true;
		}
	}
	cli_usage_error(cmd, "--max-trace: '%s' is not a size (bytes, or a number with K, M or G; 'none': no limit)",
	                value);
	return false;
}
