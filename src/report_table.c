/* report_table.c - the audit report's content, once for both formats: tables and finding lines. */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
#include "classify.h"

#define TOP_ENDPOINTS 3
#define TOP_UNCLASSIFIED 15
#define MAX_CELL 400

/* ---- tables ---- */

struct rtab *rtab_new(size_t ncol, uint32_t right, const char *const *head)
{
	struct rtab *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->ncol = ncol;
	t->right = right;
	for (size_t c = 0; c < ncol; c++)
		t->head[c] = head[c];
	return t;
}

void rtab_row(struct rtab *t, enum rtab_kind kind, const char *const *cells)
{
	if (!t)
		return;
	if (t->nrow == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **nc = realloc(t->cells, cap * t->ncol * sizeof *nc);
		uint8_t *nk = realloc(t->kind, cap);
		if (nc)
			t->cells = nc;
		if (nk)
			t->kind = nk;
		if (!nc || !nk)
			return;
		t->cap = cap;
	}
	for (size_t c = 0; c < t->ncol; c++) {
		char *s = strndup(cells[c] ? cells[c] : "", MAX_CELL);
		t->cells[t->nrow * t->ncol + c] = s ? s : NULL;
	}
	t->kind[t->nrow++] = (uint8_t)kind;
}

void rtab_free(struct rtab *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nrow * t->ncol; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->kind);
	free(t);
}

const char *rtab_cell(const struct rtab *t, size_t row, size_t col)
{
	const char *s = t->cells[row * t->ncol + col];
	return s ? s : "";
}

/* ---- shared helpers ---- */

static void u64s(uint64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%llu", (unsigned long long)v);
}

/* "10.0.0.1:443 (3 flows), ..." */
/* From a bounded summary: an approximate count reads "(≈ 40 flows, at most 3 over)". */
static void top_list(const struct rtopk *t, size_t max, char *buf, size_t len)
{
	size_t n, used = 0;
	struct rcount **v = report_topk_sorted(t, &n);
	buf[0] = '\0';
	if (!v)
		return;
	for (size_t i = 0; i < n && i < max; i++) {
		char over[64] = "";
		if (v[i]->err)
			snprintf(over, sizeof over, ", at most %llu over",
				 (unsigned long long)v[i]->err);
		int w = snprintf(buf + used, len - used, "%s%s (%s%llu flow%s%s)", i ? ", " : "",
				 v[i]->key, v[i]->err ? "≈ " : "", (unsigned long long)v[i]->flows,
				 v[i]->flows == 1 ? "" : "s", over);
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
	if (n > max && used < len) {
		if (report_topk_exact(t))
			snprintf(buf + used, len - used, ", +%zu more", n - max);
		else /* the distinct estimate: the counters hold only some */
			snprintf(buf + used, len - used, ", +≈ %.0f more",
				 report_topk_distinct(t) - (double)max);
	}
	free(v);
}

/* "0 (3 flows), 46 (7 flows)" in numeric order of the values */
static int cmp_val(const void *x, const void *y)
{
	long a = strtol((*(const struct rcount *const *)x)->key, NULL, 10);
	long b = strtol((*(const struct rcount *const *)y)->key, NULL, 10);
	return a < b ? -1 : a > b;
}

static void value_list(struct rcount *map, char *buf, size_t len)
{
	size_t n, used = 0;
	struct rcount **v = report_sorted_counts(map, &n);
	buf[0] = '\0';
	if (!v)
		return;
	qsort(v, n, sizeof *v, cmp_val);
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + used, len - used, "%s%s (%llu flow%s)", i ? ", " : "",
				 v[i]->key, (unsigned long long)v[i]->flows,
				 v[i]->flows == 1 ? "" : "s");
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
	if (!n)
		snprintf(buf, len, "none");
	free(v);
}

/* ---- products and services ---- */

static void svc_cells(const char *name, const char *cat, uint64_t flows, uint64_t pkts,
		      uint64_t b0, uint64_t b1, const struct rtopk *nc, const struct rtopk *ns,
		      const char *ports,
		      char cell[9][64], const char *out[9])
{
	snprintf(cell[0], 64, "%s", name);
	snprintf(cell[1], 64, "%s", cat);
	u64s(flows, cell[2], 64);
	u64s(pkts, cell[3], 64);
	u64s(b0, cell[4], 64);
	u64s(b1, cell[5], 64);
	cell[6][0] = cell[7][0] = '\0';
	if (nc)
		report_topk_fmt_distinct(nc, cell[6], 64);
	if (ns)
		report_topk_fmt_distinct(ns, cell[7], 64);
	for (int i = 0; i < 8; i++)
		out[i] = cell[i];
	out[8] = ports;
}

