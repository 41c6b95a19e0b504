/* gen_pcap_build.c - gen_pcap's PRNG and frames: Ethernet, IP, TCP/UDP/ICMP and their payloads. */
#include <stdint.h>
#include <string.h>

#include "gen_pcap.h"

/* ---- PRNG: xoshiro256** seeded through splitmix64 ---- */

uint64_t rng_s[4];

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rng_seed(uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		rng_s[i] = splitmix64(&seed);
}

/* Exponential with the given mean, capped at 12 means (inverse CDF; ln without libm). */
uint32_t rnd_exp(double mean)
{
	double u = ((double)(rng_next() >> 40) + 0.5) / 16777216.0;
	int k = 0; /* u = m * 2^-k with m in [0.5, 1) */
	while (u < 0.5) {
		u *= 2.0;
		k++;
	}
	/* ln m = 2 atanh((m-1)/(m+1)), the series converges fast for m in [0.5, 1) */
	double y = (u - 1.0) / (u + 1.0), y2 = y * y;
	double lnm = 2.0 * y * (1.0 + y2 * (1.0 / 3 + y2 * (1.0 / 5 + y2 * (1.0 / 7 + y2 / 9))));
	double x = (double)k * 0.6931471805599453 - lnm;
	if (x > 12.0)
		x = 12.0;
	return (uint32_t)(x * mean + 0.5);
}

/* ---- names in SNI, HTTP Host and DNS questions ---- */

static const char *const web_names[] = {
	"www.example.com", "cdn.example.net", "api.example.org", "static.example.com",
	"login.example.net", "updates.example.org", "mail.example.com", "news.example.net",
};
static const char *const webex_names[] = {
	"sbc01.dfw.bcld.webex.com", "sbc02.iad.bcld.webex.com", "edge.wxc.webex.com",
	"sip.ams.bcld.webex.com",
};
static const char *const dns_names[] = {
	"www.example.com", "cdn.example.net", "api.example.org", "webexapis.com",
	"sametime.corp.example", "finesse1.corp.example", "time.example.net", "_sip._tls.example.com",
};

/* ---- packet building ---- */

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i = 0;
	for (; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (i < len)
		sum += (uint32_t)p[i] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void set_v4(uint8_t a[16], uint8_t x, uint8_t y, uint8_t z, uint8_t w)
{
	memset(a, 0, 16);
	a[0] = x;
	a[1] = y;
	a[2] = z;
	a[3] = w;
}

/* DNS name in wire format; returns bytes written. */
static size_t dns_qname(uint8_t *p, const char *name)
{
	size_t n = 0;
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);
		p[n++] = (uint8_t)l;
		memcpy(p + n, name, l);
		n += l;
		name += l + (dot ? 1 : 0);
	}
	p[n++] = 0;
	return n;
}

/* DNS message of the natural size for the name; the caller sizes the packet with dns_len(). */
static size_t dns_build(uint8_t *p, const struct gflow *f, int response)
{
	const char *name = dns_names[f->name % NELEM(dns_names)];
	put16(p, f->dns_id);
	put16(p + 2, response ? 0x8180 : 0x0100);
	put16(p + 4, 1);
	put16(p + 6, response ? 2 : 0);
	put16(p + 8, 0);
	put16(p + 10, 0);
	size_t n = 12 + dns_qname(p + 12, name);
	uint16_t qtype = f->ipver == 6 ? 28 : 1;
	put16(p + n, qtype);
	put16(p + n + 2, 1);
	n += 4;
	if (response) {
		for (int i = 0; i < 2; i++) {
			size_t rdlen = qtype == 28 ? 16 : 4;
			put16(p + n, 0xc00c);
			put16(p + n + 2, qtype);
			put16(p + n + 4, 1);
			put32(p + n + 6, 300);
			put16(p + n + 10, (uint16_t)rdlen);
			memset(p + n + 12, 0, rdlen);
			p[n + 12] = qtype == 28 ? 0x26 : 93;
			p[n + 12 + rdlen - 1] = (uint8_t)(f->dns_id + i);
			n += 12 + rdlen;
		}
	}
	return n;
}

size_t dns_len(const struct gflow *f, int response)
{
	uint8_t tmp[512];
	return dns_build(tmp, f, response);
}

