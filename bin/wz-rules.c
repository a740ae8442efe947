/*
 * wz-rules - check, list, show and test the rule files.
 *
 * The rules are loaded by lib/wz_rules.c and the examples run by the
 * matcher (lib/wz_match.c); this file parses options, picks the files and
 * prints what the subcommands ask for.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wz_base.h"
#include "wz_cli.h"
#include "wz_match.h"
#include "wz_rules.h"

enum {
	OPT_RULES = WZ_OPT_PROGRAM,
	OPT_DOC,
	OPT_GROUP
};

struct opts {
	char		**rules;	/* --rules, in order */
	size_t		  nrules;
	char		**defs;		/* -D */
	size_t		  ndefs;
	const char	 *doc, *group;
	int		  verbose;
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: %s [--rules DIR|FILE] [-D name=value] [--max-rules N]\n"
"       [--match-limit N] [--depth-limit N] command\n"
"       check [PATH ...]           validate rule files or folders\n"
"       list [--doc ID] [--group G] articles as CSV\n"
"       show ID                    one article and what it cites\n"
"       coverage [--doc ID]        articles with a match but no examples\n"
"       test [-v] [--doc ID] [PATH ...]  run every article's examples\n",
	    wz_progname);
}

static void
add(char ***v, size_t *n, char *s)
{
	*v = wz_reallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = s;
}

/* Short text: the first max characters, with an ellipsis if cut. */
static char *
shorten(const char *s, size_t max)
{
	size_t i = 0, n = 0;

	while (s[i] != '\0' && n < max) {
		i++;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		n++;
	}
	return s[i] == '\0' ? wz_strdup(s) : wz_aprintf("%.*s…", (int)i, s);
}

static int
art_in_group(const struct wz_article *a, const char *g)
{
	size_t i, j;

	for (i = 0; i < a->groups.n; i++)
		if (strcmp(a->groups.v[i], g) == 0)
			return 1;
	for (i = 0; i < a->ncases; i++)
		for (j = 0; j < a->cases[i].groups.n; j++)
			if (strcmp(a->cases[i].groups.v[j], g) == 0)
				return 1;
	return 0;
}

#define PL(n)	((n) == 1 ? "" : "s")

/* One line on stderr: what was read, and how many errors. */
static void
summary(const struct wz_ruleset *rs, int nerr)
{
	struct wz_buf b = {0};
	size_t i, npen = 0;

	for (i = 0; i < rs->ndocs; i++)
		npen += rs->docs[i]->npens;
	wz_buf_printf(&b, "%zu file%s, %zu document%s, %zu article%s, %zu "
	    "post%s, %zu penalt%s", rs->nfiles, PL(rs->nfiles), rs->ndocs,
	    PL(rs->ndocs), rs->narts, PL(rs->narts), rs->nposts,
	    PL(rs->nposts), npen, npen == 1 ? "y" : "ies");
	if (nerr > 0)
		wz_buf_printf(&b, "; %d error%s", nerr, nerr == 1 ? "" : "s");
	if (rs->nwarnings > 0)
		wz_buf_printf(&b, "%s %zu warning%s", nerr > 0 ? "," : ";",
		    rs->nwarnings, rs->nwarnings == 1 ? "" : "s");
	wz_msg(NULL, 0, "%s", wz_buf_cstr(&b));
	wz_buf_free(&b);
}

