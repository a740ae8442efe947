/*
 * wz_ac.c - see wz_ac.h.
 *
 * Patterns go into a trie (children in a linked list per node while
 * building); a breadth-first pass computes the failure links and the
 * output lists; then the trie is laid out as a double array: the child
 * of the state in slot s on symbol c is in slot base[s] + c when check
 * of that slot is s.  A dense table of every state and symbol would be
 * faster per lookup on paper, but for a thousand Chinese literals it is
 * several megabytes and each step then misses the cache; the double
 * array is tens of kilobytes.
 *
 * The symbols are characters when every pattern is well-formed UTF-8
 * (the rules' literals are): each code point that occurs in a pattern
 * has a class (1, 2, ...; ASCII letters folded), every other one is
 * class 0, and the scan decodes the text and makes one step per
 * character, not one per byte: a third of the steps for Chinese text, on
 * a third of the states.  This finds what a scan over bytes finds: a
 * well-formed pattern can only occur in a text on whole characters, so
 * a byte that is not part of a well-formed character (it is class 0,
 * which no pattern holds) only ends what the state was.  Otherwise the
 * symbols are bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "wz_base.h"
#include "wz_ac.h"

#define NCLASS_MAX	65535	/* classes are 16 bits in the table */

struct edge {
	uint32_t	 sym;
	uint32_t	 to;
	uint32_t	 next;		/* next edge of the same node, 0: none */
};

struct node {
	uint32_t	 first;		/* first edge, 0: none */
	uint32_t	 fail;
};

/* A slot of the double array. */
struct slot {
	int32_t		 base;		/* children at base + symbol */
	int32_t		 check;		/* the parent's slot; -1: free */
};

/*
 * What a scan reads of a slot.  check is the parent's slot, CHECK_FREE
 * for a free slot (and the root's, which is no one's child), with
 * CHECK_OUT set when the state has outputs.  The failure link and the
 * outputs sit in the same sixteen bytes: in arrays of their own, as they
 * were, each state with outputs or a failed step cost one more cache
 * miss, and the scan is bound by the latency of those loads.
 */
struct cell {
	int32_t		 base;
	uint32_t	 check;
	uint32_t	 fail;		/* the failure state's slot */
	uint32_t	 out;		/* 0, or the index in clist */
};
#define CHECK_FREE	0x7fffffffU
#define CHECK_OUT	0x80000000U

/* A pattern as added: bytes in pbuf. */
struct pat {
	size_t		 off, len;
	uint32_t	 id;
};

/* The trie and double array while building. */
struct build {
	struct node	*nodes;
	size_t		 nnodes, capnodes;
	struct edge	*edges;		/* edges[0] unused */
	size_t		 nedges, capedges;
	uint32_t	*idnode;	/* per pattern: the node it ends in */
	size_t		 nsym;		/* symbols are 0 .. nsym - 1 */
	struct slot	*da;
	size_t		 nda;
	uint32_t	*skip;		/* see free_from() */
};

struct wz_ac {
	char		*pbuf;
	size_t		 pblen, pbcap;
	struct pat	*pats;
	size_t		 npats, cappats;
	int		 built;
	int		 chars;		/* symbols are character classes */
	size_t		 nstates;
	size_t		 nsym;
	size_t		 ncells;
	struct cell	*cells;		/* built: per slot, for the scan */
	uint32_t	*clist;		/* of a count and that many ids */
	uint16_t	*bmp;		/* chars: class of each BMP code point */
	uint32_t	*astral;	/* chars: code points above the BMP, */
	uint16_t	*acls;		/* sorted, and their classes */
	size_t		 nastral;
	unsigned char	 fold[256];	/* ASCII upper -> lower */
};

static unsigned char
lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

struct wz_ac *
wz_ac_new(void)
{
	struct wz_ac *ac = wz_calloc(1, sizeof(*ac));
	size_t c;

	for (c = 0; c < 256; c++)
		ac->fold[c] = lower((unsigned char)c);
	return ac;
}

