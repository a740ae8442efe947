/*
 * wz_date.c - see wz_date.h.
 *
 * Day numbers use Howard Hinnant's days_from_civil and civil_from_days
 * (public domain), which are exact over the whole proleptic Gregorian
 * calendar with integer arithmetic only.
 *
 * The parser first turns the cell into a short list of tokens (numbers,
 * with their digit count, and separators), so the forms of wz_date.h are
 * a few checks on the token list rather than a regex per form.  It reads
 * UTF-8 itself: the base layer does not depend on the text layer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "wz_base.h"
#include "wz_date.h"

int
wz_date_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
wz_date_mdays(int y, int m)
{
	static const int md[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m < 1 || m > 12)
		return 0;
	return m == 2 && wz_date_leap(y) ? 29 : md[m - 1];
}

int
wz_date_valid(int y, int m, int d)
{
	return y >= WZ_DATE_MINYEAR && y <= WZ_DATE_MAXYEAR && m >= 1 &&
	    m <= 12 && d >= 1 && d <= wz_date_mdays(y, m);
}

wz_day
wz_date_days(int y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (wz_day)(era * 146097 + doe - 719468);
}

void
wz_date_ymd(wz_day day, int *y, int *m, int *d)
{
	long z = (long)day + 719468, era, doe, yoe, doy, mp;
	int mm;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	mm = (int)(mp < 10 ? mp + 3 : mp - 9);
	if (y != NULL)
		*y = (int)(yoe + era * 400 + (mm <= 2));
	if (m != NULL)
		*m = mm;
	if (d != NULL)
		*d = (int)(doy - (153 * mp + 2) / 5 + 1);
}

int
wz_date_cmp(wz_day a, wz_day b)
{
	return a < b ? -1 : a > b;
}

static wz_day first_day, last_day;	/* 0001-01-01, 9999-12-31 */

static void
limits(void)
{
	if (first_day == 0) {
		first_day = wz_date_days(WZ_DATE_MINYEAR, 1, 1);
		last_day = wz_date_days(WZ_DATE_MAXYEAR, 12, 31);
	}
}

static int
in_years(long day)
{
	limits();
	return day >= first_day && day <= last_day;
}

wz_day
wz_date_add_days(wz_day day, long n)
{
	long r;

	if (day == WZ_DAY_NONE || n > 4000000 || n < -4000000)
		return WZ_DAY_NONE;
	r = (long)day + n;
	return in_years(r) ? (wz_day)r : WZ_DAY_NONE;
}

wz_day
wz_date_add_months(wz_day day, long n)
{
	int y, m, d, md;
	long mi;

	if (day == WZ_DAY_NONE || !in_years(day) || n > 200000 ||
	    n < -200000)
		return WZ_DAY_NONE;
	wz_date_ymd(day, &y, &m, &d);
	mi = (long)y * 12 + (m - 1) + n;
	if (mi < (long)WZ_DATE_MINYEAR * 12 ||
	    mi > (long)WZ_DATE_MAXYEAR * 12 + 11)
		return WZ_DAY_NONE;
	y = (int)(mi / 12);
	m = (int)(mi % 12) + 1;
	md = wz_date_mdays(y, m);
	return wz_date_days(y, m, d > md ? md : d);
}

wz_day
wz_date_month_start(wz_day day)
{
	int y, m;

	if (day == WZ_DAY_NONE)
		return WZ_DAY_NONE;
	wz_date_ymd(day, &y, &m, NULL);
	return wz_date_days(y, m, 1);
}

wz_day
wz_date_month_end(wz_day day)
{
	int y, m;

	if (day == WZ_DAY_NONE)
		return WZ_DAY_NONE;
	wz_date_ymd(day, &y, &m, NULL);
	return wz_date_days(y, m, wz_date_mdays(y, m));
}

size_t
wz_date_iso(wz_day day, char out[WZ_DATE_ISOLEN + 1])
{
	int y, m, d;

	out[0] = '\0';
	if (day == WZ_DAY_NONE || !in_years(day))
		return 0;
	wz_date_ymd(day, &y, &m, &d);
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
	return WZ_DATE_ISOLEN;
}

