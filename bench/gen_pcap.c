/* gen_pcap.c - deterministic benchmark capture generator: a realistic traffic mix, or N distinct short flows. */
/*
 * Usage: gen_pcap [-m mix|flows] [-n PACKETS] [-f FLOWS] [-c CONCURRENCY] [-s SEED] -o FILE
 *
 * mix   (default: 1M packets, 25k flows, 4096 concurrent) -- web-like TCP (handshake, request /
 *       response bursts of 40..1500-byte packets, FIN), DNS, RTP-like media (200-byte packets every
 *       20 ms each way, DSCP EF), ICMP echo, and unified-communications flows on documented ports:
 *       Webex Calling SIP-TLS TCP 5062 and TCP 8934 to 62.109.192.0/18, Webex media UDP 8500-8699 to
 *       23.89.0.0/16, Sametime TCP 1533 and Finesse XMPP TCP 5222 to internal 10.x servers.
 *       About 8% of internet flows are IPv6; hosts on some access switches send 802.1Q-tagged frames.
 *       The packet count is exact: each flow gets a fixed part (handshake, FIN, DNS pair ...) and an
 *       elastic part (data, media) that is scaled so the total equals -n. -c flows are open at
 *       once (an ended flow is replaced by the next one); every flow completes inside the capture,
 *       so after the last flow has started (about 3/4 of the way, at the defaults) the open flows
 *       drain and the table shrinks towards the end.
 * flows (default: 1M flows) -- FLOWS distinct UDP flows of two packets (request, reply), all
 *       within 10 s of packet time, so they are all concurrent under any idle timeout >= 10 s:
 *       the capture for bytes-per-flow at 1M concurrent flows and for --max-flows tests.
 *
 * Output is Ethernet (DLT_EN10MB) pcap with microsecond timestamps, full checksums, no truncation.
 * The same arguments always give the same bytes: one xoshiro256** generator with a fixed seed.
 */
#include <getopt.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_pcap.h"

#define T0_US (1700000000ULL * 1000000ULL) /* 2023-11-14T22:13:20Z */
#define STDIO_BUF (1u << 20)

static const char *const ftype_name[FT_COUNT] = {
	"web", "dns", "rtp", "webex-sip-5062", "webex-8934", "webex-media", "sametime-1533",
	"finesse-5222", "icmp", "udp-2pkt",
};

/* Flow mix by flow count (per mille). */
static const uint16_t ftype_weight[FT_COUNT] = {
	[FT_WEB] = 470, [FT_DNS] = 300, [FT_RTP] = 25, [FT_WEBEX_SIP] = 30, [FT_WEBEX_8934] = 15,
	[FT_WEBEX_MEDIA] = 25, [FT_SAMETIME] = 50, [FT_FINESSE] = 45, [FT_ICMP] = 40,
};

/* ---- the mix: flow setup ---- */

#define N_CLIENTS 3000
#define N_INET_SERVERS 4096
static uint8_t inet_v4[N_INET_SERVERS][4];
static uint16_t client_port[N_CLIENTS];

/* Public /8s with no documented UC subnet in them (keeps the web mix from matching UC rules). */
static const uint8_t public_slash8[] = { 13, 20, 31, 34, 35, 40, 104, 142, 151, 157 };

static void init_pools(void)
{
	for (unsigned i = 0; i < N_INET_SERVERS; i++) {
		inet_v4[i][0] = public_slash8[rnd(sizeof public_slash8)];
		inet_v4[i][1] = (uint8_t)rnd(256);
		inet_v4[i][2] = (uint8_t)rnd(256);
		inet_v4[i][3] = (uint8_t)rnd_range(1, 254);
	}
	for (unsigned i = 0; i < N_CLIENTS; i++)
		client_port[i] = (uint16_t)(49152 + (i * 7919u) % 16000);
}

static uint16_t next_client_port(unsigned c)
{
	uint16_t p = client_port[c]++;
	if (client_port[c] < 49152)
		client_port[c] = 49152;
	return p;
}

