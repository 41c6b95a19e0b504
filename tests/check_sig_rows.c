/* check_sig_rows.c - generated per-row test: one synthetic flow per shipped rule row, both orientations.
 *
 * For every `rule` in $(top_srcdir)/signatures (or $UCFLOW_SIGDIR) it synthesizes flows from the
 * row itself: a server address inside the row's server set (an internal and a public address for
 * `any`, internal addresses for on-premises defaults), a server port inside its port set, a client
 * address and port inside the client constraints. Then:
 *   - rows with a documented subnet (server or client side) must be picked directly: the label is
 *     the row or a row of the same app+service, and the server ends up as the responder (when
 *     the server sends first and there is no SYN, a mirrored row of the same app may explain the
 *     flow in the observed direction equally well: the same app is accepted there, and noted);
 *   - port-only rows must be picked directly or, when another product documents the same port or
 *     the server is public, with a site declaration of the row's app+service for that server
 *     (for that client, in a row where the product is the client);
 *   - port-only rows whose every server port is shared must never give a port-only label, and
 *     must be picked with a site declaration;
 *   - needs=payload rows must never label without payload evidence, and must be picked when the
 *     payload shows a protocol of their payload= set (classify_flow_payload);
 *   - product_side=client rows on documented subnets (Webex's lgw-stun, lgw-media) must never
 *     label while their client is unknown, and must be picked with a site declaration of the
 *     client.
 * A row that no synthetic flow reaches (a typo in a port, a set, a constraint) fails the test.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sig_internal.h"
#include "classify_helpers.h"

#define MAXP 12

static char sigdir[4096];
static struct sig_db *db;
static unsigned n_rows, n_direct, n_site, n_shared, n_flows, n_fail, n_mirror, n_dup, n_payload,
	n_name, n_client;


struct probes {
	struct ucf_addr a[MAXP];
	unsigned n;
};

static void add_addr(struct probes *p, const struct ucf_addr *a)
{
	for (unsigned i = 0; i < p->n; i++)
		if (memcmp(p->a[i].b, a->b, 16) == 0)
			return;
	if (p->n < MAXP)
		p->a[p->n++] = *a;
}

static void add_text(struct probes *p, const char *s)
{
	struct ucf_addr a;
	ck_assert(ucf_addr_parse(s, &a));
	add_addr(p, &a);
}

/* Two hosts inside a prefix: low host bits = k, and all host bits set but the last one. */
static void add_inside(struct probes *p, const struct sig_prefix *pf, uint8_t k)
{
	struct ucf_addr a = pf->a;
	unsigned host = 128u - pf->len;
	if (host == 0) {
		add_addr(p, &a);
		return;
	}
	if (host >= 8)
		a.b[15] |= k;
	else
		a.b[15] |= (uint8_t)(k & ((1u << host) - 1));
	add_addr(p, &a);
	a = pf->a;
	for (unsigned i = 0; i < host; i++)
		a.b[15 - i / 8] |= (uint8_t)(1u << (i % 8));
	if (host > 1)
		a.b[15] &= 0xfe;
	add_addr(p, &a);
}

static void addr_probes(const struct sig_aspec *as, bool server, struct probes *p)
{
	p->n = 0;
	for (uint32_t i = 0; i < as->npfx && i < 3; i++)
		add_inside(p, &as->pfx[i], server ? 5 : 9);
	if (as->internal || as->any) {
		add_text(p, server ? "10.1.2.3" : "10.9.8.7");
		add_text(p, server ? "192.168.1.3" : "192.168.9.7");
		add_text(p, server ? "fd00::3" : "fd00::7");
	}
	if (as->any)
		add_text(p, server ? "198.51.100.3" : "203.0.113.7");
}

