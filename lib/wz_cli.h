/*
 * wz_cli.h - the options and habits every wz-* program shares:
 * getopt_long entries, their parsing, --help/--version, closed pipes.
 *
 * A program lists WZ_CLI_LONGOPTS in its own option table, passes every
 * option it does not know itself to wz_cli_option(), and prints
 * wz_cli_common_help() at the end of its usage.  A program that loads
 * rule files also lists WZ_CLI_RULES_LONGOPTS (the limits rules run
 * under), prints wz_cli_rules_help() and makes its ruleset with
 * wz_cli_rules_new().
 */
#ifndef WZ_CLI_H
#define WZ_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "wz_csv.h"

enum {
	WZ_OPT_ENCODING = 0x1000,
	WZ_OPT_OUT_ENCODING,
	WZ_OPT_SKIP,
	WZ_OPT_NO_HEADER,
	WZ_OPT_EXCEL,
	WZ_OPT_EXCEL_SAFE,
	WZ_OPT_MAX_FIELD,
	WZ_OPT_MAX_ROW,
	WZ_OPT_MAX_COLS,
	WZ_OPT_SHEET,
	WZ_OPT_MAX_XLSX,
	WZ_OPT_LABELS,
	WZ_OPT_MAX_RULES,
	WZ_OPT_MATCH_LIMIT,
	WZ_OPT_DEPTH_LIMIT,
	WZ_OPT_VERSION,
	WZ_OPT_HELP,
	WZ_OPT_PROGRAM		/* first code free for a program's own */
};

#define WZ_CLI_SHORTOPTS "t"
#define WZ_CLI_LONGOPTS \
	{ "tsv",          no_argument,       NULL, 't' }, \
	{ "encoding",     required_argument, NULL, WZ_OPT_ENCODING }, \
	{ "out-encoding", required_argument, NULL, WZ_OPT_OUT_ENCODING }, \
	{ "skip",         required_argument, NULL, WZ_OPT_SKIP }, \
	{ "no-header",    no_argument,       NULL, WZ_OPT_NO_HEADER }, \
	{ "excel",        no_argument,       NULL, WZ_OPT_EXCEL }, \
	{ "excel-safe",   no_argument,       NULL, WZ_OPT_EXCEL_SAFE }, \
	{ "max-field",    required_argument, NULL, WZ_OPT_MAX_FIELD }, \
	{ "max-row",      required_argument, NULL, WZ_OPT_MAX_ROW }, \
	{ "max-cols",     required_argument, NULL, WZ_OPT_MAX_COLS }, \
	{ "sheet",        required_argument, NULL, WZ_OPT_SHEET }, \
	{ "max-xlsx",     required_argument, NULL, WZ_OPT_MAX_XLSX }, \
	{ "labels",       required_argument, NULL, WZ_OPT_LABELS }, \
	{ "version",      no_argument,       NULL, WZ_OPT_VERSION }, \
	{ "help",         no_argument,       NULL, WZ_OPT_HELP }
#define WZ_CLI_RULES_LONGOPTS \
	{ "max-rules",    required_argument, NULL, WZ_OPT_MAX_RULES }, \
	{ "match-limit",  required_argument, NULL, WZ_OPT_MATCH_LIMIT }, \
	{ "depth-limit",  required_argument, NULL, WZ_OPT_DEPTH_LIMIT }

struct wz_ruleset;

struct wz_cli {
	struct wz_ropts	 in;
	struct wz_wopts	 out;
	const char	*labels;	/* NULL, "zh" or "en" */
	size_t		 max_rules;	/* --max-rules; 0: the default */
	unsigned long	 match_limit;	/* --match-limit; 0: the default */
	unsigned long	 depth_limit;	/* --depth-limit; 0: the default */
	void		(*usage)(FILE *);	/* the program's usage */
};

/*
 * Start a program: locale, program name (and argv[0] made it, for
 * getopt's messages), SIGPIPE ignored (a closed pipe is then EPIPE,
 * which the writer turns into a quiet exit), defaults.
 */
void	 wz_cli_init(struct wz_cli *c, char **argv, void (*usage)(FILE *));
/*
 * Handle a shared option.  Returns 1 if it was one, 0 if not.  Exits 64
 * with a message on a bad argument, 0 after --help or --version.
 */
int	 wz_cli_option(struct wz_cli *c, int ch, const char *arg);
/* Print "usage" to stderr and exit EX_USAGE. */
_Noreturn void wz_cli_usage_error(struct wz_cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The help text of the shared options. */
void	 wz_cli_common_help(FILE *fp);
/* The help text of WZ_CLI_RULES_LONGOPTS. */
void	 wz_cli_rules_help(FILE *fp);
/*
 * An empty ruleset (wz_rules_new()) with --max-rules applied, after
 * setting the PCRE2 limits of every match to --match-limit and
 * --depth-limit.  The caller frees it with wz_rules_free().
 */
struct wz_ruleset *wz_cli_rules_new(const struct wz_cli *c);
/* A writer on standard output with the output options, or exit 64. */
struct wz_writer *wz_cli_stdout(struct wz_cli *c);
/* Open an input with the input options; on failure report and return
 * NULL (the caller exits EX_NOINPUT or goes on to the next file). */
struct wz_reader *wz_cli_open(struct wz_cli *c, const char *path);
/*
 * Report a reader's WZ_BAD/WZ_FATAL error as "prog: FILE:LINE: msg".
 */
void	 wz_cli_reader_msg(struct wz_reader *r);
/* Flush stdout and turn a write error into EX_IOERR. */
int	 wz_cli_finish(struct wz_writer *w, int status);

#endif
