/* sig_role.c - the `role` statement (ucflow-signatures(5), ROLES): which served ports make a host
 * an app's server, and the rules that such a server then stands in for. */
#include <stdlib.h>
#include <string.h>

#include "sig_values.h"

enum { K_APP, K_ROLE, K_KEY, K_SUPPORT, K_MIN, K_SERVICES, K_LABEL, K_CLIENT_OF, K_SERVES_TO,
       K_NOT_SERVED_TO, K_USES, K_FEDERATES, K_NKEYS };
static const char *const role_keys[K_NKEYS] = { "app", "role", "key", "support", "min", "services",
						 "label", "client_of", "serves_to",
						 "not_served_to", "uses", "federates" };

/* Index of (proto, port) in db->role_ports, added when new; -1 when the table is full. */
static int role_port_index(struct sig_db *db, uint8_t proto, uint16_t port)
{
	for (unsigned i = 0; i < db->nrole_ports; i++)
		if (db->role_ports[i].proto == proto && db->role_ports[i].port == port)
			return (int)i;
	if (db->nrole_ports >= SIG_MAX_ROLE_PORTS)
		return -1;
	db->role_ports[db->nrole_ports].proto = proto;
	db->role_ports[db->nrole_ports].port = port;
	db->role_port_bits[proto == SIG_PROTO_UDP][port >> 3] |= (uint8_t)(1u << (port & 7));
	return (int)db->nrole_ports++;
}

