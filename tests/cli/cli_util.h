// What both CLI suites need to run the vmxsim binary and read what it left:
// a command's result, shell quoting, and a whole file as a string.
#ifndef VMXSIM_TESTS_CLI_UTIL_H
#define VMXSIM_TESTS_CLI_UTIL_H

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace cli_util {

struct Result {
	int status = -1;   // exit status, or -1 if it did not exit normally
	std::string out, err;
};

// `s` as one word for /bin/sh.
inline std::string Quote(const std::string &s)
{
	std::string q = "'";
	for (char c : s)
		q += c == '\'' ? std::string("'\\''") : std::string(1, c);
	return q + "'";
}

inline std::string ReadFile(const std::filesystem::path &p)
{
	std::ifstream f(p, std::ios::binary);
	std::ostringstream ss;
	ss << f.rdbuf();
	return ss.str();
}

}  // namespace cli_util

#endif
