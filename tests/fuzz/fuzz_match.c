/*
 * libFuzzer target: the matcher (lib/wz_match.h) over random rows with
 * the shipped rules.  rules/ is loaded once; the input is a findings
 * sheet (CSV with a header) that goes through the same steps as
 * wz_match_run(): the history pass, binding, and every row matched, its
 * citations written to /dev/null.
 *
 * Property beyond "no crash": the Aho-Corasick prefilter changes nothing
 * (DESIGN.md "Performance notes": "identical results").  Every row is
 * matched by two matchers, one with the prefilter and one without, and
 * unless the unfiltered one hit a regex limit (it runs patterns the
 * filtered one may skip) they must give the same outcome and the same
 * citations, evidence and values.
 */
#include <fcntl.h>

#include "fuzz.h"

#include "wz_base.h"
#include "wz_csv.h"
#include "wz_match.h"
#include "wz_rules.h"

static struct wz_ruleset *rs;
static struct wz_matcher *mf, *mu;	/* prefilter on, off */
static struct wz_writer *w;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct wz_match_opts o = { 0 };
	struct wz_wopts wo = { 0 };
	int fd;

	(void)argc;
	(void)argv;
	wz_setprogname("fuzz_match");
	rs = wz_rules_new();
	if (wz_rules_load(rs, fuzz_rules_dir()) != 0 ||
	    wz_rules_finish(rs) != 0) {
		fprintf(stderr, "fuzz_match: cannot load %s\n",
		    fuzz_rules_dir());
		abort();
	}
	fuzz_quiet();
	o.explain = 1;
	if ((mf = wz_matcher_new(rs, &o)) == NULL)
		abort();
	o.no_prefilter = 1;
	o.explain = 0;
	o.labels_zh = 1;
	if ((mu = wz_matcher_new(rs, &o)) == NULL)
		abort();
	if ((fd = open("/dev/null", O_WRONLY)) == -1)
		abort();
	w = wz_writer_new(fd, "/dev/null", &wo);
	return 0;
}

static int
bind(int fd, const struct wz_ropts *ro)
{
	struct wz_reader *r;
	const struct wz_row *hdr, *row;
	int ok = 0, rc;

	lseek(fd, 0, SEEK_SET);
	if ((r = wz_reader_fdopen(fd, "fuzz", ro)) == NULL)
		abort();
	if (wz_reader_header(r, &hdr) == WZ_ROW &&
	    wz_matcher_bind(mf, hdr, "fuzz") == 0 &&
	    wz_matcher_bind(mu, hdr, "fuzz") == 0) {
		ok = 1;
		wz_matcher_history_reset(mf);
		wz_matcher_history_reset(mu);
		while ((rc = wz_reader_next(r, &row)) != WZ_EOF &&
		    rc != WZ_FATAL)
			if (rc == WZ_ROW) {
				if (wz_matcher_history_needed(mf))
					wz_matcher_history_row(mf, row);
				if (wz_matcher_history_needed(mu))
					wz_matcher_history_row(mu, row);
			}
	}
	wz_reader_close(r);
	return ok;
}

static void
same(const struct wz_citation *a, size_t na, const struct wz_citation *b,
    size_t nb)
{
	size_t i;

	if (na != nb)
		abort();
	for (i = 0; i < na; i++)
		if (a[i].art != b[i].art || a[i].severity != b[i].severity ||
		    strcmp(a[i].evidence, b[i].evidence) != 0 ||
		    strcmp(a[i].values, b[i].values) != 0 ||
		    strcmp(a[i].cases, b[i].cases) != 0 ||
		    strcmp(a[i].group, b[i].group) != 0)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wz_ropts ro = { 0 };
	struct wz_reader *r;
	const struct wz_row *hdr, *row;
	const struct wz_citation *ca, *cb;
	enum wz_match_result ra, rb;
	size_t na, nb, k;
	int fd, rc;

	ro.max_field = 16384;
	ro.max_cols = 256;
	fd = fuzz_memfd(data, size);
	if (!bind(fd, &ro))
		goto out;
	lseek(fd, 0, SEEK_SET);
	if ((r = wz_reader_fdopen(fd, "fuzz", &ro)) == NULL)
		abort();
	if (wz_reader_header(r, &hdr) == WZ_ROW) {
		wz_matcher_write_header(mf, w, hdr);
		while ((rc = wz_reader_next(r, &row)) != WZ_EOF &&
		    rc != WZ_FATAL) {
			if (rc != WZ_ROW)
				continue;
			ra = wz_matcher_row(mf, row);
			na = wz_matcher_citations(mf, &ca);
			for (k = 0; ra == WZ_M_MATCHED && k < na; k++)
				wz_matcher_write_citation(mf, w, row, &ca[k]);
			rb = wz_matcher_row(mu, row);
			nb = wz_matcher_citations(mu, &cb);
			for (k = 0; rb == WZ_M_MATCHED && k < nb; k++)
				wz_matcher_write_citation(mu, w, row, &cb[k]);
			if (rb == WZ_M_REJECTED || ra == WZ_M_REJECTED)
				continue;
			if (ra != rb)
				abort();
			/* Citations of the filtered run are still
			 * borrowed: the two matchers own their buffers. */
			na = wz_matcher_citations(mf, &ca);
			if (ra == WZ_M_MATCHED)
				same(ca, na, cb, nb);
		}
	}
	wz_reader_close(r);
	wz_writer_flush(w);
out:
	close(fd);
	return 0;
}
