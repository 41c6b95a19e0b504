/* tunnel_frames.h - frame builders and assertions shared by check_decode_tunnel.c and
 * check_decode_hostile.c: frames are built back to front (each layer prepended to what it
 * carries), one builder per encapsulation, and a sweep that cuts a frame at every byte into an
 * exact-size heap buffer (AddressSanitizer reports any read past the capture).
 */
#ifndef TUNNEL_FRAMES_H
#define TUNNEL_FRAMES_H

#include <check.h>
#include <pcap/dlt.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "decode_internal.h" /* link types older pcap/dlt.h versions lack */

/* ---- frames built back to front: each layer is prepended to what it carries ---- */

struct frame {
	uint8_t b[4096];
	size_t len;
};

static inline void pre_bytes(struct frame *f, const void *p, size_t n)
{
	ck_assert_uint_le(f->len + n, sizeof f->b);
	memmove(f->b + n, f->b, f->len);
	memcpy(f->b, p, n);
	f->len += n;
}

/* Builds a header in a scratch buffer with these, then prepends it. */
struct hdr {
	uint8_t b[128];
	size_t n;
};
static inline void h8(struct hdr *h, unsigned v)
{
	ck_assert_uint_lt(h->n, sizeof h->b);
	h->b[h->n++] = (uint8_t)v;
}
static inline void h16(struct hdr *h, unsigned v)
{
	h8(h, v >> 8);
	h8(h, v & 0xff);
}
static inline void h32(struct hdr *h, uint32_t v)
{
	h16(h, v >> 16);
	h16(h, v & 0xffff);
}
static inline void hbytes(struct hdr *h, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h8(h, ((const uint8_t *)p)[i]);
}
static inline void pre_hdr(struct frame *f, const struct hdr *h)
{
	pre_bytes(f, h->b, h->n);
}

static const uint8_t IN4_SRC[4] = { 10, 1, 1, 1 }, IN4_DST[4] = { 10, 2, 2, 2 };
static const uint8_t OUT4_SRC[4] = { 192, 0, 2, 1 }, OUT4_DST[4] = { 192, 0, 2, 2 };
static const uint8_t IN6_SRC[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x11 };
static const uint8_t IN6_DST[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x22 };
static const uint8_t OUT6_SRC[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, [15] = 1 };
static const uint8_t OUT6_DST[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, [15] = 2 };
static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0xaa }, MAC_B[6] = { 0x02, 0, 0, 0, 0, 0xbb };

static inline void payload_n(struct frame *f, const char *s, size_t n)
{
	f->len = 0;
	pre_bytes(f, s, n);
}
/* A string literal as the whole frame so far; embedded NULs count. */
#define payload(f, lit) payload_n((f), (lit), sizeof(lit) - 1)

static inline void pre_udp(struct frame *f, unsigned sp, unsigned dp)
{
	struct hdr h = { .n = 0 };
	h16(&h, sp);
	h16(&h, dp);
	h16(&h, 8 + (unsigned)f->len);
	h16(&h, 0);
	pre_hdr(f, &h);
}

static inline void pre_tcp(struct frame *f, unsigned sp, unsigned dp, unsigned flags)
{
	struct hdr h = { .n = 0 };
	h16(&h, sp);
	h16(&h, dp);
	h32(&h, 1000);
	h32(&h, 2000);
	h8(&h, 5 << 4);
	h8(&h, flags);
	h16(&h, 65535);
	h32(&h, 0);
	pre_hdr(f, &h);
}

static inline void pre_ipv4(struct frame *f, unsigned proto, const uint8_t src[4],
			    const uint8_t dst[4])
{
	struct hdr h = { .n = 0 };
	h8(&h, 0x45);
	h8(&h, 0x28); /* DSCP 10 */
	h16(&h, 20 + (unsigned)f->len);
	h16(&h, 0x4242);
	h16(&h, 0);
	h8(&h, 64);
	h8(&h, proto);
	h16(&h, 0);
	hbytes(&h, src, 4);
	hbytes(&h, dst, 4);
	pre_hdr(f, &h);
}

static inline void pre_ipv6(struct frame *f, unsigned nh, const uint8_t src[16],
			    const uint8_t dst[16])
{
	struct hdr h = { .n = 0 };
	h32(&h, 0x60000000u);
	h16(&h, (unsigned)f->len);
	h8(&h, nh);
	h8(&h, 64);
	hbytes(&h, src, 16);
	hbytes(&h, dst, 16);
	pre_hdr(f, &h);
}