struct rtab *report_tab_services(const struct report *r)
{
	static const char *const head[] = { "Product / service", "Category", "Flows", "Packets",
					    "IP bytes c->s", "IP bytes s->c", "Clients",
					    "Servers", "Server ports" };
	struct rtab *t = rtab_new(9, 0xfc, head);
	size_t np, ns;
	struct rprod **prods = report_sorted_prods(r, &np);
	struct rsvc **svcs = report_sorted_svcs(r, &ns);
	char cell[9][64], ports[MAX_CELL];
	const char *row[9];
	for (size_t i = 0; prods && svcs && i < np; i++) {
		const struct rprod *p = prods[i];
		if (!*p->app) {
			const struct rsvc *s = NULL;
			for (size_t j = 0; j < ns; j++)
				if (!*svcs[j]->app)
					s = svcs[j];
			if (s)
				report_fmt_ports(s->ports, 4, ports, sizeof ports);
			svc_cells("(unclassified)", "-", p->flows, p->pkts, p->ip[0], p->ip[1],
				  &p->clients, &p->servers,
				  s ? ports : "", cell, row);
			rtab_row(t, RT_GROUP, row);
			continue;
		}
		char name[64];
		snprintf(name, sizeof name, "%s (total)", p->app);
		svc_cells(name, "", p->flows, p->pkts, p->ip[0], p->ip[1],
			  &p->clients, &p->servers, "", cell, row);
		rtab_row(t, RT_GROUP, row);
		for (size_t j = 0; j < ns; j++) {
			const struct rsvc *s = svcs[j];
			if (strcmp(s->app, p->app) != 0)
				continue;
			char sname[64];
			snprintf(sname, sizeof sname, "%s/%s", s->app, s->service);
			report_fmt_ports(s->ports, 4, ports, sizeof ports);
			svc_cells(sname, s->category, s->flows, s->pkts[0] + s->pkts[1], s->ip[0],
				  s->ip[1], &s->clients,
				  &s->servers, ports, cell, row);
			rtab_row(t, RT_BODY, row);
		}
	}
	svc_cells("All flows", "", r->flows, r->pkts, r->ip[0], r->ip[1], NULL, NULL, "", cell, row);
	row[6] = row[7] = "";
	rtab_row(t, RT_TOTAL, row);
	free(prods);
	free(svcs);
	return t;
}

struct rtab *report_tab_confidence(const struct report *r)
{
	const char *head[2 + RC_N];
	head[0] = "Product / service";
	head[1] = "Flows";
	for (int c = 0; c < RC_N; c++)
		head[2 + c] = report_conf_names[c];
	struct rtab *t = rtab_new(2 + RC_N, ~1u, head);
	size_t np, ns;
	struct rprod **prods = report_sorted_prods(r, &np);
	struct rsvc **svcs = report_sorted_svcs(r, &ns);
	char cell[2 + RC_N][64];
	const char *row[2 + RC_N];
	uint64_t total[RC_N] = { 0 };
	for (int c = 0; c < 2 + RC_N; c++)
		row[c] = cell[c];
	for (size_t i = 0; prods && svcs && i < np; i++) {
		const struct rprod *p = prods[i];
		snprintf(cell[0], 64, "%s", *p->app ? p->app : "(unclassified)");
		if (*p->app)
			strncat(cell[0], " (total)", 63 - strlen(cell[0]));
		u64s(p->flows, cell[1], 64);
		for (int c = 0; c < RC_N; c++) {
			u64s(p->conf[c], cell[2 + c], 64);
			total[c] += p->conf[c];
		}
		rtab_row(t, RT_GROUP, row);
		for (size_t j = 0; *p->app && j < ns; j++) {
			const struct rsvc *s = svcs[j];
			if (strcmp(s->app, p->app) != 0)
				continue;
			snprintf(cell[0], 64, "%s/%s", s->app, s->service);
			u64s(s->flows, cell[1], 64);
			for (int c = 0; c < RC_N; c++)
				u64s(s->conf[c], cell[2 + c], 64);
			rtab_row(t, RT_BODY, row);
		}
	}
	snprintf(cell[0], 64, "All flows");
	u64s(r->flows, cell[1], 64);
	for (int c = 0; c < RC_N; c++)
		u64s(total[c], cell[2 + c], 64);
	rtab_row(t, RT_TOTAL, row);
	free(prods);
	free(svcs);
	return t;
}

