/* Unit tests of the Aho-Corasick prefilter (wz_ac). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "wz_ac.h"
#include "wz_text.h"

#define MAXID	256

static int
has(const uint64_t *hits, uint32_t id)
{
	return (hits[id >> 6] >> (id & 63)) & 1;
}

static void
clear(uint64_t *hits, const uint32_t *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		hits[list[i] >> 6] &= ~(1ULL << (list[i] & 63));
}

/* Two scans found the same: as many ids, in the same order, each
 * first and last ending at the same place. */
static void
same_found(size_t n1, size_t n2, const uint32_t *list1,
    const uint32_t *list2, const struct wz_ac_end *pos1,
    const struct wz_ac_end *pos2)
{
	size_t i;

	assert_int_equal(n1, n2);
	assert_memory_equal(list1, list2, n1 * sizeof(*list1));
	for (i = 0; i < n1; i++) {
		assert_int_equal(pos1[list1[i]].first, pos2[list1[i]].first);
		assert_int_equal(pos1[list1[i]].last, pos2[list1[i]].last);
	}
}

static size_t
scan(const struct wz_ac *ac, const char *s, uint64_t *hits, uint32_t *list)
{
	return wz_ac_scan(ac, s, strlen(s), hits, list, MAXID);
}

static void
test_basic(void **state)
{
	struct wz_ac *ac = wz_ac_new();
	uint64_t hits[MAXID / 64] = { 0 };
	uint32_t list[MAXID];
	size_t n;

	(void)state;
	assert_int_equal(wz_ac_add(ac, "he", 2, 1), 0);
	assert_int_equal(wz_ac_add(ac, "she", 3, 2), 0);
	assert_int_equal(wz_ac_add(ac, "his", 3, 3), 0);
	assert_int_equal(wz_ac_add(ac, "hers", 4, 4), 0);
	assert_int_equal(wz_ac_add(ac, "", 0, 5), -1);
	assert_int_equal(wz_ac_add(ac, "挪用", strlen("挪用"), 6), 0);
	assert_int_equal(wz_ac_add(ac, "资金", strlen("资金"), 7), 0);
	assert_int_equal(wz_ac_add(ac, "资金", strlen("资金"), 8), 0);
	assert_int_equal(wz_ac_add(ac, "pdf", 3, 9), 0);
	wz_ac_build(ac);
	assert_int_equal(wz_ac_add(ac, "late", 4, 10), -1);
	assert_int_equal(wz_ac_npatterns(ac), 8);

	n = scan(ac, "ushers", hits, list);
	assert_int_equal(n, 3);			/* she, he, hers */
	assert_true(has(hits, 1) && has(hits, 2) && has(hits, 4));
	assert_false(has(hits, 3));
	clear(hits, list, n);

	/* ASCII case folds; the ids of one pattern are all reported. */
	n = scan(ac, "将扶贫资金挪用于PDF打印", hits, list);
	assert_int_equal(n, 4);
	assert_true(has(hits, 6) && has(hits, 7) && has(hits, 8) &&
	    has(hits, 9));
	clear(hits, list, n);

	/* A bit already set is not listed again. */
	hits[0] |= 1ULL << 7;
	n = scan(ac, "资金", hits, list);
	assert_int_equal(n, 1);
	assert_int_equal(list[0], 8);
	hits[0] = 0;

	/* Half a character does not match. */
	n = wz_ac_scan(ac, "资金", strlen("资金") - 1, hits, list, MAXID);
	assert_int_equal(n, 0);
	assert_int_equal(scan(ac, "", hits, list), 0);
	wz_ac_free(ac);
}

static void
test_empty(void **state)
{
	struct wz_ac *ac = wz_ac_new();
	uint64_t hits[1] = { 0 };
	uint32_t list[1];

	(void)state;
	wz_ac_build(ac);
	assert_int_equal(wz_ac_scan(ac, "anything", 8, hits, list, 1), 0);
	wz_ac_free(ac);
	wz_ac_free(NULL);
}

/* Where pat first occurs in text, bytes compared with ASCII letters
 * folded; -1 if nowhere. */
