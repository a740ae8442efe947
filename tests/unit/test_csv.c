/* Unit tests of the stream layer (wz_csv) and text helpers (wz_text). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "wz_base.h"
#include "wz_csv.h"
#include "wz_text.h"

/* Write s to a temporary file and return an fd open on it at offset 0. */
static int
tmpfd(const char *s, size_t n)
{
	char path[] = "/tmp/wz-test-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, s, n), (ssize_t)n);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* The whole output of writer fd as a string (caller frees). */
static char *
fd_text(int fd)
{
	off_t len = lseek(fd, 0, SEEK_END);
	char *buf = wz_malloc((size_t)len + 1);

	assert_int_equal(pread(fd, buf, (size_t)len, 0), len);
	buf[len] = '\0';
	return buf;
}

/* Close writers a and b (writing to fds fa and fb), check that they wrote
 * the same text, of more than min bytes, and close the fds. */
static void
same_output(struct wz_writer *a, int fa, struct wz_writer *b, int fb,
    size_t min)
{
	char *x, *y;

	assert_int_equal(wz_writer_close(a), 0);
	assert_int_equal(wz_writer_close(b), 0);
	x = fd_text(fa);
	y = fd_text(fb);
	assert_true(strlen(x) > min);
	assert_string_equal(x, y);
	free(x);
	free(y);
	close(fa);
	close(fb);
}

/* Pass s through reader and writer with reads of `chunk` bytes; returns
 * the output (caller frees) and the lines of each record in lines[]. */
static char *
passthrough(const char *s, size_t n, size_t chunk, int tsv,
    unsigned long *lines, size_t maxlines, size_t *nrec)
{
	struct wz_ropts ro = { .tsv = tsv };
	struct wz_wopts wo = { .tsv = tsv };
	struct wz_reader *r;
	struct wz_writer *w;
	const struct wz_row *row, *hdr;
	int in = tmpfd(s, n), out = tmpfd("", 0), rc;
	char *buf;

	r = wz_reader_fdopen(in, "t", &ro);
	assert_non_null(r);
	wz_reader_set_chunk(r, chunk);
	w = wz_writer_new(out, "o", &wo);
	assert_int_equal(wz_reader_header(r, &hdr), WZ_ROW);
	wz_writer_row(w, hdr);
	*nrec = 0;
	while ((rc = wz_reader_next(r, &row)) == WZ_ROW) {
		if (*nrec < maxlines)
			lines[*nrec] = row->line;
		(*nrec)++;
		wz_writer_row(w, row);
	}
	assert_int_equal(rc, WZ_EOF);
	assert_int_equal(wz_writer_close(w), 0);
	wz_reader_close(r);
	buf = fd_text(out);
	close(in);
	close(out);
	return buf;
}

static void
test_chunk_sweep(void **state)
{
	/* Quotes, doubled quotes, CRLF inside quotes, multibyte text and a
	 * record spanning lines, cut at every chunk size. */
	static const char in[] =
	    "编号,问题描述,金额\n"
	    "A1,\"截留、挪用,共3.5万元\",\"他说\"\"没有\"\"\"\n"
	    "A2,\"第一行\r\n第二行\n第三行\",３５０００\n"
	    "A3,,\n"
	    "A4,末尾,1\n";
	static const char want[] =
	    "编号,问题描述,金额\n"
	    "A1,\"截留、挪用,共3.5万元\",\"他说\"\"没有\"\"\"\n"
	    "A2,\"第一行\r\n第二行\n第三行\",３５０００\n"
	    "A3,,\n"
	    "A4,末尾,1\n";
	unsigned long lines[8];
	size_t chunk, n;
	char *out;

	(void)state;
	for (chunk = 8; chunk <= 80; chunk++) {
		out = passthrough(in, sizeof(in) - 1, chunk, 0, lines, 8, &n);
		assert_string_equal(out, want);
		assert_int_equal(n, 4);
		assert_int_equal(lines[0], 2);
		assert_int_equal(lines[1], 3);
		assert_int_equal(lines[2], 6);
		assert_int_equal(lines[3], 7);
		free(out);
	}
}

static void
test_spaces_sweep(void **state)
{
	/* Spaces and tabs at the edges of fields are data (RFC 4180): kept
	 * at every chunk size, whichever side of a cut they fall on, in
	 * chunks with and without a space next to a comma. */
	static const char in[] =
	    "编号, 问题描述 ,金额\n"
	    "A1,张 某,3 万元\n"
	    "  A2,\t截留\t,  \n"
	    "A3,\" 引号 \",\"a, b\"\n"
	    "A4,村委会   ,    \n"
	    "A5,没有空格,1\n";
	static const char want[] =
	    "编号, 问题描述 ,金额\n"
	    "A1,张 某,3 万元\n"
	    "  A2,\t截留\t,  \n"
	    "A3, 引号 ,\"a, b\"\n"
	    "A4,村委会   ,    \n"
	    "A5,没有空格,1\n";
	unsigned long lines[8];
	size_t chunk, n;
	char *out;

	(void)state;
	for (chunk = 8; chunk <= 120; chunk++) {
		out = passthrough(in, sizeof(in) - 1, chunk, 0, lines, 8, &n);
		assert_string_equal(out, want);
		assert_int_equal(n, 5);
		free(out);
	}
}

static void
test_short_newlines(void **state)
{
	/* Newlines inside fields of every short length (the copy's tail
	 * paths): each record's first line must still be right. */
	static const char in[] =
	    "a,b\n"
	    "\"\n\",1\n"
	    "\"x\ny\",2\n"
	    "\"ab\ncd\",3\n"
	    "\"abcdef\n\",4\n"
	    "\"abcdefghij\nk\",5\n"
	    "\"abcdefghijklmnopq\nr\",6\n"
	    "end,7\n";
	unsigned long lines[8];
	size_t chunk, n;
	char *out;
	int k;

	(void)state;
	for (chunk = 8; chunk <= 64; chunk++) {
		out = passthrough(in, sizeof(in) - 1, chunk, 0, lines, 8, &n);
		assert_string_equal(out, in);
		assert_int_equal(n, 7);
		for (k = 0; k < 7; k++)
			assert_int_equal(lines[k], 2 + 2 * k);
		free(out);
	}
}

static void
test_tsv_sweep(void **state)
{
	static const char in[] =
	    "a\tb\n"
	    "第一\\t行\t反斜杠\\\\和\\n换行\n"
	    "\"引号\",逗号\t\n";
	unsigned long lines[4];
	size_t chunk, n;
	char *out;

	(void)state;
	for (chunk = 8; chunk <= 40; chunk++) {
		out = passthrough(in, sizeof(in) - 1, chunk, 1, lines, 4, &n);
		assert_string_equal(out, in);
		assert_int_equal(n, 2);
		assert_int_equal(lines[1], 3);
		free(out);
	}
}

static void
test_utf8_check(void **state)
{
	int why;

	(void)state;
	assert_int_equal(wz_utf8_check((const unsigned char *)"abc好", 6,
	    &why), 6);
	assert_int_equal(why, WZ_UTF8_OK);
	/* Incomplete tail: stop before it, no error. */
	assert_int_equal(wz_utf8_check((const unsigned char *)"ab\xe5\xa5",
	    4, &why), 2);
	assert_int_equal(why, WZ_UTF8_OK);
	/* Overlong, surrogate, stray continuation, NUL. */
	assert_int_equal(wz_utf8_check((const unsigned char *)"a\xc0\x80", 3,
	    &why), 1);
	assert_int_equal(why, WZ_UTF8_BAD);
	assert_int_equal(wz_utf8_check((const unsigned char *)"\xed\xa0\x80",
	    3, &why), 0);
	assert_int_equal(why, WZ_UTF8_BAD);
	assert_int_equal(wz_utf8_check((const unsigned char *)"abcdefgh\x80",
	    9, &why), 8);
	assert_int_equal(why, WZ_UTF8_BAD);
	assert_int_equal(wz_utf8_check((const unsigned char *)"abcdefg\0i",
	    9, &why), 7);
	assert_int_equal(why, WZ_UTF8_NUL);
}

/* The SIMD validator must agree with the scalar one on every input:
 * random mixes of ASCII, Chinese, and broken sequences near block edges. */
static void
test_utf8_differential(void **state)
{
	static const char *pieces[] = {
		"a", "\n", ",", "好", "資", "\xc3\xa9", "\xf0\x9f\x98\x80",
		"\xe4", "\xe4\xb8", "\x80", "\xc0\x80", "\xed\xa0\x80",
		"\xf4\x90\x80\x80", "\xe0\x9f\xbf", "\xff", "0123456789"
	};
	unsigned char buf[256];
	unsigned long seed = 1, nl1, nl2;
	size_t len, k, a, b, s1, s2;
	int why1, why2, trial, bad;

	(void)state;
	for (trial = 0; trial < 20000; trial++) {
		len = 0;
		bad = trial % 4 != 0;	/* a quarter stay valid */
		while (len < 200) {
			const char *p;

			seed = seed * 6364136223846793005ULL + 1;
			k = (seed >> 33) % (bad ? 16 : 7);
			if (!bad && k == 6)
				k = 15;
			if (!bad && k == 5)
				k = 3;
			p = pieces[k];
			if (len + strlen(p) > sizeof(buf))
				break;
			memcpy(buf + len, p, strlen(p));
			len += strlen(p);
		}
		s1 = s2 = 0;
		a = wz_utf8_check_lines(buf, len, &why1, &nl1, &s1);
		b = wz_utf8_check_scalar(buf, len, &why2);
		assert_int_equal(a, b);
		assert_int_equal(why1, why2);
		/* Newlines counted up to the same point. */
		for (nl2 = 0, k = 0; k < a; k++)
			nl2 += buf[k] == '\n';
		assert_int_equal(nl1, nl2);
	}
}

/* One check through each path (scalar, SSSE3, AVX2, and the reader's
 * own of a chunk) must give the same length, verdict, newline count and
 * bytes since the last newline. */
static void
utf8_paths_agree(const unsigned char *s, size_t n)
{
	unsigned long nl[4];
	size_t ok[4], since[4];
	int why[4], p;

	for (p = 0; p < 4; p++) {
		since[p] = 5;	/* carried from an earlier chunk */
		ok[p] = p < 3 ? wz_utf8_check_path(p, s, n, &why[p], &nl[p],
		    &since[p]) : wz_reader_utf8_check(s, n, &why[p], &nl[p],
		    &since[p]);
	}
	for (p = 1; p < 4; p++) {
		if (ok[p] != ok[0] || why[p] != why[0] || nl[p] != nl[0] ||
		    since[p] != since[0])
			fail_msg("path %d: n %zu ok %zu/%zu why %d/%d nl "
			    "%lu/%lu since %zu/%zu", p, n, ok[p], ok[0],
			    why[p], why[0], nl[p], nl[0], since[p], since[0]);
	}
}

/*
 * The SIMD paths against the scalar one at every length 0..300 and every
 * place in a 32-byte block: random mixes of valid and broken sequences,
 * valid text cut short, and valid text with one byte replaced by each of
 * the bytes where the UTF-8 rules change (every place, every byte).
 */
static void
test_utf8_paths(void **state)
{
	static const char *pieces[] = {
		"a", "\n", ",", "好", "資", "\xc3\xa9", "\xf0\x9f\x98\x80",
		"\xe4", "\xe4\xb8", "\x80", "\xc0\x80", "\xed\xa0\x80",
		"\xf4\x90\x80\x80", "\xe0\x9f\xbf", "\xff", "0123456789",
		"\xef\xbf\xbf", "\xed\x9f\xbf", "\xee\x80\x80",
		"\xf4\x8f\xbf\xbf",
		"\xf0\x90\x80\x80", "\xe0\xa0\x80", "\xc2\x80", "\xdf\xbf",
		"\xf5\x80\x80\x80", "\xc1\xbf", "\xf0\x8f\xbf\xbf", "\0"
	};
	static const unsigned char edges[] = {
		0x00, 0x0a, 0x0d, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf,
		0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef,
		0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf7, 0xf8, 0xfe, 0xff
	};
	const size_t np = sizeof(pieces) / sizeof(pieces[0]);
	unsigned char base[5][320], buf[320 + 32];
	unsigned long seed = 7;
	size_t len, k, al, pos, e, v, t;

	(void)state;
	/*
	 * 0: valid text; 1: mostly valid; 2: anything; 3: all Chinese;
	 * 4: ASCII, where a bad byte is followed by blocks that are ASCII.
	 */
	for (v = 0; v < 5; v++) {
		len = 0;
		while (len < 310) {
			const char *p;

			seed = seed * 6364136223846793005ULL + 1;
			k = (seed >> 33) % np;
			if (v == 0 || (v == 1 && (seed >> 20) % 16 != 0))
				k = (size_t[]){ 0, 1, 2, 3, 4, 5, 6, 15, 16,
				    17, 18, 19, 20, 21, 22, 23 }[k % 16];
			if (v == 3)
				k = 3 + k % 2;
			if (v == 4)
				k = (seed >> 20) % 8 == 0 ? 1 : 15;
			p = k == np - 1 ? "\0" : pieces[k];
			t = k == np - 1 ? 1 : strlen(p);
			if (len + t > 310)
				break;
			memcpy(base[v] + len, p, t);
			len += t;
		}
		memset(base[v] + len, 'x', sizeof(base[v]) - len);
	}
	for (v = 0; v < 5; v++)
		for (len = 0; len <= 300; len++)
			for (al = 0; al < 32; al++) {
				memcpy(buf + al, base[v], len);
				utf8_paths_agree(buf + al, len);
			}
	/* One byte replaced, at every place of 300 bytes of valid text. */
	for (v = 0; v < 5; v += v == 0 ? 3 : 1)
		for (pos = 0; pos < 300; pos++)
			for (e = 0; e < sizeof(edges); e++) {
				al = (pos * 7 + e) % 32;
				memcpy(buf + al, base[v], 300);
				buf[al + pos] = edges[e];
				utf8_paths_agree(buf + al, 300);
				utf8_paths_agree(buf + al, pos + 1);
				utf8_paths_agree(buf + al, pos + 2);
			}
	/* Random bytes of the edge values, dense. */
	for (t = 0; t < 20000; t++) {
		seed = seed * 6364136223846793005ULL + 1;
		len = (seed >> 33) % 301;
		al = (seed >> 13) % 32;
		for (k = 0; k < len; k++) {
			seed = seed * 6364136223846793005ULL + 1;
			buf[al + k] = (seed >> 40) % 8 == 0 ?
			    edges[(seed >> 20) % sizeof(edges)] :
			    base[(seed >> 50) % 2][k];
		}
		utf8_paths_agree(buf + al, len);
	}
}

/*
 * The reader's check of a chunk (wz_reader_utf8_check) tests 64 bytes at
 * a time for ASCII and three-byte characters that need no range check,
 * and hands a block that fails to the full check.  Against the scalar
 * check, on long text (past the 255 blocks after which it adds up its
 * newline counts) that is all such characters, or has a rarer one now
 * and then, or is all newlines: one byte replaced by each edge value at and around every
 * block edge, the text cut there (a character split by the edge, or
 * truncated at the end), and each of the pieces that must not pass the
 * fast test (overlong, surrogate, E0 and ED leads, two- and four-byte
 * characters, stray continuations, NUL) put where a block ends.
 */
static void
test_reader_utf8(void **state)
{
	static const char *fast[] = {
		"a", "\n", ",", "好", "資", "\xe1\x80\x80", "\xec\xbf\xbf",
		"\xee\x80\x80", "\xef\xbc\x8c", "\xe2\x80\x9c", "0123456789"
	};
	static const char *rare[] = {
		"\xed\x9f\xbf", "\xe0\xa0\x80", "\xc2\xb7", "\xdf\xbf",
		"\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf"
	};
	static const char *bad[] = {
		"\xed\xa0\x80", "\xed\xbf\xbf", "\xe0\x9f\xbf", "\xe0\x80\x80",
		"\xc0\x80", "\xc1\xbf", "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80",
		"\xf5\x80\x80", "\xf8\x80\x80", "\xff\x80\x80", "\x80",
		"\xe4\xb8\xe4\xb8\xad", "\xe4\xb8\x80\x80", "\xe4\x80", "\xe4",
		"\xdf\x80\x80", "\xc2\x80\x80", "\xf0\x90\x80"
	};
	static const unsigned char edges[] = {
		0x00, 0x0a, 0x7f, 0x80, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2,
		0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf4, 0xf5,
		0xff
	};
	enum { LEN = 20000 };
	unsigned char *base, *buf;
	unsigned long seed = 11;
	size_t len, k, v, pos, e, al, d, t;
	const char *p;

	(void)state;
	base = wz_malloc(LEN + 8);
	buf = wz_malloc(LEN + 64);
	for (v = 0; v < 3; v++) {
		/* 0: only what passes the fast test; 1: a rarer
		 * character one time in 40; 2: newlines, which the
		 * fast test counts a byte per place in a block */
		len = 0;
		for (; v == 2 && len < LEN; len++)
			base[len] = '\n';
		for (; v < 2;) {
			seed = seed * 6364136223846793005ULL + 1;
			k = (seed >> 33) % (sizeof(fast) / sizeof(fast[0]));
			p = fast[k];
			if (v == 1 && (seed >> 20) % 40 == 0)
				p = rare[(seed >> 40) % (sizeof(rare) /
				    sizeof(rare[0]))];
			if (len + strlen(p) > LEN)
				break;
			memcpy(base + len, p, strlen(p));
			len += strlen(p);
		}
		for (al = 0; al < 32; al += 7) {
			memcpy(buf + al, base, len);
			utf8_paths_agree(buf + al, len);
			/* cut at and around every block edge */
			for (pos = 64; pos + 2 < len; pos += 64 * 13)
				for (d = pos - 2; d <= pos + 2; d++)
					utf8_paths_agree(buf + al, d);
		}
		/* one byte replaced near block edges, early and late */
		for (pos = 61; pos < len; pos += pos < 400 ? 64 : 64 * 97)
			for (d = pos; d < pos + 6 && d < len; d++)
				for (e = 0; e < sizeof(edges); e++) {
					al = (d + e) % 32;
					memcpy(buf + al, base, len);
					buf[al + d] = edges[e];
					utf8_paths_agree(buf + al, len);
					utf8_paths_agree(buf + al, d + 1);
				}
		/* a bad piece ending at, across and after a block edge */
		for (t = 0; t < sizeof(bad) / sizeof(bad[0]); t++)
			for (pos = 64; pos < len; pos += pos < 400 ? 64 :
			    64 * 131)
				for (d = pos - 4; d <= pos + 1; d++) {
					k = strlen(bad[t]);
					al = (d + t) % 32;
					memcpy(buf + al, base, len);
					memcpy(buf + al + d, bad[t], k);
					utf8_paths_agree(buf + al, len);
					utf8_paths_agree(buf + al, d + k);
					utf8_paths_agree(buf + al, d + k - 1);
				}
	}
	free(base);
	free(buf);
}

static void
test_normalize(void **state)
{
	char *s;

	(void)state;
	s = wz_normalize("截留，挪用（专项）资金３５０００元", strlen(
	    "截留，挪用（专项）资金３５０００元"));
	assert_string_equal(s, "截留,挪用(专项)资金35000元");
	free(s);
	s = wz_normalize("挪用專項扶貧資金", strlen("挪用專項扶貧資金"));
	assert_string_equal(s, "挪用专项扶贫资金");
	free(s);
	/* Spaces between CJK characters go, others become one. */
	s = wz_normalize("  驻村 天数　不足  200 天 ", strlen(
	    "  驻村 天数　不足  200 天 "));
	assert_string_equal(s, "驻村天数不足 200 天");
	free(s);
	s = wz_normalize("plain ascii", 11);
	assert_string_equal(s, "plain ascii");
	free(s);
}

static void
test_norm_span(void **state)
{
	struct wz_norm *nm = wz_norm_new();
	const char *in = "将５万元扶貧資金挪用";
	const char *out, *p;
	size_t n, from, to;

	(void)state;
	out = wz_norm_run(nm, in, strlen(in), &n);
	assert_string_equal(out, "将5万元扶贫资金挪用");
	/* "扶贫资金" in the output maps back to "扶貧資金". */
	p = strstr(out, "扶贫资金");
	assert_non_null(p);
	wz_norm_span(nm, (size_t)(p - out), (size_t)(p - out) + 12, &from,
	    &to);
	assert_int_equal(to - from, 12);
	assert_memory_equal(in + from, "扶貧資金", 12);
	/* "5万元" maps back to "５万元". */
	wz_norm_span(nm, 3, 3 + 7, &from, &to);
	assert_memory_equal(in + from, "５万元", to - from);
	assert_int_equal(to - from, 9);
	wz_norm_free(nm);
}

/* The one-pass normaliser must give the same text and spans as the
 * three stages, on random mixes of what findings hold. */
static void
test_norm_differential(void **state)
{
	static const char *pieces[] = {
		"a", "Z", " ", "  ", "\t", "\n", "挪用", "资金", "，", "（", "）",
		"３", "５", "万元", "　", "\xc2\xa0", "。", "、", "“", "”", "《",
		"扶貧", "ｶ", "①", "e\xcc\x81", "\xef\xbd\x9e", "\xef\xbd\x9f",
		"ｱ", "㈱", "\xe3\x80\x81", "1", ",", "x y", "\x01", "\x7f",
		"\xc3\xa9", "\xe3\x90\x80", "\xe4\xb7\x80", "\xe2\x80\x94",
		"ab12", "\xe2\x84\xa2", "\xf0\x9f\x98\x80"
	};
	struct wz_norm *a = wz_norm_new(), *b = wz_norm_new();
	struct wz_norm *c = wz_norm_new();
	char buf[256];
	unsigned long seed = 7;
	size_t len, k, na, nb, nc, nt, i, f1, t1, f2, t2, described = 0;
	uint16_t *tab = malloc(0x10000 * sizeof(*tab)), tag[256];
	uint32_t end[256], cp;
	const char *oa, *ob, *oc;
	char *exact = NULL;
	int trial;

	(void)state;
	for (cp = 0; cp < 0x10000; cp++)
		tab[cp] = (uint16_t)(cp * 40503U + 1);
	for (trial = 0; trial < 5000; trial++) {
		len = 0;
		while (len < 120) {
			const char *p;

			seed = seed * 6364136223846793005ULL + 1;
			/* Odd trials stay within the first 21 pieces, which
			 * the one-pass path handles by itself. */
			k = (seed >> 33) % (trial % 2 ? 21 :
			    sizeof(pieces) / sizeof(pieces[0]));
			p = pieces[k];
			memcpy(buf + len, p, strlen(p));
			len += strlen(p);
		}
		oa = wz_norm_run(a, buf, len, &na);
		ob = wz_norm_run_slow(b, buf, len, &nb);
		assert_int_equal(na, nb);
		assert_memory_equal(oa, ob, na);
		for (i = 0; i + 1 < na; i += 1 + i % 5) {
			wz_norm_span(a, i, i + 1, &f1, &t1);
			wz_norm_span(b, i, i + 1, &f2, &t2);
			assert_int_equal(f1, f2);
			assert_int_equal(t1, t2);
		}
		/* The tagged run: the same text and spans, and, when it
		 * describes it, each character's tag and end (the room
		 * given: too little half of the time). */
		/* In a block of its own size, so that the sanitizer
		 * build sees a read past the text (copy_run()). */
		exact = realloc(exact, len);
		memcpy(exact, buf, len);
		oc = wz_norm_run_tags(c, exact, len, &nc, tab, tag, end,
		    trial % 4 < 2 ? sizeof(tag) / sizeof(tag[0]) : len / 2,
		    &nt);
		assert_int_equal(nc, nb);
		assert_memory_equal(oc, ob, nc);
		for (i = 0; i + 1 < nc; i += 1 + i % 5) {
			wz_norm_span(c, i, i + 1, &f1, &t1);
			wz_norm_span(b, i, i + 1, &f2, &t2);
			assert_int_equal(f1, f2);
			assert_int_equal(t1, t2);
		}
		if (nt == (size_t)-1)
			continue;
		described++;
		assert_true(len <= (trial % 4 < 2 ? sizeof(tag) /
		    sizeof(tag[0]) : len / 2));
		for (i = k = 0; i < nc; k++) {
			i += wz_utf8_decode((const unsigned char *)oc + i,
			    nc - i, &cp);
			assert_true(k < nt);
			assert_true(cp < 0x10000);
			assert_int_equal(tag[k], tab[cp]);
			assert_int_equal(end[k], i);
		}
		assert_int_equal(k, nt);
	}
	/* The odd trials stay on the one-pass path. */
	assert_true(described > 1000);
	free(exact);
	wz_norm_free(a);
	wz_norm_free(b);
	wz_norm_free(c);
	free(tab);
}

/* A tags' table whose tag is the one-pass path's stop for a CJK
 * character: the result is not described (and still right). */
static void
test_norm_tags_full(void **state)
{
	struct wz_norm *nm = wz_norm_new();
	uint16_t *tab = calloc(0x10000, sizeof(*tab)), tag[64];
	uint32_t end[64];
	const char *in = "挪用，资金 ab", *out;
	size_t n, nt;

	(void)state;
	tab[0x8d44] = 0xffff;	/* 资 */
	out = wz_norm_run_tags(nm, in, strlen(in), &n, tab, tag, end, 64,
	    &nt);
	assert_string_equal(out, "挪用,资金 ab");
	assert_true(nt == (size_t)-1);
	tab[0x8d44] = 7;
	wz_norm_free(nm);
	nm = wz_norm_new();
	out = wz_norm_run_tags(nm, in, strlen(in), &n, tab, tag, end, 64,
	    &nt);
	assert_string_equal(out, "挪用,资金 ab");
	assert_int_equal(nt, 8);
	assert_int_equal(tag[3], 7);
	assert_int_equal(end[3], strlen("挪用,资"));
	assert_int_equal(end[7], n);
	/* Too little room: not described. */
	out = wz_norm_run_tags(nm, in, strlen(in), &n, tab, tag, end, 8,
	    &nt);
	assert_true(nt == (size_t)-1);
	wz_norm_free(nm);
	free(tab);
}

static void
test_col_lookup(void **state)
{
	static char h0[] = "序号", h1[] = "姓　名", h2[] = "问题描述：",
	    h3[] = "主要问题", h4[] = "name";
	char *f[] = { h0, h1, h2, h3, h4 };
	size_t len[] = { strlen(h0), strlen(h1), strlen(h2), strlen(h3),
	    strlen(h4) };
	struct wz_row hdr = { .n = 5, .f = f, .len = len };
	static const struct wz_alias al[] = {
		{ "name", "姓名" }, { "text", "问题描述" },
		{ "text", "主要问题" }
	};
	struct wz_aliases t = { 3, al };
	int idx[4];

	(void)state;
	assert_int_equal(wz_col_find(&hdr, "姓名"), 1);
	assert_int_equal(wz_col_find(&hdr, "单位"), -1);
	assert_int_equal(wz_col_lookup(&hdr, "text", &t, idx, 4), 2);
	assert_int_equal(idx[0], 2);
	assert_int_equal(idx[1], 3);
	/* The canonical name itself comes first, then the aliases. */
	assert_int_equal(wz_col_lookup(&hdr, "name", &t, idx, 4), 2);
	assert_int_equal(idx[0], 4);
	assert_int_equal(idx[1], 1);
}

static void
test_writer(void **state)
{
	struct wz_wopts wo = { .excel_safe = 1 };
	int fd = tmpfd("", 0);
	struct wz_writer *w = wz_writer_new(fd, "o", &wo);
	char buf[256];
	ssize_t n;

	(void)state;
	wz_writer_fieldz(w, "plain");
	wz_writer_fieldz(w, "a,b");
	wz_writer_fieldz(w, "say \"x\"");
	wz_writer_fieldz(w, "=1+1");
	wz_writer_fieldz(w, "-3.5");
	wz_writer_endrow(w);
	wz_writer_fieldz(w, "");
	wz_writer_endrow(w);
	assert_int_equal(wz_writer_close(w), 0);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n] = '\0';
	assert_string_equal(buf,
	    "plain,\"a,b\",\"say \"\"x\"\"\",\"'=1+1\",-3.5\n\"\"\n");
	close(fd);
}

