/*
 * wz_yaml.c - see wz_yaml.h.
 *
 * The event API rather than libyaml's document loader: the loader resolves
 * aliases into shared nodes, so a file could not be told apart from its
 * expansion, and a walk over a "billion laughs" tree would never end.
 * Here the first anchor or alias stops the read.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "wz_base.h"
#include "wz_yaml.h"

void
wz_yerr(const char *file, unsigned long line, unsigned long col,
    const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		wz_die(EX_OSERR, NULL, 0, "out of memory");
	va_end(ap);
	if (file == NULL)
		wz_msg(NULL, 0, "%s", msg);
	else if (line == 0)
		wz_msg(NULL, 0, "%s: %s", file, msg);
	else
		wz_msg(NULL, 0, "%s:%lu:%lu: %s", file, line, col, msg);
	free(msg);
}

/*
 * The tree's memory: blocks carved front to back, freed together with the
 * root.  Rule files make some 25,000 nodes and strings at every start of
 * wz-match; one malloc and one free each cost more than reading them.
 * Blocks stay under glibc's mmap threshold, so the next file's tree
 * reuses the pages the last one freed.
 */
#define ARENA_BLOCK	(64 * 1024)

struct wz_yarena {
	struct wz_yarena *next;		/* the blocks before this one */
	size_t		  used, cap;	/* bytes after the header */
};

static void *
arena_alloc(struct wz_yarena **ap, size_t n)
{
	struct wz_yarena *a = *ap;
	size_t cap;
	void *p;

	/* Every node, kids array and string starts aligned for a node. */
	n = (n + _Alignof(struct wz_ynode) - 1) &
	    ~(_Alignof(struct wz_ynode) - 1);
	if (a == NULL || a->cap - a->used < n) {
		cap = n > ARENA_BLOCK - sizeof(*a) ? n :
		    ARENA_BLOCK - sizeof(*a);
		a = wz_malloc(sizeof(*a) + cap);
		a->next = *ap;
		a->used = 0;
		a->cap = cap;
		*ap = a;
	}
	p = (char *)(a + 1) + a->used;
	a->used += n;
	return p;
}

static void
arena_free(struct wz_yarena *a)
{
	struct wz_yarena *next;

	for (; a != NULL; a = next) {
		next = a->next;
		free(a);
	}
}

void
wz_yaml_free(struct wz_ynode *root)
{
	if (root != NULL)
		arena_free(root->arena);
}

static struct wz_ynode *
node_new(struct wz_yarena **ap, enum wz_ytype t, const yaml_mark_t *m)
{
	struct wz_ynode *n = arena_alloc(ap, sizeof(*n));

	memset(n, 0, sizeof(*n));
	n->type = t;
	n->line = m->line + 1;
	n->col = m->column + 1;
	return n;
}

int
wz_ynull(const struct wz_ynode *n)
{
	/* By length first: asked of most scalars, a null is few of them. */
	return n != NULL && n->type == WZ_Y_SCALAR && n->plain &&
	    (n->len == 0 || (n->len == 1 && n->s[0] == '~') ||
	    (n->len == 4 && (strcmp(n->s, "null") == 0 ||
	    strcmp(n->s, "Null") == 0 || strcmp(n->s, "NULL") == 0)));
}

const char *
wz_ytype_name(const struct wz_ynode *n)
{
	if (n == NULL)
		return "nothing";
	switch (n->type) {
	case WZ_Y_MAP:
		return "a mapping";
	case WZ_Y_SEQ:
		return "a list";
	default:
		return wz_ynull(n) ? "an empty value" : "a string";
	}
}

struct wz_ynode *
wz_ymap_get(const struct wz_ynode *map, const char *key)
{
	size_t i;

	if (map == NULL || map->type != WZ_Y_MAP)
		return NULL;
	for (i = 0; i < map->n; i++)
		if (map->kids[2 * i]->s[0] == key[0] &&
		    strcmp(map->kids[2 * i]->s, key) == 0)
			return map->kids[2 * i + 1];
	return NULL;
}

/* A frame of the build stack: a collection being filled, its kids on
 * the loader's stack from start on until it ends. */
struct frame {
	struct wz_ynode	*node;
	size_t		 start;
};

struct loader {
	const char	*name;
	const char	*buf;
	size_t		 len;
	struct frame	*st;
	size_t		 depth;
	struct wz_ynode	**kv;		/* kids of the open collections */
	size_t		 nkv, kvcap;
	struct wz_yarena *arena;
	struct wz_ynode	*root;
	int		 nerr;
	int		 ndup;		/* duplicate keys: the tree is kept */
};

/* The byte at 0-based (line, column in characters), or -1. */
static int
char_at(const struct loader *ld, size_t line, size_t col)
{
	size_t i = 0, l = 0, c = 0;

	while (i < ld->len && l < line)
		if (ld->buf[i++] == '\n')
			l++;
	while (i < ld->len && ld->buf[i] != '\n') {
		if (c == col)
			return (unsigned char)ld->buf[i];
		if (((unsigned char)ld->buf[i] & 0xc0) != 0x80)
			c++;
		i++;
		while (i < ld->len && ((unsigned char)ld->buf[i] & 0xc0) == 0x80)
			i++;
	}
	return -1;
}

