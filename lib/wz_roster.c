/*
 * wz_roster.c - the roster model; see wz_roster.h and man wz-roster(1).
 *
 * The parts, in file order:
 *   tables      interned strings (names, scopes, units) and uint64 maps
 *   maps        --map files, read with the rules layer's YAML reader
 *   cells       party membership, ranks, unit names
 *   titles      a title cell -> roles, with the unit it names, cached
 *   people      persons, their roles, and the checks between them
 *   sheets      columns, output layout, row shapes, one row at a time
 *
 * Memory: a person is one struct person (24 bytes), its name in an
 * arena, and two 8-byte slots of half-full tables (by ID number, by name
 * and home); a role is one struct role (28), whose single-holder posts
 * are chained from their scope.  Scopes and place names are interned
 * once each; an ID number is kept as its 17 digits.  Nothing is kept per
 * input row: a row's roles are written as soon as they are checked.
 *
 * Speed: a title is matched against posts.yaml once per distinct (title,
 * unit) pair, and everything a row's title and place cells decide (its
 * roles, their scopes, its links) once per distinct combination of those
 * cells, its "shape", while the shape stays in a small cache; the place
 * cells alone are remembered from the last shape.  Per row there remain
 * the cells, the ID number, the dates, and two lookups of persons, which
 * on a big roster are cache misses and are prefetched at the row's start
 * (the home guessed from the last row's), as are a new place's strings.
 * A roster whose every row is a shape of its own goes past the cache.
 * The big tables are fresh anonymous memory, whose
 * first touch (the kernel clears each page) is a good part of the cost:
 * they are kept small rather than fast to grow, and hash tables double
 * where they are instead of into a new table.  Dates, ISO days and the
 * party cell are remembered from earlier rows; the columns of an output
 * row go to the writer in two calls, with what it need not scan said.
 */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "wz_base.h"
#include "wz_csv.h"
#include "wz_date.h"
#include "wz_idcard.h"
#include "wz_roster.h"

/* The hash of a row's name; a test may define a weak one, under which
 * different names share hashes, to show that no lookup takes a hash for
 * a name. */
#ifndef NAME_HASH
#define NAME_HASH(s, n)	wz_hash_mem((s), (n))
#endif
#include "wz_rules.h"
#include "wz_sha.h"
#include "wz_text.h"
#include "wz_yaml.h"

#define NONE32	UINT32_MAX

/* ------------------------------------------------------------------ */
/* Tables                                                               */
/* ------------------------------------------------------------------ */

/*
 * The large arrays (persons, roles, hash tables) live in their own
 * anonymous mappings (wz_big_grow): on a million-row roster the first
 * touch of each 4 KiB page otherwise costs more than the work done in it
 * (measured: 256 MiB in 2 s with 4 KiB pages, 0.05 s with 2 MiB).
 */

/*
 * Hash -> person (or interned string), in 4 bytes a slot.  A table of
 * 2^L slots is never more than half full, and made big enough that each
 * index + 1 (0: empty) it holds fits in the low L bits (by_id holds
 * only the persons with an ID number, whose indices may be far above
 * their count); the key's 32-bit hash places the entry by its low L
 * bits and keeps the others in the slot's high bits, which tell
 * most other keys apart without reading their records.  The key itself
 * is the owner's (ID number; name and home scope; the string), so the
 * caller checks a candidate against its record, which it reads anyway
 * when the key is found; a new key, the usual case on a big roster,
 * reads nothing but slots.  A quarter of the memory of a u64map (a
 * million persons: 8 MiB a table, not 16 or 32), and no slot to fill
 * when a table is made: fresh pages are zero.
 *
 * The slot keeps no bits that a bigger table would need to place its
 * entry: growing empties the table (pm_room returns 1) and the owner
 * puts every entry back from its records (pm_put), read in order.
 */
struct pmap {
	uint32_t	*s;
	size_t		 cap, n;
};

static uint32_t
pm_tag(uint64_t h)
{
	return (uint32_t)(h >> 32) ^ (uint32_t)h;
}

/* Room for one more entry, of index i: 1 when the table grew, which
 * left it empty (what it gained is fresh zeroed pages; the rest is
 * cleared). */
static int
pm_grow(struct pmap *m, uint32_t i)
{
	size_t ncap = m->cap == 0 ? 1024 : m->cap;

	while ((m->n + 1) * 2 > ncap || (size_t)i + 1 >= ncap)
		ncap *= 2;
	if (ncap == m->cap)
		return 0;
	if (ncap > (size_t)UINT32_MAX + 1)
		wz_die(EX_SOFTWARE, NULL, 0, "too many entries in a table");
	m->s = wz_big_grow(m->s, m->cap * sizeof(*m->s), ncap * sizeof(*m->s),
	    1);
	memset(m->s, 0, m->cap * sizeof(*m->s));
	m->cap = ncap;
	m->n = 0;
	return 1;
}

/* pm_grow's own test, here where it is all the call does for most puts */
static inline int
pm_room(struct pmap *m, uint32_t i)
{
	if ((m->n + 1) * 2 <= m->cap && (size_t)i + 1 < m->cap)
		return 0;
	return pm_grow(m, i);
}

/* The next candidate for hash h from *pos (start at ~0): a person index,
 * or NONE32 when there is none. */
static uint32_t
pm_next(const struct pmap *m, uint32_t h, size_t *pos)
{
	uint32_t mask = (uint32_t)(m->cap - 1), x;
	size_t j;

	if (m->cap == 0)
		return NONE32;
	j = *pos == (size_t)-1 ? h & mask : (*pos + 1) & mask;
	for (; (x = m->s[j]) != 0; j = (j + 1) & mask)
		if (((x ^ h) & ~mask) == 0) {
			*pos = j;
			return (x & mask) - 1;
		}
	return NONE32;
}

/* Add index i under hash h: after pm_room(m, i), which makes room. */
static void
pm_put(struct pmap *m, uint32_t h, uint32_t i)
{
	uint32_t mask = (uint32_t)(m->cap - 1);
	size_t j;

	for (j = h & mask; m->s[j] != 0; j = (j + 1) & mask)
		;
	m->s[j] = (h & ~mask) | (i + 1);
	m->n++;
}

/* Ask for the cache line of h's first probe now, so that the lookup a
 * little later does not wait for memory: the tables are far larger than
 * the caches on a big roster.  Inlined by force: GCC 12 otherwise finds
 * the function free of side effects and drops the calls. */
static inline __attribute__((always_inline)) void
pm_prefetch(const struct pmap *m, uint32_t h)
{
	if (m->cap > 0)
		__builtin_prefetch(&m->s[h & (m->cap - 1)], 1);
}

/* Entries put back into a table that grew, a few at a time: each slot
 * is asked for before any is written, so that their misses overlap. */
#define PM_BATCH	32

struct pmbatch {
	uint32_t	 h[PM_BATCH], i[PM_BATCH];
	size_t		 n;
};

static void
pm_batch_end(struct pmap *m, struct pmbatch *b)
{
	size_t k;

	for (k = 0; k < b->n; k++)
		pm_put(m, b->h[k], b->i[k]);
	b->n = 0;
}

static void
pm_batch(struct pmap *m, struct pmbatch *b, uint32_t h, uint32_t i)
{
	pm_prefetch(m, h);
	b->h[b->n] = h;
	b->i[b->n] = i;
	if (++b->n == PM_BATCH)
		pm_batch_end(m, b);
}

static void
pm_free(struct pmap *m)
{
	wz_big_free(m->s, m->cap * sizeof(*m->s));
	memset(m, 0, sizeof(*m));
}

/*
 * Interned strings: each distinct string once, NUL-terminated in one
 * arena, found by id (1, 2, ...; 0 is "none"), with one uint32_t of the
 * caller's (aux) beside it.  The ids are a pmap by the string's hash (id
 * - 1 in it): a probe reads one slot and, on a hash match, one entry:
 * the tables are far larger than the caches on a big roster, so each
 * array touched is a cache miss.
 */
struct stent {
	uint32_t	 off, len, aux;
};

struct strtab {
	char		*arena;
	size_t		 alen, acap;
	struct stent	*e;		/* by id */
	size_t		 n, cap;	/* ids in use: 1..n */
	struct pmap	 slot;
};

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* wz_big_reserve, whose call most often finds room enough: that test
 * here, without the call into another file. */
static inline void
big_room(void **p, size_t *cap, size_t want, size_t sz, size_t first)
{
	if (want > *cap)
		wz_big_reserve(p, cap, want, sz, first);
}

static uint32_t
st_lookup(struct strtab *t, const char *s, size_t n, int add)
{
	struct pmbatch b;
	uint32_t h = (uint32_t)wz_hash_mem(s, n), id, i;
	size_t pos = (size_t)-1;

	while ((id = pm_next(&t->slot, h, &pos)) != NONE32) {
		id++;
		if (t->e[id].len == n &&
		    memcmp(t->arena + t->e[id].off, s, n) == 0)
			return id;
	}
	if (!add)
		return 0;
	big_room((void **)&t->e, &t->cap, t->n + 2, sizeof(*t->e), 1024);
	if (t->alen + n + 1 > UINT32_MAX || t->n + 2 >= UINT32_MAX)
		wz_die(EX_SOFTWARE, NULL, 0, "too many distinct strings");
	big_room((void **)&t->arena, &t->acap, t->alen + n + 1, 1, 65536);
	id = (uint32_t)++t->n;
	t->e[id].off = (uint32_t)t->alen;
	t->e[id].len = (uint32_t)n;
	t->e[id].aux = 0;
	memcpy(t->arena + t->alen, s, n);
	t->arena[t->alen + n] = '\0';
	t->alen += n + 1;
	if (pm_room(&t->slot, id - 1)) {
		b.n = 0;
		for (i = 1; i < id; i++)
			pm_batch(&t->slot, &b, (uint32_t)wz_hash_mem(t->arena +
			    t->e[i].off, t->e[i].len), i - 1);
		pm_batch_end(&t->slot, &b);
	}
	pm_put(&t->slot, h, id - 1);
	return id;
}

static const char *
st_str(const struct strtab *t, uint32_t id)
{
	return id == 0 ? "" : t->arena + t->e[id].off;
}

static size_t
st_len(const struct strtab *t, uint32_t id)
{
	return id == 0 ? 0 : t->e[id].len;
}

static void
st_free(struct strtab *t)
{
	wz_big_free(t->arena, t->acap);
	wz_big_free(t->e, t->cap * sizeof(*t->e));
	pm_free(&t->slot);
	memset(t, 0, sizeof(*t));
}

/* (uint64_t, uint32_t) -> uint32_t; NONE32 is "absent".  Key and value
 * side by side, so a probe is one cache line; the second key fills what
 * would be padding. */
struct umslot {
	uint64_t	 key;
	uint32_t	 key2, val;
};

struct u64map {
	struct umslot	*s;
	size_t		 cap, n;
};

static void
um_grow(struct u64map *m)
{
	struct u64map o = *m;
	size_t i, j, mask;

	m->cap = m->cap ? m->cap * 2 : 1024;
	m->s = wz_big_grow(NULL, 0, m->cap * sizeof(*m->s), 1);
	for (i = 0; i < m->cap; i++)
		m->s[i].val = NONE32;
	mask = m->cap - 1;
	for (i = 0; i < o.cap; i++) {
		if (o.s[i].val == NONE32)
			continue;
		for (j = mix64(o.s[i].key ^ o.s[i].key2) & mask;
		    m->s[j].val != NONE32; j = (j + 1) & mask)
			;
		m->s[j] = o.s[i];
	}
	wz_big_free(o.s, o.cap * sizeof(*o.s));
}

/* The value slot of (key, key2); with add, created (NONE32) if absent. */
static uint32_t *
um_slot(struct u64map *m, uint64_t key, uint32_t key2, int add)
{
	size_t j, mask;

	if (m->cap == 0) {
		if (!add)
			return NULL;
		um_grow(m);
	}
	/* at most half full: a new key, the usual case on a big roster,
	 * probes 2.5 slots on average (at 0.7 it was 6) */
	if (add && (m->n + 1) * 2 > m->cap)
		um_grow(m);
	mask = m->cap - 1;
	for (j = mix64(key ^ key2) & mask; m->s[j].val != NONE32;
	    j = (j + 1) & mask)
		if (m->s[j].key == key && m->s[j].key2 == key2)
			return &m->s[j].val;
	if (!add)
		return NULL;
	m->s[j].key = key;
	m->s[j].key2 = key2;
	m->n++;
	return &m->s[j].val;
}

static uint32_t
um_get(const struct u64map *m, uint64_t key, uint32_t key2)
{
	uint32_t *v = um_slot((struct u64map *)m, key, key2, 0);

	return v == NULL ? NONE32 : *v;
}

/*
 * A map keyed by a name's hash (by_alias, by_name) holds the index of a
 * named entry: the value and the name itself, which a lookup compares,
 * so that two names with one hash stay two keys.
 */
struct nkey {
	uint32_t	 val;
	uint32_t	 name;		/* offset in ro->knames */
};

static void
um_free(struct u64map *m)
{
	wz_big_free(m->s, m->cap * sizeof(*m->s));
	memset(m, 0, sizeof(*m));
}

/* ------------------------------------------------------------------ */
/* Small text helpers (UTF-8, simplified Chinese)                       */
/* ------------------------------------------------------------------ */

static const char *const rfield_names[WZ_RF_N] = {
	"name", "id_number", "gender", "party", "unit", "title", "county",
	"township", "village", "valid_from", "valid_to", "link_township",
	"link_village", "phone", "note", "period", "rank"
};

const char *
wz_rfield_name(enum wz_rfield f)
{
	return (unsigned)f < WZ_RF_N ? rfield_names[f] : NULL;
}

static int
rfield_parse(const char *s)
{
	int i;

	for (i = 0; i < WZ_RF_N; i++)
		if (strcmp(s, rfield_names[i]) == 0)
			return i;
	return -1;
}


/*
 * Are a[0, n) and b[0, n) the same bytes?  In line, for the short cells
 * a row's memos compare (a title, a place, a date, a party): a call to
 * memcmp costs more than the compare.  Overlapping loads, as
 * wz_copy_short() makes: the first and last sixteen, eight or four bytes.
 */
static inline int
same_bytes(const char *a, const char *b, size_t n)
{
	uint64_t x, y, u, w;
	uint32_t p, q, r, t;

	if (n > 32)
		return memcmp(a, b, n) == 0;
	if (n > 16)
		return same_bytes(a, b, 16) &&
		    same_bytes(a + n - 16, b + n - 16, 16);
	if (n >= 8) {
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		memcpy(&u, a + n - 8, 8);
		memcpy(&w, b + n - 8, 8);
		return ((x ^ y) | (u ^ w)) == 0;
	}
	if (n >= 4) {
		memcpy(&p, a, 4);
		memcpy(&q, b, 4);
		memcpy(&r, a + n - 4, 4);
		memcpy(&t, b + n - 4, 4);
		return ((p ^ q) | (r ^ t)) == 0;
	}
	return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] &&
	    a[n - 1] == b[n - 1]);
}

/* wz_copy_short(), for a caller that writes on after what it copied:
 * returns o + n. */
static inline char *
put_bytes(char *o, const char *s, size_t n)
{
	wz_copy_short(o, s, n);
	return o + n;
}

/* Does s hold none of the bytes a writer quotes or escapes (the reader's
 * "plain": , " \ TAB CR LF)? */
static int
is_plain(const char *s, size_t n)
{
	static const unsigned char special[256] = { [','] = 1, ['"'] = 1,
	    ['\\'] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 1 };
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	uint64_t w;
	unsigned acc = 0;

	/* eight bytes of Chinese text (every byte >= 0x80) at a time */
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		if ((w & 0x8080808080808080ULL) != 0x8080808080808080ULL)
			break;
	}
	/* the rest by a table, without a branch a byte */
	for (; i < n; i++)
		acc |= special[p[i]];
	return acc == 0;
}

static int
ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);

	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

static int
starts_with(const char *s, size_t n, const char *pre)
{
	size_t k = strlen(pre);

	return n >= k && memcmp(s, pre, k) == 0;
}

