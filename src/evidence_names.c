/* evidence_names.c - interned evidence strings, the domain-pattern matcher (Webex "*" semantics over
 * RFC 1035 names), the bounded DNS cache (address -> name, TTL in packet time, LRU), and the
 * flow-level queries built on them (domain of a flow, output view, reason string).
 *
 * Why fixed-size structures: the per-packet path must not allocate, and a hostile capture must not
 * be able to grow memory. Everything here is sized at create time; when full, facts are dropped.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdio.h>

#include "evidence.h"

/* Seeded hash, a word at a time (intern table, DNS cache): every byte mixed in, final avalanche;
 * the seed keeps crafted names from colliding on purpose. Only bucket choice depends on it, never an output. */
static uint64_t hash_words(uint64_t seed, const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ULL);
	for (; n >= 8; b += 8, n -= 8) {
		uint64_t w;
		memcpy(&w, b, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	if (n) {
		uint64_t w = 0;
		memcpy(&w, b, n);
		h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static uint32_t pow2_at_least(uint64_t n)
{
	uint32_t p = 16;
	while (p < n && p < (1u << 30))
		p <<= 1;
	return p;
}

/* ============================================================================================== */
/* Interned strings. Storage blocks of 16 << cls bytes (cls 0..5) carved from one arena; freed
 * blocks go to a per-class free list and are reused by the same class. */
#define NCLASS 6

struct ev_name_ent {
	uint32_t off;    /* block offset in the arena */
	uint32_t next;   /* hash chain / free list (entry index, 0 = end) */
	uint32_t refs;   /* 0 = free entry */
	uint32_t hash;
	uint16_t len;
	uint8_t cls;
	/* the domain-pattern match of this name, memoised (ev_names_domain_match): valid while
	 * dgen equals the pattern table's generation; dcode -1 = no match, else entry * 2 + wild */
	uint32_t dgen;
	int32_t dcode;
};

struct ev_names {
	struct ev_name_ent *ent;  /* [0] unused: ids are indices */
	uint32_t nent, free_ent, used_hw, live;
	uint32_t *bucket;
	uint32_t nbucket;
	char *arena;
	size_t arena_cap, arena_used;
	uint32_t free_blk[NCLASS]; /* offset + 1 of the first free block, 0 = none */
	uint64_t seed;
};

struct ev_names *ev_names_create(uint32_t max_entries, size_t max_bytes, uint64_t seed)
{
	if (max_entries == 0 || max_entries > (1u << 28) || max_bytes < 512 || max_bytes > UINT32_MAX)
		return NULL;
	struct ev_names *n = calloc(1, sizeof *n);
	if (!n)
		return NULL;
	n->nent = max_entries + 1;
	n->nbucket = pow2_at_least(max_entries);
	n->ent = calloc(n->nent, sizeof *n->ent);
	n->bucket = calloc(n->nbucket, sizeof *n->bucket);
	n->arena = malloc(max_bytes);
	if (!n->ent || !n->bucket || !n->arena) {
		ev_names_destroy(n);
		return NULL;
	}
	n->arena_cap = max_bytes;
	n->used_hw = 1;
	n->seed = seed;
	return n;
}

void ev_names_destroy(struct ev_names *n)
{
	if (!n)
		return;
	free(n->ent);
	free(n->bucket);
	free(n->arena);
	free(n);
}

static int size_class(size_t len)
{
	for (int c = 0; c < NCLASS; c++)
		if (len + 1 <= (16u << c))
			return c;
	return -1;
}

static bool blk_alloc(struct ev_names *n, int cls, uint32_t *off)
{
	if (n->free_blk[cls]) {
		*off = n->free_blk[cls] - 1;
		uint32_t nxt;
		memcpy(&nxt, n->arena + *off, sizeof nxt);
		n->free_blk[cls] = nxt;
		return true;
	}
	size_t sz = 16u << cls;
	if (n->arena_cap - n->arena_used < sz)
		return false;
	*off = (uint32_t)n->arena_used;
	n->arena_used += sz;
	return true;
}

uint32_t ev_names_intern(struct ev_names *n, const char *s, size_t len)
{
	if (!n || len == 0 || len > EV_INTERN_MAXLEN)
		return 0;
	uint32_t h = (uint32_t)hash_words(n->seed, s, len);
	uint32_t b = h & (n->nbucket - 1);
	for (uint32_t i = n->bucket[b]; i; i = n->ent[i].next) {
		struct ev_name_ent *e = &n->ent[i];
		if (e->hash == h && e->len == len && memcmp(n->arena + e->off, s, len) == 0) {
			e->refs++;
			return i;
		}
	}
	uint32_t id;
	if (n->free_ent) {
		id = n->free_ent;
	} else if (n->used_hw < n->nent) {
		id = n->used_hw;
	} else {
		return 0;
	}
	int cls = size_class(len);
	uint32_t off;
	if (cls < 0 || !blk_alloc(n, cls, &off))
		return 0;
	if (id == n->free_ent)
		n->free_ent = n->ent[id].next;
	else
		n->used_hw++;
	struct ev_name_ent *e = &n->ent[id];
	memcpy(n->arena + off, s, len);
	n->arena[off + len] = '\0';
	e->off = off;
	e->len = (uint16_t)len;
	e->cls = (uint8_t)cls;
	e->hash = h;
	e->refs = 1;
	e->dgen = 0; /* generations start at 1: nothing memoised for a new name */
	e->next = n->bucket[b];
	n->bucket[b] = id;
	n->live++;
	return id;
}

static struct ev_name_ent *live_ent(const struct ev_names *n, uint32_t id)
{
	if (!n || id == 0 || id >= n->used_hw || n->ent[id].refs == 0)
		return NULL;
	return &n->ent[id];
}

void ev_names_ref(struct ev_names *n, uint32_t id)
{
	struct ev_name_ent *e = live_ent(n, id);
	if (e)
		e->refs++;
}

void ev_names_release(struct ev_names *n, uint32_t id)
{
	struct ev_name_ent *e = live_ent(n, id);
	if (!e || --e->refs > 0)
		return;
	uint32_t *pp = &n->bucket[e->hash & (n->nbucket - 1)];
	while (*pp && *pp != id)
		pp = &n->ent[*pp].next;
	if (*pp)
		*pp = e->next;
	uint32_t nxt = n->free_blk[e->cls];
	memcpy(n->arena + e->off, &nxt, sizeof nxt);
	n->free_blk[e->cls] = e->off + 1;
	e->next = n->free_ent;
	n->free_ent = id;
	n->live--;
}

const char *ev_names_get(const struct ev_names *n, uint32_t id)
{
	const struct ev_name_ent *e = live_ent(n, id);
	return e ? n->arena + e->off : NULL;
}

uint32_t ev_names_live(const struct ev_names *n)
{
	return n ? n->live : 0;
}

/* A host octet as it is stored: lower case; outside '!'..'~' and ',' (the list separator) '?'. */
const uint8_t ev_host_octet[256] = {
	0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f,
	0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f,
	0x3f, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x3f, 0x2d, 0x2e, 0x2f,
	0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
	0x40, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
	0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
	0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
	0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x3f,
	0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f,
	0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f,
	0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f,
	0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f,
	0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f,
	0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f,
	0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f,
	0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f,
};

size_t ev_norm_host(struct bview in, char *out, size_t cap)
{
	if (cap == 0)
		return 0; /* (cap >= 1 in every caller) */
	size_t n = in.len < cap - 1 ? in.len : cap - 1;
	if (!bv_copy(in, 0, out, n))
		n = 0;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)ev_host_octet[(uint8_t)out[i]];
	if (n > 0 && out[n - 1] == '.')
		n--;
	out[n] = '\0';
	return n;
}

/* ============================================================================================== */
/* Domain patterns: one table entry per distinct base name (the pattern without "*."), holding the
 * user id of the exact pattern and of the wildcard pattern. A lookup probes the full name (exact or
 * wildcard entry) and then each parent suffix (wildcard entry only), left to right: the first hit
 * is the longest pattern. ~20 patterns today; this stays O(labels) at any count. */
struct dom_ent {
	char *base;        /* normalised, no "*." */
	char *pat_exact, *pat_wild;
	size_t len;
	uint64_t hash;
	int exact_id, wild_id;
	bool prefix;       /* "_svc._proto.*": base is the leading labels with their dot; not hashed */
};

struct ev_domains {
	struct dom_ent *ent;
	unsigned n, cap;
	uint32_t *slot;    /* open addressing: entry index + 1 */
	uint32_t nslot;
	uint32_t gen;      /* changes with every change of the patterns (never 0), unique per process */
	/* recent names not interned (DNS answers) and their match (ev_domains_match_cached):
	 * direct-mapped by name, valid while gen matches */
	struct dom_recent {
		uint32_t gen;
		int32_t code; /* -1 = no match, else entry * 2 + wild */
		uint16_t len;
		char name[EV_NAME_MAX];
	} recent[64];
};

/* A fresh generation for a changed pattern table: names memoise their match per generation. */
static uint32_t next_gen(void)
{
	static atomic_uint counter;
	uint32_t g;
	do
		g = (uint32_t)atomic_fetch_add(&counter, 1u) + 1u;
	while (g == 0);
	return g;
}

struct ev_domains *ev_domains_create(void)
{
	struct ev_domains *d = calloc(1, sizeof(struct ev_domains));
	if (d)
		d->gen = next_gen();
	return d;
}

void ev_domains_clear(struct ev_domains *d)
{
	if (!d)
		return;
	for (unsigned i = 0; i < d->n; i++) {
		free(d->ent[i].base);
		free(d->ent[i].pat_exact);
		free(d->ent[i].pat_wild);
	}
	free(d->ent);
	free(d->slot);
	memset(d, 0, sizeof *d);
	d->gen = next_gen();
}

void ev_domains_destroy(struct ev_domains *d)
{
	ev_domains_clear(d);
	free(d);
}

unsigned ev_domains_count(const struct ev_domains *d)
{
	return d ? d->n : 0;
}

/* FNV-1a over the name read from its end, with a final mix: every parent suffix's hash is a state
 * of one right-to-left pass, so a lookup hashes the name once instead of once per label. */
#define DOM_FNV_INIT 1469598103934665603ULL
static inline uint64_t dom_step(uint64_t h, unsigned char c)
{
	return (h ^ c) * 1099511628211ULL;
}

static inline uint64_t dom_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static uint64_t dom_hash(const char *s, size_t len)
{
	uint64_t h = DOM_FNV_INIT;
	while (len)
		h = dom_step(h, (unsigned char)s[--len]);
	return dom_mix(h);
}

static const struct dom_ent *dom_find(const struct ev_domains *d, const char *s, size_t len,
				      uint64_t h)
{
	if (!d->nslot)
		return NULL;
	for (uint32_t i = (uint32_t)h & (d->nslot - 1);; i = (i + 1) & (d->nslot - 1)) {
		uint32_t e = d->slot[i];
		if (!e)
			return NULL;
		const struct dom_ent *de = &d->ent[e - 1];
		if (de->hash == h && de->len == len && memcmp(de->base, s, len) == 0)
			return de;
	}
}

static bool dom_rehash(struct ev_domains *d, uint32_t nslot)
{
	uint32_t *slot = calloc(nslot, sizeof *slot);
	if (!slot)
		return false;
	for (unsigned k = 0; k < d->n; k++) {
		if (d->ent[k].prefix) /* scanned, not hashed */
			continue;
		uint32_t i = (uint32_t)d->ent[k].hash & (nslot - 1);
		while (slot[i])
			i = (i + 1) & (nslot - 1);
		slot[i] = k + 1;
	}
	free(d->slot);
	d->slot = slot;
	d->nslot = nslot;
	return true;
}

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

/* Room for one more entry in d->ent (doubling); false when out of memory. */
static bool dom_room(struct ev_domains *d)
{
	if (d->n < d->cap)
		return true;
	unsigned nc = d->cap ? d->cap * 2 : 16;
	struct dom_ent *ne = realloc(d->ent, nc * sizeof *ne);
	if (!ne)
		return false;
	d->ent = ne;
	d->cap = nc;
	return true;
}

/* A prefix pattern "_sipfederationtls._tcp.*": the leading labels of a DNS SRV lookup (RFC 2782
 * "_Service._Proto.Name"). Every label must start with '_' so it can only ever name an SRV-style
 * service label pair, never a host. A few such patterns: the lookup scans them. */
static int dom_add_prefix(struct ev_domains *d, const char *pattern, int user_id, char *errbuf)
{
	size_t len = strlen(pattern) - 1; /* keep the dot before '*' */
	bool ok = len >= 2 && len <= EV_NAME_MAX && pattern[0] == '_';
	for (size_t i = 0; ok && i < len; i++) {
		char c = pattern[i];
		ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		     c == '-' || c == '_' || (c == '.' && i > 0 && pattern[i - 1] != '.' &&
					       (i + 1 == len || pattern[i + 1] == '_'));
	}
	if (!ok) {
		snprintf(errbuf, UCF_ERRBUF_SIZE,
			 "domain pattern '%s': a prefix pattern is _label[._label...].*", pattern);
		return UCF_ERR_CONFIG;
	}
	for (unsigned i = 0; i < d->n; i++)
		if (d->ent[i].prefix && d->ent[i].len == len &&
		    strncasecmp(d->ent[i].base, pattern, len) == 0)
			return UCF_OK; /* duplicate pattern: the first id stays */
	if (!dom_room(d))
		goto oom;
	struct dom_ent *e = &d->ent[d->n];
	memset(e, 0, sizeof *e);
	e->base = malloc(len + 1);
	if (!e->base)
		goto oom;
	for (size_t i = 0; i < len; i++)
		e->base[i] = (char)ev_lower((unsigned char)pattern[i]);
	e->base[len] = '\0';
	e->pat_wild = dup_str(pattern);
	if (!e->pat_wild) {
		free(e->base);
		goto oom;
	}
	e->len = len;
	e->prefix = true;
	e->exact_id = -1;
	e->wild_id = user_id;
	d->n++;
	d->gen = next_gen();
	return UCF_OK;
oom:
	snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory adding domain pattern");
	return UCF_ERR_RUNTIME;
}

int ev_domains_add(struct ev_domains *d, const char *pattern, int user_id, char *errbuf)
{
	char base[EV_NAME_MAX + 1];
	const char *s = pattern ? pattern : "";
	bool wild = false;
	if (user_id < 0) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "domain pattern '%s': negative id", s);
		return UCF_ERR_CONFIG;
	}
	size_t plen = strlen(s);
	if (plen > 2 && s[plen - 1] == '*' && s[plen - 2] == '.')
		return dom_add_prefix(d, pattern, user_id, errbuf);
	if (s[0] == '*') {
		if (s[1] != '.') {
			snprintf(errbuf, UCF_ERRBUF_SIZE,
				 "domain pattern '%s': '*' must be followed by '.'", s);
			return UCF_ERR_CONFIG;
		}
		wild = true;
		s += 2;
	}
	size_t len = strlen(s);
	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > EV_NAME_MAX) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "domain pattern '%s': empty or too long", pattern);
		return UCF_ERR_CONFIG;
	}
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '-' || c == '_' || c == '.';
		if (!ok || (c == '.' && (i == 0 || s[i - 1] == '.'))) {
			snprintf(errbuf, UCF_ERRBUF_SIZE,
				 "domain pattern '%s': bad character or empty label at %zu", pattern,
				 i + (wild ? 2 : 0));
			return UCF_ERR_CONFIG;
		}
		base[i] = (char)ev_lower(c);
	}
	base[len] = '\0';
	uint64_t h = dom_hash(base, len);
	struct dom_ent *e = (struct dom_ent *)dom_find(d, base, len, h);
	d->gen = next_gen();
	if (!e) {
		if (!dom_room(d))
			goto oom;
		if ((d->n + 1) * 2 > d->nslot && !dom_rehash(d, pow2_at_least((d->n + 1) * 4ULL)))
			goto oom;
		e = &d->ent[d->n];
		memset(e, 0, sizeof *e);
		e->base = dup_str(base);
		if (!e->base)
			goto oom;
		e->len = len;
		e->hash = h;
		e->exact_id = e->wild_id = -1;
		d->n++;
		uint32_t i = (uint32_t)h & (d->nslot - 1);
		while (d->slot[i])
			i = (i + 1) & (d->nslot - 1);
		d->slot[i] = d->n;
	}
	int *idp = wild ? &e->wild_id : &e->exact_id;
	char **pp = wild ? &e->pat_wild : &e->pat_exact;
	if (*idp >= 0)
		return UCF_OK; /* duplicate pattern: the first id stays */
	char txt[EV_NAME_MAX + 3];
	snprintf(txt, sizeof txt, "%s%s", wild ? "*." : "", base);
	*pp = dup_str(txt);
	if (!*pp)
		goto oom;
	*idp = user_id;
	return UCF_OK;
