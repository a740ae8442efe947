/*
 * Unit tests of the penalty engine (wz_penalty): selectors, conditions,
 * step-ups, merging, effects, dates and the ledger's repeat counts, over
 * a small rule set written here (so that edits of rules/ do not move
 * them).
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
#include "wz_ledger.h"
#include "wz_penalty.h"
#include "wz_rules.h"

static const char posts_yaml[] =
"posts:\n"
"  - code: town_main_leader\n"
"    label: 乡镇党政主要领导\n"
"    rank: 乡科级\n"
"    level: township\n"
"    titles: []\n"
"  - code: town_secretary\n"
"    label: 乡镇党委书记\n"
"    rank: 乡科级\n"
"    level: township\n"
"    is_a: [town_main_leader]\n"
"    titles: ['(乡|镇)党委书记']\n"
"  - code: town_deputy\n"
"    label: 乡镇分管领导\n"
"    rank: 乡科级\n"
"    level: township\n"
"    titles: ['副(乡|镇)长']\n"
"  - code: village_cadre\n"
"    label: 村干部\n"
"    rank: 村干部\n"
"    level: village\n"
"    titles: ['村干部']\n";

static const char doc_yaml[] =
"document:\n"
"  id: testdoc\n"
"  title: 测试文件\n"
"  issuer: \"\"\n"
"  jurisdiction: \"\"\n"
"  source: none\n"
"params:\n"
"  rectify_days: {default: 10, label: 整改天数}\n"
"  limit: {default: 1000, label: 金额限额}\n"
"handled_by: {cite: testdoc:1, org: 组织部, discipline: 纪委}\n"
"articles:\n"
"  - {id: testdoc:1, ref: 第一条, kind: measure, text: 一}\n"
"  - {id: testdoc:2, ref: 第二条, kind: measure, text: 二}\n"
"  - id: testdoc:3\n"
"    ref: 第三条\n"
"    kind: conduct\n"
"    text: 三\n"
"    cases:\n"
"      - {id: c0, match: {text: '甲'}}\n"
"      - {id: c1, match: {text: '乙'}}\n"
"      - {id: c2, match: {text: '丙'}}\n"
"    examples:\n"
"      positive: [{text: 乙, _case: c1}]\n"
"      negative: [{text: 丁}]\n"
"  - {id: testdoc:4, ref: 第四条, kind: measure, text: 四}\n"
"  - {id: testdoc:5, ref: 第五条, kind: measure, text: 五}\n"
"penalties:\n"
"  - id: p_heads\n"
"    basis: [testdoc:1]\n"
"    for: {article: [testdoc:1]}\n"
"    to: {posts: [town_main_leader]}\n"
"    measures: [talk]\n"
"  - id: p_heads_grave\n"
"    basis: [testdoc:1]\n"
"    for: {article: [testdoc:1]}\n"
"    to: {posts: [town_main_leader]}\n"
"    when: {field: severity, in: [grave]}\n"
"    measures: [suspend]\n"
"    replaces: [p_heads]\n"
"  - id: p_not\n"
"    basis: [testdoc:1]\n"
"    for: {article: [testdoc:1]}\n"
"    to: {posts: [town_deputy, town_main_leader], not_posts: [town_main_leader]}\n"
"    measures: [no_promotion]\n"
"    no_promotion: {months: 12}\n"
"  - id: p_rank\n"
"    basis: [testdoc:1]\n"
"    for: {article: [testdoc:1]}\n"
"    to: {rank: [村干部]}\n"
"    measures: [pay_link]\n"
"  - {id: p_county, basis: [testdoc:1], for: {article: [testdoc:1]}, to: {unit: true, level: county}, measures: [written_check]}\n"
"  - {id: p_town, basis: [testdoc:1], for: {article: [testdoc:1]}, to: {unit: true, level: township}, measures: [notice_criticism, rectify], rectify: {days: rectify_days}}\n"
"  - {id: p_village, basis: [testdoc:1], for: {article: [testdoc:1]}, to: {unit: true, level: village}, measures: [reorganize]}\n"
"  - {id: p_dept, basis: [testdoc:1], for: {article: [testdoc:1]}, to: {unit: true, level: department}, measures: [unit_warning]}\n"
"  - id: p_text\n"
"    basis: [testdoc:2]\n"
"    for: {article: [testdoc:2]}\n"
"    to: {tier: [direct]}\n"
"    when: {text: '挪用'}\n"
"    measures: [refer_discipline]\n"
"  - id: p_amount\n"
"    basis: [testdoc:2]\n"
"    for: {article: [testdoc:2]}\n"
"    to: {tier: [direct]}\n"
"    when: {value: amount, ge: limit}\n"
"    measures: [refer_judicial]\n"
"  - id: p_alt\n"
"    basis: [testdoc:2]\n"
"    for: {article: [testdoc:2]}\n"
"    to: {tier: [direct, main_leader]}\n"
"    alternatives: [[gov_demerit, party_warning], [remove, transfer]]\n"
"    judgement: true\n"
"  - id: p_alt2\n"
"    basis: [testdoc:3]\n"
"    for: {article: [testdoc:2]}\n"
"    to: {tier: [main_leader]}\n"
"    alternatives: [[party_warning, gov_demerit]]\n"
"  - id: p_case\n"
"    basis: [testdoc:3]\n"
"    for: {article: [testdoc:3], case: [c1]}\n"
"    to: {tier: [direct]}\n"
"    measures: [admonish]\n"
"  - id: p_rep_unit\n"
"    basis: [testdoc:4]\n"
"    for: {article: [testdoc:4]}\n"
"    to: {tier: [direct]}\n"
"    repeat: {min: 2, same: unit}\n"
"    measures: [transfer]\n"
"  - id: p_rep_person\n"
"    basis: [testdoc:4]\n"
"    for: {article: [testdoc:4]}\n"
"    to: {tier: [direct]}\n"
"    repeat: {min: 3, same: person}\n"
"    measures: [remove]\n"
"    replaces: [p_rep_unit]\n"
"  - id: p_effect\n"
"    basis: [testdoc:5]\n"
"    for: {article: [testdoc:5]}\n"
"    to: {tier: [direct]}\n"
"    measures: [party_warning, admonish]\n"
"    no_promotion: {months: 6}\n"
"  - id: p_judge\n"
"    basis: [testdoc:5]\n"
"    for: {article: [testdoc:5]}\n"
"    to: {tier: [main_leader]}\n"
"    judgement: true\n";

/* A second document: its p_heads is not the first one's. */
static const char doc2_yaml[] =
"document:\n"
"  id: otherdoc\n"
"  title: 另一文件\n"
"  issuer: \"\"\n"
"  jurisdiction: \"\"\n"
"  source: none\n"
"articles:\n"
"  - {id: otherdoc:1, ref: 第一条, kind: measure, text: 一}\n"
"penalties:\n"
"  - {id: p_heads, basis: [otherdoc:1], for: {article: [testdoc:1]}, to: {posts: [town_main_leader]}, measures: [written_check]}\n";

