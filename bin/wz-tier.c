/*
 * wz-tier - who is liable for each violation, at which tier, and who
 * proposes and decides (man wz-tier).
 *
 * Options and calls only: lib/wz_tier.c does the work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wz_base.h"
#include "wz_cli.h"
#include "wz_rules.h"
#include "wz_tier.h"

enum {
	OPT_RULES = WZ_OPT_PROGRAM, OPT_ROSTER, OPT_RESOLVE, OPT_TIERS,
	OPT_COUNTY, OPT_FIELD, OPT_EXPLAIN
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: %s [-qt] --roster FILE [--resolve FILE] [--tiers DOC]\n"
"       [--county NAME] [--field NAME=COL] [--explain] [--labels zh]\n"
"       [--rules DIR|FILE] [--max-rules N] [--match-limit N]\n"
"       [--depth-limit N] [FILE ...]\n", wz_progname);
}

static void
help(FILE *fp)
{
	usage(fp);
	fputs(
"Write one row per violation, liable party and tier, with the bodies\n"
"that propose and decide.\n"
"  --roster FILE      the canonical roster (wz-roster's output)\n"
"  --resolve FILE     CSV of finding_id,person_id[,name]: names settled\n"
"  --tiers DOC        the tier and authority tables of document DOC\n"
"  --county NAME      the county of places and scopes without one\n"
"  --field NAME=COL   the column of a field (name, id_number, person_id,\n"
"                     id, title, county, township, village, place, unit,\n"
"                     date, found_date, year, values, article)\n"
"  --explain          add an explain column (roster row and rule)\n"
"  --rules DIR|FILE   rule files (repeatable; default $WENZE_RULES)\n"
"  -q                 no summary on stderr\n", fp);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		WZ_CLI_LONGOPTS,
		WZ_CLI_RULES_LONGOPTS,
		{ "rules",   required_argument, NULL, OPT_RULES },
		{ "roster",  required_argument, NULL, OPT_ROSTER },
		{ "resolve", required_argument, NULL, OPT_RESOLVE },
		{ "tiers",   required_argument, NULL, OPT_TIERS },
		{ "county",  required_argument, NULL, OPT_COUNTY },
		{ "field",   required_argument, NULL, OPT_FIELD },
		{ "explain", no_argument,       NULL, OPT_EXPLAIN },
		{ NULL, 0, NULL, 0 }
	};
	static char dash[] = "-";
	char *stdin_only[] = { dash, NULL };
	struct wz_cli cli;
	struct wz_tier_opts to;
	struct wz_tier_stats st;
	struct wz_ruleset *rs;
	struct wz_tier *t;
	struct wz_writer *out;
	const char **rules = NULL, **fields = NULL;
	size_t nrules = 0, nfields = 0, i;
	int ch, quiet = 0, status, errs = 0;

	wz_cli_init(&cli, argv, usage);
	memset(&to, 0, sizeof(to));
	while ((ch = getopt_long(argc, argv, WZ_CLI_SHORTOPTS "q", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'q': quiet = 1; break;
		case OPT_RULES:
			rules = wz_reallocarray(rules, nrules + 1,
			    sizeof(*rules));
			rules[nrules++] = optarg;
			break;
		case OPT_ROSTER: to.roster = optarg; break;
		case OPT_RESOLVE: to.resolve = optarg; break;
		case OPT_TIERS: to.tiers_doc = optarg; break;
		case OPT_COUNTY: to.county = optarg; break;
		case OPT_FIELD:
			if (strchr(optarg, '=') == NULL)
				wz_cli_usage_error(&cli, "--field %s: want "
				    "NAME=COLUMN", optarg);
			fields = wz_reallocarray(fields, nfields + 1,
			    sizeof(*fields));
			fields[nfields++] = optarg;
			break;
		case OPT_EXPLAIN: to.explain = 1; break;
		case WZ_OPT_HELP:
			help(stdout);
			wz_cli_rules_help(stdout);
			wz_cli_common_help(stdout);
			return 0;
		default:
			if (!wz_cli_option(&cli, ch, optarg))
				wz_cli_usage_error(&cli, NULL);
		}
	}
	if (to.roster == NULL)
		wz_cli_usage_error(&cli, "--roster FILE is required");
	to.fields = fields;
	to.nfields = nfields;
	to.labels_zh = cli.labels != NULL && strcmp(cli.labels, "zh") == 0;
	to.ropts = &cli.in;

	rs = wz_cli_rules_new(&cli);
	if (nrules == 0)
		errs += wz_rules_load(rs, wz_rules_default_dir());
	for (i = 0; i < nrules; i++)
		errs += wz_rules_load(rs, rules[i]);
	errs += wz_rules_finish(rs);
	if (errs > 0) {
		wz_rules_free(rs);
		free(rules);
		free(fields);
		return EX_CONFIG;
	}
	if ((t = wz_tier_new(rs, &to, &status)) == NULL) {
		if (status == EX_USAGE)
			wz_cli_usage_error(&cli, NULL);
		wz_rules_free(rs);
		free(rules);
		free(fields);
		return status;
	}
	out = wz_cli_stdout(&cli);
	status = wz_tier_run(t, optind < argc ? argv + optind : stdin_only,
	    optind < argc ? (size_t)(argc - optind) : 1, &cli.in, out, &st);
	if (!quiet)
		wz_msg(NULL, 0, "%lu read, %lu written (%lu people, %lu units), "
		    "%lu unresolved, %lu places not found, %lu rejected; "
		    "roster %lu rows, %lu reported", st.read, st.written,
		    st.persons, st.units, st.unresolved, st.places, st.rejected,
		    st.roster_rows, st.roster_bad);
	wz_tier_free(t);
	wz_rules_free(rs);
	free(rules);
	free(fields);
	return wz_cli_finish(out, status);
}
