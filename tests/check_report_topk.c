/* check_report_topk.c - unit tests of the report's bounded heavy-hitter summary (Filtered Space-Saving) and of its fast record scanner. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
#include "run_suite.h"

static uint64_t count_of(const struct rtopk *t, const char *key, uint64_t *err)
{
	const struct rtopk_count *c = report_topk_find(t, key);
	*err = c ? c->err : 0;
	return c ? c->flows : 0;
}

/* Checks the Space-Saving guarantees against the true counts: a kept count is within
 * [true, true + err], err <= floor, a key not kept had at most floor flows. */
static void check_bounds(const struct rtopk *t, const uint64_t *truth, size_t nkeys)
{
	char key[32];
	for (size_t i = 0; i < nkeys; i++) {
		snprintf(key, sizeof key, "10.0.%zu.%zu", i / 256, i % 256);
		uint64_t err, c = count_of(t, key, &err);
		if (report_topk_find(t, key)) {
			ck_assert_uint_ge(c, truth[i]);
			ck_assert_uint_le(c, truth[i] + err);
			ck_assert_uint_le(err, t->floor);
		} else {
			ck_assert_uint_le(truth[i], t->floor);
		}
	}
}

/* The filter's entries (report_topk.c: bound << 8 | kept keys hashing there, 0xff: many): each
 * counts exactly the kept keys whose hash tag maps to it, and no bound exceeds the floor. */
static void check_filter(const struct rtopk *t)
{
	ck_assert_ptr_nonnull(t->alpha);
	uint32_t *kept = calloc((size_t)t->amask + 1, sizeof *kept);
	ck_assert_ptr_nonnull(kept);
	for (uint32_t i = 0; i < t->n; i++)
		kept[(report_key_hash(t->ent[i].key, t->ent[i].klen) >> 48) & t->amask]++;
	for (uint32_t j = 0; j <= t->amask; j++) {
		if ((t->alpha[j] & 0xff) != 0xff)
			ck_assert_uint_eq(t->alpha[j] & 0xff, kept[j]);
		ck_assert_uint_le(t->alpha[j] >> 8, t->floor);
	}
	free(kept);
}

START_TEST(exact_below_k)
{
	struct rtopk t;
	report_topk_init(&t, 16);
	bool oom = false;
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 16; i++) {
			char key[16];
			snprintf(key, sizeof key, "h%d", i);
			report_topk_add(&t, key, (uint64_t)i + 1, 100, &oom);
		}
	ck_assert(!oom);
	ck_assert(report_topk_exact(&t));
	ck_assert_uint_eq(report_topk_size(&t), 16);
	ck_assert_uint_eq(report_topk_floor(&t), 0);
	for (int i = 0; i < 16; i++) {
		char key[16];
		uint64_t err;
		snprintf(key, sizeof key, "h%d", i);
		ck_assert_uint_eq(count_of(&t, key, &err), 3 * ((uint64_t)i + 1));
		ck_assert_uint_eq(err, 0);
	}
	char buf[32];
	report_topk_fmt_distinct(&t, buf, sizeof buf);
	ck_assert_str_eq(buf, "16");
	/* one more distinct key: no longer exact, and said so. Its 1 flow cannot beat h0's 3: it
	 * stays in the filter, which bounds it */
	report_topk_add(&t, "new", 1, 1, &oom);
	ck_assert(!report_topk_exact(&t));
	ck_assert_uint_eq(report_topk_size(&t), 16);
	ck_assert_ptr_null(report_topk_find(&t, "new"));
	ck_assert_uint_eq(report_topk_floor(&t), 1);
	report_topk_fmt_distinct(&t, buf, sizeof buf);
	ck_assert_str_eq(buf, "≈ 17"); /* the HyperLogLog estimate, exact at this size */
	/* two more: 3 flows tie with h0 (the counter held stays), the fourth takes h0's counter
	 * with its filtered 3 as its error; h0's 3 flows are the floor now */
	report_topk_add(&t, "new", 2, 1, &oom);
	ck_assert_ptr_null(report_topk_find(&t, "new"));
	ck_assert_uint_eq(report_topk_floor(&t), 3);
	report_topk_add(&t, "new", 1, 1, &oom);
	uint64_t err;
	ck_assert_uint_eq(count_of(&t, "new", &err), 4);
	ck_assert_uint_eq(err, 3);
	ck_assert_ptr_null(report_topk_find(&t, "h0"));
	ck_assert_uint_eq(report_topk_floor(&t), 3);
	ck_assert(!oom);
	report_topk_free(&t);
}
END_TEST

