/*
 * wz_xlsx.c - the .xlsx reader; see wz_xlsx.h for what a sheet reads as.
 *
 * libzip finds and inflates the members, expat parses them.  The small
 * parts (relationships, workbook, styles) and the shared strings are read
 * whole; the sheet is streamed: expat is suspended at the end of every
 * <row>, so memory holds one row (plus the header rows and one row of
 * look-ahead), not the sheet.  Merged ranges are listed after the cells
 * (<mergeCells> follows <sheetData>), so when the sheet mentions them at
 * all it is inflated once more beforehand to collect them.
 */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <expat.h>
#include <zip.h>

#include "wz_base.h"
#include "wz_csv.h"
#include "wz_date.h"
#include "wz_text.h"
#include "wz_xlsx.h"

/*
 * libzip and expat are opened with the first workbook (dlopen), not at
 * every start: a program that reads CSV, as nearly every run does, then
 * neither maps them and libcrypto, which libzip needs, nor relocates
 * them, some 5 ms of CPU at each start (measured on an empty program
 * linked with and without them: 12.0 and 6.3 ms).  WZ_SO_ZIP and
 * WZ_SO_EXPAT are the names the linker would have recorded (the
 * Makefile reads them off the libraries built against).  The calls
 * below keep the functions' names and types: each name stands for a
 * pointer of the function's own type.
 */
#ifndef WZ_SO_ZIP
#define WZ_SO_ZIP	"libzip.so.4"
#endif
#ifndef WZ_SO_EXPAT
#define WZ_SO_EXPAT	"libexpat.so.1"
#endif
#define ZIP_FUNCS(X) \
	X(zip_name_locate) X(zip_stat_init) X(zip_stat_index) \
	X(zip_strerror) X(zip_fopen_index) X(zip_fread) \
	X(zip_file_strerror) X(zip_fclose) X(zip_error_init) \
	X(zip_source_filep_create) X(zip_source_buffer_create) \
	X(zip_error_strerror) X(zip_error_fini) \
	X(zip_open_from_source) X(zip_source_free) X(zip_discard)
#define XML_FUNCS(X) \
	X(XML_StopParser) X(XML_ParserCreateNS) X(XML_SetUserData) \
	X(XML_SetElementHandler) X(XML_SetCharacterDataHandler) \
	X(XML_SetStartDoctypeDeclHandler) X(XML_GetErrorCode) \
	X(XML_ErrorString) X(XML_GetCurrentLineNumber) \
	X(XML_GetBuffer) X(XML_ParseBuffer) X(XML_ParserFree) \
	X(XML_ResumeParser)

/* Their functions, opened with wz_dl_load() by libs_open(). */
WZ_DL_TABLE(zip_dl, zip_fn, ZIP_FUNCS, WZ_SO_ZIP);
WZ_DL_TABLE(xml_dl, xml_fn, XML_FUNCS, WZ_SO_EXPAT);

/* Open the two libraries: NULL, or why they could not be. */
static const char *
libs_open(void)
{
	const char *why;

	if ((why = wz_dl_load(&zip_dl)) != NULL)
		return why;
	return wz_dl_load(&xml_dl);
}

/* From here on, each name is the pointer wz_dl_load() set. */
#define zip_name_locate			(*zip_fn.zip_name_locate)
#define zip_stat_init			(*zip_fn.zip_stat_init)
#define zip_stat_index			(*zip_fn.zip_stat_index)
#define zip_strerror			(*zip_fn.zip_strerror)
#define zip_fopen_index			(*zip_fn.zip_fopen_index)
#define zip_fread			(*zip_fn.zip_fread)
#define zip_file_strerror		(*zip_fn.zip_file_strerror)
#define zip_fclose			(*zip_fn.zip_fclose)
#define zip_error_init			(*zip_fn.zip_error_init)
#define zip_source_filep_create		(*zip_fn.zip_source_filep_create)
#define zip_source_buffer_create	(*zip_fn.zip_source_buffer_create)
#define zip_error_strerror		(*zip_fn.zip_error_strerror)
#define zip_error_fini			(*zip_fn.zip_error_fini)
#define zip_open_from_source		(*zip_fn.zip_open_from_source)
#define zip_source_free			(*zip_fn.zip_source_free)
#define zip_discard			(*zip_fn.zip_discard)
#define XML_StopParser			(*xml_fn.XML_StopParser)
#define XML_ParserCreateNS		(*xml_fn.XML_ParserCreateNS)
#define XML_SetUserData			(*xml_fn.XML_SetUserData)
#define XML_SetElementHandler		(*xml_fn.XML_SetElementHandler)
#define XML_SetCharacterDataHandler	(*xml_fn.XML_SetCharacterDataHandler)
#define XML_SetStartDoctypeDeclHandler	(*xml_fn.XML_SetStartDoctypeDeclHandler)
#define XML_GetErrorCode		(*xml_fn.XML_GetErrorCode)
#define XML_ErrorString			(*xml_fn.XML_ErrorString)
#define XML_GetCurrentLineNumber	(*xml_fn.XML_GetCurrentLineNumber)
#define XML_GetBuffer			(*xml_fn.XML_GetBuffer)
#define XML_ParseBuffer			(*xml_fn.XML_ParseBuffer)
#define XML_ParserFree			(*xml_fn.XML_ParserFree)
#define XML_ResumeParser		(*xml_fn.XML_ResumeParser)

#define XCHUNK		(64 * 1024)
#define MAX_SHEETS	65536
#define MAX_XFS		65536
#define MAX_RELS	65536
#define MAX_ROWNUM	1000000000UL
#define MAX_COL		16384UL		/* XFD */

/* One sheet row as read: cells by column, their text in one buffer. */
struct xrow {
	unsigned long	 num;		/* sheet row number */
	size_t		 ncell;		/* columns 1..ncell are held */
	size_t		 cap;
	size_t		*off, *len;	/* into text; off 0 is "" */
	struct wz_buf	 text;
	size_t		 reach;		/* rightmost non-empty cell */
	int		 bad;		/* WZ_XLSX_* */
	int		 nonblank;
};

struct merge {
	unsigned long	 top, bottom, left, right;
};

struct active {
	size_t		 m;		/* into merges */
	char		*val;
	size_t		 vlen;
};

struct sheetent {
	char		*name, *rid;
	int		 hidden;
};

struct rel {
	char		*id, *type, *target;
};

enum { T_N, T_S, T_B, T_E, T_STR, T_INLINE, T_D };
enum { ST_DATA0, ST_DATA, ST_DONE };

struct wz_xlsx {
	struct wz_xlsx_opts o;
	zip_t		*za;
	char		*err;
	unsigned long	 errline;
	int		 errstatus;
	int		 fatal;
	size_t		 inflated;
	int		 date1904;
	locale_t	 cloc;

	/* Small parts. */
	char		*wbpath;	/* xl/workbook.xml */
	struct sheetent	*sheets;
	size_t		 nsheets;
	struct rel	*rels;
	size_t		 nrels;
	unsigned char	*xfkind;	/* by cellXfs index */
	size_t		 nxf;
	struct {
		unsigned long id;
		unsigned char kind;
	}		*numfmts;
	size_t		 nnumfmts;
	unsigned long	*xfnumfmt;
	int		 in_cellxfs, in_numfmts;

	/* Shared strings. */
	struct wz_buf	 sst;
	uint32_t	*sstoff;
	size_t		 nsst, capsst;
	int		 in_si, in_rph, in_t, si_depth;

	/* Merged ranges, sorted by top then left. */
	struct merge	*mg;
	size_t		 nmg, capmg;
	int		 in_mergecells;

	/* The sheet. */
	char		*sheetname;
	zip_int64_t	 sheetidx;
	size_t		 sheetsize;
	zip_file_t	*zf;
	size_t		 zgot;		/* inflated from zf */
	size_t		 zlimit;	/* at most this much from zf */
	int		 zcount;	/* count zf toward inflated */
	const char	*zname;
	XML_Parser	 p;
	int		 suspended, final;
	int		 in_data, in_row, in_c, in_v, in_is, c_has_v;
	int		 row_done;
	int		 ctype;
	unsigned long	 xf, col;
	struct wz_buf	 cell;		/* text of the cell being read */
	struct xrow	*dst;
	unsigned long	 lastrow;

	/* Shaping. */
	int		 state;
	struct xrow	 hrow[WZ_XLSX_HEADER_ROWS];
	struct xrow	 cur, ahead, hdr;
	int		 have_ahead;
	size_t		 width;
	size_t		 mnext;
	struct active	*act;
	size_t		 nact, capact;

