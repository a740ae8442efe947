/* Unit tests of the date module (wz_date): day numbers, arithmetic,
 * Excel serials in both systems, and the forms people type. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "wz_date.h"

static const char *
iso(wz_day d)
{
	static char buf[4][WZ_DATE_ISOLEN + 1];
	static int k;

	k = (k + 1) % 4;
	wz_date_iso(d, buf[k]);
	return buf[k];
}

/* s parses (with flags) to the ISO date want. */
static void
ok(const char *s, unsigned flags, const char *want)
{
	char why[128];
	wz_day d = 12345;
	int rc;

	rc = wz_date_parse(s, strlen(s), flags, WZ_DAY_NONE, WZ_DAY_NONE, &d,
	    NULL, why, sizeof(why));
	if (rc != WZ_DATE_OK)
		fail_msg("'%s' refused (%s), want %s", s, why, want);
	if (strcmp(iso(d), want) != 0)
		fail_msg("'%s' read as %s, want %s", s, iso(d), want);
}

/* s is refused, and the reason holds want_why. */
static void
bad(const char *s, unsigned flags, const char *want_why)
{
	char why[128];
	wz_day d = 12345;
	int rc;

	rc = wz_date_parse(s, strlen(s), flags, WZ_DAY_NONE, WZ_DAY_NONE, &d,
	    NULL, why, sizeof(why));
	if (rc != WZ_DATE_BAD)
		fail_msg("'%s' gave %d (%s), want refused", s, rc, iso(d));
	if (strstr(why, want_why) == NULL)
		fail_msg("'%s': reason '%s' lacks '%s'", s, why, want_why);
	assert_int_equal(d, 12345);
}

static void
test_days(void **state)
{
	int y, m, d;
	wz_day x;

	(void)state;
	assert_int_equal(wz_date_days(1970, 1, 1), 0);
	assert_int_equal(wz_date_days(1969, 12, 31), -1);
	assert_int_equal(wz_date_days(2000, 3, 1), 11017);
	assert_int_equal(wz_date_days(2017, 3, 1), 17226);
	/* every day of 1..9999 round-trips, in order */
	for (x = wz_date_days(1, 1, 1); x <= wz_date_days(9999, 12, 31);
	    x += 17) {
		wz_date_ymd(x, &y, &m, &d);
		assert_true(wz_date_valid(y, m, d));
		assert_int_equal(wz_date_days(y, m, d), x);
	}
	assert_true(wz_date_leap(2000));
	assert_false(wz_date_leap(1900));
	assert_true(wz_date_leap(2016));
	assert_false(wz_date_leap(2017));
	assert_int_equal(wz_date_mdays(2016, 2), 29);
	assert_int_equal(wz_date_mdays(2017, 2), 28);
	assert_int_equal(wz_date_mdays(2017, 13), 0);
	assert_false(wz_date_valid(2017, 2, 29));
	assert_false(wz_date_valid(0, 1, 1));
	assert_false(wz_date_valid(10000, 1, 1));
	assert_true(wz_date_cmp(WZ_DAY_NONE, 0) < 0);
	assert_int_equal(wz_date_cmp(5, 5), 0);
	assert_true(wz_date_cmp(6, 5) > 0);
}

static void
test_iso_and_arith(void **state)
{
	char buf[WZ_DATE_ISOLEN + 1];
	wz_day jan31 = wz_date_days(2017, 1, 31);

	(void)state;
	assert_int_equal(wz_date_iso(wz_date_days(7, 8, 9), buf), 10);
	assert_string_equal(buf, "0007-08-09");
	assert_int_equal(wz_date_iso(WZ_DAY_NONE, buf), 0);
	assert_string_equal(buf, "");
	assert_string_equal(iso(wz_date_add_months(jan31, 1)), "2017-02-28");
	assert_string_equal(iso(wz_date_add_months(jan31, 13)), "2018-02-28");
	assert_string_equal(iso(wz_date_add_months(wz_date_days(2016, 1, 31),
	    1)), "2016-02-29");
	assert_string_equal(iso(wz_date_add_months(jan31, -2)), "2016-11-30");
	assert_string_equal(iso(wz_date_add_months(jan31, 12)), "2018-01-31");
	assert_string_equal(iso(wz_date_add_days(jan31, 29)), "2017-03-01");
	assert_string_equal(iso(wz_date_add_days(jan31, -31)), "2016-12-31");
	assert_int_equal(wz_date_add_days(WZ_DAY_NONE, 1), WZ_DAY_NONE);
	assert_int_equal(wz_date_add_months(wz_date_days(9999, 12, 1), 1),
	    WZ_DAY_NONE);
	assert_int_equal(wz_date_add_days(wz_date_days(1, 1, 1), -1),
	    WZ_DAY_NONE);
	assert_string_equal(iso(wz_date_month_start(jan31)), "2017-01-01");
	assert_string_equal(iso(wz_date_month_end(wz_date_days(2016, 2, 3))),
	    "2016-02-29");
}

