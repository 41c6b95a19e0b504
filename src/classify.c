/* classify.c - labels a flow with the documented product/service: candidate lookup, ranking, orientation. */
#include <string.h>

#include "evidence.h"
#include "sig_internal.h"

/* How the classifier works (see ucflow-signatures(5), "CLASSIFICATION"):
 *  1. For one orientation (server = responder, or swapped) candidate rules are gathered from the
 *     port table (server port), the documented-server-prefix trie and the documented-client-prefix
 *     trie. Every rule can be found through at least one of these (the parser rejects rules that
 *     could not), so nothing else is scanned.
 *  2. Each candidate is checked against all of its constraints and scored: kind (site+port >
 *     subnet+port > subnet > port), then prefix length, then server port range width, then client
 *     port range width, then file order. A port-only match may label the flow only when the
 *     port is not shared AND the server is inside the internal networks; otherwise it is kept as
 *     a candidate (confidence none). Port-only evidence to a public server is what WhatsApp on
 *     5222 or APNS on 5223 look like, so it never names a product on its own.
 *  3. Without the originator's SYN both orientations are scored; the swapped one wins only when its
 *     best match is of a strictly better class (labelling beats candidate-only, then kind), so
 *     the observed first sender stays the client when the evidence is equal.
 *  4. Payload evidence (classify_flow_payload). A rule documenting its payload protocols (payload=)
 *     is confirmed when the flow's payload protocol is one of them and refuted when it is another
 *     one (or none of ours). Among the best-ranked tier of labelling matches (same kind, same
 *     prefix length: the matches the ambiguity test compares), refuted rules are dropped and
 *     confirmed ones beat unvalidated ones; a confirmed label has confidence payload. When the
 *     whole tier is refuted no port-based match inherits the label the payload took away (reason
 *     payload-mismatch): only a subnet-only row of a documented vendor subnet still labels the
 *     flow (confidence subnet), since the address alone proves the product, not the service.
 *     needs=payload rules label only when confirmed.
 *     A domain name (SNI, host, certificate, DNS cache) naming an app makes that app's matching
 *     rules with ports rank first (step 2's hint); with no such rule the domain row itself is the
 *     label (a row without ports names no service: the domain row's beats it).
 * Everything lives on the stack: no allocation per call. */

#define MAX_MATCHES 32
#define MAX_SITE 16

enum { PV_NONE = 0, PV_OK, PV_BAD }; /* payload verdict on a rule: not validated, confirmed, refuted */

struct match {
	uint16_t rule;
	uint8_t kind;     /* enum classify_confidence */
	uint8_t eligible; /* may label the flow */
	uint8_t why;      /* when not eligible: CLASSIFY_R_SHARED_PORT, CLASSIFY_R_PUBLIC_PORT,
			     CLASSIFY_R_NEEDS_PAYLOAD or CLASSIFY_R_PAYLOAD_MISMATCH */
	uint8_t pv;       /* PV_* */
	uint8_t named;    /* evidence names the rule's app and service (a domain row of both) */
	uint8_t own;      /* evidence names the rule's own app, not a relative on its platform */
	uint8_t alen;     /* documented (or site) prefix length that matched, 0 = none */
	uint32_t sw, cw;  /* widths of the server / client port ranges that matched (65536 = any) */
};

struct side {
	const struct ucf_addr *srv, *cli;
	uint16_t sport, cport;
	bool srv_int, cli_int;
	uint64_t srv_roles, cli_roles; /* learned roles (bit k = role k) of the server and client */
};

struct site_hit {
	uint16_t server; /* index in db->servers */
	uint8_t len;
};

struct orient {
	struct match m[MAX_MATCHES];
	unsigned n;
	struct site_hit site[MAX_SITE], site_cli[MAX_SITE]; /* site servers at the server / client */
	unsigned nsite, nsite_cli;
	bool gate_miss; /* an internal-only rule matched its port but the server was not internal */
};

struct cls_ctx {
	const struct sig_db *db;
	uint8_t proto; /* SIG_PROTO_TCP or SIG_PROTO_UDP */
	int hint_app;  /* app named by DNS/payload evidence, -1 = none */
	const char *hint_service; /* the service of the domain row that named it (interned), or NULL */
	bool query;    /* the name is a DNS flow's question: it names only rules the payload confirms
			  (the lookup), whatever their server address */
	uint8_t hint_conf;
	uint8_t payload; /* enum evidence_proto of the flow's payload, EV_PROTO_NONE = undecided */
};

const char *classify_confidence_name(uint8_t conf)
{
	static const char *const names[] = { "none", "port", "subnet", "subnet+port", "site+port",
					     "role+port", "dns", "payload" };
	return conf < sizeof names / sizeof names[0] ? names[conf] : "none";
}

const char *classify_reason_name(uint8_t reason)
{
	static const char *const names[] = { "none", "match", "ambiguous", "shared-port",
					     "server-not-internal", "no-rule", "public-port-only",
					     "payload-mismatch", "needs-payload", "dependency",
					     "client-not-product-server", "unanswered",
					     "needs-corroboration", "needs-name", "allow-list" };
	return reason < sizeof names / sizeof names[0] ? names[reason] : "none";
}

