/*
 * wz_csv.c - CSV and TSV readers and writers; see wz_csv.h.
 *
 * The CSV reader parses chunks of input and collects the records into a
 * queue; wz_reader_next() hands them out one at a time.  libcsv is the
 * parser of record: where it is at a record's start, records that hold no
 * quote, and quoted ones without anything libcsv would call an error,
 * are split here (a byte scan 16 at a time, not libcsv's state machine a
 * byte at a time) with the same callbacks libcsv would make, and
 * everything else goes to libcsv (feed_csv).  The unit tests and
 * fuzz_csv check the two against each other (wz_reader_set_split).
 * Before a chunk is parsed it is converted from the legacy encoding
 * (iconv) and checked as UTF-8, so an error can name the line and byte
 * column where the file stops being readable, after every record before
 * that point has been delivered.
 *
 * The first bytes decide what the file is: a zip header hands it to the
 * .xlsx reader (wz_xlsx.c), whose rows go through the same queue, limits
 * and checks as CSV records.
 */
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdint.h>
#include <unistd.h>

#include <csv.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "wz_base.h"
#include "wz_csv.h"
#include "wz_text.h"
#include "wz_xlsx.h"

#define CHUNK	(64 * 1024)	/* bytes per read(2) */
#define TAILPAD	8		/* room before r->in for a UTF-8 tail */
#define WCHUNK	(256 * 1024)	/* bytes per write(2), about: a filter
				 * that writes several rows per row read
				 * spends less time in the kernel */

#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL
/* Does the 8-byte word v hold the byte c?  (exact, SWAR) */
#define HASBYTE(v, c)	((((v) ^ (ONES * (c))) - ONES) & ~((v) ^ (ONES * (c))) & HIGHS)

struct qrow {
	size_t		first, n;	/* into fptr[], flen[], fplain[] */
	unsigned long	line, lines;
	int		bad;		/* 0, or why it is rejected */
	int		blank;		/* every field is empty */
	int		span;		/* struct wz_row's span */
	size_t		nfields;	/* as read, even past max_cols */
};

enum { BAD_NONE, BAD_ROWSIZE, BAD_COLS, BAD_FIELD };

struct wz_reader {
	int		 fd, ownfd;
	size_t		 chunk;		/* bytes per read() */
	char		*name;
	struct wz_ropts	 o;
	struct csv_parser p;
	iconv_t		 cd;

	unsigned char	*in;		/* raw input */
	size_t		 inlen;		/* bytes carried over */
	unsigned char	*conv;		/* converted input */
	size_t		 convcap;
	unsigned char	 tail[8];	/* incomplete UTF-8 carried over */
	size_t		 tailn;
	int		 eof, started, fatal, fatal_pending;
	int		 errstatus;
	char		*err;
	unsigned long	 errline;
	unsigned long	 rawline;	/* physical lines seen in input */
	size_t		 linebytes;	/* bytes since the last newline */

	/*
	 * The record queue: the fields' bytes back to back in the arena,
	 * and for each field its start, length and plainness, in the
	 * arrays a handed-out row points into.
	 */
	struct wz_buf	 arena;
	char		**fptr;
	size_t		*flen;
	unsigned char	*fplain;
	size_t		 nfields, capfields;
	struct qrow	*rows;
	size_t		 nrows, caprows, qhead;
	/* the record being built */
	size_t		 cur_first, cur_bytes, cur_nf;
	unsigned long	 cur_nl;	/* newlines inside its fields */
	int		 cur_bad, cur_blank;
	unsigned long	 line;		/* line the next record starts on */
	int		 pending_cr;
	/* libcsv is at the start of a record (see feed_csv) */
	int		 csv_start, csv_ended, nosplit;
	struct wz_buf	 unq;		/* a quoted field, undoubled */
	size_t		*cut;		/* split_plain: a line's commas */
	size_t		 capcut;
	/* TSV state */
	struct wz_buf	 tsvfield;
	int		 tsvesc;
	int		 tsvprev;	/* the raw byte before this one */

	/* handed out */
	struct wz_row	 hdr, row;
	int		 have_hdr;
	/* a workbook, when the first bytes say so */
	struct wz_xlsx	*xlsx;
	int		 probed;
	size_t		 pending;	/* bytes the probe read, not fed */
	unsigned long	 recno;
};

static void
set_err(struct wz_reader *r, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_err(struct wz_reader *r, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	free(r->err);
	va_start(ap, fmt);
	if (vasprintf(&r->err, fmt, ap) == -1)
		r->err = NULL;
	va_end(ap);
	r->errline = line;
}

/* For csv_set_space_func: no byte is a space to trim. */
static int
no_space(unsigned char c)
{
	(void)c;
	return 0;
}

/* libcsv grows its field buffer through this; refusing past the field
 * limit turns a runaway field into CSV_ENOMEM, which we report as such.
 * libcsv asks for 128 bytes more at a time: the buffer is grown by
 * doubling instead, or a field of megabytes costs tens of thousands of
 * copies where realloc cannot grow in place (under AddressSanitizer a
 * 100 MB field took minutes). */
static size_t field_limit_tls;
static void *
limited_realloc(void *p, size_t n)
{
	size_t have = p != NULL ? malloc_usable_size(p) : 0, want;

	if (n > field_limit_tls + 1024)
		return NULL;
	if (n <= have)
		return p;
	want = have > n / 2 ? have * 2 : n;
	if (want > field_limit_tls + 1024)
		want = field_limit_tls + 1024;
	return realloc(p, want);
}

static struct wz_reader *
reader_new(int fd, const char *name, const struct wz_ropts *o)
{
	struct wz_reader *r;
	const char *enc = o != NULL ? o->encoding : NULL;

	r = wz_calloc(1, sizeof(*r));
	if (o != NULL)
		r->o = *o;
	if (r->o.max_field == 0)
		r->o.max_field = WZ_MAX_FIELD_DEFAULT;
	if (r->o.max_row == 0)
		r->o.max_row = WZ_MAX_ROW_DEFAULT;
	if (r->o.max_cols == 0)
		r->o.max_cols = WZ_MAX_COLS_DEFAULT;
	r->cd = (iconv_t)-1;
	if (enc != NULL && strcasecmp(enc, "UTF-8") != 0 &&
	    strcasecmp(enc, "UTF8") != 0) {
		if (strcasecmp(enc, "GB18030") != 0 &&
		    strcasecmp(enc, "GBK") != 0 &&
		    strcasecmp(enc, "GB2312") != 0) {
			free(r);
			errno = EINVAL;
			return NULL;
		}
		r->cd = iconv_open("UTF-8", enc);
		if (r->cd == (iconv_t)-1) {
			free(r);
			errno = EINVAL;
			return NULL;
		}
	}
	r->fd = fd;
	r->name = wz_strdup(name);
	r->chunk = CHUNK;
	r->in = (unsigned char *)wz_malloc(TAILPAD + CHUNK + 16) + TAILPAD;
	r->line = 1;
	r->rawline = 1;
	r->cur_blank = 1;
	r->csv_start = 1;
	if (csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0)
		wz_die(EX_OSERR, NULL, 0, "out of memory");
	/*
	 * libcsv trims spaces and tabs around unquoted fields unless told
	 * that nothing is a space (NULL restores that default): RFC 4180
	 * keeps them, and a passthrough must give back " b " as it came.
	 * feed() lets the default run where it changes nothing.
	 */
	csv_set_space_func(&r->p, no_space);
	csv_set_realloc_func(&r->p, limited_realloc);
	return r;
}

struct wz_reader *
wz_reader_fdopen(int fd, const char *name, const struct wz_ropts *o)
{
	return reader_new(fd, name, o);
}

struct wz_reader *
wz_reader_open(const char *path, const struct wz_ropts *o)
{
	struct wz_reader *r;
	int fd;

	if (path == NULL || strcmp(path, "-") == 0)
		return reader_new(0, "<stdin>", o);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if ((r = reader_new(fd, path, o)) == NULL) {
		int e = errno;

		close(fd);
		errno = e;
		return NULL;
	}
	r->ownfd = 1;
	return r;
}

void
wz_reader_close(struct wz_reader *r)
{
	size_t i;

	if (r == NULL)
		return;
	if (r->ownfd)
		close(r->fd);
	if (r->cd != (iconv_t)-1)
		iconv_close(r->cd);
	csv_free(&r->p);
	wz_xlsx_close(r->xlsx);
	if (r->have_hdr) {
		for (i = 0; i < r->hdr.n; i++)
			free(r->hdr.f[i]);
		free(r->hdr.f);
		free(r->hdr.len);
	}
	free(r->in - TAILPAD);
	free(r->conv);
	free(r->err);
	free(r->name);
	free(r->fptr);
	free(r->flen);
	free(r->fplain);
	free(r->rows);
	wz_buf_free(&r->arena);
	wz_buf_free(&r->tsvfield);
	wz_buf_free(&r->unq);
	free(r->cut);
	free(r);
}

void
wz_reader_set_chunk(struct wz_reader *r, size_t n)
{
	if (n >= 8 && n <= CHUNK)
		r->chunk = n;
}

void
wz_reader_set_split(struct wz_reader *r, int on)
{
	r->nosplit = !on;
}

const char *
wz_reader_error(const struct wz_reader *r)
{
	return r->err != NULL ? r->err : "unknown error";
}

unsigned long
wz_reader_errline(const struct wz_reader *r)
{
	return r->errline;
}

int
wz_reader_errstatus(const struct wz_reader *r)
{
	return r->errstatus ? r->errstatus : EX_DATAERR;
}

const char *
wz_reader_name(const struct wz_reader *r)
{
	return r->name;
}

unsigned long
wz_reader_lines(const struct wz_reader *r)
{
	return r->line - 1;
}

/*
 * Copy n bytes and say what they hold, a word at a time: CP_NL if a
 * newline (the record spans lines), CP_SPECIAL if any byte a writer must
 * quote or escape (, " \\ or a control byte, which covers TAB CR LF).
 * This runs for every field, and a separate pass costs more than the
 * copy itself; the writer then copies a plain field without looking.
 */
#define CP_NL		1
#define CP_SPECIAL	2
/* Does v hold a byte below 0x20?  (exact, SWAR) */
#define HASCTL(v)	(((v) - ONES * 0x20) & ~(v) & HIGHS)
#define SPECIAL64(v)	(HASCTL(v) | HASBYTE(v, ',') | HASBYTE(v, '"') | \
			    HASBYTE(v, '\\'))

