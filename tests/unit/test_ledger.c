/*
 * test_ledger.c - unit tests of lib/wz_ledger.c and lib/wz_sha.c: the
 * vocabulary of events, dates, ids, the line codec, the fold, and whole
 * ledgers in a temporary folder (append, verify, recover, a file-size
 * limit, and four processes appending at once).
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "wz_base.h"
#include "wz_csv.h"
#include "wz_ledger.h"
#include "wz_rules.h"
#include "wz_sha.h"

static char dir[64];

static int
setup(void **state)
{
	strcpy(dir, "/tmp/test_ledger.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int
teardown(void **state)
{
	char *cmd = wz_aprintf("rm -rf '%s'", dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

static char *
path(const char *name)
{
	return wz_aprintf("%s/%s", dir, name);
}

static void
put(const char *p, const char *text)
{
	FILE *fp = fopen(p, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static char *
slurp(const char *p)
{
	struct wz_buf b = { 0 };
	char buf[4096];
	size_t n;
	FILE *fp = fopen(p, "r");

	assert_non_null(fp);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		wz_buf_add(&b, buf, n);
	fclose(fp);
	wz_buf_cstr(&b);
	return b.s;
}

/* Run fn with stderr sent to /dev/null: the library reports on stderr
 * what these tests provoke on purpose. */
static int saved_err = -1;
static void
quiet(void)
{
	int fd = open("/dev/null", O_WRONLY);

	fflush(stderr);
	saved_err = dup(2);
	dup2(fd, 2);
	close(fd);
}
static void
loud(void)
{
	fflush(stderr);
	dup2(saved_err, 2);
	close(saved_err);
}

/* Append the CSV text in to the ledger led at a fixed time. */
static int
append_text(const char *led, const char *in, const char *at)
{
	char *ip = path("in.csv");
	struct wz_ledger_opts o = { 0 };
	struct wz_reader *r;
	char canon[WZ_AT_LEN + 1];
	int st;

	put(ip, in);
	assert_int_equal(wz_ledger_parse_at(at, canon), 0);
	o.at = canon;
	o.by = "tester";
	r = wz_reader_open(ip, NULL);
	assert_non_null(r);
	st = wz_ledger_append(led, &r, 1, &o);
	wz_reader_close(r);
	free(ip);
	return st;
}

static const char penalty[] =
    "编号,单位,article,liable_id,liable_name,tier,measures,alternatives,"
    "basis,no_promotion_until,rectify_by\n"
    "F001,通渭县/平襄镇,tongwei2017:5.11,P0007,李明,direct,"
    "admonish;no_promotion,transfer|suspend,tongwei2017:5.11,2026-06-30,"
    "2025-09-30\n"
    "F001,通渭县/平襄镇,tongwei2017:5.3,P0007,李明,direct,written_check,,"
    "tongwei2017:14,,\n"
    "F002,\"城关村, 三组\",tongwei2017:6.2,,张三,direct,reminder_letter,,"
    "tongwei2017:14,,\n";

static void
test_events(void **state)
{
	int i;

	for (i = 0; i < WZ_EV_COUNT; i++)
		assert_int_equal(wz_event_code(wz_event_name(i),
		    strlen(wz_event_name(i))), i);
	assert_int_equal(wz_event_code("close", 5), -1);
	assert_null(wz_event_name(WZ_EV_COUNT));

	assert_null(wz_event_refusal(WZ_EV_RECOMMENDED, WZ_EV_DECIDED));
	assert_null(wz_event_refusal(WZ_EV_DECIDED, WZ_EV_RECTIFY_DUE));
	assert_null(wz_event_refusal(WZ_EV_RECTIFY_DUE, WZ_EV_RECTIFIED));
	assert_null(wz_event_refusal(WZ_EV_RECTIFIED, WZ_EV_CLOSED));
	assert_null(wz_event_refusal(WZ_EV_CLOSED, WZ_EV_REOPENED));
	assert_null(wz_event_refusal(WZ_EV_APPEALED, WZ_EV_REVIEWED));
	assert_null(wz_event_refusal(WZ_EV_REVIEWED, WZ_EV_REVISED));
	assert_null(wz_event_refusal(WZ_EV_REOPENED, WZ_EV_REVISED));
	assert_non_null(strstr(wz_event_refusal(WZ_EV_CLOSED,
	    WZ_EV_RECTIFIED), "reopened"));
	assert_non_null(strstr(wz_event_refusal(WZ_EV_APPEALED,
	    WZ_EV_CLOSED), "reviewed"));
	assert_non_null(strstr(wz_event_refusal(WZ_EV_RECOMMENDED,
	    WZ_EV_RECTIFIED), "decided"));
	assert_non_null(strstr(wz_event_refusal(WZ_EV_DECIDED,
	    WZ_EV_DECIDED), "revised"));
	assert_non_null(wz_event_refusal(WZ_EV_DECIDED, WZ_EV_RECOMMENDED));
	assert_non_null(wz_event_refusal(WZ_EV_RECTIFY_DUE, WZ_EV_CLOSED));
	assert_non_null(wz_event_refusal(-1, WZ_EV_DECIDED));
}

