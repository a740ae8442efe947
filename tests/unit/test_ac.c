/* Unit tests of the Aho-Corasick prefilter (wz_ac). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "wz_ac.h"

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
	size_t plen[64], ends[MAXID], lasts[MAXID], round, i, k, n, tl;
	uint64_t hits[MAXID / 64];
	uint32_t list[MAXID];

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
		n = wz_ac_scan_ends(ac, text, tl, hits, list, MAXID, ends,
		    lasts);
		for (i = 0; i < np; i++) {
			long at = naive_at(text, tl, pats[i], plen[i]);

			if ((at >= 0) != has(hits, (uint32_t)i))
				fail_msg("round %zu pattern %zu: naive %d, "
				    "automaton %d", round, i, at >= 0,
				    has(hits, (uint32_t)i));
			if (at >= 0 && ends[i] != (size_t)at + plen[i])
				fail_msg("round %zu pattern %zu: first ends "
				    "at %zu, not %zu", round, i, ends[i],
				    (size_t)at + plen[i]);
			if (at >= 0 && lasts[i] != (size_t)naive_last(text,
			    tl, pats[i], plen[i]) + plen[i])
				fail_msg("round %zu pattern %zu: last ends "
				    "at %zu", round, i, lasts[i]);
		}
		for (i = 0; i < n; i++)
			assert_true(has(hits, list[i]));
		wz_ac_free(ac);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_differential),
		cmocka_unit_test(test_differential_chars),
	};

	return cmocka_run_group_tests_name("ac", tests, NULL, NULL);
}
