/* wz_idcard.c - see wz_idcard.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "wz_base.h"
#include "wz_idcard.h"

char
wz_idcard_check_digit(const char *d)
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10,
	    5, 8, 4, 2 };
	static const char c[] = "10X98765432";
	int i, sum = 0;

	for (i = 0; i < 17; i++)
		sum += (d[i] - '0') * w[i];
	return c[sum % 11];
}

int
wz_idcard_province(int pp)
{
	switch (pp) {
	case 11: case 12: case 13: case 14: case 15:
	case 21: case 22: case 23:
	case 31: case 32: case 33: case 34: case 35: case 36: case 37:
	case 41: case 42: case 43: case 44: case 45: case 46:
	case 50: case 51: case 52: case 53: case 54:
	case 61: case 62: case 63: case 64: case 65:
	case 71: case 81: case 82: case 83:
		return 1;
	default:
		return 0;
	}
}

static wz_day
today(void)
{
	time_t t = time(NULL);
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return wz_date_days(2100, 12, 31);
	return wz_date_days(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/*
 * The sum of the first 17 digits (ASCII) of p times their weights, or
 * -1 if any of them is not a digit.
 */
static int
weighted17(const unsigned char *p)
{
#ifdef __SSE2__
	const __m128i zero = _mm_setzero_si128(), nine = _mm_set1_epi8(9),
	    wlo = _mm_setr_epi16(7, 9, 10, 5, 8, 4, 2, 1),
	    whi = _mm_setr_epi16(6, 3, 7, 9, 10, 5, 8, 4);
	__m128i x, s;
	int d16 = p[16] - '0';

	/* digits 0..9 stay so, anything else is above 9 (unsigned) */
	x = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)p),
	    _mm_set1_epi8('0'));
	if (_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(x, nine), nine)) !=
	    0xffff || d16 < 0 || d16 > 9)
		return -1;
	s = _mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi8(x, zero), wlo),
	    _mm_madd_epi16(_mm_unpackhi_epi8(x, zero), whi));
	s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
	s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
	return _mm_cvtsi128_si32(s) + 2 * d16;
#else
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10,
	    5, 8, 4, 2 };
	int i, sum = 0;

	for (i = 0; i < 17; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		sum += (p[i] - '0') * w[i];
	}
	return sum;
#endif
}

/*
 * Most cells: 18 ASCII characters, seventeen digits and a digit or X,
 * with nothing wrong.  Such a cell is read here, at once: 0 and *out
 * filled.  Anything else (and a number with any fault) gives -1 and is
 * left to the general reading, which gives the verdict and the reason.
 */
static int
quick18(const unsigned char *u, wz_day latest, struct wz_idcard *out)
{
	static const char c[] = "10X98765432";
	/* wz_date_valid() and wz_date_days() for 1900..9999, in line */
	static const unsigned short before[13] = { 0, 0, 31, 59, 90, 120,
	    151, 181, 212, 243, 273, 304, 334 };
	static const unsigned char mdays[13] = { 0, 31, 28, 31, 30, 31, 30,
	    31, 31, 30, 31, 30, 31 };
	int sum, y, m, dd, leap;
	unsigned char last = u[17] == 'x' ? 'X' : u[17];
	wz_day birth;
	long yy;

	if ((sum = weighted17(u)) < 0 || last != (unsigned char)c[sum % 11])
		return -1;
	if (!wz_idcard_province((u[0] - '0') * 10 + (u[1] - '0')))
		return -1;
	y = (u[6] - '0') * 1000 + (u[7] - '0') * 100 + (u[8] - '0') * 10 +
	    (u[9] - '0');
	m = (u[10] - '0') * 10 + (u[11] - '0');
	dd = (u[12] - '0') * 10 + (u[13] - '0');
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1900 || m < 1 || m > 12 || dd < 1 ||
	    dd > mdays[m] + (m == 2 && leap))
		return -1;
	yy = y - 1;	/* days from 1970-01-01, as wz_date_days() counts */
	birth = (wz_day)(365 * yy + yy / 4 - yy / 100 + yy / 400 - 719162 +
	    before[m] + (m > 2 && leap) + dd - 1);
	if (latest == WZ_DAY_NONE)
		latest = today();
	if (birth > latest)
		return -1;
	memcpy(out->num, u, 17);
	out->num[17] = (char)last;
	out->num[18] = '\0';
	out->birth = birth;
	out->male = (u[16] - '0') % 2;
	out->upgraded = 0;
	return 0;
}

