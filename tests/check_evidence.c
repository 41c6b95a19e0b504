/* check_evidence.c - unit tests of the evidence stage's per-flow driver (TLS RFC 8446 over TCP, DNS
 * RFC 1035): a ClientHello split over TCP segments (in order, out of order, gap, retransmission,
 * every split point), the server certificate over several segments, the inspection budget, the
 * DNS cache labelling later flows, the reassembly pool's bounds, reference counting, and the
 * flow-level queries (domain_of, view, reason). Per-protocol verdicts: check_evidence_proto.c. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "evidence_helpers.h"
#include "run_suite.h"

/* TLS record(s) of type 22 holding one ClientHello (pad: an extension placed before SNI). */
static void client_hello_record(struct buf *b, const char *sni, const char *alpn, size_t pad)
{
	b->n = 0;
	p8(b, 22), p16(b, 0x0301);
	size_t rl = mark(b, 2);
	p8(b, 1);
	size_t m = mark(b, 3);
	p16(b, 0x0303);
	for (int i = 0; i < 32; i++)
		p8(b, i);
	p8(b, 0);
	p16(b, 4), p16(b, 0x1301), p16(b, 0xc02f);
	p8(b, 1), p8(b, 0);
	size_t el = mark(b, 2);
	if (pad) {
		p16(b, 0x0015), p16(b, (unsigned)pad);
		for (size_t i = 0; i < pad; i++)
			p8(b, 0);
	}
	if (sni) {
		p16(b, 0);
		size_t e = mark(b, 2), l = mark(b, 2);
		p8(b, 0), p16(b, (unsigned)strlen(sni)), ps(b, sni);
		patch(b, l, 2), patch(b, e, 2);
	}
	if (alpn) {
		p16(b, 16);
		size_t e = mark(b, 2), l = mark(b, 2);
		p8(b, (unsigned)strlen(alpn)), ps(b, alpn);
		patch(b, l, 2), patch(b, e, 2);
	}
	patch(b, el, 2), patch(b, m, 3), patch(b, rl, 2);
}

/* DER TLV */
static void der(struct buf *out, unsigned tag, const void *p, size_t n)
{
	p8(out, tag);
	if (n < 0x80) {
		p8(out, (unsigned)n);
	} else {
		p8(out, 0x82);
		p16(out, (unsigned)n);
	}
	pn(out, p, n);
}

/* A certificate: subject CN, subjectAltName dNSNames, filler key of `fill` bytes. */
static void make_cert(struct buf *out, const char *cn, const char *san1, const char *san2,
		      size_t fill)
{
	static struct buf tbs, t1, t2, t3;
	tbs.n = 0;
	t1.n = 0;
	der(&t1, 0x02, "\x02", 1);
	der(&tbs, 0xa0, t1.b, t1.n);
	der(&tbs, 0x02, "\x01", 1);
	t1.n = 0;
	der(&t1, 0x06, "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b", 9);
	der(&tbs, 0x30, t1.b, t1.n);
	der(&tbs, 0x30, "", 0); /* issuer: empty Name */
	der(&tbs, 0x30, "", 0); /* validity (not checked) */
	t1.n = t2.n = t3.n = 0;
	der(&t1, 0x06, "\x55\x04\x03", 3);
	der(&t1, 0x0c, cn, strlen(cn));
	der(&t2, 0x30, t1.b, t1.n);
	der(&t3, 0x31, t2.b, t2.n);
	der(&tbs, 0x30, t3.b, t3.n);
	static uint8_t key[8192];
	memset(key, 0x5a, fill);
	der(&tbs, 0x30, key, fill);
	t1.n = t2.n = t3.n = 0;
	der(&t1, 0x82, san1, strlen(san1));
	der(&t1, 0x82, san2, strlen(san2));
	der(&t2, 0x30, t1.b, t1.n);
	t1.n = 0;
	der(&t1, 0x06, "\x55\x1d\x11", 3);
	der(&t1, 0x04, t2.b, t2.n);
	t2.n = 0;
	der(&t2, 0x30, t1.b, t1.n);
	t1.n = 0;
	der(&t1, 0x30, t2.b, t2.n);
	der(&tbs, 0xa3, t1.b, t1.n);
	t1.n = 0;
	der(&t1, 0x30, tbs.b, tbs.n);
	der(&t1, 0x30, "", 0);
	der(&t1, 0x03, "\x00", 1);
	out->n = 0;
	der(out, 0x30, t1.b, t1.n);
}

/* Server flight in one handshake record: ServerHello [+ Certificate + ServerHelloDone]. */
static void server_flight_record(struct buf *b, bool tls13, const struct buf *cert)
{
	b->n = 0;
	p8(b, 22), p16(b, 0x0303);
	size_t rl = mark(b, 2);
	p8(b, 2);
	size_t m = mark(b, 3);
	p16(b, 0x0303);
	for (int i = 0; i < 32; i++)
		p8(b, 0x40 + i);
	p8(b, 0), p16(b, 0xc02f), p8(b, 0);
	size_t e = mark(b, 2);
	if (tls13)
		p16(b, 0x002b), p16(b, 2), p16(b, 0x0304);
	patch(b, e, 2), patch(b, m, 3);
	if (cert) {
		p8(b, 11);
		size_t cm = mark(b, 3);
		p24(b, (unsigned)cert->n + 3);
		p24(b, (unsigned)cert->n);
		pn(b, cert->b, cert->n);
		patch(b, cm, 3);
		p8(b, 14), p24(b, 0);
	}
	patch(b, rl, 2);
}

/* ---- flows and packets ---- */

