/*
 * wz-roster - raw cadre rosters (spreadsheet exports) -> the canonical
 * roster: one row per role held by one person over one period.
 *
 * main() only reads the options, loads posts.yaml and headers.yaml and
 * the maps, opens the inputs, and hands each to lib/wz_roster.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wz_base.h"
#include "wz_cli.h"
#include "wz_idcard.h"
#include "wz_roster.h"
#include "wz_rules.h"

enum {
	OPT_MAP = WZ_OPT_PROGRAM, OPT_COUNTY, OPT_RULES, OPT_KEEP_UNKNOWN,
	OPT_MASK, OPT_MASK_KEY_FILE, OPT_REJECTS
};

struct input {
	const char	*path;
	struct wz_rmap	*map;
	struct wz_reader *r;
	int		 sheet;
};

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: %s [-t] [--encoding ENC] [--skip N] [--county NAME]"
	    "\n\t[--rules DIR] [--keep-unknown] [--mask --mask-key-file FILE]"
	    "\n\t[--rejects FILE] [--labels zh] [[--map FILE] FILE ...]\n",
	    wz_progname);
}

static void
help(FILE *fp)
{
	usage(fp);
	fputs(
"  --map FILE         a mapping file for the next input file\n"
"  --county NAME      the county a sheet without one is read in\n"
"  --rules DIR        posts.yaml and headers.yaml (default $WENZE_RULES)\n"
"  --keep-unknown     keep titles that name no post, as role unknown\n"
"  --mask             replace ID numbers by a keyed hash (HMAC-SHA256)\n"
"  --mask-key-file F  the key for --mask\n"
"  --rejects FILE     write rejected rows there, with a reason column\n",
	    fp);
}

static struct wz_ruleset *
load_rules(const char *dir)
{
	struct wz_ruleset *rs = wz_rules_new();
	char *p;
	int nerr = 0;

	p = wz_aprintf("%s/headers.yaml", dir);
	nerr += wz_rules_load(rs, p);
	free(p);
	p = wz_aprintf("%s/posts.yaml", dir);
	nerr += wz_rules_load(rs, p);
	free(p);
	if (nerr == 0)
		nerr = wz_rules_finish(rs);
	if (nerr > 0)
		exit(EX_CONFIG);
	return rs;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		WZ_CLI_LONGOPTS,
		{ "map",           required_argument, NULL, OPT_MAP },
		{ "county",        required_argument, NULL, OPT_COUNTY },
		{ "rules",         required_argument, NULL, OPT_RULES },
		{ "keep-unknown",  no_argument,       NULL, OPT_KEEP_UNKNOWN },
		{ "mask",          no_argument,       NULL, OPT_MASK },
		{ "mask-key-file", required_argument, NULL, OPT_MASK_KEY_FILE },
		{ "rejects",       required_argument, NULL, OPT_REJECTS },
		{ NULL, 0, NULL, 0 }
	};
	struct wz_cli cli;
	struct wz_roster_opts o;
	struct wz_roster *ro;
	struct wz_rmap *map = NULL, **maps = NULL;
	struct input *in = NULL;
	struct wz_writer *w, *rej = NULL;
	const struct wz_row *hdr;
	struct wz_ropts ropts;
	const char *rules = NULL, *keyfile = NULL, *rejpath = NULL;
	size_t nin = 0, nmaps = 0, i;
	int ch, mask = 0, status = 0, rc, fd = -1;

	memset(&o, 0, sizeof(o));
	wz_cli_init(&cli, argv, usage);
	/* "-" first: operands come back in order, so each --map applies to
	 * the file after it. */
	while ((ch = getopt_long(argc, argv, "-" WZ_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 1:
			in = wz_reallocarray(in, nin + 1, sizeof(*in));
			memset(&in[nin], 0, sizeof(*in));
			in[nin].path = optarg;
			in[nin++].map = map;
			map = NULL;	/* a map is for the next file only */
			break;
		case OPT_MAP:
			if ((map = wz_rmap_load(optarg)) == NULL)
				exit(EX_CONFIG);
			maps = wz_reallocarray(maps, nmaps + 1, sizeof(*maps));
			maps[nmaps++] = map;
			break;
		case OPT_COUNTY: o.county = optarg; break;
		case OPT_RULES: rules = optarg; break;
		case OPT_KEEP_UNKNOWN: o.keep_unknown = 1; break;
		case OPT_MASK: mask = 1; break;
		case OPT_MASK_KEY_FILE: keyfile = optarg; break;
		case OPT_REJECTS: rejpath = optarg; break;
		case WZ_OPT_HELP:
			help(stdout);
			wz_cli_common_help(stdout);
			exit(0);
		default:
			if (!wz_cli_option(&cli, ch, optarg))
				wz_cli_usage_error(&cli, NULL);
		}
	}
	if (mask && keyfile == NULL)
		wz_cli_usage_error(&cli, "--mask needs --mask-key-file");
	if (!mask && keyfile != NULL)
		wz_cli_usage_error(&cli, "--mask-key-file without --mask");
	if (map != NULL && nin > 0)
		wz_cli_usage_error(&cli, "--map: no input file after it");
	if (nin == 0) {
		in = wz_calloc(1, sizeof(*in));
		in[nin].path = "-";
		in[nin++].map = map;
	}
	/* Warnings can run to one a row; write them in blocks. */
	setvbuf(stderr, NULL, _IOFBF, 1 << 16);

	o.rs = load_rules(rules != NULL ? rules : wz_rules_default_dir());
	o.today = WZ_DAY_NONE;
	if (mask && (o.mask = wz_idmask_load(keyfile)) == NULL) {
		if (errno == EINVAL)
			wz_die(EX_CONFIG, keyfile, 0, "a --mask key has %d to %d "
			    "bytes", WZ_IDMASK_MINKEY, WZ_IDMASK_MAXKEY);
		wz_sysmsg(keyfile, "cannot read the key");
		exit(EX_NOINPUT);
	}
	o.labels_zh = cli.labels != NULL && strcmp(cli.labels, "zh") == 0;
	ro = wz_roster_new(&o);

	for (i = 0; i < nin; i++) {
		ropts = cli.in;
		wz_rmap_ropts(in[i].map, &ropts);
		in[i].sheet = -1;
		if ((in[i].r = wz_reader_open(in[i].path, &ropts)) == NULL) {
			wz_sysmsg(in[i].path, "cannot open");
			status = EX_NOINPUT;
			continue;
		}
		if (wz_reader_header(in[i].r, &hdr) != WZ_ROW) {
			wz_cli_reader_msg(in[i].r);
			status = wz_reader_errstatus(in[i].r);
		} else if ((in[i].sheet = wz_roster_sheet(ro,
		    wz_reader_name(in[i].r), hdr, in[i].map, &rc)) < 0)
			status = rc;
		if (in[i].sheet < 0) {
			wz_reader_close(in[i].r);
			in[i].r = NULL;
		}
	}
	w = wz_cli_stdout(&cli);
	if (rejpath != NULL) {
		if ((fd = open(rejpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0666)) == -1) {
			wz_sysmsg(rejpath, "cannot create");
			exit(EX_IOERR);
		}
		rej = wz_writer_new(fd, rejpath, &cli.out);
	}
	wz_roster_start(ro, w, rej);
	for (i = 0; i < nin; i++) {
		if (in[i].r == NULL)
			continue;
		if ((rc = wz_roster_read(ro, in[i].sheet, in[i].r)) != 0)
			status = rc;
		wz_reader_close(in[i].r);
	}
	rc = wz_roster_finish(ro);
	if (status == 0)
		status = rc;
	if (rej != NULL && wz_writer_close(rej) != 0)
		status = EX_IOERR;
	if (rej != NULL)
		close(fd);
	wz_roster_free(ro);
	wz_rules_free((struct wz_ruleset *)o.rs);
	wz_idmask_free(o.mask);
	for (i = 0; i < nmaps; i++)
		wz_rmap_free(maps[i]);
	free(maps);
	free(in);
	status = wz_cli_finish(w, status);
	fflush(stderr);
	return status;
}
