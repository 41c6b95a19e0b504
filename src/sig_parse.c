/* sig_parse.c - signature file parser: statements (signatures/FORMAT.md) into struct sig_db. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "sig_values.h"

const struct sig_set *sig_find_set(const struct sig_pstate *ps, const char *name)
{
	struct sig_set *s;
	HASH_FIND_STR(ps->ctx->db->sets, name, s);
	return s;
}

static int oom(const struct sig_pstate *ps, const struct sig_tok *t)
{
	return sig_perr(ps, t->line, t->col, "out of memory");
}

/* Reject key=value tokens where a plain word is expected. */
static int want_plain(const struct sig_pstate *ps, const struct sig_tok *t)
{
	if (t->key)
		return sig_perr(ps, t->line, t->col, "unexpected '%s'", t->s);
	return 0;
}

/* Collects key=value tokens from index first on; each key must be in keys[] and appear once. */
static int collect_kv(const struct sig_pstate *ps, const struct sig_stmt *st, unsigned first,
		      const char *const *keys, unsigned nkeys, const struct sig_tok **out)
{
	for (unsigned k = 0; k < nkeys; k++)
		out[k] = NULL;
	for (unsigned i = first; i < st->n; i++) {
		const struct sig_tok *t = &st->t[i];
		if (!t->key)
			return sig_perr(ps, t->line, t->col, "expected key=value, got '%s'", t->s);
		unsigned k = 0;
		while (k < nkeys && strcmp(keys[k], t->key) != 0)
			k++;
		if (k == nkeys)
			return sig_perr(ps, t->line, t->col, "unknown key '%s' for '%s'", t->key,
					st->t[0].s);
		if (out[k])
			return sig_perr(ps, t->line, t->col, "duplicate key '%s'", t->key);
		if (!*t->val)
			return sig_perr(ps, t->line, t->vcol, "empty value for '%s'", t->key);
		out[k] = t;
	}
	return 0;
}

static int need(const struct sig_pstate *ps, const struct sig_stmt *st,
		const struct sig_tok *const *kv, const char *const *keys, unsigned nreq)
{
	for (unsigned k = 0; k < nreq; k++)
		if (!kv[k])
			return sig_perr(ps, st->t[0].line, st->t[0].col, "%s: missing required key '%s'",
					st->t[0].s, keys[k]);
	return 0;
}

static int find_app(const struct sig_pstate *ps, const struct sig_tok *t, uint16_t *out)
{
	const struct sig_db *db = ps->ctx->db;
	for (size_t i = 0; i < db->apps.n; i++)
		if (strcmp(sig_app_at(db, i)->id, t->val) == 0) {
			*out = (uint16_t)i;
			return 0;
		}
	return sig_perr(ps, t->line, sig_vcol(t), "undeclared app '%s'", t->val);
}

static int get_name(const struct sig_pstate *ps, const struct sig_tok *t, const char **out)
{
	if (!sig_valid_name(t->val))
		return sig_perr(ps, t->line, sig_vcol(t), "bad %s name '%s' (allowed: A-Z a-z 0-9 _ . -)",
				t->key, t->val);
	*out = sig_intern(ps->ctx->db, t->val);
	return *out ? 0 : oom(ps, t);
}

static const char *dup_opt(const struct sig_pstate *ps, const struct sig_tok *t)
{
	return t ? sig_strdup(&ps->ctx->db->arena, t->val) : NULL;
}

/* The row's source: current doc/table and the statement's position. */
static int fill_src(const struct sig_pstate *ps, const struct sig_stmt *st, struct sig_src *src)
{
	const struct sig_tok *kw = &st->t[0];
	if (!ps->doc && !ps->site)
		return sig_perr(ps, kw->line, kw->col, "'%s' before any 'doc' statement", kw->s);
	src->doc = ps->doc ? ps->doc : ps->display; /* site rows cite the site file itself */
	src->doc_title = ps->doc_title;
	src->table = ps->table;
	src->loc.file = ps->display;
	src->loc.line = kw->line;
	src->loc.col = kw->col;
	src->file = ps->file;
	return 0;
}

static struct sig_file *cur_file(const struct sig_pstate *ps)
{
	return SIG_VEC_AT(&ps->ctx->db->files, struct sig_file, ps->file);
}

/* ---- statements ---- */

/* doc FILE ["Title"] [vendor=..] [edition=..] [revised=YYYY-MM-DD|"not stated"] [original=..] */
enum { DOC_VENDOR, DOC_EDITION, DOC_REVISED, DOC_ORIGINAL, DOC_NKEYS };
static const char *const doc_keys[DOC_NKEYS] = { "vendor", "edition", "revised", "original" };

static bool date_ok(const char *s)
{
	unsigned y, m, d;
	char end;
	return strlen(s) == 10 && s[4] == '-' && s[7] == '-' &&
	       sscanf(s, "%4u-%2u-%2u%c", &y, &m, &d, &end) == 3 && m >= 1 && m <= 12 && d >= 1 &&
	       d <= 31;
}