static void client_addr(struct gflow *f, unsigned c, int v6)
{
	if (v6) {
		static const uint8_t pfx[8] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x10, 0x00, 0x01 };
		memcpy(f->caddr, pfx, 8);
		memset(f->caddr + 8, 0, 6);
		put16(f->caddr + 14, (uint16_t)(c + 1));
	} else {
		set_v4(f->caddr, 10, 1, (uint8_t)((c + 1) >> 8), (uint8_t)((c + 1) & 0xff));
	}
	/* one access switch in four trunks its VLAN to the capture point */
	f->vlan = (c % 4 == 0) ? (uint16_t)(100 + (c / 4) % 8) : 0;
}

/* Popular servers get most flows: index by the square of a uniform. */
static unsigned pick_server(void)
{
	uint64_t u = rnd(65536);
	return (unsigned)((u * u * N_INET_SERVERS) >> 32);
}

static void setup_flow(struct gflow *f, enum ftype t)
{
	memset(f, 0, sizeof *f);
	f->type = (uint8_t)t;
	f->ipver = 4;
	f->rtt_us = rnd_range(2000, 90000);
	f->name = (uint8_t)rnd(256);
	f->seq[0] = (uint32_t)rng_next();
	f->seq[1] = (uint32_t)rng_next();
	f->ip_id[0] = (uint16_t)rng_next();
	f->ip_id[1] = (uint16_t)rng_next();
	unsigned c = rnd(N_CLIENTS);
	int v6 = 0;
	switch (t) {
	case FT_WEB:
		v6 = rnd(100) < 9;
		f->proto = 6;
		f->tls = rnd(100) < 85;
		f->sport = f->tls ? 443 : 80;
		f->fixed = 7;
		f->elastic = 2 + rnd_exp(26.0);
		if (v6) {
			static const uint8_t pfx[2][4] = { { 0x26, 0x06, 0x47, 0x00 },
							   { 0x2a, 0x00, 0x14, 0x50 } };
			unsigned s = pick_server();
			memcpy(f->saddr, pfx[s & 1], 4);
			memset(f->saddr + 4, 0, 10);
			put16(f->saddr + 14, (uint16_t)(s + 1));
		} else {
			memcpy(f->saddr, inet_v4[pick_server()], 4);
		}
		break;
	case FT_DNS:
		v6 = rnd(100) < 15;
		f->proto = 17;
		f->sport = 53;
		f->fixed = 2;
		f->dns_id = (uint16_t)rng_next();
		if (v6) {
			static const uint8_t d6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x10, 0, 0,
							0, 0, 0, 0, 0, 0, 0, 0x53 };
			memcpy(f->saddr, d6, 16);
		} else {
			set_v4(f->saddr, 10, 0, 0, (uint8_t)(53 + rnd(2)));
		}
		break;
	case FT_RTP: {
		unsigned peer = rnd(N_CLIENTS);
		f->proto = 17;
		f->dscp = 46;
		f->pt = 0;
		f->cport = (uint16_t)(16384 + 2 * rnd(8000));
		f->sport = (uint16_t)(16384 + 2 * rnd(8000));
		f->elastic = 2 + rnd_exp(420.0);
		set_v4(f->saddr, 10, 1, (uint8_t)((peer + 1) >> 8), (uint8_t)((peer + 1) & 0xff));
		break;
	}
	case FT_WEBEX_SIP:
	case FT_WEBEX_8934:
		f->proto = 6;
		f->tls = 1;
		f->dscp = 24; /* CS3 for call signalling */
		f->sport = t == FT_WEBEX_SIP ? 5062 : 8934;
		f->fixed = 7;
		f->elastic = 2 + rnd_exp(30.0);
		/* a few SBC addresses inside 62.109.192.0/18 */
		set_v4(f->saddr, 62, 109, (uint8_t)(192 + rnd(64)), (uint8_t)(10 + rnd(8)));
		break;
	case FT_WEBEX_MEDIA:
		f->proto = 17;
		f->dscp = 46;
		f->pt = 111;
		f->sport = (uint16_t)(8500 + rnd(200));
		f->cport = (uint16_t)(52000 + rnd(4000));
		f->elastic = 2 + rnd_exp(420.0);
		set_v4(f->saddr, 23, 89, (uint8_t)rnd(256), (uint8_t)(1 + rnd(254)));
		break;
	case FT_SAMETIME:
		f->proto = 6;
		f->sport = 1533;
		f->fixed = 7;
		f->elastic = 2 + rnd_exp(24.0);
		set_v4(f->saddr, 10, 20, 0, (uint8_t)(10 + rnd(4)));
		break;
	case FT_FINESSE:
		f->proto = 6;
		f->sport = 5222;
		f->fixed = 7;
		f->elastic = 2 + rnd_exp(24.0);
		set_v4(f->saddr, 10, 30, 0, (uint8_t)(20 + rnd(2)));
		break;
	case FT_ICMP:
		f->proto = 1;
		f->fixed = 2 * rnd_range(1, 5);
		memcpy(f->saddr, inet_v4[pick_server()], 4);
		break;
	default:
		break;
	}
	f->ipver = v6 ? 6 : 4;
	client_addr(f, c, v6);
	if (f->proto == 6 || f->type == FT_DNS)
		f->cport = next_client_port(c);
	else if (f->proto == 1)
		f->cport = (uint16_t)rng_next(); /* echo identifier */
	f->ssrc[0] = (uint32_t)rng_next();
	f->ssrc[1] = (uint32_t)rng_next();
	f->rtp_seq[0] = (uint16_t)rng_next();
	f->rtp_seq[1] = (uint16_t)rng_next();
}

