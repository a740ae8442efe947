/*
 * wz_match.h - the matcher engine: findings rows + a ruleset -> citations
 * of the articles each row breaks (wz-match(1), issue 5).
 *
 * A matcher is built once from a loaded ruleset (the ruleset must outlive
 * it and is only read), bound to each input's header, and then run on
 * rows.  For each row it:
 *
 *   - normalises the text column(s) once (lib/wz_text.h) and, unless the
 *     prefilter is off, scans them once with an Aho-Corasick automaton of
 *     every text condition's required literals (lib/wz_ac.h): a pattern's
 *     literals come in clauses (wz_rx_clauses()), and PCRE2 runs only for
 *     conditions every clause of which has a literal in the text;
 *   - reads a field column's value once per distinct value (核查结果 holds
 *     a handful): its normal form and the result of each field pattern on
 *     it are kept, and a case that needs text or field tests that fail is
 *     not visited at all;
 *   - drops the row if an exclusion of common.yaml holds (经核查不属实);
 *   - cites every article in force at the row's date (conduct date, else
 *     discovery date, else year) whose subject group takes the row's post
 *     (or every group's, when the post is missing or unknown) and one of
 *     whose cases holds, unless an exclusion of its own document holds.
 *
 * History conditions read a table that a first pass over the same input
 * fills (wz_matcher_history_row); wz_match_run() makes that pass itself.
 *
 * Nothing here allocates per row once the buffers have grown to the
 * largest row; results are borrowed until the next row.
 */
#ifndef WZ_MATCH_H
#define WZ_MATCH_H

#include <stdio.h>

#include "wz_csv.h"
#include "wz_rules.h"

struct wz_match_opts {
	const char *const *text_cols;	/* --text: headers; none: alias `text` */
	size_t		 ntext;
	/* --field NAME=COL and the shortcuts --post (title), --date,
	 * --year, --place, --unit, --id: "NAME=COL" strings. */
	const char *const *fields;
	size_t		 nfields;
	const char *const *docs;	/* --doc: only these documents */
	size_t		 ndocs;
	int		 no_prefilter;
	int		 no_history;	/* history conditions never hold */
	int		 explain;	/* add the `explain` column */
	int		 labels_zh;	/* add severity_zh, group_zh */
	int		 invert;	/* -v: write unmatched rows instead
					 * (citations then have empty
					 * evidence and values) */
};

/* Counts of one run; read = matched + unmatched + excluded + rejected. */
struct wz_match_stats {
	unsigned long	 read, matched, citations, unmatched, excluded;
	unsigned long	 rejected;	/* unreadable rows, regex limits */
	unsigned long	 unknown_posts;	/* matched rows with a title no post takes */
	unsigned long	 reported;	/* other rows reported (bad numbers, dates) */
};

/* The outcome of one row. */
enum wz_match_result {
	WZ_M_UNMATCHED = 0,
	WZ_M_MATCHED,
	WZ_M_EXCLUDED,
	WZ_M_REJECTED
};

/* One citation of a matched row; strings borrowed until the next row. */
struct wz_citation {
	const struct wz_article *art;
	const char	*evidence;	/* the user's words, "; " between */
	const char	*values;	/* "amount=42000;days=98;case=ID" */
	const char	*cases;		/* case ids that held, "," between; "" */
	const char	*group;		/* group id, "unknown" or "" */
	const char	*group_label;	/* its label (Chinese), or "" */
	enum wz_severity severity;
	const char	*explain;	/* only with opts.explain, else "" */
};

struct wz_matcher;

/*
 * Build a matcher: compile the conditions of the chosen documents, the
 * prefilter and the group tables.  Prints a message and returns NULL when
 * a --doc or --field names nothing (the caller exits EX_USAGE).
 */
struct wz_matcher *wz_matcher_new(const struct wz_ruleset *rs,
	    const struct wz_match_opts *o);
void	 wz_matcher_free(struct wz_matcher *m);

/* Does the matcher hold history conditions (and was not told to ignore
 * them)? */
int	 wz_matcher_has_history(const struct wz_matcher *m);

/*
 * Bind an input's header: find the text, post, date, year and every field
 * a condition names, by option or by header alias.  name is the input's
 * name for messages.  Returns 0, or an exit status after a message
 * (EX_USAGE: an option names a column the header lacks; EX_DATAERR: two
 * columns are one field).  The header is copied.
 */
int	 wz_matcher_bind(struct wz_matcher *m, const struct wz_row *hdr,
	    const char *name);