/* The app of a label or candidate index: a rule, or a domain row (CLASSIFY_RULE_DOMAIN_BASE + d). */
static uint16_t sig_rule_app(const struct sig_db *db, uint16_t idx)
{
	if (idx < CLASSIFY_RULE_DOMAIN_BASE)
		return idx < db->rules.n ? sig_rule_at(db, idx)->app : UINT16_MAX;
	size_t d = (size_t)idx - CLASSIFY_RULE_DOMAIN_BASE;
	return d < db->domains.n ? SIG_VEC_AT(&db->domains, const struct sig_domain, d)->app
				 : UINT16_MAX;
}

/* Whether apps a and b are one product family: the same app, or one is part of the other's
 * platform (platform=, e.g. Webex Calling of the Webex platform). */
static bool same_family(const struct sig_db *db, uint16_t a, uint16_t b)
{
	return a == b || sig_app_at(db, a)->platform == (int)b || sig_app_at(db, b)->platform == (int)a;
}

/* true when a ranks before b */
static bool better(const struct match *a, const struct match *b)
{
	if (a->eligible != b->eligible)
		return a->eligible > b->eligible;
	if (a->kind != b->kind)
		return a->kind > b->kind;
	if (a->named != b->named) /* the name's own service first (cscan.webex.com: CScan) */
		return a->named > b->named;
	if (a->alen != b->alen)
		return a->alen > b->alen;
	if (a->sw != b->sw)
		return a->sw < b->sw;
	if (a->cw != b->cw)
		return a->cw < b->cw;
	/* then, between rules as specific as each other, the name's own app: a lookup of a
	 * platform name (meetings.webex.com) is the platform's DNS row, not Calling's, though
	 * Calling's rules are of that platform too (a documented port of Calling, 8934 to its
	 * subnets, still beats the platform's any-port subnet row above) */
	if (a->own != b->own)
		return a->own > b->own;
	return a->rule < b->rule;
}

/* dedup: the rule may have been found already through another index (port table, server or
 * client prefix groups); a rule appears at most once in each, and the port table comes first */
static void insert(struct orient *o, const struct match *m, bool dedup)
{
	if (dedup)
		for (unsigned i = 0; i < o->n; i++)
			if (o->m[i].rule == m->rule)
				return; /* found again through another index: same verdict */
	unsigned pos = o->n;
	while (pos > 0 && better(m, &o->m[pos - 1]))
		pos--;
	if (pos >= MAX_MATCHES)
		return;
	unsigned last = o->n < MAX_MATCHES ? o->n : MAX_MATCHES - 1;
	memmove(&o->m[pos + 1], &o->m[pos], (last - pos) * sizeof *o->m);
	o->m[pos] = *m;
	if (o->n < MAX_MATCHES)
		o->n++;
}

static int doc_len(const struct cidr *t, const struct ucf_addr *a)
{
	unsigned len;
	if (!t || cidr_lookup(t, a, &len) == CIDR_NONE)
		return -1;
	return (int)len;
}

/* Longest site declaration among hits that names rule r's app (and service, when given). */
static int site_match(const struct sig_db *db, const struct site_hit *h, unsigned n,
		      const struct sig_rule *r)
{
	int best = -1;
	for (unsigned i = 0; i < n; i++) {
		const struct sig_site_server *sv =
			SIG_VEC_AT(&db->servers, const struct sig_site_server, h[i].server);
		if (sv->app == r->app && (!sv->service || sv->service == r->service) &&
		    (int)h[i].len > best)
			best = h[i].len;
	}
	return best;
}

/* What the flow's payload protocol says about rule r. */
static uint8_t payload_verdict(const struct sig_rule *r, uint8_t proto)
{
	if (!r->payload || proto == EV_PROTO_NONE || proto >= EV_PROTO_COUNT)
		return PV_NONE;
	return (r->payload >> proto) & 1u ? PV_OK : PV_BAD; /* EV_PROTO_UNKNOWN is never in a set */
}

/* sig_pspec_find() with the common cases (any, a few ranges) inline: it runs for every
 * candidate rule of every classification. */
static inline bool pspec_width(const struct sig_pspec *ps, uint16_t port, uint32_t *width)
{
	if (ps->any) {
		*width = 65536;
		return true;
	}
	if (ps->nr <= 8) {
		for (uint32_t k = 0; k < ps->nr; k++) { /* sorted, disjoint */
			if (port < ps->r[k].lo)
				return false;
			if (port <= ps->r[k].hi) {
				*width = (uint32_t)ps->r[k].hi - ps->r[k].lo + 1;
				return true;
			}
		}
		return false;
	}
	return sig_pspec_find(ps, port, width) >= 0;
}

/* Client ports every common stack picks ephemeral ports from (Linux 32768-60999, Windows and
 * macOS 49152-65535). A client range covering all of it (say a gateway's 8000-65535) says nothing
 * about a client on such a port, which any client could have drawn: for ranking it counts as
 * 65536 wide, like a rule without client ports, so it does not outrank one. */
