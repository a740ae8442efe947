/*
 * wz_ledger.c - the accountability ledger; see wz_ledger.h.
 *
 * The file is read with one line scanner (struct lscan) everywhere: it
 * hands out lines from large read(2) chunks without allocating per line,
 * which is what lets `verify` keep up with sha256sum.  Writers keep their
 * new records in one buffer and hand it to write(2) in pieces that end on
 * a record boundary, so every write call carries whole records.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wz_base.h"
#include "wz_csv.h"
#include "wz_date.h"
#include "wz_ledger.h"
#include "wz_num.h"
#include "wz_sha.h"

#define SCAN_CHUNK	((size_t)1 << 20)	/* bytes per read(2) */
#define WRITE_CHUNK	((size_t)4 << 20)	/* bytes per write(2), at most */

const char *const wz_ledger_columns[WZ_LEDGER_NCOLS] = {
	"seq", "at", "date", "event", "case_id", "finding_id", "article",
	"liable_id", "liable_name", "liable_rank", "tier", "place", "amount",
	"measures", "alternatives", "basis", "no_promotion_until",
	"rectify_by", "by", "note", "hash"
};

static const char zero_hash[WZ_SHA_HEXLEN + 1] =
    "0000000000000000000000000000000000000000000000000000000000000000";

/* ------------------------------------------------------------------ */
/* Events and the transitions between them.                           */

static const char *const event_names[WZ_EV_COUNT] = {
	"recommended", "decided", "rectify_due", "rectified", "appealed",
	"reviewed", "revised", "closed", "reopened"
};

#define B(e)	(1u << (e))
/* The events that may follow a case's last event. */
static const unsigned next_ok[WZ_EV_COUNT] = {
	[WZ_EV_RECOMMENDED] = B(WZ_EV_DECIDED) | B(WZ_EV_CLOSED),
	[WZ_EV_DECIDED] = B(WZ_EV_RECTIFY_DUE) | B(WZ_EV_RECTIFIED) |
	    B(WZ_EV_APPEALED) | B(WZ_EV_REVISED) | B(WZ_EV_CLOSED),
	[WZ_EV_RECTIFY_DUE] = B(WZ_EV_RECTIFY_DUE) | B(WZ_EV_RECTIFIED) |
	    B(WZ_EV_APPEALED) | B(WZ_EV_REVISED),
	[WZ_EV_RECTIFIED] = B(WZ_EV_RECTIFY_DUE) | B(WZ_EV_APPEALED) |
	    B(WZ_EV_CLOSED),
	[WZ_EV_APPEALED] = B(WZ_EV_REVIEWED),
	[WZ_EV_REVIEWED] = B(WZ_EV_RECTIFY_DUE) | B(WZ_EV_RECTIFIED) |
	    B(WZ_EV_APPEALED) | B(WZ_EV_REVISED) | B(WZ_EV_CLOSED),
	[WZ_EV_REVISED] = B(WZ_EV_RECTIFY_DUE) | B(WZ_EV_RECTIFIED) |
	    B(WZ_EV_APPEALED) | B(WZ_EV_REVISED) | B(WZ_EV_CLOSED),
	[WZ_EV_CLOSED] = B(WZ_EV_REOPENED),
	[WZ_EV_REOPENED] = B(WZ_EV_DECIDED) | B(WZ_EV_REVISED) |
	    B(WZ_EV_RECTIFY_DUE) | B(WZ_EV_RECTIFIED) | B(WZ_EV_CLOSED),
};

const char *
wz_event_name(int ev)
{
	return ev >= 0 && ev < WZ_EV_COUNT ? event_names[ev] : NULL;
}

int
wz_event_code(const char *s, size_t n)
{
	int i;

	for (i = 0; i < WZ_EV_COUNT; i++)
		if (strlen(event_names[i]) == n &&
		    memcmp(event_names[i], s, n) == 0)
			return i;
	return -1;
}

const char *
wz_event_refusal(int status, int ev)
{
	if (ev < 0 || ev >= WZ_EV_COUNT)
		return "no such event";
	if (ev == WZ_EV_RECOMMENDED)
		return "recommendations are recorded by 'wz-ledger append'";
	if (status < 0 || status >= WZ_EV_COUNT)
		return "the case has no recommendation in this ledger";
	if (next_ok[status] & B(ev))
		return NULL;
	if (status == WZ_EV_CLOSED)
		return "the case is closed: record 'reopened' first";
	if (status == WZ_EV_APPEALED)
		return "the case is under appeal: record 'reviewed' first";
	if (ev == WZ_EV_REOPENED)
		return "only a closed case can be reopened";
	if (ev == WZ_EV_REVIEWED)
		return "only an appealed case can be reviewed";
	if (ev == WZ_EV_DECIDED)
		return "the case is decided already: record 'revised' to "
		    "change the decision";
	if (status == WZ_EV_RECOMMENDED)
		return "the case is not decided yet: record 'decided' first";
	if (status == WZ_EV_RECTIFY_DUE && ev == WZ_EV_CLOSED)
		return "rectification is due: record 'rectified' (or "
		    "'revised') before 'closed'";
	if (status == WZ_EV_RECTIFIED && ev == WZ_EV_RECTIFIED)
		return "the case is rectified already";
	if (status == WZ_EV_RECTIFIED && ev == WZ_EV_REVISED)
		return "a rectified case is revised only after 'appealed' "
		    "and 'reviewed', or after 'closed' and 'reopened'";
	if (status == WZ_EV_REOPENED && ev == WZ_EV_APPEALED)
		return "a reopened case needs a decision ('decided' or "
		    "'revised') before an appeal";
	return "this event cannot follow the case's last event";
}

/* ------------------------------------------------------------------ */
/* Dates and times.                                                   */

static int
digits(const char *s, size_t n)
{
	size_t i;
	int v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
wz_ledger_date_ok(const char *s, size_t n)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, m, d;

	if (n != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	if ((y = digits(s, 4)) < 1 || (m = digits(s + 5, 2)) < 1 || m > 12 ||
	    (d = digits(s + 8, 2)) < 1 || d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 ||
	    y % 400 == 0)))
		return 0;
	return 1;
}

/* Is s[0..n) a canonical UTC time "YYYY-MM-DDTHH:MM:SSZ"? */
static int
at_ok(const char *s, size_t n)
{
	if (n != WZ_AT_LEN || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
	    s[19] != 'Z' || !wz_ledger_date_ok(s, 10))
		return 0;
	return digits(s + 11, 2) >= 0 && digits(s + 11, 2) < 24 &&
	    digits(s + 14, 2) >= 0 && digits(s + 14, 2) < 60 &&
	    digits(s + 17, 2) >= 0 && digits(s + 17, 2) <= 60;
}

int
wz_ledger_parse_at(const char *s, char out[WZ_AT_LEN + 1])
{
	size_t n = strlen(s);

	if (n == 10 && wz_ledger_date_ok(s, n)) {
		memcpy(out, s, 10);
		memcpy(out + 10, "T00:00:00Z", 11);
		return 0;
	}
	if (!at_ok(s, n))
		return -1;
	memcpy(out, s, WZ_AT_LEN + 1);
	return 0;
}

void
wz_ledger_now(char out[WZ_AT_LEN + 1])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, WZ_AT_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ------------------------------------------------------------------ */
/* Hash ids.                                                          */

static struct wz_sha *id_sha;	/* one context for the short hashes */

void
wz_ledger_short_hash(const char *const *f, const size_t *len, size_t n,
    char out[WZ_CASE_ID_LEN + 1])
{
	char hex[WZ_SHA_HEXLEN + 1];
	size_t i;

	if (id_sha == NULL)
		id_sha = wz_sha_new();
	for (i = 0; i < n; i++) {
		wz_sha_update(id_sha, f[i], len[i]);
		wz_sha_update(id_sha, "\037", 1);
	}
	wz_sha_hex(id_sha, hex);
	memcpy(out, hex, WZ_CASE_ID_LEN);
	out[WZ_CASE_ID_LEN] = '\0';
}

void
wz_ledger_case_id(const char *finding, const char *article,
    const char *liable, const char *tier, char out[WZ_CASE_ID_LEN + 1])
{
	const char *f[4] = { finding, article, liable, tier };
	size_t len[4];
	int i;

	for (i = 0; i < 4; i++)
		len[i] = strlen(f[i]);
	wz_ledger_short_hash(f, len, 4, out);
}

/* Lowercase hex digits, by table: comparisons on random digits defeat
 * branch prediction, and verify checks a case id on every line. */
static const unsigned char hexdigit[256] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1,
	['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1
};

static int
is_case_id(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned ok = 1;
	size_t i;

	if (n != WZ_CASE_ID_LEN)
		return 0;
	for (i = 0; i < n; i++)
		ok &= hexdigit[p[i]];
	return (int)ok;
}

/* A 64-bit key for a case id: its 16 hex digits when it has them (so
 * equal keys mean equal ids), else FNV-1a of its bytes. */
static uint64_t
case_key(const char *s, size_t n)
{
	uint64_t k = 0;
	size_t i;
	int c;

	if (n != WZ_CASE_ID_LEN)
		return wz_hash(s, n) | 1;
	for (i = 0; i < n; i++) {
		c = s[i];
		if (c >= '0' && c <= '9')
			k = k << 4 | (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			k = k << 4 | (uint64_t)(c - 'a' + 10);
		else
			return wz_hash(s, n) | 1;
	}
	return k != 0 ? k : 1;
}

/* A set of 64-bit keys (open addressing; 0 marks a free slot). */
struct keyset {
	uint64_t	*v;
	size_t		 cap, n;
};

/* Add k; returns 0 if it was there already, 1 if added. */
static int
keyset_add(struct keyset *s, uint64_t k)
{
	size_t i, j;

	if (2 * (s->n + 1) > s->cap) {
		struct keyset t = { NULL, s->cap ? s->cap * 2 : 1024, 0 };

		t.v = wz_calloc(t.cap, sizeof(*t.v));
		for (j = 0; j < s->cap; j++)
			if (s->v[j] != 0)
				keyset_add(&t, s->v[j]);
		free(s->v);
		*s = t;
	}
	for (i = (size_t)(k * 0x9e3779b97f4a7c15ULL) & (s->cap - 1);
	    s->v[i] != 0; i = (i + 1) & (s->cap - 1))
		if (s->v[i] == k)
			return 0;
	s->v[i] = k;
	s->n++;
	return 1;
}

/* ------------------------------------------------------------------ */
/* The line codec.                                                    */

void
wz_ledger_encode(struct wz_buf *b, int tsv, const char *const *f,
    const size_t *len, size_t n)
{
	size_t i, j, start;
	const char *s;
	int quote;

	for (i = 0; i < n; i++) {
		s = f[i];
		if (tsv) {
			for (j = start = 0; j < len[i]; j++) {
				const char *esc;

				switch (s[j]) {
				case '\t': esc = "\\t"; break;
				case '\n': esc = " "; break;	/* one line */
				case '\r': esc = " "; break;
				case '\\': esc = "\\\\"; break;
				default: continue;
				}
				wz_buf_add(b, s + start, j - start);
				wz_buf_adds(b, esc);
				start = j + 1;
			}
			wz_buf_add(b, s + start, len[i] - start);
			wz_buf_addc(b, '\t');
			continue;
		}
		for (quote = 0, j = 0; j < len[i]; j++)
			if (s[j] == ',' || s[j] == '"' || s[j] == '\n' ||
			    s[j] == '\r')
				quote = 1;
		if (!quote) {
			wz_buf_add(b, s, len[i]);
			wz_buf_addc(b, ',');
			continue;
		}
		wz_buf_addc(b, '"');
		for (j = start = 0; j < len[i]; j++) {
			if (s[j] == '"') {
				wz_buf_add(b, s + start, j - start + 1);
				wz_buf_addc(b, '"');
				start = j + 1;
			} else if (s[j] == '\n' || s[j] == '\r') {
				/* One event, one line: a break is a space. */
				wz_buf_add(b, s + start, j - start);
				wz_buf_addc(b, ' ');
				start = j + 1;
			}
		}
		wz_buf_add(b, s + start, len[i] - start);
		wz_buf_add(b, "\",", 2);
	}
}

int
wz_ledger_split(const char *line, size_t n, int tsv, struct wz_buf *scratch,
    const char **f, size_t *len, size_t max)
{
	char *s, *w, *end;
	size_t k = 0;
	char *start;

	wz_buf_reset(scratch);
	wz_buf_reserve(scratch, n + 1);
	s = scratch->s;
	memcpy(s, line, n);
	s[n] = '\0';
	end = s + n;
	if (tsv) {
		for (;;) {
			start = w = s;
			while (s < end && *s != '\t') {
				if (*s == '\\' && s + 1 < end) {
					switch (s[1]) {
					case 't': *w++ = '\t'; s += 2; continue;
					case 'n': *w++ = '\n'; s += 2; continue;
					case 'r': *w++ = '\r'; s += 2; continue;
					case '\\': *w++ = '\\'; s += 2;
						continue;
					}
				}
				*w++ = *s++;
			}
			if (k < max) {
				f[k] = start;
				len[k] = (size_t)(w - start);
			}
			k++;
			*w = '\0';
			if (s == end)
				break;
			s++;
		}
		return (int)k;
	}
	for (;;) {
		start = w = s;
		if (s < end && *s == '"') {
			s++;
			for (;;) {
				if (s == end)
					return -1;	/* unterminated */
				if (*s == '"') {
					if (s + 1 < end && s[1] == '"') {
						*w++ = '"';
						s += 2;
						continue;
					}
					s++;
					break;
				}
				*w++ = *s++;
			}
			if (s < end && *s != ',')
				return -1;	/* text after the quote */
		} else {
			while (s < end && *s != ',') {
				if (*s == '"')
					return -1;
				s++;
			}
			w = s;
		}
		if (k < max) {
			f[k] = start;
			len[k] = (size_t)(w - start);
		}
		k++;
		if (s == end) {
			*w = '\0';
			break;
		}
		*w = '\0';
		s++;
	}
	return (int)k;
}

/* The header line of either format, without its newline. */
static const char *
header_line(int tsv)
{
	static struct wz_buf h[2];
	int i;

	if (h[tsv].len == 0) {
		for (i = 0; i < WZ_LEDGER_NCOLS; i++) {
			if (i > 0)
				wz_buf_addc(&h[tsv], tsv ? '\t' : ',');
			wz_buf_adds(&h[tsv], wz_ledger_columns[i]);
		}
	}
	return wz_buf_cstr(&h[tsv]);
}

/*
 * Check a first line: returns 0 (CSV) or 1 (TSV), or -1 after printing
 * why it is not a ledger's header.
 */
static int
check_header(const char *name, const char *p, size_t n, int nl)
{
	int tsv;

	for (tsv = 0; tsv <= 1; tsv++) {
		const char *h = header_line(tsv);
		size_t hl = strlen(h);

		if (n == hl && memcmp(p, h, hl) == 0) {
			if (!nl) {
				wz_msg(name, 1, "torn header line: the ledger "
				    "was being created; run 'wz-ledger "
				    "recover %s'", name);
				return -1;
			}
			return tsv;
		}
		if (n == hl + 1 && p[hl] == '\r' && memcmp(p, h, hl) == 0) {
			wz_msg(name, 1, "the ledger has CRLF line ends (it "
			    "was converted or edited); its hashes cannot "
			    "match");
			return -1;
		}
	}
	if (!nl && n < strlen(header_line(0)) &&
	    (memcmp(p, header_line(0), n) == 0 ||
	    memcmp(p, header_line(1), n) == 0))
		wz_msg(name, 1, "torn header line: the ledger was being "
		    "created; run 'wz-ledger recover %s'", name);
	else
		wz_msg(name, 1, "not a wz-ledger file: the first line is not "
		    "the ledger header (%s)", header_line(0));
	return -1;
}

/* ------------------------------------------------------------------ */
/* Reading a file line by line.                                       */

struct lscan {
	int		 fd;
	off_t		 limit, pos;	/* read up to limit; read so far */
	char		*buf;
	size_t		 cap, beg, end;
	unsigned long	 line;		/* number of the last line given */
	off_t		 lineoff;	/* its offset in the file */
	int		 err;		/* errno of a failed read */
};

static void
lscan_init(struct lscan *s, int fd, off_t limit)
{
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->limit = limit;
	s->cap = SCAN_CHUNK;
	s->buf = wz_malloc(s->cap);
#ifdef POSIX_FADV_SEQUENTIAL
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
}

static void
lscan_free(struct lscan *s)
{
	free(s->buf);
	s->buf = NULL;
}

/*
 * The next line, without its newline: returns 1 (*nl says whether it
 * ended with one; only the last line can lack it), 0 at the end, -1 on
 * a read error (s->err).
 */
static int
lscan_next(struct lscan *s, const char **p, size_t *n, int *nl)
{
	char *q;
	ssize_t k;
	size_t want;

	for (;;) {
		q = memchr(s->buf + s->beg, '\n', s->end - s->beg);
		if (q != NULL || (s->pos >= s->limit && s->beg < s->end)) {
			*p = s->buf + s->beg;
			*n = q != NULL ? (size_t)(q - *p) : s->end - s->beg;
			*nl = q != NULL;
			s->lineoff = s->pos - (off_t)(s->end - s->beg);
			s->beg = q != NULL ? (size_t)(q + 1 - s->buf) : s->end;
			s->line++;
			return 1;
		}
		if (s->pos >= s->limit)
			return 0;
		if (s->beg > 0) {
			memmove(s->buf, s->buf + s->beg, s->end - s->beg);
			s->end -= s->beg;
			s->beg = 0;
		}
		if (s->end == s->cap) {
			s->cap *= 2;
			s->buf = wz_realloc(s->buf, s->cap);
		}
		want = s->cap - s->end;
		if ((off_t)want > s->limit - s->pos)
			want = (size_t)(s->limit - s->pos);
		do
			k = read(s->fd, s->buf + s->end, want);
		while (k == -1 && errno == EINTR);
		if (k == -1) {
			s->err = errno;
			return -1;
		}
		if (k == 0)
			s->limit = s->pos;	/* the file shrank */
		s->end += (size_t)k;
		s->pos += k;
	}
}

static int
lock_fd(int fd, int op)
{
	int rc;

	do
		rc = flock(fd, op);
	while (rc == -1 && errno == EINTR);
	return rc;
}

/* The size of a ledger as its last writer left it: a shared lock waits
 * for an append in progress to finish. */
static int
snapshot_size(int fd, off_t *size)
{
	struct stat st;

	if (lock_fd(fd, LOCK_SH) == -1 || fstat(fd, &st) == -1)
		return -1;
	*size = st.st_size;
	lock_fd(fd, LOCK_UN);
	return 0;
}

static int
parse_seq(const char *s, size_t n, uint64_t *seq)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 19 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*seq = v;
	return 0;
}

