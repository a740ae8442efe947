/*
 * wz-match - cite the articles that findings rows break (man wz-match).
 *
 * Options and calls only: lib/wz_match.c does the work.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wz_base.h"
#include "wz_cli.h"
#include "wz_ledger.h"
#include "wz_match.h"
#include "wz_rules.h"

enum {
	OPT_RULES = WZ_OPT_PROGRAM, OPT_DOC, OPT_TEXT, OPT_POST, OPT_DATE,
	OPT_YEAR, OPT_PLACE, OPT_UNIT, OPT_ID, OPT_FIELD, OPT_UNMATCHED,
	OPT_EXPLAIN, OPT_NO_PREFILTER, OPT_NO_HISTORY, OPT_LEDGER
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: %s [-qtv] [--rules DIR|FILE] [--doc ID] [-D NAME=VALUE]\n"
"       [--text COL] [--post COL] [--date COL] [--year COL] [--place COL]\n"
"       [--unit COL] [--id COL] [--field NAME=COL] [--unmatched FILE]\n"
"       [--explain] [--labels zh] [--no-prefilter] [--no-history]\n"
"       [--max-rules N] [--match-limit N] [--depth-limit N]\n"
"       [--ledger FILE] [FILE ...]\n", wz_progname);
}

static void
help(FILE *fp)
{
	usage(fp);
	fputs(
"Cite the policy articles each findings row breaks.\n"
"  --rules DIR|FILE   rule files (repeatable; default $WENZE_RULES)\n"
"  --doc ID           only this document's articles (repeatable)\n"
"  -D NAME=VALUE      set a rule parameter (days_required=200)\n"
"  --text COL         a text column (repeatable; default: by header)\n"
"  --post, --date, --year, --place, --unit, --id COL\n"
"                     the column of the post, conduct date, year, place,\n"
"                     unit, finding id\n"
"  --field NAME=COL   the column of any field a rule names\n"
"  --unmatched FILE   write rows that cite nothing to FILE\n"
"  -v                 write rows that cite nothing instead of citations\n"
"  --explain          add an explain column\n"
"  --no-prefilter     run every pattern on every row (same results)\n"
"  --no-history       history conditions never hold; one pass\n"
"  --ledger FILE      history conditions with a ledger_case also read\n"
"                     the cases of this ledger (repeatable)\n"
"  -q                 no summary on stderr\n", fp);
}

/* A growable list of option arguments. */
struct list {
	const char	**v;
	size_t		  n;
};

