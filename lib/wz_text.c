/* wz_text.c - see wz_text.h. */
#include <stdlib.h>
#include <string.h>

#include <opencc/opencc.h>
#include <utf8proc.h>

#include "wz_base.h"
#include "wz_ac.h"
#include "wz_text.h"

extern const uint32_t wz_t2s_cps[];
extern const size_t wz_t2s_ncps;

#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL

/* Does the 8-byte word v hold a byte equal to c? (SWAR) */
#define HASBYTE(v, c)	((((v) ^ (ONES * (c))) - ONES) & ~((v) ^ (ONES * (c))) & HIGHS)

static size_t
check_scalar(const unsigned char *s, size_t n, int *why,
    unsigned long *nl, size_t *since)
{
	size_t i = 0, need, last = (size_t)-1;
	unsigned long lines = 0;
	unsigned c, c1;
	uint32_t w;

	*why = WZ_UTF8_OK;
	while (i < n) {
		if (n - i >= 8) {
			uint64_t v;

			memcpy(&v, s + i, 8);
			if (((v & HIGHS) | ((v - ONES) & ~v & HIGHS)) == 0) {
				if (HASBYTE(v, '\n')) {
					size_t k;

					for (k = 0; k < 8; k++)
						if (s[i + k] == '\n') {
							lines++;
							last = i + k;
						}
				}
				i += 8;
				continue;
			}
		}
		c = s[i];
		if (c < 0x80) {
			if (c == 0) {
				*why = WZ_UTF8_NUL;
				goto out;
			}
			if (c == '\n') {
				lines++;
				last = i;
			}
			i++;
			continue;
		}
		/* Runs of three-byte characters (most Chinese text). */
		while (n - i >= 4) {
			memcpy(&w, s + i, 4);
			if ((w & 0x00c0c0f0) != 0x008080e0)
				break;
			/* E0 needs a second byte >= A0, ED one <= 9F. */
			if ((w & 0x200f) == 0 || (w & 0x200f) == 0x200d)
				goto bad;
			i += 3;
		}
		if (i >= n)
			break;
		c = s[i];
		if (c < 0x80)
			continue;
		if (c < 0xc2 || c > 0xf4)
			goto bad;
		need = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		if (i + 1 < n) {
			c1 = s[i + 1];
			/* The second byte carries the overlong and range checks. */
			if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 > 0x9f) ||
			    (c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 > 0x8f) ||
			    (c1 & 0xc0) != 0x80)
				goto bad;
		}
		if (need > 2 && i + 2 < n && (s[i + 2] & 0xc0) != 0x80)
			goto bad;
		if (need > 3 && i + 3 < n && (s[i + 3] & 0xc0) != 0x80)
			goto bad;
		if (i + need > n)
			goto out;	/* incomplete tail: more may follow */
		i += need;
	}
	i = n;
	goto out;
bad:
	*why = WZ_UTF8_BAD;
out:
	if (nl != NULL) {
		*nl = lines;
		if (last == (size_t)-1)
			*since += i;
		else
			*since = i - last - 1;
	}
	return i;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/*
 * UTF-8 validation 16 bytes at a time: the "lookup" algorithm of Keiser
 * and Lemire, "Validating UTF-8 in less than one instruction per byte"
 * (Software: Practice and Experience, 2021), as simdjson and simdutf
 * implement it.  Each byte is classified by the high nibble of the byte
 * before it, the low nibble of the byte before it and its own high nibble;
 * the three table lookups AND together to an error bit, except where a
 * continuation is required two or three bytes after a lead.  It only
 * answers "valid or not": on an error or a NUL the scalar code runs again
 * to say where.  Newlines are counted on the way.
 */
#define TOO_SHORT	(1 << 0)
#define TOO_LONG	(1 << 1)
#define OVERLONG_3	(1 << 2)
#define TOO_LARGE	(1 << 3)
#define SURROGATE	(1 << 4)
#define OVERLONG_2	(1 << 5)
#define TOO_LARGE_1000	(1 << 6)
#define OVERLONG_4	(1 << 6)
#define TWO_CONTS	(-128)	/* bit 7, as a char: the tables are chars */
#define CARRY		(TOO_SHORT | TOO_LONG | TWO_CONTS)

/*
 * The three lookups of both vector checks (by the previous byte's high
 * nibble, its low nibble, and the byte's high nibble): the error bits
 * each can say; a byte is wrong where all three agree on one.
 */
static const signed char utf8_lut[3][16] = {
	{
	    TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG,
	    TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG,
	    TWO_CONTS, TWO_CONTS, TWO_CONTS, TWO_CONTS,
	    TOO_SHORT | OVERLONG_2, TOO_SHORT,
	    TOO_SHORT | OVERLONG_3 | SURROGATE,
	    TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4
	}, {
	    CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4,
	    CARRY | OVERLONG_2, CARRY, CARRY, CARRY | TOO_LARGE,
	    CARRY | TOO_LARGE | TOO_LARGE_1000,
	    CARRY | TOO_LARGE | TOO_LARGE_1000,
	    CARRY | TOO_LARGE | TOO_LARGE_1000,
	    CARRY | TOO_LARGE | TOO_LARGE_1000,
	    CARRY | TOO_LARGE | TOO_LARGE_1000,
	    CARRY | TOO_LARGE | TOO_LARGE_1000,
	    CARRY | TOO_LARGE | TOO_LARGE_1000,
	    CARRY | TOO_LARGE | TOO_LARGE_1000,
	    CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE,
	    CARRY | TOO_LARGE | TOO_LARGE_1000,
	    CARRY | TOO_LARGE | TOO_LARGE_1000
	}, {
	    TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
	    TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
	    TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 |
	    OVERLONG_4,
	    TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE,
	    TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
	    TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
	    TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT
	}
};

/*
 * The end of a vector check that found no error in s[0, i): the tail
 * goes to the scalar code from the last character start before i, with
 * the blocks' count of newlines (lines) and the last one's place (last,
 * (size_t)-1 for none) joined to what it finds.
 */