static int st_doc(struct sig_pstate *ps, const struct sig_stmt *st)
{
	if (st->n < 2 || st->t[1].key)
		return sig_perr(ps, st->t[0].line, st->t[0].col, "doc: missing document file name");
	unsigned first_kv = st->n > 2 && !st->t[2].key ? 3 : 2;
	if (st->n > first_kv && !st->t[first_kv].key)
		return sig_perr(ps, st->t[first_kv].line, st->t[first_kv].col, "doc: unexpected '%s'",
				st->t[first_kv].s);
	const struct sig_tok *kv[DOC_NKEYS];
	if (collect_kv(ps, st, first_kv, doc_keys, DOC_NKEYS, kv))
		return -1;
	const struct sig_tok *rev = kv[DOC_REVISED];
	if (rev && strcmp(rev->val, "not stated") != 0 && !date_ok(rev->val))
		return sig_perr(ps, rev->line, sig_vcol(rev),
				"doc: revised= wants YYYY-MM-DD or \"not stated\", got '%s'", rev->val);
	struct sig_arena *ar = &ps->ctx->db->arena;
	ps->doc = sig_strdup(ar, st->t[1].s);
	ps->doc_title = first_kv == 3 ? sig_strdup(ar, st->t[2].s) : NULL;
	ps->table = NULL; /* a new document starts without a table */
	struct sig_doc *d = sig_vec_push(&ps->ctx->db->docs);
	if (!ps->doc || (first_kv == 3 && !ps->doc_title) || !d)
		return oom(ps, &st->t[0]);
	d->file = ps->doc;
	d->title = ps->doc_title;
	d->vendor = dup_opt(ps, kv[DOC_VENDOR]);
	d->edition = dup_opt(ps, kv[DOC_EDITION]);
	d->revised = dup_opt(ps, kv[DOC_REVISED]);
	d->original = dup_opt(ps, kv[DOC_ORIGINAL]);
	return 0;
}

static int st_table(struct sig_pstate *ps, const struct sig_stmt *st)
{
	if (st->n != 2)
		return st->n < 2 ? sig_perr(ps, st->t[0].line, st->t[0].col, "table: missing table name")
				 : sig_perr(ps, st->t[2].line, st->t[2].col, "table: unexpected '%s'",
					    st->t[2].s);
	ps->table = sig_strdup(&ps->ctx->db->arena, st->t[1].s);
	return ps->table ? 0 : oom(ps, &st->t[1]);
}

static int st_app(struct sig_pstate *ps, const struct sig_stmt *st)
{
	struct sig_db *db = ps->ctx->db;
	if (st->n < 2)
		return sig_perr(ps, st->t[0].line, st->t[0].col, "app: missing app id");
	const struct sig_tok *id = &st->t[1];
	if (want_plain(ps, id))
		return -1;
	if (!sig_valid_name(id->s))
		return sig_perr(ps, id->line, id->col, "bad app id '%s' (allowed: A-Z a-z 0-9 _ . -)",
				id->s);
	for (size_t i = 0; i < db->apps.n; i++) {
		const struct sig_app *a = sig_app_at(db, i);
		if (strcmp(a->id, id->s) == 0)
			return sig_perr(ps, id->line, id->col,
					"redefinition of app '%s' (first declared at %s:%u:%u)", id->s,
					a->loc.file, a->loc.line, a->loc.col);
	}
	if (db->apps.n >= UINT16_MAX)
		return sig_perr(ps, id->line, id->col, "too many apps");
	unsigned next = 2;
	const char *name = id->s;
	if (st->n > 2 && !st->t[2].key) {
		name = st->t[2].s;
		next = 3;
	}
	static const char *const keys[] = { "onprem", "scope", "platform" };
	const struct sig_tok *kv[3];
	if (collect_kv(ps, st, next, keys, 3, kv))
		return -1;
	uint16_t platform = 0;
	if (kv[2] && find_app(ps, kv[2], &platform)) /* declared before this app */
		return -1;
	bool onprem = false;
	if (kv[0] && sig_parse_yesno(ps, kv[0], &onprem))
		return -1;
	const char *scope = NULL;
	if (kv[1] && get_name(ps, kv[1], &scope))
		return -1;
	struct sig_app *a = sig_vec_push(&db->apps);
	if (!a)
		return oom(ps, id);
	a->id = sig_strdup(&db->arena, id->s);
	a->name = sig_strdup(&db->arena, name);
	a->onprem = onprem;
	a->scope = scope;
	a->platform = kv[2] ? (int)platform : -1;
	a->loc.file = ps->path;
	a->loc.line = id->line;
	a->loc.col = id->col;
	return a->id && a->name ? 0 : oom(ps, id);
}