/*
 * The first pass of history: remember what this row contributes to the
 * history conditions (rows whose inner condition holds, by key and year).
 * wz_matcher_history_reset() forgets the first pass's table (not what
 * wz_matcher_ledgers() read).  Whether the bound header can contribute
 * at all: wz_matcher_history_needed().
 */
int	 wz_matcher_history_needed(const struct wz_matcher *m);
void	 wz_matcher_history_row(struct wz_matcher *m, const struct wz_row *row);
void	 wz_matcher_history_reset(struct wz_matcher *m);

/*
 * History from ledgers (wz-match --ledger): read the cases of the
 * ledgers (lib/wz_ledger.h, wz_ledger_history()) that a history
 * condition with a ledger_case can use.  Such a condition, whose key is
 * [unit], then also holds for a row of year Y when, for each of its N
 * years, the ledgers hold a counting case of the condition's article
 * whose note names the ledger_case among its rule cases and year Y-k,
 * at the row's unit: the case's place, or the path (liable_id) of the
 * unit's own collective case, normalised as fields are; a row's unit is
 * the case's when it is the case's path or a shorter path that ends it
 * (西山乡 and 通渭县/西山乡 for 通渭县/西山乡).  The sheet's own
 * earlier rows count as before.  Call once, before matching;
 * wz_matcher_history_reset() keeps what the ledgers gave.  Returns 0, or an exit status after
 * messages (EX_DATAERR: a ledger does not verify or has lines that are
 * not records; EX_NOINPUT; EX_IOERR); st gets the counts.
 */
struct wz_lhist_stats;
int	 wz_matcher_ledgers(struct wz_matcher *m, char *const *paths,
	    size_t n, struct wz_lhist_stats *st);

/*
 * Match one row of the bound header.  Messages about the row (regex
 * limits, unknown posts, unreadable numbers or dates) go to stderr as
 * "prog: NAME:LINE: ...".  The citations are read with
 * wz_matcher_citations() until the next call.
 */
enum wz_match_result wz_matcher_row(struct wz_matcher *m,
	    const struct wz_row *row);
size_t	 wz_matcher_citations(const struct wz_matcher *m,
	    const struct wz_citation **cit);
/* Did the last row have an unknown post, or another reported problem
 * (it was processed; DESIGN.md Decision 11 gives exit status 1)? */
int	 wz_matcher_row_unknown_post(const struct wz_matcher *m);
int	 wz_matcher_row_reported(const struct wz_matcher *m);
/* The id of the exclusion that dropped the last row, or NULL. */
const char *wz_matcher_row_exclusion(const struct wz_matcher *m);

/* The columns wz-match appends (header names), and one citation's
 * values for them, written after the row's own fields.  row must be the
 * row last given to wz_matcher_row(): its encoding is kept for the
 * row's other citations.  c must be one of its citations: the encoding
 * of its article, severity and group strings is kept, by address, for
 * the matcher's life. */
void	 wz_matcher_write_header(const struct wz_matcher *m,
	    struct wz_writer *w, const struct wz_row *hdr);
void	 wz_matcher_write_citation(struct wz_matcher *m,
	    struct wz_writer *w, const struct wz_row *row,
	    const struct wz_citation *c);

/*
 * The whole of wz-match over inputs (paths; "-" is standard input): the
 * history pass when needed (standard input and other unseekable inputs
 * are first copied to a temporary file), then matching, writing
 * citations to out and unmatched/excluded rows to unm (either may be
 * NULL; with opts.invert unmatched rows go to out).  Every input must
 * have the first one's header.  Fills st; returns 0, 1 (rows rejected,
 * unknown posts or other rows reported), or the worst of EX_DATAERR,
 * EX_NOINPUT, EX_IOERR, EX_USAGE met on the way.
 */
int	 wz_match_run(struct wz_matcher *m, char *const *paths, size_t n,
	    const struct wz_ropts *ro, struct wz_writer *out,
	    struct wz_writer *unm, struct wz_match_stats *st);

/*
 * Run every article's positive and negative examples (and those of the
 * exclusions) through the matcher, as rows whose keys are headers looked
 * up through the aliases.  only_doc restricts to one document (NULL: all).
 * Prints each failure to out ("FAIL ARTICLE positive N (FILE:LINE): ..."),
 * with verbose a line per article with its counts, then "N passed, N
 * failed".  Returns the number of failures.
 */
int	 wz_match_examples(const struct wz_ruleset *rs, const char *only_doc,
	    int verbose, FILE *out);

#endif
