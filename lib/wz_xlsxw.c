/* wz_xlsxw.c - writing .xlsx workbooks; see wz_xlsxw.h. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xlsxwriter.h>

#include "wz_base.h"
#include "wz_text.h"
#include "wz_xlsxw.h"

#define MIN_WIDTH	6
#define MAX_WIDTH	60

struct wz_xlsxw {
	lxw_workbook	*wb;
	lxw_worksheet	*ws;
	lxw_format	*head, *date;
	char		*path;
	size_t		 ncols;
	enum wz_xlsxw_kind *kind;
	size_t		*width;
	lxw_row_t	 row;
	lxw_error	 err;		/* the first error */
	int		 nsheets;
	char		**names;	/* sheet names used */
};

static void
keep(struct wz_xlsxw *w, lxw_error e)
{
	if (e != LXW_NO_ERROR && w->err == LXW_NO_ERROR)
		w->err = e;
}

struct wz_xlsxw *
wz_xlsxw_open(const char *path, const char *title, const char *comments)
{
	struct wz_xlsxw *w;
	lxw_doc_properties props;
	FILE *fp;

	/* libxlsxwriter says why only at the end: try the file first. */
	if ((fp = fopen(path, "ab")) == NULL) {
		wz_sysmsg(path, "cannot create");
		return NULL;
	}
	fclose(fp);
	w = wz_calloc(1, sizeof(*w));
	if ((w->wb = workbook_new(path)) == NULL) {
		wz_msg(path, 0, "cannot start a workbook");
		free(w);
		return NULL;
	}
	w->path = wz_strdup(path);
	memset(&props, 0, sizeof(props));
	props.title = (char *)(uintptr_t)title;
	props.comments = (char *)(uintptr_t)comments;
	props.author = (char *)(uintptr_t)"wenze";
	keep(w, workbook_set_properties(w->wb, &props));
	w->head = workbook_add_format(w->wb);
	format_set_bold(w->head);
	format_set_bottom(w->head, LXW_BORDER_THIN);
	format_set_bg_color(w->head, 0xEEEEEE);
	w->date = workbook_add_format(w->wb);
	format_set_num_format(w->date, "yyyy-mm-dd");
	return w;
}

/* Set the widths of the sheet that ends; a filter over its rows. */
static void
sheet_end(struct wz_xlsxw *w)
{
	size_t j, cw;

	if (w->ws == NULL)
		return;
	for (j = 0; j < w->ncols; j++) {
		cw = w->width[j] + 2;
		if (cw < MIN_WIDTH)
			cw = MIN_WIDTH;
		if (cw > MAX_WIDTH)
			cw = MAX_WIDTH;
		keep(w, worksheet_set_column(w->ws, (lxw_col_t)j,
		    (lxw_col_t)j, (double)cw, NULL));
	}
	if (w->ncols > 0)
		keep(w, worksheet_autofilter(w->ws, 0, 0, w->row > 0 ?
		    w->row - 1 : 0, (lxw_col_t)(w->ncols - 1)));
}

