/*
 * wz-ledger - the accountability ledger (责任追究台账): record the cases
 * of wz-penalty as events, record what became of them, fold them into
 * the current state, and prove that nothing was altered.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wz_base.h"
#include "wz_cli.h"
#include "wz_ledger.h"

enum {
	OPT_AT = WZ_OPT_PROGRAM, OPT_BY, OPT_NOTE, OPT_MEASURES, OPT_BASIS,
	OPT_RECTIFY_BY, OPT_NO_PROMOTION, OPT_DATE, OPT_GROUP, OPT_EXPECT,
	OPT_ID_COLUMN, OPT_PLACE_COLUMN, OPT_YEAR_COLUMN, OPT_DATE_COLUMN,
	OPT_QUIET, OPT_ON
};

/* The commands, and which of the program's own options each takes. */
enum { C_APPEND = 1, C_EVENT = 2, C_STATE = 4, C_VERIFY = 8, C_HEAD = 16,
    C_RECOVER = 32 };
static const struct {
	int		 opt;
	const char	*name;
	int		 cmds;
} optcmds[] = {
	{ OPT_AT, "--at", C_APPEND | C_EVENT | C_RECOVER },
	{ OPT_BY, "--by", C_APPEND | C_EVENT },
	{ OPT_NOTE, "--note", C_APPEND | C_EVENT },
	{ OPT_MEASURES, "--measures", C_EVENT },
	{ OPT_BASIS, "--basis", C_EVENT },
	{ OPT_RECTIFY_BY, "--rectify-by", C_EVENT },
	{ OPT_NO_PROMOTION, "--no-promotion-until", C_EVENT },
	{ OPT_DATE, "--date", C_EVENT },
	{ OPT_GROUP, "--group", C_STATE },
	{ OPT_EXPECT, "--expect", C_VERIFY },
	{ OPT_ID_COLUMN, "--id-column", C_APPEND },
	{ OPT_PLACE_COLUMN, "--place-column", C_APPEND },
	{ OPT_YEAR_COLUMN, "--year-column", C_APPEND },
	{ OPT_DATE_COLUMN, "--date-column", C_APPEND },
	{ OPT_QUIET, "--quiet", C_VERIFY },
	{ OPT_ON, "--on", C_APPEND },
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: wz-ledger append [-t] [--at TIME] [--on DATE] [--by NAME]\n"
"           [--note TEXT] [--id-column NAME] [--place-column NAME]\n"
"           [--year-column NAME] [--date-column NAME] LEDGER [FILE ...]\n"
"       wz-ledger event [--at TIME] --by NAME [--measures CODES]\n"
"           [--basis IDS] [--rectify-by DATE] [--no-promotion-until DATE]\n"
"           [--date DATE] [--note TEXT] LEDGER CASE_ID EVENT\n"
"       wz-ledger state [-t] [--group] LEDGER ...\n"
"       wz-ledger verify [-q] [--expect SEQ:HASH] LEDGER ...\n"
"       wz-ledger head LEDGER ...\n"
"       wz-ledger recover [--at TIME] LEDGER\n");
}

