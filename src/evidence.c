/* evidence.c - the payload-evidence stage's per-flow driver: the inspection budget, dispatch to the
 * parsers (TLS/DTLS RFC 8446/6347, DNS RFC 1035, RTP/RTCP RFC 3550, STUN RFC 8489, SIP RFC 3261,
 * XMPP RFC 6120, HTTP RFC 9112), the protocol verdict and the bounded TCP handshake reassembly pool.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"

enum { KIND_CH = 1, KIND_SERVER = 2 };

/* A TCP handshake in progress: the de-recorded handshake bytes of one direction of one flow. */
struct slot {
	const struct flow *owner;
	uint64_t owner_uid;
	uint64_t last_ts;
	uint32_t next_seq;   /* sequence number the next in-order segment must carry */
	uint8_t side;        /* key side (0 = A) that sends this stream */
	uint8_t kind;
	uint8_t used;
	struct ev_hs hs;
};

struct evidence_ctx {
	struct evidence_config cfg;
	struct ev_names *names;
	struct ev_domains *dom;
	struct ev_dnscache *dns;     /* NULL when disabled */
	struct slot *slots;
	uint8_t *slot_mem;
	uint32_t *free_slots;
	uint32_t nfree;
	uint8_t *scratch;            /* a handshake that starts (and maybe ends) in this packet */
	struct evidence_stats st;
	struct evidence_dns_share share; /* share.get NULL: none (one thread) */
};

static const char *const proto_names[EV_PROTO_COUNT] = {
	[EV_PROTO_NONE] = "",          [EV_PROTO_TLS] = "tls",   [EV_PROTO_DTLS] = "dtls",
	[EV_PROTO_RTP] = "rtp",        [EV_PROTO_RTCP] = "rtcp", [EV_PROTO_STUN] = "stun",
	[EV_PROTO_SIP] = "sip",        [EV_PROTO_XMPP_CLIENT] = "xmpp-client",
	[EV_PROTO_XMPP_SERVER] = "xmpp-server",                  [EV_PROTO_HTTP] = "http",
	[EV_PROTO_DNS] = "dns",        [EV_PROTO_UNKNOWN] = "unknown",
};

const char *evidence_proto_name(uint8_t proto)
{
	return proto < EV_PROTO_COUNT ? proto_names[proto] : "";
}

void evidence_config_defaults(struct evidence_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->max_pkts_per_dir = 8;
	cfg->unknown_after = 4;
	cfg->dns_cache_entries = 16384;
	cfg->dns_ttl_min_s = 60;
	cfg->dns_ttl_max_s = 86400;
	cfg->dns_beyond_budget = 1;
	cfg->intern_max = 65536;
	cfg->intern_bytes = 4u << 20;
	cfg->reasm_slots = 256;
	cfg->reasm_slot_bytes = 16384;
	cfg->reasm_timeout_s = 30;
	cfg->hash_seed = 0x9e3779b97f4a7c15ULL;
}

int evidence_create(struct evidence_ctx **out, const struct evidence_config *cfg, char *errbuf)
{
	struct evidence_config c;
	*out = NULL;
	if (cfg)
		c = *cfg;
	else
		evidence_config_defaults(&c);
	const char *bad = NULL;
	if (c.max_pkts_per_dir < 1 || c.max_pkts_per_dir > 255)
		bad = "max_pkts_per_dir must be 1..255";
	else if (c.unknown_after < 1 || c.unknown_after > 7)
		bad = "unknown_after must be 1..7";
	else if (c.reasm_slots > 65535)
		bad = "reasm_slots must be at most 65535";
	else if (c.reasm_slot_bytes < 1024 || c.reasm_slot_bytes > (1u << 20))
		bad = "reasm_slot_bytes must be 1024..1048576";
	else if (c.intern_max < 16 || c.intern_max > (1u << 28) || c.intern_bytes < 4096 ||
		 c.intern_bytes > UINT32_MAX)
		bad = "intern_max must be 16..2^28 and intern_bytes 4096..4 GiB";
	else if (c.dns_cache_entries > (1u << 26) || c.dns_ttl_min_s > c.dns_ttl_max_s)
		bad = "dns_cache_entries at most 2^26 and dns_ttl_min_s <= dns_ttl_max_s";
	if (bad) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "evidence: %s", bad);
		return UCF_ERR_CONFIG;
	}
	struct evidence_ctx *x = calloc(1, sizeof *x);
	if (!x)
		goto oom;
	x->cfg = c;
	x->names = ev_names_create(c.intern_max, c.intern_bytes, c.hash_seed);
	x->dom = ev_domains_create();
	x->scratch = malloc(c.reasm_slot_bytes);
	if (!x->names || !x->dom || !x->scratch)
		goto oom;
	if (c.dns_cache_entries &&
	    !(x->dns = ev_dnscache_create(c.dns_cache_entries, x->names, c.hash_seed ^ 0x5bd1e995)))
		goto oom;
	if (c.reasm_slots) {
		x->slots = calloc(c.reasm_slots, sizeof *x->slots);
		x->slot_mem = malloc((size_t)c.reasm_slots * c.reasm_slot_bytes);
		x->free_slots = calloc(c.reasm_slots, sizeof *x->free_slots);
		if (!x->slots || !x->slot_mem || !x->free_slots)
			goto oom;
		for (uint32_t i = 0; i < c.reasm_slots; i++)
			x->free_slots[i] = c.reasm_slots - 1 - i;
		x->nfree = c.reasm_slots;
	}
	*out = x;
	return UCF_OK;
