/* Unit tests of the matcher (wz_match) on a small ruleset of its own. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "wz_base.h"
#include "wz_csv.h"
#include "wz_ledger.h"
#include "wz_match.h"
#include "wz_rules.h"
#include "wz_rx.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

static const char headers_yaml[] =
"fields:\n"
"  title: [职务]\n"
"  text: [问题描述, 情况说明]\n"
"  status: [核查结果]\n"
"  unit: [单位]\n"
"  grade: [考核等次]\n"
"  year: [年度]\n"
"  days: [驻村天数]\n"
"  date: [发生时间]\n";

static const char posts_yaml[] =
"posts:\n"
"  - code: dept_head\n"
"    label: 县直部门主要领导\n"
"    level: department\n"
"    rank: 乡科级\n"
"    titles: ['\\p{Han}{0,12}局局长']\n"
"  - code: village_cadre\n"
"    label: 村干部\n"
"    level: village\n"
"    rank: 村干部\n"
"    titles: []\n"
"  - code: village_secretary\n"
"    label: 村党支部书记\n"
"    level: village\n"
"    rank: 村干部\n"
"    is_a: [village_cadre]\n"
"    titles: ['\\p{Han}{0,8}村党支部书记']\n";

static const char common_yaml[] =
"exclude:\n"
"  - id: untrue\n"
"    label: 经核查不属实\n"
"    match: {any: [{text: '经核查不属实'}, {field: status, re: '^不属实$'}]}\n"
"    examples:\n"
"      positive: [{问题描述: 经核查不属实}]\n"
"      negative: [{问题描述: 经核查属实}]\n";

static const char t_yaml[] =
"document:\n"
"  id: t\n"
"  title: 测试办法\n"
"  issuer: 测试县\n"
"  jurisdiction: 测试县\n"
"  effective: 2017-01-01\n"
"  source: none\n"
"params:\n"
"  days_required: {default: 200, label: 天数, note: 测试}\n"
"groups:\n"
"  county: {label: 县直部门, cite: t:1, posts: [dept_head]}\n"
"  village: {label: 村, cite: t:2, posts: [village_cadre]}\n"
"articles:\n"
"  - id: t:1\n"
"    ref: 第一条\n"
"    kind: conduct\n"
"    text: 县直部门挪用资金的。\n"
"    groups: [county]\n"
"    severity: serious\n"
"    severity_when: [{when: {value: amount, ge: 50000}, severity: grave}]\n"
"    match: {text: '挪用[^。;]{0,10}?(?<amount>[0-9.]+万?元)'}\n"
"    examples:\n"
"      positive: [{职务: 县水务局局长, 问题描述: 挪用资金1万元}]\n"
"      negative: [{职务: 柳湾村党支部书记, 问题描述: 挪用资金1万元}]\n"
"  - id: t:2\n"
"    ref: 第二条\n"
"    kind: conduct\n"
"    text: 村干部挪用资金的。\n"
"    groups: [village]\n"
"    severity: serious\n"
"    match: {text: '挪用[^。;]{0,10}?(?<amount>[0-9.]+万?元)'}\n"
"    examples:\n"
"      positive: [{职务: 柳湾村党支部书记, 问题描述: 挪用资金1万元}]\n"
"      negative: [{职务: 县水务局局长, 问题描述: 挪用资金1万元}]\n"
"  - id: t:3\n"
"    ref: 第三条\n"
"    kind: conduct\n"
"    text: 驻村天数不足的。\n"
"    severity: minor\n"
"    match: {value: days, lt: days_required}\n"
"    examples:\n"
"      positive: [{驻村天数: '98'}]\n"
"      negative: [{驻村天数: '298'}]\n"
"  - id: t:4\n"
"    ref: 第四条\n"
"    kind: measure\n"
"    text: 连续两年考核为一般的。\n"
"    cases:\n"
"      - id: twice\n"
"        label: 连续两年为一般\n"
"        match:\n"
"          all:\n"
"            - {field: grade, in: [一般]}\n"
"            - history: {key: [unit], years: 1, cond: {field: grade, in: [一般]}, ledger_case: twice}\n"
"    examples:\n"
"      positive:\n"
"        - rows: [{单位: 东河镇, 年度: '2017', 考核等次: 一般}, {单位: 东河镇, 年度: '2018', 考核等次: 一般, _case: twice}]\n"
"      negative: [{单位: 东河镇, 年度: '2018', 考核等次: 一般}]\n";

/* A deliberately wrong example: its "positive" breaks nothing. */
static const char bad_yaml[] =
"document:\n"
"  id: bad\n"
"  title: 错误示例\n"
"  issuer: 测试县\n"
"  jurisdiction: 测试县\n"
"  source: none\n"
"articles:\n"
"  - id: bad:1\n"
"    ref: 第一条\n"
"    kind: conduct\n"
"    text: 截留资金的。\n"
"    severity: serious\n"
"    match: {text: '截留'}\n"
"    examples:\n"
"      positive: [{问题描述: 资金按时拨付}]\n"
"      negative: [{问题描述: 未截留资金}]\n";

/*
 * Patterns of literal alternatives only, which the matcher answers from
 * the automaton (alt_match()): PCRE2 takes the leftmost place one of
 * them is found, and there the first of them in the pattern's order,
 * not the longest.  Loaded on request (not *.yaml).
 */
static const char alt_yaml[] =
"document:\n"
"  id: alt\n"
"  title: 选择测试\n"
"  issuer: 测试县\n"
"  jurisdiction: 测试县\n"
"  source: none\n"
"articles:\n"
"  - id: alt:1\n"
"    ref: 第一条\n"
"    kind: conduct\n"
"    text: 虚报的。\n"
"    severity: minor\n"
"    match: {text: '(虚报|虚报冒领|冒领)'}\n"
"    examples:\n"
"      positive: [{问题描述: 虚报冒领}]\n"
"      negative: [{问题描述: 如实申报}]\n"
"  - id: alt:2\n"
"    ref: 第二条\n"
"    kind: conduct\n"
"    text: 虚报冒领的。\n"
"    severity: minor\n"
"    match: {text: '(?:虚报冒领|虚报|冒领)'}\n"
"    examples:\n"
"      positive: [{问题描述: 虚报冒领}]\n"
"      negative: [{问题描述: 如实申报}]\n"
"  - id: alt:3\n"
"    ref: 第三条\n"
"    kind: conduct\n"
"    text: 冒领的。\n"
"    severity: minor\n"
"    match: {text: '冒领|资金|虚报'}\n"
"    examples:\n"
"      positive: [{问题描述: 虚报冒领}]\n"
"      negative: [{问题描述: 如实申报}]\n";

static char dir[64];

static void
put(const char *name, const char *text)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static struct wz_ruleset *
load(int with_bad)
{
	struct wz_ruleset *rs = wz_rules_new();
	char path[128];
	int errs;

	errs = wz_rules_load(rs, dir);
	if (with_bad) {
		snprintf(path, sizeof(path), "%s/bad.yml", dir);
		errs += wz_rules_load(rs, path);
	}
	errs += wz_rules_finish(rs);
	assert_int_equal(errs, 0);
	return rs;
}

static int
setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/wz-test-match-XXXXXX");
	assert_non_null(mkdtemp(dir));
	put("headers.yaml", headers_yaml);
	put("posts.yaml", posts_yaml);
	put("common.yaml", common_yaml);
	put("t.yaml", t_yaml);
	put("bad.yml", bad_yaml);	/* not *.yaml: loaded on request */
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A sheet of n columns and up to 8 rows built from string literals. */
struct sheet {
	struct wz_row	 hdr, rows[8];
	char		*hf[8], *rf[8][8];
	size_t		 hl[8], rl[8][8];
};

