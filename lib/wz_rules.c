/*
 * wz_rules.c - see wz_rules.h; the format is rules/FORMAT.md and man
 * wenze-rules(5).
 *
 * A file is read into a node tree (wz_yaml.c), then walked once: every
 * value is checked where it stands and copied into the ruleset, and every
 * name that points into another part of the rules (a post, a group, an
 * article, a parameter, a document, a penalty, a case) is kept with its
 * place in the file.  wz_rules_finish() resolves those names when every
 * file is in, so files may come in any order and each error still names
 * the line that holds the bad name.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wz_base.h"
#include "wz_rules.h"
#include "wz_text.h"
#include "wz_yaml.h"

#ifndef WZ_RULESDIR
#define WZ_RULESDIR "/usr/local/share/wenze/rules"
#endif

#define MAX_RULES_DEFAULT	100000
#define MAX_LITS		32

/* A string -> pointer table (keys borrowed from the ruleset). */
struct smap {
	const char	**k;
	void		**v;
	size_t		  n, cap;
};

static void *
smap_get(const struct smap *m, const char *k)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	for (i = wz_hash(k, strlen(k)) & (m->cap - 1); m->k[i] != NULL;
	    i = (i + 1) & (m->cap - 1))
		if (strcmp(m->k[i], k) == 0)
			return m->v[i];
	return NULL;
}

static void
smap_put(struct smap *m, const char *k, void *v)
{
	size_t i, oldcap = m->cap;
	const char **ok = m->k;
	void **ov = m->v;

	if (2 * (m->n + 1) > m->cap) {
		m->cap = m->cap ? 2 * m->cap : 64;
		m->k = wz_calloc(m->cap, sizeof(*m->k));
		m->v = wz_calloc(m->cap, sizeof(*m->v));
		m->n = 0;
		for (i = 0; i < oldcap; i++)
			if (ok[i] != NULL)
				smap_put(m, ok[i], ov[i]);
		free(ok);
		free(ov);
	}
	for (i = wz_hash(k, strlen(k)) & (m->cap - 1); m->k[i] != NULL;
	    i = (i + 1) & (m->cap - 1))
		if (strcmp(m->k[i], k) == 0) {
			m->v[i] = v;
			return;
		}
	m->k[i] = k;
	m->v[i] = v;
	m->n++;
}

static void
smap_free(struct smap *m)
{
	free(m->k);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

enum refkind { R_POST, R_GROUP, R_ARTICLE, R_DOC, R_PARAM, R_PENALTY, R_CASE };

/* A name to resolve in wz_rules_finish(), with where it was written. */
struct ref {
	enum refkind	  kind;
	char		 *name;
	const char	 *file;
	unsigned long	  line, col;
	struct wz_doc	 *doc;		/* GROUP, PARAM, PENALTY, CASE */
	size_t		  pen;		/* CASE: the penalty in doc */
};

struct seen {
	dev_t		  dev;
	ino_t		  ino;
};

struct wz_rules_priv {
	struct ref	 *refs;
	size_t		  nrefs, caprefs;
	struct smap	  arts, posts, docs, aliases;
	struct seen	 *seen;
	size_t		  nseen;
	size_t		  nunread;	/* files with no tree (syntax, empty) */
	/* Patterns compiled so far, per wz_rx_new() flags: a handle of
	 * each (its key a copy of the text), until the load is finished. */
	struct smap	  rx[4];
};

/* What one file's walk needs. */
struct ctx {
	struct wz_ruleset *rs;
	const char	 *file;
	int		  nerr;
	struct wz_doc	**docs;		/* this file's documents */
	size_t		  ndocs;
	struct wz_article *art;		/* the article being read */
	const struct wz_ynode **lcase;	/* its history ledger_case nodes */
	size_t		  nlcase;
	int		  in_excl;	/* reading an exclusion */
};

static void
verr(struct ctx *c, const struct wz_ynode *n, const char *fmt, va_list ap)
{
	char *msg;

	if (vasprintf(&msg, fmt, ap) == -1)
		wz_die(EX_OSERR, NULL, 0, "out of memory");
	if (n != NULL)
		wz_yerr(c->file, n->line, n->col, "%s", msg);
	else
		wz_yerr(c->file, 0, 0, "%s", msg);
	free(msg);
}

static void __attribute__((format(printf, 3, 4)))
err(struct ctx *c, const struct wz_ynode *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(c, n, fmt, ap);
	va_end(ap);
	c->nerr++;
}

static void __attribute__((format(printf, 3, 4)))
warn(struct ctx *c, const struct wz_ynode *n, const char *fmt, ...)
{
	va_list ap;
	char *f;

	if (!c->rs->warnings)
		return;
	f = wz_aprintf("warning: %s", fmt);
	va_start(ap, fmt);
	verr(c, n, f, ap);
	va_end(ap);
	free(f);
	c->rs->nwarnings++;
}

static void
add_ref(struct ctx *c, enum refkind k, const char *name,
    const struct wz_ynode *n, struct wz_doc *d, size_t pen)
{
	struct wz_rules_priv *p = c->rs->priv;
	struct ref *r;

	if (p->nrefs == p->caprefs) {
		p->caprefs = p->caprefs ? 2 * p->caprefs : 256;
		p->refs = wz_reallocarray(p->refs, p->caprefs,
		    sizeof(*p->refs));
	}
	r = &p->refs[p->nrefs++];
	r->kind = k;
	r->name = wz_strdup(name);
	r->file = c->file;
	r->line = n != NULL ? n->line : 0;
	r->col = n != NULL ? n->col : 0;
	r->doc = d;
	r->pen = pen;
}

/* String lists. */

static void
strv_add(struct wz_strv *v, const char *s)
{
	v->v = wz_reallocarray(v->v, v->n + 1, sizeof(*v->v));
	v->v[v->n++] = wz_strdup(s);
}

int
wz_strv_has(const struct wz_strv *v, const char *s)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->v[i], s) == 0)
			return 1;
	return 0;
}

static void
strv_free(struct wz_strv *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
	v->v = NULL;
	v->n = 0;
}

/* Reading values. */

enum { OPT = 0, REQ = 1, ONE_OK = 2, EMPTY_OK = 4 };

/* Edit distance of two short ASCII keys, capped at 3. */
static int
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	int d[32][32];

	if (la >= 32 || lb >= 32)
		return 3;
	for (i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			int v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb] < 3 ? d[la][lb] : 3;
}

/* Report keys of map that are not in allowed; returns how many. */
static size_t
check_keys(struct ctx *c, const struct wz_ynode *m, const char *what,
    const char *const *allowed)
{
	struct wz_buf b = {0};
	const char *const *a, *near;
	size_t i, nbad = 0;
	int best;

	for (i = 0; i < m->n; i++) {
		const struct wz_ynode *k = m->kids[2 * i];

		if (wz_in_list(k->s, allowed))
			continue;
		nbad++;
		near = NULL;
		best = 3;
		for (a = allowed; *a != NULL; a++)
			if (distance(k->s, *a) < best) {
				best = distance(k->s, *a);
				near = *a;
			}
		if (near != NULL && (best == 1 || strlen(near) > 4)) {
			err(c, k, "unknown key '%s' in %s (did you mean "
			    "'%s'?)", k->s, what, near);
			continue;
		}
		if (b.len == 0)
			for (a = allowed; *a != NULL; a++)
				wz_buf_printf(&b, "%s%s", a == allowed ? "" :
				    ", ", *a);
		err(c, k, "unknown key '%s' in %s (known: %s)", k->s, what,
		    wz_buf_cstr(&b));
	}
	wz_buf_free(&b);
	return nbad;
}

static int
is_map(struct ctx *c, const struct wz_ynode *n, const char *what)
{
	if (n->type == WZ_Y_MAP)
		return 1;
	err(c, n, "%s must be a mapping, not %s", what, wz_ytype_name(n));
	return 0;
}

static int
is_seq(struct ctx *c, const struct wz_ynode *n, const char *what)
{
	if (n->type == WZ_Y_SEQ)
		return 1;
	err(c, n, "%s must be a list, not %s", what, wz_ytype_name(n));
	return 0;
}

/* A string value: NULL when absent (an error if REQ) or wrong. */
static char *
get_str(struct ctx *c, const struct wz_ynode *m, const char *key, int fl,
    const char *what)
{
	const struct wz_ynode *n = wz_ymap_get(m, key);

	if (n == NULL || wz_ynull(n) || (n->type == WZ_Y_SCALAR &&
	    n->len == 0 && !(fl & EMPTY_OK))) {
		if (fl & REQ)
			err(c, n != NULL ? n : m, n != NULL ? "%s: '%s' is "
			    "empty" : "%s has no '%s'", what, key);
		return NULL;
	}
	if (n->type != WZ_Y_SCALAR) {
		err(c, n, "'%s' must be a string, not %s", key,
		    wz_ytype_name(n));
		return NULL;
	}
	return wz_strdup(n->s);
}

/* The list n, the value of key in m (n may be NULL: absent). */
static int
strv_of(struct ctx *c, const struct wz_ynode *m, const struct wz_ynode *n,
    const char *key, int fl, const char *what, struct wz_strv *out)
{
	const struct wz_ynode *it;
	size_t i;
	int rc = 1;

	if (n == NULL || wz_ynull(n)) {
		if (fl & REQ) {
			err(c, n != NULL ? n : m, "%s has no '%s'", what, key);
			return -1;
		}
		return 0;
	}
	if (n->type == WZ_Y_SCALAR && (fl & ONE_OK)) {
		strv_add(out, n->s);
		return 1;
	}
	if (n->type != WZ_Y_SEQ) {
		err(c, n, "'%s' must be a list of strings, not %s", key,
		    wz_ytype_name(n));
		return -1;
	}
	for (i = 0; i < n->n; i++) {
		it = n->kids[i];
		if (it->type != WZ_Y_SCALAR || wz_ynull(it) || it->len == 0) {
			err(c, it, "'%s' must be a list of strings; this item "
			    "is %s", key, wz_ytype_name(it));
			rc = -1;
			continue;
		}
		strv_add(out, it->s);
	}
	if (n->n == 0 && (fl & REQ)) {
		err(c, n, "%s: '%s' is empty", what, key);
		rc = -1;
	}
	return rc;
}

/* A list of strings (or one string with ONE_OK).  Returns 0 when absent,
 * 1 when read, -1 on error. */
static int
get_strv(struct ctx *c, const struct wz_ynode *m, const char *key, int fl,
    const char *what, struct wz_strv *out)
{
	return strv_of(c, m, wz_ymap_get(m, key), key, fl, what, out);
}

/* The node of the i-th string that strv_of() took from list n, for
 * messages about it; n itself, or dflt when n is NULL. */
static const struct wz_ynode *
item_of(const struct wz_ynode *n, size_t i, const struct wz_ynode *dflt)
{
	if (n == NULL)
		return dflt;
	if (n->type == WZ_Y_SEQ) {
		size_t k, j = 0;

		for (k = 0; k < n->n; k++) {
			if (n->kids[k]->type != WZ_Y_SCALAR ||
			    wz_ynull(n->kids[k]) || n->kids[k]->len == 0)
				continue;
			if (j++ == i)
				return n->kids[k];
		}
	}
	return n;
}

static const struct wz_ynode *
item_node(const struct wz_ynode *m, const char *key, size_t i)
{
	return item_of(wz_ymap_get(m, key), i, m);
}

static int
parse_num(const struct wz_ynode *n, double *out)
{
	char *end;
	double d;

	if (n->type != WZ_Y_SCALAR || n->len == 0)
		return -1;
	errno = 0;
	d = strtod(n->s, &end);
	if (end == n->s || *end != '\0' || errno != 0 || !isfinite(d))
		return -1;
	*out = d;
	return 0;
}

/* An integer in [min, max]: 1 read, 0 absent, -1 error. */
static int
get_int(struct ctx *c, const struct wz_ynode *m, const char *key, long min,
    long max, long *out)
{
	const struct wz_ynode *n = wz_ymap_get(m, key);
	const char *es;
	long long v;

	if (n == NULL)
		return 0;
	if (n->type != WZ_Y_SCALAR) {
		err(c, n, "'%s' must be a whole number, not %s", key,
		    wz_ytype_name(n));
		return -1;
	}
	v = wz_strtonum(n->s, min, max, &es);
	if (es != NULL) {
		err(c, n, "'%s': '%s' is %s (a whole number from %ld to %ld)",
		    key, n->s, es, min, max);
		return -1;
	}
	*out = (long)v;
	return 1;
}

