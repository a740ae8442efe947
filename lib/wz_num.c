/* wz_num.c - see wz_num.h. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wz_num.h"

#define MAX_DIGITS	30
#define MAX_VALUE	1e18

/* One code point at s[*i] (s valid or not: a bad byte reads as itself). */
static uint32_t
peek(const unsigned char *s, size_t n, size_t i, size_t *len)
{
	uint32_t c = s[i];

	if (c < 0x80 || i + 1 >= n) {
		*len = 1;
		return c;
	}
	if (c >= 0xc0 && c < 0xe0) {
		*len = 2;
		return ((c & 0x1f) << 6) | (s[i + 1] & 0x3f);
	}
	if (c >= 0xe0 && c < 0xf0 && i + 2 < n) {
		*len = 3;
		return ((c & 0x0f) << 12) | ((uint32_t)(s[i + 1] & 0x3f) << 6) |
		    (s[i + 2] & 0x3f);
	}
	if (c >= 0xf0 && i + 3 < n) {
		*len = 4;
		return ((c & 0x07) << 18) | ((uint32_t)(s[i + 1] & 0x3f) << 12) |
		    ((uint32_t)(s[i + 2] & 0x3f) << 6) | (s[i + 3] & 0x3f);
	}
	*len = 1;
	return c;
}

/* Full-width ASCII forms read as ASCII. */
static uint32_t
fold(uint32_t c)
{
	if (c >= 0xff01 && c <= 0xff5e)
		return c - 0xff01 + 0x21;
	if (c == 0x3000)
		return ' ';
	return c;
}

static int
is_space(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x3000;
}

/* A Chinese digit's value, or -1. */
static int
cn_digit(uint32_t c)
{
	switch (c) {
	case 0x3007: case 0x96f6:			/* 〇 零 */
		return 0;
	case 0x4e00: case 0x58f9:			/* 一 壹 */
		return 1;
	case 0x4e8c: case 0x4e24: case 0x5169: case 0x8d30: case 0x8cb3:
		return 2;				/* 二 两 兩 贰 貳 */
	case 0x4e09: case 0x53c1: case 0x53c3:		/* 三 叁 參 */
		return 3;
	case 0x56db: case 0x8086:			/* 四 肆 */
		return 4;
	case 0x4e94: case 0x4f0d:			/* 五 伍 */
		return 5;
	case 0x516d: case 0x9646: case 0x9678:		/* 六 陆 陸 */
		return 6;
	case 0x4e03: case 0x67d2:			/* 七 柒 */
		return 7;
	case 0x516b: case 0x634c:			/* 八 捌 */
		return 8;
	case 0x4e5d: case 0x7396:			/* 九 玖 */
		return 9;
	}
	return -1;
}

/* A unit's value, or 0. */
static double
cn_unit(uint32_t c)
{
	switch (c) {
	case 0x5341: case 0x62fe:			/* 十 拾 */
		return 10;
	case 0x767e: case 0x4f70:			/* 百 佰 */
		return 100;
	case 0x5343: case 0x4edf:			/* 千 仟 */
		return 1000;
	case 0x4e07: case 0x842c:			/* 万 萬 */
		return 1e4;
	case 0x4ebf: case 0x5104:			/* 亿 億 */
		return 1e8;
	}
	return 0;
}

static int
is_about(uint32_t c)
{
	return c == 0x4f59 || c == 0x591a || c == 0x9918;	/* 余 多 餘 */
}

/*
 * An arabic run at s[i..n): digits, thousands commas, one point.  Returns
 * the bytes taken (0: none) and the value in *v; *single is set when the
 * run is one digit without a point.
 */
