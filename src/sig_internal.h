/* sig_internal.h - private representation of loaded signature tables, shared by the parser, the
 * compiler (sig_db.c), the classifier and the unit tests. Not part of the public interface. */
#ifndef SIG_INTERNAL_H
#define SIG_INTERNAL_H

#include <stdarg.h>
#include <uthash.h>

#include "classify.h"
#include "classify_cidr.h"

/* Rule indices are uint16_t: 0 .. SIG_MAX_RULES-1 name rules, CLASSIFY_RULE_DOMAIN_BASE + d names
 * domain row d (a label from a domain match), 0xffff = FLOW_RULE_NONE. */
#define SIG_MAX_RULES ((unsigned)CLASSIFY_RULE_DOMAIN_BASE)
#define SIG_MAX_DOMAINS (0xffffu - (unsigned)CLASSIFY_RULE_DOMAIN_BASE)
#define SIG_MAX_INCLUDE_DEPTH 8
#define SIG_MAX_DSCP 8
#define SIG_PROTO_TCP 1
#define SIG_PROTO_UDP 2

/* ---- memory: one arena per database; everything parsed lives there until sig_db_free ---- */
struct sig_arena_chunk;
struct sig_arena {
	struct sig_arena_chunk *head;
};
void *sig_alloc(struct sig_arena *ar, size_t n);      /* zeroed; NULL when out of memory */
char *sig_strdup(struct sig_arena *ar, const char *s);
void sig_arena_free(struct sig_arena *ar);

/* Interned strings: equal text gives the same pointer, so services compare by pointer. */
struct sig_str {
	UT_hash_handle hh;
	char *s;
};

/* Growable array of fixed-size elements (realloc'd; freed by sig_db_free). */
struct sig_vec {
	void *v;
	size_t n, cap, size;
};
void *sig_vec_push(struct sig_vec *vec); /* zeroed new element, NULL when out of memory */
#define SIG_VEC_AT(vec, type, i) (&((type *)(vec)->v)[i])

/* ---- parsed values ---- */
struct sig_loc {
	const char *file; /* display name (relative to the signature directory when inside it) */
	unsigned line, col;
};

struct sig_prefix {
	struct ucf_addr a; /* host bits clear */
	uint8_t len;       /* 0..128 in the IPv4-mapped space */
};

struct sig_range {
	uint16_t lo, hi;
};

/* An address list: `any`, or documented prefixes plus possibly @internal (resolved only after
 * the site file, so `internal` statements reach every rule). */
struct sig_aspec {
	bool any;
	bool internal;
	struct sig_prefix *pfx;
	uint32_t npfx;
	const char *text; /* as written; NULL when defaulted */
};

/* A port list, ranges sorted and merged; any = no constraint. */
struct sig_pspec {
	bool any;
	struct sig_range *r;
	uint32_t nr;
	const char *text;
};

struct sig_set {
	UT_hash_handle hh;
	const char *name;
	bool is_port;
	struct sig_aspec addrs;
	struct sig_pspec ports;
	struct sig_loc loc;
	uint16_t file;
};

struct sig_app {
	const char *id, *name;
	bool onprem;
	const char *scope; /* scope= (interned): default of the app's rules and domain rows, or NULL */
	int platform;      /* platform=APP: the shared platform this app is part of (its index), or
			      -1: a name of the platform names this app's rows too, and a label of
			      this app stays when the flow's name is the platform's */
	struct sig_loc loc;
	unsigned nrules, nqos, ndomain;
};

struct sig_file {
	const char *path; /* as opened */
	const char *name; /* display name */
	bool site;
	unsigned nrules, nqos, ndomain, naddrset, nportset, nnote;
};

/* A document as its doc statement describes it (for citations). */
struct sig_doc {
	const char *file, *title, *vendor, *edition, *revised, *original; /* NULL: not given */
};

struct sig_src { /* where a row comes from */
	const char *doc, *doc_title, *table;
	struct sig_loc loc;
	uint16_t file;
};