static uint32_t slots_in_use(struct evidence_ctx *x)
{
	struct evidence_stats st;
	evidence_get_stats(x, &st);
	return st.slots_in_use;
}

/* ---------------------------------------------------------------------------------------------- */

START_TEST(flow_struct_size)
{
	ck_assert_uint_eq(sizeof(struct flow), 240);
	ck_assert_uint_eq(sizeof(struct flow_evidence), 28);
	ck_assert_str_eq(evidence_proto_name(EV_PROTO_XMPP_SERVER), "xmpp-server");
	ck_assert_str_eq(evidence_proto_name(EV_PROTO_UNKNOWN), "unknown");
	ck_assert_str_eq(evidence_proto_name(EV_PROTO_NONE), "");
	ck_assert_str_eq(evidence_proto_name(200), "");
	for (unsigned p = 1; p < EV_PROTO_COUNT; p++)
		ck_assert_uint_gt(strlen(evidence_proto_name((uint8_t)p)), 0);
}
END_TEST

START_TEST(config_validation)
{
	struct evidence_config c;
	struct evidence_ctx *x;
	char err[UCF_ERRBUF_SIZE];
	evidence_config_defaults(&c);
	c.max_pkts_per_dir = 0;
	ck_assert_int_eq(evidence_create(&x, &c, err), UCF_ERR_CONFIG);
	ck_assert_ptr_null(x);
	evidence_config_defaults(&c);
	c.max_pkts_per_dir = 256;
	ck_assert_int_eq(evidence_create(&x, &c, err), UCF_ERR_CONFIG);
	evidence_config_defaults(&c);
	c.unknown_after = 8;
	ck_assert_int_eq(evidence_create(&x, &c, err), UCF_ERR_CONFIG);
	evidence_config_defaults(&c);
	c.reasm_slot_bytes = 100;
	ck_assert_int_eq(evidence_create(&x, &c, err), UCF_ERR_CONFIG);
	evidence_config_defaults(&c);
	c.dns_ttl_min_s = 10, c.dns_ttl_max_s = 5;
	ck_assert_int_eq(evidence_create(&x, &c, err), UCF_ERR_CONFIG);
	ck_assert_int_eq(evidence_create(&x, NULL, err), UCF_OK);
	ck_assert_int_eq(evidence_add_domain(x, "*bad", 1, err), UCF_ERR_CONFIG);
	evidence_destroy(x);
}
END_TEST

START_TEST(tls_single_segment)
{
	struct evidence_ctx *x = mkctx(NULL);
	struct flow f;
	struct buf ch;
	mkflow(&f, 6, "10.0.0.2", 40000, "23.89.1.1", 443);
	client_hello_record(&ch, "Edge.Webex.com", "h2", 0);
	unsigned chg = send(x, &f, FLOW_ORIG, ch.b, ch.n);
	ck_assert_uint_eq(chg, EV_CHG_SNI | EV_CHG_ALPN | EV_CHG_PROTO);
	ck_assert_uint_eq(f.ev.payload_proto, EV_PROTO_TLS);
	ck_assert_str_eq(name(x, f.ev.sni), "edge.webex.com");
	ck_assert_str_eq(name(x, f.ev.alpn), "h2");
	ck_assert(f.ev.state & EVS_CH_DONE);
	ck_assert_uint_eq(slots_in_use(x), 0);
	struct evidence_match m;
	ck_assert_int_eq(evidence_domain_of(x, &f, &m), 1);
	ck_assert_int_eq(m.src, EV_SRC_SNI);
	ck_assert_str_eq(m.pattern, "*.webex.com");
	struct evidence_view v;
	evidence_view(x, &f, &v);
	ck_assert_str_eq(v.reason, "sni=*.webex.com tls");
	ck_assert_str_eq(v.sni, "edge.webex.com");
	ck_assert_ptr_null(v.host);
	ck_assert_str_eq(v.alpn, "h2");
	ck_assert_str_eq(v.proto, "tls");
	/* the same hello again changes nothing */
	ck_assert_uint_eq(send(x, &f, FLOW_ORIG, ch.b, ch.n), 0);
	evidence_flow_end(x, &f);
	ck_assert_uint_eq(f.ev.sni, 0);
	evidence_destroy(x);
}
END_TEST

/* A ClientHello split in two in-order segments, at every split point: the SNI is always found
 * and the slot is always given back. */
START_TEST(tls_split_every_point)
{
	struct evidence_ctx *x = mkctx(NULL);
	struct buf ch;
	client_hello_record(&ch, "split.webex.com", "h2", 700);
	for (size_t cut = 1; cut < ch.n; cut++) {
		struct flow f;
		mkflow(&f, 6, "10.0.0.2", 40000, "23.89.1.1", 8934);
		unsigned c1 = send_seq(x, &f, FLOW_ORIG, ch.b, cut, 5000, SEC);
		unsigned c2 = send_seq(x, &f, FLOW_ORIG, ch.b + cut, ch.n - cut, 5000 + (uint32_t)cut,
				       SEC + 10);
		ck_assert_msg((c1 | c2) & EV_CHG_SNI, "cut %zu", cut);
		ck_assert_str_eq(name(x, f.ev.sni), "split.webex.com");
		ck_assert_uint_eq(slots_in_use(x), 0);
		ck_assert(!(f.ev.state & EVS_SLOT));
		evidence_flow_end(x, &f);
	}
	struct evidence_stats st;
	evidence_get_stats(x, &st);
	ck_assert_uint_ge(st.slots_taken, ch.n - 6);
	ck_assert_uint_eq(st.intern_live, 0);
	evidence_destroy(x);
}
END_TEST

