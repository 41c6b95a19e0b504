/* check_flow.c - unit tests of the flow table: canonical keys, timeouts, eviction, Zeek conn_state
 * and history, fragment attribution, direction swap, prepared (batched) updates, bucket growth. */
#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "flow_helpers.h"
#include "run_suite.h"

struct emitted {
	struct flow f[64];
	enum flow_end why[64];
	int n;
};

static void on_emit(void *user, struct flow *f, enum flow_end why)
{
	struct emitted *e = user;
	if (e->n < 64) {
		e->f[e->n] = *f;
		e->why[e->n] = why;
	}
	e->n++;
}

static struct flow_table *mktable(struct emitted *e, uint32_t max_flows)
{
	memset(e, 0, sizeof *e);
	return table_with(max_flows, 0, on_emit, e);
}

/* Feeds one TCP segment; returns the flow update. */
static struct flow_update seg(struct flow_table *t, int from_client, uint8_t flags, uint32_t len,
			      uint64_t ts)
{
	struct decoded_pkt p = from_client ? mk("10.0.0.2", 40000, "10.0.0.1", 5222, 6, flags, len)
					   : mk("10.0.0.1", 5222, "10.0.0.2", 40000, 6, flags, len);
	struct flow_update u;
	ck_assert_int_eq(flow_table_update(t, &p, ts, &u), UCF_OK);
	return u;
}

START_TEST(both_directions_one_flow)
{
	struct emitted e;
	struct flow_table *t = mktable(&e, 0);
	struct flow_update a = seg(t, 1, SYN, 0, 1 * SEC);
	struct flow_update b = seg(t, 0, SYN | ACK, 0, 1 * SEC + 10);
	ck_assert_ptr_eq(a.flow, b.flow);
	ck_assert_int_eq(a.is_new, 1);
	ck_assert_int_eq(b.is_new, 0);
	ck_assert_int_eq(a.dir, FLOW_ORIG);
	ck_assert_int_eq(b.dir, FLOW_RESP);
	char h[UCF_ADDR_STRLEN];
	ck_assert_str_eq(ucf_addr_format(flow_orig_addr(a.flow), h, sizeof h), "10.0.0.2");
	ck_assert_int_eq(flow_orig_port(a.flow), 40000);
	ck_assert_int_eq(flow_resp_port(a.flow), 5222);
	struct flow_table_stats st;
	flow_table_get_stats(t, &st);
	ck_assert_uint_eq(st.active, 1);
	flow_table_destroy(t);
}
END_TEST

START_TEST(synack_first_names_receiver_originator)
{
	struct emitted e;
	struct flow_table *t = mktable(&e, 0);
	struct flow_update a = seg(t, 0, SYN | ACK, 0, SEC);
	ck_assert_int_eq(a.dir, FLOW_RESP);
	ck_assert_int_eq(flow_orig_port(a.flow), 40000);
	flow_table_destroy(t);
}
END_TEST

/* One row per scenario: segments as (from_client, flags, payload) and the expected Zeek output. */
struct tcp_case {
	const char *name;
	int nseg;
	struct { int c; uint8_t fl; uint32_t len; } s[8];
	const char *state, *history;
};

