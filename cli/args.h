/* SPDX-License-Identifier: Apache-2.0 */
/*
 * args.h - the one argument parser of every vmxsim command, over
 * getopt_long, and the help text made from the same table.
 *
 * A command is a table: its name, a one-line summary, usage lines, a
 * description, its options, its exit statuses. The parser and `--help`
 * both read that table, so an option cannot be parsed without being
 * documented, nor documented without being parsed. Every command also
 * takes --color=WHEN, -h/--help and --version.
 *
 * Parsing follows GNU and git: `--opt=value` and `--opt value`, unambiguous
 * prefixes of long options, options and operands in any order, `--` ends the
 * options, `-` is an operand. A mistake prints
 *
 *   vmxsim run: unknown option '--frmat'; did you mean '--format'?
 *   Try 'vmxsim run --help' for more information.
 *
 * on stderr and gives exit status 2.
 */
#ifndef VMXSIM_CLI_ARGS_H
#define VMXSIM_CLI_ARGS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_USAGE 2              /* the exit status of a usage error (VMXSIM_BAD_INPUT) */

enum cli_arg {
	CLI_NO_VALUE,
	CLI_VALUE,                   /* --opt=V or --opt V (-o V, -oV) */
	CLI_OPTIONAL_VALUE,          /* --opt, --opt=V, or --opt V when V is one of `words` */
};

struct cli_option {
	int id;                      /* what cli_next returns: the short letter, or CLI_LONG_ONLY + n */
	const char *name;            /* the long name without "--" */
	enum cli_arg arg;
	const char *value;           /* the value's name in the help ("FILE"); NULL without a value */
	const char *help;            /* what it does; wrapped by the help printer */
	const char *const *words;    /* CLI_OPTIONAL_VALUE: the values it may take from the next argument */
};

#define CLI_LONG_ONLY 256        /* ids from here on have no short letter */

struct cli_command;
struct cli_args;

/* A command's body: argv[0] is the command's name, argv[1..] its arguments. */
typedef int cli_main_fn(const struct cli_command *cmd, int argc, char **argv);

struct cli_command {
	const char *name;            /* "run" */
	const char *summary;         /* one line, lower case, no full stop: the NAME of its manual page */
	const char *const *usage;    /* usage lines after "vmxsim NAME ", NULL-terminated */
	const char *description;     /* paragraphs, each line ending in \n, already wrapped */
	const struct cli_option *options;  /* ends with an entry whose id is 0 */
	const char *exit_status;     /* lines "  0    what", \n-terminated */
	const char *more;            /* NULL, or sections after Exit status ("Environment:\n..."), \n-terminated */
	cli_main_fn *main;
};

enum cli_color {
	CLI_COLOR_AUTO,              /* on a terminal, unless NO_COLOR or TERM=dumb */
	CLI_COLOR_ALWAYS,
	CLI_COLOR_NEVER,
};

/* What the parse of one command line has reached; on the caller's stack. */
struct cli_args {
	const struct cli_command *cmd;
	int argc;
	char **argv;
	bool rest;                   /* past `--`: only operands are left */
	enum cli_color color;
	int status;                  /* CLI_EXIT: the status to exit with */
	char shortopts[64];          /* room for a command's options and the common ones, to spare */
	struct option longopts[40];
};

#define CLI_OPERAND 1            /* an operand: *value is it */
#define CLI_DONE (-1)            /* nothing left */
#define CLI_EXIT (-2)            /* --help, --version or a mistake was handled: return a->status */

void cli_begin(struct cli_args *a, const struct cli_command *cmd, int argc, char **argv);

/*
 * The next option (its id; *value its value or NULL) or operand
 * (CLI_OPERAND; *value the operand), CLI_DONE at the end, or CLI_EXIT when
 * the command must stop with a->status: --help and --version were printed
 * (0), or a usage error was reported (2). --color is taken here.
 */
int cli_next(struct cli_args *a, const char **value);

/* Report a usage error of the command (NULL: of vmxsim itself) and the Try line; returns CLI_USAGE. */
int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * The one operand of a command that takes one: stored in *slot; false
 * (usage error reported: "extra operand 'V' (one WHAT at a time)") when
 * *slot already holds one.
 */
bool cli_one_operand(const struct cli_command *cmd, const char **slot, const char *v, const char *what);

/* A scenario operand was given; false (usage error reported) otherwise. */
bool cli_have_scenario(const struct cli_command *cmd, const char *file);

/* The value of -U/--context (lines of context in a diff) into *out; false (usage error reported) if it is no count. */
bool cli_context(const struct cli_command *cmd, const char *value, unsigned *out);

/* A whole number in [min, max] for option `opt`; false (usage error reported) otherwise. */
bool cli_number(const struct cli_command *cmd, const char *opt, const char *value, uint64_t min, uint64_t max,
                uint64_t *out);

/*
 * An output file's folder exists ("-", standard output, is fine). False
 * otherwise, with `vmxsim CMD: PATH: no such directory: DIR` on stderr (the
 * library's words for the same refusal): a mistyped output path must not
 * grow a tree of folders, nor be found out only after a long run.
 */
bool cli_output_folder_ok(const struct cli_command *cmd, const char *path);

/*
 * An output is not the input `input` (NULL or "-": nothing to compare):
 * the same file reached by another name (a link, ./, ..) counts too. False
 * otherwise, with `vmxsim CMD: OUT: is the input INPUT; ...` on stderr, so
 * that `-o FILE.scn` cannot replace the scenario with its own trace.
 */
bool cli_output_not_input(const struct cli_command *cmd, const char *out, const char *input);

/* The whole help of a command: NAME line, Usage, description, Options, Exit status (help2man's layout). */
void cli_print_help(const struct cli_command *cmd, FILE *out);

/* "vmxsim 0.2.0": the version of the library the command runs on. */
void cli_print_version(FILE *out);

/* Print `text` wrapped to 79 columns, every line indented by `indent` columns, the first after `first` columns already used. */
void cli_print_wrapped(FILE *out, const char *text, unsigned indent, unsigned first);

/* Edit distance of two short words (commands, option names), a swap of neighbours one edit; capped at 9. */
unsigned cli_distance(const char *a, const char *b);

#endif