oom:
	evidence_destroy(x);
	snprintf(errbuf, UCF_ERRBUF_SIZE, "evidence: out of memory");
	return UCF_ERR_RUNTIME;
}

void evidence_destroy(struct evidence_ctx *x)
{
	if (!x)
		return;
	ev_dnscache_destroy(x->dns);
	ev_names_destroy(x->names);
	ev_domains_destroy(x->dom);
	free(x->scratch);
	free(x->slots);
	free(x->slot_mem);
	free(x->free_slots);
	free(x);
}

int evidence_add_domain(struct evidence_ctx *x, const char *pattern, int user_id, char *errbuf)
{
	return ev_domains_add(x->dom, pattern, user_id, errbuf);
}

void evidence_clear_domains(struct evidence_ctx *x)
{
	ev_domains_clear(x->dom);
}

int evidence_domain_match(const struct evidence_ctx *x, const char *name, size_t len,
			  const char **pattern)
{
	return ev_domains_match(x->dom, name, len, pattern);
}

int evidence_domain_match_id(const struct evidence_ctx *x, uint32_t id, const char **pattern)
{
	return ev_names_domain_match(x->names, x->dom, id, pattern);
}

const char *evidence_name(const struct evidence_ctx *x, uint32_t id)
{
	return x ? ev_names_get(x->names, id) : NULL;
}

const char *evidence_name_of_cb(void *user, uint32_t id)
{
	return evidence_name(user, id);
}

uint32_t evidence_dns_lookup(struct evidence_ctx *x, const struct ucf_addr *addr, uint64_t now_us)
{
	return ev_dnscache_get(x->dns, addr, now_us);
}

void evidence_get_stats(const struct evidence_ctx *x, struct evidence_stats *st)
{
	*st = x->st;
	st->slots_in_use = x->cfg.reasm_slots - x->nfree;
	st->intern_live = ev_names_live(x->names);
	st->dns_entries = ev_dnscache_count(x->dns);
	st->dns_evicted = ev_dnscache_evictions(x->dns);
}

/* ---------------------------------------------------------------------------------------------- */
/* Flow facts */

/* Replaces *field with the interned s[0..n) (n may be 0: nothing). Returns chg when it changed. */
static unsigned set_name(struct evidence_ctx *x, uint32_t *field, const char *s, size_t n,
			 unsigned chg)
{
	if (n == 0)
		return 0;
	uint32_t id = ev_names_intern(x->names, s, n);
	if (!id) {
		x->st.intern_full++;
		return 0;
	}
	if (id == *field) {
		ev_names_release(x->names, id);
		return 0;
	}
	ev_names_release(x->names, *field);
	*field = id;
	return chg;
}

static unsigned set_host(struct evidence_ctx *x, struct flow *f, struct bview v, bool clear_text)
{
	char buf[EV_NAME_MAX + 1];
	/* first writer wins: an SNI does not overwrite a CONNECT host, nor the reverse */
	if (f->ev.sni && !!(f->ev.state & EVS_HOST) != clear_text)
		return 0;
	size_t n = ev_norm_host(v, buf, sizeof buf);
	unsigned chg = set_name(x, &f->ev.sni, buf, n, clear_text ? EV_CHG_HOST : EV_CHG_SNI);
	if (chg) {
		if (clear_text)
			f->ev.state |= EVS_HOST;
		else
			f->ev.state &= (uint8_t)~EVS_HOST;
	}
	return chg;
}

/* Media verdicts may be refined (ICE STUN checks precede RTP on one 5-tuple, RFC 7983); the
 * others are final. */
static unsigned rank(uint8_t p)
{
	switch (p) {
	case EV_PROTO_NONE: return 0;
	case EV_PROTO_UNKNOWN: return 1;
	case EV_PROTO_STUN: return 2;
	case EV_PROTO_RTCP: return 3;
	case EV_PROTO_DTLS: return 4;
	case EV_PROTO_RTP: return 5;
	default: return 6;
	}
}

static unsigned set_verdict(struct flow *f, uint8_t p)
{
	if (rank(p) <= rank(f->ev.payload_proto))
		return 0;
	f->ev.payload_proto = p;
	return EV_CHG_PROTO;
}