int
wz_date_from_excel(double serial, enum wz_excel sys, wz_day *out)
{
	long s, day;

	if (!(serial >= 0 && serial < 3000000))	/* also NaN */
		return -1;
	s = (long)serial;
	if (sys == WZ_EXCEL_1904)
		day = wz_date_days(1904, 1, 1) + s;
	else if (s >= 61)
		day = wz_date_days(1899, 12, 30) + s;
	else if (s >= 1 && s <= 59)
		day = wz_date_days(1899, 12, 31) + s;
	else
		return -1;	/* 0 is "1900-01-00", 60 "1900-02-29" */
	if (!in_years(day))
		return -1;
	*out = (wz_day)day;
	return 0;
}

long
wz_date_to_excel(wz_day day, enum wz_excel sys)
{
	if (day == WZ_DAY_NONE)
		return -1;
	if (sys == WZ_EXCEL_1904)
		return day >= wz_date_days(1904, 1, 1) ?
		    (long)day - wz_date_days(1904, 1, 1) : -1;
	if (day >= wz_date_days(1900, 3, 1))
		return (long)day - wz_date_days(1899, 12, 30);
	if (day >= wz_date_days(1900, 1, 1))
		return (long)day - wz_date_days(1899, 12, 31);
	return -1;
}

/* Parsing. */

enum tkind { T_NUM, T_SEP };

struct tok {
	enum tkind	kind;
	int		c;		/* T_SEP: . - / Y M D T : */
	long		v;		/* T_NUM */
	int		nd;		/* T_NUM: digits */
	int		cjk;		/* T_NUM: written in Chinese numerals */
	int		space;		/* spaces before it */
};

#define MAXTOK	24

/* Decode one UTF-8 code point; returns its length, 0 if invalid. */
static size_t
utf8_get(const unsigned char *s, size_t n, unsigned long *cp)
{
	unsigned long c;
	size_t len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (len == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	*cp = c;
	return len;
}

static int
is_space(unsigned long c)
{
	return c == ' ' || c == '\t' || c == 0x3000 || c == 0xa0;
}

/* A Chinese numeral: 0-9, 10 for 十, -1 if none. */
static int
cjk_digit(unsigned long c)
{
	switch (c) {
	case 0x3007: case 0x96f6: return 0;	/* 〇 零 */
	case 0x4e00: return 1;			/* 一 */
	case 0x4e8c: return 2;			/* 二 */
	case 0x4e09: return 3;			/* 三 */
	case 0x56db: return 4;			/* 四 */
	case 0x4e94: return 5;			/* 五 */
	case 0x516d: return 6;			/* 六 */
	case 0x4e03: return 7;			/* 七 */
	case 0x516b: return 8;			/* 八 */
	case 0x4e5d: return 9;			/* 九 */
	case 0x5341: return 10;			/* 十 */
	default: return -1;
	}
}

static int
sep_char(unsigned long c)
{
	switch (c) {
	case '.': case 0xff0e: return '.';
	case '-': case 0xff0d: return '-';
	case '/': case 0xff0f: return '/';
	case ':': case 0xff1a: return ':';
	case 'T': return 'T';
	case 0x5e74: return 'Y';		/* 年 */
	case 0x6708: return 'M';		/* 月 */
	case 0x65e5: case 0x53f7: return 'D';	/* 日 号 */
	default: return 0;
	}
}

/*
 * Read a run of Chinese numerals: digits one by one (二〇一七 = 2017) or
 * a number up to 99 with 十 (十二, 二十一, 三十).
 */
static int
cjk_number(const int *dg, int n, long *v, int *nd)
{
	int i, ten = -1;

	for (i = 0; i < n; i++)
		if (dg[i] == 10) {
			if (ten >= 0)
				return -1;
			ten = i;
		}
	if (ten < 0) {
		*v = 0;
		for (i = 0; i < n; i++)
			*v = *v * 10 + dg[i];
		*nd = n;
		return n <= 4 ? 0 : -1;
	}
	if (ten > 1 || n - ten > 2 || (ten == 1 && dg[0] == 0) ||
	    (n - ten == 2 && dg[ten + 1] == 0))
		return -1;
	*v = (ten == 1 ? dg[0] : 1) * 10 + (n - ten == 2 ? dg[ten + 1] : 0);
	*nd = 2;
	return 0;
}

/* Split s into tokens; -1 for a character no date holds. */
static int
tokenize(const unsigned char *s, size_t n, struct tok *t, int *nt)
{
	size_t i = 0, len;
	unsigned long c;
	int k = 0, space = 0, dg[8], ndg, sc;

	while (i < n) {
		if ((len = utf8_get(s + i, n - i, &c)) == 0)
			return -1;
		if (is_space(c)) {
			space = 1;
			i += len;
			continue;
		}
		if (k == MAXTOK)
			return -1;
		t[k].space = space;
		space = 0;
		t[k].cjk = 0;
		if (c >= '0' && c <= '9' && (i + 1 == n || s[i + 1] < 0x80)) {
			/* ASCII digits, the usual case, without decoding */
			t[k].kind = T_NUM;
			t[k].v = 0;
			t[k].nd = 0;
			while (i < n && s[i] >= '0' && s[i] <= '9') {
				if (t[k].nd < 12)
					t[k].v = t[k].v * 10 + (s[i] - '0');
				t[k].nd++;
				i++;
			}
			if (i == n || s[i] < 0x80) {
				k++;
				continue;
			}
			/* full-width digits follow: go on below */
			len = 0;
			goto wide;
		}
		if ((c >= '0' && c <= '9') || (c >= 0xff10 && c <= 0xff19)) {
			t[k].kind = T_NUM;
			t[k].v = 0;
			t[k].nd = 0;
wide:
			while (i < n && (len = utf8_get(s + i, n - i, &c)) > 0 &&
			    ((c >= '0' && c <= '9') ||
			    (c >= 0xff10 && c <= 0xff19))) {
				if (t[k].nd < 12)
					t[k].v = t[k].v * 10 + (long)(c >=
					    0xff10 ? c - 0xff10 : c - '0');
				t[k].nd++;
				i += len;
			}
			k++;
			continue;
		}
		if (cjk_digit(c) >= 0) {
			ndg = 0;
			while (i < n && (len = utf8_get(s + i, n - i, &c)) > 0 &&
			    cjk_digit(c) >= 0) {
				if (ndg == 8)
					return -1;
				dg[ndg++] = cjk_digit(c);
				i += len;
			}
			t[k].kind = T_NUM;
			t[k].cjk = 1;
			if (cjk_number(dg, ndg, &t[k].v, &t[k].nd) == -1)
				return -1;
			k++;
			continue;
		}
		if ((sc = sep_char(c)) == 0)
			return -1;
		t[k].kind = T_SEP;
		t[k].c = sc;
		k++;
		i += len;
	}
	*nt = k;
	return 0;
}

static int
is_sep(const struct tok *t, int c)
{
	return t->kind == T_SEP && t->c == c;
}

/* Is the whole (trimmed) cell one of the words in list? */
static int
word_in(const char *s, size_t n, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strlen(*list) == n && memcmp(s, *list, n) == 0)
			return 1;
	return 0;
}