/*
 * The reader's plain flags: a field of every length 0..40 with one byte
 * at every position, special (, " \ TAB CR LF, a control byte) or not,
 * must be flagged as a byte-by-byte look says; and a row written with
 * the flags must come out as the same row written without them, in CSV,
 * TSV and with --excel-safe.
 */
static void
test_plain_flags(void **state)
{
	static const char bytes[] = ",\"\\\t\r\n\001x=";
	struct wz_buf in = { 0 };
	struct wz_ropts ro = { 0 };
	struct wz_wopts wo[3] = { { 0 }, { .tsv = 1 }, { .excel_safe = 1 } };
	struct wz_writer *wf[3], *wn[3];
	int ofd[3], nfd[3], fd, rc, k;
	struct wz_reader *r;
	const struct wz_row *row, *hdr;
	struct wz_row copy;
	size_t len, pos, b, nrec = 0, want = 0, i;

	(void)state;
	wz_buf_add(&in, "a,b\n", 4);
	for (len = 0; len <= 40; len++)
		for (pos = 0; pos < (len ? len : 1); pos++)
			for (b = 0; b < sizeof(bytes) - 1; b++) {
				wz_buf_addc(&in, '"');
				for (i = 0; i < len; i++) {
					char c = i == pos ? bytes[b] : 'x';

					wz_buf_addc(&in, c);
					if (c == '"')
						wz_buf_addc(&in, '"');
				}
				wz_buf_add(&in, "\",y\n", 4);
				want++;
			}
	fd = tmpfd(in.s, in.len);
	r = wz_reader_fdopen(fd, "t", &ro);
	assert_non_null(r);
	wz_reader_set_chunk(r, 100);	/* the arena grows and moves */
	for (k = 0; k < 3; k++) {
		wf[k] = wz_writer_new(ofd[k] = tmpfd("", 0), "o", &wo[k]);
		wn[k] = wz_writer_new(nfd[k] = tmpfd("", 0), "o", &wo[k]);
	}
	assert_int_equal(wz_reader_header(r, &hdr), WZ_ROW);
	while ((rc = wz_reader_next(r, &row)) == WZ_ROW) {
		int special = 0;

		nrec++;
		assert_non_null(row->plain);
		assert_int_equal(row->n, 2);
		for (i = 0; i < row->len[0]; i++)
			if ((unsigned char)row->f[0][i] < 0x20 ||
			    strchr(",\"\\", row->f[0][i]) != NULL)
				special = 1;
		assert_int_equal(row->plain[0], !special);
		assert_int_equal(row->plain[1], 1);
		copy = *row;
		copy.plain = NULL;
		for (k = 0; k < 3; k++) {
			wz_writer_row(wf[k], row);
			wz_writer_row(wn[k], &copy);
		}
	}
	assert_int_equal(rc, WZ_EOF);
	assert_int_equal(nrec, want);
	assert_int_equal(want, 9 + 9 * 820);
	for (k = 0; k < 3; k++)
		same_output(wf[k], ofd[k], wn[k], nfd[k], 0);
	wz_reader_close(r);
	close(fd);
	wz_buf_free(&in);
}

