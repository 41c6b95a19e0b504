/* report_servers.c - the report's Servers table: the servers whose learned role (ucflow(1),
 * SERVER ROLES) stands behind labels, read from the records' evidence tokens (role=, server= or
 * client=, peer=, serves=), so that --from-json builds the same table as a run; hosts with a
 * client role only (no server evidence) apart, as product clients. */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

/* Why two bounded summaries: a role such as webex-calling/calling-device or sametime/meeting-client
 * is a client's (a phone doing NTP, a meeting client doing STUN): listing its hosts as servers
 * with 0 server flows misleads, and a site has many of them. A host goes to the servers' summary
 * when it showed server evidence (a record naming it server=, or serves= ports it answered on);
 * else to the product clients'. Each is a Space-Saving summary (report_topk.c) on flows with its
 * per-counter details beside it, so memory is bounded whatever the number of hosts; the table shows
 * the largest by flows and states the rest. */
#define SRV_K 256      /* servers kept */
#define CLI_K 256      /* product clients kept */
#define SRV_SHOWN 50   /* rows of the Servers table */
#define CLI_ROLES 12   /* roles in the product clients table */

struct srv_aux {
	char evidence[224];   /* peer= and serves= tokens of the latest record */
	char products[96];    /* the products labelled through it, comma-separated */
	uint64_t as_server, as_client, first, last;
};

struct srv_side {
	struct rtopk t;       /* key "address\trole", counted in flows */
	struct srv_aux *aux;  /* aux[id] beside t's counter id */
	uint64_t as_server, as_client; /* every flow added, exact */
};

struct rserver {
	struct srv_side srv, cli;
};

/* A token name= wanted from the evidence, and where its value goes ("" when absent). */
struct tok {
	const char *name;
	size_t nlen;
	char *buf;
	size_t len;
};

/* The values of the tokens t[0..nt) in the space-separated tokens s, each the first of its name,
 * cut to fit: one pass over s for the several names the table reads (a pass per name, and the
 * printf calls below, were a tenth of the aggregation's instructions on records with roles). */
static void tokens(const char *s, struct tok *t, size_t nt)
{
	uint32_t set = 0;
	for (size_t i = 0; i < nt; i++)
		t[i].buf[0] = '\0';
	for (const char *p = s; p && *p;) {
		while (*p == ' ')
			p++;
		const char *e = strchr(p, ' ');
		size_t tl = e ? (size_t)(e - p) : strlen(p);
		const char *eq = memchr(p, '=', tl);
		for (size_t i = 0; eq && i < nt; i++) {
			size_t n = (size_t)(eq - p);
			if (!(set >> i & 1) && t[i].nlen == n && memcmp(p, t[i].name, n) == 0) {
				size_t vl = tl - n - 1;
				if (vl >= t[i].len)
					vl = t[i].len - 1;
				memcpy(t[i].buf, eq + 1, vl);
				t[i].buf[vl] = '\0';
				set |= 1u << i;
				break;
			}
		}
		p = e;
	}
}

static int side_init(struct srv_side *s, uint32_t k)
{
	report_topk_init(&s->t, k);
	s->aux = calloc(k, sizeof *s->aux);
	return s->aux ? 0 : -1;
}

static void side_free(struct srv_side *s)
{
	report_topk_free(&s->t);
	free(s->aux);
	s->aux = NULL;
}

static struct rserver *servers_get(struct report *r)
{
	if (r->servers)
		return r->servers;
	struct rserver *v = calloc(1, sizeof *v);
	if (!v || side_init(&v->srv, SRV_K) != 0 || side_init(&v->cli, CLI_K) != 0) {
		if (v) {
			side_free(&v->srv);
			side_free(&v->cli);
		}
		free(v);
		return NULL;
	}
	return r->servers = v;
}

static void add_products(char *dst, size_t len, const char *list)
{
	if (!strpbrk(list, ", ") && strstr(dst, list))
		return; /* one product, listed already: what the loop below would find */
	char prods[96];
	snprintf(prods, sizeof prods, "%s", list);
	for (char *save = NULL, *p = strtok_r(prods, ", ", &save); p; p = strtok_r(NULL, ", ", &save))
		if (!strstr(dst, p)) {
			size_t n = strlen(dst);
			snprintf(dst + n, len - n, "%s%s", n ? ", " : "", p);
		}
}