/* ------------------------------------------------------------------ */
/* wz_lreader.                                                        */

struct wz_lreader {
	char		*name;
	int		 fd, tsv;
	struct lscan	 sc;
	struct wz_buf	 scratch;
	struct wz_levent ev;
};

struct wz_lreader *
wz_lreader_open(const char *path, int *status)
{
	struct wz_lreader *r;
	const char *p;
	size_t n;
	off_t size;
	int fd, nl, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		wz_sysmsg(path, "cannot open");
		*status = EX_NOINPUT;
		return NULL;
	}
	if (snapshot_size(fd, &size) == -1) {
		wz_sysmsg(path, "cannot lock");
		close(fd);
		*status = EX_IOERR;
		return NULL;
	}
	r = wz_calloc(1, sizeof(*r));
	r->name = wz_strdup(path);
	r->fd = fd;
	lscan_init(&r->sc, fd, size);
	rc = lscan_next(&r->sc, &p, &n, &nl);
	if (rc == -1) {
		errno = r->sc.err;
		wz_sysmsg(path, "read error");
		*status = EX_IOERR;
		goto fail;
	}
	if (rc == 0) {
		wz_msg(path, 0, "empty file: not a wz-ledger file");
		*status = EX_DATAERR;
		goto fail;
	}
	if ((r->tsv = check_header(path, p, n, nl)) == -1) {
		*status = EX_DATAERR;
		goto fail;
	}
	return r;
fail:
	wz_lreader_close(r);
	return NULL;
}

int
wz_lreader_tsv(const struct wz_lreader *r)
{
	return r->tsv;
}

int
wz_lreader_good(struct wz_lreader *r, const struct wz_levent **ev,
    int *status)
{
	int rc;

	while ((rc = wz_lreader_next(r, ev)) != WZ_EOF) {
		if (rc == WZ_FATAL) {
			*status = EX_IOERR;
			return 0;
		}
		if (rc != WZ_BAD)
			return 1;
		if (*status == 0)
			*status = WZ_EX_ROWS;
	}
	return 0;
}

int
wz_lreader_next(struct wz_lreader *r, const struct wz_levent **ev)
{
	struct wz_levent *e = &r->ev;
	const char *p;
	size_t n;
	int nl, rc, k;

	if ((rc = lscan_next(&r->sc, &p, &n, &nl)) == 0)
		return WZ_EOF;
	if (rc == -1) {
		errno = r->sc.err;
		wz_sysmsg(r->name, "read error");
		return WZ_FATAL;
	}
	e->line = r->sc.line;
	if (!nl) {
		wz_msg(r->name, e->line, "torn last line ignored (an append "
		    "was interrupted; run 'wz-ledger recover %s')", r->name);
		return WZ_BAD;
	}
	k = wz_ledger_split(p, n, r->tsv, &r->scratch, e->f, e->len,
	    WZ_LEDGER_NCOLS);
	if (k != WZ_LEDGER_NCOLS) {
		if (k < 0)
			wz_msg(r->name, e->line, "malformed CSV quoting: not "
			    "a ledger record");
		else
			wz_msg(r->name, e->line, "%d field%s, a ledger record "
			    "has %d", k, k == 1 ? "" : "s", WZ_LEDGER_NCOLS);
		return WZ_BAD;
	}
	if (parse_seq(e->f[WZ_LC_SEQ], e->len[WZ_LC_SEQ], &e->seq) == -1) {
		wz_msg(r->name, e->line, "seq '%.*s%s' is not a number",
		    wz_qlen(e->f[WZ_LC_SEQ], e->len[WZ_LC_SEQ]), e->f[WZ_LC_SEQ],
		    wz_qmore(e->len[WZ_LC_SEQ]));
		return WZ_BAD;
	}
	e->event = wz_event_code(e->f[WZ_LC_EVENT], e->len[WZ_LC_EVENT]);
	if (e->event < 0) {
		wz_msg(r->name, e->line, "unknown event '%.*s%s'",
		    wz_qlen(e->f[WZ_LC_EVENT], e->len[WZ_LC_EVENT]),
		    e->f[WZ_LC_EVENT], wz_qmore(e->len[WZ_LC_EVENT]));
		return WZ_BAD;
	}
	*ev = e;
	return WZ_ROW;
}

void
wz_lreader_close(struct wz_lreader *r)
{
	if (r == NULL)
		return;
	close(r->fd);
	lscan_free(&r->sc);
	wz_buf_free(&r->scratch);
	free(r->name);
	free(r);
}

/* ------------------------------------------------------------------ */
/* The fold.                                                          */

struct lcase {
	char		*blk;			/* the last event's fields */
	const char	*f[WZ_LEDGER_NCOLS];	/* into blk */
	size_t		 len[WZ_LEDGER_NCOLS];
	char		 opened[WZ_AT_LEN + 1];
	char		*recmeas;		/* measures recommended */
	const char	*ledger;		/* interned in wz_lstate */
	int		 status;
	unsigned long	 events;
	uint64_t	 order;			/* of its last event */
};

struct wz_lstate {
	struct lcase	*c;
	size_t		 n, cap;
	size_t		*tab;			/* index + 1; 0 is free */
	size_t		 tabcap;
	char		**ledgers;
	size_t		 nledgers;
	uint64_t	 order;
};

struct wz_lstate *
wz_lstate_new(void)
{
	return wz_calloc(1, sizeof(struct wz_lstate));
}

size_t
wz_lstate_count(const struct wz_lstate *st)
{
	return st->n;
}

static size_t *
lstate_slot(struct wz_lstate *st, const char *id, size_t n)
{
	size_t i;

	for (i = (size_t)(case_key(id, n) * 0x9e3779b97f4a7c15ULL) &
	    (st->tabcap - 1); st->tab[i] != 0; i = (i + 1) & (st->tabcap - 1)) {
		const struct lcase *c = &st->c[st->tab[i] - 1];

		if (c->len[WZ_LC_CASE] == n &&
		    memcmp(c->f[WZ_LC_CASE], id, n) == 0)
			break;
	}
	return &st->tab[i];
}

static const char *
lstate_ledger(struct wz_lstate *st, const char *name)
{
	if (st->nledgers > 0 && strcmp(st->ledgers[st->nledgers - 1],
	    name) == 0)
		return st->ledgers[st->nledgers - 1];
	st->ledgers = wz_reallocarray(st->ledgers, st->nledgers + 1,
	    sizeof(char *));
	st->ledgers[st->nledgers] = wz_strdup(name);
	return st->ledgers[st->nledgers++];
}

void
wz_lstate_add(struct wz_lstate *st, const struct wz_levent *ev,
    const char *ledger)
{
	struct lcase *c;
	size_t *slot, i, total, off;

	if (2 * (st->n + 1) > st->tabcap) {
		free(st->tab);
		st->tabcap = st->tabcap ? st->tabcap * 2 : 1024;
		st->tab = wz_calloc(st->tabcap, sizeof(*st->tab));
		for (i = 0; i < st->n; i++)
			*lstate_slot(st, st->c[i].f[WZ_LC_CASE],
			    st->c[i].len[WZ_LC_CASE]) = i + 1;
	}
	slot = lstate_slot(st, ev->f[WZ_LC_CASE], ev->len[WZ_LC_CASE]);
	if (*slot == 0) {
		if (st->n == st->cap) {
			st->cap = st->cap ? st->cap * 2 : 256;
			st->c = wz_reallocarray(st->c, st->cap, sizeof(*st->c));
		}
		c = &st->c[st->n++];
		memset(c, 0, sizeof(*c));
		snprintf(c->opened, sizeof(c->opened), "%.*s",
		    (int)ev->len[WZ_LC_AT], ev->f[WZ_LC_AT]);
		c->ledger = lstate_ledger(st, ledger);
		*slot = st->n;
	} else
		c = &st->c[*slot - 1];
	for (total = i = 0; i < WZ_LEDGER_NCOLS; i++)
		total += ev->len[i] + 1;
	c->blk = wz_realloc(c->blk, total);
	for (off = i = 0; i < WZ_LEDGER_NCOLS; i++) {
		memcpy(c->blk + off, ev->f[i], ev->len[i]);
		c->blk[off + ev->len[i]] = '\0';
		c->f[i] = c->blk + off;
		c->len[i] = ev->len[i];
		off += ev->len[i] + 1;
	}
	if (ev->event == WZ_EV_RECOMMENDED && c->recmeas == NULL)
		c->recmeas = wz_strndup(ev->f[WZ_LC_MEASURES],
		    ev->len[WZ_LC_MEASURES]);
	c->status = ev->event;
	c->events++;
	c->order = ++st->order;
}

/* The effective date of a case's last event: its `date` column, or the
 * day of its `at` should a record lack one. */
static void
case_date(const struct lcase *c, const char **date, size_t *dlen)
{
	if (wz_ledger_date_ok(c->f[WZ_LC_DATE], c->len[WZ_LC_DATE])) {
		*date = c->f[WZ_LC_DATE];
		*dlen = 10;
		return;
	}
	*date = c->f[WZ_LC_AT];
	*dlen = c->len[WZ_LC_AT] >= 10 ? 10 : c->len[WZ_LC_AT];
}

enum {
	SC_CASE, SC_FINDING, SC_ARTICLE, SC_LIABLE_ID, SC_LIABLE_NAME,
	SC_LIABLE_RANK, SC_TIER, SC_PLACE, SC_AMOUNT, SC_STATUS, SC_MEASURES,
	SC_ALTERNATIVES, SC_BASIS, SC_NPU, SC_RECTIFY_BY, SC_RECMEAS,
	SC_OPENED, SC_UPDATED, SC_DATE, SC_BY, SC_NOTE, SC_EVENTS, SC_LEDGER,
	SC_N
};
static const char *const state_cols[SC_N] = {
	"case_id", "finding_id", "article", "liable_id", "liable_name",
	"liable_rank", "tier", "place", "amount", "status", "measures",
	"alternatives", "basis", "no_promotion_until", "rectify_by",
	"recommended_measures", "opened", "updated", "date", "by", "note",
	"events", "ledger"
};

/* Add the ';'-separated items of s[0..n) to list, each once. */
static void
list_add(struct wz_buf *list, const char *s, size_t n, int split)
{
	const char *e = s + n, *q, *p;
	size_t len;

	while (s < e || (n == 0 && !split)) {
		q = split ? memchr(s, ';', (size_t)(e - s)) : NULL;
		len = q != NULL ? (size_t)(q - s) : (size_t)(e - s);
		if (len > 0) {
			int found = 0;

			for (p = list->s; p != NULL && p < list->s + list->len;) {
				const char *pe = memchr(p, ';',
				    (size_t)(list->s + list->len - p));
				size_t pl = pe != NULL ? (size_t)(pe - p) :
				    (size_t)(list->s + list->len - p);

				if (pl == len && memcmp(p, s, len) == 0) {
					found = 1;
					break;
				}
				p = pe != NULL ? pe + 1 : list->s + list->len;
			}
			if (!found) {
				if (list->len > 0)
					wz_buf_addc(list, ';');
				wz_buf_add(list, s, len);
			}
		}
		if (q == NULL)
			break;
		s = q + 1;
	}
}