/* Replaces (or extends) the internal networks; @internal in the list means their value now. */
static int set_internal(struct sig_pstate *ps, const struct sig_aspec *m, bool extend)
{
	struct sig_db *db = ps->ctx->db;
	struct sig_vec nv = { NULL, 0, 0, sizeof(struct sig_prefix) };
	const struct sig_prefix *old = db->internal.v;
	for (size_t i = 0; i < db->internal.n && (extend || m->internal); i++) {
		struct sig_prefix *p = sig_vec_push(&nv);
		if (!p)
			return -1;
		*p = old[i];
	}
	for (uint32_t i = 0; i < m->npfx; i++) {
		struct sig_prefix *p = sig_vec_push(&nv);
		if (!p)
			return -1;
		*p = m->pfx[i];
	}
	free(db->internal.v);
	db->internal = nv;
	db->internal_changed = true;
	return 0;
}

/* Members of addrset/portset/internal: plain tokens from index first, each a comma list. */
static int members(struct sig_pstate *ps, const struct sig_stmt *st, unsigned first, bool is_port,
		   struct sig_aspec *a, struct sig_pspec *p)
{
	struct sig_db *db = ps->ctx->db;
	memset(a, 0, sizeof *a);
	memset(p, 0, sizeof *p);
	for (unsigned i = first; i < st->n; i++) {
		const struct sig_tok *t = &st->t[i];
		if (want_plain(ps, t))
			return -1;
		if (is_port) {
			struct sig_pspec one;
			if (sig_parse_ports(ps, t->s, t->line, t->col + t->quoted, false, &one))
				return -1;
			struct sig_range *r = sig_alloc(&db->arena, (p->nr + one.nr) * sizeof *r);
			if (!r)
				return oom(ps, t);
			if (p->nr)
				memcpy(r, p->r, p->nr * sizeof *r);
			memcpy(r + p->nr, one.r, one.nr * sizeof *r);
			p->r = r;
			p->nr += one.nr;
		} else {
			struct sig_aspec one;
			if (sig_parse_addrs(ps, t->s, t->line, t->col + t->quoted, false, &one))
				return -1;
			if (sig_aspec_append(db, a, &one))
				return oom(ps, t);
		}
	}
	return 0;
}

static int st_set(struct sig_pstate *ps, const struct sig_stmt *st, bool is_port)
{
	struct sig_db *db = ps->ctx->db;
	const struct sig_tok *kw = &st->t[0];
	if (st->n < 3)
		return sig_perr(ps, kw->line, kw->col, "%s: expected a name and at least one member",
				kw->s);
	const struct sig_tok *nt = &st->t[1];
	if (want_plain(ps, nt))
		return -1;
	if (!sig_valid_name(nt->s))
		return sig_perr(ps, nt->line, nt->col, "bad set name '%s' (allowed: A-Z a-z 0-9 _ . -)",
				nt->s);
	struct sig_aspec a;
	struct sig_pspec p;
	bool internal = strcmp(nt->s, "internal") == 0;
	if (internal && is_port)
		return sig_perr(ps, nt->line, nt->col, "'internal' is an address set");
	if (!internal) {
		const struct sig_set *old = sig_find_set(ps, nt->s);
		if (old)
			return sig_perr(ps, nt->line, nt->col,
					"redefinition of set '%s' (first defined at %s:%u:%u)", nt->s,
					old->loc.file, old->loc.line, old->loc.col);
	}
	if (members(ps, st, 2, is_port, &a, &p))
		return -1;
	if (internal) /* the one set that may be redefined: it replaces the internal networks */
		return set_internal(ps, &a, false) ? oom(ps, nt) : 0;
	struct sig_set *s = sig_alloc(&db->arena, sizeof *s);
	if (!s || !(s->name = sig_strdup(&db->arena, nt->s)))
		return oom(ps, nt);
	s->is_port = is_port;
	s->addrs = a;
	s->ports = p;
	s->loc.file = ps->path;
	s->loc.line = nt->line;
	s->loc.col = nt->col;
	s->file = ps->file;
	HASH_ADD_KEYPTR(hh, db->sets, s->name, strlen(s->name), s);
	if (is_port)
		cur_file(ps)->nportset++;
	else
		cur_file(ps)->naddrset++;
	return 0;
}

static int st_internal(struct sig_pstate *ps, const struct sig_stmt *st)
{
	const struct sig_tok *kw = &st->t[0];
	if (!ps->site)
		return sig_perr(ps, kw->line, kw->col, "'internal' is only allowed in the site file");
	unsigned first = 1;
	bool extend = false;
	struct sig_aspec extra = { 0 };
	if (st->n > 1 && st->t[1].key && strcmp(st->t[1].key, "+") == 0) {
		extend = true;
		first = 2;
		const struct sig_tok *t = &st->t[1];
		if (*t->val && sig_parse_addrs(ps, t->val, t->line, sig_vcol(t), false, &extra))
			return -1;
	}
	if (st->n <= first && !extra.npfx && !extra.internal)
		return sig_perr(ps, kw->line, kw->col, "internal: expected at least one network");
	struct sig_aspec a;
	struct sig_pspec p;
	if (members(ps, st, first, false, &a, &p))
		return -1;
	if (sig_aspec_append(ps->ctx->db, &a, &extra) || set_internal(ps, &a, extend))
		return oom(ps, kw);
	return 0;
}

