/*
 * wz_report.c - reports and queries over ledgers; see wz_report.h.
 *
 * The report folds the events itself rather than through wz_lstate,
 * because it needs what a case went through (when it was decided, when
 * its rectification was done), not only where it ended; and because two
 * ledgers must stay apart even where their case ids meet.  Queries, on
 * the other hand, print exactly what `wz-ledger state` prints, so they go
 * through wz_lstate and filter its rows.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wz_base.h"
#include "wz_csv.h"
#include "wz_ledger.h"
#include "wz_num.h"
#include "wz_report.h"
#include "wz_rules.h"
#include "wz_text.h"
#include "wz_xlsxw.h"

/* ------------------------------------------------------------------ */
/* Dates.                                                             */

static int
date_ok(const char *s)
{
	return s != NULL && wz_ledger_date_ok(s, strlen(s));
}

/* Days since 1970-01-01 of a valid YYYY-MM-DD (H. Hinnant's algorithm). */
static long
date_days(const char *s)
{
	long y = atol(s), m = atol(s + 5), d = atol(s + 8), era, yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static int
month_days(int y, int m)
{
	static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return md[m - 1];
}

int
wz_period_month(struct wz_period *p, const char *s)
{
	char d[11];

	if (strlen(s) != 7)
		return -1;
	snprintf(d, sizeof(d), "%s-01", s);
	if (!date_ok(d))
		return -1;
	p->kind = WZ_PERIOD_MONTH;
	memcpy(p->from, d, sizeof(d));
	snprintf(p->to, sizeof(p->to), "%.7s-%02d", s,
	    month_days(atoi(s), atoi(s + 5)));
	return 0;
}

int
wz_period_year(struct wz_period *p, const char *s)
{
	char d[11];

	if (strlen(s) != 4)
		return -1;
	snprintf(d, sizeof(d), "%s-01-01", s);
	if (!date_ok(d))
		return -1;
	p->kind = WZ_PERIOD_YEAR;
	memcpy(p->from, d, sizeof(d));
	snprintf(p->to, sizeof(p->to), "%s-12-31", s);
	return 0;
}

/*
 * The effective date of an event: its `date` column, else (a record
 * without one) the date of `at`.
 */
static void
event_date(const struct wz_levent *e, char out[11])
{
	if (wz_ledger_date_ok(e->f[WZ_LC_DATE], e->len[WZ_LC_DATE]))
		memcpy(out, e->f[WZ_LC_DATE], 10);
	else if (e->len[WZ_LC_AT] >= 10)
		memcpy(out, e->f[WZ_LC_AT], 10);
	else
		memset(out, '0', 10);
	out[10] = '\0';
}

static int
in_period(const struct wz_period *p, const char *d)
{
	if (d[0] == '\0')
		return 0;
	return (p->from[0] == '\0' || strcmp(d, p->from) >= 0) &&
	    (p->to[0] == '\0' || strcmp(d, p->to) <= 0);
}

/* ------------------------------------------------------------------ */
/* A string-keyed hash map to indexes.                                */

struct smap {
	struct sent {
		char	*k;
		size_t	 kl, v;
	}		*t;
	size_t		 cap, n;
};

static struct sent *
smap_slot(const struct smap *m, const char *k, size_t kl)
{
	uint64_t h = wz_hash(k, kl);
	size_t i;

	/* Fold the high bits in: the mask keeps only the low ones. */
	h ^= h >> 32;
	h *= 0x9e3779b97f4a7c15ULL;
	h ^= h >> 29;
	i = (size_t)h & (m->cap - 1);

	while (m->t[i].k != NULL && (m->t[i].kl != kl ||
	    memcmp(m->t[i].k, k, kl) != 0))
		i = (i + 1) & (m->cap - 1);
	return &m->t[i];
}

/* The index stored under k, or (size_t)-1. */
static size_t
smap_get(const struct smap *m, const char *k, size_t kl)
{
	const struct sent *e;

	if (m->cap == 0)
		return (size_t)-1;
	e = smap_slot(m, k, kl);
	return e->k != NULL ? e->v : (size_t)-1;
}

static void
smap_put(struct smap *m, const char *k, size_t kl, size_t v)
{
	struct sent *old = m->t, *e;
	size_t i, oldcap = m->cap;

	if (2 * (m->n + 1) > m->cap) {
		m->cap = m->cap ? m->cap * 2 : 256;
		m->t = wz_calloc(m->cap, sizeof(*m->t));
		for (i = 0; i < oldcap; i++)
			if (old[i].k != NULL)
				*smap_slot(m, old[i].k, old[i].kl) = old[i];
		free(old);
	}
	e = smap_slot(m, k, kl);
	if (e->k == NULL) {
		e->k = wz_malloc(kl + 1);
		memcpy(e->k, k, kl);
		e->k[kl] = '\0';
		e->kl = kl;
		m->n++;
	}
	e->v = v;
}

static void
smap_free(struct smap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->t[i].k);
	free(m->t);
	memset(m, 0, sizeof(*m));
}

/* ------------------------------------------------------------------ */
/* Lists joined by a separator, each item once.                       */

static int
list_has(const struct wz_buf *b, const char *sep, const char *s, size_t n)
{
	size_t sl = strlen(sep);
	const char *p, *e, *q;

	if (b->len == 0)
		return 0;
	p = b->s;
	e = b->s + b->len;
	while (p <= e) {
		q = memmem(p, (size_t)(e - p), sep, sl);
		if (q == NULL)
			q = e;
		if ((size_t)(q - p) == n && memcmp(p, s, n) == 0)
			return 1;
		p = q + sl;
	}
	return 0;
}

static void
list_add(struct wz_buf *b, const char *sep, const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || list_has(b, sep, s, n))
		return;
	if (b->len > 0)
		wz_buf_adds(b, sep);
	wz_buf_add(b, s, n);
}

/* Add each ';'-separated item of s. */
static void
list_add_all(struct wz_buf *b, const char *s)
{
	char item[256];
	size_t n;

	while (s != NULL && *s != '\0') {
		n = strcspn(s, ";");
		if (n > 0 && n < sizeof(item)) {
			memcpy(item, s, n);
			item[n] = '\0';
			list_add(b, ";", item);
		}
		s += n;
		if (*s == ';')
			s++;
	}
}

static char *
buf_take(struct wz_buf *b)
{
	char *s = wz_strdup(b->len > 0 ? wz_buf_cstr(b) : "");

	wz_buf_free(b);
	return s;
}

/* ------------------------------------------------------------------ */
/* Labels.                                                            */

static const char *const tier_codes[] = {
	"direct", "main_leader", "important_leader", "collective"
};
#define NTIERS	(sizeof(tier_codes) / sizeof(tier_codes[0]))

static const char *const rank_names[] = {
	"省部级", "厅局级", "县处级", "乡科级", "村干部", "一般干部"
};
#define NRANKS	(sizeof(rank_names) / sizeof(rank_names[0]))
#define RANK_UNIT	"单位"
#define RANK_UNKNOWN	"未知"

static const char *const status_zh[WZ_EV_COUNT] = {
	"待决定", "已决定", "整改中", "已整改", "申诉中", "已复查", "已变更",
	"已结案", "已重新办理"
};

static const char *
tier_label(const char *code, int en)
{
	const char *zh;

	if (en || (zh = wz_tier_zh(code)) == NULL)
		return code;
	return zh;
}

static const char *
status_label(int st, int en)
{
	if (st < 0 || st >= WZ_EV_COUNT)
		return "";
	return en ? wz_event_name(st) : status_zh[st];
}

/* A ';'-separated list of codes shown as labels, joined by 、 (zh). */
static char *
labels_of(const char *codes, int en,
    const char *(*label)(const char *, int))
{
	struct wz_buf b = { 0 };
	char item[256];
	const char *s = codes;
	size_t n;

	if (en)
		return wz_strdup(codes);
	while (*s != '\0') {
		n = strcspn(s, ";");
		if (n > 0 && n < sizeof(item)) {
			memcpy(item, s, n);
			item[n] = '\0';
			list_add(&b, "、", label(item, en));
		}
		s += n;
		if (*s == ';')
			s++;
	}
	return buf_take(&b);
}

static const char *
measure_label(const char *code, int en)
{
	const struct wz_measure *m = wz_measure_find(code);

	return en || m == NULL ? code : m->zh;
}

static const char *
rank_label(const char *rank, int en)
{
	static const char *const en_names[] = { "province", "prefecture",
	    "county", "township", "village", "staff" };
	size_t i;

	if (!en)
		return rank;
	for (i = 0; i < NRANKS; i++)
		if (strcmp(rank, rank_names[i]) == 0)
			return en_names[i];
	if (strcmp(rank, RANK_UNIT) == 0)
		return "unit";
	if (strcmp(rank, RANK_UNKNOWN) == 0)
		return "unknown";
	return rank;
}

/* ------------------------------------------------------------------ */
/* Sort orders.                                                       */