/* ---- unclassified traffic (finding e) ---- */

struct rtab *report_tab_unclassified(const struct report *r, bool by_bytes)
{
	static const char *const head[] = { "Proto/port", "Flows", "Packets", "IP bytes", "Servers",
					    "Clients", "Top servers" };
	struct rtab *t = rtab_new(7, 0x3e, head);
	const struct rfinding *f = &r->find[RF_UNCLASS];
	size_t n;
	struct rgroup **g = by_bytes ? report_sorted_groups_by_bytes(f, &n)
				     : report_sorted_groups(f, &n);
	char cell[6][64], top[MAX_CELL];
	const char *row[7] = { cell[0], cell[1], cell[2], cell[3], cell[4], cell[5], top };
	uint64_t rf = 0, rp = 0, rb = 0;
	for (size_t i = 0; g && i < n; i++) {
		if (i >= TOP_UNCLASSIFIED) {
			rf += g[i]->flows;
			rp += g[i]->pkts;
			rb += g[i]->bytes;
			continue;
		}
		snprintf(cell[0], 64, "%s", g[i]->key);
		u64s(g[i]->flows, cell[1], 64);
		u64s(g[i]->pkts, cell[2], 64);
		u64s(g[i]->bytes, cell[3], 64);
		report_topk_fmt_distinct(&g[i]->servers, cell[4], 64);
		report_topk_fmt_distinct(&g[i]->clients, cell[5], 64);
		top_list(&g[i]->servers, 2, top, sizeof top);
		rtab_row(t, RT_BODY, row);
	}
	if (n > TOP_UNCLASSIFIED) {
		snprintf(cell[0], 64, "(%zu more)", n - TOP_UNCLASSIFIED);
		u64s(rf, cell[1], 64);
		u64s(rp, cell[2], 64);
		u64s(rb, cell[3], 64);
		cell[4][0] = cell[5][0] = top[0] = '\0';
		rtab_row(t, RT_BODY, row);
	}
	snprintf(cell[0], 64, "All unclassified");
	u64s(f->flows, cell[1], 64);
	u64s(f->pkts, cell[2], 64);
	u64s(f->bytes, cell[3], 64);
	cell[4][0] = cell[5][0] = top[0] = '\0';
	rtab_row(t, RT_TOTAL, row);
	free(g);
	return t;
}

/* ---- appendix: rules no record named ---- */

size_t report_unmatched_rules(const struct report *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nrules; i++) {
		struct rcite c;
		if (!report_rule_seen(r, i) && report_cite_idx(r, i, &c))
			n++;
	}
	return n;
}

/* The product/service of the records with app and service, NULL when no record had them. */
static const struct rsvc *find_svc(const struct report *r, const char *app, const char *service)
{
	char key[512];
	struct rsvc *s;
	snprintf(key, sizeof key, "%s\t%s", app, service);
	HASH_FIND_STR(r->svcs, key, s);
	return s;
}

/* Whether a QoS row's transport and server ports hold a "proto/port" the service's records used
 * (the client port and server address of the records are not kept: not told). */
static bool qos_matched(const struct rsvc *s, const struct sig_qos_view *q)
{
	for (const struct rcount *c = s ? s->ports : NULL; c; c = c->hh.next) {
		const char *slash = strchr(c->key, '/');
		if (!slash)
			continue;
		size_t n = (size_t)(slash - c->key);
		bool proto = strcmp(q->proto, "both") == 0 ||
			     (strlen(q->proto) == n && strncmp(q->proto, c->key, n) == 0);
		if (proto && report_ports_hold(q->server_port, strtoul(slash + 1, NULL, 10)))
			return true;
	}
	return false;
}

struct rtab *report_tab_appendix(const struct report *r)
{
	static const char *const head[] = { "Row", "Product/service", "Proto", "Server ports",
					    "Document", "Table" };
	struct rtab *t = rtab_new(6, 0, head);
	for (size_t i = 0; i < r->nrules; i++) {
		struct rcite c;
		if (report_rule_seen(r, i) || !report_cite_idx(r, i, &c))
			continue;
		char key[300], ref[300];
		snprintf(key, sizeof key, "%s/%s", c.app, c.service);
		snprintf(ref, sizeof ref, "%s:%u", c.file, c.line);
		const char *row[6] = { ref, key, c.proto, *c.server_port ? c.server_port : "any",
				       *c.doc ? c.doc : "(site file)", c.table };
		rtab_row(t, RT_BODY, row);
	}
	/* QoS-table rows no record matched (same app and service, transport and server port) */
	struct sig_qos_view q;
	for (size_t i = 0; r->db && sig_qos_get(r->db, i, &q); i++) {
		if (qos_matched(find_svc(r, q.app, q.service), &q))
			continue;
		char key[300], ref[300];
		snprintf(key, sizeof key, "%s/%s", q.app, q.service);
		snprintf(ref, sizeof ref, "qos %s:%u", q.file, q.line);
		const char *row[6] = { ref, key, q.proto, q.server_port,
				       *q.doc ? q.doc : "(site file)", q.table };
		rtab_row(t, RT_BODY, row);
	}
	return t;
}