static inline int
copy_scan(char *d, const char *s, size_t n)
{
	uint64_t v, nl = 0, sp = 0;
	size_t i = 0;

#ifdef __SSE2__
	if (n >= 16) {
		const __m128i lf = _mm_set1_epi8('\n'), ctl = _mm_set1_epi8(
		    0x1f), cm = _mm_set1_epi8(','), qu = _mm_set1_epi8('"'),
		    bs = _mm_set1_epi8('\\');
		__m128i anl = _mm_setzero_si128(), asp = anl, x;

		for (;; i += 16) {
			if (i + 16 > n)
				i = n - 16;	/* the tail, overlapping */
			x = _mm_loadu_si128((const __m128i *)(s + i));
			_mm_storeu_si128((__m128i *)(d + i), x);
			anl = _mm_or_si128(anl, _mm_cmpeq_epi8(x, lf));
			asp = _mm_or_si128(asp, _mm_or_si128(_mm_or_si128(
			    _mm_cmpeq_epi8(_mm_min_epu8(x, ctl), x),
			    _mm_cmpeq_epi8(x, cm)), _mm_or_si128(
			    _mm_cmpeq_epi8(x, qu), _mm_cmpeq_epi8(x, bs))));
			if (i + 16 == n)
				break;
		}
		return (_mm_movemask_epi8(anl) ? CP_NL : 0) |
		    (_mm_movemask_epi8(asp) ? CP_SPECIAL : 0);
	}
#endif
	for (; i + 8 <= n; i += 8) {
		memcpy(&v, s + i, 8);
		memcpy(d + i, &v, 8);
		nl |= HASBYTE(v, '\n');
		sp |= SPECIAL64(v);
	}
	if (i == n)
		return (nl ? CP_NL : 0) | (sp ? CP_SPECIAL : 0);
	/*
	 * The tail, most of a short field: the last 8 (or 4 and 4) bytes
	 * again, overlapping what is done, rather than a byte at a time.
	 * The upper bytes of a 4-byte word are 0x80, which no test sees.
	 */
	if (n >= 8) {
		memcpy(&v, s + n - 8, 8);
		memcpy(d + n - 8, &v, 8);
	} else if (n >= 4) {
		uint32_t a, b;

		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		memcpy(d, &a, 4);
		memcpy(d + n - 4, &b, 4);
		v = a | (uint64_t)b << 32;
	} else {
		/* 1 to 3 bytes, padded with 0x80 */
		v = HIGHS;
		for (; i < n; i++) {
			d[i] = s[i];
			v = (v & ~(0xffULL << (8 * i))) |
			    (uint64_t)(unsigned char)s[i] << (8 * i);
		}
	}
	nl |= HASBYTE(v, '\n');
	sp |= SPECIAL64(v);
	return (nl ? CP_NL : 0) | (sp ? CP_SPECIAL : 0);
}

static unsigned long
count_byte_nl(const char *s, size_t n)
{
	const char *p = s, *e = s + n;
	unsigned long c = 0;

	while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		c++;
		p++;
	}
	return c;
}

/*
 * Make room for n more bytes in the arena, and point the fields already
 * in it at its new place.  They need not lie back to back: a run of
 * lines split_plain() copies at once keeps a CR and a blank line's end
 * as NULs that no field owns.
 */
static void
arena_grow(struct wz_reader *r, size_t n)
{
	uintptr_t old = (uintptr_t)r->arena.s;
	size_t i;

	wz_buf_reserve(&r->arena, n);
	if ((uintptr_t)r->arena.s == old)
		return;
	for (i = 0; i < r->nfields; i++)
		r->fptr[i] = r->arena.s + ((uintptr_t)r->fptr[i] - old);
}

static void
fields_grow(struct wz_reader *r, size_t nf)
{
	while (r->capfields - r->nfields < nf)
		r->capfields = r->capfields ? r->capfields * 2 : 256;
	r->fptr = wz_reallocarray(r->fptr, r->capfields, sizeof(*r->fptr));
	r->flen = wz_reallocarray(r->flen, r->capfields, sizeof(*r->flen));
	r->fplain = wz_realloc(r->fplain, r->capfields);
}

/* Room for nf more fields of n bytes in all (with their NULs); returns
 * where the first goes in the arena. */
static inline char *
room(struct wz_reader *r, size_t nf, size_t n)
{
	if (r->capfields - r->nfields < nf)
		fields_grow(r, nf);
	if (r->arena.cap - r->arena.len < n)
		arena_grow(r, n);
	return r->arena.s + r->arena.len;
}

/* Callbacks: one field, one end of record. */
static void
add_field(struct wz_reader *r, const char *s, size_t n)
{
	char *d;
	int k;

	r->cur_nf++;
	if (__builtin_expect(r->cur_bad || r->cur_nf > r->o.max_cols ||
	    n > r->o.max_field || n > r->o.max_row - r->cur_bytes, 0)) {
		if (r->cur_bad)
			;
		else if (r->cur_nf > r->o.max_cols)
			r->cur_bad = BAD_COLS;
		else if (n > r->o.max_field)
			r->cur_bad = BAD_FIELD;
		else
			r->cur_bad = BAD_ROWSIZE;
		if (!r->o.tsv)
			r->cur_nl += count_byte_nl(s, n);
		return;
	}
	r->cur_bytes += n + 1;
	d = room(r, 1, n + 1);
	r->fptr[r->nfields] = d;
	r->flen[r->nfields] = n;
	k = copy_scan(d, s, n);
	/* TSV fields hold newlines only as escapes. */
	if ((k & CP_NL) && !r->o.tsv)
		r->cur_nl += count_byte_nl(s, n);
	r->fplain[r->nfields++] = !(k & CP_SPECIAL);
	r->cur_blank &= n == 0;
	r->arena.len += n;
	r->arena.s[r->arena.len++] = '\0';
}

/* Queue the fields added since the last record as one record. */
static void
queue_row(struct wz_reader *r, size_t nfields, unsigned long line,
    unsigned long lines)
{
	struct qrow *q;

	if (r->nrows == r->caprows) {
		r->caprows = r->caprows ? r->caprows * 2 : 64;
		r->rows = wz_reallocarray(r->rows, r->caprows,
		    sizeof(*r->rows));
	}
	q = &r->rows[r->nrows++];
	q->first = r->cur_first;
	q->n = r->nfields - r->cur_first;
	q->nfields = nfields;
	q->line = line;
	q->lines = lines;
	q->bad = r->cur_bad;
	q->blank = r->cur_blank;
	q->span = 0;	/* not known: a writer looks (one_span) */
}

/* Start the next record's state. */
static void
row_reset(struct wz_reader *r)
{
	r->cur_first = r->nfields;
	r->cur_nf = 0;
	r->cur_nl = 0;
	r->cur_bytes = 0;
	r->cur_bad = 0;
	r->cur_blank = 1;
}

static void
end_record(struct wz_reader *r, int c)
{
	if (r->cur_nf == 0) {
		/* A blank line, or the LF of a CRLF. */
		if (c == '\n' && r->pending_cr)
			r->pending_cr = 0;
		else if (c == '\n' || c == '\r') {
			r->line++;
			r->pending_cr = c == '\r';
		}
		return;
	}
	queue_row(r, r->cur_nf, r->line, 1 + r->cur_nl);
	r->line += r->cur_nl + (c == '\n' || c == '\r' ? 1 : 0);
	r->pending_cr = c == '\r';
	row_reset(r);
}

static void
cb_field(void *s, size_t n, void *data)
{
	add_field(data, s != NULL ? s : "", n);
}

static void
cb_record(int c, void *data)
{
	struct wz_reader *r = data;

	r->csv_ended = 1;
	end_record(r, c);
}

static unsigned long
count_nl(const unsigned char *s, size_t n, size_t *since)
{
	const unsigned char *p = s, *e = s + n, *q;
	unsigned long c = 0;

	while ((q = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		c++;
		p = q + 1;
	}
	if (c == 0)
		*since += n;
	else
		*since = (size_t)(e - p);
	return c;
}

/*
 * Would libcsv's default space handling change anything in s?  It skips
 * spaces and tabs before a field and drops them after an unquoted field
 * or a closing quote, so only a space or tab next to a comma, a quote, a
 * line end or an edge of the chunk (the parser's state runs on into the
 * next one) can be lost.  Where none is, the default reads the same
 * fields, and its inline test is cheaper than no_space(), an indirect
 * call for every byte that starts a field or follows a quote: about a
 * fifth of a passthrough's time.
 */
static int
spaces_matter(const unsigned char *s, size_t n)
{
	static const unsigned char edge[256] = {
		[','] = 1, ['"'] = 1, ['\r'] = 1, ['\n'] = 1
	};
	const unsigned char *p, *q, *e = s + n;
	int k;

	for (k = 0; k < 2; k++) {
		for (p = s; (q = memchr(p, k ? '\t' : ' ',
		    (size_t)(e - p))) != NULL; p = q + 1)
			if (q == s || q == e - 1 || edge[q[-1]] || edge[q[1]])
				return 1;
	}
	return 0;
}

/* Is this the start of GB18030 text?  Used only to word a hint. */
static int
looks_gb18030(const unsigned char *s, size_t n)
{
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	char out[64], *ip = (char *)s, *op = out;
	size_t il = n < 16 ? n : 16, ol = sizeof(out), rc;

	if (cd == (iconv_t)-1)
		return 0;
	rc = iconv(cd, &ip, &il, &op, &ol);
	iconv_close(cd);
	return rc != (size_t)-1 || errno == EINVAL || (op - out) >= 6;
}

/* Does byte c keep a field from being plain (struct wz_row), where
 * the separator and, in CSV, quotes are known to be absent? */
static inline int
special_byte(unsigned char c, int tsv)
{
	return c < 0x20 || c == '\\' || (tsv && (c == ',' || c == '"'));
}

static int
has_special(const char *s, size_t n, int tsv)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (special_byte((unsigned char)s[i], tsv))
			return 1;
	return 0;
}

/*
 * Copy n bytes with each separator (a comma, or a TAB in TSV) made a
 * NUL: a line's fields, back to back with their NULs, as the arena keeps
 * them.  Returns nonzero if a byte that makes a field not plain is among
 * them: a control byte or a backslash, and in TSV a comma or a quote too
 * (in CSV there is no quote here, and the commas go).
 */
static inline int
copy_cut(char *d, const unsigned char *s, size_t n, int tsv)
{
	const unsigned char sep = tsv ? '\t' : ',';
	size_t i = 0;
	int sp = 0;

#ifdef __SSE2__
	if (n >= 16) {
		const __m128i cut = _mm_set1_epi8((char)sep), ctl =
		    _mm_set1_epi8(0x1f), bs = _mm_set1_epi8('\\'), cm =
		    _mm_set1_epi8(','), qu = _mm_set1_epi8('"');
		__m128i acc = _mm_setzero_si128(), x, c, bad;

		for (;; i += 16) {
			if (i + 16 > n)
				i = n - 16;	/* the tail, overlapping */
			x = _mm_loadu_si128((const __m128i *)(s + i));
			c = _mm_cmpeq_epi8(x, cut);
			_mm_storeu_si128((__m128i *)(d + i), _mm_andnot_si128(c,
			    x));
			bad = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(x, ctl),
			    x), _mm_cmpeq_epi8(x, bs));
			if (tsv)	/* a constant where this is inlined */
				bad = _mm_or_si128(bad, _mm_or_si128(
				    _mm_cmpeq_epi8(x, cm), _mm_cmpeq_epi8(x,
				    qu)));
			acc = _mm_or_si128(acc, tsv ? _mm_andnot_si128(c, bad) :
			    bad);
			if (i + 16 == n)
				break;
		}
		return _mm_movemask_epi8(acc) != 0;
	}
#endif
	for (; i < n; i++) {
		d[i] = s[i] == sep ? '\0' : (char)s[i];
		if (s[i] != sep)
			sp |= special_byte(s[i], tsv);
	}
	return sp;
}

/*
 * Queue the fields of s[ls, e), cut at the nc separators whose places
 * are in r->cut, as one record's, without ending it; at a record's
 * start.  What add_field() would do field by field is done for the line
 * at once: one copy, and limits checked on the whole (a line within them
 * has no field over them).  Returns 0, doing nothing, for a line over a
 * limit.  Inlined by force, so that each caller's copy knows whether it
 * is TSV.
 */
