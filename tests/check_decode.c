/* check_decode.c - unit tests for the decode stage on frames crafted here: every link type, IPv4
 * (RFC 791) options and fragments, IPv6 (RFC 8200) extension chains, TCP/UDP/ICMP and lying
 * lengths, one field at a time. check_decode_sweep.c cuts and mutates the same frames
 * (decode_frames.h) at every byte and compares the fast path with the general path.
 */
#include <check.h>
#include <pcap/dlt.h>
#include <string.h>

#include "decode.h"
#include "decode_frames.h"
#include "run_suite.h"

/* ---- field assertions ---- */

static void assert_addr(const struct ucf_addr *got, const uint8_t *want, int ver)
{
	struct ucf_addr e;
	if (ver == 4)
		ucf_addr_set_v4(&e, want);
	else
		ucf_addr_set_v6(&e, want);
	ck_assert_mem_eq(got->b, e.b, 16);
}

static void assert_no_tunnel(const struct decoded_pkt *d)
{
	static const uint8_t zero[16];
	ck_assert_uint_eq(d->tunnel_type, TUNNEL_NONE);
	ck_assert_mem_eq(d->tunnel_src.b, zero, 16);
	ck_assert_mem_eq(d->tunnel_dst.b, zero, 16);
}

static void assert_payload(const struct decoded_pkt *d, const uint8_t *at, const char *want,
			   uint32_t want_len)
{
	ck_assert_uint_eq(d->payload_len, want_len);
	ck_assert_uint_eq(d->payload.len, strlen(want));
	ck_assert_ptr_eq(d->payload.p, at);
	ck_assert_mem_eq(d->payload.p, want, strlen(want));
}

static enum decode_status decode_frame(int lt, const struct frame *f, struct decoded_pkt *d)
{
	memset(d, 0xa5, sizeof *d); /* decode_packet must overwrite every field */
	return decode_packet(lt, f->b, (uint32_t)f->len, d);
}

/* The baseline packets, on every link type. */
START_TEST(test_ipv4_tcp_all_links)
{
	struct frame seg, ip, f;
	struct decoded_pkt d;
	size_t ll;
	build_tcp(&seg, 12345, 80, 0x12, 0, "hello");
	wrap_ipv4(&ip, 6, &seg, &IP4_PLAIN);
	int lt = wrap_link(&f, (enum link_kind)_i, &ip, &ll);
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_OK);
	ck_assert_uint_eq(d.vlan, link_vlan[_i][0]);
	ck_assert_uint_eq(d.inner_vlan, link_vlan[_i][1]);
	ck_assert_uint_eq(d.ipver, 4);
	ck_assert_uint_eq(d.proto, 6);
	ck_assert_uint_eq(d.dscp, 46);
	ck_assert_uint_eq(d.flags, 0);
	assert_addr(&d.src, V4_SRC, 4);
	assert_addr(&d.dst, V4_DST, 4);
	ck_assert_uint_eq(d.ip_len, 45);
	ck_assert_uint_eq(d.frag_id, 0x1234);
	ck_assert_uint_eq(d.frag_off, 0);
	ck_assert_uint_eq(d.sport, 12345);
	ck_assert_uint_eq(d.dport, 80);
	ck_assert_uint_eq(d.tcp_flags, 0x12);
	ck_assert_uint_eq(d.icmp_type, 0);
	ck_assert_uint_eq(d.icmp_code, 0);
	ck_assert_uint_eq(d.tcp_seq, TCP_SEQ);
	ck_assert_uint_eq(d.tcp_ack, TCP_ACK);
	assert_payload(&d, f.b + ll + 40, "hello", 5);
	assert_no_tunnel(&d);
}
END_TEST

