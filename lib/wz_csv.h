/*
 * wz_csv.h - the stream layer: CSV (RFC 4180, on libcsv) and TSV readers
 * and writers with a header row, encodings, limits and line numbers.
 *
 * The reader hands out one record at a time.  Every record carries the
 * physical line it starts on, so a program can say "prog: FILE:LINE: why".
 * Nothing is dropped silently: a record the reader cannot accept (ragged,
 * too large) is returned as WZ_BAD with its fields and a message, and an
 * error that leaves the rest of the file unreadable (broken quoting,
 * invalid UTF-8, I/O) is WZ_FATAL, after every good record before it.
 *
 * A file that starts with a zip header ("PK\3\4", whatever its name) is
 * read as an .xlsx workbook through wz_xlsx.h: one sheet's rows come out
 * as records, `line` is the sheet's row number, and the checks below
 * apply to them as to CSV; encoding and TSV options do not concern it.
 *
 * This layer knows nothing of rules: a caller that wants header aliases
 * passes its own table (struct wz_aliases).
 */
#ifndef WZ_CSV_H
#define WZ_CSV_H

#include <stddef.h>

#include "wz_base.h"

#define WZ_MAX_FIELD_DEFAULT	((size_t)8 << 20)	/* 8 MiB */
#define WZ_MAX_ROW_DEFAULT	((size_t)32 << 20)	/* 32 MiB */
#define WZ_MAX_COLS_DEFAULT	((size_t)10000)

struct wz_ropts {
	int		 tsv;		/* TSV with \t \n \r \\ escapes */
	int		 no_header;	/* columns are named 1, 2, ... */
	unsigned long	 skip;		/* records above the header */
	const char	*encoding;	/* NULL/"UTF-8", "GB18030", "GBK" */
	size_t		 max_field;	/* 0: default */
	size_t		 max_row;	/* bytes in one record; 0: default */
	size_t		 max_cols;	/* 0: default */
	const char	*sheet;		/* .xlsx: sheet name or number; NULL:
					   the first visible worksheet */
	size_t		 max_xlsx;	/* .xlsx: bytes inflated; 0: default */
};

struct wz_row {
	size_t		 n;		/* number of fields */
	char		**f;		/* NUL-terminated fields */
	size_t		*len;		/* their lengths in bytes */
	unsigned long	 line;		/* first physical line, 1-based */
	unsigned long	 lines;		/* physical lines it spans */
	unsigned long	 recno;		/* 1 = first record after the header */
	int		 blank;		/* every field is empty */
	/*
	 * The reader's word on each field: nonzero if it holds none of
	 * , " \\ TAB CR LF, so a writer copies it as it is.  NULL (any row
	 * built elsewhere) means unknown: the writer looks for itself.
	 */
	const unsigned char *plain;
	/*
	 * Nonzero (from the reader) if every field is plain and each lies
	 * right after the one before and its NUL, so that the fields are
	 * one span of bytes.  0: not known (a writer looks).  A row made
	 * elsewhere leaves it 0.
	 */
	int		 span;
};

enum {
	WZ_FATAL = -2,	/* stop: wz_reader_error() says why */
	WZ_BAD = -1,	/* this record is rejected; the next may be read */
	WZ_EOF = 0,
	WZ_ROW = 1
};

struct wz_reader;

/*
 * Open path ("-" or NULL is standard input) for reading.  On failure
 * returns NULL with errno set (EINVAL for an unknown encoding); the caller
 * reports and exits EX_NOINPUT.  The options are copied.
 */
struct wz_reader *wz_reader_open(const char *path, const struct wz_ropts *o);

/* Read from an open descriptor; name is used in messages.  The reader
 * does not close fd. */
struct wz_reader *wz_reader_fdopen(int fd, const char *name,
    const struct wz_ropts *o);

/*
 * The header row, read on first use.  Returns WZ_ROW, or WZ_FATAL for an
 * empty file or an unreadable header.  The row stays valid until
 * wz_reader_close().
 */
int	 wz_reader_header(struct wz_reader *r, const struct wz_row **hdr);

/*
 * The next record: WZ_ROW, WZ_BAD (ragged or over a limit: *row holds what
 * was read, wz_reader_error() says why), WZ_EOF or WZ_FATAL.  The row is
 * borrowed until the next call.  Reads the header first if needed.
 */
int	 wz_reader_next(struct wz_reader *r, const struct wz_row **row);

/* The message for the last WZ_BAD or WZ_FATAL, without prefix, and the
 * line it concerns. */
const char *wz_reader_error(const struct wz_reader *r);
unsigned long wz_reader_errline(const struct wz_reader *r);
/* The exit status a WZ_FATAL calls for: EX_DATAERR or EX_IOERR. */
int	 wz_reader_errstatus(const struct wz_reader *r);
/* The name used in messages ("-" is shown as "<stdin>"). */
const char *wz_reader_name(const struct wz_reader *r);
/* Physical lines consumed so far. */
unsigned long wz_reader_lines(const struct wz_reader *r);
void	 wz_reader_close(struct wz_reader *r);
/* Read at most n bytes at a time (8 .. 64K); for tests that cut the
 * input inside quotes and multibyte characters. */
void	 wz_reader_set_chunk(struct wz_reader *r, size_t n);
/* For tests: with on = 0, every byte goes through libcsv, not only the
 * lines that hold a quote (the reference the fast split is checked
 * against). */
void	 wz_reader_set_split(struct wz_reader *r, int on);
/* For tests: the UTF-8 check the reader makes of a chunk, which must
 * answer as wz_utf8_check_lines() does. */
size_t	 wz_reader_utf8_check(const unsigned char *s, size_t n, int *why,
	    unsigned long *nl, size_t *since);

