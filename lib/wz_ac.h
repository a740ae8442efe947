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
#include <string.h>

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
 * Where a pattern was found: the byte offsets just past its first
 * occurrence (which starts there less the pattern's length) and just
 * past its last.  Both in one place and in 32 bits: an id found has
 * them written at once, in one cache line, and its caller reads them
 * together.  aux is the caller's own, per id, which no scan touches:
 * what the caller reads of each id found is then in the line the scan
 * has just written (16 bytes, four to a line).
 */
struct wz_ac_end {
	uint32_t	 first, last;
	uint32_t	 aux[2];
};
/*
 * wz_ac_scan(), which also sets at[id].first, for each id whose bit it
 * sets, and at[id].last for each id found (bit set before or not).  at
 * may be NULL.  A text longer than UINT32_MAX bytes sets none of at
 * (which is left as it was).
 */
size_t	 wz_ac_scan_ends(const struct wz_ac *ac, const char *s, size_t n,
	    uint64_t *hits, uint32_t *list, size_t max, struct wz_ac_end *at);
/*
 * The same for a text that is well-formed UTF-8 (as the normaliser's
 * output is), read without checks, which makes it faster.  On any
 * other bytes it reads nothing outside s[0..n) and touches only the
 * ids of patterns, but what it finds is unspecified: a caller that can
 * be handed such text calls wz_ac_scan_ends().
 */
size_t	 wz_ac_scan_valid(const struct wz_ac *ac, const char *s, size_t n,
	    uint64_t *hits, uint32_t *list, size_t max, struct wz_ac_end *at);
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
	    size_t max, struct wz_ac_end *at);

/*
 * A scan in steps, for a caller that makes each character's class as
 * it goes (the normaliser, which decodes the text anyway): no array of
 * classes is written and read again.  wz_ac_walk_cells() gives the
 * automaton's cells when it is built over characters, has patterns, has
 * compact cells and list has room for every id (max), else NULL (then
 * scan as before).  The caller keeps the state in its own variables:
 * st and sb start as 0 and WZ_AC_ROOT(cells) (the root's base), cur as
 * 0.  WZ_AC_STEP() takes class c (not 0) of the character that ends at
 * byte offset at; a class 0 sends the state back to the root (st 0, sb
 * the root's base).  A step notes at most one entry in note[], which
 * needs room for one per character; wz_ac_notes() then gives, from the
 * notes, what wz_ac_scan_classes() gives.
 */
struct wz_ac_note {
	uint32_t	 out;		/* its cell's out */
	uint32_t	 end;		/* the byte offset they end at */
};
const void	*wz_ac_walk_cells(const struct wz_ac *ac, size_t max);
size_t	 wz_ac_notes(const struct wz_ac *ac, const struct wz_ac_note *note,
	    size_t nnote, uint64_t *hits, uint32_t *list, size_t max,
	    struct wz_ac_end *at);

/* The 64-bit cell i: base, check, fail and out, 16 bits each from the
 * low bits up (see wz_ac.c, struct ccell). */
#define WZ_AC_CELL(cells, i, v)						\
	memcpy(&(v), (const unsigned char *)(cells) + 8 * (size_t)(i), 8)
#define WZ_AC_ROOT(cells)	wz_ac_root_base(cells)

static inline uint32_t
wz_ac_root_base(const void *cells)
{
	uint64_t v;

	WZ_AC_CELL(cells, 0, v);
	return (uint32_t)v & 0xffff;
}

/* wz_ac.c's CSTEP(), noting into note[nn]. */
#define WZ_AC_STEP(cells, st, sb, cur, c, note, nn, at) do {		\
	uint64_t v_;							\
									\
	for (;;) {							\
		WZ_AC_CELL(cells, (sb) + (c), v_);			\
		if ((uint16_t)(v_ >> 16) == (st)) {			\
			(st) = (sb) + (c);				\
			(cur) = v_;					\
			(sb) = (uint32_t)v_ & 0xffff;			\
			if (v_ >> 48) {					\
				(note)[(nn)].out = (uint32_t)(v_ >> 48);\
				(note)[(nn)++].end = (uint32_t)(at);	\
			}						\
			break;						\
		}							\
		if ((st) == 0)						\
			break;						\
		(st) = (uint32_t)((cur) >> 32) & 0xffff;		\
		WZ_AC_CELL(cells, (st), (cur));				\
		(sb) = (uint32_t)(cur) & 0xffff;			\
	}								\
} while (0)

void	 wz_ac_free(struct wz_ac *ac);

#endif