static const struct tcp_case tcp_cases[] = {
	{ "SF", 7, { { 1, SYN, 0 }, { 0, SYN | ACK, 0 }, { 1, ACK, 0 }, { 1, ACK, 10 },
		     { 0, ACK, 20 }, { 1, FIN | ACK, 0 }, { 0, FIN | ACK, 0 } },
	  "SF", "ShADdFf" },
	{ "S0", 1, { { 1, SYN, 0 } }, "S0", "S" },
	{ "REJ", 2, { { 1, SYN, 0 }, { 0, RST | ACK, 0 } }, "REJ", "Sr" },
	{ "S1", 3, { { 1, SYN, 0 }, { 0, SYN | ACK, 0 }, { 1, ACK, 0 } }, "S1", "ShA" },
	{ "RSTO", 4, { { 1, SYN, 0 }, { 0, SYN | ACK, 0 }, { 1, ACK, 0 }, { 1, RST, 0 } },
	  "RSTO", "ShAR" },
	{ "RSTR", 4, { { 1, SYN, 0 }, { 0, SYN | ACK, 0 }, { 1, ACK, 0 }, { 0, RST, 0 } },
	  "RSTR", "ShAr" },
	{ "RSTOS0", 2, { { 1, SYN, 0 }, { 1, RST, 0 } }, "RSTOS0", "SR" },
	{ "RSTRH", 2, { { 0, SYN | ACK, 0 }, { 0, RST, 0 } }, "RSTRH", "hr" },
	{ "SH", 2, { { 1, SYN, 0 }, { 1, FIN, 0 } }, "SH", "SF" },
	{ "SHR", 2, { { 0, SYN | ACK, 0 }, { 0, FIN, 0 } }, "SHR", "hf" },
	{ "S2", 4, { { 1, SYN, 0 }, { 0, SYN | ACK, 0 }, { 1, ACK, 0 }, { 1, FIN | ACK, 0 } },
	  "S2", "ShAF" },
	{ "S3", 4, { { 1, SYN, 0 }, { 0, SYN | ACK, 0 }, { 1, ACK, 0 }, { 0, FIN | ACK, 0 } },
	  "S3", "ShAf" },
	{ "OTH midstream", 2, { { 1, ACK, 100 }, { 0, ACK, 0 } }, "OTH", "Da" },
};

START_TEST(tcp_conn_state_table)
{
	const struct tcp_case *c = &tcp_cases[_i];
	struct emitted e;
	struct flow_table *t = mktable(&e, 0);
	struct flow_update u = { 0 };
	for (int i = 0; i < c->nseg; i++)
		u = seg(t, c->s[i].c, c->s[i].fl, c->s[i].len, SEC + (uint64_t)i * 1000);
	char h[32];
	ck_assert_msg(strcmp(flow_conn_state(u.flow), c->state) == 0, "%s: state %s, want %s",
		      c->name, flow_conn_state(u.flow), c->state);
	ck_assert_msg(strcmp(flow_history_string(u.flow, h, sizeof h), c->history) == 0,
		      "%s: history %s, want %s", c->name, h, c->history);
	flow_table_destroy(t);
}
END_TEST

START_TEST(udp_conn_state)
{
	struct emitted e;
	struct flow_table *t = mktable(&e, 0);
	struct decoded_pkt a = mk("10.0.0.2", 5000, "10.0.0.1", 10000, 17, 0, 100);
	struct decoded_pkt b = mk("10.0.0.1", 10000, "10.0.0.2", 5000, 17, 0, 100);
	struct flow_update u;
	ck_assert_int_eq(flow_table_update(t, &a, SEC, &u), UCF_OK);
	ck_assert_str_eq(flow_conn_state(u.flow), "S0");
	ck_assert_int_eq(flow_table_update(t, &b, SEC + 1, &u), UCF_OK);
	ck_assert_str_eq(flow_conn_state(u.flow), "SF");
	ck_assert_uint_eq(u.flow->dir[0].payload_bytes, 100);
	ck_assert_uint_eq(u.flow->dir[1].ip_bytes, 128); /* 20 IPv4 + 8 UDP + 100 */
	flow_table_destroy(t);
}
END_TEST

START_TEST(idle_timeouts_per_protocol)
{
	struct emitted e;
	struct flow_table *t = mktable(&e, 0);
	struct decoded_pkt udp = mk("10.0.0.2", 5000, "10.0.0.1", 10000, 17, 0, 10);
	struct flow_update u;
	seg(t, 1, ACK, 10, 0);
	ck_assert_int_eq(flow_table_update(t, &udp, 0, &u), UCF_OK);
	flow_table_expire(t, 60 * SEC); /* exactly the UDP timeout: not yet */
	ck_assert_int_eq(e.n, 0);
	flow_table_expire(t, 61 * SEC);
	ck_assert_int_eq(e.n, 1);
	ck_assert_int_eq(e.f[0].key.proto, 17);
	ck_assert_int_eq(e.why[0], FLOW_END_IDLE);
	flow_table_expire(t, 301 * SEC);
	ck_assert_int_eq(e.n, 2);
	ck_assert_int_eq(e.f[1].key.proto, 6);
	flow_table_destroy(t);
}
END_TEST

