/* decode.h - the decode stage: one captured frame in, one `struct decoded_pkt` out.
 *
 * Link layers: Ethernet (DLT_EN10MB) with 802.1Q / 802.1ad (QinQ) tags, Linux cooked v1/v2
 * (DLT_LINUX_SLL, DLT_LINUX_SLL2), raw IP (DLT_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6), BSD null/loopback
 * (DLT_NULL, DLT_LOOP), PPP, Cisco HDLC, 802.11, and IP behind capture or device headers (NFLOG,
 * PKTAP, IPNET, IPOIB, ATM_CLIP, JUNIPER_ETHER, FDDI, ERF). Network: IPv4 (RFC 791, options, fragments), IPv6 (RFC 8200, extension-header
 * chain of at most DECODE_MAX_EXT_HEADERS headers). Transport: TCP (RFC 9293), UDP (RFC 768), ICMP,
 * ICMPv6, and any other protocol as a port-less flow.
 *
 * Every read goes through pkt_access.h. The decoder never allocates and keeps no state between frames.
 */
#ifndef DECODE_H
#define DECODE_H

#include "ucflow.h"
#include "pkt_access.h"

#define DECODE_MAX_EXT_HEADERS 8

enum decode_status {
	DECODE_OK = 0,
	DECODE_NONIP,     /* a well-formed frame that carries no IP (ARP, LLDP, STP ...) */
	DECODE_TRUNCATED, /* the capture ended before a header did (snap length, short frame) */
	DECODE_MALFORMED, /* a header contradicts itself (bad version, IHL < 5, lying lengths ...) */
	DECODE_UNSUPPORTED_LINK, /* the link type is not one we decode */
};

/* Packet-level flags. */
#define DPKT_FRAG          0x01 /* an IP fragment (first or later) */
#define DPKT_FRAG_FIRST    0x02 /* offset 0 with more fragments: carries the L4 header */
#define DPKT_FRAG_LATER    0x04 /* offset > 0: no L4 header, ports unknown */
#define DPKT_L4_TRUNCATED  0x08 /* IP header fine, L4 header or payload cut by the snap length */
#define DPKT_IP_LEN_SHORT  0x10 /* the IP length claimed more than the frame held (snap length) */

enum tunnel_type {
	TUNNEL_NONE = 0,
	TUNNEL_GRE,
	TUNNEL_ERSPAN,
	TUNNEL_VXLAN,
	TUNNEL_IPIP,   /* IPv4-in-IPv4, IPv6-in-IPv4, IPv4/6-in-IPv6 */
	TUNNEL_PPPOE,
	TUNNEL_MPLS,
};

struct decoded_pkt {
	/* link layer */
	uint16_t vlan;       /* outer 802.1Q/802.1ad VLAN id, 0 when untagged */
	uint16_t inner_vlan; /* inner (QinQ) VLAN id, 0 when single-tagged or untagged */

	/* network layer */
	uint8_t ipver;  /* 4 or 6 */
	uint8_t proto;  /* IP protocol number of the transport (after IPv6 extension headers) */
	uint8_t dscp;   /* DSCP (upper 6 bits of TOS / traffic class) */
	uint8_t flags;  /* DPKT_* */
	struct ucf_addr src, dst;
	uint32_t ip_len;    /* IP total length as the header says (IPv6: 40 + payload length) */
	uint32_t frag_id;   /* IPv4 identification or IPv6 fragment identification */
	uint16_t frag_off;  /* fragment offset in bytes */

	/* transport layer (ports 0 for port-less protocols and later fragments; ICMP/ICMPv6: Zeek's
	 * type and counterpart type or code, see decode_icmp_resp_port()) */
	uint16_t sport, dport;
	uint8_t tcp_flags;  /* FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 ECE 0x40 CWR 0x80 */
	uint8_t icmp_type, icmp_code;
	uint32_t tcp_seq, tcp_ack;
	uint32_t payload_len;  /* L4 payload length per the headers (may exceed what was captured) */
	struct bview payload;  /* the captured part of the L4 payload (len <= payload_len) */

	/* outermost tunnel, when the flow was found inside one */
	uint8_t tunnel_type; /* enum tunnel_type */
	struct ucf_addr tunnel_src, tunnel_dst;
};

/* Decodes one frame of the given pcap link type (DLT_*). On DECODE_OK every field is set; on other
 * statuses the contents of *out are unspecified. caplen is the number of bytes in data. */
enum decode_status decode_packet(int linktype, const uint8_t *data, uint32_t caplen,
				 struct decoded_pkt *out);

/* Whether decode_packet() handles this link type at all. */
bool decode_linktype_supported(int linktype);

/* A printable name for a link type, e.g. "EN10MB (Ethernet)"; never NULL. */
const char *decode_linktype_name(int linktype);

const char *decode_status_name(enum decode_status st);

#endif