/* Compare with runs of digits taken as numbers: 5.2 before 5.11. */
static int
natcmp(const char *a, const char *b)
{
	while (*a != '\0' && *b != '\0') {
		if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
			const char *ea = a, *eb = b;
			size_t la, lb;
			int c;

			while (*a == '0' && a[1] >= '0' && a[1] <= '9')
				a++;
			while (*b == '0' && b[1] >= '0' && b[1] <= '9')
				b++;
			for (ea = a; *ea >= '0' && *ea <= '9'; ea++)
				;
			for (eb = b; *eb >= '0' && *eb <= '9'; eb++)
				;
			la = (size_t)(ea - a);
			lb = (size_t)(eb - b);
			if (la != lb)
				return la < lb ? -1 : 1;
			if ((c = memcmp(a, b, la)) != 0)
				return c;
			a = ea;
			b = eb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

static int
tier_order(const char *t)
{
	size_t i;

	for (i = 0; i < NTIERS; i++)
		if (strcmp(t, tier_codes[i]) == 0)
			return (int)i;
	return (int)NTIERS;
}

static int
rank_order(const char *r)
{
	size_t i;

	for (i = 0; i < NRANKS; i++)
		if (strcmp(r, rank_names[i]) == 0)
			return (int)i;
	if (strcmp(r, RANK_UNIT) == 0)
		return (int)NRANKS + 1;
	if (strcmp(r, RANK_UNKNOWN) == 0)
		return (int)NRANKS + 2;
	return (int)NRANKS;
}

static int
measure_order(const char *code)
{
	const struct wz_measure *all;
	size_t i, n;

	all = wz_measure_all(&n);
	for (i = 0; i < n; i++)
		if (strcmp(all[i].code, code) == 0)
			return (int)i;
	return (int)n;
}

/* ------------------------------------------------------------------ */
/* Path and article filters.                                          */

int
wz_place_has(const char *place, const char *unit)
{
	size_t n = strlen(unit);
	const char *p = place;

	if (n == 0)
		return 1;
	while ((p = strstr(p, unit)) != NULL) {
		if ((p == place || p[-1] == '/') &&
		    (p[n] == '\0' || p[n] == '/'))
			return 1;
		p++;
	}
	return 0;
}

int
wz_article_under(const char *article, const char *want)
{
	size_t n = strlen(want);

	if (strncmp(article, want, n) != 0)
		return 0;
	return article[n] == '\0' || article[n] == '.' ||
	    (article[n] == ':' && strchr(want, ':') == NULL);
}

/* ------------------------------------------------------------------ */
/* The roster: person_id -> rank.                                     */

struct rrole {
	char	*rank;
	char	 from[11], to[11];
};

struct roster {
	struct smap	 ids;		/* person_id -> first role */
	struct rrole	*r;
	size_t		*next;		/* the person's next role, or -1 */
	size_t		 n, cap;
};

static int
roster_load(struct roster *ro, const char *path, const struct wz_ropts *in)
{
	struct wz_reader *r;
	const struct wz_row *hdr, *row;
	int cid, crank, cfrom, cto, rc, status = 0;
	size_t i, k, last;

	if ((r = wz_reader_open(path, in)) == NULL) {
		wz_sysmsg(path, "cannot open");
		return EX_NOINPUT;
	}
	if (wz_reader_header(r, &hdr) != WZ_ROW) {
		wz_msg(wz_reader_name(r), wz_reader_errline(r), "%s",
		    wz_reader_error(r));
		status = wz_reader_errstatus(r);
		goto out;
	}
	cid = wz_col_find(hdr, "person_id");
	crank = wz_col_find(hdr, "rank");
	cfrom = wz_col_find(hdr, "valid_from");
	cto = wz_col_find(hdr, "valid_to");
	if (cid < 0 || crank < 0) {
		wz_msg(path, hdr->line, "no %s column: --roster takes the "
		    "output of wz-roster (person_id, rank)", cid < 0 ?
		    "'person_id'" : "'rank'");
		status = EX_DATAERR;
		goto out;
	}
	while ((rc = wz_reader_next(r, &row)) != WZ_EOF) {
		if (rc == WZ_FATAL || rc == WZ_BAD) {
			wz_msg(wz_reader_name(r), wz_reader_errline(r), "%s",
			    wz_reader_error(r));
			if (rc == WZ_FATAL) {
				status = wz_reader_errstatus(r);
				break;
			}
			status = WZ_EX_ROWS;
			continue;
		}
		if (row->blank || (size_t)cid >= row->n ||
		    row->len[cid] == 0)
			continue;
		if ((size_t)crank >= row->n || row->len[crank] == 0) {
			wz_msg(path, row->line, "person %s has no rank",
			    row->f[cid]);
			if (status == 0)
				status = WZ_EX_ROWS;
			continue;
		}
		if (ro->n == ro->cap) {
			ro->cap = ro->cap ? ro->cap * 2 : 64;
			ro->r = wz_reallocarray(ro->r, ro->cap,
			    sizeof(*ro->r));
			ro->next = wz_reallocarray(ro->next, ro->cap,
			    sizeof(*ro->next));
		}
		k = ro->n++;
		ro->r[k].rank = wz_strdup(row->f[crank]);
		ro->r[k].from[0] = ro->r[k].to[0] = '\0';
		if (cfrom >= 0 && (size_t)cfrom < row->n &&
		    date_ok(row->f[cfrom]))
			memcpy(ro->r[k].from, row->f[cfrom], 11);
		if (cto >= 0 && (size_t)cto < row->n && date_ok(row->f[cto]))
			memcpy(ro->r[k].to, row->f[cto], 11);
		ro->next[k] = (size_t)-1;
		i = smap_get(&ro->ids, row->f[cid], row->len[cid]);
		if (i == (size_t)-1) {
			smap_put(&ro->ids, row->f[cid], row->len[cid], k);
			continue;
		}
		for (last = i; ro->next[last] != (size_t)-1;
		    last = ro->next[last])
			;
		ro->next[last] = k;
	}
out:
	wz_reader_close(r);
	return status;
}

/*
 * A person's rank on date d: the highest rank among the roles held that
 * day, else the highest the person ever held; NULL if not in the roster.
 */
static const char *
roster_rank(const struct roster *ro, const char *id, const char *d)
{
	const char *best = NULL, *held = NULL;
	size_t i;

	if (*id == '\0')
		return NULL;
	for (i = smap_get(&ro->ids, id, strlen(id)); i != (size_t)-1;
	    i = ro->next[i]) {
		const struct rrole *r = &ro->r[i];

		if (best == NULL || rank_order(r->rank) < rank_order(best))
			best = r->rank;
		if ((r->from[0] == '\0' || strcmp(r->from, d) <= 0) &&
		    (r->to[0] == '\0' || strcmp(d, r->to) <= 0) &&
		    (held == NULL || rank_order(r->rank) < rank_order(held)))
			held = r->rank;
	}
	return held != NULL ? held : best;
}

static void
roster_free(struct roster *ro)
{
	size_t i;

	for (i = 0; i < ro->n; i++)
		free(ro->r[i].rank);
	free(ro->r);
	free(ro->next);
	smap_free(&ro->ids);
}

/* ------------------------------------------------------------------ */
/* The fold.                                                          */

enum {
	S_CASE, S_FINDING, S_ARTICLE, S_LIABLE_ID, S_LIABLE_NAME, S_TIER,
	S_PLACE, S_MEASURES, S_RECMEAS, S_DECMEAS, S_RANK, S_AMOUNT, S_N
};

/* Flags of a case and of a group. */
enum {
	F_NEW = 1, F_DECIDED = 2, F_DUE = 4, F_OVERDUE = 8, F_CLOSED = 16,
	F_BANNED = 32
};

struct rcase {
	char		*s[S_N];
	char		 opened[11], npu[11], rectify_by[11], rect_date[11],
			 dec_date[11], close_date[11];
	int		 ledger, status, rect_done, decided_ever;
	unsigned	 flags;
	size_t		 group, next;	/* next case of the group, or -1 */
};

struct rgroup {
	int		 ledger;
	size_t		 first, last;
	char		 opened[11], close_date[11];
	int		 all_closed;
	unsigned	 flags;
	const char	*rank;
};

struct rhead {
	const char	*name;
	int		 ok;		/* it could be read */
	uint64_t	 seq;
	char		 hash[65];
};

/* ------------------------------------------------------------------ */
/* Tables.                                                            */

enum {
	T_SUMMARY, T_NEW, T_DECIDED, T_DUE, T_OVERDUE, T_CLOSED, T_UNIT,
	T_ARTICLE, T_TIER, T_MEASURE, T_RANK, T_AMOUNT, T_BAN, T_REPEAT,
	T_HEAD, T_N
};

static const struct {
	const char	*code, *en, *zh;
} table_names[T_N] = {
	{ "summary", "Summary", "概况" },
	{ "new", "New cases", "新增案件" },
	{ "decided", "Decisions", "作出决定" },
	{ "due", "Rectification due", "整改到期" },
	{ "overdue", "Rectification overdue", "整改逾期" },
	{ "closed", "Closed cases", "已结案" },
	{ "unit", "By unit", "按单位统计" },
	{ "article", "By article", "按条款统计" },
	{ "tier", "By tier", "按责任类型统计" },
	{ "measure", "By measure", "按措施统计" },
	{ "rank", "By rank", "按职级统计" },
	{ "amount", "Amounts involved", "涉及金额" },
	{ "ban", "Promotion bans", "禁止提拔" },
	{ "repeat", "Repeat cases", "重复问责" },
	{ "head", "Ledger head", "台账链头" },
};

/* Columns: the English heading is also the code. */
enum {
	C_LEDGER, C_CASE, C_FINDING, C_LIABLE_ID, C_LIABLE_NAME, C_PLACE,
	C_ARTICLE, C_TIER, C_RECMEAS, C_RECDATE, C_DECMEAS, C_DECDATE,
	C_RECTIFY_BY, C_RECTIFIED, C_RECTDATE, C_DAYS, C_STATUS, C_MEASURES,
	C_CLOSEDATE, C_UNIT, C_RANK, C_MEASURE, C_NEW, C_DECIDED, C_DUE,
	C_OVERDUE, C_CLOSED, C_OPEN, C_BANNED, C_NPU, C_CASES, C_COUNT,
	C_HASH, C_REC, C_FRESH, C_AMOUNT, C_N
};

static const struct {
	const char	*en, *zh;
	int		 num;
} cols[C_N] = {
	[C_LEDGER] = { "ledger", "台账", 0 },
	[C_CASE] = { "case_id", "案件编号", 0 },
	[C_FINDING] = { "finding_id", "问题编号", 0 },
	[C_LIABLE_ID] = { "liable_id", "责任人编号", 0 },
	[C_LIABLE_NAME] = { "liable_name", "责任人", 0 },
	[C_PLACE] = { "place", "单位", 0 },
	[C_ARTICLE] = { "article", "条款", 0 },
	[C_TIER] = { "tier", "责任类型", 0 },
	[C_RECMEAS] = { "recommended_measures", "建议措施", 0 },
	[C_RECDATE] = { "recommended_on", "建议日期", 0 },
	[C_DECMEAS] = { "measures", "决定措施", 0 },
	[C_DECDATE] = { "decided_on", "决定日期", 0 },
	[C_RECTIFY_BY] = { "rectify_by", "整改期限", 0 },
	[C_RECTIFIED] = { "rectified", "整改情况", 0 },
	[C_RECTDATE] = { "rectified_on", "整改日期", 0 },
	[C_DAYS] = { "days_overdue", "逾期天数", 1 },
	[C_STATUS] = { "status", "当前状态", 0 },
	[C_MEASURES] = { "measures", "处理措施", 0 },
	[C_CLOSEDATE] = { "closed_on", "结案日期", 0 },
	[C_UNIT] = { "unit", "单位", 0 },
	[C_RANK] = { "rank", "职级", 0 },
	[C_MEASURE] = { "measure", "措施", 0 },
	[C_NEW] = { "new", "新增案件", 1 },
	[C_DECIDED] = { "decided", "作出决定", 1 },
	[C_DUE] = { "due", "整改到期", 1 },
	[C_OVERDUE] = { "overdue", "整改逾期", 1 },
	[C_CLOSED] = { "closed", "已结案", 1 },
	[C_OPEN] = { "open", "未结案", 1 },
	[C_BANNED] = { "banned", "禁止提拔人数", 1 },
	[C_NPU] = { "no_promotion_until", "不得提拔至", 0 },
	[C_CASES] = { "cases", "案件数", 1 },
	[C_COUNT] = { "count", "记录数", 1 },
	[C_HASH] = { "hash", "最后哈希", 0 },
	[C_REC] = { "recommended", "建议（新增案件）", 1 },
	[C_FRESH] = { "new", "本期新增", 1 },
	[C_AMOUNT] = { "amount", "涉及金额（元）", 1 },
};

#define MAXCOLS	16

struct rtable {
	int		 col[MAXCOLS];
	size_t		 ncols;
	char		**cell;		/* nrows * ncols, owned */
	size_t		 nrows, cap;
	int		 absent;	/* rank without a roster */
};

struct wz_report {
	struct rtable	 t[T_N];
	struct wz_period period;
	int		 en, multi;
	char		*ledgers;	/* the names, for the title */
	char		*missing;	/* those that could not be read */
};

static void
table_cols(struct rtable *t, int ledger, ...)
{
	va_list ap;
	int c;

	t->ncols = 0;
	if (ledger)
		t->col[t->ncols++] = C_LEDGER;
	va_start(ap, ledger);
	while ((c = va_arg(ap, int)) >= 0 && t->ncols < MAXCOLS)
		t->col[t->ncols++] = c;
	va_end(ap);
}

/* Start a row; its cells are filled with table_set. */
static size_t
table_row(struct rtable *t)
{
	size_t i;

	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->cell = wz_reallocarray(t->cell, t->cap * t->ncols,
		    sizeof(char *));
	}
	for (i = 0; i < t->ncols; i++)
		t->cell[t->nrows * t->ncols + i] = NULL;
	return t->nrows++;
}

static void
table_set(struct rtable *t, size_t row, int col, const char *s)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (t->col[i] == col) {
			free(t->cell[row * t->ncols + i]);
			t->cell[row * t->ncols + i] = wz_strdup(s != NULL ?
			    s : "");
			return;
		}
}

