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

void
wz_yaml_free(struct wz_ynode *n)
{
	size_t i, k;

	if (n == NULL)
		return;
	k = n->type == WZ_Y_MAP ? 2 * n->n : n->n;
	for (i = 0; i < k; i++)
		wz_yaml_free(n->kids[i]);
	free(n->kids);
	free(n->s);
	free(n);
}

static struct wz_ynode *
node_new(enum wz_ytype t, const yaml_mark_t *m)
{
	struct wz_ynode *n = wz_calloc(1, sizeof(*n));

	n->type = t;
	n->line = m->line + 1;
	n->col = m->column + 1;
	return n;
}

int
wz_ynull(const struct wz_ynode *n)
{
	return n != NULL && n->type == WZ_Y_SCALAR && n->plain &&
	    (n->len == 0 || strcmp(n->s, "~") == 0 ||
	    strcmp(n->s, "null") == 0 || strcmp(n->s, "Null") == 0 ||
	    strcmp(n->s, "NULL") == 0);
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
		if (strcmp(map->kids[2 * i]->s, key) == 0)
			return map->kids[2 * i + 1];
	return NULL;
}

/* A frame of the build stack: a collection being filled. */
struct frame {
	struct wz_ynode	*node;
	size_t		 cap;		/* slots in node->kids */
	size_t		 used;		/* slots filled */
};

struct loader {
	const char	*name;
	const char	*buf;
	size_t		 len;
	struct frame	*st;
	size_t		 depth;
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
	if (f->node->type == WZ_Y_MAP && f->used % 2 == 0 &&
	    n->type != WZ_Y_SCALAR) {
		wz_yerr(ld->name, n->line, n->col, "a key must be a string, "
		    "not %s", wz_ytype_name(n));
		ld->nerr++;
		wz_yaml_free(n);
		return -1;
	}
	if (f->used == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 8;
		f->node->kids = wz_reallocarray(f->node->kids, f->cap,
		    sizeof(*f->node->kids));
	}
	f->node->kids[f->used++] = n;
	if (f->node->type == WZ_Y_MAP)
		f->node->n = f->used / 2;
	else
		f->node->n = f->used;
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
	size_t i;

	if (map->n < 2)
		return;
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
		n = ld->st[--ld->depth].node;
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
		n = node_new(WZ_Y_SCALAR, m);
		n->s = wz_strndup((const char *)ev->data.scalar.value,
		    ev->data.scalar.length);
		n->len = ev->data.scalar.length;
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
	ld->st[ld->depth].node = node_new(t, m);
	ld->st[ld->depth].cap = ld->st[ld->depth].used = 0;
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
	/* Collections left open by an error: free what each one holds so
	 * far (a map may hold a key without its value). */
	while (ld.depth > 0) {
		struct frame *f = &ld.st[--ld.depth];
		size_t i;

		for (i = 0; i < f->used; i++)
			wz_yaml_free(f->node->kids[i]);
		free(f->node->kids);
		free(f->node);
	}
	free(ld.st);
	*nerr = ld.nerr;
	if (ld.nerr > ld.ndup) {
		wz_yaml_free(ld.root);
		return NULL;
	}
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