/* A skewed stream (a few heavy hosts, a long tail of 5000 light ones) in pseudo-random order. */
#define NKEYS 5000
static size_t skewed_key(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	uint64_t r = *s >> 33;
	if (r % 4 == 0)
		return (size_t)(r / 4 % 8);  /* a quarter of the flows go to 8 heavy hitters */
	return (size_t)(r % NKEYS);
}

static void feed(struct rtopk *t, uint64_t *truth, uint64_t seed, size_t n)
{
	bool oom = false;
	char key[32];
	for (size_t i = 0; i < n; i++) {
		size_t k = skewed_key(&seed);
		truth[k]++;
		snprintf(key, sizeof key, "10.0.%zu.%zu", k / 256, k % 256);
		report_topk_add(t, key, 1, 10, &oom);
	}
	ck_assert(!oom);
}

START_TEST(bounded_error_on_skewed_stream)
{
	static uint64_t truth[NKEYS];
	memset(truth, 0, sizeof truth);
	struct rtopk t;
	report_topk_init(&t, 64);
	feed(&t, truth, 1, 200000);
	ck_assert(!report_topk_exact(&t));
	ck_assert_uint_eq(report_topk_size(&t), 64);
	ck_assert_uint_le(report_topk_floor(&t), 200000 / 64); /* floor <= N / k */
	check_filter(&t);
	size_t distinct = 0;
	for (size_t i = 0; i < NKEYS; i++)
		distinct += truth[i] > 0;
	double est = report_topk_distinct(&t); /* within 4 standard errors (3.3 % each) */
	ck_assert(est > distinct * 0.87 && est < distinct * 1.13);
	check_bounds(&t, truth, NKEYS);
	/* every heavy hitter is kept, and the top 8 are the heavy ones */
	size_t n;
	struct rcount **v = report_topk_sorted(&t, &n);
	ck_assert_uint_eq(n, 64);
	for (size_t i = 0; i < 8; i++) {
		unsigned a, b;
		ck_assert_int_eq(sscanf(v[i]->key, "10.0.%u.%u", &a, &b), 2);
		ck_assert_uint_lt(a * 256 + b, 8);
	}
	free(v);
	report_topk_free(&t);
}
END_TEST

