/*
 * wz_tier.c - the tier engine: who is liable for a violation, at which
 * tier, and which bodies propose and decide (wz_tier.h, wz-tier(1)).
 *
 * The roster is loaded once into roles (one per roster row) hung on a
 * tree of scope paths.  Hashes find a scope path, a unit's last name,
 * a person id, an id number and a name; each violation then walks up
 * from its place through at most a handful of units.  Results that
 * depend only on the rules (the tier of a post, the authorities of a
 * post and rank, an article's penalties) and the places of violations
 * are computed once and cached.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wz_base.h"
#include "wz_csv.h"
#include "wz_date.h"
#include "wz_rules.h"
#include "wz_text.h"
#include "wz_tier.h"

/* The post of Decision 3's special case, and the default tier document. */
#define LGROUP_POST	"county_lgroup"
#define DEFAULT_DOC	"tongwei2017"

enum { T_NONE = 0, T_DIRECT, T_MAIN, T_IMPORTANT, T_COLLECTIVE };
static const char *const tier_code[] = {
	"", "direct", "main_leader", "important_leader", "collective"
};
static const size_t tier_len[] = { 0, 6, 11, 16, 10 };

/* Ranks of DESIGN.md and posts.yaml; 0 is "unknown". */
static const char *const rank_name[] = {
	"", "省部级", "厅局级", "县处级", "乡科级", "村干部", "一般干部"
};
#define NRANK (sizeof(rank_name) / sizeof(rank_name[0]))

/* Kinds of units, from their names and place in the tree. */
enum { K_OTHER = 0, K_COUNTY, K_TOWN, K_DEPT, K_VILLAGE };

/* ------------------------------------------------------------ arena */

struct ablock {
	struct ablock	*next;
	size_t		 used, cap;
	char		 data[];
};
struct arena {
	struct ablock	*b;
};
#define ABLOCK	((size_t)4 << 20)

static char *
arena_alloc(struct arena *a, size_t n)
{
	struct ablock *b = a->b;
	size_t cap;
	char *p;

	if (b == NULL || b->cap - b->used < n) {
		/* Blocks of 4 MiB, in huge pages where the kernel has them:
		 * a roster's strings are read at random. */
		cap = n > ABLOCK - sizeof(*b) ? n : ABLOCK - sizeof(*b);
		b = wz_big_grow(NULL, 0, sizeof(*b) + cap, 0);
		b->cap = cap;
		b->used = 0;
		b->next = a->b;
		a->b = b;
	}
	p = b->data + b->used;
	b->used += n;
	return p;
}

static char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static void
arena_free(struct arena *a)
{
	struct ablock *b, *next;

	for (b = a->b; b != NULL; b = next) {
		next = b->next;
		wz_big_free(b, sizeof(*b) + b->cap);
	}
	a->b = NULL;
}

/* ------------------------------------------------- string -> int hash */

struct sent {
	const char	*k;		/* borrowed: must outlive the map */
	uint32_t	 len, h;	/* h: the key's hash, compared first */
	int		 v;
};
struct smap {
	struct sent	*t;
	size_t		 cap, n;
};

static struct sent *
smap_find(const struct smap *m, const char *k, size_t n)
{
	size_t i;

	uint64_t h;

	if (m->cap == 0)
		return NULL;
	h = wz_hash(k, n);
	for (i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->t[i].k == NULL)
			return NULL;
		if (m->t[i].h == (uint32_t)(h >> 32) && m->t[i].len == n &&
		    memcmp(m->t[i].k, k, n) == 0)
			return &m->t[i];
	}
}

static int
smap_get(const struct smap *m, const char *k, size_t n)
{
	const struct sent *e = smap_find(m, k, n);

	return e != NULL ? e->v : -1;
}

static void
smap_insert(struct sent *t, size_t cap, const char *k, size_t n, int v)
{
	uint64_t h = wz_hash(k, n);
	size_t i;

	for (i = h & (cap - 1); t[i].k != NULL; i = (i + 1) & (cap - 1))
		;
	t[i].k = k;
	t[i].len = (uint32_t)n;
	t[i].h = (uint32_t)(h >> 32);
	t[i].v = v;
}

/*
 * A table of cap entries: a large one (a roster's names and ids) in its
 * own mapping (wz_big_grow), where huge pages spare the TLB misses of
 * random probes.
 */
#define SMAP_BIG	(256 * 1024 / sizeof(struct sent))

static struct sent *
stab_new(size_t cap)
{
	if (cap >= SMAP_BIG)
		return wz_big_grow(NULL, 0, cap * sizeof(struct sent), 1);
	return wz_calloc(cap, sizeof(struct sent));
}

static void
stab_free(struct sent *t, size_t cap)
{
	if (cap >= SMAP_BIG)
		wz_big_free(t, cap * sizeof(struct sent));
	else
		free(t);
}

/* Room for n entries in all without growing. */
static void
smap_reserve(struct smap *m, size_t n)
{
	struct sent *nt;
	size_t i, ncap = m->cap ? m->cap : 64;

	while (n * 2 > ncap)
		ncap *= 2;
	if (ncap == m->cap)
		return;
	nt = stab_new(ncap);
	for (i = 0; i < m->cap; i++)
		if (m->t[i].k != NULL)
			smap_insert(nt, ncap, m->t[i].k, m->t[i].len, m->t[i].v);
	stab_free(m->t, m->cap);
	m->t = nt;
	m->cap = ncap;
}

/*
 * The entry of k, made (with v = -1) if it is new: one hash and one
 * probe for a lookup followed by a store.  k is kept, not copied.
 */
static struct sent *
smap_slot(struct smap *m, const char *k, size_t n)
{
	uint64_t h;
	size_t i;

	smap_reserve(m, m->n + 1);
	h = wz_hash(k, n);
	for (i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->t[i].k == NULL)
			break;
		if (m->t[i].h == (uint32_t)(h >> 32) && m->t[i].len == n &&
		    memcmp(m->t[i].k, k, n) == 0)
			return &m->t[i];
	}
	m->t[i].k = k;
	m->t[i].len = (uint32_t)n;
	m->t[i].h = (uint32_t)(h >> 32);
	m->t[i].v = -1;
	m->n++;
	return &m->t[i];
}

/* Set k -> v (k is kept, not copied). */
static void
smap_put(struct smap *m, const char *k, size_t n, int v)
{
	smap_slot(m, k, n)->v = v;
}

static void
smap_free(struct smap *m)
{
	stab_free(m->t, m->cap);
	memset(m, 0, sizeof(*m));
}

/* ------------------------------------------------------------- text */

static int
ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);

	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

/* Length of the UTF-8 character that starts with byte c. */
static size_t
u8len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xf0)
		return 4;
	if (c >= 0xe0)
		return 3;
	return 2;
}

/* Number of characters in s[0..n). */
static size_t
u8count(const char *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i += u8len((unsigned char)s[i]))
		k++;
	return k;
}

/*
 * Is s[0..n) already in normal form: CJK ideographs of the main blocks
 * (which NFKC keeps) and ASCII letters and digits, nothing traditional?
 * Most names and units are, and then the normaliser is not needed.
 */
static int
plain_text(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		if (p[i] < 0x80) {
			if (!((p[i] >= '0' && p[i] <= '9') || ((p[i] | 0x20) >=
			    'a' && (p[i] | 0x20) <= 'z') || p[i] == '-' ||
			    p[i] == '_' || p[i] == '.' || p[i] == '/'))
				return 0;
			i++;
			continue;
		}
		if (p[i] >= 0xe4 && p[i] <= 0xe9 && i + 3 <= n) {
			i += 3;
			continue;
		}
		return 0;
	}
	return !wz_has_traditional(s, n);
}

/* Normalise s[0..n) (NFKC, simplified, whitespace); the result is
 * borrowed until the next call on nm and may be s itself. */
static const char *
norm(struct wz_norm *nm, const char *s, size_t n, size_t *len)
{
	if (plain_text(s, n)) {
		*len = n;
		return s;
	}
	return wz_norm_run(nm, s, n, len);
}

static const char *
trim(const char *s, size_t *n)
{
	while (*n > 0 && (s[0] == ' ' || s[0] == '\t')) {
		s++;
		(*n)--;
	}
	while (*n > 0 && (s[*n - 1] == ' ' || s[*n - 1] == '\t' ||
	    s[*n - 1] == '\r'))
		(*n)--;
	return s;
}

/* County-level unit names: 通渭县, 安定区, 湘乡市, 阿拉善左旗. */
static int
county_name(const char *s, size_t n)
{
	static const char *const not[] = { "社区", "小区", "片区", "园区",
	    "景区", "街区", "村" };
	size_t i;

	if (u8count(s, n) < 2)
		return 0;
	for (i = 0; i < sizeof(not) / sizeof(not[0]); i++)
		if (ends_with(s, n, not[i]))
			return 0;
	return ends_with(s, n, "县") || ends_with(s, n, "区") ||
	    ends_with(s, n, "市") || ends_with(s, n, "旗");
}

static int
town_name(const char *s, size_t n)
{
	return u8count(s, n) >= 2 && (ends_with(s, n, "乡") ||
	    ends_with(s, n, "镇") || ends_with(s, n, "街道") ||
	    ends_with(s, n, "街道办事处") || ends_with(s, n, "苏木"));
}

static int
village_name(const char *s, size_t n)
{
	return u8count(s, n) >= 2 && (ends_with(s, n, "村") ||
	    ends_with(s, n, "社区") || ends_with(s, n, "居委会") ||
	    ends_with(s, n, "嘎查"));
}

/* The kind of a unit named s, depth levels below the top. */
static int
name_kind(const char *s, size_t n, int depth, int parent_kind)
{
	if (depth == 1 && county_name(s, n))
		return K_COUNTY;
	if (town_name(s, n))
		return K_TOWN;
	if (village_name(s, n))
		return K_VILLAGE;
	if (parent_kind == K_COUNTY || depth == 1)
		return K_DEPT;
	return K_OTHER;
}

/*
 * The words after a unit's name that name its bodies, not another unit:
 * 平襄镇人民政府 and 平襄镇党委 are 平襄镇, 城关村村委会 is 城关村.  Returns
 * the length without them (n when none is there, or when what is left
 * would not name a unit).
 */
static size_t
unit_stem(const char *s, size_t n)
{
	static const char *const suf[] = { "人民政府", "党委政府", "党委",
	    "政府", "村民委员会", "居民委员会", "村委会", "委会", "党总支",
	    "党支部", "党工委", "办事处" };
	size_t i, k, m;

	for (i = 0; i < sizeof(suf) / sizeof(suf[0]); i++) {
		k = strlen(suf[i]);
		if (!ends_with(s, n, suf[i]))
			continue;
		m = n - k;
		if (town_name(s, m) || village_name(s, m) || county_name(s, m))
			return m;
	}
	return n;
}

/* ------------------------------------------------------------ dates */

int
wz_tier_overlaps(wz_day from, wz_day to, wz_day lo, wz_day hi)
{
	return from <= hi && to >= lo;
}

int
wz_tier_span(const char *s, size_t n, wz_day *lo, wz_day *hi)
{
	wz_day d, e;
	int rc;

	rc = wz_date_parse(s, n, 0, WZ_DAY_NONE, WZ_DAY_NONE, &d, NULL, NULL,
	    0);
	if (rc == WZ_DATE_EMPTY)
		return WZ_DATE_EMPTY;
	if (rc == WZ_DATE_OK) {
		if (wz_date_parse(s, n, WZ_DATE_END, WZ_DAY_NONE, WZ_DAY_NONE,
		    &e, NULL, NULL, 0) != WZ_DATE_OK)
			e = d;
		*lo = d;
		*hi = e;
		return WZ_DATE_OK;
	}
	s = trim(s, &n);
	if (ends_with(s, n, "年度"))
		return wz_tier_span(s, n - strlen("度"), lo, hi);
	if (ends_with(s, n, "度") || rc == WZ_DATE_OPEN)
		return WZ_DATE_BAD;
	rc = wz_date_parse_period(s, n, 0, WZ_DAY_NONE, WZ_DAY_NONE, &d, &e,
	    NULL, 0);
	if (rc != WZ_DATE_OK)
		return rc == WZ_DATE_EMPTY ? WZ_DATE_EMPTY : WZ_DATE_BAD;
	*lo = d;
	*hi = e == WZ_DAY_NONE ? WZ_TIER_END : e;
	return WZ_DATE_OK;
}

/* ------------------------------------------------------ scope index */

struct snode {
	const char	*path;		/* arena */
	size_t		 len;
	size_t		 noff;		/* the last component: path + noff */
	int		 parent, child, sibling, depth;
	int		 next_name;	/* same last component */
	int		 kind;
	int		 roles;		/* roles with this scope (wz_tier) */
	int		 lroles;	/* of them, those a leader tier takes: */
	int		 nlroles;	/* wz_tier's lr[lroles .. +nlroles) */
};

struct wz_scopes {
	struct snode	*v;
	size_t		 n, cap;
	struct smap	 bypath, byname;
	struct arena	 ar;
};

struct wz_scopes *
wz_scopes_new(void)
{
	return wz_calloc(1, sizeof(struct wz_scopes));
}

void
wz_scopes_free(struct wz_scopes *s)
{
	if (s == NULL)
		return;
	free(s->v);
	smap_free(&s->bypath);
	smap_free(&s->byname);
	arena_free(&s->ar);
	free(s);
}

int
wz_scopes_find(const struct wz_scopes *s, const char *path, size_t n)
{
	return smap_get(&s->bypath, path, n);
}

int
wz_scopes_parent(const struct wz_scopes *s, int node)
{
	return s->v[node].parent;
}

const char *
wz_scopes_path(const struct wz_scopes *s, int node)
{
	return s->v[node].path;
}

int
wz_scopes_depth(const struct wz_scopes *s, int node)
{
	return s->v[node].depth;
}

int
wz_scopes_add(struct wz_scopes *s, const char *path, size_t n)
{
	struct snode *nd;
	const char *slash;
	int id, parent = -1;
	size_t plen = 0;

	if ((id = smap_get(&s->bypath, path, n)) >= 0)
		return id;
	slash = NULL;
	for (plen = n; plen > 0; plen--)
		if (path[plen - 1] == '/') {
			slash = path + plen - 1;
			break;
		}
	if (slash != NULL)
		parent = wz_scopes_add(s, path, (size_t)(slash - path));
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->v = wz_reallocarray(s->v, s->cap, sizeof(*s->v));
	}
	id = (int)s->n++;
	nd = &s->v[id];
	memset(nd, 0, sizeof(*nd));
	nd->path = arena_strndup(&s->ar, path, n);
	nd->len = n;
	nd->noff = slash != NULL ? (size_t)(slash - path) + 1 : 0;
	nd->parent = parent;
	nd->child = -1;
	nd->sibling = parent >= 0 ? s->v[parent].child : -1;
	if (parent >= 0)
		s->v[parent].child = id;
	nd->depth = parent >= 0 ? s->v[parent].depth + 1 : 1;
	nd->roles = nd->lroles = -1;
	nd->kind = name_kind(nd->path + nd->noff, n - nd->noff, nd->depth,
	    parent >= 0 ? s->v[parent].kind : K_OTHER);
	smap_put(&s->bypath, nd->path, n, id);
	nd->next_name = smap_get(&s->byname, nd->path + nd->noff,
	    n - nd->noff);
	smap_put(&s->byname, nd->path + nd->noff, n - nd->noff, id);
	return id;
}