static void
sheet(struct sheet *s, size_t n, const char *const *hdr, size_t nrows,
    const char *const *cells)
{
	size_t i, k;

	memset(s, 0, sizeof(*s));
	s->hdr.n = n;
	s->hdr.f = s->hf;
	s->hdr.len = s->hl;
	for (k = 0; k < n; k++) {
		s->hf[k] = (char *)hdr[k];
		s->hl[k] = strlen(hdr[k]);
	}
	for (i = 0; i < nrows; i++) {
		s->rows[i].n = n;
		s->rows[i].f = s->rf[i];
		s->rows[i].len = s->rl[i];
		s->rows[i].line = i + 2;
		for (k = 0; k < n; k++) {
			s->rf[i][k] = (char *)cells[i * n + k];
			s->rl[i][k] = strlen(cells[i * n + k]);
		}
	}
}

/* A matcher with the prefilter (*a) and one without (*b), their options
 * otherwise o, for the tests that compare the two. */
static void
pair_new(struct wz_ruleset *rs, const struct wz_match_opts *o,
    struct wz_matcher **a, struct wz_matcher **b)
{
	struct wz_match_opts ob = *o;

	ob.no_prefilter = 1;
	*a = wz_matcher_new(rs, o);
	*b = wz_matcher_new(rs, &ob);
	assert_non_null(*a);
	assert_non_null(*b);
}

/* Both bound to header hdr. */
static void
pair_bind(struct wz_matcher *a, struct wz_matcher *b,
    const struct wz_row *hdr)
{
	assert_int_equal(wz_matcher_bind(a, hdr, "a"), 0);
	assert_int_equal(wz_matcher_bind(b, hdr, "b"), 0);
}

/* Matchers a and b (one with the prefilter, one without) cite the same
 * for the row each read last: the same articles, in the same order,
 * each with the same words, values, cases, group, severity and
 * explanation.  Their number; a's citations in *ca. */
static size_t
same_citations(const struct wz_matcher *a, const struct wz_matcher *b,
    const struct wz_citation **ca)
{
	const struct wz_citation *cb;
	size_t na, nb, k;

	na = wz_matcher_citations(a, ca);
	nb = wz_matcher_citations(b, &cb);
	assert_int_equal(na, nb);
	for (k = 0; k < na; k++) {
		assert_ptr_equal((*ca)[k].art, cb[k].art);
		assert_string_equal((*ca)[k].evidence, cb[k].evidence);
		assert_string_equal((*ca)[k].values, cb[k].values);
		assert_string_equal((*ca)[k].cases, cb[k].cases);
		assert_string_equal((*ca)[k].group, cb[k].group);
		assert_string_equal((*ca)[k].explain, cb[k].explain);
		assert_int_equal((*ca)[k].severity, cb[k].severity);
	}
	return na;
}

static void
test_groups_values(void **state)
{
	static const char *const hdr[] = { "职务", "问题描述" };
	static const char *const cells[] = {
		"县水务局局长", "挪用专项资金８万元用于接待",
		"柳湾村党支部书记", "挪用资金1.5万元",
		"县扶贫协会会长", "挪用资金2万元",
		"县水务局局长", "挪用资金2万元，经核查不属实",
		"县水务局局长", "资金按时拨付",
	};
	struct wz_match_opts o;
	struct wz_ruleset *rs = load(0);
	struct wz_matcher *m;
	const struct wz_citation *c;
	struct sheet s;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.explain = 1;
	m = wz_matcher_new(rs, &o);
	assert_non_null(m);
	sheet(&s, 2, hdr, 5, cells);
	assert_int_equal(wz_matcher_bind(m, &s.hdr, "t"), 0);

	assert_int_equal(wz_matcher_row(m, &s.rows[0]), WZ_M_MATCHED);
	assert_int_equal(wz_matcher_citations(m, &c), 1);
	assert_string_equal(c[0].art->id, "t:1");
	assert_string_equal(c[0].group, "county");
	assert_string_equal(c[0].values, "amount=80000");
	assert_string_equal(c[0].evidence, "挪用专项资金８万元");
	assert_int_equal(c[0].severity, WZ_SEV_GRAVE);
	assert_non_null(strstr(c[0].explain, "severity grave"));

	assert_int_equal(wz_matcher_row(m, &s.rows[1]), WZ_M_MATCHED);
	assert_int_equal(wz_matcher_citations(m, &c), 1);
	assert_string_equal(c[0].art->id, "t:2");
	assert_string_equal(c[0].group, "village");	/* through is_a */
	assert_int_equal(c[0].severity, WZ_SEV_SERIOUS);

	/* Unknown post: every group's article, group "unknown". */
	assert_int_equal(wz_matcher_row(m, &s.rows[2]), WZ_M_MATCHED);
	assert_int_equal(wz_matcher_citations(m, &c), 2);
	assert_string_equal(c[0].group, "unknown");
	assert_string_equal(c[1].group, "unknown");
	assert_true(wz_matcher_row_unknown_post(m));

	assert_int_equal(wz_matcher_row(m, &s.rows[3]), WZ_M_EXCLUDED);
	assert_string_equal(wz_matcher_row_exclusion(m), "untrue");
	assert_int_equal(wz_matcher_row(m, &s.rows[4]), WZ_M_UNMATCHED);
	assert_false(wz_matcher_row_unknown_post(m));
	wz_matcher_free(m);
	wz_rules_free(rs);
}

/* The prefilter changes nothing but speed. */
static void
test_prefilter_same(void **state)
{
	static const char *const hdr[] = { "职务", "问题描述", "驻村天数" };
	static const char *const cells[] = {
		"县水务局局长", "挪用资金5万元", "",
		"县水务局局长", "挪 用资金5万元", "",
		"柳湾村党支部书记", "经核查属实,挪用资金3元", "120",
		"柳湾村党支部书记", "MIXED case 挪用 ascii 7元", "x",
		"", "", "199",
		"县水务局局长", "经核查不属实", "",
	};
	struct wz_match_opts o;
	struct wz_ruleset *rs = load(0);
	struct wz_matcher *a, *b;
	const struct wz_citation *ca;
	struct sheet s;
	size_t i;
	int ra, rb;

	(void)state;
	memset(&o, 0, sizeof(o));
	pair_new(rs, &o, &a, &b);
	sheet(&s, 3, hdr, 6, cells);
	pair_bind(a, b, &s.hdr);
	for (i = 0; i < 6; i++) {
		ra = wz_matcher_row(a, &s.rows[i]);
		rb = wz_matcher_row(b, &s.rows[i]);
		assert_int_equal(ra, rb);
		(void)same_citations(a, b, &ca);
	}
	wz_matcher_free(a);
	wz_matcher_free(b);
	wz_rules_free(rs);
}

/*
 * Literal alternatives: each row's span is PCRE2's (the matcher without
 * the prefilter runs it), and the one written here.
 */
