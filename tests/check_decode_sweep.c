/* check_decode_sweep.c - the decode stage on every cut and byte mutation of crafted frames. Each
 * valid frame (decode_frames.h, on every link type) is cut at every byte, each prefix in an
 * exact-size heap buffer so AddressSanitizer reports any read past the capture; and
 * decode_packet()'s fast path is compared with the general path on the frames whole, cut and with
 * single bytes replaced.
 */
#include <check.h>
#include <pcap/dlt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "decode_frames.h"
#include "decode_internal.h" /* decode_fast(), decode_packet_general() */
#include "run_suite.h"

/* ---- truncation sweep ---- */

static void assert_same_except_cut(const struct decoded_pkt *a, const struct decoded_pkt *b)
{
	ck_assert_uint_eq(a->vlan, b->vlan);
	ck_assert_uint_eq(a->inner_vlan, b->inner_vlan);
	ck_assert_uint_eq(a->ipver, b->ipver);
	ck_assert_uint_eq(a->proto, b->proto);
	ck_assert_uint_eq(a->dscp, b->dscp);
	ck_assert_mem_eq(a->src.b, b->src.b, 16);
	ck_assert_mem_eq(a->dst.b, b->dst.b, 16);
	ck_assert_uint_eq(a->ip_len, b->ip_len);
	ck_assert_uint_eq(a->frag_id, b->frag_id);
	ck_assert_uint_eq(a->frag_off, b->frag_off);
	ck_assert_uint_eq(a->sport, b->sport);
	ck_assert_uint_eq(a->dport, b->dport);
	ck_assert_uint_eq(a->tcp_flags, b->tcp_flags);
	ck_assert_uint_eq(a->icmp_type, b->icmp_type);
	ck_assert_uint_eq(a->icmp_code, b->icmp_code);
	ck_assert_uint_eq(a->tcp_seq, b->tcp_seq);
	ck_assert_uint_eq(a->tcp_ack, b->tcp_ack);
	ck_assert_uint_eq(a->payload_len, b->payload_len);
	ck_assert_uint_eq(a->tunnel_type, b->tunnel_type);
}

/* Cuts f at every length below its full size. Before the payload starts every cut must be
 * TRUNCATED; from there on it is OK with the same fields, the payload shortened and the cut
 * flags set exactly when the cut falls before the IP end / the payload end. */
static void sweep(int lt, const struct frame *f, size_t link_len)
{
	struct decoded_pkt full, d;
	ck_assert_int_eq(decode_packet(lt, f->b, (uint32_t)f->len, &full), DECODE_OK);
	size_t hdr_end = (size_t)(full.payload.p - f->b);
	size_t ip_end = link_len + full.ip_len;
	size_t payload_end = hdr_end + full.payload_len;
	ck_assert_uint_le(payload_end, ip_end);

	for (size_t cut = 0; cut < f->len; cut++) {
		uint8_t *buf = malloc(cut);
		if (cut > 0) {
			ck_assert_ptr_nonnull(buf);
			memcpy(buf, f->b, cut);
		}
		memset(&d, 0xa5, sizeof d);
		enum decode_status st = decode_packet(lt, buf, (uint32_t)cut, &d);
		if (cut < hdr_end) {
			ck_assert_msg(st == DECODE_TRUNCATED, "lt %d cut %zu/%zu: %s", lt, cut,
				      f->len, decode_status_name(st));
		} else {
			ck_assert_msg(st == DECODE_OK, "lt %d cut %zu/%zu: %s", lt, cut, f->len,
				      decode_status_name(st));
			assert_same_except_cut(&d, &full);
			unsigned want = full.flags;
			if (cut < ip_end)
				want |= DPKT_IP_LEN_SHORT;
			if (cut < payload_end)
				want |= DPKT_L4_TRUNCATED;
			ck_assert_uint_eq(d.flags, want);
			ck_assert_ptr_eq(d.payload.p, buf + hdr_end);
			size_t end = cut < payload_end ? cut : payload_end;
			ck_assert_uint_eq(d.payload.len, end - hdr_end);
		}
		free(buf);
	}
}

static void sweep_ip(enum link_kind k, const struct frame *ip)
{
	struct frame f;
	size_t ll;
	int lt = wrap_link(&f, k, ip, &ll);
	if (lt == DLT_EN10MB && f.len < ETH_MIN_FRAME)
		put_fill(&f, 0xee, ETH_MIN_FRAME - f.len);
	sweep(lt, &f, ll);
}

