/* flow_table.c - bidirectional flow table: canonical keys in uthash, timeout lists, per-packet accounting.
 *
 * The connection state (TCP endpoints, history letters, Zeek's conn_state) is in flow_state.c.
 * Flows come from one reserved pool, so creating a flow on the per-packet path does not call
 * malloc; idle flows are found by looking only at the heads of per-timeout lists ordered by
 * last-seen time.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/mman.h>

#include "ucflow.h"

/* uthash configuration: must precede the first inclusion of uthash.h (through flow.h). */
static uint64_t flow_hash_seed = 0x6a09e667f3bcc909ULL;
static uint32_t flow_key_hash(const void *key, size_t len);
static inline int flow_key_cmp(const void *x, const void *y, size_t len);
#define FLOW_KEY_BYTES 44 /* sizeof(struct flow_key), checked below */
static _Thread_local int flow_oom_flag; /* per thread: live capture workers each own a table */
#define HASH_FUNCTION(keyptr, keylen, hashv) ((hashv) = flow_key_hash((keyptr), (keylen)))
/* Every key in the table is a 44-byte flow key: compare it inline rather than call memcmp. */
#define HASH_KEYCMP(a, b, n) flow_key_cmp((a), (b), (n))
#define HASH_NONFATAL_OOM 1
#define uthash_nonfatal_oom(elt) (flow_oom_flag = 1)

#include "flow.h"
#include "flow_state.h"
_Static_assert(sizeof(struct flow_key) == FLOW_KEY_BYTES, "FLOW_KEY_BYTES must match");
/* key_from_pkt() writes the key as words: this is the layout it writes */
_Static_assert(offsetof(struct flow_key, b) == 16 && offsetof(struct flow_key, port_a) == 32 &&
		       offsetof(struct flow_key, port_b) == 34 &&
		       offsetof(struct flow_key, vlan) == 36 &&
		       offsetof(struct flow_key, inner_vlan) == 38 &&
		       offsetof(struct flow_key, proto) == 40 && sizeof(struct ucf_addr) == 16,
	       "flow key layout");

/* uthash doubles its bucket array (16 bytes per bucket) when one chain reaches this length. At the
 * default of 10, right after a doubling the array costs up to ~19 bytes per flow, which with the
 * 240-byte struct breaks the 256-byte bound (bench/flowsize: up to 258.8 bytes/flow all-in, e.g. at
 * 1.8M flows). At 12 the all-in figure stayed at or below 249.6 bytes/flow at every size from 300k
 * to 2.4M flows, for sequential and for random keys. The price is longer chains: in
 * flow_table_update, +5% L1 misses on bench's 1M-packet mix and +19% on 1M distinct flows (callgrind);
 * instructions +0.4% and +1.8%. Only read where the HASH_ macros expand, so it can follow the
 * inclusion. (grow_buckets() now also doubles the array by a load rule of its own, which shortens
 * the chains; with it the all-in figure stayed at or below 253.1 bytes/flow from 40k to 2.4M flows,
 * 248.7 at 1M.) */
#undef HASH_BKT_CAPACITY_THRESH
#define HASH_BKT_CAPACITY_THRESH 12U

/* The per-flow size is part of the memory bound documented for --max-flows in ucflow(1) (240 bytes
 * on 64-bit targets, where the uthash handle holds six pointers). */
_Static_assert(sizeof(void *) != 8 || sizeof(struct flow) == 240,
	       "struct flow must stay 240 bytes on 64-bit targets");

/* Timeout lists. */
enum { LIST_TCP = 0, LIST_UDP, LIST_OTHER, LIST_CLOSED, LIST_COUNT };

/* Without --max-flows the pool reserves room for this many flows (virtual memory only). */
#define POOL_DEFAULT_CAP (64u * 1024 * 1024)

/* Later IP fragments carry no ports: remember which flow each first fragment belonged to. */
#define FRAG_SLOTS 4096
#define FRAG_TTL_US (30ULL * 1000000ULL)
struct frag_slot {
	struct ucf_addr src, dst;
	uint32_t id;
	uint32_t flow_idx;
	uint64_t flow_uid;
	uint64_t ts;
	uint8_t proto;
	uint8_t used;
};

/* Connections recently closed (and written): a retransmitted FIN, a late RST or ACK on the same
 * 5-tuple is counted instead of starting a new flow, which would come out reversed (its first
 * packet is the responder's) with 1 or 2 packets. Direct-mapped by the flow hash: a bounded
 * array, written when a closed flow ends and read only when a TCP packet without SYN finds no
 * flow; a collision forgets the older connection (its late packets then start a flow, as
 * before). Remembered for the TCP idle timeout. */
#define CLOSED_SLOTS 4096
struct closed_slot {
	struct flow_key key;
	uint32_t used;
	uint64_t ts; /* when the connection's last packet was seen */
};

struct fl_list {
	uint32_t head, tail;
};