static void
write_case(struct wz_writer *w, const struct lcase *c)
{
	const char *date, *st = wz_event_name(c->status);
	size_t dlen;
	char num[32];

	case_date(c, &date, &dlen);
	wz_writer_field(w, c->f[WZ_LC_CASE], c->len[WZ_LC_CASE]);
	wz_writer_field(w, c->f[WZ_LC_FINDING], c->len[WZ_LC_FINDING]);
	wz_writer_field(w, c->f[WZ_LC_ARTICLE], c->len[WZ_LC_ARTICLE]);
	wz_writer_field(w, c->f[WZ_LC_LIABLE_ID], c->len[WZ_LC_LIABLE_ID]);
	wz_writer_field(w, c->f[WZ_LC_LIABLE_NAME],
	    c->len[WZ_LC_LIABLE_NAME]);
	wz_writer_field(w, c->f[WZ_LC_LIABLE_RANK],
	    c->len[WZ_LC_LIABLE_RANK]);
	wz_writer_field(w, c->f[WZ_LC_TIER], c->len[WZ_LC_TIER]);
	wz_writer_field(w, c->f[WZ_LC_PLACE], c->len[WZ_LC_PLACE]);
	wz_writer_field(w, c->f[WZ_LC_AMOUNT], c->len[WZ_LC_AMOUNT]);
	wz_writer_fieldz(w, st);
	wz_writer_field(w, c->f[WZ_LC_MEASURES], c->len[WZ_LC_MEASURES]);
	wz_writer_field(w, c->f[WZ_LC_ALTERNATIVES],
	    c->len[WZ_LC_ALTERNATIVES]);
	wz_writer_field(w, c->f[WZ_LC_BASIS], c->len[WZ_LC_BASIS]);
	wz_writer_field(w, c->f[WZ_LC_NO_PROMOTION_UNTIL],
	    c->len[WZ_LC_NO_PROMOTION_UNTIL]);
	wz_writer_field(w, c->f[WZ_LC_RECTIFY_BY], c->len[WZ_LC_RECTIFY_BY]);
	wz_writer_fieldz(w, c->recmeas);
	wz_writer_fieldz(w, c->opened);
	wz_writer_field(w, c->f[WZ_LC_AT], c->len[WZ_LC_AT]);
	wz_writer_field(w, date, dlen);
	wz_writer_field(w, c->f[WZ_LC_BY], c->len[WZ_LC_BY]);
	wz_writer_field(w, c->f[WZ_LC_NOTE], c->len[WZ_LC_NOTE]);
	snprintf(num, sizeof(num), "%lu", c->events);
	wz_writer_fieldz(w, num);
	wz_writer_fieldz(w, c->ledger);
	wz_writer_endrow(w);
}

/* An amount as the ledger stores it (digits, perhaps a point or a
 * sign): returns 1 and sets *v, or 0 if it is empty or not a number. */
static int
amount_value(const char *s, size_t n, double *v)
{
	char *end;

	if (n == 0)
		return 0;
	*v = strtod(s, &end);
	return end == s + n;
}

/*
 * The amount of a group: the sum of its cases' amounts, each sum once.
 * The cases of a group are one finding's, and the same sum on several of
 * them (two articles citing the same 4.2万元, or the finding's 涉及金额
 * column, which every article of the finding carries) is one sum of
 * money; different sums add up.  Empty if no case has an amount.
 */
static void
group_amount(const struct wz_lstate *st, const size_t *idx, size_t n,
    char out[32])
{
	const struct lcase *c, *o;
	double sum = 0, v, ov;
	size_t i, j;
	int any = 0;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		c = &st->c[idx[i]];
		if (!amount_value(c->f[WZ_LC_AMOUNT], c->len[WZ_LC_AMOUNT], &v))
			continue;
		for (j = 0; j < i; j++) {
			o = &st->c[idx[j]];
			if (amount_value(o->f[WZ_LC_AMOUNT],
			    o->len[WZ_LC_AMOUNT], &ov) && ov == v)
				break;
		}
		if (j < i)
			continue;	/* counted already */
		sum += v;
		any = 1;
	}
	if (any)
		wz_num_format(sum, out, 32);
}

/* One 台账 row for the cases idx[0..n) of one person and one finding. */
static void
write_group(struct wz_writer *w, const struct wz_lstate *st,
    const size_t *idx, size_t n)
{
	struct wz_buf col[SC_N];
	const struct lcase *c, *last = NULL, *ranked = NULL;
	char npu[11] = "", rb[11] = "", opened[WZ_AT_LEN + 1] = "",
	    updated[WZ_AT_LEN + 1] = "", date[11] = "", num[32], amount[32];
	const char *d;
	unsigned long events = 0;
	size_t i, k, dlen;

	memset(col, 0, sizeof(col));
	group_amount(st, idx, n, amount);
	for (i = 0; i < n; i++) {
		c = &st->c[idx[i]];
		if (ranked == NULL && c->len[WZ_LC_LIABLE_RANK] > 0)
			ranked = c;
		list_add(&col[SC_CASE], c->f[WZ_LC_CASE], c->len[WZ_LC_CASE], 0);
		list_add(&col[SC_ARTICLE], c->f[WZ_LC_ARTICLE],
		    c->len[WZ_LC_ARTICLE], 0);
		list_add(&col[SC_TIER], c->f[WZ_LC_TIER], c->len[WZ_LC_TIER], 0);
		list_add(&col[SC_PLACE], c->f[WZ_LC_PLACE],
		    c->len[WZ_LC_PLACE], 0);
		list_add(&col[SC_STATUS], wz_event_name(c->status),
		    strlen(wz_event_name(c->status)), 0);
		list_add(&col[SC_MEASURES], c->f[WZ_LC_MEASURES],
		    c->len[WZ_LC_MEASURES], 1);
		list_add(&col[SC_ALTERNATIVES], c->f[WZ_LC_ALTERNATIVES],
		    c->len[WZ_LC_ALTERNATIVES], 1);
		list_add(&col[SC_BASIS], c->f[WZ_LC_BASIS], c->len[WZ_LC_BASIS],
		    1);
		if (c->recmeas != NULL)
			list_add(&col[SC_RECMEAS], c->recmeas,
			    strlen(c->recmeas), 1);
		list_add(&col[SC_LEDGER], c->ledger, strlen(c->ledger), 0);
		/* The latest promotion bar, the earliest deadline. */
		if (c->len[WZ_LC_NO_PROMOTION_UNTIL] == 10 &&
		    strcmp(c->f[WZ_LC_NO_PROMOTION_UNTIL], npu) > 0)
			memcpy(npu, c->f[WZ_LC_NO_PROMOTION_UNTIL], 11);
		if (c->len[WZ_LC_RECTIFY_BY] == 10 && (rb[0] == '\0' ||
		    strcmp(c->f[WZ_LC_RECTIFY_BY], rb) < 0))
			memcpy(rb, c->f[WZ_LC_RECTIFY_BY], 11);
		if (opened[0] == '\0' || strcmp(c->opened, opened) < 0)
			memcpy(opened, c->opened, sizeof(opened));
		if (c->len[WZ_LC_AT] <= WZ_AT_LEN &&
		    strcmp(c->f[WZ_LC_AT], updated) > 0)
			memcpy(updated, c->f[WZ_LC_AT], c->len[WZ_LC_AT] + 1);
		case_date(c, &d, &dlen);
		if (dlen == 10 && memcmp(d, date, 10) > 0) {
			memcpy(date, d, 10);
			date[10] = '\0';
		}
		events += c->events;
		if (last == NULL || c->order > last->order)
			last = c;
	}
	c = &st->c[idx[0]];
	for (k = 0; k < SC_N; k++) {
		switch (k) {
		case SC_FINDING:
			wz_writer_field(w, c->f[WZ_LC_FINDING],
			    c->len[WZ_LC_FINDING]);
			break;
		case SC_LIABLE_ID:
			wz_writer_field(w, c->f[WZ_LC_LIABLE_ID],
			    c->len[WZ_LC_LIABLE_ID]);
			break;
		case SC_LIABLE_NAME:
			wz_writer_field(w, c->f[WZ_LC_LIABLE_NAME],
			    c->len[WZ_LC_LIABLE_NAME]);
			break;
		case SC_LIABLE_RANK:
			if (ranked != NULL)
				wz_writer_field(w, ranked->f[WZ_LC_LIABLE_RANK],
				    ranked->len[WZ_LC_LIABLE_RANK]);
			else
				wz_writer_fieldz(w, "");
			break;
		case SC_AMOUNT:
			wz_writer_fieldz(w, amount);
			break;
		case SC_NPU:
			wz_writer_fieldz(w, npu);
			break;
		case SC_RECTIFY_BY:
			wz_writer_fieldz(w, rb);
			break;
		case SC_OPENED:
			wz_writer_fieldz(w, opened);
			break;
		case SC_UPDATED:
			wz_writer_fieldz(w, updated);
			break;
		case SC_DATE:
			wz_writer_fieldz(w, date);
			break;
		case SC_BY:
			wz_writer_field(w, last->f[WZ_LC_BY],
			    last->len[WZ_LC_BY]);
			break;
		case SC_NOTE:
			wz_writer_field(w, last->f[WZ_LC_NOTE],
			    last->len[WZ_LC_NOTE]);
			break;
		case SC_EVENTS:
			snprintf(num, sizeof(num), "%lu", events);
			wz_writer_fieldz(w, num);
			break;
		default:
			wz_writer_field(w, col[k].s != NULL ? col[k].s : "",
			    col[k].len);
		}
	}
	wz_writer_endrow(w);
	for (k = 0; k < SC_N; k++)
		wz_buf_free(&col[k]);
}

/* Group the cases by (finding_id, liable) in order of first appearance. */
static void
write_groups(struct wz_writer *w, const struct wz_lstate *st)
{
	struct gslot { uint64_t h; size_t g; } *tab;
	size_t *first, *next, *tail, ng = 0, cap = 1024, i, j, *idx, ni;
	struct wz_buf key = { 0 };

	while (cap < 2 * st->n)
		cap *= 2;
	tab = wz_calloc(cap, sizeof(*tab));
	first = wz_calloc(st->n + 1, sizeof(size_t));
	tail = wz_calloc(st->n + 1, sizeof(size_t));
	next = wz_calloc(st->n + 1, sizeof(size_t));
	idx = wz_calloc(st->n + 1, sizeof(size_t));
	for (i = 0; i < st->n; i++) {
		const struct lcase *c = &st->c[i];
		const struct lcase *g;
		uint64_t h;
		int liable_id = c->len[WZ_LC_LIABLE_ID] > 0;

		wz_buf_reset(&key);
		wz_buf_add(&key, c->f[WZ_LC_FINDING], c->len[WZ_LC_FINDING]);
		wz_buf_addc(&key, '\037');
		if (liable_id)
			wz_buf_add(&key, c->f[WZ_LC_LIABLE_ID],
			    c->len[WZ_LC_LIABLE_ID]);
		else
			wz_buf_add(&key, c->f[WZ_LC_LIABLE_NAME],
			    c->len[WZ_LC_LIABLE_NAME]);
		h = wz_hash(key.s, key.len) | 1;
		for (j = (size_t)(h * 0x9e3779b97f4a7c15ULL) & (cap - 1);
		    tab[j].h != 0; j = (j + 1) & (cap - 1)) {
			if (tab[j].h != h)
				continue;
			g = &st->c[first[tab[j].g]];
			/* Compare the keys themselves, not just hashes. */
			if (g->len[WZ_LC_FINDING] == c->len[WZ_LC_FINDING] &&
			    memcmp(g->f[WZ_LC_FINDING], c->f[WZ_LC_FINDING],
			    c->len[WZ_LC_FINDING]) == 0 &&
			    (liable_id ? g->len[WZ_LC_LIABLE_ID] ==
			    c->len[WZ_LC_LIABLE_ID] && memcmp(
			    g->f[WZ_LC_LIABLE_ID], c->f[WZ_LC_LIABLE_ID],
			    c->len[WZ_LC_LIABLE_ID]) == 0 :
			    g->len[WZ_LC_LIABLE_ID] == 0 &&
			    g->len[WZ_LC_LIABLE_NAME] ==
			    c->len[WZ_LC_LIABLE_NAME] && memcmp(
			    g->f[WZ_LC_LIABLE_NAME], c->f[WZ_LC_LIABLE_NAME],
			    c->len[WZ_LC_LIABLE_NAME]) == 0))
				break;
		}
		if (tab[j].h == 0) {
			tab[j].h = h;
			tab[j].g = ng;
			first[ng] = tail[ng] = i;
			next[i] = SIZE_MAX;
			ng++;
			continue;
		}
		next[tail[tab[j].g]] = i;
		next[i] = SIZE_MAX;
		tail[tab[j].g] = i;
	}
	for (j = 0; j < ng; j++) {
		for (ni = 0, i = first[j]; i != SIZE_MAX; i = next[i])
			idx[ni++] = i;
		write_group(w, st, idx, ni);
	}
	wz_buf_free(&key);
	free(tab);
	free(first);
	free(tail);
	free(next);
	free(idx);
}

void
wz_lstate_write(struct wz_lstate *st, struct wz_writer *w, int group)
{
	size_t i;

	for (i = 0; i < SC_N; i++)
		wz_writer_fieldz(w, state_cols[i]);
	wz_writer_endrow(w);
	if (group) {
		write_groups(w, st);
		return;
	}
	for (i = 0; i < st->n; i++)
		write_case(w, &st->c[i]);
}

void
wz_lstate_free(struct wz_lstate *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->n; i++) {
		free(st->c[i].blk);
		free(st->c[i].recmeas);
	}
	for (i = 0; i < st->nledgers; i++)
		free(st->ledgers[i]);
	free(st->ledgers);
	free(st->c);
	free(st->tab);
	free(st);
}

/* ------------------------------------------------------------------ */
/* Writing: a locked ledger and the records added to it.              */

struct wled {
	const char	*path;
	int		 fd, tsv, created;
	off_t		 size0;		/* size when the lock was taken */
	uint64_t	 seq;		/* of the last record */
	char		 hash[WZ_SHA_HEXLEN + 1];	/* of the last record */
	char		 at[WZ_AT_LEN + 1];
	struct wz_sha	*sha;
	struct wz_buf	 out;		/* whole records not written yet */
	struct wz_buf	 line, scratch;
	int		 wrote;		/* bytes went to the file */
};

/*
 * Open and lock a ledger for writing.  With create, a missing ledger is
 * created (mode 0640); an empty file counts as a new ledger.  Returns 0
 * or an exit status after printing why.
 */
