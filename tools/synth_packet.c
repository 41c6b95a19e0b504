/* synth_packet.c - link/IP framing, checksums, IPv4 fragmentation and pcap output for ucflow-synth. */
#include "synth.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

/* BSD AF_INET6 value used in DLT_NULL headers (Linux's AF_INET6 = 10 is not understood by
 * readers; tcpdump.org lists 24, 28 and 30). */
#define NULL_AF_INET 2
#define NULL_AF_INET6 24

#define MAX_IFACES 16

const char *const link_names[LINK_COUNT] = {
	"en10mb", "raw", "sll", "sll2", "null", "nflog", "pktap", "ipnet", "ipoib", "atm-clip",
	"juniper-ether", "fddi", "erf",
};

struct writer {
	int format;
	pcap_t *p;          /* FMT_PCAP: libpcap writes the file */
	pcap_dumper_t *d;
	FILE *fp;           /* FMT_PCAP_NS, FMT_PCAPNG: written here */
	int link;           /* the file's link type (pcap), or the current interface's */
	int snaplen;
	int nif, cur_if;
	int if_link[MAX_IFACES];
	int if_tsresol[MAX_IFACES];
	uint64_t packets;
	struct sbuf frame, blk;
};

/* The LINKTYPE_ number a file records (tcpdump.org registry). */
static int link_linktype(int link)
{
	switch (link) {
	case LINK_RAW: return 101;
	case LINK_SLL: return 113;
	case LINK_SLL2: return 276;
	case LINK_NULL: return 0;
	case LINK_NFLOG: return 239;
	case LINK_PKTAP: return 258;
	case LINK_IPNET: return 226;
	case LINK_IPOIB: return 242;
	case LINK_ATM_CLIP: return 106;
	case LINK_JUNIPER_ETHER: return 178;
	case LINK_FDDI: return 10;
	case LINK_ERF: return 197;
	default: return 1;
	}
}

/* The DLT_ value libpcap's writer takes (it writes the LINKTYPE_ for it). */
static int link_dlt(int link)
{
	switch (link) {
	case LINK_RAW: return DLT_RAW;
	case LINK_SLL: return DLT_LINUX_SLL;
	case LINK_SLL2: return DLT_LINUX_SLL2;
	case LINK_NULL: return DLT_NULL;
#ifdef DLT_ATM_CLIP
	case LINK_ATM_CLIP: return DLT_ATM_CLIP;
#endif
	case LINK_EN10MB: return DLT_EN10MB;
	default: return link_linktype(link); /* the same number either way */
	}
}

