/* gen_pcap.h - what gen_pcap.c (the mixes, command line) and gen_pcap_build.c (frames) share. */
#ifndef GEN_PCAP_H
#define GEN_PCAP_H

#include <pcap/pcap.h>
#include <stddef.h>
#include <stdint.h>

#define FILLER_LEN 65536
#define MAX_FRAME 1600
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- PRNG: xoshiro256** seeded through splitmix64 (one generator for the whole program, so the
 * same arguments always give the same bytes) ---- */

extern uint64_t rng_s[4];

void rng_seed(uint64_t seed);

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(void)
{
	const uint64_t result = rotl(rng_s[1] * 5, 7) * 9;
	const uint64_t t = rng_s[1] << 17;
	rng_s[2] ^= rng_s[0];
	rng_s[3] ^= rng_s[1];
	rng_s[1] ^= rng_s[2];
	rng_s[0] ^= rng_s[3];
	rng_s[2] ^= t;
	rng_s[3] = rotl(rng_s[3], 45);
	return result;
}

/* Uniform in [0, n). */
static inline uint32_t rnd(uint32_t n)
{
	return (uint32_t)(((rng_next() >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static inline uint32_t rnd_range(uint32_t lo, uint32_t hi)
{
	return lo + rnd(hi - lo + 1);
}

/* Exponential with the given mean, capped at 12 means. */
uint32_t rnd_exp(double mean);

/* ---- flows and the generator ---- */

enum ftype {
	FT_WEB,          /* TCP 443 (TLS) or 80 (HTTP) to internet servers */
	FT_DNS,          /* UDP 53 query + response */
	FT_RTP,          /* UDP RTP-like media between internal hosts */
	FT_WEBEX_SIP,    /* TCP 5062 SIP-TLS to 62.109.192.0/18 */
	FT_WEBEX_8934,   /* TCP 8934 to 62.109.192.0/18 */
	FT_WEBEX_MEDIA,  /* UDP 8500-8699 to 23.89.0.0/16 */
	FT_SAMETIME,     /* TCP 1533 to internal Sametime servers */
	FT_FINESSE,      /* TCP 5222 (XMPP) to internal Finesse servers */
	FT_ICMP,         /* ICMP echo request/reply pairs */
	FT_UDP_SHORT,    /* flows mode: one request, one reply */
	FT_COUNT
};

enum payload_kind {
	PL_NONE, PL_BIN, PL_TEXT, PL_TLS_CH, PL_TLS_SH, PL_TLS_APP, PL_HTTP_REQ, PL_HTTP_RESP,
	PL_RTP, PL_DNS_Q, PL_DNS_R, PL_XMPP, PL_ICMP,
};

/* One flow: its endpoints, its packet budget and where it is in its exchange. */
struct gflow {
	uint64_t next_ts;
	uint32_t fixed, elastic;    /* packet budget: fixed part + scaled part */
	uint32_t data_left;         /* elastic packets still to send */
	uint32_t seq[2];            /* next TCP sequence number per direction (0 client, 1 server) */
	uint32_t rtt_us;
	uint32_t rtp_ts[2], ssrc[2];
	uint16_t rtp_seq[2];
	uint16_t ip_id[2];
	uint16_t cport, sport;
	uint16_t vlan;
	uint16_t burst_left;
	uint16_t dns_id;
	uint16_t nreq;              /* TCP: requests (messages) sent by the client so far */
	uint8_t caddr[16], saddr[16];
	uint8_t type, ipver, proto, dscp;
	uint8_t phase, sub, acks_due, rst, tls, name, pt;
};

/* The output, a scratch frame, the payload fillers and the counts main() reports. */
struct gen {
	pcap_dumper_t *dump;
	uint8_t frame[MAX_FRAME];
	uint8_t filler_bin[FILLER_LEN + MAX_FRAME];
	uint8_t filler_txt[FILLER_LEN + MAX_FRAME];
	uint64_t packets, bytes, ip_bytes, v6_packets, vlan_packets;
	uint64_t first_ts, last_ts;
	uint64_t type_flows[FT_COUNT], type_packets[FT_COUNT];
};

/* ---- frame building (gen_pcap_build.c) ---- */

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The IPv4 address x.y.z.w in a 16-byte address field (the rest zero). */
void set_v4(uint8_t a[16], uint8_t x, uint8_t y, uint8_t z, uint8_t w);
/* The size of f's DNS query (response = 0) or response (1), as emit() writes it. */
size_t dns_len(const struct gflow *f, int response);
/* Builds one Ethernet frame of flow f sent by dir (0 = client) and writes it at time ts.
 * For TCP, flags are the TCP flags; for ICMP, flags is the ICMP type. */
void emit(struct gen *g, struct gflow *f, int dir, uint64_t ts, uint8_t flags, size_t paylen,
	  enum payload_kind k);

#endif