static int
wled_open(struct wled *l, const char *path, int create, int tsv,
    const char *at)
{
	struct stat st;
	int flags = O_RDWR | O_APPEND | O_CLOEXEC | (create ? O_CREAT : 0);

	memset(l, 0, sizeof(*l));
	l->path = path;
	l->fd = -1;
	if ((l->fd = open(path, flags, 0640)) == -1) {
		wz_sysmsg(path, "cannot open ledger");
		return EX_NOINPUT;
	}
	if (lock_fd(l->fd, LOCK_EX) == -1 || fstat(l->fd, &st) == -1) {
		wz_sysmsg(path, "cannot lock ledger");
		return EX_IOERR;
	}
	if (!S_ISREG(st.st_mode)) {
		wz_msg(path, 0, "not a regular file");
		return EX_DATAERR;
	}
	l->size0 = st.st_size;
	l->tsv = tsv;
	l->sha = wz_sha_new();
	memcpy(l->hash, zero_hash, sizeof(l->hash));
	if (at != NULL)
		memcpy(l->at, at, sizeof(l->at));
	else
		wz_ledger_now(l->at);
	if (l->size0 == 0) {
		if (!create) {
			wz_msg(path, 0, "empty file: not a wz-ledger file");
			return EX_DATAERR;
		}
		l->created = 1;
		wz_buf_adds(&l->out, header_line(tsv));
		wz_buf_addc(&l->out, '\n');
	}
	return 0;
}

/*
 * Read the locked ledger: check the header and every record's shape,
 * note the last seq and hash, and call fn for each record (if not NULL).
 * Refuses a torn last line.  Returns 0 or an exit status.
 */
static int
wled_load(struct wled *l, void (*fn)(void *, const char **, size_t *,
    unsigned long), void *arg)
{
	struct lscan sc;
	const char *p, *f[WZ_LEDGER_NCOLS];
	size_t n, len[WZ_LEDGER_NCOLS];
	uint64_t seq;
	int nl, rc, k, status = 0;

	if (l->created)
		return 0;
	lscan_init(&sc, l->fd, l->size0);
	if (lseek(l->fd, 0, SEEK_SET) == -1) {
		wz_sysmsg(l->path, "cannot seek");
		status = EX_IOERR;
		goto out;
	}
	while ((rc = lscan_next(&sc, &p, &n, &nl)) == 1) {
		if (sc.line == 1) {
			if ((l->tsv = check_header(l->path, p, n, nl)) == -1) {
				status = EX_DATAERR;
				goto out;
			}
			continue;
		}
		if (!nl) {
			wz_msg(l->path, sc.line, "torn last line (an append "
			    "was interrupted): run 'wz-ledger recover %s' "
			    "first", l->path);
			status = EX_DATAERR;
			goto out;
		}
		k = wz_ledger_split(p, n, l->tsv, &l->scratch, f, len,
		    WZ_LEDGER_NCOLS);
		if (k != WZ_LEDGER_NCOLS || parse_seq(f[WZ_LC_SEQ],
		    len[WZ_LC_SEQ], &seq) == -1 ||
		    !wz_sha_is_hex(f[WZ_LC_HASH], len[WZ_LC_HASH]) ||
		    n < WZ_SHA_HEXLEN || memcmp(p + n - WZ_SHA_HEXLEN,
		    f[WZ_LC_HASH], WZ_SHA_HEXLEN) != 0) {
			wz_msg(l->path, sc.line, "not a ledger record: run "
			    "'wz-ledger verify %s'", l->path);
			status = EX_DATAERR;
			goto out;
		}
		l->seq = seq;
		memcpy(l->hash, f[WZ_LC_HASH], WZ_SHA_HEXLEN);
		if (fn != NULL)
			fn(arg, f, len, sc.line);
	}
	if (rc == -1) {
		errno = sc.err;
		wz_sysmsg(l->path, "read error");
		status = EX_IOERR;
	}
out:
	lscan_free(&sc);
	return status;
}

/* Put the ledger back as it was when locked, after a failed write. */
static void
wled_undo(struct wled *l)
{
	if (!l->wrote)
		return;
	if (ftruncate(l->fd, l->size0) == -1)
		wz_sysmsg(l->path, "cannot truncate the ledger back to %lld "
		    "bytes", (long long)l->size0);
	else
		(void)fsync(l->fd);
	l->wrote = 0;
}

/* Write the pending records.  Returns 0, or EX_IOERR after undoing
 * this run's writes. */
static int
wled_flush(struct wled *l)
{
	size_t off = 0, piece, end;
	ssize_t k;

	while (off < l->out.len) {
		/* Each write(2) gets whole records: end a piece at a
		 * newline.  wled_add flushes at WRITE_CHUNK, so a piece
		 * is one write unless a record is huge. */
		piece = l->out.len - off;
		if (piece > 2 * WRITE_CHUNK) {
			end = off + 2 * WRITE_CHUNK;
			while (end > off && l->out.s[end - 1] != '\n')
				end--;
			piece = end > off ? end - off : piece;
		}
		do
			k = write(l->fd, l->out.s + off, piece);
		while (k == -1 && errno == EINTR);
		if (k > 0)
			l->wrote = 1;
		if (k == -1) {
			wz_sysmsg(l->path, "write error; the ledger is left "
			    "as it was");
			wled_undo(l);
			l->out.len = 0;
			return EX_IOERR;
		}
		/* A short write is followed by another, which reports
		 * the error (EFBIG, ENOSPC). */
		off += (size_t)k;
	}
	l->out.len = 0;
	return 0;
}

/*
 * Add a record: the fields from date to note of f/len are given; seq,
 * at and hash are filled in.
 */
static int
wled_add(struct wled *l, const char **f, size_t *len)
{
	char seq[24], hash[WZ_SHA_HEXLEN + 1];

	snprintf(seq, sizeof(seq), "%llu", (unsigned long long)(l->seq + 1));
	f[WZ_LC_SEQ] = seq;
	len[WZ_LC_SEQ] = strlen(seq);
	f[WZ_LC_AT] = l->at;
	len[WZ_LC_AT] = strlen(l->at);
	wz_buf_reset(&l->line);
	wz_ledger_encode(&l->line, l->tsv, f, len, WZ_LC_HASH);
	wz_sha_pair_hex(l->sha, l->hash, WZ_SHA_HEXLEN, l->line.s,
	    l->line.len, hash);
	wz_buf_add(&l->out, l->line.s, l->line.len);
	wz_buf_add(&l->out, hash, WZ_SHA_HEXLEN);
	wz_buf_addc(&l->out, '\n');
	memcpy(l->hash, hash, sizeof(hash));
	l->seq++;
	if (l->out.len >= WRITE_CHUNK)
		return wled_flush(l);
	return 0;
}

/* Write what is pending and make it durable: one fsync per run (and
 * one of the folder when the ledger is new). */
static int
wled_commit(struct wled *l)
{
	char *dir;
	int dfd, status;

	if ((status = wled_flush(l)) != 0)
		return status;
	if (!l->wrote)
		return 0;
	if (fsync(l->fd) == -1) {
		wz_sysmsg(l->path, "fsync failed; the ledger is left as it "
		    "was");
		wled_undo(l);
		return EX_IOERR;
	}
	if (l->created) {
		dir = wz_strdup(l->path);
		if ((dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY)) != -1) {
			(void)fsync(dfd);
			close(dfd);
		}
		free(dir);
	}
	return 0;
}

static void
wled_close(struct wled *l)
{
	if (l->fd != -1)
		close(l->fd);	/* and with it the lock */
	l->fd = -1;
	wz_sha_free(l->sha);
	l->sha = NULL;
	wz_buf_free(&l->out);
	wz_buf_free(&l->line);
	wz_buf_free(&l->scratch);
}

/* Who records, when --by is not given: the login name. */
static const char *
login_name(void)
{
	static char buf[64];
	struct passwd *pw = getpwuid(geteuid());

	if (pw != NULL && pw->pw_name != NULL && *pw->pw_name != '\0')
		return pw->pw_name;
	snprintf(buf, sizeof(buf), "uid %lu", (unsigned long)geteuid());
	return buf;
}

/* ------------------------------------------------------------------ */
/* The note: entries, then the user's text.                           */

