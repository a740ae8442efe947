/*
 * wz_tier.h - the tier engine: violations (wz-match output) + a canonical
 * roster (wz-roster output) -> one row per liable party and tier, with
 * the bodies that propose and decide (wz-tier(1), issue 6).
 *
 * The rules it applies (DESIGN.md Decisions 2-5, 11, 12):
 *
 *   direct            the person the finding names, once, whatever their
 *                     post: by --resolve (finding id -> person id), by id
 *                     (person_id or the id_number column), or by name
 *                     among the roles whose scope contains the place or
 *                     lies in the same township (the place itself when it
 *                     is not inside a township), else in the finding's
 *                     unit.  A name that fits no one or several people
 *                     gives a row with an empty liable_id, reported on
 *                     stderr.
 *   main_leader,      every role that the tier table of the article's
 *   important_leader  document (else of the document it implements, else
 *                     tongwei2017's; --tiers DOC overrides) puts at that
 *                     tier, whose scope contains the place and whose
 *                     period overlaps the date of the conduct.  A
 *                     county_lgroup role is reached only by the articles
 *                     of the subject group that names county_lgroup
 *                     (tongwei2017:4.*) at county level.
 *   collective        the unit (liable_role "unit", liable_id its path)
 *                     when a penalty rule of the article selects the unit
 *                     itself; its proposer and decider are those of the
 *                     unit's first responsible person (第八条).
 *
 * On a grade row (a case of the article that tests the grade field,
 * tongwei2017:11.1; Decision 4) the people are instead those whose posts
 * the article's penalty rules name for the cases held, in the unit or
 * below it, one row each; their tier is the table's leader tier, else
 * collective.  A person named as the actor is not listed again at a
 * leader tier.  Proposer and decider come from the deciding-authority
 * table (第十三条) of the same document as the tiers: every entry whose
 * posts take the post, alternatives joined by ';', an entry's escalate
 * replacing its decider for holders of its rank.
 *
 * The place of a violation is a path of units built from the county,
 * township and village columns, else the place column, else the unit
 * column; a path without the county is relative to --county or the
 * roster's single county.  The roster is indexed by scope path (a hash
 * of paths, walked up from the place), by person id, id number and name,
 * so no row scans the roster.  Every row is handled on its own: the
 * output does not depend on how the input is split.  (Consecutive rows of
 * one finding reuse the last row's place and people, and repeat its
 * messages: a cache, not a dependence.)
 *
 * Ownership: a struct wz_tier copies what it keeps of the roster and the
 * resolve file; it borrows the ruleset, which must outlive it.  Rows
 * passed in are borrowed for the call only.
 */
#ifndef WZ_TIER_H
#define WZ_TIER_H

#include <stddef.h>

#include "wz_base.h"
#include "wz_csv.h"
#include "wz_date.h"
#include "wz_rules.h"

struct wz_tier_opts {
	const char	*roster;	/* --roster FILE (required) */
	const char	*resolve;	/* --resolve FILE, or NULL */
	const char	*tiers_doc;	/* --tiers DOC, or NULL */
	const char	*county;	/* --county NAME, or NULL */
	/* --field NAME=COL: the column of a field of the violations
	 * (id, name, person_id, id_number, title, county, township,
	 * village, place, unit, date, found_date, year, values). */
	const char *const *fields;
	size_t		 nfields;
	int		 explain;	/* add the `explain` column */
	int		 labels_zh;	/* add liable_role_zh, tier_zh */
	const struct wz_ropts *ropts;	/* how to read the roster and resolve
					   files (tsv, encoding; not skip or
					   no_header); NULL: CSV */
};

/* Counts of one run.  read = rows handled + rejected; every violation
 * handled writes at least one row. */
struct wz_tier_stats {
	unsigned long	 read;		/* violations read */
	unsigned long	 written;	/* rows written */
	unsigned long	 persons, units;	/* of which units */
	unsigned long	 unresolved;	/* direct rows without a liable_id */
	unsigned long	 places;	/* rows whose place was ambiguous or
					   not in the roster */
	unsigned long	 reported;	/* rows reported (these and others:
					   no date, unknown article) */
	unsigned long	 rejected;	/* unreadable input rows, and rows
					   whose title a post pattern could
					   not read (a PCRE2 limit) */
	unsigned long	 roster_rows, roster_bad;	/* roster rows read,
							   reported */
};

struct wz_tier;

/*
 * Load the roster (and the resolve file) and prepare the tier and
 * authority tables.  Messages go to stderr; on failure returns NULL and
 * sets *status (EX_NOINPUT, EX_DATAERR, EX_USAGE for an unknown --tiers
 * document, EX_CONFIG when no document has a tier table).  Roster rows
 * that cannot be used are reported and counted (wz_tier_stats).
 */
struct wz_tier *wz_tier_new(const struct wz_ruleset *rs,
	    const struct wz_tier_opts *o, int *status);
void	 wz_tier_free(struct wz_tier *t);

