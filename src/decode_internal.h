/* decode_internal.h - private glue between the decode stage's files: decode_link.c (Ethernet,
 * cooked, raw, null), decode_ppp.c (PPP, PPPoE, Cisco HDLC, MPLS), decode_wlan.c (PPI, radiotap,
 * 802.11), decode_ip.c, decode_l4.c and decode_tunnel.c (GRE, ERSPAN, VXLAN, IP-in-IP).
 *
 * The stages call each other through views: the link layer hands decode_ip() the bytes from the IP
 * header to the end of the capture, decode_ip() hands decode_l4() the IP payload limited to the IP
 * length. A tunnel decoder calls back into decode_ip() (or an inner Ethernet frame) with depth + 1;
 * decode_ip() refuses depth > DECODE_MAX_DEPTH, which bounds the recursion.
 */
#ifndef DECODE_INTERNAL_H
#define DECODE_INTERNAL_H

#include <pcap/dlt.h>
#include <string.h>

#include "decode.h"

/* Link types that older pcap/dlt.h versions lack. LINKTYPE_RAW is the savefile number that libpcap
 * normally maps to DLT_RAW, but some writers and readers pass it through unchanged. */
#define LINKTYPE_RAW 101
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif
#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_PPP_SERIAL
#define DLT_PPP_SERIAL 50
#endif
#ifndef DLT_PPP_ETHER
#define DLT_PPP_ETHER 51
#endif
#ifndef DLT_C_HDLC
#define DLT_C_HDLC 104
#endif
#ifndef DLT_IEEE802_11
#define DLT_IEEE802_11 105
#endif
#ifndef DLT_IEEE802_11_RADIO
#define DLT_IEEE802_11_RADIO 127
#endif
#ifndef DLT_PPI
#define DLT_PPI 192
#endif

/* Link types of decode_encap.c (LINKTYPE_ numbers where libpcap's DLT_ is platform-specific). */
#ifndef DLT_FDDI
#define DLT_FDDI 10
#endif
#ifndef DLT_JUNIPER_ETHER
#define DLT_JUNIPER_ETHER 178
#endif
#ifndef DLT_ERF
#define DLT_ERF 197
#endif
#ifndef DLT_IPNET
#define DLT_IPNET 226
#endif
#ifndef DLT_NFLOG
#define DLT_NFLOG 239
#endif
#ifndef DLT_IPOIB
#define DLT_IPOIB 242
#endif
#define LINKTYPE_PKTAP 258
#ifndef DLT_PKTAP
#define DLT_PKTAP LINKTYPE_PKTAP
#endif
/* Linux ATM CLIP is DLT 19 on Linux only; files carry LINKTYPE_ATM_CLIP, which libpcap maps */
#define LINKTYPE_ATM_CLIP 106

/* How deep IP may nest inside IP (tunnels); deeper is treated as malformed, which bounds recursion. */
#define DECODE_MAX_DEPTH 4

/* How many MPLS label stack entries may precede the bottom of the stack. */
#define DECODE_MAX_MPLS_LABELS 16

/* Ethertypes (IEEE registry). Values below 0x0600 are an IEEE 802.3 length field, not a type. */
enum {
	ETHERTYPE_MIN = 0x0600,
	ETHERTYPE_IPV4 = 0x0800,
	ETHERTYPE_IPV6 = 0x86dd,
	ETHERTYPE_8021Q = 0x8100,
	ETHERTYPE_8021AD = 0x88a8,
	ETHERTYPE_QINQ_OLD = 0x9100, /* pre-standard QinQ outer tag, still seen on older switches */
	ETHERTYPE_MPLS_UC = 0x8847,
	ETHERTYPE_MPLS_MC = 0x8848,
	ETHERTYPE_PPPOE_DISC = 0x8863,
	ETHERTYPE_PPPOE_SESS = 0x8864,
	ETHERTYPE_SLARP = 0x8035,   /* Cisco serial line ARP */
	ETHERTYPE_TEB = 0x6558,     /* transparent Ethernet bridging (GRE payload) */
	ETHERTYPE_ERSPAN12 = 0x88be, /* ERSPAN type I/II (GRE payload) */
	ETHERTYPE_ERSPAN3 = 0x22eb,  /* ERSPAN type III (GRE payload) */
	ETHERTYPE_PPP = 0x880b,     /* PPP (enhanced GRE, PPTP) */
	ETHERTYPE_FABRICPATH = 0x8903, /* Cisco FabricPath: FTAG/TTL, then the original frame */
};