/* ---------------------------------------------------------------------------------------------- */
/* Reassembly slots */

static inline struct slot *slot_of(struct evidence_ctx *x, struct flow *f)
{
	if (!(f->ev.state & EVS_SLOT))
		return NULL;
	uint32_t i = f->ev.rtp_seq;
	if (i < x->cfg.reasm_slots && x->slots[i].used && x->slots[i].owner == f &&
	    x->slots[i].owner_uid == f->uid)
		return &x->slots[i];
	f->ev.state &= (uint8_t)~EVS_SLOT; /* taken over by another flow after a timeout */
	f->ev.rtp_seq = 0;
	return NULL;
}

static void slot_release(struct evidence_ctx *x, struct flow *f)
{
	struct slot *s = slot_of(x, f);
	if (!s)
		return;
	s->used = 0;
	s->owner = NULL;
	x->free_slots[x->nfree++] = (uint32_t)(s - x->slots);
	f->ev.state &= (uint8_t)~EVS_SLOT;
	f->ev.rtp_seq = 0;
}

static struct slot *slot_acquire(struct evidence_ctx *x, struct flow *f, uint64_t ts)
{
	uint32_t i;
	if (x->nfree) {
		i = x->free_slots[--x->nfree];
	} else {
		/* full: take over the oldest slot idle past the timeout (its flow may be gone
		 * without evidence_flow_end); the old owner notices through slot_of() */
		uint64_t tmo = (uint64_t)x->cfg.reasm_timeout_s * 1000000u, best_ts = UINT64_MAX;
		uint32_t best = UINT32_MAX;
		for (uint32_t k = 0; k < x->cfg.reasm_slots; k++)
			if (x->slots[k].last_ts + tmo <= ts && x->slots[k].last_ts < best_ts) {
				best = k;
				best_ts = x->slots[k].last_ts;
			}
		if (best == UINT32_MAX) {
			x->st.slots_exhausted++;
			return NULL;
		}
		i = best;
		x->st.slots_stolen++;
	}
	struct slot *s = &x->slots[i];
	memset(s, 0, sizeof *s);
	s->used = 1;
	s->owner = f;
	s->owner_uid = f->uid;
	s->last_ts = ts;
	f->ev.rtp_seq = (uint16_t)i;
	f->ev.state |= EVS_SLOT;
	x->st.slots_taken++;
	return s;
}

/* ---------------------------------------------------------------------------------------------- */
/* TLS over TCP */

/* Parses what the handshake stream holds; *kind (0 = not known yet) is set from the first
 * handshake message type. *done when this stream needs no more data. */
static unsigned tls_parse(struct evidence_ctx *x, struct flow *f, const struct ev_hs *hs, int *kind,
			  bool final, bool *done)
{
	struct bview v = bv_make(hs->buf, hs->len);
	unsigned chg = 0;
	int r;
	bool stuck = final || (hs->flags & (EV_HS_BAD | EV_HS_FULL));
	if (*kind == 0) {
		uint8_t t;
		if (!bv_u8(v, 0, &t)) { /* no handshake byte yet */
			*done = stuck || (hs->flags & EV_HS_ENCRYPTED);
			return 0;
		}
		if (t == 1 && !(f->ev.state & EVS_CH_DONE))
			*kind = KIND_CH;
		else if (t == 2 && !(f->ev.state & EVS_CERT_DONE))
			*kind = KIND_SERVER;
		else {
			*done = true;
			return 0;
		}
	}
	if (!(hs->flags & EV_HS_BAD))
		chg |= set_verdict(f, EV_PROTO_TLS);
	if (*kind == KIND_CH) {
		struct ev_hello h;
		r = ev_tls_client_hello(v, &h);
		if (r != EV_BAD) {
			if (h.has_sni)
				chg |= set_host(x, f, h.sni, false);
			if (h.alpn_len && (!f->ev.alpn || !(f->ev.state & EVS_SOFTWARE)))
				chg |= set_name(x, &f->ev.alpn, h.alpn, h.alpn_len, EV_CHG_ALPN);
		}
		*done = r != EV_MORE || stuck || (hs->flags & EV_HS_ENCRYPTED);
		if (*done)
			f->ev.state |= EVS_CH_DONE;
	} else {
		struct bview cert;
		r = ev_tls_server_flight(v, (hs->flags & EV_HS_ENCRYPTED) != 0, &cert);
		if (r == EV_OK) {
			char names[EV_SERVER_NAMES_MAX + 1];
			size_t n;
			if (ev_x509_names(cert, x->dom, names, sizeof names, &n) == EV_OK)
				chg |= set_name(x, &f->ev.server_names, names, n, EV_CHG_CERT);
		}
		*done = r != EV_MORE || stuck;
		if (*done)
			f->ev.state |= EVS_CERT_DONE;
	}
	return chg;
}