/* Length of the UTF-8 character at s (1 for a stray byte). */
static size_t
u8len(unsigned char c)
{
	return c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

/* Is the character at s[i] one of the (3-byte) characters in set? */
static int
char_in(const char *s, size_t n, size_t i, const char *set)
{
	size_t k;

	if (i + 3 > n)
		return 0;
	for (k = 0; set[k] != '\0'; k += 3)
		if (memcmp(s + i, set + k, 3) == 0)
			return 1;
	return 0;
}

/* Number of characters in s[0..n). */
static size_t
nchars(const char *s, size_t n)
{
	size_t i = 0, c = 0;

	while (i < n) {
		i += u8len((unsigned char)s[i]);
		c++;
	}
	return c;
}

/* ------------------------------------------------------------------ */
/* Maps (--map FILE)                                                    */
/* ------------------------------------------------------------------ */

struct mcol {
	int		 set;
	char		*name;		/* by header name, or NULL */
	long		 pos;		/* by 1-based position */
	unsigned long	 line, col;
};

struct wz_rmap {
	char		*path;
	int		 has_skip, has_no_header;
	unsigned long	 skip;
	int		 no_header;
	char		*encoding;
	int		 date1904;
	struct mcol	 col[WZ_RF_N];
	char		*cst[WZ_RF_N];
	int		 scope[WZ_RF_N];
	int		 nscope;
};

static const char *const map_keys[] = { "skip", "encoding", "no_header",
	"date_system", "columns", "constants", "scope", NULL };

static int
scalar(const char *path, const struct wz_ynode *n, const char *what)
{
	if (n != NULL && n->type == WZ_Y_SCALAR)
		return 1;
	wz_yerr(path, n ? n->line : 0, n ? n->col : 0, "%s must be a "
	    "string or number, not %s", what, wz_ytype_name(n));
	return 0;
}

static int
map_field(const char *path, const struct wz_ynode *k, const char *what,
    int map_only_ok)
{
	int f = rfield_parse(k->s);

	if (f < 0 || (!map_only_ok && (f == WZ_RF_PERIOD || f == WZ_RF_RANK))) {
		wz_yerr(path, k->line, k->col, "unknown field '%s' in %s "
		    "(name, id_number, gender, party, unit, title, county, "
		    "township, village, valid_from, valid_to, link_township, "
		    "link_village, phone, note%s)", k->s, what,
		    map_only_ok ? ", period, rank" : "");
		return -1;
	}
	return f;
}

static int
map_columns(struct wz_rmap *m, const struct wz_ynode *n)
{
	const struct wz_ynode *k, *v;
	const char *es;
	size_t i;
	int f, nerr = 0;

	if (n->type != WZ_Y_MAP) {
		wz_yerr(m->path, n->line, n->col, "columns must be a mapping "
		    "(field: header or position), not %s", wz_ytype_name(n));
		return 1;
	}
	for (i = 0; i < n->n; i++) {
		k = n->kids[2 * i];
		v = n->kids[2 * i + 1];
		if ((f = map_field(m->path, k, "columns", 1)) < 0) {
			nerr++;
			continue;
		}
		if (!scalar(m->path, v, "a column") || wz_ynull(v)) {
			if (wz_ynull(v))
				wz_yerr(m->path, v->line, v->col, "column of "
				    "%s is empty", k->s);
			nerr++;
			continue;
		}
		m->col[f].set = 1;
		m->col[f].line = v->line;
		m->col[f].col = v->col;
		if (v->plain && v->s[0] >= '0' && v->s[0] <= '9') {
			m->col[f].pos = (long)wz_strtonum(v->s, 1, 100000, &es);
			if (es != NULL) {
				wz_yerr(m->path, v->line, v->col, "column "
				    "position '%s' is %s (1 is the first "
				    "column; quote a header that is a number)",
				    v->s, es);
				nerr++;
			}
		} else
			m->col[f].name = wz_strdup(v->s);
	}
	return nerr;
}

static int
map_constants(struct wz_rmap *m, const struct wz_ynode *n)
{
	const struct wz_ynode *k, *v;
	size_t i;
	int f, nerr = 0;

	if (n->type != WZ_Y_MAP) {
		wz_yerr(m->path, n->line, n->col, "constants must be a "
		    "mapping (field: value), not %s", wz_ytype_name(n));
		return 1;
	}
	for (i = 0; i < n->n; i++) {
		k = n->kids[2 * i];
		v = n->kids[2 * i + 1];
		if ((f = map_field(m->path, k, "constants", 0)) < 0) {
			nerr++;
			continue;
		}
		if (!scalar(m->path, v, "a constant")) {
			nerr++;
			continue;
		}
		if (m->col[f].set) {
			wz_yerr(m->path, k->line, k->col, "%s is both a column "
			    "and a constant", k->s);
			nerr++;
			continue;
		}
		m->cst[f] = wz_strdup(wz_ynull(v) ? "" : v->s);
	}
	return nerr;
}

static int
map_scope(struct wz_rmap *m, const struct wz_ynode *n)
{
	static const int ok[] = { WZ_RF_COUNTY, WZ_RF_TOWNSHIP, WZ_RF_VILLAGE,
	    WZ_RF_UNIT, -1 };
	const struct wz_ynode *v;
	size_t i, j;
	int f, nerr = 0, good;

	if (n->type != WZ_Y_SEQ || n->n == 0) {
		wz_yerr(m->path, n->line, n->col, "scope must be a list of "
		    "fields ([county, township, village] or [county, unit])");
		return 1;
	}
	for (i = 0; i < n->n; i++) {
		v = n->kids[i];
		if (!scalar(m->path, v, "a scope field")) {
			nerr++;
			continue;
		}
		f = rfield_parse(v->s);
		for (good = 0, j = 0; ok[j] >= 0; j++)
			if (ok[j] == f)
				good = 1;
		if (!good) {
			wz_yerr(m->path, v->line, v->col, "scope field '%s' is "
			    "not county, township, village or unit", v->s);
			nerr++;
			continue;
		}
		m->scope[m->nscope++] = f;
	}
	return nerr;
}

struct wz_rmap *
wz_rmap_load(const char *path)
{
	struct wz_ynode *root, *k, *v;
	struct wz_rmap *m;
	const char *es;
	size_t i, j;
	int nerr = 0, known;

	root = wz_yaml_load(path, &nerr);
	if (nerr > 0)
		return NULL;
	m = wz_calloc(1, sizeof(*m));
	m->path = wz_strdup(path);
	if (root == NULL)
		return m;	/* an empty map changes nothing */
	if (root->type != WZ_Y_MAP) {
		wz_yerr(path, root->line, root->col, "a map file is a mapping "
		    "(skip:, columns:, constants:, scope: ...), not %s",
		    wz_ytype_name(root));
		nerr++;
		goto done;
	}
	for (i = 0; i < root->n; i++) {
		k = root->kids[2 * i];
		v = root->kids[2 * i + 1];
		for (known = 0, j = 0; map_keys[j] != NULL; j++)
			if (strcmp(k->s, map_keys[j]) == 0)
				known = 1;
		if (!known) {
			wz_yerr(path, k->line, k->col, "unknown key '%s' (skip, "
			    "encoding, no_header, date_system, columns, "
			    "constants, scope)", k->s);
			nerr++;
		}
	}
	if ((v = wz_ymap_get(root, "skip")) != NULL) {
		if (scalar(path, v, "skip")) {
			m->skip = (unsigned long)wz_strtonum(v->s, 0, 1000000,
			    &es);
			m->has_skip = 1;
			if (es != NULL) {
				wz_yerr(path, v->line, v->col, "skip '%s' is "
				    "%s (a number of rows, 0 to 1000000)", v->s,
				    es);
				nerr++;
			}
		} else
			nerr++;
	}
	if ((v = wz_ymap_get(root, "encoding")) != NULL) {
		if (!scalar(path, v, "encoding"))
			nerr++;
		else if (strcasecmp(v->s, "UTF-8") == 0 ||
		    strcasecmp(v->s, "UTF8") == 0)
			m->encoding = wz_strdup("UTF-8");
		else if (strcasecmp(v->s, "GB18030") == 0)
			m->encoding = wz_strdup("GB18030");
		else if (strcasecmp(v->s, "GBK") == 0 ||
		    strcasecmp(v->s, "GB2312") == 0)
			m->encoding = wz_strdup("GBK");
		else {
			wz_yerr(path, v->line, v->col, "unknown encoding '%s' "
			    "(UTF-8, GB18030 or GBK)", v->s);
			nerr++;
		}
	}
	if ((v = wz_ymap_get(root, "no_header")) != NULL) {
		if (scalar(path, v, "no_header") && (strcmp(v->s, "true") == 0 ||
		    strcmp(v->s, "false") == 0)) {
			m->no_header = strcmp(v->s, "true") == 0;
			m->has_no_header = 1;
		} else {
			wz_yerr(path, v->line, v->col, "no_header is true or "
			    "false");
			nerr++;
		}
	}
	if ((v = wz_ymap_get(root, "date_system")) != NULL) {
		if (scalar(path, v, "date_system") && (strcmp(v->s, "1900") ==
		    0 || strcmp(v->s, "1904") == 0))
			m->date1904 = strcmp(v->s, "1904") == 0;
		else {
			wz_yerr(path, v->line, v->col, "date_system is 1900 "
			    "(Windows Excel) or 1904 (old Mac Excel)");
			nerr++;
		}
	}
	if ((v = wz_ymap_get(root, "columns")) != NULL)
		nerr += map_columns(m, v);
	if ((v = wz_ymap_get(root, "constants")) != NULL)
		nerr += map_constants(m, v);
	if ((v = wz_ymap_get(root, "scope")) != NULL)
		nerr += map_scope(m, v);
	if (m->no_header)
		for (i = 0; i < WZ_RF_N; i++)
			if (m->col[i].name != NULL) {
				wz_yerr(path, m->col[i].line, m->col[i].col,
				    "with no_header: true columns are "
				    "positions, not header names");
				nerr++;
			}
done:
	wz_yaml_free(root);
	if (nerr > 0) {
		wz_rmap_free(m);
		return NULL;
	}
	return m;
}

void
wz_rmap_ropts(const struct wz_rmap *m, struct wz_ropts *o)
{
	if (m == NULL)
		return;
	if (m->has_skip)
		o->skip = m->skip;
	if (m->encoding != NULL)
		o->encoding = m->encoding;
	if (m->has_no_header)
		o->no_header = m->no_header;
}

void
wz_rmap_free(struct wz_rmap *m)
{
	int i;

	if (m == NULL)
		return;
	for (i = 0; i < WZ_RF_N; i++) {
		free(m->col[i].name);
		free(m->cst[i]);
	}
	free(m->encoding);
	free(m->path);
	free(m);
}

/* ------------------------------------------------------------------ */
/* Cells: party membership, ranks, unit names                          */
/* ------------------------------------------------------------------ */

static int
word_is(const char *s, size_t n, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strlen(*list) == n && memcmp(s, *list, n) == 0)
			return 1;
	return 0;
}

static int
holds(const char *s, size_t n, const char *w)
{
	return memmem(s, n, w, strlen(w)) != NULL;
}

int
wz_party_member(const char *s, size_t n)
{
	static const char *const yes[] = { "中共党员", "中共预备党员", "党员",
	    "预备党员", "中国共产党党员", "共产党员", "中共正式党员", "是", "y",
	    "Y", "yes", "Yes", "YES", "1", "√", NULL };
	static const char *const no[] = { "群众", "否", "非党员", "无",
	    "共青团员", "团员", "无党派", "无党派人士", "n", "N", "no", "No",
	    "NO", "0", "×", NULL };
	static const char *const other_party[] = { "民革", "民盟", "民建",
	    "民进", "农工", "致公", "九三", "台盟", "民主党派", "党外",
	    "团员", "无党派", "国民党", NULL };
	const char *const *p;

	wz_trim_space(&s, &n);
	if (n == 0)
		return 0;
	if (word_is(s, n, yes))
		return 'y';
	if (word_is(s, n, no))
		return 'n';
	for (p = other_party; *p != NULL; p++)
		if (holds(s, n, *p))
			return 'n';
	if (holds(s, n, "中共") || holds(s, n, "共产党"))
		return 'y';
	return -1;
}

/* Ranks from the highest; 村干部 is outside the civil-service ladder
 * and counts lowest when a person's several ranks are compared. */
static const char *const ranks[] = { NULL, "省部级", "厅局级", "县处级",
	"乡科级", "一般干部", "村干部" };
#define NRANKS	7

static int
rank_code(const char *s)
{
	int i;

	if (s == NULL)
		return 0;
	for (i = 1; i < NRANKS; i++)
		if (strcmp(s, ranks[i]) == 0)
			return i;
	return 0;
}

