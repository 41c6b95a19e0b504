/* decode_link.c - link layers (Ethernet + IEEE 802.1Q/802.1ad tags, Linux cooked v1/v2, raw IP,
 * BSD null/loopback), the decode_packet() entry point, the link-type dispatch (PPP, Cisco HDLC,
 * PPPoE, PPI, radiotap and 802.11 live in decode_ppp.c and decode_wlan.c) and link-type names.
 *
 * Formats follow the tcpdump.org link-type registry (https://www.tcpdump.org/linktypes.html),
 * IEEE 802.1Q-2018 for VLAN tags, and Cisco's FabricPath frame format (ethertype 0x8903, as
 * Wireshark's "cfp" dissector reads it) for the frames some Nexus switches mirror.
 */
#include <string.h>
#include <pcap/pcap.h> /* pcap_datalink_val_to_description */

#include "decode_internal.h"

#define ETH_HDR_LEN 14
#define ETH_TYPE_OFF 12
#define VLAN_TAG_LEN 4
#define VLAN_ID_MASK 0x0fff
#define SLL_HDR_LEN 16
#define SLL_PROTO_OFF 14
#define SLL2_HDR_LEN 20
#define SLL2_PROTO_OFF 0
#define NULL_HDR_LEN 4
#define FABRICPATH_TAG_REST 2 /* FTAG and TTL after the 0x8903 ethertype */

/* BSD address-family values for the null/loopback header. AF_INET is 2 everywhere; AF_INET6
 * differs per BSD, and a capture may come from any of them. */
#define BSD_AF_INET 2
#define BSD_AF_INET6_NETBSD 24 /* NetBSD, OpenBSD, BSD/OS */
#define BSD_AF_INET6_FREEBSD 28 /* FreeBSD, DragonFly BSD */
#define BSD_AF_INET6_DARWIN 30 /* macOS, iOS */

static bool is_vlan_tpid(uint16_t type)
{
	return type == ETHERTYPE_8021Q || type == ETHERTYPE_8021AD || type == ETHERTYPE_QINQ_OLD;
}

/* Dispatches on an ethertype whose payload starts at v[off], first peeling any VLAN tags (each is
 * a 2-byte TCI followed by the next ethertype). Shared by Ethernet, both cooked formats and Cisco
 * HDLC, which carry the same protocol field. Tags beyond the second are skipped without being
 * recorded. The loop is bounded by the frame: every tag consumes 4 bytes. */
enum decode_status decode_ethertype(uint16_t type, struct bview v, size_t off,
				    struct decoded_pkt *out, int depth)
{
	unsigned ntags = 0;

	while (is_vlan_tpid(type)) {
		uint16_t tci;
		if (!bv_be16(v, off, &tci) || !bv_be16(v, off + 2, &type))
			return DECODE_TRUNCATED;
		if (ntags == 0)
			out->vlan = tci & VLAN_ID_MASK;
		else if (ntags == 1)
			out->inner_vlan = tci & VLAN_ID_MASK;
		ntags++;
		off += VLAN_TAG_LEN;
	}

	struct bview rest;
	if (!bv_tail(v, off, &rest))
		return DECODE_TRUNCATED;
	switch (type) {
	case ETHERTYPE_IPV4:
	case ETHERTYPE_IPV6:
		return decode_ip(rest, type == ETHERTYPE_IPV4 ? 4 : 6, out, depth);
	case ETHERTYPE_MPLS_UC:
	case ETHERTYPE_MPLS_MC:
		return decode_mpls(rest, out, depth);
	case ETHERTYPE_PPPOE_SESS:
		return decode_pppoe_session(rest, out, depth);
	case ETHERTYPE_FABRICPATH: {
		/* Cisco FabricPath wraps the whole original frame, whose VLAN tags are the
		 * traffic's. Frames nest at most DECODE_MAX_DEPTH deep: nothing else bounds this
		 * recursion. */
		struct bview frame;
		if (depth >= DECODE_MAX_DEPTH)
			return DECODE_MALFORMED;
		if (!bv_tail(rest, FABRICPATH_TAG_REST, &frame))
			return DECODE_TRUNCATED;
		out->vlan = 0;
		out->inner_vlan = 0;
		return decode_ether_frame(frame, out, depth + 1);
	}
	default:
		/* ARP, LLDP, STP, PPPoE discovery, Cisco SLARP/CDP, 802.3 length + LLC ... */
		return DECODE_NONIP;
	}
}

