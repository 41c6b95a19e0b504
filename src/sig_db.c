/* sig_db.c - signature database: loading a directory + site file, compiling lookup tables, views. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sig_internal.h"

const char *const sig_category_names[] = { "signalling", "media", "management", "directory",
	"database", "web", "notification", "email", "reporting", "configuration", "time", "dns",
	"messaging", "presence", "federation", "proxy", "other" };

unsigned sig_category_count(void)
{
	return sizeof sig_category_names / sizeof sig_category_names[0];
}

/* FORMAT.md: the predefined @internal. */
static const char *const default_internal[] = { "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
	"127.0.0.0/8", "169.254.0.0/16", "fc00::/7", "fe80::/10", "::1/128" };

static struct sig_db *db_new(void)
{
	struct sig_db *db = calloc(1, sizeof *db);
	if (!db)
		return NULL;
	db->files.size = sizeof(struct sig_file);
	db->apps.size = sizeof(struct sig_app);
	db->rules.size = sizeof(struct sig_rule);
	db->qos.size = sizeof(struct sig_qos);
	db->domains.size = sizeof(struct sig_domain);
	db->notes.size = sizeof(struct sig_note);
	db->docs.size = sizeof(struct sig_doc);
	db->servers.size = sizeof(struct sig_site_server);
	db->internal.size = sizeof(struct sig_prefix);
	db->roles.size = sizeof(struct sig_role);
	for (size_t i = 0; i < sizeof default_internal / sizeof default_internal[0]; i++) {
		struct sig_prefix *p = sig_vec_push(&db->internal);
		if (!p) {
			sig_db_free(db);
			return NULL;
		}
		char a[64];
		const char *slash = strchr(default_internal[i], '/');
		snprintf(a, sizeof a, "%.*s", (int)(slash - default_internal[i]), default_internal[i]);
		ucf_addr_parse(a, &p->a);
		p->len = (uint8_t)(atoi(slash + 1) + (strchr(a, ':') ? 0 : 96));
	}
	return db;
}

static void groups_free(struct sig_groups *g)
{
	cidr_free(g->trie);
	free(g->off);
	free(g->items);
	memset(g, 0, sizeof *g);
}

void sig_db_free(struct sig_db *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->rules.n; i++) {
		struct sig_rule *r = SIG_VEC_AT(&db->rules, struct sig_rule, i);
		cidr_free(r->srv_doc);
		cidr_free(r->cli_doc);
	}
	for (size_t i = 0; i < db->qos.n; i++)
		cidr_free(SIG_VEC_AT(&db->qos, struct sig_qos, i)->srv);
	cidr_free(db->internal_trie);
	groups_free(&db->srv_groups);
	groups_free(&db->cli_groups);
	groups_free(&db->site_groups);
	port_table_free(db->ports);
	free(db->rule_qos);
	HASH_CLEAR(hh, db->strings);
	HASH_CLEAR(hh, db->sets);
	free(db->files.v);
	free(db->apps.v);
	free(db->rules.v);
	free(db->qos.v);
	free(db->domains.v);
	free(db->notes.v);
	free(db->docs.v);
	free(db->servers.v);
	free(db->internal.v);
	free(db->roles.v);
	sig_arena_free(&db->arena);
	free(db);
}

/* ---- compile ---- */

struct pair {
	struct sig_prefix p;
	uint16_t item;
};

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = memcmp(x->p.a.b, y->p.a.b, 16);
	if (c)
		return c;
	if (x->p.len != y->p.len)
		return x->p.len < y->p.len ? -1 : 1;
	return (x->item > y->item) - (x->item < y->item);
}