/* ---- appendix: the documents the rows cite ---- */

struct rtab *report_tab_documents(const struct report *r)
{
	static const char *const head[] = { "Document", "Title", "Vendor", "Edition",
					    "Title as printed", "Revised" };
	struct rtab *t = rtab_new(6, 0, head);
	struct sig_doc_view d;
	for (size_t i = 0; r->db && sig_doc_get(r->db, i, &d); i++) {
		const char *row[6] = { d.file, *d.title ? d.title : "(no title)",
				       *d.vendor ? d.vendor : "not recorded",
				       *d.edition ? d.edition : "not recorded",
				       *d.original ? d.original : "not recorded",
				       *d.revised ? d.revised : "not recorded" };
		rtab_row(t, RT_BODY, row);
	}
	return t;
}

/* ---- findings ---- */

static void emit_source(const struct report *r, const char *rule, rline_fn fn, void *u)
{
	struct rcite c;
	if (!*rule)
		return;
	if (!report_cite(r, rule, &c)) {
		report_linef(fn, u, RL_SOURCE, "rule %s (not in the loaded signature tables)", rule);
		return;
	}
	if (!*c.doc)
		report_linef(fn, u, RL_SOURCE, "rule %s: %s (site file)", rule, c.label);
	else
	{
		char d[1024], b[300];
		report_linef(fn, u, RL_SOURCE, "%s, table \"%s\"; rule %s: %s%s",
		     report_fmt_doc(r, c.doc, c.doc_title, d, sizeof d), c.table, rule, c.label,
		     report_basis_note(&c, b, sizeof b));
	}
}

static void emit_endpoints(const struct rgroup *g, rline_fn fn, void *u)
{
	char buf[1024];
	top_list(&g->servers, TOP_ENDPOINTS, buf, sizeof buf);
	if (*buf)
		report_linef(fn, u, RL_DETAIL, "top servers: %s", buf);
	top_list(&g->clients, TOP_ENDPOINTS, buf, sizeof buf);
	if (*buf)
		report_linef(fn, u, RL_DETAIL, "top clients: %s", buf);
	/* a few of the flows themselves, with their community ID: found in other tools' logs */
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < g->nexamples && used < sizeof buf; i++)
		used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", i ? "; " : "",
					 g->examples[i]);
	if (*buf)
		report_linef(fn, u, RL_DETAIL, "example flows: %s", buf);
}

static void emit_group_head(const struct rgroup *g, const char *extra, rline_fn fn, void *u)
{
	char hb[32];
	report_fmt_bytes(g->bytes, hb, sizeof hb);
	report_linef(fn, u, RL_GROUP, "%s: %llu flow%s, %llu packets, %llu IP bytes (%s)%s", g->key,
	     (unsigned long long)g->flows, g->flows == 1 ? "" : "s", (unsigned long long)g->pkts,
	     (unsigned long long)g->bytes, hb, extra);
}

/* The document passage a finding rests on when it is prose, not a table row: a note of the
 * loaded signatures (ucflow-signatures(5)). */
static void emit_note(const struct report *r, const char *app, const char *id, rline_fn fn,
		      void *u)
{
	struct sig_note_view n;
	int i = r->db ? sig_note_find(r->db, app, id) : -1;
	if (i < 0 || !sig_note_get(r->db, (size_t)i, &n)) {
		report_linef(fn, u, RL_FSOURCE, "note %s/%s (no note in the loaded signatures)", app, id);
		return;
	}
	char d[1024];
	report_linef(fn, u, RL_FSOURCE, "%s%s%s%s; note %s:%u: %s",
	     report_fmt_doc(r, n.doc, n.doc_title, d, sizeof d),
	     *n.section ? ", section \"" : "", n.section, *n.section ? "\"" : "", n.file, n.line,
	     n.text);
}

/* The QoS-table rows of a DSCP group's service (key "app/service"): those whose transport and
 * server ports hold a port the service's records used; when none does, every row of the service. */
