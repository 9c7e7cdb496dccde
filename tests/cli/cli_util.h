/* SPDX-License-Identifier: Apache-2.0 */
// What the CLI suites need to run the vmxsim binary and read what it left:
// a command's result, shell quoting, a whole file as a string, searching,
// replacing and splitting text, and a fixture that gives each test a fresh working directory to run it in.
#ifndef VMXSIM_TESTS_CLI_UTIL_H
#define VMXSIM_TESTS_CLI_UTIL_H

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#ifndef VMXSIM_BIN
#error "VMXSIM_BIN (the path of the vmxsim binary) must be defined"
#endif

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

// Does `hay` contain `needle`?
inline bool Contains(const std::string &hay, const std::string &needle) { return hay.find(needle) != std::string::npos; }

// `s` with the first `from` replaced by `to`; a test failure if there is none.
inline std::string Replace(std::string s, const std::string &from, const std::string &to)
{
	size_t at = s.find(from);
	EXPECT_NE(at, std::string::npos) << from;
	if (at != std::string::npos)
		s.replace(at, from.size(), to);
	return s;
}

// The lines of `s`, each with its newline (the last one without, if `s` does not end in one).
inline std::vector<std::string> SplitLines(const std::string &s)
{
	std::vector<std::string> lines;
	size_t start = 0;
	while (start < s.size()) {
		size_t nl = s.find('\n', start);
		if (nl == std::string::npos) {
			lines.push_back(s.substr(start));
			break;
		}
		lines.push_back(s.substr(start, nl + 1 - start));
		start = nl + 1;
	}
	return lines;
}

// A result for a failure message: the status and the start of both streams.
inline std::string Describe(const Result &r)
{
	return "exit " + std::to_string(r.status) + "\n--- stdout:\n" + r.out.substr(0, 4000) + "\n--- stderr:\n" +
	       r.err.substr(0, 4000);
}

// Each test gets a fresh temporary directory `root`, with `dir` = root/work
// as the working directory of every run; kept for inspection if the test
// fails, removed otherwise.
class WorkdirTest : public ::testing::Test {
protected:
	std::filesystem::path root;
	std::filesystem::path dir;

	void SetUp() override
	{
		const char *tmp = getenv("TMPDIR");
		std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/vmxsim-cli-XXXXXX";
		std::vector<char> buf(templ.begin(), templ.end());
		buf.push_back('\0');
		ASSERT_NE(mkdtemp(buf.data()), nullptr) << "cannot create a temporary directory under " << templ;
		root = buf.data();
		dir = root / "work";
		std::filesystem::create_directory(dir);
	}
	void TearDown() override
	{
		if (HasFailure()) {
			std::printf("kept for inspection: %s\n", root.c_str());
			return;
		}
		std::error_code ec;
		std::filesystem::remove_all(root, ec);
	}

	void Write(const std::string &rel, const std::string &text)
	{
		std::filesystem::path p = dir / rel;
		std::filesystem::create_directories(p.parent_path());
		std::ofstream f(p, std::ios::binary);
		f << text;
	}
	std::string Read(const std::string &rel) { return ReadFile(dir / rel); }
	bool Exists(const std::string &rel) { return std::filesystem::exists(dir / rel); }

	// Every file under work/, relative: to see what a command left behind.
	std::set<std::string> Files()
	{
		std::set<std::string> names;
		for (const auto &e : std::filesystem::recursive_directory_iterator(dir))
			if (!e.is_directory())
				names.insert(std::filesystem::relative(e.path(), dir).string());
		return names;
	}

	// Run vmxsim with `args` (already quoted as needed) in work/, with
	// `env` as extra VAR=value words, CI and VMXSIM_UPDATE_GOLDEN unset, and
	// NO_COLOR, CLICOLOR_FORCE and COLUMNS too: what is printed is the same
	// whatever the environment of the test run.
	Result Run(const std::string &args, const std::string &env = "") { return RunFrom("/dev/null", args, env); }

	// The same with `input` on its standard input.
	Result RunStdin(const std::string &input, const std::string &args, const std::string &env = "")
	{
		const std::filesystem::path in = root / "stdin";
		{
			std::ofstream f(in, std::ios::binary);
			f << input;
		}
		Result r = RunFrom(in.string(), args, env);
		std::filesystem::remove(in);
		return r;
	}

private:
	Result RunFrom(const std::string &stdin_path, const std::string &args, const std::string &env)
	{
		const std::filesystem::path out = root / "stdout", err = root / "stderr";
		std::string cmd = "cd " + Quote(dir.string()) +
		                  " && env -u CI -u VMXSIM_UPDATE_GOLDEN -u NO_COLOR -u CLICOLOR_FORCE -u COLUMNS " + env + " " +
		                  Quote(VMXSIM_BIN) + " " + args + " <" + Quote(stdin_path) + " >" + Quote(out.string()) +
		                  " 2>" + Quote(err.string());
		int rc = std::system(cmd.c_str());
		Result r;
		r.status = rc != -1 && WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
		r.out = ReadFile(out);
		r.err = ReadFile(err);
		std::filesystem::remove(out);
		std::filesystem::remove(err);
		return r;
	}
};

}  // namespace cli_util

#endif
