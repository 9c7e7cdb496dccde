/* SPDX-License-Identifier: Apache-2.0 */
/*
 * commands.h - the vmxsim commands that live in files of their own. Each
 * takes the arguments after the command word and returns the exit status.
 */
#ifndef VMXSIM_CLI_COMMANDS_H
#define VMXSIM_CLI_COMMANDS_H

int cmd_explore(int argc, char **argv);

#endif
