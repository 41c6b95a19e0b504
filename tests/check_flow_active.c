/* check_flow_active.c - unit tests of the active timeout: interim records (FLOW_END_ACTIVE) from
 * flow_table_active_timeout() and from the per-packet check, counters restarting per interval, the
 * uid kept, and the records of one flow summing to its totals. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "flow_helpers.h"
#include "run_suite.h"

#define MAXREC 256

struct rec {
	uint64_t uid, ts_first, ts_last;
	uint32_t pkts[2], frag_pkts;
	uint64_t ip_bytes[2], payload_bytes[2];
	enum flow_end why;
};

struct emitted {
	struct rec r[MAXREC];
	int n;
};

static void on_emit(void *user, struct flow *f, enum flow_end why)
{
	struct emitted *e = user;
	ck_assert_int_lt(e->n, MAXREC);
	struct rec *r = &e->r[e->n++];
	r->uid = f->uid;
	r->ts_first = f->ts_first;
	r->ts_last = f->ts_last;
	r->frag_pkts = f->frag_pkts;
	for (int d = 0; d < 2; d++) {
		r->pkts[d] = f->dir[d].pkts;
		r->ip_bytes[d] = f->dir[d].ip_bytes;
		r->payload_bytes[d] = f->dir[d].payload_bytes;
	}
	r->why = why;
}

static struct flow_table *mktable(struct emitted *e, uint32_t active_s)
{
	memset(e, 0, sizeof *e);
	return table_with(0, active_s, on_emit, e);
}

static void feed(struct flow_table *t, const struct decoded_pkt *p, uint64_t ts)
{
	struct flow_update u;
	ck_assert_int_eq(flow_table_update(t, p, ts, &u), UCF_OK);
	ck_assert_ptr_nonnull(u.flow);
}

START_TEST(size_is_240)
{
	if (sizeof(void *) == 8)
		ck_assert_uint_eq(sizeof(struct flow), 240);
}
END_TEST

START_TEST(sweep_emits_interim_and_resets)
{
	struct emitted e;
	struct flow_table *t = mktable(&e, 0);
	struct decoded_pkt a = mk("10.0.0.1", 40000, "10.0.0.2", 10000, 17, 0, 100);
	struct decoded_pkt b = mk("10.0.0.2", 10000, "10.0.0.1", 40000, 17, 0, 50);
	feed(t, &a, 0 * SEC);
	feed(t, &b, 10 * SEC);
	feed(t, &a, 20 * SEC);

	/* not yet: the interval began exactly 20 s ago, not more */
	flow_table_active_timeout(t, 20 * SEC, 20 * SEC);
	ck_assert_int_eq(e.n, 0);
	flow_table_active_timeout(t, 25 * SEC, 20 * SEC);
	ck_assert_int_eq(e.n, 1);
	ck_assert_int_eq(e.r[0].why, FLOW_END_ACTIVE);
	ck_assert_uint_eq(e.r[0].pkts[FLOW_ORIG], 2);
	ck_assert_uint_eq(e.r[0].pkts[FLOW_RESP], 1);
	ck_assert_uint_eq(e.r[0].payload_bytes[FLOW_ORIG], 200);
	ck_assert_uint_eq(e.r[0].payload_bytes[FLOW_RESP], 50);
	ck_assert_uint_eq(e.r[0].ip_bytes[FLOW_ORIG], 2 * 128);
	ck_assert_uint_eq(e.r[0].ts_first, 0);
	ck_assert_uint_eq(e.r[0].ts_last, 20 * SEC);

	struct flow_table_stats st;
	flow_table_get_stats(t, &st);
	ck_assert_uint_eq(st.active, 1); /* still open */
	ck_assert_uint_eq(st.interim, 1);
	ck_assert_uint_eq(st.emitted, 0); /* an interim record is not an ended flow */

	/* the next interval: begins at the sweep time, a second sweep soon after cuts nothing */
	flow_table_active_timeout(t, 30 * SEC, 20 * SEC);
	ck_assert_int_eq(e.n, 1);
	feed(t, &b, 31 * SEC);
	flow_table_flush(t, FLOW_END_EOF);
	ck_assert_int_eq(e.n, 2);
	ck_assert_int_eq(e.r[1].why, FLOW_END_EOF);
	ck_assert_uint_eq(e.r[1].uid, e.r[0].uid);
	ck_assert_uint_eq(e.r[1].ts_first, 31 * SEC); /* the interval's first packet */
	ck_assert_uint_eq(e.r[1].ts_last, 31 * SEC);
	ck_assert_uint_eq(e.r[1].pkts[FLOW_ORIG], 0);
	ck_assert_uint_eq(e.r[1].pkts[FLOW_RESP], 1);
	ck_assert_uint_eq(e.r[1].payload_bytes[FLOW_RESP], 50);
	flow_table_destroy(t);
}
END_TEST

START_TEST(sweep_zero_is_noop)
{
	struct emitted e;
	struct flow_table *t = mktable(&e, 0);
	struct decoded_pkt a = mk("10.0.0.1", 40000, "10.0.0.2", 10000, 17, 0, 100);
	feed(t, &a, 0);
	flow_table_active_timeout(t, 1000 * SEC, 0);
	ck_assert_int_eq(e.n, 0);
	flow_table_destroy(t);
}
END_TEST

