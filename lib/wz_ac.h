/*
 * wz_ac.h - an Aho-Corasick automaton over byte strings: one pass over a
 * text finds every pattern of a fixed set that occurs in it.
 *
 * The matcher uses it as a prefilter (DESIGN.md "Performance notes"): the
 * required literals of every text condition go in once, and one scan of a
 * row's normalised text says which conditions can match at all.
 *
 * Patterns are bytes and are matched with ASCII letters folded to lower
 * case, on both sides.  When every pattern is well-formed UTF-8 the
 * automaton steps over characters (a code point's class, 0 for those in
 * no pattern), else over bytes; both find the same (wz_ac.c).
 */
#ifndef WZ_AC_H
#define WZ_AC_H

#include <stddef.h>
#include <stdint.h>

struct wz_ac;

/* An empty automaton; add patterns, then build once. */
struct wz_ac *wz_ac_new(void);
/*
 * Add pattern s[0..n) reporting id.  The same pattern may be added with
 * several ids (each is reported); ids need not be dense, but the caller's
 * hit set must hold the largest.  An empty pattern is refused (-1).
 * Returns 0.  Not after wz_ac_build().
 */
int	 wz_ac_add(struct wz_ac *ac, const char *s, size_t n, uint32_t id);
/* Build the transition table.  Patterns can no longer be added. */
void	 wz_ac_build(struct wz_ac *ac);
/* Number of patterns added and of states built (for tests). */
size_t	 wz_ac_npatterns(const struct wz_ac *ac);
size_t	 wz_ac_nstates(const struct wz_ac *ac);

/*
 * Scan s[0..n).  For every id whose pattern occurs in s and whose bit in
 * hits (a bit set of 64-bit words, one bit per id) is still clear, set
 * the bit and append the id to list (as long as fewer than max are
 * listed).  Returns how many ids were listed.  The caller clears the
 * bits of the listed ids before the next row, so clearing costs what was
 * found, not the size of the set.  The automaton is not changed: several
 * threads may scan at once.
 */
size_t	 wz_ac_scan(const struct wz_ac *ac, const char *s, size_t n,
	    uint64_t *hits, uint32_t *list, size_t max);
/*
 * The same; also sets ends[id], for each id whose bit it sets, to the
 * byte offset just past the pattern's first occurrence (so the first
 * occurrence starts at ends[id] minus the pattern's length), and
 * lasts[id], for each id found (bit set before or not), to the one just
 * past its last occurrence.  Either may be NULL.
 */
size_t	 wz_ac_scan_ends(const struct wz_ac *ac, const char *s, size_t n,
	    uint64_t *hits, uint32_t *list, size_t max, size_t *ends,
	    size_t *lasts);
/*
 * The same for a text that is well-formed UTF-8 (as the normaliser's
 * output is), read without checks, which makes it faster.  On any
 * other bytes it reads nothing outside s[0..n) and touches only the
 * ids of patterns, but what it finds is unspecified: a caller that can
 * be handed such text calls wz_ac_scan_ends().
 */
size_t	 wz_ac_scan_valid(const struct wz_ac *ac, const char *s, size_t n,
	    uint64_t *hits, uint32_t *list, size_t max, size_t *ends,
	    size_t *lasts);
/*
 * The classes the automaton steps over, when they are characters: per
 * code point of the BMP its class, 0 for one no pattern holds (ASCII
 * capitals have their small letter's); NULL when the automaton steps
 * over bytes or is not built.  Code points above the BMP are not in it.
 */
const uint16_t *wz_ac_classes(const struct wz_ac *ac);
/*
 * wz_ac_scan_ends() of a text given as its characters' classes,
 * cls[0..nc) (from wz_ac_classes()), and the byte offset just past each
 * character, cend[0..nc): no decoding.  0 if the automaton steps over
 * bytes.
 */
size_t	 wz_ac_scan_classes(const struct wz_ac *ac, const uint16_t *cls,
	    const uint32_t *cend, size_t nc, uint64_t *hits, uint32_t *list,
	    size_t max, size_t *ends, size_t *lasts);

void	 wz_ac_free(struct wz_ac *ac);

#endif
