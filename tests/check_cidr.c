/* check_cidr.c - the longest-prefix-match trie against brute-force references on random prefixes. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify_cidr.h"
#include "run_suite.h"

#define NPREFIX 120000
#define NLOOKUP 120000
#define NLINEAR 1000 /* lookups also checked by a plain linear scan over every prefix */

struct pfx {
	struct ucf_addr a;
	unsigned len;
	uint32_t value; /* value the trie must report: the first inserted for that prefix */
};

/* xorshift64*: deterministic, so a failure can be reproduced. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static void rnd_addr(struct ucf_addr *a, bool v4)
{
	for (int i = 0; i < 16; i += 8) {
		uint64_t r = rnd();
		memcpy(a->b + i, &r, 8);
	}
	if (v4) {
		uint8_t q[4];
		memcpy(q, a->b + 12, 4);
		ucf_addr_set_v4(a, q);
	}
}

/* Random host bits below len, keeping the prefix. */
static void rnd_inside(struct ucf_addr *out, const struct ucf_addr *pfx, unsigned len)
{
	struct ucf_addr r;
	rnd_addr(&r, false);
	for (unsigned i = 0; i < 128; i++) {
		unsigned byte = i / 8, bit = 7 - i % 8;
		unsigned v = i < len ? (pfx->b[byte] >> bit) & 1 : (r.b[byte] >> bit) & 1;
		out->b[byte] = (uint8_t)((out->b[byte] & ~(1u << bit)) | (v << bit));
	}
}

/* Both references work on the address as two big-endian 64-bit halves. */
struct k128 {
	uint64_t hi, lo;
};

static struct k128 k_of(const struct ucf_addr *a)
{
	struct k128 k = { 0, 0 };
	for (int i = 0; i < 8; i++) {
		k.hi = (k.hi << 8) | a->b[i];
		k.lo = (k.lo << 8) | a->b[8 + i];
	}
	return k;
}

static struct k128 k_mask(unsigned len)
{
	struct k128 m;
	m.hi = len == 0 ? 0 : len >= 64 ? ~0ULL : ~0ULL << (64 - len);
	m.lo = len <= 64 ? 0 : ~0ULL << (128 - len);
	return m;
}

/* Reference 1: one sorted table per prefix length; a lookup masks the address for every length
 * from 128 down to 0 and binary-searches (obviously correct, O(129 log n)). */
struct lenent {
	struct k128 k;
	uint32_t value;
};
static struct lenent *bylen[129];
static size_t nbylen[129];

static int cmp_lenent(const void *x, const void *y)
{
	const struct lenent *a = x, *b = y;
	if (a->k.hi != b->k.hi)
		return a->k.hi < b->k.hi ? -1 : 1;
	if (a->k.lo != b->k.lo)
		return a->k.lo < b->k.lo ? -1 : 1;
	return 0;
}

static void ref_build(const struct pfx *p, size_t n)
{
	for (int l = 0; l <= 128; l++) {
		free(bylen[l]);
		bylen[l] = NULL;
		nbylen[l] = 0;
	}
	for (size_t i = 0; i < n; i++)
		nbylen[p[i].len]++;
	size_t fill[129] = { 0 };
	for (int l = 0; l <= 128; l++)
		bylen[l] = calloc(nbylen[l] ? nbylen[l] : 1, sizeof(struct lenent));
	for (size_t i = 0; i < n; i++) {
		struct lenent *e = &bylen[p[i].len][fill[p[i].len]++];
		e->k = k_of(&p[i].a);
		e->value = p[i].value;
	}
	for (int l = 0; l <= 128; l++)
		qsort(bylen[l], nbylen[l], sizeof(struct lenent), cmp_lenent);
}

