/*
 * wz_text.h - UTF-8 checks and the text normalisation the matcher and the
 * header lookup use: NFKC (utf8proc), traditional to simplified (OpenCC),
 * and whitespace.
 */
#ifndef WZ_TEXT_H
#define WZ_TEXT_H

#include <stddef.h>
#include <stdint.h>

enum {
	WZ_UTF8_OK = 0,		/* valid, or stopped at an incomplete tail */
	WZ_UTF8_BAD = 1,	/* invalid byte sequence */
	WZ_UTF8_NUL = 2		/* a NUL byte */
};

/*
 * The length of the longest valid prefix of s[0..n).  *why says why it
 * stopped short: WZ_UTF8_OK when the rest is the start of a sequence that
 * more input could complete, else WZ_UTF8_BAD or WZ_UTF8_NUL.
 */
size_t	 wz_utf8_check(const unsigned char *s, size_t n, int *why);
/* The same, and counts the newlines in the valid prefix (*nl) and the
 * bytes after the last of them (*since, or *since + prefix if none). */
size_t	 wz_utf8_check_lines(const unsigned char *s, size_t n, int *why,
	    unsigned long *nl, size_t *since);
/* The same without SIMD, for tests that compare the two. */
size_t	 wz_utf8_check_scalar(const unsigned char *s, size_t n, int *why);
/* For tests: the check wz_utf8_check_lines() makes, through one path
 * whatever the length: 0 scalar, 1 SSSE3, 2 AVX2 (or the best below it
 * that the CPU has).  The SIMD paths hand inputs under a block to the
 * scalar one. */
size_t	 wz_utf8_check_path(int path, const unsigned char *s, size_t n,
	    int *why, unsigned long *nl, size_t *since);

/* Decode one code point at s (n bytes available, valid UTF-8 assumed);
 * returns its length. */
size_t	 wz_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* Encode cp into out (4 bytes room); returns the length. */
size_t	 wz_utf8_encode(uint32_t cp, char *out);

/* Does s[0..n) hold a traditional-only character (OpenCC TSCharacters)? */
int	 wz_has_traditional(const char *s, size_t n);

/*
 * A normaliser: NFKC, then traditional to simplified, then whitespace
 * (runs become one space, removed between two CJK characters, trimmed).
 * It keeps, for every output byte, the offset of the input byte it came
 * from, so a match in normalised text can show the user's own words.
 */
struct wz_norm;

struct wz_norm *wz_norm_new(void);
/*
 * Normalise s[0..n) (valid UTF-8).  The result is NUL-terminated and
 * borrowed until the next call on nm; *outlen gets its length.
 */
const char *wz_norm_run(struct wz_norm *nm, const char *s, size_t n,
	    size_t *outlen);
/*
 * The same, for an input that stays as it is, where it is, until the
 * spans of this run have been asked for: they are then worked out from
 * it, not from a copy.
 */
const char *wz_norm_run_stable(struct wz_norm *nm, const char *s, size_t n,
	    size_t *outlen);
/*
 * wz_norm_run_stable(), which also describes the result when it can
 * (the one-pass path made it, n is at most cap, the characters are all
 * in the BMP): tag[k] gets tab[the k-th character's code point], end[k]
 * the offset just past that character in the result, and *ntags their
 * number; else *ntags is (size_t)-1.  The matcher's prefilter takes
 * the tags (tab is its automaton's classes) instead of decoding the
 * text again.  nm keeps what it needs of tab, by its address: give it
 * one table, which does not change.
 */
const char *wz_norm_run_tags(struct wz_norm *nm, const char *s, size_t n,
	    size_t *outlen, const uint16_t *tab, uint16_t *tag, uint32_t *end,
	    size_t cap, size_t *ntags);
/*
 * The same, stepping the automaton whose cells wz_ac_walk_cells() gave
 * (tab its classes) over the characters as they are made, instead of
 * tagging them: its notes go to note[0..cap) and their number to
 * *nnote, (size_t)-1 when it cannot (as for the tags), for
 * wz_ac_notes().
 */
struct wz_ac_note;
const char *wz_norm_run_scan(struct wz_norm *nm, const char *s, size_t n,
	    size_t *outlen, const uint16_t *tab, const void *cells,
	    struct wz_ac_note *note, size_t cap, size_t *nnote);
/*
 * The input span [*from, *to) that output bytes [start, end) of the last
 * run came from.  Where a conversion changed the number of characters the
 * span widens to the whole input.
 */
void	 wz_norm_span(struct wz_norm *nm, size_t start, size_t end,
	    size_t *from, size_t *to);
void	 wz_norm_free(struct wz_norm *nm);
/* The three-stage path alone, for tests that compare it with the
 * one-pass path wz_norm_run takes when it can. */
const char *wz_norm_run_slow(struct wz_norm *nm, const char *s, size_t n,
	    size_t *outlen);

/* One-shot normalisation; the caller frees. */
char	*wz_normalize(const char *s, size_t n);

/* Would NFKC change this code point (or could it combine)? */
int	 wz_nfkc_unstable(uint32_t cp);

/*
 * Columns a string takes in a fixed-width font, CJK counting two; of a
 * string of several lines, its widest line.
 */
size_t	 wz_display_width(const char *s);

#endif