static void
test_excel(void **state)
{
	wz_day d;

	(void)state;
	assert_int_equal(wz_date_from_excel(42795, WZ_EXCEL_1900, &d), 0);
	assert_string_equal(iso(d), "2017-03-01");
	assert_int_equal(wz_date_from_excel(43831.75, WZ_EXCEL_1900, &d), 0);
	assert_string_equal(iso(d), "2020-01-01");
	/* the days around Lotus's 1900-02-29 */
	assert_int_equal(wz_date_from_excel(1, WZ_EXCEL_1900, &d), 0);
	assert_string_equal(iso(d), "1900-01-01");
	assert_int_equal(wz_date_from_excel(59, WZ_EXCEL_1900, &d), 0);
	assert_string_equal(iso(d), "1900-02-28");
	assert_int_equal(wz_date_from_excel(60, WZ_EXCEL_1900, &d), -1);
	assert_int_equal(wz_date_from_excel(61, WZ_EXCEL_1900, &d), 0);
	assert_string_equal(iso(d), "1900-03-01");
	assert_int_equal(wz_date_from_excel(0, WZ_EXCEL_1900, &d), -1);
	assert_int_equal(wz_date_from_excel(-1, WZ_EXCEL_1900, &d), -1);
	assert_int_equal(wz_date_from_excel(2958465, WZ_EXCEL_1900, &d), 0);
	assert_string_equal(iso(d), "9999-12-31");
	assert_int_equal(wz_date_from_excel(2958466, WZ_EXCEL_1900, &d), -1);
	/* 1904 system: 1462 days later */
	assert_int_equal(wz_date_from_excel(0, WZ_EXCEL_1904, &d), 0);
	assert_string_equal(iso(d), "1904-01-01");
	assert_int_equal(wz_date_from_excel(42795 - 1462, WZ_EXCEL_1904, &d),
	    0);
	assert_string_equal(iso(d), "2017-03-01");
	/* and back */
	assert_int_equal(wz_date_to_excel(wz_date_days(2017, 3, 1),
	    WZ_EXCEL_1900), 42795);
	assert_int_equal(wz_date_to_excel(wz_date_days(1900, 2, 28),
	    WZ_EXCEL_1900), 59);
	assert_int_equal(wz_date_to_excel(wz_date_days(1900, 3, 1),
	    WZ_EXCEL_1900), 61);
	assert_int_equal(wz_date_to_excel(wz_date_days(1899, 12, 31),
	    WZ_EXCEL_1900), -1);
	assert_int_equal(wz_date_to_excel(wz_date_days(2017, 3, 1),
	    WZ_EXCEL_1904), 42795 - 1462);
	assert_int_equal(wz_date_to_excel(WZ_DAY_NONE, WZ_EXCEL_1900), -1);
}

