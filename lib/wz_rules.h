/*
 * wz_rules.h - the rules layer: rule files (rules/FORMAT.md, man
 * wenze-rules.5) loaded with libyaml into one read-only ruleset.
 *
 * Everything in a ruleset is owned by it and lives until wz_rules_free().
 * Strings in it are NUL-terminated UTF-8; patterns are compiled once with
 * PCRE2 JIT (lib/wz_rx.h).  Diagnostics are "prog: FILE:LINE:COL: msg".
 */
#ifndef WZ_RULES_H
#define WZ_RULES_H

#include <stddef.h>

#include "wz_base.h"
#include "wz_csv.h"
#include "wz_rx.h"

/* A list of strings. */
struct wz_strv {
	char		**v;
	size_t		  n;
};
/* Is s one of v's strings? */
int	 wz_strv_has(const struct wz_strv *v, const char *s);

enum wz_severity { WZ_SEV_NONE = 0, WZ_SEV_MINOR, WZ_SEV_SERIOUS, WZ_SEV_GRAVE };

enum wz_cond_kind {
	WZ_C_TEXT,	/* {text: RE} over the text field(s) */
	WZ_C_RE,	/* {field: F, re: RE} */
	WZ_C_IN,	/* {field: F, in: [..]} */
	WZ_C_PRESENT,	/* {field: F, present: bool} */
	WZ_C_CMP,	/* {value: V, lt|le|gt|ge|eq|ne: NUM|PARAM} */
	WZ_C_ALL,
	WZ_C_ANY,
	WZ_C_NOT,
	WZ_C_HISTORY	/* {history: {key, years, cond, ledger_case}} */
};

enum wz_cmp { WZ_LT, WZ_LE, WZ_GT, WZ_GE, WZ_EQ, WZ_NE };

struct wz_cond {
	enum wz_cond_kind kind;
	const char	 *file;		/* borrowed from the ruleset */
	unsigned long	  line, col;
	char		 *field;	/* RE, IN, PRESENT */
	char		 *pattern;	/* TEXT, RE: as written */
	struct wz_rx	 *rx;		/* TEXT, RE: compiled */
	struct wz_strv	  set;		/* IN: values, normalised */
	int		  present;	/* PRESENT */
	char		 *value;	/* CMP: capture or numeric field name */
	enum wz_cmp	  op;		/* CMP */
	double		  num;		/* CMP: right side when param == NULL */
	char		 *param;	/* CMP: right side, a parameter name */
	struct wz_cond	**kids;		/* ALL, ANY, NOT (one) */
	size_t		  nkids;
	struct wz_strv	  hist_key;	/* HISTORY */
	int		  hist_years;
	struct wz_cond	 *hist_cond;
	char		 *hist_case;	/* ledger_case */
	/*
	 * Prefilter: the text can only satisfy this condition if it holds
	 * one of these literals (normalised).  Empty when none could be
	 * derived; the matcher then always evaluates the condition.
	 * They are lowercase ASCII (patterns are caseless): look for them
	 * in the normalised text with its ASCII letters folded to lowercase
	 * (wz_rx_literals() in wz_rx.h says why that is exact).
	 * Made by wz_cond_lits() on first use, for this condition and those
	 * it holds: wz-match's prefilter reads the patterns' clauses
	 * (wz_rx_clauses()), no program reads these, and loading the rules
	 * does not pay for them.
	 */
	struct wz_strv	  lits;
	int		  lits_made;
};

struct wz_case {
	char		 *id;		/* NULL for the single `match:` form */
	char		 *label;
	struct wz_strv	  groups;	/* empty: the article's groups */
	struct wz_cond	 *match;
	unsigned long	  line;
};

/* One example finding: one row, or several when it needs history (the
 * last row is the one tested).  Keys are headers as a sheet has them. */
struct wz_exrow {
	struct wz_strv	  keys, vals;
};
struct wz_example {
	struct wz_exrow	 *rows;
	size_t		  nrows;
	char		 *expect_case;	/* _case, or NULL */
	unsigned long	  line;
};

enum wz_art_kind {
	WZ_K_CONDUCT, WZ_K_DUTY, WZ_K_TIER, WZ_K_AUTHORITY, WZ_K_MEASURE,
	WZ_K_PROCEDURE, WZ_K_PRINCIPLE, WZ_K_SCOPE
};

struct wz_doc;

struct wz_sevwhen {
	struct wz_cond	 *when;
	enum wz_severity  severity;
};

