/*
 * libFuzzer target: the CSV/TSV reader with encoding conversion, and the
 * writer.  The first byte picks the options (TSV, GB18030, header, skip,
 * read size), the rest is the file.  Property checked beyond "no crash":
 * a passthrough of what was read reads back to the same records, the
 * same number with the same fields; and the reader's fast split of lines
 * without quotes hands out what libcsv alone would: the same records,
 * rejects, line numbers and messages; and the reader's UTF-8 check
 * of a chunk agrees with the scalar check.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "wz_base.h"
#include "wz_csv.h"
#include "wz_text.h"

static int
memfd_with(const uint8_t *p, size_t n)
{
	int fd = memfd_create("fuzz", 0);

	if (fd == -1)
		abort();
	if (n > 0 && write(fd, p, n) != (ssize_t)n)
		abort();
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* Fold a record into *h: every field's length and bytes. */
static void
fold(uint64_t *h, const struct wz_row *row)
{
	size_t i;

	for (i = 0; i < row->n; i++) {
		*h = (*h ^ wz_hash(&row->len[i], sizeof(row->len[i]))) *
		    1099511628211ULL;
		*h = (*h ^ wz_hash(row->f[i], row->len[i])) * 1099511628211ULL;
	}
	*h = (*h ^ 0x9e3779b97f4a7c15ULL) * 1099511628211ULL;
}

/* Read everything; write it to out if out >= 0.  Returns records read
 * and their fingerprint in *h. */
static unsigned long
drain(int in, int out, const struct wz_ropts *ro, size_t chunk, uint64_t *h)
{
	struct wz_wopts wo = { .tsv = ro->tsv };
	struct wz_reader *r = wz_reader_fdopen(in, "fuzz", ro);
	struct wz_writer *w = NULL;
	const struct wz_row *row, *hdr;
	unsigned long n = 0;
	int rc;

	if (r == NULL)
		abort();
	wz_reader_set_chunk(r, chunk);
	if (out >= 0)
		w = wz_writer_new(out, "out", &wo);
	if (wz_reader_header(r, &hdr) == WZ_ROW) {
		if (w != NULL && !ro->no_header)
			wz_writer_row(w, hdr);
		while ((rc = wz_reader_next(r, &row)) != WZ_EOF &&
		    rc != WZ_FATAL) {
			if (rc == WZ_ROW) {
				n++;
				fold(h, row);
				if (w != NULL)
					wz_writer_row(w, row);
			}
		}
	}
	if (w != NULL)
		wz_writer_close(w);
	wz_reader_close(r);
	return n;
}

/* A fingerprint of everything the reader hands out, rejects and
 * messages included, with the fast split on or off. */
static uint64_t
trace(int in, const struct wz_ropts *ro, size_t chunk, int split)
{
	struct wz_reader *r = wz_reader_fdopen(in, "fuzz", ro);
	const struct wz_row *row;
	uint64_t h = 0, v[3];
	int rc;

	if (r == NULL)
		abort();
	lseek(in, 0, SEEK_SET);
	wz_reader_set_chunk(r, chunk);
	wz_reader_set_split(r, split);
	for (rc = wz_reader_header(r, &row);; rc = wz_reader_next(r, &row)) {
		v[0] = (uint64_t)(rc + 2);
		v[1] = rc >= WZ_BAD && rc != WZ_EOF ? row->line : 0;
		v[2] = rc >= WZ_BAD && rc != WZ_EOF ? row->lines : 0;
		h = (h ^ wz_hash(v, sizeof(v))) * 1099511628211ULL;
		if (rc == WZ_ROW || rc == WZ_BAD)
			fold(&h, row);
		if (rc == WZ_BAD || rc == WZ_FATAL)
			h = (h ^ wz_hash(wz_reader_error(r),
			    strlen(wz_reader_error(r)))) * 1099511628211ULL;
		if (rc == WZ_EOF || rc == WZ_FATAL)
			break;
	}
	wz_reader_close(r);
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wz_ropts ro = { 0 };
	unsigned long n1, n2;
	uint64_t h1 = 0, h2 = 0;
	size_t chunk;
	int in, out;

	if (size < 1)
		return 0;
	ro.tsv = data[0] & 1;
	ro.encoding = (data[0] & 2) ? "GB18030" : NULL;
	ro.no_header = (data[0] >> 2) & 1;
	ro.skip = (data[0] >> 3) & 1;
	ro.max_field = 4096;
	ro.max_cols = 64;
	chunk = 8 + (size_t)(data[0] >> 4) * 7;
	/* The reader's UTF-8 check of a chunk, whole, answers as the
	 * scalar check does. */
	{
		unsigned long nl1, nl2;
		size_t ok1, ok2, s1 = 3, s2 = 3;
		int why1, why2;

		ok1 = wz_reader_utf8_check(data + 1, size - 1, &why1, &nl1,
		    &s1);
		ok2 = wz_utf8_check_path(0, data + 1, size - 1, &why2, &nl2,
		    &s2);
		if (ok1 != ok2 || why1 != why2 || nl1 != nl2 || s1 != s2)
			abort();
	}
	in = memfd_with(data + 1, size - 1);
	if (trace(in, &ro, chunk, 1) != trace(in, &ro, chunk, 0))
		abort();
	lseek(in, 0, SEEK_SET);
	out = memfd_create("out", 0);
	n1 = drain(in, out, &ro, chunk, &h1);
	/* The passthrough is UTF-8 with the same records when the input
	 * was read without error up to its end. */
	lseek(out, 0, SEEK_SET);
	ro.encoding = NULL;
	ro.skip = 0;
	/*
	 * Output that happens to start with a zip header ("PK\3\4") is read
	 * back as a workbook, by design (detection by content): no
	 * round trip to check then.
	 */
	{
		char magic[4];

		if (pread(out, magic, 4, 0) == 4 &&
		    memcmp(magic, "PK\3\4", 4) == 0) {
			close(in);
			close(out);
			return 0;
		}
	}
	/* Every record written reads back, field for field (a trimmed
	 * space or a lost blank record would show here). */
	n2 = drain(out, -1, &ro, 64 * 1024, &h2);
	if (n2 != n1 || h2 != h1)
		abort();
	close(in);
	close(out);
	return 0;
}
