/*
 * wz_yaml.h - the one place libyaml is used: a rule file read into a small
 * tree of scalars, sequences and mappings, each node with its 1-based line
 * and column.
 *
 * The reader takes the subset of YAML that rules/FORMAT.md allows and
 * refuses the rest with a located message: syntax errors (libyaml's own
 * words), tabs, anchors and aliases (which also stops "billion laughs"),
 * tags other than !!str, several documents in one file, duplicate keys,
 * NUL characters, nesting deeper than WZ_YAML_MAXDEPTH and files larger
 * than WZ_YAML_MAXSIZE.
 */
#ifndef WZ_YAML_H
#define WZ_YAML_H

#include <stddef.h>

#define WZ_YAML_MAXDEPTH	64
#define WZ_YAML_MAXSIZE		((size_t)64 << 20)

enum wz_ytype { WZ_Y_SCALAR, WZ_Y_SEQ, WZ_Y_MAP };

struct wz_ynode {
	enum wz_ytype	  type;
	unsigned long	  line, col;	/* 1-based */
	char		 *s;		/* SCALAR: the value, NUL-terminated */
	size_t		  len;
	int		  plain;	/* SCALAR: unquoted (may be null, a number) */
	struct wz_ynode	**kids;		/* SEQ: items; MAP: key, value, key, ... */
	size_t		  n;		/* SEQ: items; MAP: pairs */
	struct wz_yarena *arena;	/* the root's: where the whole tree
					 * lives (NULL in every other node) */
};

/*
 * Read path into a tree.  Returns the root (NULL for a file with no
 * document) and sets *nerr to the number of errors reported, each as
 * "prog: FILE:LINE:COL: message".  After an error that stops the read
 * (syntax, anchors, tags, ...) the root is NULL; duplicate keys are
 * counted but the tree is returned (wz_ymap_get finds the first), so the
 * rest of the file can still be checked.  The caller frees the tree with
 * wz_yaml_free() on the root; the nodes, their kids arrays and strings
 * are one allocation of the root's (a tree of 25,000 nodes is made and
 * freed at every start of wz-match), so a subtree cannot be freed alone.
 */
struct wz_ynode *wz_yaml_load(const char *path, int *nerr);
/* The same over a buffer; name is used in messages. */
struct wz_ynode *wz_yaml_load_mem(const char *name, const char *buf,
	    size_t n, int *nerr);
/* Free the tree of root (NULL: nothing); only a root frees anything. */
void	 wz_yaml_free(struct wz_ynode *root);

/* Mapping access: the value of key, or NULL. */
struct wz_ynode *wz_ymap_get(const struct wz_ynode *map, const char *key);
/* Is this scalar a YAML null (unquoted ~, null or nothing)? */
int	 wz_ynull(const struct wz_ynode *n);
/* "a mapping", "a list", "a string" for messages. */
const char *wz_ytype_name(const struct wz_ynode *n);

/* "prog: FILE:LINE:COL: message" (line 0: no location). */
void	 wz_yerr(const char *file, unsigned long line, unsigned long col,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
