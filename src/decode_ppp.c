/* decode_ppp.c - PPP (RFC 1661; HDLC-like framing RFC 1662; IPv6 over PPP RFC 5072; MPLS over PPP
 * RFC 3032), PPPoE session stage (RFC 2516; discovery is not IP), Cisco HDLC (DLT_C_HDLC, per the
 * tcpdump.org link-type registry; SLARP and CDP are not IP) and MPLS label stacks (RFC 3032).
 *
 * PPPoE and MPLS count as tunnels (TUNNEL_PPPOE, TUNNEL_MPLS, without addresses): the flow is keyed
 * by the IP packet inside. An MPLS payload is recognised by its version nibble only (4 or 6); a
 * pseudowire (RFC 4385 control word, Ethernet over MPLS) is NONIP. Loops are bounded: the label
 * stack by DECODE_MAX_MPLS_LABELS, everything else by a fixed header size.
 */
#include "decode_internal.h"

#define PPP_ADDR_ALL 0xff
#define PPP_CTRL_UI 0x03
#define PPP_PROTO_IPV4 0x0021
#define PPP_PROTO_IPV6 0x0057
#define PPP_PROTO_MPLS_UC 0x0281
#define PPP_PROTO_MPLS_MC 0x0283

#define CHDLC_ADDR_UNICAST 0x0f
#define CHDLC_ADDR_BCAST 0x8f
#define CHDLC_HDR_LEN 4
#define CHDLC_PROTO_OFF 2

#define PPPOE_HDR_LEN 6
#define PPPOE_VER_TYPE 0x11 /* version 1, type 1 */
#define PPPOE_CODE_SESSION 0x00
#define PPPOE_LEN_OFF 4
#define PPPOE_MIN_PAYLOAD 2 /* the PPP protocol field */

#define MPLS_ENTRY_LEN 4
#define MPLS_BOS 0x00000100u /* bottom-of-stack bit of a label stack entry */

/* The PPP protocol field at v[off]: one byte when that byte is odd (protocol-field compression),
 * else two, of which the second must be odd (RFC 1661 section 2). */
static enum decode_status ppp_proto(struct bview v, size_t off, uint16_t *proto, size_t *len)
{
	uint8_t hi, lo;
	if (!bv_u8(v, off, &hi))
		return DECODE_TRUNCATED;
	if (hi & 0x01) {
		*proto = hi;
		*len = 1;
		return DECODE_OK;
	}
	if (!bv_u8(v, off + 1, &lo))
		return DECODE_TRUNCATED;
	if (!(lo & 0x01))
		return DECODE_MALFORMED;
	*proto = (uint16_t)(hi << 8 | lo);
	*len = 2;
	return DECODE_OK;
}

/* The PPP frame from its protocol field at v[off], dispatched by protocol. claimed is the frame
 * length a carrying header states (PPPoE), or UINT32_MAX when nothing does. */
static enum decode_status ppp_payload(struct bview v, size_t off, uint32_t claimed,
				      struct decoded_pkt *out, int depth)
{
	uint16_t proto;
	size_t plen;
	enum decode_status st = ppp_proto(v, off, &proto, &plen);
	if (st != DECODE_OK)
		return st;
	struct bview rest;
	if (!bv_tail(v, off + plen, &rest))
		return DECODE_TRUNCATED;
	uint32_t inner = claimed == UINT32_MAX ? UINT32_MAX : claimed - (uint32_t)plen;
	switch (proto) {
	case PPP_PROTO_IPV4:
		return decode_inner_ip(rest, inner, 4, out, depth);
	case PPP_PROTO_IPV6:
		return decode_inner_ip(rest, inner, 6, out, depth);
	case PPP_PROTO_MPLS_UC:
	case PPP_PROTO_MPLS_MC:
		return decode_mpls(rest, out, depth);
	default:
		/* LCP, IPCP, CHAP, Van Jacobson compressed TCP (cannot be keyed) ... */
		return DECODE_NONIP;
	}
}

enum decode_status decode_ppp(struct bview v, struct decoded_pkt *out, int depth)
{
	uint8_t first, ctrl;
	size_t off = 0;
	if (!bv_u8(v, 0, &first))
		return DECODE_TRUNCATED;
	/* DLT_PPP_SERIAL may hold Cisco HDLC (RFC 1547 section 4.3.1), and captures labelled
	 * DLT_PPP do too in practice. Neither value can start a PPP frame: 0x0f/0x8f would be a
	 * compressed protocol number that is not assigned. */
	if (first == CHDLC_ADDR_UNICAST || first == CHDLC_ADDR_BCAST)
		return decode_chdlc(v, out, depth);
	if (first == PPP_ADDR_ALL) {
		if (!bv_u8(v, 1, &ctrl))
			return DECODE_TRUNCATED;
		if (ctrl != PPP_CTRL_UI)
			return DECODE_MALFORMED;
		off = 2; /* address and control; absent when compressed (ACFC) or unframed */
	}
	return ppp_payload(v, off, UINT32_MAX, out, depth);
}

enum decode_status decode_chdlc(struct bview v, struct decoded_pkt *out, int depth)
{
	uint16_t type;
	if (!bv_has(v, 0, CHDLC_HDR_LEN) || !bv_be16(v, CHDLC_PROTO_OFF, &type))
		return DECODE_TRUNCATED;
	/* The protocol is an ethertype: IPv4, IPv6 and MPLS decode, SLARP (0x8035), CDP and the
	 * rest are NONIP. */
	return decode_ethertype(type, v, CHDLC_HDR_LEN, out, depth);
}

enum decode_status decode_pppoe_session(struct bview v, struct decoded_pkt *out, int depth)
{
	uint8_t ver_type, code;
	uint16_t len;
	if (!bv_has(v, 0, PPPOE_HDR_LEN) || !bv_u8(v, 0, &ver_type) || !bv_u8(v, 1, &code) ||
	    !bv_be16(v, PPPOE_LEN_OFF, &len))
		return DECODE_TRUNCATED;
	if (ver_type != PPPOE_VER_TYPE || code != PPPOE_CODE_SESSION || len < PPPOE_MIN_PAYLOAD)
		return DECODE_MALFORMED;
	/* The length field wins over the frame: bytes after it are Ethernet padding. A length past
	 * the capture is the snap length at work; decoding goes on with what is there. */
	bool cut;
	struct bview ppp = bv_clamp(v, PPPOE_HDR_LEN, len, &cut);
	decode_enter_tunnel(out, TUNNEL_PPPOE, false);
	return ppp_payload(ppp, 0, len, out, depth);
}

enum decode_status decode_mpls(struct bview v, struct decoded_pkt *out, int depth)
{
	size_t off = 0;
	for (unsigned n = 0;; n++) {
		uint32_t entry;
		if (n >= DECODE_MAX_MPLS_LABELS)
			return DECODE_MALFORMED;
		if (!bv_be32(v, off, &entry))
			return DECODE_TRUNCATED;
		off += MPLS_ENTRY_LEN;
		if (entry & MPLS_BOS)
			break;
	}
	uint8_t first;
	struct bview rest;
	if (!bv_u8(v, off, &first) || !bv_tail(v, off, &rest))
		return DECODE_TRUNCATED;
	decode_enter_tunnel(out, TUNNEL_MPLS, false);
	switch (first >> 4) {
	case 4:
		return decode_ip(rest, 4, out, depth);
	case 6:
		return decode_ip(rest, 6, out, depth);
	default:
		return DECODE_NONIP;
	}
}
