/*
 * wz_base.h - memory, diagnostics, growable buffers and bounded numbers.
 *
 * The bottom layer of libwenze: it knows nothing of CSV, rules or ledgers.
 * Allocation wrappers exit with EX_OSERR on failure so callers stay short
 * (mandoc_aux.c does the same).  Diagnostics go to stderr only, in the form
 * "prog: FILE:LINE: message".
 */
#ifndef WZ_BASE_H
#define WZ_BASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sysexits.h>

#define WZ_VERSION "0.1.0"

/* Exit status of DESIGN.md "Streams": 0, 1 some rows rejected, sysexits. */
#define WZ_EX_ROWS 1

/* Program name used in every message; set once by wz_setprogname(). */
extern const char *wz_progname;
void wz_setprogname(const char *argv0);

/* Allocation: these never return NULL; on failure they print and exit. */
void *wz_malloc(size_t n);
void *wz_calloc(size_t nmemb, size_t size);
void *wz_realloc(void *p, size_t n);
void *wz_reallocarray(void *p, size_t nmemb, size_t size);
/*
 * Large tables (a roster's roles, its hash tables) in their own anonymous
 * mappings: grown with mremap (no copy), offered to the kernel for
 * transparent huge pages from 4 MiB, and their new pages mapped in one
 * call (MADV_POPULATE_WRITE) when `all' is set or while they are small,
 * instead of one page fault each.  Fresh pages are zero.  old and n are
 * sizes in bytes; wz_big_free takes the size last grown to.
 */
void	*wz_big_grow(void *p, size_t old, size_t n, int all);
void	 wz_big_free(void *p, size_t n);
/* Room for want elements of sz bytes in *p (capacity *cap, doubled from
 * first). */
void	 wz_big_reserve(void **p, size_t *cap, size_t want, size_t sz,
	    size_t first);
/*
 * A shared library opened when it is first needed (dlopen), not at every
 * start: wz_dl_load() opens soname once and sets *slots[i] to the
 * function names[i], i < n; it answers NULL, or why not (dlerror's
 * words), the same at every later call.
 */
struct wz_dl {
	const char		*soname;
	const char *const	*names;
	void **const		*slots;
	size_t			 n;
	int			 tried;
	const char		*r;
	char			 why[256];
};
const char *wz_dl_load(struct wz_dl *d);
/*
 * WZ_DL_TABLE(dl, var, FUNCS, soname) writes out what wz_dl_load(&dl)
 * needs for a library's functions: a static struct var with a pointer of
 * each function's own type, named as the function, the arrays of names
 * and slots, and the static struct wz_dl dl itself.  FUNCS lists the
 * functions, which the library's header has declared:
 *
 *	#define SHA_FUNCS(X)	X(EVP_MD_fetch) X(EVP_MD_CTX_new)
 *	WZ_DL_TABLE(ssl_dl, ssl, SHA_FUNCS, "libcrypto.so.3");
 *	#define EVP_MD_fetch	(*ssl.EVP_MD_fetch)
 *	...
 *
 * The #define lines, one for each function, let the calls keep their
 * names (a macro cannot write them).  A slot needs var as well as the
 * name: WZ_DL_SLOT_(var) ends in WZ_DL_NAME_, which then takes the name
 * that FUNCS puts after X.
 */
