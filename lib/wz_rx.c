/*
 * wz_rx.c - see wz_rx.h.
 *
 * Options.  Patterns are compiled with PCRE2_UTF and without PCRE2_UCP:
 * \d, \s, \w and \b keep their ASCII meaning.  The matcher reads digits
 * out of captures as numbers, and after NFKC the only digits a text holds
 * in practice are 0-9, so \d = [0-9] is what a rule means; with UCP it
 * would also take Arabic-Indic and other digits the number parser cannot
 * read.  The price is that \w does not match Chinese characters: rules
 * write \p{Han} or a negated class such as [^,。;] (man wenze-rules).
 * Unicode properties (\p{Han}) work in UTF mode without UCP.
 *
 * WZ_RX_CASELESS is PCRE2_CASELESS, which in UTF mode also folds other
 * scripts' letters; on NFKC text that differs from ASCII-only folding
 * only for Greek, Cyrillic and the like, which rules do not hold.
 *
 * The JIT stack and the match context are per thread and shared by every
 * rx that thread runs; the match data (the ovector) belongs to each rx,
 * so wz_rx_span() reads the last match of that rx.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <ctype.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wz_base.h"
#include "wz_rx.h"
#include "wz_text.h"

#include <utf8proc.h>

#define JIT_STACK_START	(32 * 1024)
/* Reserved, not committed, until a match needs it: a long cell run
 * through a repeated group can use a few megabytes. */
#define JIT_STACK_MAX	(8 * 1024 * 1024)

/* A compiled pattern, shared by the handles made from it (wz_rx_dup()),
 * freed with the last one. */
struct rxcode {
	pcre2_code		*code;
	int			 jit;		/* JIT compile succeeded; -1:
						 * not tried yet */
	unsigned long		 refs;
};

struct wz_rx {
	struct rxcode		*c;
	pcre2_match_data	*md;		/* made at the first match */
	uint32_t		 nnames;
	uint32_t		 entsize;	/* bytes per name table entry */
	PCRE2_SPTR		 names;		/* name table */
	int			 matched;	/* the last match succeeded */
	int			 anchored;	/* WZ_RX_ANCHORED */
};

static unsigned long	 lim_match = WZ_RX_MATCH_LIMIT;
static unsigned long	 lim_depth = WZ_RX_DEPTH_LIMIT;
static unsigned long	 lim_gen = 1;	/* bumped by wz_rx_set_limits */

static _Thread_local pcre2_match_context *tl_mctx;
static _Thread_local pcre2_jit_stack *tl_jstack;
static _Thread_local unsigned long tl_gen;

void
wz_rx_set_limits(unsigned long match_limit, unsigned long depth_limit)
{
	lim_match = match_limit > UINT32_MAX ? UINT32_MAX : match_limit;
	lim_depth = depth_limit > UINT32_MAX ? UINT32_MAX : depth_limit;
	lim_gen++;
}

/* This thread's match context, made (or remade after new limits) on use. */
static pcre2_match_context *
mctx(void)
{
	if (tl_mctx != NULL && tl_gen == lim_gen)
		return tl_mctx;
	if (tl_mctx == NULL) {
		tl_mctx = pcre2_match_context_create(NULL);
		if (tl_mctx == NULL)
			wz_die(EX_OSERR, NULL, 0, "out of memory");
		tl_jstack = pcre2_jit_stack_create(JIT_STACK_START,
		    JIT_STACK_MAX, NULL);
		/* Without a stack of our own the JIT uses 32K on the C stack. */
		if (tl_jstack != NULL)
			pcre2_jit_stack_assign(tl_mctx, NULL, tl_jstack);
	}
	pcre2_set_match_limit(tl_mctx, (uint32_t)lim_match);
	pcre2_set_depth_limit(tl_mctx, (uint32_t)lim_depth);
	tl_gen = lim_gen;
	return tl_mctx;
}

/*
 * Does the pattern hold a positive lookahead?  PCRE2 10.42 (Debian 12)
 * can take a pattern's first code unit from one and lose its case on
 * the way: under PCRE2_CASELESS, (?=a)x?a does not match "A", though
 * it matches "A" with the start optimisations off.  Upstream fixed a
 * bug of this kind later (PCRE2Project/pcre2#444, 2024: the first code
 * unit with a lookahead); a newer PCRE2 was not tried here.  A false
 * alarm (an escaped paren) only costs those optimisations.
 */
static int
has_lookahead(const char *pattern)
{
	return strstr(pattern, "(?=") != NULL ||
	    strstr(pattern, "(?*") != NULL ||
	    strstr(pattern, "(*pla:") != NULL ||
	    strstr(pattern, "(*napla:") != NULL ||
	    strstr(pattern, "(*positive_lookahead:") != NULL ||
	    strstr(pattern, "(*non_atomic_positive_lookahead:") != NULL;
}

struct wz_rx *
wz_rx_new(const char *pattern, int flags, char *err, size_t errlen)
{
	struct wz_rx *rx;
	pcre2_code *code;
	uint32_t opts = PCRE2_UTF;
	PCRE2_SIZE off;
	PCRE2_UCHAR msg[256];
	int ec;

	if (flags & WZ_RX_ANCHORED)
		opts |= PCRE2_ANCHORED | PCRE2_ENDANCHORED;
	if (flags & WZ_RX_CASELESS)
		opts |= PCRE2_CASELESS;
	if (has_lookahead(pattern))
		opts |= PCRE2_NO_START_OPTIMIZE;
	code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	    opts, &ec, &off, NULL);
	if (code == NULL) {
		size_t i, chars = 0;

		if (pcre2_get_error_message(ec, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "error %d", ec);
		/* People count characters, not UTF-8 bytes. */
		for (i = 0; i < off && pattern[i] != '\0'; i++)
			if (((unsigned char)pattern[i] & 0xc0) != 0x80)
				chars++;
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s at offset %zu", (char *)msg,
			    chars);
		return NULL;
	}
	rx = wz_calloc(1, sizeof(*rx));
	rx->c = wz_calloc(1, sizeof(*rx->c));
	rx->c->code = code;
	rx->c->refs = 1;
	/* JIT-compiled, and the match data made, on its first match (most
	 * of a ruleset's patterns never run on a given sheet: the
	 * prefilter skips them). */
	rx->c->jit = -1;
	rx->anchored = (flags & WZ_RX_ANCHORED) != 0;
	pcre2_pattern_info(code, PCRE2_INFO_NAMECOUNT, &rx->nnames);
	pcre2_pattern_info(code, PCRE2_INFO_NAMEENTRYSIZE, &rx->entsize);
	pcre2_pattern_info(code, PCRE2_INFO_NAMETABLE, &rx->names);
	return rx;
}

struct wz_rx *
wz_rx_dup(const struct wz_rx *rx)
{
	struct wz_rx *d = wz_malloc(sizeof(*d));

	*d = *rx;
	d->md = NULL;
	d->matched = 0;
	d->c->refs++;
	return d;
}

void
wz_rx_free(struct wz_rx *rx)
{
	if (rx == NULL)
		return;
	pcre2_match_data_free(rx->md);
	if (--rx->c->refs == 0) {
		pcre2_code_free(rx->c->code);
		free(rx->c);
	}
	free(rx);
}

int
wz_rx_match(struct wz_rx *rx, const char *subject, size_t n)
{
	return wz_rx_match_from(rx, subject, n, 0);
}

int
wz_rx_match_from(struct wz_rx *rx, const char *subject, size_t n,
    size_t start)
{
	int rc;

	/* Anchored is anchored at the start offset: never move it. */
	if (rx->anchored || start > n)
		start = 0;
	/* A pattern JIT cannot take still runs, in the interpreter. */
	if (rx->c->jit < 0)
		rx->c->jit = pcre2_jit_compile(rx->c->code,
		    PCRE2_JIT_COMPLETE) == 0;
	if (rx->md == NULL && (rx->md =
	    pcre2_match_data_create_from_pattern(rx->c->code, NULL)) == NULL)
		wz_die(EX_OSERR, NULL, 0, "out of memory");
	if (rx->c->jit)
		rc = pcre2_jit_match(rx->c->code, (PCRE2_SPTR)subject, n, start,
		    0, rx->md, mctx());
	else
		rc = pcre2_match(rx->c->code, (PCRE2_SPTR)subject, n, start,
		    PCRE2_NO_UTF_CHECK, rx->md, mctx());
	rx->matched = rc >= 0;
	if (rc >= 0)
		return WZ_RX_MATCH;
	switch (rc) {
	case PCRE2_ERROR_NOMATCH:
		return WZ_RX_NOMATCH;
	case PCRE2_ERROR_MATCHLIMIT:
	case PCRE2_ERROR_DEPTHLIMIT:
	case PCRE2_ERROR_HEAPLIMIT:
	case PCRE2_ERROR_JIT_STACKLIMIT:
		return WZ_RX_LIMIT;
	default:
		return WZ_RX_ERROR;
	}
}