enum decode_status decode_ether_frame(struct bview v, struct decoded_pkt *out, int depth)
{
	uint16_t type;
	if (v.len < ETH_HDR_LEN || !bv_be16(v, ETH_TYPE_OFF, &type))
		return DECODE_TRUNCATED;
	if (type < ETHERTYPE_MIN)
		return DECODE_NONIP; /* 802.3 length field: LLC/SNAP follows, not IP we decode */
	return decode_ethertype(type, v, ETH_HDR_LEN, out, depth);
}

/* Linux cooked v1: packet type, ARPHRD type, address length, 8 address bytes, protocol. */
static enum decode_status decode_sll(struct bview v, struct decoded_pkt *out)
{
	uint16_t proto;
	if (v.len < SLL_HDR_LEN || !bv_be16(v, SLL_PROTO_OFF, &proto))
		return DECODE_TRUNCATED;
	/* Small values are Linux pseudo-protocols (1 = 802.3, 4 = 802.2 LLC ...), not ethertypes. */
	if (proto < ETHERTYPE_MIN)
		return DECODE_NONIP;
	return decode_ethertype(proto, v, SLL_HDR_LEN, out, 0);
}

/* Linux cooked v2: protocol first, then reserved, ifindex, ARPHRD type, packet type, address. */
static enum decode_status decode_sll2(struct bview v, struct decoded_pkt *out)
{
	uint16_t proto;
	if (v.len < SLL2_HDR_LEN || !bv_be16(v, SLL2_PROTO_OFF, &proto))
		return DECODE_TRUNCATED;
	if (proto < ETHERTYPE_MIN)
		return DECODE_NONIP;
	return decode_ethertype(proto, v, SLL2_HDR_LEN, out, 0);
}

/* DLT_NULL stores the AF value in the capturing host's byte order, which need not be ours. AF
 * values are small, so a value with high bits set was written in the other order (as tcpdump
 * does). DLT_LOOP is always network order. */
static enum decode_status decode_null(struct bview v, bool network_order, struct decoded_pkt *out)
{
	uint32_t af;
	if (network_order) {
		if (!bv_be32(v, 0, &af))
			return DECODE_TRUNCATED;
	} else {
		if (!bv_le32(v, 0, &af))
			return DECODE_TRUNCATED;
		if (af & 0xffff0000u)
			af = ((af & 0xff) << 24) | ((af & 0xff00) << 8) | ((af >> 8) & 0xff00) |
			     (af >> 24);
	}

	int ver;
	switch (af) {
	case BSD_AF_INET:
		ver = 4;
		break;
	case BSD_AF_INET6_NETBSD:
	case BSD_AF_INET6_FREEBSD:
	case BSD_AF_INET6_DARWIN:
		ver = 6;
		break;
	default:
		return DECODE_NONIP;
	}
	struct bview ip;
	if (!bv_tail(v, NULL_HDR_LEN, &ip))
		return DECODE_TRUNCATED;
	return decode_ip(ip, ver, out, 0);
}

enum decode_status decode_link(int linktype, struct bview v, struct decoded_pkt *out, int depth)
{
	switch (linktype) {
	case DLT_EN10MB:
		return decode_ether_frame(v, out, depth);
	case DLT_LINUX_SLL:
		return decode_sll(v, out);
	case DLT_LINUX_SLL2:
		return decode_sll2(v, out);
	case DLT_RAW:
	case LINKTYPE_RAW:
		return decode_ip(v, 0, out, depth);
	case DLT_IPV4:
		return decode_ip(v, 4, out, depth);
	case DLT_IPV6:
		return decode_ip(v, 6, out, depth);
	case DLT_NULL:
		return decode_null(v, false, out);
	case DLT_LOOP:
		return decode_null(v, true, out);
	case DLT_PPP:
	case DLT_PPP_SERIAL:
		return decode_ppp(v, out, depth);
	case DLT_PPP_ETHER:
		return decode_pppoe_session(v, out, depth);
	case DLT_C_HDLC:
		return decode_chdlc(v, out, depth);
	case DLT_IEEE802_11:
		return decode_ieee80211(v, out, depth);
	case DLT_IEEE802_11_RADIO:
		return decode_radiotap(v, out, depth);
	case DLT_PPI:
		return decode_ppi(v, out, depth);
	case DLT_NFLOG:
		return decode_nflog(v, out, depth);
	case DLT_PKTAP:
		return decode_pktap(v, out, depth);
	case DLT_IPNET:
		return decode_ipnet(v, out, depth);
	case DLT_IPOIB:
		return decode_ipoib(v, out, depth);
#ifdef DLT_ATM_CLIP
	case DLT_ATM_CLIP:
#endif
	case LINKTYPE_ATM_CLIP:
		return decode_atm_clip(v, out, depth);
	case DLT_JUNIPER_ETHER:
		return decode_juniper_ether(v, out, depth);
	case DLT_FDDI:
		return decode_fddi(v, out, depth);
	case DLT_ERF:
		return decode_erf(v, out, depth);
	default:
		return DECODE_UNSUPPORTED_LINK;
	}
}

