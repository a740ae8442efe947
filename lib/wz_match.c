/*
 * wz_match.c - see wz_match.h.
 *
 * The ruleset's conditions are compiled into a tree of our own (struct
 * mcond) that carries what a row needs: the bound column of each field,
 * the resolved right side of each comparison, the prefilter id of each
 * text condition.  Articles split into units (one per case); each unit
 * knows which prefilter ids it needs (at least one of them must be found
 * in the text for the unit to hold), so a row only visits the units its
 * text can reach plus those that need no text at all, and of those only
 * the ones whose gate (build_gates(): prefilter ids and field tests, one
 * of which must hold) opens.
 *
 * A prefilter id is set for a row when each of its pattern's clauses has
 * a literal in the text (candidates()).  Field tests are kept per field
 * value (struct vslot, struct vres).  Nothing of this changes a result:
 * --no-prefilter turns all of it off, and tests/unit/test_match.c checks
 * that the two agree on every example of rules/.  Per row there is no
 * allocation once the buffers have grown.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wz_base.h"
#include "wz_ac.h"
#include "wz_ledger.h"
#include "wz_match.h"
#include "wz_num.h"
#include "wz_text.h"

#define MAXPOSTS	8	/* posts one title cell may name */
#define UNIT_GB		4	/* group bits a unit keeps at hand */
#define PCACHE		1024	/* title cache entries (direct mapped) */
#define PCACHE_TITLE	120	/* longest title kept in the cache */
#define VSLOTS		64	/* cached values per field (direct mapped) */
#define VRAW		48	/* longest cell kept there */
#define VNORM		96	/* longest normal form kept there */
#define VWINDOW		1024	/* lookups over which a field's hits count */
#define VSKIP		15360	/* rows past the slots after a poor window */
#define NO_DATE_LO	0L
#define NO_DATE_HI	99991231L

/* Fields every row may need, at fixed indices. */
enum { F_TITLE, F_DATE, F_FOUND, F_YEAR };

/*
 * A field's recent values: a cell and its normal form.  Field columns
 * repeat a few values (核查结果 is 属实 or 不属实 ...), so the normal form
 * is looked up rather than made, and a field pattern's result is kept per
 * value (struct leaf).  gen is unique to each value a slot ever held.
 */
struct vslot {
	uint64_t	 h;		/* 0: empty */
	unsigned long	 gen;
	size_t		 rawlen, normlen;
	char		 raw[VRAW];
	char		 norm[VNORM];
};

struct field {
	char		*name;		/* canonical field or literal header */
	char		*optcol;	/* --field NAME=COL, else NULL */
	int		 col;		/* bound column or -1 */
	enum wz_numkind	 kind;
	unsigned long	 nstamp;	/* row of the cached normal form */
	const char	*nptr;		/* normal form: in a slot or the row, */
	size_t		 noff, nlen;	/* else (nptr NULL) in m->arena */
	struct vslot	*vs;		/* VSLOTS, made on first use */
	int		 vslot;		/* this row's value's slot, or -1 */
	unsigned long	 vgen;		/* and its gen */
	unsigned	 vtries, vhits;	/* the slots' lookups and hits */
	unsigned long	 vskip;		/* rows to go past the slots */
	unsigned long	 vstamp;	/* row of the cached number */
	int		 vok;
	double		 v;
};

/* A literal of a field pattern's clauses. */
struct rlit {
	char		*s;
	size_t		 n;
	int		 alpha;		/* holds ASCII letters: fold */
};

struct mcond {
	/* What eval() and a row's patterns read, first, and the node on
	 * a cache line of its own (mcblock): one line a visit, not two. */
	_Alignas(64) enum wz_cond_kind kind;	/* c->kind, without a trip
						 * to c */
	int		 tid;		/* TEXT: prefilter id or -1 */
	int		 fld;		/* RE IN PRESENT; CMP: field or -1 */
	int		 leaf;		/* TEXT, RE: shared result slot or -1 */
	struct mcond	**kids;
	size_t		 nkids;
	struct ksum	*ks;		/* ALL, ANY, NOT: per kid, build_ksums() */
	const struct wz_cond *c;
	double		 rhs;		/* CMP */
	int		 rhs_ok;
	int		 hid;		/* HISTORY */
	struct rlit	*rlits;		/* RE: required literal clauses */
	size_t		*rcl;		/* clause i: rlits[rcl[i], rcl[i+1]) */
	size_t		 nrcl;
	/* Prefilter ids of which one must be found for this condition to
	 * hold, in m->ndv; nd_n < 0: none is needed. */
	size_t		 nd_off;
	int		 nd_n;
	int		 late;		/* needs captures: CMP or HISTORY inside */
	const char	*owner;		/* "tongwei2017:4.8" for messages */
};

/*
 * What an `all`, `any` or `not` asks of each part before it evaluates
 * one, kept in the parent (build_ksums()), so a part that cannot hold is
 * passed over without a visit: the part's need (nd_n, nd_off; t0 the
 * first prefilter id of it) and whether it is a field test
 * (field_false()).
 */
struct ksum {
	int32_t		 nd_n;
	uint32_t	 t0, nd_off;
	uint8_t		 ff;		/* a field test without named groups:
					 * field_holds() says if it can hold */
};

/* A field pattern's result for the value of a field's slot. */
struct vres {
	unsigned long	 gen;		/* the slot's gen; 0: none */
	int		 res;
	size_t		 s, e;
};

struct leaf {
	int		 fld;		/* -1: the text */
	const char	*pattern;
	unsigned long	 stamp;		/* row of the cached result */
	int		 res;
	size_t		 s, e;		/* span of the match */
	struct vres	*vres;		/* field patterns: per slot, VSLOTS */
	uint64_t	 h;		/* of fld and pattern (leaf_intern) */
	int		 tid;		/* text: its prefilter id, or -1 */
	struct wz_rx	*rx;		/* text with named groups: the rx, */
	size_t		*ns;		/* and their spans in the match
					 * (start (size_t)-1: unset) */
};

/* While compiling: the clauses and leading literals of each text
 * condition. */
struct tclauses {
	const char	*pattern;
	struct wz_rx_clause *c;
	size_t		 n;
	char		**pfx;
	size_t		 npfx;
	char		**sfx;		/* trailing literals */
	size_t		 nsfx;
	size_t		*ord;		/* clause i's place in the pattern */
	struct wz_rx_clause **bc;	/* top-level branches: clauses, */
	size_t		*nbc;		/* in order */
	size_t		 nb;
};

static void
tclauses_free(struct tclauses *tc)
{
	size_t i;

	wz_rx_clauses_free(tc->c, tc->n);
	for (i = 0; i < tc->npfx; i++)
		free(tc->pfx[i]);
	free(tc->pfx);
	for (i = 0; i < tc->nsfx; i++)
		free(tc->sfx[i]);
	free(tc->sfx);
	free(tc->ord);
	for (i = 0; i < tc->nb; i++)
		wz_rx_clauses_free(tc->bc[i], tc->nbc[i]);
	free(tc->bc);
	free(tc->nbc);
}

/* Conditions are allocated in blocks, so a tree sits close in memory. */
#define MC_BLOCK 128
struct mcblock {
	struct mcblock	*next;
	size_t		 n;
	struct mcond	 v[MC_BLOCK];
};

struct ginfo {
	const struct wz_group *g;
	size_t		 bit;		/* its bit in m->postg and m->rowg */
};

/*
 * Two cache lines (the array is aligned: align_units()): what a row's
 * evaluation reads, then the gate and the exclusion's per-row result.
 * The group bits (groups[i]->bit, the first UNIT_GB) and the dates of
 * the article's document in force (docinfo) are copied here, where a
 * row reads them.
 */
struct unit {
	size_t		 art;		/* index in m->arts; (size_t)-1: exclusion */
	const struct wz_case *cs;
	struct mcond	*cond;
	struct ginfo	**groups;
	size_t		 ngroups;
	uint32_t	 gb[UNIT_GB];
	int32_t		 eff, until;
	size_t		 goff, gn;	/* gate: atoms in m->gatev, tids */
	size_t		 gtids;		/* first */
	int		 gfld;		/* the field of all its field tests */
	int		 gval;		/* gfld's slot of gen ggen */
	unsigned long	 ggen;		/* their result for the value of */
	const struct wz_exclusion *ex;
	unsigned long	 xstamp;	/* exclusion: evaluated in this row */
	int		 xval;
} __attribute__((aligned(64)));

struct docinfo {
	const struct wz_doc *d;
	long		 eff, until;
	struct ginfo	*groups;
	size_t		 ngroups;
	size_t		*excl;		/* unit indices of its exclusions */
	size_t		 nexcl;
};

struct mart {
	const struct wz_article *art;
	const char	*encs;		/* id and text encoded for m->enc_w */
	size_t		 encn;
	struct docinfo	*doc;
	struct mcond	**sev;		/* severity_when, compiled */
	size_t		 nsev;
};

struct hist {
	const struct wz_cond *c;
	struct mcond	*inner;
	int		*keys;		/* field indices */
	size_t		 nkeys;
	int		 years;
	const char	*owner;
};

struct hent {
	uint64_t	 h;
	int		 hid, year;
	size_t		 koff, klen, eoff, elen;
};

/* A history table: (history condition, key, year) -> evidence. */
struct htab {
	struct hent	*ents;
	size_t		 n, cap;
	size_t		*slots;
	size_t		 nslots;
	struct wz_buf	 str;
};

static void	htab_free(struct htab *);

struct cap {
	const char	*name;
	size_t		 voff, vlen;	/* text in acc.cb */
	int		 ok;
	double		 num;
};

/*
 * An evidence item: bytes eb[a, a + b), or with text set the span [a, b)
 * of the normalised text, turned into the user's words (wz_norm_span())
 * only when a citation is written.  Repeats are dropped then too.
 */
struct evi {
	size_t		 a, b;
	int		 text;
};

/* An evidence item as written, while joining. */
struct evs {
	const char	*p;
	size_t		 n;
};

struct acc {
	struct cap	*caps;
	size_t		 ncaps, capcaps, cap0;
	struct evi	*ev;		/* evidence items */
	size_t		 nev, capev;
	struct evs	*evs;		/* ev_join()'s */
	size_t		 capevs;
	struct wz_buf	 cb, eb, xb;	/* capture texts, evidence, explain */
};

struct mark {
	size_t		 ncaps, cblen, nev, eblen, xblen;
};

#define PENT_GW		2	/* group words kept in a title's entry */
struct pent {
	uint64_t	 h;
	unsigned char	 tlen, state, n;	/* read first: with h */
	char		 title[PCACHE_TITLE + 1];
	const struct wz_post *p[MAXPOSTS];
	uint64_t	 g[PENT_GW];	/* m->rowg, when m->ngw <= PENT_GW */
};

enum { P_MISSING, P_KNOWN, P_UNKNOWN, P_FAILED };

struct cit {
	size_t		 art;
	size_t		 evoff, vaoff, caoff, xoff;	/* NUL-terminated in m->cb */
	const char	*group, *glabel;
	enum wz_severity sev;
};

/*
 * What every citation of an article or group repeats, encoded for one
 * writer (wz_matcher_write_citation()): an article's id and text, keyed
 * by the article; a severity's code or label and a group's id or label,
 * keyed by the string (they are the rules' and wz_severity_code()'s).
 */
struct encent {
	const void	*key;
	char		*s;
	size_t		 n;
};

/* Where a tid's units are, while the matcher is made and bound (a row
 * reads them from the tid's record, trec). */
struct tidrow {
	uint32_t	 tu, ntu;	/* units needing it, in tu_list */
	uint32_t	 tg, ntg;	/* those, then the gated units it
					 * opens, in tg_list (bound) */
};

/* A tid anchored on a literal, and where its record is in trec. */
struct ltent {
	uint32_t	 tid;		/* LT_END: the literal's last */
	uint32_t	 rec;
};
#define LT_END	UINT32_MAX

/*
 * Gated units whose gates test one field (gfld), together: which of
 * them open for a value of the field is kept (gate_open() of each), so
 * a row whose value was seen reads that word and not every gate.
 */
struct gfield {
	int		 fld;		/* -1: gates of several fields */
	size_t		 from, to;	/* its units in m->gated, <= 64 */
	/* Per value slot of the field (a column alternates between a few
	 * values: 属实 and 查无实据), which units open for the value of gen
	 * (0: none): bit i for m->gated[from + i]. */
	unsigned long	 gen[VSLOTS];
	uint64_t	 open[VSLOTS];
};

/* A capture's number (cap_value()). */
#define NUMMEMO		4096
#define NUMMEMO_LEN	30
struct nment {
	unsigned char	 len;		/* the text's length + 1; 0: empty */
	unsigned char	 kind, ok;
	char		 s[NUMMEMO_LEN];
	double		 v;
};

struct wz_matcher {
	const struct wz_ruleset *rs;
	/*
	 * The writer's encoding of what repeats in the output: the input
	 * row (once per row, for its citations) and the articles' and
	 * groups' fields (once per run), for the writer enc_w.
	 */
	const struct wz_writer *enc_w;
	struct wz_enc	 rowenc;
	unsigned long	 rowenc_stamp;
	struct encent	*enc;		/* open addressing by key */
	size_t		 nenc, nencused;	/* slots (a power of two), used */
	struct encent	 sevenc[2][4];	/* severity's code, label: by value */
	struct wz_match_opts o;
	struct wz_aliases al;

	struct field	*fields;
	size_t		 nfields;
	struct mart	*arts;
	size_t		 narts;
	struct unit	*units;
	size_t		 nunits, nau;	/* [0, nau): articles' units */
	struct docinfo	*docs;
	size_t		 ndocs;
	size_t		 ngroupbits, ngw;
	uint64_t	*postg;		/* per post: the groups it is in */
	uint64_t	*rowg;		/* the groups of the row's posts */
	size_t		*common;	/* units of common.yaml exclusions */
	size_t		 ncommon;
	struct hist	*hists;
	size_t		 nhists;
	struct mcblock	*mcb;

	/*
	 * Prefilter.  Each text condition with required literals has a
	 * prefilter id (tid) and one or more clauses (wz_rx_clauses()): it
	 * can hold only if every clause has one of its literals in the
	 * text.  The automaton reports distinct literals.  One clause of
	 * each tid, the one least likely to be in a text, is its anchor: a
	 * literal maps to the tids whose anchor holds it, and only those
	 * tids have their other clauses looked up in the row's literals.
	 * Which clause is least likely is first guessed from the literals'
	 * lengths, then learnt from how often each literal was found
	 * (adapt_anchors()); results do not depend on the choice.
	 */
	struct wz_ac	*ac;
	const void	*acells;	/* wz_ac_walk_cells(), once built */
	size_t		 ntids;
	struct tidrow	*trow;
	size_t		*tu_list;
	/*
	 * What cand_tids() reads of a tid, in one place (a row visits a
	 * dozen tids of hundreds: a cache line or two each, not one per
	 * array).  Its record: the number of words of its clauses after
	 * the anchor, those clauses (per clause its number of literals,
	 * then the literals, the ones found most often first), the number
	 * of units it makes candidates, those units (its tg_list, once
	 * bound).
	 */
	uint32_t	*trec;
	uint64_t	*tbits;		/* this row's prefilter ids */
	uint32_t	*tlist;
	size_t		 ntlist;
	struct tclauses	*tcl;		/* while compiling, per tid */
	size_t		*tc_start;	/* tid -> its clauses, anchor first */
	uint32_t	*tc_list;
	size_t		 ncl;
	size_t		*cl_start;	/* clause -> literals, in cl_lits */
	uint32_t	*cl_lits;
	/*
	 * Leading literals (wz_rx_prefixes()): a tid's pattern can only
	 * match from the first place one of them is found (lat[].first:
	 * where each literal's first occurrence ends), so the search
	 * starts there.
	 */
	size_t		*tp_start;	/* tid -> its leading literals */
	uint32_t	*tp_list;
	/*
	 * Trailing literals (wz_rx_suffixes()): a match of a tid's pattern
	 * ends where one of them ends, so the text after the last place
	 * one does (lat[].last) is not handed to PCRE2, whose greedy repeats
	 * ([^。;]{0,20}) would run into it and back out again.
	 */
	size_t		*ts_start;	/* tid -> its trailing literals */
	uint32_t	*ts_list;
	size_t		*llen;		/* literal -> its length */
	/* Literal -> where it was found in the row's text: 32-bit offsets
	 * and both in one place (wz_ac.h), as the automaton writes them
	 * and text_bounds() reads them.  nopos: they do not hold for this
	 * row (the text was not scanned, or is longer than 32 bits, which
	 * only limits raised by hand allow: --max-row). */
	struct wz_ac_end *lat;
	int		 nopos;
	/* What cand_tids() reads and writes of each literal found is in
	 * its lat[], in the cache line the automaton has just written
	 * (wz_ac.h): its aux. */
#define LT_OFF	aux[0]
#define LSEEN	aux[1]
	/*
	 * Clauses are in the order of the pattern's sequence
	 * (wz_rx_clauses()): a tid's pattern can match only if its clauses'
	 * literals were found in that order too (in_order(); lat[].last:
	 * where each literal's last occurrence ends).
	 */
	uint32_t	*tq_list;	/* tid -> its clauses, in order */
	/* A tid's top-level branches (tb_start, empty if not checked), a
	 * branch's clauses in order (bq_start, bq_list: clause ids after
	 * the tids' own). */
	size_t		*tb_start, *bq_start;
	uint32_t	*bq_list;
	/*
	 * The above (from tp_start to bq_list, and llen) are read while
	 * compiling; a row reads what it needs of them in one walk over
	 * the tid's record in tpos, from tpos_off[tid] (pos_record()), not
	 * in four walks over a dozen arrays.
	 */
	uint32_t	*tpos;
	size_t		*tpos_off;
	/*
	 * A tid whose pattern is only literal alternatives (literal_alts():
	 * (错评|漏评|...)) is answered from where the automaton found them,
	 * not by PCRE2 (alt_match()): from talt_off[tid] in talt (0: not
	 * such a tid) their number, then each as its literal's id and
	 * length, in the pattern's order.
	 */
	uint32_t	*talt;
	size_t		*talt_off;
	size_t		 nlits;
	/* Literal l -> the tids anchored on it: lt_ent[lat[l].LT_OFF] to
	 * an LT_END; LT_OFF 0: none (most of a row's literals). */
	struct ltent	*lt_ent;
	uint64_t	*lbits;
	uint32_t	*llist;
	size_t		 nllist;
	/* Per literal, lat[l].LSEEN: rows it was found in, while
	 * adaptations are to come. */
	unsigned long	 nseen, next_adapt;	/* rows scanned */
	size_t		*ndv;		/* the conditions' needs */
	size_t		 nndv;
	uint64_t	*abits;		/* the always-units */
	uint64_t	*pbits;		/* units that can hold with this header */
	/*
	 * Gates (bound with the header): an always-unit can often hold only
	 * if one of a few cheap tests does, text prefilter ids or a field
	 * test (核查结果 ~ /不予立案/, a column present ...) whose result is
	 * kept per field value.  An atom is a tid, or m->ntids + an index
	 * in m->gatoms.  Units gated are left out of gbits.
	 */
	uint64_t	*gbits;		/* always-units without a gate */
	/* The gated units whose gate has field tests, the ones a row
	 * walks: a gate of tids alone opens only through tg_list. */
	size_t		*gated;
	size_t		 ngated;
	struct gfield	*gf;		/* m->gated by field (gate_tids()) */
	size_t		 ngf;
	/* The units each tid makes candidates (trow): its tu_list, then
	 * the gated units it opens; unit indices. */
	uint32_t	*tg_list;
	size_t		*gatev;
	size_t		 ngatev;
	const struct mcond **gatoms;
	size_t		 ngatoms;
	uint64_t	*cbits;		/* this row's candidate units */
	size_t		 nuwords;

	/*
	 * Leaves: one result slot per distinct (subject, pattern) without
	 * named groups, so a pattern that several rules repeat (the
	 * exclusions' "属实") runs once per row.
	 */
	struct leaf	*leaves;
	size_t		 nleaves;
	size_t		*lhash;		/* while compiling: leaf + 1 by h */
	size_t		 nlhash;
	unsigned long	 vgen;		/* the last vslot gen given */

	/* The bound input. */
	char		*name;
	char		**hnames;
	size_t		 nhnames;
	int		*tcols;
	size_t		 ntcols;

	/* The row. */
	const struct wz_row *row;
	unsigned long	 stamp;
	struct wz_norm	*nm_text, *nm_fld;
	struct wz_buf	 join, arena, kb, caseb;
	const char	*text, *raw;
	size_t		 tlen, rawlen;
	int		 text_done;
	int		 nofilter;	/* history pass: run every regex */
	size_t		*cand;
	size_t		 ncand;
	int		 posts_done, pstate;
	const struct wz_post *posts[MAXPOSTS];
	size_t		 nposts;
	const char	*title_raw;
	int		 date_done;
	long		 dfrom, dto;
	int		 year_done, year;
	int		 rejected, unknown_post, reported, doc_excluded;
	int		 hist_problem;	/* a history pass row was not fully read */
	const char	*excluded_by;
	struct acc	 acc;
	/* The last span ev_join() turned into the user's words, its row. */
	size_t		 sp_a, sp_b, sp_from, sp_to;
	unsigned long	 sp_stamp;
	struct cit	*cits;
	size_t		 ncits, capcits;
	struct wz_buf	 cb;
	struct wz_citation *pub;
	size_t		 cappub;
	struct pent	*pcache;
	struct nment	*nummemo;	/* NUMMEMO, made on first use */

	/* History tables: the first pass's, and the ledgers' (keyed by
	 * the unit's name, wz_matcher_ledgers()). */
	struct htab	 ht, lt;
};

/* ------------------------------------------------------------------ */
/* Small helpers. */

static int
is_blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			break;
	if (i == n)
		return 1;
	/* U+3000 alone counts as blank too. */
	for (i = 0; i + 3 <= n; i += 3)
		if (memcmp(s + i, "\xe3\x80\x80", 3) != 0)
			return 0;
	return i == n;
}

static const char *
hname(const struct wz_matcher *m, int col)
{
	return (col >= 0 && (size_t)col < m->nhnames) ? m->hnames[col] : "";
}