static inline __attribute__((always_inline)) int
queue_line(struct wz_reader *r, const unsigned char *s, size_t ls,
    size_t e, size_t nc, int tsv)
{
	size_t n = e - ls, nf = nc + 1, k, start, len;
	char *d;
	int sp;

	if (r->cur_nf != 0 || nf > r->o.max_cols || n > r->o.max_field ||
	    n > r->o.max_row)
		return 0;
	d = room(r, nf, n + 1);
	sp = copy_cut(d, s + ls, n, tsv);
	d[n] = '\0';
	for (k = 0, start = ls; k <= nc; k++) {
		len = (k < nc ? r->cut[k] : e) - start;
		r->fptr[r->nfields] = d + (start - ls);
		r->flen[r->nfields] = len;
		r->fplain[r->nfields++] = !sp || !has_special(d + (start - ls),
		    len, tsv);
		start += len + 1;
	}
	r->arena.len += n + 1;
	r->cur_nf = nf;
	r->cur_bytes = n + 1;
	r->cur_blank = n == nc;
	return 1;
}

/* Note the separator at s[at] in r->cut[nc]. */
static inline void
cut_at(struct wz_reader *r, size_t nc, size_t at)
{
	if (nc == r->capcut) {
		r->capcut = r->capcut ? r->capcut * 2 : 64;
		r->cut = wz_reallocarray(r->cut, r->capcut, sizeof(*r->cut));
	}
	r->cut[nc] = at;
}

/*
 * A TSV line from s[ls], at a record's start, if it can be queued at
 * once: it ends in the chunk, has no backslash (an escape) and is within
 * the limits.  Returns where the next line starts, or 0 if it is left to
 * the byte loop.  A CR before the LF is dropped, as the byte loop does; a
 * line with nothing else is blank.  *bs is where the next backslash is
 * (SIZE_MAX: not looked for yet).
 */
static size_t
tsv_line(struct wz_reader *r, const unsigned char *s, size_t ls, size_t n,
    size_t *bs)
{
	const unsigned char *q;
	size_t nl, e, i, nc = 0;

	q = memchr(s + ls, '\n', n - ls);
	if (q == NULL)
		return 0;
	nl = (size_t)(q - s);
	if (*bs == SIZE_MAX || *bs < ls) {
		q = memchr(s + ls, '\\', n - ls);
		*bs = q != NULL ? (size_t)(q - s) : n;
	}
	if (*bs < nl)
		return 0;
	e = nl > ls && s[nl - 1] == '\r' ? nl - 1 : nl;
	for (i = ls; (q = memchr(s + i, '\t', e - i)) != NULL; i = (size_t)(q -
	    s) + 1)
		cut_at(r, nc++, (size_t)(q - s));
	if (e == ls && nc == 0)
		;	/* blank */
	else if (!queue_line(r, s, ls, e, nc, 1))
		return 0;
	end_record(r, '\n');
	return nl + 1;
}

/* TSV: split on tab and newline, undo \t \n \r \\ escapes. */
static void
tsv_parse(struct wz_reader *r, const unsigned char *s, size_t n)
{
	size_t i, start, nl, bs = SIZE_MAX;
	unsigned char c;

	for (i = 0; i < n; r->tsvprev = s[i++]) {
		if (r->cur_nf == 0 && r->tsvfield.len == 0 && !r->tsvesc &&
		    !r->nosplit && (nl = tsv_line(r, s, i, n, &bs)) > 0) {
			i = nl - 1;	/* the LF: the loop steps over it */
			continue;
		}
		c = s[i];
		if (r->tsvesc) {
			r->tsvesc = 0;
			switch (c) {
			case 't': wz_buf_addc(&r->tsvfield, '\t'); break;
			case 'n': wz_buf_addc(&r->tsvfield, '\n'); break;
			case 'r': wz_buf_addc(&r->tsvfield, '\r'); break;
			case '\\': wz_buf_addc(&r->tsvfield, '\\'); break;
			default:
				wz_buf_addc(&r->tsvfield, '\\');
				wz_buf_addc(&r->tsvfield, c);
			}
			continue;
		}
		if (c == '\\') {
			r->tsvesc = 1;
			continue;
		}
		if (c == '\t') {
			add_field(r, r->tsvfield.s ? r->tsvfield.s : "",
			    r->tsvfield.len);
			wz_buf_reset(&r->tsvfield);
			continue;
		}
		if (c == '\n') {
			/* A raw CR before the LF ends the line; "\\r" stays. */
			if (r->tsvprev == '\r' && r->tsvfield.len > 0)
				r->tsvfield.len--;
			if (r->tsvfield.len > 0 || r->cur_nf > 0)
				add_field(r, r->tsvfield.s ? r->tsvfield.s :
				    "", r->tsvfield.len);
			wz_buf_reset(&r->tsvfield);
			end_record(r, '\n');
			continue;
		}
		/* Copy a run of ordinary bytes at once. */
		start = i;
		while (i + 1 < n && s[i + 1] != '\t' && s[i + 1] != '\n' &&
		    s[i + 1] != '\\')
			i++;
		wz_buf_add(&r->tsvfield, s + start, i - start + 1);
		if (r->tsvfield.len > r->o.max_field) {
			r->fatal_pending = 1;
			return;
		}
	}
}

/*
 * A line of split_plain()'s over a limit, s[ls, at), its fields not
 * queued: field by field through add_field(), which says which limit.
 */
static void
plain_line_slow(struct wz_reader *r, const unsigned char *s, size_t ls,
    size_t at)
{
	const unsigned char *q;

	while ((q = memchr(s + ls, ',', at - ls)) != NULL) {
		add_field(r, (const char *)s + ls, (size_t)(q - s) - ls);
		ls = (size_t)(q - s) + 1;
	}
	add_field(r, (const char *)s + ls, at - ls);
	end_record(r, s[at]);
}

/* What split_plain() carries from one block of bytes to the next. */
struct plain_run {
	const unsigned char *s;		/* the run */
	char		*d;		/* its copy in the arena */
	char		**fp;		/* r->fptr, r->flen, r->fplain */
	size_t		*fl;
	unsigned char	*fpl;
	size_t		 base;		/* d's offset in the arena */
	size_t		 fs, ls;	/* where the field, the line began */
	size_t		 nf, lf;	/* fields; the line's first */
	int		 dirty;		/* the field holds a special byte */
	int		 rowdirty;	/* a field of the line did */
};

/* Reload what add_field() or fields_grow() may have moved. */
static inline void
plain_reload(struct wz_reader *r, struct plain_run *p)
{
	p->d = r->arena.s + p->base;
	p->fp = r->fptr;
	p->fl = r->flen;
	p->fpl = r->fplain;
}

/* Room for 64 more fields, a block's worth, before a block is walked. */
static inline void
plain_room(struct wz_reader *r, struct plain_run *p)
{
	if (r->capfields - p->nf < 64) {
		r->nfields = p->nf;
		fields_grow(r, 64);
		plain_reload(r, p);
	}
}

/*
 * The line end at p->s[at], its last field noted already: a blank line
 * (one empty field, taken back), a record, or a line over a limit.
 */
static inline __attribute__((always_inline)) void
plain_eol(struct wz_reader *r, struct plain_run *p, size_t at)
{
	struct qrow *q;
	size_t nf = p->nf, lf = p->lf, ls = p->ls;

	if (nf - lf == 1 && at == ls) {
		p->nf = r->nfields = lf;
		end_record(r, p->s[at]);
	} else if (__builtin_expect(nf - lf > r->o.max_cols ||
	    at - ls > r->o.max_field || at - ls > r->o.max_row, 0)) {
		r->nfields = r->cur_first = lf;
		plain_line_slow(r, p->s, ls, at);
		p->nf = r->nfields;
		plain_reload(r, p);
		plain_room(r, p);
	} else {
		if (r->nrows == r->caprows) {
			r->caprows = r->caprows ? r->caprows * 2 : 64;
			r->rows = wz_reallocarray(r->rows, r->caprows,
			    sizeof(*r->rows));
		}
		q = &r->rows[r->nrows++];
		q->first = lf;
		q->n = q->nfields = nf - lf;
		q->line = r->line++;
		q->lines = 1;
		q->bad = 0;
		/* every field empty: as many commas as bytes */
		q->blank = at - ls == nf - lf - 1;
		/* the line's fields, each after the last's NUL */
		q->span = !p->rowdirty;
		r->pending_cr = p->s[at] == '\r';
	}
	p->ls = at + 1;
	p->lf = p->nf;
	p->rowdirty = 0;
}

/*
 * One block of the run at s[j]: m has a bit for each separator (comma,
 * CR, LF), e for each line end among them, sp for each byte that keeps a
 * field from being plain (a control byte that is not a line end, or a
 * backslash).  Bits below the first new byte are clear.
 */
static inline __attribute__((always_inline)) void
plain_block(struct wz_reader *r, struct plain_run *p, size_t j, uint64_t m,
    uint64_t e, uint64_t sp)
{
	uint64_t c, lo;
	size_t at;

	if (__builtin_expect(sp != 0 || p->dirty, 0)) {
		/* Charge each special byte to the field it is in. */
		for (; m != 0; m &= m - 1) {
			at = j + (size_t)__builtin_ctzll(m);
			lo = (2ULL << (at - j)) - 1;	/* up to at */
			p->dirty |= (sp & lo) != 0;
			sp &= ~lo;
			p->fp[p->nf] = p->d + p->fs;
			p->fl[p->nf] = at - p->fs;
			p->fpl[p->nf++] = !p->dirty;
			p->rowdirty |= p->dirty;
			p->dirty = 0;
			p->fs = at + 1;
			if (e & (lo ^ (lo >> 1)))
				plain_eol(r, p, at);
		}
		p->dirty |= sp != 0;
		return;
	}
	while (m != 0) {
		/*
		 * The commas before the next line end, then that end.  In
		 * locals: a store to fpl[] (a char) could change anything
		 * in *p, which would be read again after each.
		 */
		char *d = p->d, **fp = p->fp;
		size_t *fl = p->fl, nf = p->nf, fs = p->fs;
		unsigned char *fpl = p->fpl;

		lo = e != 0 ? (e & -e) - 1 : ~0ULL;
		for (c = m & lo; c != 0; c &= c - 1) {
			at = j + (size_t)__builtin_ctzll(c);
			fp[nf] = d + fs;
			fl[nf] = at - fs;
			fpl[nf++] = 1;
			fs = at + 1;
		}
		if (e == 0) {
			p->nf = nf;
			p->fs = fs;
			return;
		}
		at = j + (size_t)__builtin_ctzll(e);
		fp[nf] = d + fs;
		fl[nf] = at - fs;
		fpl[nf++] = 1;
		p->nf = nf;
		p->fs = at + 1;
		plain_eol(r, p, at);
		m &= ~(lo << 1 | 1);
		e &= e - 1;
	}
}

/* The start of a run: its copy's room in the arena. */
static inline void
plain_start(struct wz_reader *r, struct plain_run *p, const unsigned char *s,
    size_t n)
{
	p->s = s;
	p->base = r->arena.len;
	if (r->arena.cap - p->base <= n)
		arena_grow(r, n);
	r->arena.len = p->base + n;
	p->nf = p->lf = r->nfields;
	p->fs = p->ls = 0;
	p->dirty = p->rowdirty = 0;
	plain_reload(r, p);
}

/* The k bytes at s[j] (k <= 32) a byte at a time: a run shorter than a
 * block. */
static inline void
plain_bytes(struct wz_reader *r, struct plain_run *p, size_t j, size_t k)
{
	uint32_t m = 0, e = 0, sp = 0;
	size_t i;
	unsigned char c;

	for (i = 0; i < k; i++) {
		c = p->s[j + i];
		if (c == ',' || c == '\n' || c == '\r') {
			m |= 1u << i;
			e |= (uint32_t)(c != ',') << i;
			p->d[j + i] = '\0';
		} else {
			sp |= (uint32_t)(c < 0x20 || c == '\\') << i;
			p->d[j + i] = (char)c;
		}
	}
	plain_room(r, p);
	plain_block(r, p, j, m, e, sp);
}