static int
cmd_list(struct wz_cli *cli, const struct wz_ruleset *rs, const struct opts *o)
{
	struct wz_writer *w = wz_cli_stdout(cli);
	const struct wz_article *a;
	struct wz_buf b = {0};
	size_t i, j;
	char *t;

	wz_writer_fieldz(w, "id");
	wz_writer_fieldz(w, "doc");
	wz_writer_fieldz(w, "ref");
	wz_writer_fieldz(w, "kind");
	wz_writer_fieldz(w, "groups");
	wz_writer_fieldz(w, "text");
	wz_writer_endrow(w);
	for (i = 0; i < rs->narts; i++) {
		a = rs->arts[i];
		if ((o->doc != NULL && strcmp(a->doc->id, o->doc) != 0) ||
		    (o->group != NULL && !art_in_group(a, o->group)))
			continue;
		wz_buf_reset(&b);
		for (j = 0; j < a->groups.n; j++)
			wz_buf_printf(&b, "%s%s", j ? ";" : "", a->groups.v[j]);
		wz_writer_fieldz(w, a->id);
		wz_writer_fieldz(w, a->doc->id);
		wz_writer_fieldz(w, a->ref != NULL ? a->ref : "");
		wz_writer_fieldz(w, wz_kind_code(a->kind));
		wz_writer_fieldz(w, wz_buf_cstr(&b));
		t = shorten(a->text != NULL ? a->text : "", 40);
		wz_writer_fieldz(w, t);
		free(t);
		wz_writer_endrow(w);
	}
	wz_buf_free(&b);
	return wz_cli_finish(w, 0);
}

/* A condition as an indented tree: combinations open, leaves one line. */
static void
show_cond(const struct wz_cond *c, int depth)
{
	struct wz_buf b = {0};
	size_t i;

	if ((c->kind == WZ_C_ALL || c->kind == WZ_C_ANY || c->kind ==
	    WZ_C_NOT) && depth < 12) {
		printf("%*s%s\n", 2 * depth, "", c->kind == WZ_C_ALL ?
		    "all of:" : c->kind == WZ_C_ANY ? "any of:" : "not:");
		for (i = 0; i < c->nkids; i++)
			show_cond(c->kids[i], depth + 1);
		return;
	}
	wz_cond_format(c, &b);
	printf("%*s%s\n", 2 * depth, "", wz_buf_cstr(&b));
	wz_buf_free(&b);
}

static void
show_examples(const char *sign, const struct wz_example *e, size_t n)
{
	size_t i, r, k;

	for (i = 0; i < n; i++)
		for (r = 0; r < e[i].nrows; r++) {
			printf("  %s ", r + 1 < e[i].nrows ? " " : sign);
			for (k = 0; k < e[i].rows[r].keys.n; k++)
				printf("%s%s=%s", k ? "; " : "",
				    e[i].rows[r].keys.v[k],
				    e[i].rows[r].vals.v[k]);
			if (e[i].expect_case != NULL && r + 1 == e[i].nrows)
				printf("  [case %s]", e[i].expect_case);
			printf("\n");
		}
}