void
wz_rx_span(const struct wz_rx *rx, size_t *start, size_t *end)
{
	PCRE2_SIZE *ov;

	if (!rx->matched) {
		*start = *end = 0;
		return;
	}
	ov = pcre2_get_ovector_pointer(rx->md);
	*start = ov[0];
	*end = ov[1];
}

size_t
wz_rx_nnames(const struct wz_rx *rx)
{
	return rx->nnames;
}

const char *
wz_rx_name(const struct wz_rx *rx, size_t i)
{
	if (i >= rx->nnames)
		return NULL;
	return (const char *)rx->names + i * rx->entsize + 2;
}

int
wz_rx_named(const struct wz_rx *rx, size_t i, size_t *start, size_t *end)
{
	PCRE2_SIZE *ov;
	PCRE2_SPTR ent;
	unsigned grp;

	if (!rx->matched || i >= rx->nnames)
		return 0;
	ent = rx->names + i * rx->entsize;
	grp = (unsigned)ent[0] << 8 | ent[1];
	if (grp >= pcre2_get_ovector_count(rx->md))
		return 0;
	ov = pcre2_get_ovector_pointer(rx->md);
	if (ov[2 * grp] == PCRE2_UNSET)
		return 0;
	*start = ov[2 * grp];
	*end = ov[2 * grp + 1];
	return 1;
}

/*
 * Required literals.  A small recursive-descent reader of the PCRE2 syntax
 * rules use.  It is conservative: whatever it does not fully understand
 * makes the whole pattern yield no literals, which only costs speed.
 *
 * A sequence yields the best of its candidates: each run of literal
 * characters that are not optional, and each group (not optional) that
 * yields a set.  An alternation yields the union of its branches' sets,
 * or nothing if one branch has none.
 */

#define LIT_MAXSET	32
#define LIT_MAXDEPTH	64

struct litset {
	char		**v;
	size_t		  n, cap;
	int		  ok;		/* 0: no set could be derived */
};

/*
 * The reader's strings, freed together when it is done: sets share them
 * (a member is never changed), so joining and copying sets, which the
 * reader does by the thousand, copies pointers.  What the reader hands
 * back is copied out (lit_out()).  The first LIT_STRBUF bytes, all that
 * most patterns need, are on the stack: blocks made and freed at each
 * pattern, among the strings handed back, left the heap in pieces.
 */
#define LIT_STRBUF	2048

struct litmem {
	struct litmem	*next;
};

struct litp {
	const unsigned char *p;
	size_t		  i, n;
	int		  fail;		/* give up on the whole pattern */
	int		  depth;
	int		  want;		/* collect clauses too */
	struct wz_buf	  b;		/* the run of literal characters being
					 * read: one for every sequence, as a
					 * sequence's run is flushed before a
					 * group it holds is read */
	char		  str[LIT_STRBUF];	/* the strings of every set */
	size_t		  nstr;
	struct litmem	 *mem;		/* and those past str, one a block */
};

static char *
lit_strndup(struct litp *lp, const char *str, size_t len)
{
	struct litmem *m;
	char *d;

	if (LIT_STRBUF - lp->nstr > len) {
		d = lp->str + lp->nstr;
		lp->nstr += len + 1;
	} else {
		m = wz_malloc(sizeof(*m) + len + 1);
		m->next = lp->mem;
		lp->mem = m;
		d = (char *)(m + 1);
	}
	memcpy(d, str, len);
	d[len] = '\0';
	return d;
}

static void
lit_memfree(struct litp *lp)
{
	struct litmem *m, *next;

	for (m = lp->mem; m != NULL; m = next) {
		next = m->next;
		free(m);
	}
}

static void
lit_clear(struct litset *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
	s->ok = 0;
}

/* Add str (the reader's, or another set's member) if it is not in. */
static void
lit_add(struct litset *s, char *str)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i], str) == 0)
			return;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 4;
		s->v = wz_reallocarray(s->v, s->cap, sizeof(*s->v));
	}
	s->v[s->n++] = str;
}

/* Drop members that hold another member: the shorter one is required. */
static void
lit_minimise(struct litset *s)
{
	size_t i, j, k;

	for (i = 0; i < s->n; i++)
		for (j = 0; j < s->n; j++)
			if (i != j && strstr(s->v[i], s->v[j]) != NULL &&
			    (strlen(s->v[i]) > strlen(s->v[j]) || i > j)) {
				for (k = i + 1; k < s->n; k++)
					s->v[k - 1] = s->v[k];
				s->n--;
				i = (size_t)-1;
				break;
			}
}

int
wz_rx_rarer(char *const *a, size_t na, char *const *b, size_t nb)
{
	size_t i, ma = SIZE_MAX, mb = SIZE_MAX;

	for (i = 0; i < na; i++)
		if (strlen(a[i]) < ma)
			ma = strlen(a[i]);
	for (i = 0; i < nb; i++)
		if (strlen(b[i]) < mb)
			mb = strlen(b[i]);
	if (ma != mb)
		return ma > mb;
	return na < nb;
}

/* Is a better than b?  A set at all, then the rarer (wz_rx_rarer). */
static int
lit_better(const struct litset *a, const struct litset *b)
{
	if (!a->ok)
		return 0;
	if (!b->ok)
		return 1;
	return wz_rx_rarer(a->v, a->n, b->v, b->n);
}

/* Keep cand in best if it is better; cand is consumed either way. */
static void
lit_keep(struct litset *best, struct litset *cand)
{
	if (lit_better(cand, best)) {
		lit_clear(best);
		*best = *cand;
	} else
		lit_clear(cand);
	memset(cand, 0, sizeof(*cand));
}

/*
 * Clauses (wz_rx_clauses): every candidate of a sequence, not only the
 * best, and those of the groups it holds that must match (not optional,
 * not zero-width) and have one branch; a group of several branches gives
 * pairs of its branches' clauses (cl_product()), or if those cannot be
 * had, one clause, the union its set is.  Each candidate alone is
 * required (the best is chosen among them because of that), so all of
 * them are.
 */
struct litcl {
	struct litset	 *v;
	size_t		  n;
};

static void
cl_free(struct litcl *cl)
{
	size_t i;

	for (i = 0; i < cl->n; i++)
		lit_clear(&cl->v[i]);
	free(cl->v);
	cl->v = NULL;
	cl->n = 0;
}

/* Append a copy of s (an ok, non-empty set). */
static void
cl_add_copy(struct litcl *cl, const struct litset *s)
{
	struct litset c = {0};
	size_t i;

	if (!s->ok || s->n == 0)
		return;
	c.ok = 1;
	for (i = 0; i < s->n; i++)
		lit_add(&c, s->v[i]);
	cl->v = wz_reallocarray(cl->v, cl->n + 1, sizeof(*cl->v));
	cl->v[cl->n++] = c;
}

/* Move every clause of src to the end of dst. */
static void
cl_move(struct litcl *dst, struct litcl *src)
{
	if (dst->n == 0) {
		/* Most often: the array itself changes hands. */
		free(dst->v);
		*dst = *src;
	} else {
		if (src->n > 0) {
			dst->v = wz_reallocarray(dst->v, dst->n + src->n,
			    sizeof(*dst->v));
			memcpy(dst->v + dst->n, src->v,
			    src->n * sizeof(*src->v));
			dst->n += src->n;
		}
		free(src->v);
	}
	src->v = NULL;
	src->n = 0;
}

/*
 * Can this code point stand for itself in a lowercase-ASCII literal?
 * Under PCRE2_CASELESS in UTF mode 'k' also matches U+212A (KELVIN SIGN)
 * and 's' U+017F (LONG S), so a text could match without holding the
 * letter; cased letters outside ASCII have partners too.
 */