static void
test_forms(void **state)
{
	(void)state;
	ok("2017-03-01", 0, "2017-03-01");
	ok("2017/3/1", 0, "2017-03-01");
	ok("2017.3.1", 0, "2017-03-01");
	ok("2017.03.01.", 0, "2017-03-01");
	ok("2017年3月1日", 0, "2017-03-01");
	ok("2017年03月01号", 0, "2017-03-01");
	ok("20170301", 0, "2017-03-01");
	ok("2017-03-01 08:30:00", 0, "2017-03-01");
	ok("2017/3/1 0:00", 0, "2017-03-01");
	ok("2017-03-01T08:30", 0, "2017-03-01");
	ok("  2017-03-01\t", 0, "2017-03-01");
	ok("\xe3\x80\x80" "2017.3.1" "\xe3\x80\x80", 0, "2017-03-01");
	ok("２０１７．３．１", 0, "2017-03-01");
	ok("２０１７年３月", 0, "2017-03-01");
	ok("二〇一七年三月一日", 0, "2017-03-01");
	ok("二零一七年十二月三十一日", 0, "2017-12-31");
	ok("二〇一七年十月二十日", 0, "2017-10-20");
	ok("2016-02-29", 0, "2016-02-29");
	/* a month alone: its first day, or its last with WZ_DATE_END */
	ok("2017.03", 0, "2017-03-01");
	ok("2017.3", 0, "2017-03-01");
	ok("2017.03.", 0, "2017-03-01");
	ok("2017-03", 0, "2017-03-01");
	ok("2017/3", 0, "2017-03-01");
	ok("2017年3月", 0, "2017-03-01");
	ok("201703", 0, "2017-03-01");
	ok("2017.03", WZ_DATE_END, "2017-03-31");
	ok("2016年2月", WZ_DATE_END, "2016-02-29");
	ok("201702", WZ_DATE_END, "2017-02-28");
	ok("2017-03-05", WZ_DATE_END, "2017-03-05");
	/* a year alone */
	ok("2017", 0, "2017-01-01");
	ok("2017年", 0, "2017-01-01");
	ok("2017", WZ_DATE_END, "2017-12-31");
	/* Excel serials */
	ok("42795", 0, "2017-03-01");
	ok("42795.0", 0, "2017-03-01");
	ok("42795.625", 0, "2017-03-01");
	ok("41333", WZ_DATE_1904, "2017-03-01");
	ok("59", 0, "1900-02-28");
}

static void
test_refused(void **state)
{
	(void)state;
	bad("2017.13", 0, "month 13 does not exist");
	bad("2017年13月", 0, "month 13 does not exist");
	bad("201713", 0, "month 13");
	bad("2017-02-29", 0, "2017-02 has no day 29");
	bad("2017-04-31", 0, "no day 31");
	bad("20170230", 0, "no day 30");
	bad("2017.0", 0, "month 0");
	bad("17.03", 0, "two-digit year");
	bad("17-3-1", 0, "two-digit year");
	bad("abc", 0, "not a date");
	bad("去年", 0, "not a date");
	bad("2017年初", 0, "not a date");
	bad("2017-03/01", 0, "not a date");
	bad("2017-03-01-", 0, "not a date");
	bad("1234567", 0, "not a date");
	bad("42795", WZ_DATE_NOSERIAL, "not a date");
	bad("60", 0, "1900-02-29");
	bad("0", 0, "out of range");
	bad("2017..03", 0, "not a date");
	bad("2017 . 03", 0, "not a date");
	bad("2017-03-01 abc", 0, "not a date");
	bad("\xff\xfe", 0, "not a date");
	bad("二〇一七年十三月", 0, "month 13");
	bad("2017年3月1日1日", 0, "not a date");
}