	/* Handed out. */
	struct wz_xlsx_row out;
	const char	**of;
	size_t		*olen, ocap;
};

static void
xerr(struct wz_xlsx *x, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
xerr(struct wz_xlsx *x, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	if (x->fatal)
		return;		/* the first reason is the one to give */
	free(x->err);
	va_start(ap, fmt);
	if (vasprintf(&x->err, fmt, ap) == -1)
		x->err = NULL;
	va_end(ap);
	x->errline = line;
	x->fatal = 1;
	if (x->errstatus == 0)
		x->errstatus = EX_DATAERR;
}

/* Stop the parser from a handler after xerr(). */
static void
xabort(struct wz_xlsx *x)
{
	if (x->p != NULL)
		XML_StopParser(x->p, XML_FALSE);
}

/* ------------------------------------------------------------------ */
/* Small helpers.                                                     */

int
wz_xlsx_sniff(const void *p, size_t n)
{
	return n >= 4 && memcmp(p, "PK\003\004", 4) == 0;
}

static const char *
lname(const char *n)
{
	const char *s = strrchr(n, ' ');

	return s != NULL ? s + 1 : n;
}

/* An attribute by local name; with ns set, only a namespaced one. */
static const char *
attr(const char **a, const char *name, int ns)
{
	size_t i;

	for (i = 0; a[i] != NULL; i += 2)
		if (strcmp(lname(a[i]), name) == 0 &&
		    (!ns || strchr(a[i], ' ') != NULL))
			return a[i + 1];
	return NULL;
}

static int
suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcmp(s + n - m, suf) == 0;
}

/* A decimal number in [0, max] that is the whole of s; -1 if not. */
static int
parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (max - (unsigned long)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return 0;
}

int
wz_xlsx_ref(const char *s, unsigned long *colp, unsigned long *rowp)
{
	unsigned long col = 0, row = 0;
	const char *p = s;

	for (; (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'); p++) {
		col = col * 26 + (unsigned long)((*p | 0x20) - 'a' + 1);
		if (col > MAX_COL)
			return -1;
	}
	if (p == s)
		return -1;
	if (*p == '$')
		p++;
	if (parse_ulong(p, MAX_ROWNUM, &row) == -1 || row == 0)
		return -1;
	if (colp != NULL)
		*colp = col;
	if (rowp != NULL)
		*rowp = row;
	return 0;
}

/* A reference that may hold $ signs ($A$1), as merged ranges do. */
static int
ref_any(const char *s, unsigned long *col, unsigned long *row)
{
	char tmp[32];
	size_t i, j;

	/* Drop the $ of $A$1. */
	for (i = j = 0; s[i] != '\0' && j + 1 < sizeof(tmp); i++)
		if (s[i] != '$')
			tmp[j++] = s[i];
	if (s[i] != '\0')
		return -1;
	tmp[j] = '\0';
	return wz_xlsx_ref(tmp, col, row);
}

/*
 * Decode the _xHHHH_ escapes of OOXML strings in place (Excel writes
 * control characters so: _x000D_ is a CR, _x005F_ an underscore).  A
 * NUL, a surrogate or a malformed escape is left as it is.
 */
static size_t
unescape_x(char *s, size_t n)
{
	size_t i = 0, j = 0, k;
	uint32_t cp;

	if (n == 0)
		return 0;	/* s may be a constant "" */
	while (i < n) {
		if (s[i] == '_' && i + 7 <= n && s[i + 1] == 'x' &&
		    s[i + 6] == '_') {
			cp = 0;
			for (k = 2; k < 6; k++) {
				char c = s[i + k];

				if (c >= '0' && c <= '9')
					cp = cp * 16 + (uint32_t)(c - '0');
				else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
					cp = cp * 16 + (uint32_t)((c | 0x20) -
					    'a' + 10);
				else
					break;
			}
			if (k == 6 && cp != 0 && (cp < 0xd800 || cp > 0xdfff)) {
				j += wz_utf8_encode(cp, s + j);
				i += 7;
				continue;
			}
		}
		s[j++] = s[i++];
	}
	s[j] = '\0';
	return j;
}

/* Append to b, keeping at most cap bytes. */
static void
add_capped(struct wz_buf *b, const char *s, size_t n, size_t cap)
{
	if (b->len >= cap)
		return;
	if (n > cap - b->len)
		n = cap - b->len;
	wz_buf_add(b, s, n);
}

/* ------------------------------------------------------------------ */
/* Numbers and dates.                                                 */

static locale_t
c_locale(void)
{
	static locale_t c;

	if (c == (locale_t)0)
		c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	return c;
}

size_t
wz_xlsx_general(double v, char out[32])
{
	locale_t old;
	int n;

	if (!isfinite(v))
		return (size_t)snprintf(out, 32, "#NUM!");
	if (v == 0)
		return (size_t)snprintf(out, 32, "0");
	old = uselocale(c_locale());
	if (fabs(v) < 1e15 && v == floor(v))
		n = snprintf(out, 32, "%.0f", v);
	else
		n = snprintf(out, 32, "%.15G", v);
	uselocale(old);
	return n > 0 && n < 32 ? (size_t)n : 0;
}

enum wz_xlsx_kind
wz_xlsx_builtin_kind(unsigned long id)
{
	switch (id) {
	case 14: case 15: case 16: case 17:
	case 27: case 28: case 29: case 30: case 31: case 36:
	case 50: case 51: case 52: case 53: case 54: case 57: case 58:
		return WZ_XK_DATE;
	case 22:
		return WZ_XK_DATETIME;
	case 18: case 19: case 20: case 21: case 32: case 33: case 34:
	case 35: case 45: case 47: case 55: case 56:
		return WZ_XK_TIME;
	case 46:
		return WZ_XK_ELAPSED;
	default:
		return WZ_XK_NUMBER;
	}
}

enum wz_xlsx_kind
wz_xlsx_fmt_kind(const char *code)
{
	int y = 0, d = 0, m = 0, h = 0, s = 0, el = 0;
	const char *p, *q;

	for (p = code; *p != '\0' && *p != ';'; p++) {
		switch (*p) {
		case '"':
			while (p[1] != '\0' && p[1] != '"')
				p++;
			if (p[1] == '"')
				p++;
			continue;
		case '\\': case '_': case '*':
			if (p[1] != '\0')
				p++;
			continue;
		case '[':
			/* [h] [mm] [ss] are elapsed time; anything else in
			 * brackets is a colour, a locale or a condition. */
			q = p + 1;
			while (*q == 'h' || *q == 'H' || *q == 'm' || *q == 'M' ||
			    *q == 's' || *q == 'S')
				q++;
			if (q > p + 1 && *q == ']') {
				el = 1;
				h = 1;
			}
			while (p[1] != '\0' && p[1] != ']')
				p++;
			if (p[1] == ']')
				p++;
			continue;
		}
		if (strncasecmp(p, "AM/PM", 5) == 0) {
			p += 4;
			continue;
		}
		if (strncasecmp(p, "A/P", 3) == 0) {
			p += 2;
			continue;
		}
		switch (*p | 0x20) {
		case 'y': y = 1; break;
		case 'd': d = 1; break;
		case 'm': m = 1; break;
		case 'h': h = 1; break;
		case 's': s = 1; break;
		}
	}
	if (y || d || (m && !h && !s))
		return h || s ? WZ_XK_DATETIME : WZ_XK_DATE;
	if (el)
		return WZ_XK_ELAPSED;
	if (h || s)
		return WZ_XK_TIME;
	return WZ_XK_NUMBER;
}

size_t
wz_xlsx_serial(double v, enum wz_xlsx_kind k, int date1904, char out[32])
{
	long long total, day, secs;
	char iso[WZ_DATE_ISOLEN + 1];
	wz_day wd;
	int n;

	if (k == WZ_XK_NUMBER || !isfinite(v) || v < 0 || v > 3e6)
		return 0;
	total = llround(v * 86400.0);
	day = total / 86400;
	secs = total % 86400;
	switch (k) {
	case WZ_XK_TIME:
		n = snprintf(out, 32, "%02lld:%02lld:%02lld", secs / 3600,
		    secs / 60 % 60, secs % 60);
		break;
	case WZ_XK_ELAPSED:
		n = snprintf(out, 32, "%lld:%02lld:%02lld", total / 3600,
		    total / 60 % 60, total % 60);
		break;
	default:
		if (wz_date_from_excel((double)day, date1904 ? WZ_EXCEL_1904 :
		    WZ_EXCEL_1900, &wd) != 0 || wz_date_iso(wd, iso) == 0)
			return 0;
		if (k == WZ_XK_DATE)
			n = snprintf(out, 32, "%s", iso);
		else
			n = snprintf(out, 32, "%s %02lld:%02lld:%02lld", iso,
			    secs / 3600, secs / 60 % 60, secs % 60);
	}
	return n > 0 && n < 32 ? (size_t)n : 0;
}

/* ------------------------------------------------------------------ */
/* Rows.                                                              */

static void
xrow_reset(struct xrow *w, unsigned long num)
{
	w->num = num;
	w->ncell = 0;
	w->reach = 0;
	w->bad = 0;
	w->nonblank = 0;
	wz_buf_reset(&w->text);
	wz_buf_addc(&w->text, '\0');	/* offset 0 is "" */
}

static void
xrow_free(struct xrow *w)
{
	free(w->off);
	free(w->len);
	wz_buf_free(&w->text);
	memset(w, 0, sizeof(*w));
}

static void
xrow_swap(struct xrow *a, struct xrow *b)
{
	struct xrow t = *a;

	*a = *b;
	*b = t;
}

static const char *
xrow_get(const struct xrow *w, unsigned long c, size_t *len)
{
	if (c == 0 || c > w->ncell || w->len[c - 1] == 0) {
		*len = 0;
		return "";
	}
	*len = w->len[c - 1];
	return w->text.s + w->off[c - 1];
}

/* Put a value in column c (1-based), within the limits. */
static void
xrow_put(struct wz_xlsx *x, struct xrow *w, unsigned long c, const char *s,
    size_t n)
{
	size_t i;

	if (n == 0)
		return;
	if (c > w->reach)
		w->reach = c;
	w->nonblank = 1;
	if (c > x->o.max_cols) {
		if (!w->bad)
			w->bad = WZ_XLSX_COLS;
		return;
	}
	if (n > x->o.max_field) {
		if (!w->bad)
			w->bad = WZ_XLSX_FIELD;
		return;
	}
	if (w->text.len - 1 + n + 1 > x->o.max_row) {
		if (!w->bad)
			w->bad = WZ_XLSX_ROWSIZE;
		return;
	}
	if (c > w->cap) {
		size_t nc = w->cap ? w->cap : 16;

		while (nc < c)
			nc *= 2;
		if (nc > x->o.max_cols)
			nc = x->o.max_cols;
		w->off = wz_reallocarray(w->off, nc, sizeof(size_t));
		w->len = wz_reallocarray(w->len, nc, sizeof(size_t));
		w->cap = nc;
	}
	for (i = w->ncell; i < c; i++)
		w->off[i] = w->len[i] = 0;
	if (c > w->ncell)
		w->ncell = c;
	w->off[c - 1] = w->text.len;
	w->len[c - 1] = n;
	wz_buf_add(&w->text, s, n);
	wz_buf_addc(&w->text, '\0');
}

/* The rightmost column with a value (held), 0 if none. */
static size_t
xrow_last(const struct xrow *w)
{
	size_t c = w->ncell;

	while (c > 0 && w->len[c - 1] == 0)
		c--;
	return c;
}

/* ------------------------------------------------------------------ */
/* Zip members.                                                       */

/* Open a member for reading; NULL if absent (and not required). */
static zip_file_t *
member_open(struct wz_xlsx *x, const char *name, int required,
    zip_int64_t *idxp)
{
	zip_int64_t idx;
	zip_stat_t st;
	zip_file_t *zf;

	idx = zip_name_locate(x->za, name, ZIP_FL_NOCASE);
	if (idx < 0) {
		if (required)
			xerr(x, 0, "not a workbook: %s is missing", name);
		return NULL;
	}
	zip_stat_init(&st);
	if (zip_stat_index(x->za, (zip_uint64_t)idx, 0, &st) != 0) {
		xerr(x, 0, "%s: %s", name, zip_strerror(x->za));
		return NULL;
	}
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) &&
	    st.encryption_method != ZIP_EM_NONE) {
		xerr(x, 0, "%s is encrypted", name);
		return NULL;
	}
	if ((st.valid & ZIP_STAT_COMP_METHOD) &&
	    st.comp_method != ZIP_CM_STORE &&
	    st.comp_method != ZIP_CM_DEFLATE) {
		xerr(x, 0, "%s is compressed with method %u; a workbook "
		    "uses deflate", name, (unsigned)st.comp_method);
		return NULL;
	}
	if ((zf = zip_fopen_index(x->za, (zip_uint64_t)idx, 0)) == NULL) {
		xerr(x, 0, "%s: %s", name, zip_strerror(x->za));
		return NULL;
	}
	if (idxp != NULL)
		*idxp = idx;
	return zf;
}