START_TEST(closed_flow_lingers_then_ends)
{
	struct emitted e;
	struct flow_table *t = mktable(&e, 0);
	seg(t, 1, SYN, 0, 0);
	seg(t, 0, SYN | ACK, 0, 1);
	seg(t, 1, ACK, 0, 2);
	seg(t, 1, FIN | ACK, 0, 3);
	seg(t, 0, FIN | ACK, 0, 4);
	seg(t, 1, ACK, 0, 5); /* late ACK inside the linger: same flow */
	flow_table_expire(t, 1 * SEC);
	ck_assert_int_eq(e.n, 0);
	flow_table_expire(t, 3 * SEC);
	ck_assert_int_eq(e.n, 1);
	ck_assert_int_eq(e.why[0], FLOW_END_CLOSED);
	ck_assert_uint_eq(e.f[0].dir[0].pkts, 4);
	flow_table_destroy(t);
}
END_TEST

START_TEST(port_reuse_after_close_is_new_flow)
{
	struct emitted e;
	struct flow_table *t = mktable(&e, 0);
	seg(t, 1, SYN, 0, 0);
	seg(t, 0, RST | ACK, 0, 1);
	struct flow_update u = seg(t, 1, SYN, 0, 2);
	ck_assert_int_eq(u.is_new, 1);
	ck_assert_int_eq(e.n, 1);
	ck_assert_str_eq(flow_conn_state(&e.f[0]), "REJ");
	flow_table_destroy(t);
}
END_TEST

/* Late packets of a connection already closed and written: a retransmitted FIN, a late RST or
 * bare ACK is counted, not a new (reversed) flow; a SYN or data still starts one, and so does
 * anything after the TCP idle timeout. */
START_TEST(late_fin_after_close_is_counted)
{
	struct emitted e;
	struct flow_table *t = mktable(&e, 0);
	struct flow_table_stats st;
	seg(t, 1, SYN, 0, 0);
	seg(t, 0, SYN | ACK, 0, 1);
	seg(t, 1, ACK, 0, 2);
	seg(t, 1, FIN | ACK, 0, 3);
	seg(t, 0, FIN | ACK, 0, 4);
	seg(t, 1, ACK, 0, 5);
	flow_table_expire(t, 3 * SEC); /* past the linger: written */
	ck_assert_int_eq(e.n, 1);
	struct flow_update u = seg(t, 0, FIN | ACK, 0, 5 * SEC); /* the server's FIN again */
	ck_assert_ptr_null(u.flow);
	ck_assert_int_eq(u.after_close, 1);
	u = seg(t, 1, ACK, 0, 5 * SEC + 1);
	ck_assert_ptr_null(u.flow);
	u = seg(t, 0, RST, 0, 6 * SEC);
	ck_assert_ptr_null(u.flow);
	flow_table_get_stats(t, &st);
	ck_assert_uint_eq(st.late_after_close, 3);
	ck_assert_uint_eq(st.created, 1);
	ck_assert_uint_eq(st.active, 0);
	/* data on the closed 5-tuple is not a retransmitted close: a flow */
	u = seg(t, 0, ACK, 10, 7 * SEC);
	ck_assert_ptr_nonnull(u.flow);
	ck_assert_int_eq(u.is_new, 1);
	flow_table_flush(t, FLOW_END_EOF);
	/* a SYN is a new connection */
	seg(t, 1, SYN, 0, 8 * SEC);
	seg(t, 1, FIN, 0, 8 * SEC + 1);
	seg(t, 0, FIN | ACK, 0, 8 * SEC + 2);
	flow_table_expire(t, 11 * SEC);
	flow_table_get_stats(t, &st);
	ck_assert_uint_eq(st.created, 3);
	/* past the TCP idle timeout (300 s) the 5-tuple is forgotten: a FIN starts a flow */
	u = seg(t, 0, FIN | ACK, 0, 400 * SEC);
	ck_assert_ptr_nonnull(u.flow);
	flow_table_get_stats(t, &st);
	ck_assert_uint_eq(st.late_after_close, 3);
	ck_assert_uint_eq(st.created, 4);
	flow_table_destroy(t);
}
END_TEST