static void emit_qos(const struct report *r, const char *svckey, rline_fn fn, void *u)
{
	char app[300];
	snprintf(app, sizeof app, "%s", svckey);
	char *service = strchr(app, '/');
	if (!service)
		return;
	*service++ = '\0';
	const struct rsvc *s = find_svc(r, app, service);
	struct sig_qos_view q;
	size_t nrows = 0, nmatched = 0;
	for (size_t i = 0; r->db && sig_qos_get(r->db, i, &q); i++)
		if (strcmp(q.app, app) == 0 && strcmp(q.service, service) == 0) {
			nrows++;
			nmatched += qos_matched(s, &q);
		}
	if (!nrows) {
		report_linef(fn, u, RL_SOURCE, "no QoS-table row for %s in the loaded signatures", svckey);
		return;
	}
	for (size_t i = 0; sig_qos_get(r->db, i, &q); i++) {
		if (strcmp(q.app, app) != 0 || strcmp(q.service, service) != 0 ||
		    (nmatched && !qos_matched(s, &q)))
			continue;
		char d[1024];
		report_linef(fn, u, RL_SOURCE,
		     "%s, table \"%s\"; qos %s:%u: DSCP %u, %s, server port %s, client "
		     "port %s%s%s%s", report_fmt_doc(r, q.doc, q.doc_title, d, sizeof d), q.table, q.file, q.line, q.dscp, q.proto,
		     q.server_port, q.client_port, *q.label ? ": " : "", q.label,
		     nmatched ? "" : " (no record of the service on its transport and server ports)");
	}
}

static void finding_clear(const struct report *r, rline_fn fn, void *u)
{
	for (int k = RF_CLEAR; k <= RF_CLEAR_INFO; k++) {
		size_t n;
		struct rgroup **g = report_sorted_groups(&r->find[k], &n);
		if (k == RF_CLEAR_INFO && n)
			report_linef(fn, u, RL_NOTE, "%s: %llu flow%s.", report_finding_title(RF_CLEAR_INFO),
			     (unsigned long long)r->find[k].flows, r->find[k].flows == 1 ? "" : "s");
		for (size_t i = 0; g && i < n; i++) {
			emit_group_head(g[i], "", fn, u);
			struct rcite c;
			if (g[i]->extra_key && report_cite(r, g[i]->extra_key, &c))
				report_linef(fn, u, RL_DETAIL,
				     "documented encrypted variant: %s/%s, %s port %s (%s:%u)", c.app,
				     c.service, c.proto, *c.server_port ? c.server_port : "any",
				     c.file, c.line);
			emit_source(r, g[i]->rule, fn, u);
			emit_endpoints(g[i], fn, u);
		}
		free(g);
	}
}

static void finding_dscp(const struct report *r, rline_fn fn, void *u)
{
	size_t n;
	struct rgroup **g = report_sorted_groups(&r->find[RF_DSCP], &n);
	for (size_t i = 0; g && i < n; i++) {
		char vals[1024];
		report_linef(fn, u, g[i]->flows ? RL_GROUP : RL_GROUP_OK, "%s: %llu checked flow%s, %llu differ%s", g[i]->key,
		     (unsigned long long)g[i]->n1, g[i]->n1 == 1 ? "" : "s",
		     (unsigned long long)g[i]->flows, g[i]->flows == 1 ? "s" : "");
		report_linef(fn, u, RL_DETAIL, "documented DSCP: %s", g[i]->extra_key ? g[i]->extra_key : "?");
		value_list(g[i]->vals, vals, sizeof vals);
		report_linef(fn, u, RL_DETAIL, "observed originator DSCP: %s", vals);
		value_list(g[i]->vals2, vals, sizeof vals);
		report_linef(fn, u, RL_DETAIL, "observed responder DSCP: %s", vals);
		report_linef(fn, u, RL_DETAIL, "marking changed within the flow: %llu flow%s",
		     (unsigned long long)g[i]->n2, g[i]->n2 == 1 ? "" : "s");
		emit_qos(r, g[i]->key, fn, u);
		emit_source(r, g[i]->rule, fn, u);
		if (g[i]->flows)
			emit_endpoints(g[i], fn, u);
	}
	free(g);
}