/* The n bytes at p as tcp/PORT or udp/PORT, PORT a single port 1-65535: false when they are not. */
static bool proto_port(const char *p, size_t n, uint8_t *proto, uint16_t *port)
{
	if (n > 4 && strncmp(p, "tcp/", 4) == 0)
		*proto = SIG_PROTO_TCP;
	else if (n > 4 && strncmp(p, "udp/", 4) == 0)
		*proto = SIG_PROTO_UDP;
	else
		return false;
	if (n - 4 > 5)
		return false;
	unsigned long v = 0;
	for (size_t i = 4; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	*port = (uint16_t)v;
	return v >= 1 && v <= 65535;
}

/* PROTO/PORT[,PROTO/PORT...] into a mask of role ports. Single ports only: a range would be a
 * range of evidence, which no document gives. */
static int parse_role_ports(struct sig_pstate *ps, const struct sig_tok *t, uint64_t *mask)
{
	const char *text = t->val;
	unsigned col0 = sig_vcol(t);
	*mask = 0;
	for (const char *p = text;;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		unsigned col = col0 + (unsigned)(p - text);
		uint8_t proto;
		uint16_t v;
		if (!proto_port(p, n, &proto, &v))
			return sig_perr(ps, t->line, col,
					"%s: expected tcp/PORT or udp/PORT (a single port 1-65535), got '%.*s'",
					t->key, (int)(n > 64 ? 64 : n), p);
		int idx = role_port_index(ps->ctx->db, proto, v);
		if (idx < 0)
			return sig_perr(ps, t->line, col, "too many role ports (at most %u in all)",
					SIG_MAX_ROLE_PORTS);
		if (*mask & (1ULL << idx))
			return sig_perr(ps, t->line, col, "%s: '%.*s' listed twice", t->key, (int)n, p);
		*mask |= 1ULL << idx;
		if (!e)
			return 0;
		p = e + 1;
	}
}

/* A new peer evidence item, zeroed, of the role being defined (client_of=/serves_to= then set
 * the role it names). */
static struct sig_role_peer *new_peer(struct sig_pstate *ps, const struct sig_tok *t, unsigned col,
				      uint16_t *mask)
{
	struct sig_db *db = ps->ctx->db;
	if (db->nrole_peers >= SIG_MAX_ROLE_PEERS) {
		sig_perr(ps, t->line, col, "too many role peers (at most %u in all)",
			 SIG_MAX_ROLE_PEERS);
		return NULL;
	}
	struct sig_role_peer *rp = &db->role_peers[db->nrole_peers];
	memset(rp, 0, sizeof *rp);
	rp->role = (uint8_t)db->roles.n;
	*mask |= (uint16_t)(1u << db->nrole_peers++);
	return rp;
}

/* ROLE:PROTO/PORT[,...] (client_of=, serves_to=): ROLE an earlier role of the same app. */
static int parse_peers(struct sig_pstate *ps, const struct sig_tok *t, uint16_t app,
		       bool as_client, uint16_t *mask)
{
	struct sig_db *db = ps->ctx->db;
	const char *text = t->val;
	for (const char *p = text;;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		unsigned col = sig_vcol(t) + (unsigned)(p - text);
		const char *colon = memchr(p, ':', n);
		char name[128];
		uint8_t proto;
		uint16_t v;
		if (!colon || colon == p || (size_t)(colon - p) >= sizeof name ||
		    !proto_port(colon + 1, n - (size_t)(colon - p) - 1, &proto, &v))
			return sig_perr(ps, t->line, col, "%s: expected ROLE:tcp/PORT or ROLE:udp/PORT, "
					"got '%.*s'", t->key, (int)(n > 64 ? 64 : n), p);
		snprintf(name, sizeof name, "%.*s", (int)(colon - p), p);
		size_t k = 0;
		while (k < db->roles.n && !(SIG_VEC_AT(&db->roles, struct sig_role, k)->app == app &&
					    strcmp(SIG_VEC_AT(&db->roles, struct sig_role, k)->name,
						   name) == 0))
			k++;
		if (k == db->roles.n)
			return sig_perr(ps, t->line, col, "%s: no earlier role '%s' of the same app",
					t->key, name);
		struct sig_role_peer *rp = new_peer(ps, t, col, mask);
		if (!rp)
			return -1;
		rp->role = (uint8_t)k;
		rp->proto = proto;
		rp->port = v;
		rp->as_client = as_client;
		rp->kind = as_client ? SIG_PEER_CLIENT_OF : SIG_PEER_SERVES_TO;
		db->role_peer_bits[proto == SIG_PROTO_UDP][v >> 3] |= (uint8_t)(1u << (v & 7));
		if (!e)
			return 0;
		p = e + 1;
	}
}


/* uses=SERVICE[,...]: services of the same app (checked in sig_role_finish, when every rule is
 * loaded). */
static int parse_uses(struct sig_pstate *ps, const struct sig_tok *t, uint16_t *mask)
{
	struct sig_db *db = ps->ctx->db;
	char buf[128];
	for (const char *p = t->val;;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		unsigned col = sig_vcol(t) + (unsigned)(p - t->val);
		snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf ? n : sizeof buf - 1), p);
		if (n == 0 || n >= sizeof buf || !sig_valid_name(buf))
			return sig_perr(ps, t->line, col, "uses: bad service name '%.*s'",
					(int)(n > 64 ? 64 : n), p);
		struct sig_role_peer *rp = new_peer(ps, t, col, mask);
		if (!rp)
			return -1;
		rp->kind = SIG_PEER_USES;
		rp->as_client = true;
		if (!(rp->service = sig_intern(db, buf)))
			return sig_perr(ps, t->line, col, "out of memory");
		if (!e)
			return 0;
		p = e + 1;
	}
}

/* federates=PROTO/PORT[,...]: single ports, each its own item. */
static int parse_federates(struct sig_pstate *ps, const struct sig_tok *t, uint16_t *mask)
{
	struct sig_db *db = ps->ctx->db;
	for (const char *p = t->val;;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		unsigned col = sig_vcol(t) + (unsigned)(p - t->val);
		uint8_t proto;
		uint16_t v;
		if (!proto_port(p, n, &proto, &v))
			return sig_perr(ps, t->line, col, "federates: expected tcp/PORT or udp/PORT, "
					"got '%.*s'", (int)(n > 64 ? 64 : n), p);
		struct sig_role_peer *rp = new_peer(ps, t, col, mask);
		if (!rp)
			return -1;
		rp->kind = SIG_PEER_FEDERATES;
		rp->proto = proto;
		rp->port = v;
		db->role_peer_bits[proto == SIG_PROTO_UDP][v >> 3] |= (uint8_t)(1u << (v & 7));
		if (!e)
			return 0;
		p = e + 1;
	}
}