static int st_shared(struct sig_pstate *ps, const struct sig_stmt *st)
{
	struct sig_db *db = ps->ctx->db;
	if (st->n < 2)
		return sig_perr(ps, st->t[0].line, st->t[0].col, "shared-ports: expected ports");
	struct sig_aspec a;
	struct sig_pspec p;
	if (members(ps, st, 1, true, &a, &p))
		return -1;
	for (uint32_t i = 0; i < p.nr; i++)
		for (uint32_t port = p.r[i].lo; port <= p.r[i].hi; port++) {
			if (!sig_shared(db, (uint16_t)port))
				db->nshared++;
			db->shared[port >> 3] |= (uint8_t)(1u << (port & 7));
		}
	return 0;
}

static int parse_category(const struct sig_pstate *ps, const struct sig_tok *t, uint8_t *out)
{
	for (unsigned i = 0; i < sig_category_count(); i++)
		if (strcmp(sig_category_names[i], t->val) == 0) {
			*out = (uint8_t)i;
			return 0;
		}
	return sig_perr(ps, t->line, sig_vcol(t), "unknown category '%s'", t->val);
}

enum { R_APP, R_SERVICE, R_CATEGORY, R_PROTO, R_SERVER, R_SPORT, R_CLIENT, R_CPORT, R_ENC,
       R_DSCP, R_LABEL, R_PAYLOAD, R_NEEDS, R_PSIDE, R_SCOPE, R_BASIS, R_STANDARD, R_NKEYS };
static const char *const rule_keys[R_NKEYS] = { "app", "service", "category", "proto", "server",
	"server_port", "client", "client_port", "encrypted", "dscp", "label", "payload", "needs",
	"product_side", "scope", "basis", "standard" };

/* payload=PROTO[,PROTO...]: names as evidence_proto_name() gives them ("unknown" is a verdict, not
 * a protocol a row can carry). Sets bit p of *mask for each. */
static int parse_payload(const struct sig_pstate *ps, const struct sig_tok *t, uint16_t *mask)
{
	const char *text = t->val;
	unsigned col0 = sig_vcol(t);
	*mask = 0;
	for (const char *p = text;;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		unsigned col = col0 + (unsigned)(p - text);
		if (n == 0)
			return sig_perr(ps, t->line, col, "empty list item");
		uint8_t k = EV_PROTO_NONE + 1;
		while (k < EV_PROTO_UNKNOWN && (strlen(evidence_proto_name(k)) != n ||
						 strncmp(evidence_proto_name(k), p, n) != 0))
			k++;
		if (k == EV_PROTO_UNKNOWN)
			return sig_perr(ps, t->line, col,
					"payload: unknown protocol '%.*s' (expected tls, dtls, rtp, rtcp, "
					"stun, sip, xmpp-client, xmpp-server, http or dns)",
					(int)(n > 64 ? 64 : n), p);
		if (*mask & (1u << k))
			return sig_perr(ps, t->line, col, "payload: '%s' listed twice",
					evidence_proto_name(k));
		*mask |= (uint16_t)(1u << k);
		if (!e)
			return 0;
		p = e + 1;
	}
}

static int kv_addrs(const struct sig_pstate *ps, const struct sig_tok *t, struct sig_aspec *out)
{
	return sig_parse_addrs(ps, t->val, t->line, sig_vcol(t), true, out);
}

static int kv_ports(const struct sig_pstate *ps, const struct sig_tok *t, struct sig_pspec *out)
{
	return sig_parse_ports(ps, t->val, t->line, sig_vcol(t), true, out);
}