static void finding_plain(const struct report *r, enum rfind k, rline_fn fn, void *u)
{
	size_t n;
	struct rgroup **g = report_sorted_groups(&r->find[k], &n);
	for (size_t i = 0; g && i < n; i++) {
		char extra[96] = "";
		if (k == RF_FRAG)
			snprintf(extra, sizeof extra, ", %llu fragments",
				 (unsigned long long)g[i]->n1);
		if (k == RF_MEDIA_TCP)
			snprintf(extra, sizeof extra, g[i]->n1 ? ", labelled media"
								: ", a documented UDP media port");
		emit_group_head(g[i], extra, fn, u);
		emit_source(r, g[i]->rule, fn, u);
		emit_endpoints(g[i], fn, u);
	}
	free(g);
}

static void reasons_list(struct rcount *map, char *buf, size_t len)
{
	size_t n, used = 0;
	struct rcount **v = report_sorted_counts(map, &n);
	buf[0] = '\0';
	for (size_t i = 0; v && i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s %llu", i ? ", " : "",
					 *v[i]->key ? v[i]->key : "(not recorded)",
					 (unsigned long long)v[i]->flows);
	free(v);
}

static void cand_groups(const struct report *r, enum rfind k, const char *what, rline_fn fn,
			void *u)
{
	size_t n;
	struct rgroup **g = report_sorted_groups(&r->cand[k], &n);
	for (size_t i = 0; g && i < n; i++) {
		char hb[32];
		report_fmt_bytes(g[i]->bytes, hb, sizeof hb);
		report_linef(fn, u, RL_GROUP, "candidate %s%s: %llu flow%s, %llu packets, %llu IP bytes (%s)",
		     g[i]->key, what, (unsigned long long)g[i]->flows, g[i]->flows == 1 ? "" : "s",
		     (unsigned long long)g[i]->pkts, (unsigned long long)g[i]->bytes, hb);
		if (g[i]->extra_key) {
			struct rcite c;
			char d[1024], b[300];
			if (report_cite(r, g[i]->extra_key, &c) && *c.doc)
				report_linef(fn, u, RL_SOURCE, "candidate row %s: %s, table \"%s\": %s%s",
				     g[i]->extra_key,
				     report_fmt_doc(r, c.doc, c.doc_title, d, sizeof d), c.table,
				     c.label, report_basis_note(&c, b, sizeof b));
			else
				report_linef(fn, u, RL_SOURCE, "candidate row %s", g[i]->extra_key);
		}
		emit_endpoints(g[i], fn, u);
	}
	free(g);
}

/* The unlabelled flows a finding would hold if their candidate rows were right: counted apart. */
static void finding_candidates(const struct report *r, enum rfind k, rline_fn fn, void *u)
{
	if (k == RF_SUBNET || k == RF_UNCLASS) {
		if (k == RF_SUBNET)
			report_linef(fn, u, RL_NOTE, "Candidate flows: not applicable (a candidate row names "
			     "a documented port; this finding is about ports no row names).");
		return;
	}
	uint64_t n = report_cand_flows(r, k);
	if (!n) {
		report_linef(fn, u, RL_NOTE, "Candidate flows: none (no unlabelled flow has a candidate row "
		     "that would fall under this finding).");
		return;
	}
	if (k == RF_FIREWALL) {
		report_linef(fn, u, RL_NOTE, "Candidate flows, not counted above: %llu unanswered attempt%s on "
		     "rows that are candidates of unlabelled flows (the rows they would be if their "
		     "candidates were right; the reasons are under finding e).",
		     (unsigned long long)n, n == 1 ? "" : "s");
		report_fw_lines(r, true, fn, u);
		return;
	}
	struct rcount *reasons = NULL;
	bool oom = false;
	for (int kk = (int)k; kk <= (int)(k == RF_CLEAR ? RF_CLEAR_INFO : k); kk++)
		for (struct rcount *c = r->cand[kk].reasons; c; c = c->hh.next)
			report_count_add(&reasons, c->key, c->flows, c->bytes, &oom);
	char rl[1024];
	reasons_list(reasons, rl, sizeof rl);
	report_count_free(&reasons);
	uint64_t pk = r->cand[k].pkts + (k == RF_CLEAR ? r->cand[RF_CLEAR_INFO].pkts : 0);
	uint64_t by = r->cand[k].bytes + (k == RF_CLEAR ? r->cand[RF_CLEAR_INFO].bytes : 0);
	report_linef(fn, u, RL_NOTE, "Candidate flows, not counted above: %llu unlabelled flow%s (%llu "
	     "packets, %llu IP bytes) would fall under this finding if %s candidate rows were "
	     "right; by reason: %s.", (unsigned long long)n, n == 1 ? "" : "s",
	     (unsigned long long)pk, (unsigned long long)by, n == 1 ? "its" : "their", rl);
	cand_groups(r, k, k == RF_CLEAR ? " (a documented encrypted variant)" : "", fn, u);
	if (k == RF_CLEAR)
		cand_groups(r, RF_CLEAR_INFO, " (no documented encrypted variant)", fn, u);
}