/* Candidate index: each distinct prefix becomes a group listing the items that name it. */
static int build_groups(struct sig_groups *g, struct pair *pairs, size_t n)
{
	if (n)
		qsort(pairs, n, sizeof *pairs, cmp_pair);
	g->trie = cidr_new();
	g->off = malloc((n + 1) * sizeof *g->off);
	g->items = malloc((n ? n : 1) * sizeof *g->items);
	if (!g->trie || !g->off || !g->items)
		return -1;
	size_t k = 0;
	uint32_t ng = 0;
	for (size_t i = 0; i < n; i++) {
		bool same = i > 0 && pairs[i].p.len == pairs[i - 1].p.len &&
			    memcmp(pairs[i].p.a.b, pairs[i - 1].p.a.b, 16) == 0;
		if (!same) {
			g->off[ng] = (uint32_t)k;
			if (cidr_insert(g->trie, &pairs[i].p.a, pairs[i].p.len, ng) != ng)
				return -1;
			ng++;
		} else if (pairs[i].item == pairs[i - 1].item) {
			continue;
		}
		g->items[k++] = pairs[i].item;
	}
	g->off[ng] = (uint32_t)k;
	g->ngroups = ng;
	return 0;
}

static int pair_push(struct sig_vec *v, const struct sig_prefix *p, size_t item)
{
	struct pair *e = sig_vec_push(v);
	if (!e)
		return -1;
	e->p = *p;
	e->item = (uint16_t)item;
	return 0;
}

/* A trie of a rule's documented prefixes; the value is the prefix length (for specificity). */
static int doc_trie(const struct sig_aspec *a, struct cidr **out)
{
	*out = NULL;
	if (!a->npfx)
		return 0;
	if (!(*out = cidr_new()))
		return -1;
	for (uint32_t i = 0; i < a->npfx; i++)
		if (cidr_insert(*out, &a->pfx[i].a, a->pfx[i].len, a->pfx[i].len) == CIDR_NONE)
			return -1;
	return 0;
}

static int compile_tables(struct sig_db *db)
{
	const struct sig_prefix *in = db->internal.v;
	if (!(db->internal_trie = cidr_new()))
		return -1;
	for (size_t i = 0; i < db->internal.n; i++)
		if (cidr_insert(db->internal_trie, &in[i].a, in[i].len, 0) == CIDR_NONE)
			return -1;

	struct sig_vec srv = { NULL, 0, 0, sizeof(struct pair) };
	struct sig_vec cli = srv, site = srv;
	int rc = -1;
	for (size_t i = 0; i < db->rules.n; i++) {
		struct sig_rule *r = SIG_VEC_AT(&db->rules, struct sig_rule, i);
		if (doc_trie(&r->server, &r->srv_doc) || doc_trie(&r->client, &r->cli_doc))
			goto out;
		for (uint32_t k = 0; k < r->server.npfx; k++)
			if (pair_push(&srv, &r->server.pfx[k], i))
				goto out;
		for (uint32_t k = 0; k < r->client.npfx; k++)
			if (pair_push(&cli, &r->client.pfx[k], i))
				goto out;
	}
	for (size_t i = 0; i < db->servers.n; i++) {
		const struct sig_site_server *s = SIG_VEC_AT(&db->servers, struct sig_site_server, i);
		for (uint32_t k = 0; k < s->addrs.npfx; k++)
			if (pair_push(&site, &s->addrs.pfx[k], i))
				goto out;
		for (size_t k = 0; s->addrs.internal && k < db->internal.n; k++)
			if (pair_push(&site, &in[k], i))
				goto out;
	}
	if (build_groups(&db->srv_groups, srv.v, srv.n) ||
	    build_groups(&db->cli_groups, cli.v, cli.n) ||
	    build_groups(&db->site_groups, site.v, site.n))
		goto out;
	/* qos server sets include @internal by value: they are only checked after a rule matched */
	for (size_t i = 0; i < db->qos.n; i++) {
		struct sig_qos *q = SIG_VEC_AT(&db->qos, struct sig_qos, i);
		if (q->server.any)
			continue;
		if (doc_trie(&q->server, &q->srv) || (!q->srv && !(q->srv = cidr_new())))
			goto out;
		for (size_t k = 0; q->server.internal && k < db->internal.n; k++)
			if (cidr_insert(q->srv, &in[k].a, in[k].len, in[k].len) == CIDR_NONE)
				goto out;
	}
	/* Flattened lookup forms: classification looks up every flow's addresses in these. A
	 * failure only leaves the slower trie walk. */
	cidr_finalize(db->internal_trie);
	cidr_finalize(db->srv_groups.trie);
	cidr_finalize(db->cli_groups.trie);
	cidr_finalize(db->site_groups.trie);
	for (size_t i = 0; i < db->rules.n; i++) {
		struct sig_rule *r = SIG_VEC_AT(&db->rules, struct sig_rule, i);
		if (r->srv_doc)
			cidr_finalize(r->srv_doc);
		if (r->cli_doc)
			cidr_finalize(r->cli_doc);
	}
	for (size_t i = 0; i < db->qos.n; i++)
		if (SIG_VEC_AT(&db->qos, struct sig_qos, i)->srv)
			cidr_finalize(SIG_VEC_AT(&db->qos, struct sig_qos, i)->srv);
	rc = 0;
out:
	free(srv.v);
	free(cli.v);
	free(site.v);
	return rc;
}

