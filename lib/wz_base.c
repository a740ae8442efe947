/* wz_base.c - see wz_base.h. */
#include <sys/mman.h>

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wz_base.h"

const char *wz_progname = "wenze";

void
wz_setprogname(const char *argv0)
{
	const char *p;

	if (argv0 == NULL || *argv0 == '\0')
		return;
	p = strrchr(argv0, '/');
	wz_progname = p != NULL ? p + 1 : argv0;
}

static _Noreturn void
oom(void)
{
	fprintf(stderr, "%s: out of memory\n", wz_progname);
	exit(EX_OSERR);
}

void *
wz_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
wz_calloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
wz_realloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		oom();
	return p;
}

void *
wz_reallocarray(void *p, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		oom();
	return wz_realloc(p, nmemb * size);
}

char *
wz_strdup(const char *s)
{
	return wz_strndup(s, strlen(s));
}

char *
wz_strndup(const char *s, size_t n)
{
	char *p = wz_malloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
wz_aprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		oom();
	va_end(ap);
	return s;
}

/* A message being built: text in p (cap bytes), n bytes wanted so far. */
struct mline {
	char	*p;
	size_t	 cap, n;
};

static void
ml_vadd(struct mline *m, const char *fmt, va_list ap)
{
	int k = vsnprintf(m->p + (m->n < m->cap ? m->n : m->cap),
	    m->n < m->cap ? m->cap - m->n : 0, fmt, ap);

	if (k > 0)
		m->n += (size_t)k;
}

static void
ml_add(struct mline *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ml_vadd(m, fmt, ap);
	va_end(ap);
}

/*
 * Write one message line to stderr with a single write(2): a line is
 * then never interleaved with another process's on a shared stderr (GNU
 * parallel, a pipeline's several filters), and a filter that reports
 * many rows makes one system call a message, not one a piece.
 */
static void
put_line(const char *file, unsigned long line, const char *fmt, va_list ap,
    const char *suffix)
{
	char stack[1024];
	struct mline m = { stack, sizeof(stack), 0 };
	const char *q;
	ssize_t k;
	va_list aq;
	int e = errno;

	for (;;) {
		m.n = 0;
		ml_add(&m, "%s: ", wz_progname);
		if (file != NULL && line > 0)
			ml_add(&m, "%s:%lu: ", file, line);
		else if (file != NULL)
			ml_add(&m, "%s: ", file);
		va_copy(aq, ap);
		ml_vadd(&m, fmt, aq);
		va_end(aq);
		ml_add(&m, "%s\n", suffix);
		if (m.n < m.cap || m.p != stack)
			break;
		m.cap = m.n + 1;
		if ((m.p = malloc(m.cap)) == NULL) {
			/* No memory: a cut line is better than none. */
			m.p = stack;
			m.cap = sizeof(stack);
			m.n = m.cap - 1;
			stack[m.n - 1] = '\n';
			break;
		}
	}
	fflush(stdout);
	fflush(stderr);
	for (q = m.p; m.n > 0; q += k, m.n -= (size_t)k)
		if ((k = write(STDERR_FILENO, q, m.n)) <= 0) {
			if (k == -1 && errno == EINTR) {
				k = 0;
				continue;
			}
			break;
		}
	if (m.p != stack)
		free(m.p);
	errno = e;
}

void
wz_vmsg(const char *file, unsigned long line, const char *fmt, va_list ap)
{
	put_line(file, line, fmt, ap, "");
}

void
wz_msg(const char *file, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wz_vmsg(file, line, fmt, ap);
	va_end(ap);
}

void
wz_die(int status, const char *file, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wz_vmsg(file, line, fmt, ap);
	va_end(ap);
	exit(status);
}

void
wz_sysmsg(const char *file, const char *fmt, ...)
{
	va_list ap;
	char suffix[256];
	int e = errno;

	snprintf(suffix, sizeof(suffix), ": %s", strerror(e));
	va_start(ap, fmt);
	put_line(file, 0, fmt, ap, suffix);
	va_end(ap);
}