static int
cmd_show(const struct wz_ruleset *rs, const char *id)
{
	const struct wz_article *a = wz_rules_article(rs, id);
	const struct wz_doc *d, *o;
	struct wz_buf b = {0};
	size_t i, j;

	if (a == NULL) {
		wz_msg(NULL, 0, "%s: no such article", id);
		return 1;
	}
	d = a->doc;
	printf("%s  %s  (%s", a->id, a->ref != NULL ? a->ref : "",
	    wz_kind_code(a->kind));
	if (a->severity != WZ_SEV_NONE)
		printf(", %s %s", wz_severity_code(a->severity),
		    wz_severity_zh(a->severity));
	printf(")\ndocument: %s %s\nfile: %s:%lu\n", d->id, d->title != NULL ?
	    d->title : "", a->file, a->line);
	if (a->groups.n > 0) {
		printf("groups:");
		for (i = 0; i < a->groups.n; i++)
			printf(" %s", a->groups.v[i]);
		printf("\n");
	}
	printf("text%s: %s\n", a->text_summary ? " (summary)" : "",
	    a->text != NULL ? a->text : "");
	if (a->note != NULL)
		printf("note: %s\n", a->note);
	for (i = 0; i < a->nsevwhen; i++) {
		wz_buf_reset(&b);
		wz_cond_format(a->sevwhen[i].when, &b);
		printf("severity %s when %s\n",
		    wz_severity_code(a->sevwhen[i].severity), wz_buf_cstr(&b));
	}
	for (i = 0; i < a->ncases; i++) {
		const struct wz_case *k = &a->cases[i];

		if (k->id != NULL)
			printf("case %s%s%s%s:\n", k->id, k->label ? " (" : "",
			    k->label ? k->label : "", k->label ? ")" : "");
		else
			printf("match:\n");
		for (j = 0; j < k->groups.n; j++)
			printf("%s%s%s", j ? " " : "  groups: ", k->groups.v[j],
			    j + 1 == k->groups.n ? "\n" : "");
		if (k->match != NULL)
			show_cond(k->match, 1);
	}
	if (a->npos + a->nneg > 0) {
		printf("examples (+ positive, - negative):\n");
		show_examples("+", a->pos, a->npos);
		show_examples("-", a->neg, a->nneg);
	}
	for (i = 0; i < d->npens; i++)
		for (j = 0; j < d->pens[i].for_articles.n; j++)
			if (strcmp(d->pens[i].for_articles.v[j], a->id) == 0)
				printf("penalty: %s\n", d->pens[i].id);
	/* Implementation links are kept per document, not per article. */
	for (i = 0; i < d->implements.n; i++) {
		o = wz_rules_doc(rs, d->implements.v[i]);
		printf("implements (document): %s %s\n", d->implements.v[i],
		    o != NULL && o->title != NULL ? o->title : "");
	}
	for (i = 0; i < rs->ndocs; i++)
		for (j = 0; j < rs->docs[i]->implements.n; j++)
			if (strcmp(rs->docs[i]->implements.v[j], d->id) == 0)
				printf("implemented by (document): %s %s\n",
				    rs->docs[i]->id, rs->docs[i]->title);
	wz_buf_free(&b);
	return 0;
}

static int
cmd_coverage(struct wz_cli *cli, const struct wz_ruleset *rs,
    const struct opts *o)
{
	struct wz_writer *w = wz_cli_stdout(cli);
	const struct wz_article *a;
	const struct wz_exclusion *e;
	size_t i, nmatch = 0, nbad = 0;
	char num[32];

	wz_writer_fieldz(w, "id");
	wz_writer_fieldz(w, "positive");
	wz_writer_fieldz(w, "negative");
	wz_writer_endrow(w);
	for (i = 0; i < rs->narts + rs->nexcl; i++) {
		size_t np, nn;
		const char *id;

		if (i < rs->narts) {
			a = rs->arts[i];
			if (a->ncases == 0 || (o->doc != NULL &&
			    strcmp(a->doc->id, o->doc) != 0))
				continue;
			id = a->id, np = a->npos, nn = a->nneg;
		} else {
			e = &rs->excl[i - rs->narts];
			if (o->doc != NULL && (e->doc == NULL ||
			    strcmp(e->doc->id, o->doc) != 0))
				continue;
			id = e->id, np = e->npos, nn = e->nneg;
		}
		nmatch++;
		if (np > 0 && nn > 0)
			continue;
		nbad++;
		wz_writer_fieldz(w, id);
		snprintf(num, sizeof(num), "%zu", np);
		wz_writer_fieldz(w, num);
		snprintf(num, sizeof(num), "%zu", nn);
		wz_writer_fieldz(w, num);
		wz_writer_endrow(w);
	}
	wz_msg(NULL, 0, "%zu of %zu rules with a match lack positive or "
	    "negative examples", nbad, nmatch);
	return wz_cli_finish(w, nbad > 0 ? 1 : 0);
}