static int
field_find(const struct wz_matcher *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nfields; i++)
		if (strcmp(m->fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int
field_get(struct wz_matcher *m, const char *name)
{
	int i = field_find(m, name);

	if (i >= 0)
		return i;
	m->fields = wz_reallocarray(m->fields, m->nfields + 1,
	    sizeof(*m->fields));
	memset(&m->fields[m->nfields], 0, sizeof(m->fields[0]));
	m->fields[m->nfields].name = wz_strdup(name);
	m->fields[m->nfields].col = -1;
	m->fields[m->nfields].kind = wz_num_kind(name);
	return (int)m->nfields++;
}

/* ISO date "YYYY-MM-DD" of a rule file -> yyyymmdd, or dflt. */
static long
iso_day(const char *s, long dflt)
{
	int y, mo, d;

	if (s == NULL || sscanf(s, "%4d-%2d-%2d", &y, &mo, &d) != 3)
		return dflt;
	return (long)y * 10000 + mo * 100 + d;
}

static int
month_days(int y, int mo)
{
	static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31 };

	if (mo == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return md[mo - 1];
}

/* Read up to max digits at s[*i]; returns how many. */
static int
digits(const char *s, size_t n, size_t *i, int max, int *v)
{
	int k = 0;

	*v = 0;
	while (*i < n && k < max && s[*i] >= '0' && s[*i] <= '9') {
		*v = *v * 10 + (s[*i] - '0');
		(*i)++;
		k++;
	}
	return k;
}

static size_t
word(const char *s, size_t n, size_t i, const char *w)
{
	size_t l = strlen(w);

	return (n - i >= l && memcmp(s + i, w, l) == 0) ? l : 0;
}

/*
 * A date cell (normalised: ASCII digits) -> the days it covers, as
 * yyyymmdd: 2018-05-03, 2018/5/3, 2018.5.3, 2018年5月3日, 20180503,
 * 2018-05, 2018年5月, 2018, 2018年, 2018年度; a time after the date is
 * ignored.  Returns 0, or -1 if s is no date.
 */
static int
parse_date(const char *s, size_t n, long *from, long *to)
{
	size_t i = 0, l;
	int y, mo = 0, d = 0, k;

	/* The common form at once: 2018-05-03, as the steps below read it. */
	if (n == 10 && s[4] == '-' && s[7] == '-' &&
	    (unsigned)(s[0] - '0') < 10 && (unsigned)(s[1] - '0') < 10 &&
	    (unsigned)(s[2] - '0') < 10 && (unsigned)(s[3] - '0') < 10 &&
	    (unsigned)(s[5] - '0') < 10 && (unsigned)(s[6] - '0') < 10 &&
	    (unsigned)(s[8] - '0') < 10 && (unsigned)(s[9] - '0') < 10) {
		y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 +
		    (s[2] - '0') * 10 + (s[3] - '0');
		mo = (s[5] - '0') * 10 + (s[6] - '0');
		d = (s[8] - '0') * 10 + (s[9] - '0');
		i = n;
		goto check;
	}
	k = digits(s, n, &i, 8, &y);
	if (k == 8) {
		d = y % 100;
		mo = y / 100 % 100;
		y /= 10000;
		goto check;
	}
	if (k != 4)
		return -1;
	if ((l = word(s, n, i, "年度")) > 0 || (l = word(s, n, i, "年")) > 0)
		i += l;
	else if (i < n && (s[i] == '-' || s[i] == '/' || s[i] == '.'))
		i++;
	else
		goto check;
	if (i == n || s[i] < '0' || s[i] > '9')
		goto check;
	if (digits(s, n, &i, 2, &mo) == 0)
		return -1;
	if ((l = word(s, n, i, "月")) > 0)
		i += l;
	else if (i < n && (s[i] == '-' || s[i] == '/' || s[i] == '.'))
		i++;
	else
		goto check;
	if (i == n || s[i] < '0' || s[i] > '9')
		goto check;
	if (digits(s, n, &i, 2, &d) == 0)
		return -1;
	if ((l = word(s, n, i, "日")) > 0 || (l = word(s, n, i, "号")) > 0)
		i += l;
check:
	/* A time may follow: "2018-05-03 10:00", "2018-05-03T10:00:00". */
	if (i < n && d > 0 && (s[i] == ' ' || s[i] == 'T'))
		i = n;
	if (i != n || y < 1900 || y > 2199 || mo > 12 || (d > 0 && mo == 0))
		return -1;
	if (mo == 0) {
		*from = (long)y * 10000 + 101;
		*to = (long)y * 10000 + 1231;
		return 0;
	}
	if (mo < 1 || d > month_days(y, mo))
		return -1;
	if (d == 0) {
		*from = (long)y * 10000 + mo * 100 + 1;
		*to = (long)y * 10000 + mo * 100 + month_days(y, mo);
		return 0;
	}
	if (d < 1)
		return -1;
	*from = *to = (long)y * 10000 + mo * 100 + d;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Compiling the ruleset. */

static struct mcond *
compile(struct wz_matcher *m, const struct wz_cond *c, const struct wz_doc *d,
    const char *owner);

/* Give a pattern its shared result slot: a text pattern, or a field's
 * without named groups (their captures are read off the rx). */
static void
leaf_intern(struct wz_matcher *m, struct mcond *mc, int fld)
{
	size_t i, k, mask;
	uint64_t h;
	struct leaf *l;

	if (mc->c->rx == NULL || (fld >= 0 && wz_rx_nnames(mc->c->rx) > 0))
		return;
	h = wz_hash(mc->c->pattern, strlen(mc->c->pattern)) ^
	    ((uint64_t)(unsigned)fld * 0x9e3779b97f4a7c15ULL);
	mask = m->nlhash - 1;
	for (k = h & mask; m->nlhash > 0 && m->lhash[k] != 0;
	    k = (k + 1) & mask) {
		l = &m->leaves[m->lhash[k] - 1];
		if (l->h == h && l->fld == fld &&
		    strcmp(l->pattern, mc->c->pattern) == 0) {
			mc->leaf = (int)(m->lhash[k] - 1);
			return;
		}
	}
	/* Room for twice as many at each power of two. */
	if ((m->nleaves & (m->nleaves - 1)) == 0)
		m->leaves = wz_reallocarray(m->leaves, m->nleaves ?
		    2 * m->nleaves : 1, sizeof(*m->leaves));
	l = &m->leaves[m->nleaves];
	memset(l, 0, sizeof(*l));
	l->fld = fld;
	l->pattern = mc->c->pattern;
	l->h = h;
	l->tid = -1;
	if (wz_rx_nnames(mc->c->rx) > 0) {
		l->rx = mc->c->rx;
		l->ns = wz_calloc(2 * wz_rx_nnames(l->rx), sizeof(*l->ns));
	}
	mc->leaf = (int)m->nleaves++;
	/* The table at most half full. */
	if (2 * m->nleaves > m->nlhash) {
		free(m->lhash);
		m->nlhash = m->nlhash ? 2 * m->nlhash : 256;
		m->lhash = wz_calloc(m->nlhash, sizeof(*m->lhash));
		mask = m->nlhash - 1;
		for (i = 0; i < m->nleaves; i++) {
			for (k = m->leaves[i].h & mask; m->lhash[k] != 0;
			    k = (k + 1) & mask)
				;
			m->lhash[k] = i + 1;
		}
	} else {
		for (k = h & mask; m->lhash[k] != 0; k = (k + 1) & mask)
			;
		m->lhash[k] = m->nleaves;
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Is clause a's literal set likely rarer in a text than b's? */
static int
clause_rarer(const struct wz_rx_clause *a, const struct wz_rx_clause *b)
{
	return wz_rx_rarer(a->v, a->n, b->v, b->n);
}

/* A field pattern's clauses, for has_clauses(). */
static void
re_clauses(struct mcond *mc)
{
	struct wz_rx_clause *cl;
	size_t i, k, n, nl = 0;
	const char *p;

	if ((n = wz_rx_clauses(mc->c->pattern, &cl)) == 0)
		return;
	/* The rarest first, so that a miss costs little. */
	for (i = 1; i < n; i++) {
		struct wz_rx_clause x = cl[i];

		for (k = i; k > 0 && clause_rarer(&x, &cl[k - 1]); k--)
			cl[k] = cl[k - 1];
		cl[k] = x;
	}
	mc->rcl = wz_calloc(n + 1, sizeof(*mc->rcl));
	for (i = 0; i < n; i++)
		nl += cl[i].n;
	mc->rlits = wz_calloc(nl + 1, sizeof(*mc->rlits));
	for (i = nl = 0; i < n; i++) {
		mc->rcl[i] = nl;
		for (k = 0; k < cl[i].n; k++, nl++) {
			mc->rlits[nl].s = wz_strdup(cl[i].v[k]);
			mc->rlits[nl].n = strlen(cl[i].v[k]);
			for (p = cl[i].v[k]; *p != '\0'; p++)
				if (*p >= 'a' && *p <= 'z')
					mc->rlits[nl].alpha = 1;
		}
	}
	mc->rcl[n] = nl;
	mc->nrcl = n;
	wz_rx_clauses_free(cl, n);
}

/*
 * The clauses of each top-level branch, when there are several and each
 * has some: the pattern can match only if one branch's are all in the
 * text, in order (text_branches()).
 */
static void
branch_clauses(struct tclauses *tc, const char *pattern)
{
	char **br;
	size_t nb, i;

	tc->bc = NULL;
	tc->nbc = NULL;
	tc->nb = 0;
	if ((nb = wz_rx_branches(pattern, &br)) == 0)
		return;
	tc->bc = wz_calloc(nb, sizeof(*tc->bc));
	tc->nbc = wz_calloc(nb, sizeof(*tc->nbc));
	for (i = 0; i < nb; i++) {
		tc->nbc[i] = wz_rx_clauses(br[i], &tc->bc[i]);
		tc->nb = i + 1;
		if (tc->nbc[i] == 0)
			break;
	}
	for (i = 0; i < nb; i++)
		free(br[i]);
	free(br);
	if (tc->nb < nb || tc->nbc[nb - 1] == 0) {
		/* A branch that needs no literal: nothing to check. */
		for (i = 0; i < tc->nb; i++)
			wz_rx_clauses_free(tc->bc[i], tc->nbc[i]);
		free(tc->bc);
		free(tc->nbc);
		tc->bc = NULL;
		tc->nbc = NULL;
		tc->nb = 0;
	}
}

/* Give a text condition its prefilter id and clauses, if it has any. */
static void
text_clauses(struct wz_matcher *m, struct mcond *mc)
{
	struct wz_rx_clause *cl;
	size_t n;

	/* The same pattern elsewhere: the same id. */
	if (mc->leaf >= 0 && m->leaves[mc->leaf].tid != -1) {
		mc->tid = m->leaves[mc->leaf].tid >= 0 ?
		    m->leaves[mc->leaf].tid : -1;
		return;
	}
	if ((n = wz_rx_clauses(mc->c->pattern, &cl)) == 0) {
		if (mc->leaf >= 0)
			m->leaves[mc->leaf].tid = -2;	/* none */
		return;
	}
	if (mc->leaf >= 0)
		m->leaves[mc->leaf].tid = (int)m->ntids;
	mc->tid = (int)m->ntids;
	/* Room for twice as many at each power of two. */
	if ((m->ntids & (m->ntids - 1)) == 0)
		m->tcl = wz_reallocarray(m->tcl, m->ntids ? 2 * m->ntids : 1,
		    sizeof(*m->tcl));
	m->tcl[m->ntids].pattern = mc->c->pattern;
	m->tcl[m->ntids].c = cl;
	m->tcl[m->ntids].n = n;
	m->tcl[m->ntids].npfx = wz_rx_prefixes(mc->c->pattern,
	    &m->tcl[m->ntids].pfx);
	m->tcl[m->ntids].nsfx = wz_rx_suffixes(mc->c->pattern,
	    &m->tcl[m->ntids].sfx);
	branch_clauses(&m->tcl[m->ntids], mc->c->pattern);
	m->ntids++;
}

static struct mcond *
compile(struct wz_matcher *m, const struct wz_cond *c, const struct wz_doc *d,
    const char *owner)
{
	struct mcond *mc;
	size_t i, k;

	if (m->mcb == NULL || m->mcb->n == MC_BLOCK) {
		/* Aligned as struct mcond says (calloc would not). */
		struct mcblock *b = aligned_alloc(_Alignof(struct mcblock),
		    sizeof(*b));

		if (b == NULL)
			wz_die(EX_OSERR, NULL, 0, "out of memory");
		memset(b, 0, sizeof(*b));

		b->next = m->mcb;
		m->mcb = b;
	}
	mc = &m->mcb->v[m->mcb->n++];
	mc->kind = c->kind;
	mc->c = c;
	mc->fld = -1;
	mc->tid = -1;
	mc->hid = -1;
	mc->leaf = -1;
	mc->owner = owner;
	switch (c->kind) {
	case WZ_C_TEXT:
		leaf_intern(m, mc, -1);
		text_clauses(m, mc);
		break;
	case WZ_C_RE:
	case WZ_C_IN:
	case WZ_C_PRESENT:
		mc->fld = field_get(m, c->field);
		if (c->kind == WZ_C_RE) {
			leaf_intern(m, mc, mc->fld);
			/* The loader derives literals for text conditions;
			 * a field's pattern is prefiltered the same way. */
			re_clauses(mc);
		}
		break;
	case WZ_C_CMP:
		mc->late = 1;
		mc->fld = field_get(m, c->value);
		if (c->param == NULL) {
			mc->rhs = c->num;
			mc->rhs_ok = 1;
		} else if (wz_rules_param(m->rs, d, c->param, &mc->rhs) == 0)
			mc->rhs_ok = 1;
		else
			wz_msg(c->file, c->line, "%s: no parameter '%s'; the "
			    "comparison never holds", owner, c->param);
		break;
	case WZ_C_ALL:
	case WZ_C_ANY:
	case WZ_C_NOT:
		mc->nkids = c->nkids;
		mc->kids = wz_calloc(c->nkids + 1, sizeof(*mc->kids));
		for (i = 0; i < c->nkids; i++) {
			mc->kids[i] = compile(m, c->kids[i], d, owner);
			mc->late |= mc->kids[i]->late;
		}
		/* In an `all`, what captures values goes first. */
		if (c->kind == WZ_C_ALL) {
			struct mcond **o = wz_calloc(c->nkids + 1, sizeof(*o));

			for (i = k = 0; i < c->nkids; i++)
				if (!mc->kids[i]->late)
					o[k++] = mc->kids[i];
			for (i = 0; i < c->nkids; i++)
				if (mc->kids[i]->late)
					o[k++] = mc->kids[i];
			free(mc->kids);
			mc->kids = o;
		}
		break;
	case WZ_C_HISTORY:
		mc->late = 1;
		mc->hid = (int)m->nhists;
		m->hists = wz_reallocarray(m->hists, m->nhists + 1,
		    sizeof(*m->hists));
		{
			struct hist *h = &m->hists[m->nhists++];

			memset(h, 0, sizeof(*h));
			h->c = c;
			h->owner = owner;
			h->years = c->hist_years > 0 ? c->hist_years : 1;
			h->nkeys = c->hist_key.n;
			h->keys = wz_calloc(h->nkeys + 1, sizeof(*h->keys));
			for (i = 0; i < h->nkeys; i++)
				h->keys[i] = field_get(m, c->hist_key.v[i]);
		}
		/* compile() may move m->hists: set inner afterwards.  A
		 * history of ledger_case alone has none: only the ledgers
		 * hold it. */
		{
			struct mcond *inner = c->hist_cond == NULL ? NULL :
			    compile(m, c->hist_cond, d, owner);

			m->hists[mc->hid].inner = inner;
		}
		break;
	}
	return mc;
}

/*
 * The prefilter ids of which at least one must be found for mc to hold,
 * appended to *v; returns 0 when there is no such set (the condition can
 * hold whatever the text).
 */
static int
need(const struct mcond *mc, size_t **v, size_t *n)
{
	size_t i, base = *n, best = 0, bestn = 0;
	int found = 0;

	switch (mc->kind) {
	case WZ_C_TEXT:
		if (mc->tid < 0)
			return 0;
		*v = wz_reallocarray(*v, *n + 1, sizeof(**v));
		(*v)[(*n)++] = (size_t)mc->tid;
		return 1;
	case WZ_C_ANY:
		for (i = 0; i < mc->nkids; i++)
			if (!need(mc->kids[i], v, n)) {
				*n = base;
				return 0;
			}
		return mc->nkids > 0;
	case WZ_C_ALL:
		/* The kid with the smallest set will do. */
		for (i = 0; i < mc->nkids; i++) {
			size_t before = *n;

			if (need(mc->kids[i], v, n) && (!found ||
			    *n - before < bestn)) {
				found = 1;
				best = i;
				bestn = *n - before;
			}
			*n = before;
		}
		if (!found)
			return 0;
		return need(mc->kids[best], v, n);
	default:
		return 0;
	}
}

static struct ginfo *
group_info(struct docinfo *di, const char *id)
{
	size_t i;

	for (i = 0; i < di->ngroups; i++)
		if (strcmp(di->groups[i].g->id, id) == 0)
			return &di->groups[i];
	return NULL;
}

static struct docinfo *
doc_info(struct wz_matcher *m, const struct wz_doc *d)
{
	size_t i;

	for (i = 0; i < m->ndocs; i++)
		if (m->docs[i].d == d)
			return &m->docs[i];
	return NULL;
}

static int
doc_chosen(const struct wz_match_opts *o, const struct wz_doc *d)
{
	size_t i;

	if (o->ndocs == 0)
		return 1;
	for (i = 0; i < o->ndocs; i++)
		if (strcmp(o->docs[i], d->id) == 0)
			return 1;
	return 0;
}

static size_t
add_unit(struct wz_matcher *m)
{
	struct unit *nu;

	/* Aligned as the type says: realloc would not keep it. */
	if ((m->nunits & (m->nunits - 1)) == 0) {
		if ((nu = aligned_alloc(_Alignof(struct unit), (m->nunits > 0 ?
		    2 * m->nunits : 1) * sizeof(*nu))) == NULL)
			wz_die(EX_OSERR, NULL, 0, "out of memory");
		if (m->nunits > 0)
			memcpy(nu, m->units, m->nunits * sizeof(*nu));
		free(m->units);
		m->units = nu;
	}
	memset(&m->units[m->nunits], 0, sizeof(m->units[0]));
	return m->nunits++;
}

static void
build_docs(struct wz_matcher *m)
{
	const struct wz_ruleset *rs = m->rs;
	size_t i, j, p, k, gs;

	m->docs = wz_calloc(rs->ndocs + 1, sizeof(*m->docs));
	for (i = 0; i < rs->ndocs; i++) {
		const struct wz_doc *d = rs->docs[i];
		struct docinfo *di;

		if (!doc_chosen(&m->o, d))
			continue;
		di = &m->docs[m->ndocs++];
		di->d = d;
		di->eff = iso_day(d->effective, NO_DATE_LO);
		di->until = iso_day(d->effective_until, NO_DATE_HI);
		/* A file of several documents (national.yaml) shares its
		 * groups among them: the document's own come first. */
		for (j = 0; j < rs->ndocs; j++)
			if (rs->docs[j] == d || (rs->docs[j]->file == d->file &&
			    d->file != NULL))
				di->ngroups += rs->docs[j]->ngroups;
		di->groups = wz_calloc(di->ngroups + 1, sizeof(*di->groups));
		gs = 0;
		for (j = 0; j < d->ngroups; j++)
			di->groups[gs++].g = &d->groups[j];
		for (j = 0; j < rs->ndocs; j++)
			if (rs->docs[j] != d && rs->docs[j]->file == d->file &&
			    d->file != NULL)
				for (k = 0; k < rs->docs[j]->ngroups; k++)
					di->groups[gs++].g =
					    &rs->docs[j]->groups[k];
		for (j = 0; j < di->ngroups; j++)
			di->groups[j].bit = m->ngroupbits++;
	}
	/* Which groups each post is in, as a bit set per post. */
	m->ngw = m->ngroupbits / 64 + 1;
	m->postg = wz_calloc((rs->nposts + 1) * m->ngw, sizeof(*m->postg));
	/* At least PENT_GW words: row_posts() copies that many. */
	m->rowg = wz_calloc(m->ngw < PENT_GW ? PENT_GW : m->ngw,
	    sizeof(*m->rowg));
	for (i = 0; i < m->ndocs; i++)
		for (j = 0; j < m->docs[i].ngroups; j++) {
			const struct ginfo *gi = &m->docs[i].groups[j];

			for (p = 0; p < rs->nposts; p++)
				for (k = 0; k < gi->g->posts.n; k++)
					if (wz_post_within(&rs->posts[p],
					    gi->g->posts.v[k]))
						m->postg[p * m->ngw +
						    (gi->bit >> 6)] |= 1ULL <<
						    (gi->bit & 63);
		}
}

static void
unit_groups(struct unit *u, struct docinfo *di, const struct wz_strv *gs)
{
	size_t i;
	struct ginfo *gi;

	u->groups = wz_calloc(gs->n + 1, sizeof(*u->groups));
	for (i = 0; i < gs->n; i++)
		if ((gi = group_info(di, gs->v[i])) != NULL)
			u->groups[u->ngroups++] = gi;
	for (i = 0; i < u->ngroups && i < UNIT_GB; i++)
		u->gb[i] = (uint32_t)u->groups[i]->bit;
	u->eff = (int32_t)di->eff;
	u->until = (int32_t)di->until;
	/* A group the document does not define: nobody's post is in it. */
	if (gs->n > 0 && u->ngroups == 0)
		u->ngroups = (size_t)-1;
}

static void
build_units(struct wz_matcher *m)
{
	const struct wz_ruleset *rs = m->rs;
	size_t i, j, u;

	m->arts = wz_calloc(rs->narts + 1, sizeof(*m->arts));
	for (i = 0; i < rs->narts; i++) {
		const struct wz_article *a = rs->arts[i];
		struct docinfo *di = doc_info(m, a->doc);
		struct mart *ma;

		if (di == NULL || a->ncases == 0)
			continue;
		ma = &m->arts[m->narts];
		ma->art = a;
		ma->doc = di;
		ma->nsev = a->nsevwhen;
		ma->sev = wz_calloc(a->nsevwhen + 1, sizeof(*ma->sev));
		for (j = 0; j < a->nsevwhen; j++)
			ma->sev[j] = compile(m, a->sevwhen[j].when, a->doc, a->id);
		for (j = 0; j < a->ncases; j++) {
			const struct wz_case *cs = &a->cases[j];

			if (cs->match == NULL)
				continue;
			u = add_unit(m);
			m->units[u].art = m->narts;
			m->units[u].cs = cs;
			m->units[u].cond = compile(m, cs->match, a->doc, a->id);
			unit_groups(&m->units[u], di, cs->groups.n > 0 ?
			    &cs->groups : &a->groups);
		}
		m->narts++;
	}
	m->nau = m->nunits;
	m->common = wz_calloc(rs->nexcl + 1, sizeof(*m->common));
	for (i = 0; i < rs->nexcl; i++) {
		const struct wz_exclusion *x = &rs->excl[i];
		struct docinfo *di = NULL;

		if (x->match == NULL)
			continue;
		if (x->doc != NULL && (di = doc_info(m, x->doc)) == NULL)
			continue;
		u = add_unit(m);
		m->units[u].art = (size_t)-1;
		m->units[u].ex = x;
		m->units[u].cond = compile(m, x->match, x->doc, x->id);
		if (di == NULL)
			m->common[m->ncommon++] = u;
		else {
			di->excl = wz_reallocarray(di->excl, di->nexcl + 1,
			    sizeof(*di->excl));
			di->excl[di->nexcl++] = u;
		}
	}
}

/*
 * Each tid's record (trec) and the anchor lists: literal -> the tids
 * whose anchor (first clause) holds it, each with its record.  Made
 * again when the anchors change and when the units are bound.
 */
static void
anchor_lists(struct wz_matcher *m)
{
	size_t t, k, c, l, j, i, b, n = 0, ne = 1;
	uint32_t *roff, *cur;

	/* The records, a tid's clause after clause.  A clause holds with
	 * one of its literals: the ones found most often first (ties keep
	 * their order), where rest_found() stops. */
	for (t = 0; t < m->ntids; t++) {
		n += 2 + m->trow[t].ntg;
		for (j = m->tc_start[t] + 1; j < m->tc_start[t + 1]; j++) {
			c = m->tc_list[j];
			n += 1 + m->cl_start[c + 1] - m->cl_start[c];
		}
	}
	m->trec = wz_reallocarray(m->trec, n + 1, sizeof(*m->trec));
	roff = wz_calloc(m->ntids + 1, sizeof(*roff));
	for (t = 0, n = 0; t < m->ntids; t++) {
		roff[t] = (uint32_t)n++;
		for (j = m->tc_start[t] + 1; j < m->tc_start[t + 1]; j++) {
			c = m->tc_list[j];
			m->trec[n++] = (uint32_t)(m->cl_start[c + 1] -
			    m->cl_start[c]);
			for (b = n, k = m->cl_start[c]; k < m->cl_start[c + 1];
			    k++) {
				l = m->cl_lits[k];
				for (i = n; i > b &&
				    m->lat[m->trec[i - 1]].LSEEN <
				    m->lat[l].LSEEN; i--)
					m->trec[i] = m->trec[i - 1];
				m->trec[i] = (uint32_t)l;
				n++;
			}
		}
		m->trec[roff[t]] = (uint32_t)(n - roff[t] - 1);
		/* Only the units that can hold with the header (pbits):
		 * candidates() does not mask the others out again. */
		for (b = n++, k = 0; k < m->trow[t].ntg; k++) {
			i = m->tg_list[m->trow[t].tg + k];
			if (m->pbits != NULL &&
			    ((m->pbits[i >> 6] >> (i & 63)) & 1))
				m->trec[n++] = (uint32_t)i;
		}
		m->trec[b] = (uint32_t)(n - b - 1);
	}
	/* The anchor lists, each ended by LT_END; lt_ent[0] is none's. */
	cur = wz_calloc(m->nlits + 1, sizeof(*cur));
	for (t = 0; t < m->ntids; t++) {
		c = m->tc_list[m->tc_start[t]];
		for (k = m->cl_start[c]; k < m->cl_start[c + 1]; k++)
			cur[m->cl_lits[k]]++;
	}
	for (l = 0; l < m->nlits; l++) {
		m->lat[l].LT_OFF = cur[l] > 0 ? (uint32_t)ne : 0;
		ne += cur[l] > 0 ? cur[l] + 1 : 0;
		cur[l] = m->lat[l].LT_OFF;
		if (m->lat[l].LT_OFF > 0)
			m->lt_ent[ne - 1].tid = LT_END;
	}
	for (t = 0; t < m->ntids; t++) {
		c = m->tc_list[m->tc_start[t]];
		for (k = m->cl_start[c]; k < m->cl_start[c + 1]; k++) {
			l = m->cl_lits[k];
			m->lt_ent[cur[l]].tid = (uint32_t)t;
			m->lt_ent[cur[l]++].rec = roff[t];
		}
	}
	free(cur);
	free(roff);
}

/* How often a clause's literals were found: an upper bound of how often
 * the clause was. */
static uint64_t
clause_seen(const struct wz_matcher *m, uint32_t c)
{
	uint64_t n = 0;
	size_t k;

	for (k = m->cl_start[c]; k < m->cl_start[c + 1]; k++)
		n += m->lat[m->cl_lits[k]].LSEEN;
	return n;
}

/*
 * Order each tid's clauses by how often they were found, rarest first
 * (ties keep their order), and rebuild the anchor lists.
 */
static void
adapt_anchors(struct wz_matcher *m)
{
	size_t t, i, j;

	for (t = 0; t < m->ntids; t++)
		for (i = m->tc_start[t] + 1; i < m->tc_start[t + 1]; i++) {
			uint32_t x = m->tc_list[i];
			uint64_t w = clause_seen(m, x);

			for (j = i; j > m->tc_start[t] &&
			    clause_seen(m, m->tc_list[j - 1]) > w; j--)
				m->tc_list[j] = m->tc_list[j - 1];
			m->tc_list[j] = x;
		}
	anchor_lists(m);
}

/*
 * The distinct literals while the automaton is made, by their text:
 * open addressing, at most half full.  The clauses hold some 11,000
 * literals, 2,000 of them distinct: sorting them all to find those, and
 * a binary search for each id, cost more than the rest of the build.
 */
struct litslot {
	const char	*s;		/* NULL: free */
	uint32_t	 id;		/* its place in sorted order */
};

static struct litslot *
lit_slot(struct litslot *tab, size_t mask, const char *s)
{
	size_t k;

	for (k = wz_hash(s, strlen(s)) & mask; tab[k].s != NULL &&
	    strcmp(tab[k].s, s) != 0; k = (k + 1) & mask)
		;
	return &tab[k];
}

/* Word n of a record: written when there is r, else only counted. */
#define POS_PUT(x) do {							\
	if (r != NULL)							\
		r[n] = (uint32_t)(x);					\
	n++;								\
} while (0)

/* Clause c: its number of literals, then each as its id and length. */
static size_t
clause_record(const struct wz_matcher *m, size_t c, uint32_t *r)
{
	size_t k, n = 0;

	POS_PUT(m->cl_start[c + 1] - m->cl_start[c]);
	for (k = m->cl_start[c]; k < m->cl_start[c + 1]; k++) {
		POS_PUT(m->cl_lits[k]);
		POS_PUT(m->llen[m->cl_lits[k]]);
	}
	return n;
}

/*
 * Tid t's record, what text_bounds() reads, into r (the words written,
 * or counted when r is NULL): its leading literals (their number, then
 * each as its id and length), its trailing ones (their number, then
 * their ids), its clauses in the order of the pattern (their number, 0
 * for fewer than two: candidates() found each, and there is no order
 * to check; then each clause as clause_record() puts it), its top-level
 * branches (their number, then each as the number of words after that
 * one, its number of clauses and its clauses).
 */
static size_t
pos_record(const struct wz_matcher *m, size_t t, uint32_t *r)
{
	size_t k, b, at, nq, n = 0;

	POS_PUT(m->tp_start[t + 1] - m->tp_start[t]);
	for (k = m->tp_start[t]; k < m->tp_start[t + 1]; k++) {
		POS_PUT(m->tp_list[k]);
		POS_PUT(m->llen[m->tp_list[k]]);
	}
	POS_PUT(m->ts_start[t + 1] - m->ts_start[t]);
	for (k = m->ts_start[t]; k < m->ts_start[t + 1]; k++)
		POS_PUT(m->ts_list[k]);
	nq = m->tc_start[t + 1] - m->tc_start[t];
	POS_PUT(nq < 2 ? 0 : nq);
	for (k = m->tc_start[t]; nq >= 2 && k < m->tc_start[t + 1]; k++)
		n += clause_record(m, m->tq_list[k], r != NULL ? r + n : NULL);
	POS_PUT(m->tb_start[t + 1] - m->tb_start[t]);
	for (b = m->tb_start[t]; b < m->tb_start[t + 1]; b++) {
		at = n;
		POS_PUT(0);
		POS_PUT(m->bq_start[b + 1] - m->bq_start[b]);
		for (k = m->bq_start[b]; k < m->bq_start[b + 1]; k++)
			n += clause_record(m, m->bq_list[k], r != NULL ?
			    r + n : NULL);
		if (r != NULL)
			r[at] = (uint32_t)(n - at - 1);
	}
	return n;
}
#undef POS_PUT

/* Every tid's record (pos_record()); the arrays they are made of are
 * not read again. */
static void
pos_records(struct wz_matcher *m)
{
	size_t t, n = 0;

	m->tpos_off = wz_calloc(m->ntids + 1, sizeof(*m->tpos_off));
	for (t = 0; t < m->ntids; t++)
		n += pos_record(m, t, NULL);
	m->tpos = wz_calloc(n + 1, sizeof(*m->tpos));
	for (t = 0, n = 0; t < m->ntids; t++) {
		m->tpos_off[t] = n;
		n += pos_record(m, t, m->tpos + n);
	}
	m->tpos_off[m->ntids] = n;
	free(m->tp_start);
	free(m->tp_list);
	free(m->ts_start);
	free(m->ts_list);
	free(m->tq_list);
	free(m->tb_start);
	free(m->bq_start);
	free(m->bq_list);
	free(m->llen);
	m->tp_start = m->tb_start = m->bq_start = m->ts_start = NULL;
	m->tp_list = m->ts_list = m->tq_list = m->bq_list = NULL;
	m->llen = NULL;
}

/*
 * The alternatives of a pattern that is nothing but literal
 * alternatives, A|B, (A|B) or (?:A|B), each a run of characters from
 * U+3000 to U+9FFF (three bytes, the first E3 to E9): no regex syntax,
 * no case for PCRE2_CASELESS to fold.  Each is alt[i], alen[i] bytes
 * long, in the pattern's order; their number, 0 for any other pattern
 * (or more than max).  Its match is the first of them, in that order,
 * found at the leftmost place one is (PCRE2's leftmost-first), and no
 * group but the one around them, which wz-match does not read.
 */
static size_t
literal_alts(const char *p, const char **alt, size_t *alen, size_t max)
{
	size_t i = 0, a, n = 0, len = strlen(p);
	unsigned c;

	if (len >= 2 && p[0] == '(' && p[len - 1] == ')') {
		i = len >= 4 && p[1] == '?' && p[2] == ':' ? 3 : 1;
		len--;
	}
	for (a = i; i <= len;) {
		if (i == len || p[i] == '|') {
			if (i == a || n == max)
				return 0;
			alt[n] = p + a;
			alen[n++] = i - a;
			a = ++i;
			continue;
		}
		c = (unsigned char)p[i];
		if (c < 0xe3 || c > 0xe9 || len - i < 3 ||
		    (p[i + 1] & 0xc0) != 0x80 || (p[i + 2] & 0xc0) != 0x80)
			return 0;
		i += 3;
	}
	return n;
}

/* Every tid's alternatives (literal_alts()), when each is one of the
 * automaton's literals, as alt_match() reads them. */
#define NALTS	64

static void
alt_records(struct wz_matcher *m, struct litslot *tab, size_t mask)
{
	const char *alt[NALTS];
	size_t alen[NALTS], t, i, k, n, cap = 1, len = 1;
	struct litslot *sl;
	char *s;

	m->talt_off = wz_calloc(m->ntids + 1, sizeof(*m->talt_off));
	m->talt = wz_calloc(cap, sizeof(*m->talt));
	for (t = 0; t < m->ntids; t++) {
		if ((n = literal_alts(m->tcl[t].pattern, alt, alen,
		    NALTS)) == 0)
			continue;
		if (len + 1 + 2 * n > cap) {
			cap = 2 * (len + 1 + 2 * n);
			m->talt = wz_reallocarray(m->talt, cap,
			    sizeof(*m->talt));
		}
		m->talt[len] = (uint32_t)n;
		for (i = 0, k = len + 1; i < n; i++) {
			s = wz_strndup(alt[i], alen[i]);
			sl = lit_slot(tab, mask, s);
			free(s);
			if (sl->s == NULL)
				break;	/* not a literal of the automaton */
			m->talt[k++] = sl->id;
			m->talt[k++] = (uint32_t)alen[i];
		}
		if (i < n)
			continue;
		m->talt_off[t] = len;
		len = k;
	}
}

/*
 * One automaton pattern per distinct literal, ids in their sorted order;
 * every tid's clauses as literal ids, rarest first by their lengths; the
 * anchor lists.
 */
static void
build_literals(struct wz_matcher *m)
{
	const char **all = NULL, **lits;
	struct litslot *tab, *sl;
	size_t i, j, k, t, b, n = 0, nl = 0, nbcl = 0, nbr = 0, nq, mask;

	for (t = 0; t < m->ntids; t++) {
		struct tclauses *tc = &m->tcl[t];

		/* Insertion sort, rarest first; stable.  ord[] follows:
		 * the clause's place in the pattern. */
		tc->ord = wz_calloc(tc->n + 1, sizeof(*tc->ord));
		for (i = 0; i < tc->n; i++)
			tc->ord[i] = i;
		for (i = 1; i < tc->n; i++) {
			struct wz_rx_clause x = tc->c[i];
			size_t xo = tc->ord[i];

			for (j = i; j > 0 && clause_rarer(&x, &tc->c[j - 1]);
			    j--) {
				tc->c[j] = tc->c[j - 1];
				tc->ord[j] = tc->ord[j - 1];
			}
			tc->c[j] = x;
			tc->ord[j] = xo;
		}
		for (i = 0; i < tc->n; i++) {
			all = wz_reallocarray(all, n + tc->c[i].n,
			    sizeof(*all));
			for (k = 0; k < tc->c[i].n; k++)
				all[n++] = tc->c[i].v[k];
			m->ncl++;
		}
		all = wz_reallocarray(all, n + tc->npfx + tc->nsfx + 1,
		    sizeof(*all));
		for (k = 0; k < tc->npfx; k++)
			all[n++] = tc->pfx[k];
		for (k = 0; k < tc->nsfx; k++)
			all[n++] = tc->sfx[k];
		for (b = 0; b < tc->nb; b++)
			for (i = 0; i < tc->nbc[b]; i++) {
				all = wz_reallocarray(all, n + tc->bc[b][i].n,
				    sizeof(*all));
				for (k = 0; k < tc->bc[b][i].n; k++)
					all[n++] = tc->bc[b][i].v[k];
				nbcl++;
			}
		nbr += tc->nb;
	}
	for (mask = 63; mask < 2 * n; mask = 2 * mask + 1)
		;
	tab = wz_calloc(mask + 1, sizeof(*tab));
	lits = wz_calloc(n + 1, sizeof(*lits));
	for (i = 0; i < n; i++)
		if ((sl = lit_slot(tab, mask, all[i]))->s == NULL) {
			sl->s = all[i];
			lits[m->nlits++] = all[i];
		}
	qsort(lits, m->nlits, sizeof(*lits), cmp_str);
	for (i = 0; i < m->nlits; i++) {
		lit_slot(tab, mask, lits[i])->id = (uint32_t)i;
		wz_ac_add(m->ac, lits[i], strlen(lits[i]), (uint32_t)i);
	}
	m->tc_start = wz_calloc(m->ntids + 2, sizeof(*m->tc_start));
	m->tc_list = wz_calloc(m->ncl + 1, sizeof(*m->tc_list));
	m->tq_list = wz_calloc(m->ncl + 1, sizeof(*m->tq_list));
	m->cl_start = wz_calloc(m->ncl + nbcl + 2, sizeof(*m->cl_start));
	m->cl_lits = wz_calloc(n + 1, sizeof(*m->cl_lits));
	for (t = 0, k = 0; t < m->ntids; t++) {
		struct tclauses *tc = &m->tcl[t];

		m->tc_start[t] = k;
		for (i = 0; i < tc->n; i++, k++) {
			m->tc_list[k] = (uint32_t)k;
			m->tq_list[m->tc_start[t] + tc->ord[i]] = (uint32_t)k;
			m->cl_start[k] = nl;
			for (j = 0; j < tc->c[i].n; j++)
				m->cl_lits[nl++] = lit_slot(tab, mask,
				    tc->c[i].v[j])->id;
		}
	}
	m->tc_start[m->ntids] = k;
	/* Then the branches' clauses, for text_branches(). */
	m->tb_start = wz_calloc(m->ntids + 2, sizeof(*m->tb_start));
	m->bq_start = wz_calloc(nbr + 2, sizeof(*m->bq_start));
	m->bq_list = wz_calloc(nbcl + 1, sizeof(*m->bq_list));
	for (t = 0, nbr = 0, nq = 0; t < m->ntids; t++) {
		struct tclauses *tc = &m->tcl[t];

		m->tb_start[t] = nbr;
		for (b = 0; b < tc->nb; b++, nbr++) {
			m->bq_start[nbr] = nq;
			for (i = 0; i < tc->nbc[b]; i++, k++) {
				m->bq_list[nq++] = (uint32_t)k;
				m->cl_start[k] = nl;
				for (j = 0; j < tc->bc[b][i].n; j++)
					m->cl_lits[nl++] = lit_slot(tab, mask,
					    tc->bc[b][i].v[j])->id;
			}
		}
	}
	m->tb_start[m->ntids] = nbr;
	m->bq_start[nbr] = nq;
	m->cl_start[k] = nl;
	m->tp_start = wz_calloc(m->ntids + 2, sizeof(*m->tp_start));
	m->tp_list = wz_calloc(n + 1, sizeof(*m->tp_list));
	for (t = 0, k = 0; t < m->ntids; t++) {
		m->tp_start[t] = k;
		for (i = 0; i < m->tcl[t].npfx; i++)
			m->tp_list[k++] = lit_slot(tab, mask,
			    m->tcl[t].pfx[i])->id;
	}
	m->tp_start[m->ntids] = k;
	m->ts_start = wz_calloc(m->ntids + 2, sizeof(*m->ts_start));
	m->ts_list = wz_calloc(n + 1, sizeof(*m->ts_list));
	for (t = 0, k = 0; t < m->ntids; t++) {
		m->ts_start[t] = k;
		for (i = 0; i < m->tcl[t].nsfx; i++)
			m->ts_list[k++] = lit_slot(tab, mask,
			    m->tcl[t].sfx[i])->id;
	}
	m->ts_start[m->ntids] = k;
	m->llen = wz_calloc(m->nlits + 1, sizeof(*m->llen));
	for (i = 0; i < m->nlits; i++)
		m->llen[i] = strlen(lits[i]);
	m->lat = wz_calloc(m->nlits + 1, sizeof(*m->lat));
	pos_records(m);
	alt_records(m, tab, mask);
	free(all);
	free(lits);
	free(tab);
	for (t = 0; t < m->ntids; t++)
		tclauses_free(&m->tcl[t]);
	free(m->tcl);
	m->tcl = NULL;
	/* An anchor's literals are among the clauses' (nl), and each
	 * literal's list has an end. */
	m->lt_ent = wz_calloc(nl + m->nlits + 2, sizeof(*m->lt_ent));
	m->trow = wz_calloc(m->ntids + 1, sizeof(*m->trow));
	anchor_lists(m);
	m->lbits = wz_calloc(m->nlits / 64 + 1, sizeof(*m->lbits));
	m->llist = wz_calloc(m->nlits + 1, sizeof(*m->llist));
	m->next_adapt = 64;
}

static void
build_prefilter(struct wz_matcher *m)
{
	struct mcblock *b;
	size_t u, t, k, nn, total = 0, *nv, *cnt;
	const struct mcond *mc;

	build_literals(m);
	wz_ac_build(m->ac);
	m->acells = wz_ac_walk_cells(m->ac, m->nlits);
	/* Every condition's need: a unit is visited when its condition's
	 * need is met, an `all` fails before it runs a pattern when one of
	 * its parts' is not, an `any` passes over the parts that cannot
	 * hold. */
	for (b = m->mcb; b != NULL; b = b->next)
		for (k = 0; k < b->n; k++) {
			struct mcond *c = &b->v[k];

			nn = 0;
			nv = NULL;
			c->nd_n = -1;
			if (!m->o.no_prefilter && need(c, &nv, &nn) &&
			    nn < INT_MAX) {
				m->ndv = wz_reallocarray(m->ndv, m->nndv + nn,
				    sizeof(*m->ndv));
				memcpy(m->ndv + m->nndv, nv, nn * sizeof(*nv));
				c->nd_off = m->nndv;
				c->nd_n = (int)nn;
				m->nndv += nn;
			}
			free(nv);
		}

	/* The units each prefilter id reaches; the rest are always
	 * visited. */
	m->nuwords = m->nunits / 64 + 1;
	m->abits = wz_calloc(m->nuwords, sizeof(*m->abits));
	m->gbits = wz_calloc(m->nuwords, sizeof(*m->gbits));
	m->cbits = wz_calloc(m->nuwords, sizeof(*m->cbits));
	m->pbits = wz_calloc(m->nuwords, sizeof(*m->pbits));
	cnt = wz_calloc(m->ntids + 1, sizeof(*cnt));
	for (u = 0; u < m->nunits; u++) {
		mc = m->units[u].cond;
		if (mc->nd_n < 0)
			m->abits[u >> 6] |= 1ULL << (u & 63);
		for (t = 0; mc->nd_n > 0 && t < (size_t)mc->nd_n; t++)
			cnt[m->ndv[mc->nd_off + t]]++;
		total += mc->nd_n > 0 ? (size_t)mc->nd_n : 0;
	}
	for (t = 1; t < m->ntids; t++)
		m->trow[t].tu = m->trow[t - 1].tu + (uint32_t)cnt[t - 1];
	m->tu_list = wz_calloc(total + 1, sizeof(*m->tu_list));
	/* Units in increasing order: each list comes out sorted. */
	for (u = 0; u < m->nunits; u++) {
		mc = m->units[u].cond;
		for (t = 0; mc->nd_n > 0 && t < (size_t)mc->nd_n; t++) {
			struct tidrow *tr = &m->trow[m->ndv[mc->nd_off + t]];

			if (tr->ntu == 0 ||
			    m->tu_list[tr->tu + tr->ntu - 1] != u)
				m->tu_list[tr->tu + tr->ntu++] = u;
		}
	}
	m->tbits = wz_calloc(m->ntids / 64 + 1, sizeof(*m->tbits));
	m->tlist = wz_calloc(m->ntids + 1, sizeof(*m->tlist));
	m->cand = wz_calloc(m->nunits + 1, sizeof(*m->cand));
	free(cnt);
}

/* The parts' needs and kinds in each `all`, `any` and `not` (struct
 * ksum). */
static void
build_ksums(struct wz_matcher *m)
{
	struct mcblock *b;
	size_t k, i;

	for (b = m->mcb; b != NULL; b = b->next)
		for (k = 0; k < b->n; k++) {
			struct mcond *c = &b->v[k];

			if (c->kind != WZ_C_ALL && c->kind != WZ_C_ANY &&
			    c->kind != WZ_C_NOT)
				continue;
			c->ks = wz_calloc(c->nkids + 1, sizeof(*c->ks));
			for (i = 0; i < c->nkids; i++) {
				const struct mcond *kid = c->kids[i];
				struct ksum *ks = &c->ks[i];

				ks->nd_n = kid->nd_n;
				if (kid->nd_n > 0) {
					ks->nd_off = (uint32_t)kid->nd_off;
					ks->t0 = (uint32_t)m->ndv[kid->nd_off];
				}
				ks->ff = kid->kind == WZ_C_IN ||
				    kid->kind == WZ_C_PRESENT ||
				    (kid->kind == WZ_C_RE && kid->leaf >= 0);
			}
		}
}

struct wz_matcher *
wz_matcher_new(const struct wz_ruleset *rs, const struct wz_match_opts *o)
{
	struct wz_matcher *m = wz_calloc(1, sizeof(*m));
	size_t i;

	m->rs = rs;
	m->o = *o;
	m->al = wz_rules_aliases(rs);
	for (i = 0; i < o->ndocs; i++)
		if (wz_rules_doc(rs, o->docs[i]) == NULL) {
			wz_msg(NULL, 0, "--doc: no document '%s' in the rules",
			    o->docs[i]);
			free(m);
			return NULL;
		}
	field_get(m, "title");
	field_get(m, "date");
	field_get(m, "found_date");
	field_get(m, "year");
	for (i = 0; i < o->nfields; i++) {
		const char *eq = strchr(o->fields[i], '=');
		char *name;
		int fi;

		if (eq == NULL || eq == o->fields[i] || eq[1] == '\0') {
			wz_msg(NULL, 0, "--field: '%s' is not NAME=COLUMN",
			    o->fields[i]);
			wz_matcher_free(m);
			return NULL;
		}
		name = wz_strndup(o->fields[i], (size_t)(eq - o->fields[i]));
		fi = field_get(m, name);
		free(name);
		free(m->fields[fi].optcol);
		m->fields[fi].optcol = wz_strdup(eq + 1);
	}
	m->ac = wz_ac_new();
	build_docs(m);
	build_units(m);
	free(m->lhash);
	m->lhash = NULL;
	m->nlhash = 0;
	build_prefilter(m);
	build_ksums(m);
	m->nm_text = wz_norm_new();
	m->nm_fld = wz_norm_new();
	m->pcache = wz_calloc(PCACHE, sizeof(*m->pcache));
	return m;
}

void
wz_matcher_free(struct wz_matcher *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nenc; i++)
		free(m->enc[i].s);
	free(m->enc);
	wz_buf_free(&m->rowenc.b);
	for (i = 0; i < m->nfields; i++) {
		free(m->fields[i].name);
		free(m->fields[i].optcol);
		free(m->fields[i].vs);
	}
	free(m->fields);
	while (m->mcb != NULL) {
		struct mcblock *b = m->mcb;

		for (i = 0; i < b->n; i++) {
			size_t k;

			for (k = 0; b->v[i].nrcl > 0 &&
			    k < b->v[i].rcl[b->v[i].nrcl]; k++)
				free(b->v[i].rlits[k].s);
			free(b->v[i].rlits);
			free(b->v[i].rcl);
			free(b->v[i].kids);
			free(b->v[i].ks);
		}
		m->mcb = b->next;
		free(b);
	}
	for (i = 0; i < m->narts; i++)
		free(m->arts[i].sev);
	free(m->arts);
	for (i = 0; i < m->nunits; i++)
		free(m->units[i].groups);
	free(m->units);
	for (i = 0; i < m->ndocs; i++) {
		free(m->docs[i].groups);
		free(m->docs[i].excl);
	}
	free(m->docs);
	free(m->postg);
	free(m->rowg);
	free(m->common);
	for (i = 0; i < m->nhists; i++)
		free(m->hists[i].keys);
	free(m->hists);
	wz_ac_free(m->ac);
	free(m->trow);
	free(m->trec);
	free(m->tu_list);
	free(m->ndv);
	free(m->abits);
	free(m->pbits);
	free(m->gbits);
	free(m->gated);
	free(m->gf);
	free(m->tg_list);
	free(m->gatev);
	free(m->gatoms);
	free(m->cbits);
	for (i = 0; i < m->nleaves; i++) {
		free(m->leaves[i].vres);
		free(m->leaves[i].ns);
	}
	free(m->leaves);
	free(m->lhash);
	free(m->tbits);
	free(m->tlist);
	for (i = 0; m->tcl != NULL && i < m->ntids; i++)
		tclauses_free(&m->tcl[i]);
	free(m->tcl);
	free(m->tc_start);
	free(m->tc_list);
	free(m->cl_start);
	free(m->cl_lits);
	free(m->tp_start);
	free(m->tp_list);
	free(m->ts_start);
	free(m->ts_list);
	free(m->llen);
	free(m->lat);
	free(m->tq_list);
	free(m->tb_start);
	free(m->bq_start);
	free(m->bq_list);
	free(m->tpos);
	free(m->tpos_off);
	free(m->talt);
	free(m->talt_off);
	free(m->lt_ent);
	free(m->lbits);
	free(m->llist);
	free(m->cand);
	free(m->name);
	for (i = 0; i < m->nhnames; i++)
		free(m->hnames[i]);
	free(m->hnames);
	free(m->tcols);
	wz_norm_free(m->nm_text);
	wz_norm_free(m->nm_fld);
	wz_buf_free(&m->join);
	wz_buf_free(&m->arena);
	wz_buf_free(&m->kb);
	wz_buf_free(&m->caseb);
	free(m->acc.caps);
	free(m->acc.ev);
	free(m->acc.evs);
	wz_buf_free(&m->acc.cb);
	wz_buf_free(&m->acc.eb);
	wz_buf_free(&m->acc.xb);
	free(m->cits);
	wz_buf_free(&m->cb);
	free(m->pub);
	free(m->pcache);
	free(m->nummemo);
	htab_free(&m->ht);
	htab_free(&m->lt);
	free(m);
}

int
wz_matcher_has_history(const struct wz_matcher *m)
{
	return m->nhists > 0 && !m->o.no_history;
}

/* ------------------------------------------------------------------ */
/* Binding a header. */

static int	possible(const struct wz_matcher *, const struct mcond *);

static void
gate_push(size_t **v, size_t *n, size_t *cap, size_t a)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = wz_reallocarray(*v, *cap, sizeof(**v));
	}
	(*v)[(*n)++] = a;
}

/* A field test as a gate atom. */
static size_t
gate_atom(struct wz_matcher *m, const struct mcond *mc, size_t *cap)
{
	if (m->ngatoms == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		m->gatoms = wz_reallocarray(m->gatoms, *cap,
		    sizeof(*m->gatoms));
	}
	m->gatoms[m->ngatoms] = mc;
	return m->ntids + m->ngatoms++;
}

/*
 * The gate of mc with the bound header: atoms of which one must hold for
 * mc to hold, appended to v.  Returns 1 (a gate), 0 (none: mc may hold
 * whatever they say) or -1 (mc cannot hold with this header).  *cost
 * weighs the atoms: a field test costs more than a tid.
 */
static int
gate(struct wz_matcher *m, const struct mcond *mc, size_t **v, size_t *n,
    size_t *cap, size_t *acap, size_t *cost)
{
	size_t i, base = *n, best = 0, bestcost = 0, c;
	int r, found = 0;

	if (!possible(m, mc))
		return -1;
	switch (mc->kind) {
	case WZ_C_TEXT:
		if (mc->tid < 0)
			return 0;
		gate_push(v, n, cap, (size_t)mc->tid);
		*cost += 1;
		return 1;
	case WZ_C_RE:
		/* Not with named groups: their captures are the eval's. */
		if (mc->leaf < 0)
			return 0;
		/* FALLTHROUGH */
	case WZ_C_IN:
	case WZ_C_PRESENT:
		if (mc->kind == WZ_C_PRESENT && !mc->c->present)
			return 0;
		gate_push(v, n, cap, gate_atom(m, mc, acap));
		*cost += 4;
		return 1;
	case WZ_C_ANY:
		for (i = 0; i < mc->nkids; i++)
			if (gate(m, mc->kids[i], v, n, cap, acap, cost) == 0) {
				*n = base;
				return 0;
			}
		return *n > base ? 1 : -1;
	case WZ_C_ALL:
		/* One part's gate will do: the cheapest. */
		for (i = 0; i < mc->nkids; i++) {
			c = 0;
			r = gate(m, mc->kids[i], v, n, cap, acap, &c);
			*n = base;
			if (r < 0)
				return -1;
			if (r > 0 && (!found || c < bestcost)) {
				found = 1;
				best = i;
				bestcost = c;
			}
		}
		if (!found)
			return 0;
		return gate(m, mc->kids[best], v, n, cap, acap, cost);
	default:
		return 0;
	}
}

/*
 * A gate's tids first (they cost a bit test), then its field tests; if
 * these all read one field, their result is kept per value of it.
 */
static void
gate_order(struct wz_matcher *m, struct unit *u)
{
	size_t *v = m->gatev + u->goff, i, k, t;

	for (i = k = 0; i < u->gn; i++)
		if (v[i] < m->ntids) {
			t = v[i];
			memmove(v + k + 1, v + k, (i - k) * sizeof(*v));
			v[k++] = t;
		}
	u->gtids = k;
	u->gfld = -1;
	u->ggen = 0;
	for (i = k; i < u->gn; i++) {
		int f = m->gatoms[v[i] - m->ntids]->fld;

		if (i > k && f != u->gfld) {
			u->gfld = -1;
			break;
		}
		u->gfld = f;
	}
}

/*
 * The units each tid puts among the row's candidates, in tg_list: those
 * needing it (tu_list), then the gated units it opens (a tid among a
 * gate's atoms).  Then m->gated keeps only the units whose gate has
 * field tests: a row need not walk the others, which open with a tid
 * or not at all.
 */
static void
gate_tids(struct wz_matcher *m)
{
	size_t i, k, n = 0;
	const struct unit *u;
	struct tidrow *tr;

	free(m->tg_list);
	for (k = 0; k < m->ntids; k++) {
		m->trow[k].ntg = m->trow[k].ntu;
		n += m->trow[k].ntu;
	}
	for (i = 0; i < m->ngated; i++) {
		u = &m->units[m->gated[i]];
		for (k = 0; k < u->gtids; k++)
			m->trow[m->gatev[u->goff + k]].ntg++;
		n += u->gtids;
	}
	m->tg_list = wz_calloc(n + 1, sizeof(*m->tg_list));
	for (k = 0, i = 0; k < m->ntids; k++) {
		tr = &m->trow[k];
		tr->tg = (uint32_t)i;
		i += tr->ntg;
		for (tr->ntg = 0; tr->ntg < tr->ntu; tr->ntg++)
			m->tg_list[tr->tg + tr->ntg] =
			    m->tu_list[tr->tu + tr->ntg];
	}
	for (i = 0; i < m->ngated; i++) {
		u = &m->units[m->gated[i]];
		for (k = 0; k < u->gtids; k++) {
			tr = &m->trow[m->gatev[u->goff + k]];
			m->tg_list[tr->tg + tr->ntg++] = m->gated[i];
		}
	}
	for (i = k = 0; i < m->ngated; i++) {
		u = &m->units[m->gated[i]];
		if (u->gtids < u->gn)
			m->gated[k++] = m->gated[i];
	}
	m->ngated = k;
	/* By field, in unit order within one (insertion sort: stable). */
	for (i = 1; i < m->ngated; i++) {
		size_t x = m->gated[i];

		for (k = i; k > 0 && m->units[m->gated[k - 1]].gfld >
		    m->units[x].gfld; k--)
			m->gated[k] = m->gated[k - 1];
		m->gated[k] = x;
	}
	free(m->gf);
	m->gf = wz_calloc(m->ngated + 1, sizeof(*m->gf));
	m->ngf = 0;
	for (i = 0; i < m->ngated; i = k) {
		int f = m->units[m->gated[i]].gfld;

		/* At most 64 units a group: a word of bits. */
		for (k = i + 1; k < m->ngated && k - i < 64 &&
		    m->units[m->gated[k]].gfld == f; k++)
			;
		m->gf[m->ngf].fld = f;
		m->gf[m->ngf].from = i;
		m->gf[m->ngf++].to = k;
	}
	/* The tids' records, with their units. */
	anchor_lists(m);
}

/* The gates of the always-units, for the bound header. */
static void
build_gates(struct wz_matcher *m)
{
	size_t u, n, cap = 0, acap = 0, cost, gcap = 0;

	/* The units that cannot hold with the header are left out of
	 * gbits and the tids' records (anchor_lists()): no row masks them
	 * out. */
	for (u = 0; u < m->nuwords; u++)
		m->gbits[u] = m->abits[u] & m->pbits[u];
	m->ngated = m->ngatev = m->ngatoms = 0;
	free(m->gatev);
	free(m->gatoms);
	m->gatev = NULL;
	m->gatoms = NULL;
	if (m->o.no_prefilter) {
		gate_tids(m);
		return;
	}
	for (u = 0; u < m->nunits; u++) {
		if (!((m->abits[u >> 6] & m->pbits[u >> 6]) >> (u & 63) & 1))
			continue;
		n = m->ngatev;
		cost = 0;
		if (gate(m, m->units[u].cond, &m->gatev, &m->ngatev, &cap,
		    &acap, &cost) != 1) {
			m->ngatev = n;
			continue;
		}
		m->units[u].goff = n;
		m->units[u].gn = m->ngatev - n;
		gate_order(m, &m->units[u]);
		if (m->ngated == gcap) {
			gcap = gcap ? gcap * 2 : 16;
			m->gated = wz_reallocarray(m->gated, gcap,
			    sizeof(*m->gated));
		}
		m->gated[m->ngated++] = u;
		m->gbits[u >> 6] &= ~(1ULL << (u & 63));
	}
	gate_tids(m);
}

static void
unbind(struct wz_matcher *m)
{
	size_t i;

	for (i = 0; i < m->nhnames; i++)
		free(m->hnames[i]);
	free(m->hnames);
	m->hnames = NULL;
	m->nhnames = 0;
	free(m->tcols);
	m->tcols = NULL;
	m->ntcols = 0;
	free(m->name);
	m->name = NULL;
}

int
wz_matcher_bind(struct wz_matcher *m, const struct wz_row *hdr,
    const char *name)
{
	size_t i, k;
	int idx[2], c, *all;

	unbind(m);
	m->name = wz_strdup(name);
	m->nhnames = hdr->n;
	m->hnames = wz_calloc(hdr->n + 1, sizeof(*m->hnames));
	for (i = 0; i < hdr->n; i++)
		m->hnames[i] = wz_strndup(hdr->f[i], hdr->len[i]);

	m->tcols = wz_calloc(hdr->n + m->o.ntext + 1, sizeof(*m->tcols));
	if (m->o.ntext > 0) {
		for (i = 0; i < m->o.ntext; i++) {
			c = wz_col_find(hdr, m->o.text_cols[i]);
			if (c < 0) {
				wz_msg(name, 0, "%s column '%s' (--text)",
				    c == -1 ? "no" : "more than one",
				    m->o.text_cols[i]);
				return EX_USAGE;
			}
			m->tcols[m->ntcols++] = c;
		}
	} else {
		all = wz_calloc(hdr->n + 1, sizeof(*all));
		m->ntcols = wz_col_lookup(hdr, "text", &m->al, all, hdr->n);
		/* In the sheet's order, so joined text reads as written. */
		for (i = 0; i < m->ntcols; i++)
			for (k = i + 1; k < m->ntcols; k++)
				if (all[k] < all[i]) {
					c = all[i];
					all[i] = all[k];
					all[k] = c;
				}
		memcpy(m->tcols, all, m->ntcols * sizeof(*all));
		free(all);
	}

	for (i = 0; i < m->nfields; i++) {
		struct field *f = &m->fields[i];

		f->col = -1;
		f->nstamp = f->vstamp = 0;
		if (f->optcol != NULL) {
			c = wz_col_find(hdr, f->optcol);
			if (c < 0) {
				wz_msg(name, 0, "%s column '%s' (field %s)",
				    c == -1 ? "no" : "more than one", f->optcol,
				    f->name);
				return EX_USAGE;
			}
			f->col = c;
			continue;
		}
		k = wz_col_lookup(hdr, f->name, &m->al, idx, 2);
		if (k == 2) {
			int lo = idx[0] < idx[1] ? idx[0] : idx[1];
			int hi = idx[0] < idx[1] ? idx[1] : idx[0];

			wz_msg(name, hdr->line, "columns %d (%s) and %d (%s) "
			    "are both field '%s'; choose one with --field "
			    "%s=COLUMN", lo + 1, m->hnames[lo], hi + 1,
			    m->hnames[hi], f->name, f->name);
			return EX_DATAERR;
		}
		if (k == 1)
			f->col = idx[0];
	}
	/* Units that cannot hold without a column this input lacks (a
	 * grade or a days column) are never visited. */
	memset(m->pbits, 0, m->nuwords * sizeof(*m->pbits));
	for (i = 0; i < m->nunits; i++)
		if (possible(m, m->units[i].cond))
			m->pbits[i >> 6] |= 1ULL << (i & 63);
	build_gates(m);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The row: cells, text, fields, numbers, dates, posts. */

static void
report(struct wz_matcher *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
report(struct wz_matcher *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wz_vmsg(m->name, m->row != NULL ? m->row->line : 0, fmt, ap);
	va_end(ap);
}

static const char *
cell(const struct wz_matcher *m, int col, size_t *n)
{
	if (col < 0 || (size_t)col >= m->row->n) {
		*n = 0;
		return "";
	}
	*n = m->row->len[col];
	return m->row->f[col];
}

static void
buf_trunc(struct wz_buf *b, size_t len)
{
	b->len = len;
	if (b->s != NULL)
		b->s[len] = '\0';
}

/* Clear the bits of a set of nbits that are listed in list[0..n).
 * Rows find many literals, and tids: clearing the few words of the
 * whole set costs less than one bit each. */
static void
bits_clear(uint64_t *bits, size_t nbits, const uint32_t *list, size_t n)
{
	size_t i, nw = nbits / 64 + 1;

	if (n > nw / 4)
		memset(bits, 0, nw * sizeof(*bits));
	else
		for (i = 0; i < n; i++)
			bits[list[i] >> 6] &= ~(1ULL << (list[i] & 63));
}

static void
tbits_clear(struct wz_matcher *m)
{
	bits_clear(m->tbits, m->ntids, m->tlist, m->ntlist);
	m->ntlist = 0;
	bits_clear(m->lbits, m->nlits, m->llist, m->nllist);
	m->nllist = 0;
}

static void
acc_reset(struct acc *a)
{
	a->ncaps = a->cap0 = a->nev = 0;
	buf_trunc(&a->cb, 0);
	buf_trunc(&a->eb, 0);
	buf_trunc(&a->xb, 0);
}

static void
acc_mark(const struct acc *a, struct mark *mk)
{
	mk->ncaps = a->ncaps;
	mk->cblen = a->cb.len;
	mk->nev = a->nev;
	mk->eblen = a->eb.len;
	mk->xblen = a->xb.len;
}

static void
acc_undo(struct acc *a, const struct mark *mk)
{
	a->ncaps = mk->ncaps;
	a->nev = mk->nev;
	/* Mostly nothing was added. */
	if (a->cb.len != mk->cblen)
		buf_trunc(&a->cb, mk->cblen);
	if (a->eb.len != mk->eblen)
		buf_trunc(&a->eb, mk->eblen);
	if (a->xb.len != mk->xblen)
		buf_trunc(&a->xb, mk->xblen);
}

static void
row_begin(struct wz_matcher *m, const struct wz_row *row)
{
	tbits_clear(m);
	m->row = row;
	m->stamp++;
	m->text_done = m->posts_done = m->date_done = m->year_done = 0;
	m->nopos = 1;		/* until scan_text() */
	m->rejected = m->unknown_post = m->reported = m->doc_excluded = 0;
	m->excluded_by = NULL;
	m->ncits = 0;
	buf_trunc(&m->cb, 0);
	buf_trunc(&m->arena, 0);
	acc_reset(&m->acc);
}

/* The row's text as it is, in m->raw (the cell, or m->join for
 * several columns joined by newlines). */
static void
text_raw(struct wz_matcher *m)
{
	size_t i, n;
	const char *s;

	if (m->ntcols == 1) {
		m->raw = cell(m, m->tcols[0], &m->rawlen);
	} else {
		buf_trunc(&m->join, 0);
		for (i = 0; i < m->ntcols; i++) {
			s = cell(m, m->tcols[i], &n);
			if (i > 0)
				wz_buf_addc(&m->join, '\n');
			wz_buf_add(&m->join, s, n);
		}
		m->raw = wz_buf_cstr(&m->join);
		m->rawlen = m->join.len;
	}
}

static void
ensure_text(struct wz_matcher *m)
{
	if (m->text_done)
		return;
	m->text_done = 1;
	text_raw(m);
	/* m->raw (the row's cell or m->join) stays for the row, whose
	 * evidence asks for spans. */
	m->text = wz_norm_run_stable(m->nm_text, m->raw, m->rawlen,
	    &m->tlen);
}

/*
 * The prefilter's scan of the row's text into m->lbits, m->llist and
 * m->lat.  When the text is made here, the normaliser also gives its
 * characters' classes, and the automaton steps over them without
 * decoding the text a second time.
 */
#define TEXT_TAGS	1024	/* characters described at most */

static void
scan_text(struct wz_matcher *m)
{
	const uint16_t *tab = wz_ac_classes(m->ac);
	struct wz_ac_note note[TEXT_TAGS];
	uint16_t tag[TEXT_TAGS];
	uint32_t end[TEXT_TAGS];
	size_t nt = (size_t)-1, nn = (size_t)-1;

	if (!m->text_done && tab != NULL && m->acells != NULL) {
		/* The automaton steps as the normaliser makes the text. */
		m->text_done = 1;
		text_raw(m);
		m->text = wz_norm_run_scan(m->nm_text, m->raw, m->rawlen,
		    &m->tlen, tab, m->acells, note, TEXT_TAGS, &nn);
	} else if (!m->text_done && tab != NULL) {
		m->text_done = 1;
		text_raw(m);
		m->text = wz_norm_run_tags(m->nm_text, m->raw, m->rawlen,
		    &m->tlen, tab, tag, end, TEXT_TAGS, &nt);
	} else
		ensure_text(m);
	/* The walks above tag only texts of 32 bits; wz_ac_scan_valid()
	 * leaves m->lat alone past them (wz_ac.h). */
	m->nopos = m->tlen > UINT32_MAX;
	if (m->tlen == 0)
		return;
	if (nn != (size_t)-1)
		m->nllist = wz_ac_notes(m->ac, note, nn, m->lbits,
		    m->llist, m->nlits, m->lat);
	else if (nt != (size_t)-1)
		m->nllist = wz_ac_scan_classes(m->ac, tag, end, nt, m->lbits,
		    m->llist, m->nlits, m->lat);
	else
		/* The normaliser's output of checked input (the readers
		 * and the rules' YAML reject what is not UTF-8): valid. */
		m->nllist = wz_ac_scan_valid(m->ac, m->text, m->tlen,
		    m->lbits, m->llist, m->nlits, m->lat);
}

/*
 * Is s[0..n) printable ASCII without spaces?  Its normal form is itself
 * then: NFKC and traditional to simplified leave such characters alone,
 * and there is no whitespace to fold (wz_text.h).
 */
static int
plain_ascii(const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL;
	uint64_t v;
	size_t i;

	/* Eight bytes at a time.  The lowest byte out of 21..7E sets its
	 * top bit in v - 21.. (below 21, or A1 and up) or in v + 01.. (7F
	 * to FE): no byte below it borrows or carries.  Bytes all in
	 * range borrow and carry nothing and set no top bit. */
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&v, s + i, 8);
		if (((v - ones * 0x21) | (v + ones)) & ones * 0x80)
			return 0;
	}
	for (; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

/* Normalise a cell: into the row (plain ASCII, unchanged) or m->arena. */
static void
fld_norm_make(struct wz_matcher *m, struct field *f, const char *raw,
    size_t rl)
{
	const char *r;
	size_t nl;

	if (plain_ascii(raw, rl)) {
		f->nptr = raw;
		f->nlen = rl;
		return;
	}
	r = wz_norm_run(m->nm_fld, raw, rl, &nl);
	f->nptr = NULL;
	f->noff = m->arena.len;
	f->nlen = nl;
	wz_buf_add(&m->arena, r, nl);
	wz_buf_addc(&m->arena, '\0');
}

/* fld_norm() of a field not yet looked up in this row. */
static void
fld_norm_row(struct wz_matcher *m, struct field *f)
{
	struct vslot *v;
	const char *raw;
	uint64_t h;
	size_t rl;

	f->nstamp = m->stamp;
	f->vslot = -1;
	raw = cell(m, f->col, &rl);
	if (rl > VRAW || f->vskip > 0) {
		if (f->vskip > 0)
			f->vskip--;
		fld_norm_make(m, f, raw, rl);
		return;
	}
	if (f->vs == NULL)
		f->vs = wz_calloc(VSLOTS, sizeof(*f->vs));
	h = wz_hash_mem(raw, rl) | 1;
	v = &f->vs[h % VSLOTS];
	/* A column whose values seldom repeat (a date, an amount) only
	 * pays for the slots: when fewer than one lookup in four of a
	 * window hits, the next VSKIP rows go past them (their values
	 * then have no slot, and what a slot would keep is worked out,
	 * as on a miss). */
	if (++f->vtries == VWINDOW) {
		if (f->vhits < VWINDOW / 4)
			f->vskip = VSKIP;
		f->vtries = f->vhits = 0;
	}
	if (v->h == h && v->rawlen == rl && memcmp(v->raw, raw, rl) == 0)
		f->vhits++;
	else {
		fld_norm_make(m, f, raw, rl);
		if (f->nlen > VNORM) {
			v->h = 0;
			return;
		}
		v->h = h;
		v->gen = ++m->vgen;
		v->rawlen = rl;
		memcpy(v->raw, raw, rl);
		v->normlen = f->nlen;
		memcpy(v->norm, f->nptr != NULL ? f->nptr :
		    m->arena.s + f->noff, f->nlen);
	}
	f->nptr = v->norm;
	f->nlen = v->normlen;
	f->vslot = (int)(v - f->vs);
	f->vgen = v->gen;
}

/*
 * The normal form of a field's cell; 0 if the input has no such column.
 * A row asks for some fields many times (each condition on them): the
 * answer kept for the row is given in line.
 */
static inline int
fld_norm(struct wz_matcher *m, int fi, const char **s, size_t *n)
{
	struct field *f = &m->fields[fi];

	if (f->col < 0)
		return 0;
	if (f->nstamp != m->stamp)
		fld_norm_row(m, f);
	*s = f->nptr != NULL ? f->nptr : m->arena.s + f->noff;
	*n = f->nlen;
	return 1;
}

/* A field's number, read as its name says (money, percent, plain). */
static int
fld_num(struct wz_matcher *m, int fi, double *v)
{
	struct field *f = &m->fields[fi];
	const char *raw;
	size_t rl;

	if (f->col < 0)
		return 0;
	if (f->vstamp != m->stamp) {
		f->vstamp = m->stamp;
		f->vok = 0;
		raw = cell(m, f->col, &rl);
		if (!is_blank(raw, rl)) {
			if (wz_num_value(f->kind, raw, rl, &f->v) == 0)
				f->vok = 1;
			else {
				report(m, "%s '%.*s%s' is not %s; comparisons "
				    "on it do not hold", hname(m, f->col),
				    wz_qlen(raw, rl), raw, wz_qmore(rl),
				    f->kind == WZ_NUM_AMOUNT ? "a sum of money" :
				    f->kind == WZ_NUM_PERCENT ?
				    "a percentage" : "a number");
				m->reported = 1;
			}
		}
	}
	*v = f->v;
	return f->vok;
}

/* Is one of the date columns order[from..n) filled in this row? */
static int
later_date(const struct wz_matcher *m, const int *order, size_t from,
    size_t n)
{
	const char *raw;
	size_t rl;

	for (; from < n; from++) {
		raw = cell(m, m->fields[order[from]].col, &rl);
		if (m->fields[order[from]].col >= 0 && !is_blank(raw, rl))
			return 1;
	}
	return 0;
}

/* The days the row's conduct covers (DESIGN.md Decision 5). */
static void
row_dates(struct wz_matcher *m)
{
	static const int order[] = { F_DATE, F_FOUND, F_YEAR };
	const char *raw, *s;
	size_t k, rl, n;
	long a, b;

	if (m->date_done)
		return;
	m->date_done = 1;
	m->dfrom = NO_DATE_LO;
	m->dto = NO_DATE_HI;
	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		int col = m->fields[order[k]].col;

		raw = cell(m, col, &rl);
		if (col < 0 || is_blank(raw, rl))
			continue;
		fld_norm(m, order[k], &s, &n);
		if (parse_date(s, n, &a, &b) == 0) {
			m->dfrom = a;
			m->dto = b;
			return;
		}
		report(m, "%s '%.*s%s' is not a date; %s", hname(m, col),
		    wz_qlen(raw, rl), raw, wz_qmore(rl),
		    later_date(m, order, k + 1, sizeof(order) /
		    sizeof(order[0])) ? "the next date column is used" :
		    "the row is matched as undated");
		m->reported = 1;
	}
}

/* The row's year for history: the year column, else a date's. */
static int
row_year(struct wz_matcher *m)
{
	static const int order[] = { F_YEAR, F_DATE, F_FOUND };
	const char *s;
	size_t k, n;
	long a, b;

	if (m->year_done)
		return m->year;
	m->year_done = 1;
	m->year = 0;
	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		if (fld_norm(m, order[k], &s, &n) && n > 0 &&
		    parse_date(s, n, &a, &b) == 0 && a / 10000 == b / 10000) {
			m->year = (int)(a / 10000);
			break;
		}
	return m->year;
}

/* The groups of the row's posts, as bits. */
static void
row_groups(struct wz_matcher *m)
{
	size_t k, w;

	memset(m->rowg, 0, m->ngw * sizeof(*m->rowg));
	for (k = 0; k < m->nposts; k++)
		for (w = 0; w < m->ngw; w++)
			m->rowg[w] |= m->postg[(size_t)(m->posts[k] -
			    m->rs->posts) * m->ngw + w];
}

static void
row_posts(struct wz_matcher *m)
{
	const struct field *f = &m->fields[F_TITLE];
	const char *raw;
	size_t rl, unmatched = 0;
	struct pent *e = NULL;
	uint64_t h = 0;
	int rc;

	if (m->posts_done)
		return;
	m->posts_done = 1;
	m->nposts = 0;
	m->pstate = P_MISSING;
	m->title_raw = NULL;
	raw = cell(m, f->col, &rl);
	if (f->col < 0)
		return;
	/* Titles repeat: a county has few; remember the recent ones.  (A
	 * blank one is never kept: one found is not blank.) */
	if (rl <= PCACHE_TITLE) {
		h = wz_hash_mem(raw, rl) | 1;
		e = &m->pcache[h % PCACHE];
		if (e->h == h && e->tlen == rl &&
		    memcmp(e->title, raw, rl) == 0) {
			m->title_raw = raw;
			m->pstate = e->state;
			m->nposts = e->n;
			memcpy(m->posts, e->p, sizeof(m->posts));
			if (m->ngw <= PENT_GW)
				memcpy(m->rowg, e->g, PENT_GW *
				    sizeof(*m->rowg));
			else
				row_groups(m);
			return;
		}
	}
	if (is_blank(raw, rl))
		return;
	m->title_raw = raw;
	m->nposts = wz_rules_title_posts(m->rs, raw, m->posts, MAXPOSTS,
	    &unmatched, &rc);
	if (rc != 0) {
		/* Not cached: the title has no known posts, nor none. */
		if (!m->rejected)
			report(m, "a post pattern %s on title '%.*s%s'; row "
			    "not fully matched", rc == WZ_RX_LIMIT ?
			    "hit the match limit" : "failed (PCRE2 error)",
			    wz_qlen(raw, rl), raw, wz_qmore(rl));
		m->rejected = 1;
		m->nposts = 0;
		m->pstate = P_FAILED;
		return;
	}
	m->pstate = m->nposts > 0 ? P_KNOWN : P_UNKNOWN;
	row_groups(m);
	if (e != NULL) {
		e->h = h;
		memcpy(e->title, raw, rl);
		e->title[rl] = '\0';
		e->tlen = (unsigned char)rl;
		e->state = (unsigned char)m->pstate;
		e->n = (unsigned char)m->nposts;
		memcpy(e->p, m->posts, sizeof(m->posts));
		if (m->ngw <= PENT_GW)
			memcpy(e->g, m->rowg, PENT_GW * sizeof(*m->rowg));
	}
}

/* Is the document of unit u's article in force on the row's dates? */
static int
in_force(struct wz_matcher *m, const struct unit *u)
{
	if (u->eff == NO_DATE_LO && u->until == NO_DATE_HI)
		return 1;
	row_dates(m);
	return m->dto >= u->eff && m->dfrom <= u->until;
}

/*
 * Does the unit's article take the row's post?  Sets the group used: the
 * first of the unit's groups that holds one of the row's posts; "unknown"
 * when the post is missing or no post takes the title (every group's
 * articles are cited then); for an article of every post, the row's own
 * group in the document, or "".  Returns 1 or 0, or -1 when a post
 * pattern could not finish on the title (the row is rejected).
 */
static int
applies(struct wz_matcher *m, const struct unit *u, const struct docinfo *di,
    const char **gid, const char **glabel)
{
	size_t i;

#define IN_ROW(gi) ((m->rowg[(gi)->bit >> 6] >> ((gi)->bit & 63)) & 1)
	row_posts(m);
	if (m->pstate == P_FAILED)
		return -1;
	if (m->pstate != P_KNOWN) {
		*gid = "unknown";
		*glabel = "职务未识别";
		return 1;
	}
	if (u->ngroups == (size_t)-1)
		return 0;
	if (u->ngroups == 0) {
		*gid = *glabel = "";
		for (i = 0; i < di->ngroups; i++)
			if (IN_ROW(&di->groups[i])) {
				*gid = di->groups[i].g->id;
				*glabel = di->groups[i].g->label;
				return 1;
			}
		return 1;
	}
	for (i = 0; i < u->ngroups; i++) {
		size_t bit = i < UNIT_GB ? u->gb[i] : u->groups[i]->bit;

		if ((m->rowg[bit >> 6] >> (bit & 63)) & 1) {
			*gid = u->groups[i]->g->id;
			*glabel = u->groups[i]->g->label;
			return 1;
		}
	}
	return 0;
#undef IN_ROW
}

/* ------------------------------------------------------------------ */
/* Evaluation. */

static void
xadd(struct wz_matcher *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Explain: one clause per condition that held, "; " between. */
static void
xadd(struct wz_matcher *m, const char *fmt, ...)
{
	struct wz_buf *b = &m->acc.xb;
	va_list ap;

	if (!m->o.explain)
		return;
	if (b->len >= 2 && !(b->s[b->len - 2] == ':' && b->s[b->len - 1] ==
	    ' '))
		wz_buf_add(b, "; ", 2);
	va_start(ap, fmt);
	wz_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

static struct evi *
ev_new(struct acc *a)
{
	if (a->nev == a->capev) {
		a->capev = a->capev ? a->capev * 2 : 16;
		a->ev = wz_reallocarray(a->ev, a->capev, sizeof(*a->ev));
	}
	return &a->ev[a->nev++];
}

/* Add an evidence item made of up to three pieces. */
static void
evidence(struct wz_matcher *m, const char *p1, size_t n1, const char *p2,
    size_t n2, const char *p3, size_t n3)
{
	struct acc *a = &m->acc;
	struct evi *e;
	size_t n = n1 + n2 + n3;

	if (n == 0)
		return;
	e = ev_new(a);
	e->a = a->eb.len;
	e->b = n;
	e->text = 0;
	wz_buf_add(&a->eb, p1, n1);
	wz_buf_add(&a->eb, p2, n2);
	wz_buf_add(&a->eb, p3, n3);
}

/* Add the user's words behind normalised text [s, e) as an item. */
static void
evidence_text(struct wz_matcher *m, size_t s, size_t e)
{
	struct evi *v = ev_new(&m->acc);

	v->a = s;
	v->b = e;
	v->text = 1;
}

/* The evidence items, each once, "; " between, appended to b. */
static void
ev_join(struct wz_matcher *m, struct wz_buf *b)
{
	struct acc *a = &m->acc;
	size_t i, k, n = 0, from, to;
	const char *p;
	size_t l;

	if (a->nev > a->capevs) {
		a->capevs = a->nev;
		a->evs = wz_reallocarray(a->evs, a->capevs, sizeof(*a->evs));
	}
	for (i = 0; i < a->nev; i++) {
		const struct evi *e = &a->ev[i];

		if (e->text) {
			/* A row's citations mostly show the same spans. */
			if (m->sp_stamp != m->stamp || m->sp_a != e->a ||
			    m->sp_b != e->b) {
				wz_norm_span(m->nm_text, e->a, e->b,
				    &m->sp_from, &m->sp_to);
				m->sp_stamp = m->stamp;
				m->sp_a = e->a;
				m->sp_b = e->b;
			}
			from = m->sp_from;
			to = m->sp_to;
			p = m->raw + from;
			l = to - from;
		} else {
			p = a->eb.s + e->a;
			l = e->b;
		}
		if (l == 0)
			continue;
		for (k = 0; k < n; k++)
			if (a->evs[k].n == l && memcmp(a->evs[k].p, p, l) == 0)
				break;
		if (k < n)
			continue;
		if (n > 0)
			wz_buf_add(b, "; ", 2);
		wz_buf_add(b, p, l);
		a->evs[n].p = p;
		a->evs[n++].n = l;
	}
}

/* Evidence of a field test: "HEADER=cell". */
static void
fld_evidence(struct wz_matcher *m, int fi)
{
	int col = m->fields[fi].col;
	const char *h = hname(m, col), *raw;
	size_t rl;

	raw = cell(m, col, &rl);
	evidence(m, h, strlen(h), "=", 1, raw, rl);
}

static struct cap *
cap_new(struct wz_matcher *m, const char *name)
{
	struct acc *a = &m->acc;
	struct cap *c;

	if (a->ncaps == a->capcaps) {
		a->capcaps = a->capcaps ? a->capcaps * 2 : 16;
		a->caps = wz_reallocarray(a->caps, a->capcaps,
		    sizeof(*a->caps));
	}
	c = &a->caps[a->ncaps++];
	c->name = name;
	c->voff = a->cb.len;
	c->vlen = 0;
	c->ok = 0;
	return c;
}

/*
 * The number a capture reads as (wz_num_value()), kept by kind and text
 * in a small direct-mapped table: captured sums repeat (3.5万元).
 */
static int
cap_value(struct wz_matcher *m, enum wz_numkind k, const char *s, size_t n,
    double *v)
{
	struct nment *e;
	uint64_t h;
	int ok;

	if (n > NUMMEMO_LEN)
		return wz_num_value(k, s, n, v) == 0;
	if (m->nummemo == NULL)
		m->nummemo = wz_calloc(NUMMEMO, sizeof(*m->nummemo));
	h = wz_hash_mem(s, n) ^ (uint64_t)k;
	e = &m->nummemo[(h >> 20) & (NUMMEMO - 1)];
	if (e->len == n + 1 && e->kind == (unsigned char)k &&
	    memcmp(e->s, s, n) == 0) {
		*v = e->v;
		return e->ok;
	}
	ok = wz_num_value(k, s, n, v) == 0;
	e->len = (unsigned char)(n + 1);
	e->kind = (unsigned char)k;
	e->ok = (unsigned char)ok;
	e->v = ok ? *v : 0;
	memcpy(e->s, s, n);
	return ok;
}

/* A named capture s[0..n), with what follows it in its subject. */
static void
capture(struct wz_matcher *m, const char *name, const char *s, size_t n,
    size_t after)
{
	enum wz_numkind k = wz_num_kind(name);
	struct cap *c;

	/* "(?<amount>[0-9.]+)万元": the unit words belong to the sum.  (They
	 * are all Chinese: none starts with an ASCII byte.) */
	if (k == WZ_NUM_AMOUNT && after > 0 && (unsigned char)s[n] >= 0x80)
		n += wz_num_unit_tail(s + n, after);
	c = cap_new(m, name);
	wz_buf_add(&m->acc.cb, s, n);
	c->vlen = n;
	c->ok = cap_value(m, k, s, n, &c->num);
}

static const struct cap *
cap_find(const struct wz_matcher *m, const char *name)
{
	size_t i;

	for (i = m->acc.cap0; i < m->acc.ncaps; i++)
		if (strcmp(m->acc.caps[i].name, name) == 0)
			return &m->acc.caps[i];
	return NULL;
}

static int
rx_fail(struct wz_matcher *m, const struct mcond *mc, int rc)
{
	if (!m->rejected)
		report(m, "pattern of %s %s; %s", mc->owner,
		    rc == WZ_RX_LIMIT ? "hit the match limit" :
		    "failed (PCRE2 error)", m->nofilter ?
		    "row not fully read for history" : "row not fully matched");
	m->rejected = 1;
	return -1;
}

static int	eval(struct wz_matcher *, const struct mcond *);

static int
captures(struct wz_matcher *m, struct wz_rx *rx, const char *subj, size_t n)
{
	size_t i, s, e;

	for (i = 0; i < wz_rx_nnames(rx); i++)
		if (wz_rx_named(rx, i, &s, &e))
			capture(m, wz_rx_name(rx, i), subj + s, e - s, n - e);
	return 1;
}

/* The named groups of a text leaf's match, as captures() reads them. */
static void
leaf_captures(struct wz_matcher *m, const struct leaf *l, const char *subj,
    size_t n)
{
	size_t i, k = wz_rx_nnames(l->rx);

	for (i = 0; i < k; i++)
		if (l->ns[2 * i] != (size_t)-1)
			capture(m, wz_rx_name(l->rx, i), subj + l->ns[2 * i],
			    l->ns[2 * i + 1] - l->ns[2 * i],
			    n - l->ns[2 * i + 1]);
}

/* Has mc's pattern a result for this row already? */
static int
leaf_known(const struct wz_matcher *m, const struct mcond *mc)
{
	return mc->leaf >= 0 && m->leaves[mc->leaf].stamp == m->stamp;
}

/* Remember the row's result of mc's pattern (the prefilter's "cannot
 * match" too: it holds for every condition of the same pattern). */
static void
leaf_set(struct wz_matcher *m, const struct mcond *mc, int res, size_t s,
    size_t e)
{
	struct leaf *l;

	if (mc->leaf < 0)
		return;
	l = &m->leaves[mc->leaf];
	l->stamp = m->stamp;
	l->res = res;
	l->s = s;
	l->e = e;
}

/* A field pattern's result for the field's value in this row, if the
 * value has a slot: the entry to read or fill. */
static struct vres *
leaf_vres(struct wz_matcher *m, const struct mcond *mc)
{
	struct leaf *l;
	const struct field *f;

	/* --no-prefilter runs every pattern on every row. */
	if (mc->leaf < 0 || mc->kind != WZ_C_RE || m->o.no_prefilter)
		return NULL;
	f = &m->fields[mc->fld];
	if (f->nstamp != m->stamp || f->vslot < 0)
		return NULL;
	l = &m->leaves[mc->leaf];
	if (l->vres == NULL)
		l->vres = wz_calloc(VSLOTS, sizeof(*l->vres));
	return &l->vres[f->vslot];
}

static void
leaf_vset(struct wz_matcher *m, const struct mcond *mc, int res, size_t s,
    size_t e)
{
	struct vres *vr = leaf_vres(m, mc);

	if (vr == NULL)
		return;
	vr->gen = m->fields[mc->fld].vgen;
	vr->res = res;
	vr->s = s;
	vr->e = e;
}

/*
 * Run mc's pattern on subj[0..n), or take the row's earlier result of the
 * same pattern on the same subject.  A fresh match leaves the rx ready
 * for captures().
 */
static int
leaf_match_from(struct wz_matcher *m, const struct mcond *mc,
    const char *subj, size_t n, size_t from, size_t *ms, size_t *me)
{
	struct leaf *l = mc->leaf >= 0 ? &m->leaves[mc->leaf] : NULL;
	int rc;

	if (l != NULL && l->stamp == m->stamp) {
		*ms = l->s;
		*me = l->e;
		return l->res;
	}
	rc = wz_rx_match_from(mc->c->rx, subj, n, from);
	*ms = *me = 0;
	if (rc == WZ_RX_MATCH)
		wz_rx_span(mc->c->rx, ms, me);
	if (rc == WZ_RX_MATCH && l != NULL && l->ns != NULL) {
		size_t i, k = wz_rx_nnames(l->rx);

		/* The rx that ran: the leaf's may be another's. */
		for (i = 0; i < k; i++)
			if (!wz_rx_named(mc->c->rx, i, &l->ns[2 * i],
			    &l->ns[2 * i + 1]))
				l->ns[2 * i] = (size_t)-1;
	}
	if (rc == WZ_RX_MATCH || rc == WZ_RX_NOMATCH) {
		leaf_set(m, mc, rc, *ms, *me);
		leaf_vset(m, mc, rc, *ms, *me);
	}
	return rc;
}

static int
leaf_match(struct wz_matcher *m, const struct mcond *mc, const char *subj,
    size_t n, size_t *ms, size_t *me)
{
	return leaf_match_from(m, mc, subj, n, 0, ms, me);
}

/* Is literal l in the row's text? */
#define FOUND(lbits, l)	(((lbits)[(l) >> 6] >> ((l) & 63)) & 1)

/*
 * Of the literals at *rp (their number, then each as its id and length),
 * where the earliest first occurrence of one found starts, and that
 * one's length in *len; (size_t)-1 when none is found.  *rp is moved
 * past them.
 */
static inline size_t
first_found(const uint64_t *lbits, const struct wz_ac_end *lat,
    const uint32_t **rp, size_t *len)
{
	const uint32_t *r = *rp, *re;
	size_t at, best = (size_t)-1;

	*len = 0;
	for (re = r + 1 + 2 * (size_t)*r, r++; r < re; r += 2)
		if (FOUND(lbits, r[0]) && (at = lat[r[0]].first - r[1]) <
		    best) {
			best = at;
			*len = r[1];
		}
	*rp = r;
	return best;
}

/*
 * Is each of the clauses at *rp (a number of them, then each as
 * clause_record() puts it) found, each with an occurrence that starts
 * at or after the earliest place the one before can start?  Starts, not
 * ends: two clauses can share a character (ab+c gives ab and bc).  When
 * they are, *rp is moved past them.
 */
static int
in_order(const uint64_t *lbits, const struct wz_ac_end *lat,
    const uint32_t **rp)
{
	const uint32_t *r = *rp, *re;
	size_t i, nq = *r++, e = 0, fs, ls, at;
	int hit;

	for (i = 0; i < nq; i++) {
		fs = (size_t)-1;
		ls = 0;
		hit = 0;
		for (re = r + 1 + 2 * (size_t)*r, r++; r < re; r += 2) {
			if (!FOUND(lbits, r[0]))
				continue;
			hit = 1;
			if ((at = lat[r[0]].first - r[1]) < fs)
				fs = at;
			if ((at = lat[r[0]].last - r[1]) > ls)
				ls = at;
		}
		if (!hit || (i > 0 && ls < e))
			return 0;
		if (fs > e)
			e = fs;
	}
	*rp = r;
	return 1;
}

/*
 * Where in the row's text a match of tid t's pattern can start first
 * (*from: the first place one of its leading literals was found; 0 when
 * it has none) and end at the latest (*until: the last place one of its
 * trailing literals ends; the text's length when it has none), from its
 * record (pos_record()).  0 when it cannot match: none of its leading
 * or trailing literals is in the text, *until is not past *from (a
 * match holds a literal), its clauses were not found in the order of
 * the pattern (each has a literal in the text: candidates() said so),
 * or none of its top-level branches has its clauses in the text in
 * order (when the branches are known).
 */
static int
text_bounds(const struct wz_matcher *m, size_t t, size_t *fromp,
    size_t *untilp)
{
	const uint64_t *lbits = m->lbits;
	const struct wz_ac_end *lat = m->lat;
	const uint32_t *r = m->tpos + m->tpos_off[t], *re;
	size_t from = 0, until = m->tlen, len, nb;

	if (*r > 0) {
		if ((from = first_found(lbits, lat, &r, &len)) == (size_t)-1)
			return 0;
	} else
		r++;
	if (*r > 0) {
		until = 0;
		for (re = r + 1 + *r, r++; r < re; r++)
			if (FOUND(lbits, *r) && lat[*r].last > until)
				until = lat[*r].last;
	} else
		r++;
	if (until <= from)
		return 0;
	*fromp = from;
	*untilp = until;
	/* Most have no order to check: no call then. */
	if (*r == 0)
		r++;
	else if (!in_order(lbits, lat, &r))
		return 0;
	if ((nb = *r++) == 0)
		return 1;
	for (; nb > 0; nb--, r = re) {
		re = r + 1 + *r;
		r++;
		if (in_order(lbits, lat, &r))
			return 1;
	}
	return 0;
}

/*
 * The match of tid t's literal alternatives (alt_records()) in the row's
 * text: the first of them, in the pattern's order, found at the leftmost
 * place one is.  Each found there is found there first, where the
 * automaton put it.  As leaf_match_from() gives it, in *ms and *me and
 * in mc's leaf.
 */
static int
alt_match(struct wz_matcher *m, const struct mcond *mc, size_t *ms,
    size_t *me)
{
	const uint32_t *r = m->talt + m->talt_off[mc->tid];
	size_t best, blen;
	int rc;

	best = first_found(m->lbits, m->lat, &r, &blen);
	*ms = *me = 0;
	if (best == (size_t)-1)
		rc = WZ_RX_NOMATCH;
	else {
		rc = WZ_RX_MATCH;
		*ms = best;
		*me = best + blen;
	}
	leaf_set(m, mc, rc, *ms, *me);
	return rc;
}

/* Does s[0..n) hold the literal (ASCII letters folded to lower case)? */
static int
has_literal(const struct rlit *lit, const char *s, size_t n)
{
	size_t i, j;

	if (lit->n > n)
		return 0;
	if (!lit->alpha) {
		/* Short subjects: a plain loop beats memmem()'s set-up. */
		for (i = 0; i + lit->n <= n; i++) {
			if (s[i] != lit->s[0])
				continue;
			for (j = 1; j < lit->n && s[i + j] == lit->s[j]; j++)
				;
			if (j == lit->n)
				return 1;
		}
		return 0;
	}
	for (i = 0; i + lit->n <= n; i++) {
		for (j = 0; j < lit->n; j++) {
			char c = s[i + j];

			if (c >= 'A' && c <= 'Z')
				c += 32;
			if (c != lit->s[j])
				break;
		}
		if (j == lit->n)
			return 1;
	}
	return 0;
}

/* Does s[0..n) hold a literal of each of mc's clauses? */
static int
has_clauses(const struct mcond *mc, const char *s, size_t n)
{
	size_t i, k;

	for (i = 0; i < mc->nrcl; i++) {
		for (k = mc->rcl[i]; k < mc->rcl[i + 1]; k++)
			if (has_literal(&mc->rlits[k], s, n))
				break;
		if (k == mc->rcl[i + 1])
			return 0;
	}
	return 1;
}

static int
eval_text(struct wz_matcher *m, const struct mcond *mc)
{
	const struct wz_cond *c = mc->c;
	size_t s, e, from, until;
	int rc;

	if (mc->tid >= 0 && !m->nofilter && !m->o.no_prefilter &&
	    !((m->tbits[mc->tid >> 6] >> (mc->tid & 63)) & 1))
		return 0;
	ensure_text(m);
	from = 0;
	until = m->tlen;
	if (!leaf_known(m, mc)) {
		/* The order is checked here, not in candidates(): only for
		 * patterns about to run.  "Cannot match" is the pattern's
		 * result for the row, for every condition that shares it.
		 * A match starts at from or after and ends at until or
		 * before, and is not empty (it holds a literal). */
		if (mc->tid >= 0 && !m->nopos ?
		    !text_bounds(m, (size_t)mc->tid, &from, &until) :
		    until <= from) {
			leaf_set(m, mc, WZ_RX_NOMATCH, 0, 0);
			return 0;
		}
	}
	if (mc->tid >= 0 && !m->nopos && m->talt_off[mc->tid] != 0 &&
	    !leaf_known(m, mc))
		rc = alt_match(m, mc, &s, &e);
	else
		rc = leaf_match_from(m, mc, m->text, until, from, &s, &e);
	if (rc == WZ_RX_NOMATCH)
		return 0;
	if (rc != WZ_RX_MATCH)
		return rx_fail(m, mc, rc);
	if (mc->leaf < 0)
		captures(m, c->rx, m->text, m->tlen);
	else if (m->leaves[mc->leaf].ns != NULL)
		leaf_captures(m, &m->leaves[mc->leaf], m->text, m->tlen);
	if (e > s)
		evidence_text(m, s, e);
	xadd(m, "text /%s/: %.*s", c->pattern, (int)(e - s), m->text + s);
	return 1;
}

/*
 * The result of a field pattern on the field's normal form s[0..n): the
 * row's, else the one of an earlier row with the same value, else the
 * prefilter's "cannot match", else a match.  A fresh match leaves the rx
 * ready for captures().
 */
static int
re_result(struct wz_matcher *m, const struct mcond *mc, const char *s,
    size_t n)
{
	const struct vres *vr;
	size_t ms, me;

	if (!leaf_known(m, mc)) {
		if ((vr = leaf_vres(m, mc)) != NULL &&
		    vr->gen == m->fields[mc->fld].vgen) {
			/* This value was seen before. */
			leaf_set(m, mc, vr->res, vr->s, vr->e);
		} else if (mc->nrcl > 0 && !m->o.no_prefilter &&
		    !has_clauses(mc, s, n)) {
			leaf_set(m, mc, WZ_RX_NOMATCH, 0, 0);
			leaf_vset(m, mc, WZ_RX_NOMATCH, 0, 0);
			return WZ_RX_NOMATCH;
		}
	}
	return leaf_match(m, mc, s, n, &ms, &me);
}

static int
eval_re(struct wz_matcher *m, const struct mcond *mc)
{
	const struct wz_cond *c = mc->c;
	const char *s;
	size_t n;
	int rc;

	if (!fld_norm(m, mc->fld, &s, &n))
		return 0;
	rc = re_result(m, mc, s, n);
	if (rc == WZ_RX_NOMATCH)
		return 0;
	if (rc != WZ_RX_MATCH)
		return rx_fail(m, mc, rc);
	if (mc->leaf < 0)
		captures(m, c->rx, s, n);
	fld_evidence(m, mc->fld);
	xadd(m, "%s /%s/: %.*s", hname(m, m->fields[mc->fld].col), c->pattern,
	    (int)n, s);
	return 1;
}

static int
eval_in(struct wz_matcher *m, const struct mcond *mc)
{
	const struct wz_strv *set = &mc->c->set;
	const char *s;
	size_t n, i;

	if (!fld_norm(m, mc->fld, &s, &n))
		return 0;
	for (i = 0; i < set->n; i++)
		if (strlen(set->v[i]) == n && memcmp(set->v[i], s, n) == 0) {
			fld_evidence(m, mc->fld);
			xadd(m, "%s in [%s%s]: %.*s",
			    hname(m, m->fields[mc->fld].col), set->v[0],
			    set->n > 1 ? ", ..." : "", (int)n, s);
			return 1;
		}
	return 0;
}

static int
eval_present(struct wz_matcher *m, const struct mcond *mc)
{
	int col = m->fields[mc->fld].col, present;
	const char *raw;
	size_t rl;

	raw = cell(m, col, &rl);
	present = col >= 0 && !is_blank(raw, rl);
	if (present != (mc->c->present != 0))
		return 0;
	if (present) {
		fld_evidence(m, mc->fld);
		xadd(m, "%s present", hname(m, col));
	} else if (col >= 0)
		xadd(m, "%s empty", hname(m, col));
	else
		xadd(m, "no %s column", mc->c->field);
	return 1;
}

static int
eval_cmp(struct wz_matcher *m, const struct mcond *mc)
{
	static const char *const opname[] = { "<", "<=", ">", ">=", "=", "!=" };
	const struct wz_cond *c = mc->c;
	const struct cap *cp;
	char a[32], b[32];
	double v;
	int ok = 0, from_field = 0, res;

	if ((cp = cap_find(m, c->value)) != NULL) {
		ok = cp->ok;
		v = cp->num;
	} else if (mc->fld >= 0 && fld_num(m, mc->fld, &v)) {
		ok = 1;
		from_field = 1;
	}
	if (!ok || !mc->rhs_ok)
		return 0;
	switch (c->op) {
	case WZ_LT: res = v < mc->rhs; break;
	case WZ_LE: res = v <= mc->rhs; break;
	case WZ_GT: res = v > mc->rhs; break;
	case WZ_GE: res = v >= mc->rhs; break;
	case WZ_EQ: res = v == mc->rhs; break;
	default: res = v != mc->rhs; break;
	}
	if (!res)
		return 0;
	/* The words only for a value taken from a field, or to explain. */
	if (!from_field && !m->o.explain)
		return 1;
	wz_num_format(v, a, sizeof(a));
	wz_num_format(mc->rhs, b, sizeof(b));
	if (from_field) {
		struct cap *nc;

		fld_evidence(m, mc->fld);
		nc = cap_new(m, c->value);
		wz_buf_adds(&m->acc.cb, a);
		nc->vlen = strlen(a);
		nc->ok = 1;
		nc->num = v;
	}
	xadd(m, "%s %s %s %s%s%s%s", c->value, a, opname[c->op], b,
	    c->param ? " (" : "", c->param ? c->param : "",
	    c->param ? ")" : "");
	return 1;
}

/* The key of a history condition for this row, in m->kb; 0 if a key
 * field is empty or missing. */
static int
hist_key(struct wz_matcher *m, const struct hist *h)
{
	const char *s;
	size_t i, n;

	buf_trunc(&m->kb, 0);
	for (i = 0; i < h->nkeys; i++) {
		if (!fld_norm(m, h->keys[i], &s, &n) || n == 0)
			return 0;
		if (i > 0)
			wz_buf_addc(&m->kb, 0x1f);
		wz_buf_add(&m->kb, s, n);
	}
	return h->nkeys > 0;
}

static uint64_t
hhash(int hid, const char *k, size_t kl, int year)
{
	uint64_t h = wz_hash(k, kl);

	h ^= (uint64_t)(unsigned)hid * 0x9e3779b97f4a7c15ULL;
	h ^= (uint64_t)(unsigned)year * 0xff51afd7ed558ccdULL;
	return h;
}

static struct hent *
hfind(const struct htab *t, int hid, const char *k, size_t kl, int year)
{
	uint64_t h = hhash(hid, k, kl, year);
	size_t i, mask = t->nslots - 1;
	struct hent *e;

	if (t->nslots == 0)
		return NULL;
	for (i = h & mask; t->slots[i] != 0; i = (i + 1) & mask) {
		e = &t->ents[t->slots[i] - 1];
		if (e->h == h && e->hid == hid && e->year == year &&
		    e->klen == kl && memcmp(t->str.s + e->koff, k, kl) == 0)
			return e;
	}
	return NULL;
}

static void
hinsert(struct htab *t, int hid, const char *k, size_t kl, int year,
    const char *ev, size_t evl)
{
	struct hent *e;
	size_t i, j, mask;

	if (hfind(t, hid, k, kl, year) != NULL)
		return;
	if ((t->n + 1) * 2 > t->nslots) {
		t->nslots = t->nslots ? t->nslots * 2 : 64;
		free(t->slots);
		t->slots = wz_calloc(t->nslots, sizeof(*t->slots));
		mask = t->nslots - 1;
		for (j = 0; j < t->n; j++) {
			for (i = t->ents[j].h & mask; t->slots[i] != 0;
			    i = (i + 1) & mask)
				;
			t->slots[i] = j + 1;
		}
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->ents = wz_reallocarray(t->ents, t->cap, sizeof(*t->ents));
	}
	e = &t->ents[t->n];
	e->h = hhash(hid, k, kl, year);
	e->hid = hid;
	e->year = year;
	e->koff = t->str.len;
	e->klen = kl;
	wz_buf_add(&t->str, k, kl);
	e->eoff = t->str.len;
	e->elen = evl;
	wz_buf_add(&t->str, ev, evl);
	mask = t->nslots - 1;
	for (i = e->h & mask; t->slots[i] != 0; i = (i + 1) & mask)
		;
	t->slots[i] = ++t->n;
}

static void
htab_reset(struct htab *t)
{
	t->n = 0;
	if (t->slots != NULL)
		memset(t->slots, 0, t->nslots * sizeof(*t->slots));
	buf_trunc(&t->str, 0);
}

static void
htab_free(struct htab *t)
{
	free(t->ents);
	free(t->slots);
	wz_buf_free(&t->str);
}

/* The name of a unit: the last part of a path of units (通渭县/西山乡
 * is 西山乡). */
static void
unit_name(const char *s, size_t n, const char **u, size_t *ul)
{
	const char *p = s + n;

	while (p > s && p[-1] != '/')
		p--;
	*u = p;
	*ul = (size_t)(s + n - p);
}

/* The year y's history of h for the row's key (in m->kb): the sheet's
 * (first pass), else the ledgers'. */
static const struct hent *
hist_at(struct wz_matcher *m, int hid, const struct hist *h, int y,
    const struct htab **t)
{
	const struct hent *e;

	*t = &m->ht;
	if ((e = hfind(&m->ht, hid, m->kb.s, m->kb.len, y)) != NULL ||
	    m->lt.n == 0 || h->c->hist_case == NULL || h->nkeys != 1)
		return e;
	*t = &m->lt;
	return hfind(&m->lt, hid, m->kb.s, m->kb.len, y);
}

static int
eval_history(struct wz_matcher *m, const struct mcond *mc)
{
	const struct hist *h = &m->hists[mc->hid];
	const struct hent *e;
	const struct htab *t;
	char yb[16];
	int y, k;

	if (m->o.no_history || (y = row_year(m)) == 0 || !hist_key(m, h))
		return 0;
	for (k = 1; k <= h->years; k++)
		if (hist_at(m, mc->hid, h, y - k, &t) == NULL)
			return 0;
	for (k = 1; k <= h->years; k++) {
		e = hist_at(m, mc->hid, h, y - k, &t);
		snprintf(yb, sizeof(yb), "%d: ", y - k);
		evidence(m, yb, strlen(yb), t->str.s + e->eoff, e->elen,
		    NULL, 0);
		xadd(m, "history %.*s %d: %.*s", (int)m->kb.len, m->kb.s,
		    y - k, (int)e->elen, t->str.s + e->eoff);
	}
	return 1;
}

/* Can a part hold, as far as the prefilter knows?  From its parent's
 * summary (one of the prefilter ids of its need is in the row). */
static inline int
ks_hit(const struct wz_matcher *m, const struct ksum *ks)
{
	const size_t *v;
	int k;

	if (ks->nd_n < 0 || m->nofilter)
		return 1;
	if (ks->nd_n == 0)
		return 0;
	if ((m->tbits[ks->t0 >> 6] >> (ks->t0 & 63)) & 1)
		return 1;
	v = m->ndv + ks->nd_off;
	for (k = 1; k < ks->nd_n; k++)
		if ((m->tbits[v[k] >> 6] >> (v[k] & 63)) & 1)
			return 1;
	return 0;
}

static int	field_holds(struct wz_matcher *, const struct mcond *);

static int
eval(struct wz_matcher *m, const struct mcond *mc)
{
	struct mark mk;
	size_t i;
	int r;

	switch (mc->kind) {
	case WZ_C_TEXT:
		return eval_text(m, mc);
	case WZ_C_RE:
		return eval_re(m, mc);
	case WZ_C_IN:
		return eval_in(m, mc);
	case WZ_C_PRESENT:
		return eval_present(m, mc);
	case WZ_C_CMP:
		return eval_cmp(m, mc);
	case WZ_C_ALL:
		/* What the prefilter and the field tests say first: a text
		 * pattern is not run when a field test fails. */
		for (i = 0; i < mc->nkids; i++)
			if (!ks_hit(m, &mc->ks[i]))
				return 0;
		for (i = 0; i < mc->nkids; i++)
			if (mc->ks[i].ff && !field_holds(m, mc->kids[i]))
				return 0;
		for (i = 0; i < mc->nkids; i++)
			if ((r = eval(m, mc->kids[i])) <= 0)
				return r;
		return 1;
	case WZ_C_ANY:
		for (i = 0; i < mc->nkids; i++) {
			if (!ks_hit(m, &mc->ks[i]))
				continue;
			acc_mark(&m->acc, &mk);
			if ((r = eval(m, mc->kids[i])) != 0)
				return r;
			acc_undo(&m->acc, &mk);
		}
		return 0;
	case WZ_C_NOT:
		/* A part the prefilter says cannot hold (as an `any` passes
		 * over it) would give 0 with nothing added: no visit. */
		if (!ks_hit(m, &mc->ks[0]))
			return 1;
		acc_mark(&m->acc, &mk);
		r = eval(m, mc->kids[0]);
		acc_undo(&m->acc, &mk);
		return r < 0 ? r : !r;
	case WZ_C_HISTORY:
		return eval_history(m, mc);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Rows. */

static int
is_cand(const struct wz_matcher *m, const struct unit *u)
{
	size_t i = (size_t)(u - m->units);

	return (m->cbits[i >> 6] >> (i & 63)) & 1;
}

/* Can a gate atom hold in this row? */
static int
atom_holds(struct wz_matcher *m, size_t a)
{
	if (a < m->ntids)
		return (m->tbits[a >> 6] >> (a & 63)) & 1;
	return field_holds(m, m->gatoms[a - m->ntids]);
}

/*
 * Can a field test hold in this row?  Made without evidence; a pattern
 * that fails (match limit) may hold: the eval will meet the failure
 * again and report it.
 */
static int
field_holds(struct wz_matcher *m, const struct mcond *mc)
{
	const struct wz_strv *set;
	const char *s, *raw;
	size_t n, i;

	switch (mc->kind) {
	case WZ_C_RE:
		if (!fld_norm(m, mc->fld, &s, &n))
			return 0;
		return re_result(m, mc, s, n) != WZ_RX_NOMATCH;
	case WZ_C_IN:
		if (!fld_norm(m, mc->fld, &s, &n))
			return 0;
		set = &mc->c->set;
		for (i = 0; i < set->n; i++)
			if (strlen(set->v[i]) == n &&
			    memcmp(set->v[i], s, n) == 0)
				return 1;
		return 0;
	case WZ_C_PRESENT:
		if (m->fields[mc->fld].col < 0)
			return 0;
		raw = cell(m, m->fields[mc->fld].col, &n);
		return !is_blank(raw, n);
	default:
		return 1;
	}
}

/* Does one of the unit's gate atoms that are not tids hold?  (Its tids
 * are known not to: candidates().) */
static int
gate_open(struct wz_matcher *m, struct unit *u)
{
	const size_t *v = m->gatev + u->goff;
	const struct field *f = NULL;
	const char *s;
	size_t k = u->gtids, n;
	int r = 0;

	/* (A gate of tids alone has gfld -1 and no atoms after them: 0.
	 * candidates() does not walk those.) */
	if (u->gfld >= 0) {
		f = &m->fields[u->gfld];
		/* The field's value is mostly looked up already this row. */
		if (f->col < 0)
			f = NULL;
		else if (f->nstamp != m->stamp)
			fld_norm(m, u->gfld, &s, &n);
		if (f != NULL && f->vslot >= 0 && u->ggen == f->vgen)
			return u->gval;
	}
	for (; k < u->gn && !r; k++)
		r = atom_holds(m, v[k]);
	if (f != NULL && f->vslot >= 0) {
		u->ggen = f->vgen;
		u->gval = r;
	}
	return r;
}

/*
 * Has each clause of a tid's record r (see trec) a literal in the row
 * (lbits)?  Then the record's units, after the clauses; else NULL.
 */
static inline const uint32_t *
rest_found(const uint64_t *lbits, const uint32_t *r)
{
	const uint32_t *e, *end = r + 1 + *r;

	for (r++; r < end; r = e) {
		e = r + 1 + *r;
		for (r++; ; r++) {
			if (r == e)
				return NULL;
			if ((lbits[*r >> 6] >> (*r & 63)) & 1)
				break;
		}
	}
	return end;
}

/*
 * Literals -> the tids anchored on them -> those whose other clauses
 * are in too, into m->tbits and m->tlist, and their units into
 * m->cbits.  A tid reached again through another literal of its anchor
 * is passed over by its bit: it mostly held (one that did not is tested
 * again, which gives the same).  What the loops read of m is in locals:
 * the stores (tbits, tlist, cbits) could be to m as far as the compiler
 * knows, which would have it load m's fields again after each.  count:
 * learn which literals are common (a constant of each copy).
 */
static inline __attribute__((always_inline)) void
cand_tids_walk(struct wz_matcher *m, int count)
{
	const uint32_t *ll = m->llist, *rec = m->trec;
	const uint32_t *r, *re;
	const struct ltent *lt = m->lt_ent, *e;
	const uint64_t *lbits = m->lbits;
	uint64_t *tbits = m->tbits, *cbits = m->cbits;
	struct wz_ac_end *lat = m->lat;
	uint32_t *tlist = m->tlist;
	size_t i, n = m->nllist, nt = m->ntlist;
	uint32_t u, l, o;

	for (i = 0; i < n; i++) {
		l = ll[i];
		/* For adapt_anchors(). */
		if (count)
			lat[l].LSEEN++;
		if ((o = lat[l].LT_OFF) == 0)
			continue;
		for (e = lt + o; (u = e->tid) != LT_END; e++) {
			if ((tbits[u >> 6] >> (u & 63)) & 1)
				continue;
			if ((r = rest_found(lbits, rec + e->rec)) == NULL)
				continue;
			tbits[u >> 6] |= 1ULL << (u & 63);
			tlist[nt++] = u;
			for (re = r + 1 + *r, r++; r < re; r++)
				cbits[*r >> 6] |= 1ULL << (*r & 63);
		}
	}
	m->ntlist = nt;
}

/*
 * Once no adaptation is to come, what was learnt is not read again but
 * by anchor_lists() when the units are bound: counting stops.
 */
static void
cand_tids(struct wz_matcher *m)
{
	if (m->next_adapt != 0)
		cand_tids_walk(m, 1);
	else
		cand_tids_walk(m, 0);
}

/* The units this row can reach, in unit order, in m->cand. */
static void
candidates(struct wz_matcher *m)
{
	uint64_t *cbits = m->cbits, b;
	size_t i, u, w, g, n;
	const char *s;
	int sl;

	if (m->ntids > 0 && !m->o.no_prefilter)
		scan_text(m);
	/* The units the row's tids reach, and the gates they open (both
	 * in their records: cand_tids()); a gate opens with one of its
	 * tids in the row, else with one of its field tests.  (A gated
	 * unit is an always-unit: no tid reaches it through tu_list, its
	 * bit is the gate's.) */
	memcpy(cbits, m->gbits, m->nuwords * sizeof(*cbits));
	cand_tids(m);
	/* Now and then, with what cand_tids() learnt of the literals
	 * (the row's tids are the same in whichever order): at 64 rows,
	 * 512, ..., the last at 262,144, whose counts already say which
	 * literals are common; cand_tids() counts no more after it. */
	if (++m->nseen == m->next_adapt) {
		adapt_anchors(m);
		m->next_adapt = m->nseen < (1UL << 18) ? m->nseen * 8 : 0;
	}
	for (g = 0; g < m->ngf; g++) {
		struct gfield *gf = &m->gf[g];
		const struct field *f = NULL;

		if (gf->fld >= 0 && m->fields[gf->fld].col >= 0) {
			f = &m->fields[gf->fld];
			if (f->nstamp != m->stamp)
				fld_norm(m, gf->fld, &s, &n);
			if (f->vslot < 0)
				f = NULL;
		}
		if (f != NULL) {
			/* Every gate of the group, once per value. */
			sl = f->vslot;
			if (gf->gen[sl] != f->vgen) {
				gf->open[sl] = 0;
				for (i = gf->from; i < gf->to; i++)
					if (gate_open(m, &m->units[m->gated[i]]))
						gf->open[sl] |= 1ULL <<
						    (i - gf->from);
				gf->gen[sl] = f->vgen;
			}
			for (b = gf->open[sl]; b != 0; b &= b - 1) {
				u = m->gated[gf->from +
				    (size_t)__builtin_ctzll(b)];
				cbits[u >> 6] |= 1ULL << (u & 63);
			}
			continue;
		}
		for (i = gf->from; i < gf->to; i++) {
			u = m->gated[i];
			if (!((cbits[u >> 6] >> (u & 63)) & 1) &&
			    gate_open(m, &m->units[u]))
				cbits[u >> 6] |= 1ULL << (u & 63);
		}
	}
	m->ncand = 0;
	/* (Only units that can hold with the header were set: pbits is in
	 * gbits, the tids' records and the gates.) */
	for (w = 0; w < m->nuwords; w++) {
		for (b = cbits[w]; b != 0; b &= b - 1)
			m->cand[m->ncand++] = w * 64 + (size_t)__builtin_ctzll(b);
	}
}

/* Does exclusion unit u hold for this row?  Cached per row. */
static int
excl_holds(struct wz_matcher *m, struct unit *u)
{
	struct mark mk;
	int r;

	if (!is_cand(m, u))
		return 0;
	if (u->xstamp == m->stamp)
		return u->xval;
	acc_mark(&m->acc, &mk);
	r = eval(m, u->cond);
	acc_undo(&m->acc, &mk);
	if (r < 0)
		return -1;
	u->xstamp = m->stamp;
	u->xval = r;
	return r;
}

/* Values: the captures and numbers compared, first of each name. */
static void
put_values(struct wz_matcher *m, const char *cases)
{
	const struct acc *a = &m->acc;
	size_t i, j, k;
	int first = 1;
	char nb[32];

	for (i = 0; i < a->ncaps; i++) {
		const struct cap *c = &a->caps[i];

		for (j = 0; j < i; j++)
			if (strcmp(a->caps[j].name, c->name) == 0)
				break;
		if (j < i)
			continue;
		if (!first)
			wz_buf_addc(&m->cb, ';');
		first = 0;
		wz_buf_adds(&m->cb, c->name);
		wz_buf_addc(&m->cb, '=');
		if (c->ok) {
			wz_buf_adds(&m->cb, wz_num_format(c->num, nb,
			    sizeof(nb)));
			continue;
		}
		/* Text values: the separators become spaces. */
		wz_buf_reserve(&m->cb, c->vlen);
		for (k = 0; k < c->vlen; k++) {
			char ch = a->cb.s[c->voff + k];

			m->cb.s[m->cb.len++] = ch == ';' || ch == '=' ? ' ' : ch;
		}
		m->cb.s[m->cb.len] = '\0';
	}
	if (cases[0] != '\0') {
		if (!first)
			wz_buf_addc(&m->cb, ';');
		wz_buf_adds(&m->cb, "case=");
		wz_buf_adds(&m->cb, cases);
	}
	wz_buf_addc(&m->cb, '\0');
}

/* End a string of m->cb: a NUL as wz_buf_addc() adds it. */
static inline void
cb_nul(struct wz_buf *b)
{
	if (b->s == NULL || b->len + 1 >= b->cap) {
		wz_buf_addc(b, '\0');
		return;
	}
	b->s[b->len++] = '\0';
	b->s[b->len] = '\0';
}

static void
cite(struct wz_matcher *m, size_t art, const char *gid, const char *glabel,
    enum wz_severity sev, const char *cases, size_t ncases)
{
	struct cit *c;

	if (m->ncits == m->capcits) {
		m->capcits = m->capcits ? m->capcits * 2 : 8;
		m->cits = wz_reallocarray(m->cits, m->capcits,
		    sizeof(*m->cits));
	}
	c = &m->cits[m->ncits++];
	c->art = art;
	c->group = gid;
	c->glabel = glabel;
	c->sev = sev;
	/* With -v nothing writes a citation's words: they stay empty.
	 * Each string ends with a NUL (wz_buf_add() puts one after the
	 * bytes; the length steps over it). */
	c->evoff = m->cb.len;
	if (!m->o.invert)
		ev_join(m, &m->cb);
	cb_nul(&m->cb);
	c->caoff = m->cb.len;
	wz_buf_add(&m->cb, cases, ncases);
	cb_nul(&m->cb);
	c->vaoff = m->cb.len;
	if (!m->o.invert)	/* not m->cb's copy: adding to it moves it */
		put_values(m, cases);
	else
		cb_nul(&m->cb);
	c->xoff = m->cb.len;
	if (m->acc.xb.len > 0)
		wz_buf_add(&m->cb, m->acc.xb.s, m->acc.xb.len);
	cb_nul(&m->cb);
}

/*
 * The units cand[from..to) of one article: cite it if one of its cases
 * holds.  Returns 1 (cited), 0 (not), -1 (the row is rejected).
 */
static int
eval_article(struct wz_matcher *m, size_t art, size_t from, size_t to)
{
	const struct mart *ma = &m->arts[art];
	const char *gid = NULL, *glabel = NULL, *g, *gl;
	enum wz_severity sev;
	struct wz_buf *cases = &m->caseb;
	struct mark mk;
	size_t k;
	int r, any = 0;

	if (!in_force(m, &m->units[m->cand[from]]))
		return 0;
	acc_reset(&m->acc);
	buf_trunc(cases, 0);
	for (k = from; k < to; k++) {
		const struct unit *u = &m->units[m->cand[k]];

		if ((r = applies(m, u, ma->doc, &g, &gl)) < 0)
			return -1;
		if (r == 0)
			continue;
		acc_mark(&m->acc, &mk);
		m->acc.cap0 = m->acc.ncaps;
		if (u->cs->id != NULL)
			xadd(m, "case %s: ", u->cs->id);
		if ((r = eval(m, u->cond)) < 0)
			return -1;
		if (r == 0) {
			acc_undo(&m->acc, &mk);
			continue;
		}
		if (!any) {
			gid = g;
			glabel = gl;
		}
		any = 1;
		if (u->cs->id != NULL) {
			if (cases->len > 0)
				wz_buf_addc(cases, ',');
			wz_buf_adds(cases, u->cs->id);
		}
	}
	if (!any)
		return 0;
	for (k = 0; k < ma->doc->nexcl; k++) {
		struct unit *x = &m->units[ma->doc->excl[k]];

		if ((r = excl_holds(m, x)) < 0)
			return -1;
		if (r > 0) {
			m->doc_excluded = 1;
			if (m->excluded_by == NULL)
				m->excluded_by = x->ex->id;
			return 0;
		}
	}
	sev = ma->art->severity;
	m->acc.cap0 = 0;
	for (k = 0; k < ma->nsev; k++) {
		acc_mark(&m->acc, &mk);
		r = eval(m, ma->sev[k]);
		acc_undo(&m->acc, &mk);
		if (r < 0)
			return -1;
		if (r > 0) {
			sev = ma->art->sevwhen[k].severity;
			xadd(m, "severity %s by severity_when %zu",
			    wz_severity_code(sev), k + 1);
			break;
		}
	}
	cite(m, art, gid, glabel, sev, cases->s != NULL ? cases->s : "",
	    cases->len);
	if (m->pstate == P_UNKNOWN)
		m->unknown_post = 1;
	return 1;
}

static void
publish(struct wz_matcher *m)
{
	size_t i;

	if (m->ncits > m->cappub) {
		m->cappub = m->ncits;
		m->pub = wz_reallocarray(m->pub, m->cappub, sizeof(*m->pub));
	}
	for (i = 0; i < m->ncits; i++) {
		const struct cit *c = &m->cits[i];
		struct wz_citation *p = &m->pub[i];

		p->art = m->arts[c->art].art;
		p->evidence = m->cb.s + c->evoff;
		p->values = m->cb.s + c->vaoff;
		p->cases = m->cb.s + c->caoff;
		p->explain = m->cb.s + c->xoff;
		p->group = c->group;
		p->group_label = c->glabel;
		p->severity = c->sev;
	}
}

enum wz_match_result
wz_matcher_row(struct wz_matcher *m, const struct wz_row *row)
{
	size_t i, j, a;
	int r;

	row_begin(m, row);
	candidates(m);
	for (i = 0; i < m->ncommon; i++) {
		struct unit *u;

		/* Mostly not a candidate: known without a visit. */
		a = m->common[i];
		if (!((m->cbits[a >> 6] >> (a & 63)) & 1))
			continue;
		u = &m->units[a];
		if ((r = excl_holds(m, u)) < 0)
			goto rejected;
		if (r > 0) {
			m->excluded_by = u->ex->id;
			return WZ_M_EXCLUDED;
		}
	}
	for (i = 0; i < m->ncand; i = j) {
		a = m->units[m->cand[i]].art;
		for (j = i + 1; j < m->ncand && m->units[m->cand[j]].art == a;
		    j++)
			;
		if (a == (size_t)-1)
			continue;
		if (eval_article(m, a, i, j) < 0)
			goto rejected;
	}
	if (m->ncits == 0)
		return m->doc_excluded ? WZ_M_EXCLUDED : WZ_M_UNMATCHED;
	publish(m);
	if (m->unknown_post)
		report(m, "unknown post '%.*s%s'; every group's articles "
		    "cited", wz_qlen(m->title_raw, strlen(m->title_raw)),
		    m->title_raw, wz_qmore(strlen(m->title_raw)));
	return WZ_M_MATCHED;
rejected:
	m->ncits = 0;
	return WZ_M_REJECTED;
}

size_t
wz_matcher_citations(const struct wz_matcher *m, const struct wz_citation **cit)
{
	*cit = m->pub;
	return m->ncits;
}

int
wz_matcher_row_unknown_post(const struct wz_matcher *m)
{
	return m->unknown_post;
}

int
wz_matcher_row_reported(const struct wz_matcher *m)
{
	return m->reported;
}

const char *
wz_matcher_row_exclusion(const struct wz_matcher *m)
{
	return m->excluded_by;
}

/* ------------------------------------------------------------------ */
/* History: the first pass. */

/* Can the condition hold at all with the bound columns? */
static int
possible(const struct wz_matcher *m, const struct mcond *mc)
{
	size_t i;

	switch (mc->kind) {
	case WZ_C_TEXT:
		return m->ntcols > 0;
	case WZ_C_RE:
	case WZ_C_IN:
		return m->fields[mc->fld].col >= 0;
	case WZ_C_PRESENT:
		return !mc->c->present || m->fields[mc->fld].col >= 0;
	case WZ_C_ALL:
		for (i = 0; i < mc->nkids; i++)
			if (!possible(m, mc->kids[i]))
				return 0;
		return 1;
	case WZ_C_ANY:
		for (i = 0; i < mc->nkids; i++)
			if (possible(m, mc->kids[i]))
				return 1;
		return 0;
	default:
		return 1;
	}
}

int
wz_matcher_history_needed(const struct wz_matcher *m)
{
	size_t i, k;

	if (!wz_matcher_has_history(m))
		return 0;
	if (m->fields[F_YEAR].col < 0 && m->fields[F_DATE].col < 0 &&
	    m->fields[F_FOUND].col < 0)
		return 0;
	for (i = 0; i < m->nhists; i++) {
		for (k = 0; k < m->hists[i].nkeys; k++)
			if (m->fields[m->hists[i].keys[k]].col < 0)
				break;
		if (k == m->hists[i].nkeys && m->hists[i].inner != NULL &&
		    possible(m, m->hists[i].inner))
			return 1;
	}
	return 0;
}

void
wz_matcher_history_row(struct wz_matcher *m, const struct wz_row *row)
{
	size_t i;
	int y, r;

	row_begin(m, row);
	if ((y = row_year(m)) == 0)
		return;
	m->nofilter = 1;
	for (i = 0; i < m->nhists; i++) {
		const struct hist *h = &m->hists[i];

		if (h->inner == NULL || !hist_key(m, h))
			continue;
		acc_reset(&m->acc);
		if ((r = eval(m, h->inner)) < 0) {
			m->hist_problem = 1;
			m->rejected = 0;
			continue;
		}
		if (r == 0)
			continue;
		/* The key again: evaluating may have used m->kb. */
		hist_key(m, h);
		buf_trunc(&m->cb, 0);
		ev_join(m, &m->cb);
		hinsert(&m->ht, (int)i, m->kb.s, m->kb.len, y, m->cb.s !=
		    NULL ? m->cb.s : "", m->cb.len);
	}
	m->nofilter = 0;
	m->text_done = 0;
}

void
wz_matcher_history_reset(struct wz_matcher *m)
{
	htab_reset(&m->ht);
}

/* ---- History from ledgers (wz-match --ledger). ---- */

/* Does the comma-separated list l hold id? */
static int
case_listed(const char *l, const char *id)
{
	size_t n = strlen(id);
	const char *p;

	for (p = l; (p = strstr(p, id)) != NULL; p += n)
		if ((p == l || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

/* Does history condition h take the ledgers' cases of this article and
 * rule cases (NULL: any)? */
static int
hist_takes(const struct hist *h, const char *article, const char *cases)
{
	return h->c->hist_case != NULL && h->nkeys == 1 &&
	    strcmp(h->owner, article) == 0 && (cases == NULL ||
	    case_listed(cases, h->c->hist_case));
}

static int
ledger_want(void *arg, const char *article, const char *cases)
{
	struct wz_matcher *m = arg;
	size_t i;

	for (i = 0; i < m->nhists; i++)
		if (hist_takes(&m->hists[i], article, cases))
			return 1;
	return 0;
}

/* A ledger's unit as a row's would be keyed: normalised as fields are,
 * into b.  0 if there is none. */
static int
ledger_unit(struct wz_matcher *m, const char *s, struct wz_buf *b)
{
	size_t n = strlen(s);
	int why;

	buf_trunc(b, 0);
	if (n == 0 || wz_utf8_check((const unsigned char *)s, n, &why) != n)
		return 0;
	if (!plain_ascii(s, n))
		s = wz_norm_run(m->nm_fld, s, n, &n);
	wz_buf_add(b, s, n);
	return n > 0;
}

/* Is the case the unit's own (wz-tier's row for a unit: tier collective,
 * liable_id the unit's path, or empty, liable_name the unit)?  A person
 * reached through the team is collective too, with a person's id. */
static int
unit_case(const struct wz_lhcase *c)
{
	const char *u;
	size_t ul;

	if (strcmp(c->tier, "collective") != 0)
		return 0;
	unit_name(c->liable_id, strlen(c->liable_id), &u, &ul);
	return c->liable_id[0] == '\0' || strcmp(u, c->liable_name) == 0;
}

static void
ledger_take(void *arg, const struct wz_lhcase *c)
{
	struct wz_matcher *m = arg;
	struct wz_buf key = { 0 }, ev = { 0 };
	const char *unit[2];
	size_t i, k;

	/* A case's unit is its place; the unit's own case names it as the
	 * liable party too, by its path. */
	unit[0] = c->place;
	unit[1] = !unit_case(c) ? "" : c->liable_id[0] != '\0' ?
	    c->liable_id : c->liable_name;
	for (i = 0; i < m->nhists; i++) {
		const struct hist *h = &m->hists[i];

		if (!hist_takes(h, c->article, c->cases))
			continue;
		buf_trunc(&ev, 0);
		wz_buf_printf(&ev, "ledger %s:%lu %s", c->ledger, c->line,
		    h->c->hist_case);
		/* Under the path and each shorter path that ends it: a
		 * row's 西山乡 or 通渭县/西山乡 is 通渭县/西山乡, and not
		 * 临县/西山乡 when the row says 通渭县/西山乡. */
		for (k = 0; k < 2; k++) {
			const char *p, *e;

			if (!ledger_unit(m, unit[k], &key))
				continue;
			for (p = key.s, e = key.s + key.len; p < e; p++) {
				hinsert(&m->lt, (int)i, p, (size_t)(e - p),
				    c->year, ev.s, ev.len);
				if ((p = memchr(p, '/', (size_t)(e - p))) ==
				    NULL)
					break;
			}
		}
	}
	wz_buf_free(&key);
	wz_buf_free(&ev);
}

int
wz_matcher_ledgers(struct wz_matcher *m, char *const *paths, size_t n,
    struct wz_lhist_stats *st)
{
	return wz_ledger_history(paths, n, ledger_want, ledger_take, m, st);
}

/* ------------------------------------------------------------------ */
/* Output. */

void
wz_matcher_write_header(const struct wz_matcher *m, struct wz_writer *w,
    const struct wz_row *hdr)
{
	static const char *const cols[] = { "article", "article_text",
	    "evidence", "severity", "values", "group", NULL };
	static const char *const zh[] = { "severity_zh", "group_zh", NULL };

	wz_writer_filter_header(w, hdr, cols, m->o.labels_zh ? zh : NULL,
	    m->o.explain);
}

static size_t
enc_slot(const struct encent *t, size_t nslots, const void *key)
{
	size_t i, mask = nslots - 1;

	for (i = (size_t)(((uintptr_t)key >> 4) * 0x9e3779b97f4a7c15ULL >>
	    32) & mask; t[i].key != NULL && t[i].key != key;
	    i = (i + 1) & mask)
		;
	return i;
}

/* The encoding of fields f[0..nf) for w, cached under key. */
static const struct encent *
encoded(struct wz_matcher *m, const struct wz_writer *w, const void *key,
    const char *const *f, size_t nf)
{
	struct encent *e, *old;
	struct wz_buf b = { 0 };
	size_t i, n, l[2];

	if (m->nenc > 0) {
		e = &m->enc[enc_slot(m->enc, m->nenc, key)];
		if (e->key == key)
			return e;
	}
	if (2 * (m->nencused + 1) > m->nenc) {
		old = m->enc;
		n = m->nenc;
		m->nenc = n > 0 ? 2 * n : 64;
		m->enc = wz_calloc(m->nenc, sizeof(*m->enc));
		for (i = 0; i < n; i++)
			if (old[i].key != NULL)
				m->enc[enc_slot(m->enc, m->nenc,
				    old[i].key)] = old[i];
		free(old);
	}
	e = &m->enc[enc_slot(m->enc, m->nenc, key)];
	for (i = 0; i < nf; i++)
		l[i] = strlen(f[i]);
	wz_writer_encode_fields(w, f, l, nf, &b);
	e->key = key;
	e->s = b.s;
	e->n = b.len;
	m->nencused++;
	return e;
}

/* A field that repeats (a severity, a group): its cached encoding. */
static void
put_const(struct wz_matcher *m, struct wz_writer *w, struct wz_piece *p,
    const char *s)
{
	const struct encent *e;

	if (s == NULL)
		s = "";
	e = encoded(m, w, s, &s, 1);
	p->s = e->s;
	p->n = e->n;
	p->nf = 1;
}

/* A severity's code (zh 0) or label (zh 1), encoded: kept by value. */
static void
put_sev(struct wz_matcher *m, struct wz_writer *w, struct wz_piece *p,
    enum wz_severity sev, int zh)
{
	struct encent *e;
	const char *s;

	if ((unsigned)sev >= 4) {
		s = sev == WZ_SEV_NONE ? "" : zh ? wz_severity_zh(sev) :
		    wz_severity_code(sev);
		put_const(m, w, p, s);
		return;
	}
	e = &m->sevenc[zh][sev];
	if (e->key == NULL) {
		s = sev == WZ_SEV_NONE ? "" : zh ? wz_severity_zh(sev) :
		    wz_severity_code(sev);
		put_const(m, w, p, s);
		e->key = s;
		e->s = (char *)p->s;
		e->n = p->n;
		return;
	}
	p->s = e->s;
	p->n = e->n;
	p->nf = 1;
}

/* A string of a citation: its text and length. */
static void
put_str(struct wz_piece *p, const char *s, size_t n)
{
	p->s = s;
	p->n = n;
	p->nf = 0;
}

void
wz_matcher_write_citation(struct wz_matcher *m, struct wz_writer *w,
    const struct wz_row *row, const struct wz_citation *c)
{
	const char *af[2] = { c->art->id, c->art->text };
	const struct encent *e;
	const struct cit *ci = NULL;
	struct mart *ma = NULL;
	struct wz_piece p[8];
	size_t i, np = 0;

	if (m->enc_w != w) {
		/* Another writer (or the first): start the caches again. */
		for (i = 0; i < m->nenc; i++)
			free(m->enc[i].s);
		if (m->nenc > 0)
			memset(m->enc, 0, m->nenc * sizeof(*m->enc));
		m->nencused = 0;
		memset(m->sevenc, 0, sizeof(m->sevenc));
		for (i = 0; i < m->narts; i++)
			m->arts[i].encs = NULL;
		m->enc_w = w;
		m->rowenc_stamp = 0;
	}
	if (m->rowenc_stamp != m->stamp) {
		wz_writer_encode(w, row, &m->rowenc);
		m->rowenc_stamp = m->stamp;
	}
	wz_writer_put(w, &m->rowenc);
	/* The row's own citations: their lengths and article are known. */
	if (c >= m->pub && c < m->pub + m->ncits) {
		ci = &m->cits[c - m->pub];
		ma = &m->arts[ci->art];
	}
	if (ma != NULL && ma->encs != NULL) {
		p[np].s = ma->encs;
		p[np].n = ma->encn;
	} else {
		/* Its string stays where it is when the table grows. */
		e = encoded(m, w, c->art, af, 2);
		p[np].s = e->s;
		p[np].n = e->n;
		if (ma != NULL) {
			ma->encs = e->s;
			ma->encn = e->n;
		}
	}
	p[np++].nf = 2;
	if (ci != NULL)
		put_str(&p[np++], c->evidence, ci->caoff - 1 - ci->evoff);
	else
		put_str(&p[np++], c->evidence, strlen(c->evidence));
	put_sev(m, w, &p[np++], c->severity, 0);
	if (ci != NULL)
		put_str(&p[np++], c->values, ci->xoff - 1 - ci->vaoff);
	else
		put_str(&p[np++], c->values, strlen(c->values));
	put_const(m, w, &p[np++], c->group);
	if (m->o.labels_zh) {
		put_sev(m, w, &p[np++], c->severity, 1);
		put_const(m, w, &p[np++], c->group_label);
	}
	if (m->o.explain)
		put_str(&p[np++], c->explain, strlen(c->explain));
	wz_writer_pieces(w, p, np);
}

/* ------------------------------------------------------------------ */
/* Running over inputs. */

struct input {
	const char	*path;
	const char	*name;
	int		 fd, own;
	int		 status;	/* nonzero: skipped with this status */
};

static int
worst(int a, int b)
{
	return a > b ? a : b;
}

/* Copy fd to an unlinked temporary file; returns its fd or -1. */
static int
spool(int fd, const char *name)
{
	const char *dir = getenv("TMPDIR");
	char *path, buf[64 * 1024];
	ssize_t n, w, off;
	int t;

	path = wz_aprintf("%s/wz-match.XXXXXX", dir != NULL && *dir != '\0' ?
	    dir : "/tmp");
	if ((t = mkstemp(path)) == -1) {
		wz_sysmsg(path, "cannot create a temporary file for %s", name);
		free(path);
		return -1;
	}
	unlink(path);
	free(path);
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			wz_sysmsg(name, "read error");
			close(t);
			return -1;
		}
		for (off = 0; off < n; off += w)
			if ((w = write(t, buf + off, (size_t)(n - off))) == -1) {
				if (errno == EINTR) {
					w = 0;
					continue;
				}
				wz_sysmsg(NULL, "cannot copy %s to a temporary "
				    "file", name);
				close(t);
				return -1;
			}
	}
	if (lseek(t, 0, SEEK_SET) == -1) {
		wz_sysmsg(NULL, "temporary file");
		close(t);
		return -1;
	}
	return t;
}

static void
open_input(struct input *in, int history)
{
	struct stat sb;
	int t;

	in->fd = -1;
	if (strcmp(in->path, "-") == 0) {
		in->fd = STDIN_FILENO;
		in->name = "<stdin>";
	} else {
		in->name = in->path;
		if ((in->fd = open(in->path, O_RDONLY | O_CLOEXEC)) == -1) {
			wz_sysmsg(in->path, "cannot open");
			in->status = EX_NOINPUT;
			return;
		}
		in->own = 1;
	}
	/* Two passes need to read the input twice. */
	if (history && (fstat(in->fd, &sb) == -1 || !S_ISREG(sb.st_mode))) {
		t = spool(in->fd, in->name);
		if (in->own)
			close(in->fd);
		in->fd = t;
		in->own = t != -1;
		if (t == -1)
			in->status = EX_IOERR;
	}
}

static int
same_header(const struct wz_row *h, char **names, size_t n)
{
	size_t i;

	if (h->n != n)
		return 0;
	for (i = 0; i < n; i++)
		if (strlen(names[i]) != h->len[i] || memcmp(names[i], h->f[i],
		    h->len[i]) != 0)
			return 0;
	return 1;
}

static void
history_pass(struct wz_matcher *m, struct input *in, const struct wz_ropts *ro)
{
	struct wz_reader *r;
	const struct wz_row *hdr, *row;
	int rc;

	if ((r = wz_reader_fdopen(in->fd, in->name, ro)) == NULL) {
		in->status = EX_USAGE;
		return;
	}
	if (wz_reader_header(r, &hdr) == WZ_ROW) {
		if ((rc = wz_matcher_bind(m, hdr, in->name)) != 0)
			in->status = rc;
		else if (wz_matcher_history_needed(m))
			while ((rc = wz_reader_next(r, &row)) != WZ_EOF &&
			    rc != WZ_FATAL)
				if (rc == WZ_ROW)
					wz_matcher_history_row(m, row);
	}
	wz_reader_close(r);
	if (lseek(in->fd, 0, SEEK_SET) == -1) {
		wz_sysmsg(in->name, "cannot read again");
		in->status = EX_IOERR;
	}
}

int
wz_match_run(struct wz_matcher *m, char *const *paths, size_t n,
    const struct wz_ropts *ro, struct wz_writer *out, struct wz_writer *unm,
    struct wz_match_stats *st)
{
	struct input *in = wz_calloc(n + 1, sizeof(*in));
	struct wz_reader *r;
	const struct wz_row *hdr, *row;
	const struct wz_citation *cit;
	char **first = NULL;
	size_t nfirst = 0, i, k, nc;
	const char *firstname = NULL;
	int status = 0, rc, history = wz_matcher_has_history(m);

	memset(st, 0, sizeof(*st));
	for (i = 0; i < n; i++) {
		in[i].path = paths[i];
		open_input(&in[i], history);
	}
	for (i = 0; history && i < n; i++)
		if (in[i].status == 0)
			history_pass(m, &in[i], ro);
	for (i = 0; i < n; i++) {
		if (in[i].status != 0) {
			status = worst(status, in[i].status);
			continue;
		}
		if ((r = wz_reader_fdopen(in[i].fd, in[i].name, ro)) == NULL) {
			status = worst(status, EX_USAGE);
			continue;
		}
		if (wz_reader_header(r, &hdr) != WZ_ROW) {
			wz_msg(wz_reader_name(r), wz_reader_errline(r), "%s",
			    wz_reader_error(r));
			status = worst(status, wz_reader_errstatus(r));
			wz_reader_close(r);
			continue;
		}
		if ((rc = wz_matcher_bind(m, hdr, in[i].name)) != 0) {
			status = worst(status, rc);
			wz_reader_close(r);
			continue;
		}
		if (first == NULL) {
			nfirst = hdr->n;
			first = wz_calloc(nfirst + 1, sizeof(*first));
			for (k = 0; k < nfirst; k++)
				first[k] = wz_strndup(hdr->f[k], hdr->len[k]);
			firstname = in[i].name;
			if (out != NULL && m->o.invert)
				wz_writer_row(out, hdr);
			else if (out != NULL)
				wz_matcher_write_header(m, out, hdr);
			if (unm != NULL)
				wz_writer_row(unm, hdr);
		} else if (!same_header(hdr, first, nfirst)) {
			wz_msg(in[i].name, 1, "the header differs from %s's; "
			    "input skipped", firstname);
			status = worst(status, EX_DATAERR);
			wz_reader_close(r);
			continue;
		}
		while ((rc = wz_reader_next(r, &row)) != WZ_EOF) {
			if (rc == WZ_FATAL) {
				wz_msg(wz_reader_name(r), wz_reader_errline(r),
				    "%s", wz_reader_error(r));
				status = worst(status, wz_reader_errstatus(r));
				break;
			}
			st->read++;
			if (rc == WZ_BAD) {
				wz_msg(wz_reader_name(r), wz_reader_errline(r),
				    "%s", wz_reader_error(r));
				st->rejected++;
				continue;
			}
			switch (wz_matcher_row(m, row)) {
			case WZ_M_MATCHED:
				st->matched++;
				nc = wz_matcher_citations(m, &cit);
				st->citations += nc;
				for (k = 0; out != NULL && !m->o.invert &&
				    k < nc; k++)
					wz_matcher_write_citation(m, out, row,
					    &cit[k]);
				break;
			case WZ_M_REJECTED:
				st->rejected++;
				break;
			case WZ_M_EXCLUDED:
			case WZ_M_UNMATCHED:
				if (m->excluded_by != NULL)
					st->excluded++;
				else
					st->unmatched++;
				if (out != NULL && m->o.invert)
					wz_writer_row(out, row);
				if (unm != NULL)
					wz_writer_row(unm, row);
				break;
			}
			if (m->unknown_post)
				st->unknown_posts++;
			else if (m->reported)
				st->reported++;
		}
		wz_reader_close(r);
	}
	for (i = 0; i < n; i++)
		if (in[i].own)
			close(in[i].fd);
	for (k = 0; k < nfirst; k++)
		free(first[k]);
	free(first);
	free(in);
	if (st->rejected > 0 || st->unknown_posts > 0 || st->reported > 0 ||
	    m->hist_problem)
		status = worst(status, WZ_EX_ROWS);
	return status;
}

/* ------------------------------------------------------------------ */
/* Examples (wz-rules test). */

/* Example rows as a sheet: the header is every key of every row (keys
 * that start with '_' are the test's own), in first-seen order. */
struct exsheet {
	struct wz_row	 hdr;
	struct wz_row	*rows;
	size_t		 nrows;
};

static void
exsheet_make(struct exsheet *sh, const struct wz_example *ex)
{
	size_t i, j, k;

	memset(sh, 0, sizeof(*sh));
	for (i = 0; i < ex->nrows; i++)
		for (j = 0; j < ex->rows[i].keys.n; j++) {
			const char *key = ex->rows[i].keys.v[j];

			if (key[0] == '_')
				continue;
			for (k = 0; k < sh->hdr.n; k++)
				if (strcmp(sh->hdr.f[k], key) == 0)
					break;
			if (k < sh->hdr.n)
				continue;
			sh->hdr.f = wz_reallocarray(sh->hdr.f, sh->hdr.n + 1,
			    sizeof(*sh->hdr.f));
			sh->hdr.len = wz_reallocarray(sh->hdr.len,
			    sh->hdr.n + 1, sizeof(*sh->hdr.len));
			sh->hdr.f[sh->hdr.n] = (char *)key;
			sh->hdr.len[sh->hdr.n++] = strlen(key);
		}
	sh->nrows = ex->nrows;
	sh->rows = wz_calloc(ex->nrows + 1, sizeof(*sh->rows));
	for (i = 0; i < ex->nrows; i++) {
		struct wz_row *r = &sh->rows[i];

		r->n = sh->hdr.n;
		r->f = wz_calloc(r->n + 1, sizeof(*r->f));
		r->len = wz_calloc(r->n + 1, sizeof(*r->len));
		r->line = ex->line;
		r->recno = i + 1;
		for (k = 0; k < r->n; k++)
			r->f[k] = (char *)"";
		for (j = 0; j < ex->rows[i].keys.n; j++)
			for (k = 0; k < r->n; k++)
				if (strcmp(sh->hdr.f[k],
				    ex->rows[i].keys.v[j]) == 0) {
					r->f[k] = ex->rows[i].vals.v[j];
					r->len[k] = strlen(r->f[k]);
				}
	}
}

static void
exsheet_free(struct exsheet *sh)
{
	size_t i;

	for (i = 0; i < sh->nrows; i++) {
		free(sh->rows[i].f);
		free(sh->rows[i].len);
	}
	free(sh->rows);
	free(sh->hdr.f);
	free(sh->hdr.len);
}

/*
 * Run one example: bind its header, make the history pass over all its
 * rows, match the last.  Returns the result, or -1 if the header could
 * not be bound.
 */
static int
ex_run(struct wz_matcher *m, const struct wz_example *ex, const char *file,
    struct exsheet *sh)
{
	size_t i;

	exsheet_make(sh, ex);
	if (sh->nrows == 0 || wz_matcher_bind(m, &sh->hdr, file) != 0)
		return -1;
	wz_matcher_history_reset(m);
	if (wz_matcher_history_needed(m))
		for (i = 0; i < sh->nrows; i++)
			wz_matcher_history_row(m, &sh->rows[i]);
	return (int)wz_matcher_row(m, &sh->rows[sh->nrows - 1]);
}

/* The citation of article a in the last row, or NULL. */
static const struct wz_citation *
ex_cited(const struct wz_matcher *m, int res, const struct wz_article *a)
{
	const struct wz_citation *c;
	size_t i, n;

	if (res != WZ_M_MATCHED)
		return NULL;
	n = wz_matcher_citations(m, &c);
	for (i = 0; i < n; i++)
		if (c[i].art == a)
			return &c[i];
	return NULL;
}

static int
has_case(const char *cases, const char *id)
{
	size_t l = strlen(id);
	const char *p = cases;

	while ((p = strstr(p, id)) != NULL) {
		if ((p == cases || p[-1] == ',') && (p[l] == ',' ||
		    p[l] == '\0'))
			return 1;
		p += l;
	}
	return 0;
}

/* Why a positive example was not cited, for the failure line. */
static void
ex_why_not(const struct wz_matcher *m, int res, FILE *out)
{
	const struct wz_citation *c;
	size_t i, n;

	switch (res) {
	case -1:
		fprintf(out, "its header cannot be read");
		return;
	case WZ_M_REJECTED:
		fprintf(out, "row rejected");
		return;
	case WZ_M_EXCLUDED:
		fprintf(out, "not cited: excluded by %s", m->excluded_by);
		return;
	case WZ_M_UNMATCHED:
		fprintf(out, "not cited: nothing matched");
		return;
	}
	n = wz_matcher_citations(m, &c);
	fprintf(out, "not cited; cites");
	for (i = 0; i < n; i++)
		fprintf(out, "%s %s", i ? "," : "", c[i].art->id);
	if (m->pstate == P_KNOWN && m->nposts > 0)
		fprintf(out, " (post %s)", m->posts[0]->code);
}

struct extally {
	int		 tp, fn, tn, fp;
};

static void
ex_article(struct wz_matcher *m, const struct wz_article *a,
    struct extally *t, FILE *out)
{
	const struct wz_citation *c;
	struct exsheet sh;
	size_t i;
	int res;

	for (i = 0; i < a->npos; i++) {
		const struct wz_example *ex = &a->pos[i];

		res = ex_run(m, ex, a->file, &sh);
		c = res < 0 ? NULL : ex_cited(m, res, a);
		if (c != NULL && (ex->expect_case == NULL ||
		    has_case(c->cases, ex->expect_case))) {
			t->tp++;
		} else {
			t->fn++;
			fprintf(out, "FAIL %s positive %zu (%s:%lu): ", a->id,
			    i + 1, a->file, ex->line);
			if (c != NULL)
				fprintf(out, "cited as case %s, expected %s",
				    c->cases[0] ? c->cases : "(none)",
				    ex->expect_case);
			else
				ex_why_not(m, res, out);
			fputc('\n', out);
		}
		exsheet_free(&sh);
	}
	for (i = 0; i < a->nneg; i++) {
		const struct wz_example *ex = &a->neg[i];

		res = ex_run(m, ex, a->file, &sh);
		c = res < 0 ? NULL : ex_cited(m, res, a);
		/* A row a pattern limit stopped is not a row that matched
		 * nothing (SECURITY.md). */
		if (res >= 0 && res != WZ_M_REJECTED && c == NULL) {
			t->tn++;
		} else {
			t->fp++;
			fprintf(out, "FAIL %s negative %zu (%s:%lu): ", a->id,
			    i + 1, a->file, ex->line);
			if (c != NULL)
				fprintf(out, "cited (group %s; evidence %s%s%s)",
				    c->group[0] ? c->group : "-", c->evidence,
				    c->cases[0] ? "; case " : "", c->cases);
			else
				ex_why_not(m, res, out);
			fputc('\n', out);
		}
		exsheet_free(&sh);
	}
}

static void
ex_exclusion(struct wz_matcher *m, struct unit *u, struct extally *t,
    FILE *out)
{
	const struct wz_exclusion *x = u->ex;
	struct exsheet sh;
	size_t i, k;
	int res, held;

	for (k = 0; k < 2; k++) {
		const struct wz_example *exs = k == 0 ? x->pos : x->neg;
		size_t n = k == 0 ? x->npos : x->nneg;

		for (i = 0; i < n; i++) {
			res = ex_run(m, &exs[i], x->file, &sh);
			/* The row is set up; ask this exclusion itself.  A
			 * pattern limit (-1) is neither answer. */
			held = res >= 0 ? excl_holds(m, u) : -1;
			if (held > 0)
				held = 1;
			if (res >= 0 && held >= 0 && held == (k == 0)) {
				if (k == 0)
					t->tp++;
				else
					t->tn++;
			} else {
				if (k == 0)
					t->fn++;
				else
					t->fp++;
				fprintf(out, "FAIL exclusion %s %s %zu (%s:%lu): "
				    "%s\n", x->id, k == 0 ? "positive" :
				    "negative", i + 1, x->file, exs[i].line,
				    res < 0 ? "its header cannot be read" :
				    held < 0 ? "a pattern hit the match limit" :
				    held ? "excluded" : "not excluded");
			}
			exsheet_free(&sh);
		}
	}
}

static void
ex_line(FILE *out, const char *what, const struct extally *t)
{
	fprintf(out, "%s %s: %d tp, %d fn, %d tn, %d fp\n",
	    t->fn + t->fp ? "FAIL" : "ok  ", what, t->tp, t->fn, t->tn, t->fp);
}

int
wz_match_examples(const struct wz_ruleset *rs, const char *only_doc,
    int verbose, FILE *out)
{
	struct wz_match_opts o;
	struct wz_matcher *m;
	const char *docs[1];
	struct extally t, all = { 0, 0, 0, 0 };
	size_t i;
	char *what;

	memset(&o, 0, sizeof(o));
	o.explain = 1;
	if (only_doc != NULL) {
		docs[0] = only_doc;
		o.docs = docs;
		o.ndocs = 1;
	}
	if ((m = wz_matcher_new(rs, &o)) == NULL) {
		fprintf(out, "0 passed, 1 failed\n");
		return 1;
	}
	for (i = 0; i < m->narts; i++) {
		const struct wz_article *a = m->arts[i].art;

		if (a->npos + a->nneg == 0)
			continue;
		memset(&t, 0, sizeof(t));
		ex_article(m, a, &t, out);
		if (verbose)
			ex_line(out, a->id, &t);
		all.tp += t.tp;
		all.fn += t.fn;
		all.tn += t.tn;
		all.fp += t.fp;
	}
	for (i = m->nau; i < m->nunits; i++) {
		struct unit *u = &m->units[i];

		if (only_doc != NULL && u->ex->doc == NULL)
			continue;
		if (u->ex->npos + u->ex->nneg == 0)
			continue;
		memset(&t, 0, sizeof(t));
		ex_exclusion(m, u, &t, out);
		if (verbose) {
			what = wz_aprintf("exclusion %s", u->ex->id);
			ex_line(out, what, &t);
			free(what);
		}
		all.tp += t.tp;
		all.fn += t.fn;
		all.tn += t.tn;
		all.fp += t.fp;
	}
	wz_matcher_free(m);
	fprintf(out, "%d passed, %d failed\n", all.tp + all.tn,
	    all.fn + all.fp);
	return all.fn + all.fp;
}
