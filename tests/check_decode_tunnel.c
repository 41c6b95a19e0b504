/* check_decode_tunnel.c - unit tests for the decode stage's encapsulations: GRE (RFC 2784/2890,
 * RFC 2637 enhanced GRE), ERSPAN I/II/III (draft-foschiano-erspan), VXLAN (RFC 7348), IP-in-IP
 * (RFC 2003/4213/2473), PPP/PPPoE (RFC 1661/1662/2516), Cisco HDLC, MPLS (RFC 3032), PPI, radiotap
 * and 802.11, each decoded and then cut at every byte; non-IP payloads; and the tunnel-description
 * intern table. Hostile fields are in check_decode_hostile.c.
 */
#include "tunnel_frames.h"
#include "tunnel_intern.h"
#include "run_suite.h"

/* What each encapsulation must record: tunnel type, outer address version, resulting VLAN. */
static const struct {
	enum tunnel_type t;
	int addr_ver;
	uint16_t vlan;
} want[EN_COUNT] = {
	[EN_GRE4] = { TUNNEL_GRE, 4, 33 },        [EN_GRE_KEY_SEQ_CSUM] = { TUNNEL_GRE, 4, 0 },
	[EN_GRE6_IN6] = { TUNNEL_GRE, 6, 0 },    [EN_GRE_TEB] = { TUNNEL_GRE, 4, 77 },
	[EN_GRE_PPTP] = { TUNNEL_GRE, 4, 0 },    [EN_GRE_PPTP_ACK_PFC] = { TUNNEL_GRE, 4, 0 },
	[EN_GRE_MPLS] = { TUNNEL_GRE, 4, 0 },    [EN_ERSPAN1] = { TUNNEL_ERSPAN, 4, 88 },
	[EN_ERSPAN2] = { TUNNEL_ERSPAN, 4, 88 }, [EN_ERSPAN3] = { TUNNEL_ERSPAN, 4, 0 },
	[EN_ERSPAN3_SUB_IP] = { TUNNEL_ERSPAN, 4, 33 }, [EN_VXLAN] = { TUNNEL_VXLAN, 4, 99 },
	[EN_IPIP] = { TUNNEL_IPIP, 4, 0 },       [EN_6IN4] = { TUNNEL_IPIP, 4, 0 },
	[EN_4IN6] = { TUNNEL_IPIP, 6, 0 },       [EN_6IN6] = { TUNNEL_IPIP, 6, 0 },
	[EN_MPLS] = { TUNNEL_MPLS, 0, 10 },      [EN_MPLS3_V6] = { TUNNEL_MPLS, 0, 0 },
	[EN_PPPOE] = { TUNNEL_PPPOE, 0, 20 },    [EN_PPPOE_V6] = { TUNNEL_PPPOE, 0, 20 },
	[EN_PPP] = { TUNNEL_NONE, 0, 0 },        [EN_PPP_NOACF] = { TUNNEL_NONE, 0, 0 },
	[EN_PPP_PFC] = { TUNNEL_NONE, 0, 0 },    [EN_PPP_SERIAL_CHDLC] = { TUNNEL_NONE, 0, 0 },
	[EN_PPP_ETHER] = { TUNNEL_PPPOE, 0, 0 }, [EN_CHDLC] = { TUNNEL_NONE, 0, 0 },
	[EN_CHDLC_MPLS] = { TUNNEL_MPLS, 0, 0 }, [EN_WLAN] = { TUNNEL_NONE, 0, 0 },
	[EN_WLAN_QOS_WDS] = { TUNNEL_NONE, 0, 0 }, [EN_RADIOTAP] = { TUNNEL_NONE, 0, 0 },
	[EN_PPI_WLAN] = { TUNNEL_NONE, 0, 0 },   [EN_PPI_ETH] = { TUNNEL_NONE, 0, 0 },
	[EN_FABRICPATH] = { TUNNEL_NONE, 0, 7 }, [EN_NESTED] = { TUNNEL_PPPOE, 0, 0 },
};

