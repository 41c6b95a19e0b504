/* decode_ip.c - the network layer: IPv4 (RFC 791, options, fragments) and IPv6 (RFC 8200) with
 * its extension-header chain (hop-by-hop, routing, fragment, destination options, and AH per
 * RFC 4302).
 *
 * Length policy, shared by both versions: the IP length field is believed over the frame length.
 * Bytes after it are link padding and are dropped from every view; a length that claims more than
 * was captured is taken as snap-length truncation (DPKT_IP_LEN_SHORT) and decoding goes on with
 * what is there. A header that is inconsistent in itself is MALFORMED; a header the capture cut
 * is TRUNCATED.
 *
 * One exception, as in tcpdump and Wireshark: an outermost, unfragmented IPv4 header with a total
 * length of 0 is a TCP segmentation offload (TSO/GSO) send captured on the sending host, before
 * the NIC cut it into segments and filled in the lengths; the packet runs to the end of the
 * capture (the wire length is not known here, so a snap-length cut goes unnoticed).
 *
 * Tunnels: an unfragmented packet carrying IP protocol 4, 41 or 47, or a UDP datagram to the VXLAN
 * port, goes on to decode_tunnel.c, which calls decode_ip() again for the inner packet with
 * depth + 1. A fragment never enters a tunnel: its pieces stay one flow of the outer addresses.
 */
#include "decode_internal.h"

#define IPV4_MIN_HDR_LEN 20
#define IPV4_FLAG_MF 0x2000
#define IPV4_FRAG_OFF_MASK 0x1fff
#define IPV6_HDR_LEN 40
#define IPV6_FRAG_HDR_LEN 8
#define IPV6_FRAG_OFF_MASK 0xfff8 /* offset in 8-byte units, already shifted left by 3 */
#define IPV6_FRAG_FLAG_M 0x0001
#define IPV6_EXT_MIN_LEN 8 /* every extension header we walk is at least 8 bytes */

static enum decode_status decode_ipv4(struct bview ip, struct decoded_pkt *out, int depth);
static enum decode_status decode_ipv6(struct bview ip, struct decoded_pkt *out, int depth);

enum decode_status decode_ip(struct bview ip, int want_ver, struct decoded_pkt *out, int depth)
{
	uint8_t first;
	if (depth > DECODE_MAX_DEPTH)
		return DECODE_MALFORMED;
	if (!bv_u8(ip, 0, &first))
		return DECODE_TRUNCATED;
	int ver = first >> 4;
	if (want_ver != 0 && ver != want_ver)
		return DECODE_MALFORMED;
	if (ver == 4)
		return decode_ipv4(ip, out, depth);
	if (ver == 6)
		return decode_ipv6(ip, out, depth);
	return DECODE_MALFORMED;
}

/* Sets the fragment flags from "more fragments" and the offset in bytes. */
static void set_frag_flags(struct decoded_pkt *out, bool more, uint16_t off_bytes)
{
	out->frag_off = off_bytes;
	if (more || off_bytes > 0)
		out->flags |= DPKT_FRAG;
	if (off_bytes > 0)
		out->flags |= DPKT_FRAG_LATER;
	else if (more)
		out->flags |= DPKT_FRAG_FIRST;
}

/* The IP payload: a tunnel, or the transport header. */
static enum decode_status decode_ip_payload(uint8_t proto, struct bview l4, uint32_t l4_len,
					    struct decoded_pkt *out, int depth)
{
	bool frag = (out->flags & DPKT_FRAG) != 0;
	if (!frag && (proto == IPPROTO_NUM_IPIP || proto == IPPROTO_NUM_IPV6 ||
		      proto == IPPROTO_NUM_GRE))
		return decode_ip_tunnel(proto, l4, l4_len, out, depth);
	enum decode_status st = decode_l4(proto, l4, l4_len, out);
	if (st == DECODE_OK && proto == IPPROTO_NUM_UDP && !frag)
		return decode_udp_tunnel(out, depth);
	return st;
}

static enum decode_status decode_ipv4(struct bview ip, struct decoded_pkt *out, int depth)
{
	uint8_t ver_ihl, tos, proto;
	uint16_t total_len, id, frag;

	if (!bv_u8(ip, 0, &ver_ihl))
		return DECODE_TRUNCATED;
	size_t hdr_len = (size_t)(ver_ihl & 0x0f) * 4;
	if (hdr_len < IPV4_MIN_HDR_LEN)
		return DECODE_MALFORMED; /* IHL < 5, including the zero-length header */
	if (!bv_has(ip, 0, hdr_len))
		return DECODE_TRUNCATED; /* fixed header or options cut */
	if (!bv_u8(ip, 1, &tos) || !bv_be16(ip, 2, &total_len) || !bv_be16(ip, 4, &id) ||
	    !bv_be16(ip, 6, &frag) || !bv_u8(ip, 9, &proto))
		return DECODE_TRUNCATED;
	uint32_t ip_len = total_len;
	if (total_len == 0 && depth == 0 && (frag & (IPV4_FLAG_MF | IPV4_FRAG_OFF_MASK)) == 0)
		ip_len = (uint32_t)ip.len; /* TSO, see above; ip.len <= caplen, a uint32_t */
	if (ip_len < hdr_len)
		return DECODE_MALFORMED;