/*
 * The reader's span flag: set on a record of the fast path whose every
 * field is plain, and only then (a backslash or a control byte in any
 * field, at the line's start, middle or end, or in a long line across
 * the 64-byte blocks, clears it for that line alone; a quoted record
 * goes through libcsv and is not flagged).  At chunk sizes that cut
 * lines anywhere, a line read in pieces may go the slow way, unflagged:
 * never flagged wrongly.  Where it is set, the fields are one span.
 * The rows written are those written without the flags.
 */
static void
test_span_flags(void **state)
{
	static const char *const lines[] = { "ab,cd,ef", "a\\b,cd,ef",
	    "ab,c\td,ef", "ab,cd,e\\f", "\"ab\",cd,ef", "gh,ij,kl",
	    "\001x,y,z", "中文,名字,第1村" };
	static const int want[] = { 1, 0, 0, 0, 0, 1, 0, 1 };
	static const size_t chunks[] = { 8, 13, 64, 100, 65536 };
	struct wz_buf in = { 0 };
	struct wz_ropts ro = { 0 };
	struct wz_reader *r;
	struct wz_writer *wf, *wn;
	const struct wz_row *row, *hdr;
	struct wz_row copy;
	size_t i, k, c, nrec, nspan;
	int fd, ofd, nfd, rc, w, contig;

	(void)state;
	wz_buf_add(&in, "a,b,c\n", 6);
	for (i = 0; i < 40; i++) {
		for (k = 0; k < sizeof(lines) / sizeof(lines[0]); k++) {
			wz_buf_add(&in, lines[k], strlen(lines[k]));
			wz_buf_addc(&in, '\n');
		}
		/* a line over 64-byte blocks, its second field dirty at
		 * its 40th byte or not */
		for (k = 0; k < 80; k++)
			wz_buf_addc(&in, 'p');
		wz_buf_addc(&in, ',');
		for (k = 0; k < 70; k++)
			wz_buf_addc(&in, k == 40 && i % 2 ? '\\' : 'q');
		wz_buf_add(&in, ",x\n", 3);
	}
	for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		fd = tmpfd(in.s, in.len);
		r = wz_reader_fdopen(fd, "t", &ro);
		assert_non_null(r);
		wz_reader_set_chunk(r, chunks[c]);
		wf = wz_writer_new(ofd = tmpfd("", 0), "o", NULL);
		wn = wz_writer_new(nfd = tmpfd("", 0), "o", NULL);
		assert_int_equal(wz_reader_header(r, &hdr), WZ_ROW);
		nrec = nspan = 0;
		while ((rc = wz_reader_next(r, &row)) == WZ_ROW) {
			k = nrec % 9;
			w = k < 8 ? want[k] : (nrec / 9) % 2 == 0;
			/* a line read in two pieces may take the slow
			 * path, which does not flag it: exact only where
			 * the input is one read */
			if (row->span != w && (w == 0 ||
			    chunks[c] >= in.len))
				fail_msg("chunk %zu, record %zu: span %d, "
				    "want %d", chunks[c], nrec + 1,
				    row->span, w);
			if (row->span) {
				for (i = 0, contig = 1; i < row->n; i++)
					contig &= row->plain[i] && (i == 0 ||
					    row->f[i] == row->f[i - 1] +
					    row->len[i - 1] + 1);
				assert_true(contig);
				nspan++;
			}
			copy = *row;
			copy.plain = NULL;
			copy.span = 0;
			wz_writer_row(wf, row);
			wz_writer_row(wn, &copy);
			nrec++;
		}
		assert_int_equal(rc, WZ_EOF);
		assert_int_equal(nrec, 40 * 9);
		if (chunks[c] >= in.len)
			assert_int_equal(nspan, 40 * 3 + 20);
		else if (chunks[c] >= 64)
			assert_true(nspan > 0);
		same_output(wf, ofd, wn, nfd, 0);
		wz_reader_close(r);
		close(fd);
	}
	wz_buf_free(&in);
}