static uint32_t jitter(uint32_t base, uint32_t pct)
{
	uint32_t span = base / 100 * pct;
	return base - span / 2 + (span ? rnd(span) : 0);
}

/* Emits the next packet of f at f->next_ts and schedules the one after; returns 1 when f is done. */
static int step_flow(struct gen *g, struct gflow *f)
{
	uint64_t now = f->next_ts;
	uint32_t gap = 1000;
	int chatty = f->type == FT_WEBEX_SIP || f->type == FT_WEBEX_8934 ||
		     f->type == FT_SAMETIME || f->type == FT_FINESSE;
	size_t mss = f->ipver == 4 ? 1460 : 1440;

	switch (f->type) {
	case FT_DNS:
		emit(g, f, f->sub, now, 0, dns_len(f, f->sub), f->sub ? PL_DNS_R : PL_DNS_Q);
		f->sub++;
		f->next_ts = now + rnd_range(300, 40000);
		return f->sub == 2;
	case FT_ICMP: {
		int reply = f->sub & 1;
		if (!reply)
			f->ip_id[0]++; /* echo sequence */
		emit(g, f, reply, now, reply ? (f->ipver == 4 ? 0 : 129) : (f->ipver == 4 ? 8 : 128),
		     56, PL_ICMP);
		f->sub++;
		f->next_ts = now + (reply ? 1000000 : f->rtt_us);
		return f->sub == f->fixed;
	}
	case FT_RTP:
	case FT_WEBEX_MEDIA: {
		int dir = (int)((f->elastic - f->data_left) & 1);
		/* 172-byte RTP payload (12-byte header + 20 ms of G.711) = 200-byte IPv4 packet */
		emit(g, f, dir, now, 0, 172, PL_RTP);
		f->data_left--;
		f->next_ts = now + jitter(10000, 6);
		return f->data_left == 0;
	}
	default:
		break;
	}

	/* TCP */
	if (f->phase == 0) { /* handshake */
		static const uint8_t hs_flags[3] = { 0x02, 0x12, 0x10 };
		emit(g, f, f->sub == 1, now, hs_flags[f->sub], 0, PL_NONE);
		f->next_ts = now + (f->sub < 2 ? f->rtt_us / 2 : rnd_range(50, 500));
		if (++f->sub == 3) {
			f->phase = 1;
			f->sub = 0;
		}
		return 0;
	}
	if (f->phase == 1) { /* data */
		if (chatty) {
			/* client message, server message, client ACK; then think time. With TLS the
			 * first exchange is ClientHello / ServerHello, then application data records. */
			static const uint8_t who[3] = { 0, 1, 0 };
			int first = f->nreq == 0 || (f->nreq == 1 && f->sub == 1);
			enum payload_kind plain = f->type == FT_FINESSE ? PL_XMPP : PL_BIN;
			size_t len = 0;
			enum payload_kind k = PL_NONE;
			if (f->sub == 0) {
				len = f->tls && first ? 517 : rnd_range(200, 1200);
				k = f->tls ? (first ? PL_TLS_CH : PL_TLS_APP) : plain;
				gap = f->rtt_us / 2;
				f->nreq++;
			} else if (f->sub == 1) {
				len = f->tls && first ? 1200 : rnd_range(150, 900);
				k = f->tls ? (first ? PL_TLS_SH : PL_TLS_APP) : plain;
				gap = rnd_range(50, 400);
			} else {
				gap = rnd_range(50000, 3000000);
			}
			emit(g, f, who[f->sub], now, (uint8_t)(len ? 0x18 : 0x10), len, k);
			f->sub = (uint8_t)((f->sub + 1) % 3);
		} else if (f->burst_left == 0 && f->acks_due == 0) {
			/* client request; the response is a burst of server segments */
			int first = f->nreq == 0;
			size_t len = f->tls && first ? 517 : rnd_range(80, 900);
			enum payload_kind k = f->tls ? (first ? PL_TLS_CH : PL_TLS_APP) : PL_HTTP_REQ;
			emit(g, f, 0, now, 0x18, len, k);
			f->burst_left = (uint16_t)(f->tls && first ? 3 : 1 + rnd_exp(6.0));
			f->nreq++;
			f->sub = 1; /* next server segment starts a response */
			gap = f->rtt_us;
		} else if (f->acks_due >= 2 || (f->burst_left == 0 && f->acks_due)) {
			/* delayed ACK: one per two segments, and after the last one */
			emit(g, f, 0, now, 0x10, 0, PL_NONE);
			f->acks_due = 0;
			gap = f->burst_left ? rnd_range(20, 200) : rnd_range(5000, 500000);
		} else {
			int last = f->burst_left == 1, starts = f->sub == 1;
			size_t len = last ? rnd_range(100, (uint32_t)mss) : mss;
			/* TLS: one record per segment (ServerHello first) */
			enum payload_kind k = f->tls ? (starts && f->nreq == 1 ? PL_TLS_SH : PL_TLS_APP)
					    : (starts ? PL_HTTP_RESP : PL_TEXT);
			emit(g, f, 1, now, (uint8_t)(last ? 0x18 : 0x10), len, k);
			f->sub = 2;
			f->burst_left--;
			f->acks_due++;
			gap = rnd_range(20, 200);
		}
		f->next_ts = now + gap;
		if (--f->data_left == 0) {
			f->phase = 2;
			f->sub = 0;
			f->rst = rnd(100) < 3;
		}
		return 0;
	}
	/* FIN exchange: client FIN, server ACK, server FIN, client ACK (or RST) */
	static const uint8_t fin_dir[4] = { 0, 1, 1, 0 };
	static const uint8_t fin_flags[4] = { 0x11, 0x10, 0x11, 0x10 };
	uint8_t fl = fin_flags[f->sub];
	if (f->sub == 3 && f->rst)
		fl = 0x04;
	emit(g, f, fin_dir[f->sub], now, fl, 0, PL_NONE);
	f->next_ts = now + (f->sub == 1 ? rnd_range(20, 200) : f->rtt_us / 2);
	return ++f->sub == 4;
}