static void
test_alternatives(void **state)
{
	static const char *const hdr[] = { "职务", "问题描述" };
	static const char *const cells[] = {
		"", "经查虚报冒领资金",
		"", "冒领资金,又虚报冒领",
		"", "虚报",
		"", "虚报冒",
	};
	/* alt:1, alt:2, alt:3 of each row; "" none. */
	static const char *const want[] = {
		"虚报", "虚报冒领", "虚报",
		"冒领", "冒领", "冒领",
		"虚报", "虚报", "虚报",
		"虚报", "虚报", "虚报",
	};
	struct wz_match_opts o;
	struct wz_ruleset *rs = wz_rules_new();
	struct wz_matcher *a, *b;
	const struct wz_citation *ca;
	struct sheet s;
	char path[128];
	size_t i, k, j, na;

	(void)state;
	put("alt.yml", alt_yaml);
	snprintf(path, sizeof(path), "%s/alt.yml", dir);
	assert_int_equal(wz_rules_load(rs, dir) + wz_rules_load(rs, path) +
	    wz_rules_finish(rs), 0);
	memset(&o, 0, sizeof(o));
	pair_new(rs, &o, &a, &b);
	sheet(&s, 2, hdr, 4, cells);
	pair_bind(a, b, &s.hdr);
	for (i = 0; i < 4; i++) {
		assert_int_equal(wz_matcher_row(a, &s.rows[i]),
		    wz_matcher_row(b, &s.rows[i]));
		na = same_citations(a, b, &ca);
		for (j = 0; j < 3; j++) {
			char id[16];

			snprintf(id, sizeof(id), "alt:%zu", j + 1);
			for (k = 0; k < na && strcmp(ca[k].art->id, id) != 0;
			    k++)
				;
			assert_true(k < na);
			if (strcmp(ca[k].evidence, want[3 * i + j]) != 0)
				fail_msg("row %zu %s: '%s', not '%s'", i, id,
				    ca[k].evidence, want[3 * i + j]);
		}
	}
	wz_matcher_free(a);
	wz_matcher_free(b);
	wz_rules_free(rs);
}

/*
 * A column whose values seldom repeat goes past its value slots after a
 * poor window (fld_norm_row): rows read then, with no slot for the
 * field's pattern results, must match as rows read with slots, and as
 * without the prefilter.  The status column here holds a new value on
 * six rows of seven and 不属实 on the seventh, which the exclusion's
 * field pattern must still find on every row, 4,000 rows through.
 */
static void
test_value_slots_skipped(void **state)
{
	static const char *const hdr[] = { "职务", "问题描述", "核查结果" };
	struct wz_match_opts o;
	struct wz_ruleset *rs = load(0);
	struct wz_matcher *a, *b;
	const struct wz_citation *ca;
	struct sheet s;
	char st[32], tx[64];
	const char *cells[3];
	size_t i, nex = 0, ncit = 0;
	int ra, rb;

	(void)state;
	memset(&o, 0, sizeof(o));
	pair_new(rs, &o, &a, &b);
	cells[0] = "县水务局局长";
	cells[1] = tx;
	cells[2] = st;
	sheet(&s, 3, hdr, 1, cells);
	pair_bind(a, b, &s.hdr);
	for (i = 0; i < 4000; i++) {
		if (i % 7 == 6)
			snprintf(st, sizeof(st), "不属实");
		else
			snprintf(st, sizeof(st), "属实%zu", i);
		snprintf(tx, sizeof(tx), "挪用资金%zu元", i % 13 + 1);
		sheet(&s, 3, hdr, 1, cells);
		s.rows[0].line = i + 2;
		ra = wz_matcher_row(a, &s.rows[0]);
		rb = wz_matcher_row(b, &s.rows[0]);
		assert_int_equal(ra, rb);
		assert_int_equal(ra, i % 7 == 6 ? WZ_M_EXCLUDED :
		    WZ_M_MATCHED);
		nex += ra == WZ_M_EXCLUDED;
		ncit += same_citations(a, b, &ca);
	}
	assert_int_equal(nex, 4000 / 7);
	assert_true(ncit >= 4000 - 4000 / 7 - 1);
	wz_matcher_free(a);
	wz_matcher_free(b);
	wz_rules_free(rs);
}

/*
 * The same with the real rules/ (run from the top of the tree): every
 * example row of every article and exclusion, each also joined with
 * another's text and given another's verdict column, three times over
 * (so the prefilter's anchors adapt and the field values repeat), must
 * give the same result and the same citations, to the explain column,
 * with the prefilter as without.
 */
struct rsheet {
	struct wz_row	 hdr;
	const char	*names[64];
	const char	*fields[64];	/* each column's field */
	size_t		 nlen[64];
	struct wz_row	*rows;
	size_t		 nrows, cap;
	struct wz_aliases al;
};

/* The column of header key: one per field (核查结果 and 办理结果 are both
 * status), so that the header binds. */
static int
rsheet_col(struct rsheet *sh, const char *key)
{
	const char *field = key;
	char *a, *b;
	size_t k;

	a = wz_header_norm(key, strlen(key));
	for (k = 0; k < sh->al.n; k++) {
		b = wz_header_norm(sh->al.v[k].header,
		    strlen(sh->al.v[k].header));
		if (strcmp(a, b) == 0)
			field = sh->al.v[k].field;
		free(b);
		if (field != key)
			break;
	}
	free(a);
	for (k = 0; k < sh->hdr.n; k++)
		if (strcmp(sh->fields[k], field) == 0)
			return (int)k;
	if (sh->hdr.n == 64)
		return -1;
	sh->names[sh->hdr.n] = key;
	sh->fields[sh->hdr.n] = field;
	sh->nlen[sh->hdr.n] = strlen(key);
	return (int)sh->hdr.n++;
}

/* A row of the example row r, with the text and status of r2 mixed in
 * when r2 is not NULL. */
static void
rsheet_add(struct rsheet *sh, const struct wz_exrow *r,
    const struct wz_exrow *r2)
{
	struct wz_row *row;
	size_t i, k;
	int c;

	if (sh->nrows == sh->cap) {
		sh->cap = sh->cap ? 2 * sh->cap : 256;
		sh->rows = realloc(sh->rows, sh->cap * sizeof(*sh->rows));
		assert_non_null(sh->rows);
	}
	row = &sh->rows[sh->nrows++];
	memset(row, 0, sizeof(*row));
	row->f = calloc(64, sizeof(*row->f));
	row->len = calloc(64, sizeof(*row->len));
	assert_non_null(row->f);
	assert_non_null(row->len);
	for (k = 0; k < 64; k++)
		row->f[k] = (char *)"";
	row->line = sh->nrows + 1;
	for (i = 0; i < r->keys.n; i++)
		if (r->keys.v[i][0] != '_' &&
		    (c = rsheet_col(sh, r->keys.v[i])) >= 0)
			row->f[c] = r->vals.v[i];
	for (i = 0; r2 != NULL && i < r2->keys.n; i++) {
		if (r2->keys.v[i][0] == '_' ||
		    (c = rsheet_col(sh, r2->keys.v[i])) < 0)
			continue;
		if (row->f[c][0] == '\0')
			row->f[c] = r2->vals.v[i];
		else if (strcmp(sh->fields[c], "text") == 0 &&
		    sh->rows[sh->nrows - 1].line != 0) {
			row->f[c] = wz_aprintf("%s。%s", row->f[c],
			    r2->vals.v[i]);
			row->line = 0;	/* owns f[c] */
			row->recno = (unsigned long)c + 1;
		}
	}
}

static void
add_examples(struct rsheet *sh, const struct wz_example *ex, size_t n,
    const struct wz_exrow **all, size_t *nall)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ex[i].nrows > 0)
			all[(*nall)++] = &ex[i].rows[ex[i].nrows - 1];
}