void
wz_xlsxw_sheet(struct wz_xlsxw *w, const char *name, size_t ncols,
    const char *const *heads, const enum wz_xlsxw_kind *kinds)
{
	char nm[128], *p;
	size_t j, n;
	int k, dup;

	sheet_end(w);
	/* At most 31 characters, none of []:*?/\, not twice. */
	snprintf(nm, sizeof(nm), "%s", name);
	for (p = nm; *p != '\0'; p++)
		if (strchr("[]:*?/\\", *p) != NULL)
			*p = '_';
	for (n = 0, p = nm; *p != '\0' && n < 31; n++) {
		uint32_t cp;
		size_t l = wz_utf8_decode((unsigned char *)p, strlen(p), &cp);

		p += l > 0 ? l : 1;
	}
	*p = '\0';
	for (k = 2, dup = 1; dup; k++) {
		dup = 0;
		for (j = 0; j < (size_t)w->nsheets; j++)
			if (strcmp(w->names[j], nm) == 0)
				dup = 1;
		if (dup)
			snprintf(p, sizeof(nm) - (size_t)(p - nm), "%d", k);
	}
	w->names = wz_reallocarray(w->names, (size_t)w->nsheets + 1,
	    sizeof(*w->names));
	w->names[w->nsheets++] = wz_strdup(nm);
	w->ws = workbook_add_worksheet(w->wb, nm);
	if (w->ws == NULL) {
		keep(w, LXW_ERROR_SHEETNAME_ALREADY_USED);
		return;
	}
	free(w->kind);
	free(w->width);
	w->ncols = ncols;
	w->kind = wz_calloc(ncols + 1, sizeof(*w->kind));
	w->width = wz_calloc(ncols + 1, sizeof(*w->width));
	for (j = 0; j < ncols; j++) {
		w->kind[j] = kinds != NULL ? kinds[j] : WZ_XW_TEXT;
		keep(w, worksheet_write_string(w->ws, 0, (lxw_col_t)j,
		    heads[j], w->head));
		w->width[j] = wz_display_width(heads[j]);
		if (w->kind[j] == WZ_XW_DATE && w->width[j] < 10)
			w->width[j] = 10;
	}
	worksheet_freeze_panes(w->ws, 1, 0);
	w->row = 1;
}

/* A number as a report writes one: digits, a sign, one point. */
static int
number(const char *s, double *v)
{
	char *end;

	if (*s == '\0' || strspn(s, "+-0123456789.") != strlen(s))
		return 0;
	errno = 0;
	*v = strtod(s, &end);
	return *end == '\0' && errno == 0;
}

static int
iso_date(const char *s, lxw_datetime *dt)
{
	int y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    strspn(s, "0123456789-") != 10 ||
	    sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return 0;
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > 31)
		return 0;
	memset(dt, 0, sizeof(*dt));
	dt->year = y;
	dt->month = m;
	dt->day = d;
	return 1;
}

void
wz_xlsxw_row(struct wz_xlsxw *w, const char *const *cells)
{
	lxw_datetime dt;
	size_t j, cw;
	double v;
	lxw_col_t c;

	if (w->ws == NULL)
		return;
	for (j = 0; j < w->ncols; j++) {
		const char *s = cells[j] != NULL ? cells[j] : "";

		if (*s == '\0')
			continue;
		c = (lxw_col_t)j;
		if (w->kind[j] == WZ_XW_NUMBER && number(s, &v))
			keep(w, worksheet_write_number(w->ws, w->row, c, v,
			    NULL));
		else if (w->kind[j] == WZ_XW_DATE && iso_date(s, &dt))
			keep(w, worksheet_write_datetime(w->ws, w->row, c,
			    &dt, w->date));
		else
			keep(w, worksheet_write_string(w->ws, w->row, c, s,
			    NULL));
		if ((cw = wz_display_width(s)) > w->width[j])
			w->width[j] = cw;
	}
	w->row++;
}

void
wz_xlsxw_note(struct wz_xlsxw *w, const char *text)
{
	if (w->ws != NULL)
		keep(w, worksheet_write_comment(w->ws, 0, 0, text));
}

int
wz_xlsxw_close(struct wz_xlsxw *w)
{
	lxw_error e;
	int st = 0, i;

	if (w == NULL)
		return 0;
	sheet_end(w);
	e = workbook_close(w->wb);
	if (w->err != LXW_NO_ERROR) {
		wz_msg(w->path, 0, "%s", lxw_strerror(w->err));
		st = EX_SOFTWARE;
	}
	if (e != LXW_NO_ERROR) {
		wz_msg(w->path, 0, "cannot write the workbook: %s",
		    lxw_strerror(e));
		st = e == LXW_ERROR_CREATING_XLSX_FILE ? EX_CANTCREAT :
		    EX_IOERR;
	}
	for (i = 0; i < w->nsheets; i++)
		free(w->names[i]);
	free(w->names);
	free(w->kind);
	free(w->width);
	free(w->path);
	free(w);
	return st;
}