START_TEST(eviction_writes_least_recent)
{
	struct emitted e;
	struct flow_table *t = mktable(&e, 2);
	struct flow_update u;
	struct decoded_pkt a = mk("10.0.0.1", 1, "10.0.0.9", 53, 17, 0, 1);
	struct decoded_pkt b = mk("10.0.0.2", 1, "10.0.0.9", 53, 17, 0, 1);
	struct decoded_pkt c = mk("10.0.0.3", 1, "10.0.0.9", 53, 17, 0, 1);
	flow_table_update(t, &a, 1, &u);
	flow_table_update(t, &b, 2, &u);
	flow_table_update(t, &a, 3, &u); /* a is now more recent than b */
	flow_table_update(t, &c, 4, &u);
	ck_assert_int_eq(e.n, 1);
	ck_assert_int_eq(e.why[0], FLOW_END_EVICTED);
	char h[UCF_ADDR_STRLEN];
	ck_assert_str_eq(ucf_addr_format(flow_orig_addr(&e.f[0]), h, sizeof h), "10.0.0.2");
	flow_table_flush(t, FLOW_END_EOF);
	ck_assert_int_eq(e.n, 3);
	struct flow_table_stats st;
	flow_table_get_stats(t, &st);
	ck_assert_uint_eq(st.evicted, 1);
	ck_assert_uint_eq(st.emitted, 3);
	ck_assert_uint_eq(st.active, 0);
	flow_table_destroy(t);
}
END_TEST

START_TEST(many_flows_all_written)
{
	struct emitted e;
	struct flow_table *t = mktable(&e, 1000);
	struct flow_update u;
	for (unsigned i = 0; i < 20000; i++) {
		char a[32];
		snprintf(a, sizeof a, "10.%u.%u.%u", (i >> 16) & 255, (i >> 8) & 255, i & 255);
		struct decoded_pkt p = mk(a, 1000 + (i % 7), "192.0.2.1", 443, 6, SYN, 0);
		ck_assert_int_eq(flow_table_update(t, &p, (uint64_t)i, &u), UCF_OK);
		ck_assert_int_eq(u.is_new, 1);
	}
	flow_table_flush(t, FLOW_END_EOF);
	struct flow_table_stats st;
	flow_table_get_stats(t, &st);
	ck_assert_uint_eq(st.created, 20000);
	ck_assert_uint_eq(st.emitted, 20000);
	ck_assert_uint_eq(st.evicted, 19000);
	ck_assert_int_eq(e.n, 20000);
	flow_table_destroy(t);
}
END_TEST

START_TEST(fragments_attributed_to_flow)
{
	struct emitted e;
	struct flow_table *t = mktable(&e, 0);
	struct decoded_pkt first = mk("10.0.0.2", 5000, "10.0.0.1", 10000, 17, 0, 1472);
	first.flags = DPKT_FRAG | DPKT_FRAG_FIRST;
	first.frag_id = 77;
	struct decoded_pkt later = mk("10.0.0.2", 0, "10.0.0.1", 0, 17, 0, 600);
	later.flags = DPKT_FRAG | DPKT_FRAG_LATER;
	later.frag_id = 77;
	struct decoded_pkt orphan = later;
	orphan.frag_id = 78;
	struct flow_update u1, u2, u3;
	flow_table_update(t, &first, 1, &u1);
	flow_table_update(t, &later, 2, &u2);
	flow_table_update(t, &orphan, 3, &u3);
	ck_assert_ptr_eq(u1.flow, u2.flow);
	ck_assert_int_eq(u2.dir, FLOW_ORIG);
	ck_assert_ptr_null(u3.flow);
	ck_assert_uint_eq(u1.flow->dir[0].pkts, 2);
	ck_assert_uint_eq(u1.flow->frag_pkts, 2);
	struct flow_table_stats st;
	flow_table_get_stats(t, &st);
	ck_assert_uint_eq(st.frags_attributed, 2);
	ck_assert_uint_eq(st.frags_unattributed, 1);
	flow_table_destroy(t);
}
END_TEST