/*
 * wz_writer_fields() on rows whose fields lie back to back with their
 * NULs, as the reader keeps them (written as one copy), and on rows that
 * break that in one place (a field not plain, a gap of two bytes, fields
 * out of order): each written after 0 to 2 fields of the same output row,
 * whole and in two parts (as wz-roster writes around an ID number), must
 * come out as the same fields written without plain flags, in CSV, TSV
 * and with --excel-safe.
 */
static void
test_writer_span(void **state)
{
	static const char *const pieces[] = { "", "x", "ab", "中文", "=1",
	    "-2", "a,b", "q\"", "t\tu", "1234567890abcdefghij", "\xef\xbb\xbf" };
	struct wz_wopts wo[3] = { { 0 }, { .tsv = 1 }, { .excel_safe = 1 } };
	char arena[512], *f[8], *g[8];
	size_t len[8], i, k, n, lead, cut, off;
	unsigned char plain[8];
	struct wz_row row, nop;
	struct wz_writer *wf, *wn;
	int ofd, nfd, m, trial, brk;
	unsigned seed = 7;

	(void)state;
	for (m = 0; m < 3; m++) {
		wf = wz_writer_new(ofd = tmpfd("", 0), "o", &wo[m]);
		wn = wz_writer_new(nfd = tmpfd("", 0), "o", &wo[m]);
		for (trial = 0; trial < 4000; trial++) {
			seed = seed * 1103515245 + 12345;
			n = 1 + (seed >> 16) % 7;
			brk = (int)((seed >> 8) % 5);	/* 0..2: a break */
			for (i = off = 0; i < n; i++) {
				seed = seed * 1103515245 + 12345;
				k = (seed >> 16) % (sizeof(pieces) /
				    sizeof(pieces[0]));
				/* the plain ones more often */
				if (k >= 6 && (seed & 0x300) != 0)
					k = (seed >> 4) % 6;
				if (brk == 1 && i == n / 2 && i > 0)
					off++;		/* a gap */
				len[i] = strlen(pieces[k]);
				memcpy(arena + off, pieces[k], len[i] + 1);
				f[i] = arena + off;
				off += len[i] + 1;
				plain[i] = strpbrk(pieces[k], ",\"\t") == NULL;
			}
			if (brk == 0)
				plain[n - 1] = 0;
			if (brk == 2 && n > 2) {
				char *t = f[0];

				f[0] = f[1];
				f[1] = t;
				k = len[0];
				len[0] = len[1];
				len[1] = k;
				k = plain[0];
				plain[0] = plain[1];
				plain[1] = (unsigned char)k;
			}
			memset(&row, 0, sizeof(row));
			row.n = n;
			row.f = f;
			row.len = len;
			row.plain = plain;
			nop = row;
			nop.plain = NULL;
			lead = (seed >> 12) % 3;
			cut = (seed >> 20) % (n + 1);
			for (i = 0; i < lead; i++) {
				wz_writer_fieldz(wf, pieces[i]);
				wz_writer_fieldz(wn, pieces[i]);
			}
			if (trial % 2 == 0) {
				wz_writer_fields(wf, &row);
				wz_writer_fields(wn, &nop);
			} else {
				/* two parts: fields [0, cut) and [cut, n) */
				for (i = 0; i < n; i++)
					g[i] = f[i];
				row.n = nop.n = cut;
				wz_writer_fields(wf, &row);
				wz_writer_fields(wn, &nop);
				row.n = nop.n = n - cut;
				row.f = nop.f = g + cut;
				row.len = nop.len = len + cut;
				row.plain = plain + cut;
				wz_writer_fields(wf, &row);
				wz_writer_fields(wn, &nop);
			}
			wz_writer_endrow(wf);
			wz_writer_endrow(wn);
		}
		same_output(wf, ofd, wn, nfd, 40000);
	}
}