static int
lit_safe(uint32_t cp)
{
	utf8proc_category_t c;

	if (cp < 0x80)
		return cp != 'k' && cp != 'K' && cp != 's' && cp != 'S';
	/* CJK Unified Ideographs, most of what patterns hold: letters of
	 * category Lo, with no case; asked of utf8proc three times each. */
	if (cp >= 0x4e00 && cp <= 0x9fff)
		return 1;
	c = utf8proc_category((utf8proc_int32_t)cp);
	return c != UTF8PROC_CATEGORY_LU && c != UTF8PROC_CATEGORY_LL &&
	    c != UTF8PROC_CATEGORY_LT &&
	    utf8proc_tolower((utf8proc_int32_t)cp) == (utf8proc_int32_t)cp &&
	    utf8proc_toupper((utf8proc_int32_t)cp) == (utf8proc_int32_t)cp;
}

static uint32_t
lit_getcp(struct litp *lp)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t k;

	k = utf8proc_iterate(lp->p + lp->i, (utf8proc_ssize_t)(lp->n - lp->i),
	    &cp);
	if (k <= 0) {
		lp->fail = 1;
		lp->i = lp->n;
		return 0;
	}
	lp->i += (size_t)k;
	return (uint32_t)cp;
}

static int
lit_isdigit(int c)
{
	return c >= '0' && c <= '9';
}

/* Skip \E, \Q\E and (?#...) that may sit between an item and its
 * quantifier. */
static void
lit_skip_noise(struct litp *lp)
{
	for (;;) {
		if (lp->i + 1 < lp->n && lp->p[lp->i] == '\\' &&
		    lp->p[lp->i + 1] == 'E')
			lp->i += 2;
		else if (lp->i + 3 < lp->n && memcmp(lp->p + lp->i, "\\Q\\E",
		    4) == 0)
			lp->i += 4;
		else if (lp->i + 2 < lp->n && memcmp(lp->p + lp->i, "(?#",
		    3) == 0) {
			while (lp->i < lp->n && lp->p[lp->i] != ')')
				lp->i++;
			if (lp->i == lp->n)
				lp->fail = 1;
			else
				lp->i++;
		} else
			return;
	}
}

/*
 * A quantifier after an item: returns its minimum (1 when there is none).
 * A '{' that is not a plain {n}, {n,} or {n,m} makes us give up, since
 * PCRE2 versions differ on what it is.
 */
static unsigned long
lit_quantq(struct litp *lp, int *had)
{
	unsigned long min = 1;
	size_t j;
	int c;

	*had = 0;
	lit_skip_noise(lp);
	if (lp->i >= lp->n)
		return 1;
	c = lp->p[lp->i];
	if (c == '?' || c == '*')
		min = 0;
	else if (c == '+')
		min = 1;
	else if (c == '{') {
		j = lp->i + 1;
		if (j >= lp->n || !lit_isdigit(lp->p[j])) {
			lp->fail = 1;
			return 1;
		}
		min = 0;
		while (j < lp->n && lit_isdigit(lp->p[j])) {
			if (min < 100000)
				min = min * 10 + (unsigned long)(lp->p[j] - '0');
			j++;
		}
		if (j < lp->n && lp->p[j] == ',')
			for (j++; j < lp->n && lit_isdigit(lp->p[j]); j++)
				;
		if (j >= lp->n || lp->p[j] != '}') {
			lp->fail = 1;
			return 1;
		}
		lp->i = j;
	} else
		return 1;
	*had = 1;
	lp->i++;
	if (lp->i < lp->n && (lp->p[lp->i] == '?' || lp->p[lp->i] == '+'))
		lp->i++;
	lit_skip_noise(lp);
	if (lp->i < lp->n && (lp->p[lp->i] == '?' || lp->p[lp->i] == '*' ||
	    lp->p[lp->i] == '+' || lp->p[lp->i] == '{'))
		lp->fail = 1;
	return min;
}

static unsigned long
lit_quant(struct litp *lp)
{
	int had;

	return lit_quantq(lp, &had);
}

/* Skip a character class; lp->i is just past '['. */
static void
lit_skip_class(struct litp *lp)
{
	size_t start;

	if (lp->i < lp->n && lp->p[lp->i] == '^')
		lp->i++;
	start = lp->i;
	while (lp->i < lp->n) {
		unsigned char c = lp->p[lp->i];

		if (c == ']' && lp->i > start) {
			lp->i++;
			return;
		}
		if (c == '\\' && lp->i + 1 < lp->n && lp->p[lp->i + 1] == 'Q') {
			lp->i += 2;
			while (lp->i + 1 < lp->n && !(lp->p[lp->i] == '\\' &&
			    lp->p[lp->i + 1] == 'E'))
				lp->i++;
			if (lp->i + 1 >= lp->n)
				break;
			lp->i += 2;
			continue;
		}
		if (c == '\\') {
			lp->i += 2;
			continue;
		}
		if (c == '[' && lp->i + 1 < lp->n && (lp->p[lp->i + 1] == ':' ||
		    lp->p[lp->i + 1] == '.' || lp->p[lp->i + 1] == '=')) {
			const unsigned char *e;

			e = memmem(lp->p + lp->i + 2, lp->n - lp->i - 2, ":]", 2);
			if (e == NULL || lp->p[lp->i + 1] != ':') {
				lp->fail = 1;
				return;
			}
			lp->i = (size_t)(e - lp->p) + 2;
			continue;
		}
		lp->i++;
	}
	lp->fail = 1;
}

struct litrun {
	struct litp	 *lp;
	struct litset	  best;
	struct litcl	  cl;		/* every candidate, if want */
	int		  want;
};

static void
lit_flush(struct litrun *r)
{
	struct litset c = {0};

	if (r->lp->b.len > 0) {
		c.ok = 1;
		lit_add(&c, lit_strndup(r->lp, r->lp->b.s, r->lp->b.len));
		if (r->want)
			cl_add_copy(&r->cl, &c);
		lit_keep(&r->best, &c);
	}
	wz_buf_reset(&r->lp->b);
}

/* A literal code point, then its quantifier. */
static void
lit_char(struct litp *lp, struct litrun *r, uint32_t cp)
{
	char u[4];
	size_t k;
	unsigned long min;
	int had;

	if (cp >= 'A' && cp <= 'Z')
		cp += 'a' - 'A';
	k = wz_utf8_encode(cp, u);
	min = lit_quantq(lp, &had);
	if (!lit_safe(cp) || min == 0) {
		lit_flush(r);
		return;
	}
	wz_buf_add(&r->lp->b, u, k);
	if (had) {
		/* Repeated, at least once: the run ends after its first
		 * copy, and the next run starts with its last. */
		lit_flush(r);
		wz_buf_add(&r->lp->b, u, k);
	}
}

static struct litset lit_alt(struct litp *lp, struct litcl *cl);

/* A group after '('; returns its set (zero-width groups yield none) and
 * adds its clauses to cl (none for a zero-width group). */
static struct litset
lit_group(struct litp *lp, int *zerowidth, struct litcl *cl)
{
	struct litset s = {0};
	const unsigned char *p = lp->p;
	size_t j;

	*zerowidth = 0;
	if (lp->i < lp->n && p[lp->i] == '*') {
		lp->fail = 1;
		return s;
	}
	if (lp->i < lp->n && p[lp->i] == '?') {
		lp->i++;
		if (lp->i >= lp->n) {
			lp->fail = 1;
			return s;
		}
		switch (p[lp->i]) {
		case ':':
		case '|':
		case '>':
			lp->i++;
			break;
		case '=':
		case '!':
			lp->i++;
			*zerowidth = 1;
			break;
		case '<':
			if (lp->i + 1 < lp->n && (p[lp->i + 1] == '=' ||
			    p[lp->i + 1] == '!')) {
				lp->i += 2;
				*zerowidth = 1;
				break;
			}
			/* FALLTHROUGH */
		case '\'':
		case 'P':
			if (p[lp->i] == 'P') {
				if (lp->i + 1 >= lp->n || p[lp->i + 1] != '<') {
					lp->fail = 1;
					return s;
				}
				lp->i++;
			}
			{
				int close = p[lp->i] == '<' ? '>' : '\'';

				for (j = lp->i + 1; j < lp->n && p[j] != close;
				    j++)
					if (!(p[j] == '_' || lit_isdigit(p[j]) ||
					    ((p[j] | 0x20) >= 'a' &&
					    (p[j] | 0x20) <= 'z'))) {
						lp->fail = 1;
						return s;
					}
				if (j >= lp->n) {
					lp->fail = 1;
					return s;
				}
				lp->i = j + 1;
			}
			break;
		default:
			/* Option letters: (?i) (?-i) (?i:...); not (?x). */
			for (j = lp->i; j < lp->n && p[j] != '\0' &&
			    strchr("imnsJUaDSWPT-^", p[j]) != NULL; j++)
				;
			if (j >= lp->n || j == lp->i || (p[j] != ')' && p[j] != ':')) {
				lp->fail = 1;
				return s;
			}
			lp->i = j + 1;
			if (p[j] == ')') {
				*zerowidth = 2;	/* no group: only settings */
				return s;
			}
		}
	}
	if (++lp->depth > LIT_MAXDEPTH) {
		lp->fail = 1;
		return s;
	}
	s = lit_alt(lp, cl);
	lp->depth--;
	if (lp->i >= lp->n || p[lp->i] != ')') {
		lp->fail = 1;
		lit_clear(&s);
		cl_free(cl);
		return s;
	}
	lp->i++;
	if (*zerowidth) {
		lit_clear(&s);
		cl_free(cl);
	}
	return s;
}