START_TEST(swap_direction)
{
	struct emitted e;
	struct flow_table *t = mktable(&e, 0);
	struct decoded_pkt a = mk("10.0.0.1", 5222, "10.0.0.2", 40000, 17, 0, 10);
	a.dscp = 46;
	struct flow_update u;
	flow_table_update(t, &a, 1, &u);
	ck_assert_int_eq(flow_orig_port(u.flow), 5222);
	flow_swap_direction(u.flow);
	ck_assert_int_eq(flow_orig_port(u.flow), 40000);
	ck_assert_uint_eq(u.flow->dir[FLOW_RESP].pkts, 1);
	ck_assert_uint_eq(u.flow->dir[FLOW_RESP].dscp_first, 46);
	char h[32];
	ck_assert_str_eq(flow_history_string(u.flow, h, sizeof h), "^d");
	ck_assert_str_eq(flow_conn_state(u.flow), "SHR");
	flow_table_destroy(t);
}
END_TEST

START_TEST(dscp_change_and_vlan_key)
{
	struct emitted e;
	struct flow_table *t = mktable(&e, 0);
	struct decoded_pkt a = mk("10.0.0.1", 8500, "23.89.1.1", 8500, 17, 0, 10);
	a.dscp = 46;
	struct flow_update u1, u2, u3;
	flow_table_update(t, &a, 1, &u1);
	a.dscp = 0;
	flow_table_update(t, &a, 2, &u2);
	a.vlan = 12;
	flow_table_update(t, &a, 3, &u3);
	ck_assert_ptr_eq(u1.flow, u2.flow);
	ck_assert_ptr_ne(u1.flow, u3.flow);
	ck_assert_uint_eq(u1.flow->dir[0].dscp_first, 46);
	ck_assert_uint_eq(u1.flow->dir[0].dscp_changed, 1);
	flow_table_destroy(t);
}
END_TEST

START_TEST(flow_struct_size_budget)
{
	/* the benchmark target is <= 256 bytes per flow all-in */
	ck_assert_uint_le(flow_table_bytes_per_flow(), 256);
}
END_TEST

/* ---- prepared (batched) updates give exactly the results of plain ones ---- */

/* What a table emitted: one digest per record (why, and every byte after the uthash handle, whose
 * pointers differ between tables; pool indices, uids and counters do not). */