static unsigned port_probes(const struct sig_pspec *ps, bool server, uint16_t *out)
{
	unsigned n = 0;
	if (ps->any && server) { /* ports no rule documents, not shared */
		for (uint32_t port = 1; port < 65536 && n < 2; port++) {
			size_t k1, k2;
			port_table_get(db->ports, SIG_PROTO_TCP, (uint16_t)port, &k1);
			port_table_get(db->ports, SIG_PROTO_UDP, (uint16_t)port, &k2);
			if (!k1 && !k2 && !sig_shared(db, (uint16_t)port))
				out[n++] = (uint16_t)port;
		}
		return n;
	}
	if (ps->any) {
		static const uint16_t eph[] = { 50000, 40001, 2000, 1500 };
		memcpy(out, eph, sizeof eph);
		return 4;
	}
	for (uint32_t i = 0; i < ps->nr && n + 3 <= MAXP; i++) {
		out[n++] = ps->r[i].lo;
		if (ps->r[i].hi != ps->r[i].lo)
			out[n++] = ps->r[i].hi;
		if (ps->r[i].hi - ps->r[i].lo > 1)
			out[n++] = (uint16_t)(ps->r[i].lo + (ps->r[i].hi - ps->r[i].lo) / 2);
	}
	return n;
}

static void row_flow(struct flow *f, uint8_t proto, const struct ucf_addr *oa, uint16_t op,
		   const struct ucf_addr *ra, uint16_t rp, bool syn)
{
	memset(f, 0, sizeof *f);
	f->key.a = *oa;
	f->key.b = *ra;
	f->key.port_a = op;
	f->key.port_b = rp;
	f->key.proto = proto;
	f->orig_is_a = 1;
	f->tcp_state = syn ? FLOW_TCP_SYN_ORIG | FLOW_TCP_SYNACK : 0;
	f->dir[0].pkts = f->dir[1].pkts = 1; /* answered: a refused port is no product's row */
}

struct verdict {
	bool orient[2];    /* picked in orientation 1 (client first) / 2 (server first) */
	bool app2;         /* orientation 2 gave another row of the same app */
	char mirror[160];  /* ... namely this one */
	bool port_label;   /* a port-only label appeared on a shared server port */
	char lost_to[160]; /* what won instead, for the failure message */
};

/* Picked client-first, and server-first either exactly or as a mirrored row of the same app. */
static bool reached(const struct verdict *v)
{
	return v->orient[0] && (v->orient[1] || v->app2);
}

static void note_mirror(const struct sig_rule *r, const struct verdict *v)
{
	if (v->orient[1])
		return;
	n_mirror++;
	printf("note %s:%u %s/%s: server-first without SYN reads as %s\n", r->src.loc.file,
	       r->src.loc.line, sig_app_at(db, r->app)->id, r->service, v->mirror);
}

static const char *rname(const struct sig_db *d, uint16_t idx, char *buf, size_t len)
{
	if (idx == FLOW_RULE_NONE) {
		snprintf(buf, len, "nothing");
		return buf;
	}
	if (idx >= CLASSIFY_RULE_DOMAIN_BASE) { /* a domain row (a needs=name probe) */
		struct sig_rule_view v;
		if (sig_rule_get(d, idx, &v))
			snprintf(buf, len, "%s/%s (domain row %s:%u)", v.app, v.service, v.file, v.line);
		else
			snprintf(buf, len, "?");
		return buf;
	}
	const struct sig_rule *r = sig_rule_at(d, idx);
	snprintf(buf, len, "%s/%s (%s:%u)", sig_app_at(d, r->app)->id, r->service, r->src.loc.file,
		 r->src.loc.line);
	return buf;
}

/* Runs every probe combination of rule i against d (the shipped tables, maybe plus a site file),
 * with payload evidence ev (NULL: none, classify_flow). */
