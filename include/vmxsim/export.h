/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmxsim/export.h - what the library exports.
 *
 * The library is built with -fvisibility=hidden: only declarations marked
 * VMXSIM_API are visible to a program that links it, so the model's own
 * names (machine_run, vmx_inject_nmi, lapic_accept, ...) cannot clash with
 * a host such as QEMU or a virtual platform. The static libvmxsim.a is
 * made the same way: its hidden symbols are turned local before archiving.
 */
#ifndef VMXSIM_EXPORT_H
#define VMXSIM_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define VMXSIM_API __attribute__((visibility("default")))
#else
#define VMXSIM_API
#endif

#endif