static long
naive_at(const char *text, size_t tl, const char *pat, size_t pl)
{
	size_t at, j;

	for (at = 0; at + pl <= tl; at++) {
		for (j = 0; j < pl; j++) {
			char a = text[at + j], b = pat[j];

			if (a >= 'A' && a <= 'Z')
				a += 32;
			if (b >= 'A' && b <= 'Z')
				b += 32;
			if (a != b)
				break;
		}
		if (j == pl)
			return (long)at;
	}
	return -1;
}

/* Random patterns over a small alphabet (so they overlap a lot), checked
 * against a naive search. */
static void
test_differential(void **state)
{
	static const char alpha[] = "abAB\xe4\xb8\x80";
	char pats[64][8], text[300];
	size_t plen[64], round, i, k, n, tl;
	uint64_t hits[MAXID / 64];
	uint32_t list[MAXID];

	(void)state;
	srand(7);
	for (round = 0; round < 200; round++) {
		struct wz_ac *ac = wz_ac_new();
		size_t np = 1 + (size_t)rand() % 64;

		for (i = 0; i < np; i++) {
			plen[i] = 1 + (size_t)rand() % 6;
			for (k = 0; k < plen[i]; k++)
				pats[i][k] = alpha[rand() % (sizeof(alpha) - 1)];
			wz_ac_add(ac, pats[i], plen[i], (uint32_t)i);
		}
		wz_ac_build(ac);
		tl = (size_t)rand() % sizeof(text);
		for (k = 0; k < tl; k++)
			text[k] = alpha[rand() % (sizeof(alpha) - 1)];
		memset(hits, 0, sizeof(hits));
		n = wz_ac_scan(ac, text, tl, hits, list, MAXID);
		for (i = 0; i < np; i++) {
			int found = naive_at(text, tl, pats[i], plen[i]) >= 0;

			if (found != has(hits, (uint32_t)i))
				fail_msg("round %zu pattern %zu: naive %d, "
				    "automaton %d", round, i, found,
				    has(hits, (uint32_t)i));
		}
		for (i = 0; i < n; i++)
			assert_true(has(hits, list[i]));
		wz_ac_free(ac);
	}
}

/* Where pat last occurs in text (it does). */
static long
naive_last(const char *text, size_t tl, const char *pat, size_t pl)
{
	long at = naive_at(text, tl, pat, pl), next;

	while ((size_t)at + 1 < tl && (next = naive_at(text + at + 1,
	    tl - (size_t)at - 1, pat, pl)) >= 0)
		at += 1 + next;
	return at;
}

/*
 * Patterns of whole UTF-8 characters (the automaton steps over
 * characters then), texts of whole characters and stray bytes
 * (truncated, overlong, surrogate, continuation), checked against a
 * naive search over bytes.
 */
static void
test_differential_chars(void **state)
{
	static const char *const chars[] = { "a", "B", "b", "\xc3\xa9",
	    "\xe4\xb8\x80", "\xe4\xb8\x81", "\xe8\xb5\x84",
	    "\xf0\xa0\x80\x80" };
	static const char *const junk[] = { "\x80", "\xe4\xb8", "\xe4",
	    "\xc0\x80", "\xed\xa0\x80", "\xff", "\xf0\xa0\x80",
	    "\xe0\x80\x80" };
	char pats[64][40], text[600];
	size_t plen[64], round, i, k, n, tl;
	uint64_t hits[MAXID / 64];
	uint32_t list[MAXID];
	struct wz_ac_end pos[MAXID];

	(void)state;
	srand(11);
	for (round = 0; round < 300; round++) {
		struct wz_ac *ac = wz_ac_new();
		size_t np = 1 + (size_t)rand() % 64;

		for (i = 0; i < np; i++) {
			size_t nc = 1 + (size_t)rand() % 5;

			plen[i] = 0;
			for (k = 0; k < nc; k++) {
				const char *c = chars[rand() % 8];

				memcpy(pats[i] + plen[i], c, strlen(c));
				plen[i] += strlen(c);
			}
			wz_ac_add(ac, pats[i], plen[i], (uint32_t)i);
		}
		wz_ac_build(ac);
		tl = 0;
		n = (size_t)rand() % 120;
		for (k = 0; k < n; k++) {
			const char *c = rand() % 10 == 0 ? junk[rand() % 8] :
			    chars[rand() % 8];

			memcpy(text + tl, c, strlen(c));
			tl += strlen(c);
		}
		memset(hits, 0, sizeof(hits));
		n = wz_ac_scan_ends(ac, text, tl, hits, list, MAXID, pos);
		for (i = 0; i < np; i++) {
			long at = naive_at(text, tl, pats[i], plen[i]);

			if ((at >= 0) != has(hits, (uint32_t)i))
				fail_msg("round %zu pattern %zu: naive %d, "
				    "automaton %d", round, i, at >= 0,
				    has(hits, (uint32_t)i));
			if (at >= 0 && pos[i].first != (size_t)at + plen[i])
				fail_msg("round %zu pattern %zu: first ends "
				    "at %zu, not %zu", round, i,
				    (size_t)pos[i].first, (size_t)at + plen[i]);
			if (at >= 0 && pos[i].last != (size_t)naive_last(text,
			    tl, pats[i], plen[i]) + plen[i])
				fail_msg("round %zu pattern %zu: last ends "
				    "at %zu", round, i, (size_t)pos[i].last);
		}
		for (i = 0; i < n; i++)
			assert_true(has(hits, list[i]));
		wz_ac_free(ac);
	}
}