/*
 * wz_writer_room(): fields written straight into the row come out as
 * wz_writer_fields() writes them, after other fields, before others, and
 * alone in a row (a lone empty field is quoted), in CSV and TSV, across the buffer's growth; none before
 * the first field of the output, nor with --excel-safe.
 */
static void
test_writer_room(void **state)
{
	static const char *const fl[] = { "621121197901210001", "张三",
	    "village_secretary", "", "x" };
	struct wz_wopts wo[3] = { { 0 }, { .tsv = 1 }, { .excel_safe = 1 } };
	struct wz_writer *wa, *wb;
	struct wz_row row;
	size_t len[5], i, k, n;
	unsigned char plain[5] = { 1, 1, 1, 1, 1 };
	char *o, sep;
	int m, fa, fb;

	(void)state;
	for (i = 0; i < 5; i++)
		len[i] = strlen(fl[i]);
	memset(&row, 0, sizeof(row));
	row.f = (char **)fl;
	row.len = len;
	row.plain = plain;
	for (m = 0; m < 3; m++) {
		wa = wz_writer_new(fa = tmpfd("", 0), "o", &wo[m]);
		wb = wz_writer_new(fb = tmpfd("", 0), "o", &wo[m]);
		assert_null(wz_writer_room(wa, 10, &sep));
		wz_writer_fieldz(wa, "h");
		wz_writer_fieldz(wb, "h");
		wz_writer_endrow(wa);
		wz_writer_endrow(wb);
		if (m == 2) {
			assert_null(wz_writer_room(wa, 10, &sep));
			goto done;
		}
		for (k = 0; k < 30000; k++) {
			if (k % 3 != 0) {
				wz_writer_fieldz(wa, "lead");
				wz_writer_fieldz(wb, "lead");
			}
			row.n = 1 + k % 5;
			for (i = n = 0; i < row.n; i++)
				n += len[i] + 1;
			o = wz_writer_room(wa, n, &sep);
			assert_non_null(o);
			assert_int_equal(sep, m == 1 ? '\t' : ',');
			for (i = 0; i < row.n; i++) {
				if (i > 0)
					*o++ = sep;
				memcpy(o, fl[i], len[i]);
				o += len[i];
			}
			wz_writer_filled(wa, o, row.n);
			wz_writer_fields(wb, &row);
			if (k % 4 == 1) {
				wz_writer_fieldz(wa, "tail");
				wz_writer_fieldz(wb, "tail");
			}
			if (k % 7 == 0) {
				/* a lone empty field: quoted by endrow */
				wz_writer_endrow(wa);
				wz_writer_endrow(wb);
				o = wz_writer_room(wa, 0, &sep);
				wz_writer_filled(wa, o, 1);
				wz_writer_field(wb, "", 0);
			}
			wz_writer_endrow(wa);
			wz_writer_endrow(wb);
		}
done:
		same_output(wa, fa, wb, fb, 0);
	}
}