START_TEST(test_ipv6_udp_all_links)
{
	struct frame seg, ip, f;
	struct decoded_pkt d;
	size_t ll;
	build_udp(&seg, 5353, 53, "query");
	wrap_ipv6(&ip, 17, &seg, 0x28); /* traffic class 0x28: DSCP 10 (AF11) */
	int lt = wrap_link(&f, (enum link_kind)_i, &ip, &ll);
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_OK);
	ck_assert_uint_eq(d.vlan, link_vlan[_i][0]);
	ck_assert_uint_eq(d.inner_vlan, link_vlan[_i][1]);
	ck_assert_uint_eq(d.ipver, 6);
	ck_assert_uint_eq(d.proto, 17);
	ck_assert_uint_eq(d.dscp, 10);
	ck_assert_uint_eq(d.flags, 0);
	assert_addr(&d.src, V6_SRC, 6);
	assert_addr(&d.dst, V6_DST, 6);
	ck_assert_uint_eq(d.ip_len, 40 + 13);
	ck_assert_uint_eq(d.frag_id, 0);
	ck_assert_uint_eq(d.frag_off, 0);
	ck_assert_uint_eq(d.sport, 5353);
	ck_assert_uint_eq(d.dport, 53);
	ck_assert_uint_eq(d.tcp_flags, 0);
	ck_assert_uint_eq(d.tcp_seq, 0);
	ck_assert_uint_eq(d.tcp_ack, 0);
	ck_assert_uint_eq(d.icmp_type, 0);
	assert_payload(&d, f.b + ll + 48, "query", 5);
	assert_no_tunnel(&d);
}
END_TEST

START_TEST(test_link_nonip_and_unsupported)
{
	struct frame f = { .len = 0 };
	struct decoded_pkt d;
	put_bytes(&f, MAC_B, 6);
	put_bytes(&f, MAC_A, 6);
	put16(&f, 0x0806); /* ARP */
	put_fill(&f, 0, 28);
	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), DECODE_NONIP);
	set16(&f, 12, 0x0026); /* 802.3 length field, then LLC (STP) */
	f.b[14] = 0x42;
	f.b[15] = 0x42;
	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), DECODE_NONIP);
	set16(&f, 12, 0x8100); /* a VLAN-tagged ARP is still not IP */
	set16(&f, 16, 0x0806);
	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), DECODE_NONIP);
	ck_assert_int_eq(decode_frame(107, &f, &d), DECODE_UNSUPPORTED_LINK); /* Frame Relay */
	ck_assert_int_eq(decode_frame(DLT_LINUX_SLL, &f, &d), DECODE_NONIP); /* protocol 0x4242, unknown */

	f.len = 0;
	put32(&f, 7); /* an AF value that is neither IPv4 nor IPv6 */
	put_fill(&f, 0x45, 20);
	ck_assert_int_eq(decode_frame(DLT_LOOP, &f, &d), DECODE_NONIP);
	ck_assert_int_eq(decode_frame(DLT_NULL, &f, &d), DECODE_NONIP);
	ck_assert_int_eq(decode_frame(DLT_RAW, &f, &d), DECODE_MALFORMED); /* version 0 */

	ck_assert(decode_linktype_supported(DLT_EN10MB));
	ck_assert(decode_linktype_supported(DLT_LINUX_SLL2));
	ck_assert(decode_linktype_supported(LINKTYPE_RAW));
	ck_assert(decode_linktype_supported(DLT_IPV6));
	ck_assert(decode_linktype_supported(DLT_NULL));
	ck_assert(decode_linktype_supported(DLT_LOOP));
	ck_assert(decode_linktype_supported(DLT_PPP));
	ck_assert(decode_linktype_supported(DLT_PPI));
	ck_assert(!decode_linktype_supported(107)); /* Frame Relay */
	ck_assert(!decode_linktype_supported(-1));
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(decode_linktype_name(DLT_EN10MB), "EN10MB (Ethernet)");
	ck_assert_str_eq(decode_linktype_name(DLT_LINUX_SLL), "LINUX_SLL (Linux cooked v1)");
	ck_assert_str_eq(decode_linktype_name(DLT_LINUX_SLL2), "LINUX_SLL2 (Linux cooked v2)");
	ck_assert_str_eq(decode_linktype_name(DLT_PPP), "PPP");
	ck_assert_str_eq(decode_linktype_name(DLT_PPI), "PPI");
	ck_assert_str_eq(decode_linktype_name(DLT_C_HDLC), "C_HDLC (Cisco HDLC)");
	ck_assert_str_eq(decode_linktype_name(DLT_RAW), "RAW (raw IP)");
	ck_assert_str_eq(decode_linktype_name(DLT_IPV4), "IPV4 (raw IPv4)");
	ck_assert_str_eq(decode_linktype_name(12345), "unknown link type");
	ck_assert_str_eq(decode_status_name(DECODE_OK), "ok");
	ck_assert_str_eq(decode_status_name(DECODE_TRUNCATED), "truncated");
	ck_assert_str_eq(decode_status_name(DECODE_MALFORMED), "malformed");
	ck_assert_str_eq(decode_status_name(DECODE_NONIP), "non-IP");
	ck_assert_str_eq(decode_status_name(DECODE_UNSUPPORTED_LINK), "unsupported link type");
}
END_TEST