#define WZ_DL_TABLE(dl, var, FUNCS, soname)				\
	static struct {							\
		FUNCS(WZ_DL_PTR_)					\
	} var;								\
	static const char *const dl##_names[] = { FUNCS(WZ_DL_STR_) };	\
	static void **const dl##_slots[] = { FUNCS(WZ_DL_SLOT_(var)) };	\
	static struct wz_dl dl = { soname, dl##_names, dl##_slots,	\
	    sizeof(dl##_names) / sizeof(dl##_names[0]), 0, NULL, "" }
#define WZ_DL_PTR_(f)		__typeof__(f) *f;
#define WZ_DL_STR_(f)		#f,
#define WZ_DL_SLOT_(var)	(void **)&var.WZ_DL_NAME_
#define WZ_DL_NAME_(f)		f,
char *wz_strdup(const char *s);
char *wz_strndup(const char *s, size_t n);
/* asprintf that exits on failure; the caller frees. */
char *wz_aprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Diagnostics.  file may be NULL (no location), line 0 means "no line".
 * wz_msg prints "prog: file:line: message\n"; wz_die does the same and
 * exits with status.  wz_sysmsg appends ": strerror(errno)".
 */
void wz_msg(const char *file, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void wz_vmsg(const char *file, unsigned long line, const char *fmt, va_list ap);
_Noreturn void wz_die(int status, const char *file, unsigned long line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void wz_sysmsg(const char *file, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A growable byte buffer, always NUL-terminated when len > 0 or after
 * wz_buf_cstr().  Zero-initialise it ({0}) before use. */
struct wz_buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};
void	 wz_buf_reserve(struct wz_buf *b, size_t extra);
void	 wz_buf_add_grow(struct wz_buf *b, const void *p, size_t n);
void	 wz_buf_addc(struct wz_buf *b, int c);
/* Append n bytes; inline where they fit, as they mostly do in a loop. */
static inline void
wz_buf_add(struct wz_buf *b, const void *p, size_t n)
{
	if (b->cap - b->len <= n) {
		wz_buf_add_grow(b, p, n);
		return;
	}
	if (n > 0)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}
void	 wz_buf_adds(struct wz_buf *b, const char *s);
void	 wz_buf_vprintf(struct wz_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
void	 wz_buf_printf(struct wz_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *wz_buf_cstr(struct wz_buf *b);
void	 wz_buf_reset(struct wz_buf *b);
void	 wz_buf_free(struct wz_buf *b);

/*
 * Parse a decimal integer in [min, max] (OpenBSD strtonum).  Returns 0 and
 * sets *errstr to "invalid", "too small" or "too large" on failure.
 */
long long wz_strtonum(const char *s, long long min, long long max,
    const char **errstr);

/* Parse a size with an optional K, M or G suffix (powers of 1024). */
int	 wz_parse_size(const char *s, size_t *out);

/* Narrow the span (*sp, *np) past ASCII spaces, tabs, CR, LF and
 * U+3000 at both ends. */
void	 wz_trim_space(const char **sp, size_t *np);

/*
 * A value from a file quoted in a message: wz_qlen(s, n) is how many of
 * its n bytes to print (at most WZ_QMAX, 20 Chinese characters, cut at a
 * character boundary) and wz_qmore(n) the "..." that marks a cut
 * (SECURITY.md: short reasons, not whole rows; a 100 MB field is not
 * echoed to stderr).  Use as "'%.*s%s'", wz_qlen(s, n), s, wz_qmore(n).
 */
#define WZ_QMAX	60
int	 wz_qlen(const char *s, size_t n);
const char *wz_qmore(size_t n);

/* Is s one of the strings of v (ended by NULL)? */
int	 wz_in_list(const char *s, const char *const *v);
/* Is s[0..n) one of the items of the list l[0..ln) joined by sep
 * ("a;b;c")?  An empty list has no items. */
int	 wz_list_has(const char *l, size_t ln, char sep, const char *s,
	    size_t n);
/* Format a reason into why[whylen], if why is not NULL. */
void	 wz_say(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* FNV-1a, for hash tables inside the library (not for security). */
uint64_t wz_hash(const void *p, size_t n);
/*
 * A faster hash for tables that live only in memory, eight and sixteen
 * bytes a step; its values may change between versions, so nothing may
 * store them or depend on their order.
 */
uint64_t wz_hash_mem(const void *p, size_t n);

/*
 * Clear n bytes at p with the C library's memset, out of line.  GCC
 * expands a memset of a fixed size of a few hundred bytes in line as
 * rep stos, which on the CPUs measured costs about three times the
 * library's vector stores (248 bytes: 12 ns against 4.5): for a clear
 * done once a row.
 */
void	 wz_zero(void *p, size_t n);

/*
 * Copy n bytes from s to d (which do not overlap), in line: most fields
 * and cells are a few bytes, where a call to memcpy costs more than the
 * copy.  Up to 32 bytes by overlapping loads and stores: the first and
 * last sixteen, eight or four bytes, or three single bytes.
 */
static inline void
wz_copy_short(char *d, const char *s, size_t n)
{
	char x[16], y[16];
	uint64_t v, w;
	uint32_t a, b;

	if (n > 32)
		memcpy(d, s, n);
	else if (n >= 16) {
		memcpy(x, s, 16);
		memcpy(y, s + n - 16, 16);
		memcpy(d, x, 16);
		memcpy(d + n - 16, y, 16);
	} else if (n >= 8) {
		memcpy(&v, s, 8);
		memcpy(&w, s + n - 8, 8);
		memcpy(d, &v, 8);
		memcpy(d + n - 8, &w, 8);
	} else if (n >= 4) {
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		memcpy(d, &a, 4);
		memcpy(d + n - 4, &b, 4);
	} else if (n > 0) {
		d[0] = s[0];
		d[n / 2] = s[n / 2];
		d[n - 1] = s[n - 1];
	}
}

#endif