/* IP protocol numbers the decoder acts on (IANA "Assigned Internet Protocol Numbers"). */
enum {
	IPPROTO_NUM_HOPOPTS = 0,
	IPPROTO_NUM_ICMP = 1,
	IPPROTO_NUM_IPIP = 4,
	IPPROTO_NUM_TCP = 6,
	IPPROTO_NUM_UDP = 17,
	IPPROTO_NUM_IPV6 = 41,
	IPPROTO_NUM_ROUTING = 43,
	IPPROTO_NUM_FRAGMENT = 44,
	IPPROTO_NUM_GRE = 47,
	IPPROTO_NUM_AH = 51,
	IPPROTO_NUM_ICMPV6 = 58,
	IPPROTO_NUM_NONE = 59,
	IPPROTO_NUM_DSTOPTS = 60,
};

/* Decodes an IP packet starting at ip.p. want_ver is 4 or 6 when the link layer already said which
 * (ethertype, LINKTYPE_IPV4/6, AF value) and a different version nibble is MALFORMED; 0 lets the
 * version nibble decide (DLT_RAW). depth is 0 for the outermost IP header. */
enum decode_status decode_ip(struct bview ip, int want_ver, struct decoded_pkt *out, int depth);

/* Decodes the transport header of protocol proto. l4 is the captured part of the IP payload (never
 * beyond the IP length); l4_len is the IP payload length the IP header claims. Honours the fragment
 * flags already in out->flags: a later fragment carries no transport header. */
enum decode_status decode_l4(uint8_t proto, struct bview l4, uint32_t l4_len,
			     struct decoded_pkt *out);

/* An IPv4-mapped address (as ucf_addr_set_v4() stores it) from the 4 bytes at v[off]; false when
 * they were not captured. Inline: the decoder sets two addresses per packet. */
static inline bool decode_addr_v4(struct bview v, size_t off, struct ucf_addr *a)
{
	uint32_t x; /* the 4 address bytes, in memory order */
	if (!bv_copy(v, off, &x, 4))
		return false;
	/* ::ffff:a.b.c.d written as two whole words: the flow table reads the address back as
	 * words right away, and a load spanning several smaller stores still in flight stalls */
	uint64_t w0 = 0;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t w1 = 0xffff0000u | (uint64_t)x << 32;
#else
	uint64_t w1 = (uint64_t)0xffffu << 32 | x;
#endif
	memcpy(a->b, &w0, 8);
	memcpy(a->b + 8, &w1, 8);
	return true;
}

/* Zeek's ICMP "ports": id.orig_p is the message type; id.resp_p is the type of its counterpart
 * for the request/reply pairs (so an echo request and its reply, (8, 0) and (0, 8), share one
 * flow key), and the message code for every other type. Zeek's ICMP4_counterpart() and
 * ICMP6_counterpart() list the same pairs. */
static inline uint16_t decode_icmp_resp_port(uint8_t proto, uint8_t type, uint8_t code)
{
	if (proto == IPPROTO_NUM_ICMP) {
		switch (type) {
		case 8: return 0;   /* echo request / reply */
		case 0: return 8;
		case 13: return 14; /* timestamp */
		case 14: return 13;
		case 15: return 16; /* information */
		case 16: return 15;
		case 10: return 9;  /* router solicitation / advertisement */
		case 9: return 10;
		case 17: return 18; /* address mask */
		case 18: return 17;
		default: return code;
		}
	}
	switch (type) {
	case 128: return 129; /* echo request / reply */
	case 129: return 128;
	case 133: return 134; /* router solicitation / advertisement */
	case 134: return 133;
	case 135: return 136; /* neighbour solicitation / advertisement */
	case 136: return 135;
	case 130: return 131; /* multicast listener query / report */
	case 131: return 130;
	case 139: return 140; /* node information query / response */
	case 140: return 139;
	case 144: return 145; /* home agent address discovery */
	case 145: return 144;
	default: return code;
	}
}

/* ---- entry points (decode_link.c) ---- */

/* decode_packet() is decode_fast(), and decode_packet_general() when that returns false. */

/* The common case in one pass (see decode_link.c): true and *out completely set (as the general
 * path would set it, status DECODE_OK) when the frame is one it handles; false otherwise, with
 * *out partly written. */
bool decode_fast(int linktype, const uint8_t *data, uint32_t caplen, struct decoded_pkt *out);

/* The general decoder for every frame: decode_packet() without the fast path. */
enum decode_status decode_packet_general(int linktype, const uint8_t *data, uint32_t caplen,
					 struct decoded_pkt *out);

/* ---- link layers (decode_link.c) ---- */

/* Decodes a frame of link type linktype (the decode_packet() switch, reused by PPI for the link
 * type it wraps). UNSUPPORTED_LINK for a type not handled. */