/* A random text of whole characters drawn from chars[0..nchars). */
static size_t
random_text(char *text, size_t cap, const char *const *chars, size_t nchars,
    size_t maxc)
{
	size_t tl = 0, k, n = (size_t)rand() % (maxc + 1);

	for (k = 0; k < n; k++) {
		const char *c = chars[(size_t)rand() % nchars];

		if (tl + strlen(c) > cap)
			break;
		memcpy(text + tl, c, strlen(c));
		tl += strlen(c);
	}
	return tl;
}

/*
 * The classes of the characters of text[0..tl) (well-formed UTF-8) and
 * the offsets past them, as the normaliser gives them; 0 if one is above
 * the BMP, which wz_ac_classes() does not hold.
 */
static int
classes_of(const struct wz_ac *ac, const char *text, size_t tl,
    uint16_t *cls, uint32_t *cend, size_t *nc)
{
	const uint16_t *tab = wz_ac_classes(ac);
	const unsigned char *p = (const unsigned char *)text;
	size_t i = 0, n = 0;
	uint32_t cp;

	assert_non_null(tab);
	while (i < tl) {
		if (p[i] < 0x80) {
			cp = p[i++];
		} else if (p[i] < 0xe0) {
			cp = (uint32_t)(p[i] & 0x1f) << 6 | (p[i + 1] & 0x3f);
			i += 2;
		} else if (p[i] < 0xf0) {
			cp = (uint32_t)(p[i] & 0x0f) << 12 |
			    (uint32_t)(p[i + 1] & 0x3f) << 6 | (p[i + 2] & 0x3f);
			i += 3;
		} else
			return 0;
		cls[n] = tab[cp];
		cend[n++] = (uint32_t)i;
	}
	*nc = n;
	return 1;
}

/*
 * wz_ac_scan_valid() on well-formed UTF-8 (one-, two-, three- and
 * four-byte characters, cased letters, characters no pattern holds,
 * texts long enough that the scan's notes of outputs fill up): the same
 * hits, list (in order), first and last ends as wz_ac_scan_ends(), and
 * as a naive search.  ids from idbase on: 0 keeps the compact cells, a
 * large one the wide.
 */