static int st_rule(struct sig_pstate *ps, const struct sig_stmt *st)
{
	struct sig_db *db = ps->ctx->db;
	const struct sig_tok *kv[R_NKEYS];
	const struct sig_tok *kw = &st->t[0];
	if (collect_kv(ps, st, 1, rule_keys, R_NKEYS, kv) || need(ps, st, kv, rule_keys, 4))
		return -1;
	struct sig_rule r;
	memset(&r, 0, sizeof r);
	r.encrypted = -1;
	if (find_app(ps, kv[R_APP], &r.app) || get_name(ps, kv[R_SERVICE], &r.service) ||
	    parse_category(ps, kv[R_CATEGORY], &r.category) || sig_parse_proto(ps, kv[R_PROTO], &r.proto))
		return -1;
	const struct sig_app *app = sig_app_at(db, r.app);
	if (kv[R_SERVER]) {
		if (kv_addrs(ps, kv[R_SERVER], &r.server))
			return -1;
	} else { /* FORMAT.md: on-premises apps default to @internal, others to any */
		r.server_default = true;
		r.server.any = !app->onprem;
		r.server.internal = app->onprem;
	}
	if (kv[R_CLIENT]) {
		if (kv_addrs(ps, kv[R_CLIENT], &r.client))
			return -1;
	} else {
		r.client.any = true;
	}
	r.sport.any = r.cport.any = true;
	if ((kv[R_SPORT] && kv_ports(ps, kv[R_SPORT], &r.sport)) ||
	    (kv[R_CPORT] && kv_ports(ps, kv[R_CPORT], &r.cport)))
		return -1;
	bool enc;
	if (kv[R_ENC]) {
		if (sig_parse_yesno(ps, kv[R_ENC], &enc))
			return -1;
		r.encrypted = enc;
	}
	if (kv[R_DSCP] && sig_parse_dscp(ps, kv[R_DSCP], r.dscp, SIG_MAX_DSCP, &r.ndscp))
		return -1;
	r.label = dup_opt(ps, kv[R_LABEL]);
	if (kv[R_PAYLOAD] && parse_payload(ps, kv[R_PAYLOAD], &r.payload))
		return -1;
	if (kv[R_NEEDS]) {
		const struct sig_tok *t = kv[R_NEEDS];
		if (strcmp(t->val, "payload") == 0) {
			if (!r.payload) /* nothing could ever confirm it: the rule would never label */
				return sig_perr(ps, t->line, t->col, "needs=payload without payload=");
			r.needs_payload = true;
		} else if (strcmp(t->val, "corroboration") == 0) {
			r.needs_corrob = true;
		} else if (strcmp(t->val, "name") == 0) {
			r.needs_name = true;
		} else {
			return sig_perr(ps, t->line, sig_vcol(t),
					"needs: expected payload, corroboration or name, got '%s'",
					t->val);
		}
	}
	if (kv[R_PSIDE]) { /* the product's own server is the client of the flow (ucflow-signatures(5)) */
		const struct sig_tok *t = kv[R_PSIDE];
		if (strcmp(t->val, "client") == 0)
			r.product_client = true;
		else if (strcmp(t->val, "server") != 0)
			return sig_perr(ps, t->line, sig_vcol(t),
					"product_side: expected server or client, got '%s'", t->val);
		if (r.product_client && r.sport.any)
			return sig_perr(ps, t->line, t->col, "product_side=client needs server_port=");
	}
	r.scope = app->scope;
	if (kv[R_SCOPE] && get_name(ps, kv[R_SCOPE], &r.scope))
		return -1;
	if (kv[R_BASIS]) {
		const struct sig_tok *t = kv[R_BASIS];
		if (strcmp(t->val, "interpretation") == 0)
			r.interpretation = true;
		else if (strcmp(t->val, "document") != 0)
			return sig_perr(ps, t->line, sig_vcol(t),
					"basis: expected document or interpretation, got '%s'", t->val);
	}
	r.standard = dup_opt(ps, kv[R_STANDARD]);
	if (r.standard && !r.interpretation) /* a document row cites its document, not a standard */
		return sig_perr(ps, kv[R_STANDARD]->line, kv[R_STANDARD]->col,
				"standard= without basis=interpretation");
	if (r.interpretation) {
		char buf[600];
		snprintf(buf, sizeof buf, "interpretation%s%s", r.standard ? ": " : "",
			 r.standard ? r.standard : "");
		if (!(r.basis = sig_strdup(&db->arena, buf)))
			return oom(ps, kw);
	}
	/* A rule needs something to look it up by; one without would label every flow. */
	if (r.sport.any && r.server.npfx == 0 && r.client.npfx == 0)
		return sig_perr(ps, kw->line, kw->col,
				"rule has no server_port and no documented server or client subnet: it "
				"would match every flow");
	if (fill_src(ps, st, &r.src))
		return -1;
	if (db->rules.n >= SIG_MAX_RULES)
		return sig_perr(ps, kw->line, kw->col, "too many rules (at most %u)", SIG_MAX_RULES);
	struct sig_rule *nr = sig_vec_push(&db->rules);
	if (!nr)
		return oom(ps, kw);
	*nr = r;
	cur_file(ps)->nrules++;
	SIG_VEC_AT(&db->apps, struct sig_app, r.app)->nrules++;
	return 0;
}

enum { Q_APP, Q_SERVICE, Q_PROTO, Q_DSCP, Q_SERVER, Q_SPORT, Q_CPORT, Q_LABEL, Q_NKEYS };
static const char *const qos_keys[Q_NKEYS] = { "app", "service", "proto", "dscp", "server",
	"server_port", "client_port", "label" };

