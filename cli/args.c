/* SPDX-License-Identifier: Apache-2.0 */
/*
 * args.c - the parser of every command line (cli/args.h) and the help text
 * made from the same tables.
 *
 * getopt_long keeps its position in libc's optind/optarg/optopt: the one
 * piece of process state here, set up afresh by cli_begin (optind = 0 makes
 * glibc start over) and only ever used by one parse at a time. Its own
 * messages are off (opterr = 0): they name the program, not the command, and
 * they do not say what to do next, so the errors are worded here.
 */
#define _GNU_SOURCE
#include "cli/args.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vmxsim/vmxsim.h"

/* The options every command takes, after its own. */
enum { ID_COLOR = CLI_LONG_ONLY + 1000, ID_VERSION, ID_HELP = 'h' };

static const char *const color_words[] = {"auto", "always", "never", NULL};

static const struct cli_option common_options[] = {
	{ID_COLOR, "color", CLI_OPTIONAL_VALUE, "WHEN",
	 "colour the output: WHEN is auto (the default: only on a terminal, and not when NO_COLOR is set or "
	 "TERM is dumb), always (also --color alone) or never",
	 color_words},
	{ID_HELP, "help", CLI_NO_VALUE, NULL, "print this help and exit", NULL},
	{ID_VERSION, "version", CLI_NO_VALUE, NULL, "print the version and exit", NULL},
	{0, NULL, CLI_NO_VALUE, NULL, NULL, NULL},
};

static void add_options(struct cli_args *a, const struct cli_option *o, size_t *nl, size_t *ns)
{
	for (; o->id; o++) {
		/* A table too big for the parser is the program's mistake: stop rather than drop an option. */
		if (*nl + 1 >= sizeof(a->longopts) / sizeof(a->longopts[0]) || *ns + 4 >= sizeof(a->shortopts)) {
			fprintf(stderr, "vmxsim %s: internal error: too many options\n", a->cmd->name);
			abort();
		}
		a->longopts[*nl].name = o->name;
		a->longopts[*nl].has_arg = o->arg == CLI_VALUE            ? required_argument
		                           : o->arg == CLI_OPTIONAL_VALUE ? optional_argument
		                                                          : no_argument;
		a->longopts[*nl].flag = NULL;
		a->longopts[*nl].val = o->id;
		(*nl)++;
		if (o->id < CLI_LONG_ONLY) {
			a->shortopts[(*ns)++] = (char)o->id;
			if (o->arg != CLI_NO_VALUE)
				a->shortopts[(*ns)++] = ':';
			if (o->arg == CLI_OPTIONAL_VALUE)
				a->shortopts[(*ns)++] = ':';
		}
	}
}

void cli_begin(struct cli_args *a, const struct cli_command *cmd, int argc, char **argv)
{
	size_t nl = 0, ns = 0;

	memset(a, 0, sizeof(*a));
	a->cmd = cmd;
	a->argc = argc;
	a->argv = argv;
	/*
	 * '-': operands come back in order as option 1, so options may follow
	 * them even under POSIXLY_CORRECT, and nothing is permuted; ':': a
	 * missing value is told apart from an unknown option.
	 */
	a->shortopts[ns++] = '-';
	a->shortopts[ns++] = ':';
	add_options(a, cmd->options, &nl, &ns);
	add_options(a, common_options, &nl, &ns);
	memset(&a->longopts[nl], 0, sizeof(a->longopts[nl]));
	a->shortopts[ns] = '\0';
	optind = 0;
	opterr = 0;
}

static const struct cli_option *find_option(const struct cli_command *cmd, int id)
{
	for (const struct cli_option *o = cmd->options; o->id; o++)
		if (o->id == id)
			return o;
	for (const struct cli_option *o = common_options; o->id; o++)
		if (o->id == id)
			return o;
	return NULL;
}

int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vmxsim%s%s: ", cmd ? " " : "", cmd ? cmd->name : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'vmxsim%s%s --help' for more information.\n", cmd ? " " : "", cmd ? cmd->name : "");
	return CLI_USAGE;
}

