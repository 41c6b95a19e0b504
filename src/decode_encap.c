/* decode_encap.c - link types that put IP behind a capture or device header: Linux NFLOG, Apple
 * PKTAP, Solaris ipnet, IP over InfiniBand, Linux ATM CLIP, Juniper Ethernet, FDDI and Endace ERF.
 *
 * Layouts follow the tcpdump.org link-type registry (https://www.tcpdump.org/linktypes.html) and
 * the headers it cites: NFLOG = struct nfgenmsg + netlink TLVs (linux/netfilter/nfnetlink_log.h),
 * PKTAP = Apple's struct pktap_header (xnu bsd/net/pktap.h), ipnet = the 24-byte Solaris dl_ipnetinfo,
 * IPoIB = RFC 4391's 4-byte encapsulation header, ATM CLIP = RFC 2684 LLC/SNAP or none, Juniper
 * = the "MGC" cookie header of JUNOS captures, FDDI = ANSI X3.139 frame control and addresses with
 * 802.2 LLC/SNAP (RFC 1042), ERF = the Endace Extensible Record Format's 16-byte record header.
 * Every read goes through pkt_access.h; a header cut short is TRUNCATED, a header that contradicts
 * itself MALFORMED, a well-formed frame without IP NONIP.
 */
#include "decode_internal.h"

#define NFLOG_HDR_LEN 4
#define NFLOG_TLV_HDR 4
#define NFULA_PAYLOAD 9
#define NFLOG_AF_INET 2
#define NFLOG_AF_INET6 10

#define PKTAP_MIN_LEN 108 /* struct pktap_header up to the effective command name */
#define PKTAP_REC_PACKET 1

#define IPNET_HDR_LEN 24
#define IPNET_AF_INET 2
#define IPNET_AF_INET6 26

#define IPOIB_HDR_LEN 4

#define JUNIPER_MAGIC 0x4d4743u /* "MGC" */
#define JUNIPER_FLAG_NO_L2 0x02
#define JUNIPER_FLAG_EXT 0x80
#define JUNIPER_NO_L2_PROTO 4    /* without L2, a 4-byte protocol word precedes IP */

#define FDDI_HDR_LEN 13          /* frame control, destination, source */
#define FDDI_FC_LLC_MASK 0xf8
#define FDDI_FC_LLC 0x50         /* asynchronous LLC frame, any priority */

#define LLC_SNAP_LEN 8           /* AA AA 03, 3-byte OUI, ethertype */

#define ERF_HDR_LEN 16
#define ERF_EXT_LEN 8
#define ERF_MAX_EXT 16           /* extension headers followed before giving up */
#define ERF_TYPE_MASK 0x7f
#define ERF_EXT_MORE 0x80
#define ERF_ETH_PAD 2            /* offset and pad bytes before the Ethernet frame */
enum { ERF_ETH = 2, ERF_COLOR_ETH = 11, ERF_DSM_COLOR_ETH = 16, ERF_COLOR_HASH_ETH = 20,
       ERF_IPV4 = 22, ERF_IPV6 = 23 };

/* NFLOG's TLV lengths and types are in the byte order of the capturing host (libpcap converts a
 * file from a host of the other order to ours as it reads it). */
static inline bool bv_host16(struct bview v, size_t off, uint16_t *out)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return bv_be16(v, off, out);
#else
	return bv_le16(v, off, out);
#endif
}

/* LINKTYPE_NFLOG: family, version, resource id, then TLVs each padded to 4 bytes; the packet is
 * the value of the NFULA_PAYLOAD TLV, starting at its IP header. */