void report_servers_add(struct report *r, const struct rec *x, bool *oom)
{
	if (!x->evidence || !strstr(x->evidence, "role="))
		return;
	char role[128], srv[UCF_ADDR_STRLEN + 1], cli[UCF_ADDR_STRLEN + 1], peer[96], serves[96];
	struct tok want[] = {
		{ "role", 4, role, sizeof role }, { "server", 6, srv, sizeof srv },
		{ "client", 6, cli, sizeof cli }, { "peer", 4, peer, sizeof peer },
		{ "serves", 6, serves, sizeof serves },
	};
	tokens(x->evidence, want, sizeof want / sizeof want[0]);
	const char *addr = *srv ? srv : cli;
	if (!*role || !*addr)
		return;
	struct rserver *v = servers_get(r);
	if (!v) {
		*oom = true;
		return;
	}
	/* server evidence: named the flow's server, or ports it answered on */
	struct srv_side *side = *srv || *serves ? &v->srv : &v->cli;
	char key[sizeof role + sizeof srv + 2]; /* "address\trole": both fit */
	size_t klen = report_putn(key, 0, sizeof key, addr, strlen(addr));
	klen = report_putn(key, klen, sizeof key, "\t", 1);
	klen = report_putn(key, klen, sizeof key, role, strlen(role));
	bool fresh = false;
	uint32_t id = report_topk_add_id(&side->t, key, klen, report_key_hash(key, klen), x->final,
					 0, &fresh, oom);
	if (x->final) { /* a flow counts once, on its last record */
		if (*srv)
			side->as_server++;
		else
			side->as_client++;
	}
	if (id == UINT32_MAX)
		return; /* not kept (an interim record on a full summary) */
	struct srv_aux *s = &side->aux[id];
	if (fresh) { /* a new counter, or one taken over from a smaller host */
		memset(s, 0, sizeof *s);
		s->first = x->ts;
	}
	if (x->final) {
		if (*srv)
			s->as_server++;
		else
			s->as_client++;
	}
	if (x->ts < s->first)
		s->first = x->ts;
	if (x->ts + x->dur > s->last)
		s->last = x->ts + x->dur;
	/* "peer P; serves S", cut to fit */
	size_t el = 0, ecap = sizeof s->evidence;
	s->evidence[0] = '\0';
	if (*peer)
		el = report_putn(s->evidence, report_putn(s->evidence, el, ecap, "peer ", 5), ecap,
				 peer, strlen(peer));
	if (*peer && *serves)
		el = report_putn(s->evidence, el, ecap, "; ", 2);
	if (*serves)
		el = report_putn(s->evidence, report_putn(s->evidence, el, ecap, "serves ", 7), ecap,
				 serves, strlen(serves));
	if (*x->app)
		add_products(s->products, sizeof s->products, x->app);
}

void report_servers_free(struct report *r)
{
	if (!r->servers)
		return;
	side_free(&r->servers->srv);
	side_free(&r->servers->cli);
	free(r->servers);
	r->servers = NULL;
}

/* Counter ids of a side by flows (largest first), then key. */
struct idx {
	uint64_t flows;
	const char *key;
	uint32_t id;
};

static int cmp_idx(const void *a, const void *b)
{
	const struct idx *x = a, *y = b;
	if (x->flows != y->flows)
		return x->flows > y->flows ? -1 : 1;
	return strcmp(x->key, y->key);
}

static uint32_t *sorted_ids(const struct srv_side *s)
{
	uint32_t n = s->t.n;
	struct idx *v = malloc((n ? n : 1) * sizeof *v);
	uint32_t *ids = malloc((n ? n : 1) * sizeof *ids);
	if (!v || !ids) {
		free(v);
		free(ids);
		return NULL;
	}
	for (uint32_t i = 0; i < n; i++)
		v[i] = (struct idx){ s->t.ent[i].flows, s->t.ent[i].key, i };
	qsort(v, n, sizeof *v, cmp_idx);
	for (uint32_t i = 0; i < n; i++)
		ids[i] = v[i].id;
	free(v);
	return ids;
}

static void fmt_u64(char *b, size_t len, uint64_t v)
{
	snprintf(b, len, "%llu", (unsigned long long)v);
}

