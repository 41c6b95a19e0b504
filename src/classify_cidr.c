/* classify_cidr.c - path-compressed binary trie for longest-prefix match over 128-bit addresses. */
#include <stdlib.h>
#include <string.h>

#include "classify_cidr.h"

/* A node holds one prefix (key/len). It carries a value when that prefix was inserted, or none
 * when it is only a branching point. Children are indices into one array so the trie is a single
 * allocation that can be grown with realloc while building (indices survive, pointers would not). */
struct cnode {
	uint64_t hi, lo;   /* key, big-endian halves, masked to len */
	int32_t child[2];  /* -1 = none */
	uint32_t value;    /* CIDR_NONE = branching node only */
	uint8_t len;
};

struct cidr {
	struct cnode *n;
	uint32_t used, cap;
	int32_t root;
	size_t count;
};

static inline uint64_t load_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static inline void key_of(const struct ucf_addr *a, uint64_t *hi, uint64_t *lo)
{
	*hi = load_be64(a->b);
	*lo = load_be64(a->b + 8);
}

static inline void mask_of(unsigned len, uint64_t *mh, uint64_t *ml)
{
	if (len == 0) {
		*mh = 0;
		*ml = 0;
	} else if (len <= 64) {
		*mh = ~0ULL << (64 - len);
		*ml = 0;
	} else {
		*mh = ~0ULL;
		*ml = ~0ULL << (128 - len);
	}
}

static inline unsigned bit_at(uint64_t hi, uint64_t lo, unsigned i)
{
	return i < 64 ? (unsigned)((hi >> (63 - i)) & 1) : (unsigned)((lo >> (127 - i)) & 1);
}

static inline bool node_matches(const struct cnode *n, uint64_t hi, uint64_t lo)
{
	uint64_t mh, ml;
	mask_of(n->len, &mh, &ml);
	return ((hi ^ n->hi) & mh) == 0 && ((lo ^ n->lo) & ml) == 0;
}

static unsigned common_len(uint64_t h1, uint64_t l1, uint64_t h2, uint64_t l2)
{
	uint64_t x = h1 ^ h2;
	if (x)
		return (unsigned)__builtin_clzll(x);
	x = l1 ^ l2;
	if (x)
		return 64 + (unsigned)__builtin_clzll(x);
	return 128;
}

struct cidr *cidr_new(void)
{
	struct cidr *t = calloc(1, sizeof *t);
	if (t)
		t->root = -1;
	return t;
}

void cidr_free(struct cidr *t)
{
	if (!t)
		return;
	free(t->n);
	free(t);
}

static int32_t new_node(struct cidr *t, uint64_t hi, uint64_t lo, unsigned len, uint32_t value)
{
	if (t->used == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 16;
		struct cnode *n = realloc(t->n, (size_t)cap * sizeof *n);
		if (!n)
			return -1;
		t->n = n;
		t->cap = cap;
	}
	uint64_t mh, ml;
	mask_of(len, &mh, &ml);
	struct cnode *n = &t->n[t->used];
	n->hi = hi & mh;
	n->lo = lo & ml;
	n->child[0] = n->child[1] = -1;
	n->value = value;
	n->len = (uint8_t)len;
	return (int32_t)t->used++;
}

static void set_link(struct cidr *t, int32_t parent, unsigned side, int32_t idx)
{
	if (parent < 0)
		t->root = idx;
	else
		t->n[parent].child[side] = idx;
}

