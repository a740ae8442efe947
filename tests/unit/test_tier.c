/* Unit tests of the tier engine's scope index and period logic (wz_tier). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "wz_base.h"
#include "wz_date.h"
#include "wz_tier.h"

/* The units of the golden cases' county, and a second county. */
static const char *const paths[] = {
	"清河县",
	"清河县/东河镇/柳湾村",
	"清河县/东河镇/杏林村",
	"清河县/西山乡/柳湾村",
	"清河县/西山乡/石岔村",
	"清河县/县农业农村局",
	"白水县/城关镇/柳湾村",
};

static struct wz_scopes *
county(void)
{
	struct wz_scopes *s = wz_scopes_new();
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		wz_scopes_add(s, paths[i], strlen(paths[i]));
	return s;
}

static int
node(const struct wz_scopes *s, const char *p)
{
	return wz_scopes_find(s, p, strlen(p));
}

static void
test_index(void **state)
{
	struct wz_scopes *s = county();
	int v, t, c;

	(void)state;
	v = node(s, "清河县/东河镇/柳湾村");
	t = node(s, "清河县/东河镇");
	c = node(s, "清河县");
	assert_true(v >= 0 && t >= 0 && c >= 0);
	/* Ancestors are added with a path. */
	assert_int_equal(wz_scopes_parent(s, v), t);
	assert_int_equal(wz_scopes_parent(s, t), c);
	assert_int_equal(wz_scopes_parent(s, c), -1);
	assert_int_equal(wz_scopes_depth(s, v), 3);
	assert_string_equal(wz_scopes_path(s, t), "清河县/东河镇");
	/* Adding again finds the same node. */
	assert_int_equal(wz_scopes_add(s, "清河县/东河镇", strlen(
	    "清河县/东河镇")), t);
	assert_int_equal(node(s, "清河县/东河"), -1);
	assert_int_equal(node(s, "东河镇"), -1);
	wz_scopes_free(s);
}

static void
test_contains(void **state)
{
	(void)state;
#define C(a, b) wz_scope_contains(a, strlen(a), b, strlen(b))
	assert_true(C("清河县", "清河县/东河镇/柳湾村"));
	assert_true(C("清河县/东河镇", "清河县/东河镇"));
	assert_true(C("", "清河县"));
	/* A path, not a prefix of the bytes. */
	assert_false(C("清河县/东河", "清河县/东河镇"));
	assert_false(C("清河县/东河镇/柳湾村", "清河县/东河镇"));
	assert_false(C("清河县/西山乡", "清河县/东河镇/柳湾村"));
#undef C
}

/* Resolve parts below base; check status, path and the node found. */
static void
resolve(const struct wz_scopes *s, const char *base,
    const char *const *parts, size_t n, int want, const char *wpath,
    const char *wnode)
{
	struct wz_buf path = { 0 }, why = { 0 };
	int nd = -2, st;

	st = wz_scopes_resolve(s, base != NULL ? node(s, base) : -1, parts, n,
	    &path, &nd, &why);
	if (st != want)
		fail_msg("%s...: status %d, want %d (%s)", parts[0], st, want,
		    wz_buf_cstr(&why));
	assert_string_equal(wz_buf_cstr(&path), wpath);
	if (wnode == NULL)
		assert_int_equal(nd, -1);
	else
		assert_int_equal(nd, node(s, wnode));
	wz_buf_free(&path);
	wz_buf_free(&why);
}

#define P(...) (const char *const []){ __VA_ARGS__ }, \
	sizeof((const char *const []){ __VA_ARGS__ }) / sizeof(char *)

static void
test_resolve(void **state)
{
	struct wz_scopes *s = county();

	(void)state;
	/* Whole paths, and parts relative to the county. */
	resolve(s, NULL, P("清河县", "东河镇", "柳湾村"), WZ_PLACE_OK,
	    "清河县/东河镇/柳湾村", "清河县/东河镇/柳湾村");
	resolve(s, "清河县", P("东河镇", "柳湾村"), WZ_PLACE_OK,
	    "清河县/东河镇/柳湾村", "清河县/东河镇/柳湾村");
	resolve(s, "清河县", P("西山乡", "柳湾村"), WZ_PLACE_OK,
	    "清河县/西山乡/柳湾村", "清河县/西山乡/柳湾村");
	resolve(s, "清河县", P("东河镇/柳湾村"), WZ_PLACE_OK,
	    "清河县/东河镇/柳湾村", "清河县/东河镇/柳湾村");
	/* A village alone: found if one township has it ... */
	resolve(s, "清河县", P("杏林村"), WZ_PLACE_OK,
	    "清河县/东河镇/杏林村", "清河县/东河镇/杏林村");
	/* ... ambiguous if two have one (the other county's does not
	 * count), and the path stops at the county. */
	resolve(s, "清河县", P("柳湾村"), WZ_PLACE_AMBIGUOUS, "清河县",
	    "清河县");
	resolve(s, "清河县", P("", "柳湾村村委会"), WZ_PLACE_AMBIGUOUS,
	    "清河县", "清河县");
	/* Units run together, with the county's name or an organ. */
	resolve(s, "清河县", P("东河镇柳湾村"), WZ_PLACE_OK,
	    "清河县/东河镇/柳湾村", "清河县/东河镇/柳湾村");
	resolve(s, "清河县", P("清河县西山乡石岔村"), WZ_PLACE_OK,
	    "清河县/西山乡/石岔村", "清河县/西山乡/石岔村");
	resolve(s, "清河县", P("东河镇人民政府"), WZ_PLACE_OK,
	    "清河县/东河镇", "清河县/东河镇");
	resolve(s, "清河县", P("清河县农业农村局"), WZ_PLACE_OK,
	    "清河县/县农业农村局", "清河县/县农业农村局");
	resolve(s, NULL, P("白水县城关镇柳湾村"), WZ_PLACE_OK,
	    "白水县/城关镇/柳湾村", "白水县/城关镇/柳湾村");
	/* The county's organs are the county (their people are scoped
	 * there), unless the index has them as units. */
	resolve(s, "清河县", P("县政府"), WZ_PLACE_OK, "清河县", "清河县");
	resolve(s, "清河县", P("清河县委"), WZ_PLACE_OK, "清河县", "清河县");
	resolve(s, NULL, P("清河县人民政府"), WZ_PLACE_OK, "清河县",
	    "清河县");
	resolve(s, "清河县", P("县政府办"), WZ_PLACE_UNKNOWN,
	    "清河县/县政府办", "清河县");
	/* A unit the index lacks is kept, below what is known. */
	resolve(s, "清河县", P("东河镇", "白杨村"), WZ_PLACE_UNKNOWN,
	    "清河县/东河镇/白杨村", "清河县/东河镇");
	resolve(s, "清河县", P("平安镇", "白杨村"), WZ_PLACE_UNKNOWN,
	    "清河县/平安镇/白杨村", "清河县");
	resolve(s, NULL, P("黑山县"), WZ_PLACE_UNKNOWN, "黑山县", NULL);
	/* Nothing to go on. */
	resolve(s, NULL, P("", ""), WZ_PLACE_NONE, "", NULL);
	wz_scopes_free(s);
}