#ifdef __SSE2__
/* Classify and copy the 16 bytes at s[j] (to d[j]); bits below `from`
 * are cleared. */
static inline __attribute__((always_inline)) void
plain_sse2(struct wz_reader *r, struct plain_run *p, size_t j, size_t from)
{
	const __m128i cm = _mm_set1_epi8(','), lfv = _mm_set1_epi8('\n'),
	    cr = _mm_set1_epi8('\r'), ctl = _mm_set1_epi8(0x1f),
	    bs = _mm_set1_epi8('\\');
	__m128i x, c, l;
	uint32_t m, e, sp, keep = ~0u << (from - j);

	x = _mm_loadu_si128((const __m128i *)(p->s + j));
	l = _mm_or_si128(_mm_cmpeq_epi8(x, lfv), _mm_cmpeq_epi8(x, cr));
	c = _mm_or_si128(_mm_cmpeq_epi8(x, cm), l);
	_mm_storeu_si128((__m128i *)(p->d + j), _mm_andnot_si128(c, x));
	m = (uint32_t)_mm_movemask_epi8(c);
	e = (uint32_t)_mm_movemask_epi8(l);
	sp = (uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(
	    _mm_min_epu8(x, ctl), x), _mm_cmpeq_epi8(x, bs))) & ~m;
	plain_room(r, p);
	plain_block(r, p, j, m & keep, e & keep, sp & keep);
}

static void
split_plain_sse2(struct wz_reader *r, const unsigned char *s, size_t n)
{
	struct plain_run p;
	size_t i;

	plain_start(r, &p, s, n);
	if (n < 16) {
		plain_bytes(r, &p, 0, n);
	} else {
		for (i = 0; i + 16 <= n; i += 16)
			plain_sse2(r, &p, i, i);
		if (i < n)	/* the last 16 bytes, overlapping */
			plain_sse2(r, &p, n - 16, i);
	}
	r->nfields = r->cur_first = p.nf;
}
#endif

#if defined(__x86_64__) && defined(__GNUC__)
/*
 * Classify and copy the 32 bytes at s[j]: their separators (m), line
 * ends (e) and special bytes (sp).
 */
__attribute__((target("avx2")))
static inline __attribute__((always_inline)) void
plain_avx2_32(const unsigned char *s, char *d, uint32_t *m, uint32_t *e,
    uint32_t *sp)
{
	const __m256i cm = _mm256_set1_epi8(','), lfv = _mm256_set1_epi8(
	    '\n'), cr = _mm256_set1_epi8('\r'), ctl = _mm256_set1_epi8(0x1f),
	    bs = _mm256_set1_epi8('\\');
	__m256i x, c, l;

	x = _mm256_loadu_si256((const __m256i *)s);
	l = _mm256_or_si256(_mm256_cmpeq_epi8(x, lfv), _mm256_cmpeq_epi8(x,
	    cr));
	c = _mm256_or_si256(_mm256_cmpeq_epi8(x, cm), l);
	_mm256_storeu_si256((__m256i *)d, _mm256_andnot_si256(c, x));
	*m = (uint32_t)_mm256_movemask_epi8(c);
	*e = (uint32_t)_mm256_movemask_epi8(l);
	*sp = (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(
	    _mm256_cmpeq_epi8(_mm256_min_epu8(x, ctl), x),
	    _mm256_cmpeq_epi8(x, bs))) & ~*m;
}

/* The 64 bytes at s[j] as one block, where the CPU has AVX2: a walk of
 * 64-bit masks costs little more than one of 32-bit ones. */
__attribute__((target("avx2")))
static inline __attribute__((always_inline)) void
plain_avx2(struct wz_reader *r, struct plain_run *p, size_t j, size_t from)
{
	uint32_t m0, e0, s0, m1, e1, s1;
	uint64_t keep = ~0ULL << (from - j);

	plain_avx2_32(p->s + j, p->d + j, &m0, &e0, &s0);
	plain_avx2_32(p->s + j + 32, p->d + j + 32, &m1, &e1, &s1);
	plain_room(r, p);
	plain_block(r, p, j, (m0 | (uint64_t)m1 << 32) & keep,
	    (e0 | (uint64_t)e1 << 32) & keep,
	    (s0 | (uint64_t)s1 << 32) & keep);
}

/* With BMI too (which the CPUs with AVX2 have, but it is asked for):
 * tzcnt and blsr find a separator in two instructions less. */
__attribute__((target("avx2,bmi")))
static void
split_plain_avx2(struct wz_reader *r, const unsigned char *s, size_t n)
{
	struct plain_run p;
	size_t i;

	if (n < 64) {
		split_plain_sse2(r, s, n);
		return;
	}
	plain_start(r, &p, s, n);
	for (i = 0; i + 64 <= n; i += 64)
		plain_avx2(r, &p, i, i);
	if (i < n)	/* the last 64 bytes, overlapping */
		plain_avx2(r, &p, n - 64, i);
	r->nfields = r->cur_first = p.nf;
}
#endif

/*
 * Split s, whole records none of which holds a quote, as libcsv would
 * (with spaces kept: see feed()) and queue what its callbacks would, in
 * the same order; s ends with a CR or LF.  libcsv spends most of a
 * passthrough stepping its state machine a byte at a time; here the only
 * bytes that matter, commas and line ends, are found 64 (or 16) at a
 * time.  The states are libcsv's: at a line end, a record whose first
 * field has not begun (a blank line, or the LF of a CRLF) is only
 * reported (CSV_REPALL_NL); one after a comma gets its empty last field.
 *
 * One pass does it all: each block is copied to the arena with its
 * commas, CRs and LFs made NULs (the whole run at once, so each field's
 * bytes are in place with its NUL), and each separator found ends a
 * field, noted in the queue's arrays then and there; a line end queues
 * the record.  Bytes that keep a field from being plain (a control byte
 * or a backslash) are found in the same block and charged to the field
 * they fall in.  A line over a limit is taken back and goes field by
 * field through add_field(), which says which limit it broke.
 */
static void
split_plain(struct wz_reader *r, const unsigned char *s, size_t n)
{
#if defined(__x86_64__) && defined(__GNUC__)
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi")) {
		split_plain_avx2(r, s, n);
		return;
	}
#endif
#ifdef __SSE2__
	split_plain_sse2(r, s, n);
#else
	struct plain_run p;
	size_t i;

	plain_start(r, &p, s, n);
	for (i = 0; i < n; i += 16)
		plain_bytes(r, &p, i, n - i < 16 ? n - i : 16);
	r->nfields = r->cur_first = p.nf;
#endif
}

/* The first comma, quote, CR or LF in s[i, n): n if none. */
static size_t
next_special(const unsigned char *s, size_t i, size_t n)
{
#ifdef __SSE2__
	const __m128i cm = _mm_set1_epi8(','), qu = _mm_set1_epi8('"'),
	    lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
	__m128i x;
	unsigned m;

	for (; n - i >= 16; i += 16) {
		x = _mm_loadu_si128((const __m128i *)(s + i));
		m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(
		    _mm_cmpeq_epi8(x, cm), _mm_cmpeq_epi8(x, qu)),
		    _mm_or_si128(_mm_cmpeq_epi8(x, lf), _mm_cmpeq_epi8(x,
		    cr))));
		if (m != 0)
			return i + (size_t)__builtin_ctz(m);
	}
#endif
	for (; i < n; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			break;
	return i;
}

/*
 * The nf fields of one record of split_quoted()'s, s[at[f]] for len[f]
 * bytes each, of the kind in kind[f] (SQ_BARE, SQ_QUOTED, SQ_DOUBLED: with
 * doubled quotes, the first of each pair at s[pair[x]]), in a record of
 * span bytes within every limit (so no field is over one: a field's bytes
 * and the separators after it are in the span).  What add_field() would
 * do for each, without its checks and its call: one reservation, and
 * each field copied and scanned for special bytes and newlines.  A run
 * of unquoted fields, which lie back to back a comma apart and hold no
 * quote, CR or LF, is copied at once with its commas made NULs, as
 * queue_line() copies a line: most of a record's fields are short, and a
 * call each cost more than the copy.
 */
#define SQ_BARE		0
#define SQ_QUOTED	1
#define SQ_DOUBLED	2
#define SQ_PAIRS	64	/* doubled quotes noted in a record */
static void
quoted_fields(struct wz_reader *r, const unsigned char *s, const size_t *at,
    const size_t *len, const unsigned char *kind, size_t nf, size_t span,
    const size_t *pair, size_t npair)
{
	char *d, *d0;
	size_t f, g, j, k, e, n, x = 0, i = r->nfields;
	int blank = 1, cp, sp;

	d0 = d = room(r, nf, span + nf + 1);
	for (f = 0; f < nf; f++, i++) {
		if (kind[f] == SQ_BARE) {
			for (g = f; g + 1 < nf && kind[g + 1] == SQ_BARE; g++)
				;
			n = at[g] + len[g] - at[f];
			sp = copy_cut(d, s + at[f], n, 0);
			d[n] = '\0';
			for (;; f++, i++) {
				r->fptr[i] = d;
				r->flen[i] = len[f];
				r->fplain[i] = !sp ||
				    !has_special(d, len[f], 0);
				blank &= len[f] == 0;
				d += len[f] + 1;
				if (f == g)
					break;
			}
			continue;
		}
		if (kind[f] == SQ_QUOTED) {
			n = len[f];
			cp = copy_scan(d, (const char *)s + at[f], n);
		} else {
			/* "" is one quote: the pieces up to and with the
			 * first of each pair, which split_quoted() noted */
			for (n = 0, j = at[f], e = at[f] + len[f]; x < npair &&
			    pair[x] < e; x++) {
				k = pair[x];
				memcpy(d + n, s + j, k + 1 - j);
				n += k + 1 - j;
				j = k + 2;
			}
			memcpy(d + n, s + j, e - j);
			n += e - j;
			cp = CP_SPECIAL | (memchr(d, '\n', n) != NULL ?
			    CP_NL : 0);
		}
		if (cp & CP_NL)
			r->cur_nl += count_byte_nl(d, n);
		r->fptr[i] = d;
		r->flen[i] = n;
		r->fplain[i] = !(cp & CP_SPECIAL);
		blank &= n == 0;
		d[n] = '\0';
		d += n + 1;
	}
	r->nfields = i;
	r->cur_nf = nf;
	r->cur_bytes = (size_t)(d - d0);
	r->cur_blank = blank;
	r->arena.len += (size_t)(d - d0);
}

/*
 * One record from s[pos], where libcsv is at a record's start, with its
 * quoted fields (which may hold commas, line ends and doubled quotes),
 * making libcsv's callbacks; returns where the next record starts.  It
 * gives up, returning pos and making no call, on anything that is not
 * plain: a quote inside an unquoted field, text after a closing quote (in
 * both libcsv reports an error), a record that does not end before lim,
 * or more fields or doubled quotes than it keeps track of.  libcsv then
 * parses the same bytes.
 */
