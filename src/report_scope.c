/* report_scope.c - the report's Webex scope table: what each Webex label claims, from the records' app_scope (ucflow(1)), so that only the rows the documents make Webex Calling count as Calling. */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
#include "classify.h"

/* Why a table of its own: document 004 lists names and subnets that Calling shares with Webex
 * Meetings and Messaging (app webex, scope webex-platform) and names that are only on Calling's
 * firewall allow-list (*.cisco.com: scope allow-list, never a label). A reader who sums "Webex"
 * would count Meetings media or www.cisco.com browsing as Calling; the records say which is which,
 * and the report shows the three side by side. Records written before app_scope existed carry no
 * scope: their Webex labels are shown apart as "scope not recorded", never as Calling. */

#define RSCOPE_MAX 8 /* scope values kept apart; the last slot sums any further ones */
#define RSCOPE_NAME 48

struct rscope {
	char name[RSCOPE_NAME]; /* the app_scope value; "" = a Webex label without one */
	uint64_t flows, bytes;
	struct rtopk clients, servers;
};

struct rscopes {
	struct rscope s[RSCOPE_MAX];
	size_t n;
	uint64_t calling_app_flows;     /* app webex-calling, any scope */
	uint64_t calling_app_not_scope; /* of those, flows whose app_scope is not "calling" */
};

/* The scopes shown always (when any Webex record was read), first and in this order. */
static const char *const fixed[] = { "calling", "webex-platform", "allow-list" };
#define NFIXED (sizeof fixed / sizeof fixed[0])

/* "Calling allow-list only (*.cisco.com)": the patterns from the loaded allow-list domain rows
 * (signatures are data), in buf. */
static const char *allow_label(const struct report *r, char *buf, size_t len)
{
	size_t used = (size_t)snprintf(buf, len, "Calling allow-list only"), n = 0;
	size_t nd = r->db ? sig_domain_count(r->db) : 0;
	for (size_t i = 0; i < nd && used < len; i++) {
		struct sig_domain_view d;
		if (sig_domain_get(r->db, i, &d) && d.allow_list && strcmp(d.scope, "allow-list") == 0)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", n++ ? ", " : " (",
						 d.pattern);
	}
	if (n && used < len)
		snprintf(buf + used, len - used, ")");
	return buf;
}

static const char *scope_label(const struct report *r, const char *name, char *buf, size_t len)
{
	if (strcmp(name, "calling") == 0)
		return "Webex Calling";
	if (strcmp(name, "webex-platform") == 0)
		return "Shared Webex platform (Calling, Meetings, Messaging)";
	if (strcmp(name, "allow-list") == 0)
		return allow_label(r, buf, len);
	if (!*name)
		return "Scope not recorded (records without app_scope)";
	return name;
}

static struct rscopes *scopes_get(struct report *r)
{
	if (!r->scopes && (r->scopes = calloc(1, sizeof *r->scopes))) {
		for (size_t i = 0; i < NFIXED; i++)
			snprintf(r->scopes->s[i].name, RSCOPE_NAME, "%s", fixed[i]);
		r->scopes->n = NFIXED;
	}
	return r->scopes;
}

static struct rscope *scope_find(struct rscopes *t, const char *value)
{
	char name[RSCOPE_NAME]; /* the value cut to fit, as the table keeps it */
	size_t n = strnlen(value, sizeof name - 1);
	memcpy(name, value, n);
	name[n] = '\0';
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->s[i].name, name) == 0)
			return &t->s[i];
	if (t->n >= RSCOPE_MAX - 1) { /* more values than kept: the last slot sums the rest */
		struct rscope *o = &t->s[RSCOPE_MAX - 1];
		if (t->n == RSCOPE_MAX - 1) {
			snprintf(o->name, RSCOPE_NAME, "(other scopes)");
			t->n++;
		}
		return o;
	}
	struct rscope *s = &t->s[t->n++];
	memcpy(s->name, name, sizeof name);
	return s;
}

void report_scope_add(struct report *r, const struct rec *x, bool *oom)
{
	bool webex = report_webex_family(x->app);
	if (!*x->scope && !webex)
		return; /* neither a scope nor a Webex label: not this table's */
	struct rscopes *t = scopes_get(r);
	if (!t) {
		*oom = true;
		return;
	}
	struct rscope *s = scope_find(t, x->scope);
	uint64_t nf = x->final, bytes = x->oip + x->rip;
	s->flows += nf;
	s->bytes += bytes;
	report_topk_addh(&s->clients, x->orig_h, x->orig_len, x->orig_hash, nf, bytes, oom);
	report_topk_addh(&s->servers, x->resp_h, x->resp_len, x->resp_hash, nf, bytes, oom);
	if (strcmp(x->app, WEBEX_APP) == 0) {
		t->calling_app_flows += nf;
		if (strcmp(x->scope, "calling") != 0)
			t->calling_app_not_scope += nf;
	}
}

void report_scope_free(struct report *r)
{
	if (!r->scopes)
		return;
	for (size_t i = 0; i < r->scopes->n; i++) {
		report_topk_free(&r->scopes->s[i].clients);
		report_topk_free(&r->scopes->s[i].servers);
	}
	free(r->scopes);
	r->scopes = NULL;
}

