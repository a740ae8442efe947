/*
 * Unit tests of the roster model (wz_roster): the cell readers, maps, and
 * whole sheets fed row by row through a roster into a file, with the
 * rules in rules/ ($WENZE_RULES).  Messages on stderr are caught in a
 * file and checked too.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "wz_base.h"
#include "wz_csv.h"
#include "wz_idcard.h"
#include "wz_roster.h"
#include "wz_rules.h"

/*
 * The roster itself is compiled in here with names hashed into 16
 * values, so that in every test below different names share hashes: a
 * lookup that took a hash for a name would merge different people
 * (test_name_hash makes sure of it).
 */
#define NAME_HASH(s, n)	(wz_hash_mem((s), (n)) & 15)
#include "wz_roster.c"

static struct wz_ruleset *rs;

static const char *
rules_dir(void)
{
	const char *d = getenv("WENZE_RULES");

	return d != NULL ? d : "rules";
}

static int
setup(void **state)
{
	char *p;
	int nerr = 0;

	(void)state;
	rs = wz_rules_new();
	p = wz_aprintf("%s/headers.yaml", rules_dir());
	nerr += wz_rules_load(rs, p);
	free(p);
	p = wz_aprintf("%s/posts.yaml", rules_dir());
	nerr += wz_rules_load(rs, p);
	free(p);
	if (nerr == 0)
		nerr = wz_rules_finish(rs);
	return nerr;
}

static int
teardown(void **state)
{
	(void)state;
	wz_rules_free(rs);
	return 0;
}

/* A row from a NULL-terminated list of cells. */
struct trow {
	struct wz_row	 r;
	char		*f[32];
	size_t		 len[32];
};

static void
mkrow(struct trow *t, unsigned long line, const char *const *cells)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; cells[i] != NULL; i++) {
		t->f[i] = (char *)cells[i];
		t->len[i] = strlen(cells[i]);
		if (t->len[i] > 0)
			t->r.blank = 0;
	}
	t->r.n = i;
	t->r.f = t->f;
	t->r.len = t->len;
	t->r.line = line;
	t->r.lines = 1;
	t->r.blank = 1;
	for (i = 0; i < t->r.n; i++)
		if (t->len[i] > 0)
			t->r.blank = 0;
}

/* A run: a roster over one or more sheets, its output and messages. */
struct run {
	struct wz_roster *ro;
	struct wz_writer *w;
	FILE		*out, *err;
	int		 saved_err;
	char		*text, *msgs;
	int		 status;
};

static void
run_begin(struct run *r, const struct wz_roster_opts *o0)
{
	struct wz_roster_opts o;

	memset(r, 0, sizeof(*r));
	if (o0 != NULL)
		o = *o0;
	else {
		memset(&o, 0, sizeof(o));
		o.county = "示范县";
	}
	o.rs = rs;
	o.today = wz_date_days(2024, 1, 1);
	r->ro = wz_roster_new(&o);
	r->out = tmpfile();
	r->err = tmpfile();
	assert_non_null(r->out);
	assert_non_null(r->err);
	fflush(stderr);
	r->saved_err = dup(2);
	dup2(fileno(r->err), 2);
	r->w = wz_writer_new(fileno(r->out), "out", NULL);
}

static int
run_sheet(struct run *r, const char *name, const char *const *hdr,
    const struct wz_rmap *m)
{
	struct trow h;
	int k, st = 0;

	mkrow(&h, 1, hdr);
	k = wz_roster_sheet(r->ro, name, &h.r, m, &st);
	return k < 0 ? -st : k;
}

static void
run_row(struct run *r, int k, unsigned long line, const char *const *cells)
{
	struct trow t;

	mkrow(&t, line, cells);
	wz_roster_row(r->ro, k, &t.r);
}

static char *
slurp(FILE *fp)
{
	long n;
	char *s;

	fflush(fp);
	n = ftell(fp);
	rewind(fp);
	s = wz_malloc((size_t)n + 1);
	assert_int_equal(fread(s, 1, (size_t)n, fp), (size_t)n);
	s[n] = '\0';
	return s;
}

static void
run_end(struct run *r)
{
	r->status = wz_roster_finish(r->ro);
	assert_int_equal(wz_writer_close(r->w), 0);
	fflush(stderr);
	dup2(r->saved_err, 2);
	close(r->saved_err);
	fseek(r->out, 0, SEEK_END);
	fseek(r->err, 0, SEEK_END);
	r->text = slurp(r->out);
	r->msgs = slurp(r->err);
	fclose(r->out);
	fclose(r->err);
}

static void
run_free(struct run *r)
{
	wz_roster_free(r->ro);
	free(r->text);
	free(r->msgs);
}

static void
has(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("want '%s' in:\n%s", want, text);
}

static void
hasnt(const char *text, const char *want)
{
	if (strstr(text, want) != NULL)
		fail_msg("did not want '%s' in:\n%s", want, text);
}

static int
lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The cell readers. */

