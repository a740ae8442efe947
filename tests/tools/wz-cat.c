/*
 * wz-cat - pass CSV/TSV through the stream library unchanged.
 *
 * Not installed: the test suite uses it to pin down the reader and the
 * writer (every bad-input case of the stream layer), and make bench
 * measures it against libcsv's raw parse.
 */
#include <stdio.h>
#include <stdlib.h>

#include "wz_base.h"
#include "wz_cli.h"

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: %s [-t] [--encoding ENC] [FILE ...]\n",
	    wz_progname);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		WZ_CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct wz_cli cli;
	struct wz_writer *w;
	struct wz_reader *r;
	const struct wz_row *row, *hdr;
	unsigned long nread = 0, nbad = 0;
	int ch, i, rc, status = 0, first = 1;
	static char dash[] = "-";
	char *stdin_only[] = { dash, NULL };
	char **files;

	wz_cli_init(&cli, argv, usage);
	while ((ch = getopt_long(argc, argv, WZ_CLI_SHORTOPTS, longopts,
	    NULL)) != -1)
		if (!wz_cli_option(&cli, ch, optarg))
			wz_cli_usage_error(&cli, NULL);
	files = optind < argc ? argv + optind : stdin_only;
	w = wz_cli_stdout(&cli);
	for (i = 0; files[i] != NULL; i++) {
		if ((r = wz_cli_open(&cli, files[i])) == NULL) {
			status = EX_NOINPUT;
			continue;
		}
		if (wz_reader_header(r, &hdr) != WZ_ROW) {
			wz_cli_reader_msg(r);
			status = wz_reader_errstatus(r);
			wz_reader_close(r);
			continue;
		}
		if (first)
			wz_writer_row(w, hdr);
		first = 0;
		while ((rc = wz_reader_next(r, &row)) != WZ_EOF) {
			if (rc == WZ_FATAL) {
				wz_cli_reader_msg(r);
				status = wz_reader_errstatus(r);
				break;
			}
			nread++;
			if (rc == WZ_BAD) {
				wz_cli_reader_msg(r);
				nbad++;
				if (status == 0)
					status = WZ_EX_ROWS;
				continue;
			}
			wz_writer_row(w, row);
		}
		wz_reader_close(r);
	}
	if (nbad > 0)
		wz_msg(NULL, 0, "%lu read, %lu written, %lu rejected", nread,
		    nread - nbad, nbad);
	return wz_cli_finish(w, status);
}