START_TEST(test_truncation_sweep)
{
	enum link_kind k = (enum link_kind)_i;
	struct frame seg, ip, pay;
	struct ip4_hdr_opts o = IP4_PLAIN;

	o.opt_words = 2;
	build_tcp(&seg, 1234, 80, 0x18, 2, "GET / HTTP/1.0");
	wrap_ipv4(&ip, 6, &seg, &o);
	sweep_ip(k, &ip);

	build_udp(&seg, 53, 53, "ab"); /* short enough to be padded on Ethernet */
	wrap_ipv4(&ip, 17, &seg, &IP4_PLAIN);
	sweep_ip(k, &ip);

	build_icmp(&seg, 0, 0, "\x01\x01\x02\x02pong");
	wrap_ipv4(&ip, 1, &seg, &IP4_PLAIN);
	sweep_ip(k, &ip);

	o = IP4_PLAIN;
	o.frag = 0x2000 | 5;
	wrap_ipv4(&ip, 6, &seg, &o);
	sweep_ip(k, &ip);

	build_v6_chain(&ip, false);
	sweep_ip(k, &ip);

	pay.len = 0;
	put_ah(&pay, 58, 4);
	build_icmp(&seg, 128, 0, "echo");
	append(&pay, &seg);
	wrap_ipv6(&ip, 51, &pay, 0);
	sweep_ip(k, &ip);

	build_tcp(&seg, 443, 1025, 0x11, 0, "");
	wrap_ipv6(&ip, 6, &seg, 0);
	sweep_ip(k, &ip);

	/* The fast path's own frames: whole, they take it; every cut leaves it. */
	build_tcp(&seg, 1234, 443, 0x18, 0, "\x17\x03\x03\x01\x05hello");
	wrap_ipv4(&ip, 6, &seg, &IP4_PLAIN);
	sweep_ip(k, &ip);

	build_udp(&seg, 5004, 5004, "rtp payload");
	wrap_ipv6(&ip, 17, &seg, 0xb8);
	sweep_ip(k, &ip);
}
END_TEST

/* ---- fast path against general path ---- */

/* Every field, one by one (the fast path need not clear padding). */
static void assert_same_pkt(const struct decoded_pkt *a, const struct decoded_pkt *b,
			    const char *what)
{
	ck_assert_msg(a->vlan == b->vlan && a->inner_vlan == b->inner_vlan, "%s: vlan", what);
	ck_assert_msg(a->ipver == b->ipver && a->proto == b->proto && a->dscp == b->dscp,
		      "%s: ipver/proto/dscp", what);
	ck_assert_msg(a->flags == b->flags, "%s: flags %#x vs %#x", what, a->flags, b->flags);
	ck_assert_msg(memcmp(a->src.b, b->src.b, 16) == 0 && memcmp(a->dst.b, b->dst.b, 16) == 0,
		      "%s: addresses", what);
	ck_assert_msg(a->ip_len == b->ip_len && a->frag_id == b->frag_id &&
			      a->frag_off == b->frag_off,
		      "%s: ip_len/frag", what);
	ck_assert_msg(a->sport == b->sport && a->dport == b->dport, "%s: ports", what);
	ck_assert_msg(a->tcp_flags == b->tcp_flags && a->tcp_seq == b->tcp_seq &&
			      a->tcp_ack == b->tcp_ack,
		      "%s: tcp", what);
	ck_assert_msg(a->icmp_type == b->icmp_type && a->icmp_code == b->icmp_code, "%s: icmp",
		      what);
	ck_assert_msg(a->payload_len == b->payload_len && a->payload.p == b->payload.p &&
			      a->payload.len == b->payload.len,
		      "%s: payload", what);
	ck_assert_msg(a->tunnel_type == b->tunnel_type &&
			      memcmp(a->tunnel_src.b, b->tunnel_src.b, 16) == 0 &&
			      memcmp(a->tunnel_dst.b, b->tunnel_dst.b, 16) == 0,
		      "%s: tunnel", what);
}

struct fast_tally {
	unsigned frames, fast;
};

/* Decodes len bytes of b (copied to an exact-size heap buffer) with decode_packet() and with the
 * general path alone, each into a differently poisoned struct: the statuses must agree and, when
 * OK, every field. When the fast path takes the frame it must be one the general path decodes
 * OK, to the same result. */
