/*
 * wz_ledger.h - the accountability ledger (责任追究台账).
 *
 * A ledger is an append-only file of events, one physical line each,
 * under a fixed header line (DESIGN.md Decision 10):
 *
 *   seq,at,date,event,case_id,finding_id,article,liable_id,liable_name,
 *   liable_rank,tier,place,amount,measures,alternatives,basis,
 *   no_promotion_until,rectify_by,by,note,hash
 *
 * `date` is the day the event took effect (YYYY-MM-DD): for a
 * recommendation the day of the append run (--on), for a manual event
 * its --date; both default to the UTC date of `at`.  `liable_rank` is the
 * input's liable_rank column (wz-tier, wz-penalty); `amount` the sum of
 * money involved, in yuan, from the input's values column (its amount=
 * entry, as wz-match writes it) or else its amount column (涉及金额 and
 * the like, read with wz_num_amount); both may be empty.
 *
 * CSV (RFC 4180) by default; a ledger created with -t is TSV (tab and
 * backslash escaped as \t and \\) and is recognised by its header from
 * then on.  A line break inside a value is stored as a space, so that
 * every event is one line for awk, grep and the checking recipe.
 *
 * The chain: hash = SHA-256, in lowercase hex, of the previous record's
 * 64 hash digits (64 "0" for the first record) followed by this line's
 * bytes from its first byte up to and including the separator before the
 * hash field.  The hash is always the last 64 bytes before the newline,
 * so `sha256sum` and awk can check a ledger (man/wz-ledger.1).
 *
 * case_id = the first 16 hex digits of SHA-256 of finding_id, article,
 * liable (liable_id, or liable_name when there is no id) and tier, each
 * followed by the byte 0x1f.  A finding without an id column gets the
 * first 16 hex digits of SHA-256 of its own columns (those before the
 * article column), each followed by 0x1f.
 *
 * Writers (append, event, recover) hold an exclusive flock(2) on the
 * ledger from reading its tail to their last write; they write whole
 * records only, with O_APPEND, and fsync once.  Readers take a shared
 * lock only to learn the file's size, then read up to it, so they never
 * see half of a record that is being written and never block writers
 * for long.  A failed write truncates the ledger back to the size it had
 * when the lock was taken.
 *
 * The functions print their own diagnostics ("prog: FILE:LINE: message")
 * and return an exit status of DESIGN.md "Streams": 0, 1 (rows rejected),
 * EX_USAGE, EX_DATAERR (bad input, failed verify, refused event),
 * EX_NOINPUT, EX_IOERR.
 */
#ifndef WZ_LEDGER_H
#define WZ_LEDGER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "wz_base.h"
#include "wz_csv.h"

/* Columns of a ledger line, in order. */
enum {
	WZ_LC_SEQ, WZ_LC_AT, WZ_LC_DATE, WZ_LC_EVENT, WZ_LC_CASE,
	WZ_LC_FINDING, WZ_LC_ARTICLE, WZ_LC_LIABLE_ID, WZ_LC_LIABLE_NAME,
	WZ_LC_LIABLE_RANK, WZ_LC_TIER, WZ_LC_PLACE, WZ_LC_AMOUNT,
	WZ_LC_MEASURES, WZ_LC_ALTERNATIVES, WZ_LC_BASIS,
	WZ_LC_NO_PROMOTION_UNTIL, WZ_LC_RECTIFY_BY, WZ_LC_BY, WZ_LC_NOTE,
	WZ_LC_HASH,
	WZ_LEDGER_NCOLS
};
extern const char *const wz_ledger_columns[WZ_LEDGER_NCOLS];

/*
 * The headers append takes the finding id and the place from, in order
 * of preference, NULL-terminated; only the finding's own columns (those
 * before `article`) are searched.  Exported so that wz-penalty finds the
 * same finding ids when it reads a ledger's history.
 */
extern const char *const wz_ledger_id_columns[];
extern const char *const wz_ledger_place_columns[];
/* The headers of a sum of money in yuan that append takes the amount
 * from when the values column has no amount= entry (the finding's own
 * columns only; headers in 万元 are left out on purpose). */
extern const char *const wz_ledger_amount_columns[];
/* The headers append takes the year of the conduct from, for the note's
 * year= entry: the first of the year columns, else of the conduct-date
 * columns, else of the discovery-date columns, that names a year. */