/* A boolean: 1 read, 0 absent, -1 error. */
static int
get_bool(struct ctx *c, const struct wz_ynode *m, const char *key, int *out)
{
	const struct wz_ynode *n = wz_ymap_get(m, key);

	if (n == NULL)
		return 0;
	if (n->type == WZ_Y_SCALAR && n->plain) {
		if (strcmp(n->s, "true") == 0) {
			*out = 1;
			return 1;
		}
		if (strcmp(n->s, "false") == 0) {
			*out = 0;
			return 1;
		}
	}
	err(c, n, "'%s' must be true or false", key);
	return -1;
}

static int
ident_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	    *p == '_'))
		return 0;
	for (p++; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return 0;
	return 1;
}

/* An identifier (post code, group, case, penalty, param, document). */
static char *
get_ident(struct ctx *c, const struct wz_ynode *m, const char *key, int fl,
    const char *what)
{
	char *s = get_str(c, m, key, fl, what);

	if (s != NULL && !ident_ok(s)) {
		err(c, wz_ymap_get(m, key), "%s: '%s' is not a name (letters, "
		    "digits, '_' and '-', starting with a letter)", what, s);
		free(s);
		return NULL;
	}
	return s;
}

static int
leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static char *
get_date(struct ctx *c, const struct wz_ynode *m, const char *key)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	char *s = get_str(c, m, key, OPT, "date");
	int y, mo, d, k = 0;

	if (s == NULL)
		return NULL;
	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &k) !=
	    3 || k != 10 || y < 1900 || y > 2999 || mo < 1 || mo > 12 ||
	    d < 1 || d > mdays[mo - 1] + (mo == 2 && leap(y))) {
		err(c, wz_ymap_get(m, key), "'%s': '%s' is not a date "
		    "(YYYY-MM-DD)", key, s);
		free(s);
		return NULL;
	}
	return s;
}

/* Patterns. */

/*
 * Refuse a character NFKC changes: the matcher only sees normalised
 * text, so such a pattern could never match it.
 */
static int
pattern_stable(struct ctx *c, const struct wz_ynode *n, const char *pat)
{
	const unsigned char *p = (const unsigned char *)pat;
	size_t i = 0, len = strlen(pat), k;
	uint32_t cp;
	char probe[16], *norm;

	while (i < len) {
		k = wz_utf8_decode(p + i, len - i, &cp);
		if (wz_nfkc_unstable(cp)) {
			probe[0] = 'x';
			memcpy(probe + 1, p + i, k);
			probe[k + 1] = 'x';
			norm = wz_normalize(probe, k + 2);
			norm[strlen(norm) - 1] = '\0';
			if (norm[1] == '\0')
				err(c, n, "pattern holds '%.*s' (U+%04X), which "
				    "normalised text never holds (NFKC removes "
				    "it)", (int)k, pat + i, (unsigned)cp);
			else if (strcmp(norm + 1, " ") == 0)
				err(c, n, "pattern holds '%.*s' (U+%04X), which "
				    "normalised text never holds: write a space",
				    (int)k, pat + i, (unsigned)cp);
			else
				err(c, n, "pattern holds '%.*s' (U+%04X), which "
				    "normalised text never holds: write '%s' "
				    "instead", (int)k, pat + i, (unsigned)cp,
				    norm + 1);
			free(norm);
			return 0;
		}
		i += k;
	}
	if (wz_has_traditional(pat, len))
		warn(c, n, "pattern holds traditional characters; normalised "
		    "text is simplified");
	return 1;
}

/*
 * Rules share many patterns (amounts, dates, verdicts): a text is
 * compiled once per set of flags, and its later uses take a handle on
 * that.  A pattern that does not compile is compiled again for each
 * message.
 */
static struct wz_rx *
compile(struct ctx *c, const struct wz_ynode *n, const char *pat, int flags)
{
	struct wz_rules_priv *p = c->rs->priv;
	struct wz_rx *rx;
	char msg[300];

	if (!pattern_stable(c, n, pat))
		return NULL;
	if ((rx = smap_get(&p->rx[flags], pat)) != NULL)
		return wz_rx_dup(rx);
	if ((rx = wz_rx_new(pat, flags, msg, sizeof(msg))) == NULL) {
		err(c, n, "pattern does not compile: %s: '%s'", msg, pat);
		return NULL;
	}
	smap_put(&p->rx[flags], wz_strdup(pat), wz_rx_dup(rx));
	return rx;
}

/* The compiled patterns are needed no more than the load. */
static void
rx_forget(struct wz_rules_priv *p)
{
	size_t f, i;

	for (f = 0; f < sizeof(p->rx) / sizeof(p->rx[0]); f++) {
		for (i = 0; i < p->rx[f].cap; i++)
			if (p->rx[f].k[i] != NULL) {
				free((char *)p->rx[f].k[i]);
				wz_rx_free(p->rx[f].v[i]);
			}
		smap_free(&p->rx[f]);
	}
}

/* Literal sets of conditions. */

static size_t
lits_min(const struct wz_strv *v)
{
	size_t i, m = SIZE_MAX;

	for (i = 0; i < v->n; i++)
		if (strlen(v->v[i]) < m)
			m = strlen(v->v[i]);
	return m;
}

static void
cond_lits(struct wz_cond *c)
{
	const struct wz_strv *best = NULL;
	size_t i, j;
	char **v;

	if (c->lits_made)
		return;
	c->lits_made = 1;
	for (i = 0; i < c->nkids; i++)
		cond_lits(c->kids[i]);
	if (c->hist_cond != NULL)
		cond_lits(c->hist_cond);
	switch (c->kind) {
	case WZ_C_TEXT:
		c->lits.n = wz_rx_literals(c->pattern, &v);
		c->lits.v = v;
		break;
	case WZ_C_ALL:
		for (i = 0; i < c->nkids; i++) {
			const struct wz_strv *k = &c->kids[i]->lits;

			if (k->n == 0)
				continue;
			if (best == NULL || lits_min(k) > lits_min(best) ||
			    (lits_min(k) == lits_min(best) && k->n < best->n))
				best = k;
		}
		if (best != NULL)
			for (i = 0; i < best->n; i++)
				strv_add(&c->lits, best->v[i]);
		break;
	case WZ_C_ANY:
		for (i = 0; i < c->nkids; i++)
			if (c->kids[i]->lits.n == 0)
				return;
		for (i = 0; i < c->nkids; i++)
			for (j = 0; j < c->kids[i]->lits.n; j++)
				if (!wz_strv_has(&c->lits, c->kids[i]->lits.v[j]))
					strv_add(&c->lits,
					    c->kids[i]->lits.v[j]);
		if (c->lits.n > MAX_LITS)
			strv_free(&c->lits);
		break;
	default:
		break;
	}
}

const struct wz_strv *
wz_cond_lits(struct wz_cond *c)
{
	cond_lits(c);
	return &c->lits;
}

/* Conditions. */

static const char *const cond_keys[] = { "text", "field", "re", "in",
    "present", "value", "lt", "le", "gt", "ge", "eq", "ne", "all", "any",
    "not", "history", NULL };
static const char *const cmp_ops[] = { "lt", "le", "gt", "ge", "eq", "ne",
    NULL };

static struct wz_cond *parse_cond(struct ctx *, const struct wz_ynode *,
    struct wz_doc *, int);

static void
wz_cond_free(struct wz_cond *c)
{
	size_t i;

	if (c == NULL)
		return;
	free(c->field);
	free(c->pattern);
	wz_rx_free(c->rx);
	strv_free(&c->set);
	free(c->value);
	free(c->param);
	for (i = 0; i < c->nkids; i++)
		wz_cond_free(c->kids[i]);
	free(c->kids);
	strv_free(&c->hist_key);
	wz_cond_free(c->hist_cond);
	free(c->hist_case);
	strv_free(&c->lits);
	free(c);
}

static const char cond_forms[] = "a condition is one of {text: RE}, "
    "{field: F, re: RE}, {field: F, in: [..]}, {field: F, present: BOOL}, "
    "{value: V, lt|le|gt|ge|eq|ne: N}, {all: [..]}, {any: [..]}, "
    "{not: COND}, {history: {..}}";

static int
cond_kids(struct ctx *c, struct wz_cond *cd, const struct wz_ynode *n,
    struct wz_doc *d, int depth)
{
	struct wz_cond *k;
	size_t i;
	int ok = 1;

	if (!is_seq(c, n, "all/any"))
		return 0;
	if (n->n == 0) {
		err(c, n, "all/any needs at least one condition");
		return 0;
	}
	cd->kids = wz_calloc(n->n, sizeof(*cd->kids));
	for (i = 0; i < n->n; i++) {
		if ((k = parse_cond(c, n->kids[i], d, depth + 1)) == NULL) {
			ok = 0;
			continue;
		}
		cd->kids[cd->nkids++] = k;
	}
	return ok;
}

static int
cond_history(struct ctx *c, struct wz_cond *cd, const struct wz_ynode *n,
    struct wz_doc *d, int depth)
{
	static const char *const keys[] = { "key", "years", "cond",
	    "ledger_case", NULL };
	const struct wz_ynode *k;
	long years = 1;
	int ok = 1;

	if (!is_map(c, n, "history"))
		return 0;
	check_keys(c, n, "history", keys);
	if (get_strv(c, n, "key", REQ | ONE_OK, "history", &cd->hist_key) < 0)
		ok = 0;
	if (get_int(c, n, "years", 1, 50, &years) < 0)
		ok = 0;
	cd->hist_years = (int)years;
	if ((k = wz_ymap_get(n, "cond")) != NULL &&
	    (cd->hist_cond = parse_cond(c, k, d, depth + 1)) == NULL)
		ok = 0;
	cd->hist_case = get_ident(c, n, "ledger_case", OPT, "history");
	if ((k = wz_ymap_get(n, "ledger_case")) != NULL && cd->hist_case) {
		if (c->art == NULL) {
			err(c, k, "ledger_case is only for an article's "
			    "conditions");
			ok = 0;
		} else {
			c->lcase = wz_reallocarray(c->lcase, c->nlcase + 1,
			    sizeof(*c->lcase));
			c->lcase[c->nlcase++] = k;
		}
	}
	/* The ledger knows a case's unit, not the other fields a key may
	 * name (wz_matcher_ledgers()). */
	if (cd->hist_case != NULL && ok && (cd->hist_key.n != 1 ||
	    strcmp(cd->hist_key.v[0], "unit") != 0)) {
		err(c, wz_ymap_get(n, "ledger_case"), "ledger_case needs "
		    "key: [unit]: the ledger holds a case's unit, not its "
		    "other fields");
		ok = 0;
	}
	if (wz_ymap_get(n, "cond") == NULL && wz_ymap_get(n, "ledger_case") ==
	    NULL) {
		err(c, n, "history needs 'cond', 'ledger_case' or both");
		ok = 0;
	}
	return ok;
}