static size_t
arabic_run(const unsigned char *s, size_t n, size_t i, double *v,
    int *single)
{
	char buf[MAX_DIGITS + 8];
	size_t start = i, len, k, nd = 0, bl = 0, after;
	int point = 0;
	uint32_t c;

	while (i < n) {
		c = fold(peek(s, n, i, &len));
		if (c >= '0' && c <= '9') {
			if (bl >= MAX_DIGITS + 2 || (!point && nd >= MAX_DIGITS))
				return 0;
			buf[bl++] = (char)c;
			nd++;
			i += len;
			continue;
		}
		if (c == '.' && !point) {
			/* A point needs a digit after it. */
			if (i + len >= n)
				break;
			c = fold(peek(s, n, i + len, &k));
			if (c < '0' || c > '9')
				break;
			point = 1;
			buf[bl++] = '.';
			i += len;
			continue;
		}
		if (c == ',' && nd > 0 && !point) {
			/* A separator has exactly three digits after it. */
			for (after = i + len, k = 0; k < 3 && after < n; k++) {
				size_t l2;

				c = fold(peek(s, n, after, &l2));
				if (c < '0' || c > '9')
					break;
				after += l2;
			}
			if (k < 3)
				break;
			if (after < n) {
				size_t l2;

				c = fold(peek(s, n, after, &l2));
				if (c >= '0' && c <= '9')
					break;
			}
			i += len;
			continue;
		}
		break;
	}
	if (nd == 0)
		return 0;
	buf[bl] = '\0';
	*v = strtod(buf, NULL);
	*single = nd == 1 && !point;
	return i - start;
}

/*
 * The number at s[i..n): arabic and Chinese digits with units.  Returns
 * the bytes taken (0: no number) and the value in *v.
 */
static size_t
number_at(const unsigned char *s, size_t n, size_t i, double *v)
{
	double yi = 0, wan = 0, section = 0, cur = 0, u, av;
	double last_unit = 0, sec_unit = 0;
	size_t start = i, len, taken, end = i, cnd = 0;
	int have_cur = 0, any = 0, single = 0, zero = 0, prev_digit = 0;
	int d, neg = 0;
	uint32_t c;

	if (i < n) {
		c = fold(peek(s, n, i, &len));
		if (c == '-' || c == '+') {
			neg = c == '-';
			i += len;
		}
	}
	while (i < n) {
		if ((taken = arabic_run(s, n, i, &av, &single)) > 0) {
			if (have_cur)
				break;
			cur = av;
			have_cur = any = 1;
			prev_digit = 0;
			i += taken;
			end = i;
			continue;
		}
		c = fold(peek(s, n, i, &len));
		if ((d = cn_digit(c)) >= 0) {
			if (prev_digit && have_cur) {
				/* A digit string: 二〇一八. */
				if (++cnd > MAX_DIGITS)
					return 0;
				cur = cur * 10 + d;
				single = 0;
			} else if (d == 0) {
				zero = 1;	/* 一百零五: a filler */
				prev_digit = !have_cur && !any;
				if (prev_digit) {
					cur = 0;
					have_cur = 1;
				}
				any = 1;
				i += len;
				end = i;
				continue;
			} else {
				if (have_cur && cur != 0)
					break;
				cur = d;
				single = 1;
				cnd = 1;
			}
			have_cur = any = prev_digit = 1;
			i += len;
			end = i;
			continue;
		}
		if ((u = cn_unit(c)) > 0) {
			double m = have_cur ? cur : 1;

			if (u >= 1e4 && !any)
				break;	/* 万 alone is no number */
			if (u < 1e4) {
				if (!have_cur && any && last_unit != 0 &&
				    last_unit <= u)
					break;
				/* Within a section units fall: 1千2千 is no
				 * number. */
				if (sec_unit != 0 && u >= sec_unit)
					break;
				section += m * u;
				sec_unit = u;
			} else if (u == 1e4) {
				if (wan != 0)
					break;
				wan = (section + (have_cur ? cur : 0)) * u;
				if (wan == 0 && !have_cur && section == 0)
					wan = u;
				section = 0;
				sec_unit = 0;
			} else {
				/* A second 亿 would multiply what was read
				 * before it: 1亿1亿 is no number. */
				if (yi != 0)
					break;
				yi = (wan + section + (have_cur ? cur : 0)) * u;
				wan = section = 0;
				sec_unit = 0;
			}
			cur = 0;
			have_cur = prev_digit = single = zero = 0;
			any = 1;
			last_unit = u;
			i += len;
			end = i;
			continue;
		}
		if (is_about(c) && any) {
			/* 二十余, 5万余: a lower bound, read as the number. */
			i += len;
			end = i;
			prev_digit = 0;
			continue;
		}
		break;
	}
	if (!any)
		return 0;
	/* 一万五, 3万5: the lone digit is of the next lower unit. */
	if (have_cur && single && !zero && last_unit >= 100)
		cur *= last_unit / 10;
	*v = yi + wan + section + (have_cur ? cur : 0);
	if (neg)
		*v = -*v;
	if (!(fabs(*v) < MAX_VALUE))
		return 0;
	return end - start;
}