extern const char *const wz_ledger_year_columns[];
extern const char *const wz_ledger_date_columns[];
extern const char *const wz_ledger_found_columns[];

#define WZ_CASE_ID_LEN	16	/* hex digits of a case_id or hashed finding_id */
#define WZ_AT_LEN	20	/* "2024-03-01T08:00:00Z" */

/* Events, in the order a case usually meets them. */
enum wz_event {
	WZ_EV_RECOMMENDED, WZ_EV_DECIDED, WZ_EV_RECTIFY_DUE,
	WZ_EV_RECTIFIED, WZ_EV_APPEALED, WZ_EV_REVIEWED, WZ_EV_REVISED,
	WZ_EV_CLOSED, WZ_EV_REOPENED,
	WZ_EV_COUNT
};

/* The name of an event ("rectify_due"); NULL if ev is out of range. */
const char *wz_event_name(int ev);
/* The event named s[0..n), or -1. */
int	 wz_event_code(const char *s, size_t n);
/*
 * May event ev follow a case whose last event is status?  Returns NULL
 * if so, else a static sentence saying why not and what would make it
 * possible ("the case is closed: record 'reopened' first").
 */
const char *wz_event_refusal(int status, int ev);

/* Is s[0..n) a calendar date YYYY-MM-DD? */
int	 wz_ledger_date_ok(const char *s, size_t n);
/*
 * Parse an --at value: "YYYY-MM-DDTHH:MM:SSZ" or "YYYY-MM-DD" (midnight
 * UTC).  Writes the canonical form and a NUL into out; returns 0, or -1
 * if s is not such a time.
 */
int	 wz_ledger_parse_at(const char *s, char out[WZ_AT_LEN + 1]);
/* The current UTC time in the canonical form. */
void	 wz_ledger_now(char out[WZ_AT_LEN + 1]);

/*
 * Hash ids.  Each field is a (pointer, length) pair; n fields are hashed,
 * each followed by 0x1f, and the first 16 hex digits of the SHA-256 are
 * written with a NUL into out.  wz_ledger_case_id takes the four key
 * fields (finding_id, article, liable, tier) in that order.  They share
 * one hashing context kept for the process: not for several threads.
 */
void	 wz_ledger_short_hash(const char *const *f, const size_t *len,
	    size_t n, char out[WZ_CASE_ID_LEN + 1]);
void	 wz_ledger_case_id(const char *finding, const char *article,
	    const char *liable, const char *tier,
	    char out[WZ_CASE_ID_LEN + 1]);

/*
 * Line codec.  wz_ledger_encode appends n fields to b, each followed by
 * the separator (',' or '\t'), quoting or escaping as the format needs;
 * line breaks in a value become spaces.  wz_ledger_split splits one
 * line (without its newline) into at most max fields; the unquoted,
 * NUL-terminated field texts are stored in scratch, which the caller
 * owns and reuses (no allocation per line once it is big enough), and
 * f[]/len[] point into it until the next call with the same scratch.
 * Returns the number of fields, or -1 for malformed CSV quoting.
 */
void	 wz_ledger_encode(struct wz_buf *b, int tsv, const char *const *f,
	    const size_t *len, size_t n);
int	 wz_ledger_split(const char *line, size_t n, int tsv,
	    struct wz_buf *scratch, const char **f, size_t *len, size_t max);

/*
 * The note.  What a record says about its case beyond the fixed columns
 * is kept at the start of its note as entries NAME=VALUE joined by ';',
 * the form of wz-match's values column:
 *
 *   case=ID[,ID...]   the rule cases that held (the input's values
 *                     column's case= entry: "town_average")
 *   year=YYYY         the year of the conduct, from the finding's year,
 *                     conduct-date or discovery-date column
 *   note=TEXT         the user's --note, always last: it runs to the end
 *                     of the field and may hold ';' and '='
 *
 * A name is [a-z_]+.  Reading stops at the first part that is not
 * NAME=VALUE, which begins the user's text: so a note without entries
 * (and older ledgers' notes) is the text alone.  append writes case= and
 * year= when it knows them; event carries a case's entries over from
 * its last record and adds its own --note.
 *
 * wz_ledger_note_get: the value of entry name (without "name=") in
 * *s and *n, borrowed from note; returns 1, or 0 if there is none.
 * wz_ledger_note_text: the user's text in *text, returning its length.
 * wz_ledger_note_make: entries[0..elen) (already "a=1;b=2", not in b)
 * and the user's text into b, NUL-terminated; a text that would read as
 * an entry is written as note=TEXT even without other entries.
 */