static struct wz_cond *
parse_cond(struct ctx *c, const struct wz_ynode *n, struct wz_doc *d,
    int depth)
{
	static const char *const heads[] = { "text", "field", "value", "all",
	    "any", "not", "history", NULL };
	const struct wz_ynode *k, *head = NULL;
	struct wz_cond *cd;
	size_t i, nheads = 0, nops = 0, nknown;
	int ok = 1, b;
	char *s;

	if (!is_map(c, n, "a condition"))
		return NULL;
	for (i = 0; i < n->n; i++)
		if (wz_in_list(n->kids[2 * i]->s, heads)) {
			nheads++;
			head = n->kids[2 * i];
		}
	nknown = n->n - check_keys(c, n, "a condition", cond_keys);
	if (nheads != 1) {
		err(c, n, "%s", cond_forms);
		return NULL;
	}
	cd = wz_calloc(1, sizeof(*cd));
	cd->file = c->file;
	cd->line = n->line;
	cd->col = n->col;
	k = NULL;
	for (i = 0; i < n->n; i++)
		if (n->kids[2 * i] == head)
			k = n->kids[2 * i + 1];
	if (strcmp(head->s, "text") == 0) {
		cd->kind = WZ_C_TEXT;
		if (nknown != 1) {
			err(c, n, "{text: RE} takes no other key");
			ok = 0;
		}
		if (k->type != WZ_Y_SCALAR || k->len == 0) {
			err(c, k, "'text' must be a pattern (a string)");
			ok = 0;
		} else {
			cd->pattern = wz_strdup(k->s);
			if ((cd->rx = compile(c, k, k->s, WZ_RX_CASELESS)) ==
			    NULL)
				ok = 0;
		}
	} else if (strcmp(head->s, "field") == 0) {
		const struct wz_ynode *re = wz_ymap_get(n, "re");
		const struct wz_ynode *in = wz_ymap_get(n, "in");
		const struct wz_ynode *pr = wz_ymap_get(n, "present");

		cd->field = get_str(c, n, "field", REQ, "a condition");
		if (cd->field == NULL)
			ok = 0;
		if ((re != NULL) + (in != NULL) + (pr != NULL) != 1 ||
		    nknown != 2) {
			err(c, n, "{field: F, ...} takes exactly one of 're', "
			    "'in' and 'present'");
			ok = 0;
		} else if (re != NULL) {
			cd->kind = WZ_C_RE;
			if (re->type != WZ_Y_SCALAR || re->len == 0) {
				err(c, re, "'re' must be a pattern (a string)");
				ok = 0;
			} else {
				cd->pattern = wz_strdup(re->s);
				if ((cd->rx = compile(c, re, re->s,
				    WZ_RX_CASELESS)) == NULL)
					ok = 0;
			}
		} else if (in != NULL) {
			cd->kind = WZ_C_IN;
			if (get_strv(c, n, "in", REQ, "{field, in}",
			    &cd->set) < 0)
				ok = 0;
			for (i = 0; i < cd->set.n; i++) {
				s = wz_normalize(cd->set.v[i],
				    strlen(cd->set.v[i]));
				free(cd->set.v[i]);
				cd->set.v[i] = s;
			}
		} else {
			cd->kind = WZ_C_PRESENT;
			if (get_bool(c, n, "present", &b) < 0)
				ok = 0;
			else
				cd->present = b;
		}
	} else if (strcmp(head->s, "value") == 0) {
		const struct wz_ynode *op = NULL, *rhs = NULL;
		double num;

		cd->kind = WZ_C_CMP;
		/* A capture name, a canonical field or a sheet's header. */
		if ((cd->value = get_str(c, n, "value", REQ,
		    "a condition")) == NULL)
			ok = 0;
		for (i = 0; i < n->n; i++)
			if (wz_in_list(n->kids[2 * i]->s, cmp_ops)) {
				nops++;
				op = n->kids[2 * i];
				rhs = n->kids[2 * i + 1];
			}
		if (nops != 1 || nknown != 2) {
			err(c, n, "{value: V, ...} takes exactly one of lt, "
			    "le, gt, ge, eq and ne");
			ok = 0;
		} else {
			cd->op = (enum wz_cmp)(strcmp(op->s, "lt") == 0 ? WZ_LT :
			    strcmp(op->s, "le") == 0 ? WZ_LE :
			    strcmp(op->s, "gt") == 0 ? WZ_GT :
			    strcmp(op->s, "ge") == 0 ? WZ_GE :
			    strcmp(op->s, "eq") == 0 ? WZ_EQ : WZ_NE);
			if (parse_num(rhs, &num) == 0)
				cd->num = num;
			else if (rhs->type == WZ_Y_SCALAR && ident_ok(rhs->s)) {
				cd->param = wz_strdup(rhs->s);
				add_ref(c, R_PARAM, rhs->s, rhs, d, 0);
			} else {
				err(c, rhs, "'%s' must be a number or a "
				    "parameter name", op->s);
				ok = 0;
			}
		}
	} else if (strcmp(head->s, "all") == 0 || strcmp(head->s, "any") == 0) {
		cd->kind = head->s[1] == 'l' ? WZ_C_ALL : WZ_C_ANY;
		if (nknown != 1) {
			err(c, n, "{%s: [..]} takes no other key", head->s);
			ok = 0;
		}
		if (depth >= 32) {
			err(c, n, "conditions nested too deep");
			ok = 0;
		} else if (!cond_kids(c, cd, k, d, depth))
			ok = 0;
	} else if (strcmp(head->s, "not") == 0) {
		cd->kind = WZ_C_NOT;
		if (nknown != 1) {
			err(c, n, "{not: COND} takes no other key");
			ok = 0;
		}
		cd->kids = wz_calloc(1, sizeof(*cd->kids));
		if (depth >= 32) {
			err(c, n, "conditions nested too deep");
			ok = 0;
		} else if ((cd->kids[0] = parse_cond(c, k, d, depth + 1)) ==
		    NULL)
			ok = 0;
		else
			cd->nkids = 1;
	} else {
		cd->kind = WZ_C_HISTORY;
		if (nknown != 1) {
			err(c, n, "{history: {..}} takes no other key");
			ok = 0;
		}
		if (depth >= 32) {
			err(c, n, "conditions nested too deep");
			ok = 0;
		} else if (!cond_history(c, cd, k, d, depth))
			ok = 0;
	}
	if (!ok) {
		wz_cond_free(cd);
		return NULL;
	}
	return cd;
}

/* Examples. */

static void
example_free(struct wz_example *e)
{
	size_t i;

	for (i = 0; i < e->nrows; i++) {
		strv_free(&e->rows[i].keys);
		strv_free(&e->rows[i].vals);
	}
	free(e->rows);
	free(e->expect_case);
}

static int
example_row(struct ctx *c, const struct wz_ynode *n, struct wz_exrow *r,
    char **ecase, int positive)
{
	const struct wz_ynode *k, *v;
	size_t i;
	int ok = 1;

	if (!is_map(c, n, "an example row"))
		return 0;
	/* Room for every cell at once (strv_add() grows by one). */
	r->keys.v = wz_reallocarray(r->keys.v, r->keys.n + n->n + 1,
	    sizeof(*r->keys.v));
	r->vals.v = wz_reallocarray(r->vals.v, r->vals.n + n->n + 1,
	    sizeof(*r->vals.v));
	for (i = 0; i < n->n; i++) {
		k = n->kids[2 * i];
		v = n->kids[2 * i + 1];
		if (strcmp(k->s, "_case") == 0) {
			if (!positive) {
				err(c, k, "_case is only for positive "
				    "examples");
				ok = 0;
			} else if (v->type != WZ_Y_SCALAR || wz_ynull(v)) {
				err(c, v, "_case must be a case id");
				ok = 0;
			} else if (*ecase == NULL)
				*ecase = wz_strdup(v->s);
			continue;
		}
		if (k->s[0] == '_' || strcmp(k->s, "rows") == 0) {
			err(c, k, "unknown key '%s' in an example row", k->s);
			ok = 0;
			continue;
		}
		if (v->type != WZ_Y_SCALAR) {
			err(c, v, "example cell '%s' must be a string, not %s",
			    k->s, wz_ytype_name(v));
			ok = 0;
			continue;
		}
		r->keys.v[r->keys.n++] = wz_strdup(k->s);
		r->vals.v[r->vals.n++] = wz_strdup(wz_ynull(v) ? "" : v->s);
	}
	return ok;
}

static int
example(struct ctx *c, const struct wz_ynode *n, struct wz_example *e,
    int positive)
{
	const struct wz_ynode *rows;
	size_t i;
	int ok = 1;

	memset(e, 0, sizeof(*e));
	e->line = n->line;
	if (n->type == WZ_Y_MAP && (rows = wz_ymap_get(n, "rows")) != NULL) {
		static const char *const keys[] = { "rows", "_case", NULL };
		const struct wz_ynode *cs = wz_ymap_get(n, "_case");

		check_keys(c, n, "an example with rows", keys);
		if (cs != NULL) {
			if (!positive) {
				err(c, cs, "_case is only for positive "
				    "examples");
				ok = 0;
			} else if (cs->type != WZ_Y_SCALAR || wz_ynull(cs)) {
				err(c, cs, "_case must be a case id");
				ok = 0;
			} else
				e->expect_case = wz_strdup(cs->s);
		}
		if (!is_seq(c, rows, "'rows'"))
			return 0;
		if (rows->n == 0) {
			err(c, rows, "'rows' is empty");
			return 0;
		}
		e->rows = wz_calloc(rows->n, sizeof(*e->rows));
		for (i = 0; i < rows->n; i++) {
			if (!example_row(c, rows->kids[i], &e->rows[i],
			    &e->expect_case, positive))
				ok = 0;
			e->nrows++;
		}
		return ok;
	}
	e->rows = wz_calloc(1, sizeof(*e->rows));
	e->nrows = 1;
	return example_row(c, n, &e->rows[0], &e->expect_case, positive);
}

static int
examples(struct ctx *c, const struct wz_ynode *n, struct wz_example **pos,
    size_t *npos, struct wz_example **neg, size_t *nneg)
{
	static const char *const keys[] = { "positive", "negative", NULL };
	const struct wz_ynode *l;
	size_t i;
	int ok = 1, p;

	if (!is_map(c, n, "examples"))
		return 0;
	check_keys(c, n, "examples", keys);
	for (p = 1; p >= 0; p--) {
		struct wz_example **v = p ? pos : neg;
		size_t *nv = p ? npos : nneg;

		if ((l = wz_ymap_get(n, p ? "positive" : "negative")) == NULL ||
		    wz_ynull(l))
			continue;
		if (!is_seq(c, l, p ? "'positive'" : "'negative'")) {
			ok = 0;
			continue;
		}
		*v = wz_calloc(l->n, sizeof(**v));
		for (i = 0; i < l->n; i++) {
			if (!example(c, l->kids[i], &(*v)[*nv], p))
				ok = 0;
			(*nv)++;
		}
	}
	return ok;
}

/* Documents. */

static struct wz_doc *
doc_of_file(struct ctx *c)
{
	return c->ndocs > 0 ? c->docs[0] : NULL;
}

static void
add_refs(struct ctx *c, enum refkind k, const struct wz_ynode *m,
    const char *key, const struct wz_strv *v, struct wz_doc *d)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		add_ref(c, k, v->v[i], item_node(m, key, i), d, 0);
}

static struct wz_doc *
parse_document(struct ctx *c, const struct wz_ynode *n)
{
	static const char *const keys[] = { "id", "title", "issuer",
	    "jurisdiction", "published", "effective", "effective_until",
	    "implements", "source", "note", NULL };
	struct wz_rules_priv *p = c->rs->priv;
	struct wz_doc *d, *old;
	char *id;

	if (!is_map(c, n, "a document"))
		return NULL;
	check_keys(c, n, "a document", keys);
	if ((id = get_ident(c, n, "id", REQ, "the document")) == NULL)
		return NULL;
	if ((old = smap_get(&p->docs, id)) != NULL) {
		err(c, wz_ymap_get(n, "id"), "duplicate document id '%s' "
		    "(first in %s)", id, old->file);
		free(id);
		return NULL;
	}
	d = wz_calloc(1, sizeof(*d));
	d->id = id;
	d->file = c->file;
	d->title = get_str(c, n, "title", REQ, "the document");
	d->issuer = get_str(c, n, "issuer", EMPTY_OK, "the document");
	d->jurisdiction = get_str(c, n, "jurisdiction", OPT, "the document");
	d->source = get_str(c, n, "source", OPT, "the document");
	d->note = get_str(c, n, "note", OPT, "the document");
	d->published = get_date(c, n, "published");
	d->effective = get_date(c, n, "effective");
	d->effective_until = get_date(c, n, "effective_until");
	if (d->effective != NULL && d->effective_until != NULL &&
	    strcmp(d->effective_until, d->effective) < 0)
		err(c, wz_ymap_get(n, "effective_until"), "effective_until "
		    "%s is before effective %s", d->effective_until,
		    d->effective);
	get_strv(c, n, "implements", OPT, "the document", &d->implements);
	add_refs(c, R_DOC, n, "implements", &d->implements, NULL);
	smap_put(&p->docs, d->id, d);
	c->rs->docs = wz_reallocarray(c->rs->docs, c->rs->ndocs + 1,
	    sizeof(*c->rs->docs));
	c->rs->docs[c->rs->ndocs++] = d;
	c->docs = wz_reallocarray(c->docs, c->ndocs + 1, sizeof(*c->docs));
	c->docs[c->ndocs++] = d;
	return d;
}

