/*
 * libFuzzer target: the .xlsx reader, through the stream reader.
 *
 * An input that starts with a zip header is the workbook file itself
 * (the seeds are real workbooks), so the zip layer, libzip and the
 * limits on inflating meet arbitrary bytes.  Any other input is the
 * parts of a workbook: its first byte picks the options (skip, no
 * header, a sheet by name or number) and the rest is split at "\n##\n"
 * into the sheet, the shared strings, the styles and the workbook part,
 * which are stored in a zip made here, so that mutations reach the XML
 * handling instead of breaking a checksum.
 *
 * Properties checked beyond "no crash": every field handed out is valid
 * UTF-8 within max_field, no record has more than max_cols fields, and
 * line numbers (sheet rows) only grow.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "fuzz.h"
#include "wz_base.h"
#include "wz_csv.h"
#include "wz_text.h"

#define MAX_FIELD	4096
#define MAX_COLS	64

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

/* A zip of stored members, in memory. */
struct zbuf {
	struct wz_buf	 b, cd;
	uint16_t	 n;
};

static void
le(struct wz_buf *b, uint32_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		wz_buf_addc(b, (int)((v >> (8 * i)) & 0xff));
}

static void
zadd(struct zbuf *z, const char *name, const void *p, size_t n)
{
	uint32_t crc = (uint32_t)crc32(0, p, (uInt)n), off = (uint32_t)z->b.len;
	size_t nl = strlen(name);

	le(&z->b, 0x04034b50, 4);
	le(&z->b, 20, 2);
	le(&z->b, 0, 2);
	le(&z->b, 0, 2);		/* stored */
	le(&z->b, 0, 4);		/* time, date */
	le(&z->b, crc, 4);
	le(&z->b, (uint32_t)n, 4);
	le(&z->b, (uint32_t)n, 4);
	le(&z->b, (uint32_t)nl, 2);
	le(&z->b, 0, 2);
	wz_buf_add(&z->b, name, nl);
	wz_buf_add(&z->b, p, n);
	le(&z->cd, 0x02014b50, 4);
	le(&z->cd, 20, 2);
	le(&z->cd, 20, 2);
	le(&z->cd, 0, 2);
	le(&z->cd, 0, 2);
	le(&z->cd, 0, 4);
	le(&z->cd, crc, 4);
	le(&z->cd, (uint32_t)n, 4);
	le(&z->cd, (uint32_t)n, 4);
	le(&z->cd, (uint32_t)nl, 2);
	le(&z->cd, 0, 4);		/* extra, comment */
	le(&z->cd, 0, 4);		/* disk, internal attributes */
	le(&z->cd, 0, 4);		/* external attributes */
	le(&z->cd, off, 4);
	wz_buf_add(&z->cd, name, nl);
	z->n++;
}

static void
zfinish(struct zbuf *z)
{
	uint32_t off = (uint32_t)z->b.len;

	wz_buf_add(&z->b, z->cd.s, z->cd.len);
	le(&z->b, 0x06054b50, 4);
	le(&z->b, 0, 4);
	le(&z->b, z->n, 2);
	le(&z->b, z->n, 2);
	le(&z->b, (uint32_t)z->cd.len, 4);
	le(&z->b, off, 4);
	le(&z->b, 0, 2);
}

