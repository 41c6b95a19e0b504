/* evidence.h - the payload-evidence stage: bounded payload inspection (TLS/DTLS RFC 8446/5246/6347 with
 * SNI RFC 6066 and ALPN RFC 7301, X.509 RFC 5280 names, DNS RFC 1035, RTP/RTCP RFC 3550, STUN RFC 8489,
 * SIP RFC 3261, XMPP RFC 6120, HTTP/1.1 RFC 9112) that leaves a few interned facts in each flow.
 *
 * Model
 *  - Only the first max_pkts_per_dir payload-carrying packets of each direction are read (counted in
 *    flow->dir[d].inspected); after that evidence_inspect() returns at once. The one documented
 *    exception is DNS responses (port 53) feeding the DNS cache, see dns_beyond_budget.
 *  - No payload is kept per flow: the flow holds interned-string ids (struct flow_evidence). The
 *    only payload copies are a TLS handshake in progress over TCP, held in one of a fixed pool of
 *    reassembly slots (allocated once) while a ClientHello / server Certificate is incomplete, and
 *    freed when done, on a sequence gap, when the direction's budget ends, or at evidence_flow_end().
 *  - Nothing on the per-packet path allocates: the intern table, DNS cache and slots are sized at
 *    evidence_create() time. When one is full the fact is dropped and counted (evidence_get_stats).
 *  - Single-threaded, like the rest of the pipeline.
 *
 * Use of struct flow_evidence (flow.h, 28 bytes, unchanged):
 *   sni           TLS/DTLS SNI, or (state & EVS_HOST) the clear-text requested host: HTTP Host,
 *                 HTTP CONNECT target, XMPP stream to= (domainpart), from the originator only,
 *                 or a DNS question name that matches a domain pattern (query or answer).
 *                 Lower-case, trailing dot removed; the first kind written stays (a CONNECT host is
 *                 not replaced by the tunnelled SNI). Output: use evidence_view(), which splits
 *                 sni/host and alpn/software back apart.
 *   alpn          TLS/DTLS ALPN: ALL offered protocols comma-joined in ClientHello order
 *                 (e.g. "h2,http/1.1", at most EV_ALPN_MAX bytes, cut at a protocol boundary), or
 *                 (state & EVS_SOFTWARE) the STUN SOFTWARE attribute.
 *   server_names  TLS <= 1.2 server certificate (first certificate only): names that match a domain
 *                 pattern first, then subject CN, then subjectAltName dNSName entries, de-duplicated,
 *                 comma-joined, at most EV_SERVER_NAMES_MAX bytes (cut at a name boundary).
 *   dns_name      name the DNS cache held for the responder address at flow start (never the
 *                 originator's: a host's own name does not label its flows).
 *                 The cache only learns names matching a domain pattern (add patterns first): per
 *                 response, the name of the question's CNAME chain nearest the question that
 *                 matches, for every A/AAAA record of the chain, TTL = the chain's smallest.
 *   rtp_ssrc/rtp_seq  UDP: SSRC and last sequence number of the tracked RTP stream. TCP flows use
 *                 rtp_seq as their reassembly slot index while (state & EVS_SLOT).
 *   payload_proto enum evidence_proto.   state: EVS_* bits.   detail: EVD_* fields.
 *   Every id held by a flow is a reference: evidence_flow_end() drops them (call it AFTER the flow's
 *   record was written, since output resolves the ids).
 */
#ifndef EVIDENCE_H
#define EVIDENCE_H

#include "ucflow.h"
#include "pkt_access.h"
#include "decode.h"
#include "flow.h"

/* ---------------------------------------------------------------------------------------------- */
/* Payload protocols (flow->ev.payload_proto). */
enum evidence_proto {
	EV_PROTO_NONE = 0,    /* nothing decided yet (no payload inspected, or still undecided) */
	EV_PROTO_TLS,
	EV_PROTO_DTLS,
	EV_PROTO_RTP,         /* RTP or SRTP: the header is clear in both; SRTP is left to the classifier */
	EV_PROTO_RTCP,
	EV_PROTO_STUN,        /* STUN/TURN, including TURN ChannelData after a STUN message */
	EV_PROTO_SIP,
	EV_PROTO_XMPP_CLIENT,
	EV_PROTO_XMPP_SERVER,
	EV_PROTO_HTTP,
	EV_PROTO_DNS,
	EV_PROTO_UNKNOWN,     /* payload was inspected and is none of the above: refutes a port guess */
	EV_PROTO_COUNT
};
/* "tls", "dtls", "rtp", "rtcp", "stun", "sip", "xmpp-client", "xmpp-server", "http", "dns",
 * "unknown"; "" for EV_PROTO_NONE and out-of-range values. Never NULL. */