START_TEST(test_encapsulation)
{
	enum encap e = (enum encap)_i;
	struct frame f;
	struct decoded_pkt d;
	size_t ip_tail;
	int lt = build(e, &f, &ip_tail);
	ck_assert(decode_linktype_supported(lt));
	ck_assert_msg(dec(lt, &f, &d) == DECODE_OK, "encap %d", e);
	if (d.ipver == 4)
		assert_inner_udp4(&d);
	else
		assert_inner_tcp6(&d);
	const uint8_t *src = want[e].addr_ver == 6 ? OUT6_SRC : OUT4_SRC;
	const uint8_t *dst = want[e].addr_ver == 6 ? OUT6_DST : OUT4_DST;
	assert_tunnel(&d, want[e].t, src, dst, want[e].addr_ver);
	ck_assert_uint_eq(d.vlan, want[e].vlan);
	ck_assert_uint_eq(d.inner_vlan, 0);
	sweep(lt, &f, ip_tail);
}
END_TEST

/* ---- non-IP payloads and payload types that are not tunnels ---- */

START_TEST(test_not_ip_and_not_tunnel)
{
	struct frame f;
	struct decoded_pkt d;
	size_t ip_tail;
	struct hdr h = { .n = 0 };

	/* PPPoE discovery (PADI) is not IP. */
	payload(&f, "\x01\x01\x00\x00");
	hbytes(&h, "\x11\x09\x00\x00\x00\x04", 6);
	pre_hdr(&f, &h);
	pre_eth(&f, 0x8863, 0);
	ck_assert_int_eq(dec(DLT_EN10MB, &f, &d), DECODE_NONIP);

	/* PPP LCP, over PPPoE and on a PPP link. */
	payload(&f, "\x01\x01\x00\x04");
	pre_pppoe(&f, 0xc021);
	pre_eth(&f, 0x8864, 0);
	ck_assert_int_eq(dec(DLT_EN10MB, &f, &d), DECODE_NONIP);
	payload(&f, "\xff\x03\xc0\x21\x01\x01\x00\x04");
	ck_assert_int_eq(dec(DLT_PPP, &f, &d), DECODE_NONIP);

	/* Cisco SLARP, on Cisco HDLC and on a link labelled PPP. */
	payload(&f, "\x8f\x00\x80\x35\x00\x00\x00\x00\x0a\x00\x00\x01\xff\xff\xff\x00");
	ck_assert_int_eq(dec(DLT_C_HDLC, &f, &d), DECODE_NONIP);
	ck_assert_int_eq(dec(DLT_PPP, &f, &d), DECODE_NONIP);

	/* MPLS with a pseudowire control word after the bottom of the stack. */
	payload(&f, "\x00\x00\x00\x00pseudowire");
	pre_mpls(&f, 2);
	pre_eth(&f, 0x8847, 0);
	ck_assert_int_eq(dec(DLT_EN10MB, &f, &d), DECODE_NONIP);

	/* 802.11: management, null data, protected data, plain LLC. */
	payload(&f, "\x80\x00\x00\x00" "aaaaaabbbbbbcccccc\x00\x00");
	ck_assert_int_eq(dec(DLT_IEEE802_11, &f, &d), DECODE_NONIP);
	f.b[0] = 0x48; /* null function */
	ck_assert_int_eq(dec(DLT_IEEE802_11, &f, &d), DECODE_NONIP);
	build(EN_WLAN, &f, &ip_tail);
	f.b[1] |= 0x40; /* protected */
	ck_assert_int_eq(dec(DLT_IEEE802_11, &f, &d), DECODE_NONIP);
	build(EN_WLAN, &f, &ip_tail);
	f.b[24] = 0x42; /* STP's LLC SAP */
	ck_assert_int_eq(dec(DLT_IEEE802_11, &f, &d), DECODE_NONIP);

	/* GRE with an unknown payload type stays a port-less GRE flow of the outer hosts. */
	payload(&f, "keepalive");
	pre_gre(&f, 0x0000, 0x1234, 0);
	pre_ipv4(&f, 47, OUT4_SRC, OUT4_DST);
	ck_assert_int_eq(dec(DLT_RAW, &f, &d), DECODE_OK);
	ck_assert_uint_eq(d.proto, 47);
	ck_assert_uint_eq(d.tunnel_type, TUNNEL_NONE);
	assert_addr(&d.src, OUT4_SRC, 4);
	ck_assert_uint_eq(d.payload_len, 13);

	/* Port 4789 without the VXLAN I flag, or too short for VXLAN: an ordinary UDP flow. */
	inner_udp4(&f, &ip_tail);
	pre_eth(&f, 0x0800, 0);
	h.n = 0;
	h32(&h, 0);
	h32(&h, 0);
	pre_hdr(&f, &h);
	pre_udp(&f, 51000, 4789);
	pre_ipv4(&f, 17, OUT4_SRC, OUT4_DST);
	ck_assert_int_eq(dec(DLT_RAW, &f, &d), DECODE_OK);
	ck_assert_uint_eq(d.tunnel_type, TUNNEL_NONE);
	ck_assert_uint_eq(d.dport, 4789);
	payload(&f, "\x08\x00\x00");
	pre_udp(&f, 51000, 4789);
	pre_ipv4(&f, 17, OUT4_SRC, OUT4_DST);
	ck_assert_int_eq(dec(DLT_RAW, &f, &d), DECODE_OK);
	ck_assert_uint_eq(d.tunnel_type, TUNNEL_NONE);
	ck_assert_uint_eq(d.payload_len, 3);

	/* An outer fragment never enters the tunnel: it stays a fragment of the outer flow. */
	inner_udp4(&f, &ip_tail);
	pre_gre(&f, 0x0000, 0x0800, 0);
	pre_ipv4(&f, 47, OUT4_SRC, OUT4_DST);
	f.b[6] = 0x20; /* more fragments, offset 0 */
	ck_assert_int_eq(dec(DLT_RAW, &f, &d), DECODE_OK);
	ck_assert_uint_eq(d.tunnel_type, TUNNEL_NONE);
	ck_assert_uint_eq(d.proto, 47);
	ck_assert_uint_eq(d.flags, DPKT_FRAG | DPKT_FRAG_FIRST);

	/* PPI wrapping a link type we do not decode; PPI wrapping Ethernet carrying ARP. */
	payload(&f, "\x00\x00\x08\x00\x6b\x00\x00\x00" "frame relay");
	ck_assert_int_eq(dec(DLT_PPI, &f, &d), DECODE_UNSUPPORTED_LINK);
	payload(&f, "arp");
	pre_eth(&f, 0x0806, 0);
	h.n = 0;
	hbytes(&h, "\x00\x00\x08\x00\x01\x00\x00\x00", 8);
	pre_hdr(&f, &h);
	ck_assert_int_eq(dec(DLT_PPI, &f, &d), DECODE_NONIP);
}
END_TEST

