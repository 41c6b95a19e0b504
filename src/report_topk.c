/* report_topk.c - bounded heavy-hitter counters for the report's endpoints (Filtered Space-Saving: Metwally et al. 2005, Homem and Carvalho 2010). */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

/* Why Space-Saving: the report's top servers and clients must not grow with the number of distinct
 * hosts (a week of records from many sensors). k counters, the smallest found in O(1): a new key
 * on a full summary takes over the smallest counter, inheriting its count as its possible error.
 * A kept count then overestimates the true one by at most its err (<= the floor), and any key not
 * kept had at most `floor` flows. While fewer than k distinct keys were seen, everything is exact.
 *
 * Why filtered: with every client new (a week of DHCP clients, a scan), every record took over the
 * smallest counter in each summary its endpoint goes to, and a kept client's error was that
 * counter's whole count ("≈ 1009 flows, at most 1008 over" on bench's records). Homem and
 * Carvalho's filter counts a key not kept in one of 4k hashed counters (alpha) first: it takes
 * the smallest counter over only once alpha + its flows exceed that counter, with alpha as its
 * error; a counter taken over leaves its count in its key's alpha. Each alpha bounds the flows
 * of every key not kept that hashes to it (alphas only grow, a key's flows go to its alpha or its
 * counter, and a counter leaves at least its key's flows behind), and no alpha exceeds the
 * floor, so the guarantees above stay, with errors a fourth to a fifth of what they were on
 * bench's records ("at most 222 over"); the counters no longer hold the stream's total, and a
 * new key is not always kept. Ties keep the counter held: on a stream of distinct keys, about k
 * of each k + 4k new keys take a counter over. Each alpha entry also counts the kept keys that
 * hash to it, so most new keys cost one cache miss per summary (the entry) where a takeover
 * took several (table, counter, buckets). */

/* The counters live in one block per summary, in the stream-summary form (Metwally et al.'s own):
 * counters with the same flow count share a bucket, buckets are listed in increasing count, so
 * the smallest counter is the first bucket's oldest and an increment moves a counter to the next
 * bucket: O(1) per record (a min-heap took log k moves per takeover, each one a write to two
 * arrays: with every client distinct, every record takes over a counter in several summaries).
 * Keys up to RTOPK_INLINE - 1 bytes (every IPv4 endpoint) live in the counter; counters are found
 * through an open-addressing table of 16-bit (hash tag, id + 1) pairs. A summary starts with
 * room for 8 counters and then takes its full k at once: the memory of a report is bounded by its
 * summaries times k from the first records on, not something that creeps up with the records. */

#define NIL 0xffffu
#define START_CAP 8
/* An alpha entry: the bound << AL_SHIFT | the kept keys that hash to it (AL_KEPT: that many or
 * more, for good: the table is then always searched) */
#define AL_SHIFT 8
#define AL_KEPT 0xffu

static void hll_put(uint8_t *regs, uint64_t h);
static void hll_start(struct rtopk *t, bool *oom);
static void alpha_start(struct rtopk *t, bool *oom);

/* A key not kept: its flows (a, the alpha al held, + n) stay in al, and the floor covers them. */
static void alpha_keep(struct rtopk *t, uint64_t *al, uint64_t a, uint64_t n)
{
	*al = (a + n) << AL_SHIFT | (*al & AL_KEPT);
	if (a + n > t->floor)
		t->floor = a + n;
	t->evicted++;
}

void report_topk_init(struct rtopk *t, uint32_t k)
{
	memset(t, 0, sizeof *t);
	t->k = k ? (k < REPORT_TOPK_MAX_K ? k : REPORT_TOPK_MAX_K) : 1;
}

static void key_free(struct rtopk_count *c)
{
	if (c->key && c->key != c->kin)
		free(c->key);
}