/* Is s[0..n) "NAME=..." with NAME of [a-z_], not empty?  Sets *nl. */
static int
note_entry(const char *s, size_t n, size_t *nl)
{
	size_t i;

	for (i = 0; i < n && ((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_');
	    i++)
		;
	if (i == 0 || i == n || s[i] != '=')
		return 0;
	*nl = i;
	return 1;
}

/*
 * Walk note's entries: fn (if not NULL) is called for each; returns the
 * offset of the user's text and sets *elen to the length of the entries
 * before it (without the ';' that ends them).
 */
static size_t
note_walk(const char *note, size_t len, size_t *elen,
    int (*fn)(void *, const char *, size_t, const char *, size_t),
    void *arg)
{
	const char *p = note, *e = note + len, *q;
	size_t nl;

	*elen = 0;
	while (p < e) {
		q = memchr(p, ';', (size_t)(e - p));
		if (q == NULL)
			q = e;
		if (!note_entry(p, (size_t)(q - p), &nl))
			return (size_t)(p - note);
		if (nl == 4 && memcmp(p, "note", 4) == 0)
			return (size_t)(p + 5 - note);
		if (fn != NULL && fn(arg, p, nl, p + nl + 1,
		    (size_t)(q - p - nl - 1)))
			return (size_t)(p - note);
		*elen = (size_t)(q - note);
		p = q + (q < e);
	}
	return len;
}

struct note_find {
	const char	*name;
	const char	*s;
	size_t		 n;
	int		 found;
};

static int
note_find_fn(void *arg, const char *name, size_t nl, const char *v,
    size_t vl)
{
	struct note_find *nf = arg;

	if (nf->found || strlen(nf->name) != nl ||
	    memcmp(nf->name, name, nl) != 0)
		return 0;
	nf->s = v;
	nf->n = vl;
	nf->found = 1;
	return 0;
}

int
wz_ledger_note_get(const char *note, size_t len, const char *name,
    const char **s, size_t *n)
{
	struct note_find nf = { name, NULL, 0, 0 };
	size_t elen;

	note_walk(note, len, &elen, note_find_fn, &nf);
	if (!nf.found)
		return 0;
	*s = nf.s;
	*n = nf.n;
	return 1;
}

size_t
wz_ledger_note_text(const char *note, size_t len, const char **text)
{
	size_t elen, off = note_walk(note, len, &elen, NULL, NULL);

	*text = note + off;
	return len - off;
}

void
wz_ledger_note_make(struct wz_buf *b, const char *entries, size_t elen,
    const char *text, size_t tlen)
{
	size_t nl;

	wz_buf_reset(b);
	wz_buf_add(b, entries, elen);
	if (tlen > 0) {
		/* The text alone stays as it is, unless it would read as
		 * entries. */
		if (elen > 0)
			wz_buf_adds(b, ";note=");
		else {
			const char *q = memchr(text, ';', tlen);

			if (note_entry(text, q != NULL ? (size_t)(q - text) :
			    tlen, &nl))
				wz_buf_adds(b, "note=");
		}
		wz_buf_add(b, text, tlen);
	}
	wz_buf_cstr(b);
}

/* The entries of a note as they are, without the user's text. */
static size_t
note_entries(const char *note, size_t len)
{
	size_t elen;

	note_walk(note, len, &elen, NULL, NULL);
	return elen;
}

/* ------------------------------------------------------------------ */
/* append                                                             */

/* Input columns that the ledger takes, by the names wz-match, wz-tier
 * and wz-penalty give them. */
enum {
	IN_ARTICLE, IN_LIABLE_ID, IN_LIABLE_NAME, IN_LIABLE_RANK, IN_TIER,
	IN_MEASURES, IN_ALTERNATIVES, IN_BASIS, IN_NPU, IN_RECTIFY_BY,
	IN_VALUES, IN_ID, IN_PLACE, IN_AMOUNT, IN_YEAR, IN_DATE, IN_FOUND,
	IN_N
};
static const char *const in_names[IN_ID] = {
	"article", "liable_id", "liable_name", "liable_rank", "tier",
	"measures", "alternatives", "basis", "no_promotion_until",
	"rectify_by", "values"
};
const char *const wz_ledger_id_columns[] = {
	"id", "finding_id", "编号", "问题编号", "线索编号", NULL
};
const char *const wz_ledger_place_columns[] = {
	"place", "地点", "问题地点", "unit", "单位", "工作单位", NULL
};
/* The aliases of `amount` in rules/headers.yaml, all in yuan. */
const char *const wz_ledger_amount_columns[] = {
	"amount", "涉及金额", "金额", "金额(元)", "涉及金额(元)", "涉及资金",
	"涉及资金(元)", "涉案金额", "违纪金额", "违规金额", "问题金额",
	"问题金额(元)", "资金金额", "涉及资金金额", NULL
};

/* The year of the conduct: the first of these that reads as a date or a
 * year, as wz-match finds the year for history (rules/headers.yaml). */
const char *const wz_ledger_year_columns[] = {
	"year", "年度", "考核年度", "年份", "所属年度", "年", NULL
};
const char *const wz_ledger_date_columns[] = {
	"date", "发生时间", "发生日期", "违纪时间", "违规时间", "违纪违规时间",
	"问题发生时间", "问题发生日期", NULL
};
const char *const wz_ledger_found_columns[] = {
	"found_date", "发现日期", "发现时间", "受理时间", "受理日期", "立案时间",
	"立案日期", "登记时间", "登记日期", "检查时间", "督查时间",
	"线索受理时间", "问题发现时间", NULL
};

/* Stored per case: these fields, NUL-terminated, one after another; they
 * map onto WZ_LC_CASE .. WZ_LC_RECTIFY_BY in order.  The note follows
 * them. */
enum {
	AR_CASE, AR_FINDING, AR_ARTICLE, AR_LIABLE_ID, AR_LIABLE_NAME,
	AR_LIABLE_RANK, AR_TIER, AR_PLACE, AR_AMOUNT, AR_MEASURES,
	AR_ALTERNATIVES, AR_BASIS, AR_NPU, AR_RECTIFY_BY, AR_N
};
_Static_assert(WZ_LC_CASE + AR_N - 1 == WZ_LC_RECTIFY_BY &&
    WZ_LC_CASE + AR_AMOUNT == WZ_LC_AMOUNT &&
    WZ_LC_CASE + AR_LIABLE_RANK == WZ_LC_LIABLE_RANK,
    "the stored fields follow the ledger's columns");

struct pending {
	struct wz_buf	 arena;
	size_t		*off;		/* where each case starts */
	size_t		 n, cap;
	struct wz_buf	 fix[IN_N];	/* values with line breaks, mended */
	unsigned long	 nwarn;		/* rows recorded with a problem */
	const char	*note;		/* --note, or "" */
	struct wz_buf	 nb, eb;	/* a row's note and its entries */
};

struct incols {
	int		 col[IN_N];
	size_t		 nfind;		/* the finding's own columns */
};

/* The last column named name (ASCII case ignored), among the first
 * limit columns; -1 if none.  norm holds the normalised headers. */
static int
col_last(char *const *norm, size_t limit, const char *name)
{
	char *want = wz_header_norm(name, strlen(name));
	size_t i;
	int found = -1;

	for (i = 0; i < limit; i++)
		if (strcasecmp(norm[i], want) == 0)
			found = (int)i;
	free(want);
	return found;
}

static int
col_first_of(char *const *norm, size_t limit, const char *const *names)
{
	int i, c;

	for (i = 0; names[i] != NULL; i++)
		if ((c = col_last(norm, limit, names[i])) >= 0)
			return c;
	return -1;
}

/* Find the columns of one input; -1 after printing why it cannot be
 * appended. */
static int
find_cols(struct wz_reader *r, const struct wz_row *hdr,
    const struct wz_ledger_opts *o, struct incols *ic)
{
	char **norm = wz_calloc(hdr->n + 1, sizeof(char *));
	const char *name = wz_reader_name(r);
	size_t i;
	int k, ret = 0;

	for (i = 0; i < hdr->n; i++)
		norm[i] = wz_header_norm(hdr->f[i], hdr->len[i]);
	for (k = 0; k < IN_ID; k++)
		ic->col[k] = col_last(norm, hdr->n, in_names[k]);
	if (ic->col[IN_ARTICLE] < 0) {
		wz_msg(name, hdr->line, "no 'article' column: the input is "
		    "not the output of wz-match, wz-tier or wz-penalty");
		ret = -1;
		goto out;
	}
	if (ic->col[IN_LIABLE_ID] < 0 && ic->col[IN_LIABLE_NAME] < 0) {
		wz_msg(name, hdr->line, "no 'liable_id' or 'liable_name' "
		    "column: the input is not the output of wz-tier or "
		    "wz-penalty");
		ret = -1;
		goto out;
	}
	/* Filters append their columns, so the finding's own are those
	 * before wz-match's first, article. */
	ic->nfind = (size_t)ic->col[IN_ARTICLE];
	{
		/* The finding's columns this program reads: the one an
		 * option names (anywhere in the input), else the first of
		 * the usual names among the finding's own columns. */
		const struct {
			int		 in;
			const char	*named, *opt;
			const char *const *names;
		} pick[] = {
			{ IN_ID, o->id_column, "--id-column",
			    wz_ledger_id_columns },
			{ IN_PLACE, o->place_column, "--place-column",
			    wz_ledger_place_columns },
			{ IN_AMOUNT, NULL, NULL, wz_ledger_amount_columns },
			{ IN_YEAR, o->year_column, "--year-column",
			    wz_ledger_year_columns },
			{ IN_DATE, o->date_column, "--date-column",
			    wz_ledger_date_columns },
			{ IN_FOUND, NULL, NULL, wz_ledger_found_columns },
		};

		for (i = 0; i < sizeof(pick) / sizeof(pick[0]); i++) {
			if (pick[i].named == NULL) {
				ic->col[pick[i].in] = col_first_of(norm,
				    ic->nfind, pick[i].names);
				continue;
			}
			ic->col[pick[i].in] = col_last(norm, hdr->n,
			    pick[i].named);
			if (ic->col[pick[i].in] < 0) {
				wz_msg(name, hdr->line, "no column '%s' (%s)",
				    pick[i].named, pick[i].opt);
				ret = -1;
				goto out;
			}
		}
	}
out:
	for (i = 0; i < hdr->n; i++)
		free(norm[i]);
	free(norm);
	return ret;
}

static const char *
cell(const struct wz_row *row, int col, size_t *len)
{
	if (col < 0 || (size_t)col >= row->n) {
		*len = 0;
		return "";
	}
	*len = row->len[col];
	return row->f[col];
}

/* The entry NAME= (key, with its '=') of a values column
 * ("amount=42000;days=98;case=ID"): sets *s and *n and returns 1, or
 * returns 0 if there is none. */
static int
values_entry(const char *v, size_t len, const char *key, const char **s,
    size_t *n)
{
	const char *p = v, *e = v + len, *q;
	size_t kl = strlen(key);

	while (p < e) {
		q = memchr(p, ';', (size_t)(e - p));
		if (q == NULL)
			q = e;
		if ((size_t)(q - p) >= kl && memcmp(p, key, kl) == 0) {
			*s = p + kl;
			*n = (size_t)(q - p) - kl;
			return 1;
		}
		p = q + 1;
	}
	return 0;
}

static int
values_amount(const char *v, size_t len, const char **s, size_t *n)
{
	return values_entry(v, len, "amount=", s, n);
}

/* The year a cell names: a date or a year as people type them
 * (wz_date_parse), or "2017年度"; 0 if none. */
static int
cell_year(const char *s, size_t n)
{
	wz_day d;
	int y, mo, dd;

	if (n == 0)
		return 0;
	if (wz_date_parse(s, n, WZ_DATE_NOSERIAL, WZ_DAY_NONE, WZ_DAY_NONE,
	    &d, NULL, NULL, 0) == WZ_DATE_OK) {
		wz_date_ymd(d, &y, &mo, &dd);
		return y;
	}
	if (n == 4 + strlen("年度") && memcmp(s + 4, "年度", n - 4) == 0 &&
	    wz_date_parse(s, 4, WZ_DATE_NOSERIAL, WZ_DAY_NONE, WZ_DAY_NONE,
	    &d, NULL, NULL, 0) == WZ_DATE_OK) {
		wz_date_ymd(d, &y, &mo, &dd);
		return y;
	}
	return 0;
}

/* Is s[0..n) a list of rule case ids ("town_average,town_poor")? */
static int
case_list_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_' || s[i] == '-' || s[i] == '.' || s[i] == ','))
			return 0;
	return n > 0;
}

/*
 * The note of a row's case into pd->nb: its rule cases (the values
 * column's case= entry) and the year of the conduct (the first of the
 * year, date and discovery-date columns that names one), then --note.
 */
static void
row_note(struct pending *pd, const char *const *v, const size_t *len)
{
	static const int ycols[] = { IN_YEAR, IN_DATE, IN_FOUND };
	const char *s;
	size_t n, k;
	int y = 0;

	wz_buf_reset(&pd->eb);
	if (values_entry(v[IN_VALUES], len[IN_VALUES], "case=", &s, &n) &&
	    case_list_ok(s, n)) {
		wz_buf_adds(&pd->eb, "case=");
		wz_buf_add(&pd->eb, s, n);
	}
	for (k = 0; k < sizeof(ycols) / sizeof(ycols[0]) && y == 0; k++)
		y = cell_year(v[ycols[k]], len[ycols[k]]);
	if (y > 0)
		wz_buf_printf(&pd->eb, "%syear=%d", pd->eb.len > 0 ? ";" : "",
		    y);
	wz_ledger_note_make(&pd->nb, pd->eb.s != NULL ? pd->eb.s : "",
	    pd->eb.len, pd->note, strlen(pd->note));
}

/* A sum of money s[0..n) as the ledger keeps it, into out (32 bytes):
 * whole yuan as wz-match writes them are kept as they are, anything
 * else goes through wz_num_amount ("4.2万元" is 42000).  -1 if it is
 * not a sum of money. */
static int
yuan(const char *s, size_t n, char out[32])
{
	size_t i;
	double d;

	for (i = 0; i < n && n < 19 && s[i] >= '0' && s[i] <= '9'; i++)
		;
	if (n > 0 && i == n && (s[0] != '0' || n == 1)) {
		memcpy(out, s, n);
		out[n] = '\0';
		return 0;
	}
	if (wz_num_amount(s, n, &d) == -1)
		return -1;
	wz_num_format(d, out, 32);
	return 0;
}

/*
 * The amount of a row in yuan into out (32 bytes; empty if none): the
 * values column's amount= entry, else the amount column.  Returns 0, or
 * -1 if the text given is not a sum of money; *what and *text then name
 * it for the message.
 */
static int
row_amount(const char *const *v, const size_t *len, char out[32],
    const char **what, const char **text, size_t *tlen)
{
	const char *s;
	size_t n;
	int bad = 0;

	out[0] = '\0';
	if (values_amount(v[IN_VALUES], len[IN_VALUES], &s, &n) && n > 0) {
		if (yuan(s, n, out) == 0)
			return 0;
		*what = "values amount=";
		*text = s;
		*tlen = n;
		bad = 1;
	}
	if (len[IN_AMOUNT] > 0) {
		if (yuan(v[IN_AMOUNT], len[IN_AMOUNT], out) == 0)
			return 0;
		if (!bad) {
			*what = "amount";
			*text = v[IN_AMOUNT];
			*tlen = len[IN_AMOUNT];
			bad = 1;
		}
	}
	out[0] = '\0';
	return bad ? -1 : 0;
}

/* Take one input row; returns 1 if stored, 0 if rejected (reported). */
static int
take_row(struct pending *pd, struct wz_reader *r, const struct wz_row *row,
    const struct incols *ic)
{
	const char *v[IN_N], *liable, *atext, *awhat;
	size_t len[IN_N], i, liablen, alen;
	char finding[WZ_CASE_ID_LEN + 1], id[WZ_CASE_ID_LEN + 1], amount[32];
	const char *kf[4];
	size_t kl[4];
	const char *name = wz_reader_name(r);

	for (i = 0; i < IN_N; i++) {
		v[i] = cell(row, ic->col[i], &len[i]);
		/* A record is one line: a line break in a value is stored,
		 * and hashed into the case id, as a space, whatever the
		 * ledger's format. */
		if (memchr(v[i], '\n', len[i]) != NULL ||
		    memchr(v[i], '\r', len[i]) != NULL) {
			size_t k;

			wz_buf_reset(&pd->fix[i]);
			wz_buf_add(&pd->fix[i], v[i], len[i]);
			for (k = 0; k < len[i]; k++)
				if (pd->fix[i].s[k] == '\n' ||
				    pd->fix[i].s[k] == '\r')
					pd->fix[i].s[k] = ' ';
			v[i] = wz_buf_cstr(&pd->fix[i]);
		}
	}
	if (len[IN_ARTICLE] == 0) {
		wz_msg(name, row->line, "no article (the 'article' column is "
		    "empty)");
		return 0;
	}
	liable = len[IN_LIABLE_ID] > 0 ? v[IN_LIABLE_ID] : v[IN_LIABLE_NAME];
	liablen = len[IN_LIABLE_ID] > 0 ? len[IN_LIABLE_ID] :
	    len[IN_LIABLE_NAME];
	if (liablen == 0) {
		wz_msg(name, row->line, "no liable party (liable_id and "
		    "liable_name are empty)");
		return 0;
	}
	if (len[IN_NPU] > 0 && !wz_ledger_date_ok(v[IN_NPU], len[IN_NPU])) {
		wz_msg(name, row->line, "no_promotion_until '%.*s%s' is not "
		    "a date (YYYY-MM-DD)", wz_qlen(v[IN_NPU], len[IN_NPU]),
		    v[IN_NPU], wz_qmore(len[IN_NPU]));
		return 0;
	}
	if (len[IN_RECTIFY_BY] > 0 && !wz_ledger_date_ok(v[IN_RECTIFY_BY],
	    len[IN_RECTIFY_BY])) {
		wz_msg(name, row->line, "rectify_by '%.*s%s' is not a date "
		    "(YYYY-MM-DD)", wz_qlen(v[IN_RECTIFY_BY], len[IN_RECTIFY_BY]),
		    v[IN_RECTIFY_BY], wz_qmore(len[IN_RECTIFY_BY]));
		return 0;
	}
	if (row_amount(v, len, amount, &awhat, &atext, &alen) == -1) {
		wz_msg(name, row->line, "%s '%.*s%s' is not a sum of money "
		    "in yuan: its amount is left empty", awhat,
		    wz_qlen(atext, alen), atext, wz_qmore(alen));
		pd->nwarn++;
	}
	if (len[IN_ID] == 0) {
		wz_ledger_short_hash((const char *const *)row->f, row->len,
		    ic->nfind, finding);
		v[IN_ID] = finding;
		len[IN_ID] = WZ_CASE_ID_LEN;
	}
	kf[0] = v[IN_ID], kl[0] = len[IN_ID];
	kf[1] = v[IN_ARTICLE], kl[1] = len[IN_ARTICLE];
	kf[2] = liable, kl[2] = liablen;
	kf[3] = v[IN_TIER], kl[3] = len[IN_TIER];
	wz_ledger_short_hash(kf, kl, 4, id);

	if (pd->n == pd->cap) {
		pd->cap = pd->cap ? pd->cap * 2 : 1024;
		pd->off = wz_reallocarray(pd->off, pd->cap, sizeof(size_t));
	}
	pd->off[pd->n++] = pd->arena.len;
#define PUT(s, n) do { wz_buf_add(&pd->arena, (s), (n)); \
	wz_buf_addc(&pd->arena, '\0'); } while (0)
	PUT(id, WZ_CASE_ID_LEN);
	PUT(v[IN_ID], len[IN_ID]);
	PUT(v[IN_ARTICLE], len[IN_ARTICLE]);
	PUT(v[IN_LIABLE_ID], len[IN_LIABLE_ID]);
	PUT(v[IN_LIABLE_NAME], len[IN_LIABLE_NAME]);
	PUT(v[IN_LIABLE_RANK], len[IN_LIABLE_RANK]);
	PUT(v[IN_TIER], len[IN_TIER]);
	PUT(v[IN_PLACE], len[IN_PLACE]);
	PUT(amount, strlen(amount));
	PUT(v[IN_MEASURES], len[IN_MEASURES]);
	PUT(v[IN_ALTERNATIVES], len[IN_ALTERNATIVES]);
	PUT(v[IN_BASIS], len[IN_BASIS]);
	PUT(v[IN_NPU], len[IN_NPU]);
	PUT(v[IN_RECTIFY_BY], len[IN_RECTIFY_BY]);
	row_note(pd, v, len);
	PUT(pd->nb.s, pd->nb.len);
#undef PUT
	return 1;
}

static void
collect_key(void *arg, const char **f, size_t *len, unsigned long line)
{
	keyset_add(arg, case_key(f[WZ_LC_CASE], len[WZ_LC_CASE]));
}