static const char national_yaml[] =
"documents:\n"
"  - {id: natl, title: 国家规定, issuer: 国, source: none}\n"
"articles:\n"
"  - {id: natl:1, ref: 第一条, kind: measure, text: 一}\n"
"effects:\n"
"  - {measure: party_warning, no_promotion: {months: 12}, cite: natl:1}\n"
"  - {measure: gov_demerit, period: {months: 12}, no_promotion: {months: 12}, pay_frozen: true, cite: natl:1}\n";

static const char *const header[] = {
	"id", "unit", "text", "amount", "article", "values", "severity",
	"liable_id", "liable_name", "liable_role", "liable_rank",
	"liable_party_member", "tier", NULL
};

static char dir[64];
static struct wz_ruleset *rs;

static void
put(const char *name, const char *text)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static int
setup(void **state)
{
	(void)state;
	wz_setprogname("test_penalty");
	strcpy(dir, "/tmp/wz-pen-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	put("posts.yaml", posts_yaml);
	put("doc.yaml", doc_yaml);
	put("doc2.yaml", doc2_yaml);
	put("national.yaml", national_yaml);
	rs = wz_rules_new();
	if (wz_rules_load(rs, dir) != 0 || wz_rules_finish(rs) != 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	wz_rules_free(rs);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A row from "a|b|c" (fields split on '|', no quoting). */
struct trow {
	struct wz_row	 r;
	char		*f[32];
	size_t		 len[32];
	char		 buf[1024];
};

static void
mkrow(struct trow *t, const char *s)
{
	char *p;

	memset(t, 0, sizeof(*t));
	snprintf(t->buf, sizeof(t->buf), "%s", s);
	t->r.f = t->f;
	t->r.len = t->len;
	t->r.line = 2;
	for (p = t->buf;; ) {
		char *bar = strchr(p, '|');

		t->f[t->r.n] = p;
		if (bar != NULL)
			*bar = '\0';
		t->len[t->r.n] = strlen(p);
		t->r.n++;
		if (bar == NULL)
			break;
		p = bar + 1;
	}
}

static struct wz_pen *
engine(const char *on, int explain, const char *const *hdr)
{
	struct wz_pen_opts o = { on, explain, 1 };
	struct wz_pen *p = wz_pen_new(rs, &o);
	struct trow h;
	char line[512] = "";
	size_t i;

	assert_non_null(p);
	if (hdr == NULL)
		hdr = header;
	for (i = 0; hdr[i] != NULL; i++) {
		if (i > 0)
			strcat(line, "|");
		strcat(line, hdr[i]);
	}
	mkrow(&h, line);
	h.r.line = 1;
	assert_int_equal(wz_pen_bind(p, &h.r, "test"), 0);
	return p;
}

/* Run one row given as id|unit|text|amount|article|values|severity|
 * liable_id|liable_name|liable_role|liable_rank|party|tier. */
static struct wz_pen_result
run(struct wz_pen *p, const char *row)
{
	static struct trow t;
	struct wz_pen_result res;

	mkrow(&t, row);
	wz_pen_row(p, &t.r, &res);
	return res;
}

static void
test_selectors(void **state)
{
	struct wz_pen *p = engine("2020-06-30", 0, NULL);
	struct wz_pen_result r;

	(void)state;
	/* is_a: a town secretary is a town main leader; the other
	 * document's p_heads applies as well. */
	r = run(p, "F1|东河镇|||testdoc:1||minor|P1|王|town_secretary|乡科级|y|main_leader");
	assert_string_equal(r.measures, "written_check;talk");
	assert_string_equal(r.basis, "testdoc:1;otherdoc:1");
	assert_string_equal(r.handled_by, "org=组织部");
	assert_string_equal(r.needs_judgement, "n");
	assert_string_equal(r.measures_zh, "书面检查;约谈");
	/* not_posts keeps the main leaders out of p_not. */
	r = run(p, "F1|东河镇|||testdoc:1||minor|P2|李|town_deputy|乡科级|y|direct");
	assert_string_equal(r.measures, "no_promotion");
	assert_string_equal(r.no_promotion_until, "2021-06-30");
	/* ranks */
	r = run(p, "F1|东河镇|||testdoc:1||minor|P3|张|village_cadre|村干部|y|direct");
	assert_string_equal(r.measures, "pay_link");
	/* a person is never a unit */
	r = run(p, "F1|东河镇|||testdoc:1||minor|P4|赵|unknown_post||y|direct");
	assert_int_equal(r.answered, 0);
	assert_string_equal(r.needs_judgement, "");
	wz_pen_free(p);
}

static void
test_unit_levels(void **state)
{
	struct wz_pen *p = engine("2020-12-25", 0, NULL);
	struct wz_pen_result r;

	(void)state;
	r = run(p, "F1|东河镇|||testdoc:1||||示范县|unit|||collective");
	assert_string_equal(r.measures, "written_check");
	r = run(p, "F1|东河镇|||testdoc:1||||示范县人民政府|unit|||collective");
	assert_string_equal(r.measures, "written_check");
	r = run(p, "F1|东河镇|||testdoc:1||||东河镇人民政府|unit|||collective");
	assert_string_equal(r.measures, "notice_criticism;rectify");
	/* rectify_days 10 from 2020-12-25, across the year */
	assert_string_equal(r.rectify_by, "2021-01-04");
	r = run(p, "F1|东河镇|||testdoc:1||||示范县/东河镇|unit|||collective");
	assert_string_equal(r.measures, "notice_criticism;rectify");
	r = run(p, "F1|东河镇|||testdoc:1||||王庄村委会|unit|||collective");
	assert_string_equal(r.measures, "reorganize");
	r = run(p, "F1|东河镇|||testdoc:1||||县水务局|unit|||collective");
	assert_string_equal(r.measures, "unit_warning");
	r = run(p, "F1|东河镇|||testdoc:1||||县委组织部|unit|||collective");
	assert_string_equal(r.measures, "unit_warning");
	wz_pen_free(p);
}

static void
test_replaces(void **state)
{
	struct wz_pen *p = engine("2020-06-30", 1, NULL);
	struct wz_pen_result r;

	(void)state;
	/* p_heads_grave replaces its own document's p_heads only. */
	r = run(p, "F1|东河镇|||testdoc:1||grave|P1|王|town_secretary|乡科级|y|main_leader");
	assert_string_equal(r.measures, "written_check;suspend");
	/* the rule's file and the line of its "- id:" */
	assert_non_null(strstr(r.explain,
	    "p_heads (doc.yaml:28) replaced by p_heads_grave"));
	assert_non_null(strstr(r.explain, "p_heads_grave (doc.yaml:33) "
	    "gives suspend [testdoc:1], replaces p_heads"));
	assert_non_null(strstr(r.explain, "p_heads (doc2.yaml:10) gives "
	    "written_check [otherdoc:1]"));
	wz_pen_free(p);
}

static void
test_conditions(void **state)
{
	struct wz_pen *p = engine("2020-06-30", 0, NULL);
	struct wz_pen_result r;

	(void)state;
	/* text (normalised), a value from `values`, a value from the
	 * column, and the parameter on the right side. */
	r = run(p, "F2|县水务局|挪用资金||testdoc:2|amount=1500|minor|P1|王|town_deputy||n|direct");
	assert_string_equal(r.measures, "refer_discipline;refer_judicial");
	r = run(p, "F2|县水务局|截留资金|1500元|testdoc:2||minor|P1|王|town_deputy||n|direct");
	assert_string_equal(r.measures, "refer_judicial");
	r = run(p, "F2|县水务局|截留资金|999元|testdoc:2||minor|P1|王|town_deputy||n|direct");
	assert_string_equal(r.measures, "");
	assert_int_equal(r.answered, 1);	/* p_alt still answers */
	wz_pen_free(p);

	assert_int_equal(wz_rules_define(rs, "limit=2000"), 0);
	p = engine("2020-06-30", 0, NULL);
	r = run(p, "F2|县水务局|截留资金|1500元|testdoc:2||minor|P1|王|town_deputy||n|direct");
	assert_string_equal(r.measures, "");
	wz_pen_free(p);
	assert_int_equal(wz_rules_define(rs, "limit=1000"), 0);
}

static void
test_alternatives(void **state)
{
	struct wz_pen *p = engine("2020-06-30", 0, NULL);
	struct wz_pen_result r;

	(void)state;
	/* Each group in vocabulary order; the same group twice is kept
	 * once; both families are named in handled_by. */
	r = run(p, "F2|县水务局|截留资金||testdoc:2||minor|P1|王|town_deputy||y|main_leader");
	assert_string_equal(r.alternatives, "party_warning|gov_demerit;transfer|remove");
	assert_string_equal(r.alternatives_zh, "党内警告|记过;调离工作岗位|免职");
	assert_string_equal(r.basis, "testdoc:2;testdoc:3");
	assert_string_equal(r.handled_by, "org=组织部;discipline=纪委");
	assert_string_equal(r.needs_judgement, "y");
	assert_string_equal(r.no_promotion_until, "");
	/* party sanctions only for party members */
	r = run(p, "F2|县水务局|截留资金||testdoc:2||minor|P1|王|town_deputy||n|direct");
	assert_string_equal(r.alternatives, "gov_demerit;transfer|remove");
	/* a case must be one of the row's */
	r = run(p, "F3|县水务局|||testdoc:3|case=c0,c1||P1|王|town_deputy||y|direct");
	assert_string_equal(r.measures, "admonish");
	r = run(p, "F3|县水务局|||testdoc:3|case=c2||P1|王|town_deputy||y|direct");
	assert_int_equal(r.answered, 0);
	/* judgement alone */
	r = run(p, "F5|县水务局|||testdoc:5|||P1|王|town_deputy||y|main_leader");
	assert_int_equal(r.answered, 1);
	assert_string_equal(r.measures, "");
	assert_string_equal(r.needs_judgement, "y");
	wz_pen_free(p);
}

static void
test_effects_dates(void **state)
{
	struct wz_pen *p;
	struct wz_pen_result r;
	struct wz_pen_opts bad = { "2021-02-29", 0, 0 };

	(void)state;
	/* The effect (12 months) is longer than the rule's 6; the end of a
	 * shorter month clamps. */
	p = engine("2020-02-29", 0, NULL);
	r = run(p, "F5|县水务局|||testdoc:5|||P1|王|town_deputy||y|direct");
	assert_string_equal(r.measures, "admonish;party_warning");
	assert_string_equal(r.no_promotion_until, "2021-02-28");
	assert_string_equal(r.basis, "testdoc:5;natl:1");
	wz_pen_free(p);
	p = engine("2020-08-31", 0, NULL);
	r = run(p, "F1|东河镇|||testdoc:1||minor|P2|李|town_deputy|乡科级|y|direct");
	assert_string_equal(r.no_promotion_until, "2021-08-31");
	r = run(p, "F5|县水务局|||testdoc:5|||P1|王|town_deputy||n|direct");
	/* not a member: no party sanction, the rule's 6 months remain */
	assert_string_equal(r.measures, "admonish");
	assert_string_equal(r.no_promotion_until, "2021-02-28");
	wz_pen_free(p);
	assert_null(wz_pen_new(rs, &bad));
}

/* Write the earlier cases and append them to a ledger at `at`. */
static void
ledger_add(const char *ledger, const char *at, const char *csv)
{
	char path[128];
	struct wz_ropts ro;
	struct wz_ledger_opts lo;
	struct wz_reader *r;
	char canon[WZ_AT_LEN + 1];

	snprintf(path, sizeof(path), "%s/earlier.csv", dir);
	put("earlier.csv", csv);
	memset(&ro, 0, sizeof(ro));
	memset(&lo, 0, sizeof(lo));
	assert_int_equal(wz_ledger_parse_at(at, canon), 0);
	lo.at = canon;
	lo.by = "test";
	assert_non_null(r = wz_reader_open(path, &ro));
	assert_int_equal(wz_ledger_append(ledger, &r, 1, &lo), 0);
	wz_reader_close(r);
}

static void
test_repeat(void **state)
{
	static const char hdr[] = "id,unit,text,amount,article,values,severity,"
	    "liable_id,liable_name,liable_role,liable_rank,liable_party_member,"
	    "tier\n";
	char ledger[128], *csv;
	struct wz_pen *p;
	struct wz_pen_result r;

	(void)state;
	snprintf(ledger, sizeof(ledger), "%s/ledger.csv", dir);
	/* X1: two people at U1 (one finding); X2: 甲 at U2. */
	csv = wz_aprintf("%s%s%s%s", hdr,
	    "X1,U1,,,testdoc:4,,,A1,甲,town_deputy,,y,direct\n",
	    "X1,U1,,,testdoc:4,,,A2,乙,town_deputy,,y,direct\n",
	    "X2,U2,,,testdoc:4,,,A1,甲,town_deputy,,y,direct\n");
	ledger_add(ledger, "2020-01-01", csv);
	free(csv);
	/* X3 comes after the decision date: not earlier. */
	csv = wz_aprintf("%s%s", hdr,
	    "X3,U1,,,testdoc:4,,,A1,甲,town_deputy,,y,direct\n");
	ledger_add(ledger, "2021-01-01", csv);
	free(csv);

	p = engine("2020-06-30", 1, NULL);
	assert_int_equal(wz_pen_ledger(p, ledger), 0);
	assert_int_equal(wz_pen_ledger_cases(p), 3);
	/* 甲 at U1: the unit's second finding, the person's third. */
	r = run(p, "X9|U1|||testdoc:4|||A1|甲|town_deputy||y|direct");
	assert_string_equal(r.measures, "remove");
	assert_non_null(strstr(r.explain, "case 3 of testdoc:4 for the same person"));
	assert_non_null(strstr(r.explain, "replaces p_rep_unit"));
	/* 乙 at U1: the unit's second, the person's second. */
	r = run(p, "X9|U1|||testdoc:4|||A2|乙|town_deputy||y|direct");
	assert_string_equal(r.measures, "transfer");
	assert_non_null(strstr(r.explain, "case 2 of testdoc:4 for the same unit"));
	/* by name when the row has no id */
	r = run(p, "X9|U3|||testdoc:4||||甲|town_deputy||y|direct");
	assert_string_equal(r.measures, "remove");
	/* the finding already in the ledger is not its own earlier case */
	r = run(p, "X1|U1|||testdoc:4|||A1|甲|town_deputy||y|direct");
	assert_int_equal(r.answered, 0);
	/* another unit, another person: a first offence */
	r = run(p, "X9|U4|||testdoc:4|||A9|丙|town_deputy||y|direct");
	assert_int_equal(r.answered, 0);
	wz_pen_free(p);

	p = engine("2020-06-30", 0, NULL);
	assert_int_equal(wz_pen_ledger(p, "/nonexistent/ledger.csv"),
	    EX_NOINPUT);
	wz_pen_free(p);
}

static void
test_bind(void **state)
{
	struct wz_pen_opts o = { "2020-06-30", 0, 0 };
	struct wz_pen *p = wz_pen_new(rs, &o);
	struct trow h;

	(void)state;
	mkrow(&h, "id|article|values|liable_name|liable_role");
	assert_int_equal(wz_pen_bind(p, &h.r, "test"), EX_DATAERR);
	wz_pen_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_selectors),
		cmocka_unit_test(test_unit_levels),
		cmocka_unit_test(test_replaces),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_alternatives),
		cmocka_unit_test(test_effects_dates),
		cmocka_unit_test(test_repeat),
		cmocka_unit_test(test_bind),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