#define SQ_FIELDS	256
static size_t
split_quoted(struct wz_reader *r, const unsigned char *s, size_t pos,
    size_t lim)
{
	size_t at[SQ_FIELDS], len[SQ_FIELDS], i = pos, j, k, e, nf = 0, f;
	size_t pair[SQ_PAIRS], npair = 0;
	unsigned char kind[SQ_FIELDS];
	const unsigned char *q;
	int c;

	if (s[pos] == '\n' || s[pos] == '\r') {
		end_record(r, s[pos]);	/* a blank line: CSV_REPALL_NL */
		return pos + 1;
	}
	for (;;) {
		if (nf == SQ_FIELDS || i >= lim)
			return pos;
		if (s[i] == '"') {
			kind[nf] = SQ_QUOTED;
			for (j = i + 1;; j = k + 2) {
				q = memchr(s + j, '"', lim - j);
				if (q == NULL)
					return pos;
				k = (size_t)(q - s);
				if (k + 1 < lim && s[k + 1] == '"') {
					if (npair == SQ_PAIRS)
						return pos;
					kind[nf] = SQ_DOUBLED;
					pair[npair++] = k;
				} else
					break;
			}
			at[nf] = i + 1;
			len[nf++] = k - i - 1;
			i = k + 1;
			if (i >= lim || (s[i] != ',' && s[i] != '\n' &&
			    s[i] != '\r'))
				return pos;
		} else {
			j = next_special(s, i, lim);
			if (j >= lim || s[j] == '"')
				return pos;
			kind[nf] = SQ_BARE;
			at[nf] = i;
			len[nf++] = j - i;
			i = j;
		}
		if (s[i] != ',')
			break;
		i++;
	}
	c = s[i];
	if (nf <= r->o.max_cols && i - pos <= r->o.max_field &&
	    i - pos <= r->o.max_row) {
		quoted_fields(r, s, at, len, kind, nf, i - pos, pair, npair);
		end_record(r, c);
		return i + 1;
	}
	for (f = 0; f < nf; f++) {
		if (kind[f] != SQ_DOUBLED) {
			add_field(r, (const char *)s + at[f], len[f]);
			continue;
		}
		/* "" is one quote: copy up to and with the first of each */
		wz_buf_reset(&r->unq);
		for (j = at[f], e = at[f] + len[f]; j < e; j = k + 2) {
			q = memchr(s + j, '"', e - j);
			k = q != NULL ? (size_t)(q - s) : e - 1;
			wz_buf_add(&r->unq, (const char *)s + j, k + 1 - j);
		}
		add_field(r, r->unq.s, r->unq.len);
	}
	end_record(r, c);
	return i + 1;
}

/* Where c next occurs in s[from, n): n if nowhere. */
static size_t
next_at(const unsigned char *s, size_t from, size_t n, int c)
{
	const unsigned char *q = memchr(s + from, c, n - from);

	return q != NULL ? (size_t)(q - s) : n;
}

/*
 * Parse s: through split_plain() where libcsv is at the start of a
 * record and whole lines follow without a quote, through libcsv a line
 * at a time from a line with a quote until a record ends, and through
 * libcsv at once for the rest of a chunk whose lines mostly hold quotes.
 * libcsv is known to be at a record's start after a line it parsed only
 * if that line's end (its only CR or LF) ended a record: a call of
 * cb_record.  The split is made only in runs of at most --max-field
 * bytes, so that no field it passes on is one libcsv would refuse.
 * Returns how many bytes were parsed: n, or less where libcsv stopped.
 */
static size_t
feed_csv(struct wz_reader *r, const unsigned char *s, size_t n)
{
	size_t pos = 0, q, lf, cr, e, lim, done;
	const unsigned char *t;
	int slow = 0, one;

	/* The next quote, LF and CR; the line ends are looked for only
	 * where libcsv takes a line (most records do not go there). */
	q = next_at(s, 0, n, '"');
	lf = cr = 0;
	while (pos < n) {
		if (q < pos)
			q = next_at(s, pos, n, '"');
		if (r->csv_start) {
			/* runs of at most --max-field bytes (see above) */
			lim = n - pos > r->o.max_field ? pos + r->o.max_field :
			    n;
			e = q < lim ? q : lim;
			t = e > pos ? memrchr(s + pos, '\n', e - pos) : NULL;
			if (t != NULL) {
				e = (size_t)(t - s) + 1;
				split_plain(r, s + pos, e - pos);
				pos = e;
				slow = 0;
				continue;
			}
			if (slow < 8 && (e = split_quoted(r, s, pos, lim)) >
			    pos) {
				pos = e;
				slow = 0;
				continue;
			}
		}
		/* One line through libcsv, or the rest of the chunk if lines
		 * with quotes keep coming or no line end follows. */
		if (lf <= pos)	/* not looked for, or passed */
			lf = next_at(s, pos, n, '\n');
		if (cr <= pos)
			cr = next_at(s, pos, n, '\r');
		e = lf < cr ? lf : cr;
		one = e < n && slow < 8;
		e = one ? e + 1 : n;
		slow++;
		r->csv_ended = 0;
		/* Spaces are looked at only in the bytes libcsv parses (see
		 * feed()): an edge of them is an edge of a chunk to it. */
		csv_set_space_func(&r->p, spaces_matter(s + pos, e - pos) ?
		    no_space : NULL);
		done = csv_parse(&r->p, s + pos, e - pos, cb_field, cb_record,
		    r);
		if (done != e - pos)
			return pos + done;
		r->csv_start = one && r->csv_ended;
		pos = e;
	}
	return n;
}

/* Feed validated text to the parser.  Returns -1 on a fatal error. */
static int
feed(struct wz_reader *r, const unsigned char *s, size_t n)
{
	size_t done, since;
	unsigned long l;

	if (n == 0)
		return 0;
	if (r->o.tsv) {
		tsv_parse(r, s, n);
		if (r->fatal_pending) {
			set_err(r, r->line, "field longer than %zu bytes "
			    "(--max-field)", r->o.max_field);
			return -1;
		}
		return 0;
	}
	field_limit_tls = r->o.max_field;
	/*
	 * Where spaces do not matter, libcsv's default keeps them as
	 * no_space() does, and so does split_plain(): either way the
	 * fields are the same.  The test holds for any bytes libcsv is
	 * handed at once, its state carried in and out at their edges:
	 * feed_csv() makes it for each piece it gives libcsv, most
	 * records going round it.
	 */
	if (r->nosplit) {
		csv_set_space_func(&r->p, spaces_matter(s, n) ? no_space :
		    NULL);
		done = csv_parse(&r->p, s, n, cb_field, cb_record, r);
	} else
		done = feed_csv(r, s, n);
	if (done == n)
		return 0;
	since = 0;
	l = r->rawline + count_nl(s, done, &since);
	if (csv_error(&r->p) == CSV_ENOMEM)
		set_err(r, r->line, "field longer than %zu bytes "
		    "(--max-field), in the record that starts here",
		    r->o.max_field);
	else
		set_err(r, l, "malformed CSV: a quote inside an unquoted "
		    "field or text after a closing quote (record starts on "
		    "line %lu)", r->line);
	return -1;
}

#if defined(__x86_64__) && defined(__GNUC__)
/*
 * The masks utf8_lines_avx2() tests of the 32 bytes x.  a: bytes 81..FF
 * and NUL (x - 1 has its top bit set: 80, the one left out, is a
 * continuation anyway); c: continuations, 80..BF; l: leads E1..EF but ED
 * (x + 80 - E1 is below 80 + 0F, signed, exactly for E1..EF).  The
 * signed compares see 80..FF below 0; the constants are the bytes their
 * names say, in every place.
 */
__attribute__((target("avx2")))
static inline __attribute__((always_inline)) void
utf8_masks32(__m256i x, __m256i one, __m256i c0, __m256i off, __m256i lim,
    __m256i ed, uint32_t *a, uint32_t *c, uint32_t *l)
{
	*a = (uint32_t)_mm256_movemask_epi8(_mm256_sub_epi8(x, one));
	*c = (uint32_t)_mm256_movemask_epi8(_mm256_cmpgt_epi8(c0, x));
	*l = (uint32_t)_mm256_movemask_epi8(_mm256_andnot_si256(
	    _mm256_cmpeq_epi8(x, ed), _mm256_cmpgt_epi8(lim,
	    _mm256_add_epi8(x, off))));
}

/*
 * wz_utf8_check_lines() for a chunk of at least 64 bytes, by a test of
 * 64 bytes at a time that is cheaper than a full check and enough for
 * most of them: Chinese text is ASCII and three-byte characters, nearly
 * all led by E1..EC or EE..EF, whose every continuation byte is valid.
 * A block passes if its only non-ASCII bytes are such leads and
 * continuations, and the continuations are exactly the two bytes after
 * each lead (carry holds those that fall in the next block): masks
 * compared as integers, where the full check (Keiser and Lemire's
 * lookups, in wz_text.c) takes three table lookups and the bytes before
 * each byte shifted across lanes.  A block that fails is not wrong: the
 * full check runs from the start of the character it begins in to where
 * the block's last character ends, and says whether and where it is; the
 * test resumes after it.  UTF-8 is self-synchronising, so a check from a
 * character's start gives the verdict and place a check of the whole
 * would.  Newlines are counted in the blocks that pass and by the full
 * check in the rest.
 */
__attribute__((target("avx2,bmi")))
static size_t
utf8_lines_avx2(const unsigned char *s, size_t n, int *why,
    unsigned long *nl, size_t *since)
{
	__m256i lf, zero, one, c0, off, lim, ed, x0, x1, n0, n1;
	uint64_t a, c, l, carry = 0;
	unsigned long lines = 0, wnl;
	size_t i = 0, end, b, w, k, wsince;
	const unsigned char *q;

	*why = WZ_UTF8_OK;
	for (;;) {
		/*
		 * The constants are hidden from the compiler, which would
		 * otherwise turn some compares into a min and a compare,
		 * and build them again in the loop.
		 */
		lf = _mm256_set1_epi8('\n');
		zero = _mm256_setzero_si256();
		one = _mm256_set1_epi8(1);
		c0 = _mm256_set1_epi8((char)0xc0);
		off = _mm256_set1_epi8((char)(0x80 - 0xe1));
		lim = _mm256_set1_epi8((char)(0x80 + 0x0f));
		ed = _mm256_set1_epi8((char)0xed);
		__asm__("" : "+x"(lf), "+x"(zero), "+x"(one), "+x"(c0),
		    "+x"(off), "+x"(lim), "+x"(ed));
		/* Newlines are counted a byte per block in n0 and n1, so
		 * at most 255 blocks before they are added up. */
		n0 = n1 = zero;
		end = n - i < 64 ? i : i + ((n - i) / 64 < 255 ? (n - i) /
		    64 : 255) * 64;
		for (; i < end; i += 64) {
			uint32_t a0, c0m, l0, a1, c1m, l1;

			x0 = _mm256_loadu_si256((const __m256i *)(s + i));
			x1 = _mm256_loadu_si256((const __m256i *)(s + i +
			    32));
			utf8_masks32(x0, one, c0, off, lim, ed, &a0, &c0m,
			    &l0);
			utf8_masks32(x1, one, c0, off, lim, ed, &a1, &c1m,
			    &l1);
			a = a0 | (uint64_t)a1 << 32;
			c = c0m | (uint64_t)c1m << 32;
			l = l0 | (uint64_t)l1 << 32;
			if ((a & ~(c | l)) != 0 ||
			    c != (l << 1 | l << 2 | carry))
				break;
			n0 = _mm256_sub_epi8(n0, _mm256_cmpeq_epi8(x0, lf));
			n1 = _mm256_sub_epi8(n1, _mm256_cmpeq_epi8(x1, lf));
			/* a lead at 62 wants byte 64, one at 63 bytes 64
			 * and 65 */
			carry = l >> 62 | l >> 63;
		}
		n0 = _mm256_add_epi64(_mm256_sad_epu8(n0, zero),
		    _mm256_sad_epu8(n1, zero));
		lines += (unsigned long)(_mm256_extract_epi64(n0, 0) +
		    _mm256_extract_epi64(n0, 1) + _mm256_extract_epi64(n0, 2) +
		    _mm256_extract_epi64(n0, 3));
		if (i == end && n - i >= 64)
			continue;	/* the next 255 blocks */
		/* A block that failed: every character begun in it, to its
		 * end; or the rest. */
		w = n - i > 64 + 3 ? i + 64 + 3 : n;
		/* The start of the character i is in: a carry of 1 is
		 * from a lead at i - 2, of 3 from one at i - 1. */
		b = carry == 0 ? i : carry == 1 ? i - 2 : i - 1;
		wsince = 0;
		k = wz_utf8_check_lines(s + b, w - b, why, &wnl, &wsince);
		lines += wnl;
		i = b + k;
		carry = 0;
		/* At w = n the check's verdict is the whole's: stopped at
		 * an error, a NUL, the end, or before an incomplete tail;
		 * before n, a tail the window cut is a character begun
		 * after the block, checked next. */
		if (*why != WZ_UTF8_OK || w == n)
			break;
	}
	*nl = lines;
	if (lines == 0)
		*since += i;
	else {
		q = memrchr(s, '\n', i);
		*since = i - (size_t)(q - s) - 1;
	}
	return i;
}
#endif