int
wz_ledger_append(const char *ledger, struct wz_reader *const *in,
    size_t nin, const struct wz_ledger_opts *o)
{
	struct pending pd;
	struct keyset keys = { NULL, 0, 0 };
	struct wled l;
	const struct wz_row *hdr, *row;
	struct incols ic = { { 0 }, 0 };
	const char *f[WZ_LEDGER_NCOLS], *by;
	char date[11];
	size_t len[WZ_LEDGER_NCOLS], i, k, off;
	unsigned long nread = 0, nrej = 0, nblank = 0, napp = 0, ndup = 0;
	int rc, status = 0, fatal = 0, colsok;

	memset(&l, 0, sizeof(l));
	memset(&pd, 0, sizeof(pd));
	pd.note = o->note != NULL ? o->note : "";
	l.fd = -1;
	if (o->on != NULL && !wz_ledger_date_ok(o->on, strlen(o->on))) {
		wz_msg(NULL, 0, "--on: '%s' is not a date (YYYY-MM-DD)", o->on);
		return EX_USAGE;
	}
	/* Read every input before taking the lock, so that a slow pipe
	 * does not hold other writers up. */
	for (i = 0; i < nin && !fatal; i++) {
		if (wz_reader_header(in[i], &hdr) != WZ_ROW) {
			wz_msg(wz_reader_name(in[i]), wz_reader_errline(in[i]),
			    "%s", wz_reader_error(in[i]));
			fatal = wz_reader_errstatus(in[i]);
			break;
		}
		colsok = find_cols(in[i], hdr, o, &ic) == 0;
		while ((rc = wz_reader_next(in[i], &row)) != WZ_EOF) {
			if (rc == WZ_FATAL) {
				wz_msg(wz_reader_name(in[i]),
				    wz_reader_errline(in[i]), "%s",
				    wz_reader_error(in[i]));
				fatal = wz_reader_errstatus(in[i]);
				break;
			}
			if (rc == WZ_ROW && row->blank) {
				nblank++;
				continue;
			}
			nread++;
			if (rc == WZ_BAD) {
				wz_msg(wz_reader_name(in[i]),
				    wz_reader_errline(in[i]), "%s",
				    wz_reader_error(in[i]));
				nrej++;
			} else if (!colsok || !take_row(&pd, in[i], row, &ic))
				nrej++;	/* a header problem is reported once */
		}
		if (!colsok && !fatal)
			fatal = EX_DATAERR;
	}
	if (fatal) {
		wz_msg(ledger, 0, "nothing appended (%lu row%s read, %lu "
		    "rejected)", nread, nread == 1 ? "" : "s", nrej);
		status = fatal;
		goto out;
	}

	by = o->by != NULL ? o->by : login_name();
	if ((status = wled_open(&l, ledger, 1, o->tsv, o->at)) != 0 ||
	    (status = wled_load(&l, collect_key, &keys)) != 0)
		goto out;
	/* The day of the run: --on, else the day of --at (or now). */
	snprintf(date, sizeof(date), "%.10s", o->on != NULL ? o->on : l.at);
	f[WZ_LC_DATE] = date;
	len[WZ_LC_DATE] = strlen(date);
	f[WZ_LC_EVENT] = "recommended";
	len[WZ_LC_EVENT] = strlen(f[WZ_LC_EVENT]);
	f[WZ_LC_BY] = by;
	len[WZ_LC_BY] = strlen(by);
	for (i = 0; i < pd.n; i++) {
		const char *s = pd.arena.s + pd.off[i];

		if (!keyset_add(&keys, case_key(s, strlen(s)))) {
			ndup++;
			continue;
		}
		for (off = 0, k = 0; k < AR_N; k++) {
			/* AR_CASE.. map onto WZ_LC_CASE.. in order. */
			f[WZ_LC_CASE + k] = s + off;
			len[WZ_LC_CASE + k] = strlen(s + off);
			off += len[WZ_LC_CASE + k] + 1;
		}
		f[WZ_LC_NOTE] = s + off;
		len[WZ_LC_NOTE] = strlen(s + off);
		if ((status = wled_add(&l, f, len)) != 0)
			goto out;
		napp++;
	}
	if ((status = wled_commit(&l)) != 0)
		goto out;
	if (nrej > 0 || pd.nwarn > 0)
		status = WZ_EX_ROWS;
out:
	if (!fatal && status != 0 && status != WZ_EX_ROWS)
		wz_msg(ledger, 0, "nothing appended (%lu row%s read)", nread,
		    nread == 1 ? "" : "s");
	else if (!fatal && nblank > 0)
		wz_msg(ledger, 0, "%lu read, %lu appended, %lu duplicate, %lu "
		    "rejected (%lu blank row%s skipped)", nread, napp, ndup,
		    nrej, nblank, nblank == 1 ? "" : "s");
	else if (!fatal)
		wz_msg(ledger, 0, "%lu read, %lu appended, %lu duplicate, %lu "
		    "rejected", nread, napp, ndup, nrej);
	wled_close(&l);
	free(keys.v);
	free(pd.off);
	wz_buf_free(&pd.arena);
	wz_buf_free(&pd.nb);
	wz_buf_free(&pd.eb);
	for (k = 0; k < IN_N; k++)
		wz_buf_free(&pd.fix[k]);
	return status;
}

/* ------------------------------------------------------------------ */
/* event                                                              */

/* The measure codes of DESIGN.md "Vocabularies". */
static const char *const measure_codes[] = {
	"reminder_letter", "written_check", "talk", "warning_talk",
	"notice_criticism", "admonish", "remind_talk", "criticize_educate",
	"transfer", "recall", "suspend", "org_adjust", "order_resign",
	"remove", "demote", "unit_warning", "reorganize", "no_excellent",
	"team_grade_average", "team_grade_poor", "no_promotion",
	"deduct_score", "suspend_funds", "rectify", "pay_link",
	"party_warning", "party_serious_warning", "party_remove_post",
	"party_probation", "party_expel", "gov_warning", "gov_demerit",
	"gov_major_demerit", "gov_downgrade", "gov_dismiss_post",
	"gov_discharge", "refer_discipline", "refer_judicial", "recover",
	NULL
};

/* Check a ';'-separated list of measure codes; prints the first bad one. */
static int
measures_ok(const char *s)
{
	const char *e;
	size_t n;
	int i;

	if (*s == '\0') {
		wz_msg(NULL, 0, "--measures: no measure given");
		return 0;
	}
	for (;;) {
		e = strchr(s, ';');
		n = e != NULL ? (size_t)(e - s) : strlen(s);
		for (i = 0; measure_codes[i] != NULL; i++)
			if (strlen(measure_codes[i]) == n &&
			    memcmp(measure_codes[i], s, n) == 0)
				break;
		if (measure_codes[i] == NULL) {
			wz_msg(NULL, 0, "--measures: unknown measure '%.*s' "
			    "(see Measures in wz-ledger(1))", (int)n,
			    s);
			return 0;
		}
		if (e == NULL)
			return 1;
		s = e + 1;
	}
}

static int
has_measure(const char *list, const char *code)
{
	size_t n = strlen(code);
	const char *p = list;

	while ((p = strstr(p, code)) != NULL) {
		if ((p == list || p[-1] == ';') && (p[n] == '\0' || p[n] == ';'))
			return 1;
		p += n;
	}
	return 0;
}

struct findcase {
	const char	*id;
	struct wz_buf	 blk;
	size_t		 len[WZ_LEDGER_NCOLS];
	int		 status;
	unsigned long	 n;
};

static void
find_case(void *arg, const char **f, size_t *len, unsigned long line)
{
	struct findcase *fc = arg;
	int i;

	if (strcmp(f[WZ_LC_CASE], fc->id) != 0)
		return;
	wz_buf_reset(&fc->blk);
	for (i = 0; i < WZ_LEDGER_NCOLS; i++) {
		wz_buf_add(&fc->blk, f[i], len[i]);
		wz_buf_addc(&fc->blk, '\0');
		fc->len[i] = len[i];
	}
	fc->status = wz_event_code(f[WZ_LC_EVENT], len[WZ_LC_EVENT]);
	fc->n++;
}

static int
date_arg(const char *opt, const char *v)
{
	if (v != NULL && !wz_ledger_date_ok(v, strlen(v))) {
		wz_msg(NULL, 0, "%s: '%s' is not a date (YYYY-MM-DD)", opt, v);
		return 0;
	}
	return 1;
}

int
wz_ledger_event(const char *ledger, const char *case_id, const char *event,
    const struct wz_event_args *a, const struct wz_ledger_opts *o)
{
	struct findcase fc = { case_id, { 0 }, { 0 }, -1, 0 };
	struct wz_buf nb = { 0 };
	struct wled l;
	const char *f[WZ_LEDGER_NCOLS], *why, *p;
	size_t len[WZ_LEDGER_NCOLS], i;
	char date[11];
	int ev, decides, status;

	memset(&l, 0, sizeof(l));
	l.fd = -1;
	ev = wz_event_code(event, strlen(event));
	if (ev < 0 || ev == WZ_EV_RECOMMENDED) {
		wz_msg(NULL, 0, ev < 0 ? "unknown event '%s' (decided, "
		    "rectify_due, rectified, appealed, reviewed, revised, "
		    "closed, reopened)" : "'%s' is recorded by 'wz-ledger "
		    "append'", event);
		return EX_USAGE;
	}
	if (!is_case_id(case_id, strlen(case_id))) {
		wz_msg(NULL, 0, "case id '%s' is not 16 lowercase hex digits",
		    case_id);
		return EX_USAGE;
	}
	decides = ev == WZ_EV_DECIDED || ev == WZ_EV_REVISED;
	if (o->by == NULL || *o->by == '\0') {
		wz_msg(NULL, 0, "--by NAME is required: who records the "
		    "event");
		return EX_USAGE;
	}
	if (!decides && (a->measures != NULL || a->basis != NULL ||
	    a->no_promotion_until != NULL)) {
		wz_msg(NULL, 0, "--measures, --basis and --no-promotion-until "
		    "go with 'decided' and 'revised' only");
		return EX_USAGE;
	}
	if (a->rectify_by != NULL && !decides && ev != WZ_EV_RECTIFY_DUE) {
		wz_msg(NULL, 0, "--rectify-by goes with 'decided', 'revised' "
		    "and 'rectify_due' only");
		return EX_USAGE;
	}
	if (decides && a->measures == NULL) {
		wz_msg(NULL, 0, "'%s' needs --measures: the measures imposed",
		    event);
		return EX_USAGE;
	}
	if ((decides && !measures_ok(a->measures)) ||
	    !date_arg("--rectify-by", a->rectify_by) ||
	    !date_arg("--no-promotion-until", a->no_promotion_until) ||
	    !date_arg("--date", a->date))
		return EX_USAGE;

	if ((status = wled_open(&l, ledger, 0, 0, o->at)) != 0 ||
	    (status = wled_load(&l, find_case, &fc)) != 0)
		goto out;
	if (fc.n == 0) {
		wz_msg(ledger, 0, "no case %s in this ledger", case_id);
		status = EX_DATAERR;
		goto out;
	}
	if ((why = wz_event_refusal(fc.status, ev)) != NULL) {
		wz_msg(ledger, 0, "case %s: cannot record '%s' after '%s': %s",
		    case_id, event, wz_event_name(fc.status) != NULL ?
		    wz_event_name(fc.status) : "?", why);
		status = EX_DATAERR;
		goto out;
	}
	/* Carry the case's columns over from its last event. */
	for (p = fc.blk.s, i = 0; i < WZ_LEDGER_NCOLS; i++) {
		f[i] = p;
		len[i] = fc.len[i];
		p += len[i] + 1;
	}
	if (decides) {
		f[WZ_LC_MEASURES] = a->measures;
		f[WZ_LC_ALTERNATIVES] = "";	/* the choice is made */
		if (a->basis != NULL)
			f[WZ_LC_BASIS] = a->basis;
		if (a->no_promotion_until != NULL)
			f[WZ_LC_NO_PROMOTION_UNTIL] = a->no_promotion_until;
		else if (!has_measure(a->measures, "no_promotion"))
			f[WZ_LC_NO_PROMOTION_UNTIL] = "";
	}
	if (a->rectify_by != NULL)
		f[WZ_LC_RECTIFY_BY] = a->rectify_by;
	for (i = WZ_LC_MEASURES; i <= WZ_LC_RECTIFY_BY; i++)
		len[i] = strlen(f[i]);
	if (decides && has_measure(a->measures, "no_promotion") &&
	    *f[WZ_LC_NO_PROMOTION_UNTIL] == '\0') {
		wz_msg(NULL, 0, "no_promotion needs --no-promotion-until DATE");
		status = EX_USAGE;
		goto out;
	}
	if (((decides && has_measure(a->measures, "rectify")) ||
	    ev == WZ_EV_RECTIFY_DUE) && *f[WZ_LC_RECTIFY_BY] == '\0') {
		wz_msg(NULL, 0, "%s needs --rectify-by DATE",
		    decides ? "the measure rectify" : "'rectify_due'");
		status = EX_USAGE;
		goto out;
	}
	/* When it took effect: --date, else the day it is recorded. */
	snprintf(date, sizeof(date), "%.10s", a->date != NULL ? a->date :
	    l.at);
	f[WZ_LC_DATE] = date;
	len[WZ_LC_DATE] = strlen(date);
	f[WZ_LC_EVENT] = event;
	len[WZ_LC_EVENT] = strlen(event);
	f[WZ_LC_BY] = o->by;
	len[WZ_LC_BY] = strlen(o->by);
	/* The note's entries (the rule cases, the year) are the case's
	 * too; the text is this event's. */
	wz_ledger_note_make(&nb, f[WZ_LC_NOTE], note_entries(f[WZ_LC_NOTE],
	    len[WZ_LC_NOTE]), o->note != NULL ? o->note : "",
	    o->note != NULL ? strlen(o->note) : 0);
	f[WZ_LC_NOTE] = nb.s;
	len[WZ_LC_NOTE] = nb.len;
	if ((status = wled_add(&l, f, len)) != 0 ||
	    (status = wled_commit(&l)) != 0)
		goto out;
	wz_msg(ledger, 0, "case %s: %s recorded as record %llu", case_id,
	    event, (unsigned long long)l.seq);
out:
	wled_close(&l);
	wz_buf_free(&fc.blk);
	wz_buf_free(&nb);
	return status;
}

/* ------------------------------------------------------------------ */
/* state                                                              */

int
wz_ledger_state(char *const *paths, size_t n, struct wz_writer *w, int group)
{
	struct wz_lstate *st = wz_lstate_new();
	struct wz_lreader *r;
	const struct wz_levent *ev;
	size_t i;
	int status = 0, s;

	for (i = 0; i < n; i++) {
		if ((r = wz_lreader_open(paths[i], &s)) == NULL) {
			if (s > status)
				status = s;
			continue;
		}
		while (wz_lreader_good(r, &ev, &status))
			wz_lstate_add(st, ev, paths[i]);
		wz_lreader_close(r);
	}
	wz_lstate_write(st, w, group);
	wz_lstate_free(st);
	return status;
}

/* ------------------------------------------------------------------ */
/* history                                                            */

/* A case kept for history: its strings in hs->arena, NUL-terminated, in
 * the order of enum hs_field. */
enum hs_field {
	HS_CASE, HS_ARTICLE, HS_CASES, HS_PLACE, HS_TIER, HS_LIABLE_ID,
	HS_LIABLE_NAME, HS_N
};

struct hs_case {
	size_t		 off;		/* HS_CASE's, in hs->arena */
	const char	*ledger;	/* borrowed from paths */
	unsigned long	 line;
	int		 year;
	int		 status;	/* the last event */
	int		 decided;	/* decided or revised at some time */
};

struct hs {
	struct hs_case	*v;
	size_t		 n, cap;
	struct wz_buf	 arena;
	uint64_t	*keys;		/* case_key + 1 .. ; 0: free */
	size_t		*idx;
	size_t		 tabcap;
};

