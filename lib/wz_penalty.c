/* wz_penalty.c - the penalty engine (see wz_penalty.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "wz_base.h"
#include "wz_csv.h"
#include "wz_date.h"
#include "wz_ledger.h"
#include "wz_num.h"
#include "wz_penalty.h"
#include "wz_rules.h"
#include "wz_rx.h"
#include "wz_text.h"

#define MAXCOLS		16	/* columns one field may take */
#define MAXSHOWN	5	/* earlier cases named in explain */

/* ---- Dates (lib/wz_date.h). ---- */

/* A whole date (a day, not a month or a year) as people type it, or
 * WZ_DAY_NONE. */
static wz_day
day_parse(const char *s, size_t n, unsigned flags)
{
	enum wz_date_prec prec;
	wz_day d;

	if (wz_date_parse(s, n, flags, WZ_DAY_NONE, WZ_DAY_NONE, &d, &prec,
	    NULL, 0) != WZ_DATE_OK || prec != WZ_PREC_DAY)
		return WZ_DAY_NONE;
	return d;
}

/* ---- The engine. ---- */

/* One case of a ledger: the fields a repeat condition compares. */
struct lcase {
	char		*case_id, *finding, *article, *liable_id, *liable_name;
	char		*place, *date, *file;
	unsigned long	 line;
	size_t		 order;		/* as read, for a stable sort */
};

/* A penalty rule reached from an article id. */
struct pidx {
	const char	*article;
	const struct wz_penalty *pe;
	size_t		 order;		/* load order, for stable output */
};

/* A field a condition names, bound to the header's columns. */
struct fref {
	const char	*name;
	int		 idx[MAXCOLS];
	size_t		 n;
};

/* Input columns of wz-match and wz-tier. */
enum {
	K_ARTICLE, K_VALUES, K_SEVERITY, K_TIER, K_LIABLE_ID, K_LIABLE_NAME,
	K_LIABLE_ROLE, K_LIABLE_RANK, K_PARTY, K_N
};
static const char *const kcol_names[K_N] = {
	"article", "values", "severity", "tier", "liable_id", "liable_name",
	"liable_role", "liable_rank", "liable_party_member"
};

/* The ledger's choice of finding id and place columns (wz_ledger.c),
 * among the finding's own columns, so that cases compare. */
static const char *const id_names[] = {
	"id", "finding_id", "编号", "问题编号", "线索编号", NULL
};
static const char *const place_names[] = {
	"place", "地点", "问题地点", "unit", "单位", "工作单位", NULL
};

/* A key=value of the values column. */
struct kv {
	const char	*k, *v;
	size_t		 kn, vn;
};

/* What one taken rule gives, before merging. */
struct taken {
	const struct wz_penalty *pe;
	size_t		 order;
	int		 replaced_by;	/* index in taken, or -1 */
	unsigned	 repeat_n;	/* count when the rule has repeat */
	size_t		 xrep;		/* offset of its repeat text in rb */
	size_t		 xrepn;
};

struct wz_pen {
	const struct wz_ruleset *rs;
	struct wz_pen_opts o;
	wz_day		 on;
	char		 on_s[11];
	struct wz_aliases al;
	const struct wz_handled *def_handled;
	struct pidx	*pi;		/* sorted by article */
	size_t		 npi;
	struct wz_rx	*rx_level[4];	/* village, township, county, province */

	/* ledgers */
	struct lcase	*lc;		/* sorted by article when lc_sorted */
	size_t		 nlc, caplc;
	int		 lc_sorted;
	char		**seen;		/* case ids, open addressing */
	size_t		 capseen, nseen;

	/* the bound header */
	struct wz_row	 hdr;
	char		*hname;
	int		 bound;
	int		 col[K_N];
	int		 col_id, col_place;
	size_t		 nfind;
	struct fref	*fr;
	size_t		 nfr, capfr;

	/* per row */
	const struct wz_row *row;
	struct kv	*kv;
	size_t		 nkv, capkv;
	struct wz_norm	*norm;
	struct wz_buf	 tb;		/* joined raw text */
	const char	*ntext;		/* normalised text, or NULL */
	size_t		 ntextlen;
	int		 text_done;
	int		 reported;
	int		 rxfail;	/* a pattern could not finish */
	struct taken	*tk;
	size_t		 ntk, captk;
	unsigned char	*mset;		/* measures in vocabulary order */
	size_t		 nvocab;
	struct wz_buf	 mb, ab, bb, hb, db, mzb, azb, xb, rb, sb, gb;
	char		 npu[11], rby[11];
};