oom:
	snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory adding domain pattern");
	return UCF_ERR_RUNTIME;
}

/* The entry matching name and whether through its wildcard pattern; NULL when none. */
static const struct dom_ent *dom_match(const struct ev_domains *d, const char *name, size_t len,
				       bool *wild)
{
	if (!d || d->n == 0 || !name)
		return NULL;
	char buf[EV_NAME_MAX + 1];
	bool certwild = false;
	if (len >= 2 && name[0] == '*' && name[1] == '.') { /* certificate wildcard name */
		certwild = true;
		name += 2;
		len -= 2;
	}
	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > EV_NAME_MAX)
		return NULL;
	/* lower-case and hash right to left; sfx[] gets each parent suffix's start and hash. One
	 * per dot but the last character: up to len - 1 of them, as a name of dots has (fuzz_packet
	 * found the earlier bound of EV_NAME_MAX / 2, one per label, overrun by an HTTP Host of
	 * dots: tests/regress/bug-host-dots.pcap) */
	size_t sfx_at[EV_NAME_MAX];
	uint64_t sfx_h[EV_NAME_MAX];
	unsigned nsfx = 0;
	uint64_t h = DOM_FNV_INIT;
	for (size_t i = len; i-- > 0;) {
		unsigned char c = (unsigned char)ev_lower((unsigned char)name[i]);
		buf[i] = (char)c;
		if (c == '.' && i + 1 < len) {
			sfx_at[nsfx] = i + 1;
			sfx_h[nsfx] = h;
			nsfx++;
		}
		h = dom_step(h, c);
	}
	/* prefix patterns first: the SRV service labels say what the lookup is for, whatever the
	 * domain (_xmpp-server._tcp.webex.com is a federation lookup, not Webex traffic) */
	if (!certwild && buf[0] == '_')
		for (unsigned i = 0; i < d->n; i++) {
			const struct dom_ent *p = &d->ent[i];
			if (p->prefix && len > p->len && memcmp(buf, p->base, p->len) == 0) {
				*wild = true;
				return p;
			}
		}
	/* the full name: exact pattern (not for a certificate wildcard) or wildcard on itself */
	const struct dom_ent *e = dom_find(d, buf, len, dom_mix(h));
	if (e) {
		if (!certwild && e->exact_id >= 0) {
			*wild = false;
			return e;
		}
		if (e->wild_id >= 0) {
			*wild = true;
			return e;
		}
	}
	/* parents: wildcard patterns only; the first hit from the left is the longest */
	for (unsigned k = nsfx; k-- > 0;) {
		size_t at = sfx_at[k];
		e = dom_find(d, buf + at, len - at, dom_mix(sfx_h[k]));
		if (e && e->wild_id >= 0) {
			*wild = true;
			return e;
		}
	}
	return NULL;
}