enum decode_status decode_nflog(struct bview v, struct decoded_pkt *out, int depth)
{
	uint8_t family, version;
	if (!bv_u8(v, 0, &family) || !bv_u8(v, 1, &version) || !bv_has(v, 0, NFLOG_HDR_LEN))
		return DECODE_TRUNCATED;
	if (version != 0)
		return DECODE_MALFORMED;
	int ver = family == NFLOG_AF_INET ? 4 : family == NFLOG_AF_INET6 ? 6 : 0;
	size_t off = NFLOG_HDR_LEN;
	/* each TLV takes at least 4 bytes of the frame: the walk ends */
	while (off < v.len) {
		uint16_t len, type;
		if (!bv_host16(v, off, &len) || !bv_host16(v, off + 2, &type))
			return DECODE_TRUNCATED;
		if (len < NFLOG_TLV_HDR)
			return DECODE_MALFORMED;
		if ((type & 0x7fff) == NFULA_PAYLOAD) {
			if (!ver)
				return DECODE_NONIP; /* ARP, bridge ... logged through NFLOG */
			struct bview ip;
			bool cut;
			ip = bv_clamp(v, off + NFLOG_TLV_HDR, (size_t)len - NFLOG_TLV_HDR, &cut);
			return decode_ip(ip, ver, out, depth);
		}
		off += ((size_t)len + 3) & ~(size_t)3;
	}
	/* no payload TLV: a frame cut before it (or at a TLV boundary), or a log entry that copied
	 * no packet bytes: either way the capture ended before the IP header */
	return DECODE_TRUNCATED;
}

/* PKTAP: a little-endian header whose first word is its own length and whose third is the DLT of
 * the frame that follows. Other record types carry no packet. */
enum decode_status decode_pktap(struct bview v, struct decoded_pkt *out, int depth)
{
	uint32_t hdr_len, rectype, dlt;
	if (!bv_le32(v, 0, &hdr_len) || !bv_le32(v, 4, &rectype) || !bv_le32(v, 8, &dlt))
		return DECODE_TRUNCATED;
	if (hdr_len < PKTAP_MIN_LEN)
		return DECODE_MALFORMED;
	struct bview frame;
	if (!bv_tail(v, hdr_len, &frame))
		return DECODE_TRUNCATED;
	if (rectype != PKTAP_REC_PACKET)
		return DECODE_NONIP;
	/* a PKTAP inside a PKTAP would recurse: only one level, and the depth bound besides */
	if (dlt == (uint32_t)DLT_PKTAP || dlt == LINKTYPE_PKTAP || depth >= DECODE_MAX_DEPTH)
		return DECODE_MALFORMED;
	enum decode_status st = decode_link((int)dlt, frame, out, depth + 1);
	/* the inner link type is the capturing host's business: say it is not IP we read */
	return st == DECODE_UNSUPPORTED_LINK ? DECODE_NONIP : st;
}

/* Solaris ipnet: version, address family, hook type, packet length, interface and zone ids. */
enum decode_status decode_ipnet(struct bview v, struct decoded_pkt *out, int depth)
{
	uint8_t family;
	struct bview ip;
	if (!bv_u8(v, 1, &family) || !bv_tail(v, IPNET_HDR_LEN, &ip))
		return DECODE_TRUNCATED;
	if (family == IPNET_AF_INET)
		return decode_ip(ip, 4, out, depth);
	if (family == IPNET_AF_INET6)
		return decode_ip(ip, 6, out, depth);
	return DECODE_NONIP;
}

/* IP over InfiniBand: an ethertype and two reserved bytes. */
enum decode_status decode_ipoib(struct bview v, struct decoded_pkt *out, int depth)
{
	uint16_t type;
	if (!bv_be16(v, 0, &type) || !bv_has(v, 0, IPOIB_HDR_LEN))
		return DECODE_TRUNCATED;
	return decode_ethertype(type, v, IPOIB_HDR_LEN, out, depth);
}

/* 802.2 LLC with a SNAP header (AA AA 03, OUI, ethertype) at v[off]: the ethertype's payload.
 * Other LLC (spanning tree, NetBIOS, IS-IS ...) carries no IP. */
static enum decode_status decode_llc_snap(struct bview v, size_t off, struct decoded_pkt *out,
					  int depth)
{
	uint8_t dsap, ssap, ctrl;
	uint16_t type;
	if (!bv_u8(v, off, &dsap) || !bv_u8(v, off + 1, &ssap) || !bv_u8(v, off + 2, &ctrl))
		return DECODE_TRUNCATED;
	if (dsap != 0xaa || ssap != 0xaa || ctrl != 0x03)
		return DECODE_NONIP;
	if (!bv_be16(v, off + 6, &type))
		return DECODE_TRUNCATED;
	return decode_ethertype(type, v, off + LLC_SNAP_LEN, out, depth);
}

/* Linux ATM Classical IP: LLC/SNAP-encapsulated (RFC 2684), or, without that header, bare IP
 * (VC multiplexing), told apart by the first byte. */