static void
test_party(void **state)
{
	(void)state;
	assert_int_equal(wz_party_member("中共党员", strlen("中共党员")), 'y');
	assert_int_equal(wz_party_member(" 中共预备党员 ",
	    strlen(" 中共预备党员 ")), 'y');
	assert_int_equal(wz_party_member("党员", strlen("党员")), 'y');
	assert_int_equal(wz_party_member("是", strlen("是")), 'y');
	assert_int_equal(wz_party_member("群众", strlen("群众")), 'n');
	assert_int_equal(wz_party_member("共青团员", strlen("共青团员")), 'n');
	assert_int_equal(wz_party_member("民革党员", strlen("民革党员")), 'n');
	assert_int_equal(wz_party_member("九三学社社员",
	    strlen("九三学社社员")), 'n');
	assert_int_equal(wz_party_member("无党派人士", strlen("无党派人士")),
	    'n');
	assert_int_equal(wz_party_member("否", strlen("否")), 'n');
	assert_int_equal(wz_party_member("", 0), 0);
	assert_int_equal(wz_party_member("  ", 2), 0);
	assert_int_equal(wz_party_member("预备", strlen("预备")), -1);
}

static void
test_rank(void **state)
{
	(void)state;
	assert_string_equal(wz_rank_parse("副科级", strlen("副科级")),
	    "乡科级");
	assert_string_equal(wz_rank_parse("正科级领导职务",
	    strlen("正科级领导职务")), "乡科级");
	assert_string_equal(wz_rank_parse("副处级", strlen("副处级")),
	    "县处级");
	assert_string_equal(wz_rank_parse("正县级", strlen("正县级")),
	    "县处级");
	assert_string_equal(wz_rank_parse("一级主任科员",
	    strlen("一级主任科员")), "乡科级");
	assert_string_equal(wz_rank_parse("科员", strlen("科员")),
	    "一般干部");
	assert_string_equal(wz_rank_parse("副主任科员", strlen("副主任科员")),
	    "一般干部");
	assert_string_equal(wz_rank_parse("村干部", strlen("村干部")),
	    "村干部");
	assert_null(wz_rank_parse("局长", strlen("局长")));
	assert_null(wz_rank_parse("", 0));
}

static size_t
canon(const char *s)
{
	return wz_unit_canon(s, strlen(s));
}

static void
test_units(void **state)
{
	(void)state;
	assert_int_equal(canon("东河镇人民政府"), strlen("东河镇"));
	assert_int_equal(canon("东河镇党委"), strlen("东河镇"));
	assert_int_equal(canon("东河镇党委政府"), strlen("东河镇"));
	assert_int_equal(canon("柳湾村村民委员会"), strlen("柳湾村"));
	assert_int_equal(canon("柳湾村民委员会"), strlen("柳湾村"));
	assert_int_equal(canon("柳湾村委会"), strlen("柳湾村"));
	assert_int_equal(canon("柳湾村党支部"), strlen("柳湾村"));
	assert_int_equal(canon("城关街道办事处"), strlen("城关街道"));
	assert_int_equal(canon("示范县人民政府"), strlen("示范县"));
	assert_int_equal(canon("县扶贫办"), strlen("县扶贫办"));
	assert_int_equal(canon("政府"), strlen("政府"));	/* too short */
	assert_int_equal(wz_unit_kind("柳湾村", strlen("柳湾村")), 'v');
	assert_int_equal(wz_unit_kind("城关社区", strlen("城关社区")), 'v');
	assert_int_equal(wz_unit_kind("东河镇", strlen("东河镇")), 't');
	assert_int_equal(wz_unit_kind("西山乡", strlen("西山乡")), 't');
	assert_int_equal(wz_unit_kind("城关街道", strlen("城关街道")), 't');
	assert_int_equal(wz_unit_kind("示范县", strlen("示范县")), 'c');
	assert_int_equal(wz_unit_kind("县扶贫办", strlen("县扶贫办")), 'd');
	assert_int_equal(wz_unit_kind("工业园区", strlen("工业园区")), 'd');
	assert_int_equal(wz_unit_kind("", 0), 0);
	assert_string_equal(wz_rfield_name(WZ_RF_LINK_VILLAGE),
	    "link_village");
	assert_null(wz_rfield_name(WZ_RF_N));
}

/* Maps. */