int
wz_scope_contains(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen == 0)
		return 1;
	if (blen < alen || memcmp(a, b, alen) != 0)
		return 0;
	return blen == alen || b[alen] == '/';
}

/* Is node id below node base (base -1: the top)? */
static int
below(const struct wz_scopes *s, int base, int id)
{
	if (base < 0)
		return 1;
	return s->v[id].len > s->v[base].len && wz_scope_contains(
	    s->v[base].path, s->v[base].len, s->v[id].path, s->v[id].len);
}

enum { C_NOTFOUND = 0, C_FOUND, C_AMBIG };

/*
 * The unit named s[0..n) below cur: its child of that name, else the one
 * unit below it with that name.  C_AMBIG lists the several in why.
 */
static int
lookup_name(const struct wz_scopes *s, int cur, const char *p, size_t n,
    int *out, struct wz_buf *why)
{
	int id, found = -1, count = 0;

	for (id = smap_get(&s->byname, p, n); id >= 0; id = s->v[id].next_name)
		if (s->v[id].parent == cur) {
			*out = id;
			return C_FOUND;
		}
	for (id = smap_get(&s->byname, p, n); id >= 0;
	    id = s->v[id].next_name)
		if (below(s, cur, id)) {
			if (count++ == 0)
				found = id;
		}
	if (count == 1) {
		*out = found;
		return C_FOUND;
	}
	if (count == 0)
		return C_NOTFOUND;
	if (why != NULL) {
		const char **v = wz_calloc((size_t)count, sizeof(*v));
		int i = 0, j, k;

		for (id = smap_get(&s->byname, p, n); id >= 0;
		    id = s->v[id].next_name)
			if (below(s, cur, id))
				v[i++] = s->v[id].path;
		/* In path order, so the message does not depend on load
		 * order. */
		for (j = 1; j < count; j++)
			for (k = j; k > 0 && strcmp(v[k - 1], v[k]) > 0; k--) {
				const char *tmp = v[k];
				v[k] = v[k - 1];
				v[k - 1] = tmp;
			}
		wz_buf_reset(why);
		wz_buf_printf(why, "%.*s names %d units (", (int)n, p, count);
		for (j = 0; j < count; j++)
			wz_buf_printf(why, "%s%s", j ? ", " : "", v[j]);
		wz_buf_adds(why, ")");
		free(v);
	}
	return C_AMBIG;
}

/*
 * The longest start of s[0..n) (two characters at least) that names a
 * unit below cur; *used gets its length.  The whole of s is also tried
 * without the words that name a unit's bodies (unit_stem).
 */
static int
consume(const struct wz_scopes *s, int cur, const char *p, size_t n,
    int *out, size_t *used, struct wz_buf *why)
{
	size_t end, stem, k;
	int rc;

	stem = unit_stem(p, n);
	if (stem < n && (rc = lookup_name(s, cur, p, stem, out, why)) !=
	    C_NOTFOUND) {
		*used = n;
		return rc;
	}
	for (end = n; end > 0;) {
		if (u8count(p, end) < 2)
			break;
		if ((rc = lookup_name(s, cur, p, end, out, why)) !=
		    C_NOTFOUND) {
			*used = end;
			return rc;
		}
		/* Back one character. */
		for (k = end - 1; k > 0 && ((unsigned char)p[k] & 0xc0) ==
		    0x80; k--)
			;
		end = k;
	}
	return C_NOTFOUND;
}

/*
 * Is s[0..n) an organ of the county c (县委, 县人民政府, 示范县人大常委会,
 * 县纪委监委 ...)?  Its people are scoped at the county itself.
 */
static int
county_organ(const char *s, size_t n, const char *c, size_t cn)
{
	static const char *const organ[] = { "委", "人民政府", "政府",
	    "人大常委会", "人大", "政协", "纪委监委", "纪委", "监委",
	    "委员会" };
	size_t i, k;

	if (cn > 0 && n > cn && memcmp(s, c, cn) == 0) {
		s += cn;
		n -= cn;
	} else if (n > 3 && memcmp(s, "县", 3) == 0) {
		s += 3;
		n -= 3;
	} else
		return 0;
	for (i = 0; i < sizeof(organ) / sizeof(organ[0]); i++) {
		k = strlen(organ[i]);
		if (n == k && memcmp(s, organ[i], k) == 0)
			return 1;
	}
	return 0;
}

/* Append "/" and a literal part to path. */
static void
add_part(struct wz_buf *path, const char *p, size_t n)
{
	if (path->len > 0)
		wz_buf_addc(path, '/');
	wz_buf_add(path, p, n);
}

/* One segment of a place (no '/'), from unit *cur on. */
static int
walk(const struct wz_scopes *s, int *cur, const char *p, size_t n,
    struct wz_buf *path, int *literal, struct wz_buf *why)
{
	const struct snode *c;
	size_t used, cn, lc;
	int next, rc;
	char *tmp;

	while (n > 0) {
		if (*literal) {
			add_part(path, p, unit_stem(p, n));
			return WZ_PLACE_UNKNOWN;
		}
		if (*cur >= 0) {
			c = &s->v[*cur];
			cn = c->len - c->noff;
			/* The current unit again (平襄镇 after 平襄镇). */
			if (n == cn && memcmp(p, c->path + c->noff, n) == 0)
				return WZ_PLACE_OK;
			if (unit_stem(p, n) == cn && memcmp(p, c->path + c->noff,
			    cn) == 0)
				return WZ_PLACE_OK;
			/*
			 * A county's name before one of its units:
			 * 通渭县农业农村局 is the roster's 县农业农村局 if it has
			 * one, else 农业农村局 below the county.
			 */
			if (c->kind == K_COUNTY && county_organ(p, n, c->path +
			    c->noff, cn) && consume(s, *cur, p, n, &next,
			    &used, NULL) == C_NOTFOUND)
				return WZ_PLACE_OK;
			if (c->kind == K_COUNTY && n > cn && memcmp(p,
			    c->path + c->noff, cn) == 0) {
				const char *cname = c->path + c->noff;
				size_t j = cn;

				do
					j--;
				while (j > 0 && ((unsigned char)cname[j] &
				    0xc0) == 0x80);
				lc = cn - j;	/* the last character */
				tmp = wz_malloc(lc + n - cn);
				memcpy(tmp, cname + j, lc);
				memcpy(tmp + lc, p + cn, n - cn);
				rc = consume(s, *cur, tmp, lc + n - cn, &next,
				    &used, NULL);
				free(tmp);
				if (rc == C_FOUND && used == lc + n - cn) {
					*cur = next;
					return WZ_PLACE_OK;
				}
				p += cn;
				n -= cn;
				continue;
			}
		}
		rc = consume(s, *cur, p, n, &next, &used, why);
		if (rc == C_AMBIG)
			return WZ_PLACE_AMBIGUOUS;
		if (rc == C_NOTFOUND && *cur >= 0 && s->v[*cur].kind ==
		    K_COUNTY && county_organ(p, n, s->v[*cur].path +
		    s->v[*cur].noff, s->v[*cur].len - s->v[*cur].noff))
			return WZ_PLACE_OK;
		if (rc == C_NOTFOUND) {
			if (*cur >= 0) {
				wz_buf_reset(path);
				wz_buf_add(path, s->v[*cur].path,
				    s->v[*cur].len);
			}
			wz_buf_reset(why);
			wz_buf_printf(why, "%.*s is not in the roster",
			    (int)unit_stem(p, n), p);
			*literal = 1;
			add_part(path, p, unit_stem(p, n));
			return WZ_PLACE_UNKNOWN;
		}
		/* A county found by the start of the part: the rule above
		 * reads the rest. */
		if (s->v[next].kind == K_COUNTY && used < n) {
			*cur = next;
			continue;
		}
		*cur = next;
		p += used;
		n -= used;
	}
	return WZ_PLACE_OK;
}

int
wz_scopes_resolve(const struct wz_scopes *s, int base,
    const char *const *parts, size_t nparts, struct wz_buf *path, int *node,
    struct wz_buf *why)
{
	int cur = base, literal = 0, st = WZ_PLACE_OK, rc;
	size_t i, n;
	const char *p, *q;

	wz_buf_reset(path);
	wz_buf_reset(why);
	for (i = 0; i < nparts; i++) {
		if (parts[i] == NULL)
			continue;
		for (p = parts[i]; *p != '\0'; p = *q != '\0' ? q + 1 : q) {
			for (q = p; *q != '\0' && *q != '/'; q++)
				;
			n = (size_t)(q - p);
			p = trim(p, &n);
			if (n == 0)
				continue;
			rc = walk(s, &cur, p, n, path, &literal, why);
			if (rc == WZ_PLACE_AMBIGUOUS) {
				st = rc;
				goto done;
			}
			if (rc == WZ_PLACE_UNKNOWN && st == WZ_PLACE_OK)
				st = rc;
		}
	}
done:
	if (!literal) {
		wz_buf_reset(path);
		if (cur >= 0)
			wz_buf_add(path, s->v[cur].path, s->v[cur].len);
	}
	wz_buf_cstr(path);
	*node = cur;
	if (st == WZ_PLACE_OK && cur < 0 && path->len == 0)
		st = WZ_PLACE_NONE;
	return st;
}

/* ------------------------------------------------------------ roster */

struct role {
	const char	*pid, *name, *code, *rank, *party, *vfrom, *vto;
	unsigned int	 lpid, lname, lcode, lrank, lparty;	/* lengths */
	const char	*idnum;
	const struct wz_post *post;
	int		 pidx;		/* index in rs->posts, -1: none */
	int		 rank_i;	/* for the authority table */
	wz_day		 from, to;
	unsigned long	 line;
	int		 node;		/* -1: no scope */
	int		 person;	/* first role of the same person id */
	int		 next_node, next_lnode, next_name, next_pid;
	int		 rel;		/* scope had no county */
	const char	*scope;		/* as read, normalised */
};

/* A role a leader tier may take, kept by node in one array so that the
 * walk up from a place reads a few cache lines. */
struct lrole {
	int		 role, person, pidx;
	wz_day		 from, to;
};

/*
 * A roster role is written for many violations, mostly at one tier under
 * one table: everything its output row holds after the input's columns
 * (the role's five fields, the tier, proposer and decider, the labels),
 * encoded once, for that tier and table.
 */
struct rtail {
	char		*s;		/* NULL: not made yet */
	uint32_t	 len, cap;
	int		 tier, cfg;
};

/* The bodies for one post and rank, joined with ';'. */
struct auth {
	int		 done;
	char		*proposer, *decider, *cites;
	size_t		 lprop, ldec;
	char		*enc;		/* proposer and decider, encoded */
	size_t		 lenc;		/* for enc_w */
	const struct wz_writer *enc_w;
	int		 escalated;
};

/* Tier and authority tables chosen for an article. */
struct tcfg {
	const struct wz_doc *tdoc, *adoc;
	unsigned char	*ptier;		/* per post index */
	char		*lgroup_cite;	/* articles that reach county_lgroup */
	struct auth	*auth;		/* nposts * NRANK, lazily */
};

/* What is known of an article. */
struct artinfo {
	const struct wz_article *art;	/* NULL: not in the rules */
	int		 cfg;
	int		 lgroup;	/* reaches county_lgroup at county level */
	const struct wz_penalty **pens;	/* rules citing it in `for` */
	size_t		 npens;
	char		**grade_cases;	/* case ids that test the grade field */
	size_t		 ngrade;
	int		 grade_nocase;	/* the single match: form tests grade */
	struct gnamed	*gn;		/* posts named on grade rows, by the */
	size_t		 ngn;		/* cases held */
};

/* The posts the penalty rules of an article name for some cases held. */
struct gnamed {
	char		*cases;		/* the values' case=..., or NULL */
	size_t		 len;
	const struct wz_penalty **pen;	/* per post index: the rule, or NULL */
};

/* A place of a violation, cached by its cells. */
struct place {
	int		 status;
	char		*path;
	size_t		 len;
	int		 node;		/* deepest unit of the path in the tree */
	int		 exact;		/* the whole path is that unit */
	size_t		 alen;		/* name search area: path[0..alen) */
	int		 county_level;
	int		 kind;		/* of the last part */
	char		*why;
};

/* One liable party of the current violation. */
enum { E_PERSON, E_UNRESOLVED, E_UNIT };
enum { S_NONE, S_RESOLVE, S_PID, S_IDNUM, S_NAME, S_UNIT };
#define MAXROLES 6
struct ent {
	int		 kind, tier;
	int		 seq;		/* order of addition */
	int		 person;	/* E_PERSON: person key */
	int		 role;		/* E_PERSON: the role shown */
	int		 roles[MAXROLES];
	int		 nroles, more;
	int		 src;		/* direct: how found */
	unsigned long	 srcline;	/* S_RESOLVE: line in the file */
	size_t		 noff, nlen;	/* E_UNRESOLVED: name in scratch */
	size_t		 woff, wlen;	/* why, in scratch */
	const struct wz_post *post;	/* E_UNRESOLVED: from the title */
	const struct wz_penalty *pen;	/* named by this penalty rule */
	size_t		 uoff, ulen;	/* E_UNIT: path in scratch */
	int		 ukind;
};

enum {
	F_ARTICLE, F_VALUES, F_ID, F_NAME, F_PID, F_IDNUM, F_TITLE,
	F_COUNTY, F_TOWNSHIP, F_VILLAGE, F_PLACE, F_UNIT, F_DATE, F_FOUND,
	F_YEAR, NFIELD
};
static const char *const field_name[NFIELD] = {
	"article", "values", "id", "name", "person_id", "id_number", "title",
	"county", "township", "village", "place", "unit", "date", "found_date",
	"year"
};

/* Cache sizes (a test build makes them small to run the other path). */
#ifndef PLACE_CACHE_MAX
#define PLACE_CACHE_MAX	65536
#endif
#ifndef TITLE_CACHE_MAX
#define TITLE_CACHE_MAX	4096
#endif

struct wz_tier {
	struct wz_enc	 enc;		/* the input row, encoded for enc_w */
	const struct wz_writer *enc_w;
	int		 row_encoded;
	struct auth	 noauth;	/* authority() where none applies */
	struct rtail	*rtail;		/* by role: what follows the input */
	const struct wz_writer *rtail_w;	/* encoded for this writer */
	struct wz_buf	 encb;
	const struct wz_ruleset *rs;
	struct wz_tier_opts o;
	struct wz_ropts	 ro;		/* for the roster and resolve files */
	struct wz_aliases al;
	struct wz_norm	*nm;
	struct arena	 ar;

	/* roster */
	char		*roster_name;
	struct role	*roles;
	size_t		 nroles, caproles;
	struct wz_scopes *sc;
	struct smap	 bypid, byname, byidn;
	int		 county;	/* default county node, -1 */
	int		 has_idnum;
	unsigned char	*leader_post;	/* per post: some table's leader */
	struct lrole	*lr;		/* per node, its leader roles */
	size_t		 nlr;
	int		*lgroup_post;	/* per post: is county_lgroup */