struct digests {
	uint64_t *v;
	size_t n, cap;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

static void on_emit_digest(void *user, struct flow *f, enum flow_end why)
{
	struct digests *d = user;
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 1024;
		d->v = realloc(d->v, d->cap * sizeof *d->v);
		ck_assert_ptr_nonnull(d->v);
	}
	uint64_t h = fnv(0xcbf29ce484222325ULL, &why, sizeof why);
	d->v[d->n++] = fnv(h, &f->key, sizeof *f - offsetof(struct flow, key));
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

/* A hostile-ish packet mix: ~600 flows over TCP (every flag combination, so handshakes, closes,
 * resets and port reuse), UDP, ICMP and a port-less protocol, IPv4 and IPv6, VLANs, first and
 * later fragments, DSCP changes, idle gaps long enough to expire flows, time going backwards. */
static void mix_pkt(uint32_t *seed, struct decoded_pkt *p, uint64_t *ts)
{
	static const uint8_t protos[] = { 6, 6, 6, 17, 17, 1, 47 };
	uint32_t r = lcg(seed), flow = r % 600, dirn = (r >> 10) & 1;
	char a[64], b[64];
	if (flow % 5 == 0) {
		snprintf(a, sizeof a, "2001:db8::%x", flow);
		snprintf(b, sizeof b, "2001:db8:1::%x", flow % 7);
	} else {
		snprintf(a, sizeof a, "10.0.%u.%u", flow >> 8, flow & 255);
		snprintf(b, sizeof b, "192.0.2.%u", flow % 7);
	}
	uint8_t proto = protos[flow % sizeof protos];
	unsigned cport = 1024 + flow, sport = proto == 6 ? 443 : 53;
	if (proto == 1 || proto == 47)
		cport = sport = 0;
	uint32_t len = (lcg(seed) % 4) ? lcg(seed) % 1400 : 0;
	*p = dirn ? mk(b, sport, a, cport, proto, 0, len) : mk(a, cport, b, sport, proto, 0, len);
	if (proto == 6)
		p->tcp_flags = (uint8_t)(lcg(seed) % 4 ? ACK | (lcg(seed) % 2 ? 0x08 : 0)
						       : lcg(seed) & 0x17);
	p->vlan = (uint16_t)(flow % 11 == 0 ? 100 : 0);
	p->dscp = (uint8_t)(lcg(seed) % 16 == 0 ? 46 : 0);
	uint32_t fr = lcg(seed) % 40;
	if (fr == 0) {
		p->flags = DPKT_FRAG | DPKT_FRAG_FIRST;
		p->frag_id = flow;
	} else if (fr == 1) {
		p->flags = DPKT_FRAG | DPKT_FRAG_LATER;
		p->frag_id = flow + (lcg(seed) % 2);
		p->sport = p->dport = 0;
	}
	uint32_t step = lcg(seed) % 1000;
	if (step == 0)
		*ts += 70 * SEC; /* past the UDP and other idle timeouts */
	else if (step == 1 && *ts > SEC)
		*ts -= SEC;      /* merged files: time steps back */
	else
		*ts += step * 100;
}

static void compare_prepared(uint32_t max_flows, uint32_t active_s)
{
	struct digests da = { 0 }, db = { 0 };
	struct flow_table *ta = table_with(max_flows, active_s, on_emit_digest, &da);
	struct flow_table *tb = table_with(max_flows, active_s, on_emit_digest, &db);
	enum { N = 60000, MAXB = 23 };
	uint32_t seed = 12345;
	uint64_t ts = 1700000000 * SEC;
	size_t done = 0, k = 1;
	while (done < N) {
		struct decoded_pkt p[MAXB];
		uint64_t pts[MAXB];
		struct flow_lookup lk[MAXB];
		size_t m = N - done < k ? N - done : k;
		for (size_t i = 0; i < m; i++) {
			mix_pkt(&seed, &p[i], &ts);
			pts[i] = ts;
		}
		/* the batch: every packet prepared and prefetched before the first update */
		for (size_t i = 0; i < m; i++)
			flow_table_prepare(tb, &p[i], &lk[i]);
		for (size_t i = 0; i < m; i++)
			flow_table_prefetch(tb, &lk[i]);
		for (size_t i = 0; i < m; i++) {
			struct flow_update ua, ub;
			ck_assert_int_eq(flow_table_update(ta, &p[i], pts[i], &ua), UCF_OK);
			ck_assert_int_eq(flow_table_update_prepared(tb, &p[i], &lk[i], pts[i], &ub),
					 UCF_OK);
			ck_assert_int_eq(ua.is_new, ub.is_new);
			ck_assert_int_eq(ua.dir, ub.dir);
			ck_assert_int_eq(ua.is_fragment, ub.is_fragment);
			ck_assert_int_eq(ua.flow == NULL, ub.flow == NULL);
			if (ua.flow)
				ck_assert_uint_eq(ua.flow->uid, ub.flow->uid);
			ck_assert_uint_eq(da.n, db.n);
		}
		done += m;
		k = k % MAXB + 1; /* batch sizes 1 to 23 in turn */
	}
	flow_table_flush(ta, FLOW_END_EOF);
	flow_table_flush(tb, FLOW_END_EOF);
	struct flow_table_stats sa, sb;
	flow_table_get_stats(ta, &sa);
	flow_table_get_stats(tb, &sb);
	ck_assert_mem_eq(&sa, &sb, sizeof sa);
	ck_assert_uint_eq(da.n, db.n);
	ck_assert_mem_eq(da.v, db.v, da.n * sizeof *da.v);
	/* the mix exercised what it is meant to */
	ck_assert_uint_gt(sa.created, 2000);
	ck_assert_uint_gt(sa.frags_attributed, 100);
	ck_assert_uint_gt(sa.frags_unattributed, 100);
	if (max_flows)
		ck_assert_uint_gt(sa.evicted, 1000);
	if (active_s)
		ck_assert_uint_gt(sa.interim, 10);
	flow_table_destroy(ta);
	flow_table_destroy(tb);
	free(da.v);
	free(db.v);
}

START_TEST(prepared_updates_match_plain)
{
	static const uint32_t cfg[][2] = { { 0, 0 }, { 64, 0 }, { 0, 5 } };
	compare_prepared(cfg[_i][0], cfg[_i][1]);
}
END_TEST

/* The bucket array grows early while the table is small (and by uthash's own rule past that):
 * every flow must still be found, across the growths. */
START_TEST(lookups_across_bucket_growth)
{
	struct emitted e;
	struct flow_table *t = mktable(&e, 0);
	enum { N = 140000 };
	size_t before = flow_table_memory(t);
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < N; i++) {
			char a[32];
			snprintf(a, sizeof a, "10.%u.%u.%u", (i >> 16) & 255, (i >> 8) & 255, i & 255);
			struct decoded_pkt p = pass ? mk("192.0.2.1", 53, a, 1024 + (i & 7), 17, 0, 40)
						    : mk(a, 1024 + (i & 7), "192.0.2.1", 53, 17, 0, 40);
			struct flow_update u;
			ck_assert_int_eq(flow_table_update(t, &p, SEC + i, &u), UCF_OK);
			ck_assert_int_eq(u.is_new, !pass);
			ck_assert_int_eq(u.dir, pass ? FLOW_RESP : FLOW_ORIG);
		}
	}
	struct flow_table_stats st;
	flow_table_get_stats(t, &st);
	ck_assert_uint_eq(st.active, N);
	ck_assert_uint_eq(st.created, N);
	/* buckets: well under 16 bytes a flow at this size (uthash's rule past the early growth) */
	size_t buckets = flow_table_memory(t) - before - (size_t)N * sizeof(struct flow);
	ck_assert_uint_le(buckets, (size_t)N * 16);
	ck_assert_uint_ge(buckets, (size_t)N * 4);
	flow_table_destroy(t);
}
END_TEST

static Suite *flow_suite(void)
{
	Suite *s = suite_create("flow");
	TCase *tc = tcase_create("table");
	tcase_add_test(tc, both_directions_one_flow);
	tcase_add_test(tc, synack_first_names_receiver_originator);
	tcase_add_loop_test(tc, tcp_conn_state_table, 0,
			    (int)(sizeof tcp_cases / sizeof tcp_cases[0]));
	tcase_add_test(tc, udp_conn_state);
	tcase_add_test(tc, idle_timeouts_per_protocol);
	tcase_add_test(tc, closed_flow_lingers_then_ends);
	tcase_add_test(tc, port_reuse_after_close_is_new_flow);
	tcase_add_test(tc, late_fin_after_close_is_counted);
	tcase_add_test(tc, eviction_writes_least_recent);
	tcase_add_test(tc, many_flows_all_written);
	tcase_add_test(tc, fragments_attributed_to_flow);
	tcase_add_test(tc, swap_direction);
	tcase_add_test(tc, dscp_change_and_vlan_key);
	tcase_add_test(tc, flow_struct_size_budget);
	tcase_add_loop_test(tc, prepared_updates_match_plain, 0, 3);
	tcase_add_test(tc, lookups_across_bucket_growth);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(flow_suite());
}