static int parse_services(struct sig_pstate *ps, const struct sig_tok *t, struct sig_role *r)
{
	struct sig_db *db = ps->ctx->db;
	size_t cap = 1;
	for (const char *c = t->val; *c; c++)
		cap += *c == ',';
	r->services = sig_alloc(&db->arena, cap * sizeof *r->services);
	if (!r->services)
		return sig_perr(ps, t->line, t->col, "out of memory");
	char buf[128];
	for (const char *p = t->val;;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		unsigned col = sig_vcol(t) + (unsigned)(p - t->val);
		snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf ? n : sizeof buf - 1), p);
		if (n == 0 || n >= sizeof buf || !sig_valid_name(buf))
			return sig_perr(ps, t->line, col, "services: bad service name '%.*s'",
					(int)(n > 64 ? 64 : n), p);
		const char *s = sig_intern(db, buf);
		if (!s)
			return sig_perr(ps, t->line, col, "out of memory");
		r->services[r->nservices++] = s;
		if (!e)
			return 0;
		p = e + 1;
	}
}

int sig_st_role(struct sig_pstate *ps, const struct sig_stmt *st)
{
	struct sig_db *db = ps->ctx->db;
	const struct sig_tok *kw = &st->t[0];
	const struct sig_tok *kv[K_NKEYS] = { 0 };
	for (unsigned i = 1; i < st->n; i++) { /* key=value tokens, each key once */
		const struct sig_tok *t = &st->t[i];
		if (!t->key)
			return sig_perr(ps, t->line, t->col, "expected key=value, got '%s'", t->s);
		unsigned k = 0;
		while (k < K_NKEYS && strcmp(role_keys[k], t->key) != 0)
			k++;
		if (k == K_NKEYS)
			return sig_perr(ps, t->line, t->col, "unknown key '%s' for 'role'", t->key);
		if (kv[k])
			return sig_perr(ps, t->line, t->col, "duplicate key '%s'", t->key);
		if (!*t->val)
			return sig_perr(ps, t->line, t->vcol, "empty value for '%s'", t->key);
		kv[k] = t;
	}
	for (unsigned k = 0; k < K_KEY; k++)
		if (!kv[k])
			return sig_perr(ps, kw->line, kw->col, "role: missing required key '%s'",
					role_keys[k]);
	if (!kv[K_KEY] && !kv[K_CLIENT_OF] && !kv[K_SERVES_TO] && !kv[K_USES] && !kv[K_FEDERATES])
		return sig_perr(ps, kw->line, kw->col,
				"role: needs key=, client_of=, serves_to=, uses= or federates= (what "
				"points to the product)");
	if (!ps->doc && !ps->site)
		return sig_perr(ps, kw->line, kw->col, "'role' before any 'doc' statement");
	struct sig_role r;
	memset(&r, 0, sizeof r);
	const struct sig_tok *at = kv[K_APP];
	size_t a = 0;
	while (a < db->apps.n && strcmp(sig_app_at(db, a)->id, at->val) != 0)
		a++;
	if (a == db->apps.n)
		return sig_perr(ps, at->line, sig_vcol(at), "undeclared app '%s'", at->val);
	r.app = (uint16_t)a;
	if (!sig_valid_name(kv[K_ROLE]->val))
		return sig_perr(ps, kv[K_ROLE]->line, sig_vcol(kv[K_ROLE]),
				"bad role name '%s' (allowed: A-Z a-z 0-9 _ . -)", kv[K_ROLE]->val);
	r.name = sig_intern(db, kv[K_ROLE]->val);
	for (size_t i = 0; i < db->roles.n; i++) {
		const struct sig_role *o = SIG_VEC_AT(&db->roles, const struct sig_role, i);
		if (o->app == r.app && o->name == r.name)
			return sig_perr(ps, kv[K_ROLE]->line, sig_vcol(kv[K_ROLE]),
					"redefinition of role '%s' of app '%s' (first defined at %s:%u)",
					r.name, at->val, o->src.loc.file, o->src.loc.line);
	}
	if ((kv[K_KEY] && parse_role_ports(ps, kv[K_KEY], &r.key)) ||
	    (kv[K_SUPPORT] && parse_role_ports(ps, kv[K_SUPPORT], &r.support)) ||
	    (kv[K_CLIENT_OF] && parse_peers(ps, kv[K_CLIENT_OF], r.app, true, &r.peer)) ||
	    (kv[K_SERVES_TO] && parse_peers(ps, kv[K_SERVES_TO], r.app, false, &r.peer)) ||
	    (kv[K_USES] && parse_uses(ps, kv[K_USES], &r.peer)) ||
	    (kv[K_FEDERATES] && parse_federates(ps, kv[K_FEDERATES], &r.peer)))
		return -1;
	if (r.key & r.support)
		return sig_perr(ps, kv[K_SUPPORT]->line, sig_vcol(kv[K_SUPPORT]),
				"support: a port is already a key port");
	unsigned nports = (unsigned)__builtin_popcountll(r.key | r.support) +
			  (unsigned)__builtin_popcount(r.peer);
	r.min = 1;
	if (kv[K_MIN]) {
		const struct sig_tok *t = kv[K_MIN];
		char *end;
		long v = strtol(t->val, &end, 10);
		if (*end || v < 1 || (unsigned long)v > nports)
			return sig_perr(ps, t->line, sig_vcol(t),
					"min: expected 1..%u (the number of key and support ports and peer "
					"evidence), got '%s'",
					nports, t->val);
		r.min = (uint8_t)v;
	}
	if (kv[K_SERVICES] && parse_services(ps, kv[K_SERVICES], &r))
		return -1;
	if (kv[K_NOT_SERVED_TO]) { /* ROLE[,ROLE]: earlier roles of the app, or this one */
		const struct sig_tok *t = kv[K_NOT_SERVED_TO];
		for (const char *p = t->val;;) {
			const char *e = strchr(p, ',');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			size_t k = 0;
			while (k < db->roles.n &&
			       !(SIG_VEC_AT(&db->roles, struct sig_role, k)->app == r.app &&
				 strlen(SIG_VEC_AT(&db->roles, struct sig_role, k)->name) == n &&
				 strncmp(SIG_VEC_AT(&db->roles, struct sig_role, k)->name, p, n) == 0))
				k++;
			if (k == db->roles.n && !(strlen(r.name) == n && strncmp(r.name, p, n) == 0))
				return sig_perr(ps, t->line, sig_vcol(t) + (unsigned)(p - t->val),
						"not_served_to: no role '%.*s' of the same app",
						(int)(n > 64 ? 64 : n), p);
			r.not_served_to |= 1ULL << k; /* k == db->roles.n: this role */
			if (!e)
				break;
			p = e + 1;
		}
		for (unsigned i = 0; i < db->nrole_ports; i++)
			if ((r.key | r.support) >> i & 1)
				db->role_port_ignore[i] |= r.not_served_to;
	}
	if (kv[K_LABEL] && !(r.label = sig_strdup(&db->arena, kv[K_LABEL]->val)))
		return sig_perr(ps, kw->line, kw->col, "out of memory");
	if (db->roles.n >= SIG_MAX_ROLES)
		return sig_perr(ps, kw->line, kw->col, "too many roles (at most %u)", SIG_MAX_ROLES);
	r.src.doc = ps->doc ? ps->doc : ps->display;
	r.src.doc_title = ps->doc_title;
	r.src.table = ps->table;
	r.src.loc.file = ps->display;
	r.src.loc.line = kw->line;
	r.src.loc.col = kw->col;
	r.src.file = ps->file;
	struct sig_role *nr = sig_vec_push(&db->roles);
	if (!nr)
		return sig_perr(ps, kw->line, kw->col, "out of memory");
	*nr = r;
	return 0;
}