#define EPHEMERAL_LO 32768u
#define EPHEMERAL_SPAN (65536u - EPHEMERAL_LO)

static __attribute__((noinline)) uint32_t ephemeral_width(const struct sig_pspec *ps,
							  uint16_t port, uint32_t w)
{
	for (uint32_t k = 0; k < ps->nr; k++)
		if (ps->r[k].lo <= port && port <= ps->r[k].hi)
			return ps->r[k].lo <= EPHEMERAL_LO && ps->r[k].hi == 65535 ? 65536 : w;
	return w;
}

/* Checks every constraint of rule idx for this orientation and records the match. from_ports:
 * found through the port table (which holds the rule for this transport and server port). */
static inline __attribute__((always_inline)) void eval(const struct cls_ctx *c, struct orient *o,
						     const struct side *s, uint16_t idx,
		 bool from_ports)
{
	const struct sig_db *db = c->db;
	const struct sig_rule *r = sig_rule_at(db, idx);
	uint32_t sw, cw;
	if (!from_ports && !(r->proto & c->proto))
		return;
	if (!pspec_width(&r->sport, s->sport, &sw) || !pspec_width(&r->cport, s->cport, &cw))
		return;
	if (cw >= EPHEMERAL_SPAN && s->cport >= EPHEMERAL_LO && cw != 65536)
		cw = ephemeral_width(&r->cport, s->cport, cw);
	/* A site-declared server of the app stands in for the rule's server address constraint,
	 * but only together with a documented server port. In a row where the product is the
	 * client (client=@internal with an explicit server=, e.g. SocialMiner sending mail to any
	 * mail server), the declared host must be the client instead, and stands in for the client
	 * constraint. A learned server role of the app (role statements) stands in the same way,
	 * with confidence role+port; product_side=client says explicitly that the product is the
	 * client, and such a row labels only when the client is a known server of the app. */
	bool prod_client = r->product_client ||
			   (r->client.internal && !r->client.npfx && !r->server_default);
	int site_len = -1, site_cli = -1;
	bool role_srv = false, role_cli = false;
	if (!r->sport.any && !prod_client) {
		site_len = site_match(db, o->site, o->nsite, r);
		role_srv = (s->srv_roles & r->roles) != 0;
	}
	if (!r->sport.any && prod_client) {
		site_cli = site_match(db, o->site_cli, o->nsite_cli, r);
		role_cli = (s->cli_roles & r->roles) != 0;
	}
	int cli_len = doc_len(r->cli_doc, s->cli);
	if (!r->client.any && !(r->client.internal && s->cli_int) && cli_len < 0 && site_cli < 0 &&
	    !role_cli)
		return;
	bool client_known = site_cli >= 0 || role_cli;
	if (site_cli > site_len)
		site_len = site_cli;
	int srv_len = doc_len(r->srv_doc, s->srv);
	/* Evidence naming the app (the hint) ranks the app's matching rules first, unless the
	 * payload refutes them. On a documented port that is not shared it also stands in for the
	 * server address (Webex SIP-TLS to an address the document does not list). On a shared port
	 * it needs an address behind the rule (documented subnet, site server, internal server):
	 * 443 to any server says nothing of the service, and the domain row says more. */
	/* A row without ports (the Webex subnet-only rows) says only the address, never the service:
	 * a name does not lift it, so the name's own domain row decides the service (meetings.webex.com
	 * on a shared Calling subnet is the platform's core-services, not its *-subnet-other). */
	uint8_t pv = payload_verdict(r, c->payload);
	bool hinted = (c->hint_app == (int)r->app ||
		       (c->hint_app >= 0 && sig_app_at(db, r->app)->platform == c->hint_app)) &&
		      (c->query ? pv == PV_OK : pv != PV_BAD) && !(r->sport.any && r->cport.any);
	bool shared = sig_shared(db, s->sport);
	bool hint_port = hinted && !r->sport.any && !shared;
	bool srv_ok = r->server.any || (r->server.internal && s->srv_int) || srv_len >= 0 ||
		      site_len >= 0 || role_srv || hint_port;
	if (!srv_ok) {
		if (r->server.internal && !r->sport.any)
			o->gate_miss = true;
		return;
	}
	/* a product_side=client row that needs its name is not even a candidate without it: on a
	 * shared port (DNS on 53) it would be one for every flow of every host */
	if (r->needs_name && r->product_client && !hinted)
		return;
	struct match m = { .rule = idx, .sw = sw, .cw = cw, .pv = pv };
	int alen = srv_len > cli_len ? srv_len : cli_len;
	if (site_len >= 0) {
		m.kind = CONF_SITE_PORT;
		m.alen = (uint8_t)site_len;
		m.eligible = 1;
	} else if (role_srv || role_cli) {
		m.kind = CONF_ROLE_PORT;
		m.eligible = 1;
	} else if (alen >= 0) {
		m.kind = (!r->sport.any || !r->cport.any) ? CONF_SUBNET_PORT : CONF_SUBNET;
		m.alen = (uint8_t)alen;
		m.eligible = 1;
	} else if (!r->sport.any) {
		m.kind = CONF_PORT;
		/* shared ports never name a product by port alone; nor does a port to a public server */
		if (shared)
			m.why = CLASSIFY_R_SHARED_PORT;
		else if (!s->srv_int)
			m.why = CLASSIFY_R_PUBLIC_PORT;
		else
			m.eligible = 1;
	} else {
		return; /* no evidence at all (only reachable through an evidence hint) */
	}
	if (r->product_client && !client_known && m.eligible) {
		/* the remote listens on the row's port, but nothing says the client is the product
		 * (a reason the match already had, e.g. a shared port, is kept) */
		m.eligible = 0;
		m.why = CLASSIFY_R_CLIENT_UNKNOWN;
	}
	bool addr_ok = srv_len >= 0 || cli_len >= 0 || site_len >= 0 || role_srv || role_cli ||
		       (r->server.internal && s->srv_int);
	/* a lookup of the app's name is no evidence that its client is the product (an arbitrary
	 * host's _xmpp-server SRV lookup is not an IM and Presence node's), nor is the server's
	 * name (a Meetings client's media to a Webex-named node from the local gateway's source
	 * range): a product_side=client row still needs its client known */
	if (hinted && (!r->product_client || client_known) && (addr_ok || hint_port || c->query)) {
		m.kind = c->hint_conf;
		m.eligible = 1;
		m.why = 0;
	}
	m.named = hinted && c->hint_app == (int)r->app && c->hint_service == r->service;
	m.own = hinted && c->hint_app == (int)r->app;
	if (r->needs_payload && m.pv != PV_OK) {
		m.eligible = 0;
		m.why = m.pv == PV_BAD ? CLASSIFY_R_PAYLOAD_MISMATCH : CLASSIFY_R_NEEDS_PAYLOAD;
	}
	/* needs=corroboration: a port many other programs use (Kafka on 9094, web servers on
	 * 8088) labels only with something beyond it: a site-declared server, or evidence naming
	 * the app. A generic protocol on the port (HTTP on 8088) is no corroboration. */
	if (r->needs_corrob && m.eligible && m.kind != CONF_SITE_PORT && m.kind != CONF_ROLE_PORT &&
	    m.kind < CONF_DNS) { /* a site server, a learned role (roles), or a name */
		m.eligible = 0;
		m.why = CLASSIFY_R_NEEDS_CORROBORATION;
	}
	/* needs=name: only a name of the rule's own service labels (a domain row of the app with
	 * the rule's service), e.g. CScan's rows, whose ports and subnets every Webex client uses */
	if (r->needs_name && !m.named && m.eligible) {
		m.eligible = 0;
		m.why = CLASSIFY_R_NEEDS_NAME;
	}
	insert(o, &m, !from_ports);
}

