/* wz_sha.c - see wz_sha.h. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "wz_base.h"
#include "wz_sha.h"

/*
 * libcrypto is opened with the first digest (dlopen), not at every start:
 * wz-match and wz-roster seldom need one.  See wz_xlsx.c; WZ_SO_CRYPTO:
 * see the Makefile.
 */
#ifndef WZ_SO_CRYPTO
#define WZ_SO_CRYPTO	"libcrypto.so.3"
#endif
#define SHA_FUNCS(X) \
	X(EVP_MD_fetch) X(EVP_MD_CTX_new) X(EVP_MD_CTX_free) \
	X(EVP_MD_free) X(EVP_DigestInit_ex) X(EVP_DigestUpdate) \
	X(EVP_DigestFinal_ex)

/* libcrypto's functions, opened with wz_dl_load(&ssl_dl). */
WZ_DL_TABLE(ssl_dl, ssl, SHA_FUNCS, WZ_SO_CRYPTO);

/* From here on, each name is the pointer wz_dl_load() set. */
#define EVP_MD_fetch				(*ssl.EVP_MD_fetch)
#define EVP_MD_CTX_new				(*ssl.EVP_MD_CTX_new)
#define EVP_MD_CTX_free				(*ssl.EVP_MD_CTX_free)
#define EVP_MD_free				(*ssl.EVP_MD_free)
#define EVP_DigestInit_ex			(*ssl.EVP_DigestInit_ex)
#define EVP_DigestUpdate			(*ssl.EVP_DigestUpdate)
#define EVP_DigestFinal_ex			(*ssl.EVP_DigestFinal_ex)

struct wz_sha {
	EVP_MD_CTX	*ctx;
	EVP_MD		*md;
};

struct wz_sha *
wz_sha_new(void)
{
	struct wz_sha *s;
	const char *why;

	if ((why = wz_dl_load(&ssl_dl)) != NULL)
		wz_die(EX_UNAVAILABLE, NULL, 0, "libcrypto cannot be loaded, "
		    "and SHA-256 needs it: %s", why);
	s = wz_calloc(1, sizeof(*s));
	/* Fetching the algorithm once keeps the per-line cost of
	 * EVP_DigestInit_ex low: verify starts one digest per line. */
	s->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	s->ctx = EVP_MD_CTX_new();
	if (s->md == NULL || s->ctx == NULL)
		wz_die(EX_OSERR, NULL, 0, "OpenSSL has no SHA-256");
	wz_sha_begin(s);
	return s;
}

void
wz_sha_free(struct wz_sha *s)
{
	if (s == NULL)
		return;
	EVP_MD_CTX_free(s->ctx);
	EVP_MD_free(s->md);
	free(s);
}

void
wz_sha_begin(struct wz_sha *s)
{
	if (EVP_DigestInit_ex(s->ctx, s->md, NULL) != 1)
		wz_die(EX_SOFTWARE, NULL, 0, "SHA-256 init failed");
}

void
wz_sha_update(struct wz_sha *s, const void *p, size_t n)
{
	if (n > 0 && EVP_DigestUpdate(s->ctx, p, n) != 1)
		wz_die(EX_SOFTWARE, NULL, 0, "SHA-256 update failed");
}

void
wz_sha_hex(struct wz_sha *s, char out[WZ_SHA_HEXLEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (EVP_DigestFinal_ex(s->ctx, d, &n) != 1 || n != 32)
		wz_die(EX_SOFTWARE, NULL, 0, "SHA-256 final failed");
	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[WZ_SHA_HEXLEN] = '\0';
	wz_sha_begin(s);
}

void
wz_sha_pair_hex(struct wz_sha *s, const void *a, size_t an, const void *b,
    size_t bn, char out[WZ_SHA_HEXLEN + 1])
{
	wz_sha_update(s, a, an);
	wz_sha_update(s, b, bn);
	wz_sha_hex(s, out);
}

/* 1 for the bytes of lowercase hex.  A table, not comparisons: verify
 * checks 64 digits a line, and random digits defeat branch prediction. */
static const unsigned char hexdigit[256] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1,
	['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1
};

int
wz_sha_is_hex(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned ok = 1;
	size_t i;

	if (n != WZ_SHA_HEXLEN)
		return 0;
	for (i = 0; i < n; i++)
		ok &= hexdigit[p[i]];
	return (int)ok;
}