static struct hs_case *
hs_find(struct hs *h, uint64_t k)
{
	size_t i;

	if (h->tabcap == 0)
		return NULL;
	for (i = (size_t)(k * 0x9e3779b97f4a7c15ULL) & (h->tabcap - 1);
	    h->keys[i] != 0; i = (i + 1) & (h->tabcap - 1))
		if (h->keys[i] == k)
			return &h->v[h->idx[i]];
	return NULL;
}

static void
hs_slot(struct hs *h, uint64_t k, size_t x)
{
	size_t i;

	for (i = (size_t)(k * 0x9e3779b97f4a7c15ULL) & (h->tabcap - 1);
	    h->keys[i] != 0; i = (i + 1) & (h->tabcap - 1))
		;
	h->keys[i] = k;
	h->idx[i] = x;
}

static struct hs_case *
hs_add(struct hs *h, uint64_t k)
{
	size_t j, oldcap = h->tabcap;
	uint64_t *ok = h->keys;
	size_t *oi = h->idx;

	if (2 * (h->n + 1) > h->tabcap) {
		h->tabcap = h->tabcap ? h->tabcap * 2 : 64;
		h->keys = wz_calloc(h->tabcap, sizeof(*h->keys));
		h->idx = wz_calloc(h->tabcap, sizeof(*h->idx));
		for (j = 0; j < oldcap; j++)
			if (ok[j] != 0)
				hs_slot(h, ok[j], oi[j]);
		free(ok);
		free(oi);
	}
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		h->v = wz_reallocarray(h->v, h->cap, sizeof(*h->v));
	}
	hs_slot(h, k, h->n);
	memset(&h->v[h->n], 0, sizeof(h->v[h->n]));
	return &h->v[h->n++];
}

/* The year= entry of a note; 0 if none. */
static int
note_year(const char *note, size_t len)
{
	const char *s;
	size_t n, i;
	int y = 0;

	if (!wz_ledger_note_get(note, len, "year", &s, &n) || n != 4)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		y = y * 10 + (s[i] - '0');
	}
	return y;
}

/* Fold one event into the kept cases. */
static void
hs_event(struct hs *h, const struct wz_levent *ev, const char *ledger,
    int (*want)(void *, const char *, const char *), void *arg,
    struct wz_lhist_stats *st)
{
	static const int fld[HS_N] = { WZ_LC_CASE, WZ_LC_ARTICLE, -1,
	    WZ_LC_PLACE, WZ_LC_TIER, WZ_LC_LIABLE_ID, WZ_LC_LIABLE_NAME };
	const char *note = ev->f[WZ_LC_NOTE], *cs;
	size_t nlen = ev->len[WZ_LC_NOTE], cn, k, start;
	uint64_t key = case_key(ev->f[WZ_LC_CASE], ev->len[WZ_LC_CASE]);
	struct hs_case *c;
	int year;

	st->records++;
	if ((c = hs_find(h, key)) != NULL) {
		c->status = ev->event;
		if (ev->event == WZ_EV_DECIDED || ev->event == WZ_EV_REVISED)
			c->decided = 1;
		return;
	}
	if (!wz_ledger_note_get(note, nlen, "case", &cs, &cn) ||
	    (year = note_year(note, nlen)) == 0) {
		/* Recorded without its rule cases or year: say so if it
		 * is a case history would have read. */
		if (ev->event == WZ_EV_RECOMMENDED &&
		    want(arg, ev->f[WZ_LC_ARTICLE], NULL))
			st->unplaced++;
		return;
	}
	start = h->arena.len;
	wz_buf_add(&h->arena, cs, cn);
	wz_buf_addc(&h->arena, '\0');
	if (!want(arg, ev->f[WZ_LC_ARTICLE], h->arena.s + start)) {
		h->arena.len = start;
		return;
	}
	h->arena.len = start;
	c = hs_add(h, key);
	c->off = start;
	for (k = 0; k < HS_N; k++) {
		if (fld[k] < 0)
			wz_buf_add(&h->arena, cs, cn);
		else
			wz_buf_add(&h->arena, ev->f[fld[k]], ev->len[fld[k]]);
		wz_buf_addc(&h->arena, '\0');
	}
	c->ledger = ledger;
	c->line = ev->line;
	c->year = year;
	c->status = ev->event;
	c->decided = ev->event == WZ_EV_DECIDED || ev->event == WZ_EV_REVISED;
	st->cases++;
}

int
wz_ledger_history(char *const *paths, size_t n,
    int (*want)(void *, const char *, const char *),
    void (*take)(void *, const struct wz_lhcase *), void *arg,
    struct wz_lhist_stats *st)
{
	struct hs h;
	struct wz_lreader *r;
	const struct wz_levent *ev;
	struct wz_lhcase lc;
	const char *p, *f[HS_N];
	size_t i, k;
	int status = 0, rs;

	memset(&h, 0, sizeof(h));
	memset(st, 0, sizeof(*st));
	for (i = 0; i < n; i++) {
		/* History read from a ledger that was altered, or that an
		 * append left torn, would be wrong without a word: the
		 * chain is checked first, as verify does. */
		if ((rs = wz_ledger_verify(paths[i], NULL, 1)) != 0) {
			if (rs == EX_DATAERR)
				wz_msg(paths[i], 0, "the ledger does not "
				    "verify: its history is not read");
			status = rs;
			goto out;
		}
		if ((r = wz_lreader_open(paths[i], &rs)) == NULL) {
			status = rs != 0 ? rs : EX_NOINPUT;
			goto out;
		}
		rs = 0;
		while (wz_lreader_good(r, &ev, &rs))
			hs_event(&h, ev, paths[i], want, arg, st);
		wz_lreader_close(r);
		if (rs != 0) {
			/* Lines that are not records (reported already). */
			status = rs == WZ_EX_ROWS ? EX_DATAERR : rs;
			goto out;
		}
	}
	for (i = 0; i < h.n; i++) {
		const struct hs_case *c = &h.v[i];

		/* A case closed without ever being decided was dropped (an
		 * error, a grade set aside): it is no history. */
		if (c->status == WZ_EV_CLOSED && !c->decided)
			continue;
		for (p = h.arena.s + c->off, k = 0; k < HS_N; k++) {
			f[k] = p;
			p += strlen(p) + 1;
		}
		lc.case_id = f[HS_CASE];
		lc.article = f[HS_ARTICLE];
		lc.cases = f[HS_CASES];
		lc.place = f[HS_PLACE];
		lc.tier = f[HS_TIER];
		lc.liable_id = f[HS_LIABLE_ID];
		lc.liable_name = f[HS_LIABLE_NAME];
		lc.ledger = c->ledger;
		lc.line = c->line;
		lc.year = c->year;
		lc.status = c->status;
		st->counted++;
		take(arg, &lc);
	}
out:
	free(h.v);
	free(h.keys);
	free(h.idx);
	wz_buf_free(&h.arena);
	return status;
}

/* ------------------------------------------------------------------ */
/* verify                                                             */

struct vstate {
	const char	*path;
	unsigned long	 problems;
	struct wz_buf	 msg;
};