static void
table_setn(struct rtable *t, size_t row, int col, unsigned long v)
{
	char num[32];

	snprintf(num, sizeof(num), "%lu", v);
	table_set(t, row, col, num);
}

static const char *
table_cell(const struct rtable *t, size_t row, size_t i)
{
	const char *s = t->cell[row * t->ncols + i];

	return s != NULL ? s : "";
}

/* ------------------------------------------------------------------ */
/* Building the report.                                               */

struct build {
	const struct wz_report_opts *o;
	struct wz_report *rep;
	struct rcase	*c;
	size_t		 nc, capc;
	struct smap	 cases;		/* ledger, case_id -> case */
	struct rgroup	*g;
	size_t		 ng;
	struct rhead	*head;
	size_t		 nled;
	struct roster	 ro;
	int		 have_roster;
	int		 have_rank;	/* some case has a liable_rank */
};

static void
case_set(char **dst, const char *s, size_t n)
{
	free(*dst);
	*dst = wz_strndup(s, n);
}

static void
fold(struct build *b, int ledger, const struct wz_levent *e, const char *d)
{
	const struct wz_period *p = &b->o->period;
	struct wz_buf key = { 0 };
	struct rcase *c;
	size_t i, k;

	wz_buf_printf(&key, "%d\037", ledger);
	wz_buf_add(&key, e->f[WZ_LC_CASE], e->len[WZ_LC_CASE]);
	k = smap_get(&b->cases, key.s, key.len);
	if (k == (size_t)-1) {
		if (b->nc == b->capc) {
			b->capc = b->capc ? b->capc * 2 : 256;
			b->c = wz_reallocarray(b->c, b->capc, sizeof(*b->c));
		}
		k = b->nc++;
		c = &b->c[k];
		memset(c, 0, sizeof(*c));
		c->ledger = ledger;
		memcpy(c->opened, d, 11);
		smap_put(&b->cases, key.s, key.len, k);
	}
	wz_buf_free(&key);
	c = &b->c[k];
	/* The case's own columns do not change; take them as they come. */
	case_set(&c->s[S_CASE], e->f[WZ_LC_CASE], e->len[WZ_LC_CASE]);
	case_set(&c->s[S_FINDING], e->f[WZ_LC_FINDING],
	    e->len[WZ_LC_FINDING]);
	case_set(&c->s[S_ARTICLE], e->f[WZ_LC_ARTICLE],
	    e->len[WZ_LC_ARTICLE]);
	case_set(&c->s[S_LIABLE_ID], e->f[WZ_LC_LIABLE_ID],
	    e->len[WZ_LC_LIABLE_ID]);
	case_set(&c->s[S_LIABLE_NAME], e->f[WZ_LC_LIABLE_NAME],
	    e->len[WZ_LC_LIABLE_NAME]);
	case_set(&c->s[S_TIER], e->f[WZ_LC_TIER], e->len[WZ_LC_TIER]);
	case_set(&c->s[S_PLACE], e->f[WZ_LC_PLACE], e->len[WZ_LC_PLACE]);
	case_set(&c->s[S_RANK], e->f[WZ_LC_LIABLE_RANK],
	    e->len[WZ_LC_LIABLE_RANK]);
	case_set(&c->s[S_AMOUNT], e->f[WZ_LC_AMOUNT], e->len[WZ_LC_AMOUNT]);
	if (e->len[WZ_LC_LIABLE_RANK] > 0)
		b->have_rank = 1;
	case_set(&c->s[S_MEASURES], e->f[WZ_LC_MEASURES],
	    e->len[WZ_LC_MEASURES]);
	if (e->event == WZ_EV_RECOMMENDED && c->s[S_RECMEAS] == NULL)
		case_set(&c->s[S_RECMEAS], e->f[WZ_LC_MEASURES],
		    e->len[WZ_LC_MEASURES]);
	snprintf(c->npu, sizeof(c->npu), "%.*s",
	    (int)e->len[WZ_LC_NO_PROMOTION_UNTIL],
	    e->f[WZ_LC_NO_PROMOTION_UNTIL]);
	/* A new deadline, or rectify_due, asks for a new rectification. */
	if (e->event == WZ_EV_RECTIFY_DUE ||
	    e->len[WZ_LC_RECTIFY_BY] != strlen(c->rectify_by) ||
	    memcmp(e->f[WZ_LC_RECTIFY_BY], c->rectify_by,
	    e->len[WZ_LC_RECTIFY_BY]) != 0) {
		c->rect_done = 0;
		c->rect_date[0] = '\0';
	}
	snprintf(c->rectify_by, sizeof(c->rectify_by), "%.*s",
	    (int)e->len[WZ_LC_RECTIFY_BY], e->f[WZ_LC_RECTIFY_BY]);
	if ((e->event == WZ_EV_RECTIFIED || e->event == WZ_EV_CLOSED) &&
	    !c->rect_done) {
		c->rect_done = 1;
		memcpy(c->rect_date, d, 11);
	}
	if (e->event == WZ_EV_DECIDED || e->event == WZ_EV_REVISED)
		c->decided_ever = 1;
	if (e->event == WZ_EV_DECIDED && in_period(p, d)) {
		memcpy(c->dec_date, d, 11);
		case_set(&c->s[S_DECMEAS], e->f[WZ_LC_MEASURES],
		    e->len[WZ_LC_MEASURES]);
	}
	if (e->event == WZ_EV_CLOSED)
		memcpy(c->close_date, d, 11);
	c->status = e->event;
	for (i = 0; i < S_N; i++)
		if (c->s[i] == NULL)
			c->s[i] = wz_strdup("");
}

static int
read_ledger(struct build *b, int ledger, const char *path)
{
	const struct wz_period *p = &b->o->period;
	struct rhead *h = &b->head[ledger];
	struct wz_lreader *r;
	const struct wz_levent *e;
	char d[11];
	int s, status = 0, head_done = 0;

	h->name = path;
	memset(h->hash, '0', 64);
	h->hash[64] = '\0';
	if ((r = wz_lreader_open(path, &s)) == NULL) {
		wz_msg(path, 0, "left out of the report");
		return s;
	}
	h->ok = 1;
	while (wz_lreader_good(r, &e, &status)) {
		/* The head: records up to the first one made after the end. */
		if (!head_done && e->len[WZ_LC_AT] >= 10 &&
		    memcmp(e->f[WZ_LC_AT], p->to, 10) <= 0) {
			h->seq = e->seq;
			snprintf(h->hash, sizeof(h->hash), "%.*s",
			    (int)e->len[WZ_LC_HASH], e->f[WZ_LC_HASH]);
		} else
			head_done = 1;
		event_date(e, d);
		if (strcmp(d, p->to) > 0)
			continue;
		fold(b, ledger, e, d);
	}
	wz_lreader_close(r);
	return status;
}

