/*
 * wz_xlsx.h - the .xlsx reader of the stream layer (Office Open XML
 * workbooks, on libzip and expat).
 *
 * wz_csv's reader hands a file to this one when it starts with a zip
 * local header ("PK\3\4"), so programs read workbooks exactly as they
 * read CSV: the rows come out as records, `line` is the sheet's row
 * number, and the same checks (ragged rows, limits) apply.  Programs do
 * not call this interface; tests and the glue in wz_csv.c do.
 *
 * What a sheet reads as:
 *
 *  - The sheet: the first visible worksheet, or `sheet`: a sheet name
 *    (exact, then ignoring ASCII case), else a number N counting the
 *    sheets in the workbook's order, hidden ones included.
 *  - Cells: shared and inline strings (rich-text runs joined, phonetic
 *    runs left out, _xHHHH_ escapes decoded); numbers as Excel's General
 *    format shows them (integers without ".0", else 15 significant
 *    digits: 0.1+0.2 is 0.3, 1e20 is 1E+20); booleans TRUE and FALSE;
 *    errors as shown (#N/A); formulas by their cached value.
 *  - Dates: a number whose cell format is a date format (built-in
 *    formats 14-17 and 22, the Chinese built-ins 27-31, 36, 50-54, 57
 *    and 58, and custom formats with y, d, or m without h or s) is
 *    written YYYY-MM-DD, in the 1900 or 1904 system as workbook.xml
 *    says; date-and-time formats (22, or y/m/d with h/s) add " HH:MM:SS";
 *    time formats (18-21, 32-35, 45-47, 55, 56, h/s without y/d) give
 *    HH:MM:SS, with [h] elapsed hours past 24.  A serial that is no date
 *    (negative, 1900-02-29, after 9999) stays a number.
 *  - Sparse rows: a missing cell is an empty field, so <c r="C5"> after
 *    <c r="A5"> gives A5, "", C5.  Rows with no cells, or only empty
 *    ones, are skipped like blank lines in CSV; trailing empty cells are
 *    dropped and short rows are filled with empty fields to the header's
 *    width, so that only a row with a value right of the header is
 *    ragged.
 *  - skip: sheet rows 1..skip are skipped whatever they hold (a title,
 *    a blank row); the header is the first non-blank row after them.
 *  - Merged cells in the header: a merged cell's value fills every cell
 *    it covers.  When a merged cell of the header row reaches down into
 *    the rows below (序号 merged over two rows), or a cell merged across
 *    several columns has sub-headings under it and nothing else is in
 *    that row, the header is those rows (at most WZ_XLSX_HEADER_ROWS).
 *    Each column's name is its cells from top to bottom joined with "/",
 *    a value repeated by a vertical merge counted once: 任职时间 merged
 *    over 起 and 止 gives 任职时间/起 and 任职时间/止, 序号 merged over
 *    both rows gives 序号.
 *  - Merged cells in the data: a cell merged down over several rows
 *    (one 单位 for five people) gives its value to each of those rows in
 *    its first column, unless the row has nothing else; cells merged
 *    across columns are left as the file has them (the value in the
 *    first column).
 *
 * Limits (a hostile file must not exhaust memory): the bytes inflated
 * from the zip are counted as they come out of the decompressor and
 * reading stops past max_inflate (the zip's declared sizes are never
 * used); only stored and deflated members are read; a DOCTYPE is
 * refused (no entity expansion); a cell past max_cols, a value past
 * max_field or a row past max_row makes that row bad without storing
 * more of it.  Memory is a few rows, the header rows, the merged ranges
 * and the shared strings (which must be held: about the inflated size
 * of sharedStrings.xml).  A workbook on a pipe is read into memory
 * first (at most max_inflate bytes); a file is read in place.
 */
#ifndef WZ_XLSX_H
#define WZ_XLSX_H

#include <stddef.h>

#define WZ_MAX_XLSX_DEFAULT	((size_t)256 << 20)	/* 256 MiB */
#define WZ_XLSX_HEADER_ROWS	4
#define WZ_XLSX_MAX_MERGES	1000000