static void topk_into(struct rtopk *dst, const struct rtopk *src, bool *oom)
{
	if (!src->n)
		return;
	if (!dst->k)
		dst->k = src->k ? src->k : REPORT_TOPK_K;
	if (report_topk_merge(dst, src) != 0)
		*oom = true;
}

/* Parallel --from-json (report_merge.c): src's scopes added to dst's. */
int report_scope_merge(struct report *dst, const struct report *src)
{
	if (!src->scopes)
		return 0;
	struct rscopes *d = scopes_get(dst);
	if (!d)
		return -1;
	bool oom = false;
	for (size_t i = 0; i < src->scopes->n; i++) {
		const struct rscope *x = &src->scopes->s[i];
		struct rscope *s = scope_find(d, x->name);
		s->flows += x->flows;
		s->bytes += x->bytes;
		topk_into(&s->clients, &x->clients, &oom);
		topk_into(&s->servers, &x->servers, &oom);
	}
	d->calling_app_flows += src->scopes->calling_app_flows;
	d->calling_app_not_scope += src->scopes->calling_app_not_scope;
	return oom ? -1 : 0;
}

uint64_t report_scope_flows(const struct report *r, const char *scope)
{
	if (!r->scopes)
		return 0;
	for (size_t i = 0; i < r->scopes->n; i++)
		if (strcmp(r->scopes->s[i].name, scope) == 0)
			return r->scopes->s[i].flows;
	return 0;
}

uint64_t report_scope_calling_app_other(const struct report *r)
{
	return r->scopes ? r->scopes->calling_app_not_scope : 0;
}

struct rtab *report_tab_scope(const struct report *r)
{
	if (!r->scopes)
		return NULL;
	static const char *const head[] = { "Webex scope", "app_scope", "Flows", "IP bytes",
					     "Clients", "Servers", "Webex Calling traffic" };
	struct rtab *t = rtab_new(7, 0x3cu, head);
	if (!t)
		return NULL;
	/* the fixed three first, then other values as read, "not recorded" last */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < r->scopes->n; i++) {
			const struct rscope *s = &r->scopes->s[i];
			if ((pass == 0) != (*s->name != '\0'))
				continue;
			if (i >= NFIXED && !s->flows && !s->bytes)
				continue;
			char nf[24], nb[24], nc[32], ns[32], lb[200];
			snprintf(nf, sizeof nf, "%llu", (unsigned long long)s->flows);
			snprintf(nb, sizeof nb, "%llu", (unsigned long long)s->bytes);
			report_topk_fmt_distinct(&s->clients, nc, sizeof nc);
			report_topk_fmt_distinct(&s->servers, ns, sizeof ns);
			const char *cells[] = { scope_label(r, s->name, lb, sizeof lb), *s->name ? s->name : "-", nf, nb,
						nc, ns, strcmp(s->name, "calling") == 0 ? "yes" : "no" };
			rtab_row(t, RT_BODY, cells);
		}
	return t;
}

/* The sentence under the table (and the summary's): only the first row is Calling. */
void report_scope_lines(const struct report *r, rline_fn fn, void *u)
{
	if (!r->scopes)
		return;
	report_linef(fn, u, RL_SUMMARY, "Only the Webex Calling row is Webex Calling traffic: the rows "
	    "document 004 makes Calling (signalling, media, device configuration, Calling's own names "
	    "and ports). The shared Webex platform's names and subnets carry Calling, Meetings and "
	    "Messaging alike (app webex), and names that are only on Calling's firewall allow-list "
	    "(*.cisco.com, such as browsing www.cisco.com) are left unlabelled; neither is counted as "
	    "Webex Calling anywhere in this report.");
	uint64_t nr = report_scope_flows(r, "");
	if (nr)
		report_linef(fn, u, RL_SUMMARY, "%llu flow%s with a Webex label came from records "
		    "without app_scope (written before ucflow recorded it): their scope is not "
		    "recorded, so they may hold shared-platform or allow-list traffic, and they are not "
		    "counted as Webex Calling here.", (unsigned long long)nr, nr == 1 ? "" : "s");
}

/* The summary's one line: flows per scope. */
void report_scope_summary(const struct report *r, rline_fn fn, void *u)
{
	if (!r->scopes)
		return;
	char buf[1024];
	size_t used = (size_t)snprintf(buf, sizeof buf, "Webex scope: Webex Calling %llu flows; "
	    "shared Webex platform %llu flows (not Calling); Calling allow-list only %llu flows "
	    "(unlabelled, not Calling)", (unsigned long long)report_scope_flows(r, "calling"),
	    (unsigned long long)report_scope_flows(r, "webex-platform"),
	    (unsigned long long)report_scope_flows(r, "allow-list"));
	for (size_t i = NFIXED; i < r->scopes->n && used < sizeof buf; i++) {
		const struct rscope *s = &r->scopes->s[i];
		if (*s->name && s->flows)
			used += (size_t)snprintf(buf + used, sizeof buf - used, "; scope %s %llu flows",
						 s->name, (unsigned long long)s->flows);
	}
	uint64_t nr = report_scope_flows(r, "");
	if (nr && used < sizeof buf)
		used += (size_t)snprintf(buf + used, sizeof buf - used, "; scope not recorded %llu "
					 "flows (not counted as Calling)", (unsigned long long)nr);
	if (used < sizeof buf)
		snprintf(buf + used, sizeof buf - used, ".");
	report_linef(fn, u, RL_SUMMARY, "%s", buf);
}