/* An escape after '\' outside a class. */
static void
lit_escape(struct litp *lp, struct litrun *r)
{
	const unsigned char *p = lp->p;
	uint32_t cp;
	int c;

	if (lp->i >= lp->n) {
		lp->fail = 1;
		return;
	}
	c = p[lp->i];
	if (c >= 0x80) {
		lit_char(lp, r, lit_getcp(lp));
		return;
	}
	lp->i++;
	switch (c) {
	case 'Q':
		while (lp->i < lp->n) {
			if (lp->i + 1 < lp->n && p[lp->i] == '\\' &&
			    p[lp->i + 1] == 'E') {
				lp->i += 2;
				return;
			}
			cp = lit_getcp(lp);
			if (lp->fail)
				return;
			/* The quantifier check of lit_char sees what follows
			 * this character: only the last one before \E takes
			 * it, and lit_quant skips the \E. */
			if (lp->i + 1 < lp->n && p[lp->i] == '\\' &&
			    p[lp->i + 1] == 'E') {
				lit_char(lp, r, cp);
				return;
			} else {
				char u[4];
				size_t k;

				if (cp >= 'A' && cp <= 'Z')
					cp += 'a' - 'A';
				k = wz_utf8_encode(cp, u);
				if (lit_safe(cp))
					wz_buf_add(&r->lp->b, u, k);
				else
					lit_flush(r);
			}
		}
		return;
	case 'E':
		return;
	case 'a':
		lit_char(lp, r, 0x07);
		return;
	case 'e':
		lit_char(lp, r, 0x1b);
		return;
	case 'f':
		lit_char(lp, r, 0x0c);
		return;
	case 'n':
		lit_char(lp, r, 0x0a);
		return;
	case 'r':
		lit_char(lp, r, 0x0d);
		return;
	case 't':
		lit_char(lp, r, 0x09);
		return;
	case 'x':
		cp = 0;
		if (lp->i < lp->n && p[lp->i] == '{') {
			size_t j = lp->i + 1, nd = 0;

			for (; j < lp->n && isxdigit(p[j]) && nd < 6; j++, nd++)
				cp = cp * 16 + (uint32_t)(lit_isdigit(p[j]) ?
				    p[j] - '0' : (p[j] | 0x20) - 'a' + 10);
			if (nd == 0 || j >= lp->n || p[j] != '}') {
				lp->fail = 1;
				return;
			}
			lp->i = j + 1;
		} else {
			size_t nd = 0;

			for (; lp->i < lp->n && isxdigit(p[lp->i]) && nd < 2;
			    lp->i++, nd++)
				cp = cp * 16 + (uint32_t)(lit_isdigit(p[lp->i]) ?
				    p[lp->i] - '0' : (p[lp->i] | 0x20) - 'a' + 10);
			if (nd == 0) {
				lp->fail = 1;
				return;
			}
		}
		if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
			lp->fail = 1;
			return;
		}
		lit_char(lp, r, cp);
		return;
	case 'p':
	case 'P':
		if (lp->i < lp->n && p[lp->i] == '{') {
			while (lp->i < lp->n && p[lp->i] != '}')
				lp->i++;
			if (lp->i >= lp->n) {
				lp->fail = 1;
				return;
			}
		}
		lp->i++;
		/* FALLTHROUGH */
	case 'd': case 'D': case 's': case 'S': case 'w': case 'W':
	case 'h': case 'H': case 'v': case 'V': case 'R': case 'X':
	case 'C':
		lit_flush(r);
		lit_quant(lp);
		return;
	case 'N':
		if (lp->i < lp->n && p[lp->i] == '{') {
			lp->fail = 1;
			return;
		}
		lit_flush(r);
		lit_quant(lp);
		return;
	case 'b': case 'B': case 'A': case 'z': case 'Z': case 'G': case 'K':
		lit_flush(r);
		lit_quant(lp);
		return;
	default:
		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z')) {
			/* Back references, octal, \g, \k, \c, \o: give up. */
			lp->fail = 1;
			return;
		}
		lit_char(lp, r, (uint32_t)c);
	}
}

/* A sequence, up to '|', ')' or the end; its clauses go to cl. */
static struct litset
lit_seq(struct litp *lp, struct litcl *cl)
{
	struct litrun r;
	struct litset g;
	struct litcl gcl;
	unsigned long min;
	int c, zw;

	memset(&r, 0, sizeof(r));
	r.lp = lp;
	r.want = lp->want;
	while (!lp->fail && lp->i < lp->n) {
		c = lp->p[lp->i];
		if (c == '|' || c == ')')
			break;
		if (c >= 0x80) {
			lit_char(lp, &r, lit_getcp(lp));
			continue;
		}
		lp->i++;
		switch (c) {
		case '\\':
			lit_escape(lp, &r);
			break;
		case '[':
			lit_flush(&r);
			lit_skip_class(lp);
			lit_quant(lp);
			break;
		case '.':
		case '^':
		case '$':
			lit_flush(&r);
			lit_quant(lp);
			break;
		case '(':
			if (lp->i + 1 < lp->n && lp->p[lp->i] == '?' &&
			    lp->p[lp->i + 1] == '#') {
				lp->i--;
				lit_skip_noise(lp);
				break;
			}
			lit_flush(&r);
			memset(&gcl, 0, sizeof(gcl));
			g = lit_group(lp, &zw, &gcl);
			if (zw == 2) {
				cl_free(&gcl);
				break;
			}
			min = lit_quant(lp);
			if (min == 0 || zw) {
				lit_clear(&g);
				cl_free(&gcl);
			} else
				cl_move(&r.cl, &gcl);
			lit_keep(&r.best, &g);
			break;
		case '*':
		case '+':
		case '?':
		case '{':
			lp->fail = 1;
			break;
		default:
			lit_char(lp, &r, (uint32_t)c);
		}
	}
	lit_flush(&r);
	if (lp->fail) {
		lit_clear(&r.best);
		cl_free(&r.cl);
	}
	cl_move(cl, &r.cl);
	return r.best;
}

/* Skip the remaining branches, so the caller finds the closing ')'. */
static void
lit_drain(struct litp *lp)
{
	struct litset s;
	struct litcl cl = {0};

	while (!lp->fail && lp->i < lp->n && lp->p[lp->i] == '|') {
		lp->i++;
		s = lit_seq(lp, &cl);
		lit_clear(&s);
		cl_free(&cl);
	}
}

/*
 * The clauses of an alternation of several branches.  Every text a branch
 * matches holds each of that branch's clauses, so one of a_i and b_j
 * holds whichever of A|B matched: a_i | b_j is a clause for every pair
 * (OR distributes over AND).  The clauses must stay in the order of the
 * pattern (wz_rx_clauses()): if A matched, a_i's occurrences come in the
 * order of i, if B matched, b_j's in the order of j.  So only pairs along
 * a path through the grid that moves one step forward in i or in j at a
 * time are taken (m + n - 1 of them), in that order; either way their
 * occurrences then come in order.  The path goes through the pair of the branches' best
 * sets (the one clause this gave before: their union), and otherwise
 * takes the pairs whose shortest member is longest.  More branches fold
 * in one at a time: the path of A|B is a list in order for A|B.
 */
#define LIT_MAXCL	64	/* clauses a branch may bring to a product */