/* All matches longest first. */
static unsigned ref_all(const struct ucf_addr *a, struct cidr_hit *out)
{
	unsigned k = 0;
	struct k128 ak = k_of(a);
	for (int l = 128; l >= 0; l--) {
		if (!nbylen[l])
			continue;
		struct k128 m = k_mask((unsigned)l);
		struct lenent key = { { ak.hi & m.hi, ak.lo & m.lo }, 0 };
		struct lenent *e = bsearch(&key, bylen[l], nbylen[l], sizeof key, cmp_lenent);
		if (e) {
			out[k].value = e->value;
			out[k].len = (uint8_t)l;
			k++;
		}
	}
	return k;
}

/* Reference 2: linear scan over every prefix. */
struct linent {
	struct k128 k, m;
	unsigned len;
	uint32_t value;
};

static uint32_t ref_linear(const struct linent *p, size_t n, const struct ucf_addr *a, unsigned *len)
{
	uint32_t best = CIDR_NONE;
	int best_len = -1;
	struct k128 ak = k_of(a);
	for (size_t i = 0; i < n; i++)
		if ((int)p[i].len > best_len && ((ak.hi & p[i].m.hi) == p[i].k.hi) &&
		    ((ak.lo & p[i].m.lo) == p[i].k.lo)) {
			best_len = (int)p[i].len;
			best = p[i].value;
		}
	*len = best_len < 0 ? 0 : (unsigned)best_len;
	return best;
}

static struct pfx *gen_prefixes(size_t n)
{
	struct pfx *p = calloc(n, sizeof *p);
	size_t k = 0;
	/* Edge cases first: ::/0, IPv4 0.0.0.0/0 (= ::ffff:0:0/96), a /32 and a /128. */
	struct ucf_addr z;
	memset(&z, 0, sizeof z);
	p[k].a = z;
	p[k].len = 0;
	k++;
	uint8_t q0[4] = { 0, 0, 0, 0 }, q1[4] = { 10, 1, 2, 3 };
	ucf_addr_set_v4(&p[k].a, q0);
	p[k].len = 96;
	k++;
	ucf_addr_set_v4(&p[k].a, q1);
	p[k].len = 128;
	k++;
	ucf_addr_parse("2001:db8::1", &p[k].a);
	p[k].len = 128;
	k++;
	while (k < n) {
		unsigned kind = (unsigned)(rnd() % 10);
		if (kind < 4) { /* IPv4 /0../32 */
			rnd_addr(&p[k].a, true);
			p[k].len = 96 + (rnd() % 4 ? 8 + (unsigned)(rnd() % 25) : (unsigned)(rnd() % 33));
		} else if (kind < 7) { /* IPv6 /0../128, biased to a few /16s so prefixes overlap */
			rnd_addr(&p[k].a, false);
			p[k].a.b[0] = 0x20;
			p[k].a.b[1] = (uint8_t)(rnd() % 4);
			p[k].len = rnd() % 8 ? 16 + (unsigned)(rnd() % 113) : (unsigned)(rnd() % 129);
		} else { /* nested: extend or shorten an earlier prefix, or repeat it exactly */
			const struct pfx *o = &p[rnd() % k];
			unsigned len = o->len;
			unsigned mode = (unsigned)(rnd() % 16);
			if (mode < 4 && len > 0)
				len -= 1 + (unsigned)(rnd() % (len < 8 ? len : 8));
			else if (mode != 15 && len < 128)
				len += 1 + (unsigned)(rnd() % ((128 - len) < 12 ? (128 - len) : 12));
			rnd_inside(&p[k].a, &o->a, o->len);
			p[k].len = len;
		}
		cidr_mask(&p[k].a, p[k].len);
		k++;
	}
	return p;
}

static struct cidr *build(struct pfx *p, size_t n)
{
	struct cidr *t = cidr_new();
	ck_assert_ptr_nonnull(t);
	for (size_t i = 0; i < n; i++) {
		uint32_t v = cidr_insert(t, &p[i].a, p[i].len, (uint32_t)i);
		if (v == CIDR_NONE)
			ck_abort_msg("insert %zu failed", i);
		p[i].value = v; /* a duplicate keeps the first value */
	}
	return t;
}