START_TEST(merge_sums_and_adds_bounds)
{
	static uint64_t ta[NKEYS], tb[NKEYS], tu[NKEYS];
	memset(ta, 0, sizeof ta);
	memset(tb, 0, sizeof tb);
	struct rtopk a, b;
	report_topk_init(&a, 64);
	report_topk_init(&b, 64);
	feed(&a, ta, 7, 100000);
	feed(&b, tb, 9, 100000);
	for (size_t i = 0; i < NKEYS; i++)
		tu[i] = ta[i] + tb[i];
	uint64_t fa = a.floor, fb = b.floor;
	ck_assert_int_eq(report_topk_merge(&a, &b), 0);
	ck_assert_uint_eq(report_topk_size(&a), 64);
	ck_assert_uint_ge(a.floor, fa + fb);
	size_t du = 0;
	for (size_t i = 0; i < NKEYS; i++)
		du += tu[i] > 0;
	ck_assert(report_topk_distinct(&a) > du * 0.87 && report_topk_distinct(&a) < du * 1.13);
	check_bounds(&a, tu, NKEYS);
	/* records added after a merge (its filter starts at the merged floor): still bounded */
	feed(&a, tu, 11, 50000);
	check_bounds(&a, tu, NKEYS);
	report_topk_free(&a);
	report_topk_free(&b);

	/* a key refused before a merge keeps its flows in the merged bound: once kept after it, its
	 * count still covers the flows it had before */
	report_topk_init(&a, 4);
	report_topk_init(&b, 4);
	bool oom2 = false;
	for (int i = 0; i < 4; i++) {
		char key[8];
		snprintf(key, sizeof key, "h%d", i);
		report_topk_add(&a, key, 10, 0, &oom2);
	}
	report_topk_add(&a, "x", 5, 0, &oom2); /* 5 + 0 <= 10: refused */
	ck_assert_ptr_null(report_topk_find(&a, "x"));
	ck_assert_int_eq(report_topk_merge(&a, &b), 0);
	uint64_t xtrue = 5, xerr;
	while (!report_topk_find(&a, "x") && xtrue < 40) {
		report_topk_add(&a, "x", 1, 0, &oom2);
		xtrue++;
	}
	ck_assert(!oom2);
	uint64_t xc = count_of(&a, "x", &xerr);
	ck_assert_uint_ge(xc, xtrue);
	ck_assert_uint_le(xc - xerr, xtrue);
	report_topk_free(&a);
	report_topk_free(&b);

	/* few distinct keys: the merge is exact, sums of both */
	report_topk_init(&a, 8);
	report_topk_init(&b, 8);
	bool oom = false;
	report_topk_add(&a, "x", 3, 30, &oom);
	report_topk_add(&a, "y", 1, 10, &oom);
	report_topk_add(&b, "y", 2, 20, &oom);
	report_topk_add(&b, "z", 5, 50, &oom);
	ck_assert_int_eq(report_topk_merge(&a, &b), 0);
	ck_assert(report_topk_exact(&a));
	uint64_t err;
	ck_assert_uint_eq(count_of(&a, "x", &err), 3);
	ck_assert_uint_eq(count_of(&a, "y", &err), 3);
	ck_assert_uint_eq(count_of(&a, "z", &err), 5);
	ck_assert_uint_eq(err, 0);
	ck_assert_uint_eq(report_topk_size(&a), 3);
	report_topk_free(&a);
	report_topk_free(&b);
}
END_TEST

/* Keys longer than a counter's default room (64 bytes) and heavy churn through the open-addressing
 * table: every key kept is found with its counts, no more flows are certain than were added, and a
 * key that comes back more often than the floor is kept. */
START_TEST(long_keys_and_churn)
{
	struct rtopk t;
	bool oom = false;
	report_topk_init(&t, 4);
	char key[160];
	uint64_t total = 0;
	for (int i = 0; i < 2000; i++) {
		int len = i % 3 == 0 ? 120 : 10 + i % 40; /* some long, most short */
		memset(key, 'a' + i % 26, (size_t)len);
		snprintf(key + len - 8, 9, "%08d", i % 700);
		report_topk_add(&t, key, 1, 10, &oom);
		total++;
		ck_assert(!oom);
	}
	size_t n;
	struct rcount **v = report_topk_sorted(&t, &n);
	ck_assert_uint_eq(n, 4);
	uint64_t sure = 0; /* flows - err: what each kept key certainly had */
	for (size_t i = 0; i < n; i++) {
		sure += v[i]->flows - v[i]->err;
		const struct rtopk_count *c = report_topk_find(&t, v[i]->key);
		ck_assert_ptr_nonnull(c);
		ck_assert_uint_eq(c->flows, v[i]->flows);
		ck_assert_uint_eq(c->err, v[i]->err);
		ck_assert_uint_le(v[i]->err, v[i]->flows);
		ck_assert_uint_le(v[i]->err, t.floor);
	}
	ck_assert_uint_le(sure, total);
	check_filter(&t);
	ck_assert_ptr_null(report_topk_find(&t, "not-a-key"));
	free(v);
	/* a long key and a short one, each added floor + 1 times among the churn: kept */
	uint64_t fl = t.floor;
	for (uint64_t i = 0; i <= fl; i++) {
		memset(key, 'q', 120);
		key[120] = '\0';
		report_topk_add(&t, key, 1, 10, &oom);
		snprintf(key, sizeof key, "other%llu", (unsigned long long)i);
		report_topk_add(&t, key, 1, 10, &oom);
		report_topk_add(&t, "short", 1, 10, &oom);
	}
	ck_assert(!oom);
	ck_assert_ptr_nonnull(report_topk_find(&t, "short"));
	memset(key, 'q', 120);
	key[120] = '\0';
	ck_assert_ptr_nonnull(report_topk_find(&t, key));
	report_topk_free(&t);
}
END_TEST

