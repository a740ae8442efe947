/*
 * wz_idcard.h - citizen identity numbers (公民身份号码, GB 11643-1999):
 * validation, the upgrade of old 15-digit numbers to 18 digits, the birth
 * date and sex they hold, and a keyed mask so that a roster can be shared
 * without the numbers.
 *
 * An 18-digit number is a 6-digit region code, the birth date YYYYMMDD,
 * a 3-digit sequence (odd for men, even for women) and a check digit:
 * the sum of the first 17 digits times the weights 7 9 10 5 8 4 2 1 6 3
 * 7 9 10 5 8 4 2, mod 11, indexes "10X98765432".  A 15-digit number (the
 * first generation, before 1999) is region, YYMMDD, sequence; it becomes
 * 18 digits with "19" inserted before the year and the check digit
 * computed.
 *
 * The mask is HMAC-SHA256 (OpenSSL EVP_MAC) of the 18 characters under a
 * key the user keeps, as lowercase hex cut to WZ_IDMASK_HEXLEN digits:
 * the same number and key always give the same mask, so masked rosters
 * still join, and without the key the mask cannot be tried against the
 * (small) space of possible numbers.
 */
#ifndef WZ_IDCARD_H
#define WZ_IDCARD_H

#include <stddef.h>

#include "wz_date.h"

#define WZ_IDCARD_LEN		18
#define WZ_IDMASK_HEXLEN	16	/* 64 bits of the HMAC */
#define WZ_IDMASK_MINKEY	16	/* bytes */
#define WZ_IDMASK_MAXKEY	4096

struct wz_idcard {
	char	 num[WZ_IDCARD_LEN + 1];	/* 18 characters, X upper case */
	wz_day	 birth;
	int	 male;		/* 1 man, 0 woman */
	int	 upgraded;	/* it was a 15-digit number */
};

enum { WZ_ID_BAD = -1, WZ_ID_OK = 0, WZ_ID_EMPTY = 1 };

/*
 * Check and normalise the number in s[0..n).  Spaces around it and
 * between groups of digits (621121 19790121 0001), a leading apostrophe (Excel's "this is text" mark) and full-width
 * digits are accepted, and a lower-case x; nothing else.  The birth date
 * must exist and lie between 1900-01-01 and latest (WZ_DAY_NONE: today,
 * by the system clock).  Returns WZ_ID_OK and fills *out, WZ_ID_EMPTY
 * for an empty cell, or WZ_ID_BAD with a reason in why (whylen bytes;
 * may be NULL): the wrong length, a letter, a number Excel turned into
 * a float (6.21121E+17), a province code that does not exist, a birth
 * date that does not, or a wrong check digit (the reason names the
 * right one).
 */
int	 wz_idcard_parse(const char *s, size_t n, wz_day latest,
	    struct wz_idcard *out, char *why, size_t whylen);

/* The check digit ('0'..'9' or 'X') of 17 ASCII digits. */
char	 wz_idcard_check_digit(const char *first17);

/* Does a province (or 81/82/83 for Hong Kong, Macao, Taiwan residence
 * permits) have the two-digit code pp? */
int	 wz_idcard_province(int pp);

/*
 * The mask.  wz_idmask_new copies the key (WZ_IDMASK_MINKEY to
 * WZ_IDMASK_MAXKEY bytes; NULL if shorter or longer, with errno EINVAL).
 * wz_idmask_load reads it from a file, dropping one trailing newline
 * (NULL with errno set if the file cannot be read, EINVAL if the key has
 * the wrong size).  wz_idmask_hex writes WZ_IDMASK_HEXLEN hex digits and
 * a NUL.  Exits (EX_SOFTWARE) if OpenSSL fails, which only a broken
 * installation does.  The caller frees with wz_idmask_free().
 */
struct wz_idmask;

struct wz_idmask *wz_idmask_new(const void *key, size_t keylen);
struct wz_idmask *wz_idmask_load(const char *path);
void	 wz_idmask_hex(struct wz_idmask *m, const char *s, size_t n,
	    char out[WZ_IDMASK_HEXLEN + 1]);
void	 wz_idmask_free(struct wz_idmask *m);

#endif