static int st_qos(struct sig_pstate *ps, const struct sig_stmt *st)
{
	struct sig_db *db = ps->ctx->db;
	const struct sig_tok *kv[Q_NKEYS];
	if (collect_kv(ps, st, 1, qos_keys, Q_NKEYS, kv) || need(ps, st, kv, qos_keys, 4))
		return -1;
	struct sig_qos q;
	memset(&q, 0, sizeof q);
	uint8_t n;
	if (find_app(ps, kv[Q_APP], &q.app) || get_name(ps, kv[Q_SERVICE], &q.service) ||
	    sig_parse_proto(ps, kv[Q_PROTO], &q.proto) || sig_parse_dscp(ps, kv[Q_DSCP], &q.dscp, 1, &n))
		return -1;
	q.server.any = q.sport.any = q.cport.any = true;
	if ((kv[Q_SERVER] && kv_addrs(ps, kv[Q_SERVER], &q.server)) ||
	    (kv[Q_SPORT] && kv_ports(ps, kv[Q_SPORT], &q.sport)) ||
	    (kv[Q_CPORT] && kv_ports(ps, kv[Q_CPORT], &q.cport)))
		return -1;
	q.label = dup_opt(ps, kv[Q_LABEL]);
	if (fill_src(ps, st, &q.src))
		return -1;
	struct sig_qos *nq = sig_vec_push(&db->qos);
	if (!nq)
		return oom(ps, &st->t[0]);
	*nq = q;
	cur_file(ps)->nqos++;
	SIG_VEC_AT(&db->apps, struct sig_app, q.app)->nqos++;
	return 0;
}

