/* report_topk.c - bounded heavy-hitter counters for the report's endpoints (Space-Saving, Metwally et al. 2005). */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

/* Why Space-Saving: the report's top servers and clients must not grow with the number of distinct
 * hosts (a week of records from many sensors). k counters, a min-heap on the flow count: a new key
 * on a full summary takes over the smallest counter, inheriting its count as its possible error.
 * A kept count then overestimates the true one by at most its err (<= the floor), and any key not
 * kept had at most `floor` flows. While fewer than k distinct keys were seen, everything is exact. */

/* The counters live in ent[0..n) (ids), found through an open-addressing table of
 * (hash tag, id + 1) words and ordered by a min-heap of (flows, id): a record's update touches
 * two small arrays and its one counter. Why not uthash here: with every client distinct, every
 * record takes over a counter (delete + add) in several summaries; uthash's chains of separately
 * allocated handles made that the report's largest cost. */

static void hll_put(uint8_t *regs, uint64_t h);
static void hll_start(struct rtopk *t, bool *oom);

void report_topk_init(struct rtopk *t, uint32_t k)
{
	memset(t, 0, sizeof *t);
	t->k = k ? k : 1;
}

void report_topk_free(struct rtopk *t)
{
	for (uint32_t i = 0; i < t->n; i++)
		free(t->ent[i]);
	free(t->ent);
	free(t->heap);
	free(t->pos);
	free(t->slot);
	free(t->room);
	free(t->tab);
	free(t->hll);
	t->ent = NULL;
	t->heap = NULL;
	t->tab = NULL;
	t->pos = t->slot = NULL;
	t->room = NULL;
	t->hll = NULL;
	t->n = t->cap = t->tmask = 0;
}

/* Why a hash of our own: a record's endpoint goes to several summaries; this one reads 8 bytes at
 * a time, is computed once per record and key, and its 64 bits feed HyperLogLog too. Mixing: a
 * multiply-xorshift per word, murmur3's finalizer at the end. */
static inline uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

uint64_t report_key_hash(const char *key, size_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (len * 0xbf58476d1ce4e5b9ULL);
	const unsigned char *p = (const unsigned char *)key;
	while (len >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x94d049bb133111ebULL;
		h ^= h >> 29;
		p += 8;
		len -= 8;
	}
	if (len) {
		uint64_t w = 0;
		memcpy(&w, p, len);
		h = (h ^ w) * 0x94d049bb133111ebULL;
	}
	return mix64(h);
}

/* ---- the table ---- */

/* A word: the hash's high 32 bits (its home slot too: the word alone tells where it belongs), and
 * id + 1 (never 0: 0 is an empty slot). */
#define TAG(h) ((h) & 0xffffffff00000000ULL)
#define HOME(t, h) ((uint32_t)((h) >> 32) & (t)->tmask)

static uint32_t tab_find(const struct rtopk *t, const char *key, size_t klen, uint64_t h,
			 uint32_t *slot)
{
	uint64_t tag = TAG(h);
	uint32_t i = HOME(t, h);
	for (;; i = (i + 1) & t->tmask) {
		uint64_t w = t->tab[i];
		if (!w)
			break;
		if ((w & 0xffffffff00000000ULL) == tag) {
			uint32_t id = (uint32_t)w - 1;
			const struct rtopk_count *c = t->ent[id];
			if (c->klen == klen && memcmp(c->key, key, klen) == 0) {
				*slot = i;
				return id;
			}
		}
	}
	*slot = i;
	return UINT32_MAX;
}

static void tab_put(struct rtopk *t, uint64_t h, uint32_t id)
{
	uint32_t i = HOME(t, h);
	while (t->tab[i])
		i = (i + 1) & t->tmask;
	t->tab[i] = TAG(h) | (id + 1);
	t->slot[id] = i;
}

/* Removes id's word, shifting back the words after it that probed past it (linear probing
 * deletion without tombstones). */
static void tab_del(struct rtopk *t, uint32_t id)
{
	uint32_t i = t->slot[id];
	for (uint32_t j = i;;) {
		t->tab[i] = 0;
		for (;;) {
			j = (j + 1) & t->tmask;
			uint64_t w = t->tab[j];
			if (!w)
				return;
			uint32_t home = HOME(t, w);
			/* w may move to i unless its home lies cyclically in (i, j] */
			if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
				t->tab[i] = w;
				t->slot[(uint32_t)w - 1] = i;
				i = j;
				break;
			}
		}
	}
}

