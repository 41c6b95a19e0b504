/* report_internal.h - the audit report's private model, shared by its parser, aggregator and renderers. */
#ifndef REPORT_INTERNAL_H
#define REPORT_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A 64-bit hash of a short string (endpoints, rules, ports): the summaries' map and HyperLogLog
 * use it, and so do the report's uthash tables (keys hashed 8 bytes at a time: uthash's Jenkins
 * hash of every record's rule, port, candidates and group keys was a tenth of --from-json). */
uint64_t report_key_hash(const char *key, size_t len);
#define HASH_FUNCTION(keyptr, keylen, hashv) \
	((hashv) = (unsigned)report_key_hash((const char *)(keyptr), (size_t)(keylen)))
/* Equal keys of n bytes. Why not memcmp: the tables compare a key only once hash and length
 * matched, so it is nearly always equal and short (an address, a port, a candidate): two or
 * four overlapping word loads, inline, rather than a call that sizes the compare first. */
static inline bool report_key_eq(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	uint64_t d = 0, u, v;
	if (n >= 8 && n <= 32) {
		for (size_t i = 0; i + 8 < n; i += 8) {
			memcpy(&u, x + i, 8);
			memcpy(&v, y + i, 8);
			d |= u ^ v;
		}
		memcpy(&u, x + n - 8, 8);
		memcpy(&v, y + n - 8, 8);
		return !(d | (u ^ v));
	}
	return memcmp(x, y, n) == 0;
}
#define HASH_KEYCMP(a, b, n) (!report_key_eq((a), (b), (n)))
#include <uthash.h>

#include "report.h"
#include "output.h"

/* ---- report_json.c: a strict parser for flat JSON objects (one flow record per line) ---- */

enum rj_type { RJ_NULL, RJ_FALSE, RJ_TRUE, RJ_NUMBER, RJ_STRING, RJ_ARRAY };

struct rj_value {
	const char *key;    /* decoded, NUL-terminated */
	enum rj_type type;
	const char *s;      /* RJ_STRING: decoded UTF-8; RJ_NUMBER: the number as written */
	size_t len;         /* bytes of s */
	const char **items; /* RJ_ARRAY: decoded strings (arrays hold strings only) */
	size_t nitems;
};

#define RJ_MAX_FIELDS 128
#define RJ_MAX_ITEMS 256      /* array items per object, all arrays together */
#define RJ_MAX_LINE (1u << 20)

struct rj_doc {
	struct rj_value v[RJ_MAX_FIELDS];
	size_t n;
	const char *items[RJ_MAX_ITEMS];
	size_t nitems;
	char *arena; /* decoded keys and strings */
	size_t cap;
};

void rj_init(struct rj_doc *d);
void rj_free(struct rj_doc *d);
/* Parses one object; 0, or -1 with err = "column N: message". Keys must be unique; only
 * whitespace may follow the object. Strings must be valid UTF-8 without NUL (\u0000). */
int rj_parse(struct rj_doc *d, const char *s, size_t len, char *err, size_t errlen);
const struct rj_value *rj_get(const struct rj_doc *d, const char *key);
/* A non-negative integer number (no fraction, no exponent) up to max. 0 or -1. */
int rj_uint(const struct rj_value *v, uint64_t max, uint64_t *out);
/* A non-negative number in seconds, as exact microseconds (digits past 1 us are cut). 0 or -1. */
int rj_seconds_us(const struct rj_value *v, uint64_t *out);

/* ---- report.c: the aggregated model ---- */