/* Whether a short payload (1..4 bytes) is the start of a TLS handshake record header. */
static bool tls_hs_prefix(struct bview pl)
{
	uint8_t b;
	if (pl.len == 0 || pl.len > 4 || !bv_u8(pl, 0, &b) || b != 22)
		return false;
	return !(bv_u8(pl, 1, &b) && b != 3) && !(bv_u8(pl, 2, &b) && b > 4);
}

/* A packet that starts a handshake record: a ClientHello or a server flight (which one is known
 * once the first handshake byte is in). */
static unsigned tls_start(struct evidence_ctx *x, struct flow *f, unsigned side,
			  const struct decoded_pkt *p, uint64_t ts)
{
	struct ev_hs hs;
	bool done;
	int kind = 0;
	struct bview body;
	/* one record in the segment, the usual case: read in place, copied only into a slot */
	bool inplace = ev_hs_view(&hs, p->payload, x->cfg.reasm_slot_bytes, &body);
	if (!inplace) {
		ev_hs_init(&hs, x->scratch, x->cfg.reasm_slot_bytes);
		ev_hs_feed(&hs, p->payload);
	}
	/* a continuation needs every byte of this segment and a free slot for the flow */
	bool final = p->payload.len < p->payload_len || (f->ev.state & EVS_SLOT) ||
		     x->cfg.reasm_slots == 0;
	unsigned chg = tls_parse(x, f, &hs, &kind, final, &done);
	if (done)
		return chg;
	struct slot *s = slot_acquire(x, f, ts);
	if (!s) { /* no room: what this segment held is all we get */
		if (kind)
			f->ev.state |= kind == KIND_CH ? EVS_CH_DONE : EVS_CERT_DONE;
		return chg;
	}
	s->hs = hs;
	s->hs.buf = x->slot_mem + (size_t)(s - x->slots) * x->cfg.reasm_slot_bytes;
	if (inplace)
		bv_copy(body, 0, s->hs.buf, hs.len);
	else
		memcpy(s->hs.buf, hs.buf, hs.len);
	s->next_seq = p->tcp_seq + p->payload_len;
	s->side = (uint8_t)side;
	s->kind = (uint8_t)kind;
	return chg;
}

/* The next segment of the stream a slot holds: appended only when it is the next in order. */
static unsigned tls_continue(struct evidence_ctx *x, struct flow *f, struct slot *s,
			     const struct decoded_pkt *p, uint64_t ts)
{
	uint32_t ahead = p->tcp_seq - s->next_seq;
	size_t skip = 0;
	bool done;
	if (ahead != 0 && ahead < 0x80000000u) { /* a gap: lost or reordered segment */
		x->st.slot_gaps++;
		if (s->kind)
			f->ev.state |= s->kind == KIND_CH ? EVS_CH_DONE : EVS_CERT_DONE;
		slot_release(x, f);
		return 0;
	}
	if (ahead != 0) { /* starts before next_seq: retransmission, maybe with new bytes */
		uint32_t back = 0u - ahead;
		if (back >= p->payload_len)
			return 0;
		skip = back;
	}
	struct bview data;
	bool cut = p->payload.len < p->payload_len;
	if (!bv_tail(p->payload, skip, &data))
		data = bv_make(NULL, 0);
	ev_hs_feed(&s->hs, data);
	s->next_seq = p->tcp_seq + p->payload_len;
	s->last_ts = ts;
	int kind = s->kind;
	unsigned chg = tls_parse(x, f, &s->hs, &kind, cut, &done);
	s->kind = (uint8_t)kind;
	if (done)
		slot_release(x, f);
	return chg;
}

/* ---------------------------------------------------------------------------------------------- */
/* DNS */

static void dns_cache_answers(struct evidence_ctx *x, const struct ev_dns_msg *m, uint64_t ts)
{
	/* the first chain name a pattern matches (the same names are answered again and again:
	 * their matches are cached) */
	unsigned pick;
	for (pick = 0; pick < m->nchain; pick++)
		if (ev_domains_match_cached(x->dom, m->chain[pick], strlen(m->chain[pick])) >= 0)
			break;
	if (pick == m->nchain)
		return;
	uint32_t id = ev_names_intern(x->names, m->chain[pick], strlen(m->chain[pick]));
	if (!id) {
		x->st.intern_full++;
		return;
	}
	for (unsigned i = 0; i < m->naddrs; i++) {
		uint64_t ttl = m->addrs[i].ttl;
		for (unsigned j = 1; j <= m->addrs[i].chain_idx; j++) /* the chain is only as good */
			if (m->chain_ttl[j] < ttl)                     /* as its shortest link */
				ttl = m->chain_ttl[j];
		if (ttl < x->cfg.dns_ttl_min_s)
			ttl = x->cfg.dns_ttl_min_s;
		if (ttl > x->cfg.dns_ttl_max_s)
			ttl = x->cfg.dns_ttl_max_s;
		ev_dnscache_put(x->dns, &m->addrs[i].addr, id, ts + ttl * 1000000u);
		x->st.dns_cached++;
		if (x->share.put)
			x->share.put(x->share.user, &m->addrs[i].addr, m->chain[pick],
				     strlen(m->chain[pick]), ts, ts + ttl * 1000000u);
	}
	ev_names_release(x->names, id); /* the cache holds its own references */
}