struct wz_xlsx_opts {
	const char	*sheet;		/* name or number; NULL: the first */
	size_t		 max_inflate;	/* 0: WZ_MAX_XLSX_DEFAULT */
	size_t		 max_field;	/* these three must be set */
	size_t		 max_row;
	size_t		 max_cols;
	unsigned long	 skip;		/* sheet rows above the header */
	int		 no_header;
};

/* Why a row is bad; the glue turns these into the CSV reader's codes. */
enum {
	WZ_XLSX_OK = 0,
	WZ_XLSX_COLS,		/* a cell right of max_cols */
	WZ_XLSX_FIELD,		/* a value longer than max_field */
	WZ_XLSX_ROWSIZE		/* more than max_row bytes */
};

struct wz_xlsx_row {
	size_t		 n;		/* fields (none past a limit) */
	const char	**f;		/* NUL-terminated, borrowed */
	const size_t	*len;
	unsigned long	 line;		/* the sheet row (a header's first) */
	size_t		 ncols;		/* columns it reaches, even past max_cols */
	int		 bad;		/* WZ_XLSX_* */
};

struct wz_xlsx;

/* Does p[0..n) start like a zip file (an .xlsx)? */
int	 wz_xlsx_sniff(const void *p, size_t n);

/*
 * Start reading a workbook from fd, whose first headn bytes (head) the
 * caller has already read.  A seekable fd is read in place from where
 * head began; otherwise the rest is read into memory.  The reader does
 * not close fd.  Never returns NULL: an unreadable workbook makes the
 * first wz_xlsx_next() return WZ_FATAL with the reason.
 */
struct wz_xlsx *wz_xlsx_open(int fd, const void *head, size_t headn,
	    const struct wz_xlsx_opts *o);

/*
 * The next record: the header first (unless no_header), then the data
 * rows.  Returns WZ_ROW (wz_csv.h) with *row borrowed until the next
 * call, WZ_EOF, or WZ_FATAL.
 */
int	 wz_xlsx_next(struct wz_xlsx *x, struct wz_xlsx_row **row);

/* After WZ_FATAL: why, the sheet row it concerns (0: none), and the
 * exit status it calls for (EX_DATAERR or EX_IOERR). */
const char *wz_xlsx_error(const struct wz_xlsx *x);
unsigned long wz_xlsx_errline(const struct wz_xlsx *x);
int	 wz_xlsx_errstatus(const struct wz_xlsx *x);
/* The last sheet row read so far. */
unsigned long wz_xlsx_lastrow(const struct wz_xlsx *x);
void	 wz_xlsx_close(struct wz_xlsx *x);

/* ---- Pieces exported for the unit tests. ---- */

/* A number as Excel's General format shows it; out gets at most 32
 * bytes; returns the length. */
size_t	 wz_xlsx_general(double v, char out[32]);

/* What a number format shows: a plain number, a date, a date and a
 * time, a time of day, elapsed time. */
enum wz_xlsx_kind {
	WZ_XK_NUMBER, WZ_XK_DATE, WZ_XK_DATETIME, WZ_XK_TIME, WZ_XK_ELAPSED
};
/* By a format code (custom formats), and by a built-in format id when
 * the workbook defines no code for it. */
enum wz_xlsx_kind wz_xlsx_fmt_kind(const char *code);
enum wz_xlsx_kind wz_xlsx_builtin_kind(unsigned long id);

/*
 * A serial shown in a format of kind k, 1904 system if date1904: the
 * ISO text into out (at most 32 bytes), or 0 when it is no date (then
 * the caller shows the number).
 */
size_t	 wz_xlsx_serial(double v, enum wz_xlsx_kind k, int date1904,
	    char out[32]);

/* "B5" -> column 2 and row 5; either may be NULL.  Returns 0, or -1
 * for a reference that is not one (column past XFD, row 0). */
int	 wz_xlsx_ref(const char *s, unsigned long *col, unsigned long *row);

#endif