	/* resolve file */
	char		*resolve_name;
	struct smap	 resolve;	/* key -> index in rpid */
	const char	**rpid;
	unsigned long	*rline;
	size_t		 nres;

	/* tables */
	const struct wz_doc *forced, *deftdoc;
	struct tcfg	*cfgs;
	size_t		 ncfgs;
	struct artinfo	*arts;
	size_t		 narts;
	struct smap	 artmap;

	/* caches (places one by one: callers keep pointers to them) */
	struct place	**places;
	size_t		 nplaces;
	struct smap	 placemap;
	struct place	 tmpplace, tmpunit;
	struct smap	 titlemap;
	const struct wz_post **titleposts;	/* 4 per cached title */
	size_t		 ntitles;

	/* bound header */
	const char	*in_name;
	int		 col[NFIELD];
	int		 bound;

	/* the last row's place and people, reused by the next row of the
	 * same finding */
	struct wz_buf	 lastkey, pkey, plast, pmsgs, pscratch;
	const struct place *lastpl;
	struct ent	*pents;
	size_t		 npents, cappents;
	int		 recording;
	struct wz_buf	 lastdate;	/* the date cells, and what they */
	wz_day		 lastlo, lasthi;	/* gave */
	int		 lastrc;
	int		 lastart;	/* the last article, by its id */
	struct wz_buf	 lastartid;
	/* grade rows: the roles a unit's subtree holds in named posts */
	struct smap	 teammap;
	int		**teams;
	size_t		 nteams;

	/* per row */
	int		 actors[16];	/* the people named, resolved */
	struct ent	*ents;
	size_t		 nents, capents;
	struct wz_buf	 scratch, key, b1, b2, why, path;
	struct wz_buf	 nwhy;		/* why a name was not resolved */
	const struct wz_row *row;
	unsigned long	 line;
	int		 reported;
	int		 rxfail;	/* a post pattern could not finish on
					 * the title: the row is rejected */

	struct wz_tier_stats st;
};

static const char *
cell(const struct wz_tier *t, int f, size_t *n)
{
	int c = t->col[f];
	const char *s;

	if (c < 0 || (size_t)c >= t->row->n) {
		*n = 0;
		return "";
	}
	*n = t->row->len[c];
	s = t->row->f[c];
	return trim(s, n);
}