struct sig_rule {
	uint16_t app;
	uint8_t category;
	uint8_t proto; /* SIG_PROTO_* bits */
	int8_t encrypted;
	uint8_t ndscp;
	uint8_t dscp[SIG_MAX_DSCP];
	const char *service; /* interned */
	const char *label;
	struct sig_aspec server, client;
	struct sig_pspec sport, cport;
	bool server_default; /* server= omitted (onprem default @internal, else any) */
	bool needs_payload;  /* needs=payload: labels only when the payload confirms it */
	bool needs_corrob;   /* needs=corroboration: the port alone (or a generic protocol on it) never
				labels; a site-declared server, a name of the app or a server role does */
	bool needs_name;     /* needs=name: labels only when a name the flow carries matches a domain
				row of the app with the rule's service */
	bool interpretation; /* basis=interpretation: ucflow's reading beyond the document's text */
	const char *standard; /* standard="...": what the interpretation follows (RFC ...), or NULL */
	const char *basis;   /* "interpretation" or "interpretation: STANDARD" (records' rule_basis),
				NULL for a document row */
	const char *scope;   /* scope= (interned; the app's by default), or NULL */
	uint8_t scope_id;    /* compiled: index + 1 in sig_db.scopes, 0 = none */
	uint16_t payload;    /* payload=: bit p set for each enum evidence_proto p the row carries */
	bool product_client; /* product_side=client: the product's server is the flow's client */
	struct sig_src src;
	/* compiled */
	struct cidr *srv_doc; /* documented server prefixes (value = prefix length), NULL = none */
	struct cidr *cli_doc; /* documented client prefixes, NULL = none */
	uint32_t qos_off, nqos; /* into sig_db.rule_qos */
	uint64_t roles;         /* role statements (bit k = db->roles[k]) whose servers stand in for
				 * the rule's server (or, product_side=client, its client); sig_role.c */
	uint32_t uses;          /* uses= peer items naming this rule's service (bit i = role_peers[i]) */
	bool client_role_doc;   /* product_side=client with roles, server a documented address list */
};

struct sig_qos {
	uint16_t app;
	uint8_t proto;
	uint8_t dscp;
	const char *service;
	const char *label;
	struct sig_aspec server;
	struct sig_pspec sport, cport;
	struct sig_src src;
	struct cidr *srv; /* compiled server set (documented + internal), NULL = any */
};

struct sig_domain {
	uint16_t app;
	bool dependency;
	bool allow_list;    /* kind=allow-list: a name listed for a firewall allow-list only */
	const char *scope;  /* scope= (interned; the app's by default), or NULL */
	uint8_t scope_id;   /* compiled, as sig_rule.scope_id */
	bool wildcard;      /* pattern was *.suffix */
	bool prefix;        /* pattern was _service._proto.* (suffix holds "_service._proto.") */
	const char *service;
	const char *pattern;
	const char *suffix; /* lower-case host or suffix without "*." */
	const char *label;
	struct sig_src src;
	uint8_t category; /* compiled: the category of the app's first rule with the same service,
			     else "web" (domain rows have no category of their own) */
};

/* A citation of a prose passage of the current document (not a table row). */
struct sig_note {
	uint16_t app;
	const char *id;      /* interned; unique per app */
	const char *section; /* heading as printed, NULL when not given */
	const char *text;
	unsigned id_col;     /* column of the id value, for redefinition messages */
	struct sig_src src;
};

struct sig_site_server {
	uint16_t app;
	const char *service; /* interned, NULL = every service of the app */
	struct sig_aspec addrs;
	struct sig_loc loc, service_loc;
};

/* Candidate lists: prefix group g lists items[off[g] .. off[g+1]). */
struct sig_groups {
	struct cidr *trie; /* value = group index */
	uint32_t *off;
	uint16_t *items;
	uint32_t ngroups;
};

/* A role statement (sig_role.c): what a server must serve to be the app's server. Ports are
 * indices into sig_db.role_ports (bit i = role_ports[i]). */
#define SIG_MAX_ROLES 64
#define SIG_MAX_ROLE_PORTS 64
#define SIG_MAX_ROLE_PEERS 16
struct sig_role {
	uint16_t app;
	uint8_t min;            /* distinct key+support ports served (+ peer evidence), at least */
	uint16_t peer;          /* client_of=/serves_to= evidence, mask of sig_db.role_peers */
	uint64_t not_served_to; /* roles whose clients' connections are no evidence for it */
	const char *name;       /* role=, interned */
	const char *label;
	const char **services;  /* services= (interned), NULL = every service of the app */
	uint32_t nservices;
	uint64_t key, support;  /* role port masks */
	struct sig_src src;
};
struct sig_role_port {
	uint8_t proto; /* SIG_PROTO_TCP or SIG_PROTO_UDP */
	uint16_t port;
};
/* Evidence from a peer: the host was the client of an answered connection to a server holding
 * role `role` on proto/port (client_of=), or answered one from a client holding it (serves_to=);
 * or it was the client of an answered flow labelled by the app's rule of service `service` with
 * a documented address, a name or payload (uses=; role = the role naming it, no port); or, inside
 * the internal networks, it exchanged an answered connection on proto/port with a host outside
 * them, either side (federates=; role = the role naming it). kind: enum sig_peer_kind. */
struct sig_role_peer {
	uint8_t role;      /* index in sig_db.roles */
	uint8_t proto;
	uint16_t port;
	bool as_client;
	uint8_t kind;
	const char *service; /* uses=: interned */
};

struct port_table; /* classify_ports.c */

