/*
 * test_rules.c - the rules layer: required literals of patterns, the regex
 * wrapper, the loader on small rule sets, title -> post, is_a, -D, and the
 * vocabulary.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wz_base.h"
#include "wz_rules.h"
#include "wz_rx.h"
#include "wz_text.h"

/* Literals. */

/* The literals of pat, joined by '|' in the order given ("" if none). */
static char *
lits(const char *pat)
{
	struct wz_buf b = {0};
	char **v, *s;
	size_t n, i;

	n = wz_rx_literals(pat, &v);
	for (i = 0; i < n; i++) {
		wz_buf_printf(&b, "%s%s", i ? "|" : "", v[i]);
		free(v[i]);
	}
	free(v);
	s = wz_strdup(b.len ? b.s : "");
	wz_buf_free(&b);
	return s;
}

static void
expect_lits(const char *pat, const char *want)
{
	char *got = lits(pat);

	if (strcmp(got, want) != 0)
		fail_msg("pattern '%s': literals '%s', want '%s'", pat, got,
		    want);
	free(got);
}

/* The clauses of pat: each clause's literals joined by '|', clauses by
 * " & " ("" if none). */
static char *
clauses(const char *pat)
{
	struct wz_buf b = {0};
	struct wz_rx_clause *c;
	char *s;
	size_t n, i, k;

	n = wz_rx_clauses(pat, &c);
	for (i = 0; i < n; i++)
		for (k = 0; k < c[i].n; k++)
			wz_buf_printf(&b, "%s%s", k ? "|" : i ? " & " : "",
			    c[i].v[k]);
	wz_rx_clauses_free(c, n);
	s = wz_strdup(b.len ? b.s : "");
	wz_buf_free(&b);
	return s;
}

static void
expect_clauses(const char *pat, const char *want)
{
	char *got = clauses(pat);

	if (strcmp(got, want) != 0)
		fail_msg("pattern '%s': clauses '%s', want '%s'", pat, got,
		    want);
	free(got);
}

static void
test_lits_basic(void **state)
{
	(void)state;
	expect_lits("abc", "abc");
	expect_lits("截留资金", "截留资金");
	/* The best candidate: the set whose shortest member is longest. */
	expect_lits("(截留|挤占|挪用)[^。;]{0,20}(资金|款)", "截留|挤占|挪用");
	expect_lits("(?<amount>\\d+)万元", "万元");
	expect_lits("[a-z]+公司", "公司");
	expect_lits("x.y", "x");
	/* ASCII letters are lowercased. */
	expect_lits("ABC", "abc");
	expect_lits("(?i)Hello", "hello");
	expect_lits("(?-i)Hello", "hello");
}

static void
test_lits_optional(void **state)
{
	(void)state;
	/* Anything that may be absent is no candidate. */
	expect_lits("(?:ab|cd)?xyz", "xyz");
	expect_lits("(?:ab|cd)?", "");
	expect_lits("ab?", "a");
	expect_lits("ab*c", "a");
	expect_lits("a{0,3}bc", "bc");
	expect_lits("(?:长期)*拖欠", "拖欠");
	expect_lits("x?", "");
	/* At least once: the run stops after the repeated character. */
	expect_lits("ab+c", "ab");
	expect_lits("Ab{2}Cd", "bcd");
	expect_lits("(?:ab)+c", "ab");
	/* Lazy and possessive quantifiers count the same. */
	expect_lits("a??bc", "bc");
	expect_lits("ab++c", "ab");
}

static void
test_lits_alternation(void **state)
{
	(void)state;
	expect_lits("a|bc", "a|bc");
	/* One branch without a literal spoils the union. */
	expect_lits("a|", "");
	expect_lits("abc|\\d+", "");
	expect_lits("(a|)b", "b");
	expect_lits("(?:a|(?:b|c))d", "d");
	expect_lits("(?:xa|(?:yb|zc))", "xa|yb|zc");
	/* A member holding another is dropped: the shorter is required. */
	expect_lits("ab|abc", "ab");
	/* Branch reset and atomic groups are groups. */
	expect_lits("(?|(ab)|(cd))", "ab|cd");
	expect_lits("(?>ab|cd)", "ab|cd");
}

static void
test_lits_escapes(void **state)
{
	(void)state;
	expect_lits("\\(测试\\)", "(测试)");
	expect_lits("a\\.b", "a.b");
	expect_lits("\\Qa.b\\E+c", "a.b");
	expect_lits("\\Qa(b\\E", "a(b");
	expect_lits("\\Q\\E", "");
	expect_lits("\\x{4e00}二", "一二");
	expect_lits("\\x41b", "ab");
	expect_lits("a\\tb", "a\tb");
	/* Classes and types break a run. */
	expect_lits("ab\\dcd", "ab");
	expect_lits("ab\\p{Han}cde", "cde");
	expect_lits("ab[]x]cde", "cde");
	expect_lits("ab[^]x]cde", "cde");
	expect_lits("ab[[:alpha:]]cde", "cde");
	expect_lits("ab[\\]]cde", "cde");
	expect_lits("ab[\\Q]\\E]cde", "cde");
	/* Assertions break a run too (they are conservative). */
	expect_lits("ab\\bcde", "cde");
	expect_lits("^abc$", "abc");
	expect_lits("a(?=bc)d", "a");
	expect_lits("(?<!不)同意", "同意");
	expect_lits("a(?#note)*b", "b");
	/* Named groups of every spelling. */
	expect_lits("(?<n>ab)c", "ab");
	expect_lits("(?P<n>abc)d", "abc");
	expect_lits("(?'n'abc)d", "abc");
}

static void
test_lits_giveup(void **state)
{
	(void)state;
	/* Syntax the reader does not follow yields nothing at all. */
	expect_lits("(a)\\1", "");
	expect_lits("(?<n>a)\\k<n>bcd", "");
	expect_lits("(*UTF)abc", "");
	expect_lits("(?x) a b", "");
	expect_lits("(?(1)a|b)", "");
	expect_lits("a(?R)?b", "");
	expect_lits("x{,3}yz", "");
	expect_lits("x{a}", "");
	expect_lits("abc)", "");
	expect_lits("(abc", "");
	expect_lits("\\cA", "");
	expect_lits("\\N{U+4E00}", "");
}

static void
test_lits_caseless(void **state)
{
	(void)state;
	/* k and s also match U+212A and U+017F: never in a literal. */
	expect_lits("desk", "de");
	expect_lits("task", "ta");
	expect_lits("Kabc", "abc");
	/* Cased letters outside ASCII are left out. */
	expect_lits("ßab", "ab");
	expect_lits("αβγδ", "");
	expect_lits("µab", "ab");
}