struct flow_table {
	struct flow_table_config cfg;
	flow_emit_fn emit;
	void *emit_user;
	struct flow *hash; /* uthash head */
	struct flow *pool;
	size_t pool_bytes;
	uint32_t pool_cap, pool_used;
	uint32_t free_head; /* free list through lru_next */
	uint64_t timeout_us[LIST_COUNT];
	uint64_t active_us; /* per-packet active timeout; 0 = off */
	/* No list head can expire at or before this packet time (0 = unknown): lets
	 * flow_table_expire() return at once on the per-packet path. Kept exact by lowering it when a
	 * flow becomes the head of an empty list and zeroing it when a head leaves its list. */
	uint64_t expire_bound;
	struct fl_list lists[LIST_COUNT];
	uint64_t next_uid, uid_step;
	struct flow_table_stats st;
	struct frag_slot frags[FRAG_SLOTS];
	struct closed_slot closed[CLOSED_SLOTS];
};

/* ---- hashing ---- */

static inline uint64_t mix64(uint64_t x)
{
	/* splitmix64 finaliser: a bijective avalanche of 64 bits */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

#ifdef __SIZEOF_INT128__
/* Keys of flow_key_hash44, derived from the seed by flow_table_create(). */
static uint64_t flow_hash_k[8];

__extension__ typedef unsigned __int128 flow_u128;

/* The 128-bit product of a and b, folded to 64 bits: every bit of either input reaches the
 * middle of the product. */
static inline uint64_t mum(uint64_t a, uint64_t b)
{
	flow_u128 r = (flow_u128)a * b;
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/* The hash of a flow key, once per packet: three independent multiplies of keyed word pairs (as
 * wyhash does), folded, then one more to spread them over the low bits that uthash takes for the
 * bucket index. A quarter fewer instructions than the word-by-word chain (kept below for targets
 * without 128-bit multiplies), and the multiplies do not wait for one another. */
static inline uint32_t flow_hash_words(uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
				       uint64_t w4, uint32_t w5)
{
	const uint64_t *kk = flow_hash_k;
	uint64_t h = mum(w0 ^ kk[0], w1 ^ kk[1]) ^ mum(w2 ^ kk[2], w3 ^ kk[3]) ^
		     mum(w4 ^ kk[4], w5 ^ kk[5]);
	h = mum(h ^ kk[6], kk[7]);
	return (uint32_t)(h ^ (h >> 32));
}

static void flow_hash_keys(uint64_t seed)
{
	for (unsigned i = 0; i < 8; i++)
		flow_hash_k[i] = mix64(seed + (i + 1) * 0x9e3779b97f4a7c15ULL) | 1; /* odd: no zero */
}
#else
/* One step of flow_hash_words' per-word chain. */
static inline uint64_t hash_word(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

/* Without 128-bit multiplies: one multiply and one shift per word, then a full avalanche. */
static inline uint32_t flow_hash_words(uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
				       uint64_t w4, uint32_t w5)
{
	uint64_t h = flow_hash_seed ^ (FLOW_KEY_BYTES * 0x9e3779b97f4a7c15ULL);
	h = hash_word(h, w0);
	h = hash_word(h, w1);
	h = hash_word(h, w2);
	h = hash_word(h, w3);
	h = hash_word(h, w4);
	h = mix64(h ^ w5 ^ ((uint64_t)FLOW_KEY_BYTES << 56));
	return (uint32_t)(h ^ (h >> 32));
}

static void flow_hash_keys(uint64_t seed)
{
	(void)seed;
}
#endif

/* The hash of a flow key in memory: its five 8-byte words and 4-byte tail. */
static inline uint32_t flow_key_hash44(const struct flow_key *k)
{
	const uint8_t *p = (const uint8_t *)k;
	uint64_t w0, w1, w2, w3, w4;
	uint32_t w5;
	memcpy(&w0, p, 8);
	memcpy(&w1, p + 8, 8);
	memcpy(&w2, p + 16, 8);
	memcpy(&w3, p + 24, 8);
	memcpy(&w4, p + 32, 8);
	memcpy(&w5, p + 40, 4);
	return flow_hash_words(w0, w1, w2, w3, w4, w5);
}

/* Key equality for uthash (0 = equal): five 8-byte words and a 4-byte tail for a flow key. */
static inline int flow_key_cmp(const void *x, const void *y, size_t len)
{
	if (len != FLOW_KEY_BYTES)
		return memcmp(x, y, len);
	const uint8_t *a = x, *b = y;
	uint64_t a0, a1, a2, a3, a4, b0, b1, b2, b3, b4;
	uint32_t a5, b5;
	memcpy(&a0, a, 8), memcpy(&b0, b, 8);
	memcpy(&a1, a + 8, 8), memcpy(&b1, b + 8, 8);
	memcpy(&a2, a + 16, 8), memcpy(&b2, b + 16, 8);
	memcpy(&a3, a + 24, 8), memcpy(&b3, b + 24, 8);
	memcpy(&a4, a + 32, 8), memcpy(&b4, b + 32, 8);
	memcpy(&a5, a + 40, 4), memcpy(&b5, b + 40, 4);
	return ((a0 ^ b0) | (a1 ^ b1) | (a2 ^ b2) | (a3 ^ b3) | (a4 ^ b4) | (a5 ^ b5)) != 0;
}

static uint32_t flow_key_hash(const void *key, size_t len)
{
	/* a flow key: the table's hash (uthash's HASH_FUNCTION then agrees with the lookups) */
	if (len == FLOW_KEY_BYTES)
		return flow_key_hash44(key);
	/* One multiply and one shift per word, then a full avalanche at the end: the per-word
	 * step only has to keep every input bit in play; mix64 spreads them over the low bits
	 * that uthash takes for the bucket index. */
	const uint8_t *p = key;
	uint64_t h = flow_hash_seed ^ (len * 0x9e3779b97f4a7c15ULL);
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	uint64_t tail = 0;
	memcpy(&tail, p + i, len - i);
	h = mix64(h ^ tail ^ ((uint64_t)len << 56));
	return (uint32_t)(h ^ (h >> 32));
}

/* ---- pool ----
 * One virtual reservation (MAP_NORESERVE) holds every flow, so a flow's index is its offset and the
 * kernel commits pages only as flows are first used; freed flows go on a free list. */

static inline struct flow *pool_get(const struct flow_table *t, uint32_t idx)
{
	return &t->pool[idx - 1];
}

static inline uint32_t pool_index_of(const struct flow_table *t, const struct flow *f)
{
	return (uint32_t)(f - t->pool) + 1;
}

static uint32_t pool_alloc(struct flow_table *t)
{
	if (t->free_head) {
		uint32_t idx = t->free_head;
		t->free_head = pool_get(t, idx)->lru_next;
		pool_get(t, idx)->lru_next = 0;
		return idx;
	}
	if (t->pool_used < t->pool_cap)
		return ++t->pool_used;
	return 0;
}

static void pool_free(struct flow_table *t, uint32_t idx)
{
	struct flow *f = pool_get(t, idx);
	memset(f, 0, sizeof *f);
	f->lru_next = t->free_head;
	t->free_head = idx;
}

/* ---- timeout lists ---- */

/* inline (with list_append and account): each runs for almost every packet, and as calls they
 * cost about as much as their bodies */
static inline void list_unlink(struct flow_table *t, uint32_t idx)
{
	struct flow *f = pool_get(t, idx);
	struct fl_list *l = &t->lists[f->lru_list];
	if (f->lru_prev) {
		pool_get(t, f->lru_prev)->lru_next = f->lru_next;
	} else {
		l->head = f->lru_next;
		t->expire_bound = 0; /* a new head: recompute */
	}
	if (f->lru_next)
		pool_get(t, f->lru_next)->lru_prev = f->lru_prev;
	else
		l->tail = f->lru_prev;
	f->lru_prev = f->lru_next = 0;
}

static inline void list_append(struct flow_table *t, uint32_t idx, unsigned list)
{
	struct flow *f = pool_get(t, idx);
	struct fl_list *l = &t->lists[list];
	f->lru_list = list & 3;
	f->lru_prev = l->tail;
	f->lru_next = 0;
	if (l->tail) {
		pool_get(t, l->tail)->lru_next = idx;
	} else {
		l->head = idx;
		uint64_t deadline = f->ts_last + t->timeout_us[list];
		if (deadline < t->expire_bound)
			t->expire_bound = deadline;
	}
	l->tail = idx;
}

static unsigned list_for_proto(uint8_t proto)
{
	if (proto == 6)
		return LIST_TCP;
	if (proto == 17)
		return LIST_UDP;
	return LIST_OTHER;
}

/* ---- public: configuration and lifetime ---- */

void flow_table_config_defaults(struct flow_table_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->idle_tcp_s = 300;
	cfg->idle_udp_s = 60;
	cfg->idle_other_s = 60;
	cfg->tcp_linger_s = 2;
	cfg->hash_seed = 0x243f6a8885a308d3ULL;
}

struct flow_table *flow_table_create(const struct flow_table_config *cfg, flow_emit_fn emit,
				     void *emit_user, char *errbuf)
{
	struct flow_table *t = calloc(1, sizeof *t);
	if (!t) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "flow table: out of memory");
		return NULL;
	}
	t->cfg = *cfg;
	t->emit = emit;
	t->emit_user = emit_user;
	t->timeout_us[LIST_TCP] = (uint64_t)cfg->idle_tcp_s * 1000000ULL;
	t->timeout_us[LIST_UDP] = (uint64_t)cfg->idle_udp_s * 1000000ULL;
	t->timeout_us[LIST_OTHER] = (uint64_t)cfg->idle_other_s * 1000000ULL;
	t->timeout_us[LIST_CLOSED] = (uint64_t)cfg->tcp_linger_s * 1000000ULL;
	t->active_us = (uint64_t)cfg->active_timeout_s * 1000000ULL;
	t->next_uid = cfg->uid_first ? cfg->uid_first : 1;
	t->uid_step = cfg->uid_step ? cfg->uid_step : 1;
	flow_hash_seed = cfg->hash_seed;
	flow_hash_keys(cfg->hash_seed);
	t->pool_cap = cfg->max_flows ? cfg->max_flows : POOL_DEFAULT_CAP;
	t->pool_bytes = (size_t)t->pool_cap * sizeof(struct flow);
	void *m = mmap(NULL, t->pool_bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "flow table: cannot reserve memory for %u flows",
			 t->pool_cap);
		free(t);
		return NULL;
	}
#ifdef MADV_HUGEPAGE
	/* A hint (4 KiB pages without it): the pool is first touched as flows are first used, and
	 * on a virtual machine each 4 KiB first-touch fault cost about 10 us, about 10 ms of a
	 * 1M-packet run on bench's mix (4096 concurrent flows) against one fault per 2 MiB. */
	(void)madvise(m, t->pool_bytes, MADV_HUGEPAGE);
#endif
	t->pool = m;
	return t;
}

