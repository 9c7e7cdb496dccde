/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scenarios.h - the scenario files under a folder, for suite and list.
 */
#ifndef VMXSIM_CLI_SCENARIOS_H
#define VMXSIM_CLI_SCENARIOS_H

#include <stdbool.h>
#include <stddef.h>

struct paths {
	char **v;
	size_t n, cap;
};

/* Every *.scn under dir (8 folders deep at most), sorted; false (message on stderr) if dir cannot be read. */
bool find_scenarios(const char *cmd, const char *dir, struct paths *p);
void paths_free(struct paths *p);

#endif
