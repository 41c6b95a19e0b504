/* check_decode.c - unit tests for the decode stage on frames crafted here: every link type, IPv4
 * (RFC 791) options and fragments, IPv6 (RFC 8200) extension chains, TCP/UDP/ICMP, lying lengths,
 * a sweep that cuts valid frames at every byte (each prefix in an exact-size heap buffer, so
 * AddressSanitizer reports any read past the capture), and a comparison of decode_packet()'s fast
 * path with the general path on many variants of those frames.
 */
#include <check.h>
#include <pcap/dlt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "decode_internal.h" /* decode_fast(), decode_packet_general(), link types */
#include "run_suite.h"

#define ETH_MIN_FRAME 60 /* without FCS: shorter frames are padded by the sender */
#define TCP_SEQ 0x11223344u
#define TCP_ACK 0x55667788u

/* ---- frame building ---- */

struct frame {
	uint8_t b[2048];
	size_t len;
};

static void put8(struct frame *f, unsigned v)
{
	ck_assert_uint_lt(f->len, sizeof f->b);
	f->b[f->len++] = (uint8_t)v;
}
static void put16(struct frame *f, unsigned v)
{
	put8(f, (v >> 8) & 0xff);
	put8(f, v & 0xff);
}
static void put32(struct frame *f, uint32_t v)
{
	put16(f, v >> 16);
	put16(f, v & 0xffff);
}
static void put_bytes(struct frame *f, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(f, ((const uint8_t *)p)[i]);
}
static void put_fill(struct frame *f, unsigned v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(f, v);
}
static void set16(struct frame *f, size_t off, unsigned v)
{
	f->b[off] = (uint8_t)(v >> 8);
	f->b[off + 1] = (uint8_t)v;
}

static const uint8_t V4_SRC[4] = { 10, 0, 0, 1 }, V4_DST[4] = { 192, 168, 1, 2 };
static const uint8_t V6_SRC[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t V6_DST[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0xab, [15] = 2 };
static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0xaa }, MAC_B[6] = { 0x02, 0, 0, 0, 0, 0xbb };

/* TCP with opt_words 4-byte words of NOP options before payload. */
static void build_tcp(struct frame *s, unsigned sp, unsigned dp, unsigned flags, size_t opt_words,
		      const char *payload)
{
	s->len = 0;
	put16(s, sp);
	put16(s, dp);
	put32(s, TCP_SEQ);
	put32(s, TCP_ACK);
	put8(s, (unsigned)(5 + opt_words) << 4);
	put8(s, flags);
	put16(s, 65535);
	put32(s, 0); /* checksum, urgent pointer */
	put_fill(s, 1, opt_words * 4);
	put_bytes(s, payload, strlen(payload));
}

static void build_udp(struct frame *s, unsigned sp, unsigned dp, const char *payload)
{
	s->len = 0;
	put16(s, sp);
	put16(s, dp);
	put16(s, 8 + (unsigned)strlen(payload));
	put16(s, 0);
	put_bytes(s, payload, strlen(payload));
}

static void build_icmp(struct frame *s, unsigned type, unsigned code, const char *payload)
{
	s->len = 0;
	put8(s, type);
	put8(s, code);
	put16(s, 0);
	put_bytes(s, payload, strlen(payload));
}

struct ip4_hdr_opts {
	unsigned tos, id, frag; /* frag: the flags + fragment offset field as on the wire */
	size_t opt_words;       /* IHL = 5 + opt_words */
};
static const struct ip4_hdr_opts IP4_PLAIN = { 0xb8, 0x1234, 0, 0 };

static void wrap_ipv4(struct frame *p, unsigned proto, const struct frame *l4,
		      const struct ip4_hdr_opts *o)
{
	size_t hlen = 20 + 4 * o->opt_words;
	p->len = 0;
	put8(p, 0x40 | (unsigned)(hlen / 4));
	put8(p, o->tos);
	put16(p, (unsigned)(hlen + l4->len));
	put16(p, o->id);
	put16(p, o->frag);
	put8(p, 64);
	put8(p, proto);
	put16(p, 0);
	put_bytes(p, V4_SRC, 4);
	put_bytes(p, V4_DST, 4);
	if (o->opt_words > 0) { /* record route: type, length, pointer, slots, then end-of-list */
		size_t n = 4 * o->opt_words;
		put8(p, 7);
		put8(p, (unsigned)n - 1);
		put8(p, 4);
		put_fill(p, 0, n - 4);
		put8(p, 0);
	}
	put_bytes(p, l4->b, l4->len);
}

/* pay holds any extension headers followed by the transport segment. */
static void wrap_ipv6(struct frame *p, unsigned nh, const struct frame *pay, unsigned tc)
{
	p->len = 0;
	put32(p, 0x60000000u | (uint32_t)tc << 20 | 0x12345);
	put16(p, (unsigned)pay->len);
	put8(p, nh);
	put8(p, 64);
	put_bytes(p, V6_SRC, 16);
	put_bytes(p, V6_DST, 16);
	put_bytes(p, pay->b, pay->len);
}

/* Hop-by-hop / routing / destination options: (units + 1) * 8 bytes, padded with a PadN option. */
static void put_ext(struct frame *f, unsigned next, unsigned units)
{
	size_t n = (units + 1) * 8;
	put8(f, next);
	put8(f, units);
	put8(f, 1);
	put8(f, (unsigned)n - 4);
	put_fill(f, 0, n - 4);
}