/* ---- the mix: scheduling ---- */

struct heap {
	uint32_t *a;
	size_t n;
	const struct gflow *flows;
};

static inline int heap_less(const struct heap *h, uint32_t x, uint32_t y)
{
	uint64_t tx = h->flows[x].next_ts, ty = h->flows[y].next_ts;
	return tx < ty || (tx == ty && x < y);
}

static void heap_push(struct heap *h, uint32_t v)
{
	size_t i = h->n++;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!heap_less(h, v, h->a[p]))
			break;
		h->a[i] = h->a[p];
		i = p;
	}
	h->a[i] = v;
}

/* Restores the heap after the top's key grew (or the top was replaced). */
static void heap_sift_top(struct heap *h)
{
	size_t i = 0;
	uint32_t v = h->a[0];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && heap_less(h, h->a[c + 1], h->a[c]))
			c++;
		if (!heap_less(h, h->a[c], v))
			break;
		h->a[i] = h->a[c];
		i = c;
	}
	h->a[i] = v;
}

static int gen_mix(struct gen *g, uint64_t npkts, uint64_t nflows, uint64_t conc)
{
	struct gflow *flows = calloc(nflows, sizeof *flows);
	struct heap h = { calloc(conc, sizeof(uint32_t)), 0, flows };
	if (!flows || !h.a) {
		fprintf(stderr, "gen_pcap: out of memory\n");
		free(flows);
		free(h.a);
		return 1;
	}
	init_pools();

	/* Draw every flow, then scale the elastic parts so the packet total is exactly npkts. */
	uint64_t sum_fixed = 0, sum_el = 0, n_el = 0;
	for (uint64_t i = 0; i < nflows; i++) {
		uint32_t r = rnd(1000), acc = 0;
		enum ftype t = FT_WEB;
		for (int k = 0; k < FT_COUNT; k++) {
			acc += ftype_weight[k];
			if (r < acc) {
				t = (enum ftype)k;
				break;
			}
		}
		setup_flow(&flows[i], t);
		sum_fixed += flows[i].fixed;
		sum_el += flows[i].elastic;
		n_el += flows[i].elastic > 0;
		g->type_flows[t]++;
	}
	if (sum_fixed + 2 * n_el > npkts) {
		fprintf(stderr,
			"gen_pcap: %llu flows need at least %llu packets; raise -n or lower -f\n",
			(unsigned long long)nflows, (unsigned long long)(sum_fixed + 2 * n_el));
		free(flows);
		free(h.a);
		return 2;
	}
	uint64_t want_el = npkts - sum_fixed, got_el = 0;
	for (uint64_t i = 0; i < nflows; i++) {
		struct gflow *f = &flows[i];
		if (!f->elastic)
			continue;
		uint64_t e = (uint64_t)((double)f->elastic * (double)want_el / (double)sum_el);
		if (e < 2)
			e = 2;
		if (e > 60000)
			e = 60000;
		f->elastic = (uint32_t)e;
		got_el += e;
	}
	/* settle the rounding difference one packet at a time over the elastic flows */
	while (got_el != want_el) {
		int progress = 0;
		for (uint64_t i = 0; i < nflows && got_el != want_el; i++) {
			struct gflow *f = &flows[i];
			if (!f->elastic)
				continue;
			if (got_el < want_el && f->elastic < 60000) {
				f->elastic++;
				got_el++;
				progress = 1;
			} else if (got_el > want_el && f->elastic > 2) {
				f->elastic--;
				got_el--;
				progress = 1;
			}
		}
		if (!progress) {
			fprintf(stderr, "gen_pcap: cannot fit %llu packets into %llu flows\n",
				(unsigned long long)npkts, (unsigned long long)nflows);
			free(flows);
			free(h.a);
			return 2;
		}
	}
	for (uint64_t i = 0; i < nflows; i++)
		flows[i].data_left = flows[i].elastic;

	/* conc flows start within the first second; each ended flow is replaced by the next one */
	uint64_t next = 0;
	for (; next < nflows && next < conc; next++) {
		flows[next].next_ts = T0_US + rnd(1000000);
		heap_push(&h, (uint32_t)next);
	}
	while (h.n) {
		uint32_t top = h.a[0];
		struct gflow *f = &flows[top];
		uint64_t now = f->next_ts;
		if (!step_flow(g, f)) {
			heap_sift_top(&h);
			continue;
		}
		if (next < nflows) {
			flows[next].next_ts = now + rnd(20000);
			h.a[0] = (uint32_t)next++;
		} else {
			h.a[0] = h.a[--h.n];
		}
		if (h.n)
			heap_sift_top(&h);
	}
	free(flows);
	free(h.a);
	return 0;
}

