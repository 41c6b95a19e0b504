/* sig_mem.c - memory helpers for the signature database: arena, growable arrays, interning, errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sig_internal.h"

/* Parsed data is allocated once at load and freed all together, so a bump arena is enough and
 * keeps sig_db_free simple (no per-object ownership to get wrong on an error path). */
struct sig_arena_chunk {
	struct sig_arena_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

#define ARENA_CHUNK (64u * 1024u)

void *sig_alloc(struct sig_arena *ar, size_t n)
{
	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	if (n == 0)
		n = sizeof(max_align_t);
	struct sig_arena_chunk *c = ar->head;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
		c = malloc(sizeof *c + cap);
		if (!c)
			return NULL;
		c->cap = cap;
		c->used = 0;
		c->next = ar->head;
		ar->head = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

char *sig_strdup(struct sig_arena *ar, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = sig_alloc(ar, n);
	if (p)
		memcpy(p, s, n);
	return p;
}

void sig_arena_free(struct sig_arena *ar)
{
	struct sig_arena_chunk *c = ar->head;
	while (c) {
		struct sig_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	ar->head = NULL;
}

void *sig_vec_push(struct sig_vec *vec)
{
	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 16;
		void *v = realloc(vec->v, cap * vec->size);
		if (!v)
			return NULL;
		vec->v = v;
		vec->cap = cap;
	}
	void *p = (char *)vec->v + vec->n * vec->size;
	memset(p, 0, vec->size);
	vec->n++;
	return p;
}

const char *sig_intern(struct sig_db *db, const char *s)
{
	struct sig_str *e;
	HASH_FIND_STR(db->strings, s, e);
	if (e)
		return e->s;
	e = sig_alloc(&db->arena, sizeof *e);
	if (!e)
		return NULL;
	e->s = sig_strdup(&db->arena, s);
	if (!e->s)
		return NULL;
	HASH_ADD_KEYPTR(hh, db->strings, e->s, strlen(e->s), e);
	return e->s;
}

void sig_errf(char *err, size_t errlen, const struct sig_loc *loc, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return;
	int n;
	if (loc->line)
		n = snprintf(err, errlen, "%s:%u:%u: ", loc->file, loc->line, loc->col);
	else
		n = snprintf(err, errlen, "%s: ", loc->file);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}