/* Only flows whose interval is due are cut; others keep their counters. */
START_TEST(sweep_selects_due_flows)
{
	struct emitted e;
	struct flow_table *t = mktable(&e, 0);
	struct decoded_pkt old = mk("10.0.0.1", 40000, "10.0.0.2", 10000, 17, 0, 10);
	struct decoded_pkt young = mk("10.0.0.3", 40000, "10.0.0.2", 10000, 17, 0, 10);
	feed(t, &old, 0);
	feed(t, &young, 15 * SEC);
	feed(t, &old, 16 * SEC);
	feed(t, &young, 17 * SEC);
	flow_table_active_timeout(t, 21 * SEC, 20 * SEC);
	ck_assert_int_eq(e.n, 1);
	uint64_t old_uid = e.r[0].uid;
	ck_assert_uint_eq(e.r[0].pkts[FLOW_ORIG], 2);
	flow_table_flush(t, FLOW_END_EOF);
	ck_assert_int_eq(e.n, 3);
	for (int i = 1; i < 3; i++) {
		if (e.r[i].uid == old_uid)
			ck_assert_uint_eq(e.r[i].pkts[FLOW_ORIG], 0);
		else
			ck_assert_uint_eq(e.r[i].pkts[FLOW_ORIG], 2);
	}
	flow_table_destroy(t);
}
END_TEST

/* Closed TCP flows linger briefly and are written as closed: no interim record for them. */
START_TEST(sweep_skips_closed)
{
	struct emitted e;
	struct flow_table *t = mktable(&e, 0);
	struct decoded_pkt syn = mk("10.0.0.1", 40000, "10.0.0.2", 1533, 6, SYN, 0);
	struct decoded_pkt synack = mk("10.0.0.2", 1533, "10.0.0.1", 40000, 6, SYN | ACK, 0);
	struct decoded_pkt fin1 = mk("10.0.0.1", 40000, "10.0.0.2", 1533, 6, FIN | ACK, 0);
	struct decoded_pkt fin2 = mk("10.0.0.2", 1533, "10.0.0.1", 40000, 6, FIN | ACK, 0);
	feed(t, &syn, 0);
	feed(t, &synack, 1 * SEC);
	feed(t, &fin1, 30 * SEC);
	feed(t, &fin2, 30 * SEC + 1);
	flow_table_active_timeout(t, 31 * SEC, 20 * SEC);
	ck_assert_int_eq(e.n, 0);
	flow_table_expire(t, 40 * SEC);
	ck_assert_int_eq(e.n, 1);
	ck_assert_int_eq(e.r[0].why, FLOW_END_CLOSED);
	ck_assert_uint_eq(e.r[0].pkts[FLOW_ORIG], 2);
	flow_table_destroy(t);
}
END_TEST

/* An interval without packets gets no record: a quiet flow is not cut again and again. */
START_TEST(empty_interval_no_record)
{
	struct emitted e;
	struct flow_table *t = mktable(&e, 0);
	struct decoded_pkt a = mk("10.0.0.1", 40000, "10.0.0.2", 10000, 17, 0, 10);
	feed(t, &a, 0);
	flow_table_active_timeout(t, 21 * SEC, 20 * SEC);
	ck_assert_int_eq(e.n, 1);
	flow_table_active_timeout(t, 42 * SEC, 20 * SEC);
	flow_table_active_timeout(t, 59 * SEC, 20 * SEC);
	ck_assert_int_eq(e.n, 1);
	feed(t, &a, 59 * SEC + 5); /* 38 s after the interval began, but the first packet in it */
	ck_assert_int_eq(e.n, 1);
	flow_table_flush(t, FLOW_END_EOF);
	ck_assert_int_eq(e.n, 2);
	ck_assert_uint_eq(e.r[1].ts_first, 59 * SEC + 5);
	ck_assert_uint_eq(e.r[1].pkts[FLOW_ORIG], 1);
	flow_table_destroy(t);
}
END_TEST

/* The per-packet cut leaves a quiet gap out of both records. */
START_TEST(per_packet_after_gap)
{
	struct emitted e;
	struct flow_table *t = mktable(&e, 30);
	struct decoded_pkt a = mk("10.0.0.1", 40000, "10.0.0.2", 10000, 17, 0, 10);
	feed(t, &a, 0);
	feed(t, &a, 10 * SEC);
	feed(t, &a, 50 * SEC); /* 50 s after the interval began: cut, and this packet starts the next */
	ck_assert_int_eq(e.n, 1);
	ck_assert_int_eq(e.r[0].why, FLOW_END_ACTIVE);
	ck_assert_uint_eq(e.r[0].pkts[FLOW_ORIG], 2);
	ck_assert_uint_eq(e.r[0].ts_last, 10 * SEC);
	flow_table_flush(t, FLOW_END_EOF);
	ck_assert_uint_eq(e.r[1].ts_first, 50 * SEC);
	ck_assert_uint_eq(e.r[1].pkts[FLOW_ORIG], 1);
	flow_table_destroy(t);
}
END_TEST