static const char *
cellz(const struct wz_row *row, int col, size_t *len)
{
	if (col < 0 || (size_t)col >= row->n) {
		if (len != NULL)
			*len = 0;
		return "";
	}
	if (len != NULL)
		*len = row->len[col];
	return row->f[col];
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

/* Append ", "-free pieces: "; " between clauses of explain. */
static void
xclause(struct wz_buf *b)
{
	if (b->len > 0)
		wz_buf_adds(b, "; ");
}

static int
pidx_cmp(const void *a, const void *b)
{
	const struct pidx *x = a, *y = b;
	int c = strcmp(x->article, y->article);

	if (c != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int
lcase_cmp(const void *a, const void *b)
{
	const struct lcase *x = a, *y = b;
	int c = strcmp(x->article, y->article);

	if (c != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Does a condition tree hold a history condition? */
static int
cond_has_history(const struct wz_cond *c)
{
	size_t i;

	if (c == NULL)
		return 0;
	if (c->kind == WZ_C_HISTORY)
		return 1;
	for (i = 0; i < c->nkids; i++)
		if (cond_has_history(c->kids[i]))
			return 1;
	return 0;
}

struct wz_pen *
wz_pen_new(const struct wz_ruleset *rs, const struct wz_pen_opts *o)
{
	static const char *const lvl_rx[4] = {
		"(村|社区)(委会|村委会|民委员会|村民委员会|居委会|居民委员会|党支部|党总支)?$",
		"(乡|镇|街道)(党委|政府|人民政府|党委政府|办事处|党工委)?$",
		"(县|区|市|旗)(委|政府|人民政府|党委|党委政府|委员会)?$",
		"(省|自治区)(委|政府|人民政府|党委|党委政府)?$"
	};
	struct wz_pen *p = wz_calloc(1, sizeof(*p));
	const struct wz_doc *tw;
	char err[256];
	size_t i, j, k, order = 0;

	p->rs = rs;
	p->o = *o;
	if (o->on != NULL) {
		p->on = day_parse(o->on, strlen(o->on), WZ_DATE_NOSERIAL);
		if (p->on == WZ_DAY_NONE) {
			wz_msg(NULL, 0, "--on: '%s' is not a date (YYYY-MM-DD)",
			    o->on);
			free(p);
			return NULL;
		}
	} else
		p->on = (wz_day)(time(NULL) / 86400);
	wz_date_iso(p->on, p->on_s);
	p->o.on = p->on_s;
	p->al = wz_rules_aliases(rs);

	/* 第十二条 of tongwei2017 is the default of who handles what, as its
	 * tier and authority tables are (DESIGN.md Decision 2). */
	if ((tw = wz_rules_doc(rs, "tongwei2017")) != NULL && tw->handled)
		p->def_handled = tw->handled;
	for (i = 0; p->def_handled == NULL && i < rs->ndocs; i++)
		p->def_handled = rs->docs[i]->handled;

	for (i = 0; i < rs->ndocs; i++)
		for (j = 0; j < rs->docs[i]->npens; j++) {
			const struct wz_penalty *pe = &rs->docs[i]->pens[j];

			if (cond_has_history(pe->when))
				wz_msg(pe->file, pe->line, "penalty '%s': a "
				    "history condition in 'when' never holds "
				    "here (use 'repeat')", pe->id);
			for (k = 0; k < pe->for_articles.n; k++) {
				p->pi = wz_reallocarray(p->pi, p->npi + 1,
				    sizeof(*p->pi));
				p->pi[p->npi].article = pe->for_articles.v[k];
				p->pi[p->npi].pe = pe;
				p->pi[p->npi].order = order;
				p->npi++;
			}
			order++;
		}
	if (p->npi > 0)
		qsort(p->pi, p->npi, sizeof(*p->pi), pidx_cmp);
	for (i = 0; i < 4; i++)
		if ((p->rx_level[i] = wz_rx_new(lvl_rx[i], 0, err,
		    sizeof(err))) == NULL)
			wz_die(EX_SOFTWARE, NULL, 0, "level pattern: %s", err);
	wz_measure_all(&p->nvocab);
	p->mset = wz_calloc(p->nvocab, 1);
	p->norm = wz_norm_new();
	return p;
}

static void
lcase_free(struct lcase *c)
{
	free(c->case_id);
	free(c->finding);
	free(c->article);
	free(c->liable_id);
	free(c->liable_name);
	free(c->place);
	free(c->date);
}

void
wz_pen_free(struct wz_pen *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nlc; i++) {
		lcase_free(&p->lc[i]);
		free(p->lc[i].file);
	}
	free(p->lc);
	for (i = 0; i < p->capseen; i++)
		free(p->seen[i]);
	free(p->seen);
	free(p->pi);
	for (i = 0; i < 4; i++)
		wz_rx_free(p->rx_level[i]);
	for (i = 0; i < p->hdr.n; i++)
		free(p->hdr.f[i]);
	free(p->hdr.f);
	free(p->hdr.len);
	free(p->hname);
	free(p->fr);
	free(p->kv);
	free(p->tk);
	free(p->mset);
	wz_norm_free(p->norm);
	wz_buf_free(&p->tb);
	wz_buf_free(&p->mb);
	wz_buf_free(&p->ab);
	wz_buf_free(&p->bb);
	wz_buf_free(&p->hb);
	wz_buf_free(&p->db);
	wz_buf_free(&p->mzb);
	wz_buf_free(&p->azb);
	wz_buf_free(&p->xb);
	wz_buf_free(&p->rb);
	wz_buf_free(&p->sb);
	wz_buf_free(&p->gb);
	free(p);
}

/* ---- Ledgers. ---- */

/* Remember a case id; returns 1 if it is new. */
static int
seen_add(struct wz_pen *p, const char *id)
{
	size_t i, h;
	char **old;
	size_t oldcap;

	if (p->nseen * 2 >= p->capseen) {
		old = p->seen;
		oldcap = p->capseen;
		p->capseen = oldcap ? oldcap * 2 : 256;
		p->seen = wz_calloc(p->capseen, sizeof(char *));
		for (i = 0; i < oldcap; i++) {
			if (old[i] == NULL)
				continue;
			h = wz_hash(old[i], strlen(old[i])) & (p->capseen - 1);
			while (p->seen[h] != NULL)
				h = (h + 1) & (p->capseen - 1);
			p->seen[h] = old[i];
		}
		free(old);
	}
	h = wz_hash(id, strlen(id)) & (p->capseen - 1);
	while (p->seen[h] != NULL) {
		if (strcmp(p->seen[h], id) == 0)
			return 0;
		h = (h + 1) & (p->capseen - 1);
	}
	p->seen[h] = wz_strdup(id);
	p->nseen++;
	return 1;
}

int
wz_pen_ledger(struct wz_pen *p, const char *path)
{
	struct wz_lreader *r;
	const struct wz_levent *ev;
	wz_day d;
	char date[11];
	int status = 0, rc;
	struct lcase *c;

	if ((r = wz_lreader_open(path, &status)) == NULL)
		return status != 0 ? status : EX_NOINPUT;
	while ((rc = wz_lreader_next(r, &ev)) != WZ_EOF) {
		if (rc == WZ_FATAL) {
			status = EX_IOERR;
			break;
		}
		if (rc == WZ_BAD)
			continue;
		/* A case counts from its first event, if that came on or
		 * before the decision date. */
		if (ev->len[WZ_LC_AT] < 10)
			continue;
		memcpy(date, ev->f[WZ_LC_AT], 10);
		date[10] = '\0';
		d = day_parse(date, 10, WZ_DATE_NOSERIAL);
		if (d == WZ_DAY_NONE || wz_date_cmp(d, p->on) > 0)
			continue;
		if (!seen_add(p, ev->f[WZ_LC_CASE]))
			continue;
		if (p->nlc == p->caplc) {
			p->caplc = p->caplc ? p->caplc * 2 : 64;
			p->lc = wz_reallocarray(p->lc, p->caplc, sizeof(*p->lc));
		}
		c = &p->lc[p->nlc++];
		c->case_id = wz_strdup(ev->f[WZ_LC_CASE]);
		c->finding = wz_strdup(ev->f[WZ_LC_FINDING]);
		c->article = wz_strdup(ev->f[WZ_LC_ARTICLE]);
		c->liable_id = wz_strdup(ev->f[WZ_LC_LIABLE_ID]);
		c->liable_name = wz_strdup(ev->f[WZ_LC_LIABLE_NAME]);
		c->place = wz_strdup(ev->f[WZ_LC_PLACE]);
		c->date = wz_strdup(date);
		c->file = wz_strdup(path);
		c->line = ev->line;
		c->order = p->nlc - 1;
		p->lc_sorted = 0;
	}
	wz_lreader_close(r);
	return status;
}

size_t
wz_pen_ledger_cases(const struct wz_pen *p)
{
	return p->nlc;
}

/* ---- Binding a header. ---- */

static int
col_named(const struct wz_row *hdr, size_t limit, const char *name)
{
	char *want = wz_header_norm(name, strlen(name)), *h;
	size_t i;
	int found = -1;

	for (i = 0; i < limit; i++) {
		h = wz_header_norm(hdr->f[i], hdr->len[i]);
		if (strcasecmp(h, want) == 0)
			found = (int)i;
		free(h);
	}
	free(want);
	return found;
}

static int
col_first_of(const struct wz_row *hdr, size_t limit,
    const char *const *names)
{
	int i, c;

	for (i = 0; names[i] != NULL; i++)
		if ((c = col_named(hdr, limit, names[i])) >= 0)
			return c;
	return -1;
}

static struct fref *
fref_get(struct wz_pen *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nfr; i++)
		if (strcmp(p->fr[i].name, name) == 0)
			return &p->fr[i];
	return NULL;
}

static void
fref_bind(struct wz_pen *p, const char *name)
{
	struct fref *f;

	if (name == NULL || fref_get(p, name) != NULL)
		return;
	if (p->nfr == p->capfr) {
		p->capfr = p->capfr ? p->capfr * 2 : 16;
		p->fr = wz_reallocarray(p->fr, p->capfr, sizeof(*p->fr));
	}
	f = &p->fr[p->nfr++];
	f->name = name;
	f->n = wz_col_lookup(&p->hdr, name, &p->al, f->idx, MAXCOLS);
}

static void
fref_cond(struct wz_pen *p, const struct wz_cond *c)
{
	size_t i;

	if (c == NULL)
		return;
	switch (c->kind) {
	case WZ_C_RE:
	case WZ_C_IN:
	case WZ_C_PRESENT:
		fref_bind(p, c->field);
		break;
	case WZ_C_CMP:
		fref_bind(p, c->value);
		break;
	default:
		break;
	}
	for (i = 0; i < c->nkids; i++)
		fref_cond(p, c->kids[i]);
}

int
wz_pen_bind(struct wz_pen *p, const struct wz_row *hdr, const char *name)
{
	size_t i, j;
	int k;

	for (i = 0; i < p->hdr.n; i++)
		free(p->hdr.f[i]);
	free(p->hdr.f);
	free(p->hdr.len);
	free(p->hname);
	p->hdr.n = hdr->n;
	p->hdr.f = wz_calloc(hdr->n + 1, sizeof(char *));
	p->hdr.len = wz_calloc(hdr->n + 1, sizeof(size_t));
	for (i = 0; i < hdr->n; i++) {
		p->hdr.f[i] = wz_strndup(hdr->f[i], hdr->len[i]);
		p->hdr.len[i] = hdr->len[i];
	}
	p->hdr.line = hdr->line;
	p->hname = wz_strdup(name);
	p->bound = 0;

	/* wz-tier's and wz-match's columns: the last of each name, since a
	 * filter appends its own after what it was given. */
	for (k = 0; k < K_N; k++)
		p->col[k] = col_named(hdr, hdr->n, kcol_names[k]);
	for (k = 0; k < K_N; k++) {
		if (p->col[k] >= 0 || (k != K_ARTICLE && k != K_TIER &&
		    k != K_LIABLE_ROLE && k != K_LIABLE_NAME))
			continue;
		wz_msg(name, hdr->line, "no '%s' column: the input is not "
		    "the output of wz-tier", kcol_names[k]);
		return EX_DATAERR;
	}
	p->nfind = (size_t)p->col[K_ARTICLE];
	p->col_id = col_first_of(hdr, p->nfind, id_names);
	p->col_place = col_first_of(hdr, p->nfind, place_names);

	p->nfr = 0;
	fref_bind(p, "text");
	fref_bind(p, "amount");
	fref_bind(p, "found_date");
	for (i = 0; i < p->rs->ndocs; i++)
		for (j = 0; j < p->rs->docs[i]->npens; j++)
			fref_cond(p, p->rs->docs[i]->pens[j].when);
	p->bound = 1;
	return 0;
}

/* ---- One row: its values and text. ---- */

static void
parse_values(struct wz_pen *p, const char *s, size_t n)
{
	size_t i = 0, st, eq;

	p->nkv = 0;
	while (i < n) {
		st = i;
		while (i < n && s[i] != ';')
			i++;
		for (eq = st; eq < i && s[eq] != '='; eq++)
			;
		if (eq < i && eq > st) {
			if (p->nkv == p->capkv) {
				p->capkv = p->capkv ? p->capkv * 2 : 8;
				p->kv = wz_reallocarray(p->kv, p->capkv,
				    sizeof(*p->kv));
			}
			p->kv[p->nkv].k = s + st;
			p->kv[p->nkv].kn = eq - st;
			p->kv[p->nkv].v = s + eq + 1;
			p->kv[p->nkv].vn = i - eq - 1;
			p->nkv++;
		}
		i++;
	}
}

static const struct kv *
value_get(const struct wz_pen *p, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < p->nkv; i++)
		if (p->kv[i].kn == n && memcmp(p->kv[i].k, name, n) == 0)
			return &p->kv[i];
	return NULL;
}

/* Is id one of the row's cases (case=A,B)? */
static int
row_has_case(const struct wz_pen *p, const char *id)
{
	const struct kv *c = value_get(p, "case");
	size_t i = 0, st, n = strlen(id);

	if (c == NULL)
		return 0;
	while (i <= c->vn) {
		st = i;
		while (i < c->vn && c->v[i] != ',' && c->v[i] != '|')
			i++;
		if (i - st == n && memcmp(c->v + st, id, n) == 0)
			return 1;
		i++;
	}
	return 0;
}

/* The raw text of a field: its columns joined by newlines, in sb. */
static const char *
field_raw(struct wz_pen *p, const char *name, size_t *len)
{
	const struct fref *f = fref_get(p, name);
	size_t i;

	wz_buf_reset(&p->sb);
	if (f == NULL || f->n == 0) {
		*len = 0;
		return NULL;
	}
	for (i = 0; i < f->n; i++) {
		size_t n;
		const char *s = cellz(p->row, f->idx[i], &n);

		if (i > 0)
			wz_buf_addc(&p->sb, '\n');
		wz_buf_add(&p->sb, s, n);
	}
	*len = p->sb.len;
	return wz_buf_cstr(&p->sb);
}

static const char *
row_text(struct wz_pen *p, size_t *len)
{
	const char *s;
	size_t n;

	if (!p->text_done) {
		p->text_done = 1;
		p->ntext = NULL;
		if ((s = field_raw(p, "text", &n)) != NULL) {
			wz_buf_reset(&p->tb);
			wz_buf_add(&p->tb, s, n);
			p->ntext = wz_norm_run(p->norm, wz_buf_cstr(&p->tb),
			    n, &p->ntextlen);
		}
	}
	*len = p->ntextlen;
	return p->ntext;
}

static void
row_msg(struct wz_pen *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
row_msg(struct wz_pen *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wz_vmsg(p->hname, p->row->line, fmt, ap);
	va_end(ap);
	p->reported = 1;
}

/*
 * A pattern of a rule's condition.  One that cannot finish (a PCRE2
 * limit) leaves the rule undecided: the row is rejected, not answered
 * as if the condition did not hold.
 */
static int
rx_run(struct wz_pen *p, const struct wz_penalty *pe, struct wz_rx *rx,
    const char *s, size_t n)
{
	int rc = wz_rx_match(rx, s, n);

	if (rc == WZ_RX_MATCH)
		return 1;
	if (rc != WZ_RX_NOMATCH && !p->rxfail) {
		row_msg(p, "penalty '%s': a pattern %s; row rejected",
		    pe->id, rc == WZ_RX_LIMIT ? "hit the match limit" :
		    "failed (PCRE2 error)");
		p->rxfail = 1;
	}
	return 0;
}

/* A named number: a capture of values, else the field's cell. */
static int
value_num(struct wz_pen *p, const char *name, double *out)
{
	const struct kv *v = value_get(p, name);
	const char *s;
	char buf[64], *end;
	size_t n;

	if (v != NULL && v->vn > 0) {
		/* wz-match writes numbers it read in plain form. */
		if (v->vn < sizeof(buf)) {
			memcpy(buf, v->v, v->vn);
			buf[v->vn] = '\0';
			*out = strtod(buf, &end);
			if (end != buf && *end == '\0')
				return 0;
		}
		if (wz_num_value(wz_num_kind(name), v->v, v->vn, out) == 0)
			return 0;
	}
	if ((s = field_raw(p, name, &n)) == NULL || n == 0)
		return -1;
	if (wz_num_value(wz_num_kind(name), s, n, out) == 0)
		return 0;
	row_msg(p, "%s '%.*s' is not a number", name, (int)n, s);
	return -1;
}

static int
cond_eval(struct wz_pen *p, const struct wz_penalty *pe,
    const struct wz_cond *c)
{
	const char *s, *t;
	char *ns;
	size_t n, i;
	double l, r;
	int ok;

	switch (c->kind) {
	case WZ_C_TEXT:
		if ((t = row_text(p, &n)) == NULL)
			return 0;
		return rx_run(p, pe, c->rx, t, n);
	case WZ_C_RE:
	case WZ_C_IN:
	case WZ_C_PRESENT:
		if ((s = field_raw(p, c->field, &n)) == NULL)
			return c->kind == WZ_C_PRESENT && !c->present;
		ns = wz_normalize(s, n);
		if (c->kind == WZ_C_PRESENT)
			ok = (ns[0] != '\0') == (c->present != 0);
		else if (c->kind == WZ_C_IN)
			ok = wz_strv_has(&c->set, ns);
		else
			ok = rx_run(p, pe, c->rx, ns, strlen(ns));
		free(ns);
		return ok;
	case WZ_C_CMP:
		if (value_num(p, c->value, &l) == -1)
			return 0;
		r = c->num;
		if (c->param != NULL && wz_rules_param(p->rs, pe->doc,
		    c->param, &r) == -1)
			return 0;
		switch (c->op) {
		case WZ_LT: return l < r;
		case WZ_LE: return l <= r;
		case WZ_GT: return l > r;
		case WZ_GE: return l >= r;
		case WZ_EQ: return l == r;
		case WZ_NE: return l != r;
		}
		return 0;
	case WZ_C_ALL:
		for (i = 0; i < c->nkids; i++)
			if (!cond_eval(p, pe, c->kids[i]))
				return 0;
		return 1;
	case WZ_C_ANY:
		for (i = 0; i < c->nkids; i++)
			if (cond_eval(p, pe, c->kids[i]))
				return 1;
		return 0;
	case WZ_C_NOT:
		return c->nkids > 0 && !cond_eval(p, pe, c->kids[0]);
	case WZ_C_HISTORY:
		return 0;
	}
	return 0;
}

/* ---- Selectors. ---- */

/* Each post code of liable_role (one, or several joined by ; or ,). */
static int
roles_any(const struct wz_pen *p, const char *roles, size_t n,
    const struct wz_strv *posts)
{
	char code[128];
	size_t i = 0, st, k;

	while (i < n) {
		st = i;
		while (i < n && roles[i] != ';' && roles[i] != ',')
			i++;
		if (i - st > 0 && i - st < sizeof(code)) {
			memcpy(code, roles + st, i - st);
			code[i - st] = '\0';
			for (k = 0; k < posts->n; k++)
				if (wz_post_is(p->rs, code, posts->v[k]))
					return 1;
		}
		i++;
	}
	return 0;
}

/* The level of a unit by its name (the last part of a scope path). */
static const char *
unit_level(struct wz_pen *p, const char *name, size_t n)
{
	static const char *const lv[4] = { "village", "township", "county",
	    "province" };
	const char *s = name, *q;
	char *ns;
	const char *res = "department";
	int i, rc;

	for (q = name; q < name + n; q++)
		if (*q == '/')
			s = q + 1;
	ns = wz_normalize(s, (size_t)(name + n - s));
	for (i = 0; i < 4; i++) {
		rc = wz_rx_match(p->rx_level[i], ns, strlen(ns));
		if (rc == WZ_RX_MATCH) {
			res = lv[i];
			break;
		}
		if (rc != WZ_RX_NOMATCH && !p->rxfail) {
			row_msg(p, "the level of unit '%.*s%s' %s; row rejected",
			    wz_qlen(name, n), name, wz_qmore(n),
			    rc == WZ_RX_LIMIT ? "hit the match limit" :
			    "failed (PCRE2 error)");
			p->rxfail = 1;
		}
		if (rc != WZ_RX_NOMATCH)
			break;
	}
	free(ns);
	return res;
}

static int
to_takes(struct wz_pen *p, const struct wz_selector *s)
{
	const char *role, *tier, *rank, *name;
	size_t rolen, nn;
	int is_unit;

	role = cellz(p->row, p->col[K_LIABLE_ROLE], &rolen);
	tier = cellz(p->row, p->col[K_TIER], NULL);
	rank = cellz(p->row, p->col[K_LIABLE_RANK], NULL);
	is_unit = strcmp(role, "unit") == 0;
	if (s->unit) {
		if (!is_unit)
			return 0;
		if (s->level != NULL) {
			name = cellz(p->row, p->col[K_LIABLE_NAME], &nn);
			if (strcmp(unit_level(p, name, nn), s->level) != 0)
				return 0;
		}
	}
	if (s->posts.n > 0 && !roles_any(p, role, rolen, &s->posts))
		return 0;
	if (s->not_posts.n > 0 && roles_any(p, role, rolen, &s->not_posts))
		return 0;
	if (s->tiers.n > 0 && !wz_strv_has(&s->tiers, tier))
		return 0;
	if (s->ranks.n > 0 && !wz_strv_has(&s->ranks, rank))
		return 0;
	return 1;
}

/* ---- Repeat: this case and the ledgers' earlier ones. ---- */

static void
finding_id(struct wz_pen *p, char *buf, const char **id, size_t *len)
{
	*id = cellz(p->row, p->col_id, len);
	if (*len == 0) {
		wz_ledger_short_hash((const char *const *)p->row->f,
		    p->row->len, p->nfind < p->row->n ? p->nfind : p->row->n,
		    buf);
		*id = buf;
		*len = WZ_CASE_ID_LEN;
	}
}

/* Count and describe (in rb) this case and the earlier cases of the row's
 * article for the same person or unit, one per finding. */
static unsigned
repeat_count(struct wz_pen *p, int same_unit, size_t *xoff, size_t *xlen)
{
	const char *art, *lid, *lname, *place, *fid;
	size_t lidn, lnamen, placen, fidn, lo, hi, mid, i, j, nshown = 0;
	char fbuf[WZ_CASE_ID_LEN + 1];
	unsigned count = 1;

	art = cellz(p->row, p->col[K_ARTICLE], NULL);
	lid = cellz(p->row, p->col[K_LIABLE_ID], &lidn);
	lname = cellz(p->row, p->col[K_LIABLE_NAME], &lnamen);
	place = cellz(p->row, p->col_place, &placen);
	finding_id(p, fbuf, &fid, &fidn);
	*xoff = p->rb.len;
	if (!p->lc_sorted && p->nlc > 0) {
		qsort(p->lc, p->nlc, sizeof(*p->lc), lcase_cmp);
		p->lc_sorted = 1;
	}
	if (same_unit && placen == 0) {
		wz_buf_printf(&p->rb, "the row names no place, so no earlier case "
		    "of the unit is known");
		*xlen = p->rb.len - *xoff;
		return 1;
	}
	/* The first case of the article. */
	lo = 0;
	hi = p->nlc;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (strcmp(p->lc[mid].article, art) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	wz_buf_reset(&p->gb);	/* findings counted, NUL-separated */
	for (i = lo; i < p->nlc && strcmp(p->lc[i].article, art) == 0; i++) {
		const struct lcase *c = &p->lc[i];
		int dup = 0;

		if (same_unit) {
			if (strcmp(c->place, place) != 0)
				continue;
		} else if (lidn > 0 && c->liable_id[0] != '\0') {
			if (strcmp(c->liable_id, lid) != 0)
				continue;
		} else if (lnamen == 0 || strcmp(c->liable_name, lname) != 0)
			continue;
		if (strlen(c->finding) == fidn && memcmp(c->finding, fid,
		    fidn) == 0)
			continue;
		for (j = 0; j < p->gb.len; j += strlen(p->gb.s + j) + 1)
			if (strcmp(p->gb.s + j, c->finding) == 0) {
				dup = 1;
				break;
			}
		if (dup)
			continue;
		wz_buf_add(&p->gb, c->finding, strlen(c->finding) + 1);
		count++;
		if (nshown < MAXSHOWN) {
			wz_buf_printf(&p->rb, "%scase %s of %s (%s:%lu)",
			    nshown > 0 ? ", " : "", c->case_id, c->date,
			    base_name(c->file), c->line);
			nshown++;
		}
	}
	if (count - 1 > nshown)
		wz_buf_printf(&p->rb, " and %u more", count - 1 - (unsigned)nshown);
	*xlen = p->rb.len - *xoff;
	return count;
}

/* ---- Merging what the rules give. ---- */

static size_t
vocab_index(const char *code)
{
	size_t n;
	const struct wz_measure *all = wz_measure_all(&n);
	const struct wz_measure *m = wz_measure_find(code);

	return m != NULL ? (size_t)(m - all) : (size_t)-1;
}

static int
not_party_member(const struct wz_pen *p)
{
	const char *s = cellz(p->row, p->col[K_PARTY], NULL);

	return strcasecmp(s, "n") == 0 || strcasecmp(s, "no") == 0 ||
	    strcmp(s, "否") == 0 || strcmp(s, "非党员") == 0 ||
	    strcmp(s, "群众") == 0;
}

static int
left_out(const struct wz_pen *p, const char *code)
{
	const struct wz_measure *m = wz_measure_find(code);

	return m == NULL || (strcmp(m->family, "party") == 0 &&
	    not_party_member(p));
}

/* Add s to a ';'-joined list b unless it is there. */
static void
list_add(struct wz_buf *b, const char *s, size_t n)
{
	if (wz_list_has(b->s, b->len, ';', s, n))
		return;
	if (b->len > 0)
		wz_buf_addc(b, ';');
	wz_buf_add(b, s, n);
}

static void
add_handled(struct wz_pen *p, const struct wz_penalty *pe, int org,
    int disc)
{
	const struct wz_handled *h = pe->doc != NULL && pe->doc->handled ?
	    pe->doc->handled : p->def_handled;
	char *s;

	if (h == NULL)
		return;
	/* org entries first, then discipline: db keeps them apart. */
	if (org && h->org != NULL) {
		s = wz_aprintf("org=%s", h->org);
		list_add(&p->hb, s, strlen(s));
		free(s);
	}
	if (disc && h->discipline != NULL) {
		s = wz_aprintf("discipline=%s", h->discipline);
		list_add(&p->db, s, strlen(s));
		free(s);
	}
}

/* A parameter of the document itself (wz_rules_param would take another
 * document's when d has none). */
static int
doc_param(const struct wz_doc *d, const char *name, double *out)
{
	size_t i;

	if (d == NULL)
		return -1;
	for (i = 0; i < d->nparams; i++)
		if (strcmp(d->params[i].name, name) == 0) {
			*out = d->params[i].value;
			return 0;
		}
	return -1;
}

static const char *
family_of(const char *code)
{
	const struct wz_measure *m = wz_measure_find(code);

	return m != NULL ? m->family : "";
}

/* The cite of an effect, with a word when its document was not yet in
 * force on the decision date and another one, ending the day before,
 * was. */
static void
effect_cite(struct wz_pen *p, const struct wz_effect *e, struct wz_buf *b)
{
	char docid[128];
	const char *colon = strchr(e->cite, ':');
	const struct wz_doc *d, *prev = NULL;
	wz_day from;
	size_t n = colon != NULL ? (size_t)(colon - e->cite) :
	    strlen(e->cite), i;

	wz_buf_printf(b, "%s", e->cite);
	if (n >= sizeof(docid))
		return;
	memcpy(docid, e->cite, n);
	docid[n] = '\0';
	if ((d = wz_rules_doc(p->rs, docid)) == NULL || d->effective == NULL ||
	    (from = day_parse(d->effective, strlen(d->effective),
	    WZ_DATE_NOSERIAL)) == WZ_DAY_NONE || wz_date_cmp(from, p->on) <= 0)
		return;
	for (i = 0; i < p->rs->ndocs; i++) {
		const struct wz_doc *o = p->rs->docs[i];

		if (o->effective_until != NULL && day_parse(o->effective_until,
		    strlen(o->effective_until), WZ_DATE_NOSERIAL) ==
		    wz_date_add_days(from, -1))
			prev = o;
	}
	if (prev != NULL)
		wz_buf_printf(b, ", in force from %s: on %s %s applied", d->effective,
		    p->on_s, prev->id);
	else
		wz_buf_printf(b, ", in force only from %s", d->effective);
}

/* The sentence of an effect for explain. */
static void
effect_words(struct wz_pen *p, const char *code, const struct wz_effect *e,
    int chosen)
{
	char d[11];

	xclause(&p->xb);
	wz_buf_printf(&p->xb, "%s%s:", chosen ? "" : "if ", code);
	if (e->period_months > 0) {
		wz_date_iso(wz_date_add_months(p->on, e->period_months), d);
		wz_buf_printf(&p->xb, " period %d months%s%s", e->period_months,
		    chosen ? " to " : "", chosen ? d : "");
	}
	if (e->no_promotion_months > 0)
		wz_buf_printf(&p->xb, "%s no promotion %d months",
		    e->period_months > 0 ? "," : "", e->no_promotion_months);
	if (e->pay_frozen)
		wz_buf_printf(&p->xb, ", pay grade frozen");
	if (e->period_months == 0 && e->no_promotion_months == 0)
		wz_buf_printf(&p->xb, " no period");
	wz_buf_printf(&p->xb, " (");
	effect_cite(p, e, &p->xb);
	wz_buf_printf(&p->xb, ")");
}

/* The article whose note names a parameter, for a citation. */
static const char *
param_article(const struct wz_doc *d, const char *param)
{
	size_t i;

	for (i = 0; i < d->narts; i++)
		if (d->arts[i]->note != NULL && strstr(d->arts[i]->note,
		    param) != NULL && d->arts[i]->kind == WZ_K_PROCEDURE)
			return d->arts[i]->id;
	return d->id;
}

static double
cents(double v)
{
	return floor(v * 100 + 0.5) / 100;
}

/* gansuenforce 第二十七条 and its kind: what a recovery comes to. */
static void
recover_words(struct wz_pen *p, const struct wz_penalty *pe)
{
	double amount, lo, hi, cap, lo_c, hi_c;
	char a[32], b[32], c[32], d[32], e[32];
	int rates;

	rates = pe->note != NULL && strstr(pe->note, "recover_rate_min") &&
	    doc_param(pe->doc, "recover_rate_min", &lo) == 0 &&
	    doc_param(pe->doc, "recover_rate_max", &hi) == 0;
	xclause(&p->xb);
	if (value_num(p, "amount", &amount) == -1) {
		wz_buf_printf(&p->xb, "recover: the row gives no amount, the sum "
		    "is for the deciding body (%s)", pe->basis.n > 0 ?
		    pe->basis.v[0] : pe->id);
		return;
	}
	wz_num_format(amount, a, sizeof(a));
	if (!rates) {
		wz_buf_printf(&p->xb, "recover: the whole %s yuan (%s)", a,
		    pe->basis.n > 0 ? pe->basis.v[0] : pe->id);
		return;
	}
	if (doc_param(pe->doc, "recover_cap", &cap) == -1)
		cap = INFINITY;
	lo_c = cents(fmin(amount * lo, cap));
	hi_c = cents(fmin(amount * hi, cap));
	wz_num_format(lo * 100, b, sizeof(b));
	wz_num_format(hi * 100, c, sizeof(c));
	wz_num_format(lo_c, d, sizeof(d));
	wz_num_format(hi_c, e, sizeof(e));
	if (lo_c == hi_c)
		wz_buf_printf(&p->xb, "recover: %s yuan (%s%%-%s%% of %s", d, b, c,
		    a);
	else
		wz_buf_printf(&p->xb, "recover: %s-%s yuan (%s%%-%s%% of %s", d, e,
		    b, c, a);
	if (isfinite(cap)) {
		wz_num_format(cap, b, sizeof(b));
		wz_buf_printf(&p->xb, ", at most %s", b);
	}
	wz_buf_printf(&p->xb, "; %s)", pe->basis.n > 0 ? pe->basis.v[0] : pe->id);
}

/* gansuenforce 第二十二条: handled within N months of the start of the
 * investigation. */
static void
handling_words(struct wz_pen *p, const struct wz_doc *d)
{
	double months;
	const char *s;
	size_t n;
	wz_day t;
	char out[11];

	if (doc_param(d, "handling_months", &months) == -1)
		return;
	xclause(&p->xb);
	wz_buf_printf(&p->xb, "handle within %g months of the start of the "
	    "investigation (%s)", months, param_article(d, "handling_months"));
	if ((s = field_raw(p, "found_date", &n)) != NULL && n > 0 &&
	    (t = day_parse(s, n, 0)) != WZ_DAY_NONE) {
		wz_date_iso(wz_date_add_months(t, (long)months), out);
		wz_buf_printf(&p->xb, ": by %s", out);
	} else
		wz_buf_printf(&p->xb, ": the row gives no start date");
}

static void
add_codes(struct wz_buf *b, struct wz_buf *zb, const struct wz_strv *v,
    const char *sep)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		const struct wz_measure *m = wz_measure_find(v->v[i]);

		if (i > 0) {
			wz_buf_adds(b, sep);
			if (zb != NULL)
				wz_buf_adds(zb, sep);
		}
		wz_buf_adds(b, v->v[i]);
		if (zb != NULL)
			wz_buf_adds(zb, m != NULL ? m->zh : v->v[i]);
	}
}

/* One choice group: the codes kept, in vocabulary order, in b (and its
 * labels in zb); returns how many. */
static size_t
alt_group(struct wz_pen *p, const struct wz_strv *g, struct wz_buf *b,
    struct wz_buf *zb)
{
	size_t n, i, k = 0;
	const struct wz_measure *all = wz_measure_all(&n);
	unsigned char *in = wz_calloc(n, 1);

	for (i = 0; i < g->n; i++) {
		size_t vi = vocab_index(g->v[i]);

		if (vi != (size_t)-1 && !left_out(p, g->v[i]))
			in[vi] = 1;
	}
	for (i = 0; i < n; i++) {
		if (!in[i])
			continue;
		if (k++ > 0) {
			wz_buf_addc(b, '|');
			wz_buf_addc(zb, '|');
		}
		wz_buf_adds(b, all[i].code);
		wz_buf_adds(zb, all[i].zh);
	}
	free(in);
	return k;
}

/* Merge the rules that were taken and not replaced. */
static void
merge(struct wz_pen *p, struct wz_pen_result *res)
{
	size_t i, j, k, n;
	const struct wz_measure *all = wz_measure_all(&n);
	struct wz_buf one = { 0 }, onez = { 0 };
	int judge = 0, npm = 0, has_rect = 0, alts = 0, rect_days = 0;
	const struct wz_penalty *rect_pe = NULL, *npm_pe = NULL;
	const struct wz_doc *handling_doc = NULL;
	const char *npm_cite = NULL;
	double days;

	memset(p->mset, 0, p->nvocab);
	for (i = 0; i < p->ntk; i++) {
		const struct taken *tk = &p->tk[i];
		const struct wz_penalty *pe = tk->pe;

		if (tk->replaced_by >= 0)
			continue;
		for (k = 0; k < pe->basis.n; k++)
			list_add(&p->bb, pe->basis.v[k],
			    strlen(pe->basis.v[k]));
		judge |= pe->judgement;
		for (k = 0; k < pe->measures.n; k++) {
			size_t vi = vocab_index(pe->measures.v[k]);

			if (vi == (size_t)-1)
				continue;
			if (left_out(p, pe->measures.v[k])) {
				if (p->o.explain) {
					xclause(&p->xb);
					wz_buf_printf(&p->xb, "%s left out: not a "
					    "party member", pe->measures.v[k]);
				}
				continue;
			}
			p->mset[vi] = 1;
			add_handled(p, pe, strcmp(all[vi].family, "org") == 0,
			    strcmp(all[vi].family, "org") != 0);
		}
		for (k = 0; k < pe->nalts; k++) {
			const struct wz_strv *g = &pe->alts[k];

			wz_buf_reset(&one);
			wz_buf_reset(&onez);
			if (alt_group(p, g, &one, &onez) == 0) {
				if (p->o.explain) {
					xclause(&p->xb);
					wz_buf_printf(&p->xb, "choice of ");
					add_codes(&p->xb, NULL, g, "|");
					wz_buf_printf(&p->xb, " left out: not a "
					    "party member");
				}
				judge = 1;
				continue;
			}
			if (!wz_list_has(p->ab.s, p->ab.len, ';', one.s,
			    one.len)) {
				if (p->ab.len > 0) {
					wz_buf_addc(&p->ab, ';');
					wz_buf_addc(&p->azb, ';');
				}
				wz_buf_add(&p->ab, one.s, one.len);
				wz_buf_add(&p->azb, onez.s, onez.len);
			}
			alts = 1;
			for (j = 0; j < g->n; j++) {
				const char *f = family_of(g->v[j]);

				if (left_out(p, g->v[j]))
					continue;
				add_handled(p, pe, strcmp(f, "org") == 0,
				    strcmp(f, "org") != 0);
			}
		}
		if (pe->no_promotion_months > npm) {
			npm = pe->no_promotion_months;
			npm_pe = pe;
			npm_cite = NULL;
		}
		if (pe->has_rectify) {
			days = pe->rectify_days;
			if (pe->rectify_param != NULL && wz_rules_param(p->rs,
			    pe->doc, pe->rectify_param, &days) == -1)
				days = -1;
			if (days >= 0 && (!has_rect || (int)days < rect_days)) {
				rect_days = (int)days;
				rect_pe = pe;
				has_rect = 1;
			}
		}
		if (handling_doc == NULL && doc_param(pe->doc,
		    "handling_months", &days) == 0)
			handling_doc = pe->doc;
	}
	/* measures, with their effects */
	for (i = 0; i < n; i++) {
		const struct wz_effect *e;

		if (!p->mset[i])
			continue;
		list_add(&p->mb, all[i].code, strlen(all[i].code));
		if (p->o.labels_zh)
			list_add(&p->mzb, all[i].zh, strlen(all[i].zh));
		if ((e = wz_rules_effect(p->rs, all[i].code)) == NULL)
			continue;
		if (e->period_months > 0 || e->no_promotion_months > 0)
			list_add(&p->bb, e->cite, strlen(e->cite));
		if (e->no_promotion_months > npm) {
			npm = e->no_promotion_months;
			npm_cite = e->cite;
			npm_pe = NULL;
		}
		if (p->o.explain)
			effect_words(p, all[i].code, e, 1);
	}
	/* the choices' effects, as "if chosen" */
	if (p->o.explain && alts) {
		unsigned char *said = wz_calloc(n, 1);

		for (i = 0; i < p->ab.len; ) {
			size_t st = i;
			char code[64];

			while (i < p->ab.len && p->ab.s[i] != ';' &&
			    p->ab.s[i] != '|')
				i++;
			if (i - st < sizeof(code)) {
				const struct wz_effect *e;
				size_t vi;

				memcpy(code, p->ab.s + st, i - st);
				code[i - st] = '\0';
				vi = vocab_index(code);
				if (vi != (size_t)-1 && !said[vi] &&
				    (e = wz_rules_effect(p->rs, code)) != NULL) {
					said[vi] = 1;
					effect_words(p, code, e, 0);
				}
			}
			i++;
		}
		free(said);
	}
	if (npm > 0) {
		wz_date_iso(wz_date_add_months(p->on, npm), p->npu);
		if (p->o.explain) {
			xclause(&p->xb);
			wz_buf_printf(&p->xb, "no promotion until %s: %d months from "
			    "%s (%s)", p->npu, npm, p->on_s, npm_pe != NULL ?
			    npm_pe->id : npm_cite);
		}
	}
	if (has_rect) {
		wz_date_iso(wz_date_add_days(p->on, rect_days), p->rby);
		if (p->o.explain) {
			xclause(&p->xb);
			wz_buf_printf(&p->xb, "rectify by %s: %d days from %s (%s",
			    p->rby, rect_days, p->on_s, rect_pe->id);
			if (rect_pe->rectify_param != NULL)
				wz_buf_printf(&p->xb, ", parameter %s",
				    rect_pe->rectify_param);
			wz_buf_printf(&p->xb, ")");
		}
	}
	if (p->o.explain) {
		for (i = 0; i < p->ntk; i++)
			if (p->tk[i].replaced_by < 0 && wz_strv_has(
			    &p->tk[i].pe->measures, "recover") &&
			    !left_out(p, "recover"))
				recover_words(p, p->tk[i].pe);
		if (handling_doc != NULL)
			handling_words(p, handling_doc);
	}
	/* handled_by: org entries, then discipline ones */
	if (p->db.len > 0) {
		if (p->hb.len > 0)
			wz_buf_addc(&p->hb, ';');
		wz_buf_add(&p->hb, p->db.s, p->db.len);
	}
	res->needs_judgement = judge || alts ? "y" : "n";
	wz_buf_free(&one);
	wz_buf_free(&onez);
}

static void
explain_rule(struct wz_pen *p, const struct taken *tk)
{
	const struct wz_penalty *pe = tk->pe;
	size_t k, i;
	int any = 0;

	xclause(&p->xb);
	wz_buf_printf(&p->xb, "%s (%s:%lu)", pe->id, base_name(pe->file), pe->line);
	if (tk->replaced_by >= 0) {
		wz_buf_printf(&p->xb, " replaced by %s",
		    p->tk[tk->replaced_by].pe->id);
		return;
	}
	if (pe->measures.n > 0) {
		wz_buf_printf(&p->xb, " gives ");
		add_codes(&p->xb, NULL, &pe->measures, ",");
		any = 1;
	}
	for (k = 0; k < pe->nalts; k++) {
		wz_buf_printf(&p->xb, "%s choice of ", any ? "," : " gives");
		add_codes(&p->xb, NULL, &pe->alts[k], "|");
		any = 1;
	}
	if (pe->judgement)
		wz_buf_printf(&p->xb, "%s", any ? ", for the deciding body to "
		    "judge" : " leaves the measure to the deciding body");
	wz_buf_printf(&p->xb, " [");
	add_codes(&p->xb, NULL, &pe->basis, ",");
	wz_buf_printf(&p->xb, "]");
	if (pe->no_promotion_months > 0)
		wz_buf_printf(&p->xb, ", no promotion %d months",
		    pe->no_promotion_months);
	if (pe->repeat_min > 0) {
		wz_buf_printf(&p->xb, ", repeat: case %u of %s for the same %s",
		    tk->repeat_n, cellz(p->row, p->col[K_ARTICLE], NULL),
		    pe->repeat_same);
		if (tk->xrepn > 0)
			wz_buf_printf(&p->xb, " (earlier: %.*s)", (int)tk->xrepn,
			    p->rb.s + tk->xrep);
	}
	for (i = 0; i < p->ntk; i++)
		if (p->tk[i].replaced_by == (int)(tk - p->tk))
			wz_buf_printf(&p->xb, ", replaces %s", p->tk[i].pe->id);
}

static void
result_reset(struct wz_pen *p, struct wz_pen_result *res)
{
	wz_buf_reset(&p->mb);
	wz_buf_reset(&p->ab);
	wz_buf_reset(&p->bb);
	wz_buf_reset(&p->hb);
	wz_buf_reset(&p->db);
	wz_buf_reset(&p->mzb);
	wz_buf_reset(&p->azb);
	wz_buf_reset(&p->xb);
	wz_buf_reset(&p->rb);
	wz_buf_reset(&p->sb);
	wz_buf_reset(&p->gb);
	p->npu[0] = p->rby[0] = '\0';
	memset(res, 0, sizeof(*res));
}

int
wz_pen_row(struct wz_pen *p, const struct wz_row *row,
    struct wz_pen_result *res)
{
	const char *art, *vals, *role, *name, *lid, *tier;
	size_t artn, valsn, rolen, namen, lidn, lo, hi, mid, i, j, k;

	p->row = row;
	p->reported = 0;
	p->rxfail = 0;
	p->text_done = 0;
	p->ntk = 0;
	result_reset(p, res);
	art = cellz(row, p->col[K_ARTICLE], &artn);
	vals = cellz(row, p->col[K_VALUES], &valsn);
	role = cellz(row, p->col[K_LIABLE_ROLE], &rolen);
	name = cellz(row, p->col[K_LIABLE_NAME], &namen);
	lid = cellz(row, p->col[K_LIABLE_ID], &lidn);
	tier = cellz(row, p->col[K_TIER], NULL);
	parse_values(p, vals, valsn);

	if (artn == 0)
		row_msg(p, "no article (the 'article' column is empty)");
	if (namen == 0 && lidn == 0)
		row_msg(p, "no liable party (liable_id and liable_name are "
		    "empty)");
	if (rolen > 0 && strcmp(role, "unit") != 0) {
		char code[128];
		size_t st;

		for (i = 0; i < rolen; i++) {
			st = i;
			while (i < rolen && role[i] != ';' && role[i] != ',')
				i++;
			if (i - st == 0)
				continue;
			/* No post code is that long: unknown too. */
			k = i - st < sizeof(code) ? i - st : sizeof(code) - 1;
			memcpy(code, role + st, k);
			code[k] = '\0';
			if (i - st >= sizeof(code) ||
			    wz_rules_post(p->rs, code) == NULL)
				row_msg(p, "unknown post '%.*s%s' in liable_role: "
				    "only tier and rank selectors can take "
				    "this party", wz_qlen(code, strlen(code)),
				    code, i - st > (size_t)wz_qlen(code,
				    strlen(code)) ? "..." : "");
		}
	}
	/* A tier no rule can name would leave the row without measures
	 * and without a word. */
	if (tier[0] != '\0' && wz_tier_zh(tier) == NULL)
		row_msg(p, "unknown tier '%.*s%s' (direct, main_leader, "
		    "important_leader or collective)", wz_qlen(tier,
		    strlen(tier)), tier, wz_qmore(strlen(tier)));

	/* The rules for this article, in load order. */
	lo = 0;
	hi = p->npi;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (strcmp(p->pi[mid].article, art) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; artn > 0 && i < p->npi &&
	    strcmp(p->pi[i].article, art) == 0; i++) {
		const struct wz_penalty *pe = p->pi[i].pe;
		struct taken *tk;
		unsigned cnt = 0;
		size_t xo = 0, xn = 0;

		if (pe->for_cases.n > 0) {
			for (k = 0; k < pe->for_cases.n; k++)
				if (row_has_case(p, pe->for_cases.v[k]))
					break;
			if (k == pe->for_cases.n)
				continue;
		}
		if (!to_takes(p, &pe->to))
			continue;
		if (pe->when != NULL && !cond_eval(p, pe, pe->when))
			continue;
		if (pe->repeat_min > 0) {
			cnt = repeat_count(p, pe->repeat_same != NULL &&
			    strcmp(pe->repeat_same, "unit") == 0, &xo, &xn);
			if (cnt < (unsigned)pe->repeat_min)
				continue;
		}
		if (p->ntk == p->captk) {
			p->captk = p->captk ? p->captk * 2 : 8;
			p->tk = wz_reallocarray(p->tk, p->captk,
			    sizeof(*p->tk));
		}
		tk = &p->tk[p->ntk++];
		tk->pe = pe;
		tk->order = p->pi[i].order;
		tk->replaced_by = -1;
		tk->repeat_n = cnt;
		tk->xrep = xo;
		tk->xrepn = xn;
	}
	/* Step-ups: a taken rule drops the ones it names. */
	for (i = 0; i < p->ntk; i++)
		for (j = 0; j < p->ntk; j++) {
			const struct wz_penalty *a = p->tk[i].pe,
			    *b = p->tk[j].pe;

			if (i != j && a->doc == b->doc &&
			    wz_strv_has(&a->replaces, b->id) &&
			    p->tk[j].replaced_by < 0)
				p->tk[j].replaced_by = (int)i;
		}
	/* What was taken may lack a rule the failed pattern would have let
	 * in, or hold one it would have kept out. */
	if (p->rxfail) {
		p->ntk = 0;
		res->rejected = 1;
	}
	res->answered = p->ntk > 0;
	if (!res->answered) {
		if (p->o.explain && artn > 0) {
			const struct kv *c = value_get(p, "case");

			wz_buf_printf(&p->xb, "no penalty rule for %s", art);
			if (c != NULL)
				wz_buf_printf(&p->xb, " (case %.*s)", (int)c->vn,
				    c->v);
			wz_buf_printf(&p->xb, " takes %s (%s, %s)", namen > 0 ?
			    name : lid, rolen > 0 ? role : "no role",
			    tier[0] != '\0' ? tier : "no tier");
		}
		res->needs_judgement = "";
	} else {
		if (p->o.explain)
			for (i = 0; i < p->ntk; i++)
				explain_rule(p, &p->tk[i]);
		merge(p, res);
	}
	res->measures = wz_buf_cstr(&p->mb);
	res->alternatives = wz_buf_cstr(&p->ab);
	res->basis = wz_buf_cstr(&p->bb);
	res->handled_by = wz_buf_cstr(&p->hb);
	res->no_promotion_until = p->npu;
	res->rectify_by = p->rby;
	res->measures_zh = wz_buf_cstr(&p->mzb);
	res->alternatives_zh = wz_buf_cstr(&p->azb);
	res->explain = wz_buf_cstr(&p->xb);
	return p->reported;
}

void
wz_pen_write_header(const struct wz_pen *p, struct wz_writer *w,
    const struct wz_row *hdr)
{
	static const char *const cols[] = { "measures", "alternatives",
	    "basis", "handled_by", "no_promotion_until", "rectify_by",
	    "needs_judgement", NULL };
	static const char *const zh[] = { "measures_zh", "alternatives_zh",
	    NULL };

	wz_writer_filter_header(w, hdr, cols, p->o.labels_zh ? zh : NULL,
	    p->o.explain);
}

void
wz_pen_write_row(const struct wz_pen *p, struct wz_writer *w,
    const struct wz_row *row, const struct wz_pen_result *res)
{
	wz_writer_fields(w, row);
	wz_writer_fieldz(w, res->measures);
	wz_writer_fieldz(w, res->alternatives);
	wz_writer_fieldz(w, res->basis);
	wz_writer_fieldz(w, res->handled_by);
	wz_writer_fieldz(w, res->no_promotion_until);
	wz_writer_fieldz(w, res->rectify_by);
	wz_writer_fieldz(w, res->needs_judgement);
	if (p->o.labels_zh) {
		wz_writer_fieldz(w, res->measures_zh);
		wz_writer_fieldz(w, res->alternatives_zh);
	}
	if (p->o.explain)
		wz_writer_fieldz(w, res->explain);
	wz_writer_endrow(w);
}

static int
same_header(const struct wz_row *a, const struct wz_row *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (a->len[i] != b->len[i] || memcmp(a->f[i], b->f[i],
		    a->len[i]) != 0)
			return 0;
	return 1;
}

static int
worse(int a, int b)
{
	if (a == 0)
		return b;
	if (b == 0 || (a != WZ_EX_ROWS && b == WZ_EX_ROWS))
		return a;
	return b;
}

int
wz_pen_run(struct wz_pen *p, char *const *paths, size_t n,
    const struct wz_ropts *ro, struct wz_writer *out,
    struct wz_pen_stats *st)
{
	struct wz_reader *r;
	const struct wz_row *hdr, *row;
	struct wz_row *first = NULL;
	struct wz_pen_result res;
	size_t i, k;
	int status = 0, rc;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < n; i++) {
		if ((r = wz_reader_open(paths[i], ro)) == NULL) {
			wz_sysmsg(strcmp(paths[i], "-") == 0 ? "<stdin>" :
			    paths[i], "cannot open");
			status = worse(status, EX_NOINPUT);
			continue;
		}
		if (wz_reader_header(r, &hdr) != WZ_ROW) {
			wz_msg(wz_reader_name(r), wz_reader_errline(r), "%s",
			    wz_reader_error(r));
			status = worse(status, wz_reader_errstatus(r));
			wz_reader_close(r);
			continue;
		}
		if (first != NULL && !same_header(first, hdr)) {
			wz_msg(wz_reader_name(r), hdr->line, "the header is "
			    "not the first input's");
			status = worse(status, EX_DATAERR);
			wz_reader_close(r);
			continue;
		}
		if ((rc = wz_pen_bind(p, hdr, wz_reader_name(r))) != 0) {
			status = worse(status, rc);
			wz_reader_close(r);
			continue;
		}
		if (first == NULL) {
			first = wz_calloc(1, sizeof(*first));
			first->n = hdr->n;
			first->f = wz_calloc(hdr->n + 1, sizeof(char *));
			first->len = wz_calloc(hdr->n + 1, sizeof(size_t));
			for (k = 0; k < hdr->n; k++) {
				first->f[k] = wz_strndup(hdr->f[k],
				    hdr->len[k]);
				first->len[k] = hdr->len[k];
			}
			wz_pen_write_header(p, out, hdr);
		}
		while ((rc = wz_reader_next(r, &row)) != WZ_EOF) {
			if (rc == WZ_FATAL) {
				wz_msg(wz_reader_name(r), wz_reader_errline(r),
				    "%s", wz_reader_error(r));
				status = worse(status, wz_reader_errstatus(r));
				break;
			}
			st->read++;
			if (rc == WZ_BAD) {
				wz_msg(wz_reader_name(r), wz_reader_errline(r),
				    "%s", wz_reader_error(r));
				st->rejected++;
				status = worse(status, WZ_EX_ROWS);
				continue;
			}
			rc = wz_pen_row(p, row, &res);
			if (res.rejected) {
				/* Reported; a partial answer is not written. */
				st->rejected++;
				status = worse(status, WZ_EX_ROWS);
				continue;
			}
			if (rc) {
				st->reported++;
				status = worse(status, WZ_EX_ROWS);
			}
			if (res.answered)
				st->with++;
			else
				st->without++;
			wz_pen_write_row(p, out, row, &res);
		}
		wz_reader_close(r);
	}
	if (first != NULL) {
		for (k = 0; k < first->n; k++)
			free(first->f[k]);
		free(first->f);
		free(first->len);
		free(first);
	}
	return status;
}