/* Every key new (a client per record, the report benchmark's stream): the filter keeps most keys
 * out of the counters (a takeover per new key was most of the summaries' cost), and the bounds
 * hold for all of them. */
START_TEST(filter_on_distinct_keys)
{
	enum { N = 60000 };
	static uint64_t truth[N];
	struct rtopk t;
	report_topk_init(&t, 64);
	bool oom = false, fresh;
	size_t taken = 0;
	char key[32];
	for (size_t i = 0; i < N; i++) {
		truth[i] = 1;
		snprintf(key, sizeof key, "10.0.%zu.%zu", i / 256, i % 256);
		size_t len = strlen(key);
		report_topk_add_id(&t, key, len, report_key_hash(key, len), 1, 0, &fresh, &oom);
		taken += fresh && i >= 64;
	}
	ck_assert(!oom);
	ck_assert(!report_topk_exact(&t));
	ck_assert_uint_eq(t.evicted, N - 64); /* every key past the first 64: taken over or refused */
	/* k of every k + 4k new keys take a counter over: about a fifth */
	ck_assert_uint_gt(taken, N / 10);
	ck_assert_uint_lt(taken, N * 3 / 10);
	ck_assert_uint_le(report_topk_floor(&t), N / 64 / 4); /* Space-Saving's N / k, a fourth */
	check_bounds(&t, truth, N);
	check_filter(&t);
	double est = report_topk_distinct(&t);
	ck_assert(est > N * 0.87 && est < N * 1.13);
	report_topk_free(&t);
}
END_TEST