START_TEST(test_pppoe_padding)
{
	struct frame f;
	struct decoded_pkt d;
	size_t ip_tail;
	int lt = build(EN_PPPOE, &f, &ip_tail);
	memset(f.b + f.len, 0xee, 20); /* Ethernet padding after the PPPoE payload */
	f.len += 20;
	ck_assert_int_eq(dec(lt, &f, &d), DECODE_OK);
	assert_inner_udp4(&d);
}
END_TEST

/* ---- the tunnel-description intern table ---- */

START_TEST(test_intern)
{
	char errbuf[UCF_ERRBUF_SIZE];
	struct tunnel_intern *t = tunnel_intern_create(errbuf);
	ck_assert_ptr_nonnull(t);
	struct ucf_addr a, b, c, z;
	ucf_addr_set_v4(&a, OUT4_SRC);
	ucf_addr_set_v4(&b, OUT4_DST);
	ucf_addr_set_v6(&c, OUT6_SRC);
	memset(&z, 0, sizeof z);

	ck_assert_uint_eq(tunnel_intern_id(t, TUNNEL_NONE, &a, &b), TUNNEL_ID_NONE);
	uint16_t gre = tunnel_intern_id(t, TUNNEL_GRE, &a, &b);
	ck_assert_uint_eq(gre, 1);
	ck_assert_str_eq(tunnel_intern_name(t, gre), "gre 192.0.2.1>192.0.2.2");
	ck_assert_uint_eq(tunnel_intern_id(t, TUNNEL_GRE, &a, &b), gre);     /* same: same id */
	uint16_t rev = tunnel_intern_id(t, TUNNEL_GRE, &b, &a);             /* direction counts */
	ck_assert_uint_ne(rev, gre);
	ck_assert_str_eq(tunnel_intern_name(t, rev), "gre 192.0.2.2>192.0.2.1");
	uint16_t vx = tunnel_intern_id(t, TUNNEL_VXLAN, &a, &b);             /* type counts */
	ck_assert_str_eq(tunnel_intern_name(t, vx), "vxlan 192.0.2.1>192.0.2.2");
	uint16_t v6 = tunnel_intern_id(t, TUNNEL_IPIP, &c, &a);
	ck_assert_str_eq(tunnel_intern_name(t, v6), "ipip 2001:db8:ff00::1>192.0.2.1");
	ck_assert_str_eq(tunnel_intern_name(t, tunnel_intern_id(t, TUNNEL_ERSPAN, &a, &b)),
			 "erspan 192.0.2.1>192.0.2.2");
	/* PPPoE and MPLS carry no addresses: one description each, whatever is passed */
	uint16_t p1 = tunnel_intern_id(t, TUNNEL_PPPOE, &a, &b);
	ck_assert_uint_eq(tunnel_intern_id(t, TUNNEL_PPPOE, &z, &z), p1);
	ck_assert_str_eq(tunnel_intern_name(t, p1), "pppoe");
	ck_assert_str_eq(tunnel_intern_name(t, tunnel_intern_id(t, TUNNEL_MPLS, &c, &c)), "mpls");
	ck_assert_uint_eq(tunnel_intern_count(t), 7);
	ck_assert_ptr_null(tunnel_intern_name(t, TUNNEL_ID_NONE));
	ck_assert_ptr_null(tunnel_intern_name(t, 8)); /* never handed out */
	ck_assert_str_eq(tunnel_intern_name(t, TUNNEL_ID_OVERFLOW), "(too many tunnels)");
	ck_assert_uint_eq(tunnel_intern_overflows(t), 0);
	ck_assert_str_eq(tunnel_type_name(TUNNEL_NONE), "none");
	ck_assert_str_eq(tunnel_type_name(200), "tunnel");
	tunnel_intern_destroy(t);
}
END_TEST