START_TEST(test_ipv4_options)
{
	struct frame seg, ip, f;
	struct decoded_pkt d;
	size_t ll;
	struct ip4_hdr_opts o = IP4_PLAIN;
	o.opt_words = 3; /* IHL 8 */
	build_tcp(&seg, 443, 50000, 0x18, 3, "data!"); /* TCP options too: data offset 8 */
	wrap_ipv4(&ip, 6, &seg, &o);
	int lt = wrap_link(&f, LK_ETH, &ip, &ll);
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_OK);
	ck_assert_uint_eq(d.ip_len, 32 + 32 + 5);
	ck_assert_uint_eq(d.sport, 443);
	ck_assert_uint_eq(d.dport, 50000);
	ck_assert_uint_eq(d.tcp_flags, 0x18);
	ck_assert_uint_eq(d.tcp_seq, TCP_SEQ);
	ck_assert_uint_eq(d.flags, 0);
	assert_payload(&d, f.b + ll + 64, "data!", 5);

	o.opt_words = 10; /* IHL 15, the maximum */
	wrap_ipv4(&ip, 6, &seg, &o);
	lt = wrap_link(&f, LK_RAW, &ip, &ll);
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_OK);
	ck_assert_uint_eq(d.sport, 443);
	assert_payload(&d, f.b + 60 + 32, "data!", 5);
}
END_TEST

START_TEST(test_ipv4_bad_headers)
{
	struct frame seg, ip, f;
	struct decoded_pkt d;
	size_t ll;
	build_udp(&seg, 1, 2, "abcdefgh");
	wrap_ipv4(&ip, 17, &seg, &IP4_PLAIN);
	int lt = wrap_link(&f, LK_ETH, &ip, &ll);

	f.b[ll] = 0x44; /* IHL 4 */
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_MALFORMED);
	f.b[ll] = 0x40; /* IHL 0: a zero-length header */
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_MALFORMED);
	f.b[ll] = 0x65; /* ethertype IPv4, version 6 */
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_MALFORMED);
	f.b[ll] = 0x45;
	set16(&f, ll + 2, 19); /* total length below the header length */
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_MALFORMED);
	set16(&f, ll + 2, 20 + 7); /* room for less than the UDP header */
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_MALFORMED);
	set16(&f, ll + 2, 36);

	struct frame empty = f; /* ethertype IPv4 and not one byte of it */
	empty.len = ll;
	ck_assert_int_eq(decode_frame(lt, &empty, &d), DECODE_TRUNCATED);
	empty.len = ll + 19;
	ck_assert_int_eq(decode_frame(lt, &empty, &d), DECODE_TRUNCATED);

	/* DLT_IPV4 carrying IPv6, DLT_IPV6 carrying IPv4 */
	ck_assert_int_eq(decode_packet(DLT_IPV6, ip.b, (uint32_t)ip.len, &d), DECODE_MALFORMED);
	wrap_ipv6(&f, 17, &seg, 0);
	ck_assert_int_eq(decode_packet(DLT_IPV4, f.b, (uint32_t)f.len, &d), DECODE_MALFORMED);
}
END_TEST

/* IP length > captured: treated as a snap-length cut, decoded as far as the bytes go. */
START_TEST(test_ip_len_short)
{
	struct frame seg, ip, f;
	struct decoded_pkt d;
	size_t ll;
	build_tcp(&seg, 1000, 2000, 0x10, 0, "hello");
	wrap_ipv4(&ip, 6, &seg, &IP4_PLAIN);
	int lt = wrap_link(&f, LK_ETH, &ip, &ll);
	set16(&f, ll + 2, 45 + 100);
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_OK);
	ck_assert_uint_eq(d.flags, DPKT_IP_LEN_SHORT | DPKT_L4_TRUNCATED);
	ck_assert_uint_eq(d.ip_len, 145);
	ck_assert_uint_eq(d.sport, 1000);
	ck_assert_uint_eq(d.dport, 2000);
	assert_payload(&d, f.b + ll + 40, "hello", 105);

	f.len = ll + 30; /* now the TCP header itself is cut */
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_TRUNCATED);

	wrap_ipv6(&ip, 6, &seg, 0);
	lt = wrap_link(&f, LK_SLL2, &ip, &ll);
	set16(&f, ll + 4, 25 + 40);
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_OK);
	ck_assert_uint_eq(d.flags, DPKT_IP_LEN_SHORT | DPKT_L4_TRUNCATED);
	ck_assert_uint_eq(d.ip_len, 40 + 65);
	assert_payload(&d, f.b + ll + 60, "hello", 45);
}
END_TEST