static const char *const open_words[] = {
	"至今", "今", "现在", "目前", "在任", "在职", "现任", "今后",
	"至今在任", "now", "present", NULL
};
static const char *const empty_words[] = {
	"-", "--", "—", "——", "－", "/", "／", "无", "null", "NULL", NULL
};


static int
finish(int y, int m, int d, enum wz_date_prec p, unsigned flags,
    wz_day min, wz_day max, wz_day *out, enum wz_date_prec *prec,
    char *why, size_t whylen)
{
	char iso[WZ_DATE_ISOLEN + 1];
	wz_day day;

	if (y < WZ_DATE_MINYEAR || y > WZ_DATE_MAXYEAR) {
		wz_say(why, whylen, "year %d is out of range", y);
		return WZ_DATE_BAD;
	}
	if (m < 1 || m > 12) {
		wz_say(why, whylen, "month %d does not exist", m);
		return WZ_DATE_BAD;
	}
	if (p == WZ_PREC_DAY && (d < 1 || d > wz_date_mdays(y, m))) {
		wz_say(why, whylen, "%04d-%02d has no day %d", y, m, d);
		return WZ_DATE_BAD;
	}
	if (p == WZ_PREC_YEAR)
		day = (flags & WZ_DATE_END) ? wz_date_days(y, 12, 31) :
		    wz_date_days(y, 1, 1);
	else if (p == WZ_PREC_MONTH)
		day = wz_date_days(y, m, (flags & WZ_DATE_END) ?
		    wz_date_mdays(y, m) : 1);
	else
		day = wz_date_days(y, m, d);
	if (min != WZ_DAY_NONE && day < min) {
		wz_date_iso(min, iso);
		wz_say(why, whylen, "before %s, the earliest date accepted", iso);
		return WZ_DATE_BAD;
	}
	if (max != WZ_DAY_NONE && day > max) {
		wz_date_iso(max, iso);
		wz_say(why, whylen, "after %s, the latest date accepted", iso);
		return WZ_DATE_BAD;
	}
	*out = day;
	if (prec != NULL)
		*prec = p;
	return WZ_DATE_OK;
}

