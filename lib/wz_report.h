/*
 * wz_report.h - reports and queries over accountability ledgers
 * (责任追究台账), for wz-report(1).
 *
 * A report covers a period [from, to] of calendar dates and reads one or
 * more ledgers through wz_ledger.h.  Each event counts on its effective
 * date, the ledger's `date` column (`wz-ledger append --on`, `wz-ledger
 * event --date`), else the UTC date of its `at`.  Only events dated on
 * or before the period end are folded, so the report shows the ledgers
 * as they stood at the end of the period.  The ledger head is the one
 * exception: it is taken on `at`, the time of recording, because that is
 * what the hash chain proves.
 *
 * Counting follows DESIGN.md Decision 10: one person's (or unit's) cases
 * of one finding in one ledger are one 台账 row (a "case" in the tables),
 * listing all its articles.  Cases of different ledgers are never merged,
 * even when their finding ids agree.
 *
 * The tables, by the code `--table` takes:
 *   summary   per ledger (and a total): new, decided, due, overdue,
 *             closed, open at the period end, people under a ban
 *   new       cases recommended in the period (first recommendation)
 *   decided   cases with a `decided` event in the period
 *   due       cases whose rectify_by falls in the period
 *   overdue   cases whose rectify_by is on or before the period end with
 *             no `rectified` or `closed` event since it was set
 *   closed    cases all of whose records are closed at the period end,
 *             the last closed in the period
 *   unit, article, tier, rank
 *             new / decided / due / overdue / closed counted by the
 *             place, the article, the tier, the rank (the ledger's
 *             liable_rank, else the roster's; without either the table
 *             is absent); a case with two articles counts once under each
 *   amount    per place (as unit) and in total: the new cases and the
 *             money involved in them, in yuan, a sum counted once per
 *             finding however many of its cases carry it
 *   measure   measures recommended in new cases and decided in the period
 *   ban       people with no_promotion_until after the period end, from
 *             cases decided (or revised) by then
 *   repeat    people or units with more than one case up to the period
 *             end, across all the ledgers (by liable_id, else by name)
 *   head      per ledger: the records recorded by the end of the period,
 *             as "COUNT HASH" of `wz-ledger head`
 *
 * The functions print their own diagnostics ("prog: FILE:LINE: why")
 * and return exit statuses of DESIGN.md "Streams".
 */
#ifndef WZ_REPORT_H
#define WZ_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "wz_csv.h"

enum wz_period_kind {
	WZ_PERIOD_RANGE,	/* --from / --to */
	WZ_PERIOD_MONTH,	/* --month YYYY-MM */
	WZ_PERIOD_YEAR		/* --year YYYY */
};

/* A period of calendar dates, both ends included. */
struct wz_period {
	enum wz_period_kind kind;
	char		 from[11];	/* YYYY-MM-DD; "" = from the start */
	char		 to[11];	/* YYYY-MM-DD; "" = no end */
};

/*
 * Parse a period argument into p: "YYYY-MM" (WZ_PERIOD_MONTH) or "YYYY"
 * (WZ_PERIOD_YEAR) sets both ends.  Returns 0, or -1 if s is not one.
 */
int	 wz_period_month(struct wz_period *p, const char *s);
int	 wz_period_year(struct wz_period *p, const char *s);

/* Is s a valid table code (summary, new, ...)? */
int	 wz_report_table_ok(const char *s);

struct wz_report_opts {
	struct wz_period period;	/* to must be set */
	int		 en;		/* English headings and codes */
	const char	*roster;	/* wz-roster output, or NULL */
	const struct wz_ropts *roster_in;	/* how to read it */
	int		 unit_depth;	/* count by the first N places; 0 all */
};

struct wz_report;

/*
 * Read the ledgers (and the roster) and build every table; the caller
 * frees the report with wz_report_free.  *status gets the worst problem
 * met: 0, 1 (lines that are not records, roster rows without a rank:
 * reported and skipped), EX_DATAERR (a file that is not a ledger, a
 * roster without person_id and rank), EX_NOINPUT (cannot open),
 * EX_IOERR.  A ledger that cannot be read is left out, which stderr and
 * the report's title both say.  Returns NULL (after a message) when the
 * roster cannot be used or no ledger at all could be read: a report of
 * nothing would read as a period without cases.
 */
struct wz_report *wz_report_build(char *const *ledgers, size_t n,
	    const struct wz_report_opts *o, int *status);
/*
 * Write the report as Markdown to fp: a title with the period, then one
 * section per table (only `table` if not NULL), each a pipe table padded
 * for a fixed-width font.  Returns 0, or -1 on a write error.
 */
int	 wz_report_markdown(const struct wz_report *r, const char *table,
	    FILE *fp);
/*
 * Write the report to w (CSV or TSV, as w was made).  With table set,
 * that table with its header; with table NULL, every table in one long
 * table of four columns, table,row,column,value: row counts the table's
 * rows from 1, column is the heading as the Markdown shows it.
 */
void	 wz_report_csv(const struct wz_report *r, const char *table,
	    struct wz_writer *w);
/*
 * Write the report as an .xlsx workbook to path: one sheet per table
 * (only `table` if not NULL), named and headed as the Markdown is, with
 * numbers as numbers and dates as date cells (wz_xlsxw.h).  The title
 * and the ledgers go into the workbook's properties.  Returns 0, or an
 * exit status after a message.
 */
int	 wz_report_xlsx(const struct wz_report *r, const char *table,
	    const char *path);
void	 wz_report_free(struct wz_report *r);

/* ---- Queries: the folded state of `wz-ledger state`, filtered. ---- */

struct wz_query {
	const char	*person;	/* liable_id or liable_name equals */
	const char	*unit;		/* place holds these path components */
	const char	*article;	/* article is it or under it */
	const char	*tier;		/* code, or its Chinese label */
	const char	*measure;	/* in the current measures */
	const char	*from, *to;	/* opened in [from, to]; NULL: open */
	int		 open;		/* status is not closed */
};

/*
 * Fold the ledgers' events dated up to q->to (all if NULL) as `wz-ledger
 * state` does, and write to w the header and the rows that pass every
 * filter of q.  Returns a status as wz_report_build's.
 */
int	 wz_report_query(char *const *ledgers, size_t n,
	    const struct wz_query *q, struct wz_writer *w);

/*
 * Does the place path hold unit as whole components ("平襄镇" and
 * "通渭县/平襄镇" are in "通渭县/平襄镇/城关村"; "平襄" is not)?
 * Does article fall under want ("tongwei2017", "tongwei2017:5" and
 * "tongwei2017:5.11" all hold "tongwei2017:5.11")?
 */
int	 wz_place_has(const char *place, const char *unit);
int	 wz_article_under(const char *article, const char *want);

#endif