static void fast_vs_general(int lt, const uint8_t *b, size_t len, struct fast_tally *t)
{
	uint8_t *buf = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, b, len);
	const uint8_t *data = len ? buf : NULL;
	struct decoded_pkt dp, gp, fp;
	memset(&dp, 0xa5, sizeof dp);
	memset(&gp, 0x5a, sizeof gp);
	memset(&fp, 0xc3, sizeof fp);
	enum decode_status sd = decode_packet(lt, data, (uint32_t)len, &dp);
	enum decode_status sg = decode_packet_general(lt, data, (uint32_t)len, &gp);
	bool fast = decode_fast(lt, data, (uint32_t)len, &fp);
	char what[64];
	snprintf(what, sizeof what, "lt %d len %zu", lt, len);
	ck_assert_msg(sd == sg, "%s: %s vs general %s", what, decode_status_name(sd),
		      decode_status_name(sg));
	if (sd == DECODE_OK)
		assert_same_pkt(&dp, &gp, what);
	if (fast) {
		ck_assert_msg(sg == DECODE_OK, "%s: fast path took a %s frame", what,
			      decode_status_name(sg));
		assert_same_pkt(&fp, &gp, what);
		t->fast++;
	}
	t->frames++;
	free(buf);
}

/* The frame whole, cut at every length, and with each byte replaced by 0x00, 0xff and itself
 * with the top bit flipped (the values that hit most of the fast path's conditions). */
static void fast_vs_general_all(int lt, const struct frame *f, struct fast_tally *t)
{
	static const int vals[] = { 0x00, 0xff, -1 };
	struct frame g = *f;
	for (size_t cut = 0; cut <= f->len; cut++)
		fast_vs_general(lt, f->b, cut, t);
	for (size_t pos = 0; pos < g.len; pos++) {
		uint8_t orig = g.b[pos];
		for (size_t v = 0; v < sizeof vals / sizeof vals[0]; v++) {
			g.b[pos] = (uint8_t)(vals[v] < 0 ? orig ^ 0x80 : vals[v]);
			fast_vs_general(lt, g.b, g.len, t);
		}
		g.b[pos] = orig;
	}
}

/* The IP packets the comparison wraps in every link type. */
struct ip_list {
	struct frame ips[24];
	size_t n;
};

static void add_ip4(struct ip_list *l, unsigned proto, const struct frame *seg,
		    const struct ip4_hdr_opts *o)
{
	ck_assert_uint_lt(l->n, sizeof l->ips / sizeof l->ips[0]);
	wrap_ipv4(&l->ips[l->n++], proto, seg, o);
}

static void add_ip6(struct ip_list *l, unsigned nh, const struct frame *pay, unsigned tc)
{
	ck_assert_uint_lt(l->n, sizeof l->ips / sizeof l->ips[0]);
	wrap_ipv6(&l->ips[l->n++], nh, pay, tc);
}

static void fast_ip_packets(struct ip_list *l)
{
	struct frame seg, pay;
	struct ip4_hdr_opts o = IP4_PLAIN;

	l->n = 0;
	build_tcp(&seg, 40000, 443, 0x18, 0, "\x16\x03\x01 hello");
	add_ip4(l, 6, &seg, &IP4_PLAIN);
	o.frag = 0x4000; /* DF: still not a fragment */
	add_ip4(l, 6, &seg, &o);
	build_tcp(&seg, 40000, 443, 0x10, 3, "opt");
	add_ip4(l, 6, &seg, &IP4_PLAIN);
	build_tcp(&seg, 1, 2, 0x02, 0, "");
	add_ip4(l, 6, &seg, &IP4_PLAIN);
	build_udp(&seg, 5060, 5060, "INVITE sip:x SIP/2.0");
	add_ip4(l, 17, &seg, &IP4_PLAIN);
	/* VXLAN (flags with I set; the rest of the header and the inner frame free of NULs) */
	build_udp(&seg, 1000, 4789, "\x08vni-rsvdAAAAAAAAAAAA\x08\x06arp");
	add_ip4(l, 17, &seg, &IP4_PLAIN);
	build_udp(&seg, 53, 53, "");
	add_ip4(l, 17, &seg, &IP4_PLAIN);
	build_icmp(&seg, 8, 0, "\x01\x01\x02\x02ping"); /* id, sequence, data */
	add_ip4(l, 1, &seg, &IP4_PLAIN);
	add_ip4(l, 58, &seg, &IP4_PLAIN); /* ICMPv6's number in IPv4: decoded as ICMP */
	add_ip4(l, 132, &seg, &IP4_PLAIN); /* SCTP: port-less, the general path's */
	o = IP4_PLAIN;
	o.opt_words = 1;
	build_tcp(&seg, 40000, 80, 0x18, 0, "GET");
	add_ip4(l, 6, &seg, &o);
	o = IP4_PLAIN;
	o.frag = 0x2000;
	add_ip4(l, 6, &seg, &o);

	build_tcp(&seg, 443, 50000, 0x11, 1, "bye");
	add_ip6(l, 6, &seg, 0xb8);
	build_udp(&seg, 3478, 3478, "stun");
	add_ip6(l, 17, &seg, 0);
	build_icmp(&seg, 128, 0, "echo");
	add_ip6(l, 58, &seg, 0);
	pay.len = 0;
	put_ext(&pay, 6, 0);
	build_tcp(&seg, 22, 60000, 0x10, 0, "ssh");
	append(&pay, &seg);
	add_ip6(l, 0, &pay, 0);
}

