/* classify.h - the classify stage: signature tables (signatures/FORMAT.md, ucflow-signatures(5))
 * loaded once, and a per-flow classifier that labels a flow with the documented product/service.
 *
 * The pipeline classifies a flow when it is created and again only when new evidence arrives, or,
 * for a TCP flow opened by a SYN (whose orientation classifying cannot change), once when its
 * record is written. A record between addresses that hold a server role (role.h) is classified
 * again when written, with the roles known then. Classifying is cheap (a few trie walks and port-list scans) and never
 * allocates.
 */
#ifndef CLASSIFY_H
#define CLASSIFY_H

#include <stdio.h>

#include "ucflow.h"
#include "flow.h"

struct sig_db; /* opaque: compiled signature tables */

/* Loads every *.sig file in sigdir (sorted by name; names starting with '.' are skipped), then
 * the optional site file (NULL = none). On error: returns UCF_ERR_CONFIG, *out NULL, errbuf =
 * "FILE:LINE:COL: message" (errors about a whole file, e.g. one that cannot be opened, are
 * "FILE: message"). Nothing half-loaded. */
int sig_db_load(struct sig_db **out, const char *sigdir, const char *site_file, char *errbuf,
		size_t errlen);
void sig_db_free(struct sig_db *db);

/* For --check-signatures: files, then rules/qos/domain/addrset/note counts per file and per app, the
 * shared ports, the internal networks, site servers, and warnings (e.g. a qos row naming a
 * service no rule has, a rule shadowed by an identical earlier rule of the same app). */
void sig_db_print_counts(const struct sig_db *db, FILE *fp);
/* For --list-rules: the compiled table, one rule per line, tab-separated. */
void sig_db_print_rules(const struct sig_db *db, FILE *fp);

/* One rule as loaded. Every string is non-NULL ("" when the file did not say). */
struct sig_rule_view {
	const char *app, *app_name, *service, *category, *file, *doc, *table, *label;
	unsigned line;
	int encrypted; /* -1 unknown, 0, 1 */
	/* additions */
	const char *doc_title;
	const char *proto;                 /* "tcp", "udp", "both" */
	const char *server, *server_port;  /* as written ("@internal" shown for the onprem default) */
	const char *client, *client_port;
	int onprem;                        /* the app is onprem=yes */
	uint8_t ndscp;                     /* dscp= values of the rule */
	uint8_t dscp[8];
	const char *scope;                 /* scope= ("" when none): e.g. calling, webex-platform */
	bool interpretation;               /* basis=interpretation: ucflow's reading, not the text */
	const char *standard;              /* what the interpretation follows ("" when not said) */
};
/* Label indices from CLASSIFY_RULE_DOMAIN_BASE up name domain rows (a flow labelled by a domain
 * match with no table rule of the app matching it, see classify_flow_payload): for idx =
 * CLASSIFY_RULE_DOMAIN_BASE + d, sig_rule_get describes domain row d (app, service, file, line, doc,
 * table of the row; label = its pattern; category that of the app's first rule with the same
 * service, else "web"; encrypted -1; proto "both"; addresses and ports "any"). sig_rule_count()
 * counts rules only; rule indices are below CLASSIFY_RULE_DOMAIN_BASE. */
#define CLASSIFY_RULE_DOMAIN_BASE 0x8000
bool sig_rule_get(const struct sig_db *db, uint16_t idx, struct sig_rule_view *out);
/* The fields a flow record prints, without filling a whole sig_rule_view (output runs this for
 * every record): same values as sig_rule_get's. */
struct sig_rule_brief {
	const char *app, *service, *category, *file;
	unsigned line;
	int encrypted;
	const char *basis; /* "" for a document row, else "interpretation[: STANDARD]" */
};
bool sig_rule_brief_get(const struct sig_db *db, uint16_t idx, struct sig_rule_brief *out);
size_t sig_rule_count(const struct sig_db *db);

/* App lookup by id ("finesse"); -1 when unknown. App indices are 0..sig_app_count()-1. */
int sig_app_find(const struct sig_db *db, const char *id);
size_t sig_app_count(const struct sig_db *db);
const char *sig_app_id(const struct sig_db *db, int app);   /* NULL when out of range */
const char *sig_app_name(const struct sig_db *db, int app); /* display name */

/* Domain rows. sig_domain_match finds the row for a host name (case-insensitive, trailing dot
 * ignored): an exact pattern beats a wildcard, a longer wildcard beats a shorter one, then file
 * order; "*.example.com" also matches "example.com" itself. Returns the row index or -1. */