static bool dns_port(const struct decoded_pkt *p)
{
	return (p->proto == 6 || p->proto == 17) && (p->sport == 53 || p->dport == 53);
}

static unsigned dns_packet(struct evidence_ctx *x, struct flow *f, const struct decoded_pkt *p,
			   uint64_t ts, bool *hit)
{
	struct ev_dns_msg m;
	unsigned chg = 0;
	size_t off = 0;
	for (unsigned n = 0; n < 16; n++) {
		struct bview msg = p->payload;
		if (p->proto == 6) { /* RFC 1035 4.2.2: two-octet length prefix; no reassembly */
			uint16_t len;
			if (!bv_be16(p->payload, off, &len) || !bv_sub(p->payload, off + 2, len, &msg))
				break;
			off += 2u + len;
		}
		int r = ev_dns_parse(msg, &m);
		if (r != EV_BAD) {
			*hit = true;
			chg |= set_verdict(f, EV_PROTO_DNS);
			/* the name looked up, when a domain row names it: what the lookup is for */
			if (m.nchain && !f->ev.sni && m.opcode == 0 &&
			    ev_domains_match_cached(x->dom, m.chain[0], strlen(m.chain[0])) >= 0)
				chg |= set_host(x, f, bv_make((const uint8_t *)m.chain[0],
							      strlen(m.chain[0])), true);
		}
		if (r == EV_OK && m.qr && p->sport == 53 && m.opcode == 0 && m.rcode == 0) {
			x->st.dns_responses++;
			if (x->dns && m.naddrs)
				dns_cache_answers(x, &m, ts);
		}
		if (p->proto != 6)
			break;
	}
	return chg;
}

/* ---------------------------------------------------------------------------------------------- */
/* Per-transport dispatch. *hit: some recogniser accepted the packet (or a consistent prefix). */

/* Requested hosts are taken from the originator only (a server's stream header names the client). */
static unsigned text_protocols(struct evidence_ctx *x, struct flow *f, struct bview pl, bool orig,
			       bool *hit)
{
	struct bview host;
	uint8_t xp;
	unsigned chg = 0;
	int r = ev_http_check(pl, &host);
	if (r == EV_OK) {
		chg |= set_verdict(f, EV_PROTO_HTTP);
		if (host.len && orig)
			chg |= set_host(x, f, host, true);
	}
	if (r != EV_BAD) {
		*hit = true;
		return chg;
	}
	r = ev_sip_check(pl);
	if (r == EV_OK)
		chg |= set_verdict(f, EV_PROTO_SIP);
	if (r != EV_BAD) {
		*hit = true;
		return chg;
	}
	r = ev_xmpp_check(pl, &xp, &host);
	if (r == EV_OK) {
		chg |= set_verdict(f, xp);
		size_t at = SIZE_MAX; /* a JID's domainpart only */
		for (size_t i = 0; i < host.len; i++) {
			uint8_t c;
			if (bv_u8(host, i, &c) && c == '@')
				at = i;
		}
		if (at != SIZE_MAX)
			bv_tail(host, at + 1, &host);
		if (host.len && orig)
			chg |= set_host(x, f, host, true);
	}
	if (r != EV_BAD)
		*hit = true;
	return chg;
}

static unsigned stun_packet(struct evidence_ctx *x, struct flow *f, struct bview pl, bool stream,
			    bool *hit)
{
	struct bview sw;
	char buf[EV_SOFTWARE_MAX + 1];
	int r = ev_stun_check(pl, stream, &sw);
	if (r == EV_BAD || (r == EV_MORE && !stream))
		return 0;
	*hit = true;
	f->ev.state |= EVS_STUN_SEEN;
	unsigned chg = set_verdict(f, EV_PROTO_STUN);
	if (sw.len && (!f->ev.alpn || (f->ev.state & EVS_SOFTWARE))) {
		size_t n = 0;
		for (size_t i = 0; i < sw.len && n < EV_SOFTWARE_MAX; i++) {
			uint8_t c = '?';
			bv_u8(sw, i, &c);
			buf[n++] = (c < 0x20 || c > 0x7e || c == ',') ? '?' : (char)c;
		}
		unsigned c = set_name(x, &f->ev.alpn, buf, n, EV_CHG_SOFTWARE);
		if (c)
			f->ev.state |= EVS_SOFTWARE;
		chg |= c;
	}
	return chg;
}