enum decode_status decode_link(int linktype, struct bview v, struct decoded_pkt *out, int depth);

/* An Ethernet II / 802.3 frame from the destination MAC on (also the payload of VXLAN, GRE
 * transparent bridging, ERSPAN, Cisco FabricPath and PPI). */
enum decode_status decode_ether_frame(struct bview v, struct decoded_pkt *out, int depth);

/* Dispatches on an ethertype whose payload starts at v[off], after peeling VLAN tags. Shared by
 * Ethernet, both cooked formats, Cisco HDLC and 802.11 LLC/SNAP. */
enum decode_status decode_ethertype(uint16_t type, struct bview v, size_t off,
				    struct decoded_pkt *out, int depth);

/* ---- PPP, PPPoE, Cisco HDLC, MPLS (decode_ppp.c) ---- */

/* DLT_PPP / DLT_PPP_SERIAL, and the PPP frame inside enhanced GRE: optional 0xff 0x03 address and
 * control, then the (possibly compressed) protocol; a first byte of 0x0f/0x8f is Cisco HDLC. */
enum decode_status decode_ppp(struct bview v, struct decoded_pkt *out, int depth);
/* DLT_C_HDLC: address, control, ethertype. */
enum decode_status decode_chdlc(struct bview v, struct decoded_pkt *out, int depth);
/* A PPPoE session-stage header (ethertype 0x8864 payload, or DLT_PPP_ETHER) and its PPP. */
enum decode_status decode_pppoe_session(struct bview v, struct decoded_pkt *out, int depth);
/* An MPLS label stack; after the bottom of the stack, IPv4 or IPv6 by version nibble. */
enum decode_status decode_mpls(struct bview v, struct decoded_pkt *out, int depth);

/* ---- PPI, radiotap, 802.11 (decode_wlan.c) ---- */

enum decode_status decode_ppi(struct bview v, struct decoded_pkt *out, int depth);
enum decode_status decode_radiotap(struct bview v, struct decoded_pkt *out, int depth);
/* An IEEE 802.11 frame without FCS: data frames with LLC/SNAP reach IP; others are NONIP. */
enum decode_status decode_ieee80211(struct bview v, struct decoded_pkt *out, int depth);

/* ---- capture and device headers (decode_encap.c) ---- */

enum decode_status decode_nflog(struct bview v, struct decoded_pkt *out, int depth);
/* PKTAP decodes the frame it wraps with decode_link() at depth + 1. */
enum decode_status decode_pktap(struct bview v, struct decoded_pkt *out, int depth);
enum decode_status decode_ipnet(struct bview v, struct decoded_pkt *out, int depth);
enum decode_status decode_ipoib(struct bview v, struct decoded_pkt *out, int depth);
enum decode_status decode_atm_clip(struct bview v, struct decoded_pkt *out, int depth);
enum decode_status decode_juniper_ether(struct bview v, struct decoded_pkt *out, int depth);
enum decode_status decode_fddi(struct bview v, struct decoded_pkt *out, int depth);
enum decode_status decode_erf(struct bview v, struct decoded_pkt *out, int depth);

/* ---- tunnels (decode_tunnel.c) ---- */

/* Called by decode_ip() for IP protocols 4, 41 and 47 in an unfragmented packet: l4 is the
 * captured IP payload, l4_len what the IP header claims. out still holds the carrying IP
 * header's fields. An unknown GRE payload type leaves the packet a port-less GRE flow. */
enum decode_status decode_ip_tunnel(uint8_t proto, struct bview l4, uint32_t l4_len,
				    struct decoded_pkt *out, int depth);
/* Called by decode_ip() after decode_l4() decoded an unfragmented UDP datagram: enters VXLAN when
 * the datagram is one; otherwise returns DECODE_OK with out untouched. */
enum decode_status decode_udp_tunnel(struct decoded_pkt *out, int depth);

/* An IP packet inside a header that says how long its payload is (IP-in-IP, GRE, ERSPAN III,
 * PPPoE): the packet's own length must fit in those claimed bytes; longer is a lie (MALFORMED),
 * not a cut. Then decode_ip(). */
enum decode_status decode_inner_ip(struct bview v, uint32_t claimed, int want_ver,
				   struct decoded_pkt *out, int depth);

/* Records the outermost tunnel (type, and the carrying IP header's addresses when from_ip) and
 * forgets every network and transport field, so the inner headers alone describe the flow. VLAN
 * ids stay; a decoder that enters an inner Ethernet frame clears them first. */
void decode_enter_tunnel(struct decoded_pkt *out, enum tunnel_type type, bool from_ip);

#endif