const char *evidence_proto_name(uint8_t proto);

/* flow->ev.state bits. */
#define EVS_DONE      0x01 /* both directions' budgets spent: nothing more is read */
#define EVS_SLOT      0x02 /* TCP: rtp_seq holds this flow's reassembly slot index */
#define EVS_CH_DONE   0x04 /* ClientHello parsed (complete, or given up) */
#define EVS_CERT_DONE 0x08 /* server flight parsed: certificate read, or none will come (TLS 1.3 ...) */
#define EVS_STUN_SEEN 0x10 /* a valid STUN message was seen (ICE before media, TURN before ChannelData) */
#define EVS_SOFTWARE  0x20 /* alpn holds the STUN SOFTWARE attribute, not ALPN */
#define EVS_RTCP_SEEN 0x40
#define EVS_HOST      0x80 /* sni holds a clear-text host (HTTP Host / CONNECT, XMPP to=) */

/* flow->ev.detail fields. */
#define EVD_RTP_COUNT(d)  ((d) & 0x03u)        /* consecutive consistent RTP packets, 0..3 */
#define EVD_RTP_SIDE      0x04u                /* tracked RTP stream is sent by key side B */
#define EVD_MISS(d)       (((d) >> 3) & 0x07u) /* payload packets no recogniser accepted, 0..7 */
#define EVD_DTLS_SEEN     0x40u

/* Change bits returned by evidence_inspect() / evidence_flow_start(). */
#define EV_CHG_SNI      0x01u /* ev.sni set (TLS/DTLS SNI) */
#define EV_CHG_ALPN     0x02u
#define EV_CHG_CERT     0x04u /* ev.server_names set */
#define EV_CHG_DNS      0x08u /* ev.dns_name set */
#define EV_CHG_PROTO    0x10u /* ev.payload_proto changed */
#define EV_CHG_HOST     0x20u /* ev.sni set from a clear-text host */
#define EV_CHG_SOFTWARE 0x40u /* STUN SOFTWARE recorded */
/* Changes worth a re-classification. */
#define EV_CHG_CLASSIFY (EV_CHG_SNI | EV_CHG_CERT | EV_CHG_DNS | EV_CHG_PROTO | EV_CHG_HOST)

/* Length limits of interned strings (bytes, without the NUL). */
#define EV_NAME_MAX          253 /* host names: DNS limit */
#define EV_ALPN_MAX          127
#define EV_SOFTWARE_MAX      127
#define EV_SERVER_NAMES_MAX  511
#define EV_INTERN_MAXLEN     511 /* longest string the intern table stores */

/* ---------------------------------------------------------------------------------------------- */
/* The stage. */
struct evidence_ctx;

struct evidence_config {
	unsigned max_pkts_per_dir;   /* payload packets inspected per direction; 1..255, default 8 */
	unsigned unknown_after;      /* payload packets no recogniser accepted before the verdict is
					"unknown"; default 4 (also "unknown" when a direction's budget
					ends undecided) */
	unsigned dns_cache_entries;  /* DNS cache capacity (LRU); 0 disables the cache; default 16384 */
	unsigned dns_ttl_min_s;      /* TTLs are clamped into [min, max]: clients keep using addresses a */
	unsigned dns_ttl_max_s;      /* little past tiny TTLs; defaults 60 and 86400 */
	int dns_beyond_budget;       /* 1 (default): DNS responses (source port 53) are parsed for the
					cache even after the flow's budget (resolvers reuse one 5-tuple) */
	unsigned intern_max;         /* distinct interned strings alive at once; default 65536 */
	size_t intern_bytes;         /* string storage; default 4 MiB */
	unsigned reasm_slots;        /* TCP handshake reassembly slots; 0 disables; default 256 */
	unsigned reasm_slot_bytes;   /* bytes per slot (de-recorded handshake); 1024..1 MiB, default 16384 */
	unsigned reasm_timeout_s;    /* a slot idle this long (packet time) may be taken over; default 30 */
	uint64_t hash_seed;          /* seeds the intern and DNS-cache hashes */
};
void evidence_config_defaults(struct evidence_config *cfg);