int ev_domains_match(const struct ev_domains *d, const char *name, size_t len, const char **pattern)
{
	bool wild;
	const struct dom_ent *e = dom_match(d, name, len, &wild);
	if (pattern)
		*pattern = e ? (wild ? e->pat_wild : e->pat_exact) : NULL;
	return e ? (wild ? e->wild_id : e->exact_id) : -1;
}

int ev_domains_match_cached(struct ev_domains *d, const char *name, size_t len)
{
	if (!d || d->n == 0 || !name)
		return -1;
	if (len == 0 || len > EV_NAME_MAX)
		return ev_domains_match(d, name, len, NULL);
	struct dom_recent *r = &d->recent[hash_words(0, name, len) & 63];
	if (r->gen != d->gen || r->len != len || memcmp(r->name, name, len) != 0) {
		bool wild;
		const struct dom_ent *e = dom_match(d, name, len, &wild);
		r->code = e ? (int32_t)((e - d->ent) * 2 + wild) : -1;
		r->gen = d->gen;
		r->len = (uint16_t)len;
		memcpy(r->name, name, len);
	}
	if (r->code < 0)
		return -1;
	const struct dom_ent *e = &d->ent[r->code >> 1];
	return (r->code & 1) ? e->wild_id : e->exact_id;
}