struct wz_article {
	char		 *id;		/* "tongwei2017:4.8" */
	char		 *ref;		/* 第四条第(八)项 */
	char		 *text;		/* verbatim, simplified */
	int		  text_summary;	/* text_kind: summary */
	enum wz_art_kind  kind;
	struct wz_doc	 *doc;
	struct wz_strv	  groups;	/* empty: every post */
	enum wz_severity  severity;
	struct wz_sevwhen *sevwhen;
	size_t		  nsevwhen;
	struct wz_case	 *cases;	/* `match:` is one case with id NULL */
	size_t		  ncases;
	struct wz_example *pos, *neg;
	size_t		  npos, nneg;
	const char	 *file;
	unsigned long	  line;
	char		 *note;		/* NULL: none */
};

struct wz_group {
	char		 *id, *label, *cite;
	struct wz_strv	  posts;	/* post codes; is_a applies */
	char		 *note;
};

struct wz_param {
	char		 *name, *label, *note;
	double		  def;
	double		  value;	/* def, or the -D override */
};

struct wz_tiers {
	char		 *cite;
	struct wz_strv	  direct, main_leader, important_leader;
};

struct wz_authority {
	char		 *cite;
	struct wz_strv	  posts, proposer, decider;
	char		 *rank;		/* NULL: any */
	struct wz_strv	  escalate_decider;
	char		 *note;
};

struct wz_handled {
	char		 *cite, *org, *discipline;
};

/* Liable selector of a penalty rule. */
struct wz_selector {
	struct wz_strv	  posts, not_posts, tiers, ranks;
	int		  unit;		/* the unit's own (collective) row */
	char		 *level;	/* with unit: a unit at this level */
};

struct wz_penalty {
	char		 *id;
	struct wz_doc	 *doc;
	struct wz_strv	  basis;
	struct wz_strv	  for_articles, for_cases;
	struct wz_selector to;
	struct wz_cond	 *when;		/* NULL: always */
	int		  repeat_min;	/* 0: no repeat condition */
	char		 *repeat_same;	/* "person" or "unit" */
	struct wz_strv	  measures;
	struct wz_strv	 *alts;		/* each: choose one, mildest first */
	size_t		  nalts;
	int		  judgement;
	int		  no_promotion_months;
	double		  rectify_days;	/* when rectify_param is NULL */
	char		 *rectify_param;
	int		  has_rectify;
	struct wz_strv	  replaces;
	char		 *note;
	const char	 *file;
	unsigned long	  line;
};

struct wz_exclusion {
	char		 *id, *label;
	struct wz_doc	 *doc;		/* NULL: common.yaml, every document */
	struct wz_cond	 *match;
	struct wz_example *pos, *neg;
	size_t		  npos, nneg;
	const char	 *file;
	unsigned long	  line;
};

struct wz_doc {
	char		 *id, *title, *issuer, *jurisdiction, *source, *note;
	char		 *published, *effective, *effective_until; /* ISO or NULL */
	struct wz_strv	  implements;
	struct wz_group	 *groups;
	size_t		  ngroups;
	struct wz_param	 *params;
	size_t		  nparams;
	struct wz_article **arts;	/* this document's, in file order */
	size_t		  narts;
	struct wz_tiers	 *tiers;	/* NULL: none */
	struct wz_authority *auth;
	size_t		  nauth;
	struct wz_handled *handled;	/* NULL: none */
	struct wz_penalty *pens;
	size_t		  npens;
	const char	 *file;
};

struct wz_post {
	char		 *code, *label, *rank, *level;
	struct wz_strv	  is_a;		/* direct parents */
	struct wz_strv	  ancestors;	/* closure of is_a, without itself */
	int		  single;
	struct wz_strv	  title_src;	/* patterns as written */
	struct wz_rx	**titles;	/* anchored */
	size_t		  ntitles;
	char		 *note;
	const char	 *file;
	unsigned long	  line, col;
};

struct wz_effect {
	char		 *measure, *cite;
	int		  period_months;	/* 0: none */
	int		  no_promotion_months;
	int		  pay_frozen;
};

struct wz_ruleset {
	struct wz_doc	**docs;
	size_t		  ndocs;
	struct wz_article **arts;	/* every article, load order */
	size_t		  narts;
	struct wz_post	 *posts;
	size_t		  nposts;
	struct wz_alias	 *aliases;	/* from headers.yaml */
	size_t		  naliases;
	struct wz_exclusion *excl;	/* common.yaml and documents' */
	size_t		  nexcl;
	struct wz_effect *effects;	/* national.yaml */
	size_t		  neffects;
	char		**files;	/* names used in messages */
	size_t		  nfiles;
	size_t		  max_rules;	/* limit on articles (default 100000) */
	int		  warnings;	/* also report warnings (wz-rules check) */
	size_t		  nwarnings;	/* warnings reported */
	struct wz_rules_priv *priv;	/* loader state: references to check */
};