int
wz_idcard_parse(const char *s, size_t n, wz_day latest,
    struct wz_idcard *out, char *why, size_t whylen)
{
	char d[24], iso[WZ_DATE_ISOLEN + 1];
	size_t i = 0, k = 0;
	int y, m, dd, e = 0;
	char ck;
	const unsigned char *u = (const unsigned char *)s;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (n == 18 && quick18(u, latest, out) == 0)
		return WZ_ID_OK;
	/* Most cells: 18 ASCII characters and nothing else. */
	if (n == 18) {
		for (k = 0; k < 17 && u[k] >= '0' && u[k] <= '9'; k++)
			d[k] = (char)u[k];
		if (k == 17 && ((u[17] >= '0' && u[17] <= '9') ||
		    u[17] == 'X' || u[17] == 'x')) {
			d[17] = u[17] == 'x' ? 'X' : (char)u[17];
			k = 18;
			goto checked;
		}
		k = 0;
	}
	/* Trim spaces (ASCII and U+3000) and Excel's leading apostrophe. */
	while (n > 0 && (u[n - 1] == ' ' || u[n - 1] == '\t'))
		n--;
	while (n >= 3 && memcmp(s + n - 3, "\xe3\x80\x80", 3) == 0)
		n -= 3;
	while (i < n && (u[i] == ' ' || u[i] == '\t' ||
	    (n - i >= 3 && memcmp(s + i, "\xe3\x80\x80", 3) == 0)))
		i += u[i] == 0xe3 ? 3 : 1;
	if (i < n && u[i] == '\'')
		i++;
	if (i == n)
		return WZ_ID_EMPTY;
	for (; i < n; i++) {
		int c;

		if (u[i] >= '0' && u[i] <= '9')
			c = u[i];
		else if (u[i] == 'x' || u[i] == 'X')
			c = 'X';
		else if (n - i >= 3 && u[i] == 0xef && u[i + 1] == 0xbc &&
		    u[i + 2] >= 0x90 && u[i + 2] <= 0x99) {
			c = '0' + (u[i + 2] - 0x90);	/* ０-９ */
			i += 2;
		} else if (n - i >= 3 && u[i] == 0xef && u[i + 1] == 0xbd &&
		    u[i + 2] == 0x98) {
			c = 'X';			/* ｘ */
			i += 2;
		} else if (n - i >= 3 && u[i] == 0xef && u[i + 1] == 0xbc &&
		    u[i + 2] == 0xb8) {
			c = 'X';			/* Ｘ */
			i += 2;
		} else if (u[i] == ' ')
			continue;	/* grouped: 621121 19790121 0001 */
		else if (u[i] == '.' || u[i] == 'E' || u[i] == 'e' ||
		    u[i] == '+') {
			e = 1;
			continue;
		} else {
			/* The character's length, but never past the end:
			 * s need not be NUL-terminated. */
			size_t cl = u[i] < 0x80 ? 1 : u[i] >= 0xf0 ? 4 :
			    u[i] >= 0xe0 ? 3 : 2;

			wz_say(why, whylen, "not an ID number (it holds '%.*s')",
			    (int)(cl < n - i ? cl : n - i), s + i);
			return WZ_ID_BAD;
		}
		if (k == sizeof(d) - 1) {
			wz_say(why, whylen, "too long for an ID number");
			return WZ_ID_BAD;
		}
		d[k++] = (char)c;
	}
	d[k] = '\0';
	if (e) {
		wz_say(why, whylen, "not an ID number: Excel turned it into a "
		    "number like %.*s; format the column as text before "
		    "exporting", (int)(n > 40 ? 40 : n), s);
		return WZ_ID_BAD;
	}
	if (k != 18 && k != 15) {
		wz_say(why, whylen, "an ID number has 18 digits (or 15), this "
		    "one %zu", k);
		return WZ_ID_BAD;
	}
	for (i = 0; i < k - (k == 18); i++)
		if (d[i] == 'X') {
			wz_say(why, whylen, "X may only be the last character "
			    "of an ID number");
			return WZ_ID_BAD;
		}
checked:	/* the quick path took seventeen digits: no X to look for */
	if (k == 15) {
		memmove(d + 8, d + 6, 9);
		d[6] = '1';
		d[7] = '9';
		d[17] = wz_idcard_check_digit(d);
		d[18] = '\0';
		out->upgraded = 1;
	} else
		out->upgraded = 0;
	if (!wz_idcard_province((d[0] - '0') * 10 + (d[1] - '0'))) {
		wz_say(why, whylen, "no province has the code %.2s", d);
		return WZ_ID_BAD;
	}
	y = (d[6] - '0') * 1000 + (d[7] - '0') * 100 + (d[8] - '0') * 10 +
	    (d[9] - '0');
	m = (d[10] - '0') * 10 + (d[11] - '0');
	dd = (d[12] - '0') * 10 + (d[13] - '0');
	if (!wz_date_valid(y, m, dd)) {
		wz_say(why, whylen, "the birth date %.8s in the ID number does "
		    "not exist", d + 6);
		return WZ_ID_BAD;
	}
	out->birth = wz_date_days(y, m, dd);
	if (latest == WZ_DAY_NONE)
		latest = today();
	if (y < 1900 || out->birth > latest) {
		wz_date_iso(out->birth, iso);
		wz_say(why, whylen, "the birth date %s in the ID number is %s",
		    iso, y < 1900 ? "before 1900" : "in the future");
		return WZ_ID_BAD;
	}
	ck = wz_idcard_check_digit(d);
	if (d[17] != ck) {
		wz_say(why, whylen, "wrong check digit: the last character is "
		    "%c, the first 17 digits give %c", d[17], ck);
		return WZ_ID_BAD;
	}
	memcpy(out->num, d, 18);
	out->num[18] = '\0';
	out->male = (d[16] - '0') % 2;
	return WZ_ID_OK;
}