static void
test_prefilter_rules(void **state)
{
	static const struct wz_exrow *all[8192];
	struct wz_match_opts o;
	struct wz_ruleset *rs;
	struct wz_matcher *a, *b;
	const struct wz_citation *ca;
	struct rsheet sh;
	size_t i, k, nall = 0, pass, matched = 0;
	int ra, rb, err, devnull;

	(void)state;
	if (access("rules/headers.yaml", R_OK) != 0)
		skip();
	rs = wz_rules_new();
	assert_int_equal(wz_rules_load(rs, "rules") + wz_rules_finish(rs), 0);
	memset(&sh, 0, sizeof(sh));
	sh.al = wz_rules_aliases(rs);
	for (i = 0; i < rs->narts; i++) {
		add_examples(&sh, rs->arts[i]->pos, rs->arts[i]->npos, all,
		    &nall);
		add_examples(&sh, rs->arts[i]->neg, rs->arts[i]->nneg, all,
		    &nall);
	}
	for (i = 0; i < rs->nexcl; i++) {
		add_examples(&sh, rs->excl[i].pos, rs->excl[i].npos, all,
		    &nall);
		add_examples(&sh, rs->excl[i].neg, rs->excl[i].nneg, all,
		    &nall);
	}
	assert_true(nall > 500 && nall < 8192);
	for (i = 0; i < nall; i++)
		rsheet_add(&sh, all[i], NULL);
	for (i = 0; i < nall; i++)
		rsheet_add(&sh, all[i], all[(i * 7919 + 13) % nall]);
	sh.hdr.f = (char **)sh.names;
	sh.hdr.len = sh.nlen;
	for (i = 0; i < sh.nrows; i++) {
		sh.rows[i].n = sh.hdr.n;
		for (k = 0; k < sh.hdr.n; k++)
			sh.rows[i].len[k] = strlen(sh.rows[i].f[k]);
	}

	memset(&o, 0, sizeof(o));
	o.explain = 1;
	o.no_history = 1;
	pair_new(rs, &o, &a, &b);
	pair_bind(a, b, &sh.hdr);
	/* Rows with bad numbers or unknown posts are reported: quiet, but
	 * not for the test's own messages. */
	err = dup(2);
	devnull = open("/dev/null", O_WRONLY);
	for (pass = 0; pass < 3; pass++)
		for (i = 0; i < sh.nrows; i++) {
			fflush(stderr);
			dup2(devnull, 2);
			ra = wz_matcher_row(a, &sh.rows[i]);
			rb = wz_matcher_row(b, &sh.rows[i]);
			fflush(stderr);
			dup2(err, 2);
			if (ra != rb)
				fail_msg("row %zu: %d with the prefilter, %d "
				    "without", i, ra, rb);
			if (ra == WZ_M_EXCLUDED || ra == WZ_M_UNMATCHED)
				assert_string_equal(
				    wz_matcher_row_exclusion(a) ?
				    wz_matcher_row_exclusion(a) : "-",
				    wz_matcher_row_exclusion(b) ?
				    wz_matcher_row_exclusion(b) : "-");
			(void)same_citations(a, b, &ca);
			matched += ra == WZ_M_MATCHED;
		}
	close(err);
	close(devnull);
	assert_true(matched > sh.nrows);
	for (i = 0; i < sh.nrows; i++) {
		if (sh.rows[i].line == 0)
			free(sh.rows[i].f[sh.rows[i].recno - 1]);
		free(sh.rows[i].f);
		free(sh.rows[i].len);
	}
	free(sh.rows);
	wz_matcher_free(a);
	wz_matcher_free(b);
	wz_rules_free(rs);
}

static void
test_history(void **state)
{
	static const char *const hdr[] = { "单位", "年度", "考核等次" };
	static const char *const cells[] = {
		"东河镇", "2017", "一般",
		"东河镇", "2018", "一般",
		"西山乡", "2016", "一般",
		"西山乡", "2018", "一般",
	};
	struct wz_match_opts o;
	struct wz_ruleset *rs = load(0);
	struct wz_matcher *m;
	const struct wz_citation *c;
	struct sheet s;
	size_t i;

	(void)state;
	memset(&o, 0, sizeof(o));
	m = wz_matcher_new(rs, &o);
	assert_true(wz_matcher_has_history(m));
	sheet(&s, 3, hdr, 4, cells);
	assert_int_equal(wz_matcher_bind(m, &s.hdr, "h"), 0);
	assert_true(wz_matcher_history_needed(m));
	for (i = 0; i < 4; i++)
		wz_matcher_history_row(m, &s.rows[i]);
	assert_int_equal(wz_matcher_row(m, &s.rows[1]), WZ_M_MATCHED);
	assert_int_equal(wz_matcher_citations(m, &c), 1);
	assert_string_equal(c[0].cases, "twice");
	assert_string_equal(c[0].values, "case=twice");
	assert_non_null(strstr(c[0].evidence, "2017: 考核等次=一般"));
	/* 2016 is not the year before 2018. */
	assert_int_equal(wz_matcher_row(m, &s.rows[3]), WZ_M_UNMATCHED);
	wz_matcher_history_reset(m);
	assert_int_equal(wz_matcher_row(m, &s.rows[1]), WZ_M_UNMATCHED);
	wz_matcher_free(m);

	o.no_history = 1;
	m = wz_matcher_new(rs, &o);
	assert_false(wz_matcher_has_history(m));
	wz_matcher_free(m);
	wz_rules_free(rs);
}

static void
test_history_ledger(void **state)
{
	static const char *const hdr[] = { "单位", "年度", "考核等次" };
	static const char *const cells[] = {
		"西山乡", "2018", "一般",	/* the ledger's 2017, by path */
		"东河镇", "2018", "一般",	/* the ledger has 2016 only */
		"南川镇", "2018", "一般",	/* another rule case */
		"北坪乡", "2018", "一般",	/* a collective case's name */
		"柳湾乡", "2018", "一般",	/* a person's, not the unit */
		"城关镇", "2018", "一般",	/* closed without a decision */
		"通渭县/西山乡", "2018", "一般",	/* the same path */
		"临县/西山乡", "2018", "一般",	/* another county's */
	};
	static const char input[] =
	    "编号,单位,年度,article,values,liable_name,tier\n"
	    "K1,通渭县/西山乡,2017,t:4,case=twice,西山乡,collective\n"
	    "K2,东河镇,2016,t:4,case=twice,东河镇,collective\n"
	    "K3,南川镇,2017,t:4,case=other,南川镇,collective\n"
	    "K4,,2017,t:4,case=twice,北坪乡,collective\n"
	    "K5,,2017,t:4,case=twice,柳湾乡,direct\n"
	    "K6,城关镇,2017,t:4,case=twice,城关镇,collective\n";
	struct wz_match_opts o;
	struct wz_ruleset *rs = load(0);
	struct wz_matcher *m;
	const struct wz_citation *c;
	struct wz_ledger_opts lo;
	struct wz_event_args a;
	struct wz_lhist_stats st;
	struct wz_reader *r;
	struct sheet s;
	char in[128], led[128], id[WZ_CASE_ID_LEN + 1];
	char *paths[1] = { led };
	int fd, err;

	(void)state;
	put("in.csv", input);
	snprintf(in, sizeof(in), "%s/in.csv", dir);
	snprintf(led, sizeof(led), "%s/ledger.csv", dir);
	memset(&lo, 0, sizeof(lo));
	memset(&a, 0, sizeof(a));
	lo.at = "2018-03-01T00:00:00Z";
	lo.by = "test";
	fflush(stderr);
	err = dup(2);
	fd = open("/dev/null", O_WRONLY);
	dup2(fd, 2);
	close(fd);
	assert_non_null(r = wz_reader_open(in, NULL));
	assert_int_equal(wz_ledger_append(led, &r, 1, &lo), 0);
	wz_reader_close(r);
	wz_ledger_case_id("K6", "t:4", "城关镇", "collective", id);
	assert_int_equal(wz_ledger_event(led, id, "closed", &a, &lo), 0);
	fflush(stderr);
	dup2(err, 2);
	close(err);

	memset(&o, 0, sizeof(o));
	m = wz_matcher_new(rs, &o);
	assert_int_equal(wz_matcher_ledgers(m, paths, 1, &st), 0);
	assert_int_equal(st.records, 7);
	assert_int_equal(st.cases, 5);	/* not K3's rule case */
	assert_int_equal(st.counted, 4);	/* not K6, dropped */
	sheet(&s, 3, hdr, 8, cells);
	assert_int_equal(wz_matcher_bind(m, &s.hdr, "h"), 0);
	wz_matcher_history_reset(m);	/* keeps the ledgers' */
	assert_int_equal(wz_matcher_row(m, &s.rows[0]), WZ_M_MATCHED);
	assert_int_equal(wz_matcher_citations(m, &c), 1);
	assert_string_equal(c[0].cases, "twice");
	assert_non_null(strstr(c[0].evidence, "2017: ledger "));
	assert_non_null(strstr(c[0].evidence, "ledger.csv:2 twice"));
	assert_int_equal(wz_matcher_row(m, &s.rows[1]), WZ_M_UNMATCHED);
	assert_int_equal(wz_matcher_row(m, &s.rows[2]), WZ_M_UNMATCHED);
	assert_int_equal(wz_matcher_row(m, &s.rows[3]), WZ_M_MATCHED);
	assert_int_equal(wz_matcher_row(m, &s.rows[4]), WZ_M_UNMATCHED);
	assert_int_equal(wz_matcher_row(m, &s.rows[5]), WZ_M_UNMATCHED);
	assert_int_equal(wz_matcher_row(m, &s.rows[6]), WZ_M_MATCHED);
	assert_int_equal(wz_matcher_row(m, &s.rows[7]), WZ_M_UNMATCHED);
	wz_matcher_free(m);
	wz_rules_free(rs);
}