int ev_names_domain_match(struct ev_names *n, const struct ev_domains *d, uint32_t id,
			  const char **pattern)
{
	struct ev_name_ent *ne = live_ent(n, id);
	if (!ne || !d) {
		if (pattern)
			*pattern = NULL;
		return -1;
	}
	if (ne->dgen != d->gen) {
		bool wild;
		const struct dom_ent *e = dom_match(d, n->arena + ne->off, ne->len, &wild);
		ne->dcode = e ? (int32_t)((e - d->ent) * 2 + wild) : -1;
		ne->dgen = d->gen;
	}
	if (ne->dcode < 0) {
		if (pattern)
			*pattern = NULL;
		return -1;
	}
	const struct dom_ent *e = &d->ent[ne->dcode >> 1];
	bool wild = ne->dcode & 1;
	if (pattern)
		*pattern = wild ? e->pat_wild : e->pat_exact;
	return wild ? e->wild_id : e->exact_id;
}

/* ============================================================================================== */
/* DNS cache: linear-probing table of entry indices (backward-shift deletion keeps probes short
 * without tombstones) and a doubly linked LRU list through the entries. */
struct dns_ent {
	struct ucf_addr addr;
	uint64_t expiry;
	uint32_t name;       /* holds a reference */
	uint32_t prev, next; /* LRU, entry index + 1 (0 = none); head = most recent */
	uint32_t slot;       /* where it sits in the probe table */
	uint8_t used;
};