/* The higher of two rank codes (0: none). */
static int
rank_max(int a, int b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

const char *
wz_rank_parse(const char *s, size_t n)
{
	static const struct {
		const char *word;
		int rank;
	} w[] = {
		{ "省部级", 1 }, { "正部", 1 }, { "副部", 1 }, { "省级", 1 },
		{ "厅局级", 2 }, { "正厅", 2 }, { "副厅", 2 }, { "地厅", 2 },
		{ "县处级", 3 }, { "正处", 3 }, { "副处", 3 }, { "处级", 3 },
		{ "正县", 3 }, { "副县", 3 }, { "县级", 3 }, { "调研员", 3 },
		{ "乡科级", 4 }, { "正科", 4 }, { "副科", 4 }, { "科级", 4 },
		{ "乡级", 4 }, { "科员", 5 }, { "办事员", 5 }, { "一般干部", 5 },
		{ "试用期", 5 }, { "村干部", 6 }, { "村级", 6 },
	};
	size_t i;

	wz_trim_space(&s, &n);
	if (n == 0)
		return NULL;
	/* 一级主任科员 .. 四级主任科员 sit at 乡科级 (2019 rules). */
	if (holds(s, n, "主任科员") && !holds(s, n, "副主任科员"))
		return ranks[4];
	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (holds(s, n, w[i].word))
			return ranks[w[i].rank];
	return NULL;
}

size_t
wz_unit_canon(const char *s, size_t n)
{
#define W(x) { x, sizeof(x) - 1 }
	static const struct {
		const char *w;
		size_t n;
	} organ[] = {
		W("村民委员会"), W("居民委员会"), W("人民政府"), W("党总支部"),
		W("党工委"), W("办事处"), W("党总支"), W("党支部"), W("居委会"),
		W("村委会"), W("政府"), W("党委"), W("支部"), W("村委"),
	};
#undef W
	size_t i, k;
	int again = 1;

	while (again) {
		again = 0;
		/* every organ word ends in 会, 府, 委, 处, 支 or 部 */
		if (n < 6 || !char_in(s, n, n - 3, "会府委处支部"))
			break;
		for (i = 0; i < sizeof(organ) / sizeof(organ[0]); i++) {
			k = organ[i].n;
			/* at least two characters must remain */
			if (n <= k + 3 || memcmp(s + n - k, organ[i].w, k) != 0)
				continue;
			n -= k;
			/* 柳湾村委会 and 柳湾村民委员会 keep the 村 */
			if (starts_with(organ[i].w, k, "村") &&
			    !ends_with(s, n, "村"))
				n += 3;
			again = 1;
			break;
		}
	}
	return n;
}

int
wz_unit_kind(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	if (ends_with(s, n, "村") || ends_with(s, n, "社区"))
		return 'v';
	if (ends_with(s, n, "乡") || ends_with(s, n, "镇") ||
	    ends_with(s, n, "街道"))
		return 't';
	if (ends_with(s, n, "县") || ends_with(s, n, "旗") ||
	    (ends_with(s, n, "区") && !ends_with(s, n, "社区") &&
	    !ends_with(s, n, "片区") && !ends_with(s, n, "园区") &&
	    !ends_with(s, n, "景区")) || (ends_with(s, n, "市") &&
	    nchars(s, n) <= 5))
		return 'c';
	return 'd';
}

/* ------------------------------------------------------------------ */
/* Titles                                                               */
/* ------------------------------------------------------------------ */

/* Post levels of posts.yaml, as small numbers. */
enum lvl { L_OTHER, L_PROVINCE, L_CITY, L_COUNTY, L_DEPT, L_TOWN, L_VILLAGE,
	L_TEAM, L_PAIRED, L_INSPECTOR };

static enum lvl
level_code(const char *s)
{
	static const char *const names[] = { "", "province", "city", "county",
	    "department", "township", "village", "team", "paired",
	    "inspector" };
	size_t i;

	for (i = 1; i < sizeof(names) / sizeof(names[0]); i++)
		if (s != NULL && strcmp(s, names[i]) == 0)
			return (enum lvl)i;
	return L_OTHER;
}

/* One role a title names, with the units its words name. */
struct trole {
	uint32_t	 post;
	uint32_t	 town, village, unit, link;	/* string ids, 0: none */
};

/* A place a note names: (包抓柳湾村) -> village 柳湾村. */
struct tlink {
	uint32_t	 town, village;
};

/* A title cell, read once per (title, unit) and cached. */
struct tparse {
	struct trole	*r;
	struct tlink	*l;
	uint32_t	*unk;		/* parts that name no post */
	uint16_t	 nr, nl, nunk;
	int		 rxfail;	/* a post pattern could not finish:
					   WZ_RX_LIMIT or WZ_RX_ERROR */
};

/* The unit a row's other columns give, which a bare title is read in. */
struct tctx {
	enum lvl	 level;		/* L_OTHER: none */
	const char	*name;
	size_t		 len;
};

/* Post words at the end of a department title; what is before them is
 * the unit (县农业农村局副局长 -> 县农业农村局). */
static const char *const dept_words[] = {
	"常务副局长", "副局长", "局长", "常务副主任", "副主任", "主任",
	"党组副书记", "党组书记", "党组成员", "党委副书记", "党委书记",
	"党工委书记", "副书记", "书记", "副部长", "部长", "副院长", "院长",
	"副所长", "所长", "副站长", "站长", "副大队长", "大队长", "副队长",
	"队长", "副社长", "社长", "副行长", "行长", "副馆长", "馆长",
	"副总经理", "总经理", "副经理", "经理", "副理事长", "理事长",
	"副主席", "主席", "副会长", "会长", "副校长", "校长", "副股长", "股长",
	"副科长", "科长", "一级主任科员", "二级主任科员", "三级主任科员",
	"四级主任科员", "副主任科员", "主任科员", "科员", "办事员", "副调研员",
	"调研员", "干事", "工作人员", "职员", "职工", "干部", "专干", "技术员",
	"专员", "信息员", "统计员", "联络员", "主要负责人", "负责人",
	"主要领导", "分管领导", "分管负责人", "一把手", "总工程师", "总经济师",
	"总农艺师", "总会计师", "总畜牧师", "纪检组长", "纪检组副组长",
	"纪检监察组长", "副组长", "组长", "执法人员", "队员", "人员", NULL
};

static const char *const link_verbs[] = { "包抓", "联系", "包联", "挂联",
	"帮联", "联点", "挂点", "包", NULL };

/*
 * Take a county's name off the front of a place (示范县东河镇 ->
 * 东河镇): a 县, 区 or 市 after two to six characters, unless the word
 * goes on as a county organ (县级, 县委, 县长, 县直, 县政府 ...).
 * Returns the new start and shortens *n.
 */
static const char *
after_county(const char *s, size_t *n)
{
	size_t i = 0, c = 0;

	while (i + 3 <= *n && c <= 6) {
		if (c >= 2 && char_in(s, *n, i, "县区市")) {
			if (i + 3 < *n && !char_in(s, *n, i + 3,
			    "级委长直政人纪监"))
				break;
			return s;
		}
		i += u8len((unsigned char)s[i]);
		c++;
	}
	if (i + 3 > *n || c > 6 || c < 2)
		return s;
	*n -= i + 3;
	return s + i + 3;
}

/*
 * The township a title part names before its post words: the shortest
 * prefix of at least three characters that ends in 乡, 镇 or 街道
 * (乡 not followed by 村).  Returns its byte length, or 0.
 */
static size_t
town_prefix(const char *s, size_t n)
{
	size_t i = 0, c = 0;

	while (i < n) {
		if (c >= 2 && (char_in(s, n, i, "镇") ||
		    (char_in(s, n, i, "乡") && !char_in(s, n, i + 3, "村"))))
			return i + 3;
		if (c >= 2 && starts_with(s + i, n - i, "街道"))
			return i + 6;
		i += u8len((unsigned char)s[i]);
		c++;
	}
	return 0;
}

/* The village a title part names: its shortest prefix of three or more
 * characters that ends in 村 or 社区.  Returns its byte length, or 0. */
static size_t
village_prefix(const char *s, size_t n)
{
	size_t i = 0, c = 0;

	while (i < n) {
		if (c >= 2 && char_in(s, n, i, "村"))
			return i + 3;
		if (c >= 2 && starts_with(s + i, n - i, "社区"))
			return i + 6;
		i += u8len((unsigned char)s[i]);
		c++;
	}
	return 0;
}

/* Take a leading 驻, 包, 联系 ... off a place name. */
static const char *
skip_verb(const char *s, size_t *n)
{
	static const char *const lead[] = { "包抓", "联系", "包联", "挂联",
	    "帮联", "驻", "包", NULL };
	size_t i, k;

	for (i = 0; lead[i] != NULL; i++) {
		k = strlen(lead[i]);
		if (*n > k + 3 && starts_with(s, *n, lead[i])) {
			*n -= k;
			return s + k;
		}
	}
	return s;
}

struct roster_posts {
	enum lvl	*lvl;
	int		*rank;
	size_t		*codelen;	/* strlen of each post's code */
	size_t		 ranklen[NRANKS];	/* and of ranks[] */
	int		 link_town, link_village, town_link, lead_poverty;
};

struct person;
struct role;
struct sheet;
struct shape;
struct place;
struct scopememo;
struct titlememo;
struct datememo;
struct isomemo;

struct wz_roster {
	struct wz_roster_opts o;
	const struct wz_ruleset *rs;
	struct roster_posts P;
	struct wz_aliases aliases;

	struct strtab	 str;		/* names, scopes, units, parts */
	struct strtab	 tkey;		/* title cache keys; aux: tparse + 1 */
	struct strtab	 pkey;		/* title parts; aux: post + 2, 1: none */
	int		 used_name;	/* a reading looked at the unit's name */
	int		 rxfail;	/* a part met a post pattern that could
					   not finish (the reading's tp->rxfail) */
	struct shape	*shapes;	/* row shapes, by key hash */
	struct shape	*shape1;	/* one made past the cache (shape_get) */
	unsigned	 shtries, shhits;	/* the cache's lookups, hits */
	unsigned long	 shskip;	/* rows to go past it */
	struct place	*place;		/* the last row's place cells */
	struct scopememo *smemo;	/* scope_of's recent answers */
	struct titlememo *tmemo;	/* title_parse's */
	struct placememo *pmemo;	/* place_cell's */
	struct datememo	*dmemo;		/* row_date's, start and end */
	struct isomemo	*imemo;		/* iso_of's */
	uint8_t		*cjk;		/* name_trad's: by code point from
					   U+4E00, 2 bits, 0 not yet asked */
	struct tparse	*tp;
	size_t		 ntp, captp;

	struct person	*pers;
	size_t		 npers, cappers;
	char		*names;		/* persons' names, NUL-terminated */
	size_t		 nnames, capnames;
	struct wz_buf	 pids;		/* person ids, NUL-terminated */
	uint32_t	*pidoff;	/* by person: offset in pids */
	size_t		 cappidoff;
	struct u64map	 later;		/* (person, L_*) -> a rare fact */
	struct pmap	 by_id;		/* ID number -> person */
	struct pmap	 by_home;	/* name and home scope -> the person
					   whose own they are */
	struct u64map	 by_alias;	/* name hash, home scope id -> a
					   named entry: the person of an ID
					   number first seen with another
					   name or home */
	struct u64map	 by_name;	/* name hash -> a named entry: county
					   or township leader + 1, or AMBIG */
	struct nkey	*nkeys;		/* the named entries of both */
	size_t		 nnkeys, capnkeys;
	struct wz_buf	 knames;	/* their names */
	struct role	*roles;
	size_t		 nroles, caproles;
	uint32_t	 hold0;		/* the empty scope's newest role in a
					   single-holder post + 1 (others':
					   their string's aux) */
	uint32_t	*hmax;		/* by scope: the latest end of those
					   roles, biased (role_add) */
	size_t		 caphmax;
	uint32_t	 hmax0;

	struct sheet	**sheets;
	size_t		 nsheets;
	int		 mixed;		/* several layouts */
	struct wz_writer *out, *rej;
	struct wz_sha	*sha;
	wz_day		 min_day, max_day;
	char		 pcell[2][16];	/* party_of's last two cells, */
	size_t		 pn[2];
	int		 pval[2];	/* and their answers */
	uint32_t	 plain_id;	/* scope_plain's last scope, */
	int		 plain_is;	/* and its answer */
	char		 lastv[32];	/* the village cell last prefetched */
	size_t		 lastvn;	/* (0: none) */

	struct wz_roster_counts c;
	struct wz_buf	 b, b2, key, tbuf, cbuf, nbuf;	/* scratch */
};

/* pkey's aux for a part on which a post pattern could not finish: kept
 * as that, never as "no post", so the part is not run again. */
#define PK_LIMIT	UINT32_MAX
#define PK_ERROR	(UINT32_MAX - 1)

/*
 * Match one title part against posts.yaml: the post's index, or -1 (no
 * post), or -2 when a post pattern could not finish on it (PCRE2's match
 * or depth limit; ro->rxfail is set).
 */
static int
match_post(struct wz_roster *ro, const char *s, size_t n)
{
	const struct wz_post *p[1];
	size_t unm;
	uint32_t id;
	int k, rc;

	if (n == 0)
		return -1;
	/*
	 * Every post's patterns run on a part not seen before; parts repeat
	 * (a county has a few hundred distinct ones), so each is matched
	 * once and remembered.
	 */
	id = st_lookup(&ro->pkey, s, n, 1);
	if (ro->pkey.e[id].aux == PK_LIMIT || ro->pkey.e[id].aux == PK_ERROR) {
		ro->rxfail = ro->pkey.e[id].aux == PK_LIMIT ? WZ_RX_LIMIT :
		    WZ_RX_ERROR;
		return -2;
	}
	if (ro->pkey.e[id].aux != 0)
		return (int)ro->pkey.e[id].aux - 2;
	wz_buf_reset(&ro->b2);
	wz_buf_add(&ro->b2, s, n);
	if (wz_rules_title_posts(ro->rs, wz_buf_cstr(&ro->b2), p, 1, &unm,
	    &rc) != 1 || unm != 0)
		k = -1;
	else
		k = (int)(p[0] - ro->rs->posts);
	if (rc != 0) {
		ro->rxfail = rc;
		ro->pkey.e[id].aux = rc == WZ_RX_LIMIT ? PK_LIMIT : PK_ERROR;
		return -2;
	}
	ro->pkey.e[id].aux = (uint32_t)(k + 2);
	return k;
}

static int
match_prefixed(struct wz_roster *ro, const char *pre, size_t pn,
    const char *s, size_t n)
{
	struct wz_buf t = {0};
	int k;

	wz_buf_add(&t, pre, pn);
	wz_buf_add(&t, s, n);
	k = match_post(ro, t.s, t.len);
	wz_buf_free(&t);
	return k;
}

/*
 * The post of one title part.  A bare word (书记, 主任, 会计) means
 * different posts in a village, a township and a department
 * (posts.yaml's comment): when the part alone gives a post of another
 * level than the row's unit, the part is read again after the unit's
 * name (柳湾村书记), and that reading wins if it is a post of the unit's
 * level.  After 兼 the same is done with the level of the post before
 * it (村党支部书记兼主任: 主任 is the village's).
 */
static int
part_post(struct wz_roster *ro, const char *s, size_t n,
    const struct tctx *cx, enum lvl hint)
{
	static const char *const word[] = { [L_COUNTY] = "县",
	    [L_TOWN] = "镇", [L_VILLAGE] = "村", [L_INSPECTOR] = NULL };
	int p0, p1;

	p0 = match_post(ro, s, n);
	if (cx->level != L_OTHER && (p0 < 0 || ro->P.lvl[p0] != cx->level))
		ro->used_name = 1;	/* title_parse's cache key */
	if (cx->level != L_OTHER && (p0 < 0 || ro->P.lvl[p0] != cx->level) &&
	    !starts_with(s, n, cx->name) && cx->len > 0) {
		p1 = match_prefixed(ro, cx->name, cx->len, s, n);
		if (p1 >= 0 && ro->P.lvl[p1] == cx->level)
			return p1;
	}
	if (hint != L_OTHER && hint <= L_VILLAGE && word[hint] != NULL &&
	    (p0 < 0 || ro->P.lvl[p0] != hint)) {
		p1 = match_prefixed(ro, word[hint], strlen(word[hint]), s, n);
		if (p1 >= 0 && ro->P.lvl[p1] == hint)
			return p1;
	}
	return p0;
}

static uint32_t
intern(struct wz_roster *ro, const char *s, size_t n)
{
	return n == 0 ? 0 : st_lookup(&ro->str, s, n, 1);
}

/* The units a title part names, by the level of its post. */
static void
part_units(struct wz_roster *ro, struct trole *r, const char *s, size_t n)
{
	size_t k, tn, i, best;
	const char *t;
	enum lvl lv = ro->P.lvl[r->post];

	r->town = r->village = r->unit = r->link = 0;
	if (lv == L_TOWN || lv == L_VILLAGE || lv == L_TEAM ||
	    lv == L_PAIRED) {
		tn = n;
		t = after_county(s, &tn);
		t = skip_verb(t, &tn);
		if (lv == L_VILLAGE && (k = village_prefix(t, tn)) > 0) {
			size_t tk = town_prefix(t, k);

			if (tk > 0 && tk < k) {
				r->town = intern(ro, t, tk);
				r->village = intern(ro, t + tk, k - tk);
			} else
				r->village = intern(ro, t, k);
		} else if (lv == L_TOWN && (k = town_prefix(t, tn)) > 0)
			r->town = intern(ro, t, k);
	}
	if ((int)r->post == ro->P.link_town || (int)r->post ==
	    ro->P.link_village || (int)r->post == ro->P.town_link) {
		int vill = (int)r->post != ro->P.link_town;

		tn = n;
		t = after_county(s, &tn);
		for (i = 0; link_verbs[i] != NULL; i++) {
			const char *v = memmem(t, tn, link_verbs[i],
			    strlen(link_verbs[i]));

			if (v != NULL) {
				tn -= (size_t)(v - t) + strlen(link_verbs[i]);
				t = v + strlen(link_verbs[i]);
				break;
			}
		}
		k = vill ? village_prefix(t, tn) : town_prefix(t, tn);
		if (k == 0) {
			tn = n;
			t = after_county(s, &tn);
			k = vill ? village_prefix(t, tn) : town_prefix(t, tn);
		}
		if (k > 0)
			r->link = intern(ro, t, k);
	}
	if (lv == L_DEPT) {
		best = 0;
		for (i = 0; dept_words[i] != NULL; i++) {
			k = strlen(dept_words[i]);
			if (k > best && ends_with(s, n, dept_words[i]))
				best = k;
		}
		if (best > 0 && nchars(s, n - best) >= 2)
			r->unit = intern(ro, s, wz_unit_canon(s, n - best));
	}
}

static void
tp_role(struct wz_roster *ro, struct tparse *tp, int post, const char *s,
    size_t n)
{
	size_t i;

	for (i = 0; i < tp->nr; i++)
		if ((int)tp->r[i].post == post)
			return;		/* one role per post per title */
	tp->r = wz_reallocarray(tp->r, tp->nr + 1, sizeof(*tp->r));
	tp->r[tp->nr].post = (uint32_t)post;
	part_units(ro, &tp->r[tp->nr], s, n);
	tp->nr++;
}

static void
tp_link(struct tparse *tp, uint32_t town, uint32_t village)
{
	size_t i;

	for (i = 0; i < tp->nl; i++)
		if (tp->l[i].town == town && tp->l[i].village == village)
			return;
	tp->l = wz_reallocarray(tp->l, tp->nl + 1, sizeof(*tp->l));
	tp->l[tp->nl].town = town;
	tp->l[tp->nl].village = village;
	tp->nl++;
}

/* A place named in a note or a link column: a township, a village, or
 * a township and its village (东河镇柳湾村). */
static int
place(struct wz_roster *ro, const char *s, size_t n, uint32_t *town,
    uint32_t *village)
{
	size_t k;

	*town = *village = 0;
	wz_trim_space(&s, &n);
	s = after_county(s, &n);
	n = wz_unit_canon(s, n);
	switch (wz_unit_kind(s, n)) {
	case 'v':
		k = town_prefix(s, n);
		if (k > 0 && k < n && wz_unit_kind(s + k, n - k) == 'v' &&
		    nchars(s + k, n - k) >= 2) {
			*town = intern(ro, s, k);
			*village = intern(ro, s + k, n - k);
		} else
			*village = intern(ro, s, n);
		return 0;
	case 't':
		*town = intern(ro, s, n);
		return 0;
	default:
		return -1;
	}
}

/* A note: (包抓柳湾村), (联系东河镇、包抓杏林村).  Notes that name no
 * link (主持工作, 正科级) are left alone. */
static void
tp_note(struct wz_roster *ro, struct tparse *tp, const char *s, size_t n)
{
	size_t i = 0, start, k, j;
	int verb = 0;
	uint32_t town, village;

	while (i <= n) {
		start = i;
		while (i < n && s[i] != ',' && s[i] != ';' && s[i] != '/' &&
		    s[i] != ' ' && !starts_with(s + i, n - i, "、"))
			i++;
		k = i - start;
		for (j = 0; link_verbs[j] != NULL; j++)
			if (starts_with(s + start, k, link_verbs[j])) {
				start += strlen(link_verbs[j]);
				k -= strlen(link_verbs[j]);
				verb = 1;
				break;
			}
		if (verb && k > 0 && place(ro, s + start, k, &town,
		    &village) == 0)
			tp_link(tp, town, village);
		i += i < n && s[i] == (char)0xe3 ? 3 : 1;
	}
}

/* Take the words 分管扶贫工作的 out of a part: 分管扶贫工作的副县长 is
 * also a 副县长 (posts.yaml's county_lead_poverty).  Writes the rest
 * to b; returns 0 if the part has no 分管. */
static int
without_fenguan(const char *s, size_t n, struct wz_buf *b)
{
	static const char *const what[] = { "脱贫攻坚", "精准扶贫", "扶贫开发",
	    "扶贫移民", "农业农村", "扶贫", "农村", "三农", NULL };
	const char *f = memmem(s, n, "分管", 6), *de, *r;
	size_t i;

	if (f == NULL)
		return 0;
	wz_buf_reset(b);
	wz_buf_add(b, s, (size_t)(f - s));
	r = f + 6;
	de = memmem(r, n - (size_t)(r - s), "的", 3);
	if (de != NULL && de - r <= 24)
		r = de + 3;
	else {
		for (i = 0; what[i] != NULL; i++)
			if (starts_with(r, n - (size_t)(r - s), what[i])) {
				r += strlen(what[i]);
				break;
			}
		if (starts_with(r, n - (size_t)(r - s), "开发"))
			r += 6;
		if (starts_with(r, n - (size_t)(r - s), "工作"))
			r += 6;
	}
	wz_buf_add(b, r, n - (size_t)(r - s));
	return 1;
}

/* One part of a title: notes off, split on 兼, each piece to a post. */
static void
tp_part(struct wz_roster *ro, struct tparse *tp, const char *s, size_t n,
    const struct tctx *cx)
{
	struct wz_buf base = {0}, rest = {0};
	size_t i, start, depth = 0, nstart = 0, pn;
	enum lvl hint = L_OTHER;
	int post, whole, p2, first;
	const char *p;

	for (i = 0; i < n; i++) {
		if (s[i] == '(') {
			if (depth++ == 0)
				nstart = i + 1;
		} else if (s[i] == ')' && depth > 0) {
			if (--depth == 0)
				tp_note(ro, tp, s + nstart, i - nstart);
		} else if (depth == 0)
			wz_buf_addc(&base, s[i]);
	}
	if (base.len == 0)
		goto done;
	/* The whole part decides the level of its first post when it holds
	 * 兼: posts.yaml maps 书记兼主任 to the village's secretary. */
	whole = memmem(base.s, base.len, "兼", 3) != NULL ?
	    match_post(ro, base.s, base.len) : -1;
	if (whole >= 0)
		hint = ro->P.lvl[whole];
	first = 1;
	for (start = 0, i = 0; i <= base.len; i++) {
		if (i < base.len && !starts_with(base.s + i, base.len - i,
		    "兼"))
			continue;
		p = base.s + start;
		pn = i - start;
		start = i + 3;
		if (pn == 0) {
			i += 2;
			continue;
		}
		post = part_post(ro, p, pn, cx, hint);
		if (post < 0 && first && whole >= 0)
			post = whole;
		if (post < 0) {
			tp->unk = wz_reallocarray(tp->unk, tp->nunk + 1,
			    sizeof(*tp->unk));
			tp->unk[tp->nunk++] = intern(ro, p, pn);
		} else {
			tp_role(ro, tp, post, p, pn);
			hint = ro->P.lvl[post];
			/* 分管扶贫的副县长: a county leader too */
			if (post == ro->P.lead_poverty &&
			    without_fenguan(p, pn, &rest) && rest.len > 0 &&
			    (p2 = match_post(ro, rest.s, rest.len)) >= 0 &&
			    p2 != post && ro->P.lvl[p2] == L_COUNTY)
				tp_role(ro, tp, p2, rest.s, rest.len);
		}
		first = 0;
		i += 2;
	}
done:
	wz_buf_free(&base);
	wz_buf_free(&rest);
}

/*
 * Read a title cell.  Split on 、 , ; / and spaces outside parentheses
 * (after NFKC, full-width punctuation is ASCII), as posts.yaml says.
 */
static void
tp_read(struct wz_roster *ro, struct tparse *tp, const char *title,
    size_t tn, const struct tctx *cx)
{
	char *s = wz_normalize(title, tn);
	size_t n = strlen(s), i, start = 0, k;
	int depth = 0;

	memset(tp, 0, sizeof(*tp));
	ro->rxfail = 0;
	for (i = 0; i <= n; i++) {
		k = 0;
		if (i < n && s[i] == '(')
			depth++;
		else if (i < n && s[i] == ')' && depth > 0)
			depth--;
		else if (i < n && depth == 0) {
			if (s[i] == ',' || s[i] == ';' || s[i] == '/' ||
			    s[i] == ' ')
				k = 1;
			else if (starts_with(s + i, n - i, "、"))
				k = 3;
		}
		if (i == n || k > 0) {
			if (i > start)
				tp_part(ro, tp, s + start, i - start, cx);
			start = i + k;
			if (k > 1)
				i += k - 1;
		}
	}
	tp->rxfail = ro->rxfail;
	free(s);
}

/* A tparse read now, under the key id. */
static const struct tparse *
tp_new(struct wz_roster *ro, uint32_t id, const char *title, size_t tn,
    const struct tctx *cx)
{
	if (ro->ntp == ro->captp) {
		ro->captp = ro->captp ? ro->captp * 2 : 64;
		ro->tp = wz_reallocarray(ro->tp, ro->captp, sizeof(*ro->tp));
	}
	tp_read(ro, &ro->tp[ro->ntp], title, tn, cx);
	ro->tkey.e[id].aux = (uint32_t)++ro->ntp;
	return &ro->tp[ro->ntp - 1];
}

#define TK_BY_NAME	UINT32_MAX	/* aux: the reading needs the unit's name */

/*
 * In front of tkey, direct-mapped: the readings kept under a title and
 * level alone, for a short title.  A sheet's rows cycle through a few
 * titles, and this finds one without building and hashing the key.
 */
#define TMEMO		64
#define TMEMOLEN	48
struct titlememo {
	char		 s[TMEMOLEN];
	size_t		 n;
	enum lvl	 level;
	uint32_t	 tp;		/* ro->tp index + 1; 0: none */
};

static struct titlememo *
tmemo_slot(struct wz_roster *ro, const char *title, size_t tn, enum lvl l)
{
	uint64_t a = 0, b = 0;

	if (tn == 0 || tn > TMEMOLEN)
		return NULL;
	if (ro->tmemo == NULL)
		ro->tmemo = wz_calloc(TMEMO, sizeof(*ro->tmemo));
	if (tn >= 8) {
		/* the usual title: two loads of a known size, inlined */
		memcpy(&a, title, 8);
		memcpy(&b, title + tn - 8, 8);
	} else {
		memcpy(&a, title, tn);
		memcpy(&b, title, tn);
	}
	return &ro->tmemo[mix64(a ^ b * 0x9e3779b97f4a7c15ULL ^ tn ^
	    (uint64_t)l << 56) & (TMEMO - 1)];
}

/* Keep reading tp (index + 1) of a title and level in m (if any). */
static const struct tparse *
tmemo_keep(struct wz_roster *ro, struct titlememo *m, const char *title,
    size_t tn, enum lvl l, uint32_t tp)
{
	if (m != NULL) {
		memcpy(m->s, title, tn);
		m->n = tn;
		m->level = l;
		m->tp = tp;
	}
	return &ro->tp[tp - 1];
}

/*
 * The cached reading of a title in its unit.  Most titles read the same
 * in every unit of a level (村党支部书记 in any village): they are kept
 * under the title and level alone.  Only a title whose reading looked at
 * the unit's name (a bare 书记 read as 柳湾村书记) is kept per unit, or a
 * province's twenty thousand villages would each read every title again.
 */
static const struct tparse *
title_parse(struct wz_roster *ro, const char *title, size_t tn,
    const struct tctx *cx)
{
	struct titlememo *m = tmemo_slot(ro, title, tn, cx->level);
	const struct tparse *tp;
	uint32_t id;

	if (m != NULL && m->tp != 0 && m->n == tn && m->level == cx->level &&
	    same_bytes(m->s, title, tn))
		return &ro->tp[m->tp - 1];
	wz_buf_reset(&ro->key);
	wz_buf_add(&ro->key, title, tn);
	wz_buf_addc(&ro->key, '\x1f');
	wz_buf_addc(&ro->key, (char)('0' + cx->level));
	id = st_lookup(&ro->tkey, ro->key.s, ro->key.len, 1);
	if (ro->tkey.e[id].aux != 0 && ro->tkey.e[id].aux != TK_BY_NAME)
		return tmemo_keep(ro, m, title, tn, cx->level,
		    ro->tkey.e[id].aux);
	if (ro->tkey.e[id].aux == 0) {
		ro->used_name = 0;
		tp = tp_new(ro, id, title, tn, cx);
		if (!ro->used_name)
			return tmemo_keep(ro, m, title, tn, cx->level,
			    ro->tkey.e[id].aux);
		/* Keep it under the unit's name instead. */
		ro->tkey.e[id].aux = TK_BY_NAME;
		wz_buf_add(&ro->key, cx->name, cx->len);
		id = st_lookup(&ro->tkey, ro->key.s, ro->key.len, 1);
		ro->tkey.e[id].aux = (uint32_t)ro->ntp;
		return tp;
	}
	wz_buf_add(&ro->key, cx->name, cx->len);
	id = st_lookup(&ro->tkey, ro->key.s, ro->key.len, 1);
	if (ro->tkey.e[id].aux != 0)
		return &ro->tp[ro->tkey.e[id].aux - 1];
	return tp_new(ro, id, title, tn, cx);
}

/* ------------------------------------------------------------------ */
/* People: persons, roles, and the checks between them                  */
/* ------------------------------------------------------------------ */

#define P_COUNTY	0x01	/* holds a county leader's post */
#define P_TOWN		0x02	/* holds a township leader's post */
#define P_PLAIN		0x04	/* the name is plain (is_plain) */
#define P_PARTY0	0x08	/* party was given on the person's first row */
#define P_HOME		0x10	/* in by_home, under their name and home */

#define POST_UNKNOWN	0xffffu
#define AMBIG		(NONE32 - 1)

/*
 * 24 bytes, for a million of them are written once each.  The row that
 * made a person is that of their oldest role (first_row): a new person's
 * first role is never a repeat.  What few persons have is kept beside
 * them: the stored id (ro->pidoff) only without an ID number or with
 * --mask; in ro->later, by (person, what), a township leader's scope
 * (L_TOWNSCOPE) and the row that first gave the party when that was not
 * the first row (L_PARTYLINE, L_PARTYFILE).
 */
struct person {
	uint64_t	 idkey;		/* 17 digits of the ID number + 1; 0 */
	uint32_t	 name;		/* offset in ro->names */
	uint32_t	 home;		/* string id */
	uint32_t	 last;		/* newest role, NONE32 */
	char		 party;		/* 0, 'y', 'n' */
	uint8_t		 rank;
	uint8_t		 flags;
};

enum { L_TOWNSCOPE, L_PARTYLINE, L_PARTYFILE };

struct role {
	uint32_t	 person, next, scope, line;
	uint32_t	 hprev;		/* the previous role in a single-holder
					   post in this scope, NONE32 */
	uint16_t	 from, to;	/* days from ro->min_day (rday);
					   RDAY_NONE: open */
	uint16_t	 post, file;
};

/*
 * A role's dates in 16 bits: every date is read between ro->min_day and
 * ro->max_day (1949-10-01..2099-12-31, 55,000 days), so its distance
 * from the first fits; checked all the same.  28 bytes a role, not 32.
 */
#define RDAY_NONE	UINT16_MAX

static uint16_t
rday(const struct wz_roster *ro, wz_day d)
{
	if (d == WZ_DAY_NONE)
		return RDAY_NONE;
	if (d < ro->min_day || d - ro->min_day >= RDAY_NONE)
		wz_die(EX_SOFTWARE, NULL, 0, "a date out of its range");
	return (uint16_t)(d - ro->min_day);
}

static wz_day
rday_day(const struct wz_roster *ro, uint16_t x)
{
	return x == RDAY_NONE ? WZ_DAY_NONE : ro->min_day + x;
}

/*
 * The roles in single-holder posts of one scope are a chain from the
 * newest (role.hprev), whose head is the scope string's aux (role + 1),
 * so finding a post's holders costs no lookup beyond the scope's, which
 * the row has just made, and no record of their own: a scope holds a
 * few such posts.  Beside it, by scope id, the latest end among them
 * (ro->hmax).
 */

static const char *
pname(const struct wz_roster *ro, const struct person *p)
{
	return ro->names + p->name;
}

/* Its length: names are kept in the order of the persons. */
static size_t
pname_len(const struct wz_roster *ro, const struct person *p)
{
	size_t i = (size_t)(p - ro->pers);

	return (i + 1 < ro->npers ? ro->pers[i + 1].name : ro->nnames) -
	    p->name - 1;
}

/*
 * A person's id: the ID number (rebuilt from its 17 digits, so a million
 * people do not keep a million copies), else the stored mask or hash.
 * The result lives until the fourth call after this one.
 */
static const char *
pid_of(const struct wz_roster *ro, const struct person *p)
{
	static char buf[4][WZ_IDCARD_LEN + 1];
	static int k;
	uint64_t v;
	uint32_t hi, lo;
	int i;

	if (p->idkey == 0 || ro->o.mask != NULL)
		return ro->pids.s + ro->pidoff[p - ro->pers];
	k = (k + 1) & 3;
	v = p->idkey - 1;
	/* two halves in 32 bits: one 64-bit division, not seventeen */
	hi = (uint32_t)(v / 1000000000);
	lo = (uint32_t)(v % 1000000000);
	for (i = 16; i >= 8; i--) {
		buf[k][i] = (char)('0' + lo % 10);
		lo /= 10;
	}
	for (; i >= 0; i--) {
		buf[k][i] = (char)('0' + hi % 10);
		hi /= 10;
	}
	buf[k][17] = wz_idcard_check_digit(buf[k]);
	buf[k][18] = '\0';
	return buf[k];
}

static const char *
post_code(const struct wz_roster *ro, unsigned post)
{
	return post == POST_UNKNOWN ? "unknown" : ro->rs->posts[post].code;
}

/* "2017-03-01..2019-12-31", "2017-03-01..", "..2019-12-31", "(no dates)" */
static const char *
period_str(wz_day from, wz_day to, char *buf, size_t n)
{
	char a[WZ_DATE_ISOLEN + 1], b[WZ_DATE_ISOLEN + 1];

	if (from == WZ_DAY_NONE && to == WZ_DAY_NONE)
		snprintf(buf, n, "(no dates)");
	else {
		wz_date_iso(from, a);
		wz_date_iso(to, b);
		snprintf(buf, n, "%s..%s", a, b);
	}
	return buf;
}

static int
overlap(wz_day f1, wz_day t1, wz_day f2, wz_day t2)
{
	/*
	 * Open ends reach forever.  The day one holder leaves is the day the
	 * next one starts on most rosters (免职 and 任职 on one date): a
	 * handover, not two holders, so sharing only that day is no overlap.
	 */
	return (t2 == WZ_DAY_NONE || f1 == WZ_DAY_NONE || f1 < t2) &&
	    (t1 == WZ_DAY_NONE || f2 == WZ_DAY_NONE || f2 < t1);
}

/* A cell of the row being read. */
struct val {
	const char	*s;
	size_t		 n;
};

struct sheet {
	char		*name;
	int		 col[WZ_RF_N];
	const char	*cst[WZ_RF_N];
	struct val	 dflt[WZ_RF_N];	/* a field's value where its column is
					   missing: the constant, or empty */
	int		 incol[WZ_RF_N];	/* fields read from columns */
	size_t		 inpos[WZ_RF_N];	/* and their columns */
	int		 nincol;
	int		 outcol[WZ_RF_N];	/* the fields that have none */
	int		 noutcol;
	char		*label[WZ_RF_N];	/* the header, for messages */
	int		 scope[WZ_RF_N], nscope;
	unsigned	 dflags;
	size_t		 ncols;
	char		**hdr, **hnorm;
};

static void
warn(struct wz_roster *ro, const struct sheet *sh, unsigned long line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
warn(struct wz_roster *ro, const struct sheet *sh, unsigned long line,
    const char *fmt, ...)
{
	va_list ap;

	ro->c.warnings++;
	va_start(ap, fmt);
	wz_vmsg(sh->name, line, fmt, ap);
	va_end(ap);
}

static const char *
file_name(const struct wz_roster *ro, unsigned file)
{
	return file < ro->nsheets ? ro->sheets[file]->name : "?";
}

/*
 * Record a role of person pi, after the checks: the same post and scope
 * held twice at overlapping times by one person (a restatement without
 * dates, or with the same dates, is merged: returns 1 and adds nothing),
 * and two people at once in a single-holder post.
 */
static int
role_add(struct wz_roster *ro, uint32_t pi, unsigned post, uint32_t scope,
    wz_day from, wz_day to, const struct sheet *sh, unsigned file,
    unsigned long line)
{
	struct person *p = &ro->pers[pi];
	struct role *r;
	uint32_t i, *head, *hm, ri;
	char b1[32], b2[32];
	int warned = 0;
	wz_day lo, maxhi;
	uint16_t rf = rday(ro, from), rt = rday(ro, to);

	for (i = p->last; i != NONE32; i = ro->roles[i].next) {
		r = &ro->roles[i];
		if (r->post != post || r->scope != scope)
			continue;
		if ((from == WZ_DAY_NONE && to == WZ_DAY_NONE) ||
		    (r->from == rf && r->to == rt))
			return 1;
		if (r->from == RDAY_NONE && r->to == RDAY_NONE)
			continue;
		if (!warned && overlap(from, to, rday_day(ro, r->from),
		    rday_day(ro, r->to))) {
			warn(ro, sh, line, "%s holds %s at %s twice at once: "
			    "%s here and %s at %s:%lu", pname(ro, p),
			    post_code(ro, post), st_str(&ro->str, scope),
			    period_str(from, to, b1, sizeof(b1)),
			    period_str(rday_day(ro, r->from),
			    rday_day(ro, r->to), b2, sizeof(b2)),
			    file_name(ro, r->file), (unsigned long)r->line);
			warned = 1;
		}
	}
	big_room((void **)&ro->roles, &ro->caproles, ro->nroles + 1,
	    sizeof(*ro->roles), 1024);
	if (ro->nroles >= NONE32 - 1)
		wz_die(EX_SOFTWARE, NULL, 0, "too many roles");
	ri = (uint32_t)ro->nroles++;
	r = &ro->roles[ri];
	r->person = pi;
	r->next = p->last;
	r->scope = scope;
	r->line = (uint32_t)line;
	r->hprev = NONE32;
	r->from = rf;
	r->to = rt;
	r->post = (uint16_t)post;
	r->file = (uint16_t)file;
	p->last = ri;
	if (post == POST_UNKNOWN || !ro->rs->posts[post].single)
		return 0;

	/* Single-holder posts: the other holders of this post and scope.
	 * maxhi (the latest end among the scope's roles in such posts)
	 * skips the scan for a holder who follows the others, the usual
	 * order of a roster.  It is kept as its distance from INT32_MIN,
	 * so that fresh memory (0) is "none" (below every day). */
	if (scope == 0) {
		head = &ro->hold0;
		hm = &ro->hmax0;
	} else {
		head = &ro->str.e[scope].aux;
		big_room((void **)&ro->hmax, &ro->caphmax, (size_t)scope + 1,
		    sizeof(*ro->hmax), 1024);
		hm = &ro->hmax[scope];
	}
	maxhi = (wz_day)((int64_t)*hm + INT32_MIN);
	lo = from == WZ_DAY_NONE ? INT32_MIN + 1 : from;
	if (lo <= maxhi)
		for (i = *head; i != 0; i = ro->roles[i - 1].hprev + 1) {
			const struct role *o = &ro->roles[i - 1];

			if (o->post != post || o->person == pi ||
			    !overlap(from, to, rday_day(ro, o->from),
			    rday_day(ro, o->to)))
				continue;
			warn(ro, sh, line, "two holders of %s at %s at once: %s "
			    "%s here and %s %s at %s:%lu", post_code(ro, post),
			    st_str(&ro->str, scope), pname(ro, p),
			    period_str(from, to, b1, sizeof(b1)),
			    pname(ro, &ro->pers[o->person]),
			    period_str(rday_day(ro, o->from),
			    rday_day(ro, o->to), b2, sizeof(b2)),
			    file_name(ro, o->file), (unsigned long)o->line);
			break;
		}
	r->hprev = *head - 1;	/* NONE32 after none */
	*head = ri + 1;
	if (to == WZ_DAY_NONE)
		maxhi = INT32_MAX;
	else if (to > maxhi)
		maxhi = to;
	*hm = (uint32_t)((int64_t)maxhi - INT32_MIN);
	return 0;
}

/* A new person; their id is the ID number (or its mask), else a short
 * hash of name and home scope (DESIGN.md Decision 12). */
static uint32_t
person_new(struct wz_roster *ro, uint64_t idkey, const char *idnum,
    const char *name, size_t nlen, int plain, uint32_t home)
{
	struct person *p;
	char hex[WZ_SHA_HEXLEN + 1], mask[WZ_IDMASK_HEXLEN + 1];

	big_room((void **)&ro->pers, &ro->cappers, ro->npers + 1,
	    sizeof(*ro->pers), 1024);
	if (ro->npers >= NONE32 - 2)
		wz_die(EX_SOFTWARE, NULL, 0, "too many persons");
	if (ro->nnames + nlen + 1 > UINT32_MAX)
		wz_die(EX_SOFTWARE, NULL, 0, "too many names");
	big_room((void **)&ro->names, &ro->capnames, ro->nnames + nlen + 1,
	    1, 65536);
	p = &ro->pers[ro->npers];
	memset(p, 0, sizeof(*p));
	p->idkey = idkey;
	p->name = (uint32_t)ro->nnames;
	memcpy(ro->names + ro->nnames, name, nlen);
	ro->names[ro->nnames + nlen] = '\0';
	ro->nnames += nlen + 1;
	p->home = home;
	p->last = NONE32;
	if (plain < 0 ? is_plain(name, nlen) : plain)
		p->flags |= P_PLAIN;
	if (idkey != 0 && ro->o.mask == NULL)
		return (uint32_t)ro->npers++;	/* pid_of rebuilds it */
	big_room((void **)&ro->pidoff, &ro->cappidoff, ro->npers + 1,
	    sizeof(*ro->pidoff), 1024);
	ro->pidoff[ro->npers] = (uint32_t)ro->pids.len;
	if (idkey != 0) {
		wz_idmask_hex(ro->o.mask, idnum, WZ_IDCARD_LEN, mask);
		wz_buf_add(&ro->pids, mask, WZ_IDMASK_HEXLEN);
	} else {
		if (ro->sha == NULL)	/* libcrypto: only when needed */
				wz_sha_begin(ro->sha);
		wz_sha_update(ro->sha, name, nlen);
		wz_sha_update(ro->sha, "\n", 1);
		wz_sha_update(ro->sha, st_str(&ro->str, home),
		    st_len(&ro->str, home));
		wz_sha_hex(ro->sha, hex);
		wz_buf_add(&ro->pids, "p-", 2);
		wz_buf_add(&ro->pids, hex, 12);
	}
	wz_buf_addc(&ro->pids, '\0');
	return (uint32_t)ro->npers++;
}

/* ------------------------------------------------------------------ */
/* Sheets                                                               */
/* ------------------------------------------------------------------ */

/* The columns this program adds (DESIGN.md). */
static const char *const added[] = { "person_id", "name", "role", "title",
	"scope", "valid_from", "valid_to", "party_member", "rank", NULL };
/* The canonical columns of a run over sheets of several layouts. */
static const int canon_out[] = { WZ_RF_ID_NUMBER, WZ_RF_GENDER,
	WZ_RF_PARTY, WZ_RF_UNIT, WZ_RF_COUNTY, WZ_RF_TOWNSHIP, WZ_RF_VILLAGE,
	WZ_RF_LINK_TOWNSHIP, WZ_RF_LINK_VILLAGE, WZ_RF_PHONE, WZ_RF_NOTE, -1 };
/* ... and of their rejects: every field as read. */
static const int canon_rej[] = { WZ_RF_NAME, WZ_RF_ID_NUMBER, WZ_RF_GENDER,
	WZ_RF_PARTY, WZ_RF_UNIT, WZ_RF_TITLE, WZ_RF_COUNTY, WZ_RF_TOWNSHIP,
	WZ_RF_VILLAGE, WZ_RF_VALID_FROM, WZ_RF_VALID_TO, WZ_RF_LINK_TOWNSHIP,
	WZ_RF_LINK_VILLAGE, WZ_RF_PHONE, WZ_RF_NOTE, -1 };

static void trim_edge_init(void);

struct wz_roster *
wz_roster_new(const struct wz_roster_opts *o)
{
	struct wz_roster *ro = wz_calloc(1, sizeof(*ro));
	const struct wz_post *p;
	size_t i;

	ro->o = *o;
	ro->rs = o->rs;
	ro->plain_is = 1;	/* scope 0, the empty path */
	trim_edge_init();
	if (ro->o.rules_name == NULL)
		ro->o.rules_name = "posts.yaml";
	ro->aliases = wz_rules_aliases(ro->rs);
	ro->P.lvl = wz_calloc(ro->rs->nposts + 1, sizeof(*ro->P.lvl));
	ro->P.rank = wz_calloc(ro->rs->nposts + 1, sizeof(*ro->P.rank));
	ro->P.codelen = wz_calloc(ro->rs->nposts + 1,
	    sizeof(*ro->P.codelen));
	for (i = 0; i < ro->rs->nposts; i++) {
		ro->P.lvl[i] = level_code(ro->rs->posts[i].level);
		ro->P.rank[i] = rank_code(ro->rs->posts[i].rank);
		ro->P.codelen[i] = strlen(ro->rs->posts[i].code);
	}
	for (i = 1; i < NRANKS; i++)
		ro->P.ranklen[i] = strlen(ranks[i]);
#define POST_IDX(field, code) do {					\
	if ((p = wz_rules_post(ro->rs, code)) == NULL)			\
		wz_die(EX_CONFIG, NULL, 0, "the rules have no post %s "	\
		    "(rules/posts.yaml)", code);			\
	ro->P.field = (int)(p - ro->rs->posts);				\
} while (0)
	POST_IDX(link_town, "county_link_township");
	POST_IDX(link_village, "county_link_village");
	POST_IDX(town_link, "town_link_village");
	POST_IDX(lead_poverty, "county_lead_poverty");
#undef POST_IDX
	ro->sha = wz_sha_new();
	if (ro->o.today == WZ_DAY_NONE) {
		time_t now = time(NULL);
		struct tm tm;

		/* once: an ID number's birth date may not be after today */
		if (localtime_r(&now, &tm) != NULL)
			ro->o.today = wz_date_days(tm.tm_year + 1900,
			    tm.tm_mon + 1, tm.tm_mday);
	}
	ro->min_day = wz_date_days(1949, 10, 1);
	ro->max_day = wz_date_days(2099, 12, 31);
	return ro;
}

static void
sheet_free(struct sheet *sh)
{
	size_t i;

	if (sh == NULL)
		return;
	for (i = 0; i < sh->ncols; i++) {
		free(sh->hdr[i]);
		free(sh->hnorm[i]);
	}
	for (i = 0; i < WZ_RF_N; i++)
		free(sh->label[i]);
	free(sh->hdr);
	free(sh->hnorm);
	free(sh->name);
	free(sh);
}

int
wz_roster_sheet(struct wz_roster *ro, const char *name,
    const struct wz_row *hdr, const struct wz_rmap *m, int *status)
{
	struct sheet *sh = wz_calloc(1, sizeof(*sh));
	int idx[8], f, used[WZ_RF_N], nonempty = 0;
	size_t i, n, j;

	sh->name = wz_strdup(name);
	sh->ncols = hdr->n;
	sh->hdr = wz_calloc(hdr->n + 1, sizeof(char *));
	sh->hnorm = wz_calloc(hdr->n + 1, sizeof(char *));
	for (i = 0; i < hdr->n; i++) {
		sh->hdr[i] = wz_strndup(hdr->f[i], hdr->len[i]);
		sh->hnorm[i] = wz_header_norm(hdr->f[i], hdr->len[i]);
		if (sh->hnorm[i][0] != '\0')
			nonempty++;
	}
	for (f = 0; f < WZ_RF_N; f++) {
		sh->col[f] = -1;
		used[f] = 0;
	}
	if (m != NULL && m->date1904)
		sh->dflags |= WZ_DATE_1904;
	/* The map's columns and constants first, then headers.yaml. */
	for (f = 0; m != NULL && f < WZ_RF_N; f++) {
		const struct mcol *c = &m->col[f];

		if (m->cst[f] != NULL)
			sh->cst[f] = m->cst[f];
		if (!c->set)
			continue;
		if (c->name != NULL) {
			int k = wz_col_find(hdr, c->name);

			if (k < 0) {
				wz_yerr(m->path, c->line, c->col, k == -1 ?
				    "no column '%s' in the header of %s" :
				    "several columns are named '%s' in %s",
				    c->name, name);
				goto config;
			}
			sh->col[f] = k;
		} else {
			if ((size_t)c->pos > hdr->n) {
				wz_yerr(m->path, c->line, c->col, "column %ld: "
				    "%s has only %zu columns", c->pos, name,
				    hdr->n);
				goto config;
			}
			sh->col[f] = (int)c->pos - 1;
		}
		used[f] = 1;
	}
	for (f = 0; f < WZ_RF_N; f++) {
		if (used[f] || sh->cst[f] != NULL || f == WZ_RF_PERIOD ||
		    f == WZ_RF_RANK)
			continue;
		n = wz_col_lookup(hdr, rfield_names[f], &ro->aliases, idx, 8);
		/* a column the map gave to another field is not this one */
		for (i = j = 0; i < n; i++) {
			int taken = 0, g;

			for (g = 0; g < WZ_RF_N; g++)
				if (used[g] && sh->col[g] == idx[i])
					taken = 1;
			if (!taken)
				idx[j++] = idx[i];
		}
		n = j;
		if (n > 1) {
			wz_msg(name, hdr->line, "columns %d (%s) and %d (%s) "
			    "both read as %s; choose one with a map (columns: "
			    "{%s: ...})", idx[0] + 1, sh->hdr[idx[0]],
			    idx[1] + 1, sh->hdr[idx[1]], rfield_names[f],
			    rfield_names[f]);
			goto data;
		}
		if (n == 1)
			sh->col[f] = idx[0];
	}
	for (f = 0; f < WZ_RF_N; f++)
		sh->label[f] = wz_strdup(sh->col[f] >= 0 &&
		    sh->hnorm[sh->col[f]][0] != '\0' ? sh->hnorm[sh->col[f]] :
		    rfield_names[f]);
	if (sh->col[WZ_RF_NAME] < 0 && sh->cst[WZ_RF_NAME] == NULL) {
		if (nonempty <= 1 && hdr->n > 0)
			wz_msg(name, hdr->line, "no name (姓名) column; the "
			    "first row looks like the sheet's title: skip it "
			    "with --skip 1 (or skip: 1 in a map)");
		else
			wz_msg(name, hdr->line, "no name (姓名) column; name "
			    "it with a map (columns: {name: ...})");
		goto data;
	}
	if (sh->col[WZ_RF_TITLE] < 0 && sh->cst[WZ_RF_TITLE] == NULL &&
	    sh->col[WZ_RF_LINK_TOWNSHIP] < 0 &&
	    sh->col[WZ_RF_LINK_VILLAGE] < 0 &&
	    sh->cst[WZ_RF_LINK_TOWNSHIP] == NULL &&
	    sh->cst[WZ_RF_LINK_VILLAGE] == NULL) {
		wz_msg(name, hdr->line, "no title (职务) column and no "
		    "联系乡镇 or 包抓村 column: no role to read");
		goto data;
	}
	if (m != NULL)
		for (i = 0; i < (size_t)m->nscope; i++)
			sh->scope[sh->nscope++] = m->scope[i];
	for (f = 0; f < WZ_RF_N; f++) {
		sh->dflt[f].s = sh->cst[f] != NULL ? sh->cst[f] : "";
		sh->dflt[f].n = strlen(sh->dflt[f].s);
		if (sh->col[f] >= 0) {
			sh->inpos[sh->nincol] = (size_t)sh->col[f];
			sh->incol[sh->nincol++] = f;
		} else
			sh->outcol[sh->noutcol++] = f;
	}
	ro->sheets = wz_reallocarray(ro->sheets, ro->nsheets + 1,
	    sizeof(*ro->sheets));
	ro->sheets[ro->nsheets] = sh;
	return (int)ro->nsheets++;
config:
	sheet_free(sh);
	*status = EX_CONFIG;
	return -1;
data:
	sheet_free(sh);
	*status = EX_DATAERR;
	return -1;
}

void
wz_roster_start(struct wz_roster *ro, struct wz_writer *out,
    struct wz_writer *rej)
{
	const struct sheet *s0;
	size_t i, k;

	ro->out = out;
	ro->rej = rej;
	if (ro->nsheets == 0)
		return;
	s0 = ro->sheets[0];
	for (k = 1; k < ro->nsheets; k++) {
		if (ro->sheets[k]->ncols != s0->ncols)
			ro->mixed = 1;
		else
			for (i = 0; i < s0->ncols; i++)
				if (strcmp(ro->sheets[k]->hnorm[i],
				    s0->hnorm[i]) != 0)
					ro->mixed = 1;
	}
	if (ro->mixed) {
		wz_writer_fieldz(out, "source");
		for (i = 0; canon_out[i] >= 0; i++)
			wz_writer_fieldz(out, rfield_names[canon_out[i]]);
	} else
		for (i = 0; i < s0->ncols; i++)
			wz_writer_fieldz(out, s0->hdr[i]);
	for (i = 0; added[i] != NULL; i++)
		wz_writer_fieldz(out, added[i]);
	if (ro->o.labels_zh)
		wz_writer_fieldz(out, "role_zh");
	wz_writer_endrow(out);
	if (rej == NULL)
		return;
	if (ro->mixed) {
		wz_writer_fieldz(rej, "source");
		for (i = 0; canon_rej[i] >= 0; i++)
			wz_writer_fieldz(rej, rfield_names[canon_rej[i]]);
	} else
		for (i = 0; i < s0->ncols; i++)
			wz_writer_fieldz(rej, s0->hdr[i]);
	wz_writer_fieldz(rej, "reason");
	wz_writer_endrow(rej);
}

/*
 * What the place cells (county, township, village, unit) of the last
 * shape made: rows come grouped by village or unit on most rosters, so
 * the next shape's place is usually the same one, and is not worked out
 * again.
 */
struct place {
	char		*key;
	size_t		 klen, kcap;
	uint32_t	 C, T, V, U, home;
	int		 uk;		/* wz_unit_kind of U */
	struct tctx	 cx;
	char		*cxname;
	size_t		 cxcap;
};

/* scope_of (a, b, c) -> id, direct-mapped: a row's roles are scoped to
 * the same few paths as the rows before it. */
#define SMEMO	1024
struct scopememo {
	uint32_t	 a, b, c, id;
};

struct rrole {
	unsigned	 post;
	uint32_t	 scope;
	int		 town;		/* a township leader's post */
};

#define MAXROLES	64
#define MAXLINKS	32

/* One row being read; zeroed up to v, which values() fills. */
struct rowst {
	struct sheet	*sh;
	const struct wz_row *row;
	unsigned	 file;
	struct wz_idcard id;
	int		 has_id;
	wz_day		 from, to;
	int		 party;
	int		 rank;
	const char	*nm;		/* the name, normalised: ro->nbuf, or
					   the cell if it needs nothing */
	size_t		 nmlen;
	int		 nmplain;	/* is_plain(nm), or -1: not known */
	uint64_t	 nmh;		/* its hash */
	uint64_t	 idkey;		/* id_key of the ID number, 0 */
	uint32_t	 idtag;		/* its id_tag, for by_id */
	uint32_t	 C, T, V, U, home;
	uint32_t	 htag;		/* home_tag: set with home */
	int		 uk;		/* wz_unit_kind of U */
	struct tctx	 cx;
	struct val	 v[WZ_RF_N];
	struct rrole	 r[MAXROLES];
	size_t		 nr;
	struct tlink	 lt[MAXLINKS], lv[MAXLINKS];	/* from columns */
	size_t		 nlt, nlv;
	char		 why[512];
};

/*
 * The bytes a cell may start (bit 1) or end (bit 2) with that
 * wz_trim_space takes off: blanks, and U+3000's first and last byte.
 * Its own first test, by table here, spares most cells the call.
 */
static unsigned char trim_edge[256];

static void
trim_edge_init(void)
{
	int c;

	for (c = 0; c <= ' '; c++)
		trim_edge[c] = 1 | 2;
	trim_edge[0xe3] |= 1;
	trim_edge[0x80] |= 2;
}

static void
values(const struct sheet *sh, const struct wz_row *row, struct val *v)
{
	/*
	 * The row's arrays in locals (a store to v[].n may change row->n
	 * as far as the compiler knows), and s, n left alone but for the
	 * rare cell to trim (whose addresses, taken, would keep them in
	 * memory).
	 */
	char *const *f = row->f;
	const size_t *len = row->len, nf = row->n;
	const int nin = sh->nincol;
	const unsigned char *u;
	struct val t;
	size_t n, c;
	int i;

	/* The fields without a column, one by one: a memcpy of all, of a
	 * fixed size, would be made a rep movs, three times as long. */
	for (i = 0; i < sh->noutcol; i++)
		v[sh->outcol[i]] = sh->dflt[sh->outcol[i]];
	for (i = 0; i < nin; i++) {
		if ((c = sh->inpos[i]) >= nf) {
			v[sh->incol[i]] = sh->dflt[sh->incol[i]];
			continue;
		}
		u = (const unsigned char *)f[c];
		n = len[c];
		if (n > 0 && ((trim_edge[u[0]] & 1) | (trim_edge[u[n - 1]] &
		    2)) != 0) {
			t.s = f[c];
			t.n = n;
			wz_trim_space(&t.s, &t.n);
			v[sh->incol[i]] = t;
		} else {
			v[sh->incol[i]].s = f[c];
			v[sh->incol[i]].n = n;
		}
	}
}

static void
write_rej(struct wz_roster *ro, const struct sheet *sh,
    const struct wz_row *row, const char *why)
{
	struct val v[WZ_RF_N];
	size_t i;
	char src[64];

	if (ro->rej == NULL)
		return;
	if (ro->mixed) {
		values(sh, row, v);
		snprintf(src, sizeof(src), "%lu", row->line);
		wz_buf_reset(&ro->b2);
		wz_buf_printf(&ro->b2, "%s:%s", sh->name, src);
		wz_writer_field(ro->rej, ro->b2.s, ro->b2.len);
		for (i = 0; canon_rej[i] >= 0; i++)
			wz_writer_field(ro->rej, v[canon_rej[i]].s,
			    v[canon_rej[i]].n);
		wz_writer_fieldz(ro->rej, why);
	} else {
		for (i = 0; i < sh->ncols; i++) {
			if (i < row->n && (i + 1 < sh->ncols ||
			    row->n <= sh->ncols))
				wz_writer_field(ro->rej, row->f[i],
				    row->len[i]);
			else if (i < row->n) {
				/* extra fields go with the last one */
				size_t j;

				wz_buf_reset(&ro->b2);
				for (j = i; j < row->n; j++) {
					if (j > i)
						wz_buf_addc(&ro->b2, ',');
					wz_buf_add(&ro->b2, row->f[j],
					    row->len[j]);
				}
				wz_writer_field(ro->rej, ro->b2.s ?
				    ro->b2.s : "", ro->b2.len);
			} else
				wz_writer_field(ro->rej, "", 0);
		}
		wz_writer_fieldz(ro->rej, why);
	}
	wz_writer_endrow(ro->rej);
}

static void
reject(struct wz_roster *ro, const struct sheet *sh, const struct wz_row *row,
    const char *why)
{
	ro->c.rejected++;
	wz_msg(sh->name, row->line, "%s", why);
	write_rej(ro, sh, row, why);
}

/*
 * A date cell of at most DMEMOLEN bytes that read well, and what it
 * read as, direct-mapped: a roster's dates are a few hundred months, and
 * reading one (wz_date_parse) costs many times the lookup.
 */
#define DMEMO		256
#define DMEMOLEN	16
struct datememo {
	char		 s[DMEMOLEN];
	size_t		 n;		/* 0: none (an empty cell is quick) */
	unsigned	 flags;
	wz_day		 day;
};

/* A row's date; 0, or -1 with st->why set. */
static int
row_date(struct wz_roster *ro, struct rowst *st, int f, unsigned flags,
    wz_day *out)
{
	const char *s = st->v[f].s;
	size_t n = st->v[f].n;
	struct datememo *m = NULL;
	uint64_t w[2] = { 0, 0 };
	char why[128];
	int rc;

	if (n == 0) {
		*out = WZ_DAY_NONE;	/* wz_date_parse: WZ_DATE_EMPTY */
		return 0;
	}
	flags |= st->sh->dflags;
	if (n <= DMEMOLEN) {
		if (ro->dmemo == NULL)
			ro->dmemo = wz_calloc(2 * DMEMO, sizeof(*ro->dmemo));
		put_bytes((char *)w, s, n);
		m = &ro->dmemo[(f == WZ_RF_VALID_TO) * DMEMO +
		    (mix64(w[0] ^ w[1] * 0x9e3779b97f4a7c15ULL ^ flags) &
		    (DMEMO - 1))];
		if (m->n == n && m->flags == flags && same_bytes(m->s, s, n)) {
			*out = m->day;
			return 0;
		}
	}
	*out = WZ_DAY_NONE;
	rc = wz_date_parse(s, n, flags, ro->min_day, ro->max_day, out, NULL,
	    why, sizeof(why));
	if (rc == WZ_DATE_OK || rc == WZ_DATE_EMPTY ||
	    (rc == WZ_DATE_OPEN && f == WZ_RF_VALID_TO)) {
		if (rc != WZ_DATE_OK)
			*out = WZ_DAY_NONE;
		if (m != NULL) {
			memcpy(m->s, s, n);
			m->n = n;
			m->flags = flags;
			m->day = *out;
		}
		return 0;
	}
	if (rc == WZ_DATE_OPEN)
		snprintf(why, sizeof(why), "a start date cannot be open");
	snprintf(st->why, sizeof(st->why), "%s '%.*s': %s",
	    st->sh->label[f], (int)(st->v[f].n > 60 ? 60 : st->v[f].n),
	    st->v[f].s, why);
	return -1;
}

/* The path of scope (a, b, c), its non-empty parts joined by '/', in
 * ro->b. */
static void
scope_path(struct wz_roster *ro, uint32_t a, uint32_t b, uint32_t c)
{
	uint32_t part[3] = { a, b, c };
	int i, any = 0;

	wz_buf_reset(&ro->b);
	for (i = 0; i < 3; i++) {
		if (part[i] == 0)
			continue;
		if (any++)
			wz_buf_addc(&ro->b, '/');
		wz_buf_add(&ro->b, st_str(&ro->str, part[i]),
		    st_len(&ro->str, part[i]));
	}
}

/* The scope (a, b, c): its path interned. */
static uint32_t
scope_of(struct wz_roster *ro, uint32_t a, uint32_t b, uint32_t c)
{
	struct scopememo *m;
	uint32_t id;

	if (ro->smemo == NULL)
		ro->smemo = wz_calloc(SMEMO, sizeof(*ro->smemo));
	m = &ro->smemo[mix64(((uint64_t)a << 32 | b) ^ (uint64_t)c << 17) &
	    (SMEMO - 1)];
	if (m->id != 0 && m->a == a && m->b == b && m->c == c)
		return m->id;
	scope_path(ro, a, b, c);
	id = intern(ro, ro->b.s, ro->b.len);
	m->a = a;
	m->b = b;
	m->c = c;
	m->id = id;
	return id;
}

/* Ask for the slot where scope_of(a, b, c) will look, when a place is
 * new: the path is new too on a big roster, and its lookup a miss. */
static void
scope_prefetch(struct wz_roster *ro, uint32_t a, uint32_t b, uint32_t c)
{
	if (ro->str.slot.cap == 0)
		return;
	scope_path(ro, a, b, c);
	pm_prefetch(&ro->str.slot, (uint32_t)wz_hash_mem(ro->b.s, ro->b.len));
}

/* A place column's value: trimmed, county prefix off, organ words off. */
static uint32_t
place_val(struct wz_roster *ro, const struct val *v, int county_ok)
{
	const char *s = v->s;
	size_t n = v->n;

	if (n == 0)
		return 0;
	if (!county_ok)
		s = after_county(s, &n);
	n = wz_unit_canon(s, n);
	return intern(ro, s, n);
}

/* The unit column: 示范县扶贫办 -> 县扶贫办 when the county is 示范县. */
static uint32_t
unit_val(struct wz_roster *ro, const struct val *v, uint32_t county)
{
	const char *s = v->s, *c = st_str(&ro->str, county);
	size_t n = v->n, cn = st_len(&ro->str, county);

	if (n == 0)
		return 0;
	n = wz_unit_canon(s, n);
	if (cn > 3 && n > cn && memcmp(s, c, cn) == 0 &&
	    wz_unit_kind(s, n) == 'd') {
		wz_buf_reset(&ro->b);
		wz_buf_add(&ro->b, c + cn - 3, 3);
		wz_buf_add(&ro->b, s + cn, n - cn);
		return intern(ro, ro->b.s, ro->b.len);
	}
	if (cn > 0 && n > cn && memcmp(s, c, cn) == 0 &&
	    (wz_unit_kind(s, n) == 't' || wz_unit_kind(s, n) == 'v'))
		return intern(ro, s + cn, n - cn);
	return intern(ro, s, n);
}

/*
 * place_val() of a township or village cell, and unit_val() of a unit
 * cell under county C, direct-mapped by the cell: a roster's townships
 * and units are a few dozen, met again at each new place (village)
 * under them, and reading one (the county off its front, organ words
 * off its end, interned) costs many times the lookup.  Both read the
 * cell alone (and the county's name), and interning gives a string its
 * id for good: the id kept is the one they would give.  Each column
 * (col: 0 township, 1 village, 2 unit) has a table of its own, where
 * the thousands of villages cannot push the townships out.
 */
#define PMEMO		256
#define PMEMOLEN	24
struct placememo {
	char		 s[PMEMOLEN];
	size_t		 n;		/* 0: none (an empty cell is quick) */
	uint32_t	 unit;		/* 0: place_val, else unit_val's C + 1 */
	uint32_t	 id;
};

static uint32_t
place_cell(struct wz_roster *ro, const struct val *v, int col, uint32_t unit)
{
	struct placememo *m;
	uint64_t a, b;
	uint32_t id;

	if (v->n == 0 || v->n > PMEMOLEN)
		return unit ? unit_val(ro, v, unit - 1) : place_val(ro, v, 0);
	if (ro->pmemo == NULL)
		ro->pmemo = wz_calloc(3 * PMEMO, sizeof(*ro->pmemo));
	if (v->n >= 8) {
		memcpy(&a, v->s, 8);
		memcpy(&b, v->s + v->n - 8, 8);
	} else {
		a = 0;
		put_bytes((char *)&a, v->s, v->n);
		b = a;
	}
	m = &ro->pmemo[col * PMEMO + (mix64(a ^ b * 0x9e3779b97f4a7c15ULL ^
	    v->n ^ (uint64_t)unit << 40) & (PMEMO - 1))];
	if (m->n == v->n && m->unit == unit && same_bytes(m->s, v->s, v->n))
		return m->id;
	id = unit ? unit_val(ro, v, unit - 1) : place_val(ro, v, 0);
	memcpy(m->s, v->s, v->n);
	m->n = v->n;
	m->unit = unit;
	m->id = id;
	return id;
}

static int
kind_of(struct wz_roster *ro, uint32_t id)
{
	return wz_unit_kind(st_str(&ro->str, id), st_len(&ro->str, id));
}

/* A village given with its township (东河镇柳湾村): the township goes to
 * *town if that is empty, the village stays in *village. */
static void
split_village(struct wz_roster *ro, uint32_t *town, uint32_t *village)
{
	const char *u = st_str(&ro->str, *village);
	size_t un = st_len(&ro->str, *village), tk;

	if (*village == 0 || wz_unit_kind(u, un) != 'v')
		return;
	tk = town_prefix(u, un);
	if (tk == 0 || tk >= un || nchars(u + tk, un - tk) < 2)
		return;
	wz_buf_reset(&ro->cbuf);
	wz_buf_add(&ro->cbuf, u, un);
	if (*town == 0)
		*town = intern(ro, ro->cbuf.s, tk);
	*village = intern(ro, ro->cbuf.s + tk, un - tk);
}

/*
 * The scope of a role a title names: the map's scope fields if it has
 * them, else by the post's level (rules/posts.yaml).  Returns 0; 1 for
 * a link post (县级包抓村领导) whose places come from the link columns;
 * -1 and a reason when the row does not say where.
 */
static int
title_scope(struct wz_roster *ro, struct rowst *st, const struct trole *t,
    uint32_t *out)
{
	const struct wz_post *p = &ro->rs->posts[t->post];
	uint32_t C = st->C, T = st->T, V = st->V, U = st->U, x, y, part[3];
	int i, k = 0, ku = st->uk;

	if (st->sh->nscope > 0) {
		part[0] = part[1] = part[2] = 0;
		for (i = 0; i < st->sh->nscope && k < 3; i++)
			switch (st->sh->scope[i]) {
			case WZ_RF_COUNTY: part[k++] = C; break;
			case WZ_RF_TOWNSHIP: part[k++] = T; break;
			case WZ_RF_VILLAGE: part[k++] = V; break;
			default: part[k++] = U; break;
			}
		*out = scope_of(ro, part[0], part[1], part[2]);
		return 0;
	}
	if ((int)t->post == ro->P.link_town) {
		x = t->link ? t->link : st->nlt == 1 ? st->lt[0].town : 0;
		if (x == 0 && st->nlt + st->nlv > 0)
			return 1;	/* the link columns make the roles */
		if (x == 0)
			goto nowhere;
		*out = scope_of(ro, C, x, 0);
		return 0;
	}
	if ((int)t->post == ro->P.link_village ||
	    (int)t->post == ro->P.town_link) {
		x = t->link ? t->link : st->nlv == 1 ? st->lv[0].village : 0;
		y = st->nlv == 1 && st->lv[0].town ? st->lv[0].town :
		    st->nlt == 1 ? st->lt[0].town : T ? T : t->town;
		if (x == 0 && st->nlt + st->nlv > 0)
			return 1;
		if (x == 0)
			goto nowhere;
		*out = scope_of(ro, C, y, x);
		return 0;
	}
	switch (ro->P.lvl[t->post]) {
	case L_COUNTY:
	case L_INSPECTOR:
		*out = scope_of(ro, C, 0, 0);
		return 0;
	case L_DEPT:
		x = U && ku == 'd' ? U : t->unit ? t->unit : U;
		if (x == 0) {
			snprintf(st->why, sizeof(st->why), "no unit for %s "
			    "(%s): add a 工作单位 column, or name the unit in "
			    "the title", p->code, p->label);
			return -1;
		}
		*out = scope_of(ro, C, x, 0);
		return 0;
	case L_TOWN:
		x = T ? T : ku == 't' ? U : t->town;
		if (x == 0) {
			snprintf(st->why, sizeof(st->why), "no township for "
			    "%s (%s): add a 乡镇 column, or name the township "
			    "in the title or the 工作单位", p->code, p->label);
			return -1;
		}
		*out = scope_of(ro, C, x, 0);
		return 0;
	case L_VILLAGE:
	case L_TEAM:
	case L_PAIRED:
		x = V ? V : ku == 'v' ? U : t->village;
		y = T ? T : t->town ? t->town : ku == 't' ? U : 0;
		if (x == 0 && ro->P.lvl[t->post] != L_VILLAGE && y != 0) {
			*out = scope_of(ro, C, y, 0);
			return 0;
		}
		if (x == 0) {
			snprintf(st->why, sizeof(st->why), "no village for %s "
			    "(%s): add a 村 (or 帮扶村) column, or name the "
			    "village in the title", p->code, p->label);
			return -1;
		}
		*out = scope_of(ro, C, y, x);
		return 0;
	default:
		*out = U ? scope_of(ro, C, U, 0) : st->home;
		return 0;
	}
nowhere:
	snprintf(st->why, sizeof(st->why), "%s (%s) does not say which %s",
	    p->code, p->label, (int)t->post == ro->P.link_town ? "township" :
	    "village");
	return -1;
}

static void
add_rrole(struct rowst *st, unsigned post, uint32_t scope, int town)
{
	size_t i;

	for (i = 0; i < st->nr; i++)
		if (st->r[i].post == post && st->r[i].scope == scope)
			return;
	if (st->nr < MAXROLES) {
		st->r[st->nr].post = post;
		st->r[st->nr].scope = scope;
		st->r[st->nr].town = town;
		st->nr++;
	}
}

/* Split a link column's cell into places (东河镇、西山乡). */
static void
link_cells(struct wz_roster *ro, const struct val *v, int village,
    struct tlink *out, size_t *nout)
{
	const char *s = v->s;
	size_t n = v->n, i = 0, start, k, j;
	uint32_t t, x;

	while (i < n) {
		start = i;
		while (i < n && s[i] != ',' && s[i] != ';' && s[i] != '/' &&
		    s[i] != ' ' && !starts_with(s + i, n - i, "、") &&
		    !starts_with(s + i, n - i, "，") &&
		    !starts_with(s + i, n - i, "；"))
			i++;
		k = i - start;
		if (k > 0) {
			const char *p = s + start;

			p = after_county(p, &k);
			k = wz_unit_canon(p, k);
			if (k > 0 && !(k == 3 && memcmp(p, "无", 3) == 0)) {
				t = 0;
				if (village) {
					size_t tk = town_prefix(p, k);

					if (tk > 0 && tk < k &&
					    nchars(p + tk, k - tk) >= 2) {
						t = intern(ro, p, tk);
						x = intern(ro, p + tk, k - tk);
					} else
						x = intern(ro, p, k);
				} else
					x = intern(ro, p, k);
				for (j = 0; j < *nout; j++)
					if ((village ? out[j].village :
					    out[j].town) == x)
						break;
				if (j == *nout && *nout < MAXLINKS) {
					out[*nout].town = village ? t : x;
					out[*nout].village = village ? x : 0;
					(*nout)++;
				}
			}
		}
		if (i < n)
			i += (unsigned char)s[i] >= 0x80 ? 3 : 1;
	}
}

/*
 * wz_has_traditional of a name, which asks about each character of three
 * bytes or more alone: a name's characters are a few thousand in all, so
 * the answer for each in U+4E00..U+9FFF (lead bytes e4..e9) is kept, in
 * two bits (1 simplified, 2 traditional).  A name with any other byte
 * above ASCII is asked about whole.
 */
#define CJK_FIRST	0x4e00
#define CJK_N		(0x9fff - CJK_FIRST + 1)

/* Is the character at p (three bytes, lead e4..e9, checked by the
 * caller) traditional?  Its mark: 1 simplified, 2 traditional. */
static inline unsigned
cjk_mark(struct wz_roster *ro, const unsigned char *p)
{
	uint32_t cp;
	unsigned sh, b;

	cp = (((uint32_t)(p[0] & 0x0f) << 12) |
	    ((uint32_t)(p[1] & 0x3f) << 6) | (p[2] & 0x3f)) - CJK_FIRST;
	sh = (cp & 3) * 2;
	b = (ro->cjk[cp / 4] >> sh) & 3;
	if (b == 0) {
		b = wz_has_traditional((const char *)p, 3) ? 2 : 1;
		ro->cjk[cp / 4] |= (uint8_t)(b << sh);
	}
	return b;
}

static int
name_trad(struct wz_roster *ro, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	int trad = 0;

	if (ro->cjk == NULL)
		ro->cjk = wz_calloc(CJK_N / 4 + 1, 1);
	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (p[i] < 0xe4 || p[i] > 0xe9 || n - i < 3 ||
		    (p[i + 1] & 0xc0) != 0x80 || (p[i + 2] & 0xc0) != 0x80)
			return wz_has_traditional(s, n);
		trad |= cjk_mark(ro, p + i) == 2;
		i += 3;
	}
	return trad;
}