static void
parse_params(struct ctx *c, const struct wz_ynode *n, struct wz_doc *d)
{
	static const char *const keys[] = { "default", "label", "note", NULL };
	const struct wz_ynode *k, *v, *def;
	struct wz_param *pm;
	size_t i;

	if (!is_map(c, n, "params"))
		return;
	for (i = 0; i < n->n; i++) {
		k = n->kids[2 * i];
		v = n->kids[2 * i + 1];
		if (!ident_ok(k->s)) {
			err(c, k, "parameter '%s' is not a name", k->s);
			continue;
		}
		if (!is_map(c, v, "a parameter"))
			continue;
		check_keys(c, v, "a parameter", keys);
		d->params = wz_reallocarray(d->params, d->nparams + 1,
		    sizeof(*d->params));
		pm = &d->params[d->nparams++];
		memset(pm, 0, sizeof(*pm));
		pm->name = wz_strdup(k->s);
		pm->label = get_str(c, v, "label", REQ, "a parameter");
		pm->note = get_str(c, v, "note", OPT, "a parameter");
		if ((def = wz_ymap_get(v, "default")) == NULL)
			err(c, v, "parameter '%s' has no 'default'", k->s);
		else if (parse_num(def, &pm->def) == -1)
			err(c, def, "parameter '%s': default must be a number",
			    k->s);
		pm->value = pm->def;
	}
}

static void
parse_groups(struct ctx *c, const struct wz_ynode *n, struct wz_doc *d)
{
	static const char *const keys[] = { "label", "cite", "posts", "note",
	    NULL };
	const struct wz_ynode *k, *v;
	struct wz_group *g;
	size_t i;

	if (!is_map(c, n, "groups"))
		return;
	for (i = 0; i < n->n; i++) {
		k = n->kids[2 * i];
		v = n->kids[2 * i + 1];
		if (!ident_ok(k->s)) {
			err(c, k, "group '%s' is not a name", k->s);
			continue;
		}
		if (!is_map(c, v, "a group"))
			continue;
		check_keys(c, v, "a group", keys);
		d->groups = wz_reallocarray(d->groups, d->ngroups + 1,
		    sizeof(*d->groups));
		g = &d->groups[d->ngroups++];
		memset(g, 0, sizeof(*g));
		g->id = wz_strdup(k->s);
		g->label = get_str(c, v, "label", REQ, "a group");
		g->cite = get_str(c, v, "cite", OPT, "a group");
		g->note = get_str(c, v, "note", OPT, "a group");
		if (g->cite != NULL)
			add_ref(c, R_ARTICLE, g->cite, wz_ymap_get(v, "cite"),
			    d, 0);
		get_strv(c, v, "posts", REQ, "a group", &g->posts);
		add_refs(c, R_POST, v, "posts", &g->posts, d);
	}
}

/* Is id DOC:N[.N...] with arabic numbers? */
static int
citation_ok(const char *id, size_t doclen)
{
	const char *p = id + doclen + 1;

	for (;;) {
		if (*p < '0' || *p > '9' || (*p == '0' && p[1] >= '0' &&
		    p[1] <= '9'))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p == '\0')
			return 1;
		if (*p++ != '.')
			return 0;
	}
}

/* The document an article id belongs to, among this file's. */
static struct wz_doc *
article_doc(struct ctx *c, const struct wz_ynode *idn, const char *id)
{
	struct wz_buf b = {0};
	size_t i, l;

	for (i = 0; i < c->ndocs; i++) {
		l = strlen(c->docs[i]->id);
		if (strncmp(id, c->docs[i]->id, l) == 0 && id[l] == ':') {
			if (!citation_ok(id, l)) {
				err(c, idn, "article id '%s' is not "
				    "DOC:ARTICLE[.ITEM] with arabic numbers",
				    id);
				return NULL;
			}
			return c->docs[i];
		}
	}
	for (i = 0; i < c->ndocs; i++)
		wz_buf_printf(&b, "%s'%s:'", i ? " or " : "", c->docs[i]->id);
	err(c, idn, "article id '%s' does not start with the document id %s",
	    id, wz_buf_cstr(&b));
	wz_buf_free(&b);
	return NULL;
}

static void
case_free(struct wz_case *k)
{
	free(k->id);
	free(k->label);
	strv_free(&k->groups);
	wz_cond_free(k->match);
}

static void
article_free(struct wz_article *a)
{
	size_t i;

	if (a == NULL)
		return;
	free(a->id);
	free(a->ref);
	free(a->text);
	free(a->note);
	strv_free(&a->groups);
	for (i = 0; i < a->nsevwhen; i++)
		wz_cond_free(a->sevwhen[i].when);
	free(a->sevwhen);
	for (i = 0; i < a->ncases; i++)
		case_free(&a->cases[i]);
	free(a->cases);
	for (i = 0; i < a->npos; i++)
		example_free(&a->pos[i]);
	free(a->pos);
	for (i = 0; i < a->nneg; i++)
		example_free(&a->neg[i]);
	free(a->neg);
	free(a);
}

static int
parse_severity(struct ctx *c, const struct wz_ynode *m, enum wz_severity *out)
{
	const struct wz_ynode *n = wz_ymap_get(m, "severity");

	if (n == NULL)
		return 0;
	if (n->type != WZ_Y_SCALAR || wz_severity_parse(n->s, out) == -1) {
		err(c, n, "severity must be minor, serious or grave");
		return -1;
	}
	return 1;
}

static void
parse_cases(struct ctx *c, const struct wz_ynode *n, struct wz_article *a)
{
	static const char *const keys[] = { "id", "label", "groups", "match",
	    "note", NULL };
	const struct wz_ynode *it, *m;
	struct wz_case *k;
	size_t i, j;

	if (!is_seq(c, n, "'cases'"))
		return;
	if (n->n == 0)
		err(c, n, "'cases' is empty");
	a->cases = wz_calloc(n->n ? n->n : 1, sizeof(*a->cases));
	for (i = 0; i < n->n; i++) {
		it = n->kids[i];
		if (!is_map(c, it, "a case"))
			continue;
		check_keys(c, it, "a case", keys);
		k = &a->cases[a->ncases];
		memset(k, 0, sizeof(*k));
		k->line = it->line;
		if ((k->id = get_ident(c, it, "id", REQ, "a case")) == NULL)
			continue;
		for (j = 0; j < a->ncases; j++)
			if (strcmp(a->cases[j].id, k->id) == 0)
				break;
		if (j < a->ncases) {
			err(c, wz_ymap_get(it, "id"), "duplicate case id '%s' "
			    "in %s", k->id, a->id);
			free(k->id);
			continue;
		}
		a->ncases++;
		k->label = get_str(c, it, "label", OPT, "a case");
		get_strv(c, it, "groups", OPT, "a case", &k->groups);
		add_refs(c, R_GROUP, it, "groups", &k->groups, a->doc);
		if ((m = wz_ymap_get(it, "match")) == NULL)
			err(c, it, "case '%s' has no 'match'", k->id);
		else
			k->match = parse_cond(c, m, a->doc, 0);
	}
}

static int
has_case(const struct wz_article *a, const char *id)
{
	size_t i;

	for (i = 0; i < a->ncases; i++)
		if (a->cases[i].id != NULL && strcmp(a->cases[i].id, id) == 0)
			return 1;
	return 0;
}

static void
parse_article(struct ctx *c, const struct wz_ynode *n)
{
	static const char *const keys[] = { "id", "ref", "kind", "text",
	    "text_kind", "groups", "severity", "severity_when", "match",
	    "cases", "examples", "note", NULL };
	static const char *const swkeys[] = { "when", "severity", NULL };
	struct wz_rules_priv *p = c->rs->priv;
	const struct wz_ynode *idn, *k, *m, *cs, *ex;
	struct wz_article *a, *old;
	struct wz_doc *d;
	size_t i;
	char *s;

	if (!is_map(c, n, "an article"))
		return;
	check_keys(c, n, "an article", keys);
	if ((s = get_str(c, n, "id", REQ, "an article")) == NULL)
		return;
	idn = wz_ymap_get(n, "id");
	if ((d = article_doc(c, idn, s)) == NULL) {
		free(s);
		return;
	}
	if ((old = smap_get(&p->arts, s)) != NULL) {
		err(c, idn, "duplicate article id '%s' (first at %s:%lu)", s,
		    old->file, old->line);
		free(s);
		return;
	}
	a = wz_calloc(1, sizeof(*a));
	a->id = s;
	a->doc = d;
	a->file = c->file;
	a->line = n->line;
	c->art = a;
	c->nlcase = 0;
	a->ref = get_str(c, n, "ref", OPT, "an article");
	a->text = get_str(c, n, "text", REQ, "an article");
	a->note = get_str(c, n, "note", OPT, "an article");
	if ((s = get_str(c, n, "kind", REQ, "an article")) != NULL) {
		if (wz_kind_parse(s, &a->kind) == -1)
			err(c, wz_ymap_get(n, "kind"), "kind '%s' is not one of "
			    "conduct, duty, tier, authority, measure, procedure, "
			    "principle, scope", s);
		free(s);
	}
	if ((s = get_str(c, n, "text_kind", OPT, "an article")) != NULL) {
		if (strcmp(s, "summary") == 0)
			a->text_summary = 1;
		else if (strcmp(s, "verbatim") != 0)
			err(c, wz_ymap_get(n, "text_kind"), "text_kind must be "
			    "verbatim or summary");
		free(s);
	}
	get_strv(c, n, "groups", OPT, "an article", &a->groups);
	add_refs(c, R_GROUP, n, "groups", &a->groups, d);
	parse_severity(c, n, &a->severity);
	if ((k = wz_ymap_get(n, "severity_when")) != NULL && is_seq(c, k,
	    "severity_when")) {
		a->sevwhen = wz_calloc(k->n ? k->n : 1, sizeof(*a->sevwhen));
		for (i = 0; i < k->n; i++) {
			struct wz_sevwhen *sw = &a->sevwhen[a->nsevwhen];

			if (!is_map(c, k->kids[i], "a severity_when entry"))
				continue;
			check_keys(c, k->kids[i], "a severity_when entry",
			    swkeys);
			if (parse_severity(c, k->kids[i], &sw->severity) == 0)
				err(c, k->kids[i], "severity_when entry has no "
				    "'severity'");
			if ((m = wz_ymap_get(k->kids[i], "when")) == NULL) {
				err(c, k->kids[i], "severity_when entry has no "
				    "'when'");
				continue;
			}
			if ((sw->when = parse_cond(c, m, d, 0)) != NULL)
				a->nsevwhen++;
		}
	}
	m = wz_ymap_get(n, "match");
	cs = wz_ymap_get(n, "cases");
	if (m != NULL && cs != NULL)
		err(c, cs, "an article has 'match' or 'cases', not both");
	else if ((m != NULL || cs != NULL) && a->kind != WZ_K_CONDUCT &&
	    a->kind != WZ_K_DUTY && a->kind != WZ_K_MEASURE)
		err(c, m != NULL ? m : cs, "only conduct, duty and measure "
		    "articles match (this one is '%s')", wz_kind_code(a->kind));
	else if (m != NULL) {
		a->cases = wz_calloc(1, sizeof(*a->cases));
		a->cases[0].line = m->line;
		if ((a->cases[0].match = parse_cond(c, m, d, 0)) != NULL)
			a->ncases = 1;
	} else if (cs != NULL)
		parse_cases(c, cs, a);
	if ((ex = wz_ymap_get(n, "examples")) != NULL) {
		if (m == NULL && cs == NULL)
			err(c, ex, "examples on an article without 'match' or "
			    "'cases'");
		else
			examples(c, ex, &a->pos, &a->npos, &a->neg, &a->nneg);
	}
	for (i = 0; i < a->npos; i++)
		if (a->pos[i].expect_case != NULL && !has_case(a,
		    a->pos[i].expect_case))
			err(c, ex, "positive example at line %lu expects case "
			    "'%s', which %s does not have", a->pos[i].line,
			    a->pos[i].expect_case, a->id);
	for (i = 0; i < c->nlcase; i++)
		if (!has_case(a, c->lcase[i]->s))
			err(c, c->lcase[i], "ledger_case '%s' is not a case of "
			    "%s", c->lcase[i]->s, a->id);
	/* Kept even when wrong, so what cites it is not reported too. */
	c->art = NULL;
	smap_put(&p->arts, a->id, a);
	d->arts = wz_reallocarray(d->arts, d->narts + 1, sizeof(*d->arts));
	d->arts[d->narts++] = a;
	c->rs->arts = wz_reallocarray(c->rs->arts, c->rs->narts + 1,
	    sizeof(*c->rs->arts));
	c->rs->arts[c->rs->narts++] = a;
}