/* Allocates everything the stage will ever use. UCF_OK, UCF_ERR_CONFIG (bad config, message in
 * errbuf) or UCF_ERR_RUNTIME (out of memory). cfg NULL = defaults. */
int evidence_create(struct evidence_ctx **out, const struct evidence_config *cfg, char *errbuf);
void evidence_destroy(struct evidence_ctx *ctx);

/* Domain patterns, at load time (allocates). PATTERN is "*.example.com" (the domain itself and
 * every subdomain, as the Webex document defines "*") or an exact host "host.example.com".
 * Case-insensitive, one trailing dot ignored, labels [A-Za-z0-9_-]. Adding a pattern that already
 * exists keeps the first user_id (give each distinct pattern its own id to tell them apart).
 * UCF_OK, UCF_ERR_CONFIG (bad pattern / negative id), UCF_ERR_RUNTIME (memory). */
int evidence_add_domain(struct evidence_ctx *ctx, const char *pattern, int user_id, char *errbuf);
/* Forgets every pattern (signature reload); then add the new ones. Pattern texts returned earlier
 * (evidence_match.pattern) are freed. */
void evidence_clear_domains(struct evidence_ctx *ctx);
/* Longest matching pattern's user_id for a host name (len bytes, need not be NUL-terminated), or -1.
 * "*.webex.com" matches webex.com, a.webex.com, a.b.webex.com, not webex.com.evil.org nor
 * evilwebex.com. A certificate wildcard name "*.x.y" is matched as the set it covers: only by
 * wildcard patterns on x.y or a parent. *pattern (may be NULL) gets the pattern text.
 * Lookup: one hash probe per label suffix (no scan over the patterns). */
int evidence_domain_match(const struct evidence_ctx *ctx, const char *name, size_t len,
			  const char **pattern);
/* The same for an interned name (an id of evidence_name()): the result is memoised with the name
 * until the patterns change, so flows naming the same host cost one lookup. */
int evidence_domain_match_id(const struct evidence_ctx *ctx, uint32_t id, const char **pattern);

/* A new flow (call once, when flow_table_update() reports is_new): looks the responder address up
 * in the DNS cache and sets ev.dns_name. Only the responder's (server's) name may label a flow:
 * the originator's cached name is never used. Returns EV_CHG_DNS or 0. */
unsigned evidence_flow_start(struct evidence_ctx *ctx, struct flow *f, uint64_t ts_us);

/* The classifier swapped f's originator and responder: the DNS-cache name is looked up again for
 * the new responder (and dropped when it has none), as evidence_flow_start() would have. Returns
 * EV_CHG_DNS when ev.dns_name changed, else 0. */
unsigned evidence_flow_oriented(struct evidence_ctx *ctx, struct flow *f, uint64_t ts_us);

/* Inspects one packet of a flow (dir = flow_update.dir: FLOW_ORIG / FLOW_RESP, who sent it).
 * Returns EV_CHG_* bits of what changed, so the caller re-classifies only on new evidence
 * (mask & EV_CHG_CLASSIFY). A cheap early return once the direction's budget is spent. Reads the
 * payload only through p->payload (captured bytes); TCP uses p->tcp_seq and p->payload_len. */
unsigned evidence_inspect(struct evidence_ctx *ctx, struct flow *f, unsigned dir,
			  const struct decoded_pkt *p, uint64_t ts_us);

/* The flow ended and its record was written: releases its reassembly slot and its name references,
 * and zeroes its ev ids. Not for interim (FLOW_END_ACTIVE) records. */
void evidence_flow_end(struct evidence_ctx *ctx, struct flow *f);
/* The flow ended and its record is held to be written later (the second look, role_defer.h):
 * releases its reassembly slot only. Its name references stay with the ids, which the copy of the
 * flow that holds them gives back through evidence_flow_end() once its record is written. */
void evidence_flow_detach(struct evidence_ctx *ctx, struct flow *f);

/* DNS names shared by several contexts (live capture workers, each with its own context; see
 * src/live_dns.h). With a share set, every name the context's DNS cache learns is also handed to
 * put() (answered_us: the response's packet time), and the name lookups of evidence_flow_start,
 * evidence_flow_oriented and evidence_flow_recheck_dns ask get() instead of the context's cache:
 * the name of addr answered at or before at_us and not expired then (its length, 0 when none;
 * at most cap bytes, no NUL). The share does its own locking: several contexts on several threads
 * call it at once. NULL removes the share. */