void report_topk_free(struct rtopk *t)
{
	for (uint32_t i = 0; i < t->n; i++)
		key_free(&t->ent[i]);
	free(t->ent); /* the one block: ent, slot, bk, tab */
	free(t->hll);
	free(t->alpha);
	t->alpha = NULL;
	t->amask = 0;
	t->ent = NULL;
	t->bk = NULL;
	t->slot = NULL;
	t->tab = NULL;
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

/* The word loads are read as the machine's: w above is built little-endian, so on a big-endian
 * machine both are swapped to give the memcpy'd word the full words are. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
static inline uint32_t le32(uint32_t x) { return __builtin_bswap32(x); }
static inline uint64_t le64(uint64_t x) { return __builtin_bswap64(x); }
#else
static inline uint32_t le32(uint32_t x) { return x; }
static inline uint64_t le64(uint64_t x) { return x; }
#endif

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
		/* the last 1-7 bytes as a zero-padded little-endian word, from two overlapping loads
		 * (a byte copy to the stack and a word load back stalled store forwarding) */
		uint64_t w;
		if (len >= 4) {
			uint32_t a, b;
			memcpy(&a, p, 4);
			memcpy(&b, p + len - 4, 4);
			w = (uint64_t)le32(a) | (uint64_t)le32(b) << (8 * (len - 4));
		} else {
			w = (uint64_t)p[0] | (uint64_t)p[len / 2] << (8 * (len / 2)) |
			    (uint64_t)p[len - 1] << (8 * (len - 1));
		}
		h = (h ^ le64(w)) * 0x94d049bb133111ebULL;
	}
	return mix64(h);
}

/* ---- the table ---- */

#define TAG(h) ((uint32_t)((h) >> 48))
#define HOME(t, w) (((w) >> 16) & (t)->tmask) /* w: a word or a tag */

static uint32_t tab_find(const struct rtopk *t, const char *key, size_t klen, uint64_t h)
{
	uint32_t tag = TAG(h);
	for (uint32_t i = tag & t->tmask;; i = (i + 1) & t->tmask) {
		uint32_t w = t->tab[i];
		if (!w)
			return UINT32_MAX;
		if (w >> 16 == tag) {
			uint32_t id = (w & 0xffff) - 1;
			const struct rtopk_count *c = &t->ent[id];
			if (c->klen == klen && report_key_eq(c->key, key, klen))
				return id;
		}
	}
}

static void tab_put(struct rtopk *t, uint64_t h, uint32_t id)
{
	uint32_t tag = TAG(h), i = tag & t->tmask;
	while (t->tab[i])
		i = (i + 1) & t->tmask;
	t->tab[i] = tag << 16 | (id + 1);
	t->slot[id] = (uint16_t)i;
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
			uint32_t w = t->tab[j];
			if (!w)
				return;
			uint32_t home = HOME(t, w);
			/* w may move to i unless its home lies cyclically in (i, j] */
			if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
				t->tab[i] = w;
				t->slot[(w & 0xffff) - 1] = (uint16_t)i;
				i = j;
				break;
			}
		}
	}
}

/* The hash tag of kept counter id, from its table word. */
static inline uint32_t tag_of(const struct rtopk *t, uint32_t id)
{
	return t->tab[t->slot[id]] >> 16;
}

/* ---- keys ---- */

/* n < RTOPK_INLINE bytes from s to d, as overlapping word moves: a takeover copies a new key
 * (an address, an endpoint) every record, and this is cheaper than a memcpy call of a variable
 * length. */
static inline void copy_short(char *d, const char *s, size_t n)
{
	uint64_t a, b, c;
	uint32_t x, y;
	if (n >= 16) {
		memcpy(&a, s, 8);
		memcpy(&b, s + 8, 8);
		memcpy(&c, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + 8, &b, 8);
		memcpy(d + n - 8, &c, 8);
	} else if (n >= 8) {
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4) {
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		memcpy(d, &x, 4);
		memcpy(d + n - 4, &y, 4);
	} else {
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	}
}

/* c's key becomes key (klen bytes): in the counter when it fits, else in memory of its own (its
 * size kept in kin), reused while long enough. -1: out of memory, c unchanged. */
static int key_set(struct rtopk_count *c, const char *key, size_t klen)
{
	if (klen < RTOPK_INLINE) {
		key_free(c);
		c->key = c->kin;
	} else {
		uint32_t room = 0;
		if (c->key && c->key != c->kin)
			memcpy(&room, c->kin, sizeof room);
		if (room < klen + 1) {
			char *p = malloc(klen + 1 < 64 ? 64 : klen + 1);
			if (!p)
				return -1;
			key_free(c);
			c->key = p;
			room = (uint32_t)(klen + 1 < 64 ? 64 : klen + 1);
			memcpy(c->kin, &room, sizeof room);
		}
	}
	if (klen < RTOPK_INLINE)
		copy_short(c->key, key, klen);
	else
		memcpy(c->key, key, klen);
	c->key[klen] = '\0';
	c->klen = (uint16_t)klen;
	return 0;
}