struct ev_dnscache {
	struct dns_ent *ent;
	uint32_t nent, count, free_hw;
	uint32_t *slot;
	uint32_t nslot;
	uint32_t head, tail;
	uint32_t *free_list;  /* stack of free entry indices */
	uint32_t nfree;
	uint64_t evictions;
	uint64_t seed;
	struct ev_names *names;
};

struct ev_dnscache *ev_dnscache_create(uint32_t entries, struct ev_names *names, uint64_t seed)
{
	if (entries == 0 || entries > (1u << 26) || !names)
		return NULL;
	struct ev_dnscache *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->nent = entries;
	c->nslot = pow2_at_least((uint64_t)entries * 2);
	c->ent = calloc(entries, sizeof *c->ent);
	c->slot = calloc(c->nslot, sizeof *c->slot);
	c->free_list = calloc(entries, sizeof *c->free_list);
	if (!c->ent || !c->slot || !c->free_list) {
		ev_dnscache_destroy(c);
		return NULL;
	}
	c->names = names;
	c->seed = seed;
	return c;
}

void ev_dnscache_destroy(struct ev_dnscache *c)
{
	if (!c)
		return;
	if (c->ent) /* entries past the high-water mark were never used (nor their pages touched) */
		for (uint32_t i = 0; i < c->free_hw; i++)
			if (c->ent[i].used)
				ev_names_release(c->names, c->ent[i].name);
	free(c->ent);
	free(c->slot);
	free(c->free_list);
	free(c);
}