struct rtab *report_tab_servers(const struct report *r)
{
	const struct rserver *v = r->servers;
	if (!v || !v->srv.t.n)
		return NULL;
	static const char *const head[] = { "Server", "Role", "Evidence (peers, answered ports)",
					     "Products", "Flows as server", "Flows as client",
					     "First seen", "Last seen" };
	uint32_t *ids = sorted_ids(&v->srv);
	struct rtab *t = ids ? rtab_new(8, 0x30u, head) : NULL;
	if (!t) {
		free(ids);
		return NULL;
	}
	uint32_t n = v->srv.t.n, shown = n < SRV_SHOWN ? n : SRV_SHOWN;
	uint64_t ss = 0, sc = 0;
	for (uint32_t i = 0; i < shown; i++) {
		const struct rtopk_count *c = &v->srv.t.ent[ids[i]];
		const struct srv_aux *s = &v->srv.aux[ids[i]];
		/* flows the same host and role had before it showed server evidence */
		uint32_t o = report_topk_find_id(&v->cli.t, c->key);
		const struct srv_aux *e = o != UINT32_MAX ? &v->cli.aux[o] : NULL;
		uint64_t ascli = s->as_client + (e ? e->as_client : 0);
		uint64_t first = e && e->first < s->first ? e->first : s->first;
		uint64_t last = e && e->last > s->last ? e->last : s->last;
		char prods[sizeof s->products];
		memcpy(prods, s->products, sizeof prods);
		if (e)
			add_products(prods, sizeof prods, e->products);
		char addr[UCF_ADDR_STRLEN + 1], ns[24], nc[24], f[48], l[48];
		const char *tab = strchr(c->key, '\t');
		snprintf(addr, sizeof addr, "%.*s", (int)(tab - c->key), c->key);
		fmt_u64(ns, sizeof ns, s->as_server);
		fmt_u64(nc, sizeof nc, ascli);
		report_fmt_time(first, f, sizeof f);
		report_fmt_time(last, l, sizeof l);
		const char *cells[] = { addr, tab + 1, s->evidence, prods, ns, nc, f, l };
		rtab_row(t, RT_BODY, cells);
		ss += s->as_server;
		sc += s->as_client;
	}
	if (!report_topk_exact(&v->srv.t) || shown < n) {
		/* the rest: every flow added minus those shown (exact totals, so the rest is exact
		 * when nothing was taken over, else at most this) */
		char what[96], ns[24], nc[24], d[32];
		report_topk_fmt_distinct(&v->srv.t, d, sizeof d);
		snprintf(what, sizeof what, "(%s servers in all, %u shown: the rest)", d, shown);
		fmt_u64(ns, sizeof ns, v->srv.as_server - ss);
		fmt_u64(nc, sizeof nc, v->srv.as_client - sc);
		const char *cells[] = { what, "", report_topk_exact(&v->srv.t) ? "" :
					"more servers than kept (256): a row counts from when it was kept, the rest at most this", "", ns, nc, "", "" };
		rtab_row(t, RT_TOTAL, cells);
	}
	free(ids);
	return t;
}