static void run_probes(const struct sig_db *d, size_t i, const struct classify_evidence *ev,
		       struct verdict *v)
{
	const struct sig_rule *r = sig_rule_at(d, i);
	struct probes sa, ca;
	uint16_t sp[MAXP], cp[MAXP];
	addr_probes(&r->server, true, &sa);
	addr_probes(&r->client, false, &ca);
	unsigned nsp = port_probes(&r->sport, true, sp), ncp = port_probes(&r->cport, false, cp);
	memset(v, 0, sizeof *v);
	for (uint8_t t = SIG_PROTO_TCP; t <= SIG_PROTO_UDP; t++) {
		if (!(r->proto & t))
			continue;
		uint8_t ipproto = t == SIG_PROTO_TCP ? 6 : 17;
		for (unsigned a = 0; a < sa.n; a++)
			for (unsigned c = 0; c < ca.n; c++) {
				if (ucf_addr_is_v4(&sa.a[a]) != ucf_addr_is_v4(&ca.a[c]))
					continue;
				for (unsigned s = 0; s < nsp; s++)
					for (unsigned k = 0; k < ncp; k++)
						for (int o = 0; o < 2; o++) {
							struct flow f;
							if (o == 0)
								row_flow(&f, ipproto, &ca.a[c], cp[k], &sa.a[a], sp[s],
								       t == SIG_PROTO_TCP);
							else
								row_flow(&f, ipproto, &sa.a[a], sp[s], &ca.a[c], cp[k],
								       false);
							if (ev)
								classify_flow_payload(d, &f, ev);
							else
								classify_flow(d, &f);
							n_flows++;
							const struct sig_rule *got = f.label.rule >= CLASSIFY_RULE_DOMAIN_BASE
								? NULL : sig_rule_at(d, f.label.rule); /* none, or a domain row */
							if (got && f.label.confidence == CONF_PORT &&
							    sig_shared(d, flow_resp_port(&f)))
								v->port_label = true;
							bool same = got && got->app == r->app && got->service == r->service;
							bool sides = memcmp(flow_resp_addr(&f)->b, sa.a[a].b, 16) == 0 &&
								     flow_resp_port(&f) == sp[s];
							if (same && sides) {
								v->orient[o] = true;
							} else if (o == 1 && got && got->app == r->app) {
								v->app2 = true;
								rname(d, f.label.rule, v->mirror, sizeof v->mirror);
							} else if (!v->lost_to[0] || got) {
								rname(d, f.label.rule, v->lost_to, sizeof v->lost_to);
							}
						}
			}
	}
}

/* The shipped tables plus a site file declaring the row's server probes for its app+service (its
 * client probes for a row where the product is the client: client=@internal, explicit server=). */
static struct sig_db *with_site(size_t i)
{
	const struct sig_rule *r = sig_rule_at(db, i);
	struct probes sa;
	if (r->product_client || (r->client.internal && !r->client.npfx && !r->server_default))
		addr_probes(&r->client, false, &sa);
	else
		addr_probes(&r->server, true, &sa);
	char path[] = "/tmp/check_sig_rows.XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	FILE *fp = fdopen(fd, "w");
	fprintf(fp, "server app=%s service=%s addrs=", sig_app_at(db, r->app)->id, r->service);
	for (unsigned k = 0; k < sa.n; k++) {
		char buf[UCF_ADDR_STRLEN];
		fprintf(fp, "%s%s", k ? "," : "", ucf_addr_format(&sa.a[k], buf, sizeof buf));
	}
	fputc('\n', fp);
	fclose(fp);
	struct sig_db *d = NULL;
	char err[UCF_ERRBUF_SIZE];
	int rc = sig_db_load(&d, sigdir, path, err, sizeof err);
	unlink(path);
	ck_assert_msg(rc == UCF_OK, "%s", err);
	return d;
}

/* Row i's probes against the tables with_site(i) gives: *vs, and whether they reached the row. */
static bool reached_with_site(size_t i, struct verdict *vs)
{
	struct sig_db *d = with_site(i);
	run_probes(d, i, NULL, vs);
	sig_db_free(d);
	return reached(vs);
}

static void fail_row(const struct sig_rule *r, const char *why, const struct verdict *v)
{
	printf("FAIL %s:%u %s/%s: %s (got %s)\n", r->src.loc.file, r->src.loc.line,
	       sig_app_at(db, r->app)->id, r->service, why, v->lost_to[0] ? v->lost_to : "-");
	n_fail++;
}