static uint32_t dns_home(const struct ev_dnscache *c, const struct ucf_addr *a)
{
	return (uint32_t)hash_words(c->seed, a->b, 16) & (c->nslot - 1);
}

static void lru_unlink(struct ev_dnscache *c, uint32_t i)
{
	struct dns_ent *e = &c->ent[i];
	if (e->prev)
		c->ent[e->prev - 1].next = e->next;
	else
		c->head = e->next;
	if (e->next)
		c->ent[e->next - 1].prev = e->prev;
	else
		c->tail = e->prev;
	e->prev = e->next = 0;
}

static void lru_push_front(struct ev_dnscache *c, uint32_t i)
{
	struct dns_ent *e = &c->ent[i];
	e->prev = 0;
	e->next = c->head;
	if (c->head)
		c->ent[c->head - 1].prev = i + 1;
	c->head = i + 1;
	if (!c->tail)
		c->tail = i + 1;
}

static int32_t dns_find(const struct ev_dnscache *c, const struct ucf_addr *a)
{
	for (uint32_t s = dns_home(c, a);; s = (s + 1) & (c->nslot - 1)) {
		uint32_t e = c->slot[s];
		if (!e)
			return -1;
		if (memcmp(c->ent[e - 1].addr.b, a->b, 16) == 0)
			return (int32_t)(e - 1);
	}
}