/* The usual name, of characters of U+4E00..U+9FFF and ASCII: none of
 * them traditional (name_trad) and no space.  0 when the name is
 * anything else, for name_val's own look; else 1, or 2 if the name is
 * not plain (is_plain: , " \\ CR LF). */
static int
name_plain(struct wz_roster *ro, const char *s, size_t n)
{
	/* ASCII: 1 a byte a writer quotes, 2 a blank name_val takes out */
	static const unsigned char ascii[128] = { ['\r'] = 1, ['\n'] = 1,
	    [','] = 1, ['"'] = 1, ['\\'] = 1, [' '] = 2, ['\t'] = 2 };
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	int wide = 0, special = 0;
	unsigned c;

	if (ro->cjk == NULL)
		ro->cjk = wz_calloc(CJK_N / 4 + 1, 1);
	while (i < n) {
		c = p[i];
		if (c - 0xe4 <= 0xe9 - 0xe4) {	/* the usual: a CJK character */
			if (n - i < 3 || (p[i + 1] & 0xc0) != 0x80 ||
			    (p[i + 2] & 0xc0) != 0x80 ||
			    cjk_mark(ro, p + i) == 2)
				return 0;
			wide = 1;
			i += 3;
			continue;
		}
		if (c >= 0x80 || ascii[c] == 2)
			return 0;
		special |= ascii[c];
		i++;
	}
	return wide ? 1 + special : 0;
}