#define NS "http://schemas.openxmlformats.org/"
static const char rels[] =
"<Relationships xmlns=\"" NS "package/2006/relationships\">"
"<Relationship Id=\"rId1\" Type=\"" NS "officeDocument/2006/relationships/"
"officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";
static const char wbrels[] =
"<Relationships xmlns=\"" NS "package/2006/relationships\">"
"<Relationship Id=\"rId1\" Type=\"" NS "officeDocument/2006/relationships/"
"worksheet\" Target=\"worksheets/sheet1.xml\"/>"
"<Relationship Id=\"rId2\" Type=\"" NS "officeDocument/2006/relationships/"
"worksheet\" Target=\"/xl/worksheets/sheet2.xml\"/>"
"<Relationship Id=\"rId3\" Type=\"" NS "officeDocument/2006/relationships/"
"styles\" Target=\"styles.xml\"/>"
"<Relationship Id=\"rId4\" Type=\"" NS "officeDocument/2006/relationships/"
"sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>";
static const char wbdefault[] =
"<workbook xmlns=\"" NS "spreadsheetml/2006/main\" xmlns:r=\"" NS
"officeDocument/2006/relationships\"><workbookPr date1904=\"1\"/><sheets>"
"<sheet name=\"一\" sheetId=\"1\" r:id=\"rId1\"/>"
"<sheet name=\"二\" sheetId=\"2\" r:id=\"rId2\"/></sheets></workbook>";

/* Split the parts at "\n##\n" and store them in a workbook. */
static void
build(struct zbuf *z, const uint8_t *p, size_t n)
{
	static const char *const names[] = { "xl/worksheets/sheet1.xml",
	    "xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml",
	    "xl/worksheets/sheet2.xml" };
	const uint8_t *end = p + n, *q;
	size_t k = 0;

	zadd(z, "_rels/.rels", rels, sizeof(rels) - 1);
	zadd(z, "xl/_rels/workbook.xml.rels", wbrels, sizeof(wbrels) - 1);
	while (k < 5) {
		q = memmem(p, (size_t)(end - p), "\n##\n", 4);
		if (q == NULL)
			q = end;
		zadd(z, names[k++], p, (size_t)(q - p));
		if (q == end)
			break;
		p = q + 4;
	}
	if (k < 4)
		zadd(z, "xl/workbook.xml", wbdefault, sizeof(wbdefault) - 1);
	zfinish(z);
}

static void
drain(int fd, const struct wz_ropts *ro)
{
	struct wz_reader *r = wz_reader_fdopen(fd, "fuzz", ro);
	const struct wz_row *row, *hdr;
	unsigned long last = 0;
	size_t i;
	int rc, why;

	if (r == NULL)
		abort();
	if (wz_reader_header(r, &hdr) == WZ_ROW) {
		/* Without a header the first row is data too. */
		last = ro->no_header ? hdr->line - 1 : hdr->line;
		while ((rc = wz_reader_next(r, &row)) != WZ_EOF &&
		    rc != WZ_FATAL) {
			if (row->line <= last || row->n > MAX_COLS)
				abort();
			last = row->line;
			if (rc != WZ_ROW)
				continue;
			for (i = 0; i < row->n; i++)
				if (row->len[i] > MAX_FIELD ||
				    wz_utf8_check((const unsigned char *)
				    row->f[i], row->len[i], &why) !=
				    row->len[i])
					abort();
		}
	}
	wz_reader_close(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const sheets[] = { NULL, "2", "二", "一" };
	struct wz_ropts ro = { 0 };
	struct zbuf z;
	int fd;

	ro.max_field = MAX_FIELD;
	ro.max_cols = MAX_COLS;
	ro.max_row = 4 * MAX_FIELD;
	ro.max_xlsx = 8 << 20;
	if (size >= 4 && memcmp(data, "PK\003\004", 4) == 0) {
		fd = fuzz_memfd(data, size);
		drain(fd, &ro);
		close(fd);
		return 0;
	}
	if (size < 1)
		return 0;
	ro.skip = data[0] & 3;
	ro.no_header = (data[0] >> 2) & 1;
	ro.sheet = sheets[(data[0] >> 3) & 3];
	memset(&z, 0, sizeof(z));
	build(&z, data + 1, size - 1);
	fd = fuzz_memfd((const uint8_t *)z.b.s, z.b.len);
	drain(fd, &ro);
	close(fd);
	wz_buf_free(&z.b);
	wz_buf_free(&z.cd);
	return 0;
}