static size_t
check_tail(const unsigned char *s, size_t n, size_t i, unsigned long lines,
    size_t last, int *why, unsigned long *nl, size_t *since)
{
	size_t b = i, rest_since = 0, k;
	unsigned long rest_nl = 0;

	while (b > 0 && (s[b - 1] & 0xc0) == 0x80)
		b--;
	if (b > 0 && s[b - 1] >= 0xc0)
		b--;
	k = check_scalar(s + b, n - b, why, &rest_nl, &rest_since);
	/* [b, i) holds no newline: only multibyte bytes. */
	if (rest_nl > 0) {
		lines += rest_nl;
		*since = rest_since;
	} else if (last == (size_t)-1)
		*since += b + rest_since;
	else
		*since = b - last - 1 + rest_since;
	*nl = lines;
	return b + k;
}

__attribute__((target("ssse3,popcnt")))
static size_t
check_ssse3(const unsigned char *s, size_t n, int *why, unsigned long *nl,
    size_t *since)
{
	const __m128i t1 = _mm_loadu_si128((const __m128i *)utf8_lut[0]);
	const __m128i t2 = _mm_loadu_si128((const __m128i *)utf8_lut[1]);
	const __m128i t3 = _mm_loadu_si128((const __m128i *)utf8_lut[2]);
	const __m128i nib = _mm_set1_epi8(0x0f), zero = _mm_setzero_si128();
	const __m128i lf = _mm_set1_epi8('\n');
	const __m128i m3 = _mm_set1_epi8((char)(0xe0 - 0x80));
	const __m128i m4 = _mm_set1_epi8((char)(0xf0 - 0x80));
	const __m128i hi = _mm_set1_epi8((char)0x80);
	__m128i prev = zero, in, p1, p2, p3, e, must;
	size_t i = 0, last = (size_t)-1;
	unsigned long lines = 0;
	unsigned m;

	for (; i + 16 <= n; i += 16) {
		in = _mm_loadu_si128((const __m128i *)(s + i));
		m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(in, lf));
		if (m != 0) {
			lines += (unsigned long)__builtin_popcount(m);
			last = i + 31 - (size_t)__builtin_clz(m);
		}
		if (_mm_movemask_epi8(_mm_cmpeq_epi8(in, zero)) != 0)
			goto scalar;
		if (_mm_movemask_epi8(in) == 0 && _mm_movemask_epi8(
		    _mm_cmpgt_epi8(_mm_setzero_si128(), prev)) == 0) {
			prev = in;	/* ASCII after ASCII */
			continue;
		}
		p1 = _mm_alignr_epi8(in, prev, 15);
		e = _mm_and_si128(_mm_and_si128(
		    _mm_shuffle_epi8(t1, _mm_and_si128(_mm_srli_epi16(p1, 4),
		    nib)), _mm_shuffle_epi8(t2, _mm_and_si128(p1, nib))),
		    _mm_shuffle_epi8(t3, _mm_and_si128(_mm_srli_epi16(in, 4),
		    nib)));
		p2 = _mm_alignr_epi8(in, prev, 14);
		p3 = _mm_alignr_epi8(in, prev, 13);
		must = _mm_and_si128(_mm_or_si128(_mm_subs_epu8(p2, m3),
		    _mm_subs_epu8(p3, m4)), hi);
		e = _mm_xor_si128(e, must);
		if (_mm_movemask_epi8(_mm_cmpeq_epi8(e, zero)) != 0xffff)
			goto scalar;
		prev = in;
	}
	return check_tail(s, n, i, lines, last, why, nl, since);
scalar:
	return check_scalar(s, n, why, nl, since);
}

/*
 * The same 32 bytes at a time, where the CPU has AVX2 (most of a chunk
 * of Chinese text is not ASCII, so every block takes the three lookups):
 * half the instructions of check_ssse3 a byte.  The tables are
 * check_ssse3's in both lanes; the bytes before each byte come from the
 * block before across the lanes (permute, then alignr in each lane).
 * Like check_ssse3 it only answers "valid or not" and counts newlines;
 * check_scalar says where an error or a NUL is and checks the tail, so
 * its verdicts and positions are those of the other paths.
 */
__attribute__((target("avx2,popcnt")))
static size_t
check_avx2(const unsigned char *s, size_t n, int *why, unsigned long *nl,
    size_t *since)
{
	const __m256i t1 = _mm256_broadcastsi128_si256(_mm_loadu_si128(
	    (const __m128i *)utf8_lut[0]));
	const __m256i t2 = _mm256_broadcastsi128_si256(_mm_loadu_si128(
	    (const __m128i *)utf8_lut[1]));
	const __m256i t3 = _mm256_broadcastsi128_si256(_mm_loadu_si128(
	    (const __m128i *)utf8_lut[2]));
	const __m256i nib = _mm256_set1_epi8(0x0f), zero =
	    _mm256_setzero_si256(), lf = _mm256_set1_epi8('\n');
	const __m256i m3 = _mm256_set1_epi8((char)(0xe0 - 0x80));
	const __m256i m4 = _mm256_set1_epi8((char)(0xf0 - 0x80));
	const __m256i hi = _mm256_set1_epi8((char)0x80);
	__m256i prev = zero, in, pp, p1, p2, p3, e, must;
	size_t i = 0, last = (size_t)-1;
	unsigned long lines = 0;
	unsigned high, phigh = 0;
	const unsigned char *q;

	/*
	 * Per block only what must be: the newlines are counted, the last
	 * one is looked for once at the end; a NUL joins the error bits
	 * where the lookups run, and is looked for alone only in ASCII.
	 */
	for (; i + 32 <= n; i += 32) {
		in = _mm256_loadu_si256((const __m256i *)(s + i));
		lines += (unsigned long)__builtin_popcount((unsigned)
		    _mm256_movemask_epi8(_mm256_cmpeq_epi8(in, lf)));
		high = (unsigned)_mm256_movemask_epi8(in);
		if ((high | phigh) == 0) {
			/* ASCII after ASCII */
			if (_mm256_movemask_epi8(_mm256_cmpeq_epi8(in,
			    zero)) != 0)
				goto scalar;
			prev = in;
			continue;
		}
		phigh = high;
		/* The 16 bytes before in's high lane, then in's low lane. */
		pp = _mm256_permute2x128_si256(prev, in, 0x21);
		p1 = _mm256_alignr_epi8(in, pp, 15);
		e = _mm256_and_si256(_mm256_and_si256(
		    _mm256_shuffle_epi8(t1, _mm256_and_si256(
		    _mm256_srli_epi16(p1, 4), nib)),
		    _mm256_shuffle_epi8(t2, _mm256_and_si256(p1, nib))),
		    _mm256_shuffle_epi8(t3, _mm256_and_si256(
		    _mm256_srli_epi16(in, 4), nib)));
		p2 = _mm256_alignr_epi8(in, pp, 14);
		p3 = _mm256_alignr_epi8(in, pp, 13);
		must = _mm256_and_si256(_mm256_or_si256(
		    _mm256_subs_epu8(p2, m3), _mm256_subs_epu8(p3, m4)), hi);
		e = _mm256_or_si256(_mm256_xor_si256(e, must),
		    _mm256_cmpeq_epi8(in, zero));
		if (!_mm256_testz_si256(e, e))
			goto scalar;
		prev = in;
	}
	if (lines > 0) {
		q = memrchr(s, '\n', i);
		last = (size_t)(q - s);
	}
	return check_tail(s, n, i, lines, last, why, nl, since);
scalar:
	return check_scalar(s, n, why, nl, since);
}
#endif