START_TEST(tls_split_order_matters)
{
	struct evidence_ctx *x = mkctx(NULL);
	struct buf ch;
	struct flow f;
	client_hello_record(&ch, "split.webex.com", NULL, 700);
	size_t cut = 300; /* the SNI is in the second segment */
	/* in order: nothing after the first segment, SNI after the second */
	mkflow(&f, 6, "10.0.0.2", 40000, "23.89.1.1", 443);
	ck_assert_uint_eq(send_seq(x, &f, FLOW_ORIG, ch.b, cut, 100, SEC), EV_CHG_PROTO);
	ck_assert_uint_eq(f.ev.sni, 0);
	ck_assert_uint_eq(slots_in_use(x), 1);
	ck_assert_uint_eq(send_seq(x, &f, FLOW_ORIG, ch.b + cut, ch.n - cut, 100 + 300, SEC),
			  EV_CHG_SNI);
	ck_assert_uint_eq(slots_in_use(x), 0);
	evidence_flow_end(x, &f);
	/* out of order: the second segment first, then the first: no SNI */
	mkflow(&f, 6, "10.0.0.2", 40001, "23.89.1.1", 443);
	send_seq(x, &f, FLOW_ORIG, ch.b + cut, ch.n - cut, 100 + 300, SEC);
	send_seq(x, &f, FLOW_ORIG, ch.b, cut, 100, SEC);
	ck_assert_uint_eq(f.ev.sni, 0);
	ck_assert_uint_eq(f.ev.payload_proto, EV_PROTO_TLS);
	evidence_flow_end(x, &f);
	ck_assert_uint_eq(slots_in_use(x), 0);
	/* a gap (a lost segment): no SNI, slot given back at once */
	mkflow(&f, 6, "10.0.0.2", 40002, "23.89.1.1", 443);
	send_seq(x, &f, FLOW_ORIG, ch.b, cut, 100, SEC);
	send_seq(x, &f, FLOW_ORIG, ch.b + cut + 10, ch.n - cut - 10, 100 + 310, SEC);
	ck_assert_uint_eq(f.ev.sni, 0);
	ck_assert_uint_eq(slots_in_use(x), 0);
	ck_assert(f.ev.state & EVS_CH_DONE);
	struct evidence_stats st;
	evidence_get_stats(x, &st);
	ck_assert_uint_eq(st.slot_gaps, 1);
	/* the rest arriving later is not read as a new hello */
	send_seq(x, &f, FLOW_ORIG, ch.b + cut, 10, 100 + 300, SEC);
	ck_assert_uint_eq(f.ev.sni, 0);
	evidence_flow_end(x, &f);
	/* a retransmission of the first segment, then an overlapping second one: SNI */
	mkflow(&f, 6, "10.0.0.2", 40003, "23.89.1.1", 443);
	send_seq(x, &f, FLOW_ORIG, ch.b, cut, 100, SEC);
	ck_assert_uint_eq(send_seq(x, &f, FLOW_ORIG, ch.b, cut, 100, SEC), 0);
	send_seq(x, &f, FLOW_ORIG, ch.b + cut - 50, ch.n - cut + 50, 100 + 250, SEC);
	ck_assert_str_eq(name(x, f.ev.sni), "split.webex.com");
	evidence_flow_end(x, &f);
	/* sequence numbers wrapping through 2^32 */
	mkflow(&f, 6, "10.0.0.2", 40004, "23.89.1.1", 443);
	send_seq(x, &f, FLOW_ORIG, ch.b, cut, 0xffffff00u, SEC);
	send_seq(x, &f, FLOW_ORIG, ch.b + cut, ch.n - cut, 0xffffff00u + 300u, SEC);
	ck_assert_str_eq(name(x, f.ev.sni), "split.webex.com");
	evidence_flow_end(x, &f);
	evidence_destroy(x);
}
END_TEST

/* The slot's direction is a key side: a classifier swapping originator and responder between the
 * two segments does not lose the hello. */
START_TEST(tls_split_survives_swap)
{
	struct evidence_ctx *x = mkctx(NULL);
	struct buf ch;
	struct flow f;
	client_hello_record(&ch, "swap.webex.com", NULL, 700);
	mkflow(&f, 6, "10.0.0.2", 40000, "23.89.1.1", 443);
	send_seq(x, &f, FLOW_ORIG, ch.b, 300, 1, SEC);
	flow_swap_direction(&f);
	/* the client is now the responder: its packets arrive as FLOW_RESP */
	struct decoded_pkt d;
	memset(&d, 0, sizeof d);
	d.proto = 6;
	d.sport = 40000, d.dport = 443;
	d.tcp_seq = 301;
	d.payload_len = (uint32_t)(ch.n - 300);
	d.payload = bv_make(ch.b + 300, ch.n - 300);
	evidence_inspect(x, &f, FLOW_RESP, &d, SEC);
	ck_assert_str_eq(name(x, f.ev.sni), "swap.webex.com");
	evidence_flow_end(x, &f);
	evidence_destroy(x);
}
END_TEST

