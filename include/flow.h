/* flow.h - the flow-table stage: bidirectional flows keyed by (VLAN, protocol, addresses, ports).
 *
 * State follows Zeek's conn.log (conn_state, history). Flows end on TCP close (after a short linger)
 * or idle timeout, measured in packet time, or are evicted early when the table is full; every ended
 * flow is handed to the emit callback exactly once, so nothing is ever dropped silently.
 * The per-packet path does not allocate: flows come from a pool grown in large chunks.
 */
#ifndef FLOW_H
#define FLOW_H

#include <uthash.h>

#include "ucflow.h"
#include "decode.h"

/* The canonical key: side A is the (address, port) pair that sorts lower, so both directions of a
 * conversation produce the same key. All bytes, including padding, are set (the key is hashed raw). */
struct flow_key {
	struct ucf_addr a, b;
	uint16_t port_a, port_b;
	uint16_t vlan, inner_vlan;
	uint8_t proto;
	uint8_t pad[3];
};

/* tcp_state bits. */
#define FLOW_TCP_SYN_ORIG   0x01 /* the originator sent a SYN without ACK */
#define FLOW_TCP_SYNACK     0x02 /* the responder sent a SYN+ACK */
#define FLOW_TCP_CLOSED     0x04 /* both sides closed (FIN each way) or one reset */

/* Originator (0) and responder (1). */
enum { FLOW_ORIG = 0, FLOW_RESP = 1 };

struct flow_dir {
	uint64_t ip_bytes;      /* sum of IP total length */
	uint64_t payload_bytes; /* sum of L4 payload length */
	uint32_t pkts;
	uint8_t dscp_first;
	uint8_t dscp_changed;   /* 1 when a later packet carried another DSCP value */
	uint8_t tcp_flags;      /* OR of all TCP flags sent by this side */
	uint8_t inspected;      /* payload-carrying packets inspected so far (payload stage) */
};

/* Why a flow was written. */
enum flow_end {
	FLOW_END_IDLE = 0,   /* idle timeout */
	FLOW_END_CLOSED,     /* TCP FIN/RST seen by both, plus linger */
	FLOW_END_EVICTED,    /* table full: least recently seen flow written early */
	FLOW_END_EOF,        /* end of input, or shutdown */
	FLOW_END_ACTIVE,     /* interim record of a long-lived flow (flow continues) */
};

/* Classification result, filled by the classify stage (0xffff = no rule). The flow table never
 * looks inside it. */
#define FLOW_RULE_NONE 0xffff
#define FLOW_MAX_CANDIDATES 4
struct flow_label {
	uint16_t rule;
	uint16_t cand[FLOW_MAX_CANDIDATES];
	uint8_t ncand;
	uint8_t confidence;   /* enum defined by the classify stage */
	uint8_t flags;        /* classify-stage flags (e.g. originator swapped) */
	uint8_t reason;       /* classify-stage code: why a label was removed or kept */
	uint8_t expected_dscp;  /* 0xff = none documented */
	uint8_t scope;        /* classify-stage id of the label's scope (0 = none) */
};

/* Facts extracted from payload by the evidence stage: interned-string ids (0 = none), never copies
 * of payload. The flow table never looks inside it. */
struct flow_evidence {
	uint32_t sni, alpn, server_names, dns_name;
	uint32_t rtp_ssrc;
	uint16_t rtp_seq;
	uint8_t payload_proto;
	uint8_t state;
	uint8_t detail;
};

/* Field order is about the cache. A packet's update reads and writes bytes 52 to 182 only: the hash
 * value at the end of hh (the lookup compares the key in place, not through hh.key), the key, the
 * timeout-list links, TCP state, ts_last, the counters, ts_first (active timeout) and the history.
 * Whatever the flow's alignment in the pool (240-byte stride: 0, 16, 32 or 48 bytes into a cache
 * line), that is three cache lines. What is read only when a flow starts or ends goes last. */