/* Normalise a name: spaces out of a Chinese name, traditional to
 * simplified; into ro->nbuf, NUL-terminated (or the cell, for the row,
 * when it needs nothing and ends with its NUL), with its hash. */
static void
name_val(struct wz_roster *ro, struct rowst *st, const struct val *v)
{
	size_t i, k = 0;
	int wide = 0, space = 0;
	char *t = NULL;
	const char *s = v->s;
	size_t n = v->n;

	st->nmplain = -1;
	if ((i = (size_t)name_plain(ro, s, n)) != 0) {
		st->nmplain = i == 1;
		if (s[n] == '\0') {
			/* the cell itself (the reader's, NUL-terminated,
			 * not trimmed at its end), for this row */
			st->nm = s;
			st->nmlen = n;
			st->nmh = NAME_HASH(s, n);
			return;
		}
		/* as the copy below, without its looks */
		wz_buf_reset(&ro->nbuf);
		wz_buf_add(&ro->nbuf, s, n);
		goto done;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ' || c == '\t')
			space = 1;
		else if (c == 0xe3 && n - i >= 3 && (unsigned char)s[i + 1] ==
		    0x80 && (unsigned char)s[i + 2] == 0x80)
			space = wide = 1;	/* U+3000 */
		else if (c >= 0x80)
			wide = 1;
	}
	wz_buf_reset(&ro->nbuf);
	/* an ASCII name keeps its spaces; most names change not at all */
	if (!wide || (!space && !name_trad(ro, s, n)))
		wz_buf_add(&ro->nbuf, s, n);
	else {
		if (wz_has_traditional(s, n)) {
			t = wz_normalize(s, n);
			s = t;
			n = strlen(t);
		}
		wz_buf_reserve(&ro->nbuf, n + 1);
		for (i = 0; i < n;) {
			if (s[i] == ' ' || s[i] == '\t') {
				i++;
				continue;
			}
			if (n - i >= 3 && memcmp(s + i, "\xe3\x80\x80", 3) == 0) {
				i += 3;
				continue;
			}
			ro->nbuf.s[k++] = s[i++];
		}
		ro->nbuf.len = k;
		free(t);
	}
done:
	st->nm = wz_buf_cstr(&ro->nbuf);
	st->nmlen = ro->nbuf.len;
	st->nmh = NAME_HASH(st->nm, st->nmlen);
}