static void
report(struct wz_tier *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
report(struct wz_tier *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wz_vmsg(t->in_name, t->line, fmt, ap);
	va_end(ap);
	if (t->recording) {
		/* Kept, NUL-terminated, for the next rows of the finding. */
		int k;

		va_start(ap, fmt);
		k = vsnprintf(NULL, 0, fmt, ap);
		va_end(ap);
		if (k >= 0) {
			wz_buf_reserve(&t->pmsgs, (size_t)k + 1);
			va_start(ap, fmt);
			vsnprintf(t->pmsgs.s + t->pmsgs.len, (size_t)k + 1, fmt,
			    ap);
			va_end(ap);
			t->pmsgs.len += (size_t)k + 1;
		}
	}
	if (!t->reported)
		t->st.reported++;
	t->reported = 1;
}

static int
rank_index(const char *r)
{
	size_t i;

	if (r == NULL || *r == '\0')
		return 0;
	for (i = 1; i < NRANK; i++)
		if (strcmp(r, rank_name[i]) == 0)
			return (int)i;
	return 0;
}

static int
post_index(const struct wz_tier *t, const struct wz_post *p)
{
	return p != NULL ? (int)(p - t->rs->posts) : -1;
}

/* Normalise a scope path: each part normalised, empty parts dropped. */
static void
norm_path(struct wz_tier *t, const char *s, size_t n, struct wz_buf *out)
{
	const char *p, *q, *e = s + n, *r;
	size_t k, rn;

	wz_buf_reset(out);
	for (p = s; p < e; p = q + 1) {
		for (q = p; q < e && *q != '/'; q++)
			;
		k = (size_t)(q - p);
		r = norm(t->nm, p, k, &rn);
		r = trim(r, &rn);
		if (rn > 0) {
			if (out->len > 0)
				wz_buf_addc(out, '/');
			wz_buf_add(out, r, rn);
		}
		if (q >= e)
			break;
	}
	wz_buf_cstr(out);
}

/* Find a roster column by its canonical name (the last of that name). */
static int
roster_col(const struct wz_row *hdr, const char *name)
{
	int i, found = -1;

	for (i = 0; (size_t)i < hdr->n; i++)
		if (strcmp(hdr->f[i], name) == 0)
			found = i;
	return found;
}

static const char *
rcell(const struct wz_row *row, int c, size_t *n)
{
	if (c < 0 || (size_t)c >= row->n) {
		*n = 0;
		return "";
	}
	*n = row->len[c];
	return trim(row->f[c], n);
}

static int
load_roster(struct wz_tier *t, const char *path)
{
	enum { R_PID, R_NAME, R_ROLE, R_SCOPE, R_FROM, R_TO, R_PARTY, R_RANK,
	    R_IDNUM, NR };
	static const char *const rname[] = { "person_id", "name", "role",
	    "scope", "valid_from", "valid_to", "party_member", "rank" };
	struct wz_reader *r;
	const struct wz_row *hdr, *row;
	struct wz_buf pb = { 0 };
	int col[NR], rc, i, idx[2], counties = 0, status = 0;
	size_t n, k;
	const char *s, *name = NULL;
	struct role *ro;
	struct sent *se;
	char why[160];
	wz_day from, to;

	if ((r = wz_reader_open(path, &t->ro)) == NULL) {
		wz_sysmsg(path, "cannot open the roster");
		return EX_NOINPUT;
	}
	t->roster_name = wz_strdup(wz_reader_name(r));
	if (wz_reader_header(r, &hdr) != WZ_ROW) {
		wz_msg(t->roster_name, wz_reader_errline(r), "%s",
		    wz_reader_error(r));
		status = wz_reader_errstatus(r);
		goto out;
	}
	for (i = 0; i < R_IDNUM; i++)
		col[i] = roster_col(hdr, rname[i]);
	col[R_IDNUM] = wz_col_lookup(hdr, "id_number", &t->al, idx, 2) == 1 ?
	    idx[0] : -1;
	t->has_idnum = col[R_IDNUM] >= 0;
	for (i = 0; i <= R_SCOPE; i++)
		if (col[i] < 0) {
			wz_msg(t->roster_name, 1, "no %s column: the roster "
			    "should be wz-roster's output", rname[i]);
			status = EX_DATAERR;
			goto out;
		}
	while ((rc = wz_reader_next(r, &row)) != WZ_EOF) {
		if (rc == WZ_FATAL) {
			wz_msg(t->roster_name, wz_reader_errline(r), "%s",
			    wz_reader_error(r));
			status = wz_reader_errstatus(r);
			goto out;
		}
		if (rc == WZ_BAD) {
			wz_msg(t->roster_name, wz_reader_errline(r), "%s",
			    wz_reader_error(r));
			t->st.roster_rows++;
			t->st.roster_bad++;
			continue;
		}
		if (row->blank)
			continue;
		t->st.roster_rows++;
		wz_big_reserve((void **)&t->roles, &t->caproles, t->nroles + 1,
		    sizeof(*t->roles), 1024);
		ro = &t->roles[t->nroles];
		memset(ro, 0, sizeof(*ro));
		ro->line = row->line;
		ro->node = ro->next_node = ro->next_lnode = ro->next_name =
		    ro->next_pid = -1;
		s = rcell(row, col[R_FROM], &n);
		k = 0;
		{
			const char *s2;
			size_t n2;
			int r1, r2;

			s2 = rcell(row, col[R_TO], &n2);
			r1 = wz_date_parse(s, n, 0, WZ_DAY_NONE, WZ_DAY_NONE,
			    &from, NULL, why, sizeof(why));
			if (r1 == WZ_DATE_EMPTY)
				from = WZ_TIER_BEGIN;
			r2 = wz_date_parse(s2, n2, WZ_DATE_END, WZ_DAY_NONE,
			    WZ_DAY_NONE, &to, NULL, why, sizeof(why));
			if (r2 == WZ_DATE_EMPTY || r2 == WZ_DATE_OPEN)
				to = WZ_TIER_END;
			if (r1 == WZ_DATE_BAD || r1 == WZ_DATE_OPEN ||
			    r2 == WZ_DATE_BAD) {
				wz_msg(t->roster_name, row->line, "unreadable "
				    "period '%.*s%s' .. '%.*s%s': row not used",
				    wz_qlen(s, n), s, wz_qmore(n), wz_qlen(s2, n2), s2,
				    wz_qmore(n2));
				t->st.roster_bad++;
				continue;
			}
			if (from > to) {
				wz_msg(t->roster_name, row->line, "valid_to "
				    "'%.*s%s' is before valid_from '%.*s%s': "
				    "row not used", wz_qlen(s2, n2), s2, wz_qmore(n2),
				    wz_qlen(s, n), s, wz_qmore(n));
				t->st.roster_bad++;
				continue;
			}
			ro->from = from;
			ro->to = to;
			ro->vfrom = arena_strndup(&t->ar, s, n);
			ro->vto = arena_strndup(&t->ar, s2, n2);
		}
		s = rcell(row, col[R_PID], &n);
		ro->pid = arena_strndup(&t->ar, s, n);
		s = rcell(row, col[R_NAME], &n);
		s = norm(t->nm, s, n, &n);
		ro->name = arena_strndup(&t->ar, s, n);
		s = rcell(row, col[R_ROLE], &n);
		ro->code = arena_strndup(&t->ar, s, n);
		s = rcell(row, col[R_RANK], &n);
		ro->rank = arena_strndup(&t->ar, s, n);
		s = rcell(row, col[R_PARTY], &n);
		ro->party = arena_strndup(&t->ar, s, n);
		s = rcell(row, col[R_IDNUM], &n);
		ro->idnum = n > 0 ? arena_strndup(&t->ar, s, n) : NULL;
		if (*ro->code != '\0') {
			ro->post = wz_rules_post(t->rs, ro->code);
			if (ro->post == NULL) {
				wz_msg(t->roster_name, row->line, "unknown post "
				    "code '%.*s%s': the role reaches no tier",
				    wz_qlen(ro->code, strlen(ro->code)), ro->code,
				    wz_qmore(strlen(ro->code)));
				t->st.roster_bad++;
			}
		}
		ro->pidx = post_index(t, ro->post);
		ro->rank_i = rank_index(ro->rank);
		if (ro->rank_i == 0 && ro->post != NULL)
			ro->rank_i = rank_index(ro->post->rank);
		ro->lpid = (unsigned int)strlen(ro->pid);
		ro->lname = (unsigned int)strlen(ro->name);
		ro->lcode = (unsigned int)strlen(ro->code);
		ro->lrank = (unsigned int)strlen(ro->rank);
		ro->lparty = (unsigned int)strlen(ro->party);
		if (*ro->pid == '\0') {
			wz_msg(t->roster_name, row->line, "no person_id: %s "
			    "can only be found by name", ro->name);
			t->st.roster_bad++;
		}
		s = rcell(row, col[R_SCOPE], &n);
		norm_path(t, s, n, &pb);
		ro->scope = arena_strndup(&t->ar, pb.len ? pb.s : "", pb.len);
		if (pb.len == 0) {
			wz_msg(t->roster_name, row->line, "no scope: %s is "
			    "found by id only", ro->name);
			t->st.roster_bad++;
		} else {
			for (k = 0; k < pb.len && pb.s[k] != '/'; k++)
				;
			ro->rel = !county_name(pb.s, k);
		}
		t->nroles++;
	}

	/* The default county: --county, else the roster's only county. */
	if (t->o.county != NULL) {
		s = norm(t->nm, t->o.county, strlen(t->o.county), &n);
		name = arena_strndup(&t->ar, s, n);
	} else {
		const char *cname = NULL;
		size_t cn = 0;

		for (k = 0; k < t->nroles; k++) {
			const char *sc = t->roles[k].scope, *e;

			if (t->roles[k].rel || *sc == '\0')
				continue;
			e = strchr(sc, '/');
			n = e != NULL ? (size_t)(e - sc) : strlen(sc);
			if (cname == NULL) {
				cname = sc;
				cn = n;
				counties = 1;
			} else if (n != cn || memcmp(cname, sc, n) != 0)
				counties = 2;
		}
		if (counties == 1)
			name = arena_strndup(&t->ar, cname, cn);
	}
	if (name != NULL)
		t->county = wz_scopes_add(t->sc, name, strlen(name));
	for (k = 0; k < t->nroles; k++) {
		ro = &t->roles[k];
		if (*ro->scope == '\0')
			continue;
		if (ro->rel && name != NULL) {
			wz_buf_reset(&pb);
			wz_buf_printf(&pb, "%s/%s", name, ro->scope);
			ro->node = wz_scopes_add(t->sc, pb.s, pb.len);
		} else if (ro->rel && counties > 1) {
			wz_msg(t->roster_name, ro->line, "scope %s has no county "
			    "and the roster has several: use --county",
			    ro->scope);
			t->st.roster_bad++;
		} else
			ro->node = wz_scopes_add(t->sc, ro->scope,
			    strlen(ro->scope));
	}
	/*
	 * A county leader's 包抓村 written without its township (示范县/
	 * 石沟村) names the village whose township the rest of the roster
	 * gives: re-point the role there when exactly one township of the
	 * same county has a village of that name.
	 */
	for (k = 0; k < t->nroles; k++) {
		const struct snode *nd, *c;
		int id, hit = -1, nhit = 0;
		size_t ln;

		ro = &t->roles[k];
		if (ro->node < 0)
			continue;
		nd = &t->sc->v[ro->node];
		ln = nd->len - nd->noff;
		if (nd->child >= 0 || ln < 3 || memcmp(nd->path + nd->len - 3,
		    "村", 3) != 0)
			continue;
		for (id = smap_get(&t->sc->byname, nd->path + nd->noff, ln);
		    id >= 0; id = t->sc->v[id].next_name) {
			c = &t->sc->v[id];
			if (c->depth == nd->depth + 1 && c->parent >= 0 &&
			    t->sc->v[c->parent].parent == nd->parent) {
				hit = id;
				nhit++;
			}
		}
		if (nhit == 1)
			ro->node = hit;
	}
	/* Chains in roster order: built backwards. */
	smap_reserve(&t->byname, t->nroles);
	smap_reserve(&t->bypid, t->nroles);
	for (k = t->nroles; k-- > 0;) {
		struct snode *nd;
		int id = (int)k;

		ro = &t->roles[k];
		if (ro->node >= 0) {
			nd = &t->sc->v[ro->node];
			ro->next_node = nd->roles;
			nd->roles = id;
			if (ro->pidx >= 0 && t->leader_post[ro->pidx]) {
				ro->next_lnode = nd->lroles;
				nd->lroles = id;
			}
		}
		se = smap_slot(&t->byname, ro->name, ro->lname);
		ro->next_name = se->v;
		se->v = id;
		if (*ro->pid != '\0') {
			se = smap_slot(&t->bypid, ro->pid, ro->lpid);
			ro->next_pid = se->v;
			se->v = id;
		}
	}
	for (k = 0; k < t->nroles; k++) {
		ro = &t->roles[k];
		ro->person = *ro->pid != '\0' ? smap_get(&t->bypid, ro->pid,
		    ro->lpid) : (int)k;
		if (ro->idnum != NULL && (se = smap_slot(&t->byidn, ro->idnum,
		    strlen(ro->idnum)))->v < 0)
			se->v = (int)k;
	}
	t->lr = wz_reallocarray(NULL, t->nroles + 1, sizeof(*t->lr));
	for (k = 0; k < t->sc->n; k++) {
		struct snode *nd = &t->sc->v[k];
		int id = nd->lroles;

		nd->lroles = (int)t->nlr;
		nd->nlroles = 0;
		for (; id >= 0; id = t->roles[id].next_lnode) {
			struct lrole *l = &t->lr[t->nlr++];

			ro = &t->roles[id];
			l->role = id;
			l->person = ro->person;
			l->pidx = ro->pidx;
			l->from = ro->from;
			l->to = ro->to;
			nd->nlroles++;
		}
	}
out:
	wz_buf_free(&pb);
	wz_reader_close(r);
	return status;
}

static int
load_resolve(struct wz_tier *t, const char *path)
{
	struct wz_reader *r;
	const struct wz_row *hdr, *row;
	int rc, cf, cp, cn, idx[2], status = 0, old;
	size_t n, fn, pn;
	const char *f, *p, *s;
	char *key;

	if ((r = wz_reader_open(path, &t->ro)) == NULL) {
		wz_sysmsg(path, "cannot open the resolve file");
		return EX_NOINPUT;
	}
	t->resolve_name = wz_strdup(wz_reader_name(r));
	if (wz_reader_header(r, &hdr) != WZ_ROW) {
		wz_msg(t->resolve_name, wz_reader_errline(r), "%s",
		    wz_reader_error(r));
		status = wz_reader_errstatus(r);
		goto out;
	}
	if ((cf = roster_col(hdr, "finding_id")) < 0)
		cf = wz_col_lookup(hdr, "id", &t->al, idx, 2) == 1 ? idx[0] :
		    -1;
	cp = roster_col(hdr, "person_id");
	cn = wz_col_lookup(hdr, "name", &t->al, idx, 2) == 1 ? idx[0] : -1;
	if (cf < 0 || cp < 0) {
		wz_msg(t->resolve_name, 1, "a resolve file needs the columns "
		    "finding_id (or an id column) and person_id");
		status = EX_DATAERR;
		goto out;
	}
	while ((rc = wz_reader_next(r, &row)) != WZ_EOF) {
		if (rc != WZ_ROW) {
			wz_msg(t->resolve_name, wz_reader_errline(r), "%s",
			    wz_reader_error(r));
			status = rc == WZ_FATAL ? wz_reader_errstatus(r) :
			    EX_DATAERR;
			if (rc == WZ_FATAL)
				goto out;
			continue;
		}
		if (row->blank)
			continue;
		f = rcell(row, cf, &fn);
		p = rcell(row, cp, &pn);
		if (fn == 0 || pn == 0) {
			wz_msg(t->resolve_name, row->line, "empty finding id "
			    "or person id");
			status = EX_DATAERR;
			continue;
		}
		wz_buf_reset(&t->key);
		wz_buf_add(&t->key, f, fn);
		s = rcell(row, cn, &n);
		if (n > 0) {
			s = norm(t->nm, s, n, &n);
			wz_buf_addc(&t->key, '\x1f');
			wz_buf_add(&t->key, s, n);
		}
		key = arena_strndup(&t->ar, t->key.s, t->key.len);
		if ((old = smap_get(&t->resolve, key, t->key.len)) >= 0) {
			if (strlen(t->rpid[old]) != pn || memcmp(t->rpid[old],
			    p, pn) != 0) {
				wz_msg(t->resolve_name, row->line, "finding "
				    "%.*s is already settled as %s on line %lu",
				    (int)fn, f, t->rpid[old], t->rline[old]);
				status = EX_DATAERR;
			}
			continue;
		}
		t->rpid = wz_reallocarray(t->rpid, t->nres + 1,
		    sizeof(*t->rpid));
		t->rline = wz_reallocarray(t->rline, t->nres + 1,
		    sizeof(*t->rline));
		t->rpid[t->nres] = arena_strndup(&t->ar, p, pn);
		t->rline[t->nres] = row->line;
		smap_put(&t->resolve, key, t->key.len, (int)t->nres);
		t->nres++;
	}
out:
	wz_reader_close(r);
	return status;
}

/* ------------------------------------------------------ rule tables */

/* The document whose table (tiers, or authorities) an article uses. */
static const struct wz_doc *
table_doc(const struct wz_ruleset *rs, const struct wz_doc *d, int auth,
    int depth)
{
	const struct wz_doc *x;
	size_t i;

	if (d == NULL || depth > 4)
		return NULL;
	if (auth ? d->nauth > 0 : d->tiers != NULL)
		return d;
	for (i = 0; i < d->implements.n; i++)
		if ((x = table_doc(rs, wz_rules_doc(rs, d->implements.v[i]),
		    auth, depth + 1)) != NULL)
			return x;
	return NULL;
}

/* The cite of the subject group that names county_lgroup. */
static const char *
lgroup_cite(const struct wz_doc *d)
{
	size_t i, j;

	if (d == NULL)
		return NULL;
	for (i = 0; i < d->ngroups; i++)
		for (j = 0; j < d->groups[i].posts.n; j++)
			if (strcmp(d->groups[i].posts.v[j], LGROUP_POST) == 0)
				return d->groups[i].cite;
	return NULL;
}

static int
in_list(const struct wz_tier *t, const char *code, const struct wz_strv *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (wz_post_is(t->rs, code, l->v[i]))
			return 1;
	return 0;
}

static int
get_cfg(struct wz_tier *t, const struct wz_doc *d)
{
	const struct wz_doc *td, *ad, *def;
	struct tcfg *c;
	const char *cite;
	size_t i;

	td = t->forced != NULL ? t->forced : table_doc(t->rs, d, 0, 0);
	if (td == NULL)
		td = t->deftdoc;
	ad = table_doc(t->rs, td, 1, 0);
	if (ad == NULL && (def = wz_rules_doc(t->rs, DEFAULT_DOC)) != NULL &&
	    def->nauth > 0)
		ad = def;
	for (i = 0; i < t->ncfgs; i++)
		if (t->cfgs[i].tdoc == td && t->cfgs[i].adoc == ad)
			return (int)i;
	t->cfgs = wz_reallocarray(t->cfgs, t->ncfgs + 1, sizeof(*t->cfgs));
	c = &t->cfgs[t->ncfgs];
	memset(c, 0, sizeof(*c));
	c->tdoc = td;
	c->adoc = ad;
	c->ptier = wz_calloc(t->rs->nposts + 1, 1);
	for (i = 0; i < t->rs->nposts; i++) {
		const char *code = t->rs->posts[i].code;

		if (in_list(t, code, &td->tiers->direct))
			c->ptier[i] = T_DIRECT;
		else if (in_list(t, code, &td->tiers->main_leader))
			c->ptier[i] = T_MAIN;
		else if (in_list(t, code, &td->tiers->important_leader))
			c->ptier[i] = T_IMPORTANT;
	}
	if ((cite = lgroup_cite(td)) == NULL)
		cite = lgroup_cite(wz_rules_doc(t->rs, DEFAULT_DOC));
	c->lgroup_cite = cite != NULL ? wz_strdup(cite) : NULL;
	c->auth = wz_calloc(t->rs->nposts * NRANK + 1, sizeof(*c->auth));
	return (int)t->ncfgs++;
}

/* Add the items of l to a ';' list in b, each once. */
static void
add_unique(struct wz_buf *b, const struct wz_strv *l)
{
	size_t i, k, n;
	const char *p, *e;
	int seen;

	for (i = 0; i < l->n; i++) {
		n = strlen(l->v[i]);
		seen = 0;
		for (p = b->s, k = 0; p != NULL && k < b->len; p = e + 1) {
			e = memchr(p, ';', b->len - (size_t)(p - b->s));
			if (e == NULL)
				e = b->s + b->len;
			if ((size_t)(e - p) == n && memcmp(p, l->v[i], n) == 0)
				seen = 1;
			k = (size_t)(e - b->s) + 1;
		}
		if (seen)
			continue;
		if (b->len > 0)
			wz_buf_addc(b, ';');
		wz_buf_add(b, l->v[i], n);
	}
	wz_buf_cstr(b);
}

static struct auth *
authority(struct wz_tier *t, int cfg, int pidx, int rank_i)
{
	struct tcfg *c = &t->cfgs[cfg];
	struct auth *a;
	const struct wz_authority *e;
	struct wz_buf pb = { 0 }, db = { 0 }, cb = { 0 };
	struct wz_strv one;
	const char *code;
	char *cite;
	size_t i;
	int esc;

	if (pidx < 0 || c->adoc == NULL) {
		/* No authority: empty proposer and decider. */
		t->noauth.done = 1;
		t->noauth.proposer = t->noauth.decider = t->noauth.cites =
		    (char *)"";
		return &t->noauth;
	}
	a = &c->auth[(size_t)pidx * NRANK + (size_t)rank_i];
	if (a->done)
		return a;
	code = t->rs->posts[pidx].code;
	for (i = 0; i < c->adoc->nauth; i++) {
		e = &c->adoc->auth[i];
		if (!in_list(t, code, &e->posts))
			continue;
		esc = e->rank != NULL && e->escalate_decider.n > 0 &&
		    strcmp(rank_name[rank_i], e->rank) == 0;
		/* A rank without escalate limits the entry to that rank. */
		if (e->rank != NULL && e->escalate_decider.n == 0 &&
		    strcmp(rank_name[rank_i], e->rank) != 0)
			continue;
		add_unique(&pb, &e->proposer);
		add_unique(&db, esc ? &e->escalate_decider : &e->decider);
		cite = e->cite;
		one.v = &cite;
		one.n = 1;
		add_unique(&cb, &one);
		if (esc)
			a->escalated = 1;
	}
	a->proposer = wz_strdup(pb.len ? pb.s : "");
	a->decider = wz_strdup(db.len ? db.s : "");
	a->lprop = pb.len;
	a->ldec = db.len;
	a->cites = wz_strdup(cb.len ? cb.s : "");
	a->done = 1;
	wz_buf_free(&pb);
	wz_buf_free(&db);
	wz_buf_free(&cb);
	return a;
}

static int
cond_tests_grade(const struct wz_cond *c)
{
	size_t i;

	if (c == NULL)
		return 0;
	if (c->field != NULL && strcmp(c->field, "grade") == 0)
		return 1;
	for (i = 0; i < c->nkids; i++)
		if (cond_tests_grade(c->kids[i]))
			return 1;
	return cond_tests_grade(c->hist_cond);
}

static int
get_art(struct wz_tier *t, const char *id, size_t n)
{
	struct artinfo *a;
	const struct wz_doc *d;
	char *key, *colon;
	size_t i, j, k;
	int ai;

	if ((ai = smap_get(&t->artmap, id, n)) >= 0)
		return ai;
	key = arena_strndup(&t->ar, id, n);
	t->arts = wz_reallocarray(t->arts, t->narts + 1, sizeof(*t->arts));
	a = &t->arts[t->narts];
	memset(a, 0, sizeof(*a));
	a->art = wz_rules_article(t->rs, key);
	d = a->art != NULL ? a->art->doc : NULL;
	if (d == NULL && (colon = strchr(key, ':')) != NULL) {
		*colon = '\0';
		d = wz_rules_doc(t->rs, key);
		*colon = ':';
	}
	a->cfg = get_cfg(t, d);
	if (t->cfgs[a->cfg].lgroup_cite != NULL) {
		const char *c = t->cfgs[a->cfg].lgroup_cite;

		k = strlen(c);
		a->lgroup = strcmp(key, c) == 0 || (strncmp(key, c, k) == 0 &&
		    key[k] == '.');
	}
	for (i = 0; i < t->rs->ndocs; i++) {
		d = t->rs->docs[i];
		for (j = 0; j < d->npens; j++)
			for (k = 0; k < d->pens[j].for_articles.n; k++)
				if (strcmp(d->pens[j].for_articles.v[k], key) ==
				    0) {
					a->pens = wz_reallocarray(a->pens,
					    a->npens + 1, sizeof(*a->pens));
					a->pens[a->npens++] = &d->pens[j];
					break;
				}
	}
	if (a->art != NULL)
		for (i = 0; i < a->art->ncases; i++) {
			if (!cond_tests_grade(a->art->cases[i].match))
				continue;
			if (a->art->cases[i].id == NULL) {
				a->grade_nocase = 1;
				continue;
			}
			a->grade_cases = wz_reallocarray(a->grade_cases,
			    a->ngrade + 1, sizeof(*a->grade_cases));
			a->grade_cases[a->ngrade++] = a->art->cases[i].id;
		}
	smap_put(&t->artmap, key, n, (int)t->narts);
	return (int)t->narts++;
}

/* ------------------------------------------------------------ setup */

struct wz_tier *
wz_tier_new(const struct wz_ruleset *rs, const struct wz_tier_opts *o,
    int *status)
{
	struct wz_tier *t = wz_calloc(1, sizeof(*t));
	const struct wz_doc *d;
	size_t i, j;
	int rc;

	*status = 0;
	t->rs = rs;
	t->o = *o;
	/* The violations' --skip and --no-header are not the roster's. */
	if (o->ropts != NULL)
		t->ro = *o->ropts;
	t->ro.skip = 0;
	t->ro.no_header = 0;
	t->al = wz_rules_aliases(rs);
	t->nm = wz_norm_new();
	t->sc = wz_scopes_new();
	t->county = -1;
	t->lastrc = -9;
	t->lastart = -1;
	if (o->tiers_doc != NULL) {
		t->forced = wz_rules_doc(rs, o->tiers_doc);
		if (t->forced == NULL || t->forced->tiers == NULL) {
			wz_msg(NULL, 0, "--tiers %s: %s", o->tiers_doc,
			    t->forced == NULL ? "no such document in the rules"
			    : "that document has no tier table");
			*status = EX_USAGE;
			goto fail;
		}
	}
	t->deftdoc = wz_rules_doc(rs, DEFAULT_DOC);
	if (t->deftdoc == NULL || t->deftdoc->tiers == NULL) {
		t->deftdoc = NULL;
		for (i = 0; i < rs->ndocs && t->deftdoc == NULL; i++)
			if (rs->docs[i]->tiers != NULL)
				t->deftdoc = rs->docs[i];
	}
	if (t->deftdoc == NULL && t->forced == NULL) {
		wz_msg(NULL, 0, "no document in the rules has a tier table");
		*status = EX_CONFIG;
		goto fail;
	}
	/* Posts some table puts at a leader tier: a node keeps them in a
	 * chain of their own, so the walk up skips everyone else. */
	t->leader_post = wz_calloc(rs->nposts + 1, 1);
	t->lgroup_post = wz_calloc(rs->nposts + 1, sizeof(int));
	for (i = 0; i < rs->nposts; i++) {
		t->lgroup_post[i] = wz_post_within(&rs->posts[i],
		    LGROUP_POST);
		for (j = 0; j < rs->ndocs; j++) {
			d = rs->docs[j];
			if (d->tiers == NULL)
				continue;
			if (in_list(t, rs->posts[i].code,
			    &d->tiers->main_leader) || in_list(t,
			    rs->posts[i].code, &d->tiers->important_leader))
				t->leader_post[i] = 1;
		}
	}
	if ((rc = load_roster(t, o->roster)) != 0) {
		*status = rc;
		goto fail;
	}
	if (o->resolve != NULL && (rc = load_resolve(t, o->resolve)) != 0) {
		*status = rc;
		goto fail;
	}
	return t;
fail:
	wz_tier_free(t);
	return NULL;
}

void
wz_tier_free(struct wz_tier *t)
{
	size_t i, k;

	if (t == NULL)
		return;
	wz_buf_free(&t->enc.b);
	wz_buf_free(&t->encb);
	free(t->rtail);
	free(t->noauth.enc);
	for (i = 0; i < t->ncfgs; i++) {
		for (k = 0; k < t->rs->nposts * NRANK; k++)
			if (t->cfgs[i].auth[k].done) {
				free(t->cfgs[i].auth[k].proposer);
				free(t->cfgs[i].auth[k].decider);
				free(t->cfgs[i].auth[k].cites);
				free(t->cfgs[i].auth[k].enc);
			}
		free(t->cfgs[i].auth);
		free(t->cfgs[i].ptier);
		free(t->cfgs[i].lgroup_cite);
	}
	free(t->cfgs);
	for (i = 0; i < t->narts; i++) {
		free(t->arts[i].pens);
		free(t->arts[i].grade_cases);
		for (k = 0; k < t->arts[i].ngn; k++) {
			free(t->arts[i].gn[k].cases);
			free(t->arts[i].gn[k].pen);
		}
		free(t->arts[i].gn);
	}
	free(t->arts);
	smap_free(&t->artmap);
	for (i = 0; i < t->nplaces; i++) {
		free(t->places[i]->path);
		free(t->places[i]->why);
		free(t->places[i]);
	}
	free(t->places);
	free(t->tmpplace.path);
	free(t->tmpplace.why);
	free(t->tmpunit.path);
	free(t->tmpunit.why);
	smap_free(&t->placemap);
	smap_free(&t->titlemap);
	free(t->titleposts);
	smap_free(&t->bypid);
	smap_free(&t->byname);
	smap_free(&t->byidn);
	smap_free(&t->resolve);
	free(t->rpid);
	free(t->rline);
	wz_big_free(t->roles, t->caproles * sizeof(*t->roles));
	free(t->leader_post);
	free(t->lr);
	free(t->lgroup_post);
	free(t->roster_name);
	free(t->resolve_name);
	free(t->ents);
	wz_buf_free(&t->scratch);
	wz_buf_free(&t->key);
	wz_buf_free(&t->b1);
	wz_buf_free(&t->b2);
	wz_buf_free(&t->why);
	wz_buf_free(&t->nwhy);
	wz_buf_free(&t->path);
	wz_buf_free(&t->lastkey);
	wz_buf_free(&t->pkey);
	wz_buf_free(&t->plast);
	wz_buf_free(&t->pmsgs);
	wz_buf_free(&t->pscratch);
	free(t->pents);
	wz_buf_free(&t->lastdate);
	wz_buf_free(&t->lastartid);
	for (i = 0; i < t->nteams; i++)
		free(t->teams[i]);
	free(t->teams);
	smap_free(&t->teammap);
	wz_scopes_free(t->sc);
	if (t->nm != NULL)
		wz_norm_free(t->nm);
	arena_free(&t->ar);
	free(t);
}

void
wz_tier_stats(const struct wz_tier *t, struct wz_tier_stats *st)
{
	*st = t->st;
}

int
wz_tier_bind(struct wz_tier *t, const struct wz_row *hdr, const char *name)
{
	int idx[4], c;
	size_t i, k, n;
	const char *eq;

	t->in_name = name;
	for (i = 0; i < NFIELD; i++) {
		t->col[i] = -1;
		if (i == F_ID && (c = roster_col(hdr, "finding_id")) >= 0) {
			t->col[i] = c;
			continue;
		}
		n = wz_col_lookup(hdr, field_name[i], &t->al, idx, 4);
		if (n > 1) {
			wz_msg(name, 1, "columns %s and %s are both the field "
			    "'%s': choose one with --field %s=COLUMN",
			    hdr->f[idx[0]], hdr->f[idx[1]], field_name[i],
			    field_name[i]);
			return EX_DATAERR;
		}
		if (n == 1)
			t->col[i] = idx[0];
	}
	for (k = 0; k < t->o.nfields; k++) {
		eq = strchr(t->o.fields[k], '=');
		for (i = 0; eq != NULL && i < NFIELD; i++)
			if (strlen(field_name[i]) == (size_t)(eq -
			    t->o.fields[k]) && strncmp(field_name[i],
			    t->o.fields[k], (size_t)(eq - t->o.fields[k])) == 0)
				break;
		if (eq == NULL || i == NFIELD) {
			wz_msg(NULL, 0, "--field %s: not NAME=COLUMN with NAME "
			    "one of id, name, person_id, id_number, title, "
			    "county, township, village, place, unit, date, "
			    "found_date, year, values, article",
			    t->o.fields[k]);
			return EX_USAGE;
		}
		c = wz_col_find(hdr, eq + 1);
		if (c < 0) {
			wz_msg(name, 1, "--field %s: %s", t->o.fields[k],
			    c == -1 ? "no such column" : "several columns "
			    "have that name");
			return c == -1 ? EX_USAGE : EX_DATAERR;
		}
		t->col[i] = c;
	}
	if (t->col[F_ARTICLE] < 0) {
		wz_msg(name, 1, "no article column: the input should be "
		    "wz-match's output");
		return EX_DATAERR;
	}
	if (t->nres > 0 && t->col[F_ID] < 0) {
		wz_msg(name, 1, "--resolve needs a finding id column "
		    "(finding_id, 编号 ..., or --field id=COLUMN)");
		return EX_USAGE;
	}
	t->bound = 1;
	return 0;
}

void
wz_tier_write_header(struct wz_tier *t, struct wz_writer *w,
    const struct wz_row *hdr)
{
	static const char *const cols[] = { "liable_id", "liable_name",
	    "liable_role", "liable_rank", "liable_party_member", "tier",
	    "proposer", "decider", NULL };
	static const char *const zh[] = { "liable_role_zh", "tier_zh", NULL };

	wz_writer_filter_header(w, hdr, cols, t->o.labels_zh ? zh : NULL,
	    t->o.explain);
}

/* ------------------------------------------------------------ places */

/* Fill pl from the path in t->path, node and status. */
static void
place_fill(struct wz_tier *t, struct place *pl, int st, int node)
{
	const char *p = t->path.s != NULL ? t->path.s : "", *q;
	size_t n = t->path.len, off[64], len[64], k = 0, cd, i;
	int kind = K_OTHER, pk = K_OTHER;

	free(pl->path);
	free(pl->why);
	pl->status = st;
	pl->path = wz_strndup(p, n);
	pl->len = n;
	pl->node = node;
	pl->exact = node >= 0 && t->sc->v[node].len == n;
	pl->why = t->why.len ? wz_strndup(t->why.s, t->why.len) : NULL;
	for (i = 0; i < n && k < 64; i = (size_t)(q - p) + 1) {
		q = memchr(p + i, '/', n - i);
		if (q == NULL)
			q = p + n;
		off[k] = i;
		len[k++] = (size_t)(q - p) - i;
	}
	cd = k > 0 && county_name(p + off[0], len[0]) ? 1 : 0;
	/* The kind of each part: the tree's, else by its name. */
	for (i = 0; i < k; i++) {
		int id = wz_scopes_find(t->sc, p, off[i] + len[i]);

		kind = id >= 0 ? t->sc->v[id].kind : name_kind(p + off[i],
		    len[i], (int)i + 1, pk);
		if (i == cd && k > cd + 1) {
			/* A place inside a township: the township is where a
			 * name is looked for. */
			pl->alen = kind == K_TOWN ? off[i] + len[i] : n;
		}
		pk = kind;
	}
	if (k <= cd + 1)
		pl->alen = n;
	pl->kind = k > 0 ? kind : K_OTHER;
	pl->county_level = k == cd || (k == cd + 1 && kind != K_TOWN &&
	    kind != K_VILLAGE);
}

/*
 * The place of the current row, or with unit_only that of its unit
 * column alone (where a name not found at the place is looked for).
 */
static const struct place *
get_place(struct wz_tier *t, int unit_only)
{
	static const int fs[] = { F_COUNTY, F_TOWNSHIP, F_VILLAGE, F_PLACE,
	    F_UNIT };
	const char *v[5], *parts[3];
	size_t vn[5], i, np = 0, n;
	struct place *pl;
	char *nv[5] = { NULL, NULL, NULL, NULL, NULL };
	const char *s;
	int pi, node, st, base;

	wz_buf_reset(&t->key);
	for (i = 0; i < 5; i++) {
		v[i] = cell(t, fs[i], &vn[i]);
		if (unit_only && fs[i] != F_COUNTY && fs[i] != F_UNIT) {
			v[i] = "";
			vn[i] = 0;
		}
		wz_buf_add(&t->key, v[i], vn[i]);
		wz_buf_addc(&t->key, '\x1f');
	}
	if (!unit_only) {
		if (t->lastpl != NULL && t->key.len == t->lastkey.len &&
		    memcmp(t->key.s, t->lastkey.s, t->key.len) == 0)
			return t->lastpl;
		wz_buf_reset(&t->lastkey);
		wz_buf_add(&t->lastkey, t->key.s, t->key.len);
	}
	if ((pi = smap_get(&t->placemap, t->key.s, t->key.len)) >= 0) {
		if (unit_only)
			return t->places[pi];
		return t->lastpl = t->places[pi];
	}
	for (i = 0; i < 5; i++) {
		s = norm(t->nm, v[i], vn[i], &n);
		nv[i] = wz_strndup(s, n);
	}
	base = t->county;
	if (*nv[1] != '\0' || *nv[2] != '\0') {
		if (*nv[0] != '\0') {
			parts[np++] = nv[0];
			base = -1;
		}
		parts[np++] = nv[1];
		parts[np++] = nv[2];
	} else if (*nv[3] != '\0' || *nv[4] != '\0') {
		parts[np++] = *nv[3] != '\0' ? nv[3] : nv[4];
		if (*nv[0] != '\0') {
			parts[np++] = parts[0];
			parts[0] = nv[0];
			base = -1;
		} else if (county_name(parts[0], strlen(parts[0])) ||
		    (strchr(parts[0], '/') != NULL && county_name(parts[0],
		    (size_t)(strchr(parts[0], '/') - parts[0]))))
			base = -1;
		else {
			/* Another county named at the start: from the top. */
			int id;

			for (id = base < 0 ? -1 : 0; id >= 0 &&
			    (size_t)id < t->sc->n; id++)
				if (t->sc->v[id].parent < 0 && id != base &&
				    t->sc->v[id].kind == K_COUNTY &&
				    strncmp(parts[0], t->sc->v[id].path,
				    t->sc->v[id].len) == 0) {
					base = -1;
					break;
				}
		}
	} else if (*nv[0] != '\0') {
		parts[np++] = nv[0];
		base = -1;
	}
	if (np == 0) {
		wz_buf_reset(&t->path);
		wz_buf_reset(&t->why);
		st = WZ_PLACE_NONE;
		node = -1;
	} else
		st = wz_scopes_resolve(t->sc, base, parts, np, &t->path, &node,
		    &t->why);
	if (st == WZ_PLACE_OK && node < 0)
		st = WZ_PLACE_NONE;
	for (i = 0; i < 5; i++)
		free(nv[i]);
	if (t->nplaces < PLACE_CACHE_MAX) {
		t->places = wz_reallocarray(t->places, t->nplaces + 1,
		    sizeof(*t->places));
		pl = t->places[t->nplaces] = wz_calloc(1, sizeof(*pl));
		place_fill(t, pl, st, node);
		smap_put(&t->placemap, arena_strndup(&t->ar, t->key.s,
		    t->key.len), t->key.len, (int)t->nplaces);
		t->nplaces++;
		if (unit_only)
			return pl;
		return t->lastpl = pl;
	}
	if (unit_only) {
		place_fill(t, &t->tmpunit, st, node);
		return &t->tmpunit;
	}
	place_fill(t, &t->tmpplace, st, node);
	return t->lastpl = &t->tmpplace;
}

/* ---------------------------------------------------------- persons */

/* The posts a finding's title names (cached).  When a post pattern
 * cannot finish on it, none, t->rxfail set and nothing cached. */
static const struct wz_post *const *
title_posts(struct wz_tier *t, size_t *np)
{
	const char *s;
	size_t n, k, um;
	int ti, rc;
	const struct wz_post *buf[4] = { NULL, NULL, NULL, NULL };
	char *z;

	s = cell(t, F_TITLE, &n);
	*np = 0;
	if (n == 0)
		return NULL;
	if ((ti = smap_get(&t->titlemap, s, n)) < 0) {
		z = wz_strndup(s, n);
		k = wz_rules_title_posts(t->rs, z, buf, 4, &um, &rc);
		free(z);
		if (rc != 0) {
			t->rxfail = rc;
			return NULL;
		}
		if (t->ntitles >= TITLE_CACHE_MAX) {
			static const struct wz_post *one[4];

			memcpy(one, buf, sizeof(one));
			*np = k;
			return one;
		}
		t->titleposts = wz_reallocarray(t->titleposts,
		    (t->ntitles + 1) * 4, sizeof(*t->titleposts));
		memcpy(t->titleposts + t->ntitles * 4, buf, sizeof(buf));
		ti = (int)t->ntitles++;
		smap_put(&t->titlemap, arena_strndup(&t->ar, s, n), n, ti);
	}
	for (k = 0; k < 4 && t->titleposts[ti * 4 + k] != NULL; k++)
		;
	*np = k;
	return t->titleposts + (size_t)ti * 4;
}

/* The title's posts, looked up the first time they are needed. */
struct tposts {
	int		 done;
	const struct wz_post *const *v;
	size_t		 n;
};

static void
tp_get(struct wz_tier *t, struct tposts *tp)
{
	if (!tp->done) {
		tp->v = title_posts(t, &tp->n);
		tp->done = 1;
	}
}

static int
title_fits(struct wz_tier *t, const struct role *r, struct tposts *tp)
{
	size_t i;

	if (r->post == NULL)
		return 0;
	tp_get(t, tp);
	for (i = 0; i < tp->n; i++)
		if (wz_post_is(t->rs, r->code, tp->v[i]->code) ||
		    wz_post_is(t->rs, tp->v[i]->code, r->code))
			return 1;
	return 0;
}

static const char *
node_path(const struct wz_tier *t, int node, size_t *n)
{
	if (node < 0) {
		*n = 0;
		return "";
	}
	*n = t->sc->v[node].len;
	return t->sc->v[node].path;
}

/* Is role r's scope related to the place: it contains the place, or
 * lies in the area searched (the township, or the place itself)? */
static int
related(const struct wz_tier *t, const struct role *r,
    const struct place *pl)
{
	const char *rp;
	size_t rn;

	if (r->node < 0)
		return 0;
	if (pl->status == WZ_PLACE_NONE)
		return 1;
	rp = node_path(t, r->node, &rn);
	return wz_scope_contains(rp, rn, pl->path, pl->len) ||
	    wz_scope_contains(pl->path, pl->alen, rp, rn);
}

/* The role of person p that best fits the finding. */
static int
best_role(struct wz_tier *t, int person, const struct place *pl,
    wz_day lo, wz_day hi, struct tposts *tp)
{
	const struct role *r;
	int id, best = person, score, bs = -1;

	if (t->roles[person].next_pid < 0)
		return person;
	for (id = person; id >= 0; id = r->next_pid) {
		r = &t->roles[id];
		score = 4 * title_fits(t, r, tp) + 2 *
		    wz_tier_overlaps(r->from, r->to, lo, hi) + related(t, r, pl);
		/* The chain runs in roster order: keep the first best. */
		if (score > bs) {
			bs = score;
			best = id;
		}
		if (*r->pid == '\0')
			break;
	}
	return best;
}

static struct ent *
new_ent(struct wz_tier *t, int kind, int tier)
{
	struct ent *e;

	if (t->nents == t->capents) {
		t->capents = t->capents ? t->capents * 2 : 16;
		t->ents = wz_reallocarray(t->ents, t->capents,
		    sizeof(*t->ents));
	}
	e = &t->ents[t->nents++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->tier = tier;
	e->seq = (int)t->nents;
	e->person = e->role = -1;
	return e;
}

static void
scratch_str(struct wz_tier *t, const char *s, size_t n, size_t *off,
    size_t *len)
{
	*off = t->scratch.len;
	*len = n;
	wz_buf_add(&t->scratch, s, n);
}

/* A new entry for person p at a tier, through role. */
static struct ent *
new_person(struct wz_tier *t, int tier, int role, int p)
{
	struct ent *e = new_ent(t, E_PERSON, tier);

	e->person = p;
	e->role = role;
	e->roles[0] = role;
	e->nroles = 1;
	return e;
}

/* One more role of an entry's person (counted past MAXROLES). */
static void
ent_role(struct ent *e, int role)
{
	if (e->nroles < MAXROLES)
		e->roles[e->nroles++] = role;
	else
		e->more++;
}

/* Add person p at a tier through role r, once per person and tier. */
static void
add_person(struct wz_tier *t, int tier, int role, int p)
{
	struct ent *e;
	size_t i;

	for (i = 0; i < t->nents; i++) {
		e = &t->ents[i];
		if (e->kind == E_PERSON && e->person == p && e->tier == tier) {
			ent_role(e, role);
			return;
		}
	}
	new_person(t, tier, role, p);
}

/*
 * A member of a unit's team on a grade row: one row per person (the
 * handling is by post, Decision 4), through the role held in the unit
 * itself if there is one, else the first in the roster.
 */
static void
add_member(struct wz_tier *t, int tier, int role,
    const struct wz_penalty *pen, int unit)
{
	int p = t->roles[role].person, k;
	struct ent *e;
	size_t i;

	for (i = 0; i < t->nents; i++) {
		e = &t->ents[i];
		if (e->kind != E_PERSON || e->person != p)
			continue;
		if (t->roles[role].node == unit && t->roles[e->role].node !=
		    unit) {
			/* This role is the better one: first. */
			k = e->nroles < MAXROLES ? e->nroles : MAXROLES - 1;
			if (e->nroles == MAXROLES)
				e->more++;
			memmove(e->roles + 1, e->roles, (size_t)k *
			    sizeof(e->roles[0]));
			e->roles[0] = role;
			e->nroles = k + 1;
			e->role = role;
			e->tier = tier;
			e->pen = pen;
		} else
			ent_role(e, role);
		return;
	}
	new_person(t, tier, role, p)->pen = pen;
}

/*
 * Unresolved direct actor: the finding's name, the post its title
 * names, the reason.
 */
static void
add_unresolved(struct wz_tier *t, const char *name, size_t n,
    struct tposts *tp, const char *why)
{
	struct ent *e = new_ent(t, E_UNRESOLVED, T_DIRECT);

	scratch_str(t, name, n, &e->noff, &e->nlen);
	scratch_str(t, why, strlen(why), &e->woff, &e->wlen);
	if (tp != NULL)
		tp_get(t, tp);
	e->post = tp != NULL && tp->n > 0 ? tp->v[0] : NULL;
	t->st.unresolved++;
	if (n > 0)
		report(t, "%.*s: %s", (int)n, name, why);
	else
		report(t, "%s", why);
}

/* Find the person named name[0..n) by name around the place. */
static int
by_name(struct wz_tier *t, const char *name, size_t n,
    const struct place *pl, wz_day lo, wz_day hi,
    struct tposts *tp, struct wz_buf *why)
{
	int *cand = NULL, id, np = 0, cap = 0, i, j, keep, elsewhere = 0;
	int *fit = NULL;
	const struct role *r;
	size_t an;

	for (id = smap_get(&t->byname, name, n); id >= 0; id =
	    t->roles[id].next_name) {
		r = &t->roles[id];
		if (!related(t, r, pl)) {
			elsewhere++;
			continue;
		}
		for (i = 0; i < np; i++)
			if (t->roles[cand[i]].person == r->person)
				break;
		if (i < np)
			continue;
		if (np == cap) {
			cap = cap ? cap * 2 : 8;
			cand = wz_reallocarray(cand, (size_t)cap,
			    sizeof(*cand));
		}
		cand[np++] = id;
	}
	an = pl->status == WZ_PLACE_NONE ? 0 : pl->alen;
	if (np == 0) {
		wz_buf_reset(why);
		wz_buf_printf(why, "not in the roster under %.*s", (int)an,
		    an > 0 ? pl->path : "the county");
		if (elsewhere > 0)
			wz_buf_printf(why, " (the roster has %d role%s of that "
			    "name elsewhere)", elsewhere, elsewhere > 1 ? "s" :
			    "");
		free(cand);
		return -1;
	}
	/*
	 * Several people: keep those whose roles fit the title, then those
	 * in post at the time, if that leaves anyone.
	 */
	fit = wz_calloc((size_t)np, sizeof(*fit));
	for (j = 0; j < 2 && np > 1; j++) {
		keep = 0;
		for (i = 0; i < np; i++) {
			int rid, ok = 0;

			for (rid = smap_get(&t->byname, name, n); rid >= 0;
			    rid = t->roles[rid].next_name) {
				r = &t->roles[rid];
				if (r->person != t->roles[cand[i]].person ||
				    !related(t, r, pl))
					continue;
				if (j == 0 ? title_fits(t, r, tp) :
				    wz_tier_overlaps(r->from, r->to, lo, hi))
					ok = 1;
			}
			fit[i] = ok;
			keep += ok;
		}
		if (keep == 0)
			continue;
		for (i = keep = 0; i < np; i++)
			if (fit[i])
				cand[keep++] = cand[i];
		np = keep;
	}
	free(fit);
	if (np == 1) {
		id = t->roles[cand[0]].person;
		free(cand);
		return id;
	}
	wz_buf_reset(why);
	wz_buf_printf(why, "%d people of that name under %.*s (", np, (int)an,
	    an > 0 ? pl->path : "the county");
	for (i = 0; i < np; i++) {
		r = &t->roles[cand[i]];
		wz_buf_printf(why, "%s%s %s", i ? ", " : "", *r->pid ? r->pid :
		    "?", r->scope);
	}
	wz_buf_adds(why, "): settle it with --resolve");
	free(cand);
	return -2;
}

/* The person whose id is s[0..n) in the person id or id number index. */
static int
by_id(struct wz_tier *t, const char *s, size_t n, int idnum)
{
	int id;
	char *up;
	size_t i;

	if (idnum && t->has_idnum) {
		/* ID numbers end in X or x. */
		up = wz_strndup(s, n);
		for (i = 0; i < n; i++)
			if (up[i] == 'x')
				up[i] = 'X';
		id = smap_get(&t->byidn, up, n);
		if (id < 0)
			for (i = 0; i < n; i++)
				if (up[i] == 'X')
					up[i] = 'x';
		if (id < 0)
			id = smap_get(&t->byidn, up, n);
		free(up);
		if (id >= 0)
			return t->roles[id].person;
	}
	id = smap_get(&t->bypid, s, n);
	return id >= 0 ? t->roles[id].person : -1;
}

/* Split the names a cell holds (张三、李四), notes in parentheses
 * dropped.  Returns how many (at most max). */
static size_t
split_names(const char *s, size_t n, size_t *off, size_t *len, size_t max)
{
	size_t i = 0, start = 0, k = 0, sep, depth = 0, j, e;

	while (i <= n) {
		sep = 0;
		if (i == n)
			sep = 1;
		else if (s[i] == '(') {
			depth++;
		} else if (s[i] == ')' && depth > 0) {
			depth--;
		} else if (depth == 0 && (s[i] == ',' || s[i] == ';' ||
		    s[i] == '/' || s[i] == ' '))
			sep = 1;
		else if (depth == 0 && n - i >= 3 && memcmp(s + i, "、", 3) ==
		    0)
			sep = 3;
		if (sep > 0) {
			/* Drop a note in parentheses at the end. */
			e = i;
			for (j = start; j < e; j++)
				if (s[j] == '(') {
					e = j;
					break;
				}
			if (e > start && k < max) {
				off[k] = start;
				len[k++] = e - start;
			}
			if (i == n)
				break;
			i += sep;
			start = i;
			continue;
		}
		i++;
	}
	return k;
}

/* The place of the unit column, when the row's place came from other
 * columns and the unit is somewhere else; else NULL. */
static const struct place *
unit_place(struct wz_tier *t, const struct place *pl)
{
	const struct place *upl;
	size_t n;

	(void)cell(t, F_UNIT, &n);
	if (n == 0)
		return NULL;
	upl = get_place(t, 1);
	if (upl->status == WZ_PLACE_NONE || upl->status ==
	    WZ_PLACE_AMBIGUOUS || upl->node < 0 || !upl->exact)
		return NULL;
	if (upl->len == pl->len && memcmp(upl->path, pl->path, pl->len) == 0)
		return NULL;
	return upl;
}

static void
direct(struct wz_tier *t, const struct place *pl, wz_day lo, wz_day hi,
    int *actors, size_t *nactors)
{
	struct tposts tp = { 0, NULL, 0 };
	const struct place *upl, *e_upl = NULL;
	size_t n, fn, in, pn, nn, k, off[16], len[16];
	const char *name, *fid, *idn, *pid, *nm;
	char nbuf[256];
	int person, src;
	unsigned long sline = 0;
	struct ent *e;
	int ri;

	*nactors = 0;
	name = cell(t, F_NAME, &n);
	pid = cell(t, F_PID, &pn);
	idn = cell(t, F_IDNUM, &in);
	fid = cell(t, F_ID, &fn);
	if (n > 0) {
		name = norm(t->nm, name, n, &n);
		nn = split_names(name, n, off, len, 16);
	} else
		nn = 0;
	if (nn == 0 && pn == 0 && in == 0)
		return;
	/* A title the post patterns cannot read rejects the row whoever
	 * is named, not only when it would have settled a name. */
	tp_get(t, &tp);
	if (t->rxfail != 0)
		return;
	if (nn == 0) {
		off[0] = len[0] = 0;
		nn = 1;
	}
	for (k = 0; k < nn; k++) {
		nm = name + off[k];
		n = len[k];
		/* nm may live in the normaliser's buffer; keep a copy. */
		if (n >= sizeof(nbuf))
			n = sizeof(nbuf) - 1;
		memcpy(nbuf, nm, n);
		nbuf[n] = '\0';
		nm = nbuf;
		person = -1;
		src = S_NONE;
		wz_buf_reset(&t->nwhy);
		if (t->nres > 0 && fn > 0) {
			wz_buf_reset(&t->key);
			wz_buf_add(&t->key, fid, fn);
			wz_buf_addc(&t->key, '\x1f');
			wz_buf_add(&t->key, nm, n);
			ri = smap_get(&t->resolve, t->key.s, t->key.len);
			if (ri < 0 && nn == 1)
				ri = smap_get(&t->resolve, fid, fn);
			if (ri >= 0) {
				src = S_RESOLVE;
				sline = t->rline[ri];
				person = by_id(t, t->rpid[ri],
				    strlen(t->rpid[ri]), 0);
				if (person < 0)
					wz_buf_printf(&t->nwhy, "%s:%lu settles "
					    "it as %s, who is not in the roster",
					    t->resolve_name, sline,
					    t->rpid[ri]);
			}
		}
		if (src == S_NONE && nn == 1 && (pn > 0 || in > 0)) {
			src = pn > 0 ? S_PID : S_IDNUM;
			person = pn > 0 ? by_id(t, pid, pn, 0) :
			    by_id(t, idn, in, 1);
			if (person < 0)
				wz_buf_printf(&t->nwhy, "%s %.*s is not in the "
				    "roster", pn > 0 ? "person_id" :
				    "id_number", (int)(pn > 0 ? pn : in),
				    pn > 0 ? pid : idn);
			else if (n > 0 && strcmp(t->roles[person].name, nm) !=
			    0)
				report(t, "%s %.*s is %s in the roster, the "
				    "finding names %s: the id is used",
				    pn > 0 ? "person_id" : "id_number",
				    (int)(pn > 0 ? pn : in), pn > 0 ? pid : idn,
				    t->roles[person].name, nm);
		}
		if (src == S_NONE && n > 0) {
			src = S_NAME;
			person = by_name(t, nm, n, pl, lo, hi, &tp,
			    &t->nwhy);
			/*
			 * Not at the place: the finding's unit, where the
			 * place came from other columns (a department's
			 * staff acting in a village).
			 */
			if (person == -1 && (upl = unit_place(t, pl)) !=
			    NULL) {
				wz_buf_reset(&t->b2);
				person = by_name(t, nm, n, upl, lo, hi, &tp,
				    &t->b2);
				if (person >= 0) {
					src = S_UNIT;
					e_upl = upl;
				} else if (person == -2) {
					wz_buf_reset(&t->nwhy);
					wz_buf_add(&t->nwhy, t->b2.s, t->b2.len);
				}
			}
		}
		if (person < 0) {
			add_unresolved(t, nm, n, &tp,
			    wz_buf_cstr(&t->nwhy));
			continue;
		}
		e = new_person(t, T_DIRECT, best_role(t, person, pl, lo, hi,
		    &tp), person);
		e->src = src;
		e->srcline = sline;
		if (src == S_UNIT)
			scratch_str(t, e_upl->path, e_upl->alen, &e->uoff,
			    &e->ulen);
		actors[(*nactors)++] = person;
	}
}

static int
is_actor(const int *actors, size_t n, int person)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (actors[i] == person)
			return 1;
	return 0;
}

/* main_leader and important_leader: the walk up from the place. */
static void
leaders(struct wz_tier *t, const struct artinfo *a, const struct place *pl,
    wz_day lo, wz_day hi, const int *actors, size_t nactors)
{
	const struct tcfg *c = &t->cfgs[a->cfg];
	const struct lrole *l, *e;
	const struct snode *nd;
	int id, tier;

	for (id = pl->node; id >= 0; id = nd->parent) {
		nd = &t->sc->v[id];
		for (l = t->lr + nd->lroles, e = l + nd->nlroles; l < e; l++) {
			tier = c->ptier[l->pidx];
			if (tier != T_MAIN && tier != T_IMPORTANT)
				continue;
			if (t->lgroup_post[l->pidx] && !(a->lgroup &&
			    pl->county_level))
				continue;
			if (!wz_tier_overlaps(l->from, l->to, lo, hi))
				continue;
			if (is_actor(actors, nactors, l->person))
				continue;
			add_person(t, tier, l->role, l->person);
		}
	}
}

/* The case ids in a values cell ("amount=1;case=a,b"): *cs, *cn. */
static void
held_cases(const char *v, size_t n, const char **cs, size_t *cn)
{
	const char *p = v, *e = v + n, *q;

	*cs = NULL;
	*cn = 0;
	while (p < e) {
		q = memchr(p, ';', (size_t)(e - p));
		if (q == NULL)
			q = e;
		if (q - p > 5 && memcmp(p, "case=", 5) == 0) {
			*cs = p + 5;
			*cn = (size_t)(q - p) - 5;
			return;
		}
		p = q + 1;
	}
}

/* Does penalty rule p apply to the held cases? */
static int
pen_applies(const struct wz_penalty *p, const char *cs, size_t cn)
{
	size_t i;

	if (p->for_cases.n == 0 || cs == NULL)
		return 1;
	for (i = 0; i < p->for_cases.n; i++)
		if (wz_list_has(cs, cn, ',', p->for_cases.v[i],
		    strlen(p->for_cases.v[i])))
			return 1;
	return 0;
}

static int
is_grade(const struct artinfo *a, const char *cs, size_t cn)
{
	size_t i;

	if (a->grade_nocase)
		return 1;
	if (a->ngrade == 0)
		return 0;
	if (cs == NULL)
		return 1;
	for (i = 0; i < a->ngrade; i++)
		if (wz_list_has(cs, cn, ',', a->grade_cases[i],
		    strlen(a->grade_cases[i])))
			return 1;
	return 0;
}

/* Which posts the article's penalty rules name for the cases held
 * (computed once per article and value of case=). */
static const struct wz_penalty **
named_posts(struct wz_tier *t, struct artinfo *a, const char *cs, size_t cn)
{
	const struct wz_penalty *p;
	struct gnamed *g;
	size_t i, j;

	for (i = 0; i < a->ngn; i++)
		if ((a->gn[i].cases == NULL) == (cs == NULL) && (cs == NULL ||
		    (a->gn[i].len == cn && memcmp(a->gn[i].cases, cs, cn) ==
		    0)))
			return a->gn[i].pen;
	a->gn = wz_reallocarray(a->gn, a->ngn + 1, sizeof(*a->gn));
	g = &a->gn[a->ngn++];
	g->cases = cs != NULL ? wz_strndup(cs, cn) : NULL;
	g->len = cn;
	g->pen = wz_calloc(t->rs->nposts + 1, sizeof(*g->pen));
	for (i = 0; i < t->rs->nposts; i++)
		for (j = 0; j < a->npens; j++) {
			p = a->pens[j];
			if (p->to.posts.n == 0 || !pen_applies(p, cs, cn))
				continue;
			if (in_list(t, t->rs->posts[i].code, &p->to.posts) &&
			    !in_list(t, t->rs->posts[i].code, &p->to.not_posts)) {
				g->pen[i] = p;
				break;
			}
		}
	return g->pen;
}

/* Roles in the subtree of node nd whose post is named: appended to v. */
static void
team_roles(struct wz_tier *t, const struct wz_penalty **named, int nd,
    int **v, size_t *n, size_t *cap)
{
	const struct role *r;
	int id;

	for (id = t->sc->v[nd].roles; id >= 0; id = r->next_node) {
		r = &t->roles[id];
		if (r->pidx < 0 || named[r->pidx] == NULL)
			continue;
		if (*n + 2 >= *cap) {
			*cap = *cap ? *cap * 2 : 16;
			*v = wz_reallocarray(*v, *cap, sizeof(**v));
		}
		(*v)[(*n)++] = id;
	}
	for (id = t->sc->v[nd].child; id >= 0; id = t->sc->v[id].sibling)
		team_roles(t, named, id, v, n, cap);
}

/*
 * A unit's team on a grade row: the roles in its subtree whose post a
 * penalty rule names (found once per unit and rules), in post at the
 * time.
 */
static void
grade_people(struct wz_tier *t, const struct artinfo *a,
    const struct wz_penalty **named, int top, wz_day lo, wz_day hi)
{
	const struct tcfg *c = &t->cfgs[a->cfg];
	const struct role *r;
	int tier, ti, *v = NULL, *p;
	size_t n = 0, cap = 0;
	char key[sizeof(int) + sizeof(named)], *k;

	memcpy(key, &top, sizeof(int));
	memcpy(key + sizeof(int), &named, sizeof(named));
	if ((ti = smap_get(&t->teammap, key, sizeof(key))) < 0) {
		team_roles(t, named, top, &v, &n, &cap);
		if (v == NULL)
			v = wz_calloc(1, sizeof(*v));
		v[n] = -1;
		t->teams = wz_reallocarray(t->teams, t->nteams + 1,
		    sizeof(*t->teams));
		t->teams[t->nteams] = v;
		k = arena_strndup(&t->ar, key, sizeof(key));
		ti = (int)t->nteams++;
		smap_put(&t->teammap, k, sizeof(key), ti);
	}
	for (p = t->teams[ti]; *p >= 0; p++) {
		r = &t->roles[*p];
		if (!wz_tier_overlaps(r->from, r->to, lo, hi))
			continue;
		tier = c->ptier[r->pidx];
		/* Direct is kept for the actor named (Decision 3): a
		 * member reached only through the team is collective. */
		if (tier != T_MAIN && tier != T_IMPORTANT)
			tier = T_COLLECTIVE;
		add_member(t, tier, *p, named[r->pidx], top);
	}
}

static int
kind_of_level(const char *level)
{
	if (level == NULL)
		return -1;
	if (strcmp(level, "county") == 0)
		return K_COUNTY;
	if (strcmp(level, "township") == 0)
		return K_TOWN;
	if (strcmp(level, "department") == 0)
		return K_DEPT;
	if (strcmp(level, "village") == 0)
		return K_VILLAGE;
	return -1;
}

static void
unit_row(struct wz_tier *t, const struct place *pl,
    const struct wz_penalty *p)
{
	struct ent *e = new_ent(t, E_UNIT, T_COLLECTIVE);
	int want = kind_of_level(p->to.level), nd;
	const char *u;
	size_t un;

	e->pen = p;
	if (pl->status == WZ_PLACE_NONE) {
		u = cell(t, F_UNIT, &un);
		scratch_str(t, u, un, &e->uoff, &e->ulen);
		e->ukind = K_OTHER;
		e->woff = e->wlen = 0;
		return;
	}
	if (want >= 0 && pl->node >= 0)
		for (nd = pl->node; nd >= 0; nd = t->sc->v[nd].parent)
			if (t->sc->v[nd].kind == want) {
				scratch_str(t, t->sc->v[nd].path,
				    t->sc->v[nd].len, &e->uoff, &e->ulen);
				e->ukind = want;
				return;
			}
	scratch_str(t, pl->path, pl->len, &e->uoff, &e->ulen);
	e->ukind = pl->kind;
}

/* ----------------------------------------------------------- output */

static int
ent_cmp(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;
	static const int order[] = { 9, 0, 1, 2, 3 };
	unsigned long lx, ly;

	/* Units after people; direct rows keep the finding's order. */
	if ((x->kind == E_UNIT) != (y->kind == E_UNIT))
		return x->kind == E_UNIT ? 1 : -1;
	if (x->tier != y->tier)
		return order[x->tier] - order[y->tier];
	if (x->tier != T_DIRECT) {
		lx = x->role >= 0 ? (unsigned long)x->role : 0;
		ly = y->role >= 0 ? (unsigned long)y->role : 0;
		if (lx != ly)
			return lx < ly ? -1 : 1;
	}
	return x->seq - y->seq;
}

static void
add_period(struct wz_buf *b, const struct role *r)
{
	wz_buf_printf(b, " %s..%s", r->vfrom, r->vto);
}

static void
explain_role(struct wz_tier *t, struct wz_buf *b, const struct role *r)
{
	wz_buf_printf(b, "%s:%lu %s %s", t->roster_name, r->line,
	    *r->code ? r->code : "(no post)", r->node >= 0 ?
	    t->sc->v[r->node].path : r->scope);
	add_period(b, r);
}

static void
explain_auth(struct wz_buf *b, const struct auth *au, const char *rank,
    const char *as)
{
	if (*au->cites == '\0') {
		wz_buf_adds(b, "; no deciding authority for this post");
		return;
	}
	wz_buf_printf(b, "; authority %s", au->cites);
	if (as != NULL)
		wz_buf_printf(b, " as for %s", as);
	if (au->escalated)
		wz_buf_printf(b, ", escalated for %s", rank);
}

static const char *
head_post(int kind)
{
	/* 第八条: the first responsible person of a township or a
	 * department; a village's are its cadres, a county's its heads. */
	switch (kind) {
	case K_TOWN:	return "town_main_leader";
	case K_DEPT:	return "dept_head";
	case K_VILLAGE:	return "village_cadre";
	case K_COUNTY:	return "county_main_leader";
	default:	return NULL;
	}
}

/*
 * The rest of a person's row without --explain, from the role's cached
 * tail, made again when the tier or the table differs from the last.
 */
static void
write_tail(struct wz_tier *t, struct wz_writer *w, const struct artinfo *a,
    const struct ent *e)
{
	const struct role *r = &t->roles[e->role];
	struct rtail *rt;
	struct auth *au;
	size_t nf = t->o.labels_zh ? 10 : 8;

	if (t->rtail == NULL || t->rtail_w != w) {
		free(t->rtail);
		t->rtail = wz_calloc(t->nroles, sizeof(*t->rtail));
		t->rtail_w = w;
	}
	rt = &t->rtail[e->role];
	if (rt->s == NULL || rt->tier != e->tier || rt->cfg != a->cfg) {
		const char *f[10] = { r->pid, r->name, r->code, r->rank,
		    r->party, tier_code[e->tier], NULL, NULL, NULL, NULL };
		size_t l[10] = { r->lpid, r->lname, r->lcode, r->lrank,
		    r->lparty, tier_len[e->tier], 0, 0, 0, 0 };

		au = authority(t, a->cfg, r->pidx, r->rank_i);
		f[6] = au->proposer;
		l[6] = au->lprop;
		f[7] = au->decider;
		l[7] = au->ldec;
		if (t->o.labels_zh) {
			f[8] = r->post != NULL && r->post->label ?
			    r->post->label : "";
			l[8] = strlen(f[8]);
			f[9] = wz_tier_zh(tier_code[e->tier]);
			l[9] = strlen(f[9]);
		}
		wz_writer_encode_fields(w, f, l, nf, &t->encb);
		if (rt->s == NULL || rt->cap < t->encb.len) {
			/* At most a few times a role: cap only grows. */
			rt->s = arena_alloc(&t->ar, t->encb.len);
			rt->cap = (uint32_t)t->encb.len;
		}
		memcpy(rt->s, t->encb.s, t->encb.len);
		rt->len = (uint32_t)t->encb.len;
		rt->tier = e->tier;
		rt->cfg = a->cfg;
	}
	wz_writer_raw(w, rt->s, rt->len, nf);
	wz_writer_endrow(w);
}

static void
write_ent(struct wz_tier *t, struct wz_writer *w, const struct artinfo *a,
    const struct place *pl, const struct ent *e)
{
	const struct tcfg *c = &t->cfgs[a->cfg];
	const struct role *r = e->role >= 0 ? &t->roles[e->role] : NULL;
	struct auth *au;
	const struct wz_post *post = NULL;
	const char *sp = t->scratch.s, *u, *hp;
	struct wz_buf *b = &t->b1;
	size_t un, i;
	int pidx, rank_i;

	/* The input row leads every row written for it: encoded once. */
	if (!t->row_encoded || t->enc_w != w) {
		wz_writer_encode(w, t->row, &t->enc);
		t->row_encoded = 1;
		t->enc_w = w;
	}
	wz_writer_put(w, &t->enc);
	if (e->kind == E_PERSON && !t->o.explain) {
		write_tail(t, w, a, e);
		return;
	}
	switch (e->kind) {
	case E_UNRESOLVED:
		wz_writer_field(w, "", 0);
		wz_writer_field(w, sp + e->noff, e->nlen);
		post = e->post;
		wz_writer_fieldz(w, post != NULL ? post->code : "");
		wz_writer_fieldz(w, post != NULL && post->rank ? post->rank :
		    "");
		wz_writer_field(w, "", 0);
		pidx = post_index(t, post);
		rank_i = post != NULL ? rank_index(post->rank) : 0;
		break;
	case E_PERSON:
		/* With --explain: written field by field, not cached. */
		wz_writer_field(w, r->pid, r->lpid);
		wz_writer_field(w, r->name, r->lname);
		wz_writer_field(w, r->code, r->lcode);
		wz_writer_field(w, r->rank, r->lrank);
		wz_writer_field(w, r->party, r->lparty);
		post = r->post;
		pidx = r->pidx;
		rank_i = r->rank_i;
		break;
	default:
		u = sp + e->uoff;
		un = e->ulen;
		wz_writer_field(w, u, un);
		for (i = un; i > 0 && u[i - 1] != '/'; i--)
			;
		wz_writer_field(w, u + i, un - i);
		wz_writer_fieldz(w, "unit");
		wz_writer_field(w, "", 0);
		wz_writer_field(w, "", 0);
		hp = head_post(e->ukind);
		post = hp != NULL ? wz_rules_post(t->rs, hp) : NULL;
		pidx = post_index(t, post);
		rank_i = post != NULL ? rank_index(post->rank) : 0;
		break;
	}
	wz_writer_field(w, tier_code[e->tier], tier_len[e->tier]);
	au = authority(t, a->cfg, pidx, rank_i);
	if (au->enc == NULL || au->enc_w != w) {
		const char *f[2] = { au->proposer, au->decider };
		size_t l[2] = { au->lprop, au->ldec };

		wz_writer_encode_fields(w, f, l, 2, &t->encb);
		free(au->enc);
		au->enc = wz_strndup(t->encb.s, t->encb.len);
		au->lenc = t->encb.len;
		au->enc_w = w;
	}
	wz_writer_raw(w, au->enc, au->lenc, 2);
	if (t->o.labels_zh) {
		if (e->kind == E_UNIT)
			wz_writer_fieldz(w, "单位");
		else
			wz_writer_fieldz(w, post != NULL && post->label ?
			    post->label : "");
		wz_writer_fieldz(w, wz_tier_zh(tier_code[e->tier]));
	}
	if (!t->o.explain) {
		wz_writer_endrow(w);
		return;
	}
	wz_buf_reset(b);
	switch (e->kind) {
	case E_UNRESOLVED:
		wz_buf_adds(b, "unresolved: ");
		wz_buf_add(b, sp + e->woff, e->wlen);
		if (post != NULL)
			wz_buf_printf(b, "; post %s from the title", post->code);
		break;
	case E_UNIT:
		wz_buf_adds(b, "unit ");
		wz_buf_add(b, sp + e->uoff, e->ulen);
		wz_buf_printf(b, "; penalty %s (%s) selects the unit",
		    e->pen->id, a->art != NULL ? a->art->id : "?");
		break;
	default:
		if (e->tier == T_DIRECT) {
			wz_buf_adds(b, "named ");
			switch (e->src) {
			case S_RESOLVE:
				wz_buf_printf(b, "(settled by %s:%lu)",
				    t->resolve_name, e->srcline);
				break;
			case S_PID:
				wz_buf_adds(b, "(by person_id)");
				break;
			case S_IDNUM:
				wz_buf_adds(b, "(by id_number)");
				break;
			case S_UNIT:
				wz_buf_adds(b, "(by name under ");
				wz_buf_add(b, sp + e->uoff, e->ulen);
				wz_buf_adds(b, ", the finding's unit)");
				break;
			default:
				wz_buf_printf(b, "(by name under %.*s)",
				    (int)(pl->status == WZ_PLACE_NONE ? 0 :
				    pl->alen), pl->status == WZ_PLACE_NONE ?
				    "" : pl->path);
			}
			wz_buf_adds(b, ": ");
		}
		for (i = 0; i < (size_t)e->nroles; i++) {
			if (i > 0)
				wz_buf_adds(b, " + ");
			explain_role(t, b, &t->roles[e->roles[i]]);
		}
		if (e->more > 0)
			wz_buf_printf(b, " + %d more", e->more);
		if (e->pen != NULL)
			wz_buf_printf(b, "; penalty %s (%s) names the post",
			    e->pen->id, a->art != NULL ? a->art->id : "?");
		if (e->tier == T_DIRECT)
			wz_buf_adds(b, "; tier direct: the actor named");
		else if (e->tier == T_COLLECTIVE)
			wz_buf_printf(b, "; tier collective: a member of the "
			    "team (%s is %s by %s)", r->code,
			    c->ptier[r->pidx] == T_DIRECT ? "direct, kept for "
			    "the actor named," : "at no leader tier",
			    c->tdoc->tiers->cite);
		else
			wz_buf_printf(b, "; tier %s by %s", tier_code[e->tier],
			    c->tdoc->tiers->cite);
		if (e->tier != T_DIRECT && e->tier != T_COLLECTIVE &&
		    !pl->exact && pl->node >= 0)
			wz_buf_printf(b, " over %s", pl->path);
		break;
	}
	explain_auth(b, au, rank_name[rank_i], e->kind == E_UNIT &&
	    post != NULL ? post->code : NULL);
	wz_writer_field(w, b->s, b->len);
	wz_writer_endrow(w);
}

/* ------------------------------------------------------------- rows */

int
wz_tier_row(struct wz_tier *t, const struct wz_row *row,
    struct wz_writer *w)
{
	const struct artinfo *a;
	const struct place *pl;
	const char *s, *cs;
	size_t n, cn, i, nactors = 0;
	wz_day lo = WZ_TIER_BEGIN, hi = WZ_TIER_END;
	int ai, rc = WZ_DATE_EMPTY, grade, unit_done = 0, *actors;
	const struct wz_penalty **named;
	static const int datef[] = { F_DATE, F_FOUND, F_YEAR };
	static const char *const datename[] = { "conduct date",
	    "discovery date", "year" };

	t->row = row;
	t->row_encoded = 0;
	t->line = row->line;
	t->reported = 0;
	t->rxfail = 0;
	t->nents = 0;
	wz_buf_reset(&t->scratch);
	t->st.read++;

	s = cell(t, F_ARTICLE, &n);
	if (t->lastart >= 0 && n == t->lastartid.len && memcmp(s,
	    t->lastartid.s, n) == 0)
		ai = t->lastart;
	else {
		ai = t->lastart = get_art(t, s, n);
		wz_buf_reset(&t->lastartid);
		wz_buf_add(&t->lastartid, s, n);
	}
	a = &t->arts[ai];
	if (a->art == NULL)
		report(t, "article '%.*s%s' is not in the rules: the tables "
		    "of %s are used", wz_qlen(s, n), s, wz_qmore(n),
		    t->cfgs[a->cfg].tdoc->id);

	pl = get_place(t, 0);
	if (pl->status == WZ_PLACE_AMBIGUOUS || pl->status ==
	    WZ_PLACE_UNKNOWN) {
		t->st.places++;
		n = pl->node >= 0 ? t->sc->v[pl->node].len : 0;
		report(t, "place %s: %s%s; leaders %s%.*s only",
		    pl->status == WZ_PLACE_AMBIGUOUS ? "ambiguous" :
		    pl->path, pl->why != NULL ? pl->why : "",
		    pl->status == WZ_PLACE_AMBIGUOUS ? ": give the township" :
		    "", n > 0 ? "of " : "above the county", (int)n,
		    n > 0 ? t->sc->v[pl->node].path : "");
	} else if (pl->status == WZ_PLACE_NONE) {
		t->st.places++;
		report(t, "no place (county, township, village, place or unit "
		    "column): no leader is reached");
	}

	wz_buf_reset(&t->key);
	for (i = 0; i < 3; i++) {
		s = cell(t, datef[i], &n);
		wz_buf_add(&t->key, &n, sizeof(n));
		wz_buf_add(&t->key, s, n);
	}
	if (t->lastrc != -9 && t->key.len == t->lastdate.len &&
	    memcmp(t->key.s, t->lastdate.s, t->key.len) == 0 &&
	    t->lastrc == WZ_DATE_OK) {
		rc = WZ_DATE_OK;
		lo = t->lastlo;
		hi = t->lasthi;
	} else for (i = 0; i < 3; i++) {
		s = cell(t, datef[i], &n);
		if (n == 0)
			continue;
		rc = wz_tier_span(s, n, &lo, &hi);
		if (rc == WZ_DATE_OK)
			break;
		if (rc == WZ_DATE_BAD)
			report(t, "unreadable %s '%.*s%s'", datename[i],
			    wz_qlen(s, n), s, wz_qmore(n));
	}
	if (rc == WZ_DATE_OK) {
		wz_buf_reset(&t->lastdate);
		wz_buf_add(&t->lastdate, t->key.s, t->key.len);
		t->lastlo = lo;
		t->lasthi = hi;
		t->lastrc = rc;
	}
	if (rc != WZ_DATE_OK) {
		lo = WZ_TIER_BEGIN;
		hi = WZ_TIER_END;
		report(t, "no conduct date, discovery date or year: every "
		    "holder of the posts is reached");
	}

	s = cell(t, F_VALUES, &n);
	held_cases(s, n, &cs, &cn);
	grade = is_grade(a, cs, cn);
	actors = t->actors;
	named = grade ? named_posts(t, &t->arts[ai], cs, cn) : NULL;
	/*
	 * The rows of one finding (wz-match writes one per article) mostly
	 * share what the people depend on: then the last row's people are
	 * used again, and its messages said again.
	 */
	wz_buf_reset(&t->pkey);
	{
		static const int kf[] = { F_NAME, F_PID, F_IDNUM, F_ID,
		    F_TITLE, F_UNIT, F_COUNTY };
		int lg = a->lgroup;

		for (i = 0; i < sizeof(kf) / sizeof(kf[0]); i++) {
			s = cell(t, kf[i], &n);
			wz_buf_add(&t->pkey, &n, sizeof(n));
			wz_buf_add(&t->pkey, s, n);
		}
		/* The place by its path: the entry may be the one reused
		 * for places the cache has no room for. */
		wz_buf_add(&t->pkey, &pl->len, sizeof(pl->len));
		wz_buf_add(&t->pkey, pl->path, pl->len);
		wz_buf_add(&t->pkey, &pl->node, sizeof(pl->node));
		wz_buf_add(&t->pkey, &pl->status, sizeof(pl->status));
		wz_buf_add(&t->pkey, &lo, sizeof(lo));
		wz_buf_add(&t->pkey, &hi, sizeof(hi));
		wz_buf_add(&t->pkey, &a->cfg, sizeof(a->cfg));
		wz_buf_add(&t->pkey, &lg, sizeof(lg));
		wz_buf_add(&t->pkey, &named, sizeof(named));
	}
	if (t->pkey.len == t->plast.len && memcmp(t->pkey.s, t->plast.s,
	    t->pkey.len) == 0) {
		t->nents = 0;
		for (i = 0; i < t->npents; i++) {
			new_ent(t, 0, 0);
			t->ents[i] = t->pents[i];
			if (t->ents[i].kind == E_UNRESOLVED)
				t->st.unresolved++;
		}
		wz_buf_reset(&t->scratch);
		wz_buf_add(&t->scratch, t->pscratch.s, t->pscratch.len);
		for (i = 0; i < t->pmsgs.len; i += strlen(t->pmsgs.s + i) + 1)
			report(t, "%s", t->pmsgs.s + i);
	} else {
		t->recording = 1;
		wz_buf_reset(&t->pmsgs);
		if (grade) {
			if (pl->exact)
				grade_people(t, a, named, pl->node, lo, hi);
		} else {
			direct(t, pl, lo, hi, actors, &nactors);
			if (t->rxfail == 0)
				leaders(t, a, pl, lo, hi, actors, nactors);
		}
		t->recording = 0;
		wz_buf_reset(&t->plast);
		if (t->rxfail != 0) {
			s = cell(t, F_TITLE, &n);
			report(t, "a post pattern %s on title '%.*s%s'; row "
			    "rejected", t->rxfail == WZ_RX_LIMIT ?
			    "hit the match limit" : "failed (PCRE2 error)",
			    wz_qlen(s, n), s, wz_qmore(n));
			t->st.rejected++;
			t->nents = 0;
			return 1;
		}
		wz_buf_add(&t->plast, t->pkey.s, t->pkey.len);
		if (t->nents > t->cappents) {
			t->cappents = t->nents;
			t->pents = wz_reallocarray(t->pents, t->cappents,
			    sizeof(*t->pents));
		}
		if (t->nents > 0)
			memcpy(t->pents, t->ents, t->nents * sizeof(*t->ents));
		t->npents = t->nents;
		wz_buf_reset(&t->pscratch);
		wz_buf_add(&t->pscratch, t->scratch.s, t->scratch.len);
	}
	for (i = 0; i < a->npens && !unit_done; i++)
		if (a->pens[i]->to.unit && pen_applies(a->pens[i], cs, cn)) {
			unit_row(t, pl, a->pens[i]);
			unit_done = 1;
		}
	if (t->nents == 0)
		add_unresolved(t, "", 0, NULL, "nobody is named and no "
		    "leader is reached: the row is kept with an empty "
		    "liable_id");
	/* A handful of entries, mostly in order: insertion sort. */
	for (i = 1; i < t->nents; i++) {
		struct ent tmp;
		size_t j;

		if (ent_cmp(&t->ents[i - 1], &t->ents[i]) <= 0)
			continue;
		tmp = t->ents[i];
		for (j = i; j > 0 && ent_cmp(&t->ents[j - 1], &tmp) > 0; j--)
			t->ents[j] = t->ents[j - 1];
		t->ents[j] = tmp;
	}
	/*
	 * The people's cached tails are spread over the roster's memory:
	 * ask for all of them before the first is needed, so that their
	 * cache misses overlap instead of following one another.
	 */
	if (t->rtail != NULL && t->rtail_w == w && !t->o.explain) {
		for (i = 0; i < t->nents; i++)
			if (t->ents[i].kind == E_PERSON)
				__builtin_prefetch(&t->rtail[t->ents[i].role]);
		for (i = 0; i < t->nents; i++)
			if (t->ents[i].kind == E_PERSON)
				__builtin_prefetch(t->rtail[t->ents[i].role].s);
	}
	for (i = 0; i < t->nents; i++) {
		write_ent(t, w, a, pl, &t->ents[i]);
		t->st.written++;
		if (t->ents[i].kind == E_UNIT)
			t->st.units++;
		else
			t->st.persons++;
	}
	return t->reported;
}

/* --------------------------------------------------------------- run */

static int
worst(int a, int b)
{
	return a > b ? a : b;
}

static int
same_header(const struct wz_row *a, char **f, size_t n)
{
	size_t i;

	if (a->n != n)
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(a->f[i], f[i]) != 0)
			return 0;
	return 1;
}