struct sig_domain_view {
	const char *app, *service, *pattern, *label, *file, *doc, *table;
	unsigned line;
	int dependency; /* kind=dependency: a third-party domain, never the app itself */
	int allow_list; /* kind=allow-list: listed for a firewall allow-list only, never the app */
	const char *scope; /* scope= ("" when none) */
};
int sig_domain_match(const struct sig_db *db, const char *host);
bool sig_domain_get(const struct sig_db *db, size_t idx, struct sig_domain_view *out);
size_t sig_domain_count(const struct sig_db *db);

/* QoS rows (qos statements), in load order. Every string is non-NULL ("" when the file did not
 * say; "any" for an omitted server or port list); proto is "tcp", "udp" or "both". */
struct sig_qos_view {
	const char *app, *service, *proto, *server, *server_port, *client_port, *label, *file, *doc,
		*doc_title, *table;
	unsigned line;
	uint8_t dscp;
};
size_t sig_qos_count(const struct sig_db *db);
bool sig_qos_get(const struct sig_db *db, size_t idx, struct sig_qos_view *out);

/* A document as its doc statement describes it: file name, title, and the optional vendor=,
 * edition=, revised= (YYYY-MM-DD or "not stated") and original= (the title as printed, in the
 * document's language). Every string is non-NULL ("" when the statement did not say). false when
 * no doc statement names the file. */
struct sig_doc_view {
	const char *file, *title, *vendor, *edition, *revised, *original;
};
bool sig_doc_find(const struct sig_db *db, const char *file, struct sig_doc_view *out);
size_t sig_doc_count(const struct sig_db *db); /* doc statements, in load order */
bool sig_doc_get(const struct sig_db *db, size_t idx, struct sig_doc_view *out);

/* Notes (note statements): citations of a document's prose passages, not of table rows.
 * sig_note_find gives the index of the note (app id, note id), or -1. Every string is non-NULL
 * ("" when the file did not say, e.g. no section=). */
struct sig_note_view {
	const char *app, *id, *section, *text, *file, *doc, *doc_title;
	unsigned line;
};
int sig_note_find(const struct sig_db *db, const char *app, const char *id);
bool sig_note_get(const struct sig_db *db, size_t idx, struct sig_note_view *out);
size_t sig_note_count(const struct sig_db *db);

/* Role statements (ucflow-signatures(5), ROLES), in load order; key and support are masks of role
 * ports (bit i = sig_role_port_get(db, i)). Every string is non-NULL. */
struct sig_role_view {
	const char *app, *role, *label, *file, *doc;
	unsigned line;
	int app_idx;
	uint8_t min;
	uint64_t key, support;
	uint32_t peer; /* peer evidence (client_of=, serves_to=): bit i = sig_role_peer_get(db, i) */
};
size_t sig_role_count(const struct sig_db *db);
bool sig_role_get(const struct sig_db *db, size_t idx, struct sig_role_view *out);
/* The ports role statements name (at most 64): ipproto 6 or 17. */
size_t sig_role_port_count(const struct sig_db *db);
bool sig_role_port_get(const struct sig_db *db, size_t idx, uint8_t *ipproto, uint16_t *port);
int sig_role_port_find(const struct sig_db *db, uint8_t ipproto, uint16_t port); /* -1: none */
/* services= of role idx: how many (0 = every service of the app), and the i-th. */
size_t sig_role_service_count(const struct sig_db *db, size_t idx);
const char *sig_role_service(const struct sig_db *db, size_t idx, size_t i);
/* The roles whose servers stand in for rule idx (bit k = role k), and whether they do so as the
 * flow's client (a row where the product is the client). false when idx is no rule. */
bool sig_rule_roles(const struct sig_db *db, uint16_t idx, uint64_t *roles, bool *client);
/* Whether rule idx is a product_side=client row with roles whose server is a documented address
 * list (Webex's lgw-stun): on those addresses only the client's role tells it from another row
 * the same evidence fits (the platform's STUN on 9000), so the second look holds its candidates
 * even when a payload or a name labelled the flow. */
bool sig_rule_client_role_doc(const struct sig_db *db, uint16_t idx);
/* The roles (bit k = role k) of a host that served the role ports in the mask served and has the
 * peer evidence in the mask peer. */
