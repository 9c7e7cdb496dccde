/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - vmxsim-scn2asm FILE.scn [-o case.asm] [--map case.map]
 *
 * Compiles one `l0 none` scenario for the oracle (scn2asm.h). Without -o
 * the case goes to standard output. Exit status: 0 compiled, 2 bad input or
 * not modelled on the oracle (a located message on standard error), 1 an
 * output could not be written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle/scn2asm/scn2asm.h"

static int usage(FILE *f, int status)
{
	fprintf(f, "usage: vmxsim-scn2asm FILE.scn [-o case.asm] [--map case.map]\n"
	           "Compiles an 'l0 none' scenario to a case for the oracle's Bochs runtime\n"
	           "(oracle/payload/case_abi.h) and a map from its labels to vmxsim's addresses.\n");
	return status;
}

/* Write a file only once the whole case is there: a refused scenario leaves nothing behind. */
static int write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "vmxsim-scn2asm: cannot write %s\n", path);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *in = NULL, *asm_path = NULL, *map_path = NULL;
	char *text, *abuf = NULL, *mbuf = NULL;
	size_t len = 0, alen = 0, mlen = 0;
	struct scn_error err;
	struct scn_scenario *s;
	enum scn2asm_status st;
	FILE *a, *m;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return usage(stdout, 0);
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			asm_path = argv[++i];
		else if (!strcmp(argv[i], "--map") && i + 1 < argc)
			map_path = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1])
			return usage(stderr, 2);
		else if (!in)
			in = argv[i];
		else
			return usage(stderr, 2);
	}
	if (!in)
		return usage(stderr, 2);
	text = scn_read_file(in, &len, &err);
	s = text ? scn_parse(text, len, in, &err) : NULL;
	if (!s) {
		char msg[SCN_ERROR_MSG_MAX + 256];
		scn_format_error(&err, msg, sizeof(msg));
		fprintf(stderr, "%s\n", msg);
		free(text);
		return 2;
	}
	a = tmpfile();
	m = tmpfile();
	if (!a || !m) {
		fprintf(stderr, "vmxsim-scn2asm: cannot create a temporary file\n");
		rc = 1;
		goto out;
	}
	st = scn2asm_compile(s, text, len, a, m, stderr);
	if (st != SCN2ASM_OK) {
		rc = st == SCN2ASM_FAILED ? 1 : 2;
		goto out;
	}
	alen = (size_t)ftell(a);
	mlen = (size_t)ftell(m);
	abuf = malloc(alen + 1);
	mbuf = malloc(mlen + 1);
	rewind(a);
	rewind(m);
	if (!abuf || !mbuf || fread(abuf, 1, alen, a) != alen || fread(mbuf, 1, mlen, m) != mlen) {
		fprintf(stderr, "vmxsim-scn2asm: cannot read back the case\n");
		rc = 1;
		goto out;
	}
	if (asm_path)
		rc |= write_file(asm_path, abuf, alen);
	else if (fwrite(abuf, 1, alen, stdout) != alen)
		rc = 1;
	if (map_path)
		rc |= write_file(map_path, mbuf, mlen);
out:
	if (a)
		fclose(a);
	if (m)
		fclose(m);
	free(abuf);
	free(mbuf);
	scn_free(s);
	free(text);
	return rc;
}