static void eval_groups(const struct cls_ctx *c, struct orient *o, const struct side *s,
			const struct sig_groups *g, const struct ucf_addr *a)
{
	struct cidr_hit hits[CIDR_MAX_HITS];
	unsigned nh = cidr_lookup_all(g->trie, a, hits, CIDR_MAX_HITS);
	for (unsigned h = 0; h < nh; h++)
		for (uint32_t k = g->off[hits[h].value]; k < g->off[hits[h].value + 1]; k++)
			eval(c, o, s, g->items[k], false);
}

/* Site server entries whose addresses contain a, longest prefix first. */
static unsigned site_hits(const struct sig_db *db, const struct ucf_addr *a, struct site_hit *out)
{
	const struct sig_groups *g = &db->site_groups;
	unsigned n = 0;
	if (!g->ngroups)
		return 0;
	struct cidr_hit hits[CIDR_MAX_HITS];
	unsigned nh = cidr_lookup_all(g->trie, a, hits, CIDR_MAX_HITS);
	for (unsigned h = 0; h < nh; h++)
		for (uint32_t k = g->off[hits[h].value]; k < g->off[hits[h].value + 1] && n < MAX_SITE;
		     k++) {
			out[n].server = g->items[k];
			out[n].len = hits[h].len;
			n++;
		}
	return n;
}

static void collect(const struct cls_ctx *c, struct orient *o, struct side *s)
{
	const struct sig_db *db = c->db;
	o->n = 0;
	o->gate_miss = false;
	o->nsite = site_hits(db, s->srv, o->site);
	o->nsite_cli = site_hits(db, s->cli, o->site_cli);
	/* the site file's word on an address overrides what the capture suggested */
	if (o->nsite)
		s->srv_roles = 0;
	if (o->nsite_cli)
		s->cli_roles = 0;
	size_t n;
	const uint16_t *list = port_table_get(db->ports, c->proto, s->sport, &n);
	for (size_t i = 0; i < n; i++)
		eval(c, o, s, list[i], true);
	if (db->srv_groups.ngroups)
		eval_groups(c, o, s, &db->srv_groups, s->srv);
	if (db->cli_groups.ngroups)
		eval_groups(c, o, s, &db->cli_groups, s->cli);
}