void flow_table_destroy(struct flow_table *t)
{
	if (!t)
		return;
	HASH_CLEAR(hh, t->hash);
	munmap(t->pool, t->pool_bytes);
	free(t);
}

/* Ends one flow: hands it to the emitter, then unlinks and recycles it. */
static void flow_end(struct flow_table *t, uint32_t idx, enum flow_end why)
{
	struct flow *f = pool_get(t, idx);
	if (t->emit)
		t->emit(t->emit_user, f, why);
	t->st.emitted++;
	if (why == FLOW_END_CLOSED && f->key.proto == 6) {
		struct closed_slot *c = &t->closed[f->hh.hashv & (CLOSED_SLOTS - 1)];
		c->key = f->key;
		c->used = 1;
		c->ts = f->ts_last;
	}
	if (why == FLOW_END_EVICTED)
		t->st.evicted++;
	list_unlink(t, idx);
	HASH_DELETE(hh, t->hash, f);
	t->st.active--;
	pool_free(t, idx);
}

void flow_table_expire(struct flow_table *t, uint64_t now_us)
{
	if (now_us <= t->expire_bound)
		return;
	uint64_t bound = UINT64_MAX;
	for (unsigned l = 0; l < LIST_COUNT; l++) {
		uint64_t to = t->timeout_us[l];
		while (t->lists[l].head) {
			uint32_t idx = t->lists[l].head;
			struct flow *f = pool_get(t, idx);
			/* packet time can step backwards across merged files: never underflow */
			if (now_us <= f->ts_last || now_us - f->ts_last <= to) {
				if (f->ts_last + to < bound)
					bound = f->ts_last + to;
				break;
			}
			flow_end(t, idx, l == LIST_CLOSED ? FLOW_END_CLOSED : FLOW_END_IDLE);
		}
	}
	t->expire_bound = bound;
}