struct evidence_dns_share {
	void (*put)(void *user, const struct ucf_addr *addr, const char *name, size_t len,
		    uint64_t answered_us, uint64_t expires_us);
	size_t (*get)(void *user, const struct ucf_addr *addr, uint64_t at_us, char *name, size_t cap);
	void *user;
};
void evidence_set_dns_share(struct evidence_ctx *ctx, const struct evidence_dns_share *share);
/* With a share: a flow without a DNS name looks its responder up again at its first packet's
 * time (when its record is written: the answer may have reached the share, from another worker,
 * after the flow started). EV_CHG_DNS when it got a name, else 0 (always 0 without a share). */
unsigned evidence_flow_recheck_dns(struct evidence_ctx *ctx, struct flow *f);

/* Where a domain match came from. */
enum evidence_src {
	EV_SRC_NONE = 0,
	EV_SRC_SNI,    /* TLS/DTLS SNI */
	EV_SRC_HOST,   /* HTTP Host / CONNECT target, XMPP to= */
	EV_SRC_CERT,   /* server certificate names (consulted only when the flow has no SNI/host:
			  a certificate must cover the SNI, and shared certificates list unrelated
			  names) */
	EV_SRC_DNS,    /* DNS cache name of the flow's address */
	EV_SRC_QUERY,  /* a DNS flow's question name (kept in the host field when it matches a
			  domain pattern): the name looked up, not the server's */
};
const char *evidence_src_name(enum evidence_src src); /* "sni","host","cert","dns","query","" */

struct evidence_match {
	int user_id;            /* -1: none */
	enum evidence_src src;
	const char *pattern;    /* matched pattern text, NULL when none */
	const char *name;       /* the flow's name that matched (for cert: the matching entry is
				   not isolated; this is the whole server_names list) */
};
/* Best domain for the flow: the first source in the order SNI/host, cert, dns that matches, each
 * source's longest pattern. Returns m->user_id (-1 when none); m may be NULL. */
int evidence_domain_of(const struct evidence_ctx *ctx, const struct flow *f,
		       struct evidence_match *m);

/* Everything the output needs, resolved. Strings are NULL when absent; they stay valid until the
 * flow's evidence_flow_end(). */
#define EV_REASON_MAX 192
struct evidence_view {
	const char *proto;        /* evidence_proto_name(), "" when none */
	const char *sni, *alpn, *server_names, *dns_name;
	const char *host;         /* clear-text requested host (HTTP/XMPP) */
	const char *software;     /* STUN SOFTWARE */
	struct evidence_match match;
	/* Machine-readable reason: space-separated tokens: "<src>=<pattern>" for the domain match
	 * (sni=*.webex.com, host=..., cert=*.wbx2.com, dns=*.webex.com), the protocol name
	 * (tls, rtp, ...), "software=<SOFTWARE with spaces as _>" for STUN. "" when nothing. */
	char reason[EV_REASON_MAX];
};
void evidence_view(const struct evidence_ctx *ctx, const struct flow *f, struct evidence_view *v);

/* Interned string of an id, NULL for 0 / unknown ids. name_of_cb fits out_names.name_of with
 * user = the evidence_ctx. */
const char *evidence_name(const struct evidence_ctx *ctx, uint32_t id);
const char *evidence_name_of_cb(void *user, uint32_t id);

/* The DNS cache: the name (interned id, borrowed: not a new reference) cached for addr at packet
 * time now_us, 0 when none or expired. */
uint32_t evidence_dns_lookup(struct evidence_ctx *ctx, const struct ucf_addr *addr, uint64_t now_us);

struct evidence_stats {
	uint64_t inspected;          /* payload packets read */
	uint64_t skipped;            /* payload packets past the budget (not read) */
	uint64_t slots_taken, slots_exhausted, slots_stolen, slot_gaps;
	uint32_t slots_in_use;
	uint64_t intern_full;        /* strings dropped: intern table full */
	uint32_t intern_live;        /* distinct strings alive */
	uint64_t dns_responses, dns_cached, dns_evicted, dns_hits;
	uint32_t dns_entries;
};
void evidence_get_stats(const struct evidence_ctx *ctx, struct evidence_stats *st);

