/*
 * wz-penalty - recommend, for each liable party of wz-tier, the measures
 * the penalty rules prescribe, each with the article that grants it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wz_base.h"
#include "wz_cli.h"
#include "wz_penalty.h"
#include "wz_rules.h"

enum { OPT_RULES = WZ_OPT_PROGRAM, OPT_LEDGER, OPT_ON, OPT_EXPLAIN };

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: %s [-qt] [-r RULES] [-D NAME=VALUE] [--ledger LEDGER]\n"
"       [--on DATE] [--explain] [--labels zh] [--max-rules N]\n"
"       [--match-limit N] [--depth-limit N] [FILE ...]\n", wz_progname);
}

static void
help(FILE *fp)
{
	usage(fp);
	fputs(
"Recommend, for each liable party of wz-tier, the measures the penalty\n"
"rules prescribe and the articles that grant them.\n"
"  -r, --rules DIR|FILE   rule files (repeatable; default $WENZE_RULES)\n"
"  -D NAME=VALUE          set a rule parameter (rectify_days=15)\n"
"      --ledger LEDGER    earlier cases for repeat rules (repeatable)\n"
"      --on DATE          the decision date (default today, UTC)\n"
"      --explain          add an explain column (rules, cases, periods)\n"
"  -q                     no summary on stderr\n", fp);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		WZ_CLI_LONGOPTS,
		WZ_CLI_RULES_LONGOPTS,
		{ "rules",   required_argument, NULL, OPT_RULES },
		{ "define",  required_argument, NULL, 'D' },
		{ "ledger",  required_argument, NULL, OPT_LEDGER },
		{ "on",      required_argument, NULL, OPT_ON },
		{ "explain", no_argument,       NULL, OPT_EXPLAIN },
		{ NULL, 0, NULL, 0 }
	};
	static char dash[] = "-";
	char *stdin_only[] = { dash, NULL };
	struct wz_cli cli;
	struct wz_pen_opts po;
	struct wz_pen_stats st;
	struct wz_ruleset *rs = NULL;
	struct wz_pen *pen = NULL;
	struct wz_writer *w;
	const char **rules, **defs, **ledgers;
	size_t nrules = 0, ndefs = 0, nledgers = 0, i;
	int ch, errs = 0, status = 0, rc, quiet = 0;
	char **files;

	wz_cli_init(&cli, argv, usage);
	memset(&po, 0, sizeof(po));
	rules = wz_calloc((size_t)argc + 1, sizeof(char *));
	defs = wz_calloc((size_t)argc + 1, sizeof(char *));
	ledgers = wz_calloc((size_t)argc + 1, sizeof(char *));
	while ((ch = getopt_long(argc, argv, WZ_CLI_SHORTOPTS "qr:D:",
	    longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
		case OPT_RULES:
			rules[nrules++] = optarg;
			break;
		case 'D':
			defs[ndefs++] = optarg;
			break;
		case OPT_LEDGER:
			ledgers[nledgers++] = optarg;
			break;
		case OPT_ON:
			po.on = optarg;
			break;
		case OPT_EXPLAIN:
			po.explain = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case WZ_OPT_HELP:
			help(stdout);
			wz_cli_rules_help(stdout);
			wz_cli_common_help(stdout);
			exit(0);
		default:
			if (!wz_cli_option(&cli, ch, optarg))
				wz_cli_usage_error(&cli, NULL);
		}
	}
	po.labels_zh = cli.labels != NULL && strcmp(cli.labels, "zh") == 0;
	files = optind < argc ? argv + optind : stdin_only;

	rs = wz_cli_rules_new(&cli);
	if (nrules == 0)
		rules[nrules++] = wz_rules_default_dir();
	for (i = 0; i < nrules; i++)
		errs += wz_rules_load(rs, rules[i]);
	if (errs == 0)
		errs += wz_rules_finish(rs);
	if (errs > 0) {
		wz_msg(NULL, 0, "%d error%s in the rule files", errs,
		    errs == 1 ? "" : "s");
		status = EX_CONFIG;
		goto out;
	}
	for (i = 0; i < ndefs; i++)
		if (wz_rules_define(rs, defs[i]) == -1)
			wz_cli_usage_error(&cli, NULL);
	if ((pen = wz_pen_new(rs, &po)) == NULL)
		wz_cli_usage_error(&cli, NULL);
	for (i = 0; i < nledgers; i++)
		if ((rc = wz_pen_ledger(pen, ledgers[i])) != 0) {
			status = rc;
			goto out;
		}

	w = wz_cli_stdout(&cli);
	status = wz_pen_run(pen, files, (size_t)(argc - optind > 0 ?
	    argc - optind : 1), &cli.in, w, &st);
	if (!quiet && st.rejected > 0)
		wz_msg(NULL, 0, "%lu read, %lu with measures, %lu without, "
		    "%lu rejected", st.read, st.with, st.without, st.rejected);
	else if (!quiet)
		wz_msg(NULL, 0, "%lu read, %lu with measures, %lu without",
		    st.read, st.with, st.without);
	status = wz_cli_finish(w, status);
out:
	wz_pen_free(pen);
	wz_rules_free(rs);
	free(rules);
	free(defs);
	free(ledgers);
	return status;
}
