/*
 * wz_rx.h - the one place PCRE2 is used: UTF mode, JIT, bounded.
 *
 * Patterns are compiled once (wz_rx_new; the JIT compile waits for the
 * first match) and matched many times.  A match that hits PCRE2's match or
 * depth limit is reported as WZ_RX_LIMIT, never as "no match", so a
 * backtracking pattern cannot hide a finding.
 */
#ifndef WZ_RX_H
#define WZ_RX_H

#include <stddef.h>

enum {
	WZ_RX_ERROR = -2,	/* another PCRE2 error */
	WZ_RX_LIMIT = -1,	/* match or depth limit hit */
	WZ_RX_NOMATCH = 0,
	WZ_RX_MATCH = 1
};

#define WZ_RX_ANCHORED	0x1	/* whole subject must match */
#define WZ_RX_CASELESS	0x2

struct wz_rx;

/*
 * Compile pattern.  On error returns NULL and writes PCRE2's message and
 * the offset into err ("missing closing parenthesis at offset 7"); the
 * offset counts characters from 0, not bytes.
 */
struct wz_rx *wz_rx_new(const char *pattern, int flags, char *err,
	    size_t errlen);
/*
 * Another handle on rx's compiled pattern: the same matches, its own
 * match results (wz_rx_span(), wz_rx_named()).  The compiled pattern and
 * its JIT code are freed with the last handle.  Handles of one pattern
 * belong to one thread, as a single rx does.
 */
struct wz_rx *wz_rx_dup(const struct wz_rx *rx);
void	 wz_rx_free(struct wz_rx *rx);

/* The limits every match runs under (defaults below). */
#define WZ_RX_MATCH_LIMIT	1000000UL
#define WZ_RX_DEPTH_LIMIT	1000UL
void	 wz_rx_set_limits(unsigned long match_limit, unsigned long depth_limit);

/*
 * Match subject[0..n) (valid UTF-8: the check is skipped) from offset 0.
 * Returns WZ_RX_MATCH, WZ_RX_NOMATCH, WZ_RX_LIMIT or WZ_RX_ERROR.  After a
 * match, wz_rx_span() and wz_rx_named() read its groups until the next
 * match on the same rx (not thread-safe: one rx, one thread).
 */
int	 wz_rx_match(struct wz_rx *rx, const char *subject, size_t n);
/*
 * The same, trying match starts from byte offset start (a character
 * boundary) on: the same result as wz_rx_match() when no match can start
 * before it (wz_rx_prefixes()); lookbehinds still see the text before.
 * An anchored pattern ignores start.
 */
int	 wz_rx_match_from(struct wz_rx *rx, const char *subject, size_t n,
	    size_t start);
/* Whole match (group 0) offsets. */
void	 wz_rx_span(const struct wz_rx *rx, size_t *start, size_t *end);
/* Named groups: how many, the i-th name, and its captured span (returns
 * 0 if the group did not take part). */
size_t	 wz_rx_nnames(const struct wz_rx *rx);
const char *wz_rx_name(const struct wz_rx *rx, size_t i);
int	 wz_rx_named(const struct wz_rx *rx, size_t i, size_t *start,
	    size_t *end);

/*
 * Required literals of a pattern, for a prefilter: every text the pattern
 * matches (compiled by wz_rx_new, caseless or not) holds at least one of
 * them.  They are lowercase ASCII: compare them with the text's ASCII
 * letters folded to lowercase.  Letters whose caseless match reaches
 * outside ASCII (k, s: KELVIN SIGN, LONG S) and cased letters outside ASCII
 * are never part of a literal.  Returns how many (at most 32) and sets
 * *out to a malloc'd array of malloc'd strings the caller frees; returns
 * 0 and sets *out to NULL when none could be derived (the pattern must
 * then always be run).  Conservative: syntax it does not fully know
 * (back references, conditionals, verbs, (?x), \Q without a quantifier
 * rule it knows) gives none.
 */
size_t	 wz_rx_literals(const char *pattern, char ***out);

/*
 * Required literal clauses of a pattern, for a conjunctive prefilter:
 * every text the pattern matches holds, for EACH clause, at least one of
 * its literals (lowercase ASCII, as wz_rx_literals() says).  The clauses
 * are the literal runs and the groups of a top-level sequence that must
 * match (not optional, not inside a lookaround), with single-branch groups
 * opened up; a group of several branches, and a top-level alternation,
 * gives unions of one clause of each branch, pairs taken along a path
 * that keeps the clauses' order (else the one union of the branches'
 * best sets).  A clause that
 * another implies is left out, and so are those after the first
 * WZ_RX_MAXCLAUSES.  The clauses are in the order of the sequence: in a
 * text the pattern matches, each clause has an occurrence that starts at
 * or after one of the clause before it (not after its end: ab+c gives ab
 * and bc).  Returns how many and sets *out to a malloc'd array that
 * holds the clauses' literals too (free it with wz_rx_clauses_free(),
 * and copy a literal to keep it); returns 0 and sets *out to NULL when
 * there are none.  Gives up wherever wz_rx_literals() does.
 */
#define WZ_RX_MAXCLAUSES	16
struct wz_rx_clause {
	char		**v;
	size_t		  n;
};
size_t	 wz_rx_clauses(const char *pattern, struct wz_rx_clause **out);
/*
 * Leading literals: every match of the pattern (compiled by wz_rx_new,
 * caseless or not, not anchored) starts with one of them, so a search can
 * start at the first place one occurs and none occurring means no match.
 * Found only for branches that open, after lookarounds, with a run of
 * literal characters or a group whose branches each do; letters are never
 * part of one (caseless), nor is a quantified character that may match
 * zero times.  Returns how many (at most 32) and sets *out to a malloc'd
 * array of malloc'd strings the caller frees; 0 and NULL when the pattern
 * has a branch it cannot tell.
 */
size_t	 wz_rx_prefixes(const char *pattern, char ***out);
/*
 * Trailing literals: every match of the pattern (compiled by wz_rx_new,
 * caseless or not, not anchored) ends with one of them, so the subject
 * can be cut short after the last place one of them ends, and PCRE2
 * gives the same result and span on what is left as on the whole.
 * Found only for a pattern that never commits to a choice (no atomic
 * group, possessive quantifier or verb) and never looks past where it
 * ends (no lookahead, \b, \B, $, \z, \Z), whose branches each end with
 * a run of literal characters, or a group that must match whose
 * branches each do; letters are never part of one.  Returns how many
 * (at most 32) and sets *out as wz_rx_prefixes() does; 0 and NULL when
 * the pattern has a branch it cannot tell.
 */
size_t	 wz_rx_suffixes(const char *pattern, char ***out);
/*
 * The top-level branches of a pattern, each a pattern of its own that
 * matches where the whole does by that branch: returns how many (2 to
 * 32) and sets *out to a malloc'd array of malloc'd strings the caller
 * frees; 0 and NULL for one branch or a pattern whose branches could read
 * differently alone (option settings, back references, recursion, verbs,
 * \Q...\E, comments).
 */
size_t	 wz_rx_branches(const char *pattern, char ***out);
void	 wz_rx_clauses_free(struct wz_rx_clause *c, size_t n);
/*
 * Is literal set a (na members) likely rarer in a text than b, before any
 * text was seen?  The longer shortest member wins (one character is
 * common, four are rare), then fewer members.
 */
int	 wz_rx_rarer(char *const *a, size_t na, char *const *b, size_t nb);

#endif
