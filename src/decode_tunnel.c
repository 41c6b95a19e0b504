/* decode_tunnel.c - tunnels inside IP: GRE (RFC 2784, RFC 2890 key and sequence number, RFC 2637
 * enhanced GRE version 1 as PPTP uses it), ERSPAN types I, II and III in GRE
 * (draft-foschiano-erspan-03), VXLAN (RFC 7348, UDP port 4789), IPv4/IPv6 in IPv4 (RFC 2003,
 * RFC 4213) and IPv4/IPv6 in IPv6 (RFC 2473).
 *
 * A flow inside a tunnel is keyed by its inner headers; decoded_pkt.tunnel_* records the outermost
 * tunnel only. The inner packet goes back to decode_ip() (or, for an inner Ethernet frame, to
 * decode_ether_frame()) with depth + 1, which bounds nesting. VLAN ids: an IP-only tunnel keeps the
 * capture link's ids; a tunnel that carries Ethernet (VXLAN, GRE transparent bridging, ERSPAN)
 * reports the inner frame's tags, which belong to the tunnelled traffic.
 *
 * Hostile input: a GRE header with bits this decoder does not implement (RFC 1701 routing, strict
 * source route, recursion control, a version other than 0 or 1, an enhanced-GRE header that is
 * not PPTP's) is MALFORMED, as is any tunnel header or inner packet longer than the carrying
 * header claims; a header the capture cut is TRUNCATED. GRE with an unknown payload type, and a
 * datagram to port 4789 too short for VXLAN or without the VNI flag, stay ordinary flows of the
 * outer addresses.
 */
#include <string.h>

#include "decode_internal.h"

#define IPV4_TOTAL_LEN_OFF 2
#define IPV6_PAYLOAD_LEN_OFF 4
#define IPV6_FIXED_LEN 40

#define GRE_BASE_LEN 4
#define GRE_OPT_LEN 4            /* each of checksum+reserved, key, sequence, acknowledgment */
#define GRE_F_CSUM 0x8000
#define GRE_F_ROUTING 0x4000     /* RFC 1701 routing present */
#define GRE_F_KEY 0x2000
#define GRE_F_SEQ 0x1000
#define GRE_F_SSR 0x0800         /* RFC 1701 strict source route */
#define GRE_F_RECUR 0x0700       /* RFC 1701 recursion control */
#define GRE_F_RECUR_BIT5 0x0400  /* the one recursion bit RFC 2784 says to discard on */
#define GRE_F_ACK 0x0080         /* version 1: acknowledgment number present */
#define GRE_V1_FLAGS_MBZ 0x0078  /* version 1: flags that must be zero */
#define GRE_VERSION_MASK 0x0007

#define ERSPAN2_HDR_LEN 8
#define ERSPAN3_HDR_LEN 12
#define ERSPAN3_SUBHDR_LEN 8     /* platform-specific subheader, present when the O bit is set */
#define ERSPAN2_VERSION 1
#define ERSPAN3_VERSION 2
#define ERSPAN3_FT_OFF 10
#define ERSPAN3_O_OFF 11
#define ERSPAN3_FT_ETHERNET 0
#define ERSPAN3_FT_IP 2

#define VXLAN_PORT 4789
#define VXLAN_HDR_LEN 8
#define VXLAN_FLAG_I 0x08        /* the VNI is valid; RFC 7348 requires it */

void decode_enter_tunnel(struct decoded_pkt *out, enum tunnel_type type, bool from_ip)
{
	struct decoded_pkt keep;
	memset(&keep, 0, sizeof keep);
	keep.vlan = out->vlan;
	keep.inner_vlan = out->inner_vlan;
	if (out->tunnel_type != TUNNEL_NONE) {
		keep.tunnel_type = out->tunnel_type;
		keep.tunnel_src = out->tunnel_src;
		keep.tunnel_dst = out->tunnel_dst;
	} else {
		keep.tunnel_type = (uint8_t)type;
		if (from_ip) {
			keep.tunnel_src = out->src;
			keep.tunnel_dst = out->dst;
		}
	}
	*out = keep;
}