/* Class used to choose an orientation: labelling beats candidate-only, then the kind. */
static int orient_class(const struct orient *o)
{
	return o->n ? o->m[0].eligible * 16 + o->m[0].kind : -1;
}

static uint8_t expected_dscp(const struct sig_db *db, const struct sig_rule *r, uint8_t proto,
			     const struct side *s)
{
	uint32_t w;
	for (uint32_t k = 0; k < r->nqos; k++) {
		const struct sig_qos *q =
			SIG_VEC_AT(&db->qos, const struct sig_qos, db->rule_qos[r->qos_off + k]);
		if ((q->proto & proto) && sig_pspec_find(&q->sport, s->sport, &w) >= 0 &&
		    sig_pspec_find(&q->cport, s->cport, &w) >= 0 && (!q->srv || cidr_contains(q->srv, s->srv)))
			return q->dscp;
	}
	return r->ndscp ? r->dscp[0] : 0xff; /* the rule's own dscp=, first value */
}

static void set_side(struct side *s, const struct flow *f, bool srv_is_orig, bool orig_int,
		     bool resp_int, const uint64_t roles[2])
{
	s->srv_roles = roles[srv_is_orig ? 0 : 1];
	s->cli_roles = roles[srv_is_orig ? 1 : 0];
	s->srv = srv_is_orig ? flow_orig_addr(f) : flow_resp_addr(f);
	s->cli = srv_is_orig ? flow_resp_addr(f) : flow_orig_addr(f);
	s->sport = srv_is_orig ? flow_orig_port(f) : flow_resp_port(f);
	s->cport = srv_is_orig ? flow_resp_port(f) : flow_orig_port(f);
	s->srv_int = srv_is_orig ? orig_int : resp_int;
	s->cli_int = srv_is_orig ? resp_int : orig_int;
}

/* Orientation of a TCP flow seen without its SYN, from the ports alone: 1 when the originator's
 * port is a server port (well-known, or a documented product port) and the responder's is not
 * (swap), 0 the other way round (keep), -1 when the ports do not tell. */
static int port_orientation(const struct sig_db *db, const struct flow *f)
{
	bool o = sig_server_port(db, SIG_PROTO_TCP, flow_orig_port(f));
	bool r = sig_server_port(db, SIG_PROTO_TCP, flow_resp_port(f));
	return o == r ? -1 : o;
}

/* TCP flags as the flow records them (RFC 9293 3.1). */
#define TCP_FLAG_RST 0x04

/* Whether the responder (the server, once oriented) refused or never answered: TCP without its
 * SYN-ACK and without payload from it, having sent nothing or a reset (Zeek's S0, REJ); UDP
 * without a packet from it. */
static bool unanswered(const struct flow *f)
{
	const struct flow_dir *r = &f->dir[FLOW_RESP];
	if (r->payload_bytes)
		return false;
	if (f->key.proto == 6)
		return !(f->tcp_state & FLOW_TCP_SYNACK) && (!r->pkts || (r->tcp_flags & TCP_FLAG_RST));
	return !r->pkts;
}

bool classify_flow_stale(const struct flow *f)
{
	return (f->label.flags & CLASSIFY_F_UNANSWERED) && !unanswered(f);
}

/* Whether the label or a candidate already names rule's app. */
static bool app_listed(const struct sig_db *db, const struct flow_label *l, uint16_t rule)
{
	uint16_t app = sig_rule_app(db, rule);
	if (l->rule != FLOW_RULE_NONE && sig_rule_app(db, l->rule) == app)
		return true;
	for (unsigned i = 0; i < l->ncand; i++)
		if (sig_rule_app(db, l->cand[i]) == app)
			return true;
	return false;
}

/* Whether the label or a candidate already names rule's app and service (two rows of one
 * service, e.g. CScan's on the subnet list and at its own address, say nothing more twice). */
static bool service_listed(const struct sig_db *db, const struct flow_label *l, uint16_t rule)
{
	const struct sig_rule *r = sig_rule_at(db, rule);
	if (l->rule != FLOW_RULE_NONE && l->rule < db->rules.n) {
		const struct sig_rule *o = sig_rule_at(db, l->rule);
		if (o->app == r->app && o->service == r->service)
			return true;
	}
	for (unsigned i = 0; i < l->ncand; i++)
		if (l->cand[i] < db->rules.n) {
			const struct sig_rule *o = sig_rule_at(db, l->cand[i]);
			if (o->app == r->app && o->service == r->service)
				return true;
		}
	return false;
}

/* The candidates: first the best-ranked rule of each product the label does not name (so the
 * four slots name every product that matched: --check-signatures checks that no port and
 * server can match more), then, in rank order, further rules of services not yet named while
 * slots remain. */
static void fill_candidates(const struct sig_db *db, struct flow_label *l, const struct match *m,
			    unsigned n, int chosen)
{
	uint8_t used[MAX_MATCHES] = { 0 };
	for (unsigned i = 0; i < n && l->ncand < FLOW_MAX_CANDIDATES; i++)
		if ((int)i != chosen && !app_listed(db, l, m[i].rule)) {
			l->cand[l->ncand++] = m[i].rule;
			used[i] = 1;
		}
	for (unsigned i = 0; i < n && l->ncand < FLOW_MAX_CANDIDATES; i++)
		if ((int)i != chosen && !used[i] && !service_listed(db, l, m[i].rule))
			l->cand[l->ncand++] = m[i].rule;
}