/* The server's certificate spread over three segments (its first certificate is ~3 KB). */
START_TEST(tls_server_certificate)
{
	struct evidence_ctx *x = mkctx(NULL);
	static struct buf ch, cert, sf;
	struct flow f;
	mkflow(&f, 6, "10.0.0.2", 40000, "170.72.1.1", 5062);
	client_hello_record(&ch, NULL, NULL, 0); /* SIP trunks may send no SNI */
	send_seq(x, &f, FLOW_ORIG, ch.b, ch.n, 1, SEC);
	make_cert(&cert, "trunk.example.net", "trunk.example.net", "*.wbx2.com", 3000);
	server_flight_record(&sf, false, &cert);
	unsigned chg = 0;
	size_t a = 1000, b = 2400;
	chg |= send_seq(x, &f, FLOW_RESP, sf.b, a, 7000, SEC);
	ck_assert_uint_eq(f.ev.server_names, 0);
	chg |= send_seq(x, &f, FLOW_RESP, sf.b + a, b - a, 7000 + (uint32_t)a, SEC);
	ck_assert_uint_eq(f.ev.server_names, 0);
	chg |= send_seq(x, &f, FLOW_RESP, sf.b + b, sf.n - b, 7000 + (uint32_t)b, SEC);
	ck_assert(chg & EV_CHG_CERT);
	ck_assert_str_eq(name(x, f.ev.server_names), "*.wbx2.com,trunk.example.net");
	ck_assert(f.ev.state & EVS_CERT_DONE);
	ck_assert_uint_eq(slots_in_use(x), 0);
	struct evidence_view v;
	evidence_view(x, &f, &v);
	ck_assert_int_eq(v.match.src, EV_SRC_CERT);
	ck_assert_int_eq(v.match.user_id, 2);
	ck_assert_str_eq(v.reason, "cert=*.wbx2.com tls");
	evidence_flow_end(x, &f);

	/* with an SNI that matches nothing, the certificate is not consulted */
	mkflow(&f, 6, "10.0.0.2", 40001, "170.72.1.1", 443);
	client_hello_record(&ch, "www.example.org", NULL, 0);
	send_seq(x, &f, FLOW_ORIG, ch.b, ch.n, 1, SEC);
	send_seq(x, &f, FLOW_RESP, sf.b, sf.n, 1, SEC);
	ck_assert_uint_ne(f.ev.server_names, 0);
	ck_assert_int_eq(evidence_domain_of(x, &f, NULL), -1);
	evidence_flow_end(x, &f);

	/* TLS 1.3: the certificate is encrypted; done at the ServerHello, no slot */
	mkflow(&f, 6, "10.0.0.2", 40002, "170.72.1.1", 443);
	server_flight_record(&sf, true, NULL);
	send_seq(x, &f, FLOW_RESP, sf.b, sf.n, 1, SEC);
	ck_assert(f.ev.state & EVS_CERT_DONE);
	ck_assert_uint_eq(f.ev.server_names, 0);
	ck_assert_uint_eq(slots_in_use(x), 0);
	evidence_flow_end(x, &f);
	evidence_destroy(x);
}
END_TEST

/* After max_pkts_per_dir payload packets in a direction nothing more is read there. */
START_TEST(budget_stops_reading)
{
	struct evidence_ctx *x = mkctx(NULL);
	struct buf ch;
	struct flow f;
	client_hello_record(&ch, "late.webex.com", NULL, 0);
	const char junk[] = "\x01\x02\x03 not any protocol at all \xfe";
	mkflow(&f, 6, "10.0.0.2", 40000, "23.89.1.1", 5222);
	unsigned chg[8];
	for (int i = 0; i < 8; i++)
		chg[i] = send(x, &f, FLOW_ORIG, junk, sizeof junk - 1);
	/* "unknown" after unknown_after (4) packets no recogniser accepted */
	ck_assert_uint_eq(chg[2], 0);
	ck_assert_uint_eq(chg[3], EV_CHG_PROTO);
	ck_assert_uint_eq(f.ev.payload_proto, EV_PROTO_UNKNOWN);
	ck_assert_uint_eq(f.dir[FLOW_ORIG].inspected, 8);
	/* the 9th packet would match, but is not read */
	ck_assert_uint_eq(send(x, &f, FLOW_ORIG, ch.b, ch.n), 0);
	ck_assert_uint_eq(f.ev.sni, 0);
	ck_assert_uint_eq(f.dir[FLOW_ORIG].inspected, 8);
	struct evidence_stats st;
	evidence_get_stats(x, &st);
	ck_assert_uint_eq(st.skipped, 1);
	ck_assert_uint_eq(st.inspected, 8);
	/* the other direction has its own budget, and can still refute "unknown" */
	ck_assert_uint_eq(send(x, &f, FLOW_RESP, "<?xml version='1.0'?><stream:stream "
						"xmlns='jabber:client'>", 57), EV_CHG_PROTO);
	ck_assert_uint_eq(f.ev.payload_proto, EV_PROTO_XMPP_CLIENT);
	evidence_flow_end(x, &f);
	/* control: the same hello as a first packet is read */
	mkflow(&f, 6, "10.0.0.2", 40001, "23.89.1.1", 5222);
	send(x, &f, FLOW_ORIG, ch.b, ch.n);
	ck_assert_str_eq(name(x, f.ev.sni), "late.webex.com");
	evidence_flow_end(x, &f);
	evidence_destroy(x);
}
END_TEST

/* Packets that cannot change a fact are only counted (evidence_inspect's quiet path): a TLS flow
 * with its handshake read keeps its SNI and ALPN against a later Host header or STUN SOFTWARE, its
 * budget still ends; while a STUN message on a responder's side of an HTTP flow, where the ALPN
 * is still free, is read. */