static void dns_remove(struct ev_dnscache *c, uint32_t i)
{
	struct dns_ent *e = &c->ent[i];
	lru_unlink(c, i);
	ev_names_release(c->names, e->name);
	/* backward-shift deletion */
	uint32_t hole = e->slot, mask = c->nslot - 1;
	c->slot[hole] = 0;
	for (uint32_t s = (hole + 1) & mask; c->slot[s]; s = (s + 1) & mask) {
		uint32_t k = c->slot[s] - 1;
		uint32_t home = dns_home(c, &c->ent[k].addr);
		/* move k into the hole when its home is not cyclically within (hole, s] */
		bool stay = (hole <= s) ? (home > hole && home <= s) : (home > hole || home <= s);
		if (!stay) {
			c->slot[hole] = k + 1;
			c->ent[k].slot = hole;
			c->slot[s] = 0;
			hole = s;
		}
	}
	e->used = 0;
	c->free_list[c->nfree++] = i;
	c->count--;
}

void ev_dnscache_put(struct ev_dnscache *c, const struct ucf_addr *addr, uint32_t name_id,
		     uint64_t expiry_us)
{
	if (!c || !name_id)
		return;
	int32_t f = dns_find(c, addr);
	if (f >= 0) {
		struct dns_ent *e = &c->ent[f];
		if (e->name != name_id) {
			ev_names_ref(c->names, name_id);
			ev_names_release(c->names, e->name);
			e->name = name_id;
		}
		e->expiry = expiry_us;
		lru_unlink(c, (uint32_t)f);
		lru_push_front(c, (uint32_t)f);
		return;
	}
	if (c->count == c->nent) { /* full: the least recently used goes */
		dns_remove(c, c->tail - 1);
		c->evictions++;
	}
	uint32_t i = c->nfree ? c->free_list[--c->nfree] : c->free_hw++;
	struct dns_ent *e = &c->ent[i];
	e->addr = *addr;
	e->expiry = expiry_us;
	e->name = name_id;
	e->used = 1;
	ev_names_ref(c->names, name_id);
	uint32_t s = dns_home(c, addr);
	while (c->slot[s])
		s = (s + 1) & (c->nslot - 1);
	c->slot[s] = i + 1;
	e->slot = s;
	lru_push_front(c, i);
	c->count++;
}

uint32_t ev_dnscache_get(struct ev_dnscache *c, const struct ucf_addr *addr, uint64_t now_us)
{
	if (!c || c->count == 0)
		return 0;
	int32_t f = dns_find(c, addr);
	if (f < 0)
		return 0;
	if (c->ent[f].expiry <= now_us) {
		dns_remove(c, (uint32_t)f);
		return 0;
	}
	lru_unlink(c, (uint32_t)f);
	lru_push_front(c, (uint32_t)f);
	return c->ent[f].name;
}

uint32_t ev_dnscache_count(const struct ev_dnscache *c)
{
	return c ? c->count : 0;
}

uint64_t ev_dnscache_evictions(const struct ev_dnscache *c)
{
	return c ? c->evictions : 0;
}

/* ============================================================================================== */
/* Flow-level queries over the facts a flow holds (public accessors only). */

const char *evidence_src_name(enum evidence_src src)
{
	switch (src) {
	case EV_SRC_SNI: return "sni";
	case EV_SRC_HOST: return "host";
	case EV_SRC_CERT: return "cert";
	case EV_SRC_DNS: return "dns";
	case EV_SRC_QUERY: return "query";
	default: return "";
	}
}