int
wz_tier_run(struct wz_tier *t, char *const *paths, size_t n,
    const struct wz_ropts *ro, struct wz_writer *out,
    struct wz_tier_stats *st)
{
	struct wz_reader *r;
	const struct wz_row *hdr, *row;
	char **first = NULL, *firstname = NULL, *name;
	size_t nfirst = 0, i, k;
	int status = 0, rc;

	if (t->st.roster_bad > 0)
		status = WZ_EX_ROWS;
	for (i = 0; i < n; i++) {
		if ((r = wz_reader_open(paths[i], ro)) == NULL) {
			wz_sysmsg(paths[i], "cannot open");
			status = worst(status, EX_NOINPUT);
			continue;
		}
		name = wz_strdup(wz_reader_name(r));
		if (wz_reader_header(r, &hdr) != WZ_ROW) {
			wz_msg(name, wz_reader_errline(r), "%s",
			    wz_reader_error(r));
			status = worst(status, wz_reader_errstatus(r));
			goto next;
		}
		if (first == NULL) {
			nfirst = hdr->n;
			first = wz_calloc(nfirst + 1, sizeof(*first));
			for (k = 0; k < nfirst; k++)
				first[k] = wz_strdup(hdr->f[k]);
			firstname = wz_strdup(name);
			if ((rc = wz_tier_bind(t, hdr, name)) != 0) {
				status = worst(status, rc);
				wz_reader_close(r);
				free(name);
				break;
			}
			wz_tier_write_header(t, out, hdr);
		} else if (!same_header(hdr, first, nfirst)) {
			wz_msg(name, 1, "the header differs from %s's; input "
			    "skipped", firstname);
			status = worst(status, EX_DATAERR);
			goto next;
		}
		t->in_name = name;
		while ((rc = wz_reader_next(r, &row)) != WZ_EOF) {
			if (rc == WZ_FATAL) {
				wz_msg(name, wz_reader_errline(r), "%s",
				    wz_reader_error(r));
				status = worst(status, wz_reader_errstatus(r));
				break;
			}
			if (rc == WZ_BAD) {
				wz_msg(name, wz_reader_errline(r), "%s",
				    wz_reader_error(r));
				t->st.read++;
				t->st.rejected++;
				status = worst(status, WZ_EX_ROWS);
				continue;
			}
			if (row->blank)
				continue;
			if (wz_tier_row(t, row, out) != 0)
				status = worst(status, WZ_EX_ROWS);
		}
next:
		wz_reader_close(r);
		t->in_name = NULL;
		free(name);
	}
	if (first != NULL)
		for (k = 0; k < nfirst; k++)
			free(first[k]);
	free(first);
	free(firstname);
	if (st != NULL)
		*st = t->st;
	return status;
}
