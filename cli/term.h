/* SPDX-License-Identifier: Apache-2.0 */
/*
 * term.h - what the terminal the command prints on can take: colour, and
 * how wide a line may be.
 */
#ifndef VMXSIM_CLI_TERM_H
#define VMXSIM_CLI_TERM_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/args.h"

/* SGR sequences; TERM_RESET ends each. */
#define TERM_RED "\033[31m"
#define TERM_GREEN "\033[32m"
#define TERM_BOLD_RED "\033[1;31m"
#define TERM_RESET "\033[0m"

/*
 * Whether what goes to `stream` is coloured under `mode`: always, never,
 * or (auto) when NO_COLOR is unset or empty and either CLICOLOR_FORCE is set
 * (to anything but "0") or the stream is a terminal whose TERM is not "dumb".
 * --color=always wins over NO_COLOR, as no-color.org asks of explicit flags.
 */
bool term_color(enum cli_color mode, FILE *stream);

/*
 * How many columns a line on stdout may take: the terminal's width when
 * stdout is one, else $COLUMNS when it is a positive number, else 0 (no limit).
 */
unsigned term_width(void);

/*
 * Print `text` on `out` cut to at most `cols` columns, an ellipsis marking
 * the cut ("…" under a UTF-8 locale, else "..."); cols 0: whole. A column is
 * a character: UTF-8 sequences are counted, and cut, whole.
 */
void term_put_cut(FILE *out, const char *text, unsigned cols);

/* Columns `text` takes (UTF-8 characters). */
unsigned term_columns(const char *text);

#endif