/* Ethernet, with a VLAN tag when vid != 0. */
static inline void pre_eth(struct frame *f, unsigned type, unsigned vid)
{
	struct hdr h = { .n = 0 };
	hbytes(&h, MAC_B, 6);
	hbytes(&h, MAC_A, 6);
	if (vid) {
		h16(&h, 0x8100);
		h16(&h, vid);
	}
	h16(&h, type);
	pre_hdr(f, &h);
}

/* GRE: flags word (with version), protocol type, then nopt option words. */
static inline void pre_gre(struct frame *f, unsigned flags, unsigned ptype, unsigned nopt)
{
	struct hdr h = { .n = 0 };
	h16(&h, flags);
	h16(&h, ptype);
	for (unsigned i = 0; i < nopt; i++)
		h32(&h, 0x01020304u + i);
	pre_hdr(f, &h);
}

static inline void pre_mpls(struct frame *f, unsigned nlabels)
{
	struct hdr h = { .n = 0 };
	for (unsigned i = 0; i < nlabels; i++)
		h32(&h, ((16u + i) << 12) | (i + 1 == nlabels ? 0x100u : 0) | 64u);
	pre_hdr(f, &h);
}

static inline void pre_pppoe(struct frame *f, unsigned ppp_proto)
{
	struct hdr h = { .n = 0 };
	h8(&h, 0x11);
	h8(&h, 0);
	h16(&h, 0x1234);
	h16(&h, 2 + (unsigned)f->len);
	h16(&h, ppp_proto);
	pre_hdr(f, &h);
}

/* The inner packet most tests carry: UDP 5060 -> 5061 "hello" in IPv4 10.1.1.1 -> 10.2.2.2.
 * *ip_tail is how many bytes the frame has from the inner IP header to its end. */
static inline void inner_udp4(struct frame *f, size_t *ip_tail)
{
	payload(f, "hello");
	pre_udp(f, 5060, 5061);
	pre_ipv4(f, 17, IN4_SRC, IN4_DST);
	*ip_tail = f->len;
}

static inline void inner_tcp6(struct frame *f, size_t *ip_tail)
{
	payload(f, "GET /");
	pre_tcp(f, 40000, 443, 0x18);
	pre_ipv6(f, 6, IN6_SRC, IN6_DST);
	*ip_tail = f->len;
}

/* ---- assertions ---- */

static inline void assert_addr(const struct ucf_addr *got, const uint8_t *want, int ver)
{
	struct ucf_addr e;
	if (ver == 4)
		ucf_addr_set_v4(&e, want);
	else if (ver == 6)
		ucf_addr_set_v6(&e, want);
	else
		memset(&e, 0, sizeof e);
	ck_assert_mem_eq(got->b, e.b, 16);
}

static inline enum decode_status dec(int lt, const struct frame *f, struct decoded_pkt *d)
{
	memset(d, 0xa5, sizeof *d);
	return decode_packet(lt, f->b, (uint32_t)f->len, d);
}

static inline void assert_inner_udp4(const struct decoded_pkt *d)
{
	ck_assert_uint_eq(d->ipver, 4);
	ck_assert_uint_eq(d->proto, 17);
	assert_addr(&d->src, IN4_SRC, 4);
	assert_addr(&d->dst, IN4_DST, 4);
	ck_assert_uint_eq(d->sport, 5060);
	ck_assert_uint_eq(d->dport, 5061);
	ck_assert_uint_eq(d->dscp, 10);
	ck_assert_uint_eq(d->ip_len, 33);
	ck_assert_uint_eq(d->payload_len, 5);
	ck_assert_mem_eq(d->payload.p, "hello", 5);
	ck_assert_uint_eq(d->flags, 0);
}

static inline void assert_inner_tcp6(const struct decoded_pkt *d)
{
	ck_assert_uint_eq(d->ipver, 6);
	ck_assert_uint_eq(d->proto, 6);
	assert_addr(&d->src, IN6_SRC, 6);
	assert_addr(&d->dst, IN6_DST, 6);
	ck_assert_uint_eq(d->sport, 40000);
	ck_assert_uint_eq(d->dport, 443);
	ck_assert_uint_eq(d->tcp_flags, 0x18);
	ck_assert_uint_eq(d->payload_len, 5);
	ck_assert_uint_eq(d->flags, 0);
}

static inline void assert_tunnel(const struct decoded_pkt *d, enum tunnel_type t,
				 const uint8_t *src, const uint8_t *dst, int ver)
{
	ck_assert_uint_eq(d->tunnel_type, t);
	assert_addr(&d->tunnel_src, src, ver);
	assert_addr(&d->tunnel_dst, dst, ver);
}

