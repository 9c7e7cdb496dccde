/* SPDX-License-Identifier: Apache-2.0 */
/*
 * term.c - colour and width of the terminal (cli/term.h).
 */
#define _GNU_SOURCE   /* strcasestr */
#include "cli/term.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

static bool env_set(const char *name)
{
	const char *v = getenv(name);
	return v && *v;
}

bool term_color(enum cli_color mode, FILE *stream)
{
	const char *term, *force;

	if (mode != CLI_COLOR_AUTO)
		return mode == CLI_COLOR_ALWAYS;
	if (env_set("NO_COLOR"))
		return false;
	force = getenv("CLICOLOR_FORCE");
	if (force && *force && strcmp(force, "0") != 0)
		return true;
	term = getenv("TERM");
	return isatty(fileno(stream)) && !(term && !strcmp(term, "dumb"));
}

unsigned term_width(void)
{
	struct winsize ws;
	const char *env;
	char *end;
	unsigned long n;

	if (isatty(STDOUT_FILENO))
		return ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 ? ws.ws_col : 0;
	env = getenv("COLUMNS");
	if (!env || *env < '1' || *env > '9')
		return 0;
	errno = 0;
	n = strtoul(env, &end, 10);
	return errno || *end || n > 100000 ? 0 : (unsigned)n;
}

/* The locale's character set, as the environment names it (the C library's locale is never switched on). */
static bool utf8_locale(void)
{
	const char *names[] = {"LC_ALL", "LC_CTYPE", "LANG"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *v = getenv(names[i]);
		if (v && *v)
			return strcasestr(v, "utf-8") || strcasestr(v, "utf8");
	}
	return false;
}

unsigned term_columns(const char *text)
{
	unsigned n = 0;

	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		n += (*p & 0xC0) != 0x80;   /* continuation bytes take no column of their own */
	return n;
}

void term_put_cut(FILE *out, const char *text, unsigned cols)
{
	const char *ellipsis = utf8_locale() ? "\xe2\x80\xa6" : "...";
	const unsigned ell = term_columns(ellipsis);
	const unsigned char *p = (const unsigned char *)text;
	unsigned used = 0;

	if (!cols || term_columns(text) <= cols) {
		fputs(text, out);
		return;
	}
	if (cols <= ell) {
		/* No room for any of the text: the ellipsis alone, when even that fits. */
		if (cols == ell)
			fputs(ellipsis, out);
		return;
	}
	/* Whole characters up to cols - ell columns, then the ellipsis. */
	while (*p) {
		size_t len = 1;
		while ((p[len] & 0xC0) == 0x80)
			len++;
		if (used + 1 > cols - ell)
			break;
		fwrite(p, 1, len, out);
		used++;
		p += len;
	}
	fputs(ellipsis, out);
}