/* Room for cap counters (ids unchanged), in one block: counters, table slots, buckets, table
 * (at most a quarter full: with every client new, each record's takeovers search the table for
 * a key it lacks and delete the victim's word, both walking to the end of a probe cluster; at a
 * half-full table those walks were a tenth of --from-json, and 2 KB more per summary halve them).
 * Why malloc and only the table cleared: counters, slots and buckets are written before they are
 * read (buckets are handed out from bnew up), and most summaries that take their full k never
 * fill it; clearing all of it (calloc) faulted in and zeroed pages never used (a third of the
 * page faults of --from-json with every client new). */
static int grow(struct rtopk *t, uint32_t cap)
{
	uint32_t size = 16;
	while (size < 4 * cap)
		size *= 2;
	size_t off_slot = (size_t)cap * sizeof(struct rtopk_count);
	size_t off_bk = (off_slot + cap * sizeof(uint16_t) + 7) & ~(size_t)7;
	size_t off_tab = off_bk + (cap + 1) * sizeof(struct rtopk_bucket);
	char *blk = malloc(off_tab + size * sizeof(uint32_t));
	if (!blk)
		return -1;
	memset(blk + off_tab, 0, size * sizeof(uint32_t));
	struct rtopk_count *ent = (struct rtopk_count *)(void *)blk;
	struct rtopk_bucket *bk = (struct rtopk_bucket *)(void *)(blk + off_bk);
	for (uint32_t i = 0; i < t->n; i++) {
		ent[i] = t->ent[i];
		if (t->ent[i].key == t->ent[i].kin)
			ent[i].key = ent[i].kin;
	}
	if (t->bk) {
		memcpy(bk, t->bk, (size_t)t->bnew * sizeof *bk); /* the ones ever used */
	} else {
		t->bfree = NIL;
		t->bnew = 0;
	}
	free(t->ent);
	t->ent = ent;
	t->bk = bk;
	t->slot = (uint16_t *)(void *)(blk + off_slot);
	t->tab = (uint32_t *)(void *)(blk + off_tab);
	t->tmask = size - 1;
	t->cap = cap;
	for (uint32_t i = 0; i < t->n; i++)
		tab_put(t, report_key_hash(ent[i].key, ent[i].klen), i);
	return 0;
}

/* ---- the buckets ---- */

static uint16_t bucket_new(struct rtopk *t, uint64_t flows, uint16_t prev, uint16_t next)
{
	uint16_t b = t->bfree;
	if (b != NIL)
		t->bfree = t->bk[b].next;
	else
		b = t->bnew++; /* at most cap + 1 buckets are ever in use */
	struct rtopk_bucket *x = &t->bk[b];
	x->flows = flows;
	x->head = x->tail = NIL;
	x->prev = prev;
	x->next = next;
	if (prev != NIL)
		t->bk[prev].next = b;
	else
		t->bmin = b;
	if (next != NIL)
		t->bk[next].prev = b;
	else
		t->bmax = b;
	return b;
}

static void bucket_drop(struct rtopk *t, uint16_t b)
{
	struct rtopk_bucket *x = &t->bk[b];
	if (x->prev != NIL)
		t->bk[x->prev].next = x->next;
	else
		t->bmin = x->next;
	if (x->next != NIL)
		t->bk[x->next].prev = x->prev;
	else
		t->bmax = x->prev;
	x->next = t->bfree;
	t->bfree = b;
}

static void append(struct rtopk *t, uint16_t b, uint32_t id)
{
	struct rtopk_bucket *x = &t->bk[b];
	struct rtopk_count *c = &t->ent[id];
	c->bucket = b;
	c->next = NIL;
	c->prev = x->tail;
	if (x->tail != NIL)
		t->ent[x->tail].next = (uint16_t)id;
	else
		x->head = (uint16_t)id;
	x->tail = (uint16_t)id;
}

/* Takes id out of its bucket. Why the head and tail tests rather than prev == NIL: a takeover
 * removes the bucket's head, and then nothing is written to the next counter (a cold line). */
static void unlink_count(struct rtopk *t, uint32_t id)
{
	struct rtopk_count *c = &t->ent[id];
	struct rtopk_bucket *x = &t->bk[c->bucket];
	if (x->head == id)
		x->head = c->next;
	else
		t->ent[c->prev].next = c->next;
	if (x->tail == id)
		x->tail = x->head == NIL ? NIL : c->prev;
	else
		t->ent[c->next].prev = c->prev; /* a head's prev is stale: never read */
}

