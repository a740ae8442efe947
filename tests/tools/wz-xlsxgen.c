/*
 * wz-xlsxgen - make the .xlsx test workbooks of tests/data/xlsx/, and zip
 * bombs for the limit tests.  Not installed.
 *
 *   wz-xlsxgen roster FILE     libxlsxwriter: a title row, a two-row
 *                              header with merged cells, dates, booleans,
 *                              a formula, rich text, sparse and blank
 *                              rows, a unit merged down over three rows,
 *                              a second sheet of numbers, a third with a
 *                              header of two rows merged only across
 *   wz-xlsxgen inline FILE     libxlsxwriter in constant-memory mode,
 *                              which writes inline strings
 *   wz-xlsxgen hidden FILE     the first sheet hidden
 *   wz-xlsxgen raw CASE FILE   a workbook written part by part, for what
 *                              libxlsxwriter does not write: CASE is one
 *                              of 1904, edge, doctype, badsst, order,
 *                              notxml, chart, method, encrypted
 *   wz-xlsxgen bomb SIZE FILE [lie]
 *                              a sheet that inflates to about SIZE bytes
 *                              (at most 4000M) from a file about a
 *                              thousandth of that; with "lie" the zip
 *                              declares 1000 bytes instead
 *
 * The workbooks are committed (tests/data/xlsx/README says how each was
 * made), so the tests do not depend on this program's output staying
 * byte for byte the same; the bombs are made when the tests run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xlsxwriter.h>
#include <zlib.h>

#include "wz_base.h"

/* ------------------------------------------------------------------ */
/* A small zip writer (stored or deflated members, no zip64).         */

struct zent {
	char		 name[128];
	uint32_t	 crc, csize, usize, off;
	uint16_t	 method, flags;
};

struct zw {
	FILE		*fp;
	struct zent	 e[16];
	int		 n;
	uint32_t	 pos;
};

static void
put(struct zw *z, const void *p, size_t n)
{
	if (fwrite(p, 1, n, z->fp) != n)
		wz_die(EX_IOERR, NULL, 0, "write error");
	z->pos += (uint32_t)n;
}

static void
put16(struct zw *z, uint16_t v)
{
	unsigned char b[2] = { v & 0xff, v >> 8 };

	put(z, b, 2);
}

static void
put32(struct zw *z, uint32_t v)
{
	unsigned char b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff,
	    v >> 24 };

	put(z, b, 4);
}

/* A local header; the data follow. */
static struct zent *
zw_header(struct zw *z, const char *name, uint16_t method, uint16_t flags,
    uint32_t crc, uint32_t csize, uint32_t usize)
{
	struct zent *e = &z->e[z->n++];

	snprintf(e->name, sizeof(e->name), "%s", name);
	e->method = method;
	e->flags = flags;
	e->crc = crc;
	e->csize = csize;
	e->usize = usize;
	e->off = z->pos;
	put32(z, 0x04034b50);
	put16(z, 20);
	put16(z, flags);
	put16(z, method);
	put16(z, 0);		/* time */
	put16(z, 0x5021);	/* date: 2020-01-01 */
	put32(z, crc);
	put32(z, csize);
	put32(z, usize);
	put16(z, (uint16_t)strlen(e->name));
	put16(z, 0);
	put(z, e->name, strlen(e->name));
	return e;
}