static void
test_bind_errors(void **state)
{
	static const char *const hdr[] = { "单位", "单位", "问题描述" };
	static const char *const text[] = { "无此列" };
	static const char *const fields[] = { "days=天数" };
	struct wz_match_opts o;
	struct wz_ruleset *rs = load(0);
	struct wz_matcher *m;
	struct sheet s;

	(void)state;
	sheet(&s, 3, hdr, 0, NULL);
	memset(&o, 0, sizeof(o));
	m = wz_matcher_new(rs, &o);
	assert_int_equal(wz_matcher_bind(m, &s.hdr, "x"), EX_DATAERR);
	wz_matcher_free(m);
	o.text_cols = text;
	o.ntext = 1;
	o.no_history = 1;
	m = wz_matcher_new(rs, &o);
	assert_int_equal(wz_matcher_bind(m, &s.hdr, "x"), EX_USAGE);
	wz_matcher_free(m);
	memset(&o, 0, sizeof(o));
	o.fields = fields;
	o.nfields = 1;
	m = wz_matcher_new(rs, &o);
	assert_int_equal(wz_matcher_bind(m, &s.hdr, "x"), EX_USAGE);
	wz_matcher_free(m);
	wz_rules_free(rs);
}

static void
test_examples(void **state)
{
	struct wz_ruleset *rs;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	(void)state;
	rs = load(0);
	out = open_memstream(&buf, &len);
	assert_int_equal(wz_match_examples(rs, NULL, 1, out), 0);
	fclose(out);
	assert_non_null(strstr(buf, "ok   t:4: 1 tp, 0 fn, 1 tn, 0 fp\n"));
	assert_non_null(strstr(buf, "ok   exclusion untrue:"));
	assert_non_null(strstr(buf, "10 passed, 0 failed\n"));
	free(buf);
	wz_rules_free(rs);

	rs = load(1);
	buf = NULL;
	out = open_memstream(&buf, &len);
	assert_int_equal(wz_match_examples(rs, "bad", 0, out), 2);
	fclose(out);
	assert_non_null(strstr(buf, "FAIL bad:1 positive 1 ("));
	assert_non_null(strstr(buf, "FAIL bad:1 negative 1 ("));
	assert_non_null(strstr(buf, "0 passed, 2 failed\n"));
	assert_null(strstr(buf, "t:1"));
	free(buf);
	wz_rules_free(rs);
}



/*
 * Gated units whose gates test one field are opened together, from a
 * list kept per value of the field (candidates()): two exclusions gated
 * on the status column, rows that repeat and change its value, each
 * result as expected and as without the prefilter (which has no gates).
 */
static const char gate_common_yaml[] =
"exclude:\n"
"  - id: untrue\n"
"    label: 不属实\n"
"    match: {any: [{text: '经核查不属实'}, {field: status, re: '^不属实$'}]}\n"
"  - id: none\n"
"    label: 查无实据\n"
"    match: {any: [{text: '查无实据'}, {field: status, in: [查无实据, 无据]}]}\n"
"  - id: cleared\n"
"    label: 已澄清\n"
"    match: {all: [{text: '澄清'}, {not: {text: '未(?:予|能)?澄清'}}]}\n";

/* The test's rules (gate_common_yaml for common.yaml) in a directory of
 * their own, made in gdir. */
static struct wz_ruleset *
gate_rules(char *gdir)
{
	static const char *const name[] = { "headers.yaml", "posts.yaml",
	    "common.yaml", "t.yaml" };
	const char *text[] = { headers_yaml, posts_yaml, gate_common_yaml,
	    t_yaml };
	struct wz_ruleset *rs;
	char path[128];
	size_t k;
	FILE *fp;

	strcpy(gdir, "/tmp/wz-test-gate-XXXXXX");
	assert_non_null(mkdtemp(gdir));
	for (k = 0; k < 4; k++) {
		snprintf(path, sizeof(path), "%s/%s", gdir, name[k]);
		assert_non_null(fp = fopen(path, "w"));
		fputs(text[k], fp);
		fclose(fp);
	}
	rs = wz_rules_new();
	assert_int_equal(wz_rules_load(rs, gdir) + wz_rules_finish(rs), 0);
	return rs;
}

static void
test_gate_fields(void **state)
{
	static const char *const hdr[] = { "职务", "问题描述", "核查结果" };
	static const char *const vals[] = {
		"不属实", "不属实", "属实", "查无实据", "查无实据", "不属实",
		"无据", "", "属实", "查无实据"
	};
	static const char *const want[] = {
		"untrue", "untrue", NULL, "none", "none", "untrue", "none",
		NULL, NULL, "none"
	};
	char gdir[64], cmd[128];
	const char *cells[3];
	struct wz_match_opts o;
	struct wz_ruleset *rs;
	struct wz_matcher *a, *b;
	struct sheet s;
	size_t i, k;
	int ra, rb;

	(void)state;
	rs = gate_rules(gdir);
	memset(&o, 0, sizeof(o));
	pair_new(rs, &o, &a, &b);
	cells[0] = "县水务局局长";
	cells[1] = "挪用资金2万元";
	cells[2] = "";
	sheet(&s, 3, hdr, 1, cells);
	pair_bind(a, b, &s.hdr);
	/* Three rounds: the lists are made, then read. */
	for (k = 0; k < 30; k++) {
		i = k % 10;
		cells[2] = vals[i];
		sheet(&s, 3, hdr, 1, cells);
		ra = wz_matcher_row(a, &s.rows[0]);
		rb = wz_matcher_row(b, &s.rows[0]);
		assert_int_equal(ra, rb);
		if (want[i] != NULL) {
			assert_int_equal(ra, WZ_M_EXCLUDED);
			assert_string_equal(wz_matcher_row_exclusion(a),
			    want[i]);
			assert_string_equal(wz_matcher_row_exclusion(b),
			    want[i]);
		} else
			assert_int_equal(ra, WZ_M_MATCHED);
	}
	wz_matcher_free(a);
	wz_matcher_free(b);
	wz_rules_free(rs);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", gdir);
	assert_int_equal(system(cmd), 0);
}