struct flow {
	UT_hash_handle hh;
	struct flow_key key;
	uint32_t lru_prev, lru_next; /* pool indices on the flow's timeout list (0 = none) */
	uint8_t orig_is_a : 1;      /* the originator is key side A */
	uint8_t swapped : 1;        /* the classifier named the other side as originator */
	uint8_t lru_list : 2;       /* which timeout list the flow is on */
	uint8_t tcp_state;          /* FLOW_TCP_* bits */
	uint8_t tcp_ep;             /* TCP endpoint states: originator in bits 0-2, responder 3-5 */
	uint64_t ts_last;           /* microseconds since the epoch, packet time */
	struct flow_dir dir[2];     /* [FLOW_ORIG], [FLOW_RESP] */
	uint64_t ts_first;          /* start of the record's interval (the first packet's time) */
	uint8_t hist[6];            /* history letters in first-seen order, one 4-bit code each */
	uint16_t tunnel;            /* interned tunnel description id, 0 = none */
	uint64_t uid;               /* sequence number in creation order: deterministic per input */
	uint32_t frag_pkts;         /* IP fragments attributed to this flow (first and later) */
	struct flow_evidence ev;
	struct flow_label label;
};

/* Endpoint views in originator/responder terms. */
static inline const struct ucf_addr *flow_orig_addr(const struct flow *f)
{
	return f->orig_is_a ? &f->key.a : &f->key.b;
}
static inline const struct ucf_addr *flow_resp_addr(const struct flow *f)
{
	return f->orig_is_a ? &f->key.b : &f->key.a;
}
static inline uint16_t flow_orig_port(const struct flow *f)
{
	return f->orig_is_a ? f->key.port_a : f->key.port_b;
}
static inline uint16_t flow_resp_port(const struct flow *f)
{
	return f->orig_is_a ? f->key.port_b : f->key.port_a;
}

/* Swaps originator and responder (counters, DSCP, history case), e.g. when the classifier finds
 * that the first packet seen came from the server. */
void flow_swap_direction(struct flow *f);

/* Zeek conn_state ("S0", "SF", ...) computed from the flow's state; never NULL. */
const char *flow_conn_state(const struct flow *f);
/* Zeek history string, e.g. "ShADadFf"; buf must hold at least 32 bytes. */
const char *flow_history_string(const struct flow *f, char *buf, size_t len);

struct flow_table_config {
	uint32_t max_flows;      /* 0 = unbounded */
	uint32_t idle_tcp_s;     /* default 300 */
	uint32_t idle_udp_s;     /* default 60 */
	uint32_t idle_other_s;   /* default 60 */
	uint32_t tcp_linger_s;   /* how long a closed TCP flow lingers for late packets; default 2 */
	uint32_t active_timeout_s; /* interim record after this long; 0 (the default) = never */
	uint64_t hash_seed;
	/* Flow uids are uid_first, uid_first + uid_step, ... (0 = 1 for either): tables of several
	 * capture workers (live_workers.c) take uid_first = 1..N and uid_step = N, so that uids stay
	 * unique across them. */
	uint32_t uid_first, uid_step;
};
void flow_table_config_defaults(struct flow_table_config *cfg);

/* Called once per ended flow; the flow is recycled after it returns. Must not touch the table. */
typedef void (*flow_emit_fn)(void *user, struct flow *f, enum flow_end why);

struct flow_table;

struct flow_table *flow_table_create(const struct flow_table_config *cfg, flow_emit_fn emit,
				     void *emit_user, char *errbuf);
void flow_table_destroy(struct flow_table *t);

/* Result of accounting one packet. */
struct flow_update {
	struct flow *flow;   /* NULL when the packet could not be attributed (later fragment, unknown) */
	uint8_t dir;         /* FLOW_ORIG or FLOW_RESP: who sent this packet */
	uint8_t is_new;      /* the flow was created by this packet */
	uint8_t is_fragment; /* the packet was an IP fragment */
	uint8_t after_close; /* flow NULL: a late TCP packet of a closed connection (late_after_close) */
};

