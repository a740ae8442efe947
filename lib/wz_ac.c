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
 *
 * The matcher's texts are short (a few dozen characters) and found in
 * often (a hit every two characters): a scan's cost is its decoding and
 * its steps, which it keeps cheap three ways.  The text the matcher
 * scans is the normaliser's output, well-formed UTF-8, so its decoding
 * needs no checks (wz_ac_scan_valid()), or none at all when the
 * normaliser, which decodes the text anyway, gives the classes with it
 * (wz_ac_classes(), wz_ac_scan_classes()).  The cells of a few thousand
 * states fit in eight bytes (struct ccell), one load a step.  And the
 * outputs are only noted during the steps and gone through after
 * (struct pend), with a state's single id, the common case, in its
 * cell.
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
	uint32_t	 out;		/* 0; OUT_ONE | the one id; or the
					 * index in clist */
};
#define OUT_ONE		0x80000000U
#define CHECK_FREE	0x7fffffffU
#define CHECK_OUT	0x80000000U

/*
 * The same in eight bytes, when every slot, base, id and clist index
 * fits (a few thousand states: the rules' automaton): twice the cells
 * in a cache line.  The scan is bound by the latency of loading the
 * next state's cell, which another row's work has most often pushed
 * out of the first-level cache; fewer lines, fewer misses.  CC_ONE in
 * out is OUT_ONE; check is the parent's slot alone, CC_FREE for none: a
 * state has outputs when its out is not 0 (an index in clist is 1 or
 * more), so a step compares check as it is.
 */
struct ccell {
	uint16_t	 base;
	uint16_t	 check;
	uint16_t	 fail;
	uint16_t	 out;
};
#define CC_FREE		0xffffU
#define CC_ONE		0x8000U

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
	uint32_t	*rootkid;	/* the root's child on each symbol, 0:
					 * none (the root has one for most
					 * symbols, and failure links end
					 * there: a walk of its edges was
					 * most of the build) */
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
	struct ccell	*ccells;	/* the same, compact (cells NULL) */
	uint32_t	*clist;		/* of a count and that many ids */
	uint16_t	*bmp;		/* chars: class of each BMP code point */
	uint32_t	*astral;	/* chars: code points above the BMP, */
	uint16_t	*acls;		/* sorted, and their classes */
	size_t		 nastral;
	uint32_t	 maxid;		/* the largest id added */
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
	if (id > ac->maxid)
		ac->maxid = id;
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
	uint32_t *astral, cp;
	size_t i, k, nd = 0, na = 0, nad = 0;
	const unsigned char *p;

	/*
	 * Classes in code point order, from 1.  A BMP code point is marked
	 * in the table itself, which a walk then numbers: the patterns hold
	 * some 6,000 characters, which a sort took longer to order.  The
	 * few above the BMP are sorted.
	 */
	ac->bmp = wz_calloc(0x10000, sizeof(*ac->bmp));
	astral = wz_reallocarray(NULL, ac->pblen + 1, sizeof(*astral));
	for (i = 0; i < ac->npats; i++) {
		p = (const unsigned char *)ac->pbuf + ac->pats[i].off;
		for (k = 0; k < ac->pats[i].len;) {
			size_t l = utf8_char(p + k, ac->pats[i].len - k, &cp);

			if (l == 0)
				goto bytes;
			cp = cp < 0x80 ? ac->fold[cp] : cp;
			if (cp < 0x10000)
				ac->bmp[cp] = 1;
			else
				astral[na++] = cp;
			k += l;
		}
	}
	for (cp = 0; cp < 0x10000; cp++)
		if (ac->bmp[cp] != 0) {
			if (++nd > NCLASS_MAX)
				goto bytes;
			ac->bmp[cp] = (uint16_t)nd;
		}
	qsort(astral, na, sizeof(*astral), cmp_u32);
	for (i = 0; i < na; i++)
		if (i == 0 || astral[i] != astral[i - 1])
			astral[nad++] = astral[i];
	if (nd + nad > NCLASS_MAX)
		goto bytes;
	ac->astral = wz_calloc(nad + 1, sizeof(*ac->astral));
	ac->acls = wz_calloc(nad + 1, sizeof(*ac->acls));
	for (i = 0; i < nad; i++) {
		ac->astral[ac->nastral] = astral[i];
		ac->acls[ac->nastral++] = (uint16_t)(nd + i + 1);
	}
	for (i = 'A'; i <= 'Z'; i++)
		ac->bmp[i] = ac->bmp[i + 32];
	ac->nsym = nd + nad + 1;
	free(astral);
	return 1;
 bytes:
	free(astral);
	free(ac->bmp);
	ac->bmp = NULL;
	return 0;
}

