/* decode_frames.h - frame builders shared by check_decode.c and check_decode_sweep.c. */
#ifndef DECODE_FRAMES_H
#define DECODE_FRAMES_H

#include <check.h>
#include <pcap/dlt.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "decode.h"
#include "decode_internal.h" /* link types older pcap/dlt.h versions lack */

#define ETH_MIN_FRAME 60 /* without FCS: shorter frames are padded by the sender */
#define TCP_SEQ 0x11223344u
#define TCP_ACK 0x55667788u

/* ---- frame building ---- */

struct frame {
	uint8_t b[2048];
	size_t len;
};

static inline void put8(struct frame *f, unsigned v)
{
	ck_assert_uint_lt(f->len, sizeof f->b);
	f->b[f->len++] = (uint8_t)v;
}
static inline void put16(struct frame *f, unsigned v)
{
	put8(f, (v >> 8) & 0xff);
	put8(f, v & 0xff);
}
static inline void put32(struct frame *f, uint32_t v)
{
	put16(f, v >> 16);
	put16(f, v & 0xffff);
}
static inline void put_bytes(struct frame *f, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(f, ((const uint8_t *)p)[i]);
}
static inline void put_fill(struct frame *f, unsigned v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(f, v);
}
static inline void set16(struct frame *f, size_t off, unsigned v)
{
	f->b[off] = (uint8_t)(v >> 8);
	f->b[off + 1] = (uint8_t)v;
}

static const uint8_t V4_SRC[4] = { 10, 0, 0, 1 }, V4_DST[4] = { 192, 168, 1, 2 };
static const uint8_t V6_SRC[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t V6_DST[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0xab, [15] = 2 };
static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0xaa }, MAC_B[6] = { 0x02, 0, 0, 0, 0, 0xbb };

/* TCP with opt_words 4-byte words of NOP options before payload. */
static inline void build_tcp(struct frame *s, unsigned sp, unsigned dp, unsigned flags,
			     size_t opt_words, const char *payload)
{
	s->len = 0;
	put16(s, sp);
	put16(s, dp);
	put32(s, TCP_SEQ);
	put32(s, TCP_ACK);
	put8(s, (unsigned)(5 + opt_words) << 4);
	put8(s, flags);
	put16(s, 65535);
	put32(s, 0); /* checksum, urgent pointer */
	put_fill(s, 1, opt_words * 4);
	put_bytes(s, payload, strlen(payload));
}

static inline void build_udp(struct frame *s, unsigned sp, unsigned dp, const char *payload)
{
	s->len = 0;
	put16(s, sp);
	put16(s, dp);
	put16(s, 8 + (unsigned)strlen(payload));
	put16(s, 0);
	put_bytes(s, payload, strlen(payload));
}

static inline void build_icmp(struct frame *s, unsigned type, unsigned code, const char *payload)
{
	s->len = 0;
	put8(s, type);
	put8(s, code);
	put16(s, 0);
	put_bytes(s, payload, strlen(payload));
}

struct ip4_hdr_opts {
	unsigned tos, id, frag; /* frag: the flags + fragment offset field as on the wire */
	size_t opt_words;       /* IHL = 5 + opt_words */
};
static const struct ip4_hdr_opts IP4_PLAIN = { 0xb8, 0x1234, 0, 0 };

static inline void wrap_ipv4(struct frame *p, unsigned proto, const struct frame *l4,
			     const struct ip4_hdr_opts *o)
{
	size_t hlen = 20 + 4 * o->opt_words;
	p->len = 0;
	put8(p, 0x40 | (unsigned)(hlen / 4));
	put8(p, o->tos);
	put16(p, (unsigned)(hlen + l4->len));
	put16(p, o->id);
	put16(p, o->frag);
	put8(p, 64);
	put8(p, proto);
	put16(p, 0);
	put_bytes(p, V4_SRC, 4);
	put_bytes(p, V4_DST, 4);
	if (o->opt_words > 0) { /* record route: type, length, pointer, slots, then end-of-list */
		size_t n = 4 * o->opt_words;
		put8(p, 7);
		put8(p, (unsigned)n - 1);
		put8(p, 4);
		put_fill(p, 0, n - 4);
		put8(p, 0);
	}
	put_bytes(p, l4->b, l4->len);
}