static void
valid_rounds(unsigned seed, uint32_t idbase, int rounds)
{
	static const char *const chars[] = { "a", "A", "b", "z", "1", ",",
	    "\xc3\xa9", "\xe0\xa4\x85", "\xe4\xb8\x80", "\xe4\xb8\x81",
	    "\xe5\xb9\xb4", "\xe6\x88\xb7", "\xef\xbc\x8c", "\xe9\xbe\xa5",
	    "\xf0\xa0\x80\x80", "\xf0\x9f\x98\x80" };
	static const char *const other[] = { "q", " ", "\xc3\xb1",
	    "\xe7\x9a\x84", "\xf0\xa0\x80\x81", "\xe3\x80\x82" };
	const char *tchars[sizeof(chars) / sizeof(chars[0]) +
	    sizeof(other) / sizeof(other[0])];
	char pats[64][40], text[2000];
	uint16_t cls[2000];
	uint32_t cend[2000];
	size_t plen[64], round, i, k, n1, n2, tl, nt = 0, nid, nc, nbmp;
	size_t nclasses = 0;
	struct wz_ac_end *pos1, *pos2;
	uint64_t *hits1, *hits2;
	uint32_t *list1, *list2;

	/* Those in the BMP first: nbmp of them. */
	for (i = 0; i < sizeof(chars) / sizeof(chars[0]); i++)
		if ((unsigned char)chars[i][0] < 0xf0)
			tchars[nt++] = chars[i];
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		if ((unsigned char)other[i][0] < 0xf0)
			tchars[nt++] = other[i];
	nbmp = nt;
	for (i = 0; i < sizeof(chars) / sizeof(chars[0]); i++)
		if ((unsigned char)chars[i][0] >= 0xf0)
			tchars[nt++] = chars[i];
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		if ((unsigned char)other[i][0] >= 0xf0)
			tchars[nt++] = other[i];
	nid = idbase + 64;
	hits1 = calloc(nid / 64 + 1, sizeof(*hits1));
	hits2 = calloc(nid / 64 + 1, sizeof(*hits2));
	list1 = calloc(nid, sizeof(*list1));
	list2 = calloc(nid, sizeof(*list2));
	pos1 = calloc(nid, sizeof(*pos1));
	pos2 = calloc(nid, sizeof(*pos2));
	srand(seed);
	for (round = 0; round < (size_t)rounds; round++) {
		struct wz_ac *ac = wz_ac_new();
		size_t np = 1 + (size_t)rand() % 64;

		for (i = 0; i < np; i++) {
			plen[i] = random_text(pats[i], 36, chars,
			    rand() % 3 == 0 ? 4 : sizeof(chars) /
			    sizeof(chars[0]), 6);
			if (plen[i] == 0) {
				pats[i][0] = 'a';
				plen[i] = 1;
			}
			wz_ac_add(ac, pats[i], plen[i], idbase + (uint32_t)i);
		}
		wz_ac_build(ac);
		/* Short texts mostly; every tenth long, dense in hits. */
		/* A few letters; or any character, or any in the BMP. */
		k = (size_t)rand() % 10;
		tl = random_text(text, sizeof(text), k == 0 ? chars : tchars,
		    k == 0 ? 4 : k < 5 ? nt : nbmp, round % 10 == 0 ? 600 : 80);
		n1 = wz_ac_scan_ends(ac, text, tl, hits1, list1, nid, pos1);
		n2 = wz_ac_scan_valid(ac, text, tl, hits2, list2, nid, pos2);
		assert_int_equal(n1, n2);
		assert_memory_equal(list1, list2, n1 * sizeof(*list1));
		assert_memory_equal(hits1, hits2, (nid / 64 + 1) *
		    sizeof(*hits1));
		for (i = 0; i < np; i++) {
			uint32_t id = idbase + (uint32_t)i;
			long at = naive_at(text, tl, pats[i], plen[i]);

			if ((at >= 0) != has(hits2, id))
				fail_msg("seed %u round %zu pattern %zu: naive "
				    "%d, automaton %d", seed, round, i,
				    at >= 0, has(hits2, id));
			if (at < 0)
				continue;
			if (pos2[id].first != (size_t)at + plen[i] ||
			    pos1[id].first != pos2[id].first)
				fail_msg("seed %u round %zu pattern %zu: first "
				    "ends at %zu", seed, round, i,
				    (size_t)pos2[id].first);
			if (pos2[id].last != (size_t)naive_last(text, tl,
			    pats[i], plen[i]) + plen[i] ||
			    pos1[id].last != pos2[id].last)
				fail_msg("seed %u round %zu pattern %zu: last "
				    "ends at %zu", seed, round, i,
				    (size_t)pos2[id].last);
		}
		/* The same text given as its classes, when all its
		 * characters are in the BMP. */
		clear(hits2, list2, n2);
		if (classes_of(ac, text, tl, cls, cend, &nc)) {
			n2 = wz_ac_scan_classes(ac, cls, cend, nc, hits2,
			    list2, nid, pos2);
			same_found(n1, n2, list1, list2, pos1, pos2);
			clear(hits2, list2, n2);
			nclasses++;
		}
		/* Without where they end, and with a short list. */
		k = wz_ac_scan_valid(ac, text, tl, hits2, list2, 3, NULL);
		assert_int_equal(k, n1 < 3 ? n1 : 3);
		assert_memory_equal(list1, list2, k * sizeof(*list1));
		for (i = 0; i < n1; i++)
			assert_true(has(hits2, list1[i]));
		for (i = 0; i < n1; i++)
			hits2[list1[i] >> 6] &= ~(1ULL << (list1[i] & 63));
		clear(hits1, list1, n1);
		for (i = 0; i < nid / 64 + 1; i++)
			assert_true(hits1[i] == 0 && hits2[i] == 0);
		wz_ac_free(ac);
	}
	assert_true(nclasses > (size_t)rounds / 3);
	free(hits1);
	free(hits2);
	free(list1);
	free(list2);
	free(pos1);
	free(pos2);
}