/* rule -> the qos rows of the same app and service whose transport overlaps, in file order. */
static int compile_qos(struct sig_db *db)
{
	size_t total = 0;
	for (int pass = 0; pass < 2; pass++) {
		size_t k = 0;
		for (size_t i = 0; i < db->rules.n; i++) {
			struct sig_rule *r = SIG_VEC_AT(&db->rules, struct sig_rule, i);
			r->qos_off = (uint32_t)k;
			for (size_t j = 0; j < db->qos.n; j++) {
				const struct sig_qos *q = SIG_VEC_AT(&db->qos, struct sig_qos, j);
				if (q->app != r->app || q->service != r->service || !(q->proto & r->proto))
					continue;
				if (pass == 1)
					db->rule_qos[k] = (uint32_t)j;
				k++;
			}
			r->nqos = (uint32_t)k - r->qos_off;
		}
		total = k;
		if (pass == 0 && !(db->rule_qos = malloc((total ? total : 1) * sizeof(uint32_t))))
			return -1;
	}
	return 0;
}

/* Domain rows have no category: take the one of the app's first rule with the same service
 * (webex push-notification -> notification), else "web" (names are looked up by HTTPS clients). */
static void compile_domains(struct sig_db *db)
{
	uint8_t web = 0;
	while (web + 1u < sig_category_count() && strcmp(sig_category_names[web], "web") != 0)
		web++;
	for (size_t i = 0; i < db->domains.n; i++) {
		struct sig_domain *d = SIG_VEC_AT(&db->domains, struct sig_domain, i);
		d->category = web;
		for (size_t k = 0; k < db->rules.n; k++) {
			const struct sig_rule *r = sig_rule_at(db, k);
			if (r->app == d->app && r->service == d->service) {
				d->category = r->category;
				break;
			}
		}
	}
}

/* The server ports that orient a flow seen without its SYN (sig_server_port). */
static void compile_server_ports(struct sig_db *db)
{
	memset(db->srvport, 0, sizeof db->srvport);
	for (unsigned t = 0; t < 2; t++)
		for (unsigned p = 0; p < 1024; p++)
			db->srvport[t][p >> 3] |= (uint8_t)(1u << (p & 7));
	for (size_t i = 0; i < db->rules.n; i++) {
		const struct sig_rule *r = sig_rule_at(db, i);
		if (r->sport.any)
			continue;
		for (uint32_t k = 0; k < r->sport.nr; k++) {
			uint32_t lo = r->sport.r[k].lo, hi = r->sport.r[k].hi;
			if (hi - lo + 1 > SIG_SRVPORT_MAX_WIDTH)
				continue;
			for (uint32_t p = lo; p <= hi; p++)
				for (unsigned t = 0; t < 2; t++)
					if (r->proto & (t ? SIG_PROTO_UDP : SIG_PROTO_TCP))
						db->srvport[t][p >> 3] |= (uint8_t)(1u << (p & 7));
		}
	}
}