static void
parse_articles(struct ctx *c, const struct wz_ynode *n)
{
	size_t i, j;

	if (!is_seq(c, n, "'articles'"))
		return;
	for (i = 0; i < n->n; i++) {
		for (j = 0; j < c->ndocs; j++)
			if (c->docs[j]->narts >= c->rs->max_rules) {
				err(c, n->kids[i], "document '%s' has more than "
				    "%zu articles (the limit)", c->docs[j]->id,
				    c->rs->max_rules);
				return;
			}
		if (c->rs->narts >= c->rs->max_rules) {
			err(c, n->kids[i], "more than %zu articles in all (the "
			    "limit)", c->rs->max_rules);
			return;
		}
		parse_article(c, n->kids[i]);
	}
}

/* Tiers, authorities, handled_by. */

static void
parse_tiers(struct ctx *c, const struct wz_ynode *n, struct wz_doc *d)
{
	static const char *const keys[] = { "cite", "direct", "main_leader",
	    "important_leader", "note", NULL };
	struct wz_tiers *t;

	if (!is_map(c, n, "tiers"))
		return;
	check_keys(c, n, "tiers", keys);
	t = d->tiers = wz_calloc(1, sizeof(*t));
	t->cite = get_str(c, n, "cite", OPT, "tiers");
	if (t->cite != NULL)
		add_ref(c, R_ARTICLE, t->cite, wz_ymap_get(n, "cite"), d, 0);
	get_strv(c, n, "direct", OPT, "tiers", &t->direct);
	get_strv(c, n, "main_leader", OPT, "tiers", &t->main_leader);
	get_strv(c, n, "important_leader", OPT, "tiers",
	    &t->important_leader);
	add_refs(c, R_POST, n, "direct", &t->direct, d);
	add_refs(c, R_POST, n, "main_leader", &t->main_leader, d);
	add_refs(c, R_POST, n, "important_leader", &t->important_leader, d);
}

static void
parse_authorities(struct ctx *c, const struct wz_ynode *n, struct wz_doc *d)
{
	static const char *const keys[] = { "cite", "posts", "proposer",
	    "decider", "rank", "escalate", "note", NULL };
	static const char *const ekeys[] = { "decider", NULL };
	const struct wz_ynode *it, *e;
	struct wz_authority *au;
	size_t i;

	if (!is_seq(c, n, "'authorities'"))
		return;
	d->auth = wz_calloc(n->n ? n->n : 1, sizeof(*d->auth));
	for (i = 0; i < n->n; i++) {
		it = n->kids[i];
		if (!is_map(c, it, "an authority"))
			continue;
		check_keys(c, it, "an authority", keys);
		au = &d->auth[d->nauth++];
		au->cite = get_str(c, it, "cite", OPT, "an authority");
		if (au->cite != NULL)
			add_ref(c, R_ARTICLE, au->cite, wz_ymap_get(it, "cite"),
			    d, 0);
		get_strv(c, it, "posts", REQ, "an authority", &au->posts);
		add_refs(c, R_POST, it, "posts", &au->posts, d);
		/* [] where the text names no proposing body. */
		get_strv(c, it, "proposer", ONE_OK, "an authority",
		    &au->proposer);
		get_strv(c, it, "decider", REQ | ONE_OK, "an authority",
		    &au->decider);
		au->rank = get_str(c, it, "rank", OPT, "an authority");
		if (au->rank != NULL && !wz_rank_valid(au->rank))
			err(c, wz_ymap_get(it, "rank"), "unknown rank '%s'",
			    au->rank);
		au->note = get_str(c, it, "note", OPT, "an authority");
		if ((e = wz_ymap_get(it, "escalate")) != NULL && is_map(c, e,
		    "escalate")) {
			check_keys(c, e, "escalate", ekeys);
			get_strv(c, e, "decider", REQ | ONE_OK, "escalate",
			    &au->escalate_decider);
		}
	}
}

static void
parse_handled(struct ctx *c, const struct wz_ynode *n, struct wz_doc *d)
{
	static const char *const keys[] = { "cite", "org", "discipline",
	    "note", NULL };
	struct wz_handled *h;

	if (!is_map(c, n, "handled_by"))
		return;
	check_keys(c, n, "handled_by", keys);
	h = d->handled = wz_calloc(1, sizeof(*h));
	h->cite = get_str(c, n, "cite", OPT, "handled_by");
	if (h->cite != NULL)
		add_ref(c, R_ARTICLE, h->cite, wz_ymap_get(n, "cite"), d, 0);
	h->org = get_str(c, n, "org", REQ, "handled_by");
	h->discipline = get_str(c, n, "discipline", REQ, "handled_by");
}

/* Penalties. */

/* Codes of list n known?  A choice (alt) should be mildest first. */
static void
check_measures(struct ctx *c, const struct wz_ynode *n,
    const struct wz_strv *v, int alt)
{
	const struct wz_measure *me, *prev = NULL;
	size_t i;

	for (i = 0; i < v->n; i++) {
		if ((me = wz_measure_find(v->v[i])) == NULL) {
			err(c, item_of(n, i, n), "unknown measure '%s'",
			    v->v[i]);
			continue;
		}
		if (alt && prev != NULL && strcmp(prev->family,
		    me->family) == 0 && prev->order > me->order)
			warn(c, item_of(n, i, n), "alternatives are "
			    "mildest first: '%s' is milder than '%s'",
			    me->code, prev->code);
		prev = me;
	}
}

static void
penalty_free(struct wz_penalty *pe)
{
	size_t i;

	free(pe->id);
	strv_free(&pe->basis);
	strv_free(&pe->for_articles);
	strv_free(&pe->for_cases);
	strv_free(&pe->to.posts);
	strv_free(&pe->to.not_posts);
	strv_free(&pe->to.tiers);
	strv_free(&pe->to.ranks);
	free(pe->to.level);
	wz_cond_free(pe->when);
	free(pe->repeat_same);
	strv_free(&pe->measures);
	for (i = 0; i < pe->nalts; i++)
		strv_free(&pe->alts[i]);
	free(pe->alts);
	free(pe->rectify_param);
	strv_free(&pe->replaces);
	free(pe->note);
}

static void
parse_selector(struct ctx *c, const struct wz_ynode *n, struct wz_doc *d,
    struct wz_selector *s)
{
	static const char *const keys[] = { "posts", "not_posts", "tier",
	    "rank", "unit", "level", NULL };
	size_t i;

	if (!is_map(c, n, "'to'"))
		return;
	check_keys(c, n, "'to'", keys);
	get_strv(c, n, "posts", OPT, "'to'", &s->posts);
	get_strv(c, n, "not_posts", OPT, "'to'", &s->not_posts);
	add_refs(c, R_POST, n, "posts", &s->posts, d);
	add_refs(c, R_POST, n, "not_posts", &s->not_posts, d);
	get_strv(c, n, "tier", ONE_OK, "'to'", &s->tiers);
	for (i = 0; i < s->tiers.n; i++)
		if (wz_tier_zh(s->tiers.v[i]) == NULL)
			err(c, item_node(n, "tier", i), "unknown tier '%s' "
			    "(direct, main_leader, important_leader or "
			    "collective)", s->tiers.v[i]);
	get_strv(c, n, "rank", ONE_OK, "'to'", &s->ranks);
	for (i = 0; i < s->ranks.n; i++)
		if (!wz_rank_valid(s->ranks.v[i]))
			err(c, item_node(n, "rank", i), "unknown rank '%s'",
			    s->ranks.v[i]);
	get_bool(c, n, "unit", &s->unit);
	s->level = get_str(c, n, "level", OPT, "'to'");
	if (s->level != NULL && !wz_level_valid(s->level))
		err(c, wz_ymap_get(n, "level"), "unknown level '%s'", s->level);
	else if (s->level != NULL && !s->unit)
		err(c, wz_ymap_get(n, "level"), "'level' goes with "
		    "'unit: true'");
}

static void
parse_penalty(struct ctx *c, const struct wz_ynode *n, struct wz_doc *d)
{
	static const char *const keys[] = { "id", "basis", "for", "to", "when",
	    "repeat", "measures", "alternatives", "judgement", "no_promotion",
	    "rectify", "replaces", "note", NULL };
	static const char *const forkeys[] = { "article", "case", NULL };
	static const char *const repkeys[] = { "min", "same", NULL };
	static const char *const npkeys[] = { "months", NULL };
	static const char *const rkeys[] = { "days", NULL };
	const struct wz_ynode *k, *idn;
	struct wz_penalty *pe;
	size_t i;
	long v;
	char *id;

	if (!is_map(c, n, "a penalty"))
		return;
	check_keys(c, n, "a penalty", keys);
	if ((id = get_ident(c, n, "id", REQ, "a penalty")) == NULL)
		return;
	idn = wz_ymap_get(n, "id");
	for (i = 0; i < d->npens; i++)
		if (strcmp(d->pens[i].id, id) == 0) {
			err(c, idn, "duplicate penalty id '%s' (first at line "
			    "%lu)", id, d->pens[i].line);
			free(id);
			return;
		}
	d->pens = wz_reallocarray(d->pens, d->npens + 1, sizeof(*d->pens));
	pe = &d->pens[d->npens];
	memset(pe, 0, sizeof(*pe));
	pe->id = id;
	pe->doc = d;
	pe->file = c->file;
	pe->line = n->line;
	get_strv(c, n, "basis", REQ, "a penalty", &pe->basis);
	add_refs(c, R_ARTICLE, n, "basis", &pe->basis, d);
	if ((k = wz_ymap_get(n, "for")) == NULL)
		err(c, n, "penalty '%s' has no 'for'", id);
	else if (is_map(c, k, "'for'")) {
		check_keys(c, k, "'for'", forkeys);
		get_strv(c, k, "article", REQ | ONE_OK, "'for'",
		    &pe->for_articles);
		add_refs(c, R_ARTICLE, k, "article", &pe->for_articles, d);
		get_strv(c, k, "case", ONE_OK, "'for'", &pe->for_cases);
		for (i = 0; i < pe->for_cases.n; i++)
			add_ref(c, R_CASE, pe->for_cases.v[i],
			    item_node(k, "case", i), d, d->npens);
	}
	if ((k = wz_ymap_get(n, "to")) != NULL)
		parse_selector(c, k, d, &pe->to);
	if ((k = wz_ymap_get(n, "when")) != NULL)
		pe->when = parse_cond(c, k, d, 0);
	if ((k = wz_ymap_get(n, "repeat")) != NULL && is_map(c, k, "repeat")) {
		check_keys(c, k, "repeat", repkeys);
		v = 2;
		get_int(c, k, "min", 2, 100, &v);
		pe->repeat_min = (int)v;
		pe->repeat_same = get_str(c, k, "same", REQ, "repeat");
		if (pe->repeat_same != NULL && strcmp(pe->repeat_same,
		    "person") != 0 && strcmp(pe->repeat_same, "unit") != 0)
			err(c, wz_ymap_get(k, "same"), "repeat: 'same' is "
			    "person or unit");
	}
	get_strv(c, n, "measures", OPT, "a penalty", &pe->measures);
	check_measures(c, wz_ymap_get(n, "measures"), &pe->measures, 0);
	if ((k = wz_ymap_get(n, "alternatives")) != NULL && is_seq(c, k,
	    "alternatives")) {
		pe->alts = wz_calloc(k->n ? k->n : 1, sizeof(*pe->alts));
		for (i = 0; i < k->n; i++) {
			struct wz_strv *alt = &pe->alts[pe->nalts++];

			if (strv_of(c, k, k->kids[i], "alternatives", REQ,
			    "an alternatives entry", alt) <= 0)
				continue;
			check_measures(c, k->kids[i], alt, 1);
			if (alt->n < 2)
				warn(c, k->kids[i], "an alternatives entry with "
				    "one measure is not a choice");
		}
	}
	get_bool(c, n, "judgement", &pe->judgement);
	if ((k = wz_ymap_get(n, "no_promotion")) != NULL && is_map(c, k,
	    "no_promotion")) {
		check_keys(c, k, "no_promotion", npkeys);
		if (get_int(c, k, "months", 1, 1200, &v) == 1)
			pe->no_promotion_months = (int)v;
		else if (wz_ymap_get(k, "months") == NULL)
			err(c, k, "no_promotion has no 'months'");
	}
	if ((k = wz_ymap_get(n, "rectify")) != NULL && is_map(c, k,
	    "rectify")) {
		const struct wz_ynode *dn = wz_ymap_get(k, "days");

		check_keys(c, k, "rectify", rkeys);
		if (dn == NULL)
			err(c, k, "rectify has no 'days'");
		else if (parse_num(dn, &pe->rectify_days) == 0) {
			if (pe->rectify_days <= 0)
				err(c, dn, "rectify: days must be positive");
			pe->has_rectify = 1;
		} else if (dn->type == WZ_Y_SCALAR && ident_ok(dn->s)) {
			pe->rectify_param = wz_strdup(dn->s);
			add_ref(c, R_PARAM, dn->s, dn, d, 0);
			pe->has_rectify = 1;
		} else
			err(c, dn, "rectify: days must be a number or a "
			    "parameter name");
	}
	get_strv(c, n, "replaces", OPT, "a penalty", &pe->replaces);
	for (i = 0; i < pe->replaces.n; i++)
		add_ref(c, R_PENALTY, pe->replaces.v[i], item_node(n,
		    "replaces", i), d, 0);
	pe->note = get_str(c, n, "note", OPT, "a penalty");
	if (pe->measures.n == 0 && pe->nalts == 0 &&
	    pe->no_promotion_months == 0 && !pe->has_rectify &&
	    !pe->judgement)
		err(c, n, "penalty '%s' grants nothing (no measures, "
		    "alternatives, no_promotion, rectify or judgement)", id);
	d->npens++;
}