static void
test_valid(void **state)
{
	(void)state;
	valid_rounds(13, 0, 400);
}

/* ids too large for the compact cells: the wide ones. */
static void
test_valid_wide(void **state)
{
	(void)state;
	valid_rounds(17, 70000, 200);
}

/*
 * An automaton of more than 32,768 states that still has compact cells
 * (up to 65,535 slots): states whose slots have the top bit of 16 set
 * are children and parents as any other.  Texts made of pieces of the
 * patterns reach the deep states; the scan over classes and the one
 * over the text find what a naive search finds, first and last ends.
 */
#define NBIG	3000

static void
test_compact_large(void **state)
{
	static char pats[NBIG][16];
	static struct wz_ac_end pos1[NBIG], pos2[NBIG];
	static uint32_t list1[NBIG], list2[NBIG];
	static uint64_t hits1[NBIG / 64 + 1], hits2[NBIG / 64 + 1];
	struct wz_ac *ac = wz_ac_new();
	const uint16_t *tab;
	char text[400];
	uint16_t cls[400];
	uint32_t cend[400];
	size_t plen[NBIG], i, k, tl, n1, n2, round;
	unsigned long seed = 11;

	(void)state;
	for (i = 0; i < NBIG; i++) {
		seed = seed * 6364136223846793005ULL + 1;
		plen[i] = 11 + (seed >> 40) % 6;
		for (k = 0; k < plen[i]; k++) {
			seed = seed * 6364136223846793005ULL + 1;
			pats[i][k] = "abcdefghijklmnopqrstuvwxyz0123456789"
			    [(seed >> 33) % 36];
		}
		wz_ac_add(ac, pats[i], plen[i], (uint32_t)i);
	}
	wz_ac_build(ac);
	assert_true(wz_ac_nstates(ac) > 0x8000);
	assert_true(wz_ac_nstates(ac) < 0xf000);
	assert_non_null(tab = wz_ac_classes(ac));
	for (round = 0; round < 300; round++) {
		/* Pieces of patterns, some whole, some cut. */
		for (tl = 0; tl + 16 < sizeof(text);) {
			size_t pi, from, len;

			seed = seed * 6364136223846793005ULL + 1;
			pi = (seed >> 33) % NBIG;
			from = (seed >> 20) % 3 == 0 ? 0 : (seed >> 24) % 4;
			len = (seed >> 28) % 4 == 0 ? plen[pi] - from :
			    1 + (seed >> 12) % (plen[pi] - from);
			memcpy(text + tl, pats[pi] + from, len);
			tl += len;
		}
		for (k = 0; k < tl; k++) {
			cls[k] = tab[(unsigned char)text[k]];
			cend[k] = (uint32_t)(k + 1);
		}
		memset(hits1, 0, sizeof(hits1));
		memset(hits2, 0, sizeof(hits2));
		n1 = wz_ac_scan_classes(ac, cls, cend, tl, hits1, list1, NBIG,
		    pos1);
		n2 = wz_ac_scan_ends(ac, text, tl, hits2, list2, NBIG, pos2);
		assert_int_equal(n1, n2);
		assert_memory_equal(list1, list2, n1 * sizeof(*list1));
		for (i = 0; i < NBIG; i++) {
			long at = naive_at(text, tl, pats[i], plen[i]);

			assert_int_equal(at >= 0, has(hits1, (uint32_t)i));
			if (at < 0)
				continue;
			assert_int_equal(pos1[i].first, (size_t)at + plen[i]);
			assert_int_equal(pos2[i].first, (size_t)at + plen[i]);
			at = naive_last(text, tl, pats[i], plen[i]);
			assert_int_equal(pos1[i].last, (size_t)at + plen[i]);
			assert_int_equal(pos2[i].last, (size_t)at + plen[i]);
		}
	}
	wz_ac_free(ac);
}