START_TEST(test_fast_matches_general)
{
	enum link_kind k = (enum link_kind)_i;
	static struct ip_list l; /* static: some 50 KB */
	struct frame f;
	struct fast_tally t = { 0, 0 };
	size_t ll;
	fast_ip_packets(&l);
	for (size_t i = 0; i < l.n; i++) {
		int lt = wrap_link(&f, k, &l.ips[i], &ll);
		fast_vs_general_all(lt, &f, &t);
		if (lt == DLT_EN10MB && f.len < ETH_MIN_FRAME) { /* and with padding */
			put_fill(&f, 0xee, ETH_MIN_FRAME - f.len);
			fast_vs_general_all(lt, &f, &t);
		}
	}
	/* The fast path must have been tried for real on the link types it serves. */
	if (lk_fast(k))
		ck_assert_uint_gt(t.fast, t.frames / 10);
	else
		ck_assert_uint_eq(t.fast, 0);
}
END_TEST

/* The frames the fast path exists for do take it; the ones it leaves alone do not. */
START_TEST(test_fast_path_coverage)
{
	struct frame seg, ip, f, big;
	struct decoded_pkt d;
	struct ip4_hdr_opts o = IP4_PLAIN;
	size_t ll;

	build_tcp(&seg, 40000, 443, 0x18, 0, "hello");
	wrap_ipv4(&ip, 6, &seg, &IP4_PLAIN);
	for (int k = 0; k < LK_COUNT; k++) {
		int lt = wrap_link(&f, (enum link_kind)k, &ip, &ll);
		bool want = lk_fast(k);
		ck_assert_msg(decode_fast(lt, f.b, (uint32_t)f.len, &d) == want, "link kind %d", k);
	}
	build_udp(&seg, 5353, 53, "query");
	wrap_ipv6(&ip, 17, &seg, 0);
	for (int k = LK_ETH; k <= LK_QINQ_9100; k++) {
		int lt = wrap_link(&f, (enum link_kind)k, &ip, &ll);
		ck_assert(decode_fast(lt, f.b, (uint32_t)f.len, &d));
	}

	/* Cut by the snap length, a third VLAN tag, IP options, a fragment: the general path. */
	build_tcp(&seg, 40000, 443, 0x18, 0, "hello");
	wrap_ipv4(&ip, 6, &seg, &IP4_PLAIN);
	wrap_link(&f, LK_ETH, &ip, &ll);
	ck_assert(!decode_fast(DLT_EN10MB, f.b, (uint32_t)f.len - 1, &d));
	big.len = 0;
	put_bytes(&big, f.b, 12);
	put_tag(&big, 0x88a8, 1);
	put_tag(&big, 0x8100, 2);
	put_tag(&big, 0x8100, 3);
	put_bytes(&big, f.b + 12, f.len - 12);
	ck_assert(!decode_fast(DLT_EN10MB, big.b, (uint32_t)big.len, &d));
	ck_assert_int_eq(decode_packet(DLT_EN10MB, big.b, (uint32_t)big.len, &d), DECODE_OK);
	ck_assert_uint_eq(d.vlan, 1);
	ck_assert_uint_eq(d.inner_vlan, 2);
	o.opt_words = 1;
	wrap_ipv4(&ip, 6, &seg, &o);
	wrap_link(&f, LK_ETH, &ip, &ll);
	ck_assert(!decode_fast(DLT_EN10MB, f.b, (uint32_t)f.len, &d));
	o = IP4_PLAIN;
	o.frag = 0x2000;
	wrap_ipv4(&ip, 6, &seg, &o);
	wrap_link(&f, LK_ETH, &ip, &ll);
	ck_assert(!decode_fast(DLT_EN10MB, f.b, (uint32_t)f.len, &d));
}
END_TEST

static Suite *decode_sweep_suite(void)
{
	Suite *s = suite_create("decode sweep");
	TCase *tt = tcase_create("truncation");
	tcase_add_loop_test(tt, test_truncation_sweep, 0, LK_COUNT);
	suite_add_tcase(s, tt);

	TCase *tf = tcase_create("fast path");
	tcase_add_loop_test(tf, test_fast_matches_general, 0, LK_COUNT);
	tcase_add_test(tf, test_fast_path_coverage);
	tcase_set_timeout(tf, 120); /* about 25000 frames per link type, three ways each */
	suite_add_tcase(s, tf);
	return s;
}

int main(void)
{
	return run_suite(decode_sweep_suite());
}