START_TEST(test_ethernet_padding)
{
	struct frame seg, ip, f;
	struct decoded_pkt d;
	size_t ll;
	build_tcp(&seg, 1, 2, 0x02, 0, ""); /* a bare SYN: 54 bytes on the wire, padded to 60 */
	wrap_ipv4(&ip, 6, &seg, &IP4_PLAIN);
	int lt = wrap_link(&f, LK_ETH, &ip, &ll);
	put_fill(&f, 0xee, ETH_MIN_FRAME - f.len);
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_OK);
	ck_assert_uint_eq(d.ip_len, 40);
	ck_assert_uint_eq(d.flags, 0);
	assert_payload(&d, f.b + ll + 40, "", 0);

	build_udp(&seg, 1, 2, "ab");
	wrap_ipv4(&ip, 17, &seg, &IP4_PLAIN);
	lt = wrap_link(&f, LK_VLAN, &ip, &ll);
	put_fill(&f, 0xee, ETH_MIN_FRAME - f.len);
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_OK);
	assert_payload(&d, f.b + ll + 28, "ab", 2);

	wrap_ipv6(&ip, 17, &seg, 0);
	lt = wrap_link(&f, LK_ETH, &ip, &ll);
	put_fill(&f, 0xee, 8);
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_OK);
	ck_assert_uint_eq(d.ip_len, 50);
	assert_payload(&d, f.b + ll + 48, "ab", 2);
}
END_TEST

START_TEST(test_ipv4_fragments)
{
	struct frame seg, ip, f;
	struct decoded_pkt d;
	size_t ll;
	struct ip4_hdr_opts o = IP4_PLAIN;

	/* First fragment of a 1000-byte datagram: UDP length covers more than this fragment. */
	build_udp(&seg, 4000, 5000, "firstfra");
	set16(&seg, 4, 1000);
	o.frag = 0x2000; /* MF */
	wrap_ipv4(&ip, 17, &seg, &o);
	int lt = wrap_link(&f, LK_ETH, &ip, &ll);
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_OK);
	ck_assert_uint_eq(d.flags, DPKT_FRAG | DPKT_FRAG_FIRST);
	ck_assert_uint_eq(d.frag_id, 0x1234);
	ck_assert_uint_eq(d.frag_off, 0);
	ck_assert_uint_eq(d.sport, 4000);
	ck_assert_uint_eq(d.dport, 5000);
	assert_payload(&d, f.b + ll + 28, "firstfra", 8);

	/* A later fragment: offset 2 units = 16 bytes, last (MF clear). Data is not a header. */
	struct frame data = { .len = 0 };
	put_bytes(&data, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a", 10);
	o.frag = 2;
	wrap_ipv4(&ip, 17, &data, &o);
	lt = wrap_link(&f, LK_VLAN, &ip, &ll);
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_OK);
	ck_assert_uint_eq(d.flags, DPKT_FRAG | DPKT_FRAG_LATER);
	ck_assert_uint_eq(d.frag_off, 16);
	ck_assert_uint_eq(d.proto, 17);
	ck_assert_uint_eq(d.sport, 0);
	ck_assert_uint_eq(d.dport, 0);
	ck_assert_uint_eq(d.payload_len, 10);
	ck_assert_ptr_eq(d.payload.p, f.b + ll + 20);
	ck_assert_uint_eq(d.payload.len, 10);

	o.frag = 0x2000 | 0x1fff; /* a middle fragment at the largest offset */
	wrap_ipv4(&ip, 6, &data, &o);
	lt = wrap_link(&f, LK_RAW, &ip, &ll);
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_OK);
	ck_assert_uint_eq(d.flags, DPKT_FRAG | DPKT_FRAG_LATER);
	ck_assert_uint_eq(d.frag_off, 0x1fff * 8);
	ck_assert_uint_eq(d.proto, 6);
	ck_assert_uint_eq(d.tcp_flags, 0);

	o.frag = 0x4000; /* DF alone is not a fragment */
	build_udp(&seg, 4000, 5000, "x");
	wrap_ipv4(&ip, 17, &seg, &o);
	lt = wrap_link(&f, LK_RAW, &ip, &ll);
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_OK);
	ck_assert_uint_eq(d.flags, 0);
	ck_assert_uint_eq(d.sport, 4000);
}
END_TEST