int
wz_ac_add(struct wz_ac *ac, const char *s, size_t n, uint32_t id)
{
	if (n == 0 || ac->built)
		return -1;
	if (ac->npats == ac->cappats) {
		ac->cappats = ac->cappats ? ac->cappats * 2 : 64;
		ac->pats = wz_reallocarray(ac->pats, ac->cappats,
		    sizeof(*ac->pats));
	}
	if (n > SIZE_MAX / 2 - ac->pblen)
		wz_die(EX_SOFTWARE, NULL, 0, "prefilter: pattern too long");
	if (ac->pblen + n > ac->pbcap) {
		while (ac->pblen + n > ac->pbcap)
			ac->pbcap = ac->pbcap ? ac->pbcap * 2 : 1024;
		ac->pbuf = wz_realloc(ac->pbuf, ac->pbcap);
	}
	memcpy(ac->pbuf + ac->pblen, s, n);
	ac->pats[ac->npats].off = ac->pblen;
	ac->pats[ac->npats].len = n;
	ac->pats[ac->npats++].id = id;
	ac->pblen += n;
	return 0;
}

size_t
wz_ac_npatterns(const struct wz_ac *ac)
{
	return ac->npats;
}

size_t
wz_ac_nstates(const struct wz_ac *ac)
{
	return ac->nstates;
}

/*
 * The code point of the well-formed UTF-8 character at p[0..n) and its
 * length; 0 when it is not one (a stray continuation byte, a truncated
 * or overlong sequence, a surrogate, a lead byte above F4).
 */