START_TEST(scanner_fast_path)
{
	static struct report_scan_buf b;
	struct rec x;
	const char *plain = "{\"ts\":1700000000.5,\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.1\","
			    "\"id.orig_p\":5060,\"id.resp_h\":\"2001:db8::1\",\"id.resp_p\":443,"
			    "\"proto\":\"tcp\",\"duration\":0.000125,\"orig_bytes\":1,\"resp_bytes\":2,"
			    "\"orig_pkts\":3,\"orig_ip_bytes\":4,\"resp_pkts\":5,\"resp_ip_bytes\":6,"
			    "\"confidence\":\"port\",\"app\":\"a\",\"app_service\":\"s\","
			    "\"orig_dscp\":46,\"resp_dscp\":null,\"candidates\":[\"p/q\",\"r/s\"],"
			    "\"end\":\"interim\",\"community_id\":\"1:abc=\"}";
	ck_assert_int_eq(report_scan(plain, strlen(plain), &x, &b), 1);
	ck_assert_uint_eq(x.ts, 1700000000500000ULL);
	ck_assert_uint_eq(x.dur, 125);
	ck_assert_str_eq(x.orig_h, "10.0.0.1");
	ck_assert_str_eq(x.resp_h, "2001:db8::1");
	ck_assert_uint_eq(x.resp_p, 443);
	ck_assert_uint_eq(x.rip, 6);
	ck_assert_int_eq(x.orig_dscp, 46);
	ck_assert_int_eq(x.resp_dscp, -1);
	ck_assert_uint_eq(x.ncand, 2);
	ck_assert_str_eq(x.cand[1], "r/s");
	ck_assert_uint_eq(x.final, 0);
	ck_assert_str_eq(x.cid, "1:abc=");
	ck_assert_str_eq(x.rule, "");
	/* microseconds: six fraction digits at once, more cut, fewer padded */
	static const struct { const char *ts, *dur; uint64_t ts_us, dur_us; } times[] = {
		{ "1700000000.194383", "12.3456789", 1700000000194383ULL, 12345678 },
		{ "1700000000.000001", "0.99999", 1700000000000001ULL, 999990 },
		{ "1700000000", "7.000000", 1700000000000000ULL, 7000000 },
	};
	for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
		char tl[2048];
		const char *ts = strstr(plain, "1700000000.5"), *du = strstr(plain, "0.000125");
		snprintf(tl, sizeof tl, "%.*s%s%.*s%s%s", (int)(ts - plain), plain, times[i].ts,
			 (int)(du - ts - 12), ts + 12, times[i].dur, du + 8);
		ck_assert_int_eq(report_scan(tl, strlen(tl), &x, &b), 1);
		ck_assert_uint_eq(x.ts, times[i].ts_us);
		ck_assert_uint_eq(x.dur, times[i].dur_us);
	}
	/* white space as other writers put it (json.dumps: ", " and ": "; spaces before a colon):
	 * the same record, on the fast path, after the keys' predictions learnt the plain one */
	for (int variant = 0; variant < 2; variant++) {
		char ws[4096];
		size_t n = 0;
		for (const char *c = plain; *c && n < sizeof ws - 4; c++) {
			if (*c == ':' && c[-1] == '"') {
				if (variant)
					ws[n++] = ' ';
				ws[n++] = ':';
				ws[n++] = ' ';
			} else if (*c == ',' && c[1] == '"') {
				ws[n++] = ',';
				ws[n++] = ' ';
			} else {
				ws[n++] = *c;
			}
		}
		ws[n] = '\0';
		ck_assert_int_eq(report_scan(ws, n, &x, &b), 1);
		ck_assert_uint_eq(x.ts, 1700000000500000ULL);
		ck_assert_str_eq(x.resp_h, "2001:db8::1");
		ck_assert_uint_eq(x.resp_p, 443);
		ck_assert_uint_eq(x.ncand, 2);
		ck_assert_str_eq(x.cid, "1:abc=");
	}
	/* what the fast path leaves to the strict parser */
	static const char *const other[] = {
		"{\"ts\":1e9}",                                     /* exponent, fields missing */
		"{\"ts\":1,\"ts\":2}",                              /* duplicate key */
		"{\"uid\":\"a\\\"b\"}",                             /* escape */
		"{\"ts\":-1}",
		"{}",
		"[1]",
	};
	for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
		ck_assert_int_eq(report_scan(other[i], strlen(other[i]), &x, &b), 0);
	/* a duplicate unknown key, an escape or a bad port in an otherwise plain record */
	char buf[2048];
	snprintf(buf, sizeof buf, "%.*s,\"uid\":\"C2\"}", (int)strlen(plain) - 1, plain);
	ck_assert_int_eq(report_scan(buf, strlen(buf), &x, &b), 0);
	snprintf(buf, sizeof buf, "%.*s,\"x\":\"\\u0041\"}", (int)strlen(plain) - 1, plain);
	ck_assert_int_eq(report_scan(buf, strlen(buf), &x, &b), 0);
	snprintf(buf, sizeof buf, "%s", plain);
	memcpy(strstr(buf, "443"), "999", 3); /* 999 is fine */
	ck_assert_int_eq(report_scan(buf, strlen(buf), &x, &b), 1);
	char *q = strstr(buf, "\"id.resp_p\":999");
	memmove(q + 18, q + 15, strlen(q + 15) + 1);
	memcpy(q + 12, "999999", 6); /* 999999 > 65535 */
	ck_assert_int_eq(report_scan(buf, strlen(buf), &x, &b), 0);

	/* in place: the strings end in the line itself; a line that is no plain record after its
	 * strings were ended (an address inet_pton refuses, "app" without "app_service") is given
	 * back as it was, for the strict parser */
	snprintf(buf, sizeof buf, "%s", plain);
	ck_assert_int_eq(report_scan_w(buf, strlen(buf), &x, &b), 1);
	ck_assert(x.orig_h > buf && x.orig_h < buf + sizeof buf);
	ck_assert_str_eq(x.orig_h, "10.0.0.1");
	ck_assert_str_eq(x.resp_h, "2001:db8::1");
	ck_assert_str_eq(x.cand[0], "p/q");
	ck_assert_str_eq(x.cand[1], "r/s");
	ck_assert_uint_eq(x.cand_len[1], 3);
	ck_assert_str_eq(x.cid, "1:abc=");
	ck_assert_uint_eq(x.app_len, 1);
	ck_assert_uint_eq(x.proto_len, 3);
	char orig[2048];
	snprintf(buf, sizeof buf, "%s", plain);
	memcpy(strstr(buf, "2001:db8::1"), "2001:db8:::", 11);
	memcpy(orig, buf, strlen(buf) + 1);
	ck_assert_int_eq(report_scan_w(buf, strlen(buf), &x, &b), 0);
	ck_assert_str_eq(buf, orig);
	char *svc = strstr(plain, ",\"app_service\":\"s\"");
	snprintf(buf, sizeof buf, "%.*s%s", (int)(svc - plain), plain, svc + 18);
	ck_assert_ptr_null(strstr(buf, "app_service"));
	memcpy(orig, buf, strlen(buf) + 1);
	ck_assert_int_eq(report_scan_w(buf, strlen(buf), &x, &b), 0);
	ck_assert_str_eq(buf, orig);
}
END_TEST