/* ---- distinct short flows ---- */

static int gen_flows(struct gen *g, uint64_t nflows)
{
	/* request at 5i us, reply 2 us later: 1M flows span 5 s of packet time */
	for (uint64_t i = 0; i < nflows; i++) {
		struct gflow f;
		memset(&f, 0, sizeof f);
		f.type = FT_UDP_SHORT;
		f.ipver = 4;
		f.proto = 17;
		/* the client address and port are unique per flow: 10.0.0.0/8 x 4 ports = 64M flows */
		uint32_t host = (uint32_t)((i >> 2) + 1);
		set_v4(f.caddr, 10, (uint8_t)(host >> 16), (uint8_t)(host >> 8), (uint8_t)host);
		f.cport = (uint16_t)(40000 + (i & 3));
		f.ip_id[0] = (uint16_t)rng_next();
		f.ip_id[1] = (uint16_t)rng_next();
		size_t req, rsp;
		enum payload_kind kq = PL_BIN, kr = PL_BIN;
		switch (i % 8) {
		case 0: case 1: case 2: case 3: /* DNS */
			set_v4(f.saddr, 8, 8, (uint8_t)((i >> 3) & 1 ? 4 : 8), (uint8_t)((i >> 3) & 1 ? 4 : 8));
			f.sport = 53;
			f.dns_id = (uint16_t)rng_next();
			f.name = (uint8_t)rnd(256);
			req = dns_len(&f, 0);
			rsp = dns_len(&f, 1);
			kq = PL_DNS_Q;
			kr = PL_DNS_R;
			break;
		case 4: case 5: /* Webex media */
			set_v4(f.saddr, 23, 89, (uint8_t)rnd(256), (uint8_t)(1 + rnd(254)));
			f.sport = (uint16_t)(8500 + rnd(200));
			f.dscp = 46;
			f.pt = 111;
			req = rsp = 172;
			kq = kr = PL_RTP;
			break;
		case 6: /* QUIC-like */
			memcpy(f.saddr, (const uint8_t[4]){ 142, 250, (uint8_t)rnd(256), (uint8_t)rnd(256) }, 4);
			f.sport = 443;
			req = 1250;
			rsp = 1200;
			break;
		default: /* STUN-like to Webex */
			set_v4(f.saddr, 62, 109, (uint8_t)(192 + rnd(64)), (uint8_t)(1 + rnd(254)));
			f.sport = 3478;
			req = 100;
			rsp = 112;
			break;
		}
		uint64_t ts = T0_US + 5 * i;
		emit(g, &f, 0, ts, 0, req, kq);
		emit(g, &f, 1, ts + 2, 0, rsp, kr);
	}
	g->type_flows[FT_UDP_SHORT] = nflows;
	return 0;
}