/* ---------------------------------------------------------------------------------------------- */
/* Component layer (used by the driver, the unit tests and the fuzz targets). */

/* Parser status. */
enum ev_parse {
	EV_OK = 0,    /* parsed */
	EV_MORE,      /* consistent so far but the data ends first (truncated / needs the next segment) */
	EV_BAD,       /* not this protocol, or a length/field contradicts the data */
	EV_NONE,      /* (server flight) valid, but no certificate will be readable (TLS 1.3,
			 resumption, anonymous) */
};

/* Interned strings: reference-counted, fixed capacity, storage in size classes 16..512 bytes carved
 * from one arena; never allocates after create. Ids are >= 1. */
struct ev_names;
struct ev_names *ev_names_create(uint32_t max_entries, size_t max_bytes, uint64_t seed);
void ev_names_destroy(struct ev_names *n);
/* Returns the id holding one new reference, 0 when len is 0 or > EV_INTERN_MAXLEN or full. */
uint32_t ev_names_intern(struct ev_names *n, const char *s, size_t len);
void ev_names_ref(struct ev_names *n, uint32_t id);
void ev_names_release(struct ev_names *n, uint32_t id);
const char *ev_names_get(const struct ev_names *n, uint32_t id);
uint32_t ev_names_live(const struct ev_names *n);
/* A name octet as names are stored (HTTP Host, SNI, certificate and DNS names): lower case;
 * outside '!'..'~' and ',' (the list separator) '?'. */
extern const uint8_t ev_host_octet[256];

/* Domain matcher (see evidence_add_domain). */
struct ev_domains;
struct ev_domains *ev_domains_create(void);
void ev_domains_destroy(struct ev_domains *d);
void ev_domains_clear(struct ev_domains *d);
int ev_domains_add(struct ev_domains *d, const char *pattern, int user_id, char *errbuf);
int ev_domains_match(const struct ev_domains *d, const char *name, size_t len, const char **pattern);
/* ev_domains_match() (without the pattern) through a small cache of recent names: for names
 * that are not interned, e.g. DNS answers, which repeat. */
int ev_domains_match_cached(struct ev_domains *d, const char *name, size_t len);
/* ev_domains_match() of interned name id, memoised in n per pattern generation of d. */
int ev_names_domain_match(struct ev_names *n, const struct ev_domains *d, uint32_t id,
			  const char **pattern);
unsigned ev_domains_count(const struct ev_domains *d);

/* DNS cache: address -> name id (holds a reference), expiry in packet time, LRU replacement when
 * full (expired entries are dropped on lookup). Open addressing, never allocates after create. */
struct ev_dnscache;
struct ev_dnscache *ev_dnscache_create(uint32_t entries, struct ev_names *names, uint64_t seed);
void ev_dnscache_destroy(struct ev_dnscache *c);
/* Inserts or refreshes addr -> name_id (takes its own reference) until expiry_us. */
void ev_dnscache_put(struct ev_dnscache *c, const struct ucf_addr *addr, uint32_t name_id,
		     uint64_t expiry_us);
uint32_t ev_dnscache_get(struct ev_dnscache *c, const struct ucf_addr *addr, uint64_t now_us);
uint32_t ev_dnscache_count(const struct ev_dnscache *c);
uint64_t ev_dnscache_evictions(const struct ev_dnscache *c);

/* Host-name normaliser: lower-cases, maps bytes outside 0x21..0x7e and ',' to '?', drops one
 * trailing dot. Returns the output length (0 for an empty name); out needs cap >= 1. */
size_t ev_norm_host(struct bview in, char *out, size_t cap);

/* TLS handshake-stream assembler: strips record headers (RFC 8446 5.1) and keeps the handshake
 * bytes, up to cap. Record headers may be split anywhere. */
struct ev_hs {
	uint8_t *buf;
	uint32_t cap, len;
	uint32_t rec_left;     /* content bytes of the current record still to come */
	uint8_t hdr[5], hdr_have;
	uint8_t rec_type;
	uint8_t flags;         /* EV_HS_* */
};
#define EV_HS_BAD       0x01 /* not a TLS record stream */
#define EV_HS_ENCRYPTED 0x02 /* ChangeCipherSpec / application_data seen: later handshake is opaque */
#define EV_HS_FULL      0x04 /* the buffer filled up: later handshake bytes were dropped */
void ev_hs_init(struct ev_hs *hs, uint8_t *buf, uint32_t cap);
/* ev_hs_init() and ev_hs_feed(data) in one, without the copy, for data holding the start of one
 * handshake record and nothing after it (the usual first segment of a ClientHello or a server
 * flight): hs->buf then points at the record's bytes in data (read only; *body gets them as a
 * view, for copying on). false, and hs untouched, for any other data. */