static char *
size_text(size_t n, char *buf, size_t len)
{
	if (n % (1 << 30) == 0)
		snprintf(buf, len, "%zuG", n >> 30);
	else if (n % (1 << 20) == 0)
		snprintf(buf, len, "%zuM", n >> 20);
	else if (n % (1 << 10) == 0)
		snprintf(buf, len, "%zuK", n >> 10);
	else
		snprintf(buf, len, "%zu bytes", n);
	return buf;
}

/*
 * Inflate up to n bytes of the open member; counts them against the
 * budget.  Returns the bytes read, 0 at the end, -1 on an error.
 */
static ssize_t
member_read(struct wz_xlsx *x, void *buf, size_t n)
{
	zip_int64_t k;
	char sz[32];

	k = zip_fread(x->zf, buf, n);
	if (k < 0) {
		xerr(x, x->lastrow, "%s: cannot inflate: %s", x->zname,
		    zip_file_strerror(x->zf));
		return -1;
	}
	x->zgot += (size_t)k;
	if (x->zcount) {
		x->inflated += (size_t)k;
		if (x->inflated > x->o.max_inflate) {
			xerr(x, 0, "the workbook inflates to more than %s "
			    "(--max-xlsx): not read", size_text(
			    x->o.max_inflate, sz, sizeof(sz)));
			return -1;
		}
	} else if (x->zgot > x->zlimit) {
		xerr(x, 0, "%s changed while it was read", x->zname);
		return -1;
	}
	return (ssize_t)k;
}

static void
member_close(struct wz_xlsx *x)
{
	if (x->zf != NULL)
		zip_fclose(x->zf);
	x->zf = NULL;
}

static void XMLCALL
on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int has_internal)
{
	struct wz_xlsx *x = ud;

	xerr(x, x->lastrow, "%s: a DOCTYPE is not allowed in a workbook",
	    x->zname);
	xabort(x);
}

static XML_Parser
parser_new(struct wz_xlsx *x, XML_StartElementHandler s,
    XML_EndElementHandler e, XML_CharacterDataHandler c)
{
	XML_Parser p = XML_ParserCreateNS(NULL, ' ');

	if (p == NULL)
		wz_die(EX_OSERR, NULL, 0, "out of memory");
	XML_SetUserData(p, x);
	XML_SetElementHandler(p, s, e);
	if (c != NULL)
		XML_SetCharacterDataHandler(p, c);
	XML_SetStartDoctypeDeclHandler(p, on_doctype);
	return p;
}

static void
xml_error(struct wz_xlsx *x)
{
	enum XML_Error e = XML_GetErrorCode(x->p);

	if (x->fatal)
		return;
	xerr(x, x->lastrow, "%s: not well-formed XML: %s (XML line %lu)",
	    x->zname, XML_ErrorString(e),
	    (unsigned long)XML_GetCurrentLineNumber(x->p));
}

/*
 * Feed the open member to the parser x->p to its end, then free the
 * parser and close the member.  Returns 0, or -1 on an error (reported).
 */
static int
parse_open(struct wz_xlsx *x)
{
	void *buf;
	ssize_t n;
	int rc = 0;

	for (;;) {
		if ((buf = XML_GetBuffer(x->p, XCHUNK)) == NULL)
			wz_die(EX_OSERR, NULL, 0, "out of memory");
		if ((n = member_read(x, buf, XCHUNK)) < 0) {
			rc = -1;
			break;
		}
		if (XML_ParseBuffer(x->p, (int)n, n == 0) != XML_STATUS_OK) {
			xml_error(x);
			rc = -1;
			break;
		}
		if (n == 0)
			break;
	}
	XML_ParserFree(x->p);
	x->p = NULL;
	member_close(x);
	return rc;
}