/* pay holds any extension headers followed by the transport segment. */
static inline void wrap_ipv6(struct frame *p, unsigned nh, const struct frame *pay, unsigned tc)
{
	p->len = 0;
	put32(p, 0x60000000u | (uint32_t)tc << 20 | 0x12345);
	put16(p, (unsigned)pay->len);
	put8(p, nh);
	put8(p, 64);
	put_bytes(p, V6_SRC, 16);
	put_bytes(p, V6_DST, 16);
	put_bytes(p, pay->b, pay->len);
}

/* Hop-by-hop / routing / destination options: (units + 1) * 8 bytes, padded with a PadN option. */
static inline void put_ext(struct frame *f, unsigned next, unsigned units)
{
	size_t n = (units + 1) * 8;
	put8(f, next);
	put8(f, units);
	put8(f, 1);
	put8(f, (unsigned)n - 4);
	put_fill(f, 0, n - 4);
}

static inline void put_frag6(struct frame *f, unsigned next, unsigned off_bytes, bool more,
			     uint32_t id)
{
	put8(f, next);
	put8(f, 0);
	put16(f, off_bytes | (more ? 1u : 0u));
	put32(f, id);
}

/* AH (RFC 4302): length field in 4-byte units minus 2. */
static inline void put_ah(struct frame *f, unsigned next, unsigned len_field)
{
	put8(f, next);
	put8(f, len_field);
	put16(f, 0);
	put32(f, 0x1000); /* SPI */
	put32(f, 1);      /* sequence */
	put_fill(f, 0xcc, (len_field + 2) * 4 - 12);
}

static inline void append(struct frame *f, const struct frame *g)
{
	put_bytes(f, g->b, g->len);
}

enum link_kind {
	LK_ETH, LK_VLAN, LK_QINQ, LK_QINQ_9100, LK_SLL, LK_SLL2, LK_RAW, LK_RAW_101, LK_RAW_V,
	LK_NULL_LE, LK_NULL_BE, LK_LOOP,
	/* capture and device headers (decode_encap.c); none of them takes the fast path */
	LK_NFLOG, LK_PKTAP, LK_IPNET, LK_IPOIB, LK_ATM_CLIP, LK_JUNIPER, LK_FDDI, LK_ERF,
	LK_COUNT
};
/* The link kinds decode_fast() serves. */
static inline bool lk_fast(int k)
{
	return k < LK_NULL_LE;
}
static const uint16_t link_vlan[LK_COUNT][2] = {
	[LK_VLAN] = { 100, 0 }, [LK_QINQ] = { 200, 300 }, [LK_QINQ_9100] = { 400, 500 },
};

static inline void put_tag(struct frame *f, unsigned tpid, unsigned vid)
{
	put16(f, tpid);
	put16(f, 0xa000 | vid); /* PCP 5: the priority bits must not leak into the id */
}