/* A TLS 1.3-style ClientHello with SNI, padded (padding extension) to exactly len bytes. */
static void tls_client_hello(uint8_t *p, size_t len, const char *sni, const uint8_t *rnd32)
{
	size_t sl = strlen(sni);
	static const uint8_t suites[] = { 0x13, 0x01, 0x13, 0x02, 0x13, 0x03, 0xc0, 0x2b,
					  0xc0, 0x2f, 0xc0, 0x2c, 0xc0, 0x30, 0xcc, 0xa9 };
	size_t n = 0;
	p[n++] = 0x16;
	p[n++] = 0x03;
	p[n++] = 0x01;
	put16(p + n, (uint16_t)(len - 5));
	n += 2;
	p[n++] = 0x01;
	p[n++] = 0;
	put16(p + n, (uint16_t)(len - 9));
	n += 2;
	p[n++] = 0x03;
	p[n++] = 0x03;
	memcpy(p + n, rnd32, 32);
	n += 32;
	p[n++] = 32;
	memcpy(p + n, rnd32 + 32, 32);
	n += 32;
	put16(p + n, sizeof suites);
	n += 2;
	memcpy(p + n, suites, sizeof suites);
	n += sizeof suites;
	p[n++] = 1;
	p[n++] = 0;
	size_t ext_len_at = n;
	n += 2;
	/* server_name */
	put16(p + n, 0x0000);
	put16(p + n + 2, (uint16_t)(sl + 5));
	put16(p + n + 4, (uint16_t)(sl + 3));
	p[n + 6] = 0;
	put16(p + n + 7, (uint16_t)sl);
	memcpy(p + n + 9, sni, sl);
	n += 9 + sl;
	/* supported_versions: TLS 1.3, 1.2 */
	static const uint8_t sv[] = { 0x00, 0x2b, 0x00, 0x05, 0x04, 0x03, 0x04, 0x03, 0x03 };
	memcpy(p + n, sv, sizeof sv);
	n += sizeof sv;
	/* application_layer_protocol_negotiation: h2, http/1.1 */
	static const uint8_t alpn[] = { 0x00, 0x10, 0x00, 0x0e, 0x00, 0x0c, 0x02, 'h', '2', 0x08,
					'h', 't', 't', 'p', '/', '1', '.', '1' };
	memcpy(p + n, alpn, sizeof alpn);
	n += sizeof alpn;
	/* padding to the requested size */
	size_t pad = len - n - 4;
	put16(p + n, 0x0015);
	put16(p + n + 2, (uint16_t)pad);
	memset(p + n + 4, 0, pad);
	n += 4 + pad;
	put16(p + ext_len_at, (uint16_t)(n - ext_len_at - 2));
}

/* Writes the payload of kind k, len bytes, into p. */
static void fill_payload(struct gen *g, struct gflow *f, int dir, uint8_t *p, size_t len,
			 enum payload_kind k)
{
	size_t off = (size_t)rnd(FILLER_LEN);
	switch (k) {
	case PL_NONE:
		return;
	case PL_BIN:
		memcpy(p, g->filler_bin + off, len);
		return;
	case PL_TEXT:
	case PL_XMPP:
		memcpy(p, g->filler_txt + off, len);
		if (k == PL_XMPP && len > 40)
			memcpy(p, "<message to='agent@finesse.corp.example'", 40);
		return;
	case PL_TLS_CH: {
		const char *sni = f->type == FT_WEB ? web_names[f->name % NELEM(web_names)]
						    : webex_names[f->name % NELEM(webex_names)];
		tls_client_hello(p, len, sni, g->filler_bin + off);
		return;
	}
	case PL_TLS_SH:
	case PL_TLS_APP:
		memcpy(p, g->filler_bin + off, len);
		if (len >= 5) {
			p[0] = k == PL_TLS_SH ? 0x16 : 0x17;
			p[1] = 0x03;
			p[2] = 0x03;
			put16(p + 3, (uint16_t)(len - 5));
			if (k == PL_TLS_SH && len > 6)
				p[5] = 0x02; /* ServerHello */
		}
		return;
	case PL_HTTP_REQ: {
		static const char req[] = "GET /index.html HTTP/1.1\r\nHost: ";
		memcpy(p, g->filler_txt + off, len);
		const char *host = web_names[f->name % NELEM(web_names)];
		size_t hl = strlen(host);
		if (len >= sizeof req - 1 + hl + 4) {
			memcpy(p, req, sizeof req - 1);
			memcpy(p + sizeof req - 1, host, hl);
			memcpy(p + sizeof req - 1 + hl, "\r\n", 2);
			memcpy(p + len - 4, "\r\n\r\n", 4);
		}
		return;
	}
	case PL_HTTP_RESP: {
		static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n";
		memcpy(p, g->filler_txt + off, len);
		if (len >= sizeof resp - 1)
			memcpy(p, resp, sizeof resp - 1);
		return;
	}
	case PL_RTP:
		memcpy(p, g->filler_bin + off, len);
		if (len >= 12) {
			p[0] = 0x80;
			p[1] = f->pt;
			put16(p + 2, f->rtp_seq[dir]++);
			put32(p + 4, f->rtp_ts[dir]);
			f->rtp_ts[dir] += 160;
			put32(p + 8, f->ssrc[dir]);
		}
		return;
	case PL_DNS_Q:
	case PL_DNS_R:
		dns_build(p, f, k == PL_DNS_R);
		return;
	case PL_ICMP:
		memcpy(p, g->filler_bin + off, len);
		return;
	}
}

/* Builds one Ethernet frame of flow f sent by dir (0 = client) and writes it at time ts.
 * For TCP, flags are the TCP flags; for ICMP, flags is the ICMP type. */
void emit(struct gen *g, struct gflow *f, int dir, uint64_t ts, uint8_t flags, size_t paylen,
	  enum payload_kind k)
{
	uint8_t *fr = g->frame;
	const uint8_t *src = dir ? f->saddr : f->caddr, *dst = dir ? f->caddr : f->saddr;
	size_t n = 0;