/* RTP needs EV_RTP_PKTS consecutive packets of one direction with one SSRC and a sequence
 * number advancing by 1..RTP_MAX_STEP (loss tolerated, duplicates and jumps not). */
#define EV_RTP_PKTS 3
#define RTP_MAX_STEP 64

static unsigned rtp_packet(struct flow *f, unsigned side, struct bview pl, bool *hit)
{
	uint32_t ssrc;
	uint16_t seq;
	uint8_t pt, d = f->ev.detail;
	if (ev_rtp_header(pl, &ssrc, &seq, &pt) != EV_OK)
		return 0;
	*hit = true;
	unsigned count = EVD_RTP_COUNT(d);
	bool tracked_side = ((d & EVD_RTP_SIDE) != 0) == (side != 0);
	if (count > 0 && !tracked_side)
		return 0; /* the other direction: its own SSRC; the tracked one decides */
	if (count > 0 && ssrc == f->ev.rtp_ssrc && (uint16_t)(seq - f->ev.rtp_seq) >= 1 &&
	    (uint16_t)(seq - f->ev.rtp_seq) <= RTP_MAX_STEP) {
		if (count < 3)
			count++;
	} else {
		count = 1; /* (re)start tracking this direction's stream */
		d = (uint8_t)((d & ~EVD_RTP_SIDE) | (side ? EVD_RTP_SIDE : 0));
		f->ev.rtp_ssrc = ssrc;
	}
	f->ev.rtp_seq = seq;
	f->ev.detail = (uint8_t)((d & ~0x03u) | count);
	return count >= EV_RTP_PKTS ? set_verdict(f, EV_PROTO_RTP) : 0;
}

static unsigned udp_packet(struct evidence_ctx *x, struct flow *f, unsigned side,
			   const struct decoded_pkt *p, bool *hit)
{
	struct bview pl = p->payload;
	uint8_t b0 = 0, b1 = 0;
	bv_u8(pl, 0, &b0);
	bv_u8(pl, 1, &b1);
	unsigned chg = 0;
	/* first-octet demultiplexing, RFC 7983 7 */
	if (b0 <= 3)
		return stun_packet(x, f, pl, false, hit);
	if (b0 >= 20 && b0 <= 63) {
		if (!ev_dtls_record(pl))
			return 0;
		*hit = true;
		f->ev.detail |= EVD_DTLS_SEEN;
		chg |= set_verdict(f, EV_PROTO_DTLS);
		struct ev_hello h;
		if (b0 == 22 && ev_dtls_client_hello(pl, &h) != EV_BAD) {
			if (h.has_sni)
				chg |= set_host(x, f, h.sni, false);
			if (h.alpn_len && (!f->ev.alpn || !(f->ev.state & EVS_SOFTWARE)))
				chg |= set_name(x, &f->ev.alpn, h.alpn, h.alpn_len, EV_CHG_ALPN);
		}
		return chg;
	}
	if (b0 >= 128 && b0 <= 191) {
		if (b1 >= 200 && b1 <= 204) {
			if (ev_rtcp_check(pl) != EV_OK)
				return 0;
			*hit = true;
			f->ev.state |= EVS_RTCP_SEEN;
			return set_verdict(f, EV_PROTO_RTCP);
		}
		return rtp_packet(f, side, pl, hit);
	}
	int r = ev_sip_check(pl);
	if (r != EV_BAD) {
		*hit = true;
		return r == EV_OK ? set_verdict(f, EV_PROTO_SIP) : 0;
	}
	/* TURN ChannelData only after a STUN message on the flow: alone, 0x40..0x7f is text */
	if (b0 >= 0x40 && b0 <= 0x7f && (f->ev.state & EVS_STUN_SEEN) &&
	    ev_turn_channel_check(pl) == EV_OK) {
		*hit = true;
		return set_verdict(f, EV_PROTO_STUN);
	}
	return 0;
}

/* Whether a payload could be a STUN message (ev_stun_check() says EV_BAD at once otherwise). */
static inline bool stun_like(struct bview pl)
{
	uint8_t b0;
	uint16_t mlen;
	uint32_t cookie;
	return bv_has(pl, 0, 20) && bv_u8(pl, 0, &b0) && !(b0 & 0xc0) && bv_be16(pl, 2, &mlen) &&
	       !(mlen & 3) && bv_be32(pl, 4, &cookie) && cookie == 0x2112A442u;
}