enum decode_status decode_packet_general(int linktype, const uint8_t *data, uint32_t caplen,
					 struct decoded_pkt *out)
{
	memset(out, 0, sizeof *out);
	out->tunnel_type = TUNNEL_NONE;
	return decode_link(linktype, bv_make(data, caplen), out, 0);
}

/* ---- the fast path ----
 *
 * Nearly every packet is Ethernet (0-2 VLAN tags), Linux cooked or raw IP carrying IPv4 without
 * options or fragmentation, or IPv6 without extension headers, then TCP, UDP, ICMP or ICMPv6, all
 * of it captured. Walking that through the general decoders costs a call per layer, a memset of
 * the whole result and re-checks of the same lengths. The fast path does it in one pass without a
 * call: every read still goes through pkt_access.h (the compiler folds the checks that a
 * dominating length test implies), and every field of *out is written. It applies exactly the
 * general path's rules to what it accepts; anything else (other link types, a third VLAN tag or
 * one in a cooked header, IP options, fragments, extension headers, tunnels, VXLAN's port, TSO's
 * zero length, a packet cut by the snap length, and errors of any kind) makes it return false, and
 * decode_packet() then decodes the frame again from scratch with the general path, so the two
 * cannot disagree on a status. tests/check_decode.c compares both paths on many frames.
 *
 * Every exit is marked unlikely: otherwise GCC rates the code after a long chain of exits cold and
 * lays it out (and inlines into it) as such. */
#define unlikely(x) __builtin_expect(!!(x), 0)

/* The transport header, after either IP version. l4 is the IP payload, entirely captured (the
 * fast path leaves packets cut by the snap length to the general path), so no payload is cut
 * either and the cut flags stay clear. Inlined into each IP branch: sharing one copy made GCC
 * carry every IP field to a common join point. */
static inline __attribute__((always_inline)) bool fast_l4(uint8_t proto, struct bview l4,
							 struct decoded_pkt *out)
{
	uint32_t ports;

	out->proto = proto;
	out->flags = 0;
	out->tunnel_type = TUNNEL_NONE;
	memset(&out->tunnel_src, 0, sizeof out->tunnel_src);
	memset(&out->tunnel_dst, 0, sizeof out->tunnel_dst);
	if (proto == IPPROTO_NUM_TCP) {
		uint8_t data_off;
		if (unlikely(!bv_has(l4, 0, 20) || !bv_be32(l4, 0, &ports) ||
			     !bv_be32(l4, 4, &out->tcp_seq) || !bv_be32(l4, 8, &out->tcp_ack) ||
			     !bv_u8(l4, 12, &data_off) || !bv_u8(l4, 13, &out->tcp_flags)))
			return false;
		size_t hdr_len = (size_t)(data_off >> 4) * 4;
		/* An offset below the minimum or past the segment: the general path. */
		if (unlikely(hdr_len < 20 || !bv_tail(l4, hdr_len, &out->payload)))
			return false;
		out->payload_len = (uint32_t)out->payload.len;
		out->frag_off = 0;
		out->sport = (uint16_t)(ports >> 16);
		out->dport = (uint16_t)ports;
		out->icmp_type = 0;
		out->icmp_code = 0;
	} else if (proto == IPPROTO_NUM_UDP) {
		uint16_t udp_len;
		if (unlikely(!bv_has(l4, 0, 8) || !bv_be32(l4, 0, &ports) ||
			     !bv_be16(l4, 4, &udp_len)))
			return false;
		/* Not a fragment, so the UDP length must fit the IP payload; it wins over a longer
		 * one. Port 4789 may be VXLAN: the general path decides. */
		if (unlikely(udp_len < 8 || (uint16_t)ports == 4789 ||
			     !bv_sub(l4, 8, (size_t)udp_len - 8, &out->payload)))
			return false;
		out->payload_len = (uint32_t)udp_len - 8;
		out->frag_off = 0;
		out->sport = (uint16_t)(ports >> 16);
		out->dport = (uint16_t)ports;
		out->tcp_flags = 0;
		out->icmp_type = 0;
		out->icmp_code = 0;
		out->tcp_seq = 0;
		out->tcp_ack = 0;
	} else if (proto == IPPROTO_NUM_ICMP || proto == IPPROTO_NUM_ICMPV6) {
		if (unlikely(!bv_has(l4, 0, 4) || !bv_u8(l4, 0, &out->icmp_type) ||
			     !bv_u8(l4, 1, &out->icmp_code) || !bv_tail(l4, 4, &out->payload)))
			return false;
		out->payload_len = (uint32_t)out->payload.len;
		out->frag_off = 0;
		out->sport = out->icmp_type;
		out->dport = decode_icmp_resp_port(proto, out->icmp_type, out->icmp_code);
		out->tcp_flags = 0;
		out->tcp_seq = 0;
		out->tcp_ack = 0;
	} else {
		return false;
	}
	return true;
}

