/*
 * wz_date.h - calendar dates for the base layer: the forms people type
 * in spreadsheets, ISO 8601 output, comparison and arithmetic, and Excel
 * serial numbers in both of Excel's date systems.
 *
 * A date is a day number (wz_day): days since 1970-01-01 in the
 * proleptic Gregorian calendar, negative before it.  Day numbers compare
 * with < and ==, and their difference is a count of days, so programs
 * store dates as one int32_t and never compare strings.  WZ_DAY_NONE
 * stands for "no date" (an open end of a period); it is smaller than
 * every real date.  Every function here is pure and thread-safe.
 */
#ifndef WZ_DATE_H
#define WZ_DATE_H

#include <stddef.h>
#include <stdint.h>

typedef int32_t wz_day;

#define WZ_DAY_NONE	INT32_MIN
#define WZ_DATE_ISOLEN	10		/* "YYYY-MM-DD" */
#define WZ_DATE_MINYEAR	1
#define WZ_DATE_MAXYEAR	9999

/* Is y a leap year?  Days in month m of year y (0 for a bad month). */
int	 wz_date_leap(int y);
int	 wz_date_mdays(int y, int m);
/* Is y-m-d a date between 0001-01-01 and 9999-12-31? */
int	 wz_date_valid(int y, int m, int d);

/* y-m-d (valid, see wz_date_valid) to a day number, and back. */
wz_day	 wz_date_days(int y, int m, int d);
void	 wz_date_ymd(wz_day day, int *y, int *m, int *d);

/* -1, 0 or 1; WZ_DAY_NONE sorts before every date. */
int	 wz_date_cmp(wz_day a, wz_day b);

/*
 * Arithmetic.  add_months keeps the day of the month where it can and
 * otherwise takes the month's last day (2017-01-31 plus one month is
 * 2017-02-28), the way a deadline "one month from" is read.  Both return
 * WZ_DAY_NONE when the result leaves years 1..9999 or day is
 * WZ_DAY_NONE.
 */
wz_day	 wz_date_add_days(wz_day day, long n);
wz_day	 wz_date_add_months(wz_day day, long n);
/* The first and the last day of day's month. */
wz_day	 wz_date_month_start(wz_day day);
wz_day	 wz_date_month_end(wz_day day);

/*
 * "YYYY-MM-DD" and a NUL into out (WZ_DATE_ISOLEN + 1 bytes).  Returns
 * the length, 10, or 0 with out = "" for WZ_DAY_NONE or a day outside
 * years 1..9999.
 */
size_t	 wz_date_iso(wz_day day, char out[WZ_DATE_ISOLEN + 1]);

/*
 * Excel serial numbers.  In the 1900 system (Windows Excel, the default)
 * serial 1 is 1900-01-01 and serial 60 is 1900-02-29, a day that never
 * was (Lotus 1-2-3 took 1900 for a leap year and Excel kept the bug), so
 * serials from 61 on are days after 1899-12-30.  In the 1904 system
 * (old Mac Excel) serial 0 is 1904-01-01.  A fraction is a time of day
 * and is dropped.  from_excel returns 0, or -1 for serial 60 of the 1900
 * system, a serial below the system's first day, or one past 9999-12-31.
 * to_excel returns the serial, or -1 for a day before the system's
 * first day.
 */
enum wz_excel { WZ_EXCEL_1900 = 0, WZ_EXCEL_1904 = 1 };
int	 wz_date_from_excel(double serial, enum wz_excel sys, wz_day *out);
long	 wz_date_to_excel(wz_day day, enum wz_excel sys);

/*
 * Parse a date as people type it in a spreadsheet cell.  Accepted, after
 * leading and trailing spaces (ASCII and U+3000) are dropped, with ASCII
 * or full-width digits and punctuation:
 *
 *   2017-03-01  2017/3/1  2017.3.1  2017年3月1日  2017年3月1号  20170301
 *   2017-03-01 08:30:00  2017-03-01T08:30  (the time is ignored)
 *   2017.03  2017-3  2017/03  2017年3月  201703          (a month)
 *   2017  2017年                                          (a year)
 *   42795  42795.5                     (an Excel serial: 1-3 or 5 digits)
 *   二〇一七年三月一日  二零一七年十二月                    (Chinese numerals)
 *
 * A month alone means its first day, a year alone January 1; with
 * WZ_DATE_END they mean the last day (the end of a period typed as
 * 2019.12 runs to 2019-12-31).  A four-digit number is always a year, so
 * serials 1000-9999 (dates in 1902-1927) cannot be given.  Two-digit
 * years (17.03) are refused: the century would be a guess.
 *
 * Returns WZ_DATE_OK and sets *out (and *prec if not NULL);
 * WZ_DATE_EMPTY for an empty cell or a placeholder (- -- — / 无);
 * WZ_DATE_OPEN for a word that says the period has not ended (至今 今
 * 现在 目前 在任 在职 现任 今后); WZ_DATE_BAD with a reason in why
 * (whylen bytes, may be NULL) for anything else, including a date
 * outside [min, max] (WZ_DAY_NONE: no bound beyond years 1..9999).
 * s need not be NUL-terminated; invalid UTF-8 is refused, not read.
 */
#define WZ_DATE_END		0x01	/* month/year alone: its last day */
#define WZ_DATE_NOSERIAL	0x02	/* plain numbers are not serials */
#define WZ_DATE_1904		0x04	/* serials in the 1904 system */

enum wz_date_prec { WZ_PREC_DAY = 0, WZ_PREC_MONTH, WZ_PREC_YEAR };

enum {
	WZ_DATE_BAD = -1,
	WZ_DATE_OK = 0,
	WZ_DATE_EMPTY = 1,
	WZ_DATE_OPEN = 2
};

int	 wz_date_parse(const char *s, size_t n, unsigned flags, wz_day min,
	    wz_day max, wz_day *out, enum wz_date_prec *prec, char *why,
	    size_t whylen);

/*
 * A period typed in one cell: two dates joined by 至, ~, ～, —, –, -- or
 * - (2018.03-2019.03, 2018年3月至今, 2018-03-01~2019-02-28).  A hyphen is
 * taken as the joiner only where both sides then read as dates, so
 * 2018-03-01-2019-02-28 works.  The start is read as by wz_date_parse,
 * the end with WZ_DATE_END; an open end (至今, or nothing after the
 * joiner) gives *to = WZ_DAY_NONE.  A single date is a period that
 * starts then and is open.  Returns WZ_DATE_OK, WZ_DATE_EMPTY or
 * WZ_DATE_BAD (with why).
 */
int	 wz_date_parse_period(const char *s, size_t n, unsigned flags,
	    wz_day min, wz_day max, wz_day *from, wz_day *to, char *why,
	    size_t whylen);

#endif