int	 wz_ledger_note_get(const char *note, size_t len, const char *name,
	    const char **s, size_t *n);
size_t	 wz_ledger_note_text(const char *note, size_t len,
	    const char **text);
void	 wz_ledger_note_make(struct wz_buf *b, const char *entries,
	    size_t elen, const char *text, size_t tlen);

/* ---- Reading a ledger, one event at a time (reports, history). ---- */

struct wz_levent {
	const char	*f[WZ_LEDGER_NCOLS];	/* NUL-terminated fields */
	size_t		 len[WZ_LEDGER_NCOLS];
	int		 event;			/* enum wz_event */
	uint64_t	 seq;
	unsigned long	 line;			/* physical line, 1-based */
};

struct wz_lreader;

/*
 * Open a ledger for reading and check its header.  The size is taken
 * under a shared lock, so the reader sees whole records only.  Returns
 * NULL after printing a message; *status gets EX_NOINPUT (cannot open),
 * EX_DATAERR (not a ledger) or EX_IOERR.  The caller closes the reader
 * with wz_lreader_close().
 */
struct wz_lreader *wz_lreader_open(const char *path, int *status);
/*
 * The next event: WZ_ROW, WZ_EOF, WZ_BAD (a line that is not a ledger
 * record, or a torn last line; reported already, the next call goes on)
 * or WZ_FATAL (a read error; reported).  The event is borrowed until the
 * next call.  The hash chain is not checked: that is wz_ledger_verify's.
 */
int	 wz_lreader_next(struct wz_lreader *r, const struct wz_levent **ev);
/*
 * The next well-formed event: 1, or 0 at the end or on a read error.  A
 * bad line raises *status to WZ_EX_ROWS if it was 0, a read error sets it
 * to EX_IOERR (both reported already).
 */
int	 wz_lreader_good(struct wz_lreader *r, const struct wz_levent **ev,
	    int *status);
/* Is the ledger TSV? */
int	 wz_lreader_tsv(const struct wz_lreader *r);
void	 wz_lreader_close(struct wz_lreader *r);

/* ---- The fold: one current row per case, or per 台账 group. ---- */

struct wz_lstate;

struct wz_lstate *wz_lstate_new(void);
/*
 * Fold one event into the state; ledger is the file name shown in the
 * `ledger` column (copied).  Events must come in ledger order.  An event
 * for a case that was never recommended starts the case as well.
 */
void	 wz_lstate_add(struct wz_lstate *st, const struct wz_levent *ev,
	    const char *ledger);
/* Number of cases folded so far. */
size_t	 wz_lstate_count(const struct wz_lstate *st);
/*
 * Write the state to w: a header, then one row per case in order of
 * first appearance, or with group set one row per (finding_id, liable)
 * listing its case ids and articles joined by ';'.  Columns:
 * case_id finding_id article liable_id liable_name liable_rank tier
 * place amount status measures alternatives basis no_promotion_until
 * rectify_by recommended_measures opened updated date by note events
 * ledger.  date is the last event's `date` column (in a group the latest
 * of its cases'); a group's amount is the sum of its cases' amounts,
 * each distinct sum once: the same sum on several cases of one finding
 * is one sum of money.
 */
void	 wz_lstate_write(struct wz_lstate *st, struct wz_writer *w,
	    int group);
void	 wz_lstate_free(struct wz_lstate *st);

/* ---- History: the rule cases a ledger holds (wz-match --ledger). ---- */

/* A case as history reads it; the strings are borrowed during take(). */
struct wz_lhcase {
	const char	*case_id, *article;
	const char	*cases;		/* the note's case= entry */
	const char	*place, *tier, *liable_id, *liable_name;
	const char	*ledger;	/* the path given */
	unsigned long	 line;		/* the first record read */
	int		 year;		/* the note's year= entry */
	int		 status;	/* its last event */
};

struct wz_lhist_stats {
	unsigned long	 records;	/* read */
	unsigned long	 cases;		/* kept (want() said yes) */
	unsigned long	 counted;	/* given to take() */
	unsigned long	 unplaced;	/* wanted articles' recommendations
					 * without case= or year= */
};