/*
 * A `not` whose part the prefilter says cannot hold holds without a
 * visit (eval()): rows with the part's words and without, as expected
 * and as without the prefilter.
 */
static void
test_not_prefilter(void **state)
{
	static const char *const hdr[] = { "职务", "问题描述", "核查结果" };
	static const char *const texts[] = {
		"挪用资金2万元,已澄清", "挪用资金2万元,未澄清",
		"挪用资金2万元,未予澄清", "挪用资金2万元", "澄清", "未能澄清",
	};
	static const int want[] = {
		WZ_M_EXCLUDED, WZ_M_MATCHED, WZ_M_MATCHED, WZ_M_MATCHED,
		WZ_M_EXCLUDED, WZ_M_UNMATCHED
	};
	char gdir[64], cmd[128];
	const char *cells[3];
	struct wz_match_opts o;
	struct wz_ruleset *rs;
	struct wz_matcher *a, *b;
	struct sheet s;
	size_t i, k;
	int ra, rb;

	(void)state;
	rs = gate_rules(gdir);
	memset(&o, 0, sizeof(o));
	pair_new(rs, &o, &a, &b);
	cells[0] = "县水务局局长";
	cells[1] = texts[0];
	cells[2] = "属实";
	sheet(&s, 3, hdr, 1, cells);
	pair_bind(a, b, &s.hdr);
	for (k = 0; k < 12; k++) {
		i = k % 6;
		cells[1] = texts[i];
		sheet(&s, 3, hdr, 1, cells);
		ra = wz_matcher_row(a, &s.rows[0]);
		rb = wz_matcher_row(b, &s.rows[0]);
		assert_int_equal(ra, want[i]);
		assert_int_equal(rb, want[i]);
		if (ra == WZ_M_EXCLUDED)
			assert_string_equal(wz_matcher_row_exclusion(a),
			    "cleared");
	}
	wz_matcher_free(a);
	wz_matcher_free(b);
	wz_rules_free(rs);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", gdir);
	assert_int_equal(system(cmd), 0);
}

/*
 * The prefilter's anchor lists and tid records (cand_tids(),
 * rest_found(), anchor_lists()): patterns whose clauses have several
 * literals, so that a tid is reached through two literals of its anchor
 * (after one that failed, and one that held), tids of one clause and of
 * three, a tid in two units, on rows of the words mixed at random, past
 * the anchors' adapting (64 and 512 rows) and through a second bind to
 * a header of another order: each row as without the prefilter, and
 * each article cited on some rows and not on others.
 */
static const char anchor_yaml[] =
"document:\n"
"  id: a\n"
"  title: 锚点办法\n"
"  issuer: 测试县\n"
"  jurisdiction: 测试县\n"
"  source: none\n"
"articles:\n"
"  - id: a:1\n"
"    ref: 第一条\n"
"    kind: conduct\n"
"    text: 挪用资金的。\n"
"    severity: serious\n"
"    match: {text: '(挪用|侵占|截留)[^。]{0,6}(资金|款项)'}\n"
"  - id: a:2\n"
"    ref: 第二条\n"
"    kind: conduct\n"
"    text: 虚报的。\n"
"    severity: minor\n"
"    match: {any: [{text: '虚报'}, {text: '(冒领|套取)[^。]{0,6}(补贴|补助)"
"[^。]{0,6}(万元|元)'}]}\n"
"  - id: a:3\n"
"    ref: 第三条\n"
"    kind: conduct\n"
"    text: 挪用并虚报的。\n"
"    severity: serious\n"
"    match: {all: [{text: '(挪用|侵占|截留)[^。]{0,6}(资金|款项)'}, "
"{text: '虚报|冒领'}, {not: {text: '已退回'}}]}\n"
"  - id: a:4\n"
"    ref: 第四条\n"
"    kind: conduct\n"
"    text: 侵占或挪用的。\n"
"    severity: minor\n"
"    match: {text: '侵占|挪用'}\n"
"  - id: a:5\n"
"    ref: 第五条\n"
"    kind: conduct\n"
"    text: 侵占的。\n"
"    severity: minor\n"
"    match: {text: '侵占'}\n"
"  - id: a:6\n"
"    ref: 第六条\n"
"    kind: conduct\n"
"    text: 挪用的。\n"
"    severity: minor\n"
"    match: {text: '挪用'}\n";

static void
anchor_run(struct wz_matcher *a, struct wz_matcher *b, const char *const *hdr,
    size_t tcol, size_t from, size_t to, size_t *ncit)
{
	static const char *const words[] = {
		"挪用", "侵占", "截留", "资金", "款项", "虚报", "冒领", "套取",
		"补贴", "补助", "万元", "元", "。", "已退回", "3", "了"
	};
	const struct wz_citation *ca;
	const char *cells[3];
	char tx[256];
	struct sheet s;
	unsigned long x;
	size_t i, k, na, len;
	int ra, rb;

	for (i = from; i < to; i++) {
		x = i * 2654435761UL + 12345;
		len = 0;
		tx[0] = '\0';
		for (k = 0; k < 2 + x % 7; k++) {
			x = x * 6364136223846793005UL + 1442695040888963407UL;
			len += (size_t)snprintf(tx + len, sizeof(tx) - len,
			    "%s", words[(x >> 33) % 16]);
		}
		cells[1 - tcol] = "县水务局局长";
		cells[tcol] = tx;
		cells[2] = "属实";
		sheet(&s, 3, hdr, 1, cells);
		ra = wz_matcher_row(a, &s.rows[0]);
		rb = wz_matcher_row(b, &s.rows[0]);
		if (ra != rb)
			fail_msg("row %zu '%s': %d with the prefilter, %d "
			    "without", i, tx, ra, rb);
		na = same_citations(a, b, &ca);
		for (k = 0; k < na; k++)
			ncit[ca[k].art->id[2] - '1']++;
	}
}

static void
test_anchor_records(void **state)
{
	static const char *const name[] = { "headers.yaml", "posts.yaml",
	    "common.yaml", "a.yaml" };
	static const char *const hdr1[] = { "职务", "问题描述", "核查结果" };
	static const char *const hdr2[] = { "问题描述", "职务", "核查结果" };
	const char *text[] = { headers_yaml, posts_yaml, common_yaml,
	    anchor_yaml };
	struct wz_match_opts o;
	struct wz_ruleset *rs;
	struct wz_matcher *a, *b;
	struct sheet s;
	char adir[64], path[128], cmd[128];
	size_t k, ncit[6] = { 0, 0, 0, 0, 0, 0 };
	FILE *fp;

	(void)state;
	strcpy(adir, "/tmp/wz-test-anchor-XXXXXX");
	assert_non_null(mkdtemp(adir));
	for (k = 0; k < 4; k++) {
		snprintf(path, sizeof(path), "%s/%s", adir, name[k]);
		assert_non_null(fp = fopen(path, "w"));
		fputs(text[k], fp);
		fclose(fp);
	}
	rs = wz_rules_new();
	assert_int_equal(wz_rules_load(rs, adir) + wz_rules_finish(rs), 0);
	memset(&o, 0, sizeof(o));
	pair_new(rs, &o, &a, &b);
	sheet(&s, 3, hdr1, 0, NULL);
	pair_bind(a, b, &s.hdr);
	anchor_run(a, b, hdr1, 1, 0, 600, ncit);
	sheet(&s, 3, hdr2, 0, NULL);
	assert_int_equal(wz_matcher_bind(a, &s.hdr, "a2"), 0);
	assert_int_equal(wz_matcher_bind(b, &s.hdr, "b2"), 0);
	anchor_run(a, b, hdr2, 0, 600, 1200, ncit);
	for (k = 0; k < 6; k++)
		assert_true(ncit[k] > 20 && ncit[k] < 1100);
	wz_matcher_free(a);
	wz_matcher_free(b);
	wz_rules_free(rs);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", adir);
	assert_int_equal(system(cmd), 0);
}