#define EACH_CASE(b, g, i) \
	for ((i) = (g)->first; (i) != (size_t)-1; (i) = (b)->c[i].next)

/* Group the cases: one 台账 row per ledger, finding and liable party. */
static void
make_groups(struct build *b)
{
	const struct wz_period *p = &b->o->period;
	struct smap gm = { 0 };
	struct wz_buf key = { 0 };
	struct rgroup *g;
	struct rcase *c;
	size_t i, k;

	b->g = wz_calloc(b->nc + 1, sizeof(*b->g));
	for (i = 0; i < b->nc; i++) {
		c = &b->c[i];
		wz_buf_reset(&key);
		wz_buf_printf(&key, "%d\037%s\037%c%s", c->ledger,
		    c->s[S_FINDING], *c->s[S_LIABLE_ID] != '\0' ? 'i' : 'n',
		    *c->s[S_LIABLE_ID] != '\0' ? c->s[S_LIABLE_ID] :
		    c->s[S_LIABLE_NAME]);
		c->next = (size_t)-1;
		k = smap_get(&gm, key.s, key.len);
		if (k == (size_t)-1) {
			k = b->ng++;
			g = &b->g[k];
			g->ledger = c->ledger;
			g->first = g->last = i;
			memcpy(g->opened, c->opened, 11);
			g->all_closed = 1;
			smap_put(&gm, key.s, key.len, k);
		} else {
			g = &b->g[k];
			b->c[g->last].next = i;
			g->last = i;
			if (strcmp(c->opened, g->opened) < 0)
				memcpy(g->opened, c->opened, 11);
		}
		c->group = k;
		if (c->status != WZ_EV_CLOSED)
			g->all_closed = 0;
		if (strcmp(c->close_date, g->close_date) > 0)
			memcpy(g->close_date, c->close_date, 11);
		if (c->dec_date[0] != '\0')
			c->flags |= F_DECIDED;
		if (c->rectify_by[0] != '\0' && in_period(p, c->rectify_by))
			c->flags |= F_DUE;
		if (c->rectify_by[0] != '\0' &&
		    strcmp(c->rectify_by, p->to) <= 0 && !c->rect_done)
			c->flags |= F_OVERDUE;
		if (c->decided_ever && c->npu[0] != '\0' &&
		    strcmp(c->npu, p->to) > 0)
			c->flags |= F_BANNED;
		g->flags |= c->flags;
	}
	for (k = 0; k < b->ng; k++) {
		g = &b->g[k];
		if (in_period(p, g->opened))
			g->flags |= F_NEW;
		if (g->all_closed && in_period(p, g->close_date))
			g->flags |= F_CLOSED;
		else
			g->close_date[0] = '\0';
		/* The rank the ledger recorded (wz-tier's liable_rank),
		 * else the roster's on the day the case was opened. */
		g->rank = NULL;
		EACH_CASE(b, g, i)
			if (g->rank == NULL && *b->c[i].s[S_RANK] != '\0')
				g->rank = b->c[i].s[S_RANK];
		c = &b->c[g->first];
		if (g->rank == NULL && b->have_roster)
			g->rank = roster_rank(&b->ro, c->s[S_LIABLE_ID],
			    g->opened);
		if (g->rank == NULL)
			g->rank = strcmp(c->s[S_TIER], "collective") == 0 ?
			    RANK_UNIT : RANK_UNKNOWN;
	}
	wz_buf_free(&key);
	smap_free(&gm);
}

/* The columns every case list shares, from the group's cases that
 * carry flag (all of them if 0). */
static size_t
case_row(struct build *b, struct rtable *t, const struct rgroup *g,
    unsigned flag)
{
	const struct rcase *c0 = &b->c[g->first], *c;
	struct wz_buf ids = { 0 }, places = { 0 }, arts = { 0 },
	    tiers = { 0 };
	const char *tsep = b->o->en ? ";" : "、";
	size_t row = table_row(t), i;
	char *s;

	table_set(t, row, C_LEDGER, b->head[g->ledger].name);
	EACH_CASE(b, g, i) {
		c = &b->c[i];
		if (flag != 0 && !(c->flags & flag))
			continue;
		list_add(&ids, ";", c->s[S_CASE]);
		list_add(&places, ";", c->s[S_PLACE]);
		list_add(&arts, ";", c->s[S_ARTICLE]);
		list_add(&tiers, tsep, tier_label(c->s[S_TIER], b->o->en));
	}
	table_set(t, row, C_FINDING, c0->s[S_FINDING]);
	table_set(t, row, C_LIABLE_ID, c0->s[S_LIABLE_ID]);
	table_set(t, row, C_LIABLE_NAME, c0->s[S_LIABLE_NAME]);
	table_set(t, row, C_CASE, s = buf_take(&ids));
	free(s);
	table_set(t, row, C_PLACE, s = buf_take(&places));
	free(s);
	table_set(t, row, C_ARTICLE, s = buf_take(&arts));
	free(s);
	table_set(t, row, C_TIER, s = buf_take(&tiers));
	free(s);
	return row;
}

/* Set col to the labels of the measures (member s) of the group's cases
 * that carry flag. */
static void
measures_cell(struct build *b, struct rtable *t, size_t row, int col,
    const struct rgroup *g, unsigned flag, int member)
{
	struct wz_buf codes = { 0 };
	char *s, *l;
	size_t i;

	EACH_CASE(b, g, i)
		if (flag == 0 || (b->c[i].flags & flag))
			list_add_all(&codes, b->c[i].s[member]);
	s = buf_take(&codes);
	l = labels_of(s, b->o->en, measure_label);
	table_set(t, row, col, l);
	free(s);
	free(l);
}

static void
build_lists(struct build *b)
{
	struct wz_report *rep = b->rep;
	const struct wz_period *p = &b->o->period;
	struct rtable *t;
	const struct rgroup *g;
	const struct rcase *c;
	char d[11], rd[11], num[32];
	size_t k, i, row;
	int all, m = rep->multi, en = b->o->en;
	struct wz_buf st = { 0 };

	table_cols(&rep->t[T_NEW], m, C_CASE, C_FINDING, C_LIABLE_ID,
	    C_LIABLE_NAME, C_PLACE, C_ARTICLE, C_TIER, C_RECMEAS, C_RECDATE,
	    -1);
	table_cols(&rep->t[T_DECIDED], m, C_CASE, C_FINDING, C_LIABLE_ID,
	    C_LIABLE_NAME, C_PLACE, C_ARTICLE, C_TIER, C_DECMEAS, C_DECDATE,
	    -1);
	table_cols(&rep->t[T_DUE], m, C_CASE, C_FINDING, C_LIABLE_ID,
	    C_LIABLE_NAME, C_PLACE, C_ARTICLE, C_TIER, C_RECTIFY_BY,
	    C_RECTIFIED, C_RECTDATE, -1);
	table_cols(&rep->t[T_OVERDUE], m, C_CASE, C_FINDING, C_LIABLE_ID,
	    C_LIABLE_NAME, C_PLACE, C_ARTICLE, C_TIER, C_RECTIFY_BY, C_DAYS,
	    C_STATUS, -1);
	table_cols(&rep->t[T_CLOSED], m, C_CASE, C_FINDING, C_LIABLE_ID,
	    C_LIABLE_NAME, C_PLACE, C_ARTICLE, C_TIER, C_MEASURES,
	    C_CLOSEDATE, -1);
	for (k = 0; k < b->ng; k++) {
		g = &b->g[k];
		if (g->flags & F_NEW) {
			t = &rep->t[T_NEW];
			row = case_row(b, t, g, 0);
			measures_cell(b, t, row, C_RECMEAS, g, 0, S_RECMEAS);
			table_set(t, row, C_RECDATE, g->opened);
		}
		if (g->flags & F_DECIDED) {
			t = &rep->t[T_DECIDED];
			row = case_row(b, t, g, F_DECIDED);
			measures_cell(b, t, row, C_DECMEAS, g, F_DECIDED,
			    S_DECMEAS);
			d[0] = '\0';
			EACH_CASE(b, g, i)
				if (strcmp(b->c[i].dec_date, d) > 0)
					memcpy(d, b->c[i].dec_date, 11);
			table_set(t, row, C_DECDATE, d);
		}
		if (g->flags & F_DUE) {
			t = &rep->t[T_DUE];
			row = case_row(b, t, g, F_DUE);
			d[0] = rd[0] = '\0';
			all = 1;
			EACH_CASE(b, g, i) {
				c = &b->c[i];
				if (!(c->flags & F_DUE))
					continue;
				if (d[0] == '\0' || strcmp(c->rectify_by, d) < 0)
					memcpy(d, c->rectify_by, 11);
				if (!c->rect_done)
					all = 0;
				else if (strcmp(c->rect_date, rd) > 0)
					memcpy(rd, c->rect_date, 11);
			}
			table_set(t, row, C_RECTIFY_BY, d);
			table_set(t, row, C_RECTIFIED, all ? (en ? "yes" :
			    "已整改") : (en ? "no" : "未整改"));
			table_set(t, row, C_RECTDATE, all ? rd : "");
		}
		if (g->flags & F_OVERDUE) {
			t = &rep->t[T_OVERDUE];
			row = case_row(b, t, g, F_OVERDUE);
			d[0] = '\0';
			wz_buf_reset(&st);
			EACH_CASE(b, g, i) {
				c = &b->c[i];
				if (!(c->flags & F_OVERDUE))
					continue;
				if (d[0] == '\0' || strcmp(c->rectify_by, d) < 0)
					memcpy(d, c->rectify_by, 11);
				list_add(&st, en ? ";" : "、",
				    status_label(c->status, en));
			}
			table_set(t, row, C_RECTIFY_BY, d);
			snprintf(num, sizeof(num), "%ld", date_days(p->to) -
			    date_days(d));
			table_set(t, row, C_DAYS, num);
			table_set(t, row, C_STATUS, wz_buf_cstr(&st));
		}
		if (g->flags & F_CLOSED) {
			t = &rep->t[T_CLOSED];
			row = case_row(b, t, g, 0);
			measures_cell(b, t, row, C_MEASURES, g, 0, S_MEASURES);
			table_set(t, row, C_CLOSEDATE, g->close_date);
		}
	}
	wz_buf_free(&st);
}