static int
serial(double v, unsigned flags, wz_day min, wz_day max, wz_day *out,
    enum wz_date_prec *prec, char *why, size_t whylen)
{
	wz_day day;
	int y, m, d;

	if (flags & WZ_DATE_NOSERIAL) {
		wz_say(why, whylen, "not a date");
		return WZ_DATE_BAD;
	}
	if (wz_date_from_excel(v, (flags & WZ_DATE_1904) ? WZ_EXCEL_1904 :
	    WZ_EXCEL_1900, &day) == -1) {
		if (!(flags & WZ_DATE_1904) && (long)v == 60)
			wz_say(why, whylen, "Excel serial 60 is 1900-02-29, a "
			    "day that did not exist");
		else
			wz_say(why, whylen, "Excel serial %.0f is out of range",
			    v);
		return WZ_DATE_BAD;
	}
	wz_date_ymd(day, &y, &m, &d);
	return finish(y, m, d, WZ_PREC_DAY, flags, min, max, out, prec, why,
	    whylen);
}

int
wz_date_parse(const char *s, size_t n, unsigned flags, wz_day min,
    wz_day max, wz_day *out, enum wz_date_prec *prec, char *why,
    size_t whylen)
{
	struct tok t[MAXTOK];
	int nt = 0, i, y, m = 1, d = 1, sep1, after_month = 0;
	long v;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	wz_trim_space(&s, &n);
	if (n == 0)
		return WZ_DATE_EMPTY;
	/* the words never start with a digit: most cells skip the lists */
	if (!(s[0] >= '0' && s[0] <= '9')) {
		if (word_in(s, n, empty_words))
			return WZ_DATE_EMPTY;
		if (word_in(s, n, open_words))
			return WZ_DATE_OPEN;
	}
	if (tokenize((const unsigned char *)s, n, t, &nt) == -1 || nt == 0 ||
	    t[0].kind != T_NUM)
		goto notdate;

	/* A plain number: serial, year, YYYYMM or YYYYMMDD. */
	if (nt == 1 && !t[0].cjk) {
		v = t[0].v;
		switch (t[0].nd) {
		case 4:
			return finish((int)v, 1, 1, WZ_PREC_YEAR, flags, min,
			    max, out, prec, why, whylen);
		case 6:
			return finish((int)(v / 100), (int)(v % 100), 1,
			    WZ_PREC_MONTH, flags, min, max, out, prec, why,
			    whylen);
		case 8:
			return finish((int)(v / 10000), (int)(v / 100 % 100),
			    (int)(v % 100), WZ_PREC_DAY, flags, min, max, out,
			    prec, why, whylen);
		case 1: case 2: case 3: case 5:
			return serial((double)v, flags, min, max, out, prec,
			    why, whylen);
		default:
			goto notdate;
		}
	}
	/* A serial with a time of day: 42795.5 (five digits: 17.03 is a
	 * two-digit year, not serial 17) */
	if (nt == 3 && !t[0].cjk && t[0].nd == 5 &&
	    is_sep(&t[1], '.') && t[2].kind == T_NUM && !t[2].cjk &&
	    !t[1].space && !t[2].space)
		return serial((double)t[0].v, flags, min, max, out, prec, why,
		    whylen);
	if (t[0].nd != 4) {
		if (t[0].nd == 2 && nt > 1 && t[1].kind == T_SEP)
			wz_say(why, whylen, "two-digit year: write the year in "
			    "full (2017.03, not 17.03)");
		else
			wz_say(why, whylen, "not a date");
		return WZ_DATE_BAD;
	}
	y = (int)t[0].v;
	i = 1;
	if (i == nt)
		return finish(y, 1, 1, WZ_PREC_YEAR, flags, min, max, out,
		    prec, why, whylen);
	if (t[i].kind != T_SEP || !strchr(".-/Y", t[i].c))
		goto notdate;
	sep1 = t[i++].c;
	if (i == nt) {
		if (sep1 == 'Y' || sep1 == '.')
			return finish(y, 1, 1, WZ_PREC_YEAR, flags, min, max,
			    out, prec, why, whylen);
		goto notdate;
	}
	if (t[i].kind != T_NUM || t[i].nd > 2 || t[i].space)
		goto notdate;
	m = (int)t[i++].v;
	if (i < nt && is_sep(&t[i], 'M')) {
		after_month = 1;
		i++;
	}
	if (i == nt || (!after_month && sep1 == '.' && i + 1 == nt &&
	    is_sep(&t[i], '.')))
		return finish(y, m, 1, WZ_PREC_MONTH, flags, min, max, out,
		    prec, why, whylen);
	if (!after_month) {
		if (t[i].kind != T_SEP || t[i].c != (sep1 == 'Y' ? '.' : sep1))
			if (!(sep1 == 'Y' && t[i].kind == T_SEP &&
			    strchr(".-/", t[i].c)))
				goto notdate;
		i++;
	}
	if (i == nt || t[i].kind != T_NUM || t[i].nd > 2 ||
	    (t[i].space && !after_month))
		goto notdate;
	d = (int)t[i++].v;
	if (i < nt && is_sep(&t[i], 'D'))
		i++;
	else if (i + 1 == nt && is_sep(&t[i], '.'))
		i++;
	if (i < nt) {
		/* A time of day: " 08:30:00" or "T08:30"; ignored. */
		if (!(is_sep(&t[i], 'T') || (t[i].kind == T_NUM &&
		    t[i].space)))
			goto notdate;
		if (is_sep(&t[i], 'T'))
			i++;
		for (; i < nt; i++)
			if (t[i].cjk || !(t[i].kind == T_NUM ||
			    is_sep(&t[i], ':') || is_sep(&t[i], '.')))
				goto notdate;
	}
	return finish(y, m, d, WZ_PREC_DAY, flags, min, max, out, prec, why,
	    whylen);
notdate:
	wz_say(why, whylen, "not a date");
	return WZ_DATE_BAD;
}