static void
push(struct list *l, const char *s)
{
	l->v = wz_reallocarray(l->v, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = s;
}

static void
list_free(struct list *l)
{
	free(l->v);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		WZ_CLI_LONGOPTS,
		WZ_CLI_RULES_LONGOPTS,
		{ "rules",        required_argument, NULL, OPT_RULES },
		{ "doc",          required_argument, NULL, OPT_DOC },
		{ "text",         required_argument, NULL, OPT_TEXT },
		{ "post",         required_argument, NULL, OPT_POST },
		{ "date",         required_argument, NULL, OPT_DATE },
		{ "year",         required_argument, NULL, OPT_YEAR },
		{ "place",        required_argument, NULL, OPT_PLACE },
		{ "unit",         required_argument, NULL, OPT_UNIT },
		{ "id",           required_argument, NULL, OPT_ID },
		{ "field",        required_argument, NULL, OPT_FIELD },
		{ "unmatched",    required_argument, NULL, OPT_UNMATCHED },
		{ "explain",      no_argument,       NULL, OPT_EXPLAIN },
		{ "no-prefilter", no_argument,       NULL, OPT_NO_PREFILTER },
		{ "no-history",   no_argument,       NULL, OPT_NO_HISTORY },
		{ "ledger",       required_argument, NULL, OPT_LEDGER },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const fname[] = {
		[OPT_POST - OPT_POST] = "title", [OPT_DATE - OPT_POST] = "date",
		[OPT_YEAR - OPT_POST] = "year", [OPT_PLACE - OPT_POST] = "place",
		[OPT_UNIT - OPT_POST] = "unit", [OPT_ID - OPT_POST] = "id"
	};
	static char dash[] = "-";
	char *stdin_only[] = { dash, NULL };
	struct wz_cli cli;
	struct wz_match_opts mo;
	struct wz_match_stats st;
	struct list rules = { 0 }, docs = { 0 }, text = { 0 }, fields = { 0 },
	    defs = { 0 }, owned = { 0 }, ledgers = { 0 };
	struct wz_lhist_stats ls;
	struct wz_ruleset *rs;
	struct wz_matcher *m = NULL;
	struct wz_writer *out = NULL, *unm = NULL;
	const char *unmatched = NULL;
	int ch, quiet = 0, status = 0, fd = -1, errs = 0;
	size_t i;
	char *s;

	wz_cli_init(&cli, argv, usage);
	memset(&mo, 0, sizeof(mo));
	while ((ch = getopt_long(argc, argv, WZ_CLI_SHORTOPTS "qvD:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'q': quiet = 1; break;
		case 'v': mo.invert = 1; break;
		case 'D': push(&defs, optarg); break;
		case OPT_RULES: push(&rules, optarg); break;
		case OPT_DOC: push(&docs, optarg); break;
		case OPT_TEXT: push(&text, optarg); break;
		case OPT_POST: case OPT_DATE: case OPT_YEAR: case OPT_PLACE:
		case OPT_UNIT: case OPT_ID:
			s = wz_aprintf("%s=%s", fname[ch - OPT_POST], optarg);
			push(&owned, s);
			push(&fields, s);
			break;
		case OPT_FIELD: push(&fields, optarg); break;
		case OPT_UNMATCHED: unmatched = optarg; break;
		case OPT_EXPLAIN: mo.explain = 1; break;
		case OPT_NO_PREFILTER: mo.no_prefilter = 1; break;
		case OPT_NO_HISTORY: mo.no_history = 1; break;
		case OPT_LEDGER: push(&ledgers, optarg); break;
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
	if (mo.invert && unmatched != NULL)
		wz_cli_usage_error(&cli, "-v and --unmatched: choose one");
	if (mo.no_history && ledgers.n > 0)
		wz_cli_usage_error(&cli, "--no-history and --ledger: choose "
		    "one");
	mo.text_cols = text.v;
	mo.ntext = text.n;
	mo.fields = fields.v;
	mo.nfields = fields.n;
	mo.docs = docs.v;
	mo.ndocs = docs.n;
	mo.labels_zh = cli.labels != NULL && strcmp(cli.labels, "zh") == 0;

	rs = wz_cli_rules_new(&cli);
	if (rules.n == 0)
		push(&rules, wz_rules_default_dir());
	for (i = 0; i < rules.n; i++)
		errs += wz_rules_load(rs, rules.v[i]);
	errs += wz_rules_finish(rs);
	if (errs > 0) {
		status = EX_CONFIG;
		goto done;
	}
	/* These print their own message. */
	for (i = 0; i < defs.n; i++)
		if (wz_rules_define(rs, defs.v[i]) == -1) {
			status = EX_USAGE;
			goto done;
		}
	if ((m = wz_matcher_new(rs, &mo)) == NULL) {
		status = EX_USAGE;
		goto done;
	}
	if (ledgers.n > 0) {
		if ((status = wz_matcher_ledgers(m, (char *const *)ledgers.v,
		    ledgers.n, &ls)) != 0) {
			wz_msg(NULL, 0, "nothing matched: the ledgers' history "
			    "would be incomplete");
			goto done;
		}
		if (ls.unplaced > 0)
			wz_msg(NULL, 0, "ledger cases of the history's "
			    "articles without case= or year= in the note "
			    "(recorded by an older wz-ledger, or without a "
			    "year): %lu, no history from them", ls.unplaced);
		if (!quiet)
			wz_msg(NULL, 0, "ledger%s: %lu record%s read, %lu "
			    "case%s for history", ledgers.n == 1 ? "" : "s",
			    ls.records, ls.records == 1 ? "" : "s",
			    ls.counted, ls.counted == 1 ? "" : "s");
	}

	out = wz_cli_stdout(&cli);
	if (unmatched != NULL) {
		fd = open(unmatched, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0666);
		if (fd == -1) {
			wz_sysmsg(unmatched, "cannot create");
			status = EX_CANTCREAT;
			goto done;
		}
		unm = wz_writer_new(fd, unmatched, &cli.out);
	}
	status = wz_match_run(m, optind < argc ? argv + optind : stdin_only,
	    optind < argc ? (size_t)(argc - optind) : 1, &cli.in, out, unm,
	    &st);
	if (!quiet)
		wz_msg(NULL, 0, "%lu read, %lu matched (%lu citations), %lu "
		    "unmatched, %lu excluded, %lu rejected", st.read,
		    st.matched, st.citations, st.unmatched, st.excluded,
		    st.rejected);
	if (unm != NULL && wz_writer_close(unm) != 0 && status < EX_IOERR)
		status = EX_IOERR;
done:
	if (fd != -1)
		close(fd);
	wz_matcher_free(m);
	wz_rules_free(rs);
	for (i = 0; i < owned.n; i++)
		free((char *)owned.v[i]);
	list_free(&owned);
	list_free(&rules);
	list_free(&docs);
	list_free(&text);
	list_free(&fields);
	list_free(&defs);
	list_free(&ledgers);
	return out != NULL ? wz_cli_finish(out, status) : status;
}
