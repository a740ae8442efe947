/* Unit tests of the number, percentage and money parsers (wz_num). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "wz_num.h"

static void
ok_num(int (*fn)(const char *, size_t, double *), const char *s, double want)
{
	double v = -12345;

	if (fn(s, strlen(s), &v) != 0)
		fail_msg("'%s' was refused, want %g", s, want);
	if (v != want)
		fail_msg("'%s' read as %.17g, want %.17g", s, v, want);
}

static void
bad_num(int (*fn)(const char *, size_t, double *), const char *s)
{
	double v = -12345;

	if (fn(s, strlen(s), &v) != -1)
		fail_msg("'%s' was read as %g, want refused", s, v);
	assert_true(v == -12345);
}

static void
test_plain(void **state)
{
	(void)state;
	ok_num(wz_num_parse, "98", 98);
	ok_num(wz_num_parse, " 98 ", 98);
	ok_num(wz_num_parse, "98天", 98);
	ok_num(wz_num_parse, "98 天", 98);
	ok_num(wz_num_parse, "９８", 98);
	ok_num(wz_num_parse, "-3.25", -3.25);
	ok_num(wz_num_parse, "+7", 7);
	ok_num(wz_num_parse, "1,234,567", 1234567);
	ok_num(wz_num_parse, "１，２３４", 1234);
	ok_num(wz_num_parse, "九十八天", 98);
	ok_num(wz_num_parse, "十五", 15);
	ok_num(wz_num_parse, "一百零五", 105);
	ok_num(wz_num_parse, "两千三", 2300);
	ok_num(wz_num_parse, "一千二百", 1200);
	ok_num(wz_num_parse, "二〇一八年", 2018);
	ok_num(wz_num_parse, "零", 0);
	ok_num(wz_num_parse, "约150天", 150);
	ok_num(wz_num_parse, "共计12次", 12);
	ok_num(wz_num_parse, "二十余人", 20);
	ok_num(wz_num_parse, "3.5万", 35000);
	ok_num(wz_num_parse, "0.45", 0.45);
	ok_num(wz_num_parse, "　12　", 12);
	bad_num(wz_num_parse, "");
	bad_num(wz_num_parse, "   ");
	bad_num(wz_num_parse, "abc");
	bad_num(wz_num_parse, "98天多");
	bad_num(wz_num_parse, "2018年5月");
	bad_num(wz_num_parse, "万");
	bad_num(wz_num_parse, "3,5");		/* a list, not 35 */
	bad_num(wz_num_parse, "12,34");
	bad_num(wz_num_parse, "1.2.3");
	bad_num(wz_num_parse, "1.");
	bad_num(wz_num_parse, "一般");
	bad_num(wz_num_parse, "1234567890123456789012345678901");	/* 31 digits */
	bad_num(wz_num_parse, "9999999999999999999");	/* >= 1e18 */
	/* Units fall within a section; a second 亿 is no number (fuzz). */
	bad_num(wz_num_parse, "1千2千");
	bad_num(wz_num_parse, "1亿1亿");
	bad_num(wz_num_parse, "1亿2000万1亿2000万");
	ok_num(wz_num_parse, "1万亿", 1e12);
	ok_num(wz_num_parse, "5千万", 5e7);
}

static void
test_amount(void **state)
{
	(void)state;
	ok_num(wz_num_amount, "3.5万元", 35000);
	ok_num(wz_num_amount, "1.2亿元", 120000000);
	ok_num(wz_num_amount, "1.2亿", 120000000);
	ok_num(wz_num_amount, "３５０００元", 35000);
	ok_num(wz_num_amount, "35,000元", 35000);
	ok_num(wz_num_amount, "35，000元", 35000);
	ok_num(wz_num_amount, "五万元", 50000);
	ok_num(wz_num_amount, "伍万元整", 50000);
	ok_num(wz_num_amount, "5万余元", 50000);
	ok_num(wz_num_amount, "二十多万元", 200000);
	ok_num(wz_num_amount, "3万5千元", 35000);
	ok_num(wz_num_amount, "3万5", 35000);
	ok_num(wz_num_amount, "一万五千元", 15000);
	ok_num(wz_num_amount, "一万五", 15000);
	ok_num(wz_num_amount, "一万零五元", 10005);
	ok_num(wz_num_amount, "1亿2000万元", 120000000);
	ok_num(wz_num_amount, "42000", 42000);
	ok_num(wz_num_amount, "12.5", 12.5);
	ok_num(wz_num_amount, "¥35,000", 35000);
	ok_num(wz_num_amount, "￥3.5万", 35000);
	ok_num(wz_num_amount, "人民币3.5万元", 35000);
	ok_num(wz_num_amount, "共计人民币42000元", 42000);
	ok_num(wz_num_amount, "RMB 800", 800);
	ok_num(wz_num_amount, "十万元", 100000);
	ok_num(wz_num_amount, "320万元", 3200000);
	ok_num(wz_num_amount, "8千元", 8000);
	bad_num(wz_num_amount, "万元");
	bad_num(wz_num_amount, "元");
	bad_num(wz_num_amount, "3.5万元(已追回)");
	bad_num(wz_num_amount, "若干");
	bad_num(wz_num_amount, "3万5万");
}

