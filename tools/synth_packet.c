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

struct writer {
	pcap_t *p;
	pcap_dumper_t *d;
	int link;
	int snaplen;
	uint64_t packets;
	struct sbuf frame;
};

static int link_dlt(int link)
{
	switch (link) {
	case LINK_RAW: return DLT_RAW;
	case LINK_SLL: return DLT_LINUX_SLL;
	case LINK_SLL2: return DLT_LINUX_SLL2;
	case LINK_NULL: return DLT_NULL;
	default: return DLT_EN10MB;
	}
}

struct writer *writer_open(const char *path, int link, int snaplen, char *err, size_t errlen)
{
	struct writer *w = calloc(1, sizeof *w);
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->link = link;
	w->snaplen = snaplen;
	sb_init(&w->frame);
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

int writer_close(struct writer *w)
{
	if (!w)
		return 0;
	int rc = 0;
	if (pcap_dump_flush(w->d) != 0)
		rc = -1;
	pcap_dump_close(w->d);
	pcap_close(w->p);
	sb_free(&w->frame);
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

static int write_frame(struct writer *w, const struct sbuf *fr, uint64_t ts_us, int snap)
{
	struct pcap_pkthdr h;
	memset(&h, 0, sizeof h);
	h.ts.tv_sec = (time_t)(ts_us / 1000000u);
	h.ts.tv_usec = (suseconds_t)(ts_us % 1000000u);
	h.len = (bpf_u_int32)fr->len;
	size_t cap = fr->len;
	if (w->snaplen > 0 && cap > (size_t)w->snaplen)
		cap = (size_t)w->snaplen;
	if (snap > 0 && cap > (size_t)snap)
		cap = (size_t)snap;
	h.caplen = (bpf_u_int32)cap;
	pcap_dump((u_char *)w->d, &h, fr->d);
	w->packets++;
	return 0;
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