/*
 * Everything a reader hands out, as text: each record's status, lines,
 * fields and plain flags, and each message.  Two readers that agree on
 * this read the file the same way.
 */
static char *
transcript(const char *s, size_t n, size_t chunk, const struct wz_ropts *ro,
    int split)
{
	struct wz_buf b = { 0 };
	struct wz_reader *r;
	const struct wz_row *row;
	int in = tmpfd(s, n), rc, guard = 0;
	size_t i;
	char num[96];

	r = wz_reader_fdopen(in, "t", ro);
	assert_non_null(r);
	wz_reader_set_chunk(r, chunk);
	wz_reader_set_split(r, split);
	rc = wz_reader_header(r, &row);
	do {
		snprintf(num, sizeof(num), "[%d", rc);
		wz_buf_add(&b, num, strlen(num));
		if (rc == WZ_ROW || rc == WZ_BAD) {
			snprintf(num, sizeof(num), " %lu+%lu #%lu b%d:",
			    row->line, row->lines, row->recno, row->blank);
			wz_buf_add(&b, num, strlen(num));
			for (i = 0; i < row->n; i++) {
				snprintf(num, sizeof(num), " %zu%c<", row->len[i],
				    row->plain == NULL ? '?' :
				    row->plain[i] ? 'p' : 's');
				wz_buf_add(&b, num, strlen(num));
				wz_buf_add(&b, row->f[i], row->len[i]);
				wz_buf_addc(&b, '>');
			}
		}
		if (rc == WZ_BAD || rc == WZ_FATAL) {
			snprintf(num, sizeof(num), " @%lu ",
			    wz_reader_errline(r));
			wz_buf_add(&b, num, strlen(num));
			wz_buf_add(&b, wz_reader_error(r),
			    strlen(wz_reader_error(r)));
		}
		wz_buf_add(&b, "]\n", 2);
		if (rc == WZ_EOF || rc == WZ_FATAL)
			break;
		rc = wz_reader_next(r, &row);
	} while (++guard < 100000);
	wz_reader_close(r);
	close(in);
	wz_buf_addc(&b, '\0');
	return b.s;
}