/*
 * Read the ledgers' cases for history.  Each ledger is first checked as
 * `verify` checks it (problems are reported); one that fails, cannot be
 * opened or read, or has lines that are not records stops the reading
 * with EX_DATAERR, EX_NOINPUT or EX_IOERR after a message: history is
 * never read from part of a ledger.
 *
 * A case is kept from its first record whose note has case= and year=
 * when want(arg, article, cases) returns 1; want(arg, article, NULL)
 * asks whether a recommendation without them would have been wanted
 * (counted in st->unplaced).  Later events of a kept case fold into its
 * status, in the order of the ledgers and their lines.  At the end,
 * take(arg, c) is called for each kept case that counts as history:
 * every one except a case closed without ever being decided or revised
 * (dropped: recorded in error, or its finding set aside).  Memory grows
 * with the cases kept, not with the ledgers' size.  Returns 0 or the
 * exit status.
 */
int	 wz_ledger_history(char *const *paths, size_t n,
	    int (*want)(void *arg, const char *article, const char *cases),
	    void (*take)(void *arg, const struct wz_lhcase *c), void *arg,
	    struct wz_lhist_stats *st);

/* ---- The subcommands of wz-ledger. ---- */

struct wz_ledger_opts {
	const char	*at;		/* canonical time; NULL: now */
	const char	*on;		/* append: the `date`, YYYY-MM-DD;
					 * NULL: the date of at */
	const char	*by;		/* who records; NULL: the login name */
	const char	*note;		/* stored with each record; may be NULL */
	int		 tsv;		/* a ledger created now is TSV */
	const char	*id_column;	/* finding id header; NULL: defaults */
	const char	*place_column;	/* place header; NULL: defaults */
	const char	*year_column;	/* the year of the conduct, for the
					 * note's year=; NULL: defaults */
	const char	*date_column;	/* the date of the conduct, likewise */
};

/*
 * Record every case of the inputs (the stream of wz-penalty or wz-tier)
 * as a `recommended` event dated o->on, skipping cases the ledger (or an
 * earlier row) already has.  An amount that is not a sum of money is
 * reported with its line and left empty; the case is recorded and the
 * status is 1.  The inputs are read to the end before the ledger is
 * locked; none of them is closed.  Creates the ledger (mode 0640 less
 * the umask) if it does not exist.  Prints "LEDGER: N read, N appended,
 * N duplicate, N rejected" on stderr.  Nothing is appended when an input
 * cannot be read to its end.
 */
int	 wz_ledger_append(const char *ledger, struct wz_reader *const *in,
	    size_t nin, const struct wz_ledger_opts *o);

struct wz_event_args {
	const char	*measures;	/* decided, revised: required */
	const char	*basis;		/* decided, revised: replaces basis */
	const char	*rectify_by;	/* date; rectify_due needs one */
	const char	*no_promotion_until;	/* date */
	const char	*date;		/* when it took effect, YYYY-MM-DD;
					 * NULL: the date of at */
};

/*
 * Record one manual event (name as given by the user) for case_id,
 * carrying the case's columns over from its last event.  o->by is
 * required.  Refuses (EX_DATAERR) an unknown case or an impossible
 * transition; EX_USAGE for arguments the event cannot take.
 */
int	 wz_ledger_event(const char *ledger, const char *case_id,
	    const char *event, const struct wz_event_args *a,
	    const struct wz_ledger_opts *o);

/* Fold every event of the ledgers and write the state to w. */
int	 wz_ledger_state(char *const *paths, size_t n, struct wz_writer *w,
	    int group);

/*
 * Check a ledger: header, record structure, seq order and the hash
 * chain; every problem is named as "FILE:LINE: what".  expect, if not
 * NULL, is "SEQ:HASH" from an earlier `head`: the ledger must still hold
 * that record with that hash.  Returns 0 or EX_DATAERR (also
 * EX_NOINPUT, EX_IOERR).  A summary goes to stderr unless quiet.
 */
int	 wz_ledger_verify(const char *path, const char *expect, int quiet);

/* Print "COUNT HASH" (and " FILE" if with_name) of the last record. */
int	 wz_ledger_head(const char *path, FILE *out, int with_name);

/*
 * Move a torn last line (bytes after the last newline) into a new file
 * LEDGER.torn-TIMESTAMP beside the ledger, then truncate the ledger to
 * its last whole record.  at names the file (NULL: now).
 */
int	 wz_ledger_recover(const char *path, const char *at);

#endif