/* One row of a count table. */
struct cnt {
	int		 ledger;
	char		*key;
	unsigned long	 n[5];		/* new decided due overdue closed */
	size_t		 first;		/* order of appearance */
};

struct counter {
	struct cnt	*v;
	size_t		 n, cap;
	struct smap	 m;
	int		 kind;
};

static void
count_add(struct counter *ct, int ledger, const char *key, unsigned flags)
{
	static const unsigned bit[5] = { F_NEW, F_DECIDED, F_DUE, F_OVERDUE,
	    F_CLOSED };
	struct wz_buf k = { 0 };
	size_t i, j;

	if (!(flags & (F_NEW | F_DECIDED | F_DUE | F_OVERDUE | F_CLOSED)))
		return;
	wz_buf_printf(&k, "%d\037%s", ledger, key);
	i = smap_get(&ct->m, k.s, k.len);
	if (i == (size_t)-1) {
		if (ct->n == ct->cap) {
			ct->cap = ct->cap ? ct->cap * 2 : 32;
			ct->v = wz_reallocarray(ct->v, ct->cap,
			    sizeof(*ct->v));
		}
		i = ct->n++;
		memset(&ct->v[i], 0, sizeof(ct->v[i]));
		ct->v[i].ledger = ledger;
		ct->v[i].key = wz_strdup(key);
		ct->v[i].first = i;
		smap_put(&ct->m, k.s, k.len, i);
	}
	for (j = 0; j < 5; j++)
		if (flags & bit[j])
			ct->v[i].n[j]++;
	wz_buf_free(&k);
}

static int
cnt_cmp(const void *pa, const void *pb)
{
	const struct cnt *a = pa, *b = pb;
	int c = 0;

	if (a->ledger != b->ledger)
		return a->ledger < b->ledger ? -1 : 1;
	c = natcmp(a->key, b->key);
	return c != 0 ? c : (a->first < b->first ? -1 : 1);
}

static int
cnt_cmp_order(const struct cnt *a, const struct cnt *b,
    int (*order)(const char *))
{
	int oa = order(a->key), ob = order(b->key);

	if (a->ledger != b->ledger)
		return a->ledger < b->ledger ? -1 : 1;
	if (oa != ob)
		return oa < ob ? -1 : 1;
	return natcmp(a->key, b->key);
}

static int
cnt_cmp_tier(const void *a, const void *b)
{
	return cnt_cmp_order(a, b, tier_order);
}

static int
cnt_cmp_rank(const void *a, const void *b)
{
	return cnt_cmp_order(a, b, rank_order);
}

static int
cnt_cmp_measure(const void *a, const void *b)
{
	return cnt_cmp_order(a, b, measure_order);
}

static void
counter_free(struct counter *ct)
{
	size_t i;

	for (i = 0; i < ct->n; i++)
		free(ct->v[i].key);
	free(ct->v);
	smap_free(&ct->m);
}

/* The first depth components of a place path (all if depth is 0). */
static char *
place_prefix(const char *place, int depth)
{
	const char *p = place;
	int k;

	if (depth <= 0)
		return wz_strdup(place);
	for (k = 0; k < depth && p != NULL; k++) {
		p = strchr(p, '/');
		if (p != NULL && k + 1 < depth)
			p++;
	}
	return p == NULL ? wz_strdup(place) :
	    wz_strndup(place, (size_t)(p - place));
}

/* Count the groups by a key of their cases: each distinct key of a group
 * once, with the group's new/closed flags and its cases' others. */
static void
count_by(struct build *b, int tab, int keycol)
{
	struct counter ct = { 0 };
	struct rtable *t = &b->rep->t[tab];
	struct { char *k; unsigned f; } kv[64];
	const struct rgroup *g;
	const struct rcase *c;
	size_t k, i, j, nk, row;
	int ledger;
	char *key;

	table_cols(t, b->rep->multi, keycol, C_NEW, C_DECIDED, C_DUE,
	    C_OVERDUE, C_CLOSED, -1);
	for (k = 0; k < b->ng; k++) {
		g = &b->g[k];
		ledger = b->rep->multi ? g->ledger : 0;
		nk = 0;
		EACH_CASE(b, g, i) {
			c = &b->c[i];
			switch (tab) {
			case T_UNIT:
				key = place_prefix(c->s[S_PLACE],
				    b->o->unit_depth);
				break;
			case T_ARTICLE:
				key = wz_strdup(c->s[S_ARTICLE]);
				break;
			case T_TIER:
				key = wz_strdup(c->s[S_TIER]);
				break;
			default:
				key = wz_strdup(g->rank);
			}
			for (j = 0; j < nk; j++)
				if (strcmp(kv[j].k, key) == 0)
					break;
			if (j == nk && nk < sizeof(kv) / sizeof(kv[0])) {
				kv[nk].k = key;
				kv[nk++].f = g->flags & (F_NEW | F_CLOSED);
			} else
				free(key);
			if (j < nk)
				kv[j].f |= c->flags & (F_DECIDED | F_DUE |
				    F_OVERDUE);
		}
		for (j = 0; j < nk; j++) {
			count_add(&ct, ledger, kv[j].k, kv[j].f);
			free(kv[j].k);
		}
	}
	if (ct.n > 1)
		qsort(ct.v, ct.n, sizeof(*ct.v), tab == T_TIER ?
		    cnt_cmp_tier : tab == T_RANK ? cnt_cmp_rank : cnt_cmp);
	for (i = 0; i < ct.n; i++) {
		row = table_row(t);
		if (b->rep->multi)
			table_set(t, row, C_LEDGER,
			    b->head[ct.v[i].ledger].name);
		table_set(t, row, keycol, tab == T_TIER ?
		    tier_label(ct.v[i].key, b->o->en) : tab == T_RANK ?
		    rank_label(ct.v[i].key, b->o->en) : ct.v[i].key);
		for (j = 0; j < 5; j++)
			table_setn(t, row, C_NEW + (int)j, ct.v[i].n[j]);
	}
	counter_free(&ct);
}

static void
count_measures(struct build *b)
{
	struct counter ct = { 0 };
	struct rtable *t = &b->rep->t[T_MEASURE];
	const struct rgroup *g;
	struct wz_buf rec = { 0 }, dec = { 0 };
	const char *s;
	char item[256];
	size_t k, i, n, row;
	int ledger, pass;

	table_cols(t, b->rep->multi, C_MEASURE, C_REC, C_DECIDED, -1);
	for (k = 0; k < b->ng; k++) {
		g = &b->g[k];
		ledger = b->rep->multi ? g->ledger : 0;
		wz_buf_reset(&rec);
		wz_buf_reset(&dec);
		EACH_CASE(b, g, i) {
			if (g->flags & F_NEW)
				list_add_all(&rec, b->c[i].s[S_RECMEAS]);
			if (b->c[i].flags & F_DECIDED)
				list_add_all(&dec, b->c[i].s[S_DECMEAS]);
		}
		for (pass = 0; pass < 2; pass++) {
			s = pass == 0 ? rec.s : dec.s;
			if ((pass == 0 ? rec.len : dec.len) == 0)
				continue;
			while (*s != '\0') {
				n = strcspn(s, ";");
				if (n > 0 && n < sizeof(item)) {
					memcpy(item, s, n);
					item[n] = '\0';
					/* new counts recommended, decided
					 * counts decided. */
					count_add(&ct, ledger, item, pass == 0 ?
					    F_NEW : F_DECIDED);
				}
				s += n;
				if (*s == ';')
					s++;
			}
		}
	}
	if (ct.n > 1)
		qsort(ct.v, ct.n, sizeof(*ct.v), cnt_cmp_measure);
	for (i = 0; i < ct.n; i++) {
		row = table_row(t);
		if (b->rep->multi)
			table_set(t, row, C_LEDGER,
			    b->head[ct.v[i].ledger].name);
		table_set(t, row, C_MEASURE, measure_label(ct.v[i].key,
		    b->o->en));
		table_setn(t, row, C_REC, ct.v[i].n[0]);
		table_setn(t, row, C_DECIDED, ct.v[i].n[1]);
	}
	wz_buf_free(&rec);
	wz_buf_free(&dec);
	counter_free(&ct);
}

/*
 * Amounts involved in the period's new cases, per unit and in total.  The
 * money belongs to the finding, not to each person liable for it or to
 * each article: a sum counts once per finding however many of its cases
 * carry it (the finding's 涉及金额, which every case of it carries, or
 * one sum cited under two articles); different sums of one finding add
 * up.  A unit with new cases but no amount known shows an empty amount.
 */
struct money {
	struct smap	 m;	/* key -> index into v */
	double		*v;
	size_t		 n, cap;
};

/* The amount under key, once; returns its index. */
static size_t
money_max(struct money *mo, const char *key, double v)
{
	size_t i = smap_get(&mo->m, key, strlen(key));

	if (i == (size_t)-1) {
		if (mo->n == mo->cap) {
			mo->cap = mo->cap ? mo->cap * 2 : 32;
			mo->v = wz_reallocarray(mo->v, mo->cap,
			    sizeof(*mo->v));
		}
		i = mo->n++;
		mo->v[i] = v;
		smap_put(&mo->m, key, strlen(key), i);
	} else if (v > mo->v[i])
		mo->v[i] = v;
	return i;
}

static void
money_free(struct money *mo)
{
	smap_free(&mo->m);
	free(mo->v);
}

static int
amount_of(const char *s, double *v)
{
	char *end;

	if (*s == '\0')
		return 0;
	*v = strtod(s, &end);
	return *end == '\0';
}