START_TEST(test_bruteforce)
{
	struct pfx *p = gen_prefixes(NPREFIX);
	struct cidr *t = build(p, NPREFIX);
	ref_build(p, NPREFIX);
	struct linent *lin = calloc(NPREFIX, sizeof *lin);
	for (size_t i = 0; i < NPREFIX; i++) {
		lin[i].k = k_of(&p[i].a);
		lin[i].m = k_mask(p[i].len);
		lin[i].len = p[i].len;
		lin[i].value = p[i].value;
	}
	size_t distinct = 0;
	for (int l = 0; l <= 128; l++) {
		for (size_t i = 0; i < nbylen[l]; i++)
			if (i == 0 || cmp_lenent(&bylen[l][i - 1], &bylen[l][i]) != 0)
				distinct++;
	}
	ck_assert_uint_eq(cidr_count(t), distinct);
	ck_assert_uint_ge(distinct, 100000);

	/* pass 0 walks the trie, pass 1 searches its flattened form (cidr_finalize) */
	for (int pass = 0; pass < 2; pass++) {
	unsigned hits = 0, multi = 0;
	if (pass)
		ck_assert_int_eq(cidr_finalize(t), 0);
	for (size_t i = 0; i < NLOOKUP; i++) {
		struct ucf_addr a;
		unsigned kind = (unsigned)(rnd() % 4);
		if (kind < 2)
			rnd_inside(&a, &p[rnd() % NPREFIX].a, p[rnd() % NPREFIX].len);
		else if (kind == 2) {
			const struct pfx *o = &p[rnd() % NPREFIX];
			rnd_inside(&a, &o->a, o->len);
		} else
			rnd_addr(&a, rnd() & 1);
		struct cidr_hit want[CIDR_MAX_HITS], got[CIDR_MAX_HITS];
		unsigned nw = ref_all(&a, want);
		unsigned ng = cidr_lookup_all(t, &a, got, CIDR_MAX_HITS);
		/* ck_assert is costly per call (Check logs every checkpoint), so compare plainly and
		 * fail with the details on the first mismatch. */
		bool ok = ng == nw;
		for (unsigned j = 0; ok && j < nw; j++)
			ok = got[j].value == want[j].value && got[j].len == want[j].len;
		unsigned len;
		uint32_t v = cidr_lookup(t, &a, &len);
		ok = ok && v == (nw ? want[0].value : CIDR_NONE) && (!nw || len == want[0].len);
		if (ok && i < NLINEAR) {
			unsigned llen;
			uint32_t lv = ref_linear(lin, NPREFIX, &a, &llen);
			ok = v == lv && len == llen;
		}
		/* a truncated lookup_all keeps the longest ones */
		if (ok && nw > 1) {
			ok = cidr_lookup_all(t, &a, got, 1) == 1 && got[0].value == want[0].value;
			multi++;
		}
		if (!ok) {
			char buf[UCF_ADDR_STRLEN];
			ck_abort_msg("pass %d lookup %zu of %s: trie %u hits (longest %u/%u), reference %u hits "
				     "(longest %u/%u)", pass, i, ucf_addr_format(&a, buf, sizeof buf), ng,
				     ng ? got[0].value : 0, ng ? got[0].len : 0, nw,
				     nw ? want[0].value : 0, nw ? want[0].len : 0);
		}
		hits += nw > 0;
	}
	/* ::/0 is present, so every lookup hits; most see several nested prefixes */
	ck_assert_uint_eq(hits, NLOOKUP);
	ck_assert_uint_gt(multi, NLOOKUP / 2);
	printf("check_cidr: %d prefixes (%zu distinct), %d lookups (%d linear-checked), %u with "
	       "nesting, %s\n", NPREFIX, distinct, NLOOKUP, NLINEAR, multi,
	       pass ? "flattened" : "trie walk");
	}
	cidr_free(t);
	free(lin);
	free(p);
	ref_build(NULL, 0);
}
END_TEST