START_TEST(test_ipv6_ext_chain)
{
	struct frame ip, f;
	struct decoded_pkt d;
	size_t ll;
	build_v6_chain(&ip, false);
	int lt = wrap_link(&f, LK_QINQ, &ip, &ll);
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_OK);
	ck_assert_uint_eq(d.vlan, 200);
	ck_assert_uint_eq(d.inner_vlan, 300);
	ck_assert_uint_eq(d.ipver, 6);
	ck_assert_uint_eq(d.dscp, 46);
	ck_assert_uint_eq(d.proto, 17);
	ck_assert_uint_eq(d.flags, DPKT_FRAG | DPKT_FRAG_FIRST);
	ck_assert_uint_eq(d.frag_id, 0xdeadbeef);
	ck_assert_uint_eq(d.frag_off, 0);
	ck_assert_uint_eq(d.ip_len, 40 + 8 + 24 + 16 + 8 + 12);
	ck_assert_uint_eq(d.sport, 3478);
	ck_assert_uint_eq(d.dport, 40000);
	assert_payload(&d, f.b + ll + 40 + 56 + 8, "stun", 4);

	build_v6_chain(&ip, true);
	lt = wrap_link(&f, LK_SLL, &ip, &ll);
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_OK);
	ck_assert_uint_eq(d.flags, DPKT_FRAG | DPKT_FRAG_LATER);
	ck_assert_uint_eq(d.frag_off, 1448);
	ck_assert_uint_eq(d.frag_id, 0xdeadbeef);
	ck_assert_uint_eq(d.proto, 17);
	ck_assert_uint_eq(d.sport, 0);
	ck_assert_uint_eq(d.dport, 0);
	ck_assert_uint_eq(d.payload_len, 12);
	ck_assert_ptr_eq(d.payload.p, f.b + ll + 40 + 56);

	/* An atomic fragment (offset 0, M clear; RFC 6946) is a whole packet. */
	struct frame pay = { .len = 0 }, seg;
	put_frag6(&pay, 6, 0, false, 7);
	build_tcp(&seg, 22, 60000, 0x10, 0, "ssh");
	append(&pay, &seg);
	wrap_ipv6(&ip, 44, &pay, 0);
	lt = wrap_link(&f, LK_RAW, &ip, &ll);
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_OK);
	ck_assert_uint_eq(d.flags, 0);
	ck_assert_uint_eq(d.sport, 22);
	ck_assert_uint_eq(d.tcp_flags, 0x10);
}
END_TEST

/* A chain of n destination-options headers in front of TCP. */
static void build_v6_long_chain(struct frame *ip, unsigned n)
{
	struct frame pay = { .len = 0 }, seg;
	for (unsigned i = 0; i < n; i++)
		put_ext(&pay, i + 1 < n ? 60 : 6, 0);
	build_tcp(&seg, 80, 8080, 0x01, 0, "");
	append(&pay, &seg);
	wrap_ipv6(ip, 60, &pay, 0);
}

START_TEST(test_ipv6_chain_limit)
{
	struct frame ip;
	struct decoded_pkt d;
	build_v6_long_chain(&ip, DECODE_MAX_EXT_HEADERS);
	ck_assert_int_eq(decode_packet(DLT_RAW, ip.b, (uint32_t)ip.len, &d), DECODE_OK);
	ck_assert_uint_eq(d.sport, 80);
	ck_assert_uint_eq(d.tcp_flags, 0x01);
	build_v6_long_chain(&ip, DECODE_MAX_EXT_HEADERS + 1);
	ck_assert_int_eq(decode_packet(DLT_RAW, ip.b, (uint32_t)ip.len, &d), DECODE_MALFORMED);
}
END_TEST