START_TEST(test_rows)
{
	db = load_tables(shipped_sigdir(sigdir, sizeof sigdir), NULL);
	ck_assert_uint_gt(sig_rule_count(db), 0);
	for (size_t i = 0; i < sig_rule_count(db); i++) {
		const struct sig_rule *r = sig_rule_at(db, i);
		n_rows++;
		bool subnet = r->server.npfx || r->client.npfx;
		bool all_shared = !r->sport.any;
		for (uint32_t k = 0; k < r->sport.nr && all_shared; k++)
			for (uint32_t p = r->sport.r[k].lo; p <= r->sport.r[k].hi && all_shared; p++)
				all_shared = sig_shared(db, (uint16_t)p);
		struct verdict v;
		run_probes(db, i, NULL, &v);
		if (r->needs_name) { /* labels only with a name of its own service (a domain row) */
			if (v.orient[0] || v.orient[1]) {
				fail_row(r, "labelled without its name (needs=name)", &v);
				continue;
			}
			struct classify_evidence ev = { .domain = -1, .domain_src = 1 /* EV_SRC_SNI */ };
			for (size_t k = 0; k < db->domains.n && ev.domain < 0; k++) {
				const struct sig_domain *d = SIG_VEC_AT(&db->domains, const struct sig_domain, k);
				if (d->app == r->app && d->service == r->service)
					ev.domain = (int)k;
			}
			if (ev.domain < 0) {
				fail_row(r, "needs=name, but no domain row of its app and service", &v);
				continue;
			}
			if (r->payload)
				while (!(r->payload >> ev.payload_proto & 1u))
					ev.payload_proto++;
			if (r->product_client) {
				/* a lookup of the name (IM and Presence's SRV lookups) by a client
				 * holding the app's roles: the role makes the client the product */
				ev.domain_src = 5; /* EV_SRC_QUERY */
				ev.roles_orig = r->roles;
			}
			run_probes(db, i, &ev, &v);
			/* the name is the client's (SNI): it fixes the orientation, so only flows
			 * that the client opens are read this way */
			if (!v.orient[0]) {
				fail_row(r, "not picked when a name of its service names it (needs=name)", &v);
				continue;
			}
			n_name++;
			continue;
		}
		if (r->needs_payload) {
			if (v.orient[0] || v.orient[1]) {
				fail_row(r, "labelled without payload evidence (needs=payload)", &v);
				continue;
			}
			struct classify_evidence ev = { .domain = -1 };
			while (!(r->payload >> ev.payload_proto & 1u))
				ev.payload_proto++; /* the first protocol of its payload= set */
			run_probes(db, i, &ev, &v);
			if (!reached(&v)) {
				fail_row(r, "not picked when the payload confirms it (needs=payload)", &v);
				continue;
			}
			n_payload++;
			note_mirror(r, &v);
			continue;
		}
		if (subnet && r->product_client) {
			if (reached(&v)) {
				fail_row(r, "labelled while its client is unknown (product_side=client)",
					 &v);
				continue;
			}
			struct verdict vs;
			if (!reached_with_site(i, &vs)) {
				fail_row(r, "not picked with its client declared (product_side=client)",
					 &vs);
				continue;
			}
			n_client++;
			note_mirror(r, &vs);
			printf("note %s:%u %s/%s: needs its client known (without: %s)\n",
			       r->src.loc.file, r->src.loc.line, sig_app_at(db, r->app)->id, r->service,
			       v.lost_to[0] ? v.lost_to : "nothing");
			continue;
		}
		if (v.port_label && !subnet) {
			fail_row(r, "labelled by port alone on a shared port", &v);
			continue;
		}
		if (reached(&v)) {
			n_direct++;
			note_mirror(r, &v);
			continue;
		}
		if (subnet) {
			fail_row(r, v.orient[0] ? "not picked when the server sends first"
						: "not picked by a flow inside its subnet and ports", &v);
			continue;
		}
		struct verdict vs;
		if (!reached_with_site(i, &vs)) {
			fail_row(r, "unreachable even with a site declaration of its app+service", &vs);
			continue;
		}
		note_mirror(r, &vs);
		if (all_shared) {
			n_shared++;
			continue;
		}
		int e = sig_rule_identical_earlier(db, i);
		if (e >= 0) { /* port-only typos that copy another row's port end up here: shown */
			char buf[160];
			n_dup++;
			printf("note %s:%u %s/%s: same constraints as %s: a repeated document row, or a "
			       "typo? (picked with a site declaration)\n", r->src.loc.file,
			       r->src.loc.line, sig_app_at(db, r->app)->id, r->service,
			       rname(db, (uint16_t)e, buf, sizeof buf));
			continue;
		}
		n_site++;
		printf("note %s:%u %s/%s: needs a site declaration (without one: %s)\n", r->src.loc.file,
		       r->src.loc.line, sig_app_at(db, r->app)->id, r->service,
		       v.lost_to[0] ? v.lost_to : "nothing");
	}
	printf("check_sig_rows: %u rows exercised (%u flows): %u picked directly, %u need a site "
	       "declaration (port documented by another product, or public server), %u on shared "
	       "ports only (never labelled by port, picked with a site declaration); %u read as a "
	       "mirrored row when the server sends first; %u port-only rows repeat an earlier row's "
	       "constraints; %u need payload (needs=payload: picked only when the payload confirms "
	       "them); %u failed\n", n_rows, n_flows, n_direct, n_site, n_shared, n_mirror, n_dup,
	       n_payload, n_fail);
	printf("check_sig_rows: %u rows need a name of their service (needs=name)\n", n_name);
	printf("check_sig_rows: %u rows on documented subnets need their client known "
	       "(product_side=client)\n", n_client);
	sig_db_free(db);
	ck_assert_uint_eq(n_fail, 0);
}
END_TEST