/* An empty ruleset. */
struct wz_ruleset *wz_rules_new(void);
/*
 * Load a file or every *.yaml in a folder (sorted by name).  Reports each
 * error as "prog: FILE:LINE:COL: message" and returns how many there were.
 * Call wz_rules_finish() after the last load.
 */
int	 wz_rules_load(struct wz_ruleset *rs, const char *path);
/*
 * Check references across files (groups -> posts, implements -> documents,
 * penalties -> articles, measures -> vocabulary, duplicate ids) and build
 * the is_a closure.  Returns the number of errors.
 */
int	 wz_rules_finish(struct wz_ruleset *rs);
/* The default rules folder: $WENZE_RULES, else WZ_RULESDIR. */
const char *wz_rules_default_dir(void);
/* -D name=value: set a parameter in every document that defines it.
 * Returns 0, or -1 (message printed) for an unknown name or bad value. */
int	 wz_rules_define(struct wz_ruleset *rs, const char *assignment);
/* A parameter's value for a document (its own, else any document's;
 * d may be NULL).  Returns 0 and sets *out, or -1 if none defines it. */
int	 wz_rules_param(const struct wz_ruleset *rs, const struct wz_doc *d,
	    const char *name, double *out);

const struct wz_article *wz_rules_article(const struct wz_ruleset *rs,
	    const char *id);
const struct wz_doc *wz_rules_doc(const struct wz_ruleset *rs, const char *id);
const struct wz_post *wz_rules_post(const struct wz_ruleset *rs,
	    const char *code);
/* Is post `code` the post `anc` or below it by is_a? */
int	 wz_post_is(const struct wz_ruleset *rs, const char *code,
	    const char *anc);
/* The same of a post in hand, without looking it up by its code. */
int	 wz_post_within(const struct wz_post *p, const char *anc);
/*
 * The posts a title cell names: split on 、 , ; / and spaces, a note in
 * parentheses taken off each part, each part matched against every post's
 * titles in file order (first match wins).  Fills out (up to max) and
 * returns how many parts matched; *unmatched counts parts that matched
 * nothing.  title is raw user text (normalised here).  Parts matched
 * beyond max are not counted.  *rxfail is 0, or WZ_RX_LIMIT (a PCRE2
 * limit hit) or WZ_RX_ERROR when a post's pattern could not finish on a
 * part: the reading stops there, and what it found must not be taken
 * as the title's posts, nor as "no post".  Like wz_rx_match(), not for
 * two threads at once (the posts' patterns keep their last match).
 */
size_t	 wz_rules_title_posts(const struct wz_ruleset *rs, const char *title,
	    const struct wz_post **out, size_t max, size_t *unmatched,
	    int *rxfail);
/* The header alias table for the stream layer (borrowed). */
struct wz_aliases wz_rules_aliases(const struct wz_ruleset *rs);
/* The effect of a measure from national.yaml, or NULL. */
const struct wz_effect *wz_rules_effect(const struct wz_ruleset *rs,
	    const char *measure);
void	 wz_rules_free(struct wz_ruleset *rs);
/*
 * A condition as one line people read, appended to b:
 * all(text ~ /截留|挪用/, not(status in [不属实])), amount >= 50000.
 */
void	 wz_cond_format(const struct wz_cond *c, struct wz_buf *b);
/* The prefilter literals of c (lits above), made on the first call. */
const struct wz_strv *wz_cond_lits(struct wz_cond *c);

/* Vocabulary (DESIGN.md): measures, tiers, severities, ranks. */
struct wz_measure {
	const char	*code, *family, *zh;
	int		 order;		/* mildest first within a family */
	int		 effect;	/* a side effect (no_promotion, ...) */
};
/* Families: "org" (问责、组织处理 and side effects), "party" (党纪处分),
 * "gov" (政务处分), "refer" (移送、追缴). */
const struct wz_measure *wz_measure_find(const char *code);
/* The whole table, family by family, mildest first. */
const struct wz_measure *wz_measure_all(size_t *n);
const char *wz_family_zh(const char *family);
int	 wz_kind_parse(const char *s, enum wz_art_kind *out);
/* Ranks (县处级 ...), post levels (township ...), canonical fields. */
int	 wz_rank_valid(const char *rank);
int	 wz_level_valid(const char *level);
int	 wz_field_valid(const char *field);
const char *wz_severity_code(enum wz_severity s);	/* "minor" ... */
const char *wz_severity_zh(enum wz_severity s);		/* 情节较轻 ... */
int	 wz_severity_parse(const char *s, enum wz_severity *out);
const char *wz_tier_zh(const char *tier);		/* direct -> 直接责任 */
const char *wz_kind_code(enum wz_art_kind k);

#endif