/* Longest pattern among the comma-separated names of a list. */
static int match_list(const struct evidence_ctx *x, const char *list, const char **pat)
{
	int best = -1;
	size_t best_len = 0;
	*pat = NULL;
	for (const char *s = list; s && *s;) {
		const char *e = strchr(s, ',');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		const char *pt;
		int id = evidence_domain_match(x, s, n, &pt);
		if (id >= 0 && strlen(pt) > best_len) {
			best = id;
			best_len = strlen(pt);
			*pat = pt;
		}
		s = e ? e + 1 : NULL;
	}
	return best;
}

int evidence_domain_of(const struct evidence_ctx *x, const struct flow *f, struct evidence_match *m)
{
	struct evidence_match tmp;
	if (!m)
		m = &tmp;
	memset(m, 0, sizeof *m);
	m->user_id = -1;
	const char *sni = evidence_name(x, f->ev.sni);
	const char *certs = evidence_name(x, f->ev.server_names);
	const char *dns = evidence_name(x, f->ev.dns_name);
	const char *pat;
	int id;
	/* single names: the match memoised with the interned name (evidence_domain_match_id) */
	if (sni) {
		if ((id = evidence_domain_match_id(x, f->ev.sni, &pat)) >= 0) {
			enum evidence_src src = EV_SRC_SNI;
			if (f->ev.state & EVS_HOST) /* a DNS flow's host is the name it looks up */
				src = f->ev.payload_proto == EV_PROTO_DNS ? EV_SRC_QUERY : EV_SRC_HOST;
			*m = (struct evidence_match){ id, src, pat, sni };
			return id;
		}
	} else if (certs && (id = match_list(x, certs, &pat)) >= 0) {
		*m = (struct evidence_match){ id, EV_SRC_CERT, pat, certs };
		return id;
	}
	if (dns && (id = evidence_domain_match_id(x, f->ev.dns_name, &pat)) >= 0) {
		*m = (struct evidence_match){ id, EV_SRC_DNS, pat, dns };
		return id;
	}
	return -1;
}

static void put_token(char *buf, size_t cap, size_t *len, const char *a, const char *b,
		      bool underscore)
{
	char tok[EV_REASON_MAX];
	size_t n = 0;
	for (const char *s = a; s && *s && n + 1 < sizeof tok; s++)
		tok[n++] = *s;
	for (const char *s = b; s && *s && n + 1 < sizeof tok; s++)
		tok[n++] = (underscore && *s == ' ') ? '_' : *s;
	if (n == 0 || *len + n + (*len ? 1 : 0) + 1 > cap)
		return; /* whole tokens only */
	if (*len)
		buf[(*len)++] = ' ';
	memcpy(buf + *len, tok, n);
	*len += n;
	buf[*len] = '\0';
}

void evidence_view(const struct evidence_ctx *x, const struct flow *f, struct evidence_view *v)
{
	/* field by field: the reason buffer is large and only needs its terminator (every record) */
	v->sni = v->alpn = v->host = v->software = NULL;
	v->reason[0] = '\0';
	const char *sni = evidence_name(x, f->ev.sni);
	const char *alpn = evidence_name(x, f->ev.alpn);
	v->proto = evidence_proto_name(f->ev.payload_proto);
	if (f->ev.state & EVS_HOST)
		v->host = sni;
	else
		v->sni = sni;
	if (f->ev.state & EVS_SOFTWARE)
		v->software = alpn;
	else
		v->alpn = alpn;
	v->server_names = evidence_name(x, f->ev.server_names);
	v->dns_name = evidence_name(x, f->ev.dns_name);
	evidence_domain_of(x, f, &v->match);
	size_t len = 0;
	char key[8];
	if (v->match.user_id >= 0) {
		const char *sn = evidence_src_name(v->match.src);
		size_t kn = strlen(sn); /* at most 5 */
		memcpy(key, sn, kn);
		key[kn] = '=';
		key[kn + 1] = '\0';
		put_token(v->reason, sizeof v->reason, &len, key, v->match.pattern, false);
	}
	put_token(v->reason, sizeof v->reason, &len, v->proto, NULL, false);
	if (v->software)
		put_token(v->reason, sizeof v->reason, &len, "software=", v->software, true);
}