static void
test_percent(void **state)
{
	(void)state;
	ok_num(wz_num_percent, "45%", 45);
	ok_num(wz_num_percent, "45％", 45);
	ok_num(wz_num_percent, "45", 45);
	ok_num(wz_num_percent, "45.5%", 45.5);
	ok_num(wz_num_percent, "0.45", 45);
	ok_num(wz_num_percent, ".5", 50);
	ok_num(wz_num_percent, "1.0", 100);
	ok_num(wz_num_percent, "1", 1);
	ok_num(wz_num_percent, "0", 0);
	ok_num(wz_num_percent, "0.45%", 0.45);
	ok_num(wz_num_percent, "百分之四十五", 45);
	ok_num(wz_num_percent, "1.5", 1.5);
	bad_num(wz_num_percent, "45%%");
	bad_num(wz_num_percent, "过半");
}

static void
test_tail_kind_format(void **state)
{
	char buf[32];

	(void)state;
	assert_int_equal(wz_num_unit_tail("万元的资金", strlen("万元的资金")),
	    strlen("万元"));
	assert_int_equal(wz_num_unit_tail("余万元", strlen("余万元")),
	    strlen("余万元"));
	assert_int_equal(wz_num_unit_tail("用于", strlen("用于")), 0);
	assert_int_equal(wz_num_kind("amount"), WZ_NUM_AMOUNT);
	assert_int_equal(wz_num_kind("loss_amount"), WZ_NUM_AMOUNT);
	assert_int_equal(wz_num_kind("amounts"), WZ_NUM_PLAIN);
	assert_int_equal(wz_num_kind("distrust"), WZ_NUM_PERCENT);
	assert_int_equal(wz_num_kind("vote_pct"), WZ_NUM_PERCENT);
	assert_int_equal(wz_num_kind("days"), WZ_NUM_PLAIN);
	assert_int_equal(wz_num_kind("_pct"), WZ_NUM_PERCENT);
	assert_string_equal(wz_num_format(35000, buf, sizeof(buf)), "35000");
	assert_string_equal(wz_num_format(120000000, buf, sizeof(buf)),
	    "120000000");
	assert_string_equal(wz_num_format(0.45 * 100, buf, sizeof(buf)), "45");
	assert_string_equal(wz_num_format(12.5, buf, sizeof(buf)), "12.5");
	assert_string_equal(wz_num_format(-0.0, buf, sizeof(buf)), "0");
	/* Never an exponent, which no parser reads back (fuzz_num). */
	assert_string_equal(wz_num_format(1.200000012e16, buf, sizeof(buf)),
	    "12000000120000000");
	assert_string_equal(wz_num_format(0.00001, buf, sizeof(buf)),
	    "0.00001");
	assert_string_equal(wz_num_format(-2.5e-7, buf, sizeof(buf)),
	    "-0.00000025");
	/* and no more places than a parser reads back (fuzz_num's
	 * .0000000000000000000000000000004), in a buffer of any size */
	{
		char big[64];
		double v;

		assert_string_equal(wz_num_format(4e-31, big, sizeof(big)),
		    "0");
		assert_string_equal(wz_num_format(1e-30, big, sizeof(big)),
		    "0.000000000000000000000000000001");
		assert_int_equal(wz_num_parse(big, strlen(big), &v), 0);
		assert_true(v == 1e-30);
	}
	{
		double v;

		assert_int_equal(wz_num_value(WZ_NUM_AMOUNT, "3.5万", strlen("3.5万"), &v), 0);
		assert_true(v == 35000);
		assert_int_equal(wz_num_value(WZ_NUM_PERCENT, "0.6", 3, &v), 0);
		assert_true(v == 60);
		assert_int_equal(wz_num_value(WZ_NUM_PLAIN, "0.6", 3, &v), 0);
		assert_true(v == 0.6);
	}
}

/* wz_num_unit_tail() as it was: each word of the list, by strlen and
 * memcmp, at each place. */
static const char *const tail_words[] = {
	"万", "亿", "千", "百", "元", "块", "圆", "余", "多", NULL
};