static void
parse_penalties(struct ctx *c, const struct wz_ynode *n, struct wz_doc *d)
{
	size_t i;

	if (!is_seq(c, n, "'penalties'"))
		return;
	for (i = 0; i < n->n; i++)
		parse_penalty(c, n->kids[i], d);
}

/* Exclusions and effects. */

static void
excl_free(struct wz_exclusion *e)
{
	size_t i;

	free(e->id);
	free(e->label);
	wz_cond_free(e->match);
	for (i = 0; i < e->npos; i++)
		example_free(&e->pos[i]);
	free(e->pos);
	for (i = 0; i < e->nneg; i++)
		example_free(&e->neg[i]);
	free(e->neg);
}

static void
parse_exclude(struct ctx *c, const struct wz_ynode *n, struct wz_doc *d)
{
	static const char *const keys[] = { "id", "label", "match",
	    "examples", "note", NULL };
	struct wz_ruleset *rs = c->rs;
	const struct wz_ynode *it, *m;
	struct wz_exclusion *e;
	size_t i, j;
	char *id;

	if (!is_seq(c, n, "'exclude'"))
		return;
	for (i = 0; i < n->n; i++) {
		it = n->kids[i];
		if (!is_map(c, it, "an exclusion"))
			continue;
		check_keys(c, it, "an exclusion", keys);
		if ((id = get_ident(c, it, "id", REQ, "an exclusion")) == NULL)
			continue;
		for (j = 0; j < rs->nexcl; j++)
			if (rs->excl[j].doc == d && strcmp(rs->excl[j].id,
			    id) == 0)
				break;
		if (j < rs->nexcl) {
			err(c, wz_ymap_get(it, "id"), "duplicate exclusion id "
			    "'%s' (first at %s:%lu)", id, rs->excl[j].file,
			    rs->excl[j].line);
			free(id);
			continue;
		}
		rs->excl = wz_reallocarray(rs->excl, rs->nexcl + 1,
		    sizeof(*rs->excl));
		e = &rs->excl[rs->nexcl++];
		memset(e, 0, sizeof(*e));
		e->id = id;
		e->doc = d;
		e->file = c->file;
		e->line = it->line;
		e->label = get_str(c, it, "label", REQ, "an exclusion");
		if ((m = wz_ymap_get(it, "match")) == NULL)
			err(c, it, "exclusion '%s' has no 'match'", id);
		else
			e->match = parse_cond(c, m, d, 0);
		if ((m = wz_ymap_get(it, "examples")) != NULL)
			examples(c, m, &e->pos, &e->npos, &e->neg, &e->nneg);
	}
}

static void
parse_effects(struct ctx *c, const struct wz_ynode *n)
{
	static const char *const keys[] = { "measure", "period",
	    "no_promotion", "pay_frozen", "cite", "note", NULL };
	static const char *const mkeys[] = { "months", NULL };
	struct wz_ruleset *rs = c->rs;
	const struct wz_ynode *it, *k;
	struct wz_effect *ef;
	size_t i, j;
	long v;
	char *me;

	if (!is_seq(c, n, "'effects'"))
		return;
	for (i = 0; i < n->n; i++) {
		it = n->kids[i];
		if (!is_map(c, it, "an effect"))
			continue;
		check_keys(c, it, "an effect", keys);
		if ((me = get_str(c, it, "measure", REQ, "an effect")) == NULL)
			continue;
		if (wz_measure_find(me) == NULL) {
			err(c, wz_ymap_get(it, "measure"), "unknown measure "
			    "'%s'", me);
			free(me);
			continue;
		}
		for (j = 0; j < rs->neffects; j++)
			if (strcmp(rs->effects[j].measure, me) == 0)
				break;
		if (j < rs->neffects) {
			err(c, wz_ymap_get(it, "measure"), "a second effect for "
			    "measure '%s'", me);
			free(me);
			continue;
		}
		rs->effects = wz_reallocarray(rs->effects, rs->neffects + 1,
		    sizeof(*rs->effects));
		ef = &rs->effects[rs->neffects++];
		memset(ef, 0, sizeof(*ef));
		ef->measure = me;
		ef->cite = get_str(c, it, "cite", OPT, "an effect");
		if (ef->cite != NULL)
			add_ref(c, R_ARTICLE, ef->cite, wz_ymap_get(it, "cite"),
			    NULL, 0);
		if ((k = wz_ymap_get(it, "period")) != NULL && is_map(c, k,
		    "period")) {
			check_keys(c, k, "period", mkeys);
			if (get_int(c, k, "months", 1, 1200, &v) == 1)
				ef->period_months = (int)v;
		}
		if ((k = wz_ymap_get(it, "no_promotion")) != NULL && is_map(c,
		    k, "no_promotion")) {
			check_keys(c, k, "no_promotion", mkeys);
			if (get_int(c, k, "months", 1, 1200, &v) == 1)
				ef->no_promotion_months = (int)v;
		}
		get_bool(c, it, "pay_frozen", &ef->pay_frozen);
	}
}

/* posts.yaml and headers.yaml. */

static void
post_free(struct wz_post *p)
{
	size_t i;

	free(p->code);
	free(p->label);
	free(p->rank);
	free(p->level);
	free(p->note);
	strv_free(&p->is_a);
	strv_free(&p->ancestors);
	strv_free(&p->title_src);
	for (i = 0; i < p->ntitles; i++)
		wz_rx_free(p->titles[i]);
	free(p->titles);
}

static void
parse_posts(struct ctx *c, const struct wz_ynode *n)
{
	static const char *const keys[] = { "code", "label", "rank", "level",
	    "is_a", "single", "titles", "note", NULL };
	struct wz_ruleset *rs = c->rs;
	struct wz_rules_priv *p = rs->priv;
	const struct wz_ynode *it;
	struct wz_post *po;
	const struct wz_post *old;
	size_t i, j;
	char *code;

	if (!is_seq(c, n, "'posts'"))
		return;
	for (i = 0; i < n->n; i++) {
		it = n->kids[i];
		if (!is_map(c, it, "a post"))
			continue;
		check_keys(c, it, "a post", keys);
		if ((code = get_ident(c, it, "code", REQ, "a post")) == NULL)
			continue;
		if ((old = wz_rules_post(rs, code)) != NULL) {
			err(c, wz_ymap_get(it, "code"), "duplicate post code "
			    "'%s' (first at %s:%lu)", code, old->file,
			    old->line);
			free(code);
			continue;
		}
		rs->posts = wz_reallocarray(rs->posts, rs->nposts + 1,
		    sizeof(*rs->posts));
		po = &rs->posts[rs->nposts++];
		memset(po, 0, sizeof(*po));
		po->code = code;
		po->file = c->file;
		po->line = it->line;
		po->col = it->col;
		po->label = get_str(c, it, "label", REQ, "a post");
		po->rank = get_str(c, it, "rank", OPT, "a post");
		if (po->rank != NULL && !wz_rank_valid(po->rank))
			err(c, wz_ymap_get(it, "rank"), "unknown rank '%s' "
			    "(县处级, 乡科级, 村干部, 一般干部, 省部级, 厅局级)",
			    po->rank);
		po->level = get_str(c, it, "level", REQ, "a post");
		if (po->level != NULL && !wz_level_valid(po->level))
			err(c, wz_ymap_get(it, "level"), "unknown level '%s'",
			    po->level);
		po->note = get_str(c, it, "note", OPT, "a post");
		get_strv(c, it, "is_a", OPT, "a post", &po->is_a);
		add_refs(c, R_POST, it, "is_a", &po->is_a, NULL);
		get_bool(c, it, "single", &po->single);
		if (wz_ymap_get(it, "titles") == NULL)
			err(c, it, "post '%s' has no 'titles' (write "
			    "'titles: []' for an abstract post)", code);
		get_strv(c, it, "titles", OPT, "a post", &po->title_src);
		po->titles = wz_calloc(po->title_src.n ? po->title_src.n : 1,
		    sizeof(*po->titles));
		for (j = 0; j < po->title_src.n; j++) {
			struct wz_rx *rx = compile(c, item_node(it, "titles",
			    j), po->title_src.v[j], WZ_RX_ANCHORED |
			    WZ_RX_CASELESS);

			if (rx != NULL)
				po->titles[po->ntitles++] = rx;
		}
		/* The table moves as it grows: index by position. */
		smap_put(&p->posts, po->code, (void *)(uintptr_t)rs->nposts);
	}
}

static void
parse_fields(struct ctx *c, const struct wz_ynode *n)
{
	struct wz_ruleset *rs = c->rs;
	struct wz_rules_priv *p = rs->priv;
	const struct wz_ynode *k, *v, *h;
	uintptr_t old;
	size_t i, j;
	char *norm;

	if (!is_map(c, n, "'fields'"))
		return;
	for (i = 0; i < n->n; i++) {
		k = n->kids[2 * i];
		v = n->kids[2 * i + 1];
		if (!wz_field_valid(k->s)) {
			err(c, k, "unknown field '%s' (the canonical fields "
			    "are in rules/FORMAT.md)", k->s);
			continue;
		}
		if (!is_seq(c, v, "a field's headers"))
			continue;
		for (j = 0; j < v->n; j++) {
			h = v->kids[j];
			if (h->type != WZ_Y_SCALAR || h->len == 0 ||
			    wz_ynull(h)) {
				err(c, h, "a header must be a string, not %s",
				    wz_ytype_name(h));
				continue;
			}
			norm = wz_header_norm(h->s, h->len);
			if ((old = (uintptr_t)smap_get(&p->aliases, norm)) !=
			    0) {
				err(c, h, "header '%s' is already an alias of "
				    "'%s'", h->s, rs->aliases[old - 1].field);
				free(norm);
				continue;
			}
			rs->aliases = wz_reallocarray(rs->aliases,
			    rs->naliases + 1, sizeof(*rs->aliases));
			rs->aliases[rs->naliases].field = wz_strdup(k->s);
			rs->aliases[rs->naliases].header = norm;
			rs->naliases++;
			/* The table moves as it grows: index by position. */
			smap_put(&p->aliases, norm,
			    (void *)(uintptr_t)rs->naliases);
		}
	}
}