START_TEST(test_ipv6_ah_none_and_lies)
{
	struct frame pay = { .len = 0 }, seg, ip;
	struct decoded_pkt d;
	put_ah(&pay, 6, 4); /* 24 bytes */
	build_tcp(&seg, 179, 33000, 0x18, 0, "bgp");
	append(&pay, &seg);
	wrap_ipv6(&ip, 51, &pay, 0);
	ck_assert_int_eq(decode_packet(DLT_IPV6, ip.b, (uint32_t)ip.len, &d), DECODE_OK);
	ck_assert_uint_eq(d.proto, 6);
	ck_assert_uint_eq(d.sport, 179);
	assert_payload(&d, ip.b + 40 + 24 + 20, "bgp", 3);

	set16(&ip, 4, 24 + 10); /* payload length ends inside the TCP header */
	ck_assert_int_eq(decode_packet(DLT_IPV6, ip.b, (uint32_t)ip.len, &d), DECODE_MALFORMED);
	set16(&ip, 4, 20); /* ... inside the AH */
	ck_assert_int_eq(decode_packet(DLT_IPV6, ip.b, (uint32_t)ip.len, &d), DECODE_MALFORMED);
	set16(&ip, 4, 0); /* a jumbogram-style zero length: unsupported, malformed */
	ck_assert_int_eq(decode_packet(DLT_IPV6, ip.b, (uint32_t)ip.len, &d), DECODE_MALFORMED);

	pay.len = 0;
	put_bytes(&pay, "ignored", 7);
	wrap_ipv6(&ip, 59, &pay, 0); /* no next header */
	ck_assert_int_eq(decode_packet(DLT_IPV6, ip.b, (uint32_t)ip.len, &d), DECODE_OK);
	ck_assert_uint_eq(d.proto, 59);
	ck_assert_uint_eq(d.sport, 0);
	ck_assert_uint_eq(d.dport, 0);
	ck_assert_uint_eq(d.flags, 0);
	ck_assert_uint_eq(d.payload_len, 7);
}
END_TEST

START_TEST(test_tcp_data_offset)
{
	struct frame seg, ip, f;
	struct decoded_pkt d;
	size_t ll;
	build_tcp(&seg, 1, 2, 0x02, 0, "12345");
	seg.b[12] = 0x40; /* data offset 4 */
	wrap_ipv4(&ip, 6, &seg, &IP4_PLAIN);
	int lt = wrap_link(&f, LK_ETH, &ip, &ll);
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_MALFORMED);
	f.b[ll + 20 + 12] = 0x70; /* 28 bytes: past the 25-byte segment */
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_MALFORMED);
	f.b[ll + 20 + 12] = 0xf0; /* 60 bytes: past the packet and the IP length */
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_MALFORMED);

	/* Within the IP length but past the capture: cut, not a lie. */
	build_tcp(&seg, 1, 2, 0x02, 5, "");
	wrap_ipv4(&ip, 6, &seg, &IP4_PLAIN);
	lt = wrap_link(&f, LK_ETH, &ip, &ll);
	f.len = ll + 20 + 30;
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_TRUNCATED);
	f.len = ll + 20 + 40;
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_OK);
	assert_payload(&d, f.b + ll + 60, "", 0);
}
END_TEST

START_TEST(test_udp_lengths)
{
	struct frame seg, ip, f;
	struct decoded_pkt d;
	size_t ll;
	build_udp(&seg, 1, 2, "abcdef");
	wrap_ipv4(&ip, 17, &seg, &IP4_PLAIN);
	int lt = wrap_link(&f, LK_SLL, &ip, &ll);
	set16(&f, ll + 24, 7);
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_MALFORMED);
	set16(&f, ll + 24, 0);
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_MALFORMED);
	set16(&f, ll + 24, 15); /* one more than the IP payload */
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_MALFORMED);
	set16(&f, ll + 24, 11); /* shorter than the IP payload: the UDP length wins */
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_OK);
	assert_payload(&d, f.b + ll + 28, "abc", 3);
	ck_assert_uint_eq(d.flags, 0);
}
END_TEST