/*
 * More gated units on one field than a word of bits (candidates() keeps
 * groups of at most 64, and their open units per value slot): seventy
 * exclusions gated on the status column, rows whose value goes back and
 * forth between values that open no gate and values that open one,
 * each row dropped by its own exclusion or kept, as without the
 * prefilter.  Each row's value is new: the value slots are taken again
 * by other values.
 */
static void
test_gate_groups(void **state)
{
	static const char *const name[] = { "headers.yaml", "posts.yaml",
	    "t.yaml" };
	static const char *const hdr[] = { "职务", "问题描述", "核查结果" };
	const char *text[] = { headers_yaml, posts_yaml, t_yaml };
	char gdir[64], path[128], cmd[128], val[32], id[32];
	const char *cells[3];
	struct wz_match_opts o;
	struct wz_ruleset *rs;
	struct wz_matcher *a, *b;
	struct sheet s;
	size_t i, k;
	int ra, rb;
	FILE *fp;

	(void)state;
	strcpy(gdir, "/tmp/wz-test-ggrp-XXXXXX");
	assert_non_null(mkdtemp(gdir));
	for (k = 0; k < 3; k++) {
		snprintf(path, sizeof(path), "%s/%s", gdir, name[k]);
		assert_non_null(fp = fopen(path, "w"));
		fputs(text[k], fp);
		fclose(fp);
	}
	snprintf(path, sizeof(path), "%s/common.yaml", gdir);
	assert_non_null(fp = fopen(path, "w"));
	fputs("exclude:\n", fp);
	for (k = 0; k < 70; k++)
		fprintf(fp, "  - id: e%zu\n    label: 排除%zu\n    match: "
		    "{any: [{text: '排除词%zu号'}, {field: status, re: "
		    "'^值%zu号'}]}\n", k, k, k, k);
	fclose(fp);
	rs = wz_rules_new();
	assert_int_equal(wz_rules_load(rs, gdir) + wz_rules_finish(rs), 0);
	memset(&o, 0, sizeof(o));
	pair_new(rs, &o, &a, &b);
	cells[0] = "县水务局局长";
	cells[1] = "挪用资金2万元";
	cells[2] = val;
	snprintf(val, sizeof(val), "属实");
	sheet(&s, 3, hdr, 1, cells);
	pair_bind(a, b, &s.hdr);
	for (i = 0; i < 400; i++) {
		/* Each value new (the slots are taken again by other
		 * values): one that opens no gate, then one for 0, 1, 63,
		 * 64, 65, 69 in turn. */
		k = (size_t[]){ 0, 1, 63, 64, 65, 69 }[i / 2 % 6];
		if (i % 2 == 0)
			snprintf(val, sizeof(val), "属实%zu", i);
		else
			snprintf(val, sizeof(val), "值%zu号%zu", k, i);
		sheet(&s, 3, hdr, 1, cells);
		ra = wz_matcher_row(a, &s.rows[0]);
		rb = wz_matcher_row(b, &s.rows[0]);
		assert_int_equal(ra, rb);
		if (i % 2 == 0) {
			assert_int_equal(ra, WZ_M_MATCHED);
			continue;
		}
		assert_int_equal(ra, WZ_M_EXCLUDED);
		snprintf(id, sizeof(id), "e%zu", k);
		assert_string_equal(wz_matcher_row_exclusion(a), id);
		assert_string_equal(wz_matcher_row_exclusion(b), id);
	}
	wz_matcher_free(a);
	wz_matcher_free(b);
	wz_rules_free(rs);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", gdir);
	assert_int_equal(system(cmd), 0);
}

/* The trailing literals of a pattern, joined by spaces ("" for none). */
static void
expect_suffixes(const char *pattern, const char *want)
{
	struct wz_buf b = {0};
	char **v;
	size_t n, i;

	n = wz_rx_suffixes(pattern, &v);
	for (i = 0; i < n; i++) {
		if (i > 0)
			wz_buf_addc(&b, ' ');
		wz_buf_adds(&b, v[i]);
		free(v[i]);
	}
	free(v);
	if (strcmp(wz_buf_cstr(&b), want) != 0)
		fail_msg("wz_rx_suffixes('%s') gave '%s', not '%s'", pattern,
		    b.s, want);
	wz_buf_free(&b);
}

static void
test_rx_suffixes(void **state)
{
	(void)state;
	expect_suffixes("(截留|挪用)[^。;]{0,25}(资金|款)", "资金 款");
	expect_suffixes("挪用[^。;]{0,10}?(?<amount>[0-9.]+万?元)", "元");
	expect_suffixes("(?<!拒绝)(贪污|索要[^。;]{0,6}(财物|钱款))",
	    "贪污 财物 钱款");
	expect_suffixes("查无实据|^(?:均)?(?:无法|不能)(?:查实|证实)",
	    "查无实据 查实 证实");
	expect_suffixes("(?'n'甲)|(?P<m>乙丙)", "甲 乙丙");
	/* A character that may repeat ends a run, and ends a branch as
	 * itself; one that may be missing, or a group, gives up. */
	expect_suffixes("甲乙+丙", "丙");
	expect_suffixes("甲乙+", "乙");
	expect_suffixes("甲乙{2}", "乙");
	expect_suffixes("甲乙{2,}?", "乙");
	expect_suffixes("(甲|乙)+", "甲 乙");
	expect_suffixes("甲乙?", "");
	expect_suffixes("甲乙{0,2}", "");
	expect_suffixes("(甲|乙)*", "");
	expect_suffixes("(?:甲|)", "");
	expect_suffixes("甲|乙|", "");
	/* PCRE2 10.42 reads these braces as text. */
	expect_suffixes("甲{2,x}", "");
	expect_suffixes("甲乙{,2}", "");
	/* Letters (caseless), escapes, classes, lookbehinds at the end. */
	expect_suffixes("甲ab", "");
	expect_suffixes("甲\\x{4e59}", "");
	expect_suffixes("甲\\。", "");
	expect_suffixes("甲[乙]", "");
	expect_suffixes("甲(乙)\\1", "");
	expect_suffixes("(?:甲|乙(?<!x))", "");
	/* What commits to a choice or looks past the match, anywhere. */
	expect_suffixes("(?>甲)乙", "");
	expect_suffixes("甲++乙", "");
	expect_suffixes("甲{1,2}+乙", "");
	expect_suffixes("甲(?!丙)乙", "");
	expect_suffixes("甲\\b乙", "");
	expect_suffixes("甲$|乙", "");
	expect_suffixes("(*COMMIT)甲", "");
	expect_suffixes("甲(?i)乙", "");
	expect_suffixes("(?x)甲 乙", "");
	expect_suffixes("甲(?#c)乙", "");
	expect_suffixes("甲\\R乙", "");
	expect_suffixes("[\\Q]\\E]乙", "");
	/* Lookbehinds and escapes before the end are fine. */
	expect_suffixes("(?<![不否])\\p{Han}\\d+属实", "属实");
}