/* An IPv4 header without options that is not a fragment, all of the packet captured, then
 * fast_l4(). */
static inline __attribute__((always_inline)) bool fast_ipv4(struct bview ip,
							   struct decoded_pkt *out)
{
	uint8_t ver_ihl, tos, proto;
	uint16_t total_len, id, frag;
	struct bview l4;

	if (unlikely(!bv_has(ip, 0, 20) || !bv_u8(ip, 0, &ver_ihl) || !bv_be16(ip, 6, &frag) ||
		     !bv_be16(ip, 2, &total_len)))
		return false;
	/* Version 4 without options; not a fragment (DF alone is fine); a total length that holds
	 * the header (0, TSO's, and the lies are the general path's) and was captured (the bytes
	 * after it are link padding, dropped from l4). */
	if (unlikely(ver_ihl != 0x45 || (frag & 0x3fff) != 0 || total_len < 20 ||
		     !bv_sub(ip, 20, (size_t)total_len - 20, &l4)))
		return false;
	/* Each field is stored as soon as it is read (every read is inside the 20 bytes checked
	 * above), which keeps few values live at once. */
	out->ipver = 4;
	out->ip_len = total_len;
	if (unlikely(!bv_u8(ip, 1, &tos)))
		return false;
	out->dscp = tos >> 2;
	if (unlikely(!bv_be16(ip, 4, &id)))
		return false;
	out->frag_id = id;
	if (unlikely(!decode_addr_v4(ip, 12, &out->src) || !decode_addr_v4(ip, 16, &out->dst) ||
		     !bv_u8(ip, 9, &proto)))
		return false;
	return fast_l4(proto, l4, out);
}

/* An IPv6 header directly followed by the transport header (extension headers and tunnels are
 * not among the protocols fast_l4() accepts), all of the packet captured. */
static inline __attribute__((always_inline)) bool fast_ipv6(struct bview ip,
							   struct decoded_pkt *out)
{
	uint32_t ver_tc_flow;
	uint16_t payload_len;
	uint8_t nh;
	struct bview l4;

	if (unlikely(!bv_has(ip, 0, 40) || !bv_be32(ip, 0, &ver_tc_flow) ||
		     !bv_be16(ip, 4, &payload_len) || !bv_u8(ip, 6, &nh)))
		return false;
	if (unlikely((ver_tc_flow >> 28) != 6 || !bv_sub(ip, 40, payload_len, &l4)))
		return false;
	if (unlikely(!bv_copy(ip, 8, out->src.b, 16) || !bv_copy(ip, 24, out->dst.b, 16)))
		return false;
	out->ipver = 6;
	out->dscp = (uint8_t)(((ver_tc_flow >> 20) & 0xff) >> 2);
	out->ip_len = 40 + (uint32_t)payload_len;
	out->frag_id = 0;
	return fast_l4(nh, l4, out);
}

/* Ethernet with up to two VLAN tags (recorded as decode_ethertype() records them), then
 * fast_ipv4() or fast_ipv6(). Untagged and single-tagged IPv4, the bulk of most captures, each get
 * a copy of their own in which the headers sit at constant offsets. */