/* Scope names to small ids (a flow keeps its label's scope in one byte). */
static int scope_id(struct sig_db *db, const char *s, uint8_t *id)
{
	*id = 0;
	if (!s)
		return 0;
	for (unsigned i = 0; i < db->nscopes; i++)
		if (db->scopes[i] == s) { /* interned */
			*id = (uint8_t)(i + 1);
			return 0;
		}
	if (db->nscopes >= sizeof db->scopes / sizeof db->scopes[0])
		return -1;
	db->scopes[db->nscopes++] = s;
	*id = (uint8_t)db->nscopes;
	return 0;
}

static int compile_scopes(struct sig_db *db)
{
	db->nscopes = 0;
	for (size_t i = 0; i < db->rules.n; i++) {
		struct sig_rule *r = SIG_VEC_AT(&db->rules, struct sig_rule, i);
		if (scope_id(db, r->scope, &r->scope_id))
			return -1;
	}
	for (size_t i = 0; i < db->domains.n; i++) {
		struct sig_domain *d = SIG_VEC_AT(&db->domains, struct sig_domain, i);
		if (scope_id(db, d->scope, &d->scope_id))
			return -1;
	}
	return 0;
}

const char *sig_scope_name(const struct sig_db *db, uint8_t id)
{
	return db && id && id <= db->nscopes ? db->scopes[id - 1] : "";
}

int sig_db_compile(struct sig_db *db, char *err, size_t errlen)
{
	compile_domains(db);
	compile_server_ports(db);
	if (compile_scopes(db)) {
		snprintf(err, errlen, "more than %zu distinct scope names",
			 sizeof db->scopes / sizeof db->scopes[0]);
		return -1;
	}
	if (compile_tables(db) || compile_qos(db) || !(db->ports = port_table_build(db))) {
		snprintf(err, errlen, "out of memory while compiling the signature tables");
		return -1;
	}
	return 0;
}

/* ---- load ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_dir(struct sig_parse_ctx *ctx, const char *dir)
{
	struct sig_loc whole = { dir, 0, 0 };
	DIR *d = opendir(dir);
	if (!d) {
		sig_errf(ctx->err, ctx->errlen, &whole, "cannot open signature directory: %s",
			 strerror(errno));
		return -1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = -1;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len < 5 || strcmp(e->d_name + len - 4, ".sig") != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char **nn = realloc(names, cap * sizeof *nn);
			if (!nn)
				goto oom;
			names = nn;
		}
		if (!(names[n] = strdup(e->d_name)))
			goto oom;
		n++;
	}
	if (n == 0) {
		sig_errf(ctx->err, ctx->errlen, &whole, "no *.sig files in the signature directory");
		goto out;
	}
	qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];
		if (snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= (int)sizeof path) {
			sig_errf(ctx->err, ctx->errlen, &whole, "path too long");
			goto out;
		}
		if (sig_parse_file(ctx, path, false))
			goto out;
	}
	rc = 0;
	goto out;
oom:
	sig_errf(ctx->err, ctx->errlen, &whole, "out of memory");
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

int sig_db_load(struct sig_db **out, const char *sigdir, const char *site_file, char *errbuf,
		size_t errlen)
{
	*out = NULL;
	if (errbuf && errlen)
		errbuf[0] = '\0';
	struct sig_db *db = db_new();
	if (!db) {
		snprintf(errbuf, errlen, "out of memory");
		return UCF_ERR_CONFIG;
	}
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", sigdir ? sigdir : "");
	for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/'; n--)
		dir[n - 1] = '\0';
	struct sig_parse_ctx ctx = { .db = db, .err = errbuf, .errlen = errlen,
				     .sigdir = sigdir ? dir : NULL };
	if ((sigdir && load_dir(&ctx, dir)) || (site_file && sig_parse_file(&ctx, site_file, true)) ||
	    sig_parse_finish(&ctx) || sig_role_finish(&ctx) || sig_db_compile(db, errbuf, errlen)) {
		sig_db_free(db);
		return UCF_ERR_CONFIG;
	}
	db->site_path = site_file ? sig_strdup(&db->arena, site_file) : NULL;
	*out = db;
	return UCF_OK;
}

/* ---- lookups used by the classifier and views ---- */