	out->ipver = 4;
	out->dscp = tos >> 2;
	out->proto = proto;
	out->ip_len = ip_len;
	out->frag_id = id;
	if (!decode_addr_v4(ip, 12, &out->src) || !decode_addr_v4(ip, 16, &out->dst))
		return DECODE_TRUNCATED;
	set_frag_flags(out, (frag & IPV4_FLAG_MF) != 0,
		       (uint16_t)((frag & IPV4_FRAG_OFF_MASK) * 8));

	/* Limit everything after this point to the IP length: drops Ethernet padding. */
	bool cut;
	struct bview pkt = bv_clamp(ip, 0, ip_len, &cut);
	if (cut)
		out->flags |= DPKT_IP_LEN_SHORT;
	struct bview l4;
	if (!bv_tail(pkt, hdr_len, &l4))
		return DECODE_TRUNCATED; /* cannot happen: pkt holds at least the header */
	return decode_ip_payload(proto, l4, ip_len - (uint32_t)hdr_len, out, depth);
}

/* Size of the extension header of type nh at pay[off], checked against both the payload length
 * the IPv6 header claims (exceeding it is MALFORMED) and the captured bytes (TRUNCATED). */
static enum decode_status ipv6_ext_size(struct bview pay, size_t off, uint32_t claimed, uint8_t nh,
					size_t *size, uint8_t *next)
{
	uint8_t len_field;
	if (off + IPV6_EXT_MIN_LEN > claimed)
		return DECODE_MALFORMED;
	if (!bv_u8(pay, off, next) || !bv_u8(pay, off + 1, &len_field))
		return DECODE_TRUNCATED;
	switch (nh) {
	case IPPROTO_NUM_FRAGMENT:
		*size = IPV6_FRAG_HDR_LEN; /* fixed size; the second byte is reserved */
		break;
	case IPPROTO_NUM_AH:
		*size = ((size_t)len_field + 2) * 4; /* RFC 4302: 4-byte units, minus 2 */
		break;
	default:
		*size = ((size_t)len_field + 1) * 8; /* RFC 8200: 8-byte units, not counting the first */
		break;
	}
	if (off + *size > claimed)
		return DECODE_MALFORMED;
	if (!bv_has(pay, off, *size))
		return DECODE_TRUNCATED;
	return DECODE_OK;
}

static bool is_ipv6_ext_header(uint8_t nh)
{
	return nh == IPPROTO_NUM_HOPOPTS || nh == IPPROTO_NUM_ROUTING ||
	       nh == IPPROTO_NUM_FRAGMENT || nh == IPPROTO_NUM_DSTOPTS || nh == IPPROTO_NUM_AH;
}

static enum decode_status decode_ipv6(struct bview ip, struct decoded_pkt *out, int depth)
{
	uint32_t ver_tc_flow;
	uint16_t payload_len;
	uint8_t nh;

	if (!bv_has(ip, 0, IPV6_HDR_LEN))
		return DECODE_TRUNCATED;
	if (!bv_be32(ip, 0, &ver_tc_flow) || !bv_be16(ip, 4, &payload_len) || !bv_u8(ip, 6, &nh))
		return DECODE_TRUNCATED;
	if ((ver_tc_flow >> 28) != 6)
		return DECODE_MALFORMED;

	out->ipver = 6;
	out->dscp = (uint8_t)(((ver_tc_flow >> 20) & 0xff) >> 2);
	out->ip_len = IPV6_HDR_LEN + (uint32_t)payload_len;
	if (!bv_copy(ip, 8, out->src.b, 16) || !bv_copy(ip, 24, out->dst.b, 16))
		return DECODE_TRUNCATED;

	/* The payload, padding dropped. A jumbogram (payload length 0, RFC 2675) is not supported:
	 * its hop-by-hop header then lies outside the claimed payload and the packet is MALFORMED. */
	bool cut;
	struct bview pay = bv_clamp(ip, IPV6_HDR_LEN, payload_len, &cut);
	if (cut)
		out->flags |= DPKT_IP_LEN_SHORT;

	size_t off = 0;
	unsigned n_ext = 0;
	while (is_ipv6_ext_header(nh)) {
		if (++n_ext > DECODE_MAX_EXT_HEADERS)
			return DECODE_MALFORMED;
		size_t size;
		uint8_t next;
		enum decode_status st = ipv6_ext_size(pay, off, payload_len, nh, &size, &next);
		if (st != DECODE_OK)
			return st;
		if (nh == IPPROTO_NUM_FRAGMENT) {
			uint16_t off_m;
			uint32_t id;
			if (!bv_be16(pay, off + 2, &off_m) || !bv_be32(pay, off + 4, &id))
				return DECODE_TRUNCATED;
			out->frag_id = id;
			set_frag_flags(out, (off_m & IPV6_FRAG_FLAG_M) != 0,
				       (uint16_t)(off_m & IPV6_FRAG_OFF_MASK));
		}
		nh = next;
		off += size;
		if (out->flags & DPKT_FRAG_LATER)
			break; /* what follows is fragment data, not headers */
	}

	out->proto = nh;
	struct bview l4;
	if (!bv_tail(pay, off, &l4))
		return DECODE_TRUNCATED; /* cannot happen: every header walked was captured */
	return decode_ip_payload(nh, l4, (uint32_t)(payload_len - off), out, depth);
}