/* Cuts f at every length below its full size, each prefix in an exact-size heap buffer. Before
 * the inner payload starts every cut is TRUNCATED; from there on it is OK with the same fields,
 * the payload shortened and the cut flags set exactly when the cut falls before the inner IP end /
 * the payload end. */
static inline void sweep(int lt, const struct frame *f, size_t ip_tail)
{
	struct decoded_pkt full, d;
	ck_assert_int_eq(decode_packet(lt, f->b, (uint32_t)f->len, &full), DECODE_OK);
	size_t hdr_end = (size_t)(full.payload.p - f->b);
	size_t ip_end = f->len - ip_tail + full.ip_len;
	size_t payload_end = hdr_end + full.payload_len;

	for (size_t cut = 0; cut < f->len; cut++) {
		uint8_t *buf = malloc(cut ? cut : 1);
		ck_assert_ptr_nonnull(buf);
		memcpy(buf, f->b, cut);
		memset(&d, 0xa5, sizeof d);
		enum decode_status st = decode_packet(lt, cut ? buf : NULL, (uint32_t)cut, &d);
		if (cut < hdr_end) {
			ck_assert_msg(st == DECODE_TRUNCATED, "lt %d cut %zu/%zu: %s", lt, cut,
				      f->len, decode_status_name(st));
		} else {
			ck_assert_msg(st == DECODE_OK, "lt %d cut %zu/%zu: %s", lt, cut, f->len,
				      decode_status_name(st));
			ck_assert_uint_eq(d.tunnel_type, full.tunnel_type);
			ck_assert_mem_eq(d.tunnel_src.b, full.tunnel_src.b, 16);
			ck_assert_mem_eq(d.tunnel_dst.b, full.tunnel_dst.b, 16);
			ck_assert_mem_eq(d.src.b, full.src.b, 16);
			ck_assert_mem_eq(d.dst.b, full.dst.b, 16);
			ck_assert_uint_eq(d.sport, full.sport);
			ck_assert_uint_eq(d.dport, full.dport);
			ck_assert_uint_eq(d.proto, full.proto);
			ck_assert_uint_eq(d.vlan, full.vlan);
			ck_assert_uint_eq(d.payload_len, full.payload_len);
			unsigned want = full.flags;
			if (cut < ip_end)
				want |= DPKT_IP_LEN_SHORT;
			if (cut < payload_end)
				want |= DPKT_L4_TRUNCATED;
			ck_assert_uint_eq(d.flags, want);
			ck_assert_ptr_eq(d.payload.p, buf + hdr_end);
		}
		free(buf);
	}
}

/* ---- the encapsulations, each built, checked, and swept ---- */

enum encap {
	EN_GRE4, EN_GRE_KEY_SEQ_CSUM, EN_GRE6_IN6, EN_GRE_TEB, EN_GRE_PPTP, EN_GRE_PPTP_ACK_PFC,
	EN_GRE_MPLS, EN_ERSPAN1, EN_ERSPAN2, EN_ERSPAN3, EN_ERSPAN3_SUB_IP, EN_VXLAN,
	EN_IPIP, EN_6IN4, EN_4IN6, EN_6IN6, EN_MPLS, EN_MPLS3_V6, EN_PPPOE, EN_PPPOE_V6,
	EN_PPP, EN_PPP_NOACF, EN_PPP_PFC, EN_PPP_SERIAL_CHDLC, EN_PPP_ETHER, EN_CHDLC,
	EN_CHDLC_MPLS, EN_WLAN, EN_WLAN_QOS_WDS, EN_RADIOTAP, EN_PPI_WLAN, EN_PPI_ETH,
	EN_FABRICPATH, EN_NESTED, EN_COUNT
};