/* Room for cap counters: the arrays grow by doubling up to k, the table stays at most half full. */
static int grow(struct rtopk *t, uint32_t cap)
{
	struct rtopk_count **e = realloc(t->ent, cap * sizeof *e);
	if (!e)
		return -1;
	t->ent = e;
	struct rtopk_slot *hp = realloc(t->heap, cap * sizeof *hp);
	if (!hp)
		return -1;
	t->heap = hp;
	uint32_t *pos = realloc(t->pos, cap * sizeof *pos);
	if (!pos)
		return -1;
	t->pos = pos;
	if (!(pos = realloc(t->slot, cap * sizeof *pos)))
		return -1;
	t->slot = pos;
	uint16_t *room = realloc(t->room, cap * sizeof *room);
	if (!room)
		return -1;
	t->room = room;
	uint32_t size = 16;
	while (size < 2 * cap)
		size *= 2;
	if (size - 1 != t->tmask) {
		uint64_t *tab = calloc(size, sizeof *tab);
		if (!tab)
			return -1;
		free(t->tab);
		t->tab = tab;
		t->tmask = size - 1;
		for (uint32_t i = 0; i < t->n; i++)
			tab_put(t, t->ent[i]->hash, i);
	}
	t->cap = cap;
	return 0;
}

/* ---- the heap ---- */

static inline void heap_set(struct rtopk *t, uint32_t i, struct rtopk_slot s)
{
	t->heap[i] = s;
	t->pos[s.id] = i;
}

static void sift_down(struct rtopk *t, uint32_t i)
{
	struct rtopk_slot s = t->heap[i];
	for (;;) {
		uint32_t l = 2 * i + 1, m;
		if (l >= t->n)
			break;
		m = l;
		if (l + 1 < t->n && t->heap[l + 1].flows < t->heap[l].flows)
			m = l + 1;
		if (t->heap[m].flows >= s.flows)
			break;
		heap_set(t, i, t->heap[m]);
		i = m;
	}
	heap_set(t, i, s);
}

static void sift_up(struct rtopk *t, uint32_t i)
{
	struct rtopk_slot s = t->heap[i];
	while (i > 0) {
		uint32_t p = (i - 1) / 2;
		if (t->heap[p].flows <= s.flows)
			break;
		heap_set(t, i, t->heap[p]);
		i = p;
	}
	heap_set(t, i, s);
}

/* A counter's key room: the key and its NUL rounded up to 8, at least 16 (an IPv4 address); a
 * counter taken over keeps its memory when the new key fits (t->room, beside the ids: the
 * victim's own memory is not read), else gets new memory. Counters are small (40 bytes and the
 * key): the summaries of a report with many finding groups fill to thousands of them. */
static size_t key_room(size_t n)
{
	size_t r = (n + 1 + 7) & ~(size_t)7;
	return r < 16 ? 16 : r;
}

static struct rtopk_count *new_count(const char *key, size_t n, uint64_t h, bool *oom)
{
	struct rtopk_count *c = calloc(1, sizeof *c + key_room(n));
	if (!c) {
		*oom = true;
		return NULL;
	}
	memcpy(c->key, key, n);
	c->key[n] = '\0';
	c->klen = (uint32_t)n;
	c->hash = h;
	return c;
}

/* Adds n flows and bytes to key (klen bytes, hash h), with err extra possible overestimate
 * (merges). */