/* The byte offsets of possible joiners of a period, in order. */
static size_t
joiners(const char *s, size_t n, size_t *at, size_t *len, size_t max)
{
	static const char *const word[] = { "至", "~", "～", "——", "—", "–",
	    "--", "-", "－", "到", NULL };
	size_t i, k = 0;
	int w;

	for (i = 0; i < n && k < max; i++)
		for (w = 0; word[w] != NULL; w++) {
			size_t wl = strlen(word[w]);

			if (wl <= n - i && memcmp(s + i, word[w], wl) == 0) {
				at[k] = i;
				len[k++] = wl;
				i += wl - 1;
				break;
			}
		}
	return k;
}

int
wz_date_parse_period(const char *s, size_t n, unsigned flags, wz_day min,
    wz_day max, wz_day *from, wz_day *to, char *why, size_t whylen)
{
	size_t at[16], len[16], k, j;
	char why1[128];
	int rc, rc2;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	wz_trim_space(&s, &n);
	if (n == 0 || word_in(s, n, empty_words))
		return WZ_DATE_EMPTY;
	rc = wz_date_parse(s, n, flags & ~WZ_DATE_END, min, max, from, NULL,
	    why1, sizeof(why1));
	if (rc == WZ_DATE_OK) {
		*to = WZ_DAY_NONE;
		return WZ_DATE_OK;
	}
	k = joiners(s, n, at, len, 16);
	for (j = 0; j < k; j++) {
		rc = wz_date_parse(s, at[j], flags & ~WZ_DATE_END, min, max,
		    from, NULL, why1, sizeof(why1));
		if (rc != WZ_DATE_OK)
			continue;
		rc2 = wz_date_parse(s + at[j] + len[j], n - at[j] - len[j],
		    flags | WZ_DATE_END, min, max, to, NULL, why1,
		    sizeof(why1));
		if (rc2 == WZ_DATE_OPEN || rc2 == WZ_DATE_EMPTY) {
			*to = WZ_DAY_NONE;
			return WZ_DATE_OK;
		}
		if (rc2 == WZ_DATE_OK) {
			if (*to < *from) {
				wz_say(why, whylen, "the period ends before it "
				    "starts");
				return WZ_DATE_BAD;
			}
			return WZ_DATE_OK;
		}
	}
	if (k == 0)
		wz_say(why, whylen, "%s", why1);
	else
		wz_say(why, whylen, "not a period (two dates joined by 至, ~ "
		    "or -)");
	return WZ_DATE_BAD;
}