static wz_day
d(int y, int m, int dd)
{
	return wz_date_days(y, m, dd);
}

static void
span(const char *s, int want, wz_day wlo, wz_day whi)
{
	wz_day lo = 0, hi = 0;
	int rc = wz_tier_span(s, strlen(s), &lo, &hi);

	if (rc != want)
		fail_msg("'%s': %d, want %d", s, rc, want);
	if (want != WZ_DATE_OK)
		return;
	if (lo != wlo || hi != whi)
		fail_msg("'%s': %ld..%ld, want %ld..%ld", s, (long)lo,
		    (long)hi, (long)wlo, (long)whi);
}

static void
test_span(void **state)
{
	(void)state;
	span("2018-03-15", WZ_DATE_OK, d(2018, 3, 15), d(2018, 3, 15));
	span("2018年3月15日", WZ_DATE_OK, d(2018, 3, 15), d(2018, 3, 15));
	span("2018.03", WZ_DATE_OK, d(2018, 3, 1), d(2018, 3, 31));
	span("2018年2月", WZ_DATE_OK, d(2018, 2, 1), d(2018, 2, 28));
	span("2018", WZ_DATE_OK, d(2018, 1, 1), d(2018, 12, 31));
	span("2018年", WZ_DATE_OK, d(2018, 1, 1), d(2018, 12, 31));
	span("2018年度", WZ_DATE_OK, d(2018, 1, 1), d(2018, 12, 31));
	span("2018.03-2019.02", WZ_DATE_OK, d(2018, 3, 1), d(2019, 2, 28));
	span("2018年3月至今", WZ_DATE_OK, d(2018, 3, 1), WZ_TIER_END);
	span("", WZ_DATE_EMPTY, 0, 0);
	span("  ", WZ_DATE_EMPTY, 0, 0);
	span("至今", WZ_DATE_BAD, 0, 0);
	span("去年", WZ_DATE_BAD, 0, 0);
	span("2018年度度", WZ_DATE_BAD, 0, 0);
}

static void
test_overlaps(void **state)
{
	/* 陈红梅: 2015-03-01 .. 2018-06-30. */
	wz_day from = d(2015, 3, 1), to = d(2018, 6, 30);

	(void)state;
#define O(lo, hi) wz_tier_overlaps(from, to, lo, hi)
	/* Conduct before she left, on her last day, after she left. */
	assert_true(O(d(2018, 6, 20), d(2018, 6, 20)));
	assert_true(O(d(2018, 6, 30), d(2018, 6, 30)));
	assert_false(O(d(2018, 7, 1), d(2018, 7, 1)));
	/* Before she came. */
	assert_false(O(d(2015, 2, 28), d(2015, 2, 28)));
	assert_true(O(d(2015, 3, 1), d(2015, 3, 1)));
	/* A year: anyone in post some time in it. */
	assert_true(O(d(2018, 1, 1), d(2018, 12, 31)));
	assert_true(O(d(2015, 1, 1), d(2015, 12, 31)));
	assert_false(O(d(2019, 1, 1), d(2019, 12, 31)));
	/* A month that straddles her last day. */
	assert_true(O(d(2018, 6, 1), d(2018, 6, 30)));
	/* No date at all: every holder. */
	assert_true(O(WZ_TIER_BEGIN, WZ_TIER_END));
#undef O
	/* Open ends: a role still held, a role with no known start. */
	assert_true(wz_tier_overlaps(d(2018, 7, 1), WZ_TIER_END,
	    d(2025, 1, 1), d(2025, 1, 1)));
	assert_false(wz_tier_overlaps(d(2018, 7, 1), WZ_TIER_END,
	    d(2018, 6, 30), d(2018, 6, 30)));
	assert_true(wz_tier_overlaps(WZ_TIER_BEGIN, d(2017, 12, 31),
	    d(2000, 1, 1), d(2000, 1, 1)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_span),
		cmocka_unit_test(test_overlaps),
	};

	wz_setprogname("test_tier");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
