/*
 * libFuzzer target: the CSV/TSV reader with encoding conversion, and the
 * writer.  The first byte picks the options (TSV, GB18030, header, skip,
 * read size), the rest is the file.  Property checked beyond "no crash":
 * a passthrough of what was read reads back to the same records.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "wz_base.h"
#include "wz_csv.h"

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

/* Read everything; write it to out if out >= 0.  Returns records read. */
static unsigned long
drain(int in, int out, const struct wz_ropts *ro, size_t chunk)
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wz_ropts ro = { 0 };
	unsigned long n1, n2;
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
	in = memfd_with(data + 1, size - 1);
	out = memfd_create("out", 0);
	n1 = drain(in, out, &ro, chunk);
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
	n2 = drain(out, -1, &ro, 64 * 1024);
	if (n2 < n1)
		abort();
	close(in);
	close(out);
	return 0;
}
