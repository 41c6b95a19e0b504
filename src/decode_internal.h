/* decode_internal.h - private glue between decode_link.c, decode_ip.c and decode_l4.c.
 *
 * The stages call each other through views: the link layer hands decode_ip() the bytes from the IP
 * header to the end of the capture, decode_ip() hands decode_l4() the IP payload limited to the IP
 * length. A tunnel decoder (GRE, IP-in-IP) can later call decode_ip() again with depth + 1.
 */
#ifndef DECODE_INTERNAL_H
#define DECODE_INTERNAL_H

#include <pcap/dlt.h>

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

/* How deep IP may nest inside IP (tunnels); deeper is treated as malformed, which bounds recursion. */
#define DECODE_MAX_DEPTH 4

/* IP protocol numbers the decoder acts on (IANA "Assigned Internet Protocol Numbers"). */
enum {
	IPPROTO_NUM_HOPOPTS = 0,
	IPPROTO_NUM_ICMP = 1,
	IPPROTO_NUM_TCP = 6,
	IPPROTO_NUM_UDP = 17,
	IPPROTO_NUM_ROUTING = 43,
	IPPROTO_NUM_FRAGMENT = 44,
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

#endif