/* The port table against the rules themselves: for every transport and port, the rules whose
 * server ports contain it, in file order (classification takes the first that fits). */
START_TEST(test_port_table)
{
	struct sig_db *d = load_shipped(NULL);
	static uint16_t want[4096];
	size_t nonempty = 0, at_top = 0;
	for (int t = 0; t < 2; t++) {
		uint8_t proto = t ? SIG_PROTO_UDP : SIG_PROTO_TCP;
		for (uint32_t port = 0; port < 65536; port++) {
			size_t nw = 0;
			for (size_t i = 0; i < sig_rule_count(d); i++) {
				const struct sig_rule *r = sig_rule_at(d, i);
				if (!(r->proto & proto) || r->sport.any)
					continue;
				for (uint32_t k = 0; k < r->sport.nr; k++)
					if (port >= r->sport.r[k].lo && port <= r->sport.r[k].hi) {
						ck_assert_uint_lt(nw, 4096);
						want[nw++] = (uint16_t)i;
						break;
					}
			}
			size_t n;
			const uint16_t *got = port_table_get(d->ports, proto, (uint16_t)port, &n);
			ck_assert_msg(n == nw, "%s port %u: %zu rules, want %zu", t ? "udp" : "tcp",
				      port, n, nw);
			for (size_t j = 0; j < n; j++)
				ck_assert_uint_eq(got[j], want[j]);
			nonempty += n > 0;
			at_top += port == 65535 && n > 0;
		}
	}
	/* the shipped tables document ranges up to 65535 and plenty of single ports */
	ck_assert_uint_gt(nonempty, 1000);
	ck_assert_uint_gt(at_top, 0);
	size_t n;
	ck_assert_ptr_null(port_table_get(d->ports, 4 /* neither TCP nor UDP */, 5060, &n));
	ck_assert_uint_eq(n, 0);
	sig_db_free(d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sig_rows");
	TCase *tc = tcase_create("rows");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_rows);
	tcase_add_test(tc, test_port_table);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK); /* keep the printed notes in order with the result */
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