/* Little-endian (the byte order this writer uses for its own formats' headers). */
static void sb_le16(struct sbuf *b, unsigned v)
{
	uint8_t c[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	sb_put(b, c, 2);
}

static void sb_le32(struct sbuf *b, uint32_t v)
{
	uint8_t c[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	sb_put(b, c, 4);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static int flush_blk(struct writer *w)
{
	if (fwrite(w->blk.d, 1, w->blk.len, w->fp) != w->blk.len)
		return -1;
	sb_reset(&w->blk);
	return 0;
}

/* pcapng: a block of `type` whose body is in w->blk from `start`; fills in both lengths. */
static void pcapng_block_begin(struct writer *w, uint32_t type)
{
	sb_reset(&w->blk);
	sb_le32(&w->blk, type);
	sb_le32(&w->blk, 0); /* total length, patched */
}

static int pcapng_block_end(struct writer *w)
{
	while (w->blk.len % 4)
		sb_u8(&w->blk, 0);
	uint32_t total = (uint32_t)w->blk.len + 4;
	put_le32(w->blk.d + 4, total);
	sb_le32(&w->blk, total);
	return flush_blk(w);
}

struct writer *writer_open(const char *path, int format, int link, int snaplen, char *err,
			   size_t errlen)
{
	struct writer *w = calloc(1, sizeof *w);
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->format = format;
	w->link = link;
	w->snaplen = snaplen;
	w->cur_if = -1;
	sb_init(&w->frame);
	sb_init(&w->blk);
	if (format == FMT_PCAP) {
		w->p = pcap_open_dead(link_dlt(link), snaplen);
		if (!w->p) {
			snprintf(err, errlen, "pcap_open_dead failed");
			free(w);
			return NULL;
		}
		w->d = pcap_dump_open(w->p, path);
		if (!w->d) {
			snprintf(err, errlen, "%s: %s", path, pcap_geterr(w->p));
			pcap_close(w->p);
			free(w);
			return NULL;
		}
		return w;
	}
	w->fp = fopen(path, "wb");
	if (!w->fp) {
		snprintf(err, errlen, "%s: cannot create", path);
		free(w);
		return NULL;
	}
	int rc;
	if (format == FMT_PCAP_NS) {
		sb_le32(&w->blk, 0xa1b23c4du); /* nanosecond times */
		sb_le16(&w->blk, 2);
		sb_le16(&w->blk, 4);
		sb_le32(&w->blk, 0);
		sb_le32(&w->blk, 0);
		sb_le32(&w->blk, (uint32_t)snaplen);
		sb_le32(&w->blk, (uint32_t)link_linktype(link));
		rc = flush_blk(w);
	} else {
		pcapng_block_begin(w, 0x0a0d0d0au); /* section header */
		sb_le32(&w->blk, 0x1a2b3c4du);
		sb_le16(&w->blk, 1);
		sb_le16(&w->blk, 0);
		sb_le32(&w->blk, 0xffffffffu); /* section length unknown */
		sb_le32(&w->blk, 0xffffffffu);
		rc = pcapng_block_end(w);
	}
	if (rc != 0) {
		snprintf(err, errlen, "%s: write error", path);
		fclose(w->fp);
		free(w);
		return NULL;
	}
	return w;
}

int writer_add_interface(struct writer *w, int link, int tsresol, char *err, size_t errlen)
{
	if (w->format != FMT_PCAPNG) {
		if (err)
			snprintf(err, errlen, "interfaces need `format pcapng`");
		return -1;
	}
	if (w->nif == MAX_IFACES) {
		if (err)
			snprintf(err, errlen, "at most %d interfaces", MAX_IFACES);
		return -1;
	}
	pcapng_block_begin(w, 1); /* interface description */
	sb_le16(&w->blk, (unsigned)link_linktype(link));
	sb_le16(&w->blk, 0);
	sb_le32(&w->blk, (uint32_t)w->snaplen);
	if (tsresol != 6) {
		sb_le16(&w->blk, 9); /* if_tsresol: 10^-tsresol seconds */
		sb_le16(&w->blk, 1);
		sb_u8(&w->blk, (unsigned)tsresol);
		sb_fill(&w->blk, 0, 3);
		sb_le32(&w->blk, 0); /* opt_endofopt */
	}
	if (pcapng_block_end(w) != 0) {
		if (err)
			snprintf(err, errlen, "write error");
		return -1;
	}
	w->if_link[w->nif] = link;
	w->if_tsresol[w->nif] = tsresol;
	w->cur_if = w->nif;
	w->link = link;
	return w->nif++;
}

int writer_use_interface(struct writer *w, int idx)
{
	if (idx < 0 || idx >= w->nif)
		return -1;
	w->cur_if = idx;
	w->link = w->if_link[idx];
	return 0;
}

int writer_interfaces(const struct writer *w)
{
	return w->nif;
}

int writer_link(const struct writer *w)
{
	return w->link;
}

int writer_close(struct writer *w)
{
	if (!w)
		return 0;
	int rc = 0;
	if (w->d) {
		if (pcap_dump_flush(w->d) != 0)
			rc = -1;
		pcap_dump_close(w->d);
		pcap_close(w->p);
	} else if (w->fp) {
		if (fclose(w->fp) != 0)
			rc = -1;
	}
	sb_free(&w->frame);
	sb_free(&w->blk);
	free(w);
	return rc;
}

uint64_t writer_packets(const struct writer *w)
{
	return w ? w->packets : 0;
}

/* ---- checksums ------------------------------------------------------------------------- */
static uint32_t csum_add(const uint8_t *p, size_t len, uint32_t sum)
{
	while (len > 1) {
		sum += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t inet_csum(const void *data, size_t len, uint32_t seed)
{
	return csum_fold(csum_add(data, len, seed));
}

uint16_t l4_checksum(const struct flow *f, int dir, int l4proto, const uint8_t *l4, size_t len)
{
	uint32_t sum = 0;
	size_t alen = f->af == 6 ? 16 : 4;
	sum = csum_add(f->addr[dir], alen, sum);
	sum = csum_add(f->addr[!dir], alen, sum);
	if (f->af == 6) {
		sum += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff);
		sum += (uint32_t)l4proto;
	} else {
		sum += (uint32_t)l4proto + (uint32_t)len;
	}
	uint16_t c = inet_csum(l4, len, sum);
	if (l4proto == 17 && c == 0)
		c = 0xffff;
	return c;
}

/* ---- framing --------------------------------------------------------------------------- */
static void put_link(struct writer *w, const struct flow *f, int dir, struct sbuf *b)
{
	unsigned ethertype = f->af == 6 ? 0x86dd : 0x0800;
	const uint8_t *src = f->mac[dir], *dst = f->mac[!dir];
	switch (w->link) {
	case LINK_EN10MB:
		sb_put(b, dst, 6);
		sb_put(b, src, 6);
		if (f->nvlan == 2) {
			sb_u16(b, 0x88a8);
			sb_u16(b, f->vlan[0]);
			sb_u16(b, 0x8100);
			sb_u16(b, f->vlan[1]);
		} else if (f->nvlan == 1) {
			sb_u16(b, 0x8100);
			sb_u16(b, f->vlan[0]);
		}
		sb_u16(b, ethertype);
		break;
	case LINK_SLL:
		/* packet type: 4 = sent by this host (client side), 0 = addressed to it */
		sb_u16(b, dir == DIR_C2S ? 4 : 0);
		sb_u16(b, 1);	/* ARPHRD_ETHER */
		sb_u16(b, 6);
		sb_put(b, src, 6);
		sb_u16(b, 0);
		sb_u16(b, ethertype);
		break;
	case LINK_SLL2:
		sb_u16(b, ethertype);
		sb_u16(b, 0);
		sb_u32(b, 2);	/* interface index */
		sb_u16(b, 1);	/* ARPHRD_ETHER */
		sb_u8(b, dir == DIR_C2S ? 4 : 0);
		sb_u8(b, 6);
		sb_put(b, src, 6);
		sb_u16(b, 0);
		break;
	case LINK_NULL: {
		/* The family is in the byte order of the host that wrote the file, like the pcap
		 * file header that libpcap writes. */
		uint32_t af = f->af == 6 ? NULL_AF_INET6 : NULL_AF_INET;
		sb_put(b, &af, 4);
		break;
	}
	case LINK_NFLOG: {
		/* nfgenmsg (family, version 0, resource id), an NFULA_PACKET_HDR TLV (hardware
		 * protocol, hook), then the NFULA_PAYLOAD TLV whose length finish_link() fills in.
		 * TLV lengths and types are in the writing host's byte order. */
		uint16_t tlv[2];
		sb_u8(b, f->af == 6 ? 10 : 2);
		sb_u8(b, 0);
		sb_u16(b, 0);
		tlv[0] = 8;
		tlv[1] = 1;
		sb_put(b, tlv, 4);
		sb_u16(b, ethertype);
		sb_u8(b, dir == DIR_C2S ? 3 : 1); /* NF_INET_LOCAL_OUT / LOCAL_IN */
		sb_u8(b, 0);
		tlv[0] = 0;
		tlv[1] = 9;
		sb_put(b, tlv, 4);
		break;
	}
	case LINK_PKTAP:
		/* Apple's pktap_header, 108 bytes, little-endian: length, record type 1 (packet),
		 * DLT_EN10MB, interface name; then the Ethernet frame */
		sb_le32(b, 108);
		sb_le32(b, 1);
		sb_le32(b, 1);
		sb_put(b, "en0", 3);
		sb_fill(b, 0, 108 - 15);
		sb_put(b, dst, 6);
		sb_put(b, src, 6);
		sb_u16(b, ethertype);
		break;
	case LINK_IPNET:
		/* Solaris ipnet: version, family (2 / 26), hook, packet length (finish_link),
		 * interface index, group interface, zones */
		sb_u8(b, 2);
		sb_u8(b, f->af == 6 ? 26 : 2);
		sb_u16(b, dir == DIR_C2S ? 1 : 0);
		sb_u32(b, 0);
		sb_u32(b, 2);
		sb_u32(b, 0);
		sb_u32(b, 0);
		sb_u32(b, 0);
		break;
	case LINK_IPOIB:
		sb_u16(b, ethertype); /* RFC 4391: type, reserved */
		sb_u16(b, 0);
		break;
	case LINK_ATM_CLIP:
		sb_put(b, "\xaa\xaa\x03\x00\x00\x00", 6); /* RFC 2684 LLC/SNAP */
		sb_u16(b, ethertype);
		break;
	case LINK_JUNIPER_ETHER:
		/* "MGC", flags (extensions present; bit 0: packet in), 4 bytes of TLV extensions
		 * (type 1, length 2: an interface index), then the Ethernet frame */
		sb_put(b, "MGC", 3);
		sb_u8(b, 0x80 | (dir == DIR_S2C ? 1 : 0));
		sb_u16(b, 4);
		sb_u8(b, 1);
		sb_u8(b, 2);
		sb_u16(b, 7);
		sb_put(b, dst, 6);
		sb_put(b, src, 6);
		sb_u16(b, ethertype);
		break;
	case LINK_FDDI:
		sb_u8(b, 0x50); /* asynchronous LLC frame */
		sb_put(b, dst, 6);
		sb_put(b, src, 6);
		sb_put(b, "\xaa\xaa\x03\x00\x00\x00", 6);
		sb_u16(b, ethertype);
		break;
	case LINK_ERF:
		/* ERF record: timestamp and lengths (finish_link), type 2 (Ethernet), flags
		 * (interface 0, varying length), loss counter; 2 pad bytes; the Ethernet frame */
		sb_fill(b, 0, 8);
		sb_u8(b, 2);
		sb_u8(b, 0x04);
		sb_u16(b, 0);
		sb_u16(b, 0);
		sb_u16(b, 0);
		sb_u16(b, 0);
		sb_put(b, dst, 6);
		sb_put(b, src, 6);
		sb_u16(b, ethertype);
		break;
	default:
		break;
	}
}

/* Fills in the link header's length fields now that the frame is complete. */
static void finish_link(const struct writer *w, struct sbuf *b, uint64_t ts_us)
{
	switch (w->link) {
	case LINK_NFLOG: {
		uint16_t len = (uint16_t)(b->len - 12); /* from the payload TLV's header on */
		memcpy(b->d + 12, &len, 2);
		break;
	}
	case LINK_IPNET:
		put_be32(b->d + 4, (uint32_t)(b->len - 24));
		break;
	case LINK_ERF: {
		/* 32.32 fixed-point seconds, little-endian */
		uint64_t t = ((ts_us / 1000000u) << 32) + ((ts_us % 1000000u) << 32) / 1000000u;
		for (int i = 0; i < 8; i++)
			b->d[i] = (uint8_t)(t >> (8 * i));
		put_be16(b->d + 10, (unsigned)b->len);       /* record length */
		put_be16(b->d + 14, (unsigned)(b->len - 18)); /* wire length of the frame */
		break;
	}
	default:
		break;
	}
}


static void put_ipv4(struct sbuf *b, const struct flow *f, int dir, int l4proto, size_t plen,
		     int tos, int ttl, uint16_t id, unsigned flags_off)
{
	size_t start = b->len;
	sb_u8(b, 0x45);
	sb_u8(b, (unsigned)tos);
	sb_u16(b, (unsigned)(20 + plen));
	sb_u16(b, id);
	sb_u16(b, flags_off);
	sb_u8(b, (unsigned)ttl);
	sb_u8(b, (unsigned)l4proto);
	sb_u16(b, 0);
	sb_put(b, f->addr[dir], 4);
	sb_put(b, f->addr[!dir], 4);
	put_be16(b->d + start + 10, inet_csum(b->d + start, 20, 0));
}

static void put_ipv6(struct sbuf *b, const struct flow *f, int dir, int l4proto, size_t plen,
		     int tclass, int hlim)
{
	uint32_t vtf = (6u << 28) | ((uint32_t)tclass << 20);
	sb_u32(b, vtf);
	sb_u16(b, (unsigned)plen);
	sb_u8(b, (unsigned)l4proto);
	sb_u8(b, (unsigned)hlim);
	sb_put(b, f->addr[dir], 16);
	sb_put(b, f->addr[!dir], 16);
}

static int write_frame(struct writer *w, struct sbuf *fr, uint64_t ts_us, int snap)
{
	finish_link(w, fr, ts_us);
	size_t cap = fr->len;
	if (w->snaplen > 0 && cap > (size_t)w->snaplen)
		cap = (size_t)w->snaplen;
	if (snap > 0 && cap > (size_t)snap)
		cap = (size_t)snap;
	w->packets++;
	if (w->format == FMT_PCAP) {
		struct pcap_pkthdr h;
		memset(&h, 0, sizeof h);
		h.ts.tv_sec = (time_t)(ts_us / 1000000u);
		h.ts.tv_usec = (suseconds_t)(ts_us % 1000000u);
		h.len = (bpf_u_int32)fr->len;
		h.caplen = (bpf_u_int32)cap;
		pcap_dump((u_char *)w->d, &h, fr->d);
		return 0;
	}
	if (w->format == FMT_PCAP_NS) {
		sb_reset(&w->blk);
		sb_le32(&w->blk, (uint32_t)(ts_us / 1000000u));
		sb_le32(&w->blk, (uint32_t)(ts_us % 1000000u) * 1000u);
		sb_le32(&w->blk, (uint32_t)cap);
		sb_le32(&w->blk, (uint32_t)fr->len);
		sb_put(&w->blk, fr->d, cap);
		return flush_blk(w);
	}
	/* pcapng enhanced packet block, the time in the interface's resolution; a scenario
	 * that declares no interface gets one of the file's link type */
	if (w->cur_if < 0 && writer_add_interface(w, w->link, 6, NULL, 0) < 0)
		return -1;
	int res = w->if_tsresol[w->cur_if];
	uint64_t t = ts_us;
	for (int i = 6; i < res; i++)
		t *= 10;
	for (int i = res; i < 6; i++)
		t /= 10;
	pcapng_block_begin(w, 6);
	sb_le32(&w->blk, (uint32_t)w->cur_if);
	sb_le32(&w->blk, (uint32_t)(t >> 32));
	sb_le32(&w->blk, (uint32_t)t);
	sb_le32(&w->blk, (uint32_t)cap);
	sb_le32(&w->blk, (uint32_t)fr->len);
	sb_put(&w->blk, fr->d, cap);
	return pcapng_block_end(w);
}

uint64_t emit_l4(struct writer *w, struct flow *f, int dir, int l4proto, const uint8_t *l4,
		 size_t l4len, const struct pktopt *o, uint64_t ts_us, uint64_t gap_us,
		 char *err, size_t errlen)
{
	int dscp = o->dscp >= 0 ? o->dscp : f->dscp[dir];
	int ttl = o->ttl >= 0 ? o->ttl : f->ttl[dir];
	int df = o->df >= 0 ? o->df : f->df;
	int tos = dscp << 2;
	struct sbuf *fr = &w->frame;

	if (f->af == 6) {
		if (o->frag) {
			snprintf(err, errlen, "frag= is supported for IPv4 only");
			return UINT64_MAX;
		}
		if (l4len > 65535) {
			snprintf(err, errlen, "IPv6 payload too large (%zu bytes)", l4len);
			return UINT64_MAX;
		}
		sb_reset(fr);
		put_link(w, f, dir, fr);
		put_ipv6(fr, f, dir, l4proto, l4len, tos, ttl);
		sb_put(fr, l4, l4len);
		write_frame(w, fr, ts_us, o->snap);
		return ts_us;
	}

	uint16_t id = f->ipid[dir]++;
	if (!o->frag) {
		if (l4len > 65535 - 20) {
			snprintf(err, errlen, "IPv4 payload too large (%zu bytes)", l4len);
			return UINT64_MAX;
		}
		sb_reset(fr);
		put_link(w, f, dir, fr);
		put_ipv4(fr, f, dir, l4proto, l4len, tos, ttl, id, df ? 0x4000 : 0);
		sb_put(fr, l4, l4len);
		write_frame(w, fr, ts_us, o->snap);
		return ts_us;
	}

	/* Fragmentation: every fragment but the last carries a multiple of 8 bytes; the first
	 * carries the L4 header. */
	size_t n = (size_t)o->frag;
	size_t chunk = ((l4len + n - 1) / n + 7) & ~(size_t)7;
	if (chunk == 0 || (n - 1) * chunk >= l4len) {
		snprintf(err, errlen, "payload of %zu bytes is too small for %zu fragments", l4len, n);
		return UINT64_MAX;
	}
	int first = 1;
	for (size_t i = 0; i < n; i++) {
		size_t off = i * chunk;
		size_t len = i + 1 == n ? l4len - off : chunk;
		if (o->fragonly && !(o->fragonly & (1u << i)))
			continue;
		unsigned fo = (unsigned)(off / 8) | (i + 1 < n ? 0x2000u : 0);
		sb_reset(fr);
		put_link(w, f, dir, fr);
		put_ipv4(fr, f, dir, l4proto, len, tos, ttl, id, fo);
		sb_put(fr, l4 + off, len);
		if (!first)
			ts_us += gap_us;
		first = 0;
		write_frame(w, fr, ts_us, o->snap);
	}
	return ts_us;
}