/* payload: enum evidence_proto of the flow (EV_PROTO_NONE = undecided). fixed: keep the current
 * orientation (the evidence was read with the originator as the client), as a SYN would. */
static uint8_t scope_of(const struct sig_db *db, uint16_t idx)
{
	if (idx < CLASSIFY_RULE_DOMAIN_BASE)
		return idx < db->rules.n ? sig_rule_at(db, idx)->scope_id : 0;
	size_t d = (size_t)idx - CLASSIFY_RULE_DOMAIN_BASE;
	return d < db->domains.n ? SIG_VEC_AT(&db->domains, const struct sig_domain, d)->scope_id : 0;
}

static void classify_q(const struct sig_db *db, struct flow *f, int hint_app,
		       const char *hint_service, uint8_t hint_conf, uint8_t payload, bool fixed,
		       const uint64_t roles[2], bool query);

static void classify(const struct sig_db *db, struct flow *f, int hint_app,
		     const char *hint_service, uint8_t hint_conf, uint8_t payload, bool fixed,
		     const uint64_t roles[2])
{
	classify_q(db, f, hint_app, hint_service, hint_conf, payload, fixed, roles, false);
	if (f->label.rule != FLOW_RULE_NONE)
		f->label.scope = scope_of(db, f->label.rule);
}