START_TEST(settled_flow_budget_and_facts)
{
	struct evidence_ctx *x = mkctx(NULL);
	struct buf ch;
	struct flow f;
	client_hello_record(&ch, "Edge.Webex.com", "h2", 0);
	/* ServerHello too short to parse: the server half is given up (done) */
	static const uint8_t sh[] = { 22, 3, 3, 0, 8, 2, 0, 0, 4, 3, 3, 0, 0 };
	static const char get[] = "GET / HTTP/1.1\r\nHost: other.example.com\r\n\r\n";
	/* STUN binding request with SOFTWARE "probe" */
	static const uint8_t stun[] = { 0, 1, 0, 12, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6,
					7, 8, 9, 10, 11, 12, 0x80, 0x22, 0, 5, 'p', 'r', 'o', 'b',
					'e', 0, 0, 0 };
	static const char body[] = "<html>some response body text</html>";
	mkflow(&f, 6, "10.0.0.2", 40000, "23.89.1.1", 443);
	send(x, &f, FLOW_ORIG, ch.b, ch.n);
	send(x, &f, FLOW_RESP, sh, sizeof sh);
	ck_assert_uint_eq(f.ev.state & (EVS_CH_DONE | EVS_CERT_DONE), EVS_CH_DONE | EVS_CERT_DONE);
	struct evidence_stats st0, st;
	evidence_get_stats(x, &st0);
	for (int i = 0; i < 6; i++) {
		ck_assert_uint_eq(send(x, &f, FLOW_ORIG, get, sizeof get - 1), 0);
		ck_assert_uint_eq(send(x, &f, FLOW_RESP, body, sizeof body - 1), 0);
		ck_assert(!(f.ev.state & EVS_DONE));
	}
	ck_assert_uint_eq(send(x, &f, FLOW_ORIG, stun, sizeof stun), 0);
	ck_assert_str_eq(name(x, f.ev.sni), "edge.webex.com");
	ck_assert_str_eq(name(x, f.ev.alpn), "h2");
	ck_assert(!(f.ev.state & (EVS_HOST | EVS_SOFTWARE)));
	ck_assert_uint_eq(f.dir[FLOW_ORIG].inspected, 8);
	ck_assert(!(f.ev.state & EVS_DONE));
	send(x, &f, FLOW_RESP, body, sizeof body - 1);
	ck_assert(f.ev.state & EVS_DONE); /* both budgets spent */
	evidence_get_stats(x, &st);
	ck_assert_uint_eq(st.inspected - st0.inspected, 14);
	ck_assert_uint_eq(send(x, &f, FLOW_RESP, body, sizeof body - 1), 0);
	evidence_get_stats(x, &st0);
	ck_assert_uint_eq(st0.skipped, st.skipped + 1);
	evidence_flow_end(x, &f);

	/* an HTTP flow: responder text is not read, a responder STUN message is */
	mkflow(&f, 6, "10.0.0.2", 40001, "23.89.1.1", 80);
	ck_assert_uint_ne(send(x, &f, FLOW_ORIG, get, sizeof get - 1), 0);
	ck_assert_uint_eq(f.ev.payload_proto, EV_PROTO_HTTP);
	ck_assert_uint_eq(send(x, &f, FLOW_RESP, body, sizeof body - 1), 0);
	ck_assert_uint_eq(send(x, &f, FLOW_RESP, stun, sizeof stun), EV_CHG_SOFTWARE);
	ck_assert_str_eq(name(x, f.ev.alpn), "probe");
	ck_assert_str_eq(name(x, f.ev.sni), "other.example.com");
	evidence_flow_end(x, &f);
	evidence_destroy(x);
}
END_TEST

START_TEST(budget_configurable_and_done)
{
	struct evidence_config c;
	evidence_config_defaults(&c);
	c.max_pkts_per_dir = 1;
	struct evidence_ctx *x = mkctx(&c);
	struct buf ch;
	struct flow f;
	client_hello_record(&ch, "split.webex.com", NULL, 700);
	mkflow(&f, 6, "10.0.0.2", 40000, "23.89.1.1", 443);
	/* the first segment takes a slot; the budget ends with it, so the slot goes back */
	send_seq(x, &f, FLOW_ORIG, ch.b, 300, 1, SEC);
	ck_assert_uint_eq(slots_in_use(x), 0);
	ck_assert_uint_eq(send_seq(x, &f, FLOW_ORIG, ch.b + 300, ch.n - 300, 301, SEC), 0);
	ck_assert_uint_eq(f.ev.sni, 0);
	ck_assert(!(f.ev.state & EVS_DONE));
	send(x, &f, FLOW_RESP, "x", 1);
	ck_assert(f.ev.state & EVS_DONE);
	evidence_flow_end(x, &f);
	/* packets without payload and non-TCP/UDP packets are not counted */
	mkflow(&f, 6, "10.0.0.2", 40001, "23.89.1.1", 443);
	send(x, &f, FLOW_ORIG, "", 0);
	ck_assert_uint_eq(f.dir[FLOW_ORIG].inspected, 0);
	mkflow(&f, 1, "10.0.0.2", 0, "23.89.1.1", 0);
	send(x, &f, FLOW_ORIG, "ping", 4);
	ck_assert_uint_eq(f.dir[FLOW_ORIG].inspected, 0);
	evidence_destroy(x);
}
END_TEST

/* A payload cut by the snap length cannot be continued: the facts in it are used at once. */
START_TEST(snaplen_cut_segment)
{
	struct evidence_ctx *x = mkctx(NULL);
	struct buf ch;
	struct flow f;
	client_hello_record(&ch, "cut.webex.com", NULL, 0);
	mkflow(&f, 6, "10.0.0.2", 40000, "23.89.1.1", 443);
	struct decoded_pkt d;
	memset(&d, 0, sizeof d);
	d.proto = 6, d.sport = 40000, d.dport = 443;
	d.payload_len = (uint32_t)ch.n + 400; /* more was sent than captured */
	d.payload = bv_make(ch.b, ch.n);
	evidence_inspect(x, &f, FLOW_ORIG, &d, SEC);
	ck_assert_str_eq(name(x, f.ev.sni), "cut.webex.com");
	ck_assert_uint_eq(slots_in_use(x), 0);
	evidence_flow_end(x, &f);
	evidence_destroy(x);
}
END_TEST