static bool role_covers(const struct sig_role *ro, const struct sig_rule *r)
{
	if (ro->app != r->app)
		return false;
	if (!ro->services)
		return true;
	for (uint32_t i = 0; i < ro->nservices; i++)
		if (ro->services[i] == r->service)
			return true;
	return false;
}

/* Whether rule r documents the app serving role port i (its server, not a product_side=client
 * row). */
static bool rule_serves(const struct sig_rule *r, const struct sig_role_port *rp)
{
	uint32_t w;
	return !r->product_client && (r->proto & rp->proto) && !r->sport.any &&
	       sig_pspec_find(&r->sport, rp->port, &w) >= 0;
}

int sig_role_finish(struct sig_parse_ctx *ctx)
{
	struct sig_db *db = ctx->db;
	for (size_t k = 0; k < db->roles.n; k++) {
		const struct sig_role *ro = SIG_VEC_AT(&db->roles, const struct sig_role, k);
		const char *app = sig_app_at(db, ro->app)->id;
		for (uint32_t s = 0; s < ro->nservices; s++) {
			bool found = false;
			for (size_t i = 0; i < db->rules.n && !found; i++)
				found = sig_rule_at(db, i)->app == ro->app &&
					sig_rule_at(db, i)->service == ro->services[s];
			if (!found) {
				sig_errf(ctx->err, ctx->errlen, &ro->src.loc,
					 "role %s: no rule of app '%s' has service '%s'", ro->name, app,
					 ro->services[s]);
				return -1;
			}
		}
		/* Evidence must trace back to the app's own rows, and a key port must say more
		 * than a port many unrelated services share. */
		for (unsigned i = 0; i < db->nrole_ports; i++) {
			if (!((ro->key | ro->support) >> i & 1))
				continue;
			const struct sig_role_port *rp = &db->role_ports[i];
			const char *pn = rp->proto == SIG_PROTO_TCP ? "tcp" : "udp";
			bool documented = false;
			for (size_t r = 0; r < db->rules.n && !documented; r++)
				documented = sig_rule_at(db, r)->app == ro->app &&
					     rule_serves(sig_rule_at(db, r), rp);
			if (!documented) {
				sig_errf(ctx->err, ctx->errlen, &ro->src.loc,
					 "role %s: no rule of app '%s' has the app serve %s/%u", ro->name,
					 app, pn, rp->port);
				return -1;
			}
			if ((ro->key >> i & 1) && sig_shared(db, rp->port)) {
				sig_errf(ctx->err, ctx->errlen, &ro->src.loc,
					 "role %s: key port %s/%u is a shared port (shared-ports): it cannot "
					 "point to one product",
					 ro->name, pn, rp->port);
				return -1;
			}
		}
	}
	/* peer evidence: the port must be one a rule of the app has the app serve; a uses= service
	 * one of the app's rules */
	for (size_t r = 0; r < db->rules.n; r++)
		SIG_VEC_AT(&db->rules, struct sig_rule, r)->uses = 0;
	for (unsigned i = 0; i < db->nrole_peers; i++) {
		const struct sig_role_peer *pp = &db->role_peers[i];
		const struct sig_role *ro = SIG_VEC_AT(&db->roles, const struct sig_role, pp->role);
		if (pp->kind == SIG_PEER_USES) {
			bool found = false;
			for (size_t r = 0; r < db->rules.n; r++) {
				struct sig_rule *ru = SIG_VEC_AT(&db->rules, struct sig_rule, r);
				if (ru->app == ro->app && ru->service == pp->service) {
					found = true;
					ru->uses |= 1u << i;
				}
			}
			if (!found) {
				sig_errf(ctx->err, ctx->errlen, &ro->src.loc,
					 "role %s: uses: no rule of app '%s' has service '%s'", ro->name,
					 sig_app_at(db, ro->app)->id, pp->service);
				return -1;
			}
			continue;
		}
		struct sig_role_port rp = { pp->proto, pp->port };
		bool documented = false;
		for (size_t r = 0; r < db->rules.n && !documented; r++)
			documented = sig_rule_at(db, r)->app == ro->app &&
				     rule_serves(sig_rule_at(db, r), &rp);
		if (!documented) {
			for (size_t k = 0; k < db->roles.n; k++) /* cite the role that names it */
				if (SIG_VEC_AT(&db->roles, const struct sig_role, k)->peer >> i & 1)
					ro = SIG_VEC_AT(&db->roles, const struct sig_role, k);
			sig_errf(ctx->err, ctx->errlen, &ro->src.loc,
				 "role %s: no rule of app '%s' has the app serve %s/%u", ro->name,
				 sig_app_at(db, ro->app)->id,
				 pp->proto == SIG_PROTO_TCP ? "tcp" : "udp", pp->port);
			return -1;
		}
	}
	for (size_t i = 0; i < db->rules.n; i++) {
		struct sig_rule *r = SIG_VEC_AT(&db->rules, struct sig_rule, i);
		r->roles = 0;
		for (size_t k = 0; k < db->roles.n; k++)
			if (role_covers(SIG_VEC_AT(&db->roles, const struct sig_role, k), r))
				r->roles |= 1ULL << k;
		/* a role stands in for an address only with the rule's server port (classify.c); a
		 * needs=name row only with its name too: its flows are held by that candidate
		 * (role_defer_wanted), not by the port (every DNS flow on 53); nor a product_side=client
		 * row whose server is a documented address list: a flow to those addresses has it as a
		 * candidate (client-not-product-server) until the role is known, which holds it, and its
		 * ports would hold any flow (Webex's lgw-media: 19560-65535) */
		r->client_role_doc = r->roles && r->product_client && !r->server.any &&
				     !r->server.internal && r->server.npfx;
		bool by_cand = r->needs_name || r->client_role_doc;
		for (uint32_t j = 0; r->roles && !by_cand && !r->sport.any && j < r->sport.nr; j++)
			for (uint32_t p = r->sport.r[j].lo; p <= r->sport.r[j].hi; p++)
				for (int u = 0; u < 2; u++)
					if (r->proto & (u ? SIG_PROTO_UDP : SIG_PROTO_TCP))
						db->role_rule_bits[u][p >> 3] |= (uint8_t)(1u << (p & 7));
	}
	return 0;
}