static void put_frag6(struct frame *f, unsigned next, unsigned off_bytes, bool more, uint32_t id)
{
	put8(f, next);
	put8(f, 0);
	put16(f, off_bytes | (more ? 1u : 0u));
	put32(f, id);
}

/* AH (RFC 4302): length field in 4-byte units minus 2. */
static void put_ah(struct frame *f, unsigned next, unsigned len_field)
{
	put8(f, next);
	put8(f, len_field);
	put16(f, 0);
	put32(f, 0x1000); /* SPI */
	put32(f, 1);      /* sequence */
	put_fill(f, 0xcc, (len_field + 2) * 4 - 12);
}

static void append(struct frame *f, const struct frame *g)
{
	put_bytes(f, g->b, g->len);
}

enum link_kind {
	LK_ETH, LK_VLAN, LK_QINQ, LK_QINQ_9100, LK_SLL, LK_SLL2, LK_RAW, LK_RAW_101, LK_RAW_V,
	LK_NULL_LE, LK_NULL_BE, LK_LOOP, LK_COUNT
};
static const uint16_t link_vlan[LK_COUNT][2] = {
	[LK_VLAN] = { 100, 0 }, [LK_QINQ] = { 200, 300 }, [LK_QINQ_9100] = { 400, 500 },
};

static void put_tag(struct frame *f, unsigned tpid, unsigned vid)
{
	put16(f, tpid);
	put16(f, 0xa000 | vid); /* PCP 5: the priority bits must not leak into the id */
}

/* Wraps an IP packet in a link header; returns the link type and sets *link_len. */
static int wrap_link(struct frame *f, enum link_kind k, const struct frame *ip, size_t *link_len)
{
	int ver = ip->b[0] >> 4, lt = -1;
	unsigned etype = ver == 4 ? 0x0800 : 0x86dd;
	f->len = 0;
	switch (k) {
	case LK_ETH:
	case LK_VLAN:
	case LK_QINQ:
	case LK_QINQ_9100:
		put_bytes(f, MAC_B, 6);
		put_bytes(f, MAC_A, 6);
		if (k == LK_VLAN)
			put_tag(f, 0x8100, 100);
		if (k == LK_QINQ) {
			put_tag(f, 0x88a8, 200);
			put_tag(f, 0x8100, 300);
		}
		if (k == LK_QINQ_9100) {
			put_tag(f, 0x9100, 400);
			put_tag(f, 0x8100, 500);
		}
		put16(f, etype);
		lt = DLT_EN10MB;
		break;
	case LK_SLL:
		put16(f, 0); /* to us */
		put16(f, 1); /* ARPHRD_ETHER */
		put16(f, 6);
		put_bytes(f, MAC_A, 6);
		put16(f, 0);
		put16(f, etype);
		lt = DLT_LINUX_SLL;
		break;
	case LK_SLL2:
		put16(f, etype);
		put16(f, 0);
		put32(f, 3); /* ifindex */
		put16(f, 1);
		put8(f, 0);
		put8(f, 6);
		put_bytes(f, MAC_A, 6);
		put16(f, 0);
		lt = DLT_LINUX_SLL2;
		break;
	case LK_RAW:
		lt = DLT_RAW;
		break;
	case LK_RAW_101:
		lt = LINKTYPE_RAW;
		break;
	case LK_RAW_V:
		lt = ver == 4 ? DLT_IPV4 : DLT_IPV6;
		break;
	case LK_NULL_LE: /* written by a little-endian host; Darwin's AF_INET6 */
		put8(f, ver == 4 ? 2 : 30);
		put_fill(f, 0, 3);
		lt = DLT_NULL;
		break;
	case LK_NULL_BE: /* written by a big-endian host; FreeBSD's AF_INET6 */
		put32(f, ver == 4 ? 2 : 28);
		lt = DLT_NULL;
		break;
	case LK_LOOP: /* network order; NetBSD/OpenBSD AF_INET6 */
		put32(f, ver == 4 ? 2 : 24);
		lt = DLT_LOOP;
		break;
	case LK_COUNT:
		break;
	}
	*link_len = f->len;
	append(f, ip);
	return lt;
}

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

/* hop-by-hop, routing, destination options, fragment (first), then UDP */
static void build_v6_chain(struct frame *ip, bool later)
{
	struct frame pay = { .len = 0 }, seg;
	put_ext(&pay, 43, 0);
	put_ext(&pay, 60, 2);
	put_ext(&pay, 44, 1);
	put_frag6(&pay, 17, later ? 1448 : 0, !later, 0xdeadbeef);
	build_udp(&seg, 3478, 40000, "stun");
	append(&pay, &seg);
	wrap_ipv6(ip, 0, &pay, 0xb8);
}

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
	ck_assert_uint_eq(d.sport, 0);
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
	assert_payload(&d, f.b + ll + 44, "", 0);

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
	if (k != LK_NULL_LE && k != LK_NULL_BE && k != LK_LOOP)
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
		bool want = k != LK_NULL_LE && k != LK_NULL_BE && k != LK_LOOP;
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
	suite_add_tcase(s, tc);

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
	return run_suite(decode_suite());
}