START_TEST(slot_pool_bounds)
{
	struct evidence_config c;
	evidence_config_defaults(&c);
	c.reasm_slots = 1;
	c.reasm_timeout_s = 30;
	struct evidence_ctx *x = mkctx(&c);
	struct buf ch;
	struct flow a, b;
	client_hello_record(&ch, "pool.webex.com", NULL, 700);
	mkflow(&a, 6, "10.0.0.2", 40000, "23.89.1.1", 443);
	mkflow(&b, 6, "10.0.0.3", 40000, "23.89.1.1", 443);
	send_seq(x, &a, FLOW_ORIG, ch.b, 300, 1, 0);
	send_seq(x, &b, FLOW_ORIG, ch.b, 300, 1, 1 * SEC); /* pool empty: b gives up */
	struct evidence_stats st;
	evidence_get_stats(x, &st);
	ck_assert_uint_eq(st.slots_exhausted, 1);
	ck_assert(b.ev.state & EVS_CH_DONE);
	send_seq(x, &b, FLOW_ORIG, ch.b + 300, ch.n - 300, 301, 2 * SEC);
	ck_assert_uint_eq(b.ev.sni, 0);
	/* a's slot idles past the timeout: a third flow takes it over */
	struct flow c3;
	mkflow(&c3, 6, "10.0.0.4", 40000, "23.89.1.1", 443);
	send_seq(x, &c3, FLOW_ORIG, ch.b, 300, 1, 31 * SEC);
	send_seq(x, &c3, FLOW_ORIG, ch.b + 300, ch.n - 300, 301, 31 * SEC);
	ck_assert_str_eq(name(x, c3.ev.sni), "pool.webex.com");
	evidence_get_stats(x, &st);
	ck_assert_uint_eq(st.slots_stolen, 1);
	/* a's late second segment: its slot is gone, nothing read, no harm */
	send_seq(x, &a, FLOW_ORIG, ch.b + 300, ch.n - 300, 301, 32 * SEC);
	ck_assert_uint_eq(a.ev.sni, 0);
	ck_assert(!(a.ev.state & EVS_SLOT));
	evidence_flow_end(x, &a);
	evidence_flow_end(x, &b);
	evidence_flow_end(x, &c3);
	ck_assert_uint_eq(slots_in_use(x), 0);
	/* no slots configured: best effort from single segments */
	evidence_destroy(x);
	c.reasm_slots = 0;
	x = mkctx(&c);
	mkflow(&a, 6, "10.0.0.2", 40000, "23.89.1.1", 443);
	send_seq(x, &a, FLOW_ORIG, ch.b, 300, 1, 0);
	send_seq(x, &a, FLOW_ORIG, ch.b + 300, ch.n - 300, 301, 0);
	ck_assert_uint_eq(a.ev.sni, 0);
	evidence_flow_end(x, &a);
	evidence_destroy(x);
}
END_TEST

START_TEST(dtls_client_hello_sni)
{
	struct evidence_ctx *x = mkctx(NULL);
	struct flow f;
	struct buf ch, d;
	client_hello_record(&ch, "media.webex.com", "webrtc", 0);
	/* re-frame the TLS hello body as DTLS 1.2 (RFC 6347 4.2.2: a cookie after the session id) */
	const uint8_t *body = ch.b + 9;
	size_t blen = ch.n - 9;
	d.n = 0;
	p8(&d, 22), p16(&d, 0xfefd), p16(&d, 0), p16(&d, 0), p32(&d, 1);
	p16(&d, (unsigned)(12 + blen + 1));
	p8(&d, 1), p24(&d, (unsigned)blen + 1), p16(&d, 0), p24(&d, 0), p24(&d, (unsigned)blen + 1);
	p16(&d, 0xfefd);
	pn(&d, body + 2, 32);
	p8(&d, 0); /* session id */
	p8(&d, 0); /* cookie */
	pn(&d, body + 35, blen - 35);
	mkflow(&f, 17, "10.0.0.2", 52000, "170.72.9.9", 5004);
	unsigned chg = send(x, &f, FLOW_ORIG, d.b, d.n);
	ck_assert_uint_eq(chg, EV_CHG_PROTO | EV_CHG_SNI | EV_CHG_ALPN);
	ck_assert_uint_eq(f.ev.payload_proto, EV_PROTO_DTLS);
	ck_assert_str_eq(name(x, f.ev.sni), "media.webex.com");
	ck_assert_str_eq(name(x, f.ev.alpn), "webrtc");
	evidence_destroy(x);
}
END_TEST

/* ---- DNS ---- */