/*
 * Parse a whole member with these handlers.  Returns 0, 1 if it is
 * absent and not required, -1 on an error.
 */
static int
parse_member(struct wz_xlsx *x, const char *name, int required,
    XML_StartElementHandler s, XML_EndElementHandler e,
    XML_CharacterDataHandler c)
{
	if ((x->zf = member_open(x, name, required, NULL)) == NULL)
		return x->fatal ? -1 : 1;
	x->zname = name;
	x->zgot = 0;
	x->zcount = 1;
	x->p = parser_new(x, s, e, c);
	return parse_open(x);
}

/* Resolve a relationship target against the folder of its source. */
static char *
resolve(const char *dir, const char *target)
{
	struct wz_buf b = { 0 };
	char *path, *seg, *save = NULL, *out;
	size_t *stack = NULL, nst = 0;

	if (target[0] == '/')
		path = wz_strdup(target + 1);
	else
		path = wz_aprintf("%s%s", dir, target);
	stack = wz_calloc(strlen(path) + 1, sizeof(size_t));
	for (seg = strtok_r(path, "/", &save); seg != NULL;
	    seg = strtok_r(NULL, "/", &save)) {
		if (strcmp(seg, ".") == 0)
			continue;
		if (strcmp(seg, "..") == 0) {
			if (nst > 0)
				b.len = stack[--nst];
			continue;
		}
		stack[nst++] = b.len;
		if (b.len > 0)
			wz_buf_addc(&b, '/');
		wz_buf_adds(&b, seg);
	}
	wz_buf_addc(&b, '\0');
	out = wz_strdup(b.s);
	wz_buf_free(&b);
	free(stack);
	free(path);
	return out;
}

/* ------------------------------------------------------------------ */
/* Relationships, workbook, styles, shared strings.                  */

static void XMLCALL
rels_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	struct wz_xlsx *x = ud;
	const char *id, *type, *target, *mode;
	struct rel *r;

	if (strcmp(lname(name), "Relationship") != 0)
		return;
	id = attr(a, "Id", 0);
	type = attr(a, "Type", 0);
	target = attr(a, "Target", 0);
	mode = attr(a, "TargetMode", 0);
	if (id == NULL || type == NULL || target == NULL ||
	    (mode != NULL && strcmp(mode, "Internal") != 0))
		return;
	if (x->nrels >= MAX_RELS) {
		xerr(x, 0, "%s: more than %d relationships", x->zname,
		    MAX_RELS);
		xabort(x);
		return;
	}
	x->rels = wz_reallocarray(x->rels, x->nrels + 1, sizeof(*x->rels));
	r = &x->rels[x->nrels++];
	r->id = wz_strdup(id);
	r->type = wz_strdup(type);
	r->target = wz_strdup(target);
}

static void XMLCALL
ignore_end(void *ud, const XML_Char *name)
{
}

static void
rels_free(struct wz_xlsx *x)
{
	size_t i;

	for (i = 0; i < x->nrels; i++) {
		free(x->rels[i].id);
		free(x->rels[i].type);
		free(x->rels[i].target);
	}
	free(x->rels);
	x->rels = NULL;
	x->nrels = 0;
}

static void XMLCALL
wb_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	struct wz_xlsx *x = ud;
	const char *n = lname(name), *v, *rid, *st;
	struct sheetent *s;

	if (strcmp(n, "workbookPr") == 0) {
		v = attr(a, "date1904", 0);
		x->date1904 = v != NULL && (strcmp(v, "1") == 0 ||
		    strcmp(v, "true") == 0);
		return;
	}
	if (strcmp(n, "sheet") != 0)
		return;
	v = attr(a, "name", 0);
	rid = attr(a, "id", 1);
	if (v == NULL || rid == NULL)
		return;
	if (x->nsheets >= MAX_SHEETS) {
		xerr(x, 0, "%s: more than %d sheets", x->zname, MAX_SHEETS);
		xabort(x);
		return;
	}
	st = attr(a, "state", 0);
	x->sheets = wz_reallocarray(x->sheets, x->nsheets + 1,
	    sizeof(*x->sheets));
	s = &x->sheets[x->nsheets++];
	s->name = wz_strdup(v);
	s->rid = wz_strdup(rid);
	s->hidden = st != NULL && strcmp(st, "visible") != 0;
}

static void XMLCALL
styles_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	struct wz_xlsx *x = ud;
	const char *n = lname(name), *code;
	unsigned long id;

	if (strcmp(n, "numFmts") == 0)
		x->in_numfmts = 1;
	else if (strcmp(n, "cellXfs") == 0)
		x->in_cellxfs = 1;
	else if (x->in_numfmts && strcmp(n, "numFmt") == 0) {
		code = attr(a, "formatCode", 0);
		if (code == NULL || parse_ulong(attr(a, "numFmtId", 0),
		    ULONG_MAX, &id) == -1 || x->nnumfmts >= MAX_XFS)
			return;
		x->numfmts = wz_reallocarray(x->numfmts, x->nnumfmts + 1,
		    sizeof(*x->numfmts));
		x->numfmts[x->nnumfmts].id = id;
		x->numfmts[x->nnumfmts++].kind =
		    (unsigned char)wz_xlsx_fmt_kind(code);
	} else if (x->in_cellxfs && strcmp(n, "xf") == 0) {
		if (x->nxf >= MAX_XFS) {
			xerr(x, 0, "%s: more than %d cell formats", x->zname,
			    MAX_XFS);
			xabort(x);
			return;
		}
		if (parse_ulong(attr(a, "numFmtId", 0), ULONG_MAX, &id) == -1)
			id = 0;
		x->xfnumfmt = wz_reallocarray(x->xfnumfmt, x->nxf + 1,
		    sizeof(*x->xfnumfmt));
		x->xfnumfmt[x->nxf++] = id;
	}
}

static void XMLCALL
styles_end(void *ud, const XML_Char *name)
{
	struct wz_xlsx *x = ud;
	const char *n = lname(name);

	if (strcmp(n, "numFmts") == 0)
		x->in_numfmts = 0;
	else if (strcmp(n, "cellXfs") == 0)
		x->in_cellxfs = 0;
}

/* Each cell format's kind: a code the workbook defines, else built in. */
static void
styles_resolve(struct wz_xlsx *x)
{
	size_t i, j;

	x->xfkind = wz_calloc(x->nxf + 1, 1);
	for (i = 0; i < x->nxf; i++) {
		x->xfkind[i] = (unsigned char)wz_xlsx_builtin_kind(
		    x->xfnumfmt[i]);
		for (j = 0; j < x->nnumfmts; j++)
			if (x->numfmts[j].id == x->xfnumfmt[i])
				x->xfkind[i] = x->numfmts[j].kind;
	}
	free(x->xfnumfmt);
	free(x->numfmts);
	x->xfnumfmt = NULL;
	x->numfmts = NULL;
}

static void XMLCALL
sst_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	struct wz_xlsx *x = ud;
	const char *n = lname(name);

	if (!x->in_si) {
		if (strcmp(n, "si") == 0) {
			x->in_si = 1;
			x->si_depth = 0;
			wz_buf_reset(&x->cell);
		}
		return;
	}
	x->si_depth++;
	if (strcmp(n, "rPh") == 0)
		x->in_rph++;
	else if (strcmp(n, "t") == 0)
		x->in_t = 1;
}

static void XMLCALL
sst_end(void *ud, const XML_Char *name)
{
	struct wz_xlsx *x = ud;
	const char *n = lname(name);
	size_t len;

	if (!x->in_si)
		return;
	if (x->si_depth > 0) {
		x->si_depth--;
		if (strcmp(n, "rPh") == 0)
			x->in_rph--;
		else if (strcmp(n, "t") == 0)
			x->in_t = 0;
		return;
	}
	/* </si> */
	x->in_si = x->in_t = x->in_rph = 0;
	len = x->cell.len;
	if (len > 0)
		len = unescape_x(x->cell.s, len);
	if (x->sst.len + len + 1 > UINT32_MAX) {
		xerr(x, 0, "%s: the shared strings are over 4G", x->zname);
		xabort(x);
		return;
	}
	if (x->nsst == x->capsst) {
		x->capsst = x->capsst ? x->capsst * 2 : 1024;
		x->sstoff = wz_reallocarray(x->sstoff, x->capsst,
		    sizeof(*x->sstoff));
	}
	x->sstoff[x->nsst++] = (uint32_t)x->sst.len;
	wz_buf_add(&x->sst, x->cell.s != NULL ? x->cell.s : "", len);
	wz_buf_addc(&x->sst, '\0');
}

