/* report_topk.c - bounded heavy-hitter counters for the report's endpoints (Space-Saving, Metwally et al. 2005). */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

/* Why Space-Saving: the report's top servers and clients must not grow with the number of distinct
 * hosts (a week of records from many sensors). k counters, a min-heap on the flow count: a new key
 * on a full summary takes over the smallest counter, inheriting its count as its possible error.
 * A kept count then overestimates the true one by at most its err (<= the floor), and any key not
 * kept had at most `floor` flows. While fewer than k distinct keys were seen, everything is exact. */

void report_topk_init(struct rtopk *t, uint32_t k)
{
	memset(t, 0, sizeof *t);
	t->k = k ? k : 1;
}

void report_topk_free(struct rtopk *t)
{
	report_count_free(&t->map);
	free(t->heap);
	t->heap = NULL;
	t->n = t->cap = 0;
}

static void heap_set(struct rtopk *t, uint32_t i, struct rcount *c)
{
	t->heap[i] = c;
	c->hidx = i;
}

static void sift_down(struct rtopk *t, uint32_t i)
{
	struct rcount *c = t->heap[i];
	for (;;) {
		uint32_t l = 2 * i + 1, m = i;
		if (l >= t->n)
			break;
		m = l;
		if (l + 1 < t->n && t->heap[l + 1]->flows < t->heap[l]->flows)
			m = l + 1;
		if (t->heap[m]->flows >= c->flows)
			break;
		heap_set(t, i, t->heap[m]);
		i = m;
	}
	heap_set(t, i, c);
}

static void sift_up(struct rtopk *t, uint32_t i)
{
	struct rcount *c = t->heap[i];
	while (i > 0) {
		uint32_t p = (i - 1) / 2;
		if (t->heap[p]->flows <= c->flows)
			break;
		heap_set(t, i, t->heap[p]);
		i = p;
	}
	heap_set(t, i, c);
}

/* Keys get at least this room, so that a counter taken over keeps its memory (an endpoint
 * "[v6addr]:port" fits). */
#define KEY_ROOM 64

static struct rcount *new_count(const char *key, bool *oom)
{
	size_t n = strlen(key);
	struct rcount *c = calloc(1, sizeof *c + (n + 1 > KEY_ROOM ? n + 1 : KEY_ROOM));
	if (!c) {
		*oom = true;
		return NULL;
	}
	memcpy(c->key, key, n + 1);
	return c;
}

/* Adds n flows and bytes to key, with err extra possible overestimate (merges). */
static void add_err(struct rtopk *t, const char *key, uint64_t n, uint64_t bytes, uint64_t err,
		    bool *oom)
{
	struct rcount *c;
	HASH_FIND_STR(t->map, key, c);
	if (c) {
		c->flows += n;
		c->bytes += bytes;
		c->err += err;
		sift_down(t, c->hidx);
		return;
	}
	if (t->n < t->k) {
		if (t->n == t->cap) {
			uint32_t cap = t->cap ? t->cap * 2 : 8;
			if (cap > t->k)
				cap = t->k;
			struct rcount **h = realloc(t->heap, cap * sizeof *h);
			if (!h) {
				*oom = true;
				return;
			}
			t->heap = h;
			t->cap = cap;
		}
		if (!(c = new_count(key, oom)))
			return;
		c->flows = n;
		c->bytes = bytes;
		c->err = err;
		HASH_ADD_STR(t->map, key, c);
		heap_set(t, t->n++, c);
		sift_up(t, c->hidx);
		return;
	}
	/* full: the smallest counter goes to the new key (a record that adds no flow, an interim
	 * one, takes none: it would only churn the summary) */
	if (!n && !err)
		return;
	struct rcount *v = t->heap[0];
	size_t klen = strlen(key);
	HASH_DEL(t->map, v);
	if (v->flows > t->floor)
		t->floor = v->flows;
	t->evicted++;
	uint64_t vf = v->flows, vb = v->bytes;
	if (klen < KEY_ROOM) {
		c = v; /* reuse its memory */
		memcpy(c->key, key, klen + 1);
	} else {
		free(v);
		if (!(c = new_count(key, oom))) {
			if (--t->n) { /* keep the heap whole without it */
				heap_set(t, 0, t->heap[t->n]);
				sift_down(t, 0);
			}
			return;
		}
	}
	c->flows = vf + n;
	c->bytes = vb + bytes;
	c->err = vf + err;
	HASH_ADD_KEYPTR(hh, t->map, c->key, klen, c);
	heap_set(t, 0, c);
	sift_down(t, 0);
}

void report_topk_add(struct rtopk *t, const char *key, uint64_t n, uint64_t bytes, bool *oom)
{
	if (!t->k) /* zeroed (calloc'd) summaries get the default size */
		t->k = REPORT_TOPK_K;
	add_err(t, key, n, bytes, 0, oom);
}

uint64_t report_topk_floor(const struct rtopk *t)
{
	return t->floor;
}

size_t report_topk_size(const struct rtopk *t)
{
	return t->n;
}

bool report_topk_exact(const struct rtopk *t)
{
	return t->evicted == 0;
}

void report_topk_fmt_distinct(const struct rtopk *t, char *buf, size_t len)
{
	if (report_topk_exact(t))
		snprintf(buf, len, "%u", t->n);
	else
		snprintf(buf, len, "> %u", t->n);
}

/* Merging (one summary per thread, Agarwal et al. 2012): counts of the union are summed; a key
 * one side does not hold may have had up to that side's floor there, so its count and error grow
 * by that floor; then only the k largest stay, and the floor is the largest count dropped (or the
 * sum of both floors, whichever is larger). */
int report_topk_merge(struct rtopk *dst, const struct rtopk *src)
{
	bool oom = false;
	uint64_t fd = dst->floor, fs = src->floor;
	struct rtopk u;
	report_topk_init(&u, dst->k + src->k); /* room for the whole union: nothing evicted here */
	struct rcount *c, *tmp, *o;
	HASH_ITER(hh, dst->map, c, tmp) {
		HASH_FIND_STR(src->map, c->key, o);
		if (o)
			add_err(&u, c->key, c->flows + o->flows, c->bytes + o->bytes, c->err + o->err,
				&oom);
		else
			add_err(&u, c->key, c->flows + fs, c->bytes, c->err + fs, &oom);
	}
	HASH_ITER(hh, src->map, c, tmp) {
		HASH_FIND_STR(dst->map, c->key, o);
		if (!o)
			add_err(&u, c->key, c->flows + fd, c->bytes, c->err + fd, &oom);
	}
	if (oom) {
		report_topk_free(&u);
		return -1;
	}
	u.floor = fd + fs;
	u.evicted = dst->evicted + src->evicted;
	while (u.n > dst->k) {
		struct rcount *v = u.heap[0];
		if (v->flows > u.floor)
			u.floor = v->flows;
		u.evicted++;
		heap_set(&u, 0, u.heap[--u.n]);
		if (u.n)
			sift_down(&u, 0);
		HASH_DEL(u.map, v);
		free(v);
	}
	u.k = dst->k;
	report_topk_free(dst);
	*dst = u;
	return 0;
}