START_TEST(test_icmp_and_other)
{
	struct frame seg, ip, f;
	struct decoded_pkt d;
	size_t ll;
	build_icmp(&seg, 8, 0, "\x12\x34\x56\x78ping");
	wrap_ipv4(&ip, 1, &seg, &IP4_PLAIN);
	int lt = wrap_link(&f, LK_NULL_LE, &ip, &ll);
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_OK);
	ck_assert_uint_eq(d.proto, 1);
	ck_assert_uint_eq(d.icmp_type, 8);
	ck_assert_uint_eq(d.icmp_code, 0);
	/* Zeek's ports: the type, and for echo its counterpart (the reply, 0) */
	ck_assert_uint_eq(d.sport, 8);
	ck_assert_uint_eq(d.dport, 0);
	ck_assert_uint_eq(d.tcp_flags, 0);
	assert_payload(&d, f.b + ll + 24, "\x12\x34\x56\x78ping", 8);

	build_icmp(&seg, 1, 4, ""); /* destination unreachable: a bare 4-byte header will do */
	wrap_ipv6(&ip, 58, &seg, 0);
	lt = wrap_link(&f, LK_LOOP, &ip, &ll);
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_OK);
	ck_assert_uint_eq(d.proto, 58);
	ck_assert_uint_eq(d.icmp_type, 1);
	ck_assert_uint_eq(d.icmp_code, 4);
	/* a one-way message: the type and the code */
	ck_assert_uint_eq(d.sport, 1);
	ck_assert_uint_eq(d.dport, 4);
	assert_payload(&d, f.b + ll + 44, "", 0);

	/* echo request and reply have mirrored ports, so both directions share a flow key */
	build_icmp(&seg, 128, 0, "\x12\x34\x00\x01");
	wrap_ipv6(&ip, 58, &seg, 0);
	lt = wrap_link(&f, LK_LOOP, &ip, &ll);
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_OK);
	ck_assert_uint_eq(d.sport, 128);
	ck_assert_uint_eq(d.dport, 129);
	build_icmp(&seg, 0, 0, "\x12\x34\x00\x01");
	wrap_ipv4(&ip, 1, &seg, &IP4_PLAIN);
	lt = wrap_link(&f, LK_NULL_LE, &ip, &ll);
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_OK);
	ck_assert_uint_eq(d.sport, 0);
	ck_assert_uint_eq(d.dport, 8);

	seg.len = 0;
	put_bytes(&seg, "\x00\x00\x00\x00greedata", 12); /* GRE, unknown payload: port-less */
	wrap_ipv4(&ip, 47, &seg, &IP4_PLAIN);
	lt = wrap_link(&f, LK_NULL_BE, &ip, &ll);
	ck_assert_int_eq(decode_frame(lt, &f, &d), DECODE_OK);
	ck_assert_uint_eq(d.proto, 47);
	ck_assert_uint_eq(d.sport, 0);
	ck_assert_uint_eq(d.icmp_type, 0);
	ck_assert_uint_eq(d.tunnel_type, TUNNEL_NONE);
	ck_assert_uint_eq(d.payload_len, 12);
	ck_assert_ptr_eq(d.payload.p, f.b + ll + 20);
}
END_TEST

/* The variants of the capture and device headers that wrap_link() does not build: each decodes
 * the packet, or says why not, without reading past the frame (the sweeps cover the cuts). */