static void dns_response(struct buf *b, const char *q, const char *cname, const char *ip4,
			 uint32_t ttl)
{
	b->n = 0;
	p16(b, 0xbeef), p16(b, 0x8180), p16(b, 1), p16(b, cname ? 2 : 1), p16(b, 0), p16(b, 0);
	size_t owner = b->n;
	for (const char *s = q; *s;) {
		size_t l = strcspn(s, ".");
		p8(b, (unsigned)l), pn(b, s, l);
		s += l + (s[l] == '.');
	}
	p8(b, 0), p16(b, 1), p16(b, 1);
	if (cname) {
		p16(b, 0xc000 | 12), p16(b, 5), p16(b, 1), p32(b, ttl);
		size_t rl = mark(b, 2);
		owner = b->n;
		for (const char *s = cname; *s;) {
			size_t l = strcspn(s, ".");
			p8(b, (unsigned)l), pn(b, s, l);
			s += l + (s[l] == '.');
		}
		p8(b, 0);
		patch(b, rl, 2);
	}
	p16(b, 0xc000 | (unsigned)owner), p16(b, 1), p16(b, 1), p32(b, ttl), p16(b, 4);
	struct ucf_addr a;
	ck_assert(ucf_addr_parse(ip4, &a));
	pn(b, a.b + 12, 4);
}

START_TEST(dns_labels_later_flows)
{
	struct evidence_config c;
	evidence_config_defaults(&c);
	c.dns_ttl_min_s = 0;
	struct evidence_ctx *x = mkctx(&c);
	struct flow q, f;
	struct buf r;
	mkflow(&q, 17, "10.0.0.2", 53000, "10.0.0.53", 53);
	dns_response(&r, "login.webex.com", "login.webex.com.akadns.net", "62.109.200.1", 300);
	/* the question names a domain row: kept as the flow's host (what it looks up) */
	ck_assert_uint_eq(send_seq(x, &q, FLOW_RESP, r.b, r.n, 0, 10 * SEC), EV_CHG_PROTO | EV_CHG_HOST);
	ck_assert_uint_eq(q.ev.payload_proto, EV_PROTO_DNS);
	dns_response(&r, "www.example.org", NULL, "93.184.216.34", 300); /* no pattern: not cached */
	send_seq(x, &q, FLOW_RESP, r.b, r.n, 0, 10 * SEC);
	struct ucf_addr a;
	ucf_addr_parse("62.109.200.1", &a);
	ck_assert_str_eq(name(x, evidence_dns_lookup(x, &a, 11 * SEC)), "login.webex.com");
	ucf_addr_parse("93.184.216.34", &a);
	ck_assert_uint_eq(evidence_dns_lookup(x, &a, 11 * SEC), 0);

	mkflow(&f, 6, "10.0.0.2", 40000, "62.109.200.1", 443);
	ck_assert_uint_eq(evidence_flow_start(x, &f, 20 * SEC), EV_CHG_DNS);
	ck_assert_str_eq(name(x, f.ev.dns_name), "login.webex.com");
	struct evidence_view v;
	evidence_view(x, &f, &v);
	ck_assert_str_eq(v.reason, "dns=*.webex.com");
	ck_assert_int_eq(v.match.src, EV_SRC_DNS);
	/* a matching SNI wins over the DNS name */
	struct buf ch;
	client_hello_record(&ch, "x.google.com", NULL, 0);
	send(x, &f, FLOW_ORIG, ch.b, ch.n);
	ck_assert_int_eq(evidence_domain_of(x, &f, NULL), 3);
	evidence_flow_end(x, &f);
	/* the originator's cached name is never used: a host's own name (a DNS answer naming the
	 * client, etta-c7.cisco.com) must not label the flows it opens (issue 15) */
	mkflow(&f, 6, "62.109.200.1", 8934, "10.0.0.9", 5061);
	ck_assert_uint_eq(evidence_flow_start(x, &f, 20 * SEC), 0);
	ck_assert_uint_eq(f.ev.dns_name, 0);
	/* once the classifier swaps the flow, the new responder's name is looked up */
	flow_swap_direction(&f);
	ck_assert_uint_eq(evidence_flow_oriented(x, &f, 20 * SEC), EV_CHG_DNS);
	ck_assert_str_eq(name(x, f.ev.dns_name), "login.webex.com");
	flow_swap_direction(&f); /* and dropped when the responder has none */
	ck_assert_uint_eq(evidence_flow_oriented(x, &f, 20 * SEC), EV_CHG_DNS);
	ck_assert_uint_eq(f.ev.dns_name, 0);
	evidence_flow_end(x, &f);
	/* after the TTL, nothing */
	mkflow(&f, 6, "10.0.0.2", 40001, "62.109.200.1", 443);
	ck_assert_uint_eq(evidence_flow_start(x, &f, 310 * SEC), 0);
	ck_assert_uint_eq(f.ev.dns_name, 0);
	evidence_flow_end(x, &f);
	evidence_flow_end(x, &q);
	struct evidence_stats st;
	evidence_get_stats(x, &st);
	ck_assert_uint_eq(st.intern_live, st.dns_entries); /* only the cache holds names now */
	evidence_destroy(x);

	/* default clamps: a 5 s TTL is kept for dns_ttl_min_s (60 s), a week for 1 day */
	x = mkctx(NULL);
	mkflow(&q, 17, "10.0.0.2", 53000, "10.0.0.53", 53);
	dns_response(&r, "short.webex.com", NULL, "62.109.200.2", 5);
	send_seq(x, &q, FLOW_RESP, r.b, r.n, 0, 10 * SEC);
	dns_response(&r, "long.webex.com", NULL, "62.109.200.3", 7 * 86400);
	send_seq(x, &q, FLOW_RESP, r.b, r.n, 0, 10 * SEC);
	ucf_addr_parse("62.109.200.2", &a);
	ck_assert_uint_ne(evidence_dns_lookup(x, &a, 69 * SEC), 0);
	ck_assert_uint_eq(evidence_dns_lookup(x, &a, 70 * SEC), 0);
	ucf_addr_parse("62.109.200.3", &a);
	ck_assert_uint_ne(evidence_dns_lookup(x, &a, (10 + 86399) * SEC), 0);
	ck_assert_uint_eq(evidence_dns_lookup(x, &a, (10 + 86400) * SEC), 0);
	evidence_flow_end(x, &q);
	evidence_destroy(x);
}
END_TEST