/* Without ::/0 (which covers every gap), the flattened form must end each prefix's interval
 * where the prefix ends: lookups against the plain trie walk and the references. */
START_TEST(test_flat_sparse)
{
	enum { N = 4000, L = 40000 };
	struct pfx *p = gen_prefixes(N + 1);
	struct pfx *q = p + 1; /* p[0] is ::/0 */
	struct cidr *walk = build(q, N), *flat = build(q, N);
	ck_assert_int_eq(cidr_finalize(flat), 0);
	ref_build(q, N);
	unsigned misses = 0;
	for (size_t i = 0; i < L; i++) {
		struct ucf_addr a;
		if (i % 3 == 0)
			rnd_addr(&a, i % 2);
		else
			rnd_inside(&a, &q[rnd() % N].a, q[rnd() % N].len);
		struct cidr_hit want[CIDR_MAX_HITS], g1[CIDR_MAX_HITS], g2[CIDR_MAX_HITS];
		unsigned nw = ref_all(&a, want);
		unsigned n1 = cidr_lookup_all(walk, &a, g1, CIDR_MAX_HITS);
		unsigned n2 = cidr_lookup_all(flat, &a, g2, CIDR_MAX_HITS);
		unsigned l1, l2;
		uint32_t v1 = cidr_lookup(walk, &a, &l1), v2 = cidr_lookup(flat, &a, &l2);
		bool ok = n1 == nw && n2 == nw && v1 == v2 && l1 == l2 &&
			  v2 == (nw ? want[0].value : CIDR_NONE);
		for (unsigned j = 0; ok && j < nw; j++)
			ok = g1[j].value == want[j].value && g2[j].value == want[j].value &&
			     g2[j].len == want[j].len;
		if (!ok) {
			char buf[UCF_ADDR_STRLEN];
			ck_abort_msg("sparse lookup %zu of %s: walk %u hits, flat %u, reference %u", i,
				     ucf_addr_format(&a, buf, sizeof buf), n1, n2, nw);
		}
		misses += nw == 0;
	}
	(void)misses; /* random short IPv6 prefixes may cover everything: the host test below */
	/* one host prefix alone: nothing below or above it matches */
	struct cidr *one = cidr_new();
	struct ucf_addr a;
	ucf_addr_parse("10.60.0.10", &a);
	ck_assert_uint_eq(cidr_insert(one, &a, 128, 5), 5);
	ck_assert_int_eq(cidr_finalize(one), 0);
	ck_assert_uint_eq(cidr_lookup(one, &a, NULL), 5);
	ucf_addr_parse("10.60.0.11", &a);
	ck_assert_uint_eq(cidr_lookup(one, &a, NULL), CIDR_NONE);
	ucf_addr_parse("10.60.0.9", &a);
	ck_assert_uint_eq(cidr_lookup(one, &a, NULL), CIDR_NONE);
	ucf_addr_parse("2001:db8::1", &a);
	ck_assert_uint_eq(cidr_lookup(one, &a, NULL), CIDR_NONE);
	cidr_free(one);
	cidr_free(walk);
	cidr_free(flat);
	free(p);
	ref_build(NULL, 0);
}
END_TEST