/* Wraps an IP packet in a link header; returns the link type and sets *link_len. */
static inline int wrap_link(struct frame *f, enum link_kind k, const struct frame *ip,
			    size_t *link_len)
{
	int ver = ip->b[0] >> 4, lt = -1;
	unsigned etype = ver == 4 ? 0x0800 : 0x86dd;
	f->len = 0;
	switch (k) {
	case LK_ETH:
	case LK_VLAN:
	case LK_QINQ:
	case LK_QINQ_9100:
		put_bytes(f, MAC_B, 6);
		put_bytes(f, MAC_A, 6);
		if (k == LK_VLAN)
			put_tag(f, 0x8100, 100);
		if (k == LK_QINQ) {
			put_tag(f, 0x88a8, 200);
			put_tag(f, 0x8100, 300);
		}
		if (k == LK_QINQ_9100) {
			put_tag(f, 0x9100, 400);
			put_tag(f, 0x8100, 500);
		}
		put16(f, etype);
		lt = DLT_EN10MB;
		break;
	case LK_SLL:
		put16(f, 0); /* to us */
		put16(f, 1); /* ARPHRD_ETHER */
		put16(f, 6);
		put_bytes(f, MAC_A, 6);
		put16(f, 0);
		put16(f, etype);
		lt = DLT_LINUX_SLL;
		break;
	case LK_SLL2:
		put16(f, etype);
		put16(f, 0);
		put32(f, 3); /* ifindex */
		put16(f, 1);
		put8(f, 0);
		put8(f, 6);
		put_bytes(f, MAC_A, 6);
		put16(f, 0);
		lt = DLT_LINUX_SLL2;
		break;
	case LK_RAW:
		lt = DLT_RAW;
		break;
	case LK_RAW_101:
		lt = LINKTYPE_RAW;
		break;
	case LK_RAW_V:
		lt = ver == 4 ? DLT_IPV4 : DLT_IPV6;
		break;
	case LK_NULL_LE: /* written by a little-endian host; Darwin's AF_INET6 */
		put8(f, ver == 4 ? 2 : 30);
		put_fill(f, 0, 3);
		lt = DLT_NULL;
		break;
	case LK_NULL_BE: /* written by a big-endian host; FreeBSD's AF_INET6 */
		put32(f, ver == 4 ? 2 : 28);
		lt = DLT_NULL;
		break;
	case LK_LOOP: /* network order; NetBSD/OpenBSD AF_INET6 */
		put32(f, ver == 4 ? 2 : 24);
		lt = DLT_LOOP;
		break;
	case LK_NFLOG: {
		/* nfgenmsg, an NFULA_PREFIX TLV of 5 bytes (padded to 8), the NFULA_PAYLOAD TLV;
		 * TLV lengths and types in host order */
		uint16_t tlv[2] = { 9, 10 };
		put8(f, ver == 4 ? 2 : 10);
		put8(f, 0);
		put16(f, 7);
		put_bytes(f, tlv, 4);
		put_bytes(f, "abcde\0\0\0", 8);
		tlv[0] = (uint16_t)(4 + ip->len);
		tlv[1] = 9;
		put_bytes(f, tlv, 4);
		lt = DLT_NFLOG;
		break;
	}
	case LK_PKTAP:
		put8(f, 108); /* header length, little-endian */
		put_fill(f, 0, 3);
		put8(f, 1);   /* record type: packet */
		put_fill(f, 0, 3);
		put8(f, 1);   /* DLT_EN10MB */
		put_fill(f, 0, 3);
		put_fill(f, 0x5a, 108 - 12);
		put_bytes(f, MAC_B, 6);
		put_bytes(f, MAC_A, 6);
		put16(f, etype);
		lt = DLT_PKTAP;
		break;
	case LK_IPNET:
		put8(f, 1);
		put8(f, ver == 4 ? 2 : 26);
		put16(f, 0);
		put32(f, ip->len);
		put_fill(f, 0, 16);
		lt = DLT_IPNET;
		break;
	case LK_IPOIB:
		put16(f, etype);
		put16(f, 0);
		lt = DLT_IPOIB;
		break;
	case LK_ATM_CLIP:
		put_bytes(f, "\xaa\xaa\x03\x00\x00\x00", 6);
		put16(f, etype);
		lt = LINKTYPE_ATM_CLIP;
		break;
	case LK_JUNIPER:
		put_bytes(f, "MGC\x81", 4); /* extensions follow; packet in */
		put16(f, 6);
		put_bytes(f, "\x01\x04\x00\x00\x00\x07", 6);
		put_bytes(f, MAC_B, 6);
		put_bytes(f, MAC_A, 6);
		put16(f, etype);
		lt = DLT_JUNIPER_ETHER;
		break;
	case LK_FDDI:
		put8(f, 0x57); /* LLC, priority 7 */
		put_bytes(f, MAC_B, 6);
		put_bytes(f, MAC_A, 6);
		put_bytes(f, "\xaa\xaa\x03\x00\x00\x00", 6);
		put16(f, etype);
		lt = DLT_FDDI;
		break;
	case LK_ERF:
		put_fill(f, 0x11, 8); /* timestamp */
		put8(f, 0x82);        /* Ethernet, an extension header follows */
		put8(f, 0x04);
		put16(f, (unsigned)(16 + 16 + 2 + 14 + ip->len));
		put16(f, 0);
		put16(f, (unsigned)(14 + ip->len));
		put_bytes(f, "\x80\0\0\0\0\0\0\0\x05\0\0\0\0\0\0\0", 16); /* two */
		put16(f, 0);
		put_bytes(f, MAC_B, 6);
		put_bytes(f, MAC_A, 6);
		put16(f, etype);
		lt = DLT_ERF;
		break;
	case LK_COUNT:
		break;
	}
	*link_len = f->len;
	append(f, ip);
	return lt;
}

/* hop-by-hop, routing, destination options, fragment (first), then UDP */
static inline void build_v6_chain(struct frame *ip, bool later)
{
	struct frame pay = { .len = 0 }, seg;
	put_ext(&pay, 43, 0);
	put_ext(&pay, 60, 2);
	put_ext(&pay, 44, 1);
	put_frag6(&pay, 17, later ? 1448 : 0, !later, 0xdeadbeef);
	build_udp(&seg, 3478, 40000, "stun");
	append(&pay, &seg);
	wrap_ipv6(ip, 0, &pay, 0xb8);
}

#endif