bool ev_hs_view(struct ev_hs *hs, struct bview data, uint32_t cap, struct bview *body);
/* Feeds stream bytes; EV_BAD once the stream is not TLS records, else EV_OK. */
int ev_hs_feed(struct ev_hs *hs, struct bview data);
/* Whether a packet starts with a plausible TLS record header (type 20..23, version 3.0..3.4,
 * length 1..2^14+2048); *hs_type gets the first handshake message type for a handshake record
 * (-1 when not there). */
/* Inline: it runs for every TCP payload packet within the inspection budget. */
#define EV_TLS_MAX_RECORD (16384 + 2048) /* RFC 5246 6.2.3: ciphertext may exceed 2^14 by 2048 */
static inline bool ev_tls_record_start(struct bview pkt, int *hs_type)
{
	uint8_t type, maj, min, t;
	uint16_t len;
	*hs_type = -1;
	if (!bv_u8(pkt, 0, &type) || !bv_u8(pkt, 1, &maj) || !bv_u8(pkt, 2, &min) ||
	    !bv_be16(pkt, 3, &len))
		return false;
	if (type < 20 || type > 23 || maj != 3 || min > 4 || len == 0 || len > EV_TLS_MAX_RECORD)
		return false;
	if (type == 22 && bv_u8(pkt, 5, &t))
		*hs_type = t;
	return true;
}

/* ClientHello facts; views point into the parsed buffer. */
struct ev_hello {
	uint16_t version;           /* legacy_version field */
	bool has_sni;
	struct bview sni;           /* first host_name entry */
	char alpn[EV_ALPN_MAX + 1]; /* comma-joined protocol list */
	size_t alpn_len;
};
/* TLS: hs = handshake bytes starting with the ClientHello message header. EV_OK (complete),
 * EV_MORE (cut short: out holds the facts from the complete extensions before the cut), EV_BAD. */
int ev_tls_client_hello(struct bview hs, struct ev_hello *out);
/* DTLS 1.0/1.2 (RFC 6347 4.2.2): one datagram; the ClientHello in its first record, first fragment.
 * EV_OK / EV_MORE (fragmented or cut: partial facts) / EV_BAD. */
int ev_dtls_client_hello(struct bview dgram, struct ev_hello *out);
/* Whether a datagram starts with a DTLS record (content type 20..23, version 0xfeff/0xfefd/0xfefc,
 * length within the datagram). */
bool ev_dtls_record(struct bview dgram);
/* Server flight (hs = handshake bytes starting with ServerHello): EV_OK with *cert = the FIRST
 * certificate's DER, EV_MORE, EV_NONE (TLS 1.3 / no Certificate follows / encrypted), EV_BAD. */
int ev_tls_server_flight(struct bview hs, bool encrypted, struct bview *cert);
/* Minimal DER walk of an X.509 certificate: subject CN and subjectAltName dNSName entries,
 * normalised, de-duplicated, comma-joined into out (NUL-terminated; cut at a name boundary).
 * Names matching a pattern of dom (may be NULL) come first. EV_OK (*out_len may be 0) / EV_BAD. */
int ev_x509_names(struct bview der, const struct ev_domains *dom, char *out, size_t cap,
		  size_t *out_len);