/* The longest valid UTF-8 prefix of s, as wz_utf8_check_lines(). */
static size_t
utf8_lines(const unsigned char *s, size_t n, int *why, unsigned long *nl,
    size_t *since)
{
#if defined(__x86_64__) && defined(__GNUC__)
	if (n >= 64 && __builtin_cpu_supports("avx2") &&
	    __builtin_cpu_supports("bmi"))
		return utf8_lines_avx2(s, n, why, nl, since);
#endif
	return wz_utf8_check_lines(s, n, why, nl, since);
}

size_t
wz_reader_utf8_check(const unsigned char *s, size_t n, int *why,
    unsigned long *nl, size_t *since)
{
	return utf8_lines(s, n, why, nl, since);
}

/* Validate and feed UTF-8 text; carries an incomplete tail over. */
static int
feed_utf8(struct wz_reader *r, unsigned char *s, size_t n, int last)
{
	size_t ok, since;
	int why;
	unsigned long l;

	if (!r->started) {
		r->started = 1;
		if (n >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf) {
			s += 3;
			n -= 3;
		}
	}
	since = r->linebytes;
	ok = utf8_lines(s, n, &why, &l, &since);
	if (ok == n || (why == WZ_UTF8_OK && !last)) {
		if (feed(r, s, ok) == -1)
			return -1;
		r->rawline += l;
		r->linebytes = since;
		r->tailn = n - ok;
		memcpy(r->tail, s + ok, r->tailn);
		return 0;
	}
	/* Deliver what came before the bad byte, then stop. */
	if (feed(r, s, ok) == -1)
		return -1;
	l += r->rawline;
	if (why == WZ_UTF8_NUL)
		set_err(r, l, "NUL byte at byte column %zu", since + 1);
	else if (r->cd == (iconv_t)-1 && looks_gb18030(s + ok, n - ok))
		set_err(r, l, "invalid UTF-8 at byte column %zu; the file "
		    "looks like a GB18030/GBK export: use --encoding GB18030",
		    since + 1);
	else
		set_err(r, l, "invalid UTF-8 at byte column %zu", since + 1);
	return -1;
}

/* Convert raw bytes to UTF-8 with iconv, then feed. */
static int
feed_raw(struct wz_reader *r, size_t n, int last)
{
	char *ip, *op;
	size_t il, ol, rc, outn, t;

	if (r->cd == (iconv_t)-1) {
		/* The carried UTF-8 tail goes in front, in the room kept
		 * before r->in (not the chunk moved up to make room). */
		t = r->tailn;
		r->tailn = 0;
		memcpy(r->in - t, r->tail, t);
		return feed_utf8(r, r->in - t, n + t, last);
	}
	if (r->convcap < n * 2 + 16) {
		r->convcap = n * 2 + 16;
		r->conv = wz_realloc(r->conv, r->convcap);
	}
	ip = (char *)r->in;
	il = n;
	op = (char *)r->conv;
	ol = r->convcap;
	rc = iconv(r->cd, &ip, &il, &op, &ol);
	outn = (size_t)(op - (char *)r->conv);
	if (rc == (size_t)-1 && errno == EILSEQ) {
		size_t since = r->linebytes;
		unsigned long l;

		if (feed_utf8(r, r->conv, outn, 0) == -1)
			return -1;
		l = r->rawline;
		(void)since;
		set_err(r, l, "invalid %s byte sequence near byte column %zu",
		    r->o.encoding, r->linebytes + 1);
		return -1;
	}
	if (feed_utf8(r, r->conv, outn, last) == -1)
		return -1;
	/* Keep an incomplete multibyte sequence for the next read. */
	r->inlen = il;
	if (il > 0) {
		if (last) {
			set_err(r, r->rawline, "truncated %s character at end "
			    "of file", r->o.encoding);
			return -1;
		}
		memmove(r->in, ip, il);
	}
	return 0;
}

static void
queue_reset(struct wz_reader *r)
{
	size_t i, base, nf;

	/* Keep the record being built: move its fields to the front. */
	nf = r->nfields - r->cur_first;
	if (nf > 0) {
		base = (size_t)(r->fptr[r->cur_first] - r->arena.s);
		memmove(r->arena.s, r->arena.s + base, r->arena.len - base);
		r->arena.len -= base;
		for (i = 0; i < nf; i++) {
			r->fptr[i] = r->fptr[r->cur_first + i] - base;
			r->flen[i] = r->flen[r->cur_first + i];
			r->fplain[i] = r->fplain[r->cur_first + i];
		}
	} else
		r->arena.len = 0;
	r->nfields = nf;
	r->cur_first = 0;
	r->nrows = r->qhead = 0;
}

/*
 * Read the first bytes (at least 4, unless the file is shorter) and see
 * what the file is: a workbook goes to the .xlsx reader; text stays in
 * r->in for fill() to feed.  Returns -1 on an error (r->fatal is set).
 */
static int
probe(struct wz_reader *r)
{
	struct wz_xlsx_opts xo;
	size_t got = 0;
	ssize_t k;

	r->probed = 1;
	while (got < 4) {
		k = read(r->fd, r->in + got, r->chunk - got);
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1) {
			set_err(r, 0, "read error: %s", strerror(errno));
			r->errstatus = EX_IOERR;
			r->fatal = 1;
			return -1;
		}
		if (k == 0)
			break;
		got += (size_t)k;
	}
	if (wz_xlsx_sniff(r->in, got)) {
		memset(&xo, 0, sizeof(xo));
		xo.sheet = r->o.sheet;
		xo.max_inflate = r->o.max_xlsx;
		xo.max_field = r->o.max_field;
		xo.max_row = r->o.max_row;
		xo.max_cols = r->o.max_cols;
		xo.skip = r->o.skip;
		xo.no_header = r->o.no_header;
		r->xlsx = wz_xlsx_open(r->fd, r->in, got, &xo);
		return 0;
	}
	if (got >= 4 && memcmp(r->in, "\xd0\xcf\x11\xe0", 4) == 0) {
		set_err(r, 0, "an Excel 97-2003 (.xls) or encrypted workbook: "
		    "save it as .xlsx or CSV");
		r->fatal = 1;
		return -1;
	}
	r->pending = got;
	return 0;
}

/* Queue the next row of a workbook. */
static void
xlsx_step(struct wz_reader *r)
{
	struct wz_xlsx_row *xr;
	size_t i;
	int rc;

	rc = wz_xlsx_next(r->xlsx, &xr);
	r->line = wz_xlsx_lastrow(r->xlsx) + 1;
	if (rc == WZ_EOF) {
		r->eof = 1;
		return;
	}
	if (rc != WZ_ROW) {
		set_err(r, wz_xlsx_errline(r->xlsx), "%s",
		    wz_xlsx_error(r->xlsx));
		r->errstatus = wz_xlsx_errstatus(r->xlsx);
		r->fatal = 1;
		return;
	}
	for (i = 0; i < xr->n; i++)
		add_field(r, xr->f[i], xr->len[i]);
	if (xr->bad != WZ_XLSX_OK && !r->cur_bad)
		r->cur_bad = xr->bad == WZ_XLSX_COLS ? BAD_COLS :
		    xr->bad == WZ_XLSX_FIELD ? BAD_FIELD : BAD_ROWSIZE;
	queue_row(r, xr->ncols > r->cur_nf ? xr->ncols : r->cur_nf, xr->line,
	    1);
	row_reset(r);
}

/*
 * Fill the queue.  Returns 1 if a record is queued, 0 at EOF, -1.
 *
 * Input comes in by read(2), a file too: parsing a mapped file where it
 * lies (windows of the map in place of r->in, SIGBUS caught for a file
 * that shrinks) was tried and cost more than the copy it saves.  On the
 * bench machine (a VM) the parse's first touch of each mapped page costs
 * more than the kernel's copy of it, whether the pages are faulted in or
 * populated at once: over the 1M bench files (least of 10 runs) wz-cat
 * took 0.31 s of CPU against 0.19 s, wz-match 1.07 s against 0.94 s,
 * wz-roster 0.73 s against 0.62 s.
 */
static int
fill(struct wz_reader *r)
{
	ssize_t n;

	while (r->qhead == r->nrows) {
		if (r->fatal)
			return -1;
		if (r->eof)
			return 0;
		queue_reset(r);
		if (!r->probed && probe(r) == -1)
			continue;
		if (r->xlsx != NULL) {
			xlsx_step(r);
			continue;
		}
		if (r->pending > 0) {
			n = (ssize_t)r->pending;
			r->pending = 0;
		} else
			do
				n = read(r->fd, r->in + r->inlen,
				    r->chunk - r->inlen);
			while (n == -1 && errno == EINTR);
		if (n == -1) {
			set_err(r, r->rawline, "read error: %s",
			    strerror(errno));
			r->errstatus = EX_IOERR;
			r->fatal = 1;
			continue;
		}
		if (n == 0) {
			r->eof = 1;
			if (feed_raw(r, r->inlen, 1) == -1) {
				r->fatal = 1;
				continue;
			}
			if (r->o.tsv) {
				if (r->tsvesc)
					wz_buf_addc(&r->tsvfield, '\\');
				if (r->tsvfield.len > 0 || r->cur_nf > 0) {
					add_field(r, r->tsvfield.s,
					    r->tsvfield.len);
					wz_buf_reset(&r->tsvfield);
					end_record(r, -1);
				}
			} else if (csv_fini(&r->p, cb_field, cb_record, r)
			    != 0) {
				set_err(r, r->line, "unterminated quoted "
				    "field: the record that starts here "
				    "runs to the end of the file");
				r->fatal = 1;
			}
			continue;
		}
		if (feed_raw(r, r->inlen + (size_t)n, 0) == -1)
			r->fatal = 1;
	}
	return 1;
}

/* Turn queue entry q into r->row: it points into the queue's arrays. */
static void
make_row(struct wz_reader *r, struct wz_row *row, const struct qrow *q)
{
	row->n = q->n;
	row->f = r->fptr + q->first;
	row->len = r->flen + q->first;
	row->plain = r->fplain + q->first;
	row->blank = q->blank;
	row->span = q->span;
	row->line = q->line;
	row->lines = q->lines;
}