uint64_t sig_roles_of_served(const struct sig_db *db, uint64_t served, uint32_t peer);
/* Peer evidence items: the host was the client (as_client) of an answered connection to a server
 * holding role `role` on ipproto/port, or answered such a connection from a client holding it. */
struct sig_role_peer_view {
	unsigned role;
	uint8_t ipproto;
	uint16_t port;
	bool as_client;
	uint8_t kind;        /* enum sig_peer_kind */
	const char *service; /* SIG_PEER_USES: the service; else NULL */
};
/* client_of=, serves_to= (the other end's role); uses= (the host was the client of an answered
 * flow labelled by the app's rule of that service, with a documented address, a name or payload:
 * role is the role naming it, port 0); federates= (inside the internal networks, the host
 * exchanged an answered connection on ipproto/port with a host outside them, either side; role
 * is the role naming it). */
enum sig_peer_kind { SIG_PEER_CLIENT_OF, SIG_PEER_SERVES_TO, SIG_PEER_USES, SIG_PEER_FEDERATES };
/* The uses= items (bit i = sig_role_peer_get(db, i)) that rule idx's label is evidence for. */
uint32_t sig_rule_uses(const struct sig_db *db, uint16_t idx);
/* Roles (bit k) whose clients' connections to role port idx are no evidence (not_served_to=). */
uint64_t sig_role_port_ignore(const struct sig_db *db, int idx);
size_t sig_role_peer_count(const struct sig_db *db);
bool sig_role_peer_get(const struct sig_db *db, size_t idx, struct sig_role_peer_view *out);
bool sig_role_peer_port(const struct sig_db *db, uint8_t ipproto, uint16_t port); /* cheap */
/* Whether a rule some role stands in for has ipproto/port as its server port: only a flow on such
 * a port can be labelled otherwise once an address holds a role (cheap: a bit test). */
bool sig_role_rule_port(const struct sig_db *db, uint8_t ipproto, uint16_t port);
/* The name of a label's scope id (flow_label.scope): the scope= of the row that labelled the flow,
 * or of the allow-list domain row that took the label away; "" for 0 or an unknown id. */
const char *sig_scope_name(const struct sig_db *db, uint8_t id);

/* Whether a port is in the shared-ports policy set, and an address in the internal networks. */
bool sig_port_is_shared(const struct sig_db *db, uint16_t port);
bool sig_addr_is_internal(const struct sig_db *db, const struct ucf_addr *a);

/* Confidence, weakest to strongest (the order is the ranking). classify_flow() produces NONE,
 * PORT, SUBNET, SUBNET_PORT and SITE_PORT; DNS and PAYLOAD come from classify_flow_evidence() and
 * classify_flow_payload(). */
enum classify_confidence {
	CONF_NONE = 0,
	CONF_PORT,
	CONF_SUBNET,
	CONF_SUBNET_PORT,
	CONF_SITE_PORT,
	CONF_ROLE_PORT, /* a server role learned from the capture (role statements) + a port of it */
	CONF_DNS,
	CONF_PAYLOAD
};
/* "none","port","subnet","subnet+port","site+port","role+port","dns","payload" */
const char *classify_confidence_name(uint8_t conf);

/* f->label.flags bits. */
#define CLASSIFY_F_SWAPPED  0x01 /* the classifier named the first sender the server (f->swapped) */
#define CLASSIFY_F_AMBIGUOUS 0x02 /* another app matched as strongly; file order decided */
#define CLASSIFY_F_SYN       0x04 /* orientation fixed by the originator's SYN */
#define CLASSIFY_F_SHARED    0x08 /* the responder's port is in the shared-ports set */
#define CLASSIFY_F_RESP_INTERNAL 0x10 /* the responder is inside the internal networks */
#define CLASSIFY_F_ORIG_INTERNAL 0x20 /* the originator is inside the internal networks */
#define CLASSIFY_F_UNANSWERED 0x40 /* a table-based label was taken away because the server had not
				       * answered (reason unanswered); see classify_flow_stale() */
#define CLASSIFY_F_DONE      0x80 /* the label is current: classified since the last new evidence
				      * (the pipeline clears it to classify a SYN-opened flow when
				      * its record is written) */

