/*
 * libFuzzer target: the date parser and calendar of lib/wz_date.h.  The
 * first byte picks the flags (END, NOSERIAL, 1904) and whether bounds are
 * given; the rest is the cell.
 *
 * Properties beyond "no crash": a parsed date lies in years 1..9999 and
 * within the bounds; its ISO form parses back to the same day at day
 * precision, and y-m-d round-trips through wz_date_days/wz_date_ymd; a
 * month or year read with WZ_DATE_END is not before the same cell read
 * without it; a period's days lie in range and it does not end before
 * it starts; day arithmetic is inverse.
 */
#include "fuzz.h"

#include "wz_base.h"
#include "wz_date.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	wz_setprogname("fuzz_date");
	fuzz_quiet();
	return 0;
}

static void
check_day(wz_day d, wz_day min, wz_day max)
{
	char iso[WZ_DATE_ISOLEN + 1], why[128];
	enum wz_date_prec prec;
	wz_day back;
	int y, m, dd;

	if (d == WZ_DAY_NONE)
		abort();
	if (min != WZ_DAY_NONE && d < min)
		abort();
	if (max != WZ_DAY_NONE && d > max)
		abort();
	wz_date_ymd(d, &y, &m, &dd);
	if (!wz_date_valid(y, m, dd) || wz_date_days(y, m, dd) != d)
		abort();
	if (wz_date_iso(d, iso) != WZ_DATE_ISOLEN)
		abort();
	if (wz_date_parse(iso, WZ_DATE_ISOLEN, 0, WZ_DAY_NONE, WZ_DAY_NONE,
	    &back, &prec, why, sizeof(why)) != WZ_DATE_OK || back != d ||
	    prec != WZ_PREC_DAY)
		abort();
	/* Arithmetic: n days on and back, a month on stays in range. */
	back = wz_date_add_days(d, 400);
	if (back != WZ_DAY_NONE && wz_date_add_days(back, -400) != d)
		abort();
	back = wz_date_add_months(d, 13);
	if (back != WZ_DAY_NONE && back <= d)
		abort();
	if (wz_date_month_start(d) > d || wz_date_month_end(d) < d)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s;
	char why[128];
	unsigned flags;
	wz_day d, d2, from, to, min = WZ_DAY_NONE, max = WZ_DAY_NONE;
	enum wz_date_prec prec;
	long serial;
	int rc;

	if (size < 1)
		return 0;
	flags = data[0] & (WZ_DATE_NOSERIAL | WZ_DATE_1904);
	if (data[0] & 0x10) {
		min = wz_date_days(1990, 1, 1);
		max = wz_date_days(2030, 12, 31);
	}
	s = (const char *)data + 1;
	size--;

	rc = wz_date_parse(s, size, flags, min, max, &d, &prec, why,
	    sizeof(why));
	if (rc == WZ_DATE_BAD && (why[0] == '\0' || memchr(why, '\0',
	    sizeof(why)) == NULL))
		abort();
	if (rc == WZ_DATE_OK) {
		check_day(d, min, max);
		rc = wz_date_parse(s, size, flags | WZ_DATE_END, min, max, &d2,
		    NULL, why, sizeof(why));
		/* The end of a month may fall past max when its start
		 * does not; otherwise it must read. */
		if (rc == WZ_DATE_OK && (d2 < d ||
		    (prec == WZ_PREC_DAY && d2 != d)))
			abort();
		/* Excel serials round-trip where the system has them. */
		serial = wz_date_to_excel(d, (data[0] & WZ_DATE_1904) ?
		    WZ_EXCEL_1904 : WZ_EXCEL_1900);
		if (serial >= 0 && (wz_date_from_excel((double)serial,
		    (data[0] & WZ_DATE_1904) ? WZ_EXCEL_1904 : WZ_EXCEL_1900,
		    &d2) != 0 || d2 != d))
			abort();
	}
	rc = wz_date_parse_period(s, size, flags, min, max, &from, &to, why,
	    sizeof(why));
	if (rc == WZ_DATE_OK) {
		check_day(from, min, max);
		if (to != WZ_DAY_NONE) {
			check_day(to, min, max);
			/* Refused: "the period ends before it starts". */
			if (to < from)
				abort();
		}
	}
	return 0;
}