/* ---- command line ---- */

static int parse_count(const char *s, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-')
		return -1;
	unsigned long long v = strtoull(s, &end, 10);
	uint64_t mult = 1;
	if (*end == 'k' || *end == 'K')
		mult = 1000, end++;
	else if (*end == 'm' || *end == 'M')
		mult = 1000000, end++;
	if (*end || v == 0 || v > UINT32_MAX / mult)
		return -1;
	*out = v * mult;
	return 0;
}

static void usage(FILE *fp)
{
	fprintf(fp,
		"Usage: gen_pcap [-m mix|flows] [-n PACKETS] [-f FLOWS] [-c CONCURRENCY] [-s SEED] "
		"[-q] -o FILE\n"
		"  -m mix    realistic mix (default -n 1M -f 25k -c 4096): web TCP, DNS, RTP, ICMP,\n"
		"            Webex 5062/8934/8500-8699, Sametime 1533, Finesse 5222; IPv6 and VLANs\n"
		"  -m flows  FLOWS distinct 2-packet UDP flows (default -f 1M), all within 10 s\n"
		"  -n N, -f N, -c N accept k and M suffixes (1M = 1000000); -o - writes stdout\n");
}

int main(int argc, char **argv)
{
	const char *out = NULL, *mode = "mix";
	uint64_t npkts = 0, nflows = 0, conc = 4096, seed = 0x5eedb17c0ffeeULL;
	int quiet = 0, c;
	static const struct option lo[] = {
		{ "mode", required_argument, NULL, 'm' },   { "packets", required_argument, NULL, 'n' },
		{ "flows", required_argument, NULL, 'f' },  { "concurrency", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 's' },   { "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },        { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	while ((c = getopt_long(argc, argv, "m:n:f:c:s:o:qh", lo, NULL)) != -1) {
		switch (c) {
		case 'm': mode = optarg; break;
		case 'n':
		case 'f':
		case 'c':
		case 's': {
			uint64_t v;
			if (parse_count(optarg, &v) != 0) {
				fprintf(stderr, "gen_pcap: -%c: bad number '%s'\n", c, optarg);
				return 2;
			}
			*(c == 'n' ? &npkts : c == 'f' ? &nflows : c == 'c' ? &conc : &seed) = v;
			break;
		}
		case 'o': out = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	int mix = strcmp(mode, "mix") == 0;
	if ((!mix && strcmp(mode, "flows") != 0) || !out || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (mix) {
		if (!npkts)
			npkts = 1000000;
		if (!nflows)
			nflows = 25000;
	} else {
		if (!nflows)
			nflows = 1000000;
		if (npkts && npkts != 2 * nflows) {
			fprintf(stderr, "gen_pcap: flows mode writes exactly 2 packets per flow\n");
			return 2;
		}
		npkts = 2 * nflows;
	}
	rng_seed(seed);

	struct gen *g = calloc(1, sizeof *g);
	char *iobuf = malloc(STDIO_BUF);
	if (!g || !iobuf) {
		fprintf(stderr, "gen_pcap: out of memory\n");
		return 1;
	}
	for (size_t i = 0; i < sizeof g->filler_bin; i++)
		g->filler_bin[i] = (uint8_t)(rng_next() >> 56);
	static const char words[] = "the quick brown fox jumps over the lazy dog 0123456789 <>=/ ";
	for (size_t i = 0; i < sizeof g->filler_txt; i++)
		g->filler_txt[i] = (uint8_t)words[rnd(sizeof words - 1)];

	FILE *fp = strcmp(out, "-") == 0 ? stdout : fopen(out, "wb");
	if (!fp) {
		perror(out);
		return 1;
	}
	setvbuf(fp, iobuf, _IOFBF, STDIO_BUF);
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535,
							    PCAP_TSTAMP_PRECISION_MICRO);
	g->dump = dead ? pcap_dump_fopen(dead, fp) : NULL;
	if (!g->dump) {
		fprintf(stderr, "gen_pcap: %s: %s\n", out, dead ? pcap_geterr(dead) : "pcap_open_dead");
		return 1;
	}

	int rc = mix ? gen_mix(g, npkts, nflows, conc) : gen_flows(g, nflows);
	if (pcap_dump_flush(g->dump) != 0 || ferror(fp)) {
		fprintf(stderr, "gen_pcap: %s: write error\n", out);
		rc = 1;
	}
	pcap_dump_close(g->dump); /* closes fp */
	pcap_close(dead);
	if (rc == 0 && !quiet) {
		double secs = (double)(g->last_ts - g->first_ts) / 1e6;
		fprintf(stderr,
			"gen_pcap: %s: %llu packets, %llu flows, %llu bytes (%.0f B/frame, %.0f B/IP "
			"packet), %.1f s of packet time, IPv6 %.1f%%, 802.1Q %.1f%%\n",
			mode, (unsigned long long)g->packets, (unsigned long long)nflows,
			(unsigned long long)g->bytes, (double)g->bytes / (double)g->packets,
			(double)g->ip_bytes / (double)g->packets, secs,
			100.0 * (double)g->v6_packets / (double)g->packets,
			100.0 * (double)g->vlan_packets / (double)g->packets);
		if (mix) {
			fprintf(stderr, "gen_pcap: flows / packets by kind:");
			for (int k = 0; k < FT_COUNT; k++)
				if (g->type_flows[k])
					fprintf(stderr, " %s %llu/%llu", ftype_name[k],
						(unsigned long long)g->type_flows[k],
						(unsigned long long)g->type_packets[k]);
			fputc('\n', stderr);
		}
	}
	free(g);
	free(iobuf);
	return rc;
}
