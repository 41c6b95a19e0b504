/* synth.h - shared types of ucflow-synth: byte buffers, PRNG, flows and payload-builder API. */
#ifndef UCFLOW_SYNTH_H
#define UCFLOW_SYNTH_H

#include <stddef.h>
#include <stdint.h>

/* ---- growable byte buffer ---------------------------------------------------------------- */
struct sbuf {
	uint8_t *d;
	size_t len, cap;
};

void sb_init(struct sbuf *b);
void sb_free(struct sbuf *b);
void sb_reset(struct sbuf *b);
void sb_put(struct sbuf *b, const void *p, size_t n);
void sb_str(struct sbuf *b, const char *s);
void sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_u8(struct sbuf *b, unsigned v);
void sb_u16(struct sbuf *b, unsigned v);	/* big endian */
void sb_u24(struct sbuf *b, uint32_t v);
void sb_u32(struct sbuf *b, uint32_t v);
void sb_fill(struct sbuf *b, uint8_t byte, size_t n);
/* Reserve `width` (1..4) bytes for a big-endian length written later by sb_patch_len(). */
size_t sb_len_begin(struct sbuf *b, int width);
/* Write into the reserved field the number of bytes appended since sb_len_begin(). */
void sb_len_end(struct sbuf *b, size_t mark, int width);
void put_be16(uint8_t *p, unsigned v);
/* DER/BER: der_begin() writes the tag and returns the content start; der_end() fills in the
 * definite length (moving the content when the length needs long form). Nestable. */
size_t der_begin(struct sbuf *b, unsigned tag);
void der_end(struct sbuf *b, size_t start);
void der_prim(struct sbuf *b, unsigned tag, const void *p, size_t n);
void put_be32(uint8_t *p, uint32_t v);

/* ---- scenario value parsing (synth_util.c) ----------------------------------------------- */
/* "12.345678" (digits, optional fraction) times unit_us microseconds; -1 if malformed. */
int parse_decimal_us(const char *s, uint64_t unit_us, uint64_t *out);
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
int mac_parse(const char *s, uint8_t mac[6]);

/* ---- scenario loading (synth_load.c) ----------------------------------------------------- */
struct scn_line {
	const char *file;
	int lineno;
	int argc;
	char **argv;
	int jump;	/* repeat: index of its end; end: index of its repeat */
};

/* Read PATH and the files it includes, expand `for` loops and match `repeat`/`end`. On a
 * scenario error: FILE:LINE: message on stderr, exit status 2. */
void scn_load(const char *path, struct scn_line **lines, size_t *nlines);

/* ---- deterministic PRNG (splitmix64) ------------------------------------------------------ */
uint64_t rng_next(uint64_t *state);
void rng_bytes(uint64_t *state, uint8_t *out, size_t n);

/* ---- endpoints and flows ------------------------------------------------------------------ */
enum { DIR_C2S = 0, DIR_S2C = 1 };

struct rtp_stream {
	int dir;
	uint32_t ssrc;
	uint16_t seq;	/* next sequence number */
	uint32_t ts;	/* next timestamp */
	uint32_t packets, octets;
};

#define SYNTH_MAX_RTP 8

/* Per-flow state used by the payload builders (continuation of RTP streams, request/response
 * pairing for STUN, SIP and DNS). */
struct pstate {
	struct rtp_stream rtp[SYNTH_MAX_RTP];
	int nrtp;
	uint8_t stun_txid[12];
	int have_stun;
	int have_sip;
	char sip_method[32], sip_via[256], sip_from[256], sip_to[256], sip_callid[128];
	uint32_t sip_cseq;
	int have_dns;
	uint16_t dns_id;
	uint32_t ctr;	/* generic per-flow counter (tags, branches, ids) */
	uint64_t dtls_rseq[2];	/* DTLS: next record sequence number, per sender */
	uint16_t dtls_mseq[2];	/* DTLS: next handshake message_seq, per sender */
	uint16_t dtls_epoch[2];	/* DTLS: current epoch, per sender (1 after ChangeCipherSpec) */
};

struct flow {
	char name[64];
	int proto;	/* 6 tcp, 17 udp, 1 icmp (58 for IPv6 flows) */
	int af;		/* 4 or 6 */
	uint8_t addr[2][16];	/* [DIR_C2S] = client, [DIR_S2C] = server */
	uint16_t port[2];
	char addr_str[2][64];
	int dscp[2], ttl[2], df;
	int nvlan;
	uint16_t vlan[2];	/* outer, inner */
	uint8_t mac[2][6];	/* client MAC, server-side (gateway) MAC */
	uint32_t nxt[2];	/* TCP: next sequence number each side sends */
	uint16_t mss, win[2];
	uint16_t ipid[2];
	uint16_t icmp_id, icmp_seq;
	struct pstate ps;
};

