/*
 * wz_xlsxw.h - writing .xlsx workbooks, on libxlsxwriter, for reports.
 *
 * A workbook is a series of sheets, each a table: a bold header row that
 * stays in view when the table scrolls (frozen) and carries a filter,
 * then the rows.  Cells are given as text with a kind per column: text
 * stays text (a cell that starts with = is a string, never a formula),
 * a number column writes numbers, a date column writes YYYY-MM-DD as a
 * date cell shown yyyy-mm-dd; a cell that is not what its column says
 * is written as text.  Each column is as wide as its longest cell, CJK
 * characters counting two, within 6 .. 60 characters.
 *
 * libxlsxwriter writes the file at wz_xlsxw_close(); errors before that
 * are kept and reported there.
 */
#ifndef WZ_XLSXW_H
#define WZ_XLSXW_H

#include <stddef.h>

enum wz_xlsxw_kind { WZ_XW_TEXT, WZ_XW_NUMBER, WZ_XW_DATE };

struct wz_xlsxw;

/*
 * Start a workbook to be written to path; title and comments (may be
 * NULL) go into its document properties.  Returns NULL after a message
 * if it cannot be started.
 */
struct wz_xlsxw *wz_xlsxw_open(const char *path, const char *title,
	    const char *comments);
/*
 * Start a sheet (at most 31 characters, unique; [ ] : * ? / \ are
 * replaced) with ncols columns: their headings and kinds, copied.
 */
void	 wz_xlsxw_sheet(struct wz_xlsxw *w, const char *name, size_t ncols,
	    const char *const *heads, const enum wz_xlsxw_kind *kinds);
/* A row of the current sheet: ncols cells, NULL or "" for empty. */
void	 wz_xlsxw_row(struct wz_xlsxw *w, const char *const *cells);
/* A note on the sheet's first cell (why a table is empty). */
void	 wz_xlsxw_note(struct wz_xlsxw *w, const char *text);
/*
 * Write the file and free w.  Returns 0, or EX_CANTCREAT / EX_IOERR
 * after a message naming the file.
 */
int	 wz_xlsxw_close(struct wz_xlsxw *w);


#endif