/* A new counter id with flows f into its bucket (found from the smallest: new counts are small). */
static void place_new(struct rtopk *t, uint32_t id, uint64_t f)
{
	uint16_t at = NIL; /* the last bucket of a count <= f */
	if (t->n > 1) {    /* id is counted in n already */
		if (t->bk[t->bmax].flows <= f)
			at = t->bmax;
		else
			for (uint16_t b = t->bmin; b != NIL && t->bk[b].flows <= f; b = t->bk[b].next)
				at = b;
	}
	if (at == NIL || t->bk[at].flows != f)
		at = bucket_new(t, f, at, at == NIL ? (t->n > 1 ? t->bmin : NIL) : t->bk[at].next);
	append(t, at, id);
}

/* Counter id's flows grew to f: on to the bucket of f. */
static void bump(struct rtopk *t, uint32_t id, uint64_t f)
{
	struct rtopk_count *c = &t->ent[id];
	uint16_t b = c->bucket;
	struct rtopk_bucket *x = &t->bk[b];
	uint16_t at = b; /* the last bucket of a count <= f */
	while (t->bk[at].next != NIL && t->bk[t->bk[at].next].flows <= f)
		at = t->bk[at].next;
	if (at == b && x->head == x->tail) { /* alone, and no bucket of f: the bucket moves along */
		x->flows = f;
		return;
	}
	if (t->bk[at].flows != f)
		at = bucket_new(t, f, at, t->bk[at].next);
	unlink_count(t, id);
	if (x->head == NIL)
		bucket_drop(t, b);
	append(t, at, id);
}

/* Adds n flows and bytes to key (klen bytes, hash h). */
static uint32_t add(struct rtopk *t, const char *key, size_t klen, uint64_t h, uint64_t n,
		    uint64_t bytes, bool *fresh, bool *oom)
{
	*fresh = false;
	if (klen > UINT16_MAX)
		return UINT32_MAX; /* not an endpoint: never kept */
	/* a full summary's alpha entry also counts the kept keys that hash to it: with none, the key
	 * is not kept, and the table is not searched (most keys on a stream of new clients: one
	 * cache miss per summary instead of two) */
	uint64_t *al = t->alpha ? &t->alpha[TAG(h) & t->amask] : NULL;
	uint32_t id = !t->n || (al && !(*al & AL_KEPT)) ? UINT32_MAX : tab_find(t, key, klen, h);
	struct rtopk_count *c;
	if (id != UINT32_MAX) {
		c = &t->ent[id];
		c->bytes += bytes;
		if (n) {
			c->flows += n;
			bump(t, id, c->flows);
		}
		return id;
	}
	if (t->n < t->k) {
		if (t->n == t->cap &&
		    grow(t, t->cap < START_CAP && t->k > START_CAP ? START_CAP : t->k) != 0) {
			*oom = true;
			return UINT32_MAX;
		}
		id = t->n;
		c = &t->ent[id];
		c->key = NULL;
		if (key_set(c, key, klen) != 0) {
			*oom = true;
			return UINT32_MAX;
		}
		t->n++;
		c->flows = n;
		c->bytes = bytes;
		c->err = 0;
		tab_put(t, h, id);
		place_new(t, id, n);
		*fresh = true;
		return id;
	}
	/* full: a key with flows may take the smallest counter over (a record that adds no flow, an
	 * interim one, takes none: it would only churn the summary) */
	if (!n)
		return UINT32_MAX;
	if (!t->hll) { /* the first key past the counters: distinct keys are estimated from now */
		hll_start(t, oom);
		if (t->hll)
			hll_put(t->hll, h);
	}
	if (!t->alpha) {
		alpha_start(t, oom); /* without it (out of memory): plain Space-Saving, still bounded */
		al = t->alpha ? &t->alpha[TAG(h) & t->amask] : NULL;
	}
	struct rtopk_bucket *x = &t->bk[t->bmin];
	uint64_t vf = x->flows, a = vf;
	if (al) {
		a = *al >> AL_SHIFT;
		if (a + n <= vf) { /* cannot beat the smallest counter */
			alpha_keep(t, al, a, n);
			return UINT32_MAX;
		}
	}
	id = x->head;
	c = &t->ent[id];
	uint32_t vtag = tag_of(t, id); /* the victim's alpha: read before its word goes */
	if (klen >= RTOPK_INLINE || c->key != c->kin) { /* memory may be needed: before any change */
		struct rtopk_count tmp = *c;
		if (tmp.key == c->kin)
			tmp.key = tmp.kin;
		if (key_set(&tmp, key, klen) != 0) {
			/* out of memory, said so: the old key stays, the new one's flows go to
			 * its alpha (still bounded) */
			*oom = true;
			if (al)
				alpha_keep(t, al, a, n);
			else
				t->evicted++;
			return UINT32_MAX;
		}
		tab_del(t, id);
		*c = tmp;
		if (tmp.key == tmp.kin)
			c->key = c->kin;
	} else {
		tab_del(t, id);
		copy_short(c->kin, key, klen);
		c->kin[klen] = '\0';
		c->klen = (uint16_t)klen;
	}
	if (al) { /* the victim's count to its alpha, one kept key less there, one more at the key's */
		uint64_t *vl = &t->alpha[vtag & t->amask], va = *vl >> AL_SHIFT, vk = *vl & AL_KEPT;
		*vl = (va > vf ? va : vf) << AL_SHIFT | (vk == AL_KEPT || !vk ? vk : vk - 1);
		if ((*al & AL_KEPT) != AL_KEPT)
			(*al)++;
	}
	if (vf > t->floor)
		t->floor = vf;
	t->evicted++;
	c->flows = a + n;
	c->bytes = bytes; /* bytes since the takeover: a lower bound (flows are the upper one) */
	c->err = a;
	tab_put(t, h, id);
	bump(t, id, a + n);
	*fresh = true;
	return id;
}