/* 1-based line and column of a byte offset. */
static void
offset_pos(const struct loader *ld, size_t off, unsigned long *line,
    unsigned long *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off && i < ld->len; i++) {
		if (ld->buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)ld->buf[i] & 0xc0) != 0x80)
			(*col)++;
	}
}

static void
syntax_error(struct loader *ld, const yaml_parser_t *p)
{
	unsigned long line, col;
	const yaml_mark_t *m = &p->problem_mark;
	const char *problem = p->problem != NULL ? p->problem : "syntax error";
	int tab;

	ld->nerr++;
	if (p->error == YAML_READER_ERROR) {
		offset_pos(ld, p->problem_offset, &line, &col);
		wz_yerr(ld->name, line, col, "%s (the file must be UTF-8)",
		    problem);
		return;
	}
	line = m->line + 1;
	col = m->column + 1;
	tab = char_at(ld, m->line, m->column) == '\t' ||
	    (m->column > 0 && char_at(ld, m->line, m->column - 1) == '\t');
	if (tab)
		wz_yerr(ld->name, line, col, "tab character: indent with "
		    "spaces (YAML syntax error: %s)", problem);
	else if (p->context != NULL)
		wz_yerr(ld->name, line, col, "YAML syntax error: %s (%s at "
		    "%lu:%lu)", problem, p->context,
		    (unsigned long)p->context_mark.line + 1,
		    (unsigned long)p->context_mark.column + 1);
	else
		wz_yerr(ld->name, line, col, "YAML syntax error: %s", problem);
}

static int
bad_tag(const yaml_char_t *tag)
{
	return tag != NULL && strcmp((const char *)tag,
	    "tag:yaml.org,2002:str") != 0 && strcmp((const char *)tag,
	    "!") != 0;
}

/* Put a finished node into its parent (or make it the root). */
static int
attach(struct loader *ld, struct wz_ynode *n)
{
	struct frame *f;

	if (ld->depth == 0) {
		ld->root = n;
		return 0;
	}
	f = &ld->st[ld->depth - 1];
	if (f->node->type == WZ_Y_MAP && (ld->nkv - f->start) % 2 == 0 &&
	    n->type != WZ_Y_SCALAR) {
		wz_yerr(ld->name, n->line, n->col, "a key must be a string, "
		    "not %s", wz_ytype_name(n));
		ld->nerr++;
		return -1;
	}
	if (ld->nkv == ld->kvcap) {
		ld->kvcap = ld->kvcap ? 2 * ld->kvcap : 256;
		ld->kv = wz_reallocarray(ld->kv, ld->kvcap, sizeof(*ld->kv));
	}
	ld->kv[ld->nkv++] = n;
	return 0;
}

static int
cmp_key(const void *a, const void *b)
{
	const struct wz_ynode *x = *(struct wz_ynode *const *)a;
	const struct wz_ynode *y = *(struct wz_ynode *const *)b;
	int c = strcmp(x->s, y->s);

	if (c != 0)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->col < y->col ? -1 : x->col > y->col;
}

/* Report keys that occur twice in a mapping, at their second place. */
static void
dup_keys(struct loader *ld, const struct wz_ynode *map)
{
	struct wz_ynode **k;
	size_t i, j;

	if (map->n < 2)
		return;
	/* Most mappings are a few keys, all different: tell that without
	 * sorting, and sort (for the messages' order) only when not. */
	if (map->n <= 8) {
		for (i = 1; i < map->n; i++)
			for (j = 0; j < i; j++)
				if (strcmp(map->kids[2 * i]->s,
				    map->kids[2 * j]->s) == 0)
					goto sort;
		return;
	}
 sort:
	k = wz_reallocarray(NULL, map->n, sizeof(*k));
	for (i = 0; i < map->n; i++)
		k[i] = map->kids[2 * i];
	qsort(k, map->n, sizeof(*k), cmp_key);
	for (i = 1; i < map->n; i++)
		if (strcmp(k[i]->s, k[i - 1]->s) == 0) {
			wz_yerr(ld->name, k[i]->line, k[i]->col, "duplicate "
			    "key '%s' (first at line %lu)", k[i]->s,
			    k[i - 1]->line);
			ld->nerr++;
			ld->ndup++;
		}
	free(k);
}

/* Close the innermost collection: its kids move from the stack into the
 * arena, in an array of their number. */
static struct wz_ynode *
close_node(struct loader *ld)
{
	struct frame *f = &ld->st[--ld->depth];
	struct wz_ynode *n = f->node;
	size_t k = ld->nkv - f->start;

	if (k > 0) {
		n->kids = arena_alloc(&ld->arena, k * sizeof(*n->kids));
		memcpy(n->kids, ld->kv + f->start, k * sizeof(*n->kids));
	}
	n->n = n->type == WZ_Y_MAP ? k / 2 : k;
	ld->nkv = f->start;
	return n;
}