/*
 * Header aliases: a table of (field, header) pairs that the caller owns
 * (the rules layer loads rules/headers.yaml into one).  Headers are
 * compared after normalisation (NFKC, traditional to simplified,
 * whitespace and a trailing colon removed).
 */
struct wz_alias {
	const char	*field;
	const char	*header;
};
struct wz_aliases {
	size_t		 n;
	const struct wz_alias *v;
};

/*
 * Column lookup.  wz_col_find: the column whose header equals name
 * (normalised), -1 if none, -2 if several.  wz_col_lookup: name itself,
 * else the aliases of field `name` in the table; fills idx (up to max)
 * with every matching column and returns how many matched.
 */
int	 wz_col_find(const struct wz_row *hdr, const char *name);
size_t	 wz_col_lookup(const struct wz_row *hdr, const char *name,
	    const struct wz_aliases *al, int *idx, size_t max);
/* Canonical form of a header name; the caller frees. */
char	*wz_header_norm(const char *s, size_t n);

/* Writer. */
struct wz_wopts {
	int		 tsv;
	int		 bom;		/* --excel: UTF-8 BOM first */
	const char	*encoding;	/* NULL/"UTF-8", "GB18030", "GBK" */
	int		 excel_safe;	/* neutralise = + - @ \t \r at start */
};

struct wz_writer;

/* Write to fd (not closed by the writer); name is used in messages.
 * Returns NULL with errno EINVAL for an unknown encoding. */
struct wz_writer *wz_writer_new(int fd, const char *name,
    const struct wz_wopts *o);
void	 wz_writer_field(struct wz_writer *w, const char *s, size_t n);
void	 wz_writer_fieldz(struct wz_writer *w, const char *s);
void	 wz_writer_endrow(struct wz_writer *w);
/* All fields of a row, then end it. */
void	 wz_writer_row(struct wz_writer *w, const struct wz_row *r);
/* All fields of a row without ending it (a filter appends its own). */
void	 wz_writer_fields(struct wz_writer *w, const struct wz_row *r);
/*
 * The header of a filter's output: the input's names, then the filter's
 * own columns, its label columns when zh is not NULL (--labels zh), and
 * "explain" when asked.  cols and zh end with NULL.
 */
void	 wz_writer_filter_header(struct wz_writer *w, const struct wz_row *hdr,
	    const char *const *cols, const char *const *zh, int explain);
/*
 * A row's fields encoded once, for a filter that writes them in front of
 * several output rows (one per citation, one per liable person): encode
 * with wz_writer_encode(), then wz_writer_put() does what
 * wz_writer_fields() would, as one copy.  e starts zeroed; free e->b.
 */
struct wz_enc {
	struct wz_buf	 b;
	size_t		 nf;
	int		 bomstart;	/* the first field begins with U+FEFF */
};
void	 wz_writer_encode(const struct wz_writer *w, const struct wz_row *r,
	    struct wz_enc *e);
void	 wz_writer_put(struct wz_writer *w, const struct wz_enc *e);
/*
 * The same for any fields: n fields encoded into out (separated, without
 * a leading separator), and nf fields so encoded appended to the row.
 * wz_writer_raw() is not for the first field of a file (it does not
 * guard a leading U+FEFF): a header row comes first.
 */
void	 wz_writer_encode_fields(const struct wz_writer *w, const char *const *f,
	    const size_t *len, size_t n, struct wz_buf *out);
void	 wz_writer_raw(struct wz_writer *w, const char *s, size_t n,
	    size_t nf);
/*
 * Fields the caller writes itself, straight into the row: fields it
 * knows to be plain (struct wz_row), which go as they are.  The room
 * returned has n bytes, after the separator a field before them needs;
 * the caller separates its own fields with *sep, then hands back where
 * it ended and how many fields it wrote.  NULL (write them otherwise)
 * before the first field of the output, and with --excel-safe, which
 * looks at every field.
 */
char	*wz_writer_room(struct wz_writer *w, size_t n, char *sep);
void	 wz_writer_filled(struct wz_writer *w, char *end, size_t nf);

/*
 * A row whose fields are one span (struct wz_row's span): its bytes as
 * written (n fields, n > 0), and the span put at o, a copy with sep over
 * the NULs between its fields; returns the end.
 */
static inline size_t
wz_span_len(const struct wz_row *r)
{
	return (size_t)(r->f[r->n - 1] - r->f[0]) + r->len[r->n - 1];
}

static inline char *
wz_span_put(char *o, const struct wz_row *r, char sep)
{
	size_t i, n = wz_span_len(r);

	memcpy(o, r->f[0], n);
	for (i = 1; i < r->n; i++)	/* the NUL before each field */
		o[r->f[i] - r->f[0] - 1] = sep;
	return o + n;
}
/*
 * A row's pieces written at once, then the row ended (after a header row,
 * as wz_writer_raw()): each piece either nf fields encoded already (raw,
 * as wz_writer_raw() takes them), or with nf 0 one field to encode (as
 * wz_writer_field() does).  One reservation for the whole row.
 */
struct wz_piece {
	const char	*s;
	size_t		 n;
	size_t		 nf;		/* 0: a field to encode */
};
void	 wz_writer_pieces(struct wz_writer *w, const struct wz_piece *p,
	    size_t n);
/*
 * Flush buffered rows.  A closed pipe (EPIPE) ends the program quietly
 * with status 0; another write error is reported and returns -1.
 */
int	 wz_writer_flush(struct wz_writer *w);
/* Flush and free; 0 or EX_IOERR. */
int	 wz_writer_close(struct wz_writer *w);

#endif