/* Accounts one decoded packet at packet time ts_us. Expires idle flows first (cheap: looks only at
 * the head of each timeout list). Returns UCF_OK, or UCF_ERR_RUNTIME when memory ran out. */
int flow_table_update(struct flow_table *t, const struct decoded_pkt *p, uint64_t ts_us,
		      struct flow_update *out);

/* A packet's canonical key and its hash, worked out ahead of its update (batching). */
struct flow_lookup {
	struct flow_key key;
	uint32_t hashv;
	uint8_t src_is_a;  /* the packet's source is key side A */
	uint8_t no_key;    /* a later fragment: no ports, so no key (looked up by fragment id) */
	uint8_t pad[2];
};

/* Batched updates, to hide the cache misses of finding a packet's flow. flow_table_prepare() works
 * out the packet's key and hash and prefetches its hash bucket; flow_table_prefetch(), called a few
 * packets later (when the bucket has arrived), prefetches the flow at the head of the bucket's
 * chain; flow_table_update_prepared() then accounts the packet exactly as flow_table_update() would
 * (same flows, records, order and counters). Neither prepare nor prefetch changes the table (a key
 * does not depend on it; prefetch reads the bucket as it is at that moment and only as a hint), so
 * any number of packets may be prepared ahead; the updates must come in capture order, each with
 * the lookup prepared from the same packet. */
void flow_table_prepare(const struct flow_table *t, const struct decoded_pkt *p,
			struct flow_lookup *lk);
void flow_table_prefetch(const struct flow_table *t, const struct flow_lookup *lk);
int flow_table_update_prepared(struct flow_table *t, const struct decoded_pkt *p,
			       const struct flow_lookup *lk, uint64_t ts_us, struct flow_update *out);

/* Expires flows idle at time now_us (packet time, or wall time for a quiet live capture). */
void flow_table_expire(struct flow_table *t, uint64_t now_us);

/* Active timeout, as NetFlow/IPFIX exporters do: every flow whose current record interval began
 * more than active_us before now_us and has packets is emitted with FLOW_END_ACTIVE (an interim
 * record) and stays open; its per-direction counters (pkts, ip_bytes, payload_bytes) and frag_pkts
 * restart from zero and its next interval begins at now_us (ts_first = now_us; moved to the first
 * packet's time when one arrives). An interval without packets gets no record. The uid stays, so
 * the records of one flow sum to its totals. Visits every open flow: call it at most about once a
 * second. With cfg.active_timeout_s set, flow_table_update() makes the same cut for the flow a
 * packet belongs to (before accounting that packet, which then starts the next interval). */
void flow_table_active_timeout(struct flow_table *t, uint64_t now_us, uint64_t active_us);

/* Writes out and removes every flow (end of input). */
void flow_table_flush(struct flow_table *t, enum flow_end why);

/* Visits every open flow (e.g. to re-classify after a signature reload). */
void flow_table_foreach(struct flow_table *t, void (*fn)(void *user, struct flow *f), void *user);

struct flow_table_stats {
	uint64_t active;
	uint64_t created;
	uint64_t emitted;
	uint64_t evicted;
	uint64_t frags_attributed;
	uint64_t frags_unattributed;
	uint64_t interim;        /* interim (FLOW_END_ACTIVE) records; not counted in emitted */
	/* TCP packets without SYN (FIN, RST, or an ACK without payload) that came after their
	 * connection was closed and written: counted here rather than made into a new, reversed flow */
	uint64_t late_after_close;
};
void flow_table_get_stats(const struct flow_table *t, struct flow_table_stats *st);

/* Bytes of memory used per flow, all-in (flow struct, hash overhead, pool), for the benchmark. */
size_t flow_table_bytes_per_flow(void);
/* Bytes the table holds now: flows ever used (pool high-water mark), hash buckets, the table. */
size_t flow_table_memory(const struct flow_table *t);

#endif