static uint32_t
child(const struct build *b, uint32_t s, uint32_t c)
{
	uint32_t e;

	if (s == 0)
		return b->rootkid[c];
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
	if (s == 0)
		b->rootkid[c] = t;
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
	b->rootkid = wz_calloc(b->nsym, sizeof(*b->rootkid));
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

/*
 * Has f no child on a symbol s has none on?  A scan that fails at s, on
 * a symbol s has no child on, fails at f too then, and can go on to
 * f's failure at once: the failure link the scan follows passes over
 * such states (a leaf, most often), and finds the same.  (The outputs
 * are the states' own, made from the true links.)
 */
static int
no_more(const struct build *b, uint32_t f, uint32_t s)
{
	uint32_t e;

	for (e = b->nodes[f].first; e != 0; e = b->edges[e].next)
		if (child(b, s, b->edges[e].sym) == 0)
			return 0;
	return 1;
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
		/* Base 0 is no one's: the first symbol's slot is past cs[0]
		 * (starting there, not walking the free slots up to it, as
		 * a symbol can be a class in the thousands). */
		for (q = free_from(b, from > (size_t)cs[0] + 1 ? from :
		    (size_t)cs[0] + 1);; q = free_from(b, q + 1)) {
			base = q - cs[0];
			if (base + b->nsym + 1 > b->nda)
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

/*
 * Make the compact cells if everything fits, and drop the wide ones:
 * the array is cut after the last slot a step can read (a base plus
 * the largest symbol).
 */
static void
compact(struct wz_ac *ac, size_t nclist)
{
	size_t i, n = 0, need;
	const struct cell *c;

	if (nclist > CC_ONE)
		return;
	for (i = 0; i < ac->ncells; i++) {
		c = &ac->cells[i];
		if ((c->check & CHECK_FREE) != CHECK_FREE && i + 1 > n)
			n = i + 1;
		need = (size_t)(uint32_t)c->base + ac->nsym;
		if (c->base != 0 && need > n)
			n = need;
	}
	if (n < ac->nsym)
		n = ac->nsym;
	if (n > CC_FREE)
		return;
	for (i = 0; i < n; i++) {
		c = &ac->cells[i];
		if ((c->out & OUT_ONE) && (c->out & ~OUT_ONE) >= CC_ONE)
			return;
	}
	ac->ccells = wz_calloc(n, sizeof(*ac->ccells));
	for (i = 0; i < n; i++) {
		c = &ac->cells[i];
		ac->ccells[i].base = (uint16_t)c->base;
		ac->ccells[i].check = (uint16_t)((c->check & CHECK_FREE) ==
		    CHECK_FREE ? CC_FREE : c->check & CHECK_FREE);
		ac->ccells[i].fail = (uint16_t)c->fail;
		ac->ccells[i].out = (uint16_t)((c->out & OUT_ONE) ?
		    CC_ONE | (c->out & ~OUT_ONE) : c->out);
	}
	free(ac->cells);
	ac->cells = NULL;
	ac->ncells = n;
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
		for (f = b.nodes[s].fail; f != 0 && no_more(&b, f, s);
		    f = b.nodes[f].fail)
			;
		ac->cells[pos[s]].fail = pos[f];
		if (total[s] == 0)
			continue;
		ac->cells[pos[s]].check |= CHECK_OUT;
		if (total[s] == 1 && olist[oat[s]] < OUT_ONE) {
			/* Most states have one: no look elsewhere. */
			ac->cells[pos[s]].out = OUT_ONE | olist[oat[s]];
			continue;
		}
		ac->cells[pos[s]].out = (uint32_t)nout;
		ac->clist[nout++] = total[s];
		memcpy(&ac->clist[nout], &olist[oat[s]],
		    total[s] * sizeof(*ac->clist));
		nout += total[s];
	}
	compact(ac, nout);
	free(olist);
	free(oat);
	free(queue);
	free(total);
	free(own);
	free(grouped);
	free(pos);
	free(b.idnode);
	free(b.rootkid);
	free(b.da);
	free(b.skip);
	free(b.nodes);
	free(b.edges);
	free(ac->pbuf);
	ac->pbuf = NULL;
	ac->pblen = ac->pbcap = 0;
}

/*
 * The scan.  A step reads the state's cell for its base and the
 * child's for its check and whether there are outputs (the wide cell's
 * check has an out bit, the compact one's out is not 0):
 * a state that is no one's child (the root) has none, so a step that
 * falls back to the root and finds no child there is done.  A step
 * into a state with outputs only notes them and where they end (struct
 * pend); they are gone through after the text, or when the notes are
 * full, in the order they were noted: the loop over the text keeps its
 * few values in registers, which the bookkeeping of the outputs (hits,
 * list, at) would push onto the stack.
 */
struct pend {
	uint32_t	 out;		/* a state's out, as in its cell */
	uint32_t	 end;		/* the byte offset they end at (a text
					 * over 32 bits has no at: scan()) */
};
#define NPEND	64

/*
 * The outputs of the states noted in pd[0..np): nl, updated.  el: at
 * is known not to be NULL, and list to have room for every
 * id (a constant of each copy).
 */
#define OUT1(x) do {							\
	uint32_t id_ = (x);						\
	uint64_t b_ = 1ULL << (id_ & 63), w_ = hits[id_ >> 6];		\
									\
	if (el || at != NULL)						\
		at[id_].last = end;					\
	if (!(w_ & b_)) {						\
		hits[id_ >> 6] = w_ | b_;				\
		if (el || at != NULL)					\
			at[id_].first = end;				\
		if (el || nl < max)					\
			list[nl++] = id_;				\
	}								\
} while (0)

static inline __attribute__((always_inline)) size_t
outputs(const struct wz_ac *ac, const struct pend *pd, size_t np,
    uint64_t *hits, uint32_t *list, size_t max, struct wz_ac_end *at,
    size_t nl, int el, int cc)
{
	const uint32_t *clist = ac->clist, *o;
	size_t k, j, no;
	uint32_t out, end;

	/* clist and a list's length in locals: the stores to list could
	 * be to them as far as the compiler knows. */
	for (k = 0; k < np; k++) {
		out = pd[k].out;
		end = pd[k].end;
		/* A compact cell's out has its flag in CC_ONE. */
		if (out & (cc ? CC_ONE : OUT_ONE))
			OUT1(out & ~(cc ? CC_ONE : OUT_ONE));
		else
			for (o = &clist[out], no = o[0], j = 1; j <= no; j++)
				OUT1(o[j]);
	}
	return nl;
}

/* The same out of line, for when the notes are full. */
static size_t
outputs_full(const struct wz_ac *ac, const struct pend *pd, size_t np,
    uint64_t *hits, uint32_t *list, size_t max, struct wz_ac_end *at,
    size_t nl, int cc)
{
	return outputs(ac, pd, np, hits, list, max, at, nl, 0, cc);
}

/*
 * The state after st on symbol c; note its outputs, which end at byte
 * offset END.
 */
#define STEP(c, END) do {						\
	if (cc)								\
		CSTEP(c, END);						\
	else								\
		WSTEP(c, END);						\
} while (0)

