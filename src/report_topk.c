/* report_topk.c - bounded heavy-hitter counters for the report's endpoints (Space-Saving, Metwally et al. 2005). */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

/* Why Space-Saving: the report's top servers and clients must not grow with the number of distinct
 * hosts (a week of records from many sensors). k counters, a min-heap on the flow count: a new key
 * on a full summary takes over the smallest counter, inheriting its count as its possible error.
 * A kept count then overestimates the true one by at most its err (<= the floor), and any key not
 * kept had at most `floor` flows. While fewer than k distinct keys were seen, everything is exact. */

static void hll_start(struct rtopk *t, bool *oom);
static void hll_add(struct rtopk *t, const char *key, bool *oom);

void report_topk_init(struct rtopk *t, uint32_t k)
{
	memset(t, 0, sizeof *t);
	t->k = k ? k : 1;
}

void report_topk_free(struct rtopk *t)
{
	report_count_free(&t->map);
	free(t->heap);
	free(t->hll);
	t->hll = NULL;
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
	if (!t->hll) { /* the first key past the counters: distinct keys are estimated from now */
		hll_start(t, oom);
		hll_add(t, key, oom);
	}
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

/* The number of distinct keys once the counters no longer hold them all: HyperLogLog (Flajolet
 * et al. 2007) with 2^HLL_P one-byte registers, standard error 1.04 / sqrt(2^HLL_P) = 3.3 %;
 * registers merge by maximum, so the estimate does not depend on the order or the threads. */
#define HLL_P 10
#define HLL_M (1u << HLL_P)

static uint64_t key_hash(const char *k)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 0x100000001b3ULL;
	h ^= h >> 33; /* murmur3's finalizer: FNV's high bits alone are poorly mixed */
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static void hll_put(uint8_t *regs, const char *key)
{
	uint64_t h = key_hash(key);
	unsigned j = (unsigned)(h >> (64 - HLL_P));
	uint64_t w = h << HLL_P;
	uint8_t rank = w ? (uint8_t)(__builtin_clzll(w) + 1) : (uint8_t)(64 - HLL_P + 1);
	if (rank > regs[j])
		regs[j] = rank;
}

static void hll_add(struct rtopk *t, const char *key, bool *oom)
{
	if (!t->hll && !(t->hll = calloc(HLL_M, 1))) {
		*oom = true;
		return;
	}
	hll_put(t->hll, key);
}

/* Registers only once a summary overflows (small ones, most of them, never need them): until then
 * its counters hold every distinct key seen, and they fill the registers. */
static void hll_start(struct rtopk *t, bool *oom)
{
	if (t->hll || !(t->hll = calloc(HLL_M, 1))) {
		*oom = *oom || !t->hll;
		return;
	}
	for (const struct rcount *c = t->map; c; c = c->hh.next)
		hll_put(t->hll, c->key);
}

/* A summary's distinct keys into regs: its registers, or its counters' keys while exact. */
static void hll_fold(uint8_t *regs, const struct rtopk *t)
{
	if (t->hll) {
		for (unsigned j = 0; j < HLL_M; j++)
			if (t->hll[j] > regs[j])
				regs[j] = t->hll[j];
		return;
	}
	for (const struct rcount *c = t->map; c; c = c->hh.next)
		hll_put(regs, c->key);
}

/* ln x for x >= 1 without libm (the build links none): x = 2^k y, y in [1, 2), and
 * ln y = 2 atanh((y - 1) / (y + 1)), a series in z <= 1/3. */
static double ln(double x)
{
	int k = 0;
	while (x >= 2) {
		x /= 2;
		k++;
	}
	double z = (x - 1) / (x + 1), z2 = z * z, term = z, sum = 0;
	for (int i = 1; i < 40; i += 2) {
		sum += term / i;
		term *= z2;
	}
	return k * 0.69314718055994531 + 2 * sum;
}

double report_topk_distinct(const struct rtopk *t)
{
	if (report_topk_exact(t) || !t->hll)
		return t->n;
	double sum = 0;
	unsigned zeros = 0;
	for (unsigned j = 0; j < HLL_M; j++) {
		sum += 1.0 / (double)(1ULL << t->hll[j]); /* ranks <= 56 */
		zeros += t->hll[j] == 0;
	}
	double m = HLL_M, e = 0.7213 / (1 + 1.079 / m) * m * m / sum;
	if (e <= 2.5 * m && zeros)
		e = m * ln(m / zeros); /* linear counting for the small range */
	return e > t->n + 1 ? e : t->n + 1; /* more than the counters hold, at least */
}

void report_topk_add(struct rtopk *t, const char *key, uint64_t n, uint64_t bytes, bool *oom)
{
	if (t->hll)
		hll_add(t, key, oom);
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
		snprintf(buf, len, "≈ %.0f", report_topk_distinct(t));
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
	if (u.evicted) { /* not exact: the distinct keys of both, estimated */
		if ((u.hll = calloc(HLL_M, 1))) {
			hll_fold(u.hll, dst);
			hll_fold(u.hll, src);
		} else {
			oom = true;
		}
	}
	report_topk_free(dst);
	*dst = u;
	return oom ? -1 : 0;
}