START_TEST(test_intern_overflow)
{
	char errbuf[UCF_ERRBUF_SIZE];
	struct tunnel_intern *t = tunnel_intern_create(errbuf);
	ck_assert_ptr_nonnull(t);
	struct ucf_addr a, b;
	ucf_addr_set_v4(&a, OUT4_SRC);
	for (unsigned i = 0; i < TUNNEL_INTERN_MAX; i++) {
		uint8_t v4[4] = { 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
		ucf_addr_set_v4(&b, v4);
		ck_assert_uint_eq(tunnel_intern_id(t, TUNNEL_GRE, &a, &b), i + 1);
	}
	ck_assert_str_eq(tunnel_intern_name(t, TUNNEL_INTERN_MAX), "gre 192.0.2.1>10.0.15.255");
	/* full: known tunnels keep their ids, new ones get the overflow id and are counted */
	ck_assert_uint_eq(tunnel_intern_id(t, TUNNEL_GRE, &a, &b), TUNNEL_INTERN_MAX);
	ck_assert_uint_eq(tunnel_intern_id(t, TUNNEL_VXLAN, &a, &b), TUNNEL_ID_OVERFLOW);
	ck_assert_uint_eq(tunnel_intern_id(t, TUNNEL_MPLS, &a, &b), TUNNEL_ID_OVERFLOW);
	ck_assert_uint_eq(tunnel_intern_overflows(t), 2);
	ck_assert_uint_eq(tunnel_intern_count(t), TUNNEL_INTERN_MAX);
	ck_assert_str_eq(tunnel_intern_name(t, TUNNEL_ID_OVERFLOW), "(too many tunnels)");
	tunnel_intern_destroy(t);
}
END_TEST

static Suite *tunnel_suite(void)
{
	Suite *s = suite_create("decode_tunnel");
	TCase *tc = tcase_create("encapsulations");
	tcase_add_loop_test(tc, test_encapsulation, 0, EN_COUNT);
	tcase_add_test(tc, test_not_ip_and_not_tunnel);
	tcase_add_test(tc, test_pppoe_padding);
	suite_add_tcase(s, tc);
	TCase *ti = tcase_create("intern");
	tcase_add_test(ti, test_intern);
	tcase_add_test(ti, test_intern_overflow);
	suite_add_tcase(s, ti);
	return s;
}

int main(void)
{
	return run_suite(tunnel_suite());
}