static int
command(struct wz_cli *cli, const char *s)
{
	static const char *const names[] = { "append", "event", "state",
	    "verify", "head", "recover" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return 1 << i;
	wz_cli_usage_error(cli, "unknown command '%s'", s);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		WZ_CLI_LONGOPTS,
		{ "at", required_argument, NULL, OPT_AT },
		{ "by", required_argument, NULL, OPT_BY },
		{ "note", required_argument, NULL, OPT_NOTE },
		{ "measures", required_argument, NULL, OPT_MEASURES },
		{ "basis", required_argument, NULL, OPT_BASIS },
		{ "rectify-by", required_argument, NULL, OPT_RECTIFY_BY },
		{ "no-promotion-until", required_argument, NULL,
		    OPT_NO_PROMOTION },
		{ "date", required_argument, NULL, OPT_DATE },
		{ "group", no_argument, NULL, OPT_GROUP },
		{ "expect", required_argument, NULL, OPT_EXPECT },
		{ "id-column", required_argument, NULL, OPT_ID_COLUMN },
		{ "place-column", required_argument, NULL, OPT_PLACE_COLUMN },
		{ "year-column", required_argument, NULL, OPT_YEAR_COLUMN },
		{ "date-column", required_argument, NULL, OPT_DATE_COLUMN },
		{ "quiet", no_argument, NULL, OPT_QUIET },
		{ "on", required_argument, NULL, OPT_ON },
		{ NULL, 0, NULL, 0 }
	};
	struct wz_cli cli;
	struct wz_ledger_opts o = { 0 };
	struct wz_event_args ea = { 0 };
	struct wz_reader **in;
	struct wz_writer *w;
	char at[WZ_AT_LEN + 1];
	const char *expect = NULL;
	static char dash[] = "-";
	char *stdin_only[] = { dash, NULL }, **files;
	int ch, cmd, group = 0, quiet = 0, status = 0, s, i, nin;
	unsigned long seen = 0;
	size_t k;

	wz_cli_init(&cli, argv, usage);
	/* Past a file-size limit, write(2) then fails with EFBIG and the
	 * append is undone, instead of the process dying mid-record. */
	signal(SIGXFSZ, SIG_IGN);
	while ((ch = getopt_long(argc, argv, WZ_CLI_SHORTOPTS "q", longopts,
	    NULL)) != -1) {
		if (ch >= WZ_OPT_PROGRAM)
			seen |= 1ul << (ch - WZ_OPT_PROGRAM);
		switch (ch) {
		case OPT_AT:
			if (wz_ledger_parse_at(optarg, at) == -1)
				wz_cli_usage_error(&cli, "--at: '%s' is not "
				    "YYYY-MM-DDTHH:MM:SSZ (UTC)", optarg);
			o.at = at;
			break;
		case OPT_BY: o.by = optarg; break;
		case OPT_NOTE: o.note = optarg; break;
		case OPT_MEASURES: ea.measures = optarg; break;
		case OPT_BASIS: ea.basis = optarg; break;
		case OPT_RECTIFY_BY: ea.rectify_by = optarg; break;
		case OPT_NO_PROMOTION: ea.no_promotion_until = optarg; break;
		case OPT_DATE: ea.date = optarg; break;
		case OPT_GROUP: group = 1; break;
		case OPT_EXPECT: expect = optarg; break;
		case OPT_ID_COLUMN: o.id_column = optarg; break;
		case OPT_PLACE_COLUMN: o.place_column = optarg; break;
		case OPT_YEAR_COLUMN: o.year_column = optarg; break;
		case OPT_DATE_COLUMN: o.date_column = optarg; break;
		case OPT_ON:
			if (!wz_ledger_date_ok(optarg, strlen(optarg)))
				wz_cli_usage_error(&cli, "--on: '%s' is not a "
				    "date (YYYY-MM-DD)", optarg);
			o.on = optarg;
			break;
		case 'q':
			seen |= 1ul << (OPT_QUIET - WZ_OPT_PROGRAM);
			/* FALLTHROUGH */
		case OPT_QUIET: quiet = 1; break;
		default:
			if (!wz_cli_option(&cli, ch, optarg))
				wz_cli_usage_error(&cli, NULL);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		wz_cli_usage_error(&cli, "no command given");
	cmd = command(&cli, argv[0]);
	for (k = 0; k < sizeof(optcmds) / sizeof(optcmds[0]); k++)
		if ((seen & 1ul << (optcmds[k].opt - WZ_OPT_PROGRAM)) &&
		    !(optcmds[k].cmds & cmd))
			wz_cli_usage_error(&cli, "%s does not go with '%s'",
			    optcmds[k].name, argv[0]);
	if (argc < 2)
		wz_cli_usage_error(&cli, "%s: no LEDGER given", argv[0]);
	o.tsv = cli.in.tsv;

	switch (cmd) {
	case C_APPEND:
		files = argc > 2 ? argv + 2 : stdin_only;
		for (nin = 0; files[nin] != NULL; nin++)
			;
		in = wz_calloc((size_t)nin, sizeof(*in));
		for (i = 0; i < nin; i++)
			if ((in[i] = wz_cli_open(&cli, files[i])) == NULL)
				status = EX_NOINPUT;
		if (status == 0)
			status = wz_ledger_append(argv[1], in, (size_t)nin, &o);
		for (i = 0; i < nin; i++)
			wz_reader_close(in[i]);
		free(in);
		return status;
	case C_EVENT:
		if (argc != 4)
			wz_cli_usage_error(&cli, "event: LEDGER CASE_ID EVENT "
			    "expected");
		return wz_ledger_event(argv[1], argv[2], argv[3], &ea, &o);
	case C_STATE:
		w = wz_cli_stdout(&cli);
		status = wz_ledger_state(argv + 1, (size_t)argc - 1, w, group);
		return wz_cli_finish(w, status);
	case C_VERIFY:
		for (i = 1; i < argc; i++)
			if ((s = wz_ledger_verify(argv[i], expect, quiet)) >
			    status)
				status = s;
		return status;
	case C_HEAD:
		for (i = 1; i < argc; i++)
			if ((s = wz_ledger_head(argv[i], stdout, argc > 2)) >
			    status)
				status = s;
		return wz_cli_finish(NULL, status);
	default:
		if (argc != 2)
			wz_cli_usage_error(&cli, "recover: one LEDGER");
		return wz_ledger_recover(argv[1], o.at);
	}
}
