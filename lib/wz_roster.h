/*
 * wz_roster.h - the roster model (DESIGN.md "Roster model"): raw cadre
 * sheets in, one row per role held by one person over one period out.
 *
 * An engine of libwenze: it reads rows from the stream layer, titles and
 * header aliases from the rules layer (rules/posts.yaml, headers.yaml),
 * and writes rows to a stream writer.  It keeps, for the whole run, one
 * entry per distinct person and one per role, and nothing per input row,
 * so memory grows with the people and roles of a county, not with the
 * size of the sheets.  Rows are written as they are read.
 *
 * Use: wz_roster_new; wz_rmap_load for each --map; wz_roster_sheet for
 * each input (after its header is read); wz_roster_start; wz_roster_read
 * for each input in turn; wz_roster_finish; wz_roster_free.
 */
#ifndef WZ_ROSTER_H
#define WZ_ROSTER_H

#include <stddef.h>

#include "wz_csv.h"
#include "wz_date.h"
#include "wz_idcard.h"
#include "wz_rules.h"

/* The fields a roster sheet may hold: headers.yaml's names, and two
 * that only a map can name (period: "2018.03-2019.03" in one cell; rank:
 * 职级 such as 副科级). */
enum wz_rfield {
	WZ_RF_NAME, WZ_RF_ID_NUMBER, WZ_RF_GENDER, WZ_RF_PARTY, WZ_RF_UNIT,
	WZ_RF_TITLE, WZ_RF_COUNTY, WZ_RF_TOWNSHIP, WZ_RF_VILLAGE,
	WZ_RF_VALID_FROM, WZ_RF_VALID_TO, WZ_RF_LINK_TOWNSHIP,
	WZ_RF_LINK_VILLAGE, WZ_RF_PHONE, WZ_RF_NOTE, WZ_RF_PERIOD, WZ_RF_RANK,
	WZ_RF_N
};
/* "name", "id_number", ...; NULL past the end. */
const char *wz_rfield_name(enum wz_rfield f);

/*
 * A mapping file (--map FILE), YAML in the spirit of hledger's CSV
 * rules; man wz-roster(1) has the full form:
 *
 *     skip: 1                   # rows above the header, as --skip
 *     encoding: GB18030         # as --encoding
 *     no_header: false          # as --no-header (columns by position)
 *     date_system: 1900         # Excel serials: 1900 (default) or 1904
 *     columns:                  # field: header name, or 1-based position
 *       name: 队员姓名
 *       title: 4
 *     constants:                # field: one value for every row
 *       county: 示范县
 *     scope: [county, unit]     # the fields every title role's scope is
 *                               # built from, instead of the post's level
 *
 * wz_rmap_load reports every error as "prog: FILE:LINE:COL: message" and
 * returns NULL if there was one (the caller exits EX_CONFIG).
 */
struct wz_rmap;

struct wz_rmap *wz_rmap_load(const char *path);
/* Apply the map's skip, encoding and no_header to reader options. */
void	 wz_rmap_ropts(const struct wz_rmap *m, struct wz_ropts *o);
void	 wz_rmap_free(struct wz_rmap *m);

struct wz_roster_opts {
	const struct wz_ruleset *rs;	/* posts.yaml and headers.yaml */
	const char	*county;	/* --county, or NULL */
	int		 keep_unknown;	/* --keep-unknown */
	int		 labels_zh;	/* --labels zh: add role_zh */
	struct wz_idmask *mask;		/* --mask: its key; NULL: no mask */
	wz_day		 today;		/* latest birth date in an ID number
					 * (WZ_DAY_NONE: the system clock) */
	const char	*rules_name;	/* posts file named in reasons */
};

struct wz_roster;

/* A roster over a ruleset; the options are copied, rs and mask are
 * borrowed for the roster's life. */
struct wz_roster *wz_roster_new(const struct wz_roster_opts *o);

/*
 * Add an input sheet: its name (for messages and the source column), its
 * header row, and its map (NULL: header aliases only; borrowed).  Finds
 * each field's column.  Returns the sheet's number, or -1 after
 * reporting why the sheet cannot be read (no name column; two columns
 * for one field; a map column not in the header), with *status set to
 * EX_DATAERR, or EX_CONFIG when the map is at fault.
 */
int	 wz_roster_sheet(struct wz_roster *ro, const char *name,
	    const struct wz_row *hdr, const struct wz_rmap *m, int *status);

/*
 * After the last sheet: choose the output columns and write the header
 * to out and, if rej is not NULL, to the rejects file.  One layout (every
 * sheet has the same header): every input column, then person_id, name,
 * role, title, scope, valid_from, valid_to, party_member, rank (and
 * role_zh, the post's label, with labels_zh).  Sheets
 * of several layouts: source (FILE:LINE), the canonical fields
 * (id_number, gender, party, unit, county, township, village,
 * link_township, link_village, phone, note), then the same nine.  The
 * rejects file has the input columns (or source and every canonical
 * field) and reason.
 */
void	 wz_roster_start(struct wz_roster *ro, struct wz_writer *out,
	    struct wz_writer *rej);

/*
 * Read every record of sheet k from r and write its roles.  Returns 0,
 * or the status of a fatal read error (reported; the records before it
 * are kept).
 */
int	 wz_roster_read(struct wz_roster *ro, int k, struct wz_reader *r);

/* One record of sheet k (what wz_roster_read does for each). */
void	 wz_roster_row(struct wz_roster *ro, int k, const struct wz_row *row);
/* A record the reader refused (ragged, too large): rejected with why. */
void	 wz_roster_bad(struct wz_roster *ro, int k, const struct wz_row *row,
	    const char *why);

/*
 * Print the summary ("N read, N written, N rejected; N roles, N persons;
 * N warnings") on stderr.  Returns 0, or WZ_EX_ROWS if a row was
 * rejected or a warning given.
 */
int	 wz_roster_finish(struct wz_roster *ro);

struct wz_roster_counts {
	unsigned long	 read, written, rejected, blank;
	unsigned long	 roles, duplicates, persons, warnings;
};
void	 wz_roster_counts(const struct wz_roster *ro,
	    struct wz_roster_counts *c);

void	 wz_roster_free(struct wz_roster *ro);

/*
 * Helpers, exported for the tests and for other programs that read
 * rosters.
 *
 * wz_party_member: 'y' for a member of the Communist Party (中共党员,
 * 中共预备党员, 党员, 是), 'n' for anyone else named (群众, 共青团员,
 * 民主党派, 无党派人士, 否), 0 for an empty cell, -1 for a value it
 * does not know.
 *
 * wz_rank_parse: the rank (县处级, 乡科级, 一般干部, 村干部, 厅局级,
 * 省部级) a 职级 names (副科级, 正处级, 一级主任科员 ...), or NULL.
 *
 * wz_unit_canon: a unit's name without the words of its organs
 * (东河镇人民政府 -> 东河镇, 柳湾村村民委员会 -> 柳湾村); returns the
 * new length (s is not copied: the name is a prefix of s).
 *
 * wz_unit_kind: 'v' village (…村, …社区), 't' township (…乡, …镇,
 * …街道), 'c' county (…县, …区, …旗, …市), 'd' department, 0 empty.
 */
int	 wz_party_member(const char *s, size_t n);
const char *wz_rank_parse(const char *s, size_t n);
size_t	 wz_unit_canon(const char *s, size_t n);
int	 wz_unit_kind(const char *s, size_t n);

#endif
