/*
 * wz_ac.c - see wz_ac.h.
 *
 * Patterns go into a trie (children in a linked list per node while
 * building); a breadth-first pass computes the failure links and the
 * output lists; then the trie is laid out as a double array: the child
 * of the state in slot s on byte c is in slot base[s] + c when check of
 * that slot is s.  A dense table of every state and byte would be faster
 * per lookup on paper, but for a thousand Chinese literals it is several
 * megabytes and each byte of text then misses the cache; the double array
 * is a few hundred kilobytes.
 */
#include <stdlib.h>
#include <string.h>

#include "wz_base.h"
#include "wz_ac.h"

struct edge {
	unsigned char	 c;
	uint32_t	 to;
	uint32_t	 next;		/* next edge of the same node, 0: none */
};

struct node {
	uint32_t	 first;		/* first edge, 0: none */
	uint32_t	 fail;
};

/* A slot of the double array. */
struct slot {
	int32_t		 base;		/* children at base + byte */
	int32_t		 check;		/* the parent's slot; -1: free */
};

/*
 * What a scan reads of a slot, in one place: a byte of text costs one
 * cache line or two, not four (text in Chinese takes the failure link
 * often).  out is 0 (no output) or the index in clist of the output
 * count, the ids following it.
 */
struct cell {
	int32_t		 base;
	int32_t		 check;
	uint32_t	 fail;
	uint32_t	 out;
};

struct wz_ac {
	struct node	*nodes;
	size_t		 nnodes, capnodes;
	struct edge	*edges;		/* edges[0] unused */
	size_t		 nedges, capedges;
	uint32_t	*ids;		/* the id of each pattern added */
	uint32_t	*idnode;	/* and the node it ends in */
	size_t		 nids, capids;
	int		 built;

	struct slot	*da;
	size_t		 nda;
	uint32_t	*skip;		/* while building: see free_from() */
	uint32_t	*fail;		/* per slot: slot of the failure state */
	uint32_t	*out;		/* per slot: start in olist, count */
	uint32_t	*olist;		/* outputs, own then inherited */
	struct cell	*cells;		/* built: per slot, for the scan */
	uint32_t	*clist;		/* counts and ids, for cells */
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

	ac->capnodes = 64;
	ac->nodes = wz_calloc(ac->capnodes, sizeof(*ac->nodes));
	ac->nnodes = 1;
	ac->capedges = 64;
	ac->edges = wz_calloc(ac->capedges, sizeof(*ac->edges));
	ac->nedges = 1;
	return ac;
}

static uint32_t
child(const struct wz_ac *ac, uint32_t s, unsigned char c)
{
	uint32_t e;

	for (e = ac->nodes[s].first; e != 0; e = ac->edges[e].next)
		if (ac->edges[e].c == c)
			return ac->edges[e].to;
	return 0;
}

static uint32_t
add_child(struct wz_ac *ac, uint32_t s, unsigned char c)
{
	uint32_t t;

	if (ac->nnodes >= INT32_MAX / 2)
		wz_die(EX_SOFTWARE, NULL, 0, "prefilter: too many states");
	if (ac->nnodes == ac->capnodes) {
		ac->capnodes *= 2;
		ac->nodes = wz_reallocarray(ac->nodes, ac->capnodes,
		    sizeof(*ac->nodes));
	}
	if (ac->nedges == ac->capedges) {
		ac->capedges *= 2;
		ac->edges = wz_reallocarray(ac->edges, ac->capedges,
		    sizeof(*ac->edges));
	}
	t = (uint32_t)ac->nnodes++;
	memset(&ac->nodes[t], 0, sizeof(ac->nodes[t]));
	ac->edges[ac->nedges].c = c;
	ac->edges[ac->nedges].to = t;
	ac->edges[ac->nedges].next = ac->nodes[s].first;
	ac->nodes[s].first = (uint32_t)ac->nedges++;
	return t;
}

int
wz_ac_add(struct wz_ac *ac, const char *s, size_t n, uint32_t id)
{
	uint32_t st = 0, t;
	size_t i;

	if (n == 0 || ac->built)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = lower((unsigned char)s[i]);

		if ((t = child(ac, st, c)) == 0)
			t = add_child(ac, st, c);
		st = t;
	}
	if (ac->nids == ac->capids) {
		ac->capids = ac->capids ? ac->capids * 2 : 64;
		ac->ids = wz_reallocarray(ac->ids, ac->capids,
		    sizeof(*ac->ids));
		ac->idnode = wz_reallocarray(ac->idnode, ac->capids,
		    sizeof(*ac->idnode));
	}
	ac->ids[ac->nids] = id;
	ac->idnode[ac->nids++] = st;
	return 0;
}

