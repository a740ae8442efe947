/*
 * wz_sha.h - SHA-256 over OpenSSL's EVP interface, with the hex output
 * the ledger stores.  One small interface so the digest library can be
 * swapped in one place.
 */
#ifndef WZ_SHA_H
#define WZ_SHA_H

#include <stddef.h>

#define WZ_SHA_HEXLEN	64	/* lowercase hex digits of a SHA-256 */

struct wz_sha;

/* A reusable hashing context; exits (EX_OSERR) if OpenSSL cannot give
 * one.  The caller frees it with wz_sha_free(). */
struct wz_sha *wz_sha_new(void);
void	 wz_sha_free(struct wz_sha *s);

/* Start, feed and finish one digest.  wz_sha_hex writes 64 lowercase hex
 * digits and a NUL into out (65 bytes) and leaves s ready for reuse. */
void	 wz_sha_begin(struct wz_sha *s);
void	 wz_sha_update(struct wz_sha *s, const void *p, size_t n);
void	 wz_sha_hex(struct wz_sha *s, char out[WZ_SHA_HEXLEN + 1]);

/* SHA-256 of a[0..an) followed by b[0..bn), as hex: the ledger's chain
 * step (previous hash, then this line's bytes). */
void	 wz_sha_pair_hex(struct wz_sha *s, const void *a, size_t an,
	    const void *b, size_t bn, char out[WZ_SHA_HEXLEN + 1]);

/* Is s[0..n) exactly 64 lowercase hex digits? */
int	 wz_sha_is_hex(const char *s, size_t n);

#endif