bool cli_context(const struct cli_command *cmd, const char *value, unsigned *out)
{
	uint64_t n;

	if (!cli_number(cmd, "--context", value, 0, 100000, &n))
		return false;
	*out = (unsigned)n;
	return true;
}

bool cli_one_operand(const struct cli_command *cmd, const char **slot, const char *v, const char *what)
{
	if (*slot) {
		cli_usage_error(cmd, "extra operand '%s' (one %s at a time)", v, what);
		return false;
	}
	*slot = v;
	return true;
}

bool cli_have_scenario(const struct cli_command *cmd, const char *file)
{
	if (!file)
		cli_usage_error(cmd, "missing scenario file (FILE.scn, or - for standard input)");
	return file != NULL;
}

unsigned cli_distance(const char *a, const char *b)
{
	/* Edits, with two neighbours swapped counting as one edit ("rnu" is one from "run"). */
	unsigned d[32][32], la = (unsigned)strlen(a), lb = (unsigned)strlen(b);

	if (la >= 32 || lb >= 32)
		return 9;
	for (unsigned i = 0; i <= la; i++)
		d[i][0] = i;
	for (unsigned j = 0; j <= lb; j++)
		d[0][j] = j;
	for (unsigned i = 1; i <= la; i++) {
		for (unsigned j = 1; j <= lb; j++) {
			unsigned best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb] > 9 ? 9 : d[la][lb];
}

/* The long option the argument `text` (such as "--frmat=x") came closest to; NULL if none is close. */
static const char *nearest_option(const struct cli_args *a, const char *name, size_t len)
{
	char word[32];
	const char *best = NULL;
	unsigned best_d = 3;

	if (len >= sizeof(word))
		return NULL;
	memcpy(word, name, len);
	word[len] = '\0';
	for (const struct option *o = a->longopts; o->name; o++) {
		unsigned d = cli_distance(word, o->name);
		if (d < best_d && d < strlen(o->name)) {
			best = o->name;
			best_d = d;
		}
	}
	return best;
}

/* An option getopt_long does not know, or one given a value it does not take: say which. */
static void report_unknown(const struct cli_args *a)
{
	const char *text = optind > 0 && optind <= a->argc ? a->argv[optind - 1] : "";
	const struct cli_option *known = optopt ? find_option(a->cmd, optopt) : NULL;
	const char *name, *eq, *near;
	char list[512] = "";
	unsigned matches = 0;
	size_t len;

	/* glibc names the option in optopt, except an unknown long one (0): that is the argument just passed. */
	if (known && !strncmp(text, "--", 2)) {
		cli_usage_error(a->cmd, "option '--%s' takes no value", known->name);
		return;
	}
	if (optopt || strncmp(text, "--", 2) != 0) {
		cli_usage_error(a->cmd, "unknown option '-%c'", optopt ? optopt : '?');
		return;
	}
	name = text + 2;
	eq = strchr(name, '=');
	len = eq ? (size_t)(eq - name) : strlen(name);
	/* glibc takes a unique prefix; a prefix of several is refused like an unknown name. */
	for (const struct option *o = a->longopts; o->name; o++) {
		if (strncmp(o->name, name, len) != 0)
			continue;
		matches++;
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s--%s", matches > 1 ? ", " : "", o->name);
	}
	near = nearest_option(a, name, len);
	if (matches > 1)
		cli_usage_error(a->cmd, "option '--%.*s' is ambiguous: %s", (int)len, name, list);
	else if (near)
		cli_usage_error(a->cmd, "unknown option '--%.*s'; did you mean '--%s'?", (int)len, name, near);
	else
		cli_usage_error(a->cmd, "unknown option '--%.*s'", (int)len, name);
}

/* An option that needs a value came last, without one. */
static void report_missing(const struct cli_args *a)
{
	const char *text = optind > 0 && optind <= a->argc ? a->argv[optind - 1] : "";
	const struct cli_option *o = find_option(a->cmd, optopt);

	if (!o)
		cli_usage_error(a->cmd, "option '%s' needs a value", text);
	else if (!strncmp(text, "--", 2) || o->id >= CLI_LONG_ONLY)
		cli_usage_error(a->cmd, "option '--%s' needs a value (%s)", o->name, o->value ? o->value : "");
	else
		cli_usage_error(a->cmd, "option '-%c' needs a value (%s)", o->id, o->value ? o->value : "");
}

static bool one_of(const char *const *words, const char *w)
{
	for (; words && *words; words++)
		if (!strcmp(*words, w))
			return true;
	return false;
}

/* --color's value; --color alone is always, as for ls and grep. */
static bool set_color(struct cli_args *a, const char *value)
{
	if (!value || !strcmp(value, "always"))
		a->color = CLI_COLOR_ALWAYS;
	else if (!strcmp(value, "never"))
		a->color = CLI_COLOR_NEVER;
	else if (!strcmp(value, "auto"))
		a->color = CLI_COLOR_AUTO;
	else
		return false;
	return true;
}

int cli_next(struct cli_args *a, const char **value)
{
	const struct cli_option *o;
	int c;

	*value = NULL;
	for (;;) {
		if (a->rest) {
			if (optind < a->argc) {
				*value = a->argv[optind++];
				return CLI_OPERAND;
			}
			return CLI_DONE;
		}
		c = getopt_long(a->argc, a->argv, a->shortopts, a->longopts, NULL);
		if (c == -1) {
			/* The end, or `--`: whatever follows is operands. */
			a->rest = true;
			continue;
		}
		if (c == 1) {
			*value = optarg;
			return CLI_OPERAND;
		}
		if (c == '?' || c == ':') {
			if (c == '?')
				report_unknown(a);
			else
				report_missing(a);
			a->status = CLI_USAGE;
			return CLI_EXIT;
		}
		o = find_option(a->cmd, c);
		*value = optarg;
		/* `--color always` as well as `--color=always`; any other next word stays an operand. */
		if (o && o->arg == CLI_OPTIONAL_VALUE && !optarg && optind < a->argc && one_of(o->words, a->argv[optind]))
			*value = a->argv[optind++];
		switch (c) {
		case ID_HELP:
			cli_print_help(a->cmd, stdout);
			a->status = fflush(stdout) == 0 ? 0 : CLI_USAGE;
			return CLI_EXIT;
		case ID_VERSION:
			cli_print_version(stdout);
			a->status = fflush(stdout) == 0 ? 0 : CLI_USAGE;
			return CLI_EXIT;
		case ID_COLOR:
			if (!set_color(a, *value)) {
				a->status = cli_usage_error(a->cmd, "--color is auto, always or never, not '%s'", *value);
				return CLI_EXIT;
			}
			continue;
		default:
			return c;
		}
	}
}

bool cli_number(const struct cli_command *cmd, const char *opt, const char *value, uint64_t min, uint64_t max,
                uint64_t *out)
{
	char *end;

	errno = 0;
	if (value && *value >= '0' && *value <= '9') {
		*out = strtoull(value, &end, 10);
		if (!errno && !*end && *out >= min && *out <= max)
			return true;
	}
	if (max == UINT64_MAX && !min)
		cli_usage_error(cmd, "%s takes a whole number, not '%s'", opt, value ? value : "");
	else if (max == UINT64_MAX)
		cli_usage_error(cmd, "%s takes a whole number, at least %llu, not '%s'", opt, (unsigned long long)min,
		                value ? value : "");
	else
		cli_usage_error(cmd, "%s takes a whole number from %llu to %llu, not '%s'", opt, (unsigned long long)min,
		                (unsigned long long)max, value ? value : "");
	return false;
}

bool cli_output_folder_ok(const struct cli_command *cmd, const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	struct stat st;

	if (!strcmp(path, "-") || !slash)
		return true;
	if (slash == path)
		return true;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return true;
	fprintf(stderr, "vmxsim %s: %s: no such directory: %s\n", cmd->name, path, dir);
	return false;
}

bool cli_output_not_input(const struct cli_command *cmd, const char *out, const char *input)
{
	struct stat o, i;

	if (!out || !input || !strcmp(out, "-") || !strcmp(input, "-"))
		return true;
	/* An output not there yet is no input; two names of one file share device and inode. */
	if (stat(out, &o) != 0 || stat(input, &i) != 0 || o.st_dev != i.st_dev || o.st_ino != i.st_ino)
		return true;
	fprintf(stderr, "vmxsim %s: %s: is the input %s; writing there would destroy it (name another output)\n",
	        cmd->name, out, input);
	return false;
}

void cli_print_version(FILE *out)
{
	fprintf(out, "vmxsim %s\n", vmxsim_version());
}

/* ---- help ---- */

#define HELP_WIDTH 79

void cli_print_wrapped(FILE *out, const char *text, unsigned indent, unsigned first)
{
	unsigned col = first;
	bool empty = true;   /* no word on this line yet */

	if (col < indent) {
		fprintf(out, "%*s", (int)(indent - col), "");
		col = indent;
	}
	for (const char *p = text; *p;) {
		size_t len;

		while (*p == ' ')
			p++;
		len = strcspn(p, " ");
		if (!len)
			break;
		/* A word that does not fit goes to the next line, unless it is alone there. */
		if (!empty && col + 1 + len > HELP_WIDTH) {
			fprintf(out, "\n%*s", (int)indent, "");
			col = indent;
			empty = true;
		}
		if (!empty) {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, len, out);
		col += (unsigned)len;
		empty = false;
		p += len;
	}
	fputc('\n', out);
}

/* "-o, --output=TRACE", "    --color[=WHEN]", into buf. */
static size_t option_spec(const struct cli_option *o, char *buf, size_t n)
{
	const char *v = o->value ? o->value : "";

	if (o->id < CLI_LONG_ONLY)
		snprintf(buf, n, "-%c, --%s", o->id, o->name);
	else
		snprintf(buf, n, "    --%s", o->name);
	if (o->arg == CLI_VALUE)
		snprintf(buf + strlen(buf), n - strlen(buf), "=%s", v);
	else if (o->arg == CLI_OPTIONAL_VALUE)
		snprintf(buf + strlen(buf), n - strlen(buf), "[=%s]", v);
	return strlen(buf);
}

static void print_options(const struct cli_option *o, unsigned col, FILE *out)
{
	for (; o->id; o++) {
		char spec[128];
		size_t len = option_spec(o, spec, sizeof(spec));

		/* help2man reads "  SPEC  TEXT", or SPEC alone with TEXT below it indented by 20 or more. */
		if (2 + len + 2 > col) {
			fprintf(out, "  %s\n", spec);
			cli_print_wrapped(out, o->help, col, 0);
		} else {
			fprintf(out, "  %s", spec);
			cli_print_wrapped(out, o->help, col, 2 + (unsigned)len);
		}
	}
}

void cli_print_help(const struct cli_command *cmd, FILE *out)
{
	unsigned col = 0;

	fprintf(out, "vmxsim %s - %s\n\n", cmd->name, cmd->summary);
	for (const char *const *u = cmd->usage; *u; u++)
		fprintf(out, "%s vmxsim %s %s\n", u == cmd->usage ? "Usage:" : "  or: ", cmd->name, *u);
	fprintf(out, "\n%s\nOptions:\n", cmd->description);
	for (const struct cli_option *set[] = {cmd->options, common_options}, **s = set; s < set + 2; s++)
		for (const struct cli_option *o = *s; o->id; o++) {
			char spec[128];
			unsigned need = 2 + (unsigned)option_spec(o, spec, sizeof(spec)) + 2;
			if (need > col && need <= 30)
				col = need;
		}
	if (col < 20)
		col = 20;
	print_options(cmd->options, col, out);
	print_options(common_options, col, out);
	fprintf(out, "\nExit status:\n%s", cmd->exit_status);
	if (cmd->more)
		fprintf(out, "\n%s", cmd->more);
}
