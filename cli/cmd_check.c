/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_check.c - `vmxsim check`: a run against its golden trace, and how to
 * accept the run as the golden, in the user's own words.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/term.h"
#include "vmxsim/vmxsim.h"

enum { OPT_GOLDEN = CLI_LONG_ONLY, OPT_BLESS, OPT_REFERENCE, OPT_MAX_TRACE, OPT_PROGRESS, OPT_NO_PROGRESS };

static const struct cli_option check_options[] = {
	{OPT_GOLDEN, "golden", CLI_VALUE, "GOLDEN",
	 "compare with GOLDEN instead of the scenario's own golden (PROJECT/traces/DIR/X.trace for "
	 "PROJECT/scenarios/DIR/X.scn, else X.trace beside X.scn)",
	 NULL},
	{OPT_BLESS, "bless", CLI_NO_VALUE, NULL,
	 "write this run as the golden (its folder is created) when it differs or is missing; refused when CI is set",
	 NULL},
	{OPT_REFERENCE, "reference", CLI_NO_VALUE, NULL,
	 "run in the reference mode (cycle by cycle): the same trace, slower", NULL},
	{'U', "context", CLI_VALUE, "N", "lines of context around each difference (default 3)", NULL},
	CLI_RUN_LIMIT_OPTIONS(OPT_MAX_TRACE, OPT_PROGRESS, OPT_NO_PROGRESS),
	{0, NULL, CLI_NO_VALUE, NULL, NULL, NULL},
};

static const char *const check_usage[] = {"[OPTION]... FILE.scn", NULL};

static bool update_env(void)
{
	const char *u = getenv("VMXSIM_UPDATE_GOLDEN");
	return u && *u && strcmp(u, "0") != 0;
}

/* `word` as the shell reads it back: bare when it is plain, else in single quotes. */
static void put_word(FILE *out, const char *word)
{
	if (*word && strspn(word, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:=+,%@-") ==
	                 strlen(word)) {
		fprintf(out, " %s", word);
		return;
	}
	fputs(" '", out);
	for (; *word; word++) {
		if (*word == '\'')
			fputs("'\\''", out);
		else
			fputc(*word, out);
	}
	fputc('\'', out);
}

/*
 * `vmxsim check FILE [the options that decide the trace and the golden]`,
 * and `tail` (" --bless" or ""): the command that redoes this check.
 * --context and --color only change how a difference is shown.
 */
static void put_command(FILE *out, const char *file, const struct vmxsim_check_options *co, const char *tail)
{
	char dotted[4200];

	fputs("vmxsim check", out);
	/* A file that looks like an option is the same file as ./FILE, which does not. */
	if (file[0] == '-' && file[1] && (size_t)snprintf(dotted, sizeof(dotted), "./%s", file) < sizeof(dotted))
		file = dotted;
	put_word(out, file);
	if (co->golden) {
		fputs(" --golden", out);
		put_word(out, co->golden);
	}
	if (co->reference)
		fputs(" --reference", out);
	fputs(tail, out);
}

static int check_main(const struct cli_command *cmd, int argc, char **argv)
{
	const char *file = NULL, *v;
	struct vmxsim_check_options co = {0};
	struct vmxsim_check_result res;
	struct vmxsim_scenario *s;
	enum vmxsim_status st;
	struct cli_args a;
	int id;

	co.bless = update_env();
	co.diff.context = 3;
	co.diag = stderr;
	co.progress = isatty(STDERR_FILENO);
	cli_begin(&a, cmd, argc, argv);
	while ((id = cli_next(&a, &v)) != CLI_DONE) {
		switch (id) {
		case CLI_EXIT:
			return a.status;
		case OPT_GOLDEN:
			co.golden = v;
			break;
		case OPT_BLESS:
			co.bless = true;
			break;
		case OPT_REFERENCE:
			co.reference = true;
			break;
		case 'U':
			if (!cli_context(cmd, v, &co.diff.context))
				return CLI_USAGE;
			break;
		case OPT_MAX_TRACE:
			if (!cli_trace_limit(cmd, v, &co.max_trace_bytes))
				return CLI_USAGE;
			break;
		case OPT_PROGRESS:
		case OPT_NO_PROGRESS:
			co.progress = id == OPT_PROGRESS;
			break;
		case CLI_OPERAND:
			if (!cli_one_operand(cmd, &file, v, "scenario"))
				return CLI_USAGE;
			break;
		}
	}
	if (!cli_have_scenario(cmd, file))
		return CLI_USAGE;
	if (co.bless && !cli_output_not_input(cmd, co.golden, file))
		return VMXSIM_BAD_INPUT;
	if (co.bless && vmxsim_ci_forbids_bless()) {
		fprintf(stderr, "vmxsim: refusing to rewrite goldens when CI is set: goldens change only on purpose, "
		                "reviewed like code\n");
		return VMXSIM_BAD_INPUT;
	}
	co.diff.color = term_color(a.color, stderr);
	co.interrupt = cli_catch_interrupts();
	s = cli_load(file);
	if (!s)
		return VMXSIM_BAD_INPUT;
	st = vmxsim_check(s, &co, &res);
	vmxsim_scenario_free(s);
	if (st == VMXSIM_FAILED && res.golden == VMXSIM_GOLDEN_DIFFERS && res.golden_only_read) {
		fprintf(stderr, "%s is not a regular file: only compared, nothing kept or blessed there\n", res.golden_path);
	} else if (st == VMXSIM_FAILED && (res.golden == VMXSIM_GOLDEN_DIFFERS || res.golden == VMXSIM_GOLDEN_MISSING)) {
		if (res.actual_path[0])
			fprintf(stderr, "this run's trace: %s\n", res.actual_path);
		fputs("to accept it as the golden: ", stderr);
		put_command(stderr, file, &co, " --bless");
		fputs("   (or VMXSIM_UPDATE_GOLDEN=1 ", stderr);
		put_command(stderr, file, &co, "");
		fputs(")\n", stderr);
	}
	return (int)st;
}

const struct cli_command cmd_check = {
	.name = "check",
	.summary = "run a scenario and compare its trace with its golden trace",
	.usage = check_usage,
	.description =
	    "Runs the scenario FILE.scn ('-': standard input, with --golden) and compares\n"
	    "its text trace with its golden (docs/goldens.md). The golden is found from\n"
	    "where the scenario lies, however its path is spelt: for\n"
	    "PROJECT/scenarios/DIR/X.scn it is PROJECT/traces/DIR/X.trace. On a difference\n"
	    "a unified diff (the golden is the old side) goes to standard error, this\n"
	    "run's trace is kept as GOLDEN.actual, and the command that accepts it as the\n"
	    "golden is printed.\n",
	.options = check_options,
	.exit_status = "  0    every expectation held and the trace equals the golden (or was blessed)\n"
	               "  1    an expectation failed, or the golden differs or is missing\n"
	               "  2    bad input or usage, a bless refused under CI, a trace past --max-trace\n"
	               "  130  interrupted (Ctrl-C): nothing compared\n",
	.more = "Environment:\n"
	        "  VMXSIM_UPDATE_GOLDEN=1  rewrite the golden, as --bless does (not 0 or empty)\n"
	        "  CI                      when set (not to \"\", \"0\" or \"false\"), --bless and\n"
	        "                          VMXSIM_UPDATE_GOLDEN are refused: goldens change only\n"
	        "                          on purpose, reviewed like code\n",
	.main = check_main,
};