/* Do two sets hold the same members? */
static int
lit_same(const struct litset *a, const struct litset *b)
{
	size_t i, j;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++) {
		for (j = 0; j < b->n; j++)
			if (strcmp(a->v[i], b->v[j]) == 0)
				break;
		if (j == b->n)
			return 0;
	}
	return 1;
}

static size_t
lit_minlen(const struct litset *s)
{
	size_t i, m = SIZE_MAX;

	for (i = 0; i < s->n; i++)
		if (strlen(s->v[i]) < m)
			m = strlen(s->v[i]);
	return m;
}

/*
 * Does a member of a hold a member of b other than itself, or the other
 * way round?  Their union would lose the longer one (lit_minimise()),
 * and a text would find the shorter later than the longer starts, where
 * the pairs next to it on a path could find the longer: out of order.
 */
static int
lit_cross(const struct litset *a, const struct litset *b)
{
	size_t i, j;

	for (i = 0; i < a->n; i++)
		for (j = 0; j < b->n; j++)
			if (strcmp(a->v[i], b->v[j]) != 0 &&
			    (strstr(a->v[i], b->v[j]) != NULL ||
			    strstr(b->v[j], a->v[i]) != NULL))
				return 1;
	return 0;
}

/* A pair's worth on a path: its shortest member's length, then fewer
 * members; nothing if it is left out (lit_cross()). */
static long
lit_pairscore(const struct litset *a, const struct litset *b)
{
	size_t la = lit_minlen(a), lb = lit_minlen(b);

	if (lit_cross(a, b))
		return 0;
	return (long)(la < lb ? la : lb) * 1024 - (long)(a->n + b->n);
}

static int
cl_inpath(size_t i, size_t j, size_t ab, size_t bb)
{
	return (i <= ab && j <= bb) || (i >= ab && j >= bb);
}

/*
 * The product of chains a (its best at *ab) and b (best at bb), along a
 * path through (ab, bb): a chain for a|b, its best at *ab.  Pairs with
 * more than LIT_MAXSET members are left out (fewer clauses are as
 * correct).  a and b are consumed.
 */
static void
cl_product(struct litcl *a, size_t *ab, struct litcl *b, size_t bb)
{
	struct litcl out = {0};
	long *sc;
	unsigned char *fr;	/* per cell: 1 came from i-1, 2 from j-1 */
	size_t m = a->n, n = b->n, i, j, k, np, nb = SIZE_MAX;
	size_t pi[2 * LIT_MAXCL], pj[2 * LIT_MAXCL];	/* the path, back
							 * from its end */
	int cross;

	if (m == 1 && n == 1) {
		/* The common case, a word of several spellings: the union,
		 * the only (so the last) pair. */
		cross = lit_cross(&a->v[0], &b->v[0]);
		for (i = 0; i < b->v[0].n; i++)
			lit_add(&a->v[0], b->v[0].v[i]);
		cl_free(b);
		if (a->v[0].n > LIT_MAXSET) {
			cl_free(a);
			*ab = SIZE_MAX;
		} else if (cross)
			lit_minimise(&a->v[0]);
		return;
	}
	np = 0;
	if (m == 1 || n == 1) {
		/* One path. */
		for (k = m + n - 1; k-- > 0;) {
			pi[np] = m == 1 ? 0 : k;
			pj[np] = m == 1 ? k : 0;
			np++;
		}
	} else {
		sc = wz_calloc(m * n, sizeof(*sc));
		fr = wz_calloc(m * n, 1);
		/* The best path from (0,0) to each cell of the part of
		 * the grid that leads through (ab, bb): the cells not
		 * after it in either and those not before it in either. */
		for (i = 0; i < m; i++)
			for (j = 0; j < n; j++) {
				long best = 0;
				int from = 0;

				if (!cl_inpath(i, j, *ab, bb))
					continue;
				if (i > 0 && cl_inpath(i - 1, j, *ab, bb)) {
					best = sc[(i - 1) * n + j];
					from = 1;
				}
				if (j > 0 && cl_inpath(i, j - 1, *ab, bb) &&
				    (from == 0 || sc[i * n + j - 1] > best)) {
					best = sc[i * n + j - 1];
					from = 2;
				}
				sc[i * n + j] = best +
				    lit_pairscore(&a->v[i], &b->v[j]);
				fr[i * n + j] = (unsigned char)from;
			}
		/* Back from the last cell. */
		i = m - 1;
		j = n - 1;
		for (;;) {
			pi[np] = i;
			pj[np] = j;
			np++;
			if (fr[i * n + j] == 1)
				i--;
			else if (fr[i * n + j] == 2)
				j--;
			else
				break;
		}
		free(sc);
		free(fr);
	}
	for (k = np; k-- > 0;) {
		struct litset c = {0};

		/* The last pair may lose a member: nothing after it in the
		 * list can need the longer one's start. */
		cross = lit_cross(&a->v[pi[k]], &b->v[pj[k]]);
		if (cross && k > 0) {
			if (pi[k] == *ab && pj[k] == bb)
				break;	/* no product */
			continue;
		}
		if (k == 0 || pi[k - 1] != pi[k]) {
			/* Its last pair: a's clause itself. */
			c = a->v[pi[k]];
			memset(&a->v[pi[k]], 0, sizeof(c));
		} else {
			c.ok = 1;
			for (i = 0; i < a->v[pi[k]].n; i++)
				lit_add(&c, a->v[pi[k]].v[i]);
		}
		for (i = 0; i < b->v[pj[k]].n; i++)
			lit_add(&c, b->v[pj[k]].v[i]);
		if (c.n > LIT_MAXSET) {
			lit_clear(&c);
			continue;
		}
		if (cross)
			lit_minimise(&c);
		if (pi[k] == *ab && pj[k] == bb)
			nb = out.n;
		out.v = wz_reallocarray(out.v, out.n + 1, sizeof(*out.v));
		out.v[out.n++] = c;
	}
	cl_free(a);
	cl_free(b);
	*a = out;
	*ab = nb;
}

/* Find set s among the clauses of cl (minimised here): its index, or
 * SIZE_MAX.  (A branch's best set is minimised: a run or a group's.) */
static size_t
cl_find(struct litcl *cl, const struct litset *s)
{
	size_t i;

	for (i = 0; i < cl->n; i++) {
		lit_minimise(&cl->v[i]);
		if (lit_same(&cl->v[i], s))
			return i;
	}
	return SIZE_MAX;
}

/*
 * Alternatives, up to ')' or the end.  Clauses go to cl: a single
 * branch's own, or for several branches their product (cl_product()),
 * or if that cannot be made, the union of their best sets.
 */
static struct litset
lit_alt(struct litp *lp, struct litcl *cl)
{
	struct litset all = {0}, s, fbest = {0};
	struct litcl prod = {0}, first = {0}, bc;
	size_t i, nbr = 0, pb = SIZE_MAX, bb;
	int canprod = lp->want;
	int single = 0;		/* each branch so far has one clause (its
				 * best): the product is their union */

	all.ok = 1;
	for (;;) {
		memset(&bc, 0, sizeof(bc));
		s = lit_seq(lp, &bc);
		if (!s.ok || lp->fail) {
			lit_clear(&s);
			lit_clear(&all);
			lit_clear(&fbest);
			cl_free(&bc);
			cl_free(&first);
			cl_free(&prod);
			lit_drain(lp);
			return all;
		}
		if (nbr == 0) {
			/* Alone, its clauses go as they are. */
			first = bc;
			memset(&bc, 0, sizeof(bc));
		} else if (canprod && nbr == 1) {
			/* A second branch: the first's clauses start the
			 * product. */
			prod = first;
			memset(&first, 0, sizeof(first));
			pb = cl_find(&prod, &fbest);
			if (pb == SIZE_MAX || prod.n > LIT_MAXCL)
				canprod = 0;
			single = prod.n == 1;
		}
		if (canprod && nbr > 0) {
			bb = cl_find(&bc, &s);
			if (bb == SIZE_MAX || bc.n > LIT_MAXCL)
				canprod = 0;
			else if (single && bc.n == 1)
				;	/* the product is the union, all */
			else {
				if (single) {
					/* The union so far, as the product. */
					cl_free(&prod);
					cl_add_copy(&prod, &all);
					lit_minimise(&prod.v[0]);
					pb = 0;
					single = 0;
				}
				cl_product(&prod, &pb, &bc, bb);
				if (pb == SIZE_MAX || prod.n > LIT_MAXCL)
					canprod = 0;
			}
		}
		if (!canprod)
			cl_free(&prod);
		cl_free(&bc);
		nbr++;
		for (i = 0; i < s.n; i++)
			lit_add(&all, s.v[i]);
		if (nbr == 1 && canprod)
			fbest = s;	/* for a second branch */
		else
			lit_clear(&s);
		if (all.n > LIT_MAXSET) {
			lit_clear(&all);
			lit_clear(&fbest);
			cl_free(&first);
			cl_free(&prod);
			lit_drain(lp);
			return all;
		}
		if (lp->i < lp->n && lp->p[lp->i] == '|') {
			lp->i++;
			continue;
		}
		break;
	}
	lit_clear(&fbest);
	lit_minimise(&all);
	if (nbr == 1) {
		cl_free(&prod);
		cl_move(cl, &first);
	} else if (canprod && !single) {
		cl_free(&first);
		cl_move(cl, &prod);
	} else {
		cl_free(&first);
		cl_free(&prod);
		if (lp->want)
			cl_add_copy(cl, &all);
	}
	return all;
}