int sig_pspec_find(const struct sig_pspec *ps, uint16_t port, uint32_t *width)
{
	if (ps->any) {
		*width = 65536;
		return 0;
	}
	uint32_t lo = 0, hi = ps->nr;
	while (lo < hi) { /* ranges are sorted and disjoint */
		uint32_t mid = (lo + hi) / 2;
		if (port < ps->r[mid].lo)
			hi = mid;
		else if (port > ps->r[mid].hi)
			lo = mid + 1;
		else {
			*width = (uint32_t)ps->r[mid].hi - ps->r[mid].lo + 1;
			return (int)mid;
		}
	}
	return -1;
}

static bool aspec_same(const struct sig_aspec *a, const struct sig_aspec *b)
{
	return a->any == b->any && a->internal == b->internal && a->npfx == b->npfx &&
	       (!a->npfx || memcmp(a->pfx, b->pfx, a->npfx * sizeof *a->pfx) == 0);
}

static bool pspec_same(const struct sig_pspec *a, const struct sig_pspec *b)
{
	return a->any == b->any && a->nr == b->nr &&
	       (!a->nr || memcmp(a->r, b->r, a->nr * sizeof *a->r) == 0);
}

int sig_rule_identical_earlier(const struct sig_db *db, size_t idx)
{
	const struct sig_rule *r = sig_rule_at(db, idx);
	for (size_t i = 0; i < idx; i++) {
		const struct sig_rule *o = sig_rule_at(db, i);
		if (o->app == r->app && o->proto == r->proto && aspec_same(&o->server, &r->server) &&
		    aspec_same(&o->client, &r->client) && pspec_same(&o->sport, &r->sport) &&
		    pspec_same(&o->cport, &r->cport))
			return (int)i;
	}
	return -1;
}

size_t sig_rule_count(const struct sig_db *db)
{
	return db ? db->rules.n : 0;
}