/* Is person p's name the row's? */
static int
same_name(const struct wz_roster *ro, const struct person *p,
    const struct rowst *st)
{
	return strncmp(pname(ro, p), st->nm, st->nmlen) == 0 &&
	    pname(ro, p)[st->nmlen] == '\0';
}

/* The number eight ASCII digits at p make, in three steps that each
 * join neighbouring groups (digits, pairs, fours) of one word. */
static uint64_t
digits8(const char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	v = le64toh(v) - 0x3030303030303030ULL;
	v = (v * 10 + (v >> 8)) & 0x00ff00ff00ff00ffULL;
	v = (v * 100 + (v >> 16)) & 0x0000ffff0000ffffULL;
	return (v * 10000 + (v >> 32)) & 0xffffffffULL;
}

static uint64_t
id_key(const char *num)
{
	return (digits8(num) * 100000000 + digits8(num + 8)) * 10 +
	    (uint64_t)(num[16] - '0') + 1;
}

/* Is post k a county leader's (links are county_link_*) or a township
 * leader's (links are town_link_village)? */
static int
county_leader(const struct wz_roster *ro, unsigned k)
{
	return k != POST_UNKNOWN && ro->P.lvl[k] == L_COUNTY &&
	    ro->P.rank[k] == 3;
}

static int
town_leader(const struct wz_roster *ro, unsigned k)
{
	return k != POST_UNKNOWN && ro->P.lvl[k] == L_TOWN &&
	    (ro->P.rank[k] == 4 || (int)k == ro->P.town_link);
}

static uint32_t
id_tag(uint64_t idkey)
{
	return pm_tag(mix64(idkey));
}

static uint32_t
home_hash(uint64_t nmh, uint32_t home)
{
	return pm_tag(mix64(nmh ^ ((uint64_t)home << 21)));
}

static uint32_t
home_tag(const struct rowst *st)
{
	return home_hash(st->nmh, st->home);
}

/*
 * Put person pi in by_id, or in by_home under hash h of their name and
 * home (home_tag of the row with them).  A table that grew is empty:
 * the persons before pi that were in it are put back first, read in
 * order.  Every person with an ID number is in by_id; those in by_home
 * are marked P_HOME, and are there under their own name and home.
 */
static void
id_add(struct wz_roster *ro, uint32_t pi, uint32_t tag)
{
	struct pmbatch b;
	uint32_t i;

	if (pm_room(&ro->by_id, pi)) {
		b.n = 0;
		for (i = 0; i < pi; i++)
			if (ro->pers[i].idkey != 0)
				pm_batch(&ro->by_id, &b,
				    id_tag(ro->pers[i].idkey), i);
		pm_batch_end(&ro->by_id, &b);
	}
	pm_put(&ro->by_id, tag, pi);
}

static void
home_add(struct wz_roster *ro, uint32_t pi, uint32_t h)
{
	struct pmbatch b;
	const struct person *p;
	uint32_t i;
	size_t end;

	if (pm_room(&ro->by_home, pi)) {
		b.n = 0;
		for (i = 0; i < ro->npers; i++) {
			p = &ro->pers[i];
			if (!(p->flags & P_HOME))
				continue;
			/* names are kept in the order of the persons */
			end = i + 1 < ro->npers ? p[1].name : ro->nnames;
			pm_batch(&ro->by_home, &b, home_hash(NAME_HASH(
			    pname(ro, p), end - p->name - 1), p->home), i);
		}
		pm_batch_end(&ro->by_home, &b);
	}
	pm_put(&ro->by_home, h, pi);
	ro->pers[pi].flags |= P_HOME;
}

/* The person of an ID number (its id_key, whose id_tag is tag), or
 * NONE32. */
static uint32_t
id_find(const struct wz_roster *ro, uint64_t idkey, uint32_t tag)
{
	size_t pos = (size_t)-1;
	uint32_t pi;

	while ((pi = pm_next(&ro->by_id, tag, &pos)) != NONE32)
		if (ro->pers[pi].idkey == idkey)
			break;
	return pi;
}

/* Probe m (keyed by name hash, see struct nkey) for the row's name and
 * key2: the slot that holds it (*found), else the empty slot where it
 * would go. */
static size_t
nk_probe(const struct wz_roster *ro, const struct u64map *m,
    const struct rowst *st, uint32_t key2, int *found)
{
	size_t j, mask = m->cap - 1;
	const char *nm;

	for (j = mix64(st->nmh ^ key2) & mask; m->s[j].val != NONE32;
	    j = (j + 1) & mask) {
		if (m->s[j].key != st->nmh || m->s[j].key2 != key2)
			continue;
		nm = ro->knames.s + ro->nkeys[m->s[j].val].name;
		if (strncmp(nm, st->nm, st->nmlen) == 0 &&
		    nm[st->nmlen] == '\0') {
			*found = 1;
			return j;
		}
	}
	*found = 0;
	return j;
}

/* The named entry of the row's name and key2 in m, or NONE32. */
static uint32_t
nk_find(const struct wz_roster *ro, const struct u64map *m,
    const struct rowst *st, uint32_t key2)
{
	size_t j;
	int found;

	if (m->n == 0)
		return NONE32;
	j = nk_probe(ro, m, st, key2, &found);
	return found ? m->s[j].val : NONE32;
}

/* The same, made with val if there is none. */
static uint32_t
nk_add(struct wz_roster *ro, struct u64map *m, const struct rowst *st,
    uint32_t key2, uint32_t val)
{
	struct nkey *e;
	size_t j;
	int found;

	if ((m->n + 1) * 2 > m->cap)
		um_grow(m);
	j = nk_probe(ro, m, st, key2, &found);
	if (found)
		return m->s[j].val;
	if (ro->nnkeys == ro->capnkeys) {
		ro->capnkeys = ro->capnkeys ? ro->capnkeys * 2 : 64;
		ro->nkeys = wz_reallocarray(ro->nkeys, ro->capnkeys,
		    sizeof(*ro->nkeys));
	}
	if (ro->knames.len + st->nmlen + 1 > UINT32_MAX ||
	    ro->nnkeys >= NONE32 - 1)
		wz_die(EX_SOFTWARE, NULL, 0, "too many names");
	e = &ro->nkeys[ro->nnkeys];
	e->val = val;
	e->name = (uint32_t)ro->knames.len;
	wz_buf_add(&ro->knames, st->nm, st->nmlen);
	wz_buf_addc(&ro->knames, '\0');
	m->s[j].key = st->nmh;
	m->s[j].key2 = key2;
	m->s[j].val = (uint32_t)ro->nnkeys++;
	m->n++;
	return m->s[j].val;
}

/* The person who first had the row's name and home, or NONE32. */
static uint32_t
home_find(const struct wz_roster *ro, const struct rowst *st)
{
	size_t pos = (size_t)-1;
	uint32_t pi, k;

	while ((pi = pm_next(&ro->by_home, st->htag, &pos)) != NONE32)
		if (ro->pers[pi].home == st->home &&
		    same_name(ro, &ro->pers[pi], st))
			return pi;
	k = nk_find(ro, &ro->by_alias, st, st->home);
	return k == NONE32 ? NONE32 : ro->nkeys[k].val;
}

/* The person a row is about, found but not yet changed: an index, NONE32
 * for a new person, AMBIG for a name several people have. */
static uint32_t
find_person(struct wz_roster *ro, struct rowst *st, int noplace)
{
	uint32_t a;

	if (st->has_id)
		return id_find(ro, st->idkey, st->idtag);
	if (noplace) {
		a = nk_find(ro, &ro->by_name, st, 0);
		if (a == NONE32)
			return NONE32;
		a = ro->nkeys[a].val;
		return a == AMBIG ? AMBIG : a - 1;
	}
	return home_find(ro, st);
}

/* The oldest role of a person (who has one), made by their first row. */
static const struct role *
first_row(const struct wz_roster *ro, const struct person *p)
{
	uint32_t i = p->last;

	while (ro->roles[i].next != NONE32)
		i = ro->roles[i].next;
	return &ro->roles[i];
}

/* Make or update the person; report what disagrees with earlier rows. */
static uint32_t
commit_person(struct wz_roster *ro, struct rowst *st, uint32_t pi)
{
	struct person *p, *q;
	uint32_t qi, e, pfile, pline;
	unsigned long line = st->row->line;
	int isnew = pi == NONE32;

	if (isnew)
		pi = person_new(ro, st->idkey, st->id.num, st->nm, st->nmlen,
		    st->nmplain, st->home);
	p = &ro->pers[pi];
	if (st->has_id) {
		if (isnew)
			id_add(ro, pi, st->idtag);
		/* a new person has the row's name: made of it */
		if (!isnew && !same_name(ro, p, st))
			warn(ro, st->sh, line, "ID number %s is %s here and %s "
			    "at %s:%lu", pid_of(ro, p), st->nm, pname(ro, p),
			    file_name(ro, first_row(ro, p)->file),
			    (unsigned long)first_row(ro, p)->line);
	}
	qi = home_find(ro, st);
	if (qi == NONE32) {
		/* the first to have this name and home */
		if (isnew || (p->home == st->home && same_name(ro, p, st)))
			home_add(ro, pi, st->htag);
		else {
			e = nk_add(ro, &ro->by_alias, st, st->home, pi);
			ro->nkeys[e].val = pi;	/* after nk_add moves them */
		}
	} else if (qi != pi && st->has_id) {
		q = &ro->pers[qi];
		if (q->idkey != 0)
			warn(ro, st->sh, line, "%s at %s has two ID numbers: "
			    "%s here and %s at %s:%lu", st->nm,
			    st_str(&ro->str, st->home), pid_of(ro, p),
			    pid_of(ro, q), file_name(ro, first_row(ro, q)->file),
			    (unsigned long)first_row(ro, q)->line);
		else
			warn(ro, st->sh, line, "%s at %s appeared without an "
			    "ID number at %s:%lu (person_id %s); put the sheet "
			    "with ID numbers first", st->nm,
			    st_str(&ro->str, st->home),
			    file_name(ro, first_row(ro, q)->file),
			    (unsigned long)first_row(ro, q)->line,
			    pid_of(ro, q));
	}
	if (st->party != 0) {
		if (p->party == 0) {
			p->party = (char)st->party;
			if (isnew)
				p->flags |= P_PARTY0;
			else {
				*um_slot(&ro->later, pi, L_PARTYLINE, 1) =
				    (uint32_t)line;
				*um_slot(&ro->later, pi, L_PARTYFILE, 1) =
				    st->file;
			}
		} else if (p->party != st->party) {
			if (p->flags & P_PARTY0) {
				pfile = first_row(ro, p)->file;
				pline = first_row(ro, p)->line;
			} else {
				pfile = um_get(&ro->later, pi, L_PARTYFILE);
				pline = um_get(&ro->later, pi, L_PARTYLINE);
			}
			warn(ro, st->sh, line, "%s (%s): party membership %c "
			    "here, %c at %s:%lu", pname(ro, p),
			    pid_of(ro, p), st->party, p->party,
			    file_name(ro, pfile), (unsigned long)pline);
		}
	}
	p->rank = (uint8_t)rank_max(p->rank, st->rank);
	return pi;
}

/* Is scope id plain?  Asked for every role written, and a row's roles
 * have the scope of the rows before them: the last answer is kept. */
static int
scope_plain(struct wz_roster *ro, uint32_t id)
{
	if (id != ro->plain_id) {
		ro->plain_id = id;
		ro->plain_is = is_plain(st_str(&ro->str, id),
		    st_len(&ro->str, id));
	}
	return ro->plain_is;
}

/*
 * Fields from..to of a row as the writer's one call for a row's fields,
 * which copies those the reader found plain without looking at them.
 */
static void
put_cells(struct wz_writer *w, const struct wz_row *row, size_t from,
    size_t to)
{
	struct wz_row v;

	if (from >= to)
		return;
	memset(&v, 0, sizeof(v));
	v.n = to - from;
	v.f = row->f + from;
	v.len = row->len + from;
	v.plain = row->plain != NULL ? row->plain + from : NULL;
	v.span = row->span;	/* a run of a span's fields is one */
	wz_writer_fields(w, &v);
}

/*
 * A day's ISO form, direct-mapped by the day: two per role written, of
 * a few hundred distinct days.  The start and the end have a table each
 * (which: 0, 1): in one table, an end 256 days (or a multiple) after the
 * start took its slot, and the start's string with it, before the row
 * was written.
 */
#define IMEMO	256
struct isomemo {
	wz_day		 day;
	size_t		 n;
	char		 iso[WZ_DATE_ISOLEN + 1];
};

static const char *
iso_of(struct wz_roster *ro, wz_day day, int which, size_t *n)
{
	struct isomemo *m;

	if (day == WZ_DAY_NONE) {
		*n = 0;
		return "";
	}
	if (ro->imemo == NULL) {
		ro->imemo = wz_calloc(2 * IMEMO, sizeof(*ro->imemo));
		/* no slot may look like a day already made */
		for (m = ro->imemo; m < ro->imemo + 2 * IMEMO; m++)
			m->day = WZ_DAY_NONE;
	}
	m = &ro->imemo[which * IMEMO + ((uint32_t)day & (IMEMO - 1))];
	if (m->day != day) {
		m->day = day;
		m->n = wz_date_iso(day, m->iso);
	}
	*n = m->n;
	return m->iso;
}

/* The added columns of one output row (write_role). */
struct addcols {
	char		*f[16];
	size_t		 len[16];
	unsigned char	 plain[16];
	size_t		 n;
};

/* The columns write_role adds (without the label of --labels zh). */
#define NADDED	9

static void
add_col(struct addcols *ac, const char *s, size_t n, int plain)
{
	ac->f[ac->n] = (char *)s;
	ac->len[ac->n] = n;
	ac->plain[ac->n++] = (unsigned char)plain;
}