size_t
wz_ac_npatterns(const struct wz_ac *ac)
{
	return ac->nids;
}

size_t
wz_ac_nstates(const struct wz_ac *ac)
{
	return ac->nnodes;
}

static void
da_grow(struct wz_ac *ac, size_t need)
{
	size_t n = ac->nda, i;

	if (need <= n)
		return;
	while (n < need)
		n = n ? n * 2 : 1024;
	ac->da = wz_reallocarray(ac->da, n, sizeof(*ac->da));
	ac->skip = wz_reallocarray(ac->skip, n, sizeof(*ac->skip));
	for (i = ac->nda; i < n; i++) {
		ac->da[i].base = 0;
		ac->da[i].check = -1;
		ac->skip[i] = 0;
	}
	ac->nda = n;
}

/*
 * The first free slot at or after x.  skip[] holds, for a taken slot, a
 * slot at or before the next free one, so runs of taken slots are
 * crossed in a jump or two (with path compression).
 */
static size_t
free_from(struct wz_ac *ac, size_t x)
{
	size_t y, z, nz;

	if (x + 257 > ac->nda)
		da_grow(ac, x + 257);
	for (y = x; ac->da[y].check != -1; y = ac->skip[y] > y ?
	    ac->skip[y] : y + 1)
		if (y + 258 > ac->nda)
			da_grow(ac, y + 258);
	for (z = x; z < y; z = nz) {
		nz = ac->skip[z] > z ? ac->skip[z] : z + 1;
		ac->skip[z] = (uint32_t)y;
	}
	return y;
}

/*
 * Place every node in the double array, breadth first; pos[] gets each
 * node's slot.  The root is slot 0 and no node's child.
 */
static void
da_place(struct wz_ac *ac, const uint32_t *queue, size_t nq, uint32_t *pos)
{
	unsigned char cs[256];
	size_t i, k, nc, b, q, from = 1;
	uint32_t s, e;

	da_grow(ac, 512);
	ac->da[0].check = INT32_MAX;	/* taken, and never a match */
	for (i = 0; i <= nq; i++) {
		s = i == 0 ? 0 : queue[i - 1];
		nc = 0;
		for (e = ac->nodes[s].first; e != 0; e = ac->edges[e].next)
			cs[nc++] = ac->edges[e].c;
		if (nc == 0)
			continue;
		/*
		 * The first base whose slots for these bytes are all free:
		 * try the free slots from the first one on as the first
		 * byte's, jumping over taken runs with nextfree.
		 */
		from = free_from(ac, from);
		for (q = from;; q = free_from(ac, q + 1)) {
			if (q < (size_t)cs[0] + 1)
				continue;
			b = q - cs[0];
			da_grow(ac, b + 257);
			for (k = 1; k < nc; k++)
				if (ac->da[b + cs[k]].check != -1)
					break;
			if (k == nc)
				break;
		}
		if (b + 256 >= INT32_MAX)
			wz_die(EX_SOFTWARE, NULL, 0, "prefilter: too large");
		ac->da[pos[s]].base = (int32_t)b;
		for (e = ac->nodes[s].first; e != 0; e = ac->edges[e].next) {
			pos[ac->edges[e].to] = (uint32_t)(b + ac->edges[e].c);
			ac->da[b + ac->edges[e].c].check = (int32_t)pos[s];
		}
	}
}