enum decode_status decode_inner_ip(struct bview v, uint32_t claimed, int want_ver,
				   struct decoded_pkt *out, int depth)
{
	uint8_t first;
	uint16_t len;
	if (bv_u8(v, 0, &first)) {
		int ver = want_ver ? want_ver : first >> 4;
		uint32_t inner_len = 0;
		if (ver == 4 && bv_be16(v, IPV4_TOTAL_LEN_OFF, &len))
			inner_len = len;
		else if (ver == 6 && bv_be16(v, IPV6_PAYLOAD_LEN_OFF, &len))
			inner_len = IPV6_FIXED_LEN + (uint32_t)len;
		if (inner_len > claimed)
			return DECODE_MALFORMED;
	}
	return decode_ip(v, want_ver, out, depth);
}

/* An inner Ethernet frame: its VLAN tags replace the outer link's. */
static enum decode_status inner_ether(struct bview v, struct decoded_pkt *out, int depth)
{
	out->vlan = 0;
	out->inner_vlan = 0;
	return decode_ether_frame(v, out, depth);
}

/* ERSPAN type I (GRE without a sequence number: the mirrored frame follows the GRE header) and
 * type II (GRE with a sequence number, then an 8-byte ERSPAN header of version 1). */
static enum decode_status decode_erspan12(struct bview v, uint32_t claimed, bool type2,
					  struct decoded_pkt *out, int depth)
{
	size_t off = 0;
	if (type2) {
		uint8_t ver;
		if (claimed < ERSPAN2_HDR_LEN)
			return DECODE_MALFORMED;
		if (!bv_has(v, 0, ERSPAN2_HDR_LEN) || !bv_u8(v, 0, &ver))
			return DECODE_TRUNCATED;
		if ((ver >> 4) != ERSPAN2_VERSION)
			return DECODE_MALFORMED;
		off = ERSPAN2_HDR_LEN;
	}
	struct bview frame;
	if (!bv_tail(v, off, &frame))
		return DECODE_TRUNCATED;
	decode_enter_tunnel(out, TUNNEL_ERSPAN, true);
	return inner_ether(frame, out, depth + 1);
}

/* ERSPAN type III: a 12-byte header of version 2, an optional 8-byte platform subheader (O bit),
 * then an Ethernet frame or an IP packet as the frame type (FT) says. */
static enum decode_status decode_erspan3(struct bview v, uint32_t claimed,
					 struct decoded_pkt *out, int depth)
{
	uint8_t ver, ft_byte, o_byte;
	if (claimed < ERSPAN3_HDR_LEN)
		return DECODE_MALFORMED;
	if (!bv_has(v, 0, ERSPAN3_HDR_LEN) || !bv_u8(v, 0, &ver) ||
	    !bv_u8(v, ERSPAN3_FT_OFF, &ft_byte) || !bv_u8(v, ERSPAN3_O_OFF, &o_byte))
		return DECODE_TRUNCATED;
	if ((ver >> 4) != ERSPAN3_VERSION)
		return DECODE_MALFORMED;
	size_t off = ERSPAN3_HDR_LEN + ((o_byte & 0x01) ? ERSPAN3_SUBHDR_LEN : 0);
	unsigned ft = (ft_byte >> 2) & 0x1f;
	if (off > claimed || (ft != ERSPAN3_FT_ETHERNET && ft != ERSPAN3_FT_IP))
		return DECODE_MALFORMED;
	struct bview frame;
	if (!bv_has(v, 0, off) || !bv_tail(v, off, &frame))
		return DECODE_TRUNCATED;
	decode_enter_tunnel(out, TUNNEL_ERSPAN, true);
	if (ft == ERSPAN3_FT_IP)
		return decode_inner_ip(frame, claimed - (uint32_t)off, 0, out, depth + 1);
	return inner_ether(frame, out, depth + 1);
}

/* The GRE header's length from its flags, or MALFORMED for flags this decoder does not accept. */
static enum decode_status gre_header_len(uint16_t flags, uint16_t ptype, size_t *len)
{
	size_t n = GRE_BASE_LEN;
	switch (flags & GRE_VERSION_MASK) {
	case 0:
		/* RFC 2784: discard when bits 1-5 (R, K, S, s, first recursion bit) are set, except
		 * that RFC 2890 gave K and S a meaning. Bits 6-12 are ignored on receipt. */
		if (flags & (GRE_F_ROUTING | GRE_F_SSR | GRE_F_RECUR_BIT5))
			return DECODE_MALFORMED;
		break;
	case 1:
		/* RFC 2637: no checksum, routing or recursion; the key (payload length + call id)
		 * is mandatory; the payload is PPP. */
		if ((flags & (GRE_F_CSUM | GRE_F_ROUTING | GRE_F_SSR | GRE_F_RECUR |
			      GRE_V1_FLAGS_MBZ)) || !(flags & GRE_F_KEY) || ptype != ETHERTYPE_PPP)
			return DECODE_MALFORMED;
		if (flags & GRE_F_ACK)
			n += GRE_OPT_LEN;
		break;
	default:
		return DECODE_MALFORMED;
	}
	if (flags & GRE_F_CSUM)
		n += GRE_OPT_LEN;
	if (flags & GRE_F_KEY)
		n += GRE_OPT_LEN;
	if (flags & GRE_F_SEQ)
		n += GRE_OPT_LEN;
	*len = n;
	return DECODE_OK;
}