/* The hash as specified, byte by byte: 8-byte little-endian words, the last one zero-padded.
 * Report output (HyperLogLog estimates, table order) depends on its values: a faster reading of
 * the key must not change them. */
static uint64_t spec_hash(const unsigned char *p, size_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (len * 0xbf58476d1ce4e5b9ULL);
	for (size_t at = 0; at < len; at += 8) {
		uint64_t w = 0;
		for (size_t i = 0; i < 8 && at + i < len; i++)
			w |= (uint64_t)p[at + i] << (8 * i);
		h = (h ^ w) * 0x94d049bb133111ebULL;
		if (at + 8 <= len)
			h ^= h >> 29;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

START_TEST(key_hash_values)
{
	unsigned char b[48];
	uint32_t seed = 12345;
	for (int round = 0; round < 200; round++)
		for (size_t len = 0; len <= sizeof b; len++) {
			for (size_t i = 0; i < len; i++) {
				seed = seed * 1103515245u + 12345u;
				b[i] = (unsigned char)(seed >> 16);
			}
			ck_assert_uint_eq(report_key_hash((const char *)b, len), spec_hash(b, len));
		}
	ck_assert_uint_ne(report_key_hash("10.0.0.1", 8), report_key_hash("10.0.0.2", 8));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("report_topk");
	TCase *tc = tcase_create("topk");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, exact_below_k);
	tcase_add_test(tc, bounded_error_on_skewed_stream);
	tcase_add_test(tc, merge_sums_and_adds_bounds);
	tcase_add_test(tc, long_keys_and_churn);
	tcase_add_test(tc, filter_on_distinct_keys);
	tcase_add_test(tc, scanner_fast_path);
	tcase_add_test(tc, key_hash_values);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
