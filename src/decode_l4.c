/* decode_l4.c - the transport layer: TCP (RFC 9293), UDP (RFC 768), ICMP (RFC 792), ICMPv6
 * (RFC 4443); any other protocol is a port-less flow.
 *
 * Truncation policy. The flow key needs the ports, so a transport header the capture cut short in
 * an unfragmented packet or a first fragment is DECODE_TRUNCATED: TCP up to its data offset
 * (options included, since the header length says they are there), UDP 8 bytes, ICMP/ICMPv6 the
 * 4 bytes of type, code and checksum. A header that does not fit in the length the IP header
 * claims is a lie, not a cut: DECODE_MALFORMED. Once the header is there, a cut payload is
 * DECODE_OK with DPKT_L4_TRUNCATED, payload_len per the headers and payload holding what was
 * captured. Port-less protocols and later fragments have no header to cut: always DECODE_OK.
 */
#include "decode_internal.h"

#define TCP_MIN_HDR_LEN 20
#define UDP_HDR_LEN 8
#define ICMP_HDR_LEN 4 /* type, code, checksum; the rest of the header depends on the type */

/* Sets the payload to data_len bytes after a header of hdr_len bytes, clamped to the capture. */
static void set_payload(struct decoded_pkt *out, struct bview l4, size_t hdr_len,
			uint32_t data_len)
{
	bool cut;
	out->payload = bv_clamp(l4, hdr_len, data_len, &cut);
	out->payload_len = data_len;
	if (cut)
		out->flags |= DPKT_L4_TRUNCATED;
}

static enum decode_status decode_tcp(struct bview l4, uint32_t l4_len, struct decoded_pkt *out)
{
	uint8_t data_off, flags;

	if (l4_len < TCP_MIN_HDR_LEN)
		return DECODE_MALFORMED;
	if (!bv_has(l4, 0, TCP_MIN_HDR_LEN) || !bv_be16(l4, 0, &out->sport) ||
	    !bv_be16(l4, 2, &out->dport) || !bv_be32(l4, 4, &out->tcp_seq) ||
	    !bv_be32(l4, 8, &out->tcp_ack) || !bv_u8(l4, 12, &data_off) || !bv_u8(l4, 13, &flags))
		return DECODE_TRUNCATED;
	size_t hdr_len = (size_t)(data_off >> 4) * 4;
	if (hdr_len < TCP_MIN_HDR_LEN || hdr_len > l4_len)
		return DECODE_MALFORMED;
	if (!bv_has(l4, 0, hdr_len))
		return DECODE_TRUNCATED; /* options cut by the snap length */
	out->tcp_flags = flags;
	set_payload(out, l4, hdr_len, l4_len - (uint32_t)hdr_len);
	return DECODE_OK;
}

static enum decode_status decode_udp(struct bview l4, uint32_t l4_len, struct decoded_pkt *out)
{
	uint16_t udp_len;

	if (l4_len < UDP_HDR_LEN)
		return DECODE_MALFORMED;
	if (!bv_has(l4, 0, UDP_HDR_LEN) || !bv_be16(l4, 0, &out->sport) ||
	    !bv_be16(l4, 2, &out->dport) || !bv_be16(l4, 4, &udp_len))
		return DECODE_TRUNCATED;
	/* Length 0 is also how an IPv6 jumbogram's UDP says "see the IP length": unsupported. */
	if (udp_len < UDP_HDR_LEN)
		return DECODE_MALFORMED;
	/* A first fragment holds only part of the datagram the UDP length describes. */
	bool first_frag = (out->flags & DPKT_FRAG_FIRST) != 0;
	if (!first_frag && udp_len > l4_len)
		return DECODE_MALFORMED;
	/* The UDP length wins over a longer IP payload (bytes after it are not the datagram's). */
	uint32_t dgram_len = udp_len < l4_len ? udp_len : l4_len;
	set_payload(out, l4, UDP_HDR_LEN, dgram_len - UDP_HDR_LEN);
	return DECODE_OK;
}

/* ICMP and ICMPv6 share the layout of their first 4 bytes. The ports are Zeek's: the type, and
 * its counterpart or the code (decode_icmp_resp_port); the payload is the rest of the message,
 * including the type-specific rest of the header (echo id/sequence ...). */
static enum decode_status decode_icmp(uint8_t proto, struct bview l4, uint32_t l4_len,
				      struct decoded_pkt *out)
{
	if (l4_len < ICMP_HDR_LEN)
		return DECODE_MALFORMED;
	if (!bv_has(l4, 0, ICMP_HDR_LEN) || !bv_u8(l4, 0, &out->icmp_type) ||
	    !bv_u8(l4, 1, &out->icmp_code))
		return DECODE_TRUNCATED;
	out->sport = out->icmp_type;
	out->dport = decode_icmp_resp_port(proto, out->icmp_type, out->icmp_code);
	set_payload(out, l4, ICMP_HDR_LEN, l4_len - ICMP_HDR_LEN);
	return DECODE_OK;
}

enum decode_status decode_l4(uint8_t proto, struct bview l4, uint32_t l4_len,
			     struct decoded_pkt *out)
{
	out->proto = proto;
	/* A later fragment carries data from the middle of the datagram: no header to read. */
	if (out->flags & DPKT_FRAG_LATER) {
		set_payload(out, l4, 0, l4_len);
		return DECODE_OK;
	}
	switch (proto) {
	case IPPROTO_NUM_TCP:
		return decode_tcp(l4, l4_len, out);
	case IPPROTO_NUM_UDP:
		return decode_udp(l4, l4_len, out);
	case IPPROTO_NUM_ICMP:
	case IPPROTO_NUM_ICMPV6:
		return decode_icmp(proto, l4, l4_len, out);
	default:
		/* Port-less flow (ESP, GRE, SCTP, no-next-header ...). GRE and IP-in-IP (4, 41) get
		 * their own decoders with the tunnel issue; they will call decode_ip(depth + 1). */
		set_payload(out, l4, 0, l4_len);
		return DECODE_OK;
	}
}