static enum decode_status decode_gre(struct bview l4, uint32_t l4_len, struct decoded_pkt *out,
				     int depth)
{
	uint16_t flags, ptype;
	if (l4_len < GRE_BASE_LEN)
		return DECODE_MALFORMED;
	if (!bv_be16(l4, 0, &flags) || !bv_be16(l4, 2, &ptype))
		return DECODE_TRUNCATED;
	size_t hlen;
	enum decode_status st = gre_header_len(flags, ptype, &hlen);
	if (st != DECODE_OK)
		return st;
	if (hlen > l4_len)
		return DECODE_MALFORMED;
	struct bview in;
	if (!bv_has(l4, 0, hlen) || !bv_tail(l4, hlen, &in))
		return DECODE_TRUNCATED;
	uint32_t in_len = l4_len - (uint32_t)hlen;

	switch (ptype) {
	case ETHERTYPE_IPV4:
	case ETHERTYPE_IPV6:
		decode_enter_tunnel(out, TUNNEL_GRE, true);
		return decode_inner_ip(in, in_len, ptype == ETHERTYPE_IPV4 ? 4 : 6, out, depth + 1);
	case ETHERTYPE_TEB:
		decode_enter_tunnel(out, TUNNEL_GRE, true);
		return inner_ether(in, out, depth + 1);
	case ETHERTYPE_PPP:
		decode_enter_tunnel(out, TUNNEL_GRE, true);
		return decode_ppp(in, out, depth + 1);
	case ETHERTYPE_MPLS_UC:
	case ETHERTYPE_MPLS_MC:
		decode_enter_tunnel(out, TUNNEL_GRE, true);
		return decode_mpls(in, out, depth + 1);
	case ETHERTYPE_ERSPAN12:
		return decode_erspan12(in, in_len, (flags & GRE_F_SEQ) != 0, out, depth);
	case ETHERTYPE_ERSPAN3:
		return decode_erspan3(in, in_len, out, depth);
	default:
		/* Keepalives, WCCP and the rest: a port-less GRE flow of the outer hosts. */
		return decode_l4(IPPROTO_NUM_GRE, l4, l4_len, out);
	}
}

enum decode_status decode_ip_tunnel(uint8_t proto, struct bview l4, uint32_t l4_len,
				    struct decoded_pkt *out, int depth)
{
	switch (proto) {
	case IPPROTO_NUM_IPIP:
		decode_enter_tunnel(out, TUNNEL_IPIP, true);
		return decode_inner_ip(l4, l4_len, 4, out, depth + 1);
	case IPPROTO_NUM_IPV6:
		decode_enter_tunnel(out, TUNNEL_IPIP, true);
		return decode_inner_ip(l4, l4_len, 6, out, depth + 1);
	case IPPROTO_NUM_GRE:
		return decode_gre(l4, l4_len, out, depth);
	default:
		return decode_l4(proto, l4, l4_len, out);
	}
}

enum decode_status decode_udp_tunnel(struct decoded_pkt *out, int depth)
{
	if (out->dport != VXLAN_PORT || out->payload_len < VXLAN_HDR_LEN)
		return DECODE_OK;
	struct bview pay = out->payload;
	uint8_t vx_flags;
	if (!bv_u8(pay, 0, &vx_flags))
		return DECODE_TRUNCATED;
	if (!(vx_flags & VXLAN_FLAG_I))
		return DECODE_OK; /* not VXLAN after all: an ordinary datagram to port 4789 */
	struct bview frame;
	if (!bv_has(pay, 0, VXLAN_HDR_LEN) || !bv_tail(pay, VXLAN_HDR_LEN, &frame))
		return DECODE_TRUNCATED;
	decode_enter_tunnel(out, TUNNEL_VXLAN, true);
	return inner_ether(frame, out, depth + 1);
}