static void
test_clauses(void **state)
{
	(void)state;
	expect_clauses("abc", "abc");
	/* Every required item, not only the best. */
	expect_clauses("(截留|挤占|挪用)[^。;]{0,20}(资金|款)",
	    "截留|挤占|挪用 & 资金|款");
	expect_clauses("扶贫[^。]*资金.*问题", "扶贫 & 资金 & 问题");
	expect_clauses("(?<amount>\\d+)万元", "万元");
	expect_clauses("ab+c", "ab & bc");
	expect_clauses("x.y", "x & y");
	/* Optional and zero-width items are not required. */
	expect_clauses("(?:ab|cd)?xyz", "xyz");
	expect_clauses("a(?=bc)d", "a & d");
	expect_clauses("(?<!不)同意", "同意");
	expect_clauses("ab*c", "a & c");
	expect_clauses("x?", "");
	/* A group of one branch opens up; of several, a clause for each
	 * pair of the branches' clauses along a path (in order). */
	expect_clauses("(?:ab.cd)ef", "ab & cd & ef");
	expect_clauses("(?:ab.cd|ef)gh", "ab|ef & cd|ef & gh");
	expect_clauses("(?:ab|\\d)gh", "gh");
	expect_clauses("(?:ab.cd)+ef", "ab & cd & ef");
	expect_clauses("(?:ab.cd){0,2}ef", "ef");
	expect_clauses("a.b|c", "a|c & b|c");
	expect_clauses("abc|\\d+", "");
	expect_clauses("(资金|款)[^。;]{0,20}(滞留|(未|没有)(按时|及时|按规定)?"
	    "(下拨|拨付))", "资金|款 & 滞留|未|没有 & 滞留|下拨|拨付");
	/* Two branches of several clauses: m + n - 1 pairs, not m * n. */
	expect_clauses("(?:a.b.c|d.e)", "a|d & a|e & b|e & c|e");
	expect_clauses("(?:a.b|c.d|e)", "a|c|e & a|d|e & b|d|e");
	expect_clauses("x(?:ab.cd|ef.gh){2}y",
	    "x & ab|ef & ab|gh & cd|gh & y");
	/* What a branch does not require is in no pair. */
	expect_clauses("(?:ab(?:cd)?ef|gh)ij", "ab|gh & ef|gh & ij");
	expect_clauses("(?:ab?c|d)", "a|d & c|d");
	expect_clauses("(?:ab.cd|(?=ef)gh)", "ab|gh & cd|gh");
	expect_clauses("(?:ab.cd|ef(?!gh))", "ab|ef & cd|ef");
	expect_clauses("(?=ab)cd|ef", "cd|ef");
	expect_clauses("(?:K.ab|cd)", "ab|cd");
	expect_clauses("x(?:ab.cd|ef.gh)*y", "x & y");
	expect_clauses("x(?:ab.cd|ef.gh){0,3}y", "x & y");
	expect_clauses("x(?:ab.cd|\\d)y", "x & y");
	expect_clauses("(?:ab.cd|(a)\\1)", "");
	/*
	 * A pair whose union loses a member (one holds the other) would
	 * find it later than the pairs after it: only the last pair may,
	 * and if it is the best one elsewhere, only the union of the best.
	 */
	expect_clauses("(?:xyz.ab|b)", "b");
	expect_clauses("(?:ca.x|a)", "a");
	expect_clauses("(?:ab.x|b)y", "b & y");
	expect_clauses("(?:xy.ab|cd.b)", "xy|cd & ab|cd & b");
	/* A clause another implies is left out; so is a repeat. */
	expect_clauses("资金.*资金", "资金");
	expect_clauses("(?:资金|款).*资金", "资金");
	expect_clauses("资金.*(?:资金|款)", "资金");
	/* The same give-ups as the literals. */
	expect_clauses("(a)\\1", "");
	expect_clauses("(?x) a b", "");
	expect_clauses("desk", "de");
}

/* What PCRE2 matches caselessly: the reason for the rule above. */
static void
test_rx_caseless_partners(void **state)
{
	struct wz_rx *k, *s, *a;
	char err[200];

	(void)state;
	k = wz_rx_new("k", WZ_RX_CASELESS, err, sizeof(err));
	s = wz_rx_new("s", WZ_RX_CASELESS, err, sizeof(err));
	a = wz_rx_new("a", WZ_RX_CASELESS, err, sizeof(err));
	assert_non_null(k);
	assert_int_equal(wz_rx_match(k, "\xe2\x84\xaa", 3), WZ_RX_MATCH);
	assert_int_equal(wz_rx_match(s, "\xc5\xbf", 2), WZ_RX_MATCH);
	assert_int_equal(wz_rx_match(a, "A", 1), WZ_RX_MATCH);
	assert_int_equal(wz_rx_match(a, "\xc3\xa0", 2), WZ_RX_NOMATCH);
	wz_rx_free(k);
	wz_rx_free(s);
	wz_rx_free(a);
}

/*
 * The property itself, on random patterns and texts: whenever a pattern
 * matches a text, the text (ASCII folded) holds one of its literals.
 */
static const char *const atoms[] = {
	"a", "b", "c", "A", "k", "s", "S", "甲", "乙", "丙", "\\.", ".",
	"[ab]", "[^a]", "\\d", "\\Qa.\\E", "\\x{7532}", "\\x62", "^", "$",
	"\\b", "(?=a)", "(?!b)", "(?i)", "\\p{Han}", "1", " ", "ß",
	"(?#c)"
};
static const char *const quants[] = {
	"", "", "", "", "?", "*", "+", "{2}", "{0,2}", "{1,3}", "??", "+?",
	"{2,}"
};
static const char *const chars[] = {
	"a", "b", "c", "A", "B", "k", "K", "s", "S", "\xe2\x84\xaa",
	"\xc5\xbf", "甲", "乙", "丙", ".", "1", " ", "ß", "ẞ"
};

static unsigned long rng = 12345;

static unsigned
rnd(unsigned n)
{
	rng = rng * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)((rng >> 33) % n);
}