/* The members of s, the reader's, made the caller's own. */
static void
lit_out(struct litset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		s->v[i] = wz_strdup(s->v[i]);
}

size_t
wz_rx_literals(const char *pattern, char ***out)
{
	struct litp lp;
	struct litset s;
	struct litcl cl;

	memset(&lp, 0, sizeof(lp));
	lp.p = (const unsigned char *)pattern;
	lp.n = strlen(pattern);
	memset(&cl, 0, sizeof(cl));
	s = lit_alt(&lp, &cl);
	wz_buf_free(&lp.b);
	cl_free(&cl);
	if (lp.fail || lp.i != lp.n || !s.ok || s.n == 0) {
		lit_clear(&s);
		lit_memfree(&lp);
		*out = NULL;
		return 0;
	}
	lit_out(&s);
	lit_memfree(&lp);
	*out = s.v;
	return s.n;
}

/* Does every member of b hold a member of a (b implies a)? */
static int
cl_implies(const struct litset *b, const struct litset *a)
{
	size_t i, j;

	for (i = 0; i < b->n; i++) {
		for (j = 0; j < a->n; j++)
			if (strstr(b->v[i], a->v[j]) != NULL)
				break;
		if (j == a->n)
			return 0;
	}
	return 1;
}

size_t
wz_rx_clauses(const char *pattern, struct wz_rx_clause **out)
{
	struct litp lp;
	struct litset s;
	struct litcl cl;
	size_t i, j, k, n, nv, ns;
	char **pv, *ps;

	*out = NULL;
	memset(&lp, 0, sizeof(lp));
	lp.p = (const unsigned char *)pattern;
	lp.n = strlen(pattern);
	lp.want = 1;
	memset(&cl, 0, sizeof(cl));
	s = lit_alt(&lp, &cl);
	wz_buf_free(&lp.b);
	if (lp.fail || lp.i != lp.n || !s.ok || s.n == 0) {
		lit_clear(&s);
		cl_free(&cl);
		lit_memfree(&lp);
		return 0;
	}
	lit_clear(&s);
	/* A clause that another implies says nothing more: drop it (of two
	 * that imply each other, the later). */
	for (i = 0; i < cl.n; i++) {
		lit_minimise(&cl.v[i]);
		for (j = 0; j < cl.n; j++)
			if (i != j && cl_implies(&cl.v[j], &cl.v[i]) &&
			    (j < i || !cl_implies(&cl.v[i], &cl.v[j])))
				break;
		if (j < cl.n) {
			lit_clear(&cl.v[i]);
			for (k = i + 1; k < cl.n; k++)
				cl.v[k - 1] = cl.v[k];
			cl.n--;
			i--;
		}
	}
	/* Fewer clauses are as correct, only weaker. */
	while (cl.n > WZ_RX_MAXCLAUSES)
		lit_clear(&cl.v[--cl.n]);
	if (cl.n == 0) {
		cl_free(&cl);
		lit_memfree(&lp);
		return 0;
	}
	/* One allocation: the clauses, their arrays, then the strings. */
	for (i = 0, nv = 0, ns = 0; i < cl.n; i++)
		for (k = 0, nv += cl.v[i].n; k < cl.v[i].n; k++)
			ns += strlen(cl.v[i].v[k]) + 1;
	*out = wz_malloc(cl.n * sizeof(**out) + nv * sizeof(char *) + ns);
	pv = (char **)(*out + cl.n);
	ps = (char *)(pv + nv);
	for (i = 0; i < cl.n; i++) {
		(*out)[i].v = pv;
		(*out)[i].n = cl.v[i].n;
		for (k = 0; k < cl.v[i].n; k++) {
			j = strlen(cl.v[i].v[k]) + 1;
			*pv++ = memcpy(ps, cl.v[i].v[k], j);
			ps += j;
		}
	}
	n = cl.n;
	cl_free(&cl);
	lit_memfree(&lp);
	return n;
}

void
wz_rx_clauses_free(struct wz_rx_clause *c, size_t n)
{
	(void)n;	/* one allocation (wz_rx_clauses()) */
	free(c);
}

/*
 * Leading literals (wz_rx_prefixes()).  A deliberately small parser: what
 * it does not know makes it give up, which costs only speed.
 */
struct pfxp {
	const unsigned char *p;
	size_t		 i, n;
	char		**v;
	size_t		 nv, cap;
	int		 fail;
};

/*
 * Can the character at p[i] (of byte length *len) stand for itself in a
 * prefix?  Neither a metacharacter nor a letter (a caseless match would
 * reach other spellings); CJK and punctuation are.
 */
static int
pfx_char(const struct pfxp *pp, size_t i, size_t *len)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t k;
	unsigned c = pp->p[i];

	if (c < 0x80) {
		*len = 1;
		if (c < 0x20 || c == 0x7f || strchr("\\^$.[]()|*+?{}#", (int)c)
		    != NULL)
			return 0;
		return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
	}
	k = utf8proc_iterate(pp->p + i, (utf8proc_ssize_t)(pp->n - i), &cp);
	if (k <= 0)
		return 0;
	*len = (size_t)k;
	/* General punctuation, CJK symbols and punctuation, the CJK
	 * ideographs: no case. */
	return (cp >= 0x2000 && cp <= 0x206f) || (cp >= 0x3000 &&
	    cp <= 0x303f) || (cp >= 0x3400 && cp <= 0x4dbf) ||
	    (cp >= 0x4e00 && cp <= 0x9fff);
}

/*
 * The least number of times the item before p[i] must match: 1 without a
 * quantifier, 0 for ? * and {0..., 1 for + and {n... with n >= 1; -1 for
 * a '{' that is not a plain quantifier.
 */
static int
pfx_quant(const struct pfxp *pp, size_t i)
{
	size_t j;

	if (i >= pp->n)
		return 1;
	switch (pp->p[i]) {
	case '?':
	case '*':
		return 0;
	case '+':
		return 1;
	case '{':
		for (j = i + 1; j < pp->n && pp->p[j] >= '0' && pp->p[j] <= '9';
		    j++)
			;
		if (j == i + 1 || j >= pp->n || (pp->p[j] != '}' &&
		    pp->p[j] != ','))
			return -1;
		for (j = i + 1; j < pp->n && pp->p[j] == '0'; j++)
			;
		return (pp->p[j] >= '1' && pp->p[j] <= '9') ? 1 : 0;
	default:
		return 1;
	}
}

/* Skip a character class from its '['. */
static void
pfx_skip_class(struct pfxp *pp)
{
	pp->i++;
	if (pp->i < pp->n && pp->p[pp->i] == '^')
		pp->i++;
	if (pp->i < pp->n && pp->p[pp->i] == ']')
		pp->i++;
	while (pp->i < pp->n && pp->p[pp->i] != ']') {
		if (pp->p[pp->i] == '\\') {
			if (pp->i + 1 < pp->n && pp->p[pp->i + 1] == 'Q')
				break;
			pp->i += 2;
		} else if (pp->p[pp->i] == '[' && pp->i + 1 < pp->n &&
		    strchr(":.=", pp->p[pp->i + 1]) != NULL)
			break;	/* [:alpha:] and the like */
		else
			pp->i++;
	}
	if (pp->i >= pp->n || pp->p[pp->i] != ']') {
		pp->fail = 1;
		pp->i = pp->n;
		return;
	}
	pp->i++;
}