uint32_t cidr_insert(struct cidr *t, const struct ucf_addr *a, unsigned len, uint32_t value)
{
	if (!t || len > 128 || value == CIDR_NONE)
		return CIDR_NONE;
	uint64_t hi, lo, mh, ml;
	key_of(a, &hi, &lo);
	mask_of(len, &mh, &ml);
	hi &= mh;
	lo &= ml;
	if (t->root < 0) {
		int32_t r = new_node(t, hi, lo, len, value);
		if (r < 0)
			return CIDR_NONE;
		t->root = r;
		t->count++;
		return value;
	}
	int32_t parent = -1, cur = t->root;
	unsigned side = 0;
	for (;;) {
		struct cnode *n = &t->n[cur];
		unsigned cpl = common_len(hi, lo, n->hi, n->lo);
		unsigned nlen = n->len;
		if (cpl > nlen)
			cpl = nlen;
		if (cpl > len)
			cpl = len;
		if (cpl == nlen) {
			if (nlen == len) { /* the prefix exists (maybe as a branching node) */
				if (n->value == CIDR_NONE) {
					n->value = value;
					t->count++;
				}
				return n->value;
			}
			unsigned b = bit_at(hi, lo, nlen);
			if (n->child[b] < 0) {
				int32_t leaf = new_node(t, hi, lo, len, value);
				if (leaf < 0)
					return CIDR_NONE;
				t->n[cur].child[b] = leaf;
				t->count++;
				return value;
			}
			parent = cur;
			side = b;
			cur = n->child[b];
			continue;
		}
		/* The new prefix leaves n's path at bit cpl: split there. */
		uint64_t nhi = n->hi, nlo = n->lo;
		if (cpl == len) { /* the new prefix is an ancestor of n */
			int32_t up = new_node(t, hi, lo, len, value);
			if (up < 0)
				return CIDR_NONE;
			t->n[up].child[bit_at(nhi, nlo, len)] = cur;
			set_link(t, parent, side, up);
			t->count++;
			return value;
		}
		int32_t mid = new_node(t, hi, lo, cpl, CIDR_NONE);
		if (mid < 0)
			return CIDR_NONE;
		int32_t leaf = new_node(t, hi, lo, len, value);
		if (leaf < 0)
			return CIDR_NONE; /* mid stays unlinked: harmless garbage */
		t->n[mid].child[bit_at(hi, lo, cpl)] = leaf;
		t->n[mid].child[bit_at(nhi, nlo, cpl)] = cur;
		set_link(t, parent, side, mid);
		t->count++;
		return value;
	}
}

uint32_t cidr_lookup(const struct cidr *t, const struct ucf_addr *a, unsigned *len_out)
{
	uint32_t best = CIDR_NONE;
	unsigned best_len = 0;
	if (t) {
		uint64_t hi, lo;
		key_of(a, &hi, &lo);
		int32_t cur = t->root;
		while (cur >= 0) {
			const struct cnode *n = &t->n[cur];
			if (!node_matches(n, hi, lo))
				break;
			if (n->value != CIDR_NONE) {
				best = n->value;
				best_len = n->len;
			}
			if (n->len == 128)
				break;
			cur = n->child[bit_at(hi, lo, n->len)];
		}
	}
	if (len_out)
		*len_out = best_len;
	return best;
}

unsigned cidr_lookup_all(const struct cidr *t, const struct ucf_addr *a, struct cidr_hit *out,
			 unsigned max)
{
	if (!t || max == 0)
		return 0;
	/* Walk root to leaf (shortest first), keep the last `max`, then reverse. */
	struct cidr_hit tmp[CIDR_MAX_HITS];
	unsigned k = 0;
	uint64_t hi, lo;
	key_of(a, &hi, &lo);
	int32_t cur = t->root;
	while (cur >= 0 && k < CIDR_MAX_HITS) {
		const struct cnode *n = &t->n[cur];
		if (!node_matches(n, hi, lo))
			break;
		if (n->value != CIDR_NONE) {
			tmp[k].value = n->value;
			tmp[k].len = n->len;
			k++;
		}
		if (n->len == 128)
			break;
		cur = n->child[bit_at(hi, lo, n->len)];
	}
	unsigned m = k < max ? k : max;
	for (unsigned i = 0; i < m; i++)
		out[i] = tmp[k - 1 - i];
	return m;
}

size_t cidr_count(const struct cidr *t)
{
	return t ? t->count : 0;
}

size_t cidr_bytes(const struct cidr *t)
{
	return t ? sizeof *t + (size_t)t->cap * sizeof(struct cnode) : 0;
}

void cidr_mask(struct ucf_addr *a, unsigned len)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned lo_bit = i * 8;
		if (len >= lo_bit + 8)
			continue;
		if (len <= lo_bit)
			a->b[i] = 0;
		else
			a->b[i] &= (uint8_t)(0xff << (8 - (len - lo_bit)));
	}
}

bool cidr_host_bits_set(const struct ucf_addr *a, unsigned len)
{
	struct ucf_addr m = *a;
	cidr_mask(&m, len);
	return memcmp(m.b, a->b, 16) != 0;
}

bool cidr_prefix_contains(const struct ucf_addr *pfx, unsigned len, const struct ucf_addr *a)
{
	struct ucf_addr m = *a;
	cidr_mask(&m, len);
	struct ucf_addr p = *pfx;
	cidr_mask(&p, len);
	return memcmp(m.b, p.b, 16) == 0;
}