static void
gen_seq(struct wz_buf *b, int depth, int *ngroup)
{
	unsigned i, n = 1 + rnd(4);

	for (i = 0; i < n; i++) {
		unsigned r = rnd(10);

		if (r < 2 && depth < 3) {
			static const char *const open[] = { "(", "(?:",
			    "(?<g%d>", "(?>", "(?|" };
			unsigned o = rnd(5);

			if (o == 2)
				wz_buf_printf(b, "(?<g%d>", (*ngroup)++);
			else
				wz_buf_adds(b, open[o]);
			gen_seq(b, depth + 1, ngroup);
			while (rnd(3) == 0) {
				wz_buf_adds(b, "|");
				gen_seq(b, depth + 1, ngroup);
			}
			wz_buf_adds(b, ")");
		} else
			wz_buf_adds(b, atoms[rnd(sizeof(atoms) /
			    sizeof(atoms[0]))]);
		wz_buf_adds(b, quants[rnd(sizeof(quants) / sizeof(quants[0]))]);
	}
}

/*
 * Could text hold the clauses in their order: for each, an occurrence
 * starting at or after the earliest start of the one before (starts:
 * ab+c gives the clauses ab and bc, which share the b)?
 */
static int
clause_order(const char *text, const struct wz_rx_clause *cl, size_t ncl)
{
	size_t i, k, e = 0, fs, ls;
	const char *at, *p;

	for (i = 0; i < ncl; i++) {
		fs = (size_t)-1;
		ls = 0;
		for (k = 0; k < cl[i].n; k++) {
			if ((at = strstr(text, cl[i].v[k])) == NULL)
				continue;
			if ((size_t)(at - text) < fs)
				fs = (size_t)(at - text);
			for (p = at; p != NULL; p = strstr(p + 1, cl[i].v[k]))
				if ((size_t)(p - text) > ls)
					ls = (size_t)(p - text);
		}
		if (i > 0 && ls < e)
			return 0;
		if (fs > e)
			e = fs;
	}
	return 1;
}

static void
test_lits_property(void **state)
{
	struct wz_buf pat = {0}, txt = {0};
	struct wz_rx *rx;
	struct wz_rx_clause *cl;
	char err[300], **v, *low;
	size_t n, ncl, i, j, k;
	unsigned npat, ntxt, len;
	unsigned long matched = 0, withlits = 0, withcl = 0, multicl = 0;
	int ngroup, found;

	(void)state;
	for (npat = 0; npat < 4000; npat++) {
		wz_buf_reset(&pat);
		ngroup = 0;
		gen_seq(&pat, 0, &ngroup);
		if (rnd(4) == 0) {
			wz_buf_adds(&pat, "|");
			gen_seq(&pat, 0, &ngroup);
		}
		rx = wz_rx_new(wz_buf_cstr(&pat), WZ_RX_CASELESS, err,
		    sizeof(err));
		if (rx == NULL)
			continue;
		n = wz_rx_literals(pat.s, &v);
		ncl = wz_rx_clauses(pat.s, &cl);
		/* Clauses exactly when literals. */
		if ((n == 0) != (ncl == 0))
			fail_msg("pattern '%s': %zu literals but %zu clauses",
			    pat.s, n, ncl);
		if (ncl > 1)
			multicl++;
		/* Random texts rarely hold what several clauses ask for:
		 * a pattern with several gets more texts, made of random
		 * characters and pieces of its literals. */
		for (ntxt = 0; ntxt < (ncl > 1 ? 3000u : 200u); ntxt++) {
			wz_buf_reset(&txt);
			len = rnd(ntxt < 200 ? 10 : 8);
			for (i = 0; i < len; i++) {
				if (ntxt >= 200 && rnd(2) == 0) {
					const struct wz_rx_clause *c =
					    &cl[rnd((unsigned)ncl)];
					const char *l = c->v[rnd((unsigned)
					    c->n)];

					/* Whole, or all but its last byte. */
					wz_buf_add(&txt, l, strlen(l) -
					    (rnd(4) == 0 && strlen(l) > 1 &&
					    (l[strlen(l) - 1] & 0x80) == 0));
				} else
					wz_buf_adds(&txt, chars[rnd(
					    sizeof(chars) / sizeof(chars[0]))]);
			}
			wz_buf_cstr(&txt);
			if (wz_rx_match(rx, txt.s, txt.len) != WZ_RX_MATCH)
				continue;
			matched++;
			if (n == 0 && ncl == 0)
				continue;
			low = wz_strndup(txt.s, txt.len);
			for (k = 0; low[k] != '\0'; k++)
				if (low[k] >= 'A' && low[k] <= 'Z')
					low[k] += 'a' - 'A';
			if (n > 0)
				withlits++;
			for (found = 0, j = 0; j < n && !found; j++)
				found = strstr(low, v[j]) != NULL;
			if (n > 0 && !found)
				fail_msg("pattern '%s' matches '%s' but it "
				    "holds none of its %zu literals (first "
				    "'%s')", pat.s, txt.s, n, v[0]);
			/* Every clause has a member in the text. */
			if (ncl > 1)
				withcl++;
			for (i = 0; i < ncl; i++) {
				for (found = 0, j = 0; j < cl[i].n && !found;
				    j++)
					found = strstr(low, cl[i].v[j]) != NULL;
				if (!found)
					fail_msg("pattern '%s' matches '%s' "
					    "but holds none of clause %zu of "
					    "%zu (first '%s')", pat.s, txt.s,
					    i + 1, ncl, cl[i].v[0]);
			}
			/* ... in the order of the clauses (the matcher's
			 * text_order()). */
			if (!clause_order(low, cl, ncl))
				fail_msg("pattern '%s' matches '%s' but its "
				    "clauses are not found in order", pat.s,
				    txt.s);
			free(low);
		}
		for (i = 0; i < n; i++)
			free(v[i]);
		free(v);
		wz_rx_clauses_free(cl, ncl);
		wz_rx_free(rx);
	}
	/* The test means something only if many texts matched. */
	assert_true(matched > 10000);
	assert_true(withlits > 2000);
	/* ... and many of them against more than one clause. */
	assert_true(multicl > 100);
	assert_true(withcl > 10000);
	wz_buf_free(&pat);
	wz_buf_free(&txt);
}

/*
 * Leading literals, on random patterns (some behind a lookbehind) and
 * texts: a match starts with one of them, a text without any does not
 * match, and a search from the first one's place finds the same match.
 */