static void
build_amounts(struct build *b)
{
	struct rtable *t = &b->rep->t[T_AMOUNT];
	struct counter ct = { 0 };
	struct money art = { 0 }, unit = { 0 }, tot = { 0 };
	struct wz_buf key = { 0 };
	const struct rgroup *g;
	const struct rcase *c;
	char *u, num[32], av[32];
	size_t k, i, j, row, *owner = NULL, nowner = 0;
	unsigned long fresh = 0;
	double v, sum = 0;
	int ledger, any = 0, en = b->o->en;

	table_cols(t, b->rep->multi, C_UNIT, C_NEW, C_AMOUNT, -1);
	for (k = 0; k < b->ng; k++) {
		g = &b->g[k];
		if (!(g->flags & F_NEW))
			continue;
		fresh++;
		ledger = b->rep->multi ? g->ledger : 0;
		EACH_CASE(b, g, i) {
			c = &b->c[i];
			u = place_prefix(c->s[S_PLACE], b->o->unit_depth);
			/* A group counts once in each of its units. */
			for (j = g->first; j != i; j = b->c[j].next) {
				char *o = place_prefix(b->c[j].s[S_PLACE],
				    b->o->unit_depth);
				int same = strcmp(o, u) == 0;

				free(o);
				if (same)
					break;
			}
			if (j == i)
				count_add(&ct, ledger, u, F_NEW);
			if (amount_of(c->s[S_AMOUNT], &v)) {
				/* This sum of the finding, in this unit and
				 * in the whole. */
				wz_num_format(v, av, sizeof(av));
				wz_buf_reset(&key);
				wz_buf_printf(&key, "%d\037%s\037%s\037%s",
				    g->ledger, u, c->s[S_FINDING], av);
				j = money_max(&art, key.s, v);
				if (j >= nowner) {
					nowner = 2 * (j + 1);
					owner = wz_reallocarray(owner, nowner,
					    sizeof(*owner));
				}
				wz_buf_reset(&key);
				wz_buf_printf(&key, "%d\037%s", ledger, u);
				owner[j] = money_max(&unit, key.s, 0);
				wz_buf_reset(&key);
				wz_buf_printf(&key, "%d\037%s\037%s", g->ledger,
				    c->s[S_FINDING], av);
				money_max(&tot, key.s, v);
			}
			free(u);
		}
	}
	/* Each unit's amount: the sum of its findings' sums. */
	for (j = 0; j < unit.n; j++)
		unit.v[j] = 0;
	for (j = 0; j < art.n; j++)
		unit.v[owner[j]] += art.v[j];
	for (j = 0; j < tot.n; j++) {
		sum += tot.v[j];
		any = 1;
	}
	if (ct.n > 1)
		qsort(ct.v, ct.n, sizeof(*ct.v), cnt_cmp);
	for (i = 0; i < ct.n; i++) {
		row = table_row(t);
		if (b->rep->multi)
			table_set(t, row, C_LEDGER,
			    b->head[ct.v[i].ledger].name);
		table_set(t, row, C_UNIT, ct.v[i].key);
		table_setn(t, row, C_NEW, ct.v[i].n[0]);
		wz_buf_reset(&key);
		wz_buf_printf(&key, "%d\037%s", ct.v[i].ledger, ct.v[i].key);
		j = smap_get(&unit.m, key.s, key.len);
		table_set(t, row, C_AMOUNT, j == (size_t)-1 ? "" :
		    wz_num_format(unit.v[j], num, sizeof(num)));
	}
	if (ct.n > 0) {
		row = table_row(t);
		table_set(t, row, b->rep->multi ? C_LEDGER : C_UNIT, en ?
		    "total" : "合计");
		table_setn(t, row, C_NEW, fresh);
		table_set(t, row, C_AMOUNT, any ? wz_num_format(sum, num,
		    sizeof(num)) : "");
	}
	free(owner);
	money_free(&art);
	money_free(&unit);
	money_free(&tot);
	wz_buf_free(&key);
	counter_free(&ct);
}

/* People (or units) under a promotion ban, per ledger; fills banned[]. */
struct ban {
	size_t		 first;		/* their first banned case */
	char		 until[11];
	struct wz_buf	 ids, places;
};

static void
build_bans(struct build *b, unsigned long *banned)
{
	struct rtable *t = &b->rep->t[T_BAN];
	struct smap pm = { 0 };
	struct wz_buf key = { 0 };
	struct ban *v;
	const struct rcase *c;
	size_t i, k, n = 0, row;

	table_cols(t, b->rep->multi, C_LIABLE_ID, C_LIABLE_NAME, C_PLACE,
	    C_NPU, C_CASE, -1);
	v = wz_calloc(b->nc + 1, sizeof(*v));
	for (i = 0; i < b->nc; i++) {
		c = &b->c[i];
		if (!(c->flags & F_BANNED))
			continue;
		wz_buf_reset(&key);
		wz_buf_printf(&key, "%d\037%c%s", c->ledger,
		    *c->s[S_LIABLE_ID] != '\0' ? 'i' : 'n',
		    *c->s[S_LIABLE_ID] != '\0' ? c->s[S_LIABLE_ID] :
		    c->s[S_LIABLE_NAME]);
		if ((k = smap_get(&pm, key.s, key.len)) == (size_t)-1) {
			k = n++;
			v[k].first = i;
			smap_put(&pm, key.s, key.len, k);
		}
		if (strcmp(c->npu, v[k].until) > 0)
			memcpy(v[k].until, c->npu, 11);
		list_add(&v[k].ids, ";", c->s[S_CASE]);
		list_add(&v[k].places, ";", c->s[S_PLACE]);
	}
	for (k = 0; k < n; k++) {
		c = &b->c[v[k].first];
		row = table_row(t);
		table_set(t, row, C_LEDGER, b->head[c->ledger].name);
		table_set(t, row, C_LIABLE_ID, c->s[S_LIABLE_ID]);
		table_set(t, row, C_LIABLE_NAME, c->s[S_LIABLE_NAME]);
		table_set(t, row, C_PLACE, wz_buf_cstr(&v[k].places));
		table_set(t, row, C_NPU, v[k].until);
		table_set(t, row, C_CASE, wz_buf_cstr(&v[k].ids));
		banned[c->ledger]++;
		wz_buf_free(&v[k].ids);
		wz_buf_free(&v[k].places);
	}
	free(v);
	wz_buf_free(&key);
	smap_free(&pm);
}

/* People or units with more than one case, across the ledgers. */
struct rep_person {
	size_t		 first;		/* a case of theirs */
	unsigned long	 cases, fresh;
	struct wz_buf	 findings, places, ledgers;
};

static int
rep_cmp(const void *pa, const void *pb)
{
	const struct rep_person *a = pa, *b = pb;

	if (a->cases != b->cases)
		return a->cases > b->cases ? -1 : 1;
	return a->first < b->first ? -1 : a->first > b->first;
}

static void
build_repeats(struct build *b)
{
	struct rtable *t = &b->rep->t[T_REPEAT];
	struct smap pm = { 0 };
	struct wz_buf key = { 0 };
	struct rep_person *v = NULL;
	const struct rcase *c;
	const struct rgroup *g;
	size_t n = 0, k, i, row;

	table_cols(t, 0, C_LIABLE_ID, C_LIABLE_NAME, C_CASES, C_FRESH,
	    C_FINDING, C_PLACE, -1);
	if (b->rep->multi)
		t->col[t->ncols++] = C_LEDGER;
	v = wz_calloc(b->ng + 1, sizeof(*v));
	for (k = 0; k < b->ng; k++) {
		g = &b->g[k];
		c = &b->c[g->first];
		wz_buf_reset(&key);
		wz_buf_printf(&key, "%c%s", *c->s[S_LIABLE_ID] != '\0' ?
		    'i' : 'n', *c->s[S_LIABLE_ID] != '\0' ?
		    c->s[S_LIABLE_ID] : c->s[S_LIABLE_NAME]);
		i = smap_get(&pm, key.s, key.len);
		if (i == (size_t)-1) {
			i = n++;
			v[i].first = g->first;
			smap_put(&pm, key.s, key.len, i);
		}
		v[i].cases++;
		if (g->flags & F_NEW)
			v[i].fresh++;
		list_add(&v[i].findings, ";", c->s[S_FINDING]);
		list_add(&v[i].ledgers, ";", b->head[g->ledger].name);
	}
	/* Places: every case's, in order (a second pass keeps it simple). */
	for (k = 0; k < b->nc; k++) {
		c = &b->c[k];
		wz_buf_reset(&key);
		wz_buf_printf(&key, "%c%s", *c->s[S_LIABLE_ID] != '\0' ?
		    'i' : 'n', *c->s[S_LIABLE_ID] != '\0' ?
		    c->s[S_LIABLE_ID] : c->s[S_LIABLE_NAME]);
		i = smap_get(&pm, key.s, key.len);
		list_add(&v[i].places, ";", c->s[S_PLACE]);
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), rep_cmp);
	for (i = 0; i < n; i++) {
		if (v[i].cases > 1) {
			c = &b->c[v[i].first];
			row = table_row(t);
			table_set(t, row, C_LIABLE_ID, c->s[S_LIABLE_ID]);
			table_set(t, row, C_LIABLE_NAME, c->s[S_LIABLE_NAME]);
			table_setn(t, row, C_CASES, v[i].cases);
			table_setn(t, row, C_FRESH, v[i].fresh);
			table_set(t, row, C_FINDING,
			    wz_buf_cstr(&v[i].findings));
			table_set(t, row, C_PLACE, wz_buf_cstr(&v[i].places));
			table_set(t, row, C_LEDGER,
			    wz_buf_cstr(&v[i].ledgers));
		}
		wz_buf_free(&v[i].findings);
		wz_buf_free(&v[i].places);
		wz_buf_free(&v[i].ledgers);
	}
	free(v);
	wz_buf_free(&key);
	smap_free(&pm);
}