enum decode_status decode_atm_clip(struct bview v, struct decoded_pkt *out, int depth)
{
	uint8_t b0;
	if (!bv_u8(v, 0, &b0))
		return DECODE_TRUNCATED;
	/* an IP header starts with 0x4_ or 0x6_, LLC for SNAP with 0xaa */
	if (b0 == 0xaa)
		return decode_llc_snap(v, 0, out, depth);
	return decode_ip(v, 0, out, depth);
}

/* Juniper Ethernet: the "MGC" magic, a flags byte, with JUNIPER_FLAG_EXT a 2-byte length of
 * TLV extensions to skip; then the Ethernet frame, or with JUNIPER_FLAG_NO_L2 a 4-byte protocol
 * word and the IP packet. */
enum decode_status decode_juniper_ether(struct bview v, struct decoded_pkt *out, int depth)
{
	uint32_t magic;
	uint8_t flags;
	if (!bv_be24(v, 0, &magic) || !bv_u8(v, 3, &flags))
		return DECODE_TRUNCATED;
	if (magic != JUNIPER_MAGIC)
		return DECODE_MALFORMED;
	size_t off = 4;
	if (flags & JUNIPER_FLAG_EXT) {
		uint16_t ext_len;
		if (!bv_be16(v, 4, &ext_len))
			return DECODE_TRUNCATED;
		off = 6 + (size_t)ext_len;
	}
	struct bview rest;
	if (flags & JUNIPER_FLAG_NO_L2) {
		if (!bv_tail(v, off + JUNIPER_NO_L2_PROTO, &rest))
			return DECODE_TRUNCATED;
		return decode_ip(rest, 0, out, depth);
	}
	if (!bv_tail(v, off, &rest))
		return DECODE_TRUNCATED;
	return decode_ether_frame(rest, out, depth);
}

/* FDDI: frame control, 6-byte destination and source, then LLC. Only LLC frames carry IP (MAC and
 * SMT frames do not). */
enum decode_status decode_fddi(struct bview v, struct decoded_pkt *out, int depth)
{
	uint8_t fc;
	if (!bv_u8(v, 0, &fc) || !bv_has(v, 0, FDDI_HDR_LEN))
		return DECODE_TRUNCATED;
	if ((fc & FDDI_FC_LLC_MASK) != FDDI_FC_LLC)
		return DECODE_NONIP;
	return decode_llc_snap(v, FDDI_HDR_LEN, out, depth);
}

/* ERF: timestamp, type (bit 7: extension headers follow), flags, record/loss/wire lengths; then
 * any 8-byte extension headers (bit 7 of each one's first byte: another follows). Ethernet types
 * put 2 bytes before the frame; IPv4/IPv6 types start at the IP header. */
enum decode_status decode_erf(struct bview v, struct decoded_pkt *out, int depth)
{
	uint8_t type;
	if (!bv_u8(v, 8, &type) || !bv_has(v, 0, ERF_HDR_LEN))
		return DECODE_TRUNCATED;
	size_t off = ERF_HDR_LEN;
	if (type & 0x80) {
		uint8_t ext;
		unsigned n = 0;
		do {
			if (!bv_u8(v, off, &ext))
				return DECODE_TRUNCATED;
			off += ERF_EXT_LEN;
			if (++n > ERF_MAX_EXT)
				return DECODE_MALFORMED;
		} while (ext & ERF_EXT_MORE);
	}
	struct bview rest;
	switch (type & ERF_TYPE_MASK) {
	case ERF_ETH:
	case ERF_COLOR_ETH:
	case ERF_DSM_COLOR_ETH:
	case ERF_COLOR_HASH_ETH:
		if (!bv_tail(v, off + ERF_ETH_PAD, &rest))
			return DECODE_TRUNCATED;
		return decode_ether_frame(rest, out, depth);
	case ERF_IPV4:
	case ERF_IPV6:
		if (!bv_tail(v, off, &rest))
			return DECODE_TRUNCATED;
		return decode_ip(rest, (type & ERF_TYPE_MASK) == ERF_IPV4 ? 4 : 6, out, depth);
	default:
		return DECODE_NONIP; /* SONET/HDLC, ATM, InfiniBand, metadata records ... */
	}
}