/*
 * The automaton stepped as the normaliser makes the text
 * (wz_norm_run_scan(), wz_ac_notes()) finds what a scan of the text it
 * made finds, with the same first and last ends.
 */
static void
test_walk(void **state)
{
	static const char *const pats[] = { "挪用", "资金", "虚报冒领",
	    "冒领", "ab", "b1", "元", "属实", "不属实", ",资", "a b",
	    "查实", "扶贫资金", "金额", "9元", "挪用资金" };
	static const char *const pieces[] = { "挪用", "资金", "虚报",
	    "冒领", "ab", "B1", "元", "属实", "不", "，", "  ", "\u3000",
	    "查", "实", "扶贫", "金额", "9", "。", "x", "a b", "（", "錢" };
	const size_t np = sizeof(pats) / sizeof(pats[0]);
	struct wz_ac *ac = wz_ac_new();
	struct wz_norm *nm = wz_norm_new();
	struct wz_ac_note note[256];
	uint64_t hits1[MAXID / 64] = { 0 }, hits2[MAXID / 64] = { 0 };
	uint32_t list1[MAXID], list2[MAXID];
	struct wz_ac_end pos1[MAXID], pos2[MAXID];
	const uint16_t *tab;
	const void *cells;
	const char *out;
	char buf[300];
	size_t i, len, n, nn, n1, n2, walked = 0;
	unsigned long seed = 7;
	int trial;

	(void)state;
	for (i = 0; i < np; i++)
		wz_ac_add(ac, pats[i], strlen(pats[i]), (uint32_t)i);
	wz_ac_build(ac);
	assert_non_null(tab = wz_ac_classes(ac));
	assert_null(wz_ac_walk_cells(ac, np - 1));
	assert_non_null(cells = wz_ac_walk_cells(ac, MAXID));
	for (trial = 0; trial < 2000; trial++) {
		for (len = 0; len < 200;) {
			const char *p;

			seed = seed * 6364136223846793005ULL + 1;
			p = pieces[(seed >> 33) % (sizeof(pieces) /
			    sizeof(pieces[0]))];
			memcpy(buf + len, p, strlen(p));
			len += strlen(p);
		}
		out = wz_norm_run_scan(nm, buf, len, &n, tab, cells, note,
		    trial % 2 ? 256 : len / 2, &nn);
		if (nn == (size_t)-1)
			continue;
		walked++;
		n1 = wz_ac_notes(ac, note, nn, hits1, list1, MAXID, pos1);
		n2 = wz_ac_scan_valid(ac, out, n, hits2, list2, MAXID, pos2);
		same_found(n1, n2, list1, list2, pos1, pos2);
		clear(hits1, list1, n1);
		clear(hits2, list2, n2);
	}
	/* Half the trials have room, those without a traditional
	 * character (錢) walk. */
	assert_true(walked > 50);
	wz_norm_free(nm);
	wz_ac_free(ac);
}

/* A pattern that is no UTF-8: the scan is over bytes, valid or not. */
static void
test_valid_bytes(void **state)
{
	struct wz_ac *ac = wz_ac_new();
	uint64_t hits[MAXID / 64] = { 0 };
	uint32_t list[MAXID];
	struct wz_ac_end pos[MAXID];
	size_t n;

	(void)state;
	wz_ac_add(ac, "\xff", 1, 1);
	wz_ac_add(ac, "Ab", 2, 2);
	wz_ac_build(ac);
	n = wz_ac_scan_valid(ac, "xaB\xff" "ab", 6, hits, list, MAXID, pos);
	assert_int_equal(n, 2);
	assert_int_equal(list[0], 2);
	assert_int_equal(list[1], 1);
	assert_int_equal(pos[2].first, 3);
	assert_int_equal(pos[2].last, 6);
	assert_int_equal(pos[1].first, 4);
	assert_null(wz_ac_classes(ac));
	wz_ac_free(ac);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_differential),
		cmocka_unit_test(test_differential_chars),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_valid_wide),
		cmocka_unit_test(test_valid_bytes),
		cmocka_unit_test(test_compact_large),
		cmocka_unit_test(test_walk),
	};

	return cmocka_run_group_tests_name("ac", tests, NULL, NULL);
}
