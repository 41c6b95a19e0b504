/* check_role_defer.c - the second look's store (include/role_defer.h): records back whole and in
 * holding order, the bound and its overflow count, chunks and the ring's wrap, and which records
 * are held (role_defer_wanted: every flow on every port whose label a role changes). */
#include <check.h>
#include <string.h>

#include "classify_helpers.h"
#include "evidence.h"
#include "role_defer.h"
#include "run_suite.h"

static struct flow mk(uint64_t uid)
{
	struct flow f;
	memset(&f, 0, sizeof f);
	f.uid = uid;
	f.label.rule = FLOW_RULE_NONE;
	return f;
}

static struct role_defer *mkstore(uint32_t max)
{
	struct role_defer *d = NULL;
	char eb[UCF_ERRBUF_SIZE];
	ck_assert_int_eq(role_defer_create(&d, max, eb), UCF_OK);
	ck_assert_ptr_nonnull(d);
	return d;
}

START_TEST(empty_store)
{
	struct role_defer *d = mkstore(4);
	struct flow o;
	enum flow_end w;
	ck_assert(!role_defer_take(d, &o, &w));
	struct role_defer_stats st;
	role_defer_get_stats(d, &st);
	ck_assert_uint_eq(st.held + st.relabelled + st.overflow + st.peak + st.now, 0);
	ck_assert_uint_eq(st.max_records, 4);
	role_defer_destroy(d);
	d = mkstore(0);
	role_defer_get_stats(d, &st);
	ck_assert_uint_eq(st.max_records, ROLE_DEFER_DEFAULT_MAX);
	role_defer_destroy(d);
}
END_TEST

/* Records come back whole, in holding order, with their end reasons; the hash handle (the flow
 * table's) is not part of the record. */
START_TEST(order_kept)
{
	struct role_defer *d = mkstore(16);
	struct flow o, f;
	enum flow_end w;
	const enum flow_end why[] = { FLOW_END_CLOSED, FLOW_END_IDLE, FLOW_END_EOF, FLOW_END_EVICTED };
	for (int i = 0; i < 4; i++) {
		f = mk((uint64_t)i + 1);
		f.hh.hashv = 0xdeadbeef;
		f.dir[FLOW_RESP].pkts = 10u + (uint32_t)i;
		f.label.reason = (uint8_t)(i + 2);
		f.ev.sni = 100u + (uint32_t)i;
		ck_assert(!role_defer_hold(d, &f, why[i], &o, &w));
	}
	for (int i = 0; i < 4; i++) {
		memset(&o, 0x55, sizeof o);
		ck_assert(role_defer_take(d, &o, &w));
		f = mk((uint64_t)i + 1);
		f.dir[FLOW_RESP].pkts = 10u + (uint32_t)i;
		f.label.reason = (uint8_t)(i + 2);
		f.ev.sni = 100u + (uint32_t)i;
		ck_assert_uint_eq(o.uid, (uint64_t)i + 1);
		ck_assert_int_eq(w, why[i]);
		ck_assert_uint_eq(o.hh.hashv, 0);
		ck_assert(memcmp(&o, &f, sizeof o) == 0);
	}
	ck_assert(!role_defer_take(d, &o, &w));
	struct role_defer_stats st;
	role_defer_get_stats(d, &st);
	ck_assert_uint_eq(st.held, 4);
	ck_assert_uint_eq(st.overflow, 0);
	ck_assert_uint_eq(st.peak, 4);
	ck_assert_uint_eq(st.now, 0);
	role_defer_destroy(d);
}
END_TEST

/* The bound: a full store pushes its oldest record out (counted as overflow) and never holds more
 * than max; what stays comes back in order. */
START_TEST(bound_and_overflow)
{
	struct role_defer *d = mkstore(3);
	struct flow o, f;
	enum flow_end w;
	for (uint64_t i = 1; i <= 3; i++) {
		f = mk(i);
		ck_assert(!role_defer_hold(d, &f, FLOW_END_IDLE, &o, &w));
	}
	f = mk(4);
	ck_assert(role_defer_hold(d, &f, FLOW_END_CLOSED, &o, &w));
	ck_assert_uint_eq(o.uid, 1);
	ck_assert_int_eq(w, FLOW_END_IDLE);
	f = mk(5);
	ck_assert(role_defer_hold(d, &f, FLOW_END_CLOSED, &o, &w));
	ck_assert_uint_eq(o.uid, 2);
	struct role_defer_stats st;
	role_defer_get_stats(d, &st);
	ck_assert_uint_eq(st.held, 5);
	ck_assert_uint_eq(st.overflow, 2);
	ck_assert_uint_eq(st.peak, 3);
	ck_assert_uint_eq(st.now, 3);
	for (uint64_t i = 3; i <= 5; i++) {
		ck_assert(role_defer_take(d, &o, &w));
		ck_assert_uint_eq(o.uid, i);
		ck_assert_int_eq(w, i == 3 ? FLOW_END_IDLE : FLOW_END_CLOSED);
	}
	ck_assert(!role_defer_take(d, &o, &w));
	role_defer_destroy(d);
}
END_TEST

/* Across chunks (512 records each) and wrapping the ring, up to a bound that is no multiple of the
 * chunk: the order holds and exactly the records beyond the bound were pushed out. */