static char *
write_tmp(const char *text)
{
	char *path = wz_strdup("/tmp/wz-roster-map-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void
test_map(void **state)
{
	struct wz_ropts o;
	struct wz_rmap *m;
	struct run r;
	char *path;
	int k;
	static const char *const hdr[] = { "编号", "人员", "单位", "驻点",
	    "队内职务", NULL };
	static const char *const row[] = { "1", "宋玉梅", "县财政局",
	    "柳湾村", "队长", NULL };

	(void)state;
	path = write_tmp("skip: 2\nencoding: gbk\ncolumns:\n  name: 人员\n"
	    "  title: 5\n  village: 驻点\nconstants:\n  township: 东河镇\n");
	m = wz_rmap_load(path);
	assert_non_null(m);
	memset(&o, 0, sizeof(o));
	wz_rmap_ropts(m, &o);
	assert_int_equal(o.skip, 2);
	assert_string_equal(o.encoding, "GBK");
	run_begin(&r, NULL);
	k = run_sheet(&r, "team.csv", hdr, m);
	assert_true(k >= 0);
	wz_roster_start(r.ro, r.w, NULL);
	run_row(&r, k, 4, row);
	run_end(&r);
	has(r.text, ",team_leader,队长,示范县/东河镇/柳湾村,");
	assert_int_equal(r.status, 0);
	run_free(&r);
	wz_rmap_free(m);
	unlink(path);
	free(path);

	/* a column the header lacks: the map's line and column */
	path = write_tmp("columns:\n  name: 姓名\n  title: 职称\n");
	m = wz_rmap_load(path);
	assert_non_null(m);
	run_begin(&r, NULL);
	k = run_sheet(&r, "team.csv", hdr, m);
	assert_int_equal(k, -EX_CONFIG);
	run_end(&r);
	has(r.msgs, ":2:9: no column '姓名' in the header of team.csv");
	run_free(&r);
	wz_rmap_free(m);
	unlink(path);
	free(path);

	/* errors in the map itself */
	fflush(stderr);
	path = write_tmp("skip: -1\nfoo: 1\nscope: county\n");
	k = dup(2);
	assert_int_equal(freopen("/dev/null", "w", stderr) != NULL, 1);
	m = wz_rmap_load(path);
	fflush(stderr);
	dup2(k, 2);
	close(k);
	assert_null(m);
	unlink(path);
	free(path);
}

/* Sheets. */

static const char *const cadre_hdr[] = { "姓名", "性别", "身份证号码",
	"政治面貌", "工作单位", "职务", "任职时间", "免职时间", NULL };

static void
test_titles(void **state)
{
	struct run r;
	int k;

	(void)state;
	run_begin(&r, NULL);
	k = run_sheet(&r, "c.csv", cadre_hdr, NULL);
	assert_true(k >= 0);
	wz_roster_start(r.ro, r.w, NULL);
	run_row(&r, k, 2, (const char *const[]){ "王建国", "男",
	    "621121197003151011", "中共党员", "示范县委",
	    "县委书记、县脱贫攻坚领导小组组长", "2016.03", "", NULL });
	run_row(&r, k, 3, (const char *const[]){ "李红梅", "女",
	    "621121197506101024", "中共党员", "示范县人民政府",
	    "分管扶贫工作的副县长（联系东河镇）", "2017.03", "至今", NULL });
	run_row(&r, k, 4, (const char *const[]){ "陈玉兰", "女",
	    "621121198808081086", "群众", "东河镇柳湾村", "书记兼主任",
	    "2018.1.5", "2021.12", NULL });
	run_row(&r, k, 5, (const char *const[]){ "何丽娟", "女", "",
	    "中共党员", "东河镇人民政府", "副镇长(包抓东河镇杏林村)", "42795",
	    "", NULL });
	run_end(&r);
	/* 、 makes two roles; the 领导小组 member inherits the rank */
	has(r.text, "王建国,county_secretary,县委书记、县脱贫攻坚领导小组组长,"
	    "示范县,2016-03-01,,y,县处级\n");
	has(r.text, "王建国,county_lgroup,");
	/* 分管扶贫的副县长 is also a county leader, and links 东河镇 */
	has(r.text, "李红梅,county_lead_poverty,");
	has(r.text, "李红梅,county_leader,");
	has(r.text, "李红梅,county_link_township,分管扶贫工作的副县长（联系东河"
	    "镇）,示范县/东河镇,2017-03-01,,y,县处级\n");
	/* 书记兼主任 in a village unit */
	has(r.text, "陈玉兰,village_secretary,书记兼主任,示范县/东河镇/柳湾村,"
	    "2018-01-05,2021-12-31,n,村干部\n");
	has(r.text, "陈玉兰,village_director,");
	/* a township leader's 包抓 note */
	has(r.text, "何丽娟,town_link_village,副镇长(包抓东河镇杏林村),"
	    "示范县/东河镇/杏林村,2017-03-01,,y,乡科级\n");
	assert_int_equal(lines(r.text), 1 + 2 + 3 + 2 + 2);
	assert_int_equal(r.status, 0);
	has(r.msgs, "4 read, 4 written, 0 rejected; 9 roles, 4 persons; "
	    "0 warnings");
	run_free(&r);
}

static void
test_people(void **state)
{
	struct wz_roster_counts c;
	struct run r;
	int k1, k2, k3;
	static const char *const team_hdr[] = { "姓名", "派出单位", "帮扶村",
	    "职务", "进驻时间", NULL };
	static const char *const assign_hdr[] = { "姓名", "联系乡镇",
	    "包抓村", NULL };

	(void)state;
	run_begin(&r, NULL);
	k1 = run_sheet(&r, "c.csv", cadre_hdr, NULL);
	k2 = run_sheet(&r, "t.csv", team_hdr, NULL);
	k3 = run_sheet(&r, "a.csv", assign_hdr, NULL);
	assert_true(k1 >= 0 && k2 >= 0 && k3 >= 0);
	wz_roster_start(r.ro, r.w, NULL);
	run_row(&r, k1, 2, (const char *const[]){ "马海燕", "女",
	    "621121198612121146", "中共党员", "县财政局", "副局长", "2015.07",
	    "", NULL });
	run_row(&r, k1, 3, (const char *const[]){ "李红梅", "女",
	    "621121197506101024", "中共党员", "示范县人民政府", "副县长",
	    "2017.03", "", NULL });
	/* the same person without an ID number: one person_id, her rank */
	run_row(&r, k2, 2, (const char *const[]){ "马海燕", "县财政局",
	    "柳湾村", "第一书记", "2018.03", NULL });
	/* a name only: found among the county leaders */
	run_row(&r, k3, 2, (const char *const[]){ "李红梅", "东河镇",
	    "柳湾村", NULL });
	/* nobody of that name leads anything */
	run_row(&r, k3, 3, (const char *const[]){ "孙国庆", "", "高庄村",
	    NULL });
	run_end(&r);
	has(r.text, "t.csv:2,,,,县财政局,,,柳湾村,,,,,621121198612121146,"
	    "马海燕,first_secretary,第一书记,示范县/柳湾村,2018-03-01,,y,"
	    "乡科级\n");
	has(r.text, "a.csv:2,,,,,,,,东河镇,柳湾村,,,621121197506101024,"
	    "李红梅,county_link_village,联系乡镇:东河镇;包抓村:柳湾村,"
	    "示范县/东河镇/柳湾村,,,y,县处级\n");
	has(r.msgs, "a.csv:3: cannot tell whether 孙国庆");
	wz_roster_counts(r.ro, &c);
	assert_int_equal(c.read, 5);
	assert_int_equal(c.written, 4);
	assert_int_equal(c.rejected, 1);
	assert_int_equal(c.read, c.written + c.rejected);
	assert_int_equal(c.persons, 2);
	assert_int_equal(c.roles, 5);
	assert_int_equal(r.status, WZ_EX_ROWS);
	run_free(&r);
}

static void
test_checks(void **state)
{
	struct wz_roster_counts c;
	struct run r;
	int k;
	static const char *const hdr[] = { "姓名", "乡镇", "职务", "任职时间",
	    "免职时间", NULL };

	(void)state;
	run_begin(&r, NULL);
	k = run_sheet(&r, "s.csv", hdr, NULL);
	wz_roster_start(r.ro, r.w, NULL);
	run_row(&r, k, 2, (const char *const[]){ "甲", "东河镇", "党委书记",
	    "2016.05", "2019.04", NULL });
	run_row(&r, k, 3, (const char *const[]){ "乙", "东河镇", "党委书记",
	    "2019.05", "", NULL });
	run_row(&r, k, 4, (const char *const[]){ "丙", "东河镇", "党委书记",
	    "2019.09", "", NULL });
	/* an earlier holder read after a later one: still found */
	run_row(&r, k, 5, (const char *const[]){ "丁", "东河镇", "党委书记",
	    "2015.01", "2016.06", NULL });
	/* one person twice in one post, overlapping; then again the same */
	run_row(&r, k, 6, (const char *const[]){ "戊", "东河镇", "副镇长",
	    "2015.03", "2018.05", NULL });
	run_row(&r, k, 7, (const char *const[]){ "戊", "东河镇", "副镇长",
	    "2017.01", "", NULL });
	run_row(&r, k, 8, (const char *const[]){ "戊", "东河镇", "副镇长",
	    "", "", NULL });
	run_row(&r, k, 9, (const char *const[]){ "己", "东河镇", "副镇长",
	    "2019.05", "2018.03", NULL });
	run_end(&r);
	has(r.msgs, "s.csv:4: two holders of town_secretary at 示范县/东河镇 "
	    "at once: 丙 2019-09-01.. here and 乙 2019-05-01.. at s.csv:3");
	has(r.msgs, "s.csv:5: two holders of town_secretary at 示范县/东河镇 "
	    "at once: 丁 2015-01-01..2016-06-30 here and 甲 "
	    "2016-05-01..2019-04-30 at s.csv:2");
	hasnt(r.msgs, "s.csv:3: two holders");
	has(r.msgs, "s.csv:7: 戊 holds town_deputy at 示范县/东河镇 twice at "
	    "once");
	has(r.msgs, "s.csv:9: the period ends before it starts");
	wz_roster_counts(r.ro, &c);
	assert_int_equal(c.read, 8);
	assert_int_equal(c.written, 7);
	assert_int_equal(c.rejected, 1);
	assert_int_equal(c.roles, 6);
	assert_int_equal(c.duplicates, 1);
	assert_int_equal(c.warnings, 3);
	run_free(&r);
}

/*
 * More village posts than the shape cache holds, in an order that makes
 * every shape leave it before its village comes back; the holders of a
 * village's posts are still found (a chain from the scope), and a
 * person with an ID number seen in a second unit is found there by name
 * alone (by_alias).  That person comes after 6,000 without ID numbers:
 * by_id holds one index far above the table's size for its count.
 */
static void
test_many(void **state)
{
	struct wz_roster_counts c;
	struct run r;
	int k, v, pass;
	unsigned long line = 2;
	char name[32], vil[32], want[160];
	static const char *const hdr[] = { "姓名", "身份证号码", "工作单位",
	    "乡镇", "村", "职务", "任职时间", "免职时间", NULL };

	(void)state;
	run_begin(&r, NULL);
	k = run_sheet(&r, "v.csv", hdr, NULL);
	wz_roster_start(r.ro, r.w, NULL);
	for (pass = 0; pass < 2; pass++)
		for (v = 0; v < 3000; v++) {
			snprintf(name, sizeof(name), "%s%d", pass ? "乙" : "甲",
			    v);
			snprintf(vil, sizeof(vil), "第%d村", v);
			run_row(&r, k, line++, (const char *const[]){ name, "",
			    "", "东河镇", vil, pass ? "村委会主任" :
			    "村党支部书记", pass ? "2016.01" : "2015.01", "",
			    NULL });
		}
	/* a second secretary of village 7, overlapping the first */
	run_row(&r, k, line++, (const char *const[]){ "丙", "", "", "东河镇",
	    "第7村", "村党支部书记", "2018.01", "", NULL });
	/* one ID number in two units; then the second unit by name only */
	run_row(&r, k, line++, (const char *const[]){ "马海燕",
	    "621121198612121146", "县财政局", "", "", "副局长", "2015.07", "",
	    NULL });
	run_row(&r, k, line++, (const char *const[]){ "马海燕",
	    "621121198612121146", "", "西山乡", "", "副乡长", "2019.07", "",
	    NULL });
	run_row(&r, k, line++, (const char *const[]){ "马海燕", "", "",
	    "西山乡", "", "扶贫专干", "", "", NULL });
	run_end(&r);
	snprintf(want, sizeof(want), "v.csv:%lu: two holders of "
	    "village_secretary at 示范县/东河镇/第7村 at once: 丙 2018-01-01.. "
	    "here and 甲7 2015-01-01.. at v.csv:9", line - 4);
	has(r.msgs, want);
	has(r.text, "马海燕,,,西山乡,,扶贫专干,,,621121198612121146,马海燕,"
	    "town_station_staff,");
	wz_roster_counts(r.ro, &c);
	assert_int_equal(c.read, 6004);
	assert_int_equal(c.written, 6004);
	assert_int_equal(c.persons, 6002);
	assert_int_equal(c.roles, 6004);
	assert_int_equal(c.warnings, 1);
	assert_int_equal(lines(r.text), 6005);
	run_free(&r);
}

/*
 * An old 15-digit number written in groups, 18 bytes in its cell and
 * starting with a digit as an 18-digit one does: it is that person's
 * 18-digit number once upgraded, not the key its cell's bytes would make
 * (one person, no "two ID numbers").
 */
static void
test_grouped15(void **state)
{
	struct wz_roster_counts c;
	struct run r;
	int k;
	static const char *const hdr[] = { "姓名", "身份证号码", "乡镇", "村",
	    "职务", NULL };

	(void)state;
	run_begin(&r, NULL);
	k = run_sheet(&r, "g.csv", hdr, NULL);
	wz_roster_start(r.ro, r.w, NULL);
	run_row(&r, k, 2, (const char *const[]){ "张三",
	    "621121  790121 001", "东河镇", "柳湾村", "村委委员", NULL });
	run_row(&r, k, 3, (const char *const[]){ "张三",
	    "62112119790121001X", "东河镇", "柳湾村", "村文书", NULL });
	run_end(&r);
	hasnt(r.msgs, "two ID numbers");
	wz_roster_counts(r.ro, &c);
	assert_int_equal(c.persons, 1);
	assert_int_equal(c.roles, 2);
	assert_int_equal(c.warnings, 0);
	run_free(&r);
}

/*
 * Tables that grow, refilled from the persons: 20,000 persons with ID
 * numbers, each in a village of their own, are found again (by ID
 * number, then by name and home) after every doubling of the tables,
 * and a conflict still names the row that made the person.
 */
static void
test_growth(void **state)
{
	struct wz_roster_counts c;
	struct run r;
	int k, i, pass, d;
	unsigned long line = 2;
	char name[32], vil[32], id[24], want[200];
	static const char *const hdr[] = { "姓名", "身份证号码", "乡镇", "村",
	    "职务", "任职时间", NULL };
	enum { N = 20000 };

	(void)state;
	run_begin(&r, NULL);
	k = run_sheet(&r, "g.csv", hdr, NULL);
	wz_roster_start(r.ro, r.w, NULL);
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < N; i++) {
			d = i / 1000;
			snprintf(id, sizeof(id), "621121%04d%02d%02d%03d",
			    1950 + d / 300, 1 + d / 25 % 12, 1 + d % 25,
			    i % 1000);
			id[17] = wz_idcard_check_digit(id);
			id[18] = '\0';
			snprintf(name, sizeof(name), "甲%d", i);
			snprintf(vil, sizeof(vil), "第%d村", i);
			run_row(&r, k, line++, (const char *const[]){ name, id,
			    "东河镇", vil, "村委会主任", "2016.01", NULL });
		}
	/* the last person's ID number under another name */
	run_row(&r, k, line++, (const char *const[]){ "乙", id, "东河镇",
	    "第19999村", "村委会主任", "2016.01", NULL });
	run_end(&r);
	snprintf(want, sizeof(want), "g.csv:%lu: ID number %s is 乙 here and "
	    "甲19999 at g.csv:%d", line - 1, id, N + 1);
	has(r.msgs, want);
	wz_roster_counts(r.ro, &c);
	assert_int_equal(c.read, 2 * N + 1);
	assert_int_equal(c.persons, N);
	assert_int_equal(c.roles, N);
	assert_int_equal(c.duplicates, N + 1);
	assert_int_equal(c.warnings, 1);
	run_free(&r);
}

/* Every row rejected on its dates, before any has a shape: what was
 * kept of the dates is freed all the same (make asan). */
/* A valid ID number from its first 17 digits (caller's buffer). */
static const char *
idnum(char *buf, const char *d17)
{
	memcpy(buf, d17, 17);
	buf[17] = wz_idcard_check_digit(buf);
	buf[18] = '\0';
	return buf;
}

/*
 * Two names with one hash stay two people: county leaders found by name
 * alone on an assignment sheet, and a name met after an ID number was
 * seen under another (an alias).
 */
static void
test_name_hash(void **state)
{
	static const char *const names[] = { "张伟", "王芳", "李娜", "刘洋",
	    "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴婷", "徐亮", "孙丽",
	    "胡军", "朱琳", "高峰", "林涛", "何平", "郭强" };
	static const char *const assign_hdr[] = { "姓名", "联系乡镇", NULL };
	struct wz_roster_counts c;
	struct run r;
	const char *a = NULL, *b = NULL;
	char ida[19], idb[19], want[256];
	size_t i, j;
	int k1, k3;

	(void)state;
	/* 18 names in 16 hashes: two share one */
	for (i = 0; i < 18 && a == NULL; i++)
		for (j = i + 1; j < 18 && a == NULL; j++)
			if (NAME_HASH(names[i], strlen(names[i])) ==
			    NAME_HASH(names[j], strlen(names[j]))) {
				a = names[i];
				b = names[j];
			}
	assert_non_null(a);
	idnum(ida, "62112119700101001");
	idnum(idb, "62112119710202002");

	run_begin(&r, NULL);
	k1 = run_sheet(&r, "c.csv", cadre_hdr, NULL);
	k3 = run_sheet(&r, "a.csv", assign_hdr, NULL);
	assert_true(k1 >= 0 && k3 >= 0);
	wz_roster_start(r.ro, r.w, NULL);
	run_row(&r, k1, 2, (const char *const[]){ a, "男", ida, "中共党员",
	    "示范县委", "县委书记", "2016.01", "", NULL });
	run_row(&r, k1, 3, (const char *const[]){ b, "女", idb, "中共党员",
	    "示范县人民政府", "县长", "2016.01", "", NULL });
	run_row(&r, k3, 2, (const char *const[]){ a, "东河镇", NULL });
	run_row(&r, k3, 3, (const char *const[]){ b, "西山乡", NULL });
	run_end(&r);
	hasnt(r.msgs, "cannot tell");
	snprintf(want, sizeof(want), "a.csv:2,,,,,,,,东河镇,,,,%s,%s,"
	    "county_link_township,", ida, a);
	has(r.text, want);
	snprintf(want, sizeof(want), "a.csv:3,,,,,,,,西山乡,,,,%s,%s,"
	    "county_link_township,", idb, b);
	has(r.text, want);
	wz_roster_counts(r.ro, &c);
	assert_int_equal(c.persons, 2);
	assert_int_equal(c.rejected, 0);
	run_free(&r);

	/* b's ID number under a's name first, then under b's: (b, home)
	 * is an alias of that person; a row of a without an ID number at
	 * the same unit is someone else */
	run_begin(&r, NULL);
	k1 = run_sheet(&r, "c.csv", cadre_hdr, NULL);
	assert_true(k1 >= 0);
	wz_roster_start(r.ro, r.w, NULL);
	run_row(&r, k1, 2, (const char *const[]){ b, "女", idb, "中共党员",
	    "县财政局", "副局长", "2015.07", "", NULL });
	run_row(&r, k1, 3, (const char *const[]){ b, "女", idb, "中共党员",
	    "县教育局", "副局长", "2018.07", "", NULL });
	run_row(&r, k1, 4, (const char *const[]){ a, "男", "", "中共党员",
	    "县教育局", "副局长", "2019.07", "", NULL });
	run_end(&r);
	wz_roster_counts(r.ro, &c);
	assert_int_equal(c.persons, 2);
	snprintf(want, sizeof(want), ",%s,%s,", idb, a);
	hasnt(r.text, want);
	run_free(&r);
}

/*
 * Many people of one home: 1,500 村委委员 of one village with ID numbers,
 * whose names share 16 hashes, so that by_home holds runs of one tag and
 * grows (pm_room) twice, refilled each time; each is found again by name
 * and home alone, in the reverse order;
 * another ID number under two of the names is reported; a new name in
 * that home is a new person.
 */
static void
test_one_home(void **state)
{
	struct wz_roster_counts c;
	struct run r;
	int k, i;
	unsigned long line = 2;
	char name[32], id[24], d17[24], want[256], (*ids)[24];
	static const char *const hdr[] = { "姓名", "身份证号码", "乡镇", "村",
	    "职务", "任职时间", "免职时间", NULL };
	enum { N = 1500 };

	(void)state;
	ids = wz_calloc(N, sizeof(*ids));
	run_begin(&r, NULL);
	k = run_sheet(&r, "h.csv", hdr, NULL);
	wz_roster_start(r.ro, r.w, NULL);
	for (i = 0; i < N; i++) {
		snprintf(d17, sizeof(d17), "621121%04d0101%03d", 1950 + i / 1000,
		    i % 1000);
		idnum(ids[i], d17);
		snprintf(name, sizeof(name), "甲%d", i);
		run_row(&r, k, line++, (const char *const[]){ name, ids[i],
		    "东河镇", "柳湾村", "村委委员", "2016.01", "2018.12", NULL });
	}
	for (i = N - 1; i >= 0; i--) {
		snprintf(name, sizeof(name), "甲%d", i);
		run_row(&r, k, line++, (const char *const[]){ name, "",
		    "东河镇", "柳湾村", "村委委员", "2019.01", "", NULL });
	}
	idnum(id, "62112119800101901");
	run_row(&r, k, line++, (const char *const[]){ "甲5", id, "东河镇",
	    "柳湾村", "村委委员", "2020.01", "", NULL });
	idnum(id, "62112119800101902");
	run_row(&r, k, line++, (const char *const[]){ "甲1435", id, "东河镇",
	    "柳湾村", "村委委员", "2020.01", "", NULL });
	run_row(&r, k, line++, (const char *const[]){ "乙", "", "东河镇",
	    "柳湾村", "村委委员", "2020.01", "", NULL });
	run_end(&r);
	for (i = 0; i < N; i += i < 50 ? 1 : 37) {
		snprintf(name, sizeof(name), "甲%d", i);
		snprintf(want, sizeof(want), "%s,,东河镇,柳湾村,村委委员,"
		    "2019.01,,%s,%s,village_member,", name, ids[i], name);
		has(r.text, want);
	}
	snprintf(want, sizeof(want), "h.csv:%lu: 甲5 at 示范县/东河镇/柳湾村 "
	    "has two ID numbers", line - 3);
	has(r.msgs, want);
	snprintf(want, sizeof(want), "h.csv:%lu: 甲1435 at 示范县/东河镇/柳湾村 "
	    "has two ID numbers", line - 2);
	has(r.msgs, want);
	wz_roster_counts(r.ro, &c);
	assert_int_equal(c.read, 2 * N + 3);
	assert_int_equal(c.written, 2 * N + 3);
	assert_int_equal(c.persons, N + 3);
	assert_int_equal(c.warnings, 2);
	run_free(&r);
	free(ids);
}

static void
test_dates_only(void **state)
{
	struct wz_roster_counts c;
	struct run r;
	int k;
	static const char *const hdr[] = { "姓名", "职务", "任职时间", NULL };

	(void)state;
	run_begin(&r, NULL);
	k = run_sheet(&r, "d.csv", hdr, NULL);
	wz_roster_start(r.ro, r.w, NULL);
	run_row(&r, k, 2, (const char *const[]){ "张三", "村会计", "2099.13",
	    NULL });
	run_row(&r, k, 3, (const char *const[]){ "王五", "村会计", "1900.01",
	    NULL });
	run_end(&r);
	has(r.msgs, "d.csv:2: 任职时间 '2099.13'");
	has(r.msgs, "d.csv:3: 任职时间 '1900.01'");
	wz_roster_counts(r.ro, &c);
	assert_int_equal(c.rejected, 2);
	run_free(&r);
}

static void
test_sheet_errors(void **state)
{
	struct run r;
	static const char *const title_row[] = { "示范县干部花名册", "", "",
	    NULL };
	static const char *const two[] = { "姓名", "乡镇", "所属乡镇", "职务",
	    NULL };
	static const char *const no_title[] = { "姓名", "性别", NULL };

	(void)state;
	run_begin(&r, NULL);
	assert_int_equal(run_sheet(&r, "a.csv", title_row, NULL),
	    -EX_DATAERR);
	assert_int_equal(run_sheet(&r, "b.csv", two, NULL), -EX_DATAERR);
	assert_int_equal(run_sheet(&r, "c.csv", no_title, NULL), -EX_DATAERR);
	run_end(&r);
	has(r.msgs, "a.csv:1: no name (姓名) column; the first row looks like "
	    "the sheet's title");
	has(r.msgs, "b.csv:1: columns 2 (乡镇) and 3 (所属乡镇) both read as "
	    "township");
	has(r.msgs, "c.csv:1: no title (职务) column");
	assert_string_equal(r.text, "");
	run_free(&r);
}

/*
 * A period whose end is 256 days (or a multiple) after its start: the
 * two days' ISO forms were memoised in one direct-mapped table, where
 * the end took the start's slot before the row was written, and
 * valid_from came out as the end.
 */
static void
test_iso_days(void **state)
{
	struct run r;
	int k;

	(void)state;
	run_begin(&r, NULL);
	k = run_sheet(&r, "c.csv", cadre_hdr, NULL);
	assert_true(k >= 0);
	wz_roster_start(r.ro, r.w, NULL);
	/* 2016-09-13 is 256 days after 2016-01-01; 2017-05-26 512 */
	run_row(&r, k, 2, (const char *const[]){ "陈玉兰", "女",
	    "621121198808081086", "群众", "东河镇柳湾村", "村会计",
	    "2016.01.01", "2016.09.13", NULL });
	run_row(&r, k, 3, (const char *const[]){ "王建国", "男",
	    "621121197003151011", "中共党员", "东河镇杏林村", "村会计",
	    "2016.01.01", "2017.05.26", NULL });
	run_end(&r);
	has(r.text, "陈玉兰,village_accountant,村会计,示范县/东河镇/柳湾村,"
	    "2016-01-01,2016-09-13,");
	has(r.text, "王建国,village_accountant,村会计,示范县/东河镇/杏林村,"
	    "2016-01-01,2017-05-26,");
	run_free(&r);
}

/*
 * put_bytes(), and so wz_copy_short(): every length 0..40 at every
 * alignment copies the n bytes and nothing around them, and returns the
 * end.
 */
static void
test_put_bytes(void **state)
{
	char a[64], b[80];
	size_t n, i, off;

	(void)state;
	for (i = 0; i < sizeof(a); i++)
		a[i] = (char)(0x80 + i * 7);
	for (off = 0; off < 8; off++)
		for (n = 0; n <= 40; n++) {
			memset(b, '.', sizeof(b));
			assert_ptr_equal(put_bytes(b + off, a + off, n),
			    b + off + n);
			for (i = 0; i < sizeof(b); i++)
				assert_int_equal(b[i], i >= off && i < off + n ?
				    a[i] : '.');
		}
}

/*
 * place_cell() gives what place_val() and unit_val() give, for cells
 * met again and again among thousands that push each other out of its
 * tables: short and long, with a county in front, organ words behind,
 * empty, and over its length, under two counties.
 */
static void
test_place_memo(void **state)
{
	static const char *const cells[] = { "", "东河镇", "示范县东河镇",
	    "东河镇人民政府", "县扶贫办", "示范县扶贫办", "柳湾村",
	    "东河镇柳湾村", "示范县东河镇柳湾村村民委员会", "西山乡",
	    "第1镇", "第12镇", "县教育局", "示范县教育局", "东河镇党委" };
	struct run r;
	struct val v;
	char buf[64];
	uint32_t county[2], want, got;
	unsigned seed = 5;
	int t, col, k;

	(void)state;
	run_begin(&r, NULL);
	county[0] = intern(r.ro, "示范县", strlen("示范县"));
	county[1] = intern(r.ro, "东河县", strlen("东河县"));
	for (t = 0; t < 60000; t++) {
		seed = seed * 1103515245 + 12345;
		k = (int)((seed >> 16) % (sizeof(cells) / sizeof(cells[0])));
		if (seed & 0x10) {
			snprintf(buf, sizeof(buf), "%s第%u村", (seed & 0x20) ?
			    "东河镇" : "", (seed >> 8) % 3000);
			v.s = buf;
		} else
			v.s = cells[k];
		v.n = strlen(v.s);
		col = (int)((seed >> 4) % 3);
		k = (int)((seed >> 6) & 1);
		if (col == 2) {
			got = place_cell(r.ro, &v, 2, county[k] + 1);
			want = unit_val(r.ro, &v, county[k]);
		} else {
			got = place_cell(r.ro, &v, col, 0);
			want = place_val(r.ro, &v, 0);
		}
		if (got != want)
			fail_msg("'%s' (column %d): %u, want %u", v.s, col, got,
			    want);
	}
	run_end(&r);
	run_free(&r);
}

/*
 * is_plain(): every byte value at every place of strings of Chinese text
 * and ASCII up to 40 bytes, as a byte by byte look says (, " \\ TAB CR
 * LF make a string not plain).
 */
static void
test_is_plain(void **state)
{
	char s[48];
	size_t n, at, i;
	int b, want;

	(void)state;
	for (n = 1; n <= 40; n++)
		for (at = 0; at < n; at++)
			for (b = 1; b < 256; b++) {
				for (i = 0; i < n; i++)
					s[i] = i % 5 == 4 ? '1' : (char)0xe4;
				if (n > 20)	/* all Chinese up to here */
					memset(s, 0xe4, at);
				s[at] = (char)b;
				want = strchr(",\"\\\t\r\n", b) == NULL;
				if (is_plain(s, n) != want)
					fail_msg("byte %02x at %zu of %zu", b, at,
					    n);
			}
	assert_true(is_plain("", 0));
}

/*
 * same_bytes() against memcmp: every length 0..40 (the loads of 4, 8
 * and 16 bytes and their overlaps, and memcmp past 32), equal, and with
 * one byte changed at each place, the strings at every alignment.
 */
static void
test_same_bytes(void **state)
{
	char a[64], b[64];
	size_t n, i, at, off;

	(void)state;
	for (i = 0; i < sizeof(a); i++)
		a[i] = (char)(0x80 + i * 7);
	for (off = 0; off < 8; off++)
		for (n = 0; n <= 40; n++) {
			memcpy(b + off, a, n);
			assert_true(same_bytes(a, b + off, n));
			for (at = 0; at < n; at++) {
				b[off + at] ^= 0x20;
				assert_false(same_bytes(a, b + off, n));
				assert_false(same_bytes(b + off, a, n));
				b[off + at] ^= 0x20;
			}
		}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_party),
		cmocka_unit_test(test_rank),
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_titles),
		cmocka_unit_test(test_people),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_grouped15),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_one_home),
		cmocka_unit_test(test_name_hash),
		cmocka_unit_test(test_dates_only),
		cmocka_unit_test(test_sheet_errors),
		cmocka_unit_test(test_same_bytes),
		cmocka_unit_test(test_iso_days),
		cmocka_unit_test(test_put_bytes),
		cmocka_unit_test(test_place_memo),
		cmocka_unit_test(test_is_plain),
	};

	wz_setprogname("test_roster");
	return cmocka_run_group_tests(tests, setup, teardown);
}