static void
vnote(struct vstate *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Add a clause to the message about the current line. */
static void
vnote(struct vstate *v, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		wz_die(EX_OSERR, NULL, 0, "out of memory");
	va_end(ap);
	if (v->msg.len > 0)
		wz_buf_add(&v->msg, "; ", 2);
	wz_buf_adds(&v->msg, s);
	free(s);
}

static void
vflush(struct vstate *v, unsigned long line)
{
	if (v->msg.len == 0)
		return;
	wz_msg(v->path, line, "%s", wz_buf_cstr(&v->msg));
	v->problems++;
	wz_buf_reset(&v->msg);
}

static int
parse_expect(const char *s, uint64_t *seq, char hash[WZ_SHA_HEXLEN + 1])
{
	const char *c = strchr(s, ':');

	if (c == NULL || parse_seq(s, (size_t)(c - s), seq) == -1 ||
	    !wz_sha_is_hex(c + 1, strlen(c + 1)))
		return -1;
	memcpy(hash, c + 1, WZ_SHA_HEXLEN + 1);
	return 0;
}

/*
 * verify's split: only the first five fields (seq, at, date, event,
 * case_id) and the count matter there.  A line without a quote, or a TSV line,
 * is split in place (the fields are then not NUL-terminated); only a
 * quoted CSV line pays for wz_ledger_split's copy.
 */
static int
quick_split(const char *p, size_t n, int tsv, struct wz_buf *scratch,
    const char **f, size_t *len)
{
	const char *s = p, *e = p + n, *q;
	char sep = tsv ? '\t' : ',';
	size_t i, seps = 0;
	int k;

	if (!tsv && memchr(p, '"', n) != NULL)
		return wz_ledger_split(p, n, tsv, scratch, f, len,
		    WZ_LEDGER_NCOLS);
	/* Count separators eight bytes at a time: the exact zero-byte test
	 * of "Bit Twiddling Hacks" on the bytes XORed with sep. */
	for (i = 0; i + 8 <= n; i += 8) {
		uint64_t w, y;

		memcpy(&w, p + i, 8);
		w ^= 0x0101010101010101ULL * (unsigned char)sep;
		y = (w & 0x7f7f7f7f7f7f7f7fULL) + 0x7f7f7f7f7f7f7f7fULL;
		y = ~(y | w | 0x7f7f7f7f7f7f7f7fULL);
		seps += (size_t)__builtin_popcountll(y);
	}
	for (; i < n; i++)
		seps += p[i] == sep;
	for (k = 0; k <= WZ_LC_CASE && k <= (int)seps; k++) {
		q = memchr(s, sep, (size_t)(e - s));
		if (q == NULL)
			q = e;
		f[k] = s;
		len[k] = (size_t)(q - s);
		s = q + 1;
	}
	return seps + 1 > INT_MAX ? INT_MAX : (int)(seps + 1);
}

/* The chain as verify walks it. */
struct vchain {
	char		 prev[WZ_SHA_HEXLEN + 1];	/* stored, last line */
	char		 prev2[WZ_SHA_HEXLEN + 1];	/* the one before */
	char		 pcomp[WZ_SHA_HEXLEN + 1];	/* computed, last line */
	int		 have_prev2, prev_failed, prev_reported;
	unsigned long	 prevline;
	uint64_t	 maxseq, maxseq_prev;		/* highest seq seen */
};

/*
 * Check one record line p[0..n) (line number line) against the chain and
 * report what is wrong with it.  The guesses name the line at fault: a
 * line whose own hash field was changed makes the next one fail too, and
 * a foreign line makes the next one chain from the line before it.
 */
static void
verify_line(struct vstate *v, struct vchain *c, struct wz_sha *sha,
    struct wz_buf *scratch, int tsv, const char *p, size_t n,
    unsigned long line, uint64_t *seqp)
{
	const char *f[WZ_LEDGER_NCOLS], *stored = p + n - WZ_SHA_HEXLEN;
	size_t len[WZ_LEDGER_NCOLS];
	char h[WZ_SHA_HEXLEN + 1], alt[WZ_SHA_HEXLEN + 1];
	uint64_t seq = 0, want;
	unsigned long before = v->problems;
	int k, seqok, ok, alt_a = 0, alt_b = 0, hashfield;

	k = quick_split(p, n, tsv, scratch, f, len);
	if (k < 0)
		vnote(v, "malformed CSV quoting");
	else if (k != WZ_LEDGER_NCOLS)
		vnote(v, "%d field%s, a ledger record has %d", k,
		    k == 1 ? "" : "s", WZ_LEDGER_NCOLS);
	seqok = k >= 1 && parse_seq(f[WZ_LC_SEQ], len[WZ_LC_SEQ], &seq) == 0;
	if (k >= 1 && !seqok)
		vnote(v, "seq '%.*s%s' is not a number",
		    wz_qlen(f[WZ_LC_SEQ], len[WZ_LC_SEQ]), f[WZ_LC_SEQ],
		    wz_qmore(len[WZ_LC_SEQ]));
	if (k == WZ_LEDGER_NCOLS) {
		if (!at_ok(f[WZ_LC_AT], len[WZ_LC_AT]))
			vnote(v, "at '%.*s%s' is not a UTC time "
			    "(YYYY-MM-DDTHH:MM:SSZ)",
			    wz_qlen(f[WZ_LC_AT], len[WZ_LC_AT]), f[WZ_LC_AT],
			    wz_qmore(len[WZ_LC_AT]));
		if (!wz_ledger_date_ok(f[WZ_LC_DATE], len[WZ_LC_DATE]))
			vnote(v, "date '%.*s%s' is not a date (YYYY-MM-DD)",
			    wz_qlen(f[WZ_LC_DATE], len[WZ_LC_DATE]),
			    f[WZ_LC_DATE], wz_qmore(len[WZ_LC_DATE]));
		if (wz_event_code(f[WZ_LC_EVENT], len[WZ_LC_EVENT]) < 0)
			vnote(v, "unknown event '%.*s%s'",
			    wz_qlen(f[WZ_LC_EVENT], len[WZ_LC_EVENT]),
			    f[WZ_LC_EVENT], wz_qmore(len[WZ_LC_EVENT]));
		if (!is_case_id(f[WZ_LC_CASE], len[WZ_LC_CASE]))
			vnote(v, "case_id '%.*s%s' is not 16 hex digits",
			    wz_qlen(f[WZ_LC_CASE], len[WZ_LC_CASE]),
			    f[WZ_LC_CASE], wz_qmore(len[WZ_LC_CASE]));
	}
	hashfield = n > WZ_SHA_HEXLEN && p[n - WZ_SHA_HEXLEN - 1] ==
	    (tsv ? '\t' : ',') && wz_sha_is_hex(stored, WZ_SHA_HEXLEN);
	if (!hashfield) {
		vnote(v, "no hash (64 hex digits) at the end of the line");
		memset(h, 'x', WZ_SHA_HEXLEN);
		h[WZ_SHA_HEXLEN] = '\0';
		stored = h;
		ok = 0;
		alt_a = 1;	/* nothing more to say about the chain */
	} else if (c->prevline > 1 && memcmp(stored, c->prev,
	    WZ_SHA_HEXLEN) == 0) {
		/* A copy of the line before: leave the chain as it was. */
		vnote(v, "a copy of line %lu (the same hash): a duplicated "
		    "record", c->prevline);
		vflush(v, line);
		*seqp = seq;
		return;
	} else {
		wz_sha_pair_hex(sha, c->prev, WZ_SHA_HEXLEN, p,
		    n - WZ_SHA_HEXLEN, h);
		ok = memcmp(h, stored, WZ_SHA_HEXLEN) == 0;
	}
	if (!ok && hashfield && c->prev_failed) {
		/* The line before had its hash field changed. */
		wz_sha_pair_hex(sha, c->pcomp, WZ_SHA_HEXLEN, p,
		    n - WZ_SHA_HEXLEN, alt);
		alt_a = memcmp(alt, stored, WZ_SHA_HEXLEN) == 0;
	}
	if (!ok && !alt_a && c->have_prev2) {
		/* The line before does not belong here. */
		wz_sha_pair_hex(sha, c->prev2, WZ_SHA_HEXLEN, p,
		    n - WZ_SHA_HEXLEN, alt);
		alt_b = memcmp(alt, stored, WZ_SHA_HEXLEN) == 0;
		if (alt_b && !c->prev_reported) {
			struct wz_buf keep = v->msg;

			memset(&v->msg, 0, sizeof(v->msg));
			if (c->prevline > 2)
				vnote(v, "this line does not belong to the "
				    "chain (inserted?): line %lu chains from "
				    "line %lu", line, c->prevline - 1);
			else
				vnote(v, "this line does not belong to the "
				    "chain (inserted?): line %lu starts the "
				    "chain", line);
			vflush(v, c->prevline);
			wz_buf_free(&v->msg);
			v->msg = keep;
			before = v->problems;
			c->maxseq = c->maxseq_prev;
		}
	}
	want = c->maxseq + 1;
	if (seqok && seq > want) {
		if (seq - want == 1)
			vnote(v, "seq %llu where %llu was expected: record "
			    "%llu is missing here (deleted or moved)",
			    (unsigned long long)seq, (unsigned long long)want,
			    (unsigned long long)want);
		else
			vnote(v, "seq %llu where %llu was expected: records "
			    "%llu to %llu are missing here (deleted or moved)",
			    (unsigned long long)seq, (unsigned long long)want,
			    (unsigned long long)want,
			    (unsigned long long)(seq - 1));
	} else if (seqok && seq < want)
		vnote(v, "seq %llu where %llu was expected: this record is "
		    "out of place (inserted, duplicated or moved)",
		    (unsigned long long)seq, (unsigned long long)want);
	if (!ok && !alt_a && !alt_b)
		vnote(v, v->msg.len > 0 ? "the hash chain is broken here" :
		    "hash does not match: the line was altered (or its hash "
		    "was)");
	vflush(v, line);

	c->maxseq_prev = c->maxseq;
	if (seqok && seq > c->maxseq)
		c->maxseq = seq;
	else if (!seqok)
		c->maxseq++;
	memcpy(c->prev2, c->prev, sizeof(c->prev2));
	memcpy(c->prev, stored, WZ_SHA_HEXLEN);
	memcpy(c->pcomp, h, sizeof(c->pcomp));
	c->have_prev2 = 1;
	c->prev_failed = !ok && hashfield;
	c->prev_reported = v->problems > before;
	c->prevline = line;
	*seqp = seqok ? seq : 0;
}

int
wz_ledger_verify(const char *path, const char *expect, int quiet)
{
	struct vstate v = { path, 0, { 0 } };
	struct vchain c;
	struct lscan sc;
	struct wz_sha *sha;
	struct wz_buf scratch = { 0 };
	const char *p;
	size_t n;
	char ehash[WZ_SHA_HEXLEN + 1], seen[WZ_SHA_HEXLEN + 1] = "";
	uint64_t seq, eseq = 0;
	unsigned long nrec = 0, seenline = 0;
	off_t size;
	int fd, nl, rc, tsv = 0, status = 0;

	if (expect != NULL && parse_expect(expect, &eseq, ehash) == -1) {
		wz_msg(NULL, 0, "--expect: '%s' is not SEQ:HASH (as 'wz-ledger "
		    "head' prints them)", expect);
		return EX_USAGE;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		wz_sysmsg(path, "cannot open");
		return EX_NOINPUT;
	}
	if (snapshot_size(fd, &size) == -1) {
		wz_sysmsg(path, "cannot lock");
		close(fd);
		return EX_IOERR;
	}
	sha = wz_sha_new();
	lscan_init(&sc, fd, size);
	memset(&c, 0, sizeof(c));
	memcpy(c.prev, zero_hash, sizeof(c.prev));
	c.prevline = 1;
	rc = lscan_next(&sc, &p, &n, &nl);
	if (rc == 0) {
		wz_msg(path, 0, "empty file: not a wz-ledger file");
		status = EX_DATAERR;
		goto out;
	}
	if (rc == 1 && (tsv = check_header(path, p, n, nl)) == -1) {
		status = EX_DATAERR;
		goto out;
	}
	while (rc == 1 && (rc = lscan_next(&sc, &p, &n, &nl)) == 1) {
		if (!nl) {
			vnote(&v, "torn last line (%zu bytes without a newline: "
			    "an append was interrupted); 'wz-ledger recover "
			    "%s' moves it aside", n, path);
			vflush(&v, sc.line);
			break;
		}
		nrec++;
		verify_line(&v, &c, sha, &scratch, tsv, p, n, sc.line, &seq);
		if (expect != NULL && seq == eseq && seenline == 0 &&
		    n >= WZ_SHA_HEXLEN) {
			memcpy(seen, p + n - WZ_SHA_HEXLEN, WZ_SHA_HEXLEN);
			seen[WZ_SHA_HEXLEN] = '\0';
			seenline = sc.line;
		}
	}
	if (rc == -1) {
		errno = sc.err;
		wz_sysmsg(path, "read error");
		status = EX_IOERR;
		goto out;
	}
	if (expect != NULL) {
		if (seenline == 0)
			wz_msg(path, 0, "no record %llu (--expect): the ledger "
			    "has %lu; records were removed from its end",
			    (unsigned long long)eseq, nrec);
		else if (strcmp(seen, ehash) != 0)
			wz_msg(path, seenline, "record %llu has hash %s, not "
			    "%s (--expect): the ledger was rewritten",
			    (unsigned long long)eseq, seen, ehash);
		if (seenline == 0 || strcmp(seen, ehash) != 0)
			v.problems++;
	}
	if (v.problems > 0)
		status = EX_DATAERR;
	if (!quiet) {
		if (v.problems == 0)
			wz_msg(path, 0, "%lu record%s, hash chain intact", nrec,
			    nrec == 1 ? "" : "s");
		else
			wz_msg(path, 0, "%lu record%s, %lu problem%s", nrec,
			    nrec == 1 ? "" : "s", v.problems,
			    v.problems == 1 ? "" : "s");
	}
out:
	lscan_free(&sc);
	wz_buf_free(&scratch);
	wz_buf_free(&v.msg);
	wz_sha_free(sha);
	close(fd);
	return status;
}

/* ------------------------------------------------------------------ */
/* head and recover                                                   */

static ssize_t
pread_all(int fd, char *buf, size_t n, off_t off)
{
	size_t got = 0;
	ssize_t k;

	while (got < n) {
		k = pread(fd, buf + got, n - got, off + (off_t)got);
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1)
			return -1;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

/*
 * Check the first line of an open ledger of the given size: returns 0 or
 * 1 (the format) and the header's length with its newline in *hlen, -2
 * if the file holds only part of a header (a torn creation), or -1 after
 * printing why it is not a ledger.
 */
static int
read_header(int fd, const char *path, off_t size, size_t *hlen)
{
	char buf[512], *nl;
	ssize_t k;

	if ((k = pread_all(fd, buf, sizeof(buf) - 1, 0)) == -1) {
		wz_sysmsg(path, "read error");
		return -1;
	}
	if (k == 0) {
		wz_msg(path, 0, "empty file: not a wz-ledger file");
		return -1;
	}
	nl = memchr(buf, '\n', (size_t)k);
	/* The length first: the headers are shorter than buf. */
	if (nl == NULL && (off_t)k == size &&
	    (size_t)k <= strlen(header_line(0)) &&
	    (memcmp(buf, header_line(0), (size_t)k) == 0 ||
	    memcmp(buf, header_line(1), (size_t)k) == 0))
		return -2;
	*hlen = nl != NULL ? (size_t)(nl - buf) + 1 : (size_t)k;
	return check_header(path, buf, nl != NULL ? (size_t)(nl - buf) :
	    (size_t)k, nl != NULL);
}

int
wz_ledger_head(const char *path, FILE *out, int with_name)
{
	struct wz_buf scratch = { 0 };
	const char *f[WZ_LEDGER_NCOLS];
	size_t len[WZ_LEDGER_NCOLS], hlen = 0, chunk = 65536;
	char *buf = NULL, *line;
	uint64_t seq = 0;
	const char *hash = zero_hash;
	struct stat st;
	ssize_t k;
	int fd, tsv, status = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		wz_sysmsg(path, "cannot open");
		return EX_NOINPUT;
	}
	/* Hold a shared lock while reading the tail: an append in
	 * progress finishes first. */
	if (lock_fd(fd, LOCK_SH) == -1 || fstat(fd, &st) == -1) {
		wz_sysmsg(path, "cannot lock");
		status = EX_IOERR;
		goto out;
	}
	if ((tsv = read_header(fd, path, st.st_size, &hlen)) < 0) {
		if (tsv == -2)
			wz_msg(path, 1, "torn header line: the ledger was "
			    "being created; run 'wz-ledger recover %s'", path);
		status = EX_DATAERR;
		goto out;
	}
	if (st.st_size > (off_t)hlen) {
		for (;;) {
			if ((off_t)chunk > st.st_size - (off_t)hlen)
				chunk = (size_t)(st.st_size - (off_t)hlen);
			buf = wz_realloc(buf, chunk + 1);
			k = pread_all(fd, buf, chunk, st.st_size -
			    (off_t)chunk);
			if (k != (ssize_t)chunk) {
				wz_sysmsg(path, "read error");
				status = EX_IOERR;
				goto out;
			}
			if (buf[chunk - 1] != '\n') {
				wz_msg(path, 0, "torn last line (an append was "
				    "interrupted): run 'wz-ledger recover %s'",
				    path);
				status = EX_DATAERR;
				goto out;
			}
			buf[chunk - 1] = '\0';
			line = memrchr(buf, '\n', chunk - 1);
			if (line != NULL || (off_t)chunk == st.st_size -
			    (off_t)hlen)
				break;
			chunk *= 2;
		}
		line = line != NULL ? line + 1 : buf;
		if (wz_ledger_split(line, strlen(line), tsv, &scratch, f,
		    len, WZ_LEDGER_NCOLS) != WZ_LEDGER_NCOLS ||
		    parse_seq(f[WZ_LC_SEQ], len[WZ_LC_SEQ], &seq) == -1 ||
		    !wz_sha_is_hex(f[WZ_LC_HASH], len[WZ_LC_HASH])) {
			wz_msg(path, 0, "the last line is not a ledger record: "
			    "run 'wz-ledger verify %s'", path);
			status = EX_DATAERR;
			goto out;
		}
		hash = f[WZ_LC_HASH];
	}
	fprintf(out, "%llu %s", (unsigned long long)seq, hash);
	if (with_name)
		fprintf(out, " %s", path);
	fputc('\n', out);
out:
	free(buf);
	wz_buf_free(&scratch);
	close(fd);
	return status;
}

/* Copy bytes [from, to) of fd into a new file beside path; its name is
 * returned (the caller frees), or NULL after a message. */
static char *
save_torn(int fd, const char *path, off_t from, off_t to, const char *at)
{
	char stamp[WZ_AT_LEN + 1], buf[65536], *name = NULL, *dir;
	int tfd = -1, i, j;
	off_t off;
	ssize_t k;

	if (at != NULL)
		memcpy(stamp, at, sizeof(stamp));
	else
		wz_ledger_now(stamp);
	/* 2024-03-01T08:00:00Z -> 20240301T080000Z */
	for (i = j = 0; stamp[i] != '\0'; i++)
		if (stamp[i] != '-' && stamp[i] != ':')
			stamp[j++] = stamp[i];
	stamp[j] = '\0';
	for (i = 1; i < 1000 && tfd == -1; i++) {
		free(name);
		name = i == 1 ? wz_aprintf("%s.torn-%s", path, stamp) :
		    wz_aprintf("%s.torn-%s-%d", path, stamp, i);
		tfd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
		if (tfd == -1 && errno != EEXIST)
			break;
	}
	if (tfd == -1) {
		wz_sysmsg(name, "cannot create");
		goto fail;
	}
	for (off = from; off < to; off += k) {
		size_t want = sizeof(buf);

		if ((off_t)want > to - off)
			want = (size_t)(to - off);
		if ((k = pread_all(fd, buf, want, off)) <= 0) {
			wz_sysmsg(path, "read error");
			goto fail;
		}
		if (write(tfd, buf, (size_t)k) != k) {
			wz_sysmsg(name, "write error");
			goto fail;
		}
	}
	if (fsync(tfd) == -1 || close(tfd) == -1) {
		tfd = -1;
		wz_sysmsg(name, "write error");
		goto fail;
	}
	dir = wz_strdup(path);
	if ((tfd = open(dirname(dir), O_RDONLY | O_DIRECTORY)) != -1) {
		(void)fsync(tfd);
		close(tfd);
	}
	free(dir);
	return name;
fail:
	if (tfd != -1) {
		close(tfd);
		unlink(name);
	}
	free(name);
	return NULL;
}

int
wz_ledger_recover(const char *path, const char *at)
{
	struct stat st;
	char buf[65536], *nl, *name;
	off_t keep, pos;
	size_t hlen = 0, want;
	ssize_t k;
	int fd, rc, status = 0;

	if ((fd = open(path, O_RDWR | O_CLOEXEC)) == -1) {
		wz_sysmsg(path, "cannot open");
		return EX_NOINPUT;
	}
	if (lock_fd(fd, LOCK_EX) == -1 || fstat(fd, &st) == -1) {
		wz_sysmsg(path, "cannot lock");
		status = EX_IOERR;
		goto out;
	}
	if (st.st_size == 0) {
		wz_msg(path, 0, "empty file: nothing to recover");
		goto out;
	}
	if ((rc = read_header(fd, path, st.st_size, &hlen)) == -1) {
		status = EX_DATAERR;
		goto out;
	}
	/* Find the last newline, reading backwards. */
	keep = 0;
	for (pos = st.st_size; pos > 0 && rc != -2; pos -= (off_t)want) {
		want = sizeof(buf);
		if ((off_t)want > pos)
			want = (size_t)pos;
		if ((k = pread_all(fd, buf, want, pos - (off_t)want)) !=
		    (ssize_t)want) {
			wz_sysmsg(path, "read error");
			status = EX_IOERR;
			goto out;
		}
		if ((nl = memrchr(buf, '\n', want)) != NULL) {
			keep = pos - (off_t)want + (nl - buf) + 1;
			break;
		}
	}
	if (keep == st.st_size) {
		wz_msg(path, 0, "nothing to recover: the last line is whole");
		goto out;
	}
	if ((name = save_torn(fd, path, keep, st.st_size, at)) == NULL) {
		status = EX_IOERR;
		goto out;
	}
	/* Only the torn tail goes; every byte before it stays. */
	if (ftruncate(fd, keep) == -1 || fsync(fd) == -1) {
		wz_sysmsg(path, "cannot truncate the torn line (it is saved "
		    "in %s)", name);
		status = EX_IOERR;
	} else
		wz_msg(path, 0, "moved a torn last line of %lld bytes to %s",
		    (long long)(st.st_size - keep), name);
	free(name);
out:
	close(fd);
	return status;
}