START_TEST(chunks_and_wrap)
{
	const uint32_t max = 1300;
	struct role_defer *d = mkstore(max);
	struct flow o, f;
	enum flow_end w;
	uint64_t next_out = 1, pushed = 0, taken = 0;
	for (uint64_t i = 1; i <= 4000; i++) {
		f = mk(i);
		if (role_defer_hold(d, &f, FLOW_END_IDLE, &o, &w)) {
			ck_assert_uint_eq(o.uid, next_out++);
			pushed++;
		}
		if (i % 97 == 0) { /* take one out now and then: the ring wraps part full too */
			ck_assert(role_defer_take(d, &o, &w));
			ck_assert_uint_eq(o.uid, next_out++);
			taken++;
		}
	}
	struct role_defer_stats st;
	role_defer_get_stats(d, &st);
	ck_assert_uint_eq(st.now, max);
	ck_assert_uint_eq(st.peak, max);
	ck_assert_uint_eq(st.overflow, pushed);
	ck_assert_uint_eq(pushed, 4000 - taken - max);
	while (role_defer_take(d, &o, &w))
		ck_assert_uint_eq(o.uid, next_out++);
	ck_assert_uint_eq(next_out, 4001);
	role_defer_destroy(d);
}
END_TEST

/* role_defer_wanted against the shipped tables: for every port, a flow to an internal server whose
 * label any role would change (classified with every role at both ends) is wanted, so nothing a
 * role could decide is written early; and the test is no blanket (most ports are not wanted). */
static void sweep(uint8_t proto, bool syn)
{
	struct sig_db *db = load_shipped(NULL);
	ck_assert_ptr_nonnull(db);
	unsigned wanted = 0, changed = 0;
	for (uint32_t port = 1; port < 65536; port++) {
		struct flow f, g;
		mkflow(&f, proto, "10.1.1.1", port == 50000 ? 50001 : 50000, "10.0.0.5", (uint16_t)port,
		       syn);
		g = f;
		classify_flow(db, &f);
		struct classify_evidence all = { -1, 0, EV_PROTO_NONE, ~(uint64_t)0, ~(uint64_t)0 };
		classify_flow_payload(db, &g, &all);
		bool w = role_defer_wanted(&f, db);
		bool differs = f.label.rule != g.label.rule || f.label.confidence != g.label.confidence ||
			       f.label.reason != g.label.reason;
		wanted += w;
		changed += differs;
		if (differs && !w)
			ck_abort_msg("%s port %u: a role changes the label (%s -> %s) but the record "
				     "would not be held", proto == 6 ? "tcp" : "udp", port,
				     name(db, f.label.rule), name(db, g.label.rule));
	}
	ck_assert_uint_gt(changed, 0);
	ck_assert_uint_lt(wanted, 65535 / 4);
	/* a label from the payload is final */
	struct flow f;
	mkflow(&f, proto, "10.1.1.1", 50000, "10.0.0.5", 8445, syn);
	f.label.confidence = CONF_PAYLOAD;
	ck_assert(!role_defer_wanted(&f, db));
	ck_assert(!role_defer_wanted(&f, NULL));
	sig_db_free(db);
}

START_TEST(wanted_tcp)
{
	sweep(6, true);
}
END_TEST

START_TEST(wanted_udp)
{
	sweep(17, false);
}
END_TEST

/* A flow that classifying may still turn around is wanted on either port; one opened by a SYN
 * only on its server port. */
START_TEST(wanted_orientation)
{
	struct sig_db *db = load_shipped(NULL);
	ck_assert_ptr_nonnull(db);
	uint16_t rp = 0;
	for (uint32_t p = 1; p < 65536 && !rp; p++)
		if (sig_role_rule_port(db, 6, (uint16_t)p) && !sig_role_rule_port(db, 6, 40000))
			rp = (uint16_t)p;
	ck_assert_uint_ne(rp, 0);
	struct flow f;
	mkflow(&f, 6, "10.0.0.5", rp, "10.1.1.1", 40000, false); /* seen from the server's side */
	ck_assert(role_defer_wanted(&f, db));
	mkflow(&f, 6, "10.0.0.5", rp, "10.1.1.1", 40000, true);
	ck_assert(!role_defer_wanted(&f, db));
	sig_db_free(db);
}
END_TEST

/* A payload label is final, except where the same payload fits a product_side=client row on the
 * same documented addresses that a role of the client would pick: STUN from the local gateway's
 * range to 9000 on a Webex subnet is the platform's media-ports until the host shows its
 * gateway signalling (role local-gateway: lgw-stun). Meetings STUN from another range is final. */
START_TEST(wanted_payload_client_role)
{
	struct sig_db *db = load_shipped(NULL);
	ck_assert_ptr_nonnull(db);
	struct classify_evidence stun = { -1, 0, EV_PROTO_STUN, 0, 0 };
	struct flow f;
	mkflow(&f, 17, "10.1.1.1", 40220, "23.89.1.40", 9000, false);
	classify_flow_payload(db, &f, &stun);
	ck_assert_uint_eq(f.label.confidence, CONF_PAYLOAD);
	ck_assert(role_defer_wanted(&f, db));
	mkflow(&f, 17, "10.1.1.1", 52000, "23.89.1.40", 9000, false); /* outside 8000-48199 */
	classify_flow_payload(db, &f, &stun);
	ck_assert_uint_eq(f.label.confidence, CONF_PAYLOAD);
	ck_assert(!role_defer_wanted(&f, db));
	sig_db_free(db);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("role_defer");
	TCase *tc = tcase_create("store");
	tcase_add_test(tc, empty_store);
	tcase_add_test(tc, order_kept);
	tcase_add_test(tc, bound_and_overflow);
	tcase_add_test(tc, chunks_and_wrap);
	suite_add_tcase(s, tc);
	TCase *tw = tcase_create("wanted");
	tcase_set_timeout(tw, 60);
	tcase_add_test(tw, wanted_tcp);
	tcase_add_test(tw, wanted_udp);
	tcase_add_test(tw, wanted_orientation);
	tcase_add_test(tw, wanted_payload_client_role);
	suite_add_tcase(s, tw);
	return run_suite(s);
}