size_t
wz_utf8_check_lines(const unsigned char *s, size_t n, int *why,
    unsigned long *nl, size_t *since)
{
	unsigned long dnl;
	size_t dsince = 0;

	if (nl == NULL) {
		nl = &dnl;
		since = &dsince;
	}
#if defined(__x86_64__) && defined(__GNUC__)
	if (n >= 64 && __builtin_cpu_supports("avx2"))
		return check_avx2(s, n, why, nl, since);
	if (n >= 64 && __builtin_cpu_supports("ssse3"))
		return check_ssse3(s, n, why, nl, since);
#endif
	return check_scalar(s, n, why, nl, since);
}

size_t
wz_utf8_check_path(int path, const unsigned char *s, size_t n, int *why,
    unsigned long *nl, size_t *since)
{
#if defined(__x86_64__) && defined(__GNUC__)
	if (path >= 2 && __builtin_cpu_supports("avx2"))
		return check_avx2(s, n, why, nl, since);
	if (path >= 1 && __builtin_cpu_supports("ssse3"))
		return check_ssse3(s, n, why, nl, since);
#endif
	return check_scalar(s, n, why, nl, since);
}

size_t
wz_utf8_check(const unsigned char *s, size_t n, int *why)
{
	return wz_utf8_check_lines(s, n, why, NULL, NULL);
}

/* The plain version, for tests that compare the two. */
size_t
wz_utf8_check_scalar(const unsigned char *s, size_t n, int *why)
{
	unsigned long nl;
	size_t since = 0;

	return check_scalar(s, n, why, &nl, &since);
}

size_t
wz_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned c = s[0];

	if (c < 0x80 || n < 2) {
		*cp = c;
		return 1;
	}
	if (c < 0xe0) {
		*cp = ((c & 0x1f) << 6) | (s[1] & 0x3f);
		return 2;
	}
	if (c < 0xf0 || n < 4) {
		if (n < 3) {
			*cp = c;
			return 1;
		}
		*cp = ((c & 0x0f) << 12) | ((s[1] & 0x3f) << 6) | (s[2] & 0x3f);
		return 3;
	}
	*cp = ((uint32_t)(c & 0x07) << 18) | ((s[1] & 0x3f) << 12) |
	    ((s[2] & 0x3f) << 6) | (s[3] & 0x3f);
	return 4;
}

size_t
wz_utf8_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A bitmap of the traditional-only characters in the BMP, built once;
 * the same with U+4000..4DFF, which are no CJK ideographs, for the
 * one-pass path (fast_pass()). */
static uint64_t *t2s_bmp, *t2s_stop;

static void
t2s_init(void)
{
	uint64_t *bmp, *stop;
	size_t i;

	if (t2s_bmp != NULL)
		return;
	bmp = wz_calloc(65536 / 64, sizeof(*bmp));
	for (i = 0; i < wz_t2s_ncps; i++)
		if (wz_t2s_cps[i] < 65536)
			bmp[wz_t2s_cps[i] >> 6] |= 1ULL << (wz_t2s_cps[i] & 63);
	stop = wz_reallocarray(NULL, 65536 / 64, sizeof(*stop));
	memcpy(stop, bmp, 65536 / 64 * sizeof(*stop));
	for (i = 0x4000; i < 0x4e00; i += 64)
		stop[i >> 6] = ~0ULL;
	t2s_stop = stop;
	t2s_bmp = bmp;
}