/*
 * Bind a violations header: find the article column and the fields by
 * option or header alias.  Returns 0, or an exit status after a message
 * (EX_DATAERR: no article column, or two columns are one field;
 * EX_USAGE: a --field names a column the header lacks, or --resolve
 * without an id column).  The header is copied.
 */
int	 wz_tier_bind(struct wz_tier *t, const struct wz_row *hdr,
	    const char *name);
/* The output header: the input's columns, then the columns wz-tier adds. */
void	 wz_tier_write_header(struct wz_tier *t, struct wz_writer *w,
	    const struct wz_row *hdr);
/*
 * Handle one violation of the bound header and write its rows to w.
 * Problems are reported as "prog: NAME:LINE: ..." and counted.  A row
 * whose title a post pattern cannot read (a PCRE2 limit) is rejected:
 * nothing is written for it.  Returns 0, or 1 when the row was reported
 * or rejected (DESIGN.md Decision 11).
 */
int	 wz_tier_row(struct wz_tier *t, const struct wz_row *row,
	    struct wz_writer *w);

/*
 * The whole of wz-tier over inputs (paths; "-" is standard input).  Every
 * input must have the first one's header.  Returns 0, 1 (rows reported
 * or rejected, roster rows reported), or the worst of EX_DATAERR,
 * EX_NOINPUT, EX_IOERR, EX_USAGE met on the way.
 */
int	 wz_tier_run(struct wz_tier *t, char *const *paths, size_t n,
	    const struct wz_ropts *ro, struct wz_writer *out,
	    struct wz_tier_stats *st);
/* The counts so far (roster counts are known after wz_tier_new). */
void	 wz_tier_stats(const struct wz_tier *t, struct wz_tier_stats *st);

/*
 * Periods.  A date cell (conduct date, discovery date or year) covers
 * the days [*lo, *hi]: one day, a month, a year, or a period typed as
 * 2018.03-2019.03 (an open end is WZ_TIER_END).  Returns WZ_DATE_OK,
 * WZ_DATE_EMPTY or WZ_DATE_BAD.  "2018年度" reads as the year.
 */
#define WZ_TIER_BEGIN	WZ_DAY_NONE	/* before every date */
#define WZ_TIER_END	INT32_MAX	/* after every date */
int	 wz_tier_span(const char *s, size_t n, wz_day *lo, wz_day *hi);
/*
 * Does a role held over [from, to] (WZ_TIER_BEGIN / WZ_TIER_END for open
 * ends) count for conduct over [lo, hi]?  Yes when the two overlap, both
 * ends included: a role that ended before the conduct does not count, one
 * that ended after it does, and a year-only date takes everyone who held
 * the role at some time in that year (Decision 5).
 */
int	 wz_tier_overlaps(wz_day from, wz_day to, wz_day lo, wz_day hi);

/*
 * The scope index: a tree of unit paths ("通渭县/平襄镇/城关村") with a hash
 * of full paths and one of last components, so a place is found without
 * scanning.  Paths are stored as given (the caller normalises them).
 */
struct wz_scopes;

enum wz_place_status {
	WZ_PLACE_OK = 0,
	WZ_PLACE_NONE,		/* nothing to build a place from */
	WZ_PLACE_UNKNOWN,	/* a part is not in the index (kept literally) */
	WZ_PLACE_AMBIGUOUS	/* a part names several units below its parent */
};

struct wz_scopes *wz_scopes_new(void);
void	 wz_scopes_free(struct wz_scopes *s);
/* Add a path and its ancestors; returns the node of the path. */
int	 wz_scopes_add(struct wz_scopes *s, const char *path, size_t n);
/* The node of an exact path, or -1. */
int	 wz_scopes_find(const struct wz_scopes *s, const char *path, size_t n);
/* A node's parent (-1 at the top), its path (borrowed) and depth (1 at
 * the top). */
int	 wz_scopes_parent(const struct wz_scopes *s, int node);
const char *wz_scopes_path(const struct wz_scopes *s, int node);
int	 wz_scopes_depth(const struct wz_scopes *s, int node);
/* Does path a contain path b (equal, or b lies below a)? */
int	 wz_scope_contains(const char *a, size_t alen, const char *b,
	    size_t blen);
/*
 * Resolve a place written as parts (each part one unit or several run
 * together, such as 平襄镇城关村; a part with '/' is split there), below
 * node base (-1: the top).  A part names a child of the current unit, or
 * else a unit anywhere below it if only one has that name; the words
 * 人民政府, 党委, 村委会 ... after a unit's name are ignored, and a part
 * that repeats the county's name (通渭县农业农村局) is read without it.
 * Sets *node to the deepest unit found and path to the whole path
 * (unknown parts appended literally).  Returns a wz_place_status; why
 * gets the reason for UNKNOWN and AMBIGUOUS.
 */
int	 wz_scopes_resolve(const struct wz_scopes *s, int base,
	    const char *const *parts, size_t nparts, struct wz_buf *path,
	    int *node, struct wz_buf *why);

#endif
