/*
 * wz-report - monthly and ad-hoc reports over accountability ledgers
 * (责任追究台账): new cases, decisions, rectifications due and overdue,
 * closed cases, counts by unit, article, tier, measure and rank, the
 * amounts involved, promotion bans, repeat cases and the ledger head;
 * and queries that
 * filter the folded state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wz_base.h"
#include "wz_cli.h"
#include "wz_ledger.h"
#include "wz_report.h"

enum {
	OPT_MONTH = WZ_OPT_PROGRAM, OPT_YEAR, OPT_FROM, OPT_TO, OPT_FORMAT,
	OPT_TABLE, OPT_ROSTER, OPT_UNIT_DEPTH, OPT_PERSON, OPT_UNIT,
	OPT_ARTICLE, OPT_TIER, OPT_MEASURE, OPT_OPEN, OPT_OUTPUT, OPT_LAST
};

/* Options of the report only (R) and of queries only (Q). */
#define R	1
#define Q	2
static const int optcmd[OPT_LAST - WZ_OPT_PROGRAM] = {
	R | Q, R | Q, R | Q, R | Q, R, R, R, R, Q, Q, Q, Q, Q, Q, R
};
static const char *const optname[OPT_LAST - WZ_OPT_PROGRAM] = {
	"--month", "--year", "--from", "--to", "--format", "--table",
	"--roster", "--unit-depth", "--person", "--unit", "--article",
	"--tier", "--measure", "--open", "-o"
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: wz-report [-t] [--month YYYY-MM | --year YYYY | --from DATE\n"
"           --to DATE] [--format md|csv|tsv | --format xlsx -o FILE]\n"
"           [--table NAME]\n"
"           [--labels zh|en] [--roster FILE] [--unit-depth N] LEDGER ...\n"
"       wz-report query [-t] [--person ID|NAME] [--unit PLACE]\n"
"           [--article ID] [--tier TIER] [--measure CODE] [--from DATE]\n"
"           [--to DATE] [--month YYYY-MM | --year YYYY] [--open]\n"
"           LEDGER ...\n"
"Tables: summary new decided due overdue closed unit article tier\n"
"        measure rank amount ban repeat head\n");
}