/* Interim record (active timeout): the flow stays open, its interval counters restart at now_us. */
static void flow_interim(struct flow_table *t, struct flow *f, uint64_t now_us)
{
	if (t->emit)
		t->emit(t->emit_user, f, FLOW_END_ACTIVE);
	t->st.interim++;
	for (unsigned d = 0; d < 2; d++) {
		f->dir[d].pkts = 0;
		f->dir[d].ip_bytes = 0;
		f->dir[d].payload_bytes = 0;
		f->dir[d].dscp_changed = 0; /* dscp_first is taken again from the interval's first packet */
	}
	f->frag_pkts = 0;
	f->ts_first = now_us;
}

/* Whether f's current interval began more than active_us before now_us. An interval without
 * packets gets no record (it begins again with its first packet), and closed flows, which are
 * about to be written anyway, get no interim record either. */
static inline bool interval_expired(const struct flow *f, uint64_t now_us, uint64_t active_us)
{
	/* the test that is almost always false first (when now_us < ts_first it wraps to true,
	 * and the next one decides) */
	return active_us && now_us - f->ts_first > active_us && now_us > f->ts_first &&
	       f->lru_list != LIST_CLOSED && (f->dir[0].pkts | f->dir[1].pkts) != 0;
}

void flow_table_active_timeout(struct flow_table *t, uint64_t now_us, uint64_t active_us)
{
	if (!active_us)
		return;
	/* a linear walk of the pool (sequential memory); free slots are zeroed, so uid 0 */
	for (uint32_t idx = 1; idx <= t->pool_used; idx++) {
		struct flow *f = pool_get(t, idx);
		if (f->uid && interval_expired(f, now_us, active_us))
			flow_interim(t, f, now_us);
	}
}

void flow_table_flush(struct flow_table *t, enum flow_end why)
{
	/* oldest first, deterministic: repeatedly take the list head with the smallest uid */
	for (;;) {
		uint32_t best = 0;
		uint64_t best_uid = UINT64_MAX;
		for (unsigned l = 0; l < LIST_COUNT; l++) {
			uint32_t idx = t->lists[l].head;
			if (idx && pool_get(t, idx)->uid < best_uid) {
				best = idx;
				best_uid = pool_get(t, idx)->uid;
			}
		}
		if (!best)
			break;
		flow_end(t, best, why);
	}
}