/*
 * Skip to the end of the branch that starts at pp->i: the '|' or ')' that
 * ends it at this depth, or the end.
 */
static void
pfx_skip_branch(struct pfxp *pp)
{
	int depth = 0;

	while (pp->i < pp->n && !pp->fail) {
		switch (pp->p[pp->i]) {
		case '\\':
			if (pp->i + 1 < pp->n && strchr("QEG", pp->p[pp->i + 1])
			    != NULL)
				pp->fail = 1;	/* \Q..\E and \G: not here */
			pp->i += 2;
			break;
		case '[':
			pfx_skip_class(pp);
			break;
		case '(':
			if (pp->i + 1 < pp->n && pp->p[pp->i + 1] == '*')
				pp->fail = 1;	/* verbs */
			depth++;
			pp->i++;
			break;
		case ')':
			if (depth == 0)
				return;
			depth--;
			pp->i++;
			break;
		case '|':
			if (depth == 0)
				return;
			pp->i++;
			break;
		default:
			pp->i++;
		}
	}
	if (pp->i > pp->n)
		pp->i = pp->n;
	if (depth != 0)
		pp->fail = 1;
}

static void
pfx_add(struct pfxp *pp, size_t from, size_t to)
{
	if (pp->nv >= 32) {
		pp->fail = 1;
		return;
	}
	if (pp->nv == pp->cap) {
		pp->cap = pp->cap ? 2 * pp->cap : 4;
		pp->v = wz_reallocarray(pp->v, pp->cap, sizeof(*pp->v));
	}
	pp->v[pp->nv++] = wz_strndup((const char *)pp->p + from, to - from);
}

/* Branches to the ')' or end that closes them, each read by branch
 * (pfx_branch, sfx_branch). */
static void
alt_branches(struct pfxp *pp, void (*branch)(struct pfxp *))
{
	for (;;) {
		branch(pp);
		if (pp->fail || pp->i >= pp->n || pp->p[pp->i] != '|')
			return;
		pp->i++;
	}
}

/*
 * One branch: lookarounds (zero width) are passed over; then a run of
 * literal characters (a quantified one ends it: taken if it must match
 * once, else left out) or a group whose branches each start so; the rest
 * of the branch is skipped.
 */
static void
pfx_branch(struct pfxp *pp)
{
	size_t s, len;
	const unsigned char *p = pp->p;
	int q;

	while (pp->i + 2 < pp->n && p[pp->i] == '(' && p[pp->i + 1] == '?' &&
	    (p[pp->i + 2] == '=' || p[pp->i + 2] == '!' ||
	    (p[pp->i + 2] == '<' && pp->i + 3 < pp->n &&
	    (p[pp->i + 3] == '=' || p[pp->i + 3] == '!')))) {
		pp->i++;
		pfx_skip_branch(pp);	/* to the group's ')' or '|' */
		while (!pp->fail && pp->i < pp->n && p[pp->i] == '|') {
			pp->i++;
			pfx_skip_branch(pp);
		}
		if (pp->fail || pp->i >= pp->n)
			goto fail;
		pp->i++;		/* ')' */
		if (pfx_quant(pp, pp->i) != 1 || (pp->i < pp->n &&
		    strchr("?*+{", p[pp->i]) != NULL))
			goto fail;	/* a quantified lookaround */
	}
	if (pp->i >= pp->n)
		goto fail;
	if (p[pp->i] == '(') {
		size_t j = pp->i + 1;

		if (j < pp->n && p[j] == '?') {
			if (j + 1 < pp->n && p[j + 1] == ':')
				j += 2;
			else if (j + 1 < pp->n && (p[j + 1] == '<' ||
			    p[j + 1] == '\'' || (p[j + 1] == 'P' &&
			    j + 2 < pp->n && p[j + 2] == '<'))) {
				unsigned char close = p[j + 1] == '\'' ? '\'' :
				    '>';

				j += p[j + 1] == 'P' ? 3 : 2;
				if (j >= pp->n || !((p[j] >= 'a' && p[j] <= 'z') ||
				    (p[j] >= 'A' && p[j] <= 'Z') || p[j] == '_'))
					goto fail;
				while (j < pp->n && p[j] != close)
					if (!((p[j] >= 'a' && p[j] <= 'z') ||
					    (p[j] >= 'A' && p[j] <= 'Z') ||
					    (p[j] >= '0' && p[j] <= '9') ||
					    p[j] == '_'))
						goto fail;
					else
						j++;
				if (j >= pp->n)
					goto fail;
				j++;
			} else
				goto fail;
		}
		pp->i = j;
		alt_branches(pp, pfx_branch);
		if (pp->fail || pp->i >= pp->n || p[pp->i] != ')')
			goto fail;
		pp->i++;
		if (pfx_quant(pp, pp->i) != 1)
			goto fail;
	} else {
		s = pp->i;
		while (pp->i < pp->n && pfx_char(pp, pp->i, &len)) {
			q = pfx_quant(pp, pp->i + len);
			if (q < 0)
				goto fail;
			if (q == 0)
				break;
			pp->i += len;
			if (pp->i < pp->n && strchr("+{", p[pp->i]) != NULL)
				break;	/* once at least: the run ends */
		}
		if (pp->i == s)
			goto fail;
		pfx_add(pp, s, pp->i);
	}
	pfx_skip_branch(pp);
	return;
fail:
	pp->fail = 1;
	pp->i = pp->n;
}

/* The literals of pattern's branches, each read by branch, into *out:
 * how many, or 0 (and NULL) if a branch cannot be told. */
static size_t
pfx_read(const char *pattern, void (*branch)(struct pfxp *), char ***out)
{
	struct pfxp pp;
	size_t i;

	memset(&pp, 0, sizeof(pp));
	pp.p = (const unsigned char *)pattern;
	pp.n = strlen(pattern);
	*out = NULL;
	alt_branches(&pp, branch);
	if (pp.fail || pp.i != pp.n || pp.nv == 0) {
		for (i = 0; i < pp.nv; i++)
			free(pp.v[i]);
		free(pp.v);
		return 0;
	}
	*out = pp.v;
	return pp.nv;
}

size_t
wz_rx_prefixes(const char *pattern, char ***out)
{
	/* A comment or \Q..\E may sit between an item and its quantifier. */
	if (strstr(pattern, "(?#") != NULL || strstr(pattern, "\\Q") != NULL ||
	    strstr(pattern, "\\E") != NULL) {
		*out = NULL;
		return 0;
	}
	return pfx_read(pattern, pfx_branch, out);
}

/*
 * Trailing literals (wz_rx_suffixes()).  Every match ends with one of
 * them, so a match can only end where an occurrence of one ends, and the
 * subject can be cut there.  That holds of what PCRE2 returns, not only
 * of what could match, when the search never commits to a choice
 * (atomic groups, possessive quantifiers, verbs: with a shorter subject
 * these can take another branch) and nothing looks past the match
 * (lookaheads, \b, $ ...): sfx_ok() rules those out first, and the
 * parser gives up on whatever else it does not know.
 */
static int
sfx_ok(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		switch (p[i]) {
		case '\\':
			if (i + 1 >= n || strchr("bBzZGAKRXQEC", p[i + 1]) !=
			    NULL)
				return 0;
			i += 2;
			continue;
		case '[':
			/* Inside a class only ] and \ mean something here. */
			i++;
			if (i < n && p[i] == '^')
				i++;
			if (i < n && p[i] == ']')
				i++;
			while (i < n && p[i] != ']') {
				if (p[i] == '[' && i + 1 < n &&
				    strchr(":.=", p[i + 1]) != NULL)
					return 0;
				if (p[i] == '\\' && i + 1 < n &&
				    (p[i + 1] == 'Q' || p[i + 1] == 'E'))
					return 0;
				i += p[i] == '\\' ? 2 : 1;
			}
			if (i >= n)
				return 0;
			break;
		case '$':
			return 0;
		case '(':
			if (i + 1 < n && p[i + 1] == '*')
				return 0;	/* verbs, alpha assertions */
			if (i + 1 < n && p[i + 1] == '?') {
				/* Only groups, named groups and lookbehinds:
				 * not lookaheads, atomic groups, options,
				 * conditions, recursion, comments. */
				if (i + 2 >= n)
					return 0;
				if (p[i + 2] == ':')
					break;
				if (p[i + 2] == '<' || p[i + 2] == '\'' ||
				    (p[i + 2] == 'P' && i + 3 < n &&
				    p[i + 3] == '<'))
					break;
				return 0;
			}
			break;
		case '?':
		case '*':
		case '+':
		case '}':
			if (i + 1 < n && p[i + 1] == '+')
				return 0;	/* possessive */
			break;
		}
		i++;
	}
	return 1;
}