	/* Ethernet: the client side's MAC is derived from its address, the other side is the router */
	static const uint8_t router[6] = { 0x00, 0x1b, 0x54, 0xc2, 0x10, 0x01 };
	uint8_t host[6] = { 0x02, 0x42, f->caddr[f->ipver == 4 ? 0 : 12], f->caddr[f->ipver == 4 ? 1 : 13],
			    f->caddr[f->ipver == 4 ? 2 : 14], f->caddr[f->ipver == 4 ? 3 : 15] };
	memcpy(fr, dir ? host : router, 6);
	memcpy(fr + 6, dir ? router : host, 6);
	n = 12;
	if (f->vlan) {
		put16(fr + n, 0x8100);
		put16(fr + n + 2, (uint16_t)(((f->dscp == 46 ? 5u : 0u) << 13) | f->vlan));
		n += 4;
		g->vlan_packets++;
	}
	put16(fr + n, f->ipver == 4 ? 0x0800 : 0x86dd);
	n += 2;

	size_t l4hdr = f->proto == 6 ? ((flags & 0x02) ? 40 : 20) : 8;
	size_t l4len = l4hdr + paylen;
	uint8_t *ip = fr + n;
	size_t iphl = f->ipver == 4 ? 20 : 40;
	uint8_t *l4 = ip + iphl;
	uint8_t ttl = dir ? 52 : 64;
	uint32_t sum;
	if (f->ipver == 4) {
		ip[0] = 0x45;
		ip[1] = (uint8_t)(f->dscp << 2);
		put16(ip + 2, (uint16_t)(20 + l4len));
		put16(ip + 4, f->ip_id[dir]++);
		put16(ip + 6, 0x4000);
		ip[8] = ttl;
		ip[9] = f->proto;
		put16(ip + 10, 0);
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, dst, 4);
		put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
		sum = csum_add(0, ip + 12, 8);
	} else {
		put32(ip, 0x60000000u | ((uint32_t)(f->dscp << 2) << 20) | (f->cport & 0xfffff));
		put16(ip + 4, (uint16_t)l4len);
		ip[6] = f->proto == 1 ? 58 : f->proto;
		ip[7] = ttl;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
		sum = csum_add(0, ip + 8, 32);
		g->v6_packets++;
	}
	uint8_t l4proto = f->ipver == 6 && f->proto == 1 ? 58 : f->proto;
	if (f->proto != 1 || f->ipver == 6)
		sum += l4proto + (uint32_t)l4len;
	else
		sum = 0; /* ICMPv4: no pseudo-header */

	uint16_t sp = dir ? f->sport : f->cport, dp = dir ? f->cport : f->sport;
	uint8_t *pay = l4 + l4hdr;
	if (f->proto == 6) {
		put16(l4, sp);
		put16(l4 + 2, dp);
		put32(l4 + 4, f->seq[dir]);
		put32(l4 + 8, (flags & 0x10) ? f->seq[!dir] : 0);
		l4[12] = (uint8_t)((l4hdr / 4) << 4);
		l4[13] = flags;
		put16(l4 + 14, 64240);
		put16(l4 + 16, 0);
		put16(l4 + 18, 0);
		if (l4hdr == 40) {
			static const uint8_t opts[20] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0,
							  0, 0, 0, 0, 0, 0, 1, 3, 3, 7 };
			memcpy(l4 + 20, opts, 20);
			put32(l4 + 28, (uint32_t)(ts / 1000));
		}
		f->seq[dir] += (uint32_t)paylen + ((flags & 0x03) ? 1 : 0);
		fill_payload(g, f, dir, pay, paylen, k);
		put16(l4 + 16, csum_fold(csum_add(sum, l4, l4len)));
	} else if (f->proto == 17) {
		put16(l4, sp);
		put16(l4 + 2, dp);
		put16(l4 + 4, (uint16_t)l4len);
		put16(l4 + 6, 0);
		fill_payload(g, f, dir, pay, paylen, k);
		uint16_t c = csum_fold(csum_add(sum, l4, l4len));
		put16(l4 + 6, c ? c : 0xffff);
	} else { /* ICMP echo: 4-byte header + identifier/sequence + data (all in paylen) */
		l4[0] = flags;
		l4[1] = 0;
		put16(l4 + 2, 0);
		put16(l4 + 4, f->cport);
		put16(l4 + 6, f->ip_id[0]);
		fill_payload(g, f, dir, pay, paylen, k);
		put16(l4 + 2, csum_fold(csum_add(sum, l4, l4len)));
	}
	n += iphl + l4len;

	struct pcap_pkthdr h;
	h.ts.tv_sec = (time_t)(ts / 1000000ULL);
	h.ts.tv_usec = (suseconds_t)(ts % 1000000ULL);
	h.caplen = h.len = (bpf_u_int32)n;
	pcap_dump((u_char *)g->dump, &h, fr);
	g->packets++;
	g->bytes += n;
	g->ip_bytes += iphl + l4len;
	g->type_packets[f->type]++;
	if (!g->first_ts)
		g->first_ts = ts;
	g->last_ts = ts;
}