/* Note the outputs ov of the state just entered. */
#define NOTE(ov, END) do {						\
	if (np == NPEND) {						\
		nl = outputs_full(ac, pd, np, hits, list, max, at,	\
		    nl, cc);						\
		np = 0;							\
	}								\
	pd[np].out = (ov);						\
	pd[np++].end = (uint32_t)(END);					\
} while (0)

/* The wide cells' step. */
#define WSTEP(c, END) do {						\
	uint32_t t_, k_;						\
									\
	for (;;) {							\
		t_ = (uint32_t)da[st].base + (c);			\
		k_ = da[t_].check;					\
		if ((k_ & CHECK_FREE) == st) {				\
			st = t_;					\
			if (k_ & CHECK_OUT)				\
				NOTE(da[t_].out, END);			\
			break;						\
		}							\
		if (st == 0)						\
			break;						\
		st = da[st].fail;					\
	}								\
} while (0)

/*
 * The compact cells' step: a cell is one 64-bit load (base, check, fail
 * and out from the low bits up), and the current state's (cur), with its
 * base (sb), stays in registers.  At the root sb is rb, and cur is not
 * read: only a state that is not the root follows its failure link.
 */
#define CSTEP(c, END) do {						\
	uint64_t v_;							\
									\
	for (;;) {							\
		memcpy(&v_, &ccl[sb + (c)], 8);				\
		if ((uint16_t)(v_ >> 16) == st) {			\
			st = sb + (c);					\
			cur = v_;					\
			sb = (uint32_t)v_ & 0xffff;			\
			if (v_ >> 48)					\
				NOTE((uint32_t)(v_ >> 48), END);	\
			break;						\
		}							\
		if (st == 0)						\
			break;						\
		st = (uint32_t)(cur >> 32) & 0xffff;			\
		memcpy(&cur, &ccl[st], 8);				\
		sb = (uint32_t)cur & 0xffff;				\
	}								\
} while (0)