static inline __attribute__((always_inline)) bool fast_ether(struct bview v,
							    struct decoded_pkt *out)
{
	uint16_t type;
	uint32_t tag;
	size_t off = ETH_HDR_LEN;
	struct bview ip;

	out->vlan = 0;
	out->inner_vlan = 0;
	if (unlikely(!bv_be16(v, ETH_TYPE_OFF, &type))) /* the whole 14-byte header is there */
		return false;
	if (type == ETHERTYPE_IPV4 && bv_tail(v, ETH_HDR_LEN, &ip))
		return fast_ipv4(ip, out);
	/* A tag is the TCI and the next ethertype: one 4-byte read. */
	if (is_vlan_tpid(type)) {
		if (unlikely(!bv_be32(v, ETH_HDR_LEN, &tag)))
			return false;
		out->vlan = (uint16_t)(tag >> 16) & VLAN_ID_MASK;
		type = (uint16_t)tag;
		off = ETH_HDR_LEN + VLAN_TAG_LEN;
		if (type == ETHERTYPE_IPV4 && bv_tail(v, off, &ip))
			return fast_ipv4(ip, out);
		if (is_vlan_tpid(type)) {
			if (unlikely(!bv_be32(v, off, &tag)))
				return false;
			out->inner_vlan = (uint16_t)(tag >> 16) & VLAN_ID_MASK;
			type = (uint16_t)tag;
			off = ETH_HDR_LEN + 2 * VLAN_TAG_LEN; /* a third tag: general path */
		}
	}
	if (unlikely(!bv_tail(v, off, &ip)))
		return false;
	if (type == ETHERTYPE_IPV4)
		return fast_ipv4(ip, out);
	if (type == ETHERTYPE_IPV6)
		return fast_ipv6(ip, out);
	return false;
}

/* The other link types of the fast path: Linux cooked v1/v2 (no VLAN tags here: they go the
 * general way) and raw IP. Out of line: these captures are rarer, and one copy will do. */
static __attribute__((noinline)) bool fast_other(int linktype, struct bview v,
						 struct decoded_pkt *out)
{
	uint16_t type;
	size_t off;
	uint8_t first;
	struct bview ip;

	out->vlan = 0;
	out->inner_vlan = 0;
	switch (linktype) {
	case DLT_LINUX_SLL:
		if (unlikely(!bv_be16(v, SLL_PROTO_OFF, &type))) /* it ends the 16-byte header */
			return false;
		off = SLL_HDR_LEN;
		break;
	case DLT_LINUX_SLL2:
		if (unlikely(!bv_has(v, 0, SLL2_HDR_LEN) || !bv_be16(v, SLL2_PROTO_OFF, &type)))
			return false;
		off = SLL2_HDR_LEN;
		break;
	case DLT_IPV4:
		return fast_ipv4(v, out);
	case DLT_IPV6:
		return fast_ipv6(v, out);
	case DLT_RAW:
	case LINKTYPE_RAW: /* the version nibble decides (and is checked again) */
		if (unlikely(!bv_u8(v, 0, &first)))
			return false;
		type = (first >> 4) == 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4;
		off = 0;
		break;
	default:
		return false;
	}
	if (unlikely(!bv_tail(v, off, &ip)))
		return false;
	if (type == ETHERTYPE_IPV4)
		return fast_ipv4(ip, out);
	if (type == ETHERTYPE_IPV6)
		return fast_ipv6(ip, out);
	return false;
}

bool decode_fast(int linktype, const uint8_t *data, uint32_t caplen, struct decoded_pkt *out)
{
	struct bview v = bv_make(data, caplen);
	if (linktype == DLT_EN10MB)
		return fast_ether(v, out);
	return fast_other(linktype, v, out);
}

/* Every link type but Ethernet: out of line, so that decode_packet() reaches it by a tail call
 * and keeps nothing alive across a call. */
static __attribute__((noinline)) enum decode_status decode_other(int linktype,
								  const uint8_t *data,
								  uint32_t caplen,
								  struct decoded_pkt *out)
{
	if (fast_other(linktype, bv_make(data, caplen), out))
		return DECODE_OK;
	return decode_packet_general(linktype, data, caplen, out);
}