static uint32_t add_err(struct rtopk *t, const char *key, size_t klen, uint64_t h, uint64_t n,
			uint64_t bytes, uint64_t err, bool *fresh, bool *oom)
{
	*fresh = false;
	uint32_t slot, id = t->tab ? tab_find(t, key, klen, h, &slot) : UINT32_MAX;
	struct rtopk_count *c;
	if (id != UINT32_MAX) {
		c = t->ent[id];
		c->flows += n;
		c->bytes += bytes;
		c->err += err;
		if (n) {
			t->heap[t->pos[id]].flows = c->flows;
			sift_down(t, t->pos[id]);
		}
		return id;
	}
	if (t->n < t->k) {
		if (t->n == t->cap && grow(t, t->cap ? (t->cap * 2 < t->k ? t->cap * 2 : t->k) :
						      (t->k < 8 ? t->k : 8)) != 0) {
			*oom = true;
			return UINT32_MAX;
		}
		if (!(c = new_count(key, klen, h, oom)))
			return UINT32_MAX;
		c->flows = n;
		c->bytes = bytes;
		c->err = err;
		id = t->n++;
		t->ent[id] = c;
		t->room[id] = (uint16_t)key_room(klen);
		tab_put(t, h, id);
		heap_set(t, id, (struct rtopk_slot){ n, id });
		sift_up(t, id);
		*fresh = true;
		return id;
	}
	/* full: the smallest counter goes to the new key (a record that adds no flow, an interim
	 * one, takes none: it would only churn the summary) */
	if (!n && !err)
		return UINT32_MAX;
	if (!t->hll) { /* the first key past the counters: distinct keys are estimated from now */
		hll_start(t, oom);
		if (t->hll)
			hll_put(t->hll, h);
	}
	/* the victim is read from the heap and the id arrays only: its counter's memory is just
	 * written (a cold line read per summary and record was this function's largest cost) */
	id = t->heap[0].id;
	uint64_t vf = t->heap[0].flows;
	tab_del(t, id);
	if (vf > t->floor)
		t->floor = vf;
	t->evicted++;
	c = t->ent[id];
	if (key_room(klen) > t->room[id]) { /* a longer key than the memory holds */
		struct rtopk_count *nc = new_count(key, klen, h, oom);
		if (!nc) { /* the new key is lost, as if never seen; the old one stays */
			tab_put(t, c->hash, id);
			return UINT32_MAX;
		}
		free(c);
		c = t->ent[id] = nc;
		t->room[id] = (uint16_t)key_room(klen);
	}
	memcpy(c->key, key, klen);
	c->key[klen] = '\0';
	c->klen = (uint32_t)klen;
	c->hash = h;
	c->flows = vf + n;
	c->bytes = bytes; /* bytes since the takeover: a lower bound (flows are the upper one) */
	c->err = vf + err;
	tab_put(t, h, id);
	heap_set(t, 0, (struct rtopk_slot){ c->flows, id });
	sift_down(t, 0);
	*fresh = true;
	return id;
}

uint32_t report_topk_find_id(const struct rtopk *t, const char *key)
{
	size_t len = strlen(key);
	uint32_t slot;
	return t->tab ? tab_find(t, key, len, report_key_hash(key, len), &slot) : UINT32_MAX;
}

const struct rtopk_count *report_topk_find(const struct rtopk *t, const char *key)
{
	uint32_t id = report_topk_find_id(t, key);
	return id == UINT32_MAX ? NULL : t->ent[id];
}

/* For the renderers: the counters as rcounts (copies, in the one block the caller frees). */
struct rcount **report_topk_sorted(const struct rtopk *t, size_t *n)
{
	size_t size = (t->n ? t->n : 1) * sizeof(struct rcount *), one = 0;
	for (uint32_t i = 0; i < t->n; i++)
		size += (sizeof(struct rcount) + t->ent[i]->klen + 1 + 7) & ~(size_t)7;
	struct rcount **v = calloc(1, size);
	*n = v ? t->n : 0;
	if (!v)
		return NULL;
	char *p = (char *)(v + (t->n ? t->n : 1));
	for (uint32_t i = 0; i < t->n; i++, p += one) {
		const struct rtopk_count *c = t->ent[i];
		struct rcount *r = (struct rcount *)(void *)p;
		r->flows = c->flows;
		r->bytes = c->bytes;
		r->err = c->err;
		r->hash = c->hash;
		r->klen = c->klen;
		memcpy(r->key, c->key, c->klen + 1);
		v[i] = r;
		one = (sizeof(struct rcount) + c->klen + 1 + 7) & ~(size_t)7;
	}
	report_sort_counts(v, t->n);
	return v;
}

/* The number of distinct keys once the counters no longer hold them all: HyperLogLog (Flajolet
 * et al. 2007) with 2^HLL_P one-byte registers, standard error 1.04 / sqrt(2^HLL_P) = 3.3 %;
 * registers merge by maximum, so the estimate does not depend on the order or the threads. */
#define HLL_P 10
#define HLL_M (1u << HLL_P)

static void hll_put(uint8_t *regs, uint64_t h)
{
	unsigned j = (unsigned)(h >> (64 - HLL_P));
	uint64_t w = h << HLL_P;
	uint8_t rank = w ? (uint8_t)(__builtin_clzll(w) + 1) : (uint8_t)(64 - HLL_P + 1);
	if (rank > regs[j])
		regs[j] = rank;
}

/* Registers only once a summary overflows (small ones, most of them, never need them): until then
 * its counters hold every distinct key seen, and they fill the registers. */