/* Context handed to a payload builder. */
struct bctx {
	struct flow *f;
	int dir;		/* sender: DIR_C2S or DIR_S2C */
	uint64_t now_us;	/* timestamp of the packet being built */
	uint64_t *rng;
	char *err;
	size_t errlen;
};

/* Build the L4 payload named `name` with arguments argv[0..argc-1] into `out`.
 * Returns 0, or -1 with a message in ctx->err. Implemented in synth_payload.c. */
int payload_build(struct bctx *ctx, const char *name, int argc, char **argv, struct sbuf *out);

/* Helpers shared by the builders (synth_payload.c). */
int bargs_check(struct bctx *ctx, const char *builder, int argc, char **argv,
		const char *const *allowed);
const char *barg(int argc, char **argv, const char *key);
int barg_u32(struct bctx *ctx, int argc, char **argv, const char *key, uint32_t def,
	     uint32_t max, uint32_t *out);
int berr(struct bctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int unescape(const char *in, struct sbuf *out, char *err, size_t errlen);
int parse_hex_bytes(const char *s, struct sbuf *out);

/* TLS builders (synth_tls.c). */
int tls_client_hello(struct bctx *ctx, int argc, char **argv, struct sbuf *out);
int tls_server_hello(struct bctx *ctx, int argc, char **argv, struct sbuf *out, int with_cert);
int tls_client_finished(struct bctx *ctx, int argc, char **argv, struct sbuf *out);
int tls_server_finished(struct bctx *ctx, int argc, char **argv, struct sbuf *out);
int tls_app_data(struct bctx *ctx, int argc, char **argv, struct sbuf *out);
/* DER X.509 v3 certificate (subject CN/O, subjectAltName dNSName list, filler RSA key). */
int tls_build_cert(struct bctx *ctx, const char *cn, const char *san, const char *org,
		   const char *issuer, struct sbuf *b);

/* DTLS 1.2 handshake builders (synth_dtls.c): sets *handled when `name` is one of them. */
int dtls_build(struct bctx *ctx, const char *name, int argc, char **argv, struct sbuf *out,
	       int *handled);

/* Binary application protocols (synth_proto.c). */
int proto_build(struct bctx *ctx, const char *name, int argc, char **argv, struct sbuf *out,
		int *handled);

/* ---- packet assembly and pcap output (synth_packet.c) ------------------------------------- */
enum { LINK_EN10MB, LINK_RAW, LINK_SLL, LINK_SLL2, LINK_NULL, LINK_NFLOG, LINK_PKTAP, LINK_IPNET,
       LINK_IPOIB, LINK_ATM_CLIP, LINK_JUNIPER_ETHER, LINK_FDDI, LINK_ERF, LINK_COUNT };
/* Scenario names of the LINK_* values, in order. */
extern const char *const link_names[LINK_COUNT];

/* File formats: pcap with microsecond times (written by libpcap), pcap with nanosecond times
 * (magic 0xa1b23c4d), pcapng (one section; interfaces as the scenario declares them). */
enum { FMT_PCAP, FMT_PCAP_NS, FMT_PCAPNG };

struct writer;

struct pktopt {
	int dscp, ttl;		/* -1 = flow default */
	int df;			/* -1 = flow default */
	int frag;		/* IPv4 fragments (0 = none) */
	uint32_t fragonly;	/* bitmask of 1-based fragments to emit (0 = all) */
	int snap;		/* per-packet caplen cap (0 = none) */
};

struct writer *writer_open(const char *path, int format, int link, int snaplen, char *err,
			   size_t errlen);
/* pcapng: declares interface number writer_interfaces() with this link type and time-stamp
 * resolution (if_tsresol: 10^-tsresol s, 6 = microseconds) and makes it the one later packets
 * are written on. Returns its number, or -1 with a message in err. */
int writer_add_interface(struct writer *w, int link, int tsresol, char *err, size_t errlen);
/* pcapng: makes interface idx the current one; -1 when there is no such interface. */
int writer_use_interface(struct writer *w, int idx);
int writer_interfaces(const struct writer *w);
/* The link type packets are framed with now (the current interface's, or the file's). */
int writer_link(const struct writer *w);
int writer_close(struct writer *w);
uint64_t writer_packets(const struct writer *w);
/* Emit one L4 segment (header + payload, checksum already filled) of flow f from side dir at
 * time `ts_us`; fragments after the first are spaced by gap_us. Returns the time of the last
 * packet written, or UINT64_MAX with a message in err. */
uint64_t emit_l4(struct writer *w, struct flow *f, int dir, int l4proto, const uint8_t *l4,
		 size_t l4len, const struct pktopt *o, uint64_t ts_us, uint64_t gap_us,
		 char *err, size_t errlen);
/* Internet checksum of an L4 segment including the IPv4/IPv6 pseudo header. */
uint16_t l4_checksum(const struct flow *f, int dir, int l4proto, const uint8_t *l4, size_t len);
uint16_t inet_csum(const void *data, size_t len, uint32_t seed);

#endif
