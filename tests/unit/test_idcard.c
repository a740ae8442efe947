/* Unit tests of citizen ID numbers (wz_idcard): check digit, 15-digit
 * upgrade, birth date, the forms Excel leaves, and the keyed mask. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "wz_idcard.h"

static wz_day latest;

static void
ok(const char *s, const char *want)
{
	struct wz_idcard id;
	char why[160];

	if (wz_idcard_parse(s, strlen(s), latest, &id, why, sizeof(why)) !=
	    WZ_ID_OK)
		fail_msg("'%s' refused: %s", s, why);
	if (strcmp(id.num, want) != 0)
		fail_msg("'%s' read as %s, want %s", s, id.num, want);
}

static void
bad(const char *s, const char *want_why)
{
	struct wz_idcard id;
	char why[160];

	if (wz_idcard_parse(s, strlen(s), latest, &id, why, sizeof(why)) !=
	    WZ_ID_BAD)
		fail_msg("'%s' accepted, want refused", s);
	if (strstr(why, want_why) == NULL)
		fail_msg("'%s': reason '%s' lacks '%s'", s, why, want_why);
}

static void
test_check_digit(void **state)
{
	(void)state;
	assert_int_equal(wz_idcard_check_digit("11010519491231002"), 'X');
	assert_int_equal(wz_idcard_check_digit("62112119790121000"), '1');
	assert_int_equal(wz_idcard_check_digit("62112119850315123"), '1');
	assert_int_equal(wz_idcard_check_digit("62112119750610202"), '7');
	assert_true(wz_idcard_province(62));
	assert_true(wz_idcard_province(11));
	assert_true(wz_idcard_province(82));
	assert_false(wz_idcard_province(10));
	assert_false(wz_idcard_province(66));
	assert_false(wz_idcard_province(99));
}

static void
test_valid(void **state)
{
	struct wz_idcard id;

	(void)state;
	ok("11010519491231002X", "11010519491231002X");
	ok("11010519491231002x", "11010519491231002X");
	ok(" 621121197901210001 ", "621121197901210001");
	ok("621121 19790121 0001", "621121197901210001");
	ok("'621121197901210001", "621121197901210001");
	ok("６２１１２１１９７９０１２１０００１", "621121197901210001");
	ok("\xe3\x80\x80" "621121198503151231", "621121198503151231");
	assert_int_equal(wz_idcard_parse("621121198503151231", 18, latest, &id,
	    NULL, 0), WZ_ID_OK);
	assert_int_equal(id.male, 1);		/* 123: odd */
	assert_int_equal(id.upgraded, 0);
	assert_int_equal(id.birth, wz_date_days(1985, 3, 15));
	assert_int_equal(wz_idcard_parse("621121197506102027", 18, latest, &id,
	    NULL, 0), WZ_ID_OK);
	assert_int_equal(id.male, 0);		/* 202: even */
	assert_int_equal(wz_idcard_parse("", 0, latest, &id, NULL, 0),
	    WZ_ID_EMPTY);
	assert_int_equal(wz_idcard_parse("   ", 3, latest, &id, NULL, 0),
	    WZ_ID_EMPTY);
}

static void
test_fifteen(void **state)
{
	struct wz_idcard id;

	(void)state;
	ok("621121790121001", "62112119790121001X");
	assert_int_equal(wz_idcard_parse("621121790121001", 15, latest, &id,
	    NULL, 0), WZ_ID_OK);
	assert_int_equal(id.upgraded, 1);
	assert_int_equal(id.male, 1);
	assert_int_equal(id.birth, wz_date_days(1979, 1, 21));
	bad("621121790230001", "birth date 19790230");
	bad("62112179012100X", "X may only be the last");
}

static void
test_refused(void **state)
{
	(void)state;
	bad("621121197901210000", "wrong check digit: the last character is "
	    "0, the first 17 digits give 1");
	bad("11010519491231002Y", "holds 'Y'");
	bad("6211211979012100", "18 digits (or 15), this one 16");
	bad("6211211979012100011", "this one 19");
	bad("6.21121E+17", "Excel turned it into a number");
	bad("621121197913210001", "birth date 19791321");
	bad("621121197902300001", "does not exist");
	bad("101121197901210001", "no province has the code 10");
	bad("62112118990101000X", "before 1900");
	bad("621121203001010001", "in the future");
	bad("62112119790121X001", "X may only be the last");
	bad("身份证", "holds '身'");
}

/*
 * The quick reading of an 18-character cell against the general one (the
 * same cell after a space, which the quick one never takes): the same
 * verdict, reason and reading for valid numbers and for numbers wrong in
 * each way, around leap days, the ends of months and years, 1900 and
 * the latest day, with x and X, and with a byte not a digit anywhere.
 */
