/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libvmxsim.c - the one source file of the shared library target;
 * everything else comes whole from the layers' archives. It checks, at
 * build time, that the public header compiles on its own.
 */
#include "vmxsim/vmxsim.h"