static int
event(struct loader *ld, const yaml_event_t *ev, int *ndocs)
{
	const yaml_mark_t *m = &ev->start_mark;
	struct wz_ynode *n;
	const yaml_char_t *anchor = NULL, *tag = NULL;
	enum wz_ytype t;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++*ndocs > 1) {
			wz_yerr(ld->name, m->line + 1, m->column + 1, "only one "
			    "YAML document is allowed in a rule file");
			ld->nerr++;
			return -1;
		}
		return 0;
	case YAML_ALIAS_EVENT:
		wz_yerr(ld->name, m->line + 1, m->column + 1, "anchors and "
		    "aliases are not allowed (alias *%s)",
		    (const char *)ev->data.alias.anchor);
		ld->nerr++;
		return -1;
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		n = close_node(ld);
		if (n->type == WZ_Y_MAP)
			dup_keys(ld, n);
		return attach(ld, n);
	default:
		return 0;
	}
	if (anchor != NULL) {
		wz_yerr(ld->name, m->line + 1, m->column + 1, "anchors and "
		    "aliases are not allowed (anchor &%s)",
		    (const char *)anchor);
		ld->nerr++;
		return -1;
	}
	if (bad_tag(tag)) {
		wz_yerr(ld->name, m->line + 1, m->column + 1, "tags are not "
		    "allowed (%s)", (const char *)tag);
		ld->nerr++;
		return -1;
	}
	if (ev->type == YAML_SCALAR_EVENT) {
		if (memchr(ev->data.scalar.value, '\0',
		    ev->data.scalar.length) != NULL) {
			wz_yerr(ld->name, m->line + 1, m->column + 1,
			    "a string holds a NUL character");
			ld->nerr++;
			return -1;
		}
		n = node_new(&ld->arena, WZ_Y_SCALAR, m);
		n->len = ev->data.scalar.length;
		n->s = arena_alloc(&ld->arena, n->len + 1);
		memcpy(n->s, ev->data.scalar.value, n->len);
		n->s[n->len] = '\0';
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    tag == NULL;
		return attach(ld, n);
	}
	if (ld->depth >= WZ_YAML_MAXDEPTH) {
		wz_yerr(ld->name, m->line + 1, m->column + 1, "nesting deeper "
		    "than %d levels", WZ_YAML_MAXDEPTH);
		ld->nerr++;
		return -1;
	}
	t = ev->type == YAML_MAPPING_START_EVENT ? WZ_Y_MAP : WZ_Y_SEQ;
	ld->st[ld->depth].node = node_new(&ld->arena, t, m);
	ld->st[ld->depth].start = ld->nkv;
	ld->depth++;
	return 0;
}

struct wz_ynode *
wz_yaml_load_mem(const char *name, const char *buf, size_t n, int *nerr)
{
	struct loader ld;
	yaml_parser_t p;
	yaml_event_t ev;
	int ndocs = 0, done = 0, rc;

	memset(&ld, 0, sizeof(ld));
	ld.name = name;
	ld.buf = buf;
	ld.len = n;
	ld.st = wz_calloc(WZ_YAML_MAXDEPTH, sizeof(*ld.st));
	if (!yaml_parser_initialize(&p))
		wz_die(EX_OSERR, NULL, 0, "out of memory");
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, n);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			syntax_error(&ld, &p);
			break;
		}
		rc = event(&ld, &ev, &ndocs);
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
		if (rc == -1)
			break;
	}
	yaml_parser_delete(&p);
	free(ld.st);
	free(ld.kv);
	*nerr = ld.nerr;
	/* Collections left open by an error are in the arena too. */
	if (ld.nerr > ld.ndup || ld.root == NULL) {
		arena_free(ld.arena);
		return NULL;
	}
	ld.root->arena = ld.arena;
	return ld.root;
}

struct wz_ynode *
wz_yaml_load(const char *path, int *nerr)
{
	struct wz_buf b = {0};
	struct wz_ynode *root;
	char chunk[65536];
	size_t k;
	FILE *fp;

	*nerr = 0;
	if ((fp = fopen(path, "rb")) == NULL) {
		wz_yerr(path, 0, 0, "%s", strerror(errno));
		*nerr = 1;
		return NULL;
	}
	while ((k = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (b.len + k > WZ_YAML_MAXSIZE) {
			wz_yerr(path, 0, 0, "larger than %zu MiB",
			    WZ_YAML_MAXSIZE >> 20);
			*nerr = 1;
			break;
		}
		wz_buf_add(&b, chunk, k);
	}
	if (*nerr == 0 && ferror(fp)) {
		wz_yerr(path, 0, 0, "%s", strerror(errno));
		*nerr = 1;
	}
	fclose(fp);
	root = *nerr ? NULL : wz_yaml_load_mem(path, b.s != NULL ? b.s : "",
	    b.len, nerr);
	wz_buf_free(&b);
	return root;
}