/* DNS message (RFC 1035) facts. */
#define EV_DNS_MAX_CHAIN 8   /* question name + CNAME targets followed */
#define EV_DNS_MAX_ADDRS 32  /* A/AAAA records kept */
#define EV_DNS_MAX_RRS   64  /* answer records examined */
#define EV_DNS_MAX_JUMPS 16  /* compression pointers followed per name */
struct ev_dns_addr {
	struct ucf_addr addr;
	uint32_t ttl;
	uint8_t chain_idx;   /* which chain name owns it */
};
struct ev_dns_msg {
	uint16_t id;
	uint8_t qr, opcode, rcode;
	uint16_t qtype;
	unsigned nchain;                                  /* >= 1 on EV_OK */
	char chain[EV_DNS_MAX_CHAIN][EV_NAME_MAX + 3];    /* [0] = question, then CNAME targets */
	uint32_t chain_ttl[EV_DNS_MAX_CHAIN];             /* TTL of the CNAME leading to chain[i] */
	unsigned naddrs;
	struct ev_dns_addr addrs[EV_DNS_MAX_ADDRS];       /* A/AAAA records owned by a chain name */
};
/* Reads a possibly compressed name at off. Pointers must go strictly backwards from where the
 * current run of labels started (no loops, no forward pointers), at most EV_DNS_MAX_JUMPS.
 * Writes the dotted normalised name (no trailing dot; "" for the root) and sets *next to the
 * offset after the name in the original position. EV_OK / EV_BAD. */
int ev_dns_name(struct bview msg, size_t off, char *out, size_t cap, size_t *out_len,
		size_t *next);
/* Parses one DNS message (UDP payload, or the message after the TCP length prefix). Exactly one
 * question required. EV_OK; EV_MORE when the header and question are sound but the answer section
 * is cut or broken (DNS, but no answers usable: naddrs = 0, nchain = 1); EV_BAD (not DNS). */
int ev_dns_parse(struct bview msg, struct ev_dns_msg *out);

/* RTP (RFC 3550 5.1): version 2, payload type outside 72..76, CSRC list / extension / padding
 * consistent with the length. EV_OK / EV_BAD. */
int ev_rtp_header(struct bview pkt, uint32_t *ssrc, uint16_t *seq, uint8_t *pt);
/* RTCP (RFC 3550 6.4): version 2, first packet type 200..204 with a report count that fits, the
 * compound's lengths adding up; a remainder that is not RTCP-shaped and >= 8 bytes is accepted as
 * SRTCP (RFC 3711 3.4: encrypted after 8 octets, then E|index and tag). EV_OK / EV_BAD. */
int ev_rtcp_check(struct bview pkt);
/* STUN (RFC 8489 5/14): top bits 0, magic cookie, length multiple of 4 matching the packet
 * (stream: at most), attributes walking exactly to the end. *software = SOFTWARE value or empty.
 * EV_OK / EV_MORE (stream, message continues) / EV_BAD. */
int ev_stun_check(struct bview pkt, bool stream, struct bview *software);
/* TURN ChannelData (RFC 8656 12.4): channel 0x4000..0x7fff, length consistent. EV_OK / EV_BAD. */
int ev_turn_channel_check(struct bview pkt);

/* SIP (RFC 3261 7.1/7.2) request or status line. EV_OK / EV_MORE (line cut) / EV_BAD. */
int ev_sip_check(struct bview pkt);
/* HTTP/1.x (RFC 9112 3/4) request or status line; *host = Host header value (port and brackets
 * removed) or the CONNECT authority, empty when absent. EV_OK / EV_MORE / EV_BAD. */
int ev_http_check(struct bview pkt, struct bview *host);
/* XMPP (RFC 6120 4.7) stream header, optionally after an <?xml?> prolog: *proto = EV_PROTO_XMPP_CLIENT
 * or _SERVER (jabber:server namespace), *to = the to= attribute (empty when absent).
 * EV_OK / EV_MORE (prolog only, header cut) / EV_BAD. */
int ev_xmpp_check(struct bview pkt, uint8_t *proto, struct bview *to);

/* ---------------------------------------------------------------------------------------------- */
/* Small text helpers over struct bview (everything reads through bv_u8). */
static inline int ev_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}
/* Whether v has the literal s at off (case-insensitive when ci). */
static inline bool ev_bv_lit(struct bview v, size_t off, const char *s, bool ci)
{
	for (size_t i = 0; s[i]; i++) {
		uint8_t c;
		if (!bv_u8(v, off + i, &c))
			return false;
		if (ci ? ev_lower(c) != ev_lower((unsigned char)s[i]) : c != (uint8_t)s[i])
			return false;
	}
	return true;
}
/* First offset >= from where s occurs within v[from, limit), or SIZE_MAX. */
static inline size_t ev_bv_find(struct bview v, size_t from, size_t limit, const char *s, bool ci)
{
	if (limit > v.len)
		limit = v.len;
	for (size_t i = from; i < limit; i++)
		if (ev_bv_lit(v, i, s, ci))
			return i;
	return SIZE_MAX;
}

#endif