static void
test_quick_differential(void **state)
{
	static const char *const prov[] = { "62", "11", "82", "10", "66",
	    "99", "00" };
	static const char odd[] = ":/a\x80 .X\x00";
	static const int years[] = { 1899, 1900, 1901, 1904, 1970, 1999,
	    2000, 2004, 2023, 2024, 2025, 2026, 2100, 9999, 0 };
	struct wz_idcard a, b;
	char cell[20], spaced[21], wa[160], wb[160];
	unsigned seed = 11;
	int t, i, y, m, d, ra, rb, nok = 0;
	wz_day last = wz_date_days(2025, 6, 30);

	(void)state;
	for (t = 0; t < 200000; t++) {
		seed = seed * 1103515245 + 12345;
		y = years[(seed >> 16) % (sizeof(years) / sizeof(years[0]))];
		if ((seed & 7) == 0)
			y = 1900 + (int)((seed >> 4) % 200);
		seed = seed * 1103515245 + 12345;
		m = (int)((seed >> 16) % 14);
		d = (seed & 3) ? (int)((seed >> 8) % 33) :
		    28 + (int)((seed >> 8) % 4);
		if ((seed & 0x30) == 0)
			m = 2;
		memcpy(cell, prov[(seed >> 24) % 7 < 4 ? 0 : (seed >> 24) % 7],
		    2);
		snprintf(cell + 2, sizeof(cell) - 2, "%04u%04d%02d%02d%03u",
		    (seed >> 3) % 10000, y, m, d, (seed >> 13) % 1000);
		if (y == 2025 && (t & 1)) {
			/* the latest day and the days around it */
			snprintf(cell + 6, sizeof(cell) - 6, "202506%02d%03u",
			    29 + t % 3, (seed >> 13) % 1000);
		}
		cell[17] = wz_idcard_check_digit(cell);
		seed = seed * 1103515245 + 12345;
		if ((seed & 15) == 0)
			cell[17] = (char)('0' + (seed >> 8) % 10);
		else if (cell[17] == 'X' && (seed & 16))
			cell[17] = 'x';
		if ((seed & 0x1e0) == 0)
			cell[(seed >> 12) % 18] = odd[(seed >> 20) %
			    (sizeof(odd) - 1)];
		cell[18] = '\0';
		spaced[0] = ' ';
		memcpy(spaced + 1, cell, 18);
		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		ra = wz_idcard_parse(cell, 18, last, &a, wa, sizeof(wa));
		rb = wz_idcard_parse(spaced, 19, last, &b, wb, sizeof(wb));
		/* the Excel message quotes the cell as it is, space too */
		if (ra != rb || (strcmp(wa, wb) != 0 && (strstr(wa, "Excel") ==
		    NULL || strstr(wb, "Excel") == NULL)))
			fail_msg("'%.18s': %d '%s', spaced %d '%s'", cell, ra,
			    wa, rb, wb);
		if (ra != WZ_ID_OK)
			continue;
		nok++;
		for (i = 0; i < 19; i++)
			assert_int_equal(a.num[i], b.num[i]);
		assert_int_equal(a.birth, b.birth);
		assert_int_equal(a.male, b.male);
		assert_int_equal(a.upgraded, b.upgraded);
	}
	assert_true(nok > 20000);
}

static void
test_mask(void **state)
{
	static const char key[] = "0123456789abcdef-test-key";
	struct wz_idmask *m, *m2, *m3;
	char a[WZ_IDMASK_HEXLEN + 1], b[WZ_IDMASK_HEXLEN + 1],
	    c[WZ_IDMASK_HEXLEN + 1], path[] = "/tmp/wz-idmask-XXXXXX";
	int fd;

	(void)state;
	assert_null(wz_idmask_new("short", 5));
	m = wz_idmask_new(key, strlen(key));
	assert_non_null(m);
	wz_idmask_hex(m, "621121197901210001", 18, a);
	assert_int_equal(strlen(a), WZ_IDMASK_HEXLEN);
	/* HMAC-SHA256(key, msg), first 8 bytes, from openssl dgst -hmac */
	assert_string_equal(a, "539d89735fdf7070");
	wz_idmask_hex(m, "621121197901210001", 18, b);
	assert_string_equal(a, b);	/* stable: the context is reused */
	wz_idmask_hex(m, "621121198503151231", 18, c);
	assert_string_not_equal(a, c);
	/* the same key from a file, with a trailing newline */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, key, strlen(key)), (ssize_t)strlen(key));
	assert_int_equal(write(fd, "\n", 1), 1);
	close(fd);
	m2 = wz_idmask_load(path);
	assert_non_null(m2);
	wz_idmask_hex(m2, "621121197901210001", 18, b);
	assert_string_equal(a, b);
	/* another key, another mask */
	m3 = wz_idmask_new("fedcba9876543210-test-key", 25);
	wz_idmask_hex(m3, "621121197901210001", 18, c);
	assert_string_not_equal(a, c);
	unlink(path);
	assert_null(wz_idmask_load(path));
	wz_idmask_free(m);
	wz_idmask_free(m2);
	wz_idmask_free(m3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_digit),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_fifteen),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_quick_differential),
		cmocka_unit_test(test_mask),
	};

	latest = wz_date_days(2024, 6, 30);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