void flow_table_foreach(struct flow_table *t, void (*fn)(void *user, struct flow *f), void *user)
{
	struct flow *f, *tmp;
	HASH_ITER(hh, t->hash, f, tmp)
	{
		fn(user, f);
	}
}

void flow_table_get_stats(const struct flow_table *t, struct flow_table_stats *st)
{
	*st = t->st;
}

size_t flow_table_bytes_per_flow(void)
{
	/* the pooled struct plus uthash's bucket array at its worst fill (one bucket per 5 flows) */
	return sizeof(struct flow) + sizeof(UT_hash_bucket) / 5 + 1;
}

size_t flow_table_memory(const struct flow_table *t)
{
	size_t buckets = t->hash ? t->hash->hh.tbl->num_buckets * sizeof(UT_hash_bucket) : 0;
	return (size_t)t->pool_used * sizeof(struct flow) + buckets + sizeof *t;
}

/* uthash doubles its bucket array only when one chain reaches HASH_BKT_CAPACITY_THRESH, which
 * leaves a table at 3 to 5 flows per bucket: a lookup then visits 2 to 3 flows, a cache miss each,
 * before it finds its own (bench's mix: 13k open flows in 4096 buckets). So the table also doubles
 * the array itself: up to EAGER_BUCKETS buckets (a 256 KiB array) as soon as it holds more flows
 * than buckets, and past that as soon as the doubled array costs at most BUCKET_BYTES_MAX bytes a
 * flow (8/3 flows a bucket), which keeps the all-in size within 256 bytes a flow (240 + 12 + the
 * table's fixed part) at any size from 64k flows up. Below that the fixed part (frags[]) already
 * dominates, and the eager array adds at most 256 KiB. uthash's own rule still applies on top. */
#define EAGER_BUCKETS (1u << 14)
#define BUCKET_BYTES_MAX 12u

static void grow_buckets(struct flow_table *t)
{
	UT_hash_table *tbl = t->hash->hh.tbl;
	uint64_t items = tbl->num_items, buckets = tbl->num_buckets;
	bool grow = buckets < EAGER_BUCKETS
			    ? items > buckets
			    : items * BUCKET_BYTES_MAX >= 2 * buckets * sizeof(UT_hash_bucket);
	if (grow && !tbl->noexpand) {
		int oomed = 0; /* out of memory: the table keeps its array, lookups stay correct */
		HASH_EXPAND_BUCKETS(hh, tbl, oomed);
		(void)oomed;
	}
}

/* Evicts the least recently seen flow (the oldest head of all lists). */
static void evict_one(struct flow_table *t)
{
	uint32_t best = 0;
	uint64_t best_ts = UINT64_MAX;
	for (unsigned l = 0; l < LIST_COUNT; l++) {
		uint32_t idx = t->lists[l].head;
		if (idx && pool_get(t, idx)->ts_last < best_ts) {
			best = idx;
			best_ts = pool_get(t, idx)->ts_last;
		}
	}
	if (best)
		flow_end(t, best, FLOW_END_EVICTED);
}

/* Counts one packet sent by `dir`. The first packet of an interval (after an interim record, when
 * both directions' counts are zero) starts the interval's time; tested only when this direction's
 * count is zero anyway. For a new flow that sets ts_first to what it already is. */
static inline void account(struct flow *f, unsigned dir, const struct decoded_pkt *p, uint64_t ts)
{
	struct flow_dir *d = &f->dir[dir];
	if (d->pkts == 0) {
		d->dscp_first = p->dscp;
		if (f->dir[!dir].pkts == 0)
			f->ts_first = ts;
	} else if (p->dscp != d->dscp_first) {
		d->dscp_changed = 1;
	}
	d->pkts++;
	d->ip_bytes += p->ip_len;
	d->payload_bytes += p->payload_len;
	d->tcp_flags |= p->tcp_flags;
	if (ts > f->ts_last)
		f->ts_last = ts;
}

/* Big-endian load: comparing two of these as integers orders them as memcmp orders the bytes. */
static inline uint64_t load_be64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* Whether the packet's source is key side A: the lower (address, port) pair, as ucf_addr_cmp()
 * orders addresses. Two 64-bit compares instead of a memcmp call, once per packet. */
static inline int src_sorts_first(const struct decoded_pkt *p)
{
	uint64_t s0 = load_be64(p->src.b), d0 = load_be64(p->dst.b);
	if (s0 != d0)
		return s0 < d0;
	uint64_t s1 = load_be64(p->src.b + 8), d1 = load_be64(p->dst.b + 8);
	if (s1 != d1)
		return s1 < d1;
	return p->sport <= p->dport;
}

/* Two 16-bit values as the 4 bytes they occupy at x then y, read as a host-order integer. */
static inline uint32_t pair16(uint16_t x, uint16_t y)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (uint32_t)x | (uint32_t)y << 16;
#else
	return (uint32_t)x << 16 | (uint32_t)y;