/*
 * The quantifier at pp->i, if any: skipped (with a lazy '?'); *min is
 * the least number of times it lets the item before match.  0 when it
 * is not one this parser knows: a '{' that is not {n}, {n,} or {n,m}
 * (PCRE2 10.42 reads {,m} and {n,x} as literal text).
 */
static int
sfx_quant(struct pfxp *pp, int *min)
{
	const unsigned char *p = pp->p;
	size_t j;
	int nz = 0;

	*min = 1;
	if (pp->i >= pp->n)
		return 1;
	switch (p[pp->i]) {
	case '?':
	case '*':
		*min = 0;
		break;
	case '+':
		break;
	case '{':
		for (j = pp->i + 1; j < pp->n && p[j] >= '0' && p[j] <= '9';
		    j++)
			nz |= p[j] != '0';
		if (j == pp->i + 1 || j >= pp->n)
			return 0;
		if (p[j] == ',')
			for (j++; j < pp->n && p[j] >= '0' && p[j] <= '9'; j++)
				;
		if (j >= pp->n || p[j] != '}')
			return 0;
		*min = nz;
		pp->i = j;
		break;
	default:
		return 1;
	}
	pp->i++;
	if (pp->i < pp->n && p[pp->i] == '?')
		pp->i++;
	return 1;
}

/* Skip an escape from its '\': \x{..}, \p{..}, \k<..>, \1 and the like
 * as one item. */
static void
sfx_skip_escape(struct pfxp *pp)
{
	const unsigned char *p = pp->p;
	unsigned char c, close = 0;

	pp->i++;
	if (pp->i >= pp->n) {
		pp->fail = 1;
		return;
	}
	c = p[pp->i++];
	if (c >= 0x80) {
		/* An escaped character of several bytes. */
		while (pp->i < pp->n && (p[pp->i] & 0xc0) == 0x80)
			pp->i++;
		return;
	}
	if (c == 'c') {
		pp->i++;
		return;
	}
	if (c >= '0' && c <= '9') {
		while (pp->i < pp->n && p[pp->i] >= '0' && p[pp->i] <= '9')
			pp->i++;
		return;
	}
	if (pp->i < pp->n && strchr("pPxoNgk", c) != NULL) {
		if (p[pp->i] == '{')
			close = '}';
		else if ((c == 'g' || c == 'k') && p[pp->i] == '<')
			close = '>';
		else if ((c == 'g' || c == 'k') && p[pp->i] == '\'')
			close = '\'';
		else if (c == 'p' || c == 'P' || c == 'g')
			pp->i++;	/* \pL, \g1 */
	}
	if (close != 0) {
		while (pp->i < pp->n && p[pp->i] != close)
			pp->i++;
		if (pp->i >= pp->n)
			pp->fail = 1;
		else
			pp->i++;
	}
}

/*
 * One branch, to its '|' or ')': what it ends with.  A run of literal
 * characters without quantifiers (a quantified one that must match
 * once ends a branch as itself), or a group that must match, whose
 * branches each end so; anything else at the end gives up.
 */
static void
sfx_branch(struct pfxp *pp)
{
	const unsigned char *p = pp->p;
	size_t at, end, len = 0, run = (size_t)-1, runend = 0, gfrom = 0;
	size_t qat = 0, qend = 0;
	enum { S_CHAR, S_GROUP, S_OTHER } last = S_OTHER;
	int min;

	while (pp->i < pp->n && !pp->fail && p[pp->i] != '|' &&
	    p[pp->i] != ')') {
		at = pp->i;
		if (p[at] == '(') {
			size_t j = at + 1;

			last = S_GROUP;
			if (p[j] == '?') {	/* sfx_ok(): a name or : */
				if (p[j + 1] == ':')
					j += 2;
				else if (p[j + 1] == '<' && (p[j + 2] == '=' ||
				    p[j + 2] == '!')) {
					last = S_OTHER;	/* lookbehind */
					j += 3;
				} else {
					unsigned char close = p[j + 1] ==
					    '\'' ? '\'' : '>';

					for (j += 2; j < pp->n && p[j] != close;
					    j++)
						;
					if (j >= pp->n)
						goto fail;
					j++;
				}
			}
			gfrom = j;
			pp->i = j;
			pfx_skip_branch(pp);
			while (!pp->fail && pp->i < pp->n && p[pp->i] == '|') {
				pp->i++;
				pfx_skip_branch(pp);
			}
			if (pp->fail || pp->i >= pp->n || p[pp->i] != ')')
				goto fail;
			pp->i++;
		} else if (p[at] == '[') {
			pfx_skip_class(pp);
			last = S_OTHER;
		} else if (p[at] == '\\') {
			sfx_skip_escape(pp);
			last = S_OTHER;
		} else if (p[at] == '.' || p[at] == '^') {
			pp->i++;
			last = S_OTHER;
		} else if (pfx_char(pp, at, &len)) {
			pp->i += len;
			last = S_CHAR;
		} else
			goto fail;
		end = pp->i;
		if (pp->fail || !sfx_quant(pp, &min))
			goto fail;
		if (min < 1)
			last = S_OTHER;
		if (last != S_CHAR)
			run = (size_t)-1;
		else if (pp->i != end) {
			/* A character that may repeat ends a run (甲乙+丙
			 * ends with 乙丙, not 甲乙丙), and ends a branch as
			 * itself. */
			run = (size_t)-1;
			qat = at;
			qend = end;
		} else {
			if (run == (size_t)-1)
				run = at;
			runend = end;
		}
	}
	if (pp->fail)
		goto fail;
	if (last == S_CHAR) {
		if (run != (size_t)-1)
			pfx_add(pp, run, runend);
		else
			pfx_add(pp, qat, qend);
		return;
	}
	if (last == S_GROUP) {
		end = pp->i;
		pp->i = gfrom;
		alt_branches(pp, sfx_branch);
		if (pp->fail || pp->i >= pp->n || p[pp->i] != ')')
			goto fail;
		pp->i = end;
		return;
	}
fail:
	pp->fail = 1;
	pp->i = pp->n;
}

size_t
wz_rx_suffixes(const char *pattern, char ***out)
{
	*out = NULL;
	if (strstr(pattern, "(?#") != NULL ||
	    !sfx_ok((const unsigned char *)pattern, strlen(pattern)))
		return 0;
	return pfx_read(pattern, sfx_branch, out);
}

size_t
wz_rx_branches(const char *pattern, char ***out)
{
	struct pfxp pp;
	const char *q;
	size_t from = 0, i;

	*out = NULL;
	/* Settings that reach from one branch into the next, and what a
	 * branch alone could read differently. */
	for (q = pattern; *q != '\0'; q++) {
		if (q[0] == '\\' && q[1] != '\0') {
			if (strchr("123456789gkQE", q[1]) != NULL)
				return 0;
			q++;
			continue;
		}
		if (q[0] == '(' && q[1] == '?' && q[2] != '\0' &&
		    strchr("imnsxJUaDSWT-^#(R&+0123456789|", q[2]) != NULL)
			return 0;
		if (q[0] == '(' && q[1] == '?' && q[2] == 'P' && q[3] != '<')
			return 0;
		if (q[0] == '(' && q[1] == '*')
			return 0;
	}
	memset(&pp, 0, sizeof(pp));
	pp.p = (const unsigned char *)pattern;
	pp.n = strlen(pattern);
	for (;;) {
		pfx_skip_branch(&pp);
		if (pp.fail || (pp.i < pp.n && pp.p[pp.i] != '|'))
			goto fail;
		if (pp.nv >= 32)
			goto fail;
		pfx_add(&pp, from, pp.i);
		if (pp.i >= pp.n)
			break;
		from = ++pp.i;
	}
	if (pp.nv < 2)
		goto fail;
	*out = pp.v;
	return pp.nv;
fail:
	for (i = 0; i < pp.nv; i++)
		free(pp.v[i]);
	free(pp.v);
	return 0;
}
