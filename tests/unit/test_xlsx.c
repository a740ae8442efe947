/*
 * Unit tests of the .xlsx reader (wz_xlsx, through wz_csv's reader) and
 * writer (wz_xlsxw).  The workbooks are those committed in
 * tests/data/xlsx/ (see its README); the tests run from the top of the
 * tree, as make unit runs them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "wz_base.h"
#include "wz_csv.h"
#include "wz_xlsx.h"
#include "wz_text.h"
#include "wz_xlsxw.h"

#define DATA "tests/data/xlsx/"

static char *
slurp(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long len;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	buf = wz_malloc((size_t)len + 1);
	assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	*n = (size_t)len;
	return buf;
}

/* Write p[0..n) to a temporary file open at offset 0. */
static int
tmpfd(const void *p, size_t n)
{
	char path[] = "/tmp/wz-xlsx-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	if (n > 0)
		assert_int_equal(write(fd, p, n), (ssize_t)n);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* A pipe that a child fills with p[0..n); the caller reads the end. */
static int
pipefd(const void *p, size_t n, pid_t *pid)
{
	int fds[2];

	assert_int_equal(pipe(fds), 0);
	*pid = fork();
	assert_true(*pid >= 0);
	if (*pid == 0) {
		close(fds[0]);
		/* Small writes, so the reader sees short reads. */
		for (size_t i = 0; i < n; i += 3)
			if (write(fds[1], (const char *)p + i, n - i < 3 ?
			    n - i : 3) == -1)
				_exit(1);
		_exit(0);
	}
	close(fds[1]);
	return fds[0];
}

/*
 * Read everything from fd as CSV text: the header, then each row (a
 * rejected one as "!LINE: message").  *lines gets the rows' lines.
 */
static char *
read_all(int fd, const struct wz_ropts *ro, size_t chunk, int *last,
    unsigned long *lines, size_t maxlines)
{
	struct wz_reader *r = wz_reader_fdopen(fd, "t", ro);
	const struct wz_row *row, *hdr;
	struct wz_buf b = { 0 };
	size_t i, k = 0;
	int rc;

	assert_non_null(r);
	if (chunk > 0)
		wz_reader_set_chunk(r, chunk);
	if ((rc = wz_reader_header(r, &hdr)) == WZ_ROW) {
		for (i = 0; i < hdr->n; i++)
			wz_buf_printf(&b, "%s%s", i ? "|" : "", hdr->f[i]);
		wz_buf_addc(&b, '\n');
		while ((rc = wz_reader_next(r, &row)) != WZ_EOF &&
		    rc != WZ_FATAL) {
			if (lines != NULL && k < maxlines)
				lines[k++] = row->line;
			if (rc == WZ_BAD) {
				wz_buf_printf(&b, "!%lu: %s\n",
				    wz_reader_errline(r), wz_reader_error(r));
				continue;
			}
			for (i = 0; i < row->n; i++)
				wz_buf_printf(&b, "%s%s", i ? "|" : "",
				    row->f[i]);
			wz_buf_addc(&b, '\n');
		}
	}
	if (rc == WZ_FATAL)
		wz_buf_printf(&b, "FATAL %lu: %s\n", wz_reader_errline(r),
		    wz_reader_error(r));
	if (last != NULL)
		*last = rc;
	wz_reader_close(r);
	wz_buf_addc(&b, '\0');
	return b.s;
}

static char *
read_file(const char *path, const struct wz_ropts *ro, size_t chunk,
    unsigned long *lines, size_t maxlines)
{
	size_t n;
	char *p = slurp(path, &n), *out;
	int fd = tmpfd(p, n);

	out = read_all(fd, ro, chunk, NULL, lines, maxlines);
	close(fd);
	free(p);
	return out;
}

static void
test_general(void **state)
{
	static const struct {
		double	 v;
		const char *s;
	} t[] = {
		{ 0, "0" }, { -0.0, "0" }, { 1, "1" }, { -7.25, "-7.25" },
		{ 0.1 + 0.2, "0.3" }, { 1e20, "1E+20" }, { 1e-7, "1E-07" },
		{ 123456789012345.0, "123456789012345" },
		{ 1e15, "1E+15" }, { 3.14159265358979, "3.14159265358979" },
		{ 2.5, "2.5" }, { 42795, "42795" }, { 0.5, "0.5" },
		{ 123456789012345678.0, "1.23456789012346E+17" },
	};
	char out[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		wz_xlsx_general(t[i].v, out);
		assert_string_equal(out, t[i].s);
	}
}

static void
test_formats(void **state)
{
	static const struct {
		const char *code;
		enum wz_xlsx_kind k;
	} t[] = {
		{ "General", WZ_XK_NUMBER }, { "0.00", WZ_XK_NUMBER },
		{ "@", WZ_XK_NUMBER }, { "0.00E+00", WZ_XK_NUMBER },
		{ "[Red]#,##0.00;[Blue](#,##0.00)", WZ_XK_NUMBER },
		{ "#,##0\" days\"", WZ_XK_NUMBER }, { "0\\d", WZ_XK_NUMBER },
		{ "yyyy-mm-dd", WZ_XK_DATE }, { "yyyy\\-mm\\-dd", WZ_XK_DATE },
		{ "yyyy\"年\"m\"月\"d\"日\"", WZ_XK_DATE },
		{ "yyyy年m月", WZ_XK_DATE }, { "mmm", WZ_XK_DATE },
		{ "[$-804]yyyy/m/d;@", WZ_XK_DATE }, { "DD/MM/YYYY", WZ_XK_DATE },
		{ "m/d/yy h:mm", WZ_XK_DATETIME },
		{ "yyyy-mm-dd hh:mm:ss", WZ_XK_DATETIME },
		{ "h:mm", WZ_XK_TIME }, { "mm:ss", WZ_XK_TIME },
		{ "h:mm AM/PM", WZ_XK_TIME }, { "hh:mm:ss\\ AM/PM", WZ_XK_TIME },
		{ "[h]:mm:ss", WZ_XK_ELAPSED }, { "[mm]:ss", WZ_XK_ELAPSED },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (wz_xlsx_fmt_kind(t[i].code) != t[i].k)
			fail_msg("format %s", t[i].code);
	}
	assert_int_equal(wz_xlsx_builtin_kind(0), WZ_XK_NUMBER);
	assert_int_equal(wz_xlsx_builtin_kind(14), WZ_XK_DATE);
	assert_int_equal(wz_xlsx_builtin_kind(17), WZ_XK_DATE);
	assert_int_equal(wz_xlsx_builtin_kind(20), WZ_XK_TIME);
	assert_int_equal(wz_xlsx_builtin_kind(22), WZ_XK_DATETIME);
	assert_int_equal(wz_xlsx_builtin_kind(31), WZ_XK_DATE);
	assert_int_equal(wz_xlsx_builtin_kind(45), WZ_XK_TIME);
	assert_int_equal(wz_xlsx_builtin_kind(46), WZ_XK_ELAPSED);
	assert_int_equal(wz_xlsx_builtin_kind(49), WZ_XK_NUMBER);
	assert_int_equal(wz_xlsx_builtin_kind(58), WZ_XK_DATE);
}

static void
test_serial(void **state)
{
	char out[32];

	(void)state;
	assert_int_not_equal(wz_xlsx_serial(43831, WZ_XK_DATE, 0, out), 0);
	assert_string_equal(out, "2020-01-01");
	assert_int_not_equal(wz_xlsx_serial(1, WZ_XK_DATE, 0, out), 0);
	assert_string_equal(out, "1900-01-01");
	/* 60 is Excel's 1900-02-29, a day that never was. */
	assert_int_equal(wz_xlsx_serial(60, WZ_XK_DATE, 0, out), 0);
	assert_int_not_equal(wz_xlsx_serial(61, WZ_XK_DATE, 0, out), 0);
	assert_string_equal(out, "1900-03-01");
	assert_int_equal(wz_xlsx_serial(-1, WZ_XK_DATE, 0, out), 0);
	assert_int_equal(wz_xlsx_serial(3e6, WZ_XK_DATE, 0, out), 0);
	assert_int_not_equal(wz_xlsx_serial(2958465, WZ_XK_DATE, 0, out), 0);
	assert_string_equal(out, "9999-12-31");
	assert_int_not_equal(wz_xlsx_serial(0, WZ_XK_DATE, 1, out), 0);
	assert_string_equal(out, "1904-01-01");
	assert_int_not_equal(wz_xlsx_serial(43831.5, WZ_XK_DATETIME, 0, out),
	    0);
	assert_string_equal(out, "2020-01-01 12:00:00");
	/* A hair before midnight rounds to the next day. */
	assert_int_not_equal(wz_xlsx_serial(43831.999999999, WZ_XK_DATETIME,
	    0, out), 0);
	assert_string_equal(out, "2020-01-02 00:00:00");
	assert_int_not_equal(wz_xlsx_serial(0.75, WZ_XK_TIME, 0, out), 0);
	assert_string_equal(out, "18:00:00");
	assert_int_not_equal(wz_xlsx_serial(2.25, WZ_XK_ELAPSED, 0, out), 0);
	assert_string_equal(out, "54:00:00");
	assert_int_equal(wz_xlsx_serial(5, WZ_XK_NUMBER, 0, out), 0);
}

static void
test_ref(void **state)
{
	unsigned long c, r;

	(void)state;
	assert_int_equal(wz_xlsx_ref("A1", &c, &r), 0);
	assert_int_equal(c, 1);
	assert_int_equal(r, 1);
	assert_int_equal(wz_xlsx_ref("AB12", &c, &r), 0);
	assert_int_equal(c, 28);
	assert_int_equal(r, 12);
	assert_int_equal(wz_xlsx_ref("XFD1048576", &c, &r), 0);
	assert_int_equal(c, 16384);
	assert_int_equal(r, 1048576);
	assert_int_equal(wz_xlsx_ref("XFE1", &c, &r), -1);
	assert_int_equal(wz_xlsx_ref("A0", &c, &r), -1);
	assert_int_equal(wz_xlsx_ref("1A", &c, &r), -1);
	assert_int_equal(wz_xlsx_ref("A", &c, &r), -1);
	assert_int_equal(wz_xlsx_ref("", &c, &r), -1);
	assert_int_equal(wz_xlsx_ref("AAAAAAAAAAAAAAAAAAAAAA1", &c, &r), -1);
	assert_int_equal(wz_xlsx_sniff("PK\003\004", 4), 1);
	assert_int_equal(wz_xlsx_sniff("PK\003", 3), 0);
	assert_int_equal(wz_xlsx_sniff("a,b\n", 4), 0);
}

static const char roster_want[] =
    "序号|姓名|工作单位|职务|任职时间/起|任职时间/止|是否党员|备注\n"
    "1|张三|县扶贫办|主任|2017-03-01|2019-06-30|TRUE|\n"
    "2|李四|平襄镇|党委书记|2016-08-15||TRUE|重点联系人\n"
    "3|王五|平襄镇|镇长|2018-01-01||FALSE|\n"
    "4|赵六|平襄镇|||||借调\n"
    "5|孙七|县财政局|副局长|2020-02-29|||=不是公式\n"
    "!11: record has 10 fields, the header has 8\n";

/* The roster at every read size: the probe, the header rows, the fill
 * down a merged unit, the sheet's row numbers as lines. */
static void
test_roster(void **state)
{
	struct wz_ropts ro = { .skip = 2 };
	unsigned long lines[8];
	size_t chunk;
	char *out;

	(void)state;
	for (chunk = 8; chunk <= 64; chunk += 7) {
		out = read_file(DATA "roster-lxw.xlsx", &ro, chunk, lines, 8);
		assert_string_equal(out, roster_want);
		assert_int_equal(lines[0], 5);
		assert_int_equal(lines[3], 8);
		assert_int_equal(lines[4], 10);
		assert_int_equal(lines[5], 11);
		free(out);
	}
}

/* A workbook on a pipe is read into memory, in short reads. */
static void
test_pipe(void **state)
{
	struct wz_ropts ro = { .skip = 2 };
	size_t n;
	char *p = slurp(DATA "roster-lxw.xlsx", &n), *out;
	pid_t pid;
	int fd = pipefd(p, n, &pid), st;

	(void)state;
	out = read_all(fd, &ro, 8, NULL, NULL, 0);
	assert_string_equal(out, roster_want);
	free(out);
	close(fd);
	waitpid(pid, &st, 0);
	/* Over --max-xlsx: the pipe is not read to its end. */
	ro.max_xlsx = 1024;
	fd = pipefd(p, n, &pid);
	out = read_all(fd, &ro, 0, NULL, NULL, 0);
	assert_non_null(strstr(out, "FATAL 0: the workbook is larger than 1K"));
	free(out);
	close(fd);
	waitpid(pid, &st, 0);
	free(p);
}

static void
test_options(void **state)
{
	struct wz_ropts ro = { 0 };
	char *out;

	(void)state;
	ro.sheet = "汇总";
	out = read_file(DATA "roster-lxw.xlsx", &ro, 0, NULL, 0);
	assert_string_equal(out, "乡镇|人数|比例\n平襄镇|3|0.6\n县直|2|0.4\n");
	free(out);
	ro.sheet = "2";
	ro.no_header = 1;
	out = read_file(DATA "roster-lxw.xlsx", &ro, 0, NULL, 0);
	assert_string_equal(out, "1|2|3\n乡镇|人数|比例\n平襄镇|3|0.6\n"
	    "县直|2|0.4\n");
	free(out);
	memset(&ro, 0, sizeof(ro));
	out = read_file(DATA "hidden-first-lxw.xlsx", &ro, 0, NULL, 0);
	assert_string_equal(out, "姓名\n张三\n");
	free(out);
	ro.sheet = "3";
	out = read_file(DATA "hidden-first-lxw.xlsx", &ro, 0, NULL, 0);
	assert_string_equal(out, "FATAL 0: no sheet '3' (the sheets: 底表, "
	    "名单)\n");
	free(out);
	/* Skip past every row. */
	memset(&ro, 0, sizeof(ro));
	ro.skip = 100;
	out = read_file(DATA "roster-lxw.xlsx", &ro, 0, NULL, 0);
	assert_string_equal(out, "FATAL 0: no header row below sheet row "
	    "100\n");
	free(out);
}

/* Every prefix of a workbook: an error, never a crash or a hang. */
static void
test_truncated(void **state)
{
	struct wz_ropts ro = { .skip = 2 };
	size_t n, cut;
	char *p = slurp(DATA "roster-lxw.xlsx", &n), *out;
	int fd, rc;

	(void)state;
	for (cut = 0; cut < n; cut += 37) {
		fd = tmpfd(p, cut);
		out = read_all(fd, &ro, 0, &rc, NULL, 0);
		if (cut >= 4)
			assert_int_equal(rc, WZ_FATAL);
		free(out);
		close(fd);
	}
	/* Flipped bytes in the middle. */
	for (cut = 100; cut < n; cut += 101) {
		char save = p[cut];

		p[cut] ^= 0x55;
		fd = tmpfd(p, n);
		free(read_all(fd, &ro, 0, &rc, NULL, 0));
		close(fd);
		p[cut] = save;
	}
	free(p);
}

/* The writer: what it writes reads back, dates as dates. */
static void
test_writer(void **state)
{
	static const char *const heads[] = { "姓名", "人数", "日期", "备注" };
	static const enum wz_xlsxw_kind kinds[] = { WZ_XW_TEXT, WZ_XW_NUMBER,
	    WZ_XW_DATE, WZ_XW_TEXT };
	static const char *const r1[] = { "张三", "3", "2020-02-29", "=1+1" };
	static const char *const r2[] = { "李四", "不是数", "2020-13-01", "" };
	char path[] = "/tmp/wz-xlsxw-XXXXXX";
	struct wz_xlsxw *w;
	struct wz_ropts ro = { 0 };
	char *out;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	w = wz_xlsxw_open(path, "标题", NULL);
	assert_non_null(w);
	wz_xlsxw_sheet(w, "表一", 4, heads, kinds);
	wz_xlsxw_row(w, r1);
	wz_xlsxw_row(w, r2);
	wz_xlsxw_sheet(w, "表一", 4, heads, NULL);
	wz_xlsxw_sheet(w, "a/b:c", 1, heads, NULL);
	wz_xlsxw_note(w, "说明");
	assert_int_equal(wz_xlsxw_close(w), 0);
	out = read_file(path, &ro, 0, NULL, 0);
	assert_string_equal(out, "姓名|人数|日期|备注\n张三|3|2020-02-29|=1+1\n"
	    "李四|不是数|2020-13-01|\n");
	free(out);
	ro.sheet = "表一2";
	out = read_file(path, &ro, 0, NULL, 0);
	assert_string_equal(out, "姓名|人数|日期|备注\n");
	free(out);
	ro.sheet = "a_b_c";
	out = read_file(path, &ro, 0, NULL, 0);
	assert_string_equal(out, "姓名\n");
	free(out);
	unlink(path);
	assert_int_equal(wz_display_width("ab"), 2);
	assert_int_equal(wz_display_width("平襄镇"), 6);
	assert_int_equal(wz_display_width("第一行\n长一些的第二行"), 14);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_general),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_serial),
		cmocka_unit_test(test_ref),
		cmocka_unit_test(test_roster),
		cmocka_unit_test(test_pipe),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_writer),
	};

	wz_setprogname("test_xlsx");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