/* Builds encapsulation e around an inner packet; returns the link type. */
static inline int build(enum encap e, struct frame *f, size_t *ip_tail)
{
	struct hdr h = { .n = 0 };
	bool v6 = e == EN_GRE6_IN6 || e == EN_6IN4 || e == EN_6IN6 || e == EN_MPLS3_V6 ||
		  e == EN_PPPOE_V6;
	if (v6)
		inner_tcp6(f, ip_tail);
	else
		inner_udp4(f, ip_tail);
	switch (e) {
	case EN_GRE4:
		pre_gre(f, 0x0000, 0x0800, 0);
		pre_ipv4(f, 47, OUT4_SRC, OUT4_DST);
		break;
	case EN_GRE_KEY_SEQ_CSUM:
		pre_gre(f, 0xb000, 0x0800, 3);
		pre_ipv4(f, 47, OUT4_SRC, OUT4_DST);
		break;
	case EN_GRE6_IN6:
		pre_gre(f, 0x2000, 0x86dd, 1);
		pre_ipv6(f, 47, OUT6_SRC, OUT6_DST);
		break;
	case EN_GRE_TEB:
		pre_eth(f, 0x0800, 77);
		pre_gre(f, 0x0000, 0x6558, 0);
		pre_ipv4(f, 47, OUT4_SRC, OUT4_DST);
		break;
	case EN_GRE_PPTP:
		hbytes(&h, "\xff\x03\x00\x21", 4);
		pre_hdr(f, &h);
		pre_gre(f, 0x3001, 0x880b, 2); /* K, S, version 1 */
		pre_ipv4(f, 47, OUT4_SRC, OUT4_DST);
		break;
	case EN_GRE_PPTP_ACK_PFC:
		h8(&h, 0x21); /* no address/control, compressed protocol */
		pre_hdr(f, &h);
		pre_gre(f, 0x3081, 0x880b, 3); /* K, S, A, version 1 */
		pre_ipv4(f, 47, OUT4_SRC, OUT4_DST);
		break;
	case EN_GRE_MPLS:
		pre_mpls(f, 2);
		pre_gre(f, 0x0000, 0x8847, 0);
		pre_ipv4(f, 47, OUT4_SRC, OUT4_DST);
		break;
	case EN_ERSPAN1:
	case EN_ERSPAN2:
		pre_eth(f, 0x0800, 88);
		if (e == EN_ERSPAN2) {
			h32(&h, 0x10000000u | 5u << 16 | 0x123); /* version 1, VLAN 5, session */
			h32(&h, 7);
			pre_hdr(f, &h);
		}
		pre_gre(f, e == EN_ERSPAN2 ? 0x1000 : 0x0000, 0x88be, e == EN_ERSPAN2 ? 1 : 0);
		pre_ipv4(f, 47, OUT4_SRC, OUT4_DST);
		break;
	case EN_ERSPAN3:
	case EN_ERSPAN3_SUB_IP:
		if (e == EN_ERSPAN3)
			pre_eth(f, 0x0800, 0);
		h32(&h, 0x20000000u | 0x123);
		h32(&h, 0xdeadbeef); /* timestamp */
		h16(&h, 0);          /* SGT */
		h8(&h, e == EN_ERSPAN3 ? 0 : 2 << 2); /* P, FT, HW id */
		h8(&h, e == EN_ERSPAN3 ? 0 : 1);      /* O: platform subheader follows */
		if (e == EN_ERSPAN3_SUB_IP)
			hbytes(&h, "\x0c\x00\x00\x00\x00\x00\x00\x00", 8);
		pre_hdr(f, &h);
		pre_gre(f, 0x1000, 0x22eb, 1);
		pre_ipv4(f, 47, OUT4_SRC, OUT4_DST);
		break;
	case EN_VXLAN:
		pre_eth(f, 0x0800, 99);
		h32(&h, 0x08000000u);
		h32(&h, 0x00123400u);
		pre_hdr(f, &h);
		pre_udp(f, 51000, 4789);
		pre_ipv4(f, 17, OUT4_SRC, OUT4_DST);
		break;
	case EN_IPIP:
		pre_ipv4(f, 4, OUT4_SRC, OUT4_DST);
		break;
	case EN_6IN4:
		pre_ipv4(f, 41, OUT4_SRC, OUT4_DST);
		break;
	case EN_4IN6:
		pre_ipv6(f, 4, OUT6_SRC, OUT6_DST);
		break;
	case EN_6IN6:
		pre_ipv6(f, 41, OUT6_SRC, OUT6_DST);
		break;
	case EN_MPLS:
		pre_mpls(f, 1);
		pre_eth(f, 0x8847, 10);
		return DLT_EN10MB;
	case EN_MPLS3_V6:
		pre_mpls(f, 3);
		pre_eth(f, 0x8848, 0);
		return DLT_EN10MB;
	case EN_PPPOE:
	case EN_PPPOE_V6:
		pre_pppoe(f, v6 ? 0x0057 : 0x0021);
		pre_eth(f, 0x8864, 20);
		return DLT_EN10MB;
	case EN_PPP:
		hbytes(&h, "\xff\x03\x00\x21", 4);
		pre_hdr(f, &h);
		return DLT_PPP;
	case EN_PPP_NOACF:
		hbytes(&h, "\x00\x21", 2);
		pre_hdr(f, &h);
		return DLT_PPP;
	case EN_PPP_PFC:
		hbytes(&h, "\xff\x03\x21", 3);
		pre_hdr(f, &h);
		return DLT_PPP_SERIAL;
	case EN_PPP_SERIAL_CHDLC:
		hbytes(&h, "\x0f\x00\x08\x00", 4);
		pre_hdr(f, &h);
		return DLT_PPP_SERIAL;
	case EN_PPP_ETHER:
		pre_pppoe(f, 0x0021);
		return DLT_PPP_ETHER;
	case EN_CHDLC:
		hbytes(&h, "\x8f\x00\x08\x00", 4);
		pre_hdr(f, &h);
		return DLT_C_HDLC;
	case EN_CHDLC_MPLS:
		pre_mpls(f, 1);
		hbytes(&h, "\x0f\x00\x88\x47", 4);
		pre_hdr(f, &h);
		return DLT_C_HDLC;
	case EN_WLAN:
	case EN_WLAN_QOS_WDS:
	case EN_RADIOTAP:
	case EN_PPI_WLAN:
		hbytes(&h, "\xaa\xaa\x03\x00\x00\x00\x08\x00", 8);
		pre_hdr(f, &h);
		h.n = 0;
		h8(&h, e == EN_WLAN_QOS_WDS ? 0x88 : 0x08); /* data / QoS data */
		h8(&h, e == EN_WLAN_QOS_WDS ? 0x83 : 0x01); /* to DS (+ from DS, order) */
		h16(&h, 0);
		hbytes(&h, MAC_A, 6);
		hbytes(&h, MAC_B, 6);
		hbytes(&h, MAC_A, 6);
		h16(&h, 0x10);
		if (e == EN_WLAN_QOS_WDS) {
			hbytes(&h, MAC_B, 6);
			h16(&h, 0x0005);   /* QoS control, little-endian: TID 5 */
			h32(&h, 0);        /* HT control */
		}
		pre_hdr(f, &h);
		if (e == EN_RADIOTAP) {
			h.n = 0;
			hbytes(&h, "\x00\x00\x0c\x00\x04\x00\x00\x00\x02\x00\x00\x00", 12);
			pre_hdr(f, &h);
			return DLT_IEEE802_11_RADIO;
		}
		if (e == EN_PPI_WLAN) {
			h.n = 0;
			hbytes(&h, "\x00\x00\x14\x00\x69\x00\x00\x00", 8); /* 20 bytes, DLT 105 */
			hbytes(&h, "\x02\x00\x08\x00\x01\x02\x03\x04\x05\x06\x07\x08", 12);
			pre_hdr(f, &h);
			return DLT_PPI;
		}
		return DLT_IEEE802_11;
	case EN_PPI_ETH:
		pre_eth(f, 0x0800, 0);
		hbytes(&h, "\x00\x00\x08\x00\x01\x00\x00\x00", 8);
		pre_hdr(f, &h);
		return DLT_PPI;
	case EN_FABRICPATH: /* Cisco FabricPath: outer MACs, 0x8903, FTAG/TTL, the original frame */
		pre_eth(f, 0x0800, 7);
		hbytes(&h, "\x02\x0a\xbd\x00\x00\x00\x02\x0a\xbc\x00\x00\x00\x89\x03\x40\x20", 16);
		pre_hdr(f, &h);
		return DLT_EN10MB;
	case EN_NESTED: /* VXLAN inside GRE inside PPPoE: the outermost (PPPoE) is recorded */
		pre_eth(f, 0x0800, 0);
		h32(&h, 0x08000000u);
		h32(&h, 0x00000100u);
		pre_hdr(f, &h);
		pre_udp(f, 51000, 4789);
		pre_ipv4(f, 17, OUT4_SRC, OUT4_DST);
		pre_gre(f, 0x0000, 0x0800, 0);
		pre_ipv4(f, 47, OUT4_DST, OUT4_SRC);
		pre_pppoe(f, 0x0021);
		pre_eth(f, 0x8864, 0);
		return DLT_EN10MB;
	case EN_COUNT:
		break;
	}
	/* Some ride in a VLAN: IP-only tunnels keep the id, an inner Ethernet frame replaces it. */
	bool tagged = e == EN_GRE4 || e == EN_ERSPAN3 || e == EN_ERSPAN3_SUB_IP;
	pre_eth(f, f->b[0] >> 4 == 4 ? 0x0800 : 0x86dd, tagged ? 33 : 0);
	return DLT_EN10MB;
}

#endif