void
wz_ac_build(struct wz_ac *ac)
{
	uint32_t *queue, *own, *grouped, *total, *pos, s, t, f, e;
	size_t head = 0, tail = 0, i, c, nolist = 0;

	if (ac->built)
		return;
	ac->built = 1;
	for (c = 0; c < 256; c++)
		ac->fold[c] = lower((unsigned char)c);

	/* Own ids grouped by node: own[s] .. own[s + 1]. */
	own = wz_calloc(ac->nnodes + 1, sizeof(*own));
	for (i = 0; i < ac->nids; i++)
		own[ac->idnode[i] + 1]++;
	for (s = 0; s < ac->nnodes; s++)
		own[s + 1] += own[s];
	grouped = wz_calloc(ac->nids + 1, sizeof(*grouped));
	total = wz_calloc(ac->nnodes, sizeof(*total));
	for (i = 0; i < ac->nids; i++)
		grouped[own[ac->idnode[i]] + total[ac->idnode[i]]++] =
		    ac->ids[i];

	/* Breadth first: failure links, and how many outputs each has. */
	queue = wz_reallocarray(NULL, ac->nnodes, sizeof(*queue));
	for (e = ac->nodes[0].first; e != 0; e = ac->edges[e].next) {
		ac->nodes[ac->edges[e].to].fail = 0;
		queue[tail++] = ac->edges[e].to;
	}
	total[0] = 0;
	while (head < tail) {
		s = queue[head++];
		total[s] = own[s + 1] - own[s] + total[ac->nodes[s].fail];
		for (e = ac->nodes[s].first; e != 0; e = ac->edges[e].next) {
			unsigned char ch = ac->edges[e].c;

			t = ac->edges[e].to;
			for (f = ac->nodes[s].fail;; f = ac->nodes[f].fail) {
				uint32_t g = child(ac, f, ch);

				if (g != 0 && g != t) {
					ac->nodes[t].fail = g;
					break;
				}
				if (f == 0) {
					ac->nodes[t].fail = 0;
					break;
				}
			}
			queue[tail++] = t;
		}
	}

	pos = wz_calloc(ac->nnodes, sizeof(*pos));
	da_place(ac, queue, tail, pos);

	/* Per slot: failure slot and outputs (own, then the failure's). */
	ac->fail = wz_calloc(ac->nda, sizeof(*ac->fail));
	ac->out = wz_calloc(2 * ac->nda, sizeof(*ac->out));
	for (i = 0; i < tail; i++)
		nolist += total[queue[i]];
	ac->olist = wz_calloc(nolist + 1, sizeof(*ac->olist));
	nolist = 0;
	for (i = 0; i < tail; i++) {
		s = queue[i];
		f = ac->nodes[s].fail;
		ac->fail[pos[s]] = pos[f];
		ac->out[2 * pos[s]] = (uint32_t)nolist;
		ac->out[2 * pos[s] + 1] = total[s];
		memcpy(&ac->olist[nolist], &grouped[own[s]],
		    (own[s + 1] - own[s]) * sizeof(*ac->olist));
		nolist += own[s + 1] - own[s];
		memcpy(&ac->olist[nolist], &ac->olist[ac->out[2 * pos[f]]],
		    total[f] * sizeof(*ac->olist));
		nolist += total[f];
	}
	/* The scan's cells: the slot, its failure and its outputs. */
	ac->cells = wz_calloc(ac->nda, sizeof(*ac->cells));
	ac->clist = wz_calloc(nolist + tail + 2, sizeof(*ac->clist));
	nolist = 1;
	for (i = 0; i < ac->nda; i++) {
		ac->cells[i].base = ac->da[i].base;
		ac->cells[i].check = ac->da[i].check;
		ac->cells[i].fail = ac->fail[i];
		if (ac->out[2 * i + 1] == 0)
			continue;
		ac->cells[i].out = (uint32_t)nolist;
		ac->clist[nolist++] = ac->out[2 * i + 1];
		memcpy(&ac->clist[nolist], &ac->olist[ac->out[2 * i]],
		    ac->out[2 * i + 1] * sizeof(*ac->clist));
		nolist += ac->out[2 * i + 1];
	}
	free(ac->da);
	ac->da = NULL;
	free(ac->fail);
	ac->fail = NULL;
	free(ac->out);
	ac->out = NULL;
	free(ac->olist);
	ac->olist = NULL;
	free(queue);
	free(total);
	free(own);
	free(grouped);
	free(pos);
	free(ac->idnode);
	ac->idnode = NULL;
	free(ac->skip);
	ac->skip = NULL;
	free(ac->nodes);
	ac->nodes = NULL;
	free(ac->edges);
	ac->edges = NULL;
}

size_t
wz_ac_scan(const struct wz_ac *ac, const char *s, size_t n, uint64_t *hits,
    uint32_t *list, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	const struct cell *da = ac->cells;
	const uint32_t *o;
	uint32_t st = 0, t, id, k, no;
	size_t i, nl = 0;

	if (!ac->built || ac->nids == 0)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned c = ac->fold[p[i]];

		for (;;) {
			t = (uint32_t)da[st].base + c;
			if (da[t].check == (int32_t)st) {
				st = t;
				break;
			}
			if (st == 0)
				break;
			st = da[st].fail;
		}
		if (da[st].out == 0)
			continue;
		o = &ac->clist[da[st].out];
		for (k = 0, no = o[0]; k < no; k++) {
			id = o[1 + k];
			if (hits[id >> 6] & (1ULL << (id & 63)))
				continue;
			hits[id >> 6] |= 1ULL << (id & 63);
			if (nl < max)
				list[nl++] = id;
		}
	}
	return nl;
}

void
wz_ac_free(struct wz_ac *ac)
{
	if (ac == NULL)
		return;
	free(ac->nodes);
	free(ac->edges);
	free(ac->ids);
	free(ac->idnode);
	free(ac->da);
	free(ac->skip);
	free(ac->fail);
	free(ac->out);
	free(ac->olist);
	free(ac->cells);
	free(ac->clist);
	free(ac);
}