static void
test_prefix_property(void **state)
{
	static const char *const behind[] = { "", "", "(?<!甲)", "(?<=乙)",
	    "(?=丙)", "(?<![甲乙])" };
	struct wz_buf pat = {0}, txt = {0};
	struct wz_rx *rx;
	char err[300], **v;
	size_t n, i, j, s0, e0, s1, e1, first;
	unsigned npat, ntxt, len;
	unsigned long withpfx = 0, matched = 0, moved = 0;
	int ngroup, r0, r1;

	(void)state;
	for (npat = 0; npat < 20000; npat++) {
		wz_buf_reset(&pat);
		ngroup = 0;
		wz_buf_adds(&pat, behind[rnd(6)]);
		gen_seq(&pat, 0, &ngroup);
		if (rnd(4) == 0) {
			wz_buf_adds(&pat, "|");
			wz_buf_adds(&pat, behind[rnd(6)]);
			gen_seq(&pat, 0, &ngroup);
		}
		rx = wz_rx_new(wz_buf_cstr(&pat), WZ_RX_CASELESS, err,
		    sizeof(err));
		if (rx == NULL)
			continue;
		if ((n = wz_rx_prefixes(pat.s, &v)) == 0) {
			wz_rx_free(rx);
			continue;
		}
		withpfx++;
		for (ntxt = 0; ntxt < 300; ntxt++) {
			wz_buf_reset(&txt);
			len = rnd(10);
			for (i = 0; i < len; i++) {
				if (rnd(3) == 0)
					wz_buf_adds(&txt, v[rnd((unsigned)n)]);
				else
					wz_buf_adds(&txt, chars[rnd(
					    sizeof(chars) / sizeof(chars[0]))]);
			}
			wz_buf_cstr(&txt);
			first = (size_t)-1;
			for (j = 0; j < n; j++) {
				const char *at = strstr(txt.s, v[j]);

				if (at != NULL && (size_t)(at - txt.s) < first)
					first = (size_t)(at - txt.s);
			}
			r0 = wz_rx_match(rx, txt.s, txt.len);
			wz_rx_span(rx, &s0, &e0);
			if (first == (size_t)-1) {
				if (r0 == WZ_RX_MATCH)
					fail_msg("pattern '%s' matches '%s', "
					    "which holds none of its %zu "
					    "prefixes (first '%s')", pat.s,
					    txt.s, n, v[0]);
				continue;
			}
			if (r0 == WZ_RX_MATCH) {
				matched++;
				for (j = 0; j < n; j++)
					if (strncmp(txt.s + s0, v[j],
					    strlen(v[j])) == 0)
						break;
				if (j == n)
					fail_msg("pattern '%s' matches '%s' at "
					    "%zu, not on a prefix", pat.s,
					    txt.s, s0);
			}
			moved += first > 0;
			r1 = wz_rx_match_from(rx, txt.s, txt.len, first);
			wz_rx_span(rx, &s1, &e1);
			if (r1 != r0 || s1 != s0 || e1 != e0)
				fail_msg("pattern '%s' on '%s': %d [%zu,%zu) "
				    "from 0, %d [%zu,%zu) from %zu", pat.s,
				    txt.s, r0, s0, e0, r1, s1, e1, first);
		}
		for (i = 0; i < n; i++)
			free(v[i]);
		free(v);
		wz_rx_free(rx);
	}
	assert_true(withpfx > 600);
	assert_true(matched > 30000);
	assert_true(moved > 50000);
	wz_buf_free(&pat);
	wz_buf_free(&txt);
}

/*
 * Top-level branches, on random patterns of several: the pattern matches
 * a text exactly when one of its branches does, and then that branch's
 * clauses are in the text, in order (what the matcher checks).
 */
static void
test_branches_property(void **state)
{
	struct wz_buf pat = {0}, txt = {0};
	struct wz_rx *rx, *brx[32];
	struct wz_rx_clause *cl[32];
	size_t ncl[32], nb, i, b;
	char err[300], **v, *low;
	unsigned npat, ntxt, len;
	unsigned long split = 0, matched = 0;
	int ngroup, any, anyok, r;

	(void)state;
	for (npat = 0; npat < 8000; npat++) {
		wz_buf_reset(&pat);
		ngroup = 0;
		gen_seq(&pat, 0, &ngroup);
		do {
			wz_buf_adds(&pat, "|");
			gen_seq(&pat, 0, &ngroup);
		} while (rnd(2) == 0);
		rx = wz_rx_new(wz_buf_cstr(&pat), WZ_RX_CASELESS, err,
		    sizeof(err));
		if (rx == NULL)
			continue;
		if ((nb = wz_rx_branches(pat.s, &v)) == 0) {
			wz_rx_free(rx);
			continue;
		}
		split++;
		for (b = 0; b < nb; b++) {
			brx[b] = wz_rx_new(v[b], WZ_RX_CASELESS, err,
			    sizeof(err));
			if (brx[b] == NULL)
				fail_msg("pattern '%s': branch '%s' does not "
				    "compile: %s", pat.s, v[b], err);
			ncl[b] = wz_rx_clauses(v[b], &cl[b]);
		}
		for (ntxt = 0; ntxt < 200; ntxt++) {
			wz_buf_reset(&txt);
			len = rnd(10);
			for (i = 0; i < len; i++)
				wz_buf_adds(&txt, chars[rnd(sizeof(chars) /
				    sizeof(chars[0]))]);
			wz_buf_cstr(&txt);
			r = wz_rx_match(rx, txt.s, txt.len) == WZ_RX_MATCH;
			low = wz_strndup(txt.s, txt.len);
			for (i = 0; low[i] != '\0'; i++)
				if (low[i] >= 'A' && low[i] <= 'Z')
					low[i] += 'a' - 'A';
			for (any = anyok = 0, b = 0; b < nb; b++) {
				int rb = wz_rx_match(brx[b], txt.s, txt.len) ==
				    WZ_RX_MATCH;

				any |= rb;
				if (rb && (ncl[b] == 0 || clause_order(low,
				    cl[b], ncl[b])))
					anyok = 1;
			}
			if (r != any)
				fail_msg("pattern '%s' on '%s': %d, its "
				    "branches %d", pat.s, txt.s, r, any);
			if (r && !anyok)
				fail_msg("pattern '%s' matches '%s' but no "
				    "branch has its clauses in order", pat.s,
				    txt.s);
			matched += r;
			free(low);
		}
		for (b = 0; b < nb; b++) {
			wz_rx_free(brx[b]);
			wz_rx_clauses_free(cl[b], ncl[b]);
			free(v[b]);
		}
		free(v);
		wz_rx_free(rx);
	}
	assert_true(split > 1000);
	assert_true(matched > 50000);
	wz_buf_free(&pat);
	wz_buf_free(&txt);
}