/* One file. */

static const char *const top_keys[] = { "document", "documents", "params",
    "groups", "articles", "tiers", "authorities", "handled_by", "penalties",
    "exclude", "effects", "posts", "fields", NULL };
static const char *const doc_keys[] = { "params", "groups", "articles",
    "tiers", "authorities", "handled_by", "penalties", NULL };

static void
load_tree(struct ctx *c, const struct wz_ynode *root)
{
	const struct wz_ynode *k, *docn, *docsn;
	struct wz_doc *d = NULL;
	size_t i;

	if (!is_map(c, root, "a rule file"))
		return;
	check_keys(c, root, "a rule file", top_keys);
	docn = wz_ymap_get(root, "document");
	docsn = wz_ymap_get(root, "documents");
	if (docn != NULL && docsn != NULL) {
		err(c, docsn, "a file has 'document' or 'documents', not both");
		return;
	}
	if (docn != NULL)
		d = parse_document(c, docn);
	else if (docsn != NULL && is_seq(c, docsn, "'documents'")) {
		for (i = 0; i < docsn->n; i++)
			parse_document(c, docsn->kids[i]);
		if (docsn->n == 0)
			err(c, docsn, "'documents' is empty");
		d = doc_of_file(c);
	}
	for (i = 0; doc_keys[i] != NULL; i++) {
		if ((k = wz_ymap_get(root, doc_keys[i])) == NULL)
			continue;
		if (docn == NULL && docsn == NULL) {
			err(c, root->kids[0], "'%s' needs a 'document' (or "
			    "'documents') section in the same file",
			    doc_keys[i]);
			return;
		}
	}
	if (d == NULL && (docn != NULL || docsn != NULL))
		return;		/* the document itself was wrong */
	if ((k = wz_ymap_get(root, "params")) != NULL)
		parse_params(c, k, d);
	if ((k = wz_ymap_get(root, "groups")) != NULL)
		parse_groups(c, k, d);
	if ((k = wz_ymap_get(root, "articles")) != NULL)
		parse_articles(c, k);
	if ((k = wz_ymap_get(root, "tiers")) != NULL)
		parse_tiers(c, k, d);
	if ((k = wz_ymap_get(root, "authorities")) != NULL)
		parse_authorities(c, k, d);
	if ((k = wz_ymap_get(root, "handled_by")) != NULL)
		parse_handled(c, k, d);
	if ((k = wz_ymap_get(root, "penalties")) != NULL)
		parse_penalties(c, k, d);
	if ((k = wz_ymap_get(root, "exclude")) != NULL)
		parse_exclude(c, k, d);
	if ((k = wz_ymap_get(root, "effects")) != NULL)
		parse_effects(c, k);
	if ((k = wz_ymap_get(root, "posts")) != NULL)
		parse_posts(c, k);
	if ((k = wz_ymap_get(root, "fields")) != NULL)
		parse_fields(c, k);
}

static const char *
add_file(struct wz_ruleset *rs, const char *path)
{
	rs->files = wz_reallocarray(rs->files, rs->nfiles + 1,
	    sizeof(*rs->files));
	rs->files[rs->nfiles] = wz_strdup(path);
	return rs->files[rs->nfiles++];
}