/* Back to the root (a character no pattern holds). */
#define TO_ROOT() do {							\
	st = 0;								\
	if (cc)								\
		sb = rb;						\
} while (0)

/*
 * The class of the character at p[i] and its length, for text that may
 * hold anything: a byte that is not part of a well-formed character is
 * class 0 on its own.
 */
#define DECODE_CHECKED() do {						\
	c = p[i];							\
	if (c < 0x80) {							\
		cls = bmp[c];						\
		i++;							\
	} else if (c >= 0xe0 && c <= 0xef && n - i >= 3 &&		\
	    (p[i + 1] & 0xc0) == 0x80 && (p[i + 2] & 0xc0) == 0x80 &&	\
	    (cp = (uint32_t)(c & 0x0f) << 12 |				\
	    (uint32_t)(p[i + 1] & 0x3f) << 6 | (p[i + 2] & 0x3f)) >=	\
	    0x800) {							\
		/* Surrogates are class 0: no pattern holds one. */	\
		cls = bmp[cp];						\
		i += 3;							\
	} else if ((l = utf8_char(p + i, n - i, &cp)) != 0) {		\
		cls = cp_class(ac, cp);					\
		i += l;							\
	} else {							\
		cls = 0;						\
		i++;							\
	}								\
} while (0)

/*
 * The scan over characters.  valid: the text is well-formed UTF-8 and
 * is decoded without checks up to its last three bytes (a lead byte
 * says the length, and four bytes are left; on other bytes nothing is
 * read outside the text, but what is found is unspecified).  cc: the
 * compact cells.  Always in line, so that each caller's constants drop
 * their tests.
 */