static void
build_summary(struct build *b, const unsigned long *banned)
{
	struct rtable *t = &b->rep->t[T_SUMMARY];
	unsigned long (*n)[7], tot[7] = { 0 };
	const struct rgroup *g;
	size_t k, i, j, row;

	table_cols(t, b->rep->multi, C_NEW, C_DECIDED, C_DUE, C_OVERDUE,
	    C_CLOSED, C_OPEN, C_BANNED, -1);
	n = wz_calloc(b->nled, sizeof(*n));
	for (k = 0; k < b->ng; k++) {
		g = &b->g[k];
		n[g->ledger][0] += !!(g->flags & F_NEW);
		n[g->ledger][1] += !!(g->flags & F_DECIDED);
		n[g->ledger][2] += !!(g->flags & F_DUE);
		n[g->ledger][3] += !!(g->flags & F_OVERDUE);
		n[g->ledger][4] += !!(g->flags & F_CLOSED);
		n[g->ledger][5] += !g->all_closed;
	}
	for (i = 0; i < b->nled; i++) {
		n[i][6] = banned[i];
		for (j = 0; j < 7; j++)
			tot[j] += n[i][j];
	}
	for (i = 0; i <= b->nled; i++) {
		const unsigned long *v = i < b->nled ? n[i] : tot;

		if (i < b->nled && !b->head[i].ok)
			continue;
		if (i == b->nled && !b->rep->multi && b->nled > 0)
			break;
		row = table_row(t);
		table_set(t, row, C_LEDGER, i < b->nled ? b->head[i].name :
		    b->o->en ? "total" : "合计");
		for (j = 0; j < 5; j++)
			table_setn(t, row, C_NEW + (int)j, v[j]);
		table_setn(t, row, C_OPEN, v[5]);
		table_setn(t, row, C_BANNED, v[6]);
	}
	free(n);
}

static void
build_head(struct build *b)
{
	struct rtable *t = &b->rep->t[T_HEAD];
	size_t i, row;

	table_cols(t, 1, C_COUNT, C_HASH, -1);
	for (i = 0; i < b->nled; i++) {
		if (!b->head[i].ok)
			continue;
		row = table_row(t);
		table_set(t, row, C_LEDGER, b->head[i].name);
		table_setn(t, row, C_COUNT, (unsigned long)b->head[i].seq);
		table_set(t, row, C_HASH, b->head[i].hash);
	}
}

struct wz_report *
wz_report_build(char *const *ledgers, size_t n,
    const struct wz_report_opts *o, int *status)
{
	struct build b;
	struct wz_report *rep;
	struct wz_buf names = { 0 }, missing = { 0 };
	unsigned long *banned;
	size_t i;
	int s;

	memset(&b, 0, sizeof(b));
	*status = 0;
	b.o = o;
	if (o->roster != NULL) {
		if ((s = roster_load(&b.ro, o->roster, o->roster_in)) != 0 &&
		    s != WZ_EX_ROWS) {
			roster_free(&b.ro);
			*status = s;
			return NULL;
		}
		*status = s;
		b.have_roster = 1;
	}
	rep = wz_calloc(1, sizeof(*rep));
	rep->period = o->period;
	rep->en = o->en;
	rep->multi = n > 1;
	b.rep = rep;
	b.nled = n;
	b.head = wz_calloc(n + 1, sizeof(*b.head));
	for (i = 0; i < n; i++) {
		if ((s = read_ledger(&b, (int)i, ledgers[i])) > *status)
			*status = s;
		list_add(b.head[i].ok ? &names : &missing, o->en ? ", " :
		    "、", ledgers[i]);
	}
	rep->ledgers = buf_take(&names);
	rep->missing = buf_take(&missing);
	if (*rep->ledgers == '\0') {
		/* A report of nothing would read as a month without cases. */
		wz_msg(NULL, 0, "no ledger could be read: no report");
		free(b.head);
		if (b.have_roster)
			roster_free(&b.ro);
		wz_report_free(rep);
		return NULL;
	}
	make_groups(&b);
	build_lists(&b);
	count_by(&b, T_UNIT, C_UNIT);
	count_by(&b, T_ARTICLE, C_ARTICLE);
	count_by(&b, T_TIER, C_TIER);
	count_measures(&b);
	if (b.have_roster || b.have_rank)
		count_by(&b, T_RANK, C_RANK);
	else {
		table_cols(&rep->t[T_RANK], rep->multi, C_RANK, C_NEW,
		    C_DECIDED, C_DUE, C_OVERDUE, C_CLOSED, -1);
		rep->t[T_RANK].absent = 1;
	}
	banned = wz_calloc(n + 1, sizeof(*banned));
	build_bans(&b, banned);
	build_repeats(&b);
	build_summary(&b, banned);
	build_head(&b);
	build_amounts(&b);
	free(banned);

	for (i = 0; i < b.nc; i++) {
		int k;

		for (k = 0; k < S_N; k++)
			free(b.c[i].s[k]);
	}
	free(b.c);
	free(b.g);
	free(b.head);
	smap_free(&b.cases);
	if (b.have_roster)
		roster_free(&b.ro);
	return rep;
}

void
wz_report_free(struct wz_report *r)
{
	size_t k, i;

	if (r == NULL)
		return;
	for (k = 0; k < T_N; k++) {
		for (i = 0; i < r->t[k].nrows * r->t[k].ncols; i++)
			free(r->t[k].cell[i]);
		free(r->t[k].cell);
	}
	free(r->ledgers);
	free(r->missing);
	free(r);
}