#endif
}

/* Two 32-bit values as the 8 bytes they occupy at x then y, read as a host-order integer. */
static inline uint64_t pair32(uint32_t x, uint32_t y)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (uint64_t)x | (uint64_t)y << 32;
#else
	return (uint64_t)x << 32 | (uint64_t)y;
#endif
}

/* The packet's flow key and its hash. The words are assembled in registers, written whole and
 * hashed from the registers: storing the ports, VLANs and protocol field by field and reading
 * them back as words stalls on every packet (a load cannot be served from several smaller
 * stores still in flight). The bytes in memory are the same as member-wise assignment gives. */
static inline __attribute__((always_inline)) uint32_t
key_from_pkt(const struct decoded_pkt *p, struct flow_key *k, int *src_is_a)
{
	*src_is_a = src_sorts_first(p);
	const struct ucf_addr *lo = *src_is_a ? &p->src : &p->dst;
	const struct ucf_addr *hi = *src_is_a ? &p->dst : &p->src;
	uint64_t w0, w1, w2, w3;
	memcpy(&w0, lo->b, 8);
	memcpy(&w1, lo->b + 8, 8);
	memcpy(&w2, hi->b, 8);
	memcpy(&w3, hi->b + 8, 8);
	uint16_t port_a = *src_is_a ? p->sport : p->dport;
	uint16_t port_b = *src_is_a ? p->dport : p->sport;
	uint64_t w4 = pair32(pair16(port_a, port_b), pair16(p->vlan, p->inner_vlan));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint32_t w5 = p->proto; /* then the three pad bytes, zero */
#else
	uint32_t w5 = (uint32_t)p->proto << 24;
#endif
	unsigned char *kb = (unsigned char *)k;
	memcpy(kb, &w0, 8);
	memcpy(kb + 8, &w1, 8);
	memcpy(kb + 16, &w2, 8);
	memcpy(kb + 24, &w3, 8);
	memcpy(kb + 32, &w4, 8);
	memcpy(kb + 40, &w5, 4);
	return flow_hash_words(w0, w1, w2, w3, w4, w5);
}

static struct frag_slot *frag_slot_for(struct flow_table *t, const struct decoded_pkt *p)
{
	uint8_t buf[40];
	memcpy(buf, p->src.b, 16);
	memcpy(buf + 16, p->dst.b, 16);
	memcpy(buf + 32, &p->frag_id, 4);
	buf[36] = p->proto;
	buf[37] = buf[38] = buf[39] = 0;
	return &t->frags[flow_key_hash(buf, sizeof buf) & (FRAG_SLOTS - 1)];
}

static int frag_slot_matches(const struct frag_slot *s, const struct decoded_pkt *p)
{
	return s->used && s->id == p->frag_id && s->proto == p->proto &&
	       ucf_addr_cmp(&s->src, &p->src) == 0 && ucf_addr_cmp(&s->dst, &p->dst) == 0;
}

/* A later fragment: attribute it to the flow of its first fragment when that one was seen. */
static void update_later_fragment(struct flow_table *t, const struct decoded_pkt *p, uint64_t ts,
				  struct flow_update *out)
{
	struct frag_slot *s = frag_slot_for(t, p);
	if (!frag_slot_matches(s, p) || ts > s->ts + FRAG_TTL_US) {
		t->st.frags_unattributed++;
		return;
	}
	struct flow *f = pool_get(t, s->flow_idx);
	if (f->uid != s->flow_uid) { /* the flow ended and its slot was reused */
		t->st.frags_unattributed++;
		return;
	}
	unsigned dir = ucf_addr_cmp(&p->src, flow_orig_addr(f)) == 0 ? FLOW_ORIG : FLOW_RESP;
	if (interval_expired(f, ts, t->active_us))
		flow_interim(t, f, ts);
	account(f, dir, p, ts);
	f->frag_pkts++;
	t->st.frags_attributed++;
	list_unlink(t, s->flow_idx);
	list_append(t, s->flow_idx, (f->tcp_state & FLOW_TCP_CLOSED) ? LIST_CLOSED
								      : list_for_proto(f->key.proto));
	out->flow = f;
	out->dir = (uint8_t)dir;
}

/* The key and hash of a packet that has ports (not a later fragment). */
static inline void lookup_from_pkt(const struct decoded_pkt *p, struct flow_lookup *lk)
{
	int src_is_a;
	/* hashed once: the same value serves the lookup and, for a new flow, the insertion */
	lk->hashv = key_from_pkt(p, &lk->key, &src_is_a);
	lk->src_is_a = (uint8_t)src_is_a;
	lk->no_key = 0;
}

void flow_table_prepare(const struct flow_table *t, const struct decoded_pkt *p,
			struct flow_lookup *lk)
{
	if (p->flags & DPKT_FRAG_LATER) {
		lk->no_key = 1;
		return;
	}
	lookup_from_pkt(p, lk);
	if (t->hash) {
		const UT_hash_table *tbl = t->hash->hh.tbl;
		__builtin_prefetch(&tbl->buckets[lk->hashv & (tbl->num_buckets - 1)]);
	}
}