static inline __attribute__((always_inline)) size_t
scan_chars(const struct wz_ac *ac, const unsigned char *p, size_t n,
    uint64_t *hits, uint32_t *list, size_t max, struct wz_ac_end *at,
    int valid, int cc, int el)
{
	const struct cell *da = ac->cells;
	const struct ccell *ccl = ac->ccells;
	const uint16_t *bmp = ac->bmp;
	struct pend pd[NPEND];
	uint64_t cur = 0;
	uint32_t st = 0, cp, sb = 0, rb = 0;
	size_t i = 0, l, nl = 0, lim, np = 0;
	unsigned c, cls;

	if (cc)
		sb = rb = ccl[0].base;

	lim = valid && n > 3 ? n - 3 : 0;
	while (i < lim) {
		c = p[i];
		if (c - 0xe0 < 0x10) {
			cls = bmp[(c & 0x0f) << 12 | (p[i + 1] & 0x3fU) << 6 |
			    (p[i + 2] & 0x3fU)];
			i += 3;
		} else if (c < 0x80) {
			cls = bmp[c];
			i++;
		} else if (c < 0xe0) {
			cls = bmp[(c & 0x1f) << 6 | (p[i + 1] & 0x3fU)];
			i += 2;
		} else {
			cls = cp_class(ac, (uint32_t)(c & 0x07) << 18 |
			    (uint32_t)(p[i + 1] & 0x3f) << 12 |
			    (uint32_t)(p[i + 2] & 0x3f) << 6 |
			    (p[i + 3] & 0x3f));
			i += 4;
		}
		if (cls == 0) {
			/* No pattern holds this character. */
			TO_ROOT();
			continue;
		}
		STEP(cls, i);
	}
	while (i < n) {
		DECODE_CHECKED();
		if (cls == 0) {
			TO_ROOT();
			continue;
		}
		STEP(cls, i);
	}
	return outputs(ac, pd, np, hits, list, max, at, nl, el, cc);
}

/*
 * The scan over characters given as their classes, cls[0..nc), and the
 * offsets just past them, cend[0..nc).
 */
static inline __attribute__((always_inline)) size_t
scan_cls(const struct wz_ac *ac, const uint16_t *cls, const uint32_t *cend,
    size_t nc, uint64_t *hits, uint32_t *list, size_t max,
    struct wz_ac_end *at, int cc, int el)
{
	const struct cell *da = ac->cells;
	const struct ccell *ccl = ac->ccells;
	struct pend pd[NPEND];
	uint64_t cur = 0;
	uint32_t st = 0, sb = 0, rb = 0;
	size_t k, nl = 0, np = 0;
	unsigned c;

	if (cc)
		sb = rb = ccl[0].base;
	for (k = 0; k < nc; k++) {
		c = cls[k];
		if (c == 0) {
			/* No pattern holds this character. */
			TO_ROOT();
			continue;
		}
		STEP(c, cend[k]);
	}
	return outputs(ac, pd, np, hits, list, max, at, nl, el, cc);
}

/* The scan over bytes (patterns that are not all UTF-8). */
static inline __attribute__((always_inline)) size_t
scan_bytes(const struct wz_ac *ac, const unsigned char *p, size_t n,
    uint64_t *hits, uint32_t *list, size_t max, struct wz_ac_end *at,
    int cc)
{
	const struct cell *da = ac->cells;
	const struct ccell *ccl = ac->ccells;
	struct pend pd[NPEND];
	uint64_t cur = 0;
	uint32_t st = 0, sb = 0;
	size_t i, nl = 0, np = 0;
	unsigned c;

	if (cc) {
		memcpy(&cur, &ccl[0], 8);
		sb = (uint32_t)cur & 0xffff;
	}

	for (i = 0; i < n; i++) {
		c = ac->fold[p[i]];
		STEP(c, i + 1);
	}
	return outputs(ac, pd, np, hits, list, max, at, nl, 0, cc);
}