/* ---- views (classify.h) ---- */

size_t sig_role_count(const struct sig_db *db)
{
	return db ? db->roles.n : 0;
}

bool sig_role_get(const struct sig_db *db, size_t idx, struct sig_role_view *out)
{
	if (!db || idx >= db->roles.n)
		return false;
	const struct sig_role *r = SIG_VEC_AT(&db->roles, const struct sig_role, idx);
	out->app = sig_app_at(db, r->app)->id;
	out->app_idx = r->app;
	out->role = r->name;
	out->label = r->label ? r->label : "";
	out->file = r->src.loc.file;
	out->line = r->src.loc.line;
	out->doc = r->src.doc ? r->src.doc : "";
	out->min = r->min;
	out->key = r->key;
	out->support = r->support;
	out->peer = r->peer;
	return true;
}

size_t sig_role_port_count(const struct sig_db *db)
{
	return db ? db->nrole_ports : 0;
}

bool sig_role_port_get(const struct sig_db *db, size_t idx, uint8_t *proto, uint16_t *port)
{
	if (!db || idx >= db->nrole_ports)
		return false;
	*proto = db->role_ports[idx].proto == SIG_PROTO_TCP ? 6 : 17;
	*port = db->role_ports[idx].port;
	return true;
}

int sig_role_port_find(const struct sig_db *db, uint8_t ipproto, uint16_t port)
{
	if (!db || (ipproto != 6 && ipproto != 17))
		return -1;
	if (!(db->role_port_bits[ipproto == 17][port >> 3] >> (port & 7) & 1))
		return -1;
	uint8_t proto = ipproto == 6 ? SIG_PROTO_TCP : SIG_PROTO_UDP;
	for (unsigned i = 0; i < db->nrole_ports; i++)
		if (db->role_ports[i].proto == proto && db->role_ports[i].port == port)
			return (int)i;
	return -1;
}

