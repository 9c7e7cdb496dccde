/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scn_replay.h - the parts of the scn_replay tool in other files.
 */
#ifndef VMXSIM_FRONT_SCN_REPLAY_H
#define VMXSIM_FRONT_SCN_REPLAY_H

/* Parse FILE and print its description; 0, or 2 when it does not parse. */
int scn_replay_dump(const char *path);

#endif