static int
load_file(struct wz_ruleset *rs, const char *path, const struct stat *st)
{
	struct wz_rules_priv *p = rs->priv;
	struct wz_ynode *root;
	struct ctx c;
	size_t i;
	int nerr;

	for (i = 0; i < p->nseen; i++)
		if (p->seen[i].dev == st->st_dev && p->seen[i].ino == st->st_ino)
			return 0;	/* named twice: read once */
	p->seen = wz_reallocarray(p->seen, p->nseen + 1, sizeof(*p->seen));
	p->seen[p->nseen].dev = st->st_dev;
	p->seen[p->nseen++].ino = st->st_ino;
	memset(&c, 0, sizeof(c));
	c.rs = rs;
	c.file = add_file(rs, path);
	root = wz_yaml_load(path, &nerr);
	if (root == NULL && nerr > 0) {
		p->nunread++;
		return nerr;
	}
	if (root == NULL) {
		wz_yerr(c.file, 1, 1, "empty file: no rules in it");
		p->nunread++;
		return 1;
	}
	load_tree(&c, root);
	wz_yaml_free(root);
	free(c.docs);
	free(c.lcase);
	return c.nerr + nerr;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
wz_rules_load(struct wz_ruleset *rs, const char *path)
{
	struct stat st;
	struct dirent *de;
	char **names = NULL, *full;
	size_t n = 0, i, len;
	DIR *dir;
	int nerr = 0;

	if (stat(path, &st) == -1) {
		wz_yerr(path, 0, 0, "%s", strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return load_file(rs, path, &st);
	if ((dir = opendir(path)) == NULL) {
		wz_yerr(path, 0, 0, "%s", strerror(errno));
		return 1;
	}
	while ((de = readdir(dir)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 6 ||
		    strcmp(de->d_name + len - 5, ".yaml") != 0)
			continue;
		names = wz_reallocarray(names, n + 1, sizeof(*names));
		names[n++] = wz_strdup(de->d_name);
	}
	closedir(dir);
	if (n == 0) {
		wz_yerr(path, 0, 0, "no rule files (*.yaml) in this folder");
		return 1;
	}
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		len = strlen(path);
		full = wz_aprintf("%s%s%s", path, len > 0 && path[len - 1] ==
		    '/' ? "" : "/", names[i]);
		if (stat(full, &st) == -1) {
			wz_yerr(full, 0, 0, "%s", strerror(errno));
			nerr++;
		} else if (S_ISREG(st.st_mode))
			nerr += load_file(rs, full, &st);
		free(full);
		free(names[i]);
	}
	free(names);
	return nerr;
}

/* Finishing: references, the is_a closure. */

static const struct wz_group *
find_group(const struct wz_ruleset *rs, const struct wz_doc *d,
    const char *id)
{
	size_t i, j;

	for (j = 0; d != NULL && j < d->ngroups; j++)
		if (strcmp(d->groups[j].id, id) == 0)
			return &d->groups[j];
	/* A file of several documents (national.yaml) shares its groups. */
	for (i = 0; d != NULL && i < rs->ndocs; i++)
		if (rs->docs[i] != d && rs->docs[i]->file == d->file)
			for (j = 0; j < rs->docs[i]->ngroups; j++)
				if (strcmp(rs->docs[i]->groups[j].id, id) == 0)
					return &rs->docs[i]->groups[j];
	return NULL;
}

static const struct wz_param *
find_param(const struct wz_ruleset *rs, const struct wz_doc *d,
    const char *name)
{
	size_t i, j;

	for (j = 0; d != NULL && j < d->nparams; j++)
		if (strcmp(d->params[j].name, name) == 0)
			return &d->params[j];
	for (i = 0; i < rs->ndocs; i++)
		for (j = 0; j < rs->docs[i]->nparams; j++)
			if (strcmp(rs->docs[i]->params[j].name, name) == 0)
				return &rs->docs[i]->params[j];
	return NULL;
}

static void
ref_err(const struct ref *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
ref_err(const struct ref *r, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		wz_die(EX_OSERR, NULL, 0, "out of memory");
	va_end(ap);
	wz_yerr(r->file, r->line, r->col, "%s", msg);
	free(msg);
}

static int
resolve(struct wz_ruleset *rs, const struct ref *r)
{
	struct wz_rules_priv *p = rs->priv;
	const struct wz_article *a;
	const struct wz_penalty *pe;
	size_t i;

	switch (r->kind) {
	case R_POST:
		if (smap_get(&p->posts, r->name) != NULL)
			return 0;
		ref_err(r, rs->nposts == 0 ? "unknown post '%s' (no posts "
		    "file is loaded: add rules/posts.yaml)" : "unknown post "
		    "'%s'", r->name);
		return 1;
	case R_GROUP:
		if (find_group(rs, r->doc, r->name) != NULL)
			return 0;
		{
			struct wz_buf b = {0};

			for (i = 0; i < r->doc->ngroups; i++)
				wz_buf_printf(&b, "%s%s", i ? ", " : "",
				    r->doc->groups[i].id);
			ref_err(r, "unknown group '%s' (%s has %s)", r->name,
			    r->doc->id, b.len ? wz_buf_cstr(&b) : "none");
			wz_buf_free(&b);
		}
		return 1;
	case R_ARTICLE:
		if (smap_get(&p->arts, r->name) != NULL)
			return 0;
		ref_err(r, "unknown article '%s'", r->name);
		return 1;
	case R_DOC:
		if (smap_get(&p->docs, r->name) != NULL)
			return 0;
		ref_err(r, "unknown document '%s'", r->name);
		return 1;
	case R_PARAM:
		if (find_param(rs, r->doc, r->name) != NULL)
			return 0;
		ref_err(r, "unknown parameter '%s' (no document defines it "
		    "under 'params')", r->name);
		return 1;
	case R_PENALTY:
		for (i = 0; i < r->doc->npens; i++)
			if (strcmp(r->doc->pens[i].id, r->name) == 0)
				return 0;
		ref_err(r, "unknown penalty '%s' in %s", r->name, r->doc->id);
		return 1;
	case R_CASE:
		pe = &r->doc->pens[r->pen];
		for (i = 0; i < pe->for_articles.n; i++)
			if ((a = smap_get(&p->arts, pe->for_articles.v[i])) !=
			    NULL && has_case(a, r->name))
				return 0;
		ref_err(r, "unknown case '%s' (not a case of %s%s)", r->name,
		    pe->for_articles.n > 0 ? pe->for_articles.v[0] : "its "
		    "articles", pe->for_articles.n > 1 ? " ..." : "");
		return 1;
	}
	return 0;
}

/* Fill p's ancestors; state: 0 new, 1 on the path, 2 done. */
static int
closure(struct wz_ruleset *rs, size_t i, unsigned char *state,
    size_t *path, size_t depth)
{
	struct wz_post *p = &rs->posts[i], *q;
	struct wz_buf b = {0};
	size_t j, k, qi;
	int nerr = 0;

	if (state[i] == 2)
		return 0;
	state[i] = 1;
	path[depth] = i;
	for (j = 0; j < p->is_a.n; j++) {
		if ((qi = (uintptr_t)smap_get(&rs->priv->posts,
		    p->is_a.v[j])) == 0)
			continue;	/* reported as an unknown post */
		q = &rs->posts[--qi];
		if (state[qi] == 1) {
			for (k = 0; k <= depth; k++)
				if (path[k] == qi)
					break;
			for (; k <= depth; k++)
				wz_buf_printf(&b, "%s -> ",
				    rs->posts[path[k]].code);
			wz_buf_adds(&b, q->code);
			wz_yerr(p->file, p->line, p->col, "is_a cycle: %s",
			    wz_buf_cstr(&b));
			wz_buf_free(&b);
			nerr++;
			continue;
		}
		nerr += closure(rs, qi, state, path, depth + 1);
		if (!wz_strv_has(&p->ancestors, q->code) && strcmp(q->code,
		    p->code) != 0)
			strv_add(&p->ancestors, q->code);
		for (k = 0; k < q->ancestors.n; k++)
			if (!wz_strv_has(&p->ancestors, q->ancestors.v[k]) &&
			    strcmp(q->ancestors.v[k], p->code) != 0)
				strv_add(&p->ancestors, q->ancestors.v[k]);
	}
	state[i] = 2;
	return nerr;
}

int
wz_rules_finish(struct wz_ruleset *rs)
{
	struct wz_rules_priv *p = rs->priv;
	unsigned char *state;
	size_t i, *path;
	int nerr = 0;

	rx_forget(p);
	/*
	 * What an unreadable file defines is missing, so names pointing
	 * there would each be reported: check them once every file reads.
	 */
	if (p->nunread > 0 && p->nrefs > 0)
		wz_msg(NULL, 0, "references between rules not checked until "
		    "every file can be read");
	for (i = 0; p->nunread == 0 && i < p->nrefs; i++)
		nerr += resolve(rs, &p->refs[i]);
	state = wz_calloc(rs->nposts ? rs->nposts : 1, 1);
	path = wz_calloc(rs->nposts ? rs->nposts : 1, sizeof(*path));
	for (i = 0; i < rs->nposts; i++)
		strv_free(&rs->posts[i].ancestors);
	for (i = 0; i < rs->nposts; i++)
		nerr += closure(rs, i, state, path, 0);
	free(state);
	free(path);
	for (i = 0; i < p->nrefs; i++)
		free(p->refs[i].name);
	free(p->refs);
	p->refs = NULL;
	p->nrefs = p->caprefs = 0;
	return nerr;
}

/* The rest of the interface. */

struct wz_ruleset *
wz_rules_new(void)
{
	struct wz_ruleset *rs = wz_calloc(1, sizeof(*rs));

	rs->max_rules = MAX_RULES_DEFAULT;
	rs->priv = wz_calloc(1, sizeof(*rs->priv));
	return rs;
}

const char *
wz_rules_default_dir(void)
{
	const char *s = getenv("WENZE_RULES");

	return s != NULL && *s != '\0' ? s : WZ_RULESDIR;
}

int
wz_rules_define(struct wz_ruleset *rs, const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	char *name, *end;
	double v;
	size_t i, j, hits = 0;

	if (eq == NULL || eq == assignment) {
		wz_msg(NULL, 0, "-D %s: write NAME=VALUE", assignment);
		return -1;
	}
	name = wz_strndup(assignment, (size_t)(eq - assignment));
	errno = 0;
	v = strtod(eq + 1, &end);
	if (eq[1] == '\0' || *end != '\0' || errno != 0 || !isfinite(v)) {
		wz_msg(NULL, 0, "-D %s: '%s' is not a number", name, eq + 1);
		free(name);
		return -1;
	}
	for (i = 0; i < rs->ndocs; i++)
		for (j = 0; j < rs->docs[i]->nparams; j++)
			if (strcmp(rs->docs[i]->params[j].name, name) == 0) {
				rs->docs[i]->params[j].value = v;
				hits++;
			}
	if (hits == 0) {
		wz_msg(NULL, 0, "-D %s: no rule file has a parameter of that "
		    "name", name);
		free(name);
		return -1;
	}
	free(name);
	return 0;
}

int
wz_rules_param(const struct wz_ruleset *rs, const struct wz_doc *d,
    const char *name, double *out)
{
	const struct wz_param *pm = find_param(rs, d, name);

	if (pm == NULL)
		return -1;
	*out = pm->value;
	return 0;
}

const struct wz_article *
wz_rules_article(const struct wz_ruleset *rs, const char *id)
{
	return smap_get(&rs->priv->arts, id);
}

const struct wz_doc *
wz_rules_doc(const struct wz_ruleset *rs, const char *id)
{
	return smap_get(&rs->priv->docs, id);
}

const struct wz_post *
wz_rules_post(const struct wz_ruleset *rs, const char *code)
{
	uintptr_t i = (uintptr_t)smap_get(&rs->priv->posts, code);

	return i == 0 ? NULL : &rs->posts[i - 1];
}

int
wz_post_is(const struct wz_ruleset *rs, const char *code, const char *anc)
{
	const struct wz_post *p;

	if (strcmp(code, anc) == 0)
		return 1;
	return (p = wz_rules_post(rs, code)) != NULL && wz_post_within(p, anc);
}

int
wz_post_within(const struct wz_post *p, const char *anc)
{
	return strcmp(p->code, anc) == 0 || wz_strv_has(&p->ancestors, anc);
}

/* Is s[i..] a separator of title parts?  Returns its length, or 0. */
static size_t
title_sep(const char *s, size_t i)
{
	if (s[i] == ',' || s[i] == ';' || s[i] == '/' || s[i] == ' ')
		return 1;
	if (strncmp(s + i, "、", 3) == 0)
		return 3;
	return 0;
}

/*
 * Match one part (notes in parentheses taken off) against the posts.
 * A pattern that cannot finish sets *rc (WZ_RX_LIMIT or WZ_RX_ERROR):
 * a later post's match could then be the wrong one (first match wins).
 */
static const struct wz_post *
title_part(const struct wz_ruleset *rs, const char *s, size_t n, int *rc)
{
	struct wz_buf b = {0};
	const struct wz_post *hit = NULL;
	size_t i, j;
	int depth = 0, r;

	for (i = 0; i < n; i++) {
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && depth > 0)
			depth--;
		else if (depth == 0)
			wz_buf_addc(&b, s[i]);
	}
	if (b.len == 0) {
		wz_buf_free(&b);
		return NULL;
	}
	for (i = 0; i < rs->nposts && hit == NULL && *rc == 0; i++)
		for (j = 0; j < rs->posts[i].ntitles; j++) {
			r = wz_rx_match(rs->posts[i].titles[j], b.s, b.len);
			if (r == WZ_RX_MATCH) {
				hit = &rs->posts[i];
				break;
			}
			if (r != WZ_RX_NOMATCH) {
				*rc = r;
				break;
			}
		}
	wz_buf_free(&b);
	return hit;
}

size_t
wz_rules_title_posts(const struct wz_ruleset *rs, const char *title,
    const struct wz_post **out, size_t max, size_t *unmatched, int *rxfail)
{
	const struct wz_post *p;
	char *s = wz_normalize(title, strlen(title));
	size_t i = 0, start = 0, k, nout = 0;
	int depth = 0;

	*unmatched = 0;
	*rxfail = 0;
	for (;;) {
		k = 0;
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && depth > 0)
			depth--;
		else if (s[i] != '\0' && depth == 0)
			k = title_sep(s, i);
		if (s[i] == '\0' || k > 0) {
			if (i > start) {
				p = title_part(rs, s + start, i - start,
				    rxfail);
				if (*rxfail != 0)
					break;
				if (p == NULL) {
					/* A part that is only a note is no post. */
					if (s[start] != '(' || s[i - 1] != ')')
						(*unmatched)++;
				} else if (nout < max)
					out[nout++] = p;
			}
			if (s[i] == '\0')
				break;
			start = i + k;
			i += k;
			continue;
		}
		i++;
	}
	free(s);
	return nout;
}

struct wz_aliases
wz_rules_aliases(const struct wz_ruleset *rs)
{
	struct wz_aliases a;

	a.n = rs->naliases;
	a.v = rs->aliases;
	return a;
}

const struct wz_effect *
wz_rules_effect(const struct wz_ruleset *rs, const char *measure)
{
	size_t i;

	for (i = 0; i < rs->neffects; i++)
		if (strcmp(rs->effects[i].measure, measure) == 0)
			return &rs->effects[i];
	return NULL;
}

static void
doc_free(struct wz_doc *d)
{
	size_t i;

	free(d->id);
	free(d->title);
	free(d->issuer);
	free(d->jurisdiction);
	free(d->source);
	free(d->note);
	free(d->published);
	free(d->effective);
	free(d->effective_until);
	strv_free(&d->implements);
	for (i = 0; i < d->ngroups; i++) {
		free(d->groups[i].id);
		free(d->groups[i].label);
		free(d->groups[i].cite);
		free(d->groups[i].note);
		strv_free(&d->groups[i].posts);
	}
	free(d->groups);
	for (i = 0; i < d->nparams; i++) {
		free(d->params[i].name);
		free(d->params[i].label);
		free(d->params[i].note);
	}
	free(d->params);
	free(d->arts);
	if (d->tiers != NULL) {
		free(d->tiers->cite);
		strv_free(&d->tiers->direct);
		strv_free(&d->tiers->main_leader);
		strv_free(&d->tiers->important_leader);
		free(d->tiers);
	}
	for (i = 0; i < d->nauth; i++) {
		free(d->auth[i].cite);
		free(d->auth[i].rank);
		free(d->auth[i].note);
		strv_free(&d->auth[i].posts);
		strv_free(&d->auth[i].proposer);
		strv_free(&d->auth[i].decider);
		strv_free(&d->auth[i].escalate_decider);
	}
	free(d->auth);
	if (d->handled != NULL) {
		free(d->handled->cite);
		free(d->handled->org);
		free(d->handled->discipline);
		free(d->handled);
	}
	for (i = 0; i < d->npens; i++)
		penalty_free(&d->pens[i]);
	free(d->pens);
	free(d);
}

void
wz_rules_free(struct wz_ruleset *rs)
{
	struct wz_rules_priv *p;
	size_t i;

	if (rs == NULL)
		return;
	p = rs->priv;
	for (i = 0; i < rs->narts; i++)
		article_free(rs->arts[i]);
	free(rs->arts);
	for (i = 0; i < rs->ndocs; i++)
		doc_free(rs->docs[i]);
	free(rs->docs);
	for (i = 0; i < rs->nposts; i++)
		post_free(&rs->posts[i]);
	free(rs->posts);
	for (i = 0; i < rs->naliases; i++) {
		free((char *)rs->aliases[i].field);
		free((char *)rs->aliases[i].header);
	}
	free(rs->aliases);
	for (i = 0; i < rs->nexcl; i++)
		excl_free(&rs->excl[i]);
	free(rs->excl);
	for (i = 0; i < rs->neffects; i++) {
		free(rs->effects[i].measure);
		free(rs->effects[i].cite);
	}
	free(rs->effects);
	for (i = 0; i < rs->nfiles; i++)
		free(rs->files[i]);
	free(rs->files);
	for (i = 0; i < p->nrefs; i++)
		free(p->refs[i].name);
	free(p->refs);
	smap_free(&p->arts);
	smap_free(&p->posts);
	smap_free(&p->docs);
	smap_free(&p->aliases);
	rx_forget(p);
	free(p->seen);
	free(p);
	free(rs);
}

/* Rendering conditions for people. */

static const char *const op_sym[] = { "<", "<=", ">", ">=", "=", "!=" };

void
wz_cond_format(const struct wz_cond *c, struct wz_buf *b)
{
	size_t i;

	switch (c->kind) {
	case WZ_C_TEXT:
		wz_buf_printf(b, "text ~ /%s/", c->pattern);
		break;
	case WZ_C_RE:
		wz_buf_printf(b, "%s ~ /%s/", c->field, c->pattern);
		break;
	case WZ_C_IN:
		wz_buf_printf(b, "%s in [", c->field);
		for (i = 0; i < c->set.n; i++)
			wz_buf_printf(b, "%s%s", i ? ", " : "", c->set.v[i]);
		wz_buf_adds(b, "]");
		break;
	case WZ_C_PRESENT:
		wz_buf_printf(b, "%s %s", c->field, c->present ? "present" :
		    "empty");
		break;
	case WZ_C_CMP:
		if (c->param != NULL)
			wz_buf_printf(b, "%s %s %s", c->value, op_sym[c->op],
			    c->param);
		else
			wz_buf_printf(b, "%s %s %.15g", c->value, op_sym[c->op],
			    c->num);
		break;
	case WZ_C_ALL:
	case WZ_C_ANY:
	case WZ_C_NOT:
		wz_buf_adds(b, c->kind == WZ_C_ALL ? "all(" : c->kind ==
		    WZ_C_ANY ? "any(" : "not(");
		for (i = 0; i < c->nkids; i++) {
			if (i > 0)
				wz_buf_adds(b, ", ");
			wz_cond_format(c->kids[i], b);
		}
		wz_buf_adds(b, ")");
		break;
	case WZ_C_HISTORY:
		wz_buf_adds(b, "history(same");
		for (i = 0; i < c->hist_key.n; i++)
			wz_buf_printf(b, " %s", c->hist_key.v[i]);
		wz_buf_printf(b, ", %d year%s before", c->hist_years,
		    c->hist_years == 1 ? "" : "s");
		if (c->hist_cond != NULL) {
			wz_buf_adds(b, ": ");
			wz_cond_format(c->hist_cond, b);
		}
		if (c->hist_case != NULL)
			wz_buf_printf(b, "; or a ledger case %s",
			    c->hist_case);
		wz_buf_adds(b, ")");
		break;
	}
}