/* Does s[i..n) start with the UTF-8 word w?  Returns its length or 0. */
static size_t
word_at(const unsigned char *s, size_t n, size_t i, const char *w)
{
	size_t l = strlen(w);

	return (n - i >= l && memcmp(s + i, w, l) == 0) ? l : 0;
}

static size_t
skip_space(const unsigned char *s, size_t n, size_t i)
{
	size_t len;

	while (i < n && is_space(peek(s, n, i, &len)))
		i += len;
	return i;
}

/* Skip lead words (约, 共计, 人民币 ...); money marks only when money. */
static size_t
skip_lead(const unsigned char *s, size_t n, size_t i, int money)
{
	static const char *const lead[] = {
		"共计", "合计", "累计", "总计", "约", "共", "计", NULL
	};
	static const char *const cur[] = {
		"人民币", "RMB", "rmb", "¥", "￥", NULL
	};
	size_t k, l;
	int again = 1;

	while (again) {
		again = 0;
		i = skip_space(s, n, i);
		for (k = 0; lead[k] != NULL; k++)
			if ((l = word_at(s, n, i, lead[k])) > 0) {
				i += l;
				again = 1;
				break;
			}
		for (k = 0; money && cur[k] != NULL; k++)
			if ((l = word_at(s, n, i, cur[k])) > 0) {
				i += l;
				again = 1;
				break;
			}
	}
	return i;
}

/* One of the words in list at s[i..n): its length, or 0. */
static size_t
one_of(const unsigned char *s, size_t n, size_t i, const char *const *list)
{
	size_t k, l;

	for (k = 0; list[k] != NULL; k++)
		if ((l = word_at(s, n, i, list[k])) > 0)
			return l;
	return 0;
}

int
wz_num_parse(const char *str, size_t n, double *out)
{
	static const char *const units[] = {
		"天", "日", "次", "个", "人", "票", "户", "项", "件", "名",
		"分", "岁", "年", "月", "元", NULL
	};
	const unsigned char *s = (const unsigned char *)str;
	size_t i, t;
	double v;

	i = skip_lead(s, n, 0, 0);
	if ((t = number_at(s, n, i, &v)) == 0)
		return -1;
	i += t;
	i = skip_space(s, n, i);
	i += one_of(s, n, i, units);
	if (skip_space(s, n, i) != n)
		return -1;
	*out = v;
	return 0;
}

int
wz_num_percent(const char *str, size_t n, double *out)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i, t, len, start;
	double v;
	int pct = 0, point = 0;

	i = skip_lead(s, n, 0, 0);
	if ((t = word_at(s, n, i, "百分之")) > 0) {
		i += t;
		pct = 1;
	}
	start = i;
	if ((t = number_at(s, n, i, &v)) == 0)
		return -1;
	i += t;
	for (t = start; t < i; t++)
		if (s[t] == '.' || word_at(s, n, t, "．"))
			point = 1;
	i = skip_space(s, n, i);
	if (!pct && i < n && fold(peek(s, n, i, &len)) == '%') {
		pct = 1;
		i += len;
	}
	if (skip_space(s, n, i) != n)
		return -1;
	if (!pct && point && v <= 1 && v >= -1)
		v *= 100;
	*out = v;
	return 0;
}

int
wz_num_amount(const char *str, size_t n, double *out)
{
	static const char *const yuan[] = { "元", "块", "圆", NULL };
	const unsigned char *s = (const unsigned char *)str;
	size_t i, t;
	double v;

	i = skip_lead(s, n, 0, 1);
	if ((t = number_at(s, n, i, &v)) == 0)
		return -1;
	i += t;
	i = skip_space(s, n, i);
	i += one_of(s, n, i, yuan);
	i += word_at(s, n, i, "整");
	if (skip_space(s, n, i) != n)
		return -1;
	*out = v;
	return 0;
}

/*
 * The unit words after a sum: 万 亿 千 百 元 块 圆 余 多, each three bytes
 * of UTF-8, compared as one 24-bit number (a capture's tail is read at
 * each of its rows: no strlen, no list walk).
 */