/* f->label.reason codes: why the flow has (or lacks) its label. */
enum classify_reason {
	CLASSIFY_R_NONE = 0,         /* not classified yet */
	CLASSIFY_R_MATCH,            /* labelled */
	CLASSIFY_R_AMBIGUOUS,        /* labelled, but another app matched equally (see candidates) */
	CLASSIFY_R_SHARED_PORT,      /* only port matches on a shared port: candidates, no label */
	CLASSIFY_R_NOT_INTERNAL,     /* an on-premises app's port, but the server is not internal */
	CLASSIFY_R_NO_RULE,          /* nothing matched */
	CLASSIFY_R_PUBLIC_PORT,      /* only port matches, server outside the internal networks:
				      * candidates, no label */
	CLASSIFY_R_PAYLOAD_MISMATCH, /* the payload shows another protocol than the table's guess
				      * documents (payload=): no label, the guess is candidates[0] */
	CLASSIFY_R_NEEDS_PAYLOAD,    /* the best match is a needs=payload rule the payload has not
				      * confirmed (yet): candidates, no label */
	CLASSIFY_R_DEPENDENCY,       /* the flow names a third-party dependency domain
				      * (kind=dependency) of the app the tables guessed: never that
				      * app's label; table guesses are candidates */
	CLASSIFY_R_CLIENT_UNKNOWN,   /* the best match is a product_side=client row, but the client
				      * is no known server of the app (site file or learned role) */
	CLASSIFY_R_UNANSWERED,       /* the server refused or never answered (TCP: no SYN-ACK and no
				      * payload from it; UDP: no packet from it): the tables alone
				      * (port, subnet, site, role) give no label, their guess is a
				      * candidate */
	CLASSIFY_R_NEEDS_CORROBORATION, /* the best match is a needs=corroboration rule with only its
				      * port (or a generic protocol on it) behind it: candidates */
	CLASSIFY_R_NEEDS_NAME,       /* the best match is a needs=name rule and no name the flow
				      * carries is the rule's (e.g. CScan without cscan.webex.com) */
	CLASSIFY_R_ALLOW_LIST,       /* the flow names a domain the document lists only for a firewall
				      * allow-list (kind=allow-list): never that app's label */
};
/* "none","match","ambiguous","shared-port","server-not-internal","no-rule","public-port-only",
 * "payload-mismatch","needs-payload","dependency","client-not-product-server","unanswered",
 * "needs-corroboration","needs-name","allow-list" */
const char *classify_reason_name(uint8_t reason);

/* Classifies (or re-classifies) one flow from its key and direction; fills f->label, may call
 * flow_swap_direction(f) (and then sets f->swapped to the new orientation). Never allocates.
 * Assumes (f->tcp_state & 0x01) means "a SYN without ACK was seen from the originator". */
void classify_flow(const struct sig_db *db, struct flow *f);

/* Re-classifies with evidence (DNS name, SNI, payload) naming app `app` (sig_app_find): rules of
 * that app that match the flow's addresses and ports rank first with confidence conf (CONF_DNS or
 * CONF_PAYLOAD), even on shared ports. Without such a rule it is classify_flow(). */
void classify_flow_evidence(const struct sig_db *db, struct flow *f, int app, uint8_t conf);

/* Payload facts the evidence stage found for a flow (filled by the pipeline, never by classify). */
struct classify_evidence {
	int domain;            /* sig domain row matched by a name the flow carries, or -1 */
	uint8_t domain_src;    /* enum evidence_src: 1 sni, 2 clear-text host, 3 certificate, 4 dns */
	uint8_t payload_proto; /* enum evidence_proto (0 = undecided, EV_PROTO_UNKNOWN = none of ours) */
	/* Server roles (include/role.h) of the flow's originator and responder as the flow stands
	 * before classifying: bit k = role statement k. A role's server stands in for the server
	 * address of the app's rules it covers (confidence role+port) and, in a product_side=client
	 * row, for the client. An address the site file declares a server ignores its roles. */
	uint64_t roles_orig, roles_resp;
};

/* Whether f's label must be worked out again before its record is written: it was taken away
 * as unanswered (CLASSIFY_F_UNANSWERED) and the server has answered since. Cheap; for the
 * pipeline's emit step. */
bool classify_flow_stale(const struct flow *f);

/* Classifies with payload evidence: a domain row of an app names that app (confidence payload, or
 * dns when the name came from the DNS cache; dependency domains never name an app); a payload
 * protocol confirms the table's guess (confidence payload) when the rule documents it (payload=),
 * or refutes it (no label, the guess kept in candidates, reason payload-mismatch); rules marked
 * needs=payload label only when confirmed. Without evidence it is classify_flow(). Never allocates. */
void classify_flow_payload(const struct sig_db *db, struct flow *f, const struct classify_evidence *e);

#endif