static void XMLCALL
sst_text(void *ud, const XML_Char *s, int n)
{
	struct wz_xlsx *x = ud;

	/* One byte past the limit is enough to say it is too long. */
	if (x->in_si && x->in_t && x->in_rph == 0)
		add_capped(&x->cell, s, (size_t)n, x->o.max_field + 1);
}

/* ------------------------------------------------------------------ */
/* Merged ranges.                                                     */

static void
merge_add(struct wz_xlsx *x, const char *ref)
{
	char a[32], *colon;
	unsigned long c1, r1, c2, r2;
	struct merge *m;

	if (ref == NULL || strlen(ref) >= sizeof(a))
		return;
	strcpy(a, ref);
	if ((colon = strchr(a, ':')) == NULL)
		return;
	*colon = '\0';
	if (ref_any(a, &c1, &r1) == -1 || ref_any(colon + 1, &c2, &r2) == -1)
		return;
	if (c1 > c2) {
		unsigned long t = c1;
		c1 = c2;
		c2 = t;
	}
	if (r1 > r2) {
		unsigned long t = r1;
		r1 = r2;
		r2 = t;
	}
	if ((c1 == c2 && r1 == r2) || c1 > x->o.max_cols)
		return;
	if (x->nmg >= WZ_XLSX_MAX_MERGES) {
		xerr(x, 0, "the sheet has more than %d merged ranges",
		    WZ_XLSX_MAX_MERGES);
		xabort(x);
		return;
	}
	if (x->nmg == x->capmg) {
		x->capmg = x->capmg ? x->capmg * 2 : 64;
		x->mg = wz_reallocarray(x->mg, x->capmg, sizeof(*x->mg));
	}
	m = &x->mg[x->nmg++];
	m->top = r1;
	m->bottom = r2;
	m->left = c1;
	m->right = c2;
}

static void XMLCALL
merge_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	struct wz_xlsx *x = ud;
	const char *n = lname(name);

	if (strcmp(n, "mergeCells") == 0)
		x->in_mergecells = 1;
	else if (x->in_mergecells && strcmp(n, "mergeCell") == 0)
		merge_add(x, attr(a, "ref", 0));
}

static void XMLCALL
merge_end(void *ud, const XML_Char *name)
{
	struct wz_xlsx *x = ud;

	if (strcmp(lname(name), "mergeCells") == 0)
		x->in_mergecells = 0;
}

static int
merge_cmp(const void *pa, const void *pb)
{
	const struct merge *a = pa, *b = pb;

	if (a->top != b->top)
		return a->top < b->top ? -1 : 1;
	if (a->left != b->left)
		return a->left < b->left ? -1 : 1;
	return 0;
}

/*
 * Inflate the sheet once: count it, and look for "mergeCell".  Only if
 * the word is there is it parsed for the ranges.
 */