static void
test_dates(void **state)
{
	char at[WZ_AT_LEN + 1];

	assert_true(wz_ledger_date_ok("2024-02-29", 10));
	assert_false(wz_ledger_date_ok("2023-02-29", 10));
	assert_false(wz_ledger_date_ok("1900-02-29", 10));
	assert_true(wz_ledger_date_ok("2000-02-29", 10));
	assert_false(wz_ledger_date_ok("2024-13-01", 10));
	assert_false(wz_ledger_date_ok("2024-04-31", 10));
	assert_false(wz_ledger_date_ok("2024-4-1", 8));
	assert_false(wz_ledger_date_ok("2024/04/01", 10));

	assert_int_equal(wz_ledger_parse_at("2025-03-01", at), 0);
	assert_string_equal(at, "2025-03-01T00:00:00Z");
	assert_int_equal(wz_ledger_parse_at("2025-03-01T08:09:10Z", at), 0);
	assert_string_equal(at, "2025-03-01T08:09:10Z");
	assert_int_equal(wz_ledger_parse_at("2025-03-01T08:09:10", at), -1);
	assert_int_equal(wz_ledger_parse_at("2025-03-01T24:00:00Z", at), -1);
	assert_int_equal(wz_ledger_parse_at("2025-03-01 08:09:10Z", at), -1);
	wz_ledger_now(at);
	assert_int_equal(strlen(at), WZ_AT_LEN);
	assert_int_equal(at[19], 'Z');
}