static void
write_role(struct wz_roster *ro, struct rowst *st, const struct person *p,
    const struct rrole *r, const struct val *title, int tplain)
{
	const struct sheet *sh = st->sh;
	const struct wz_row *row = st->row;
	struct wz_row v;
	struct addcols ac;
	const char *d, *c[NADDED];
	char party[1], *o, sep;
	size_t i, n, cn[NADDED], nadd;
	int rk, idc, plain;

	/*
	 * The columns this program adds, in one call.  Those it makes of
	 * digits, hex, ASCII codes (identifiers), ISO dates, y/n and rank
	 * words hold nothing to quote and start with nothing the Excel
	 * guard looks for: plain.  The name's and the scope's plainness
	 * are known from when they were stored, the title's from the
	 * reader; the label of --labels zh is looked at by the writer.
	 * The row's own ID number is the person's: no need to rebuild it.
	 */
	if (st->has_id && ro->o.mask == NULL) {
		c[0] = st->id.num;
		cn[0] = WZ_IDCARD_LEN;
	} else {
		c[0] = pid_of(ro, p);
		cn[0] = p->idkey == 0 ? 14 : ro->o.mask != NULL ?
		    WZ_IDMASK_HEXLEN : WZ_IDCARD_LEN;
	}
	c[1] = pname(ro, p);
	cn[1] = pname_len(ro, p);
	c[2] = post_code(ro, r->post);
	cn[2] = r->post == POST_UNKNOWN ? strlen("unknown") :
	    ro->P.codelen[r->post];
	c[3] = title->s;
	cn[3] = title->n;
	c[4] = st_str(&ro->str, r->scope);
	cn[4] = st_len(&ro->str, r->scope);
	c[5] = iso_of(ro, st->from, 0, &cn[5]);
	c[6] = iso_of(ro, st->to, 1, &cn[6]);
	party[0] = (char)(st->party ? st->party : p->party);
	c[7] = party;
	cn[7] = party[0] != '\0';
	/* a post's own rank, else the holder's (posts that inherit it);
	 * none for a post not known */
	rk = r->post == POST_UNKNOWN ? 0 : ro->P.rank[r->post];
	if (rk == 0 && r->post != POST_UNKNOWN)
		rk = p->rank;
	c[8] = rk ? ranks[rk] : "";
	cn[8] = ro->P.ranklen[rk];
	/*
	 * All plain (the usual row): the row's own cells, when the reader
	 * found them one span, and the added columns written straight into
	 * the writer's buffer in one reservation, each field copied in
	 * line, without the writer's look at each field's flags.
	 */
	plain = !ro->o.labels_zh && (p->flags & P_PLAIN) && tplain &&
	    scope_plain(ro, r->scope);
	_Static_assert(NADDED == 9, "a length for each added column");
	nadd = cn[0] + cn[1] + cn[2] + cn[3] + cn[4] + cn[5] + cn[6] +
	    cn[7] + cn[8];
	if (plain && !ro->mixed && row->span && row->n > 0 &&
	    row->n <= sh->ncols && !(st->has_id && ro->o.mask != NULL)) {
		if ((o = wz_writer_room(ro->out, wz_span_len(row) + nadd +
		    NADDED, &sep)) != NULL) {
			o = wz_span_put(o, row, sep);
			for (i = 0; i < NADDED; i++) {
				*o++ = sep;
				o = put_bytes(o, c[i], cn[i]);
			}
			wz_writer_filled(ro->out, o, row->n + NADDED);
			wz_writer_endrow(ro->out);
			return;
		}
	}
	if (ro->mixed) {
		wz_buf_reset(&ro->b2);
		wz_buf_printf(&ro->b2, "%s:%lu", sh->name, row->line);
		wz_writer_field(ro->out, ro->b2.s, ro->b2.len);
		for (i = 0; canon_out[i] >= 0; i++) {
			if (canon_out[i] == WZ_RF_ID_NUMBER && st->has_id &&
			    ro->o.mask != NULL)
				wz_writer_fieldz(ro->out, pid_of(ro, p));
			else
				wz_writer_field(ro->out, st->v[canon_out[i]].s,
				    st->v[canon_out[i]].n);
		}
	} else {
		n = row->n < sh->ncols ? row->n : sh->ncols;
		idc = sh->col[WZ_RF_ID_NUMBER];
		if (st->has_id && ro->o.mask != NULL && idc >= 0 &&
		    (size_t)idc < n) {
			put_cells(ro->out, row, 0, (size_t)idc);
			wz_writer_fieldz(ro->out, pid_of(ro, p));
			put_cells(ro->out, row, (size_t)idc + 1, n);
		} else
			put_cells(ro->out, row, 0, n);
	}
	/* All plain, the row's cells written above: the added columns. */
	if (plain) {
		if ((o = wz_writer_room(ro->out, nadd + NADDED, &sep)) !=
		    NULL) {
			o = put_bytes(o, c[0], cn[0]);
			for (i = 1; i < NADDED; i++) {
				*o++ = sep;
				o = put_bytes(o, c[i], cn[i]);
			}
			wz_writer_filled(ro->out, o, NADDED);
			wz_writer_endrow(ro->out);
			return;
		}
	}
	ac.n = 0;
	add_col(&ac, c[0], cn[0], 1);
	add_col(&ac, c[1], cn[1], (p->flags & P_PLAIN) != 0);
	add_col(&ac, c[2], cn[2], 1);
	add_col(&ac, c[3], cn[3], tplain);
	add_col(&ac, c[4], cn[4], scope_plain(ro, r->scope));
	for (i = 5; i < NADDED; i++)
		add_col(&ac, c[i], cn[i], 1);
	if (ro->o.labels_zh) {
		d = r->post == POST_UNKNOWN ? "未知职务" :
		    ro->rs->posts[r->post].label;
		add_col(&ac, d, strlen(d), 0);
	}
	memset(&v, 0, sizeof(v));
	v.n = ac.n;
	v.f = ac.f;
	v.len = ac.len;
	v.plain = ac.plain;
	wz_writer_fields(ro->out, &v);
	wz_writer_endrow(ro->out);
}

/* wz_party_member of a cell, which is most often one of the last two
 * rows' (中共党员 down a whole sheet, or it and 群众 in turn): the newer
 * of the two remembered is [0]. */
static int
party_of(struct wz_roster *ro, const struct val *v)
{
	int x;
	size_t n;
	char c[16];

	if (v->n == 0)
		return 0;
	if (v->n == ro->pn[0] && same_bytes(v->s, ro->pcell[0], v->n))
		return ro->pval[0];
	if (v->n == ro->pn[1] && same_bytes(v->s, ro->pcell[1], v->n)) {
		/* swap, so that the one just met is [0] */
		x = ro->pval[1];
		n = ro->pn[1];
		/* whole cells: a copy of known size, in line */
		memcpy(c, ro->pcell[1], sizeof(c));
		ro->pval[1] = ro->pval[0];
		ro->pn[1] = ro->pn[0];
		memcpy(ro->pcell[1], ro->pcell[0], sizeof(c));
		ro->pval[0] = x;
		ro->pn[0] = n;
		memcpy(ro->pcell[0], c, sizeof(c));
		return x;
	}
	x = wz_party_member(v->s, v->n);
	ro->pval[1] = ro->pval[0];
	ro->pn[1] = ro->pn[0];
	memcpy(ro->pcell[1], ro->pcell[0], ro->pn[0]);
	ro->pval[0] = x;
	if (v->n <= sizeof(ro->pcell[0])) {
		memcpy(ro->pcell[0], v->s, v->n);
		ro->pn[0] = v->n;
	} else
		ro->pn[0] = 0;
	return x;
}

/* Reject with the reason in st->why. */
static void
reject_st(struct wz_roster *ro, struct rowst *st)
{
	reject(ro, st->sh, st->row, st->why);
}

/*
 * What a row's title and place cells make of it, the same for every row
 * with the same cells: a roster repeats a few hundred titles over a few
 * hundred places, so this is worked out once per distinct combination
 * (its shape) and looked up after that.
 */
struct shape {	/* shape_make() clears each field not a buffer */
	char		*key;		/* the cells it is made of; NULL: none */
	size_t		 klen, kcap;
	uint32_t	 C, T, V, U, home;
	int		 noplace;	/* no township, village or unit */
	uint32_t	 tp;		/* ro->tp index + 1; 0: no title */
	struct rrole	*r;		/* the title's roles, scoped */
	size_t		 nr, rcap;
	int		 level;		/* 'c' county, 't' township leader */
	uint32_t	 townscope;
	struct tlink	*lt, *lv;	/* link places: columns and notes */
	size_t		 nlt, nlv, ltcap, lvcap;
	char		*why;		/* every such row is rejected */
};

/* Room for n elements of size sz in *p, of capacity *cap. */
static void *
keep_room(void *p, size_t *cap, size_t n, size_t sz)
{
	if (n <= *cap)
		return p;
	*cap = n < 4 ? 4 : n;
	return wz_reallocarray(p, *cap, sz);
}

static const int shape_fields[] = { WZ_RF_TITLE, WZ_RF_COUNTY,
	WZ_RF_TOWNSHIP, WZ_RF_VILLAGE, WZ_RF_UNIT, WZ_RF_LINK_TOWNSHIP,
	WZ_RF_LINK_VILLAGE, -1 };

/* "职务 '委员' names no post in posts.yaml", or with the parts that do
 * not when the title has several. */
static void
unknown_msg(struct wz_roster *ro, const struct sheet *sh,
    const struct tparse *tp, const struct val *title, char *why,
    size_t whylen)
{
	size_t i;

	wz_buf_reset(&ro->b);
	for (i = 0; i < tp->nunk; i++)
		wz_buf_printf(&ro->b, "%s'%s'", i ? ", " : "",
		    st_str(&ro->str, tp->unk[i]));
	if (tp->nunk == 1 && st_len(&ro->str, tp->unk[0]) == title->n &&
	    memcmp(st_str(&ro->str, tp->unk[0]), title->s, title->n) == 0)
		snprintf(why, whylen, "%s '%.*s' names no post in %s",
		    sh->label[WZ_RF_TITLE], (int)title->n, title->s,
		    ro->o.rules_name);
	else
		snprintf(why, whylen, "%s '%.*s': %s %s no post in %s",
		    sh->label[WZ_RF_TITLE], (int)(title->n > 80 ? 80 :
		    title->n), title->s, ro->b.s, tp->nunk > 1 ? "name" :
		    "names", ro->o.rules_name);
}

static const int place_fields[] = { WZ_RF_COUNTY, WZ_RF_TOWNSHIP,
	WZ_RF_VILLAGE, WZ_RF_UNIT, -1 };

/* Append field f's length and bytes to a key. */
static inline void
key_add(struct wz_buf *k, const struct val *v)
{
	uint32_t n = (uint32_t)v->n;

	if (k->cap - k->len < sizeof(n) + v->n)
		wz_buf_reserve(k, sizeof(n) + v->n);
	memcpy(k->s + k->len, &n, sizeof(n));
	memcpy(k->s + k->len + sizeof(n), v->s, v->n);
	k->len += sizeof(n) + v->n;
}

/* Is the key k (of key_add) that of fields f (ending -1) of v? */
static int
key_is(const char *k, size_t klen, const struct val *v, const int *f)
{
	size_t i, off = 0;
	uint32_t n;

	for (i = 0; f[i] >= 0; i++) {
		if (klen - off < sizeof(n))
			return 0;
		memcpy(&n, k + off, sizeof(n));
		off += sizeof(n);
		if (n != v[f[i]].n || klen - off < n ||
		    !same_bytes(k + off, v[f[i]].s, n))
			return 0;
		off += n;
	}
	return off == klen;
}

/* The row's county, township, village and unit, its home scope, and the
 * unit a bare title is read in (st->C .. st->home, st->cx): those of the
 * last place if its cells were the same. */
static void
place_get(struct wz_roster *ro, struct rowst *st)
{
	struct place *pl = ro->place;
	struct val *v = st->v;
	uint32_t x;
	size_t i;
	int ku;

	if (pl == NULL)
		pl = ro->place = wz_calloc(1, sizeof(*pl));
	if (pl->key != NULL && key_is(pl->key, pl->klen, v, place_fields)) {
		st->C = pl->C;
		st->T = pl->T;
		st->V = pl->V;
		st->U = pl->U;
		st->uk = pl->uk;
		st->home = pl->home;
		st->cx = pl->cx;
		return;
	}
	wz_buf_reset(&ro->key);
	for (i = 0; place_fields[i] >= 0; i++)
		key_add(&ro->key, &v[place_fields[i]]);
	if (v[WZ_RF_COUNTY].n > 0)
		st->C = intern(ro, v[WZ_RF_COUNTY].s, v[WZ_RF_COUNTY].n);
	else if (ro->o.county != NULL)
		st->C = intern(ro, ro->o.county, strlen(ro->o.county));
	st->T = place_cell(ro, &v[WZ_RF_TOWNSHIP], 0, 0);
	st->V = place_cell(ro, &v[WZ_RF_VILLAGE], 1, 0);
	st->U = place_cell(ro, &v[WZ_RF_UNIT], 2, st->C + 1);
	ku = kind_of(ro, st->U);
	split_village(ro, &st->T, &st->V);
	if (ku == 'v')
		split_village(ro, &st->T, &st->U);
	switch (ku) {
	case 'v': st->home = scope_of(ro, st->C, st->T, st->U); break;
	case 't': st->home = scope_of(ro, st->C, st->U, 0); break;
	case 'c': st->home = scope_of(ro, st->C, 0, 0); break;
	case 'd': st->home = scope_of(ro, st->C, st->U, 0); break;
	default: st->home = scope_of(ro, st->C, st->T, st->V); break;
	}

	/* the scope of the village's posts (title_scope), unless it is
	 * the home just looked up (a row without a unit) */
	if (st->V != 0 && ku != 0)
		scope_prefetch(ro, st->C, st->T, st->V);

	/* A bare title is read in the row's most specific unit. */
	st->cx.level = L_OTHER;
	if (st->V || ku == 'v') {
		st->cx.level = L_VILLAGE;
		x = st->V ? st->V : st->U;
	} else if (st->T) {
		st->cx.level = L_TOWN;
		x = st->T;
	} else {
		x = st->U;
		st->cx.level = ku == 'v' ? L_VILLAGE : ku == 't' ? L_TOWN :
		    ku == 'd' ? L_DEPT : L_OTHER;
	}
	/* a copy: interning may move the table's arena */
	if (pl->cxcap < st_len(&ro->str, x) + 1) {
		pl->cxcap = st_len(&ro->str, x) + 1;
		pl->cxname = wz_realloc(pl->cxname, pl->cxcap);
	}
	memcpy(pl->cxname, st_str(&ro->str, x), st_len(&ro->str, x) + 1);
	st->cx.name = pl->cxname;
	st->cx.len = st_len(&ro->str, x);

	if (pl->kcap < ro->key.len) {
		pl->kcap = ro->key.len;
		pl->key = wz_realloc(pl->key, pl->kcap);
	}
	memcpy(pl->key, ro->key.s, ro->key.len);
	pl->klen = ro->key.len;
	pl->C = st->C;
	pl->T = st->T;
	pl->V = st->V;
	pl->U = st->U;
	pl->home = st->home;
	st->uk = kind_of(ro, st->U);	/* after the splits */
	pl->uk = st->uk;
	pl->cx = st->cx;
}

/* Work out a shape from st's cells; fills sp. */
static void
shape_make(struct wz_roster *ro, struct rowst *st, struct shape *sp)
{
	struct sheet *sh = st->sh;
	struct val *v = st->v, title = v[WZ_RF_TITLE];
	const struct tparse *tp = NULL;
	uint32_t x;
	size_t i;
	int rc;

	/*
	 * The shape's buffers (its key, roles and links) are kept for the
	 * next one; the rest is cleared here, or set below (its place),
	 * field by field: a memset of the whole and the buffers put back
	 * cost more, once a row on a roster of shapes that do not repeat.
	 */
	if (sp->why != NULL) {
		free(sp->why);
		sp->why = NULL;
	}
	sp->tp = 0;
	sp->nr = sp->nlt = sp->nlv = 0;
	sp->level = 0;
	sp->townscope = 0;
	place_get(ro, st);
	sp->C = st->C;
	sp->T = st->T;
	sp->V = st->V;
	sp->U = st->U;
	sp->home = st->home;
	sp->noplace = st->T == 0 && st->V == 0 && st->U == 0;

	st->nlt = st->nlv = 0;
	if (v[WZ_RF_LINK_TOWNSHIP].n > 0)	/* most rows: no call */
		link_cells(ro, &v[WZ_RF_LINK_TOWNSHIP], 0, st->lt, &st->nlt);
	if (v[WZ_RF_LINK_VILLAGE].n > 0)
		link_cells(ro, &v[WZ_RF_LINK_VILLAGE], 1, st->lv, &st->nlv);
	if (title.n > 0) {
		tp = title_parse(ro, title.s, title.n, &st->cx);
		sp->tp = (uint32_t)(tp - ro->tp) + 1;
	}
	if (tp != NULL && tp->rxfail != 0) {
		/* Not "names no post": the reading did not finish. */
		snprintf(st->why, sizeof(st->why), "%s '%.*s%s': a post "
		    "pattern %s", sh->label[WZ_RF_TITLE], wz_qlen(title.s,
		    title.n), title.s, wz_qmore(title.n), tp->rxfail ==
		    WZ_RX_LIMIT ? "hit the match limit" : "failed (PCRE2 "
		    "error)");
		goto reject;
	}
	if (title.n == 0 && st->nlt + st->nlv == 0) {
		snprintf(st->why, sizeof(st->why), "no title (%s) and no "
		    "联系乡镇 or 包抓村: no role", sh->label[WZ_RF_TITLE]);
		goto reject;
	}
	if (tp != NULL && tp->nunk > 0 && !ro->o.keep_unknown) {
		unknown_msg(ro, sh, tp, &title, st->why, sizeof(st->why));
		goto reject;
	}
	st->nr = 0;
	for (i = 0; tp != NULL && i < tp->nr; i++) {
		rc = title_scope(ro, st, &tp->r[i], &x);
		if (rc < 0)
			goto reject;
		if (rc > 0)
			continue;
		add_rrole(st, tp->r[i].post, x, town_leader(ro, tp->r[i].post));
		if (county_leader(ro, tp->r[i].post))
			sp->level = 'c';
		else if (town_leader(ro, tp->r[i].post) && sp->level == 0) {
			sp->level = 't';
			sp->townscope = x;
		}
	}
	sp->nr = st->nr;
	sp->r = keep_room(sp->r, &sp->rcap, st->nr + 1, sizeof(*sp->r));
	if (st->nr == 1)	/* most titles: one role, no call */
		sp->r[0] = st->r[0];
	else
		memcpy(sp->r, st->r, st->nr * sizeof(*sp->r));
	/* links: the columns', then the notes' */
	sp->lt = keep_room(sp->lt, &sp->ltcap, st->nlt + (tp ? tp->nl : 0) + 1,
	    sizeof(*sp->lt));
	sp->lv = keep_room(sp->lv, &sp->lvcap, st->nlv + (tp ? tp->nl : 0) + 1,
	    sizeof(*sp->lv));
	for (i = 0; i < st->nlt; i++)
		sp->lt[sp->nlt++] = st->lt[i];
	for (i = 0; i < st->nlv; i++)
		sp->lv[sp->nlv++] = st->lv[i];
	for (i = 0; tp != NULL && i < tp->nl; i++) {
		if (tp->l[i].village != 0)
			sp->lv[sp->nlv++] = tp->l[i];
		else
			sp->lt[sp->nlt++] = tp->l[i];
	}
	return;
reject:
	sp->why = wz_strdup(st->why);
}

/*
 * The shape of st's row: looked up, or made and kept.  The cache is a
 * cache: a big roster has a shape for nearly every village post (the
 * title and the village are both in the key), so it is a fixed table of
 * SHAPES, a new shape taking the place of the one whose key hashes to the
 * same slot, rather than growing with the rows.  What a shape made that
 * lasts (names, scopes) is interned in ro->str, not here.
 */
#ifndef SHAPES
#define SHAPES	1024
#endif

static void
shapes_free(struct wz_roster *ro)
{
	size_t i;

	if (ro->shape1 != NULL) {
		free(ro->shape1->key);
		free(ro->shape1->r);
		free(ro->shape1->lt);
		free(ro->shape1->lv);
		free(ro->shape1->why);
		free(ro->shape1);
		ro->shape1 = NULL;
	}
	if (ro->shapes == NULL)
		return;
	for (i = 0; i < SHAPES; i++) {
		free(ro->shapes[i].key);
		free(ro->shapes[i].r);
		free(ro->shapes[i].lt);
		free(ro->shapes[i].lv);
		free(ro->shapes[i].why);
	}
	free(ro->shapes);
	ro->shapes = NULL;
	if (ro->place != NULL) {
		free(ro->place->key);
		free(ro->place->cxname);
		free(ro->place);
		ro->place = NULL;
	}
	free(ro->smemo);
	ro->smemo = NULL;
}

/*
 * A roster whose every row is a shape of its own (a title of each post
 * of each village, which is a big roster's usual layout) gains nothing
 * from the cache and pays for its key: when fewer than one lookup in
 * SHMISS of a window of SHWINDOW hits, the next SHSKIP rows make their
 * shapes without it, after which the cache is tried again.  A shape is
 * the same made either way: what it is made of is in its key.
 */