static void finding_body(const struct report *r, enum rfind k, rline_fn fn, void *u);

void report_finding_lines(const struct report *r, enum rfind k, rline_fn fn, void *u)
{
	finding_body(r, k, fn, u);
	finding_candidates(r, k, fn, u);
}

static void finding_body(const struct report *r, enum rfind k, rline_fn fn, void *u)
{
	const struct rfinding *f = &r->find[k];
	char hb[32];
	report_fmt_bytes(f->bytes, hb, sizeof hb);
	switch (k) {
	case RF_CLEAR:
		report_linef(fn, u, RL_SUMMARY,
		     "%llu flow(s) (%llu packets, %llu IP bytes, %s) use a cleartext variant where "
		     "the document lists an encrypted one (records with encrypted=false).",
		     (unsigned long long)f->flows, (unsigned long long)f->pkts,
		     (unsigned long long)f->bytes, hb);
		finding_clear(r, fn, u);
		break;
	case RF_DSCP:
		report_linef(fn, u, RL_SUMMARY,
		     "%llu of %llu checked flow(s) differ (%llu packets, %llu IP bytes, %s). Checked: "
		     "flows whose rule documents a DSCP value (expected_dscp) and whose originator "
		     "sent a packet; a flow differs when its originator's first DSCP is not a "
		     "documented value of its service, or the marking changed within the flow.",
		     (unsigned long long)f->flows, (unsigned long long)f->n1,
		     (unsigned long long)f->pkts, (unsigned long long)f->bytes, hb);
		finding_dscp(r, fn, u);
		break;
	case RF_MEDIA_TCP:
		report_linef(fn, u, RL_SUMMARY,
		     "%llu Webex flow(s) over TCP (%llu packets, %llu IP bytes, %s), Webex Calling's "
		     "or the shared Webex platform's: %llu labelled as media, %llu to a documented "
		     "Webex Calling subnet on a port the document lists for UDP media (those also "
		     "appear under d).",
		     (unsigned long long)f->flows, (unsigned long long)f->pkts,
		     (unsigned long long)f->bytes, hb, (unsigned long long)f->n1,
		     (unsigned long long)(f->flows - f->n1));
		emit_note(r, WEBEX_APP, "media-transport", fn, u);
		finding_plain(r, k, fn, u);
		break;
	case RF_SUBNET:
		report_linef(fn, u, RL_SUMMARY,
		     "%llu flow(s) (%llu packets, %llu IP bytes, %s) go to a documented vendor subnet on "
		     "a port its connection table does not list (a subnet-only row: confidence "
		     "\"subnet\", or \"payload\" when the payload shows a protocol the row names).",
		     (unsigned long long)f->flows, (unsigned long long)f->pkts,
		     (unsigned long long)f->bytes, hb);
		finding_plain(r, k, fn, u);
		break;
	case RF_UNCLASS:
		report_linef(fn, u, RL_SUMMARY,
		     "%llu flow(s) (%llu packets, %llu IP bytes, %s) have no label, in %zu "
		     "server port/protocol groups.",
		     (unsigned long long)f->flows, (unsigned long long)f->pkts,
		     (unsigned long long)f->bytes, hb, (size_t)HASH_COUNT(f->groups));
		if (f->flows) {
			char rl[1024];
			reasons_list(r->reasons, rl, sizeof rl);
			report_linef(fn, u, RL_NOTE, "By the records' reason: %s. Those with candidate rows "
			     "are counted under the other findings as candidate flows.", rl);
		}
		break;
	case RF_FRAG:
		report_linef(fn, u, RL_SUMMARY,
		     "%llu labelled flow(s) (%llu packets, %llu IP bytes, %s) carried %llu IP "
		     "fragments (frag_pkts).",
		     (unsigned long long)f->flows, (unsigned long long)f->pkts,
		     (unsigned long long)f->bytes, hb, (unsigned long long)f->n1);
		emit_note(r, WEBEX_APP, "mtu", fn, u);
		finding_plain(r, k, fn, u);
		break;
	case RF_FIREWALL:
		report_fw_lines(r, false, fn, u);
		break;
	case RF_CLEAR_INFO:
	case RF_N:
		break;
	}
}

/* ---- overview ---- */

