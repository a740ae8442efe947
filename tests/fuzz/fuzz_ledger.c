/*
 * libFuzzer target: the ledger (lib/wz_ledger.h) on arbitrary bytes as a
 * ledger file: `wz-ledger verify` (wz_ledger_verify), `head`, the event
 * reader and the fold of `state`, and the line codec.
 *
 * Properties beyond "no crash":
 *   - a ledger that verifies has a head, and verifies again with
 *     --expect SEQ:HASH built from that head;
 *   - a ledger that verifies still verifies after an append of a fixed
 *     recommendation (and the append succeeds or is refused, never
 *     leaves a ledger that fails to verify);
 *   - every line the codec splits is encoded back to fields that split
 *     to the same fields.
 */
#include <fcntl.h>
#include <sysexits.h>

#include "fuzz.h"

#include "wz_base.h"
#include "wz_csv.h"
#include "wz_ledger.h"

/* One recommendation as wz-penalty writes it (tests/golden/ledger-append). */
static const char rec[] =
"编号,单位,问题描述,article,article_text,evidence,severity,values,group,"
"liable_id,liable_name,liable_role,liable_rank,liable_party_member,tier,"
"proposer,decider,measures,alternatives,basis,handled_by,"
"no_promotion_until,rectify_by,needs_judgement\n"
"F001,通渭县/平襄镇,\"截留扶贫资金4.2万元,未及时拨付\",tongwei2017:5.11,"
"第五条第(十一)项,截留,serious,amount=42000,town,P0007,李明,"
"town_secretary,乡科级,y,direct,县委组织部,县委,admonish;no_promotion,"
"transfer|suspend,tongwei2017:5.11;tongwei2017:14,组织部,2026-06-30,"
"2025-09-30,y\n";

static FILE *devnull;
static int devnull_fd;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	wz_setprogname("fuzz_ledger");
	fuzz_quiet();
	if ((devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	devnull_fd = fileno(devnull);
	return 0;
}

static void
codec(const uint8_t *data, size_t size, int tsv)
{
	static struct wz_buf s1, s2, enc;
	const char *f[WZ_LEDGER_NCOLS + 2], *g[WZ_LEDGER_NCOLS + 2];
	size_t len[WZ_LEDGER_NCOLS + 2], glen[WZ_LEDGER_NCOLS + 2];
	const char *nl = memchr(data, '\n', size);
	size_t n = nl != NULL ? (size_t)(nl - (const char *)data) : size, i;
	int k, k2;

	k = wz_ledger_split((const char *)data, n, tsv, &s1, f, len,
	    WZ_LEDGER_NCOLS + 2);
	if (k < 0)
		return;
	/* Fields past max are counted, not stored. */
	if ((size_t)k > WZ_LEDGER_NCOLS + 2)
		return;
	/* A line break in a value is stored as a space (one event, one
	 * line): such a line does not come back the same. */
	for (i = 0; i < (size_t)k; i++)
		if (memchr(f[i], '\n', len[i]) != NULL ||
		    memchr(f[i], '\r', len[i]) != NULL)
			return;
	wz_buf_reset(&enc);
	wz_ledger_encode(&enc, tsv, f, len, (size_t)k);
	/* Each field is followed by the separator; drop the last. */
	if (enc.len == 0)
		abort();
	k2 = wz_ledger_split(enc.s, enc.len - 1, tsv, &s2, g, glen,
	    WZ_LEDGER_NCOLS + 2);
	if (k2 != k)
		abort();
	for (i = 0; i < (size_t)k; i++)
		if (glen[i] != len[i] || memcmp(g[i], f[i], len[i]) != 0)
			abort();
}

static void
append_once(const char *path)
{
	struct wz_ledger_opts o = { 0 };
	struct wz_ropts ro = { 0 };
	struct wz_reader *r;
	int fd = fuzz_memfd((const uint8_t *)rec, sizeof(rec) - 1), rc;

	o.at = "2025-03-01T08:00:00Z";
	o.by = "fuzz";
	if ((r = wz_reader_fdopen(fd, "rec", &ro)) == NULL)
		abort();
	rc = wz_ledger_append(path, &r, 1, &o);
	wz_reader_close(r);
	close(fd);
	if (rc != 0 && rc != EX_DATAERR && rc != WZ_EX_ROWS)
		abort();
	if (wz_ledger_verify(path, NULL, 1) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct wz_levent *ev;
	struct wz_lreader *lr;
	struct wz_lstate *st;
	struct wz_writer *w;
	struct wz_wopts wo = { 0 };
	const char *path;
	char line[256], expect[256], *sp;
	FILE *fp;
	int status, rc, verified;

	codec(data, size, 0);
	codec(data, size, 1);

	path = fuzz_file(".csv", data, size);
	verified = wz_ledger_verify(path, NULL, 1) == 0;

	/* head: "COUNT HASH"; a verified ledger's head verifies. */
	if ((fp = tmpfile()) == NULL)
		abort();
	rc = wz_ledger_head(path, fp, 0);
	if (verified) {
		if (rc != 0)
			abort();
		rewind(fp);
		if (fgets(line, sizeof(line), fp) == NULL ||
		    (sp = strchr(line, ' ')) == NULL)
			abort();
		*sp = ':';
		line[strcspn(line, "\n")] = '\0';
		snprintf(expect, sizeof(expect), "%s", line);
		/* An empty ledger has head "0 000..."; nothing to expect. */
		if (strncmp(expect, "0:", 2) != 0 &&
		    wz_ledger_verify(path, expect, 1) != 0)
			abort();
	}
	fclose(fp);

	/* The reader and the fold, as `state` and the reports use them. */
	if ((lr = wz_lreader_open(path, &status)) != NULL) {
		st = wz_lstate_new();
		while ((rc = wz_lreader_next(lr, &ev)) != WZ_EOF &&
		    rc != WZ_FATAL)
			if (rc == WZ_ROW)
				wz_lstate_add(st, ev, path);
		w = wz_writer_new(devnull_fd, "/dev/null", &wo);
		wz_lstate_write(st, w, size & 1);
		wz_writer_close(w);
		wz_lstate_free(st);
		wz_lreader_close(lr);
	} else if (status != EX_DATAERR && status != EX_NOINPUT &&
	    status != EX_IOERR)
		abort();

	if (verified)
		append_once(path);
	return 0;
}