enum decode_status decode_packet(int linktype, const uint8_t *data, uint32_t caplen,
				 struct decoded_pkt *out)
{
	if (linktype != DLT_EN10MB)
		return decode_other(linktype, data, caplen, out);
	if (fast_ether(bv_make(data, caplen), out))
		return DECODE_OK;
	return decode_packet_general(DLT_EN10MB, data, caplen, out);
}

bool decode_linktype_supported(int linktype)
{
	switch (linktype) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_RAW:
	case LINKTYPE_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
	case DLT_PPP:
	case DLT_PPP_SERIAL:
	case DLT_PPP_ETHER:
	case DLT_C_HDLC:
	case DLT_IEEE802_11:
	case DLT_IEEE802_11_RADIO:
	case DLT_PPI:
	case DLT_NFLOG:
	case DLT_PKTAP:
	case DLT_IPNET:
	case DLT_IPOIB:
#ifdef DLT_ATM_CLIP
	case DLT_ATM_CLIP:
#endif
	case LINKTYPE_ATM_CLIP:
	case DLT_JUNIPER_ETHER:
	case DLT_FDDI:
	case DLT_ERF:
		return true;
	default:
		return false;
	}
}

/* Names of the link types decoded here, as tcpdump's link-type registry spells them with a hint in
 * parentheses. Numbers are the Linux/most-platforms DLT values; DLT_RAW and DLT_LOOP come from
 * pcap/dlt.h because OpenBSD numbers them differently. Every other type is named by libpcap. */
static const struct {
	int linktype;
	const char *name;
} linktype_names[] = {
	{ DLT_NULL, "NULL (BSD loopback)" },
	{ DLT_EN10MB, "EN10MB (Ethernet)" },
	{ 9, "PPP" },
	{ DLT_FDDI, "FDDI" },
	{ DLT_RAW, "RAW (raw IP)" },
	{ 50, "PPP_HDLC (PPP in HDLC framing)" },
	{ 51, "PPP_ETHER (PPPoE)" },
	{ LINKTYPE_RAW, "RAW (raw IP)" },
	{ 104, "C_HDLC (Cisco HDLC)" },
	{ 105, "IEEE802_11 (802.11)" },
	{ LINKTYPE_ATM_CLIP, "ATM_CLIP (Linux Classical IP over ATM)" },
#ifdef DLT_ATM_CLIP
	{ DLT_ATM_CLIP, "ATM_CLIP (Linux Classical IP over ATM)" },
#endif
	{ DLT_LOOP, "LOOP (OpenBSD loopback)" },
	{ 113, "LINUX_SLL (Linux cooked v1)" },
	{ 127, "IEEE802_11_RADIO (802.11 + radiotap)" },
	{ DLT_JUNIPER_ETHER, "JUNIPER_ETHER (Juniper Ethernet)" },
	{ 192, "PPI" },
	{ DLT_ERF, "ERF (Endace ERF record)" },
	{ DLT_IPNET, "IPNET (Solaris ipnet)" },
	{ 228, "IPV4 (raw IPv4)" },
	{ 229, "IPV6 (raw IPv6)" },
	{ DLT_NFLOG, "NFLOG (Linux netfilter log)" },
	{ DLT_IPOIB, "IPOIB (IP over InfiniBand)" },
	{ DLT_PKTAP, "PKTAP (Apple DLT_PKTAP)" },
	{ 276, "LINUX_SLL2 (Linux cooked v2)" },
};

/* A type not decoded here gets libpcap's description (e.g. "USB with Linux header"), a fixed
 * string of libpcap's; an unknown one a fixed string rather than the number formatted into a
 * static buffer (shared mutable state): callers print the number alongside. */
const char *decode_linktype_name(int linktype)
{
	for (size_t i = 0; i < sizeof linktype_names / sizeof linktype_names[0]; i++)
		if (linktype_names[i].linktype == linktype)
			return linktype_names[i].name;
	const char *d = pcap_datalink_val_to_description(linktype);
	return d ? d : "unknown link type";
}

const char *decode_status_name(enum decode_status st)
{
	switch (st) {
	case DECODE_OK:
		return "ok";
	case DECODE_NONIP:
		return "non-IP";
	case DECODE_TRUNCATED:
		return "truncated";
	case DECODE_MALFORMED:
		return "malformed";
	case DECODE_UNSUPPORTED_LINK:
		return "unsupported link type";
	}
	return "unknown status";
}