/*
 * The fast split against the byte-by-byte parse (libcsv for CSV, the
 * byte loop for TSV), on random files made of the pieces that matter
 * (separators, quotes and doubled quotes, escapes, CR, LF, CRLF, spaces
 * and tabs, which libcsv's default trims where they touch a field's
 * edge, multibyte text and runs longer than a 16-byte block), under
 * small reads and small limits (--max-field: 10, field2 or none;
 * --max-cols, the bytes of a record), so that records cross reads,
 * fields hit the limit and rows are rejected.  Returns how many files
 * were read differently.
 */
static size_t
split_differential(const char *const *piece, size_t npiece, int tsv,
    size_t field2)
{
	static const size_t chunks[] = { 8, 13, 31, 100, 4096, 65536 };
	struct wz_ropts ro;
	char doc[4096], *a, *b;
	size_t n, k, i, ci, differ = 0, len;
	unsigned long seed = 12345;
	const char *sep = tsv ? "\t" : ",";

	for (k = 0; k < 3000 && differ <= 3; k++) {
		n = 0;
		len = 1 + (seed >> 7) % 200;
		for (i = 0; i < len; i++) {
			const char *p;

			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			/* mostly plain lines, so that the split has work */
			p = (seed >> 33) % 4 == 0 ? piece[(seed >> 40) % npiece] :
			    (seed >> 35) % 3 == 0 ? sep : (seed >> 37) % 5 == 0 ?
			    "\n" : "xy";
			if (n + strlen(p) >= sizeof(doc))
				break;
			memcpy(doc + n, p, strlen(p));
			n += strlen(p);
		}
		memset(&ro, 0, sizeof(ro));
		ro.tsv = tsv;
		ro.max_field = k % 3 == 0 ? 10 : k % 3 == 1 ? field2 : 0;
		ro.max_cols = k % 5 == 0 ? 3 : 0;
		ro.max_row = k % 7 == 0 ? 30 : 0;
		ro.no_header = (int)(k & 1);
		ci = chunks[k % (sizeof(chunks) / sizeof(chunks[0]))];
		a = transcript(doc, n, ci, &ro, 1);
		b = transcript(doc, n, ci, &ro, 0);
		if (strcmp(a, b) != 0) {
			differ++;
			fprintf(stderr, "case %zu (chunk %zu):\n%s---\n%s\n",
			    k, ci, a, b);
		}
		free(a);
		free(b);
	}
	return differ;
}

static void
test_split_differential(void **state)
{
	static const char *const csv[] = { "a", "中文", ",", ",", "\"",
		"\"\"", "\n", "\n", "\r", "\r\n", " ", "\t", ",,",
		"abcdefghijklmnopqrstuvwxyz0123456789", "\"x,y\nz\"", "\\" };
	static const char *const tsv[] = { "a", "中文", "\t", "\t", "\"",
		",", "\n", "\n", "\r", "\r\n", " ", "\\", "\\t", "\\n", "\\\\",
		"\t\t", "abcdefghijklmnopqrstuvwxyz0123456789", "\x01" };

	/* Without quotes: long runs of lines for split_plain()'s blocks
	 * (64 bytes with AVX2), with lines over the limits among them. */
	static const char *const plain[] = { "a", "中文", ",", ",", "\n",
		"\n", "\r", "\r\n", " ", "\t", ",,", "\\", "\x01",
		"abcdefghijklmnopqrstuvwxyz0123456789" };

	(void)state;
	assert_int_equal(split_differential(csv, sizeof(csv) / sizeof(csv[0]),
	    0, 40), 0);
	assert_int_equal(split_differential(plain, sizeof(plain) /
	    sizeof(plain[0]), 0, 200), 0);
	assert_int_equal(split_differential(tsv, sizeof(tsv) / sizeof(tsv[0]),
	    1, 40), 0);
}

/*
 * Records with doubled quotes near SQ_PAIRS (64, what split_quoted()
 * notes): under it, at it and over it, over it across two fields, with a
 * pair at a field's start and at its end.  Read as libcsv reads them at
 * every chunk size, and written back as they came.
 */