static const char *proto_name(uint8_t p)
{
	return p == SIG_PROTO_TCP ? "tcp" : p == SIG_PROTO_UDP ? "udp" : "both";
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* The view of domain row d, for flows labelled by a domain match (CLASSIFY_RULE_DOMAIN_BASE + d). */
static bool domain_rule_get(const struct sig_db *db, size_t d, struct sig_rule_view *out)
{
	if (d >= db->domains.n)
		return false;
	const struct sig_domain *dr = SIG_VEC_AT(&db->domains, const struct sig_domain, d);
	const struct sig_app *a = sig_app_at(db, dr->app);
	memset(out, 0, sizeof *out);
	out->app = a->id;
	out->app_name = a->name;
	out->service = dr->service;
	out->category = sig_category_names[dr->category];
	out->file = dr->src.loc.file;
	out->doc = nz(dr->src.doc);
	out->doc_title = nz(dr->src.doc_title);
	out->table = nz(dr->src.table);
	out->label = dr->pattern;
	out->line = dr->src.loc.line;
	out->encrypted = -1; /* a row property; the flow's own payload (tls/dtls) tells */
	out->proto = "both";
	out->server = out->server_port = out->client = out->client_port = "any";
	out->onprem = a->onprem;
	out->scope = nz(dr->scope);
	out->standard = "";
	return true;
}

bool sig_rule_brief_get(const struct sig_db *db, uint16_t idx, struct sig_rule_brief *out)
{
	if (db && idx >= CLASSIFY_RULE_DOMAIN_BASE && idx != FLOW_RULE_NONE) {
		struct sig_rule_view v;
		if (!domain_rule_get(db, (size_t)idx - CLASSIFY_RULE_DOMAIN_BASE, &v))
			return false;
		*out = (struct sig_rule_brief){ v.app, v.service, v.category, v.file, v.line,
						v.encrypted, "" };
		return true;
	}
	if (!db || idx >= db->rules.n)
		return false;
	const struct sig_rule *r = sig_rule_at(db, idx);
	out->app = sig_app_at(db, r->app)->id;
	out->service = r->service;
	out->category = sig_category_names[r->category];
	out->file = r->src.loc.file;
	out->line = r->src.loc.line;
	out->encrypted = r->encrypted;
	out->basis = nz(r->basis);
	return true;
}

bool sig_rule_get(const struct sig_db *db, uint16_t idx, struct sig_rule_view *out)
{
	if (db && idx >= CLASSIFY_RULE_DOMAIN_BASE && idx != FLOW_RULE_NONE)
		return domain_rule_get(db, (size_t)idx - CLASSIFY_RULE_DOMAIN_BASE, out);
	if (!db || idx >= db->rules.n)
		return false;
	const struct sig_rule *r = sig_rule_at(db, idx);
	const struct sig_app *a = sig_app_at(db, r->app);
	memset(out, 0, sizeof *out);
	out->app = a->id;
	out->app_name = a->name;
	out->service = r->service;
	out->category = sig_category_names[r->category];
	out->file = r->src.loc.file;
	out->doc = nz(r->src.doc);
	out->doc_title = nz(r->src.doc_title);
	out->table = nz(r->src.table);
	out->label = nz(r->label);
	out->line = r->src.loc.line;
	out->encrypted = r->encrypted;
	out->proto = proto_name(r->proto);
	out->server = r->server_default ? (a->onprem ? "@internal" : "any") : nz(r->server.text);
	out->server_port = r->sport.text ? r->sport.text : "any";
	out->client = r->client.text ? r->client.text : "any";
	out->client_port = r->cport.text ? r->cport.text : "any";
	out->onprem = a->onprem;
	out->ndscp = r->ndscp;
	memcpy(out->dscp, r->dscp, sizeof out->dscp);
	out->scope = nz(r->scope);
	out->interpretation = r->interpretation;
	out->standard = nz(r->standard);
	return true;
}

int sig_app_find(const struct sig_db *db, const char *id)
{
	for (size_t i = 0; db && id && i < db->apps.n; i++)
		if (strcmp(sig_app_at(db, i)->id, id) == 0)
			return (int)i;
	return -1;
}

size_t sig_app_count(const struct sig_db *db)
{
	return db ? db->apps.n : 0;
}

const char *sig_app_id(const struct sig_db *db, int app)
{
	return db && app >= 0 && (size_t)app < db->apps.n ? sig_app_at(db, (size_t)app)->id : NULL;
}

const char *sig_app_name(const struct sig_db *db, int app)
{
	return db && app >= 0 && (size_t)app < db->apps.n ? sig_app_at(db, (size_t)app)->name : NULL;
}

bool sig_port_is_shared(const struct sig_db *db, uint16_t port)
{
	return db && sig_shared(db, port);
}

bool sig_addr_is_internal(const struct sig_db *db, const struct ucf_addr *a)
{
	return db && cidr_contains(db->internal_trie, a);
}

/* ---- domains ---- */

int sig_domain_match(const struct sig_db *db, const char *host)
{
	char h[256];
	size_t n = host ? strlen(host) : 0;
	if (!db || n == 0 || n >= sizeof h)
		return -1;
	for (size_t i = 0; i < n; i++)
		h[i] = (char)(host[i] >= 'A' && host[i] <= 'Z' ? host[i] - 'A' + 'a' : host[i]);
	h[n] = '\0';
	if (h[n - 1] == '.')
		h[--n] = '\0';
	int best = -1;
	size_t best_score = 0;
	for (size_t i = 0; i < db->domains.n; i++) {
		const struct sig_domain *d = SIG_VEC_AT(&db->domains, const struct sig_domain, i);
		size_t sl = strlen(d->suffix), score = 0;
		if (d->prefix) {
			if (n > sl && strncmp(h, d->suffix, sl) == 0)
				score = SIZE_MAX - 1; /* the SRV service labels say what the lookup is for */
		} else if (!d->wildcard) {
			if (strcmp(h, d->suffix) == 0)
				score = SIZE_MAX; /* an exact host beats any wildcard */
		} else if (n == sl && strcmp(h, d->suffix) == 0) {
			score = sl; /* "*.example.com" also matches "example.com" (Webex document) */
		} else if (n > sl && h[n - sl - 1] == '.' && strcmp(h + n - sl, d->suffix) == 0) {
			score = sl;
		}
		if (score > best_score) {
			best_score = score;
			best = (int)i;
		}
	}
	return best;
}

bool sig_domain_get(const struct sig_db *db, size_t idx, struct sig_domain_view *out)
{
	if (!db || idx >= db->domains.n)
		return false;
	const struct sig_domain *d = SIG_VEC_AT(&db->domains, const struct sig_domain, idx);
	out->app = sig_app_at(db, d->app)->id;
	out->service = d->service;
	out->pattern = d->pattern;
	out->label = nz(d->label);
	out->file = d->src.loc.file;
	out->doc = nz(d->src.doc);
	out->table = nz(d->src.table);
	out->line = d->src.loc.line;
	out->dependency = d->dependency;
	out->allow_list = d->allow_list;
	out->scope = nz(d->scope);
	return true;
}

size_t sig_domain_count(const struct sig_db *db)
{
	return db ? db->domains.n : 0;
}

/* ---- documents ---- */

size_t sig_doc_count(const struct sig_db *db)
{
	return db ? db->docs.n : 0;
}

bool sig_doc_get(const struct sig_db *db, size_t idx, struct sig_doc_view *out)
{
	memset(out, 0, sizeof *out);
	if (!db || idx >= db->docs.n)
		return false;
	const struct sig_doc *d = SIG_VEC_AT(&db->docs, const struct sig_doc, idx);
	out->file = d->file;
	out->title = nz(d->title);
	out->vendor = nz(d->vendor);
	out->edition = nz(d->edition);
	out->revised = nz(d->revised);
	out->original = nz(d->original);
	return true;
}

bool sig_doc_find(const struct sig_db *db, const char *file, struct sig_doc_view *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = db && file ? db->docs.n : 0; i-- > 0;) /* the latest statement */
		if (strcmp(SIG_VEC_AT(&db->docs, const struct sig_doc, i)->file, file) == 0)
			return sig_doc_get(db, i, out);
	return false;
}