static void hll_start(struct rtopk *t, bool *oom)
{
	if (t->hll || !(t->hll = calloc(HLL_M, 1))) {
		*oom = *oom || !t->hll;
		return;
	}
	for (uint32_t i = 0; i < t->n; i++)
		hll_put(t->hll, t->ent[i]->hash);
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
	for (uint32_t i = 0; i < t->n; i++)
		hll_put(regs, t->ent[i]->hash);
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

void report_topk_addh(struct rtopk *t, const char *key, size_t len, uint64_t hash, uint64_t n,
		      uint64_t bytes, bool *oom)
{
	if (t->hll)
		hll_put(t->hll, hash);
	if (!t->k) /* zeroed (calloc'd) summaries get the default size */
		t->k = REPORT_TOPK_K;
	bool fresh;
	add_err(t, key, len, hash, n, bytes, 0, &fresh, oom);
}

uint32_t report_topk_add_id(struct rtopk *t, const char *key, size_t len, uint64_t hash, uint64_t n,
			    uint64_t bytes, bool *fresh, bool *oom)
{
	if (t->hll)
		hll_put(t->hll, hash);
	if (!t->k)
		t->k = REPORT_TOPK_K;
	return add_err(t, key, len, hash, n, bytes, 0, fresh, oom);
}

void report_topk_add(struct rtopk *t, const char *key, uint64_t n, uint64_t bytes, bool *oom)
{
	size_t len = strlen(key);
	report_topk_addh(t, key, len, report_key_hash(key, len), n, bytes, oom);
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
	bool oom = false, fresh;
	uint64_t fd = dst->floor, fs = src->floor;
	struct rtopk u;
	report_topk_init(&u, dst->k + src->k); /* room for the whole union: nothing evicted here */
	uint32_t slot;
	for (uint32_t i = 0; i < dst->n; i++) {
		const struct rtopk_count *c = dst->ent[i];
		uint32_t o = src->tab ? tab_find(src, c->key, c->klen, c->hash, &slot) : UINT32_MAX;
		if (o != UINT32_MAX)
			add_err(&u, c->key, c->klen, c->hash, c->flows + src->ent[o]->flows,
				c->bytes + src->ent[o]->bytes, c->err + src->ent[o]->err, &fresh, &oom);
		else
			add_err(&u, c->key, c->klen, c->hash, c->flows + fs, c->bytes, c->err + fs, &fresh,
				&oom);
	}
	for (uint32_t i = 0; i < src->n; i++) {
		const struct rtopk_count *c = src->ent[i];
		if (!dst->tab || tab_find(dst, c->key, c->klen, c->hash, &slot) == UINT32_MAX)
			add_err(&u, c->key, c->klen, c->hash, c->flows + fd, c->bytes, c->err + fd, &fresh,
				&oom);
	}
	if (oom) {
		report_topk_free(&u);
		return -1;
	}
	struct rtopk k;
	report_topk_init(&k, dst->k);
	k.floor = fd + fs;
	k.evicted = dst->evicted + src->evicted;
	uint32_t nu = u.n; /* ids 0..nu-1 */
	while (u.n > dst->k) { /* only the k largest stay */
		uint32_t id = u.heap[0].id;
		if (u.ent[id]->flows > k.floor)
			k.floor = u.ent[id]->flows;
		k.evicted++;
		u.pos[id] = UINT32_MAX; /* dropped */
		u.heap[0] = u.heap[--u.n];
		if (u.n) {
			u.pos[u.heap[0].id] = 0;
			sift_down(&u, 0);
		}
	}
	/* the survivors in id order (deterministic), into a summary of dst's k */
	for (uint32_t i = 0; i < nu && !oom; i++) {
		const struct rtopk_count *c = u.ent[i];
		if (u.pos[i] != UINT32_MAX)
			add_err(&k, c->key, c->klen, c->hash, c->flows, c->bytes, c->err, &fresh, &oom);
	}
	u.n = nu; /* so that every counter is freed */
	report_topk_free(&u);
	if (!oom && k.evicted) { /* not exact: the distinct keys of both, estimated */
		if ((k.hll = calloc(HLL_M, 1))) {
			hll_fold(k.hll, dst);
			hll_fold(k.hll, src);
		} else {
			oom = true;
		}
	}
	if (oom) {
		report_topk_free(&k);
		return -1;
	}
	report_topk_free(dst);
	*dst = k;
	return 0;
}