uint64_t sig_role_port_ignore(const struct sig_db *db, int idx)
{
	return db && idx >= 0 && (unsigned)idx < db->nrole_ports ? db->role_port_ignore[idx] : 0;
}

uint64_t sig_roles_of_served(const struct sig_db *db, uint64_t served, uint32_t peer)
{
	uint64_t roles = 0;
	for (size_t k = 0; db && k < db->roles.n; k++) {
		const struct sig_role *r = SIG_VEC_AT(&db->roles, const struct sig_role, k);
		unsigned n = (unsigned)__builtin_popcountll(served & (r->key | r->support)) +
			     (unsigned)__builtin_popcount(peer & r->peer);
		if (((served & r->key) || (peer & r->peer)) && n >= r->min)
			roles |= 1ULL << k;
	}
	return roles;
}

size_t sig_role_peer_count(const struct sig_db *db)
{
	return db ? db->nrole_peers : 0;
}

bool sig_role_peer_get(const struct sig_db *db, size_t idx, struct sig_role_peer_view *out)
{
	if (!db || idx >= db->nrole_peers)
		return false;
	const struct sig_role_peer *p = &db->role_peers[idx];
	out->role = p->role;
	out->ipproto = p->proto == SIG_PROTO_TCP ? 6 : 17;
	out->port = p->port;
	out->as_client = p->as_client;
	out->kind = p->kind;
	out->service = p->service;
	return true;
}