START_TEST(test_edges)
{
	struct cidr *t = cidr_new();
	struct ucf_addr a, b;
	ck_assert_uint_eq(cidr_lookup(t, &a, NULL), CIDR_NONE); /* empty trie */
	ucf_addr_parse("10.0.0.0", &a);
	ck_assert_uint_eq(cidr_insert(t, &a, 104, 1), 1);
	ucf_addr_parse("10.1.0.0", &a);
	ck_assert_uint_eq(cidr_insert(t, &a, 112, 2), 2);
	ck_assert_uint_eq(cidr_insert(t, &a, 112, 9), 2); /* duplicate keeps the first */
	ucf_addr_parse("10.1.2.3", &a);
	ck_assert_uint_eq(cidr_insert(t, &a, 128, 3), 3);
	ck_assert_uint_eq(cidr_insert(t, &a, 200, 4), CIDR_NONE); /* bad length */
	unsigned len;
	ck_assert_uint_eq(cidr_lookup(t, &a, &len), 3);
	ck_assert_uint_eq(len, 128);
	ucf_addr_parse("10.1.2.4", &b);
	ck_assert_uint_eq(cidr_lookup(t, &b, &len), 2);
	ck_assert_uint_eq(len, 112);
	ucf_addr_parse("10.200.0.1", &b);
	ck_assert_uint_eq(cidr_lookup(t, &b, &len), 1);
	ucf_addr_parse("11.0.0.1", &b);
	ck_assert_uint_eq(cidr_lookup(t, &b, NULL), CIDR_NONE);
	ucf_addr_parse("::a01:203", &b); /* IPv4-compatible, not IPv4-mapped: different address */
	ck_assert_uint_eq(cidr_lookup(t, &b, NULL), CIDR_NONE);
	struct cidr_hit h[4];
	ck_assert_uint_eq(cidr_lookup_all(t, &a, h, 4), 3);
	ck_assert_uint_eq(h[0].value, 3);
	ck_assert_uint_eq(h[1].value, 2);
	ck_assert_uint_eq(h[2].value, 1);
	/* an ancestor inserted after its descendants */
	ucf_addr_parse("::", &b);
	ck_assert_uint_eq(cidr_insert(t, &b, 0, 7), 7);
	ck_assert_uint_eq(cidr_lookup_all(t, &a, h, 4), 4);
	ck_assert_uint_eq(h[3].value, 7);
	ck_assert_uint_eq(h[3].len, 0);
	ck_assert_uint_eq(cidr_count(t), 4);
	/* the flattened form answers the same; an insert drops it, lookups stay right */
	ck_assert_int_eq(cidr_finalize(t), 0);
	ck_assert_uint_eq(cidr_lookup_all(t, &a, h, 4), 4);
	ck_assert_uint_eq(h[0].value, 3);
	ck_assert_uint_eq(h[3].value, 7);
	ck_assert_uint_eq(cidr_lookup(t, &b, &len), 7);
	ck_assert_uint_eq(len, 0);
	ucf_addr_parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", &b);
	ck_assert_uint_eq(cidr_insert(t, &b, 128, 8), 8); /* the very last address */
	ck_assert_uint_eq(cidr_lookup(t, &b, &len), 8);
	ck_assert_int_eq(cidr_finalize(t), 0);
	ck_assert_uint_eq(cidr_lookup(t, &b, &len), 8);
	ck_assert_uint_eq(len, 128);
	ck_assert_uint_eq(cidr_lookup_all(t, &b, h, 4), 2);
	ck_assert_uint_eq(h[1].value, 7);
	ucf_addr_parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", &b);
	ck_assert_uint_eq(cidr_lookup(t, &b, NULL), 7);
	ucf_addr_parse("10.1.2.4", &b);
	ck_assert_uint_eq(cidr_lookup(t, &b, &len), 2);
	ck_assert_uint_eq(len, 112);
	ck_assert(cidr_host_bits_set(&a, 120));
	ck_assert(!cidr_host_bits_set(&a, 128));
	cidr_free(t);
	cidr_free(NULL);
	/* flattening an empty trie: no match anywhere */
	t = cidr_new();
	ck_assert_int_eq(cidr_finalize(t), 0);
	ck_assert_uint_eq(cidr_lookup(t, &a, NULL), CIDR_NONE);
	ck_assert_uint_eq(cidr_lookup_all(t, &a, h, 4), 0);
	cidr_free(t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cidr");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_edges);
	tcase_add_test(tc, test_flat_sparse);
	tcase_add_test(tc, test_bruteforce);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