#define U3(a, b, c)	((uint32_t)(a) << 16 | (uint32_t)(b) << 8 | (c))
size_t
wz_num_unit_tail(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	for (; n - i >= 3; i += 3)
		switch (U3(s[i], s[i + 1], s[i + 2])) {
		case U3(0xe4, 0xb8, 0x87):	/* 万 */
		case U3(0xe4, 0xba, 0xbf):	/* 亿 */
		case U3(0xe5, 0x8d, 0x83):	/* 千 */
		case U3(0xe7, 0x99, 0xbe):	/* 百 */
		case U3(0xe5, 0x85, 0x83):	/* 元 */
		case U3(0xe5, 0x9d, 0x97):	/* 块 */
		case U3(0xe5, 0x9c, 0x86):	/* 圆 */
		case U3(0xe4, 0xbd, 0x99):	/* 余 */
		case U3(0xe5, 0xa4, 0x9a):	/* 多 */
			break;
		default:
			return i;
		}
	return i;
}
#undef U3

enum wz_numkind
wz_num_kind(const char *name)
{
	size_t n = strlen(name);

#define ENDS(suf) (n >= sizeof(suf) - 1 && \
	strcmp(name + n - (sizeof(suf) - 1), suf) == 0)
	if (strcmp(name, "amount") == 0 || ENDS("_amount"))
		return WZ_NUM_AMOUNT;
	if (strcmp(name, "distrust") == 0 || ENDS("_pct") ||
	    ENDS("_percent") || ENDS("_share"))
		return WZ_NUM_PERCENT;
#undef ENDS
	return WZ_NUM_PLAIN;
}

/*
 * The common case at once: 1 to 15 ASCII digits, for money optionally
 * followed by 元, for a percentage by %.  The parsers read these as the
 * same integer (strtod of at most 15 digits is exact); anything else
 * returns -1 and takes the long way.
 */
static int
fast_value(enum wz_numkind kind, const char *s, size_t n, double *out)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n && i < 16 && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	if (i == 0 || i > 15)
		return -1;
	if (i < n && !(kind == WZ_NUM_AMOUNT && n - i == 3 &&
	    memcmp(s + i, "元", 3) == 0) && !(kind == WZ_NUM_PERCENT &&
	    n - i == 1 && s[i] == '%'))
		return -1;
	*out = (double)v;
	return 0;
}

int
wz_num_value(enum wz_numkind kind, const char *s, size_t n, double *out)
{
	if (fast_value(kind, s, n, out) == 0)
		return 0;
	switch (kind) {
	case WZ_NUM_AMOUNT:
		return wz_num_amount(s, n, out);
	case WZ_NUM_PERCENT:
		return wz_num_percent(s, n, out);
	default:
		return wz_num_parse(s, n, out);
	}
}

char *
wz_num_format(double v, char *buf, size_t len)
{
	char *p;
	int prec;

	if (v == 0)
		v = 0;	/* no "-0" */
	/* Whole numbers below 1e15 are what %.15g prints as digits. */
	if (v == floor(v) && fabs(v) < 1e15 && len >= 18) {
		char t[20];
		uint64_t u = (uint64_t)fabs(v);
		size_t k = 0, j = 0;

		do
			t[k++] = (char)('0' + u % 10);
		while ((u /= 10) != 0);
		if (v < 0)
			buf[j++] = '-';
		while (k > 0)
			buf[j++] = t[--k];
		buf[j] = '\0';
		return buf;
	}
	snprintf(buf, len, "%.15g", v);
	if (strchr(buf, 'e') == NULL)
		return buf;
	/* The parsers read no exponent, so a value printed as 1e+16 or
	 * 1e-05 could not be read back: write it out in full. */
	if (fabs(v) >= 1)
		snprintf(buf, len, "%.0f", v);
	else {
		/* 15 digits, as many as fit: "-0." and the NUL; and no
		 * more places than arabic_run() reads back ("0." and
		 * MAX_DIGITS of them), below which a value prints as 0. */
		prec = 14 - (int)floor(log10(fabs(v)));
		if (prec > (int)len - 4)
			prec = (int)len - 4;
		if (prec > MAX_DIGITS)
			prec = MAX_DIGITS;
		snprintf(buf, len, "%.*f", prec, v);
		if ((p = strchr(buf, '.')) != NULL) {
			p += strlen(p);
			while (p[-1] == '0')
				*--p = '\0';
			if (p[-1] == '.')
				p[-1] = '\0';
		}
		if (strcmp(buf, "-0") == 0)
			strcpy(buf, "0");
	}
	return buf;
}