static unsigned tcp_packet(struct evidence_ctx *x, struct flow *f, unsigned side, bool orig,
			   const struct decoded_pkt *p, uint64_t ts, bool *hit)
{
	struct slot *s = slot_of(x, f);
	if (s && s->side == side) {
		*hit = true;
		return tls_continue(x, f, s, p, ts);
	}
	int hs_type;
	if (ev_tls_record_start(p->payload, &hs_type)) {
		*hit = true;
		unsigned chg = set_verdict(f, EV_PROTO_TLS);
		if (p->payload.len >= 5 && hs_type < 0) { /* a handshake record cut after its header */
			uint8_t t = 0;
			bv_u8(p->payload, 0, &t);
			hs_type = t == 22 ? 0 : -1;
		}
		if ((hs_type == 1 && !(f->ev.state & EVS_CH_DONE)) ||
		    (hs_type == 2 && !(f->ev.state & EVS_CERT_DONE)) || hs_type == 0)
			chg |= tls_start(x, f, side, p, ts);
		return chg;
	}
	if (tls_hs_prefix(p->payload)) { /* the first 1..4 bytes of a handshake record */
		*hit = true;
		return tls_start(x, f, side, p, ts);
	}
	unsigned chg = text_protocols(x, f, p->payload, orig, hit);
	if (!*hit && stun_like(p->payload)) /* else ev_stun_check() rejects it at once */
		chg |= stun_packet(x, f, p->payload, true, hit);
	return chg;
}

/* ---------------------------------------------------------------------------------------------- */

void evidence_set_dns_share(struct evidence_ctx *x, const struct evidence_dns_share *share)
{
	if (share)
		x->share = *share;
	else
		memset(&x->share, 0, sizeof x->share);
}

/* The name of addr at ts_us as a new reference (0: none): from the share when there is one (it
 * holds this context's answers too), else from the context's own cache. */
static uint32_t dns_name_ref(struct evidence_ctx *x, const struct ucf_addr *addr, uint64_t ts_us)
{
	if (x->share.get) {
		char name[EV_NAME_MAX];
		size_t n = x->share.get(x->share.user, addr, ts_us, name, sizeof name);
		if (!n)
			return 0;
		uint32_t id = ev_names_intern(x->names, name, n);
		if (!id)
			x->st.intern_full++;
		return id;
	}
	if (!x->dns || ev_dnscache_count(x->dns) == 0)
		return 0;
	uint32_t id = ev_dnscache_get(x->dns, addr, ts_us);
	if (id)
		ev_names_ref(x->names, id);
	return id;
}

unsigned evidence_flow_start(struct evidence_ctx *x, struct flow *f, uint64_t ts_us)
{
	/* The responder's name only: a DNS answer naming the originator (a client's own address,
	 * say etta-c7.cisco.com) says what the client is called, not what it talks to, and would
	 * label every flow that client opens. A flow whose first packet came from the server is
	 * looked up again once the classifier has oriented it (evidence_flow_oriented). */
	uint32_t id = dns_name_ref(x, flow_resp_addr(f), ts_us);
	if (!id || id == f->ev.dns_name) {
		ev_names_release(x->names, id);
		return 0;
	}
	x->st.dns_hits++;
	ev_names_release(x->names, f->ev.dns_name);
	f->ev.dns_name = id;
	return EV_CHG_DNS;
}

unsigned evidence_flow_oriented(struct evidence_ctx *x, struct flow *f, uint64_t ts_us)
{
	uint32_t id = dns_name_ref(x, flow_resp_addr(f), ts_us);
	if (id == f->ev.dns_name) {
		ev_names_release(x->names, id);
		return 0;
	}
	ev_names_release(x->names, f->ev.dns_name);
	f->ev.dns_name = id;
	return EV_CHG_DNS;
}

unsigned evidence_flow_recheck_dns(struct evidence_ctx *x, struct flow *f)
{
	if (!x || !x->share.get || f->ev.dns_name)
		return 0;
	return evidence_flow_start(x, f, f->ts_first);
}

/* A TCP packet that cannot change any fact the flow holds, so that tcp_packet() need not parse
 * it. The verdict is final (rank 6: only DNS, which is not on this path, and the same rank
 * follow), no handshake is being reassembled, the packet is too long to start a handshake
 * record's header and no STUN message can be in it. Then either
 *  - the flow is TLS with both handshake halves done and both the SNI and the ALPN from the
 *    ClientHello: no recogniser may replace them (set_host, stun_packet), or
 *  - the packet comes from the responder and is no TLS record: the text recognisers take a host
 *    from the originator only, and their verdicts cannot rank higher.
 * Only the unrecognised-packet count (EVD_MISS) is not kept for such packets; it matters while
 * the verdict is undecided only. */
static inline bool tcp_quiet(const struct flow *f, const struct decoded_pkt *p, bool orig)
{
	uint8_t st = f->ev.state;
	if (rank(f->ev.payload_proto) != 6 || (st & EVS_SLOT) || p->payload.len <= 5)
		return false;
	int hs_type;
	bool settled_tls = f->ev.payload_proto == EV_PROTO_TLS &&
			   (st & (EVS_CH_DONE | EVS_CERT_DONE | EVS_HOST | EVS_SOFTWARE)) ==
				   (EVS_CH_DONE | EVS_CERT_DONE) &&
			   f->ev.sni && f->ev.alpn;
	if (!settled_tls && (orig || ev_tls_record_start(p->payload, &hs_type)))
		return false;
	return !stun_like(p->payload);
}