static void classify_q(const struct sig_db *db, struct flow *f, int hint_app,
		       const char *hint_service, uint8_t hint_conf, uint8_t payload, bool fixed,
		       const uint64_t roles[2], bool query)
{
	struct flow_label *l = &f->label;
	memset(l, 0, sizeof *l);
	l->rule = FLOW_RULE_NONE;
	for (unsigned i = 0; i < FLOW_MAX_CANDIDATES; i++)
		l->cand[i] = FLOW_RULE_NONE;
	l->expected_dscp = 0xff;
	l->flags = CLASSIFY_F_DONE;
	l->reason = CLASSIFY_R_NO_RULE;
	if (!db)
		return;
	struct cls_ctx c = { db, 0, hint_app, hint_service, query, hint_conf, payload };
	c.proto = f->key.proto == 6 ? SIG_PROTO_TCP : f->key.proto == 17 ? SIG_PROTO_UDP : 0;
	bool orig_int = cidr_contains(db->internal_trie, flow_orig_addr(f));
	bool resp_int = cidr_contains(db->internal_trie, flow_resp_addr(f));
	if (!c.proto) {
		l->flags |= (orig_int ? CLASSIFY_F_ORIG_INTERNAL : 0) |
			    (resp_int ? CLASSIFY_F_RESP_INTERNAL : 0);
		return;
	}
	/* flow.h: FLOW_TCP_SYN_ORIG (0x01) = the originator sent a SYN without ACK. Then the
	 * responder is the listener and the orientation is fixed. */
	bool syn = c.proto == SIG_PROTO_TCP && (f->tcp_state & FLOW_TCP_SYN_ORIG);
	struct orient o[2];
	struct side s[2];
	set_side(&s[0], f, false, orig_int, resp_int, roles);
	collect(&c, &o[0], &s[0]);
	unsigned pick = 0;
	/* Without the SYN, a TCP flow is oriented by its ports when they tell (a server on 80 or
	 * 8443 whose packet came first is the responder), else by which side the tables match
	 * better. */
	int po = !syn && !fixed && c.proto == SIG_PROTO_TCP ? port_orientation(db, f) : -1;
	bool both = !syn && !fixed;
	if (both) {
		set_side(&s[1], f, true, orig_int, resp_int, roles);
		collect(&c, &o[1], &s[1]);
		if (po >= 0)
			pick = (unsigned)po;
		else if (orient_class(&o[1]) > orient_class(&o[0]))
			pick = 1;
	}
	bool gate_miss = o[pick].gate_miss || (both && po < 0 && o[!pick].gate_miss);
	if (pick == 1) {
		bool was = f->swapped;
		flow_swap_direction(f);
		f->swapped = !was; /* whatever flow_swap_direction did with it, record the new state */
		bool t = orig_int;
		orig_int = resp_int;
		resp_int = t;
	}
	const struct orient *ch = &o[pick];
	const struct side *sd = &s[pick];
	if (syn)
		l->flags |= CLASSIFY_F_SYN;
	if (f->swapped)
		l->flags |= CLASSIFY_F_SWAPPED;
	if (sig_shared(db, sd->sport))
		l->flags |= CLASSIFY_F_SHARED;
	if (orig_int)
		l->flags |= CLASSIFY_F_ORIG_INTERNAL;
	if (resp_int)
		l->flags |= CLASSIFY_F_RESP_INTERNAL;
	if (ch->n == 0) {
		l->reason = gate_miss ? CLASSIFY_R_NOT_INTERNAL : CLASSIFY_R_NO_RULE;
		return;
	}
	const struct match *m = ch->m;
	int chosen = -1;
	if (m[0].eligible) {
		/* The top tier: labelling matches as strong as the best (same kind, same prefix
		 * length). The payload drops refuted ones and, when some are confirmed, the rest. */
		unsigned tier = 1, nok = 0;
		while (tier < ch->n && m[tier].eligible && m[tier].kind == m[0].kind &&
		       m[tier].alen == m[0].alen)
			tier++;
		for (unsigned i = 0; i < tier; i++)
			nok += m[i].pv == PV_OK;
		for (unsigned i = 0; i < tier && chosen < 0; i++)
			if (nok ? m[i].pv == PV_OK : m[i].pv != PV_BAD)
				chosen = (int)i;
		if (chosen < 0) {
			/* The payload refutes every guess of the tier: no port-based match inherits
			 * the label. A documented vendor subnet still proves the product, though, so
			 * its subnet-only row (no port, no payload claim) labels it, as it would any
			 * undocumented port there. */
			l->reason = CLASSIFY_R_PAYLOAD_MISMATCH;
			for (unsigned i = tier; i < ch->n && chosen < 0; i++)
				if (m[i].eligible && m[i].kind == CONF_SUBNET && m[i].pv != PV_BAD)
					chosen = (int)i;
			if (chosen >= 0) {
				l->rule = m[chosen].rule;
				l->confidence = CONF_SUBNET;
				l->expected_dscp = 0xff;
			}
		} else {
			const struct match *best = &m[chosen];
			const struct sig_rule *r = sig_rule_at(db, best->rule);
			l->rule = best->rule;
			l->confidence = best->pv == PV_OK && best->kind < CONF_PAYLOAD ? CONF_PAYLOAD
										 : best->kind;
			l->reason = CLASSIFY_R_MATCH;
			l->expected_dscp = expected_dscp(db, r, c.proto, sd);
			/* Ambiguous: another product matched as strongly (same kind, same prefix
			 * length, the payload confirming both or neither), so only port-range width
			 * or file order would choose between products. Naming one would be a guess an
			 * auditor cannot trust: no label, every match stays a candidate, and a site
			 * file or payload evidence decides. */
			for (unsigned i = (unsigned)chosen + 1; i < tier; i++)
				if ((nok ? m[i].pv == PV_OK : m[i].pv != PV_BAD) &&
				    !same_family(db, sig_rule_at(db, m[i].rule)->app, r->app)) {
					l->flags |= CLASSIFY_F_AMBIGUOUS;
					l->reason = CLASSIFY_R_AMBIGUOUS;
					l->rule = FLOW_RULE_NONE;
					l->confidence = CONF_NONE;
					l->expected_dscp = 0xff;
					chosen = -1;
					break;
				}
		}
	} else {
		/* candidates only, confidence none; a refuted guess says so */
		l->reason = m[0].pv == PV_BAD ? CLASSIFY_R_PAYLOAD_MISMATCH : m[0].why;
	}
	/* A label from the tables alone (port, subnet, site declaration, with or without the
	 * protocol confirming it) needs a server that answered: SYNs refused with a reset or never
	 * answered (a port scan), a datagram with no reply, show only that someone tried the port.
	 * A name the flow carries (a domain row) still labels it. */
	if (chosen >= 0 && m[chosen].kind < CONF_DNS && unanswered(f)) {
		chosen = -1;
		l->rule = FLOW_RULE_NONE;
		l->confidence = CONF_NONE;
		l->expected_dscp = 0xff;
		l->reason = CLASSIFY_R_UNANSWERED;
		l->flags |= CLASSIFY_F_UNANSWERED;
	}
	fill_candidates(db, l, m, ch->n, chosen);
}

static const uint64_t no_roles[2] = { 0, 0 };

void classify_flow(const struct sig_db *db, struct flow *f)
{
	classify(db, f, -1, NULL, 0, EV_PROTO_NONE, false, no_roles);
}

void classify_flow_evidence(const struct sig_db *db, struct flow *f, int app, uint8_t conf)
{
	if (!db || app < 0 || (size_t)app >= db->apps.n || (conf != CONF_DNS && conf != CONF_PAYLOAD))
		app = -1;
	classify(db, f, app, NULL, conf, EV_PROTO_NONE, false, no_roles);
}

/* Whether rule idx has neither server nor client ports (a subnet-only row). */
static bool portless(const struct sig_db *db, uint16_t idx)
{
	const struct sig_rule *r = sig_rule_at(db, idx);
	return r->sport.any && r->cport.any;
}

/* Takes the label away (it becomes candidates[0]) and says why. When the list is full, the last
 * candidate of an app listed twice makes room (else the last one), so every product stays. */