static int
next_raw(struct wz_reader *r, const struct qrow **q)
{
	int rc;

	/* fill() only when the queue is empty: a call per record costs */
	if (r->qhead == r->nrows && (rc = fill(r)) != 1)
		return rc == 0 ? WZ_EOF : WZ_FATAL;
	*q = &r->rows[r->qhead++];
	return WZ_ROW;
}

int
wz_reader_header(struct wz_reader *r, const struct wz_row **hdr)
{
	const struct qrow *q;
	unsigned long i;
	size_t k;
	int rc;

	if (r->have_hdr) {
		*hdr = &r->hdr;
		return WZ_ROW;
	}
	if (!r->probed && probe(r) == -1)
		return WZ_FATAL;
	/* A workbook's reader skips sheet rows itself. */
	for (i = 0; r->xlsx == NULL && i < r->o.skip; i++)
		if ((rc = next_raw(r, &q)) != WZ_ROW)
			goto fail;
	if ((rc = next_raw(r, &q)) != WZ_ROW)
		goto fail;
	if (q->bad) {
		set_err(r, q->line, "header row is over the size limits "
		    "(%zu fields)", q->nfields);
		return WZ_FATAL;
	}
	make_row(r, &r->row, q);
	r->hdr.n = q->n;
	r->hdr.f = wz_calloc(q->n, sizeof(char *));
	r->hdr.len = wz_calloc(q->n, sizeof(size_t));
	r->hdr.line = q->line;
	r->hdr.lines = q->lines;
	for (k = 0; k < q->n; k++) {
		if (r->o.no_header)
			r->hdr.f[k] = wz_aprintf("%zu", k + 1);
		else
			r->hdr.f[k] = wz_strndup(r->row.f[k], r->row.len[k]);
		r->hdr.len[k] = strlen(r->hdr.f[k]);
	}
	r->have_hdr = 1;
	if (r->o.no_header)
		r->qhead--;	/* the first record is data */
	*hdr = &r->hdr;
	return WZ_ROW;
fail:
	if (rc == WZ_EOF) {
		if (r->xlsx != NULL)
			set_err(r, 0, r->o.skip > 0 ? "no header row below "
			    "sheet row %lu" : "the sheet is empty: no header "
			    "row", r->o.skip);
		else
			set_err(r, r->line, r->o.skip > 0 ? "no header row "
			    "after skipping %lu rows" : "empty file: no header "
			    "row", r->o.skip);
		r->fatal = 1;
	}
	return WZ_FATAL;
}

int
wz_reader_next(struct wz_reader *r, const struct wz_row **row)
{
	const struct wz_row *hdr;
	const struct qrow *q;
	int rc;

	if (!r->have_hdr && (rc = wz_reader_header(r, &hdr)) != WZ_ROW)
		return rc;
	if ((rc = next_raw(r, &q)) != WZ_ROW)
		return rc;
	if (__builtin_expect(q->bad == 0 && q->n == r->hdr.n, 1)) {
		/* A sound record, most of them: the tests below say so. */
		make_row(r, &r->row, q);
		r->row.recno = ++r->recno;
		*row = &r->row;
		return WZ_ROW;
	}
	if (q->bad == BAD_FIELD && r->xlsx != NULL) {
		/* A cell ends where the XML says: the next row is sound. */
		make_row(r, &r->row, q);
		r->row.recno = ++r->recno;
		*row = &r->row;
		set_err(r, q->line, "a cell is longer than %zu bytes "
		    "(--max-field)", r->o.max_field);
		return WZ_BAD;
	}
	if (q->bad == BAD_FIELD) {
		/* Like a runaway quoted field: nothing after it is trusted. */
		set_err(r, q->line, "field longer than %zu bytes "
		    "(--max-field), in the record that starts here",
		    r->o.max_field);
		r->fatal = 1;
		r->qhead = r->nrows;
		return WZ_FATAL;
	}
	make_row(r, &r->row, q);
	r->row.recno = ++r->recno;
	*row = &r->row;
	if (q->bad == BAD_COLS) {
		set_err(r, q->line, "record has %zu fields, more than the "
		    "limit of %zu (--max-cols)", q->nfields, r->o.max_cols);
		return WZ_BAD;
	}
	if (q->bad == BAD_ROWSIZE) {
		set_err(r, q->line, "record is larger than %zu bytes "
		    "(--max-row)", r->o.max_row);
		return WZ_BAD;
	}
	if (q->n != r->hdr.n) {
		set_err(r, q->line, "record has %zu field%s, the header has "
		    "%zu", q->n, q->n == 1 ? "" : "s", r->hdr.n);
		return WZ_BAD;
	}
	return WZ_ROW;
}

/* Column lookup. */

char *
wz_header_norm(const char *s, size_t n)
{
	char *t = wz_normalize(s, n);
	size_t len = strlen(t), i, j;

	/* Drop spaces and a trailing colon: "姓 名:" is "姓名". */
	for (i = j = 0; i < len; i++)
		if (t[i] != ' ')
			t[j++] = t[i];
	while (j > 0 && t[j - 1] == ':')
		j--;
	t[j] = '\0';
	return t;
}

static int
header_is(const struct wz_row *hdr, size_t i, const char *want)
{
	char *h = wz_header_norm(hdr->f[i], hdr->len[i]);
	int eq = strcmp(h, want) == 0;

	free(h);
	return eq;
}

int
wz_col_find(const struct wz_row *hdr, const char *name)
{
	char *want = wz_header_norm(name, strlen(name));
	size_t i;
	int found = -1;

	for (i = 0; i < hdr->n; i++) {
		if (!header_is(hdr, i, want))
			continue;
		if (found >= 0) {
			found = -2;
			break;
		}
		found = (int)i;
	}
	free(want);
	return found;
}

size_t
wz_col_lookup(const struct wz_row *hdr, const char *name,
    const struct wz_aliases *al, int *idx, size_t max)
{
	size_t i, k, n = 0;
	char *want;
	int dup;

	for (k = 0; al == NULL || k <= al->n; k++) {
		const char *h;

		if (k == 0)
			h = name;
		else if (strcmp(al->v[k - 1].field, name) == 0)
			h = al->v[k - 1].header;
		else
			continue;
		want = wz_header_norm(h, strlen(h));
		for (i = 0; i < hdr->n && n < max; i++) {
			size_t j;

			if (!header_is(hdr, i, want))
				continue;
			for (dup = 0, j = 0; j < n; j++)
				if (idx[j] == (int)i)
					dup = 1;
			if (!dup)
				idx[n++] = (int)i;
		}
		free(want);
		if (al == NULL)
			break;
	}
	return n;
}

/* Writer. */

struct wz_writer {
	int		 fd;
	char		*name;
	struct wz_wopts	 o;
	iconv_t		 cd;
	struct wz_buf	 b, conv;
	int		 nf, err;
	int		 started;	/* something was written */
	size_t		 rowstart;	/* b.len where the row began */
};

struct wz_writer *
wz_writer_new(int fd, const char *name, const struct wz_wopts *o)
{
	struct wz_writer *w = wz_calloc(1, sizeof(*w));

	if (o != NULL)
		w->o = *o;
	w->cd = (iconv_t)-1;
	if (w->o.encoding != NULL && strcasecmp(w->o.encoding, "UTF-8") != 0 &&
	    strcasecmp(w->o.encoding, "UTF8") != 0) {
		if (strcasecmp(w->o.encoding, "GB18030") != 0 &&
		    strcasecmp(w->o.encoding, "GBK") != 0)
			goto inval;
		if ((w->cd = iconv_open(w->o.encoding, "UTF-8")) ==
		    (iconv_t)-1)
			goto inval;
	}
	w->fd = fd;
	w->name = wz_strdup(name != NULL ? name : "<stdout>");
	wz_buf_reserve(&w->b, CHUNK);	/* grows to WCHUNK and more as needed */
	if (w->o.bom && w->cd == (iconv_t)-1)
		wz_buf_add(&w->b, "\xef\xbb\xbf", 3);
	w->rowstart = w->b.len;
	return w;
inval:
	free(w);
	errno = EINVAL;
	return NULL;
}

static int
write_all(struct wz_writer *w, const char *p, size_t n)
{
	ssize_t k;

	while (n > 0) {
		k = write(w->fd, p, n);
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1) {
			if (errno == EPIPE)
				exit(0);
			wz_sysmsg(w->name, "write error");
			w->err = 1;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int
wz_writer_flush(struct wz_writer *w)
{
	char *ip, *op;
	size_t il, ol, rc;
	int ret;

	if (w->err)
		return -1;
	if (w->b.len == 0)
		return 0;
	if (w->cd == (iconv_t)-1) {
		ret = write_all(w, w->b.s, w->b.len);
		w->b.len = w->rowstart = 0;
		return ret;
	}
	wz_buf_reset(&w->conv);
	wz_buf_reserve(&w->conv, w->b.len * 2 + 16);
	ip = w->b.s;
	il = w->b.len;
	op = w->conv.s;
	ol = w->conv.cap - 1;
	rc = iconv(w->cd, &ip, &il, &op, &ol);
	w->b.len = w->rowstart = 0;
	if (rc == (size_t)-1) {
		wz_msg(w->name, 0, "a character cannot be written in %s",
		    w->o.encoding);
		w->err = 1;
		return -1;
	}
	return write_all(w, w->conv.s, (size_t)(op - w->conv.s));
}

int
wz_writer_close(struct wz_writer *w)
{
	int ret;

	if (w == NULL)
		return 0;
	ret = wz_writer_flush(w) == 0 && !w->err ? 0 : EX_IOERR;
	if (w->cd != (iconv_t)-1)
		iconv_close(w->cd);
	wz_buf_free(&w->b);
	wz_buf_free(&w->conv);
	free(w->name);
	free(w);
	return ret;
}

static const unsigned char csv_special[256] = {
	['"'] = 1, [','] = 1, ['\r'] = 1, ['\n'] = 1
};

/* Offset of the first byte that forces quoting, or n. */
static size_t
scan_special(const unsigned char *p, size_t n)
{
	size_t i = 0;
	uint64_t v;

#ifdef __SSE2__
	{
		const __m128i q = _mm_set1_epi8('"'), c = _mm_set1_epi8(','),
		    lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
		__m128i x, m;

		for (; i + 16 <= n; i += 16) {
			x = _mm_loadu_si128((const __m128i *)(p + i));
			m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, q),
			    _mm_cmpeq_epi8(x, c)), _mm_or_si128(
			    _mm_cmpeq_epi8(x, lf), _mm_cmpeq_epi8(x, cr)));
			if (_mm_movemask_epi8(m) != 0)
				return i + (size_t)__builtin_ctz(
				    (unsigned)_mm_movemask_epi8(m));
		}
	}
#endif
	for (; i + 8 <= n; i += 8) {
		memcpy(&v, p + i, 8);
		if ((v & HIGHS) == HIGHS)
			continue;	/* eight bytes of multibyte text */
		if (HASBYTE(v, ',') | HASBYTE(v, '"') | HASBYTE(v, '\n') |
		    HASBYTE(v, '\r'))
			break;
	}
	for (; i < n; i++)
		if (csv_special[p[i]])
			return i;
	return n;
}

static int
is_number(const char *s, size_t n)
{
	size_t i = 0, digits = 0;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	for (; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] != '.')
			return 0;
	}
	return digits > 0;
}

/*
 * Encode one field at o, which has room for 2 * n + 4 bytes, without a
 * separator: quoted only where needed in CSV, escaped in TSV, with the
 * --excel-safe guard.  plain says the reader found none of the bytes
 * that need either (struct wz_row).  Returns the end.
 */