/* Raw deflate of p[0..n) into a new buffer. */
static unsigned char *
deflate_raw(const void *p, size_t n, size_t *outn)
{
	z_stream s;
	unsigned char *out;
	size_t cap = compressBound((uLong)n) + 64;

	memset(&s, 0, sizeof(s));
	if (deflateInit2(&s, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		wz_die(EX_SOFTWARE, NULL, 0, "deflateInit2");
	out = wz_malloc(cap);
	s.next_in = (unsigned char *)(uintptr_t)p;
	s.avail_in = (uInt)n;
	s.next_out = out;
	s.avail_out = (uInt)cap;
	if (deflate(&s, Z_FINISH) != Z_STREAM_END)
		wz_die(EX_SOFTWARE, NULL, 0, "deflate");
	*outn = cap - s.avail_out;
	deflateEnd(&s);
	return out;
}

static void
zw_add(struct zw *z, const char *name, const char *data, int deflated)
{
	size_t n = strlen(data), cn;
	uint32_t crc = (uint32_t)crc32(0, (const Bytef *)data, (uInt)n);
	unsigned char *c;

	if (!deflated) {
		zw_header(z, name, 0, 0, crc, (uint32_t)n, (uint32_t)n);
		put(z, data, n);
		return;
	}
	c = deflate_raw(data, n, &cn);
	zw_header(z, name, 8, 0, crc, (uint32_t)cn, (uint32_t)n);
	put(z, c, cn);
	free(c);
}

static void
zw_finish(struct zw *z)
{
	uint32_t cd = z->pos, cdsize;
	int i;

	for (i = 0; i < z->n; i++) {
		struct zent *e = &z->e[i];

		put32(z, 0x02014b50);
		put16(z, 20);
		put16(z, 20);
		put16(z, e->flags);
		put16(z, e->method);
		put16(z, 0);
		put16(z, 0x5021);
		put32(z, e->crc);
		put32(z, e->csize);
		put32(z, e->usize);
		put16(z, (uint16_t)strlen(e->name));
		put16(z, 0);
		put16(z, 0);
		put16(z, 0);
		put16(z, 0);
		put32(z, 0);
		put32(z, e->off);
		put(z, e->name, strlen(e->name));
	}
	cdsize = z->pos - cd;
	put32(z, 0x06054b50);
	put16(z, 0);
	put16(z, 0);
	put16(z, (uint16_t)z->n);
	put16(z, (uint16_t)z->n);
	put32(z, cdsize);
	put32(z, cd);
	put16(z, 0);
	if (fclose(z->fp) != 0)
		wz_die(EX_IOERR, NULL, 0, "write error");
}

static void
zw_open(struct zw *z, const char *path)
{
	memset(z, 0, sizeof(*z));
	if ((z->fp = fopen(path, "wb")) == NULL)
		wz_die(EX_CANTCREAT, path, 0, "cannot create");
}

/* ------------------------------------------------------------------ */
/* Workbooks written part by part.                                    */

#define XMLDECL "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
#define NS_MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_PKG "http://schemas.openxmlformats.org/package/2006/relationships"

static const char content_types[] = XMLDECL
"<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
"<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
"<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
"<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
"<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
"<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
"<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>"
"</Types>";

static const char root_rels[] = XMLDECL
"<Relationships xmlns=\"" NS_PKG "\">"
"<Relationship Id=\"rId1\" Type=\"" NS_REL "/officeDocument\" Target=\"xl/workbook.xml\"/>"
"</Relationships>";

static const char wb_rels[] = XMLDECL
"<Relationships xmlns=\"" NS_PKG "\">"
"<Relationship Id=\"rId1\" Type=\"" NS_REL "/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
"<Relationship Id=\"rId2\" Type=\"" NS_REL "/styles\" Target=\"styles.xml\"/>"
"<Relationship Id=\"rId3\" Type=\"" NS_REL "/sharedStrings\" Target=\"/xl/sharedStrings.xml\"/>"
"<Relationship Id=\"rId4\" Type=\"" NS_REL "/chartsheet\" Target=\"chartsheets/sheet1.xml\"/>"
"</Relationships>";

static const char wb_plain[] = XMLDECL
"<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\">"
"<workbookPr/><sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/>"
"</sheets></workbook>";

static const char wb_1904[] = XMLDECL
"<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\">"
"<workbookPr date1904=\"1\"/><sheets>"
"<sheet name=\"1904\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";

static const char wb_chart[] = XMLDECL
"<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\">"
"<sheets><sheet name=\"图表\" sheetId=\"2\" r:id=\"rId4\"/>"
"<sheet name=\"数据\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";

static const char styles_plain[] = XMLDECL
"<styleSheet xmlns=\"" NS_MAIN "\"><cellXfs count=\"2\">"
"<xf numFmtId=\"0\"/><xf numFmtId=\"14\"/></cellXfs></styleSheet>";

/* Cell formats 0..8: General, 14, 年月日, 31 (not defined: the Chinese
 * built-in date), 22, [h]:mm:ss, 0.00, 20 (h:mm), y/m/d h:mm. */
static const char styles_1904[] = XMLDECL
"<styleSheet xmlns=\"" NS_MAIN "\"><numFmts count=\"4\">"
"<numFmt numFmtId=\"164\" formatCode=\"yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;\"/>"
"<numFmt numFmtId=\"165\" formatCode=\"[h]:mm:ss\"/>"
"<numFmt numFmtId=\"166\" formatCode=\"0.00\"/>"
"<numFmt numFmtId=\"167\" formatCode=\"yyyy/m/d\\ h:mm;@\"/>"
"</numFmts><cellStyleXfs count=\"1\"><xf numFmtId=\"22\"/></cellStyleXfs>"
"<cellXfs count=\"9\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/>"
"<xf numFmtId=\"164\"/><xf numFmtId=\"31\"/><xf numFmtId=\"22\"/>"
"<xf numFmtId=\"165\"/><xf numFmtId=\"166\"/><xf numFmtId=\"20\"/>"
"<xf numFmtId=\"167\"/></cellXfs></styleSheet>";

static const char sst_1904[] = XMLDECL
"<sst xmlns=\"" NS_MAIN "\" count=\"2\" uniqueCount=\"2\">"
"<si><t>格式</t></si><si><t>值</t></si></sst>";

#define IS(s) "<c t=\"inlineStr\"><is><t>" s "</t></is></c>"
static const char sheet_1904[] = XMLDECL
"<worksheet xmlns=\"" NS_MAIN "\"><sheetData>"
"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c></row>"
"<row r=\"2\">" IS("14 serial 0") "<c s=\"1\"><v>0</v></c></row>"
"<row r=\"3\">" IS("年月日 41000") "<c s=\"2\"><v>41000</v></c></row>"
"<row r=\"4\">" IS("31 41000") "<c s=\"3\"><v>41000</v></c></row>"
"<row r=\"5\">" IS("22 41000.75") "<c s=\"4\"><v>41000.75</v></c></row>"
"<row r=\"6\">" IS("[h]:mm:ss 1.5") "<c s=\"5\"><v>1.5</v></c></row>"
"<row r=\"7\">" IS("0.00 2.5") "<c s=\"6\"><v>2.5</v></c></row>"
"<row r=\"8\">" IS("20 0.25") "<c s=\"7\"><v>0.25</v></c></row>"
"<row r=\"9\">" IS("14 -1") "<c s=\"1\"><v>-1</v></c></row>"
"<row r=\"10\">" IS("y/m/d h:mm 41000.5") "<c s=\"8\"><v>41000.5</v></c></row>"
"<row r=\"11\">" IS("14 1462 (1908-01-02)") "<c s=\"1\"><v>1462</v></c></row>"
"</sheetData></worksheet>";

static const char sst_edge[] = XMLDECL
"<sst xmlns=\"" NS_MAIN "\" count=\"6\" uniqueCount=\"6\">"
"<si><t>项目</t></si><si><t>值</t></si><si><t>备注</t></si>"
"<si><r><rPr><b/></rPr><t>加粗</t></r><r><t xml:space=\"preserve\"> 与普通</t></r>"
"<rPh sb=\"0\" eb=\"2\"><t>ジャマ</t></rPh><phoneticPr fontId=\"1\"/></si>"
"<si><t>第一行_x000D_\n第二行</t></si>"
"<si><t>下划线_x005F_x000D_保留</t></si>"
"</sst>";

/*
 * The sheet with a prefix on every element, rows and cells without r,
 * cells out of order and far apart, and every cell type (empty string
 * cells too: F1, the first cell read, crashed the reader once).
 */
#define XC(r, t, v) "<x:c r=\"" r "\" t=\"" t "\"><x:v>" v "</x:v></x:c>"
#define XN(r, v) "<x:c r=\"" r "\"><x:v>" v "</x:v></x:c>"
#define XI(r, s) "<x:c r=\"" r "\" t=\"inlineStr\"><x:is><x:t>" s "</x:t></x:is></x:c>"
static const char sheet_edge[] = XMLDECL
"<x:worksheet xmlns:x=\"" NS_MAIN "\"><x:dimension ref=\"A1:C20\"/>"
"<x:sheetData>"
"<x:row r=\"1\"><x:c r=\"F1\" t=\"inlineStr\"/>" XC("A1", "s", "0") XC("B1", "s", "1") XC("C1", "s", "2")
    "<x:c r=\"D1\" s=\"1\"/><x:c r=\"E1\" s=\"1\"/></x:row>"
"<x:row r=\"2\">" XI("A2", "0.1+0.2") XN("B2", "0.30000000000000004") "</x:row>"
"<x:row r=\"3\">" XI("A3", "负零") XN("B3", "-0")
    "<x:c r=\"C3\" t=\"str\"><x:f>\"\"</x:f><x:v></x:v></x:c></x:row>"
"<x:row r=\"4\">" XI("A4", "小数") XN("B4", "1E-7")
    "<x:c r=\"C4\" t=\"inlineStr\"/></x:row>"
"<x:row r=\"5\">" XI("A5", "大整数") XN("B5", "123456789012345678") "</x:row>"
"<x:row r=\"6\">" XI("A6", "整数") XN("B6", "100") XN("C6", "2.50") "</x:row>"
"<x:row>" XI("A7", "无 r 的行") "<x:c><x:v>1</x:v></x:c><x:c><x:v>2</x:v></x:c></x:row>"
"<x:row r=\"8\">" XI("A8", "布尔") XC("B8", "b", "1") XC("C8", "b", "0") "</x:row>"
"<x:row r=\"9\">" XI("A9", "错误") XC("B9", "e", "#N/A") XC("C9", "e", "#DIV/0!") "</x:row>"
"<x:row r=\"10\">" XI("A10", "公式文本") "<x:c r=\"B10\" t=\"str\"><x:f>A1&amp;\"x\"</x:f><x:v>项目x</x:v></x:c>"
    "<x:c r=\"C10\"><x:f>1+1</x:f><x:v>2</x:v></x:c></x:row>"
"<x:row r=\"11\">" XI("A11", "富文本") XC("B11", "s", "3")
    "<x:c r=\"C11\" t=\"inlineStr\"><x:is><x:r><x:t>甲</x:t></x:r><x:r><x:rPr><x:i/></x:rPr><x:t>乙</x:t></x:r>"
    "<x:rPh sb=\"0\" eb=\"1\"><x:t>ア</x:t></x:rPh></x:is></x:c></x:row>"
"<x:row r=\"12\">" XI("A12", "换行") XC("B12", "s", "4") XC("C12", "s", "5") "</x:row>"
"<x:row r=\"13\">" XN("C13", "3") XI("A13", "倒序的格") "</x:row>"
"<x:row r=\"15\" spans=\"1:3\"><x:c r=\"A15\" s=\"1\"/><x:c r=\"B15\" s=\"1\"/></x:row>"
"<x:row r=\"16\">" XI("A16", "稀疏") XN("C16", "9") "</x:row>"
"<x:row r=\"17\">" XI("A17", "ISO 日期") XC("B17", "d", "2020-02-29T00:00:00") "</x:row>"
"<x:row r=\"18\">" XI("A18", "空串与空格") XI("B18", "") XI("C18", " ") "</x:row>"
"<x:row r=\"20\">" XI("A20", "越界") XN("D20", "1") "</x:row>"
"</x:sheetData></x:worksheet>";

static const char sheet_doctype[] = XMLDECL
"<!DOCTYPE worksheet [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;\">]>"
"<worksheet xmlns=\"" NS_MAIN "\"><sheetData><row r=\"1\">"
"<c t=\"inlineStr\"><is><t>&b;</t></is></c></row></sheetData></worksheet>";

static const char sheet_badsst[] = XMLDECL
"<worksheet xmlns=\"" NS_MAIN "\"><sheetData>"
"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>"
"<row r=\"2\"><c r=\"A2\" t=\"s\"><v>7</v></c></row>"
"</sheetData></worksheet>";

static const char sheet_order[] = XMLDECL
"<worksheet xmlns=\"" NS_MAIN "\"><sheetData>"
"<row r=\"1\">" IS("a") "</row><row r=\"5\">" IS("1") "</row>"
"<row r=\"3\">" IS("2") "</row></sheetData></worksheet>";

static const char sheet_notxml[] = XMLDECL
"<worksheet xmlns=\"" NS_MAIN "\"><sheetData>"
"<row r=\"1\">" IS("a") "</row><row r=\"2\">" IS("1") "</row>"
"<row r=\"3\"><c t=\"inlineStr\"><is><t>2</is></c></row></sheetData></worksheet>";

static const char sheet_plain[] = XMLDECL
"<worksheet xmlns=\"" NS_MAIN "\"><sheetData>"
"<row r=\"1\">" IS("a") "</row><row r=\"2\">" IS("1") "</row>"
"</sheetData></worksheet>";

static const char sst_plain[] = XMLDECL
"<sst xmlns=\"" NS_MAIN "\"><si><t>a</t></si></sst>";

static void
raw(const char *which, const char *path)
{
	const char *wb = wb_plain, *sheet = sheet_plain, *sst = sst_plain,
	    *sty = styles_plain;
	struct zw z;

	if (strcmp(which, "1904") == 0) {
		wb = wb_1904;
		sheet = sheet_1904;
		sst = sst_1904;
		sty = styles_1904;
	} else if (strcmp(which, "edge") == 0) {
		sheet = sheet_edge;
		sst = sst_edge;
	} else if (strcmp(which, "doctype") == 0)
		sheet = sheet_doctype;
	else if (strcmp(which, "badsst") == 0)
		sheet = sheet_badsst;
	else if (strcmp(which, "order") == 0)
		sheet = sheet_order;
	else if (strcmp(which, "notxml") == 0)
		sheet = sheet_notxml;
	else if (strcmp(which, "chart") == 0)
		wb = wb_chart;
	else if (strcmp(which, "method") != 0 &&
	    strcmp(which, "encrypted") != 0)
		wz_die(EX_USAGE, NULL, 0, "raw: no case '%s'", which);
	zw_open(&z, path);
	zw_add(&z, "[Content_Types].xml", content_types, 1);
	zw_add(&z, "_rels/.rels", root_rels, 1);
	zw_add(&z, "xl/workbook.xml", wb, 1);
	zw_add(&z, "xl/_rels/workbook.xml.rels", wb_rels, 1);
	zw_add(&z, "xl/styles.xml", sty, 1);
	zw_add(&z, "xl/sharedStrings.xml", sst, 1);
	if (strcmp(which, "method") == 0 || strcmp(which, "encrypted") == 0) {
		/* The sheet stored, its header claiming bzip2 (12) or
		 * traditional encryption (flag 1). */
		size_t n = strlen(sheet);
		uint32_t crc = (uint32_t)crc32(0, (const Bytef *)sheet,
		    (uInt)n);
		int m = strcmp(which, "method") == 0;

		zw_header(&z, "xl/worksheets/sheet1.xml", m ? 12 : 0,
		    m ? 0 : 1, crc, (uint32_t)n, (uint32_t)n);
		put(&z, sheet, n);
	} else
		zw_add(&z, "xl/worksheets/sheet1.xml", sheet, 1);
	zw_finish(&z);
}

/*
 * A sheet of about size bytes of rows.  Deflate after a full flush does
 * not look back, so one compressed megabyte of rows can be written as
 * many times as needed without compressing gigabytes.
 */
static void
bomb(const char *sizearg, const char *path, int lie)
{
	static const char head[] = XMLDECL "<worksheet xmlns=\"" NS_MAIN
	    "\"><sheetData>";
	static const char rowhead[] = "<row><c t=\"inlineStr\"><is><t>";
	static const char rowtail[] = "</t></is></c></row>";
	static const char tail[] = "</sheetData></worksheet>";
	size_t size, blk = 1 << 20, nrep, i, hn, cn, tn, outcap = 1 << 22,
	    rowlen = 16 << 10;
	unsigned char *chunk, *out, *h, *c, *t;
	uint32_t crc, crcc;
	uLong usize;
	z_stream s;
	struct zw z;

	if (wz_parse_size(sizearg, &size) == -1 || size < blk ||
	    size > ((size_t)4000 << 20))
		wz_die(EX_USAGE, NULL, 0, "bomb: size 1M .. 4000M");
	/* Rows of one long cell each: long runs deflate best (~1000:1). */
	chunk = wz_malloc(blk);
	for (i = 0; i + rowlen <= blk; i += rowlen) {
		memset(chunk + i, 'A', rowlen);
		memcpy(chunk + i, rowhead, sizeof(rowhead) - 1);
		memcpy(chunk + i + rowlen - (sizeof(rowtail) - 1), rowtail,
		    sizeof(rowtail) - 1);
	}
	blk = i;
	nrep = size / blk;
	out = wz_malloc(outcap * 3);
	h = out;
	c = out + outcap;
	t = out + 2 * outcap;
	memset(&s, 0, sizeof(s));
	if (deflateInit2(&s, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		wz_die(EX_SOFTWARE, NULL, 0, "deflateInit2");
#define DEFL(in, inn, o, on, flush) do {				\
	s.next_in = (unsigned char *)(uintptr_t)(in);			\
	s.avail_in = (uInt)(inn);					\
	s.next_out = (o);						\
	s.avail_out = (uInt)outcap;					\
	deflate(&s, (flush));						\
	(on) = outcap - s.avail_out;					\
} while (0)
	DEFL(head, sizeof(head) - 1, h, hn, Z_FULL_FLUSH);
	DEFL(chunk, blk, c, cn, Z_FULL_FLUSH);
	DEFL(tail, sizeof(tail) - 1, t, tn, Z_FINISH);
	deflateEnd(&s);
	crcc = (uint32_t)crc32(0, chunk, (uInt)blk);
	crc = (uint32_t)crc32(0, (const Bytef *)head, sizeof(head) - 1);
	for (i = 0; i < nrep; i++)
		crc = (uint32_t)crc32_combine(crc, crcc, (z_off_t)blk);
	crc = (uint32_t)crc32_combine(crc, crc32(0, (const Bytef *)tail,
	    sizeof(tail) - 1), sizeof(tail) - 1);
	usize = (uLong)(sizeof(head) - 1 + nrep * blk + sizeof(tail) - 1);

	zw_open(&z, path);
	zw_add(&z, "[Content_Types].xml", content_types, 1);
	zw_add(&z, "_rels/.rels", root_rels, 1);
	zw_add(&z, "xl/workbook.xml", wb_plain, 1);
	zw_add(&z, "xl/_rels/workbook.xml.rels", wb_rels, 1);
	zw_header(&z, "xl/worksheets/sheet1.xml", 8, 0, crc,
	    (uint32_t)(hn + nrep * cn + tn), lie ? 1000 : (uint32_t)usize);
	put(&z, h, hn);
	for (i = 0; i < nrep; i++)
		put(&z, c, cn);
	put(&z, t, tn);
	zw_finish(&z);
	free(chunk);
	free(out);
}

/* ------------------------------------------------------------------ */
/* Workbooks made with libxlsxwriter.                                 */

/* Rich-text runs (libxlsxwriter takes them as char *). */
static char s_key[] = "重点", s_contact[] = "联系人", s_late[] = "未按期",
    s_days[] = "完成整改，\"逾期\" 98 天";

static void
check(lxw_error e, const char *what)
{
	if (e != LXW_NO_ERROR)
		wz_die(EX_SOFTWARE, NULL, 0, "%s: %s", what,
		    lxw_strerror(e));
}

static void
date(lxw_worksheet *ws, int r, int c, int y, int m, int d, lxw_format *f)
{
	lxw_datetime dt = { y, m, d, 0, 0, 0 };

	check(worksheet_write_datetime(ws, (lxw_row_t)r, (lxw_col_t)c, &dt,
	    f), "date");
}

static void
roster(const char *path)
{
	lxw_workbook *wb = workbook_new(path);
	lxw_worksheet *ws, *ws2, *ws3;
	lxw_format *title, *head, *dfmt, *dtfmt, *cn, *bold;
	lxw_datetime when = { 2020, 12, 31, 16, 30, 0 };
	lxw_rich_string_tuple f1, f2, *rich[3];
	lxw_doc_properties props;

	if (wb == NULL)
		wz_die(EX_CANTCREAT, path, 0, "cannot create");
	memset(&props, 0, sizeof(props));
	props.created = 1609459200;	/* reproducible: 2021-01-01 */
	workbook_set_properties(wb, &props);
	ws = workbook_add_worksheet(wb, "花名册");
	ws2 = workbook_add_worksheet(wb, "汇总");
	title = workbook_add_format(wb);
	format_set_bold(title);
	format_set_align(title, LXW_ALIGN_CENTER);
	head = workbook_add_format(wb);
	format_set_bold(head);
	format_set_align(head, LXW_ALIGN_CENTER);
	format_set_align(head, LXW_ALIGN_VERTICAL_CENTER);
	dfmt = workbook_add_format(wb);
	format_set_num_format(dfmt, "yyyy\"年\"m\"月\"d\"日\"");
	dtfmt = workbook_add_format(wb);
	format_set_num_format_index(dtfmt, 22);
	cn = workbook_add_format(wb);
	format_set_num_format_index(cn, 14);
	bold = workbook_add_format(wb);
	format_set_bold(bold);

	/* Rows 1-2: a title merged across, and who filled it in when. */
	check(worksheet_merge_range(ws, 0, 0, 0, 7, "示范县驻村干部花名册",
	    title), "merge");
	worksheet_write_string(ws, 1, 0, "填报单位：县委组织部", NULL);
	worksheet_write_string(ws, 1, 6, "填报时间：", NULL);
	check(worksheet_write_datetime(ws, 1, 7, &when, dtfmt), "datetime");
	/* Rows 3-4: the header, 任职时间 over 起 and 止. */
	worksheet_merge_range(ws, 2, 0, 3, 0, "序号", head);
	worksheet_merge_range(ws, 2, 1, 3, 1, "姓名", head);
	worksheet_merge_range(ws, 2, 2, 3, 2, "工作单位", head);
	worksheet_merge_range(ws, 2, 3, 3, 3, "职务", head);
	worksheet_merge_range(ws, 2, 4, 2, 5, "任职时间", head);
	worksheet_write_string(ws, 3, 4, "起", head);
	worksheet_write_string(ws, 3, 5, "止", head);
	worksheet_merge_range(ws, 2, 6, 3, 6, "是否党员", head);
	worksheet_merge_range(ws, 2, 7, 3, 7, "备注", head);
	/* Row 5. */
	worksheet_write_number(ws, 4, 0, 1, NULL);
	worksheet_write_string(ws, 4, 1, "张三", NULL);
	worksheet_write_string(ws, 4, 2, "县扶贫办", NULL);
	worksheet_write_string(ws, 4, 3, "主任", NULL);
	date(ws, 4, 4, 2017, 3, 1, dfmt);
	date(ws, 4, 5, 2019, 6, 30, dfmt);
	worksheet_write_boolean(ws, 4, 6, 1, NULL);
	/* Rows 6-8: one unit merged down over three people. */
	worksheet_merge_range(ws, 5, 2, 7, 2, "平襄镇", NULL);
	worksheet_write_number(ws, 5, 0, 2, NULL);
	worksheet_write_string(ws, 5, 1, "李四", NULL);
	worksheet_write_string(ws, 5, 3, "党委书记", NULL);
	date(ws, 5, 4, 2016, 8, 15, cn);
	worksheet_write_boolean(ws, 5, 6, 1, NULL);
	f1.format = bold;
	f1.string = s_key;
	f2.format = NULL;
	f2.string = s_contact;
	rich[0] = &f1;
	rich[1] = &f2;
	rich[2] = NULL;
	check(worksheet_write_rich_string(ws, 5, 7, rich, NULL), "rich");
	worksheet_write_number(ws, 6, 0, 3, NULL);
	worksheet_write_string(ws, 6, 1, "王五", NULL);
	worksheet_write_string(ws, 6, 3, "镇长", NULL);
	date(ws, 6, 4, 2018, 1, 1, dfmt);
	worksheet_write_boolean(ws, 6, 6, 0, NULL);
	worksheet_write_number(ws, 7, 0, 4, NULL);
	worksheet_write_string(ws, 7, 1, "赵六", NULL);
	/* 职务 and the dates left out: sparse cells. */
	worksheet_write_string(ws, 7, 7, "借调", NULL);
	/* Row 9 blank; row 10 with a formula and a number. */
	worksheet_write_number(ws, 9, 0, 5, NULL);
	worksheet_write_string(ws, 9, 1, "孙七", NULL);
	worksheet_write_string(ws, 9, 2, "县财政局", NULL);
	worksheet_write_formula_str(ws, 9, 3, "=\"副\"&\"局长\"", NULL,
	    "副局长");
	date(ws, 9, 4, 2020, 2, 29, dfmt);
	worksheet_write_string(ws, 9, 7, "=不是公式", NULL);
	/* Row 11: a value right of the header (column J): ragged. */
	worksheet_write_number(ws, 10, 0, 6, NULL);
	worksheet_write_string(ws, 10, 1, "周八", NULL);
	worksheet_write_string(ws, 10, 9, "多余", NULL);
	worksheet_set_column(ws, 0, 7, 12, NULL);

	/* The second sheet: numbers. */
	worksheet_write_string(ws2, 0, 0, "乡镇", NULL);
	worksheet_write_string(ws2, 0, 1, "人数", NULL);
	worksheet_write_string(ws2, 0, 2, "比例", NULL);
	worksheet_write_string(ws2, 1, 0, "平襄镇", NULL);
	worksheet_write_number(ws2, 1, 1, 3, NULL);
	worksheet_write_number(ws2, 1, 2, 0.6, NULL);
	worksheet_write_string(ws2, 2, 0, "县直", NULL);
	worksheet_write_number(ws2, 2, 1, 2, NULL);
	worksheet_write_formula_num(ws2, 2, 2, "=B3/5", NULL, 0.4);
	/*
	 * The third sheet: a header of two rows where nothing is merged
	 * down, only 任职时间 across its two sub-headings; a unit merged
	 * down over four rows, one of them with nothing else (not filled).
	 */
	ws3 = workbook_add_worksheet(wb, "两行表头");
	worksheet_write_string(ws3, 0, 0, "姓名", head);
	worksheet_merge_range(ws3, 0, 1, 0, 2, "任职时间", head);
	worksheet_write_string(ws3, 0, 3, "单位", head);
	worksheet_write_string(ws3, 1, 1, "起", head);
	worksheet_write_string(ws3, 1, 2, "止", head);
	worksheet_merge_range(ws3, 2, 3, 5, 3, "县扶贫办", NULL);
	worksheet_write_string(ws3, 2, 0, "张三", NULL);
	date(ws3, 2, 1, 2017, 3, 1, cn);
	date(ws3, 2, 2, 2019, 6, 30, cn);
	worksheet_write_string(ws3, 3, 0, "李四", NULL);
	date(ws3, 3, 1, 2018, 5, 1, cn);
	worksheet_write_string(ws3, 5, 0, "王五", NULL);
	check(workbook_close(wb), path);
}

static void
inline_strings(const char *path)
{
	lxw_workbook_options o = { .constant_memory = LXW_TRUE };
	lxw_workbook *wb = workbook_new_opt(path, &o);
	lxw_worksheet *ws;
	lxw_format *it, *dfmt;
	lxw_rich_string_tuple f1, f2, *rich[3];
	lxw_doc_properties props;
	int r;

	if (wb == NULL)
		wz_die(EX_CANTCREAT, path, 0, "cannot create");
	memset(&props, 0, sizeof(props));
	props.created = 1609459200;
	workbook_set_properties(wb, &props);
	ws = workbook_add_worksheet(wb, "问题清单");
	it = workbook_add_format(wb);
	format_set_italic(it);
	dfmt = workbook_add_format(wb);
	format_set_num_format(dfmt, "yyyy-mm-dd");
	worksheet_write_string(ws, 0, 0, "编号", NULL);
	worksheet_write_string(ws, 0, 1, "问题描述", NULL);
	worksheet_write_string(ws, 0, 2, "金额", NULL);
	worksheet_write_string(ws, 0, 3, "发现日期", NULL);
	/* Constant memory: every row in order, left to right. */
	f1.format = it;
	f1.string = s_late;
	f2.format = NULL;
	f2.string = s_days;
	rich[0] = &f1;
	rich[1] = &f2;
	rich[2] = NULL;
	for (r = 1; r <= 3; r++) {
		char id[16];

		snprintf(id, sizeof(id), "F%02d", r);
		worksheet_write_string(ws, (lxw_row_t)r, 0, id, NULL);
		if (r == 1)
			worksheet_write_string(ws, 1, 1,
			    "虚报冒领扶贫资金\n涉及三户", NULL);
		else if (r == 2)
			check(worksheet_write_rich_string(ws, 2, 1, rich,
			    NULL), "rich");
		else
			worksheet_write_string(ws, 3, 1, "<标签> & 符号", NULL);
		worksheet_write_number(ws, (lxw_row_t)r, 2, 1000.5 * r, NULL);
		date(ws, r, 3, 2019, r, 10 + r, dfmt);
	}
	check(workbook_close(wb), path);
}

static void
hidden_first(const char *path)
{
	lxw_workbook *wb = workbook_new(path);
	lxw_worksheet *a, *b;
	lxw_doc_properties props;

	if (wb == NULL)
		wz_die(EX_CANTCREAT, path, 0, "cannot create");
	memset(&props, 0, sizeof(props));
	props.created = 1609459200;
	workbook_set_properties(wb, &props);
	a = workbook_add_worksheet(wb, "底表");
	b = workbook_add_worksheet(wb, "名单");
	worksheet_write_string(a, 0, 0, "隐藏", NULL);
	worksheet_write_string(a, 1, 0, "不该读到", NULL);
	worksheet_write_string(b, 0, 0, "姓名", NULL);
	worksheet_write_string(b, 1, 0, "张三", NULL);
	worksheet_activate(b);
	worksheet_set_first_sheet(b);
	worksheet_hide(a);
	check(workbook_close(wb), path);
}

static void
usage(void)
{
	fprintf(stderr, "usage: wz-xlsxgen roster|inline|hidden FILE\n"
	    "       wz-xlsxgen raw CASE FILE\n"
	    "       wz-xlsxgen bomb SIZE FILE [lie]\n");
	exit(EX_USAGE);
}

int
main(int argc, char *argv[])
{
	wz_setprogname(argv[0]);
	if (argc == 3 && strcmp(argv[1], "roster") == 0)
		roster(argv[2]);
	else if (argc == 3 && strcmp(argv[1], "inline") == 0)
		inline_strings(argv[2]);
	else if (argc == 3 && strcmp(argv[1], "hidden") == 0)
		hidden_first(argv[2]);
	else if (argc == 4 && strcmp(argv[1], "raw") == 0)
		raw(argv[2], argv[3]);
	else if ((argc == 4 || argc == 5) && strcmp(argv[1], "bomb") == 0)
		bomb(argv[2], argv[3], argc == 5 && strcmp(argv[4], "lie") ==
		    0);
	else
		usage();
	return 0;
}