void
wz_buf_reserve(struct wz_buf *b, size_t extra)
{
	size_t need;

	if (extra > SIZE_MAX - b->len - 1)
		oom();
	need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < need)
		b->cap = b->cap > SIZE_MAX / 2 ? need : b->cap * 2;
	b->s = wz_realloc(b->s, b->cap);
}

void
wz_buf_add_grow(struct wz_buf *b, const void *p, size_t n)
{
	wz_buf_reserve(b, n);
	if (n > 0)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
wz_buf_addc(struct wz_buf *b, int c)
{
	wz_buf_reserve(b, 1);
	b->s[b->len++] = (char)c;
	b->s[b->len] = '\0';
}

void
wz_buf_adds(struct wz_buf *b, const char *s)
{
	wz_buf_add(b, s, strlen(s));
}

void
wz_buf_vprintf(struct wz_buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	wz_buf_reserve(b, (size_t)n);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
wz_buf_printf(struct wz_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wz_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

const char *
wz_buf_cstr(struct wz_buf *b)
{
	wz_buf_reserve(b, 0);
	b->s[b->len] = '\0';
	return b->s;
}

void
wz_buf_reset(struct wz_buf *b)
{
	b->len = 0;
	if (b->s != NULL)
		b->s[0] = '\0';
}

void
wz_zero(void *p, size_t n)
{
	memset(p, 0, n);
}

void
wz_buf_free(struct wz_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

long long
wz_strtonum(const char *s, long long min, long long max, const char **errstr)
{
	long long v;
	char *end;

	*errstr = NULL;
	if (s == NULL || *s == '\0' || min > max) {
		*errstr = "invalid";
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end != '\0') {
		*errstr = "invalid";
		return 0;
	}
	if ((v == LLONG_MIN && errno == ERANGE) || v < min) {
		*errstr = "too small";
		return 0;
	}
	if ((v == LLONG_MAX && errno == ERANGE) || v > max) {
		*errstr = "too large";
		return 0;
	}
	return v;
}

int
wz_parse_size(const char *s, size_t *out)
{
	unsigned long long v, mul = 1;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		mul = 1024;
		end++;
		break;
	case 'm': case 'M':
		mul = 1024 * 1024;
		end++;
		break;
	case 'g': case 'G':
		mul = 1024ULL * 1024 * 1024;
		end++;
		break;
	default:
		return -1;
	}
	if (*end != '\0' || v > SIZE_MAX / mul)
		return -1;
	*out = (size_t)(v * mul);
	return 0;
}

uint64_t
wz_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ULL;

	while (n-- > 0) {
		h ^= *s++;
		h *= 1099511628211ULL;
	}
	return h;
}

int
wz_in_list(const char *s, const char *const *v)
{
	for (; *v != NULL; v++)
		if (strcmp(s, *v) == 0)
			return 1;
	return 0;
}

int
wz_list_has(const char *l, size_t ln, char sep, const char *s, size_t n)
{
	const char *p = l, *e, *q;

	if (ln == 0)
		return 0;	/* l may be NULL (an empty wz_buf) */
	e = l + ln;
	while (p < e) {
		q = memchr(p, sep, (size_t)(e - p));
		if (q == NULL)
			q = e;
		if ((size_t)(q - p) == n && memcmp(p, s, n) == 0)
			return 1;
		p = q + 1;
	}
	return 0;
}

void
wz_say(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || whylen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

int
wz_qlen(const char *s, size_t n)
{
	size_t k;

	if (n <= WZ_QMAX)
		return (int)n;
	for (k = WZ_QMAX; k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80; k--)
		;
	return (int)k;
}

const char *
wz_qmore(size_t n)
{
	return n > WZ_QMAX ? "..." : "";
}

void
wz_trim_space(const char **sp, size_t *np)
{
	const char *s = *sp;
	size_t n = *np;

	/* most cells: nothing to trim (U+3000 starts 0xe3, ends 0x80) */
	if (n == 0 || ((unsigned char)s[0] > ' ' &&
	    (unsigned char)s[0] != 0xe3 && (unsigned char)s[n - 1] > ' ' &&
	    (unsigned char)s[n - 1] != 0x80))
		return;
	for (;;) {
		if (n > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' ||
		    s[0] == '\n')) {
			s++;
			n--;
		} else if (n >= 3 && memcmp(s, "\xe3\x80\x80", 3) == 0) {
			s += 3;
			n -= 3;
		} else
			break;
	}
	for (;;) {
		if (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
		    s[n - 1] == '\r' || s[n - 1] == '\n'))
			n--;
		else if (n >= 3 && memcmp(s + n - 3, "\xe3\x80\x80", 3) == 0)
			n -= 3;
		else
			break;
	}
	*sp = s;
	*np = n;
}

/*
 * Large tables.  A table of 2 MiB or more lives at the start of a
 * reservation of address space, 2 MiB-aligned and several times its
 * size, offered to the kernel for transparent huge pages as a whole:
 * it grows where it is, and every 2 MiB of it, its first included, can
 * be one huge page.  (Grown by mremap, a table moved to addresses of
 * any alignment, and the part of it written while it was small kept
 * its 4 KiB pages: a tenth of a million-row roster's tables, on which
 * random probes missed the TLB.)  MAP_NORESERVE: the reservation costs
 * no memory until a page is touched; where the kernel will not reserve
 * so much (strict overcommit), the table gets just its size.  A smaller
 * table is a mapping of its own, grown by mremap.
 */
#define PAGE_ROUND(n)	(((n) + 4095) & ~(size_t)4095)
#define BIG_HUGE	((size_t)2 << 20)
#define HUGE_ROUND(n)	(((n) + BIG_HUGE - 1) & ~(BIG_HUGE - 1))
#define BIG_SPARE	8		/* a reservation: 8 times the table */
#define BIG_MIN		((size_t)64 << 20)	/* and at least 64 MiB */

static struct bigres {
	char	*p;
	size_t	 len;		/* reserved bytes; 0: a free entry */
} bigres[64];

static struct bigres *
big_find(const void *p)
{
	size_t i;

	for (i = 0; p != NULL && i < sizeof(bigres) / sizeof(bigres[0]); i++)
		if (bigres[i].len > 0 && bigres[i].p == p)
			return &bigres[i];
	return NULL;
}

/* A 2 MiB-aligned reservation of at least n bytes (n a multiple of 2
 * MiB) in a free entry, or NULL when none is free or mmap fails. */
static struct bigres *
big_reserve(size_t n)
{
	struct bigres *e = NULL;
	size_t i, want, len;
	char *r, *a;

	for (i = 0; i < sizeof(bigres) / sizeof(bigres[0]); i++)
		if (bigres[i].len == 0) {
			e = &bigres[i];
			break;
		}
	if (e == NULL)
		return NULL;
	want = n <= SIZE_MAX / BIG_SPARE / 2 ? n * BIG_SPARE : n;
	if (want < BIG_MIN)
		want = BIG_MIN;
	for (;;) {
		len = want + BIG_HUGE;
		r = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		    MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (r != MAP_FAILED)
			break;
		if (want == n)
			return NULL;
		want = n;
	}
	a = (char *)(((uintptr_t)r + BIG_HUGE - 1) &
	    ~(uintptr_t)(BIG_HUGE - 1));
	if (a > r)
		(void)munmap(r, (size_t)(a - r));
	if (r + len > a + want)
		(void)munmap(a + want, (size_t)(r + len - (a + want)));
#ifdef MADV_HUGEPAGE
	/*
	 * Random reads over tens of MiB with 4 KiB pages miss the TLB on
	 * nearly every probe, and in a virtual machine each miss walks two
	 * page tables.
	 */
	(void)madvise(a, want, MADV_HUGEPAGE);
#endif
	e->p = a;
	e->len = want;
	return e;
}

void *
wz_big_grow(void *p, size_t old, size_t n, int all)
{
	struct bigres *e, *f;
	void *q;

	n = PAGE_ROUND(n);
	old = PAGE_ROUND(old);
	e = big_find(p);
	if (e != NULL && n <= e->len)
		q = p;
	else if (n >= BIG_HUGE && (f = big_reserve(HUGE_ROUND(n))) != NULL) {
		q = f->p;
		if (e != NULL) {
			/* moved with its page tables: its huge pages stay */
			if (mremap(p, old, old, MREMAP_MAYMOVE | MREMAP_FIXED,
			    q) == MAP_FAILED)
				oom();
			if (e->len > old)
				(void)munmap((char *)p + old, e->len - old);
			e->len = 0;
		} else if (p != NULL) {
			/* copied, not moved: its 4 KiB pages would stay */
			memcpy(q, p, old);
			(void)munmap(p, old);
		}
	} else if (e != NULL) {
		/* no reservation to be had: grown as a mapping of its own */
		if ((q = mremap(p, e->len, n, MREMAP_MAYMOVE)) == MAP_FAILED)
			oom();
		e->len = 0;
	}
	else if (p == NULL) {
		q = mmap(NULL, n, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (q == MAP_FAILED)
			oom();
	} else if (n == old)
		return p;
	else if ((q = mremap(p, old, n, MREMAP_MAYMOVE)) == MAP_FAILED)
		oom();
#ifdef MADV_POPULATE_WRITE
	/*
	 * A hash table's every page is about to be written: one call maps
	 * them, instead of a fault for each page, which costs more than the
	 * work done in the page in a virtual machine.  An array is written
	 * from the front and may stay half empty: mapped at once only while
	 * small.  An older kernel says EINVAL: then the pages fault in as
	 * before.
	 */
	if (n > old && (all || n < BIG_HUGE))
		(void)madvise((char *)q + old, n - old, MADV_POPULATE_WRITE);
#endif
	return q;
}

void
wz_big_free(void *p, size_t n)
{
	struct bigres *e;

	if (p == NULL)
		return;
	if ((e = big_find(p)) != NULL) {
		(void)munmap(p, e->len);
		e->len = 0;
	} else
		munmap(p, PAGE_ROUND(n));
}

void
wz_big_reserve(void **p, size_t *cap, size_t want, size_t sz, size_t first)
{
	size_t ncap = *cap ? *cap : first;

	if (want <= *cap)
		return;
	while (ncap < want) {
		if (ncap > SIZE_MAX / 2 / sz)
			oom();
		ncap *= 2;
	}
	*p = wz_big_grow(*p, *cap * sz, ncap * sz, 0);
	*cap = ncap;
}

const char *
wz_dl_load(struct wz_dl *d)
{
	const char *e;
	void *h;
	size_t i;

	if (d->tried)
		return d->r;
	d->tried = 1;
	(void)dlerror();
	if ((h = dlopen(d->soname, RTLD_NOW | RTLD_LOCAL)) == NULL)
		goto fail;
	for (i = 0; i < d->n; i++)
		if ((*d->slots[i] = dlsym(h, d->names[i])) == NULL)
			goto fail;
	return d->r = NULL;
fail:
	e = dlerror();
	snprintf(d->why, sizeof(d->why), "%s", e != NULL ? e : d->soname);
	return d->r = d->why;
}

uint64_t
wz_hash_mem(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, g = 0x6a09e667f3bcc909ULL, v, w;

	/* 16 bytes at a time in two independent lanes (a shape key is some
	 * 100 bytes: one chain of multiplies would wait on itself), then 8,
	 * then the tail; mixed at the end. */
	while (n >= 16) {
		memcpy(&v, s, 8);
		memcpy(&w, s + 8, 8);
		h = (h ^ v) * 0xff51afd7ed558ccdULL;
		g = (g ^ w) * 0xc4ceb9fe1a85ec53ULL;
		h ^= h >> 32;
		g ^= g >> 29;
		s += 16;
		n -= 16;
	}
	h ^= g;
	while (n >= 8) {
		memcpy(&v, s, 8);
		h = (h ^ v) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
		s += 8;
		n -= 8;
	}
	/* The last n < 8 bytes, as a memcpy into a zeroed word would give
	 * them, without a call: in a longer key, the 8 bytes that end it,
	 * shifted; in a short one, a byte at a time. */
	v = 0;
	if (n > 0 && s - (const unsigned char *)p >= 8) {
		memcpy(&v, s + n - 8, 8);
		v >>= 8 * (8 - n);
	} else
		for (w = 0; w < n; w++)
			v |= (uint64_t)s[w] << (8 * w);
	h = (h ^ v) * 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 29;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 32;
	return h;
}