static int
is_traditional(uint32_t cp)
{
	size_t lo, hi, mid;

	if (cp < 65536)
		return (t2s_bmp[cp >> 6] >> (cp & 63)) & 1;
	lo = 0;
	hi = wz_t2s_ncps;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (wz_t2s_cps[mid] == cp)
			return 1;
		if (wz_t2s_cps[mid] < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int
wz_has_traditional(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;
	uint32_t cp;

	t2s_init();
	while (i < n) {
		if (p[i] < 0xe0) {	/* ASCII and 2-byte forms hold none */
			i++;
			continue;
		}
		k = wz_utf8_decode(p + i, n - i, &cp);
		if (is_traditional(cp))
			return 1;
		i += k;
	}
	return 0;
}

int
wz_nfkc_unstable(uint32_t cp)
{
	const utf8proc_property_t *pr;

	if (cp < 0x80 || (cp >= 0x4e00 && cp <= 0x9fff))
		return 0;
	if ((cp >= 0x1161 && cp <= 0x1175) || (cp >= 0x11a8 && cp <= 0x11c2))
		return 1;	/* Hangul vowels and trailing consonants compose */
	pr = utf8proc_get_property((utf8proc_int32_t)cp);
	return pr->decomp_seqindex != UINT16_MAX || pr->combining_class != 0 ||
	    (pr->comb_index != UINT16_MAX && pr->comb_index >= 0x8000);
}

/* Can this code point only change together with its neighbours? */
static int
combines(uint32_t cp)
{
	const utf8proc_property_t *pr;

	if ((cp >= 0x1161 && cp <= 0x1175) || (cp >= 0x11a8 && cp <= 0x11c2))
		return 1;
	pr = utf8proc_get_property((utf8proc_int32_t)cp);
	return pr->combining_class != 0 ||
	    (pr->comb_index != UINT16_MAX && pr->comb_index >= 0x8000);
}

/*
 * The one-pass path's map, sparse.  Most output bytes are input bytes
 * copied, each a fixed distance after its own, which changes only where
 * a space is folded or dropped and where a full-width form becomes
 * ASCII: those places are kept, as an output byte made from input
 * [beg, end) (a folded space, a form turned ASCII), or as none (a
 * dropped space); from there on, bytes are copied from end on.
 */
struct nseg {
	size_t		 o;		/* the output byte, or the next one */
	size_t		 beg, end;
	size_t		 one;		/* 1: byte o was made; 0: dropped */
};

struct wz_norm {
	opencc_t	 cc;		/* opened on first traditional text */
	struct wz_buf	 a, b;		/* stage buffers */
	size_t		*abeg, *aend;	/* source span of each byte of a */
	size_t		*bbeg, *bend;
	size_t		 acap, bcap;
	size_t		 srclen;
	int		 coarse;	/* spans are the whole input */
	int		 fast;		/* the one-pass path made a: its map
					 * is in seg, not abeg/aend */
	struct nseg	*seg;
	size_t		 nseg, capseg;
	struct wz_buf	 src;		/* the input of the fast path */
	const char	*srcp;		/* it, or the caller's (stable) */
	unsigned char	*nfkc;		/* per BMP code point: 0 not known,
					 * 1 NFKC-stable, 2 not (fast path) */
	/*
	 * The tags' table (wz_norm_run_tags()) for U+4000..9FFF merged
	 * with t2s_stop: CJK_STOP where the one-pass path stops, so that
	 * a character takes one look, not two.  ctab is the table it was
	 * made from, cjk NULL if it could not be (a tag of CJK_STOP).
	 */
	uint16_t	*cjk;
	const uint16_t	*ctab;
};
#define CJK_STOP	0xffffU

/*
 * OpenCC is opened with the first text that needs it (dlopen), not at
 * every start: with it come libstdc++ and libmarisa, some 5 ms of CPU
 * at each start of a program (an empty program linked with and without
 * it: 11.2 and 6.3 ms), while most texts are simplified Chinese that the
 * table of wz_t2s_data.c converts alone.  WZ_SO_OPENCC is the name the
 * linker would have recorded (see the Makefile).
 */
#ifndef WZ_SO_OPENCC
#define WZ_SO_OPENCC	"libopencc.so.1.1"
#endif
#define CC_FUNCS(X) \
	X(opencc_open) X(opencc_convert_utf8) X(opencc_convert_utf8_free) \
	X(opencc_close)

/* OpenCC's functions, opened with wz_dl_load(&cc_dl). */
WZ_DL_TABLE(cc_dl, cc, CC_FUNCS, WZ_SO_OPENCC);

/* From here on, each name is the pointer wz_dl_load() set. */
#define opencc_open			(*cc.opencc_open)
#define opencc_convert_utf8		(*cc.opencc_convert_utf8)
#define opencc_convert_utf8_free	(*cc.opencc_convert_utf8_free)
#define opencc_close			(*cc.opencc_close)

struct wz_norm *
wz_norm_new(void)
{
	t2s_init();
	return wz_calloc(1, sizeof(struct wz_norm));
}

void
wz_norm_free(struct wz_norm *nm)
{
	if (nm == NULL)
		return;
	if (nm->cc != NULL && nm->cc != (opencc_t)-1)
		opencc_close(nm->cc);
	wz_buf_free(&nm->a);
	wz_buf_free(&nm->b);
	wz_buf_free(&nm->src);
	free(nm->seg);
	free(nm->nfkc);
	free(nm->cjk);
	free(nm->abeg);
	free(nm->aend);
	free(nm->bbeg);
	free(nm->bend);
	free(nm);
}

static void
maps_reserve(size_t **beg, size_t **end, size_t *cap, size_t n)
{
	if (n + 1 <= *cap)
		return;
	*cap = n + 64;
	*beg = wz_reallocarray(*beg, *cap, sizeof(**beg));
	*end = wz_reallocarray(*end, *cap, sizeof(**end));
}

static void
emit(struct wz_buf *o, size_t **beg, size_t **end, size_t *cap,
    const char *p, size_t n, size_t sb, size_t se)
{
	size_t i;

	maps_reserve(beg, end, cap, o->len + n);
	for (i = 0; i < n; i++) {
		(*beg)[o->len + i] = sb;
		(*end)[o->len + i] = se;
	}
	wz_buf_add(o, p, n);
}

/* Stage 1: NFKC of s into nm->a, keeping spans. */
static void
stage_nfkc(struct wz_norm *nm, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;
	uint32_t cp;
	utf8proc_uint8_t *m;
	utf8proc_ssize_t ml;

	wz_buf_reset(&nm->a);
	/* Whole-string mode when a character combines with its neighbours. */
	for (i = 0; i < n; i += k) {
		k = wz_utf8_decode(p + i, n - i, &cp);
		if (cp >= 0x300 && combines(cp))
			break;
	}
	if (i < n) {
		ml = utf8proc_map(p, (utf8proc_ssize_t)n, &m, UTF8PROC_STABLE |
		    UTF8PROC_COMPOSE | UTF8PROC_COMPAT);
		if (ml >= 0) {
			emit(&nm->a, &nm->abeg, &nm->aend, &nm->acap,
			    (const char *)m, (size_t)ml, 0, n);
			free(m);
			nm->coarse = 1;
			return;
		}
	}
	for (i = 0; i < n; i += k) {
		k = wz_utf8_decode(p + i, n - i, &cp);
		if (!wz_nfkc_unstable(cp)) {
			emit(&nm->a, &nm->abeg, &nm->aend, &nm->acap,
			    s + i, k, i, i + k);
			continue;
		}
		ml = utf8proc_map(p + i, (utf8proc_ssize_t)k, &m,
		    UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT);
		if (ml < 0) {
			emit(&nm->a, &nm->abeg, &nm->aend, &nm->acap,
			    s + i, k, i, i + k);
			continue;
		}
		emit(&nm->a, &nm->abeg, &nm->aend, &nm->acap,
		    (const char *)m, (size_t)ml, i, i + k);
		free(m);
	}
}

static size_t
count_cps(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

/* Stage 2: traditional to simplified, a -> b. */
static void
stage_t2s(struct wz_norm *nm)
{
	const char *why;
	char *out;
	size_t olen, i, j, ka, kb;
	uint32_t cp;

	wz_buf_reset(&nm->b);
	if (nm->a.len == 0 || !wz_has_traditional(nm->a.s, nm->a.len))
		goto copy;
	if (nm->cc == NULL) {
		if ((why = wz_dl_load(&cc_dl)) != NULL) {
			nm->cc = (opencc_t)-1;
			wz_msg(NULL, 0, "OpenCC cannot be loaded (%s); "
			    "traditional characters are matched as they are",
			    why);
		} else if ((nm->cc = opencc_open("t2s.json")) == (opencc_t)-1)
			wz_msg(NULL, 0, "OpenCC t2s.json cannot be opened; "
			    "traditional characters are matched as they are");
	}
	if (nm->cc == (opencc_t)-1)
		goto copy;
	out = opencc_convert_utf8(nm->cc, nm->a.s, nm->a.len);
	if (out == NULL)
		goto copy;
	olen = strlen(out);
	if (count_cps(out, olen) == count_cps(nm->a.s, nm->a.len)) {
		/* Character for character: carry each span over. */
		for (i = j = 0; i < nm->a.len && j < olen; i += ka, j += kb) {
			ka = wz_utf8_decode((unsigned char *)nm->a.s + i,
			    nm->a.len - i, &cp);
			kb = wz_utf8_decode((unsigned char *)out + j, olen - j,
			    &cp);
			emit(&nm->b, &nm->bbeg, &nm->bend, &nm->bcap, out + j,
			    kb, nm->abeg[i], nm->aend[i + ka - 1]);
		}
	} else {
		emit(&nm->b, &nm->bbeg, &nm->bend, &nm->bcap, out, olen, 0,
		    nm->srclen);
		nm->coarse = 1;
	}
	opencc_convert_utf8_free(out);
	return;
copy:
	maps_reserve(&nm->bbeg, &nm->bend, &nm->bcap, nm->a.len);
	if (nm->a.len > 0) {
		memcpy(nm->bbeg, nm->abeg, nm->a.len * sizeof(size_t));
		memcpy(nm->bend, nm->aend, nm->a.len * sizeof(size_t));
	}
	wz_buf_add(&nm->b, nm->a.s != NULL ? nm->a.s : "", nm->a.len);
}

static int
is_cjk(uint32_t cp)
{
	return (cp >= 0x2e80 && cp <= 0x9fff) || (cp >= 0xf900 &&
	    cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) ||
	    (cp >= 0x20000 && cp <= 0x3ffff);
}

static int
is_space(unsigned c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

/* Stage 3: whitespace, b -> a. */
static void
stage_space(struct wz_norm *nm)
{
	const unsigned char *p = (const unsigned char *)nm->b.s;
	size_t n = nm->b.len, i = 0, k, ws;
	uint32_t prev = 0, next;

	wz_buf_reset(&nm->a);
	while (i < n) {
		if (is_space(p[i])) {
			ws = i;
			while (i < n && is_space(p[i]))
				i++;
			if (nm->a.len == 0 || i == n)
				continue;
			wz_utf8_decode(p + i, n - i, &next);
			if (is_cjk(prev) && is_cjk(next))
				continue;
			emit(&nm->a, &nm->abeg, &nm->aend, &nm->acap, " ", 1,
			    nm->bbeg[ws], nm->bend[i - 1]);
			continue;
		}
		k = wz_utf8_decode(p + i, n - i, &prev);
		emit(&nm->a, &nm->abeg, &nm->aend, &nm->acap, (const char *)p +
		    i, k, nm->bbeg[i], nm->bend[i + k - 1]);
		i += k;
	}
}

/* Room for one more place in the one-pass path's map. */
static void
seg_grow(struct wz_norm *nm)
{
	nm->capseg = nm->capseg ? nm->capseg * 2 : 16;
	nm->seg = wz_reallocarray(nm->seg, nm->capseg, sizeof(*nm->seg));
}

/* Keep a place of the one-pass path's map (struct nseg). */
static inline void
seg_add(struct wz_norm *nm, size_t o, size_t beg, size_t end, size_t one)
{
	struct nseg *g;

	if (nm->nseg == nm->capseg)
		seg_grow(nm);
	g = &nm->seg[nm->nseg++];
	g->o = o;
	g->beg = beg;
	g->end = end;
	g->one = one;
}

/*
 * Copy the one-pass path's input run p[0..len) to out.  Runs are short
 * (a few characters between two full-width commas), and a call of
 * memcpy() for each cost more than the bytes: up to RUN_COPY bytes go
 * in two fixed moves when the input has that many from p (avail) and
 * out room for them (fast_pass() reserves it).
 */
#define RUN_COPY	32

static inline void
copy_run(char *out, const unsigned char *p, size_t len, size_t avail)
{
	if (len <= RUN_COPY && avail >= RUN_COPY) {
		memcpy(out, p, RUN_COPY / 2);
		memcpy(out + RUN_COPY / 2, p + RUN_COPY / 2, RUN_COPY / 2);
	} else
		memcpy(out, p, len);
}

/*
 * The one-pass path, for the text that findings are made of: ASCII,
 * CJK ideographs without a traditional-only form, the punctuation NFKC
 * leaves alone, and the full-width forms U+FF01..FF5E and U+3000 whose
 * NFKC is a single ASCII character.  Anything else (a traditional
 * character, a compatibility ideograph, a combining mark ...) returns -1
 * and the three-stage path runs instead.  It gives the same text as the
 * stages, and the same spans, kept in nm->seg (struct nseg) where a
 * space or a full-width form is: spans are asked for in few rows, and a
 * map of every byte, made in all, cost more than the text.
 *
 * What it keeps of the input it copies a run at a time: the loop over
 * the characters only looks at them, and the bytes from run (the input
 * offset where the output last differed) on go out in one memcpy() when
 * a space or a full-width form changes the text, and at the end.
 */
/*
 * What the one-pass path can also give (wz_norm_run_tags()): for each
 * character of the result, tab[its code point] and the offset just
 * past it in the result.  ok is cleared when it cannot (an input of
 * more than cap bytes, a character above the BMP).
 */
struct tags {
	const uint16_t	*tab;
	uint16_t	*tag;
	uint32_t	*end;
	size_t		 cap, n;
	int		 ok;
	/* Or, walking (wz_norm_run_scan()): the automaton's cells, and
	 * its notes, n of them, instead of tag and end. */
	const void	*cells;
	struct wz_ac_note *note;
};

/* nm->cjk for the table tab (see struct wz_norm). */
static void
cjk_tags(struct wz_norm *nm, const uint16_t *tab)
{
	uint32_t cp;

	nm->ctab = tab;
	if (nm->cjk == NULL)
		nm->cjk = wz_reallocarray(NULL, 0xa000 - 0x4000,
		    sizeof(*nm->cjk));
	for (cp = 0x4000; cp < 0xa000; cp++) {
		if ((t2s_stop[cp >> 6] >> (cp & 63)) & 1)
			nm->cjk[cp - 0x4000] = CJK_STOP;
		else if ((nm->cjk[cp - 0x4000] = tab[cp]) == CJK_STOP) {
			free(nm->cjk);
			nm->cjk = NULL;
			return;
		}
	}
}

/*
 * Tag a character of the result: code point x (in the BMP), ending at
 * offset e.  The tags' state is in fast_pass()'s locals (ttab, ...): in
 * tg, every store to a tag could have changed it as far as the compiler
 * knows.  No test of room: there is room for n characters.
 */
#define TAG(x, e) do {							\
	if (tg != NULL && tok) {					\
		if (walk)						\
			WALK(ttab[(x)], (e));				\
		else {							\
			ttag[tn] = ttab[(x)];				\
			tend[tn++] = (uint32_t)(e);			\
		}							\
	}								\
} while (0)

/*
 * Walking, the automaton's step on the class of a character of the
 * result that ends at offset e, its state in fast_pass()'s locals.
 */
#define WALK(x, e) do {							\
	unsigned c_ = (x);						\
									\
	if (c_ == 0) {							\
		/* No pattern holds this character. */		\
		wst = 0;						\
		wsb = wrb;						\
	} else								\
		WZ_AC_STEP(wcl, wst, wsb, wcur, c_, wnote, tn, (e));	\
} while (0)

static inline __attribute__((always_inline)) int
fast_pass(struct wz_norm *nm, const unsigned char *p, size_t n,
    struct tags *tg, int walk)
{
	const uint64_t *t2s = t2s_bmp, *stop = t2s_stop;
	size_t i = 0, k, ws, o = 0, run = 0, lim;
	uint32_t cp, prev = 0, next;
	char *out;
	unsigned c;

	const uint16_t *ttab = NULL, *cjk = NULL;
	uint16_t *ttag = NULL;
	uint32_t *tend = NULL;
	size_t tn = 0;		/* tags, or notes when walking */
	int tok = 0;
	const void *wcl = NULL;
	struct wz_ac_note *wnote = NULL;
	uint64_t wcur = 0;
	uint32_t wst = 0, wsb = 0, wrb = 0;

	if (tg != NULL) {
		ttab = tg->tab;
		ttag = tg->tag;
		tend = tg->end;
		if (walk) {
			wcl = tg->cells;
			wnote = tg->note;
			wsb = wrb = WZ_AC_ROOT(wcl);
		}
		tok = n <= tg->cap && n <= UINT32_MAX;
		if (nm->ctab != ttab)
			cjk_tags(nm, ttab);
		if ((cjk = nm->cjk) == NULL)
			tok = 0;	/* the CJK loop cannot tag */
	}
	wz_buf_reserve(&nm->a, n + RUN_COPY);	/* copy_run() */
	out = nm->a.s;
	nm->nseg = 0;
	lim = n > 2 ? n - 2 : 0;	/* i < lim: three bytes from i */
	while (i < n) {
		c = p[i];
		if (c - 0xe4U < 6 && i < lim) {
			/* A run of U+4000..9FFF: CJK ideographs from U+4E00
			 * on, without a traditional form, stay as they are.
			 * stop marks the others in one test. */
			size_t i0 = i, sh = run - o;

			if (tg != NULL && tok) {
				/* The same loop, tagging (sh: how far
				 * behind its input the output is), with
				 * the stops in the tags' table. */
				uint16_t *tt = walk ? NULL : ttag + tn, x;
				uint32_t *te = walk ? NULL : tend + tn;
				const unsigned char *q = p + i, *ql = p + lim;
				uint32_t e = (uint32_t)(i - sh);
				size_t j = 0;

				/* c - E4 is the code point's top four bits
				 * less 4: cjk[] starts at U+4000.  The input
				 * by a pointer and the output offset by e,
				 * fewer values than i, lim and sh; both
				 * tags' arrays by one index. */
				do {
					x = cjk[(c - 0xe4U) << 12 |
					    (q[1] & 0x3fU) << 6 | (q[2] & 0x3fU)];
					if (x == CJK_STOP)
						break;
					q += 3;
					e += 3;
					/* walk is a constant of each copy
					 * of fast_pass(): no test at run
					 * time (WALK counts its notes in
					 * tn) */
					if (walk)
						WALK(x, e);
					else {
						tt[j] = x;
						te[j++] = e;
					}
				} while (q < ql && (c = *q) - 0xe4U < 6);
				i = (size_t)(q - p);
				tn += j;
				if (x == CJK_STOP) {
					cp = (uint32_t)(c & 0x0f) << 12 |
					    (uint32_t)(p[i + 1] & 0x3f) << 6 |
					    (p[i + 2] & 0x3f);
					goto cjk_stop;
				}
				/* All prev is asked is is_cjk(), true of
				 * every character of the run. */
				prev = 0x4e00;
				continue;
			}
			do {
				cp = (uint32_t)(c & 0x0f) << 12 |
				    (uint32_t)(p[i + 1] & 0x3f) << 6 |
				    (p[i + 2] & 0x3f);
				if ((stop[cp >> 6] >> (cp & 63)) & 1)
					goto cjk_stop;
				i += 3;
			} while (i < lim && (c = p[i]) - 0xe4U < 6);
			prev = cp;
			continue;
cjk_stop:
			if (cp >= 0x4e00)
				return -1;	/* traditional */
			if (i > i0)	/* the last one passed */
				prev = (uint32_t)(p[i - 3] & 0x0f) << 12 |
				    (uint32_t)(p[i - 2] & 0x3f) << 6 |
				    (p[i - 1] & 0x3f);
		} else if (c - 0x21U < 0x5e) {
			/* A run of printable ASCII stays as it is. */
			if (tg != NULL && tok) {
				size_t sh = run - o;

				do
					TAG(c, i + 1 - sh);
				while (++i < n && (c = p[i]) - 0x21U < 0x5e);
				prev = p[i - 1];
				continue;
			}
			do
				prev = c;
			while (++i < n && (c = p[i]) - 0x21U < 0x5e);
			continue;
		}
		if (is_space(c) || (c == 0xe3 && n - i >= 3 &&
		    p[i + 1] == 0x80 && p[i + 2] == 0x80) || (c == 0xc2 &&
		    n - i >= 2 && p[i + 1] == 0xa0)) {
			/* A run of whitespace (U+3000 IDEOGRAPHIC SPACE and
			 * U+00A0 NO-BREAK SPACE among it): one space, or
			 * none between two CJK characters, at either end. */
			copy_run(out + o, p + run, i - run, n - run);
			o += i - run;
			ws = i;
			for (;;) {
				if (i < n && is_space(p[i]))
					i++;
				else if (n - i >= 3 && p[i] == 0xe3 &&
				    p[i + 1] == 0x80 && p[i + 2] == 0x80)
					i += 3;
				else if (n - i >= 2 && p[i] == 0xc2 &&
				    p[i + 1] == 0xa0)
					i += 2;
				else
					break;
			}
			run = i;
			if (i >= n)
				break;	/* trailing: dropped */
			/* The next character as it will be output. */
			if (p[i] == 0xef && n - i >= 3 && ((p[i + 1] == 0xbc &&
			    p[i + 2] >= 0x81) || (p[i + 1] == 0xbd &&
			    p[i + 2] <= 0x9e)))
				next = 0x21;	/* a full-width form: ASCII */
			else
				wz_utf8_decode(p + i, n - i, &next);
			if (o > 0 && !(is_cjk(prev) && is_cjk(next))) {
				seg_add(nm, o, ws, i, 1);
				out[o++] = ' ';
				TAG(' ', o);
			} else
				seg_add(nm, o, ws, i, 0);
			continue;
		}
		if (c == 0xef && n - i >= 3 && ((p[i + 1] == 0xbc &&
		    p[i + 2] >= 0x81) || (p[i + 1] == 0xbd && p[i + 2] <=
		    0x9e))) {
			/* U+FF01..FF5E: NFKC is ASCII 0x21..0x7E. */
			copy_run(out + o, p + run, i - run, n - run);
			o += i - run;
			cp = ((uint32_t)(p[i + 1] & 0x3f) << 6 |
			    (p[i + 2] & 0x3f)) + 0xf000 - 0xfee0;
			seg_add(nm, o, i, i + 3, 1);
			out[o++] = (char)cp;
			TAG(cp, o);
			prev = cp;
			i += 3;
			run = i;
			continue;
		}
		/* Anything else stays as it is if NFKC and OpenCC leave it
		 * alone. */
		if (c < 0x80) {
			cp = c;		/* a control character */
			k = 1;
		} else if (c >= 0xe0 && c < 0xf0 && n - i >= 3) {
			cp = (uint32_t)(c & 0x0f) << 12 |
			    (uint32_t)(p[i + 1] & 0x3f) << 6 | (p[i + 2] & 0x3f);
			k = 3;
		} else {
			k = wz_utf8_decode(p + i, n - i, &next);
			cp = next;
		}
		if (cp >= 0x4e00 && cp <= 0x9fff) {
			if ((t2s[cp >> 6] >> (cp & 63)) & 1)
				return -1;
		} else if (cp < 0x10000) {
			/* Punctuation repeats: remember what utf8proc
			 * said. */
			if (nm->nfkc == NULL)
				nm->nfkc = wz_calloc(0x10000, 1);
			if (nm->nfkc[cp] == 0)
				nm->nfkc[cp] = wz_nfkc_unstable(cp) ? 2 : 1;
			if (nm->nfkc[cp] == 2)
				return -1;
		} else if (wz_nfkc_unstable(cp))
			return -1;
		prev = cp;
		i += k;
		if (cp >= 0x10000)
			tok = 0;	/* not in tab */
		TAG(cp, i - (run - o));
	}
	if (run < i) {
		memcpy(out + o, p + run, i - run);
		o += i - run;
	}
	nm->a.len = o;
	out[o] = '\0';
	if (tg != NULL) {
		tg->n = tn;
		tg->ok = tok;
	}
	return 0;
}

/*
 * The input span of output byte x of the one-pass path: that of the
 * last place kept at or before x if it made x, else that of the input
 * character x was copied from.
 */
static void
fast_span(const struct wz_norm *nm, size_t x, size_t *beg, size_t *end)
{
	const unsigned char *p = (const unsigned char *)nm->srcp;
	const struct nseg *g;
	size_t lo = 0, hi = nm->nseg, mid, b, e;

	while (lo < hi) {	/* the first place after x */
		mid = (lo + hi) / 2;
		if (nm->seg[mid].o <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	b = x;
	if (lo > 0) {
		g = &nm->seg[lo - 1];
		if (g->one && g->o == x) {
			*beg = g->beg;
			*end = g->end;
			return;
		}
		b = g->end + (x - g->o - g->one);
	}
	for (e = b + 1; e < nm->srclen && (p[e] & 0xc0) == 0x80; e++)
		;
	while (b > 0 && (p[b] & 0xc0) == 0x80)
		b--;
	*beg = b;
	*end = e;
}

static inline __attribute__((always_inline)) const char *
norm_run(struct wz_norm *nm, const char *s, size_t n, size_t *outlen,
    int stable, struct tags *tg, int walk)
{
	nm->srclen = n;
	nm->coarse = 0;
	nm->fast = 0;
	wz_buf_reset(&nm->a);
	if (fast_pass(nm, (const unsigned char *)s, n, tg, walk) == 0) {
		/* Keep the input: spans are worked out only when asked for. */
		nm->fast = 1;
		if (stable)
			nm->srcp = s;
		else {
			wz_buf_reset(&nm->src);
			wz_buf_add(&nm->src, s, n);
			nm->srcp = nm->src.s;
		}
		*outlen = nm->a.len;
		return nm->a.s;
	}
	if (tg != NULL)
		tg->ok = 0;
	return wz_norm_run_slow(nm, s, n, outlen);
}

const char *
wz_norm_run(struct wz_norm *nm, const char *s, size_t n, size_t *outlen)
{
	return norm_run(nm, s, n, outlen, 0, NULL, 0);
}

const char *
wz_norm_run_stable(struct wz_norm *nm, const char *s, size_t n,
    size_t *outlen)
{
	return norm_run(nm, s, n, outlen, 1, NULL, 0);
}

const char *
wz_norm_run_tags(struct wz_norm *nm, const char *s, size_t n,
    size_t *outlen, const uint16_t *tab, uint16_t *tag, uint32_t *end,
    size_t cap, size_t *ntags)
{
	struct tags tg = { .tab = tab, .tag = tag, .end = end, .cap = cap,
	    .ok = 1 };
	const char *r;

	r = norm_run(nm, s, n, outlen, 1, &tg, 0);
	*ntags = tg.ok ? tg.n : (size_t)-1;
	return r;
}

const char *
wz_norm_run_scan(struct wz_norm *nm, const char *s, size_t n,
    size_t *outlen, const uint16_t *tab, const void *cells,
    struct wz_ac_note *note, size_t cap, size_t *nnote)
{
	struct tags tg = { .tab = tab, .cap = cap, .ok = 1, .cells = cells,
	    .note = note };
	const char *r;

	r = norm_run(nm, s, n, outlen, 1, &tg, 1);
	*nnote = tg.ok ? tg.n : (size_t)-1;
	return r;
}

const char *
wz_norm_run_slow(struct wz_norm *nm, const char *s, size_t n, size_t *outlen)
{
	nm->srclen = n;
	nm->coarse = 0;
	nm->fast = 0;
	wz_buf_reset(&nm->a);
	stage_nfkc(nm, s, n);
	stage_t2s(nm);
	stage_space(nm);
	*outlen = nm->a.len;
	return wz_buf_cstr(&nm->a);
}

void
wz_norm_span(struct wz_norm *nm, size_t start, size_t end,
    size_t *from, size_t *to)
{
	size_t b, e;

	if (nm->coarse || start >= end || end > nm->a.len) {
		*from = 0;
		*to = nm->srclen;
		return;
	}
	if (nm->fast) {
		fast_span(nm, start, from, &e);
		fast_span(nm, end - 1, &b, to);
		return;
	}
	*from = nm->abeg[start];
	*to = nm->aend[end - 1];
}

char *
wz_normalize(const char *s, size_t n)
{
	/* One normaliser per thread, kept: a fresh one would open OpenCC
	 * (tenths of a second) for every header name that holds a
	 * traditional character, and header lookup normalises a name once
	 * per alias. */
	static _Thread_local struct wz_norm *nm;
	const char *r;
	size_t len;

	if (nm == NULL)
		nm = wz_norm_new();
	r = wz_norm_run(nm, s, n, &len);
	return wz_strndup(r, len);
}

/* East Asian wide and fullwidth code points (two columns). */
static int
is_wide(uint32_t cp)
{
	return (cp >= 0x1100 && cp <= 0x115f) ||
	    (cp >= 0x2e80 && cp <= 0x303e) || (cp >= 0x3041 && cp <= 0x33ff) ||
	    (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) ||
	    (cp >= 0xa000 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) ||
	    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) ||
	    (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) ||
	    (cp >= 0x20000 && cp <= 0x3fffd);
}

size_t
wz_display_width(const char *s)
{
	size_t n = strlen(s), i = 0, w = 0, line = 0, k;
	uint32_t cp;

	/* The widest line of a cell that holds several. */
	while (i < n) {
		k = wz_utf8_decode((const unsigned char *)s + i, n - i, &cp);
		i += k > 0 ? k : 1;
		if (k > 0 && cp == '\n') {
			line = 0;
			continue;
		}
		line += k > 0 && is_wide(cp) ? 2 : 1;
		if (line > w)
			w = line;
	}
	return w;
}