static void
test_ids(void **state)
{
	char id[WZ_CASE_ID_LEN + 1], hex[WZ_SHA_HEXLEN + 1];
	struct wz_sha *s = wz_sha_new();

	/* printf 'abc' | sha256sum */
	wz_sha_update(s, "abc", 3);
	wz_sha_hex(s, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	/* The context is ready again, and pairs are concatenations. */
	wz_sha_pair_hex(s, "a", 1, "bc", 2, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	wz_sha_free(s);
	assert_true(wz_sha_is_hex(hex, 64));
	assert_false(wz_sha_is_hex(hex, 63));
	hex[5] = 'A';
	assert_false(wz_sha_is_hex(hex, 64));

	/* printf 'F001\037tongwei2017:5.11\037P0007\037direct\037' |
	 * sha256sum | cut -c1-16 */
	wz_ledger_case_id("F001", "tongwei2017:5.11", "P0007", "direct", id);
	assert_string_equal(id, "f7032de2b31b4418");
	wz_ledger_case_id("F002", "tongwei2017:6.2", "张三", "direct", id);
	assert_string_equal(id, "4da6676b2fe30b42");
}

static void
roundtrip(int tsv)
{
	const char *in[] = { "plain", "a,b", "say \"hi\"", "", "tab\there",
	    "back\\slash", "二组/张三", "\"", "," };
	const char *out[9];
	size_t len[9], olen[9], i, n = sizeof(in) / sizeof(in[0]);
	struct wz_buf b = { 0 }, scratch = { 0 };

	for (i = 0; i < n; i++)
		len[i] = strlen(in[i]);
	wz_ledger_encode(&b, tsv, in, len, n);
	/* Every field is followed by the separator: the hash goes last. */
	assert_int_equal(b.s[b.len - 1], tsv ? '\t' : ',');
	assert_null(memchr(b.s, '\n', b.len));
	wz_buf_add(&b, "end", 3);
	assert_int_equal(wz_ledger_split(b.s, b.len, tsv, &scratch, out, olen,
	    9), (int)n + 1);
	for (i = 0; i < n; i++) {
		assert_int_equal(olen[i], len[i]);
		assert_memory_equal(out[i], in[i], len[i]);
	}
	wz_buf_free(&b);
	wz_buf_free(&scratch);
}

static void
test_codec(void **state)
{
	const char *nl[] = { "two\nlines\r\nhere" }, *f[4];
	size_t len[4] = { 15 };
	struct wz_buf b = { 0 }, scratch = { 0 };

	roundtrip(0);
	roundtrip(1);
	/* A line break becomes a space, so a record stays one line. */
	wz_ledger_encode(&b, 0, nl, len, 1);
	assert_string_equal(wz_buf_cstr(&b), "\"two lines  here\",");
	wz_buf_reset(&b);
	/* So in TSV. */
	wz_ledger_encode(&b, 1, nl, len, 1);
	assert_string_equal(wz_buf_cstr(&b), "two lines  here\t");

	assert_int_equal(wz_ledger_split("a,\"b", 4, 0, &scratch, f, len, 4),
	    -1);
	assert_int_equal(wz_ledger_split("a\"b,c", 5, 0, &scratch, f, len, 4),
	    -1);
	assert_int_equal(wz_ledger_split("\"a\"b,c", 6, 0, &scratch, f, len,
	    4), -1);
	assert_int_equal(wz_ledger_split("", 0, 0, &scratch, f, len, 4), 1);
	assert_int_equal(wz_ledger_split("a,,", 3, 0, &scratch, f, len, 4), 3);
	assert_int_equal(len[1], 0);
	/* More fields than room: counted, not stored. */
	assert_int_equal(wz_ledger_split("1,2,3,4,5,6", 11, 0, &scratch, f,
	    len, 4), 6);
	assert_string_equal(f[3], "4");
	wz_buf_free(&b);
	wz_buf_free(&scratch);
}

static void
test_append_verify(void **state)
{
	char *led = path("a.csv"), *text, *p, *q;
	const char *hdr = "seq,at,date,event,case_id,finding_id,article,"
	    "liable_id,liable_name,liable_rank,tier,place,amount,measures,"
	    "alternatives,basis,no_promotion_until,rectify_by,by,note,hash\n";
	struct stat st;
	FILE *fp;
	char headline[128];

	quiet();
	assert_int_equal(append_text(led, penalty, "2025-03-01"), 0);
	loud();
	assert_int_equal(stat(led, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640 & ~umask(022));
	text = slurp(led);
	assert_memory_equal(text, hdr, strlen(hdr));
	assert_non_null(strstr(text, "\n1,2025-03-01T00:00:00Z,2025-03-01,"
	    "recommended,f7032de2b31b4418,F001,tongwei2017:5.11,P0007,李明,,"
	    "direct,通渭县/平襄镇,,admonish;no_promotion,transfer|suspend,"
	    "tongwei2017:5.11,2026-06-30,2025-09-30,tester,,"));
	assert_non_null(strstr(text, ",\"城关村, 三组\","));

	/* The same input again adds nothing. */
	quiet();
	assert_int_equal(append_text(led, penalty, "2025-03-02"), 0);
	assert_int_equal(wz_ledger_verify(led, NULL, 0), 0);
	loud();
	p = slurp(led);
	assert_string_equal(p, text);
	free(p);

	fp = tmpfile();
	assert_int_equal(wz_ledger_head(led, fp, 0), 0);
	rewind(fp);
	assert_non_null(fgets(headline, sizeof(headline), fp));
	fclose(fp);
	assert_int_equal(strncmp(headline, "3 ", 2), 0);
	assert_int_equal(strlen(headline), 2 + 64 + 1);

	/* One changed byte is found. */
	p = strstr(text, "written_check");
	*p = 'W';
	put(led, text);
	quiet();
	assert_int_equal(wz_ledger_verify(led, NULL, 1), EX_DATAERR);
	loud();
	*p = 'w';
	put(led, text);
	/* --expect: a ledger cut short is found. */
	headline[strlen(headline) - 1] = '\0';
	*strchr(headline, ' ') = ':';
	assert_int_equal(wz_ledger_verify(led, headline, 1), 0);
	q = strrchr(text, '\n');
	*q = '\0';
	q = strrchr(text, '\n');
	q[1] = '\0';
	put(led, text);
	quiet();
	assert_int_equal(wz_ledger_verify(led, NULL, 1), 0);
	assert_int_equal(wz_ledger_verify(led, headline, 1), EX_DATAERR);
	/* Not a ledger. */
	p = path("in.csv");
	assert_int_equal(wz_ledger_verify(p, NULL, 1), EX_DATAERR);
	free(p);
	p = path("none.csv");
	assert_int_equal(wz_ledger_verify(p, NULL, 1), EX_NOINPUT);
	free(p);
	loud();
	free(text);
	free(led);
}

static void
test_rejects(void **state)
{
	char *led = path("r.csv");

	quiet();
	/* Rows without an article or a liable party are rejected, the
	 * rest appended: exit 1. */
	assert_int_equal(append_text(led, "id,article,liable_name,tier\n"
	    "1,a:1,甲,direct\n2,,乙,direct\n3,a:2,,direct\n", "2025-03-01"),
	    WZ_EX_ROWS);
	/* No article column: nothing is appended. */
	assert_int_equal(append_text(led, "id,liable_name\n1,甲\n",
	    "2025-03-01"), EX_DATAERR);
	assert_int_equal(wz_ledger_verify(led, NULL, 1), 0);
	loud();
	free(led);
}

static void
test_events_file(void **state)
{
	char *led = path("e.csv");
	struct wz_event_args a = { 0 };
	struct wz_ledger_opts o = { 0 };
	char at[WZ_AT_LEN + 1];

	quiet();
	assert_int_equal(append_text(led, penalty, "2025-03-01"), 0);
	wz_ledger_parse_at("2025-03-10", at);
	o.at = at;
	/* --by is required. */
	a.measures = "admonish";
	assert_int_equal(wz_ledger_event(led, "f7032de2b31b4418", "decided",
	    &a, &o), EX_USAGE);
	o.by = "县纪委";
	assert_int_equal(wz_ledger_event(led, "f7032de2b31b4418", "decided",
	    &a, &o), 0);
	a.measures = NULL;
	assert_int_equal(wz_ledger_event(led, "f7032de2b31b4418", "closed",
	    &a, &o), 0);
	assert_int_equal(wz_ledger_event(led, "f7032de2b31b4418", "rectified",
	    &a, &o), EX_DATAERR);
	assert_int_equal(wz_ledger_event(led, "f7032de2b31b4418", "reopened",
	    &a, &o), 0);
	assert_int_equal(wz_ledger_event(led, "0123456789abcdef", "closed",
	    &a, &o), EX_DATAERR);
	assert_int_equal(wz_ledger_event(led, "f7032de2b31b4418", "bogus",
	    &a, &o), EX_USAGE);
	a.measures = "nonsense";
	assert_int_equal(wz_ledger_event(led, "f7032de2b31b4418", "revised",
	    &a, &o), EX_USAGE);
	a.measures = NULL;
	a.rectify_by = "2025-02-30";
	assert_int_equal(wz_ledger_event(led, "f7032de2b31b4418",
	    "rectify_due", &a, &o), EX_USAGE);
	assert_int_equal(wz_ledger_verify(led, NULL, 1), 0);
	loud();
	free(led);
}

static void
test_state(void **state)
{
	char *led = path("s.csv"), *out = path("state.csv"), *text;
	struct wz_writer *w;
	char *paths[1];
	int fd;

	quiet();
	assert_int_equal(append_text(led, penalty, "2025-03-01"), 0);
	loud();
	paths[0] = led;
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	w = wz_writer_new(fd, out, NULL);
	assert_int_equal(wz_ledger_state(paths, 1, w, 1), 0);
	assert_int_equal(wz_writer_close(w), 0);
	close(fd);
	text = slurp(out);
	/* One 台账 row for 李明 in F001 listing both articles. */
	assert_non_null(strstr(text, "\nf7032de2b31b4418;a0bbfcf7e951a62b,"
	    "F001,tongwei2017:5.11;tongwei2017:5.3,P0007,李明,,direct,"
	    "通渭县/平襄镇,,recommended,admonish;no_promotion;written_check,"
	    "transfer|suspend,tongwei2017:5.11;tongwei2017:14,2026-06-30,"
	    "2025-09-30,"));
	free(text);
	free(led);
	free(out);
}

/* The record of line `line` (2 is the first record) of a ledger. */
static void
record(const char *led, unsigned long line, char *out[WZ_LEDGER_NCOLS])
{
	struct wz_lreader *r;
	const struct wz_levent *e;
	int st, i, rc;

	assert_non_null(r = wz_lreader_open(led, &st));
	while ((rc = wz_lreader_next(r, &e)) == WZ_ROW && e->line != line)
		;
	assert_int_equal(rc, WZ_ROW);
	for (i = 0; i < WZ_LEDGER_NCOLS; i++)
		out[i] = wz_strdup(e->f[i]);
	wz_lreader_close(r);
}

static void
free_record(char *f[WZ_LEDGER_NCOLS])
{
	int i;

	for (i = 0; i < WZ_LEDGER_NCOLS; i++)
		free(f[i]);
}

/*
 * The columns issue 8 added: date (--on, --date), liable_rank, and amount
 * from values, else the amount column, read as yuan; the group's amount
 * counts each sum of its finding once.
 */
static void
test_rank_amount_date(void **state)
{
	static const char in[] =
	    "编号,单位,涉及金额,article,values,liable_id,liable_name,"
	    "liable_rank,tier,measures\n"
	    "A1,平襄镇,4.2万元,t:1,amount=42000;days=98,P1,甲,乡科级,direct,"
	    "talk\n"
	    "A1,平襄镇,4.2万元,t:2,days=98,P1,甲,乡科级,direct,talk\n"
	    "A1,平襄镇,4.2万元,t:3,amount=8000,P1,甲,乡科级,direct,talk\n"
	    "A2,平襄镇,\"35,000元\",t:1,,P3,丙,村干部,direct,talk\n"
	    "A3,平襄镇,不详,t:1,,P4,丁,,direct,talk\n"
	    "A4,平襄镇,,t:1,amount=12.5,P5,戊,,direct,talk\n"
	    "A5,平襄镇,200,t:1,amount=很多,P6,己,,direct,talk\n";
	static const char *const amounts[] = { "42000", "42000", "8000",
	    "35000", "", "12.5", "200" };
	char *led = path("d.csv"), *ip = path("d-in.csv"), *out =
	    path("d-state.csv"), *f[WZ_LEDGER_NCOLS], *text, *paths[1];
	char at[WZ_AT_LEN + 1];
	struct wz_ledger_opts o = { 0 };
	struct wz_event_args a = { 0 };
	struct wz_reader *r;
	struct wz_writer *w;
	unsigned long i;
	int fd;

	put(ip, in);
	wz_ledger_parse_at("2025-03-01T08:00:00Z", at);
	o.at = at;
	o.by = "tester";
	o.on = "2025-02-30";
	assert_non_null(r = wz_reader_open(ip, NULL));
	quiet();
	/* --on must be a date. */
	assert_int_equal(wz_ledger_append(led, &r, 1, &o), EX_USAGE);
	o.on = "2025-02-28";
	/* A3's amount is not a sum: reported, recorded without it (1). */
	assert_int_equal(wz_ledger_append(led, &r, 1, &o), WZ_EX_ROWS);
	loud();
	wz_reader_close(r);
	for (i = 0; i < 7; i++) {
		record(led, i + 2, f);
		assert_string_equal(f[WZ_LC_DATE], "2025-02-28");
		assert_string_equal(f[WZ_LC_AMOUNT], amounts[i]);
		assert_string_equal(f[WZ_LC_LIABLE_RANK], i < 3 ? "乡科级" :
		    i == 3 ? "村干部" : "");
		free_record(f);
	}
	/* A decision's date is --date; without it the day of --at. */
	quiet();
	o.on = NULL;
	wz_ledger_parse_at("2025-03-10T01:00:00Z", at);
	record(led, 2, f);
	a.measures = "admonish";
	a.date = "2025-03-05";
	o.note = "x";
	assert_int_equal(wz_ledger_event(led, f[WZ_LC_CASE], "decided", &a,
	    &o), 0);
	a.measures = NULL;
	a.date = NULL;
	o.note = NULL;
	assert_int_equal(wz_ledger_event(led, f[WZ_LC_CASE], "closed", &a,
	    &o), 0);
	free_record(f);
	assert_int_equal(wz_ledger_verify(led, NULL, 1), 0);
	loud();
	record(led, 9, f);
	assert_string_equal(f[WZ_LC_EVENT], "decided");
	assert_string_equal(f[WZ_LC_DATE], "2025-03-05");
	assert_string_equal(f[WZ_LC_NOTE], "x");
	assert_string_equal(f[WZ_LC_AMOUNT], "42000");	/* carried over */
	assert_string_equal(f[WZ_LC_LIABLE_RANK], "乡科级");
	free_record(f);
	record(led, 10, f);
	assert_string_equal(f[WZ_LC_DATE], "2025-03-10");
	assert_string_equal(f[WZ_LC_NOTE], "");
	free_record(f);

	/* 甲's 台账 row: 42000 (twice) and 8000 make 50000. */
	paths[0] = led;
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	w = wz_writer_new(fd, out, NULL);
	assert_int_equal(wz_ledger_state(paths, 1, w, 1), 0);
	assert_int_equal(wz_writer_close(w), 0);
	close(fd);
	text = slurp(out);
	assert_int_equal(strncmp(text, "case_id,finding_id,article,"
	    "liable_id,liable_name,liable_rank,tier,place,amount,status,",
	    strlen("case_id,finding_id,article,liable_id,liable_name,"
	    "liable_rank,tier,place,amount,status,")), 0);
	assert_non_null(strstr(text, ",A1,t:1;t:2;t:3,P1,甲,乡科级,direct,"
	    "平襄镇,50000,closed;recommended,"));
	assert_non_null(strstr(text, ",2025-03-10,tester,,5,"));
	assert_non_null(strstr(text, ",A3,t:1,P4,丁,,direct,平襄镇,,"));
	free(text);
	free(led);
	free(ip);
	free(out);
}

static void
test_recover(void **state)
{
	char *led = path("t.csv"), *text, *torn, *cut, *whole;
	size_t n;

	quiet();
	assert_int_equal(append_text(led, penalty, "2025-03-01"), 0);
	text = slurp(led);
	n = strlen(text);
	/* Cut the last record in half. */
	text[n - 40] = '\0';
	put(led, text);
	assert_int_equal(wz_ledger_verify(led, NULL, 1), EX_DATAERR);
	assert_int_equal(append_text(led, penalty, "2025-03-01"), EX_DATAERR);
	assert_int_equal(wz_ledger_recover(led, "2025-04-01T00:00:00Z"), 0);
	assert_int_equal(wz_ledger_verify(led, NULL, 1), 0);
	/* The torn tail is moved aside whole, the rest kept. */
	torn = path("t.csv.torn-20250401T000000Z");
	cut = slurp(torn);
	whole = slurp(led);
	assert_int_equal(strlen(whole) + strlen(cut), n - 40);
	assert_memory_equal(whole, text, strlen(whole));
	assert_string_equal(cut, text + strlen(whole));
	assert_null(strchr(cut, '\n'));
	free(cut);
	free(whole);
	/* Nothing more to recover; appending completes the ledger. */
	assert_int_equal(wz_ledger_recover(led, NULL), 0);
	assert_int_equal(append_text(led, penalty, "2025-03-01"), 0);
	assert_int_equal(wz_ledger_verify(led, NULL, 1), 0);
	loud();
	free(text);
	free(torn);
	free(led);
}

static void
test_fsize(void **state)
{
	char *led = path("f.csv"), *before, *after, *big;
	struct wz_buf in = { 0 };
	struct rlimit rl;
	pid_t pid;
	int i, st;

	quiet();
	assert_int_equal(append_text(led, penalty, "2025-03-01"), 0);
	loud();
	before = slurp(led);
	wz_buf_adds(&in, "id,article,liable_name\n");
	for (i = 0; i < 2000; i++)
		wz_buf_printf(&in, "G%d,a:1,某%d\n", i, i);
	big = wz_strdup(wz_buf_cstr(&in));
	if ((pid = fork()) == 0) {
		signal(SIGXFSZ, SIG_IGN);
		rl.rlim_cur = rl.rlim_max = strlen(before) + 4096;
		setrlimit(RLIMIT_FSIZE, &rl);
		quiet();
		_exit(append_text(led, big, "2025-03-02"));
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), EX_IOERR);
	after = slurp(led);
	assert_string_equal(before, after);
	free(before);
	free(after);
	free(big);
	wz_buf_free(&in);
	free(led);
}

static void
test_note(void **state)
{
	struct wz_buf b = { 0 };
	const char *s, *t;
	size_t n;

	/* Entries, then the text after note=, which may hold ; and =. */
	wz_ledger_note_make(&b, "case=town_average;year=2017", 27,
	    "复核; a=b", strlen("复核; a=b"));
	assert_string_equal(b.s, "case=town_average;year=2017;note=复核; a=b");
	assert_int_equal(wz_ledger_note_get(b.s, b.len, "case", &s, &n), 1);
	assert_int_equal(n, 12);
	assert_memory_equal(s, "town_average", 12);
	assert_int_equal(wz_ledger_note_get(b.s, b.len, "year", &s, &n), 1);
	assert_memory_equal(s, "2017", 4);
	assert_int_equal(wz_ledger_note_get(b.s, b.len, "a", &s, &n), 0);
	n = wz_ledger_note_text(b.s, b.len, &t);
	assert_int_equal(n, strlen("复核; a=b"));
	assert_memory_equal(t, "复核; a=b", n);

	/* A text alone stays as it is; older ledgers' notes are text. */
	wz_ledger_note_make(&b, "", 0, "经复核属实", strlen("经复核属实"));
	assert_string_equal(b.s, "经复核属实");
	assert_int_equal(wz_ledger_note_get(b.s, b.len, "case", &s, &n), 0);
	assert_int_equal(wz_ledger_note_text(b.s, b.len, &t), b.len);
	/* ... unless it would read as an entry. */
	wz_ledger_note_make(&b, "", 0, "case=x; typed", 13);
	assert_string_equal(b.s, "note=case=x; typed");
	assert_int_equal(wz_ledger_note_get(b.s, b.len, "case", &s, &n), 0);
	assert_int_equal(wz_ledger_note_text(b.s, b.len, &t), 13);
	/* Entries without text; nothing at all. */
	wz_ledger_note_make(&b, "year=2018", 9, "", 0);
	assert_string_equal(b.s, "year=2018");
	assert_int_equal(wz_ledger_note_text(b.s, b.len, &t), 0);
	wz_ledger_note_make(&b, "", 0, "", 0);
	assert_string_equal(b.s, "");
	/* Reading stops at the first part that is not NAME=VALUE. */
	assert_int_equal(wz_ledger_note_get("case=a;see file;year=2017", 25,
	    "year", &s, &n), 0);
	assert_int_equal(wz_ledger_note_text("case=a;see file;year=2017", 25,
	    &t), 18);
	wz_buf_free(&b);
}

/* What wz_ledger_history gives: one line per case taken. */
struct took {
	struct wz_buf	 b;
	const char	*article;	/* wanted; NULL: every article */
};

static int
want_fn(void *arg, const char *article, const char *cases)
{
	struct took *t = arg;

	return t->article == NULL || strcmp(article, t->article) == 0;
}

static void
take_fn(void *arg, const struct wz_lhcase *c)
{
	struct took *t = arg;

	wz_buf_printf(&t->b, "%s %s %s %d %s %s %s %d\n", c->article,
	    c->cases, c->place, c->year, c->tier, c->liable_name,
	    wz_event_name(c->status), c->line > 1);
}

static const char grades[] =
    "编号,单位,年度,考核等次,article,values,liable_id,liable_name,tier,"
    "measures\n"
    "K1,东河镇,2017,一般,tongwei2017:11.1,case=town_average,,东河镇,"
    "collective,team_grade_average\n"
    "K1,东河镇,2017,一般,tongwei2017:11.1,case=town_average,P1,陈红梅,"
    "main_leader,admonish\n"
    "K2,西山乡,2017年度,较差,tongwei2017:11.1,case=town_poor_or_twice,,"
    "西山乡,collective,team_grade_poor\n"
    "K3,南川镇,,一般,tongwei2017:11.1,case=town_average,,南川镇,"
    "collective,team_grade_average\n"
    "F1,平襄镇,2017,,tongwei2017:5.11,amount=5000,P2,李明,direct,"
    "admonish\n";

static void
test_history(void **state)
{
	char *led = path("h.csv"), *bad = path("bad.csv"), *text, *torn;
	char *paths[2];
	char id[WZ_CASE_ID_LEN + 1];
	struct wz_event_args a = { 0 };
	struct wz_ledger_opts o = { 0 };
	struct wz_lhist_stats st;
	struct took t = { { 0 }, "tongwei2017:11.1" };
	char at[WZ_AT_LEN + 1];

	quiet();
	assert_int_equal(append_text(led, grades, "2018-03-01"), 0);
	text = slurp(led);
	/* The rule cases and the year go into the note; a year column
	 * "2017年度" is read, an empty one leaves year= out. */
	assert_non_null(strstr(text, ",case=town_average;year=2017,"));
	assert_non_null(strstr(text, ",case=town_poor_or_twice;year=2017,"));
	assert_non_null(strstr(text, ",case=town_average,"));
	assert_non_null(strstr(text, ",year=2017,"));
	free(text);

	paths[0] = led;
	assert_int_equal(wz_ledger_history(paths, 1, want_fn, take_fn, &t,
	    &st), 0);
	assert_string_equal(wz_buf_cstr(&t.b),
	    "tongwei2017:11.1 town_average 东河镇 2017 collective 东河镇 "
	    "recommended 1\n"
	    "tongwei2017:11.1 town_average 东河镇 2017 main_leader 陈红梅 "
	    "recommended 1\n"
	    "tongwei2017:11.1 town_poor_or_twice 西山乡 2017 collective 西山乡 "
	    "recommended 1\n");
	assert_int_equal(st.records, 5);
	assert_int_equal(st.cases, 3);
	assert_int_equal(st.counted, 3);
	assert_int_equal(st.unplaced, 1);	/* 南川镇: no year */

	/* Decided, then closed: still history.  Closed without a decision
	 * (dropped): none.  The event carries the entries over. */
	wz_ledger_parse_at("2018-04-01", at);
	o.at = at;
	o.by = "县委";
	o.note = "经复核";
	a.measures = "team_grade_average";
	wz_ledger_case_id("K1", "tongwei2017:11.1", "东河镇", "collective", id);
	assert_int_equal(wz_ledger_event(led, id, "decided", &a, &o), 0);
	a.measures = NULL;
	assert_int_equal(wz_ledger_event(led, id, "closed", &a, &o), 0);
	wz_ledger_case_id("K1", "tongwei2017:11.1", "P1", "main_leader", id);
	assert_int_equal(wz_ledger_event(led, id, "closed", &a, &o), 0);
	text = slurp(led);
	assert_non_null(strstr(text,
	    ",case=town_average;year=2017;note=经复核,"));
	free(text);
	wz_buf_reset(&t.b);
	assert_int_equal(wz_ledger_history(paths, 1, want_fn, take_fn, &t,
	    &st), 0);
	assert_string_equal(wz_buf_cstr(&t.b),
	    "tongwei2017:11.1 town_average 东河镇 2017 collective 东河镇 "
	    "closed 1\n"
	    "tongwei2017:11.1 town_poor_or_twice 西山乡 2017 collective 西山乡 "
	    "recommended 1\n");
	assert_int_equal(st.cases, 3);
	assert_int_equal(st.counted, 2);
	assert_int_equal(wz_ledger_verify(led, NULL, 1), 0);

	/* Only what want() takes is kept. */
	wz_buf_reset(&t.b);
	t.article = "tongwei2017:5.11";
	assert_int_equal(wz_ledger_history(paths, 1, want_fn, take_fn, &t,
	    &st), 0);
	assert_string_equal(wz_buf_cstr(&t.b), "");
	assert_int_equal(st.cases, 0);
	assert_int_equal(st.unplaced, 1);	/* F1: no case= */

	/* A ledger that does not verify, torn or edited, gives nothing:
	 * an error, never part of the history. */
	text = slurp(led);
	torn = wz_strdup(text);
	torn[strlen(torn) - 10] = '\0';
	put(bad, torn);
	paths[1] = bad;
	wz_buf_reset(&t.b);
	assert_int_equal(wz_ledger_history(paths, 2, want_fn, take_fn, &t,
	    &st), EX_DATAERR);
	assert_string_equal(wz_buf_cstr(&t.b), "");
	memcpy(strstr(text, "西山乡"), "东", strlen("东"));
	put(bad, text);
	assert_int_equal(wz_ledger_history(paths + 1, 1, want_fn, take_fn,
	    &t, &st), EX_DATAERR);
	free(text);
	free(torn);
	free(bad);
	bad = path("none.csv");
	paths[1] = bad;
	assert_int_equal(wz_ledger_history(paths + 1, 1, want_fn, take_fn,
	    &t, &st), EX_NOINPUT);
	assert_string_equal(wz_buf_cstr(&t.b), "");
	loud();
	wz_buf_free(&t.b);
	free(bad);
	free(led);
}

static void
test_concurrent(void **state)
{
	char *led = path("c.csv"), *text, *p;
	struct wz_buf in = { 0 };
	pid_t pid[4];
	int w, i, st, lines = 0;
	FILE *fp;
	char head[128];

	for (w = 0; w < 4; w++) {
		if ((pid[w] = fork()) != 0)
			continue;
		wz_buf_adds(&in, "id,article,liable_name,tier\n");
		for (i = 0; i < 100; i++)
			wz_buf_printf(&in, "W%d-%d,a:%d,某,direct\n", w, i, i);
		quiet();
		/* Each child writes its own input file. */
		snprintf(dir + strlen(dir), 8, "/w%d", w);
		mkdir(dir, 0700);
		_exit(append_text(led, wz_buf_cstr(&in), "2025-03-01"));
	}
	for (w = 0; w < 4; w++) {
		assert_int_equal(waitpid(pid[w], &st, 0), pid[w]);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 0);
	}
	assert_int_equal(wz_ledger_verify(led, NULL, 1), 0);
	fp = tmpfile();
	assert_int_equal(wz_ledger_head(led, fp, 0), 0);
	rewind(fp);
	assert_non_null(fgets(head, sizeof(head), fp));
	fclose(fp);
	assert_int_equal(strncmp(head, "400 ", 4), 0);
	text = slurp(led);
	for (p = text; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	assert_int_equal(lines, 401);
	free(text);
	free(led);
}

/*
 * wz-ledger loads no rules (DESIGN.md Decision 8), so it keeps its own
 * copies of some header aliases of rules/headers.yaml: each list is the
 * canonical name, then exactly the aliases the file gives that field.
 */
static void
same_aliases(const struct wz_aliases *al, const char *const *list)
{
	size_t i, j, nfile = 0, nlist = 0;

	for (i = 0; i < al->n; i++) {
		if (strcmp(al->v[i].field, list[0]) != 0)
			continue;
		nfile++;
		for (j = 1; list[j] != NULL; j++)
			if (strcmp(list[j], al->v[i].header) == 0)
				break;
		if (list[j] == NULL)
			fail_msg("%s: %s is in headers.yaml, not in wz_ledger.c",
			    list[0], al->v[i].header);
	}
	for (j = 1; list[j] != NULL; j++)
		nlist++;
	if (nlist != nfile)
		fail_msg("%s: wz_ledger.c has %zu aliases, headers.yaml %zu",
		    list[0], nlist, nfile);
}

static void
test_header_copies(void **state)
{
	const char *rdir = getenv("WENZE_RULES");
	struct wz_ruleset *rs = wz_rules_new();
	struct wz_aliases al;
	char path[4096];

	(void)state;
	snprintf(path, sizeof(path), "%s/headers.yaml", rdir != NULL ? rdir :
	    "rules");
	assert_int_equal(wz_rules_load(rs, path), 0);
	al = wz_rules_aliases(rs);
	assert_true(al.n > 0);
	same_aliases(&al, wz_ledger_amount_columns);
	same_aliases(&al, wz_ledger_year_columns);
	same_aliases(&al, wz_ledger_date_columns);
	same_aliases(&al, wz_ledger_found_columns);
	wz_rules_free(rs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_codec),
		cmocka_unit_test_setup_teardown(test_append_verify, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rejects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rank_amount_date, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_recover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsize, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent, setup,
		    teardown),
		cmocka_unit_test(test_note),
		cmocka_unit_test(test_header_copies),
		cmocka_unit_test_setup_teardown(test_history, setup, teardown),
	};

	wz_setprogname("test_ledger");
	return cmocka_run_group_tests_name("ledger", tests, NULL, NULL);
}