static size_t
ref_unit_tail(const char *s, size_t n)
{
	size_t i = 0, k, l;

	while (i < n) {
		for (k = 0; tail_words[k] != NULL; k++) {
			l = strlen(tail_words[k]);
			if (n - i >= l && memcmp(s + i, tail_words[k], l) == 0)
				break;
		}
		if (tail_words[k] == NULL)
			break;
		i += l;
	}
	return i;
}

/* Every unit word alone, cut short, before and after others; every
 * three-byte sequence that starts as a unit word does. */
static void
test_unit_tail(void **state)
{
	char buf[16];
	size_t k, j, l, n;
	unsigned a, b, c;

	(void)state;
	assert_int_equal(wz_num_unit_tail("", 0), 0);
	assert_int_equal(wz_num_unit_tail("万", 0), 0);
	assert_int_equal(wz_num_unit_tail("5万", 4), 0);
	assert_int_equal(wz_num_unit_tail(" 万", 4), 0);
	assert_int_equal(wz_num_unit_tail("万元整", strlen("万元整")), 6);
	assert_int_equal(wz_num_unit_tail("多万元）", strlen("多万元）")), 9);
	assert_int_equal(wz_num_unit_tail("万亿千百元块圆余多",
	    strlen("万亿千百元块圆余多")), 27);
	/* 丈 and 入: the bytes of 万 and 元 but the last. */
	assert_int_equal(wz_num_unit_tail("丈", 3), 0);
	assert_int_equal(wz_num_unit_tail("元入", 6), 3);
	for (k = 0; tail_words[k] != NULL; k++) {
		l = strlen(tail_words[k]);
		assert_int_equal(l, 3);
		/* Alone, and cut short: n, not the NUL, ends it. */
		assert_int_equal(wz_num_unit_tail(tail_words[k], l), l);
		for (n = 0; n < l; n++)
			assert_int_equal(wz_num_unit_tail(tail_words[k], n),
			    0);
		/* Before a word that is not a unit, or after one. */
		snprintf(buf, sizeof(buf), "%s的", tail_words[k]);
		assert_int_equal(wz_num_unit_tail(buf, strlen(buf)), l);
		snprintf(buf, sizeof(buf), "的%s", tail_words[k]);
		assert_int_equal(wz_num_unit_tail(buf, strlen(buf)), 0);
		snprintf(buf, sizeof(buf), "%sa", tail_words[k]);
		assert_int_equal(wz_num_unit_tail(buf, strlen(buf)), l);
		/* Each pair, and a pair with the second cut short. */
		for (j = 0; tail_words[j] != NULL; j++) {
			snprintf(buf, sizeof(buf), "%s%s", tail_words[k],
			    tail_words[j]);
			assert_int_equal(wz_num_unit_tail(buf, 6), 6);
			for (n = 3; n < 6; n++)
				assert_int_equal(wz_num_unit_tail(buf, n), 3);
		}
	}
	/* Each three bytes led by E4 to E7 (all the words' first bytes),
	 * alone, then followed by 元 cut at each byte. */
	for (a = 0xe4; a <= 0xe7; a++)
		for (b = 0x80; b <= 0xbf; b++)
			for (c = 0; c <= 0xff; c++) {
				buf[0] = (char)a;
				buf[1] = (char)b;
				buf[2] = (char)c;
				memcpy(buf + 3, "元", 3);
				for (n = 0; n <= 6; n++)
					if (wz_num_unit_tail(buf, n) !=
					    ref_unit_tail(buf, n))
						fail_msg("%02x %02x %02x, "
						    "%zu bytes: %zu, want %zu",
						    a, b, c, n,
						    wz_num_unit_tail(buf, n),
						    ref_unit_tail(buf, n));
			}
}

/* Prefixes of valid input never crash or read past n. */
static void
test_prefixes(void **state)
{
	static const char *const s[] = {
		"共计人民币1亿2000万元整", "百分之四十五", "35,000.50元",
		"二〇一八年", "３．５万元", NULL
	};
	size_t i, k;
	double v;
	char buf[64];

	(void)state;
	for (i = 0; s[i] != NULL; i++)
		for (k = 0; k <= strlen(s[i]); k++) {
			memcpy(buf, s[i], k);
			(void)wz_num_amount(buf, k, &v);
			(void)wz_num_percent(buf, k, &v);
			(void)wz_num_parse(buf, k, &v);
		}
	ok_num(wz_num_amount, "３．５万元", 35000);
	ok_num(wz_num_amount, "35,000.50元", 35000.5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_amount),
		cmocka_unit_test(test_percent),
		cmocka_unit_test(test_tail_kind_format),
		cmocka_unit_test(test_unit_tail),
		cmocka_unit_test(test_prefixes),
	};

	return cmocka_run_group_tests_name("num", tests, NULL, NULL);
}