/* The matcher runs the examples (DESIGN.md Decision 11: failure is 1). */
static int
cmd_test(const struct wz_ruleset *rs, const struct opts *o)
{
	return wz_match_examples(rs, o->doc, o->verbose, stdout) > 0 ? 1 : 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		WZ_CLI_LONGOPTS,
		WZ_CLI_RULES_LONGOPTS,
		{ "rules",     required_argument, NULL, OPT_RULES },
		{ "doc",       required_argument, NULL, OPT_DOC },
		{ "group",     required_argument, NULL, OPT_GROUP },
		{ "verbose",   no_argument,       NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	struct wz_cli cli;
	struct wz_ruleset *rs;
	struct opts o;
	const char *cmd;
	char **args;
	size_t i, nargs;
	int ch, nerr = 0, check, status;

	memset(&o, 0, sizeof(o));
	wz_cli_init(&cli, argv, usage);
	while ((ch = getopt_long(argc, argv, WZ_CLI_SHORTOPTS "D:v", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_RULES:
			add(&o.rules, &o.nrules, optarg);
			break;
		case 'D':
			add(&o.defs, &o.ndefs, optarg);
			break;
		case OPT_DOC:
			o.doc = optarg;
			break;
		case OPT_GROUP:
			o.group = optarg;
			break;
		case 'v':
			o.verbose = 1;
			break;
		case WZ_OPT_HELP:
			usage(stdout);
			wz_cli_rules_help(stdout);
			wz_cli_common_help(stdout);
			return 0;
		default:
			if (!wz_cli_option(&cli, ch, optarg))
				wz_cli_usage_error(&cli, NULL);
		}
	}
	if (optind >= argc)
		wz_cli_usage_error(&cli, "no command");
	cmd = argv[optind];
	args = argv + optind + 1;
	nargs = (size_t)(argc - optind - 1);
	check = strcmp(cmd, "check") == 0;
	if (!check && strcmp(cmd, "test") != 0 && strcmp(cmd, "list") != 0 &&
	    strcmp(cmd, "show") != 0 && strcmp(cmd, "coverage") != 0)
		wz_cli_usage_error(&cli, "unknown command '%s'", cmd);
	if ((strcmp(cmd, "show") == 0 && nargs != 1) || (nargs > 0 &&
	    (strcmp(cmd, "list") == 0 || strcmp(cmd, "coverage") == 0)))
		wz_cli_usage_error(&cli, "%s: wrong number of arguments", cmd);
	if ((o.doc != NULL && (check || strcmp(cmd, "show") == 0)) ||
	    (o.group != NULL && strcmp(cmd, "list") != 0) ||
	    (o.verbose && strcmp(cmd, "test") != 0))
		wz_cli_usage_error(&cli, "%s: option not used by this command",
		    cmd);

	rs = wz_cli_rules_new(&cli);
	rs->warnings = check;
	/* PATH arguments of check and test replace the default folder. */
	if (o.nrules == 0 && !((check || strcmp(cmd, "test") == 0) &&
	    nargs > 0))
		nerr += wz_rules_load(rs, wz_rules_default_dir());
	for (i = 0; i < o.nrules; i++)
		nerr += wz_rules_load(rs, o.rules[i]);
	for (i = 0; strcmp(cmd, "show") != 0 && i < nargs; i++)
		nerr += wz_rules_load(rs, args[i]);
	nerr += wz_rules_finish(rs);
	for (i = 0; i < o.ndefs; i++)
		if (wz_rules_define(rs, o.defs[i]) == -1)
			exit(EX_USAGE);
	if (check || nerr > 0)
		summary(rs, nerr);
	if (nerr > 0)
		status = EX_CONFIG;
	else if (check)
		status = 0;
	else if (strcmp(cmd, "list") == 0)
		status = cmd_list(&cli, rs, &o);
	else if (strcmp(cmd, "show") == 0)
		status = cmd_show(rs, args[0]);
	else if (strcmp(cmd, "coverage") == 0)
		status = cmd_coverage(&cli, rs, &o);
	else
		status = cmd_test(rs, &o);
	wz_rules_free(rs);
	free(o.rules);
	free(o.defs);
	/* A full disk is an error; a closed pipe (| head) is not. */
	errno = 0;
	if ((fflush(stdout) == EOF || ferror(stdout)) && errno != EPIPE) {
		wz_msg(NULL, 0, "standard output: write error");
		status = EX_IOERR;
	}
	return status;
}