static void
test_open_empty_bounds(void **state)
{
	char why[128];
	wz_day d = 7, lo = wz_date_days(1949, 10, 1),
	    hi = wz_date_days(2099, 12, 31);
	enum wz_date_prec p;

	(void)state;
	assert_int_equal(wz_date_parse("", 0, 0, lo, hi, &d, NULL, why,
	    sizeof(why)), WZ_DATE_EMPTY);
	assert_int_equal(wz_date_parse("  ", 2, 0, lo, hi, &d, NULL, NULL, 0),
	    WZ_DATE_EMPTY);
	assert_int_equal(wz_date_parse("-", 1, 0, lo, hi, &d, NULL, NULL, 0),
	    WZ_DATE_EMPTY);
	assert_int_equal(wz_date_parse("无", strlen("无"), 0, lo, hi, &d, NULL,
	    NULL, 0), WZ_DATE_EMPTY);
	assert_int_equal(wz_date_parse("至今", strlen("至今"), 0, lo, hi, &d,
	    NULL, NULL, 0), WZ_DATE_OPEN);
	assert_int_equal(wz_date_parse(" 今 ", strlen(" 今 "), 0, lo, hi, &d,
	    NULL, NULL, 0), WZ_DATE_OPEN);
	assert_int_equal(wz_date_parse("现任", strlen("现任"), 0, lo, hi, &d,
	    NULL, NULL, 0), WZ_DATE_OPEN);
	assert_int_equal(d, 7);
	assert_int_equal(wz_date_parse("1949.09", 7, 0, lo, hi, &d, NULL, why,
	    sizeof(why)), WZ_DATE_BAD);
	assert_string_equal(why, "before 1949-10-01, the earliest date "
	    "accepted");
	assert_int_equal(wz_date_parse("2100", 4, 0, lo, hi, &d, NULL, why,
	    sizeof(why)), WZ_DATE_BAD);
	assert_string_equal(why, "after 2099-12-31, the latest date accepted");
	/* a serial that lands before the bound: 12 is 1900-01-12 */
	assert_int_equal(wz_date_parse("12", 2, 0, lo, hi, &d, NULL, why,
	    sizeof(why)), WZ_DATE_BAD);
	assert_int_equal(wz_date_parse("1949.10", 7, 0, lo, hi, &d, &p, why,
	    sizeof(why)), WZ_DATE_OK);
	assert_int_equal(p, WZ_PREC_MONTH);
	assert_int_equal(wz_date_parse("2017", 4, 0, lo, hi, &d, &p, NULL, 0),
	    WZ_DATE_OK);
	assert_int_equal(p, WZ_PREC_YEAR);
	assert_int_equal(wz_date_parse("2017-1-2", 8, 0, lo, hi, &d, &p, NULL,
	    0), WZ_DATE_OK);
	assert_int_equal(p, WZ_PREC_DAY);
	/* not NUL-terminated: only n bytes are read */
	assert_int_equal(wz_date_parse("2017.03.15", 7, WZ_DATE_END, lo, hi,
	    &d, NULL, NULL, 0), WZ_DATE_OK);
	assert_string_equal(iso(d), "2017-03-31");
}

static void
period(const char *s, const char *from, const char *to)
{
	char why[128];
	wz_day a = 1, b = 1;

	if (wz_date_parse_period(s, strlen(s), 0, WZ_DAY_NONE, WZ_DAY_NONE,
	    &a, &b, why, sizeof(why)) != WZ_DATE_OK)
		fail_msg("period '%s' refused: %s", s, why);
	if (strcmp(iso(a), from) != 0 || strcmp(iso(b), to) != 0)
		fail_msg("period '%s' read as %s..%s, want %s..%s", s, iso(a),
		    iso(b), from, to);
}

static void
test_period(void **state)
{
	char why[128];
	wz_day a, b;

	(void)state;
	period("2018.03-2019.03", "2018-03-01", "2019-03-31");
	period("2018.3—2019.2", "2018-03-01", "2019-02-28");
	period("2018年3月至2019年2月", "2018-03-01", "2019-02-28");
	period("2018年3月至今", "2018-03-01", "");
	period("2018.03-", "2018-03-01", "");
	period("2018-03-01-2019-02-15", "2018-03-01", "2019-02-15");
	period("2018-03-01~2019-02-15", "2018-03-01", "2019-02-15");
	period("2018-03-01 ～ 2019-02-15", "2018-03-01", "2019-02-15");
	period("2018.03", "2018-03-01", "");
	assert_int_equal(wz_date_parse_period("", 0, 0, WZ_DAY_NONE,
	    WZ_DAY_NONE, &a, &b, why, sizeof(why)), WZ_DATE_EMPTY);
	assert_int_equal(wz_date_parse_period("2019.03-2018.03", 15, 0,
	    WZ_DAY_NONE, WZ_DAY_NONE, &a, &b, why, sizeof(why)), WZ_DATE_BAD);
	assert_string_equal(why, "the period ends before it starts");
	assert_int_equal(wz_date_parse_period("2018.13-2019.03", 15, 0,
	    WZ_DAY_NONE, WZ_DAY_NONE, &a, &b, why, sizeof(why)), WZ_DATE_BAD);
	assert_int_equal(wz_date_parse_period("三年", strlen("三年"), 0,
	    WZ_DAY_NONE, WZ_DAY_NONE, &a, &b, why, sizeof(why)), WZ_DATE_BAD);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days),
		cmocka_unit_test(test_iso_and_arith),
		cmocka_unit_test(test_excel),
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_open_empty_bounds),
		cmocka_unit_test(test_period),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