/*
 * The property wz_rx_suffixes() promises, on random patterns and texts:
 * a pattern with trailing literals matches a text as it matches the text
 * cut after the last place one of them ends (the same span, the same
 * groups), and not at all when none is in the text.  PCRE2's interpreter
 * is the judge: the JIT of PCRE2 10.42 misses some matches whatever the
 * subject's length ((?:...|.).+?ab on "cdab" does not match), which
 * would be taken for the cut's doing.
 */
static const char *const sx_atoms[] = {
	"甲", "乙", "丙", "甲乙", "乙丙", ".", "[^甲]", "[乙丙]", "\\d", "1",
	"a", "(?<![甲])", "(?<!乙丙)", "(?!乙)", "(?=甲)", "\\b", "$", "^",
	"\\p{Han}",
	/* What a cut would change, were it let through: a lookahead
	 * reading past the match, a choice an atomic group commits to. */
	"(?!乙.)", "(?=丙.)", "(?>甲.|甲)", "(?>..|.)", "(?:..|.)",
	"(?:...|.)"
};
static const char *const sx_quants[] = {
	"", "", "", "", "", "?", "*", "+", "{2}", "{0,2}", "{1,3}", "??",
	"+?", "*?", "{2,}", "++", "*+", "?+", "{1,2}+"
};
static const char *const sx_chars[] = {
	"甲", "乙", "丙", "a", "1", "。"
};

static unsigned long sx_rng = 271828;

static unsigned
sx_rnd(unsigned n)
{
	sx_rng = sx_rng * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)((sx_rng >> 33) % n);
}

static void
sx_seq(struct wz_buf *b, int depth, int *ngroup)
{
	unsigned i, n = 1 + sx_rnd(4);

	for (i = 0; i < n; i++) {
		if (sx_rnd(10) < 3 && depth < 3) {
			static const char *const open[] = { "(", "(?:",
			    "(?<g%d>", "(?>", "(?:" };
			unsigned o = sx_rnd(5);

			if (o == 2)
				wz_buf_printf(b, "(?<g%d>", (*ngroup)++);
			else
				wz_buf_adds(b, open[o]);
			sx_seq(b, depth + 1, ngroup);
			while (sx_rnd(3) == 0) {
				wz_buf_adds(b, "|");
				sx_seq(b, depth + 1, ngroup);
			}
			wz_buf_adds(b, ")");
		} else
			wz_buf_adds(b, sx_atoms[sx_rnd(sizeof(sx_atoms) /
			    sizeof(sx_atoms[0]))]);
		/* Mostly plain, so that many patterns have suffixes. */
		if (sx_rnd(3) == 0)
			wz_buf_adds(b, sx_quants[sx_rnd(sizeof(sx_quants) /
			    sizeof(sx_quants[0]))]);
	}
	/* Often a sequence ends with a literal, as the rules' do. */
	if (sx_rnd(2) == 0)
		wz_buf_adds(b, sx_atoms[sx_rnd(5)]);
}

/* Match with PCRE2's interpreter: the result, and the offsets of every
 * group in ov (unset: PCRE2_UNSET). */
static int
sx_match(pcre2_code *re, pcre2_match_data *md, const char *s, size_t n,
    PCRE2_SIZE *ov, size_t nov)
{
	const PCRE2_SIZE *o;
	size_t i;
	int rc;

	rc = pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, md, NULL);
	o = pcre2_get_ovector_pointer(md);
	for (i = 0; i < nov; i++)
		ov[i] = rc > 0 ? o[i] : PCRE2_UNSET;
	return rc;
}

static void
test_suffix_property(void **state)
{
	struct wz_buf pat = {0}, txt = {0};
	pcre2_code *re;
	pcre2_match_data *md;
	PCRE2_SIZE ov0[32], ov1[32], eo;
	char **v;
	size_t n, i, j, cut, nov;
	unsigned npat, ntxt, len;
	unsigned long withsfx = 0, matched = 0, shorter = 0;
	int ngroup, r0, r1, ec;
	const char *at;

	(void)state;
	for (npat = 0; npat < 20000; npat++) {
		wz_buf_reset(&pat);
		ngroup = 0;
		sx_seq(&pat, 0, &ngroup);
		if (sx_rnd(4) == 0) {
			wz_buf_adds(&pat, "|");
			sx_seq(&pat, 0, &ngroup);
		}
		/* As wz_rx_new() compiles a rule's pattern. */
		re = pcre2_compile((PCRE2_SPTR)wz_buf_cstr(&pat),
		    PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_CASELESS, &ec, &eo,
		    NULL);
		if (re == NULL)
			continue;
		if ((n = wz_rx_suffixes(pat.s, &v)) == 0) {
			pcre2_code_free(re);
			continue;
		}
		withsfx++;
		md = pcre2_match_data_create(16, NULL);
		nov = 2 * pcre2_get_ovector_count(md);
		for (ntxt = 0; ntxt < 200; ntxt++) {
			wz_buf_reset(&txt);
			len = sx_rnd(12);
			for (i = 0; i < len; i++) {
				if (sx_rnd(3) == 0)
					wz_buf_adds(&txt, v[sx_rnd((unsigned)n)]);
				else
					wz_buf_adds(&txt, sx_chars[sx_rnd(
					    sizeof(sx_chars) /
					    sizeof(sx_chars[0]))]);
			}
			wz_buf_cstr(&txt);
			/* Where the last occurrence of a suffix ends. */
			cut = 0;
			for (j = 0; j < n; j++)
				for (at = strstr(txt.s, v[j]); at != NULL;
				    at = strstr(at + 1, v[j]))
					if ((size_t)(at - txt.s) +
					    strlen(v[j]) > cut)
						cut = (size_t)(at - txt.s) +
						    strlen(v[j]);
			r0 = sx_match(re, md, txt.s, txt.len, ov0, nov);
			if (cut == 0) {
				if (r0 > 0)
					fail_msg("'%s' matches '%s', which "
					    "holds none of its suffixes", pat.s,
					    txt.s);
				continue;
			}
			shorter += cut < txt.len;
			r1 = sx_match(re, md, txt.s, cut, ov1, nov);
			if (r0 != r1 || memcmp(ov0, ov1, nov * sizeof(*ov0)) != 0)
				fail_msg("'%s' on '%s': %d [%zu, %zu), cut at "
				    "%zu: %d [%zu, %zu)", pat.s, txt.s, r0,
				    ov0[0], ov0[1], cut, r1, ov1[0], ov1[1]);
			matched += r0 > 0;
		}
		for (i = 0; i < n; i++)
			free(v[i]);
		free(v);
		pcre2_match_data_free(md);
		pcre2_code_free(re);
	}
	/* The test tests something. */
	assert_true(withsfx > 1500);
	assert_true(matched > 150000);
	assert_true(shorter > 100000);
	wz_buf_free(&pat);
	wz_buf_free(&txt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups_values),
		cmocka_unit_test(test_prefilter_same),
		cmocka_unit_test(test_value_slots_skipped),
		cmocka_unit_test(test_prefilter_rules),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_history_ledger),
		cmocka_unit_test(test_bind_errors),
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_gate_fields),
		cmocka_unit_test(test_not_prefilter),
		cmocka_unit_test(test_anchor_records),
		cmocka_unit_test(test_gate_groups),
		cmocka_unit_test(test_alternatives),
		cmocka_unit_test(test_rx_suffixes),
		cmocka_unit_test(test_suffix_property),
	};

	wz_setprogname("test_match");
	return cmocka_run_group_tests_name("match", tests, setup, teardown);
}