struct rsvc_rules;
struct rfw;
/* A finding as lines: one summary, then per group a heading and its details and sources. */
enum rline {
	RL_SUMMARY,  /* the finding's one-paragraph summary */
	RL_FSOURCE,  /* the document passage the whole finding rests on */
	RL_NOTE,     /* a paragraph between groups */
	RL_GROUP,    /* a group's heading (flows sharing a service or port) */
	RL_GROUP_OK, /* a group's heading when it passed the check (DSCP) */
	RL_DETAIL,   /* a line about the group */
	RL_SOURCE,   /* the group's cited rule, document and table */
};
typedef void (*rline_fn)(void *user, enum rline kind, const char *text);
/* printf into one line of kind k for fn (at most 2047 bytes; longer text is cut). */
void report_linef(rline_fn fn, void *u, enum rline k, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Appends s (l bytes) to b (holding n bytes of cap), cut to fit as snprintf would; the new length.
 * The per-record keys and texts are built with this rather than printf (a third of the
 * aggregation's time), from the lengths the reader found (no strlen). */
static inline size_t report_putn(char *b, size_t n, size_t cap, const char *s, size_t l)
{
	if (n + l >= cap)
		l = n + 1 < cap ? cap - 1 - n : 0;
	memcpy(b + n, s, l);
	n += l;
	b[n] = '\0';
	return n;
}

/* Counter keyed by a string (endpoints, ports, observed values). */
struct rcount {
	UT_hash_handle hh;
	uint64_t flows, bytes;
	uint64_t err;   /* in a struct rtopk: flows may overestimate by up to this (0: exact) */
	uint64_t hash;  /* from a struct rtopk (report_topk_sorted): report_key_hash of the key */
	uint32_t klen;  /* from a struct rtopk: strlen(key) */
	char key[];
};

/* report_topk.c: a bounded heavy-hitter summary (Filtered Space-Saving) of k counters keyed by
 * endpoint. Exact while fewer than k distinct keys were added; then each kept count overestimates
 * by at most its err, and a key not kept had at most `floor` flows. Bytes of a counter taken over
 * count from the takeover: a lower bound. */
#define REPORT_TOPK_K 256
#define REPORT_TOPK_MAX_K 32767 /* ids, links and table words are 16 bits */
#define RTOPK_INLINE 24           /* key bytes (NUL included) held in the counter itself */
struct rtopk_count {
	uint64_t flows, bytes, err;
	char *key;            /* kin, or an allocation of its own for a longer key */
	uint16_t klen;        /* strlen(key) */
	uint16_t bucket;      /* stream summary: the bucket of its flow count ... */
	uint16_t next, prev;  /* ... and its neighbours there */
	char kin[RTOPK_INLINE];
};
struct rtopk_bucket {
	uint64_t flows;       /* the count of every counter in it */
	uint16_t head, tail;  /* its counters, oldest first */
	uint16_t next, prev;  /* buckets in increasing count */
};
struct rtopk {
	struct rtopk_count *ent;  /* the counters ent[0..n) (ids): iterate these */
	struct rtopk_bucket *bk;  /* cap + 1 buckets; the list runs from bmin (the smallest count) */
	uint16_t *slot;           /* id -> its word in tab */
	uint32_t *tab;            /* open addressing: hash's top 16 bits << 16 | (id + 1), 0 empty */
	uint32_t tmask;
	uint32_t n, cap, k;
	uint16_t bmin, bmax, bfree; /* bfree: buckets freed, taken before ... */
	uint16_t bnew;              /* ... bk[bnew..cap], never used yet */
	uint64_t floor;       /* upper bound of the flows of any key not kept */
	uint64_t evicted;     /* counters taken over or new keys refused (0: every count is exact) */
	uint8_t *hll;         /* HyperLogLog registers: the distinct keys, estimated */
	uint64_t *alpha;      /* once full: per hash of a key not kept, a bound of its flows */
	uint32_t amask;       /* alpha has amask + 1 entries */
};
void report_topk_init(struct rtopk *t, uint32_t k);
void report_topk_free(struct rtopk *t);
void report_topk_add(struct rtopk *t, const char *key, uint64_t n, uint64_t bytes, bool *oom);
/* The same with the key's length and report_key_hash, computed once for the several summaries a
 * record's endpoint goes to. */
void report_topk_addh(struct rtopk *t, const char *key, size_t len, uint64_t hash, uint64_t n,
		      uint64_t bytes, bool *oom);
const struct rtopk_count *report_topk_find(const struct rtopk *t, const char *key); /* NULL: not kept */
/* Counters are ids 0..n-1 (t->ent[id]), stable until the counter is taken over by another key.
 * _add_id returns the key's id (UINT32_MAX: not kept) and sets *fresh when the counter is new to
 * the key (a new counter or one taken over): per-counter data kept beside the summary (by id)
 * then starts over. */
uint32_t report_topk_add_id(struct rtopk *t, const char *key, size_t len, uint64_t hash, uint64_t n,
			    uint64_t bytes, bool *fresh, bool *oom);
uint32_t report_topk_find_id(const struct rtopk *t, const char *key); /* UINT32_MAX: not kept */
/* As report_sorted_counts: copies of the counters, in one block (free the array only). */
struct rcount **report_topk_sorted(const struct rtopk *t, size_t *n);
/* Merges src into dst (dst keeps its k): summed counts, bounds added. 0, or -1 out of memory. */
int report_topk_merge(struct rtopk *dst, const struct rtopk *src);
uint64_t report_topk_floor(const struct rtopk *t);
size_t report_topk_size(const struct rtopk *t);
bool report_topk_exact(const struct rtopk *t);
/* Distinct keys: exact while no counter was taken over, else a HyperLogLog estimate. */
double report_topk_distinct(const struct rtopk *t);
void report_topk_fmt_distinct(const struct rtopk *t, char *buf, size_t len); /* "12", "≈ 6100" */

/* Confidence names in display order; the last slot counts names not in the list. */
enum { RC_PAYLOAD, RC_DNS, RC_SUBNET_PORT, RC_SUBNET, RC_SITE_PORT, RC_ROLE_PORT, RC_PORT, RC_NONE,
       RC_OTHER,
       RC_N };
extern const char *const report_conf_names[RC_N];

/* One product/service, or the unclassified group (app ""). */
struct rprod;
struct rsvc {
	UT_hash_handle hh;
	char *key;             /* "app\tservice" (the hash key) */
	size_t klen;           /* strlen(key); add_record's */
	struct rprod *prod;    /* its product (app), once add_record looked it up; NULL before */
	char *names;           /* "app\0service": app and service point here */
	const char *app, *service;
	char *category;        /* smallest category name seen */
	uint64_t flows, pkts[2], ip[2], pay[2];
	uint64_t conf[RC_N];
	struct rtopk clients, servers;
	struct rcount *ports;
};

#define REPORT_SERIES_BINS 512
struct rprod {
	UT_hash_handle hh;
	char *app;             /* "" = unclassified */
	uint64_t flows, pkts, ip[2];
	uint64_t conf[RC_N];
	struct rtopk clients, servers;
	double bins[REPORT_SERIES_BINS]; /* IP bytes per time bin (both directions) */
};

/* One record, validated; strings point into the parser's arena. */
struct rec {
	uint64_t ts, dur;
	const char *orig_h, *resp_h, *proto, *app, *svc, *cat, *conf, *rule, *end;
	const char *reason, *conn_state; /* "" when the record has none */
	const char *evidence;            /* the record's evidence tokens, "" when none */
	const char *cid;                 /* community_id, "" when the record has none */
	const char *scope;               /* app_scope, "" when the record has none (report_scope.c) */
	uint64_t orig_p, resp_p, ob, rb, op, rp, oip, rip, frag;
	int orig_dscp, resp_dscp, exp_dscp; /* -1 null */
	int changed, enc;                   /* enc -1 null */
	uint64_t final;                     /* 1: the flow's last record; 0: interim (end "interim") */
	const char *const *cand;
	size_t ncand;
	/* lengths of the strings, set by the reader (strlen; the scanner knows them without one) */
	size_t orig_len, resp_len;
	uint32_t app_len, svc_len, proto_len, rule_len, reason_len;
	uint64_t reason_hash; /* add_record: report_key_hash of reason, for an unlabelled record */
	const uint32_t *cand_len; /* of cand[i]; NULL: add_record measures them */
	/* set by the aggregator (report.c add_record), once per record: report_key_hash of the
	 * endpoints and candidates, and the server endpoint "resp_h:resp_p" ("[v6]:port") */
	const uint64_t *cand_hash;
	size_t ep_len;
	uint64_t orig_hash, resp_hash, ep_hash;
	char ep[UCF_ADDR_STRLEN + 16]; /* last: the readers zero the record up to here */
};

/* report_scan.c: the fast path for plain records (printable ASCII strings, no escapes, numbers
 * without exponents), only the fields the report reads. 1: x filled, strings in b; 0: the line is
 * not such a valid record, and the strict parser (rj_parse + extract) decides and names the error. */
enum rscan_key {
	RS_TS, RS_ORIG_H, RS_ORIG_P, RS_RESP_H, RS_RESP_P, RS_PROTO, RS_DURATION, RS_ORIG_BYTES,
	RS_RESP_BYTES, RS_ORIG_PKTS, RS_ORIG_IP, RS_RESP_PKTS, RS_RESP_IP, RS_CONF,
	RS_APP, RS_SVC, RS_CAT, RS_RULE, RS_ORIG_DSCP, RS_RESP_DSCP, RS_DSCP_CHANGED, RS_FRAG,
	RS_END, RS_CAND, RS_ENC, RS_EXP_DSCP, RS_REASON, RS_CONN_STATE, RS_EVIDENCE, RS_CID,
	RS_SCOPE,
	REPORT_SCAN_NKEYS
};
#define REPORT_SCAN_REQUIRED ((1u << RS_APP) - 1)
extern const char *const report_scan_keys[REPORT_SCAN_NKEYS];
struct report_scan_buf {
	char arena[65536];
	const char *cand[64];
	uint32_t cand_len[64];
};
int report_scan(const char *line, size_t len, struct rec *x, struct report_scan_buf *b);
/* The same on a line it may write: x's strings end in the line itself (their closing quotes
 * become NULs) instead of copies in b; on 0 the line is as it was. */
int report_scan_w(char *line, size_t len, struct rec *x, struct report_scan_buf *b);
/* report_add_json on a line it may write (report_scan_w); --from-json's reader. */
int report_add_json_w(struct report *r, char *line, size_t len, const char *source,
		      uint64_t lineno);

/* A finding's group: flows sharing a service, a port, ... */
#define REPORT_EXAMPLES 3
struct rgroup {
	UT_hash_handle hh;
	char *key;
	char *rule;            /* smallest rule "file:line" seen, for the citation ("" none) */
	char *extra_key;       /* finding-specific text (e.g. the encrypted variant's rule) */
	uint64_t flows, pkts, bytes, n1, n2;
	struct rtopk servers, clients;
	struct rcount *vals, *vals2;
	char *examples[REPORT_EXAMPLES]; /* the first flows: "a:p -> b:q proto community_id" */
	size_t nexamples;
};

enum rfind { RF_CLEAR, RF_CLEAR_INFO, RF_DSCP, RF_MEDIA_TCP, RF_SUBNET, RF_UNCLASS, RF_FRAG,
	     RF_FIREWALL, RF_N };

struct rfinding {
	struct rgroup *groups;
	uint64_t flows, pkts, bytes, n1;
	struct rcount *reasons; /* candidate findings: flows by the record's reason */
};

/* The order findings are shown in (letters a, b, ...); RF_CLEAR_INFO is part of a. */
extern const enum rfind report_finding_order[];
extern const size_t report_nfindings;

/* An input named in the summary; reason NULL when it was read. */
struct rinput {
	char *kind, *name, *reason;
};

#define REPORT_MAX_MALFORMED_LISTED 20

struct rrule_ref {
	UT_hash_handle hh;
	uint32_t idx;
	char key[];            /* "file:line" or "app/service" */
};

struct report {
	const struct sig_db *db;
	const struct out_names *names;
	struct out_names names_copy;
	size_t nrules;
	size_t ntable_rules; /* rows 0..ntable_rules-1 are rules; the rest are domain rows */
	struct rcount *rule_refs;            /* "file:line" named by records' rule */
	struct rrule_ref *by_ref;            /* "file:line" -> rule */
	struct rcount *cand_svcs;            /* "app/service" named in candidates */
	int32_t *enc_variant;                /* cleartext rule -> its encrypted sibling, -1 none */
	uint64_t *svc_dscp_mask;             /* per rule: documented DSCP values of its service */
	uint8_t media_ports[65536 / 8];      /* Webex Calling's documented UDP media server ports */
	uint8_t *rule_flags;                 /* per rule: RFL_* (report_sig.c) */
	const char *webex_doc;               /* doc file of the Webex Calling rules */
	struct rinput *inputs;
	size_t ninputs;
	struct rcount *reasons;              /* unlabelled flows by reason ("" not recorded) */
	struct rfinding cand[RF_N];          /* flows a finding would hold if candidates were right */
	struct rsvc_rules *svc_rules;        /* "app/service" -> its rules (report_cand.c) */
	struct rcand_hit *cand_cache;        /* (candidate, proto, port) -> its row (report_cand.c) */
	struct rfw *fw;                      /* unanswered attempts (report_firewall.c) */
	struct rserver *servers;             /* servers behind role labels (report_servers.c) */
	struct rscopes *scopes;              /* Webex labels by app_scope (report_scope.c) */
	uint64_t failed_inputs;
	uint64_t malformed;
	char *malformed_list[REPORT_MAX_MALFORMED_LISTED];
	size_t nmalformed_listed;
	uint64_t records, interim, unknown_rule; /* records = all accepted, interim included */
	uint64_t flows, pkts, pkts_resp, ip[2], pay[2];
	uint64_t ts_min, ts_max;             /* microseconds; ts_min UINT64_MAX when none */
	struct report_run_counters run;      /* refreshed from counters_fn at each write */
	bool have_run;
	void (*counters_fn)(void *user, struct report_run_counters *c);
	void *counters_user;
	struct rsvc *svcs;
	struct rprod *prods;
	struct rsvc *last_svc;               /* add_record: the previous record's service ... */
	struct rcount *last_reason;          /* ... and unlabelled reason (entries of svcs, reasons) */
	struct rfinding find[RF_N];
	uint64_t bin_origin, bin_width;      /* microseconds; width 0 until the first record */
	struct rj_doc doc;
	struct report_scan_buf scan;
	uint64_t cand_hash[RJ_MAX_ITEMS];    /* add_record: the record's candidates' hashes ... */
	uint32_t cand_len[RJ_MAX_ITEMS];     /* ... and lengths when its reader gave none */
	uint64_t live_lineno;
	const char *out_path;                /* live: the report file, rewritten by report_on_tick */
	uint64_t interval_s, last_write_s;
	bool tick_started;
	int write_error;
	char write_errbuf[UCF_ERRBUF_SIZE];
};

/* report.c: counts a flow in a finding group (totals, endpoints, the rule to cite). */
struct rgroup *report_group_add(struct rfinding *f, const char *key, const struct rec *x,
				bool *oom);
struct rcount *report_count_add(struct rcount **map, const char *key, uint64_t n, uint64_t bytes,
				bool *oom);
/* The same with the key's length and report_key_hash (known, or shared by several tables). */
struct rcount *report_count_addh(struct rcount **map, const char *key, size_t len, uint64_t hash,
				 uint64_t n, uint64_t bytes, bool *oom);
/* report_group_add with the key's length and report_key_hash. */
struct rgroup *report_group_addh(struct rfinding *f, const char *key, size_t len, uint64_t hash,
				 const struct rec *x, bool *oom);
void report_count_free(struct rcount **map);

/* report.c: the unlabelled product's endpoint summaries from its one service's (before a write). */
int report_fill_products(struct report *r);
/* report.c: keeps the time bins covering [lo, hi] with a width of at least min_width (merges). */
void report_series_fit(struct report *r, uint64_t lo, uint64_t hi, uint64_t min_width);
/* report_merge.c: adds partial report src (read from later files) into dst. -1 out of memory. */
int report_merge(struct report *dst, const struct report *src);
/* Reads files into r: one file directly; several in parallel threads (min(files, online CPUs),
 * or $UCFLOW_REPORT_THREADS), a partial report each, merged in the files' order. */
int report_read_files(struct report *r, const char *const *files, size_t nfiles, char *errbuf);
/* report_firewall.c: the same for the unanswered-attempts finding. */
int report_fw_merge(struct report *dst, const struct report *src);

/* report_cand.c: unlabelled flows measured against their candidate rows. */
int report_cand_index(struct report *r);   /* at report_index_rules; -1 no memory */
void report_cand_unindex(struct report *r);
void report_cand_add(struct report *r, const struct rec *x, bool *oom);
/* The rule record x's candidate i names for its flow (proto, server port), -1 none. */
int32_t report_cand_rule(struct report *r, const struct rec *x, size_t i);
void report_cand_cache_clear(struct report *r); /* at report_cand_unindex */

/* report_firewall.c: connection attempts that never completed, kept apart from port scans. */
void report_fw_add(struct report *r, const struct rec *x, int32_t idx, bool *oom);
void report_fw_free(struct report *r);
void report_fw_lines(const struct report *r, bool candidates, rline_fn fn, void *u);
/* Unanswered attempts on rows of labelled flows and on candidate rows, port scans left out. */
void report_fw_counts(const struct report *r, uint64_t *labelled, uint64_t *cand);

/* report_servers.c: the Servers table, from the records' role evidence tokens (bounded: Space-Saving
 * summaries of 256 servers and 256 product clients). */
struct rserver;
void report_servers_add(struct report *r, const struct rec *x, bool *oom);
void report_servers_free(struct report *r);
int report_servers_merge(struct report *dst, const struct report *src); /* -1 out of memory */
/* The servers (server evidence: named server=, or answered serves= ports), the 50 largest by
 * flows and a row for the rest; NULL when none. */
struct rtab *report_tab_servers(const struct report *r);
/* Hosts with a client role only (no server evidence), per role; NULL when none. */
struct rtab *report_tab_server_clients(const struct report *r);

/* report_scope.c: the Webex scope table, from the records' app_scope: Webex Calling, the shared
 * Webex platform, Calling's allow-list only, other values, and Webex labels without a scope. */
struct rscopes;
void report_scope_add(struct report *r, const struct rec *x, bool *oom);
void report_scope_free(struct report *r);
int report_scope_merge(struct report *dst, const struct report *src); /* -1 out of memory */
uint64_t report_scope_flows(const struct report *r, const char *scope); /* "" = not recorded */
/* Flows labelled app webex-calling whose app_scope is not calling (not recorded, or another). */
uint64_t report_scope_calling_app_other(const struct report *r);
struct rtab *report_tab_scope(const struct report *r); /* NULL when no Webex or scoped record */
void report_scope_lines(const struct report *r, rline_fn fn, void *u);   /* under the table */
void report_scope_summary(const struct report *r, rline_fn fn, void *u); /* the summary's line */

/* Sorted views for the renderers (arrays the caller frees). */
struct rsvc **report_sorted_svcs(const struct report *r, size_t *n);   /* by app, then bytes */
struct rprod **report_sorted_prods(const struct report *r, size_t *n); /* by bytes */
struct rgroup **report_sorted_groups(const struct rfinding *f, size_t *n); /* by flows, bytes */
struct rgroup **report_sorted_groups_by_bytes(const struct rfinding *f, size_t *n);
struct rcount **report_sorted_counts(struct rcount *map, size_t *n);  /* by flows, bytes, key */
void report_sort_counts(struct rcount **v, size_t n);                  /* the same order */
size_t report_count_size(struct rcount *map);
/* Citation of a rule "file:line": fills doc/table/label; false when not in the loaded tables. */
struct rcite {
	const char *file, *doc, *doc_title, *table, *label, *app, *service, *proto, *server_port,
		*category;
	unsigned line;
	int encrypted;
	bool interpretation;  /* basis=interpretation: ucflow's reading beyond the document */
	const char *standard; /* what the interpretation follows ("" when not said) */
};
bool report_cite(const struct report *r, const char *rule, struct rcite *c);
/* " [ucflow's interpretation ...]" for a basis=interpretation row, else "" (buf holds it). */
const char *report_basis_note(const struct rcite *c, char *buf, size_t len);
bool report_cite_idx(const struct report *r, size_t idx, struct rcite *c);
/* report_sig.c: the signature tables, through classify.h's public API. */
#define WEBEX_APP "webex-calling"
/* The shared Webex platform (webex-calling.sig: names and subnets Calling shares with Meetings and
 * Messaging). Its flows are not Webex Calling's, but the Webex findings (media over TCP, vendor
 * subnets) concern them too. */
#define WEBEX_PLATFORM_APP "webex"
bool report_webex_family(const char *app);
/* rule_flags bits: a subnet-only row (documented server subnet, no port: finding d), a row of the
 * Webex family. */
enum { RFL_SUBNET_ONLY = 1, RFL_WEBEX = 2 };
uint8_t report_rule_flags(const struct report *r, int32_t idx); /* 0 for -1 / unknown */
int report_index_rules(struct report *r);              /* (re)builds the caches; -1 no memory */
void report_unindex_rules(struct report *r);
const char *report_rule_ref(const struct report *r, size_t idx, char *buf, size_t len);
bool report_rule_seen(const struct report *r, size_t idx);
const char *report_app_name(const struct report *r, const char *app); /* display name */
const char *report_fmt_doc(const struct report *r, const char *doc, const char *title, char *buf,
			   size_t len);
int32_t report_rule_find(const struct report *r, const char *ref); /* "file:line" -> index */
int32_t report_rule_findh(const struct report *r, const char *ref, size_t len, uint64_t hash);
/* The documented encrypted variant of a cleartext rule (same app and category, closest service
 * name), -1 when the document gives none. */
int32_t report_enc_variant(struct report *r, size_t idx);
/* DSCP values documented for the service of rule idx (bit n = DSCP n). */
uint64_t report_dscp_mask(struct report *r, size_t idx);
bool report_port_marked(const uint8_t *bits, uint64_t port);

/* Human-readable names. */
const char *report_finding_title(enum rfind f);
uint64_t report_cand_flows(const struct report *r, enum rfind k);
uint64_t report_finding_flows(const struct report *r, enum rfind k);
void report_fmt_finding_count(const struct report *r, enum rfind k, char *buf, size_t len);
/* report_summary.c: the opening summary in plain words, and the report's one-line verdict. */
void report_summary_lines(const struct report *r, rline_fn fn, void *u);
void report_verdict(const struct report *r, char *buf, size_t len);
const char *report_reason_text(const char *reason); /* "" when not known here */
void report_fmt_bytes(uint64_t b, char *buf, size_t len);   /* "1.23 MB" */
void report_fmt_time(uint64_t us, char *buf, size_t len);   /* "2025-04-01 09:00:00 UTC" */
void report_fmt_span(uint64_t us, char *buf, size_t len);   /* "1 h 02 min 03 s" */

/* "tcp/80, tcp/8500-8502, udp/5004, +3 more" from a "proto/port" counter map. */
void report_fmt_ports(struct rcount *ports, size_t max_items, char *buf, size_t len);
bool report_ports_hold(const char *spec, unsigned long port); /* "80,8000-8099" holds port */
void report_fmt_percent(uint64_t part, uint64_t whole, char *buf, size_t len); /* "12.5 %" */

/* ---- report_table.c: the content, once for both formats ---- */
enum rtab_kind { RT_BODY, RT_GROUP, RT_TOTAL };
#define RTAB_MAX_COLS 12
struct rtab {
	size_t ncol, nrow, cap;
	const char *head[RTAB_MAX_COLS];
	uint32_t right;   /* bit c: column c is numeric, right-aligned */
	char **cells;     /* nrow * ncol */
	uint8_t *kind;    /* enum rtab_kind per row */
};
struct rtab *rtab_new(size_t ncol, uint32_t right, const char *const *head);
void rtab_row(struct rtab *t, enum rtab_kind kind, const char *const *cells);
const char *rtab_cell(const struct rtab *t, size_t row, size_t col);
void rtab_free(struct rtab *t);
struct rtab *report_tab_overview(const struct report *r);
struct rtab *report_tab_services(const struct report *r);
struct rtab *report_tab_confidence(const struct report *r);
struct rtab *report_tab_unclassified(const struct report *r, bool by_bytes);
struct rtab *report_tab_appendix(const struct report *r);
struct rtab *report_tab_documents(const struct report *r); /* every doc statement loaded */
size_t report_unmatched_rules(const struct report *r);

void report_finding_lines(const struct report *r, enum rfind k, rline_fn fn, void *user);

/* ---- text output helper (report_text.c and report_html.c write through it) ---- */
struct rout {
	FILE *fp;
	int error;
};
void rout_printf(struct rout *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rout_puts(struct rout *o, const char *s);
void rout_html(struct rout *o, const char *s); /* escaped for HTML text and attributes */

int report_render_text(const struct report *r, struct rout *o);
int report_render_html(const struct report *r, struct rout *o);
int report_render_md(const struct report *r, struct rout *o);
/* report_axis.c: time-axis ticks on [t0, t1] (microseconds): the unit from the span (ms,
 * seconds, minutes, hours, days, weeks, months, years), as many ticks as labels of char_px per
 * character fit in width_px, never more than max (at most RAXIS_MAX_TICKS); dates carry the year.
 * unit names the unit chosen ("hours"). */
#define RAXIS_MAX_TICKS 16
struct raxis_tick {
	uint64_t us;
	char label[64];
};
size_t report_axis_ticks(uint64_t t0, uint64_t t1, double width_px, double char_px,
			 struct raxis_tick *out, size_t max, const char **unit);

/* report_svg.c: the three charts, as inline <svg> elements. */
void report_svg_bytes(const struct report *r, struct rout *o);
void report_svg_timeline(const struct report *r, struct rout *o);
void report_svg_confidence(const struct report *r, struct rout *o);

#endif