START_TEST(dns_tcp_and_beyond_budget)
{
	struct evidence_config c;
	evidence_config_defaults(&c);
	c.max_pkts_per_dir = 2;
	c.dns_ttl_min_s = 0;
	struct evidence_ctx *x = mkctx(&c);
	struct flow q;
	static struct buf r, seg;
	/* TCP: two length-prefixed responses in one segment */
	mkflow(&q, 6, "10.0.0.2", 53000, "10.0.0.53", 53);
	seg.n = 0;
	dns_response(&r, "a.webex.com", NULL, "170.72.0.1", 60);
	p16(&seg, (unsigned)r.n), pn(&seg, r.b, r.n);
	dns_response(&r, "b.wbx2.com", NULL, "170.72.0.2", 60);
	p16(&seg, (unsigned)r.n), pn(&seg, r.b, r.n);
	send_seq(x, &q, FLOW_RESP, seg.b, seg.n, 0, SEC);
	ck_assert_uint_eq(q.ev.payload_proto, EV_PROTO_DNS);
	struct ucf_addr a;
	ucf_addr_parse("170.72.0.2", &a);
	ck_assert_str_eq(name(x, evidence_dns_lookup(x, &a, SEC)), "b.wbx2.com");
	evidence_flow_end(x, &q);
	/* UDP: a resolver's long-lived 5-tuple; responses past the budget still feed the cache */
	mkflow(&q, 17, "10.0.0.2", 53000, "10.0.0.53", 53);
	for (int i = 0; i < 6; i++) {
		char ip[32];
		snprintf(ip, sizeof ip, "170.72.1.%d", i);
		dns_response(&r, "c.webex.com", NULL, ip, 60);
		send_seq(x, &q, FLOW_RESP, r.b, r.n, 0, SEC);
	}
	ucf_addr_parse("170.72.1.5", &a);
	ck_assert_str_eq(name(x, evidence_dns_lookup(x, &a, SEC)), "c.webex.com");
	ck_assert_uint_eq(q.dir[FLOW_RESP].inspected, 2);
	evidence_flow_end(x, &q);
	evidence_destroy(x);
	/* and not when switched off */
	c.dns_beyond_budget = 0;
	x = mkctx(&c);
	mkflow(&q, 17, "10.0.0.2", 53000, "10.0.0.53", 53);
	for (int i = 0; i < 6; i++) {
		char ip[32];
		snprintf(ip, sizeof ip, "170.72.1.%d", i);
		dns_response(&r, "c.webex.com", NULL, ip, 60);
		send_seq(x, &q, FLOW_RESP, r.b, r.n, 0, SEC);
	}
	ck_assert_uint_eq(evidence_dns_lookup(x, &a, SEC), 0);
	ucf_addr_parse("170.72.1.1", &a);
	ck_assert_uint_ne(evidence_dns_lookup(x, &a, SEC), 0);
	evidence_destroy(x);
}
END_TEST

/* Every id a flow holds is a reference; flow_end gives them all back. */
START_TEST(references_released)
{
	struct evidence_ctx *x = mkctx(NULL);
	struct buf ch;
	struct flow f[20];
	for (int i = 0; i < 20; i++) {
		char sni[64];
		snprintf(sni, sizeof sni, "h%d.webex.com", i % 5);
		client_hello_record(&ch, sni, i % 2 ? "h2" : NULL, 0);
		mkflow(&f[i], 6, "10.0.0.2", 40000 + (unsigned)i, "23.89.1.1", 443);
		send(x, &f[i], FLOW_ORIG, ch.b, ch.n);
	}
	struct evidence_stats st;
	evidence_get_stats(x, &st);
	ck_assert_uint_eq(st.intern_live, 6); /* 5 names + "h2" */
	for (int i = 0; i < 20; i++)
		evidence_flow_end(x, &f[i]);
	evidence_get_stats(x, &st);
	ck_assert_uint_eq(st.intern_live, 0);
	ck_assert_uint_eq(send(x, &f[0], FLOW_ORIG, ch.b, ch.n), 0); /* ended: no-op */
	evidence_destroy(x);
}
END_TEST

static Suite *evidence_suite(void)
{
	Suite *s = suite_create("evidence");
	TCase *tc = tcase_create("tls");
	tcase_add_test(tc, flow_struct_size);
	tcase_add_test(tc, config_validation);
	tcase_add_test(tc, tls_single_segment);
	tcase_add_test(tc, tls_split_every_point);
	tcase_add_test(tc, tls_split_order_matters);
	tcase_add_test(tc, tls_split_survives_swap);
	tcase_add_test(tc, tls_server_certificate);
	tcase_add_test(tc, snaplen_cut_segment);
	tcase_add_test(tc, slot_pool_bounds);
	suite_add_tcase(s, tc);
	tc = tcase_create("budget");
	tcase_add_test(tc, budget_stops_reading);
	tcase_add_test(tc, budget_configurable_and_done);
	tcase_add_test(tc, settled_flow_budget_and_facts);
	suite_add_tcase(s, tc);
	tc = tcase_create("protocols");
	tcase_add_test(tc, dtls_client_hello_sni);
	suite_add_tcase(s, tc);
	tc = tcase_create("dns");
	tcase_add_test(tc, dns_labels_later_flows);
	tcase_add_test(tc, dns_tcp_and_beyond_budget);
	tcase_add_test(tc, references_released);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(evidence_suite());
}