/* Product clients: per role, the hosts that showed only a client role (no server evidence). */
struct rtab *report_tab_server_clients(const struct report *r)
{
	const struct rserver *v = r->servers;
	if (!v || !v->cli.t.n)
		return NULL;
	static const char *const head[] = { "Role (client)", "Hosts", "Flows", "Hosts seen (the "
					     "largest by flows)", "Products" };
	uint32_t *ids = sorted_ids(&v->cli);
	struct rtab *t = ids ? rtab_new(5, 0x6u, head) : NULL;
	if (!t) {
		free(ids);
		return NULL;
	}
	/* roles in order of their largest host; a host that later showed server evidence is the
	 * Servers table's */
	char roles[CLI_ROLES][128];
	size_t nroles = 0;
	uint64_t rest_flows = 0, rest_hosts = 0;
	for (uint32_t i = 0; i < v->cli.t.n; i++) {
		const struct rtopk_count *c = &v->cli.t.ent[ids[i]];
		const char *role = strchr(c->key, '\t') + 1;
		if (report_topk_find_id(&v->srv.t, c->key) != UINT32_MAX)
			continue;
		size_t k = 0;
		while (k < nroles && strcmp(roles[k], role) != 0)
			k++;
		if (k == nroles && nroles < CLI_ROLES)
			snprintf(roles[nroles++], sizeof roles[0], "%s", role);
		else if (k == nroles) {
			rest_flows += v->cli.aux[ids[i]].as_client;
			rest_hosts++;
		}
	}
	bool exact = report_topk_exact(&v->cli.t);
	for (size_t k = 0; k < nroles; k++) {
		uint64_t hosts = 0, flows = 0;
		char list[200] = "", prods[96] = "";
		size_t used = 0, listed = 0;
		for (uint32_t i = 0; i < v->cli.t.n; i++) {
			const struct rtopk_count *c = &v->cli.t.ent[ids[i]];
			const char *tab = strchr(c->key, '\t');
			if (strcmp(tab + 1, roles[k]) != 0 ||
			    report_topk_find_id(&v->srv.t, c->key) != UINT32_MAX)
				continue;
			const struct srv_aux *s = &v->cli.aux[ids[i]];
			hosts++;
			flows += s->as_client;
			add_products(prods, sizeof prods, s->products);
			if (listed < 4 && used < sizeof list) {
				used += (size_t)snprintf(list + used, sizeof list - used, "%s%.*s (%llu)",
							 listed ? ", " : "", (int)(tab - c->key), c->key,
							 (unsigned long long)s->as_client);
				listed++;
			}
		}
		if (hosts > listed && used < sizeof list)
			snprintf(list + used, sizeof list - used, ", +%llu more",
				 (unsigned long long)(hosts - listed));
		char nh[32], nf[24];
		snprintf(nh, sizeof nh, "%s%llu", exact ? "" : "≥ ", (unsigned long long)hosts);
		fmt_u64(nf, sizeof nf, flows);
		const char *cells[] = { roles[k], nh, nf, list, prods };
		rtab_row(t, RT_BODY, cells);
	}
	if (rest_hosts || !exact) {
		char d[32], what[96], nf[24];
		report_topk_fmt_distinct(&v->cli.t, d, sizeof d);
		snprintf(what, sizeof what, "(%s client hosts in all)", d);
		fmt_u64(nf, sizeof nf, v->cli.as_client);
		const char *cells[] = { what, "", nf, exact ? "" : "only the hosts with the most flows "
					"are kept: counts per role are lower bounds", "" };
		rtab_row(t, RT_TOTAL, cells);
	}
	free(ids);
	return t;
}

/* The per-counter details of the kept keys of a merged summary m, from both sides' (ids by key). */
static int side_merge(struct srv_side *d, const struct srv_side *s)
{
	if (!s->t.n && !s->as_server && !s->as_client)
		return 0;
	struct rtopk m;
	report_topk_init(&m, d->t.k ? d->t.k : s->t.k);
	if ((d->t.n && report_topk_merge(&m, &d->t) != 0) ||
	    (s->t.n && report_topk_merge(&m, &s->t) != 0)) {
		report_topk_free(&m);
		return -1;
	}
	struct srv_aux *aux = calloc(m.k, sizeof *aux);
	if (!aux) {
		report_topk_free(&m);
		return -1;
	}
	for (uint32_t i = 0; i < m.n; i++) {
		struct srv_aux *a = &aux[i];
		const struct srv_side *side[2] = { d, s };
		a->first = UINT64_MAX;
		for (int j = 0; j < 2; j++) {
			uint32_t id = report_topk_find_id(&side[j]->t, m.ent[i].key);
			if (id == UINT32_MAX)
				continue;
			const struct srv_aux *o = &side[j]->aux[id];
			a->as_server += o->as_server;
			a->as_client += o->as_client;
			if (o->first < a->first)
				a->first = o->first;
			if (o->last > a->last)
				a->last = o->last;
			if (*o->evidence) /* the later file's: its latest record */
				memcpy(a->evidence, o->evidence, sizeof a->evidence);
			add_products(a->products, sizeof a->products, o->products);
		}
		if (a->first == UINT64_MAX)
			a->first = 0;
	}
	report_topk_free(&d->t);
	free(d->aux);
	d->t = m;
	d->aux = aux;
	d->as_server += s->as_server;
	d->as_client += s->as_client;
	return 0;
}

/* Parallel --from-json (report_merge.c): src, read from later files, added to dst. */
int report_servers_merge(struct report *dst, const struct report *src)
{
	if (!src->servers)
		return 0;
	struct rserver *d = servers_get(dst);
	if (!d)
		return -1;
	if (side_merge(&d->srv, &src->servers->srv) != 0 ||
	    side_merge(&d->cli, &src->servers->cli) != 0)
		return -1;
	return 0;
}