#define SHWINDOW	1024
#define SHMISS		4
#define SHSKIP		(15 * SHWINDOW)

static const struct shape *
shape_get(struct wz_roster *ro, struct rowst *st)
{
	struct shape *sp;
	uint32_t k = st->file;
	size_t i, need = sizeof(k);

	if (ro->shskip > 0) {
		ro->shskip--;
		if (ro->shape1 == NULL)
			ro->shape1 = wz_calloc(1, sizeof(*ro->shape1));
		shape_make(ro, st, ro->shape1);
		return ro->shape1;
	}
	if (++ro->shtries == SHWINDOW) {
		if (ro->shhits < SHWINDOW / SHMISS)
			ro->shskip = SHSKIP;
		ro->shtries = ro->shhits = 0;
	}
	for (i = 0; shape_fields[i] >= 0; i++)
		need += sizeof(uint32_t) + st->v[shape_fields[i]].n;
	wz_buf_reset(&ro->key);
	wz_buf_reserve(&ro->key, need);
	memcpy(ro->key.s, &k, sizeof(k));
	ro->key.len = sizeof(k);
	for (i = 0; shape_fields[i] >= 0; i++)
		key_add(&ro->key, &st->v[shape_fields[i]]);
	if (ro->shapes == NULL)
		ro->shapes = wz_calloc(SHAPES, sizeof(*ro->shapes));
	sp = &ro->shapes[wz_hash_mem(ro->key.s, ro->key.len) & (SHAPES - 1)];
	if (sp->key != NULL && sp->klen == ro->key.len &&
	    memcmp(sp->key, ro->key.s, sp->klen) == 0) {
		ro->shhits++;
		return sp;
	}
	/* the key first: making the shape uses ro->key */
	if (sp->kcap < ro->key.len) {
		sp->kcap = ro->key.len;
		sp->key = wz_realloc(sp->key, sp->kcap);
	}
	memcpy(sp->key, ro->key.s, ro->key.len);
	sp->klen = ro->key.len;
	shape_make(ro, st, sp);
	return sp;
}

void
wz_roster_row(struct wz_roster *ro, int k, const struct wz_row *row)
{
	struct rowst stb, *st = &stb;
	struct sheet *sh = ro->sheets[k];
	struct val *v = st->v, title;
	const struct shape *sp;
	const struct tparse *tp;
	size_t i, nlt, nlv;
	uint32_t pi, townscope, x, *slot, idt;
	uint64_t idk;
	int rc, level, tplain;
	char why[256];
	const char *rk;

	if (row->blank) {
		ro->c.blank++;
		return;
	}
	ro->c.read++;
	wz_zero(st, offsetof(struct rowst, v));
	st->sh = sh;
	st->row = row;
	st->file = (unsigned)k;
	st->nr = st->nlt = st->nlv = 0;
	values(sh, row, v);

	if (v[WZ_RF_NAME].n == 0) {
		snprintf(st->why, sizeof(st->why), "no name (%s)",
		    sh->label[WZ_RF_NAME]);
		goto reject;
	}
	/*
	 * The two lookups of persons are misses on a big roster, each
	 * about as long as the rest of the row: their slots are asked for
	 * first, the ID number's from its cell as it is (the usual 18
	 * digits), the name and home's once the shape gives the home.  The
	 * shape is made before the checks of the ID number and dates, which
	 * it does not use, for that; a row they reject has its shape made
	 * for nothing, which shows nowhere.
	 */
	idk = 0;
	idt = 0;
	if (v[WZ_RF_ID_NUMBER].n == WZ_IDCARD_LEN &&
	    v[WZ_RF_ID_NUMBER].s[0] >= '0' && v[WZ_RF_ID_NUMBER].s[0] <= '9') {
		idk = id_key(v[WZ_RF_ID_NUMBER].s);
		idt = id_tag(idk);
		pm_prefetch(&ro->by_id, idt);
	}
	name_val(ro, st, &v[WZ_RF_NAME]);
	/* a new place's village is interned when the place is made (not
	 * for the rows after the first of a village) */
	if (v[WZ_RF_VILLAGE].n > 0 && ro->str.slot.cap > 0 &&
	    (v[WZ_RF_VILLAGE].n != ro->lastvn || !same_bytes(ro->lastv,
	    v[WZ_RF_VILLAGE].s, ro->lastvn))) {
		pm_prefetch(&ro->str.slot, (uint32_t)wz_hash_mem(
		    v[WZ_RF_VILLAGE].s, v[WZ_RF_VILLAGE].n));
		ro->lastvn = v[WZ_RF_VILLAGE].n <= sizeof(ro->lastv) ?
		    v[WZ_RF_VILLAGE].n : 0;
		memcpy(ro->lastv, v[WZ_RF_VILLAGE].s, ro->lastvn);
	}
	sp = shape_get(ro, st);
	st->home = sp->home;
	st->htag = home_tag(st);
	if (sp->why == NULL)
		pm_prefetch(&ro->by_home, st->htag);
	rc = wz_idcard_parse(v[WZ_RF_ID_NUMBER].s, v[WZ_RF_ID_NUMBER].n,
	    ro->o.today, &st->id, why, sizeof(why));
	if (rc == WZ_ID_BAD) {
		snprintf(st->why, sizeof(st->why), "%s '%.*s': %s",
		    sh->label[WZ_RF_ID_NUMBER], (int)(v[WZ_RF_ID_NUMBER].n > 40 ?
		    40 : v[WZ_RF_ID_NUMBER].n), v[WZ_RF_ID_NUMBER].s, why);
		goto reject;
	}
	st->has_id = rc == WZ_ID_OK;
	if (st->has_id && idk != 0 &&
	    memcmp(st->id.num, v[WZ_RF_ID_NUMBER].s, 17) == 0) {
		st->idkey = idk;	/* the cell's digits, as they were */
		st->idtag = idt;
	} else if (st->has_id) {
		st->idkey = id_key(st->id.num);
		st->idtag = id_tag(st->idkey);
		pm_prefetch(&ro->by_id, st->idtag);
	}

	if (row_date(ro, st, WZ_RF_VALID_FROM, 0, &st->from) == -1 ||
	    row_date(ro, st, WZ_RF_VALID_TO, WZ_DATE_END, &st->to) == -1)
		goto reject;
	if (v[WZ_RF_PERIOD].n > 0 && v[WZ_RF_VALID_FROM].n == 0 &&
	    v[WZ_RF_VALID_TO].n == 0) {
		rc = wz_date_parse_period(v[WZ_RF_PERIOD].s, v[WZ_RF_PERIOD].n,
		    sh->dflags, ro->min_day, ro->max_day, &st->from, &st->to,
		    why, sizeof(why));
		if (rc == WZ_DATE_BAD) {
			snprintf(st->why, sizeof(st->why), "%s '%.*s': %s",
			    sh->label[WZ_RF_PERIOD], (int)(v[WZ_RF_PERIOD].n >
			    60 ? 60 : v[WZ_RF_PERIOD].n), v[WZ_RF_PERIOD].s,
			    why);
			goto reject;
		}
		if (rc != WZ_DATE_OK)
			st->from = st->to = WZ_DAY_NONE;
	}
	if (st->from != WZ_DAY_NONE && st->to != WZ_DAY_NONE &&
	    st->to < st->from) {
		char a[WZ_DATE_ISOLEN + 1], b[WZ_DATE_ISOLEN + 1];

		wz_date_iso(st->from, a);
		wz_date_iso(st->to, b);
		snprintf(st->why, sizeof(st->why), "the period ends before it "
		    "starts: %s %s is before %s %s", sh->label[WZ_RF_VALID_TO],
		    b, sh->label[WZ_RF_VALID_FROM], a);
		goto reject;
	}

	/* Where and what: the same for every row of this shape (made
	 * above). */
	if (sp->why != NULL) {
		reject(ro, sh, row, sp->why);
		return;
	}
	tp = sp->tp ? &ro->tp[sp->tp - 1] : NULL;
	st->C = sp->C;
	st->T = sp->T;
	st->V = sp->V;
	st->U = sp->U;
	st->home = sp->home;
	if (sp->nr == 1)
		st->r[0] = sp->r[0];
	else
		memcpy(st->r, sp->r, sp->nr * sizeof(*st->r));
	st->nr = sp->nr;
	level = sp->level;
	townscope = sp->townscope;
	title = v[WZ_RF_TITLE];
	/* a title from its cell is plain if the reader found the cell so
	 * (values() trims it, which keeps it plain) */
	x = (uint32_t)sh->col[WZ_RF_TITLE];
	tplain = sh->col[WZ_RF_TITLE] >= 0 && x < row->n &&
	    row->plain != NULL && row->plain[x];
	if (title.n == 0) {
		/* an assignment sheet: the title column shows the links */
		wz_buf_reset(&ro->tbuf);
		if (v[WZ_RF_LINK_TOWNSHIP].n > 0)
			wz_buf_printf(&ro->tbuf, "%s:%.*s",
			    sh->label[WZ_RF_LINK_TOWNSHIP],
			    (int)v[WZ_RF_LINK_TOWNSHIP].n,
			    v[WZ_RF_LINK_TOWNSHIP].s);
		if (v[WZ_RF_LINK_VILLAGE].n > 0)
			wz_buf_printf(&ro->tbuf, "%s%s:%.*s", ro->tbuf.len ?
			    ";" : "", sh->label[WZ_RF_LINK_VILLAGE],
			    (int)v[WZ_RF_LINK_VILLAGE].n,
			    v[WZ_RF_LINK_VILLAGE].s);
		title.s = ro->tbuf.s;
		title.n = ro->tbuf.len;
		tplain = 0;
	}

	/* Who: found before anything changes. */
	pi = find_person(ro, st, sp->noplace);
	if (pi == AMBIG) {
		snprintf(st->why, sizeof(st->why), "%s names several people "
		    "and this row gives no unit or ID number to tell them "
		    "apart", st->nm);
		goto reject;
	}
	if (level == 0 && pi != NONE32) {
		if (ro->pers[pi].flags & P_COUNTY)
			level = 'c';
		else if (ro->pers[pi].flags & P_TOWN) {
			level = 't';
			townscope = um_get(&ro->later, pi, L_TOWNSCOPE);
		}
	}

	/* Links: the roles they make depend on who holds them. */
	nlt = sp->nlt;
	nlv = sp->nlv;
	if (nlt + nlv > 0 && level == 0) {
		if (st->nr == 0 && nlt > 0)
			level = 'c';	/* only county leaders link townships */
		else if (st->nr == 0) {
			snprintf(st->why, sizeof(st->why), "cannot tell whether "
			    "%s is a county or a township leader: no title here, "
			    "and no earlier row gives that name a county or "
			    "township post", st->nm);
			goto reject;
		}
	}
	if (nlt + nlv > 0 && level == 'c') {
		for (i = 0; i < nlt; i++)
			add_rrole(st, (unsigned)ro->P.link_town,
			    scope_of(ro, st->C, sp->lt[i].town, 0), 0);
		for (i = 0; i < nlv; i++)
			add_rrole(st, (unsigned)ro->P.link_village,
			    scope_of(ro, st->C, sp->lv[i].town ?
			    sp->lv[i].town : nlt == 1 ? sp->lt[0].town : st->T,
			    sp->lv[i].village), 0);
	} else if (nlt + nlv > 0 && level == 't') {
		for (i = 0; i < nlv; i++) {
			if (sp->lv[i].town != 0)
				x = scope_of(ro, st->C, sp->lv[i].town,
				    sp->lv[i].village);
			else {
				wz_buf_reset(&ro->key);
				wz_buf_add(&ro->key, st_str(&ro->str,
				    townscope), st_len(&ro->str, townscope));
				wz_buf_addc(&ro->key, '/');
				wz_buf_add(&ro->key, st_str(&ro->str,
				    sp->lv[i].village), st_len(&ro->str,
				    sp->lv[i].village));
				x = intern(ro, ro->key.s, ro->key.len);
			}
			add_rrole(st, (unsigned)ro->P.town_link, x, 1);
		}
		if (nlt > 0)
			warn(ro, sh, row->line, "%s is a township leader: "
			    "联系乡镇 %s ignored (only county leaders link "
			    "townships)", st->nm,
			    st_str(&ro->str, sp->lt[0].town));
	} else if (nlt + nlv > 0)
		warn(ro, sh, row->line, "%s: %s has no 联系/包抓 role at that "
		    "level (county_link_* and town_link_village are for county "
		    "and township leaders); %s ignored",
		    st->nm, st->nr > 0 ?
		    post_code(ro, st->r[0].post) : "(no post)", st_str(&ro->str,
		    nlv > 0 ? sp->lv[0].village : sp->lt[0].town));
	if (tp != NULL && tp->nunk > 0) {
		/* --keep-unknown: reported, and kept as one role unknown */
		unknown_msg(ro, sh, tp, &title, why, sizeof(why));
		warn(ro, sh, row->line, "%s; kept as role unknown", why);
		add_rrole(st, POST_UNKNOWN, st->home, 0);
	}
	if (st->nr == 0) {
		snprintf(st->why, sizeof(st->why), "no role: %s '%.*s' names "
		    "no post", sh->label[WZ_RF_TITLE], (int)(title.n > 80 ? 80 :
		    title.n), title.s);
		goto reject;
	}

	/* Party, sex and rank: reported if odd, never a reason to reject. */
	st->party = party_of(ro, &v[WZ_RF_PARTY]);
	if (st->party < 0) {
		warn(ro, sh, row->line, "%s '%.*s' is not a value I know; "
		    "party_member left empty", sh->label[WZ_RF_PARTY],
		    (int)v[WZ_RF_PARTY].n, v[WZ_RF_PARTY].s);
		st->party = 0;
	}
	if (st->has_id && v[WZ_RF_GENDER].n > 0) {
		int male = v[WZ_RF_GENDER].n == 3 &&
		    memcmp(v[WZ_RF_GENDER].s, "男", 3) == 0,
		    female = v[WZ_RF_GENDER].n == 3 &&
		    memcmp(v[WZ_RF_GENDER].s, "女", 3) == 0;

		if ((male && !st->id.male) || (female && st->id.male))
			warn(ro, sh, row->line, "%s is %.*s, but the ID number "
			    "is a %s's", sh->label[WZ_RF_GENDER],
			    (int)v[WZ_RF_GENDER].n, v[WZ_RF_GENDER].s,
			    st->id.male ? "man" : "woman");
	}
	if (v[WZ_RF_RANK].n > 0) {
		if ((rk = wz_rank_parse(v[WZ_RF_RANK].s, v[WZ_RF_RANK].n)) ==
		    NULL)
			warn(ro, sh, row->line, "%s '%.*s' is not a rank I know",
			    sh->label[WZ_RF_RANK], (int)v[WZ_RF_RANK].n,
			    v[WZ_RF_RANK].s);
		st->rank = rank_code(rk);
	}
	for (i = 0; i < st->nr; i++)
		if (st->r[i].post != POST_UNKNOWN && ro->P.rank[st->r[i].post])
			st->rank = rank_max(st->rank,
			    ro->P.rank[st->r[i].post]);

	/* Commit: the person, their roles, the rows out. */
	if (pi == NONE32 && sp->noplace && !st->has_id) {
		st->home = scope_of(ro, st->C, 0, 0);
		st->htag = home_tag(st);
	}
	pi = commit_person(ro, st, pi);
	ro->c.written++;
	for (i = 0; i < st->nr; i++) {
		struct person *p = &ro->pers[pi];

		if (county_leader(ro, st->r[i].post))
			p->flags |= P_COUNTY;
		if (st->r[i].town && (int)st->r[i].post != ro->P.town_link) {
			/* the first township post's scope (which may be
			 * the empty one, 0, until another comes) */
			slot = um_slot(&ro->later, pi, L_TOWNSCOPE, 1);
			if (*slot == NONE32 || *slot == 0)
				*slot = st->r[i].scope;
			p->flags |= P_TOWN;
		}
		if (role_add(ro, pi, st->r[i].post, st->r[i].scope, st->from,
		    st->to, sh, st->file, row->line) != 0) {
			ro->c.duplicates++;
			continue;
		}
		ro->c.roles++;
		write_role(ro, st, &ro->pers[pi], &st->r[i], &title, tplain);
	}
	/* Name alone finds county and township leaders, for sheets that
	 * give only a name and the places a leader links (分工表). */
	if (ro->pers[pi].flags & (P_COUNTY | P_TOWN)) {
		uint32_t e = nk_add(ro, &ro->by_name, st, 0, pi + 1);

		if (ro->nkeys[e].val != pi + 1)
			ro->nkeys[e].val = AMBIG;
	}
	return;
reject:
	reject_st(ro, st);
}

void
wz_roster_bad(struct wz_roster *ro, int k, const struct wz_row *row,
    const char *why)
{
	size_t i;

	for (i = 0; i < row->n; i++)
		if (row->len[i] > 0)
			break;
	if (i == row->n) {
		ro->c.blank++;	/* ",,," with too few commas */
		return;
	}
	ro->c.read++;
	reject(ro, ro->sheets[k], row, why);
}

int
wz_roster_read(struct wz_roster *ro, int k, struct wz_reader *r)
{
	const struct wz_row *row;
	int rc;

	while ((rc = wz_reader_next(r, &row)) != WZ_EOF) {
		if (rc == WZ_FATAL) {
			wz_msg(wz_reader_name(r), wz_reader_errline(r), "%s",
			    wz_reader_error(r));
			return wz_reader_errstatus(r);
		}
		if (rc == WZ_BAD)
			wz_roster_bad(ro, k, row, wz_reader_error(r));
		else
			wz_roster_row(ro, k, row);
	}
	return 0;
}

void
wz_roster_counts(const struct wz_roster *ro, struct wz_roster_counts *c)
{
	*c = ro->c;
	c->persons = ro->npers;
}

int
wz_roster_finish(struct wz_roster *ro)
{
	struct wz_buf b = {0};

	if (ro->nsheets == 0)
		return 0;	/* no input could be read: said already */
	wz_buf_printf(&b, "%lu read, %lu written, %lu rejected",
	    ro->c.read, ro->c.written, ro->c.rejected);
	if (ro->c.blank > 0)
		wz_buf_printf(&b, " (%lu blank row%s skipped)", ro->c.blank,
		    ro->c.blank == 1 ? "" : "s");
	wz_buf_printf(&b, "; %lu role%s, %zu person%s", ro->c.roles,
	    ro->c.roles == 1 ? "" : "s", ro->npers, ro->npers == 1 ? "" : "s");
	if (ro->c.duplicates > 0)
		wz_buf_printf(&b, ", %lu repeated role%s merged",
		    ro->c.duplicates, ro->c.duplicates == 1 ? "" : "s");
	wz_buf_printf(&b, "; %lu warning%s", ro->c.warnings,
	    ro->c.warnings == 1 ? "" : "s");
	wz_msg(NULL, 0, "%s", b.s);
	wz_buf_free(&b);
	return ro->c.rejected > 0 || ro->c.warnings > 0 ? WZ_EX_ROWS : 0;
}

void
wz_roster_free(struct wz_roster *ro)
{
	size_t i;

	if (ro == NULL)
		return;
	for (i = 0; i < ro->ntp; i++) {
		free(ro->tp[i].r);
		free(ro->tp[i].l);
		free(ro->tp[i].unk);
	}
	free(ro->tp);
	wz_big_free(ro->hmax, ro->caphmax * sizeof(*ro->hmax));
	wz_big_free(ro->names, ro->capnames);
	for (i = 0; i < ro->nsheets; i++)
		sheet_free(ro->sheets[i]);
	free(ro->sheets);
	st_free(&ro->str);
	st_free(&ro->tkey);
	st_free(&ro->pkey);
	shapes_free(ro);
	free(ro->tmemo);
	free(ro->pmemo);
	free(ro->dmemo);	/* made before a row has a shape */
	free(ro->imemo);
	free(ro->cjk);
	pm_free(&ro->by_id);
	pm_free(&ro->by_home);
	um_free(&ro->by_alias);
	um_free(&ro->by_name);
	free(ro->nkeys);
	wz_buf_free(&ro->knames);
	wz_big_free(ro->pers, ro->cappers * sizeof(*ro->pers));
	wz_big_free(ro->roles, ro->caproles * sizeof(*ro->roles));
	wz_buf_free(&ro->pids);
	wz_big_free(ro->pidoff, ro->cappidoff * sizeof(*ro->pidoff));
	um_free(&ro->later);
	wz_buf_free(&ro->b);
	wz_buf_free(&ro->b2);
	wz_buf_free(&ro->key);
	wz_buf_free(&ro->tbuf);
	wz_buf_free(&ro->cbuf);
	wz_buf_free(&ro->nbuf);
	wz_sha_free(ro->sha);
	free(ro->P.lvl);
	free(ro->P.rank);
	free(ro->P.codelen);
	free(ro);
}
