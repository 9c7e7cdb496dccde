/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cpu_models.h - the named CPU models in the unit suites: one by name,
 * all of them, and a capability-MSR value from its two halves.
 */
#ifndef VMXSIM_TEST_CPU_MODELS_H
#define VMXSIM_TEST_CPU_MODELS_H

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "vmcs/cpu_model.h"

/* A capability MSR: allowed-1 settings in bits 63:32, allowed-0 in 31:0. */
inline uint64_t Msr(uint32_t allowed0, uint32_t allowed1)
{
	return (static_cast<uint64_t>(allowed1) << 32) | allowed0;
}

/* A named model with its capabilities derived (a test failure if there is none). */
inline cpu_model Model(const char *name)
{
	cpu_model m{};
	EXPECT_TRUE(cpu_model_lookup(name, &m)) << name;
	return m;
}

/* Every named model, in the order of vmcs/cpu_models.def. */
inline std::vector<cpu_model> AllModels()
{
	std::vector<cpu_model> v(static_cast<size_t>(cpu_model_count()));
	for (int i = 0; i < cpu_model_count(); i++)
		cpu_model_at(i, &v[static_cast<size_t>(i)]);
	return v;
}

#endif