static const char *
date_opt(struct wz_cli *cli, const char *opt, const char *v)
{
	if (!wz_ledger_date_ok(v, strlen(v)))
		wz_cli_usage_error(cli, "%s: '%s' is not a date (YYYY-MM-DD)",
		    opt, v);
	return v;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		WZ_CLI_LONGOPTS,
		{ "month", required_argument, NULL, OPT_MONTH },
		{ "year", required_argument, NULL, OPT_YEAR },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "table", required_argument, NULL, OPT_TABLE },
		{ "roster", required_argument, NULL, OPT_ROSTER },
		{ "unit-depth", required_argument, NULL, OPT_UNIT_DEPTH },
		{ "person", required_argument, NULL, OPT_PERSON },
		{ "unit", required_argument, NULL, OPT_UNIT },
		{ "article", required_argument, NULL, OPT_ARTICLE },
		{ "tier", required_argument, NULL, OPT_TIER },
		{ "measure", required_argument, NULL, OPT_MEASURE },
		{ "open", no_argument, NULL, OPT_OPEN },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ NULL, 0, NULL, 0 }
	};
	struct wz_cli cli;
	struct wz_report_opts o;
	struct wz_query q;
	struct wz_report *rep;
	struct wz_writer *w;
	const char *from = NULL, *to = NULL, *format = NULL, *table = NULL,
	    *output = NULL, *es;
	char now[WZ_AT_LEN + 1];
	unsigned long seen = 0;
	int ch, k, query, status = 0, per = 0;

	memset(&o, 0, sizeof(o));
	memset(&q, 0, sizeof(q));
	wz_cli_init(&cli, argv, usage);
	while ((ch = getopt_long(argc, argv, WZ_CLI_SHORTOPTS "o:", longopts,
	    NULL)) != -1) {
		if (ch == 'o')
			ch = OPT_OUTPUT;
		if (ch >= WZ_OPT_PROGRAM && ch < OPT_LAST)
			seen |= 1ul << (ch - WZ_OPT_PROGRAM);
		switch (ch) {
		case OPT_MONTH:
		case OPT_YEAR:
			if (per++ > 0)
				wz_cli_usage_error(&cli, "one of --month and "
				    "--year");
			if ((ch == OPT_MONTH ? wz_period_month(&o.period,
			    optarg) : wz_period_year(&o.period, optarg)) == -1)
				wz_cli_usage_error(&cli, "%s: '%s' is not %s",
				    ch == OPT_MONTH ? "--month" : "--year",
				    optarg, ch == OPT_MONTH ? "YYYY-MM" :
				    "YYYY");
			break;
		case OPT_FROM: from = date_opt(&cli, "--from", optarg); break;
		case OPT_TO: to = date_opt(&cli, "--to", optarg); break;
		case OPT_FORMAT: format = optarg; break;
		case OPT_TABLE: table = optarg; break;
		case OPT_ROSTER: o.roster = optarg; break;
		case OPT_UNIT_DEPTH:
			o.unit_depth = (int)wz_strtonum(optarg, 1, 100, &es);
			if (es != NULL)
				wz_cli_usage_error(&cli, "--unit-depth: '%s' "
				    "is %s", optarg, es);
			break;
		case OPT_PERSON: q.person = optarg; break;
		case OPT_UNIT: q.unit = optarg; break;
		case OPT_ARTICLE: q.article = optarg; break;
		case OPT_TIER: q.tier = optarg; break;
		case OPT_MEASURE: q.measure = optarg; break;
		case OPT_OPEN: q.open = 1; break;
		case OPT_OUTPUT: output = optarg; break;
		default:
			if (!wz_cli_option(&cli, ch, optarg))
				wz_cli_usage_error(&cli, NULL);
		}
	}
	argc -= optind;
	argv += optind;
	query = argc > 0 && strcmp(argv[0], "query") == 0;
	if (query) {
		argc--;
		argv++;
	}
	for (k = 0; k < OPT_LAST - WZ_OPT_PROGRAM; k++)
		if ((seen & 1ul << k) && !(optcmd[k] & (query ? Q : R)))
			wz_cli_usage_error(&cli, "%s goes with %s only",
			    optname[k], query ? "the report" : "'query'");
	if (argc < 1)
		wz_cli_usage_error(&cli, "no LEDGER given");
	if (per && (from != NULL || to != NULL))
		wz_cli_usage_error(&cli, "--from and --to do not go with "
		    "--month or --year");
	if (from != NULL && to != NULL && strcmp(from, to) > 0)
		wz_cli_usage_error(&cli, "--from %s is after --to %s", from,
		    to);

	if (query) {
		if (cli.labels != NULL)
			wz_cli_usage_error(&cli, "--labels goes with the "
			    "report only: queries print codes");
		q.from = per ? o.period.from : from;
		q.to = per ? o.period.to : to;
		w = wz_cli_stdout(&cli);
		status = wz_report_query(argv, (size_t)argc, &q, w);
		return wz_cli_finish(w, status);
	}

	if (!per && from == NULL && to == NULL)
		wz_cli_usage_error(&cli, "no period: --month, --year, or "
		    "--from and --to");
	if (!per) {
		o.period.kind = WZ_PERIOD_RANGE;
		wz_ledger_now(now);
		snprintf(o.period.from, sizeof(o.period.from), "%s",
		    from != NULL ? from : "");
		snprintf(o.period.to, sizeof(o.period.to), "%.10s",
		    to != NULL ? to : now);
	}
	if (format == NULL)
		format = cli.out.tsv ? "tsv" : "md";
	if (strcmp(format, "tsv") == 0)
		cli.out.tsv = 1;
	else if (strcmp(format, "md") != 0 && strcmp(format, "csv") != 0 &&
	    strcmp(format, "xlsx") != 0)
		wz_cli_usage_error(&cli, "--format: md, csv, tsv or xlsx");
	else if (cli.out.tsv)
		wz_cli_usage_error(&cli, "-t does not go with --format %s",
		    format);
	if ((strcmp(format, "md") == 0 || strcmp(format, "xlsx") == 0) &&
	    (cli.out.bom || cli.out.encoding != NULL || cli.out.excel_safe))
		wz_cli_usage_error(&cli, "--excel, --excel-safe and "
		    "--out-encoding go with --format csv or tsv");
	if (strcmp(format, "xlsx") == 0 && output == NULL)
		wz_cli_usage_error(&cli, "--format xlsx needs -o FILE");
	if (strcmp(format, "xlsx") != 0 && output != NULL)
		wz_cli_usage_error(&cli, "-o goes with --format xlsx");
	if (table != NULL && !wz_report_table_ok(table))
		wz_cli_usage_error(&cli, "--table: no table '%s'", table);
	o.en = cli.labels != NULL && strcmp(cli.labels, "en") == 0;
	o.roster_in = &cli.in;

	if ((rep = wz_report_build(argv, (size_t)argc, &o, &status)) == NULL)
		return status;
	if (strcmp(format, "xlsx") == 0) {
		int st = wz_report_xlsx(rep, table, output);

		wz_report_free(rep);
		return wz_cli_finish(NULL, st > status ? st : status);
	}
	if (strcmp(format, "md") == 0) {
		wz_report_markdown(rep, table, stdout);
		wz_report_free(rep);
		return wz_cli_finish(NULL, status);
	}
	w = wz_cli_stdout(&cli);
	wz_report_csv(rep, table, w);
	wz_report_free(rep);
	return wz_cli_finish(w, status);
}