static int parse_pattern(const struct sig_pstate *ps, const struct sig_tok *t, struct sig_domain *d)
{
	const char *p = t->val;
	size_t pl = strlen(p);
	if (pl > 2 && p[0] == '_' && p[pl - 1] == '*' && p[pl - 2] == '.') {
		/* prefix pattern "_service._proto.*": DNS SRV lookups' leading labels (RFC 2782);
		 * every label an underscore one, so it never names a host */
		bool ok = true;
		for (size_t i = 0; ok && i + 1 < pl; i++) {
			char c = p[i];
			ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			     c == '-' || c == '_' ||
			     (c == '.' && p[i - 1] != '.' && (i + 2 == pl || p[i + 1] == '_'));
		}
		if (!ok)
			return sig_perr(ps, t->line, sig_vcol(t),
					"bad prefix pattern '%s' (expected _service._proto.*)", p);
		char *s = sig_strdup(&ps->ctx->db->arena, p);
		if (!s)
			return oom(ps, t);
		for (char *c = s; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		s[pl - 1] = '\0'; /* "_service._proto." */
		d->prefix = true;
		d->suffix = s;
		d->pattern = sig_strdup(&ps->ctx->db->arena, p);
		return d->pattern ? 0 : oom(ps, t);
	}
	d->wildcard = strncmp(p, "*.", 2) == 0;
	const char *body = d->wildcard ? p + 2 : p;
	size_t n = strlen(body);
	bool ok = n > 0 && body[0] != '.' && body[n - 1] != '.' && !strstr(body, "..");
	for (size_t i = 0; ok && i < n; i++) {
		char c = body[i];
		ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		     c == '-' || c == '.' || c == '_';
	}
	if (!ok)
		return sig_perr(ps, t->line, sig_vcol(t),
				"bad domain pattern '%s' (expected *.example.com or host.example.com)", p);
	char *s = sig_strdup(&ps->ctx->db->arena, body);
	if (!s)
		return oom(ps, t);
	for (char *c = s; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	d->suffix = s;
	d->pattern = sig_strdup(&ps->ctx->db->arena, p);
	return d->pattern ? 0 : oom(ps, t);
}

enum { D_APP, D_SERVICE, D_PATTERN, D_KIND, D_LABEL, D_SCOPE, D_NKEYS };
static const char *const domain_keys[D_NKEYS] = { "app", "service", "pattern", "kind", "label",
	"scope" };

static int st_domain(struct sig_pstate *ps, const struct sig_stmt *st)
{
	struct sig_db *db = ps->ctx->db;
	const struct sig_tok *kv[D_NKEYS];
	if (collect_kv(ps, st, 1, domain_keys, D_NKEYS, kv) || need(ps, st, kv, domain_keys, 3))
		return -1;
	struct sig_domain d;
	memset(&d, 0, sizeof d);
	if (find_app(ps, kv[D_APP], &d.app) || get_name(ps, kv[D_SERVICE], &d.service) ||
	    parse_pattern(ps, kv[D_PATTERN], &d))
		return -1;
	if (kv[D_KIND]) {
		const struct sig_tok *k = kv[D_KIND];
		if (strcmp(k->val, "dependency") == 0)
			d.dependency = true;
		else if (strcmp(k->val, "allow-list") == 0)
			d.allow_list = true;
		else if (strcmp(k->val, "service") != 0)
			return sig_perr(ps, k->line, sig_vcol(k),
					"kind: expected service, dependency or allow-list, got '%s'",
					k->val);
	}
	d.scope = sig_app_at(db, d.app)->scope;
	if (kv[D_SCOPE] && get_name(ps, kv[D_SCOPE], &d.scope))
		return -1;
	d.label = dup_opt(ps, kv[D_LABEL]);
	if (fill_src(ps, st, &d.src))
		return -1;
	if (db->domains.n >= SIG_MAX_DOMAINS) /* labels name domain rows by a uint16_t index */
		return sig_perr(ps, st->t[0].line, st->t[0].col, "too many domain rows (at most %u)",
				SIG_MAX_DOMAINS);
	struct sig_domain *nd = sig_vec_push(&db->domains);
	if (!nd)
		return oom(ps, &st->t[0]);
	*nd = d;
	cur_file(ps)->ndomain++;
	SIG_VEC_AT(&db->apps, struct sig_app, d.app)->ndomain++;
	return 0;
}

/* note: a citation of a prose passage (a requirement the document states outside its tables). */
enum { N_APP, N_ID, N_TEXT, N_SECTION, N_NKEYS };
static const char *const note_keys[N_NKEYS] = { "app", "id", "text", "section" };

static int st_note(struct sig_pstate *ps, const struct sig_stmt *st)
{
	struct sig_db *db = ps->ctx->db;
	const struct sig_tok *kv[N_NKEYS];
	/* keys[] order puts the three required keys first */
	if (collect_kv(ps, st, 1, note_keys, N_NKEYS, kv) || need(ps, st, kv, note_keys, 3))
		return -1;
	struct sig_note n;
	memset(&n, 0, sizeof n);
	const struct sig_tok *id = kv[N_ID];
	if (find_app(ps, kv[N_APP], &n.app) || get_name(ps, id, &n.id))
		return -1;
	for (size_t i = 0; i < db->notes.n; i++) {
		const struct sig_note *o = SIG_VEC_AT(&db->notes, const struct sig_note, i);
		if (o->app == n.app && strcmp(o->id, n.id) == 0)
			return sig_perr(ps, id->line, sig_vcol(id),
					"redefinition of note '%s' of app '%s' (first defined at %s:%u:%u)",
					n.id, sig_app_at(db, n.app)->id,
					SIG_VEC_AT(&db->files, const struct sig_file, o->src.file)->path,
					o->src.loc.line, o->id_col);
	}
	n.id_col = sig_vcol(id);
	n.text = dup_opt(ps, kv[N_TEXT]);
	n.section = dup_opt(ps, kv[N_SECTION]);
	if (!n.text || (kv[N_SECTION] && !n.section))
		return oom(ps, &st->t[0]);
	if (fill_src(ps, st, &n.src))
		return -1;
	n.src.table = NULL; /* a passage of the document, not a row of its current table */
	struct sig_note *nn = sig_vec_push(&db->notes);
	if (!nn)
		return oom(ps, &st->t[0]);
	*nn = n;
	cur_file(ps)->nnote++;
	return 0;
}

static const char *const server_keys[] = { "app", "addrs", "service" };

static int st_server(struct sig_pstate *ps, const struct sig_stmt *st)
{
	struct sig_db *db = ps->ctx->db;
	const struct sig_tok *kw = &st->t[0];
	if (!ps->site)
		return sig_perr(ps, kw->line, kw->col, "'server' is only allowed in the site file");
	const struct sig_tok *kv[3];
	/* keys[] order puts the two required keys first */
	if (collect_kv(ps, st, 1, server_keys, 3, kv) || need(ps, st, kv, server_keys, 2))
		return -1;
	struct sig_site_server s;
	memset(&s, 0, sizeof s);
	if (find_app(ps, kv[0], &s.app) ||
	    sig_parse_addrs(ps, kv[1]->val, kv[1]->line, sig_vcol(kv[1]), false, &s.addrs))
		return -1;
	if (kv[2]) {
		if (get_name(ps, kv[2], &s.service))
			return -1;
		s.service_loc.file = ps->path;
		s.service_loc.line = kv[2]->line;
		s.service_loc.col = sig_vcol(kv[2]);
	}
	s.loc.file = ps->path;
	s.loc.line = kw->line;
	s.loc.col = kw->col;
	struct sig_site_server *ns = sig_vec_push(&db->servers);
	if (!ns)
		return oom(ps, kw);
	*ns = s;
	return 0;
}

static int parse_file(struct sig_parse_ctx *ctx, const char *path, bool site,
		      const struct sig_pstate *from, const struct sig_tok *from_tok);

static int st_include(struct sig_pstate *ps, const struct sig_stmt *st)
{
	const struct sig_tok *kw = &st->t[0];
	if (st->n != 2)
		return st->n < 2 ? sig_perr(ps, kw->line, kw->col, "include: missing file name")
				 : sig_perr(ps, st->t[2].line, st->t[2].col, "include: unexpected '%s'",
					    st->t[2].s);
	const struct sig_tok *t = &st->t[1];
	char full[PATH_MAX];
	const char *slash = strrchr(ps->path, '/');
	int n;
	if (t->s[0] == '/' || !slash) /* relative to the including file's directory */
		n = snprintf(full, sizeof full, "%s", t->s);
	else
		n = snprintf(full, sizeof full, "%.*s/%s", (int)(slash - ps->path), ps->path, t->s);
	if (n < 0 || (size_t)n >= sizeof full)
		return sig_perr(ps, t->line, t->col, "include: path too long");
	return parse_file(ps->ctx, full, ps->site, ps, t);
}

typedef int (*stmt_fn)(struct sig_pstate *, const struct sig_stmt *);
static int st_addrset(struct sig_pstate *ps, const struct sig_stmt *st)
{
	return st_set(ps, st, false);
}
static int st_portset(struct sig_pstate *ps, const struct sig_stmt *st)
{
	return st_set(ps, st, true);
}

static const struct {
	const char *kw;
	stmt_fn fn;
} statements[] = {
	{ "include", st_include }, { "doc", st_doc },         { "table", st_table },
	{ "app", st_app },         { "addrset", st_addrset }, { "portset", st_portset },
	{ "rule", st_rule },       { "qos", st_qos },         { "domain", st_domain },
	{ "note", st_note },       { "role", sig_st_role },
	{ "shared-ports", st_shared }, { "internal", st_internal }, { "server", st_server },
};

static const char *display_name(struct sig_parse_ctx *ctx, const char *path)
{
	size_t n = ctx->sigdir ? strlen(ctx->sigdir) : 0;
	if (n && strncmp(path, ctx->sigdir, n) == 0 && path[n] == '/')
		path += n + 1;
	return sig_strdup(&ctx->db->arena, path);
}

static int parse_file(struct sig_parse_ctx *ctx, const char *path, bool site,
		      const struct sig_pstate *from, const struct sig_tok *from_tok)
{
	struct sig_db *db = ctx->db;
	struct sig_loc whole = { path, 0, 0 };
	char *real = realpath(path, NULL);
	if (!real) {
		if (from)
			return sig_perr(from, from_tok->line, from_tok->col, "cannot open '%s': %s",
					from_tok->s, strerror(errno));
		sig_errf(ctx->err, ctx->errlen, &whole, "cannot open: %s", strerror(errno));
		return -1;
	}
	for (unsigned i = 0; i < ctx->depth; i++)
		if (strcmp(ctx->stack[i], real) == 0) {
			free(real);
			return sig_perr(from, from_tok->line, from_tok->col,
					"include loop: '%s' is already being loaded", from_tok->s);
		}
	if (ctx->depth > SIG_MAX_INCLUDE_DEPTH) {
		free(real);
		return sig_perr(from, from_tok->line, from_tok->col,
				"includes nested too deeply (at most %d levels)", SIG_MAX_INCLUDE_DEPTH);
	}
	ctx->stack[ctx->depth++] = real;

	struct sig_pstate ps = { .ctx = ctx, .site = site };
	ps.path = sig_strdup(&db->arena, path);
	ps.display = display_name(ctx, path);
	struct sig_file *f = sig_vec_push(&db->files);
	int rc = -1;
	if (!ps.path || !ps.display || !f || db->files.n > UINT16_MAX) {
		sig_errf(ctx->err, ctx->errlen, &whole, "out of memory");
		goto out;
	}
	ps.file = (uint16_t)(db->files.n - 1);
	f->path = ps.path;
	f->name = ps.display;
	f->site = site;
	struct sig_lexer lx;
	if (sig_lex_open(&lx, path, ps.path, ctx->err, ctx->errlen)) {
		if (from)
			sig_perr(from, from_tok->line, from_tok->col, "cannot read '%s': %s",
				 from_tok->s, strerror(errno));
		else
			sig_errf(ctx->err, ctx->errlen, &whole, "cannot read: %s", strerror(errno));
		goto out;
	}
	struct sig_stmt st = { 0 };
	int got;
	while ((got = sig_lex_next(&lx, &st)) == 1) {
		const struct sig_tok *kw = &st.t[0];
		size_t i = 0, n = sizeof statements / sizeof statements[0];
		while (i < n && (kw->key || kw->quoted || strcmp(statements[i].kw, kw->s) != 0))
			i++;
		if (i == n) {
			sig_perr(&ps, kw->line, kw->col, "unknown keyword '%s'", kw->s);
			got = -1;
			break;
		}
		if (statements[i].fn(&ps, &st)) {
			got = -1;
			break;
		}
	}
	sig_stmt_free(&st);
	sig_lex_close(&lx);
	rc = got < 0 ? -1 : 0;
out:
	free(ctx->stack[--ctx->depth]);
	return rc;
}

int sig_parse_file(struct sig_parse_ctx *ctx, const char *path, bool site)
{
	return parse_file(ctx, path, site, NULL, NULL);
}

int sig_parse_finish(struct sig_parse_ctx *ctx)
{
	struct sig_db *db = ctx->db;
	for (size_t i = 0; i < db->servers.n; i++) {
		const struct sig_site_server *s = SIG_VEC_AT(&db->servers, struct sig_site_server, i);
		if (!s->service)
			continue;
		bool found = false;
		for (size_t r = 0; r < db->rules.n && !found; r++)
			found = sig_rule_at(db, r)->app == s->app && sig_rule_at(db, r)->service == s->service;
		if (!found) {
			sig_errf(ctx->err, ctx->errlen, &s->service_loc, "no rule of app '%s' has service '%s'",
				 sig_app_at(db, s->app)->id, s->service);
			return -1;
		}
	}
	return 0;
}
