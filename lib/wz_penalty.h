/*
 * wz_penalty.h - the penalty engine: liability rows (wz-tier's output) +
 * the penalty rules of a ruleset + the ledger's history -> the measures
 * the rules recommend for each liable party, each with the article that
 * grants it (wz-penalty(1), issue 7).
 *
 * For each row the engine takes the penalty rules
 *
 *   - whose `for.article` holds the row's `article` (and whose `for.case`,
 *     if any, meets a case id of the row's `values` column, case=A,B);
 *   - whose `to` selector takes the liable party: posts (is_a) and
 *     not_posts over `liable_role`, tiers over `tier`, ranks over
 *     `liable_rank`; `unit: true` takes only the unit's own row
 *     (liable_role = unit), `level` only a unit at that level;
 *   - whose `when` holds over the row (its fields through the header
 *     aliases, `severity`, the captures of `values`, parameters);
 *   - whose `repeat` holds: this case plus the earlier cases of the same
 *     article in the ledgers, for the same person (liable_id, else
 *     liable_name) or the same unit (the place column), counted once per
 *     finding, number at least `min`;
 *
 * less every rule that another taken rule of the same document names in
 * `replaces` (a step-up).  What the remaining rules grant is merged:
 *
 *   measures       every code of every rule, vocabulary order (mildest
 *                  first, family by family), each once;
 *   alternatives   each rule's choice groups, each in vocabulary order,
 *                  groups joined by ';', choices by '|';
 *   basis          the rules' citation ids, then the national effects
 *                  (rules/national.yaml) that set a period or a promotion
 *                  ban for a code in measures;
 *   handled_by     org=BODY for organisational handling, discipline=BODY
 *                  for party and government sanctions and referrals
 *                  (the document's handled_by, else tongwei2017's);
 *   no_promotion_until  the decision date plus the longest ban among the
 *                  rules' no_promotion and the effects of the measures;
 *   rectify_by     the decision date plus the shortest rectification
 *                  period of the rules that set one;
 *   needs_judgement  y when alternatives are left or a rule says 视情节
 *                  轻重 (judgement), else n; empty when no rule answers.
 *
 * Party sanctions are left out for a liable party whose
 * liable_party_member says it is not a party member (n, no, 否).
 * Choices of measures alone are never narrowed to one pick.
 *
 * Dates are ISO (YYYY-MM-DD), UTC.  A ban or a period of N months ends
 * on the same day N months later (the last day of the month when that
 * month is shorter).
 *
 * The engine keeps the ledgers' cases in memory and reads one row at a
 * time; results are borrowed until the next row.  Rows are independent
 * (DESIGN.md Decision 6): a split input gives the same output.
 *
 * Where a rule's document has these parameters, --explain also says what
 * they come to: recover_rate_min, recover_rate_max and recover_cap (the
 * sum to recover from the row's `amount`, gansuenforce 第二十七条, for a
 * rule whose note names them; otherwise the whole amount), and
 * handling_months (the date by which the case must be handled, from the
 * row's found_date, gansuenforce 第二十二条).
 */
#ifndef WZ_PENALTY_H
#define WZ_PENALTY_H

#include <stddef.h>

#include "wz_csv.h"
#include "wz_rules.h"

struct wz_pen_opts {
	const char	*on;		/* decision date YYYY-MM-DD; NULL: today */
	int		 explain;	/* add the `explain` column */
	int		 labels_zh;	/* add measures_zh, alternatives_zh */
};

/* Counts of a run; read = with + without + rejected. */
struct wz_pen_stats {
	unsigned long	 read;		/* records read (bad ones included) */
	unsigned long	 with;		/* rows some penalty rule answers */
	unsigned long	 without;	/* rows no penalty rule answers */
	unsigned long	 rejected;	/* unreadable records, and rows on
					   which a pattern hit a PCRE2 limit
					   (not written) */
	unsigned long	 reported;	/* written rows with a problem reported */
};

/* What the engine recommends for one row; strings borrowed until the
 * next row, "" when empty. */
struct wz_pen_result {
	int		 answered;	/* some rule applies */
	int		 rejected;	/* a pattern could not finish (a PCRE2
					   limit): reported, not to be written */
	const char	*measures, *alternatives, *basis, *handled_by;
	const char	*no_promotion_until, *rectify_by, *needs_judgement;
	const char	*measures_zh, *alternatives_zh;	/* labels_zh */
	const char	*explain;			/* explain */
};

struct wz_pen;

/*
 * Build an engine over a loaded and finished ruleset (which must outlive
 * it and is only read).  Returns NULL after a message for a decision
 * date that is not a calendar date (the caller exits EX_USAGE).
 */
struct wz_pen *wz_pen_new(const struct wz_ruleset *rs,
	    const struct wz_pen_opts *o);
void	 wz_pen_free(struct wz_pen *p);

/*
 * Read the cases of a ledger (wz_ledger.h) for repeat conditions.  Only
 * cases first recorded on or before the decision date count.  Returns 0,
 * or EX_NOINPUT / EX_DATAERR / EX_IOERR after a message; lines the
 * reader reports as bad are skipped.
 */
int	 wz_pen_ledger(struct wz_pen *p, const char *path);
/* Number of distinct cases read from ledgers so far. */
size_t	 wz_pen_ledger_cases(const struct wz_pen *p);

/*
 * Bind an input's header: find wz-match's and wz-tier's columns and the
 * fields the rules' conditions name.  name is used in messages.  Returns
 * 0, or EX_DATAERR after a message when the header lacks `article`,
 * `tier`, `liable_role` or `liable_name` (the input is not wz-tier's).
 * The header is copied.
 */
int	 wz_pen_bind(struct wz_pen *p, const struct wz_row *hdr,
	    const char *name);

/*
 * Recommend for one row of the bound header.  Problems with the row (no
 * article, an unknown post, an unreadable number) are reported on stderr
 * as "prog: NAME:LINE: ..."; the row is still answered as far as it can
 * be.  A pattern of a rule that cannot finish on the row (PCRE2's match
 * or depth limit) is reported too and sets res->rejected: the row has
 * no answer and must not be written.  Returns 1 if a problem was
 * reported, else 0.  *res is filled until
 * the next call.
 */
int	 wz_pen_row(struct wz_pen *p, const struct wz_row *row,
	    struct wz_pen_result *res);

/* The names of the columns the engine appends (after the row's own). */
void	 wz_pen_write_header(const struct wz_pen *p, struct wz_writer *w,
	    const struct wz_row *hdr);
/* A row's own fields and the result's columns, then the end of row. */
void	 wz_pen_write_row(const struct wz_pen *p, struct wz_writer *w,
	    const struct wz_row *row, const struct wz_pen_result *res);

/*
 * The whole of wz-penalty over inputs (paths; "-" is standard input),
 * writing to out.  Every input must have the first one's header.  Fills
 * st; returns 0, 1 (rows rejected or reported) or the worst of
 * EX_DATAERR, EX_NOINPUT, EX_IOERR met.  Prints no summary.
 */
int	 wz_pen_run(struct wz_pen *p, char *const *paths, size_t n,
	    const struct wz_ropts *ro, struct wz_writer *out,
	    struct wz_pen_stats *st);

#endif