/*
 * The same property for patterns made mostly of alternations, whose
 * branches hold several clauses: the clauses of a group of branches are
 * pairs of the branches' clauses (one from each), which a text must hold,
 * in order, whichever branch matched.  The atoms hold one another ("ab"
 * holds "a" and "b") so that pairs lose members.
 */
static const char *const alt_atoms[] = {
	"a", "b", "ab", "ba", "甲", "乙", "甲乙", "c", ".", "[ab]", "\\d",
	"(?=a)", "(?!b)", "K", "x", "a.b", "乙.甲"
};
static const char *const alt_quants[] = {
	"", "", "", "", "", "", "?", "*", "+", "{2}", "{0,2}", "{1,3}", "+?"
};
static const char *const alt_chars[] = {
	"a", "b", "c", "x", "A", "B", "K", "甲", "乙", "1", "."
};

static void
gen_alt(struct wz_buf *b, int depth)
{
	unsigned i, k, n = 1 + rnd(4), nb;

	for (i = 0; i < n; i++) {
		if (depth < 2 && rnd(20) < 7) {
			wz_buf_adds(b, rnd(2) ? "(?:" : "(");
			nb = 2 + rnd(3);
			for (k = 0; k < nb; k++) {
				if (k > 0)
					wz_buf_adds(b, "|");
				gen_alt(b, depth + 1);
			}
			wz_buf_adds(b, ")");
		} else
			wz_buf_adds(b, alt_atoms[rnd(sizeof(alt_atoms) /
			    sizeof(alt_atoms[0]))]);
		wz_buf_adds(b, alt_quants[rnd(sizeof(alt_quants) /
		    sizeof(alt_quants[0]))]);
	}
}

static void
test_clauses_alt_property(void **state)
{
	struct wz_buf pat = {0}, txt = {0};
	struct wz_rx *rx;
	struct wz_rx_clause *cl;
	char err[300], *low;
	size_t ncl, i, j, k;
	unsigned npat, ntxt, len, nb;
	unsigned long matched = 0, multi = 0, multimatched = 0, saved = rng;
	int found;

	(void)state;
	/* A stream of its own: the tests after it draw what they did. */
	rng = 2718281828UL;
	for (npat = 0; npat < 3000; npat++) {
		wz_buf_reset(&pat);
		nb = 1 + rnd(3);
		for (k = 0; k < nb; k++) {
			if (k > 0)
				wz_buf_adds(&pat, "|");
			gen_alt(&pat, 0);
		}
		rx = wz_rx_new(wz_buf_cstr(&pat), WZ_RX_CASELESS, err,
		    sizeof(err));
		if (rx == NULL)
			continue;
		ncl = wz_rx_clauses(pat.s, &cl);
		if (ncl > 1 && strchr(pat.s, '|') != NULL)
			multi++;
		for (ntxt = 0; ntxt < (ncl > 1 ? 400u : 50u); ntxt++) {
			wz_buf_reset(&txt);
			len = 1 + rnd(12);
			for (i = 0; i < len; i++) {
				if (ncl > 0 && rnd(3) > 0) {
					const struct wz_rx_clause *c =
					    &cl[rnd((unsigned)ncl)];

					wz_buf_adds(&txt, c->v[rnd((unsigned)
					    c->n)]);
				} else
					wz_buf_adds(&txt, alt_chars[rnd(
					    sizeof(alt_chars) /
					    sizeof(alt_chars[0]))]);
			}
			wz_buf_cstr(&txt);
			if (wz_rx_match(rx, txt.s, txt.len) != WZ_RX_MATCH)
				continue;
			matched++;
			if (ncl > 1 && strchr(pat.s, '|') != NULL)
				multimatched++;
			low = wz_strndup(txt.s, txt.len);
			for (k = 0; low[k] != '\0'; k++)
				if (low[k] >= 'A' && low[k] <= 'Z')
					low[k] += 'a' - 'A';
			for (i = 0; i < ncl; i++) {
				for (found = 0, j = 0; j < cl[i].n && !found;
				    j++)
					found = strstr(low, cl[i].v[j]) != NULL;
				if (!found)
					fail_msg("pattern '%s' matches '%s' "
					    "but holds none of clause %zu of "
					    "%zu (first '%s')", pat.s, txt.s,
					    i + 1, ncl, cl[i].v[0]);
			}
			if (!clause_order(low, cl, ncl))
				fail_msg("pattern '%s' matches '%s' but its "
				    "clauses are not found in order", pat.s,
				    txt.s);
			free(low);
		}
		wz_rx_clauses_free(cl, ncl);
		wz_rx_free(rx);
	}
	printf("alt: %lu matched, %lu patterns with alternation and "
	    "several clauses, %lu of their texts matched\n", matched, multi,
	    multimatched);
	assert_true(matched > 10000);
	assert_true(multi > 300);
	assert_true(multimatched > 10000);
	wz_buf_free(&pat);
	wz_buf_free(&txt);
	rng = saved;
}

static void
test_prefix_basic(void **state)
{
	static const struct {
		const char *pat, *want;
	} t[] = {
		{ "(截留|挪用)[^。;]{0,25}(资金|款)", "截留|挪用" },
		{ "(?<![不否])属实|(?<![未不法能])查实(?!际)", "属实|查实" },
		{ "资金?被", "资" },
		{ "资+金", "资" },
		{ "资{2}金", "资" },
		{ "资{0,2}金", "" },
		{ "(?:反映|举报)人?所?", "反映|举报" },
		{ "(?<g>对象(识别)?不精准|程序不全)", "对象|程序不全" },
		{ "(未|没有)?及时", "" },
		{ "多次|(三|[3-9])次", "" },
		{ "^未", "" },
		{ "abc", "" },
		{ "未\\G", "" },
		{ "(*COMMIT)未", "" },
		{ "未(*COMMIT)", "" },
		{ "(?i)未", "" },
		{ "(?<!拒绝)(贪污|索要[^。;]{0,6}(财物|钱款))", "贪污|索要" },
		{ "未|", "" },
		{ "(未|)", "" },
		{ "未)", "" },
	};
	size_t i, k, n;
	char **v;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct wz_buf b = {0};

		n = wz_rx_prefixes(t[i].pat, &v);
		for (k = 0; k < n; k++) {
			wz_buf_printf(&b, "%s%s", k ? "|" : "", v[k]);
			free(v[k]);
		}
		free(v);
		if (strcmp(b.len ? b.s : "", t[i].want) != 0)
			fail_msg("pattern '%s': prefixes '%s', want '%s'",
			    t[i].pat, b.len ? b.s : "", t[i].want);
		wz_buf_free(&b);
	}
}

/* The regex wrapper. */