static char *
enc_field(const struct wz_wopts *wo, char *o, const char *s, size_t n,
    int plain)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, start;
	int guard = 0;

	if (wo->excel_safe && n > 0 && (s[0] == '=' || s[0] == '+' ||
	    s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') &&
	    !is_number(s, n))
		guard = 1;
	if (plain && !guard) {
		wz_copy_short(o, s, n);
		return o + n;
	}
	if (wo->tsv) {
		if (guard)
			*o++ = '\'';
		for (i = start = 0; i < n; i++) {
			char e;

			switch (p[i]) {
			case '\t': e = 't'; break;
			case '\n': e = 'n'; break;
			case '\r': e = 'r'; break;
			case '\\': e = '\\'; break;
			default: continue;
			}
			memcpy(o, s + start, i - start);
			o += i - start;
			*o++ = '\\';
			*o++ = e;
			start = i + 1;
		}
		memcpy(o, s + start, n - start);
		return o + (n - start);
	}
	i = scan_special(p, n);
	if (i == n && !guard) {
		wz_copy_short(o, s, n);
		return o + n;
	}
	*o++ = '"';
	if (guard)
		*o++ = '\'';
	memcpy(o, s, i);
	o += i;
	for (start = i; i < n; i++) {
		if (p[i] != '"')
			continue;
		memcpy(o, s + start, i - start + 1);
		o += i - start + 1;
		*o++ = '"';
		start = i + 1;
	}
	memcpy(o, s + start, n - start);
	o += n - start;
	*o++ = '"';
	return o;
}

/*
 * One field of a row: a plain one copied here, inline (most fields are
 * plain, and short), the rest through enc_field().
 */
static inline char *
put_field(const struct wz_wopts *wo, char *o, const char *s, size_t n,
    int plain)
{
	if (plain && !wo->excel_safe) {
		wz_copy_short(o, s, n);
		return o + n;
	}
	return enc_field(wo, o, s, n, plain);
}

/*
 * A reader drops one BOM at the start of a file; data that begin with
 * U+FEFF there get one in front of them so that it survives.
 */
static void
first_write(struct wz_writer *w, const char *s, size_t n)
{
	w->started = 1;
	if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0 &&
	    !(w->o.bom && w->cd == (iconv_t)-1)) {
		wz_buf_reserve(&w->b, 3);
		memcpy(w->b.s + w->b.len, "\xef\xbb\xbf", 3);
		w->b.len += 3;
	}
}

void
wz_writer_field(struct wz_writer *w, const char *s, size_t n)
{
	char *o;

	if (!w->started)
		first_write(w, s, n);
	/* Room for the worst case: every byte doubled, quotes, guard. */
	if (w->b.cap - w->b.len < 2 * n + 8)
		wz_buf_reserve(&w->b, 2 * n + 8);
	o = w->b.s + w->b.len;
	if (w->nf++ > 0)
		*o++ = w->o.tsv ? '\t' : ',';
	o = enc_field(&w->o, o, s, n, 0);
	*o = '\0';
	w->b.len = (size_t)(o - w->b.s);
}

static void
encode_fields(const struct wz_writer *w, const char *const *f,
    const size_t *len, const unsigned char *plain, size_t n,
    struct wz_buf *out)
{
	size_t i, need = 0;
	char *o;

	for (i = 0; i < n; i++)
		need += 2 * len[i] + 8;
	wz_buf_reset(out);
	wz_buf_reserve(out, need + 1);
	o = out->s;
	for (i = 0; i < n; i++) {
		if (i > 0)
			*o++ = w->o.tsv ? '\t' : ',';
		o = put_field(&w->o, o, f[i], len[i], plain != NULL &&
		    plain[i]);
	}
	*o = '\0';
	out->len = (size_t)(o - out->s);
}

void
wz_writer_encode_fields(const struct wz_writer *w, const char *const *f,
    const size_t *len, size_t n, struct wz_buf *out)
{
	encode_fields(w, f, len, NULL, n, out);
}

void
wz_writer_raw(struct wz_writer *w, const char *s, size_t n, size_t nf)
{
	char *o;

	if (nf == 0)
		return;
	w->started = 1;		/* no U+FEFF to guard: see the header */
	if (w->b.cap - w->b.len < n + 2)
		wz_buf_reserve(&w->b, n + 2);
	o = w->b.s + w->b.len;
	if (w->nf > 0)
		*o++ = w->o.tsv ? '\t' : ',';
	memcpy(o, s, n);
	o += n;
	*o = '\0';
	w->b.len = (size_t)(o - w->b.s);
	w->nf += (int)nf;
}

char *
wz_writer_room(struct wz_writer *w, size_t n, char *sep)
{
	char *o;

	/* Not before the first field (its U+FEFF guard), nor with the
	 * --excel-safe guard, which looks at plain fields too. */
	if (!w->started || w->o.excel_safe)
		return NULL;
	/* the separator, n bytes, and the NUL wz_buf keeps */
	if (w->b.cap - w->b.len < n + 2)
		wz_buf_reserve(&w->b, n + 1);
	o = w->b.s + w->b.len;
	*sep = w->o.tsv ? '\t' : ',';
	if (w->nf > 0)
		*o++ = *sep;
	return o;
}

void
wz_writer_filled(struct wz_writer *w, char *end, size_t nf)
{
	*end = '\0';
	w->b.len = (size_t)(end - w->b.s);
	w->nf += (int)nf;
}

void
wz_writer_pieces(struct wz_writer *w, const struct wz_piece *p, size_t n)
{
	size_t i, need = 2;
	char *o, sep = w->o.tsv ? '\t' : ',';
	int nf = w->nf;

	w->started = 1;		/* no U+FEFF to guard: see the header */
	for (i = 0; i < n; i++)
		need += p[i].nf > 0 ? p[i].n + 1 : 2 * p[i].n + 9;
	if (w->b.cap - w->b.len < need)
		wz_buf_reserve(&w->b, need);
	o = w->b.s + w->b.len;
	for (i = 0; i < n; i++) {
		if (p[i].nf > 0) {
			if (nf > 0)
				*o++ = sep;
			wz_copy_short(o, p[i].s, p[i].n);
			o += p[i].n;
			nf += (int)p[i].nf;
		} else {
			if (nf++ > 0)
				*o++ = sep;
			o = enc_field(&w->o, o, p[i].s, p[i].n, 0);
		}
	}
	/* As wz_writer_endrow(): a lone empty field is quoted. */
	if (nf == 1 && o == w->b.s + w->rowstart && !w->o.tsv) {
		*o++ = '"';
		*o++ = '"';
	}
	*o++ = '\n';
	*o = '\0';
	w->b.len = (size_t)(o - w->b.s);
	w->nf = 0;
	if (w->b.len >= WCHUNK)
		wz_writer_flush(w);
	w->rowstart = w->b.len;
}

void
wz_writer_encode(const struct wz_writer *w, const struct wz_row *r,
    struct wz_enc *e)
{
	encode_fields(w, (const char *const *)r->f, r->len, r->plain, r->n,
	    &e->b);
	e->nf = r->n;
	/* What first_write() must see: the first field, unencoded. */
	e->bomstart = r->n > 0 && r->len[0] >= 3 &&
	    memcmp(r->f[0], "\xef\xbb\xbf", 3) == 0;
}

void
wz_writer_put(struct wz_writer *w, const struct wz_enc *e)
{
	if (e->nf > 0 && !w->started)
		first_write(w, e->bomstart ? "\xef\xbb\xbf" : "", e->bomstart ?
		    3 : 0);
	wz_writer_raw(w, e->b.s, e->b.len, e->nf);
}

void
wz_writer_fieldz(struct wz_writer *w, const char *s)
{
	wz_writer_field(w, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
}

void
wz_writer_endrow(struct wz_writer *w)
{
	char *o;

	/* Room for "" and the LF, with the NUL wz_buf keeps. */
	if (w->b.cap - w->b.len < 4)
		wz_buf_reserve(&w->b, 3);
	o = w->b.s + w->b.len;
	/* A lone empty field would read back as a blank line: quote it. */
	if (w->nf == 1 && w->b.len == w->rowstart && !w->o.tsv) {
		*o++ = '"';
		*o++ = '"';
	}
	*o++ = '\n';
	*o = '\0';
	w->b.len = (size_t)(o - w->b.s);
	w->nf = 0;
	if (w->b.len >= WCHUNK)
		wz_writer_flush(w);
	w->rowstart = w->b.len;
}

/*
 * Is r's every field plain, and does each lie right after the one
 * before and its NUL, as the reader keeps a line's fields in its arena?
 * Then the row is one span of bytes that needs only its separators put
 * back where the NULs are.
 */
static int
one_span(const struct wz_row *r)
{
	char *const *f = r->f;
	const size_t *len = r->len;
	const unsigned char *plain = r->plain;
	const char *at = f[0];	/* where the next field must start */
	size_t i, n = r->n;

	for (i = 0; i < n; i++) {
		if (f[i] != at || !plain[i])
			return 0;
		at = f[i] + len[i] + 1;
	}
	return 1;
}

void
wz_writer_fields(struct wz_writer *w, const struct wz_row *r)
{
	/*
	 * All in locals: a store through o may change anything as far as
	 * the compiler knows, which would have it load each again.
	 */
	char *const *f = r->f;
	const size_t *len = r->len;
	const unsigned char *plain = r->plain;
	const size_t n = r->n;
	const char sep = w->o.tsv ? '\t' : ',';
	const int xs = w->o.excel_safe;
	size_t i, need = 0;
	char *o;

	if (n == 0)
		return;
	if (!w->started)
		first_write(w, f[0], len[0]);
	else if (plain != NULL && !xs && n > 1 && (r->span || one_span(r))) {
		/* One copy, then the separators over the NULs. */
		need = wz_span_len(r);
		if (w->b.cap - w->b.len < need + 2)
			wz_buf_reserve(&w->b, need + 1);
		o = w->b.s + w->b.len;
		if (w->nf > 0)
			*o++ = sep;
		o = wz_span_put(o, r, sep);
		*o = '\0';
		w->b.len = (size_t)(o - w->b.s);
		w->nf += (int)n;
		return;
	}
	/* One reservation for the row, then the fields back to back. */
	for (i = 0; i < n; i++)
		need += len[i];
	need = 2 * need + 8 * n;
	if (w->b.cap - w->b.len < need)
		wz_buf_reserve(&w->b, need);
	o = w->b.s + w->b.len;
	i = 0;
	if (w->nf == 0) {
		o = put_field(&w->o, o, f[0], len[0], plain != NULL &&
		    plain[0]);
		i = 1;
	}
	for (; i < n; i++) {
		*o++ = sep;
		if (plain != NULL && plain[i] && !xs) {
			wz_copy_short(o, f[i], len[i]);
			o += len[i];
		} else
			o = enc_field(&w->o, o, f[i], len[i], plain != NULL &&
			    plain[i]);
	}
	*o = '\0';
	w->b.len = (size_t)(o - w->b.s);
	w->nf += (int)n;
}

void
wz_writer_filter_header(struct wz_writer *w, const struct wz_row *hdr,
    const char *const *cols, const char *const *zh, int explain)
{
	wz_writer_fields(w, hdr);
	for (; *cols != NULL; cols++)
		wz_writer_fieldz(w, *cols);
	for (; zh != NULL && *zh != NULL; zh++)
		wz_writer_fieldz(w, *zh);
	if (explain)
		wz_writer_fieldz(w, "explain");
	wz_writer_endrow(w);
}

void
wz_writer_row(struct wz_writer *w, const struct wz_row *r)
{
	wz_writer_fields(w, r);
	wz_writer_endrow(w);
}