int
wz_report_table_ok(const char *s)
{
	size_t k;

	for (k = 0; k < T_N; k++)
		if (strcmp(s, table_names[k].code) == 0)
			return 1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Output.                                                            */

static const char *
col_label(int col, int en)
{
	return en ? cols[col].en : cols[col].zh;
}

#define MD_MAXW	64	/* widest column padded: a SHA-256 in hex */

/* A cell for a pipe table: '|' escaped, line breaks as spaces. */
static char *
md_cell(const char *s)
{
	struct wz_buf b = { 0 };

	for (; *s != '\0'; s++) {
		if (*s == '|')
			wz_buf_adds(&b, "\\|");
		else if (*s == '\n' || *s == '\r' || *s == '\t')
			wz_buf_addc(&b, ' ');
		else
			wz_buf_addc(&b, *s);
	}
	return buf_take(&b);
}

static void
md_pad(FILE *fp, size_t n)
{
	while (n-- > 0)
		fputc(' ', fp);
}

static void
md_table(const struct wz_report *r, const struct rtable *t, FILE *fp)
{
	size_t *w, i, j, k, cw;
	char **cell;
	int num;

	w = wz_calloc(t->ncols, sizeof(*w));
	cell = wz_calloc((t->nrows + 1) * t->ncols, sizeof(char *));
	for (j = 0; j < t->ncols; j++)
		cell[j] = md_cell(col_label(t->col[j], r->en));
	for (i = 0; i < t->nrows; i++)
		for (j = 0; j < t->ncols; j++)
			cell[(i + 1) * t->ncols + j] =
			    md_cell(table_cell(t, i, j));
	for (i = 0; i <= t->nrows; i++)
		for (j = 0; j < t->ncols; j++)
			if ((cw = wz_display_width(cell[i * t->ncols + j])) > w[j])
				w[j] = cw;
	/*
	 * Columns are padded so the table reads in a fixed-width font, but
	 * only up to MD_MAXW: one long cell (a list of findings) must not
	 * widen every row of its column.  Longer cells are left unpadded.
	 */
	for (j = 0; j < t->ncols; j++) {
		if (w[j] < 3)
			w[j] = 3;
		if (w[j] > MD_MAXW)
			w[j] = MD_MAXW;
	}
	for (i = 0; i <= t->nrows; i++) {
		for (j = 0; j < t->ncols; j++) {
			const char *s = cell[i * t->ncols + j];
			size_t pad;

			num = cols[t->col[j]].num && i > 0;
			cw = wz_display_width(s);
			pad = w[j] > cw ? w[j] - cw : 0;
			fputs(j == 0 ? "| " : " | ", fp);
			if (num)
				md_pad(fp, pad);
			fputs(s, fp);
			if (!num)
				md_pad(fp, pad);
		}
		fputs(" |\n", fp);
		if (i == 0) {
			for (j = 0; j < t->ncols; j++) {
				fputs(j == 0 ? "| " : " | ", fp);
				num = cols[t->col[j]].num;
				for (k = 0; k + (num ? 1 : 0) < w[j]; k++)
					fputc('-', fp);
				if (num)
					fputc(':', fp);
			}
			fputs(" |\n", fp);
		}
	}
	for (i = 0; i < (t->nrows + 1) * t->ncols; i++)
		free(cell[i]);
	free(cell);
	free(w);
}

static void
period_text(const struct wz_report *r, char *out, size_t n)
{
	const struct wz_period *p = &r->period;

	switch (p->kind) {
	case WZ_PERIOD_MONTH:
		if (r->en)
			snprintf(out, n, "%.7s", p->from);
		else
			snprintf(out, n, "%.4s年%d月", p->from,
			    atoi(p->from + 5));
		break;
	case WZ_PERIOD_YEAR:
		snprintf(out, n, r->en ? "%.4s" : "%.4s年", p->from);
		break;
	default:
		if (p->from[0] == '\0')
			snprintf(out, n, r->en ? "up to %s" : "截至%s", p->to);
		else
			snprintf(out, n, r->en ? "%s to %s" : "%s 至 %s",
			    p->from, p->to);
	}
}

int
wz_report_markdown(const struct wz_report *r, const char *table, FILE *fp)
{
	const struct wz_period *p = &r->period;
	char per[64];
	size_t k;

	period_text(r, per, sizeof(per));
	if (r->en) {
		fprintf(fp, "# Accountability ledger report: %s\n\n", per);
		fprintf(fp, "Period: %s to %s. Ledgers: %s.\n", p->from[0] ?
		    p->from : "the start", p->to, r->ledgers);
		if (*r->missing != '\0')
			fprintf(fp, "\nLeft out, could not be read: %s.\n",
			    r->missing);
	} else {
		fprintf(fp, "# 责任追究台账报告（%s）\n\n", per);
		fprintf(fp, "统计期间：%s 至 %s。台账：%s。\n", p->from[0] ?
		    p->from : "建账", p->to, r->ledgers);
		if (*r->missing != '\0')
			fprintf(fp, "\n未能读取、未计入：%s。\n", r->missing);
	}
	for (k = 0; k < T_N; k++) {
		const struct rtable *t = &r->t[k];

		if (table != NULL && strcmp(table, table_names[k].code) != 0)
			continue;
		fprintf(fp, "\n## %s\n\n", r->en ? table_names[k].en :
		    table_names[k].zh);
		if (t->absent)
			fputs(r->en ? "Not counted: the ledgers record no "
			    "rank (liable_rank); give the roster (--roster "
			    "FILE, the output of wz-roster) to count by rank.\n" :
			    "未统计：台账未记录职级（liable_rank），按职级统计需"
			    "提供花名册（--roster FILE，wz-roster 的输出）。\n",
			    fp);
		else if (t->nrows == 0)
			fputs(r->en ? "None.\n" : "无。\n", fp);
		else
			md_table(r, t, fp);
	}
	return ferror(fp) ? -1 : 0;
}

void
wz_report_csv(const struct wz_report *r, const char *table,
    struct wz_writer *w)
{
	const struct rtable *t;
	char num[32];
	size_t k, i, j;

	if (table == NULL) {
		wz_writer_fieldz(w, "table");
		wz_writer_fieldz(w, "row");
		wz_writer_fieldz(w, "column");
		wz_writer_fieldz(w, "value");
		wz_writer_endrow(w);
	}
	for (k = 0; k < T_N; k++) {
		t = &r->t[k];
		if (table != NULL && strcmp(table, table_names[k].code) != 0)
			continue;
		if (table != NULL) {
			for (j = 0; j < t->ncols; j++)
				wz_writer_fieldz(w, col_label(t->col[j],
				    r->en));
			wz_writer_endrow(w);
		}
		for (i = 0; i < t->nrows; i++) {
			if (table != NULL) {
				for (j = 0; j < t->ncols; j++)
					wz_writer_fieldz(w, table_cell(t, i,
					    j));
				wz_writer_endrow(w);
				continue;
			}
			snprintf(num, sizeof(num), "%zu", i + 1);
			for (j = 0; j < t->ncols; j++) {
				wz_writer_fieldz(w, table_names[k].code);
				wz_writer_fieldz(w, num);
				wz_writer_fieldz(w, col_label(t->col[j],
				    r->en));
				wz_writer_fieldz(w, table_cell(t, i, j));
				wz_writer_endrow(w);
			}
		}
	}
}

/* Columns that hold dates (YYYY-MM-DD), written as date cells. */
static int
col_is_date(int col)
{
	switch (col) {
	case C_RECDATE: case C_DECDATE: case C_RECTIFY_BY: case C_RECTDATE:
	case C_CLOSEDATE: case C_NPU:
		return 1;
	default:
		return 0;
	}
}

int
wz_report_xlsx(const struct wz_report *r, const char *table,
    const char *path)
{
	struct wz_xlsxw *w;
	const char *heads[MAXCOLS], *cells[MAXCOLS];
	enum wz_xlsxw_kind kinds[MAXCOLS];
	char per[64], *title, *comments;
	size_t k, i, j;

	period_text(r, per, sizeof(per));
	title = r->en ? wz_aprintf("Accountability ledger report: %s", per) :
	    wz_aprintf("责任追究台账报告（%s）", per);
	if (*r->missing != '\0')
		comments = r->en ? wz_aprintf("Ledgers: %s. Left out, could not "
		    "be read: %s.", r->ledgers, r->missing) :
		    wz_aprintf("台账：%s。未能读取、未计入：%s。", r->ledgers,
		    r->missing);
	else
		comments = r->en ? wz_aprintf("Ledgers: %s.", r->ledgers) :
		    wz_aprintf("台账：%s。", r->ledgers);
	w = wz_xlsxw_open(path, title, comments);
	free(title);
	free(comments);
	if (w == NULL)
		return EX_CANTCREAT;
	for (k = 0; k < T_N; k++) {
		const struct rtable *t = &r->t[k];

		if (table != NULL && strcmp(table, table_names[k].code) != 0)
			continue;
		for (j = 0; j < t->ncols; j++) {
			heads[j] = col_label(t->col[j], r->en);
			kinds[j] = cols[t->col[j]].num ? WZ_XW_NUMBER :
			    col_is_date(t->col[j]) ? WZ_XW_DATE : WZ_XW_TEXT;
		}
		wz_xlsxw_sheet(w, r->en ? table_names[k].en :
		    table_names[k].zh, t->ncols, heads, kinds);
		if (t->absent)
			wz_xlsxw_note(w, r->en ? "Not counted: give the roster "
			    "(--roster FILE, the output of wz-roster) to count "
			    "by rank." : "未统计：按职级统计需提供花名册"
			    "（--roster FILE，wz-roster 的输出）。");
		for (i = 0; i < t->nrows; i++) {
			for (j = 0; j < t->ncols; j++)
				cells[j] = table_cell(t, i, j);
			wz_xlsxw_row(w, cells);
		}
	}
	return wz_xlsxw_close(w);
}

/* ------------------------------------------------------------------ */
/* Queries.                                                           */

static const char *
tier_code(const char *s)
{
	size_t i;

	for (i = 0; i < NTIERS; i++)
		if (strcmp(s, tier_codes[i]) == 0 ||
		    strcmp(s, wz_tier_zh(tier_codes[i])) == 0)
			return tier_codes[i];
	return s;
}

static const char *
measure_code(const char *s)
{
	const struct wz_measure *all;
	size_t i, n;

	all = wz_measure_all(&n);
	for (i = 0; i < n; i++)
		if (strcmp(s, all[i].zh) == 0)
			return all[i].code;
	return s;
}

static int
has_item(const char *list, const char *item)
{
	size_t n = strlen(item);
	const char *p = list;

	while ((p = strstr(p, item)) != NULL) {
		if ((p == list || p[-1] == ';') && (p[n] == '\0' || p[n] == ';'))
			return 1;
		p++;
	}
	return 0;
}

enum {
	Q_LIABLE_ID, Q_LIABLE_NAME, Q_PLACE, Q_ARTICLE, Q_TIER, Q_MEASURES,
	Q_OPENED, Q_STATUS, Q_N
};

static int
query_keep(const struct wz_query *q, const struct wz_row *row,
    const int *qc)
{
	const char *v[Q_N];
	int k;

	for (k = 0; k < Q_N; k++)
		v[k] = (size_t)qc[k] < row->n ? row->f[qc[k]] : "";
	if (q->person != NULL && strcmp(v[Q_LIABLE_ID], q->person) != 0 &&
	    strcmp(v[Q_LIABLE_NAME], q->person) != 0)
		return 0;
	if (q->unit != NULL && !wz_place_has(v[Q_PLACE], q->unit))
		return 0;
	if (q->article != NULL && !wz_article_under(v[Q_ARTICLE],
	    q->article))
		return 0;
	if (q->tier != NULL && strcmp(v[Q_TIER], tier_code(q->tier)) != 0)
		return 0;
	if (q->measure != NULL && !has_item(v[Q_MEASURES],
	    measure_code(q->measure)))
		return 0;
	if (q->from != NULL && strncmp(v[Q_OPENED], q->from, 10) < 0)
		return 0;
	if (q->to != NULL && strncmp(v[Q_OPENED], q->to, 10) > 0)
		return 0;
	if (q->open && strcmp(v[Q_STATUS], "closed") == 0)
		return 0;
	return 1;
}

int
wz_report_query(char *const *ledgers, size_t n, const struct wz_query *q,
    struct wz_writer *w)
{
	static const char *const qnames[Q_N] = { "liable_id", "liable_name",
	    "place", "article", "tier", "measures", "opened", "status" };
	struct wz_lstate *st = wz_lstate_new();
	struct wz_lreader *r;
	const struct wz_levent *e;
	struct wz_writer *tw;
	struct wz_reader *tr = NULL;
	const struct wz_row *hdr, *row;
	struct wz_ropts ro = { 0 };
	char d[11];
	int qc[Q_N], rc, s, status = 0, k;
	FILE *tmp;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((r = wz_lreader_open(ledgers[i], &s)) == NULL) {
			if (s > status)
				status = s;
			continue;
		}
		while (wz_lreader_good(r, &e, &status)) {
			event_date(e, d);
			if (q->to != NULL && strcmp(d, q->to) > 0)
				continue;
			wz_lstate_add(st, e, ledgers[i]);
		}
		wz_lreader_close(r);
	}
	/* Let wz_lstate write the rows `wz-ledger state` prints, then keep
	 * those that pass. */
	if ((tmp = tmpfile()) == NULL) {
		wz_sysmsg(NULL, "cannot make a temporary file");
		wz_lstate_free(st);
		return EX_IOERR;
	}
	tw = wz_writer_new(fileno(tmp), "<temporary file>", NULL);
	wz_lstate_write(st, tw, 0);
	wz_lstate_free(st);
	if (wz_writer_close(tw) != 0 || lseek(fileno(tmp), 0, SEEK_SET) ==
	    -1) {
		wz_sysmsg("<temporary file>", "write error");
		status = EX_IOERR;
		goto out;
	}
	if ((tr = wz_reader_fdopen(fileno(tmp), "<state>", &ro)) == NULL ||
	    wz_reader_header(tr, &hdr) != WZ_ROW) {
		wz_msg(NULL, 0, "cannot read back the folded state");
		status = EX_IOERR;
		goto out;
	}
	for (k = 0; k < Q_N; k++)
		if ((qc[k] = wz_col_find(hdr, qnames[k])) < 0) {
			wz_msg(NULL, 0, "the folded state has no '%s' column",
			    qnames[k]);
			status = EX_SOFTWARE;
			goto out;
		}
	wz_writer_row(w, hdr);
	while ((rc = wz_reader_next(tr, &row)) == WZ_ROW)
		if (query_keep(q, row, qc))
			wz_writer_row(w, row);
	if (rc != WZ_EOF) {
		wz_msg("<state>", wz_reader_errline(tr), "%s",
		    wz_reader_error(tr));
		status = EX_SOFTWARE;
	}
out:
	wz_reader_close(tr);
	fclose(tmp);
	return status;
}