static void unlabel(const struct sig_db *db, struct flow_label *l, uint8_t reason)
{
	if (l->rule != FLOW_RULE_NONE) {
		unsigned n = l->ncand < FLOW_MAX_CANDIDATES ? l->ncand : FLOW_MAX_CANDIDATES;
		if (n == FLOW_MAX_CANDIDATES) {
			unsigned drop = n - 1;
			uint16_t app = sig_rule_app(db, l->rule);
			for (unsigned i = n; i-- > 0;) {
				bool dup = sig_rule_app(db, l->cand[i]) == app;
				for (unsigned j = 0; j < i && !dup; j++)
					dup = sig_rule_app(db, l->cand[j]) == sig_rule_app(db, l->cand[i]);
				if (dup) {
					drop = i;
					break;
				}
			}
			memmove(&l->cand[drop], &l->cand[drop + 1], (n - 1 - drop) * sizeof l->cand[0]);
			n--;
		}
		memmove(&l->cand[1], &l->cand[0], n * sizeof l->cand[0]);
		l->cand[0] = l->rule;
		l->ncand = (uint8_t)(n + 1);
		l->rule = FLOW_RULE_NONE;
	}
	l->confidence = CONF_NONE;
	l->expected_dscp = 0xff;
	l->flags &= (uint8_t)~CLASSIFY_F_AMBIGUOUS;
	l->reason = reason;
}

void classify_flow_payload(const struct sig_db *db, struct flow *f, const struct classify_evidence *e)
{
	if (!e || !db) {
		classify_flow(db, f);
		return;
	}
	uint8_t proto = e->payload_proto < EV_PROTO_COUNT ? e->payload_proto : EV_PROTO_NONE;
	const uint64_t roles[2] = { e->roles_orig, e->roles_resp };
	if (e->domain < 0 || (size_t)e->domain >= db->domains.n) {
		classify(db, f, -1, NULL, 0, proto, false, roles);
		return;
	}
	const struct sig_domain *d =
		SIG_VEC_AT(&db->domains, const struct sig_domain, (size_t)e->domain);
	/* A name the client sent (SNI, Host) or the server's certificate was read with the current
	 * originator as the client: keep that orientation. A DNS-cache name says nothing of it. */
	bool fixed = e->domain_src != EV_SRC_DNS && e->domain_src != EV_SRC_QUERY;
	struct flow_label *l = &f->label;
	if (e->domain_src == EV_SRC_QUERY) {
		/* A lookup of the name: it names the app's rows whose payload is the lookup's
		 * protocol (004's DNS row), with the name's service (IM and Presence's SRV lookup
		 * row has it: needs=name); a dependency or allow-list name names nothing. The
		 * name's scope is the lookup's. */
		if (d->dependency || d->allow_list) {
			classify(db, f, -1, NULL, 0, proto, false, roles);
			return;
		}
		classify_q(db, f, d->app, d->service, CONF_PAYLOAD, proto, false, roles, true);
		if (l->rule != FLOW_RULE_NONE)
			l->scope = same_family(db, sig_rule_app(db, l->rule), d->app)
					   ? d->scope_id : scope_of(db, l->rule);
		return;
	}
	if (d->dependency || d->allow_list) {
		/* A third-party domain of its app, or a name its document lists only for a
		 * firewall allow-list (*.cisco.com for Webex Calling: browsing www.cisco.com is not
		 * Calling): never that app's label, and its rules' guesses become candidates.
		 * Another product's documented row keeps its label (Sametime's Proxy Server to
		 * Firebase Cloud Messaging, a Webex dependency). */
		classify(db, f, -1, NULL, 0, proto, fixed, roles);
		if (l->rule != FLOW_RULE_NONE && !same_family(db, sig_rule_app(db, l->rule), d->app))
			return;
		bool own = l->rule != FLOW_RULE_NONE || d->allow_list;
		for (unsigned i = 0; i < l->ncand && !own; i++)
			own = same_family(db, sig_rule_app(db, l->cand[i]), d->app);
		if (own) { /* else the tables' own reason stands: the domain is not theirs */
			unlabel(db, l, d->allow_list ? CLASSIFY_R_ALLOW_LIST : CLASSIFY_R_DEPENDENCY);
			l->scope = d->allow_list ? d->scope_id : 0;
		}
		return;
	}
	uint8_t conf = e->domain_src == EV_SRC_DNS ? CONF_DNS : CONF_PAYLOAD;
	classify(db, f, d->app, d->service, conf, proto, fixed, roles);
	if (l->rule != FLOW_RULE_NONE && l->confidence >= CONF_DNS &&
	    same_family(db, sig_rule_at(db, l->rule)->app, d->app) && !portless(db, l->rule))
		return; /* a rule of the named app (or of a product of its platform) matches */
	/* No rule of the app matches with a port: the domain row itself is the label; whatever
	 * the tables chose stays a candidate. A row without ports (the Webex subnet-only rows)
	 * names the address, not the service, so the name's row decides the service even when
	 * the payload confirmed that row (TLS to a shared Calling subnet). */
	unlabel(db, l, CLASSIFY_R_MATCH);
	l->rule = (uint16_t)(CLASSIFY_RULE_DOMAIN_BASE + (unsigned)e->domain);
	l->confidence = conf;
	l->scope = d->scope_id;
}