void flow_table_prefetch(const struct flow_table *t, const struct flow_lookup *lk)
{
	if (lk->no_key || !t->hash)
		return;
	const UT_hash_table *tbl = t->hash->hh.tbl;
	const UT_hash_handle *hh = tbl->buckets[lk->hashv & (tbl->num_buckets - 1)].hh_head;
	if (!hh)
		return;
	/* what a lookup and an update of the chain head read and write: bytes 52 to 182, three
	 * cache lines (see struct flow) */
	const char *e = (const char *)hh - offsetof(struct flow, hh);
	__builtin_prefetch(e + 52);
	__builtin_prefetch(e + 116);
	__builtin_prefetch(e + 181);
}

/* Starts the flow of a packet that has none: once per flow, so out of line. `old` is a closed
 * connection on the same 5-tuple that a fresh SYN replaces (port reuse), or NULL. Returns NULL when
 * memory ran out. */
static __attribute__((noinline)) struct flow *
flow_start(struct flow_table *t, const struct decoded_pkt *p, const struct flow_lookup *lk,
	   uint64_t ts_us, struct flow *old)
{
	if (old)
		flow_end(t, pool_index_of(t, old), FLOW_END_CLOSED);
	if (t->cfg.max_flows && t->st.active >= t->cfg.max_flows)
		evict_one(t);
	uint32_t idx = pool_alloc(t);
	if (!idx) { /* the reservation is full: make room rather than lose the packet */
		evict_one(t);
		idx = pool_alloc(t);
		if (!idx)
			return NULL;
	}
	struct flow *f = pool_get(t, idx);
	f->key = lk->key;
	f->uid = t->next_uid;
	t->next_uid += t->uid_step;
	f->ts_first = f->ts_last = ts_us;
	f->label.rule = FLOW_RULE_NONE;
	for (unsigned i = 0; i < FLOW_MAX_CANDIDATES; i++)
		f->label.cand[i] = FLOW_RULE_NONE;
	f->label.expected_dscp = 0xff;
	/* The originator is the SYN sender; a SYN-ACK seen first means the receiver sent the SYN. */
	int sender_is_orig = !(p->proto == 6 && (p->tcp_flags & 0x12) == 0x12);
	f->orig_is_a = (uint8_t)(sender_is_orig ? lk->src_is_a : !lk->src_is_a);
	flow_oom_flag = 0;
	HASH_ADD_BYHASHVALUE(hh, t->hash, key, sizeof f->key, lk->hashv, f);
	if (flow_oom_flag) {
		pool_free(t, idx);
		return NULL;
	}
	grow_buckets(t);
	t->st.active++;
	t->st.created++;
	list_append(t, idx, list_for_proto(p->proto));
	return f;
}

/* The first fragment of a datagram: remember its flow for the later ones (no ports). */
static __attribute__((noinline)) void frag_first(struct flow_table *t, const struct decoded_pkt *p,
						 struct flow *f, uint32_t idx, uint64_t ts_us)
{
	struct frag_slot *s = frag_slot_for(t, p);
	s->src = p->src;
	s->dst = p->dst;
	s->id = p->frag_id;
	s->proto = p->proto;
	s->flow_idx = idx;
	s->flow_uid = f->uid;
	s->ts = ts_us;
	s->used = 1;
	f->frag_pkts++;
	t->st.frags_attributed++;
}

/* Moves flow f (pool index idx, not at the tail of `list`) to the tail of `list`. */
static inline void list_move_to_tail(struct flow_table *t, struct flow *f, uint32_t idx,
				     unsigned list)
{
	struct fl_list *l = &t->lists[list];
	if (f->lru_list != list || !l->tail) {
		list_unlink(t, idx);
		list_append(t, idx, list);
		return;
	}
	/* within its list, the usual case: f has a successor (it is not the tail) and the list a
	 * tail that stays non-empty, so list_unlink's and list_append's end cases fall away */
	uint32_t prev = f->lru_prev, next = f->lru_next;
	if (prev) {
		pool_get(t, prev)->lru_next = next;
	} else {
		l->head = next;
		t->expire_bound = 0; /* a new head: recompute */
	}
	pool_get(t, next)->lru_prev = prev;
	pool_get(t, l->tail)->lru_next = idx;
	f->lru_prev = l->tail;
	f->lru_next = 0;
	l->tail = idx;
}

/* The flow with lk's key, or NULL: uthash's HASH_FIND_BYHASHVALUE written out for this table.
 * Every key is a flow key, so the key is compared in place (f->key) rather than through hh.key
 * after a keylen test: a lookup reads no more of the flow than hh.hashv and the key (and hh.hh_next
 * to go past it), which struct flow keeps in the cache lines an update touches anyway. */