struct rtab *report_tab_overview(const struct report *r)
{
	static const char *const head[] = { "Item", "Value" };
	struct rtab *t = rtab_new(2, 0, head);
	char v[2048], a[64], b[64];
	const char *row[2] = { NULL, v };
#define KV(k, ...) do { row[0] = k; snprintf(v, sizeof v, __VA_ARGS__); rtab_row(t, RT_BODY, row); } while (0)
	size_t used = 0;
	v[0] = '\0';
	for (size_t i = 0; i < r->ninputs && used < sizeof v; i++)
		used += (size_t)snprintf(v + used, sizeof v - used, "%s%s %s%s%s%s", i ? "; " : "",
					 r->inputs[i].kind, r->inputs[i].name,
					 r->inputs[i].reason ? " (FAILED: " : "",
					 r->inputs[i].reason ? r->inputs[i].reason : "",
					 r->inputs[i].reason ? ")" : "");
	row[0] = "Inputs";
	if (!r->ninputs)
		snprintf(v, sizeof v, "none");
	rtab_row(t, RT_BODY, row);
	if (r->flows) {
		report_fmt_time(r->ts_min, a, sizeof a);
		report_fmt_time(r->ts_max, b, sizeof b);
		char span[64];
		report_fmt_span(r->ts_max - r->ts_min, span, sizeof span);
		KV("Time span", "%s to %s (%s)", a, b, span);
	} else {
		KV("Time span", "no flow records");
	}
	KV("Flow records", "%llu", (unsigned long long)r->flows);
	KV("Packets", "%llu (originator %llu, responder %llu)", (unsigned long long)r->pkts,
	   (unsigned long long)(r->pkts - (r->pkts_resp)), (unsigned long long)r->pkts_resp);
	report_fmt_bytes(r->ip[0] + r->ip[1], a, sizeof a);
	KV("IP bytes", "%llu (%s; originator %llu, responder %llu)",
	   (unsigned long long)(r->ip[0] + r->ip[1]), a, (unsigned long long)r->ip[0],
	   (unsigned long long)r->ip[1]);
	report_fmt_bytes(r->pay[0] + r->pay[1], a, sizeof a);
	KV("Payload bytes", "%llu (%s; originator %llu, responder %llu)",
	   (unsigned long long)(r->pay[0] + r->pay[1]), a, (unsigned long long)r->pay[0],
	   (unsigned long long)r->pay[1]);
	uint64_t unl = r->find[RF_UNCLASS].flows;
	report_fmt_percent(r->flows - unl, r->flows, a, sizeof a);
	KV("Labelled flows", "%llu (%s)", (unsigned long long)(r->flows - unl), a);
	if (r->have_run) {
		KV("Packets read", "%llu", (unsigned long long)r->run.packets_read);
		KV("Truncated packets", "%llu", (unsigned long long)r->run.truncated);
		if (!r->run.live)
			KV("Capture drops", "not applicable (capture files)");
		else if (r->run.have_drops)
			KV("Capture drops", "%llu (kernel buffer) + %llu (interface)",
			   (unsigned long long)r->run.drops, (unsigned long long)r->run.ifdrops);
		else
			KV("Capture drops", "not reported by libpcap");
		if (r->run.second_look)
			KV("Second look", "%llu records held, %llu relabelled, %llu written early "
			   "(store full)",
			   (unsigned long long)r->run.second_look_held,
			   (unsigned long long)r->run.second_look_relabelled,
			   (unsigned long long)r->run.second_look_overflow);
		else
			KV("Second look", "off (%s)", r->run.live ? "live capture" :
			   "--no-second-look, --two-pass or no roles");
	} else {
		KV("Packets read", "not recorded (report built from flow records)");
		KV("Truncated packets", "not recorded (report built from flow records)");
		KV("Capture drops", "not recorded (report built from flow records)");
		KV("Second look", "not recorded (report built from flow records)");
	}
	KV("Malformed lines", "%llu%s", (unsigned long long)r->malformed,
	   r->malformed ? " (listed below; the run exits with status 1)" : "");
	KV("Interim records", "%llu (their packets and bytes are counted; a flow counts once)",
	   (unsigned long long)r->interim);
	KV("Records naming unknown rules", "%llu (rule not in the loaded signature tables)",
	   (unsigned long long)r->unknown_rule);
	KV("Signature rows", "%zu loaded (%zu rules, %zu domain rows), %zu named by no record "
	   "(see the appendix)", r->nrules, r->ntable_rules, r->nrules - r->ntable_rules,
	   report_unmatched_rules(r));
#undef KV
	return t;
}