static void
test_many_pairs(void **state)
{
	static const size_t pairs[][2] = { { 62, 1 }, { 63, 1 }, { 64, 1 },
		{ 40, 40 } };
	struct wz_ropts ro = { 0 };
	struct wz_buf doc = { 0 };
	unsigned long lines[8];
	size_t k, i, chunk, n;
	char *a, *b;

	(void)state;
	wz_buf_add(&doc, "a,b,c\n", 6);
	for (k = 0; k < 4; k++) {
		wz_buf_add(&doc, "x,\"\"\"", 5);
		for (i = 2; i < pairs[k][0]; i++)
			wz_buf_add(&doc, "中\"\"", 5);
		wz_buf_add(&doc, "\"\"\",\"", 5);
		for (i = 0; i < pairs[k][1]; i++)
			wz_buf_add(&doc, "y\"\"", 3);
		wz_buf_add(&doc, "\"\n", 2);
	}
	wz_buf_addc(&doc, '\0');
	for (chunk = 8; chunk <= 4096; chunk += chunk < 64 ? 1 : 509) {
		a = transcript(doc.s, doc.len - 1, chunk, &ro, 1);
		b = transcript(doc.s, doc.len - 1, chunk, &ro, 0);
		assert_string_equal(a, b);
		free(a);
		free(b);
		a = passthrough(doc.s, doc.len - 1, chunk, 0, lines, 8, &n);
		assert_string_equal(a, doc.s);
		assert_int_equal(n, 4);
		free(a);
	}
	free(doc.s);
}

/* wz_hash_mem as it was written first, with memcpy for the tail. */
static uint64_t
hash_mem_ref(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, g = 0x6a09e667f3bcc909ULL, v, w;

	for (; n >= 16; s += 16, n -= 16) {
		memcpy(&v, s, 8);
		memcpy(&w, s + 8, 8);
		h = (h ^ v) * 0xff51afd7ed558ccdULL;
		g = (g ^ w) * 0xc4ceb9fe1a85ec53ULL;
		h ^= h >> 32;
		g ^= g >> 29;
	}
	h ^= g;
	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&v, s, 8);
		h = (h ^ v) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	v = 0;
	memcpy(&v, s, n);
	h = (h ^ v) * 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 29;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 32;
	return h;
}

/* The tail read without memcpy gives the same values, at every length
 * and offset (a key is read up to its end and no further: ASan). */
static void
test_hash_mem(void **state)
{
	unsigned char buf[64];
	size_t i, off, n;

	(void)state;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 37 + 11);
	for (off = 0; off < 8; off++)
		for (n = 0; off + n <= sizeof(buf); n++) {
			unsigned char *k = wz_malloc(n + 1);

			memcpy(k, buf + off, n);
			assert_true(wz_hash_mem(k, n) == hash_mem_ref(k, n));
			free(k);
		}
}

/* wz_big_reserve: contents kept across growth, new pages zero, past the
 * 2 MiB from which a table lives in a reservation. */
static void
test_big(void **state)
{
	uint32_t *a = NULL;
	size_t cap = 0, i, n;

	(void)state;
	for (n = 1; n <= ((size_t)3 << 20); n = n * 3 + 1) {
		wz_big_reserve((void **)&a, &cap, n, sizeof(*a), 16);
		assert_true(cap >= n);
		for (i = 0; i < cap; i++)
			if (i < n / 3)
				assert_int_equal(a[i], (uint32_t)(i * 2654435761u));
			else if (a[i] != 0)
				assert_int_equal(a[i], (uint32_t)(i * 2654435761u));
		for (i = 0; i < n; i++)
			a[i] = (uint32_t)(i * 2654435761u);
	}
	wz_big_free(a, cap * sizeof(*a));
}

/*
 * wz_big_grow doubling from one page to 128 MiB: out of a small mapping
 * into a reservation (copied), along it (in place) and past its end
 * (moved to a larger one).  A mark on every page written so far must
 * survive each step, and the new pages must read zero; the table's first
 * byte and its last must be writable.  Half the steps ask for the pages
 * at once (all).
 */
static void
test_big_grow(void **state)
{
	unsigned char *p = NULL;
	size_t old = 0, n, i;

	(void)state;
	for (n = 4096; n <= ((size_t)128 << 20); n *= 2) {
		p = wz_big_grow(p, old, n, (n >> 12) % 3 == 0);
		assert_non_null(p);
		for (i = 0; i < old; i += 4096)
			assert_int_equal(p[i],
			    (unsigned char)(i / 4096 * 7 + 1));
		for (i = old; i < n; i += 4096)
			assert_int_equal(p[i], 0);
		for (i = old; i < n; i += 4096)
			p[i] = (unsigned char)(i / 4096 * 7 + 1);
		p[n - 1] = 1;
		p[n - 1] = 0;
		old = n;
	}
	/* the same size again: where it is */
	assert_ptr_equal(wz_big_grow(p, old, old, 0), p);
	wz_big_free(p, old);
}

/* wz_buf_add inline and grown: the bytes, the length and the NUL. */
static void
test_buf_add(void **state)
{
	struct wz_buf b = { 0 };
	char want[5000];
	size_t i, n = 0, k;

	(void)state;
	wz_buf_add(&b, "", 0);
	assert_int_equal(b.len, 0);
	for (i = 0; n + 64 < sizeof(want); i++) {
		char piece[64];

		k = i % 61;
		memset(piece, 'a' + (int)(i % 26), k);
		wz_buf_add(&b, piece, k);
		memcpy(want + n, piece, k);
		n += k;
		assert_int_equal(b.len, n);
		assert_int_equal(b.s[n], '\0');
		assert_true(b.cap > b.len);
	}
	assert_memory_equal(b.s, want, n);
	wz_buf_free(&b);
}

/* A message is one line written whole, however long. */
static void
test_msg_line(void **state)
{
	char big[3000], *out;
	int fd = tmpfd("", 0), saved = dup(2);

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, 2), 2);
	wz_msg("f.csv", 7, "short %d", 1);
	wz_msg(NULL, 0, "%s", big);
	errno = ENOENT;
	wz_sysmsg("g", "open");
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	out = fd_text(fd);
	close(fd);
	assert_int_equal(strlen(out), strlen(wz_progname) * 3 +
	    strlen(": f.csv:7: short 1\n") + strlen(": ") + sizeof(big) - 1 +
	    1 + strlen(": g: open: ") + strlen(strerror(ENOENT)) + 1);
	assert_non_null(strstr(out, ": f.csv:7: short 1\n"));
	assert_non_null(strstr(out, ": g: open: No such file or directory\n"));
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chunk_sweep),
		cmocka_unit_test(test_spaces_sweep),
		cmocka_unit_test(test_short_newlines),
		cmocka_unit_test(test_tsv_sweep),
		cmocka_unit_test(test_utf8_check),
		cmocka_unit_test(test_utf8_differential),
		cmocka_unit_test(test_utf8_paths),
		cmocka_unit_test(test_reader_utf8),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_norm_span),
		cmocka_unit_test(test_norm_differential),
		cmocka_unit_test(test_norm_tags_full),
		cmocka_unit_test(test_col_lookup),
		cmocka_unit_test(test_writer),
		cmocka_unit_test(test_writer_span),
		cmocka_unit_test(test_writer_room),
		cmocka_unit_test(test_plain_flags),
		cmocka_unit_test(test_span_flags),
		cmocka_unit_test(test_split_differential),
		cmocka_unit_test(test_many_pairs),
		cmocka_unit_test(test_big),
		cmocka_unit_test(test_big_grow),
		cmocka_unit_test(test_hash_mem),
		cmocka_unit_test(test_buf_add),
		cmocka_unit_test(test_msg_line),
	};

	return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