/* Idle expiry still uses the last packet time after an interim record. */
START_TEST(idle_after_interim)
{
	struct emitted e;
	struct flow_table *t = mktable(&e, 0);
	struct decoded_pkt a = mk("10.0.0.1", 40000, "10.0.0.2", 10000, 17, 0, 10);
	feed(t, &a, 10 * SEC);
	flow_table_active_timeout(t, 35 * SEC, 20 * SEC);
	ck_assert_int_eq(e.n, 1);
	flow_table_expire(t, 69 * SEC); /* udp idle 60 s after the packet at 10 s: not yet */
	ck_assert_int_eq(e.n, 1);
	flow_table_expire(t, 71 * SEC);
	ck_assert_int_eq(e.n, 2);
	ck_assert_int_eq(e.r[1].why, FLOW_END_IDLE);
	ck_assert_uint_eq(e.r[1].pkts[FLOW_ORIG] + e.r[1].pkts[FLOW_RESP], 0);
	ck_assert_uint_eq(e.r[1].uid, e.r[0].uid);
	flow_table_destroy(t);
}
END_TEST

/* With cfg.active_timeout_s the table cuts on the packet that finds the interval expired: that
 * packet starts the next interval. Every record sums to the totals; the uid never changes. */
START_TEST(per_packet_cut_sums_to_totals)
{
	struct emitted e;
	struct flow_table *t = mktable(&e, 30);
	struct decoded_pkt a = mk("10.0.0.1", 40000, "10.0.0.2", 10000, 17, 0, 100);
	struct decoded_pkt b = mk("10.0.0.2", 10000, "10.0.0.1", 40000, 17, 0, 7);
	uint64_t sent[2] = { 0, 0 }, bytes[2] = { 0, 0 };
	for (unsigned i = 0; i <= 20; i++) { /* every 5 s for 100 s */
		const struct decoded_pkt *p = (i % 3 == 2) ? &b : &a;
		feed(t, p, i * 5 * SEC);
		unsigned d = (p == &a) ? FLOW_ORIG : FLOW_RESP;
		sent[d]++;
		bytes[d] += p->payload_len;
	}
	flow_table_flush(t, FLOW_END_EOF);
	ck_assert_int_ge(e.n, 3);
	uint64_t got[2] = { 0, 0 }, gotb[2] = { 0, 0 };
	for (int i = 0; i < e.n; i++) {
		ck_assert_uint_eq(e.r[i].uid, e.r[0].uid);
		ck_assert_int_eq(e.r[i].why, i == e.n - 1 ? FLOW_END_EOF : FLOW_END_ACTIVE);
		if (i > 0) /* intervals follow one another */
			ck_assert_uint_gt(e.r[i].ts_first, e.r[i - 1].ts_last);
		if (i < e.n - 1) /* a cut interval spans at most the active timeout */
			ck_assert_uint_le(e.r[i].ts_last - e.r[i].ts_first, 30 * SEC);
		for (int d = 0; d < 2; d++) {
			got[d] += e.r[i].pkts[d];
			gotb[d] += e.r[i].payload_bytes[d];
		}
	}
	/* 0..30 s, 35..65 s, 70..100 s */
	ck_assert_int_eq(e.n, 3);
	ck_assert_uint_eq(e.r[1].ts_first, 35 * SEC);
	ck_assert_uint_eq(e.r[2].ts_first, 70 * SEC);
	for (int d = 0; d < 2; d++) {
		ck_assert_uint_eq(got[d], sent[d]);
		ck_assert_uint_eq(gotb[d], bytes[d]);
	}
	flow_table_destroy(t);
}
END_TEST

/* Without an active timeout in the config, a long flow gets exactly one record. */
START_TEST(per_packet_off_by_default)
{
	struct emitted e;
	struct flow_table *t = mktable(&e, 0);
	struct decoded_pkt a = mk("10.0.0.1", 40000, "10.0.0.2", 10000, 17, 0, 100);
	for (unsigned i = 0; i < 100; i++)
		feed(t, &a, i * 30 * SEC);
	flow_table_flush(t, FLOW_END_EOF);
	ck_assert_int_eq(e.n, 1);
	ck_assert_uint_eq(e.r[0].pkts[FLOW_ORIG], 100);
	flow_table_destroy(t);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("flow_active");
	TCase *tc = tcase_create("active");
	tcase_add_test(tc, size_is_240);
	tcase_add_test(tc, sweep_emits_interim_and_resets);
	tcase_add_test(tc, sweep_zero_is_noop);
	tcase_add_test(tc, sweep_selects_due_flows);
	tcase_add_test(tc, sweep_skips_closed);
	tcase_add_test(tc, idle_after_interim);
	tcase_add_test(tc, empty_interval_no_record);
	tcase_add_test(tc, per_packet_after_gap);
	tcase_add_test(tc, per_packet_cut_sums_to_totals);
	tcase_add_test(tc, per_packet_off_by_default);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