struct sig_db {
	struct sig_arena arena;
	struct sig_str *strings;
	struct sig_set *sets;
	struct sig_vec files, apps, rules, qos, domains, notes, servers; /* of the structs above */
	struct sig_vec docs; /* struct sig_doc, one per doc statement */
	struct sig_vec internal; /* struct sig_prefix: the internal networks */
	struct sig_vec roles;    /* struct sig_role */
	struct sig_role_port role_ports[SIG_MAX_ROLE_PORTS]; /* ports role statements name */
	unsigned nrole_ports;
	uint8_t role_port_bits[2][65536 / 8]; /* [tcp, udp]: the port is in role_ports */
	uint64_t role_port_ignore[SIG_MAX_ROLE_PORTS]; /* roles whose clients make a port no evidence */
	struct sig_role_peer role_peers[SIG_MAX_ROLE_PEERS];
	unsigned nrole_peers;
	uint8_t role_peer_bits[2][65536 / 8]; /* [tcp, udp]: a role_peers port */
	uint8_t role_rule_bits[2][65536 / 8]; /* [tcp, udp]: a server port of a rule a role covers */
	bool internal_changed;   /* replaced or extended by the site file */
	uint8_t shared[65536 / 8];
	unsigned nshared;
	/* compiled: server ports for orienting a flow seen without its SYN, [0] TCP [1] UDP: the
	 * well-known ports (< 1024) and every port of a rule's server_port range at most
	 * SIG_SRVPORT_MAX_WIDTH wide (wider ranges, 19560-65535, hold ephemeral client ports too) */
	uint8_t srvport[2][65536 / 8];
	/* compiled: the distinct scope names of rules and domain rows, in load order */
	const char *scopes[255];
	unsigned nscopes;
	const char *site_path;
	/* compiled by sig_db_compile */
	struct cidr *internal_trie;
	struct sig_groups srv_groups; /* documented server prefix -> rules */
	struct sig_groups cli_groups; /* documented client prefix -> rules */
	struct sig_groups site_groups; /* site server prefix -> site server entries */
	struct port_table *ports;
	uint32_t *rule_qos;
};

/* ---- parser (sig_parse.c) ---- */
struct sig_parse_ctx {
	struct sig_db *db;
	char *err;
	size_t errlen;
	const char *sigdir; /* for display names */
	/* include stack (real paths) for loop detection */
	char *stack[SIG_MAX_INCLUDE_DEPTH + 2];
	unsigned depth;
};
/* Parses one file (and what it includes) into db. site: site-only statements allowed.
 * Returns 0, or -1 with ctx->err set. whole-file errors use "PATH: message". */
int sig_parse_file(struct sig_parse_ctx *ctx, const char *path, bool site);
/* Checks needing everything loaded (site server services). 0 or -1. */
int sig_parse_finish(struct sig_parse_ctx *ctx);
/* sig_role.c: checks role statements against everything loaded (services, shared ports) and
 * fills each rule's role mask. 0 or -1 with ctx->err set. */
int sig_role_finish(struct sig_parse_ctx *ctx);
/* --check-signatures: the role statements (sig_role.c). */
void sig_role_print(const struct sig_db *db, FILE *fp);
void sig_errf(char *err, size_t errlen, const struct sig_loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
const char *sig_intern(struct sig_db *db, const char *s);

/* ---- sig_db.c ---- */
int sig_db_compile(struct sig_db *db, char *err, size_t errlen);
extern const char *const sig_category_names[];
unsigned sig_category_count(void);
/* Index of the range of ps containing port (its width via *width), or -1. any -> 0, width 65536 */
int sig_pspec_find(const struct sig_pspec *ps, uint16_t port, uint32_t *width);
static inline const struct sig_rule *sig_rule_at(const struct sig_db *db, size_t i)
{
	return SIG_VEC_AT(&db->rules, const struct sig_rule, i);
}
static inline const struct sig_app *sig_app_at(const struct sig_db *db, size_t i)
{
	return SIG_VEC_AT(&db->apps, const struct sig_app, i);
}
static inline bool sig_shared(const struct sig_db *db, uint16_t port)
{
	return (db->shared[port >> 3] >> (port & 7)) & 1;
}
#define SIG_SRVPORT_MAX_WIDTH 1024u
/* Whether port is a server port for orientation (proto SIG_PROTO_TCP or SIG_PROTO_UDP). */
static inline bool sig_server_port(const struct sig_db *db, uint8_t proto, uint16_t port)
{
	return (db->srvport[proto == SIG_PROTO_UDP][port >> 3] >> (port & 7)) & 1;
}
/* Rules on the same app whose match constraints are identical to an earlier rule's (listed by
 * --check-signatures; the per-row test accepts the earlier rule for them). -1 when none. */
int sig_rule_identical_earlier(const struct sig_db *db, size_t idx);

/* ---- classify_ports.c ---- */
struct port_table *port_table_build(const struct sig_db *db);
void port_table_free(struct port_table *pt);
/* Rules whose server_port set contains port for the transport (SIG_PROTO_TCP or _UDP). */
const uint16_t *port_table_get(const struct port_table *pt, uint8_t proto, uint16_t port, size_t *n);
size_t port_table_bytes(const struct port_table *pt);

#endif