uint32_t sig_rule_uses(const struct sig_db *db, uint16_t idx)
{
	return db && idx < db->rules.n ? sig_rule_at(db, idx)->uses : 0;
}

bool sig_role_peer_port(const struct sig_db *db, uint8_t ipproto, uint16_t port)
{
	return db && (ipproto == 6 || ipproto == 17) &&
	       (db->role_peer_bits[ipproto == 17][port >> 3] >> (port & 7) & 1);
}

bool sig_role_rule_port(const struct sig_db *db, uint8_t ipproto, uint16_t port)
{
	return db && (ipproto == 6 || ipproto == 17) &&
	       (db->role_rule_bits[ipproto == 17][port >> 3] >> (port & 7) & 1);
}

size_t sig_role_service_count(const struct sig_db *db, size_t idx)
{
	if (!db || idx >= db->roles.n)
		return 0;
	return SIG_VEC_AT(&db->roles, const struct sig_role, idx)->nservices;
}

const char *sig_role_service(const struct sig_db *db, size_t idx, size_t i)
{
	if (!db || idx >= db->roles.n)
		return NULL;
	const struct sig_role *r = SIG_VEC_AT(&db->roles, const struct sig_role, idx);
	return i < r->nservices ? r->services[i] : NULL;
}

bool sig_rule_roles(const struct sig_db *db, uint16_t idx, uint64_t *roles, bool *client)
{
	if (!db || idx >= db->rules.n)
		return false;
	const struct sig_rule *r = sig_rule_at(db, idx);
	*roles = r->roles;
	*client = r->product_client ||
		  (r->client.internal && !r->client.npfx && !r->server_default);
	return true;
}

bool sig_rule_client_role_doc(const struct sig_db *db, uint16_t idx)
{
	return db && idx < db->rules.n && sig_rule_at(db, idx)->client_role_doc;
}

/* --check-signatures: the role statements, their ports, and the rules they stand in for. */
void sig_role_print(const struct sig_db *db, FILE *fp)
{
	fprintf(fp, "roles (%zu), role ports %u; product_side=client rules:", db->roles.n,
		db->nrole_ports);
	unsigned npc = 0;
	for (size_t i = 0; i < db->rules.n; i++)
		npc += sig_rule_at(db, i)->product_client;
	fprintf(fp, " %u\n", npc);
	for (size_t k = 0; k < db->roles.n; k++) {
		const struct sig_role *r = SIG_VEC_AT(&db->roles, const struct sig_role, k);
		fprintf(fp, "  %s/%s (%s:%u):", sig_app_at(db, r->app)->id, r->name,
			r->src.loc.file, r->src.loc.line);
		const char *lead = " ";
		for (unsigned i = 0; i < db->nrole_peers; i++)
			if (r->peer >> i & 1) {
				const struct sig_role_peer *pp = &db->role_peers[i];
				const char *pn = pp->proto == SIG_PROTO_TCP ? "tcp" : "udp";
				if (pp->kind == SIG_PEER_USES)
					fprintf(fp, "%suses %s", lead, pp->service);
				else if (pp->kind == SIG_PEER_FEDERATES)
					fprintf(fp, "%sfederates %s/%u", lead, pn, pp->port);
				else
					fprintf(fp, "%s%s %s:%s/%u", lead,
						pp->as_client ? "client_of" : "serves_to",
						SIG_VEC_AT(&db->roles, const struct sig_role, pp->role)->name,
						pn, pp->port);
				lead = ", ";
			}
		for (int pass = 0; pass < 2; pass++) {
			uint64_t m = pass ? r->support : r->key;
			if (!m)
				continue;
			fprintf(fp, "%s%s", lead, pass ? "support" : "key");
			lead = ", ";
			const char *sep = " ";
			for (unsigned i = 0; i < db->nrole_ports; i++)
				if (m >> i & 1) {
					fprintf(fp, "%s%s/%u", sep,
						db->role_ports[i].proto == SIG_PROTO_TCP ? "tcp" : "udp",
						db->role_ports[i].port);
					sep = ",";
				}
		}
		unsigned nr = 0;
		for (size_t i = 0; i < db->rules.n; i++)
			nr += (sig_rule_at(db, i)->roles >> k & 1) != 0;
		fprintf(fp, "; min %u; stands in for %u rules\n", r->min, nr);
	}
}