static inline struct flow *flow_find(const struct flow_table *t, const struct flow_lookup *lk)
{
	if (!t->hash)
		return NULL;
	const UT_hash_table *tbl = t->hash->hh.tbl;
	UT_hash_handle *hh = tbl->buckets[lk->hashv & (tbl->num_buckets - 1)].hh_head;
	for (; hh; hh = hh->hh_next) {
		if (hh->hashv != lk->hashv)
			continue;
		struct flow *f = (struct flow *)(void *)((char *)hh - offsetof(struct flow, hh));
		if (flow_key_cmp(&f->key, &lk->key, FLOW_KEY_BYTES) == 0)
			return f;
	}
	return NULL;
}

/* Whether a TCP packet that found no flow is a late FIN, RST or bare ACK of a connection closed
 * within the TCP idle timeout (see struct closed_slot). A SYN (a new connection) or a segment
 * with data starts a flow as before. Runs only when a packet starts a flow. */
static __attribute__((noinline)) bool late_after_close(struct flow_table *t,
							const struct decoded_pkt *p,
							const struct flow_lookup *lk, uint64_t ts_us)
{
	if (p->tcp_flags & 0x02)
		return false;
	if (!(p->tcp_flags & 0x05) && (!(p->tcp_flags & 0x10) || p->payload_len))
		return false;
	const struct closed_slot *c = &t->closed[lk->hashv & (CLOSED_SLOTS - 1)];
	if (!c->used || flow_key_cmp(&c->key, &lk->key, FLOW_KEY_BYTES) != 0)
		return false;
	/* packet time may step back across merged files: that is still "after" the close */
	if (ts_us > c->ts && ts_us - c->ts > t->timeout_us[LIST_TCP])
		return false;
	t->st.late_after_close++;
	return true;
}

/* flow_table_update() past the fragment check and the key: shared with the batched path. */
static inline __attribute__((always_inline)) int
update_keyed(struct flow_table *t, const struct decoded_pkt *p, const struct flow_lookup *lk,
	     uint64_t ts_us, struct flow_update *out)
{
	struct flow *f = flow_find(t, lk);

	/* A fresh SYN on a closed connection's 5-tuple is a new connection (port reuse). */
	if (__builtin_expect(!f || ((f->tcp_state & FLOW_TCP_CLOSED) && p->proto == 6 &&
				    (p->tcp_flags & 0x12) == 0x02), 0)) {
		if (!f && p->proto == 6 && late_after_close(t, p, lk, ts_us)) {
			out->after_close = 1;
			return UCF_OK;
		}
		f = flow_start(t, p, lk, ts_us, f);
		if (!f)
			return UCF_ERR_RUNTIME;
		out->is_new = 1;
	} else if (__builtin_expect(t->active_us != 0, 0) &&
		   interval_expired(f, ts_us, t->active_us)) {
		flow_interim(t, f, ts_us);
	}
	uint32_t idx = pool_index_of(t, f);
	unsigned dir = (lk->src_is_a == f->orig_is_a) ? FLOW_ORIG : FLOW_RESP;
	account(f, dir, p, ts_us);
	if (p->proto == 6) {
		flow_tcp_track(f, dir, p->tcp_flags, p->payload_len);
	} else if (p->payload_len) {
		flow_hist_add(f, (dir == FLOW_ORIG ? 0 : 6) + HL_DATA);
	}
	if (__builtin_expect(p->flags & DPKT_FRAG_FIRST, 0))
		frag_first(t, p, f, idx, ts_us);

	/* move to the tail of its list: the list stays ordered by last-seen time (a flow already
	 * at the tail of the right list, as in a burst, stays put; its head deadline only grew) */
	unsigned list = (f->tcp_state & FLOW_TCP_CLOSED) ? LIST_CLOSED : list_for_proto(p->proto);
	if (f->lru_list != list || t->lists[list].tail != idx)
		list_move_to_tail(t, f, idx, list);

	out->flow = f;
	out->dir = (uint8_t)dir;
	return UCF_OK;
}

int flow_table_update(struct flow_table *t, const struct decoded_pkt *p, uint64_t ts_us,
		      struct flow_update *out)
{
	memset(out, 0, sizeof *out);
	out->is_fragment = (p->flags & DPKT_FRAG) != 0;
	flow_table_expire(t, ts_us);

	if (p->flags & DPKT_FRAG_LATER) {
		update_later_fragment(t, p, ts_us, out);
		return UCF_OK;
	}
	struct flow_lookup lk;
	lookup_from_pkt(p, &lk);
	return update_keyed(t, p, &lk, ts_us, out);
}

int flow_table_update_prepared(struct flow_table *t, const struct decoded_pkt *p,
			       const struct flow_lookup *lk, uint64_t ts_us, struct flow_update *out)
{
	memset(out, 0, sizeof *out);
	out->is_fragment = (p->flags & DPKT_FRAG) != 0;
	flow_table_expire(t, ts_us);

	if (p->flags & DPKT_FRAG_LATER) {
		update_later_fragment(t, p, ts_us, out);
		return UCF_OK;
	}
	return update_keyed(t, p, lk, ts_us, out);
}
