/* sig_print.c - human-readable listings of a loaded signature database (--check-signatures, --list-rules). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "sig_internal.h"

/* payload= of a rule as written ("tls", "rtp,rtcp,stun,dtls"), "-" when none. */
static const char *payload_text(uint16_t mask, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (uint8_t p = EV_PROTO_NONE + 1; p < EV_PROTO_UNKNOWN; p++)
		if (mask & (1u << p)) {
			int k = snprintf(buf + n, len - n, "%s%s", n ? "," : "", evidence_proto_name(p));
			if (k < 0 || (size_t)k >= len - n)
				break;
			n += (size_t)k;
		}
	return n ? buf : "-";
}

static void print_ports(FILE *fp, const struct sig_db *db)
{
	unsigned printed = 0;
	for (uint32_t p = 0; p < 65536; p++) {
		if (!sig_shared(db, (uint16_t)p))
			continue;
		uint32_t e = p;
		while (e + 1 < 65536 && sig_shared(db, (uint16_t)(e + 1)))
			e++;
		fprintf(fp, "%s%u", printed++ ? "," : " ", p);
		if (e > p)
			fprintf(fp, "-%u", e);
		p = e;
	}
	fputc('\n', fp);
}

static int cmp_prefix(const void *a, const void *b)
{
	const struct sig_prefix *x = a, *y = b;
	int c = memcmp(x->a.b, y->a.b, 16);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Distinct documented prefixes (server or client side) used by an app's rules. */
static unsigned app_prefixes(const struct sig_db *db, size_t app)
{
	size_t total = 0;
	for (size_t i = 0; i < db->rules.n; i++) {
		const struct sig_rule *r = sig_rule_at(db, i);
		if (r->app == app)
			total += r->server.npfx + r->client.npfx;
	}
	struct sig_prefix *all = malloc((total ? total : 1) * sizeof *all);
	if (!all)
		return 0;
	size_t k = 0;
	for (size_t i = 0; i < db->rules.n; i++) {
		const struct sig_rule *r = sig_rule_at(db, i);
		if (r->app != app)
			continue;
		for (uint32_t q = 0; q < r->server.npfx; q++)
			all[k++] = r->server.pfx[q];
		for (uint32_t q = 0; q < r->client.npfx; q++)
			all[k++] = r->client.pfx[q];
	}
	qsort(all, k, sizeof *all, cmp_prefix);
	unsigned n = 0;
	for (size_t i = 0; i < k; i++)
		n += i == 0 || cmp_prefix(&all[i - 1], &all[i]) != 0;
	free(all);
	return n;
}

/* The most products one flow can match: apps with a rule on one server port (per transport),
 * plus apps with subnet-only rules (any port). A record lists the best rule of each product
 * other than the label's in FLOW_MAX_CANDIDATES slots, so this must not exceed it. */
static unsigned worst_candidates(const struct sig_db *db, uint8_t *proto, uint16_t *port)
{
	/* Two kinds of server: one inside no documented subnet (every port rule of the port may
	 * match it), and one inside a documented subnet (the subnet-only rules' apps, and port
	 * rules whose server is any or a documented subnet; not the on-premises @internal ones) */
	uint8_t any_app[256] = { 0 };
	unsigned nany = 0, worst = 0;
	for (size_t i = 0; i < db->rules.n; i++) {
		const struct sig_rule *r = sig_rule_at(db, i);
		if (r->sport.any && r->app < 256 && !any_app[r->app]++)
			nany++;
	}
	*proto = SIG_PROTO_TCP;
	*port = 0;
	for (uint8_t t = SIG_PROTO_TCP; t <= SIG_PROTO_UDP; t++)
		for (uint32_t p = 0; p < 65536; p++) {
			size_t n;
			const uint16_t *list = port_table_get(db->ports, t, (uint16_t)p, &n);
			uint8_t seen[256] = { 0 }, seen_doc[256] = { 0 };
			unsigned ka = 0, kb = nany;
			for (size_t j = 0; j < n; j++) {
				const struct sig_rule *r = sig_rule_at(db, list[j]);
				uint16_t a = r->app;
				if (a >= 256)
					continue;
				if (!seen[a]++)
					ka++;
				if ((r->server.any || r->server.npfx) && !seen_doc[a]++ && !any_app[a])
					kb++;
			}
			unsigned k = ka > kb ? ka : kb;
			if (k > worst) {
				worst = k;
				*proto = t;
				*port = (uint16_t)p;
			}
		}
	return worst;
}

static void print_warnings(const struct sig_db *db, FILE *fp)
{
	unsigned n = 0;
	uint8_t wt;
	uint16_t wp;
	unsigned worst = worst_candidates(db, &wt, &wp);
	if (worst > FLOW_MAX_CANDIDATES) {
		fprintf(fp, "  warning: %u products can match a flow on %s/%u, but a record lists at "
			"most %u candidates\n", worst, wt == SIG_PROTO_UDP ? "udp" : "tcp", wp,
			(unsigned)FLOW_MAX_CANDIDATES);
		n++;
	}
	for (size_t i = 0; i < db->qos.n; i++) {
		const struct sig_qos *q = SIG_VEC_AT(&db->qos, const struct sig_qos, i);
		bool found = false;
		for (size_t r = 0; r < db->rules.n && !found; r++)
			found = sig_rule_at(db, r)->app == q->app && sig_rule_at(db, r)->service == q->service;
		if (!found) {
			fprintf(fp, "  warning: %s:%u: qos row names service '%s' of app '%s', which no rule has\n",
				q->src.loc.file, q->src.loc.line, q->service, sig_app_at(db, q->app)->id);
			n++;
		}
	}
	for (size_t i = 0; i < db->rules.n; i++) {
		int e = sig_rule_identical_earlier(db, i);
		const struct sig_rule *r = sig_rule_at(db, i);
		if (e >= 0) {
			const struct sig_rule *o = sig_rule_at(db, (size_t)e);
			fprintf(fp, "  note: %s:%u: rule %s/%s has the same match constraints as %s:%u "
				"(%s/%s); the earlier rule is chosen, this one is listed as a candidate\n",
				r->src.loc.file, r->src.loc.line, sig_app_at(db, r->app)->id, r->service,
				o->src.loc.file, o->src.loc.line, sig_app_at(db, o->app)->id, o->service);
			n++;
		}
		/* Port-only rules of cloud apps on ports that are not shared label by port alone. */
		if (!r->needs_corrob && !r->needs_name && !r->sport.any && !r->server.npfx && !r->client.npfx && !r->server.internal &&
		    r->server.any && !sig_app_at(db, r->app)->onprem) {
			bool all_shared = true;
			for (uint32_t k = 0; k < r->sport.nr && all_shared; k++)
				for (uint32_t p = r->sport.r[k].lo; p <= r->sport.r[k].hi && all_shared; p++)
					all_shared = sig_shared(db, (uint16_t)p);
			if (!all_shared) {
				fprintf(fp, "  note: %s:%u: rule %s/%s is port-only with server=any "
					"(server_port=%s, not all shared): it labels flows to internal "
					"servers only; to public servers it is a candidate\n",
					r->src.loc.file, r->src.loc.line, sig_app_at(db, r->app)->id,
					r->service, r->sport.text);
				n++;
			}
		}
	}
	if (!n)
		fprintf(fp, "  none\n");
}

void sig_db_print_counts(const struct sig_db *db, FILE *fp)
{
	if (!db)
		return;
	unsigned tr = 0, tq = 0, td = 0, ta = 0, tp = 0, tn = 0;
	fprintf(fp, "signature files: %zu\n", db->files.n);
	for (size_t i = 0; i < db->files.n; i++) {
		const struct sig_file *f = SIG_VEC_AT(&db->files, const struct sig_file, i);
		fprintf(fp, "  %-28s rules %4u  qos %3u  domains %3u  addrsets %3u  portsets %3u  "
			"notes %3u%s\n", f->name, f->nrules, f->nqos, f->ndomain, f->naddrset,
			f->nportset, f->nnote, f->site ? "  (site)" : "");
		tr += f->nrules;
		tq += f->nqos;
		td += f->ndomain;
		ta += f->naddrset;
		tp += f->nportset;
		tn += f->nnote;
	}
	fprintf(fp, "apps: %zu\n", db->apps.n);
	for (size_t i = 0; i < db->apps.n; i++) {
		const struct sig_app *a = sig_app_at(db, i);
		fprintf(fp, "  %-16s rules %4u  qos %3u  domains %3u  prefixes %3u  %s  \"%s\"\n", a->id,
			a->nrules, a->nqos, a->ndomain, app_prefixes(db, i),
			a->onprem ? "onprem" : "cloud ", a->name);
	}
	fprintf(fp, "total: rules %u  qos %u  domains %u  addrsets %u  portsets %u  notes %u\n", tr, tq,
		td, ta, tp, tn);
	unsigned np = 0, nn = 0, nc = 0, nm = 0;
	for (size_t i = 0; i < db->rules.n; i++) {
		np += sig_rule_at(db, i)->payload != 0;
		nn += sig_rule_at(db, i)->needs_payload;
		nc += sig_rule_at(db, i)->needs_corrob;
		nm += sig_rule_at(db, i)->needs_name;
	}
	fprintf(fp, "payload: rules validated by payload (payload=) %u, labelling only when confirmed "
		"(needs=payload) %u\n", np, nn);
	fprintf(fp, "needs: corroboration (needs=corroboration) %u, a name of the service "
		"(needs=name) %u\n", nc, nm);
	fprintf(fp, "shared ports (%u):", db->nshared);
	print_ports(fp, db);
	fprintf(fp, "internal networks (%s):", db->internal_changed ? "site file" : "default");
	const struct sig_prefix *in = db->internal.v;
	for (size_t i = 0; i < db->internal.n; i++) {
		char buf[UCF_ADDR_STRLEN];
		bool v4 = ucf_addr_is_v4(&in[i].a) && in[i].len >= 96;
		fprintf(fp, " %s/%u", ucf_addr_format(&in[i].a, buf, sizeof buf),
			v4 ? in[i].len - 96u : in[i].len);
	}
	fputc('\n', fp);
	if (db->site_path)
		fprintf(fp, "site file: %s, servers %zu\n", db->site_path, db->servers.n);
	uint8_t wt;
	uint16_t wp;
	unsigned worst = worst_candidates(db, &wt, &wp);
	fprintf(fp, "candidates: at most %u products match one flow (%s/%u); a record lists the best "
		"rule of each, up to %u\n", worst, wt == SIG_PROTO_UDP ? "udp" : "tcp", wp,
		(unsigned)FLOW_MAX_CANDIDATES);
	fprintf(fp, "tables: port entries %zu bytes, documented server prefixes %zu, client "
		"prefixes %zu, site prefixes %zu\n", port_table_bytes(db->ports),
		cidr_count(db->srv_groups.trie), cidr_count(db->cli_groups.trie),
		cidr_count(db->site_groups.trie));
	sig_role_print(db, fp);
	fprintf(fp, "warnings:\n");
	print_warnings(db, fp);
}

void sig_db_print_rules(const struct sig_db *db, FILE *fp)
{
	if (!db)
		return;
	fprintf(fp, "#idx\tsource\tapp\tservice\tcategory\tproto\tserver\tserver_port\tclient\t"
		"client_port\tencrypted\tdscp\tpayload\tneeds\tdoc\ttable\tlabel\tscope\tbasis\n");
	for (size_t i = 0; i < db->rules.n; i++) {
		struct sig_rule_view v;
		sig_rule_get(db, (uint16_t)i, &v);
		char dscp[40] = "-";
		size_t n = 0;
		for (unsigned k = 0; k < v.ndscp && n < sizeof dscp - 4; k++)
			n += (size_t)snprintf(dscp + n, sizeof dscp - n, "%s%u", k ? "," : "", v.dscp[k]);
		char pl[128];
		const struct sig_rule *r = sig_rule_at(db, i);
		fprintf(fp, "%zu\t%s:%u\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", i,
			v.file, v.line, v.app, v.service, v.category, v.proto, v.server, v.server_port,
			v.client, v.client_port, v.encrypted < 0 ? "unknown" : v.encrypted ? "yes" : "no",
			dscp, payload_text(r->payload, pl, sizeof pl),
			r->needs_payload ? "payload" : r->needs_corrob ? "corroboration"
				: r->needs_name ? "name" : "-",
			v.doc, v.table, v.label, *v.scope ? v.scope : "-",
			r->basis ? r->basis : "document");
	}
}