static int
merges_load(struct wz_xlsx *x)
{
	static const char word[] = "mergeCell";
	char *buf = wz_malloc(XCHUNK + sizeof(word));
	size_t keep = 0;
	ssize_t n;
	int found = 0, rc = 0;

	if ((x->zf = member_open(x, x->sheetname, 1, NULL)) == NULL) {
		free(buf);
		return -1;
	}
	x->zname = x->sheetname;
	x->zgot = 0;
	x->zcount = 1;
	while ((n = member_read(x, buf + keep, XCHUNK)) > 0) {
		size_t len = keep + (size_t)n;

		if (!found && memmem(buf, len, word, sizeof(word) - 1) != NULL)
			found = 1;
		keep = len < sizeof(word) - 1 ? len : sizeof(word) - 1;
		memmove(buf, buf + len - keep, keep);
	}
	member_close(x);
	free(buf);
	if (n < 0)
		return -1;
	x->sheetsize = x->zgot;
	if (!found)
		return 0;
	/* The second reading is counted once: it is the same bytes. */
	if ((x->zf = member_open(x, x->sheetname, 1, NULL)) == NULL)
		return -1;
	x->zgot = 0;
	x->zcount = 0;
	x->zlimit = x->sheetsize;
	x->p = parser_new(x, merge_start, merge_end, NULL);
	rc = parse_open(x);
	if (rc == 0 && x->nmg > 1)
		qsort(x->mg, x->nmg, sizeof(*x->mg), merge_cmp);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The sheet, a row at a time.                                        */

/* Column letters of c into buf (at least 8 bytes). */
static const char *
col_name(unsigned long c, char *buf)
{
	char t[8];
	size_t n = 0, i;

	if (c == 0 || c > MAX_COL) {
		strcpy(buf, "?");
		return buf;
	}
	for (; c > 0 && n < sizeof(t); c = (c - 1) / 26)
		t[n++] = (char)('A' + (c - 1) % 26);
	for (i = 0; i < n; i++)
		buf[i] = t[n - 1 - i];
	buf[n] = '\0';
	return buf;
}

/* Is s a decimal number as a workbook stores one (-1.5E-3)? */
static int
decimal(const char *s)
{
	size_t digits = 0;

	if (*s == '-' || *s == '+')
		s++;
	for (; (*s >= '0' && *s <= '9'); s++)
		digits++;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			digits++;
	if (digits == 0)
		return 0;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (*s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

static void
cell_finish(struct wz_xlsx *x)
{
	char num[32], *s = x->cell.s != NULL ? x->cell.s : (char *)"";
	size_t n = x->cell.len, k;
	unsigned long idx;
	double v;
	char *end;
	int why;

	if (x->cell.s != NULL)
		x->cell.s[n] = '\0';
	switch (x->ctype) {
	case T_S:
		if (!x->c_has_v || n == 0)
			return;
		if (parse_ulong(s, ULONG_MAX, &idx) == -1 || idx >= x->nsst) {
			xerr(x, x->dst->num, "cell %s%lu refers to shared "
			    "string %.20s, which the workbook does not have",
			    col_name(x->col, num), x->dst->num, s);
			xabort(x);
			return;
		}
		s = x->sst.s + x->sstoff[idx];
		n = (idx + 1 < x->nsst ? x->sstoff[idx + 1] : x->sst.len) -
		    x->sstoff[idx] - 1;
		break;
	case T_B:
		if (n == 1 && (s[0] == '0' || s[0] == '1')) {
			s = s[0] == '1' ? (char *)"TRUE" : (char *)"FALSE";
			n = strlen(s);
		}
		break;
	case T_INLINE:
	case T_STR:
		n = unescape_x(s, n);
		break;
	case T_N:
		if (n == 0)
			return;
		if (n > 64 || !decimal(s))
			break;		/* not a number: keep the text */
		v = strtod_l(s, &end, c_locale());
		k = 0;
		if (x->xf < x->nxf && x->xfkind[x->xf] != WZ_XK_NUMBER)
			k = wz_xlsx_serial(v, (enum wz_xlsx_kind)
			    x->xfkind[x->xf], x->date1904, num);
		if (k == 0)
			k = wz_xlsx_general(v, num);
		if (k > 0) {
			s = num;
			n = k;
		}
		break;
	default:
		break;
	}
	if (n > 0 && n <= x->o.max_field &&
	    wz_utf8_check((const unsigned char *)s, n, &why) != n) {
		xerr(x, x->dst->num, "cell %s%lu is not valid UTF-8",
		    col_name(x->col, num), x->dst->num);
		xabort(x);
		return;
	}
	xrow_put(x, x->dst, x->col, s, n);
}

static void XMLCALL
sheet_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	struct wz_xlsx *x = ud;
	const char *n = lname(name), *v;
	unsigned long num, c;

	if (!x->in_data) {
		if (strcmp(n, "sheetData") == 0)
			x->in_data = 1;
		return;
	}
	if (!x->in_row) {
		if (strcmp(n, "row") != 0)
			return;
		x->in_row = 1;
		v = attr(a, "r", 0);
		if (v == NULL)
			num = x->lastrow + 1;
		else if (parse_ulong(v, MAX_ROWNUM, &num) == -1 || num == 0) {
			xerr(x, x->lastrow + 1, "row number '%.20s' after row "
			    "%lu is not one", v, x->lastrow);
			xabort(x);
			return;
		}
		if (num <= x->lastrow || num > MAX_ROWNUM) {
			xerr(x, num, "row %lu comes after row %lu: the rows "
			    "are out of order", num, x->lastrow);
			xabort(x);
			return;
		}
		x->lastrow = num;
		xrow_reset(x->dst, num);
		x->col = 0;
		return;
	}
	if (!x->in_c) {
		if (strcmp(n, "c") != 0)
			return;
		x->in_c = 1;
		x->in_v = x->in_is = x->c_has_v = 0;
		wz_buf_reset(&x->cell);
		v = attr(a, "r", 0);
		if (v == NULL || wz_xlsx_ref(v, &c, NULL) == -1)
			c = x->col + 1;
		x->col = c;
		v = attr(a, "t", 0);
		if (v == NULL || strcmp(v, "n") == 0)
			x->ctype = T_N;
		else if (strcmp(v, "s") == 0)
			x->ctype = T_S;
		else if (strcmp(v, "b") == 0)
			x->ctype = T_B;
		else if (strcmp(v, "e") == 0)
			x->ctype = T_E;
		else if (strcmp(v, "str") == 0)
			x->ctype = T_STR;
		else if (strcmp(v, "inlineStr") == 0)
			x->ctype = T_INLINE;
		else
			x->ctype = T_D;
		if (parse_ulong(attr(a, "s", 0), ULONG_MAX, &x->xf) == -1)
			x->xf = 0;
		return;
	}
	/* Inside a cell. */
	if (x->in_is) {
		x->in_is++;
		if (strcmp(n, "rPh") == 0)
			x->in_rph++;
		else if (strcmp(n, "t") == 0 && x->in_rph == 0)
			x->in_t = 1;
	} else if (strcmp(n, "v") == 0 && x->ctype != T_INLINE) {
		x->in_v = 1;
		wz_buf_reset(&x->cell);
	} else if (strcmp(n, "is") == 0) {
		x->in_is = 1;
		x->in_rph = x->in_t = 0;
		x->ctype = T_INLINE;
		wz_buf_reset(&x->cell);
	}
}

static void XMLCALL
sheet_end(void *ud, const XML_Char *name)
{
	struct wz_xlsx *x = ud;
	const char *n = lname(name);

	if (!x->in_data)
		return;
	if (x->in_c) {
		if (x->in_is) {
			if (--x->in_is > 0) {
				if (strcmp(n, "rPh") == 0)
					x->in_rph--;
				else if (strcmp(n, "t") == 0)
					x->in_t = 0;
			}
			return;
		}
		if (x->in_v && strcmp(n, "v") == 0) {
			x->in_v = 0;
			x->c_has_v = 1;
			return;
		}
		if (strcmp(n, "c") == 0) {
			x->in_c = 0;
			cell_finish(x);
		}
		return;
	}
	if (x->in_row) {
		if (strcmp(n, "row") == 0) {
			x->in_row = 0;
			x->row_done = 1;
			XML_StopParser(x->p, XML_TRUE);
		}
		return;
	}
	if (strcmp(n, "sheetData") == 0)
		x->in_data = 0;
}

static void XMLCALL
sheet_text(void *ud, const XML_Char *s, int n)
{
	struct wz_xlsx *x = ud;

	if (x->in_c && (x->in_v || (x->in_is && x->in_t && x->in_rph == 0)))
		add_capped(&x->cell, s, (size_t)n, x->o.max_field + 1);
}

/* Read the next row of the sheet into w: 1, 0 at the end, -1. */
static int
scan_row(struct wz_xlsx *x, struct xrow *w)
{
	enum XML_Status st;
	ssize_t n;
	void *buf;

	x->dst = w;
	x->row_done = 0;
	for (;;) {
		if (x->suspended) {
			x->suspended = 0;
			st = XML_ResumeParser(x->p);
		} else if (x->final)
			return 0;
		else {
			if ((buf = XML_GetBuffer(x->p, XCHUNK)) == NULL)
				wz_die(EX_OSERR, NULL, 0, "out of memory");
			if ((n = member_read(x, buf, XCHUNK)) < 0)
				return -1;
			x->final = n == 0;
			st = XML_ParseBuffer(x->p, (int)n, x->final);
		}
		if (st == XML_STATUS_ERROR) {
			xml_error(x);
			return -1;
		}
		if (st == XML_STATUS_SUSPENDED)
			x->suspended = 1;
		if (x->row_done)
			return 1;
	}
}

/* ------------------------------------------------------------------ */
/* Opening.                                                           */

static int
open_zip(struct wz_xlsx *x, int fd, const void *head, size_t headn)
{
	zip_source_t *src = NULL;
	zip_error_t ze;
	struct stat sb;
	off_t cur;
	char sz[32];

	zip_error_init(&ze);
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (cur = lseek(fd, 0, SEEK_CUR)) != -1 && (size_t)cur >= headn) {
		int d = dup(fd);
		FILE *fp = d != -1 ? fdopen(d, "rb") : NULL;

		if (fp == NULL) {
			if (d != -1)
				close(d);
			xerr(x, 0, "cannot read the workbook: %s",
			    strerror(errno));
			x->errstatus = EX_IOERR;
			return -1;
		}
		src = zip_source_filep_create(fp, (zip_uint64_t)(cur -
		    (off_t)headn), -1, &ze);
		if (src == NULL)
			fclose(fp);
	} else {
		/* A pipe: into memory, at most max_inflate bytes. */
		size_t len = headn, cap = headn + XCHUNK;
		unsigned char *mem = wz_malloc(cap);
		ssize_t k;

		memcpy(mem, head, headn);
		for (;;) {
			if (cap - len < XCHUNK) {
				cap *= 2;
				mem = wz_realloc(mem, cap);
			}
			k = read(fd, mem + len, XCHUNK);
			if (k == -1 && errno == EINTR)
				continue;
			if (k == -1) {
				xerr(x, 0, "read error: %s", strerror(errno));
				x->errstatus = EX_IOERR;
				free(mem);
				return -1;
			}
			len += (size_t)k;
			if (k == 0 || len > x->o.max_inflate)
				break;
		}
		if (len > x->o.max_inflate) {
			xerr(x, 0, "the workbook is larger than %s (--max-xlsx)",
			    size_text(x->o.max_inflate, sz, sizeof(sz)));
			free(mem);
			return -1;
		}
		src = zip_source_buffer_create(mem, len, 1, &ze);
		if (src == NULL)
			free(mem);
	}
	if (src == NULL) {
		xerr(x, 0, "cannot read the workbook: %s",
		    zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return -1;
	}
	if ((x->za = zip_open_from_source(src, ZIP_RDONLY, &ze)) == NULL) {
		xerr(x, 0, "not a readable .xlsx workbook: %s",
		    zip_error_strerror(&ze));
		zip_source_free(src);
		zip_error_fini(&ze);
		return -1;
	}
	zip_error_fini(&ze);
	return 0;
}

static const struct rel *
rel_by_type(const struct wz_xlsx *x, const char *suf)
{
	size_t i;

	for (i = 0; i < x->nrels; i++)
		if (suffix(x->rels[i].type, suf))
			return &x->rels[i];
	return NULL;
}

/* The folder of a part, with its slash: "xl/" for "xl/workbook.xml". */
static char *
part_dir(const char *part)
{
	const char *s = strrchr(part, '/');

	return s != NULL ? wz_strndup(part, (size_t)(s - part + 1)) :
	    wz_strdup("");
}

/* Pick the sheet: by name, by number, or the first visible worksheet. */
static int
pick_sheet(struct wz_xlsx *x, const char *dir)
{
	const struct sheetent *s = NULL;
	const struct rel *r = NULL;
	unsigned long n;
	size_t i, j;

	if (x->nsheets == 0) {
		xerr(x, 0, "the workbook lists no sheets");
		return -1;
	}
	if (x->o.sheet != NULL) {
		for (i = 0; i < x->nsheets && s == NULL; i++)
			if (strcmp(x->sheets[i].name, x->o.sheet) == 0)
				s = &x->sheets[i];
		for (i = 0; i < x->nsheets && s == NULL; i++)
			if (strcasecmp(x->sheets[i].name, x->o.sheet) == 0)
				s = &x->sheets[i];
		if (s == NULL && parse_ulong(x->o.sheet, ULONG_MAX, &n) == 0 &&
		    n >= 1 && n <= x->nsheets)
			s = &x->sheets[n - 1];
		if (s == NULL) {
			struct wz_buf b = { 0 };

			for (i = 0; i < x->nsheets && i < 20; i++)
				wz_buf_printf(&b, "%s%s", i ? ", " : "",
				    x->sheets[i].name);
			if (i < x->nsheets)
				wz_buf_adds(&b, ", ...");
			xerr(x, 0, "no sheet '%s' (the sheets: %s)", x->o.sheet,
			    wz_buf_cstr(&b));
			wz_buf_free(&b);
			return -1;
		}
	}
	for (i = 0; i < x->nsheets; i++) {
		const struct sheetent *c = s != NULL ? s : &x->sheets[i];

		for (r = NULL, j = 0; j < x->nrels && r == NULL; j++)
			if (strcmp(x->rels[j].id, c->rid) == 0)
				r = &x->rels[j];
		if (s != NULL) {
			if (r == NULL) {
				xerr(x, 0, "sheet '%s' has no part in the "
				    "workbook", s->name);
				return -1;
			}
			if (!suffix(r->type, "/worksheet")) {
				xerr(x, 0, "sheet '%s' is a chart or a dialog, "
				    "not a worksheet", s->name);
				return -1;
			}
			break;
		}
		if (r != NULL && suffix(r->type, "/worksheet") && !c->hidden) {
			s = c;
			break;
		}
	}
	if (s == NULL) {
		xerr(x, 0, "the workbook has no visible worksheet; name one "
		    "with --sheet");
		return -1;
	}
	x->sheetname = resolve(dir, r->target);
	return 0;
}

static int
load(struct wz_xlsx *x, int fd, const void *head, size_t headn)
{
	const struct rel *r;
	char *dir = NULL, *relpath = NULL, *ss = NULL, *sty = NULL;
	const char *base;
	int rc = -1;

	if (open_zip(x, fd, head, headn) == -1)
		return -1;
	/* The package's relationships name the workbook part. */
	if (parse_member(x, "_rels/.rels", 0, rels_start, ignore_end,
	    NULL) == -1)
		return -1;
	r = rel_by_type(x, "/officeDocument");
	x->wbpath = r != NULL ? resolve("", r->target) :
	    wz_strdup("xl/workbook.xml");
	rels_free(x);
	dir = part_dir(x->wbpath);
	base = strrchr(x->wbpath, '/') != NULL ? strrchr(x->wbpath, '/') +
	    1 : x->wbpath;
	relpath = wz_aprintf("%s_rels/%s.rels", dir, base);
	if (parse_member(x, x->wbpath, 1, wb_start, ignore_end, NULL) != 0)
		goto out;
	if (parse_member(x, relpath, 1, rels_start, ignore_end, NULL) != 0)
		goto out;
	if (pick_sheet(x, dir) == -1)
		goto out;
	r = rel_by_type(x, "/styles");
	sty = r != NULL ? resolve(dir, r->target) : wz_aprintf("%sstyles.xml",
	    dir);
	r = rel_by_type(x, "/sharedStrings");
	ss = r != NULL ? resolve(dir, r->target) :
	    wz_aprintf("%ssharedStrings.xml", dir);
	if (parse_member(x, sty, 0, styles_start, styles_end, NULL) == -1)
		goto out;
	styles_resolve(x);
	if (parse_member(x, ss, 0, sst_start, sst_end, sst_text) == -1)
		goto out;
	wz_buf_free(&x->cell);
	if (merges_load(x) == -1)
		goto out;
	/* The sheet itself, streamed. */
	if ((x->zf = member_open(x, x->sheetname, 1, &x->sheetidx)) == NULL)
		goto out;
	x->zname = x->sheetname;
	x->zgot = 0;
	x->zcount = 0;
	x->zlimit = x->sheetsize;
	x->p = parser_new(x, sheet_start, sheet_end, sheet_text);
	rc = 0;
out:
	free(dir);
	free(relpath);
	free(sty);
	free(ss);
	return rc;
}

struct wz_xlsx *
wz_xlsx_open(int fd, const void *head, size_t headn,
    const struct wz_xlsx_opts *o)
{
	struct wz_xlsx *x = wz_calloc(1, sizeof(*x));
	const char *why;

	x->o = *o;
	if (x->o.max_inflate == 0)
		x->o.max_inflate = WZ_MAX_XLSX_DEFAULT;
	if (x->o.max_field == 0)
		x->o.max_field = WZ_MAX_FIELD_DEFAULT;
	if (x->o.max_row == 0)
		x->o.max_row = WZ_MAX_ROW_DEFAULT;
	if (x->o.max_cols == 0)
		x->o.max_cols = WZ_MAX_COLS_DEFAULT;
	if (x->o.max_cols > MAX_COL)
		x->o.max_cols = MAX_COL;
	x->state = ST_DATA0;
	if ((why = libs_open()) != NULL) {
		xerr(x, 0, "cannot read a workbook: the libraries that read "
		    "one could not be loaded: %s", why);
		x->errstatus = EX_UNAVAILABLE;
		return x;
	}
	load(x, fd, head, headn);
	return x;
}

void
wz_xlsx_close(struct wz_xlsx *x)
{
	size_t i;

	if (x == NULL)
		return;
	if (x->p != NULL)
		XML_ParserFree(x->p);
	member_close(x);
	if (x->za != NULL)
		zip_discard(x->za);
	for (i = 0; i < x->nsheets; i++) {
		free(x->sheets[i].name);
		free(x->sheets[i].rid);
	}
	free(x->sheets);
	rels_free(x);
	free(x->xfkind);
	free(x->xfnumfmt);
	free(x->numfmts);
	wz_buf_free(&x->sst);
	free(x->sstoff);
	free(x->mg);
	free(x->sheetname);
	free(x->wbpath);
	wz_buf_free(&x->cell);
	for (i = 0; i < WZ_XLSX_HEADER_ROWS; i++)
		xrow_free(&x->hrow[i]);
	xrow_free(&x->cur);
	xrow_free(&x->ahead);
	xrow_free(&x->hdr);
	for (i = 0; i < x->nact; i++)
		free(x->act[i].val);
	free(x->act);
	free(x->of);
	free(x->olen);
	free(x->err);
	free(x);
}

const char *
wz_xlsx_error(const struct wz_xlsx *x)
{
	return x->err != NULL ? x->err : "unknown error";
}

unsigned long
wz_xlsx_errline(const struct wz_xlsx *x)
{
	return x->errline;
}

int
wz_xlsx_errstatus(const struct wz_xlsx *x)
{
	return x->errstatus ? x->errstatus : EX_DATAERR;
}

unsigned long
wz_xlsx_lastrow(const struct wz_xlsx *x)
{
	return x->lastrow;
}

/* ------------------------------------------------------------------ */
/* Shaping: skip, header, fill, width.                                */

/* Hand out n fields of w. */
static void
emit(struct wz_xlsx *x, const struct xrow *w, size_t n, unsigned long line)
{
	size_t i;

	if (n > x->ocap) {
		x->ocap = n + 16;
		x->of = wz_reallocarray(x->of, x->ocap, sizeof(*x->of));
		x->olen = wz_reallocarray(x->olen, x->ocap, sizeof(*x->olen));
	}
	for (i = 0; i < n; i++)
		x->of[i] = xrow_get(w, i + 1, &x->olen[i]);
	x->out.n = n;
	x->out.f = x->of;
	x->out.len = x->olen;
	x->out.line = line;
	x->out.ncols = w->reach > n ? w->reach : n;
	x->out.bad = w->bad;
}

/* The first non-blank row below the skipped ones into w: 1, 0, -1. */
static int
first_row(struct wz_xlsx *x, struct xrow *w)
{
	int rc;

	while ((rc = scan_row(x, w)) == 1)
		if (w->num > x->o.skip && w->nonblank)
			return 1;
	return rc;
}

/* The merges whose top row is r: [*lo, *hi). */
static void
merges_at(const struct wz_xlsx *x, unsigned long top, size_t *lo, size_t *hi)
{
	size_t a = 0, b = x->nmg, m;

	while (a < b) {
		m = a + (b - a) / 2;
		if (x->mg[m].top < top)
			a = m + 1;
		else
			b = m;
	}
	*lo = a;
	for (b = a; b < x->nmg && x->mg[b].top == top; b++)
		;
	*hi = b;
}

/* Is column c inside a horizontal merge of row h? */
static int
in_hmerge(const struct wz_xlsx *x, size_t lo, size_t hi, unsigned long c)
{
	size_t i;

	for (i = lo; i < hi; i++)
		if (x->mg[i].bottom == x->mg[i].top && x->mg[i].left <= c &&
		    c <= x->mg[i].right && x->mg[i].right > x->mg[i].left)
			return 1;
	return 0;
}

/*
 * Is `next` a row of sub-headings under the cells merged across columns
 * in header row h0: something outside those cells in h0, and in next
 * only values under them?
 */
static int
subheads(const struct wz_xlsx *x, const struct xrow *h0,
    const struct xrow *next, size_t lo, size_t hi)
{
	size_t c, n;
	int outside = 0, any = 0;

	if (next->bad || !next->nonblank || next->num != h0->num + 1)
		return 0;
	for (c = 1; c <= h0->ncell; c++)
		if (xrow_get(h0, c, &n), n > 0 && !in_hmerge(x, lo, hi, c))
			outside = 1;
	if (!outside)
		return 0;
	for (c = 1; c <= next->ncell; c++) {
		if (xrow_get(next, c, &n), n == 0)
			continue;
		if (!in_hmerge(x, lo, hi, c))
			return 0;
		any = 1;
	}
	return any;
}

/* The header row(s) from hrow[0], flattened into x->hdr. */
static int
read_header(struct wz_xlsx *x)
{
	struct xrow *h0 = &x->hrow[0];
	unsigned long h = h0->num, d = 1, k, c, W = 0, fills = 0;
	size_t lo, hi, lo2, hi2, i, n, cells;
	const char **grid;
	size_t *glen;
	struct wz_buf name = { 0 };
	int rc, bad = h0->bad;

	merges_at(x, h, &lo, &hi);
	for (i = lo; i < hi; i++)
		if (x->mg[i].bottom - h + 1 > d)
			d = x->mg[i].bottom - h + 1;
	if (d > WZ_XLSX_HEADER_ROWS)
		d = WZ_XLSX_HEADER_ROWS;
	for (k = 1; k < WZ_XLSX_HEADER_ROWS; k++)
		xrow_reset(&x->hrow[k], 0);
	/* The rows below it that the header takes, and one more. */
	for (;;) {
		if ((rc = scan_row(x, &x->ahead)) == -1)
			return -1;
		x->have_ahead = rc == 1;
		if (rc == 0 || x->ahead.num >= h + d)
			break;
		xrow_swap(&x->hrow[x->ahead.num - h], &x->ahead);
		x->have_ahead = 0;
	}
	if (d == 1 && x->have_ahead && subheads(x, h0, &x->ahead, lo, hi)) {
		d = 2;
		xrow_swap(&x->hrow[1], &x->ahead);
		x->have_ahead = 0;
	}
	/* Its width: the values, and the merges of values. */
	for (k = 0; k < d; k++) {
		if (xrow_last(&x->hrow[k]) > W)
			W = xrow_last(&x->hrow[k]);
		if (x->hrow[k].reach > W)
			W = x->hrow[k].reach;
		if (x->hrow[k].bad && !bad)
			bad = x->hrow[k].bad;
	}
	merges_at(x, h, &lo, &hi2);
	merges_at(x, h + d - 1, &lo2, &hi2);
	for (i = lo; i < hi2; i++) {
		const struct merge *m = &x->mg[i];

		xrow_get(&x->hrow[m->top - h], m->left, &n);
		if (n > 0 && m->right > W)
			W = m->right;
	}
	if (W > x->o.max_cols) {
		xrow_reset(&x->hdr, h);
		x->hdr.bad = WZ_XLSX_COLS;
		x->hdr.reach = W;
		emit(x, &x->hdr, 0, h);
		return 0;
	}
	/* A grid of the header's cells, merged values spread over their
	 * ranges; overlapping ranges would spread more than once. */
	cells = (size_t)d * W;
	grid = wz_calloc(cells + 1, sizeof(*grid));
	glen = wz_calloc(cells + 1, sizeof(*glen));
	for (k = 0; k < d; k++)
		for (c = 1; c <= W; c++)
			grid[k * W + c - 1] = xrow_get(&x->hrow[k], c,
			    &glen[k * W + c - 1]);
	for (i = lo; i < hi2 && fills <= cells; i++) {
		const struct merge *m = &x->mg[i];
		const char *v;
		unsigned long r;

		v = xrow_get(&x->hrow[m->top - h], m->left, &n);
		for (r = m->top; r <= m->bottom && r < h + d; r++)
			for (c = m->left; c <= m->right && c <= W; c++) {
				grid[(r - h) * W + c - 1] = v;
				glen[(r - h) * W + c - 1] = n;
				fills++;
			}
	}
	if (fills > cells) {
		free(grid);
		free(glen);
		xerr(x, h, "the header's merged ranges overlap");
		return -1;
	}
	/* Each column: its cells top to bottom, joined with "/". */
	xrow_reset(&x->hdr, h);
	for (c = 1; c <= W; c++) {
		const char *prev = NULL;
		size_t prevn = 0;

		wz_buf_reset(&name);
		for (k = 0; k < d; k++) {
			const char *v = grid[k * W + c - 1];

			n = glen[k * W + c - 1];
			if (n == 0 || (prev != NULL && prevn == n &&
			    memcmp(prev, v, n) == 0))
				continue;
			if (name.len > 0)
				wz_buf_addc(&name, '/');
			wz_buf_add(&name, v, n);
			prev = v;
			prevn = n;
		}
		xrow_put(x, &x->hdr, c, name.s, name.len);
	}
	wz_buf_free(&name);
	free(grid);
	free(glen);
	if (bad && !x->hdr.bad)
		x->hdr.bad = bad;
	x->width = W;
	emit(x, &x->hdr, W, h);
	return 0;
}

/* Merged ranges that reach down into data row w: spread their values. */
static int
fill_down(struct wz_xlsx *x, struct xrow *w)
{
	size_t i, j, n;
	const char *v;

	/* Ranges that have ended. */
	for (i = j = 0; i < x->nact; i++) {
		if (x->mg[x->act[i].m].bottom < w->num)
			free(x->act[i].val);
		else
			x->act[j++] = x->act[i];
	}
	x->nact = j;
	for (i = 0; i < x->nact; i++) {
		const struct merge *m = &x->mg[x->act[i].m];

		xrow_get(w, m->left, &n);
		if (n == 0)
			xrow_put(x, w, m->left, x->act[i].val, x->act[i].vlen);
	}
	/* Ranges that start here, with a value, down over later rows.
	 * Those starting above were in rows not read as data. */
	for (; x->mnext < x->nmg && x->mg[x->mnext].top <= w->num; x->mnext++) {
		const struct merge *m = &x->mg[x->mnext];

		if (m->top != w->num || m->bottom == m->top)
			continue;
		v = xrow_get(w, m->left, &n);
		if (n == 0)
			continue;
		if (x->nact >= x->o.max_cols) {
			xerr(x, w->num, "merged ranges overlap in row %lu",
			    w->num);
			return -1;
		}
		if (x->nact == x->capact) {
			x->capact = x->capact ? x->capact * 2 : 16;
			x->act = wz_reallocarray(x->act, x->capact,
			    sizeof(*x->act));
		}
		x->act[x->nact].m = x->mnext;
		x->act[x->nact].val = wz_strndup(v, n);
		x->act[x->nact++].vlen = n;
	}
	return 0;
}

static int
next_data(struct wz_xlsx *x, struct wz_xlsx_row **row)
{
	size_t last;
	int rc;

	for (;;) {
		if (x->have_ahead) {
			xrow_swap(&x->cur, &x->ahead);
			x->have_ahead = 0;
		} else if ((rc = scan_row(x, &x->cur)) != 1) {
			x->state = ST_DONE;
			return rc == 0 ? WZ_EOF : WZ_FATAL;
		}
		if (x->cur.nonblank)
			break;
	}
	if (fill_down(x, &x->cur) == -1)
		return WZ_FATAL;
	last = xrow_last(&x->cur);
	emit(x, &x->cur, last > x->width ? last : x->width, x->cur.num);
	*row = &x->out;
	return WZ_ROW;
}

int
wz_xlsx_next(struct wz_xlsx *x, struct wz_xlsx_row **row)
{
	int rc;

	if (x->fatal)
		return WZ_FATAL;
	if (x->state == ST_DONE)
		return WZ_EOF;
	if (x->state == ST_DATA0) {
		x->state = ST_DATA;
		if ((rc = first_row(x, &x->hrow[0])) != 1) {
			x->state = ST_DONE;
			return rc == 0 ? WZ_EOF : WZ_FATAL;
		}
		if (x->o.no_header) {
			x->width = xrow_last(&x->hrow[0]);
			xrow_swap(&x->hrow[0], &x->ahead);
			x->have_ahead = 1;
		} else {
			if (read_header(x) == -1)
				return WZ_FATAL;
			*row = &x->out;
			return WZ_ROW;
		}
	}
	rc = next_data(x, row);
	return x->fatal ? WZ_FATAL : rc;
}