/* ---- qos rows and notes ---- */

size_t sig_qos_count(const struct sig_db *db)
{
	return db ? db->qos.n : 0;
}

bool sig_qos_get(const struct sig_db *db, size_t idx, struct sig_qos_view *out)
{
	if (!db || idx >= db->qos.n)
		return false;
	const struct sig_qos *q = SIG_VEC_AT(&db->qos, const struct sig_qos, idx);
	memset(out, 0, sizeof *out);
	out->app = sig_app_at(db, q->app)->id;
	out->service = q->service;
	out->proto = proto_name(q->proto);
	out->server = q->server.text ? q->server.text : "any";
	out->server_port = q->sport.text ? q->sport.text : "any";
	out->client_port = q->cport.text ? q->cport.text : "any";
	out->label = nz(q->label);
	out->file = q->src.loc.file;
	out->doc = nz(q->src.doc);
	out->doc_title = nz(q->src.doc_title);
	out->table = nz(q->src.table);
	out->line = q->src.loc.line;
	out->dscp = q->dscp;
	return true;
}

size_t sig_note_count(const struct sig_db *db)
{
	return db ? db->notes.n : 0;
}

int sig_note_find(const struct sig_db *db, const char *app, const char *id)
{
	for (size_t i = 0; db && app && id && i < db->notes.n; i++) {
		const struct sig_note *n = SIG_VEC_AT(&db->notes, const struct sig_note, i);
		if (strcmp(n->id, id) == 0 && strcmp(sig_app_at(db, n->app)->id, app) == 0)
			return (int)i;
	}
	return -1;
}

bool sig_note_get(const struct sig_db *db, size_t idx, struct sig_note_view *out)
{
	if (!db || idx >= db->notes.n)
		return false;
	const struct sig_note *n = SIG_VEC_AT(&db->notes, const struct sig_note, idx);
	memset(out, 0, sizeof *out);
	out->app = sig_app_at(db, n->app)->id;
	out->id = n->id;
	out->section = nz(n->section);
	out->text = nz(n->text);
	out->file = n->src.loc.file;
	out->doc = nz(n->src.doc);
	out->doc_title = nz(n->src.doc_title);
	out->line = n->src.loc.line;
	return true;
}
