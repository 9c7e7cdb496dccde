/* SPDX-License-Identifier: Apache-2.0 */
// What the public API suites share: a scratch folder per test, files in and
// out of it, and the text of a FILE* written by the library.
#ifndef VMXSIM_TESTS_API_UTIL_H
#define VMXSIM_TESTS_API_UTIL_H

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "vmxsim/vmxsim.h"

namespace api_util {

inline std::string ReadFile(const std::filesystem::path &p)
{
	std::ifstream f(p, std::ios::binary);
	std::ostringstream ss;
	ss << f.rdbuf();
	return ss.str();
}

inline void WriteFile(const std::filesystem::path &p, const std::string &text)
{
	if (!p.parent_path().empty())
		std::filesystem::create_directories(p.parent_path());
	std::ofstream(p, std::ios::binary) << text;
}

// Everything written to f so far.
inline std::string Contents(std::FILE *f)
{
	std::string s;
	char buf[4096];
	size_t n;

	std::fflush(f);
	std::rewind(f);
	while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0)
		s.append(buf, n);
	return s;
}

// A fresh folder for each test (removed when it passes) that is also the working directory.
class Scratch : public ::testing::Test {
protected:
	std::filesystem::path dir, old;

	void SetUp() override
	{
		char tmpl[] = "/tmp/vmxsim-api-XXXXXX";
		ASSERT_NE(mkdtemp(tmpl), nullptr);
		dir = std::filesystem::canonical(tmpl);
		old = std::filesystem::current_path();
		std::filesystem::current_path(dir);
	}
	void TearDown() override
	{
		std::filesystem::current_path(old);
		if (!HasFailure())
			std::filesystem::remove_all(dir);
		else
			std::printf("kept for inspection: %s\n", dir.c_str());
	}
};

// The README's first scenario: two NMIs for the guest, the second held off by virtual-NMI blocking.
inline const char kNmiWindow[] = "# nmi-window: a second NMI waits for the first handler's IRET.\n"
                                 "cpu     nehalem\n"
                                 "l0      plain\n"
                                 "\n"
                                 "guest L1\n"
                                 "  idt 2 nmi interrupt-gate\n"
                                 "main:   sti\n"
                                 "loop:   work 1000\n"
                                 "        jmp loop\n"
                                 "nmi:    work 3000\n"
                                 "        iret\n"
                                 "\n"
                                 "%s"
                                 "run 30000\n"
                                 "\n"
                                 "expect count exit NMI_WINDOW == %d\n";

// kNmiWindow with its stimulus lines and the NMI-window exits it expects.
inline std::string NmiWindow(const std::string &stimuli, int windows = 1)
{
	char buf[2048];
	std::snprintf(buf, sizeof(buf), kNmiWindow, stimuli.c_str(), windows);
	return buf;
}

inline const std::string kTwoNmis = "at 1000 nmi -> L1 cpu0\nat 3000 nmi -> L1 cpu0\n";

// Parse text; fail the test when it does not parse.
inline vmxsim_scenario *Parse(const std::string &text, const char *name = "t.scn")
{
	vmxsim_error err{};
	vmxsim_scenario *s = vmxsim_scenario_parse(text.data(), text.size(), name, &err);
	EXPECT_NE(s, nullptr) << err.text;
	return s;
}

} // namespace api_util

#endif