uint32_t report_topk_find_id(const struct rtopk *t, const char *key)
{
	size_t len = strlen(key);
	return t->n ? tab_find(t, key, len, report_key_hash(key, len)) : UINT32_MAX;
}

const struct rtopk_count *report_topk_find(const struct rtopk *t, const char *key)
{
	uint32_t id = report_topk_find_id(t, key);
	return id == UINT32_MAX ? NULL : &t->ent[id];
}

/* For the renderers: the counters as rcounts (copies, in the one block the caller frees). */
struct rcount **report_topk_sorted(const struct rtopk *t, size_t *n)
{
	size_t size = (t->n ? t->n : 1) * sizeof(struct rcount *), one = 0;
	for (uint32_t i = 0; i < t->n; i++)
		size += (sizeof(struct rcount) + t->ent[i].klen + 1 + 7) & ~(size_t)7;
	struct rcount **v = calloc(1, size);
	*n = v ? t->n : 0;
	if (!v)
		return NULL;
	char *p = (char *)(v + (t->n ? t->n : 1));
	for (uint32_t i = 0; i < t->n; i++, p += one) {
		const struct rtopk_count *c = &t->ent[i];
		struct rcount *r = (struct rcount *)(void *)p;
		r->flows = c->flows;
		r->bytes = c->bytes;
		r->err = c->err;
		r->hash = report_key_hash(c->key, c->klen);
		r->klen = c->klen;
		memcpy(r->key, c->key, (size_t)c->klen + 1);
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
		hll_put(t->hll, report_key_hash(t->ent[i].key, t->ent[i].klen));
}

/* The filter's counters, once a summary is full: 4k of them (at most one per hash tag), each
 * starting at the floor (0, or a merged summary's bound on any key it does not hold), with the
 * number of kept keys that hash to it. */
static void alpha_start(struct rtopk *t, bool *oom)
{
	uint32_t na = 16;
	while (na < 4 * t->k && na < 65536)
		na *= 2;
	if (!(t->alpha = malloc(na * sizeof *t->alpha))) {
		*oom = true;
		return;
	}
	for (uint32_t i = 0; i < na; i++)
		t->alpha[i] = t->floor << AL_SHIFT;
	t->amask = na - 1;
	for (uint32_t i = 0; i < t->n; i++) {
		uint64_t *e = &t->alpha[tag_of(t, i) & t->amask];
		if ((*e & AL_KEPT) != AL_KEPT)
			(*e)++;
	}
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
		hll_put(regs, report_key_hash(t->ent[i].key, t->ent[i].klen));
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
	add(t, key, len, hash, n, bytes, &fresh, oom);
}

uint32_t report_topk_add_id(struct rtopk *t, const char *key, size_t len, uint64_t hash, uint64_t n,
			    uint64_t bytes, bool *fresh, bool *oom)
{
	if (t->hll)
		hll_put(t->hll, hash);
	if (!t->k)
		t->k = REPORT_TOPK_K;
	return add(t, key, len, hash, n, bytes, fresh, oom);
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
 * by that floor; then only the k largest stay (ties: the smaller key), and the floor is the
 * largest count dropped (or the sum of both floors, whichever is larger). */
struct mcount {
	uint64_t flows, bytes, err, hash;
	const char *key;
	uint32_t klen, order; /* order: the union's (dst's ids, then src's keys dst lacks) */
};

static int by_flows_desc(const void *a, const void *b)
{
	const struct mcount *x = a, *y = b;
	if (x->flows != y->flows)
		return x->flows > y->flows ? -1 : 1;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->order > y->order) - (x->order < y->order);
}

static int by_order(const void *a, const void *b)
{
	const struct mcount *x = a, *y = b;
	return (x->order > y->order) - (x->order < y->order);
}

struct idf {
	uint64_t flows;
	uint32_t id;
};

static int by_flows_id(const void *a, const void *b)
{
	const struct idf *x = a, *y = b;
	if (x->flows != y->flows)
		return x->flows > y->flows ? 1 : -1;
	return (x->id > y->id) - (x->id < y->id);
}

int report_topk_merge(struct rtopk *dst, const struct rtopk *src)
{
	uint64_t fd = dst->floor, fs = src->floor;
	uint32_t nu = 0, k = dst->k ? dst->k : REPORT_TOPK_K;
	struct mcount *u = malloc(((size_t)dst->n + src->n + 1) * sizeof *u);
	struct idf *ids = malloc(((size_t)k + 1) * sizeof *ids);
	if (!u || !ids) {
		free(u);
		free(ids);
		return -1;
	}
	for (uint32_t i = 0; i < dst->n; i++) {
		const struct rtopk_count *c = &dst->ent[i];
		uint64_t h = report_key_hash(c->key, c->klen);
		uint32_t o = src->n ? tab_find(src, c->key, c->klen, h) : UINT32_MAX;
		const struct rtopk_count *s = o != UINT32_MAX ? &src->ent[o] : NULL;
		u[nu] = (struct mcount){ c->flows + (s ? s->flows : fs), c->bytes + (s ? s->bytes : 0),
					 c->err + (s ? s->err : fs), h, c->key, c->klen, nu };
		nu++;
	}
	for (uint32_t i = 0; i < src->n; i++) {
		const struct rtopk_count *c = &src->ent[i];
		uint64_t h = report_key_hash(c->key, c->klen);
		if (dst->n && tab_find(dst, c->key, c->klen, h) != UINT32_MAX)
			continue;
		u[nu] = (struct mcount){ c->flows + fd, c->bytes, c->err + fd, h, c->key, c->klen, nu };
		nu++;
	}
	struct rtopk m;
	report_topk_init(&m, k);
	m.floor = fd + fs;
	m.evicted = dst->evicted + src->evicted;
	uint32_t keep = nu;
	if (nu > k) { /* only the k largest stay */
		qsort(u, nu, sizeof *u, by_flows_desc);
		keep = k;
		for (uint32_t i = k; i < nu; i++)
			if (u[i].flows > m.floor)
				m.floor = u[i].flows;
		m.evicted += nu - k;
		qsort(u, k, sizeof *u, by_order); /* the survivors in the union's order: ids */
	}
	/* room as add() would have made it: up to START_CAP, else all k */
	bool oom = keep && grow(&m, keep <= START_CAP ? keep : k) != 0;
	for (uint32_t i = 0; i < keep && !oom; i++) {
		struct rtopk_count *c = &m.ent[i];
		c->key = NULL;
		if (key_set(c, u[i].key, u[i].klen) != 0) {
			oom = true;
			break;
		}
		c->flows = u[i].flows;
		c->bytes = u[i].bytes;
		c->err = u[i].err;
		m.n++;
		tab_put(&m, u[i].hash, i);
		ids[i] = (struct idf){ c->flows, i };
	}
	if (!oom) { /* the buckets, from the smallest count */
		qsort(ids, m.n, sizeof *ids, by_flows_id);
		for (uint32_t i = 0; i < m.n; i++) {
			uint64_t f = ids[i].flows;
			uint16_t b = i && m.bk[m.bmax].flows == f ? m.bmax
								  : bucket_new(&m, f, i ? m.bmax : NIL, NIL);
			append(&m, b, ids[i].id);
		}
	}
	free(u);
	free(ids);
	if (!oom && m.evicted) { /* not exact: the distinct keys of both, estimated */
		if ((m.hll = calloc(HLL_M, 1))) {
			hll_fold(m.hll, dst);
			hll_fold(m.hll, src);
		} else {
			oom = true;
		}
	}
	if (oom) {
		report_topk_free(&m);
		return -1;
	}
	report_topk_free(dst);
	*dst = m;
	return 0;
}