START_TEST(test_encap_variants)
{
	struct frame seg, ip, f;
	struct decoded_pkt d;
	build_udp(&seg, 5060, 5060, "sip");
	wrap_ipv4(&ip, 17, &seg, &IP4_PLAIN);

	/* ERF record of type IPv4 (22): the IP header right after the 16-byte record header */
	f.len = 0;
	put_fill(&f, 0, 8);
	put8(&f, 22);
	put8(&f, 0);
	put16(&f, (unsigned)(16 + ip.len));
	put16(&f, 0);
	put16(&f, (unsigned)ip.len);
	append(&f, &ip);
	ck_assert_int_eq(decode_frame(DLT_ERF, &f, &d), DECODE_OK);
	ck_assert_uint_eq(d.sport, 5060);
	f.b[8] = 1; /* HDLC/POS: not read */
	ck_assert_int_eq(decode_frame(DLT_ERF, &f, &d), DECODE_NONIP);
	f.b[8] = 0x96; /* IPv4 with extension headers that never end within the frame */
	memset(f.b + 16, 0x80, f.len - 16);
	ck_assert_int_eq(decode_frame(DLT_ERF, &f, &d), DECODE_TRUNCATED);

	/* Juniper without L2: "MGC", flags NO_L2, a 4-byte protocol word, IP */
	f.len = 0;
	put_bytes(&f, "MGC\x02", 4);
	put32(&f, 2);
	append(&f, &ip);
	ck_assert_int_eq(decode_frame(DLT_JUNIPER_ETHER, &f, &d), DECODE_OK);
	ck_assert_uint_eq(d.dport, 5060);
	f.b[0] = 'X'; /* no magic */
	ck_assert_int_eq(decode_frame(DLT_JUNIPER_ETHER, &f, &d), DECODE_MALFORMED);

	/* ATM CLIP without LLC/SNAP: bare IP; SNAP for another ethertype: no IP */
	ck_assert_int_eq(decode_frame(LINKTYPE_ATM_CLIP, &ip, &d), DECODE_OK);
	f.len = 0;
	put_bytes(&f, "\xaa\xaa\x03\x00\x00\x00\x08\x06", 8); /* SNAP for ARP */
	put_fill(&f, 0, 28);
	ck_assert_int_eq(decode_frame(LINKTYPE_ATM_CLIP, &f, &d), DECODE_NONIP);
	f.b[0] = 0x42; /* not 0xaa: taken as IP, whose header length (2 words) is impossible */
	f.b[1] = 0x42;
	ck_assert_int_eq(decode_frame(LINKTYPE_ATM_CLIP, &f, &d), DECODE_MALFORMED);

	/* PKTAP: a record that is not a packet; a header shorter than the structure; a PKTAP
	 * inside a PKTAP */
	f.len = 0;
	put8(&f, 108);
	put_fill(&f, 0, 3);
	put8(&f, 0); /* record type none */
	put_fill(&f, 0, 3);
	put8(&f, 12); /* DLT_RAW */
	put_fill(&f, 0, 108 - 9);
	append(&f, &ip);
	ck_assert_int_eq(decode_frame(DLT_PKTAP, &f, &d), DECODE_NONIP);
	f.b[4] = 1;
	ck_assert_int_eq(decode_frame(DLT_PKTAP, &f, &d), DECODE_OK);
	f.b[0] = 40;
	ck_assert_int_eq(decode_frame(DLT_PKTAP, &f, &d), DECODE_MALFORMED);
	f.b[0] = 108;
	f.b[8] = 0x02; /* DLT 258 = PKTAP */
	f.b[9] = 0x01;
	ck_assert_int_eq(decode_frame(DLT_PKTAP, &f, &d), DECODE_MALFORMED);

	/* NFLOG: an ARP payload (family AF_UNSPEC), a TLV length below its header, version 1 */
	f.len = 0;
	put8(&f, 0);
	put8(&f, 0);
	put16(&f, 0);
	uint16_t tlv[2] = { (uint16_t)(4 + ip.len), 9 };
	put_bytes(&f, tlv, 4);
	append(&f, &ip);
	ck_assert_int_eq(decode_frame(DLT_NFLOG, &f, &d), DECODE_NONIP);
	f.b[0] = 2;
	ck_assert_int_eq(decode_frame(DLT_NFLOG, &f, &d), DECODE_OK);
	tlv[0] = 3;
	memcpy(f.b + 4, tlv, 2);
	ck_assert_int_eq(decode_frame(DLT_NFLOG, &f, &d), DECODE_MALFORMED);
	f.b[1] = 1;
	ck_assert_int_eq(decode_frame(DLT_NFLOG, &f, &d), DECODE_MALFORMED);

	/* FDDI: a MAC frame (frame control 0xc0) carries no IP; IPNET: an unknown family */
	f.len = 0;
	put8(&f, 0xc0);
	put_fill(&f, 0, 12 + 8);
	ck_assert_int_eq(decode_frame(DLT_FDDI, &f, &d), DECODE_NONIP);
	f.len = 0;
	put8(&f, 1);
	put8(&f, 99);
	put_fill(&f, 0, 22);
	append(&f, &ip);
	ck_assert_int_eq(decode_frame(DLT_IPNET, &f, &d), DECODE_NONIP);

	/* names: ours for the types decoded, libpcap's for the rest */
	ck_assert_str_eq(decode_linktype_name(DLT_NFLOG), "NFLOG (Linux netfilter log)");
	ck_assert_str_eq(decode_linktype_name(189), "USB with Linux header");
	ck_assert(decode_linktype_supported(DLT_ERF));
	ck_assert(decode_linktype_supported(LINKTYPE_ATM_CLIP));
	ck_assert(!decode_linktype_supported(189));
}
END_TEST

static Suite *decode_suite(void)
{
	Suite *s = suite_create("decode");
	TCase *tc = tcase_create("frames");
	tcase_add_loop_test(tc, test_ipv4_tcp_all_links, 0, LK_COUNT);
	tcase_add_loop_test(tc, test_ipv6_udp_all_links, 0, LK_COUNT);
	tcase_add_test(tc, test_link_nonip_and_unsupported);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_ipv4_options);
	tcase_add_test(tc, test_ipv4_bad_headers);
	tcase_add_test(tc, test_ip_len_short);
	tcase_add_test(tc, test_ethernet_padding);
	tcase_add_test(tc, test_ipv4_fragments);
	tcase_add_test(tc, test_ipv6_ext_chain);
	tcase_add_test(tc, test_ipv6_chain_limit);
	tcase_add_test(tc, test_ipv6_ah_none_and_lies);
	tcase_add_test(tc, test_tcp_data_offset);
	tcase_add_test(tc, test_udp_lengths);
	tcase_add_test(tc, test_icmp_and_other);
	tcase_add_test(tc, test_encap_variants);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(decode_suite());
}