/*
 * Handles of one compiled pattern (wz_rx_dup(), as the loader gives to
 * rules sharing a pattern): each keeps its own match, and the pattern
 * lives until the last is freed.
 */
static void
test_rx_dup(void **state)
{
	struct wz_rx *a, *b;
	char err[200];
	size_t s, e;
	const char *t1 = "挪用资金3.5万元", *t2 = "共12万元";

	(void)state;
	a = wz_rx_new("(?<amount>[0-9.]+)万元", WZ_RX_CASELESS, err,
	    sizeof(err));
	assert_non_null(a);
	b = wz_rx_dup(a);
	assert_ptr_not_equal(a, b);
	assert_int_equal(wz_rx_nnames(b), 1);
	assert_string_equal(wz_rx_name(b, 0), "amount");
	wz_rx_span(b, &s, &e);		/* no match yet */
	assert_int_equal(e, 0);
	assert_int_equal(wz_rx_match(a, t1, strlen(t1)), WZ_RX_MATCH);
	assert_int_equal(wz_rx_match(b, t2, strlen(t2)), WZ_RX_MATCH);
	assert_true(wz_rx_named(a, 0, &s, &e));
	assert_int_equal(s, strlen("挪用资金"));
	assert_int_equal(e - s, strlen("3.5"));
	assert_true(wz_rx_named(b, 0, &s, &e));
	assert_int_equal(s, strlen("共"));
	assert_int_equal(e - s, strlen("12"));
	wz_rx_free(a);
	assert_int_equal(wz_rx_match(b, t1, strlen(t1)), WZ_RX_MATCH);
	wz_rx_span(b, &s, &e);
	assert_int_equal(s, strlen("挪用资金"));
	assert_int_equal(wz_rx_match(b, "abc", 3), WZ_RX_NOMATCH);
	wz_rx_free(b);
}

static void
test_rx_basic(void **state)
{
	struct wz_rx *rx;
	char err[200];
	size_t s, e;
	const char *t = "挪用资金3.5万元用于";

	(void)state;
	rx = wz_rx_new("(?<amount>[0-9.]+万元)|(?<other>x)", WZ_RX_CASELESS,
	    err, sizeof(err));
	assert_non_null(rx);
	assert_int_equal(wz_rx_match(rx, t, strlen(t)), WZ_RX_MATCH);
	wz_rx_span(rx, &s, &e);
	assert_int_equal(s, strlen("挪用资金"));
	assert_int_equal(wz_rx_nnames(rx), 2);
	assert_string_equal(wz_rx_name(rx, 0), "amount");
	assert_true(wz_rx_named(rx, 0, &s, &e));
	assert_int_equal(e - s, strlen("3.5万元"));
	assert_false(wz_rx_named(rx, 1, &s, &e));
	assert_int_equal(wz_rx_match(rx, "abc", 3), WZ_RX_NOMATCH);
	wz_rx_free(rx);

	/* Anchored: the whole subject. */
	rx = wz_rx_new("(乡|镇)党委书记|书记", WZ_RX_ANCHORED, err, sizeof(err));
	assert_non_null(rx);
	assert_int_equal(wz_rx_match(rx, "镇党委书记", strlen("镇党委书记")),
	    WZ_RX_MATCH);
	assert_int_equal(wz_rx_match(rx, "书记", strlen("书记")), WZ_RX_MATCH);
	assert_int_equal(wz_rx_match(rx, "副书记", strlen("副书记")),
	    WZ_RX_NOMATCH);
	assert_int_equal(wz_rx_match(rx, "书记员", strlen("书记员")),
	    WZ_RX_NOMATCH);
	wz_rx_free(rx);

	/* No UCP: \d is ASCII only. */
	rx = wz_rx_new("^\\d$", 0, err, sizeof(err));
	assert_int_equal(wz_rx_match(rx, "\xd9\xa3", 2), WZ_RX_NOMATCH);
	assert_int_equal(wz_rx_match(rx, "3", 1), WZ_RX_MATCH);
	wz_rx_free(rx);

	/* A lookahead's first code unit keeps its case (PCRE2 10.42 lost
	 * it: has_lookahead() in wz_rx.c), on a first match and a later
	 * one; the second pattern is a branch that test_branches_property
	 * once drew, which matched inside its alternation but not alone. */
	rx = wz_rx_new("(?=a)x?a", WZ_RX_CASELESS, err, sizeof(err));
	assert_non_null(rx);
	for (s = 0; s < 2; s++) {
		assert_int_equal(wz_rx_match(rx, "A", 1), WZ_RX_MATCH);
		assert_int_equal(wz_rx_match(rx, "xA", 2), WZ_RX_MATCH);
		assert_int_equal(wz_rx_match(rx, "x", 1), WZ_RX_NOMATCH);
	}
	wz_rx_free(rx);
	rx = wz_rx_new("(?=a){1,3}\\p{Han}??a+?", WZ_RX_CASELESS, err,
	    sizeof(err));
	assert_non_null(rx);
	assert_int_equal(wz_rx_match(rx, "As\xc5\xbfKKkc", 8), WZ_RX_MATCH);
	wz_rx_free(rx);

	/* Errors give PCRE2's words and a character offset. */
	assert_null(wz_rx_new("(截留", 0, err, sizeof(err)));
	assert_string_equal(err, "missing closing parenthesis at offset 3");
}

static void
test_rx_limit(void **state)
{
	struct wz_rx *rx;
	char err[200], subj[64];

	(void)state;
	memset(subj, 'a', 40);
	subj[40] = 'b';
	rx = wz_rx_new("^(a+)+$", 0, err, sizeof(err));
	assert_non_null(rx);
	wz_rx_set_limits(10000, 1000);
	assert_int_equal(wz_rx_match(rx, subj, 41), WZ_RX_LIMIT);
	wz_rx_set_limits(1000000, 1000);
	assert_int_equal(wz_rx_match(rx, "aaa", 3), WZ_RX_MATCH);
	wz_rx_free(rx);
}

/* The loader. */

static char tmpdir[64];

