/*
 * wz_num.h - numbers as county sheets and findings write them: plain
 * numbers, percentages and sums of money in yuan.
 *
 * All parsers take raw or normalised UTF-8 (full-width digits, commas,
 * points and percent signs are read as their ASCII forms) and accept the
 * whole of s[0..n) or nothing: they return 0 and set *out, or -1 and leave
 * *out alone.  Leading and trailing spaces (ASCII and U+3000) are ignored.
 *
 * Digits:  ASCII 0-9, full-width ０-９, and Chinese numerals: 〇 零 一 二
 *          两 三 四 五 六 七 八 九 with 十 百 千 万 亿, the financial forms
 *          壹 贰 叁 肆 伍 陆 柒 捌 玖 拾 佰 仟 and traditional 萬 億 兩.
 *          Arabic and Chinese mix: "3万5千" is 35000, "1亿2000万" is
 *          120000000, "3.5万" is 35000.  A lone digit after 百 千 万 or 亿
 *          is the next lower unit, as people say it: "一万五" is 15000,
 *          "3万5" is 35000, "两千三" is 2300.
 * Groups:  "35,000" and "35，000": a comma (ASCII or full-width) between
 *          digits is a thousands separator, wherever it stands.
 * Bounds:  at most 30 digits before the point, and |value| < 1e18; larger
 *          numbers are refused, not rounded to infinity.
 */
#ifndef WZ_NUM_H
#define WZ_NUM_H

#include <stddef.h>

/*
 * A plain number: an optional sign, digits, an optional fraction, an
 * optional 余 or 多 ("二十余" is 20: the lower bound), and optionally one
 * unit word of counting from this list: 天 日 次 个 人 票 户 项 件 名 分 岁
 * 年 月 元 (so "98天" and "九十八天" are 98).  An optional lead word
 * 约 共 共计 计 合计 累计 is skipped.
 */
int	 wz_num_parse(const char *s, size_t n, double *out);

/*
 * A percentage, as a number of percent: "45%", "45％", "45" and
 * "百分之四十五" are 45.  Without a percent sign, a number of at most 1
 * written with a decimal point ("0.45", ".5", "1.0") is a fraction, as a
 * spreadsheet exports a percent-formatted cell, and is multiplied by 100;
 * whole numbers ("1", "0") and numbers above 1 are already percent.
 */
int	 wz_num_percent(const char *s, size_t n, double *out);

/*
 * A sum of money in yuan: an optional currency mark (¥ ￥ 人民币 RMB),
 * the lead words of wz_num_parse, a number with 万 or 亿 where it has
 * them, an optional 余 or 多, then an optional 元 (块 圆) or 万元 (亿元).
 * "3.5万元" 35000, "1.2亿元" 120000000, "３５０００元" 35000,
 * "35,000元" 35000, "五万元" 50000, "5万余元" 50000, "12.5" 12.5.
 */
int	 wz_num_amount(const char *s, size_t n, double *out);

/*
 * How many bytes at the start of s[0..n) are unit words of money or of a
 * Chinese number (万 亿 千 百 元 块 圆 余 多): a capture "(?<amount>[0-9.]+)"
 * followed by "万元" in the text is read together with them.
 */
size_t	 wz_num_unit_tail(const char *s, size_t n);

/* How a named value is read: by its name (FORMAT.md "named captures"). */
enum wz_numkind {
	WZ_NUM_PLAIN,		/* any other name */
	WZ_NUM_AMOUNT,		/* "amount" or "*_amount" */
	WZ_NUM_PERCENT		/* "distrust", "*_pct", "*_percent", "*_share" */
};
enum wz_numkind wz_num_kind(const char *name);
/* Parse s[0..n) as kind says. */
int	 wz_num_value(enum wz_numkind kind, const char *s, size_t n,
	    double *out);

/*
 * Print v in its shortest exact-enough form ("35000", "0.45", "12.5"):
 * %.15g, but never with an exponent (the parsers read none): 1e16 is
 * "10000000000000000", 1e-05 "0.00001", and a value with no digit in
 * the places that fit (in buf, and at most 30, as many as the parsers
 * read) "0".  buf needs 32 bytes; returns buf.
 */
char	*wz_num_format(double v, char *buf, size_t len);

#endif