/* The mask. */

/*
 * libcrypto is opened with the first mask (dlopen), not at every start
 * of wz-roster: see wz_xlsx.c.  WZ_SO_CRYPTO: see the Makefile.
 */
#ifndef WZ_SO_CRYPTO
#define WZ_SO_CRYPTO	"libcrypto.so.3"
#endif
#define MAC_FUNCS(X) \
	X(EVP_MAC_fetch) X(EVP_MAC_CTX_new) X(EVP_MAC_CTX_free) \
	X(EVP_MAC_free) X(EVP_MAC_init) X(EVP_MAC_update) \
	X(EVP_MAC_final) X(OSSL_PARAM_construct_utf8_string) \
	X(OSSL_PARAM_construct_end)

/* libcrypto's functions, opened with wz_dl_load(&ssl_dl). */
WZ_DL_TABLE(ssl_dl, ssl, MAC_FUNCS, WZ_SO_CRYPTO);

/* From here on, each name is the pointer wz_dl_load() set. */
#define EVP_MAC_fetch				(*ssl.EVP_MAC_fetch)
#define EVP_MAC_CTX_new				(*ssl.EVP_MAC_CTX_new)
#define EVP_MAC_CTX_free			(*ssl.EVP_MAC_CTX_free)
#define EVP_MAC_free				(*ssl.EVP_MAC_free)
#define EVP_MAC_init				(*ssl.EVP_MAC_init)
#define EVP_MAC_update				(*ssl.EVP_MAC_update)
#define EVP_MAC_final				(*ssl.EVP_MAC_final)
#define OSSL_PARAM_construct_utf8_string \
	(*ssl.OSSL_PARAM_construct_utf8_string)
#define OSSL_PARAM_construct_end		(*ssl.OSSL_PARAM_construct_end)

struct wz_idmask {
	EVP_MAC		*mac;
	EVP_MAC_CTX	*ctx;
	unsigned char	*key;
	size_t		 keylen;
};

static _Noreturn void
ssl_fail(const char *what)
{
	wz_die(EX_SOFTWARE, NULL, 0, "OpenSSL: %s failed", what);
}

struct wz_idmask *
wz_idmask_new(const void *key, size_t keylen)
{
	struct wz_idmask *m;
	OSSL_PARAM params[2];
	char digest[] = "SHA256";
	const char *why;

	if (keylen < WZ_IDMASK_MINKEY || keylen > WZ_IDMASK_MAXKEY) {
		errno = EINVAL;
		return NULL;
	}
	if ((why = wz_dl_load(&ssl_dl)) != NULL)
		wz_die(EX_UNAVAILABLE, NULL, 0, "libcrypto cannot be loaded, "
		    "and the mask needs it: %s", why);
	m = wz_calloc(1, sizeof(*m));
	m->key = wz_malloc(keylen);
	memcpy(m->key, key, keylen);
	m->keylen = keylen;
	if ((m->mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		ssl_fail("EVP_MAC_fetch(HMAC)");
	if ((m->ctx = EVP_MAC_CTX_new(m->mac)) == NULL)
		ssl_fail("EVP_MAC_CTX_new");
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(m->ctx, m->key, m->keylen, params))
		ssl_fail("EVP_MAC_init");
	return m;
}

struct wz_idmask *
wz_idmask_load(const char *path)
{
	unsigned char buf[WZ_IDMASK_MAXKEY + 2];
	size_t n = 0;
	ssize_t k;
	int fd, e;
	struct wz_idmask *m;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	while (n < sizeof(buf)) {
		k = read(fd, buf + n, sizeof(buf) - n);
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1) {
			e = errno;
			close(fd);
			errno = e;
			return NULL;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	m = wz_idmask_new(buf, n);
	explicit_bzero(buf, sizeof(buf));
	return m;
}

void
wz_idmask_hex(struct wz_idmask *m, const char *s, size_t n,
    char out[WZ_IDMASK_HEXLEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	size_t len = 0, i;

	/* A NULL key reuses the key set by wz_idmask_new. */
	if (!EVP_MAC_init(m->ctx, NULL, 0, NULL) ||
	    !EVP_MAC_update(m->ctx, (const unsigned char *)s, n) ||
	    !EVP_MAC_final(m->ctx, md, &len, sizeof(md)) ||
	    len * 2 < WZ_IDMASK_HEXLEN)
		ssl_fail("HMAC-SHA256");
	for (i = 0; i < WZ_IDMASK_HEXLEN / 2; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[WZ_IDMASK_HEXLEN] = '\0';
}

void
wz_idmask_free(struct wz_idmask *m)
{
	if (m == NULL)
		return;
	EVP_MAC_CTX_free(m->ctx);
	EVP_MAC_free(m->mac);
	explicit_bzero(m->key, m->keylen);
	free(m->key);
	free(m);
}