static void
put(const char *name, const char *text)
{
	char *p = wz_aprintf("%s/%s", tmpdir, name);
	FILE *fp = fopen(p, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	free(p);
}

static const char posts_yaml[] =
"posts:\n"
"  - code: town_main_leader\n"
"    label: 乡镇党政主要领导\n"
"    level: township\n"
"    titles: []\n"
"  - code: town_secretary\n"
"    label: 乡镇党委书记\n"
"    level: township\n"
"    rank: 乡科级\n"
"    is_a: [town_main_leader]\n"
"    titles: ['\\p{Han}{0,8}(乡|镇)党委书记', '书记']\n"
"  - code: town_deputy\n"
"    label: 乡镇分管领导\n"
"    level: township\n"
"    titles: ['\\p{Han}{0,8}(乡|镇)(副镇长|副乡长)', '副镇长']\n"
"  - code: village_cadre\n"
"    label: 村干部\n"
"    level: village\n"
"    titles: []\n"
"  - code: village_secretary\n"
"    label: 村党支部书记\n"
"    level: village\n"
"    is_a: [village_cadre]\n"
"    titles: ['\\p{Han}{0,8}村党支部书记']\n";

static const char doc_yaml[] =
"document:\n"
"  id: toy2020\n"
"  title: 示例办法\n"
"  issuer: \"\"\n"
"  effective: 2020-01-01\n"
"params:\n"
"  days_required: {default: 200, label: 天数}\n"
"groups:\n"
"  town: {label: 乡镇, posts: [town_main_leader, town_deputy]}\n"
"articles:\n"
"  - id: toy2020:1\n"
"    kind: conduct\n"
"    groups: [town]\n"
"    text: 挪用资金的;\n"
"    match:\n"
"      all:\n"
"        - {text: '(截留|挪用)[^。]{0,9}资金'}\n"
"        - {field: status, in: ['ＯＫ', 一般]}\n"
"        - any: [{text: 'abc'}, {text: '甲乙|丙'}]\n"
"        - {value: days, lt: days_required}\n"
"    examples:\n"
"      positive: [{问题描述: 挪用资金}]\n"
"      negative: [{问题描述: 未挪用资金}]\n";

static struct wz_ruleset *
load_dir(int *nerr)
{
	struct wz_ruleset *rs = wz_rules_new();

	*nerr = wz_rules_load(rs, tmpdir);
	*nerr += wz_rules_finish(rs);
	return rs;
}

static int
setup(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/test_rules.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	char *cmd = wz_aprintf("rm -rf '%s'", tmpdir);

	(void)state;
	if (system(cmd) != 0)
		return -1;
	free(cmd);
	return 0;
}

/* wz_rules_define with its message sent to /dev/null. */
static int
define_quiet(struct wz_ruleset *rs, const char *a)
{
	int rc, saved = dup(2), devnull = open("/dev/null", O_WRONLY);

	fflush(stderr);
	dup2(devnull, 2);
	rc = wz_rules_define(rs, a);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(devnull);
	return rc;
}

static void
test_load_good(void **state)
{
	struct wz_ruleset *rs;
	const struct wz_article *a;
	const struct wz_cond *c;
	const struct wz_post *out[4];
	size_t n, unmatched;
	double v;
	int nerr, rxfail;

	(void)state;
	put("posts.yaml", posts_yaml);
	put("toy.yaml", doc_yaml);
	rs = load_dir(&nerr);
	assert_int_equal(nerr, 0);
	assert_int_equal(rs->ndocs, 1);
	assert_int_equal(rs->nposts, 5);
	a = wz_rules_article(rs, "toy2020:1");
	assert_non_null(a);
	assert_string_equal(a->doc->issuer, "");
	assert_string_equal(a->doc->effective, "2020-01-01");
	assert_int_equal(a->ncases, 1);
	assert_null(a->cases[0].id);
	c = a->cases[0].match;
	assert_int_equal(c->kind, WZ_C_ALL);
	assert_int_equal(c->nkids, 4);
	/* Literals are made on demand, for the condition and its kids. */
	assert_false(c->lits_made);
	assert_ptr_equal(wz_cond_lits(a->cases[0].match), &c->lits);
	/* TEXT literals: on a tie in length the smaller set wins. */
	assert_int_equal(c->kids[0]->lits.n, 1);
	assert_string_equal(c->kids[0]->lits.v[0], "资金");
	/* IN values are normalised: full-width OK becomes ASCII. */
	assert_string_equal(c->kids[1]->set.v[0], "OK");
	/* ANY is the union of its children's sets. */
	assert_int_equal(c->kids[2]->lits.n, 3);
	/* ALL takes its best child's set. */
	assert_int_equal(c->lits.n, 1);
	assert_string_equal(c->lits.v[0], "资金");
	/* A second call makes nothing twice. */
	wz_cond_lits(a->cases[0].match);
	assert_int_equal(c->lits.n, 1);
	assert_int_equal(c->kids[2]->lits.n, 3);
	assert_string_equal(c->kids[3]->param, "days_required");
	/* Posts, is_a, title parts. */
	assert_true(wz_post_is(rs, "town_secretary", "town_main_leader"));
	assert_false(wz_post_is(rs, "town_main_leader", "town_secretary"));
	assert_true(wz_post_is(rs, "village_secretary", "village_secretary"));
	n = wz_rules_title_posts(rs, "东河镇党委书记、东河镇副镇长（包抓王家村）,"
	    "县长", out, 4, &unmatched, &rxfail);
	assert_int_equal(rxfail, 0);
	assert_int_equal(n, 2);
	assert_string_equal(out[0]->code, "town_secretary");
	assert_string_equal(out[1]->code, "town_deputy");
	assert_int_equal(unmatched, 1);
	n = wz_rules_title_posts(rs, "书记 / 王家村党支部书记", out, 1,
	    &unmatched, &rxfail);
	assert_int_equal(n, 1);
	assert_int_equal(unmatched, 0);
	/* A limit hit is said, never "no post". */
	wz_rx_set_limits(1, 1);
	n = wz_rules_title_posts(rs, "东河镇党委书记、县长", out, 4,
	    &unmatched, &rxfail);
	wz_rx_set_limits(WZ_RX_MATCH_LIMIT, WZ_RX_DEPTH_LIMIT);
	assert_int_equal(rxfail, WZ_RX_LIMIT);
	assert_int_equal(unmatched, 0);
	/* -D and parameters. */
	assert_int_equal(wz_rules_param(rs, NULL, "days_required", &v), 0);
	assert_true(v == 200);
	assert_int_equal(wz_rules_define(rs, "days_required=150"), 0);
	assert_int_equal(wz_rules_param(rs, a->doc, "days_required", &v), 0);
	assert_true(v == 150);
	assert_int_equal(wz_rules_param(rs, NULL, "nosuch", &v), -1);
	assert_int_equal(define_quiet(rs, "nosuch=1"), -1);
	assert_int_equal(define_quiet(rs, "days_required=abc"), -1);
	assert_int_equal(define_quiet(rs, "days_required"), -1);
	wz_rules_free(rs);
}

/* Load one bad file beside posts.yaml; the number of errors. */
static int
errors_of(const char *text)
{
	struct wz_ruleset *rs;
	int nerr, saved = dup(2), devnull = open("/dev/null", O_WRONLY);

	put("posts.yaml", posts_yaml);
	put("toy.yaml", text);
	fflush(stderr);
	dup2(devnull, 2);
	rs = load_dir(&nerr);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(devnull);
	wz_rules_free(rs);
	return nerr;
}

static void
test_load_errors(void **state)
{
	(void)state;
	assert_int_equal(errors_of(doc_yaml), 0);
	assert_int_equal(errors_of(""), 1);
	assert_int_equal(errors_of("a: &x 1\nb: *x\n"), 1);
	assert_int_equal(errors_of("document:\n\tid: x\n"), 1);
	assert_int_equal(errors_of("document: {id: t, title: x}\nfoo: 1\n"),
	    1);
	assert_int_equal(errors_of("document: {id: t, title: x}\n"
	    "articles:\n  - {id: t:1, kind: principle, text: a}\n"
	    "  - {id: t:1, kind: principle, text: b}\n"), 1);
	assert_int_equal(errors_of("document: {id: t, title: x}\n"
	    "articles:\n  - {id: u:1, kind: principle, text: a}\n"), 1);
	assert_int_equal(errors_of("document: {id: t, title: x}\n"
	    "articles:\n  - {id: t:1, kind: conduct, text: a, "
	    "match: {text: '(a'}}\n"), 1);
	assert_int_equal(errors_of("document: {id: t, title: x}\n"
	    "articles:\n  - {id: t:1, kind: conduct, text: a, "
	    "match: {text: 'a，b'}}\n"), 1);
	assert_int_equal(errors_of("document: {id: t, title: x}\n"
	    "articles:\n  - {id: t:1, kind: conduct, groups: [g], text: a}\n"),
	    1);
	assert_int_equal(errors_of("document: {id: t, title: x}\n"
	    "groups: {g: {label: G, posts: [nosuch]}}\n"), 1);
	assert_int_equal(errors_of("document: {id: t, title: x}\n"
	    "articles:\n  - {id: t:1, kind: principle, text: a}\n"
	    "penalties:\n  - {id: p, basis: [t:1], for: {article: t:1}, "
	    "measures: [flog]}\n"), 1);
	assert_int_equal(errors_of("fields:\n  name: [姓名]\n  unit: [姓名]\n"),
	    1);
	assert_int_equal(errors_of("fields:\n  nosuch: [甲]\n"), 1);
	assert_int_equal(errors_of("posts:\n  - {code: x, label: x, level: "
	    "township, is_a: [x], titles: []}\n"), 1);
}

static void
test_load_limit(void **state)
{
	struct wz_ruleset *rs;
	int nerr, saved = dup(2), devnull = open("/dev/null", O_WRONLY);

	(void)state;
	put("posts.yaml", posts_yaml);
	put("toy.yaml", "document: {id: t, title: x}\narticles:\n"
	    "  - {id: t:1, kind: principle, text: a}\n"
	    "  - {id: t:2, kind: principle, text: b}\n"
	    "  - {id: t:3, kind: principle, text: c}\n");
	rs = wz_rules_new();
	rs->max_rules = 2;
	dup2(devnull, 2);
	nerr = wz_rules_load(rs, tmpdir);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(devnull);
	assert_int_equal(nerr, 1);
	assert_int_equal(rs->narts, 2);
	wz_rules_free(rs);
}

static void
test_default_dir(void **state)
{
	(void)state;
	setenv("WENZE_RULES", "/x/y", 1);
	assert_string_equal(wz_rules_default_dir(), "/x/y");
	unsetenv("WENZE_RULES");
	assert_string_equal(wz_rules_default_dir(), WZ_RULESDIR);
}

static void
test_vocab(void **state)
{
	const struct wz_measure *m, *all;
	enum wz_severity s;
	enum wz_art_kind k;
	size_t n, i;

	(void)state;
	m = wz_measure_find("admonish");
	assert_non_null(m);
	assert_string_equal(m->family, "org");
	assert_string_equal(m->zh, "诫勉谈话");
	assert_null(wz_measure_find("flog"));
	assert_true(wz_measure_find("talk")->order <
	    wz_measure_find("remove")->order);
	assert_true(wz_measure_find("party_warning")->order <
	    wz_measure_find("party_expel")->order);
	all = wz_measure_all(&n);
	assert_int_equal(n, 39);
	for (i = 1; i < n; i++)
		if (strcmp(all[i].family, all[i - 1].family) == 0)
			assert_true(all[i].order > all[i - 1].order);
	assert_int_equal(wz_severity_parse("grave", &s), 0);
	assert_int_equal(s, WZ_SEV_GRAVE);
	assert_string_equal(wz_severity_zh(s), "情节严重");
	assert_int_equal(wz_severity_parse("bad", &s), -1);
	assert_string_equal(wz_tier_zh("main_leader"), "主要领导责任");
	assert_null(wz_tier_zh("boss"));
	assert_int_equal(wz_kind_parse("procedure", &k), 0);
	assert_string_equal(wz_kind_code(k), "procedure");
	assert_true(wz_rank_valid("乡科级"));
	assert_false(wz_rank_valid("科级"));
	assert_true(wz_field_valid("distrust"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lits_basic),
		cmocka_unit_test(test_lits_optional),
		cmocka_unit_test(test_lits_alternation),
		cmocka_unit_test(test_lits_escapes),
		cmocka_unit_test(test_lits_giveup),
		cmocka_unit_test(test_lits_caseless),
		cmocka_unit_test(test_clauses),
		cmocka_unit_test(test_rx_caseless_partners),
		cmocka_unit_test(test_lits_property),
		cmocka_unit_test(test_clauses_alt_property),
		cmocka_unit_test(test_prefix_basic),
		cmocka_unit_test(test_prefix_property),
		cmocka_unit_test(test_branches_property),
		cmocka_unit_test(test_rx_basic),
		cmocka_unit_test(test_rx_dup),
		cmocka_unit_test(test_rx_limit),
		cmocka_unit_test_setup_teardown(test_load_good, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_limit, setup,
		    teardown),
		cmocka_unit_test(test_default_dir),
		cmocka_unit_test(test_vocab),
	};

	wz_setprogname("test_rules");
	return cmocka_run_group_tests_name("rules", tests, NULL, NULL);
}