static size_t
utf8_char(const unsigned char *p, size_t n, uint32_t *cp)
{
	unsigned c = p[0];
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		if (n < 2 || (p[1] & 0xc0) != 0x80)
			return 0;
		*cp = (uint32_t)(c & 0x1f) << 6 | (p[1] & 0x3f);
		return 2;
	}
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		v = (uint32_t)(c & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 |
		    (p[2] & 0x3f);
		if (v < 0x800 || (v >= 0xd800 && v <= 0xdfff))
			return 0;
		*cp = v;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		v = (uint32_t)(c & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 |
		    (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
		if (v < 0x10000 || v > 0x10ffff)
			return 0;
		*cp = v;
		return 4;
	}
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The class of a code point (chars): 0 if no pattern holds it. */
static unsigned
cp_class(const struct wz_ac *ac, uint32_t cp)
{
	size_t lo = 0, hi = ac->nastral, mid;

	if (cp < 0x10000)
		return ac->bmp[cp];
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (ac->astral[mid] == cp)
			return ac->acls[mid];
		if (ac->astral[mid] < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/*
 * Give every code point of the patterns a class, if every pattern is
 * well-formed UTF-8 and there are few enough; 0 if not (the symbols are
 * bytes then).
 */
static int
make_classes(struct wz_ac *ac)
{
	uint32_t *cps, cp;
	size_t i, k, n = 0, nd = 0, na = 0;
	const unsigned char *p;

	cps = wz_reallocarray(NULL, ac->pblen + 1, sizeof(*cps));
	for (i = 0; i < ac->npats; i++) {
		p = (const unsigned char *)ac->pbuf + ac->pats[i].off;
		for (k = 0; k < ac->pats[i].len;) {
			size_t l = utf8_char(p + k, ac->pats[i].len - k, &cp);

			if (l == 0) {
				free(cps);
				return 0;
			}
			cps[n++] = cp < 0x80 ? ac->fold[cp] : cp;
			k += l;
		}
	}
	qsort(cps, n, sizeof(*cps), cmp_u32);
	for (i = 0; i < n; i++)
		if (i == 0 || cps[i] != cps[i - 1])
			cps[nd++] = cps[i];
	if (nd > NCLASS_MAX) {
		free(cps);
		return 0;
	}
	ac->bmp = wz_calloc(0x10000, sizeof(*ac->bmp));
	for (i = 0; i < nd; i++)
		if (cps[i] >= 0x10000)
			na++;
	ac->astral = wz_calloc(na + 1, sizeof(*ac->astral));
	ac->acls = wz_calloc(na + 1, sizeof(*ac->acls));
	for (i = 0; i < nd; i++) {
		if (cps[i] < 0x10000)
			ac->bmp[cps[i]] = (uint16_t)(i + 1);
		else {
			ac->astral[ac->nastral] = cps[i];
			ac->acls[ac->nastral++] = (uint16_t)(i + 1);
		}
	}
	for (i = 'A'; i <= 'Z'; i++)
		ac->bmp[i] = ac->bmp[i + 32];
	ac->nsym = nd + 1;
	free(cps);
	return 1;
}

static uint32_t
child(const struct build *b, uint32_t s, uint32_t c)
{
	uint32_t e;

	for (e = b->nodes[s].first; e != 0; e = b->edges[e].next)
		if (b->edges[e].sym == c)
			return b->edges[e].to;
	return 0;
}

static uint32_t
add_child(struct build *b, uint32_t s, uint32_t c)
{
	uint32_t t;

	if (b->nnodes >= INT32_MAX / 2)
		wz_die(EX_SOFTWARE, NULL, 0, "prefilter: too many states");
	if (b->nnodes == b->capnodes) {
		b->capnodes *= 2;
		b->nodes = wz_reallocarray(b->nodes, b->capnodes,
		    sizeof(*b->nodes));
	}
	if (b->nedges == b->capedges) {
		b->capedges *= 2;
		b->edges = wz_reallocarray(b->edges, b->capedges,
		    sizeof(*b->edges));
	}
	t = (uint32_t)b->nnodes++;
	memset(&b->nodes[t], 0, sizeof(b->nodes[t]));
	b->edges[b->nedges].sym = c;
	b->edges[b->nedges].to = t;
	b->edges[b->nedges].next = b->nodes[s].first;
	b->nodes[s].first = (uint32_t)b->nedges++;
	return t;
}

/* The trie of the patterns, over the automaton's symbols. */
static void
make_trie(const struct wz_ac *ac, struct build *b)
{
	const unsigned char *p;
	uint32_t st, t, cp, c;
	size_t i, k, l;

	b->capnodes = 64;
	b->nodes = wz_calloc(b->capnodes, sizeof(*b->nodes));
	b->nnodes = 1;
	b->capedges = 64;
	b->edges = wz_calloc(b->capedges, sizeof(*b->edges));
	b->nedges = 1;
	b->idnode = wz_calloc(ac->npats + 1, sizeof(*b->idnode));
	for (i = 0; i < ac->npats; i++) {
		p = (const unsigned char *)ac->pbuf + ac->pats[i].off;
		st = 0;
		for (k = 0; k < ac->pats[i].len; k += l) {
			if (ac->chars) {
				l = utf8_char(p + k, ac->pats[i].len - k, &cp);
				c = cp_class(ac, cp < 0x80 ? ac->fold[cp] : cp);
			} else {
				l = 1;
				c = ac->fold[p[k]];
			}
			if ((t = child(b, st, c)) == 0)
				t = add_child(b, st, c);
			st = t;
		}
		b->idnode[i] = st;
	}
}

static void
da_grow(struct build *b, size_t need)
{
	size_t n = b->nda, i;

	if (need <= n)
		return;
	while (n < need)
		n = n ? n * 2 : 1024;
	b->da = wz_reallocarray(b->da, n, sizeof(*b->da));
	b->skip = wz_reallocarray(b->skip, n, sizeof(*b->skip));
	for (i = b->nda; i < n; i++) {
		b->da[i].base = 0;
		b->da[i].check = -1;
		b->skip[i] = 0;
	}
	b->nda = n;
}

/*
 * The first free slot at or after x.  skip[] holds, for a taken slot, a
 * slot at or before the next free one, so runs of taken slots are
 * crossed in a jump or two (with path compression).  Room for every
 * symbol after a base is kept, so a scan never reads past the end.
 */
static size_t
free_from(struct build *b, size_t x)
{
	size_t y, z, nz;

	if (x + b->nsym + 1 > b->nda)
		da_grow(b, x + b->nsym + 1);
	for (y = x; b->da[y].check != -1; y = b->skip[y] > y ?
	    b->skip[y] : y + 1)
		if (y + b->nsym + 2 > b->nda)
			da_grow(b, y + b->nsym + 2);
	for (z = x; z < y; z = nz) {
		nz = b->skip[z] > z ? b->skip[z] : z + 1;
		b->skip[z] = (uint32_t)y;
	}
	return y;
}

/*
 * Place every node in the double array, breadth first; pos[] gets each
 * node's slot.  The root is slot 0 and no node's child.
 */
static void
da_place(struct build *b, const uint32_t *queue, size_t nq, uint32_t *pos)
{
	uint32_t *cs;
	size_t i, k, nc, base = 0, q, from = 1;
	uint32_t s, e;

	cs = wz_reallocarray(NULL, b->nsym, sizeof(*cs));
	da_grow(b, b->nsym + 256);
	b->da[0].check = INT32_MAX;	/* taken, and never a match */
	for (i = 0; i <= nq; i++) {
		s = i == 0 ? 0 : queue[i - 1];
		nc = 0;
		for (e = b->nodes[s].first; e != 0; e = b->edges[e].next)
			cs[nc++] = b->edges[e].sym;
		if (nc == 0)
			continue;
		/*
		 * The first base whose slots for these symbols are all
		 * free: try the free slots from the first one on as the
		 * first symbol's, jumping over taken runs.
		 */
		from = free_from(b, from);
		for (q = from;; q = free_from(b, q + 1)) {
			if (q < (size_t)cs[0] + 1)
				continue;
			base = q - cs[0];
			da_grow(b, base + b->nsym + 1);
			for (k = 1; k < nc; k++)
				if (b->da[base + cs[k]].check != -1)
					break;
			if (k == nc)
				break;
		}
		if (base + b->nsym >= INT32_MAX)
			wz_die(EX_SOFTWARE, NULL, 0, "prefilter: too large");
		b->da[pos[s]].base = (int32_t)base;
		for (e = b->nodes[s].first; e != 0; e = b->edges[e].next) {
			pos[b->edges[e].to] = (uint32_t)(base +
			    b->edges[e].sym);
			b->da[base + b->edges[e].sym].check = (int32_t)pos[s];
		}
	}
	free(cs);
}

void
wz_ac_build(struct wz_ac *ac)
{
	struct build b;
	uint32_t *queue, *own, *grouped, *total, *pos, *olist, *oat, s, t, f,
	    e;
	size_t head = 0, tail = 0, i, nolist = 0, nout;

	if (ac->built)
		return;
	ac->built = 1;
	memset(&b, 0, sizeof(b));
	ac->chars = make_classes(ac);
	if (!ac->chars)
		ac->nsym = 256;
	b.nsym = ac->nsym;
	make_trie(ac, &b);
	ac->nstates = b.nnodes;

	/* Own ids grouped by node: own[s] .. own[s + 1]. */
	own = wz_calloc(b.nnodes + 1, sizeof(*own));
	for (i = 0; i < ac->npats; i++)
		own[b.idnode[i] + 1]++;
	for (s = 0; s < b.nnodes; s++)
		own[s + 1] += own[s];
	grouped = wz_calloc(ac->npats + 1, sizeof(*grouped));
	total = wz_calloc(b.nnodes, sizeof(*total));
	for (i = 0; i < ac->npats; i++)
		grouped[own[b.idnode[i]] + total[b.idnode[i]]++] =
		    ac->pats[i].id;

	/* Breadth first: failure links, and how many outputs each has. */
	queue = wz_reallocarray(NULL, b.nnodes, sizeof(*queue));
	for (e = b.nodes[0].first; e != 0; e = b.edges[e].next) {
		b.nodes[b.edges[e].to].fail = 0;
		queue[tail++] = b.edges[e].to;
	}
	total[0] = 0;
	while (head < tail) {
		s = queue[head++];
		total[s] = own[s + 1] - own[s] + total[b.nodes[s].fail];
		for (e = b.nodes[s].first; e != 0; e = b.edges[e].next) {
			uint32_t sym = b.edges[e].sym;

			t = b.edges[e].to;
			for (f = b.nodes[s].fail;; f = b.nodes[f].fail) {
				uint32_t g = child(&b, f, sym);

				if (g != 0 && g != t) {
					b.nodes[t].fail = g;
					break;
				}
				if (f == 0) {
					b.nodes[t].fail = 0;
					break;
				}
			}
			queue[tail++] = t;
		}
	}

	pos = wz_calloc(b.nnodes, sizeof(*pos));
	da_place(&b, queue, tail, pos);

	/* Per node, breadth first: its outputs, own then its failure's
	 * (placed before it), in olist from oat[node]. */
	for (i = 0; i < tail; i++)
		nolist += total[queue[i]];
	olist = wz_calloc(nolist + 1, sizeof(*olist));
	oat = wz_calloc(b.nnodes, sizeof(*oat));
	nolist = 0;
	for (i = 0; i < tail; i++) {
		s = queue[i];
		f = b.nodes[s].fail;
		oat[s] = (uint32_t)nolist;
		memcpy(&olist[nolist], &grouped[own[s]],
		    (own[s + 1] - own[s]) * sizeof(*olist));
		nolist += own[s + 1] - own[s];
		memcpy(&olist[nolist], &olist[oat[f]],
		    total[f] * sizeof(*olist));
		nolist += total[f];
	}
	/* The scan's cells: the slot, its failure and its outputs. */
	ac->ncells = b.nda;
	ac->cells = wz_calloc(b.nda, sizeof(*ac->cells));
	ac->clist = wz_calloc(nolist + tail + 2, sizeof(*ac->clist));
	for (i = 0; i < b.nda; i++) {
		ac->cells[i].base = b.da[i].base;
		ac->cells[i].check = b.da[i].check < 0 || i == 0 ? CHECK_FREE :
		    (uint32_t)b.da[i].check;
	}
	nout = 1;
	for (i = 0; i < tail; i++) {
		s = queue[i];
		ac->cells[pos[s]].fail = pos[b.nodes[s].fail];
		if (total[s] == 0)
			continue;
		ac->cells[pos[s]].check |= CHECK_OUT;
		ac->cells[pos[s]].out = (uint32_t)nout;
		ac->clist[nout++] = total[s];
		memcpy(&ac->clist[nout], &olist[oat[s]],
		    total[s] * sizeof(*ac->clist));
		nout += total[s];
	}
	free(olist);
	free(oat);
	free(queue);
	free(total);
	free(own);
	free(grouped);
	free(pos);
	free(b.idnode);
	free(b.da);
	free(b.skip);
	free(b.nodes);
	free(b.edges);
	free(ac->pbuf);
	ac->pbuf = NULL;
	ac->pblen = ac->pbcap = 0;
}

/* The state after st on symbol c, and the outputs there, which end at
 * byte offset END. */
#define STEP(c, END) do {							\
	for (;;) {							\
		t = (uint32_t)da[st].base + (c);			\
		if ((da[t].check & CHECK_FREE) == st) {			\
			st = t;						\
			break;						\
		}							\
		if (st == 0)						\
			break;						\
		st = da[st].fail;					\
	}								\
	if (da[st].check & CHECK_OUT) {					\
		o = &ac->clist[da[st].out];				\
		for (k = 0, no = o[0]; k < no; k++) {			\
			id = o[1 + k];					\
			if (lasts != NULL)				\
				lasts[id] = (END);			\
			if (hits[id >> 6] & (1ULL << (id & 63)))	\
				continue;				\
			hits[id >> 6] |= 1ULL << (id & 63);		\
			if (ends != NULL)				\
				ends[id] = (END);			\
			if (nl < max)					\
				list[nl++] = id;			\
		}							\
	}								\
} while (0)

size_t
wz_ac_scan(const struct wz_ac *ac, const char *s, size_t n, uint64_t *hits,
    uint32_t *list, size_t max)
{
	return wz_ac_scan_ends(ac, s, n, hits, list, max, NULL, NULL);
}

size_t
wz_ac_scan_ends(const struct wz_ac *ac, const char *s, size_t n,
    uint64_t *hits, uint32_t *list, size_t max, size_t *ends, size_t *lasts)
{
	const unsigned char *p = (const unsigned char *)s;
	const struct cell *da = ac->cells;
	const uint16_t *bmp = ac->bmp;
	const uint32_t *o;
	uint32_t st = 0, t, id, k, no, cp;
	size_t i, l, nl = 0;
	unsigned c, cls;

	if (!ac->built || ac->npats == 0)
		return 0;
	if (!ac->chars) {
		for (i = 0; i < n; i++) {
			c = ac->fold[p[i]];
			STEP(c, i + 1);
		}
		return nl;
	}
	for (i = 0; i < n;) {
		c = p[i];
		if (c < 0x80) {
			cls = bmp[c];
			i++;
		} else if (c >= 0xe0 && c <= 0xef && n - i >= 3 &&
		    (p[i + 1] & 0xc0) == 0x80 && (p[i + 2] & 0xc0) == 0x80 &&
		    (cp = (uint32_t)(c & 0x0f) << 12 |
		    (uint32_t)(p[i + 1] & 0x3f) << 6 | (p[i + 2] & 0x3f)) >=
		    0x800) {
			/* Surrogates are class 0: no pattern holds one. */
			cls = bmp[cp];
			i += 3;
		} else if ((l = utf8_char(p + i, n - i, &cp)) != 0) {
			cls = cp_class(ac, cp);
			i += l;
		} else {
			cls = 0;
			i++;
		}
		if (cls == 0) {
			/* No pattern holds this character. */
			st = 0;
			continue;
		}
		STEP(cls, i);
	}
	return nl;
}

void
wz_ac_free(struct wz_ac *ac)
{
	if (ac == NULL)
		return;
	free(ac->pbuf);
	free(ac->pats);
	free(ac->cells);
	free(ac->clist);
	free(ac->bmp);
	free(ac->astral);
	free(ac->acls);
	free(ac);
}