static size_t
scan(const struct wz_ac *ac, const char *s, size_t n, uint64_t *hits,
    uint32_t *list, size_t max, struct wz_ac_end *at, int valid)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!ac->built || ac->npats == 0)
		return 0;
	/* Offsets are 32 bits (wz_ac.h): none past them. */
	if (n > UINT32_MAX)
		at = NULL;
	if (!ac->chars)
		return ac->ccells != NULL ?
		    scan_bytes(ac, p, n, hits, list, max, at, 1) :
		    scan_bytes(ac, p, n, hits, list, max, at, 0);
	/* The common case in a copy of its own: the list has room for
	 * every id (each is listed once), where they end is wanted. */
	if (valid && ac->ccells != NULL && at != NULL &&
	    max > ac->maxid)
		return scan_chars(ac, p, n, hits, list, max, at, 1, 1, 1);
	if (valid)
		return ac->ccells != NULL ?
		    scan_chars(ac, p, n, hits, list, max, at, 1, 1, 0) :
		    scan_chars(ac, p, n, hits, list, max, at, 1, 0, 0);
	return ac->ccells != NULL ?
	    scan_chars(ac, p, n, hits, list, max, at, 0, 1, 0) :
	    scan_chars(ac, p, n, hits, list, max, at, 0, 0, 0);
}

size_t
wz_ac_scan(const struct wz_ac *ac, const char *s, size_t n, uint64_t *hits,
    uint32_t *list, size_t max)
{
	return scan(ac, s, n, hits, list, max, NULL, 0);
}

size_t
wz_ac_scan_ends(const struct wz_ac *ac, const char *s, size_t n,
    uint64_t *hits, uint32_t *list, size_t max, struct wz_ac_end *at)
{
	return scan(ac, s, n, hits, list, max, at, 0);
}

size_t
wz_ac_scan_valid(const struct wz_ac *ac, const char *s, size_t n,
    uint64_t *hits, uint32_t *list, size_t max, struct wz_ac_end *at)
{
	return scan(ac, s, n, hits, list, max, at, 1);
}

const uint16_t *
wz_ac_classes(const struct wz_ac *ac)
{
	return ac->built && ac->chars ? ac->bmp : NULL;
}

size_t
wz_ac_scan_classes(const struct wz_ac *ac, const uint16_t *cls,
    const uint32_t *cend, size_t nc, uint64_t *hits, uint32_t *list,
    size_t max, struct wz_ac_end *at)
{
	if (!ac->built || !ac->chars || ac->npats == 0)
		return 0;
	if (ac->ccells != NULL && at != NULL && max > ac->maxid)
		return scan_cls(ac, cls, cend, nc, hits, list, max, at, 1, 1);
	return ac->ccells != NULL ?
	    scan_cls(ac, cls, cend, nc, hits, list, max, at, 1, 0) :
	    scan_cls(ac, cls, cend, nc, hits, list, max, at, 0, 0);
}

const void *
wz_ac_walk_cells(const struct wz_ac *ac, size_t max)
{
	/* What scan_cls() asks of its fastest copy. */
	if (!ac->built || !ac->chars || ac->npats == 0 ||
	    ac->ccells == NULL || max <= ac->maxid)
		return NULL;
	return ac->ccells;
}

size_t
wz_ac_notes(const struct wz_ac *ac, const struct wz_ac_note *note,
    size_t nnote, uint64_t *hits, uint32_t *list, size_t max,
    struct wz_ac_end *at)
{
	const uint32_t *clist = ac->clist, *o;
	size_t k, j, no, nl = 0;
	uint32_t out, end;
	const int el = 1;	/* for OUT1(): wz_ac_walk_cells() said so */

	/* clist and a list's length in locals: the stores to list could
	 * be to them as far as the compiler knows. */
	for (k = 0; k < nnote; k++) {
		out = note[k].out;
		end = note[k].end;
		if (out & CC_ONE)
			OUT1(out & ~CC_ONE);
		else
			for (o = &clist[out], no = o[0], j = 1; j <= no; j++)
				OUT1(o[j]);
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
	free(ac->ccells);
	free(ac->clist);
	free(ac->bmp);
	free(ac->astral);
	free(ac->acls);
	free(ac);
}