/* The inspection proper, for a packet within the budget. Kept out of line so that the common
 * case, a packet past the budget, returns from evidence_inspect() without this one's frame. */
static __attribute__((noinline)) unsigned inspect_in_budget(struct evidence_ctx *x, struct flow *f,
							    unsigned dir,
							    const struct decoded_pkt *p,
							    uint64_t ts_us)
{
	struct flow_dir *d = &f->dir[dir];
	bool hit = false;
	d->inspected++;
	x->st.inspected++;
	/* key side of the sender: survives flow_swap_direction() */
	unsigned side = (dir == FLOW_ORIG) ? !f->orig_is_a : f->orig_is_a;
	unsigned chg = 0;
	bool spent = d->inspected >= x->cfg.max_pkts_per_dir;
	if (dns_port(p)) {
		chg = dns_packet(x, f, p, ts_us, &hit);
	} else if (p->proto == 6) {
		chg = tcp_packet(x, f, side, dir == FLOW_ORIG, p, ts_us, &hit);
	} else {
		chg = udp_packet(x, f, side, p, &hit);
	}

	unsigned miss = EVD_MISS(f->ev.detail);
	if (!hit && miss < 7) {
		miss++;
		f->ev.detail = (uint8_t)((f->ev.detail & ~(0x07u << 3)) | (miss << 3));
	}
	if (f->ev.payload_proto == EV_PROTO_NONE && (miss >= x->cfg.unknown_after || spent))
		chg |= set_verdict(f, EV_PROTO_UNKNOWN);
	if (spent) {
		struct slot *s = slot_of(x, f);
		if (s && s->side == side)
			slot_release(x, f);
		if (f->dir[!dir].inspected >= x->cfg.max_pkts_per_dir) {
			f->ev.state |= EVS_DONE;
			slot_release(x, f);
		}
	}
	return chg;
}

/* A packet within the budget. One that cannot change anything (tcp_quiet) only uses up budget,
 * as inspect_in_budget() would: the miss count does not matter once the verdict is final, and
 * without a slot the slot releases there are no-ops. Out of line, so that the packets past the
 * budget pass evidence_inspect() without a frame. */
static __attribute__((noinline)) unsigned inspect_entry(struct evidence_ctx *x, struct flow *f,
							 unsigned dir, const struct decoded_pkt *p,
							 uint64_t ts_us)
{
	if (p->proto != 6 || p->sport == 53 || p->dport == 53 || !tcp_quiet(f, p, dir == FLOW_ORIG))
		return inspect_in_budget(x, f, dir, p, ts_us);
	struct flow_dir *d = &f->dir[dir];
	d->inspected++;
	x->st.inspected++;
	if (d->inspected >= x->cfg.max_pkts_per_dir &&
	    f->dir[!dir].inspected >= x->cfg.max_pkts_per_dir)
		f->ev.state |= EVS_DONE;
	return 0;
}

/* Past the budget: nothing is read, except DNS answers feeding the cache. Out of line, like
 * inspect_in_budget(), so that evidence_inspect() needs no frame of its own. */
static __attribute__((noinline)) unsigned dns_beyond_budget(struct evidence_ctx *x, struct flow *f,
							     const struct decoded_pkt *p,
							     uint64_t ts_us)
{
	bool hit = false;
	return dns_packet(x, f, p, ts_us, &hit);
}

unsigned evidence_inspect(struct evidence_ctx *x, struct flow *f, unsigned dir,
			  const struct decoded_pkt *p, uint64_t ts_us)
{
	if (p->payload.len == 0 || dir > 1 || (p->proto != 6 && p->proto != 17))
		return 0;
	if (f->dir[dir].inspected < x->cfg.max_pkts_per_dir && !(f->ev.state & EVS_DONE))
		return inspect_entry(x, f, dir, p, ts_us);
	/* TCP or UDP here: dns_port() is the source port test alone */
	if (p->sport == 53 && x->cfg.dns_beyond_budget)
		return dns_beyond_budget(x, f, p, ts_us);
	x->st.skipped++;
	return 0;
}

void evidence_flow_end(struct evidence_ctx *x, struct flow *f)
{
	slot_release(x, f);
	ev_names_release(x->names, f->ev.sni);
	ev_names_release(x->names, f->ev.alpn);
	ev_names_release(x->names, f->ev.server_names);
	ev_names_release(x->names, f->ev.dns_name);
	f->ev.sni = f->ev.alpn = f->ev.server_names = f->ev.dns_name = 0;
	f->ev.state = (uint8_t)((f->ev.state & ~(EVS_SLOT | EVS_HOST | EVS_SOFTWARE)) | EVS_DONE);
}

void evidence_flow_detach(struct evidence_ctx *x, struct flow *f)
{
	slot_release(x, f);
}
